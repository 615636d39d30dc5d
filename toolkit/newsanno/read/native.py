"""The columnar tier's compiled helpers (``_jsonl.c``), loaded with ctypes when built.

``make`` compiles ``_jsonl.c`` into ``_jsonl.so`` next to this file (any C99 compiler; see
:func:`build`); a wheel carries it (``hatch_build.py``), and ``python -m newsanno.read.native`` builds
it where neither did. Without it, :data:`READER_BUILT` is False and the tier uses pyarrow's JSON
reader and Python instead, with the same results, more slowly. A library built from another
version of ``_jsonl.c`` (it carries its source's sha256) is not loaded (:data:`STALE` says so),
nor any library when the environment sets ``NEWSANNO_NATIVE=0``.

Its helpers:

* :class:`NativeReader` accepts a strict subset of the JSON that pyarrow's reader accepts (plain
  non-negative integers, no escaped keys, only spaces and tabs between tokens) and reads it into
  the same Arrow table. Whatever it refuses goes to pyarrow's reader, so it changes speed, never
  findings or rows; the tests hold its tables equal to pyarrow's on damaged and undamaged blocks.
* :func:`utf32` decodes strings to code points, refusing what Python's codec refuses.
* :func:`same_text` compares span texts with their documents' texts, and :func:`distinct`
  tells whether 64-bit keys are all distinct (the columnar tier's span and duplicate checks);
  :func:`classes` finds the code points of given classes (quotation marks, line breaks);
  :func:`newlines` and :func:`newline_positions` count and find a buffer's newlines
  (with ``memchr``).
* :class:`Trie` finds whether any of a set of words is left in a text once covered spans are
  cut out (the name lint's filter); the tests hold it to a plain substring search.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

SOURCE = Path(__file__).with_name("_jsonl.c")
LIBRARY = Path(__file__).with_name("_jsonl.so")

_KIND = {pa.string(): 0, pa.int64(): 1, pa.bool_(): 2}
_STRUCT, _LIST = 3, 4


FLAGS = ("-O3", "-std=c99", "-shared", "-fPIC")
"""How :func:`build` (and the wheel's build hook, ``hatch_build.py``) compile the library."""


def source_digest(source: Path = SOURCE) -> str | None:
    """The sha256 of ``_jsonl.c``, which the library carries (None when the source is absent)."""
    try:
        return hashlib.sha256(source.read_bytes()).hexdigest()
    except OSError:
        return None


def build(compiler: str | None = None) -> Path:
    """Compile ``_jsonl.c`` into ``_jsonl.so``; raises ``OSError`` or ``CalledProcessError``."""
    cc = compiler or os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        raise OSError("no C compiler found (set CC)")
    digest = source_digest()
    if digest is None:
        raise OSError(f"{SOURCE} is missing")
    tmp = LIBRARY.with_suffix(f".{os.getpid()}.tmp")
    command = [cc, *FLAGS, f'-DNJ_SOURCE="{digest}"', "-o", str(tmp), str(SOURCE)]
    subprocess.run(command, check=True)
    os.replace(tmp, LIBRARY)  # a process that loaded the old library keeps it
    return LIBRARY


def _open(library: Path, source: Path) -> tuple[Any, bool]:
    """The library (or None), and whether one is there but was built from another source."""
    try:
        lib = ctypes.CDLL(str(library))
    except OSError:
        return None, False
    try:
        lib.nj_source.restype = ctypes.c_char_p
        built_from = lib.nj_source().decode()
    except AttributeError:  # built before libraries said what they were built from
        built_from = ""
    wanted = source_digest(source)
    if wanted is not None and built_from != wanted:
        return None, True  # say, after a `git pull`: not to be trusted
    return lib, False


def stale(library: Path = LIBRARY, source: Path = SOURCE) -> bool:
    """Whether a library is there but was built from another version of its source."""
    return _open(library, source)[1]


def load(library: Path = LIBRARY, source: Path = SOURCE) -> Any:
    """The library, or None when it is missing, was built from another version of its source
    (its sha256 is built in; without the source, as in a wheel, the library is trusted), or
    fails to load, or when the environment sets ``NEWSANNO_NATIVE=0`` (to compare, or to rule
    it out)."""
    return _load(library, source)[0]


def _load(library: Path, source: Path) -> tuple[Any, bool]:
    """:func:`load` and :func:`stale` at once (the library opened and its source hashed once)."""
    if os.environ.get("NEWSANNO_NATIVE") == "0":
        return None, False
    lib, is_stale = _open(library, source)
    if lib is None:
        return None, is_stale
    ints = ctypes.POINTER(ctypes.c_int)
    lib.nj_new.restype = ctypes.c_void_p
    lib.nj_new.argtypes = [ctypes.c_int, ints, ints, ints, ints, ctypes.c_char_p, ctypes.c_int]
    lib.nj_free.restype = None
    lib.nj_free.argtypes = [ctypes.c_void_p]
    lib.nj_parse.restype = ctypes.c_int64
    lib.nj_parse.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
    lib.nj_lines.restype = ctypes.c_int64
    lib.nj_lines.argtypes = [
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_int64,
        ctypes.c_void_p,
        ctypes.c_int64,
    ]
    lib.nj_buffer.restype = ctypes.c_int64
    lib.nj_buffer.argtypes = [
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_void_p),
    ]
    pointer, size = ctypes.c_void_p, ctypes.c_int64
    lib.nj_utf32.restype = size
    lib.nj_utf32.argtypes = [pointer, pointer, size, pointer, pointer, pointer]
    lib.nj_names.restype = size
    lib.nj_names.argtypes = [pointer, pointer, size, pointer, pointer, pointer, size]
    lib.nj_names.argtypes += [pointer] * 6
    lib.nj_spans.restype = size
    lib.nj_spans.argtypes = [pointer, pointer, pointer, size, *[pointer] * 6, size, pointer]
    lib.nj_classes.restype = size
    lib.nj_classes.argtypes = [pointer, size, pointer, size, pointer, pointer]
    lib.nj_newlines.restype = size
    lib.nj_newlines.argtypes = [pointer, size, pointer, size]
    lib.nj_distinct.restype = size
    lib.nj_distinct.argtypes = [pointer, size]
    lib.nj_count.restype = ctypes.c_int64
    lib.nj_count.argtypes = [ctypes.c_void_p, ctypes.c_int]
    return lib, False


