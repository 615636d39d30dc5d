"""From a validated newsanno corpus to the neutral form, for the writers.

Labels are chosen so that the default mapping reads them back: a mention is labelled with its
entity type (``PER``), a quote ``Quote.<type>``, a claim ``Claim.<type>``, a region
``Region.<kind>``, an event mention with its event type; mentions of one entity form a chain;
a quote's speaker mention is a ``Speaker`` relation. What no format here can hold is counted and
reported (``export-not-carried``), never dropped in silence.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from newsanno.interop.ir import EventAnn, Findings, Relation, SourceDoc, SpanAnn, Where
from newsanno.model import ARTICLE, Span
from newsanno.model.corpus import Corpus
from newsanno.model.findings import Code


def _seg(span: Any) -> tuple[int, int]:
    assert isinstance(span, Span) and span.start is not None and span.end is not None
    return (span.start, span.end)


def to_source(corpus: Corpus, findings: Findings) -> list[SourceDoc]:
    """Every document of ``corpus`` in the neutral form; what is left out is reported."""
    entities = {e.id: e for e in corpus.world.entities}
    events = {e.id: e for e in corpus.world.events}
    lost: Counter[str] = Counter()
    first: dict[str, Where] = {}

    def drop(what: str, where: Where, n: int = 1) -> None:
        if n:
            lost[what] += n
            first.setdefault(what, where)

    docs = []
    for loaded in corpus.documents:
        d = loaded.model
        where = Where(loaded.file)
        doc = SourceDoc(name=d.doc_id, text=loaded.text, where=where, language=d.metadata.language)
        notes = lambda item: [item.note] if item.note else []  # noqa: E731
        for r in d.regions:
            doc.spans.append(
                SpanAnn(r.id, f"Region.{r.kind}", [_seg(r.span)], where, notes=notes(r))
            )
        chains: dict[str, list[str]] = {}
        for m in d.mentions:
            entity = entities[m.entity]
            doc.spans.append(
                SpanAnn(
                    m.id,
                    entity.type,
                    [_seg(m.span)],
                    where,
                    attributes={"Kind": m.kind},
                    notes=notes(m),
                    wikidata=entity.wikidata,
                )
            )
            chains.setdefault(m.entity, []).append(m.id)
        doc.chains = [ids for ids in chains.values() if len(ids) > 1]
        for q in d.quotes:
            doc.spans.append(
                SpanAnn(
                    q.id, f"Quote.{q.type}", [_seg(s) for s in q.content], where, notes=notes(q)
                )
            )
            if q.cue is not None:
                drop("quote cues", where)
            if q.speaker_mention is not None:
                doc.relations.append(
                    Relation(f"{q.id}.speaker", "Speaker", q.id, q.speaker_mention, where)
                )
            elif q.speaker is not None:
                drop("quote speakers without a speaker mention", where)
            extra = [q.addressee, q.channel, q.platform, q.date, q.utterance, q.nested_in]
            drop("quote addressee/channel/platform/date/utterance/nesting", where, any(extra))
        for c in d.claims:
            doc.spans.append(
                SpanAnn(c.id, f"Claim.{c.type}", [_seg(c.span)], where, notes=notes(c))
            )
            drop("claimants other than the article", where, c.claimant != ARTICLE)
            drop("claim statements, checkworthy flags and quote links", where)
        for em in d.event_mentions:
            trigger = f"{em.id}.trigger"
            doc.spans.append(SpanAnn(trigger, events[em.event].type, [_seg(em.trigger)], where))
            arguments = [(a.role, a.mention) for a in em.arguments if a.mention is not None]
            drop("event arguments without a mention", where, len(em.arguments) - len(arguments))
            doc.events.append(
                EventAnn(
                    em.id,
                    events[em.event].type,
                    trigger,
                    [(role, ref) for role, ref in arguments if ref is not None],
                    where,
                    attributes={"Realis": em.realis},
                    notes=notes(em),
                )
            )
        docs.append(doc)
    world = corpus.world
    root = Where(str(corpus.root / "corpus.yaml") if corpus.root else "corpus.yaml")
    drop("entity names, aliases and descriptions (the world level)", root, len(world.entities))
    drop(
        "world events (date, place, participants; one per event mention instead)",
        root,
        len(world.events),
    )
    drop("utterances", root, len(world.utterances))
    for loaded in corpus.documents:
        meta = loaded.model.metadata
        extra = [meta.outlet, meta.title, meta.published, meta.url, meta.source, meta.note]
        drop("document metadata other than the language", Where(loaded.file), any(extra))
    for what, n in sorted(lost.items()):
        findings.warn(
            Code.EXPORT_NOT_CARRIED,
            first[what],
            f"not carried: {what} ({n})",
            "the target format has no place for it",
        )
    return docs
