"""From the neutral form to a newsanno corpus folder (corpus.yaml, texts/, documents/*.yaml).

Every span is written with its text and its offsets in code points, so that the validator checks
both again. This module decides only *where* each annotation goes (by the mapping); whether the
result means something valid (types, roles, references) is decided by :func:`newsanno.validate`.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from newsanno.interop.ir import EventAnn, Findings, SourceDoc, SpanAnn, Where
from newsanno.interop.mapping import Mapping, SpanTarget, role_name
from newsanno.model import ARTICLE, DOC_ID_PATTERN, ID_PATTERN, SCHEMA_VERSION
from newsanno.model.findings import Code, Severity

_ID = re.compile(ID_PATTERN)
_DOC_ID = re.compile(DOC_ID_PATTERN)


def make_id(raw: str, taken: set[str], prefix: str = "x") -> str:
    """A newsanno id from a source id: unsafe characters become ``_``; a leading non-letter gets
    ``prefix``; a clash gets ``-2``, ``-3``."""
    base = re.sub(r"[^A-Za-z0-9_.-]", "_", raw)[:100] or prefix
    if not base[0].isalpha():
        base = prefix + base
    ident, n = base, 1
    while ident in taken:
        n += 1
        ident = f"{base}-{n}"
    assert _ID.match(ident), ident
    taken.add(ident)
    return ident


def make_doc_id(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:100].strip("._-") or "doc"
    if not base[0].isalnum():
        base = "d" + base
    ident, n = base, 1
    while ident in taken:
        n += 1
        ident = f"{base}-{n}"
    assert _DOC_ID.match(ident), ident
    taken.add(ident)
    return ident


@dataclass
class Unmapped:
    """Labels nothing maps: how often, and where first."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    first: dict[tuple[str, str], Where] = field(default_factory=dict)

    def add(self, kind: str, label: str, where: Where) -> None:
        self.counts[(kind, label)] += 1
        self.first.setdefault((kind, label), where)

    def report(self, findings: Findings, strict: bool) -> None:
        for (kind, label), n in sorted(self.counts.items()):
            findings.add(
                Code.IMPORT_UNMAPPED,
                self.first[(kind, label)],
                f"{kind} label {label!r} maps to nothing in newsanno: {n} annotation(s) "
                "not imported (this is the first)",
                f"map it in a --map file ({kind}s: {{{label}: ...}}; label mapping: "
                "docs/interop.md), or leave it out knowingly",
                Severity.ERROR if strict else Severity.WARNING,
            )


@dataclass
class Group:
    """Mentions of one document that one entity covers (a coreference chain, or one mention)."""

    doc: _Doc
    members: list[str]
    type: str | None
    name: str
    named: bool
    qids: set[str]
    where: Where


