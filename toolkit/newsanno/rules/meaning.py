"""The meaning rules of documents, each written once, over a batch of documents as columns.

What JSON Schema cannot say about a document: every id is used once in it; nothing is annotated
twice; every reference resolves, to the right kind and type of thing (:meth:`Known.refs
<newsanno.rules.world.Known.refs>`); a quote agrees with its speaker mention and its utterance,
and lies within the quote it is nested in; a claim carried by a quote is made by its speaker; an
event argument takes a role the event's type allows, its mention names its entity, and it is
not listed twice.

Every input reaches these rules the same way, as a :class:`Frame` (a batch of documents as Arrow
columns, one array per field of each layer): the bulk path's blocks of JSONL lines
(:mod:`newsanno.rules.columnar`, thousands of documents at a time) and the documents of YAML and
JSON files and of lines that failed elsewhere (:func:`frame_of`, through
:mod:`newsanno.engines.local`). Each rule decides over whole columns and words a finding only for
what fails. The findings are data, ``(row, path, code, message, hint)``: the document's row in
the batch and the path in the document; the caller turns the path into file, line and column.

To add a rule: write a function here that appends to ``out``, call it from :func:`check`, and
add a golden case under ``tests/cases/invalid/`` (:func:`_arguments_twice` and the case
``argument-twice`` are one such rule and its test).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from newsanno.model import ARTICLE, LAYERS, DocumentFile
from newsanno.model.findings import Code
from newsanno.model.ontology import load_ontology
from newsanno.read.lines import VALID_SCHEMA
from newsanno.read.parse import Path_
from newsanno.rules.columns import _field, _mask, _np, _repeated, _take, _unnest, _valid
from newsanno.rules.nesting import nesting_problem
from newsanno.rules.world import Known, World

Found = tuple[int, Path_, Code, str, str]
"""One finding: (document row in the batch, path in the document, code, message, hint)."""


@dataclass
class Layer:
    """The items of one layer of every document in a batch, as columns."""

    name: str
    items: pa.Array
    """The items (a struct array)."""
    row: np.ndarray
    """Each item's document (its row in the batch)."""
    ordinal: np.ndarray
    """Each item's place in its document's list."""
    offsets: np.ndarray
    """Where each document's items start (0-based), and the end."""
    start: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    end: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    ok: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    """Each item's span, and whether it resolved (set by whoever checked the anchors)."""
    parent: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    """Event arguments and quote segments: the index of each item's event mention or quote."""
    _fields: dict[str, pa.Array] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, name: str, column: pa.Array, row: np.ndarray | None = None) -> Layer:
        """The items of a list column; ``row``: each list's document, when not its index."""
        items, parent, ordinal, offsets = _unnest(column)
        if row is None:
            return cls(name, items, parent, ordinal, offsets)
        return cls(name, items, row[parent], ordinal, offsets, parent=parent)

    def __getitem__(self, name: str) -> pa.Array:
        """A field of every item (null where the item is)."""
        if name not in self._fields:
            self._fields[name] = _field(self.items, name)
        return self._fields[name]

    def __len__(self) -> int:
        return len(self.items)

    def spans(self, name: str) -> None:
        """Take each item's span from its field ``name`` as it stands (resolved already)."""
        spans = self[name]
        start, end = _field(spans, "start"), _field(spans, "end")
        self.ok = _valid(start) & _valid(end)
        self.start = _np(start.fill_null(0)).astype(np.int64)
        self.end = _np(end.fill_null(0)).astype(np.int64)


REFERENCES: dict[str, tuple[tuple[str, bool], ...]] = {
    "mentions": (("entity", True),),
    "quotes": tuple(
        (k, False)
        for k in ("speaker", "speaker_mention", "addressee", "platform", "utterance", "nested_in")
    ),
    "claims": (("claimant", True), ("quote", False)),
    "event_mentions": (("event", True),),
    "arguments": (("entity", True), ("mention", False)),
}
"""Per layer, the fields that hold an id of another item (and whether each must be given)."""


