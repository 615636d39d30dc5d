"""``newsanno bench``: throughput and peak memory of the bulk path on a synthetic corpus.

One run generates a deterministic synthetic corpus (:mod:`newsanno.bench.synth`: JSONL shards and
``corpus.yaml`` in a temporary folder) and measures four stages, each in a fresh Python process
so that its peak memory is its own:

a. **parse**: read every line and parse it with orjson (the floor);
b. **validate**: :func:`newsanno.validate` (the bulk path, ``jobs`` processes);
c. **export**: validate and export (:func:`newsanno.engines.bulk.export_bulk`);
d. **naive**: python-jsonschema per document against ``schema/document.schema.json``, then
   pandas ``DataFrame.to_parquet`` (on the first ``naive_docs`` documents: it is slow).

Seconds are wall-clock time of the stage's work inside its process (interpreter start and imports
excluded); ``repeat`` runs every stage several times and keeps each one's fastest run. Peak RSS
is ``ru_maxrss`` of the stage process and, separately, of its largest worker process
(``RUSAGE_CHILDREN``); with ``jobs`` N the total is at most parent + N x worker.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from newsanno.model.findings import NewsannoError

STAGES = ("parse", "validate", "export", "naive")
SPARK_STAGES = ("spark-validate", "spark-export")
"""Stages (b) and (c) on the Spark engine, in local mode (``bench --engine spark``)."""
NAIVE_DOCS = 2_000
"""Default cap on documents for the naive stage (its per-document rate is what is compared)."""


def _rss_mb(who: int) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # kilobytes on Linux


def _shards(folder: Path) -> list[Path]:
    return sorted((folder / "shards").glob("*.jsonl"))


def _stage(argv: list[str]) -> None:
    """Run one stage in this (fresh) process; print one JSON line."""
    stage, folder, jobs, naive_docs = argv[0], Path(argv[1]), int(argv[2]), int(argv[3])
    out: dict[str, Any] = {"stage": stage}
    if stage == "parse":
        import orjson

        start = time.perf_counter()
        docs = 0
        for shard in _shards(folder):
            with shard.open("rb") as handle:
                for line in handle:
                    orjson.loads(line)
                    docs += 1
        out["docs"] = docs
    elif stage == "validate":
        from newsanno.engines.api import validate
        from newsanno.engines.bulk import pyarrow_without_pandas

        pyarrow_without_pandas()  # as `newsanno validate` does
        start = time.perf_counter()
        report = validate(folder, jobs=jobs)
        out["docs"], out["valid"] = report.documents, report.valid
        out["findings"] = len(report.findings)
    elif stage == "export":
        from newsanno.engines.bulk import export_bulk, pyarrow_without_pandas
        from newsanno.engines.local import plan

        pyarrow_without_pandas()  # as `newsanno export` does
        start = time.perf_counter()
        result = export_bulk(plan([folder]), folder.parent / "export", jobs=jobs)
        out["docs"], out["valid"] = result.report.documents, result.report.valid
        out["rows"] = result.rows
    elif stage in ("spark-validate", "spark-export"):
        from newsanno.engines import spark as engine

        sampler = _TreeRss()
        began = time.perf_counter()
        session = engine.start_session(f"local[{jobs}]" if jobs else "local[*]")
        out["seconds_session"] = time.perf_counter() - began
        start = time.perf_counter()
        if stage == "spark-validate":
            report = engine.validate_report(session, [folder / "shards"])
        else:
            result = engine.export_dataset(session, [folder / "shards"], folder.parent / "export")
            report = result.report
            out["rows"] = result.rows
        out["docs"], out["valid"] = report.documents, report.valid
        out["seconds"] = time.perf_counter() - start
        out["rss_tree_mb"] = sampler.stop()
        session.stop()
    elif stage == "naive":
        start = time.perf_counter()
        out["docs"] = _naive(folder, naive_docs)
    else:  # pragma: no cover
        raise SystemExit(f"unknown stage {stage}")
    out.setdefault("seconds", time.perf_counter() - start)
    out["rss_mb"] = _rss_mb(resource.RUSAGE_SELF)
    out["rss_worker_mb"] = _rss_mb(resource.RUSAGE_CHILDREN)
    print(json.dumps(out))


class _TreeRss:
    """Peak resident memory of this process and all its descendants (the JVM Spark starts and
    the Python workers it starts), sampled from /proc every 0.1 s: none of them is a child this
    process waits for, so ``RUSAGE_CHILDREN`` cannot see them."""

    def __init__(self) -> None:
        import threading

        self.peak = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    @staticmethod
    def _tree(pid: int) -> list[int]:
        out, todo = [], [pid]
        while todo:
            p = todo.pop()
            out.append(p)
            try:
                for task in os.listdir(f"/proc/{p}/task"):
                    with open(f"/proc/{p}/task/{task}/children") as handle:
                        todo += [int(c) for c in handle.read().split()]
            except OSError:
                continue
        return out

    def _sample(self) -> None:
        while not self.done.wait(0.1):
            total = 0
            for p in self._tree(os.getpid()):
                try:
                    with open(f"/proc/{p}/statm") as handle:
                        total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
                except (OSError, ValueError, IndexError):
                    continue
            self.peak = max(self.peak, total)

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return round(self.peak / 2**20, 1)


def _naive(folder: Path, limit: int) -> int:
    """The pipeline one writes without newsanno: jsonschema per document, then pandas."""
    import pandas as pd
    from jsonschema import Draft202012Validator

    from newsanno.model.schemas import document_schema

    validator = Draft202012Validator(
        document_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    tables: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("documents", "regions", "mentions", "quotes", "claims", "event_mentions")
    }
    docs = 0
    for shard in _shards(folder):
        with shard.open("rb") as handle:
            for line in handle:
                if docs >= limit:
                    break
                doc = json.loads(line)
                validator.validate(doc)
                docs += 1
                meta = doc["metadata"]
                tables["documents"].append({"doc_id": doc["doc_id"], "text": doc["text"], **meta})
                for layer, key in (
                    ("regions", "span"),
                    ("mentions", "span"),
                    ("claims", "span"),
                    ("event_mentions", "trigger"),
                ):
                    for item in doc.get(layer, []):
                        row = {k: v for k, v in item.items() if k != key and k != "arguments"}
                        row.update(doc_id=doc["doc_id"], **item[key])
                        tables[layer].append(row)
                for q in doc.get("quotes", []):
                    row = {k: v for k, v in q.items() if k not in ("content", "cue")}
                    row.update(doc_id=doc["doc_id"], segments=q["content"])
                    tables["quotes"].append(row)
    out = folder.parent / "naive"  # outside the corpus folder, which later runs validate
    out.mkdir(exist_ok=True)
    for name, rows in tables.items():
        pd.DataFrame(rows).to_parquet(out / f"{name}.parquet")
    return docs


def _run_stage(
    stage: str, folder: Path, jobs: int, naive_docs: int, *, native: bool = True
) -> dict[str, Any]:
    """One stage in a fresh process; ``native=False`` runs it without the compiled library."""
    code = "import sys; from newsanno.bench.run import _stage; _stage(sys.argv[1:])"
    env = dict(os.environ)
    if not native:
        env["NEWSANNO_NATIVE"] = "0"
    proc = subprocess.run(
        [sys.executable, "-c", code, stage, str(folder), str(jobs), str(naive_docs)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if proc.returncode != 0:
        raise NewsannoError(f"bench stage {stage} failed:\n{proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def run(
    docs: int = 10_000,
    *,
    jobs: int = 1,
    seed: int = 0,
    naive_docs: int = NAIVE_DOCS,
    folder: Path | None = None,
    per_shard: int = 10_000,
    repeat: int = 1,
    engine: str = "local",
) -> dict[str, Any]:
    """Generate the corpus, run the four stages, return the figures.

    ``engine="spark"``: stages (b) and (c) also run on Spark in local mode (``local[jobs]``),
    each in a fresh process; their seconds exclude starting the session (reported apart), and
    their peak memory is the process tree's (Python driver, JVM, Python workers).

    ``jobs``: processes for validate and export (0: one per core); a corpus of fewer 32 MiB
    chunks than that uses one process per chunk.

    With ``repeat`` above 1 each stage runs that many times (the stages interleaved, so that a
    slow spell of the machine does not fall on one stage only) and its fastest run is kept; peak
    RSS is the largest of all runs.
    """
    if docs < 1 or jobs < 0 or repeat < 1:
        raise NewsannoError("--docs and --repeat must be at least 1, --jobs at least 0")
    if jobs == 0:  # one process per core, as `newsanno export` does by default
        from newsanno.engines.bulk import cpu_count

        jobs = cpu_count()
    from newsanno.bench.synth import write_corpus
    from newsanno.read.native import (
        READER_BUILT,  # here: the stage processes need no numpy or Arrow
    )

    with tempfile.TemporaryDirectory(prefix="newsanno-bench-", dir=folder) as tmp:
        where = Path(tmp) / "corpus"  # the stages write their output next to it, not in it
        started = time.perf_counter()
        _, annotations = write_corpus(where, docs, seed=seed, per_shard=per_shard)
        generate = time.perf_counter() - started
        size = sum(p.stat().st_size for p in _shards(where))
        naive_n = min(docs, naive_docs)
        runs = [{s: _run_stage(s, where, jobs, naive_n) for s in STAGES} for _ in range(repeat)]
        stages = {s: _fastest([r[s] for r in runs]) for s in STAGES}
        spark: dict[str, Any] = {}
        if engine == "spark":
            for s in SPARK_STAGES:
                spark[s] = min(
                    (_run_stage(s, where, jobs, naive_n) for _ in range(repeat)),
                    key=lambda r: float(r["seconds"]),
                )
                if not spark[s].get("valid") or spark[s]["docs"] != docs:
                    raise NewsannoError(f"bench: the synthetic corpus did not pass {s}: {spark[s]}")
        without = None  # stage (c) without the compiled library: pyarrow's JSON reader, numpy
        if READER_BUILT:
            without = min(
                float(_run_stage("export", where, jobs, naive_n, native=False)["seconds"])
                for _ in range(repeat)
            )
    for name in ("validate", "export"):
        for one in runs:  # every run, not only the fastest
            if not one[name].get("valid") or one[name]["docs"] != docs:
                raise NewsannoError(f"bench: the synthetic corpus did not pass {name}: {one[name]}")
    parse, validate, export, naive = (stages[s]["seconds"] for s in STAGES)
    per_doc_export = export / docs
    per_doc_naive = naive / naive_n
    figures: dict[str, Any] = {
        "docs": docs,
        "annotations": annotations,
        "jobs": jobs,
        "repeat": repeat,
        "mb": round(size / 1e6, 1),
        "seconds_generate": round(generate, 3),
        "seconds_parse": round(parse, 3),
        "seconds_validate": round(validate, 3),
        "seconds_export": round(export, 3),
        "seconds_naive": round(naive, 3),
        "naive_docs": naive_n,
        "peak_rss_mb": max(stages["export"]["rss_mb"], stages["export"]["rss_worker_mb"]),
        "rss_mb": {s: stages[s]["rss_mb"] for s in STAGES},
        "rss_worker_mb": {s: stages[s]["rss_worker_mb"] for s in ("validate", "export")},
        "rss_method": "ru_maxrss of each stage process (fresh), and of its largest worker",
        "docs_per_s_export": round(docs / export, 1),
        "annotations_per_s_export": round(annotations / export, 1),
        "mb_per_s_export": round(size / 1e6 / export, 2),
        "docs_per_s_parse": round(docs / parse, 1),
        "docs_per_s_validate": round(docs / validate, 1),
        "docs_per_s_naive": round(naive_n / naive, 1),
        "ratio_export_to_parse": round(export / parse, 2),
        "ratio_naive_to_export": round(per_doc_naive / per_doc_export, 2),
        "reader": "compiled" if READER_BUILT else "pyarrow",
        "seconds_export_without_native": None if without is None else round(without, 3),
        "ratio_without_native": None if without is None else round(without / export, 2),
    }
    if spark:
        sv, se = (float(spark[s]["seconds"]) for s in SPARK_STAGES)
        figures["spark"] = {
            "master": f"local[{jobs}]",
            "seconds_session": round(
                min(float(spark[s]["seconds_session"]) for s in SPARK_STAGES), 3
            ),
            "seconds_validate": round(sv, 3),
            "seconds_export": round(se, 3),
            "docs_per_s_validate": round(docs / sv, 1),
            "docs_per_s_export": round(docs / se, 1),
            "mb_per_s_export": round(size / 1e6 / se, 2),
            "peak_rss_mb": {s: spark[s]["rss_tree_mb"] for s in SPARK_STAGES},
            "rss_method": "sum of the RSS of the stage process and its descendants (JVM, "
            "Python workers), sampled every 0.1 s",
            "ratio_export_to_parse": round(se / parse, 2),
            "ratio_naive_to_export": round(per_doc_naive / (se / docs), 2),
            "ratio_to_local_export": round(se / export, 2),
            "ratio_to_local_validate": round(sv / validate, 2),
        }
    return figures


FEATURE_MIXES: dict[str, dict[str, Any]] = {
    "clean": {},
    "nested quotes 10%": {"nested": 0.10},
    "offset-only spans 25%": {"offsets_only": 0.25},
    "world 450 names": {"world_names": 400},
    "world 10,000 names": {"world_names": 10_000},
    "bad lines 5%": {"bad": 0.05},
    "no nested quotes, 45-name world": {"offsets_only": 0.25, "bad": 0.05},
    "realistic": {"nested": 0.10, "offsets_only": 0.25, "world_names": 10_000, "bad": 0.05},
}
"""The corpora of ``bench --features``: one feature at a time on the clean synthetic corpus,
then the realistic mix (:data:`newsanno.bench.synth.REALISTIC`) and the same mix without nested
quotes and with the 45-name world, which issue 21's target compares it with."""


