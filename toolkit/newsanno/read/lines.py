"""JSONL lines as Arrow: the schema a line of a shard is read into, and the tests of a block's
bytes the columnar tier (:mod:`newsanno.rules.columnar`) makes before and around reading it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.json as pj

DOC_META = ("outlet", "title", "published", "language", "url", "source", "note")


def arrow_schema() -> pa.Schema:
    """The document's shape as an Arrow schema: what the JSON reader reads a line into."""
    s = pa.string()
    span = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("text", s)])
    meta = pa.struct([(k, s) for k in DOC_META])

    def items(*fields: tuple[str, Any]) -> pa.DataType:
        return pa.list_(pa.struct(list(fields)))

    note = ("note", s)
    quote_refs = "speaker speaker_mention addressee channel platform date utterance nested_in"
    return pa.schema(
        [
            ("schema_version", s),
            ("doc_id", s),
            ("text", s),
            ("text_sha256", s),
            ("metadata", meta),
            ("regions", items(("id", s), ("span", span), ("kind", s), note)),
            ("mentions", items(("id", s), ("span", span), ("entity", s), ("kind", s), note)),
            (
                "quotes",
                items(
                    ("id", s),
                    ("type", s),
                    ("content", pa.list_(span)),
                    ("cue", span),
                    *[(k, s) for k in quote_refs.split()],
                    note,
                ),
            ),
            (
                "claims",
                items(
                    ("id", s),
                    ("span", span),
                    ("claimant", s),
                    ("quote", s),
                    ("type", s),
                    ("checkworthy", pa.bool_()),
                    ("statement", s),
                    note,
                ),
            ),
            (
                "event_mentions",
                items(
                    ("id", s),
                    ("trigger", span),
                    ("event", s),
                    ("realis", s),
                    ("arguments", items(("role", s), ("entity", s), ("mention", s))),
                    note,
                ),
            ),
        ]
    )


SCHEMA = arrow_schema()
FACT_CHECK = pa.struct(
    [("url", pa.string()), ("fact_checker", pa.string()), ("rating", pa.string())]
)


def _with_fact_check(schema: pa.Schema) -> pa.Schema:
    """``schema`` with the claims' ``fact_check`` (a published fact-check: its URL, the
    fact-checker, the rating)."""
    claims = schema.field("claims")
    item = claims.type.value_type
    fields = [*item, pa.field("fact_check", FACT_CHECK)]
    return schema.set(
        schema.get_field_index("claims"), claims.with_type(pa.list_(pa.struct(fields)))
    )


VALID_SCHEMA = _with_fact_check(SCHEMA)
"""What a line is read into: :data:`SCHEMA` with the claims' ``fact_check``."""
PARSE_OPTIONS = pj.ParseOptions(
    explicit_schema=VALID_SCHEMA, unexpected_field_behavior="error", newlines_in_values=False
)


def _longest(block: bytes | memoryview) -> int:
    """Length of the longest line (the reader needs each line within one of its pieces)."""
    if len(block) <= 1 << 20:
        return len(block)
    ends = np.append(np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 0x0A), len(block))
    return int(np.diff(ends, prepend=-1).max())


def utf8(data: bytes | memoryview | pa.Buffer) -> bool:
    """Whether ``data`` is valid UTF-8 (Arrow's check: fast, and the one the tier relies on)."""
    buffer = data if isinstance(data, pa.Buffer) else pa.py_buffer(data)
    try:
        if buffer.size >= 1 << 31:  # (one Arrow string holds less)
            bytes(buffer).decode("utf-8")
        else:
            offsets = pa.py_buffer(np.array([0, buffer.size], dtype=np.int32))
            pa.Array.from_buffers(pa.binary(), 1, [None, offsets, buffer]).cast(pa.string())
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return False
    return True


def shaped(data: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Per line ``data[start:stop]``: whether it starts with ``{`` and ends with ``}`` (or ``}``
    and a carriage return: CRLF files)."""
    some = stops > starts
    first = data[np.minimum(starts, len(data) - 1)] if len(data) else np.zeros(0, np.uint8)
    last = data[np.maximum(stops - 1, 0)] if len(data) else np.zeros(0, np.uint8)
    crlf = (last == 0x0D) & (stops - starts >= 2) & (data[np.maximum(stops - 2, 0)] == 0x7D)
    return some & (first == 0x7B) & ((last == 0x7D) | crlf)


def line_shapes(data: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> bool:
    """Whether every line is :func:`shaped`."""
    return bool(shaped(data, starts, stops).all())


__all__ = [
    "DOC_META",
    "FACT_CHECK",
    "PARSE_OPTIONS",
    "SCHEMA",
    "VALID_SCHEMA",
    "arrow_schema",
    "line_shapes",
    "shaped",
    "utf8",
]
