"""Stage 4 and 5 of validation: meaning checks and lints.

Meaning checks are what JSON Schema cannot say: anchors resolve to exactly one place in the text,
every referenced id exists and is the right kind and type of thing, event roles fit the event type,
and nothing is annotated twice. Lints are warnings: quotation marks that no quote covers, and known
names of entities that appear in the text without a mention.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from newsanno.model import (
    ARTICLE,
    LAYERS,
    CorpusFile,
    DocumentFile,
    Entity,
    Event,
    Mention,
    Quote,
    Span,
    SpanRef,
    Utterance,
)
from newsanno.model.findings import Code, Severity
from newsanno.model.ontology import load_ontology
from newsanno.read.anchors import AnchorProblem, moved, resolve
from newsanno.read.parse import Path_, untrim
from newsanno.rules.close import close_matches
from newsanno.rules.lints import (
    NameIndex,
    argument_outside_sentence,
    unannotated_names,
    unquoted_pairs,
)
from newsanno.rules.nesting import nesting_problem

Emit = Callable[..., None]
"""``emit(path, code, message, hint, severity=Severity.ERROR)``"""


@dataclass
class World:
    """Index of the corpus-level ids, by kind."""

    entities: dict[str, Entity] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    utterances: dict[str, Utterance] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)
    """Ids whose items failed structure checks: references to them are not reported again."""
    _names: NameIndex | None = field(default=None, repr=False, compare=False)

    @property
    def names(self) -> NameIndex:
        """Every entity name and alias, for the name lint (built on first use)."""
        if self._names is None:
            self._names = NameIndex.of((e.id, [e.name, *e.aliases]) for e in self.entities.values())
        return self._names

    @classmethod
    def of(cls, corpus: CorpusFile | None) -> World:
        world = cls()
        if corpus is not None:
            world.entities = {e.id: e for e in corpus.entities}
            world.events = {e.id: e for e in corpus.events}
            world.utterances = {u.id: u for u in corpus.utterances}
        return world

    def kind_of(self, ident: str) -> str | None:
        for kind, table in (
            ("entity", self.entities),
            ("event", self.events),
            ("utterance", self.utterances),
        ):
            if ident in table:
                return kind
        return None


def check_ref(
    emit: Emit, world: World, path: Path_, ident: str | None, want: str, ref_type: str | None = None
) -> bool:
    """Check that ``ident`` names a world item of kind ``want`` (and a fitting entity type)."""
    if ident is None:
        return False
    kind = world.kind_of(ident)
    if kind is None and ident in world.dropped:
        return False  # its definition failed structure checks, already reported
    if kind is None:
        close = close_matches(ident, _all_ids(world, want), n=1, cutoff=0.75)
        hint = (
            f"did you mean `{close[0]}`?"
            if close
            else f"add {want} `{ident}` to corpus.yaml, or fix the id"
        )
        emit(path, Code.REF_DANGLING, f"no {want} has the id `{ident}`", hint)
        return False
    if kind != want:
        emit(
            path,
            Code.REF_WRONG_KIND,
            f"`{ident}` is {_a(kind)}, but {_a(want)} is needed here",
            f"give the id of {_a(want)}",
        )
        return False
    if want == "entity" and ref_type is not None:
        allowed = load_ontology().reference_types[ref_type]
        etype = world.entities[ident].type
        if etype not in allowed:
            emit(
                path,
                Code.REF_WRONG_TYPE,
                f"{ref_type} `{ident}` is an entity of type {etype}; a {ref_type} must be "
                f"{' or '.join(allowed)}",
                f"point `{path[-1]}` at an entity of type {' or '.join(allowed)}, or fix the entity's type",
            )
            return False
    return True


def _a(kind: str) -> str:
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def _all_ids(world: World, kind: str) -> list[str]:
    if kind == "entity":
        return list(world.entities)
    return list(world.events) if kind == "event" else list(world.utterances)


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
    for i, ev in enumerate(corpus.events):
        check_ref(emit, world, ("events", i, "place"), ev.place, "entity", "place")
        for j, part in enumerate(ev.participants):
            check_ref(
                emit, world, ("events", i, "participants", j, "entity"), part.entity, "entity"
            )
    for i, utt in enumerate(corpus.utterances):
        check_ref(emit, world, ("utterances", i, "speaker"), utt.speaker, "entity", "speaker")
        check_ref(emit, world, ("utterances", i, "platform"), utt.platform, "entity", "platform")
        check_ref(emit, world, ("utterances", i, "addressee"), utt.addressee, "entity", "addressee")
        check_ref(emit, world, ("utterances", i, "place"), utt.place, "entity", "place")
        if utt.platform and utt.channel != "social_media_post":
            emit(
                ("utterances", i, "platform"),
                Code.REF_INCONSISTENT,
                f"a platform is given but the channel is {utt.channel}",
                "use channel `social_media_post` for posts, or drop the platform",
            )
    return world


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


def resolve_spans(doc: DocumentFile, text: str, emit: Emit, *, text_changed: bool) -> Resolved:
    """Resolve every anchor, reporting each that fails; items with a failed anchor are left out."""
    spans: dict[Path_, Span] = {}
    failed: set[tuple[str, int]] = set()
    for path, ref in span_fields(doc):
        result = resolve(ref, text)
        if isinstance(result, AnchorProblem):
            failed.add((str(path[0]), int(path[1])))
            code, message, hint = result.code, result.message, result.hint
            if text_changed and isinstance(ref, Span) and code is Code.ANCHOR_MISMATCH:
                now = moved(ref, text)
                if now:
                    code, message = Code.ANCHOR_MOVED, f"the text changed: {message}"
                    hint = f"the span is now at {now}; update `start`/`end`"
            elif text_changed:
                message = f"the text changed: {message}"
            emit(path, code, message, hint)
        else:
            spans[path] = result
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
                change[attr] = [spans[(layer, i, attr, j)] for j in range(len(value))]
            else:
                change[attr] = spans[(layer, i, attr)]
            if layer == "quotes" and item.cue is not None:
                change["cue"] = spans[(layer, i, "cue")]
            items.append(item.model_copy(update=change))
            kept[layer].append(i)
        update[layer] = items
    return Resolved(doc.model_copy(update=update), kept, failed_ids)


def _key(span: SpanRef) -> tuple[int, int]:
    assert isinstance(span, Span) and span.start is not None and span.end is not None
    return span.start, span.end


def check_document(
    doc: DocumentFile, world: World | None, emit: Emit, dropped: frozenset[str] = frozenset()
) -> None:
    """Reference, consistency and duplicate checks on a document whose spans are resolved.

    ``dropped`` holds ids of items that failed structure checks; references to them are skipped.
    """
    ids: dict[str, Path_] = {}
    for layer in LAYERS:
        for i, item in enumerate(getattr(doc, layer)):
            if item.id in ids:
                emit(
                    (layer, i, "id"),
                    Code.ID_DUPLICATE,
                    f"id `{item.id}` is used twice in this document (first at {'/'.join(map(str, ids[item.id]))})",
                    "annotation ids are unique within a document; rename one",
                )
            else:
                ids[item.id] = (layer, i)
    mentions: dict[str, Mention] = {m.id: m for m in doc.mentions}
    quotes: dict[str, Quote] = {q.id: q for q in doc.quotes}
    _duplicates(doc, emit)

    def local(path: Path_, ident: str | None, layer: str, table: dict[str, Any]) -> bool:
        if ident is None or ident in dropped:
            return False
        if ident not in table:
            where = ids.get(ident)
            if where is not None:
                emit(
                    path,
                    Code.REF_WRONG_KIND,
                    f"`{ident}` is in `{where[0]}`, but `{path[-1]}` needs one of `{layer}`",
                    f"give the id of an item in `{layer}`",
                )
            else:
                emit(
                    path,
                    Code.REF_DANGLING,
                    f"no item in `{layer}` has the id `{ident}`",
                    f"add it to `{layer}` of this document, or fix the id",
                )
            return False
        return True

    w = world if world is not None else World()
    have_world = world is not None
    ref = (lambda *a: check_ref(emit, w, *a)) if have_world else (lambda *a: False)
    ref(("metadata", "outlet"), doc.metadata.outlet, "entity", "outlet")
    for i, m in enumerate(doc.mentions):
        ref(("mentions", i, "entity"), m.entity, "entity")
    for i, q in enumerate(doc.quotes):
        p: Path_ = ("quotes", i)
        speaker_ok = ref((*p, "speaker"), q.speaker, "entity", "speaker")
        ref((*p, "addressee"), q.addressee, "entity", "addressee")
        ref((*p, "platform"), q.platform, "entity", "platform")
        if local((*p, "speaker_mention"), q.speaker_mention, "mentions", mentions):
            mention = mentions[q.speaker_mention or ""]
            if q.speaker is None:
                emit(
                    (*p, "speaker_mention"),
                    Code.REF_INCONSISTENT,
                    "a speaker mention is given but no speaker",
                    f"add `speaker: {mention.entity}`",
                )
            elif speaker_ok and mention.entity != q.speaker:
                emit(
                    (*p, "speaker_mention"),
                    Code.REF_INCONSISTENT,
                    f"mention `{mention.id}` refers to `{mention.entity}`, but the speaker is `{q.speaker}`",
                    "point `speaker_mention` at a mention of the speaker, or fix the speaker",
                )
        if local((*p, "nested_in"), q.nested_in, "quotes", quotes):
            _check_nesting(doc, i, quotes, emit)
        if have_world and ref((*p, "utterance"), q.utterance, "utterance"):
            _check_utterance(q, w.utterances[q.utterance or ""], p, emit, speaker_ok)
    for i, c in enumerate(doc.claims):
        p = ("claims", i)
        if c.claimant != ARTICLE:
            ref((*p, "claimant"), c.claimant, "entity", "claimant")
        if local((*p, "quote"), c.quote, "quotes", quotes):
            speaker = quotes[c.quote or ""].speaker
            if speaker is not None and w.kind_of(speaker) == "entity" and c.claimant != speaker:
                emit(
                    (*p, "claimant"),
                    Code.REF_INCONSISTENT,
                    f"the claimant is `{c.claimant}` but quote `{c.quote}` is by `{speaker}`",
                    "a claim carried by a quote is made by the quote's speaker",
                )
    ontology = load_ontology()
    for i, em in enumerate(doc.event_mentions):
        p = ("event_mentions", i)
        has_event = ref((*p, "event"), em.event, "event")
        for j, arg in enumerate(em.arguments):
            ap: Path_ = (*p, "arguments", j)
            if has_event:
                etype = w.events[em.event].type
                allowed = ontology.roles_for(etype)
                if arg.role not in allowed:
                    emit(
                        (*ap, "role"),
                        Code.ROLE_NOT_ALLOWED,
                        f"role `{arg.role}` is not allowed for event type {etype}",
                        f"use one of: {', '.join(allowed)}",
                    )
            ref((*ap, "entity"), arg.entity, "entity")
            if local((*ap, "mention"), arg.mention, "mentions", mentions):
                ment = mentions[arg.mention or ""]
                if ment.entity != arg.entity:
                    emit(
                        (*ap, "mention"),
                        Code.REF_INCONSISTENT,
                        f"mention `{ment.id}` refers to `{ment.entity}`, not `{arg.entity}`",
                        "point `mention` at a mention of the argument's entity",
                    )


def _check_utterance(q: Quote, utt: Utterance, p: Path_, emit: Emit, speaker_ok: bool) -> None:
    for name in ("speaker", "channel", "platform", "addressee"):
        if name == "speaker" and not speaker_ok:
            continue
        mine, theirs = getattr(q, name), getattr(utt, name)
        if mine is not None and theirs is not None and mine != theirs:
            emit(
                (*p, name),
                Code.REF_INCONSISTENT,
                f"the quote's {name} is `{mine}` but utterance `{utt.id}` has `{theirs}`",
                "a quote and the utterance it reports must agree; fix one, or link another utterance",
            )
    if q.date and utt.date and not (q.date.startswith(utt.date) or utt.date.startswith(q.date)):
        emit(
            (*p, "date"),
            Code.REF_INCONSISTENT,
            f"the quote's date {q.date} contradicts utterance `{utt.id}` ({utt.date})",
            "fix the date, or link the quote to another utterance",
        )


def _check_nesting(doc: DocumentFile, index: int, quotes: dict[str, Quote], emit: Emit) -> None:
    q = doc.quotes[index]
    nested_in = {i: quote.nested_in for i, quote in quotes.items()}
    content = {i: [_key(s) for s in quote.content] for i, quote in quotes.items()}
    problem = nesting_problem(
        q.id, q.nested_in or "", [_key(s) for s in q.content], nested_in, content
    )
    if problem is not None:
        emit(("quotes", index, "nested_in"), *problem)


def _duplicates(doc: DocumentFile, emit: Emit) -> None:
    keys: dict[tuple[Any, ...], str] = {}

    def seen(path: Path_, key: tuple[Any, ...], what: str, ident: str) -> None:
        if key in keys:
            emit(
                path,
                Code.ANNOTATION_DUPLICATE,
                f"{what} `{ident}` repeats `{keys[key]}`",
                "remove the duplicate",
            )
        else:
            keys[key] = ident

    for i, m in enumerate(doc.mentions):
        seen(("mentions", i), ("m", _key(m.span), m.entity), "mention", m.id)
    for i, r in enumerate(doc.regions):
        seen(("regions", i), ("r", _key(r.span)), "region", r.id)
    for i, q in enumerate(doc.quotes):
        seen(("quotes", i), ("q", tuple(_key(s) for s in q.content)), "quote", q.id)
    for i, c in enumerate(doc.claims):
        seen(("claims", i), ("c", _key(c.span), c.claimant, c.statement), "claim", c.id)
    for i, e in enumerate(doc.event_mentions):
        seen(("event_mentions", i), ("e", _key(e.trigger), e.event), "event mention", e.id)


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
