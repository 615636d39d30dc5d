"""The types of the export's tables: a :class:`TableSpec` (its pyarrow schema, the description of
each column, its primary and foreign keys, its row builder) and the conventions every table shares.

The registry of the tables, and the core tables themselves, are in :mod:`newsanno.dataset.tables`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from newsanno.model import SCHEMA_VERSION

if TYPE_CHECKING:
    from newsanno.model.corpus import Corpus

OFFSETS = (
    "start/end offsets count Unicode code points (Python str indices) into the exact article "
    "text, decoded from UTF-8 with no newline translation; end is exclusive, so "
    "text[start:end] is the span. JavaScript and UIMA tools count UTF-16 code units instead."
)
DATES = "ISO 8601 strings at their known precision: YYYY, YYYY-MM or YYYY-MM-DD."
DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"

STRING = pa.string()
INT = pa.int64()
BOOL = pa.bool_()


def list_of(item: pa.DataType) -> pa.DataType:
    """A list type whose items are never null, named as the Parquet spec names them."""
    return pa.list_(pa.field("element", item, nullable=False))


SEGMENT = pa.struct(
    [
        pa.field("start", INT, nullable=False),
        pa.field("end", INT, nullable=False),
        pa.field("text", STRING, nullable=False),
    ]
)

Row = dict[str, Any]
Builder = Callable[["Corpus"], Iterable[Row]]


@dataclass(frozen=True)
class Column:
    """One column: name, Arrow type, whether it may be null, what it means."""

    name: str
    type: pa.DataType
    description: str
    required: bool = False
    values: tuple[str, ...] = ()
    """The controlled vocabulary of the column, when it has one."""
    is_date: bool = False

    def field(self) -> pa.Field:
        return pa.field(
            self.name,
            self.type,
            nullable=not self.required,
            metadata={"description": self.description},
        )


@dataclass(frozen=True)
class ForeignKey:
    """Columns of this table that refer to the key of another table (or of this one)."""

    columns: tuple[str, ...]
    table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class TableSpec:
    """A table of the export."""

    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    build: Builder
    foreign_keys: tuple[ForeignKey, ...] = ()
    derived: bool = False
    """A derived table is computed from the others; the round trip does not need it."""

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.name}: duplicate column names")
        for fk in self.foreign_keys:
            missing = set(fk.columns) - set(names)
            if missing or len(fk.columns) != len(fk.ref_columns):
                raise ValueError(f"table {self.name}: bad foreign key {fk}")
        if not set(self.primary_key) <= set(names):
            raise ValueError(f"table {self.name}: primary key not among the columns")

    @property
    def schema(self) -> pa.Schema:
        """The explicit pyarrow schema, with the description and conventions as metadata."""
        return pa.schema(
            [c.field() for c in self.columns],
            metadata={
                "description": self.description,
                "newsanno.schema_version": SCHEMA_VERSION,
                "newsanno.offsets": OFFSETS,
                "newsanno.primary_key": ",".join(self.primary_key),
            },
        )

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def table(self, corpus: Corpus) -> pa.Table:
        """Build the table for ``corpus``, rows sorted by primary key (ties keep their order)."""
        return self.of_rows(self.build(corpus))

    def of_rows(self, rows: Iterable[dict[str, Any]]) -> pa.Table:
        """The table of ``rows``, sorted by primary key (ties keep their order)."""
        ordered = sorted(rows, key=lambda r: tuple(r[k] for k in self.primary_key))
        return pa.Table.from_pylist(ordered, schema=self.schema)
