"""Where a worker's export rows go: Parquet part files of one chunk (:class:`_PartWriter`), or
memory (:class:`_Collector`, for :meth:`newsanno.engines.worker.Worker.check_block`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from newsanno.dataset.tables import TABLES
from newsanno.rules.columnar import DOCUMENT_TABLES


class _Collector:
    """The export tables of :meth:`Worker.check_block`, kept in memory block by block."""

    def __init__(self) -> None:
        self.parts: dict[str, list[pa.Table]] = {name: [] for name in DOCUMENT_TABLES}

    def write(self, tables: dict[str, Any], *, last: bool = False) -> None:
        for name in DOCUMENT_TABLES:
            if tables[name].num_rows:
                self.parts[name].append(tables[name])

    def tables(self) -> dict[str, pa.Table]:
        return {
            name: pa.concat_tables(parts) if parts else TABLES[name].schema.empty_table()
            for name, parts in self.parts.items()
        }


class _PartWriter:
    """Parquet part files of one chunk, one per table, one row group per block."""

    def __init__(self, out: str, index: int) -> None:
        self.out, self.index = Path(out), index
        self.writers: dict[str, Any] = {}
        self.rows: dict[str, int] = dict.fromkeys(DOCUMENT_TABLES, 0)
        self.digests: dict[str, str] = {}

    def write(self, tables: dict[str, Any], *, last: bool = False) -> None:
        import pyarrow.parquet as pq

        from newsanno.dataset.write import parquet_options

        for name in DOCUMENT_TABLES:
            writer = self.writers.get(name)
            if writer is None:
                folder = self.out / name
                folder.mkdir(parents=True, exist_ok=True)
                writer = pq.ParquetWriter(
                    folder / f"part-{self.index:05d}.parquet",
                    TABLES[name].schema,
                    **parquet_options(name, TABLES[name].schema),
                )
                self.writers[name] = writer
            table = tables[name]
            if table.num_rows:
                writer.write_table(table, row_group_size=table.num_rows)
                self.rows[name] += table.num_rows
        if last:
            from newsanno.dataset.write import _fsync, sha256_file

            for name, writer in self.writers.items():
                writer.close()
                path = self.out / name / f"part-{self.index:05d}.parquet"
                _fsync(path)  # here, in parallel, rather than in the parent at the end
                self.digests[f"{name}/{path.name}"] = sha256_file(path)

    def abandon(self) -> None:
        for name, writer in self.writers.items():
            writer.close()
            (self.out / name / f"part-{self.index:05d}.parquet").unlink(missing_ok=True)
