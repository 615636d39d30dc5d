"""The bulk path's first tier: a block of JSONL lines checked as Arrow columns, never as objects.

pyarrow's JSON reader reads a block of lines straight into Arrow arrays against an explicit
schema (:func:`arrow_schema`). It is strict where the validator is: unknown fields, keys given
twice, a wrong JSON type, a float for an integer and broken UTF-8 or surrogates all make it
fail, and then the block goes to the caller, which cuts out the refused lines. When the compiled library is built
(:mod:`newsanno.read.native`), its reader goes first and gives the same table faster; what it
refuses goes to pyarrow's reader. The library also decodes texts to code points and runs the
name lint's search; without it, numpy and ``re`` do, with the same results. The checks then
run over whole columns with Arrow compute and numpy (anchors compared as UTF-32 code points,
ids, enums, references, joins within each document, duplicates), the lints run as a filter over
the whole block (the documents it cannot clear get the lints of :mod:`newsanno.rules.lints` one by
one), and the export rows are cut from the same arrays.

This tier only ever *accepts* a document; it flags everything else (and anything it cannot
see), and the caller sends each flagged line to the full validator, which reports it exactly.
The rule the tests hold it to: a document this tier accepts is one the full validator passes,
with the rows the serial export gives it. The rows of a document the full validator passed are
cut here too (:meth:`ColumnarChecker.rows`), so there is one way to make rows from a document.

What the reader cannot tell apart is handled here:

* A missing key and ``null`` both read as null. Where ``null`` is an error but a missing key is
  not (a layer list, ``arguments``), a null is taken as missing only when the line has no
  ``null`` token at all.
* A span written as a plain string (a text anchor) is not an object: the block fails to read.
* The reader accepts several values on one line and values that span lines, and a line holding
  only ``null`` crashes it (pyarrow 26). :func:`line_shapes` lets a block through only when
  every line starts with ``{`` and ends with ``}`` (before a CRLF's carriage return); a value
  cannot then span lines, so one row per line means one object per line.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj
from jsonschema import Draft202012Validator

from newsanno.dataset.tables import TABLES
from newsanno.model import ARTICLE, DATE_PATTERN, DOC_ID_PATTERN, ID_PATTERN, LANGUAGE_PATTERN
from newsanno.model import check_date as _check_date
from newsanno.model.ontology import load_ontology
from newsanno.read.native import READER_BUILT, NativeReader
from newsanno.rules.checks import World
from newsanno.rules.columns import (
    _arrow,
    _codes,
    _Docs,
    _field,
    _is_in,
    _lookup,
    _mask,
    _matches,
    _np,
    _repeated,
    _Spans,
    _take,
    _unnest,
    _valid,
    _where,
)
from newsanno.rules.lintfilter import LintFilter
from newsanno.rules.nesting import nesting_problem

DOC_META = ("outlet", "title", "published", "language", "url", "source", "note")
QUOTE_FIELDS = (
    *("id", "type", "content", "cue", "speaker", "speaker_mention", "addressee", "channel"),
    *("platform", "date", "utterance", "nested_in", "note"),
)
CLAIM_FIELDS = ("id", "span", "claimant", "quote", "type", "checkworthy", "statement", "note")
SEGMENTS = TABLES["quotes"].schema.field("segments").type
DOCUMENT_TABLES = (
    *("documents", "regions", "mentions", "quotes", "claims", "event_mentions"),
    "event_arguments",
)
"""The tables a batch of documents gives rows to (the world's tables come from ``corpus.yaml``)."""
_DATE = re.compile(DATE_PATTERN.strip("^$"))
_IS_URI = Draft202012Validator.FORMAT_CHECKER


def arrow_schema() -> pa.Schema:
    """The document's shape as an Arrow schema: what the JSON reader reads a line into."""
    s = pa.string()
    span = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("text", s)])
    meta = pa.struct([(k, s) for k in DOC_META])

    def items(*fields: tuple[str, Any]) -> pa.DataType:
        return pa.list_(pa.struct(list(fields)))

    note = ("note", s)
    quote_refs = "speaker speaker_mention addressee channel platform date utterance nested_in"
    return pa.schema(
        [
            ("schema_version", s),
            ("doc_id", s),
            ("text", s),
            ("text_sha256", s),
            ("metadata", meta),
            ("regions", items(("id", s), ("span", span), ("kind", s), note)),
            ("mentions", items(("id", s), ("span", span), ("entity", s), ("kind", s), note)),
            (
                "quotes",
                items(
                    ("id", s),
                    ("type", s),
                    ("content", pa.list_(span)),
                    ("cue", span),
                    *[(k, s) for k in quote_refs.split()],
                    note,
                ),
            ),
            (
                "claims",
                items(
                    ("id", s),
                    ("span", span),
                    ("claimant", s),
                    ("quote", s),
                    ("type", s),
                    ("checkworthy", pa.bool_()),
                    ("statement", s),
                    note,
                ),
            ),
            (
                "event_mentions",
                items(
                    ("id", s),
                    ("trigger", span),
                    ("event", s),
                    ("realis", s),
                    ("arguments", items(("role", s), ("entity", s), ("mention", s))),
                    note,
                ),
            ),
        ]
    )


