"""Quote fidelity: how different documents word the same utterance.

When quotes in two or more documents link to one utterance (one real act of saying or writing),
each document gives its own *rendering* of it. This module aligns every pair of renderings word by
word and classifies each difference, keeping exact code-point offsets into both article texts so
that every difference can be highlighted in both.

**Renderings.** A document's rendering of an utterance is the content of every quote in that
document linked to it, all segments of all those quotes in text order (overlapping segments, such
as a nested quote, are merged). Segments are joined without adding anything: alignment works on
tokens, each of which keeps its offsets and the index of its segment, so "she said" between two
segments never enters the comparison, and two outlets that split the same words at different
places (one quote with two segments, or two quotes) still align word for word. When a document
has direct quotes of the utterance, only they form its rendering; indirect and mixed quotes are
used only when a document has no direct quote of it.

**Tokens.** Words (letters and digits, with inner apostrophes: ``what’s``) and single punctuation
marks. Tokens are compared by a normalised key (case folded, curly and straight quotation marks
and apostrophes unified, hyphens and dashes unified), so typography never hides a match.

**Difference classes** (:data:`OP_CLASSES`):

``identical``     the same tokens, character for character;
``punctuation``   punctuation and typography only: quotation marks, apostrophes, en/em dashes and
                  their spacing, letter case, a comma or full stop present on one side only;
``function_word`` function words substituted for each other ("who" → "that"), from a closed list;
``substitution``  other words substituted;
``omission``      words in A that B lacks (within the quote, or at its start);
``insertion``     words in B that A lacks (within the quote, or at its start);
``truncation``    one quote stops early: words at the end of one side that the other lacks (the
                  side with the empty span is the truncated one);
``reordering``    a run of words present on both sides at different places (a moved block);
``paraphrase``    one side is an indirect or mixed quote: the pair is one paraphrase operation with
                  its (low) similarity, not token operations.

Every operation has a span in both documents: ``[start, end)`` in code points of that document's
text, with ``text == article_text[start:end]``. The side that has nothing (an omission in B, an
insertion in A) has an empty span at the place where the words would be. An operation can cover
narration between two segments only when it is a ``substitution``, ``function_word``,
``reordering`` or ``paraphrase`` that straddles them; ``identical``, ``punctuation``, omissions and
insertions are split at segment boundaries.

The module also provides the cross-document lints of validation (:class:`CrossDocumentLints`):
similar quotes in different documents that are not linked to one utterance, and quotes linked to
one utterance that barely overlap.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import combinations
from typing import TYPE_CHECKING

from newsanno.model import Quote, Span

if TYPE_CHECKING:
    from newsanno.model.corpus import Corpus

OP_CLASSES: tuple[str, ...] = (
    "identical",
    "punctuation",
    "function_word",
    "substitution",
    "omission",
    "insertion",
    "truncation",
    "reordering",
    "paraphrase",
)
"""Every class an operation can have, in the order the summaries count them."""

RELATIONS: tuple[str, ...] = ("identical", "variant", "paraphrase")
"""How two renderings relate: the same tokens, a verbatim variant, or a paraphrase."""

_FUNCTION_WORDS = """
    a an the this that these those some any each every no all both either neither such
    i me my mine myself we us our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves one
    who whom whose which what whatever whoever where when why how whether
    and or but nor so yet if then than because as while although though unless until since
    of in on at by for with without to from into onto upon about above below over under between
    among through during before after against around across along toward towards within off out
    up down near past per via
    be am is are was were been being have has had having do does did doing
    will would shall should can could may might must ought
    not n't there here just also too very only even
