"""Inventory of a corpus: counts per layer for each document, and the cross-document links."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from newsanno.model import LAYERS
from newsanno.model.corpus import Corpus


def corpus_stats(corpus: Corpus) -> dict[str, Any]:
    """Counts per document and layer, world sizes, and world items shared by documents."""
    docs = []
    shared: dict[str, dict[str, set[str]]] = {
        k: defaultdict(set) for k in ("entities", "events", "utterances")
    }
    for d in corpus.documents:
        m = d.model
        row: dict[str, Any] = {"doc_id": m.doc_id, "characters": len(d.text)}
        for layer in LAYERS:
            row[layer] = len(getattr(m, layer))
        row["quote_segments"] = sum(len(q.content) for q in m.quotes)
        row["event_arguments"] = sum(len(e.arguments) for e in m.event_mentions)
        docs.append(row)
        for mention in m.mentions:
            shared["entities"][mention.entity].add(m.doc_id)
        for em in m.event_mentions:
            shared["events"][em.event].add(m.doc_id)
        for q in m.quotes:
            if q.utterance:
                shared["utterances"][q.utterance].add(m.doc_id)
    links = {
        kind: {ident: sorted(ds) for ident, ds in sorted(table.items()) if len(ds) > 1}
        for kind, table in shared.items()
    }
    world = corpus.world
    return {
        "corpus": world.corpus.id,
        "world": {
            "entities": len(world.entities),
            "events": len(world.events),
            "utterances": len(world.utterances),
        },
        "documents": docs,
        "cross_document": links,
    }
