"""Agreement in the dataset card: an export of a corpus folder that holds a second annotation of
its texts (``<corpus>/agreement/<name>/``, a corpus folder of its own) measures the corpus against
it with :func:`newsanno.agree.agree` and reports the figures in the card.

The export layers (dataset, engines) sit below this one, so they take the section as Markdown
(``write_dataset(..., agreement=...)``) or as a function of the validated corpus
(``export_dataset(..., agreement=...)``); this module supplies it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsanno.dataset.write import ExportResult
from newsanno.engines.api import export_dataset as _export
from newsanno.engines.local import CORPUS_NAMES
from newsanno.model.corpus import Corpus
from newsanno.model.findings import Report

AGREEMENT_FOLDER = "agreement"


def second_annotations(corpus: Path | str) -> list[Path]:
    """The second annotations kept with a corpus folder: ``agreement/<name>/`` folders holding a
    corpus file, in name order."""
    folder = Path(corpus) / AGREEMENT_FOLDER
    if not folder.is_dir():
        return []
    return sorted(
        sub
        for sub in folder.iterdir()
        if sub.is_dir() and any((sub / name).is_file() for name in CORPUS_NAMES)
    )


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    align = ["---" if i == 0 else "---:" for i in range(len(head))]
    return [_row(head), "| " + " | ".join(align) + " |", *(_row(r) for r in rows)]


def tables_markdown(data: dict[str, Any]) -> list[str]:
    """The figures of one measurement (``Agreement.data``) as Markdown tables, per layer."""
    from newsanno.agree import report as r

    out = ["Spans, per layer (P is B's, R is A's):", ""]
    out += _table(r.SPAN_HEAD, r.span_rows(data))
    if data["labels"]:
        rows = [
            [f"`{name}` (accuracy)" if accuracy else f"`{name}`", *cells]
            for name, accuracy, cells in r.label_rows(data)
        ]
        out += [
            "",
            "Labels on overlap-matched units (kappa: Cohen's κ, alpha: Krippendorff's α):",
            "",
        ]
        out += _table(r.LABEL_HEAD, rows)
        role = r.role_line(data)
        if role:
            out += ["", role]
    if "coref" in data:
        mentions = data["coref"]["mentions"]
        out += ["", f"Coreference within each document, over {mentions} exactly matched mentions:"]
        out += ["", *_table(r.COREF_HEAD, r.coref_rows(data))]
    if "cross_document" in data:
        out += [
            "",
            "Cross-document links over matched units (quotes → utterances, event mentions → events):",
            "",
        ]
        out += _table(r.CROSS_HEAD, r.cross_rows(data))
    return out


def card_section(measured: list[tuple[str, Corpus, dict[str, Any]]]) -> str:
    """The card's "Inter-annotator agreement" section: for each second annotation (its path
    relative to the corpus folder, its corpus, the figures), what was measured, on what, and the
    figures as they came out."""
    out = [
        "Measured by `newsanno agree` when this dataset was exported: A is the annotation "
        "exported here, B a second annotation of the same texts kept with the corpus. Documents "
        "are paired by the sha256 of their text; spans are matched exactly (same offsets) or by "
        "overlap (a one-to-one matching of overlapping spans), and labels are compared on "
        "overlap-matched units. The README of the newsanno toolkit (section Agreement) defines "
        "every figure; `–` is a figure that is undefined (no units, or a single value), and "
        "an empty cell one that does not apply.",
        "",
        "The export measures the annotation as it is now, that is **after adjudication** "
        "where the annotation was adjudicated against B: adjudication moves it towards B where B "
        "was right, so these are not the figures of two independent annotations. Figures from "
        "before adjudication are not computed by the export: where they were measured, the "
        "corpus's own documentation reports them (for the newsanno seed corpus: the Agreement "
        "section of the repository's README "
        "and `annotations/GUIDELINES.md` §9).",
        "",
        "Read the A and B columns first: where B annotated far fewer units of a layer, or only "
        "placeholder labels, by its own conventions, that row measures B's coverage, not "
        "disagreement.",
    ]
    for rel, corpus_b, data in measured:
        info = corpus_b.world.corpus
        docs = data["documents"]
        out += ["", f"### B: `{rel}`", "", f"{info.title} (corpus id `{info.id}`)."]
        if info.description:
            out[-1] += f" Its description: “{info.description.strip()}”"
        if info.note:
            out[-1] += f" Its note: “{info.note.strip()}”"
        paired = f"{len(docs['matched'])} document(s) paired by text"
        for side, letter in (("only_a", "A"), ("only_b", "B")):
            if docs[side]:
                paired += f"; only in {letter}, not measured: {', '.join(docs[side])}"
        out += ["", paired + ".", "", *tables_markdown(data)]
    return "\n".join(out) + "\n"


def agreement_section(
    corpus_dir: Path | str,
) -> tuple[Callable[[Corpus], str] | None, Report | None]:
    """For an export of ``corpus_dir``: a function of the validated corpus giving its card
    section (None when the folder keeps no second annotation), or the report of a second
    annotation that is invalid (the export is then refused)."""
    root = Path(corpus_dir)
    sides: list[tuple[str, Corpus]] = []
    found = second_annotations(root)
    if not found:
        return None, None
    from newsanno.agree.core import agree, load_side  # scipy: only when there is one

    for path in found:
        corpus_b, report = load_side(path)
        if corpus_b is None:
            return None, report
        sides.append((path.relative_to(root).as_posix(), corpus_b))
    if not sides:
        return None, None

    def section(corpus_a: Corpus) -> str:
        return card_section([(rel, b, agree(corpus_a, b).data) for rel, b in sides])

    return section, None


def export_dataset(
    corpus: Path | str = "annotations",
    out: Path | str = "dist/newsanno",
    *,
    lint: bool = True,
    rows_per_part: int | None = None,
    jobs: int = 1,
    progress: bool | None = False,
    claims: bool | None = None,
) -> ExportResult:
    """:func:`newsanno.engines.api.export_dataset`, with the agreement of each second annotation
    kept in ``<corpus>/agreement/`` in the dataset card (``newsanno.export_dataset``, ``newsanno
    export``). A second annotation that is invalid refuses the export with its findings; a corpus
    without one is exported exactly as by the engine's function."""
    section, invalid = agreement_section(corpus) if Path(corpus).is_dir() else (None, None)
    if invalid is not None:
        return ExportResult(invalid)
    return _export(
        corpus,
        out,
        lint=lint,
        rows_per_part=rows_per_part,
        jobs=jobs,
        progress=progress,
        claims=claims,
        agreement=section,
    )
