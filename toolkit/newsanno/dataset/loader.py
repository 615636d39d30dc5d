"""Load an exported dataset: typed pandas DataFrames, the first joins, and the model back.

``load_dataset(path)`` reads every table of an export into a DataFrame with faithful dtypes
(pyarrow-backed by default: ints stay ints when null, lists and structs stay typed).
``dataset_to_corpus(path)`` turns the tables back into the validated model, the inverse of the
export: ``dataset_to_corpus(export_of(corpus))`` equals ``corpus``.

A table is ``<table>.parquet`` or a folder ``<table>/part-*.parquet``; both are read the same way.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from newsanno.dataset.tables import TABLES
from newsanno.model import (
    ARTICLE,
    Argument,
    Claim,
    CorpusFile,
    CorpusInfo,
    DocumentFile,
    DocumentMeta,
    Entity,
    Event,
    EventMention,
    FactCheck,
    Mention,
    Participant,
    Quote,
    Region,
    Span,
    Utterance,
)
from newsanno.model.corpus import Corpus, LoadedDocument
from newsanno.model.findings import NewsannoError

MANIFEST = "datapackage.json"
DtypeBackend = Literal["pyarrow", "numpy_nullable"]

_NULLABLE: dict[pa.DataType, Any] = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.float32(): pd.Float32Dtype(),
    pa.float64(): pd.Float64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
    pa.string(): pd.StringDtype(),
    pa.large_string(): pd.StringDtype(),
}


def _types_mapper(backend: DtypeBackend) -> Any:
    if backend == "pyarrow":
        return pd.ArrowDtype

    def mapper(t: pa.DataType) -> Any:
        # nested types have no numpy-nullable dtype; keep them Arrow-typed rather than objects
        return _NULLABLE.get(t, pd.ArrowDtype(t))

    return mapper


def table_files(folder: Path | str, name: str) -> list[Path]:
    """The Parquet file(s) of one table: ``<name>.parquet`` or ``<name>/part-*.parquet``."""
    root = Path(folder)
    single = root / f"{name}.parquet"
    if single.is_file():
        return [single]
    parts = sorted((root / name).glob("part-*.parquet")) if (root / name).is_dir() else []
    if not parts:
        raise NewsannoError(
            f"{root}: no table `{name}` (expected {name}.parquet or {name}/part-*.parquet)"
        )
    return parts


def read_table(folder: Path | str, name: str) -> pa.Table:
    """One table of an export as a pyarrow Table, part files concatenated in order."""
    tables = [pq.read_table(path) for path in table_files(folder, name)]
    table = tables[0] if len(tables) == 1 else pa.concat_tables(tables)
    spec = TABLES.get(name)
    if (
        spec is not None
        and table.schema.names == spec.schema.names
        and not table.schema.equals(spec.schema, check_metadata=True)
    ):
        # written by a writer that keeps no Arrow field metadata (Spark's): the documented schema
        table = table.cast(spec.schema)
    return table


def table_names(folder: Path | str) -> list[str]:
    """The tables of an export, in manifest order (or the registry order, without a manifest)."""
    root = Path(folder)
    manifest = root / MANIFEST
    if manifest.is_file():
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            rows = data.get("newsanno", {}).get("rows")  # tables; a resource may be a part
            return [str(n) for n in rows] if rows else [str(r["name"]) for r in data["resources"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise NewsannoError(f"{manifest}: not a valid datapackage.json ({exc})") from exc
    names = [n for n in TABLES if (root / f"{n}.parquet").is_file() or (root / n).is_dir()]
    if not names:
        raise NewsannoError(f"{root}: no newsanno export here (no datapackage.json, no tables)")
    return names


class Dataset(Mapping[str, pd.DataFrame]):
    """An export loaded into pandas: one DataFrame per table, by name, plus the first joins."""

    def __init__(self, path: Path, tables: dict[str, pd.DataFrame], manifest: dict[str, Any]):
        self.path = path
        self.tables = tables
        self.manifest = manifest

    def __getitem__(self, name: str) -> pd.DataFrame:
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(f"no table {name!r}; tables: {', '.join(self.tables)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v)}" for k, v in self.tables.items())
        return f"Dataset({str(self.path)!r}: {sizes})"

    # the core tables, for completion in editors
    @property
    def corpus(self) -> pd.DataFrame:
        return self["corpus"]

    @property
    def documents(self) -> pd.DataFrame:
        return self["documents"]

    @property
    def entities(self) -> pd.DataFrame:
        return self["entities"]

    @property
    def utterances(self) -> pd.DataFrame:
        return self["utterances"]

    @property
    def events(self) -> pd.DataFrame:
        return self["events"]

    @property
    def event_participants(self) -> pd.DataFrame:
        return self["event_participants"]

    @property
    def regions(self) -> pd.DataFrame:
        return self["regions"]

    @property
    def mentions(self) -> pd.DataFrame:
        return self["mentions"]

    @property
    def quotes(self) -> pd.DataFrame:
        return self["quotes"]

    @property
    def claims(self) -> pd.DataFrame:
        return self["claims"]

    @property
    def event_mentions(self) -> pd.DataFrame:
        return self["event_mentions"]

    @property
    def event_arguments(self) -> pd.DataFrame:
        return self["event_arguments"]

    # the first joins

    def _names(self, key: str, prefix: str) -> pd.DataFrame:
        cols = {"entity_id": key, "name": f"{prefix}_name", "entity_type": f"{prefix}_type"}
        return self.entities[list(cols)].rename(columns=cols)

    def quotes_with_speakers(self) -> pd.DataFrame:
        """Quotes with the speaker's name and type, the utterance reported, and the outlet."""
        utterances = self.utterances[
            ["utterance_id", "speaker_entity_id", "channel", "platform_entity_id", "date"]
        ].rename(columns=lambda c: c if c == "utterance_id" else f"utterance_{c}")
        docs = self.documents[["doc_id", "outlet", "published"]]
        return (
            self.quotes.merge(self._names("speaker_entity_id", "speaker"), "left")
            .merge(utterances, "left", on="utterance_id")
            .merge(docs, "left", on="doc_id")
        )

    def claims_with_claimants(self) -> pd.DataFrame:
        """Claims with the claimant's name and the quote that carries the claim (if any)."""
        quotes = self.quotes[
            ["doc_id", "quote_id", "quote_type", "text", "speaker_entity_id", "utterance_id"]
        ].rename(columns={"text": "quote_text", "speaker_entity_id": "quote_speaker_entity_id"})
        return self.claims.merge(self._names("claimant_entity_id", "claimant"), "left").merge(
            quotes, "left", on=["doc_id", "quote_id"]
        )

    def event_mentions_with_arguments(self) -> pd.DataFrame:
        """One row per argument of each event mention (or one row for a mention without any),
        with the world event and the argument's name."""
        events = self.events[["event_id", "event_type", "date", "location_entity_id"]].rename(
            columns={"date": "event_date"}
        )
        arguments = self.event_arguments[
            ["doc_id", "event_mention_id", "ordinal", "role", "entity_id", "mention_id"]
        ].rename(columns={"ordinal": "argument_ordinal", "mention_id": "argument_mention_id"})
        return (
            self.event_mentions.merge(events, "left", on="event_id")
            .merge(arguments, "left", on=["doc_id", "event_mention_id"])
            .merge(self._names("entity_id", "argument"), "left", on="entity_id")
        )