def features(
    docs: int = 2_000,
    *,
    jobs: int = 1,
    seed: int = 0,
    folder: Path | None = None,
    repeat: int = 1,
) -> dict[str, Any]:
    """Validate + export (stage c) of each corpus of :data:`FEATURE_MIXES`, at ``docs`` and at a
    quarter of that: the difference gives each feature's cost per document apart from the fixed
    cost (the world's loading and indexing), which the intercept gives."""
    from newsanno.bench.synth import Mix, write_corpus

    if docs < 8 or jobs < 0 or repeat < 1:
        raise NewsannoError("--docs must be at least 8 with --features, --repeat at least 1")
    if jobs == 0:
        from newsanno.engines.bulk import cpu_count

        jobs = cpu_count()
    small = docs // 4
    rows: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="newsanno-bench-", dir=folder) as tmp:
        for name, settings in FEATURE_MIXES.items():
            mix = Mix(**settings)
            seconds = {}
            for n in (small, docs):
                where = Path(tmp) / f"{len(rows)}-{n}" / "corpus"
                documents, _ = write_corpus(where, n, seed=seed, mix=mix)
                runs = [_run_stage("export", where, jobs, 0) for _ in range(repeat)]
                seconds[n] = min(float(r["seconds"]) for r in runs)
                if runs[0]["docs"] != documents or runs[0]["valid"] != (mix.bad == 0):
                    raise NewsannoError(
                        f"bench --features: unexpected outcome for {name}: {runs[0]}"
                    )
            per_doc = (seconds[docs] - seconds[small]) / (docs - small)
            rows[name] = {
                "mix": mix.label(),
                "seconds": round(seconds[docs], 3),
                "ms_per_doc": round(per_doc * 1000, 4),
                "fixed_seconds": round(seconds[docs] - per_doc * docs, 3),
            }
    clean = rows["clean"]["ms_per_doc"]
    for row in rows.values():
        row["ratio_to_clean"] = round(row["ms_per_doc"] / clean, 2) if clean > 0 else None
    target = rows["no nested quotes, 45-name world"]
    lint = name_lint_scaling(seed=seed)
    return {
        "name_lint_us_per_doc": lint,
        "docs": docs,
        "docs_small": small,
        "jobs": jobs,
        "repeat": repeat,
        "rows": rows,
        "ratio_realistic_to_baseline": round(rows["realistic"]["seconds"] / target["seconds"], 2),
        "ratio_per_doc_world_10000_to_450": round(
            rows["world 10,000 names"]["ms_per_doc"] / rows["world 450 names"]["ms_per_doc"], 2
        ),
    }


