"""Hostile input: every bad file gets a finding at a real position, and no run aborts.

A fuzz test feeds mutated YAML, JSON and JSONL bytes through the CLI; it accepts only the
documented outcomes: exit 0 with a valid report, or exit 1 with findings that each name a file, a
line and a column inside that file, a known code, a message and a fix. Never exit 2 for data, never
an internal error. Targeted tests pin the limits and rules the issue named.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import newsanno.cli as cli
import newsanno.dataset.write as export
from newsanno.model.findings import Code
from newsanno.read.parse import (
    MAX_NODES,
    parse_file,
    parse_json_text,
    parse_yaml_text,
    resolve_plain,
    resolve_yaml11_number,
)

from .conftest import CASES, MINIMAL

SEED_YAML = (MINIMAL / "documents" / "a1.yaml").read_text(encoding="utf-8")
SEED_DATA = parse_file(MINIMAL / "documents" / "a1.yaml").data
SEED_JSON = json.dumps(SEED_DATA, indent=2, ensure_ascii=False) + "\n"
_INLINE = {k: v for k, v in SEED_DATA.items() if k != "text_path"}
_INLINE["text"] = (MINIMAL / "texts" / "a1.txt").read_text(encoding="utf-8")
SEED_JSONL = json.dumps(_INLINE, ensure_ascii=False) + "\n"
CODES = {c.value for c in Code}
BREAKS = re.compile("\r\n|[\n\r\x85\u2028\u2029]")

TOKENS = [
    "\x00",
    "\x1b",
    "\t",
    "\r\n",
    "\r",
    "\ufeff",
    "\u2028",
    "\x85",
    "\ud800",
    "\\ud800",
    "\\u0000",
    "\n",
    "\n---\n",
    "\n...\n",
    ": ",
    "- ",
    "#",
    "&a ",
    "*a",
    "!!str ",
    "!x ",
    "? ",
    "|",
    ">",
    '"',
    "'",
    "`",
    "%",
    "@",
    "{",
    "}",
    "[",
    "]",
    ",",
    "0o1",
    "012",
    "1_000",
    "0b1",
    "1:30",
    "26.0",
    "-1",
    "1e3",
    ".nan",
    "yes",
    "no",
    "null",
    "~",
    "true",
    "2025-02-30",
    "é",
    "\U0001f600",
    "texts/../../x.txt",
    "/etc/passwd",
    "doc_id: a1\n",
    "mentions: []\n",
    '"x": 1, ',
    '"doc_id": "dup", ',
]


@st.composite
def mutated(draw: st.DrawFn, seed: str) -> bytes:
    """``seed`` after one to four edits: insert, delete, replace, repeat a token, cut the end."""
    text = seed
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "repeat", "cut"]))
        i = draw(st.integers(0, len(text)))
        j = min(len(text), i + draw(st.integers(0, 40)))
        token = draw(st.sampled_from(TOKENS) | st.text(max_size=6))
        if op == "insert":
            text = text[:i] + token + text[i:]
        elif op == "delete":
            text = text[:i] + text[j:]
        elif op == "replace":
            text = text[:i] + token + text[j:]
        elif op == "repeat":
            text = text[:i] + token * draw(st.integers(2, 2000)) + text[i:]
        else:
            text = text[:i]
    raw = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0 and raw:  # now and then, a byte that is no UTF-8
        k = draw(st.integers(0, len(raw) - 1))
        raw = raw[:k] + bytes([draw(st.integers(0x80, 0xFF))]) + raw[k + 1 :]
    return raw


FILES = {
    "yaml": "documents/a1.yaml",
    "json": "documents/a1.json",
    "jsonl": "shards/part-0.jsonl",
    "corpus": "corpus.yaml",  # (beside the seed document)
}
SEEDS = {
    "yaml": SEED_YAML,
    "json": SEED_JSON,
    "jsonl": "".join(SEED_JSONL.replace('"a1"', f'"a{i}"', 1) for i in (1, 2, 3)),
    "corpus": (MINIMAL / "corpus.yaml").read_text(encoding="utf-8"),
}


def _check_run(folder: Path, name: str, raw: bytes) -> None:
    """Validate ``folder`` with the CLI; the outcome must be one the README documents."""
    res = CliRunner().invoke(
        cli.main,
        ["validate", str(folder), "--format", "json", "--jobs", "1"],
        catch_exceptions=False,
    )
    assert res.exit_code in (0, 1), (res.exit_code, res.output, raw[:300])
    report = json.loads(res.stdout)
    event(f"exit {res.exit_code}: {sorted({f['code'] for f in report['findings']})[:2]}")
    if res.exit_code == 0:
        assert report["valid"], report
        return
    assert not report["valid"]
    findings = report["findings"]
    assert any(f["severity"] == "error" for f in findings), report
    text = raw.decode("utf-8", "replace")
    lines = len(BREAKS.findall(text)) + 1
    for f in findings:
        assert f["code"] in CODES, f
        assert f["message"] and f["hint"], f
        assert f["line"] >= 1 and f["col"] >= 1, f
        if Path(f["file"]).resolve() == (folder / name).resolve():
            assert f["line"] <= lines, (f, raw[:300])
            assert f["col"] <= len(text) + 1, (f, raw[:300])


@settings(
    max_examples=int(os.environ.get("NEWSANNO_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
@pytest.mark.parametrize("kind", list(FILES))
def test_fuzzed_files_give_findings_with_positions_or_are_valid(
    kind: str, data: st.DataObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the CLI's own-process setup changes how pyarrow imports pandas: not in the test process
    monkeypatch.setattr(cli.dataset, "_own_process", lambda: None)
    edits = mutated(SEEDS[kind])
    raw = data.draw(st.one_of(edits, edits, edits, st.binary(max_size=300)), label="file")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        shutil.copytree(MINIMAL, folder)
        if kind != "corpus":
            (folder / "documents" / "a1.yaml").unlink()
        path = folder / FILES[kind]
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(raw)
        _check_run(folder, FILES[kind], raw)


def test_the_seeds_are_valid(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without edits, each seed validates (so the fuzz test starts from valid files)."""
    monkeypatch.setattr(cli.dataset, "_own_process", lambda: None)
    for kind, name in FILES.items():
        folder = tmp_path / kind
        shutil.copytree(MINIMAL, folder)
        if kind != "corpus":
            (folder / "documents" / "a1.yaml").unlink()
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text(SEEDS[kind], encoding="utf-8")
        res = CliRunner().invoke(cli.main, ["validate", str(folder), "--format", "json"])
        assert res.exit_code == 0, res.output


