"""Import from and export to brat, Label Studio, INCEpTION (UIMA CAS XMI) and doccano, and import
from WebAnno TSV: real files made by each tool (tests/fixtures/<tool>/SOURCE.md), offsets in both
units, bad input, round trips."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from newsanno import load_corpus
from newsanno.cli import main
from newsanno.interop import FORMATS, export_corpus, import_corpus
from newsanno.interop.files import MARKER
from newsanno.interop.offsets import Newlines, Utf16, utf16_length
from newsanno.model.findings import Severity

from .conftest import ANNOTATIONS, REPO

FIXTURES = REPO / "tests" / "fixtures"
BRAT = FIXTURES / "brat"
LS = FIXTURES / "label-studio" / "named_entity.json"
XMI = FIXTURES / "inception" / "cas_with_smileys.xmi"
DOCCANO = FIXTURES / "doccano"
NE_TYPE = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"


def codes(result: Any) -> list[str]:
    return [f.code.value for f in result.findings]


# --------------------------------------------------------------------------------------------
# offsets

# astral characters (emoji, CJK extension B), combining marks, CRLF, BMP letters
CHARS = st.sampled_from(
    ["a", "é", "e\u0301", "🤗", "👍🏽", "\U00020000", "\r\n", "\r", "\n", " ", "ß", "“"]
)
TEXTS = st.lists(CHARS, max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_utf16_offsets_round_trip(text: str) -> None:
    units = Utf16(text)
    assert units.length == utf16_length(text) == len(text.encode("utf-16-le")) // 2
    for i in range(len(text) + 1):
        u = units.to_units(i)
        assert u == len(text[:i].encode("utf-16-le")) // 2  # what Java and JavaScript count
        assert units.to_codepoint(u) == i


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_utf16_offset_inside_a_surrogate_pair_names_no_character(text: str) -> None:
    units = Utf16(text)
    valid = {units.to_units(i) for i in range(len(text) + 1)}
    for u in range(-1, units.length + 2):
        assert (units.to_codepoint(u) is not None) == (u in valid)


# --------------------------------------------------------------------------------------------
# the neutral comparison of two corpora: spans, links and labels by offsets


def summary(folder: Path) -> dict[str, Any]:
    corpus, report = load_corpus(folder, lint=False)
    assert corpus is not None, [f.message for f in report.errors][:5]
    types = {e.id: e.type for e in corpus.world.entities}
    ev_types = {e.id: e.type for e in corpus.world.events}
    out: dict[str, Any] = {}
    for loaded in corpus.documents:
        d = loaded.model
        off = {m.id: (m.span.start, m.span.end) for m in d.mentions}  # type: ignore[union-attr]
        groups: dict[str, set[Any]] = {}
        for m in d.mentions:
            groups.setdefault(m.entity, set()).add(off[m.id])
        out[loaded.text] = {
            "mentions": sorted((*off[m.id], types[m.entity], m.kind) for m in d.mentions),
            "chains": sorted(sorted(g) for g in groups.values()),
            "quotes": sorted(
                (
                    tuple((s.start, s.end) for s in q.content),  # type: ignore[union-attr]
                    q.type,
                    off.get(q.speaker_mention or ""),
                )
                for q in d.quotes
            ),
            "claims": sorted((c.span.start, c.span.end, c.type) for c in d.claims),  # type: ignore[union-attr]
            "regions": sorted((r.span.start, r.span.end, r.kind) for r in d.regions),  # type: ignore[union-attr]
            "events": sorted(
                (
                    e.trigger.start,  # type: ignore[union-attr]
                    e.trigger.end,  # type: ignore[union-attr]
                    ev_types[e.event],
                    e.realis,
                    tuple(sorted((a.role, off.get(a.mention or "")) for a in e.arguments)),
                )
                for e in d.event_mentions
            ),
        }
    return out


# --------------------------------------------------------------------------------------------
# brat


def ann_spans(path: Path) -> set[tuple[int, int, str]]:
    """The T lines of a brat .ann, read plainly (start, end, covered text)."""
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("T"):
            _, head, text = line.split("\t")
            _, start, end = head.split(" ")
            out.add((int(start), int(end), text))
    return out


def test_brat_tutorial_imports_and_validates(tmp_path: Path) -> None:
    result = import_corpus("brat", BRAT, tmp_path / "out")
    assert result.written and result.report is not None and result.report.valid
    assert (tmp_path / "out" / MARKER).is_file()
    # the validator's findings (lints here) name the files where they now are
    assert result.report.findings
    assert all(f.file.startswith(str(tmp_path / "out")) for f in result.report.findings)
    # unmapped labels are reported with a count and their first place, never dropped in silence
    unmapped = {
        f.message.split("'")[1]: f for f in result.findings if f.code.value == "import-unmapped"
    }
    assert set(unmapped) == {"Located", "Merge-org", "Report", "Individual", "Family"}
    assert unmapped["Merge-org"].line == 3 and "14 annotation(s)" in unmapped["Merge-org"].message
    corpus, _ = load_corpus(tmp_path / "out", lint=False)
    assert corpus is not None
    for loaded in corpus.documents:
        source = BRAT / f"{loaded.model.doc_id}.ann"
        triggers = {
            (s, e, t)
            for s, e, t in ann_spans(source)
            if t
            in ("merger", "merged", "reports", "reported", "told", "posted", "twitted", "merge")
        }
        got = {(m.span.start, m.span.end, m.span.text) for m in loaded.model.mentions}  # type: ignore[union-attr]
        # every entity span at the characters brat showed
        assert got == ann_spans(source) - triggers
    # brat's `*	Alias T3 T4 T5` is one entity; its AnnotatorNotes became notes
    doc060 = next(d.model for d in corpus.documents if d.model.doc_id == "060-relation_annotation")
    rowling = {m.entity for m in doc060.mentions if m.id in ("T3", "T4", "T5")}
    assert len(rowling) == 1
    doc110 = next(d.model for d in corpus.documents if d.model.doc_id == "110-note_annotation")
    assert (
        next(m for m in doc110.mentions if m.id == "T1").note
        == "Should fictional places be annotated?"
    )


def test_brat_events_roles_and_attributes_with_a_label_map(tmp_path: Path) -> None:
    label_map = tmp_path / "labels.yaml"
    label_map.write_text(
        "events:\n  Report: {type: Contact.Broadcast, roles: {Reporter-Arg: Entity}}\n"
        "attributes:\n  Confidence: {field: realis, values: {High: actual, Neutral: actual, Low: other}}\n",
        encoding="utf-8",
    )
    result = import_corpus(
        "brat", BRAT / "100-attribute_annotation.ann", tmp_path / "out", label_map=label_map
    )
    assert result.written, [f.message for f in result.errors]
    corpus, _ = load_corpus(tmp_path / "out", lint=False)
    assert corpus is not None
    ems = corpus.documents[0].model.event_mentions
    reports = {(e.trigger.start, e.realis): [(a.role, a.mention) for a in e.arguments] for e in ems}  # type: ignore[union-attr]
    # E1 Report:T17 Reporter-Arg:T1, A1 Confidence E1 Neutral; E4 Report:T20 Reporter-Arg:T6 (A6 Neutral)
    assert reports[(506, "actual")] == [("Entity", "T1")]
    assert reports[(601, "actual")] == [("Entity", "T6")]
    # E2 (the reported merge) is an event, not an entity: reported, not silently dropped
    assert any("points to an event" in f.message for f in result.findings)


def test_brat_round_trip(tmp_path: Path) -> None:
    assert import_corpus("brat", BRAT, tmp_path / "a").written
    assert export_corpus(tmp_path / "a", "brat", tmp_path / "brat").written
    assert (tmp_path / "brat" / "annotation.conf").is_file()
    assert import_corpus("brat", tmp_path / "brat", tmp_path / "b").written
    assert summary(tmp_path / "a") == summary(tmp_path / "b")


def write_ann(tmp_path: Path, text: str, ann: str) -> Path:
    folder = tmp_path / "src"
    folder.mkdir(exist_ok=True)
    (folder / "doc.txt").write_text(text, encoding="utf-8", newline="")
    (folder / "doc.ann").write_text(ann, encoding="utf-8", newline="")
    return folder


@pytest.mark.parametrize(
    ("ann", "code", "line"),
    [
        ("T1\tPER 0 3\tKim\nT2 PER 4 7 Kim\n", "import-malformed", 2),  # not standoff: no tabs
        ("T1\tPER 0 3\tKim\nT2\tPER 10 99\tx\n", "import-out-of-range", 2),  # past the end
        ("T1\tPER 0 3\tKim\nT2\tPER 0 3\tKam\n", "import-offset-mismatch", 2),
        ("T1\tPER 0 3\tKim\nE1\tDie T1\n", "import-malformed", 2),
        ("T1\tPER 0 3\tKim\nR1\tSpeaker Arg1:T1 Arg2:T9\n", "import-malformed", 2),
    ],
)
def test_brat_malformed_input_writes_nothing(
    tmp_path: Path, ann: str, code: str, line: int
) -> None:
    src = write_ann(tmp_path, "Kim said 🤗\r\n", ann)
    out = tmp_path / "out"
    result = import_corpus("brat", src, out)
    assert not result.written and not out.exists()
    bad = next(f for f in result.findings if f.severity is Severity.ERROR)
    assert (bad.code.value, bad.line, Path(bad.file).name) == (code, line, "doc.ann")
    cli = CliRunner().invoke(main, ["import", "brat", str(src), "--out", str(out)])
    assert cli.exit_code == 1 and code in cli.output and "Traceback" not in cli.output


def test_brat_code_points_after_emoji_and_crlf(tmp_path: Path) -> None:
    text = "🤗 Kim\r\nsaid: “Be kind”,\r\n\r\nKime\u0301.\n"
    seen = text.replace("\r\n", "\n")  # brat reads with universal newlines (brat issue #853)
    kim, be, end = seen.index("Kim"), seen.index("Be"), seen.index("”")
    ann = f"T1\tPER {kim} {kim + 3}\tKim\nT2\tQuote {be} {end}\tBe kind\nR1\tSpeaker Arg1:T2 Arg2:T1\t\n"
    src = write_ann(tmp_path, text, ann)
    result = import_corpus("brat", src, tmp_path / "out")
    assert result.written, [f.message for f in result.errors]
    doc = load_corpus(tmp_path / "out", lint=False)[0].documents[0]  # type: ignore[union-attr]
    assert doc.text == text  # kept byte for byte, CRLF and all
    q = doc.model.quotes[0]
    start = q.content[0].start  # type: ignore[union-attr]
    assert start == text.index("Be") == be + 1 and doc.text[start : start + 7] == "Be kind"
    assert q.speaker_mention == "T1" and q.speaker == doc.model.mentions[0].entity
    # and back: brat's offsets again, the text again byte for byte
    assert export_corpus(tmp_path / "out", "brat", tmp_path / "brat").written
    assert (tmp_path / "brat" / "doc.txt").read_bytes() == text.encode("utf-8")
    assert ann_spans(tmp_path / "brat" / "doc.ann") == {(kim, kim + 3, "Kim"), (be, end, "Be kind")}


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_brat_newline_offsets_round_trip(text: str) -> None:
    lines = Newlines(text)
    seen = lines.normalized
    assert seen == text.replace("\r\n", "\n").replace("\r", "\n")
    for n in range(len(seen) + 1):
        r = lines.to_raw(n)
        assert lines.to_normalized(r) == n
        assert text[:r].replace("\r\n", "\n").replace("\r", "\n") == seen[:n]
    for r in range(len(text) + 1):
        between = 0 < r < len(text) and text[r - 1 : r + 1] == "\r\n"
        assert (lines.to_normalized(r) is None) == between


def test_strict_makes_an_unmapped_label_an_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = import_corpus("brat", BRAT / "060-relation_annotation.ann", out, strict=True)
    assert not result.written and not out.exists()
    assert [f.severity for f in result.findings if f.code.value == "import-unmapped"] == [
        Severity.ERROR
    ]


def test_import_refuses_a_folder_it_did_not_write_and_replaces_its_own(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    cli = CliRunner().invoke(main, ["import", "brat", str(BRAT), "--out", str(out)])
    assert cli.exit_code == 2 and "not empty" in cli.output
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    (out / "notes.txt").unlink()
    for _ in range(2):  # a rerun replaces the earlier import
        cli = CliRunner().invoke(main, ["import", "brat", str(BRAT), "--out", str(out)])
        assert cli.exit_code == 0, cli.output
    assert (
        sorted(p.name for p in (out / "documents").iterdir())[0] == "060-relation_annotation.yaml"
    )


# --------------------------------------------------------------------------------------------
# Label Studio


def test_label_studio_example_region_lands_on_its_characters(tmp_path: Path) -> None:
    result = import_corpus("label-studio", LS, tmp_path / "plain")
    unmapped = [f for f in result.findings if f.code.value == "import-unmapped"]
    assert (
        len(unmapped) == 1
        and "'Date'" in unmapped[0].message
        and "beFiQTT1cU" in unmapped[0].message
    )
    label_map = tmp_path / "labels.yaml"
    label_map.write_text("spans:\n  Date: {layer: region, kind: other}\n", encoding="utf-8")
    result = import_corpus("label-studio", LS, tmp_path / "out", label_map=label_map)
    assert result.written
    doc = load_corpus(tmp_path / "out", lint=False)[0].documents[0]  # type: ignore[union-attr]
    span = doc.model.regions[0].span
    assert (span.start, span.end, span.text) == (343, 354, "February 22")  # type: ignore[union-attr]


def ls_task(text: str, regions: list[tuple[str, str, str]], **extra: Any) -> dict[str, Any]:
    """A task as Label Studio's browser editor writes it: offsets in UTF-16 code units."""
    result = []
    for rid, needle, label in regions:
        i = text.index(needle)
        u = len(text[:i].encode("utf-16-le")) // 2
        n = len(needle.encode("utf-16-le")) // 2
        value = {"start": u, "end": u + n, "text": needle, "labels": [label]}
        result.append(
            {"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "value": value}
        )
    result += extra.get("more", [])
    return {
        "id": 7,
        "data": {"text": text},
        "annotations": [{"id": 1, "completed_by": 1, "result": result}],
    }


EMOJI_TEXT = "👍🏽 Kim 🤗 said: “Be kind”, in Venice\r\nKim e\u0301 left.\n"


def test_label_studio_utf16_offsets_become_code_points(tmp_path: Path) -> None:
    task = ls_task(
        EMOJI_TEXT,
        [("a1", "Kim", "PER"), ("a2", "Be kind", "Quote"), ("a3", "Venice", "GPE")],
        more=[
            {
                "from_id": "a2",
                "to_id": "a1",
                "type": "relation",
                "direction": "right",
                "labels": ["Speaker"],
            }
        ],
    )
    src = tmp_path / "export.json"
    src.write_text(json.dumps([task]), encoding="utf-8")
    result = import_corpus("label-studio", src, tmp_path / "out")
    assert result.written, [f.message for f in result.errors]
    doc = load_corpus(tmp_path / "out", lint=False)[0].documents[0]  # type: ignore[union-attr]
    got = {m.span.text: (m.span.start, m.span.end) for m in doc.model.mentions}  # type: ignore[union-attr]
    assert got == {
        "Kim": (EMOJI_TEXT.index("Kim"), EMOJI_TEXT.index("Kim") + 3),
        "Venice": (EMOJI_TEXT.index("Venice"), EMOJI_TEXT.index("Venice") + 6),
    }
    assert doc.model.quotes[0].speaker_mention == "a1"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            lambda t: t["annotations"][0]["result"][0]["value"].update(text="Kym"),
            "import-offset-mismatch",
        ),
        (
            lambda t: t["annotations"][0]["result"][0]["value"].update(start=1),
            "import-out-of-range",
        ),  # splits 👍
        (
            lambda t: t["annotations"][0]["result"][0]["value"].update(end=999),
            "import-out-of-range",
        ),
        (lambda t: t.pop("data"), "import-malformed"),
    ],
)
def test_label_studio_bad_tasks_write_nothing(tmp_path: Path, change: Any, code: str) -> None:
    task = ls_task(EMOJI_TEXT, [("a1", "Kim", "PER")])
    change(task)
    src = tmp_path / "export.json"
    src.write_text(json.dumps([task]), encoding="utf-8")
    out = tmp_path / "out"
    result = import_corpus("label-studio", src, out)
    assert not result.written and not out.exists()
    bad = next(f for f in result.findings if f.severity is Severity.ERROR)
    assert bad.code.value == code and "task 7" in bad.message


