"""Reading annotation files: bytes to plain data, with the line and column of every value.

YAML is read as YAML 1.2 from ruamel.yaml's event stream, so this module decides every rule
itself: duplicate keys, anchors, aliases and tags are errors; plain scalars resolve by the YAML 1.2
core schema (``2025-06-11`` stays a string); the YAML 1.1 booleans ``yes``/``no``/``on``/``off``
are errors instead of silently meaning a string to one tool and a boolean to another. JSON is read
with duplicate-key detection. Encodings are checked first: a BOM, CRLF line ends or invalid UTF-8
are findings with a position.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from newsanno.model.findings import Code
from newsanno.read import cache

try:  # libyaml, through ruamel.yaml.clib: the same events as the pure parser, faster
    from ruamel.yaml.cyaml import CParser as _CParser
except ImportError:  # pragma: no cover - the clib wheel is missing on this platform
    _CParser = None

_DIRECTIVE = re.compile(r"^%", re.MULTILINE)

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
# YAML 1.2 from events

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT10 = re.compile(r"^[-+]?[0-9]+$")
_INT8 = re.compile(r"^0o[0-7]+$")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")
_YAML11_BOOL = re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")
_MAYBE_TYPED = frozenset("~nNtTfFyYoO0123456789+-.=<")
"""The first characters of every plain scalar that YAML 1.2 or 1.1 may read as other than a
string (null, booleans, numbers, 1.1's yes/no/on/off, octal, base 60, merge and value keys)."""
_YAML11_INT = re.compile(
    r"^[-+]?(?:0b[01_]+|0[0-7_]+|0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)$"
)
_YAML11_FLOAT = re.compile(
    r"^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
"""YAML 1.1's ints and floats (its type repository, as PyYAML reads them)."""


def resolve_yaml11_number(value: str) -> Any:
    """What YAML 1.1 reads a plain scalar as, when it reads a number (octal ``012``, base 60
    ``1:30``, ``1_000``, ``0b101``); the text itself otherwise."""
    if not (_YAML11_INT.match(value) or _YAML11_FLOAT.match(value)):
        return value
    sign = -1 if value.startswith("-") else 1
    digits = value.lstrip("+-").replace("_", "")
    try:
        if _YAML11_FLOAT.match(value):
            if ":" in digits:
                whole, frac = digits.rsplit(".", 1)
                return sign * (_base60(whole) + float(f"0.{frac or 0}"))
            if digits.lower() in (".inf", ".nan"):
                return resolve_plain(value)
            return sign * float(digits)
        if ":" in digits:
            return sign * _base60(digits)
        if digits[:2] in ("0b", "0x"):
            return sign * int(digits[2:], 2 if digits[1] == "b" else 16)
        return sign * int(digits, 8 if digits.startswith("0") else 10)
    except ValueError:  # ``0b_``: a number to YAML 1.1, but none it can read
        return float("nan")


def _base60(digits: str) -> int:
    total = 0
    for part in digits.split(":"):
        total = total * 60 + int(part)
    return total


def _yaml11_differs(value: str, resolved: Any) -> bool:
    """Whether YAML 1.1 reads the plain scalar ``value`` otherwise than YAML 1.2 (``resolved``).

    Floats YAML 1.1 reads as text (``1e-05``, as JSON writes them) are left alone: no field is a
    float, so the schema reports them anyway, and JSON, which is YAML 1.2, stays clean.
    """
    if value[:1] not in _NUMBER_STARTS or isinstance(resolved, float):
        return False
    old = resolve_yaml11_number(value)
    if type(old) is not type(resolved):
        return True
    if isinstance(old, float) and old != old:  # .nan, or 0b_
        return not (isinstance(resolved, float) and resolved != resolved)
    return bool(old != resolved)


_NUMBER_STARTS = frozenset("+-.0123456789")


def resolve_plain(value: str) -> Any:
    """Resolve a plain (unquoted) scalar by the YAML 1.2 core schema."""
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT10.match(value):
        return int(value)
    if _INT8.match(value):
        return int(value[2:], 8)
    if _INT16.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value):
        return float(value)
    if _INF.match(value):
        return float("-inf") if value.startswith("-") else float("inf")
    if _NAN.match(value):
        return float("nan")
    return value


class _Builder:
    """Builds plain data from YAML events, recording positions and problems."""

    def __init__(self, events: list[Event], line_offset: int = 0) -> None:
        self.events = events
        self.line_offset = line_offset
        self.i = 0
        self.out = Parsed()

    def problem(self, ev: Event, code: Code, message: str, hint: str) -> None:
        m = ev.start_mark
        self.out.problems.append(ParseProblem(m.line + 1, m.column + 1, code, message, hint))

    def check_node(self, ev: Event) -> None:
        if ev.anchor is None and ev.tag is None:  # type: ignore[attr-defined]
            return
        anchor = getattr(ev, "anchor", None)
        if anchor is not None:
            self.problem(
                ev,
                Code.YAML_ANCHOR,
                f"YAML anchor `&{anchor}` is not allowed",
                "write the value out in full; anchors and aliases hide what is annotated",
            )
        tag = getattr(ev, "tag", None)
        tag = getattr(tag, "value", tag)
        if isinstance(ev, ScalarEvent):
            explicit = tag is not None and not ev.implicit[0] and not ev.implicit[1]
        else:
            explicit = tag is not None and not getattr(ev, "implicit", True)
        if tag is not None and (explicit or isinstance(ev, CollectionStartEvent)):
            self.problem(
                ev,
                Code.YAML_TAG,
                f"YAML tag `{tag}` is not allowed",
                "remove the tag; quote the value if it must be a string",
            )

    def _skip(self) -> None:
        """Skip the rest of the collection just opened."""
        depth = 1
        while depth:
            ev = self.events[self.i]
            self.i += 1
            if isinstance(ev, CollectionStartEvent):
                depth += 1
            elif isinstance(ev, MappingEndEvent | SequenceEndEvent):
                depth -= 1

    def node(self, path: Path_, *, is_key: bool = False) -> Any:
        ev = self.events[self.i]
        self.i += 1
        m = ev.start_mark
        self.out.positions[path] = (m.line + 1, m.column + 1)
        if isinstance(ev, AliasEvent):
            self.problem(
                ev,
                Code.YAML_ALIAS,
                f"YAML alias `*{ev.anchor}` is not allowed",
                "write the value out in full instead of referring to an anchor",
            )
            return None
        self.check_node(ev)
        if isinstance(ev, CollectionStartEvent) and len(path) >= MAX_DEPTH:
            self.problem(
                ev,
                Code.YAML_TOO_DEEP,
                f"nesting deeper than {MAX_DEPTH} levels",
                "annotation files are shallow; check for runaway brackets or indentation",
            )
            self._skip()
            return None
        if isinstance(ev, ScalarEvent):
            style = ev.style  # None (the pure parser) or "" (libyaml) for a plain scalar
            if style or is_key:  # quoted or block scalar, or a key: a string
                if not style:
                    return resolve_plain(ev.value)
                if style == ">":  # the pure parser marks the places it folded with BEL
                    return ev.value.replace("\a", "")
                return _paired(ev.value) if style == '"' else ev.value
            if ev.value and ev.value[0] not in _MAYBE_TYPED:
                return ev.value  # a string in YAML 1.2 and in 1.1 alike
            if _YAML11_BOOL.match(ev.value):
                self.problem(
                    ev,
                    Code.YAML_AMBIGUOUS_SCALAR,
                    f"`{ev.value}` is a boolean in YAML 1.1 but a string in YAML 1.2",
                    f'write `true` or `false` for a boolean, or "{ev.value}" in quotes for text',
                )
                return ev.value
            value = resolve_plain(ev.value)
            if _yaml11_differs(ev.value, value):
                self.problem(
                    ev,
                    Code.YAML_AMBIGUOUS_SCALAR,
                    f"YAML 1.1 reads `{ev.value}` as {_reading(resolve_yaml11_number(ev.value))}, "
                    f"YAML 1.2 as {_reading(value)}",
                    f'put it in quotes ("{ev.value}") if it is text; write a number in plain '
                    "decimal (no leading zero, `_`, `0o`, `0b` or `:`)",
                )
            return value
        if isinstance(ev, SequenceStartEvent):
            items: list[Any] = []
            while not isinstance(self.events[self.i], SequenceEndEvent):
                items.append(self.node((*path, len(items))))
            self.i += 1
            return items
        if isinstance(ev, MappingStartEvent):
            mapping: dict[str, Any] = {}
            while not isinstance(self.events[self.i], MappingEndEvent):
                key_ev = self.events[self.i]
                key = self.node((*path, "\0key"), is_key=True)
                self.out.positions.pop((*path, "\0key"), None)
                km = key_ev.start_mark
                if not isinstance(key, str):
                    # a list or mapping as a key is named, not printed: the text of keys nested
                    # in keys grows exponentially with their depth (each level escapes the last)
                    shown = (
                        str(key)
                        if not isinstance(key, dict | list)
                        else f"a {'mapping' if isinstance(key, dict) else 'list'} at line "
                        f"{km.line + 1 + self.line_offset}, column {km.column + 1}"
                    )
                    self.problem(
                        key_ev,
                        Code.YAML_NON_STRING_KEY,
                        f"key `{shown}` is not a string",
                        "keys are field names; write a field name from the schema",
                    )
                    key = shown
                if key in mapping:
                    first = self.out.key_positions[(*path, key)]
                    self.problem(
                        key_ev,
                        Code.YAML_DUPLICATE_KEY,
                        f"duplicate key `{key}` (first at line {first[0] + self.line_offset}, "
                        f"column {first[1]})",
                        "remove one of the two; a later key would silently replace the earlier",
                    )
                    self.node((*path, "\0dup"))
                    self.out.positions.pop((*path, "\0dup"), None)
                    continue
                self.out.key_positions[(*path, key)] = (km.line + 1, km.column + 1)
                mapping[key] = self.node((*path, key))
            self.i += 1
            return mapping
        raise AssertionError(f"unexpected YAML event {type(ev).__name__}")  # pragma: no cover


def _reading(value: Any) -> str:
    """How a scalar was read, for a message: ``the number 10``, ``text``."""
    if isinstance(value, str):
        return "text"
    if isinstance(value, float) and value != value:
        return "an unreadable number"
    return f"the number {value}"


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


_SURROGATE = re.compile("[\ud800-\udfff]")


def _paired(value: str) -> str:
    """A double-quoted YAML string with each escaped surrogate pair (``\\ud83d\\ude00``, as JSON
    writes characters beyond U+FFFF) made the one character it stands for, as JSON reads it."""
    if not _SURROGATE.search(value):
        return value
    return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


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


def _libyaml_events(text: str, bound: int) -> list[Event] | Event | None:
    """The events of ``text`` from libyaml (ruamel.yaml.clib's parser, some 25 times faster than
    the pure-Python one), or None: when libyaml is not installed, when the text holds anything
    the two parsers could read differently (a character outside :data:`_YAML_PLAIN`, an escape,
    a directive), and when libyaml finds an error, so that the pure parser reports it in its own
    words. Otherwise the two give the same events at the same marks (``tests/test_parse.py``).
    Past ``bound`` values it stops, and gives the event where it stopped."""
    if _CParser is None or _YAML_UNSAFE.search(text) or _DIRECTIVE.search(text):
        return None
    parser = _CParser(text)
    events: list[Event] = []
    nodes = 0
    try:
        while not isinstance(event := parser.get_event(), StreamEndEvent):
            events.append(event)
            if isinstance(event, ScalarEvent | CollectionStartEvent | AliasEvent):
                nodes += 1
                if nodes > bound:
                    return event
    except YAMLError:
        return None
    finally:
        parser.dispose()
    events.append(event)
    return events


def parse_yaml_text(text: str, line_offset: int = 0) -> Parsed:
    """Parse YAML 1.2 text into plain data with positions. Never raises on bad input."""
    limits = _LIMITS.get()
    too_long = _too_long_for_yaml(text)
    deep = _flow_too_deep(text)
    if too_long is not None and limits.fast_long and deep is None:
        return too_long
    if deep is not None:
        return _too_deep_at(*line_col_at(text, deep))
    found = _libyaml_events(text, limits.fast_nodes)  # None: the pure parser
    if isinstance(found, Event):
        return _too_many_nodes(found, limits.fast_nodes)
    if found is None and too_long is not None:
        return too_long
    events = found
    nodes = 0
    try:
        if events is None:
            events = []
            for ev in YAML(typ="rt", pure=True).parse(text):
                events.append(ev)
                if isinstance(ev, ScalarEvent | CollectionStartEvent | AliasEvent):
                    nodes += 1
                    if nodes > limits.nodes:
                        return _too_many_nodes(ev, limits.nodes)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        out = Parsed()
        out.problems.append(
            ParseProblem(
                line,
                col,
                Code.YAML_SYNTAX,
                f"YAML syntax error: {problem}",
                _yaml_syntax_hint(problem),
            )
        )
        return out
    except YAMLError as exc:
        out = Parsed()
        position = getattr(exc, "position", None)  # a ReaderError: a character YAML refuses
        if isinstance(position, int) and 0 <= position < len(text):
            line, col = line_col_at(text, position)
            char = ord(text[position])
            out.problems.append(
                ParseProblem(
                    line,
                    col,
                    Code.YAML_SYNTAX,
                    f"YAML does not allow the non-printable character U+{char:04X} here",
                    f'remove it, or write it as an escape ("\\x{char:02x}") in double quotes'
                    if char < 0x100
                    else f'remove it, or write it as an escape ("\\u{char:04x}") in double quotes',
                )
            )
            return out
        out.problems.append(
            ParseProblem(
                1,
                1,
                Code.YAML_SYNTAX,
                f"YAML error: {exc}",
                "check the file's indentation and quoting",
            )
        )
        return out
    docs = [i for i, ev in enumerate(events) if isinstance(ev, DocumentStartEvent)]
    if not docs:
        out = Parsed()
        out.problems.append(
            ParseProblem(
                1,
                1,
                Code.YAML_SYNTAX,
                "the file is empty",
                "an annotation file is a mapping of fields",
            )
        )
        return out
    builder = _Builder(events, line_offset)
    builder.i = docs[0] + 1
    builder.out.data = builder.node(())
    if len(docs) > 1:
        ev = events[docs[1]]
        builder.problem(
            ev,
            Code.YAML_MULTIPLE_DOCUMENTS,
            "the file holds more than one YAML document",
            "keep one document per file; remove the `---` line",
        )
    assert isinstance(events[-1], StreamEndEvent)
    lone = _lone_surrogate(builder.out.data, text)
    if lone is not None:
        builder.out.problems.append(lone)
    return builder.out


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


def _too_many_nodes(ev: Event, limit: int) -> Parsed:
    return _too_many_at(ev.start_mark.line + 1, ev.start_mark.column + 1, limit)


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


def _yaml_syntax_hint(problem: str) -> str:
    if "tab" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "a value containing `: ` must be quoted; or check the indentation of this line"
    if "could not find expected ':'" in problem or "simple key" in problem:
        return "check that each field is written `name: value` and the line above is closed"
    if "found character" in problem and "cannot start any token" in problem:
        return "quote the value: some characters (like ` or @ or %) cannot start a plain scalar"
    return "check indentation, quoting and brackets on this line and the one above"


# --------------------------------------------------------------------------------------------
# JSON


def _no_duplicates(problems: list[str]) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                problems.append(key)
            out[key] = value
        return out

    return hook


def parse_json_text(text: str, *, line_offset: int = 0) -> Parsed:
    """Parse strict JSON with duplicate-key detection. Positions come from the YAML reader."""
    dups: list[str] = []
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates(dups))
    except RecursionError:
        deep = _flow_too_deep(text)
        return _too_deep_at(*(line_col_at(text, deep) if deep is not None else (1, 1)))
    except json.JSONDecodeError as exc:
        out = Parsed()
        out.problems.append(
            ParseProblem(
                exc.lineno + line_offset,
                exc.colno,
                Code.JSON_SYNTAX,
                f"JSON syntax error: {exc.msg}",
                "check commas, brackets and quotes around this position",
            )
        )
        return out
    limits = _LIMITS.get()
    too_many = _too_many_values(data, text)
    if too_many is not None:
        return too_many
    quick = None
    if (
        _too_long_for_yaml(text) is not None or _over_max_nodes(data, limits.nodes)
    ) and _flow_too_deep(text) is None:
        quick = json_positions(text)  # too long for the YAML reader: the quick scan
    # JSON is YAML 1.2: reuse its reader for positions and duplicate keys
    out = quick if quick is not None else parse_yaml_text(text, line_offset)
    if out.data is None and quick is None:
        # (YAML reads some JSON otherwise, but its limits hold for JSON too)
        kept = (Code.YAML_TOO_DEEP, Code.YAML_TOO_MANY_NODES)
        out = Parsed(data=data, problems=[p for p in out.problems if p.code in kept])
    for problem in out.problems:
        if problem.code is Code.YAML_DUPLICATE_KEY:
            problem.code = Code.JSON_DUPLICATE_KEY
    if dups and not any(p.code is Code.JSON_DUPLICATE_KEY for p in out.problems):
        out.problems.append(
            ParseProblem(
                1, 1, Code.JSON_DUPLICATE_KEY, f"duplicate key `{dups[0]}`", "remove one of the two"
            )
        )
    out.data = data
    lone = _lone_surrogate(data, text)
    if lone is not None and not any(p.code is Code.ENCODING_UTF8 for p in out.problems):
        out.problems.append(lone)  # (the YAML reader may have found it already)
    return out


