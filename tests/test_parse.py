"""Files in canonical JSON layout are read with the JSON parser, their positions left for later.

``_canonical_json`` may accept a text only when the YAML reader (and the JSON one) would read it
to the same data without a problem, so nothing but the time of working out positions changes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import newsanno.read.parse as parse_module
import newsanno.read.yaml12 as yaml12
from newsanno import validate
from newsanno.read.parse import _canonical_json, parse_file, parse_json_text, parse_yaml_text

from .conftest import CASES, chdir


def _typed(value: Any) -> Any:
    """``value`` with every scalar's type beside it (so 1, 1.0 and True differ)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
LAYOUTS: list[dict[str, Any]] = [{"indent": 2}, {}, {"separators": (",", ":")}]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=5), st.sampled_from(LAYOUTS))
def test_what_it_accepts_reads_the_same_as_yaml_and_as_json(data: Any, layout: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, **layout) + "\n"
    accepted, found = _canonical_json(text)
    if not accepted:
        return
    for full in (parse_yaml_text, parse_json_text):
        parsed = full(text)
        assert parsed.problems == [], (text, parsed.problems)
        assert _typed(parsed.data) == _typed(found), text


def test_it_accepts_the_layouts_json_and_orjson_write() -> None:
    import orjson

    data = {"a": [1, 2.5, True, None, "é 😀 “q”"], "b": {"c": []}, "d": {}}
    for text in (
        json.dumps(data, indent=2, ensure_ascii=False),
        json.dumps(data, ensure_ascii=False) + "\n",
        orjson.dumps(data).decode(),
        orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n",
    ):
        assert _canonical_json(text) == (True, data), text


@pytest.mark.parametrize(
    "text",
    [
        '{\n  "a": 1,\n  "a": 2\n}',  # a duplicate key
        '{\n  "a"\n  : 1\n}',  # YAML wants the colon on the key's line
        '{\n\t"a": 1\n}',  # a tab
        '{"a": NaN}',
        '{"a": Infinity}',
        '{"a": "\\u00e9"}',  # an escape
        '{"a": "x\u2028y"}',  # a line separator YAML may break at
        '{"a": "x\x85y"}',  # NEL
        '{"a": "\ufeff"}',
        '{"' + "k" * 1001 + '": 1}',  # YAML's implicit keys stop at 1,024 characters
        '{"a":  1}',  # not a canonical layout
        "[" * 70 + "]" * 70,
        "not json",
    ],
)
def test_it_refuses_what_yaml_may_read_otherwise(text: str) -> None:
    assert _canonical_json(text)[0] is False


def _canonical_copy(case: Path, tmp: Path) -> Path:
    """``case`` with every annotation file that parses rewritten as canonical JSON."""
    out = tmp / case.name
    shutil.copytree(case, out, symlinks=True)  # (some cases hold broken symlinks)
    for path in sorted(out.rglob("*")):
        if path.suffix in (".yaml", ".yml", ".json") and path.is_file():
            parsed = parse_file(path)
            if parsed.data is not None and not parsed.problems:
                path.write_text(json.dumps(parsed.data, indent=2, ensure_ascii=False) + "\n")
    return out


CASE_FOLDERS = sorted(
    p for kind in ("valid", "invalid") for p in (CASES / kind).iterdir() if p.is_dir()
)


