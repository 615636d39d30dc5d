"""The one data path of a block of JSONL lines, for every engine: :class:`Worker`.

A worker checks whole lines held in memory, block by block (at most :data:`GROUP_DOCS` lines,
read in pieces of at most :data:`BLOCK_BYTES`). Each block goes through two tiers:

1. :mod:`newsanno.rules.columnar` reads the block (with the compiled reader of
   :mod:`newsanno.read.native` when built, else pyarrow's JSON reader) and checks it as Arrow
   columns, cutting the export rows of the documents it accepts from the same arrays. Lines it
   cannot read because they hold text anchors are read again once the anchors that resolve are
   written as offsets (:func:`newsanno.read.anchors.resolve_text_anchors`).
2. Every line it flags goes through the full validator
   (:meth:`newsanno.engines.local.Validator.line`), so findings are exactly those of the
   one-by-one path. The rows of each line it passes are cut by the same columnar code
   (:meth:`~newsanno.rules.columnar.ColumnarChecker.rows`).

The rows of both are merged in line order. The local bulk engine (:mod:`newsanno.engines.bulk`)
runs workers on a process pool over chunks of files (:meth:`Worker.run`); the Spark engine
(:mod:`newsanno.engines.spark`) calls :meth:`Worker.check_block` on each Arrow batch of lines.
"""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from newsanno.dataset.tables import TABLES
from newsanno.engines.local import Validator, _Sink
from newsanno.engines.parts import _Collector, _PartWriter
from newsanno.model.corpus import LoadedDocument
from newsanno.model.findings import Code, Finding, Report, Severity
from newsanno.read import native
from newsanno.read.anchors import resolve_text_anchors
from newsanno.read.jsontext import no_duplicates
from newsanno.read.lines import line_shapes, shaped, utf8
from newsanno.read.parse import MAX_BYTES
from newsanno.rules.checks import World
from newsanno.rules.columnar import DOCUMENT_TABLES, Batch, ColumnarChecker
from newsanno.rules.meaning import Found

GROUP_DOCS = 1_000
"""Most lines per block: the unit of the columnar tier and of a Parquet row group (buffered
memory). A block never spans two pieces, so long lines make smaller blocks (about 450 lines of
the bench's 19 KB documents)."""
BLOCK_BYTES = 8 << 20
"""A worker reads its chunk in pieces of whole lines of at most this many bytes (or one longer
line); a block never spans two pieces."""
ANNOTATION_TABLES = ("regions", "mentions", "quotes", "claims", "event_mentions")


@dataclass(frozen=True)
class Chunk:
    """A run of whole lines of one shard: ``[start, stop)`` in bytes, first line number."""

    index: int
    path: str
    file: str
    annotation_file: str
    start: int
    stop: int
    first_line: int


@dataclass
class ChunkResult:
    """What a worker sends back: findings and counts, never documents."""

    index: int
    file: str
    path: str
    bytes: int = 0
    documents: int = 0
    valid: int = 0
    annotations: int = 0
    findings: list[Finding] = field(default_factory=list)
    doc_ids: list[tuple[str, int, int]] = field(default_factory=list)
    """(doc_id, line, byte offset of the line) of every document whose structure is valid."""
    rows: dict[str, int] = field(default_factory=dict)
    outlets: set[str] = field(default_factory=set)
    published: list[str] = field(default_factory=list)
    """The earliest and the latest publication date in the chunk."""
    languages: set[str] = field(default_factory=set)
    unexported: int = 0
    """Valid documents whose rows could not be built (a bug unless the world has errors)."""
    columnar: int = 0
    """Documents the columnar tier accepted (the rest took the full validator)."""
    digests: dict[str, str] = field(default_factory=dict)
    """sha256 of each part file the worker wrote (path within the export folder), which it has
    also synced to disk: the parent need not read them again."""


@dataclass
class BlockResult(ChunkResult):
    """What :meth:`Worker.check_block` gives: a chunk's result and the block's export tables."""

    tables: dict[str, pa.Table] = field(default_factory=dict)