def test_label_studio_annotator_choice(tmp_path: Path) -> None:
    task = ls_task(EMOJI_TEXT, [("a1", "Kim", "PER")])
    other = {"id": 2, "completed_by": {"id": 5, "email": "b@example.org"}, "result": []}
    task["annotations"].append(other)
    src = tmp_path / "export.json"
    src.write_text(json.dumps([task]), encoding="utf-8")
    assert import_corpus("label-studio", src, tmp_path / "a").counts["mentions"] == 1
    assert (
        import_corpus("label-studio", src, tmp_path / "b", annotator="b@example.org").counts[
            "mentions"
        ]
        == 0
    )


# --------------------------------------------------------------------------------------------
# INCEpTION / UIMA CAS XMI


def test_inception_xmi_with_emoji_and_crlf(tmp_path: Path) -> None:
    label_map = tmp_path / "labels.yaml"
    # a test mapping: INCEpTION's OTH ("other") has no newsanno type; PLATFORM fits "Transformers"
    label_map.write_text("spans:\n  OTH: {layer: mention, type: PLATFORM}\n", encoding="utf-8")
    result = import_corpus("inception", XMI, tmp_path / "out", label_map=label_map)
    assert result.written, [f.message for f in result.errors]
    doc = load_corpus(tmp_path / "out", lint=False)[0].documents[0]  # type: ignore[union-attr]
    assert doc.text.startswith("🤗 Transformers") and "\r\n🤗" in doc.text
    texts = [m.span.text for m in doc.model.mentions]  # type: ignore[union-attr]
    # UIMA counts 🤗 as two units (begin=3 in the XMI); in code points the mention starts at 2
    assert texts[:3] == ["Transformers"] * 3 and doc.model.mentions[0].span.start == 2  # type: ignore[union-attr]