def dirty(
    docs: int = 2_000,
    *,
    jobs: int = 1,
    seed: int = 0,
    folder: Path | None = None,
    repeat: int = 1,
) -> dict[str, Any]:
    """Validate (stage b) a corpus of what real corpora hold (:data:`newsanno.bench.synth.REALISTIC`:
    nested quotes, offset-only spans, a world of 10,000 more names) without errors, and the same
    corpus with 5% of its lines bad (each with one error of :func:`newsanno.bench.synth.damage`):
    the time of each and their ratio, which issue 15 holds to at most 1.5. The two runs
    alternate, ``repeat`` times, and each keeps its fastest."""
    from dataclasses import replace

    from newsanno.bench.synth import REALISTIC, write_corpus

    if docs < 1 or jobs < 0 or repeat < 1:
        raise NewsannoError("--docs and --repeat must be at least 1, --jobs at least 0")
    if jobs == 0:
        from newsanno.engines.bulk import cpu_count

        jobs = cpu_count()
    mixes = {"clean": replace(REALISTIC, bad=0.0), "bad": REALISTIC}
    out: dict[str, Any] = {"docs": docs, "jobs": jobs, "repeat": repeat}
    with tempfile.TemporaryDirectory(prefix="newsanno-bench-", dir=folder) as tmp:
        where, expected = {}, {}
        for name, mix in mixes.items():
            where[name] = Path(tmp) / name / "corpus"
            expected[name], _ = write_corpus(where[name], docs, seed=seed, mix=mix)
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in mixes}
        for _ in range(repeat):
            for name in mixes:
                runs[name].append(_run_stage("validate", where[name], jobs, 0))
    for name, mix in mixes.items():
        for one in runs[name]:
            if one["docs"] != expected[name] or one["valid"] != (mix.bad == 0):
                raise NewsannoError(f"bench --dirty: unexpected outcome for {name}: {one}")
        best = _fastest(runs[name])
        out[f"seconds_{name}"] = round(float(best["seconds"]), 3)
        out[f"findings_{name}"] = best["findings"]
        out[f"mix_{name}"] = mix.label()
    out["ratio_bad_to_clean"] = round(out["seconds_bad"] / out["seconds_clean"], 2)
    return out