def load_dataset(
    path: Path | str,
    *,
    dtype_backend: DtypeBackend = "pyarrow",
    tables: list[str] | None = None,
) -> Dataset:
    """Read an export into pandas, one DataFrame per table.

    ``dtype_backend="pyarrow"`` (default) gives ``pd.ArrowDtype`` columns throughout;
    ``"numpy_nullable"`` gives ``Int64``, ``string`` and ``boolean`` columns, with list and struct
    columns still Arrow-typed. Either way, no column is a bag of Python objects.
    """
    root = Path(path)
    if not root.is_dir():
        raise NewsannoError(f"{root}: no such folder (export one with `newsanno export`)")
    manifest: dict[str, Any] = {}
    if (root / MANIFEST).is_file():
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    mapper = _types_mapper(dtype_backend)
    frames = {
        name: read_table(root, name).to_pandas(types_mapper=mapper)
        for name in (tables or table_names(root))
    }
    return Dataset(root, frames, manifest)


# --------------------------------------------------------------------------------------------
# Back to the model


def _rows(ds: Dataset, name: str) -> list[dict[str, Any]]:
    """A table's rows as plain Python values, cast through its registered Arrow schema."""
    table = pa.Table.from_pandas(ds[name], schema=TABLES[name].schema, preserve_index=False)
    return sorted(table.to_pylist(), key=lambda r: r.get("ordinal", 0))


def _span(row: dict[str, Any], prefix: str = "") -> Span:
    return Span(text=row[f"{prefix}text"], start=row[f"{prefix}start"], end=row[f"{prefix}end"])


def _by(rows: list[dict[str, Any]], *keys: str) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    out: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        out[tuple(row[k] for k in keys)].append(row)
    return out