def entities(
    groups: list[Group], findings: Findings
) -> tuple[list[dict[str, Any]], dict[tuple[int, str], str]]:
    """One world entity per group; across the corpus, named groups of one type and spelling
    (ignoring case), or with one Wikidata id, are one entity: the importer's entity policy (brat
    and Label Studio know no entities beyond coreference). Two groups of one document are never
    joined by their name alone: the source kept them apart as two chains (the 2018 and the 2025
    "Trump administration" of one article, say), so they stay two entities, the second named
    with a ``[2]`` after it, since two world entities may not share a type and name."""
    parent = list(range(len(groups)))
    docs: list[set[int]] = [{id(g.doc)} for g in groups]

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[a] = b
            docs[b] |= docs[a]

    by_key: dict[tuple[Any, ...], list[int]] = {}
    for i, g in enumerate(groups):
        for q in g.qids:
            by_key.setdefault(("q", q), []).append(i)
            join(i, by_key[("q", q)][0])
    apart: dict[int, int] = {}  # group -> its number among same-named groups kept apart
    for i, g in enumerate(groups):
        if not g.named:
            continue
        seen = by_key.setdefault(("n", g.type, g.name.casefold()), [])
        for j in seen:
            if find(i) == find(j):
                break
            if not docs[find(i)] & docs[find(j)]:  # no document has both: one entity
                join(i, j)
                break
        else:
            if seen:
                apart[i] = len(seen) + 1
            seen.append(i)
    merged: dict[int, list[Group]] = {}
    numbers: dict[int, int] = {}  # component -> the number its name gets
    for i, g in enumerate(groups):
        merged.setdefault(find(i), []).append(g)
        if i in apart:
            numbers[find(i)] = min(numbers.get(find(i), apart[i]), apart[i])
    out: list[dict[str, Any]] = []
    entity_of: dict[tuple[int, str], str] = {}
    taken: set[str] = set()
    for root, parts in merged.items():
        head = parts[0]
        eid = make_id(
            f"e.{head.doc.doc_id}.{head.doc.mentions[head.members[0]]['id']}"[:120], taken, "e"
        )
        number = numbers.get(root, 0)
        name = f"{head.name} [{number}]" if number else head.name
        if number:
            findings.warn(
                Code.IMPORT_NOT_CARRIED,
                head.where,
                f"{head.name!r} names two coreference chains of one document; the second entity "
                f"is named {name!r} (rename it in corpus.yaml)",
            )
        entity: dict[str, Any] = {"id": eid, "type": head.type, "name": name}
        qids = sorted(set().union(*(g.qids for g in parts)))
        if qids:
            entity["wikidata"] = qids[0]
            if len(qids) > 1:
                findings.warn(
                    Code.IMPORT_NOT_CARRIED,
                    head.where,
                    f"one entity has several Wikidata ids {qids}; kept {qids[0]}",
                )
        types = {g.type for g in parts}
        if len(types) > 1:
            findings.warn(
                Code.IMPORT_NOT_CARRIED,
                head.where,
                f"mentions linked to one Wikidata id have entity types {sorted(map(str, types))}; "
                f"the entity is typed {head.type}",
            )
        out.append(entity)
        for g in parts:
            for m in g.members:
                entity_of[(id(g.doc), m)] = eid
    return out, entity_of


@dataclass
class Built:
    """What the conversion produced: the world and one document (with its text) per source doc."""

    world: dict[str, Any]
    documents: list[tuple[str, str, dict[str, Any]]]  # doc_id, text, document dict
    counts: Counter[str] = field(default_factory=Counter)


def _span(text: str, start: int, end: int) -> dict[str, Any]:
    return {"text": text[start:end], "start": start, "end": end}


def _note(notes: list[str]) -> str | None:
    return "; ".join(n for n in notes if n) or None