def dirty_summary(figures: dict[str, Any]) -> list[str]:
    """Human-readable lines of :func:`dirty`."""
    f = figures
    return [
        f"validate (b), --jobs {f['jobs']}, {f['docs']:,} documents"
        + (f"; best of {f['repeat']} runs" if f["repeat"] > 1 else ""),
        f"clean {f['seconds_clean']:8.2f} s  ({f['mix_clean']})",
        f"bad   {f['seconds_bad']:8.2f} s  ({f['mix_bad']}: {f['findings_bad']} findings)",
        f"bad / clean = {f['ratio_bad_to_clean']}x (target <= 1.5)",
    ]


def name_lint_scaling(
    sizes: tuple[int, ...] = (450, 10_000, 100_000), docs: int = 200, seed: int = 0
) -> dict[str, float]:
    """Microseconds per document of the name lint (:func:`newsanno.rules.lints.unannotated_names`,
    in this process) against worlds of about ``sizes`` names: its cost must not grow with them."""
    from newsanno.bench.synth import make_document, make_world
    from newsanno.rules.lints import NameIndex, unannotated_names

    base = make_world(seed)
    texts = []
    for i in range(docs):
        doc = make_document(base, i, seed)
        covered = [(m["span"]["start"], m["span"]["end"]) for m in doc["mentions"]]
        covered += [(r["span"]["start"], r["span"]["end"]) for r in doc["regions"]]
        texts.append((doc["text"], covered))
    out: dict[str, float] = {}
    for size in sizes:
        world = make_world(seed, max(0, size - 45))
        entities = world.data["entities"]
        index = NameIndex.of((e["id"], [e["name"], *e.get("aliases", [])]) for e in entities)
        start = time.perf_counter()
        hits = sum(len(list(unannotated_names(t, c, index))) for t, c in texts)
        out[f"{len(index.entries):,} names"] = round((time.perf_counter() - start) / docs * 1e6, 1)
        if hits:
            raise NewsannoError(f"bench: the name lint found {hits} names in clean documents")
    return out


