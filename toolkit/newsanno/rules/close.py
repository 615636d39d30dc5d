"""``difflib.get_close_matches`` over many candidates (the ids of a large world), sooner.

A dangling reference's hint names the closest id of the world (``did you mean `per_012`?``).
``difflib.get_close_matches`` tries every candidate with three tests, each an upper bound of
the next: ``real_quick_ratio`` (the lengths), ``quick_ratio`` (the characters as a multiset),
then ``ratio`` (the longest matching blocks). With 10,000 ids the first two, in Python, took
some 10-60 ms a dangling reference. Here they run at once over all candidates with numpy, on a
table of character counts built once per candidate list, and ``ratio`` runs, as in difflib, on
the candidates that pass, in their order: the same computation with the same floats, so the
same answer (``tests/test_close.py`` holds it to difflib's on random ids).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import lru_cache

import numpy as np

SMALL = 64
"""Below this many candidates difflib itself runs (building the table costs more)."""


class _Index:
    """Character counts of every candidate: one row per candidate, one column per character."""

    def __init__(self, candidates: tuple[str, ...]) -> None:
        self.candidates = candidates
        alphabet = sorted({c for x in candidates for c in x})
        self.column = {c: i for i, c in enumerate(alphabet)}
        self.lengths = np.fromiter((len(x) for x in candidates), dtype=np.int64)
        counts = np.zeros((len(candidates), max(1, len(alphabet))), dtype=np.int32)
        rows = np.repeat(np.arange(len(candidates)), self.lengths)
        cols = np.fromiter(
            (self.column[c] for x in candidates for c in x), dtype=np.int64, count=len(rows)
        )
        np.add.at(counts, (rows, cols), 1)
        self.counts = counts

    def passing(self, word: str, cutoff: float) -> list[int]:
        """Candidates (in order) whose ``real_quick_ratio`` and ``quick_ratio`` against
        ``word`` reach ``cutoff``, both computed as difflib computes them."""
        want = np.zeros(self.counts.shape[1], dtype=np.int32)
        for c in word:
            i = self.column.get(c)
            if i is not None:
                want[i] += 1
        total = self.lengths + len(word)
        safe = np.where(total == 0, 1, total)
        real_quick = np.where(total == 0, 1.0, 2.0 * np.minimum(self.lengths, len(word)) / safe)
        matches = np.minimum(self.counts, want).sum(axis=1)
        quick = np.where(total == 0, 1.0, 2.0 * matches / safe)
        return np.flatnonzero((real_quick >= cutoff) & (quick >= cutoff)).tolist()


@lru_cache(maxsize=8)
def _index(candidates: tuple[str, ...]) -> _Index:
    return _Index(candidates)


def close_matches(
    word: str, possibilities: Sequence[str], n: int = 3, cutoff: float = 0.6
) -> list[str]:
    """What ``difflib.get_close_matches(word, possibilities, n, cutoff)`` returns."""
    if not n > 0:
        raise ValueError(f"n must be > 0: {n!r}")
    if not 0.0 <= cutoff <= 1.0:
        raise ValueError(f"cutoff must be in [0.0, 1.0]: {cutoff!r}")
    candidates = tuple(possibilities)
    if len(candidates) < SMALL:
        todo: Sequence[int] = range(len(candidates))
    else:
        todo = _index(candidates).passing(word, cutoff)
    result: list[tuple[float, str]] = []
    s = SequenceMatcher()
    s.set_seq2(word)
    for i in todo:
        s.set_seq1(candidates[i])
        score = s.ratio()
        if score >= cutoff:
            result.append((score, candidates[i]))
    return [x for _, x in heapq.nlargest(n, result)]