HOSTILE = [
    "hostile-text-paths",
    "hostile-document-files",
    "yaml-1-1-numbers",
    "control-characters",
    "json-too-deep",
    "jsonl-too-deep",
    "too-many-nodes",
    "integer-as-float",
    "shards-folder",
]


@pytest.mark.parametrize("case", HOSTILE)
def test_the_cli_reports_each_hostile_case_with_exit_1(case: str) -> None:
    """In a process of its own, as a user runs it: exit 1, the findings, no internal error."""
    folder = CASES / "invalid" / case
    spec = json.loads(folder.with_suffix(".json").read_text())
    cmd = [sys.executable, "-m", "newsanno", "validate", *spec.get("paths", ["."])]
    res = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, check=False)
    assert res.returncode == 1, (res.stdout, res.stderr)
    assert "internal error" not in res.stderr and "Traceback" not in res.stderr
    for file, line, col, code in spec["findings"]:
        assert f"{file}:{line}:{col}: error[{code}]" in res.stdout


@pytest.mark.parametrize(
    ("value", "ambiguous"),
    [
        ("0o1", True),  # YAML 1.2: 1; YAML 1.1: text
        ("0o17", True),
        ("012", True),  # 1.2: 12; 1.1: 10 (octal)
        ("09", True),  # 1.2: 9; 1.1: text
        ("1_000", True),  # 1.2: text; 1.1: 1000
        ("0b101", True),
        ("+0x1F", True),
        ("0x1_F", True),
        ("1:30", True),  # 1.1: base 60
        ("-1:30", True),
        ("1:30.5", True),
        ("0x1F", False),  # 31 in both
        ("12", False),
        ("-12", False),
        ("+12", False),
        ("0", False),
        ("007", False),  # 7 in both
        ("1.5", False),
        (".inf", False),
        (".nan", False),
        ("1e3", False),  # a float to 1.2, text to 1.1: floats are left to the schema
        ("0o8", False),  # text in both
        ("2025-06-11", False),
        ("abc", False),
    ],
)
def test_yaml_1_1_and_1_2_readings(value: str, ambiguous: bool) -> None:
    parsed = parse_yaml_text(f"x: {value}\n")
    assert [p.code for p in parsed.problems] == [Code.YAML_AMBIGUOUS_SCALAR] * ambiguous
    assert parsed.data == {"x": resolve_plain(value)} or value == ".nan"
    quoted = parse_yaml_text(f'x: "{value}"\n')
    assert quoted.problems == [] and quoted.data == {"x": value}