_LIB, STALE = _load(LIBRARY, SOURCE)
"""The library, and whether one is there that is not used: built from another source."""
READER_BUILT = _LIB is not None
"""Whether the compiled library is there and current (``make`` builds it)."""


def utf32(
    data: Any, offsets: np.ndarray, n: int, *, positions: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None] | None:
    """The code points of ``n`` UTF-8 strings (``data``: a buffer, ``offsets``: int32, ``n + 1``
    of them, 0-based or not), where each string starts among them, and (when ``positions``)
    the byte in ``data`` where each code point starts, with one more entry for where the last
    string ends. None for bytes that are not UTF-8, or when the library is not built."""
    if _LIB is None:
        return None
    view = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(1, np.uint8)
    offsets = np.ascontiguousarray(offsets, dtype=np.int32)
    if n and (offsets[0] < 0 or offsets[n] > len(view)):
        return None
    size = int(offsets[n] - offsets[0]) if n else 0
    cps = np.empty(max(size, 1), dtype=np.uint32)
    starts = np.empty(n + 1, dtype=np.int64)
    at = np.empty(size + 1, dtype=np.int32) if positions else None
    got = _LIB.nj_utf32(
        view.ctypes.data,
        offsets.ctypes.data,
        n,
        cps.ctypes.data,
        starts.ctypes.data,
        at.ctypes.data if at is not None else None,
    )
    if got < 0:
        return None
    return cps[:got], starts, at[: got + 1] if at is not None else None


