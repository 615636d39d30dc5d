"""Label Studio JSON: the list of tasks its "JSON" export writes (and its import reads).

A task is ``{"id", "data": {"text": ...}, "annotations": [{"result": [...]}], "predictions":
[...]}``; a text region is a result of type ``labels`` whose ``value`` has ``start``, ``end``,
``text`` and ``labels``; a relation has type ``relation``, ``from_id``, ``to_id``, ``direction``
and ``labels``; per-region ``choices`` and ``textarea`` results carry the region's ``id``.

Offsets: Label Studio's editor runs in the browser and counts ``start``/``end`` in JavaScript
string indices, that is UTF-16 code units (HumanSignal/label-studio issue #1347: after an emoji
every span is off by one code point; issue #4988). They are converted here to code points, and
the region's ``text`` must equal the text at the converted offsets.
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from newsanno.interop.ir import EventAnn, Findings, Relation, SourceDoc, SpanAnn, Where
from newsanno.interop.offsets import Utf16
from newsanno.model.findings import Code

SEGMENT = "Segment"
"""The relation label that joins the segments of one quote (Label Studio regions are one span)."""


def _choose(task: dict[str, Any], annotator: str | None) -> tuple[list[Any] | None, str]:
    """The result list to import and what it is (annotation or prediction)."""
    annotations = [a for a in task.get("annotations") or [] if isinstance(a, dict)]
    if annotator is not None:
        for a in annotations:
            who = a.get("completed_by")
            names = (
                {str(who.get("id")), str(who.get("email"))} if isinstance(who, dict) else {str(who)}
            )
            if annotator in names:
                return a.get("result"), f"annotation {a.get('id')} by {annotator}"
        return None, f"no annotation by {annotator}"
    for a in annotations:
        if not a.get("was_cancelled"):
            return a.get("result"), f"annotation {a.get('id')}"
    predictions = [p for p in task.get("predictions") or [] if isinstance(p, dict)]
    if predictions:
        return predictions[0].get("result"), "prediction 1"
    return [], "no annotation"


def _task(
    task: Any, index: int, display: str, findings: Findings, annotator: str | None
) -> SourceDoc | None:
    if not isinstance(task, dict):
        findings.add(
            Code.IMPORT_MALFORMED, Where(display, 0, f"task #{index}"), "a task is not an object"
        )
        return None
    task_id = str(task.get("id", f"#{index}"))
    where = Where(display, 0, f"task {task_id}")
    data = task.get("data")
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str):
        findings.add(
            Code.IMPORT_MALFORMED,
            where,
            "the task has no `data.text` string",
            'import text tasks only (a <Text name=... value="$text"/> labeling config)',
        )
        return None
    result, what = _choose(task, annotator)
    if result is None:
        findings.warn(
            Code.IMPORT_NOT_CARRIED, where, f"{what}; the task is imported without annotations"
        )
        result = []
    if not isinstance(result, list):
        findings.add(Code.IMPORT_MALFORMED, where, f"the result of {what} is not a list")
        return None
    name = (
        str(data.get("doc_id") or f"task-{task_id}")
        if isinstance(data, dict)
        else f"task-{task_id}"
    )
    doc = SourceDoc(name=name, text=text, where=Where(display, 0, f"task {task_id}"))
    units = Utf16(text)
    regions: dict[str, SpanAnn] = {}
    per_region: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    skipped: dict[str, int] = {}
    for item in result:
        if not isinstance(item, dict):
            findings.add(Code.IMPORT_MALFORMED, where, "a result item is not an object")
            continue
        rid = str(item.get("id", ""))
        at = Where(display, 0, f"task {task_id}, result {rid}")
        kind = item.get("type")
        value = item.get("value")
        if kind == "relation":
            relations.append(item)
            continue
        if kind in ("choices", "textarea") and rid:
            per_region.append(item)
            continue
        if kind != "labels":
            skipped[str(kind)] = skipped.get(str(kind), 0) + 1
            continue
        if not isinstance(value, dict) or not isinstance(value.get("labels"), list):
            findings.add(Code.IMPORT_MALFORMED, at, "a labels result without value.labels")
            continue
        s16, e16 = value.get("start"), value.get("end")
        if not isinstance(s16, int) or not isinstance(e16, int):
            findings.add(
                Code.IMPORT_MALFORMED,
                at,
                "a labels result without integer value.start/value.end (a HyperText region?)",
                "only plain <Text> regions are imported",
            )
            continue
        offsets = findings.from_utf16(
            units, s16, e16, at, "check that the export belongs to this text"
        )
        if offsets is None:
            continue
        start, end = offsets
        covered = value.get("text")
        if not findings.check_span(
            text, start, end, covered if isinstance(covered, str) else None, at
        ):
            continue
        labels = [str(x) for x in value["labels"]]
        if not labels:
            findings.add(Code.IMPORT_MALFORMED, at, "a region without a label")
            continue
        if len(labels) > 1:
            findings.warn(
                Code.IMPORT_NOT_CARRIED,
                at,
                f"a region with {len(labels)} labels {labels}: newsanno keeps the first",
            )
        if rid in regions:
            findings.add(Code.IMPORT_MALFORMED, at, "two regions share this id")
            continue
        regions[rid] = SpanAnn(rid or f"r{len(regions) + 1}", labels[0], [(start, end)], at)
    for item in per_region:
        rid = str(item["id"])
        at = Where(display, 0, f"task {task_id}, result {rid}")
        region = regions.get(rid)
        raw = item.get("value")
        region_value: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if region is None:
            findings.warn(
                Code.IMPORT_NOT_CARRIED, at, f"a per-region {item.get('type')} of no text region"
            )
            continue
        if item.get("type") == "choices":
            choices = region_value.get("choices") or [""]
            region.attributes[str(item.get("from_name"))] = str(choices[0])
        else:
            texts = region_value.get("text") or []
            region.notes.extend(str(t) for t in (texts if isinstance(texts, list) else [texts]))
    for item in relations:
        a, b = str(item.get("from_id")), str(item.get("to_id"))
        at = Where(display, 0, f"task {task_id}, relation {a}->{b}")
        if a not in regions or b not in regions:
            findings.add(Code.IMPORT_MALFORMED, at, "a relation between regions that do not exist")
            continue
        if item.get("direction") == "left":
            a, b = b, a
        labels = item.get("labels") or [""]
        label = str(labels[0])
        if label == SEGMENT:
            regions[a].segments.extend(regions.pop(b).segments)
            continue
        doc.relations.append(Relation(f"{a}->{b}", label, a, b, at))
    for kind, n in sorted(skipped.items()):
        findings.warn(
            Code.IMPORT_NOT_CARRIED, where, f"{n} result(s) of type {kind!r}: not text regions"
        )
    doc.spans = list(regions.values())
    for span in doc.spans:
        span.segments.sort()
    return doc


def read(
    source: Path, findings: Findings, annotator: str | None = None, **_: object
) -> list[SourceDoc]:
    """A Label Studio JSON export: a list of tasks (or one task object)."""
    display = str(source)
    try:
        data = json.loads(source.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        findings.add(Code.IMPORT_MALFORMED, Where(display), f"not a JSON file: {exc}")
        return []
    tasks = data if isinstance(data, list) else [data]
    docs = []
    for i, task in enumerate(tasks, 1):
        doc = _task(task, i, display, findings, annotator)
        if doc is not None:
            docs.append(doc)
    return docs


def _region(rid: str, label: str, span: tuple[int, int], text: str, units: Utf16) -> dict[str, Any]:
    return {
        "id": rid,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {
            "start": units.to_units(span[0]),
            "end": units.to_units(span[1]),
            "text": text[span[0] : span[1]],
            "labels": [label],
        },
    }


def _relation(a: str, b: str, label: str) -> dict[str, Any]:
    return {"from_id": a, "to_id": b, "type": "relation", "direction": "right", "labels": [label]}


def write(docs: list[SourceDoc], folder: Path, findings: Findings) -> None:
    """``tasks.json`` (one task per document, the annotations as a prediction) and
    ``config.xml`` (a labeling config declaring every label, relation and choice used)."""
    tasks = []
    labels: set[str] = set()
    relation_labels: set[str] = set()
    choices: dict[str, set[str]] = {}
    wikidata: list[Where] = []
    for n, doc in enumerate(docs, 1):
        units = Utf16(doc.text)
        result: list[dict[str, Any]] = []
        first: dict[str, str] = {}
        anns: list[SpanAnn | EventAnn] = [*doc.spans, *doc.events]
        for ann in anns:
            if isinstance(ann, SpanAnn):
                labels.add(ann.label)
                rids = [ann.id if i == 0 else f"{ann.id}.{i}" for i in range(len(ann.segments))]
                for rid, seg in zip(rids, ann.segments, strict=True):
                    result.append(_region(rid, ann.label, seg, doc.text, units))
                for rid in rids[1:]:
                    result.append(_relation(rids[0], rid, SEGMENT))
                    relation_labels.add(SEGMENT)
                first[ann.id] = rids[0]
                rid = rids[0]
                seg = ann.segments[0]
                if ann.wikidata:
                    wikidata.append(ann.where)
            else:
                rid = first[ann.trigger]
                seg = next(s.segments[0] for s in doc.spans if s.id == ann.trigger)
                for role, ref in ann.arguments:
                    result.append(_relation(rid, first[ref], role))
                    relation_labels.add(role)
            for name, value in ann.attributes.items():
                choices.setdefault(name, set()).add(value)
                result.append(
                    {
                        "id": rid,
                        "from_name": name,
                        "to_name": "text",
                        "type": "choices",
                        "value": {
                            "start": units.to_units(seg[0]),
                            "end": units.to_units(seg[1]),
                            "choices": [value],
                        },
                    }
                )
            if ann.notes:
                result.append(
                    {
                        "id": rid,
                        "from_name": "note",
                        "to_name": "text",
                        "type": "textarea",
                        "value": {
                            "start": units.to_units(seg[0]),
                            "end": units.to_units(seg[1]),
                            "text": list(ann.notes),
                        },
                    }
                )
        for rel in doc.relations:
            result.append(_relation(first[rel.arg1], first[rel.arg2], rel.label))
            relation_labels.add(rel.label)
        for chain in doc.chains:
            for a, b in pairwise(chain):
                result.append(_relation(first[a], first[b], "Coreference"))
                relation_labels.add("Coreference")
        tasks.append(
            {
                "id": n,
                "data": {"text": doc.text, "doc_id": doc.name},
                "predictions": [{"model_version": "newsanno", "result": result}],
            }
        )
    if wikidata:
        findings.warn(
            Code.EXPORT_NOT_CARRIED,
            wikidata[0],
            f"not carried: Wikidata ids of {len(wikidata)} mention(s) (Label Studio regions "
            "have no normalization, unlike brat's and INCEpTION's entity linking)",
        )
    (folder / "tasks.json").write_text(
        json.dumps(tasks, ensure_ascii=False, indent=2) + "\n", encoding="utf-8", newline="\n"
    )
    lines = ["<View>", '  <Labels name="label" toName="text">']
    lines += [f"    <Label value={quoteattr(x)}/>" for x in sorted(labels)]
    lines += ["  </Labels>", '  <Text name="text" value="$text"/>', "  <Relations>"]
    lines += [f"    <Relation value={quoteattr(x)}/>" for x in sorted(relation_labels)]
    lines += ["  </Relations>"]
    for name, values in sorted(choices.items()):
        lines.append(f'  <Choices name={quoteattr(name)} toName="text" perRegion="true">')
        lines += [f"    <Choice value={quoteattr(v)}/>" for v in sorted(values)]
        lines.append("  </Choices>")
    lines.append('  <TextArea name="note" toName="text" perRegion="true"/>')
    lines.append("</View>")
    (folder / "config.xml").write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
