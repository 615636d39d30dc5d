"""Inter-annotator agreement, and scoring a system against a gold corpus (``newsanno agree``).

``agree(A, B)`` measures B against A: precision is B's, recall A's. The names below load on first
use (scipy and scikit-learn take most of a second to import, and ``newsanno export`` passes
through :mod:`newsanno.agree.card` whether or not a corpus has a second annotation).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsanno.agree.core import Agreement, agree, load_side
    from newsanno.agree.match import LAYERS

_LAZY = {
    "Agreement": "newsanno.agree.core",
    "agree": "newsanno.agree.core",
    "load_side": "newsanno.agree.core",
    "LAYERS": "newsanno.agree.match",
}

__all__ = ["LAYERS", "Agreement", "agree", "load_side"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'newsanno.agree' has no attribute {name!r}")
