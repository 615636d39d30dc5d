"""The columnar first tier: it may flag a clean document, never accept one the full validator
reports anything on.

Every document it accepts must be one the full validator passes without a finding, with the
export rows the serial export (:mod:`newsanno.dataset.tables`, from the model) gives it. The
mutations here keep every JSON type, so the block still reads and the columnar checks, not the
reader, must catch them.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.dataset as pads
import pytest

from newsanno.bench.synth import Mix, make_document, make_world
from newsanno.dataset.tables import TABLES
from newsanno.engines.bulk import export_bulk, run_bulk
from newsanno.engines.local import plan
from newsanno.read.lines import line_shapes
from newsanno.rules.checks import World
from newsanno.rules.columnar import DOCUMENT_TABLES, ColumnarChecker

Doc = dict[str, Any]
SYNTH = make_world()


def _pick(rng: random.Random, doc: Doc, layer: str) -> Doc | None:
    items = doc.get(layer) or []
    return rng.choice(items) if items else None


def _span_of(item: Doc) -> Doc:
    span: Doc = item.get("span") or item.get("trigger") or item["content"][0]
    return span


def _set(layer: str, key: str, value: Callable[[random.Random, Doc], Any]) -> Callable[..., None]:
    def mutate(rng: random.Random, doc: Doc, world: World) -> None:
        item = _pick(rng, doc, layer)
        if item is not None:
            item[key] = value(rng, doc)

    return mutate


def _span(change: Callable[[random.Random, Doc], None]) -> Callable[..., None]:
    def mutate(rng: random.Random, doc: Doc, world: World) -> None:
        layer = rng.choice(["regions", "mentions", "quotes", "claims", "event_mentions"])
        item = _pick(rng, doc, layer)
        if item is not None:
            change(rng, _span_of(item))

    return mutate


def _any_id(rng: random.Random, doc: Doc) -> str:
    layer = rng.choice(["regions", "mentions", "quotes", "claims", "event_mentions"])
    item = _pick(rng, doc, layer)
    return item["id"] if item else "x1"


def _entity(world: World) -> Callable[[random.Random, Doc], str]:
    ids = sorted(world.entities)
    return lambda rng, doc: rng.choice([*ids, "nobody", "ev_000", "article"])


def _append_copy(layer: str, new_id: bool) -> Callable[..., None]:
    def mutate(rng: random.Random, doc: Doc, world: World) -> None:
        item = _pick(rng, doc, layer)
        if item is not None:
            twin = copy.deepcopy(item)
            if new_id:
                twin["id"] = "zz9"
            doc[layer].insert(rng.randrange(len(doc[layer]) + 1), twin)

    return mutate


def _quote_key(key: str, values: list[Any]) -> Callable[..., None]:
    def mutate(rng: random.Random, doc: Doc, world: World) -> None:
        item = _pick(rng, doc, "quotes")
        if item is not None:
            item[key] = rng.choice(values)

    return mutate


MIX = Mix(nested=0.4, offsets_only=0.3)
"""Nested quotes and spans by offsets alone: the tier takes them too."""


def _mutations(world: World) -> dict[str, Callable[..., None]]:
    entity = _entity(world)
    utterances = sorted(world.utterances)
    return {
        "start": _span(lambda r, s: s.update(start=s["start"] + r.choice([-1, 1, -(10**6)]))),
        "end": _span(lambda r, s: s.update(end=s["end"] + r.choice([-1, 1, 10**6]))),
        "empty": _span(lambda r, s: s.update(end=s["start"])),
        "span-text": _span(
            lambda r, s: s.update(text=r.choice(["x", (s.get("text") or "") + " ", "é"]))
        ),
        "span-text-gone": _span(lambda r, s: s.pop("text")),
        "span-text-null": _span(lambda r, s: s.update(text=None)),
        "span-null": _set("mentions", "span", lambda r, d: None),
        "region-kind": _set("regions", "kind", lambda r, d: r.choice(["body", "heading", "x"])),
        "mention-entity": _set("mentions", "entity", entity),
        "mention-kind": _set("mentions", "kind", lambda r, d: r.choice(["name", "proper"])),
        "mention-id": _set("mentions", "id", lambda r, d: r.choice(["1x", "a b", "é", ""])),
        "dup-id": _set("claims", "id", _any_id),
        "dup-id-2": _set("event_mentions", "id", _any_id),
        "dup-mention": _append_copy("mentions", True),
        "dup-region": _append_copy("regions", True),
        "dup-quote": _append_copy("quotes", True),
        "dup-claim": _append_copy("claims", True),
        "dup-event": _append_copy("event_mentions", True),
        "same-span-other-entity": lambda r, d, w: d["mentions"].append(
            {**copy.deepcopy(d["mentions"][0]), "id": "zz8", "entity": "per_001"}
        ),
        "quote-type": _quote_key("type", ["direct", "indirect", "partial"]),
        "speaker": _quote_key("speaker", [*sorted(world.entities)[:6], "nobody", None]),
        "speaker-mention": lambda r, d, w: _set(
            "quotes", "speaker_mention", lambda r2, d2: r2.choice(d2["mentions"])["id"]
        )(r, d, w),
        "speaker-mention-dangling": _quote_key("speaker_mention", ["m9999"]),
        "addressee": _quote_key("addressee", [*sorted(world.entities)[:6], "nobody"]),
        "platform": _quote_key("platform", [*sorted(world.entities)[:6]]),
        "channel": _quote_key("channel", ["statement", "interview", "testimony", "tv", None]),
        "quote-date": _quote_key("date", ["2025", "2025-06-11", "2025-02-30", "2024-06", "June"]),
        "utterance": _quote_key("utterance", [*utterances[:4], "u_none", None]),
        "nested": lambda r, d, w: d["quotes"][-1].update(nested_in=d["quotes"][0]["id"]),
        "nested-any": lambda r, d, w: r.choice(d["quotes"]).update(
            nested_in=r.choice([*(q["id"] for q in d["quotes"]), "m1", "q999", None])
        ),
        "nested-self": lambda r, d, w: d["quotes"][0].update(nested_in=d["quotes"][0]["id"]),
        "content-empty": _quote_key("content", [[]]),
        "cue-off": lambda r, d, w: [
            q["cue"].update(end=q["cue"]["end"] + 1) for q in d["quotes"][:1] if q.get("cue")
        ],
        "cue-null": _quote_key("cue", [None]),
        "claimant": _set("claims", "claimant", entity),
        "claim-quote": _set("claims", "quote", lambda r, d: r.choice([_any_id(r, d), "q999"])),
        "claim-type": _set("claims", "type", lambda r, d: r.choice(["factual", "opinion"])),
        "statement": _set("claims", "statement", lambda r, d: ""),
        "checkworthy-null": _set("claims", "checkworthy", lambda r, d: None),
        "event": _set("event_mentions", "event", lambda r, d: r.choice([*w_events(d), "nope"])),
        "realis": _set("event_mentions", "realis", lambda r, d: r.choice(["actual", "x"])),
        "role": lambda r, d, w: [
            a.update(role=r.choice(["Agent", "Pilot", "Victim", "Place"]))
            for em in d["event_mentions"][:1]
            for a in em.get("arguments", [])[:1]
        ],
        "arg-entity": lambda r, d, w: [
            a.update(entity=entity(r, d))
            for em in d["event_mentions"][:1]
            for a in em.get("arguments", [])[:1]
        ],
        "arg-mention": lambda r, d, w: [
            a.update(mention=r.choice(d["mentions"])["id"])
            for em in d["event_mentions"][:1]
            for a in em.get("arguments", [])[:1]
        ],
        "fact-check": _set(
            "claims",
            "fact_check",
            lambda r, d: r.choice(
                [
                    {
                        "url": "https://fact.example/c/1",
                        "fact_checker": "PolitiFact",
                        "rating": "False",
                    },
                    {"url": "not a url", "fact_checker": "PolitiFact", "rating": "False"},
                    {
                        "url": "https://fact.example/c/2",
                        "fact_checker": "",
                        "rating": "Mostly true",
                    },
                    {"url": "https://fact.example/c/3", "fact_checker": "AFP"},
                    {"url": None, "fact_checker": "AFP", "rating": "False"},
                ]
            ),
        ),
        "arg-twice": lambda r, d, w: [
            em["arguments"].append(dict(em["arguments"][0]))
            for em in d["event_mentions"][:1]
            if em.get("arguments")
        ],
        "arguments-null": lambda r, d, w: [em.update(arguments=None) for em in d["event_mentions"]],
        "arguments-gone": lambda r, d, w: [em.pop("arguments", None) for em in d["event_mentions"]],
        "layer-null": lambda r, d, w: d.update({r.choice(["regions", "claims"]): None}),
        "layer-gone": lambda r, d, w: d.pop(r.choice(["regions", "claims", "event_mentions"])),
        "layer-null-item": lambda r, d, w: d["mentions"].append(None),
        "doc-id": lambda r, d, w: d.update(doc_id=r.choice(["-x", "a/b", "ok.1"])),
        "sha": lambda r, d, w: d.update(text_sha256="0" * 64),
        "version": lambda r, d, w: d.update(schema_version="2.0"),
        "language": lambda r, d, w: d["metadata"].update(language=r.choice(["EN", "en-GB", "e"])),
        "outlet": lambda r, d, w: d["metadata"].update(outlet=entity(r, d)),
        "published": lambda r, d, w: d["metadata"].update(
            published=r.choice(["2025-02-29", "2024-02-29", "2025-13", None])
        ),
        "url": lambda r, d, w: d["metadata"].update(
            url=r.choice(["not a url", "https://x.y/", None])
        ),
        "meta-null": lambda r, d, w: d.update(metadata=None),
        "text-quotes": lambda r, d, w: _retext(d, d["text"] + ' "unquoted words" '),
        "text-name": lambda r, d, w: _retext(d, d["text"] + " " + r.choice(_names(w)) + "."),
        "note-null": _set("mentions", "note", lambda r, d: None),
        # a field that must be given, given as null; an id that does not fit the id pattern
        "mention-entity-null": _set("mentions", "entity", lambda r, d: None),
        "claimant-null": _set("claims", "claimant", lambda r, d: None),
        "event-null": _set("event_mentions", "event", lambda r, d: None),
        "arg-null": lambda r, d, w: [
            a.update({r.choice(["role", "entity"]): None})
            for em in d["event_mentions"][:1]
            for a in em.get("arguments", [])[:1]
        ],
        "ref-not-an-id": _set("mentions", "entity", lambda r, d: r.choice(["a b", "1x", "é"])),
        "quote-ref-not-an-id": _quote_key("speaker_mention", ["m 1", "-x"]),
    }


def w_events(doc: Doc) -> list[str]:
    return sorted({em["event"] for em in doc["event_mentions"]})


def _names(world: World) -> list[str]:
    return sorted(name for e in world.entities.values() for name in [e.name, *e.aliases])


def _retext(doc: Doc, text: str) -> None:
    import hashlib

    doc["text"] = text
    doc["text_sha256"] = hashlib.sha256(text.encode()).hexdigest()


def _reference(
    world: World, lines: list[bytes], only: np.ndarray | None = None
) -> tuple[np.ndarray, dict[str, pa.Table]]:
    """Per line, whether the full validator passes it without a finding (of the lines ``only``
    marks; the rest count as not passed), and the serial export's rows of those it passes."""
    from typing import cast

    from newsanno.engines.local import Validator
    from newsanno.model import CorpusFile
    from newsanno.model.corpus import Corpus

    accepted, docs = [], []
    for number, raw in enumerate(lines, 1):
        ok = False
        if only is None or only[number - 1]:
            validator = Validator()
            validator.world = world
            doc = validator.line("s.jsonl", number, raw)
            ok = doc is not None and not validator.report.findings
            if doc is not None and ok:
                docs.append(doc)
        accepted.append(ok)
    corpus = Corpus(cast(CorpusFile, None), docs, None)
    return np.array(accepted, dtype=bool), {n: TABLES[n].table(corpus) for n in DOCUMENT_TABLES}