def same_text(
    doc_data: Any,
    at: np.ndarray,
    doc_at: np.ndarray,
    spans: tuple[np.ndarray, np.ndarray, np.ndarray],
    text: pa.StringArray,
    given: np.ndarray,
    ok: np.ndarray,
) -> None:
    """Clears ``ok`` for each span whose given text is not its document's text there.

    Documents are as :func:`utf32` reads them from ``doc_data``: document ``r`` is code points
    ``doc_at[r]`` to ``doc_at[r + 1]``, and ``at`` (its ``positions``) holds where each starts
    in ``doc_data``. ``spans`` are (row, start, end) in code points; ``text`` holds each span's
    text, looked at only where ``given`` and ``ok`` (a C-contiguous boolean array)."""
    assert _LIB is not None
    n = len(text)
    assert ok.dtype == np.bool_ and ok.flags.c_contiguous and len(ok) == n
    if not n:
        return
    buffers = text.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[text.offset : text.offset + n + 1]
    data = buffers[2] if buffers[2] is not None and len(buffers[2]) else pa.py_buffer(b"\0")
    ints = [np.ascontiguousarray(a, dtype=np.int64) for a in (doc_at, *spans)]
    rest: list[np.ndarray] = [
        np.ascontiguousarray(at, dtype=np.int32),
        np.ascontiguousarray(offsets),
        np.ascontiguousarray(given, dtype=np.uint8),
    ]
    _LIB.nj_spans(
        np.frombuffer(doc_data, dtype=np.uint8).ctypes.data if doc_data is not None else None,
        rest[0].ctypes.data,
        ints[0].ctypes.data,
        len(doc_at) - 1,
        ints[1].ctypes.data,
        ints[2].ctypes.data,
        ints[3].ctypes.data,
        data.address,
        rest[1].ctypes.data,
        rest[2].ctypes.data,
        n,
        ok.ctypes.data,
    )