"""
FUNCTION_WORDS: frozenset[str] = frozenset(_FUNCTION_WORDS.split())
"""A closed list of English function words: determiners, pronouns (personal and relative),
conjunctions, prepositions, auxiliaries and modals, and a few particles and adverbs."""

MIN_MOVE_WORDS = 2
"""A moved block has at least this many words, one of them not a function word."""

POSSIBLE_SAME_MIN_WORDS = 6
"""Quotes shorter than this (in words) are never reported as possibly the same utterance."""
POSSIBLE_SAME_OVERLAP = 0.8
"""Share of the shorter quote's words found, in order, in the other quote, from which two quotes
not linked to one utterance are reported as possibly the same utterance."""
LOW_OVERLAP_MIN_WORDS = 4
"""Renderings shorter than this (in words) are never reported as barely overlapping."""
LOW_OVERLAP = 0.3
"""Share of the shorter rendering's words found in the other one, below which two renderings of
one utterance are reported as barely overlapping."""

_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
_FOLD = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "‚": "'",
        "‛": "'",
        "`": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "«": '"',
        "»": '"',
        "–": "-",
        "—": "-",
        "―": "-",
        "‒": "-",
        "−": "-",
        "‐": "-",
        "‑": "-",
    }
)


# --------------------------------------------------------------------------------------------
# Tokens and renderings


@dataclass(frozen=True)
class Token:
    """A word or a punctuation mark, with its code-point offsets in the article text."""

    text: str
    start: int
    end: int
    segment: int = 0

    @property
    def key(self) -> str:
        """The form tokens are matched by: case folded, typography unified."""
        return self.text.translate(_FOLD).casefold()

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum() or self.text[0] == "_"


def tokenize(text: str, start: int = 0, end: int | None = None, segment: int = 0) -> list[Token]:
    """Tokens of ``text[start:end]``, with offsets into ``text``."""
    stop = len(text) if end is None else end
    return [
        Token(m.group(), m.start(), m.end(), segment) for m in _TOKEN.finditer(text, start, stop)
    ]


def is_function_word(token: Token) -> bool:
    return token.key.replace("'", "") in FUNCTION_WORDS or token.key in FUNCTION_WORDS


@dataclass(frozen=True)
class Rendering:
    """How one document quotes one utterance: the segments of its quotes, in text order."""

    doc_id: str
    utterance_id: str
    text: str
    quote_ids: tuple[str, ...]
    quote_types: tuple[str, ...]
    segments: tuple[tuple[int, int], ...]
    tokens: tuple[Token, ...]

    @property
    def paraphrase(self) -> bool:
        """True when the rendering is indirect or mixed (no direct quote of the utterance)."""
        return any(t != "direct" for t in self.quote_types)

    @property
    def words(self) -> list[str]:
        return [t.key for t in self.tokens if t.is_word]


def _span(s: object) -> tuple[int, int]:
    assert isinstance(s, Span) and s.start is not None and s.end is not None
    return s.start, s.end


def merge_segments(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted segments, with overlapping ones (a nested quote, a repeated span) merged."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def rendering_of(
    doc_id: str, text: str, quotes: Sequence[Quote], utterance_id: str
) -> Rendering | None:
    """A document's rendering of an utterance from its quotes (spans resolved), or None."""
    linked = [q for q in quotes if q.utterance == utterance_id]
    direct = [q for q in linked if q.type == "direct"]
    chosen = direct or linked
    if not chosen:
        return None
    chosen = sorted(chosen, key=lambda q: min(_span(s) for s in q.content))
    segments = merge_segments(_span(s) for q in chosen for s in q.content)
    tokens = [t for i, (s, e) in enumerate(segments) for t in tokenize(text, s, e, i)]
    return Rendering(
        doc_id,
        utterance_id,
        text,
        tuple(q.id for q in chosen),
        tuple(q.type for q in chosen),
        tuple(segments),
        tuple(tokens),
    )


def renderings(corpus: Corpus) -> dict[str, list[Rendering]]:
    """Every utterance quoted in two or more documents, with its renderings by doc_id."""
    by_utterance: dict[str, list[Rendering]] = defaultdict(list)
    for doc in corpus.documents:
        ids = sorted({q.utterance for q in doc.model.quotes if q.utterance})
        for u in ids:
            r = rendering_of(doc.model.doc_id, doc.text, doc.model.quotes, u)
            if r is not None:
                by_utterance[u].append(r)
    return {
        u: sorted(rs, key=lambda r: r.doc_id)
        for u, rs in sorted(by_utterance.items())
        if len(rs) > 1
    }


# --------------------------------------------------------------------------------------------
# Alignment


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


@dataclass(frozen=True)
class PairAlignment:
    """The alignment of two renderings of one utterance (``a`` before ``b`` by doc_id)."""

    utterance_id: str
    a: Rendering
    b: Rendering
    ops: tuple[Op, ...]
    similarity: float
    """Word-level ratio (2·matches / total words) on normalised words; punctuation ignored."""
    surface_similarity: float
    """Token-level ratio on exact tokens, punctuation included: 1.0 only when character-exact."""
    containment: float = 1.0
    """Share of the shorter rendering's words found, in order, in the other one."""

    @property
    def relation(self) -> str:
        if self.a.paraphrase or self.b.paraphrase:
            return "paraphrase"
        if all(op.op_class == "identical" for op in self.ops):
            return "identical"
        return "variant"

    @property
    def counts(self) -> dict[str, int]:
        """Number of operations per class (every class present, zero when absent)."""
        found = Counter(op.op_class for op in self.ops)
        return {c: found.get(c, 0) for c in OP_CLASSES}

    def differences(self) -> list[Op]:
        return [op for op in self.ops if op.op_class != "identical"]


