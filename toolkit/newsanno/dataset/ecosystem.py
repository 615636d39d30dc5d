"""The export in the forms other tools read: Croissant metadata (``croissant.json``) and the claims
as schema.org JSON-LD (``claims.jsonld``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsanno.model.corpus import Corpus


def write_interop(
    folder: Path, manifest: dict[str, Any], corpus: Corpus, *, claims: bool = True
) -> None:
    """Write ``claims.jsonld`` (unless not ``claims``) and ``croissant.json`` into an export
    folder whose tables and ``datapackage.json`` are written (and before ``checksums.sha256``)."""
    from newsanno.dataset.claimreview import write_claims
    from newsanno.dataset.croissant import write_croissant

    if claims:
        write_claims(folder)
    write_croissant(folder, manifest, corpus)
