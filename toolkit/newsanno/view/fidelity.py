"""Display of quote fidelity (``newsanno compare``): rich text, coloured on a terminal, plain
otherwise."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsanno.fidelity.align import PairAlignment, Rendering

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text


# --------------------------------------------------------------------------------------------
# Display (for ``newsanno compare``): rich text, coloured on a terminal, plain otherwise

SEGMENT_BREAK = " | "
"""Shown in an inline diff where a quote segment ends in either document."""
LEGEND = (
    "[-text-] only in A   {+text+} only in B   [~text~] moved   "
    f"{SEGMENT_BREAK.strip()} a quote segment ends (narration in between)"
)
_STYLE = {
    "punctuation": ("yellow", "yellow"),
    "function_word": ("red", "green"),
    "substitution": ("bold red", "bold green"),
    "omission": ("bold red", "bold green"),
    "insertion": ("bold red", "bold green"),
    "truncation": ("bold red", "bold green"),
}


def _segment_at(r: Rendering, pos: int) -> int:
    for n, (s, e) in enumerate(r.segments):
        if s <= pos < e:
            return n
    return -1


def inline_diff(pair: PairAlignment) -> Text:
    """One line of text: A's wording with B's differences marked wdiff-style."""
    from rich.text import Text

    out = Text()
    last_a: int | None = None
    last_b: int | None = None
    for op in pair.ops:
        a_seg = _segment_at(pair.a, op.a_start) if op.a_end > op.a_start else None
        b_seg = _segment_at(pair.b, op.b_start) if op.b_end > op.b_start else None
        broke = (
            a_seg is not None and last_a is not None and a_seg != _segment_at(pair.a, last_a - 1)
        ) or (b_seg is not None and last_b is not None and b_seg != _segment_at(pair.b, last_b - 1))
        if out and broke:
            out.append(SEGMENT_BREAK)
        elif out:
            # within a segment, the gap between two operations is the article's own spacing
            if a_seg is not None and last_a is not None:
                gap = pair.a.text[last_a : op.a_start]
            else:
                gap = pair.b.text[last_b : op.b_start] if last_b is not None else ""
            out.append(gap if gap.isspace() or not gap else " ")
        if op.op_class == "identical":
            out.append(op.a_text)
        elif op.op_class == "reordering":
            out.append(f"[~{op.a_text}~]", style="magenta")
        else:
            a_style, b_style = _STYLE.get(op.op_class, ("red", "green"))
            if op.a_text:
                out.append(f"[-{op.a_text}-]", style=a_style)
            if op.b_text:
                out.append(f"{{+{op.b_text}+}}", style=b_style)
        if op.a_end > op.a_start:
            last_a = op.a_end
        if op.b_end > op.b_start:
            last_b = op.b_end
    return out


def _side(start: int, end: int, text: str) -> str:
    if end == start:
        return f"@{start} (nothing)"
    shown = text if len(text) <= 60 else text[:59] + "…"
    return f"{start}-{end} {shown!r}"


def _summary(pair: PairAlignment) -> str:
    counts = ", ".join(
        f"{n} {c}" for c, n in pair.counts.items() if n and c not in ("identical", "paraphrase")
    )
    return (
        f"{pair.relation} · similarity {pair.similarity:.2f} (words) · "
        f"{pair.surface_similarity:.2f} (exact tokens) · containment {pair.containment:.2f}"
        + (f" · {counts}" if counts else "")
    )


def render_pair(pair: PairAlignment, outlets: dict[str, str] | None = None) -> list[RenderableType]:
    """The renderables ``newsanno compare UTTERANCE`` prints for one pair of documents."""
    from rich.table import Table
    from rich.text import Text

    outlets = outlets or {}
    parts: list[RenderableType] = []
    for label, r in (("A", pair.a), ("B", pair.b)):
        outlet = f" ({outlets[r.doc_id]})" if outlets.get(r.doc_id) else ""
        kinds = "" if not r.paraphrase else f" [{', '.join(sorted(set(r.quote_types)))}]"
        parts.append(
            Text(
                f"{label} {r.doc_id}{outlet}: quote(s) {', '.join(r.quote_ids)}{kinds}, "
                f"{len(r.segments)} segment(s), {len(r.words)} words",
                style="bold",
            )
        )
    parts.append(Text(_summary(pair)))
    if pair.relation == "paraphrase":
        op = pair.ops[0]
        parts.append(Text(f"A: {op.a_text}"))
        parts.append(Text(f"B: {op.b_text}"))
        return parts
    parts.append(inline_diff(pair))
    diffs = pair.differences()
    if diffs:
        table = Table("#", "class", "A", "B", box=None, pad_edge=False, show_edge=False)
        for n, op in enumerate(pair.ops):
            if op.op_class != "identical":
                table.add_row(
                    str(n),
                    op.op_class,
                    _side(op.a_start, op.a_end, op.a_text),
                    _side(op.b_start, op.b_end, op.b_text),
                )
        parts.append(table)
    return parts
