"""The Parquet export: contract, readers, manifest, determinism, atomicity, refusal of bad input."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from frictionless import Package
from ruamel.yaml import YAML

import newsanno.dataset.write as export_module
from newsanno import export_dataset, load_corpus
from newsanno.cli import main
from newsanno.dataset.tables import TABLES
from newsanno.model.findings import NewsannoError

from .conftest import CASES, MINIMAL, chdir
from .corpora import rich_corpus

# The minimum columns of the export contract (the product design's "Export contract").
CONTRACT = {
    "documents": "doc_id outlet title published language text text_sha256",
    "entities": "entity_id entity_type name wikidata_id aliases",
    "mentions": "doc_id mention_id entity_id start end text mention_type",
    "utterances": "utterance_id speaker_entity_id channel platform_entity_id date",
    "quotes": "doc_id quote_id speaker_entity_id quote_type start end text cue_text utterance_id",
    "claims": "doc_id claim_id claimant_entity_id quote_id start end text claim_type checkworthy",
    "events": "event_id event_type date location_entity_id",
    "event_mentions": "doc_id event_mention_id event_id start end text realis",
    "event_arguments": "doc_id event_mention_id event_id role entity_id",
}


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rich_corpus(tmp_path_factory.mktemp("rich"))


@pytest.fixture(scope="module")
def out(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("export") / "newsanno"
    result = export_dataset(corpus_dir, target)
    assert result.written and result.report.valid
    return target


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------------------------
# Contract


def test_every_table_is_written_with_its_row_count(out: Path) -> None:
    manifest = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    rows = manifest["newsanno"]["rows"]
    assert list(rows) == list(TABLES)
    assert rows["documents"] == 2
    assert rows["mentions"] == 3 + 3
    assert rows["quotes"] == 1 + 3
    assert rows["claims"] == 1 + 2
    assert rows["event_arguments"] == 1 + 2
    assert rows["regions"] == 1
    for name, count in rows.items():
        assert pq.read_metadata(out / f"{name}.parquet").num_rows == count


def test_tables_follow_the_contract(out: Path) -> None:
    for name, columns in CONTRACT.items():
        schema = pq.read_schema(out / f"{name}.parquet")
        assert set(columns.split()) <= set(schema.names), name
    for name, spec in TABLES.items():
        schema = pq.read_schema(out / f"{name}.parquet")
        assert schema.equals(spec.schema, check_metadata=True), name
        assert b"pandas" not in (schema.metadata or {}), "no pandas index metadata"
        for f in schema:
            for t in _leaf_types(f.type):
                assert not pa.types.is_large_string(t), (name, f.name)
                assert not pa.types.is_unsigned_integer(t), (name, f.name)
                assert not pa.types.is_temporal(t), (name, f.name)
        assert "Unicode code points" in schema.metadata[b"newsanno.offsets"].decode()


def _leaf_types(t: pa.DataType) -> list[pa.DataType]:
    if pa.types.is_list(t):
        return _leaf_types(t.value_type)
    if pa.types.is_struct(t):
        return [leaf for f in t for leaf in _leaf_types(f.type)]
    return [t]


def test_article_texts_are_written_without_a_dictionary(out: Path) -> None:
    """Every text differs: a dictionary would only cost time. Short, repeated values get one."""
    meta = pq.ParquetFile(out / "documents.parquet").metadata
    names = meta.schema.names
    encodings = {
        name: meta.row_group(0).column(names.index(name)).encodings
        for name in ("text", "text_sha256", "language")
    }
    assert not any("DICTIONARY" in e for e in encodings["text"] + encodings["text_sha256"])
    assert any("DICTIONARY" in e for e in encodings["language"])


def test_offsets_are_code_points_and_end_exclusive(out: Path) -> None:
    docs = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    text = docs.loc["b2", "text"]
    assert text.index("🌍") < text.index("Jane Doe"), "astral characters precede the spans"
    for name in ("mentions", "regions", "claims", "event_mentions"):
        for row in pd.read_parquet(out / f"{name}.parquet").itertuples():
            assert docs.loc[row.doc_id, "text"][row.start : row.end] == row.text, name
    quotes = pq.read_table(out / "quotes.parquet").to_pylist()
    split = next(q for q in quotes if q["doc_id"] == "b2" and q["quote_id"] == "q1")
    assert [s["text"] for s in split["segments"]] == ["We will win,", "and soon."]
    assert split["text"] == "We will win, and soon."
    assert (split["start"], split["end"]) == (
        split["segments"][0]["start"],
        text.index("soon.") + 5,
    )
    assert text[split["cue_start"] : split["cue_end"]] == split["cue_text"] == "said Jane"


def test_dates_are_iso_strings_at_their_precision(out: Path) -> None:
    docs = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    assert docs.loc["b2", "published"] == "2025-06"
    assert docs.loc["a1", "published"] == "2025-06-11"
    quotes = pd.read_parquet(out / "quotes.parquet")
    assert "2025" in set(quotes["date"].dropna())


def test_rows_are_sorted_by_primary_key(out: Path) -> None:
    for name, spec in TABLES.items():
        rows = pq.read_table(out / f"{name}.parquet").to_pylist()
        keys = [tuple(r[k] for k in spec.primary_key) for r in rows]
        assert keys == sorted(keys), name
        assert len(set(keys)) == len(keys), f"{name}: primary key is unique"


def test_keys_hold_in_duckdb(out: Path) -> None:
    """Every foreign key of the manifest resolves, checked with SQL over the files."""
    con = duckdb.connect()
    for name in TABLES:
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM '{out / (name + '.parquet')}'")
    checked = 0
    for name, spec in TABLES.items():
        for fk in spec.foreign_keys:
            on = " AND ".join(
                f't."{c}" = r."{rc}"' for c, rc in zip(fk.columns, fk.ref_columns, strict=True)
            )
            present = " AND ".join(f't."{c}" IS NOT NULL' for c in fk.columns)
            first = f'r."{fk.ref_columns[0]}"'
            sql = f"SELECT count(*) FROM {name} t LEFT JOIN {fk.table} r ON {on} WHERE {present} AND {first} IS NULL"
            fetched = con.execute(sql).fetchone()
            assert fetched is not None and fetched[0] == 0, (name, fk)
            checked += 1
    assert checked >= 20


# --------------------------------------------------------------------------------------------
# Every reader


def test_pandas_reads_every_table_and_joins(out: Path) -> None:
    for backend in (None, "pyarrow"):
        kw: dict[str, Any] = {"dtype_backend": backend} if backend else {}
        quotes = pd.read_parquet(out / "quotes.parquet", **kw)
        entities = pd.read_parquet(out / "entities.parquet", **kw)
        assert len(quotes) == 4 and len(entities) == 2
        assert isinstance(quotes.index, pd.RangeIndex)
        joined = quotes.merge(entities, left_on="speaker_entity_id", right_on="entity_id")
        assert sorted(joined["name"].tolist()) == ["Acme Corp", "Jane Doe", "Jane Doe", "Jane Doe"]
        for name in TABLES:
            assert len(pd.read_parquet(out / f"{name}.parquet", **kw)) >= 0


def test_pyarrow_dataset_reads_and_joins(out: Path) -> None:
    quotes = pads.dataset(out / "quotes.parquet", format="parquet").to_table()
    entities = pads.dataset(out / "entities.parquet", format="parquet").to_table()
    assert quotes.num_rows == 4
    # Acero joins no list columns: select the flat ones first
    joined = quotes.select(["quote_id", "speaker_entity_id"]).join(
        entities.select(["entity_id", "name"]), "speaker_entity_id", "entity_id"
    )
    assert sorted(joined.column("name").to_pylist()) == ["Acme Corp", *["Jane Doe"] * 3]
    parts = pads.dataset(out, format="parquet", exclude_invalid_files=True)
    assert parts.count_rows() > 0


def test_duckdb_reads_and_joins(out: Path) -> None:
    rows = duckdb.sql(
        f"""SELECT q.quote_id, e.name, q."end" - q.start AS width
            FROM '{out / "quotes.parquet"}' q JOIN '{out / "entities.parquet"}' e
            ON q.speaker_entity_id = e.entity_id WHERE q.doc_id = 'b2' ORDER BY q.quote_id"""
    ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [
        ("q1", "Jane Doe"),
        ("q2", "Jane Doe"),
        ("q3", "Acme Corp"),
    ]
    assert duckdb.sql(f"SELECT count(*) FROM '{out / 'mentions.parquet'}'").fetchall() == [(6,)]


def test_polars_reads_and_joins(out: Path) -> None:
    claims = pl.read_parquet(out / "claims.parquet")
    quotes = pl.read_parquet(out / "quotes.parquet")
    assert claims.height == 3
    joined = claims.join(quotes, on=["doc_id", "quote_id"], how="inner", suffix="_quote")
    assert joined.select("claim_id", "text_quote").rows() == [
        ("c1", "We will win."),
        ("c2", "We will win, and soon."),
    ]
    assert claims.schema["checkworthy"] == pl.Boolean
    assert pl.read_parquet(out / "entities.parquet").schema["aliases"] == pl.List(pl.String)


# --------------------------------------------------------------------------------------------
# Manifest, checksums, card


def test_datapackage_is_valid_frictionless(out: Path) -> None:
    report = Package.validate_descriptor(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["message"])
    package = Package(str(out / "datapackage.json"))
    assert package.resource_names == list(TABLES)
    quotes = package.get_resource("quotes")
    assert quotes.schema.primary_key == ["doc_id", "quote_id"]
    assert {
        "fields": ["utterance_id"],
        "reference": {"resource": "utterances", "fields": ["utterance_id"]},
    } in quotes.schema.foreign_keys
    manifest = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert manifest["newsanno"]["schema_version"] == "1.0"
    assert manifest["licenses"][0]["name"] == "CC-BY-4.0"
    for resource in manifest["resources"]:
        digest = hashlib.sha256((out / resource["path"]).read_bytes()).hexdigest()
        assert resource["hash"] == f"sha256:{digest}"
        assert "bytes" not in resource  # frictionless counts no bytes of Parquet (see export.py)


def test_checksums_cover_every_file(out: Path) -> None:
    listed = {}
    for line in (out / "checksums.sha256").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ")
        listed[name] = digest
    files = files_of(out)
    assert set(listed) == set(files) - {"checksums.sha256"}
    for name, digest in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest
    assert export_module.verify_checksums(out) == []


def test_dataset_card_says_what_it_must(out: Path) -> None:
    card = (out / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\nlicense: cc-by-4.0\n")
    for needle in (
        "Unicode code points",
        "exclusive",
        "CC BY 4.0",
        "copyrighted by the outlets",
        'load_dataset("parquet", data_files=',
        "import duckdb",
        "import polars",
        "pd.read_parquet",
        "## Limitations",
        "## How it was made",
        "schema version 1.0",
    ):
        assert needle in card, needle
    for name in TABLES:
        assert f"### `{name}`" in card
    # the Hugging Face front matter names a config per table, pointing at files that exist
    front = YAML(typ="safe", pure=True).load(card.split("---\n")[1])
    assert front["license"] == "cc-by-4.0"
    configs = {c["config_name"]: c["data_files"] for c in front["configs"]}
    assert list(configs) == list(TABLES)
    assert all((out / f).is_file() for f in configs.values())


def test_dataset_card_snippets_run(out: Path) -> None:
    """The pandas, DuckDB and Polars snippets of the card run as written, in the export folder."""
    card = (out / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", card, flags=re.S)
    runnable = [b for b in blocks if "from datasets import" not in b]
    assert len(runnable) == 3
    with chdir(out):
        for block in runnable:
            namespace: dict[str, Any] = {}
            exec(compile(block, "README.md", "exec"), namespace)


# --------------------------------------------------------------------------------------------
# Deterministic and atomic


def test_export_twice_is_byte_identical(corpus_dir: Path, out: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    with chdir(corpus_dir):  # a different working directory changes nothing
        export_dataset(".", again)
    assert files_of(again) == files_of(out)


def test_failure_mid_export_keeps_the_previous_export(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "newsanno"
    export_dataset(MINIMAL, target)
    before = files_of(target)
    real = export_module._write_parquet
    calls: list[Path] = []

    def flaky(table: pa.Table, path: Path, name: str) -> None:
        calls.append(path)
        if len(calls) == 5:
            raise OSError("disk full")
        real(table, path, name)

    monkeypatch.setattr(export_module, "_write_parquet", flaky)
    with pytest.raises(OSError, match="disk full"):
        export_dataset(corpus_dir, target)
    assert len(calls) == 5
    assert files_of(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newsanno"], "no temporary left"


def test_failure_while_swapping_restores_the_previous_export(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "newsanno"
    export_dataset(MINIMAL, target)
    before = files_of(target)
    real = os.replace
    calls: list[tuple[str, str]] = []

    def flaky(src: Any, dst: Any) -> None:
        calls.append((str(src), str(dst)))
        if len(calls) == 2:  # old → backup worked; new → target fails
            raise OSError("rename failed")
        real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(OSError, match="rename failed"):
        export_dataset(corpus_dir, target)
    assert files_of(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newsanno"]


def test_replacing_an_export_leaves_no_backup(corpus_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "newsanno"
    export_dataset(MINIMAL, target)
    export_dataset(corpus_dir, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newsanno"]
    assert pq.read_metadata(target / "documents.parquet").num_rows == 2


def test_every_file_is_synced_to_disk_before_the_export_is_published(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A power cut after the rename must not leave empty files: fsync comes first."""
    target = tmp_path / "newsanno"
    events: list[str] = []
    real_fsync, real_replace, real_open = os.fsync, os.replace, os.open
    opened: dict[int, str] = {}

    def tracking_open(path: Any, flags: int, *args: Any) -> int:
        fd = real_open(path, flags, *args)
        opened[fd] = str(path)
        return fd

    def tracking_fsync(fd: int) -> None:
        events.append(f"fsync {opened.get(fd, '?')}")
        real_fsync(fd)

    def tracking_replace(src: Any, dst: Any) -> None:
        events.append(f"replace {dst}")
        real_replace(src, dst)

    monkeypatch.setattr(os, "open", tracking_open)
    monkeypatch.setattr(os, "fsync", tracking_fsync)
    monkeypatch.setattr(os, "replace", tracking_replace)
    export_dataset(corpus_dir, target)
    published = events.index(f"replace {target}")
    synced = {e.split(" ", 1)[1] for e in events[:published] if e.startswith("fsync ")}
    names = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    assert names and all(any(s.endswith(name) for s in synced) for name in names)
    assert events[published + 1 :] and events[published + 1] == f"fsync {tmp_path}"


