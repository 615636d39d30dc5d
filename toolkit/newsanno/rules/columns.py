"""Arrow and numpy helpers of the columnar tier (:mod:`newsanno.rules.columnar`): struct fields,
list unnesting, joins within each document, repeated keys, and span objects checked against
their documents' texts as UTF-32 code points (in C when :mod:`newsanno.read.native` is built)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from newsanno.read import native


def _np(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return arr.to_numpy(zero_copy_only=False)


def _mask(arr: pa.Array) -> np.ndarray:
    """A boolean array as numpy, null as False."""
    return _np(arr.fill_null(False))


def _valid(arr: pa.Array) -> np.ndarray:
    return _np(arr.is_valid())


def _take(arr: pa.Array, at: np.ndarray) -> pa.Array:
    return arr.take(pa.array(at, pa.int64()))


def _where(given: np.ndarray, values: np.ndarray) -> pa.Array:
    """``values`` as an Arrow array, null where not ``given``."""
    return pa.array(values, mask=~given)


def _arrow(values: Any, type_: pa.DataType) -> pa.Array:
    if isinstance(values, np.ndarray):
        return pa.array(values, type_)
    return values if values.type == type_ else values.cast(type_)


def _field(arr: pa.Array, name: str) -> pa.Array:
    """A struct field, null wherever the struct is (``StructArray.field`` ignores that)."""
    return pc.struct_field(arr, name)


def _unnest(arr: pa.Array) -> tuple[pa.Array, np.ndarray, np.ndarray, np.ndarray]:
    """A list array's values, each value's row and position in its list, and 0-based offsets."""
    offsets = _np(arr.offsets).astype(np.int64)
    offsets -= offsets[0]
    values = arr.flatten()
    parent = _np(pc.list_parent_indices(arr)).astype(np.int64)
    ordinal = np.arange(len(values), dtype=np.int64) - offsets[parent]
    return values, parent, ordinal, offsets


def _utf32(
    arr: pa.Array, *, positions: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Code points of all values of a string array (its ``offset`` 0), where each value starts
    in them, and (``positions``, in C only) the byte where each code point starts."""
    assert not arr.offset
    n = len(arr)
    offs = np.frombuffer(arr.buffers()[1], dtype=np.int32)[: n + 1]
    buffer = arr.buffers()[2]
    found = native.utf32(buffer, offs, n, positions=positions)
    if found is not None:
        return found
    data = buffer.to_pybytes()[offs[0] : offs[-1]] if buffer is not None and n else b""
    cps = np.frombuffer(data.decode("utf-8").encode("utf-32-le"), dtype=np.uint32)
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(_np(pc.utf8_length(arr).fill_null(0)), out=starts[1:])
    return cps, starts, None


def _is_in(arr: pa.Array, values: pa.Array, *, optional: bool = False) -> np.ndarray:
    """Whether each value is one of ``values`` (or null, when ``optional``)."""
    found = _mask(pc.is_in(arr, value_set=values))
    if optional:
        found |= _np(arr.is_null())
    return found


def _matches(arr: pa.Array, pattern: str) -> np.ndarray:
    """Whether each value matches a ``^...$`` pattern (RE2 and ``re`` agree on these)."""
    return _mask(pc.match_substring_regex(arr, pattern))


def _codes(*arrays: pa.Array) -> list[np.ndarray]:
    """One integer code per distinct string across all ``arrays`` (null: its own code)."""
    both = pa.concat_arrays([a.cast(pa.string()) for a in arrays]).fill_null("\x00null")
    codes = _np(pc.dictionary_encode(both).indices).astype(np.int64)
    out, at = [], 0
    for a in arrays:
        out.append(codes[at : at + len(a)])
        at += len(a)
    return out


def _repeated(*keys: np.ndarray) -> np.ndarray:
    """Rows whose tuple of keys may occur more than once (the first key is the document).

    The tuple is hashed into one 64-bit key: equal tuples always collide, and a rare collision
    of different ones only flags a clean document for the full validator.
    """
    n = len(keys[0])
    hit = np.zeros(n, dtype=bool)
    if n < 2:
        return hit
    key = np.zeros(n, dtype=np.uint64)
    for k in keys:
        key *= np.uint64(0x9E3779B97F4A7C15)  # wraps around, as meant
        key += k.astype(np.uint64)
    distinct = native.distinct(key)  # hashing: the common case, no sort
    if distinct is None:
        distinct = len(pc.unique(pa.array(key))) == n
    if distinct:
        return hit
    order = np.argsort(key)
    ranked = key[order]
    same = ranked[1:] == ranked[:-1]
    hit[order[1:][same]] = True
    hit[order[:-1][same]] = True
    return hit


_SPAN = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("text", pa.string())])


