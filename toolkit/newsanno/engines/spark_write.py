"""Where a Spark export goes (see :func:`newsanno.engines.spark.export_dataset`).

Two kinds of output, one way through them:

- :class:`Folder`: a local folder, or one mounted on the driver and every executor. The export
  is staged beside it and renamed into place (:func:`newsanno.dataset.write.replace_folder`):
  a rename in one file system is atomic.
- :class:`Store`: a URI of any file system Hadoop has a connector for (``s3a://``,
  ``hdfs://``, ``gs://``, ``abfs://``, and ``file://``), reached through Hadoop's
  ``FileSystem`` API on the driver, as Spark reaches it. Spark writes the part files into a
  staging folder beside the target; the driver writes the rest (world tables,
  ``datapackage.json``, card, ``croissant.json``, ``checksums.sha256``) in a local folder and
  copies it in; the part files' sha256 are computed by a Spark job, where the files are. Then
  the target is renamed aside, the staging folder renamed into its place, and the old one
  deleted. On HDFS each rename is atomic. On object stores a rename is a copy and a delete,
  file by file, and never atomic: a job that dies during the commit can leave the target
  missing or partly copied, with the previous export whole under ``.<name>.old-<hex>`` beside
  it (and the new one under ``.<name>.tmp-<hex>``). Readers that must never see a half-written
  dataset should read a new prefix per export instead.

Each table's part files are named ``<table>/part-NNNNN.parquet`` (the partition's number), as a
local export names them; Spark's ``_SUCCESS`` and Hadoop's ``.crc`` files are removed.
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

import newsanno.dataset.write as ex
from newsanno.dataset.staging import check_target, is_manifest
from newsanno.dataset.write import TableInfo, parquet_options
from newsanno.engines.spark_tasks import _decode
from newsanno.model.findings import NewsannoError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from newsanno.dataset.spec import TableSpec


def _part_name(name: str) -> str | None:
    """``part-NNNNN.parquet`` for a part file Spark wrote (``part-00003-<uuid>.c000.snappy
    .parquet``), None for anything else."""
    if name.startswith("part-") and name.endswith(".parquet"):
        return f"part-{int(name.split('-')[1]):05d}.parquet"
    return None


class Output:
    """An export's target: where Spark writes the part files, where the driver writes the rest
    (``meta``, a local folder), and how the finished export replaces the target."""

    meta: Path
    """The local folder the driver writes its files into (made by :meth:`begin`)."""

    def begin(self) -> None:
        """Make the staging folder (once the corpus is known to be valid)."""
        raise NotImplementedError

    def table_uri(self, name: str) -> str:
        """Where Spark writes table ``name``'s part files."""
        raise NotImplementedError

    def tidy(self, name: str, schema: pa.Schema) -> tuple[str, ...]:
        """Table ``name``'s part files named as an export names them (an empty, typed part when
        Spark wrote none); their paths relative to the export."""
        raise NotImplementedError

    def count(self, rels: tuple[str, ...]) -> int:
        """The rows of these part files (from their footers)."""
        raise NotImplementedError

    def size(self, rels: tuple[str, ...]) -> int:
        """The bytes of these part files."""
        raise NotImplementedError

    def digests(self, rels: list[str]) -> dict[str, str]:
        """The sha256 of these part files, by relative path."""
        raise NotImplementedError

    def commit(self, digests: dict[str, str]) -> None:
        """Write ``checksums.sha256`` and put the export in place of the target."""
        raise NotImplementedError

    def abort(self) -> None:
        """Remove what was staged."""
        raise NotImplementedError

    def _empty_part(self, name: str, schema: pa.Schema) -> Path:
        import pyarrow.parquet as pq

        part = self.meta / name / "part-00000.parquet"
        part.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(schema.empty_table(), part, **parquet_options(name, schema))
        return part


class Folder(Output):
    """A local (or mounted) folder."""

    def __init__(self, target: Path) -> None:
        ex._check_target(target)
        self.target = target

    def begin(self) -> None:
        self.meta = ex.staging_folder(self.target)

    def table_uri(self, name: str) -> str:
        return (self.meta / name).resolve().as_uri()

    def tidy(self, name: str, schema: pa.Schema) -> tuple[str, ...]:
        folder, names = self.meta / name, []
        for path in sorted(folder.iterdir()):
            new = _part_name(path.name)
            if new is None:
                path.unlink()
            else:
                path.replace(folder / new)
                names.append(f"{name}/{new}")
        if not names:  # no rows in any partition, and Spark wrote no file
            names.append(f"{name}/{self._empty_part(name, schema).name}")
        return tuple(sorted(names))

    def count(self, rels: tuple[str, ...]) -> int:
        return _count(self.meta, rels)

    def size(self, rels: tuple[str, ...]) -> int:
        return sum((self.meta / r).stat().st_size for r in rels)

    def digests(self, rels: list[str]) -> dict[str, str]:
        return {rel: ex.sha256_file(self.meta / rel) for rel in rels}

    def commit(self, digests: dict[str, str]) -> None:
        ex._write_checksums(self.meta, digests)
        ex.replace_folder(self.meta, self.target)

    def abort(self) -> None:
        shutil.rmtree(self.meta, ignore_errors=True)


