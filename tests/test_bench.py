"""``newsanno bench`` as a smoke test: a small run gives sane figures (no timing assertions)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

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
    from newsanno.bench import _fastest

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


def test_columnar_prototype_flags_what_it_claims_to_check(tmp_path: Path) -> None:
    """The README's columnar timing prototype really does the checks it is timed on."""
    import importlib.util
    import io

    import orjson
    import pyarrow.json as pj

    from newsanno.synth import make_document, make_world
    from newsanno.validate import Validator

    scripts = Path(__file__).parent.parent / "scripts"
    sys.path.insert(0, str(scripts))
    try:
        spec = importlib.util.spec_from_file_location("columnar", scripts / "columnar_prototype.py")
        assert spec is not None and spec.loader is not None
        proto = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(proto)
    finally:
        sys.path.remove(str(scripts))
    world = make_world()
    (tmp_path / "corpus.yaml").write_bytes(orjson.dumps(world.data))
    validator = Validator()
    validator.load_world(tmp_path / "corpus.yaml")
    proto.use_world(validator.world)
    docs = [make_document(world, i) for i in range(12)]
    docs[3]["mentions"][5]["span"]["text"] = "Xyz"  # wrong text, wrong length
    text = docs[4]["mentions"][2]["span"]["text"]
    docs[4]["mentions"][2]["span"]["text"] = "Q" + text[1:]  # wrong text, right length
    docs[7]["mentions"][0]["entity"] = "nobody"
    docs[9]["event_mentions"][0]["arguments"][0]["role"] = "Pilot"
    docs[11]["quotes"][0]["content"][0]["end"] += 1
    data = b"".join(orjson.dumps(d) + b"\n" for d in docs)
    clean = b"".join(orjson.dumps(make_document(world, i)) + b"\n" for i in range(12))
    for name, lines, lint, flagged in (("broken", data, False, 5), ("clean", clean, True, 0)):
        table = pj.read_json(io.BytesIO(lines), parse_options=proto.OPTS)
        writers: dict[str, Any] = {}
        (tmp_path / name).mkdir()
        assert proto.process(table, writers, tmp_path / name, lint=lint) == flagged, name
        for writer in writers.values():
            writer.close()
