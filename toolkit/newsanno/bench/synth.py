"""A deterministic synthetic news corpus for ``newsanno bench`` and the bulk tests.

It looks like machine-made annotation of real news: about 4,000 characters and 80 annotations per
document across all layers (regions, name/nominal/pronoun mentions, direct quotes split by a cue,
mixed and indirect quotes, claims, event mentions with arguments), curly quotes, dashes and
non-ASCII names. Every document is valid and lint-free, with explicit offsets on every span.
The same seed gives the same bytes.

A :class:`Mix` adds what real corpora also hold, each on a share of the documents: nested quotes
(a quote inside a direct quote's segment, ``nested_in``), spans given by offsets alone (no
``text``), a large world (entities whose names never occur in the texts, so that every name costs
the lint's search) and lines with errors. :data:`REALISTIC` is the mix the bench reports.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from newsanno.bench.vocabulary import (
    _ADJ,
    _FILLER,
    _FRAGMENTS,
    _NOUNS,
    _OUTLETS,
    _QUOTES,
    _STATEMENTS,
    _TRIGGERS,
    _VERBS,
    _WEEKDAYS,
)
from newsanno.bench.world import World as World
from newsanno.bench.world import make_world as make_world
from newsanno.bench.world import write_world as write_world
from newsanno.model.ontology import load_ontology


@dataclass(frozen=True)
class Mix:
    """What the synthetic corpus holds beyond the clean, easy case (shares of the documents)."""

    nested: float = 0.0
    """Documents with a nested quote: words another person said, quoted inside a direct quote."""
    offsets_only: float = 0.0
    """Documents whose quote segments and cues are given as ``start``/``end`` alone."""
    world_names: int = 0
    """Entities added to the world (about 45 otherwise); their names never occur in the texts."""
    bad: float = 0.0
    """Lines with one error each: an unknown field, a span off by one, a dangling entity, a
    value outside its vocabulary, or a line that is not JSON (:func:`damage`)."""

    def label(self) -> str:
        parts = [
            f"nested {self.nested:.0%}" if self.nested else "",
            f"offsets-only {self.offsets_only:.0%}" if self.offsets_only else "",
            f"world +{self.world_names:,} names" if self.world_names else "",
            f"bad lines {self.bad:.0%}" if self.bad else "",
        ]
        return ", ".join(p for p in parts if p) or "clean"


CLEAN = Mix()
REALISTIC = Mix(nested=0.10, offsets_only=0.25, world_names=10_000, bad=0.05)
"""Nested quotes in 10% of documents, offset-only segments in 25%, a world of 10,000 more names,
and 5% of lines with an error."""


class _Doc:
    """Builds one document: text and annotations with exact code-point offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.regions: list[dict[str, Any]] = []
        self.mentions: list[dict[str, Any]] = []
        self.quotes: list[dict[str, Any]] = []
        self.claims: list[dict[str, Any]] = []
        self.event_mentions: list[dict[str, Any]] = []

    def add(self, s: str) -> dict[str, Any]:
        span = {"start": self.size, "end": self.size + len(s), "text": s}
        self.parts.append(s)
        self.size += len(s)
        return span

    def since(self, start: int) -> dict[str, Any]:
        """The span from ``start`` to the end so far."""
        text = "".join(self.parts)[start:]
        return {"start": start, "end": self.size, "text": text}

    def mention(self, s: str, entity: str, kind: str = "name") -> str:
        ident = f"m{len(self.mentions) + 1}"
        self.mentions.append({"id": ident, "span": self.add(s), "entity": entity, "kind": kind})
        return ident


