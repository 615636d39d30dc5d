"""The JSON Schema findings of a document checked in part (the items jsonschema-rs or the model
rejects, and everything outside the lists) are those of the whole document."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from newsanno.bench.synth import make_document, make_world
from newsanno.model import CorpusFile, DocumentFile
from newsanno.read.parse import parse_file
from newsanno.rules.structure import schema_problems, suspects

from .conftest import CASES

ROOT = Path(__file__).resolve().parent.parent


def _both(kind: str, data: Any) -> tuple[list[Any], list[Any]] | None:
    """(in part, whole) schema problems of data the model rejects; None when it accepts it."""
    model = CorpusFile if kind == "corpus" else DocumentFile
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return schema_problems(kind, data, suspects(kind, data, exc)), schema_problems(kind, data)
    return None


def _files() -> list[Path]:
    found = sorted(CASES.rglob("*.yaml")) + sorted(CASES.rglob("*.json"))
    found += sorted((ROOT / "annotations").rglob("*.yaml"))
    return [p for p in found if p.parent.name != "texts" and not p.name.endswith(".json.json")]


def test_every_case_file_gives_the_same_schema_findings() -> None:
    compared = 0
    for path in _files():
        parsed = parse_file(path)
        if parsed.data is None or parsed.problems:
            continue
        kind = "corpus" if path.stem == "corpus" else "document"
        pair = _both(kind, parsed.data)
        if pair is not None:
            assert pair[0] == pair[1], path
            compared += bool(pair[1])
    assert compared >= 10  # the invalid cases do reach the schema


_VALUES: list[Any] = [
    None,
    True,
    False,
    1.0,
    26.5,
    -1,
    0,
    10**30,
    "",
    "x",
    "not a url",
    "2025-02-30",
    "Q42",
    "1m",
    [],
    [1],
    {},
    {"zz": 1},
    {"text": "the", "start": 1.0},
    {"start": 5},
    float("nan"),
]


def _mutate(data: Any, rng: random.Random) -> None:
    """One random change somewhere in ``data``: a value replaced, a key added or removed."""
    node, steps = data, rng.randint(1, 5)
    for _ in range(steps):
        children = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        children = [(k, v) for k, v in children if isinstance(v, dict | list) and v]
        if not children or rng.random() < 0.2:
            break
        node = rng.choice(children)[1]
    if isinstance(node, dict) and node:
        what = rng.random()
        key = rng.choice(list(node))
        if what < 0.6:
            node[key] = copy.deepcopy(rng.choice(_VALUES))
        elif what < 0.8:
            node[rng.choice(["colour", "note", "kind", "end", key + "s"])] = rng.choice(_VALUES)
        else:
            del node[key]
    elif isinstance(node, list) and node:
        node[rng.randrange(len(node))] = copy.deepcopy(rng.choice(_VALUES))


@pytest.mark.parametrize("seed", range(4))
def test_random_damage_gives_the_same_schema_findings(seed: int) -> None:
    rng = random.Random(seed)
    world = make_world(seed)
    found = 0
    for i in range(60):
        doc = make_document(world, i, seed, size=1_500)
        for _ in range(rng.randint(1, 4)):
            _mutate(doc, rng)
        pair = _both("document", doc)
        if pair is not None:
            assert pair[0] == pair[1], (seed, i)
            found += bool(pair[1])
    corpus = copy.deepcopy(world.data)
    for _ in range(3):
        _mutate(corpus, rng)
    pair = _both("corpus", corpus)
    if pair is not None:
        assert pair[0] == pair[1]
    assert found >= 20  # most damage is a schema finding


def test_a_float_offset_the_compiled_validator_accepts_is_still_reported() -> None:
    """jsonschema-rs counts 26.0 an integer; the model does not, so the item is checked."""
    from newsanno.rules.structure import _compiled

    doc = make_document(make_world(), 3, size=800)
    doc["mentions"][2]["span"]["start"] = float(doc["mentions"][2]["span"]["start"])
    assert _compiled("document").is_valid(doc)
    with pytest.raises(ValidationError) as caught:
        DocumentFile.model_validate(doc)
    only = suspects("document", doc, caught.value)
    assert only is not None and only["mentions"] == {2} and not only["quotes"]
    problems = schema_problems("document", doc, only)
    assert [(p[0], p[2].value) for p in problems] == [
        (("mentions", 2, "span", "start"), "schema-type")
    ]
    assert problems == schema_problems("document", doc)