def word_overlap(a: Sequence[str], b: Sequence[str]) -> tuple[float, float]:
    """``(ratio, containment)`` of two word sequences.

    ``ratio`` is difflib's 2·M/T; ``containment`` is M over the shorter length: 1.0 when one is an
    in-order subsequence of the other (one outlet quoting part of what another quotes).
    """
    if not a and not b:
        return 1.0, 1.0
    sm = SequenceMatcher(None, list(a), list(b), autojunk=False)
    matched = sum(block.size for block in sm.get_matching_blocks())
    shorter = min(len(a), len(b))
    return 2 * matched / (len(a) + len(b)), (matched / shorter if shorter else 0.0)


def align(a: Rendering, b: Rendering) -> PairAlignment:
    """Align two renderings of one utterance and classify every difference."""
    similarity, containment = word_overlap(a.words, b.words)
    surface = (
        SequenceMatcher(
            None, [t.text for t in a.tokens], [t.text for t in b.tokens], autojunk=False
        ).ratio()
        if a.tokens or b.tokens
        else 1.0
    )
    if a.paraphrase or b.paraphrase:
        (sa, ea), (sb, eb) = _extent(a), _extent(b)
        ops: list[Op] = [Op("paraphrase", sa, ea, a.text[sa:ea], sb, eb, b.text[sb:eb])]
    else:
        ops = _Aligner(a, b).run()
    return PairAlignment(
        a.utterance_id,
        a,
        b,
        tuple(ops),
        round(similarity, 4),
        round(surface, 4),
        round(containment, 4),
    )


def _extent(r: Rendering) -> tuple[int, int]:
    return (r.segments[0][0], r.segments[-1][1]) if r.segments else (0, 0)


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


def compare_corpus(corpus: Corpus) -> list[PairAlignment]:
    """Every pair of documents quoting one utterance, aligned; ordered by utterance and doc_ids."""
    out = []
    for _, rs in renderings(corpus).items():
        for a, b in combinations(rs, 2):
            out.append(align(a, b))
    return out


def compare_utterance(corpus: Corpus, utterance_id: str) -> list[PairAlignment]:
    """The aligned pairs of one utterance (empty when fewer than two documents quote it)."""
    return [align(a, b) for a, b in combinations(renderings(corpus).get(utterance_id, []), 2)]


# --------------------------------------------------------------------------------------------
# Tables


def variant_rows(pairs: Iterable[PairAlignment]) -> Iterator[dict[str, object]]:
    """Rows of ``quote_variants``: one per operation, in alignment order."""
    for p in pairs:
        for n, op in enumerate(p.ops):
            yield {
                "utterance_id": p.utterance_id,
                "doc_id_a": p.a.doc_id,
                "doc_id_b": p.b.doc_id,
                "op_index": n,
                "op_class": op.op_class,
                "a_start": op.a_start,
                "a_end": op.a_end,
                "a_text": op.a_text,
                "b_start": op.b_start,
                "b_end": op.b_end,
                "b_text": op.b_text,
            }


def pair_rows(pairs: Iterable[PairAlignment]) -> Iterator[dict[str, object]]:
    """Rows of ``quote_variant_pairs``: one per pair of documents quoting one utterance."""
    for p in pairs:
        yield {
            "utterance_id": p.utterance_id,
            "doc_id_a": p.a.doc_id,
            "doc_id_b": p.b.doc_id,
            "relation": p.relation,
            "similarity": p.similarity,
            "surface_similarity": p.surface_similarity,
            "containment": p.containment,
            "quote_ids_a": list(p.a.quote_ids),
            "quote_ids_b": list(p.b.quote_ids),
            "segments_a": len(p.a.segments),
            "segments_b": len(p.b.segments),
            "words_a": len(p.a.words),
            "words_b": len(p.b.words),
            **{f"n_{c}": v for c, v in p.counts.items()},
        }
