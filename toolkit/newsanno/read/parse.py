"""Reading annotation files: bytes to plain data, with the line and column of every value.

YAML is read as YAML 1.2 (:mod:`newsanno.read.yaml12`): duplicate keys, anchors, aliases and tags
are errors, plain scalars resolve by the YAML 1.2 core schema, and the YAML 1.1 booleans
``yes``/``no``/``on``/``off`` are errors. JSON is read with duplicate-key detection
(:mod:`newsanno.read.jsontext`). Encodings are checked first: a BOM, CRLF line ends or invalid
UTF-8 are findings with a position (:mod:`newsanno.read.parsed`, with the limits of the readers'
work). This module chooses the reader for a file (:func:`parse_file`); the names the other
layers use are importable from here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from newsanno.read import cache, jsontext, parsed, yaml12
from newsanno.read.jsontext import (
    _canonical_json,
    json_located,
    json_positions,
    parse_json_line,
    parse_json_text,
)
from newsanno.read.parsed import (
    _LIMITS,
    _YAML_BREAKS,
    DOCUMENT_LIMITS,
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    MAX_WORLD_NODES,
    MAX_YAML_CHARS,
    MAX_YAML_LINES,
    WORLD_LIMITS,
    Limits,
    Parsed,
    ParseProblem,
    Path_,
    Position,
    _too_long_for_yaml,
    decode_utf8,
    line_col_at,
    read_bytes,
    reading,
    untrim,
)
from newsanno.read.yaml12 import (
    _CParser,
    _libyaml_events,
    parse_yaml_text,
    resolve_plain,
    resolve_yaml11_number,
)

__all__ = [
    "DOCUMENT_LIMITS",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_WORLD_NODES",
    "MAX_YAML_CHARS",
    "MAX_YAML_LINES",
    "WORLD_LIMITS",
    "_YAML_BREAKS",
    "Limits",
    "ParseProblem",
    "Parsed",
    "Path_",
    "Position",
    "_CParser",
    "_canonical_json",
    "_libyaml_events",
    "decode_utf8",
    "json_located",
    "json_positions",
    "line_col_at",
    "parse_file",
    "parse_json_line",
    "parse_json_text",
    "parse_yaml_text",
    "read_bytes",
    "reading",
    "resolve_plain",
    "resolve_yaml11_number",
    "untrim",
]

_READERS = (__file__, parsed.__file__, yaml12.__file__, jsontext.__file__)
"""The modules whose code makes what a YAML file reads as: the cache's key holds their sha256."""


def _later(parse: Callable[[], Parsed]) -> Callable[[], Parsed]:
    """``parse``, to run later under the limits in force now (a world's positions, say)."""
    limits = _LIMITS.get()

    def run() -> Parsed:
        with reading(limits):
            return parse()

    return run


def _cached_yaml(raw: bytes, text: str) -> Parsed:
    """:func:`parse_yaml_text` of a file without problems, through a cache of the data keyed by
    the file's sha256 and the readers' (:mod:`newsanno.read.cache`): a large world read again
    costs what its JSON does. Positions are worked out only when a finding needs them, by
    parsing the text again."""
    data = cache.load(raw, _READERS)
    if data is not None:
        return Parsed(data=data, locate=_later(lambda: parse_yaml_text(text)))
    parsed = parse_yaml_text(text)
    if not parsed.problems and parsed.data is not None:
        cache.store(raw, _READERS, parsed.data)
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
