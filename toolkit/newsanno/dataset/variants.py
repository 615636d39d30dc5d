"""The export tables of quote fidelity: ``quote_variants`` and ``quote_variant_pairs``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsanno.dataset.tables import Column, ForeignKey, TableSpec, list_of, register_table
from newsanno.fidelity.align import (
    OP_CLASSES,
    RELATIONS,
    PairAlignment,
    compare_corpus,
    pair_rows,
    variant_rows,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from newsanno.model.corpus import Corpus


def quote_variant_tables(corpus: Corpus) -> dict[str, pa.Table]:
    """The ``quote_variants`` and ``quote_variant_pairs`` tables, with their explicit schemas."""
    return {spec.name: spec.table(corpus) for spec in TABLE_SPECS}


def tables_of_pairs(pairs: list[PairAlignment]) -> dict[str, pa.Table]:
    """The rows of both tables for some aligned pairs (the Spark engine's, one utterance at a
    time), each sorted by its primary key as :func:`quote_variant_tables` sorts them."""
    variants, pair_spec = TABLE_SPECS
    return {
        variants.name: variants.of_rows(variant_rows(pairs)),
        pair_spec.name: pair_spec.of_rows(pair_rows(pairs)),
    }


def _required(name: str, type_: pa.DataType, description: str, **kw: Any) -> Column:
    return Column(name, type_, description, required=True, **kw)


def _table_specs() -> tuple[TableSpec, TableSpec]:
    import pyarrow as pa

    string, integer = pa.string(), pa.int64()
    pair_key = ("utterance_id", "doc_id_a", "doc_id_b")
    common = (
        _required("utterance_id", string, "The utterance both documents quote (utterances)."),
        _required("doc_id_a", string, "The first document of the pair, by doc_id (documents)."),
        _required("doc_id_b", string, "The second document of the pair (documents)."),
    )
    fks = (
        ForeignKey(("utterance_id",), "utterances", ("utterance_id",)),
        ForeignKey(("doc_id_a",), "documents", ("doc_id",)),
        ForeignKey(("doc_id_b",), "documents", ("doc_id",)),
    )

    def side(s: str, doc: str) -> tuple[Column, ...]:
        return (
            _required(f"{s}_start", integer, f"Start of the operation in {doc}'s text."),
            _required(
                f"{s}_end", integer, f"End (exclusive); equals {s}_start where {doc} has nothing."
            ),
            _required(f"{s}_text", string, f"text[{s}_start:{s}_end] of {doc} (may be empty)."),
        )

    variants = TableSpec(
        "quote_variants",
        "One row per alignment operation between two documents' renderings of one utterance "
        "(identical runs included, so the rows rebuild both renderings): newsanno.fidelity. "
        "The empty side of an omission or insertion is a zero-length span where the words "
        "would be.",
        (
            *common,
            _required("op_index", integer, "0-based position of the operation in the alignment."),
            _required("op_class", string, "The class of the difference.", values=OP_CLASSES),
            *side("a", "doc_id_a"),
            *side("b", "doc_id_b"),
        ),
        (*pair_key, "op_index"),
        lambda corpus: variant_rows(compare_corpus(corpus)),
        (*fks, ForeignKey(pair_key, "quote_variant_pairs", pair_key)),
        derived=True,
    )
    pairs = TableSpec(
        "quote_variant_pairs",
        "One row per pair of documents quoting one utterance: relation, similarity, "
        "segmentation and the number of alignment operations of each class.",
        (
            *common,
            _required(
                "relation",
                string,
                "identical; variant (verbatim, with differences); paraphrase (a side is an "
                "indirect or mixed quote).",
                values=RELATIONS,
            ),
            _required(
                "similarity",
                pa.float64(),
                "Word-level similarity 2·M/T over normalised words (case and typography folded, "
                "punctuation ignored), from 0 to 1.",
            ),
            _required(
                "surface_similarity",
                pa.float64(),
                "Token-level similarity 2·M/T over exact tokens, punctuation included; 1 only "
                "when character-exact.",
            ),
            _required(
                "containment",
                pa.float64(),
                "Share of the shorter rendering's words found, in order, in the other: near 1 "
                "when one outlet quotes part of what the other quotes.",
            ),
            _required(
                "quote_ids_a",
                list_of(string),
                "The quotes of doc_id_a that form its rendering (quotes.quote_id), in text order.",
            ),
            _required(
                "quote_ids_b", list_of(string), "The quotes of doc_id_b that form its rendering."
            ),
            _required("segments_a", integer, "Number of text segments of the rendering in A."),
            _required("segments_b", integer, "Number of text segments of the rendering in B."),
            _required("words_a", integer, "Number of words of the rendering in doc_id_a."),
            _required("words_b", integer, "Number of words of the rendering in doc_id_b."),
            *(_required(f"n_{c}", integer, f"Number of {c} operations.") for c in OP_CLASSES),
        ),
        pair_key,
        lambda corpus: pair_rows(compare_corpus(corpus)),
        fks,
        derived=True,
    )
    return variants, pairs


TABLE_SPECS = _table_specs()
"""The table specs of ``quote_variants`` and ``quote_variant_pairs``."""


def register_tables() -> None:
    """Add ``quote_variants`` and ``quote_variant_pairs`` to the export's table registry."""
    for spec in TABLE_SPECS:
        register_table(spec)


register_tables()  # the export writes quote_variants and quote_variant_pairs
