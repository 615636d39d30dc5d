"""A static HTML view of a corpus: documents with their layers highlighted, and world pages.

``render_site(corpus, out)`` writes a folder that opens from ``file://`` with no network:

* ``index.html``: the documents, their counts per layer and the cross-document links;
* ``documents/<doc_id>.html``: the text with every layer highlighted, a toggle per layer, and the
  fields of the annotations under the pointer;
* ``entities/<id>.html``, ``events/<id>.html``, ``utterances/<id>.html``: every mention, event
  mention or quote of a world item across documents, in context.

Highlights are cut server-side from exact Python slices (offsets count code points, as in the
model), so they land on the right characters whatever the browser's string unit. Overlapping spans
become properly nested ``<span>`` fragments: where two spans cross, the inner one is split, and
all fragments of one span share a ``data-key``. Every text and value is escaped.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from newsanno.model.corpus import Corpus
from newsanno.model.findings import NewsannoError
from newsanno.view.fidelity_html import fidelity_section as fidelity_section
from newsanno.view.highlight import Part as Part
from newsanno.view.highlight import highlight as highlight
from newsanno.view.markup import asset_text as asset_text
from newsanno.view.markup import bounds as bounds
from newsanno.view.markup import esc as esc
from newsanno.view.markup import esc_text as esc_text
from newsanno.view.markup import href as href
from newsanno.view.markup import json_for_html as json_for_html
from newsanno.view.markup import page as page
from newsanno.view.markup import safe_url as safe_url
from newsanno.view.site import CARD_TITLES as CARD_TITLES
from newsanno.view.site import CONTEXT as CONTEXT
from newsanno.view.site import LAYER_LABELS as LAYER_LABELS
from newsanno.view.site import Site as Site

MARKER = ".newsanno-site"
"""A file in every rendered folder, so that re-rendering may replace it and nothing else."""

ASSETS = ("style.css", "app.js")

# --------------------------------------------------------------------------------------------
# Writing


def render_site(corpus: Corpus, out: Path | str) -> list[Path]:
    """Write the site of a validated corpus into ``out``; return the files written.

    The site is written beside ``out`` and then moved into place. An existing ``out`` is replaced
    only if an earlier render wrote it (it holds the marker file); any other non-empty folder is
    refused, so a typo in ``--out`` never deletes work.
    """
    out = Path(out)
    if out.exists():
        if not out.is_dir():
            raise NewsannoError(f"{out} exists and is not a folder; choose another --out")
        if any(out.iterdir()) and not (out / MARKER).is_file():
            raise NewsannoError(
                f"{out} is not empty and was not written by `newsanno render`; "
                "choose another --out or empty the folder"
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.rendering-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    written: list[str] = []
    try:
        site = Site(corpus)
        for rel, text in site.pages():
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            written.append(rel)
        (tmp / "assets").mkdir(exist_ok=True)
        for name in ASSETS:
            (tmp / "assets" / name).write_text(asset_text(name), encoding="utf-8")
            written.append(f"assets/{name}")
        (tmp / MARKER).write_text(
            "written by `newsanno render`; safe to delete\n", encoding="utf-8"
        )
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out / rel for rel in written]
