"""Export a validated corpus as a documented, deterministic Parquet dataset, atomically.

The output folder holds one Parquet file per table (or a folder of part files for large tables),
a Frictionless ``datapackage.json`` with primary and foreign keys, a dataset card ``README.md``
and ``checksums.sha256``. The same input gives byte-identical files. Everything is written into a
temporary folder beside the target and renamed into place only when complete, so a failed export
leaves the previous one untouched; an invalid corpus is refused before anything is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
from collections.abc import Set
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

import newsanno.dataset.variants  # noqa: F401  (registers the quote_variants tables)
from newsanno.dataset.ecosystem import write_interop
from newsanno.dataset.tables import DATE_PATTERN, DATES, OFFSETS, TABLES, TableSpec, type_name
from newsanno.model import SCHEMA_VERSION
from newsanno.model.corpus import Corpus
from newsanno.model.findings import NewsannoError, Report

MANIFEST = "datapackage.json"
CARD = "README.md"
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


@dataclass
class ExportResult:
    """The outcome of :func:`export`: the validation report and, when valid, what was written."""

    report: Report
    out: Path | None = None
    tables: list[TableInfo] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return self.out is not None

    @property
    def rows(self) -> dict[str, int]:
        return {t.name: t.rows for t in self.tables}


def toolkit_version() -> str:
    try:
        return version("newsanno")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def write_dataset(
    corpus: Corpus,
    out: Path | str,
    *,
    rows_per_part: int | None = None,
    claims: bool = True,
    agreement: str | None = None,
) -> list[TableInfo]:
    """Write an already validated corpus to ``out`` (atomically); return what was written.

    ``agreement``: the body of the card's "Inter-annotator agreement" section, in Markdown, as
    measured by the layer that can (``newsanno.agree.card``); None leaves the card without one.
    """
    if rows_per_part is not None and rows_per_part < 1:
        raise NewsannoError("rows_per_part must be at least 1")
    target = Path(out)
    _check_target(target)
    built = [(spec, spec.table(corpus)) for spec in TABLES.values()]
    tmp = staging_folder(target)
    try:
        infos = [_write_table(tmp, spec, table, rows_per_part) for spec, table in built]
        manifest = _manifest(corpus, built, infos, tmp)
        (tmp / MANIFEST).write_text(_json(manifest), encoding="utf-8")
        (tmp / CARD).write_text(dataset_card(corpus, infos, agreement), encoding="utf-8")
        write_interop(tmp, manifest, corpus, claims=claims)
        _write_checksums(tmp)
        replace_folder(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return infos


# --------------------------------------------------------------------------------------------
# Parquet


PLAIN_COLUMNS = {"documents": ("text", "text_sha256")}
"""Columns written without a dictionary: their values are all different, so the dictionary
would only cost time (hashing every article text) and then be dropped."""


def parquet_options(table: str, schema: pa.Schema) -> dict[str, Any]:
    """How every Parquet file of ``table`` is written, by both export paths."""
    plain = PLAIN_COLUMNS.get(table, ())
    return {
        "compression": "snappy",
        "use_dictionary": [name for name in schema.names if name not in plain],
        "write_statistics": True,
        "store_schema": True,
    }


def _write_parquet(table: pa.Table, path: Path, name: str) -> None:
    """One Parquet file, written the same way every time (no timestamps; pandas-free schema)."""
    pq.write_table(table, path, **parquet_options(name, table.schema))


def _write_table(
    folder: Path, spec: TableSpec, table: pa.Table, rows_per_part: int | None
) -> TableInfo:
    if rows_per_part is None or table.num_rows <= rows_per_part:
        path = folder / f"{spec.name}.parquet"
        _write_parquet(table, path, spec.name)
        return TableInfo(spec.name, table.num_rows, (path.name,), path.stat().st_size)
    sub = folder / spec.name
    sub.mkdir()
    files, size = [], 0
    for n, offset in enumerate(range(0, table.num_rows, rows_per_part)):
        path = sub / f"part-{n:05d}.parquet"
        _write_parquet(table.slice(offset, rows_per_part), path, spec.name)
        files.append(f"{spec.name}/{path.name}")
        size += path.stat().st_size
    return TableInfo(spec.name, table.num_rows, tuple(files), size)


# --------------------------------------------------------------------------------------------
# Manifest and checksums


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
    resource per key.
    """
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


