"""Label mapping: which newsanno layer and type each label of another tool becomes.

The defaults are data (``data/interop-labels.yaml``); ``--map labels.yaml`` lays a file of the same
shape over them. Its JSON Schema is ``schema/label-map.schema.json``. A mapping only names targets;
whether a target is a valid type or role is decided by :func:`newsanno.validate` on the imported
corpus, never here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from newsanno.model.findings import NewsannoError
from newsanno.model.label_map import (
    LABEL_MAP_SCHEMA,
    AttributeTarget,
    EventTarget,
    LabelMap,
    SpanTarget,
)
from newsanno.model.ontology import load_ontology


@dataclass
class Mapping:
    """The effective mapping (defaults, the ontology's own names, then ``--map``)."""

    spans: dict[str, SpanTarget] = field(default_factory=dict)
    events: dict[str, EventTarget] = field(default_factory=dict)
    relations: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, AttributeTarget] = field(default_factory=dict)


def _read(text: str, where: str) -> LabelMap:
    try:
        raw = YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        raise NewsannoError(f"{where}: not valid YAML: {exc}") from None
    try:
        return LabelMap.model_validate(raw or {})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        )
        raise NewsannoError(
            f"{where}: not a label mapping ({problems}); see schema/{LABEL_MAP_SCHEMA}"
        ) from None


def storage_form(label: str) -> str:
    """A label as brat stores it: characters outside ``[A-Za-z0-9_-]`` become ``_``
    (``normalize_to_storage_form`` in brat's ``server/src/projectconfig.py``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", label)


def _ontology_entries(m: Mapping) -> None:
    """The ontology's own names, and the labels ``export --to`` writes (also in brat's storage
    form: ``Contact_Post``, ``Quote_direct``), map to themselves."""
    onto = load_ontology()
    spans: dict[str, SpanTarget] = {}
    events: dict[str, EventTarget] = {}
    for t in onto.entity_types:
        spans[t] = SpanTarget(layer="mention", type=t)
    short: dict[str, list[str]] = {}
    for t in onto.event_types:
        events[t] = EventTarget(type=t)
        spans[t] = SpanTarget(layer="event", type=t)
        short.setdefault(t.split(".", 1)[-1], []).append(t)
    for kind in onto.region_kinds:
        spans[f"Region.{kind}"] = SpanTarget(layer="region", kind=kind)
    for qtype in onto.quote_types:
        spans[f"Quote.{qtype}"] = SpanTarget(layer="quote", type=qtype)
    for ctype in onto.claim_types:
        spans[f"Claim.{ctype}"] = SpanTarget(layer="claim", type=ctype)
    for table, entries in ((m.spans, spans), (m.events, events)):
        for label, target in entries.items():
            table.setdefault(label, target)  # type: ignore[arg-type]
            table.setdefault(storage_form(label), target)  # type: ignore[arg-type]
    for name, types in short.items():
        if len(types) == 1:
            m.events.setdefault(name, EventTarget(type=types[0]))


def _lay(src: dict[str, Any], dst: dict[str, Any]) -> None:
    for key, value in src.items():
        if value is None:
            dst.pop(key, None)
        else:
            dst[key] = value


def load_mapping(path: Path | str | None = None) -> Mapping:
    """The default mapping, with ``path`` (a ``--map`` file) laid over it."""
    default = _read(
        resources.files("newsanno").joinpath("data/interop-labels.yaml").read_text("utf-8"),
        "data/interop-labels.yaml",
    )
    user = None
    if path is not None:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise NewsannoError(f"{p}: cannot read the label mapping: {exc}") from None
        user = _read(text, str(p))
    layers: list[LabelMap] = [] if user is not None and user.replace else [default]
    if user is not None:
        layers.append(user)
    m = Mapping()
    for layer in layers:
        _lay(layer.spans, m.spans)
        _lay(layer.events, m.events)
        _lay(layer.relations, m.relations)
        _lay(layer.attributes, m.attributes)
    if user is None or not user.replace:
        _ontology_entries(m)
    return m


def role_name(role: str, target: EventTarget | SpanTarget) -> str:
    """The newsanno role of a source role: the mapping's, else the name without brat's ``-Arg``
    and argument number (``Org-Arg2`` -> ``Org``); the validator judges whether it is allowed."""
    if role in target.roles:
        return target.roles[role]
    base = role.rstrip("0123456789")
    if base in target.roles:
        return target.roles[base]
    return base[: -len("-Arg")] if base.endswith("-Arg") else base