@pytest.mark.parametrize("case", CASE_FOLDERS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_findings_are_the_same_with_positions_worked_out_late(
    case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every golden case, rewritten as canonical JSON: the same findings, at the same lines and
    columns, whether positions are worked out at once or only when a finding needs them."""
    folder = _canonical_copy(case, tmp_path)
    spec_file = case.with_suffix(".json")
    spec = json.loads(spec_file.read_text()) if spec_file.is_file() else {"args": {}}
    args, paths = spec["args"], spec.get("paths", ["."])
    keys = []
    for late in (True, False):
        if not late:
            monkeypatch.setattr(parse_module, "_canonical_json", lambda text: (False, None))
        with chdir(folder):
            keys.append([f.key() for f in validate(*paths, **args).findings])
    assert keys[0] == keys[1]


def test_scalars_yaml_could_mistake_are_read_the_same() -> None:
    data = {
        "numbers": [1e-05, 1e16, 0.1, 123456789012345678901234567890, -5, 1.5e300],
        "strings": ["yes", "no", "on", "~", "null", "1e5", "0o17", "2025-01-01", "", " x "],
        "marks": ["#c", "- a", ": b", "{", "&a", "*a", "!t", "%", "@", "`", "---", "..."],
    }
    for layout in LAYOUTS:
        text = json.dumps(data, ensure_ascii=False, **layout)
        assert _canonical_json(text) == (True, data)
        parsed = parse_yaml_text(text)
        assert parsed.problems == [] and _typed(parsed.data) == _typed(data)


def test_a_canonical_world_is_read_without_positions_until_needed(tmp_path: Path) -> None:
    path = tmp_path / "corpus.yaml"
    path.write_text(json.dumps({"schema_version": "1.0", "x": [1, 2]}, indent=2) + "\n")
    parsed = parse_file(path)
    assert parsed.locate is not None and parsed.positions == {}
    assert parsed.where(("x", 1)) == (5, 5)  # the 2, on the fifth line
    assert parsed.locate is None and parsed.positions


def test_jsonl_lines_report_the_same_without_the_yaml_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JSONL line is parsed with json alone unless the YAML reader could add a problem: the
    findings (codes, lines, columns) are those of the full parse on every kind of damage."""
    import importlib

    import orjson

    from newsanno.bench.synth import make_document, make_world

    world = make_world()
    (tmp_path / "corpus.yaml").write_bytes(orjson.dumps(world.data))
    lines = []
    for i in range(12):
        doc = make_document(world, i, size=900)
        raw = json.dumps(doc, ensure_ascii=i % 2 == 0)
        damage = [
            lambda r: r,
            lambda r: r.replace('"kind"', '"kind": "x", "kind"', 1),  # a duplicate key
            lambda r: r.replace('"start": 0,', '"start": -1,', 1),
            lambda r: r.replace('"kind"', '"kinds"', 1),  # an unknown field
            lambda r: r.replace('"mentions": [', '"mentions": [' + "[" * 70 + "]" * 70 + ",", 1),
            lambda r: r.replace('"end": ', '"end": NaN, "e": ', 1),
            lambda r: r.replace('"entity": "', '"entity": "zz', 1),
            lambda r: r[:-5],
            lambda r: r.replace('"doc_id"', '"doc_id": null, "d"', 1),
            lambda r: r.replace("{", "[", 1),
            lambda r: r.replace('"text": "', '"text": "\\ud800', 1),
            lambda r: r.replace('"schema_version": "1.0"', '"schema_version": 1', 1),
        ][i]
        lines.append(damage(raw))
    (tmp_path / "s.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    keys = []
    for fast in (True, False):
        if not fast:
            validate_module = importlib.import_module("newsanno.engines.local")
            monkeypatch.setattr(validate_module, "parse_json_line", parse_module.parse_json_text)
        report = validate(tmp_path, jobs=1)
        keys.append([f.key() for f in report.findings])
    assert keys[0] == keys[1]
    assert {k[1] for k in keys[0]} == set(range(2, 13))  # each damaged line, on its own line


@pytest.mark.parametrize(
    ("name", "content", "where"),
    [
        ("s.jsonl", '{"schema_version": "1.0"}\n{"doc_id": "x\\udc00"}\n', (2, 14)),
        ("a.json", '{\n  "doc_id": "\\ud800"\n}\n', (2, 14)),
        ("a.yaml", 'doc_id: "ok \\ud83d\\ude00 then \\ud83d"\n', (1, 31)),
    ],
)
def test_a_lone_surrogate_is_an_encoding_error_not_a_crash(
    tmp_path: Path, name: str, content: str, where: tuple[int, int]
) -> None:
    """Only an escape can put a lone surrogate in a string; no UTF-8 can hold it."""
    (tmp_path / "corpus.yaml").write_text((CASES / "valid" / "minimal" / "corpus.yaml").read_text())
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    report = validate(path)
    found = [f for f in report.findings if f.code.value == "encoding-utf8"]
    assert [(f.line, f.col) for f in found] == [where], report.findings
    assert "surrogate" in found[0].message and not report.valid


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON_VALUES, st.sampled_from([*LAYOUTS, {"ensure_ascii": True}, {"indent": 4}]))
def test_json_positions_are_the_yaml_reader_s(data: Any, layout: Any) -> None:
    """The quick scan gives exactly the positions the YAML reader gives, or steps aside."""
    text = json.dumps(data, **{"ensure_ascii": False, **layout})
    full = parse_yaml_text(text)
    quick = parse_module.json_positions(text)
    if quick is None:
        assert parse_module._YAML_BREAKS.search(text) or full.problems
        return
    assert not full.problems
    assert (quick.positions, quick.key_positions) == (full.positions, full.key_positions)


def test_json_positions_of_real_lines() -> None:
    from newsanno.bench.synth import make_document, make_world

    world = make_world()
    for i in range(6):
        doc = make_document(world, i, size=1500)
        for text in (
            json.dumps(doc),
            json.dumps(doc, ensure_ascii=False),
            json.dumps(doc, indent=1),
        ):
            quick = parse_module.json_positions(text)
            full = parse_yaml_text(text)
            assert quick is not None and not full.problems
            assert (quick.positions, quick.key_positions) == (full.positions, full.key_positions)
    assert parse_module.json_positions('{"a": 1, "a": 2}') is None
    assert parse_module.json_positions('{"a": 1} x') is None
    assert parse_module.json_positions('{"a": "x\u2028y"}') is None


def test_an_escaped_surrogate_pair_is_one_character_in_yaml_and_json() -> None:
    assert parse_yaml_text('a: "\\ud83d\\ude00"\n').data == {"a": "😀"}
    assert parse_yaml_text("a: '\\ud83d'\n").data == {"a": "\\ud83d"}  # single quotes: no escapes
    parsed = parse_json_text('{"a": "\\ud83d\\ude00"}')
    assert parsed.problems == [] and parsed.data == {"a": "😀"}


def _yaml_files() -> list[Path]:
    root = Path(__file__).resolve().parents[1]
    found = sorted((root / "annotations").rglob("*.yaml"))
    found += sorted((root / "tests" / "cases").rglob("*.yaml"))
    return [p for p in found if p.is_file()]  # not the cases' dangling symlinks


@pytest.mark.parametrize("path", _yaml_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_libyaml_reads_what_the_pure_parser_reads(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The libyaml fast path gives the same data, positions and problems as the pure parser."""
    from newsanno.read import parse as parse_module

    text = path.read_bytes().decode("utf-8", errors="replace")
    fast = parse_module.parse_yaml_text(text)
    monkeypatch.setattr(yaml12, "_CParser", None)
    slow = parse_module.parse_yaml_text(text)
    assert (fast.data, fast.positions, fast.key_positions) == (
        slow.data,
        slow.positions,
        slow.key_positions,
    )
    assert fast.problems == slow.problems


def test_libyaml_is_used_and_folded_scalars_have_no_fold_marks() -> None:
    from newsanno.read import parse as parse_module

    text = "a: >\n  one\n  two\nb: [1, x]\n"
    assert parse_module._CParser is not None, "ruamel.yaml.clib is a dependency"
    assert isinstance(parse_module._libyaml_events(text, 100), list)
    assert parse_module.parse_yaml_text(text).data == {"a": "one two\n", "b": [1, "x"]}
    # the pure parser marks folds with BEL internally; none may reach the data
    assert parse_module._libyaml_events('a: "x\\ty"\n', 100) is None  # an escape: the pure parser


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=12),
        lambda kids: (
            st.lists(kids, max_size=4)
            | st.dictionaries(st.text(min_size=1, max_size=8), kids, max_size=4)
        ),
        max_leaves=20,
    ),
    st.sampled_from([None, False, True]),
)
@settings(max_examples=200, deadline=None)
def test_libyaml_and_pure_parser_agree_on_random_yaml(data: object, flow: bool | None) -> None:
    from io import StringIO

    from ruamel.yaml import YAML

    from newsanno.read import parse as parse_module

    out = StringIO()
    writer = YAML(typ="safe", pure=True)
    writer.default_flow_style = flow
    writer.allow_unicode = True
    writer.dump(data, out)
    text = out.getvalue()
    fast = parse_module.parse_yaml_text(text)
    saved = yaml12._CParser
    yaml12._CParser = None
    try:
        slow = parse_module.parse_yaml_text(text)
    finally:
        yaml12._CParser = saved
    assert (fast.data, fast.positions, fast.problems) == (slow.data, slow.positions, slow.problems)


def test_a_yaml_world_is_parsed_once_and_its_positions_still_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsanno.engines.local import Validator

    monkeypatch.setenv("NEWSANNO_CACHE_DIR", str(tmp_path / "cache"))
    world = tmp_path / "corpus.yaml"
    shutil.copy(CASES / "valid" / "minimal" / "corpus.yaml", world)
    first = parse_module.parse_file(world, cache=True)
    cached = list((tmp_path / "cache" / "yaml").glob("*.json"))
    assert len(cached) == 1 and first.locate is None
    again = parse_module.parse_file(world, cache=True)
    assert again.data == first.data and again.locate is not None  # from the cache
    assert again.located().positions == first.positions
    # a finding in a cached world still names its line: break a reference, keep the YAML valid
    text = world.read_text(encoding="utf-8")
    assert "type: PER" in text
    broken = text.replace("type: PER", "type: PERSON", 1)
    world.write_text(broken, encoding="utf-8")
    v = Validator()
    v.load_world(world)  # caches the broken world
    v2 = Validator()
    v2.load_world(world)  # reads it from the cache
    assert [f.key() for f in v2.report.findings] == [f.key() for f in v.report.findings]
    assert v.report.findings and v.report.findings[0].line > 1
    monkeypatch.setenv("NEWSANNO_CACHE", "0")
    from newsanno.read import cache

    assert cache.folder() is None
    assert parse_module.parse_file(world, cache=True).locate is None


def test_a_world_may_hold_more_values_than_a_document(tmp_path: Path) -> None:
    """A large world (tens of thousands of entities) is read by the fast readers up to
    MAX_WORLD_NODES values; a document keeps MAX_NODES; the pure reader keeps MAX_NODES."""
    from newsanno.bench.synth import make_world, write_world
    from newsanno.engines.local import Validator
    from newsanno.model.findings import Code

    world = make_world(0, extra_names=12_000)  # some 48,000 values
    for yaml in (False, True):
        folder = tmp_path / ("yaml" if yaml else "json")
        folder.mkdir()
        path = write_world(folder, world, yaml=yaml)
        v = Validator()
        v.load_world(path)
        assert not v.report.findings and v.world is not None
        assert len(v.world.entities) > 12_000
        # the same file read as a document: over a document's limits
        assert parse_module.MAX_NODES < 48_000 < parse_module.MAX_WORLD_NODES
        doc = parse_file(path)
        assert [p.code for p in doc.problems] in (
            [Code.YAML_TOO_MANY_NODES],
            [Code.FILE_TOO_LARGE],  # (over MAX_YAML_LINES too, as block YAML)
        )
    # the world's limit holds for the fast readers only: with an escape, the pure reader reads it
    text = (tmp_path / "yaml" / "corpus.yaml").read_text(encoding="utf-8")
    with parse_module.reading(parse_module.WORLD_LIMITS):
        assert not parse_yaml_text(text).problems
        pure = parse_yaml_text(text.replace("description:", 'note: "a\\tb"\n  description:', 1))
    assert [p.code for p in pure.problems] in ([Code.YAML_TOO_MANY_NODES], [Code.FILE_TOO_LARGE])
