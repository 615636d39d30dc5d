"""A loaded corpus: the world and its documents with every span resolved to exact offsets."""

from __future__ import annotations

import os
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
        return str(path)
    return str(path) if rel.startswith("..") else rel
