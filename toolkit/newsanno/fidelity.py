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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import combinations
from typing import TYPE_CHECKING

from newsanno.model import DocumentFile, Quote, Span
from newsanno.report import Code, Finding, Severity

if TYPE_CHECKING:
    import pyarrow as pa

    from newsanno.validate import Corpus

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
    similarity, _ = word_overlap(a.words, b.words)
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
    return PairAlignment(a.utterance_id, a, b, tuple(ops), round(similarity, 4), round(surface, 4))


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

    def run(self) -> list[Op]:
        ka = [t.key for t in self.ta]
        kb = [t.key for t in self.tb]
        blocks = SequenceMatcher(None, ka, kb, autojunk=False).get_opcodes()
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
        if ga[0] != gb[0]:
            sa, sb = sa - len(ga[0]), sb - len(gb[0])
        if ga[1] != gb[1]:
            ea, eb = ea + len(ga[1]), eb + len(gb[1])
        self.ops.append(Op(cls, sa, ea, self.a.text[sa:ea], sb, eb, self.b.text[sb:eb]))

    @staticmethod
    def _gaps(tokens: Sequence[Token], text: str, r: tuple[int, int]) -> tuple[str, str]:
        """Whitespace before and after tokens ``r`` within their segment."""
        lo, hi = r
        before = (
            text[tokens[lo - 1].end : tokens[lo].start]
            if lo > 0 and tokens[lo - 1].segment == tokens[lo].segment
            else ""
        )
        after = (
            text[tokens[hi - 1].end : tokens[hi].start]
            if hi < len(tokens) and tokens[hi].segment == tokens[hi - 1].segment
            else ""
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
            elif e == len(self.ta) and j == len(self.tb):
                cls = "truncation"
            else:
                cls = "omission"
            self._emit(cls, (s, e), (j, j), b_at=self._b_point(j))

    def _inserted(self, lo: int, hi: int, i: int) -> None:
        for s, e in self._split(self.tb, lo, hi):
            toks = self.tb[s:e]
            if not any(t.is_word for t in toks):
                cls = "punctuation"
            elif e == len(self.tb) and i == len(self.ta):
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


def _schemas() -> tuple[pa.Schema, pa.Schema]:
    import pyarrow as pa

    variants = pa.schema(
        [
            pa.field("utterance_id", pa.string(), nullable=False),
            pa.field("doc_id_a", pa.string(), nullable=False),
            pa.field("doc_id_b", pa.string(), nullable=False),
            pa.field("op_index", pa.int32(), nullable=False),
            pa.field("op_class", pa.string(), nullable=False),
            pa.field("a_start", pa.int64(), nullable=False),
            pa.field("a_end", pa.int64(), nullable=False),
            pa.field("a_text", pa.string(), nullable=False),
            pa.field("b_start", pa.int64(), nullable=False),
            pa.field("b_end", pa.int64(), nullable=False),
            pa.field("b_text", pa.string(), nullable=False),
        ]
    )
    pairs = pa.schema(
        [
            pa.field("utterance_id", pa.string(), nullable=False),
            pa.field("doc_id_a", pa.string(), nullable=False),
            pa.field("doc_id_b", pa.string(), nullable=False),
            pa.field("relation", pa.string(), nullable=False),
            pa.field("similarity", pa.float64(), nullable=False),
            pa.field("surface_similarity", pa.float64(), nullable=False),
            pa.field("quote_ids_a", pa.list_(pa.string()), nullable=False),
            pa.field("quote_ids_b", pa.list_(pa.string()), nullable=False),
            pa.field("segments_a", pa.int32(), nullable=False),
            pa.field("segments_b", pa.int32(), nullable=False),
            pa.field("words_a", pa.int32(), nullable=False),
            pa.field("words_b", pa.int32(), nullable=False),
            *(pa.field(f"n_{c}", pa.int32(), nullable=False) for c in OP_CLASSES),
        ]
    )
    return variants, pairs


TABLE_DESCRIPTIONS: dict[str, str] = {
    "quote_variants": (
        "One row per alignment operation between two documents' renderings of one utterance "
        "(identical runs included, so the rows rebuild both renderings). Offsets are Unicode code "
        "points into each document's text, end exclusive; the empty side of an omission or "
        "insertion is a zero-length span where the words would be."
    ),
    "quote_variant_pairs": (
        "One row per pair of documents quoting one utterance: similarity (word-level ratio), "
        "surface similarity (exact tokens), relation, segmentation and counts of operations per "
        "class."
    ),
}


def quote_variant_tables(corpus: Corpus) -> dict[str, pa.Table]:
    """The ``quote_variants`` and ``quote_variant_pairs`` tables, with explicit schemas."""
    import pyarrow as pa

    variants_schema, pairs_schema = _schemas()
    rows: dict[str, list[object]] = {f.name: [] for f in variants_schema}
    pair_rows: dict[str, list[object]] = {f.name: [] for f in pairs_schema}
    for p in compare_corpus(corpus):
        for n, op in enumerate(p.ops):
            row: dict[str, object] = {
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
            for name, value in row.items():
                rows[name].append(value)
        summary: dict[str, object] = {
            "utterance_id": p.utterance_id,
            "doc_id_a": p.a.doc_id,
            "doc_id_b": p.b.doc_id,
            "relation": p.relation,
            "similarity": p.similarity,
            "surface_similarity": p.surface_similarity,
            "quote_ids_a": list(p.a.quote_ids),
            "quote_ids_b": list(p.b.quote_ids),
            "segments_a": len(p.a.segments),
            "segments_b": len(p.b.segments),
            "words_a": len(p.a.words),
            "words_b": len(p.b.words),
            **{f"n_{c}": v for c, v in p.counts.items()},
        }
        for name, value in summary.items():
            pair_rows[name].append(value)
    return {
        "quote_variants": pa.Table.from_pydict(rows, schema=variants_schema),
        "quote_variant_pairs": pa.Table.from_pydict(pair_rows, schema=pairs_schema),
    }


# --------------------------------------------------------------------------------------------
# Cross-document lints (a pass of validation after every document is loaded)

Locate = Callable[[tuple[str | int, ...]], tuple[int, int]]


@dataclass(frozen=True)
class _QuoteRecord:
    doc_id: str
    file: str
    index: int
    quote_id: str
    quote_type: str
    utterance: str | None
    words: tuple[str, ...]
    line: int
    col: int


@dataclass
class CrossDocumentLints:
    """Collects a compact record of every quote while documents load, then lints across them.

    Memory is a few words per quote, not the documents; candidate pairs come from shared word
    trigrams, so unrelated quotes are never aligned.
    """

    quotes: list[_QuoteRecord] = field(default_factory=list)
    renderings: dict[tuple[str, str], list[int]] = field(default_factory=dict)

    def add(self, doc: DocumentFile, text: str, file: str, locate: Locate) -> None:
        """Record the quotes of one valid document (spans resolved)."""
        for i, q in enumerate(doc.quotes):
            line, col = locate(("quotes", i, "utterance") if q.utterance else ("quotes", i))
            words = tuple(t.key for s in q.content for t in tokenize(text, *_span(s)) if t.is_word)
            self.quotes.append(
                _QuoteRecord(doc.doc_id, file, i, q.id, q.type, q.utterance, words, line, col)
            )

    def findings(self) -> list[Finding]:
        return [*self._possible_same(), *self._low_overlap()]

    def _finding(self, at: _QuoteRecord, code: Code, message: str, hint: str) -> Finding:
        path = ("quotes", at.index, "utterance") if at.utterance else ("quotes", at.index)
        return Finding(
            at.file,
            at.line,
            at.col,
            code,
            Severity.WARNING,
            message,
            hint,
            "/" + "/".join(map(str, path)),
        )

    def _possible_same(self) -> Iterator[Finding]:
        index: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for n, q in enumerate(self.quotes):
            for g in {q.words[k : k + 3] for k in range(len(q.words) - 2)}:
                index[g].append(n)
        candidates: set[tuple[int, int]] = set()
        for hits in index.values():
            for x, y in combinations(hits, 2):
                candidates.add((x, y))
        for x, y in sorted(candidates):
            qa, qb = self.quotes[x], self.quotes[y]
            if qa.doc_id == qb.doc_id or (qa.utterance and qa.utterance == qb.utterance):
                continue
            if min(len(qa.words), len(qb.words)) < POSSIBLE_SAME_MIN_WORDS:
                continue
            _, contained = word_overlap(qa.words, qb.words)
            if contained < POSSIBLE_SAME_OVERLAP:
                continue
            at, other = (qb, qa) if qa.utterance and not qb.utterance else (qa, qb)
            if at.utterance is None and other.utterance is None:
                hint = (
                    "add an utterance to corpus.yaml and link both quotes to it with `utterance:`"
                )
            elif at.utterance is None:
                hint = f"if it reports the same act of saying, add `utterance: {other.utterance}`"
            else:
                hint = (
                    f"if both report one act of saying, link both to one utterance "
                    f"(`{at.utterance}` or `{other.utterance}`)"
                )
            yield self._finding(
                at,
                Code.LINT_POSSIBLE_SAME_UTTERANCE,
                f"quote `{at.quote_id}` shares {contained:.0%} of its words with quote "
                f"`{other.quote_id}` in {other.doc_id} ({other.file}:{other.line}), but they are "
                "not linked to one utterance",
                hint,
            )

    def _low_overlap(self) -> Iterator[Finding]:
        by_utt: dict[str, dict[str, list[_QuoteRecord]]] = defaultdict(lambda: defaultdict(list))
        for q in self.quotes:
            if q.utterance:
                by_utt[q.utterance][q.doc_id].append(q)
        for utt, docs in sorted(by_utt.items()):
            chosen: dict[str, list[_QuoteRecord]] = {}
            for doc_id, qs in sorted(docs.items()):
                direct = [q for q in qs if q.quote_type == "direct"]
                if direct:
                    chosen[doc_id] = direct
            for (da, qa), (db, qb) in combinations(chosen.items(), 2):
                wa = [w for q in qa for w in q.words]
                wb = [w for q in qb for w in q.words]
                if min(len(wa), len(wb)) < LOW_OVERLAP_MIN_WORDS:
                    continue
                _, contained = word_overlap(wa, wb)
                if contained >= LOW_OVERLAP:
                    continue
                first = qa[0]
                yield self._finding(
                    qb[0],
                    Code.LINT_LOW_OVERLAP_UTTERANCE,
                    f"the quotes of utterance `{utt}` in {db} share only {contained:.0%} of their "
                    f"words with those in {da} (`{first.quote_id}` at {first.file}:{first.line})",
                    "check the `utterance:` links: quotes of one utterance repeat the same words; "
                    "link a different utterance, or mark a paraphrase as `type: indirect`",
                )
