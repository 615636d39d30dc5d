"""The bulk path: JSONL shards validated (and exported) in a stream, on several cores.

Each shard is cut into chunks of about :data:`CHUNK_BYTES` at line boundaries; the cut depends
only on the input, never on ``jobs``. Each chunk goes to a :class:`~newsanno.engines.worker.Worker`
(one per process), which reads it in pieces of whole lines and checks it block by block: the
columnar tier, then the full validator for the lines it does not vouch for (see
:mod:`newsanno.engines.worker`, the data path the Spark engine shares).

The rows are written, when exporting, as one row group
of one Parquet part file per table and chunk, so memory holds one block, never the corpus. The
parent merges chunk results in input order (doc_ids used twice across chunks are found there), so
the report and the files are the same for any ``jobs``.

Cross-document lints (similar quotes in different documents) need every quote of the corpus in
memory; the bulk path runs them only among YAML/JSON document files, not across JSONL shards.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from newsanno.dataset.tables import TABLES
from newsanno.engines.local import Plan, Validator, _Sink
from newsanno.engines.parts import _PartWriter
from newsanno.engines.worker import (
    ANNOTATION_TABLES as ANNOTATION_TABLES,
)
from newsanno.engines.worker import (
    BLOCK_BYTES as BLOCK_BYTES,
)
from newsanno.engines.worker import (
    GROUP_DOCS as GROUP_DOCS,
)
from newsanno.engines.worker import (
    BlockResult as BlockResult,
)
from newsanno.engines.worker import (
    Chunk as Chunk,
)
from newsanno.engines.worker import (
    ChunkResult as ChunkResult,
)
from newsanno.engines.worker import (
    Options as Options,
)
from newsanno.engines.worker import (
    Worker as Worker,
)
from newsanno.model import CorpusFile
from newsanno.model.corpus import display, printable
from newsanno.model.findings import Report, Severity
from newsanno.read import native
from newsanno.read.parse import MAX_BYTES
from newsanno.rules.checks import World
from newsanno.rules.columnar import DOCUMENT_TABLES

CHUNK_BYTES = 32 << 20
"""Input bytes per chunk (the unit of parallel work and of part files)."""


@dataclass
class BulkResult:
    """The outcome of a bulk run."""

    report: Report
    chunks: int = 0
    valid_documents: int = 0
    annotations: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    outlets: set[str] = field(default_factory=set)
    published: list[str] = field(default_factory=list)
    languages: set[str] = field(default_factory=set)
    unexported: int = 0
    columnar: int = 0
    """Documents the columnar tier accepted (the rest took the full validator)."""
    digests: dict[str, str] = field(default_factory=dict)
    """sha256 of every part file, by path within the export folder (see ChunkResult)."""
    world: CorpusFile | None = None
    """The corpus file, when it is valid (the world tables of an export)."""
    root: Path | None = None


# --------------------------------------------------------------------------------------------
# Chunks


def _relative(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return printable(path.resolve().relative_to(root.resolve()).as_posix())
        except ValueError:
            pass
    return printable(path.as_posix())


def chunks(
    shards: list[Path], root: Path | None, chunk_bytes: int = CHUNK_BYTES, first: int = 0
) -> Iterator[Chunk]:
    """Cut shards into chunks at line boundaries, counting lines as it goes (lazily)."""
    index = first
    buf = bytearray(1 << 22)
    view = memoryview(buf)
    for shard in shards:
        try:
            size = shard.stat().st_size
            handle = shard.open("rb")
        except OSError:
            continue  # run_bulk reports it
        file, rel = display(shard), _relative(shard, root)
        with handle:
            start, line = 0, 1
            while start < size:
                handle.seek(min(size, start + chunk_bytes))
                handle.readline()
                stop = min(size, max(handle.tell(), start + 1))
                yield Chunk(index, str(shard), file, rel, start, stop, line)
                index += 1
                handle.seek(start)
                remaining = stop - start
                while remaining:
                    got = handle.readinto(view[: min(remaining, len(buf))])
                    if not got:  # pragma: no cover - the file shrank while being read
                        break
                    count = native.newlines(buf, got)
                    line += count if count is not None else buf.count(b"\n", 0, got)
                    remaining -= got
                start = stop


# --------------------------------------------------------------------------------------------
# The worker


_WORKER: Worker | None = None


class _NoPandas:
    """A meta path finder that says pandas is not installed (see :func:`pyarrow_without_pandas`)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"No module named {name!r} (held back by newsanno)")


