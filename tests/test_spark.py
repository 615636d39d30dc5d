"""The Spark engine (``--engine spark``, ``newsanno.spark``) held to the local engine.

One SparkSession in ``local[2]`` for the module; under xdist the module is one group
(``--dist loadgroup`` in the Makefile), so only one worker starts a JVM. Skipped, with the
reason, when pyspark or Java is missing (``make test`` installs both: the ``dev`` extra and
``scripts/ensure-java``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsanno.bench.synth import Mix, write_corpus
from newsanno.dataset.loader import read_table, table_names
from newsanno.dataset.tables import TABLES
from newsanno.dataset.variants import quote_variant_tables
from newsanno.dataset.write import verify_checksums
from newsanno.engines.bulk import export_bulk, run_bulk
from newsanno.engines.local import plan
from newsanno.model.findings import Code, NewsannoError

pytestmark = pytest.mark.xdist_group("spark")

try:
    import pyspark  # noqa: F401

    _MISSING = ""
except ImportError:  # pragma: no cover - the dev extra installs it
    _MISSING = "pyspark is not installed (pip install 'newsanno[spark]')"
if not _MISSING and not (shutil.which("java") or os.environ.get("JAVA_HOME")):
    _MISSING = "no Java (scripts/ensure-java installs openjdk-17-jre-headless)"
if not _MISSING and not os.environ.get("JAVA_HOME"):
    import re
    import subprocess

    _version = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    _major = re.search(r'version "(\d+)', _version)
    if _major is None or int(_major.group(1)) < 17:
        _MISSING = f"Spark needs Java 17 or later; `java -version` says {_version.splitlines()[:1]}"


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if _MISSING:
        pytest.skip(_MISSING)
    from newsanno.engines.spark import start_session

    log = tmp_path_factory.mktemp("spark-log") / "spark.log"
    session = start_session("local[2]", log)
    yield session
    session.stop()


def _damaged(folder: Path) -> None:
    """Lines the checks must name at their place: a doc_id used twice (in another shard),
    a blank line, broken UTF-8, a CRLF line, a lone CR inside a line, a line that is no JSON."""
    shards = sorted((folder / "shards").glob("*.jsonl"))
    first = shards[0].read_bytes().split(b"\n")
    crlf = first[5] + b"\r\n"
    lone_cr = first[6].replace(b'"schema_version"', b'\r"schema_version"', 1) + b"\n"
    extra = b"".join(
        [first[3] + b"\n", b"\n", b'{"doc_id": "\xff\xfe"}\n', crlf, lone_cr, b"not json\n"]
    )
    with shards[-1].open("ab") as out:
        out.write(extra)


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("spark-corpora")
    clean, bad = root / "clean", root / "bad"
    write_corpus(clean, 60, per_shard=25, mix=Mix(nested=0.1, offsets_only=0.25))
    write_corpus(bad, 60, per_shard=25, mix=Mix(nested=0.1, bad=0.15))
    _damaged(bad)
    return {"clean": clean, "bad": bad}


@pytest.fixture()
def small_splits(spark: Any) -> Iterator[None]:
    """Input splits of 64 KiB, so that every shard is read by several tasks."""
    old = spark.conf.get("spark.sql.files.maxPartitionBytes")
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(64 << 10))
    try:
        yield
    finally:
        spark.conf.set("spark.sql.files.maxPartitionBytes", old)


def _rows(folder: Path, name: str) -> Counter[str]:
    return Counter(repr(sorted(r.items())) for r in read_table(folder, name).to_pylist())


def test_findings_are_the_local_engines_with_shards_split(
    spark: Any, corpora: dict[str, Path], small_splits: None
) -> None:
    from newsanno.engines.spark import FINDING_COLUMNS, run, validate, validate_report

    shards = corpora["bad"] / "shards"
    local = run_bulk(plan([shards])).report
    report = validate_report(spark, [shards])
    assert set(report.findings) == set(local.findings)
    assert report.documents == local.documents
    assert report.files == local.files
    codes = {f.code.value for f in report.findings}
    assert {"id-duplicate", "encoding-utf8", "json-syntax"} <= codes
    # the shards really were read in several splits each, in several partitions
    checked = run(spark, [shards])
    try:
        assert len(checked.state.first_lines) > 2 * len(local.files)
        assert checked.lines.rdd.getNumPartitions() > 3
    finally:
        checked.close()
    frame = validate(spark, str(shards))  # the DataFrame API, a string path
    assert tuple(frame.columns) == FINDING_COLUMNS
    got = {(r["file"], r["line"], r["column"], r["code"]) for r in frame.collect()}
    assert got == {f.key() for f in local.findings}


def test_clean_corpus_has_no_findings(spark: Any, corpora: dict[str, Path]) -> None:
    from newsanno.spark import validate_report

    report = validate_report(spark, corpora["clean"] / "shards")
    local = run_bulk(plan([corpora["clean"] / "shards"])).report
    assert report.findings == local.findings == []
    assert report.documents == 60


def test_export_has_the_local_engines_rows(
    spark: Any, corpora: dict[str, Path], small_splits: None, tmp_path: Path
) -> None:
    import duckdb
    import polars as pl

    import newsanno
    from newsanno.spark import export_dataset

    shards = corpora["clean"] / "shards"
    local, out = tmp_path / "local", tmp_path / "spark"
    assert export_bulk(plan([shards]), local, chunk_bytes=1 << 16).written
    result = export_dataset(spark, [shards], out, cross_document=True)
    assert result.written and result.report.valid
    names = table_names(out)
    variants = ["quote_variants", "quote_variant_pairs"]  # (the local bulk engine has none)
    assert names == [*table_names(local), *variants]
    for name in names:
        if name not in variants:
            assert _rows(out, name) == _rows(local, name), name
        # the documented schema, field descriptions included, whoever wrote the file
        assert read_table(out, name).schema.equals(TABLES[name].schema, check_metadata=True)
    # grouped by utterance across all shards, the quote variants are those of the whole corpus
    # at once (newsanno.fidelity's compare_corpus, on the corpus the local export holds)
    whole = quote_variant_tables(newsanno.dataset_to_corpus(newsanno.load_dataset(local)))
    for name in variants:
        expected = Counter(repr(sorted(r.items())) for r in whole[name].to_pylist())
        assert whole[name].num_rows > 100 and _rows(out, name) == expected, name
    assert verify_checksums(out) == []
    ds = newsanno.load_dataset(out)
    assert len(ds.documents) == 60 and len(ds.mentions) == len(read_table(local, "mentions"))
    # a part of one name holds the same documents in every table
    parts = sorted(p.name for p in (out / "documents").glob("part-*.parquet"))
    assert len(parts) > 1
    for part in parts:
        docs = set(read_table_file(out / "documents" / part, "doc_id"))
        if (out / "mentions" / part).exists():
            assert set(read_table_file(out / "mentions" / part, "doc_id")) <= docs
    quotes = duckdb.sql(f"SELECT count(*) FROM '{out}/quotes/*.parquet'").fetchall()
    assert quotes == [(read_table(local, "quotes").num_rows,)]
    assert pl.read_parquet(out / "mentions" / "*.parquet").height == len(ds.mentions)
    manifest = (out / "datapackage.json").read_text()
    assert "documents-part-" in manifest and (out / "README.md").is_file()


def read_table_file(path: Path, column: str) -> list[Any]:
    import pyarrow.parquet as pq

    return pq.read_table(path, columns=[column]).column(column).to_pylist()


@pytest.mark.parametrize("as_uri", [False, True], ids=["folder", "uri"])
def test_invalid_or_failed_export_leaves_the_previous_one(
    spark: Any,
    corpora: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    as_uri: bool,
) -> None:
    """The same for a folder and for a URI (``file://`` here, through Hadoop's FileSystem API,
    the way s3a:// and hdfs:// go)."""
    import newsanno.engines.spark as engine
    import newsanno.engines.spark_write as write

    out = tmp_path / "dist"
    target: Any = out.as_uri() if as_uri else out
    assert engine.export_dataset(spark, corpora["clean"] / "shards", target).written
    assert verify_checksums(out) == []
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = engine.export_dataset(spark, corpora["bad"] / "shards", target)
    assert not bad.written and not bad.report.valid
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before

    def broken(*args: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(write.Store if as_uri else write.Folder, "tidy", broken)
    with pytest.raises(OSError, match="disk full"):
        engine.export_dataset(spark, corpora["clean"] / "shards", target)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]  # no staging left behind


def test_export_to_a_uri_is_the_folder_export(
    spark: Any, corpora: dict[str, Path], tmp_path: Path
) -> None:
    """Through Hadoop's FileSystem API: the same files, rows and checksums as a folder export,
    an export replaced in place, and a folder that is no export refused."""
    from newsanno.spark import export_dataset

    shards = corpora["clean"] / "shards"
    folder, store = tmp_path / "folder", tmp_path / "store"
    assert export_dataset(spark, shards, folder).written
    for _ in range(2):  # written, then replaced
        result = export_dataset(spark, shards, store.as_uri())
        assert result.written and result.out == store.as_uri()
        assert verify_checksums(store) == []
    files = {p.relative_to(store) for p in store.rglob("*") if p.is_file()}
    assert files == {p.relative_to(folder) for p in folder.rglob("*") if p.is_file()}
    for name in table_names(store):
        assert _rows(store, name) == _rows(folder, name), name
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(NewsannoError, match="holds no newsanno export"):
        export_dataset(spark, shards, other.as_uri())
    assert [p.name for p in other.iterdir()] == ["notes.txt"]


def test_cli_engine_spark(spark: Any, corpora: dict[str, Path], tmp_path: Path) -> None:
    from click.testing import CliRunner

    from newsanno.cli import main

    runner = CliRunner()
    bad = runner.invoke(main, ["validate", str(corpora["bad"] / "shards"), "--engine", "spark"])
    assert bad.exit_code == 1, bad.output
    assert "error[id-duplicate]" in bad.output and "invalid:" in bad.output
    out = tmp_path / "cli"
    good = runner.invoke(
        main, ["export", str(corpora["clean"] / "shards"), "--out", str(out), "--engine", "spark"]
    )
    assert good.exit_code == 0, good.output
    assert "exported" in good.output and verify_checksums(out) == []
    uri = (tmp_path / "by-uri").as_uri()  # through Hadoop's FileSystem API, as s3a:// goes
    shards = str(corpora["clean"] / "shards")
    by_uri = runner.invoke(main, ["export", shards, "--out", uri, "--engine", "spark"])
    assert by_uri.exit_code == 0, by_uri.output
    assert f"to {uri}" in by_uri.output and verify_checksums(tmp_path / "by-uri") == []
    local = runner.invoke(main, ["export", shards, "--out", "s3a://bucket/dist"])
    assert local.exit_code == 2 and "only the Spark engine writes to a URI" in local.output
    assert spark.sparkContext._jsc is not None  # the CLI did not stop a session it did not start
    missing = runner.invoke(main, ["validate", str(tmp_path / "nope"), "--engine", "spark"])
    assert missing.exit_code == 2 and "no such file or folder" in missing.output
    local = runner.invoke(main, ["validate", str(corpora["clean"]), "--master", "local[2]"])
    assert local.exit_code == 2 and "--engine spark" in local.output


def test_cross_document_lints_across_shards_are_the_serial_validators(
    spark: Any, tmp_path: Path, small_splits: None
) -> None:
    """The cross-document lints, which the local bulk engine skips for JSONL shards, on Spark:
    lint-low-overlap-utterance (quotes grouped by utterance) and lint-possible-same-utterance
    (candidate pairs from shared trigrams, decided by the rule) give the serial validator's
    findings, with a doc_id used twice (its later use is left out, as serially)."""
    import orjson

    from newsanno.engines.local import Validator
    from newsanno.engines.spark import validate_report

    folder = tmp_path / "crossdoc"
    write_corpus(folder, 40, per_shard=15, mix=Mix(nested=0.1))
    shards = sorted((folder / "shards").glob("*.jsonl"))
    lines = shards[1].read_bytes().splitlines()
    doc = orjson.loads(lines[2])  # two direct quotes of one speaker swap their utterances
    quotes = [q for q in doc["quotes"] if q.get("utterance") and q["type"] == "direct"]
    a, b = next(
        (a, b)
        for a in quotes
        for b in quotes
        if a["utterance"] != b["utterance"] and a["speaker"] == b["speaker"]
    )
    a["utterance"], b["utterance"] = b["utterance"], a["utterance"]
    lines[2] = orjson.dumps(doc)
    shards[1].write_bytes(b"\n".join(lines) + b"\n")
    again = orjson.loads(shards[0].read_bytes().splitlines()[4])  # its doc_id used twice
    for q in again["quotes"]:
        q.pop("utterance", None)
    with shards[2].open("ab") as f:
        f.write(orjson.dumps(again) + b"\n")
    serial = Validator()
    for _ in serial.run(plan([folder / "shards"])):
        pass

    codes = {Code.LINT_LOW_OVERLAP_UTTERANCE, Code.LINT_POSSIBLE_SAME_UTTERANCE}

    def cross(findings: Any) -> Counter[Any]:
        return Counter(f for f in findings if f.code in codes)

    expected = cross(serial.report.findings)
    assert {f.code for f in expected} == codes
    assert any(f.file.endswith(shards[1].name) and f.line == 3 for f in expected)
    assert any(f.code == Code.ID_DUPLICATE for f in serial.report.findings)
    report = validate_report(spark, [folder / "shards"], cross_document=True)
    assert cross(report.findings) == expected
    plain = validate_report(spark, [folder / "shards"])  # off by default, as in the bulk engine
    assert cross(plain.findings) == Counter()


def test_remote_input_needs_the_world(spark: Any) -> None:
    from newsanno.engines.spark import validate_report

    with pytest.raises(NewsannoError, match="world"):
        validate_report(spark, "s3a://bucket/shards/*.jsonl")
    from click.testing import CliRunner

    from newsanno.cli import main

    done = CliRunner().invoke(main, ["validate", "s3a://bucket/shards/", "--engine", "spark"])
    assert done.exit_code == 2 and "s3a://bucket/shards/: give the world" in done.output


def test_no_java_is_one_line(corpora: dict[str, Path], tmp_path: Path) -> None:
    """Without Java: one line naming what is missing, exit 2, no JVM trace (no JVM starts)."""
    if "pyspark" in _MISSING:
        pytest.skip(_MISSING)
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(tmp_path)  # no java there
    done = subprocess.run(
        [sys.executable, "-m", "newsanno", "validate", str(corpora["clean"]), "--engine", "spark"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "Java 17" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_without_pyspark_says_what_to_install(
    corpora: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from newsanno.cli import main

    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark: ImportError
    done = CliRunner().invoke(main, ["validate", str(corpora["clean"]), "--engine", "spark"])
    assert done.exit_code == 2
    assert "pip install 'newsanno[spark]'" in done.output
