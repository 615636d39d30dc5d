"""The word alignment of two direct renderings: difflib on normalised tokens, moved blocks, then
a class for every difference (the classes are told in :mod:`newsanno.fidelity.align`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from newsanno.fidelity.renderings import Rendering, Token, is_function_word

MIN_MOVE_WORDS = 2
"""A moved block has at least this many words, one of them not a function word."""


@dataclass(frozen=True)
class Op:
    """One operation of an alignment, with its span in both documents."""

    op_class: str
    a_start: int
    a_end: int
    a_text: str
    b_start: int
    b_end: int
    b_text: str


@dataclass
class _Run:
    """A one-sided run of tokens ``[lo, hi)`` from opcode block ``block``."""

    block: int
    lo: int
    hi: int


class _Aligner:
    """difflib alignment on normalised keys, moved blocks, then classification."""

    def __init__(self, a: Rendering, b: Rendering) -> None:
        self.a, self.b = a, b
        self.ta, self.tb = a.tokens, b.tokens
        self.ops: list[Op] = []
        self.moved_a: dict[int, tuple[int, int, int, int]] = {}  # a index -> move
        self.moved_b: set[int] = set()

    # -- helpers -------------------------------------------------------------------------

    def _a_point(self, i: int) -> int:
        """Offset in A where something before token ``i`` would go."""
        if i > 0:
            return self.ta[i - 1].end
        return self.ta[0].start if self.ta else (self.a.segments[0][0] if self.a.segments else 0)

    def _b_point(self, j: int) -> int:
        if j > 0:
            return self.tb[j - 1].end
        return self.tb[0].start if self.tb else (self.b.segments[0][0] if self.b.segments else 0)

    def _emit(
        self, cls: str, ai: tuple[int, int], bj: tuple[int, int], *, a_at: int = -1, b_at: int = -1
    ) -> None:
        """Append an op over tokens ``ta[ai]`` and ``tb[bj]`` (an empty range uses the point)."""
        i1, i2 = ai
        j1, j2 = bj
        sa, ea = (self.ta[i1].start, self.ta[i2 - 1].end) if i2 > i1 else (a_at, a_at)
        sb, eb = (self.tb[j1].start, self.tb[j2 - 1].end) if j2 > j1 else (b_at, b_at)
        self.ops.append(Op(cls, sa, ea, self.a.text[sa:ea], sb, eb, self.b.text[sb:eb]))

    @staticmethod
    def _split(tokens: Sequence[Token], lo: int, hi: int) -> Iterator[tuple[int, int]]:
        """``[lo, hi)`` cut where the segment changes."""
        start = lo
        for k in range(lo + 1, hi):
            if tokens[k].segment != tokens[k - 1].segment:
                yield start, k
                start = k
        if hi > lo:
            yield start, hi

    # -- moved blocks ----------------------------------------------------------------------

    def _find_moves(self, blocks: Sequence[tuple[str, int, int, int, int]]) -> None:
        runs_a = [
            _Run(n, i1, i2)
            for n, (t, i1, i2, _, _) in enumerate(blocks)
            if t != "equal" and i2 > i1
        ]
        runs_b = [
            _Run(n, j1, j2)
            for n, (t, _, _, j1, j2) in enumerate(blocks)
            if t != "equal" and j2 > j1
        ]
        ka = [t.key for t in self.ta]
        kb = [t.key for t in self.tb]
        while True:
            best: tuple[int, _Run, _Run, int, int] | None = None
            for ra in runs_a:
                for rb in runs_b:
                    if ra.block == rb.block:
                        continue  # a substitution in place, not a move
                    m = SequenceMatcher(None, ka, kb, autojunk=False).find_longest_match(
                        ra.lo, ra.hi, rb.lo, rb.hi
                    )
                    moved = self.ta[m.a : m.a + m.size]
                    words = [t for t in moved if t.is_word]
                    if len(words) < MIN_MOVE_WORDS or all(is_function_word(t) for t in words):
                        continue
                    if best is None or m.size > best[0]:
                        best = (m.size, ra, rb, m.a, m.b)
            if best is None:
                return
            size, ra, rb, ia, jb = best
            move = (ia, ia + size, jb, jb + size)
            for k in range(ia, ia + size):
                self.moved_a[k] = move
            self.moved_b.update(range(jb, jb + size))
            runs_a.remove(ra)
            runs_b.remove(rb)
            runs_a += [
                r
                for r in (_Run(ra.block, ra.lo, ia), _Run(ra.block, ia + size, ra.hi))
                if r.hi > r.lo
            ]
            runs_b += [
                r
                for r in (_Run(rb.block, rb.lo, jb), _Run(rb.block, jb + size, rb.hi))
                if r.hi > r.lo
            ]

    # -- classification --------------------------------------------------------------------

    def _opcodes(self) -> list[tuple[str, int, int, int, int]]:
        """difflib opcodes over all tokens, anchored on words.

        Words are aligned first; punctuation is aligned only between two matched words, and only
        where both sides have words, so a stray comma can never anchor a match far from its place.
        """
        wa = [k for k, t in enumerate(self.ta) if t.is_word]
        wb = [k for k, t in enumerate(self.tb) if t.is_word]
        words = SequenceMatcher(
            None, [self.ta[k].key for k in wa], [self.tb[k].key for k in wb], autojunk=False
        )
        anchors = [
            (wa[m.a + n], wb[m.b + n]) for m in words.get_matching_blocks() for n in range(m.size)
        ]
        out: list[tuple[str, int, int, int, int]] = []

        def add(tag: str, i1: int, i2: int, j1: int, j2: int) -> None:
            if i1 == i2 and j1 == j2:
                return
            if out and out[-1][0] == tag == "equal":
                out[-1] = ("equal", out[-1][1], i2, out[-1][3], j2)
            else:
                out.append((tag, i1, i2, j1, j2))

        pa_, pb_ = 0, 0
        for ia, jb in [*anchors, (len(self.ta), len(self.tb))]:
            ra, rb = self.ta[pa_:ia], self.tb[pb_:jb]
            if any(t.is_word for t in ra) and any(t.is_word for t in rb):
                sub = SequenceMatcher(
                    None, [t.key for t in ra], [t.key for t in rb], autojunk=False
                )
                for tag, i1, i2, j1, j2 in sub.get_opcodes():
                    add(tag, pa_ + i1, pa_ + i2, pb_ + j1, pb_ + j2)
            else:
                # marks against words (or nothing): keep equal marks at either end aligned
                lead = 0
                while lead < min(len(ra), len(rb)) and ra[lead].key == rb[lead].key:
                    lead += 1
                trail = 0
                while (
                    trail < min(len(ra), len(rb)) - lead
                    and ra[len(ra) - 1 - trail].key == rb[len(rb) - 1 - trail].key
                ):
                    trail += 1
                add("equal", pa_, pa_ + lead, pb_, pb_ + lead)
                i1, i2, j1, j2 = pa_ + lead, ia - trail, pb_ + lead, jb - trail
                tag = "replace" if i2 > i1 and j2 > j1 else ("delete" if i2 > i1 else "insert")
                add(tag, i1, i2, j1, j2)
                add("equal", ia - trail, ia, jb - trail, jb)
            if ia < len(self.ta):
                add("equal", ia, ia + 1, jb, jb + 1)
            pa_, pb_ = ia + 1, jb + 1
        return out

    def run(self) -> list[Op]:
        blocks = self._opcodes()
        self._find_moves(blocks)
        for tag, i1, i2, j1, j2 in blocks:
            touched = any(k in self.moved_a for k in range(i1, i2)) or any(
                k in self.moved_b for k in range(j1, j2)
            )
            if tag == "equal":
                self._equal(i1, i2, j1, j2)
            elif tag == "replace" and not touched:
                self._replace(i1, i2, j1, j2)
            else:
                self._one_sided(i1, i2, j1, j2)
        return self.ops

    def _equal(self, i1: int, i2: int, j1: int, j2: int) -> None:
        """Aligned tokens with equal keys: identical, or typography (surface differs)."""
        group: list[int] = []
        current = ""
        for k in range(i2 - i1):
            ta, tb = self.ta[i1 + k], self.tb[j1 + k]
            cls = "identical" if ta.text == tb.text else "punctuation"
            breaks = bool(group) and (
                ta.segment != self.ta[i1 + group[-1]].segment
                or tb.segment != self.tb[j1 + group[-1]].segment
            )
            if group and (cls != current or breaks):
                self._flush_equal(current, i1, j1, group)
                group = []
            group.append(k)
            current = cls
        if group:
            self._flush_equal(current, i1, j1, group)

    def _flush_equal(self, cls: str, i1: int, j1: int, group: list[int]) -> None:
        lo, hi = group[0], group[-1] + 1
        ai, bj = (i1 + lo, i1 + hi), (j1 + lo, j1 + hi)
        if cls == "identical":
            self._emit(cls, ai, bj)
            return
        # Typography: take in the surrounding spaces when the two sides space it differently
        # (" – " against "—").
        sa, ea = self.ta[ai[0]].start, self.ta[ai[1] - 1].end
        sb, eb = self.tb[bj[0]].start, self.tb[bj[1] - 1].end
        ga = self._gaps(self.ta, self.a.text, ai)
        gb = self._gaps(self.tb, self.b.text, bj)
        marks_only = not any(t.is_word for t in self.ta[ai[0] : ai[1]])
        if marks_only and None not in (ga[0], gb[0]) and ga[0] != gb[0]:
            sa, sb = sa - len(ga[0] or ""), sb - len(gb[0] or "")
        if marks_only and None not in (ga[1], gb[1]) and ga[1] != gb[1]:
            ea, eb = ea + len(ga[1] or ""), eb + len(gb[1] or "")
        self.ops.append(Op(cls, sa, ea, self.a.text[sa:ea], sb, eb, self.b.text[sb:eb]))

    @staticmethod
    def _gaps(
        tokens: Sequence[Token], text: str, r: tuple[int, int]
    ) -> tuple[str | None, str | None]:
        """Whitespace before and after tokens ``r``; None where no token of the segment is there."""
        lo, hi = r
        before = (
            text[tokens[lo - 1].end : tokens[lo].start]
            if lo > 0 and tokens[lo - 1].segment == tokens[lo].segment
            else None
        )
        after = (
            text[tokens[hi - 1].end : tokens[hi].start]
            if hi < len(tokens) and tokens[hi].segment == tokens[hi - 1].segment
            else None
        )
        return before, after

    def _replace(self, i1: int, i2: int, j1: int, j2: int) -> None:
        wa = [t for t in self.ta[i1:i2] if t.is_word]
        wb = [t for t in self.tb[j1:j2] if t.is_word]
        if [t.key for t in wa] == [t.key for t in wb]:
            self._emit("punctuation", (i1, i2), (j1, j2))
        elif not wb or not wa:
            self._words_against_marks(i1, i2, j1, j2, a_has_words=bool(wa))
        elif all(is_function_word(t) for t in [*wa, *wb]):
            self._emit("function_word", (i1, i2), (j1, j2))
        else:
            self._emit("substitution", (i1, i2), (j1, j2))

    def _words_against_marks(
        self, i1: int, i2: int, j1: int, j2: int, *, a_has_words: bool
    ) -> None:
        """One side has words, the other only punctuation: a punctuation op plus the words."""
        toks = self.ta if a_has_words else self.tb
        lo, hi = (i1, i2) if a_has_words else (j1, j2)
        lead = 0
        while lo + lead < hi and not toks[lo + lead].is_word:
            lead += 1
        trail = 0
        while hi - trail > lo and not toks[hi - trail - 1].is_word:
            trail += 1
        marks = (j1, j2) if a_has_words else (i1, i2)
        if lead:
            pair = ((lo, lo + lead), marks) if a_has_words else (marks, (lo, lo + lead))
            self._emit("punctuation", *pair)
            if a_has_words:
                self._one_sided(lo + lead, hi, j2, j2)
            else:
                self._one_sided(i2, i2, lo + lead, hi)
        elif trail:
            if a_has_words:
                self._one_sided(lo, hi - trail, j1, j1)
                self._emit("punctuation", (hi - trail, hi), marks)
            else:
                self._one_sided(i1, i1, lo, hi - trail)
                self._emit("punctuation", marks, (hi - trail, hi))
        else:
            self._one_sided(i1, i2, j1, j1)
            self._one_sided(i2, i2, j1, j2)

    def _one_sided(self, i1: int, i2: int, j1: int, j2: int) -> None:
        """Tokens of A not in B (omissions), then of B not in A (insertions); moves in place."""
        start = i1
        k = i1
        while k <= i2:
            if k == i2 or k in self.moved_a:
                self._deleted(start, k, j1)
                if k < i2:
                    ia, ib, jb1, jb2 = self.moved_a[k]
                    self._emit("reordering", (ia, ib), (jb1, jb2))
                    k = ib
                    start = k
                    continue
            k += 1
        start = j1
        for k in range(j1, j2 + 1):
            if k == j2 or k in self.moved_b:
                self._inserted(start, k, i2)
                start = k + 1

    def _deleted(self, lo: int, hi: int, j: int) -> None:
        for s, e in self._split(self.ta, lo, hi):
            toks = self.ta[s:e]
            if not any(t.is_word for t in toks):
                cls = "punctuation"
            elif hi == len(self.ta) and j == len(self.tb):
                cls = "truncation"  # the whole tail, even across segments
            else:
                cls = "omission"
            self._emit(cls, (s, e), (j, j), b_at=self._b_point(j))

    def _inserted(self, lo: int, hi: int, i: int) -> None:
        for s, e in self._split(self.tb, lo, hi):
            toks = self.tb[s:e]
            if not any(t.is_word for t in toks):
                cls = "punctuation"
            elif hi == len(self.tb) and i == len(self.ta):
                cls = "truncation"
            else:
                cls = "insertion"
            self._emit(cls, (i, i), (s, e), a_at=self._a_point(i))