def classes(cps: np.ndarray, table: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Where ``table[cps]`` is not 0 (code points past its end count as its last entry), and
    what it is there: ``np.flatnonzero`` of a lookup, in one pass. None when not built."""
    if _LIB is None:
        return None
    cps = np.ascontiguousarray(cps, dtype=np.uint32)
    table = np.ascontiguousarray(table, dtype=np.uint8)
    pos = np.empty(max(len(cps), 1), dtype=np.int64)
    cls = np.empty(max(len(cps), 1), dtype=np.uint8)
    got = _LIB.nj_classes(
        cps.ctypes.data, len(cps), table.ctypes.data, len(table), pos.ctypes.data, cls.ctypes.data
    )
    return pos[:got].copy(), cls[:got].copy()


def newlines(data: Any, n: int) -> int | None:
    """How many newlines the first ``n`` bytes of ``data`` (a buffer) hold; None when the
    library is not built."""
    if _LIB is None:
        return None
    view = np.frombuffer(data, dtype=np.uint8, count=n)
    return int(_LIB.nj_newlines(view.ctypes.data if n else None, n, None, 0))


def newline_positions(data: Any, n: int) -> np.ndarray | None:
    """Where the newlines of the first ``n`` bytes of ``data`` are (int64); None when the
    library is not built."""
    if _LIB is None:
        return None
    address = np.frombuffer(data, dtype=np.uint8, count=n).ctypes.data if n else None
    out = np.empty(int(_LIB.nj_newlines(address, n, None, 0)), dtype=np.int64)
    if len(out):
        _LIB.nj_newlines(address, n, out.ctypes.data, len(out))
    return out


def distinct(key: np.ndarray) -> bool | None:
    """Whether the 64-bit keys are all distinct; None when the library is not built."""
    if _LIB is None:
        return None
    key = np.ascontiguousarray(key, dtype=np.uint64)
    got = _LIB.nj_distinct(key.ctypes.data, len(key))
    return None if got < 0 else bool(got)


class Trie:
    """Words as a trie of code points, searched in C (:meth:`holds`)."""

    def __init__(self, words: list[str]) -> None:
        if _LIB is None:
            raise OSError(f"{LIBRARY.name} is not built (run `make`)")
        children: dict[tuple[int, int], int] = {}  # (node, code point) -> node
        final = [False]
        for word in words:
            at = 0
            for ch in word:
                key = (at, ord(ch))
                nxt = children.get(key)
                if nxt is None:
                    nxt = children[key] = len(final)
                    final.append(False)
                at = nxt
            final[at] = True
        edges = np.array(list(children), dtype=np.int64).reshape(-1, 2)
        order = np.lexsort((edges[:, 1], edges[:, 0]))  # by node, then code point
        self.count = np.bincount(edges[:, 0], minlength=len(final)).astype(np.int32)
        self.first = np.zeros(len(final), dtype=np.int32)
        np.cumsum(self.count[:-1], out=self.first[1:])
        if len(order):
            self.edge_cp = edges[order, 1].astype(np.uint32)
            self.edge_to = np.fromiter(children.values(), np.int32, len(children))[order]
        else:
            self.edge_cp = np.zeros(1, dtype=np.uint32)
            self.edge_to = np.zeros(1, dtype=np.int32)
        self.final = np.array(final, dtype=np.uint8)

    def holds(
        self,
        cps: np.ndarray,
        doc_at: np.ndarray,
        spans: tuple[np.ndarray, np.ndarray, np.ndarray],
    ) -> np.ndarray | None:
        """Per document (``cps[doc_at[i]:doc_at[i + 1]]``): whether a word occurs in it once each
        run of code points that ``spans`` cover (row, start and end within the row's document)
        is cut down to one code point 0, which no word may hold. None if memory runs out."""
        assert _LIB is not None
        n = len(doc_at) - 1
        arrays: list[np.ndarray] = [np.ascontiguousarray(cps, dtype=np.uint32)]
        arrays += [np.ascontiguousarray(a, dtype=np.int64) for a in (doc_at, *spans)]
        arrays += [self.first, self.count, self.edge_cp, self.edge_to, self.final]
        out = np.zeros(max(n, 1), dtype=np.uint8)
        p = [a.ctypes.data for a in arrays]
        got = _LIB.nj_names(p[0], p[1], n, p[2], p[3], p[4], len(spans[0]), *p[5:], out.ctypes.data)
        return None if got < 0 else out[:n].astype(bool)


class NativeReader:
    """Reads blocks of JSONL lines into tables of one schema (structs, lists, strings, int64,
    booleans), or refuses them. Not thread-safe: one per process."""

    def __init__(self, schema: pa.Schema) -> None:
        if _LIB is None:
            raise OSError(f"{LIBRARY.name} is not built (run `make`)")
        self.schema = schema
        self.types: list[pa.DataType] = []
        kinds: list[int] = []
        children: list[list[int]] = []
        names: list[str] = []

        def add(type_: pa.DataType) -> int:
            i = len(self.types)
            self.types.append(type_)
            kinds.append(0)
            children.append([])
            if pa.types.is_struct(type_):
                kinds[i] = _STRUCT
                fields = [type_.field(k) for k in range(type_.num_fields)]
                names.extend(f.name for f in fields)
                children[i] = [add(f.type) for f in fields]
            elif pa.types.is_list(type_):
                kinds[i] = _LIST
                children[i] = [add(type_.value_type)]
            elif type_ in _KIND:
                kinds[i] = _KIND[type_]
            else:  # pragma: no cover - the schema is ours
                raise TypeError(f"the compiled reader cannot read {type_}")
            return i

        add(pa.struct(list(schema)))
        # `names` is in the C reader's order: struct nodes by index (each names its fields
        # before its fields are numbered), each one's fields in order
        first = np.cumsum([0] + [len(c) for c in children[:-1]]).tolist()
        flat = [c for cs in children for c in cs]
        blob = b"\0".join(n.encode() for n in names) + b"\0"

        def ints(values: list[int]) -> Any:
            return (ctypes.c_int * max(len(values), 1))(*values)

        self.children = children
        self.handle = _LIB.nj_new(
            len(kinds),
            ints(kinds),
            ints([len(c) for c in children]),
            ints(first),
            ints(flat),
            blob,
            len(blob),
        )
        if not self.handle:
            raise MemoryError("the compiled reader could not start")

    def __del__(self) -> None:
        handle, self.handle = getattr(self, "handle", None), None
        if handle and _LIB is not None:
            _LIB.nj_free(handle)

    def read(self, block: bytes | memoryview) -> pa.Table | None:
        """The block as a table, or None when the reader refuses it (see the module docstring).

        The caller checks the block's UTF-8 first: this reader copies bytes as they are.
        """
        view = np.frombuffer(block, dtype=np.uint8)
        if not len(view):
            return None
        rows = _LIB.nj_parse(self.handle, view.ctypes.data, len(view))
        if rows < 0:
            return None
        root = self._array(0)
        return pa.Table.from_batches([pa.RecordBatch.from_struct_array(root)], schema=self.schema)

    def read_lines(self, block: bytes | memoryview, n: int) -> tuple[pa.Table, np.ndarray] | None:
        """The lines of ``block`` (``n`` of them) it reads, each on its own, as a table, and per
        line whether it is in the table; in one pass (None when it could not run). As with
        :meth:`read`, the caller checks the UTF-8 of what it keeps."""
        view = np.frombuffer(block, dtype=np.uint8)
        ok = np.zeros(n, dtype=np.uint8)
        got = _LIB.nj_lines(self.handle, view.ctypes.data, len(view), ok.ctypes.data, n)
        if got != n:
            return None
        root = self._array(0)
        table = pa.Table.from_batches([pa.RecordBatch.from_struct_array(root)], schema=self.schema)
        return table, ok.astype(bool)

    def _buffer(self, i: int, which: int) -> bytes:
        ptr = ctypes.c_void_p()
        size = _LIB.nj_buffer(self.handle, i, which, ctypes.byref(ptr))
        return ctypes.string_at(ptr, size) if size else b""

    def _array(self, i: int) -> pa.Array:
        type_ = self.types[i]
        n = _LIB.nj_count(self.handle, i)
        valid = np.frombuffer(self._buffer(i, 0), dtype=np.uint8)
        bitmap = None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))
        if pa.types.is_struct(type_):
            kids = [self._array(c) for c in self.children[i]]
            return pa.Array.from_buffers(type_, n, [bitmap], children=kids)
        if pa.types.is_list(type_):
            offsets = pa.py_buffer(self._buffer(i, 1))
            kid = self._array(self.children[i][0])
            return pa.Array.from_buffers(type_, n, [bitmap, offsets], children=[kid])
        data = self._buffer(i, 2)
        if type_ == pa.string():
            return pa.Array.from_buffers(
                type_, n, [bitmap, pa.py_buffer(self._buffer(i, 1)), pa.py_buffer(data)]
            )
        if type_ == pa.bool_():
            bits = np.packbits(np.frombuffer(data, dtype=np.uint8), bitorder="little")
            return pa.Array.from_buffers(type_, n, [bitmap, pa.py_buffer(bits)])
        return pa.Array.from_buffers(type_, n, [bitmap, pa.py_buffer(data)])


def main() -> int:
    """``python -m newsanno.read.native``: build the library; a clear message and 1 when it cannot."""
    try:
        print(f"built {build()}")
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"newsanno.read.native: cannot build {LIBRARY.name}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
