"""Apache Spark as an engine: JSONL shards validated and exported inside a Spark job.

The checks are the bulk engine's, not a copy of them: every block of lines goes through
:meth:`newsanno.engines.worker.Worker.check_block`, the function the local engine's chunks go
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
   again) and written by Spark's Parquet writer into a staging folder beside the target (a
   folder, or a URI reached through Hadoop's FileSystem API: :mod:`newsanno.engines.spark_write`);
   the world tables, ``datapackage.json``, ``croissant.json``, the card and the checksums are
   written by :mod:`newsanno.dataset.write`, and the staging folder then replaces the target.
6. ``cross_document``: the cross-document lints over quote records the checks emit, grouped by
   utterance and paired by shared word trigrams (:mod:`newsanno.engines.spark_crossdoc`).
"""

from __future__ import annotations

import json
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from newsanno.dataset.tables import TABLES
from newsanno.engines import spark_crossdoc
from newsanno.engines.bulk import (
    GROUP_DOCS,
    BulkResult,
    Options,
    _relative,
    _Summary,
    duplicate_doc_id,
)
from newsanno.engines.local import Plan, Validator, plan
from newsanno.engines.spark_crossdoc import cross_document, finding_of, quote_variants
from newsanno.engines.spark_session import (
    PYSPARK_MISSING,
    log_file,
    require_pyspark,
    start_session,
)
from newsanno.engines.spark_tasks import (
    _OUT_DDL,
    FINDING_COLUMNS,
    _check_partition,
    _key,
    _Name,
    _rescan_partition,
    _State,
)
from newsanno.engines.spark_write import Folder, Output, Store, write_table
from newsanno.model.corpus import display
from newsanno.model.findings import Code, Finding, NewsannoError, Report, Severity
from newsanno.read.parse import MAX_BYTES
from newsanno.rules.columnar import DOCUMENT_TABLES

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from newsanno.dataset.write import ExportResult


# --------------------------------------------------------------------------------------------
# Input: which files, under which names; the world


def _is_uri(path: str) -> bool:
    scheme = urlparse(path).scheme
    return len(scheme) > 1 and scheme != "file"  # (a Windows drive letter is no scheme)