def _same_rows(got: dict[str, pa.Table], want: dict[str, pa.Table]) -> None:
    """The same rows per table (the serial export sorts by primary key, the tier by line)."""
    for name in DOCUMENT_TABLES:
        keys = [(k, "ascending") for k in TABLES[name].primary_key]
        assert got[name].sort_by(keys).equals(want[name]), name


def _columnar(checker: ColumnarChecker, lines: list[bytes]) -> Any:
    block = b"\n".join(lines) + b"\n"
    stops = np.cumsum([len(raw) + 1 for raw in lines]) - 1
    table = checker.read(block)
    assert table is not None and table.num_rows == len(lines)
    return checker.check(table, block, stops, "s.jsonl", np.arange(1, len(lines) + 1))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """The synthetic world, as the validator loads it."""
    from newsanno.engines.local import Validator

    path = tmp_path_factory.mktemp("world") / "corpus.yaml"
    path.write_bytes(orjson.dumps(make_world().data))
    validator = Validator()
    validator.load_world(path)
    assert validator.world is not None
    return validator.world


@pytest.fixture(params=["compiled", "python"])
def library(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The tier with the compiled library (where built) and without it (pyarrow's reader,
    numpy and ``re``): each must pass the same tests."""
    import newsanno.read.native
    import newsanno.rules.columnar

    if request.param == "python":
        monkeypatch.setattr(newsanno.read.native, "_LIB", None)
        monkeypatch.setattr(newsanno.rules.columnar, "READER_BUILT", False)
    return str(request.param)


@pytest.mark.parametrize("seed", range(4))
def test_columnar_accepts_only_what_the_fast_check_accepts(
    world: World, seed: int, library: str
) -> None:
    rng = random.Random(seed)
    checker = ColumnarChecker(world)
    mutations = _mutations(world)
    names = sorted(mutations)
    lines, applied = [], []
    for i in range(160):
        doc = make_document(SYNTH, seed * 1000 + i, seed=seed, size=1500, mix=MIX)
        name = "clean" if i % 4 == 0 else rng.choice(names)
        if name != "clean":
            for _ in range(10):  # a mutation that happens to change nothing gets another go
                before = orjson.dumps(doc)
                mutations[name](rng, doc, world)
                if orjson.dumps(doc) != before:
                    break
        lines.append(orjson.dumps(doc))
        applied.append(name)
    batch = _columnar(checker, lines)
    accepted, expected = _reference(world, lines, only=batch.accepted)
    wrongly = [(i, applied[i]) for i in np.nonzero(batch.accepted & ~accepted)[0]]
    assert not wrongly, f"accepted what the full validator reports on: {wrongly}"
    assert batch.accepted[[i for i, n in enumerate(applied) if n == "clean"]].all()
    _same_rows(batch.tables, expected)
    for name in DOCUMENT_TABLES:
        assert len(batch.positions[name]) == batch.tables[name].num_rows
    _same_as_reported(world, lines, batch)


def _same_as_reported(world: World, lines: list[bytes], batch: Any) -> None:
    """The lines the tier reports itself (meaning findings only) get exactly the findings the
    full validator gives them."""
    from newsanno.engines.local import Validator

    assert batch.reported, "no line had meaning findings only: the test would hold nothing"
    for row, (doc_id, found) in batch.reported.items():
        validator = Validator()
        validator.world = world
        validator.line("s.jsonl", row + 1, lines[row])
        want = {(f.code, f.path, f.message, f.hint) for f in validator.report.findings}
        got = {(c, "/" + "/".join(map(str, p)), m, h) for _, p, c, m, h in found}
        assert got == want, (row, doc_id)
        assert not batch.accepted[row]


def test_every_mutation_kind_is_caught_when_the_full_validator_reports_it(
    world: World, library: str
) -> None:
    """Each mutation on its own, on several documents: accepted implies passed without a
    finding."""
    checker = ColumnarChecker(world)
    rng = random.Random(7)
    declined = set()
    for name, mutate in _mutations(world).items():
        lines = []
        for i in range(6):
            doc = make_document(SYNTH, 500 + i, size=1500)
            mutate(rng, doc, world)
            lines.append(orjson.dumps(doc))
        batch = _columnar(checker, lines)
        accepted, _ = _reference(world, lines)
        assert not (batch.accepted & ~accepted).any(), name
        if (~accepted).any():
            declined.add(name)
    # the mutations exercise the checks: most of them make the full validator report
    assert len(declined) >= 50, sorted(set(_mutations(world)) - declined)


@pytest.mark.parametrize(
    "line",
    [
        b'{"doc_id": "a", "colour": "red"}',  # unknown field
        b'{"doc_id": "a", "doc_id": "b"}',  # a key twice
        b'{"mentions": [{"span": "text anchor"}]}',  # a string where the schema has an object
        b'{"regions": [{"span": {"start": 1.0, "end": 2}}]}',  # a float for an integer
        b'{"doc_id": 1}',
        b'{"doc_id": "\\ud800"}',  # a lone surrogate
        b'{"doc_id": "a\x01"}',  # a raw control character
        b'{"doc_id": "\xff"}',  # not UTF-8
    ],
)
def test_the_reader_refuses_what_the_schema_does_not_allow(world: World, line: bytes) -> None:
    assert ColumnarChecker(world).read(line + b"\n") is None


def test_line_shapes() -> None:
    def shaped(block: bytes) -> bool:
        lines = block.split(b"\n")[:-1]
        stops = np.cumsum([len(raw) + 1 for raw in lines]) - 1
        starts = stops - [len(raw) for raw in lines]
        return line_shapes(np.frombuffer(block, np.uint8), starts, stops)

    assert shaped(b'{"a": 1}\n{}\n')
    assert not shaped(b"null\n")  # crashes pyarrow's reader: never handed to it
    assert not shaped(b'{"a": 1}\n\n{}\n')  # a blank line
    assert not shaped(b' {"a": 1}\n')
    assert shaped(b'{"a": 1}\r\n{}\r\n')  # CRLF
    assert not shaped(b'{"a": 1}\r\r\n') and not shaped(b"\r\n")
    assert not shaped(b'{"a":\n1}\n')  # a value across lines


# --------------------------------------------------------------------------------------------
# In the bulk path


def _corpus(folder: Path, lines: list[bytes]) -> Path:
    (folder / "corpus.yaml").write_bytes(orjson.dumps(SYNTH.data))
    (folder / "shard.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    return folder


def test_bulk_reports_exactly_what_the_full_validator_reports(world: World, tmp_path: Path) -> None:
    """Blocks the tier reads, blocks it cannot read, flagged lines among accepted ones."""
    from tests.test_bulk import slow_report

    rng = random.Random(11)
    mutations = _mutations(world)
    names = sorted(mutations)
    lines = []
    for i in range(150):
        doc = make_document(SYNTH, 2000 + i, size=1200, mix=MIX)
        if i % 3:
            mutations[rng.choice(names)](rng, doc, world)
        lines.append(orjson.dumps(doc))
    lines[40] = lines[40][:-1] + b', "colour": "red"}'  # its block fails to read
    lines[75] = b""  # a blank line: its block is not handed to the reader
    for i in range(100, 150):
        lines[i] += b"\r"  # CRLF line ends: read by both tiers
    folder = _corpus(tmp_path, lines)
    expected = slow_report(folder)
    assert len({k[1] for k in expected}) > 50
    for jobs in (1, 2):
        result = run_bulk(plan([folder]), jobs=jobs, chunk_bytes=100_000, group_docs=16)
        assert [f.key() for f in result.report.findings] == expected
        assert 0 < result.columnar < 100
    row_path = run_bulk(plan([folder]), chunk_bytes=100_000, group_docs=16, columnar=False)
    assert [f.key() for f in row_path.report.findings] == expected
    assert row_path.columnar == 0


def bulk_columnar(folder: Path) -> int:
    result = run_bulk(plan([folder]), chunk_bytes=60_000, group_docs=8)
    assert result.report.valid
    return result.columnar


def test_bulk_export_is_the_same_with_or_without_the_tier(tmp_path: Path, library: str) -> None:
    """Byte for byte, including blocks where the row path's rows sit among the tier's; and the
    same with the compiled library (where built) or without it."""
    import json

    lines = []
    for i in range(90):
        doc = make_document(SYNTH, 3000 + i, size=1200)
        if i % 7 == 3:
            doc["mentions"][0]["note"] = None  # an explicit null, and a layer left out
            del doc["regions" if i % 2 else "claims"]
        if i % 11 == 5:
            doc["mentions"][0]["span"].pop("text")  # the tier needs the span's text: row path
        lines.append(orjson.dumps(doc) if i != 50 else json.dumps(doc).encode())
    lines[20] = lines[20].replace(b'"kind":', b'"kind" :', 1)
    (tmp_path / "in").mkdir()
    folder = _corpus(tmp_path / "in", lines)
    outs = {}
    for columnar in (True, False):
        out = tmp_path / f"out-{columnar}"
        result = export_bulk(
            plan([folder]), out, chunk_bytes=60_000, group_docs=8, columnar=columnar
        )
        assert result.written, [f.key() for f in result.report.findings]
        if columnar:  # lines of the row path sit among the tier's in the same blocks
            assert 60 < bulk_columnar(folder) < 90
        outs[columnar] = {
            p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()
        }
    assert outs[True].keys() == outs[False].keys()
    assert [k for k in outs[True] if outs[True][k] != outs[False][k]] == []
    mentions = pads.dataset(tmp_path / "out-True" / "mentions").to_table()
    assert mentions.num_rows == sum(len(orjson.loads(raw)["mentions"]) for raw in lines)


def test_byte_level_damage_is_never_accepted(world: World) -> None:
    """Random bytes changed in clean lines: whatever still reads, the tier must not accept more
    than the full validator passes (or crash)."""
    checker = ColumnarChecker(world)
    rng = random.Random(3)
    base = [orjson.dumps(make_document(SYNTH, 700 + i, size=1200)) for i in range(30)]
    tokens = [b"null", b"[", b"]", b",", b'"', b"1", b"-", b"0", b"true", b" ", b'""', b'"x"']
    checked = 0
    for _ in range(400):
        lines = [bytearray(raw) for raw in rng.sample(base, 4)]
        for _ in range(rng.randint(1, 3)):
            line = rng.choice(lines)
            i = rng.randrange(1, len(line) - 1)
            if rng.random() < 0.5:
                line[i : i + rng.randint(0, 6)] = rng.choice(tokens)
            else:
                del line[i : i + rng.randint(1, 12)]
        block = b"\n".join(lines) + b"\n"
        stops = np.cumsum([len(raw) + 1 for raw in lines]) - 1
        starts = stops - np.array([len(raw) for raw in lines])
        if not line_shapes(np.frombuffer(block, np.uint8), starts, stops):
            continue
        table = checker.read(block)
        if table is None or table.num_rows != len(lines):
            continue
        batch = checker.check(table, block, stops, "s.jsonl", np.arange(1, len(lines) + 1))
        accepted, _ = _reference(world, [bytes(raw) for raw in lines], only=batch.accepted)
        assert not (batch.accepted & ~accepted).any()
        checked += len(lines)
    assert checked > 200  # enough damaged blocks still read to make the point


def test_pieces_smaller_than_a_line_change_nothing(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, library: str
) -> None:
    """A worker reads its chunk in pieces of whole lines; a line longer than a piece is read
    whole. Findings and rows do not depend on the piece size."""
    import newsanno.engines.worker as worker

    rng = random.Random(5)
    mutations = _mutations(world)
    lines = []
    for i in range(40):
        doc = make_document(SYNTH, 4000 + i, size=1200)
        if i % 4 == 1:
            mutations[rng.choice(sorted(mutations))](rng, doc, world)
        lines.append(orjson.dumps(doc))
    (tmp_path / "mixed").mkdir()
    folder = _corpus(tmp_path / "mixed", lines)
    found, tables = [], []
    for piece in (worker.BLOCK_BYTES, 20_000, 3_000):
        monkeypatch.setattr(worker, "BLOCK_BYTES", piece)
        result = run_bulk(plan([folder]), chunk_bytes=150_000, group_docs=6)
        found.append([f.key() for f in result.report.findings])
        out = tmp_path / f"out-{piece}"
        ok = [raw for i, raw in enumerate(lines) if i % 4 != 1]
        (tmp_path / f"clean-{piece}").mkdir()
        clean = _corpus(tmp_path / f"clean-{piece}", ok)
        assert export_bulk(plan([clean]), out, chunk_bytes=150_000, group_docs=6).written
        tables.append({n: pads.dataset(out / n).to_table() for n in DOCUMENT_TABLES})
    assert found[0] and found[0] == found[1] == found[2]
    for name in DOCUMENT_TABLES:
        assert tables[0][name].equals(tables[1][name]) and tables[0][name].equals(tables[2][name])


def test_spans_without_their_text_take_it_from_the_document(world: World) -> None:
    """Offsets alone are enough: the rows carry the document's text, as the serial export's do
    (emoji and combining marks included). ``"text": null`` is left to the full validator."""
    checker = ColumnarChecker(world)
    lines = []
    for i in range(12):
        doc = make_document(SYNTH, 900 + i, size=1500)
        for layer in ("regions", "mentions", "claims"):
            for item in doc[layer][i % 2 :: 2]:
                item["span"].pop("text", None)
        for q in doc["quotes"]:
            for seg in q["content"]:
                seg.pop("text", None)
            if q.get("cue"):
                q["cue"].pop("text", None)
        for em in doc["event_mentions"]:
            em["trigger"].pop("text", None)
        if i == 5:  # a mention over an emoji and a combining mark, given by offsets only
            extra = " 👍🏽 Zoe\u0308"  # the diaeresis is a code point of its own
            start = len(doc["text"])
            _retext(doc, doc["text"] + extra)
            doc["regions"].append(
                {"id": "r99", "kind": "boilerplate", "span": {"start": start, "end": start + 7}}
            )
        if i == 9:
            doc["mentions"][0]["span"]["text"] = None
        lines.append(orjson.dumps(doc))
    batch = _columnar(checker, lines)
    assert batch.accepted.tolist() == [i != 9 for i in range(12)]
    accepted, expected = _reference(world, lines, only=batch.accepted)
    assert accepted.tolist() == batch.accepted.tolist()
    _same_rows(batch.tables, expected)
    region = batch.tables["regions"].filter(
        pa.compute.equal(batch.tables["regions"]["region_id"], "r99")
    )
    assert region["text"].to_pylist() == [" 👍🏽 Zoe"]


def test_crlf_files_stay_in_the_first_tier(tmp_path: Path) -> None:
    lines = [orjson.dumps(make_document(SYNTH, 5000 + i, size=900)) + b"\r" for i in range(20)]
    folder = _corpus(tmp_path, lines)
    result = run_bulk(plan([folder]), group_docs=8)
    assert result.report.valid and not result.report.findings
    assert result.columnar == 20


def test_text_anchors_are_read_as_columns_once_they_resolve(tmp_path: Path) -> None:
    """Spans written as plain strings: the lines whose anchors all resolve are checked by the
    tier (not the full validator), with the same findings and exported bytes as without the
    tier; an ambiguous anchor, and a key given twice, still get the full validator's findings."""
    lines = []
    for i in range(30):
        doc = make_document(SYNTH, 6000 + i, size=1200)
        for item in doc["claims"] + doc["regions"]:
            if doc["text"].count(item["span"]["text"]) == 1:
                item["span"] = item["span"]["text"]  # a text anchor
        lines.append(orjson.dumps(doc))
    assert sum(line.count(b'"span":"') for line in lines) > 30
    (tmp_path / "clean").mkdir()
    folder = _corpus(tmp_path / "clean", lines)
    assert bulk_columnar(folder) == 30  # every line in the tier
    outs = {}
    for columnar in (True, False):
        out = tmp_path / f"out-{columnar}"
        result = export_bulk(plan([folder]), out, group_docs=8, columnar=columnar)
        assert result.written, [f.key() for f in result.report.findings]
        outs[columnar] = {
            p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.parquet")
        }
    assert outs[True] == outs[False]
    # an anchor that occurs twice, and a duplicate key on a line with a resolving anchor
    doc = orjson.loads(lines[3])
    doc["mentions"][0]["span"] = next(w for w in doc["text"].split() if doc["text"].count(w) > 1)
    lines[3] = orjson.dumps(doc)
    lines[5] = lines[5][:-1] + b', "doc_id": "again"}'
    (tmp_path / "bad").mkdir()
    bad = _corpus(tmp_path / "bad", lines)
    from tests.test_bulk import slow_report

    result = run_bulk(plan([bad]), group_docs=8)
    assert [f.key() for f in result.report.findings] == slow_report(bad)
    found = {(f.line, f.code.value) for f in result.report.findings}
    assert (4, "anchor-ambiguous") in found and any(line == 6 for line, _ in found), found
