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

The module is in three parts: tokens and renderings (:mod:`newsanno.fidelity.renderings`), the
alignment of two direct renderings (:mod:`newsanno.fidelity.aligner`), and here the pairs, their
classes and the rows of the export's tables. The thresholds below are those of the cross-document
lints of validation (:mod:`newsanno.rules.crossdoc`): similar quotes in different documents that
are not linked to one utterance, and quotes linked to one utterance that barely overlap.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import combinations
from typing import TYPE_CHECKING

from newsanno.fidelity.aligner import MIN_MOVE_WORDS as MIN_MOVE_WORDS
from newsanno.fidelity.aligner import Op as Op
from newsanno.fidelity.aligner import _Aligner
from newsanno.fidelity.renderings import FUNCTION_WORDS as FUNCTION_WORDS
from newsanno.fidelity.renderings import Rendering as Rendering
from newsanno.fidelity.renderings import Token as Token
from newsanno.fidelity.renderings import _span as _span
from newsanno.fidelity.renderings import is_function_word as is_function_word
from newsanno.fidelity.renderings import merge_segments as merge_segments
from newsanno.fidelity.renderings import rendering_of as rendering_of
from newsanno.fidelity.renderings import renderings as renderings
from newsanno.fidelity.renderings import tokenize as tokenize

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


# --------------------------------------------------------------------------------------------
# Alignment


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


def compare_corpus(corpus: Corpus) -> list[PairAlignment]:
    """Every pair of documents quoting one utterance, aligned; ordered by utterance and doc_ids."""
    return [p for rs in renderings(corpus).values() for p in align_renderings(rs)]


def align_renderings(rs: Iterable[Rendering]) -> list[PairAlignment]:
    """Every pair of the renderings of one utterance, aligned, ordered by doc_ids (the earlier
    document is ``a``)."""
    return [align(a, b) for a, b in combinations(sorted(rs, key=lambda r: r.doc_id), 2)]


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
