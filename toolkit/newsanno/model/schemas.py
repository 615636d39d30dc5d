"""The published JSON Schemas (draft 2020-12), generated from the models and the ontology.

``newsanno schema`` writes them into ``schema/``; ``newsanno schema --check`` fails when the
committed files differ from what the code generates. The validator uses the in-memory schemas,
which a test keeps identical to the committed files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

from newsanno.model import CorpusFile, DocumentFile, roles_schema_rules
from newsanno.model.label_map import LABEL_MAP_SCHEMA, label_map_schema
from newsanno.model.ontology import load_ontology

DIALECT = "https://json-schema.org/draft/2020-12/schema"
CORPUS_SCHEMA = "corpus.schema.json"
DOCUMENT_SCHEMA = "document.schema.json"
ONTOLOGY_FILE = "ontology.json"


def _model_schema(model: type[CorpusFile] | type[DocumentFile], description: str) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation")
    out: dict[str, Any] = {"$schema": DIALECT, "description": description}
    out.update(schema)
    out["description"] = description
    return out


@cache
def corpus_schema() -> dict[str, Any]:
    """Schema of ``corpus.yaml``, with the roles each event type allows."""
    schema = _model_schema(
        CorpusFile,
        "newsanno corpus file (corpus.yaml): the world shared by all documents: corpus "
        "metadata, entities, events and utterances. Offsets elsewhere count Unicode code points.",
    )
    schema["$defs"]["Event"]["allOf"] = roles_schema_rules()
    return schema


@cache
def document_schema() -> dict[str, Any]:
    """Schema of one document's annotations (a YAML file, or one line of a JSONL shard)."""
    return _model_schema(
        DocumentFile,
        "newsanno document file: one article's annotations. Spans are anchored by their text "
        "or by offsets in Unicode code points (end exclusive) into the exact UTF-8 text.",
    )


def ontology_document() -> dict[str, Any]:
    """The ontology as published JSON."""
    return {"$comment": "generated from toolkit/newsanno/data/ontology.yaml", **load_ontology().raw}


GENERATORS: dict[str, Callable[[], dict[str, Any]]] = {
    CORPUS_SCHEMA: corpus_schema,
    DOCUMENT_SCHEMA: document_schema,
    LABEL_MAP_SCHEMA: label_map_schema,
    ONTOLOGY_FILE: ontology_document,
}
"""Every generated file in ``schema/`` and the function that produces it."""


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
