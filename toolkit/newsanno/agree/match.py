"""Units of each layer and how two annotations' units are matched.

A unit is what one annotator marked: a document (by its text's sha256) and offsets. A quote's
offsets are the set of its segments. Two units match *exactly* when document and offsets are
equal; under *overlap* matching, units overlapping by at least one character are paired one to one
so that the number of pairs is the largest possible (a maximum bipartite matching, solved with
``scipy.optimize.linear_sum_assignment``; among maximum matchings the one with the largest total
Jaccard overlap is chosen, so an exact match is always preferred).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from newsanno.model import Span
from newsanno.model.corpus import Corpus, LoadedDocument
from newsanno.model.findings import NewsannoError

SPAN_LAYERS = ("mentions", "quotes", "claims", "event_mentions")
LAYERS = (*SPAN_LAYERS, "event_arguments")
"""The layers `agree` measures, in report order."""

Segments = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Unit:
    """One annotated item: its document, its offsets (sorted segments) and the item itself."""

    doc: str  # text_sha256
    segments: Segments
    item: Any

    @property
    def length(self) -> int:
        return sum(e - s for s, e in self.segments)

    @property
    def start(self) -> int:
        return self.segments[0][0]


def _bounds(span: Any) -> tuple[int, int]:
    if not isinstance(span, Span) or span.start is None or span.end is None:
        raise NewsannoError("the corpus has unresolved spans; load it with load_corpus()")
    return span.start, span.end


def segments_of(layer: str, item: Any) -> Segments:
    """The offsets of one item of a span layer."""
    if layer == "quotes":
        return tuple(sorted(_bounds(seg) for seg in item.content))
    if layer == "event_mentions":
        return (_bounds(item.trigger),)
    return (_bounds(item.span),)


def units(doc: LoadedDocument, layer: str) -> list[Unit]:
    """The units of one span layer of one document, in text order."""
    sha = doc.model.text_sha256
    found = [Unit(sha, segments_of(layer, item), item) for item in getattr(doc.model, layer)]
    return sorted(found, key=lambda u: (u.segments, u.item.id))


def intersection(a: Unit, b: Unit) -> int:
    """Characters two units share (a unit's own segments do not overlap)."""
    total = 0
    for s1, e1 in a.segments:
        for s2, e2 in b.segments:
            total += max(0, min(e1, e2) - max(s1, s2))
    return total


def jaccard(a: Unit, b: Unit) -> float:
    inter = intersection(a, b)
    return inter / (a.length + b.length - inter) if inter else 0.0


def exact_pairs(a: list[Unit], b: list[Unit]) -> list[tuple[Unit, Unit]]:
    """Units with the same document and offsets; duplicates on one side pair in order."""
    pool: dict[tuple[str, Segments], list[Unit]] = defaultdict(list)
    for u in b:
        pool[(u.doc, u.segments)].append(u)
    pairs = []
    for u in a:
        waiting = pool.get((u.doc, u.segments))
        if waiting:
            pairs.append((u, waiting.pop(0)))
    return pairs


def overlap_pairs(a: list[Unit], b: list[Unit]) -> list[tuple[Unit, Unit]]:
    """A maximum one-to-one matching of overlapping units (of the same document)."""
    by_doc_b: dict[str, list[Unit]] = defaultdict(list)
    for u in b:
        by_doc_b[u.doc].append(u)
    by_doc_a: dict[str, list[Unit]] = defaultdict(list)
    for u in a:
        by_doc_a[u.doc].append(u)
    pairs: list[tuple[Unit, Unit]] = []
    for doc, left in by_doc_a.items():
        right = by_doc_b.get(doc, [])
        if not right:
            continue
        # weight: 1 per pair (so the matching is as large as possible) plus the Jaccard overlap
        # scaled below 1/n (so it only breaks ties between matchings of the same size)
        scale = 1.0 / (min(len(left), len(right)) + 1)
        weights = np.zeros((len(left), len(right)))
        for i, u in enumerate(left):
            for j, v in enumerate(right):
                j_ab = jaccard(u, v)
                if j_ab > 0:
                    weights[i, j] = 1.0 + scale * j_ab
        rows, cols = linear_sum_assignment(weights, maximize=True)
        pairs.extend((left[i], right[j]) for i, j in zip(rows, cols, strict=True) if weights[i, j])
    return sorted(pairs, key=lambda p: (p[0].doc, p[0].segments))


@dataclass
class Pairing:
    """Documents of two corpora paired by the sha256 of their text."""

    docs: list[tuple[LoadedDocument, LoadedDocument]]
    only_a: list[LoadedDocument]
    only_b: list[LoadedDocument]


def pair_documents(a: Corpus, b: Corpus) -> Pairing:
    """Pair documents by ``text_sha256``; report those present on one side only."""
    by_sha_b: dict[str, list[LoadedDocument]] = defaultdict(list)
    for d in b.documents:
        by_sha_b[d.model.text_sha256].append(d)
    docs, only_a = [], []
    for d in a.documents:
        waiting = by_sha_b.get(d.model.text_sha256)
        if waiting:
            docs.append((d, waiting.pop(0)))
        else:
            only_a.append(d)
    only_b = [d for rest in by_sha_b.values() for d in rest]
    return Pairing(docs, only_a, sorted(only_b, key=lambda d: d.model.doc_id))
