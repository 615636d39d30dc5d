"""The rule added in one place (issue 15's demonstration): an event argument whose mention lies
outside the event's sentence is a warning (``lint-argument-outside-sentence``).

It lives in :mod:`newsanno.rules.lints`; the serial validator reports it and the bulk path's
columnar tier flags the documents it fires on, so the bulk report is the serial one."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from newsanno.bench.synth import make_document, make_world, write_world
from newsanno.engines.bulk import run_bulk
from newsanno.engines.local import plan
from newsanno.model.findings import Code, Severity
from newsanno.rules.lints import argument_outside_sentence

TEXT = (
    "Mr. Lee met Gov. Ortiz in Washington, D.C. on Monday. "
    "He said the U.S. plan works.\n"
    "Ortiz agreed."
)


def _at(word: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(word, start + 1)
    return start, start + len(word)


@pytest.mark.parametrize(
    ("trigger", "mention", "outside"),
    [
        (_at("met"), _at("Lee"), False),  # "Mr." is a title, not a sentence's end
        (_at("met"), _at("Ortiz"), False),  # nor "Gov."
        (_at("met"), _at("Monday"), False),  # nor "D.C." (initials) before "on"
        (_at("said"), _at("He"), False),
        (_at("said"), _at("plan"), False),  # "U.S." again
        (_at("met"), _at("He"), True),  # "Monday. He": a new sentence
        (_at("said"), _at("Lee"), True),  # the mention before the trigger, a sentence back
        (_at("agreed"), _at("Ortiz", 1), False),
        (_at("said"), _at("Ortiz", 1), True),  # a line break ends a sentence
        (_at("met"), _at("met"), False),  # the same span
    ],
)
def test_the_rule(trigger: tuple[int, int], mention: tuple[int, int], outside: bool) -> None:
    assert (argument_outside_sentence(TEXT, trigger, mention) is not None) is outside


def test_serial_and_bulk_paths_report_it_alike(tmp_path: Path) -> None:
    """Documents whose first argument's mention is moved to a mention in another sentence: the
    bulk path (columnar tier, then the full validator for what it flags) reports exactly what
    the serial path reports, and each moved argument gets the warning."""
    world = make_world()
    write_world(tmp_path, world)
    lines, moved = [], 0
    for i in range(40):
        doc = make_document(world, i, size=1500)
        for em in doc["event_mentions"]:
            for arg in em.get("arguments", []):
                if i % 2 and "mention" in arg:
                    text, start = doc["text"], em["trigger"]["start"]
                    far = [
                        m
                        for m in doc["mentions"]
                        if m["entity"] == arg["entity"]
                        and argument_outside_sentence(
                            text,
                            (start, em["trigger"]["end"]),
                            (m["span"]["start"], m["span"]["end"]),
                        )
                        is not None
                    ]
                    if far:
                        arg["mention"] = far[0]["id"]
                        moved += 1
        lines.append(orjson.dumps(doc))
    (tmp_path / "shard.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    assert moved >= 5  # the generator's texts give the rule something to find

    from newsanno.engines.local import Validator

    serial = Validator()
    serial.cross_document = False  # across shards, the bulk path does not run them (documented)
    list(serial.run(plan([tmp_path])))
    expected = [f.key() for f in serial.report.sorted().findings]
    hits = [f for f in serial.report.findings if f.code is Code.LINT_ARGUMENT_SENTENCE]
    assert len(hits) == moved and all(f.severity is Severity.WARNING for f in hits)
    bulk = run_bulk(plan([tmp_path]), group_docs=8)
    assert [f.key() for f in bulk.report.findings] == expected
    assert bulk.report.valid  # warnings only
    assert 0 < bulk.columnar < 40  # the tier flagged the documents with a hit, and only those
