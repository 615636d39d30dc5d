"""The cross-document lints on Spark (``--cross-document``), across all shards.

Each block's check emits a record of every quote of its valid documents
(:func:`newsanno.engines.spark_tasks._quote_records`: a pickled
:class:`newsanno.rules.crossdoc._QuoteRecord`, keyed by its place in input order). The rules
are :mod:`newsanno.rules.crossdoc`'s, not a copy of them; what this module adds is the grouping:

- ``lint-low-overlap-utterance``: the records grouped by utterance (``groupBy``), each group
  linted by :class:`~newsanno.rules.crossdoc.CrossDocumentLints` itself, records in input order.
- ``lint-possible-same-utterance``: each record exploded into its distinct word trigrams
  (:func:`~newsanno.rules.crossdoc.trigrams`, the local candidate step), a self-join on the
  trigram gives the candidate pairs (of two documents; each pair once), and each pair is decided
  by :func:`~newsanno.rules.crossdoc.possible_same` with the earlier quote first, as locally.

Cost: a shuffle of every trigram of every quote of at least six words (tens per quote), then of
the candidate pairs, each carrying both records. The pairs grow with the square of the quotes
that share a trigram: a common phrase ("I think that ...") quoted by 10,000 quotes makes 50
million join rows in one task before the pairs are deduplicated. Nothing caps that, since a cap
would change what the lint finds; it is why the lints are off by default.

Documents whose doc_id was used before (an error the driver finds across blocks) are left out,
as the serial validator leaves them out.

The ``quote_variants`` and ``quote_variant_pairs`` tables of an export (:func:`quote_variants`)
group the same way: each valid document's rendering of each utterance it quotes
(:func:`newsanno.fidelity.renderings.document_renderings`, packed with only the text it covers)
goes to its utterance's group, and each group's pairs are aligned by
:func:`newsanno.fidelity.align.align_renderings`, as :func:`~newsanno.fidelity.align.compare_corpus`
aligns them on one machine. Cost: a shuffle of one record per (document, utterance it quotes),
about the size of the quoted text; the alignments grow with the square of the documents quoting
one utterance (an utterance quoted by 1,000 documents makes 499,500 pairs, in one task).
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from newsanno.engines.spark_tasks import FINDING_COLUMNS
from newsanno.model.findings import Code, Finding, Severity

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

FINDING_DDL = (
    "file string, line long, column long, code string, severity string, "
    "message string, fix string, path string"
)
_KEY = ("rank", "line", "idx")
"""A quote's place in input order: its file's rank, its document's line, its index there."""
_KEYED = pa.schema(
    [
        ("rank", pa.int64()),
        ("line", pa.int64()),
        ("idx", pa.int64()),
        ("grams", pa.list_(pa.list_(pa.string()))),
        ("data", pa.binary()),
    ]
)
_KEYED_DDL = "rank long, line long, idx long, grams array<array<string>>, data binary"


def finding_of(r: Any) -> Finding:
    """A row of :data:`FINDING_DDL` as a finding."""
    return Finding(
        r["file"],
        r["line"],
        r["column"],
        Code(r["code"]),
        Severity(r["severity"]),
        r["message"],
        r["fix"],
        r["path"] or "",
    )


def _row(f: Finding) -> dict[str, Any]:
    values = (f.file, f.line, f.col, f.code.value, f.severity.value, f.message, f.hint, f.path)
    return dict(zip(FINDING_COLUMNS, values, strict=True))


def _findings_table(found: list[Finding]) -> pa.Table:
    schema = pa.schema(
        [(c, pa.int64() if c in ("line", "column") else pa.string()) for c in FINDING_COLUMNS]
    )
    return pa.Table.from_pylist([_row(f) for f in found], schema=schema)


def _low_overlap(group: pa.Table) -> pa.Table:
    """The low-overlap lint over the quotes of one utterance (a group of ``groupBy``), by
    :class:`newsanno.rules.crossdoc.CrossDocumentLints` itself: its records in input order."""
    from newsanno.rules.crossdoc import CrossDocumentLints

    records = [r for _, r in sorted(pickle.loads(b) for b in group.column("data").to_pylist())]
    return _findings_table(list(CrossDocumentLints(quotes=records)._low_overlap()))