@dataclass
class Coded:
    """Every id of a frame's items and every id its fields refer to, encoded once: a code per
    distinct value (-1: null), and the distinct values."""

    codes: np.ndarray
    distinct: pa.Array
    at: dict[tuple[str, str], tuple[int, int]]
    """Where the values of each (layer, field) lie in ``codes``; the items' ids come first, in
    the order of :data:`LAYERS`."""

    def __call__(self, layer: str, name: str) -> np.ndarray:
        lo, hi = self.at[(layer, name)]
        return self.codes[lo:hi]


@dataclass
class Frame:
    """A batch of documents as columns: the documents' own fields and one :class:`Layer` per
    layer (``arguments`` are the event mentions' arguments, ``segments`` the quotes')."""

    n: int
    doc_id: pa.Array
    outlet: pa.Array
    layers: dict[str, Layer]
    _coded: Coded | None = field(default=None, repr=False)

    @property
    def coded(self) -> Coded:
        """Every id and reference of the frame, encoded once (:class:`Coded`)."""
        if self._coded is None:
            parts = [(name, "id") for name in LAYERS]
            parts += [(name, k) for name, fields in REFERENCES.items() for k, _ in fields]
            arrays = [self.layers[name][k].cast(pa.string()) for name, k in parts]
            coded = pc.dictionary_encode(pa.concat_arrays(arrays))
            ends = np.cumsum([0, *(len(a) for a in arrays)]).tolist()
            self._coded = Coded(
                _np(coded.indices.fill_null(-1)).astype(np.int64),
                coded.dictionary,
                {part: (ends[i], ends[i + 1]) for i, part in enumerate(parts)},
            )
        return self._coded

    @classmethod
    def of(cls, column: dict[str, pa.Array]) -> Frame:
        """The frame of a table's columns (:data:`newsanno.rules.columnar.SCHEMA`'s shape)."""
        layers = {name: Layer.of(name, column[name]) for name in LAYERS}
        quotes, mentions = layers["quotes"], layers["event_mentions"]
        layers["segments"] = Layer.of("segments", quotes["content"], quotes.row)
        layers["arguments"] = Layer.of("arguments", mentions["arguments"], mentions.row)
        doc_id = column["doc_id"]
        return cls(len(doc_id), doc_id, _field(column["metadata"], "outlet"), layers)

    def path(self, layer: Layer, k: int, *rest: str) -> Path_:
        """The path in its document of item ``k`` of ``layer`` (and of a field of it)."""
        if layer.name == "arguments":
            owner = int(self.layers["event_mentions"].ordinal[layer.parent[k]])
            return ("event_mentions", owner, "arguments", int(layer.ordinal[k]), *rest)
        return (layer.name, int(layer.ordinal[k]), *rest)


def frame_of(docs: Sequence[DocumentFile]) -> Frame:
    """The frame of documents whose spans are resolved."""
    table = pa.Table.from_pylist(
        [doc.model_dump(mode="python", exclude_none=True) for doc in docs], schema=VALID_SCHEMA
    )
    column = {name: table.column(name).combine_chunks() for name in table.column_names}
    frame = Frame.of(column)
    for name, attr in LAYERS.items():
        frame.layers[name].spans(attr if name != "quotes" else "cue")
    segments = frame.layers["segments"]
    segments.start, segments.end = (
        _np(pc.struct_field(segments.items, k).fill_null(0)).astype(np.int64)
        for k in ("start", "end")
    )
    segments.ok = np.ones(len(segments), dtype=bool)
    return frame


# --------------------------------------------------------------------------------------------
# The rules