def _has_duplicate_keys(raw: bytes) -> bool:
    """Whether an object of the line ``raw`` has a key twice (or ``json`` cannot read it)."""
    keys: list[str] = []
    try:
        json.loads(raw, object_pairs_hook=no_duplicates(keys))
    except (ValueError, RecursionError):
        return True
    return bool(keys)


class _BulkValidator(Validator):
    """The full validator as a worker runs it: doc_ids are collected, checked by the parent."""

    def __init__(self, *, max_bytes: int, lint: bool) -> None:
        super().__init__(max_bytes=max_bytes, lint=lint)
        self.cross_document = False
        self.defer = True
        self.seen: list[tuple[str, int, int]] = []
        self.at = (0, 0)

    def register_doc_id(self, doc_id: str, sink: _Sink, where: str) -> None:
        self.seen.append((doc_id, *self.at))


def _as_data(doc: LoadedDocument) -> dict[str, Any]:
    """A valid document (spans resolved) as JSONL data with explicit offsets, for its rows."""
    data = doc.model.model_dump(mode="python", exclude_none=True)
    data.pop("text_path", None)
    data["text"] = doc.text
    return data


@dataclass
class Options:
    max_bytes: int = MAX_BYTES
    lint: bool = True
    out: str | None = None
    """Folder to write part files into; None when only validating."""
    group_docs: int = GROUP_DOCS
    """Lines per block: the unit of the columnar tier and of a Parquet row group."""
    columnar: bool = True
    """Try the columnar tier first (:mod:`newsanno.rules.columnar`); False: the full validator only."""


