"""Import from and export to the annotation tools people already use.

One small module per format, behind one table (:data:`FORMATS`): a reader turns the tool's files
into the neutral form (:mod:`.ir`, offsets in code points, each span's covered text checked), a
writer (when the format has one: WebAnno TSV is import only) turns the neutral form into the tool's
files. :func:`import_corpus` converts with the label
mapping (:mod:`.mapping`) into an ordinary corpus folder and checks it with
:func:`newsanno.validate`, the one validation path; :func:`export_corpus` goes the other way from a
valid corpus. Both write into a staging folder beside ``out`` and rename it into place only when
all is well; they refuse to replace a folder they did not write.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from newsanno.interop import files
from newsanno.interop.ir import Findings, SourceDoc, Where
from newsanno.model.findings import Code, Finding, Report, Severity

Reader = Callable[..., list[SourceDoc]]
Writer = Callable[[list[SourceDoc], Path, Findings], None]


@dataclass(frozen=True)
class Format:
    name: str
    title: str
    read: Callable[[], Reader]
    write: Callable[[], Writer] | None
    """None: import only (``export --to`` does not offer it)."""


def _brat_read() -> Reader:
    from newsanno.interop import brat

    return brat.read


def _brat_write() -> Writer:
    from newsanno.interop import brat

    return brat.write


def _ls_read() -> Reader:
    from newsanno.interop import labelstudio

    return labelstudio.read


def _ls_write() -> Writer:
    from newsanno.interop import labelstudio

    return labelstudio.write


def _uima_read() -> Reader:
    from newsanno.interop import uima

    return uima.read


def _uima_write() -> Writer:
    from newsanno.interop import uima

    return uima.write


def _doccano_read() -> Reader:
    from newsanno.interop import doccano

    return doccano.read


def _doccano_write() -> Writer:
    from newsanno.interop import doccano

    return doccano.write


def _tsv_read() -> Reader:
    from newsanno.interop import webanno_tsv

    return webanno_tsv.read


FORMATS: dict[str, Format] = {
    "brat": Format("brat", "brat standoff (.txt + .ann)", _brat_read, _brat_write),
    "label-studio": Format("label-studio", "Label Studio JSON tasks", _ls_read, _ls_write),
    "inception": Format("inception", "UIMA CAS XMI (INCEpTION, WebAnno)", _uima_read, _uima_write),
    "doccano": Format("doccano", "doccano JSONL", _doccano_read, _doccano_write),
    "webanno-tsv": Format("webanno-tsv", "WebAnno TSV 3.x (INCEpTION, WebAnno)", _tsv_read, None),
}
"""Every format, by the name the command line uses."""


@dataclass
class Result:
    """What an import or export did: its findings, the validation report of the imported corpus,
    whether ``out`` was written, and counts."""

    findings: list[Finding] = field(default_factory=list)
    report: Report | None = None
    written: bool = False
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def errors(self) -> list[Finding]:
        out = [f for f in self.findings if f.severity is Severity.ERROR]
        return out + (self.report.errors if self.report else [])


def _rename(report: Report, tmp: Path, out: Path) -> Report:
    """Findings about the staging folder, named as the files will be called in ``out``."""
    root = tmp.resolve()

    def moved(name: str) -> str:
        try:
            return str(out / Path(name).resolve().relative_to(root))
        except ValueError:
            return name

    def text(s: str) -> str:  # messages may name another file of the staging folder
        return s.replace(str(root), str(out)).replace(str(tmp), str(out))

    findings = [
        Finding(
            moved(f.file), f.line, f.col, f.code, f.severity, text(f.message), text(f.hint), f.path
        )
        for f in report.findings
    ]
    return Report(findings, [moved(name) for name in report.files], report.documents)


def import_corpus(
    fmt: str,
    source: Path | str,
    out: Path | str,
    *,
    label_map: Path | str | None = None,
    strict: bool = False,
    annotator: str | None = None,
    language: str | None = None,
) -> Result:
    """Convert ``source`` (in format ``fmt``) into a newsanno corpus folder at ``out``.

    Nothing is written when the source is malformed, an offset does not check, a label is
    unmapped under ``strict``, or the converted corpus does not validate.
    """
    from newsanno.engines.api import validate
    from newsanno.interop.build import build, write
    from newsanno.interop.mapping import load_mapping

    source, out = Path(source), Path(out)
    result = Result()
    mapping = load_mapping(label_map)
    files.check_target(out)
    findings = Findings()
    docs = FORMATS[fmt].read()(source, findings, annotator=annotator)
    if not docs and not findings.errors:
        findings.add(Code.IMPORT_MALFORMED, Where(str(source)), "no documents to import here")
    built = None
    if not findings.errors:
        built = build(
            docs,
            mapping,
            findings,
            corpus_id=out.name or "imported",
            title=f"Imported from {FORMATS[fmt].title}: {source.name}",
            description=f"Converted by `newsanno import {fmt}` from {source}.",
            language=language,
            strict=strict,
        )
        result.counts = built.counts
    result.findings = sorted(findings.items)
    if findings.errors or built is None:
        return result
    with files.staging(out) as tmp:
        write(built, tmp)
        report = validate(tmp).sorted()
        result.report = _rename(report, tmp, out)
        if not report.valid:
            return result
        files.write_marker(tmp, {"command": f"newsanno import {fmt}", "source": str(source)})
        files.publish(tmp, out)
        result.written = True
    return result


def export_corpus(corpus: Path | str, fmt: str, out: Path | str) -> Result:
    """Write the valid corpus at ``corpus`` in format ``fmt`` into ``out``."""
    from newsanno.engines.local import load_corpus
    from newsanno.interop.back import to_source

    out = Path(out)
    result = Result()
    files.check_target(out)
    loaded, report = load_corpus(corpus, lint=False)
    result.report = report
    if loaded is None:
        return result
    findings = Findings()
    docs = to_source(loaded, findings)
    writer = FORMATS[fmt].write
    if writer is None:
        raise ValueError(f"{fmt} is import only")
    with files.staging(out) as tmp:
        writer()(docs, tmp, findings)
        result.findings = sorted(findings.items)
        if findings.errors:
            return result
        files.write_marker(tmp, {"command": f"newsanno export --to {fmt}", "source": str(corpus)})
        files.publish(tmp, out)
        result.written = True
    result.counts["documents"] = len(docs)
    return result


__all__ = ["FORMATS", "Format", "Result", "export_corpus", "import_corpus"]