def check(
    frame: Frame, world: World | None, dropped: Sequence[frozenset[str]] | None = None
) -> list[Found]:
    """Every meaning finding of the documents of ``frame``.

    Without a world, references to it are not checked. ``dropped``: per document, the ids of
    items that failed earlier checks (structure, anchors); references to them are not reported.
    """
    out: list[Found] = []
    local = _Local(frame, dropped, out)
    known = world.known if world is not None else None
    ref = _Refs(frame, known, out)
    _duplicates(frame, out)
    layers = frame.layers
    mentions, quotes, claims = layers["mentions"], layers["quotes"], layers["claims"]
    ref.documents(frame.outlet, "outlet")
    ref(mentions, "entity")
    _quotes(frame, ref, local, out)
    # a claim carried by a quote is made by the quote's speaker
    at = local(claims, "quote", quotes)
    ref(claims, "claimant", "claimant", skip=_mask(pc.equal(claims["claimant"], ARTICLE)))
    has = np.flatnonzero(at >= 0)
    if known is not None and len(has):
        speaker = _take(quotes["speaker"], at[has])
        claimant = _take(claims["claimant"], has)
        differ = _mask(pc.not_equal(speaker, claimant)) & known.ids["entity"].holds(speaker)
        for k in has[differ].tolist():
            c = claims.items[k].as_py()
            who = quotes["speaker"][at[k]].as_py()
            out.append(
                (
                    int(claims.row[k]),
                    frame.path(claims, k, "claimant"),
                    Code.REF_INCONSISTENT,
                    f"the claimant is `{c['claimant']}` but quote `{c['quote']}` is by `{who}`",
                    "a claim carried by a quote is made by the quote's speaker",
                )
            )
    _events(frame, ref, local, out)
    _arguments_twice(frame, out)
    return out


class _Refs:
    """The reference rule (:meth:`Known.refs`) over a field of a layer, its problems added to
    the findings at the field's path."""

    def __init__(self, frame: Frame, known: Known | None, out: list[Found]) -> None:
        self.frame, self.known, self.out = frame, known, out

    def __call__(
        self,
        layer: Layer,
        name: str,
        ref_type: str | None = None,
        *,
        want: str = "entity",
        skip: np.ndarray | None = None,
    ) -> np.ndarray:
        """Whether each item's ``name`` names a fitting world item (all False without a world)."""
        if self.known is None:
            return np.zeros(len(layer), dtype=bool)
        ids = layer[name]
        if skip is not None and skip.any():
            ids = pc.if_else(pa.array(skip), pa.scalar(None, pa.string()), ids)
        ok, problems = self.known.refs(ids, want, ref_type, name)
        for k, code, message, hint in problems:
            path = self.frame.path(layer, k, name)
            self.out.append((int(layer.row[k]), path, code, message, hint))
        return ok

    def documents(self, ids: pa.Array, name: str) -> None:
        """The rule over a field of the documents' metadata."""
        if self.known is None:
            return
        _, problems = self.known.refs(ids, "entity", name, name)
        for k, code, message, hint in problems:
            self.out.append((k, ("metadata", name), code, message, hint))


class _Local:
    """References within a document (to a mention, a quote): each id names an item of the
    layer the field needs; the last item with that id, as a look-up by id would give."""

    def __init__(
        self, frame: Frame, dropped: Sequence[frozenset[str]] | None, out: list[Found]
    ) -> None:
        self.frame, self.dropped, self.out = frame, dropped, out
        self._index: dict[tuple[int, str], tuple[str, int]] | None = None

    def __call__(self, layer: Layer, name: str, target: Layer) -> np.ndarray:
        """For each item, the index in ``target`` of the item its ``name`` names; -1 where it
        names none (or is not given)."""
        idents = layer[name]
        at = np.full(len(layer), -1, dtype=np.int64)
        has = np.flatnonzero(_valid(idents))
        if not len(has):
            return at
        coded = self.frame.coded
        key = coded(target.name, "id")
        at[has] = find(target.row, key, layer.row[has], coded(layer.name, name)[has], last=True)
        if self.dropped is not None:  # (an id of an item left out, given again to another)
            for k in has[at[has] >= 0].tolist():
                if idents[k].as_py() in self.dropped[int(layer.row[k])]:
                    at[k] = -1
        for k in has[at[has] < 0].tolist():
            row, ident = int(layer.row[k]), idents[k].as_py()
            if self.dropped is not None and ident in self.dropped[row]:
                continue
            path = self.frame.path(layer, k, name)
            where = self.first(row, ident)
            if where is not None:
                self.out.append(
                    (
                        row,
                        path,
                        Code.REF_WRONG_KIND,
                        f"`{ident}` is in `{where[0]}`, but `{name}` needs one of `{target.name}`",
                        f"give the id of an item in `{target.name}`",
                    )
                )
            else:
                self.out.append(
                    (
                        row,
                        path,
                        Code.REF_DANGLING,
                        f"no item in `{target.name}` has the id `{ident}`",
                        f"add it to `{target.name}` of this document, or fix the id",
                    )
                )
        return at

    def first(self, row: int, ident: str) -> tuple[str, int] | None:
        """The layer and place of the first item of document ``row`` with id ``ident``."""
        if self._index is None:
            self._index = {}
            for name in reversed(LAYERS):
                layer = self.frame.layers[name]
                rows, ords = layer.row.tolist(), layer.ordinal.tolist()
                ids = layer["id"].to_pylist()
                for r, k, i in zip(reversed(rows), reversed(ords), reversed(ids), strict=True):
                    self._index[(r, i)] = (name, k)
        return self._index.get((row, ident))


