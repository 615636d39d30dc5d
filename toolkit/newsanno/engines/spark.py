"""Apache Spark as an engine: JSONL shards validated and exported inside a Spark job.

The checks are the bulk engine's, not a copy of them: every block of lines goes through
:meth:`newsanno.engines.bulk.Worker.check_block`, the function the local engine's chunks go
through too. What this module adds is the way there and back:

1. Spark reads the shards as text (``lineSep="\\n"``, so a lone ``\\r`` is no line break; the
   value cast to binary, so broken UTF-8 reaches the checks as bytes), with each line's file and
   the start of its input split (``input_file_name()``, ``input_file_block_start()``).
2. A first, cheap job counts the lines of each split; on the driver a prefix sum per file gives
   each split's first line number. (A split's rows come in file order within one partition.)
3. ``mapInArrow`` joins consecutive lines of one split into blocks and checks each with the
   bulk worker (the world is loaded and checked once, on the driver, and broadcast). It emits
   rows ``(kind, ...)``: the findings, each valid document's doc_id and line, a block's counts,
   and, when exporting, each export table of the block as one Arrow IPC stream.
4. doc_ids used twice across the corpus: a ``groupBy`` over the doc_id rows; the lines of the
   later uses are read again (only when there are any) to word the finding exactly as the local
   engine does (:func:`newsanno.engines.bulk.duplicate_doc_id`).
5. Export: the checked rows are persisted, so each table is decoded from them (not checked
   again) and written by Spark's Parquet writer into a staging folder beside the target; the
   world tables, ``datapackage.json``, ``croissant.json``, the card and the checksums are
   written by :mod:`newsanno.dataset.write`, and the folder replaces the target by a rename
   (:func:`newsanno.dataset.write.replace_folder`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

import pyarrow as pa

from newsanno.dataset.tables import TABLES
from newsanno.engines.bulk import (
    BLOCK_BYTES,
    GROUP_DOCS,
    BulkResult,
    Options,
    Worker,
    _relative,
    _Summary,
    duplicate_doc_id,
)
from newsanno.engines.local import Validator, plan
from newsanno.model.corpus import display
from newsanno.model.findings import Code, Finding, NewsannoError, Report, Severity
from newsanno.read.parse import MAX_BYTES
from newsanno.rules.fastcheck import Columns

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from newsanno.dataset.write import ExportResult

PYSPARK_MISSING = "the Spark engine needs pyspark: pip install 'newsanno[spark]'"
FINDING_COLUMNS = ("file", "line", "column", "code", "severity", "message", "fix", "path")
"""The columns of :func:`validate`'s DataFrame."""
_OUT_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),  # finding | doc | stats | table | line
        ("name", pa.string()),  # the code of a finding, the doc_id, the table's name
        ("file", pa.string()),
        ("line", pa.int64()),
        ("col", pa.int64()),  # a finding's column; a doc's file rank (input order)
        ("severity", pa.string()),
        ("message", pa.string()),
        ("hint", pa.string()),
        ("path", pa.string()),
        ("data", pa.binary()),  # a table as Arrow IPC, a block's counts as JSON, a line's bytes
    ]
)
_OUT_DDL = (
    "kind string, name string, file string, line long, col long, severity string, "
    "message string, hint string, path string, data binary"
)


