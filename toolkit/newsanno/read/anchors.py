"""Text anchoring: turn a span as written (text, occurrence, prefix, offsets) into exact offsets.

Offsets count Unicode code points into the exact article text (Python ``str`` indices), ``end``
exclusive. An anchor that matches nowhere, or more than once without a disambiguator, is an error;
there is never a silent first match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from newsanno.model import LAYERS, Span, SpanRef
from newsanno.model.findings import Code

_LOOKALIKES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


@dataclass(frozen=True)
class AnchorProblem:
    code: Code
    message: str
    hint: str


def find_all(text: str, needle: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of ``needle``."""
    out: list[int] = []
    i = text.find(needle)
    while i != -1:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


def _show(s: str, limit: int = 60) -> str:
    return repr(s if len(s) <= limit else s[: limit - 1] + "…")


def _not_found_hint(text: str, needle: str) -> str:
    folded = text.translate(_LOOKALIKES)
    hits = find_all(folded, needle.translate(_LOOKALIKES))
    if hits:
        actual = text[hits[0] : hits[0] + len(needle)]
        return f"the text has {_show(actual)} (check quotation marks, apostrophes and dashes)"
    hits = find_all(text.casefold(), needle.casefold()) if len(text) == len(text.casefold()) else []
    if hits:
        actual = text[hits[0] : hits[0] + len(needle)]
        return f"the text has {_show(actual)} (check upper and lower case)"
    squeezed = " ".join(needle.split())
    if squeezed != needle and squeezed in text:
        return "the text has single spaces here; remove extra whitespace or line breaks"
    return "copy the span from the article text exactly, character for character"


def offset_problem(span: Span, text: str) -> AnchorProblem:
    """The words for a span by offsets that the offset rule refused
    (:func:`newsanno.rules.columns.offsets_hold`, the one place that decides): past the end of
    the text, or holding other text than the span gives (and where that text is)."""
    assert span.start is not None and span.end is not None
    if span.end > len(text):
        return AnchorProblem(
            Code.ANCHOR_OUT_OF_RANGE,
            f"offsets {span.start}-{span.end} are past the end of the text ({len(text)} code points)",
            "offsets count Unicode code points from 0; `end` is exclusive",
        )
    actual, given = text[span.start : span.end], span.text or ""
    hits = find_all(text, given)
    where = (
        f"; {_show(given)} occurs at {', '.join(f'{h}-{h + len(given)}' for h in hits[:5])}"
        if hits
        else ""
    )
    return AnchorProblem(
        Code.ANCHOR_MISMATCH,
        f"offsets {span.start}-{span.end} hold {_show(actual)}, not {_show(given)}",
        f"fix `start`/`end` or `text` so they agree{where}",
    )


def search(ref: SpanRef, text: str) -> Span | AnchorProblem:
    """Resolve a text anchor (a span without offsets) against ``text``: where its text occurs,
    narrowed by ``prefix``/``suffix`` and ``occurrence``; a :class:`Span` with start, end and
    text, or a problem. Spans by offsets are checked over columns instead
    (:func:`newsanno.rules.columns.offsets_hold`)."""
    span = Span(text=ref) if isinstance(ref, str) else ref
    assert span.start is None or span.end is None, "a span by offsets: see offsets_hold"
    needle = span.text
    assert needle is not None  # the model guarantees text or offsets
    hits = find_all(text, needle)
    if not hits:
        return AnchorProblem(
            Code.ANCHOR_NOT_FOUND,
            f"{_show(needle)} does not occur in the text",
            _not_found_hint(text, needle),
        )
    if span.prefix is not None:
        p = span.prefix
        hits = [h for h in hits if text[max(0, h - len(p)) : h] == p]
    if span.suffix is not None:
        s = span.suffix
        hits = [h for h in hits if text[h + len(needle) : h + len(needle) + len(s)] == s]
    if not hits:
        return AnchorProblem(
            Code.ANCHOR_NOT_FOUND,
            f"{_show(needle)} occurs, but never with that prefix/suffix",
            "copy the prefix/suffix exactly from the text right before/after the span",
        )
    if span.occurrence is not None:
        if span.occurrence > len(hits):
            return AnchorProblem(
                Code.ANCHOR_OCCURRENCE,
                f"occurrence {span.occurrence} requested, but {_show(needle)} occurs {len(hits)} time(s)",
                f"use an occurrence from 1 to {len(hits)}",
            )
        start = hits[span.occurrence - 1]
    elif len(hits) > 1:
        where = ", ".join(f"{h}-{h + len(needle)}" for h in hits[:6])
        return AnchorProblem(
            Code.ANCHOR_AMBIGUOUS,
            f"{_show(needle)} occurs {len(hits)} times (at {where})",
            "add `occurrence: N` (1-based), a `prefix`/`suffix`, or `start`/`end` to choose one",
        )
    else:
        start = hits[0]
    return Span(start=start, end=start + len(needle), text=needle)


def moved(span: Span, text: str) -> str | None:
    """For explicit offsets whose text no longer matches: where that text is now, if unique."""
    if span.text is None:
        return None
    hits = find_all(text, span.text)
    if len(hits) == 1:
        return f"{hits[0]}-{hits[0] + len(span.text)}"
    return None


def resolve_text_anchors(doc: dict[str, Any]) -> bool:
    """Replace, in a document given as JSON data, each span written as a plain string (a text
    anchor) that :func:`search` finds once in the text; return whether any was.

    Spans that do not resolve stay as written, for the validator to report. This lets the bulk
    path read a document with text anchors as columns like any other (``engines/worker.py``).
    """
    text = doc.get("text")
    if type(text) is not str:
        return False
    changed = False

    def one(value: Any) -> Any:
        nonlocal changed
        if type(value) is not str or not value:
            return value
        try:
            found = search(value, text)
        except ValueError:  # not a span the model takes: the validator says why
            return value
        if isinstance(found, AnchorProblem):
            return value
        changed = True
        return {"start": found.start, "end": found.end, "text": found.text}

    for layer, attr in LAYERS.items():
        items = doc.get(layer)
        if type(items) is not list:
            continue
        for item in items:
            if type(item) is not dict:
                continue
            value = item.get(attr)
            if type(value) is list:
                item[attr] = [one(v) for v in value]
            elif value is not None:
                item[attr] = one(value)
            if layer == "quotes" and item.get("cue") is not None:
                item["cue"] = one(item["cue"])
    return changed
