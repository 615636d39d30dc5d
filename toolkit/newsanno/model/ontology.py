"""The ontology: controlled vocabularies for every layer, loaded from ``data/ontology.yaml``.

The vocabularies are data. Models, the published JSON Schema and the checks all read them from here,
so adding an event type or a role is a one-line change to the YAML file plus ``newsanno schema``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ruamel.yaml import YAML


@dataclass(frozen=True)
class Ontology:
    """The vocabularies, each as an ordered tuple of allowed values."""

    version: str
    entity_types: tuple[str, ...]
    mention_kinds: tuple[str, ...]
    region_kinds: tuple[str, ...]
    quote_types: tuple[str, ...]
    channels: tuple[str, ...]
    claim_types: tuple[str, ...]
    realis: tuple[str, ...]
    event_types: tuple[str, ...]
    roles_by_event_type: dict[str, tuple[str, ...]]
    reference_types: dict[str, tuple[str, ...]]
    raw: dict[str, Any]

    def roles_for(self, event_type: str) -> tuple[str, ...]:
        """All roles an argument of ``event_type`` may take, including the common ones."""
        return self.roles_by_event_type.get(event_type, ())


def _plain(node: Any) -> Any:
    """Turn ruamel's round-trip containers into plain dicts and lists."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


@cache
def load_ontology() -> Ontology:
    """Read the packaged ontology once."""
    text = resources.files("newsanno").joinpath("data/ontology.yaml").read_text("utf-8")
    raw = _plain(YAML(typ="safe", pure=True).load(text))
    common = tuple(raw.get("common_roles", []))
    roles = {
        name: tuple(spec.get("roles", [])) + common for name, spec in raw["event_types"].items()
    }
    return Ontology(
        version=str(raw["version"]),
        entity_types=tuple(raw["entity_types"]),
        mention_kinds=tuple(raw["mention_kinds"]),
        region_kinds=tuple(raw["region_kinds"]),
        quote_types=tuple(raw["quote_types"]),
        channels=tuple(raw["channels"]),
        claim_types=tuple(raw["claim_types"]),
        realis=tuple(raw["realis"]),
        event_types=tuple(raw["event_types"]),
        roles_by_event_type=roles,
        reference_types={k: tuple(v) for k, v in raw["reference_types"].items()},
        raw=raw,
    )
