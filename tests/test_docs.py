"""Docs kept true by tests: the README's CLI reference matches --help, every code is documented."""

from __future__ import annotations

import importlib.util
import re

import newsanno
from newsanno.model.findings import Code

from .conftest import REPO


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "cli_reference", REPO / "scripts" / "cli_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_cli_reference_matches_help() -> None:
    script = _script()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert script.current(readme) == script.reference(), (
        "README.md CLI reference is stale: run `.venv/bin/python scripts/cli_reference.py --write`"
    )


def test_every_finding_code_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [c.value for c in Code if f"`{c.value}`" not in readme]
    assert missing == []


def test_readme_has_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make dataset" in readme and "make test" in readme
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_public_api_is_exactly_all() -> None:
    public = {name for name in dir(newsanno) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(newsanno, name)).__name__ == "module"}
    assert public - modules == set(newsanno.__all__)
    for name in newsanno.__all__:
        assert getattr(newsanno, name) is not None


def test_annotation_files_name_their_schema() -> None:
    for path in (REPO / "annotations").rglob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert re.match(
            r"# yaml-language-server: \$schema=(\.\./)+schema/\w+\.schema\.json$", first
        ), path
        target = (path.parent / first.split("=", 1)[1]).resolve()
        assert target.is_file(), target


def _python_block(after_heading: str) -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(after_heading) :]
    start = section.index("```python\n") + len("```python\n")
    return section[start : section.index("```", start)]


def test_readme_load_snippets_run(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The README's pandas snippets run as written against a fresh export of the seed corpus."""
    import shutil

    from newsanno import export_dataset

    from .conftest import ANNOTATIONS, chdir

    shutil.copytree(ANNOTATIONS, tmp_path / "annotations")
    with chdir(tmp_path):
        assert export_dataset("annotations", "dist/newsanno").written
        for heading in ("**3. Load in pandas.**", "## Export and load"):
            namespace: dict[str, object] = {}
            exec(compile(_python_block(heading), f"README {heading}", "exec"), namespace)
            assert namespace, heading