class Worker:
    """Validates (and writes) chunks; one per process.

    A chunk is read in pieces of at most :data:`BLOCK_BYTES` and cut into blocks of
    ``group_docs`` lines. The columnar tier checks a block at once; the lines it flags, and every
    line of a block it cannot read, take the full validator. The rows of both are merged in line
    order and written as one row group per block.
    """

    def __init__(self, world: World | None, root: Path | None, options: Options) -> None:
        self.options = options
        self.validator = _BulkValidator(max_bytes=options.max_bytes, lint=options.lint)
        self.validator.world, self.validator.root = world, root
        self.checker = ColumnarChecker(world, lint=options.lint) if world is not None else None
        """Cuts the rows of every valid document; checks whole blocks unless told not to."""
        self.columnar = self.checker if options.columnar else None
        self.valid: list[tuple[int, str, int, dict[str, Any]]] = []
        """(place, file, line, data) of each document of the block the full validator passed;
        ``place`` orders its rows among the block's (the line within the block)."""
        self.annotations = 0
        self.unexported = 0
        self.fast_docs = 0
        self.outlets: set[str] = set()
        self.languages: set[str] = set()
        self.published: set[str] = set()
        self.batch: Batch | None = None
        """The columnar tier's result for the block being checked."""
        self.more: list[Batch] = []
        """Its results for lines of the block it read only once their text anchors resolved."""

    def run(self, chunk: Chunk) -> ChunkResult:
        gc.disable()
        try:
            return self._run(chunk)
        finally:
            gc.enable()

    def _run(self, chunk: Chunk) -> ChunkResult:
        result = self._begin(chunk)
        try:
            handle = open(chunk.path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            result.findings.append(
                Finding(
                    chunk.file,
                    1,
                    1,
                    Code.FILE_UNREADABLE,
                    Severity.ERROR,
                    f"cannot read file: {exc.strerror}",
                    "check the path",
                )
            )
            return result
        writer = _PartWriter(self.options.out, chunk.index) if self.options.out else None
        with handle:
            handle.seek(chunk.start)
            left = chunk.stop - chunk.start
            at, line = chunk.start, chunk.first_line  # of the piece's first line
            # pieces of whole lines, at most BLOCK_BYTES each (or one longer line), read into one
            # reused buffer: no copies, and no fresh memory for each piece
            buf = bytearray(min(BLOCK_BYTES, max(left, 1)))
            view, have = memoryview(buf), 0  # `have`: bytes of a cut line carried to the front
            while True:
                got = handle.readinto(view[have : have + min(left, len(buf) - have)]) if left else 0
                left -= got
                end = have + got
                if not end:
                    break
                cut = end if not left else buf.rfind(b"\n", 0, end) + 1
                if not got and left:  # pragma: no cover - the file shrank while being read
                    cut = end
                    left = 0
                if not cut:  # a line longer than the buffer: a larger one
                    bigger = bytearray(2 * len(buf))
                    bigger[:end] = view[:end]
                    view.release()
                    buf, view, have = bigger, memoryview(bigger), end
                    continue
                line += self._piece(buf, cut, at, line, chunk, result, writer)
                have = end - cut
                view[:have] = bytes(view[cut:end])
                at += cut
        return self._finish(result, writer)

    def check_block(
        self, data: bytes, first_line: int, file: str, annotation_file: str
    ) -> BlockResult:
        """Check whole JSONL lines held in memory, the first of them line ``first_line`` of
        ``file`` (``annotation_file``: its name in the export's rows), exactly as a chunk of a
        shard is checked: findings, counts, the doc_ids with their lines, and the export tables
        of the block (``TABLES``' schemas; empty tables when validating only). Byte offsets in
        ``doc_ids`` count from the start of ``data``. The entry point of other engines
        (:mod:`newsanno.engines.spark`); the local engine's chunks go through the same
        :meth:`_piece`."""
        chunk = Chunk(0, "", file, annotation_file, 0, len(data), first_line)
        result = self._begin(chunk, BlockResult(0, file, "", bytes=len(data)))
        assert isinstance(result, BlockResult)
        collector = _Collector()
        if data:
            self._piece(data, len(data), 0, first_line, chunk, result, collector)
        self._finish(result, collector)
        result.tables = collector.tables()
        return result

    def _begin(self, chunk: Chunk, result: ChunkResult | None = None) -> ChunkResult:
        """A fresh result (and report) for a chunk."""
        if result is None:
            result = ChunkResult(
                chunk.index, chunk.file, chunk.path, bytes=chunk.stop - chunk.start
            )
        v = self.validator
        v.report = Report()
        v.seen = result.doc_ids
        self.valid.clear()
        self.fast_docs = 0
        return result

    def _piece(
        self,
        buf: bytes | bytearray,
        cut: int,
        at: int,
        line: int,
        chunk: Chunk,
        result: ChunkResult,
        writer: _PartWriter | _Collector | None,
    ) -> int:
        """The first ``cut`` bytes of ``buf``, whole lines starting at byte ``at`` of the file,
        the first of them line ``line``, checked block by block; the number of lines."""
        group = max(1, self.options.group_docs)
        data = memoryview(buf)[:cut]
        bytes_ = np.frombuffer(buf, dtype=np.uint8, count=cut)
        stops = native.newline_positions(buf, cut)  # each line's end, before its \n
        if stops is None:
            stops = np.flatnonzero(bytes_ == 0x0A)
        if buf[cut - 1] != 0x0A:
            stops = np.append(stops, cut)
        starts = np.zeros(len(stops), dtype=np.int64)
        starts[1:] = stops[:-1] + 1
        for k in range(0, len(stops), group):
            j = min(k + group, len(stops))
            self._block(data, bytes_, starts[k:j], stops[k:j], at, line + k, chunk, result)
            self._flush(writer)
        data.release()
        return len(stops)

    def _finish(self, result: ChunkResult, writer: _PartWriter | _Collector | None) -> ChunkResult:
        """Findings, counts and the last flush of a chunk (its part files abandoned on errors)."""
        v = self.validator
        result.findings = v.report.findings
        result.documents = self.fast_docs + v.report.documents
        result.valid += self.fast_docs
        errors = any(f.severity is Severity.ERROR for f in result.findings)
        if isinstance(writer, _PartWriter) and errors:
            writer.abandon()
            writer = None
        self._flush(writer, last=True)
        result.annotations, self.annotations = self.annotations, 0
        result.outlets, result.languages = self.outlets, self.languages
        result.published = [min(self.published), max(self.published)] if self.published else []
        self.outlets, self.languages, self.published = set(), set(), set()
        if isinstance(writer, _PartWriter):
            result.rows, result.digests = writer.rows, writer.digests
        result.unexported, self.unexported = self.unexported, 0
        return result

    def _block(
        self,
        data: memoryview,
        bytes_: Any,
        starts: Any,
        stops: Any,
        at: int,
        first: int,
        chunk: Chunk,
        result: ChunkResult,
    ) -> None:
        """One block of lines of ``data`` (which starts at byte ``at`` of the file), the first
        of them line ``first``: the columnar tier, then the full validator for what it leaves."""
        batch = None
        lo, n = int(starts[0]), len(starts)
        hi = min(int(stops[-1]) + 1, len(data))
        longest = int((stops - starts).max()) + 1  # with its newline
        if self.columnar is not None and longest <= self.options.max_bytes:
            block = data[lo:hi]
            table = None
            readable = np.zeros(n, dtype=bool)
            if self.columnar.reader is not None:  # one pass: the lines it reads, and which
                readable, table = self._readable(data, bytes_, starts, stops)
                if table is not None and readable.all():
                    batch = self._columnar(block, stops - lo, first, chunk, table=table)
                    readable[:] = False
            else:
                if line_shapes(bytes_, starts, stops):
                    table = self.columnar.read(block, longest)
                if table is not None and table.num_rows == n:
                    batch = self._columnar(block, stops - lo, first, chunk, table=table)
                elif n > 1:
                    readable, table = self._readable(data, bytes_, starts, stops)
            if readable.any():  # the block without the lines the reader refuses
                lines = np.flatnonzero(readable)
                kept = b"".join(bytes(data[int(starts[i]) : int(stops[i]) + 1]) for i in lines)
                ends = np.cumsum(stops[lines] - starts[lines] + 1) - 1
                some = self._columnar(kept, ends, first, chunk, lines, table=table)
                if some is not None:
                    batch = some.moved(lines, n)
        todo = list(range(n))
        if batch is not None:
            todo = [i for i in np.flatnonzero(~batch.accepted).tolist() if i not in batch.reported]
        anchored = self._anchored(data, starts, stops, todo, first, chunk)
        before = len(result.doc_ids)
        reported = 0
        for b in (batch, anchored):
            if b is None:
                continue
            accepted = np.flatnonzero(b.accepted).tolist()
            self.fast_docs += len(accepted)
            result.columnar += len(accepted)
            result.doc_ids.extend(
                (doc_id, first + i, at + int(starts[i]))
                for doc_id, i in zip(b.doc_ids, accepted, strict=True)
            )
            for i, (doc_id, found) in b.reported.items():
                s, e = int(starts[i]), int(stops[i])
                self._report(bytes(data[s:e]), first + i, at + s, chunk, doc_id, found)
                reported += 1
        if anchored is not None:
            todo = [i for i in todo if not anchored.accepted[i] and i not in anchored.reported]
            self.more.append(anchored)
        for i in todo:
            s, e = int(starts[i]), int(stops[i])
            self._line(bytes(data[s : e + 1]), first + i, at + s, chunk, result, i)
        self._settle(chunk, result)
        if todo or reported or anchored is not None:  # keep the doc_ids in line order
            result.doc_ids[before:] = sorted(result.doc_ids[before:], key=lambda d: d[1])
        self.batch = batch

    def _anchored(
        self, data: memoryview, starts: Any, stops: Any, todo: list[int], first: int, chunk: Chunk
    ) -> Batch | None:
        """Lines of ``todo`` with spans written as text anchors, checked by the columnar tier
        once the anchors that resolve are written as offsets
        (:func:`newsanno.read.anchors.resolve_text_anchors`): the same checks and rows as any
        other line, instead of the full validator for each. A line with a key given twice is
        left out (the JSON parser keeps one of the two, the tier's reader refuses both)."""
        if self.columnar is None or not todo:
            return None
        lines, kept = [], []
        for i in todo:
            raw = bytes(data[int(starts[i]) : int(stops[i]) + 1])
            if len(raw) > self.options.max_bytes:
                continue
            try:
                doc = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue
            if type(doc) is dict and resolve_text_anchors(doc) and not _has_duplicate_keys(raw):
                try:
                    kept.append(orjson.dumps(doc) + b"\n")
                except orjson.JSONEncodeError:  # nested deeper than orjson writes: not a document
                    continue
                lines.append(i)
        if not lines:
            return None
        idx = np.array(lines, dtype=np.int64)
        ends = np.cumsum([len(k) for k in kept]) - 1
        some = self._columnar(b"".join(kept), ends, first, chunk, idx)
        if some is None:
            return None
        return some.moved(idx, len(starts))

    def _columnar(
        self,
        block: bytes | memoryview,
        stops: Any,
        first: int,
        chunk: Chunk,
        lines: Any = None,
        table: pa.Table | None = None,
    ) -> Batch | None:
        """The columnar tier on ``block`` (its lines end at ``stops``; ``table``: the block as
        read, when it is already): lines ``lines`` of the block being checked (all of them by
        default), whose first line is line ``first`` of the file."""
        assert self.columnar is not None
        n = len(stops)
        if table is None:
            table = self.columnar.read(block, int(np.diff(stops, prepend=-1).max()))
        if table is None or table.num_rows != n:
            return None
        numbers = first + (np.arange(n, dtype=np.int64) if lines is None else lines)
        try:
            return self.columnar.check(table, block, stops, chunk.annotation_file, numbers)
        except Exception:  # pragma: no cover - a bug in the tier: the full validator is exact
            return None

    def _readable(
        self, data: memoryview, bytes_: Any, starts: Any, stops: Any
    ) -> tuple[Any, pa.Table | None]:
        """Per line: whether the columnar tier can read it, so that one odd line (a field the
        schema does not know, a line that is not one JSON object) sends only itself to the full
        validator, not its whole block; and the table of those lines, when it came with them.

        The compiled reader reads the lines it can and tells which, in one pass; a line it
        refuses gets pyarrow's reader too (the table is then read again). Without it, a block
        the reader refuses is cut in halves until each refused piece is one line."""
        assert self.columnar is not None
        reader = self.columnar.reader
        if reader is not None:
            lo, hi = int(starts[0]), min(int(stops[-1]) + 1, len(data))
            got = reader.read_lines(data[lo:hi], len(starts))
            if got is not None:
                table, out = got
                shape = shaped(bytes_, starts, stops)
                if not utf8(data[lo:hi]):  # (the compiled reader copies bytes as they are)
                    for i in np.flatnonzero(out).tolist():
                        shape[i] &= utf8(data[int(starts[i]) : int(stops[i])])
                whole = not (out & ~shape).any()  # the table holds just the lines kept
                out &= shape
                for i in np.flatnonzero(~out).tolist():
                    out[i] = self._reads(data, bytes_, starts[i : i + 1], stops[i : i + 1])
                    whole = whole and not out[i]
                return out, table if whole else None
        out = np.zeros(len(starts), dtype=bool)
        half = len(starts) // 2  # the whole block was refused already
        todo = [(half, len(starts)), (0, half)]
        while todo:
            i, j = todo.pop()
            if self._reads(data, bytes_, starts[i:j], stops[i:j]):
                out[i:j] = True
            elif j - i > 1:
                todo += [((i + j) // 2, j), (i, (i + j) // 2)]
        return out, None

    def _reads(self, data: memoryview, bytes_: Any, starts: Any, stops: Any) -> bool:
        """Whether the columnar tier reads the lines ``starts``..``stops`` of ``data``."""
        assert self.columnar is not None
        if not line_shapes(bytes_, starts, stops):
            return False
        lo, hi = int(starts[0]), min(int(stops[-1]) + 1, len(data))
        longest = int((stops - starts).max()) + 1
        table = self.columnar.read(data[lo:hi], longest)
        return table is not None and table.num_rows == len(starts)

    def _report(
        self,
        raw: bytes,
        number: int,
        at: int,
        chunk: Chunk,
        doc_id: str,
        found: list[Found],
    ) -> None:
        """A line whose only problems are the meaning findings the columnar tier found: they
        are reported as the full validator would (the same findings, at the same places)."""
        v = self.validator
        sink = _Sink(v.report, chunk.file, None, line_base=number - 1, source=raw.decode())
        v.report.documents += 1
        v.at = (number, at)
        v.register_doc_id(doc_id, sink, "")
        for _, path, code, message, hint in found:
            sink(path, code, message, hint)

    def _line(
        self, raw: bytes, number: int, at: int, chunk: Chunk, result: ChunkResult, place: int
    ) -> None:
        """One line the columnar tier did not vouch for: the full validator (its meaning rules
        wait for the block's other such lines: :meth:`_settle`)."""
        v = self.validator
        v.at, v.tag = (number, at), place
        v.line(chunk.file, number, raw)

    def _settle(self, chunk: Chunk, result: ChunkResult) -> None:
        """The meaning rules over the block's lines that took the full validator, at once."""
        for p in self.validator.settle():
            if p.result is not None:
                result.valid += 1
                self.extract(p.result, chunk.annotation_file, p.line, p.tag)

    def extract(
        self, doc: LoadedDocument, annotation_file: str, number: int, place: int | None = None
    ) -> None:
        """Keep a document the full validator passed: its rows are cut with the block's."""
        if self.checker is None:  # only when the world has errors (then nothing is exported)
            self.unexported += 1
            return
        at = len(self.valid) if place is None else place
        self.valid.append((at, annotation_file, number, _as_data(doc)))

    def _flush(self, writer: _PartWriter | _Collector | None, *, last: bool = False) -> None:
        """Count and write (or, when validating, drop) the rows of the block just checked.

        The columnar tier's rows and those of the documents the full validator passed are
        merged in line order.
        """
        parts = ([] if self.batch is None else [self.batch]) + self.more
        if self.valid:
            assert self.checker is not None
            place, files, lines, docs = zip(*self.valid, strict=True)
            try:
                more = self.checker.rows(list(docs), list(files), np.array(lines, np.int64))
            except Exception:  # pragma: no cover - a bug; reported, never a silent partial export
                self.unexported += len(docs)
            else:
                at = np.array(place, dtype=np.int64)
                positions = {k: at[v] for k, v in more.positions.items()}
                parts.append(Batch(more.accepted, more.tables, positions, more.doc_ids))
        self.batch = None
        self.more = []
        self.valid.clear()
        if not parts:
            tables = {name: TABLES[name].schema.empty_table() for name in DOCUMENT_TABLES}
        elif len(parts) == 1:
            tables = parts[0].tables
        else:  # both: the rows of the full validator's documents back among the others, by line
            tables = {}
            for name in DOCUMENT_TABLES:
                line = np.concatenate([b.positions[name] for b in parts])
                both = pa.concat_tables([b.tables[name] for b in parts])
                tables[name] = both.take(pa.array(np.argsort(line, kind="stable")))
        self.annotations += sum(tables[t].num_rows for t in ANNOTATION_TABLES)
        docs = tables["documents"]
        if docs.num_rows:
            self.outlets.update(v for v in pc.unique(docs["outlet"]).to_pylist() if v is not None)
            self.languages.update(pc.unique(docs["language"]).to_pylist())
            span = pc.min_max(docs["published"])
            self.published.update(d for d in (span["min"].as_py(), span["max"].as_py()) if d)
        if writer is not None:
            writer.write(tables, last=last)
