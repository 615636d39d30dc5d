"""A JSONL line's positions found per path (``LazyJson``) are those of the full scan."""

from __future__ import annotations

import json
import random
from typing import Any

import orjson
import pytest

from newsanno.bench.synth import make_document, make_world
from newsanno.read.jsontext import LazyJson, json_located, json_positions
from newsanno.read.parsed import Path_


def _paths(data: Any, prefix: Path_ = ()) -> list[Path_]:
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*prefix, i))
    return out


def _layouts(doc: Any) -> list[str]:
    return [
        orjson.dumps(doc).decode(),
        json.dumps(doc),  # spaces after `:` and `,`, escapes
        json.dumps(doc, ensure_ascii=False, indent=2),  # many lines
        json.dumps(doc, ensure_ascii=False, separators=(" ,", " : ")),
    ]


@pytest.mark.parametrize("seed", range(3))
def test_every_path_and_its_neighbours_have_the_full_scans_position(seed: int) -> None:
    rng = random.Random(seed)
    doc = make_document(make_world(seed), seed, seed, size=900)
    doc["metadata"]['odd "key" \\ é'] = ["\u00e9\u2019\U0001f600", {"x": [1, -2.5e3, None, True]}]
    doc["quotes"][0]["content"].append('a \\"quoted\\" tab\\t and \U0001f600')
    asked = 0
    for text in _layouts(doc):
        full = json_positions(text)
        lazy = json_located(text)
        assert full is not None and isinstance(lazy, LazyJson)
        paths = _paths(doc)
        paths = [*rng.sample(paths, min(len(paths), 300)), ()]
        for path in paths:
            near = [path, (*path, "nope"), (*path, 999), (*path, 0), (*path, "id")]
            if path:
                near.append((*path[:-1], "zz", *path[-1:]))
            for probe in near:
                for key in (False, True):
                    assert lazy.where(probe, key=key) == full.where(probe, key=key), (probe, key)
                    asked += 1
        assert lazy.full is None  # every answer came from the walk, none from the full scan
    assert asked > 5_000


def test_a_line_yaml_reads_otherwise_is_left_to_the_full_scan() -> None:
    assert json_located('{"a": "x\u2028y"}') is None
    assert json_located('{"a": 1}\r') is None
    assert json_located("   ") is None


def test_a_text_the_walk_cannot_follow_is_answered_by_the_full_scan() -> None:
    text = '{"a": [1, 2}'  # not JSON: the walk stops, the full scan (then YAML) answers
    lazy = json_located(text)
    assert isinstance(lazy, LazyJson)
    assert lazy.where(("a", 1, "b")) == (1, 11)  # (not JSON, as no line that gets here is)
    assert lazy.full is None
    assert lazy.where(("a", 2)) == (1, 1)
    assert lazy.full is not None
