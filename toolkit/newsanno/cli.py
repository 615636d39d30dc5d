"""The ``newsanno`` command line: parse options, call the library, map results to exit codes.

Exit codes: 0 success (valid), 1 invalid data, 2 usage or I/O error.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from newsanno.model.findings import NewsannoError, Report, Severity
from newsanno.read.parse import MAX_BYTES

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _console(err: bool = False) -> Console:
    return Console(stderr=err, highlight=False, soft_wrap=True)


def guarded(func: F) -> F:
    """Turn library errors into exit code 2 with a message, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NewsannoError as exc:
            _console(err=True).print(f"[bold red]error:[/] {escape(str(exc))}")
            sys.exit(EXIT_USAGE)
        except OSError as exc:
            _console(err=True).print(f"[bold red]error:[/] {escape(str(exc))}")
            sys.exit(EXIT_USAGE)
        except click.ClickException:  # a usage error: click prints it and exits 2
            raise
        except Exception as exc:  # pragma: no cover - a bug, reported without a traceback
            if os.environ.get("NEWSANNO_DEBUG"):
                raise
            _console(err=True).print(
                f"[bold red]internal error:[/] {escape(type(exc).__name__)}: {escape(str(exc))}\n"
                "This is a bug in newsanno; rerun with NEWSANNO_DEBUG=1 for a traceback and report it."
            )
            sys.exit(EXIT_USAGE)

    return wrapper  # type: ignore[return-value]


def _default_corpus() -> Path:
    """The current folder when it is a corpus, else ``annotations``; neither is a usage error
    (validating every YAML and JSON file below a folder that is no corpus helps nobody)."""
    from newsanno.engines.local import CORPUS_NAMES

    here = Path(".")
    if any((here / name).is_file() for name in CORPUS_NAMES):
        return here
    if Path("annotations").is_dir():
        return Path("annotations")
    raise NewsannoError(
        "this folder is not a corpus folder (no corpus.yaml, corpus.yml or corpus.json) and has "
        "no annotations/ folder: give the corpus folder or files as PATH"
    )


def _own_process() -> None:
    """For validate and export: pyarrow needs no pandas in this process (it is ours), and
    standard error says when the compiled reader is out of date (the bulk path reads slower)."""
    from newsanno.engines.bulk import pyarrow_without_pandas

    pyarrow_without_pandas()
    _native_note()


def _native_note() -> None:
    """On standard error: the compiled reader is out of date, so the bulk path reads slower."""
    from newsanno.read import native

    if native.STALE:
        _console(err=True).print(
            f"note: {escape(str(native.LIBRARY))} was built from another version of "
            f"{native.SOURCE.name}, so JSONL is read with pyarrow's slower reader (same "
            "results); run `make` or `python -m newsanno.read.native` to rebuild it"
        )


def bulk_options(func: F) -> F:
    """``--jobs``, ``--progress`` and the engine options, shared by the commands that read JSONL
    shards."""
    func = click.option(
        "--world",
        type=str,
        default=None,
        help="With --engine spark: the corpus file (corpus.yaml) holding the world, a path or a "
        "URI Spark reads. Default: the one in or above the shards' folder (local paths).",
    )(func)
    func = click.option(
        "--cross-document",
        is_flag=True,
        help="With --engine spark: also run the cross-document lints across all shards "
        "(lint-low-overlap-utterance, quotes grouped by utterance; lint-possible-same-utterance, "
        "quotes paired by shared word trigrams). Their work grows with the square of the "
        "documents quoting one utterance and of the quotes sharing a trigram.",
    )(func)
    func = click.option(
        "--master",
        type=str,
        default=None,
        help="With --engine spark: the Spark master (local[4], spark://host:7077, yarn). "
        "Default: what spark-submit says, else local[*].",
    )(func)
    func = click.option(
        "--engine",
        type=click.Choice(["local", "spark"]),
        default="local",
        show_default=True,
        help="local: this machine's processes; spark: an Apache Spark job (JSONL shards only; "
        "pip install 'newsanno[spark]', Java 17). Findings and tables are the same.",
    )(func)
    func = click.option(
        "--progress/--no-progress",
        default=None,
        help="Show a progress bar over JSONL input (default: only on a terminal).",
    )(func)
    return click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=0),
        default=0,
        show_default=True,
        help="Processes for JSONL shards (the streaming bulk path); 0: one per core, at most one "
        "per 32 MiB of input. Output is the same for any N.",
    )(func)


