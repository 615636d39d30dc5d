"""The nesting rule of quotes, written once: a quote nested in another (``nested_in``) is not
nested in itself, and each of its segments lies within a segment of the outer quote.

The serial validator reports what :func:`nesting_problem` finds; the bulk path's columnar tier
flags a document for which it finds anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from newsanno.model.findings import Code


def nesting_problem(
    quote: str,
    outer: str,
    own: Sequence[tuple[int, int]],
    nested_in: Mapping[str, str | None],
    content: Mapping[str, Sequence[tuple[int, int]]],
) -> tuple[Code, str, str] | None:
    """The problem (code, message, hint) with the nesting of ``quote`` in ``outer``, or None.

    ``own`` is the quote's segments as (start, end); ``nested_in`` and ``content`` map each quote
    id of the document to its ``nested_in`` and its segments; ``outer`` is one of those ids.
    """
    seen = {quote}
    at: str | None = outer
    while at is not None and at in nested_in:
        if at in seen:
            return (
                Code.NESTING_CYCLE,
                f"quote `{quote}` is nested in itself through `{at}`",
                "break the cycle",
            )
        seen.add(at)
        at = nested_in[at]
    outside = content[outer]
    if not all(any(o <= s and e <= p for o, p in outside) for s, e in own):
        return (
            Code.REF_INCONSISTENT,
            f"quote `{quote}` is not inside the content of `{outer}`",
            "a nested quote lies within its outer quote's content; fix the spans or `nested_in`",
        )
    return None
