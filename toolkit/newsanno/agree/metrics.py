"""Agreement figures: precision/recall/F1, Cohen's kappa, Krippendorff's alpha, link F1.

A figure that is undefined (no units; a coefficient on data with a single value) is ``None``,
never a made-up 0 or 1.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np

Scores = dict[str, float | None]


def prf(matched: int, count_a: int, count_b: int) -> Scores:
    """Precision is B's (matched / count_b), recall A's (matched / count_a), and their F1.

    So ``agree GOLD SYSTEM`` scores a system. With one side empty, its figure is undefined and
    F1 is 0 when the other side has units (both empty: all undefined).
    """
    precision = matched / count_b if count_b else None
    recall = matched / count_a if count_a else None
    if precision is None or recall is None:
        f1 = None if precision is None and recall is None else 0.0
    elif precision + recall == 0:
        f1 = 0.0
    else:
        f1 = 2 * precision * recall / (precision + recall)
    return {"precision": precision, "recall": recall, "f1": f1}


def _codes(a: Sequence[Hashable], b: Sequence[Hashable]) -> tuple[list[int], list[int]]:
    values = sorted({*a, *b}, key=repr)
    index = {v: i for i, v in enumerate(values)}
    return [index[v] for v in a], [index[v] for v in b]


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two label sequences (scikit-learn); None when undefined.

    Undefined: no units, or a single value on both sides (expected agreement 1).
    """
    if len(a) != len(b):
        raise ValueError("two label sequences of the same length are needed")
    if not a or len({*a, *b}) < 2:
        return None
    from sklearn.metrics import cohen_kappa_score

    codes_a, codes_b = _codes(a, b)
    return float(cohen_kappa_score(codes_a, codes_b))


def krippendorff_alpha(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Krippendorff's alpha, nominal, for two coders (the ``krippendorff`` package); None when
    undefined (no units, or a single value throughout)."""
    if len(a) != len(b):
        raise ValueError("two label sequences of the same length are needed")
    if not a or len({*a, *b}) < 2:
        return None
    import krippendorff

    codes_a, codes_b = _codes(a, b)
    data = np.array([codes_a, codes_b], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    return None if np.isnan(value) else float(value)


def label_agreement(a: Sequence[Hashable], b: Sequence[Hashable]) -> dict[str, Any]:
    """Units, observed agreement, kappa and alpha of labels on matched units."""
    agree = sum(1 for x, y in zip(a, b, strict=True) if x == y)
    return {
        "units": len(a),
        "agreement": agree / len(a) if a else None,
        "kappa": cohen_kappa(a, b),
        "alpha": krippendorff_alpha(a, b),
    }


def accuracy(a: Sequence[Hashable], b: Sequence[Hashable]) -> dict[str, Any]:
    """Units and the share of them where A's and B's values are equal."""
    agree = sum(1 for x, y in zip(a, b, strict=True) if x == y)
    return {"units": len(a), "accuracy": agree / len(a) if a else None}


def links(clusters: Iterable[Iterable[Hashable]]) -> set[frozenset[Hashable]]:
    """The pairs of items that share a cluster."""
    out: set[frozenset[Hashable]] = set()
    for cluster in clusters:
        for x, y in itertools.combinations(sorted(set(cluster), key=repr), 2):
            out.add(frozenset((x, y)))
    return out


def link_prf(key: Iterable[Iterable[Hashable]], response: Iterable[Iterable[Hashable]]) -> Scores:
    """Pairwise link precision, recall and F1: B's links against A's."""
    la, lb = links(key), links(response)
    return prf(len(la & lb), len(la), len(lb))