def _local_only(master: str | None, world: str | None, cross_document: bool) -> None:
    if master is not None or world is not None or cross_document:
        raise click.UsageError("--master, --world and --cross-document go with --engine spark")


@contextlib.contextmanager
def _spark(master: str | None) -> Iterator[Any]:
    """A Spark session for one command; Spark's errors as one line naming its log."""
    import warnings

    from newsanno.engines.spark import log_file, require_pyspark, start_session

    require_pyspark()  # pip install 'newsanno[spark]'
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support")
    log = log_file()
    from pyspark.sql import SparkSession

    ours = SparkSession.getActiveSession() is None  # (a program's own session stays up)
    spark = start_session(master, log)
    try:
        yield spark
    except NewsannoError:
        raise
    except Exception as exc:
        if os.environ.get("NEWSANNO_DEBUG"):
            raise
        lines = str(exc).strip().splitlines() or [type(exc).__name__]
        first = next((x for x in lines if x.strip()), lines[0]).strip()[:300]
        raise NewsannoError(f"the Spark job failed: {first} (Spark's log: {log})") from exc
    finally:
        if ours:
            spark.stop()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsanno")
def main() -> None:
    """newsanno: validate, export and explore annotated news articles."""


def print_report(report: Report, fmt: str, console: Console) -> None:
    """Print findings as text or JSON."""
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    for f in report.findings:
        colour = "red" if f.severity is Severity.ERROR else "yellow"
        console.print(
            f"[bold]{escape(f.file)}:{f.line}:{f.col}[/]: [{colour}]{f.severity.value}[/]"
            f"[dim]{escape('[' + f.code.value + ']')}[/] {escape(f.message)}"
        )
        console.print(f"    [cyan]fix:[/] {escape(f.hint)}")
    s = report.stats()
    summary = (
        f"{s['errors']} error(s), {s['warnings']} warning(s) in {s['files']} file(s), "
        f"{s['documents']} document(s)"
    )
    if report.valid:
        console.print(f"[green]valid[/]: {summary}")
    else:
        console.print(f"[red]invalid[/]: {summary}")


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
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@guarded
def stats(corpus: Path, fmt: str) -> None:
    """Count annotations per layer for each document, and the cross-document links."""
    from newsanno.dataset.stats import corpus_stats
    from newsanno.engines.local import load_corpus

    loaded, report = load_corpus(corpus)
    if loaded is None:
        print_report(report, "text", _console(err=True))
        sys.exit(EXIT_INVALID)
    data = corpus_stats(loaded)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    console = _console()
    world = data["world"]
    console.print(
        f"corpus [bold]{escape(data['corpus'])}[/]: {world['entities']} entities, "
        f"{world['events']} events, {world['utterances']} utterances"
    )
    docs = data["documents"]
    table = Table("layer", *(d["doc_id"] for d in docs), "total")
    for key in (k for k in (docs[0] if docs else {}) if k != "doc_id"):
        values = [d[key] for d in docs]
        table.add_row(key, *map(str, values), str(sum(values)))
    console.print(table)
    for kind, links in data["cross_document"].items():
        console.print(f"[bold]{kind} in more than one document[/]: {len(links)}")
        for ident, docs in links.items():
            console.print(f"  {escape(ident)}: {', '.join(docs)}")


@main.command()
@click.argument("corpus", type=click.Path(), default="annotations")  # a URI keeps its //
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("dist/site"),
    show_default=True,
    help="Folder to write the site into (replaced only if an earlier render wrote it).",
)
@guarded
def render(corpus: Path, out: Path) -> None:
    """Write a static HTML view of a corpus: every layer highlighted, a page per world item.

    Open OUT/index.html in a browser; it needs no server and no network.
    """
    from newsanno.engines.local import load_corpus
    from newsanno.view.render import render_site

    loaded, report = load_corpus(corpus)
    if loaded is None:
        print_report(report, "text", _console(err=True))
        sys.exit(EXIT_INVALID)
    files = render_site(loaded, out)
    _console().print(
        f"wrote {len(files)} files to {escape(str(out))}; open {escape(str(out / 'index.html'))}"
    )


