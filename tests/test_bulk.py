"""The bulk path: JSONL streamed through the columnar tier and the full validator, on one or more processes.

Findings must be exactly those of the one-by-one validator, for any ``jobs`` and any chunking;
exports must be byte-identical for any ``jobs`` and hold the same rows as the in-memory export.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

from newsanno.bench.synth import Mix, make_document, make_world
from newsanno.dataset.tables import TABLES
from newsanno.engines.bulk import export_bulk, run_bulk
from newsanno.engines.local import Validator, plan
from newsanno.model.findings import Code
from newsanno.rules.columnar import DOCUMENT_TABLES
from newsanno.rules.lints import quotation_pairs, trie_pattern

from .conftest import CASES, chdir

GOLDEN = CASES / "invalid" / "bulk-jsonl"


def slow_report(*paths: Path) -> list[tuple[str, int, int, str]]:
    """Findings of the one-by-one validator (no cross-document lints, like the bulk path)."""
    validator = Validator()
    validator.cross_document = False
    for _ in validator.run(plan(paths)):
        pass
    return [f.key() for f in validator.report.sorted().findings]


def bulk_report(*paths: Path, jobs: int = 1, chunk_bytes: int = 1 << 20) -> list[Any]:
    result = run_bulk(plan(paths), jobs=jobs, chunk_bytes=chunk_bytes)
    return [f.key() for f in result.report.findings]


# --------------------------------------------------------------------------------------------
# Golden findings


@pytest.mark.parametrize("jobs,chunk_bytes", [(1, 1 << 20), (1, 300), (2, 300)])
def test_golden_jsonl_findings_for_any_jobs_and_chunking(jobs: int, chunk_bytes: int) -> None:
    spec = json.loads(GOLDEN.with_suffix(".json").read_text())
    with chdir(GOLDEN):
        found = bulk_report(Path("."), jobs=jobs, chunk_bytes=chunk_bytes)
    assert [list(k) for k in found] == spec["findings"]


def test_golden_jsonl_exact_positions() -> None:
    """Bad JSON, duplicate key, wrong offsets, dangling id: (file, line, col, code)."""
    with chdir(GOLDEN):
        found = bulk_report(Path("shards/part-0.jsonl"), jobs=2, chunk_bytes=300)
    assert found == [
        ("shards/part-0.jsonl", 2, 37, "json-syntax"),
        ("shards/part-0.jsonl", 3, 233, "anchor-mismatch"),
        ("shards/part-0.jsonl", 4, 18, "json-duplicate-key"),
        ("shards/part-0.jsonl", 5, 287, "ref-dangling"),
        ("shards/part-0.jsonl", 5, 440, "ref-inconsistent"),
    ]


def test_doc_id_used_twice_across_chunks(tmp_path: Path) -> None:
    world = make_world()
    (tmp_path / "corpus.yaml").write_bytes(orjson.dumps(world.data))
    doc = make_document(world, 1, size=300)
    line = orjson.dumps(doc) + b"\n"
    (tmp_path / "a.jsonl").write_bytes(line + line)
    (tmp_path / "b.jsonl").write_bytes(line)
    expected = slow_report(tmp_path)
    assert [k[3] for k in expected] == ["id-duplicate"] * 2
    for jobs in (1, 2):
        assert bulk_report(tmp_path, jobs=jobs, chunk_bytes=100) == expected


# --------------------------------------------------------------------------------------------
# The bulk path never accepts what the full validator reports on


def _first(doc: dict[str, Any], layer: str) -> dict[str, Any]:
    item: dict[str, Any] = doc[layer][0]
    return item


def _quote_with_utterance(doc: dict[str, Any]) -> dict[str, Any]:
    return next(q for q in doc["quotes"] if q.get("utterance"))


def _drop_name_mention(doc: dict[str, Any]) -> None:
    doc["mentions"] = [m for m in doc["mentions"] if m["kind"] != "name"][:3] + [
        m for m in doc["mentions"] if m["kind"] == "name"
    ][1:]
    for q in doc["quotes"]:
        q.pop("speaker_mention", None)
    for em in doc["event_mentions"]:
        for a in em["arguments"]:
            a.pop("mention", None)


def _drop_direct_quote(doc: dict[str, Any]) -> None:
    direct = next(q for q in doc["quotes"] if q["type"] == "direct")
    doc["quotes"].remove(direct)
    doc["claims"] = [c for c in doc["claims"] if c.get("quote") != direct["id"]]


MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "clean": lambda d: None,
    "end-off-by-one": lambda d: _first(d, "mentions")["span"].update(
        end=_first(d, "mentions")["span"]["end"] + 1
    ),
    "text-mismatch": lambda d: _first(d, "mentions")["span"].update(text="Somebody"),
    "offsets-past-end": lambda d: _first(d, "regions")["span"].update(start=10**6, end=10**6 + 3),
    "dangling-entity": lambda d: _first(d, "mentions").update(entity="nobody"),
    "wrong-kind": lambda d: _first(d, "mentions").update(entity="ev_000"),
    "speaker-wrong-type": lambda d: _quote_with_utterance(d).update(speaker="gpe_000"),
    "duplicate-id": lambda d: d["mentions"][1].update(id=d["mentions"][0]["id"]),
    "duplicate-annotation": lambda d: d["mentions"].append(
        {**copy.deepcopy(d["mentions"][0]), "id": "m999"}
    ),
    "unknown-field": lambda d: _first(d, "mentions").update(colour="red"),
    "unknown-top-field": lambda d: d.update(extra=1),
    "missing-field": lambda d: _first(d, "claims").pop("statement"),
    "bad-enum": lambda d: _first(d, "mentions").update(kind="proper"),
    "role-not-allowed": lambda d: _first(d, "event_mentions")["arguments"][0].update(role="Pilot"),
    "speaker-mention-mismatch": lambda d: _quote_with_utterance(d).update(
        speaker_mention=next(
            m["id"] for m in d["mentions"] if m["entity"] != _quote_with_utterance(d)["speaker"]
        )
    ),
    "claimant-not-speaker": lambda d: next(c for c in d["claims"] if c.get("quote")).update(
        claimant="per_000"
    ),
    "utterance-channel": lambda d: _quote_with_utterance(d).update(channel="testimony"),
    "bad-date": lambda d: d["metadata"].update(published="2025-02-30"),
    "bad-date-pattern": lambda d: d["metadata"].update(published="11 June 2025"),
    "sha-mismatch": lambda d: d.update(text_sha256="0" * 64),
    "uncovered-alias": _drop_name_mention,
    "uncovered-quotation": _drop_direct_quote,
    "ambiguous-text-anchor": lambda d: _first(d, "mentions").update(span="the"),
    "unique-text-anchor": lambda d: _first(d, "regions").update(
        span=_first(d, "regions")["span"]["text"]
    ),
    "null-note": lambda d: _first(d, "mentions").update(note=None),
    "nested-quote": lambda d: d["quotes"][1].update(nested_in=d["quotes"][0]["id"]),
    "nested-inside": lambda d: d["quotes"].append(
        {
            "id": "q99",
            "type": "direct",
            "content": [_first(d, "quotes")["content"][0]],
            "nested_in": _first(d, "quotes")["id"],
        }
    ),
    "nested-cycle": lambda d: (
        d["quotes"][0].update(nested_in=d["quotes"][1]["id"]),
        d["quotes"][1].update(nested_in=d["quotes"][0]["id"]),
    ),
    "nested-dangling": lambda d: d["quotes"][1].update(nested_in="q999"),
    "nested-in-a-mention": lambda d: d["quotes"][1].update(nested_in=d["mentions"][0]["id"]),
    "bool-offset": lambda d: _first(d, "mentions")["span"].update(start=True),
    "float-offset": lambda d: _first(d, "mentions")["span"].update(start=1.0),
    "bad-url": lambda d: d["metadata"].update(url="not a url"),
    "text-path-too": lambda d: d.update(text_path="texts/a.txt"),
    "bad-id": lambda d: _first(d, "mentions").update(id="1m"),
    "checkworthy-string": lambda d: _first(d, "claims").update(checkworthy="yes"),
    "empty-content": lambda d: _first(d, "quotes").update(content=[]),
    "schema-version": lambda d: d.update(schema_version="2.0"),
    "argument-mention-other-entity": lambda d: _first(d, "event_mentions")["arguments"][0].update(
        mention="m2"
    ),
    "not-an-object": lambda d: d.clear(),
}


def _rich(doc: dict[str, Any]) -> bool:
    return (
        len(doc["quotes"]) > 1
        and any(q.get("utterance") for q in doc["quotes"])
        and any(q["type"] == "direct" for q in doc["quotes"])
        and any(c.get("quote") for c in doc["claims"])
        and bool(doc["event_mentions"])
        and bool(doc["event_mentions"][0]["arguments"])
    )


@pytest.fixture(scope="module")
def mutated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mutated")
    world = make_world()
    (folder / "corpus.yaml").write_bytes(orjson.dumps(world.data, option=orjson.OPT_INDENT_2))
    lines = []
    n = 0
    for mutate in MUTATIONS.values():
        doc = make_document(world, n, size=1200)
        while not _rich(doc):  # every layer present, so that every mutation applies
            n += 1
            doc = make_document(world, n, size=1200)
        n += 1
        mutate(doc)
        lines.append(orjson.dumps(doc))
    lines.append(b'{"doc_id": "x", "doc_id": "y"}')  # duplicate key, json.dumps style
    lines.append(json.dumps(make_document(world, 99, size=900)).encode())  # escaped, spaced, valid
    lines.append(b"")
    lines.append(b"\xff not utf-8")
    (folder / "shard.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    return folder


def test_fast_path_reports_exactly_what_the_full_validator_reports(mutated: Path) -> None:
    expected = slow_report(mutated)
    lines_with_findings = {k[1] for k in expected}
    names = list(MUTATIONS)
    clean = {names.index("clean") + 1, names.index("null-note") + 1}
    clean.add(names.index("unique-text-anchor") + 1)
    clean.add(names.index("nested-inside") + 1)
    assert not clean & lines_with_findings
    every_mutation = set(range(1, len(names) + 1)) - clean - {names.index("nested-quote") + 1}
    assert every_mutation <= lines_with_findings, sorted(every_mutation - lines_with_findings)
    assert bulk_report(mutated, chunk_bytes=20_000) == expected


def test_fast_path_takes_clean_documents(mutated: Path) -> None:
    """Clean synthetic documents never need the full validator (that is the point)."""
    from newsanno.engines.bulk import Chunk, Options, Worker

    validator = Validator()
    validator.load_world(mutated / "corpus.yaml")
    worker = Worker(validator.world, validator.root, Options())
    world = make_world()
    path = mutated.parent / "clean.jsonl"
    mix = Mix(nested=0.5, offsets_only=0.5)  # nested quotes and offset-only spans stay fast too
    docs = [make_document(world, i, mix=mix) for i in range(20)]
    assert sum(any(q.get("nested_in") for q in d["quotes"]) for d in docs) >= 5
    path.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    worker.validator.line = None  # type: ignore[assignment, method-assign]
    res = worker.run(Chunk(0, str(path), "clean.jsonl", "clean.jsonl", 0, path.stat().st_size, 1))
    assert res.valid == 20 and not res.findings


def test_helpers_match_their_slow_versions() -> None:
    import random
    import re

    def slow_pairs(text: str) -> list[tuple[int, int]]:
        """The lint's definition: double marks paired two by two within each line."""
        pairs: list[tuple[int, int]] = []
        offset = 0
        for line in text.splitlines(keepends=True):
            marks = [offset + m.start() for m in re.finditer('[“”"]', line)]
            pairs.extend(zip(marks[0::2], marks[1::2], strict=False))
            offset += len(line)
        return pairs

    rng = random.Random(3)
    alphabet = 'ab é“”"\n\r\u2028\x85—_1’\t\x0c'
    texts = [make_document(make_world(), i)["text"] for i in range(5)]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(2000)]
    vocabulary = ["a", "ab", "aé", "b", "ba", "é", "_1", "1", "abé_"]
    first_words = re.compile(trie_pattern(vocabulary))
    for text in texts:
        assert quotation_pairs(text) == slow_pairs(text)
        # every whole word of the text that is in the vocabulary is found (perhaps more)
        whole = set(re.findall(r"\w+", text)) & set(vocabulary)
        assert whole <= set(first_words.findall(text)), text


