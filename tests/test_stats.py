"""`newsanno stats`: counts per layer and document, and the cross-document links."""

from __future__ import annotations

import json

from click.testing import CliRunner

from newsanno.cli import main

from .conftest import ANNOTATIONS, MINIMAL


def test_stats_json_counts_the_minimal_corpus() -> None:
    result = CliRunner().invoke(main, ["stats", str(MINIMAL), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["world"] == {"entities": 2, "events": 1, "utterances": 1}
    [doc] = data["documents"]
    assert (doc["mentions"], doc["quotes"], doc["claims"], doc["event_mentions"]) == (3, 1, 1, 1)
    assert data["cross_document"] == {"entities": {}, "events": {}, "utterances": {}}


def test_stats_on_the_seed_corpus_links_both_articles() -> None:
    result = CliRunner().invoke(main, ["stats", str(ANNOTATIONS), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["documents"]) == 2
    both = ["000_2e9678c93963f465", "001_9a0d3f690929b67c"]
    # the Venice remarks and the June Instagram post are quoted by both outlets
    assert data["cross_document"]["utterances"]["u_kim_venice_remarks"] == both
    assert data["cross_document"]["utterances"]["u_kim_instagram_june"] == both
    assert data["cross_document"]["entities"]["kim_kardashian"] == both


def test_stats_text_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(main, ["stats", str(MINIMAL)])
    assert result.exit_code == 0
    assert "mentions" in result.output and "a1" in result.output
