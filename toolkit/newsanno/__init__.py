"""newsanno: an annotated dataset of news articles and the toolkit that keeps it correct.

The functions that validate, export and load import the rules, pyarrow and pandas on first use,
so that ``import newsanno`` and the command line stay quick.
"""

from __future__ import annotations as _annotations

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from newsanno.model import CorpusFile, DocumentFile, Span
from newsanno.model.corpus import Corpus, LoadedDocument
from newsanno.model.findings import Code, Finding, NewsannoError, Report, Severity

if _TYPE_CHECKING:
    from newsanno.agree.card import export_dataset
    from newsanno.dataset.loader import Dataset, dataset_to_corpus, load_dataset
    from newsanno.engines.api import validate
    from newsanno.engines.local import load_corpus

_LAZY = {
    "Dataset": "newsanno.dataset.loader",
    "dataset_to_corpus": "newsanno.dataset.loader",
    "load_dataset": "newsanno.dataset.loader",
    "export_dataset": "newsanno.agree.card",
    "validate": "newsanno.engines.api",  # (the rules, pyarrow and numpy: 0.3 s of imports)
    "load_corpus": "newsanno.engines.local",
}

__all__ = [
    "Code",
    "Corpus",
    "CorpusFile",
    "Dataset",
    "DocumentFile",
    "Finding",
    "LoadedDocument",
    "NewsannoError",
    "Report",
    "Severity",
    "Span",
    "dataset_to_corpus",
    "export_dataset",
    "load_corpus",
    "load_dataset",
    "validate",
]


def __getattr__(name: str) -> _Any:
    if name in _LAZY:
        value = getattr(_importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'newsanno' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