def test_inception_without_type_system_or_with_an_unsafe_zip(tmp_path: Path) -> None:
    lone = tmp_path / "lone"
    lone.mkdir()
    (lone / "doc.xmi").write_bytes(XMI.read_bytes())
    result = import_corpus("inception", lone / "doc.xmi", tmp_path / "out")
    assert codes(result) == ["import-malformed"] and "TypeSystem.xml" in result.findings[0].message
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("../evil.xmi", XMI.read_bytes())
    result = import_corpus("inception", bad, tmp_path / "out")
    assert codes(result) == ["import-unsafe-path"] and not (tmp_path / "out").exists()


def user_zip(*entries: tuple[str, bytes]) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return buf.getvalue()


def test_inception_project_zip(tmp_path: Path) -> None:
    """The layout of an INCEpTION project export: annotation/<document>/<user>.zip (the XMI
    writer's two files, zipped), the INITIAL_CAS pseudo-user, curation, binary .ser CASes."""
    ts = (FIXTURES / "inception" / "TypeSystem.xml").read_bytes()
    one = user_zip(("doc1.xmi", XMI.read_bytes()), ("TypeSystem.xml", ts))
    project = tmp_path / "project.zip"
    with zipfile.ZipFile(project, "w") as zf:
        zf.writestr("exportedproject.json", "{}")
        zf.writestr("annotation_ser/doc1.txt/admin.ser", b"\x00binary CAS")
        zf.writestr("annotation/doc1.txt/INITIAL_CAS.zip", one)
        zf.writestr("annotation/doc1.txt/admin.zip", one)
        zf.writestr("annotation/doc1.txt/anna.zip", one)
        zf.writestr("curation/doc1.txt/CURATION_USER.zip", one)
    result = import_corpus("inception", project, tmp_path / "all")
    assert result.written and result.counts["documents"] == 3
    docs = sorted(p.name for p in (tmp_path / "all" / "documents").iterdir())
    assert docs == ["doc1.txt__CURATION_USER.yaml", "doc1.txt__admin.yaml", "doc1.txt__anna.yaml"]
    result = import_corpus("inception", project, tmp_path / "anna", annotator="anna")
    assert result.counts["documents"] == 1
    # a nested zip whose path climbs out: nothing is read
    with zipfile.ZipFile(project, "a") as zf:
        zf.writestr("annotation/doc2.txt/eve.zip", user_zip(("../../evil.xmi", b"x")))
    result = import_corpus("inception", project, tmp_path / "bad")
    assert "import-unsafe-path" in codes(result) and not (tmp_path / "bad").exists()


