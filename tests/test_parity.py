"""Parity between the published JSON Schema and the pydantic model.

Wherever JSON Schema can express a rule, it rejects what the model rejects, and it never rejects
what the model accepts (so an editor never flags a file the validator would accept). The rules only
the model can check are listed in MODEL_ONLY and in the README ("Checks only the model makes").
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from newsanno.engines.local import CORPUS_NAMES
from newsanno.model import CorpusFile, DocumentFile
from newsanno.read.parse import parse_file
from newsanno.rules.structure import schema_problems

from .conftest import CASES, MINIMAL

MODEL_ONLY = (
    "must be greater than `start`",  # span end > start: JSON Schema cannot compare two values
    "does not exist in",  # a calendar date (2025-02-30) beyond the YYYY-MM-DD pattern
)


@pytest.mark.parametrize("kind", ["corpus", "document"])
def test_the_schemas_are_valid_json_schema(kind: str) -> None:
    """The validator builds its jsonschema validators without checking the schemas: this does."""
    from jsonschema import Draft202012Validator

    from newsanno.model.schemas import corpus_schema, document_schema

    Draft202012Validator.check_schema(corpus_schema() if kind == "corpus" else document_schema())
    published = Path(__file__).parents[1] / "schema" / f"{kind}.schema.json"
    Draft202012Validator.check_schema(json.loads(published.read_text(encoding="utf-8")))


def _model_verdict(model: type[BaseModel], data: Any) -> tuple[bool, list[str]]:
    try:
        model.model_validate(data)
        return True, []
    except ValidationError as exc:
        # the plain-string branch of a span union always "fails" for a mapping; skip that noise
        errors = [
            e
            for e in exc.errors()
            if not (e["type"] == "string_type" and isinstance(e["input"], dict))
        ]
        return False, [str(e["msg"]) for e in errors]


def _agree(kind: str, data: Any) -> None:
    model: type[BaseModel] = CorpusFile if kind == "corpus" else DocumentFile
    schema_ok = not schema_problems(kind, data)
    model_ok, messages = _model_verdict(model, data)
    if schema_ok and not model_ok:
        assert all(any(m in msg for m in MODEL_ONLY) for msg in messages), messages
    else:
        assert schema_ok == model_ok, (schema_ok, model_ok, messages, schema_problems(kind, data))


def _golden_files() -> list[Path]:
    """Golden annotation files that parse (files that do not parse reach neither check)."""
    files = []
    for folder in [*(CASES / "valid").iterdir(), *(CASES / "invalid").iterdir()]:
        if folder.is_dir():
            files += [p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml", ".json")]
    return sorted(
        p for p in files if (parsed := parse_file(p)).data is not None and not parsed.problems
    )


@pytest.mark.parametrize("path", _golden_files(), ids=lambda p: str(p.relative_to(CASES)))
def test_schema_and_model_agree_on_golden_files(path: Path) -> None:
    _agree("corpus" if path.name in CORPUS_NAMES else "document", parse_file(path).data)


def test_model_only_rules_are_exercised() -> None:
    """The golden cases include each model-only rule, and the schema indeed lets them through."""
    seen = set()
    for path in _golden_files():
        parsed = parse_file(path)
        kind = "corpus" if path.name in CORPUS_NAMES else "document"
        model = CorpusFile if kind == "corpus" else DocumentFile
        ok, messages = _model_verdict(model, parsed.data)
        if not ok and not schema_problems(kind, parsed.data):
            seen |= {m for m in MODEL_ONLY for msg in messages if m in msg}
    assert seen == set(MODEL_ONLY)


@pytest.mark.parametrize(
    "url",
    [
        "x",
        "not a url",
        "",
        "example.org/a",
        "https://example.org/a b",
        "https://example.org/a",
        "mailto:desk@example.org",
        "urn:isbn:0451450523",
        "http://[::1]:8080/x?q=1#f",
    ],
)
def test_schema_and_model_agree_on_urls(url: str) -> None:
    """``format: uri`` is the one format the schema checks; the model checks it the same way."""
    data = copy.deepcopy(_base("document"))
    data["metadata"]["url"] = url
    _agree("document", data)


VALUES = [
    None,
    0,
    -1,
    3,
    1.5,
    26.0,  # an integer to JSON Schema's data model, a float to the readers and the model
    "",
    "x",
    "Q0",
    "2025-13",
    "2025-06-11",
    True,
    [],
    {},
    {"text": "x"},
    {"start": 2, "end": 1},
    {"occurrence": 1},
    ["x"],
    "PER",
    "direct",
    "Justice.Pardon",
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(data: Any, path: tuple[Any, ...], op: str, value: Any) -> Any:
    data = copy.deepcopy(data)
    if not path:
        return value if op == "set" else data
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if op == "set":
        parent[last] = value
    elif op == "delete":
        del parent[last]
    elif op == "add" and isinstance(parent[last], dict):
        parent[last]["unknown_field"] = value
    return data


def _base(kind: str) -> Any:
    name = "corpus.yaml" if kind == "corpus" else "documents/a1.yaml"
    return parse_file(MINIMAL / name).data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_schema_and_model_agree_on_mutations(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(["corpus", "document"]))
    base = _base(kind)
    path = data.draw(st.sampled_from(_paths(base)))
    op = data.draw(st.sampled_from(["set", "delete", "add"]))
    value = data.draw(st.sampled_from(VALUES))
    mutated = _mutate(base, path, op, value)
    _agree(kind, json.loads(json.dumps(mutated)))
