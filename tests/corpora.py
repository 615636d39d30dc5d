"""Corpora for the export tests: a richer copy of the minimal corpus, and equality of corpora."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from newsanno.model.corpus import Corpus

from .conftest import MINIMAL

# A second document with inline text: emoji, CJK and RTL before the spans (so code points,
# UTF-16 units and bytes all differ), a quote split by its cue, a region, a claim by the article,
# an empty-string note next to null ones, and a nested quote.
RICH_TEXT = (
    "Breaking 🌍🇺🇸 news 中文 עברית\n"
    "“We will win,” said Jane Doe, “and soon.” Acme Corp disagreed. "
    "Jane said Acme Corp had told her “no comment.”\n"
    "Photo: Agency\n"
)

RICH_DOC = {
    "schema_version": "1.0",
    "doc_id": "b2",
    "text": RICH_TEXT,
    "text_sha256": hashlib.sha256(RICH_TEXT.encode("utf-8")).hexdigest(),
    "metadata": {"language": "en", "outlet": "acme", "title": "", "published": "2025-06"},
    "regions": [{"id": "r1", "span": "Photo: Agency", "kind": "photo_credit"}],
    "mentions": [
        {"id": "m1", "span": "Jane Doe", "entity": "jane_doe", "kind": "name"},
        {
            "id": "m2",
            "span": {"text": "Acme Corp", "occurrence": 1},
            "entity": "acme",
            "kind": "name",
        },
        {"id": "m0", "span": "Jane said", "entity": "jane_doe", "kind": "name", "note": ""},
    ],
    "quotes": [
        {
            "id": "q1",
            "type": "direct",
            "content": ["We will win,", "and soon."],
            "cue": "said Jane",
            "speaker": "jane_doe",
            "speaker_mention": "m1",
            "utterance": "u_win",
            "channel": "press_remarks",
            "date": "2025",
        },
        {
            "id": "q2",
            "type": "indirect",
            "content": ["Acme Corp had told her “no comment.”"],
            "speaker": "jane_doe",
        },
        {
            "id": "q3",
            "type": "direct",
            "content": ["no comment."],
            "speaker": "acme",
            "addressee": "jane_doe",
            "nested_in": "q2",
        },
    ],
    "claims": [
        {
            "id": "c1",
            "span": "Acme Corp disagreed.",
            "claimant": "article",
            "type": "event_fact",
            "checkworthy": True,
            "statement": "Acme Corp disagreed with Jane Doe.",
        },
        {
            "id": "c2",
            "span": "We will win,",
            "claimant": "jane_doe",
            "quote": "q1",
            "type": "prediction",
            "checkworthy": False,
            "statement": "Jane Doe's side will win.",
        },
    ],
    "event_mentions": [
        {"id": "ev2", "trigger": "disagreed", "event": "e_win", "realis": "actual"},
        {
            "id": "ev1",
            "trigger": {"text": "said", "prefix": "” "},
            "event": "e_win",
            "realis": "actual",
            "arguments": [
                {"role": "Entity", "entity": "jane_doe", "mention": "m1"},
                {"role": "Audience", "entity": "acme"},
            ],
        },
    ],
}


def rich_corpus(folder: Path) -> Path:
    """The minimal corpus plus :data:`RICH_DOC`, copied into ``folder``; returns the corpus path."""
    root = folder / "corpus"
    shutil.copytree(MINIMAL, root)
    (root / "documents" / "b2.json").write_text(
        json.dumps(RICH_DOC, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return root


def assert_same_corpus(a: Corpus, b: Corpus, *, files: bool = False) -> None:
    """The world, every document model and every text are equal (and file/line if asked)."""
    assert a.world == b.world
    assert [d.model.doc_id for d in a.documents] == [d.model.doc_id for d in b.documents]
    for x, y in zip(a.documents, b.documents, strict=True):
        assert x.model == y.model, x.model.doc_id
        assert x.text == y.text
        if files:
            assert (x.file, x.line) == (y.file, y.line)