SCHEMA = arrow_schema()
FACT_CHECK = pa.struct(
    [("url", pa.string()), ("fact_checker", pa.string()), ("rating", pa.string())]
)


def _with_fact_check(schema: pa.Schema) -> pa.Schema:
    """``schema`` with the claims' ``fact_check``: rare, so the reader's schema leaves it out (a
    line with one takes the full validator, which checks its URL), but a document the validator
    passed may hold one (:meth:`ColumnarChecker.rows`)."""
    claims = schema.field("claims")
    item = claims.type.value_type
    fields = [*item, pa.field("fact_check", FACT_CHECK)]
    return schema.set(
        schema.get_field_index("claims"), claims.with_type(pa.list_(pa.struct(fields)))
    )


VALID_SCHEMA = _with_fact_check(SCHEMA)
"""What a valid document reads into: :data:`SCHEMA` with the claims' ``fact_check``."""
PARSE_OPTIONS = pj.ParseOptions(
    explicit_schema=SCHEMA, unexpected_field_behavior="error", newlines_in_values=False
)
_NULL = re.compile(rb"null")


def _longest(block: bytes | memoryview) -> int:
    """Length of the longest line (the reader needs each line within one of its pieces)."""
    if len(block) <= 1 << 20:
        return len(block)
    ends = np.append(np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 0x0A), len(block))
    return int(np.diff(ends, prepend=-1).max())


