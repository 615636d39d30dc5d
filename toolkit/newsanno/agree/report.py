"""How `newsanno agree` shows its figures: a rich table, JSON, or an HTML page that puts the two
annotations of each text side by side with their disagreements marked (the render view's
highlighting and stylesheet)."""

from __future__ import annotations

import dataclasses
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from newsanno.agree.core import Agreement, Key
from newsanno.model.corpus import Corpus, LoadedDocument

LAYER_NAMES = {
    "mentions": "mentions",
    "quotes": "quotes",
    "claims": "claims",
    "event_mentions": "event mentions",
    "event_arguments": "event arguments",
}
CROSS_NAMES = {
    "quotes_utterances": "quotes → utterances",
    "event_mentions_events": "event mentions → events",
}


def as_dict(result: Agreement, a: str, b: str) -> dict[str, Any]:
    """What ``--format json`` prints: the two sides' paths, then the figures."""
    return {"a": a, "b": b, **result.data}


def num(value: float | None) -> str:
    """A figure with three decimals; an undefined one as a dash."""
    return "–" if value is None else f"{value:.3f}"


def print_text(result: Agreement, a: str, b: str, console: Console) -> None:
    """The readable table."""
    data = result.data
    docs = data["documents"]
    console.print(
        f"[bold]A[/] {escape(a)}  [bold]B[/] {escape(b)}: {len(docs['matched'])} document(s) "
        "matched by text; precision is B's, recall is A's"
    )
    for side in ("only_a", "only_b"):
        if docs[side]:
            console.print(
                f"[yellow]only in {side[-1].upper()}[/] (not measured): {escape(', '.join(docs[side]))}"
            )
    spans = Table(title="Spans", title_justify="left")
    for col in (
        "layer",
        "A",
        "B",
        "exact P",
        "exact R",
        "exact F1",
        "overlap P",
        "overlap R",
        "overlap F1",
    ):
        spans.add_column(col, justify="left" if col == "layer" else "right")
    for layer, row in data["layers"].items():
        ex, ov = row["exact"], row["overlap"]
        spans.add_row(
            LAYER_NAMES[layer],
            str(row["count_a"]),
            str(row["count_b"]),
            *(num(ex[k]) for k in ("precision", "recall", "f1")),
            *(num(ov[k]) for k in ("precision", "recall", "f1")),
        )
    console.print(spans)
    labels = data["labels"]
    if labels:
        table = Table(title="Labels on matched units (overlap)", title_justify="left")
        for col in ("label", "units", "agreement", "kappa", "alpha"):
            table.add_column(col, justify="left" if col == "label" else "right")
        for name, row in labels.items():
            if "kappa" in row:
                table.add_row(
                    name,
                    str(row["units"]),
                    num(row["agreement"]),
                    num(row["kappa"]),
                    num(row["alpha"]),
                )
            elif "accuracy" in row:
                table.add_row(
                    f"{name} (accuracy, aligned entities)",
                    str(row["units"]),
                    num(row["accuracy"]),
                    "–",
                    "–",
                )
        console.print(table)
        role = labels.get("event_arguments.role")
        if role:
            console.print(
                f"event argument roles (trigger, entity, role): P {num(role['precision'])}  "
                f"R {num(role['recall'])}  F1 {num(role['f1'])}"
            )
    if "coref" in data:
        coref = data["coref"]
        table = Table(
            title=f"Coreference over {coref['mentions']} exactly matched mentions",
            title_justify="left",
        )
        for col in ("metric", "P", "R", "F1"):
            table.add_column(col, justify="left" if col == "metric" else "right")
        for name in ("muc", "b3", "ceafe", "lea"):
            row = coref[name]
            table.add_row(
                {"muc": "MUC", "b3": "B³", "ceafe": "CEAF-e", "lea": "LEA"}[name],
                *(num(row[k]) for k in ("precision", "recall", "f1")),
            )
        console.print(table)
    if "cross_document" in data:
        table = Table(title="Cross-document clusters (matched units)", title_justify="left")
        for col in (
            "clusters",
            "units",
            "links A",
            "links B",
            "pair P",
            "pair R",
            "pair F1",
            "B³ P",
            "B³ R",
            "B³ F1",
        ):
            table.add_column(col, justify="left" if col == "clusters" else "right")
        for name, row in data["cross_document"].items():
            table.add_row(
                CROSS_NAMES[name],
                str(row["units"]),
                str(row["links_a"]),
                str(row["links_b"]),
                *(num(row["pairwise"][k]) for k in ("precision", "recall", "f1")),
                *(num(row["b3"][k]) for k in ("precision", "recall", "f1")),
            )
        console.print(table)


# --------------------------------------------------------------------------------------------
# HTML

_CSS = """
.sbs { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.5rem; }
.sbs h3 { margin: .2rem 0 .5rem; font-size: 1rem; }
.agree-miss { outline: 2px solid var(--error); outline-offset: 1px; }
.agree-diff { outline: 2px dashed var(--warning); outline-offset: 1px; }
.key .agree-miss, .key .agree-diff { padding: 0 .3rem; }
ul.issues { font-size: .88rem; }
"""


def _table(head: list[str], rows: list[list[str]]) -> str:
    from newsanno.view.render import esc

    th = "".join(f'<th class="{"" if i == 0 else "num"}">{esc(h)}</th>' for i, h in enumerate(head))
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{"" if i == 0 else "num"}">{esc(c)}</td>' for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f'<table class="grid"><tr>{th}</tr>{body}</table>'


