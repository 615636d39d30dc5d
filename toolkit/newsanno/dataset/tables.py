"""The tables of the Parquet export: explicit pyarrow schemas, column docs, keys, and row builders.

Every table is a :class:`TableSpec` in the :data:`TABLES` registry: its pyarrow schema, a description
of each column, its primary key and foreign keys, and the function that turns a validated corpus
into rows. The export writes every registered table; ``schema/tables.json`` documents them (it is
generated from this registry by ``newsanno schema``). Other modules add tables with
:func:`register_table`; tables they add are derived, so the round trip back to the model ignores
them.

Conventions: offsets count Unicode code points into the exact article text, ``end`` exclusive;
integers are signed 64-bit; strings are ``string`` (never ``large_string``); dates are ISO 8601
strings at their known precision (``2018``, ``2025-06``, ``2025-06-11``). ``ordinal`` columns keep
the order of records in their annotation file, so that the export is lossless while rows are
sorted by primary key.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from newsanno.dataset.rows import (
    _argument_rows,
    _claim_rows,
    _corpus_rows,
    _document_rows,
    _entity_rows,
    _event_mention_rows,
    _event_rows,
    _mention_rows,
    _participant_rows,
    _quote_rows,
    _region_rows,
    _utterance_rows,
)
from newsanno.dataset.spec import BOOL as BOOL
from newsanno.dataset.spec import DATE_PATTERN as DATE_PATTERN
from newsanno.dataset.spec import DATES as DATES
from newsanno.dataset.spec import INT as INT
from newsanno.dataset.spec import OFFSETS as OFFSETS
from newsanno.dataset.spec import SEGMENT as SEGMENT
from newsanno.dataset.spec import STRING as STRING
from newsanno.dataset.spec import Builder as Builder
from newsanno.dataset.spec import Column as Column
from newsanno.dataset.spec import ForeignKey as ForeignKey
from newsanno.dataset.spec import Row as Row
from newsanno.dataset.spec import TableSpec as TableSpec
from newsanno.dataset.spec import list_of as list_of
from newsanno.model import SCHEMA_VERSION
from newsanno.model.ontology import load_ontology

TABLES_FILE = "tables.json"

TABLES: dict[str, TableSpec] = {}
"""Every table of the export, by name, in the order they are written and documented."""


def register_table(spec: TableSpec) -> TableSpec:
    """Add a table to the export (other modules publish derived tables this way)."""
    if spec.name in TABLES and TABLES[spec.name] is not spec:
        raise ValueError(f"a table named {spec.name!r} is already registered")
    TABLES[spec.name] = spec
    return spec


# --------------------------------------------------------------------------------------------
# Column helpers


def _req(name: str, type_: pa.DataType, description: str, **kw: Any) -> Column:
    return Column(name, type_, description, required=True, **kw)


def _opt(name: str, type_: pa.DataType, description: str, **kw: Any) -> Column:
    return Column(name, type_, description, required=False, **kw)


def _date(name: str, what: str) -> Column:
    return Column(name, STRING, f"{what}; {DATES}", is_date=True)


DOC_ID = _req("doc_id", STRING, "The document (documents.doc_id).")
NOTE = _opt("note", STRING, "Free-text note of the annotator.")
DESCRIPTION = _opt("description", STRING, "Free-text description.")


def _ordinal(within: str) -> Column:
    return _req("ordinal", INT, f"0-based position of the record {within}; restores that order.")


def _span_columns(what: str) -> tuple[Column, Column, Column]:
    return (
        _req("start", INT, f"Start of the {what}: Unicode code point offset into documents.text."),
        _req("end", INT, f"End of the {what} (exclusive), in Unicode code points."),
        _req("text", STRING, f"The text of the {what}: documents.text[start:end]."),
    )


def _fk(columns: str, table: str, ref: str) -> ForeignKey:
    return ForeignKey(tuple(columns.split(",")), table, tuple(ref.split(",")))


ENTITY_KEY = "entity_id"

# --------------------------------------------------------------------------------------------
# The core tables

_O = load_ontology()

CORE_TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "corpus",
        "The corpus itself (one row): its id, title, language, licence note and schema version.",
        (
            _req("corpus_id", STRING, "Corpus id."),
            _req("title", STRING, "Corpus title."),
            DESCRIPTION,
            _req("language", STRING, "Main language of the corpus (BCP 47)."),
            _opt("license", STRING, "Licence note given in corpus.yaml, if any."),
            NOTE,
            _req("schema_version", STRING, "Version of the newsanno annotation schema."),
        ),
        ("corpus_id",),
        _corpus_rows,
    ),
    TableSpec(
        "documents",
        "One row per article: metadata, the verbatim text all offsets refer to, and its sha256.",
        (
            DOC_ID,
            _opt("outlet", STRING, "The outlet that published the article (entities.entity_id)."),
            _opt("title", STRING, "Headline, as printed."),
            _date("published", "Publication date"),
            _req("language", STRING, "Language of the article (BCP 47)."),
            _opt("url", STRING, "Where the article was published."),
            _opt("source", STRING, "How the text was obtained."),
            NOTE,
            _req(
                "text",
                STRING,
                "The exact article text, verbatim (no newline translation); spans index it.",
            ),
            _req("text_sha256", STRING, "sha256 of the UTF-8 bytes of text (hex)."),
            _opt(
                "text_path",
                STRING,
                "Where the text lives in the corpus folder; null when it was inline.",
            ),
            _req("annotation_file", STRING, "Annotation file, relative to the corpus folder."),
            _req("annotation_line", INT, "Line of the document in that file (JSONL shards)."),
        ),
        ("doc_id",),
        _document_rows,
        (_fk("outlet", "entities", ENTITY_KEY),),
    ),
    TableSpec(
        "entities",
        "World entities shared by all documents: people, organisations, places, platforms, ...",
        (
            _req(ENTITY_KEY, STRING, "Entity id."),
            _ordinal("in corpus.yaml"),
            _req("entity_type", STRING, "Entity type (ontology).", values=_O.entity_types),
            _req("name", STRING, "Canonical name."),
            _opt("wikidata_id", STRING, "Wikidata QID, e.g. Q186304."),
            _req("aliases", list_of(STRING), "Other names the entity goes by (may be empty)."),
            DESCRIPTION,
            NOTE,
        ),
        (ENTITY_KEY,),
        _entity_rows,
    ),
    TableSpec(
        "utterances",
        "Real acts of saying or writing; quotes in any document that report one link to it.",
        (
            _req("utterance_id", STRING, "Utterance id."),
            _ordinal("in corpus.yaml"),
            _opt("speaker_entity_id", STRING, "Who said or wrote it (entities.entity_id)."),
            _req("channel", STRING, "How it was said (ontology).", values=_O.channels),
            _opt("platform_entity_id", STRING, "Where it was posted (entities.entity_id)."),
            _date("date", "When it was said"),
            _opt("addressee_entity_id", STRING, "Whom it was said to (entities.entity_id)."),
            _opt("place_entity_id", STRING, "Where it was said (entities.entity_id)."),
            DESCRIPTION,
            NOTE,
        ),
        ("utterance_id",),
        _utterance_rows,
        (
            _fk("speaker_entity_id", "entities", ENTITY_KEY),
            _fk("platform_entity_id", "entities", ENTITY_KEY),
            _fk("addressee_entity_id", "entities", ENTITY_KEY),
            _fk("place_entity_id", "entities", ENTITY_KEY),
        ),
    ),
    TableSpec(
        "events",
        "World events; every event mention of one, in any document, links to it.",
        (
            _req("event_id", STRING, "Event id."),
            _ordinal("in corpus.yaml"),
            _req("event_type", STRING, "Event type (ontology).", values=_O.event_types),
            _date("date", "When the event happened"),
            _opt("location_entity_id", STRING, "Where it happened (entities.entity_id)."),
            DESCRIPTION,
            NOTE,
        ),
        ("event_id",),
        _event_rows,
        (_fk("location_entity_id", "entities", ENTITY_KEY),),
    ),
    TableSpec(
        "event_participants",
        "Participants of world events, by role.",
        (
            _req("event_id", STRING, "The event (events.event_id)."),
            _ordinal("among the participants of the event"),
            _req("role", STRING, "Role, allowed by the ontology for the event type."),
            _req(ENTITY_KEY, STRING, "The participant (entities.entity_id)."),
        ),
        ("event_id", "ordinal"),
        _participant_rows,
        (_fk("event_id", "events", "event_id"), _fk(ENTITY_KEY, "entities", ENTITY_KEY)),
    ),
    TableSpec(
        "regions",
        "Parts of the text that are not article body: headings, photo credits, boilerplate.",
        (
            DOC_ID,
            _req("region_id", STRING, "Region id, unique within the document."),
            _ordinal("in the annotation file"),
            _req("region_type", STRING, "Kind of region (ontology).", values=_O.region_kinds),
            *_span_columns("region"),
            NOTE,
        ),
        ("doc_id", "region_id"),
        _region_rows,
        (_fk("doc_id", "documents", "doc_id"),),
    ),
    TableSpec(
        "mentions",
        "Spans of text that refer to a world entity.",
        (
            DOC_ID,
            _req("mention_id", STRING, "Mention id, unique within the document."),
            _ordinal("in the annotation file"),
            _req(ENTITY_KEY, STRING, "The entity referred to (entities.entity_id)."),
            *_span_columns("mention"),
            _req(
                "mention_type",
                STRING,
                "name, nominal or pronoun (ontology).",
                values=_O.mention_kinds,
            ),
            NOTE,
        ),
        ("doc_id", "mention_id"),
        _mention_rows,
        (_fk("doc_id", "documents", "doc_id"), _fk(ENTITY_KEY, "entities", ENTITY_KEY)),
    ),
    TableSpec(
        "quotes",
        "Reported speech (PARC style): speaker, cue and content, linked to the utterance reported.",
        (
            DOC_ID,
            _req("quote_id", STRING, "Quote id, unique within the document."),
            _ordinal("in the annotation file"),
            _opt("speaker_entity_id", STRING, "Who is quoted (entities.entity_id)."),
            _opt("speaker_mention_id", STRING, "The mention naming the speaker (mentions)."),
            _req(
                "quote_type", STRING, "direct, indirect or mixed (ontology).", values=_O.quote_types
            ),
            _req("start", INT, "Start of the first content segment (code points)."),
            _req("end", INT, "End (exclusive) of the last content segment (code points)."),
            _req(
                "text",
                STRING,
                "The quoted content: the segments' texts joined by one space. Equals "
                "documents.text[start:end] when there is one segment.",
            ),
            _req(
                "segments",
                list_of(SEGMENT),
                "The content spans in text order; more than one when the quote is split "
                '(e.g. by "she said").',
            ),
            _opt("cue_start", INT, "Start of the cue span (code points)."),
            _opt("cue_end", INT, "End of the cue span (exclusive, code points)."),
            _opt("cue_text", STRING, 'The cue: "said", "told", "according to", ...'),
            _opt("addressee_entity_id", STRING, "Whom it was said to (entities.entity_id)."),
            _opt("channel", STRING, "How it was said (ontology).", values=_O.channels),
            _opt("platform_entity_id", STRING, "Where it was posted (entities.entity_id)."),
            _date("date", "When it was said"),
            _opt(
                "utterance_id",
                STRING,
                "The real act of saying that this quote reports (utterances); quotes in "
                "different documents with the same utterance_id report the same words.",
            ),
            _opt("nested_in_quote_id", STRING, "The quote this one is nested in (quotes)."),
            NOTE,
        ),
        ("doc_id", "quote_id"),
        _quote_rows,
        (
            _fk("doc_id", "documents", "doc_id"),
            _fk("speaker_entity_id", "entities", ENTITY_KEY),
            _fk("doc_id,speaker_mention_id", "mentions", "doc_id,mention_id"),
            _fk("addressee_entity_id", "entities", ENTITY_KEY),
            _fk("platform_entity_id", "entities", ENTITY_KEY),
            _fk("utterance_id", "utterances", "utterance_id"),
            _fk("doc_id,nested_in_quote_id", "quotes", "doc_id,quote_id"),
        ),
    ),
    TableSpec(
        "claims",
        "Check-worthy factual claims, by a quoted person or by the article itself.",
        (
            DOC_ID,
            _req("claim_id", STRING, "Claim id, unique within the document."),
            _ordinal("in the annotation file"),
            _req(
                "claimant_kind",
                STRING,
                "entity (a person or organisation makes the claim) or article (the article "
                "itself does).",
                values=("entity", "article"),
            ),
            _opt("claimant_entity_id", STRING, "Who makes the claim (entities); null for article."),
            _opt("quote_id", STRING, "The quote that carries the claim (quotes)."),
            *_span_columns("claim"),
            _req("claim_type", STRING, "Kind of claim (ontology).", values=_O.claim_types),
            _req("checkworthy", BOOL, "Whether the claim is worth fact-checking."),
            _req("statement", STRING, "The claim as a stand-alone, normalised statement."),
            _opt("fact_check_url", STRING, "A published fact-check of the claim (its URL)."),
            _opt("fact_checker", STRING, "Who published that fact-check."),
            _opt("fact_check_rating", STRING, "Its rating, exactly as the fact-checker wrote it."),
            NOTE,
        ),
        ("doc_id", "claim_id"),
        _claim_rows,
        (
            _fk("doc_id", "documents", "doc_id"),
            _fk("claimant_entity_id", "entities", ENTITY_KEY),
            _fk("doc_id,quote_id", "quotes", "doc_id,quote_id"),
        ),
    ),
    TableSpec(
        "event_mentions",
        "Triggers in the text that mention a world event.",
        (
            DOC_ID,
            _req("event_mention_id", STRING, "Event mention id, unique within the document."),
            _ordinal("in the annotation file"),
            _req("event_id", STRING, "The world event mentioned (events.event_id)."),
            *_span_columns("trigger"),
            _req(
                "realis", STRING, "actual, generic, expected or other (ontology).", values=_O.realis
            ),
            NOTE,
        ),
        ("doc_id", "event_mention_id"),
        _event_mention_rows,
        (_fk("doc_id", "documents", "doc_id"), _fk("event_id", "events", "event_id")),
    ),
    TableSpec(
        "event_arguments",
        "Arguments of event mentions: an entity in a role, and the mention naming it.",
        (
            DOC_ID,
            _req("event_mention_id", STRING, "The event mention (event_mentions)."),
            _ordinal("among the arguments of the event mention"),
            _req("event_id", STRING, "The world event of that mention (events.event_id)."),
            _req("role", STRING, "Role, allowed by the ontology for the event type."),
            _req(ENTITY_KEY, STRING, "The argument (entities.entity_id)."),
            _opt("mention_id", STRING, "The mention naming the argument in the text (mentions)."),
        ),
        ("doc_id", "event_mention_id", "ordinal"),
        _argument_rows,
        (
            _fk("doc_id,event_mention_id", "event_mentions", "doc_id,event_mention_id"),
            _fk("event_id", "events", "event_id"),
            _fk(ENTITY_KEY, "entities", ENTITY_KEY),
            _fk("doc_id,mention_id", "mentions", "doc_id,mention_id"),
        ),
    ),
)

for _spec in CORE_TABLES:
    register_table(_spec)


# --------------------------------------------------------------------------------------------
# Documentation


def type_name(t: pa.DataType) -> str:
    """A readable Arrow type: ``string``, ``int64``, ``list<string>``, ``list<struct<...>>``."""
    if pa.types.is_list(t):
        return f"list<{type_name(t.value_type)}>"
    if pa.types.is_struct(t):
        inner = ", ".join(f"{f.name}: {type_name(f.type)}" for f in t)
        return f"struct<{inner}>"
    return str(t)


def tables_document() -> dict[str, Any]:
    """``schema/tables.json``: every table, column, type, key and vocabulary of the export."""
    tables = []
    for spec in TABLES.values():
        columns = []
        for c in spec.columns:
            col: dict[str, Any] = {
                "name": c.name,
                "type": type_name(c.type),
                "nullable": not c.required,
                "description": c.description,
            }
            if c.values:
                col["values"] = list(c.values)
            if c.is_date:
                col["pattern"] = DATE_PATTERN
            columns.append(col)
        tables.append(
            {
                "name": spec.name,
                "description": spec.description,
                "derived": spec.derived,
                "primary_key": list(spec.primary_key),
                "foreign_keys": [
                    {
                        "columns": list(fk.columns),
                        "table": fk.table,
                        "ref_columns": list(fk.ref_columns),
                    }
                    for fk in spec.foreign_keys
                ],
                "columns": columns,
            }
        )
    return {
        "$comment": "generated from toolkit/newsanno/dataset/tables.py by `newsanno schema`; do not edit",
        "schema_version": SCHEMA_VERSION,
        "offsets": OFFSETS,
        "dates": DATES,
        "layout": "each table is <table>.parquet, or a folder <table>/part-*.parquet",
        "tables": tables,
    }


__all__ = [
    "TABLES",
    "Column",
    "ForeignKey",
    "TableSpec",
    "register_table",
    "tables_document",
]
