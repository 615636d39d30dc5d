"""Highlighting: an article text as HTML, its annotations' spans as properly nested ``<span>``
fragments (where two spans cross, the inner one is split)."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from newsanno.view.markup import esc, esc_text

# On equal extents, the earlier role is the outer element.
_RANK = {"region": 0, "quote": 1, "claim": 2, "cue": 3, "trigger": 4, "mention": 5}


@dataclass(frozen=True)
class Part:
    """One highlighted span of one annotation (a quote has a part per segment, and its cue)."""

    key: str
    ann: str
    layer: str
    role: str
    start: int
    end: int
    classes: str
    title: str
    label: str | None = None


def highlight(text: str, parts: Sequence[Part]) -> str:
    """The text as HTML: one ``div.ln`` per line, parts as nested ``span.hl`` fragments.

    The text is cut at every part boundary. Each piece is wrapped in the parts covering it,
    outermost first (earlier start, then later end). Where the wanted nesting changes, the open
    fragments that differ are closed and the new ones opened, so crossing spans are split.
    """
    order = sorted(parts, key=lambda p: (p.start, -p.end, _RANK[p.role], p.key))
    rank = {p.key: i for i, p in enumerate(order)}
    starts: dict[int, list[Part]] = defaultdict(list)
    for p in order:
        starts[p.start].append(p)
    cuts = {0, len(text)} | {p.start for p in parts} | {p.end for p in parts}
    cuts |= {m.end() for m in re.finditer("\n", text)}
    cuts = {c for c in cuts if 0 <= c <= len(text)}
    out = ['<div class="ln">']
    active: list[Part] = []
    opened: list[Part] = []
    seen_keys: set[str] = set()
    seen_ids: set[str] = set()
    edges = sorted(cuts)
    for a, b in itertools.pairwise(edges):
        if a > 0 and text[a - 1] == "\n":
            out.append("</span>" * len(opened) + '</div><div class="ln">')
            opened = []
        active = [p for p in active if p.end > a] + starts.get(a, [])
        want = sorted(active, key=lambda p: rank[p.key])
        keep = 0
        while keep < min(len(opened), len(want)) and opened[keep] is want[keep]:
            keep += 1
        out.append("</span>" * (len(opened) - keep))
        for i, p in enumerate(want[keep:], start=keep):
            depth = sum(1 for q in want[:i] if q.role == "quote")
            out.append(_open(p, p.key not in seen_keys, p.ann not in seen_ids, depth))
            seen_keys.add(p.key)
            seen_ids.add(p.ann)
        opened = want
        out.append(esc_text(text[a:b]))
    out.append("</span>" * len(opened) + "</div>")
    return "".join(out)


def _open(p: Part, first: bool, anchor: bool, depth: int) -> str:
    classes = f"hl {p.classes}"
    if p.role == "quote" and depth:
        classes += f" qd{min(depth, 2)}"
    attrs = [
        f'class="{esc(classes + (" first" if first else ""))}"',
        f'data-id="{esc(p.ann)}"',
        f'data-key="{esc(p.key)}"',
        f'data-layer="{esc(p.layer)}"',
        f'data-start="{p.start}"',
        f'data-end="{p.end}"',
        f'title="{esc(p.title)}"',
    ]
    if anchor:
        attrs.insert(0, f'id="a-{esc(p.ann)}"')
    if first and p.label:
        attrs.append(f'data-label="{esc(p.label)}"')
    return f"<span {' '.join(attrs)}>"
