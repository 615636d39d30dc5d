"""Agreement between two annotations of the same texts (or a system against a gold corpus)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from newsanno.agree.coref import coref_scores
from newsanno.agree.match import (
    LAYERS,
    SPAN_LAYERS,
    Pairing,
    Unit,
    exact_pairs,
    overlap_pairs,
    pair_documents,
    units,
)
from newsanno.agree.metrics import accuracy, label_agreement, link_prf, prf
from newsanno.engines.local import CORPUS_NAMES
from newsanno.model import ARTICLE
from newsanno.model.corpus import Corpus
from newsanno.model.findings import NewsannoError, Report

Pair = tuple[Unit, Unit]
Key = tuple[str, str]  # (doc_id on that side, item id)


@dataclass
class Agreement:
    """The figures (``data``, what ``--format json`` prints) and, for the HTML view, what each
    side's items disagree on."""

    data: dict[str, Any]
    a: Corpus
    b: Corpus
    pairing: Pairing
    unmatched_a: set[Key] = field(default_factory=set)
    unmatched_b: set[Key] = field(default_factory=set)
    notes_a: dict[Key, list[str]] = field(default_factory=lambda: defaultdict(list))
    notes_b: dict[Key, list[str]] = field(default_factory=lambda: defaultdict(list))


def load_side(path: Path | str) -> tuple[Corpus | None, Report | None]:
    """A corpus folder (validated as ``newsanno validate`` does) or an exported dataset.

    Returns the corpus, or None and the validation report when the folder is invalid.
    """
    from newsanno.engines.local import load_corpus

    root = Path(path)
    if not root.exists():
        raise NewsannoError(f"{root}: no such file or folder")
    is_corpus = root.is_dir() and any((root / n).is_file() for n in CORPUS_NAMES)
    if root.is_dir() and not is_corpus and (root / "datapackage.json").is_file():
        from newsanno.dataset.loader import dataset_to_corpus

        return dataset_to_corpus(root), None
    corpus, report = load_corpus(root)
    return corpus, report


class _Entities:
    """B's entities aligned one to one with A's through their overlap-matched mentions."""

    def __init__(self, pairs: list[Pair]) -> None:
        counts = Counter((ua.item.entity, ub.item.entity) for ua, ub in pairs)
        ents_a = sorted({x for x, _ in counts})
        ents_b = sorted({y for _, y in counts})
        row = {x: i for i, x in enumerate(ents_a)}
        col = {y: j for j, y in enumerate(ents_b)}
        matrix = np.zeros((len(ents_a), len(ents_b)))
        for (x, y), n in counts.items():
            matrix[row[x], col[y]] = n
        self.to_a: dict[str, str] = {}
        if len(ents_a) and len(ents_b):
            rows, cols = linear_sum_assignment(matrix, maximize=True)
            for i, j in zip(rows, cols, strict=True):
                if matrix[i, j] > 0:
                    self.to_a[ents_b[j]] = ents_a[i]

    def __call__(self, ident: str | None) -> str | None:
        """B's entity as A's id; an unaligned one stays apart (``b:`` + its id)."""
        if ident is None or ident == ARTICLE:
            return ident
        return self.to_a.get(ident, f"b:{ident}")


def _doc_ids(pairing: Pairing) -> tuple[dict[str, str], dict[str, str]]:
    da = {a.model.text_sha256: a.model.doc_id for a, _ in pairing.docs}
    db = {b.model.text_sha256: b.model.doc_id for _, b in pairing.docs}
    return da, db