class _Doc:
    """The conversion of one source document."""

    def __init__(
        self, doc: SourceDoc, doc_id: str, mapping: Mapping, findings: Findings, un: Unmapped
    ) -> None:
        self.doc, self.doc_id, self.m, self.f, self.un = doc, doc_id, mapping, findings, un
        self.ids: set[str] = set()
        self.new_id: dict[str, str] = {}  # source id -> newsanno id
        self.layer: dict[str, str] = {}  # source span id -> layer it went to
        self.mentions: dict[str, dict[str, Any]] = {}
        self.mention_type: dict[str, str | None] = {}
        self.quotes: dict[str, dict[str, Any]] = {}
        self.claims: dict[str, dict[str, Any]] = {}
        self.regions: list[dict[str, Any]] = []
        self.event_mentions: dict[str, dict[str, Any]] = {}
        self.event_target: dict[str, Any] = {}
        self.world_events: list[dict[str, Any]] = []
        self.parent: dict[str, str] = {}

    # coreference groups (union-find over source span ids of mentions)
    def _find(self, x: str) -> str:
        while self.parent.get(x, x) != x:
            x = self.parent[x]
        return x

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            self.parent[rb] = ra

    def _id(self, source_id: str, prefix: str) -> str:
        ident = make_id(source_id, self.ids, prefix)
        self.new_id[source_id] = ident
        return ident

    def _attr(self, ann: SpanAnn | EventAnn, field_name: str) -> str | None:
        for name, value in ann.attributes.items():
            target = self.m.attributes.get(name)
            if target is None or target.field != field_name:
                continue
            if value == "":
                return target.value
            return target.values.get(value, value)
        return None

    def _unmapped_attrs(self, ann: SpanAnn | EventAnn, fields: set[str]) -> None:
        for name in ann.attributes:
            target = self.m.attributes.get(name)
            if target is None:
                self.un.add("attribute", name, ann.where)
            elif target.field not in fields:
                self.f.warn(
                    Code.IMPORT_NOT_CARRIED,
                    ann.where,
                    f"attribute {name!r} sets {target.field}, which a {type(ann).__name__} "
                    "of this layer does not have",
                )

    def spans(self, triggers: set[str]) -> None:
        text = self.doc.text
        for ann in sorted(self.doc.spans, key=lambda a: (a.segments[0], a.id)):
            if ann.id in triggers:
                continue
            target = self.m.spans.get(ann.label)
            if target is None:
                self.un.add("span", ann.label, ann.where)
                continue
            if len(ann.segments) > 1 and target.layer != "quote":
                self.f.warn(
                    Code.IMPORT_NOT_CARRIED,
                    ann.where,
                    f"a discontinuous {ann.label!r} span ({len(ann.segments)} fragments): only "
                    f"quotes have several segments in newsanno; this {target.layer} is left out",
                )
                continue
            start, end = ann.segments[0]
            note = _note(ann.notes)
            self.layer[ann.id] = target.layer
            if target.layer == "mention":
                self._unmapped_attrs(ann, {"kind"})
                mid = self._id(ann.id, "m")
                self.mentions[ann.id] = {
                    "id": mid,
                    "span": _span(text, start, end),
                    "entity": "",
                    "kind": self._attr(ann, "kind") or target.kind or "name",
                    "note": note,
                }
                self.mention_type[ann.id] = target.type
                self.parent.setdefault(ann.id, ann.id)
            elif target.layer == "quote":
                self._unmapped_attrs(ann, {"quote_type"})
                self.quotes[ann.id] = {
                    "id": self._id(ann.id, "q"),
                    "type": self._attr(ann, "quote_type") or target.type or "direct",
                    "content": [_span(text, s, e) for s, e in ann.segments],
                    "note": note,
                }
            elif target.layer == "claim":
                self._unmapped_attrs(ann, {"claim_type"})
                self.claims[ann.id] = {
                    "id": self._id(ann.id, "c"),
                    "span": _span(text, start, end),
                    "claimant": ARTICLE,
                    "type": self._attr(ann, "claim_type") or target.type or "other",
                    "checkworthy": True if target.checkworthy is None else target.checkworthy,
                    "statement": text[start:end],
                    "note": note,
                }
            elif target.layer == "region":
                self._unmapped_attrs(ann, {"kind"})
                self.regions.append(
                    {
                        "id": self._id(ann.id, "r"),
                        "span": _span(text, start, end),
                        "kind": self._attr(ann, "kind") or target.kind or "other",
                        "note": note,
                    }
                )
            else:  # an event trigger labelled with its type (Label Studio style)
                self._event(ann.id, ann, target, ann, target.type or ann.label, [])

    def _event(
        self,
        key: str,
        ann: SpanAnn | EventAnn,
        target: Any,
        trigger: SpanAnn,
        event_type: str,
        arguments: list[tuple[str, str]],
    ) -> None:
        self._unmapped_attrs(ann, {"realis", "event_type"})
        event_type = self._attr(ann, "event_type") or event_type
        if len(trigger.segments) > 1:
            self.f.warn(
                Code.IMPORT_NOT_CARRIED,
                ann.where,
                "a discontinuous event trigger: newsanno triggers are one span; left out",
            )
            return
        start, end = trigger.segments[0]
        ident = self._id(key, "ev")
        world_id = f"e.{self.doc_id}.{ident}"[:128]
        self.world_events.append({"id": world_id, "type": event_type})
        realis = self._attr(ann, "realis")
        notes = list(ann.notes) + (trigger.notes if trigger is not ann else [])
        if realis is None:
            realis = "actual"
            notes.append("realis not given in the source; imported as actual")
        self.event_mentions[key] = {
            "id": ident,
            "trigger": _span(self.doc.text, start, end),
            "event": world_id,
            "realis": realis,
            "arguments": [],
            "note": _note(notes),
        }
        self.event_target[key] = target
        for role, ref in arguments:
            self._argument(key, role, ref, ann.where)

    def _argument(self, key: str, role: str, ref: str, where: Where) -> None:
        if ref not in self.mentions:
            what = "an event" if any(e.id == ref for e in self.doc.events) else "no mention"
            self.f.warn(
                Code.IMPORT_NOT_CARRIED,
                where,
                f"argument {role} -> {ref} points to {what}: newsanno arguments are entities "
                "(through a mention); left out",
            )
            return
        self.event_mentions[key]["arguments"].append(
            {
                "role": role_name(role, self.event_target[key]),
                "entity": ref,  # resolved to the entity id once chains are known
                "mention": self.mentions[ref]["id"],
            }
        )

    def events(self) -> None:
        for ev in self.doc.events:
            target = self.m.events.get(ev.label)
            trigger = self.doc.span(ev.trigger)
            if trigger is None:
                self.f.add(
                    Code.IMPORT_MALFORMED, ev.where, f"event trigger {ev.trigger} does not exist"
                )
                continue
            if target is None:
                self.un.add("event", ev.label, ev.where)
                continue
            self._event(ev.id, ev, target, trigger, target.type, ev.arguments)

    def relations(self) -> None:
        known = {s.id for s in self.doc.spans} | {e.id for e in self.doc.events}
        for rel in self.doc.relations:
            kind = self.m.relations.get(rel.label)
            a, b = rel.arg1, rel.arg2
            missing = [x for x in (a, b) if x not in known]
            if missing:
                self.f.add(
                    Code.IMPORT_MALFORMED,
                    rel.where,
                    f"relation {rel.label!r} names {', '.join(missing)}, which does not exist",
                )
                continue
            if kind is None and a in self.event_mentions:
                self._argument(a, rel.label, b, rel.where)  # Label Studio: trigger -> argument
                continue
            if kind is None:
                self.un.add("relation", rel.label, rel.where)
                continue
            if kind == "coreference":
                if a in self.mentions and b in self.mentions:
                    self._union(a, b)
                    continue
            elif kind in ("speaker", "claimant"):
                owner = self.quotes if kind == "speaker" else self.claims
                if b in owner and a in self.mentions:
                    a, b = b, a
                if a in owner and b in self.mentions:
                    if kind == "speaker":
                        owner[a]["speaker"] = b
                        owner[a]["speaker_mention"] = self.mentions[b]["id"]
                    else:
                        owner[a]["claimant"] = b
                    if rel.notes:
                        owner[a]["note"] = _note([owner[a]["note"] or "", *rel.notes])
                    continue
            layers = (self.layer.get(rel.arg1, "nothing"), self.layer.get(rel.arg2, "nothing"))
            self.f.warn(
                Code.IMPORT_NOT_CARRIED,
                rel.where,
                f"relation {rel.label!r} ({kind}) links a {layers[0]} and a {layers[1]}; "
                "newsanno has no such link; left out",
            )
        for chain in self.doc.chains:
            members = [x for x in chain if x in self.mentions]
            for other in members[1:]:
                self._union(members[0], other)

    def groups(self) -> list[Group]:
        """The mentions of this document grouped by coreference, one group per entity so far."""
        members_of: dict[str, list[str]] = {}
        for sid in self.mentions:
            members_of.setdefault(self._find(sid), []).append(sid)
        out = []
        for members in members_of.values():
            first = members[0]
            named = [m for m in members if self.mentions[m]["kind"] == "name"]
            rep = (named or members)[0]
            types = Counter(self.mention_type[m] for m in members)
            etype = self.mention_type[first]
            where = self.doc.span(first).where  # type: ignore[union-attr]
            if len(types) > 1:
                self.f.warn(
                    Code.IMPORT_NOT_CARRIED,
                    where,
                    f"one coreference chain mixes entity types {sorted(map(str, types))}; its "
                    f"entity is typed {etype}",
                )
            text = self.mentions[rep]["span"]["text"]
            name = text if named else f"{text} [{self.doc_id} {self.mentions[rep]['id']}]"
            qids = {s.wikidata for m in members if (s := self.doc.span(m)) and s.wikidata}
            out.append(Group(self, members, etype, name, bool(named), qids, where))
        return out

    def resolve(self, entity_of: dict[tuple[int, str], str]) -> None:
        """Fill in the entity ids of mentions, speakers, claimants and arguments."""
        me = id(self)
        for sid, mention in self.mentions.items():
            mention["entity"] = entity_of[(me, sid)]
        for quote in self.quotes.values():
            if "speaker" in quote:
                quote["speaker"] = entity_of[(me, quote["speaker"])]
        for claim in self.claims.values():
            if claim["claimant"] != ARTICLE:
                claim["claimant"] = entity_of[(me, claim["claimant"])]
        for em in self.event_mentions.values():
            for arg in em["arguments"]:
                arg["entity"] = entity_of[(me, arg["entity"])]

    def document(self, language: str) -> dict[str, Any]:
        def clean(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{k: v for k, v in item.items() if v is not None and v != []} for item in items]

        def key(item: dict[str, Any]) -> tuple[int, int]:
            span = item.get("span") or item.get("trigger") or item["content"][0]
            return (span["start"], span["end"])

        doc: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "doc_id": self.doc_id,
            "text_path": f"texts/{self.doc_id}.txt",
            "text_sha256": hashlib.sha256(self.doc.text.encode("utf-8")).hexdigest(),
            "metadata": {"language": language, "source": str(self.doc.where.file)},
        }
        for name, items in (
            ("regions", self.regions),
            ("mentions", list(self.mentions.values())),
            ("quotes", list(self.quotes.values())),
            ("claims", list(self.claims.values())),
            ("event_mentions", list(self.event_mentions.values())),
        ):
            if items:
                doc[name] = clean(sorted(items, key=key))
        return doc