def test_trie_pattern_takes_long_words_without_recursion() -> None:
    import re

    word = "0o1" * 2000
    assert re.compile(trie_pattern([word, "ab"])).fullmatch(word)


def test_trie_pattern_matches_exactly_its_words() -> None:
    import re

    words = ["Kim", "Kimberly", "K", "Ka.rdashian", "a|b", "Ömer", "x" * 130]
    pattern = re.compile(trie_pattern(words))
    for word in words:
        assert pattern.fullmatch(word), word
    for other in ["Ki", "Kimb", "Kar", "a", "ab", "Ome", "x" * 129, ""]:
        assert not pattern.fullmatch(other), other


def test_document_tables_are_the_export_tables_not_from_the_world() -> None:
    world = {"corpus", "entities", "events", "event_participants", "utterances"}
    assert set(DOCUMENT_TABLES) == {
        name for name in TABLES if name not in world and not name.startswith("quote_variant")
    }


# --------------------------------------------------------------------------------------------
# Export


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from newsanno.bench.synth import write_corpus

    folder = tmp_path_factory.mktemp("synthetic")
    write_corpus(folder, 120, per_shard=50)
    return folder


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_export_is_byte_identical_for_any_jobs(synthetic: Path, tmp_path: Path) -> None:
    one = export_bulk(
        plan([synthetic]), tmp_path / "one", jobs=1, chunk_bytes=400_000, group_docs=7
    )
    two = export_bulk(
        plan([synthetic]), tmp_path / "two", jobs=2, chunk_bytes=400_000, group_docs=7
    )
    assert one.written and two.written
    a, b = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert "mentions/part-00001.parquet" in a
    assert a.keys() == b.keys()
    assert all(a[k] == b[k] for k in a), [k for k in a if a[k] != b[k]]
    groups = pq.ParquetFile(tmp_path / "one" / "documents" / "part-00000.parquet").num_row_groups
    assert groups > 1


