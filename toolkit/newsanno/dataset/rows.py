"""The row builders of the core tables: a validated corpus (spans resolved) turned into rows.

Each builder yields one dict per row, keyed by the columns of its table
(:data:`newsanno.dataset.tables.CORE_TABLES`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsanno.dataset.spec import Row
from newsanno.model import ARTICLE, Span, SpanRef

if TYPE_CHECKING:
    from newsanno.model.corpus import Corpus


def _span(ref: SpanRef) -> Span:
    if not isinstance(ref, Span) or ref.start is None or ref.end is None or ref.text is None:
        raise ValueError("export needs resolved spans (load the corpus with load_corpus)")
    return ref


def _span_values(s: Span) -> Row:
    """The columns of a resolved span: ``start``, ``end`` (exclusive) and ``text``."""
    return {"start": s.start, "end": s.end, "text": s.text}


def _docs(corpus: Corpus) -> Iterator[tuple[str, Any]]:
    for d in corpus.documents:
        yield d.model.doc_id, d.model


# --------------------------------------------------------------------------------------------
# Row builders: the world


def _corpus_rows(corpus: Corpus) -> Iterator[Row]:
    info = corpus.world.corpus
    yield {
        "corpus_id": info.id,
        "title": info.title,
        "description": info.description,
        "language": info.language,
        "license": info.license,
        "note": info.note,
        "schema_version": corpus.world.schema_version,
    }


def _entity_rows(corpus: Corpus) -> Iterator[Row]:
    for i, e in enumerate(corpus.world.entities):
        yield {
            "entity_id": e.id,
            "ordinal": i,
            "entity_type": e.type,
            "name": e.name,
            "wikidata_id": e.wikidata,
            "aliases": list(e.aliases),
            "description": e.description,
            "note": e.note,
        }


def _event_rows(corpus: Corpus) -> Iterator[Row]:
    for i, e in enumerate(corpus.world.events):
        yield {
            "event_id": e.id,
            "ordinal": i,
            "event_type": e.type,
            "date": e.date,
            "location_entity_id": e.place,
            "description": e.description,
            "note": e.note,
        }


def _participant_rows(corpus: Corpus) -> Iterator[Row]:
    for e in corpus.world.events:
        for i, p in enumerate(e.participants):
            yield {"event_id": e.id, "ordinal": i, "role": p.role, "entity_id": p.entity}


def _utterance_rows(corpus: Corpus) -> Iterator[Row]:
    for i, u in enumerate(corpus.world.utterances):
        yield {
            "utterance_id": u.id,
            "ordinal": i,
            "speaker_entity_id": u.speaker,
            "channel": u.channel,
            "platform_entity_id": u.platform,
            "date": u.date,
            "addressee_entity_id": u.addressee,
            "place_entity_id": u.place,
            "description": u.description,
            "note": u.note,
        }


# --------------------------------------------------------------------------------------------
# Row builders: the text


def _document_rows(corpus: Corpus) -> Iterator[Row]:
    root = corpus.root.resolve() if corpus.root is not None else None
    for d in corpus.documents:
        m, meta = d.model, d.model.metadata
        yield {
            "doc_id": m.doc_id,
            "outlet": meta.outlet,
            "title": meta.title,
            "published": meta.published,
            "language": meta.language,
            "url": meta.url,
            "source": meta.source,
            "note": meta.note,
            "text": d.text,
            "text_sha256": m.text_sha256,
            "text_path": m.text_path,
            "annotation_file": _relative(d.file, root),
            "annotation_line": d.line,
        }


def _relative(file: str, root: Path | None) -> str:
    """The annotation file relative to the corpus folder, so the export does not depend on cwd."""
    path = Path(file)
    if root is not None:
        try:
            return path.resolve().relative_to(root).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _region_rows(corpus: Corpus) -> Iterator[Row]:
    for doc_id, m in _docs(corpus):
        for i, r in enumerate(m.regions):
            s = _span(r.span)
            yield {
                "doc_id": doc_id,
                "region_id": r.id,
                "ordinal": i,
                "region_type": r.kind,
                **_span_values(s),
                "note": r.note,
            }


def _mention_rows(corpus: Corpus) -> Iterator[Row]:
    for doc_id, m in _docs(corpus):
        for i, x in enumerate(m.mentions):
            s = _span(x.span)
            yield {
                "doc_id": doc_id,
                "mention_id": x.id,
                "ordinal": i,
                "entity_id": x.entity,
                **_span_values(s),
                "mention_type": x.kind,
                "note": x.note,
            }


def _quote_rows(corpus: Corpus) -> Iterator[Row]:
    for doc_id, m in _docs(corpus):
        for i, q in enumerate(m.quotes):
            segments = [_span(c) for c in q.content]
            cue = _span(q.cue) if q.cue is not None else None
            yield {
                "doc_id": doc_id,
                "quote_id": q.id,
                "ordinal": i,
                "speaker_entity_id": q.speaker,
                "speaker_mention_id": q.speaker_mention,
                "quote_type": q.type,
                "start": min(s.start for s in segments if s.start is not None),
                "end": max(s.end for s in segments if s.end is not None),
                "text": " ".join(s.text for s in segments if s.text is not None),
                "segments": [_span_values(s) for s in segments],
                "cue_start": cue.start if cue else None,
                "cue_end": cue.end if cue else None,
                "cue_text": cue.text if cue else None,
                "addressee_entity_id": q.addressee,
                "channel": q.channel,
                "platform_entity_id": q.platform,
                "date": q.date,
                "utterance_id": q.utterance,
                "nested_in_quote_id": q.nested_in,
                "note": q.note,
            }


def _claim_rows(corpus: Corpus) -> Iterator[Row]:
    for doc_id, m in _docs(corpus):
        for i, c in enumerate(m.claims):
            s = _span(c.span)
            by_article = c.claimant == ARTICLE
            yield {
                "doc_id": doc_id,
                "claim_id": c.id,
                "ordinal": i,
                "claimant_kind": "article" if by_article else "entity",
                "claimant_entity_id": None if by_article else c.claimant,
                "quote_id": c.quote,
                **_span_values(s),
                "claim_type": c.type,
                "checkworthy": c.checkworthy,
                "statement": c.statement,
                "fact_check_url": c.fact_check.url if c.fact_check else None,
                "fact_checker": c.fact_check.fact_checker if c.fact_check else None,
                "fact_check_rating": c.fact_check.rating if c.fact_check else None,
                "note": c.note,
            }


def _event_mention_rows(corpus: Corpus) -> Iterator[Row]:
    for doc_id, m in _docs(corpus):
        for i, e in enumerate(m.event_mentions):
            s = _span(e.trigger)
            yield {
                "doc_id": doc_id,
                "event_mention_id": e.id,
                "ordinal": i,
                "event_id": e.event,
                **_span_values(s),
                "realis": e.realis,
                "note": e.note,
            }


def _argument_rows(corpus: Corpus) -> Iterator[Row]:
    for doc_id, m in _docs(corpus):
        for e in m.event_mentions:
            for i, a in enumerate(e.arguments):
                yield {
                    "doc_id": doc_id,
                    "event_mention_id": e.id,
                    "ordinal": i,
                    "event_id": e.event,
                    "role": a.role,
                    "entity_id": a.entity,
                    "mention_id": a.mention,
                }
