"""Writing an output folder atomically, and refusing to replace a folder that is not ours."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsanno.model.findings import NewsannoError

MARKER = ".newsanno-interop"
"""A file in every folder `newsanno import` or `export --to` writes, so a rerun may replace it."""


def check_target(out: Path) -> None:
    """Refuse an ``out`` that exists and is neither empty nor written by us."""
    if out.exists() and not out.is_dir():
        raise NewsannoError(f"{out}: exists and is not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise NewsannoError(
            f"{out}: the folder is not empty and was not written by `newsanno import` or "
            "`newsanno export --to`; choose a new or empty folder for --out (it is replaced whole)"
        )


@contextlib.contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A fresh folder beside ``out``; removed on the way out unless :func:`publish` moved it."""
    check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.staging-{os.getpid()}-{secrets.token_hex(4)}"
    tmp.mkdir()
    try:
        yield tmp
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def write_marker(folder: Path, info: dict[str, Any]) -> None:
    (folder / MARKER).write_text(
        json.dumps({"written_by": "newsanno", **info}, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )


def publish(tmp: Path, out: Path) -> None:
    """Move the finished folder into place, synced, as the export does; the old one stays until
    the new one is there."""
    from newsanno.dataset.write import replace_folder  # (pyarrow: only when writing)

    check_target(out)
    replace_folder(tmp, out)
