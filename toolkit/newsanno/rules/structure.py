"""Stage 2 and 3 of validation: the JSON Schema, then the pydantic model.

JSON Schema errors are turned into findings at the line of the offending value, with a hint. The
model then catches what JSON Schema cannot express; its errors are reported only where the JSON
Schema said nothing, so one mistake gives one finding.

The findings' words come from python-jsonschema's errors (which validator failed, on what value,
in which branch of an ``anyOf``). A document of a hundred annotations took it 10-15 ms, so it
runs on the parts of the document that can have a problem: everything but the lists of
annotations, and the items of those lists that the compiled validator (jsonschema-rs) or the
model rejects (:func:`suspects`). The other items pass the JSON Schema, so leaving them out
leaves its errors as they were (``tests/test_structure.py`` holds the two equal).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Generic, TypeVar

import jsonschema_rs
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError as SchemaError
from pydantic import BaseModel
from pydantic import ValidationError as ModelError

from newsanno.model.findings import Code
from newsanno.model.schemas import corpus_schema, document_schema
from newsanno.read.parse import Parsed, Path_, untrim

M = TypeVar("M", bound=BaseModel)
Problem = tuple[Path_, bool, Code, str, str]
"""(path, at_key, code, message, hint)"""

_TYPE_NAMES = {
    "string": "text",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping of fields",
    "array": "a list",
    "null": "empty (null)",
}


_WHOLE = Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool)
)
_Validator = validators.extend(Draft202012Validator, type_checker=_WHOLE)
"""Draft 2020-12, where ``integer`` is an int as the YAML and JSON readers give it: ``26.0`` is a
float there, as for the model (strict), though JSON Schema's data model counts it an integer."""