# --------------------------------------------------------------------------------------------
# the seed corpus out to each format and back


@pytest.mark.parametrize("fmt", sorted(f for f, spec in FORMATS.items() if spec.write))
def test_seed_corpus_round_trip(tmp_path: Path, fmt: str) -> None:
    exported = export_corpus(ANNOTATIONS, fmt, tmp_path / "out")
    assert exported.written
    assert all(f.code.value == "export-not-carried" for f in exported.findings)
    files = {"label-studio": "tasks.json", "doccano": "dataset.jsonl"}
    back = import_corpus(fmt, tmp_path / "out" / files.get(fmt, ""), tmp_path / "back")
    assert back.written, [f.message for f in back.errors][:5]
    before, after = summary(ANNOTATIONS), summary(tmp_path / "back")
    assert before.keys() == after.keys()
    for text, want in before.items():
        got = after[text]
        if fmt in ("inception", "doccano"):  # mention kinds are lost (doccano: realis too)
            assert [m[:3] for m in got["mentions"]] == [m[:3] for m in want["mentions"]]
            for chain in want["chains"]:  # each entity's mentions stay together
                assert any(set(chain) <= set(c) for c in got["chains"])
            if fmt == "doccano":
                assert [e[:3] + e[4:] for e in got["events"]] == [
                    e[:3] + e[4:] for e in want["events"]
                ]
            else:
                assert got["events"] == want["events"]
        else:
            for layer in ("mentions", "chains", "events"):
                assert got[layer] == want[layer], layer
        for layer in ("quotes", "regions"):
            assert got[layer] == want[layer], layer
        assert [c[:2] for c in got["claims"]] == [c[:2] for c in want["claims"]]


