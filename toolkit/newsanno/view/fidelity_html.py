"""The fidelity section of an utterance's page: how the documents' renderings of it differ, word
by word, as HTML (the terminal display is :mod:`newsanno.view.fidelity`)."""

from __future__ import annotations

from newsanno.model import Quote, Utterance
from newsanno.model.corpus import Corpus, LoadedDocument
from newsanno.view.markup import annotation_link, esc


def fidelity_section(
    corpus: Corpus, utterance: Utterance, found: list[tuple[LoadedDocument, Quote]]
) -> str:
    """How the documents' renderings of one utterance differ, word by word (newsanno.fidelity)."""
    try:
        from newsanno.fidelity.align import compare_utterance
    except ImportError:  # pragma: no cover - fidelity is part of the package
        return '<p class="muted">Word-level comparison is not available.</p>'
    pairs = compare_utterance(corpus, utterance.id)
    if not pairs:
        return '<p class="muted">Quoted in fewer than two documents; nothing to compare.</p>'
    out = [
        '<p class="muted">Each pair reads as document A edited into document B: '
        "<del>struck</del> words are only in A, <ins>green</ins> words only in B; "
        "hover a change for its class.</p>"
    ]
    for pair in pairs:
        a, b = pair.a.doc_id, pair.b.doc_id
        changes = ", ".join(
            f"{n} {c.replace('_', ' ')}" for c, n in pair.counts.items() if n and c != "identical"
        )
        pieces: list[str] = []
        prev = None
        for op in pair.ops:
            if prev is not None and (op.a_start > prev.a_end or op.b_start > prev.b_end):
                pieces.append(" ")
            prev = op
            if op.op_class == "identical":
                pieces.append(esc(op.a_text))
                continue
            title = f"{op.op_class.replace('_', ' ')}: {op.a_text!r} → {op.b_text!r}"
            inner = (f"<del>{esc(op.a_text)}</del>" if op.a_text else "") + (
                f"<ins>{esc(op.b_text)}</ins>" if op.b_text else ""
            )
            pieces.append(
                f'<span class="op op-{esc(op.op_class)}" title="{esc(title)}">{inner}</span>'
            )
        links = " ↔ ".join(
            annotation_link(d, r.quote_ids[0]) for d, r in ((a, pair.a), (b, pair.b))
        )
        out.append(
            f'<div class="pair"><h3>A {links} B <span class="pill">{esc(pair.relation)}</span> '
            f'<span class="muted">word similarity {pair.similarity:.2f}</span></h3>'
            f'<p class="muted">{esc(changes or "no differences")}</p>'
            f'<p class="diff">{"".join(pieces)}</p></div>'
        )
    return "".join(out)