def find(
    key_row: np.ndarray, key: np.ndarray, find_row: np.ndarray, find: np.ndarray, *, last: bool
) -> np.ndarray:
    """For each (row, code) to find, the index of the first (or ``last``) same (row, code)
    among the keys; -1 where there is none (codes of one :class:`Coded`)."""
    if not len(find):
        return np.zeros(0, dtype=np.int64)
    if not len(key):
        return np.full(len(find), -1, dtype=np.int64)
    width = int(max(key.max(), find.max())) + 2
    keys = key_row * width + (key + 1)
    order = np.argsort(keys, kind="stable")
    ranked = keys[order]
    wanted = find_row * width + (find + 1)
    if last:
        at = np.searchsorted(ranked, wanted, side="right") - 1
    else:
        at = np.searchsorted(ranked, wanted)
    at = np.clip(at, 0, len(ranked) - 1)
    return np.where(ranked[at] == wanted, order[at], -1)


def _duplicates(frame: Frame, out: list[Found]) -> None:
    """An id used twice in a document (across its layers), and an annotation made twice."""
    where = [frame.layers[name] for name in LAYERS]
    every = np.concatenate([layer.row for layer in where])
    codes = np.concatenate([frame.coded(name, "id") for name in LAYERS])
    ids = frame.coded.distinct
    maybe = np.flatnonzero(_repeated(every, codes) & (codes >= 0))
    if len(maybe):
        sizes = np.cumsum([0, *(len(layer) for layer in where)])
        first: dict[tuple[int, str], str] = {}
        for at in maybe.tolist():  # each document's ids in the order of the layers
            i = int(np.searchsorted(sizes, at, side="right")) - 1
            layer, k = where[i], at - int(sizes[i])
            row, ident = int(layer.row[k]), ids[int(codes[at])].as_py()
            if (row, ident) in first:
                out.append(
                    (
                        row,
                        frame.path(layer, k, "id"),
                        Code.ID_DUPLICATE,
                        f"id `{ident}` is used twice in this document (first at "
                        f"{first[(row, ident)]})",
                        "annotation ids are unique within a document; rename one",
                    )
                )
            else:
                first[(row, ident)] = "/".join(map(str, frame.path(layer, k)))
    # the same annotation twice: the same span (and what else makes it the same)
    what = {
        "mentions": ("mention", ("entity",)),
        "regions": ("region", ()),
        "quotes": ("quote", ()),
        "claims": ("claim", ("claimant", "statement")),  # (only the span picks candidates)
        "event_mentions": ("event mention", ("event",)),
    }
    for name, (label, also) in what.items():
        layer = frame.layers[name]
        if name == "quotes":  # the first segment; all of them are compared below
            segments = frame.layers["segments"]
            one = segments.offsets[:-1] < segments.offsets[1:]
            pick = np.minimum(segments.offsets[:-1], max(len(segments) - 1, 0))
            ok = one & np.logical_and.reduceat(segments.ok, pick) if len(segments) else one
            start, end = segments.start[pick], segments.end[pick]
        else:
            ok, start, end = layer.ok, layer.start, layer.end
        if len(layer) < 2:
            continue
        keys = [layer.row, start, end]
        if name in ("mentions", "event_mentions"):  # (its entity or event, encoded already)
            keys.append(frame.coded(name, also[0]))
        maybe = np.flatnonzero(_repeated(*keys) & ok)
        seen: dict[tuple[Any, ...], str] = {}
        for k in maybe.tolist():
            item = layer.items[k].as_py()
            key = (int(layer.row[k]), *(item[a] for a in also), _span_key(frame, layer, k))
            if key in seen:
                out.append(
                    (
                        key[0],
                        frame.path(layer, k),
                        Code.ANNOTATION_DUPLICATE,
                        f"{label} `{item['id']}` repeats `{seen[key]}`",
                        "remove the duplicate",
                    )
                )
            else:
                seen[key] = item["id"]


