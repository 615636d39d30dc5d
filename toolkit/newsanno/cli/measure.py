"""``newsanno bench`` and ``agree``: the bulk path's throughput, and agreement between two
annotations."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.markup import escape

from newsanno.cli.base import EXIT_INVALID, _console, _native_note, guarded, main, print_report


@main.command()
@click.option(
    "--docs",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Synthetic documents to generate.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Processes for validate and export; 0: one per core, as `newsanno export` does.",
)
@click.option(
    "--naive-docs",
    type=click.IntRange(min=1),
    default=2_000,
    show_default=True,
    help="Documents for the (slow) naive pipeline; its per-document rate is compared.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the generator.")
@click.option(
    "--repeat",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Run each stage this many times and keep its fastest run (for noisy machines).",
)
@click.option(
    "--features",
    is_flag=True,
    help="Instead of the four stages: the cost per document of each feature of real corpora "
    "(nested quotes, offset-only spans, large worlds, bad lines) and of the realistic mix.",
)
@click.option(
    "--dirty",
    is_flag=True,
    help="Instead of the four stages: validate the realistic mix clean and with 5% bad lines "
    "(unknown fields, wrong offsets, dangling ids, wrong enum values, broken JSON); both "
    "times and their ratio.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json adds one JSON object as the last line.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="spark: also run (b) and (c) on the Spark engine in local mode, local[JOBS] "
    "(pip install 'newsanno[spark]', Java 17), next to the local engine.",
)
@guarded
def bench(
    docs: int,
    jobs: int,
    naive_docs: int,
    seed: int,
    repeat: int,
    features: bool,
    dirty: bool,
    fmt: str,
    engine: str,
) -> None:
    """Benchmark the bulk path on a synthetic corpus: throughput, peak memory, two ratios.

    Stages, each in a fresh process: (a) parse the JSONL with orjson, (b) validate, (c) validate
    and export, (d) a naive pipeline (python-jsonschema per document, then pandas to_parquet).
    With --features, stage (c) on one corpus per feature, at --docs and a quarter of that.
    With --dirty, stage (b) on the realistic mix, clean and with 5% bad lines.
    """
    from newsanno.bench.run import dirty as run_dirty
    from newsanno.bench.run import dirty_summary, features_summary, run, summary
    from newsanno.bench.run import features as run_features

    _native_note()
    if (features or dirty) and engine != "local":
        raise click.UsageError("--features and --dirty run the local engine only")
    if dirty:
        figures = run_dirty(docs, jobs=jobs, seed=seed, repeat=repeat)
        lines = dirty_summary(figures)
    elif features:
        figures = run_features(docs, jobs=jobs, seed=seed, repeat=repeat)
        lines = features_summary(figures)
    else:
        if engine == "spark":
            from newsanno.engines.spark import require_pyspark

            require_pyspark()
        figures = run(
            docs, jobs=jobs, seed=seed, naive_docs=naive_docs, repeat=repeat, engine=engine
        )
        lines = summary(figures)
    for line in lines:
        click.echo(line)
    if fmt == "json":
        click.echo(json.dumps(figures))


@main.command()
@click.argument("a", type=click.Path(path_type=Path))
@click.argument("b", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="Output format: text for people, json for programs, html for the two annotations side by side.",
)
@click.option(
    "--layer",
    "layers",
    type=click.Choice(["mentions", "quotes", "claims", "event_mentions", "event_arguments"]),
    multiple=True,
    help="Measure only this layer (repeatable; default: all).",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the json or html output to this file instead of standard output.",
)
@guarded
def agree(a: Path, b: Path, fmt: str, layers: tuple[str, ...], out: Path | None) -> None:
    """Measure agreement between two annotations of the same texts, or score a system.

    A and B are corpus folders (or exported datasets); documents are paired by the sha256 of
    their text. Per layer: span precision, recall and F1 (exact and overlap match), label
    agreement (Cohen's kappa, Krippendorff's alpha), coreference (MUC, B3, CEAF-e, LEA) and
    cross-document links. Precision is B's and recall A's, so `agree GOLD SYSTEM` scores a
    system. Exit 1 when either side is invalid.
    """
    from newsanno.agree import LAYERS, load_side
    from newsanno.agree import agree as run
    from newsanno.agree.report import as_dict, html_report, print_text

    if out is not None and fmt == "text":
        raise click.UsageError("--out needs --format json or --format html")
    sides = []
    for path in (a, b):
        corpus, report = load_side(path)
        if corpus is None:
            assert report is not None
            _console(err=True).print(f"[red]{escape(str(path))} is not a valid corpus:[/]")
            print_report(report, "text", _console(err=True))
            sys.exit(EXIT_INVALID)
        sides.append(corpus)
    result = run(sides[0], sides[1], layers or LAYERS)
    if fmt == "text":
        console = _console()
        if not console.is_terminal:  # rich would fall back to 80 columns and cut the labels
            console.width = max(console.width, 120)
        print_text(result, str(a), str(b), console)
        return
    output = (
        html_report(result, str(a), str(b))
        if fmt == "html"
        else json.dumps(as_dict(result, str(a), str(b)), ensure_ascii=False, indent=2)
    )
    if out is None:
        click.echo(output)
    else:
        out.write_text(output + "\n", encoding="utf-8")
        _console(err=True).print(f"wrote {escape(str(out))}")
