"""Quote fidelity: alignment classes and spans, tables, the compare command, cross-document lints."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from newsanno.cli import main
from newsanno.dataset.variants import quote_variant_tables
from newsanno.engines.api import validate
from newsanno.engines.local import load_corpus
from newsanno.fidelity.align import (
    FUNCTION_WORDS,
    OP_CLASSES,
    Op,
    PairAlignment,
    Rendering,
    align,
    compare_corpus,
    rendering_of,
    tokenize,
)
from newsanno.model import Quote, Span
from newsanno.model.findings import Code, Severity
from newsanno.rules.checks import resolve

from .conftest import ANNOTATIONS, chdir

# --------------------------------------------------------------------------------------------
# Helpers


def quote(
    text: str, ident: str, *segments: str | Span, kind: str = "direct", u: str = "u1"
) -> Quote:
    """A quote with its segments resolved against ``text`` (anchors must be unique)."""
    spans = []
    for seg in segments:
        span = resolve(seg, text)
        assert isinstance(span, Span), span
        spans.append(span)
    return Quote(id=ident, type=kind, content=spans, utterance=u)


def render(doc_id: str, text: str, *quotes: Quote, u: str = "u1") -> Rendering:
    r = rendering_of(doc_id, text, list(quotes), u)
    assert r is not None
    return r


def pair(a_text: str, a_quote: str, b_text: str, b_quote: str) -> PairAlignment:
    """Align two one-segment direct quotes."""
    return align(
        render("a", a_text, quote(a_text, "qa", a_quote)),
        render("b", b_text, quote(b_text, "qb", b_quote)),
    )


def diffs(p: PairAlignment) -> list[tuple[str, str, str]]:
    return [(op.op_class, op.a_text, op.b_text) for op in p.differences()]


def check_invariants(p: PairAlignment) -> None:
    """Spans are slices of the article texts; every token is covered by exactly one op per side."""
    for op in p.ops:
        assert op.op_class in OP_CLASSES
        assert op.a_text == p.a.text[op.a_start : op.a_end]
        assert op.b_text == p.b.text[op.b_start : op.b_end]
    if p.relation == "paraphrase":
        return
    for side, r in (("a", p.a), ("b", p.b)):
        spans = [
            (getattr(op, f"{side}_start"), getattr(op, f"{side}_end"))
            for op in p.ops
            if getattr(op, f"{side}_end") > getattr(op, f"{side}_start")
        ]
        for t in r.tokens:
            covering = [s for s in spans if s[0] <= t.start and t.end <= s[1]]
            assert len(covering) == 1, (side, t, covering)


# --------------------------------------------------------------------------------------------
# Tokens


def test_tokens_keep_offsets_and_match_across_typography() -> None:
    text = "He said: “It’s great—really.”"
    toks = tokenize(text, 9)
    assert [t.text for t in toks] == ["“", "It’s", "great", "—", "really", ".", "”"]
    assert all(text[t.start : t.end] == t.text for t in toks)
    straight = tokenize('"It\'s great - really."')
    assert [t.key for t in toks] == [t.key for t in straight]


def test_function_word_list_is_closed_and_english() -> None:
    assert {"who", "that", "which", "the", "of", "have"} <= FUNCTION_WORDS
    assert not {"people", "country", "right", "inhumane"} & FUNCTION_WORDS


# --------------------------------------------------------------------------------------------
# Classes of difference


def test_identical() -> None:
    text = "She said: “We will win the game.”"
    p = pair(text, "We will win the game.", text, "We will win the game.")
    assert p.relation == "identical"
    assert p.similarity == p.surface_similarity == 1.0
    assert [op.op_class for op in p.ops] == ["identical"]
    assert (p.ops[0].a_start, p.ops[0].a_end) == (11, 32)


def test_missing_comma_is_punctuation_with_an_empty_span_where_it_would_be() -> None:
    a = "“In the news, you hear things,” she said."
    b = "“In the news you hear things,” she said."
    p = pair(a, "In the news, you hear things,", b, "In the news you hear things,")
    assert diffs(p) == [("punctuation", ",", "")]
    op = p.differences()[0]
    assert (op.a_start, op.a_end) == (12, 13)
    assert (op.b_start, op.b_end) == (12, 12)  # right after "news" in B
    assert p.similarity == 1.0 and p.surface_similarity < 1.0
    assert p.relation == "variant"
    check_invariants(p)


def test_dashes_quotes_apostrophes_and_case_are_typography() -> None:
    a = "“Remove violent criminals – great, it’s ‘fine’ In time.”"
    b = "“Remove violent criminals—great, it's 'fine' in time.”"
    p = pair(a, a[1:-1], b, b[1:-1])
    assert diffs(p) == [
        ("punctuation", " – ", "—"),  # the spacing difference is part of the operation
        ("punctuation", "it’s ‘", "it's '"),
        ("punctuation", "’ In", "' in"),
    ]
    assert p.similarity == 1.0
    check_invariants(p)


def test_function_word_substitution() -> None:
    a = "“So many people who are such a part of our country.”"
    b = "“So many people that are such a part of our country.”"
    p = pair(a, a[1:-1], b, b[1:-1])
    assert diffs(p) == [("function_word", "who", "that")]
    op = p.differences()[0]
    assert (op.a_start, op.a_end, op.b_start, op.b_end) == (16, 19, 16, 20)
    check_invariants(p)


def test_content_word_substitution() -> None:
    a = "“Would you like them to stay in the country?”"
    b = "“Would you like them to stay in the county?”"
    p = pair(a, a[1:-1], b, b[1:-1])
    assert diffs(p) == [("substitution", "country", "county")]
    check_invariants(p)


def test_omission_and_insertion_mirror_each_other() -> None:
    a = "“People being ripped from their families in inhumane ways, we have to speak up.”"
    b = "“People being ripped from their families, we have to speak up.”"
    p = pair(a, a[1:-1], b, b[1:-1])
    assert diffs(p) == [("omission", "in inhumane ways", "")]
    op = p.differences()[0]
    assert a[op.a_start : op.a_end] == "in inhumane ways"
    assert (op.b_start, op.b_end) == (b.index(","), b.index(","))
    check_invariants(p)
    back = pair(b, b[1:-1], a, a[1:-1])
    assert diffs(back) == [("insertion", "", "in inhumane ways")]
    check_invariants(back)


def test_truncation_at_the_end_keeps_the_punctuation_difference_apart() -> None:
    a = "“We have to speak up. We have to do what’s right.”"
    b = "“We have to speak up,” she wrote."
    p = pair(a, "We have to speak up. We have to do what’s right.", b, "We have to speak up,")
    assert diffs(p) == [
        ("punctuation", ".", ","),
        ("truncation", "We have to do what’s right.", ""),
    ]
    trunc = p.differences()[1]
    assert (trunc.b_start, trunc.b_end) == (21, 21)  # B stops after "up,"
    check_invariants(p)
    back = pair(b, "We have to speak up,", a, "We have to speak up. We have to do what’s right.")
    assert diffs(back) == [
        ("punctuation", ",", "."),
        ("truncation", "", "We have to do what’s right."),
    ]


def test_words_missing_at_the_start_are_an_omission_not_a_truncation() -> None:
    a = "“Frankly, we will win this.”"
    b = "“We will win this.”"
    p = pair(a, a[1:-1], b, b[1:-1])
    # the comma goes with the omitted word; the capital W is typography
    assert diffs(p) == [("omission", "Frankly,", ""), ("punctuation", "we", "We")]
    check_invariants(p)


def test_moved_block_is_a_reordering_with_spans_in_both() -> None:
    a = "“Hardworking people are being ripped from their families every day, and we must speak up.”"
    b = "“We must speak up: hardworking people are being ripped from their families every day.”"
    p = pair(a, a[1:-1], b, b[1:-1])
    [move] = [op for op in p.ops if op.op_class == "reordering"]
    assert (move.a_text, move.b_text) == ("we must speak up", "We must speak up")
    assert (move.a_start, move.b_start) == (a.index("we must"), 1)
    assert ("omission", ", and", "") in diffs(p)  # the comma goes with the omitted word
    assert p.counts["reordering"] == 1
    check_invariants(p)


def test_indirect_side_makes_one_paraphrase_operation() -> None:
    a = "“We have to speak up,” she wrote."
    b = "She wrote that it is necessary to speak out about it."
    p = align(
        render("a", a, quote(a, "qa", "We have to speak up,")),
        render(
            "b", b, quote(b, "qb", "that it is necessary to speak out about it", kind="indirect")
        ),
    )
    assert p.relation == "paraphrase"
    assert [(op.op_class, op.a_text, op.b_text) for op in p.ops] == [
        ("paraphrase", "We have to speak up,", "that it is necessary to speak out about it")
    ]
    assert p.similarity < 0.5
    check_invariants(p)


def test_mixed_side_is_a_paraphrase_too() -> None:
    a = "“Misinformed and detached from reality,” she said."
    b = "She called Kim “misinformed and detached from reality”."
    p = align(
        render("a", a, quote(a, "qa", "Misinformed and detached from reality,")),
        render("b", b, quote(b, "qb", "Kim “misinformed and detached from reality”", kind="mixed")),
    )
    assert p.relation == "paraphrase" and p.counts["paraphrase"] == 1


# --------------------------------------------------------------------------------------------
# Segmentation


def test_different_segmentations_align_word_for_word_and_skip_the_narration() -> None:
    # A: one quote, two segments around "she said"; B: two quotes, the split elsewhere
    a = "“People I know. People my friends know,” she said. “You want to believe it.”"
    b = "“People I know,” she told reporters. “People my friends know.” Later: “You want to believe it.”"
    ra = render(
        "a", a, quote(a, "qa1", "People I know. People my friends know,", "You want to believe it.")
    )
    rb = render(
        "b",
        b,
        quote(b, "qb2", "You want to believe it."),  # given out of order: sorted by position
        quote(b, "qb1", "People I know,", "People my friends know."),
    )
    assert rb.quote_ids == ("qb1", "qb2")
    assert (len(ra.segments), len(rb.segments)) == (2, 3)
    p = align(ra, rb)
    assert diffs(p) == [("punctuation", ".", ","), ("punctuation", ",", ".")]
    assert p.similarity == 1.0
    for op in p.ops:
        assert "said" not in op.a_text and "told" not in op.b_text and "Later" not in op.b_text
    # identical runs are cut where either side's segment ends
    b_identical = [op.b_text for op in p.ops if op.op_class == "identical"]
    assert b_identical == ["People I know", "People my friends know", "You want to believe it."]
    check_invariants(p)


def test_nested_and_overlapping_segments_are_merged() -> None:
    text = "“She said ‘no’ to them,” he said."
    outer = quote(text, "q1", "She said ‘no’ to them,")
    inner = quote(text, "q2", "no")
    r = render("a", text, outer, inner)
    assert r.segments == ((1, 23),)
    assert [t.text for t in r.tokens].count("no") == 1


def test_direct_quotes_are_preferred_over_a_paraphrase_in_the_same_document() -> None:
    text = "She wrote that speaking up matters. “We have to speak up,” she wrote."
    r = render(
        "a",
        text,
        quote(text, "q1", "that speaking up matters", kind="indirect"),
        quote(text, "q2", "We have to speak up,"),
    )
    assert r.quote_ids == ("q2",) and not r.paraphrase
    only = render("b", text, quote(text, "q1", "that speaking up matters", kind="indirect"))
    assert only.paraphrase


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["we", "who", "that", "people", "country", ",", ".", "–", "—", "It’s", "it's"]
        ),
        min_size=1,
        max_size=25,
    ),
    st.lists(
        st.sampled_from(
            ["we", "who", "that", "people", "country", ",", ".", "–", "—", "It’s", "it's"]
        ),
        min_size=1,
        max_size=25,
    ),
)
def test_any_pair_of_quotes_gives_spans_that_cover_every_token_once(
    wa: list[str], wb: list[str]
) -> None:
    a, b = "“" + " ".join(wa) + "”", "“" + " ".join(wb) + "”"
    p = align(
        render("a", a, quote(a, "qa", Span(start=1, end=len(a) - 1))),
        render("b", b, quote(b, "qb", Span(start=1, end=len(b) - 1))),
    )
    check_invariants(p)
    assert 0.0 <= p.similarity <= 1.0


# --------------------------------------------------------------------------------------------
# Temp corpora: tables, lints, the compare command

SPEAKER = {"id": "sp", "type": "PER", "name": "Pat Speaker"}


def write_corpus(
    root: Path, docs: dict[str, tuple[str, list[dict[str, Any]]]], utterances: list[str]
) -> Path:
    """A corpus folder: corpus.yaml, texts/<doc>.txt and documents/<doc>.yaml (one quote a line)."""
    (root / "texts").mkdir(parents=True)
    (root / "documents").mkdir()
    world = [
        'schema_version: "1.0"',
        "corpus: {id: tmp, title: Temp corpus, language: en}",
        f"entities:\n  - {json.dumps(SPEAKER)}",
        "utterances:",
        *(
            f"  - {json.dumps({'id': u, 'speaker': 'sp', 'channel': 'press_remarks'})}"
            for u in utterances
        ),
    ]
    (root / "corpus.yaml").write_text("\n".join(world) + "\n", encoding="utf-8")
    for doc_id, (text, quotes) in docs.items():
        (root / "texts" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        sha = hashlib.sha256(text.encode()).hexdigest()
        lines = [
            'schema_version: "1.0"',
            f"doc_id: {doc_id}",
            f"text_path: texts/{doc_id}.txt",
            f"text_sha256: {sha}",
            "metadata: {language: en}",
            "quotes:",  # line 6; quote i is on line 7 + i
            *(f"  - {json.dumps({'speaker': 'sp', **q}, ensure_ascii=False)}" for q in quotes),
        ]
        (root / "documents" / f"{doc_id}.yaml").write_text(
            "\n".join(lines) + "\n", encoding="utf-8"
        )
    return root


VENICE_A = "“In the news, you hear about people who are such a part of our country,” she said."
VENICE_B = "“In the news you hear about people that are such a part of our country,” she told us."


@pytest.fixture
def two_outlets(tmp_path: Path) -> Path:
    return write_corpus(
        tmp_path / "c",
        {
            "d1": (
                VENICE_A,
                [{"id": "q1", "type": "direct", "content": [VENICE_A[1:71]], "utterance": "u1"}],
            ),
            "d2": (
                VENICE_B,
                [{"id": "q1", "type": "direct", "content": [VENICE_B[1:71]], "utterance": "u1"}],
            ),
        },
        ["u1"],
    )


def test_tables_have_explicit_schemas_and_rebuild_both_renderings(two_outlets: Path) -> None:
    corpus, report = load_corpus(two_outlets)
    assert corpus is not None and report.valid and not report.warnings
    tables = quote_variant_tables(corpus)
    variants, pairs = tables["quote_variants"], tables["quote_variant_pairs"]
    assert variants.schema.field("a_start").type == pa.int64()
    assert variants.schema.field("op_class").type == pa.string()
    assert not any(pa.types.is_large_string(f.type) for f in variants.schema)
    rows = variants.to_pylist()
    assert [r["op_index"] for r in rows] == list(range(len(rows)))
    assert {
        (r["op_class"], r["a_text"], r["b_text"]) for r in rows if r["op_class"] != "identical"
    } == {
        ("punctuation", ",", ""),
        ("function_word", "who", "that"),
    }
    assert all(VENICE_A[r["a_start"] : r["a_end"]] == r["a_text"] for r in rows)
    assert all(VENICE_B[r["b_start"] : r["b_end"]] == r["b_text"] for r in rows)
    summary = pairs.to_pylist()
    assert len(summary) == 1
    s = summary[0]
    assert (s["utterance_id"], s["doc_id_a"], s["doc_id_b"], s["relation"]) == (
        "u1",
        "d1",
        "d2",
        "variant",
    )
    assert (s["n_punctuation"], s["n_function_word"], s["n_omission"]) == (1, 1, 0)
    assert s["quote_ids_a"] == ["q1"] and s["segments_b"] == 1
    assert 0.9 < s["similarity"] < 1.0
    # deterministic
    again = quote_variant_tables(corpus)
    assert again["quote_variants"].equals(variants) and again["quote_variant_pairs"].equals(pairs)


def test_unlinked_similar_quotes_are_reported_at_the_quote(tmp_path: Path) -> None:
    root = write_corpus(
        tmp_path / "c",
        {
            "d1": (
                VENICE_A,
                [{"id": "q1", "type": "direct", "content": [VENICE_A[1:71]], "utterance": "u1"}],
            ),
            "d2": (VENICE_B, [{"id": "q1", "type": "direct", "content": [VENICE_B[1:71]]}]),
        },
        ["u1"],
    )
    with chdir(root):
        report = validate(".")
    assert report.valid
    [finding] = report.warnings
    assert finding.key() == ("documents/d2.yaml", 7, 5, Code.LINT_POSSIBLE_SAME_UTTERANCE.value)
    assert finding.severity is Severity.WARNING
    assert finding.path == "/quotes/0"
    assert "shares 93% of its words" in finding.message and "d1" in finding.message
    assert "utterance: u1" in finding.hint


def test_quotes_of_one_utterance_that_barely_overlap_are_reported(tmp_path: Path) -> None:
    other = "“Enforcement will ramp up in Chicago next week,” he said."
    root = write_corpus(
        tmp_path / "c",
        {
            "d1": (
                VENICE_A,
                [{"id": "q1", "type": "direct", "content": [VENICE_A[1:71]], "utterance": "u1"}],
            ),
            "d2": (
                other,
                [{"id": "q9", "type": "direct", "content": [other[1:47]], "utterance": "u1"}],
            ),
        },
        ["u1"],
    )
    with chdir(root):
        report = validate(".")
    [finding] = report.warnings
    line = (root / "documents" / "d2.yaml").read_text(encoding="utf-8").splitlines()[6]
    col = line.index('"u1"') + 1  # the value of `utterance:` in the quote
    assert finding.key() == ("documents/d2.yaml", 7, col, Code.LINT_LOW_OVERLAP_UTTERANCE.value)
    assert finding.path == "/quotes/0/utterance"
    assert "`u1`" in finding.message and "d1" in finding.message


def test_a_paraphrase_linked_to_the_utterance_is_not_low_overlap(tmp_path: Path) -> None:
    other = "She said that immigrants are part of the nation."
    root = write_corpus(
        tmp_path / "c",
        {
            "d1": (
                VENICE_A,
                [{"id": "q1", "type": "direct", "content": [VENICE_A[1:71]], "utterance": "u1"}],
            ),
            "d2": (
                other,
                [{"id": "q9", "type": "indirect", "content": [other[9:47]], "utterance": "u1"}],
            ),
        },
        ["u1"],
    )
    report = validate(root)
    assert report.valid and not report.warnings


def test_no_lint_skips_the_cross_document_pass(tmp_path: Path) -> None:
    root = write_corpus(
        tmp_path / "c",
        {
            "d1": (VENICE_A, [{"id": "q1", "type": "direct", "content": [VENICE_A[1:71]]}]),
            "d2": (VENICE_B, [{"id": "q1", "type": "direct", "content": [VENICE_B[1:71]]}]),
        },
        [],
    )
    assert [f.code for f in validate(root).warnings] == [Code.LINT_POSSIBLE_SAME_UTTERANCE]
    assert not validate(root, lint=False).warnings


def test_compare_lists_and_diffs_in_plain_text(two_outlets: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["compare", "--corpus", str(two_outlets)])
    assert listed.exit_code == 0, listed.output
    assert "utterances quoted in more than one document: 1" in listed.output
    assert "u1 (Pat Speaker, press_remarks)" in listed.output
    assert "d1 / d2: variant, similarity 0.93" in listed.output
    shown = runner.invoke(main, ["compare", "u1", "--corpus", str(two_outlets)])
    assert shown.exit_code == 0, shown.output
    out = shown.output
    assert "\x1b[" not in out  # plain when not a terminal
    assert (
        "In the news[-,-] you hear about people [-who-]{+that+} are such a part of our country,"
        in out
    )
    who, that = VENICE_A.index("who"), VENICE_B.index("that")
    assert f"function_word  {who}-{who + 3} 'who'  {that}-{that + 4} 'that'" in out
    assert "punctuation    12-13 ','    @12 (nothing)" in out
    assert "A d1: quote(s) q1, 1 segment(s), 15 words" in out


def test_compare_rejects_an_unknown_utterance(two_outlets: Path) -> None:
    result = CliRunner().invoke(main, ["compare", "nope", "--corpus", str(two_outlets)])
    assert result.exit_code == 2
    assert "no utterance has the id 'nope'" in result.output


# --------------------------------------------------------------------------------------------
# The seed corpus


def _seed() -> list[PairAlignment]:
    if not any((ANNOTATIONS / "documents").glob("*.y*ml")):
        pytest.skip("annotations/documents/ has no annotation files yet")
    corpus, report = load_corpus(ANNOTATIONS)
    if corpus is None:
        pytest.skip(f"annotations/ does not validate yet ({len(report.errors)} errors)")
    if len(corpus.documents) < 2:
        pytest.skip("annotations/ has fewer than two annotated documents yet")
    return compare_corpus(corpus)


def _pair_quoting(pairs: list[PairAlignment], words: str) -> PairAlignment:
    found = [p for p in pairs if any(words in op.a_text + op.b_text for op in p.ops)]
    assert found, f"no pair of renderings quotes {words!r}"
    return found[0]


def _has(p: PairAlignment, cls: str, a_text: str, b_text: str) -> Op:
    hits = [
        op for op in p.ops if op.op_class == cls and op.a_text == a_text and op.b_text == b_text
    ]
    assert hits, (
        cls,
        a_text,
        b_text,
        [(op.op_class, op.a_text, op.b_text) for op in p.differences()],
    )
    return hits[0]


def test_seed_corpus_validates_without_warnings() -> None:
    _seed()
    report = validate(ANNOTATIONS)
    assert report.valid
    assert not report.warnings, [f.key() for f in report.warnings]


def test_seed_venice_remarks_who_that_and_punctuation() -> None:
    p = _pair_quoting(_seed(), "such a part of our country")
    assert p.relation == "variant"
    op = _has(p, "function_word", "who", "that")
    assert p.a.text[op.a_start - 15 : op.a_end] == "so many people who"
    assert len([op for op in p.ops if op.op_class == "function_word"]) == 2  # twice who → that
    _has(p, "punctuation", ",", "")  # "In the news, you hear" / "In the news you hear"
    assert p.similarity > 0.9
    check_invariants(p)


def test_seed_instagram_post_omission_dash_and_truncation() -> None:
    p = _pair_quoting(_seed(), "being ripped from their families")
    assert p.relation == "variant"
    _has(p, "omission", "in inhumane ways", "")
    _has(p, "punctuation", " – ", "—")
    assert any(
        op.op_class == "truncation" and "We have to do what’s right" in op.a_text for op in p.ops
    )
    check_invariants(p)
