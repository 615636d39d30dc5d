"""Anchoring: unit cases and Hypothesis properties over arbitrary Unicode text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newsanno.model import Span
from newsanno.model.findings import Code
from newsanno.read.anchors import AnchorProblem, find_all
from newsanno.rules.checks import resolve

# Text that stresses offsets: emoji (astral), combining marks, right-to-left script, CRLF.
PIECES = st.sampled_from(
    [
        "a",
        "b",
        " ",
        "é",
        "e\u0301",
        "👩🏽‍💻",
        "🇮🇹",
        "שלום",
        "مرحبا",
        "\r\n",
        "“",
        "”",
        "—",
        "中文",
        "\u200d",
    ]
)
TEXTS = st.lists(st.one_of(PIECES, st.text(min_size=1, max_size=3)), min_size=1, max_size=40).map(
    "".join
)


@st.composite
def text_and_slice(draw: st.DrawFn) -> tuple[str, int, int]:
    text = draw(TEXTS)
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return text, start, end


@settings(max_examples=300, deadline=None)
@given(text_and_slice())
def test_offsets_round_trip_exactly(case: tuple[str, int, int]) -> None:
    text, start, end = case
    span = resolve(Span(start=start, end=end), text)
    assert isinstance(span, Span)
    assert (span.start, span.end, span.text) == (start, end, text[start:end])
    # the same span anchored by text and offsets together agrees
    again = resolve(Span(text=text[start:end], start=start, end=end), text)
    assert again == span


@settings(max_examples=300, deadline=None)
@given(text_and_slice())
def test_text_anchor_with_occurrence_finds_the_same_place(case: tuple[str, int, int]) -> None:
    text, start, end = case
    needle = text[start:end]
    hits = find_all(text, needle)
    k = hits.index(start) + 1
    if len(hits) == 1:
        assert resolve(needle, text) == Span(start=start, end=end, text=needle)
    else:
        problem = resolve(needle, text)
        assert isinstance(problem, AnchorProblem) and problem.code is Code.ANCHOR_AMBIGUOUS
    assert resolve(Span(text=needle, occurrence=k), text) == Span(start=start, end=end, text=needle)


@settings(max_examples=200, deadline=None)
@given(text_and_slice())
def test_offsets_count_code_points_not_utf16_or_bytes(case: tuple[str, int, int]) -> None:
    text, start, end = case
    span = resolve(Span(start=start, end=end), text)
    assert isinstance(span, Span) and span.text is not None
    assert len(span.text) == end - start
    # the code-point slice equals the UTF-8 byte slice computed from the prefix
    raw = text.encode("utf-8", "surrogatepass")
    b0 = len(text[:start].encode("utf-8", "surrogatepass"))
    b1 = b0 + len(span.text.encode("utf-8", "surrogatepass"))
    assert raw[b0:b1].decode("utf-8", "surrogatepass") == span.text


def test_mismatch_names_where_the_text_is() -> None:
    problem = resolve(Span(text="said", start=0, end=4), "Jane said hi")
    assert isinstance(problem, AnchorProblem) and problem.code is Code.ANCHOR_MISMATCH
    assert "5-9" in problem.hint


def test_prefix_and_suffix_disambiguate() -> None:
    text = "she said, and she smiled"
    assert resolve(Span(text="she", prefix="and "), text) == Span(start=14, end=17, text="she")
    assert resolve(Span(text="she", suffix=" said"), text) == Span(start=0, end=3, text="she")
    problem = resolve(Span(text="she", prefix="or "), text)
    assert isinstance(problem, AnchorProblem) and problem.code is Code.ANCHOR_NOT_FOUND


def test_curly_quote_hint() -> None:
    problem = resolve("it's", "and it’s fine")
    assert isinstance(problem, AnchorProblem)
    assert "it’s" in problem.hint


def test_out_of_range_and_bad_occurrence() -> None:
    p1 = resolve(Span(start=3, end=99), "short")
    p2 = resolve(Span(text="a", occurrence=3), "a a")
    assert isinstance(p1, AnchorProblem) and p1.code is Code.ANCHOR_OUT_OF_RANGE
    assert isinstance(p2, AnchorProblem) and p2.code is Code.ANCHOR_OCCURRENCE


FILE_TEXTS = st.lists(PIECES, min_size=1, max_size=30).map("".join)


@st.composite
def file_case(draw: st.DrawFn) -> tuple[str, int, int]:
    text = draw(FILE_TEXTS)
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return text, start, end


@settings(max_examples=60, deadline=None)
@given(file_case())
def test_anchor_survives_the_whole_pipeline(tmp_path_factory, case: tuple[str, int, int]) -> None:  # type: ignore[no-untyped-def]
    """Write a text file (CRLF and all) and a YAML document; load_corpus gives the exact slice."""
    import hashlib
    import json

    from newsanno import load_corpus

    text, start, end = case
    root = tmp_path_factory.mktemp("corpus")
    (root / "texts").mkdir()
    (root / "texts" / "d.txt").write_bytes(text.encode("utf-8"))
    (root / "corpus.yaml").write_text(
        'schema_version: "1.0"\ncorpus: {id: c, title: t, language: en}\n'
        "entities:\n  - {id: x, type: PER, name: Xyzzy Q}\n"
    )
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    piece = json.dumps(text[start:end], ensure_ascii=False)
    (root / "d.yaml").write_text(
        f'schema_version: "1.0"\ndoc_id: d\ntext_path: texts/d.txt\ntext_sha256: {sha}\n'
        f"metadata: {{language: en}}\nmentions:\n"
        f"  - {{id: m, span: {{text: {piece}, start: {start}, end: {end}}}, entity: x, kind: name}}\n",
        encoding="utf-8",
    )
    corpus, report = load_corpus(root, lint=False)
    assert report.findings == [], report.findings
    assert corpus is not None
    doc = corpus.documents[0]
    assert doc.text == text
    span = doc.model.mentions[0].span
    assert isinstance(span, Span)
    assert (span.start, span.end, span.text) == (start, end, text[start:end])
