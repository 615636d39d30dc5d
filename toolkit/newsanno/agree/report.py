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
from newsanno.model import LAYERS
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


# --------------------------------------------------------------------------------------------
# The figures as table rows: one place, three renderings (text, HTML, the dataset card)

PRF = ("precision", "recall", "f1")
SPAN_HEAD = ["layer", "A", "B", "exact P", "exact R", "exact F1"]
SPAN_HEAD += ["overlap P", "overlap R", "overlap F1"]
LABEL_HEAD = ["label", "units", "agreement", "kappa", "alpha"]
COREF_HEAD = ["metric", "P", "R", "F1"]
CROSS_HEAD = ["clusters", "units", "links A", "links B", "pair P", "pair R", "pair F1"]
CROSS_HEAD += ["B³ P", "B³ R", "B³ F1"]
COREF_NAMES = {"muc": "MUC", "b3": "B³", "ceafe": "CEAF-e", "lea": "LEA"}


def span_rows(data: dict[str, Any]) -> list[list[str]]:
    return [
        [
            LAYER_NAMES[layer],
            str(r["count_a"]),
            str(r["count_b"]),
            *(num(r[m][k]) for m in ("exact", "overlap") for k in PRF),
        ]
        for layer, r in data["layers"].items()
    ]


def label_rows(data: dict[str, Any]) -> list[tuple[str, bool, list[str]]]:
    """(label, whether the figure is an accuracy, the cells after the label): κ and α do not
    apply to an accuracy (empty cells); argument roles are F1, given apart (:func:`role_line`)."""
    out: list[tuple[str, bool, list[str]]] = []
    for name, r in data["labels"].items():
        if "kappa" in r:
            cells = [str(r["units"]), num(r["agreement"]), num(r["kappa"]), num(r["alpha"])]
            out.append((name, False, cells))
        elif "accuracy" in r:
            out.append((name, True, [str(r["units"]), num(r["accuracy"]), "", ""]))
    return out


def role_line(data: dict[str, Any]) -> str | None:
    role = data["labels"].get("event_arguments.role")
    if not role:
        return None
    return (
        "Event argument roles, as (trigger, entity, role) triples: "
        f"P {num(role['precision'])}, R {num(role['recall'])}, F1 {num(role['f1'])}."
    )


def coref_rows(data: dict[str, Any]) -> list[list[str]]:
    c = data["coref"]
    return [[label, *(num(c[m][k]) for k in PRF)] for m, label in COREF_NAMES.items()]


def cross_rows(data: dict[str, Any]) -> list[list[str]]:
    return [
        [
            CROSS_NAMES[name],
            str(r["units"]),
            str(r["links_a"]),
            str(r["links_b"]),
            *(num(r[m][k]) for m in ("pairwise", "b3") for k in PRF),
        ]
        for name, r in data["cross_document"].items()
    ]


def _rich(title: str, head: list[str], rows: list[list[str]]) -> Table:
    table = Table(title=title, title_justify="left")
    for i, col in enumerate(head):
        table.add_column(col, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*row)
    return table


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
    console.print(_rich("Spans", SPAN_HEAD, span_rows(data)))
    if data["labels"]:
        rows = [
            [f"{name} (accuracy, aligned entities)" if accuracy else name, *cells]
            for name, accuracy, cells in label_rows(data)
        ]
        console.print(_rich("Labels on matched units (overlap)", LABEL_HEAD, rows))
        role = role_line(data)
        if role:
            console.print(role)
    if "coref" in data:
        title = f"Coreference over {data['coref']['mentions']} exactly matched mentions"
        console.print(_rich(title, COREF_HEAD, coref_rows(data)))
    if "cross_document" in data:
        title = "Cross-document clusters (matched units)"
        console.print(_rich(title, CROSS_HEAD, cross_rows(data)))


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
    from newsanno.view.render import esc

    out = ["<h2>Spans</h2>", _table(SPAN_HEAD, span_rows(data))]
    if data["labels"]:
        rows = [
            [f"{name} (accuracy)" if accuracy else name, *cells]
            for name, accuracy, cells in label_rows(data)
        ]
        out += ["<h2>Labels on matched units</h2>", _table(LABEL_HEAD, rows)]
        role = role_line(data)
        if role:
            out.append(f"<p>{esc(role)}</p>")
    if "coref" in data:
        c = data["coref"]
        out.append(f"<h2>Coreference over {c['mentions']} exactly matched mentions</h2>")
        out.append(_table(COREF_HEAD, coref_rows(data)))
    if "cross_document" in data:
        out += ["<h2>Cross-document clusters</h2>", _table(CROSS_HEAD, cross_rows(data))]
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
    order = list(LAYERS)  # the document's order, not the set's (which changes run to run)
    items = {
        item.id: (layer, item)
        for layer in sorted(layers, key=lambda x: (order.index(x) if x in order else len(order), x))
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