class Store(Output):
    """A URI on a file system Hadoop reaches (see the module docstring)."""

    def __init__(self, spark: SparkSession, uri: str) -> None:
        jvm = spark._jvm
        assert jvm is not None
        self.spark = spark
        self._Path = jvm.org.apache.hadoop.fs.Path
        self.target = self._Path(uri.rstrip("/"))
        self.fs = self.target.getFileSystem(spark._jsc.hadoopConfiguration())
        self.fs.setWriteChecksum(False)  # (the local file system would add .crc files)
        self._check_target()
        parent, name = self.target.getParent(), self.target.getName()
        self.staging = self._Path(parent, f".{name}.tmp-{secrets.token_hex(6)}")

    def begin(self) -> None:
        if not self.fs.mkdirs(self.staging):
            raise NewsannoError(f"cannot create {self.staging.toString()}")
        self.meta = Path(tempfile.mkdtemp(prefix="newsanno-export-"))

    def _check_target(self) -> None:
        fs, target = self.fs, self.target
        if fs.exists(target):
            folder = bool(fs.getFileStatus(target).isDirectory())
            files = folder and len(fs.listStatus(target)) > 0
            check_target(str(target.toString()), not folder, files, self._is_export)

    def _is_export(self) -> bool:
        manifest = self._Path(self.target, ex.MANIFEST)
        if not self.fs.exists(manifest):
            return False
        text = self.spark.read.text(str(manifest.toString()), wholetext=True).first()
        return text is not None and is_manifest(text[0])

    def _files(self, folder: Any) -> Iterator[Any]:
        for status in self.fs.listStatus(folder):
            yield status.getPath()

    def table_uri(self, name: str) -> str:
        return str(self._Path(self.staging, name).toString())

    def tidy(self, name: str, schema: pa.Schema) -> tuple[str, ...]:
        folder, names = self._Path(self.staging, name), []
        for path in sorted(self._files(folder), key=lambda p: str(p.getName())):
            new = _part_name(str(path.getName()))
            if new is None:
                self.fs.delete(path, False)
            elif not self.fs.rename(path, self._Path(folder, new)):
                raise OSError(f"could not rename {path.toString()} to {new}")
            else:
                names.append(f"{name}/{new}")
        if not names:  # the empty part goes with the driver's files
            names.append(f"{name}/{self._empty_part(name, schema).name}")
        return tuple(sorted(names))

    def _remote(self, rel: str) -> Any:
        return self._Path(self.staging, rel)

    def count(self, rels: tuple[str, ...]) -> int:
        remote = [str(self._remote(r).toString()) for r in rels if not (self.meta / r).is_file()]
        return self.spark.read.parquet(*remote).count() if remote else 0  # (an empty part: 0)

    def size(self, rels: tuple[str, ...]) -> int:
        return sum(
            (self.meta / r).stat().st_size
            if (self.meta / r).is_file()
            else int(self.fs.getFileStatus(self._remote(r)).getLen())
            for r in rels
        )

    def digests(self, rels: list[str]) -> dict[str, str]:
        """Computed where the files are, by a Spark job (each file read once, by an executor)."""
        remote = [r for r in rels if not (self.meta / r).is_file()]
        found = {r: ex.sha256_file(self.meta / r) for r in rels if r not in remote}
        if remote:
            uris = [str(self._remote(r).toString()) for r in remote]
            files = self.spark.read.format("binaryFile").load(uris)
            for row in files.select("path", "content").mapInArrow(_sha256, _SHA_DDL).collect():
                found["/".join(str(row["path"]).split("/")[-2:])] = row["sha256"]
        return found

    def commit(self, digests: dict[str, str]) -> None:
        remote = {r: d for r, d in digests.items() if not (self.meta / r).is_file()}
        ex._write_checksums(self.meta, digests, elsewhere=remote)
        for path in sorted(p for p in self.meta.rglob("*") if p.is_file()):
            rel = path.relative_to(self.meta).as_posix()
            self.fs.copyFromLocalFile(False, True, self._Path(path.as_uri()), self._remote(rel))
        fs, target = self.fs, self.target
        backup = None
        if fs.exists(target):
            backup = self._Path(
                target.getParent(), f".{target.getName()}.old-{secrets.token_hex(6)}"
            )
            if not fs.rename(target, backup):
                raise OSError(f"could not move {target.toString()} aside")
        if not fs.rename(self.staging, target):
            if backup is not None:
                fs.rename(backup, target)
            raise OSError(f"could not move the export to {target.toString()}")
        if backup is not None:
            fs.delete(backup, True)
        shutil.rmtree(self.meta, ignore_errors=True)

    def abort(self) -> None:
        self.fs.delete(self.staging, True)
        if hasattr(self, "meta"):
            shutil.rmtree(self.meta, ignore_errors=True)


def _count(folder: Path, rels: tuple[str, ...]) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(folder / r).metadata.num_rows for r in rels)


_SHA_DDL = "path string, sha256 string"


def _sha256(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        paths = batch.column("path").to_pylist()
        sums = [hashlib.sha256(c).hexdigest() for c in batch.column("content").to_pylist()]
        yield pa.RecordBatch.from_pydict({"path": paths, "sha256": sums})


def write_table(
    rows: DataFrame, spec: TableSpec, out: Output, count: int | None = None
) -> TableInfo:
    """Write a table from rows ``(name, data)`` whose data are Arrow IPC streams of its rows,
    with Spark's Parquet writer, into ``out``; its ``TableInfo`` (``count``: its rows, when
    known already; else read from what was written)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    frame = rows.select("data").mapInArrow(_decode, from_arrow_schema(spec.schema))
    frame.write.option("compression", "snappy").parquet(out.table_uri(spec.name))
    names = out.tidy(spec.name, spec.schema)
    rows_written = out.count(names) if count is None else count
    return TableInfo(spec.name, rows_written, names, out.size(names))
