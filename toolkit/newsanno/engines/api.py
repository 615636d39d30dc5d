"""The library's entry points that choose an engine: files through the serial validator, JSONL
shards through the bulk engine (``newsanno.validate``; ``newsanno.export_dataset`` is this export
with the agreement section of the card, ``newsanno.agree.card``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from newsanno.engines.local import Validator, load_corpus, plan
from newsanno.model.corpus import Corpus
from newsanno.model.findings import Report
from newsanno.read.parse import MAX_BYTES

if TYPE_CHECKING:  # pandas and pyarrow load on first use, so that validating YAML starts quickly
    from newsanno.dataset.write import ExportResult


def validate(
    *paths: Path | str,
    max_bytes: int = MAX_BYTES,
    lint: bool = True,
    jobs: int = 1,
    progress: bool | None = False,
) -> Report:
    """Validate a corpus folder, or single files; return every finding.

    JSONL shards are streamed by the bulk path, on ``jobs`` processes (0: one per core; never more
    than the input's chunks); ``progress`` shows a bar (None: only on a terminal).
    """
    p = plan(paths or (".",))
    if p.shards:
        from newsanno.engines.bulk import run_bulk

        return run_bulk(p, max_bytes=max_bytes, lint=lint, jobs=jobs, progress=progress).report
    validator = Validator(max_bytes=max_bytes, lint=lint)
    for _ in validator.run(p):
        pass
    return validator.report.sorted()


def export_dataset(
    corpus: Path | str = "annotations",
    out: Path | str = "dist/newsanno",
    *,
    lint: bool = True,
    rows_per_part: int | None = None,
    jobs: int = 1,
    progress: bool | None = False,
    claims: bool | None = None,
    agreement: Callable[[Corpus], str | None] | None = None,
) -> ExportResult:
    """Validate ``corpus`` and, if it is valid, export it to ``out``; nothing is written otherwise.

    Warnings do not block the export. ``rows_per_part`` splits tables with more rows into a folder
    ``<table>/part-NNNNN.parquet``. JSONL shards are streamed instead
    (:func:`newsanno.engines.bulk.export_bulk`, on ``jobs`` processes, 0 for one per core, one
    part file per input chunk). ``claims``: write ``claims.jsonld`` (schema.org claims); by
    default for annotation folders, not for JSONL shards (it costs about 0.25 s per 1,000 claims).
    ``agreement``: called with the validated corpus (of files, not shards), it returns the dataset
    card's agreement section (``newsanno.agree.card`` passes it; this layer cannot measure
    agreement itself).
    """
    from newsanno.dataset.write import ExportResult, write_dataset

    todo = plan([corpus])
    if todo.shards:
        from newsanno.engines.bulk import export_bulk

        streamed: ExportResult = export_bulk(
            todo, out, lint=lint, jobs=jobs, progress=progress, claims=bool(claims)
        )
        return streamed
    loaded, report = load_corpus(corpus, lint=lint)
    if loaded is None:
        return ExportResult(report)
    section = agreement(loaded) if agreement is not None else None
    tables = write_dataset(
        loaded,
        out,
        rows_per_part=rows_per_part,
        claims=claims is not False,
        agreement=section,
    )
    return ExportResult(report, Path(out), tables)