def _summary_html(data: dict[str, Any]) -> str:
    out = []
    rows = [
        [
            LAYER_NAMES[layer],
            str(r["count_a"]),
            str(r["count_b"]),
            *(num(r[m][k]) for m in ("exact", "overlap") for k in ("precision", "recall", "f1")),
        ]
        for layer, r in data["layers"].items()
    ]
    out.append("<h2>Spans</h2>")
    out.append(
        _table(
            [
                "layer",
                "A",
                "B",
                "exact P",
                "exact R",
                "exact F1",
                "overlap P",
                "overlap R",
                "overlap F1",
            ],
            rows,
        )
    )
    if data["labels"]:
        rows = []
        for name, r in data["labels"].items():
            if "kappa" in r:
                rows.append(
                    [name, str(r["units"]), num(r["agreement"]), num(r["kappa"]), num(r["alpha"])]
                )
            elif "accuracy" in r:
                rows.append([f"{name} (accuracy)", str(r["units"]), num(r["accuracy"]), "–", "–"])
            else:
                rows.append([f"{name} (F1)", str(r["matched"]), num(r["f1"]), "–", "–"])
        out.append("<h2>Labels on matched units</h2>")
        out.append(_table(["label", "units", "agreement", "kappa", "alpha"], rows))
    if "coref" in data:
        c = data["coref"]
        out.append(f"<h2>Coreference over {c['mentions']} exactly matched mentions</h2>")
        out.append(
            _table(
                ["metric", "P", "R", "F1"],
                [
                    [m, *(num(c[m][k]) for k in ("precision", "recall", "f1"))]
                    for m in ("muc", "b3", "ceafe", "lea")
                ],
            )
        )
    if "cross_document" in data:
        rows = [
            [
                CROSS_NAMES[name],
                str(r["units"]),
                *(num(r[m][k]) for m in ("pairwise", "b3") for k in ("precision", "recall", "f1")),
            ]
            for name, r in data["cross_document"].items()
        ]
        out.append("<h2>Cross-document clusters</h2>")
        out.append(
            _table(
                ["clusters", "units", "pair P", "pair R", "pair F1", "B³ P", "B³ R", "B³ F1"], rows
            )
        )
    return "".join(out)


def _side_html(
    corpus: Corpus,
    doc: LoadedDocument,
    layers: set[str],
    unmatched: set[Key],
    notes: dict[Key, list[str]],
    title: str,
) -> tuple[str, list[str]]:
    """One side's text with its parts marked, and its list of disagreements."""
    from newsanno.view.render import Site, esc, highlight

    site = Site(corpus)
    doc_id = doc.model.doc_id
    parts = []
    for p in site.parts(doc):
        if p.layer not in layers:
            continue
        key = (doc_id, p.ann)
        if key in unmatched:
            p = dataclasses.replace(
                p, classes=f"{p.classes} agree-miss", title=f"{p.title}: no match on the other side"
            )
        elif notes.get(key):
            p = dataclasses.replace(
                p, classes=f"{p.classes} agree-diff", title=f"{p.title}: {'; '.join(notes[key])}"
            )
        parts.append(p)
    items = {
        item.id: (layer, item)
        for layer in layers
        if layer != "event_arguments"
        for item in getattr(doc.model, layer)
    }
    issues = []
    for ident, (layer, item) in items.items():
        key = (doc_id, ident)
        summary = site.summary(layer, item)
        if key in unmatched:
            issues.append(
                f'<li><span class="agree-miss">{esc(ident)}</span> {esc(summary)}: no match</li>'
            )
        elif notes.get(key):
            issues.append(
                f'<li><span class="agree-diff">{esc(ident)}</span> {esc(summary)}: {esc("; ".join(notes[key]))}</li>'
            )
    text = f'<div class="text">{highlight(doc.text, parts)}</div>'
    return f"<div><h3>{esc(title)}</h3>{text}</div>", issues


def html_report(result: Agreement, a: str, b: str) -> str:
    """A self-contained page: the figures, then each text twice, A beside B."""
    from newsanno.view.render import asset_text, esc

    layers = set(result.data["layers"])
    body = [
        f"<p>A <code>{esc(a)}</code>, B <code>{esc(b)}</code>. Precision is B's, recall is A's. "
        '<span class="key">Marked: <span class="agree-miss">no match on the other side</span> '
        '<span class="agree-diff">matched, labels differ</span> (hover for details).</span></p>',
        _summary_html(result.data),
    ]
    docs = result.data["documents"]
    for side in ("only_a", "only_b"):
        if docs[side]:
            body.append(
                f"<p>Only in {side[-1].upper()} (not measured): {esc(', '.join(docs[side]))}</p>"
            )
    for da, db in result.pairing.docs:
        left, issues_a = _side_html(
            result.a, da, layers, result.unmatched_a, result.notes_a, f"A: {da.model.doc_id}"
        )
        right, issues_b = _side_html(
            result.b, db, layers, result.unmatched_b, result.notes_b, f"B: {db.model.doc_id}"
        )
        body.append(f"<h2>{esc(da.model.doc_id)}</h2>")
        body.append(f'<div class="sbs">{left}{right}</div>')
        body.append(
            '<div class="sbs">'
            f'<div><h3>A: disagreements</h3><ul class="issues">{"".join(issues_a) or "<li>none</li>"}</ul></div>'
            f'<div><h3>B: disagreements</h3><ul class="issues">{"".join(issues_b) or "<li>none</li>"}</ul></div>'
            "</div>"
        )
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="newsanno agree">\n'
        f"<title>newsanno agree: {esc(a)} vs {esc(b)}</title>\n"
        f"<style>\n{asset_text('style.css')}\n{_CSS}</style>\n"
        '</head>\n<body>\n<header class="top"><h1>Agreement</h1></header>\n'
        f"<main>\n{''.join(body)}\n</main>\n</body>\n</html>\n"
    )