def _write_checksums(folder: Path, digests: dict[str, str] | None = None) -> None:
    """``checksums.sha256`` of every file; ``digests``: those already known, by relative path."""
    known = digests or {}
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel != CHECKSUMS:
            lines.append(f"{known.get(rel) or sha256_file(path)}  {rel}\n")
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


# --------------------------------------------------------------------------------------------
# The dataset card


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def _snippet_path(info: TableInfo) -> str:
    return info.files[0] if len(info.files) == 1 else f"{info.name}/part-*.parquet"


def dataset_card(corpus: Corpus, infos: list[TableInfo], agreement: str | None = None) -> str:
    """The dataset card (``README.md``): what, how made, tables, how to load, licence, limits.

    ``agreement``: the body of an "Inter-annotator agreement" section (Markdown), when the
    export measured one; without it the card says that it has no agreement figures.
    """
    world, info = corpus.world, corpus.world.corpus
    names = {e.id: e.name for e in world.entities}
    outlets = sorted({names.get(o, o) for d in corpus.documents if (o := d.model.metadata.outlet)})
    dates = sorted(p for d in corpus.documents if (p := d.model.metadata.published))
    languages = sorted({d.model.metadata.language for d in corpus.documents} | {info.language})
    by_name = {t.name: t for t in infos}
    path = {name: _snippet_path(t) for name, t in by_name.items()}
    when = "at unknown dates" if not dates else f"on {dates[0]}"
    if len(set(dates)) > 1:
        when = f"from {dates[0]} to {dates[-1]}"
    sources = f"{len(outlets)} outlet(s) ({', '.join(outlets)})" if outlets else "unnamed outlets"
    lines = [
        "---",
        "license: cc-by-4.0",
        "language:",
        *(f"- {lang.split('-')[0]}" for lang in languages),
        f"pretty_name: {json.dumps(info.title, ensure_ascii=False)}",
        "tags:",
        "- news",
        "- quotation-attribution",
        "- claim-detection",
        "- event-coreference",
        "configs:",
    ]
    for t in infos:
        lines += [f"- config_name: {t.name}", f"  data_files: {json.dumps(path[t.name])}"]
    lines += [
        "---",
        "",
        f"# {info.title}",
        "",
        *([info.description, ""] if info.description else []),
        "News articles annotated by hand with four layers: **entities** (with mentions), "
        "**quotes** (speaker, cue, content, and the real utterance reported), **claims** "
        "(check-worthy statements and who makes them) and **events** (world events and their "
        "mentions with arguments). Articles and annotations share one world of entities, events "
        "and utterances, so a quote in one article and the same words quoted by another outlet "
        "link to one utterance, and two mentions of one event link to one event.",
        "",
        f"- corpus id: `{info.id}`; annotation schema version {SCHEMA_VERSION}",
        f"- {len(corpus.documents)} document(s) from {sources}, published {when}; "
        f"language(s): {', '.join(languages)}",
        f"- world: {len(world.entities)} entities, {len(world.events)} events, "
        f"{len(world.utterances)} utterances",
        "",
        "## How it was made",
        "",
        "Annotators write one YAML file per article by hand, against the verbatim article text, "
        "anchoring every span by its text (like a W3C TextQuoteSelector), never by counted "
        "offsets. `newsanno validate` checks each file (YAML 1.2 parsing, the JSON Schema, the "
        "pydantic model, then meaning: anchors resolve to exactly one place, every referenced id "
        "exists and has a fitting type, event roles fit the event type, dates exist, no "
        "duplicates). `newsanno export` resolves every anchor to offsets and writes these tables. "
        "The ontology follows ACE/ERE (entity and event types, roles, realis), PARC 3.0 "
        "(quotes), ClaimReview and CLEF CheckThat! (claims) and TIMEX3 (dates), with a few "
        "news-specific extensions; `schema/` in the source repository documents every term.",
        "",
        f"Generated by newsanno {toolkit_version()}. The export is deterministic: the same "
        "annotations give byte-identical files. `checksums.sha256` lists the sha256 of every "
        "file (`sha256sum -c checksums.sha256`); `datapackage.json` is a Frictionless Data "
        "Package with field types, primary keys and foreign keys (`frictionless validate "
        "datapackage.json`); `croissant.json` describes the same tables in MLCommons Croissant "
        "(`mlcroissant validate --jsonld croissant.json`); `claims.jsonld` holds the claims as "
        "schema.org `Claim`s (and a `ClaimReview` where a published fact-check is annotated).",
        "",
        *(["## Inter-annotator agreement", "", agreement.strip("\n"), ""] if agreement else []),
        "## Offsets and dates",
        "",
        f"Offsets count **Unicode code points** into `documents.text`, and `end` is exclusive: "
        f"`documents.text[start:end]` in Python is the span, and equals its `text` column. "
        f"JavaScript, Java and UIMA tools count UTF-16 code units and need converting for text "
        f"outside the Basic Multilingual Plane (emoji). Dates are {DATES} "
        f'A split quote ("...," she said, "...") has several `segments`; its `start`/`end` '
        f"cover all of them and its `text` joins them with one space.",
        "",
        "## Tables",
        "",
        "| table | rows | file(s) | primary key | what |",
        "|---|---|---|---|---|",
    ]
    for t in infos:
        spec = TABLES[t.name]
        lines.append(
            f"| `{t.name}` | {t.rows} | `{path[t.name]}` | {', '.join(spec.primary_key)} "
            f"| {_cell(spec.description)} |"
        )
    lines += [
        "",
        "`ordinal` columns keep the order of records in the annotation files; rows are sorted "
        "by primary key. Every table is plain Parquet (signed integers, `string` columns, "
        "ISO date strings, no pandas index), so any Parquet reader works. The columns:",
        "",
    ]
    for t in infos:
        spec = TABLES[t.name]
        lines += [
            f"### `{t.name}`",
            "",
            "| column | type | null | description |",
            "|---|---|---|---|",
        ]
        for c in spec.columns:
            lines.append(
                f"| `{c.name}` | `{_cell(type_name(c.type))}` | {'' if c.required else 'yes'} "
                f"| {_cell(c.description)} |"
            )
        lines.append("")
    quotes, entities = (
        path.get("quotes", "quotes.parquet"),
        path.get("entities", "entities.parquet"),
    )
    lines += [
        "## Loading",
        "",
        "Paths are relative to this folder.",
        "",
        "pandas (plain, or with the newsanno toolkit for typed frames and ready-made joins):",
        "",
        "```python",
        "import pandas as pd",
        f'quotes = pd.read_parquet("{quotes}")',
        f'entities = pd.read_parquet("{entities}")',
        'quotes.merge(entities, left_on="speaker_entity_id", right_on="entity_id", how="left")',
        "",
        "import newsanno",
        'ds = newsanno.load_dataset(".")  # one DataFrame per table, pyarrow-backed dtypes',
        "ds.quotes_with_speakers()  # + speaker name and the utterance reported",
        "ds.claims_with_claimants()  # + claimant name and the quote carrying the claim",
        "ds.event_mentions_with_arguments()  # + the world event and each argument",
        "```",
        "",
        'DuckDB (`end` is an SQL keyword: write `"end"`):',
        "",
        "```python",
        "import duckdb",
        'duckdb.sql("""',
        '    SELECT q.doc_id, e.name AS speaker, q.text, q.start, q."end"',
        f"    FROM '{quotes}' q LEFT JOIN '{entities}' e ON q.speaker_entity_id = e.entity_id",
        '""").show()',
        "```",
        "",
        "Polars:",
        "",
        "```python",
        "import polars as pl",
        f'quotes = pl.read_parquet("{quotes}")',
        f'speakers = quotes.join(pl.read_parquet("{entities}"), left_on="speaker_entity_id", '
        'right_on="entity_id", how="left")',
        "```",
        "",
        "Hugging Face `datasets` (one table at a time):",
        "",
        "```python",
        "from datasets import load_dataset",
        f'quotes = load_dataset("parquet", data_files={{"train": "{quotes}"}}, split="train")',
        "```",
        "",
        "## Licence",
        "",
        "The annotations (everything except the article texts: entities, mentions, quotes, "
        "claims, events, their links, and the metadata the annotators wrote) are released under "
        "[CC BY 4.0](https://creativecommons.org/licenses/by/4.0/)."
        + (f" Licence note of the corpus: {info.license}." if info.license else ""),
        "",
        "The article texts in `documents.text` (and the titles) are **not** ours: they are "
        "copyrighted by the outlets that published them, and CC BY 4.0 does not apply to them. "
        "They are included so that every offset can be checked against the exact text. Check "
        "what you may do with them where you are before you redistribute them; you can drop "
        "`documents.text` and re-fetch each article from its `url` where one is given, "
        "verifying it against `text_sha256`.",
        "",
        "## Limitations",
        "",
        f"- Size: {len(corpus.documents):,} document(s)."
        + (
            " A corpus this small is for testing tools and studying the phenomena it covers, "
            "not for training or benchmarking models."
            if len(corpus.documents) < 1000
            else ""
        ),
        (
            "- The agreement figures (see Inter-annotator agreement) compare with a second "
            "annotation on the documents both annotate. Claim types, check-worthiness and "
            "quote types are judgements."
            if agreement
            else "- No inter-annotator agreement figures are included. Claim types, "
            "check-worthiness and quote types are judgements."
        ),
        "- Dates are those the annotators could resolve from the text (relative dates against the "
        "publication date), at the precision the text supports; a missing date means unknown.",
        "- Article texts may contain non-body lines (headings, photo credits, boilerplate); the "
        "`regions` table marks the ones annotated.",
        "- Offsets are code points, not UTF-16 units or bytes (see above).",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Atomic replacement


def is_export(folder: Path) -> bool:
    """Whether ``folder`` holds a newsanno export (so replacing it loses nothing else)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and "newsanno" in manifest


_STAGING = re.compile(r"(\d+)\.([0-9a-f]{8})\.[0-9a-f]{12}")
"""What follows ``.<target>.tmp-`` in a staging folder's name: the pid and host writing it."""


def _host() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def staging_folder(target: Path) -> Path:
    """A new folder beside ``target`` to write an export into, before it replaces ``target``.

    Its name, ``.<target>.tmp-<pid>.<host>.<random>``, says which process writes it, so staging
    folders that a killed export left behind are removed here: those of this host whose process
    no longer runs (see :func:`stale_staging`).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in stale_staging(target):
        shutil.rmtree(stale, ignore_errors=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}.{_host()}.{secrets.token_hex(6)}")
    tmp.mkdir()
    return tmp


def stale_staging(target: Path) -> list[Path]:
    """Staging folders beside ``target`` provably left by a dead export: named by
    :func:`staging_folder` on this host, for a process that no longer exists."""
    stale = []
    prefix = f".{target.name}.tmp-"
    with contextlib.suppress(OSError):
        for entry in target.parent.iterdir():
            m = _STAGING.fullmatch(entry.name.removeprefix(prefix))
            if (
                entry.name.startswith(prefix)
                and m is not None
                and m.group(2) == _host()
                and entry.is_dir()
                and not entry.is_symlink()
                and not _running(int(m.group(1)))
            ):
                stale.append(entry)
    return sorted(stale)


def _running(pid: int) -> bool:
    """Whether a process ``pid`` exists (when unsure, as on Windows: yes)."""
    if os.name != "posix" or pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, but is not ours to signal
        return True
    return True


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise NewsannoError(f"{target}: exists and is not a folder; choose another --out")
    if target.is_dir() and any(target.iterdir()) and not is_export(target):
        raise NewsannoError(
            f"{target}: the folder is not empty and holds no newsanno export; "
            "choose a new or empty folder for --out (an export replaces the whole folder)"
        )


def _fsync(path: Path | str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_dir(path: Path | str) -> None:
    """fsync a folder (its entries), where the platform allows it."""
    # Windows cannot open folders; some file systems refuse to sync them
    with contextlib.suppress(OSError):
        _fsync(path)


def _sync_tree(root: Path, synced: Set[str] = frozenset()) -> None:
    """fsync every file and folder under ``root``: what the rename publishes is on disk.

    ``synced``: files (paths relative to ``root``) already synced since they were last written.
    """
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            if Path(path).relative_to(root).as_posix() not in synced:
                _fsync(path)
        _sync_dir(folder)


def replace_folder(tmp: Path, target: Path, synced: Set[str] = frozenset()) -> None:
    """Move a finished folder (an export, an import) into place, keeping the old one until the
    new one is there.

    The new files are synced to disk before the rename and the parent folder after it, so a
    crash or power cut leaves either the old dataset or the complete new one.
    """
    _sync_tree(tmp, synced)
    backup: Path | None = None
    if target.exists():
        backup = target.with_name(f".{target.name}.old-{secrets.token_hex(6)}")
        os.replace(target, backup)
    try:
        os.replace(tmp, target)
    except BaseException:
        if backup is not None:
            os.replace(backup, target)
        raise
    _sync_dir(target.parent)
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)
