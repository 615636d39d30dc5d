"""The export's manifest and checksums: ``datapackage.json`` (a Frictionless Data Package with
each table's Table Schema, keys and sha256) and ``checksums.sha256``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import Any

import pyarrow as pa

from newsanno.dataset.tables import DATE_PATTERN, DATES, OFFSETS, TableSpec
from newsanno.model import SCHEMA_VERSION
from newsanno.model.corpus import Corpus

MANIFEST = "datapackage.json"
CHECKSUMS = "checksums.sha256"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
ANNOTATION_LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International (the annotations; the article "
    "texts remain copyrighted by their outlets)",
}
_FRICTIONLESS_TYPES = {
    "string": "string",
    "int64": "integer",
    "bool": "boolean",
    "double": "number",
}


@dataclass(frozen=True)
class TableInfo:
    """What was written for one table."""

    name: str
    rows: int
    files: tuple[str, ...]
    bytes: int


def toolkit_version() -> str:
    try:
        return version("newsanno")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def _json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def frictionless_schema(
    spec: TableSpec,
    parts: dict[str, tuple[str, ...]] | None = None,
    part: str | None = None,
    aligned: bool = False,
) -> dict[str, Any]:
    """The Frictionless Table Schema of one table: field types, constraints and keys.

    Written for what ``frictionless validate`` reads out of Parquet (pyarrow, then pandas):

    - ``missingValues: []``: no string stands for null (Parquet has real nulls), so an empty
      string, a real value in ``quote_variants.a_text``, is not read as missing;
    - a nullable integer column comes through pandas as a float, null as NaN, which the field's
      own ``missingValues: ["nan"]`` names as missing (an integer column cannot hold the text);
    - a list column comes as a numpy array, which no Table Schema type but ``any`` takes (``array``
      wants JSON text or a Python list); the Parquet schema types its items, and the column's
      description says what it holds;
    - a composite foreign key with a nullable part (``doc_id, nested_in_quote_id``) is not a
      ``foreignKey``: Frictionless checks a key that is partly null against the other table, so
      ``(doc_id, null)`` would fail, while the key means "when set". These are listed under
      ``optionalForeignKeys`` (not a Table Schema property) and checked by ``newsanno validate``.

    ``parts``: the part files of each table (``{table: ("t/part-00000.parquet", ...)}``), when
    the schema is for ``part`` (or the table's only file). A key to a table written in parts
    refers, when ``aligned``, to its part of the same name (a bulk export writes each input
    chunk as one part of every document table, so all rows of a document are in parts of one
    name); otherwise (parts cut by row counts) it is left out, as Table Schema names one
    resource per key. A derived table's parts (quote variants, grouped by utterance across
    documents) are never aligned with the documents'.
    """
    aligned = aligned and not spec.derived
    fields = []
    for c in spec.columns:
        t = c.type
        if pa.types.is_list(t) or pa.types.is_large_list(t):
            kind = "any"
        elif pa.types.is_struct(t):
            kind = "object"
        else:
            kind = _FRICTIONLESS_TYPES[str(t)]
        f: dict[str, Any] = {"name": c.name, "type": kind, "description": c.description}
        if kind in ("integer", "number") and not c.required:
            f["missingValues"] = ["nan"]
        constraints: dict[str, Any] = {}
        if c.required:
            constraints["required"] = True
        if c.values:
            constraints["enum"] = list(c.values)
        if c.is_date:
            constraints["pattern"] = DATE_PATTERN
        if constraints:
            f["constraints"] = constraints
        fields.append(f)
    schema: dict[str, Any] = {
        "fields": fields,
        "missingValues": [],
        "primaryKey": list(spec.primary_key),
    }
    required = {c.name for c in spec.columns if c.required}
    keys: list[dict[str, Any]] = []
    optional: list[dict[str, Any]] = []
    for fk in spec.foreign_keys:
        resource = "" if fk.table == spec.name else fk.table
        if not resource and part and not aligned:
            continue  # parts cut by row counts: the row referred to may be in another part
        if resource and parts and len(parts.get(resource, ())) > 1:
            mine = Path(part).name if part and aligned else None
            same = [p for p in parts[resource] if Path(p).name == mine]
            if not same:
                continue
            resource = _part_name(same[0])
        key = {
            "fields": list(fk.columns),
            "reference": {"resource": resource, "fields": list(fk.ref_columns)},
        }
        partly_null = len(fk.columns) > 1 and not set(fk.columns) <= required
        (optional if partly_null else keys).append(key)
    if keys:
        schema["foreignKeys"] = keys
    if optional:
        schema["optionalForeignKeys"] = optional
    return schema


def _part_name(path: str) -> str:
    """The resource name of a part file: ``mentions/part-00003.parquet`` → ``mentions-part-00003``."""
    return path.removesuffix(".parquet").replace("/", "-")


def _package_name(corpus_id: str) -> str:
    name = "".join(ch if ch.isalnum() or ch in "-._" else "-" for ch in corpus_id.lower())
    return name if name.startswith("newsanno") else f"newsanno-{name}"


def _manifest(
    corpus: Corpus,
    built: list[tuple[TableSpec, pa.Table]],
    infos: list[TableInfo],
    folder: Path,
    digests: dict[str, str] | None = None,
    aligned: bool = False,
) -> dict[str, Any]:
    """``datapackage.json``; ``digests``: sha256 of files already known, by relative path;
    ``aligned``: part files of one name hold the same documents in every table (bulk export)."""
    known = digests or {}
    info = corpus.world.corpus
    resources = []
    # A table in part files is one resource per part: a Data Package resource with several paths
    # is their concatenation, which Parquet files are not (frictionless reads only the first).
    # No `bytes`: frictionless reads Parquet through pyarrow, counts no bytes and would report
    # every count as wrong; `hash` (and checksums.sha256) pins each file.
    parts = {i.name: i.files for i in infos if len(i.files) > 1}
    for (spec, _), table_info in zip(built, infos, strict=True):
        for rel in table_info.files:
            split = len(table_info.files) > 1
            resource: dict[str, Any] = {
                "name": _part_name(rel) if split else spec.name,
                "type": "table",
                "path": rel,
                "scheme": "file",
                "format": "parquet",
                "mediatype": PARQUET_MEDIATYPE,
                "description": spec.description,
                "hash": "sha256:" + (known.get(rel) or sha256_file(folder / rel)),
                "schema": frictionless_schema(spec, parts, rel if split else None, aligned),
            }
            if split:
                resource["title"] = f"{spec.name}, part {Path(rel).stem.removeprefix('part-')}"
            resources.append(resource)
    package: dict[str, Any] = {
        "name": _package_name(info.id),
        "title": info.title,
        "description": info.description
        or f"{info.title}: news articles annotated with entities, quotes, claims and events.",
        "version": SCHEMA_VERSION,
        "licenses": [ANNOTATION_LICENSE],
        "keywords": ["news", "quotes", "claims", "events", "entities", "annotation"],
        "newsanno": {
            "schema_version": SCHEMA_VERSION,
            "corpus_id": info.id,
            "generator": f"newsanno {toolkit_version()}",
            "offsets": OFFSETS,
            "dates": DATES,
            "rows": {t.name: t.rows for t in infos},
            "article_text_rights": "The article texts (documents.text) are copyrighted by "
            "their outlets and are not covered by the annotation licence.",
        },
        "resources": resources,
    }
    return package


def _write_checksums(
    folder: Path, digests: dict[str, str] | None = None, elsewhere: dict[str, str] | None = None
) -> None:
    """``checksums.sha256`` of every file; ``digests``: those already known, by relative path;
    ``elsewhere``: files of the export that are not in ``folder`` (parts Spark wrote to an
    object store), with their digests."""
    known = {**(digests or {}), **(elsewhere or {})}
    here = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
    lines = []
    for rel in sorted({*here, *(elsewhere or {})}, key=PurePosixPath):
        if rel != CHECKSUMS:
            lines.append(f"{known.get(rel) or sha256_file(here[rel])}  {rel}\n")
    (folder / CHECKSUMS).write_text("".join(lines), encoding="utf-8")


def verify_checksums(folder: Path | str) -> list[str]:
    """Files of an export whose sha256 differs from ``checksums.sha256`` (or that are missing)."""
    root = Path(folder)
    bad = []
    for line in (root / CHECKSUMS).read_text(encoding="utf-8").splitlines():
        digest, _, rel = line.partition("  ")
        path = root / rel
        if not path.is_file() or sha256_file(path) != digest:
            bad.append(rel)
    return bad
