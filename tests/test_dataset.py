"""Loading an export: typed frames, the first joins, part files, and the lossless round trip."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import newsanno
from newsanno import dataset_to_corpus, export_dataset, load_corpus, load_dataset
from newsanno.dataset.loader import Dataset, read_table
from newsanno.dataset.tables import TABLES
from newsanno.dataset.write import write_dataset
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
    Mention,
    Participant,
    Quote,
    Region,
    Span,
    Utterance,
)
from newsanno.model.corpus import Corpus, LoadedDocument
from newsanno.model.findings import NewsannoError
from newsanno.model.ontology import load_ontology

from .conftest import ANNOTATIONS, MINIMAL
from .corpora import assert_same_corpus, rich_corpus


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rich_corpus(tmp_path_factory.mktemp("rich"))


@pytest.fixture(scope="module")
def out(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("export") / "newsanno"
    assert export_dataset(corpus_dir, target).written
    return target


@pytest.fixture(scope="module")
def ds(out: Path) -> Dataset:
    return load_dataset(out)


def test_public_api() -> None:
    assert callable(newsanno.export_dataset) and callable(newsanno.load_dataset)
    assert {"export_dataset", "load_dataset", "dataset_to_corpus", "Dataset"} <= set(
        newsanno.__all__
    )


def test_one_frame_per_table(ds: Dataset) -> None:
    assert list(ds) == list(TABLES)
    assert len(ds.documents) == 2 and len(ds.quotes) == 4 and len(ds.event_arguments) == 3
    assert ds["mentions"] is ds.mentions
    with pytest.raises(KeyError, match="no table 'nope'"):
        ds["nope"]


def test_pyarrow_dtypes_are_faithful(ds: Dataset) -> None:
    for name, frame in ds.items():
        assert not any(map(pd.api.types.is_object_dtype, frame.dtypes)), name
        assert isinstance(frame.index, pd.RangeIndex)
    quotes = ds.quotes
    assert quotes["cue_start"].dtype == pd.ArrowDtype(pa.int64())
    assert quotes["cue_start"].isna().sum() == 2, "nullable ints stay ints"
    assert quotes["quote_id"].dtype == pd.ArrowDtype(pa.string())
    assert pa.types.is_list(quotes["segments"].dtype.pyarrow_dtype)
    assert ds.claims["checkworthy"].dtype == pd.ArrowDtype(pa.bool_())
    assert ds.entities["aliases"].dtype == pd.ArrowDtype(
        pa.list_(pa.field("element", pa.string(), nullable=False))
    )


def test_numpy_nullable_dtypes(out: Path) -> None:
    ds = load_dataset(out, dtype_backend="numpy_nullable")
    quotes = ds.quotes
    assert quotes["cue_start"].dtype == pd.Int64Dtype()
    assert quotes["quote_id"].dtype == pd.StringDtype()
    assert ds.claims["checkworthy"].dtype == pd.BooleanDtype()
    assert isinstance(quotes["segments"].dtype, pd.ArrowDtype), "lists stay typed"
    for name, frame in ds.items():
        assert not any(map(pd.api.types.is_object_dtype, frame.dtypes)), name
    assert_same_corpus(dataset_to_corpus(ds), dataset_to_corpus(out))


def test_quotes_with_speakers(ds: Dataset) -> None:
    q = ds.quotes_with_speakers()
    assert len(q) == len(ds.quotes)
    row = q[(q.doc_id == "b2") & (q.quote_id == "q1")].iloc[0]
    assert row["speaker_name"] == "Jane Doe"
    assert row["utterance_channel"] == "press_remarks"
    assert row["utterance_date"] == "2025-06-11"
    assert row["outlet"] == "acme"
    # the same utterance is quoted in both documents
    assert sorted(q[q.utterance_id == "u_win"]["doc_id"]) == ["a1", "b2"]


def test_claims_with_claimants(ds: Dataset) -> None:
    c = ds.claims_with_claimants().set_index(["doc_id", "claim_id"])
    assert len(c) == len(ds.claims)
    assert c.loc[("b2", "c1"), "claimant_kind"] == "article"
    assert pd.isna(c.loc[("b2", "c1"), "claimant_name"])
    assert c.loc[("b2", "c2"), "claimant_name"] == "Jane Doe"
    assert c.loc[("b2", "c2"), "quote_text"] == "We will win, and soon."


def test_event_mentions_with_arguments(ds: Dataset) -> None:
    e = ds.event_mentions_with_arguments()
    # one row per argument, plus one for the mention without arguments (b2/ev2)
    assert len(e) == len(ds.event_arguments) + 1
    b2 = e[(e.doc_id == "b2") & (e.event_mention_id == "ev1")]
    assert list(b2["argument_name"]) == ["Jane Doe", "Acme Corp"]
    assert set(e["event_type"]) == {"Contact.Broadcast"}
    assert e[e.event_mention_id == "ev2"]["role"].isna().all()


def test_part_files_load_like_single_files(corpus_dir: Path, out: Path, tmp_path: Path) -> None:
    loaded, _ = load_corpus(corpus_dir)
    assert loaded is not None
    parted = tmp_path / "parted"
    infos = write_dataset(loaded, parted, rows_per_part=2)
    assert {i.name for i in infos if len(i.files) > 1} >= {"mentions", "quotes", "claims"}
    assert (parted / "mentions" / "part-00000.parquet").is_file()
    assert not (parted / "mentions.parquet").exists()
    for name in TABLES:
        assert read_table(parted, name).equals(read_table(out, name)), name
    assert_same_corpus(dataset_to_corpus(parted), loaded)
    glob = str(parted / "mentions" / "*.parquet")
    assert duckdb.sql(f"SELECT count(*) FROM '{glob}'").fetchall() == [(6,)]
    assert pl.read_parquet(glob).height == 6
    assert len(pd.read_parquet(parted / "mentions")) == 6


def test_missing_folder_or_table_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NewsannoError, match="no such folder"):
        load_dataset(tmp_path / "nothing")
    with pytest.raises(NewsannoError, match="no newsanno export"):
        load_dataset(tmp_path)
    with pytest.raises(NewsannoError, match=r"expected quotes.parquet or quotes/part-\*.parquet"):
        read_table(tmp_path, "quotes")


# --------------------------------------------------------------------------------------------
# Lossless round trip


def test_round_trip_minimal(tmp_path: Path) -> None:
    original, _ = load_corpus(MINIMAL)
    assert original is not None
    export_dataset(MINIMAL, tmp_path / "ds")
    assert_same_corpus(dataset_to_corpus(tmp_path / "ds"), original)


def test_round_trip_rich(corpus_dir: Path, out: Path) -> None:
    original, _ = load_corpus(corpus_dir)
    assert original is not None
    back = dataset_to_corpus(out)
    assert_same_corpus(back, original)
    assert [d.file for d in back.documents] == ["documents/a1.yaml", "documents/b2.json"]


def test_round_trip_seed_corpus(tmp_path: Path) -> None:
    original, report = load_corpus(ANNOTATIONS)
    if original is None:
        pytest.skip(f"annotations/ does not validate yet ({len(report.errors)} errors)")
    assert export_dataset(ANNOTATIONS, tmp_path / "ds").written
    assert_same_corpus(dataset_to_corpus(tmp_path / "ds"), original)


_O = load_ontology()
IDS = st.from_regex(r"[A-Za-z][A-Za-z0-9_.-]{0,6}", fullmatch=True).filter(lambda s: s != ARTICLE)
NAMES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
OPT_TEXT = st.none() | st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
DATES = st.tuples(
    st.integers(1000, 2100), st.integers(1, 12), st.integers(1, 28), st.integers(1, 3)
).map(lambda t: "-".join([f"{t[0]:04d}", f"{t[1]:02d}", f"{t[2]:02d}"][: t[3]]))
OPT_ID = st.none() | IDS
OPT_DATE = st.none() | DATES


@st.composite
def spans(draw: st.DrawFn, text: str) -> Span:
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return Span(text=text[start:end], start=start, end=end)


@st.composite
def documents(draw: st.DrawFn, doc_id: str) -> LoadedDocument:
    text = draw(
        st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40)
    )
    inline = draw(st.booleans())
    ids = draw(st.lists(IDS, unique=True, min_size=12, max_size=12))

    def few(make: st.SearchStrategy[object], n: int = 2) -> list[object]:
        return draw(st.lists(make, max_size=n))

    mentions = [
        Mention(
            id=ids[i],
            span=draw(spans(text)),
            entity=draw(IDS),
            kind=draw(st.sampled_from(_O.mention_kinds)),
            note=draw(OPT_TEXT),
        )
        for i in range(draw(st.integers(0, 3)))
    ]
    regions = [
        Region(
            id=ids[3 + i],
            span=draw(spans(text)),
            kind=draw(st.sampled_from(_O.region_kinds)),
            note=draw(OPT_TEXT),
        )
        for i in range(draw(st.integers(0, 1)))
    ]
    quotes = [
        Quote(
            id=ids[4 + i],
            type=draw(st.sampled_from(_O.quote_types)),
            content=draw(st.lists(spans(text), min_size=1, max_size=3)),
            cue=draw(st.none() | spans(text)),
            speaker=draw(OPT_ID),
            speaker_mention=draw(OPT_ID),
            addressee=draw(OPT_ID),
            channel=draw(st.none() | st.sampled_from(_O.channels)),
            platform=draw(OPT_ID),
            date=draw(OPT_DATE),
            utterance=draw(OPT_ID),
            nested_in=draw(OPT_ID),
            note=draw(OPT_TEXT),
        )
        for i in range(draw(st.integers(0, 2)))
    ]
    claims = [
        Claim(
            id=ids[6 + i],
            span=draw(spans(text)),
            claimant=draw(st.just(ARTICLE) | IDS),
            quote=draw(OPT_ID),
            type=draw(st.sampled_from(_O.claim_types)),
            checkworthy=draw(st.booleans()),
            statement=draw(NAMES),
            note=draw(OPT_TEXT),
        )
        for i in range(draw(st.integers(0, 2)))
    ]
    event_mentions = [
        EventMention(
            id=ids[8 + i],
            trigger=draw(spans(text)),
            event=draw(IDS),
            realis=draw(st.sampled_from(_O.realis)),
            arguments=few(st.builds(Argument, role=NAMES, entity=IDS, mention=OPT_ID), 3),  # type: ignore[arg-type]
            note=draw(OPT_TEXT),
        )
        for i in range(draw(st.integers(0, 2)))
    ]
    model = DocumentFile(
        schema_version="1.0",
        doc_id=doc_id,
        text=text if inline else None,
        text_path=None if inline else f"texts/{doc_id}.txt",
        text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        metadata=DocumentMeta(
            outlet=draw(OPT_ID),
            title=draw(OPT_TEXT),
            published=draw(OPT_DATE),
            language=draw(st.sampled_from(["en", "de", "pt-BR"])),
            url=draw(st.none() | st.just("https://example.org/a")),
            source=draw(OPT_TEXT),
            note=draw(OPT_TEXT),
        ),
        regions=regions,
        mentions=mentions,
        quotes=quotes,
        claims=claims,
        event_mentions=event_mentions,
    )
    line = draw(st.integers(1, 5))
    return LoadedDocument(model, text, f"documents/{doc_id}.yaml", line)


@st.composite
def corpora(draw: st.DrawFn) -> Corpus:
    ids = draw(st.lists(IDS, unique=True, min_size=8, max_size=8))
    entities = [
        Entity(
            id=ids[i],
            type=draw(st.sampled_from(_O.entity_types)),
            name=draw(NAMES),
            aliases=draw(st.lists(NAMES, max_size=3)),
            wikidata=draw(st.none() | st.integers(1, 10**8).map(lambda n: f"Q{n}")),
            description=draw(OPT_TEXT),
            note=draw(OPT_TEXT),
        )
        for i in range(draw(st.integers(0, 3)))
    ]
    events = []
    for i in range(draw(st.integers(0, 2))):
        event_type = draw(st.sampled_from(_O.event_types))
        roles = st.sampled_from(_O.roles_for(event_type))
        events.append(
            Event(
                id=ids[3 + i],
                type=event_type,
                date=draw(OPT_DATE),
                place=draw(OPT_ID),
                participants=draw(
                    st.lists(st.builds(Participant, role=roles, entity=IDS), max_size=3)
                ),
                description=draw(OPT_TEXT),
                note=draw(OPT_TEXT),
            )
        )
    utterances = [
        Utterance(
            id=ids[5 + i],
            speaker=draw(OPT_ID),
            channel=draw(st.sampled_from(_O.channels)),
            platform=draw(OPT_ID),
            date=draw(OPT_DATE),
            addressee=draw(OPT_ID),
            place=draw(OPT_ID),
            description=draw(OPT_TEXT),
            note=draw(OPT_TEXT),
        )
        for i in range(draw(st.integers(0, 2)))
    ]
    world = CorpusFile(
        schema_version="1.0",
        corpus=CorpusInfo(
            id=draw(st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,8}", fullmatch=True)),
            title=draw(NAMES),
            description=draw(OPT_TEXT),
            language="en",
            license=draw(st.none() | st.just("CC-BY-4.0")),
            note=draw(OPT_TEXT),
        ),
        entities=entities,
        events=events,
        utterances=utterances,
    )
    doc_ids = draw(
        st.lists(st.from_regex(r"[a-z0-9]{1,6}", fullmatch=True), unique=True, max_size=3)
    )
    docs = sorted((draw(documents(d)) for d in doc_ids), key=lambda d: d.model.doc_id)
    return Corpus(world, docs, None)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(corpora(), st.sampled_from([None, 1, 3]))
def test_round_trip_is_lossless_for_generated_corpora(
    corpus: Corpus, rows_per_part: int | None
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        write_dataset(corpus, Path(tmp) / "ds", rows_per_part=rows_per_part)
        assert_same_corpus(dataset_to_corpus(Path(tmp) / "ds"), corpus, files=True)
