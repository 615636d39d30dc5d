"""``claims.jsonld``: the claims of an export as schema.org JSON-LD, the form that fact-checkers
and the Google Fact Check tools read.

Every claim is a ``Claim``: its ``text`` is the normalised statement; ``author`` the claimant (a
``Person``, or an ``Organization`` for any other kind of entity, with ``sameAs`` its Wikidata
page when the corpus knows the QID; for a claim the article makes itself, its outlet when known);
``appearance`` the article as a ``NewsArticle`` (headline, date, outlet, URL only where the corpus
gives them), with the ``Quotation`` that carries the claim; ``firstAppearance`` the utterance
that quote reports (the real act of saying), when the quote links to one. A claim annotated with
a published fact-check (``fact_check`` in the model) also gets a ``ClaimReview`` with the
fact-checker's URL, name and rating as written. Nothing else: no rating, date or URL is made up.

Built from the exported Parquet tables, so the local and the bulk export write it the same way.
:func:`document_loader` serves schema.org's JSON-LD context from the copy in this package
(``data/schemaorg/``), so the file expands offline, e.g. with pyld.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

CLAIMS = "claims.jsonld"
SCHEMA_ORG = "https://schema.org"
CONTEXT_FILE = "data/schemaorg/jsonldcontext.jsonld"
"""schema.org's JSON-LD context, release 30.0 (see data/schemaorg/README.md)."""
CONTEXT_URLS = (
    "https://schema.org",
    "https://schema.org/",
    "http://schema.org",
    "http://schema.org/",
    "https://schema.org/docs/jsonldcontext.jsonld",
    "https://schema.org/docs/jsonldcontext.json",
)
WIKIDATA = "https://www.wikidata.org/wiki/"


def schema_org_context() -> dict[str, Any]:
    """schema.org's JSON-LD context document, from the copy kept in this package."""
    text = resources.files("newsanno").joinpath(CONTEXT_FILE).read_text(encoding="utf-8")
    context: dict[str, Any] = json.loads(text)
    return context


