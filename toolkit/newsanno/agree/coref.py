"""Coreference scores of a response partition against a key partition.

MUC (Vilain et al., 1995), B³ (Bagga and Baldwin, 1998) and CEAF-e (Luo, 2005) come from
``scorch`` (Grobol), which implements them as Pradhan et al. (2014), "Scoring Coreference
Partitions of Predicted Mentions: A Reference Implementation", define them. scorch has no LEA, so
LEA is implemented here from Moosavi and Strube (2016), "Which Coreference Evaluation Metric Do
You Trust? A Proposal for a Link-based Entity Aware Metric": each entity weighs its size, and is
resolved by the share of its coreference links the other partition keeps; a singleton entity has
one self-link, kept when the other partition has that mention as a singleton too (as in the
authors' scorer).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Sequence

from newsanno.agree.metrics import Scores

Clusters = Sequence[set[Hashable]]

METRICS = ("muc", "b3", "ceafe", "lea")


def _scores(recall: float, precision: float, f1: float) -> Scores:
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1)}


def _no_links(clusters: Clusters) -> bool:
    return all(len(c) <= 1 for c in clusters)


def muc(key: Clusters, response: Clusters) -> Scores:
    """MUC. Undefined (None) when neither partition has a link: MUC counts links only."""
    from scorch.scores import muc as scorch_muc

    if _no_links(key) and _no_links(response):
        return {"precision": None, "recall": None, "f1": None}
    return _scores(*scorch_muc(key, response))


def b_cubed(key: Clusters, response: Clusters) -> Scores:
    from scorch.scores import b_cubed as scorch_b3

    if not key and not response:
        return {"precision": None, "recall": None, "f1": None}
    return _scores(*scorch_b3(key, response))


def ceaf_e(key: Clusters, response: Clusters) -> Scores:
    from scorch.scores import ceaf_e as scorch_ceafe

    if not key and not response:
        return {"precision": None, "recall": None, "f1": None}
    return _scores(*scorch_ceafe(key, response))


def _lea_side(clusters: Clusters, other: Clusters) -> float:
    where = {m: j for j, c in enumerate(other) for m in c}
    weighted = total = 0.0
    for c in clusters:
        size = len(c)
        if size == 0:
            continue
        if size == 1:
            (m,) = c
            j = where.get(m)
            resolved = 1.0 if j is not None and len(other[j]) == 1 else 0.0
        else:
            shared = Counter(where[m] for m in c if m in where)
            kept = sum(n * (n - 1) / 2 for n in shared.values())
            resolved = kept / (size * (size - 1) / 2)
        weighted += size * resolved
        total += size
    return weighted / total if total else 0.0


def lea(key: Clusters, response: Clusters) -> Scores:
    """LEA (Moosavi and Strube, 2016): recall over the key's entities, precision over the
    response's."""
    if not key and not response:
        return {"precision": None, "recall": None, "f1": None}
    recall = _lea_side(key, response)
    precision = _lea_side(response, key)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return _scores(recall, precision, f1)


SCORERS: dict[str, Callable[[Clusters, Clusters], Scores]] = {
    "muc": muc,
    "b3": b_cubed,
    "ceafe": ceaf_e,
    "lea": lea,
}


def coref_scores(key: Clusters, response: Clusters) -> dict[str, Scores]:
    """Every metric, by name."""
    return {name: SCORERS[name](key, response) for name in METRICS}
