"""The typed model of newsanno annotation files (pydantic v2; unknown fields are forbidden).

Two levels, as in ERE and ECB+:

* the **world** (``corpus.yaml``): corpus metadata, entities, events and utterances, shared by all
  documents;
* the **text** (one file per article): document metadata, non-body regions, mentions, quotes,
  claims and event mentions, each anchored to spans of the article text.

Controlled vocabularies come from :mod:`newsanno.model.ontology`. Cross-file rules (references, anchors,
roles allowed for an event type) are meaning checks in :mod:`newsanno.rules.checks`.
"""

from __future__ import annotations

import calendar
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from newsanno.model.ontology import load_ontology

SCHEMA_VERSION = "1.0"
ARTICLE = "article"
"""The reserved claimant value for claims the article itself makes."""

_ONTOLOGY = load_ontology()

ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]{0,127}$"
DOC_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"
DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
QID_PATTERN = r"^Q[1-9][0-9]*$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"


def check_date(value: str) -> str:
    """Accept a TIMEX3-style date at its known precision: ``2018``, ``2025-06``, ``2025-06-11``."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) >= 2 and not 1 <= parts[1] <= 12:
        raise ValueError(f"month {parts[1]:02d} does not exist in {value!r}")
    if len(parts) == 3:
        last = calendar.monthrange(parts[0], parts[1])[1]
        if not 1 <= parts[2] <= last:
            raise ValueError(f"day {parts[2]:02d} does not exist in {value!r} (month has {last})")
    return value


def check_uri(value: str) -> str:
    """Accept an absolute URI (RFC 3986), as JSON Schema's ``format: uri`` does."""
    from rfc3986_validator import validate_rfc3986  # the check jsonschema's format checker uses

    if not validate_rfc3986(value, rule="URI"):
        raise ValueError(f"{value!r} is not an absolute URI (RFC 3986), such as https://...")
    return value


Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
DocId = Annotated[str, StringConstraints(pattern=DOC_ID_PATTERN)]
Date = Annotated[str, StringConstraints(pattern=DATE_PATTERN), AfterValidator(check_date)]
Text = Annotated[str, StringConstraints(min_length=1)]

if TYPE_CHECKING:
    EntityType = str
    MentionKind = str
    RegionKind = str
    QuoteType = str
    Channel = str
    ClaimType = str
    Realis = str
    EventType = str
else:
    EntityType = Literal[_ONTOLOGY.entity_types]
    MentionKind = Literal[_ONTOLOGY.mention_kinds]
    RegionKind = Literal[_ONTOLOGY.region_kinds]
    QuoteType = Literal[_ONTOLOGY.quote_types]
    Channel = Literal[_ONTOLOGY.channels]
    ClaimType = Literal[_ONTOLOGY.claim_types]
    Realis = Literal[_ONTOLOGY.realis]
    EventType = Literal[_ONTOLOGY.event_types]


class Strict(BaseModel):
    """Base for every record: unknown fields are errors, values are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_default=False)


# --------------------------------------------------------------------------------------------
# Spans


class Span(Strict):
    """A span of the article text, anchored by its text (like a W3C TextQuoteSelector).

    Give ``text`` alone when it occurs once; add ``occurrence`` (1-based) or ``prefix`` /
    ``suffix`` when it occurs more than once; or give ``start``/``end`` offsets in Unicode code
    points (``end`` exclusive), which must agree with ``text`` when both are present.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [{"required": ["text"]}, {"required": ["start", "end"]}],
            "dependentRequired": {
                "start": ["end"],
                "end": ["start"],
                "occurrence": ["text"],
                "prefix": ["text"],
                "suffix": ["text"],
            },
        }
    )

    text: Text | None = None
    start: Annotated[int, Field(ge=0)] | None = None
    end: Annotated[int, Field(ge=0)] | None = None
    occurrence: Annotated[int, Field(ge=1)] | None = None
    prefix: Text | None = None
    suffix: Text | None = None

    @model_validator(mode="after")
    def _shape(self) -> Span:
        if self.text is None and (self.start is None or self.end is None):
            raise ValueError("a span needs `text`, or both `start` and `end`")
        if (self.start is None) != (self.end is None):
            raise ValueError("give both `start` and `end`, or neither")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError(f"`end` ({self.end}) must be greater than `start` ({self.start})")
        if self.text is None and (self.occurrence or self.prefix or self.suffix):
            raise ValueError("`occurrence`, `prefix` and `suffix` qualify `text`; give `text`")
        return self


SpanRef = Annotated[str, StringConstraints(min_length=1)] | Span
"""A span as written: a plain string (unique text) or a :class:`Span` object."""


# --------------------------------------------------------------------------------------------
# The world


class CorpusInfo(Strict):
    """Metadata of the whole corpus."""

    id: DocId
    title: Text
    description: str | None = None
    language: Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)]
    license: str | None = None
    note: str | None = None


class Entity(Strict):
    """A real-world person, organisation, place, platform, award, ..."""

    id: Id
    type: EntityType
    name: Text
    aliases: list[Text] = Field(default_factory=list)
    wikidata: Annotated[str, StringConstraints(pattern=QID_PATTERN)] | None = None
    description: str | None = None
    note: str | None = None


class Participant(Strict):
    """An entity taking part in a world event, by role."""

    role: Text
    entity: Id


