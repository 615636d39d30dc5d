"""WebAnno TSV 3.x, as WebAnno and INCEpTION export it ("WebAnno TSV v3.3"); read only.

The format (INCEpTION's user guide, ``webannotsv.adoc`` in ``inception-io-webanno-tsv``, and its
reader ``Tsv3XDeserializer``): a ``#FORMAT=WebAnno TSV 3.x`` line, one ``#T_SP=`` (span),
``#T_CH=`` (chain) or ``#T_RL=`` (relation) line per layer naming its feature columns, then
sentences: ``#Text=`` lines (a sentence with line breaks has one per line) and one line per token,
``sentence-token<TAB>begin-end<TAB>token<TAB>`` and a column per feature. In a column ``_`` is no
annotation, ``*`` an annotation without a value, ``|`` separates stacked annotations and ``[n]``
ties the tokens of one multi-token annotation together (on a chain layer it is the chain's number).

Offsets count UTF-16 code units, as UIMA does (the guide's "Encoding and Offsets": "the offsets
used in the TSV file are based on UTF-16"; 😊 counts 2). The text is rebuilt as the reader does:
each sentence's ``#Text=`` lines, each ended by a line feed, placed at its first token's offset
(the line feed is dropped when the next sentence starts right there, and after the last
sentence; a gap is filled with spaces). Every token's offsets are then converted to code points and its text checked against the
token column: a mismatch is a finding, never re-anchored.

Read: DKPro Core ``NamedEntity`` (``value`` is the label, an ``identifier`` that is a Wikidata URI
becomes ``wikidata``), a project's own span layers (``webanno.custom.X``: label ``X``, its features
the attributes) and relation layers (labelled with their one feature's value, else ``X``), and
chain layers (``CoreferenceLink``): each chain becomes one group of spans, a link joining a named
entity over the same characters. Other layers (POS, lemma, dependency, ...) and slot features are
counted and reported, not imported.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from newsanno.interop.ir import Findings, Relation, SourceDoc, SpanAnn, Where
from newsanno.interop.offsets import Utf16, utf16_length
from newsanno.interop.uima import NE, SEGMENT, WIKIDATA
from newsanno.model.findings import Code

FORMAT = re.compile(r"^#FORMAT=(?P<name>.*) (?P<major>\d+)\.(?P<minor>\d+)$")
UNIT_ID = re.compile(r"^(?P<sent>[1-9][0-9]*)-(?P<tok>[1-9][0-9]*)(?:\.(?P<sub>[1-9][0-9]*))?$")
OFFSETS = re.compile(r"^(?P<begin>[0-9]+)-(?P<end>[0-9]+)$")
STACK = re.compile(r"(?<!\\)\|")
DISAMBIGUATION = re.compile(r"^(?P<value>.*)\[(?P<id>[0-9]+)\]$", re.DOTALL)
CHAIN_LINK = re.compile(r"^(?P<value>.*)(?<!\\)->(?P<chain>[0-9]+)-(?P<link>[0-9]+)$", re.DOTALL)
REF = re.compile(r"^(?P<unit>[0-9]+-[0-9]+(?:\.[0-9]+)?)(?:\[(?P<src>[0-9]+)_(?P<tgt>[0-9]+)\])?$")
CUSTOM = "webanno.custom."
MAX_PROBLEMS = 20
"""Malformed lines listed per file; the rest are counted."""
HINT = "export the document again from INCEpTION or WebAnno as WebAnno TSV v3.3"

# text escaping (TSV 3.2 and later, ``Escaping.unescapeText``): \t \n \f \r \b \\ and a backslash
# before a control character
_TEXT_ESCAPES = {"t": "\t", "n": "\n", "f": "\f", "r": "\r", "b": "\b", "\\": "\\"}
_TEXT = re.compile(r"\\([tnfrb\\]|[\x00-\x07\x0e-\x1f])")
# value escaping (``Escaping.unescapeValue``): \\ \[ \] \| \_ \-> \; \t \n \*
_VALUE = re.compile(r"\\(\\|\[|\]|\||_|->|;|t|n|\*)")


def unescape_text(text: str) -> str:
    return _TEXT.sub(lambda m: _TEXT_ESCAPES.get(m.group(1), m.group(1)), text)


def unescape_value(value: str) -> str:
    return _VALUE.sub(lambda m: {"t": "\t", "n": "\n"}.get(m.group(1), m.group(1)), value)


def _short(type_name: str) -> str:
    return type_name.rsplit(".", 1)[-1]


@dataclass
class Column:
    layer: str
    kind: str  # "span", "chain", "relation"
    feature: str  # a feature name, "" (a layer without features), or one of the roles below
    role: str = "value"  # value, slot-role, slot-target, base (a relation's source), type, link


def _columns(layer_kind: str, rest: str) -> list[Column]:
    fields = [f for f in rest.split("|") if f]
    layer, features = fields[0], fields[1:]
    if not features:
        return [Column(layer, layer_kind, "")]
    out: list[Column] = []
    for feature in features:
        role = "value"
        if layer_kind == "span" and feature.startswith("ROLE_"):
            role = "slot-role"
        elif layer_kind == "span" and out and out[-1].role == "slot-role":
            role = "slot-target"
        elif layer_kind == "relation" and feature.startswith("BT_"):
            role = "base"
        elif layer_kind == "chain" and feature == "referenceType":
            role = "type"
        elif layer_kind == "chain" and feature == "referenceRelation":
            role = "link"
        out.append(Column(layer, layer_kind, feature, role))
    return out


@dataclass
class Ann:
    layer: str
    begin: int  # UTF-16 units
    end: int
    line: int
    features: dict[str, str] = field(default_factory=dict)
    chain: tuple[int, int] | None = None  # (chain, link) on a chain layer
    source: tuple[str, int] | None = None  # a relation's source: (unit id, disambiguation id)
    target: tuple[str, int] | None = None  # a relation's target: (unit id, disambiguation id)


@dataclass
class Unit:
    ident: str
    begin: int
    end: int
    line: int
    covered: str
    anns: dict[tuple[str, int], Ann] = field(default_factory=dict)  # (layer, stack index)


class _Parser:
    def __init__(self, display: str, findings: Findings) -> None:
        self.display = display
        self.findings = findings
        self.columns: list[Column] = []
        self.minor = 3
        self.units: dict[str, Unit] = {}
        self.anns: list[Ann] = []
        self.by_id: dict[tuple[str, int], Ann] = {}  # (layer, disambiguation id)
        self.links: dict[tuple[str, int, int], Ann] = {}  # (layer, chain, link)
        self.slots = 0
        self.problems = 0

    def bad(self, line: int, message: str) -> None:
        self.problems += 1
        if self.problems <= MAX_PROBLEMS:
            self.findings.add(Code.IMPORT_MALFORMED, Where(self.display, line), message, HINT)

    def header(self, lines: list[str]) -> int | None:
        """Reads the format line and the layer declarations; returns the index of the body."""
        match = FORMAT.match(lines[0]) if lines else None
        if match is None or match["name"] != "WebAnno TSV" or match["major"] != "3":
            self.bad(1, "the first line is not `#FORMAT=WebAnno TSV 3.x`")
            return None
        self.minor = int(match["minor"])
        i = 1
        kinds = {"#T_SP=": "span", "#T_CH=": "chain", "#T_RL=": "relation"}
        while i < len(lines) and lines[i].strip():
            line = lines[i]
            kind = next((k for p, k in kinds.items() if line.startswith(p)), None)
            if kind is None or not line[6:].strip("|"):
                self.bad(i + 1, f"not a layer declaration (#T_SP=, #T_CH=, #T_RL=): {line[:80]!r}")
                return None
            self.columns.extend(_columns(kind, line[6:]))
            i += 1
        return i

    def body(self, lines: list[str], start: int) -> str | None:
        """Reads the sentences; returns the document text (or None when malformed)."""
        parts: list[str] = []
        units = 0  # the text's length so far, in UTF-16 code units
        sentence: list[str] = []  # #Text= lines of the sentence being read
        in_tokens = False
        width = 3 + len(self.columns)
        ok = True
        for number, line in enumerate(lines[start:], start + 1):
            if not line.strip():
                in_tokens = False
                continue
            if line.startswith("#"):
                if in_tokens:
                    self.bad(number, "a sentence header among token lines (a blank line missing?)")
                    ok = False
                    in_tokens = False
                if line.startswith("#Text="):
                    sentence.append(unescape_text(line[6:]))
                continue  # #Sentence.id= and the like
            fields = line.split("\t")
            if len(fields) == width + 1 and fields[-1] == "":
                fields.pop()  # the writer ends each token line with a TAB
            unit = UNIT_ID.match(fields[0])
            offsets = OFFSETS.match(fields[1]) if len(fields) > 1 else None
            if len(fields) != width or unit is None or offsets is None:
                self.bad(
                    number,
                    f"not a token line of this file's {len(self.columns)} annotation column(s): "
                    f"expected `sentence-token<TAB>begin-end<TAB>token` and {width - 3} more "
                    f"field(s), found {len(fields)} field(s) starting {line[:60]!r}",
                )
                ok = False
                continue
            if "" in fields[3:]:
                self.bad(
                    number,
                    f"annotation column {fields.index('', 3) - 2} is empty (a column holds `_` "
                    "for no annotation, `*` for one without a value, or values)",
                )
                ok = False
                continue
            begin, end = int(offsets["begin"]), int(offsets["end"])
            if begin > end:
                self.bad(number, f"token offsets {begin}-{end} end before they begin")
                ok = False
                continue
            if not in_tokens and unit["sub"] is None:  # the first token of a sentence
                if not sentence:
                    self.bad(number, "a token line before any #Text= line of its sentence")
                    ok = False
                    continue
                if units > begin:  # no gap: drop the previous sentence's line feed
                    if units != begin + 1 or not parts or not parts[-1].endswith("\n"):
                        self.bad(
                            number,
                            f"the sentence starts at {begin} (UTF-16 code units), inside the "
                            f"text before it (which ends at {units})",
                        )
                        ok = False
                        sentence = []
                        continue
                    parts[-1] = parts[-1][:-1]
                    units -= 1
                parts.append(" " * (begin - units))
                text = "".join(s + "\n" for s in sentence)
                parts.append(text)
                units = begin + utf16_length(text)
                sentence = []
                in_tokens = True
            elif not in_tokens:
                self.bad(number, "a sub-token line before its token")
                ok = False
                continue
            if fields[0] in self.units:
                self.bad(number, f"token {fields[0]} appears twice")
                ok = False
                continue
            # the writer prints a token's text as it is, unescaped (Tsv3XSerializer.write)
            current = Unit(fields[0], begin, end, number, fields[2])
            self.units[current.ident] = current
            if not self.annotations(current, fields[3:]):
                ok = False
        if sentence:
            self.bad(len(lines), "#Text= lines without token lines at the end of the file")
            ok = False
        if not self.units and ok:
            self.bad(len(lines), "no sentences: no #Text= line with token lines after it")
            ok = False
        if self.problems > MAX_PROBLEMS:
            self.findings.add(
                Code.IMPORT_MALFORMED,
                Where(self.display),
                f"{self.problems - MAX_PROBLEMS} more malformed line(s) not listed",
                HINT,
            )
        if parts and parts[-1].endswith("\n"):
            parts[-1] = parts[-1][:-1]  # the line feed after the last sentence ends no text
        return "".join(parts) if ok else None

    def annotations(self, unit: Unit, values: list[str]) -> bool:
        # a chain link's number names the link across tokens: read link columns first
        order = sorted(range(len(values)), key=lambda i: self.columns[i].role != "link")
        ok = True
        for i in order:
            col, raw = self.columns[i], values[i]
            if raw == "_":
                continue
            if col.role in ("slot-role", "slot-target"):
                self.slots += 1
                continue
            for k, value in enumerate(STACK.split(raw)):
                if not self.annotation(unit, col, k, value):
                    ok = False
        return ok

    def annotation(self, unit: Unit, col: Column, k: int, value: str) -> bool:
        ident: int | None = None
        link: tuple[int, int] | None = None
        ref = None
        if col.role == "base":
            ref = REF.match(value)
            if ref is None:
                self.bad(unit.line, f"{value!r} does not name a token (`sentence-token`)")
                return False
        elif col.role == "link" and (m := CHAIN_LINK.match(value)):
            value, link = m["value"], (int(m["chain"]), int(m["link"]))
        elif (m := DISAMBIGUATION.match(value)) and not value.endswith("\\]"):
            value, ident = m["value"], int(m["id"])
        ann = unit.anns.get((col.layer, k))
        if ann is None and col.kind == "chain" and link is not None:
            ann = self.links.get((col.layer, *link))
        elif ann is None and col.kind == "span" and ident is not None:
            ann = self.by_id.get((col.layer, ident))
        if ann is None:
            ann = Ann(col.layer, unit.begin, unit.end, unit.line)
            self.anns.append(ann)
        ann.begin, ann.end = min(ann.begin, unit.begin), max(ann.end, unit.end)
        unit.anns[(col.layer, k)] = ann
        if col.kind == "span" and ident is not None:
            self.by_id[(col.layer, ident)] = ann
        if link is not None:
            self.links[(col.layer, *link)] = ann
            ann.chain = link
        if col.role == "type" and ident is not None and ann.chain is None:
            ann.chain = (ident, 0)
        if ref is not None:
            src, tgt = int(ref["src"] or 0), int(ref["tgt"] or 0)
            ann.source, ann.target = (ref["unit"], src), (unit.ident, tgt)
        elif value != "*" and col.feature:
            ann.features[col.feature] = unescape_value(value)
        return True


def _base(columns: list[Column], layer: str) -> str:
    return next((c.feature[3:] for c in columns if c.layer == layer and c.role == "base"), "")


def read_tsv(raw: str, display: str, name: str, findings: Findings) -> SourceDoc | None:
    """One WebAnno TSV 3.x document."""
    lines = [line[:-1] if line.endswith("\r") else line for line in raw.split("\n")]
    p = _Parser(display, findings)
    start = p.header(lines)
    if start is None:
        return None
    text = p.body(lines, start)
    if text is None:
        return None
    doc = SourceDoc(name=name, text=text, where=Where(display))
    units = Utf16(text)
    ok = True
    for unit in p.units.values():  # every token's offsets against its own text
        where = Where(display, unit.line, f"token {unit.ident}")
        span = findings.from_utf16(units, unit.begin, unit.end, where, HINT)
        if span is None:
            ok = False
        elif text[span[0] : span[1]] != unit.covered:
            findings.add(
                Code.IMPORT_OFFSET_MISMATCH,
                where,
                f"the token column says {unit.covered!r}, the text rebuilt from the #Text= lines "
                f"has {text[span[0] : span[1]]!r} at {unit.begin}-{unit.end} (UTF-16 code units)",
                "the offsets and the sentence text disagree; nothing is re-anchored: fix the "
                "file and import again",
            )
            ok = False
    if not ok:
        return None
    _convert(p, doc, units, findings)
    return doc


def _convert(p: _Parser, doc: SourceDoc, units: Utf16, findings: Findings) -> None:
    display = doc.where.file
    span_ids: dict[int, str] = {}  # id(Ann) -> span id
    by_offsets: dict[tuple[int, int], str] = {}
    skipped: Counter[str] = Counter()
    empty = 0  # zero-length annotations (a zero-width sub-token): newsanno spans are not empty
    chains: dict[tuple[str, int], list[tuple[int, Ann]]] = {}
    relations: list[Ann] = []
    kinds = {c.layer: c.kind for c in p.columns}
    for n, ann in enumerate(p.anns, 1):
        kind = kinds[ann.layer]
        if kind == "relation":
            relations.append(ann)
            continue
        if kind == "chain":
            if ann.chain is not None:
                chains.setdefault((ann.layer, ann.chain[0]), []).append((ann.chain[1], ann))
            continue
        custom = ann.layer.startswith(CUSTOM)
        if ann.layer != NE and not custom:
            skipped[ann.layer] += 1
            continue
        start, end = units.to_codepoint(ann.begin), units.to_codepoint(ann.end)
        assert start is not None and end is not None  # token boundaries, checked above
        where = Where(display, ann.line)
        if start == end:
            empty += 1
            continue
        if ann.layer == NE:
            span = SpanAnn(
                f"t{n}", ann.features.get("value") or "NamedEntity", [(start, end)], where
            )
            match = WIKIDATA.match(ann.features.get("identifier", ""))
            if match:
                span.wikidata = match.group(1)
        else:
            span = SpanAnn(f"t{n}", _short(ann.layer), [(start, end)], where, dict(ann.features))
        doc.spans.append(span)
        span_ids[id(ann)] = span.id
        by_offsets.setdefault((start, end), span.id)
    for (layer, _chain), links in sorted(chains.items(), key=lambda c: (c[0][0], c[0][1])):
        members: list[str] = []
        for _, ann in sorted(links, key=lambda x: x[0]):
            start, end = units.to_codepoint(ann.begin), units.to_codepoint(ann.end)
            assert start is not None and end is not None
            if start == end:
                empty += 1
                continue
            ident = by_offsets.get((start, end))
            if ident is None:
                ident = f"t{p.anns.index(ann) + 1}"
                label = ann.features.get("referenceType") or _short(layer)
                doc.spans.append(SpanAnn(ident, label, [(start, end)], Where(display, ann.line)))
                by_offsets[(start, end)] = ident
            if ident not in members:
                members.append(ident)
        if len(members) > 1:
            doc.chains.append(members)
    for ann in relations:
        where = Where(display, ann.line)
        if not ann.layer.startswith(CUSTOM):
            skipped[ann.layer] += 1
            continue
        base = _base(p.columns, ann.layer)
        ends = [_end(p, base, ref) for ref in (ann.source, ann.target)]
        a, b = (span_ids.get(id(e)) if e is not None else None for e in ends)
        if a is None or b is None:
            findings.warn(
                Code.IMPORT_NOT_CARRIED,
                where,
                f"a {_short(ann.layer)} relation whose ends are not imported spans; left out",
            )
            continue
        label = next(iter(ann.features.values())) if len(ann.features) == 1 else _short(ann.layer)
        span_a, span_b = doc.span(a), doc.span(b)
        if label == SEGMENT and span_a is not None and span_b in doc.spans:
            assert span_b is not None
            span_a.segments = sorted(span_a.segments + span_b.segments)
            doc.spans.remove(span_b)
            continue
        doc.relations.append(Relation(f"r{len(doc.relations) + 1}", label, a, b, where))
    for layer, n in sorted(skipped.items()):
        findings.warn(
            Code.IMPORT_NOT_CARRIED,
            Where(display),
            f"{n} annotation(s) of layer {layer}: named entities, coreference chains and a "
            "project's own layers (webanno.custom.*) are imported, not DKPro Core's other layers",
        )
    if empty:
        findings.warn(
            Code.IMPORT_NOT_CARRIED,
            Where(display),
            f"{empty} zero-length annotation(s) (on a zero-width sub-token): a newsanno span "
            "covers at least one character",
        )
    if p.slots:
        findings.warn(
            Code.IMPORT_NOT_CARRIED,
            Where(display),
            f"{p.slots} slot feature value(s) (links from a span to others): not imported",
        )


def _end(p: _Parser, base: str, ref: tuple[str, int] | None) -> Ann | None:
    """The span annotation a relation's source or target names: by its disambiguation id, else
    the first annotation of the base layer on that token."""
    if ref is None:
        return None
    unit_id, ident = ref
    if ident:
        return p.by_id.get((base, ident))
    unit = p.units.get(unit_id)
    if unit is None:
        return None
    return next((a for (layer, _), a in sorted(unit.anns.items()) if layer == base), None)


def read(source: Path, findings: Findings, **_: object) -> list[SourceDoc]:
    """One ``.tsv`` file, or a folder of them (searched recursively: an INCEpTION project export
    unpacked, or a folder of per-document exports)."""
    if source.is_dir():
        paths = sorted(p for p in source.rglob("*.tsv") if p.is_file())
        if not paths:
            findings.add(Code.IMPORT_MALFORMED, Where(str(source)), "no .tsv files here")
    else:
        paths = [source]
    docs = []
    names: set[str] = set()
    for path in paths:
        display = str(path)
        try:
            raw = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            findings.add(Code.IMPORT_MALFORMED, Where(display), f"cannot read as UTF-8: {exc}")
            continue
        rel = path.relative_to(source) if source.is_dir() else Path(path.name)
        name = rel.with_suffix("").as_posix().replace("/", "-")
        while name in names:
            name += "-2"
        names.add(name)
        doc = read_tsv(raw, display, name, findings)
        if doc is not None:
            docs.append(doc)
    return docs