def _paragraph(doc: _Doc, world: World, rng: random.Random, cast: dict[str, Any]) -> None:
    kind = rng.choices(range(5), weights=(3, 3, 2, 1, 2))[0]
    person = rng.choice(cast["persons"])
    pid, name, surname = person
    if kind == 0 and world.utterances_by_speaker.get(pid):  # direct quote in two segments + claim
        doc.add("“")
        seg1 = doc.add(rng.choice(_QUOTES))
        doc.add(",” ")
        m = doc.mention(name if rng.random() < 0.5 else surname, pid)
        doc.add(" ")
        cue = doc.add("said")
        doc.add(". “")
        inner = None
        if cast.get("nest"):  # words another person said, quoted inside this quote
            cast["nest"] = False
            at = doc.size
            other = next(p for p in cast["persons"] if p[0] != pid)
            doc.add(f"{rng.choice(_QUOTES)}, and ")
            doc.mention(other[2], other[0])
            doc.add(" told me ‘")
            inner = (doc.add(rng.choice(_FRAGMENTS)), other[0])
            doc.add("’")
            seg2 = doc.since(at)
        else:
            seg2 = doc.add(rng.choice(_QUOTES))
        doc.add(".” ")
        qid = f"q{len(doc.quotes) + 1}"
        doc.quotes.append(
            {
                "id": qid,
                "type": "direct",
                "content": [seg1, seg2],
                "cue": cue,
                "speaker": pid,
                "speaker_mention": m,
                "utterance": rng.choice(world.utterances_by_speaker[pid]),
            }
        )
        if inner is not None:
            doc.quotes.append(
                {
                    "id": f"q{len(doc.quotes) + 1}",
                    "type": "direct",
                    "content": [inner[0]],
                    "speaker": inner[1],
                    "nested_in": qid,
                }
            )
        doc.claims.append(
            {
                "id": f"c{len(doc.claims) + 1}",
                "span": seg2,
                "claimant": pid,
                "quote": qid,
                "type": rng.choice(("characterisation", "prediction", "event_fact")),
                "checkworthy": rng.random() < 0.5,
                "statement": f"{name} said: {seg2['text']}.",
            }
        )
    elif kind == 1:  # an event mention with arguments, reported by someone
        eid, etype = rng.choice(world.events)
        org_id, org_name = rng.choice(cast["orgs"])
        target = rng.choice(cast["persons"])
        city_id, city = rng.choice(cast["cities"])
        roles = load_ontology().roles_for(etype)
        m_org = doc.mention(org_name, org_id)
        doc.add(" ")
        trigger = doc.add(_TRIGGERS[etype])
        doc.add(" ")
        m_target = doc.mention(target[1], target[0])
        doc.add(" in ")
        m_city = doc.mention(city, city_id)
        doc.add(f" on {rng.choice(_WEEKDAYS)}, ")
        cue = doc.add("according to")
        doc.add(" ")
        m_src = doc.mention(surname, pid)
        doc.add(", who ")
        content = doc.add(f"said the {rng.choice(_NOUNS)} would {rng.choice(_VERBS)} the process")
        doc.add(". ")
        doc.event_mentions.append(
            {
                "id": f"ev{len(doc.event_mentions) + 1}",
                "trigger": trigger,
                "event": eid,
                "realis": "actual",
                "arguments": [
                    {"role": roles[0], "entity": org_id, "mention": m_org},
                    {"role": roles[1] if len(roles) > 2 else roles[0], "entity": target[0]},
                    {"role": "Place", "entity": city_id, "mention": m_city},
                ],
            }
        )
        doc.quotes.append(
            {
                "id": f"q{len(doc.quotes) + 1}",
                "type": "indirect",
                "content": [content],
                "cue": cue,
                "speaker": pid,
                "speaker_mention": m_src,
            }
        )
        del m_target
    elif kind == 2:  # a mixed quote with a fragment
        doc.mention(name, pid)
        doc.add(" described the ")
        doc.add(f"{rng.choice(_ADJ)} {rng.choice(_NOUNS)} as “")
        frag = doc.add(rng.choice(_FRAGMENTS))
        doc.add("” — and ")
        doc.mention("she" if rng.random() < 0.5 else "he", pid, "pronoun")
        doc.add(" repeated the point on ")
        outlet_id, outlet_name = cast["outlets"][0]
        doc.mention(outlet_name, outlet_id)
        doc.add("’s programme. ")
        doc.quotes.append(
            {"id": f"q{len(doc.quotes) + 1}", "type": "mixed", "content": [frag], "speaker": pid}
        )
    elif kind == 3:  # a statistic the article itself claims
        doc.add("According to figures released in ")
        doc.mention(rng.choice(cast["cities"])[1], rng.choice(cast["cities"])[0])
        doc.add(", ")
        statement = rng.choice(_STATEMENTS).format(n=rng.randint(1_000, 250_000))
        span = doc.add(statement)
        doc.add(". ")
        doc.claims.append(
            {
                "id": f"c{len(doc.claims) + 1}",
                "span": span,
                "claimant": "article",
                "type": "statistic",
                "checkworthy": True,
                "statement": statement[0].upper() + statement[1:] + ".",
            }
        )
    else:  # nominal mentions and filler
        doc.add("The ")
        org_id, org_name = rng.choice(cast["orgs"])
        doc.mention("organisation", org_id, "nominal")
        doc.add(" behind the ")
        doc.add(f"{rng.choice(_NOUNS)}, ")
        doc.mention(org_name, org_id)
        doc.add(", said ")
        doc.mention(surname, pid)
        doc.add(" had been consulted. ")
    if rng.random() < 0.25:
        doc.add(rng.choice(_FILLER))


