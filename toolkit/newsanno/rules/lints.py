"""The per-document lints, written once: quotation marks that no quote covers, and known names of
entities that appear in the text without a mention.

:func:`unquoted_pairs` and :func:`unannotated_names` give the hits; the serial validator turns each
into a warning (:func:`newsanno.rules.checks.lint_document`) and the bulk path's columnar tier
flags a document that has any (:meth:`newsanno.rules.columnar.ColumnarChecker._lint`). Both run
in time linear in the text, whatever the size of the world: names are found through one
automaton over the first words of every name (:class:`NameIndex`), and only names that occur in
the text outside every mention and region are looked at one by one.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

_WORD = re.compile(r"\w+")
_DOUBLE_MARKS = '"“”'

CUT = "\x00"
"""What a run of covered spans becomes in the cut text: one non-word character."""


LONGEST_TRIE_WORD = 64
"""Words longer than this are not put in a trie pattern (its groups nest as deep as its branch
points, and Python's ``re`` compiles nested groups recursively): such names are always looked at."""


def trie_pattern(words: list[str]) -> str:
    """A regular expression that matches any of ``words``, as a trie (one branch per letter).

    Python's ``re`` tries the alternatives of a group one by one; nesting them by shared prefix
    keeps each position to a few comparisons however many words there are. Built without
    recursion, so a long word costs no stack.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    done: dict[int, str] = {}  # id(node) -> its pattern
    stack: list[tuple[dict[str, Any], bool]] = [(trie, False)]
    while stack:
        node, ready = stack.pop()
        children = [(ch, child) for ch, child in sorted(node.items()) if ch]
        if not ready:
            stack.append((node, True))
            stack.extend((child, False) for _, child in children)
            continue
        alternatives = [re.escape(ch) + done.pop(id(child)) for ch, child in children]
        if not alternatives:
            done[id(node)] = ""
            continue
        body = "|".join(alternatives)
        if "" in node:
            done[id(node)] = f"(?:{body})?"
        else:
            done[id(node)] = body if len(alternatives) == 1 else f"(?:{body})"
    return done[id(trie)]


def quotation_pairs(text: str) -> list[tuple[int, int]]:
    """Pairs of double quotation marks, per line, as (open, close) offsets.

    Marks alternate open/close within a line whatever their direction, so a misprinted closing
    mark (an opening “ where ” belongs) still pairs. Lines end where ``str.splitlines`` ends them.
    """
    marks: list[int] = []
    for mark in _DOUBLE_MARKS:
        i = text.find(mark)
        while i != -1:
            marks.append(i)
            i = text.find(mark, i + 1)
    if len(marks) < 2:
        return []
    marks.sort()
    ends = list(accumulate(map(len, text.splitlines(keepends=True))))
    pairs: list[tuple[int, int]] = []
    line: list[int] = []
    k = 0
    for pos in marks:
        if pos >= ends[k]:
            pairs.extend(zip(line[0::2], line[1::2], strict=False))
            line = []
            while pos >= ends[k]:
                k += 1
        line.append(pos)
    pairs.extend(zip(line[0::2], line[1::2], strict=False))
    return pairs


def unquoted_pairs(
    text: str, segments: Iterable[tuple[int, int]], regions: Iterable[tuple[int, int]]
) -> Iterator[tuple[int, int]]:
    """Each pair of quotation marks (``a``, ``b``) that holds no quote segment (``a <= start`` and
    ``end <= b + 1``) and lies in no region."""
    pairs = quotation_pairs(text)
    if not pairs:
        return
    segs = sorted(segments)
    starts = [s for s, _ in segs]
    spans = list(regions)
    for a, b in pairs:
        k = bisect_left(starts, a)
        while k < len(segs) and segs[k][0] <= b:
            if segs[k][1] <= b + 1:
                break  # a <= s < e <= b + 1: a quote segment inside the marks
            k += 1
        else:
            if not any(s <= a and b < e for s, e in spans):
                yield a, b


def cut(text: str, covered: list[tuple[int, int]]) -> str:
    """``text`` with each run of covered spans (sorted by start) replaced by :data:`CUT`."""
    parts: list[str] = []
    at = 0
    for s, e in covered:
        if s > at:
            parts.append(text[at:s])
            parts.append(CUT)
        elif not parts:
            parts.append(CUT)
        if e > at:
            at = e
    parts.append(text[at:])
    return "".join(parts)


@dataclass(frozen=True)
class NameHit:
    """A known name in the text that no mention or region overlaps."""

    name: str
    entity: str
    start: int
    end: int


@dataclass
class NameIndex:
    """Every entity name and alias of a world, found in a text by one automaton.

    Names are indexed by their first word run; a regular expression built as a trie over those
    words finds, in one pass over a text, every first word that stands there as a whole word.
    Only the names behind those words are then looked for, each with its own whole-word pattern.
    """

    entries: list[tuple[str, str]] = field(default_factory=list)
    """(name, entity id) in world order: each entity's name, then its aliases, without repeats."""
    by_word: dict[str, list[int]] = field(default_factory=dict)
    always: list[int] = field(default_factory=list)
    """Entries with no word character, with the cut mark in them, or whose first word is longer
    than :data:`LONGEST_TRIE_WORD`: always looked at."""
    first: re.Pattern[str] | None = None
    _patterns: dict[str, re.Pattern[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, names: Iterable[tuple[str, Iterable[str]]]) -> NameIndex:
        """The index of ``(entity id, [name, *aliases])`` pairs, in world order."""
        index = cls()
        for entity, own in names:
            for name in dict.fromkeys(own):
                n = len(index.entries)
                index.entries.append((name, entity))
                word = _WORD.search(name)
                if word is None or CUT in name or len(word.group()) > LONGEST_TRIE_WORD:
                    index.always.append(n)
                else:
                    index.by_word.setdefault(word.group(), []).append(n)
        if index.by_word:
            # Unanchored, so that the search skips ahead by first character: it finds every
            # first word that stands as a whole word in a text (a match cannot straddle a
            # non-word character, and the longest word at a position is tried first), and
            # sometimes more.
            index.first = re.compile(trie_pattern(list(index.by_word)))
        return index

    @property
    def empty(self) -> bool:
        return not self.entries

    def pattern(self, name: str) -> re.Pattern[str]:
        found = self._patterns.get(name)
        if found is None:
            found = self._patterns[name] = re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)")
        return found

    def candidates(self, text: str) -> list[int]:
        """Entries (by number, in world order) that may occur in ``text`` as whole words."""
        out = list(self.always)
        if self.first is not None:
            by_word = self.by_word
            for word in set(self.first.findall(text)):
                out.extend(by_word[word])
        out.sort()
        return out


def unannotated_names(
    text: str, covered: list[tuple[int, int]], index: NameIndex
) -> Iterator[NameHit]:
    """Every match of a known name (whole words; each name's matches as ``re.finditer`` gives
    them) that overlaps no ``covered`` span (mentions and regions), in world order.

    Every such match is intact in the text with the covered spans cut out, and its first word
    still follows a non-word character there (the cut mark is one), so names absent from the cut
    text are passed over unread.
    """
    if index.empty:
        return
    covered = sorted(covered)
    rest = cut(text, covered)
    found = [n for n in index.candidates(rest) if index.entries[n][0] in rest]
    if not found:
        return
    starts = [s for s, _ in covered]
    reach = list(accumulate((e for _, e in covered), max))  # the furthest end so far
    for n in found:
        name, entity = index.entries[n]
        for m in index.pattern(name).finditer(text):
            s, e = m.span()
            k = bisect_left(starts, e)  # covered[:k] start before the match ends
            if k == 0 or reach[k - 1] <= s:  # no covered span overlaps the match
                yield NameHit(name, entity, s, e)


# --------------------------------------------------------------------------------------------
# An event argument named in another sentence

SENTENCE_MARKS = ".!?\n"
"""A sentence break holds one of these: the columnar tier looks closer only at arguments with one
between the trigger and the mention."""
_SENTENCE_END = re.compile(r"""[.!?]+["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])|\n""")
_TITLES = frozenset(
    [
        "Mr",
        "Mrs",
        "Ms",
        "Mx",
        "Dr",
        "Prof",
        "St",
        "Jr",
        "Sr",
        "Gen",
        "Gov",
        "Sen",
        "Rep",
        "Rev",
        "Lt",
        "Col",
        "Sgt",
        "Capt",
        "Cmdr",
        "Adm",
        "Mt",
        "No",
        "vs",
        "etc",
        "Inc",
        "Ltd",
        "Co",
        "Corp",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Sept",
        "Oct",
        "Nov",
        "Dec",
    ]
)
_INITIALS = re.compile(r"(?:[A-Z]\.)*[A-Z]")  # "J", "U.S", "D.C"


def sentence_break(text: str, start: int, end: int) -> int | None:
    """Where the first sentence of ``text`` that ends within ``[start, end)`` ends, or None.

    A sentence ends at a line break, and at ``.``, ``!`` or ``?`` (with the closing quotation
    marks or brackets after it) when white space and a capital letter, a digit or an opening mark
    follow, except after a title or an initial (``Mr.``, ``Gov.``, ``J.``, ``U.S.``).
    """
    for m in _SENTENCE_END.finditer(text, start):
        at = m.start()
        if at >= end:
            return None
        if text[at] == ".":
            word = text[:at].rsplit(None, 1)[-1] if text[:at].strip() else ""
            word = word.lstrip("\"'“‘([")
            if word in _TITLES or _INITIALS.fullmatch(word):
                continue
        return at
    return None


def argument_outside_sentence(
    text: str, trigger: tuple[int, int], mention: tuple[int, int]
) -> int | None:
    """Where a sentence ends between an event's trigger and the mention of one of its arguments
    (so the mention lies outside the event's sentence), or None when they share a sentence."""
    first, second = sorted((trigger, mention))
    if first[1] >= second[0]:
        return None  # they overlap or touch
    return sentence_break(text, first[1], second[0])