def offsets_hold(
    text: str, spans: list[tuple[int, int, str | None]]
) -> tuple[np.ndarray, list[str | None]]:
    """The offset rule for spans ``(start, end, text or None)`` of one document's ``text``, as
    :class:`_Spans` decides it for a block: whether each lies within the text and holds its
    text; and each one's text as the document has it (filled in where none was given)."""
    doc = _Docs(pa.array([text], pa.string()))
    starts, ends, texts = zip(*spans, strict=True) if spans else ((), (), ())
    given = pa.StructArray.from_arrays(
        [pa.array(starts, pa.int64()), pa.array(ends, pa.int64()), pa.array(texts, pa.string())],
        fields=list(_SPAN),
    )
    checked = _Spans(given, np.zeros(len(spans), dtype=np.int64), doc)
    return checked.ok, checked.text.to_pylist()


class _Spans:
    """Span objects of one layer, checked against their documents' texts: the offset rule (the
    one place it is decided; :func:`newsanno.read.anchors.offset_problem` words a refusal)."""

    def __init__(self, spans: pa.Array, row: np.ndarray, doc: _Docs) -> None:
        start, end, text = (_field(spans, k) for k in ("start", "end", "text"))
        given = _valid(text)
        ok = _valid(start) & _valid(end)
        s = _np(start.fill_null(0))
        e = _np(end.fill_null(0))
        ok &= (s >= 0) & (s < e) & (e <= doc.size[row])
        if not _same_text(doc, row, s, e, text, given, ok):
            ok &= ~given | (_compare(doc, row, s, e, text) & (ok & given))
        self.missing = ok & ~given
        """Spans that resolve but came without their text (or with ``null``: the caller tells)."""
        if self.missing.any():
            text = _fill_text(text, self.missing, doc, row, s, e)
        self.ok, self.start, self.end, self.text = ok, s, e, text


def _same_text(
    doc: _Docs,
    row: np.ndarray,
    s: np.ndarray,
    e: np.ndarray,
    text: pa.Array,
    given: np.ndarray,
    ok: np.ndarray,
) -> bool:
    """Clears ``ok`` where a given text is not the document's, in C; False if it cannot."""
    if doc.positions is None or text.type != pa.string():
        return False
    native.same_text(doc.data, doc.positions, doc.at, (row, s, e), text, given, ok)
    return True


def _compare(
    doc: _Docs, row: np.ndarray, s: np.ndarray, e: np.ndarray, text: pa.Array
) -> np.ndarray:
    """Whether each span's text is the document's there (the same as :func:`_same_text`, in
    numpy); spans already refused (``s``/``e`` out of range) come out False."""
    if text.offset:
        text = pa.concat_arrays([text])
    cps, at, _ = _utf32(text)
    length = np.diff(at)  # 0 where no text is given
    ok = (s >= 0) & (s < e) & (e <= doc.size[row]) & (length == e - s)
    # Compare each text with the document's, code point by code point. The texts lie end to
    # end in `cps`; for each, `shift` takes its code points to the document's (to themselves
    # for a span already refused, which is then left as it is).
    shift = np.where(ok, doc.at[row] + s - at[:-1], 0)
    where = np.repeat(shift, length)
    where += np.arange(len(cps), dtype=np.int64)
    if len(where) and int(where.max()) >= len(doc.cps):
        np.minimum(where, len(doc.cps) - 1, out=where)
    differ = np.flatnonzero(doc.cps[where] != cps) if len(doc.cps) else np.zeros(0, np.int64)
    if len(differ):
        ok[np.searchsorted(at, differ, side="right") - 1] = False
    return ok


def _fill_text(
    text: pa.Array, missing: np.ndarray, doc: _Docs, row: np.ndarray, s: np.ndarray, e: np.ndarray
) -> pa.Array:
    """``text`` with the document's own text put in where ``missing``."""
    at = np.flatnonzero(missing)
    size = (e - s)[at]
    first = np.zeros(len(at) + 1, dtype=np.int64)
    np.cumsum(size, out=first[1:])
    where = np.repeat(doc.at[row[at]] + s[at] - first[:-1], size)
    where += np.arange(first[-1], dtype=np.int64)
    cps = doc.cps[where]
    data = cps.tobytes().decode("utf-32-le").encode("utf-8")
    width = 1 + (cps >= 0x80) + (cps >= 0x800) + (cps >= 0x10000)  # UTF-8 bytes per code point
    offsets = np.zeros(len(at) + 1, dtype=np.int32)
    np.cumsum(np.add.reduceat(width, first[:-1]), out=offsets[1:])
    found = pa.StringArray.from_buffers(len(at), pa.py_buffer(offsets), pa.py_buffer(data))
    pick = np.arange(len(text), dtype=np.int64)
    pick[at] = len(text) + np.arange(len(at))
    return pa.concat_arrays([text.cast(pa.string()), found]).take(pa.array(pick))


class _Docs:
    """The documents' texts as code points."""

    def __init__(self, text: pa.Array) -> None:
        if text.offset:
            text = pa.concat_arrays([text])
        self.data = text.buffers()[2]
        self.cps, self.at, self.positions = _utf32(text, positions=True)
        """Code points; where each document starts in them; where each starts in ``data``."""
        self.size = np.diff(self.at)