def make_document(
    world: World, index: int, seed: int = 0, size: int = 3_700, mix: Mix = CLEAN
) -> dict[str, Any]:
    """Document number ``index``: a JSONL-ready dict with inline text and explicit offsets.

    ``size`` is roughly the length of the text in characters.
    """
    rng = random.Random(seed * 1_000_003 + index)
    features = random.Random(seed * 7_919 + index)  # apart, so the clean documents stay the same
    doc = _Doc()
    outlet = rng.choice(world.outlets)
    cast = {
        "persons": rng.sample(world.persons, 6),
        "orgs": rng.sample(world.orgs, 2),
        "cities": [rng.choice(world.cities)],
        "outlets": [(outlet, _OUTLETS[int(outlet.rsplit("_", 1)[1])])],
        "nest": features.random() < mix.nested,
    }
    heading = doc.add(f"{rng.choice(_ADJ).capitalize()} {rng.choice(_NOUNS)} faces scrutiny")
    doc.add("\n")
    credit = doc.add("Photo: staff photographer/archive")
    doc.add("\n\n")
    doc.regions += [
        {"id": "r1", "span": heading, "kind": "heading"},
        {"id": "r2", "span": credit, "kind": "photo_credit"},
    ]
    while doc.size < size:
        _paragraph(doc, world, rng, cast)
        if rng.random() < 0.3:
            doc.add("\n\n")
        else:
            doc.add(" ")
    doc.add("\n\n")
    tail = doc.add("Read the full article here")
    doc.add("\n")
    doc.regions.append({"id": "r3", "span": tail, "kind": "boilerplate"})
    text = "".join(doc.parts)
    if features.random() < mix.offsets_only:
        for q in doc.quotes:
            q["content"] = [{"start": g["start"], "end": g["end"]} for g in q["content"]]
            if "cue" in q:
                q["cue"] = {"start": q["cue"]["start"], "end": q["cue"]["end"]}
    return {
        "schema_version": "1.0",
        "doc_id": f"doc-{index:08d}",
        "text": text,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "metadata": {
            "outlet": outlet,
            "title": text[heading["start"] : heading["end"]],
            "published": f"2025-{1 + index % 12:02d}-{1 + index % 28:02d}",
            "language": "en",
            "url": f"https://news.example.org/{index}",
        },
        "regions": doc.regions,
        "mentions": doc.mentions,
        "quotes": doc.quotes,
        "claims": doc.claims,
        "event_mentions": doc.event_mentions,
    }


DAMAGE_KINDS = 5
"""The kinds of error :func:`damage` makes, one per bad line, in turn."""


def damage(doc: dict[str, Any], kind: int) -> None:
    """One error in ``doc``, of one of the kinds real corpora hold (``kind`` modulo
    :data:`DAMAGE_KINDS`): a field the schema does not know (structure), a mention span off by
    one (an anchor), a mention of an entity that does not exist (a dangling reference), a value
    outside its vocabulary (an enum), or, in :func:`document_lines`, a line that is not JSON (a
    comma left out). Here the last changes nothing."""
    kind %= DAMAGE_KINDS
    if kind == 0:
        doc["metadata"]["editor"] = "unknown field"
    elif kind == 1:
        span = doc["mentions"][0]["span"]
        doc["mentions"][0]["span"] = {**span, "start": span["start"] + 1, "end": span["end"] + 1}
    elif kind == 2:
        doc["mentions"][-1]["entity"] = "per_missing"
    elif kind == 3:
        doc["mentions"][0]["kind"] = "proper"


_BROKEN = b'{"schema_version":"1.0" "doc_id"'
"""How a line :func:`_broken` made starts."""


def _broken(line: bytes) -> bytes:
    """The line with the comma after its first value left out: a JSON syntax error."""
    return line.replace(b'","doc_id"', b'" "doc_id"', 1)


def document_lines(
    world: World, start: int, stop: int, seed: int = 0, mix: Mix = CLEAN
) -> Iterator[bytes]:
    """JSONL lines (with the newline) of documents ``start`` to ``stop - 1``.

    With ``mix.bad``, exactly that share of the lines is bad (to one line, over any run of
    lines), spread evenly from a seeded phase, and the kinds of error come in turn: a share
    drawn line by line strayed by a third at the bench's 2,000 documents (6.5% for 5%)."""
    phase = random.Random(seed * 104_729).random()
    for i in range(start, stop):
        doc = make_document(world, i, seed, mix=mix)
        broken = False
        if mix.bad and int((i + 1) * mix.bad + phase) > int(i * mix.bad + phase):
            kind = int(i * mix.bad + phase)  # (the how-many-th bad line this is)
            damage(doc, kind)
            broken = kind % DAMAGE_KINDS == DAMAGE_KINDS - 1
        line = orjson.dumps(doc)
        yield (_broken(line) if broken else line) + b"\n"


def write_corpus(
    folder: Path,
    docs: int,
    *,
    seed: int = 0,
    per_shard: int = 5_000,
    mix: Mix = CLEAN,
    yaml_world: bool = False,
) -> tuple[int, int]:
    """Write ``corpus.yaml`` and ``shards/part-NNNNN.jsonl``; return (documents, annotations):
    the documents are the lines that are JSON (see :func:`damage`)."""
    world = make_world(seed, mix.world_names)
    folder.mkdir(parents=True, exist_ok=True)
    write_world(folder, world, yaml=yaml_world)
    shards = folder / "shards"
    shards.mkdir(exist_ok=True)
    annotations = 0
    for n, start in enumerate(range(0, docs, per_shard)):
        stop = min(docs, start + per_shard)
        with (shards / f"part-{n:05d}.jsonl").open("wb") as out:
            for line in document_lines(world, start, stop, seed, mix):
                annotations += line.count(b'"id":')
                out.write(line)
                docs -= line.startswith(_BROKEN)
    return docs, annotations
