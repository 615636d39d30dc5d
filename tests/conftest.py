"""Shared test fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "tests" / "cases"
ANNOTATIONS = REPO / "annotations"
MINIMAL = CASES / "valid" / "minimal"


@contextmanager
def chdir(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def pytest_configure(config: object) -> None:
    """The YAML world cache (newsanno.read.parse.cache_dir) writes into a folder of the test
    run, not the user's ~/.cache; subprocesses inherit it."""
    import tempfile

    if "NEWSANNO_CACHE_DIR" not in os.environ:
        os.environ["NEWSANNO_CACHE_DIR"] = tempfile.mkdtemp(prefix="newsanno-test-cache-")