def features_summary(figures: dict[str, Any]) -> list[str]:
    """Human-readable lines of :func:`features`."""
    f = figures
    lines = [
        f"validate + export (c), --jobs {f['jobs']}, {f['docs']:,} and {f['docs_small']:,} "
        "documents per corpus" + (f"; best of {f['repeat']} runs" if f["repeat"] > 1 else ""),
        f"{'corpus':34} {'seconds':>8} {'ms/doc':>8} {'x clean':>8} {'fixed s':>8}",
    ]
    for name, row in f["rows"].items():
        ratio = "" if row["ratio_to_clean"] is None else f"{row['ratio_to_clean']:.2f}"
        lines.append(
            f"{name:34} {row['seconds']:8.2f} {row['ms_per_doc']:8.3f} {ratio:>8} "
            f"{row['fixed_seconds']:8.2f}"
        )
    lines.append(
        f"realistic vs no nested quotes and a 45-name world: {f['ratio_realistic_to_baseline']}x "
        "(target <= 1.5)"
    )
    lines.append(
        "per-document cost, world of 10,000 names vs 450: "
        f"{f['ratio_per_doc_world_10000_to_450']}x (target <= 1.2)"
    )
    lines.append(
        "name lint alone, in one process: "
        + ", ".join(f"{us:.0f} us/doc with {k}" for k, us in f["name_lint_us_per_doc"].items())
    )
    return lines


