"""``croissant.json``: the export described in MLCommons Croissant 1.1 (JSON-LD), beside
``datapackage.json``.

Built from the Data Package manifest (files, hashes, descriptions) and the table registry (Arrow
types, keys). Each table is a RecordSet; its file is a FileObject with its sha256, or, for a table
written as a folder of parts, a FileSet over ``<table>/part-*.parquet`` that contains one
FileObject (with its sha256) per part. Nothing is added that the corpus does not say: no ``url``
(the dataset has no published home; Croissant does not require one), no creator, no date.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from newsanno.dataset.claimreview import CLAIMS, table_paths
from newsanno.dataset.tables import TABLES, TableSpec

if TYPE_CHECKING:
    from newsanno.model.corpus import Corpus

CROISSANT = "croissant.json"
CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
PARQUET = "application/x-parquet"
"""The encodingFormat Croissant and mlcroissant use for Parquet."""

CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "equivalentProperty": "cr:equivalentProperty",
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
"""The Croissant 1.1 context, as the specification and mlcroissant write it."""

_DATA_TYPES = {
    "string": "sc:Text",
    "int64": "cr:Int64",
    "bool": "sc:Boolean",
    "double": "cr:Float64",
}


def _data_type(t: pa.DataType) -> str:
    return _DATA_TYPES[str(t)]


def _field(table: str, name: str, t: pa.DataType, description: str, source: dict) -> dict:
    """A Croissant field for a column (or a struct's member), its source and type."""
    fid = f"{table}/{name}"
    field: dict[str, Any] = {"@type": "cr:Field", "@id": fid, "name": name}
    if description:
        field["description"] = description
    if pa.types.is_list(t):
        field["isArray"] = True
        field["arrayShape"] = "-1"
        t = t.value_type
    if pa.types.is_struct(t):
        field["subField"] = [
            _field(fid, member.name, member.type, "", {**source, "extract": {"column": name}})
            | {
                "source": {
                    **source,
                    "extract": {"column": name},
                    "transform": {"jsonPath": member.name},
                }
            }
            for member in t
        ]
        field["dataType"] = "sc:StructuredValue"
    else:
        field["dataType"] = _data_type(t)
    field["source"] = {**source, "extract": {"column": name}}
    return field


def _references(spec: TableSpec) -> dict[str, str]:
    """Columns that refer to a table's whole key: ``entity_id`` → ``entities/entity_id``.

    Croissant's ``references`` links one field to one field, and mlcroissant joins on it; a part
    of a composite key (``mention_id`` within its document) is no key on its own, so those stay
    in ``datapackage.json`` (``foreignKeys``) and the column descriptions."""
    return {
        fk.columns[0]: f"{fk.table}/{fk.ref_columns[0]}"
        for fk in spec.foreign_keys
        if len(fk.columns) == 1 and fk.table != spec.name
    }


def croissant(folder: Path, manifest: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    """The Croissant description of the export in ``folder``, from its ``datapackage.json``."""
    by_path = {r["path"]: r for r in manifest["resources"]}
    by_table = {
        table: [by_path[p] for p in table_paths(manifest, table)]
        for table in manifest["newsanno"]["rows"]
    }
    distribution: list[dict[str, Any]] = []
    record_sets: list[dict[str, Any]] = []
    for table, resources in by_table.items():
        spec = TABLES[table]
        objects = [
            {
                "@type": "cr:FileObject",
                "@id": r["path"],
                "name": r["path"],
                "description": r["description"] if len(resources) == 1 else r.get("title", ""),
                "contentUrl": r["path"],
                "encodingFormat": PARQUET,
                "sha256": r["hash"].removeprefix("sha256:"),
            }
            for r in resources
        ]
        distribution.extend(objects)
        if len(resources) == 1:
            source = {"fileObject": {"@id": resources[0]["path"]}}
        else:
            distribution.append(
                {
                    "@type": "cr:FileSet",
                    "@id": f"{table}-parts",
                    "name": f"{table}-parts",
                    "description": f"The part files of table {table}.",
                    "encodingFormat": PARQUET,
                    "includes": f"{table}/part-*.parquet",
                }
            )
            source = {"fileSet": {"@id": f"{table}-parts"}}
        refs = _references(spec)
        fields = []
        for c in spec.columns:
            f = _field(table, c.name, c.type, c.description, source)
            if c.name in refs:
                f["references"] = {"field": {"@id": refs[c.name]}}
            fields.append(f)
        record_sets.append(
            {
                "@type": "cr:RecordSet",
                "@id": table,
                "name": table,
                "description": spec.description,
                "key": [{"@id": f"{table}/{k}"} for k in spec.primary_key],
                "field": fields,
            }
        )
    if (folder / CLAIMS).is_file():
        distribution.append(
            {
                "@type": "cr:FileObject",
                "@id": CLAIMS,
                "name": CLAIMS,
                "description": "The claims as schema.org JSON-LD (Claim, ClaimReview).",
                "contentUrl": CLAIMS,
                "encodingFormat": "application/ld+json",
                "sha256": hashlib.sha256((folder / CLAIMS).read_bytes()).hexdigest(),
            }
        )
    info = manifest["newsanno"]
    licence = manifest["licenses"][0]
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": manifest["name"],
        "alternateName": manifest["title"],
        "description": manifest["description"],
        "version": manifest["version"],
        "license": licence["path"],
        "keywords": manifest["keywords"],
        "inLanguage": languages,
        "usageInfo": info["article_text_rights"],
        "distribution": distribution,
        "recordSet": record_sets,
    }


def write_croissant(folder: Path, manifest: dict[str, Any], corpus: Corpus) -> None:
    """Write ``croissant.json`` into an export folder (before its checksums are written)."""
    languages = sorted(
        {d.model.metadata.language for d in corpus.documents} | {corpus.world.corpus.language}
    )
    text = json.dumps(croissant(folder, manifest, languages), indent=2, ensure_ascii=False) + "\n"
    (folder / CROISSANT).write_text(text, encoding="utf-8")
