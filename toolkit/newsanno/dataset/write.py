"""Export a validated corpus as a documented, deterministic Parquet dataset, atomically.

The output folder holds one Parquet file per table (or a folder of part files for large tables),
a Frictionless ``datapackage.json`` with primary and foreign keys, a dataset card ``README.md``
and ``checksums.sha256``. The same input gives byte-identical files. Everything is written into a
temporary folder beside the target and renamed into place only when complete, so a failed export
leaves the previous one untouched; an invalid corpus is refused before anything is written.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

import newsanno.dataset.variants  # noqa: F401  (registers the quote_variants tables)
from newsanno.dataset.card import CARD as CARD
from newsanno.dataset.card import dataset_card as dataset_card
from newsanno.dataset.ecosystem import write_interop as write_interop
from newsanno.dataset.manifest import ANNOTATION_LICENSE as ANNOTATION_LICENSE
from newsanno.dataset.manifest import CHECKSUMS as CHECKSUMS
from newsanno.dataset.manifest import MANIFEST as MANIFEST
from newsanno.dataset.manifest import PARQUET_MEDIATYPE as PARQUET_MEDIATYPE
from newsanno.dataset.manifest import TableInfo as TableInfo
from newsanno.dataset.manifest import _json as _json
from newsanno.dataset.manifest import _manifest as _manifest
from newsanno.dataset.manifest import _write_checksums as _write_checksums
from newsanno.dataset.manifest import frictionless_schema as frictionless_schema
from newsanno.dataset.manifest import sha256_file as sha256_file
from newsanno.dataset.manifest import toolkit_version as toolkit_version
from newsanno.dataset.manifest import verify_checksums as verify_checksums
from newsanno.dataset.staging import _check_target as _check_target
from newsanno.dataset.staging import _fsync as _fsync
from newsanno.dataset.staging import _host as _host
from newsanno.dataset.staging import is_export as is_export
from newsanno.dataset.staging import replace_folder as replace_folder
from newsanno.dataset.staging import staging_folder as staging_folder
from newsanno.dataset.staging import stale_staging as stale_staging
from newsanno.dataset.tables import TABLES, TableSpec
from newsanno.model.corpus import Corpus
from newsanno.model.findings import NewsannoError, Report


@dataclass
class ExportResult:
    """The outcome of :func:`export`: the validation report and, when valid, what was written."""

    report: Report
    out: Path | str | None = None
    """Where the dataset was written: a folder, or a URI (the Spark engine's object stores)."""
    tables: list[TableInfo] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return self.out is not None

    @property
    def rows(self) -> dict[str, int]:
        return {t.name: t.rows for t in self.tables}


def write_dataset(
    corpus: Corpus,
    out: Path | str,
    *,
    rows_per_part: int | None = None,
    claims: bool = True,
    agreement: str | None = None,
) -> list[TableInfo]:
    """Write an already validated corpus to ``out`` (atomically); return what was written.

    ``agreement``: the body of the card's "Inter-annotator agreement" section, in Markdown, as
    measured by the layer that can (``newsanno.agree.card``); None leaves the card without one.
    """
    if rows_per_part is not None and rows_per_part < 1:
        raise NewsannoError("rows_per_part must be at least 1")
    target = Path(out)
    _check_target(target)
    built = [(spec, spec.table(corpus)) for spec in TABLES.values()]
    tmp = staging_folder(target)
    try:
        infos = [_write_table(tmp, spec, table, rows_per_part) for spec, table in built]
        manifest = _manifest(corpus, built, infos, tmp)
        (tmp / MANIFEST).write_text(_json(manifest), encoding="utf-8")
        (tmp / CARD).write_text(dataset_card(corpus, infos, agreement), encoding="utf-8")
        write_interop(tmp, manifest, corpus, claims=claims)
        _write_checksums(tmp)
        replace_folder(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return infos


# --------------------------------------------------------------------------------------------
# Parquet


PLAIN_COLUMNS = {"documents": ("text", "text_sha256")}
"""Columns written without a dictionary: their values are all different, so the dictionary
would only cost time (hashing every article text) and then be dropped."""


def parquet_options(table: str, schema: pa.Schema) -> dict[str, Any]:
    """How every Parquet file of ``table`` is written, by both export paths."""
    plain = PLAIN_COLUMNS.get(table, ())
    return {
        "compression": "snappy",
        "use_dictionary": [name for name in schema.names if name not in plain],
        "write_statistics": True,
        "store_schema": True,
    }


def _write_parquet(table: pa.Table, path: Path, name: str) -> None:
    """One Parquet file, written the same way every time (no timestamps; pandas-free schema)."""
    pq.write_table(table, path, **parquet_options(name, table.schema))


def _write_table(
    folder: Path, spec: TableSpec, table: pa.Table, rows_per_part: int | None
) -> TableInfo:
    if rows_per_part is None or table.num_rows <= rows_per_part:
        path = folder / f"{spec.name}.parquet"
        _write_parquet(table, path, spec.name)
        return TableInfo(spec.name, table.num_rows, (path.name,), path.stat().st_size)
    sub = folder / spec.name
    sub.mkdir()
    files, size = [], 0
    for n, offset in enumerate(range(0, table.num_rows, rows_per_part)):
        path = sub / f"part-{n:05d}.parquet"
        _write_parquet(table.slice(offset, rows_per_part), path, spec.name)
        files.append(f"{spec.name}/{path.name}")
        size += path.stat().st_size
    return TableInfo(spec.name, table.num_rows, tuple(files), size)