def _fastest(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest run of a stage, with the largest peak RSS of all its runs."""
    best = dict(min(runs, key=lambda r: float(r["seconds"])))
    best["rss_mb"] = max(r["rss_mb"] for r in runs)
    best["rss_worker_mb"] = max(r["rss_worker_mb"] for r in runs)
    return best


def summary(figures: dict[str, Any]) -> list[str]:
    """Human-readable lines."""
    f = figures
    return (
        [
            f"{f['docs']:,} documents, {f['annotations']:,} annotations, {f['mb']} MB of JSONL; "
            f"--jobs {f['jobs']}"
            + (f"; best of {f['repeat']} runs per stage" if f["repeat"] > 1 else "")
            + f"; {f['reader']} JSON reader",
            f"a parse (orjson)     {f['seconds_parse']:8.2f} s  {f['docs_per_s_parse']:>10,.0f} docs/s",
            f"b validate           {f['seconds_validate']:8.2f} s  {f['docs_per_s_validate']:>10,.0f} docs/s",
            f"c validate + export  {f['seconds_export']:8.2f} s  {f['docs_per_s_export']:>10,.0f} docs/s  "
            f"{f['annotations_per_s_export']:,.0f} annotations/s  {f['mb_per_s_export']} MB/s",
            f"d naive (jsonschema + pandas, {f['naive_docs']:,} docs) {f['seconds_naive']:.2f} s  "
            f"{f['docs_per_s_naive']:,.0f} docs/s",
            f"peak RSS (c): {f['peak_rss_mb']} MB (stage process {f['rss_mb']['export']} MB, largest "
            f"worker {f['rss_worker_mb']['export']} MB); parse {f['rss_mb']['parse']} MB",
            f"c/a = {f['ratio_export_to_parse']}   d/c (per document) = {f['ratio_naive_to_export']}",
        ]
        + _spark_summary(f)
        + (
            [
                f"c without the compiled library (pyarrow's JSON reader, numpy): "
                f"{f['seconds_export_without_native']:.2f} s, {f['ratio_without_native']}x the time of c"
            ]
            if f.get("seconds_export_without_native") is not None
            else []
        )
    )


def _spark_summary(f: dict[str, Any]) -> list[str]:
    s = f.get("spark")
    if not s:
        return []
    return [
        f"Spark engine, {s['master']} (session start {s['seconds_session']:.2f} s, not counted):",
        f"b validate           {s['seconds_validate']:8.2f} s  {s['docs_per_s_validate']:>10,.0f} docs/s"
        f"  ({s['ratio_to_local_validate']}x local)",
        f"c validate + export  {s['seconds_export']:8.2f} s  {s['docs_per_s_export']:>10,.0f} docs/s  "
        f"{s['mb_per_s_export']} MB/s  ({s['ratio_to_local_export']}x local)",
        f"peak RSS (process tree: driver, JVM, workers): validate "
        f"{s['peak_rss_mb']['spark-validate']} MB, export {s['peak_rss_mb']['spark-export']} MB",
        f"c/a = {s['ratio_export_to_parse']}   d/c (per document) = {s['ratio_naive_to_export']}",
    ]