@main.command()
@click.argument("utterance", required=False)
@click.option(
    "--corpus",
    "corpus",
    type=click.Path(path_type=Path),
    default=Path("annotations"),
    show_default=True,
    help="The corpus folder.",
)
@guarded
def compare(utterance: str | None, corpus: Path) -> None:
    """Show how documents word the same utterance: a word-level diff of their quotes.

    Without UTTERANCE, list every utterance quoted in more than one document, with the similarity
    of each pair of documents. With UTTERANCE (an utterance id), show an inline diff for each pair
    and the list of differences, with their offsets in both article texts.
    """
    from newsanno.engines.local import load_corpus
    from newsanno.fidelity.align import compare_corpus, compare_utterance
    from newsanno.view.fidelity import LEGEND, render_pair

    loaded, report = load_corpus(corpus, lint=False)
    if loaded is None:
        print_report(report, "text", _console(err=True))
        sys.exit(EXIT_INVALID)
    console = _console()
    utterances = {u.id: u for u in loaded.world.utterances}
    names = {e.id: e.name for e in loaded.world.entities}
    outlets = {
        d.model.doc_id: names.get(d.model.metadata.outlet or "", d.model.metadata.outlet or "")
        for d in loaded.documents
    }

    def title(ident: str) -> str:
        u = utterances.get(ident)
        if u is None:
            return ident
        bits = [names.get(u.speaker or "", u.speaker or ""), u.channel, u.date or ""]
        return f"{ident} ({', '.join(b for b in bits if b)})"

    if utterance is None:
        pairs = compare_corpus(loaded)
        shown = sorted({p.utterance_id for p in pairs})
        console.print(f"utterances quoted in more than one document: {len(shown)}")
        for ident in shown:
            console.print(f"[bold]{escape(title(ident))}[/]")
            for p in (p for p in pairs if p.utterance_id == ident):
                console.print(
                    f"  {escape(p.a.doc_id)} / {escape(p.b.doc_id)}: {p.relation}, "
                    f"similarity {p.similarity:.2f}"
                )
        if shown:
            console.print("show one with: newsanno compare UTTERANCE")
        return
    if utterance not in utterances:
        raise NewsannoError(
            f"no utterance has the id {utterance!r}; run `newsanno compare` to list them"
        )
    pairs = compare_utterance(loaded, utterance)
    if not pairs:
        raise NewsannoError(
            f"utterance {utterance!r} is quoted in fewer than two documents; nothing to compare"
        )
    console.print(f"[bold]{escape(title(utterance))}[/]")
    console.print(LEGEND, style="dim", highlight=False, markup=False)
    for p in pairs:
        console.print()
        for part in render_pair(p, outlets):
            console.print(part)


@main.command()
@click.argument("corpus", type=click.Path(path_type=Path), default=Path("annotations"))
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder to write the dataset into (replaced atomically when the export is complete).  "
    "[default: dist/newsanno; dist/FORMAT with --to]",
)
@click.option(
    "--to",
    "to",
    type=click.Choice(["parquet", "brat", "label-studio", "inception", "doccano"]),
    default="parquet",
    show_default=True,
    help="parquet: the dataset; brat, label-studio, inception, doccano: files for that annotation tool "
    "(see the README's section per tool; what the tool cannot hold is reported).",
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
    out: Path | None,
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
    """Validate CORPUS and export it as a Parquet dataset (default: annotations).

    Writes one Parquet file per table, datapackage.json (Frictionless), croissant.json
    (Croissant), claims.jsonld (schema.org claims), a dataset card README.md and
    checksums.sha256. An invalid corpus is refused with its findings (exit 1); nothing is written.
    A second annotation in CORPUS/agreement/NAME/ is measured against CORPUS (newsanno agree) and
    the figures go into the dataset card.
    """
    if to != "parquet":
        _export_to(Path(corpus), to, out or Path("dist") / to)
        return
    out = out or Path("dist/newsanno")
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
        result = run(corpus, out, lint=not no_lint, jobs=jobs, progress=progress, claims=claims)
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