def agree(a: Corpus, b: Corpus, layers: Iterable[str] = LAYERS) -> Agreement:
    """Measure B against A: spans, labels, coreference and cross-document links per layer."""
    chosen = [layer for layer in LAYERS if layer in set(layers)]
    unknown = set(layers) - set(LAYERS)
    if unknown:
        raise NewsannoError(f"unknown layer(s): {', '.join(sorted(unknown))}")
    pairing = pair_documents(a, b)
    result = Agreement({}, a, b, pairing)
    doc_a, doc_b = _doc_ids(pairing)
    world_a = {e.id: e for e in a.world.events}
    world_b = {e.id: e for e in b.world.events}

    all_units: dict[str, tuple[list[Unit], list[Unit]]] = {}
    exact: dict[str, list[Pair]] = {}
    overlap: dict[str, list[Pair]] = {}
    for layer in SPAN_LAYERS:
        ua = [u for da, _ in pairing.docs for u in units(da, layer)]
        ub = [u for _, db in pairing.docs for u in units(db, layer)]
        all_units[layer] = (ua, ub)
        exact[layer] = exact_pairs(ua, ub)
        overlap[layer] = overlap_pairs(ua, ub)
    entity = _Entities(overlap["mentions"])

    def ka(u: Unit) -> Key:
        return (doc_a[u.doc], u.item.id)

    def kb(u: Unit) -> Key:
        return (doc_b[u.doc], u.item.id)

    layers_out: dict[str, Any] = {}
    for layer in chosen:
        if layer == "event_arguments":
            layers_out[layer] = _arguments(overlap["event_mentions"], all_units, entity)["spans"]
            continue
        ua, ub = all_units[layer]
        layers_out[layer] = {
            "count_a": len(ua),
            "count_b": len(ub),
            "exact": {"matched": len(exact[layer]), **prf(len(exact[layer]), len(ua), len(ub))},
            "overlap": {
                "matched": len(overlap[layer]),
                **prf(len(overlap[layer]), len(ua), len(ub)),
            },
        }
        paired_a = {ka(x) for x, _ in overlap[layer]}
        paired_b = {kb(y) for _, y in overlap[layer]}
        result.unmatched_a |= {ka(u) for u in ua} - paired_a
        result.unmatched_b |= {kb(u) for u in ub} - paired_b

    labels: dict[str, Any] = {}

    def compare(
        name: str,
        layer: str,
        get_a: Callable[[Any], Hashable],
        get_b: Callable[[Any], Hashable],
        kind: str = "label",
    ) -> None:
        pairs = overlap[layer]
        va = [get_a(x.item) for x, _ in pairs]
        vb = [get_b(y.item) for _, y in pairs]
        labels[f"{layer}.{name}"] = label_agreement(va, vb) if kind == "label" else accuracy(va, vb)
        for (x, y), p, q in zip(pairs, va, vb, strict=True):
            if p != q:
                result.notes_a[ka(x)].append(f"{name}: here {p}, other side {q}")
                result.notes_b[kb(y)].append(f"{name}: here {q}, other side {p}")

    if "mentions" in chosen:
        compare("kind", "mentions", lambda m: m.kind, lambda m: m.kind)
        compare("entity", "mentions", lambda m: m.entity, lambda m: entity(m.entity), "acc")
    if "quotes" in chosen:
        compare("type", "quotes", lambda q: q.type, lambda q: q.type)
        compare("speaker", "quotes", lambda q: q.speaker, lambda q: entity(q.speaker), "acc")
    if "claims" in chosen:
        compare("type", "claims", lambda c: c.type, lambda c: c.type)
        compare("checkworthy", "claims", lambda c: c.checkworthy, lambda c: c.checkworthy)
        compare("claimant", "claims", lambda c: c.claimant, lambda c: entity(c.claimant), "acc")
    if "event_mentions" in chosen:
        compare(
            "type",
            "event_mentions",
            lambda m: world_a[m.event].type,
            lambda m: world_b[m.event].type,
        )
        compare("realis", "event_mentions", lambda m: m.realis, lambda m: m.realis)
    if "event_arguments" in chosen:
        labels["event_arguments.role"] = _arguments(overlap["event_mentions"], all_units, entity)[
            "role"
        ]

    data: dict[str, Any] = {
        "documents": {
            "matched": [
                {"a": x.model.doc_id, "b": y.model.doc_id, "text_sha256": x.model.text_sha256}
                for x, y in pairing.docs
            ],
            "only_a": [d.model.doc_id for d in pairing.only_a],
            "only_b": [d.model.doc_id for d in pairing.only_b],
        },
        "layers": layers_out,
        "labels": labels,
    }
    if "mentions" in chosen:
        pairs = exact["mentions"]
        key = _clusters(((x.doc, x.segments), (x.doc, x.item.entity)) for x, _ in pairs)
        response = _clusters(((x.doc, x.segments), (y.doc, y.item.entity)) for x, y in pairs)
        data["coref"] = {"mentions": len(pairs), **coref_scores(key, response)}
    cross: dict[str, Any] = {}
    if "quotes" in chosen:
        cross["quotes_utterances"] = _cross(overlap["quotes"], lambda q: q.utterance)
    if "event_mentions" in chosen:
        cross["event_mentions_events"] = _cross(overlap["event_mentions"], lambda m: m.event)
    if cross:
        data["cross_document"] = cross
    result.data = data
    return result


