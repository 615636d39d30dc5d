"""What the commands share: the ``newsanno`` group, exit codes, error handling (``guarded``), the
bulk path's options and its Spark session, and the printing of a report."""

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

from newsanno.model.findings import NewsannoError, Report, Severity

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
        "no annotations/ folder: name the corpus folder (or, for validate, files) on the command "
        "line"
    )


def _corpus(corpus: str | Path) -> str | Path:
    """A command's CORPUS: the default, ``annotations``, means what validate's default means
    (:func:`_default_corpus`: the current folder if it is a corpus, else annotations/, else the
    error that says what to give)."""
    return _default_corpus() if str(corpus) == "annotations" else corpus


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
        "quotes paired by shared word trigrams), and with export write the quote_variants "
        "and quote_variant_pairs tables (renderings grouped by utterance). Their work grows "
        "with the square of the documents quoting one utterance and of the quotes sharing a "
        "trigram.",
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
