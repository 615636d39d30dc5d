"""The neutral form every format reads into and writes from.

A reader turns a tool's files into :class:`SourceDoc` objects, with offsets already converted to
code points and each span's covered text checked (:meth:`Findings.check_span`); :mod:`.build`
turns them into a newsanno corpus folder; :mod:`.back` turns a validated corpus into them for the
writers. Nothing here knows what a label means: that is the mapping's job, and whether the result
is a valid corpus is :func:`newsanno.validate`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from newsanno.interop.offsets import Utf16
from newsanno.model.findings import Code, Finding, Severity


@dataclass
class Where:
    """Where something is in the source: a file and a line (0: no line), or an annotation id."""

    file: str
    line: int = 0
    ident: str = ""

    def __str__(self) -> str:
        out = self.file + (f":{self.line}" if self.line else "")
        return out + (f" (id {self.ident})" if self.ident else "")


@dataclass
class SpanAnn:
    """A text-bound annotation: one or more code point ranges (brat: discontinuous fragments)."""

    id: str
    label: str
    segments: list[tuple[int, int]]
    where: Where
    attributes: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    wikidata: str | None = None


@dataclass
class Relation:
    """A binary link between two annotations (by id)."""

    id: str
    label: str
    arg1: str
    arg2: str
    where: Where
    notes: list[str] = field(default_factory=list)


@dataclass
class EventAnn:
    """An event: a trigger span, typed, with arguments (role, annotation id)."""

    id: str
    label: str
    trigger: str
    arguments: list[tuple[str, str]]
    where: Where
    attributes: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class SourceDoc:
    """One document of the source, in code points."""

    name: str
    text: str
    where: Where
    spans: list[SpanAnn] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    events: list[EventAnn] = field(default_factory=list)
    chains: list[list[str]] = field(default_factory=list)
    """Groups of span ids that refer to one thing (brat equivalences, UIMA coreference chains)."""
    language: str | None = None

    def span(self, ident: str) -> SpanAnn | None:
        return next((s for s in self.spans if s.id == ident), None)


@dataclass
class Findings:
    """Conversion findings (not meaning: that is :func:`newsanno.validate`'s)."""

    items: list[Finding] = field(default_factory=list)

    def add(
        self,
        code: Code,
        where: Where,
        message: str,
        hint: str = "",
        severity: Severity = Severity.ERROR,
    ) -> None:
        ident = f" (id {where.ident})" if where.ident else ""
        self.items.append(Finding(where.file, where.line, 0, code, severity, message + ident, hint))

    def warn(self, code: Code, where: Where, message: str, hint: str = "") -> None:
        self.add(code, where, message, hint, Severity.WARNING)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.items if f.severity is Severity.ERROR]

    def from_utf16(
        self, units: Utf16, begin: int, end: int, where: Where, hint: str = ""
    ) -> tuple[int, int] | None:
        """Code point offsets of a span the source counts in UTF-16 code units, or None (and a
        finding) when it is outside the text or splits a character outside the BMP."""
        start, stop = units.to_codepoint(begin), units.to_codepoint(end)
        if start is None or stop is None:
            self.add(
                Code.IMPORT_OUT_OF_RANGE,
                where,
                f"offsets {begin}-{end} (UTF-16 code units) are outside the text "
                f"({units.length} units) or split a character outside the BMP",
                hint,
            )
            return None
        return start, stop

    def check_span(
        self, text: str, start: int, end: int, covered: str | None, where: Where
    ) -> bool:
        """Whether ``start``/``end`` (code points) lie in ``text`` and cover ``covered`` (the text
        the source gives for the span, when it gives one). Reports a finding when not."""
        if not 0 <= start < end <= len(text):
            self.add(
                Code.IMPORT_OUT_OF_RANGE,
                where,
                f"span {start}-{end} is not inside the text (0-{len(text)} code points)",
                "check that the annotation file belongs to this text, and that it is not truncated",
            )
            return False
        if covered is not None and text[start:end] != covered:
            self.add(
                Code.IMPORT_OFFSET_MISMATCH,
                where,
                f"the source says the span covers {covered!r}, the text at {start}-{end} "
                f"(code points) is {text[start:end]!r}",
                "the offsets and the text disagree (another text version, or another offset "
                "unit); nothing is re-anchored: fix the source and import again",
            )
            return False
        return True