_YAML_PLAIN = "\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
"""The characters YAML reads as JSON does: not controls, tabs, carriage returns, C1 controls such
as NEL, line or paragraph separators, BOM, surrogates or non-characters (a character class)."""
_YAML_BREAKS = re.compile(f"[^{_YAML_PLAIN}]")
"""A character YAML may read otherwise than JSON (as a line break, say, or not at all)."""
_YAML_UNSAFE = re.compile(f"[^{_YAML_PLAIN}]|\\\\")
"""The same, or a backslash (an escape)."""


def _canonical_json(text: str) -> tuple[bool, Any]:
    """``(True, data)`` when ``text`` is JSON exactly as ``json.dumps`` or orjson lay it out
    (indented by 2, or on one line), in characters that YAML reads as JSON does, with no escapes,
    duplicate keys, keys over 1,000 characters, ``NaN`` or ``Infinity``, deep nesting, nor over
    :data:`MAX_NODES` values.

    Such a text reads the same as YAML 1.2 or as JSON, without problems (``tests/test_parse.py``
    holds it to that), so its positions need not be worked out unless a finding needs them.
    """
    if _YAML_UNSAFE.search(text) or _flow_too_deep(text) is not None:
        return False, None

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(items)
        if len(out) != len(items) or any(len(k) > 1000 for k in out):
            raise ValueError("a duplicate or very long key")
        return out

    def constant(name: str) -> Any:
        raise ValueError(name)

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except (ValueError, RecursionError):
        return False, None
    if _over_max_nodes(data):
        return False, None  # the YAML or JSON reader reports it
    body = text.removesuffix("\n")
    for layout in ({"indent": 2}, {}, {"separators": (",", ":")}):
        if json.dumps(data, ensure_ascii=False, **layout) == body:
            return True, data
    return False, None


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+')


