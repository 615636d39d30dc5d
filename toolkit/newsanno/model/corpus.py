"""A loaded corpus: the world and its documents with every span resolved to exact offsets."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from newsanno.model import CorpusFile, DocumentFile


@dataclass
class LoadedDocument:
    """A valid document: spans resolved to exact offsets, and its text."""

    model: DocumentFile
    text: str
    file: str
    line: int = 1


@dataclass
class Corpus:
    """A validated corpus: the world and its documents, in a stable order (by doc_id)."""

    world: CorpusFile
    documents: list[LoadedDocument] = field(default_factory=list)
    root: Path | None = None


def display(path: Path) -> str:
    """How findings name a file: relative to the working directory when below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - different drive on Windows
        return printable(str(path))
    return printable(str(path) if rel.startswith("..") else rel)


def printable(name: str) -> str:
    """A file name as text: bytes that are no UTF-8 (which Python keeps as lone surrogates,
    and no output can encode) become U+FFFD."""
    if not _SURROGATES.search(name):
        return name
    return os.fsencode(name).decode("utf-8", "replace")


_SURROGATES = re.compile("[\ud800-\udfff]")
