"""The world (``corpus.yaml``'s entities, events and utterances) and the reference rule, written
once: an id names a world item of the kind a field needs, and of an entity type that field allows.

:meth:`Known.refs` checks a whole column of ids at once (Arrow compute) and words a finding only
for the ids that fail. The world's own references (:func:`newsanno.rules.checks.check_world`) and
the documents' (:mod:`newsanno.rules.meaning`) both go through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from newsanno.model import CorpusFile, Entity, Event, Utterance
from newsanno.model.findings import Code
from newsanno.model.ontology import load_ontology
from newsanno.rules.close import close_matches
from newsanno.rules.columns import _is_in, _valid
from newsanno.rules.lints import NameIndex

KINDS = ("entity", "event", "utterance")
"""The kinds of world item, in the order an id held by more than one is taken as."""

Problem = tuple[int, Any, str, str]
"""(index in the column, code, message, hint) of one id that fails."""


@dataclass
class World:
    """Index of the corpus-level ids, by kind."""

    entities: dict[str, Entity] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    utterances: dict[str, Utterance] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)
    """Ids whose items failed structure checks: references to them are not reported again."""
    _names: NameIndex | None = field(default=None, repr=False, compare=False)
    _known: Known | None = field(default=None, repr=False, compare=False)

    @property
    def names(self) -> NameIndex:
        """Every entity name and alias, for the name lint (built on first use)."""
        if self._names is None:
            self._names = NameIndex.of((e.id, [e.name, *e.aliases]) for e in self.entities.values())
        return self._names

    @property
    def known(self) -> Known:
        """The world as Arrow arrays, for the column rules (built on first use)."""
        if self._known is None:
            self._known = Known(self)
        return self._known

    @classmethod
    def of(cls, corpus: CorpusFile | None) -> World:
        world = cls()
        if corpus is not None:
            world.entities = {e.id: e for e in corpus.entities}
            world.events = {e.id: e for e in corpus.events}
            world.utterances = {u.id: u for u in corpus.utterances}
        return world

    def table(self, kind: str) -> dict[str, Any]:
        """The items of one kind, by id."""
        tables: dict[str, dict[str, Any]] = {
            "entity": self.entities,
            "event": self.events,
            "utterance": self.utterances,
        }
        return tables[kind]

    def kind_of(self, ident: str) -> str | None:
        for kind in KINDS:
            if ident in self.table(kind):
                return kind
        return None


def _values(items: Any) -> pa.Array:
    return pa.array(sorted(items), pa.string())


SMALL = 256
"""Up to this many ids are looked up in a Python set: Arrow's ``is_in`` hashes the whole world
on every call, which costs more than the look-up itself for one document's ids."""


class IdSet:
    """A set of ids, as a sorted Arrow array and as a Python set; :meth:`holds` takes the faster."""

    def __init__(self, ids: Any) -> None:
        self.array = _values(ids)
        self.set = frozenset(self.array.to_pylist())

    def holds(self, ids: pa.Array) -> np.ndarray:
        """Whether each id is in the set (False for a null)."""
        if len(ids) > SMALL:
            return _is_in(ids, self.array)
        found = self.set
        return np.array([v in found for v in ids.to_pylist()], dtype=bool)


def a(kind: str) -> str:
    """``kind`` with its indefinite article."""
    return ("an " if kind[0] in "aeiou" else "a ") + kind