def pyarrow_without_pandas() -> bool:
    """Let pyarrow go without pandas in this process, unless pandas is imported already.

    pyarrow looks for pandas, and imports it, the first time it converts anything to or from
    numpy or Python objects: 0.2 s, and the bulk path's processes then ran about 0.2-0.4 s
    slower in all (10,000 bench documents), though nothing of pandas is used. Here pyarrow looks
    once while pandas is held back, finds it missing, and stops looking. Anything that needs
    pandas later (``to_pandas``, ``Table.from_pandas``) imports it then, as usual, and works; only
    pyarrow's quick "is this a pandas object?" tests stay off, so in this process ``pa.array`` of
    a pandas Series converts it as a plain sequence. The CLI's validate and export, the bench's
    stages and the bulk path's worker processes call this; the library's functions do not, so a
    program that imports newsanno keeps pyarrow as it was. Returns whether it held pandas back.
    """
    if "pandas" in sys.modules:
        return False
    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        pa.array([0])  # pyarrow's first look for pandas
    finally:
        sys.meta_path.remove(finder)
    return "pandas" not in sys.modules


def _init(world: World | None, root: Path | None, options: Options) -> None:
    global _WORKER
    if _WORKER is None:  # spawned; a forked process has the parent's
        pyarrow_without_pandas()  # a worker process is ours
        _WORKER = Worker(world, root, options)
    gc.freeze()


def _work(chunk: Chunk) -> ChunkResult:
    assert _WORKER is not None
    return _WORKER.run(chunk)


# --------------------------------------------------------------------------------------------
# The parent


def run_bulk(
    p: Plan,
    *,
    max_bytes: int = MAX_BYTES,
    lint: bool = True,
    jobs: int = 1,
    out: Path | None = None,
    progress: bool | None = None,
    chunk_bytes: int = CHUNK_BYTES,
    group_docs: int = GROUP_DOCS,
    columnar: bool = True,
) -> BulkResult:
    """Validate a plan whose shards go through the bulk path; write part files into ``out``."""
    validator = Validator(max_bytes=max_bytes, lint=lint)
    validator.start(p)
    result = BulkResult(validator.report)
    options = Options(max_bytes, lint, str(out) if out is not None else None, group_docs, columnar)
    first = 0
    if p.documents:  # document files (YAML/JSON) first, as one chunk of their own
        worker = Worker(validator.world, validator.root, options)
        res = ChunkResult(0, "", "")
        for path in p.documents:
            doc = validator.document_file(path)
            if doc is not None:
                res.valid += 1
                worker.extract(doc, _relative(Path(doc.file), validator.root), doc.line)
        errors = any(f.severity is Severity.ERROR for f in validator.report.findings)
        writer = _PartWriter(options.out, 0) if options.out and not errors else None
        worker._flush(writer, last=True)
        res.annotations, res.outlets, res.languages = (
            worker.annotations,
            worker.outlets,
            worker.languages,
        )
        res.published = [min(worker.published), max(worker.published)] if worker.published else []
        res.rows = writer.rows if writer is not None else {}
        res.unexported = worker.unexported
        _merge(validator, result, res)
        result.chunks -= 1
        first = 1
    for shard in p.shards:
        validator.report.files.append(display(shard))
        try:
            shard.open("rb").close()
        except OSError as exc:  # chunks() skips it
            validator.unreadable(display(shard), exc)
    total = sum(s.stat().st_size for s in p.shards if s.is_file())
    jobs = workers(jobs, total, chunk_bytes)
    todo = chunks(p.shards, validator.root, chunk_bytes, first)
    with _Progress(total, progress) as bar:
        for res in _results(todo, validator.world, validator.root, options, jobs):
            _merge(validator, result, res)
            bar.advance(res.bytes)
    if lint:
        validator.report.findings.extend(validator.cross.findings())
    result.report = validator.report.sorted()
    result.world, result.root = validator.corpus, validator.root
    return result