class Event(Strict):
    """A real-world event; every event mention of it, in any document, links here."""

    id: Id
    type: EventType
    date: Date | None = None
    place: Id | None = None
    participants: list[Participant] = Field(default_factory=list)
    description: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _roles(self) -> Event:
        allowed = _ONTOLOGY.roles_for(self.type)
        for part in self.participants:
            if part.role not in allowed:
                raise ValueError(
                    f"role `{part.role}` is not allowed for event type {self.type} "
                    f"(allowed: {', '.join(allowed)})"
                )
        return self


class Utterance(Strict):
    """One real act of saying or writing; quotes in any document that report it link here."""

    id: Id
    speaker: Id | None = None
    channel: Channel
    platform: Id | None = None
    date: Date | None = None
    addressee: Id | None = None
    place: Id | None = None
    description: str | None = None
    note: str | None = None


class CorpusFile(Strict):
    """``corpus.yaml``: the world shared by all documents."""

    model_config = ConfigDict(title="newsanno corpus file")

    schema_version: Literal["1.0"]
    corpus: CorpusInfo
    entities: list[Entity] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    utterances: list[Utterance] = Field(default_factory=list)


# --------------------------------------------------------------------------------------------
# The text


class DocumentMeta(Strict):
    """What the article says about itself. Leave a field empty when the text does not support it."""

    outlet: Id | None = None
    title: str | None = None
    published: Date | None = None
    language: Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)]
    url: Annotated[str, AfterValidator(check_uri)] | None = Field(
        default=None, json_schema_extra={"format": "uri"}
    )
    source: str | None = None
    note: str | None = None


class Region(Strict):
    """A part of the text that is not article body: a heading, a photo credit, boilerplate."""

    id: Id
    span: SpanRef
    kind: RegionKind
    note: str | None = None


class Mention(Strict):
    """A span that refers to a world entity."""

    id: Id
    span: SpanRef
    entity: Id
    kind: MentionKind
    note: str | None = None


class Quote(Strict):
    """Reported speech, PARC-style: source (speaker), cue and content (one or more segments)."""

    id: Id
    type: QuoteType
    content: Annotated[list[SpanRef], Field(min_length=1)]
    cue: SpanRef | None = None
    speaker: Id | None = None
    speaker_mention: Id | None = None
    addressee: Id | None = None
    channel: Channel | None = None
    platform: Id | None = None
    date: Date | None = None
    utterance: Id | None = None
    nested_in: Id | None = None
    note: str | None = None


class FactCheck(Strict):
    """A published fact-check of the claim, as the fact-checker wrote it; never a rating of ours."""

    url: Annotated[str, AfterValidator(check_uri)] = Field(json_schema_extra={"format": "uri"})
    fact_checker: Text
    rating: Text
    """The rating exactly as the fact-checker wrote it ("False", "Mostly true", "Pants on fire")."""


class Claim(Strict):
    """A check-worthy factual claim, by a quoted person or by the article itself."""

    id: Id
    span: SpanRef
    claimant: Id
    quote: Id | None = None
    type: ClaimType
    checkworthy: bool
    statement: Text
    fact_check: FactCheck | None = None
    note: str | None = None


class Argument(Strict):
    """An argument of an event mention: an entity in a role, optionally the mention naming it."""

    role: Text
    entity: Id
    mention: Id | None = None


class EventMention(Strict):
    """A trigger in the text that mentions a world event."""

    id: Id
    trigger: SpanRef
    event: Id
    realis: Realis
    arguments: list[Argument] = Field(default_factory=list)
    note: str | None = None


class DocumentFile(Strict):
    """One article's annotations. The text is a file (``text_path``) or inline (``text``)."""

    model_config = ConfigDict(
        title="newsanno document file",
        json_schema_extra={
            "oneOf": [
                {"required": ["text_path"], "properties": {"text_path": {"type": "string"}}},
                {"required": ["text"], "properties": {"text": {"type": "string"}}},
            ]
        },
    )

    schema_version: Literal["1.0"]
    doc_id: DocId
    text_path: Text | None = None
    text: str | None = None
    text_sha256: Annotated[str, StringConstraints(pattern=SHA256_PATTERN)]
    metadata: DocumentMeta
    regions: list[Region] = Field(default_factory=list)
    mentions: list[Mention] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    event_mentions: list[EventMention] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_text(self) -> DocumentFile:
        if (self.text_path is None) == (self.text is None):
            raise ValueError("give exactly one of `text_path` (a file) and `text` (inline)")
        return self


LAYERS: dict[str, str] = {
    "regions": "span",
    "mentions": "span",
    "quotes": "content",
    "claims": "span",
    "event_mentions": "trigger",
}
"""Each document layer and the field holding its main span(s)."""


def roles_schema_rules() -> list[dict[str, Any]]:
    """JSON Schema ``if``/``then`` rules: the roles each world event type allows."""
    rules = []
    for event_type in _ONTOLOGY.event_types:
        roles = list(_ONTOLOGY.roles_for(event_type))
        rules.append(
            {
                "if": {"properties": {"type": {"const": event_type}}, "required": ["type"]},
                "then": {
                    "properties": {
                        "participants": {"items": {"properties": {"role": {"enum": roles}}}}
                    }
                },
            }
        )
    return rules
