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
  only ``null`` crashes it (pyarrow 26). :func:`newsanno.read.lines.line_shapes` lets a block through only when
  every line starts with ``{`` and ends with ``}`` (before a CRLF's carriage return); a value
  cannot then span lines, so one row per line means one object per line.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj
from jsonschema import Draft202012Validator

from newsanno.dataset.tables import TABLES
from newsanno.model import (
    ARTICLE,
    DATE_PATTERN,
    DOC_ID_PATTERN,
    ID_PATTERN,
    LANGUAGE_PATTERN,
    LAYERS,
)
from newsanno.model import check_date as _check_date
from newsanno.model.ontology import load_ontology
from newsanno.read.lines import (
    DOC_META,
    PARSE_OPTIONS,
    VALID_SCHEMA,
    _longest,
    utf8,
)
from newsanno.read.native import READER_BUILT, NativeReader
from newsanno.rules import meaning
from newsanno.rules.columns import (
    _arrow,
    _Docs,
    _field,
    _is_in,
    _mask,
    _matches,
    _np,
    _Spans,
    _take,
    _valid,
    _where,
)
from newsanno.rules.lintfilter import LintFilter
from newsanno.rules.meaning import REFERENCES, Frame, Layer
from newsanno.rules.world import World

SEGMENTS = TABLES["quotes"].schema.field("segments").type
DOCUMENT_TABLES = (
    *("documents", "regions", "mentions", "quotes", "claims", "event_mentions"),
    "event_arguments",
)
"""The tables a batch of documents gives rows to (the world's tables come from ``corpus.yaml``)."""
_NULL = re.compile(rb"null")
_DATE = re.compile(DATE_PATTERN.strip("^$"))
_IS_URI = Draft202012Validator.FORMAT_CHECKER


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
    reported: dict[int, tuple[str, list[meaning.Found]]] = field(default_factory=dict)
    """Per line whose only problems are meaning findings: its doc_id and those findings, which
    are all the full validator would report of it (its structure, anchors and lints pass)."""

    def moved(self, lines: np.ndarray, n: int) -> Batch:
        """The batch of a block of ``n`` lines whose lines ``lines`` this batch checked."""
        flags = np.zeros(n, dtype=bool)
        flags[lines] = self.accepted
        positions = {k: lines[v] for k, v in self.positions.items()}
        reported = {int(lines[k]): v for k, v in self.reported.items()}
        return Batch(flags, self.tables, positions, self.doc_ids, reported)


def _kept(table: pa.Table, mask: np.ndarray) -> pa.Table:
    """The rows of ``table`` where ``mask`` holds. The rows a block leaves out are those of a
    few documents, so the rows kept are a few runs: taken as zero-copy slices, joined as chunks
    (filtering copied every column, the texts too: 8 ms a block of 333 documents); with many
    runs, one filter."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    starts, stops = edges[::2].tolist(), edges[1::2].tolist()
    if not starts:
        return table.slice(0, 0)
    if len(starts) > 64:
        return table.filter(pa.array(mask))
    return pa.concat_tables([table.slice(a, b - a) for a, b in zip(starts, stops, strict=True)])


def _span(spans: _Spans) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """A layer's span columns: start, end, text."""
    return spans.start, spans.end, spans.text


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

        def values(items: Any) -> pa.Array:
            return pa.array(sorted(items), pa.string())

        self.world = world
        world.known  # noqa: B018 - built once here, not in the first block
        self.region_kinds = values(ontology.region_kinds)
        self.mention_kinds = values(ontology.mention_kinds)
        self.quote_types = values(ontology.quote_types)
        self.channels = values(ontology.channels)
        self.claim_types = values(ontology.claim_types)
        self.realis = values(ontology.realis)
        self.urls: dict[str, bool] = {}
        self.reader = NativeReader(VALID_SCHEMA) if READER_BUILT else None
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
            if not utf8(buffer):
                return None
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
        bad |= ~self._dates(m["published"])
        bad |= ~self._urls(m["url"])

        # the layers as columns, each span checked against its document's text (the anchors)
        frame = Frame.of(column)
        layer = frame.layers
        for name in LAYERS:
            missing_list(column[name])
        missing_list(layer["event_mentions"]["arguments"], layer["event_mentions"].row)
        spans: dict[str, _Spans] = {}
        for name, attr in (*LAYERS.items(), ("segments", "")):
            item = layer[name]
            if name == "quotes":
                attr = "cue"
            s = _Spans(item[attr] if attr else item.items, item.row, doc)
            left_out(item.row[s.missing])
            item.start, item.end, item.ok = s.start, s.end, s.ok
            spans[name] = s
        regions, mentions, quotes = layer["regions"], layer["mentions"], layer["quotes"]
        claims, events, args, segs = (
            layer[k] for k in ("claims", "event_mentions", "arguments", "segments")
        )
        seg = spans["segments"]

        # what the structure says of each item (its vocabulary, its spans); JSON Schema reports it
        for item, ok in (
            (regions, regions.ok & _is_in(regions["kind"], self.region_kinds)),
            (mentions, mentions.ok & _is_in(mentions["kind"], self.mention_kinds)),
        ):
            bad[item.row[~(ok & _valid(item.items))]] = True
        ok = _valid(quotes.items) & _is_in(quotes["type"], self.quote_types)
        ok &= _np(pc.list_value_length(quotes["content"]).fill_null(0)) > 0
        ok[segs.parent[~seg.ok]] = False
        cue_given = _valid(quotes["cue"])
        ok &= quotes.ok | ~cue_given
        ok &= _is_in(quotes["channel"], self.channels, optional=True)
        ok &= self._dates(quotes["date"])
        bad[quotes.row[~ok]] = True
        ok = _valid(claims.items) & claims.ok
        ok &= _is_in(claims["type"], self.claim_types) & _valid(claims["checkworthy"])
        ok &= _mask(pc.greater(pc.utf8_length(claims["statement"]), 0))
        # a published fact-check: a URL, and who checked and what they rated, each given
        fact = claims["fact_check"]
        fact_check = [_field(fact, k) for k in ("url", "fact_checker", "rating")]
        url, checker, rating = fact_check
        given = _valid(fact)
        fine = _valid(url) & self._urls(url)
        for value in (checker, rating):
            fine &= _mask(pc.greater(pc.utf8_length(value), 0))
        ok &= ~given | fine
        bad[claims.row[~ok]] = True
        ok = _valid(events.items) & events.ok & _is_in(events["realis"], self.realis)
        ok[args.parent[~_valid(args.items)]] = False
        bad[events.row[~ok]] = True
        # every id, and every id a field refers by, fits the id pattern (checked once per distinct
        # value); a field that must be given is not null
        coded = frame.coded
        fits = np.append(_matches(coded.distinct, ID_PATTERN), False)[coded.codes]
        for name, fields in (*((k, (("id", True),)) for k in LAYERS), *REFERENCES.items()):
            item = layer[name]
            for k, required in fields:
                lo, hi = coded.at[(name, k)]
                here = fits[lo:hi] if required else fits[lo:hi] | (coded.codes[lo:hi] < 0)
                bad[item.row[~here]] = True
        bad[args.row[~_valid(args["role"])]] = True
        bad[_valid(frame.outlet) & ~_matches(frame.outlet, ID_PATTERN)] = True

        # the meaning rules, written once (:mod:`newsanno.rules.meaning`)
        found = [] if trusted else meaning.check(frame, self.world)

        # the spans the lints look at: those that resolve, per layer; and each argument named by
        # a mention, with its event's trigger (the sentence lint)
        lint: dict[str, tuple[np.ndarray, ...]] = {
            name: (item.row[s.ok], s.start[s.ok], s.end[s.ok])
            for name, item, s in (
                ("regions", regions, spans["regions"]),
                ("mentions", mentions, spans["mentions"]),
                ("quotes", segs, seg),
            )
        }
        mention = args["mention"]
        has = np.flatnonzero(_valid(mention))
        if len(has):
            at = meaning.find(
                mentions.row,
                coded("mentions", "id"),
                args.row[has],
                coded("arguments", "mention")[has],
                last=True,
            )
            named = (at >= 0) & events.ok[args.parent[has]] & mentions.ok[np.maximum(at, 0)]
            at, arg = at[named], has[named]
            trigger = args.parent[arg]
            lint["arguments"] = (
                *(args.row[arg], events.start[trigger], events.end[trigger]),
                *(mentions.start[at], mentions.end[at]),
            )

        # the rows of the tables
        def take_doc(row: np.ndarray) -> pa.Array:
            return doc_id.take(pa.array(row, pa.int64()))

        def common(item: Layer) -> list[Any]:
            return [take_doc(item.row), item["id"], item.ordinal]

        out: dict[str, tuple[np.ndarray, list[Any]]] = {}
        out["regions"] = (
            regions.row,
            [*common(regions), regions["kind"], *_span(spans["regions"]), regions["note"]],
        )
        out["mentions"] = (
            mentions.row,
            [
                *common(mentions),
                mentions["entity"],
                *_span(spans["mentions"]),
                mentions["kind"],
                mentions["note"],
            ],
        )
        pick = np.minimum(segs.offsets[:-1], max(len(segs) - 1, 0))
        if len(segs):
            q_start = np.minimum.reduceat(seg.start, pick)
            q_end = np.maximum.reduceat(seg.end, pick)
        else:
            q_start = q_end = np.zeros(len(quotes), dtype=np.int64)
        offsets = pa.array(segs.offsets, pa.int32())
        segments = pa.ListArray.from_arrays(
            offsets,
            pa.StructArray.from_arrays(
                [pa.array(seg.start), pa.array(seg.end), seg.text],
                fields=list(SEGMENTS.value_type),
            ),
            type=SEGMENTS,
        )
        cue = spans["quotes"]
        out["quotes"] = (
            quotes.row,
            [
                *common(quotes),
                quotes["speaker"],
                quotes["speaker_mention"],
                quotes["type"],
                q_start,
                q_end,
                pc.binary_join(pa.ListArray.from_arrays(offsets, seg.text), " "),
                segments,
                _where(cue_given, cue.start),
                _where(cue_given, cue.end),
                cue.text,
                *(quotes[k] for k in ("addressee", "channel", "platform", "date", "utterance")),
                quotes["nested_in"],
                quotes["note"],
            ],
        )
        claimant = claims["claimant"]
        article = pa.array(_mask(pc.equal(claimant, ARTICLE)))
        out["claims"] = (
            claims.row,
            [
                *common(claims),
                pc.if_else(article, "article", "entity"),
                pc.if_else(article, pa.scalar(None, pa.string()), claimant),
                claims["quote"],
                *_span(spans["claims"]),
                *(claims[k] for k in ("type", "checkworthy", "statement")),
                *fact_check,
                claims["note"],
            ],
        )
        out["event_mentions"] = (
            events.row,
            [
                *common(events),
                events["event"],
                *_span(spans["event_mentions"]),
                events["realis"],
                events["note"],
            ],
        )
        out["event_arguments"] = (
            args.row,
            [
                take_doc(args.row),
                _take(events["id"], args.parent),
                args.ordinal,
                _take(events["event"], args.parent),
                *(args[k] for k in ("role", "entity", "mention")),
            ],
        )

        if self.lints is not None and not trusted:
            self.lints.flag(doc, text, bad, lint)
        # a document whose only problems are meaning findings is reported from here
        reported: dict[int, tuple[str, list[meaning.Found]]] = {}
        for finding in found:
            if not bad[finding[0]]:
                entry = reported.setdefault(finding[0], (doc_id[finding[0]].as_py(), []))
                entry[1].append(finding)
        if reported:
            bad[list(reported)] = True

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
            table = pa.Table.from_arrays(columns, schema=schema)
            if every:
                positions[name] = row
            else:
                mask = keep[row]
                table = _kept(table, mask)
                positions[name] = row[mask]
            tables[name] = table
        doc_ids = doc_id if every else doc_id.filter(pa.array(keep))
        return Batch(keep, tables, positions, doc_ids.to_pylist(), reported)

    def rows(self, docs: list[dict[str, Any]], files: list[str], lines: np.ndarray) -> Batch:
        """The export rows of documents the full validator passed, given as JSON data with
        explicit offsets (each in file ``files[i]`` at line ``lines[i]``): cut by :meth:`check`
        from the same arrays as a block's."""
        table = pa.Table.from_pylist(docs, schema=VALID_SCHEMA)
        return self.check(table, b"", np.zeros(0, np.int64), files, lines, trusted=True)

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