def test_export_to_a_tool_refuses_an_invalid_corpus(tmp_path: Path) -> None:
    cli = CliRunner().invoke(
        main,
        [
            "export",
            str(REPO / "tests" / "cases" / "invalid"),
            "--to",
            "brat",
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert cli.exit_code in (1, 2) and not (tmp_path / "o").exists()


def test_default_label_map_matches_its_schema() -> None:
    schema = json.loads((REPO / "schema" / "label-map.schema.json").read_text(encoding="utf-8"))
    data = YAML(typ="safe", pure=True).load(
        (REPO / "toolkit" / "newsanno" / "data" / "interop-labels.yaml").read_text(encoding="utf-8")
    )
    jsonschema.validate(data, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"spans": {"X": {"layer": "person"}}}, schema)


def test_a_bad_label_map_is_a_usage_error(tmp_path: Path) -> None:
    label_map = tmp_path / "labels.yaml"
    label_map.write_text("spans:\n  Person: {layer: person}\n", encoding="utf-8")
    cli = CliRunner().invoke(
        main, ["import", "brat", str(BRAT), "--out", str(tmp_path / "o"), "--map", str(label_map)]
    )
    assert (
        cli.exit_code == 2
        and "spans.Person" in cli.output
        and "label-map.schema.json" in cli.output
    )
    assert not (tmp_path / "o").exists()


def test_cli_export_to_brat_and_back(tmp_path: Path) -> None:
    cli = CliRunner().invoke(
        main, ["export", str(ANNOTATIONS), "--to", "brat", "--out", str(tmp_path / "b")]
    )
    assert cli.exit_code == 0, cli.output
    assert (
        "exported 2 document(s) for brat" in cli.output
        and "not carried: quote cues (21)" in cli.output
    )
    conf = (tmp_path / "b" / "annotation.conf").read_text(encoding="utf-8")
    assert "\nContact_Criticize\t" in conf and "\nQuote_direct\n" in conf  # brat's storage form
    cli = CliRunner().invoke(
        main, ["import", "brat", str(tmp_path / "b"), "--out", str(tmp_path / "c")]
    )
    assert cli.exit_code == 0, cli.output
    assert "140 mention(s)" in cli.output and "22 quote(s)" in cli.output


def test_empty_or_broken_sources_write_nothing(tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_text("[]", encoding="utf-8")
    (tmp_path / "broken.json").write_text('{"a":', encoding="utf-8")
    for name in ("empty.json", "broken.json"):
        result = import_corpus("label-studio", tmp_path / name, tmp_path / "out")
        assert codes(result) == ["import-malformed"] and not (tmp_path / "out").exists()
    src = write_ann(tmp_path, "Kim", "T1\tPER 0 3\tKim\n")
    (src / "doc.txt").write_bytes(b"\xffKim")
    result = import_corpus("brat", src, tmp_path / "out")
    assert codes(result) == ["import-malformed"] and result.findings[0].file.endswith("doc.txt")


@pytest.mark.parametrize(
    ("fmt", "source", "label_map", "file_back"),
    [
        ("label-studio", LS, "spans:\n  Date: {layer: region, kind: other}\n", "tasks.json"),
        ("inception", XMI, "spans:\n  OTH: {layer: mention, type: PLATFORM}\n", ""),
    ],
)
def test_tool_fixture_round_trip(
    tmp_path: Path, fmt: str, source: Path, label_map: str, file_back: str
) -> None:
    """import -> export -> import gives the same spans, links and labels."""
    (tmp_path / "labels.yaml").write_text(label_map, encoding="utf-8")
    assert import_corpus(fmt, source, tmp_path / "a", label_map=tmp_path / "labels.yaml").written
    assert export_corpus(tmp_path / "a", fmt, tmp_path / "tool").written
    assert import_corpus(fmt, tmp_path / "tool" / file_back, tmp_path / "b").written
    first, second = summary(tmp_path / "a"), summary(tmp_path / "b")
    assert first == second and any(d["mentions"] or d["regions"] for d in first.values())


# --------------------------------------------------------------------------------------------
# doccano


def test_doccano_examples(tmp_path: Path) -> None:
    result = import_corpus("doccano", DOCCANO / "sequence_labeling.jsonl", tmp_path / "seq")
    assert result.written and result.counts["documents"] == 3
    unmapped = [f for f in result.findings if f.code.value == "import-unmapped"]
    assert len(unmapped) == 1 and "'MISC'" in unmapped[0].message and unmapped[0].line == 1
    corpus = load_corpus(tmp_path / "seq", lint=False)[0]
    assert corpus is not None
    texts = sorted(m.span.text for d in corpus.documents for m in d.model.mentions)  # type: ignore[union-attr]
    assert texts == ["EU", "Obama", "Peter Blackburn"]
    # the relation example is one pretty-printed object; its relations name no newsanno link
    result = import_corpus("doccano", DOCCANO / "relation_extraction.json", tmp_path / "rel")
    assert result.written and result.counts["mentions"] == 3  # ORG, PERSON, PERSON; DATE unmapped
    unmapped = sorted(f.message.split("'")[1] for f in result.findings)
    assert unmapped == ["DATE", "foundedAt", "foundedBy"]


def test_doccano_utf16_offsets_and_the_unverified_warning(tmp_path: Path) -> None:
    text = "🤗 Kim Kardashian said 👍🏽 in Venice.\r\n"
    u = lambda i: len(text[:i].encode("utf-16-le")) // 2  # noqa: E731
    kim, venice = text.index("Kim"), text.index("Venice")
    line = {
        "id": 4,
        "text": text,
        "label": [[u(kim), u(kim + 14), "PER"], [u(venice), u(venice + 6), "GPE"]],
    }
    src = tmp_path / "export.jsonl"
    src.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    result = import_corpus("doccano", src, tmp_path / "out")
    assert result.written and "import-unverified" in codes(result)
    doc = load_corpus(tmp_path / "out", lint=False)[0].documents[0]  # type: ignore[union-attr]
    assert sorted(m.span.text for m in doc.model.mentions) == ["Kim Kardashian", "Venice"]  # type: ignore[union-attr]
    line["label"] = [[1, 3, "PER"]]  # 1 splits 🤗
    src.write_text(json.dumps(line) + "\nnot json\n", encoding="utf-8")
    result = import_corpus("doccano", src, tmp_path / "bad")
    assert (
        codes(result) == ["import-out-of-range", "import-malformed"]
        and not (tmp_path / "bad").exists()
    )
    assert [f.line for f in result.findings] == [1, 2]


def test_docs_label_map_example_loads(tmp_path: Path) -> None:
    from newsanno.interop.mapping import load_mapping

    readme = (REPO / "docs" / "interop.md").read_text(encoding="utf-8")
    start = readme.index("```yaml\nspans:") + len("```yaml\n")
    (tmp_path / "labels.yaml").write_text(
        readme[start : readme.index("```", start)], encoding="utf-8"
    )
    m = load_mapping(tmp_path / "labels.yaml")
    assert m.relations["said_by"] == "speaker" and "Coref" not in m.relations
    assert m.events["Report"].type == "Contact.Broadcast" and m.spans["Person"].type == "PER"


def test_inception_project_layers(tmp_path: Path) -> None:
    """A project's own layers (webanno.custom.*) come in by their names and text features."""
    import cassis

    ts = cassis.load_dkpro_core_typesystem()
    said = ts.create_type("webanno.custom.Said", supertypeName="uima.tcas.Annotation")
    ts.create_feature(said, "kind", "uima.cas.String")
    mood = ts.create_type("webanno.custom.Sentiment", supertypeName="uima.tcas.Annotation")
    ts.create_feature(mood, "polarity", "uima.cas.String")
    by = ts.create_type("webanno.custom.SaidBy", supertypeName="uima.tcas.Annotation")
    ts.create_feature(by, "Governor", "uima.tcas.Annotation")
    ts.create_feature(by, "Dependent", "uima.tcas.Annotation")
    text = "👍🏽 Kim said: “Be kind.”"
    cas = cassis.Cas(typesystem=ts)
    cas.sofa_string = text
    ne = ts.get_type(NE_TYPE)(begin=text.index("Kim"), end=text.index("Kim") + 3, value="PER")
    quote = ts.get_type("webanno.custom.Said")(
        begin=text.index("Be"), end=text.index(".”"), kind="direct"
    )
    cas.add_all([ne, quote, ts.get_type("webanno.custom.Sentiment")(begin=0, end=2, polarity="+")])
    cas.add(
        ts.get_type("webanno.custom.SaidBy")(
            begin=ne.begin, end=ne.end, Governor=quote, Dependent=ne
        )
    )
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "doc.xmi").write_text(cas.to_xmi(), encoding="utf-8")
    (folder / "TypeSystem.xml").write_text(ts.to_xml(), encoding="utf-8")
    label_map = tmp_path / "labels.yaml"
    label_map.write_text(
        "spans:\n  Said: {layer: quote}\nrelations:\n  SaidBy: speaker\n"
        "attributes:\n  kind: {field: quote_type}\n",
        encoding="utf-8",
    )
    result = import_corpus("inception", folder, tmp_path / "out", label_map=label_map)
    assert result.written, [f.message for f in result.errors]
    unmapped = [f.message for f in result.findings if f.code.value == "import-unmapped"]
    assert len(unmapped) == 1 and "'Sentiment'" in unmapped[0]
    doc = load_corpus(tmp_path / "out", lint=False)[0].documents[0]  # type: ignore[union-attr]
    q = doc.model.quotes[0]
    assert (q.content[0].text, q.type) == ("Be kind", "direct")  # type: ignore[union-attr]
    assert q.speaker_mention == doc.model.mentions[0].id


# --------------------------------------------------------------------------------------------
# WebAnno TSV 3.x (import only)

TSV = FIXTURES / "webanno-tsv"
TSV_NE = "#T_SP=de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity|identifier|value"
TSV_CH = (
    "#T_CH=de.tudarmstadt.ukp.dkpro.core.api.coref.type.CoreferenceLink"
    "|referenceRelation|referenceType"
)


def tsv_file(
    layers: list[str], sentences: list[tuple[int, list[str], list[tuple[str, list[str]]]]]
) -> str:
    """A TSV 3.3 file as INCEpTION writes one: each sentence is (its offset in UTF-16 units, its
    #Text lines, its tokens with their annotation columns); token offsets are found in order."""
    out = ["#FORMAT=WebAnno TSV 3.3", *layers, "", ""]
    for n, (start, lines, tokens) in enumerate(sentences, 1):
        text = "\n".join(lines)
        out += [f"#Text={line}" for line in lines]
        at = 0
        for t, (token, cols) in enumerate(tokens, 1):
            at = text.index(token, at)
            begin = start + utf16_length(text[:at])
            end = begin + utf16_length(token)
            out.append("\t".join([f"{n}-{t}", f"{begin}-{end}", token, *cols, ""]))
            at += len(token)
        out.append("")
    return "\n".join(out)


def test_webanno_tsv_fixtures_import_and_validate(tmp_path: Path) -> None:
    """INCEpTION's own reference files: exit 0, the emoji counted as two UTF-16 units, the
    multi-token span over two sentences one span, the custom layer mapped by --map."""
    runner = CliRunner()
    for path in sorted(TSV.glob("*.tsv")):
        run = runner.invoke(
            main, ["import", "webanno-tsv", str(path), "--out", str(tmp_path / path.stem)]
        )
        assert run.exit_code == 0, run.output
    run = runner.invoke(main, ["import", "webanno-tsv", str(TSV), "--out", str(tmp_path / "all")])
    assert run.exit_code == 0 and "imported 3 document(s)" in run.output, run.output
    (tmp_path / "labels.yaml").write_text(
        "spans:\n  Span: {layer: mention, type: PER}\nrelations:\n  SimpleRelation: coreference\n",
        encoding="utf-8",
    )
    mentions = {}
    for path in sorted(TSV.glob("*.tsv")):
        result = import_corpus(
            "webanno-tsv", path, tmp_path / f"m-{path.stem}", label_map=tmp_path / "labels.yaml"
        )
        assert result.written and not result.errors
        corpus = load_corpus(tmp_path / f"m-{path.stem}", lint=False)[0]
        assert corpus is not None
        doc = corpus.documents[0]
        mentions[path.stem] = [
            (m.span.text, m.span.start, m.span.end, m.entity)
            for m in doc.model.mentions  # type: ignore[union-attr]
        ]
    assert mentions["sentence_with_emoji"] == [("😊", 10, 11, "e.sentence_with_emoji.t1")]
    text = "He loves her .\nShe loves him not ."
    assert [m[:3] for m in mentions["cross_sentence_span"]] == [(text, 0, len(text))]
    # the relation, mapped to coreference, puts both spans in one entity
    assert [m[0] for m in mentions["relation"]] == ["This", "."]
    assert len({m[3] for m in mentions["relation"]}) == 1


def test_webanno_tsv_named_entities_chains_and_astral_text(tmp_path: Path) -> None:
    """NamedEntity value and Wikidata identifier, a multi-token entity, a coreference chain over
    two sentences, a sentence with a line break, and a gap between sentences, after emoji."""
    q = "http://www.wikidata.org/entity/Q567"
    s1 = "🤗 Angela Merkel spoke in 👍🏽 Berlin ."
    source = tsv_file(
        [TSV_NE, TSV_CH],
        [
            (
                0,
                [s1],
                [
                    ("🤗", ["_", "_", "_", "_"]),
                    ("Angela", [f"{q}[1]", "PER[1]", "coref->1-1", "*[1]"]),
                    ("Merkel", [f"{q}[1]", "PER[1]", "coref->1-1", "*[1]"]),
                    ("spoke", ["_", "_", "_", "_"]),
                    ("in", ["_", "_", "_", "_"]),
                    ("Berlin", ["*", "LOC", "_", "_"]),
                    (".", ["_", "_", "_", "_"]),
                ],
            ),
            (
                utf16_length(s1) + 3,  # a line feed and two spaces between the sentences
                ["She said", "so ."],
                [
                    ("She", ["_", "_", "*->1-2", "pr[1]"]),
                    ("said", ["_", "_", "_", "_"]),
                    ("so", ["_", "_", "_", "_"]),
                    (".", ["_", "_", "_", "_"]),
                ],
            ),
        ],
    )
    (tmp_path / "doc.tsv").write_text(source, encoding="utf-8")
    (tmp_path / "labels.yaml").write_text("spans:\n  pr: {layer: mention, type: PER}\n")
    result = import_corpus(
        "webanno-tsv", tmp_path / "doc.tsv", tmp_path / "out", label_map=tmp_path / "labels.yaml"
    )
    assert result.written, result.findings
    corpus = load_corpus(tmp_path / "out", lint=False)[0]
    assert corpus is not None
    doc = corpus.documents[0]
    assert doc.text == s1 + "\n  She said\nso ."
    got = sorted(
        (m.span.text, m.span.start, m.span.end, m.entity)
        for m in doc.model.mentions  # type: ignore[union-attr]
    )
    merkel = [m for m in got if m[0] in ("Angela Merkel", "She")]
    assert [m[:3] for m in merkel] == [("Angela Merkel", 2, 15), ("She", len(s1) + 3, len(s1) + 6)]
    assert {m[0] for m in got} == {"Angela Merkel", "Berlin", "She"}
    assert len({m[3] for m in merkel}) == 1  # the chain: one entity
    assert doc.text[got[1][1] : got[1][2]] == "Berlin"
    world = YAML(typ="safe").load((tmp_path / "out" / "corpus.yaml").read_text(encoding="utf-8"))
    assert any(e.get("wikidata") == "Q567" for e in world["entities"])


@pytest.mark.parametrize(
    ("change", "code", "line"),
    [
        (
            lambda s: s.replace("#FORMAT=WebAnno TSV 3.3", "#FORMAT=WebAnno TSV 2"),
            "import-malformed",
            1,
        ),
        (
            lambda s: s.replace("1-2\t3-9\tAngela\tPER[1]\t", "1-2\t3-9\tAngela\t"),
            "import-malformed",
            7,
        ),
        (lambda s: s.replace("\tAngela\t", "\tAngelo\t"), "import-offset-mismatch", 7),
        (lambda s: s.replace("1-1\t0-2\t", "1-1\t0-1\t"), "import-out-of-range", 6),
        (lambda s: s.replace("1-2\t3-9", "1-2\tthree-9"), "import-malformed", 7),
        (lambda s: s.replace("#T_SP=", "#T_XX="), "import-malformed", 2),
        (lambda s: s[: s.index("#Text=")], "import-malformed", 5),  # a header, no sentences
    ],
)
def test_webanno_tsv_malformed_input_writes_nothing(
    tmp_path: Path, change: Any, code: str, line: int
) -> None:
    good = tsv_file(
        ["#T_SP=de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity|value"],
        [
            (
                0,
                ["🤗 Angela Merkel ."],
                [("🤗", ["_"]), ("Angela", ["PER[1]"]), ("Merkel", ["PER[1]"]), (".", ["_"])],
            )
        ],
    )
    (tmp_path / "ok.tsv").write_text(good, encoding="utf-8")
    assert import_corpus("webanno-tsv", tmp_path / "ok.tsv", tmp_path / "ok").written
    bad = change(good)
    assert bad != good
    (tmp_path / "bad.tsv").write_text(bad, encoding="utf-8")
    run = CliRunner().invoke(
        main, ["import", "webanno-tsv", str(tmp_path / "bad.tsv"), "--out", str(tmp_path / "out")]
    )
    assert run.exit_code == 1 and not (tmp_path / "out").exists()
    result = import_corpus("webanno-tsv", tmp_path / "bad.tsv", tmp_path / "out")
    assert [(f.code.value, f.line) for f in result.errors] == [(code, line)]
    assert result.errors[0].file == str(tmp_path / "bad.tsv")


def test_webanno_tsv_many_bad_lines_are_counted(tmp_path: Path) -> None:
    lines = "".join(f"1-{n}\t0-1\tx\n" for n in range(1, 101))
    (tmp_path / "bad.tsv").write_text(
        "#FORMAT=WebAnno TSV 3.3\n#T_SP=webanno.custom.Span|value\n\n\n#Text=x\n" + lines
    )
    result = import_corpus("webanno-tsv", tmp_path / "bad.tsv", tmp_path / "out")
    assert [f.line for f in result.errors] == [0, *range(6, 26)]  # sorted: the file first
    # 100 bad token lines, and then the #Text= line is left without tokens: 101 - 20 = 81
    assert result.errors[0].message.startswith("81 more malformed line(s)")


WORDS = st.lists(
    st.lists(
        st.sampled_from(["a", "é", "🤗", "👍🏽", "\U00020000", "ß", "“", "x"]),
        min_size=1,
        max_size=4,
    ).map("".join),
    min_size=1,
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(WORDS, st.data())
def test_webanno_tsv_utf16_offsets_land_on_their_tokens(words: list[str], data: Any) -> None:
    """Any tokens (astral characters among them): the span over tokens i..j covers them."""
    from newsanno.interop.ir import Findings
    from newsanno.interop.webanno_tsv import read_tsv

    i = data.draw(st.integers(0, len(words) - 1))
    j = data.draw(st.integers(i, len(words) - 1))
    tokens = [(w, ["PER[1]" if i <= k <= j else "_"]) for k, w in enumerate(words)]
    source = tsv_file(
        ["#T_SP=de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity|value"],
        [(0, [" ".join(words)], tokens)],
    )
    findings = Findings()
    doc = read_tsv(source, "x.tsv", "x", findings)
    assert doc is not None and not findings.items
    [span] = doc.spans
    (s, e) = span.segments[0]
    assert doc.text[s:e] == " ".join(words[i : j + 1]) and span.label == "PER"


def test_webanno_tsv_escapes_stacking_and_sub_tokens() -> None:
    """Text and value escapes undone, `|` stacks, `[n]` joins tokens, sub-tokens have their own
    offsets, and a zero-width sub-token's annotation is reported, not imported."""
    from newsanno.interop.ir import Findings
    from newsanno.interop.webanno_tsv import read_tsv

    source = (
        "#FORMAT=WebAnno TSV 3.3\n#T_SP=webanno.custom.Span|value\n\n\n"
        "#Text=Kim\\tsaid \\\\o/ .\n"
        "1-1\t0-3\tKim\tA\\|B[1]|C\\_\t\n"
        "1-2\t4-8\tsaid\tA\\|B[1]\t\n"
        "1-2.1\t4-6\tsa\tx\t\n"
        "1-2.2\t8-8\t\tz\t\n"
        "1-3\t9-12\t\\o/\t*\t\n"  # the token column is not escaped
        "1-4\t13-14\t.\t_\t\n"
    )
    findings = Findings()
    doc = read_tsv(source, "x.tsv", "x", findings)
    assert doc is not None and not findings.errors
    assert doc.text == "Kim\tsaid \\o/ ."
    got = [
        (s.label, doc.text[s.segments[0][0] : s.segments[0][1]], s.attributes) for s in doc.spans
    ]
    assert got == [
        ("Span", "Kim\tsaid", {"value": "A|B"}),
        ("Span", "Kim", {"value": "C_"}),
        ("Span", "sa", {"value": "x"}),
        ("Span", "\\o/", {}),
    ]
    assert [f.code.value for f in findings.items] == ["import-not-carried"]
    assert "zero-length" in findings.items[0].message