def dataset_to_corpus(source: Path | str | Dataset) -> Corpus:
    """Rebuild the validated corpus from an export (the inverse of the export).

    Goes through the pandas frames of :func:`load_dataset`, so equality with the original corpus
    also proves that the frames lose nothing.
    """
    ds = source if isinstance(source, Dataset) else load_dataset(source)
    (info,) = _rows(ds, "corpus")
    participants = _by(_rows(ds, "event_participants"), "event_id")
    world = CorpusFile(
        schema_version=info["schema_version"],
        corpus=CorpusInfo(
            id=info["corpus_id"],
            title=info["title"],
            description=info["description"],
            language=info["language"],
            license=info["license"],
            note=info["note"],
        ),
        entities=[
            Entity(
                id=r["entity_id"],
                type=r["entity_type"],
                name=r["name"],
                aliases=r["aliases"],
                wikidata=r["wikidata_id"],
                description=r["description"],
                note=r["note"],
            )
            for r in _rows(ds, "entities")
        ],
        events=[
            Event(
                id=r["event_id"],
                type=r["event_type"],
                date=r["date"],
                place=r["location_entity_id"],
                participants=[
                    Participant(role=p["role"], entity=p["entity_id"])
                    for p in participants.get((r["event_id"],), [])
                ],
                description=r["description"],
                note=r["note"],
            )
            for r in _rows(ds, "events")
        ],
        utterances=[
            Utterance(
                id=r["utterance_id"],
                speaker=r["speaker_entity_id"],
                channel=r["channel"],
                platform=r["platform_entity_id"],
                date=r["date"],
                addressee=r["addressee_entity_id"],
                place=r["place_entity_id"],
                description=r["description"],
                note=r["note"],
            )
            for r in _rows(ds, "utterances")
        ],
    )
    layers = {
        name: _by(_rows(ds, name), "doc_id")
        for name in ("regions", "mentions", "quotes", "claims", "event_mentions")
    }
    arguments = _by(_rows(ds, "event_arguments"), "doc_id", "event_mention_id")
    documents = []
    for d in sorted(_rows(ds, "documents"), key=lambda r: r["doc_id"]):
        key = (d["doc_id"],)
        model = DocumentFile(
            schema_version=info["schema_version"],
            doc_id=d["doc_id"],
            text_path=d["text_path"],
            text=d["text"] if d["text_path"] is None else None,
            text_sha256=d["text_sha256"],
            metadata=DocumentMeta(
                outlet=d["outlet"],
                title=d["title"],
                published=d["published"],
                language=d["language"],
                url=d["url"],
                source=d["source"],
                note=d["note"],
            ),
            regions=[
                Region(id=r["region_id"], span=_span(r), kind=r["region_type"], note=r["note"])
                for r in layers["regions"].get(key, [])
            ],
            mentions=[
                Mention(
                    id=r["mention_id"],
                    span=_span(r),
                    entity=r["entity_id"],
                    kind=r["mention_type"],
                    note=r["note"],
                )
                for r in layers["mentions"].get(key, [])
            ],
            quotes=[quote_from_row(r) for r in layers["quotes"].get(key, [])],
            claims=[
                Claim(
                    id=r["claim_id"],
                    span=_span(r),
                    claimant=ARTICLE
                    if r["claimant_kind"] == "article"
                    else r["claimant_entity_id"],
                    quote=r["quote_id"],
                    type=r["claim_type"],
                    checkworthy=r["checkworthy"],
                    statement=r["statement"],
                    fact_check=FactCheck(
                        url=r["fact_check_url"],
                        fact_checker=r["fact_checker"],
                        rating=r["fact_check_rating"],
                    )
                    if r.get("fact_check_url") is not None
                    else None,
                    note=r["note"],
                )
                for r in layers["claims"].get(key, [])
            ],
            event_mentions=[
                EventMention(
                    id=r["event_mention_id"],
                    trigger=_span(r),
                    event=r["event_id"],
                    realis=r["realis"],
                    arguments=[
                        Argument(role=a["role"], entity=a["entity_id"], mention=a["mention_id"])
                        for a in arguments.get((d["doc_id"], r["event_mention_id"]), [])
                    ],
                    note=r["note"],
                )
                for r in layers["event_mentions"].get(key, [])
            ],
        )
        documents.append(
            LoadedDocument(model, d["text"], d["annotation_file"], d["annotation_line"])
        )
    return Corpus(world, documents, None)


def quote_from_row(r: dict[str, Any]) -> Quote:
    """A quote of the model from a row of the ``quotes`` table."""
    cue = _span(r, "cue_") if r["cue_start"] is not None else None
    return Quote(
        id=r["quote_id"],
        type=r["quote_type"],
        content=[Span(text=s["text"], start=s["start"], end=s["end"]) for s in r["segments"]],
        cue=cue,
        speaker=r["speaker_entity_id"],
        speaker_mention=r["speaker_mention_id"],
        addressee=r["addressee_entity_id"],
        channel=r["channel"],
        platform=r["platform_entity_id"],
        date=r["date"],
        utterance=r["utterance_id"],
        nested_in=r["nested_in_quote_id"],
        note=r["note"],
    )