def json_positions(text: str) -> Parsed | None:
    """The positions :func:`parse_yaml_text` gives a JSON text (with no duplicate keys), found
    with one pass of a tokenizer instead of the YAML reader; None where the two could differ
    (characters YAML may read as line breaks) or the text does not tokenize as expected."""
    if _YAML_BREAKS.search(text):
        return None
    out = Parsed()
    positions, key_positions = out.positions, out.key_positions
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    multiline = len(starts) > 1

    def at(i: int) -> Position:
        if not multiline:
            return (1, i + 1)
        line = bisect_right(starts, i)
        return (line, i - starts[line - 1] + 1)

    # frames: [path, is_mapping, key or index, expecting]; expecting: "value", "key", "colon",
    # "comma" (after a value) or "first" (just opened: a value or key, or the closing bracket)
    stack: list[list[Any]] = []
    done = False
    for m in _JSON_TOKEN.finditer(text):
        token = m.group()
        if done:
            return None
        frame = stack[-1] if stack else None
        if frame is not None and frame[3] in ("comma", "first") and token in ("}", "]"):
            stack.pop()
            if stack:
                stack[-1][3] = "comma"
            else:
                done = True
            continue
        if frame is not None and frame[3] == "comma":
            if token != ",":
                return None
            frame[3] = "key" if frame[1] else "value"
            if not frame[1]:
                frame[2] += 1
            continue
        if frame is not None and frame[1] and frame[3] in ("key", "first"):
            if not token.startswith('"'):
                return None
            key = json.loads(token)
            if (*frame[0], key) in key_positions:
                return None  # a duplicate: the YAML reader's business
            key_positions[(*frame[0], key)] = at(m.start())
            frame[2], frame[3] = key, "colon"
            continue
        if frame is not None and frame[3] == "colon":
            if token != ":":
                return None
            frame[3] = "value"
            continue
        # a value
        if token in ("}", "]", ",", ":"):
            return None
        path: Path_ = () if frame is None else (*frame[0], frame[2])
        positions[path] = at(m.start())
        if token in ("{", "["):
            stack.append([path, token == "{", 0, "first"])
        elif frame is None:
            done = True
        else:
            frame[3] = "comma"
    return out if done else None