def _clusters(rows: Iterable[tuple[Hashable, Hashable | None]]) -> list[set[Hashable]]:
    """Group items by cluster id; an item without one (None) is a singleton."""
    groups: dict[Hashable, set[Hashable]] = defaultdict(set)
    for item, cluster in rows:
        groups[("singleton", item) if cluster is None else ("cluster", cluster)].add(item)
    return [groups[k] for k in sorted(groups, key=repr)]


def _cross(pairs: list[Pair], get: Callable[[Any], str | None]) -> dict[str, Any]:
    """Agreement on which matched units are one world item (utterance, event), across
    documents: pairwise link F1 and B³ over the clusters."""
    from newsanno.agree.coref import b_cubed
    from newsanno.agree.metrics import links

    key = _clusters(((x.doc, x.segments), get(x.item)) for x, _ in pairs)
    response = _clusters(((x.doc, x.segments), get(y.item)) for x, y in pairs)
    return {
        "units": len(pairs),
        "links_a": len(links(key)),
        "links_b": len(links(response)),
        "pairwise": link_prf(key, response),
        "b3": b_cubed(key, response),
    }


def _arguments(
    em_pairs: list[Pair],
    all_units: dict[str, tuple[list[Unit], list[Unit]]],
    entity: Callable[[str | None], str | None],
) -> dict[str, Any]:
    """Event arguments: a unit is a trigger and the argument's entity (B's aligned to A's).

    Exact: the two triggers have the same offsets. Overlap: the triggers are overlap-matched.
    Role: P/R/F1 of (trigger, entity, role) over overlap-matched triggers.
    """
    ua, ub = all_units["event_mentions"]
    a_args = Counter((u.doc, u.segments, arg.entity) for u in ua for arg in u.item.arguments)
    a_roles = Counter(
        (u.doc, u.segments, arg.entity, arg.role) for u in ua for arg in u.item.arguments
    )
    b_exact = Counter(
        (u.doc, u.segments, entity(arg.entity)) for u in ub for arg in u.item.arguments
    )
    to_a = {id(y): x.segments for x, y in em_pairs}

    def seg(u: Unit) -> Any:
        return to_a.get(id(u), ("b", u.segments))

    b_over = Counter((u.doc, seg(u), entity(arg.entity)) for u in ub for arg in u.item.arguments)
    b_roles = Counter(
        (u.doc, seg(u), entity(arg.entity), arg.role) for u in ub for arg in u.item.arguments
    )
    count_a, count_b = sum(a_args.values()), sum(b_exact.values())
    m_exact = sum((a_args & b_exact).values())
    m_over = sum((a_args & b_over).values())
    m_role = sum((a_roles & b_roles).values())
    return {
        "spans": {
            "count_a": count_a,
            "count_b": count_b,
            "exact": {"matched": m_exact, **prf(m_exact, count_a, count_b)},
            "overlap": {"matched": m_over, **prf(m_over, count_a, count_b)},
        },
        "role": {"matched": m_role, **prf(m_role, count_a, count_b)},
    }
