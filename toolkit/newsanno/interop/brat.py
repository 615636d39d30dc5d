"""brat standoff (``.txt`` + ``.ann``): https://brat.nlplab.org/standoff.html

brat's server is Python and reads each ``.txt`` as UTF-8 into a string (``open_textfile`` in
``server/src/annotation.py``), so its offsets count Unicode code points, as newsanno's do, but it
opens the file with universal newlines: a CRLF is read as one ``\n`` and counts as one character
(nlplab/brat issue #853). newsanno keeps the text byte for byte, so offsets are mapped
(:class:`~newsanno.interop.offsets.Newlines`). (A Python 2 *narrow* build, as once shipped on macOS
and Windows, counted UTF-16 code units; the covered-text check catches such files rather than
shifting their spans.)
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from newsanno.interop.ir import EventAnn, Findings, Relation, SourceDoc, SpanAnn, Where
from newsanno.interop.mapping import storage_form
from newsanno.interop.offsets import Newlines
from newsanno.model.findings import Code

_QID = re.compile(r"^(?:Wikidata|wikidata|WD|wd):(Q[1-9][0-9]*)$")
_OFFSETS = re.compile(r"^\d+ \d+(;\d+ \d+)*$")


def _malformed(findings: Findings, where: Where, what: str) -> None:
    findings.add(
        Code.IMPORT_MALFORMED,
        where,
        f"not a brat standoff line: {what}",
        "each line is `ID<TAB>TYPE ARGS[<TAB>TEXT]` (T, R, E, A, M, N, *, #); see "
        "https://brat.nlplab.org/standoff.html",
    )


def read_doc(ann_path: Path, name: str, findings: Findings, display: str) -> SourceDoc | None:
    txt_path = ann_path.with_suffix(".txt")
    decoded = []
    for path, shown in ((txt_path, display.removesuffix(".ann") + ".txt"), (ann_path, display)):
        try:
            decoded.append(path.read_bytes().decode("utf-8"))
        except OSError as exc:
            findings.add(Code.IMPORT_MALFORMED, Where(shown), f"cannot read: {exc}")
            return None
        except UnicodeDecodeError as exc:
            findings.add(
                Code.IMPORT_MALFORMED,
                Where(shown),
                f"not UTF-8 (byte {exc.start}): brat reads its files as UTF-8",
            )
            return None
    text, lines = decoded[0], decoded[1].split("\n")
    doc = SourceDoc(name=name, text=text, where=Where(display.removesuffix(".ann") + ".txt"))
    lines_ = Newlines(text)
    brat_text = lines_.normalized  # what brat's offsets and covered texts refer to
    attributes: list[tuple[str, str, str, Where]] = []
    notes: list[tuple[str, str, Where]] = []
    norms: list[tuple[str, str, Where]] = []
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        where = Where(display, number)
        fields = line.split("\t")
        ident = fields[0]
        if len(fields) < 2 or not ident:
            _malformed(findings, where, "no tab after the id")
            continue
        where.ident = ident
        head = fields[1].split(" ")
        kind = ident[0]
        if kind == "T":
            label, offsets = head[0], " ".join(head[1:])
            if not _OFFSETS.match(offsets) or len(fields) < 3:
                _malformed(
                    findings,
                    where,
                    f"a text-bound annotation needs `TYPE START END\\tTEXT`, got {fields[1]!r}",
                )
                continue
            segments = [tuple(map(int, part.split(" "))) for part in offsets.split(";")]
            covered = "\t".join(fields[2:])
            ok = all(findings.check_span(brat_text, s, e, None, where) for s, e in segments)
            got = " ".join(brat_text[s:e] for s, e in segments) if ok else covered
            if got != covered:
                findings.add(
                    Code.IMPORT_OFFSET_MISMATCH,
                    where,
                    f"the .ann says the span covers {covered!r}, the text at {offsets} (code "
                    f"points) is {got!r}",
                    "the offsets and the text disagree (another text version, or another offset "
                    "unit); nothing is re-anchored: fix the source and import again",
                )
                ok = False
            if ok:
                in_text = [(lines_.to_raw(s), lines_.to_raw(e)) for s, e in segments]
                doc.spans.append(SpanAnn(ident, label, in_text, where))
        elif kind == "R":
            args = dict(a.split(":", 1) for a in head[1:] if ":" in a)
            if len(head) != 3 or set(args) != {"Arg1", "Arg2"}:
                _malformed(
                    findings, where, f"a relation needs `TYPE Arg1:ID Arg2:ID`, got {fields[1]!r}"
                )
                continue
            doc.relations.append(Relation(ident, head[0], args["Arg1"], args["Arg2"], where))
        elif kind == "E":
            if ":" not in head[0]:
                _malformed(
                    findings,
                    where,
                    f"an event needs `TYPE:TRIGGER [ROLE:ID ...]`, got {fields[1]!r}",
                )
                continue
            label, trigger = head[0].split(":", 1)
            arguments = []
            for arg in head[1:]:
                if ":" not in arg:
                    _malformed(findings, where, f"event argument {arg!r} is not ROLE:ID")
                    break
                role, ref = arg.split(":", 1)
                arguments.append((role, ref))
            else:
                doc.events.append(EventAnn(ident, label, trigger, arguments, where))
        elif kind in "AM":
            if len(head) not in (2, 3):
                _malformed(
                    findings, where, f"an attribute needs `NAME ID [VALUE]`, got {fields[1]!r}"
                )
                continue
            attributes.append((head[1], head[0], head[2] if len(head) == 3 else "", where))
        elif kind == "*":
            if len(head) < 3:
                _malformed(findings, where, "an equivalence needs `TYPE ID ID ...`")
                continue
            doc.relations.extend(
                Relation(f"*{number}.{i}", head[0], head[1], other, where)
                for i, other in enumerate(head[2:], 1)
            )
        elif kind == "N":
            if len(head) != 3:
                _malformed(
                    findings,
                    where,
                    f"a normalization needs `Reference ID DB:KEY`, got {fields[1]!r}",
                )
                continue
            norms.append((head[1], head[2], where))
        elif kind == "#":
            if len(head) < 2:
                _malformed(findings, where, "a note needs `AnnotatorNotes ID\\tTEXT`")
                continue
            notes.append((head[1], "\t".join(fields[2:]), where))
        else:
            _malformed(findings, where, f"unknown annotation id {ident!r}")
    by_id: dict[str, SpanAnn | EventAnn | Relation] = {a.id: a for a in doc.spans}
    by_id.update({e.id: e for e in doc.events})
    by_id.update({r.id: r for r in doc.relations})
    for target, name_, value, where in attributes:
        owner = by_id.get(target)
        if isinstance(owner, SpanAnn | EventAnn):
            owner.attributes[name_] = value
        else:
            findings.add(
                Code.IMPORT_MALFORMED, where, f"attribute of {target}, which is no span or event"
            )
    for target, note, where in notes:
        owner = by_id.get(target)
        if owner is None:
            findings.add(Code.IMPORT_MALFORMED, where, f"note on {target}, which does not exist")
        else:
            owner.notes.append(note)
    for target, ref, where in norms:
        owner = by_id.get(target)
        match = _QID.match(ref)
        if not isinstance(owner, SpanAnn):
            findings.add(
                Code.IMPORT_MALFORMED, where, f"normalization of {target}, which is no span"
            )
        elif match is None:
            findings.warn(
                Code.IMPORT_NOT_CARRIED,
                where,
                f"normalization {ref!r}: only Wikidata ids (Wikidata:Q42) become wikidata",
            )
        else:
            owner.wikidata = match.group(1)
    return doc


def read(source: Path, findings: Findings, **_: object) -> list[SourceDoc]:
    """A brat collection folder (searched recursively) or one ``.ann`` file."""
    if source.is_file():
        files = [(source, source.stem)]
    else:
        files = [
            (p, p.relative_to(source).with_suffix("").as_posix())
            for p in sorted(source.rglob("*.ann"))
        ]
    if not files:
        findings.add(Code.IMPORT_MALFORMED, Where(str(source)), "no .ann files here")
    docs = []
    for path, name in files:
        display = str(path)
        if not path.with_suffix(".txt").is_file():
            findings.add(Code.IMPORT_MALFORMED, Where(display), "no .txt beside this .ann")
            continue
        doc = read_doc(path, name.replace("/", "__"), findings, display)
        if doc is not None:
            docs.append(doc)
    return docs


def _conf(docs: list[SourceDoc]) -> str:
    """An annotation.conf declaring every type used, so the collection opens in brat."""
    entities: set[str] = set()
    relations: dict[str, bool] = {}
    events: dict[str, set[str]] = defaultdict(set)
    attributes: dict[str, set[str]] = defaultdict(set)
    attr_event: set[str] = set()
    triggers = {e.trigger for d in docs for e in d.events}
    for d in docs:
        entities.update(storage_form(s.label) for s in d.spans if s.id not in triggers)
        for r in d.relations:
            relations[r.label] = False
        for chain in d.chains:
            if chain:
                relations["Coreference"] = True
        for e in d.events:
            events[storage_form(e.label)].update(role for role, _ in e.arguments)
            for name, value in e.attributes.items():
                attributes[name].add(value)
                attr_event.add(name)
        for s in d.spans:
            for name, value in s.attributes.items():
                attributes[name].add(value)
    lines = [
        "# written by newsanno export --to brat",
        "[entities]",
        *sorted(entities),
        "",
        "[relations]",
    ]
    for name, equiv in sorted(relations.items()):
        args = "Arg1:<ENTITY>, Arg2:<ENTITY>"
        lines.append(f"{name}\t{args}" + (", <REL-TYPE>:symmetric-transitive" if equiv else ""))
    lines += ["", "[events]"]
    for name, roles in sorted(events.items()):
        lines.append(f"{name}\t" + ", ".join(f"{r}*:<ENTITY>" for r in sorted(roles)))
    lines += ["", "[attributes]"]
    for name, values in sorted(attributes.items()):
        arg = "<EVENT>" if name in attr_event else "<ENTITY>"
        vals = sorted(v for v in values if v)
        lines.append(f"{name}\tArg:{arg}" + (f", Value:{'|'.join(vals)}" if vals else ""))
    return "\n".join(lines) + "\n"


def _write_doc(doc: SourceDoc, folder: Path, findings: Findings) -> None:
    ids: dict[str, str] = {}
    counters: dict[str, int] = defaultdict(int)

    def new(prefix: str, source_id: str) -> str:
        counters[prefix] += 1
        ident = f"{prefix}{counters[prefix]}"
        ids[source_id] = ident
        return ident

    out: list[str] = []
    tail: list[str] = []
    text = doc.text
    lines_ = Newlines(text)
    for s in doc.spans:
        t = new("T", s.id)
        brat = [(lines_.to_normalized(a), lines_.to_normalized(b)) for a, b in s.segments]
        if any(a is None or b is None for a, b in brat):
            findings.warn(
                Code.EXPORT_NOT_CARRIED,
                s.where,
                "a span that starts or ends between a CR and its LF: brat reads CRLF as one "
                "character, so it cannot hold it; left out",
            )
            del ids[s.id]
            continue
        offsets = ";".join(f"{a} {b}" for a, b in brat)
        covered = " ".join(lines_.normalized[a:b] for a, b in brat)
        if "\n" in covered:
            findings.warn(
                Code.EXPORT_NOT_CARRIED,
                s.where,
                "a span with a line break: brat's .ann holds one line per annotation, so the "
                "line break is written as a space in the covered text (the offsets are exact)",
            )
            covered = covered.replace("\n", " ")
        out.append(f"{t}\t{storage_form(s.label)} {offsets}\t{covered}")
    for e in doc.events:
        if e.trigger not in ids:
            continue  # its trigger was left out (reported above)
        ident = new("E", e.id)
        args = " ".join(f"{role}:{ids[ref]}" for role, ref in e.arguments if ref in ids)
        out.append(
            f"{ident}\t{storage_form(e.label)}:{ids[e.trigger]}" + (f" {args}" if args else "")
        )
    for r in doc.relations:
        if r.arg1 not in ids or r.arg2 not in ids:
            continue  # an argument was left out (reported above)
        ident = new("R", r.id)
        out.append(f"{ident}\t{r.label} Arg1:{ids[r.arg1]} Arg2:{ids[r.arg2]}\t")
    for chain in doc.chains:
        members = [ids[x] for x in chain if x in ids]
        if len(members) > 1:
            out.append("*\tCoreference " + " ".join(members))
    anns: list[SpanAnn | EventAnn] = [*doc.spans, *doc.events]
    for ann in anns:
        if ann.id not in ids:
            continue
        for name, value in ann.attributes.items():
            tail.append(
                f"{new('A', ann.id + '/' + name)}\t{name} {ids[ann.id]}"
                + (f" {value}" if value else "")
            )
        if isinstance(ann, SpanAnn) and ann.wikidata:
            tail.append(
                f"{new('N', ann.id + '/wd')}\tReference {ids[ann.id]} Wikidata:{ann.wikidata}\t{ann.wikidata}"
            )
        for note in ann.notes:
            flat = note.replace("\r", " ").replace("\n", " ").replace("\t", " ")
            tail.append(f"{new('#', ann.id + '/note')}\tAnnotatorNotes {ids[ann.id]}\t{flat}")
    (folder / f"{doc.name}.txt").write_bytes(text.encode("utf-8"))
    (folder / f"{doc.name}.ann").write_text(
        "\n".join(out + tail) + "\n", encoding="utf-8", newline="\n"
    )


def write(docs: list[SourceDoc], folder: Path, findings: Findings) -> None:
    """One ``<name>.txt`` and ``<name>.ann`` per document, and an ``annotation.conf``."""
    for doc in docs:
        _write_doc(doc, folder, findings)
    (folder / "annotation.conf").write_text(_conf(docs), encoding="utf-8", newline="\n")