def _nesting(value: Any) -> int:
    """How deeply lists and mappings nest in ``value`` (a scalar: 0)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        node, depth = todo.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            todo.extend(
                (child, depth + 1) for child in (node.values() if isinstance(node, dict) else node)
            )
    return deepest


def _over_max_nodes(data: Any, limit: int | None = None) -> bool:
    """Whether ``data`` holds over ``limit`` values (a count that stops there; by default the
    bound of the fast readers in force)."""
    if limit is None:
        limit = _LIMITS.get().fast_nodes
    count, todo = 0, [data]
    while todo and count <= limit:
        node = todo.pop()
        count += 1
        if isinstance(node, dict):
            count += len(node)
            todo.extend(node.values())
        elif isinstance(node, list) and count + len(node) <= limit + 1:
            todo.extend(node)
        elif isinstance(node, list):
            count += len(node)
    return count > limit


def _too_many_values(data: Any, text: str) -> Parsed | None:
    """The problem :func:`parse_yaml_text` gives for over :data:`MAX_NODES` values, for JSON
    already read, at the value where the reader would stop (found by a scan that stops there)."""
    limit = _LIMITS.get().fast_nodes
    if not _over_max_nodes(data, limit):
        return None
    seen = 0
    for m in _JSON_TOKEN.finditer(text):
        if m.group() not in ("}", "]", ",", ":"):
            seen += 1
            if seen > limit:
                return _too_many_at(*line_col_at(text, m.start()), limit)
    return _too_many_at(1, 1, limit)  # pragma: no cover - the text holds every value counted


def parse_json_line(text: str, *, line_offset: int = 0) -> Parsed:
    """:func:`parse_json_text` for a JSONL line, without positions: the same data and problems.

    A line's positions are worked out from its text when a finding needs them, so the YAML
    reader (which :func:`parse_json_text` runs for positions and duplicate keys) runs here only
    where it could add a problem: a duplicate key, deep nesting, or text json cannot read.
    """
    dups: list[str] = []
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates(dups))
    except (ValueError, RecursionError):
        return parse_json_text(text, line_offset=line_offset)
    too_many = _too_many_values(data, text)
    if too_many is not None:
        return too_many
    if dups or _nesting(data) >= MAX_DEPTH - 4 or _lone_surrogate(data, text) is not None:
        return parse_json_text(text, line_offset=line_offset)
    return Parsed(data=data)


def _later(parse: Callable[[], Parsed]) -> Callable[[], Parsed]:
    """``parse``, to run later under the limits in force now (a world's positions, say)."""
    limits = _LIMITS.get()

    def run() -> Parsed:
        with reading(limits):
            return parse()

    return run


def _cached_yaml(raw: bytes, text: str) -> Parsed:
    """:func:`parse_yaml_text` of a file without problems, through a cache of the data keyed by
    the file's sha256 and this module's (:mod:`newsanno.read.cache`): a large world read again
    costs what its JSON does. Positions are worked out only when a finding needs them, by
    parsing the text again."""
    data = cache.load(raw, __file__)
    if data is not None:
        return Parsed(data=data, locate=_later(lambda: parse_yaml_text(text)))
    parsed = parse_yaml_text(text)
    if not parsed.problems and parsed.data is not None:
        cache.store(raw, __file__, parsed.data)
    return parsed


def parse_file(path: Path, max_bytes: int = MAX_BYTES, *, cache: bool = False) -> Parsed:
    """Read, decode and parse a YAML or JSON annotation file.

    A file in canonical JSON layout (:func:`_canonical_json`) is read with the JSON parser, and
    its positions are worked out only when a finding needs them (:meth:`Parsed.located`).
    ``cache``: a YAML file without problems is parsed once and its data kept in
    :func:`newsanno.read.cache.folder` (the world, read on every run).
    """
    raw, problems = read_bytes(path, max_bytes)
    if raw is None:
        return Parsed(problems=problems)
    text, problems = decode_utf8(raw, allow_crlf=False)
    if text is None:
        return Parsed(problems=problems)
    if problems:  # parse anyway (without the BOM, with LF) so later errors are still reported
        text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    full = parse_json_text if path.suffix.lower() == ".json" else parse_yaml_text
    if _too_long_for_yaml(text) is not None and text.lstrip(" \n")[:1] in ("{", "["):
        full = parse_json_text  # JSON too long for the YAML reader (JSON is YAML 1.2)
    if not problems and text.lstrip(" \n")[:1] in ("{", "["):
        canonical, data = _canonical_json(text)
        if canonical:
            return Parsed(data=data, locate=_later(lambda: json_positions(text) or full(text)))
    if cache and not problems and full is parse_yaml_text:
        return _cached_yaml(raw, text)
    parsed = full(text)
    parsed.problems[:0] = problems
    return parsed