def document_loader(
    fallback: Callable[..., Any] | None = None,
) -> Callable[[str, dict[str, Any] | None], dict[str, Any]]:
    """A pyld document loader that answers schema.org's context URLs from the packaged copy and
    refuses anything else (or hands it to ``fallback``): expansion never needs the network."""
    context = schema_org_context()

    def load(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        if url in CONTEXT_URLS:
            return {"contentType": "application/ld+json", "contextUrl": None,
                    "documentUrl": url, "document": context}  # fmt: skip
        if fallback is not None:
            return dict(fallback(url, options))
        raise ValueError(f"newsanno: no offline copy of {url}")

    return load


def table_paths(manifest: dict[str, Any], table: str) -> list[str]:
    """The files of ``table`` in an export, from its ``datapackage.json`` (one resource per file:
    ``<table>.parquet``, or ``<table>/part-NNNNN.parquet`` for a table written in parts)."""
    return [
        r["path"]
        for r in manifest["resources"]
        if r["path"].split("/")[0].removesuffix(".parquet") == table
    ]


def _read(folder: Path, table: str, columns: list[str]) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq  # not newsanno.dataset, which imports pandas (see bulk.py)

    manifest = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    rows: list[dict[str, Any]] = []
    for path in table_paths(manifest, table):
        rows.extend(pq.read_table(folder / path, columns=columns).to_pylist())
    return rows


def _agent(entity: dict[str, Any] | None) -> dict[str, Any] | None:
    if entity is None:
        return None
    node: dict[str, Any] = {
        "@type": "Person" if entity["entity_type"] == "PER" else "Organization",
        "name": entity["name"],
        "identifier": entity["entity_id"],
    }
    if entity["wikidata_id"]:
        node["sameAs"] = WIKIDATA + entity["wikidata_id"]
    return node


def _drop_none(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if v is not None}


def claim_nodes(folder: Path | str) -> Iterator[dict[str, Any]]:
    """The ``Claim`` (and ``ClaimReview``) nodes of an export folder, claims in table order."""
    root = Path(folder)
    entities = {
        e["entity_id"]: e
        for e in _read(root, "entities", ["entity_id", "entity_type", "name", "wikidata_id"])
    }
    documents = {
        d["doc_id"]: d
        for d in _read(
            root, "documents", ["doc_id", "outlet", "title", "published", "language", "url"]
        )
    }
    utterances = {
        u["utterance_id"]: u
        for u in _read(
            root,
            "utterances",
            ["utterance_id", "speaker_entity_id", "platform_entity_id", "date", "description"],
        )
    }
    quotes = {
        (q["doc_id"], q["quote_id"]): q
        for q in _read(
            root, "quotes", ["doc_id", "quote_id", "speaker_entity_id", "text", "utterance_id"]
        )
    }
    columns = [
        "doc_id", "claim_id", "claimant_kind", "claimant_entity_id", "quote_id", "text",
        "claim_type", "statement", "fact_check_url", "fact_checker", "fact_check_rating",
    ]  # fmt: skip
    for c in _read(root, "claims", columns):
        doc = documents[c["doc_id"]]
        outlet = _agent(entities.get(doc["outlet"])) if doc["outlet"] else None
        article: dict[str, Any] = _drop_none(
            {
                "@type": "NewsArticle",
                "identifier": doc["doc_id"],
                "headline": doc["title"],
                "url": doc["url"],
                "datePublished": doc["published"],
                "inLanguage": doc["language"],
                "publisher": outlet,
            }
        )
        quote = quotes.get((c["doc_id"], c["quote_id"])) if c["quote_id"] else None
        if quote is not None:
            article["hasPart"] = _drop_none(
                {
                    "@type": "Quotation",
                    "identifier": f"{c['doc_id']}/{quote['quote_id']}",
                    "text": quote["text"],
                    "author": _agent(entities.get(quote["speaker_entity_id"] or "")),
                }
            )
        if c["claimant_kind"] == "article":
            author = outlet
        else:
            author = _agent(entities.get(c["claimant_entity_id"]))
        first = None
        if quote is not None and quote["utterance_id"]:
            u = utterances[quote["utterance_id"]]
            first = _drop_none(
                {
                    "@type": "CreativeWork",
                    "identifier": u["utterance_id"],
                    "author": _agent(entities.get(u["speaker_entity_id"] or "")),
                    "datePublished": u["date"],
                    "publisher": _agent(entities.get(u["platform_entity_id"] or "")),
                    "description": u["description"],
                }
            )
        node_id = f"_:{c['doc_id']}.{c['claim_id']}"
        yield _drop_none(
            {
                "@id": node_id,
                "@type": "Claim",
                "identifier": f"{c['doc_id']}/{c['claim_id']}",
                "text": c["statement"],
                "genre": c["claim_type"],
                "author": author,
                "appearance": article,
                "firstAppearance": first,
            }
        )
        if c["fact_check_url"] is not None:
            yield {
                "@type": "ClaimReview",
                "url": c["fact_check_url"],
                "author": {"@type": "Organization", "name": c["fact_checker"]},
                "claimReviewed": c["statement"],
                "reviewRating": {"@type": "Rating", "alternateName": c["fact_check_rating"]},
                "itemReviewed": {"@id": node_id},
            }


def claims_document(folder: Path | str) -> dict[str, Any]:
    """The whole ``claims.jsonld`` document of an export folder."""
    return {"@context": SCHEMA_ORG, "@graph": list(claim_nodes(folder))}


def write_claims(folder: Path) -> None:
    """Write ``claims.jsonld`` into an export folder whose tables are written."""
    text = json.dumps(claims_document(folder), indent=1, ensure_ascii=False) + "\n"
    (folder / CLAIMS).write_text(text, encoding="utf-8")