def test_yaml_1_1_numbers_are_read_as_yaml_1_1_reads_them() -> None:
    assert resolve_yaml11_number("012") == 10
    assert resolve_yaml11_number("1_000") == 1000
    assert resolve_yaml11_number("0b101") == 5
    assert resolve_yaml11_number("-1:30") == -90
    assert resolve_yaml11_number("1:30.5") == 90.5
    assert resolve_yaml11_number("0o1") == "0o1"


def _flow(items: int) -> str:
    return "x: [" + ", ".join(["1"] * items) + "]\n"


def test_the_reader_stops_past_max_nodes_at_the_value_where_it_stopped() -> None:
    # the mapping, its key and the list are 3 values; the items make up the rest
    assert parse_yaml_text(_flow(MAX_NODES - 3)).problems == []
    over = parse_yaml_text(_flow(MAX_NODES - 2))
    assert [(p.code, p.line, p.col) for p in over.problems] == [
        (Code.YAML_TOO_MANY_NODES, 1, 5 + 3 * (MAX_NODES - 3))
    ]


def test_json_counts_values_as_the_yaml_reader_does() -> None:
    """Over the limit, JSON gives the finding the YAML reader gives, at the same place."""
    for items in (MAX_NODES - 3, MAX_NODES - 2):
        text = json.dumps({"x": [1] * items, "y": {"z": [True, None]}}, indent=1)
        want = [(p.code, p.line, p.col) for p in parse_yaml_text(text).problems]
        got = [(p.code, p.line, p.col) for p in parse_json_text(text).problems]
        assert got == want
    assert want and want[0][0] is Code.YAML_TOO_MANY_NODES


def test_a_jsonl_line_nested_deeper_than_orjson_writes_is_a_finding(tmp_path: Path) -> None:
    """orjson reads 1,024 levels but writes 255: the bulk path's check must not crash between."""
    from newsanno import validate

    shutil.copytree(MINIMAL, tmp_path / "c")
    (tmp_path / "c" / "documents" / "a1.yaml").unlink()
    line = SEED_JSONL.rstrip("\n")[:-1] + ', "extra": ' + "[" * 600 + "]" * 600 + "}\n"
    (tmp_path / "c" / "part.jsonl").write_text(SEED_JSONL + line, encoding="utf-8")
    for jobs in (1, 2):
        report = validate(tmp_path / "c", jobs=jobs)
        assert [(f.line, f.code) for f in report.findings] == [(2, Code.YAML_TOO_DEEP)]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_an_export_removes_the_staging_folders_of_dead_exports(tmp_path: Path) -> None:
    from newsanno import export_dataset

    out = tmp_path / "ds"
    host = export._host()
    dead = tmp_path / f".ds.tmp-{_dead_pid()}.{host}.0123456789ab"
    alive = tmp_path / f".ds.tmp-{os.getpid()}.{host}.0123456789ab"
    other_host = (
        tmp_path / f".ds.tmp-{_dead_pid()}.{'0' * 8 if host != '0' * 8 else '1' * 8}.0123456789ab"
    )
    old_style = tmp_path / ".ds.tmp-0123456789ab"
    other_target = tmp_path / f".dsx.tmp-{_dead_pid()}.{host}.0123456789ab"
    for folder in (dead, alive, other_host, old_style, other_target):
        folder.mkdir()
        (folder / "part.parquet").write_bytes(b"half written")
    assert export.stale_staging(out) == [dead]
    result = export_dataset(MINIMAL, out)
    assert result.report.valid and (out / "datapackage.json").is_file()
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(p.name for p in (alive, other_host, old_style, other_target, out))


