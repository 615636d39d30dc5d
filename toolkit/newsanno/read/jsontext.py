"""JSON and JSONL lines: strict JSON with duplicate-key detection, and the positions of values.

JSON is YAML 1.2, so a JSON text's positions (and duplicate keys) are those the YAML reader
gives; :func:`json_positions` finds the same positions with one pass of a tokenizer.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from newsanno.model.findings import Code
from newsanno.read.parsed import (
    _LIMITS,
    _YAML_BREAKS,
    _YAML_UNSAFE,
    MAX_DEPTH,
    Parsed,
    ParseProblem,
    Path_,
    Position,
    _flow_too_deep,
    _lone_surrogate,
    _too_deep_at,
    _too_long_for_yaml,
    _too_many_at,
    line_col_at,
)
from newsanno.read.yaml12 import parse_yaml_text


def no_duplicates(problems: list[str]) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    """An ``object_pairs_hook`` for ``json.loads`` that adds to ``problems`` each key given twice."""

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
        data = json.loads(text, object_pairs_hook=no_duplicates(dups))
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


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_SPACE = re.compile(r"[ \n]*")


def _skip(text: str, at: int) -> int:
    """The offset of the first character at or after ``at`` that is not a space or newline."""
    return _SPACE.match(text, at).end()  # type: ignore[union-attr]  # (it matches "" too)


_SCAN = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


class _PathNotWalked(Exception):
    """The text is not laid out as the walk expects: the full scan decides."""


@dataclass
class LazyJson(Parsed):
    """A JSON text's positions, found for each path a finding asks about by walking the text to
    it (other members skipped by the C scanner of :mod:`json`), instead of recording every
    value's: the positions :func:`json_positions` gives, at a fraction of the cost on a long
    line. Made by :func:`json_located`; where the walk cannot go, the full scan answers."""

    text: str = ""
    full: Parsed | None = field(default=None, repr=False, compare=False)

    def where(self, path: Path_, *, key: bool = False) -> Position:
        if self.full is not None:
            return self.full.where(path, key=key)
        try:
            found = self._walk(path)
        except (_PathNotWalked, IndexError, ValueError, StopIteration):
            self.full = json_positions(self.text) or _yaml(self.text)
            return self.full.where(path, key=key) if self.full.positions else (1, 1)
        if not key:
            return line_col_at(self.text, found[-1][0])
        for _, key_at in reversed(found):
            if key_at is not None:
                return line_col_at(self.text, key_at)
        return self.positions[()]

    def _walk(self, path: Path_) -> list[tuple[int, int | None]]:
        """For the root and each prefix of ``path`` that the text holds: the offset of its
        value and of its key (None for a list item)."""
        text = self.text
        i = _skip(text, 0)
        found: list[tuple[int, int | None]] = [(i, None)]
        for step in path:
            opener = text[i]
            if opener == "{" and isinstance(step, str):
                j = _skip(text, i + 1)
                while text[j] != "}":
                    token = _STRING.match(text, j)
                    if token is None:
                        raise _PathNotWalked
                    name = token.group()
                    name = name[1:-1] if "\\" not in name else json.loads(name)
                    colon = _skip(text, token.end())
                    if text[colon] != ":":
                        raise _PathNotWalked
                    at = _skip(text, colon + 1)
                    if name == step:
                        found.append((at, j))
                        i = at
                        break
                    j = _after(text, at)
                    if text[j] == ",":
                        j = _skip(text, j + 1)
                    elif text[j] != "}":
                        raise _PathNotWalked
                else:
                    return found
            elif opener == "[" and isinstance(step, int) and step >= 0:
                j = _skip(text, i + 1)
                for _ in range(step):
                    if text[j] == "]":
                        return found
                    j = _after(text, j)
                    if text[j] == ",":
                        j = _skip(text, j + 1)
                    elif text[j] != "]":
                        raise _PathNotWalked
                if text[j] == "]":
                    return found
                found.append((j, None))
                i = j
            else:
                return found
        return found


def _after(text: str, at: int) -> int:
    """The offset after the value that starts at ``at``, and the spaces after it."""
    if text[at] == '"':
        token = _STRING.match(text, at)
        if token is None:
            raise _PathNotWalked
        end = token.end()
    else:
        end = _SCAN(text, at)[1]
    return _skip(text, end)


def _yaml(text: str) -> Parsed:
    return parse_yaml_text(text)


def json_located(text: str) -> Parsed | None:
    """A :class:`LazyJson` of ``text``, a JSON text without duplicate keys (a JSONL line that
    parsed), or None where :func:`json_positions` gives None (characters YAML may read as line
    breaks: the YAML reader's positions are the ones)."""
    if _YAML_BREAKS.search(text):
        return None
    start = _skip(text, 0)
    if start >= len(text):
        return None
    return LazyJson(positions={(): line_col_at(text, start)}, text=text)


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
    A line laid out as orjson writes it is read by orjson (:func:`_orjson_line`).
    """
    quick = _orjson_line(text)
    if quick is not None:
        return quick
    dups: list[str] = []
    try:
        data = json.loads(text, object_pairs_hook=no_duplicates(dups))
    except (ValueError, RecursionError):
        return parse_json_text(text, line_offset=line_offset)
    too_many = _too_many_values(data, text)
    if too_many is not None:
        return too_many
    if dups or _nesting(data) >= MAX_DEPTH - 4 or _lone_surrogate(data, text) is not None:
        return parse_json_text(text, line_offset=line_offset)
    return Parsed(data=data)


_DEEP = b"\n" + b" " * (2 * (MAX_DEPTH - 5))
"""In orjson's output indented by 2, the start of a line of a value inside ``MAX_DEPTH - 5``
lists and mappings: any list or mapping nested ``MAX_DEPTH - 4`` deep starts such a line."""


def _orjson_line(text: str) -> Parsed | None:
    """:func:`parse_json_line` of a line that orjson writes back exactly as it is (the usual
    case: a line orjson wrote), sooner; None for any other line.

    orjson reads such a line as json does: a duplicate key, an integer it reads as a float, a
    number it rounds otherwise, would be written back otherwise. It refuses lone surrogates, so
    none is left to look for; and the three checks that walked every value are bounds on the
    text instead: the values are at most its commas, colons and opening brackets (plus one), and
    a list or mapping nested ``MAX_DEPTH - 4`` deep would indent a line of orjson's indented
    output by :data:`_DEEP`. Where a bound is not met, the full path decides.
    """
    try:
        data = orjson.loads(text)
        if orjson.dumps(data) != text.encode("utf-8"):
            return None
        deep = _DEEP in orjson.dumps(data, option=orjson.OPT_INDENT_2)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError, UnicodeEncodeError):
        return None
    values = 1 + text.count(",") + text.count(":") + text.count("{") + text.count("[")
    if deep or values > _LIMITS.get().fast_nodes:
        return None
    return Parsed(data=data)