def test_part_files_read_as_one_dataset(synthetic: Path, tmp_path: Path) -> None:
    import duckdb
    import polars as pl

    import newsanno

    out = tmp_path / "parts"
    result = export_bulk(plan([synthetic]), out, jobs=2, chunk_bytes=400_000)
    rows = result.rows
    assert rows["documents"] == 120
    assert pads.dataset(out / "mentions", format="parquet").count_rows() == rows["mentions"]
    n = duckdb.sql(f"SELECT count(*) FROM '{out / 'quotes'}/*.parquet'").fetchall()
    assert n[0][0] == rows["quotes"]
    assert pl.scan_parquet(out / "claims" / "*.parquet").collect().height == rows["claims"]
    ds = newsanno.load_dataset(out)
    assert len(ds.documents) == 120
    assert len(ds.event_arguments) == rows["event_arguments"]


def test_bulk_export_holds_the_rows_of_the_in_memory_export(tmp_path: Path) -> None:
    from newsanno.bench.synth import write_corpus
    from newsanno.dataset.write import write_dataset
    from newsanno.engines.local import load_corpus

    write_corpus(tmp_path / "c", 12, per_shard=12)
    small = export_bulk(plan([tmp_path / "c"]), tmp_path / "bulk")
    assert (tmp_path / "bulk" / "mentions.parquet").is_file()  # one chunk: single files
    corpus, report = load_corpus(tmp_path / "c")  # the one-by-one path, all in memory
    assert corpus is not None and small.written, report.findings[:3]
    write_dataset(corpus, tmp_path / "ref")
    for name in DOCUMENT_TABLES:
        spec = TABLES[name]
        keys = [(k, "ascending") for k in spec.primary_key]
        got = pq.read_table(tmp_path / "bulk" / f"{name}.parquet").sort_by(keys)
        want = pq.read_table(tmp_path / "ref" / f"{name}.parquet").sort_by(keys)
        assert got.equals(want), name