def _results(
    todo: Iterator[Chunk], world: World | None, root: Path | None, options: Options, jobs: int
) -> Iterator[ChunkResult]:
    if jobs <= 1:
        worker = Worker(world, root, options)
        for chunk in todo:
            yield worker.run(chunk)
        return
    global _WORKER
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    if method == "fork":  # built once (its indexes, and the imports they pull in), then copied
        _WORKER = Worker(world, root, options)
    ctx = multiprocessing.get_context(method)
    try:
        with ctx.Pool(jobs, initializer=_init, initargs=(world, root, options)) as pool:
            yield from pool.imap(_work, todo, chunksize=1)
    finally:
        _WORKER = None


def _merge(validator: Validator, result: BulkResult, res: ChunkResult) -> None:
    report = validator.report
    report.findings.extend(res.findings)
    report.documents += res.documents
    result.chunks += 1
    result.valid_documents += res.valid
    result.unexported += res.unexported
    result.columnar += res.columnar
    result.digests.update(res.digests)
    result.annotations += res.annotations
    for name, n in res.rows.items():
        result.rows[name] = result.rows.get(name, 0) + n
    result.outlets |= res.outlets
    result.languages |= res.languages
    both = sorted([*result.published, *res.published])
    result.published = [both[0], both[-1]] if both else []
    for doc_id, number, at in res.doc_ids:
        if doc_id in validator.doc_ids:
            _duplicate(validator, res, doc_id, number, at)
        else:
            validator.doc_ids[doc_id] = f"{res.file}:{number}"


def _duplicate(validator: Validator, res: ChunkResult, doc_id: str, number: int, at: int) -> None:
    """The finding the one-by-one path gives for a doc_id used before, at its exact column."""
    with open(res.path, "rb") as handle:
        handle.seek(at)
        raw = handle.readline()
    duplicate_doc_id(validator, doc_id, res.file, number, raw)


def duplicate_doc_id(validator: Validator, doc_id: str, file: str, number: int, raw: bytes) -> None:
    """Report ``doc_id``, used before (``validator.doc_ids`` says where), on line ``number`` of
    ``file``, whose bytes are ``raw``: the finding the one-by-one path gives, at its column."""
    text = raw.rstrip(b"\n").decode("utf-8")
    sink = _Sink(validator.report, file, None, line_base=number - 1, source=text)
    validator.register_doc_id(doc_id, sink, "")


