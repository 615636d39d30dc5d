"""The label mapping file of ``newsanno import --map``: which newsanno layer and type each label of
another tool becomes (read by :mod:`newsanno.interop.mapping`; schema/label-map.schema.json)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

LABEL_MAP_SCHEMA = "label-map.schema.json"

Layer = Literal["mention", "quote", "claim", "region", "event"]
RelationTarget = Literal["speaker", "claimant", "coreference"]
Field_ = Literal["realis", "kind", "quote_type", "claim_type", "event_type"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SpanTarget(_Strict):
    """What a text-bound label becomes."""

    layer: Layer = Field(description="The newsanno layer: mention, quote, claim, region or event.")
    type: str | None = Field(
        default=None,
        description="mention: entity type (PER); quote: quote type (direct); claim: claim type; "
        "event: event type (Life.Die).",
    )
    kind: str | None = Field(
        default=None, description="mention: mention kind (default name); region: region kind."
    )
    checkworthy: bool | None = Field(default=None, description="claim: checkworthy (default true).")
    roles: dict[str, str] = Field(
        default_factory=dict, description="event: source role -> newsanno role."
    )


class EventTarget(_Strict):
    """What an event label (brat ``E``) becomes."""

    type: str = Field(description="The newsanno event type, e.g. Life.Die.")
    roles: dict[str, str] = Field(
        default_factory=dict, description="Source role (Person-Arg) -> newsanno role (Victim)."
    )


class AttributeTarget(_Strict):
    """Which field an attribute (brat ``A``/``M``, a Label Studio choice) sets."""

    field: Field_ = Field(
        description="realis or event_type (of an event mention), kind (of a mention or a region), "
        "quote_type or claim_type."
    )
    values: dict[str, str] = Field(
        default_factory=dict,
        description="Source value -> newsanno value; a value not listed passes as it is.",
    )
    value: str | None = Field(
        default=None, description="For a binary attribute (no value): the value it sets."
    )


class LabelMap(_Strict):
    """A label mapping file for ``newsanno import --map``."""

    model_config = ConfigDict(extra="forbid", strict=True, title="newsanno label mapping")

    replace: bool = Field(
        default=False,
        description="true: use only this file; false (default): lay it over the default mapping.",
    )
    spans: dict[str, SpanTarget | None] = Field(
        default_factory=dict, description="Text-bound labels; null drops a default entry."
    )
    events: dict[str, EventTarget | None] = Field(default_factory=dict)
    relations: dict[str, RelationTarget | None] = Field(default_factory=dict)
    attributes: dict[str, AttributeTarget | None] = Field(default_factory=dict)


def label_map_schema() -> dict[str, Any]:
    schema = LabelMap.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
