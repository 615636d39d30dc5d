"""The compiled reader (``newsanno.read.native``): it reads exactly what pyarrow's JSON reader reads.

Whatever it accepts, pyarrow's reader must accept too and read into an equal table; whatever it
refuses falls back to pyarrow's reader. So the columnar tier's findings and rows do not depend
on it, only its speed.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.json as pj
import pytest

from newsanno.bench.synth import make_document, make_world
from newsanno.read import native
from newsanno.read.lines import PARSE_OPTIONS, VALID_SCHEMA

SYNTH = make_world()
COMPILER = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")


def _pyarrow(block: bytes) -> pa.Table | None:
    options = pj.ReadOptions(use_threads=False, block_size=max(len(block), 1 << 20))
    try:
        return pj.read_json(
            pa.BufferReader(block), read_options=options, parse_options=PARSE_OPTIONS
        )
    except Exception:
        return None


@pytest.fixture(scope="module")
def reader() -> native.NativeReader:
    if not native.READER_BUILT:
        if COMPILER:  # `make test` builds it: a missing library here is a build failure
            pytest.fail(f"{native.LIBRARY} is not built though a C compiler is here (run `make`)")
        pytest.skip("no C compiler: the compiled reader is not built")
    return native.NativeReader(VALID_SCHEMA)


def _variants(rng: random.Random, doc: dict[str, Any]) -> list[bytes]:
    """One document written several ways: compact, spaced and ASCII-escaped, keys shuffled,
    optional keys left out or null, lists empty."""
    out = [orjson.dumps(doc), json.dumps(doc).encode(), json.dumps(doc, ensure_ascii=True).encode()]
    spare = json.loads(json.dumps(doc))
    for layer in ("regions", "mentions", "quotes", "claims", "event_mentions"):
        for item in spare.get(layer, []):
            for key in [k for k in item if k in ("note", "kind", "cue", "addressee", "date")]:
                choice = rng.random()
                if choice < 0.3:
                    del item[key]
                elif choice < 0.5:
                    item[key] = None
            if "span" in item and rng.random() < 0.3:
                item["span"].pop("text", None)
    spare["regions"] = []
    spare["metadata"] = None if rng.random() < 0.5 else {}
    keys = list(spare)
    rng.shuffle(keys)
    out.append(json.dumps({k: spare[k] for k in keys}, ensure_ascii=rng.random() < 0.5).encode())
    return out


def test_built_where_a_compiler_is() -> None:
    if COMPILER:
        assert native.READER_BUILT, f"{native.LIBRARY} missing or built from another source"


def test_it_reads_what_pyarrow_reads(reader: native.NativeReader) -> None:
    rng = random.Random(1)
    lines = []
    for i in range(40):
        doc = make_document(SYNTH, 9000 + i, size=1500)
        doc["text"] += ' "\\/\b\f\n\r\t\u0000\u00e9\u2028\U0001f600 end'
        lines.extend(_variants(rng, doc))
    for ending in (b"\n", b"\r\n"):
        block = ending.join(lines) + ending
        mine = reader.read(block)
        assert mine is not None and mine.num_rows == len(lines)
        theirs = _pyarrow(block)
        assert theirs is not None
        assert mine.equals(theirs)
        assert mine.schema == VALID_SCHEMA
    last = reader.read(b"\n".join(lines))  # no newline after the last line
    assert last is not None and last.num_rows == len(lines)


@pytest.mark.parametrize(
    "line",
    [
        b'{"doc_id": "a", "colour": "red"}',  # unknown field
        b'{"doc_id": "a", "doc_id": "b"}',  # a key twice
        b'{"mentions": [{"span": "text anchor"}]}',
        b'{"regions": [{"span": {"start": 1.0, "end": 2}}]}',
        b'{"regions": [{"span": {"start": 1e2, "end": 2}}]}',
        b'{"regions": [{"span": {"start": -1, "end": 2}}]}',  # pyarrow reads it; we leave it
        b'{"regions": [{"span": {"start": 01, "end": 2}}]}',
        b'{"regions": [{"span": {"start": 1234567890123456789, "end": 2}}]}',
        b'{"doc_id": 1}',
        b'{"doc_id": "\\ud800"}',  # a lone high surrogate
        b'{"doc_id": "\\udc00"}',  # a lone low surrogate
        b'{"doc_id": "\\ud800\\u0041"}',
        b'{"doc_id": "\\x41"}',
        b'{"doc_id": "a\x01"}',  # a raw control character
        b'{"doc_id": "a"}{"doc_id": "b"}',  # two values on a line
        b'{"doc_id": "a"} x',
        b'{"do\\u0063_id": "a"}',  # an escaped key (pyarrow reads it; we leave it)
        b'{"doc_id": "a",}',
        b'{"doc_id" "a"}',
        b'{"doc_id": "a"',
        b'{"doc_id": "a',
        b'{"regions": [}',
        b'{"regions": [{"id": "r"},]}',
        b'{"metadata": []}',
        b'{"regions": {}}',
        b'{"claims": [{"checkworthy": 1}]}',
        b'{"claims": [{"checkworthy": tru}]}',
        b'{"doc_id": nul}',
        b'{\n"doc_id": "a"}',
        b"",
        b"\n",
        b"[]",
        b"null",
    ],
)
def test_it_refuses_what_it_does_not_read(reader: native.NativeReader, line: bytes) -> None:
    assert reader.read(line + b"\n") is None


def test_whatever_it_accepts_pyarrow_reads_the_same(reader: native.NativeReader) -> None:
    """Random damage to good lines: the reader may refuse more than pyarrow, never less, and
    reads what it accepts the same way. (No crash either: the process would die.)"""
    rng = random.Random(7)
    base = [orjson.dumps(make_document(SYNTH, 800 + i, size=900)) for i in range(20)]
    base += [json.dumps(orjson.loads(b), ensure_ascii=True).encode() for b in base[:5]]
    tokens = [b"null", b"[", b"]", b"{", b"}", b",", b":", b'"', b"\\", b"\\u", b"\\ud83d", b"1"]
    tokens += [b"-", b"0", b"true", b" ", b"\t", b'""', b'"x"', b"\r", b"\x00", b"\xc3\xa9"]
    accepted = 0
    for _ in range(1500):
        lines = [bytearray(raw) for raw in rng.sample(base, 3)]
        for _ in range(rng.randint(1, 3)):
            line = rng.choice(lines)
            i = rng.randrange(0, len(line))
            if rng.random() < 0.6:
                line[i : i + rng.randint(0, 4)] = rng.choice(tokens)
            else:
                del line[i : i + rng.randint(1, 30)]
        block = b"\n".join(lines) + b"\n"
        mine = reader.read(block)
        if mine is None:
            continue
        theirs = _pyarrow(block)
        assert theirs is not None, block
        assert mine.equals(theirs), block
        accepted += 1
    assert accepted > 100  # enough damaged blocks still read to make the point


def test_read_lines_reads_each_line_as_read_would_alone(reader: native.NativeReader) -> None:
    """``read_lines`` (one pass over a block with bad lines): a line is in its table exactly
    when :meth:`read` reads it alone, and the table is what :meth:`read` gives of those lines."""
    rng = random.Random(11)
    base = [orjson.dumps(make_document(SYNTH, 900 + i, size=900)) for i in range(12)]
    tokens = [b"null", b"[", b"]", b"{", b"}", b",", b":", b'"', b"\\u", b"1", b" ", b"x"]
    mixed = 0
    for _ in range(300):
        lines = [bytearray(raw) for raw in rng.sample(base, rng.randint(1, 6))]
        for _ in range(rng.randint(0, 3)):
            line = rng.choice(lines)
            i = rng.randrange(0, len(line))
            line[i : i + rng.randint(0, 4)] = rng.choice(tokens)
        block = b"\n".join(lines) + (b"\n" if rng.random() < 0.8 else b"")
        got = reader.read_lines(block, len(lines))
        assert got is not None
        table, ok = got
        alone = [reader.read(bytes(line) + b"\n") is not None for line in lines]
        assert ok.tolist() == alone, block
        kept = b"".join(
            bytes(line) + b"\n" for line, good in zip(lines, alone, strict=True) if good
        )
        want = reader.read(kept) if kept else None
        assert table.num_rows == sum(alone)
        if want is not None:
            assert table.equals(want)
        mixed += 0 < sum(alone) < len(lines)
    assert mixed > 30  # blocks with good and bad lines: the case it is for


def test_a_library_built_from_another_source_is_not_loaded(
    tmp_path: Path, reader: native.NativeReader
) -> None:
    """The library carries its source's sha256: after a ``git pull`` that changes
    ``_jsonl.c``, the old library is not used (and ``stale`` says so) until it is rebuilt.
    Without the source (a wheel), the library is trusted."""
    library, source = tmp_path / "x.so", tmp_path / "x.c"
    shutil.copy(native.LIBRARY, library)
    shutil.copy(native.SOURCE, source)
    assert native.load(library, source) is not None and not native.stale(library, source)
    with source.open("a") as handle:
        handle.write("/* changed */\n")
    assert native.load(library, source) is None and native.stale(library, source)
    source.unlink()
    assert native.load(library, source) is not None and not native.stale(library, source)
    assert native.load(tmp_path / "missing.so", source) is None
    assert not native.stale(tmp_path / "missing.so", native.SOURCE)
    if COMPILER:  # a library from before libraries carried their source's sha256
        old = tmp_path / "old.c"
        old.write_text("int nj_count(void) { return 0; }\n")
        built = tmp_path / "old.so"  # a new path: dlopen hands back a library it has open
        subprocess.run([COMPILER, "-shared", "-fPIC", "-o", str(built), str(old)], check=True)
        assert native.load(built, native.SOURCE) is None and native.stale(built, native.SOURCE)


def test_code_points_are_python_s(reader: native.NativeReader) -> None:
    """``utf32`` decodes as Python's UTF-8 codec does, and refuses what it refuses."""
    rng = random.Random(11)
    alphabet = "aé€😀\u0301\u2028\x00\x7f\u07ff\u0800\uffff\U00010000\U0010ffff"
    values = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9))) for _ in range(300)]
    arr = pa.array([*values, None], pa.string())
    offsets = np.frombuffer(arr.buffers()[1], np.int32)
    found = native.utf32(arr.buffers()[2], offsets, len(arr), positions=True)
    assert found is not None
    cps, starts, at = found
    assert "".join(values).encode("utf-32-le") == cps.tobytes()
    assert starts.tolist() == np.cumsum([0] + [len(v) for v in values] + [0]).tolist()
    # where each code point starts in the buffer, and where the last string ends
    joined = "".join(values)
    want = np.cumsum([0] + [len(ch.encode()) for ch in joined]).tolist()
    assert at is not None and at.tolist() == want
    assert native.utf32(arr.buffers()[2], offsets, len(arr))[2] is None  # type: ignore[index]
    # a slice of the strings (offsets not starting at 0): positions stay in buffer bytes
    found = native.utf32(arr.buffers()[2], offsets[5:], 10, positions=True)
    assert found is not None and found[2] is not None
    sliced = "".join(values[5:15])
    first = int(offsets[5])
    assert found[2].tolist() == [
        first + k for k in np.cumsum([0] + [len(c.encode()) for c in sliced])
    ]
    bad = [b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82", b"a\x80"]
    bad += [b"\xf0\x82\x82\xac", b"\xe0\x80\xaf"]
    for raw in bad:
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        offsets = np.array([0, len(raw)], np.int32)
        assert native.utf32(raw, offsets, 1) is None, raw
    for _ in range(2000):  # random bytes: refused exactly when Python refuses them
        raw = bytes(rng.choice(b"a\x80\xbf\xc2\xdf\xe0\xed\xef\xf0\xf4\xf5\xff") for _ in range(6))
        try:
            want = raw.decode("utf-8").encode("utf-32-le")
        except UnicodeDecodeError:
            want = None
        got = native.utf32(raw, np.array([0, 6], np.int32), 1)
        assert (got[0].tobytes() if got is not None else None) == want, raw


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each run of code points the spans cover replaced by one NUL."""
    covered = [False] * len(text)
    for start, end in spans:
        for k in range(max(start, 0), min(end, len(text))):
            covered[k] = True
    return "".join(
        "\x00" if c and (k == 0 or not covered[k - 1]) else ch
        for k, (ch, c) in enumerate(zip(text, covered, strict=True))
        if not c or k == 0 or not covered[k - 1]
    )


def test_the_name_search_is_a_plain_substring_search(reader: native.NativeReader) -> None:
    """``Trie.holds`` against the obvious reference: cut the covered runs, look for each word."""
    rng = random.Random(13)
    words = ["Ann", "Anna Lee", "Lee", "Bé", "😀x", "Ö"]
    trie = native.Trie(words)
    outcomes = set()
    pieces = ["Ann", "An", "na", " Lee", "Le", "e", "B", "é", "😀", "x", "Ö", " ", "\x00", "q"]
    for _ in range(300):
        texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) for _ in range(5)]
        spans = []
        for row, text in enumerate(texts):
            for _ in range(rng.randint(0, 3)):
                a = rng.randint(0, max(len(text) - 1, 0))
                b = rng.randint(a + 1, len(text) + 1)
                if b <= len(text):
                    spans.append((row, a, b))
        cps = np.frombuffer("".join(texts).encode("utf-32-le"), np.uint32)
        at = np.cumsum([0] + [len(t) for t in texts])
        cols = tuple(np.array([s[k] for s in spans], np.int64) for k in range(3))
        held = trie.holds(cps, at, cols)
        assert held is not None
        want = [
            any(w in _cut(t, [(a, b) for r, a, b in spans if r == i]) for w in words)
            for i, t in enumerate(texts)
        ]
        assert held.tolist() == want, (texts, spans)
        outcomes.update(want)
    assert outcomes == {True, False}
    assert native.Trie([""]).holds(cps, at, cols).all()


def test_span_texts_are_compared_code_point_by_code_point(reader: native.NativeReader) -> None:
    """``same_text`` against the obvious reference: the span's text is the document's slice."""
    rng = random.Random(17)
    pieces = ["a", "é", "€", "😀", "\u0301", " ", "ab", "\x00"]
    outcomes = set()
    for _ in range(200):
        texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 9))) for _ in range(4)]
        docs = pa.array(["pad", *texts], pa.string()).slice(1)  # an array offset, as in blocks
        docs = pa.concat_arrays([docs])
        offsets = np.frombuffer(docs.buffers()[1], np.int32)[: len(docs) + 1]
        found = native.utf32(docs.buffers()[2], offsets, len(docs), positions=True)
        assert found is not None and found[2] is not None
        _, doc_at, at = found
        rows, starts, ends, given_texts = [], [], [], []
        for _ in range(rng.randint(1, 12)):
            row = rng.randint(-1, len(texts))  # rows out of range too
            size = len(texts[row]) if 0 <= row < len(texts) else 3
            a = rng.randint(-1, size)
            b = rng.randint(a, size + 1)
            truth = texts[row][max(a, 0) : b] if 0 <= row < len(texts) else "x"
            choice = rng.random()
            if choice < 0.4:
                text: str | None = truth
            elif choice < 0.5:
                text = None
            else:
                text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 3)))
            rows.append(row)
            starts.append(a)
            ends.append(b)
            given_texts.append(text)
        arr = pa.array(["x", *given_texts], pa.string()).slice(1)  # sliced as struct fields are
        given = np.array([t is not None for t in given_texts])
        ok = np.array([rng.random() < 0.9 for _ in given_texts])
        want = [
            bool(
                o
                and (
                    not g
                    or (0 <= r < len(texts) and 0 <= a <= b <= len(texts[r]) and texts[r][a:b] == t)
                )
            )
            for o, g, r, a, b, t in zip(ok, given, rows, starts, ends, given_texts, strict=True)
        ]
        spans = tuple(np.array(v, np.int64) for v in (rows, starts, ends))
        native.same_text(docs.buffers()[2], at, doc_at, spans, arr, given, ok)  # type: ignore[arg-type]
        assert ok.tolist() == want, (texts, rows, starts, ends, given_texts)
        outcomes.update(want)
    assert outcomes == {True, False}


def test_classes_and_distinct_agree_with_numpy(reader: native.NativeReader) -> None:
    """``classes`` is a lookup plus ``flatnonzero``; ``distinct`` is "no key twice"."""
    rng = np.random.default_rng(19)
    table = np.zeros(300, np.uint8)
    table[[34, 200, 10]] = [1, 1, 2]
    table[-1] = 3  # stands for every code point from 299 up
    for size in (0, 1, 50, 5000):
        cps = rng.choice(np.array([34, 10, 97, 298, 299, 300, 0x201C, 0x10FFFF], np.uint32), size)
        found = native.classes(cps, table)
        assert found is not None
        kind = table.take(cps, mode="clip")
        assert found[0].tolist() == np.flatnonzero(kind).tolist()
        assert found[1].tolist() == kind[kind != 0].tolist()
    for size in (0, 1, 2, 100, 10000):
        for span in (3, 1 << 40, 1 << 64):
            keys = rng.integers(0, span, size, dtype=np.uint64, endpoint=False)
            assert native.distinct(keys) == (len(np.unique(keys)) == size), (size, span)
    assert native.distinct(np.array([0, 0], np.uint64)) is False
    assert native.distinct(np.array([0, 1 << 63], np.uint64)) is True


def test_newlines_are_counted_and_found_as_python_does(reader: native.NativeReader) -> None:
    rng = random.Random(23)
    cases = [b"", b"\n", b"abc", b"\n\n\n", b"a\nb", b"a\n" * 1000, b"x" * 100_000 + b"\n"]
    cases += [
        bytes(rng.choice(b"a\n\r\xff") for _ in range(rng.randint(0, 300))) for _ in range(200)
    ]
    for raw in cases:
        buf = bytearray(raw + b"\n\n")  # newlines past n are not looked at
        assert native.newlines(buf, len(raw)) == raw.count(b"\n")
        found = native.newline_positions(buf, len(raw))
        assert found is not None
        assert found.tolist() == [i for i, b in enumerate(raw) if b == 0x0A]


def test_a_stale_library_is_named_on_standard_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a ``git pull`` that changes ``_jsonl.c``, the CLI says the reader is out of date."""
    from click.testing import CliRunner

    from newsanno.cli import main

    folder = Path(__file__).parents[1] / "annotations"
    monkeypatch.setattr(native, "STALE", True)
    res = CliRunner().invoke(main, ["validate", str(folder), "--format", "json"])
    assert res.exit_code == 0
    assert "built from another version of _jsonl.c" in res.stderr and "make" in res.stderr
    assert json.loads(res.stdout)["stats"]["documents"] == 2  # stdout stays clean JSON
    monkeypatch.setattr(native, "STALE", False)
    res = CliRunner().invoke(main, ["validate", str(folder)])
    assert "another version" not in res.stderr


def test_the_wheel_hook_compiles_as_build_does() -> None:
    """``hatch_build.py`` (run by hatchling, so not importable here) uses ``native.FLAGS`` and
    builds in the source's sha256, as :func:`native.build` does."""
    import ast

    hook = Path(__file__).parents[1] / "hatch_build.py"
    tree = ast.parse(hook.read_text(encoding="utf-8"))
    flags = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "FLAGS"
    )
    assert tuple(flags) == native.FLAGS
    assert "-DNJ_SOURCE=" in hook.read_text(encoding="utf-8")


