"""Generate the README's CLI reference from ``newsanno --help`` (``--write`` updates README.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

from newsanno.cli import main

START, END = "<!-- cli-reference:start -->", "<!-- cli-reference:end -->"
README = Path(__file__).resolve().parents[1] / "README.md"


def _help(args: list[str]) -> str:
    result = CliRunner().invoke(main, [*args, "--help"], prog_name="newsanno", terminal_width=100)
    assert result.exit_code == 0, result.output
    return result.output.rstrip() + "\n"


def reference() -> str:
    """The CLI reference section body, one block per command."""
    parts = [START, "", "```text", "$ newsanno --help", _help([]).rstrip(), "```", ""]
    assert isinstance(main, click.Group)
    for name in sorted(main.commands):
        parts += [
            f"### `newsanno {name}`",
            "",
            "```text",
            f"$ newsanno {name} --help",
            _help([name]).rstrip(),
            "```",
            "",
        ]
    parts.append(END)
    return "\n".join(parts)


def current(readme: str) -> str:
    start, end = readme.index(START), readme.index(END) + len(END)
    return readme[start:end]


if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    if "--write" in sys.argv:
        README.write_text(text.replace(current(text), reference()), encoding="utf-8")
    elif current(text) != reference():
        sys.exit("README.md CLI reference is stale: run `python scripts/cli_reference.py --write`")
