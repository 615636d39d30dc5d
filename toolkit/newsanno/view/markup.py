"""The HTML building blocks of the view's pages: escaping, safe URLs and JSON, the packaged
assets, the offsets of a span, links to world pages and the page frame."""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import Any
from urllib.parse import quote as urlquote
from urllib.parse import urlsplit

from newsanno.model import Span, SpanRef
from newsanno.model.findings import NewsannoError


def esc(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape(str(value), quote=True)


def esc_text(text: str) -> str:
    """Escape article text so the DOM holds exactly these characters.

    The HTML parser turns CR LF and lone CR into LF; a character reference survives it.
    """
    return esc(text).replace("\r", "&#13;")


def json_for_html(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&``."""
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def safe_url(url: str | None) -> str | None:
    """An http(s) URL to link to, or None (never a ``javascript:`` link from the data)."""
    if not url:
        return None
    return url if urlsplit(url).scheme.lower() in ("http", "https") else None


def asset_text(name: str) -> str:
    """A packaged asset of the view (CSS or JS)."""
    return resources.files("newsanno").joinpath(f"data/render/{name}").read_text("utf-8")


def bounds(span: SpanRef) -> tuple[int, int]:
    """The exact offsets of a resolved span."""
    if not isinstance(span, Span) or span.start is None or span.end is None:
        raise NewsannoError("the corpus has unresolved spans; load it with load_corpus()")
    return span.start, span.end


def href(kind: str, ident: str, root: str = "../") -> str:
    """The link to a world page (``entities``, ``events``, ``utterances``, ``documents``)."""
    return f"{root}{kind}/{urlquote(ident, safe='')}.html"


def annotation_link(doc_id: str, ident: str) -> str:
    """A link from a world page to an annotation ``ident`` in its document, named by the doc_id."""
    return f'<a href="{href("documents", doc_id)}#a-{esc(ident)}">{esc(doc_id)}</a>'


def page(title: str, header: str, body: str, *, root: str, script: bool = False) -> str:
    """A complete page with the shared stylesheet (and script)."""
    tail = f'<script src="{root}assets/app.js"></script>\n' if script else ""
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="newsanno render">\n'
        f"<title>{esc(title)}</title>\n"
        f'<link rel="stylesheet" href="{root}assets/style.css">\n'
        f'</head>\n<body>\n<header class="top">{header}</header>\n'
        f"<main>\n{body}\n</main>\n{tail}</body>\n</html>\n"
    )
