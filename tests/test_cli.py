"""The CLI is thin: exit codes, JSON output equal to the library's report, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsanno import validate
from newsanno.cli import main

from .conftest import CASES, MINIMAL, REPO, chdir


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "newsanno", *args], capture_output=True, text=True, cwd=cwd, env=env
    )


def test_valid_corpus_exits_0() -> None:
    result = run("validate", str(MINIMAL))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid" in result.stdout


def test_invalid_corpus_exits_1_and_names_file_line_col_code_and_fix() -> None:
    case = CASES / "invalid" / "ambiguous-anchors"
    result = run("validate", ".", cwd=case)
    assert result.returncode == 1
    assert "documents/a1.yaml:17:10: error[anchor-ambiguous]" in result.stdout
    assert "fix: add `occurrence: N`" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_missing_path_is_a_usage_error() -> None:
    result = run("validate", "does/not/exist")
    assert result.returncode == 2
    assert "no such file or folder" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["validate", str(MINIMAL), "--master", "local[2]"],  # an option of --engine spark alone
        ["export", str(MINIMAL), "--cross-document"],
        ["bench", "--dirty", "--engine", "spark"],
    ],
)
def test_options_that_do_not_go_together_are_usage_errors_not_bugs(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "Error:" in result.output and "internal error" not in result.output


def test_spark_engine_refuses_document_files_before_starting_spark(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A YAML corpus is refused before a Spark session is asked for."""
    import newsanno.cli.dataset

    def no_session(master: object) -> None:
        raise AssertionError("a Spark session was started")

    monkeypatch.setattr(newsanno.cli.dataset, "_spark", no_session)
    for command in (["validate", str(MINIMAL)], ["export", str(MINIMAL), "--out", "unused"]):
        result = CliRunner().invoke(main, [*command, "--engine", "spark"])
        assert result.exit_code == 2, result.output
        assert "reads JSONL shards only" in result.output


def test_unknown_option_is_a_usage_error() -> None:
    assert run("validate", "--bogus").returncode == 2


def test_json_output_equals_the_library_report() -> None:
    case = CASES / "invalid" / "dangling-and-wrong-kind"
    with chdir(case):
        result = CliRunner().invoke(main, ["validate", ".", "--format", "json"])
        expected = validate(".").as_dict()
    assert result.exit_code == 1
    assert json.loads(result.output) == expected
    assert expected["findings"][0].keys() >= {
        "file",
        "line",
        "col",
        "code",
        "severity",
        "message",
        "hint",
    }


def test_strict_turns_warnings_into_failure() -> None:
    lints = CASES / "invalid" / "lints"
    # the lints case also has a changed text (an error); build a warnings-only corpus instead
    with chdir(lints):
        report = validate(".")
    assert report.warnings
    ok = CliRunner().invoke(main, ["validate", str(MINIMAL), "--strict"])
    assert ok.exit_code == 0


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01\x02binary",
        b"- just\n- a list\n",
        b"'unterminated",
        b"key: [1, 2\n",
        b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n",
        "ключ: значение\n".encode("utf-16"),
        b"",
    ],
)
def test_hostile_document_files_never_crash(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "corpus.yaml").write_bytes((MINIMAL / "corpus.yaml").read_bytes())
    (tmp_path / "evil.yaml").write_bytes(content)
    result = run("validate", str(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "evil.yaml:" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_single_document_file_finds_its_corpus() -> None:
    result = run("validate", str(MINIMAL / "documents" / "a1.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_python_dash_m_and_console_script_agree() -> None:
    exe = Path(sys.executable).with_name("newsanno")
    a = subprocess.run([str(exe), "--help"], capture_output=True, text=True)
    b = run("--help")
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout


def test_schema_check_passes_on_the_committed_schema() -> None:
    result = run("schema", "--check", "--out", str(REPO / "schema"))
    assert result.returncode == 0, result.stderr


def test_schema_check_fails_when_stale(tmp_path: Path) -> None:
    assert run("schema", "--out", str(tmp_path)).returncode == 0
    target = tmp_path / "document.schema.json"
    target.write_text(target.read_text().replace('"doc_id"', '"docid"', 1))
    result = run("schema", "--check", "--out", str(tmp_path))
    assert result.returncode == 1
    assert "document.schema.json" in result.stderr


def test_validate_without_paths_uses_the_corpus_here_or_annotations(tmp_path: Path) -> None:
    in_corpus = run("validate", cwd=MINIMAL)
    assert in_corpus.returncode == 0 and "1 document(s)" in in_corpus.stdout
    at_repo_root = run("validate", cwd=REPO)
    assert at_repo_root.returncode == 0 and "2 document(s)" in at_repo_root.stdout
    empty = run("validate", cwd=tmp_path)
    assert empty.returncode == 2 and "not a corpus folder" in empty.stderr


def test_a_folder_above_a_corpus_of_shards_is_refused_with_its_name(tmp_path: Path) -> None:
    """Its shards belong to the corpus below: reading none of them and calling that valid
    would hide the mistake."""
    corpus = tmp_path / "corpus"
    (corpus / "shards").mkdir(parents=True)
    (corpus / "corpus.yaml").write_text((MINIMAL / "corpus.yaml").read_text())
    (corpus / "shards" / "part-0.jsonl").write_text("")
    for command in ("validate", "export"):
        result = run(command, str(tmp_path))
        assert result.returncode == 2, result.stdout
        assert f"holds corpus folders ({corpus})" in result.stderr
        assert "Traceback" not in result.stderr
