"""Writing one table of a Spark export: Spark's Parquet writer, then the part files named as a
local export names them (see :func:`newsanno.engines.spark.export_dataset`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from newsanno.dataset.write import TableInfo, parquet_options
from newsanno.engines.spark_tasks import _decode

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

    from newsanno.dataset.spec import TableSpec


def write_table(rows: DataFrame, spec: TableSpec, tmp: Path) -> TableInfo:
    """Write a table from rows ``(name, data)`` whose data are Arrow IPC streams of its rows,
    with Spark's Parquet writer, into ``tmp/<table>/part-NNNNN.parquet``; its ``TableInfo``."""
    import pyarrow.parquet as pq
    from pyspark.sql.pandas.types import from_arrow_schema

    frame = rows.select("data").mapInArrow(_decode, from_arrow_schema(spec.schema))
    folder = tmp / spec.name
    frame.write.option("compression", "snappy").parquet(folder.resolve().as_uri())
    names = _tidy_parts(folder, spec.name, spec.schema)
    size = sum((tmp / n).stat().st_size for n in names)
    count = sum(pq.ParquetFile(tmp / n).metadata.num_rows for n in names)
    return TableInfo(spec.name, count, names, size)


def _tidy_parts(folder: Path, name: str, schema: pa.Schema) -> tuple[str, ...]:
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

        empty = folder / "part-00000.parquet"
        pq.write_table(schema.empty_table(), empty, **parquet_options(name, schema))
        names.append(f"{name}/{empty.name}")
    return tuple(sorted(names))
