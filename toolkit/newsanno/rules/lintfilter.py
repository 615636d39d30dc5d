"""The lints of :mod:`newsanno.rules.lints` as a filter over a block of documents.

The columnar tier (:mod:`newsanno.rules.columnar`) flags every document a lint has a hit in. Over
the whole block, numpy (and a C trie, when :mod:`newsanno.read.native` is built) first proves most
documents free of hits; the documents it cannot clear get the lint functions themselves, so each
lint is written once.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa

from newsanno.read import native
from newsanno.rules.columns import _Docs
from newsanno.rules.lints import (
    CUT,
    LONGEST_TRIE_WORD,
    SENTENCE_MARKS,
    NameIndex,
    argument_outside_sentence,
    trie_pattern,
    unannotated_names,
    unquoted_pairs,
)

_MARKS = np.array([ord(c) for c in '"“”'], dtype=np.uint32)
"""The double quotation marks of :func:`newsanno.rules.lints.quotation_pairs`."""
_BREAKS = np.array([ord(c) for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"], dtype=np.uint32)
"""Where ``str.splitlines`` ends a line."""
_KIND = np.zeros(int(_BREAKS.max()) + 2, dtype=np.uint8)
_KIND[_MARKS] = 1
_KIND[_BREAKS] = 2
_KIND[[ord(c) for c in SENTENCE_MARKS if c != "\n"]] = 3
"""Per code point (the last stands for all above): 1 a quotation mark, 2 a line break, 3 a mark
that may end a sentence (:data:`newsanno.rules.lints.SENTENCE_MARKS`)."""


class LintFilter:
    """The lints over blocks, for one world's names."""

    def __init__(self, names: NameIndex, *, compiled: bool) -> None:
        self.names = names
        every = sorted({name for name, _ in names.entries})
        self.every = every
        self._names: re.Pattern[str] | None = None
        self.trie = native.Trie(every) if compiled and every else None
        """The name filter's search in C (:mod:`newsanno.read.native`), when built."""
        self.names_cross = any(CUT in name for name in every)

    def flag(
        self,
        doc: _Docs,
        text: pa.Array,
        bad: np.ndarray,
        spans: dict[str, tuple[np.ndarray, ...]],
    ) -> None:
        """Flag each document not yet flagged that a lint (:mod:`newsanno.rules.lints`) has a
        hit in.

        A filter over the whole block first proves most documents lint-free: every pair of
        quotation marks holds a quote segment, no argument's mention is apart from its trigger
        by a mark that may end a sentence, and no name's first word is left in the text once
        the mentions and regions are cut out (as :func:`~newsanno.rules.lints.unannotated_names`
        reasons). Documents it cannot clear get the lints themselves.
        """
        todo = ~bad
        if not todo.any():
            return
        found = native.classes(doc.cps, _KIND)
        if found is None:
            every = _KIND.take(doc.cps, mode="clip")
            found = (np.flatnonzero(every), every[every != 0])
        where, kind = found
        marks, breaks = where[kind == 1], where[kind == 2]
        exact = self._unpaired_marks(doc, marks, breaks, spans["quotes"])
        args = spans.get("arguments")
        if args is not None and len(args[0]):
            exact |= self._far_arguments(doc, where[kind >= 2], args)
        if self.names_cross:  # a name with the cut mark in it: only the exact lint can tell
            exact[:] = True
        else:
            exact |= self._names_left(doc, spans)
        exact &= todo
        if not exact.any():
            return
        for i in np.flatnonzero(exact).tolist():
            parts = []
            for name in ("quotes", "regions", "mentions"):
                row, start, end = spans[name]
                lo, hi = np.searchsorted(row, [i, i + 1])
                parts.append(list(zip(start[lo:hi].tolist(), end[lo:hi].tolist(), strict=True)))
            quotes, regions, mentions = parts
            body = text[i].as_py()
            if any(True for _ in unquoted_pairs(body, quotes, regions)) or any(
                True for _ in unannotated_names(body, mentions + regions, self.names)
            ):
                bad[i] = True
            elif args is not None:
                row, ts, te, ms, me = args
                lo, hi = np.searchsorted(row, [i, i + 1]).tolist()
                for a, b, c, d in zip(*(x[lo:hi].tolist() for x in (ts, te, ms, me)), strict=True):
                    if argument_outside_sentence(body, (a, b), (c, d)) is not None:
                        bad[i] = True
                        break

    @staticmethod
    def _far_arguments(doc: _Docs, stops: np.ndarray, args: tuple[np.ndarray, ...]) -> Any:
        """Documents with an argument whose trigger and mention have, between them, a mark that
        may end a sentence (``stops``: where such marks are in ``doc.cps``); only these can break
        :func:`~newsanno.rules.lints.argument_outside_sentence`."""
        out = np.zeros(len(doc.size), dtype=bool)
        row, ts, te, ms, me = args
        lo = np.where(ts <= ms, te, me) + doc.at[row]  # the gap between the two
        hi = np.where(ts <= ms, ms, ts) + doc.at[row]
        apart = np.searchsorted(stops, hi) > np.searchsorted(stops, lo)
        out[row[apart & (lo < hi)]] = True
        return out

    @staticmethod
    def _unpaired_marks(
        doc: _Docs, marks: np.ndarray, breaks: np.ndarray, segments: tuple[np.ndarray, ...]
    ) -> Any:
        """Documents with a pair of double quotation marks that may hold no quote segment
        (``marks`` and ``breaks``: where the quotation marks and the line breaks are in
        ``doc.cps``).

        Pairs are those of :func:`newsanno.rules.lints.quotation_pairs`: marks in order, two by
        two, line by line (lines end where ``str.splitlines`` ends them, and at each document's
        end). A pair ``a, b`` is held when a segment has ``a <= start <= b`` and
        ``end <= b + 1``.
        """
        n = len(doc.size)
        out = np.zeros(n, dtype=bool)
        if len(marks) < 2:
            return out
        owner = np.searchsorted(doc.at, marks, side="right") - 1
        # both only grow along the text: equal sums mean the same document and line
        line = np.searchsorted(breaks, marks) + owner
        index = np.arange(len(marks))
        first = np.maximum.accumulate(np.where(np.r_[True, line[1:] != line[:-1]], index, 0))
        opens = np.flatnonzero(((index - first) % 2 == 0)[:-1] & (line[1:] == line[:-1]))
        a, b = marks[opens], marks[opens + 1]
        row, start, end = segments
        begin = doc.at[row] + start
        order = np.argsort(begin, kind="stable")
        begin = begin[order]
        finish = np.append((doc.at[row] + end)[order], np.iinfo(np.int64).max)
        lo = np.searchsorted(begin, a, side="left")
        hi = np.searchsorted(begin, b, side="right")
        bounds = np.empty(2 * len(a), dtype=np.int64)
        bounds[0::2], bounds[1::2] = lo, hi
        nearest = np.minimum.reduceat(finish, bounds)[0::2] if len(bounds) else bounds
        held = (hi > lo) & (nearest <= b + 1)
        out[owner[opens[~held]]] = True
        return out

    def _names_left(self, doc: _Docs, spans: dict[str, tuple[np.ndarray, ...]]) -> Any:
        """Documents whose text, cut as :func:`~newsanno.rules.lints.unannotated_names` cuts it, holds a name.

        The exact lint looks closer only at names found in the cut text; a document whose cut
        text holds no name at all (this search, over the whole block) passes its name lint.
        """
        n = len(doc.size)
        if not self.every:
            return np.zeros(n, dtype=bool)
        if not len(doc.cps):
            return np.zeros(n, dtype=bool)
        if self.trie is not None:
            row, start, end = (
                np.concatenate([spans["mentions"][k], spans["regions"][k]]) for k in range(3)
            )
            held = self.trie.holds(doc.cps, doc.at, (row, start, end))
            if held is not None:
                return held
        total = len(doc.cps)
        # the covered spans merged into runs (a run never crosses into the next document)
        row = np.concatenate([spans["mentions"][0], spans["regions"][0]])
        start = np.concatenate([spans["mentions"][1], spans["regions"][1]]) + doc.at[row]
        end = np.concatenate([spans["mentions"][2], spans["regions"][2]]) + doc.at[row]
        order = np.argsort(start, kind="stable")
        row, start, end = row[order], start[order], end[order]
        reach = np.maximum.accumulate(end) if len(end) else end
        new = np.ones(len(start), dtype=bool)
        new[1:] = (start[1:] > reach[:-1]) | (row[1:] != row[:-1])
        firsts = np.flatnonzero(new)
        run_start = start[firsts]
        run_end = np.maximum.reduceat(end, firsts) if len(firsts) else run_start
        # the cut text: each run becomes one cut mark (its first code point, set to 0)
        edge = np.zeros(total + 1, dtype=np.int8)
        edge[run_start] = 1  # runs are apart: no two start, or end, at one place
        edge[run_end] -= 1
        covered = np.cumsum(edge[:total], dtype=np.int8).view(bool)
        keep = ~covered
        keep[run_start] = True
        cut = doc.cps[keep]
        gone = np.zeros(len(firsts) + 1, dtype=np.int64)  # code points cut before each run
        np.cumsum(run_end - run_start - 1, out=gone[1:])
        cut[run_start - gone[:-1]] = 0
        runs_before = np.searchsorted(run_start, doc.at, side="left")
        at = doc.at - gone[runs_before]
        # a cut mark between documents, so that no match runs from one into the next
        joined = np.insert(cut, at[1:-1], np.uint32(0))
        begin = at[:-1] + np.arange(n)
        text = joined.tobytes().decode("utf-32-le")
        if any(len(name) > LONGEST_TRIE_WORD for name in self.every):
            return np.ones(n, dtype=bool)  # no trie pattern for such names: the exact lint
        if self._names is None:  # any name or alias, anywhere (no word boundaries)
            self._names = re.compile(trie_pattern(self.every))
        found = [m.start() for m in self._names.finditer(text)]
        out = np.zeros(n, dtype=bool)
        if found:
            out[np.searchsorted(begin, np.array(found), side="right") - 1] = True
        return out