def local_plan(paths: str | Path | list[str | Path] | tuple[str | Path, ...]) -> Plan | None:
    """The plan of the local paths among ``paths`` (None when all are URIs), refused before any
    Spark starts when it cannot be read by this engine: no input, YAML/JSON document files, or
    no JSONL shard at all."""
    given = [paths] if isinstance(paths, str | Path) else list(paths)
    if not given:
        raise NewsannoError("no input: give JSONL shards, a folder of them, or a glob")
    local = [Path(urlparse(str(p)).path) for p in given if not _is_uri(str(p))]
    if not local:
        return None
    p = plan(local)
    if p.documents:
        raise NewsannoError(
            f"{display(p.documents[0])}: the Spark engine reads JSONL shards only; "
            "validate YAML/JSON document files with the local engine (--engine local)"
        )
    if not p.shards and len(local) == len(given):
        raise NewsannoError(f"{local[0]}: no JSONL shards (*.jsonl) to read")
    return p


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
    validator = Validator(max_bytes=max_bytes, lint=lint)
    remote = [str(p) for p in given if _is_uri(str(p))]
    local = [Path(urlparse(str(p)).path) for p in given if not _is_uri(str(p))]
    uris: list[str] = []
    corpus_file: Path | None = None
    job = _Job(spark, validator, uris)
    if local:
        p = local_plan(given)
        assert p is not None
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
    later: set[tuple[int, int]] = field(default_factory=set)
    """(file rank, line) of the documents whose doc_id was used before."""

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
        self.later = {(r[3], r[2]) for r in later}  # left out of the cross-document lints
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
        report.findings += [finding_of(r) for r in self.findings().collect()]
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
            report.findings += cross_document(self.checked, self.later)
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
    (local paths only). The checks run once, here. The findings of the blocks stay with the
    executors (never all on the driver): with those the driver finds itself (the world's, doc_ids
    used twice, the cross-document lints), they are written to the executors' disks once, so the
    frame does not run the checks again; duplicates dropped, sorted by (file, line, column,
    code), as the local engine sorts them.
    """
    from pyspark import StorageLevel

    checked = run(
        spark, paths, world=world, max_bytes=max_bytes, lint=lint, cross_document=cross_document
    )
    try:
        found = list(checked.job.validator.report.findings) + checked.duplicates()
        if checked.state.cross_document:
            found += spark_crossdoc.cross_document(checked.checked, checked.later)
        frame = (
            checked.findings()
            .unionByName(_findings_frame(spark, found))
            .distinct()
            .orderBy("file", "line", "column", "code")
            .persist(StorageLevel.DISK_ONLY)
        )
        frame.count()  # written out now, while the checked rows are there
    finally:
        checked.close()
    return frame


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
    documents in every document table); with ``cross_document``, also the quote-variant tables,
    from the renderings of all shards grouped by utterance
    (:func:`newsanno.engines.spark_crossdoc.quote_variants`); the rest by
    :mod:`newsanno.dataset.write`."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    import newsanno.dataset.write as ex
    from newsanno.model.corpus import Corpus

    uri = str(out)
    remote = _is_uri(uri) or uri.startswith("file:")
    if remote and claims:
        raise NewsannoError(
            f"{uri}: claims.jsonld is not written to a URI yet; export without --claims, or to "
            "a local or mounted folder"
        )
    output: Output = Store(spark, uri) if remote else Folder(Path(uri))
    checked = run(
        spark,
        paths,
        world=world,
        max_bytes=max_bytes,
        lint=lint,
        tables=True,
        cross_document=cross_document,
    )
    begun = False
    variants: DataFrame | None = None
    try:
        result = checked.collect()
        if not result.report.valid or result.world is None:
            return ex.ExportResult(result.report)
        if result.unexported:  # pragma: no cover - a bug, never a silent partial export
            raise RuntimeError(f"{result.unexported} valid document(s) could not be exported")
        output.begin()
        begun = True
        infos = []
        built: list[tuple[Any, Any]] = []
        corpus = Corpus(result.world, [], result.root)
        tables = checked.checked.filter(F.col("kind") == "table")
        if cross_document:
            variants = quote_variants(checked.checked).persist(StorageLevel.DISK_ONLY)
        parts = checked.checked.rdd.getNumPartitions()  # (not the shuffle's, mostly empty)
        for spec in TABLES.values():
            name = F.col("name") == spec.name
            if spec.name in DOCUMENT_TABLES:  # (their rows counted by the checks)
                count = result.rows.get(spec.name, 0)
                infos.append(write_table(tables.filter(name), spec, output, count))
                built.append((spec, None))
            elif spec.derived and variants is not None:
                infos.append(write_table(variants.coalesce(parts).filter(name), spec, output))
                built.append((spec, None))
            elif not spec.derived:  # the world's, from corpus.yaml
                table = spec.table(corpus)
                infos.append(ex._write_table(output.meta, spec, table, None))
                built.append((spec, table))
        # each part file read once, for the manifest and the checksums
        digests = output.digests(
            [
                rel
                for info, (_, t) in zip(infos, built, strict=True)
                if t is None
                for rel in info.files
            ]
        )
        manifest = ex._manifest(corpus, built, infos, output.meta, digests, aligned=True)
        (output.meta / ex.MANIFEST).write_text(ex._json(manifest), encoding="utf-8")
        corpus.documents = _Summary(result)  # type: ignore[assignment]
        (output.meta / ex.CARD).write_text(ex.dataset_card(corpus, infos), encoding="utf-8")
        ex.write_interop(output.meta, manifest, corpus, claims=claims)
        output.commit(digests)
        begun = False
    finally:
        if begun:
            output.abort()
        if variants is not None:
            variants.unpersist()
        checked.close()
    return ex.ExportResult(result.report, uri if remote else Path(uri), infos)


__all__ = [
    "FINDING_COLUMNS",
    "PYSPARK_MISSING",
    "SparkRun",
    "export_dataset",
    "log_file",
    "require_pyspark",
    "run",
    "start_session",
    "validate",
    "validate_report",
]
