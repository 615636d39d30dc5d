"""What the readers share: the parsed result with the position of every value, the problems
they report before a file name is known, the limits of their work, and the encodings.

The readers are :mod:`newsanno.read.yaml12` (YAML 1.2 from ruamel.yaml's events),
:mod:`newsanno.read.jsontext` (JSON and JSONL, positions by a quick scan) and
:mod:`newsanno.read.parse` (a file: bytes to data, choosing the reader).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsanno.model.findings import Code

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists an annotation file may have."""

MAX_NODES = 30_000
"""Most values (keys, scalars, lists and mappings) one file or JSONL line may hold.

It bounds the YAML reader's work, not only its input: the pure-Python reader takes 30-80 µs a
value (more on a busy machine), so a file of 8 MiB of one-character list items took minutes and
gigabytes, and this keeps any file under about 1 s, 2-3 s on a busy machine. The largest
annotation file of the corpus has 2,600 values. JSON is held to the same limit (its positions come
from the YAML reader, or from a quick scan whose memory grows with the values).
"""

MAX_YAML_CHARS = 512 * 1024
"""Longest text the YAML reader reads (512 Ki characters); :data:`MAX_YAML_LINES`, the most lines.

The pure-Python reader takes up to about 2 µs a character (short words) and 10 µs a comment line,
so these keep a file under about 1 s, 2 s on a busy machine; the largest annotation file of the
corpus has 32,000 characters on 700 lines. Longer JSON is read by the JSON parser, its positions
found by a quick scan (:func:`json_positions`)."""
MAX_YAML_LINES = 50_000

MAX_WORLD_NODES = 300_000
"""Most values the world (``corpus.yaml``) may hold when a fast reader reads it: libyaml (YAML
with no escapes or odd characters) or the JSON parser. A world grows with the archive: 10,000
entities with aliases, events and utterances are some 170,000 values; libyaml reads 300,000 in
about 1.2 s and 200 MB. Read by the pure-Python reader, the world keeps :data:`MAX_NODES`."""

MAX_BYTES = 8 * 1024 * 1024
"""Default size limit for one annotation or text file (8 MiB)."""


@dataclass(frozen=True)
class Limits:
    """How much one file may hold, so that no file costs more than about 2 s and 200 MB."""

    nodes: int = MAX_NODES
    """Values the pure-Python YAML reader reads."""
    fast_nodes: int = MAX_NODES
    """Values libyaml and the JSON parser read."""
    fast_long: bool = True
    """Whether :data:`MAX_YAML_CHARS` and :data:`MAX_YAML_LINES` hold for libyaml too (they bound
    the pure reader's work, which grows with the text, not only with the values)."""


DOCUMENT_LIMITS = Limits()
WORLD_LIMITS = Limits(fast_nodes=MAX_WORLD_NODES, fast_long=False)
_LIMITS: ContextVar[Limits] = ContextVar("newsanno_read_limits", default=DOCUMENT_LIMITS)


@contextmanager
def reading(limits: Limits) -> Iterator[None]:
    """Read with ``limits`` (the world's, say) within this block."""
    token = _LIMITS.set(limits)
    try:
        yield
    finally:
        _LIMITS.reset(token)


Path_ = tuple[str | int, ...]
Position = tuple[int, int]


def untrim(path: Path_, kept: dict[str, list[int]]) -> Path_:
    """Map a path in a list-trimmed copy of a file back to the file as written.

    ``kept[layer]`` lists, for each item left in the trimmed ``layer``, its original index.
    """
    if len(path) >= 2 and path[0] in kept and isinstance(path[1], int):
        return (path[0], kept[str(path[0])][path[1]], *path[2:])
    return path


@dataclass
class ParseProblem:
    """A parse-level finding before it is bound to a file name."""

    line: int
    col: int
    code: Code
    message: str
    hint: str


@dataclass
class Parsed:
    """A parsed file: its data, the 1-based (line, col) of every value and key, and problems."""

    data: Any = None
    positions: dict[Path_, Position] = field(default_factory=dict)
    key_positions: dict[Path_, Position] = field(default_factory=dict)
    problems: list[ParseProblem] = field(default_factory=list)
    locate: Callable[[], Parsed] | None = field(default=None, repr=False, compare=False)
    """When set, the positions are left for later: this parses the file again with them."""

    @property
    def ok(self) -> bool:
        return not self.problems and self.data is not None

    def located(self) -> Parsed:
        """This file, with its positions worked out now if they were left for later."""
        if self.locate is not None:
            full, self.locate = self.locate(), None
            self.positions, self.key_positions = full.positions, full.key_positions
        return self

    def where(self, path: Path_, *, key: bool = False) -> Position:
        """The position of ``path``, or of its nearest ancestor that has one."""
        self.located()
        table = self.key_positions if key else self.positions
        probe = tuple(path)
        while probe:
            if probe in table:
                return table[probe]
            if not key and probe in self.key_positions:
                return self.key_positions[probe]
            probe = probe[:-1]
        return self.positions.get((), (1, 1))


# --------------------------------------------------------------------------------------------
# Encodings