@cache
def _validator(kind: str) -> Draft202012Validator:
    schema = corpus_schema() if kind == "corpus" else document_schema()
    # no check_schema here: the schemas are ours, and tests/test_parity.py checks them
    validator: Draft202012Validator = _Validator(
        schema, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    return validator


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"number {value}"
    if isinstance(value, str):
        return f"text {value!r}" if len(value) < 50 else "text"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _field(path: Iterable[Any]) -> str:
    names = [p for p in path if isinstance(p, str)]
    return names[-1] if names else "the document"


def _pick_branch(error: SchemaError) -> list[SchemaError] | None:
    """For anyOf/oneOf: the errors of the branch that matches the value's type, if any."""
    branches: dict[int, list[SchemaError]] = {}
    for sub in error.context or []:
        branches.setdefault(int(sub.schema_path[0]), []).append(sub)
    fitting = [
        errs
        for errs in branches.values()
        if not any(e.validator == "type" and not e.relative_path for e in errs)
    ]
    return fitting[0] if len(fitting) == 1 else None


def _flatten(errors: Iterable[SchemaError]) -> Iterator[SchemaError]:
    for error in errors:
        if error.validator in ("anyOf", "oneOf") and error.context:
            branch = _pick_branch(error)
            if branch is not None:
                yield from _flatten(branch)
                continue
        yield error


def _unknown_fields(error: SchemaError) -> list[str]:
    """The fields an ``additionalProperties`` error is about, sorted."""
    allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    value = error.instance
    return sorted(set(value) - set(allowed)) if isinstance(value, dict) else []


def _unknown_field(error: SchemaError, name: str) -> Problem:
    path: Path_ = tuple(error.absolute_path)
    schema: Any = error.schema
    allowed = sorted(schema.get("properties", {}))
    close = difflib.get_close_matches(name, allowed, n=1)
    hint = f"did you mean `{close[0]}`?" if close else f"allowed fields: {', '.join(allowed)}"
    return (*path, name), True, Code.SCHEMA_UNKNOWN_FIELD, f"unknown field `{name}`", hint


def _schema_problem(error: SchemaError) -> Problem:
    path: Path_ = tuple(error.absolute_path)
    v, value, field = error.validator, error.instance, _field(error.absolute_path)
    expected: Any = error.validator_value
    if v == "required":
        missing = str(error.message).split("'")[1]
        return (
            path,
            False,
            Code.SCHEMA_REQUIRED,
            f"missing required field `{missing}`",
            f"add `{missing}:` here (see the schema for what it holds)",
        )
    if v == "additionalProperties":
        extras = _unknown_fields(error)
        return _unknown_field(error, extras[0] if extras else "?")
    if v == "type":
        names = [expected] if isinstance(expected, str) else list(expected)
        want = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
        hint = "write the value as " + want
        if "string" in names and isinstance(value, int | float | bool):
            hint = "put the value in quotes so it stays text"
        if "boolean" in names and isinstance(value, str):
            hint = "write `true` or `false` without quotes"
        return (
            path,
            False,
            Code.SCHEMA_TYPE,
            f"`{field}` must be {want}, not {_describe(value)}",
            hint,
        )
    if v in ("enum", "const"):
        allowed = list(expected) if v == "enum" else [expected]
        close = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1)
        hint = (
            f"did you mean `{close[0]}`?"
            if close
            else "use one of: " + ", ".join(map(str, allowed))
        )
        what = f"`{field}` for this event type" if field == "role" else f"`{field}`"
        return path, False, Code.SCHEMA_ENUM, f"`{value}` is not an allowed {what}", hint
    if v == "pattern":
        hint = _PATTERN_HINTS.get(field, f"the value must match {error.validator_value}")
        return path, False, Code.SCHEMA_PATTERN, f"`{field}` {value!r} is not well formed", hint
    if v == "format":
        return (
            path,
            False,
            Code.SCHEMA_FORMAT,
            f"`{field}` {value!r} is not a valid {error.validator_value}",
            f"write a valid {error.validator_value}, or leave the field empty (null)",
        )
    if v == "oneOf" and field == "the document":
        return (
            path,
            False,
            Code.SCHEMA_REQUIRED,
            "give exactly one of `text_path` and `text`",
            "`text_path` names the article file; `text` holds the article inline (JSONL)",
        )
    subs = list(error.context or [])
    if (
        v in ("anyOf", "oneOf")
        and subs
        and all(e.validator == "type" and not e.relative_path for e in subs)
    ):  # an optional value of the wrong type: `integer or null`
        types: list[str] = []
        for sub in subs:
            one: Any = sub.validator_value
            types += [one] if isinstance(one, str) else list(one)
        want = " or ".join(_TYPE_NAMES.get(n, n) for n in dict.fromkeys(types))
        return (
            path,
            False,
            Code.SCHEMA_TYPE,
            f"`{field}` must be {want}, not {_describe(value)}",
            f"write the value as {want}",
        )
    if v in ("anyOf", "oneOf"):
        return (
            path,
            False,
            Code.SCHEMA_TYPE,
            f"`{field}` has the wrong shape ({_describe(value)})",
            "a span is a plain string, or a mapping with `text` and/or `start`/`end`",
        )
    if v == "dependentRequired":
        return path, False, Code.SCHEMA_REQUIRED, str(error.message), "give both `start` and `end`"
    return (
        path,
        False,
        Code.SCHEMA_VALUE,
        f"`{field}`: {error.message}",
        _VALUE_HINTS.get(str(v), "see the schema for the allowed values"),
    )


_PATTERN_HINTS = {
    "id": "ids start with a letter, then letters, digits, `_`, `.` or `-`",
    "doc_id": "doc ids are letters, digits, `_`, `.` or `-`",
    "date": "write dates at their known precision: YYYY, YYYY-MM or YYYY-MM-DD, in quotes",
    "published": "write dates at their known precision: YYYY, YYYY-MM or YYYY-MM-DD, in quotes",
    "text_sha256": "64 lowercase hex digits, as printed by `sha256sum`",
    "wikidata": "a Wikidata item id such as Q42; leave it out unless you are certain",
    "language": "a BCP 47 language tag such as `en` or `pt-BR`",
}
for _ref in (
    "entity",
    "speaker",
    "speaker_mention",
    "utterance",
    "event",
    "quote",
    "nested_in",
    "platform",
    "addressee",
    "place",
    "outlet",
    "claimant",
    "mention",
):
    _PATTERN_HINTS[_ref] = "ids start with a letter, then letters, digits, `_`, `.` or `-`"