def test_a_bulk_export_is_synced_and_checksummed_before_it_is_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers sync and hash their part files; the rest is synced by the parent; every
    checksum and datapackage hash is right, for part folders and for single files alike."""
    from newsanno.bench.synth import write_corpus
    from newsanno.engines.bulk import export_bulk
    from newsanno.engines.local import plan

    write_corpus(tmp_path / "in", 40, per_shard=40)
    for chunk_bytes, name in ((60_000, "parts"), (1 << 30, "single")):
        target = tmp_path / name
        events: list[str] = []
        real_fsync, real_replace, real_open = os.fsync, os.replace, os.open
        opened: dict[int, str] = {}

        def tracking_open(path: Any, flags: int, *args: Any) -> int:
            fd = real_open(path, flags, *args)  # noqa: B023 - used within this iteration
            opened[fd] = str(path)  # noqa: B023
            return fd

        def tracking_fsync(fd: int) -> None:
            events.append(f"fsync {opened.get(fd, '?')}")  # noqa: B023
            real_fsync(fd)  # noqa: B023

        def tracking_replace(src: Any, dst: Any) -> None:
            events.append(f"replace {dst}")  # noqa: B023
            real_replace(src, dst)  # noqa: B023

        with monkeypatch.context() as m:
            m.setattr(os, "open", tracking_open)
            m.setattr(os, "fsync", tracking_fsync)
            m.setattr(os, "replace", tracking_replace)
            result = export_bulk(plan([tmp_path / "in"]), target, chunk_bytes=chunk_bytes)
        assert result.written
        published = events.index(f"replace {target}")
        synced = [e.split(" ", 1)[1] for e in events[:published] if e.startswith("fsync ")]
        files = [p.relative_to(target) for p in target.rglob("*") if p.is_file()]
        parts = [f for f in files if f.name.startswith("part-")]
        assert (len(parts) > 7) == (name == "parts")
        for f in files:  # a renamed single file was synced under its part name
            assert any(s.endswith(f.as_posix()) or s.endswith("part-00000.parquet") for s in synced)
        assert export_module.verify_checksums(target) == []
        manifest = json.loads((target / "datapackage.json").read_text(encoding="utf-8"))
        for resource in manifest["resources"]:
            if isinstance(resource["path"], str):
                digest = hashlib.sha256((target / resource["path"]).read_bytes()).hexdigest()
                assert resource["hash"] == f"sha256:{digest}"


def test_refuses_to_replace_a_folder_that_is_not_an_export(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "thesis.tex").write_text("precious", encoding="utf-8")
    with pytest.raises(NewsannoError, match="not empty"):
        export_dataset(MINIMAL, target)
    assert [p.name for p in target.iterdir()] == ["thesis.tex"]


# --------------------------------------------------------------------------------------------
# The command


def test_cli_exports_and_prints_a_summary(corpus_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", str(corpus_dir), "--out", str(tmp_path / "ds")])
    assert result.exit_code == 0, result.output
    assert re.search(r"mentions\s+│\s+6", result.output)
    assert (
        "exported 12 tables" in result.output or f"exported {len(TABLES)} tables" in result.output
    )
    assert (tmp_path / "ds" / "datapackage.json").is_file()


def test_cli_refuses_an_invalid_corpus_and_writes_nothing(tmp_path: Path) -> None:
    case = CASES / "invalid" / "ambiguous-anchors"
    target = tmp_path / "dist" / "newsanno"
    result = CliRunner().invoke(main, ["export", str(case), "--out", str(target)])
    assert result.exit_code == 1
    assert "anchor-ambiguous" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "dist").exists()
    loaded, report = load_corpus(case)
    assert loaded is None and not report.valid


def test_cli_usage_error_exits_2_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("a file", encoding="utf-8")
    result = CliRunner().invoke(main, ["export", str(MINIMAL), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "not a folder" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
