"""``newsanno import`` and ``export --to``: the annotation tools' formats."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from newsanno.cli.base import EXIT_INVALID, _console, guarded, main, print_report
from newsanno.model.findings import Severity


def _print_findings(findings: list[Any], console: Console) -> None:
    for f in findings:
        colour = "red" if f.severity is Severity.ERROR else "yellow"
        where = f"{f.file}:{f.line}" if f.line else f.file
        console.print(
            f"[bold]{escape(where)}[/]: [{colour}]{f.severity.value}[/]"
            f"[dim]{escape('[' + f.code.value + ']')}[/] {escape(f.message)}"
        )
        if f.hint:
            console.print(f"    [cyan]fix:[/] {escape(f.hint)}")


def _export_to(corpus: Path, to: str, out: Path) -> None:
    from newsanno.interop import export_corpus

    result = export_corpus(corpus, to, out)
    err = _console(err=True)
    if result.report is not None and not result.report.valid:
        print_report(result.report, "text", err)
    _print_findings(result.findings, err)
    if not result.written:
        err.print("[red]not written[/]: nothing was changed in " + escape(str(out)))
        sys.exit(EXIT_INVALID)
    _console().print(
        f"[green]exported[/] {result.counts['documents']} document(s) for {to} to "
        f"{escape(str(out))}"
        + (f" ({len(result.findings)} note(s) above)" if result.findings else "")
    )


@main.command("import")
@click.argument(
    "fmt",
    metavar="FORMAT",
    type=click.Choice(["brat", "label-studio", "inception", "doccano", "webanno-tsv"]),
)
@click.argument("source", type=click.Path(path_type=Path, exists=True))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Corpus folder to write (replaced whole, and only if an earlier import wrote it).",
)
@click.option(
    "--map",
    "label_map",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="A label mapping file (YAML; schema/label-map.schema.json), laid over the default one.",
)
@click.option("--strict", is_flag=True, help="A label nothing maps is an error, not a warning.")
@click.option(
    "--annotator",
    help="label-studio: import the annotation by this annotator (e-mail or user id; default: "
    "the first that is not cancelled); inception: only this user's documents of a project "
    "export (CURATION_USER: the curated ones; default: all).",
)
@click.option(
    "--language",
    help="Language of the documents (BCP 47, e.g. en) when the source does not say; default: und.",
)
@guarded
def import_(
    fmt: str,
    source: Path,
    out: Path,
    label_map: Path | None,
    strict: bool,
    annotator: str | None,
    language: str | None,
) -> None:
    """Convert an annotation tool's files into a newsanno corpus folder and validate it.

    FORMAT is brat (a folder of .txt/.ann, or one .ann), label-studio (a JSON export of tasks),
    inception (a project export .zip, a folder, or one .xmi, with TypeSystem.xml), doccano (a
    JSONL export) or webanno-tsv (one WebAnno TSV 3.x file, or a folder of them). Every span's offsets are converted to code points and checked against the text
    the tool gives. Nothing is written when the source is malformed or the converted corpus does
    not validate (exit 1).
    """
    from newsanno.interop import import_corpus

    result = import_corpus(
        fmt, source, out, label_map=label_map, strict=strict, annotator=annotator, language=language
    )
    err = _console(err=True)
    _print_findings(result.findings, err)
    if result.report is not None and (result.report.findings or not result.report.valid):
        print_report(result.report, "text", err)
    if not result.written:
        err.print("[red]not imported[/]: nothing was written to " + escape(str(out)))
        sys.exit(EXIT_INVALID)
    c = result.counts
    _console().print(
        f"[green]imported[/] {c['documents']} document(s) into {escape(str(out))}: "
        f"{c['mentions']} mention(s) of {c['entities']} entit(ies), {c['quotes']} quote(s), "
        f"{c['claims']} claim(s), {c['event_mentions']} event mention(s), {c['regions']} region(s)"
    )
