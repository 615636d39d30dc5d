"""A cache of parsed files' data, keyed by the file's sha256 and the reader's own: a large YAML
world is parsed once, and read again as fast as JSON.

``NEWSANNO_CACHE=0`` turns it off; ``NEWSANNO_CACHE_DIR`` sets the folder; otherwise
``$XDG_CACHE_HOME/newsanno`` or ``~/.cache/newsanno``. An entry is used only by the reader that
wrote it (its source's sha256 is in the key), and a cache that cannot be written is no cache.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache as memoize
from pathlib import Path
from typing import Any

import orjson


def folder() -> Path | None:
    """Where parsed YAML worlds are cached (None: not at all)."""
    if os.environ.get("NEWSANNO_CACHE", "1") == "0":
        return None
    if os.environ.get("NEWSANNO_CACHE_DIR"):
        return Path(os.environ["NEWSANNO_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "newsanno"


Reader = str | tuple[str, ...]
"""The path of the module (or modules) that parse: their source is part of an entry's key."""


@memoize
def _digest(reader: Reader) -> str:
    paths = (reader,) if isinstance(reader, str) else reader
    sources = b"".join(hashlib.sha256(Path(p).read_bytes()).digest() for p in paths)
    return hashlib.sha256(sources).hexdigest()[:16]


def _entry(raw: bytes, reader: Reader) -> Path | None:
    where = folder()
    if where is None:
        return None
    return where / "yaml" / f"{hashlib.sha256(raw).hexdigest()}-{_digest(reader)}.json"


def load(raw: bytes, reader: Reader) -> Any:
    """The data the module at path ``reader`` (or the modules) parsed from ``raw`` before, or None."""
    entry = _entry(raw, reader)
    if entry is None:
        return None
    try:
        return orjson.loads(entry.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None


def store(raw: bytes, reader: Reader, data: Any) -> None:
    """Keep ``data`` (what ``reader`` parsed from ``raw``), when JSON holds it exactly."""
    entry = _entry(raw, reader)
    if entry is None:
        return
    try:
        dumped = orjson.dumps(data)
        if orjson.loads(dumped) != data:  # NaN, say: not cached
            return
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
        tmp.write_bytes(dumped)
        os.replace(tmp, entry)
    except (OSError, TypeError, orjson.JSONEncodeError):
        pass
