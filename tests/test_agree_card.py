"""The dataset card reports the agreement with a second annotation kept in <corpus>/agreement/:
the figures equal agree()'s, a corpus without one exports as before, the export stays
deterministic; and `newsanno agree`'s table stays readable when stdout is no terminal."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import newsanno
from newsanno.agree import agree, load_side
from newsanno.agree.card import second_annotations
from newsanno.engines import api

from .conftest import ANNOTATIONS, MINIMAL, REPO

SECTION = "## Inter-annotator agreement"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsanno", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def table_rows(section: str) -> dict[str, list[str]]:
    """Every Markdown table row of the section, by its first cell."""
    rows = {}
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            rows[cells[0]] = cells[1:]
    return rows


def figure(cell: str) -> float | None:
    return None if cell in ("–", "") else float(cell)


def same(cell: str, value: float | None) -> bool:
    """A card figure (three decimals) is the measured one, rounded."""
    got = figure(cell)
    return got is None if value is None else got is not None and abs(got - value) <= 0.0005


@pytest.fixture(scope="module")
def seed_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("card") / "ds"
    assert newsanno.export_dataset(ANNOTATIONS, out).written
    return out


def test_the_seed_corpus_keeps_one_second_annotation() -> None:
    assert second_annotations(ANNOTATIONS) == [ANNOTATIONS / "agreement" / "annotator-b"]
    assert second_annotations(MINIMAL) == []


def test_the_seed_card_reports_agree_figures(seed_export: Path) -> None:
    card = (seed_export / "README.md").read_text(encoding="utf-8")
    assert card.count(SECTION) == 1
    section = card[card.index(SECTION) : card.index("## Offsets and dates")]
    assert "### B: `agreement/annotator-b`" in section
    assert "**after adjudication**" in section
    assert "not computed by the export" in section
    assert "No inter-annotator agreement figures" not in card

    a, report_a = load_side(ANNOTATIONS)
    b, report_b = load_side(ANNOTATIONS / "agreement" / "annotator-b")
    assert a is not None and b is not None, (report_a, report_b)
    data: dict[str, Any] = agree(a, b).data
    rows = table_rows(section)

    names = {
        "mentions": "mentions",
        "quotes": "quotes",
        "claims": "claims",
        "event_mentions": "event mentions",
        "event_arguments": "event arguments",
    }
    for layer, row in data["layers"].items():
        cells = rows[names[layer]]
        assert cells[:2] == [str(row["count_a"]), str(row["count_b"])]
        measured = [row[m][k] for m in ("exact", "overlap") for k in ("precision", "recall", "f1")]
        assert all(same(c, v) for c, v in zip(cells[2:], measured, strict=True)), (layer, cells)
    checked = 0
    for name, row in data["labels"].items():
        if "kappa" in row:
            cells = rows[f"`{name}`"]
            assert cells[0] == str(row["units"])
            for c, v in zip(cells[1:], (row["agreement"], row["kappa"], row["alpha"]), strict=True):
                assert same(c, v), (name, cells)
            checked += 1
        elif "accuracy" in row:
            cells = rows[f"`{name}` (accuracy)"]
            assert cells[0] == str(row["units"]) and same(cells[1], row["accuracy"])
            checked += 1
    assert checked == 9
    role = data["labels"]["event_arguments.role"]
    assert f"P {role['precision']:.3f}, R {role['recall']:.3f}, F1 {role['f1']:.3f}" in section
    coref = data["coref"]
    assert f"over {coref['mentions']} exactly matched mentions" in section
    for metric, label in (("muc", "MUC"), ("b3", "B³"), ("ceafe", "CEAF-e"), ("lea", "LEA")):
        measured = [coref[metric][k] for k in ("precision", "recall", "f1")]
        assert all(same(c, v) for c, v in zip(rows[label], measured, strict=True)), metric
    for name, label in (
        ("quotes_utterances", "quotes → utterances"),
        ("event_mentions_events", "event mentions → events"),
    ):
        row, cells = data["cross_document"][name], rows[label]
        assert cells[:3] == [str(row["units"]), str(row["links_a"]), str(row["links_b"])]
        measured = [row[m][k] for m in ("pairwise", "b3") for k in ("precision", "recall", "f1")]
        assert all(same(c, v) for c, v in zip(cells[3:], measured, strict=True)), name
    # B's own account of what it holds, from its corpus file, is quoted
    assert b.world.corpus.note is not None and b.world.corpus.note.strip() in section


def test_the_card_section_changes_only_the_card(seed_export: Path, tmp_path: Path) -> None:
    """Without the agreement folder the same annotations give the same tables, byte for byte:
    only README.md (and so checksums.sha256) differ."""
    corpus = tmp_path / "annotations"
    shutil.copytree(ANNOTATIONS, corpus)
    shutil.rmtree(corpus / "agreement")
    assert newsanno.export_dataset(corpus, tmp_path / "plain").written
    with_section, plain = files_of(seed_export), files_of(tmp_path / "plain")
    assert set(with_section) == set(plain)
    assert sorted(k for k in plain if plain[k] != with_section[k]) == [
        "README.md",
        "checksums.sha256",
    ]
    card = plain["README.md"].decode("utf-8")
    assert SECTION not in card and "No inter-annotator agreement figures" in card


@pytest.mark.parametrize("corpus", [MINIMAL, ANNOTATIONS / "agreement" / "annotator-b"])
def test_a_corpus_without_agreement_folder_exports_as_the_engine_does(
    corpus: Path, tmp_path: Path
) -> None:
    assert newsanno.export_dataset(corpus, tmp_path / "new").written
    assert api.export_dataset(corpus, tmp_path / "engine").written
    assert files_of(tmp_path / "new") == files_of(tmp_path / "engine")
    assert SECTION not in (tmp_path / "new" / "README.md").read_text(encoding="utf-8")


def test_the_cli_export_with_agreement_is_deterministic(tmp_path: Path, seed_export: Path) -> None:
    for name in ("one", "two"):
        result = run("export", "annotations", "--out", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
    one, two = files_of(tmp_path / "one"), files_of(tmp_path / "two")
    assert one == two
    assert one == files_of(seed_export)  # the library and the command line agree
    assert SECTION in one["README.md"].decode("utf-8")


def test_an_invalid_second_annotation_refuses_the_export(tmp_path: Path) -> None:
    corpus = tmp_path / "annotations"
    shutil.copytree(ANNOTATIONS, corpus)
    doc = corpus / "agreement" / "annotator-b" / "documents" / "000_2e9678c93963f465.yaml"
    text = doc.read_text(encoding="utf-8")
    assert 'text: "Kim Kardashian"' in text
    doc.write_text(text.replace('text: "Kim Kardashian"', 'text: "Kim Kardashain"', 1), "utf-8")
    result = run("export", str(corpus), "--out", str(tmp_path / "ds"))
    assert result.returncode == 1
    assert "agreement/annotator-b/documents/000_2e9678c93963f465.yaml:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "ds").exists()


def test_agree_text_is_not_cut_when_stdout_is_no_terminal() -> None:
    """Piped (not a terminal), with rich's fallback width of 80: the labels stay whole."""
    result = run("agree", "annotations", "annotations/agreement/annotator-b", env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout
    for label in (
        "event arguments",
        "mentions.entity (accuracy, aligned entities)",
        "event mentions → events",
        "overlap F1",
    ):
        assert label in result.stdout, label
