"""Golden cases: each invalid corpus under tests/cases/invalid/ gives exactly the findings listed
in its ``<name>.json`` as (file, line, col, code); each valid corpus gives none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsanno import validate
from newsanno.model.findings import Code

from .conftest import CASES, chdir

INVALID = sorted(p.with_suffix("") for p in (CASES / "invalid").glob("*.json"))
VALID = sorted(p for p in (CASES / "valid").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_invalid_case_gives_exact_findings(case: Path) -> None:
    spec = json.loads(case.with_suffix(".json").read_text())
    with chdir(case):
        report = validate(*spec.get("paths", ["."]), **spec.get("args", {}))
    assert [list(f.key()) for f in report.findings] == spec["findings"]
    assert not report.valid
    for finding in report.findings:
        assert finding.message and finding.hint, finding
        assert finding.line >= 1 and finding.col >= 1


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.name)
def test_valid_case_has_no_findings(case: Path) -> None:
    with chdir(case):
        report = validate(".")
    assert report.findings == []
    assert report.valid


def test_every_case_folder_has_its_findings() -> None:
    """A folder under tests/cases/invalid/ without its <name>.json would never run."""
    folders = {p.name for p in (CASES / "invalid").iterdir() if p.is_dir()}
    assert folders == {p.name for p in INVALID}


def test_every_required_kind_of_bad_input_has_a_golden_case() -> None:
    """The issue's list of bad inputs, each pinned to the code its golden case must contain."""
    required = {
        "yaml-syntax": Code.YAML_SYNTAX,
        "duplicate-keys": Code.YAML_DUPLICATE_KEY,
        "anchors-aliases-tags": Code.YAML_ALIAS,
        "yaml-1-1-surprises": Code.YAML_AMBIGUOUS_SCALAR,
        "bom": Code.ENCODING_BOM,
        "crlf": Code.ENCODING_CRLF,
        "invalid-utf8": Code.ENCODING_UTF8,
        "unknown-fields": Code.SCHEMA_UNKNOWN_FIELD,
        "dangling-and-wrong-kind": Code.REF_WRONG_KIND,
        "span-mismatch": Code.ANCHOR_NOT_FOUND,
        "offsets-out-of-range": Code.ANCHOR_OUT_OF_RANGE,
        "ambiguous-anchors": Code.ANCHOR_AMBIGUOUS,
        "text-changed": Code.ANCHOR_MOVED,
        "text-outside-corpus": Code.TEXT_OUTSIDE_CORPUS,
        "file-too-large": Code.FILE_TOO_LARGE,
        "bulk-jsonl": Code.JSON_DUPLICATE_KEY,
        # hostile input (issue 20)
        "hostile-text-paths": Code.FILE_UNREADABLE,
        "hostile-document-files": Code.FILE_UNREADABLE,
        "yaml-1-1-numbers": Code.YAML_AMBIGUOUS_SCALAR,
        "control-characters": Code.YAML_SYNTAX,
        "json-too-deep": Code.YAML_TOO_DEEP,
        "jsonl-too-deep": Code.YAML_TOO_DEEP,
        "too-many-nodes": Code.YAML_TOO_MANY_NODES,
        "integer-as-float": Code.SCHEMA_TYPE,
        "shards-folder": Code.REF_DANGLING,
    }
    for name, code in required.items():
        spec = json.loads((CASES / "invalid" / f"{name}.json").read_text())
        assert code.value in {f[3] for f in spec["findings"]}, name


def test_yaml_1_1_date_stays_a_string() -> None:
    """An unquoted 2025-06-11 is the string '2025-06-11' (YAML 1.2), never a date object."""
    from newsanno.read.parse import parse_yaml_text

    parsed = parse_yaml_text("published: 2025-06-11\nflag: no\ncount: 012\n")
    assert parsed.data == {"published": "2025-06-11", "flag": "no", "count": 12}
    assert [p.code for p in parsed.problems] == [Code.YAML_AMBIGUOUS_SCALAR] * 2
