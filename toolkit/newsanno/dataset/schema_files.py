"""Every generated file in ``schema/``: the input schemas and ontology of the model, and the table
schemas of the export. ``newsanno schema`` writes them; ``--check`` (and a test) finds stale ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import newsanno.dataset.variants  # noqa: F401  (registers the quote_variants tables)
from newsanno.dataset.tables import TABLES_FILE, tables_document
from newsanno.model.schemas import GENERATORS, dumps


def _all_generators() -> dict[str, Callable[[], dict[str, Any]]]:
    return {**GENERATORS, TABLES_FILE: tables_document}


def write_schemas(directory: Path) -> list[Path]:
    """Write every generated schema file into ``directory``; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, gen in sorted(_all_generators().items()):
        path = directory / name
        path.write_text(dumps(gen()), encoding="utf-8")
        written.append(path)
    return written


def stale_schemas(directory: Path) -> list[str]:
    """Names of generated files that are missing or differ from what the code generates."""
    stale = []
    for name, gen in sorted(_all_generators().items()):
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != dumps(gen()):
            stale.append(name)
    return stale