def test_invalid_input_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with chdir(GOLDEN):
        result = export_bulk(plan([Path(".")]), target, jobs=2, chunk_bytes=300)
    assert not result.written
    assert not target.exists()
    assert not list(tmp_path.iterdir())


def test_cli_validate_and_export_with_jobs(synthetic: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from newsanno.cli import main

    runner = CliRunner()
    res = runner.invoke(main, ["validate", str(synthetic), "--jobs", "2", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["stats"]["documents"] == 120
    res = runner.invoke(main, ["export", str(synthetic), "--out", str(tmp_path / "x"), "-j", "2"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "x" / "datapackage.json").is_file()


_WITHOUT_PANDAS = """
import sys
from newsanno.cli import main
try:
    main(["export", sys.argv[1], "--out", sys.argv[2], "-j", "2", "--no-progress"],
         standalone_mode=False)
except SystemExit as exc:
    assert not exc.code, exc.code
assert "pandas" not in sys.modules, "pyarrow imported pandas"
import pandas as pd
import pyarrow as pa
import newsanno
frames = newsanno.load_dataset(sys.argv[2])  # to_pandas: pandas is imported now, and works
back = pa.Table.from_pandas(frames["documents"], preserve_index=False)
print(len(frames["documents"]), back.num_rows, pa.array(pd.Series(["a", "a"], dtype="category")).type)
"""


def test_the_cli_holds_pandas_back_from_pyarrow_and_writes_the_same_files(
    synthetic: Path, tmp_path: Path
) -> None:
    """``newsanno export`` runs without pandas (``pyarrow_without_pandas``): byte-identical
    files to an export in a process with pandas (this one), and pandas still works afterwards."""
    import subprocess
    import sys

    import pandas  # noqa: F401 - this process has pandas, as a library user's may

    out = tmp_path / "no-pandas"
    proc = subprocess.run(
        [sys.executable, "-c", _WITHOUT_PANDAS, str(synthetic), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    documents, back, categorical = proc.stdout.strip().splitlines()[-1].split(" ", 2)
    assert documents == back == "120" and categorical.startswith("dictionary<"), proc.stdout
    with_pandas = export_bulk(plan([synthetic]), tmp_path / "with-pandas", jobs=2)
    assert with_pandas.written
    a, b = _files(out), _files(tmp_path / "with-pandas")
    assert a.keys() == b.keys() and all(a[k] == b[k] for k in a)


def test_name_lint_finds_exactly_what_a_regex_per_name_finds() -> None:
    """The name lint (first words by trie, cut text, bisection) against its definition: each
    name's whole-word matches (``re.finditer``), in world order, that overlap no covered span.
    The columnar tier flags a document exactly when there is one."""
    import random
    import re

    from newsanno.model import Entity
    from newsanno.rules.checks import World
    from newsanno.rules.columnar import ColumnarChecker
    from newsanno.rules.lints import NameHit, unannotated_names

    rng = random.Random(11)
    alphabet = "ab é_-.\x00"  # NUL is also the mark that replaces covered spans
    cases = [([["ab"], ["b"]], "c-b", [(0, 2)]), ([["a-a"]], "a-a-a", [(0, 1)])]
    for _case in range(1500):
        names = [
            ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4)))]
            for _ in range(rng.randint(1, 4))
        ]
        for own in names:
            if rng.random() < 0.3:
                own.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 3))))
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        spans = []
        for _ in range(rng.randint(0, 5)):
            if len(text) > 1:
                s = rng.randrange(len(text) - 1)
                spans.append((s, rng.randint(s + 1, len(text))))
        cases.append((names, text, spans))
    for trial, (names, text, spans) in enumerate(cases):
        entities = {}
        for i, own in enumerate(names):
            own = [n for n in own if n.strip()]
            if own:
                entities[f"e{i}"] = Entity(id=f"e{i}", type="PER", name=own[0], aliases=own[1:])
        world = World(entities=entities)
        mentions, regions = spans[::2], spans[1::2]
        expected = []
        for ent in entities.values():
            for name in dict.fromkeys([ent.name, *ent.aliases]):
                pattern = re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)")
                for m in pattern.finditer(text):
                    i, e = m.span()
                    if not any(cs < e and i < ce for cs, ce in spans):
                        expected.append(NameHit(name, ent.id, i, e))
        got = list(unannotated_names(text, mentions + regions, world.names))
        assert got == expected, (trial, names, text, spans)
        if trial % 10 == 0 and entities and text.strip():  # the tier too, on some
            line = _document_line(text, mentions, regions, next(iter(entities)))
            accepted = _columnar_accepts(ColumnarChecker(world), line)
            validator = Validator()
            validator.world = world
            validator.line("s.jsonl", 1, line)
            clean = not validator.report.findings
            assert accepted == clean, (trial, names, text, spans, validator.report.findings)
            if clean or all(f.code is Code.LINT_ALIAS for f in validator.report.findings):
                assert clean == (not expected), (trial, names, text, spans)


