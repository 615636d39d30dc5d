"""The ontology file is read as written: no label cut by YAML, every `source` true to its standard."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ruamel.yaml import YAML

from newsanno.model.ontology import load_ontology

from .conftest import REPO

ONTOLOGY_YAML = REPO / "toolkit" / "newsanno" / "data" / "ontology.yaml"
ONTOLOGY_JSON = REPO / "schema" / "ontology.json"

# The keys an entry of these sections may have. A plain comma inside a flow mapping ends the
# value, so "{label: nationality, religious or political group}" reads as the label "nationality"
# and a key "religious or political group" with the value null: an unknown key, and a null.
ENTRY_KEYS = {
    "entity_types": {"label", "source", "extension", "note"},
    "channels": {"label", "extension"},
    "event_types": {"roles", "source", "extension", "note"},
}

# ACE 2005 event subtypes (LDC, "ACE (Automatic Content Extraction) English Annotation Guidelines
# for Events", v5.4.3), written Type.Subtype as in the ontology.
ACE_2005_EVENT_TYPES = {
    "Life.Be-Born", "Life.Marry", "Life.Divorce", "Life.Injure", "Life.Die",
    "Movement.Transport",
    "Transaction.Transfer-Ownership", "Transaction.Transfer-Money",
    "Business.Start-Org", "Business.Merge-Org", "Business.Declare-Bankruptcy", "Business.End-Org",
    "Conflict.Attack", "Conflict.Demonstrate",
    "Contact.Meet", "Contact.Phone-Write",
    "Personnel.Start-Position", "Personnel.End-Position", "Personnel.Nominate", "Personnel.Elect",
    "Justice.Arrest-Jail", "Justice.Release-Parole", "Justice.Trial-Hearing",
    "Justice.Charge-Indict", "Justice.Sue", "Justice.Convict", "Justice.Sentence", "Justice.Fine",
    "Justice.Execute", "Justice.Extradite", "Justice.Acquit", "Justice.Appeal", "Justice.Pardon",
}  # fmt: skip

# The event types Rich ERE added to ACE's inventory (Song et al., "From Light to Rich ERE", 2015).
RICH_ERE_ADDED_EVENT_TYPES = {
    "Contact.Broadcast", "Contact.Correspondence", "Contact.Contact",
    "Movement.Transport-Person", "Movement.Transport-Artifact",
    "Transaction.Transaction", "Manufacture.Artifact",
}  # fmt: skip


def _yaml() -> dict[str, Any]:
    loaded = YAML(typ="safe", pure=True).load(ONTOLOGY_YAML.read_text("utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _nulls(node: Any, path: str = "") -> list[str]:
    """Paths of every null value in a parsed document."""
    if node is None:
        return [path]
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _nulls(v, f"{path}/{k}")]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _nulls(v, f"{path}/{i}")]
    return []


def test_no_value_in_the_ontology_is_null() -> None:
    assert _nulls(_yaml()) == []


def test_the_published_ontology_has_no_null_either() -> None:
    published = json.loads(ONTOLOGY_JSON.read_text("utf-8"))
    assert _nulls(published) == []


@pytest.mark.parametrize("section", sorted(ENTRY_KEYS))
def test_entries_have_only_known_keys(section: str) -> None:
    extra = {
        f"{name}: {sorted(set(entry) - ENTRY_KEYS[section])}"
        for name, entry in _yaml()[section].items()
        if set(entry) - ENTRY_KEYS[section]
    }
    assert extra == set(), "a label or note with a comma is cut by YAML: quote it"


def test_labels_with_commas_are_read_whole() -> None:
    raw = load_ontology().raw
    assert raw["entity_types"]["NORP"]["label"] == "nationality, religious or political group"
    assert raw["entity_types"]["ORG"]["label"] == (
        "organisation (companies, agencies, outlets, administrations)"
    )
    assert raw["channels"]["testimony"]["label"] == "testimony, court filing or hearing"


def test_event_type_sources_are_true() -> None:
    wrong = []
    for name, entry in _yaml()["event_types"].items():
        source, extension = entry["source"], entry.get("extension", False)
        if source == "ACE" and name not in ACE_2005_EVENT_TYPES:
            wrong.append(f"{name}: not an ACE 2005 type")
        elif source == "Rich ERE" and name not in RICH_ERE_ADDED_EVENT_TYPES:
            wrong.append(f"{name}: not a type Rich ERE added")
        elif source == "newsanno" and not extension:
            wrong.append(f"{name}: a newsanno type must say `extension: true`")
        elif source not in {"ACE", "Rich ERE", "newsanno"}:
            wrong.append(f"{name}: unknown source {source!r}")
    assert wrong == []