_DATE_FIELDS = {"date", "published"}
_MODEL_HINTS = {
    "span": "offsets count Unicode code points from 0 and `end` is exclusive, so `end` > `start`",
    "trigger": "offsets count Unicode code points from 0 and `end` is exclusive, so `end` > `start`",
    "cue": "offsets count Unicode code points from 0 and `end` is exclusive, so `end` > `start`",
    "content": "offsets count Unicode code points from 0 and `end` is exclusive, so `end` > `start`",
    "the document": "`text_path` names the article file; `text` holds the article inline (JSONL)",
}
_VALUE_HINTS = {
    "minLength": "the value must not be empty",
    "minItems": "the list needs at least one item",
    "minimum": "offsets and occurrences are never negative (occurrence counts from 1)",
}


@cache
def _lists(kind: str) -> tuple[str, ...]:
    """The top-level fields whose schema is a list of items and nothing else (no ``minItems``,
    say): leaving out items that pass changes no error of the others."""
    schema = corpus_schema() if kind == "corpus" else document_schema()
    plain = {"type", "items", "title", "description", "default"}
    return tuple(
        name
        for name, sub in schema.get("properties", {}).items()
        if isinstance(sub, dict) and sub.get("type") == "array" and set(sub) <= plain
    )


@cache
def _compiled(kind: str) -> Any:
    """The JSON Schema compiled by jsonschema-rs, its formats checked by python-jsonschema's own
    format checker (so that both call the same values well formed)."""
    schema = corpus_schema() if kind == "corpus" else document_schema()
    checker = Draft202012Validator.FORMAT_CHECKER
    formats = {
        name: (lambda value, name=name: checker.conforms(value, name)) for name in checker.checkers
    }
    return jsonschema_rs.validator_for(schema, validate_formats=True, formats=formats)


Suspects = dict[str, set[int]]
"""Per list field, the indexes of the items that may have a JSON Schema problem."""


def suspects(kind: str, data: Any, exc: ModelError) -> Suspects | None:
    """The items of ``data``'s lists that may fail the JSON Schema: those jsonschema-rs rejects,
    and those the model rejects (jsonschema-rs counts ``26.0`` an integer, which the model, like
    the schema here, does not); None when ``data`` is not a mapping.

    An item both accept passes the JSON Schema: the model accepts nothing the schema rejects
    (``tests/test_parity.py``), and jsonschema-rs is a second opinion on the same schema.
    """
    if not isinstance(data, dict):
        return None
    out: Suspects = {name: set() for name in _lists(kind) if isinstance(data.get(name), list)}
    paths: list[Any] = [err["loc"] for err in exc.errors()]
    try:
        paths += [error.instance_path for error in _compiled(kind).iter_errors(data)]
    except Exception:  # a value it cannot take (none is known): every item, as before
        return None
    for path in paths:
        if len(path) >= 2 and path[0] in out and isinstance(path[1], int):
            out[path[0]].add(path[1])
    return out


def schema_problems(kind: str, data: Any, only: Suspects | None = None) -> list[Problem]:
    """All JSON Schema findings for ``data`` (kind is ``corpus`` or ``document``).

    ``only``: check only these items of the lists (:func:`suspects`), the rest of ``data`` in
    full; the findings are those of the whole (their paths those of ``data``).
    """
    checked, kept = data, {}
    if only is not None and isinstance(data, dict):
        checked = dict(data)
        for name, indexes in only.items():
            kept[name] = sorted(i for i in indexes if i < len(data[name]))
            checked[name] = [data[name][i] for i in kept[name]]
    found = list(_validator(kind).iter_errors(checked))
    for error in found:  # back to the paths of ``data``: the items' own indexes
        path = error.relative_path
        if len(path) >= 2 and path[0] in kept and isinstance(path[1], int):
            path[1] = kept[str(path[0])][path[1]]
    errors = sorted(found, key=lambda e: list(map(str, e.absolute_path)))
    problems: list[Problem] = []
    for error in _flatten(errors):
        names = _unknown_fields(error) if error.validator == "additionalProperties" else []
        if len(names) > 1:  # one finding per unknown field, each at its key
            problems.extend(_unknown_field(error, name) for name in names)
        else:
            problems.append(_schema_problem(error))
    return problems


