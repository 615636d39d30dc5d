"""Stage 4 and 5 of validation over the model: the world's meaning checks, anchors, and lints.

The world (``corpus.yaml``) is checked here: ids unique across kinds, no entity twice, its
references resolve (through the one reference rule, :mod:`newsanno.rules.world`). A document's
anchors are resolved here (each to exactly one place in its text). A document's other meaning
rules (ids, duplicates, references, consistency, roles) are in :mod:`newsanno.rules.meaning`,
written once over columns. Lints are warnings: quotation marks that no quote covers, event
arguments named in another sentence, and known names of entities without a mention.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from newsanno.model import ARTICLE, LAYERS, CorpusFile, DocumentFile, Span, SpanRef
from newsanno.model.findings import Code, Severity
from newsanno.read.anchors import AnchorProblem, moved, offset_problem, search
from newsanno.read.parse import Path_, untrim
from newsanno.rules.columns import offsets_hold
from newsanno.rules.lints import argument_outside_sentence, unannotated_names, unquoted_pairs
from newsanno.rules.world import World

__all__ = ["World", "check_world", "lint_document", "resolve_spans", "span_fields"]

Emit = Callable[..., None]
"""``emit(path, code, message, hint, severity=Severity.ERROR)``"""


# --------------------------------------------------------------------------------------------
# The world


def check_world(corpus: CorpusFile, emit: Emit) -> World:
    """Meaning checks of ``corpus.yaml``."""
    world = World()
    seen: dict[str, str] = {}
    for layer in ("entities", "events", "utterances"):
        for i, item in enumerate(getattr(corpus, layer)):
            if item.id == ARTICLE:
                emit(
                    (layer, i, "id"),
                    Code.RESERVED_ID,
                    f"`{ARTICLE}` is reserved for claims the article makes",
                    "choose another id",
                )
            if item.id in seen:
                emit(
                    (layer, i, "id"),
                    Code.ID_DUPLICATE,
                    f"id `{item.id}` is used twice ({seen[item.id]})",
                    "world ids are unique across entities, events and utterances; rename one",
                )
                continue
            seen[item.id] = f"first in {layer}"
            getattr(world, layer)[item.id] = item
    by_qid: dict[str, str] = {}
    by_name: dict[tuple[str, str], str] = {}
    for i, ent in enumerate(corpus.entities):
        if ent.wikidata and ent.wikidata in by_qid:
            emit(
                ("entities", i, "wikidata"),
                Code.ANNOTATION_DUPLICATE,
                f"`{ent.id}` and `{by_qid[ent.wikidata]}` share Wikidata id {ent.wikidata}",
                "one real-world entity is one entity: merge them and keep the names as aliases",
            )
        by_qid.setdefault(ent.wikidata or "", ent.id)
        key = (ent.type, ent.name.casefold())
        if key in by_name:
            emit(
                ("entities", i, "name"),
                Code.ANNOTATION_DUPLICATE,
                f"`{ent.id}` and `{by_name[key]}` are both {ent.type} named {ent.name!r}",
                "merge them, or tell them apart in `name`",
            )
        by_name.setdefault(key, ent.id)
        for j, alias in enumerate(ent.aliases):
            if alias == ent.name or alias in ent.aliases[:j]:
                emit(
                    ("entities", i, "aliases", j),
                    Code.ANNOTATION_DUPLICATE,
                    f"alias {alias!r} repeats the name or another alias",
                    "remove it",
                )
    refs = _WorldRefs(world, emit)
    refs("events", corpus.events, "place", "place")
    participants = [
        (i, j, p.entity) for i, e in enumerate(corpus.events) for j, p in enumerate(e.participants)
    ]
    refs.column(
        [p[2] for p in participants],
        [("events", i, "participants", j, "entity") for i, j, _ in participants],
        None,
    )
    for name in ("speaker", "platform", "addressee", "place"):
        refs("utterances", corpus.utterances, name, name)
    for i, utt in enumerate(corpus.utterances):
        if utt.platform and utt.channel != "social_media_post":
            emit(
                ("utterances", i, "platform"),
                Code.REF_INCONSISTENT,
                f"a platform is given but the channel is {utt.channel}",
                "use channel `social_media_post` for posts, or drop the platform",
            )
    return world


class _WorldRefs:
    """The reference rule (:meth:`newsanno.rules.world.Known.refs`) over a field of the world."""

    def __init__(self, world: World, emit: Emit) -> None:
        self.known, self.emit = world.known, emit

    def __call__(self, layer: str, items: list[Any], name: str, ref_type: str | None) -> None:
        paths: list[Path_] = [(layer, i, name) for i in range(len(items))]
        self.column([getattr(item, name) for item in items], paths, ref_type)

    def column(self, ids: list[str | None], paths: list[Path_], ref_type: str | None) -> None:
        column = pa.array(ids, pa.string())
        _, problems = self.known.refs(
            column, "entity", ref_type, str(paths[0][-1]) if paths else ""
        )
        for k, code, message, hint in problems:
            self.emit(paths[k], code, message, hint)


# --------------------------------------------------------------------------------------------
# A document


def span_fields(doc: DocumentFile) -> Iterator[tuple[Path_, SpanRef]]:
    """Every span of a document as written, with its path."""
    for layer, attr in LAYERS.items():
        for i, item in enumerate(getattr(doc, layer)):
            value = getattr(item, attr)
            if isinstance(value, list):
                for j, seg in enumerate(value):
                    yield (layer, i, attr, j), seg
            else:
                yield (layer, i, attr), value
            if layer == "quotes" and item.cue is not None:
                yield (layer, i, "cue"), item.cue


@dataclass
class Resolved:
    """A document with every span resolved, minus the items whose anchors failed."""

    doc: DocumentFile
    kept: dict[str, list[int]]
    failed_ids: set[str]

    def original(self, path: Path_) -> Path_:
        """Map a path in the trimmed document back to the document as written."""
        return untrim(path, self.kept)


def resolve(ref: SpanRef, text: str) -> Span | AnchorProblem:
    """One anchor against ``text``: a :class:`Span` with start, end and text, or the problem
    (:func:`resolve_all` for one span)."""
    return resolve_all([ref], text)[0]


def resolve_all(refs: list[SpanRef], text: str) -> list[Span | AnchorProblem]:
    """Anchors of one document against its ``text``: spans by offsets through the offset rule,
    all at once (:func:`newsanno.rules.columns.offsets_hold`; a refusal worded by
    :func:`newsanno.read.anchors.offset_problem`); text anchors by searching the text
    (:func:`newsanno.read.anchors.search`). A span that holds as written is returned as it is."""
    out: list[Span | AnchorProblem | None] = [None] * len(refs)
    by_offsets: list[tuple[int, Span]] = []
    for k, ref in enumerate(refs):
        if isinstance(ref, Span) and ref.start is not None and ref.end is not None:
            by_offsets.append((k, ref))
        else:
            out[k] = search(ref, text)
    if by_offsets:
        given = [(s.start, s.end, s.text) for _, s in by_offsets]
        ok, texts = offsets_hold(text, given)  # type: ignore[arg-type]
        for (k, ref), good, held in zip(by_offsets, ok.tolist(), texts, strict=True):
            if not good:
                out[k] = offset_problem(ref, text)
            elif ref.text is not None and (ref.prefix, ref.suffix, ref.occurrence) == (None,) * 3:
                out[k] = ref  # (the common case: no copy)
            else:
                out[k] = Span(start=ref.start, end=ref.end, text=held)
    return out  # type: ignore[return-value]


def resolve_spans(doc: DocumentFile, text: str, emit: Emit, *, text_changed: bool) -> Resolved:
    """Resolve every anchor, reporting each that fails; items with a failed anchor are left out."""
    spans: dict[Path_, Span] = {}
    failed: set[tuple[str, int]] = set()
    fields = list(span_fields(doc))
    for (path, ref), found in zip(fields, resolve_all([r for _, r in fields], text), strict=True):
        if isinstance(found, AnchorProblem):
            failed.add((str(path[0]), int(path[1])))
            _anchor_problem(emit, path, ref, found, text, text_changed)
        else:
            spans[path] = found
    update: dict[str, Any] = {}
    kept: dict[str, list[int]] = {}
    failed_ids: set[str] = set()
    for layer, attr in LAYERS.items():
        items = []
        kept[layer] = []
        for i, item in enumerate(getattr(doc, layer)):
            if (layer, i) in failed:
                failed_ids.add(item.id)
                continue
            change: dict[str, Any] = {}
            value = getattr(item, attr)
            if isinstance(value, list):
                resolved = [spans[(layer, i, attr, j)] for j in range(len(value))]
                if any(a is not b for a, b in zip(resolved, value, strict=True)):
                    change[attr] = resolved
            elif spans[(layer, i, attr)] is not value:
                change[attr] = spans[(layer, i, attr)]
            cue = spans.get((layer, i, "cue")) if layer == "quotes" else None
            if cue is not None and cue is not item.cue:
                change["cue"] = cue
            items.append(item.model_copy(update=change) if change else item)
            kept[layer].append(i)
        update[layer] = items
    return Resolved(doc.model_copy(update=update), kept, failed_ids)


def _anchor_problem(
    emit: Emit, path: Path_, ref: SpanRef, found: AnchorProblem, text: str, text_changed: bool
) -> None:
    """An anchor that failed, as a finding; when the text changed since the annotation, said so
    (and, for offsets whose text now lies elsewhere, where)."""
    code, message, hint = found.code, found.message, found.hint
    if text_changed and isinstance(ref, Span) and code is Code.ANCHOR_MISMATCH:
        now = moved(ref, text)
        if now:
            code, message = Code.ANCHOR_MOVED, f"the text changed: {message}"
            hint = f"the span is now at {now}; update `start`/`end`"
    elif text_changed:
        message = f"the text changed: {message}"
    emit(path, code, message, hint)


def _key(span: SpanRef) -> tuple[int, int]:
    assert isinstance(span, Span) and span.start is not None and span.end is not None
    return span.start, span.end


# --------------------------------------------------------------------------------------------
# Lints (the rules themselves are in newsanno.rules.lints)


def lint_document(doc: DocumentFile, text: str, world: World | None, emit: Emit) -> None:
    """Warnings: unannotated quotations, event arguments named in another sentence, and
    unannotated known names."""
    segments = [_key(s) for q in doc.quotes for s in q.content]
    regions = [_key(r.span) for r in doc.regions]
    for a, b in unquoted_pairs(text, segments, regions):
        snippet = text[a : b + 1]
        shown = snippet if len(snippet) <= 50 else snippet[:49] + "…"
        emit(
            ("quotes",),
            Code.LINT_UNQUOTED,
            f"quotation {shown!r} at offset {a} is not covered by any quote",
            "annotate it as a quote (direct, mixed, or a citation), or as a region if it is not body text",
            Severity.WARNING,
            offset=a,
        )
    mentions = {m.id: m for m in doc.mentions}
    for i, em in enumerate(doc.event_mentions):
        for j, arg in enumerate(em.arguments):
            mention = mentions.get(arg.mention or "")
            if mention is None:
                continue
            end = argument_outside_sentence(text, _key(em.trigger), _key(mention.span))
            if end is not None:
                s, e = _key(em.trigger)
                emit(
                    ("event_mentions", i, "arguments", j, "mention"),
                    Code.LINT_ARGUMENT_SENTENCE,
                    f"mention `{mention.id}` of the {arg.role} is in another sentence than the "
                    f"trigger {text[s:e]!r} of `{em.id}` (a sentence ends at offset {end})",
                    "name an argument by a mention in the event's own sentence, or leave out "
                    "`mention` when the entity is named only elsewhere",
                    Severity.WARNING,
                )
    if world is None:
        return
    covered = [_key(m.span) for m in doc.mentions] + regions
    for hit in unannotated_names(text, covered, world.names):
        name, s, e = hit.name, hit.start, hit.end
        emit(
            ("mentions",),
            Code.LINT_ALIAS,
            f"{name!r} (a name of `{hit.entity}`) at offset {s} has no mention",
            f"add a mention: {{span: {{text: {name!r}, start: {s}, end: {e}}}, entity: {hit.entity}}}",
            Severity.WARNING,
            offset=s,
        )