def _span_key(frame: Frame, layer: Layer, k: int) -> tuple[int, ...]:
    if layer.name != "quotes":
        return (int(layer.start[k]), int(layer.end[k]))
    segments = frame.layers["segments"]
    lo, hi = int(segments.offsets[k]), int(segments.offsets[k + 1])
    return (*segments.start[lo:hi].tolist(), *segments.end[lo:hi].tolist())


def _quotes(frame: Frame, ref: _Refs, local: _Local, out: list[Found]) -> None:
    """A quote's references: its speaker, addressee and platform; its speaker mention names a
    mention of the speaker; it lies within the quote it is nested in; it agrees with its
    utterance."""
    layers = frame.layers
    quotes, mentions = layers["quotes"], layers["mentions"]
    speaker = quotes["speaker"]
    speaker_ok = ref(quotes, "speaker", "speaker")
    ref(quotes, "addressee", "addressee")
    ref(quotes, "platform", "platform")
    at = local(quotes, "speaker_mention", mentions)
    has = np.flatnonzero(at >= 0)
    if len(has):
        entity = _take(mentions["entity"], at[has])
        given = _valid(_take(speaker, has))
        differ = speaker_ok[has] & _mask(pc.not_equal(entity, _take(speaker, has)))
        for k in has[~given | differ].tolist():
            mention = mentions.items[at[k]].as_py()
            path = frame.path(quotes, k, "speaker_mention")
            if speaker[k].as_py() is None:
                message = "a speaker mention is given but no speaker"
                hint = f"add `speaker: {mention['entity']}`"
            else:
                message = (
                    f"mention `{mention['id']}` refers to `{mention['entity']}`, but the speaker "
                    f"is `{speaker[k].as_py()}`"
                )
                hint = "point `speaker_mention` at a mention of the speaker, or fix the speaker"
            out.append((int(quotes.row[k]), path, Code.REF_INCONSISTENT, message, hint))
    _nesting(frame, np.flatnonzero(local(quotes, "nested_in", quotes) >= 0), out)
    if ref.known is not None:
        _utterances(frame, ref, speaker_ok, out)


def _nesting(frame: Frame, nested: np.ndarray, out: list[Found]) -> None:
    """The nesting rule (:func:`newsanno.rules.nesting.nesting_problem`) for each quote whose
    ``nested_in`` names a quote of its document."""
    if not len(nested):
        return
    quotes, segments = frame.layers["quotes"], frame.layers["segments"]
    starts, ends = segments.start.tolist(), segments.end.tolist()
    offsets = segments.offsets.tolist()
    ids, outer = quotes["id"].to_pylist(), quotes["nested_in"].to_pylist()

    def segments_of(k: int) -> list[tuple[int, int]]:
        lo, hi = offsets[k], offsets[k + 1]
        return list(zip(starts[lo:hi], ends[lo:hi], strict=True))

    for row in np.unique(quotes.row[nested]).tolist():
        lo, hi = int(quotes.offsets[row]), int(quotes.offsets[row + 1])
        content = {ids[k]: segments_of(k) for k in range(lo, hi)}
        nested_in = {ids[k]: outer[k] for k in range(lo, hi)}
        for k in nested[quotes.row[nested] == row].tolist():
            problem = nesting_problem(ids[k], outer[k], segments_of(k), nested_in, content)
            if problem is not None:
                out.append((row, frame.path(quotes, k, "nested_in"), *problem))


