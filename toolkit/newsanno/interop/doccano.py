"""doccano JSONL: one example per line, as doccano's export writes it (``Export Dataset`` → JSONL).

A sequence-labeling example is ``{"text": ..., "label": [[start, end, "LABEL"], ...]}``; with
relation labeling it is ``{"text": ..., "entities": [{"id", "start_offset", "end_offset",
"label"}], "relations": [{"id", "from_id", "to_id", "type"}]}`` (doccano's own examples,
``backend/data_export/pipeline/examples/``). Both are read; the second is written.

Offsets: doccano's annotation editor runs in the browser and counts UTF-16 code units
(doccano/doccano issue #2290: "label indices ... refer to positions in a sequence of 16-bit Unicode
code units"), unless the project was created with "Count grapheme clusters as one character",
which this module does not read. doccano's JSONL holds no span text, so the covered text cannot
be checked: a document whose text has characters where the units differ (outside the BMP) gets an
``import-unverified`` warning.
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

from newsanno.interop.ir import Findings, Relation, SourceDoc, SpanAnn, Where
from newsanno.interop.offsets import Utf16
from newsanno.model.findings import Code

SEGMENT = "Segment"


def _spans(record: dict[str, Any]) -> list[tuple[str, Any, Any, Any]] | None:
    """(id, start, end, label) of each span, from either layout; None when neither is there."""
    if isinstance(record.get("entities"), list):
        out = []
        for i, e in enumerate(record["entities"]):
            if not isinstance(e, dict):
                return None
            out.append(
                (
                    str(e.get("id", f"s{i}")),
                    e.get("start_offset"),
                    e.get("end_offset"),
                    e.get("label"),
                )
            )
        return out
    label = record.get("label", record.get("labels"))
    if isinstance(label, list):
        out = []
        for i, item in enumerate(label):
            if not (isinstance(item, list) and len(item) == 3):
                return None
            out.append((f"s{i + 1}", item[0], item[1], item[2]))
        return out
    return [] if "text" in record else None


def _example(record: Any, number: int, display: str, findings: Findings) -> SourceDoc | None:
    where = Where(display, number)
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        findings.add(
            Code.IMPORT_MALFORMED,
            where,
            "an example without a `text` string",
            "import text examples only",
        )
        return None
    text = record["text"]
    spans = _spans(record)
    if spans is None:
        findings.add(
            Code.IMPORT_MALFORMED,
            where,
            "spans are neither `label: [[start, end, label], ...]` nor `entities: [{id, "
            "start_offset, end_offset, label}, ...]`",
        )
        return None
    name = str(record.get("doc_id") or f"doccano-{record.get('id', number)}")
    doc = SourceDoc(name=name, text=text, where=where)
    units = Utf16(text)
    regions: dict[str, SpanAnn] = {}
    for ident, s16, e16, label in spans:
        at = Where(display, number, f"span {ident}")
        if not isinstance(s16, int) or not isinstance(e16, int) or not isinstance(label, str):
            findings.add(Code.IMPORT_MALFORMED, at, "a span needs integer offsets and a label")
            continue
        offsets = findings.from_utf16(units, s16, e16, at)
        if offsets is None:
            continue
        start, end = offsets
        if findings.check_span(text, start, end, None, at):
            regions[ident] = SpanAnn(ident, label, [(start, end)], at)
    if units.astral and regions:
        findings.warn(
            Code.IMPORT_UNVERIFIED,
            where,
            "the text has characters outside the BMP, where UTF-16 offsets and code points "
            "differ, and doccano gives no span text to check them against",
            "compare a few spans by eye; a project counting grapheme clusters is not supported",
        )
    for i, rel in enumerate(record.get("relations") or []):
        at = Where(display, number, f"relation {i + 1}")
        if not isinstance(rel, dict):
            findings.add(Code.IMPORT_MALFORMED, at, "a relation is not an object")
            continue
        a, b, label = str(rel.get("from_id")), str(rel.get("to_id")), str(rel.get("type", ""))
        if a not in regions or b not in regions:
            findings.add(
                Code.IMPORT_MALFORMED,
                at,
                f"a relation between {a} and {b}, which do not both exist",
            )
            continue
        if label == SEGMENT:
            regions[a].segments.extend(regions.pop(b).segments)
            continue
        doc.relations.append(Relation(f"{a}->{b}", label, a, b, at))
    doc.spans = list(regions.values())
    for span in doc.spans:
        span.segments.sort()
    return doc


def read(source: Path, findings: Findings, **_: object) -> list[SourceDoc]:
    """A doccano JSONL export (one example per line), or a JSON list of examples."""
    display = str(source)
    try:
        raw = source.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        findings.add(Code.IMPORT_MALFORMED, Where(display), f"cannot read as UTF-8: {exc}")
        return []
    records: list[tuple[int, Any]] = []
    try:  # a JSON list of examples, or one (pretty-printed) example
        whole = json.loads(raw)
        records = list(enumerate(whole, 1)) if isinstance(whole, list) else [(1, whole)]
    except ValueError:  # JSONL: one example per line
        bad = 0
        for number, line in enumerate(raw.split("\n"), 1):
            if not line.strip():
                continue
            try:
                records.append((number, json.loads(line)))
            except ValueError as exc:
                bad += 1
                if bad <= 10:
                    findings.add(
                        Code.IMPORT_MALFORMED,
                        Where(display, number),
                        f"not a JSON line: {exc}",
                        "doccano's JSONL export has one JSON object per line",
                    )
        if bad > 10:
            findings.add(
                Code.IMPORT_MALFORMED, Where(display), f"{bad - 10} more lines are not JSON"
            )
    docs = []
    for number, record in records:
        doc = _example(record, number, display, findings)
        if doc is not None:
            docs.append(doc)
    return docs


def _relate(relations: list[dict[str, Any]], a: int, b: int, label: str) -> None:
    relations.append({"id": len(relations) + 1, "from_id": a, "to_id": b, "type": label})


def write(docs: list[SourceDoc], folder: Path, findings: Findings) -> None:
    """``dataset.jsonl`` in doccano's relation-labeling layout (entities and relations)."""
    lost: dict[str, tuple[int, Where]] = {}

    def drop(what: str, where: Where) -> None:
        n, first = lost.get(what, (0, where))
        lost[what] = (n + 1, first)

    lines = []
    for n, doc in enumerate(docs, 1):
        units = Utf16(doc.text)
        entities: list[dict[str, Any]] = []
        relations: list[dict[str, Any]] = []
        first: dict[str, int] = {}

        for span in doc.spans:
            ids = []
            for s, e in span.segments:
                ids.append(len(entities) + 1)
                entities.append(
                    {
                        "id": ids[-1],
                        "label": span.label,
                        "start_offset": units.to_units(s),
                        "end_offset": units.to_units(e),
                    }
                )
            first[span.id] = ids[0]
            for other in ids[1:]:
                _relate(relations, ids[0], other, SEGMENT)
            if span.attributes:
                drop("span attributes (mention kind)", span.where)
            if span.notes:
                drop("notes", span.where)
            if span.wikidata:
                drop("Wikidata ids", span.where)
        for event in doc.events:
            for role, ref in event.arguments:
                _relate(relations, first[event.trigger], first[ref], role)
            if event.attributes:
                drop("event attributes (realis)", event.where)
            if event.notes:
                drop("notes", event.where)
        for rel in doc.relations:
            _relate(relations, first[rel.arg1], first[rel.arg2], rel.label)
        for chain in doc.chains:
            for a, b in pairwise(chain):
                _relate(relations, first[a], first[b], "Coreference")
        record = {
            "id": n,
            "text": doc.text,
            "doc_id": doc.name,
            "entities": entities,
            "relations": relations,
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    (folder / "dataset.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    for what, (count, where) in sorted(lost.items()):
        findings.warn(
            Code.EXPORT_NOT_CARRIED,
            where,
            f"not carried to doccano: {what} ({count}); doccano spans have a label and offsets only",
        )