def test_an_integer_written_as_a_float_is_a_schema_error_not_a_model_one() -> None:
    from newsanno.rules.structure import schema_problems

    data: Any = json.loads(json.dumps(SEED_DATA))
    data["mentions"][0]["span"] = {"text": "Jane Doe", "start": 0.0, "end": 8}
    problems = schema_problems("document", data)
    assert [(p[0], p[2]) for p in problems] == [
        (("mentions", 0, "span", "start"), Code.SCHEMA_TYPE)
    ]


def test_a_corpus_file_that_is_a_symlink_loop_is_a_finding(tmp_path: Path) -> None:
    from newsanno import validate

    shutil.copytree(MINIMAL, tmp_path / "c")
    (tmp_path / "c" / "corpus.yaml").unlink()
    (tmp_path / "c" / "corpus.yaml").symlink_to("corpus.yaml")
    report = validate(tmp_path / "c")
    assert (Path(report.findings[0].file).name, report.findings[0].code) == (
        "corpus.yaml",
        Code.FILE_UNREADABLE,
    )
    assert not report.valid


@pytest.mark.skipif(sys.platform != "linux", reason="file names of any bytes: Linux file systems")
def test_a_file_name_that_is_no_utf8_is_named_with_u_fffd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python keeps such names as lone surrogates, which no output can encode: the html and json
    reports and the export name the file with U+FFFD instead."""
    monkeypatch.setattr(cli.dataset, "_own_process", lambda: None)
    folder = tmp_path / "c"
    shutil.copytree(MINIMAL, folder)
    bad = os.fsdecode(b"\xff.yaml")
    (folder / "documents" / "a1.yaml").rename(folder / "documents" / bad)
    text = SEED_YAML.replace("span: She,", "span: Shx,")
    (folder / "documents" / bad).write_text(text, encoding="utf-8")
    for fmt in ("json", "html"):
        out = tmp_path / f"report.{fmt}"
        args = ["validate", str(folder), "--format", fmt, "--out", str(out)]
        res = CliRunner().invoke(cli.main, args, catch_exceptions=False)
        assert res.exit_code == 1, res.output
        assert "\ufffd.yaml" in out.read_text(encoding="utf-8")


def test_texts_too_long_for_the_yaml_reader(tmp_path: Path) -> None:
    """A YAML text over MAX_YAML_LINES lines is refused where the limit is passed; JSON over
    MAX_YAML_CHARS characters (in a .json or a .yaml file) is read by the JSON parser, and a
    finding in it is still at its line and column."""
    from newsanno import validate
    from newsanno.read.parse import MAX_YAML_CHARS, MAX_YAML_LINES

    folder = tmp_path / "c"
    shutil.copytree(MINIMAL, folder)
    docs = folder / "documents"
    (docs / "a1.yaml").rename(docs / "lines.yaml")
    with (docs / "lines.yaml").open("a", encoding="utf-8") as handle:
        handle.write("#\n" * MAX_YAML_LINES)
    long: Any = json.loads(json.dumps(SEED_DATA))
    long["metadata"]["note"] = "n" * MAX_YAML_CHARS
    long["mentions"][1]["span"] = "Shx"
    for name in ("long_json.json", "long_yaml.yaml"):
        long["doc_id"] = name.split(".")[0]
        (docs / name).write_text(json.dumps(long, indent=1) + "\n", encoding="utf-8")
    at = json.dumps(long, indent=1).split("\n").index('   "span": "Shx",') + 1
    report = validate(folder)
    assert [(Path(f.file).name, f.line, f.col, f.code) for f in report.findings] == [
        ("lines.yaml", MAX_YAML_LINES + 1, 1, Code.FILE_TOO_LARGE),
        ("long_json.json", at, 12, Code.ANCHOR_NOT_FOUND),
        ("long_yaml.yaml", at, 12, Code.ANCHOR_NOT_FOUND),
    ]


def test_keys_nested_in_keys_are_named_not_printed() -> None:
    """`? ? ? ... x` makes mappings whose keys are mappings, 64 deep: printing each as a key
    escaped the one inside it, so the text doubled with each level (the fuzz test's 24 GB)."""
    text = "a:\n  " + "? " * 300 + "x\n"
    problems = parse_yaml_text(text).problems
    codes = {p.code for p in problems}
    assert Code.YAML_TOO_DEEP in codes and Code.YAML_NON_STRING_KEY in codes
    assert max(len(p.message) for p in problems) < 200
