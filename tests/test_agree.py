"""`newsanno agree`: each metric on small hand-computed cases, agree(A, A) = 1, the CLI, and the
second annotation of the seed corpus kept valid in annotations/agreement/annotator-b."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from newsanno import validate
from newsanno.agree import agree, load_side
from newsanno.agree.coref import b_cubed, ceaf_e, lea, muc
from newsanno.agree.match import Unit, exact_pairs, overlap_pairs
from newsanno.agree.metrics import cohen_kappa, krippendorff_alpha, link_prf, prf
from newsanno.model.corpus import Corpus

from .conftest import ANNOTATIONS, CASES, MINIMAL, REPO

SECOND = ANNOTATIONS / "agreement" / "annotator-b"


def run(
    *args: str, cwd: Path | None = None, hash_seed: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    if hash_seed is not None:
        env["PYTHONHASHSEED"] = hash_seed
    return subprocess.run(
        [sys.executable, "-m", "newsanno", *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env=env,
    )


def close(value: float | None, expected: float) -> bool:
    return value is not None and math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-12)


# ---- precision, recall, F1 and the matchings


def test_prf_precision_is_b_recall_is_a() -> None:
    s = prf(3, 4, 6)  # 3 matched, A has 4, B has 6
    assert close(s["precision"], 3 / 6) and close(s["recall"], 3 / 4)
    assert close(s["f1"], 2 * 0.5 * 0.75 / 1.25)
    assert prf(0, 0, 0) == {"precision": None, "recall": None, "f1": None}
    assert prf(0, 5, 0) == {"precision": None, "recall": 0.0, "f1": 0.0}


def unit(doc: str, *segments: tuple[int, int], ident: str = "x") -> Unit:
    return Unit(doc, tuple(sorted(segments)), SimpleNamespace(id=ident))


def test_exact_match_is_document_and_offsets_and_a_quote_is_its_set_of_segments() -> None:
    a = [unit("d", (0, 5)), unit("d", (10, 20), (30, 40)), unit("e", (0, 5))]
    b = [unit("d", (0, 5)), unit("d", (30, 40), (10, 20)), unit("d", (10, 20)), unit("f", (0, 5))]
    pairs = exact_pairs(a, b)
    assert [(x.doc, x.segments) for x, _ in pairs] == [
        ("d", ((0, 5),)),
        ("d", ((10, 20), (30, 40))),
    ]
    s = prf(len(pairs), len(a), len(b))
    assert close(s["precision"], 2 / 4) and close(s["recall"], 2 / 3)


def test_overlap_match_is_a_maximum_matching_not_a_greedy_one() -> None:
    # a greedy pairing by best overlap takes A1-B1 (Jaccard 8/12) and then nothing else pairs;
    # the maximum matching pairs A1-B2 and A2-B1
    a1, a2 = unit("d", (0, 10), ident="a1"), unit("d", (10, 14), ident="a2")
    b1, b2 = unit("d", (2, 12), ident="b1"), unit("d", (0, 1), ident="b2")
    pairs = overlap_pairs([a1, a2], [b1, b2])
    assert {(x.item.id, y.item.id) for x, y in pairs} == {("a1", "b2"), ("a2", "b1")}


def test_overlap_match_prefers_the_exact_partner_and_ignores_other_documents() -> None:
    a = [unit("d", (0, 10), ident="a1")]
    b = [unit("d", (0, 9), ident="near"), unit("d", (0, 10), ident="same"), unit("e", (0, 10))]
    pairs = overlap_pairs(a, b)
    assert [(x.item.id, y.item.id) for x, y in pairs] == [("a1", "same")]
    assert overlap_pairs([unit("d", (0, 5))], [unit("d", (5, 9))]) == []  # touching, no overlap


# ---- kappa and alpha


def test_cohen_kappa_hand_computed() -> None:
    # observed 3/4; expected .5*.25 + .5*.75 = .5; kappa = (.75 - .5) / (1 - .5)
    assert close(cohen_kappa(["x", "x", "y", "y"], ["x", "y", "y", "y"]), 0.5)
    # two coders never agreeing on two balanced values: observed 0, expected .5
    assert close(cohen_kappa(["x", "y"], ["y", "x"]), -1.0)


def test_krippendorff_alpha_hand_computed() -> None:
    # coincidences: o_xx = 2, o_xy = o_yx = 1, o_yy = 4; n = 8, n_x = 3, n_y = 5
    # D_o = 2/8, D_e = 2*3*5/(8*7); alpha = 1 - D_o/D_e = 8/15
    assert close(krippendorff_alpha(["x", "x", "y", "y"], ["x", "y", "y", "y"]), 8 / 15)
    assert close(krippendorff_alpha([True, False, True], [True, False, True]), 1.0)


def test_coefficients_are_undefined_not_invented() -> None:
    assert cohen_kappa([], []) is None and krippendorff_alpha([], []) is None
    assert cohen_kappa(["x", "x"], ["x", "x"]) is None  # one value: expected agreement is 1
    assert krippendorff_alpha(["x", "x"], ["x", "x"]) is None


# ---- coreference: published worked examples

# Pradhan et al. (2014), "Scoring Coreference Partitions of Predicted Mentions: A Reference
# Implementation", ACL, section 2 (Figure 1): key {a,b,c} {d,e,f,g}, response {a,b} {c,d}
# {f,g,h,i}. The paper gives MUC R = P = 0.40; B³ R = 1/7 (4/3 + 1/3 + 1/4 + 4/4) = 0.42,
# P = 1/8 (4/2 + 1/2 + 1/2 + 4/4) = 0.50; CEAF-e R = (4/5 + 1/2)/2 = 0.65, P = 1.3/3 = 0.43.
KEY = [{"a", "b", "c"}, {"d", "e", "f", "g"}]
RESPONSE = [{"a", "b"}, {"c", "d"}, {"f", "g", "h", "i"}]


def test_muc_pradhan_2014_example() -> None:
    s = muc(KEY, RESPONSE)
    assert close(s["recall"], 2 / 5) and close(s["precision"], 2 / 5) and close(s["f1"], 2 / 5)


def test_b_cubed_pradhan_2014_example() -> None:
    s = b_cubed(KEY, RESPONSE)
    assert close(s["recall"], (4 / 3 + 1 / 3 + 1 / 4 + 4 / 4) / 7)
    assert close(s["precision"], (4 / 2 + 1 / 2 + 1 / 2 + 4 / 4) / 8)


def test_ceaf_e_pradhan_2014_example() -> None:
    s = ceaf_e(KEY, RESPONSE)
    assert close(s["recall"], 1.3 / 2) and close(s["precision"], 1.3 / 3)


def test_ceaf_e_reference_scorer_test_cases() -> None:
    # the CoNLL reference scorer's test/TestCases.README (Pradhan et al. 2014's implementation):
    # TC2 key {a} {bc} {def}, response {a} {de}: CEAF-e recall 1.8/3, precision 1.8/2
    key = [{"a"}, {"b", "c"}, {"d", "e", "f"}]
    s = ceaf_e(key, [{"a"}, {"d", "e"}])
    assert close(s["recall"], 1.8 / 3) and close(s["precision"], 1.8 / 2)
    # TC4 response {a} {bcx} {dy} {z}: common 1 + 4/5 + 2/5 = 2.2; recall 2.2/3, precision 2.2/4
    s = ceaf_e(key, [{"a"}, {"b", "c", "x"}, {"d", "y"}, {"z"}])
    assert close(s["recall"], 2.2 / 3) and close(s["precision"], 2.2 / 4)


def test_lea_moosavi_strube_2016_definition_on_the_pradhan_example() -> None:
    # LEA (Moosavi and Strube 2016, "Which Coreference Evaluation Metric Do You Trust?", ACL,
    # section 5): sum over entities of size x (kept links / links), over the sum of sizes.
    # Recall: {a,b,c} keeps 1 of 3 links (a-b), {d,e,f,g} 1 of 6 (f-g): (3/3 + 4/6) / 7.
    # Precision: {a,b} keeps its link, {c,d} none, {f,g,h,i} 1 of 6: (2 + 0 + 4/6) / 8.
    s = lea(KEY, RESPONSE)
    assert close(s["recall"], (3 * 1 / 3 + 4 * 1 / 6) / 7)
    assert close(s["precision"], (2 * 1 + 2 * 0 + 4 * 1 / 6) / 8)


# The test cases of the LEA authors' scorer (Moosavi's coval, tests/TestCases.README, which
# extends the CoNLL reference scorer's cases with LEA): (key, response, metric, recall, precision)
GOLD3 = [{"a"}, {"b", "c"}, {"d", "e", "f"}]
COVAL_CASES = [
    ("TC-A-2", GOLD3, [{"a"}, {"d", "e"}], "lea", (1 + 3 * (1 / 3)) / 6, (1 + 2) / 3),
    ("TC-A-2", GOLD3, [{"a"}, {"d", "e"}], "muc", 1 / 3, 1 / 1),
    ("TC-A-2", GOLD3, [{"a"}, {"d", "e"}], "b3", 7 / 18, 3 / 3),
    ("TC-A-3", GOLD3, [{"a"}, {"b", "c", "x"}, {"d", "e", "f", "y"}, {"z"}], "lea", 1.0, 4 / 9),
    ("TC-A-3", GOLD3, [{"a"}, {"b", "c", "x"}, {"d", "e", "f", "y"}, {"z"}], "muc", 1.0, 3 / 5),
    ("TC-A-3", GOLD3, [{"a"}, {"b", "c", "x"}, {"d", "e", "f", "y"}, {"z"}], "b3", 1.0, 55 / 108),
    ("TC-A-4", GOLD3, [{"a"}, {"b", "c", "x"}, {"d", "y"}, {"z"}], "lea", 3 / 6, 2 / 7),
    ("TC-A-4", GOLD3, [{"a"}, {"b", "c", "x"}, {"d", "y"}, {"z"}], "b3", 5 / 9, 17 / 42),
    ("TC-A-10", GOLD3, [{x} for x in "abcdef"], "lea", 1 / 6, 1 / 6),
    ("TC-A-11", GOLD3, [set("abcdef")], "lea", 5 / 6, 4 / 15),
    ("TC-A-11", GOLD3, [set("abcdef")], "muc", 1.0, 3 / 5),
    ("TC-M-3", [set("abcdef")], [{"a", "b"}, {"c", "d", "e"}, {"f"}], "lea", 4 / 15, 5 / 6),
    ("TC-N-4", [{x} for x in "abcdef"], [{x} for x in "abcxyz"], "lea", 0.5, 0.5),
    ("TC-L-1", KEY, [{"a", "b"}, {"c", "d"}, {"f", "g", "h"}], "lea", 5 / 21, 3 / 7),
    ("TC-L-1", KEY, [{"a", "b"}, {"c", "d"}, {"f", "g", "h"}], "muc", 2 / 5, 2 / 4),
]


@pytest.mark.parametrize(("case", "key", "response", "metric", "recall", "precision"), COVAL_CASES)
def test_coval_published_cases(
    case: str, key: Any, response: Any, metric: str, recall: float, precision: float
) -> None:
    scorer = {"lea": lea, "muc": muc, "b3": b_cubed}[metric]
    s = scorer(key, response)
    assert close(s["recall"], recall) and close(s["precision"], precision), (case, s)


def test_identical_partitions_score_one_and_muc_without_links_is_undefined() -> None:
    for metric in (muc, b_cubed, ceaf_e, lea):
        s = metric(KEY, [set(c) for c in KEY])
        assert s == {"precision": 1.0, "recall": 1.0, "f1": 1.0}, metric
    assert muc([{"a"}, {"b"}], [{"a"}, {"b"}])["f1"] is None


def test_pairwise_link_f1() -> None:
    # A links a-b, a-c, b-c; B links a-b and d-e: 1 shared link
    s = link_prf([{"a", "b", "c"}, {"d"}, {"e"}], [{"a", "b"}, {"c"}, {"d", "e"}])
    assert close(s["recall"], 1 / 3) and close(s["precision"], 1 / 2)


# ---- the whole measurement


@pytest.fixture(scope="module")
def seed() -> Corpus:
    corpus, report = load_side(ANNOTATIONS)
    assert corpus is not None, report
    return corpus


def leaves(data: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        return [leaf for k, v in data.items() for leaf in leaves(v, f"{path}.{k}")]
    return [(path, data)]


FIGURES = ("precision", "recall", "f1", "agreement", "kappa", "alpha", "accuracy")


def test_agree_with_itself_is_one_everywhere(seed: Corpus) -> None:
    data = agree(seed, seed).data
    figures = [(p, v) for p, v in leaves(data) if p.rsplit(".", 1)[-1] in FIGURES]
    assert len(figures) > 60
    assert [(p, v) for p, v in figures if v != 1.0] == []
    assert set(data["layers"]) == {
        "mentions",
        "quotes",
        "claims",
        "event_mentions",
        "event_arguments",
    }
    assert set(data["coref"]) == {"mentions", "muc", "b3", "ceafe", "lea"}
    assert data["documents"]["only_a"] == data["documents"]["only_b"] == []


def test_a_dropped_mention_and_a_changed_quote_type_show_up(seed: Corpus) -> None:
    first = seed.documents[0]
    model = first.model
    quote = model.quotes[0]
    other = "indirect" if quote.type == "direct" else "direct"
    changed = model.model_copy(
        update={
            "mentions": model.mentions[1:],
            "quotes": [quote.model_copy(update={"type": other}), *model.quotes[1:]],
        }
    )
    docs = [type(first)(changed, first.text, first.file), *seed.documents[1:]]
    b = Corpus(seed.world, docs, seed.root)
    result = agree(seed, b)
    n = sum(len(d.model.mentions) for d in seed.documents)
    mentions = result.data["layers"]["mentions"]
    assert (mentions["count_a"], mentions["count_b"]) == (n, n - 1)
    assert mentions["exact"]["precision"] == 1.0
    assert close(mentions["exact"]["recall"], (n - 1) / n)
    q = sum(len(d.model.quotes) for d in seed.documents)
    assert close(result.data["labels"]["quotes.type"]["agreement"], (q - 1) / q)
    key = (model.doc_id, quote.id)
    assert any("type" in note for note in result.notes_a[key])
    assert (model.doc_id, model.mentions[0].id) in result.unmatched_a


def test_documents_on_one_side_are_reported(seed: Corpus) -> None:
    minimal, _ = load_side(MINIMAL)
    assert minimal is not None
    data = agree(seed, minimal).data
    assert data["documents"]["matched"] == []
    assert data["documents"]["only_a"] == [d.model.doc_id for d in seed.documents]
    assert data["documents"]["only_b"] == ["a1"]


def test_an_exported_dataset_is_read_like_its_folder(seed: Corpus, tmp_path: Path) -> None:
    from newsanno import export_dataset

    assert export_dataset(SECOND, tmp_path / "b").written
    folder, _ = load_side(SECOND)
    exported, report = load_side(tmp_path / "b")
    assert folder is not None and exported is not None and report is None
    assert agree(seed, exported).data == agree(seed, folder).data


# ---- the second annotation in the project, and the CLI


def test_the_second_annotation_is_valid() -> None:
    result = run("validate", "annotations/agreement/annotator-b")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_top_level_corpus_does_not_read_the_nested_one() -> None:
    report = validate(ANNOTATIONS)
    assert report.valid
    assert report.documents == 2
    assert not any("agreement" in f for f in report.files)


def test_cli_agree_prints_the_tables() -> None:
    result = run("agree", "annotations", "annotations/agreement/annotator-b")
    assert result.returncode == 0, result.stderr
    for title in ("Spans", "Labels on matched units", "Coreference over", "Cross-document"):
        assert title in result.stdout
    assert "event mentions" in result.stdout and "LEA" in result.stdout


def test_cli_agree_json_has_the_documented_keys(tmp_path: Path) -> None:
    out = tmp_path / "agree.json"
    result = run(
        "agree",
        "annotations",
        "annotations/agreement/annotator-b",
        "--format",
        "json",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    for layer in ("mentions", "quotes", "claims", "event_mentions", "event_arguments"):
        for match in ("exact", "overlap"):
            assert set(data["layers"][layer][match]) == {"matched", "precision", "recall", "f1"}
    for metric in ("muc", "b3", "ceafe", "lea"):
        assert 0 <= data["coref"][metric]["f1"] <= 1
    for name in ("quotes.type", "claims.type", "claims.checkworthy", "event_mentions.type"):
        assert {"units", "agreement", "kappa", "alpha"} <= set(data["labels"][name])
    assert "event_mentions.realis" in data["labels"]
    for name in ("mentions.entity", "quotes.speaker", "claims.claimant"):
        assert set(data["labels"][name]) == {"units", "accuracy"}
    assert set(data["cross_document"]) == {"quotes_utterances", "event_mentions_events"}


def test_cli_agree_layer_option_limits_the_output() -> None:
    result = run("agree", "annotations", "annotations", "--layer", "quotes", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["layers"]) == {"quotes"}
    assert "coref" not in data and set(data["cross_document"]) == {"quotes_utterances"}


def test_cli_agree_html_shows_both_texts_side_by_side(tmp_path: Path) -> None:
    out = tmp_path / "agree.html"
    result = run(
        "agree",
        "annotations",
        "annotations/agreement/annotator-b",
        "--format",
        "html",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count('<div class="sbs">') == 4  # texts and disagreement lists, two documents
    assert "A: 000_2e9678c93963f465" in page and "B: 001_9a0d3f690929b67c" in page
    assert 'class="hl mention' in page and "agree-miss" in page and "agree-diff" in page
    # the same page whatever order Python's string hashing gives sets (it listed the
    # disagreements of one layer before another's at random)
    again = tmp_path / "again.html"
    for seed in ("1", "2"):
        args = ("annotations", "annotations/agreement/annotator-b", "--format", "html")
        assert run("agree", *args, "--out", str(again), hash_seed=seed).returncode == 0
        assert again.read_text(encoding="utf-8") == page, seed


def test_cli_agree_refuses_an_invalid_corpus_with_its_findings() -> None:
    case = CASES / "invalid" / "ambiguous-anchors"
    result = run("agree", "annotations", str(case))
    assert result.returncode == 1
    assert "error[anchor-ambiguous]" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_cli_agree_missing_folder_is_a_usage_error() -> None:
    result = run("agree", "annotations", "no/such/folder")
    assert result.returncode == 2
    assert "no such file or folder" in result.stderr


def test_a_nested_corpus_is_a_corpus_of_its_own(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(MINIMAL, tmp_path / "outer")
    shutil.copytree(MINIMAL, tmp_path / "outer" / "copies" / "inner")
    outer = validate(tmp_path / "outer")
    assert outer.valid and outer.documents == 1
    inner = validate(tmp_path / "outer" / "copies" / "inner")
    assert inner.valid and inner.documents == 1
