"""``newsanno bench`` as a smoke test: a small run gives sane figures (no timing assertions)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from newsanno.cli import main

KEYS = {
    "docs",
    "annotations",
    "seconds_parse",
    "seconds_validate",
    "seconds_export",
    "seconds_naive",
    "peak_rss_mb",
    "docs_per_s_export",
    "ratio_export_to_parse",
    "ratio_naive_to_export",
}


def test_bench_small_run_reports_sane_figures() -> None:
    res = CliRunner().invoke(
        main, ["bench", "--docs", "200", "--naive-docs", "20", "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures.keys() >= KEYS
    assert figures["docs"] == 200
    assert figures["naive_docs"] == 20
    assert 50 * 200 < figures["annotations"] < 150 * 200  # about 80 per document
    for key in ("seconds_parse", "seconds_validate", "seconds_export", "seconds_naive"):
        assert figures[key] > 0, key
    assert figures["peak_rss_mb"] > 10
    assert figures["docs_per_s_export"] > 0
    assert figures["ratio_export_to_parse"] > 0 and figures["ratio_naive_to_export"] > 0
    assert any(line.startswith("c/a = ") for line in lines[:-1])
    from newsanno.engines.bulk import cpu_count
    from newsanno.read.native import READER_BUILT

    assert figures["jobs"] == cpu_count()  # --jobs 0, the default: one per core
    assert figures["reader"] == ("compiled" if READER_BUILT else "pyarrow")
    assert f"{figures['reader']} JSON reader" in lines[0]


def test_bench_repeat_keeps_the_fastest_run_of_each_stage() -> None:
    res = CliRunner().invoke(
        main,
        ["bench", "--docs", "30", "--naive-docs", "5", "--repeat", "2", "--format", "json"],
    )
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures["repeat"] == 2 and figures["docs"] == 30
    assert "best of 2 runs per stage" in lines[0]


def test_fastest_run_and_largest_rss() -> None:
    from newsanno.bench.run import _fastest

    runs = [
        {"seconds": 2.0, "rss_mb": 50.0, "rss_worker_mb": 0.0, "docs": 3},
        {"seconds": 1.0, "rss_mb": 40.0, "rss_worker_mb": 7.0, "docs": 3},
    ]
    best = _fastest(runs)
    assert best == {"seconds": 1.0, "rss_mb": 50.0, "rss_worker_mb": 7.0, "docs": 3}


def test_parse_floor_script_runs() -> None:
    """scripts/parse_floor.py (the README's floor figures) still runs; no timing is asserted."""
    script = Path(__file__).parent.parent / "scripts" / "parse_floor.py"
    proc = subprocess.run(
        [sys.executable, str(script), "--docs", "30", "--repeat", "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert out.startswith("30 documents")
    for measure in ("orjson.loads", "pyarrow.json.read_json", "polars", "duckdb", "pa.array"):
        assert measure in out, measure


def test_bench_dirty_times_the_realistic_mix_clean_and_with_bad_lines() -> None:
    res = CliRunner().invoke(
        main,
        ["bench", "--dirty", "--docs", "60", "--jobs", "1", "--repeat", "2", "--format", "json"],
    )
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures["docs"] == 60 and figures["jobs"] == 1 and figures["repeat"] == 2
    assert figures["findings_clean"] == 0 and figures["findings_bad"] > 0
    assert "bad lines 5%" in figures["mix_bad"] and "bad" not in figures["mix_clean"]
    assert "world +10,000 names" in figures["mix_clean"]  # the realistic mix, errors apart
    ratio = figures["seconds_bad"] / figures["seconds_clean"]
    assert abs(figures["ratio_bad_to_clean"] - ratio) < 0.01
    assert lines[-2].startswith("bad / clean = ")


def test_damage_makes_each_kind_of_error(tmp_path: Path) -> None:
    from newsanno import validate
    from newsanno.bench.synth import DAMAGE_KINDS, Mix, write_corpus

    docs, _ = write_corpus(tmp_path / "c", 20, mix=Mix(bad=1.0))
    assert docs == 20 - 20 // DAMAGE_KINDS  # a line that is not JSON is no document
    report = validate(tmp_path / "c", jobs=1)
    assert report.documents == docs
    codes = [f.code.value for f in report.findings]
    # (a dangling speaker mention is also inconsistent with its quote's speaker)
    assert set(codes) - {"ref-inconsistent"} == {
        "schema-unknown-field",
        "anchor-mismatch",
        "ref-dangling",
        "schema-enum",
        "json-syntax",
    }
    assert codes.count("json-syntax") == 20 // DAMAGE_KINDS