def line_col_at(text: str, index: int) -> Position:
    """1-based line and column (in code points) of ``index`` in ``text``."""
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def decode_utf8(
    raw: bytes, *, allow_crlf: bool, allow_bom: bool = False
) -> tuple[str | None, list[ParseProblem]]:
    """Decode strict UTF-8. Report invalid bytes, a BOM and (unless allowed) CRLF line ends."""
    problems: list[ParseProblem] = []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8", errors="replace")
        line, col = line_col_at(good, len(good))
        problems.append(
            ParseProblem(
                line,
                col,
                Code.ENCODING_UTF8,
                f"invalid UTF-8 byte 0x{raw[exc.start]:02x} at byte offset {exc.start}",
                "save the file as UTF-8 (in VS Code: 'Save with Encoding' > UTF-8)",
            )
        )
        return None, problems
    if text.startswith("\ufeff") and not allow_bom:
        problems.append(
            ParseProblem(
                1,
                1,
                Code.ENCODING_BOM,
                "the file starts with a byte order mark (BOM)",
                "save the file as UTF-8 without BOM",
            )
        )
    if not allow_crlf and "\r\n" in text:
        index = text.index("\r\n")
        line, col = line_col_at(text, index)
        count = text.count("\r\n")
        problems.append(
            ParseProblem(
                line,
                col,
                Code.ENCODING_CRLF,
                f"Windows line ends (CRLF) on {count} line(s), the first here",
                "convert the file to LF line ends (in VS Code: click 'CRLF' in the status bar)",
            )
        )
    return text, problems


def read_bytes(path: Path, max_bytes: int = MAX_BYTES) -> tuple[bytes | None, list[ParseProblem]]:
    """Read a file, refusing one over the size limit without reading it."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, [
                ParseProblem(
                    1,
                    1,
                    Code.FILE_TOO_LARGE,
                    f"file is {size:,} bytes, over the limit of {max_bytes:,}",
                    "split the file, or raise the limit with --max-bytes if it is trusted",
                )
            ]
        return path.read_bytes(), []
    except OSError as exc:
        return None, [
            ParseProblem(
                1,
                1,
                Code.FILE_UNREADABLE,
                f"cannot read file: {exc.strerror or exc}",
                "check that the path exists and is readable",
            )
        ]


# --------------------------------------------------------------------------------------------
# Limits and characters both readers check


_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\n]|\'\')*\'')
_BRACKETS = re.compile(r"[\[\]{}]")


def _flow_too_deep(text: str) -> int | None:
    """Offset where flow brackets nest deeper than MAX_DEPTH (the YAML parser is slow there)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    blanked = _QUOTED.sub(lambda m: " " * len(m.group()), text)
    depth = 0
    for m in _BRACKETS.finditer(blanked):
        depth += 1 if m.group() in "[{" else -1
        if depth > MAX_DEPTH:
            return m.start()
    return None


_YAML_PLAIN = "\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
"""The characters YAML reads as JSON does: not controls, tabs, carriage returns, C1 controls such
as NEL, line or paragraph separators, BOM, surrogates or non-characters (a character class)."""
_YAML_BREAKS = re.compile(f"[^{_YAML_PLAIN}]")
"""A character YAML may read otherwise than JSON (as a line break, say, or not at all)."""
_YAML_UNSAFE = re.compile(f"[^{_YAML_PLAIN}]|\\\\")
"""The same, or a backslash (an escape)."""


_SURROGATE = re.compile("[\ud800-\udfff]")


_LONE_ESCAPE = re.compile(
    r"(?<!\\)(?:\\\\)*\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<![0-9a-fA-F]{2})(?<!\\)(?:\\\\)*\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
"""An escaped UTF-16 surrogate without its other half (``\\ud800``), in JSON or double quotes."""


def _lone_surrogate(data: Any, text: str) -> ParseProblem | None:
    """A problem when a string of ``data`` holds a lone surrogate (only an escape can make one:
    it is no character, and no UTF-8 can hold it); at the escape when it can be found."""
    todo = [data]
    while todo:
        node = todo.pop()
        if isinstance(node, str):
            if _SURROGATE.search(node):
                break
        elif isinstance(node, dict):
            todo.extend(node.keys())
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    else:
        return None
    m = _LONE_ESCAPE.search(text)
    line, col = line_col_at(text, m.end() - 6) if m else (1, 1)
    return ParseProblem(
        line,
        col,
        Code.ENCODING_UTF8,
        "a string holds a lone UTF-16 surrogate (an escape such as \\ud800 without its pair), "
        "which is not a character",
        "write the character itself, or both halves of its surrogate pair (\\ud83d\\ude00)",
    )


def _too_long_for_yaml(text: str) -> Parsed | None:
    """A problem when ``text`` is longer than the YAML reader reads (:data:`MAX_YAML_CHARS`,
    :data:`MAX_YAML_LINES`), where the limit is passed."""
    if len(text) > MAX_YAML_CHARS:
        (line, col), what = line_col_at(text, MAX_YAML_CHARS), f"{MAX_YAML_CHARS:,} characters"
    elif text.count("\n") >= MAX_YAML_LINES:
        (line, col), what = (MAX_YAML_LINES + 1, 1), f"{MAX_YAML_LINES:,} lines"
    else:
        return None
    out = Parsed()
    out.problems.append(
        ParseProblem(
            line,
            col,
            Code.FILE_TOO_LARGE,
            f"over {what}, more than the YAML reader reads (it stopped here)",
            "split the file, or write it as JSON, which is read without this limit",
        )
    )
    return out


def _too_deep_at(line: int, col: int) -> Parsed:
    out = Parsed()
    out.problems.append(
        ParseProblem(
            line,
            col,
            Code.YAML_TOO_DEEP,
            f"nesting deeper than {MAX_DEPTH} levels",
            "annotation files are shallow; check for runaway brackets",
        )
    )
    return out


def _too_many_at(line: int, col: int, limit: int = MAX_NODES) -> Parsed:
    out = Parsed()
    out.problems.append(
        ParseProblem(
            line,
            col,
            Code.YAML_TOO_MANY_NODES,
            f"more than {limit:,} values (keys, scalars, lists and mappings) in one file; "
            "the reader stopped here",
            "split the file; annotation files hold thousands of values, not tens of thousands",
        )
    )
    return out