def _utterances(frame: Frame, ref: _Refs, speaker_ok: np.ndarray, out: list[Found]) -> None:
    """A quote and the utterance it reports agree: speaker, channel, platform, addressee, date."""
    quotes = frame.layers["quotes"]
    known = ref.known
    assert known is not None
    has = np.flatnonzero(ref(quotes, "utterance", want="utterance"))
    if not len(has):
        return
    utterance = _take(quotes["utterance"], has)
    for name in ("speaker", "channel", "platform", "addressee", "date"):
        mine, theirs = _take(quotes[name], has), known.utterance(utterance, name)
        differ = _mask(pc.not_equal(mine, theirs))  # both given, and different
        if name == "speaker":
            differ &= speaker_ok[has]
        for j in np.flatnonzero(differ).tolist():
            k, a, b, u = int(has[j]), mine[j].as_py(), theirs[j].as_py(), utterance[j].as_py()
            path = frame.path(quotes, k, name)
            if name != "date":
                message = f"the quote's {name} is `{a}` but utterance `{u}` has `{b}`"
                hint = "a quote and the utterance it reports must agree; fix one, or link another utterance"
            elif a.startswith(b) or b.startswith(a):
                continue  # a date and a more exact one of the same day, month or year
            else:
                message = f"the quote's date {a} contradicts utterance `{u}` ({b})"
                hint = "fix the date, or link the quote to another utterance"
            out.append((int(quotes.row[k]), path, Code.REF_INCONSISTENT, message, hint))


def _events(frame: Frame, ref: _Refs, local: _Local, out: list[Found]) -> None:
    """An event mention names an event; each argument takes a role its type allows, names an
    entity, and its mention (if any) is one of that entity."""
    layers = frame.layers
    mentions, events, args = layers["mentions"], layers["event_mentions"], layers["arguments"]
    has_event = ref(events, "event", want="event")
    if ref.known is not None:
        ontology = load_ontology()
        event_type = _take(ref.known.event_type(events["event"]), args.parent)
        pair = pc.binary_join_element_wise(event_type, args["role"], "\x1f")
        allowed = pa.array(
            [f"{t}\x1f{r}" for t in ontology.event_types for r in ontology.roles_for(t)]
        )
        wrong = has_event[args.parent] & ~_mask(pc.is_in(pair, value_set=allowed))
        for k in np.flatnonzero(wrong).tolist():
            etype, role = event_type[k].as_py(), args["role"][k].as_py()
            out.append(
                (
                    int(args.row[k]),
                    frame.path(args, k, "role"),
                    Code.ROLE_NOT_ALLOWED,
                    f"role `{role}` is not allowed for event type {etype}",
                    f"use one of: {', '.join(ontology.roles_for(etype))}",
                )
            )
    ref(args, "entity")
    at = local(args, "mention", mentions)
    has = np.flatnonzero(at >= 0)
    if len(has):
        differ = _mask(pc.not_equal(_take(mentions["entity"], at[has]), _take(args["entity"], has)))
        for k in has[differ].tolist():
            mention = mentions.items[at[k]].as_py()
            out.append(
                (
                    int(args.row[k]),
                    frame.path(args, k, "mention"),
                    Code.REF_INCONSISTENT,
                    f"mention `{mention['id']}` refers to `{mention['entity']}`, not "
                    f"`{args['entity'][k].as_py()}`",
                    "point `mention` at a mention of the argument's entity",
                )
            )


def _arguments_twice(frame: Frame, out: list[Found]) -> None:
    """An event mention that lists the same argument twice (the same role, entity and mention):
    a slip of hand editing, or of an import that carries a relation twice, which would count the
    argument twice in the ``event_arguments`` table and in agreement."""
    args = frame.layers["arguments"]
    if len(args) < 2:
        return
    role = _np(pc.dictionary_encode(args["role"]).indices.fill_null(-1)).astype(np.int64)
    coded = frame.coded
    keys = (args.parent, role, coded("arguments", "entity"), coded("arguments", "mention"))
    seen: dict[tuple[int, ...], int] = {}
    for k in np.flatnonzero(_repeated(*(key + 1 for key in keys))).tolist():
        key = tuple(int(a[k]) for a in keys)
        if key not in seen:
            seen[key] = k
            continue
        first = frame.path(args, seen[key])
        out.append(
            (
                int(args.row[k]),
                frame.path(args, k),
                Code.ANNOTATION_DUPLICATE,
                f"this argument repeats {'/'.join(map(str, first))} (role "
                f"`{args['role'][k].as_py()}`, entity `{args['entity'][k].as_py()}`)",
                "remove the duplicate",
            )
        )
