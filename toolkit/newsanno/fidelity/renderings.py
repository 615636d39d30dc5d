"""Tokens and renderings: how one document quotes one utterance, as tokens with their offsets
(what a rendering is, and how tokens are compared, is told in :mod:`newsanno.fidelity.align`)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsanno.model import Quote, Span

if TYPE_CHECKING:
    from newsanno.model.corpus import Corpus

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
    return _rendering(
        doc_id,
        utterance_id,
        text,
        tuple(q.id for q in chosen),
        tuple(q.type for q in chosen),
        tuple(segments),
    )


def _rendering(
    doc_id: str,
    utterance_id: str,
    text: str,
    quote_ids: tuple[str, ...],
    quote_types: tuple[str, ...],
    segments: tuple[tuple[int, int], ...],
) -> Rendering:
    tokens = [t for i, (s, e) in enumerate(segments) for t in tokenize(text, s, e, i)]
    return Rendering(doc_id, utterance_id, text, quote_ids, quote_types, segments, tuple(tokens))


def document_renderings(doc_id: str, text: str, quotes: Sequence[Quote]) -> list[Rendering]:
    """A document's rendering of each utterance its quotes report, by utterance id."""
    ids = sorted({q.utterance for q in quotes if q.utterance})
    found = (rendering_of(doc_id, text, quotes, u) for u in ids)
    return [r for r in found if r is not None]


def renderings(corpus: Corpus) -> dict[str, list[Rendering]]:
    """Every utterance quoted in two or more documents, with its renderings by doc_id."""
    by_utterance: dict[str, list[Rendering]] = defaultdict(list)
    for doc in corpus.documents:
        for r in document_renderings(doc.model.doc_id, doc.text, doc.model.quotes):
            by_utterance[r.utterance_id].append(r)
    return {
        u: sorted(rs, key=lambda r: r.doc_id)
        for u, rs in sorted(by_utterance.items())
        if len(rs) > 1
    }


Packed = tuple[str, str, int, str, tuple[str, ...], tuple[str, ...], tuple[tuple[int, int], ...]]
"""A rendering without its article: (doc_id, utterance_id, where the text kept starts, the text
from its first segment's start to its last segment's end, quote ids, quote types, segments)."""


def pack(r: Rendering) -> Packed:
    """A rendering as plain values that carry only the text it covers (for grouping renderings
    of many documents by utterance elsewhere, as the Spark engine does)."""
    lo, hi = (r.segments[0][0], r.segments[-1][1]) if r.segments else (0, 0)
    return (r.doc_id, r.utterance_id, lo, r.text[lo:hi], r.quote_ids, r.quote_types, r.segments)


def unpack(packed: Packed) -> Rendering:
    """The rendering :func:`pack` was given, for alignment: the same segments, tokens and
    offsets; the text outside its segments' extent, which no alignment reads, is blank."""
    doc_id, utterance_id, lo, kept, quote_ids, quote_types, segments = packed
    text = " " * lo + kept
    return _rendering(doc_id, utterance_id, text, quote_ids, quote_types, segments)
