"""YAML 1.2 from ruamel.yaml's event stream, with the line and column of every value.

This module decides every rule itself: duplicate keys, anchors, aliases and tags are errors;
plain scalars resolve by the YAML 1.2 core schema (``2025-06-11`` stays a string); the YAML 1.1
booleans ``yes``/``no``/``on``/``off`` are errors instead of silently meaning a string to one tool
and a boolean to another. libyaml (through ruamel.yaml.clib) reads the texts both parsers read
alike; the pure-Python parser the rest.
"""

from __future__ import annotations

import re
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
from newsanno.read.parsed import (
    _LIMITS,
    _SURROGATE,
    _YAML_UNSAFE,
    MAX_DEPTH,
    Parsed,
    ParseProblem,
    Path_,
    _flow_too_deep,
    _lone_surrogate,
    _too_deep_at,
    _too_long_for_yaml,
    _too_many_at,
    line_col_at,
)

try:  # libyaml, through ruamel.yaml.clib: the same events as the pure parser, faster
    from ruamel.yaml.cyaml import CParser as _CParser
except ImportError:  # pragma: no cover - the clib wheel is missing on this platform
    _CParser = None

_DIRECTIVE = re.compile(r"^%", re.MULTILINE)


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


def _paired(value: str) -> str:
    """A double-quoted YAML string with each escaped surrogate pair (``\\ud83d\\ude00``, as JSON
    writes characters beyond U+FFFF) made the one character it stands for, as JSON reads it."""
    if not _SURROGATE.search(value):
        return value
    return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


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


def _too_many_nodes(ev: Event, limit: int) -> Parsed:
    return _too_many_at(ev.start_mark.line + 1, ev.start_mark.column + 1, limit)


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