def _document_line(
    text: str, mentions: list[tuple[int, int]], regions: list[tuple[int, int]], entity: str
) -> bytes:
    import hashlib

    def span(s: int, e: int) -> dict[str, object]:
        return {"start": s, "end": e, "text": text[s:e]}

    doc = {
        "schema_version": "1.0",
        "doc_id": "d1",
        "text": text,
        "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "metadata": {"language": "en"},
        "regions": [
            {"id": f"r{i}", "span": span(*x), "kind": "other"} for i, x in enumerate(regions)
        ],
        "mentions": [
            {"id": f"m{i}", "span": span(*x), "entity": entity, "kind": "name"}
            for i, x in enumerate(mentions)
        ],
    }
    return orjson.dumps(doc)


def _columnar_accepts(checker: Any, line: bytes) -> bool:
    import numpy as np

    block = line + b"\n"
    table = checker.read(block)
    assert table is not None
    batch = checker.check(table, block, np.array([len(line)]), "s.jsonl", np.array([1]))
    return bool(batch.accepted[0])


def test_jobs_zero_is_one_per_core_and_never_more_than_the_chunks() -> None:
    from newsanno.engines.bulk import cpu_count, workers

    assert workers(0, 10 << 30) == cpu_count()
    assert workers(0, 1_000) == 1  # one chunk: no pool
    assert workers(8, 3 * (32 << 20)) == 3
    assert workers(2, 0) == 1


def test_cli_jobs_default_uses_the_cores(synthetic: Path) -> None:
    from click.testing import CliRunner

    from newsanno.cli import main

    result = CliRunner().invoke(main, ["validate", str(synthetic)])
    assert result.exit_code == 0, result.output
    assert "valid: 0 error(s), 0 warning(s) in 4 file(s), 120 document(s)" in result.output