def build(
    docs: list[SourceDoc],
    mapping: Mapping,
    findings: Findings,
    *,
    corpus_id: str,
    title: str,
    description: str,
    language: str | None,
    strict: bool,
) -> Built:
    """Convert the source documents; unmapped labels and what cannot be carried are findings."""
    un = Unmapped()
    doc_ids: set[str] = set()
    events: list[dict[str, Any]] = []
    convs = []
    groups: list[Group] = []
    for doc in docs:
        conv = _Doc(doc, make_doc_id(doc.name, doc_ids), mapping, findings, un)
        conv.spans({e.trigger for e in doc.events})
        conv.events()
        conv.relations()
        groups.extend(conv.groups())
        events.extend(conv.world_events)
        convs.append(conv)
    world_entities, entity_of = entities(groups, findings)
    documents = []
    counts: Counter[str] = Counter()
    for conv in convs:
        conv.resolve(entity_of)
        lang = conv.doc.language or language or "und"
        body = conv.document(lang)
        for layer in ("regions", "mentions", "quotes", "claims", "event_mentions"):
            counts[layer] += len(body.get(layer, []))
        documents.append((conv.doc_id, conv.doc.text, body))
    un.report(findings, strict)
    counts["documents"] = len(documents)
    counts["entities"] = len(world_entities)
    world = {
        "schema_version": SCHEMA_VERSION,
        "corpus": {
            "id": make_doc_id(corpus_id, set()),
            "title": title,
            "description": description,
            "language": language or "und",
        },
        "entities": world_entities,
        "events": events,
        "utterances": [],
    }
    return Built(world, documents, counts)


def _quoted(node: Any) -> Any:
    """Every string value double-quoted, so no YAML 1.1 reader takes `no` or `012` otherwise."""
    if isinstance(node, dict):
        return {k: _quoted(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_quoted(v) for v in node]
    if isinstance(node, str):
        return DoubleQuotedScalarString(node)
    return node


def dump_yaml(data: dict[str, Any]) -> str:
    yaml = YAML(typ="rt", pure=True)
    yaml.width = 100
    yaml.allow_unicode = True
    buf = io.StringIO()
    yaml.dump(_quoted(data), buf)
    return buf.getvalue()


def write(built: Built, folder: Path) -> None:
    """Write the corpus folder (texts byte for byte in UTF-8)."""
    (folder / "texts").mkdir()
    (folder / "documents").mkdir()
    (folder / "corpus.yaml").write_text(dump_yaml(built.world), encoding="utf-8", newline="\n")
    for doc_id, text, body in built.documents:
        (folder / "texts" / f"{doc_id}.txt").write_bytes(text.encode("utf-8"))
        (folder / "documents" / f"{doc_id}.yaml").write_text(
            dump_yaml(body), encoding="utf-8", newline="\n"
        )


__all__ = ["Built", "SpanTarget", "build", "make_id", "write"]