class Known:
    """A world's ids as Arrow arrays: what the column rules look ids up in."""

    def __init__(self, world: World) -> None:
        ontology = load_ontology()
        self.world = world
        self.ids = {kind: IdSet(world.table(kind)) for kind in KINDS}
        self.of_type = {
            ref: IdSet(i for i, e in world.entities.items() if e.type in allowed)
            for ref, allowed in ontology.reference_types.items()
        }
        self.shadowed: dict[str, IdSet] = {}
        """Per kind, its ids that an earlier kind (:data:`KINDS`) holds too (rare: an error)."""
        earlier: set[str] = set()
        for kind in KINDS:
            both = earlier & world.table(kind).keys()
            if both:
                self.shadowed[kind] = IdSet(both)
            earlier |= world.table(kind).keys()
        self._nearest: dict[tuple[str, str], str | None] = {}
        events = sorted(world.events)
        self.event_types = pa.array([world.events[e].type for e in events], pa.string())
        ids = sorted(world.utterances)
        self.utterance_fields = {
            name: pa.array([getattr(world.utterances[u], name) for u in ids], pa.string())
            for name in ("speaker", "channel", "platform", "addressee", "date")
        }

    def refs(
        self, ids: pa.Array, want: str, ref_type: str | None = None, name: str = ""
    ) -> tuple[np.ndarray, list[Problem]]:
        """The reference rule over a column of ids, each naming ``want`` (a kind); an entity
        given as a ``ref_type`` (speaker, place, ...) must be of a type the ontology allows
        for it. ``name``: the field's name, for the fix.

        Returns whether each id is right (False for a null), and the problem of each id that is
        not, except ids of items that failed structure checks (:attr:`World.dropped`).
        """
        given = _valid(ids)
        target = self.of_type[ref_type] if want == "entity" and ref_type else self.ids[want]
        ok = given & target.holds(ids)
        shadow = self.shadowed.get(want)
        if shadow is not None:  # an id an earlier kind holds too is taken as that kind
            ok &= ~shadow.holds(ids)
        wrong = np.flatnonzero(given & ~ok)
        if not len(wrong):
            return ok, []
        world = self.world
        problems: list[Problem] = []
        for k, ident in zip(wrong.tolist(), ids.take(pa.array(wrong)).to_pylist(), strict=True):
            kind = world.kind_of(ident)
            if kind is None and ident in world.dropped:
                continue  # its definition failed structure checks, already reported
            if kind is None:
                close = self.nearest(ident, want)
                hint = (
                    f"did you mean `{close}`?"
                    if close
                    else f"add {want} `{ident}` to corpus.yaml, or fix the id"
                )
                problems.append((k, Code.REF_DANGLING, f"no {want} has the id `{ident}`", hint))
            elif kind != want:
                problems.append(
                    (
                        k,
                        Code.REF_WRONG_KIND,
                        f"`{ident}` is {a(kind)}, but {a(want)} is needed here",
                        f"give the id of {a(want)}",
                    )
                )
            else:
                allowed = " or ".join(load_ontology().reference_types[ref_type or ""])
                etype = world.entities[ident].type
                problems.append(
                    (
                        k,
                        Code.REF_WRONG_TYPE,
                        f"{ref_type} `{ident}` is an entity of type {etype}; a {ref_type} must "
                        f"be {allowed}",
                        f"point `{name}` at an entity of type {allowed}, or fix the entity's type",
                    )
                )
        return ok, problems

    def nearest(self, ident: str, kind: str) -> str | None:
        """The world's id of ``kind`` closest to ``ident`` (difflib's ratio, at least 0.75),
        for the fix of a dangling reference; kept, as a missing id is seldom missing once (an
        entity renamed or removed leaves every reference to it dangling)."""
        key = (ident, kind)
        if key not in self._nearest:
            close = close_matches(ident, list(self.world.table(kind)), n=1, cutoff=0.75)
            self._nearest[key] = close[0] if close else None
        return self._nearest[key]

    def event_type(self, events: pa.Array) -> pa.Array:
        """The type of each event id (null where it names no event)."""
        return self.event_types.take(pc.index_in(events, value_set=self.ids["event"].array))

    def utterance(self, ids: pa.Array, name: str) -> pa.Array:
        """Field ``name`` of the utterance each id names (null where it names none)."""
        at = pc.index_in(ids, value_set=self.ids["utterance"].array)
        return self.utterance_fields[name].take(at)