def require_pyspark() -> None:
    """Raise a clear error when pyspark is not installed."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise NewsannoError(PYSPARK_MISSING) from exc


# --------------------------------------------------------------------------------------------
# Input: which files, under which names; the world


@dataclass
class _Name:
    display: str
    """How findings name the file (as the local engine does: relative to the working folder)."""
    annotation_file: str
    """The file's name in the export's rows (relative to the corpus folder)."""
    rank: int
    """Its place in input order (which use of a doc_id is the first)."""


@dataclass
class _State:
    """What every task needs, broadcast once: the world, options, names and line numbers."""

    token: str
    world: Any
    root: Path | None
    options: Options
    names: dict[str, _Name]
    first_lines: dict[tuple[str, int], int]
    tables: bool
    wanted: frozenset[tuple[str, int]] = frozenset()
    cross_document: bool = False
    """Emit a record of every quote of a valid document, for the cross-document lint."""
    """(file, line) of the lines a rescan returns."""


def _is_uri(path: str) -> bool:
    scheme = urlparse(path).scheme
    return len(scheme) > 1 and scheme != "file"  # (a Windows drive letter is no scheme)


def _key(file_uri: str) -> str:
    """A file as Spark names it (``file:///a/b%20c.jsonl``), as a key: a local path, or the
    URI itself."""
    parsed = urlparse(file_uri)
    if parsed.scheme in ("", "file"):
        return str(Path(unquote(parsed.path)).resolve())
    return file_uri


@dataclass
class _Job:
    spark: Any
    validator: Validator
    uris: list[str]
    names: dict[str, _Name] = field(default_factory=dict)
    world_uri: str | None = None


def _start(
    spark: SparkSession,
    paths: str | Path | list[str | Path] | tuple[str | Path, ...],
    world: str | Path | None,
    max_bytes: int,
    lint: bool,
) -> _Job:
    """Work out the input (local paths as the local engine's ``plan`` does; URIs as given) and
    load and check the world on the driver."""
    given = [paths] if isinstance(paths, str | Path) else list(paths)
    if not given:
        raise NewsannoError("no input: give JSONL shards, a folder of them, or a glob")
    validator = Validator(max_bytes=max_bytes, lint=lint)
    remote = [str(p) for p in given if _is_uri(str(p))]
    local = [Path(urlparse(str(p)).path) for p in given if not _is_uri(str(p))]
    uris: list[str] = []
    corpus_file: Path | None = None
    job = _Job(spark, validator, uris)
    if local:
        p = plan(local)
        if p.documents:
            raise NewsannoError(
                f"{display(p.documents[0])}: the Spark engine reads JSONL shards only; "
                "validate YAML/JSON document files with the local engine (--engine local)"
            )
        if not p.shards and not remote:
            raise NewsannoError(f"{local[0]}: no JSONL shards (*.jsonl) to read")
        corpus_file = p.corpus_file
        uris += [str(s.resolve()) for s in p.shards]
    uris += remote
    if world is not None:
        if _is_uri(str(world)):
            job.world_uri = str(world)
            corpus_file = _fetch_world(spark, str(world))
        else:
            corpus_file = Path(world)
            if not corpus_file.is_file():
                raise NewsannoError(f"{world}: no such corpus file (corpus.yaml with the world)")
    if corpus_file is None and remote and not local:
        raise NewsannoError(
            f"{remote[0]}: give the world (corpus.yaml) with --world / world=; "
            "it is found next to local shards only"
        )
    validator.load_world(corpus_file)
    if job.world_uri is not None:  # its findings name the URI, not the local copy
        local_name = display(corpus_file) if corpus_file else ""
        validator.report.findings = [
            Finding(job.world_uri, *_rest(f)) if f.file == local_name else f
            for f in validator.report.findings
        ]
        validator.report.files = [
            job.world_uri if f == local_name else f for f in validator.report.files
        ]
    if corpus_file is None:
        validator.report.findings.append(
            Finding(
                display(Path(uris[0])) if local else uris[0],
                1,
                1,
                Code.CORPUS_MISSING,
                Severity.ERROR,
                "no corpus file (corpus.yaml, .yml or .json) in this folder or above it",
                "documents refer to entities in corpus.yaml; create one next to the documents",
            )
        )
    if local:
        for rank, shard in enumerate(plan(local).shards):
            key = str(shard.resolve())
            job.names[key] = _Name(display(shard), _relative(shard, validator.root), rank)
            validator.report.files.append(display(shard))
    return job


def _rest(f: Finding) -> tuple[Any, ...]:
    return (f.line, f.col, f.code, f.severity, f.message, f.hint, f.path)


def _fetch_world(spark: SparkSession, uri: str) -> Path:
    """A world on a file system Spark reads (s3a://, hdfs://), copied into a local folder."""
    rows = spark.read.format("binaryFile").load(uri).select("content").head(2)
    if len(rows) != 1:
        raise NewsannoError(f"{uri}: no such corpus file (or more than one)")
    folder = Path(tempfile.mkdtemp(prefix="newsanno-world-"))
    path = folder / (Path(urlparse(uri).path).name or "corpus.yaml")
    path.write_bytes(bytes(rows[0]["content"]))
    return path


def _lines(job: _Job) -> DataFrame:
    from pyspark.sql import functions as F

    return (
        job.spark.read.option("lineSep", "\n")
        .text(job.uris)
        .select(
            F.col("value").cast("binary").alias("raw"),
            F.input_file_name().alias("file"),
            F.input_file_block_start().alias("start"),
        )
    )


def _first_lines(job: _Job, lines: DataFrame) -> dict[tuple[str, int], int]:
    """The first line number of every input split: lines counted per split, summed per file."""
    counts = sorted(
        (r["file"], r["start"], r["count"])
        for r in lines.groupBy("file", "start").count().collect()
    )
    first: dict[tuple[str, int], int] = {}
    running: dict[str, int] = {}
    for file, start, count in counts:
        first[(file, start)] = running.get(file, 1)
        running[file] = first[(file, start)] + count
    remote = sorted({_key(f) for f, _, _ in counts} - set(job.names))
    for n, key in enumerate(remote, start=len(job.names)):
        rel = key
        if job.world_uri is not None:
            folder = job.world_uri.rsplit("/", 1)[0] + "/"
            rel = key.removeprefix(folder)
        job.names[key] = _Name(key, rel, n)
        job.validator.report.files.append(key)
    return first


# --------------------------------------------------------------------------------------------
# Executors


_WORKERS: dict[str, Worker] = {}


def _worker(state: _State) -> Worker:
    worker = _WORKERS.get(state.token)
    if worker is None:
        _WORKERS.clear()  # a Python worker process is reused across jobs: one world at a time
        worker = _WORKERS[state.token] = Worker(state.world, state.root, state.options)
    return worker


def _numbered(batches: Iterator[pa.RecordBatch], state: _State) -> Iterator[tuple[str, int, bytes]]:
    """(file's key, line number, bytes) of each input row, in the partition's (file) order."""
    key: tuple[str, int] | None = None
    number, name = 0, ""
    for batch in batches:
        raws = batch.column("raw").to_pylist()
        files = batch.column("file").to_pylist()
        starts = batch.column("start").to_pylist()
        for raw, file, start in zip(raws, files, starts, strict=True):
            if (file, start) != key:
                key = (file, start)
                number = state.first_lines[key]
                name = _key(file)
            yield name, number, raw or b""
            number += 1


def _out(rows: list[dict[str, Any]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist(rows, schema=_OUT_SCHEMA)


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression="lz4")
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _check_block(state: _State, file: str, first: int, lines: list[bytes]) -> pa.RecordBatch:
    name = state.names.get(file) or _Name(file, file, 1 << 30)
    data = b"\n".join(lines) + b"\n"
    res = _worker(state).check_block(data, first, name.display, name.annotation_file)
    rows: list[dict[str, Any]] = [
        {
            "kind": "finding",
            "name": f.code.value,
            "file": f.file,
            "line": f.line,
            "col": f.col,
            "severity": f.severity.value,
            "message": f.message,
            "hint": f.hint,
            "path": f.path,
        }
        for f in res.findings
    ]
    rows += [
        {"kind": "doc", "name": doc_id, "file": name.display, "line": line, "col": name.rank}
        for doc_id, line, _ in res.doc_ids
    ]
    stats = {
        "documents": res.documents,
        "valid": res.valid,
        "annotations": res.annotations,
        "unexported": res.unexported,
        "columnar": res.columnar,
        "outlets": sorted(res.outlets),
        "languages": sorted(res.languages),
        "published": res.published,
        "rows": {t: res.tables[t].num_rows for t in Columns.TABLES},
    }
    rows.append({"kind": "stats", "data": json.dumps(stats).encode()})
    if state.cross_document:
        rows += _quote_records(res, name)
    if state.tables:
        rows += [
            {"kind": "table", "name": t, "data": _ipc(res.tables[t])}
            for t in Columns.TABLES
            if res.tables[t].num_rows
        ]
    return _out(rows)


def _quote_records(res: Any, name: _Name) -> list[dict[str, Any]]:
    """A record of every quote linked to an utterance in the valid documents of a block, as
    :class:`newsanno.rules.crossdoc.CrossDocumentLints` keeps it (built by its own ``add``,
    from the block's export rows: the documents that passed, with their spans resolved)."""
    import pickle
    from types import SimpleNamespace

    from newsanno.model import Span
    from newsanno.rules.crossdoc import CrossDocumentLints

    docs = res.tables["documents"].select(["doc_id", "text"]).to_pylist()
    if not docs:
        return []
    lines = {doc_id: line for doc_id, line, _ in res.doc_ids}
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for q in res.tables["quotes"].to_pylist():
        by_doc.setdefault(q["doc_id"], []).append(q)
    rows = []
    for d in docs:
        quotes = sorted(by_doc.get(d["doc_id"], []), key=lambda q: q["ordinal"])
        doc = SimpleNamespace(
            doc_id=d["doc_id"],
            quotes=[
                SimpleNamespace(
                    id=q["quote_id"],
                    type=q["quote_type"],
                    utterance=q["utterance_id"],
                    nested_in=q["nested_in_quote_id"],
                    content=[
                        Span(text=g["text"], start=g["start"], end=g["end"]) for g in q["segments"]
                    ],
                )
                for q in quotes
            ],
        )
        line = lines[d["doc_id"]]
        lints = CrossDocumentLints()
        lints.add(doc, d["text"], name.display, _at_line(line))  # type: ignore[arg-type]
        rows += [
            {
                "kind": "quote",
                "name": r.utterance,
                "data": pickle.dumps(((name.rank, line, r.index), r)),
            }
            for r in lints.quotes
            if r.utterance
        ]
    return rows


def _at_line(line: int) -> Any:
    """Where a JSONL document's quote is reported: its line, column 1 (as locally)."""
    return lambda path: (line, 1)


def _low_overlap(pdf: Any) -> Any:
    """The low-overlap lint over the quotes of one utterance (a group of ``groupBy``), by
    :class:`newsanno.rules.crossdoc.CrossDocumentLints` itself: its records in input order."""
    import pickle

    import pandas as pd

    from newsanno.rules.crossdoc import CrossDocumentLints

    records = [r for _, r in sorted(pickle.loads(b) for b in pdf["data"])]
    found = list(CrossDocumentLints(quotes=records)._low_overlap())
    return pd.DataFrame(
        [
            (f.file, f.line, f.col, f.code.value, f.severity.value, f.message, f.hint, f.path)
            for f in found
        ],
        columns=list(FINDING_COLUMNS),
    )


def _check_partition(bc: Any) -> Any:
    def check(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        state: _State = bc.value
        group = max(1, state.options.group_docs)
        block: list[bytes] = []
        file, first, size = "", 0, 0
        for f, number, raw in _numbered(batches, state):
            if block and (
                f != file
                or number != first + len(block)
                or len(block) >= group
                or size > BLOCK_BYTES
            ):
                yield _check_block(state, file, first, block)
                block, size = [], 0
            if not block:
                file, first = f, number
            block.append(raw)
            size += len(raw) + 1
        if block:
            yield _check_block(state, file, first, block)

    return check


def _rescan_partition(bc: Any) -> Any:
    def rescan(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        state: _State = bc.value
        rows = [
            {"kind": "line", "file": file, "line": number, "data": raw}
            for file, number, raw in _numbered(batches, state)
            if (file, number) in state.wanted
        ]
        yield _out(rows)

    return rescan


def _decode(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        for blob in batch.column("data").to_pylist():
            with pa.ipc.open_stream(blob) as reader:
                yield from reader


# --------------------------------------------------------------------------------------------
# The driver


@dataclass
class SparkRun:
    """A checked input: the checked rows (a DataFrame), the report and the counts."""

    job: _Job
    checked: DataFrame
    lines: DataFrame
    state: _State
    bc: Any
    result: BulkResult | None = None

    def close(self) -> None:
        """Drop the persisted rows and the broadcast state."""
        self.checked.unpersist()
        self.bc.unpersist()

    def findings(self) -> DataFrame:
        """The block findings as a DataFrame (world and duplicate findings not included)."""
        from pyspark.sql import functions as F

        return self.checked.filter(F.col("kind") == "finding").select(
            "file",
            "line",
            F.col("col").alias("column"),
            F.col("name").alias("code"),
            "severity",
            "message",
            F.col("hint").alias("fix"),
            "path",
        )

    def duplicates(self) -> list[Finding]:
        """doc_ids used twice across the corpus, found by a groupBy; worded as locally."""
        from pyspark.sql import functions as F

        docs = self.checked.filter(F.col("kind") == "doc").select(
            F.col("name").alias("doc_id"), "file", "line", F.col("col").alias("rank")
        )
        twice = (
            docs.groupBy("doc_id")
            .agg(F.count("*").alias("n"), F.min(F.struct("rank", "line", "file")).alias("first"))
            .filter(F.col("n") > 1)
        )
        later = (
            docs.join(F.broadcast(twice.select("doc_id", "first")), "doc_id")
            .filter((F.col("rank") != F.col("first.rank")) | (F.col("line") != F.col("first.line")))
            .select("doc_id", "file", "line", "rank", "first.file", "first.line")
            .collect()
        )
        if not later:
            return []
        by_display = {n.display: k for k, n in self.job.names.items()}
        wanted: dict[tuple[str, int], list[Any]] = {}
        for r in later:
            wanted.setdefault((by_display.get(r[1], r[1]), r[2]), []).append(r)
        # the raw lines of the later uses: a second read of the input, only for these lines
        state = _State(
            self.state.token,
            None,
            None,
            self.state.options,
            self.state.names,
            self.state.first_lines,
            False,
            frozenset(wanted),
        )
        bc = self.job.spark.sparkContext.broadcast(state)
        try:
            got = {
                (r["file"], r["line"]): bytes(r["data"])
                for r in self.lines.mapInArrow(_rescan_partition(bc), _OUT_DDL).collect()
            }
        finally:
            bc.unpersist()
        validator = Validator()
        for (key, number), rs in sorted(wanted.items(), key=lambda kv: (kv[1][0][3], kv[0][1])):
            for r in rs:
                validator.doc_ids[r[0]] = f"{r[4]}:{r[5]}"
                duplicate_doc_id(validator, r[0], r[1], number, got[(key, number)])
        return validator.report.findings

    def cross_document(self) -> list[Finding]:
        """``lint-low-overlap-utterance``: the quote records grouped by utterance."""
        from pyspark.sql import functions as F

        ddl = (
            "file string, line long, column long, code string, severity string, "
            "message string, fix string, path string"
        )
        quotes = self.checked.filter(F.col("kind") == "quote").select("name", "data")
        rows = quotes.groupBy("name").applyInPandas(_low_overlap, ddl).collect()
        return [
            Finding(
                r["file"],
                r["line"],
                r["column"],
                Code(r["code"]),
                Severity(r["severity"]),
                r["message"],
                r["fix"],
                r["path"],
            )
            for r in rows
        ]

    def collect(self) -> BulkResult:
        """Everything on the driver: the report (findings of the world, of every block and of
        doc_ids used twice) and the counts."""
        if self.result is not None:
            return self.result
        from pyspark.sql import functions as F

        v = self.job.validator
        report = Report(list(v.report.findings), list(v.report.files), v.report.documents)
        result = BulkResult(report)
        stats = self.checked.filter(F.col("kind") == "stats").select("data").collect()
        for r in self.findings().collect():
            report.findings.append(
                Finding(
                    r["file"],
                    r["line"],
                    r["column"],
                    Code(r["code"]),
                    Severity(r["severity"]),
                    r["message"],
                    r["fix"],
                    r["path"] or "",
                )
            )
        published: list[str] = []
        for r in stats:
            s = json.loads(bytes(r["data"]))
            report.documents += s["documents"]
            result.chunks += 1
            result.valid_documents += s["valid"]
            result.annotations += s["annotations"]
            result.unexported += s["unexported"]
            result.columnar += s["columnar"]
            result.outlets.update(s["outlets"])
            result.languages.update(s["languages"])
            published += s["published"]
            for t, n in s["rows"].items():
                result.rows[t] = result.rows.get(t, 0) + n
        result.published = [min(published), max(published)] if published else []
        report.findings += self.duplicates()
        if self.state.cross_document:
            report.findings += self.cross_document()
        result.report = report.sorted()
        result.world, result.root = v.corpus, v.root
        self.result = result
        return result


def run(
    spark: SparkSession,
    paths: Any,
    *,
    world: str | Path | None = None,
    max_bytes: int = MAX_BYTES,
    lint: bool = True,
    tables: bool = False,
    group_docs: int = GROUP_DOCS,
    cross_document: bool = False,
) -> SparkRun:
    """Plan the checks of ``paths`` on ``spark`` (the line count runs now; the checks when a
    result is asked for). ``tables``: the checked rows carry the export tables too."""
    require_pyspark()
    job = _start(spark, paths, world, max_bytes, lint)
    if not job.uris:
        raise NewsannoError("no JSONL shards to read")
    lines = _lines(job)
    first = _first_lines(job, lines)
    v = job.validator
    options = Options(max_bytes, lint, None, group_docs, True)
    state = _State(
        uuid.uuid4().hex,
        v.world,
        v.root,
        options,
        job.names,
        first,
        tables,
        cross_document=cross_document and lint,
    )
    bc = spark.sparkContext.broadcast(state)
    from pyspark import StorageLevel

    # persisted: the findings, counts, doc_ids (and tables) are read from it by several jobs,
    # and the checks must run once
    level = StorageLevel.DISK_ONLY if tables else StorageLevel.MEMORY_AND_DISK
    checked = lines.mapInArrow(_check_partition(bc), _OUT_DDL).persist(level)
    return SparkRun(job, checked, lines, state, bc)


def validate(
    spark: SparkSession,
    paths: Any,
    *,
    world: str | Path | None = None,
    max_bytes: int = MAX_BYTES,
    lint: bool = True,
    cross_document: bool = False,
) -> DataFrame:
    """Validate JSONL shards on Spark: a DataFrame of findings (``FINDING_COLUMNS``).

    ``paths``: shards, folders of shards, globs or URIs Spark reads (``s3a://``, ``hdfs://``).
    ``world``: the corpus file; by default the ``corpus.yaml`` in or above the shards' folder
    (local paths only). The checks run once, here; the DataFrame holds their findings (those of
    the world and of doc_ids used twice included), sorted as the local engine sorts them.
    """
    return _findings_frame(
        spark,
        validate_report(
            spark,
            paths,
            world=world,
            max_bytes=max_bytes,
            lint=lint,
            cross_document=cross_document,
        ).findings,
    )


def _findings_frame(spark: SparkSession, findings: list[Finding]) -> DataFrame:
    rows = [
        (f.file, f.line, f.col, f.code.value, f.severity.value, f.message, f.hint, f.path)
        for f in findings
    ]
    ddl = (
        "file string, line long, column long, code string, severity string, message string, "
        "fix string, path string"
    )
    return spark.createDataFrame(rows, ddl)


def validate_report(
    spark: SparkSession,
    paths: Any,
    *,
    world: str | Path | None = None,
    max_bytes: int = MAX_BYTES,
    lint: bool = True,
    cross_document: bool = False,
) -> Report:
    """:func:`validate`, as the local engine's :class:`~newsanno.model.findings.Report`."""
    checked = run(
        spark, paths, world=world, max_bytes=max_bytes, lint=lint, cross_document=cross_document
    )
    try:
        return checked.collect().report
    finally:
        checked.close()


# --------------------------------------------------------------------------------------------
# Export


def export_dataset(
    spark: SparkSession,
    paths: Any,
    out: str | Path,
    *,
    world: str | Path | None = None,
    max_bytes: int = MAX_BYTES,
    lint: bool = True,
    cross_document: bool = False,
    claims: bool = False,
) -> ExportResult:
    """Validate JSONL shards on Spark and, when valid, export them to ``out`` (a local or
    mounted folder), atomically: nothing is written for an invalid corpus, and a failed job
    leaves the previous export as it was. Tables are written by Spark's Parquet writer, one part
    file per input partition (``<table>/part-NNNNN.parquet``; a part of one name holds the same
    documents in every table); the rest by :mod:`newsanno.dataset.write`."""
    import newsanno.dataset.write as ex
    from newsanno.model.corpus import Corpus

    if _is_uri(str(out)):
        raise NewsannoError(
            f"{out}: the Spark engine exports to a local or mounted (shared) folder only, for "
            "now; write there and copy the folder to the object store"
        )
    from pyspark.sql import functions as F

    target = Path(urlparse(str(out)).path)
    ex._check_target(target)
    checked = run(
        spark,
        paths,
        world=world,
        max_bytes=max_bytes,
        lint=lint,
        tables=True,
        cross_document=cross_document,
    )
    tmp: Path | None = None
    try:
        result = checked.collect()
        if not result.report.valid or result.world is None:
            return ex.ExportResult(result.report)
        if result.unexported:  # pragma: no cover - a bug, never a silent partial export
            raise RuntimeError(f"{result.unexported} valid document(s) could not be exported")
        tmp = ex.staging_folder(target)
        from pyspark.sql.pandas.types import from_arrow_schema

        infos = []
        built: list[tuple[Any, Any]] = []
        corpus = Corpus(result.world, [], result.root)
        for spec in TABLES.values():
            if spec.name in Columns.TABLES:
                rows = checked.checked.filter(
                    (F.col("kind") == "table") & (F.col("name") == spec.name)
                ).select("data")
                frame = rows.mapInArrow(_decode, from_arrow_schema(spec.schema))
                folder = tmp / spec.name
                frame.write.option("compression", "snappy").parquet(folder.resolve().as_uri())
                names = _tidy_parts(folder, spark, spec.name, spec.schema)
                size = sum((tmp / n).stat().st_size for n in names)
                infos.append(ex.TableInfo(spec.name, result.rows.get(spec.name, 0), names, size))
                built.append((spec, None))
            elif not spec.derived:
                table = spec.table(corpus)
                infos.append(ex._write_table(tmp, spec, table, None))
                built.append((spec, table))
        digests = {  # each part file read once, here, for the manifest and the checksums
            rel: ex.sha256_file(tmp / rel)
            for info in infos
            if info.name in Columns.TABLES
            for rel in info.files
        }
        manifest = ex._manifest(corpus, built, infos, tmp, digests, aligned=True)
        (tmp / ex.MANIFEST).write_text(ex._json(manifest), encoding="utf-8")
        corpus.documents = _Summary(result)  # type: ignore[assignment]
        (tmp / ex.CARD).write_text(ex.dataset_card(corpus, infos), encoding="utf-8")
        ex.write_interop(tmp, manifest, corpus, claims=claims)
        ex._write_checksums(tmp, digests)
        ex.replace_folder(tmp, target)
        tmp = None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        checked.close()
    return ex.ExportResult(result.report, target, infos)


def _tidy_parts(folder: Path, spark: SparkSession, name: str, schema: pa.Schema) -> tuple[str, ...]:
    """Spark's output folder as an export's: ``part-NNNNN.parquet`` (the partition's number),
    without Spark's ``_SUCCESS`` and Hadoop's ``.crc`` files."""
    names = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("part-") and path.name.endswith(".parquet"):
            number = int(path.name.split("-")[1])
            new = folder / f"part-{number:05d}.parquet"
            os.replace(path, new)
            names.append(f"{name}/{new.name}")
        else:
            path.unlink()
    if not names:  # no rows in any partition, and Spark wrote no file: an empty part, typed
        import pyarrow.parquet as pq

        from newsanno.dataset.write import parquet_options

        empty = folder / "part-00000.parquet"
        pq.write_table(schema.empty_table(), empty, **parquet_options(name, schema))
        names.append(f"{name}/{empty.name}")
    return tuple(sorted(names))


__all__ = [
    "FINDING_COLUMNS",
    "PYSPARK_MISSING",
    "SparkRun",
    "export_dataset",
    "require_pyspark",
    "run",
    "validate",
    "validate_report",
]


# --------------------------------------------------------------------------------------------
# A session for the command line


LOG4J = """\
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
appender.file.type = File
appender.file.name = file
appender.file.fileName = {log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{{yy/MM/dd HH:mm:ss}} %p %c{{1}}: %m%n
"""


def log_file() -> Path:
    """Where Spark's own log (log4j, and anything the JVM prints) goes for a CLI run."""
    folder = Path(tempfile.gettempdir()) / "newsanno-spark"
    folder.mkdir(exist_ok=True)
    return folder / f"spark-{os.getpid()}.log"


def start_session(master: str | None = None, log: Path | None = None) -> SparkSession:
    """A SparkSession for the CLI (``master``: ``local[2]``, ``spark://host:7077``, ``yarn``;
    None: what spark-submit says, else ``local[*]``). Spark's log and the JVM's standard error
    go to ``log`` (default :func:`log_file`), never to the terminal; a Spark that cannot start
    (no Java) is a one-line :class:`NewsannoError` naming that file."""
    import sys

    require_pyspark()
    log = log or log_file()
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        raise NewsannoError(
            "Spark cannot start: it needs Java 17, and there is no `java` on PATH and no "
            "JAVA_HOME (on Debian: apt-get install openjdk-17-jre-headless)"
        )
    config = log.with_suffix(".log4j2.properties")
    config.write_text(LOG4J.format(log=log), encoding="utf-8")
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # executors run this Python
    builder = SparkSession.builder.appName("newsanno")
    if master:
        builder = builder.master(master)
    options = f"-Dlog4j2.configurationFile={config.as_uri()}"
    builder = (
        builder.config("spark.driver.extraJavaOptions", options)
        .config("spark.executor.extraJavaOptions", options)
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "1000")
    )
    if (master or "local").startswith("local"):
        builder = builder.config("spark.ui.enabled", "false")
    # the JVM inherits standard error as it starts: send it (and its children's) to the log
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with log.open("ab") as handle:
            os.dup2(handle.fileno(), 2)
            try:
                return builder.getOrCreate()
            except Exception as exc:
                raise NewsannoError(
                    f"Spark could not start ({type(exc).__name__}); its log: {log}"
                ) from exc
    finally:
        os.dup2(saved, 2)
        os.close(saved)
