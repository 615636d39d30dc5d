"""``newsanno validate``, ``export`` and ``schema``: check a corpus, write the dataset and the
schema files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from newsanno.cli.base import (
    EXIT_INVALID,
    EXIT_OK,
    _console,
    _corpus,
    _default_corpus,
    _local_only,
    _own_process,
    _spark,
    bulk_options,
    guarded,
    main,
    print_report,
)
from newsanno.cli.interop import _export_to
from newsanno.read.parse import MAX_BYTES


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())  # text: a URI's // stays (--engine spark)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="Output format: text for people, json for programs, html for a page showing the findings on the text.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the json or html output to this file instead of standard output.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 on any warning).")
@click.option("--no-lint", is_flag=True, help="Skip the lints (warnings).")
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=MAX_BYTES,
    show_default=True,
    help="Size limit for one file (or one JSONL line).",
)
@bulk_options
@guarded
def validate(
    paths: tuple[str, ...],
    fmt: str,
    out: Path | None,
    strict: bool,
    no_lint: bool,
    max_bytes: int,
    jobs: int,
    progress: bool | None,
    engine: str,
    master: str | None,
    world: str | None,
    cross_document: bool,
) -> None:
    """Validate a corpus folder or single annotation files (default: the current folder if it
    holds corpus.yaml, else annotations/).

    Reports every finding as FILE:LINE:COL with a stable code and a fix. Exit 0 when valid,
    1 when invalid, 2 on usage or I/O errors.
    """
    from newsanno.engines.api import validate as run

    if out is not None and fmt == "text":
        raise click.UsageError("--out needs --format json or --format html")
    _own_process()
    if engine == "spark":
        from newsanno.engines.spark import local_plan, validate_report

        local_plan(list(paths or (_default_corpus(),)))  # refused before Spark starts
        with _spark(master) as spark:
            report = validate_report(
                spark,
                list(paths or (_default_corpus(),)),
                world=world,
                max_bytes=max_bytes,
                lint=not no_lint,
                cross_document=cross_document,
            )
    else:
        _local_only(master, world, cross_document)
        report = run(
            *(paths or (_default_corpus(),)),
            max_bytes=max_bytes,
            lint=not no_lint,
            jobs=jobs,
            progress=progress,
        )
    if fmt == "html" or out is not None:
        from newsanno.view.htmlreport import report_html

        output = (
            report_html(report)
            if fmt == "html"
            else json.dumps(report.as_dict(), ensure_ascii=False, indent=2)
        )
        if out is None:
            click.echo(output)
        else:
            out.write_text(output + "\n", encoding="utf-8")
            _console(err=True).print(f"wrote {escape(str(out))}")
    else:
        print_report(report, fmt, _console())
    failed = not report.valid or (strict and report.warnings)
    sys.exit(EXIT_INVALID if failed else EXIT_OK)


@main.command()
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=Path("schema"),
    show_default=True,
    help="Folder to write the generated schema files into.",
)
@click.option("--check", is_flag=True, help="Do not write; exit 1 if the files in --out are stale.")
@guarded
def schema(out: Path, check: bool) -> None:
    """Write the JSON Schemas, the ontology and the table documentation into schema/."""
    from newsanno.dataset.schema_files import stale_schemas, write_schemas

    if check:
        stale = stale_schemas(out)
        if stale:
            _console(err=True).print(
                f"[red]stale:[/] {', '.join(stale)} in {escape(str(out))}; run `newsanno schema` and commit"
            )
            sys.exit(EXIT_INVALID)
        _console().print(f"[green]up to date[/]: {escape(str(out))}")
        return
    for path in write_schemas(out):
        _console().print(f"wrote {escape(str(path))}")


@main.command()
@click.argument("corpus", type=click.Path(path_type=Path), default=Path("annotations"))
@click.option(
    "--out",
    "out",
    type=str,
    default=None,
    help="Folder to write the dataset into (replaced atomically when the export is complete); "
    "with --engine spark also a URI (s3a://, hdfs://, gs://, file://), where the final rename is "
    "atomic on HDFS but a copy on object stores (docs/spark.md).  "
    "[default: dist/newsanno; dist/FORMAT with --to]",
)
@click.option(
    "--to",
    "to",
    type=click.Choice(["parquet", "brat", "label-studio", "inception", "doccano"]),
    default="parquet",
    show_default=True,
    help="parquet: the dataset; brat, label-studio, inception, doccano: files for that annotation tool "
    "(docs/interop.md has a section per tool; what the tool cannot hold is reported).",
)
@click.option("--no-lint", is_flag=True, help="Skip the lints (warnings) while validating.")
@click.option(
    "--claims/--no-claims",
    default=None,
    help="Write claims.jsonld, the claims as schema.org JSON-LD. Default: yes for annotation "
    "folders, no for JSONL shards (it grows with the claims).",
)
@bulk_options
@guarded
def export(
    corpus: str,
    out: str | None,
    to: str,
    no_lint: bool,
    claims: bool | None,
    jobs: int,
    progress: bool | None,
    engine: str,
    master: str | None,
    world: str | None,
    cross_document: bool,
) -> None:
    """Validate CORPUS and export it as a Parquet dataset (default: the current folder if it
    holds corpus.yaml, else annotations/).

    Writes one Parquet file per table, datapackage.json (Frictionless), croissant.json
    (Croissant), claims.jsonld (schema.org claims), a dataset card README.md and
    checksums.sha256. An invalid corpus is refused with its findings (exit 1); nothing is written.
    A second annotation in CORPUS/agreement/NAME/ is measured against CORPUS (newsanno agree) and
    the figures go into the dataset card.
    """
    if out is not None and "://" in out and (to != "parquet" or engine != "spark"):
        raise click.UsageError(
            f"--out {out}: only the Spark engine writes to a URI (export JSONL shards with "
            "--engine spark, as Parquet); export this corpus to a folder"
        )
    corpus = str(_corpus(corpus))
    if to != "parquet":
        _export_to(Path(corpus), to, Path(out) if out else Path("dist") / to)
        return
    out = out or "dist/newsanno"
    from newsanno.agree.card import export_dataset as run

    _own_process()
    if engine == "spark":
        from newsanno.engines.spark import export_dataset as on_spark
        from newsanno.engines.spark import local_plan

        local_plan([corpus])  # refused before Spark starts
        with _spark(master) as spark:
            result = on_spark(
                spark,
                [corpus],
                out,
                world=world,
                lint=not no_lint,
                claims=bool(claims),
                cross_document=cross_document,
            )
    else:
        _local_only(master, world, cross_document)
        result = run(
            corpus, Path(out), lint=not no_lint, jobs=jobs, progress=progress, claims=claims
        )
    if not result.written:
        print_report(result.report, "text", _console(err=True))
        sys.exit(EXIT_INVALID)
    console = _console()
    table = Table("table")
    table.add_column("rows", justify="right")
    table.add_column("bytes", justify="right")
    for info in result.tables:
        table.add_row(info.name, str(info.rows), f"{info.bytes:,}")
    console.print(table)
    warnings = len(result.report.warnings)
    console.print(
        f"[green]exported[/] {len(result.tables)} tables to {escape(str(out))}"
        + (f" ({warnings} warning(s); see `newsanno validate`)" if warnings else "")
    )