def _data_path(data: Any, loc: tuple[Any, ...]) -> Path_:
    """Map a pydantic error location onto the data, dropping union branch labels."""
    path: list[str | int] = []
    node: Any = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
    return tuple(path)


def _covered(path: Path_, covered: set[Path_], within: set[Path_]) -> bool:
    """Whether a model error at ``path`` repeats a schema error at a path of ``covered``: the
    same path, one inside the other (``within`` holds the non-empty prefixes of ``covered``)."""
    if path in covered or (path and path in within):
        return True
    return any(path[:i] in covered for i in range(1, len(path)))


def model_problems(exc: ModelError, data: Any, covered: set[Path_]) -> list[Problem]:
    """The pydantic model's errors on ``data`` not already covered by schema problems."""
    problems: list[Problem] = []
    seen: set[Path_] = set()
    within = {c[:i] for c in covered for i in range(1, len(c) + 1)}  # (in linear time)
    for err in exc.errors():
        if err["type"] == "string_type" and isinstance(err.get("input"), dict):
            continue  # the plain-string branch of a span union; the object branch says more
        path = _data_path(data, tuple(err["loc"]))
        if path in seen or _covered(path, covered, within):
            continue
        seen.add(path)
        msg = str(err["msg"]).removeprefix("Value error, ")
        field = _field(path)
        if field in _DATE_FIELDS:
            problems.append(
                (
                    path,
                    False,
                    Code.DATE_INVALID,
                    f"`{field}`: {msg}",
                    "write a real date at its known precision: YYYY, YYYY-MM or YYYY-MM-DD",
                )
            )
            continue
        hint = _MODEL_HINTS.get(field, "fix the value as the message says")
        problems.append((path, False, Code.MODEL, f"`{field}`: {msg}", hint))
    return problems


def check_structure(kind: str, parsed: Parsed, model: type[M]) -> tuple[M | None, list[Problem]]:
    """JSON Schema then model; returns the model instance when both pass.

    The schema never rejects what the model accepts (``tests/test_parity.py`` holds them to
    that), so data the model accepts is done: the slower jsonschema pass runs only to report
    what is wrong, in its words first.
    """
    try:
        return model.model_validate(parsed.data), []
    except ModelError as exc:
        error = exc
    problems = schema_problems(kind, parsed.data, suspects(kind, parsed.data, error))
    return None, problems + model_problems(error, parsed.data, {p[0] for p in problems})


SALVAGE_LAYERS = {
    "corpus": ("entities", "events", "utterances"),
    "document": ("regions", "mentions", "quotes", "claims", "event_mentions"),
}


@dataclass
class Salvage(Generic[M]):
    """A file's valid items, after dropping the list items that failed structure checks.

    Meaning checks run on what is left, so one typo does not hide every other mistake. Paths of
    findings on the salvaged instance are mapped back with :meth:`original`.
    """

    instance: M
    kept: dict[str, list[int]] = field(default_factory=dict)
    dropped_ids: set[str] = field(default_factory=set)

    def original(self, path: Path_) -> Path_:
        return untrim(path, self.kept)


def salvage(kind: str, data: Any, model: type[M], problems: list[Problem]) -> Salvage[M] | None:
    """Drop the items with structure problems; None if a problem lies outside such items."""
    layers = SALVAGE_LAYERS[kind]
    bad: dict[str, set[int]] = {}
    for path, *_ in problems:
        if len(path) >= 2 and path[0] in layers and isinstance(path[1], int):
            bad.setdefault(str(path[0]), set()).add(path[1])
        else:
            return None
    if not isinstance(data, dict):
        return None
    trimmed = dict(data)
    result: Salvage[Any] = Salvage(instance=None)  # instance is set below
    for layer in layers:
        items = data.get(layer)
        if not isinstance(items, list):
            continue
        result.kept[layer] = [i for i in range(len(items)) if i not in bad.get(layer, set())]
        trimmed[layer] = [items[i] for i in result.kept[layer]]
        for i in bad.get(layer, set()):
            ident = items[i].get("id") if isinstance(items[i], dict) else None
            if isinstance(ident, str):
                result.dropped_ids.add(ident)
    try:
        result.instance = model.model_validate(trimmed)
    except ModelError:
        return None
    return result