def line_shapes(data: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> bool:
    """Whether every line ``data[start:stop]`` starts with ``{`` and ends with ``}`` (or ``}``
    and a carriage return: CRLF files)."""
    if not len(starts):
        return True
    if (stops <= starts).any() or not (data[starts] == 0x7B).all():
        return False
    last = data[stops - 1]
    crlf = (last == 0x0D) & (stops - starts >= 2) & (data[np.maximum(stops - 2, 0)] == 0x7D)
    return bool(((last == 0x7D) | crlf).all())


@dataclass
class Batch:
    """What the tier makes of a block of lines."""

    accepted: np.ndarray
    """Per line: the tier vouches for the document (its rows are in ``tables``)."""
    tables: dict[str, pa.Table]
    """Rows of the accepted documents, per document table, in line order."""
    positions: dict[str, np.ndarray]
    """Per table: the line (0-based, within the block) of each row."""
    doc_ids: list[str]
    """doc_id of each accepted document, in line order."""


def _is_date(value: str) -> bool:
    """What the model's date fields take (their pattern, then :func:`newsanno.model.check_date`)."""
    if _DATE.fullmatch(value) is None:
        return False
    try:
        _check_date(value)
    except ValueError:
        return False
    return True


class ColumnarChecker:
    """Checks blocks of JSONL lines against one world as columns; see the module docstring."""

    def __init__(self, world: World, *, lint: bool = True) -> None:
        ontology = load_ontology()
        entities = {i: e.type for i, e in world.entities.items()}
        events = {i: e.type for i, e in world.events.items()}
        utterances = {
            i: (u.speaker, u.channel, u.platform, u.addressee, u.date)
            for i, u in world.utterances.items()
        }
        # an id held by more than one kind of world item is reported by World.kind_of's order:
        # such ids are refused here (the full validator says what is wrong)
        clash = (entities.keys() & events.keys()) | (
            utterances.keys() & (entities.keys() | events.keys())
        )
        for ident in clash:
            entities.pop(ident, None)
            events.pop(ident, None)
            utterances.pop(ident, None)

        def values(items: Any) -> pa.Array:
            return pa.array(sorted(items), pa.string())

        self.entities = values(entities)
        self.of_type = {
            ref: values(i for i, t in entities.items() if t in allowed)
            for ref, allowed in ontology.reference_types.items()
        }
        self.event_ids = values(events)
        self.event_types = pa.array([events[e] for e in sorted(events)], pa.string())
        self.role_pairs = values(
            f"{t}\x1f{r}" for t in ontology.event_types for r in ontology.roles_for(t)
        )
        self.region_kinds = values(ontology.region_kinds)
        self.mention_kinds = values(ontology.mention_kinds)
        self.quote_types = values(ontology.quote_types)
        self.channels = values(ontology.channels)
        self.claim_types = values(ontology.claim_types)
        self.realis = values(ontology.realis)
        ids = sorted(utterances)
        self.utterance_ids = values(ids)
        self.utterance_fields = [
            pa.array([utterances[u][k] for u in ids], pa.string()) for k in range(5)
        ]
        self.urls: dict[str, bool] = {}
        self.reader = NativeReader(SCHEMA) if READER_BUILT else None
        """The compiled reader (:mod:`newsanno.read.native`), tried before pyarrow's when built."""
        self.lints = LintFilter(world.names, compiled=READER_BUILT) if lint else None

    # -- one block -----------------------------------------------------------------------------

    def read(self, block: bytes | memoryview, longest: int | None = None) -> pa.Table | None:
        """The block as an Arrow table, or None when the reader refuses it.

        ``longest``: the length of its longest line, when the caller knows it already.
        """
        if longest is None:
            longest = _longest(block)
        # one thread (the bulk path's processes are the parallelism); 1 MiB pieces read fastest
        options = pj.ReadOptions(use_threads=False, block_size=max(longest + 1, 1 << 20))
        buffer = pa.py_buffer(block)
        try:
            # the reader leaves broken UTF-8 in strings: Arrow's own check of the whole block
            offsets = pa.py_buffer(np.array([0, len(block)], dtype=np.int32))
            pa.Array.from_buffers(pa.binary(), 1, [None, offsets, buffer]).cast(pa.string())
            if self.reader is not None:
                table = self.reader.read(block)
                if table is not None:
                    return table
            return pj.read_json(
                pa.BufferReader(buffer), read_options=options, parse_options=PARSE_OPTIONS
            )
        except Exception:  # any refusal: the full validator reads such lines and reports exactly
            return None

    def check(
        self,
        table: pa.Table,
        block: bytes | memoryview,
        stops: np.ndarray,
        file: str | list[str],
        lines: np.ndarray,
        *,
        trusted: bool = False,
    ) -> Batch:
        """Check a block :meth:`read` read, one row per line; ``stops``: each line's end in it.

        ``lines`` are the lines' numbers in ``file`` (the documents table records them).
        ``trusted``: the documents are valid already (see :meth:`rows`); every one is kept.
        """
        n = table.num_rows
        bad = np.zeros(n, dtype=bool)
        explicit: list[np.ndarray] = []

        def null_in_line(docs: np.ndarray) -> np.ndarray:
            """Whether the line of each of ``docs`` has a ``null`` token anywhere."""
            if not len(docs):
                return np.zeros(0, dtype=bool)
            if not explicit:
                hits = np.array([m.start() for m in _NULL.finditer(block)], dtype=np.int64)
                lines_with_null = np.zeros(n + 1, dtype=bool)
                lines_with_null[np.searchsorted(stops, hits)] = True
                explicit.append(lines_with_null[:n])
            return explicit[0][docs]

        def left_out(docs: np.ndarray) -> None:
            """Values of ``docs`` that read as null, where ``null`` is an error but a missing key
            is not (a layer list, ``arguments``, a span's text): taken as missing unless the line
            has a ``null`` token; then the document is flagged."""
            if not trusted:
                bad[docs[null_in_line(docs)]] = True

        def missing_list(col: pa.Array, row: np.ndarray | None = None) -> None:
            null = np.flatnonzero(_np(col.is_null()))
            left_out(null if row is None else row[null])

        column = {
            name: chunks.chunk(0) if chunks.num_chunks == 1 else chunks.combine_chunks()
            for name, chunks in zip(table.column_names, table.columns, strict=True)
        }
        text = column["text"]
        doc = _Docs(text)
        doc_id = column["doc_id"]
        meta = column["metadata"]
        bad |= ~_mask(pc.equal(column["schema_version"], "1.0"))
        bad |= ~_matches(doc_id, DOC_ID_PATTERN) | ~_valid(text)
        bad |= ~self._sha256(text, column["text_sha256"])
        bad |= ~_valid(meta)
        m = {k: _field(meta, k) for k in DOC_META}
        bad |= ~_matches(m["language"], LANGUAGE_PATTERN)
        bad |= ~_is_in(m["outlet"], self.of_type["outlet"], optional=True)
        bad |= ~self._dates(m["published"])
        bad |= ~self._urls(m["url"])

        ids: list[tuple[np.ndarray, pa.Array]] = []  # (row, id) of every annotation
        out: dict[str, tuple[np.ndarray, list[Any]]] = {}
        lint: dict[str, tuple[np.ndarray, ...]] = {}
        """(row, start, end) of the spans that resolve, per layer, for the lints."""

        def take_doc(row: np.ndarray) -> pa.Array:
            return doc_id.take(pa.array(row, pa.int64()))

        # regions and mentions
        for name in ("regions", "mentions"):
            col = column[name]
            missing_list(col)
            items, row, ordinal, _ = _unnest(col)
            ident, kind, note = (_field(items, k) for k in ("id", "kind", "note"))
            spans = _Spans(_field(items, "span"), row, doc)
            left_out(row[spans.missing])
            ok = spans.ok & _valid(items)
            if name == "regions":
                ok &= _is_in(kind, self.region_kinds)
                ok &= ~_repeated(row, spans.start, spans.end)
                rest: list[Any] = [kind, spans.start, spans.end, spans.text, note]
            else:
                entity = _field(items, "entity")
                ok &= _is_in(entity, self.entities) & _is_in(kind, self.mention_kinds)
                ok &= ~_repeated(row, spans.start, spans.end, *_codes(entity))
                rest = [entity, spans.start, spans.end, spans.text, kind, note]
                mentions = (row, ident, entity)
                m_spans = spans
            bad[row[~ok]] = True
            ids.append((row, ident))
            lint[name] = (row[spans.ok], spans.start[spans.ok], spans.end[spans.ok])
            out[name] = (row, [take_doc(row), ident, ordinal, *rest])
        m_row, m_id, m_entity = mentions

        # quotes
        col = column["quotes"]
        missing_list(col)
        q, q_row, q_ordinal, _ = _unnest(col)
        qf = {k: _field(q, k) for k in QUOTE_FIELDS}
        speaker = qf["speaker"]
        ok = _valid(q) & _is_in(qf["type"], self.quote_types)
        content = qf["content"]
        ok &= _np(pc.list_value_length(content).fill_null(0)) > 0
        segs, seg_quote, _, seg_offsets = _unnest(content)
        seg_row = q_row[seg_quote]
        seg = _Spans(segs, seg_row, doc)
        left_out(seg_row[seg.missing])
        ok[seg_quote[~seg.ok]] = False
        cue_given = _valid(qf["cue"])
        cue = _Spans(qf["cue"], q_row, doc)
        left_out(q_row[cue.missing])
        ok &= cue.ok | ~cue_given
        ok &= _is_in(speaker, self.of_type["speaker"], optional=True)
        ok &= _is_in(qf["addressee"], self.of_type["addressee"], optional=True)
        ok &= _is_in(qf["platform"], self.of_type["platform"], optional=True)
        ok &= _is_in(qf["channel"], self.channels, optional=True)
        ok &= self._dates(qf["date"])
        # speaker_mention: a mention of the same document, naming the speaker
        sm = qf["speaker_mention"]
        has = np.nonzero(_valid(sm))[0]
        if len(has):
            at = _lookup(m_row, m_id, q_row[has], _take(sm, has))
            same = _mask(pc.equal(_take(m_entity, np.maximum(at, 0)), _take(speaker, has)))
            ok[has[(at < 0) | ~same]] = False
        ok &= self._utterances(qf)
        self._nesting(qf, q_row, seg, seg_offsets, ok)
        # the same quote twice: here, the same first segment (a superset of the full validator's rule)
        first = np.minimum(seg_offsets[:-1], max(len(segs) - 1, 0))
        if len(segs):
            ok &= ~_repeated(q_row, seg.start[first], seg.end[first])
            q_start = np.minimum.reduceat(seg.start, first)
            q_end = np.maximum.reduceat(seg.end, first)
        else:
            q_start = q_end = np.zeros(len(q), dtype=np.int64)
        bad[q_row[~ok]] = True
        ids.append((q_row, qf["id"]))
        lint["quotes"] = (seg_row[seg.ok], seg.start[seg.ok], seg.end[seg.ok])
        offsets = pa.array(seg_offsets, pa.int32())
        segments = pa.ListArray.from_arrays(
            offsets,
            pa.StructArray.from_arrays(
                [pa.array(seg.start), pa.array(seg.end), seg.text],
                fields=list(SEGMENTS.value_type),
            ),
            type=SEGMENTS,
        )
        out["quotes"] = (
            q_row,
            [
                take_doc(q_row),
                qf["id"],
                q_ordinal,
                speaker,
                sm,
                qf["type"],
                q_start,
                q_end,
                pc.binary_join(pa.ListArray.from_arrays(offsets, seg.text), " "),
                segments,
                _where(cue_given, cue.start),
                _where(cue_given, cue.end),
                cue.text,
                *(qf[k] for k in ("addressee", "channel", "platform", "date", "utterance")),
                qf["nested_in"],
                qf["note"],
            ],
        )

        # claims
        col = column["claims"]
        missing_list(col)
        c, c_row, c_ordinal, _ = _unnest(col)
        cf = {k: _field(c, k) for k in CLAIM_FIELDS}
        spans = _Spans(cf["span"], c_row, doc)
        left_out(c_row[spans.missing])
        claimant = cf["claimant"]
        by_article = _mask(pc.equal(claimant, ARTICLE))
        ok = _valid(c) & spans.ok
        ok &= by_article | _is_in(claimant, self.of_type["claimant"])
        ok &= _is_in(cf["type"], self.claim_types) & _valid(cf["checkworthy"])
        ok &= _mask(pc.greater(pc.utf8_length(cf["statement"]), 0))
        quote = cf["quote"]
        has = np.nonzero(_valid(quote))[0]
        if len(has):
            at = _lookup(q_row, qf["id"], c_row[has], _take(quote, has))
            said = _take(speaker, np.maximum(at, 0))
            differ = _valid(said) & ~_mask(pc.equal(said, _take(claimant, has)))
            ok[has[(at < 0) | differ]] = False
        ok &= ~_repeated(c_row, spans.start, spans.end)
        if "fact_check" in [f.name for f in c.type]:  # a valid document's (:meth:`rows`)
            fact = _field(c, "fact_check")
            ok &= trusted | ~_valid(fact)
            fact_check = [_field(fact, k) for k in ("url", "fact_checker", "rating")]
        else:  # the reader's schema has none: a line with one takes the full validator
            fact_check = [pa.nulls(len(c_row), pa.string())] * 3
        bad[c_row[~ok]] = True
        ids.append((c_row, cf["id"]))
        article = pa.array(by_article)
        out["claims"] = (
            c_row,
            [
                take_doc(c_row),
                cf["id"],
                c_ordinal,
                pc.if_else(article, "article", "entity"),
                pc.if_else(article, pa.scalar(None, pa.string()), claimant),
                quote,
                spans.start,
                spans.end,
                spans.text,
                cf["type"],
                cf["checkworthy"],
                cf["statement"],
                *fact_check,
                cf["note"],
            ],
        )

        # event mentions and their arguments
        col = column["event_mentions"]
        missing_list(col)
        em, e_row, e_ordinal, _ = _unnest(col)
        ef = {k: _field(em, k) for k in ("id", "trigger", "event", "realis", "arguments", "note")}
        spans = _Spans(ef["trigger"], e_row, doc)
        left_out(e_row[spans.missing])
        event = ef["event"]
        ok = _valid(em) & spans.ok
        ok &= _is_in(event, self.event_ids) & _is_in(ef["realis"], self.realis)
        ok &= ~_repeated(e_row, spans.start, spans.end, *_codes(event))
        arguments = ef["arguments"]
        missing_list(arguments, e_row)
        a, a_em, a_ordinal, _ = _unnest(arguments)
        a_row = e_row[a_em]
        role, entity, mention = (_field(a, k) for k in ("role", "entity", "mention"))
        event_type = self.event_types.take(pc.index_in(event, value_set=self.event_ids))
        pair = pc.binary_join_element_wise(_take(event_type, a_em), role, "\x1f")
        a_ok = _valid(a) & _is_in(pair, self.role_pairs) & _is_in(entity, self.entities)
        has = np.nonzero(_valid(mention))[0]
        if len(has):
            at = _lookup(m_row, m_id, a_row[has], _take(mention, has))
            same = _mask(pc.equal(_take(m_entity, np.maximum(at, 0)), _take(entity, has)))
            a_ok[has[(at < 0) | ~same]] = False
            # (trigger, mention) of each argument named by a mention, for the sentence lint
            named = (at >= 0) & spans.ok[a_em[has]] & m_spans.ok[np.maximum(at, 0)]
            at, arg = at[named], has[named]
            trigger = a_em[arg]
            lint["arguments"] = (
                *(a_row[arg], spans.start[trigger], spans.end[trigger]),
                *(m_spans.start[at], m_spans.end[at]),
            )
        ok[a_em[~a_ok]] = False
        bad[e_row[~ok]] = True
        ids.append((e_row, ef["id"]))
        out["event_mentions"] = (
            e_row,
            [
                take_doc(e_row),
                ef["id"],
                e_ordinal,
                event,
                spans.start,
                spans.end,
                spans.text,
                ef["realis"],
                ef["note"],
            ],
        )
        out["event_arguments"] = (
            a_row,
            [
                take_doc(a_row),
                _take(ef["id"], a_em),
                a_ordinal,
                _take(event, a_em),
                *(role, entity, mention),
            ],
        )

        # an id used twice in a document, across its layers
        rows = np.concatenate([r for r, _ in ids])
        all_ids = pa.concat_arrays([i for _, i in ids])
        coded = pc.dictionary_encode(all_ids)
        codes = _np(coded.indices.fill_null(-1)).astype(np.int64)
        # the id pattern, checked once per distinct id (a null id fails it too)
        fits = np.append(_matches(coded.dictionary, ID_PATTERN), False)
        bad[rows[~fits[codes]]] = True
        bad[rows[_repeated(rows, codes)]] = True

        if self.lints is not None and not trusted:
            self.lints.flag(doc, text, bad, lint)

        keep = np.ones(n, dtype=bool) if trusted else ~bad
        out["documents"] = (
            np.arange(n),
            [
                doc_id,
                *(m[k] for k in DOC_META),
                text,
                column["text_sha256"],
                pa.nulls(n, pa.string()),
                pa.array([file] * n if isinstance(file, str) else file, pa.string()),
                lines,
            ],
        )
        tables, positions = {}, {}
        every = bool(keep.all())  # the common case: nothing to filter out
        for name, (row, arrays) in out.items():
            schema = TABLES[name].schema
            columns = [_arrow(v, f.type) for v, f in zip(arrays, schema, strict=True)]
            if every:
                positions[name] = row
            else:
                mask = keep[row]
                rows = pa.array(mask)
                columns = [c.filter(rows) for c in columns]
                positions[name] = row[mask]
            tables[name] = pa.Table.from_arrays(columns, schema=schema)
        doc_ids = doc_id if every else doc_id.filter(pa.array(keep))
        return Batch(keep, tables, positions, doc_ids.to_pylist())

    def rows(self, docs: list[dict[str, Any]], files: list[str], lines: np.ndarray) -> Batch:
        """The export rows of documents the full validator passed, given as JSON data with
        explicit offsets (each in file ``files[i]`` at line ``lines[i]``): cut by :meth:`check`
        from the same arrays as a block's."""
        table = pa.Table.from_pylist(docs, schema=VALID_SCHEMA)
        return self.check(table, b"", np.zeros(0, np.int64), files, lines, trusted=True)

    @staticmethod
    def _nesting(
        qf: dict[str, pa.Array], q_row: np.ndarray, seg: _Spans, seg_offsets: np.ndarray, ok: Any
    ) -> None:
        """Clear ``ok`` for the quotes of each document whose nesting breaks the rule
        (:mod:`newsanno.rules.nesting`), or names no quote of the document; only documents with
        a nested quote are looked at."""
        nested = np.flatnonzero(_valid(qf["nested_in"]))
        if not len(nested):
            return
        starts, ends = seg.start.tolist(), seg.end.tolist()
        for row in np.unique(q_row[nested]).tolist():
            lo, hi = np.searchsorted(q_row, [row, row + 1]).tolist()
            ids = qf["id"][lo:hi].to_pylist()
            outer_of = qf["nested_in"][lo:hi].to_pylist()
            content = {
                ident: list(
                    zip(
                        starts[seg_offsets[k] : seg_offsets[k + 1]],
                        ends[seg_offsets[k] : seg_offsets[k + 1]],
                        strict=True,
                    )
                )
                for ident, k in zip(ids, range(lo, hi), strict=True)
            }
            nested_in = dict(zip(ids, outer_of, strict=True))
            broken = len(nested_in) != hi - lo or any(
                outer is not None
                and (
                    outer not in nested_in
                    or nesting_problem(quote, outer, content[quote], nested_in, content)
                )
                for quote, outer in zip(ids, outer_of, strict=True)
            )
            if broken:
                ok[lo:hi] = False

    def _utterances(self, qf: dict[str, pa.Array]) -> np.ndarray:
        """Whether each quote's utterance (if any) exists and agrees with the quote."""
        utterance = qf["utterance"]
        ok = np.ones(len(utterance), dtype=bool)
        has = np.nonzero(_valid(utterance))[0]
        if not len(has):
            return ok
        at = pc.index_in(_take(utterance, has), value_set=self.utterance_ids)
        ok[has[~_valid(at)]] = False
        at = at.fill_null(0)
        for k, name in enumerate(("speaker", "channel", "platform", "addressee")):
            mine = _take(qf[name], has)
            theirs = self.utterance_fields[k].take(at)
            ok[has[_mask(pc.not_equal(mine, theirs))]] = False  # both given, and different
        mine = _take(qf["date"], has)
        theirs = self.utterance_fields[4].take(at)
        both = np.nonzero(_valid(mine) & _valid(theirs))[0]
        if len(both):
            dates = zip(_take(mine, both).to_pylist(), _take(theirs, both).to_pylist(), strict=True)
            for k, (date, u_date) in zip(both.tolist(), dates, strict=True):
                if date and u_date and not (date.startswith(u_date) or u_date.startswith(date)):
                    ok[has[k]] = False
        return ok

    # -- per value -----------------------------------------------------------------------------

    def _sha256(self, text: pa.Array, given: pa.Array) -> np.ndarray:
        if text.offset:
            text = pa.concat_arrays([text])
        n = len(text)
        offs = np.frombuffer(text.buffers()[1], dtype=np.int32)[: n + 1].tolist()
        buffer = text.buffers()[2]
        data = memoryview(buffer) if buffer is not None else memoryview(b"")
        sha = hashlib.sha256
        ok = [
            h is not None and sha(data[a:b]).hexdigest() == h
            for a, b, h in zip(offs, offs[1:], given.to_pylist(), strict=False)
        ]
        return np.array(ok, dtype=bool) & _valid(text)

    def _dates(self, dates: pa.Array) -> np.ndarray:
        """Whether each value is null or a valid date."""
        wrong = []
        for value in pc.unique(dates).to_pylist():
            if value is not None and not _is_date(value):
                wrong.append(value)
        if not wrong:
            return np.ones(len(dates), dtype=bool)
        return ~_is_in(dates, pa.array(wrong, pa.string()))

    def _urls(self, urls: pa.Array) -> np.ndarray:
        known = self.urls
        wrong = []
        for value in pc.unique(urls).to_pylist():
            if value is None:
                continue
            good = known.get(value)
            if good is None:
                good = bool(_IS_URI.conforms(value, "uri"))
                if len(known) < 10_000:  # URLs seldom repeat: a small cache
                    known[value] = good
            if not good:
                wrong.append(value)
        if not wrong:
            return np.ones(len(urls), dtype=bool)
        return ~_is_in(urls, pa.array(wrong, pa.string()))