def test_newsanno_native_0_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSANNO_NATIVE", "0")
    assert native.load() is None


def test_building_without_a_compiler_says_so(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    monkeypatch.setenv("CC", "/nonexistent/cc")
    before = native.LIBRARY.stat().st_mtime if native.LIBRARY.exists() else None
    assert native.main() == 1
    assert "cannot build _jsonl.so" in capsys.readouterr().err
    assert (native.LIBRARY.stat().st_mtime if native.LIBRARY.exists() else None) == before


def _values(type_: pa.DataType) -> Any:
    """A hypothesis strategy for JSON values of an Arrow type, with null and left-out fields."""
    from hypothesis import strategies as st

    if pa.types.is_struct(type_):
        fields = [type_.field(k) for k in range(type_.num_fields)]
        return st.fixed_dictionaries(
            {}, optional={f.name: st.one_of(st.none(), _values(f.type)) for f in fields}
        )
    if pa.types.is_list(type_):
        return st.lists(st.one_of(st.none(), _values(type_.value_type)), max_size=3)
    if type_ == pa.int64():
        return st.integers(min_value=0, max_value=10**18 - 1)
    if type_ == pa.bool_():
        return st.booleans()
    return st.text(st.characters(exclude_categories=["Cs"]), max_size=12)


def test_structured_random_documents_read_as_pyarrow_reads_them(
    reader: native.NativeReader,
) -> None:
    """Random documents of the schema's shape (any field left out or null, any string, large
    integers), written compact, spaced or ASCII-escaped: the same table as pyarrow's."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(_values(pa.struct(list(VALID_SCHEMA))), min_size=1, max_size=4), st.integers(0, 2)
    )
    def check(docs: list[dict[str, Any]], style: int) -> None:
        if style == 0:
            lines = [orjson.dumps(d) for d in docs]
        else:
            lines = [json.dumps(d, ensure_ascii=style == 2).encode() for d in docs]
        block = b"\n".join(lines) + b"\n"
        mine = reader.read(block)
        assert mine is not None  # nothing here is outside what it reads
        theirs = _pyarrow(block)
        assert theirs is not None and mine.equals(theirs)

    check()
