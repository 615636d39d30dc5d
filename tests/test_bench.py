"""``newsanno bench`` as a smoke test: a small run gives sane figures (no timing assertions)."""

from __future__ import annotations

import json

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