def _keyed(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Each quote record with its key and its candidate trigrams."""
    from newsanno.rules.crossdoc import trigrams

    for batch in batches:
        rows = []
        for blob in batch.column("data").to_pylist():
            key, record = pickle.loads(blob)
            grams = [list(g) for g in sorted(trigrams(record))]
            rows.append(dict(zip(_KEY, key, strict=True)) | {"grams": grams, "data": blob})
        yield pa.RecordBatch.from_pylist(rows, schema=_KEYED)


def _decide(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Each candidate pair (the earlier quote's record, the later one's) decided by the rule."""
    from newsanno.rules.crossdoc import possible_same

    for batch in batches:
        found = []
        for a, b in zip(batch.column("a").to_pylist(), batch.column("b").to_pylist(), strict=True):
            same = possible_same(pickle.loads(a)[1], pickle.loads(b)[1])
            if same is not None:
                found.append(same)
        yield from _findings_table(found).to_batches()


def _variants(group: pa.Table) -> pa.Table:
    """The rows of both quote-variant tables for one utterance (a group of ``groupBy``): one
    Arrow IPC stream per table; nothing when fewer than two documents quote it."""
    from newsanno.dataset.variants import tables_of_pairs
    from newsanno.engines.spark_tasks import _ipc
    from newsanno.fidelity.align import align_renderings
    from newsanno.fidelity.renderings import unpack

    tables: dict[str, pa.Table] = {}
    if group.num_rows > 1:
        renderings = (unpack(pickle.loads(b)) for b in group.column("data").to_pylist())
        tables = tables_of_pairs(align_renderings(renderings))
    return pa.table(
        {
            "name": pa.array(list(tables), pa.string()),
            "data": pa.array([_ipc(t) for t in tables.values()], pa.binary()),
        }
    )


def quote_variants(checked: DataFrame) -> DataFrame:
    """Rows ``(name, data)``: per utterance quoted by two or more documents, the rows of
    ``quote_variants`` and of ``quote_variant_pairs`` (``name``), each as one Arrow IPC stream."""
    from pyspark.sql import functions as F

    return (
        checked.filter(F.col("kind") == "rendering")
        .select("name", "data")
        .groupBy("name")
        .applyInArrow(_variants, "name string, data binary")
    )


def cross_document(checked: DataFrame, later: set[tuple[int, int]]) -> list[Finding]:
    """Both cross-document lints over the quote rows of ``checked`` (the check's output);
    ``later``: (file rank, line) of the documents whose doc_id was used before."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    quotes = checked.filter(F.col("kind") == "quote")
    if later:
        skip = checked.sparkSession.createDataFrame(sorted(later), "col long, line long")
        quotes = quotes.join(F.broadcast(skip), ["col", "line"], "left_anti")
    low = (
        quotes.filter(F.col("name").isNotNull())
        .select("name", "data")
        .groupBy("name")
        .applyInArrow(_low_overlap, FINDING_DDL)
        .collect()
    )
    keyed = quotes.select("data").mapInArrow(_keyed, _KEYED_DDL).persist(StorageLevel.DISK_ONLY)
    try:
        grams = keyed.select(*_KEY, F.explode("grams").alias("gram"))
        a, b = grams.alias("a"), grams.alias("b")
        pairs = (
            a.join(b, "gram")
            .where(F.struct(*(f"a.{k}" for k in _KEY)) < F.struct(*(f"b.{k}" for k in _KEY)))
            .where((F.col("a.rank") != F.col("b.rank")) | (F.col("a.line") != F.col("b.line")))
            .select(*(F.col(f"{s}.{k}").alias(f"{s}{k}") for s in "ab" for k in _KEY))
            .distinct()
        )
        for s in "ab":
            side = keyed.select(*(F.col(k).alias(f"{s}{k}") for k in _KEY), F.col("data").alias(s))
            pairs = pairs.join(side, [f"{s}{k}" for k in _KEY])
        same = pairs.select("a", "b").mapInArrow(_decide, FINDING_DDL).collect()
    finally:
        keyed.unpersist()
    return [finding_of(r) for r in [*low, *same]]
