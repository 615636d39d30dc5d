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


def _deep(n: int, inner: Any = 1) -> Any:
    out: Any = inner
    for i in range(n):
        out = [out] if i % 2 else {"k": out}
    return out


def _tricky_lines() -> list[str]:
    rng = random.Random(7)
    floats = [rng.uniform(-1e6, 1e6) for _ in range(50)] + [1e16, 1e-7, -0.0, 5e-324, 1.7e308]
    values: list[Any] = [
        floats,
        [2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64 - 1, -(2**63)],
        ["a\nb", 'q"q', "back\\slash", "\u0001\u001f", "\u2028\u2029", "\U0001f600", "é’—"],
        {"nested": _deep(5), "empty": [{}, [], ""], "bools": [True, False, None]},
    ]
    values += [_deep(n) for n in range(55, 63)] + [_deep(n, {}) for n in range(57, 62)]
    values += [list(range(n)) for n in (29_997, 29_998, 29_999, 30_000)]
    values += [{f"k{i}": i for i in range(n)} for n in (14_999, 15_000)]
    lines = [orjson.dumps(v).decode() for v in values]
    lines += [json.dumps(v) for v in values[:4]]  # spaced and escaped: the full path
    lines += ["[18446744073709551616,1000000000000000000000000000000,-9223372036854775809]"]
    lines += ['{"a":1,"a":2}', '{"a":"\\ud800"}', '{"a":1e400}', "[1,2,]", "NaN", '{"a":[1]}']
    doc = make_document(make_world(), 5, size=1_200)
    lines += [orjson.dumps(doc).decode(), json.dumps(doc, ensure_ascii=False)]
    return lines


def _key(parsed: Any) -> Any:
    return repr(parsed.data), [(p.line, p.col, p.code, p.message, p.hint) for p in parsed.problems]


def test_a_line_orjson_reads_gives_what_the_full_path_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newsanno.read import jsontext

    lines = _tricky_lines()
    quick = [jsontext.parse_json_line(text, line_offset=3) for text in lines]
    taken = [jsontext._orjson_line(text) is not None for text in lines]
    monkeypatch.setattr(jsontext, "_orjson_line", lambda text: None)
    full = [jsontext.parse_json_line(text, line_offset=3) for text in lines]
    for text, a, b in zip(lines, quick, full, strict=True):
        assert _key(a) == _key(b), text[:80]
    assert sum(taken) >= 12  # most orjson lines took the quick path
    assert any(p.problems for p in full)  # and the limits were reached on both
    assert taken[-2] and not taken[-1]  # a document as orjson writes it; as json.dumps does
