"""The Spark engine's tasks: what runs on the executors (in ``mapInArrow`` and
``applyInArrow``), and the state the driver broadcasts to them. Each block of lines goes through
:meth:`newsanno.engines.worker.Worker.check_block`; see :mod:`newsanno.engines.spark`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pyarrow as pa

from newsanno.engines.worker import BLOCK_BYTES, Options, Worker
from newsanno.rules.columnar import DOCUMENT_TABLES

FINDING_COLUMNS = ("file", "line", "column", "code", "severity", "message", "fix", "path")
"""The columns of :func:`validate`'s DataFrame."""
_OUT_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),  # finding | doc | stats | table | line | quote | rendering
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
    """(file, line) of the lines a rescan returns."""
    cross_document: bool = False
    """Emit a record of every quote of a valid document, for the cross-document lints (and,
    when exporting, its renderings of utterances, for the quote-variant tables)."""


def _key(file_uri: str) -> str:
    """A file as Spark names it (``file:///a/b%20c.jsonl``), as a key: a local path, or the
    URI itself."""
    parsed = urlparse(file_uri)
    if parsed.scheme in ("", "file"):
        return str(Path(unquote(parsed.path)).resolve())
    return file_uri


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
        "rows": {t: res.tables[t].num_rows for t in DOCUMENT_TABLES},
    }
    rows.append({"kind": "stats", "data": json.dumps(stats).encode()})
    if state.cross_document:
        docs = _documents(res)  # (once, for both kinds of record)
        rows += _quote_records(docs, res, name)
        if state.tables:
            rows += _rendering_records(docs)
    if state.tables:
        rows += [
            {"kind": "table", "name": t, "data": _ipc(res.tables[t])}
            for t in DOCUMENT_TABLES
            if res.tables[t].num_rows
        ]
    return _out(rows)


def _documents(res: Any) -> list[tuple[str, str, list[Any]]]:
    """(doc_id, text, quotes) of each valid document of a block, from the block's export rows
    (the documents that passed, with their spans resolved; the quotes as the model's)."""
    from newsanno.dataset.loader import quote_from_row

    docs = res.tables["documents"].select(["doc_id", "text"]).to_pylist()
    by_doc: dict[str, list[dict[str, Any]]] = {}
    if docs:
        for q in res.tables["quotes"].to_pylist():
            by_doc.setdefault(q["doc_id"], []).append(q)
    out = []
    for d in docs:
        quotes = sorted(by_doc.get(d["doc_id"], []), key=lambda q: q["ordinal"])
        out.append((d["doc_id"], d["text"], [quote_from_row(q) for q in quotes]))
    return out


def _quote_records(
    docs: list[tuple[str, str, list[Any]]], res: Any, name: _Name
) -> list[dict[str, Any]]:
    """A record of every quote in the valid documents of a block, as
    :class:`newsanno.rules.crossdoc.CrossDocumentLints` keeps it (built by its own ``add``),
    keyed by its place in input order; the row's name is its utterance, file, line and col (the
    file's rank) are its document's (see :mod:`newsanno.engines.spark_crossdoc`)."""
    import pickle
    from types import SimpleNamespace

    from newsanno.rules.crossdoc import CrossDocumentLints

    lines = {doc_id: line for doc_id, line, _ in res.doc_ids}
    rows = []
    for doc_id, text, quotes in docs:
        line = lines[doc_id]
        lints = CrossDocumentLints()
        doc = SimpleNamespace(doc_id=doc_id, quotes=quotes)
        lints.add(doc, text, name.display, _at_line(line))  # type: ignore[arg-type]
        rows += [
            {
                "kind": "quote",
                "name": r.utterance,
                "file": name.display,
                "line": line,
                "col": name.rank,
                "data": pickle.dumps(((name.rank, line, r.index), r)),
            }
            for r in lints.quotes
        ]
    return rows


def _rendering_records(docs: list[tuple[str, str, list[Any]]]) -> list[dict[str, Any]]:
    """Each valid document's rendering of each utterance it quotes
    (:func:`newsanno.fidelity.renderings.document_renderings`), packed with only the text it
    covers; the row's name is the utterance (for the ``quote_variants`` tables)."""
    import pickle

    from newsanno.fidelity.renderings import document_renderings, pack

    return [
        {"kind": "rendering", "name": r.utterance_id, "data": pickle.dumps(pack(r))}
        for doc_id, text, quotes in docs
        for r in document_renderings(doc_id, text, quotes)
    ]


def _at_line(line: int) -> Any:
    """Where a JSONL document's quote is reported: its line, column 1 (as locally)."""
    return lambda path: (line, 1)


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