class _Progress:
    """A rich progress bar over input bytes, on a terminal only."""

    def __init__(self, total: int, enabled: bool | None) -> None:
        if enabled is None:
            enabled = sys.stderr.isatty() and sys.stdout.isatty()
        self.enabled = enabled and total > 0
        self.total = total
        self.bar: Any = None
        self.started = time.perf_counter()

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            self.bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("validating", total=self.total)
        return self

    def advance(self, n: int) -> None:
        if self.bar is not None:
            self.bar.advance(self.task, n)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def workers(jobs: int, total: int, chunk_bytes: int = CHUNK_BYTES) -> int:
    """Processes to use: ``jobs``, or one per core when it is 0; never more than the chunks."""
    if jobs <= 0:
        jobs = cpu_count()
    return max(1, min(jobs, -(-total // max(1, chunk_bytes))))


def cpu_count() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# --------------------------------------------------------------------------------------------
# Export


def export_bulk(
    p: Plan,
    out: Path | str,
    *,
    max_bytes: int = MAX_BYTES,
    lint: bool = True,
    jobs: int = 1,
    progress: bool | None = False,
    chunk_bytes: int = CHUNK_BYTES,
    group_docs: int = GROUP_DOCS,
    columnar: bool = True,
    claims: bool = False,
) -> Any:
    """Validate and export a plan with JSONL shards, streaming; an ``ExportResult``.

    Document tables are written by the workers, chunk by chunk: a folder of part files
    ``<table>/part-NNNNN.parquet`` per table, or one ``<table>.parquet`` when the input is a
    single chunk. World tables come from ``corpus.yaml``. Derived tables that need every
    document at once (quote variants) are not part of a bulk export. Rows keep input order.
    Nothing is written unless the whole input is valid; the target is replaced atomically.
    ``claims``: also write ``claims.jsonld``, read back from the claims written.
    """
    import shutil

    import newsanno.dataset.write as ex
    from newsanno.model.corpus import Corpus

    target = Path(out)
    ex._check_target(target)
    tmp = ex.staging_folder(target)
    try:
        result = run_bulk(
            p,
            max_bytes=max_bytes,
            lint=lint,
            jobs=jobs,
            out=tmp,
            progress=progress,
            chunk_bytes=chunk_bytes,
            group_docs=group_docs,
            columnar=columnar,
        )
        if not result.report.valid or result.world is None:
            shutil.rmtree(tmp, ignore_errors=True)
            return ex.ExportResult(result.report)
        if result.unexported:  # pragma: no cover - a bug, never a silent partial export
            raise RuntimeError(f"{result.unexported} valid document(s) could not be exported")
        corpus = Corpus(result.world, [], result.root)
        digests = result.digests
        built: list[tuple[Any, Any]] = []
        infos = []
        parts = result.chunks + (1 if p.documents else 0)
        for spec in TABLES.values():
            if spec.name in DOCUMENT_TABLES:
                folder = tmp / spec.name
                files = sorted(folder.glob("part-*.parquet"))
                if parts == 1 and len(files) == 1:
                    single = tmp / f"{spec.name}.parquet"
                    files[0].rename(single)
                    digests[single.name] = digests.pop(f"{spec.name}/{files[0].name}")
                    folder.rmdir()
                    names: tuple[str, ...] = (single.name,)
                    size = single.stat().st_size
                else:
                    names = tuple(f"{spec.name}/{f.name}" for f in files)
                    size = sum(f.stat().st_size for f in files)
                infos.append(ex.TableInfo(spec.name, result.rows.get(spec.name, 0), names, size))
                built.append((spec, None))
            elif not spec.derived:
                table = spec.table(corpus)
                infos.append(ex._write_table(tmp, spec, table, None))
                built.append((spec, table))
        manifest = ex._manifest(corpus, built, infos, tmp, digests, aligned=True)
        (tmp / ex.MANIFEST).write_text(ex._json(manifest), encoding="utf-8")
        corpus.documents = _Summary(result)  # type: ignore[assignment]
        (tmp / ex.CARD).write_text(ex.dataset_card(corpus, infos), encoding="utf-8")
        ex.write_interop(tmp, manifest, corpus, claims=claims)
        ex._write_checksums(tmp, digests)
        ex.replace_folder(tmp, target, synced=set(digests))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ex.ExportResult(result.report, target, infos)


class _Summary:
    """What the dataset card reads from the documents, without holding them."""

    def __init__(self, result: BulkResult) -> None:
        self.count = result.valid_documents
        outlets: list[str | None] = [*sorted(result.outlets)] or [None]
        dates: list[str | None] = [*result.published] or [None]
        languages = sorted(result.languages) or ["und"]
        self.items = []
        for n in range(max(len(outlets), len(dates), len(languages))):
            meta = _Meta(
                outlets[min(n, len(outlets) - 1)],
                dates[min(n, len(dates) - 1)],
                languages[min(n, len(languages) - 1)],
            )
            self.items.append(_Doc(meta))

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[_Doc]:
        return iter(self.items)


@dataclass
class _Meta:
    outlet: str | None
    published: str | None
    language: str


@dataclass
class _Doc:
    metadata: _Meta

    @property
    def model(self) -> _Doc:
        return self
