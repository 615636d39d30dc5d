"""Validation of a corpus: parse, JSON Schema, model, meaning, lints; every finding reported.

``validate(path)`` returns a :class:`~newsanno.model.findings.Report`. ``load_corpus(path)`` returns the
same report plus, when it is valid, the corpus with every span resolved to exact offsets: the
input of export, rendering and comparison.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from newsanno.model import CorpusFile, DocumentFile
from newsanno.model.corpus import Corpus, LoadedDocument, display
from newsanno.model.findings import Code, Finding, NewsannoError, Report, Severity
from newsanno.read.parse import (
    MAX_BYTES,
    WORLD_LIMITS,
    Parsed,
    Path_,
    decode_utf8,
    json_located,
    json_positions,
    line_col_at,
    parse_file,
    parse_json_line,
    parse_yaml_text,
    read_bytes,
    reading,
)
from newsanno.rules import meaning
from newsanno.rules.checks import World, check_world, lint_document, resolve_spans
from newsanno.rules.crossdoc import CrossDocumentLints
from newsanno.rules.structure import Salvage, check_structure, salvage

CORPUS_NAMES = ("corpus.yaml", "corpus.yml", "corpus.json")
DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")
BULK_SUFFIX = ".jsonl"


def _short(name: str, limit: int = 80) -> str:
    """``repr(name)``, cut in the middle when long (a 5,000-character path, say)."""
    return repr(name) if len(name) <= limit else repr(name[:40]) + "…" + repr(name[-20:])


class _Sink:
    """Binds findings of one file to positions."""

    def __init__(
        self,
        report: Report,
        file: str,
        parsed: Parsed | None,
        *,
        line_base: int = 0,
        source: str | None = None,
    ) -> None:
        self.report, self.file, self.parsed = report, file, parsed
        self.remap: Callable[[Path_], Path_] | None = None
        """Maps paths of a trimmed (salvaged) file back to the file as written."""
        self.line_base, self.source = line_base, source
        self.text_file: str | None = None
        self.text: str | None = None
        self.errors = 0

    def _where(self, path: Path_, key: bool) -> tuple[int, int]:
        if self.parsed is None or (not self.parsed.located().positions and self.source is not None):
            # lazily, only when there is a finding; a JSONL line's positions by walking its
            # text to each path asked about, else by a quick scan, else by the YAML reader
            source = self.source or ""
            self.parsed = json_located(source) or json_positions(source) or parse_yaml_text(source)
        line, col = self.parsed.where(path, key=key) if self.parsed.positions else (1, 1)
        return line + self.line_base, col

    def __call__(
        self,
        path: Path_,
        code: Code,
        message: str,
        hint: str,
        severity: Severity = Severity.ERROR,
        *,
        offset: int | None = None,
        key: bool = False,
    ) -> None:
        if self.remap is not None:
            path = self.remap(path)
        file = self.file
        if offset is not None and self.text is not None and self.text_file is not None:
            file = self.text_file
            line, col = line_col_at(self.text, offset)
        elif offset is not None and self.text is not None:
            line, col = self._where(path, key)
            message = f"{message} (in the inline text)"
        else:
            line, col = self._where(path, key)
        if severity is Severity.ERROR:
            self.errors += 1
        self.report.findings.append(
            Finding(file, line, col, code, severity, message, hint, "/" + "/".join(map(str, path)))
        )

    def problems(self, parsed: Parsed) -> None:
        for p in parsed.problems:
            self.report.findings.append(
                Finding(
                    self.file,
                    p.line + self.line_base,
                    p.col,
                    p.code,
                    Severity.ERROR,
                    p.message,
                    p.hint,
                )
            )
            self.errors += 1


M = TypeVar("M", CorpusFile, DocumentFile)


def _structure(
    kind: str, parsed: Parsed, model: type[M], sink: _Sink
) -> tuple[M | None, Salvage[M] | None]:
    """Stages 2 and 3: report structure problems; when they fail, what can still be checked.

    The salvaged part (items without structure problems) gets meaning checks too, so one typo
    does not hide every other mistake; the sink maps its paths back to the file as written.
    """
    instance, problems = check_structure(kind, parsed, model)
    for path, key, code, message, hint in problems:
        sink(path, code, message, hint, key=key)
    if instance is not None:
        return instance, None
    rest = salvage(kind, parsed.data, model, problems)
    if rest is not None:
        sink.remap = rest.original
    return None, rest


# --------------------------------------------------------------------------------------------
# Discovery


def _file_or_broken_link(path: Path) -> bool:
    """A file, or a symlink that leads nowhere or loops: reading it is then a finding."""
    return path.is_file() or (path.is_symlink() and not path.exists())


def find_corpus_file(start: Path) -> Path | None:
    """The corpus file in ``start`` or the nearest folder above it."""
    for folder in [start, *start.parents]:
        for name in CORPUS_NAMES:
            if _file_or_broken_link(folder / name):
                return folder / name
    return None


@dataclass
class Plan:
    """What one validation run reads."""

    corpus_file: Path | None
    documents: list[Path] = field(default_factory=list)
    shards: list[Path] = field(default_factory=list)


def plan(paths: Iterable[Path | str]) -> Plan:
    """Work out the corpus file, document files and JSONL shards to read."""
    corpus_file: Path | None = None
    documents: list[Path] = []
    shards: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists() and not path.is_symlink():  # (a broken symlink: a finding)
            raise NewsannoError(f"{path}: no such file or folder")
        if path.is_dir():
            found = next((path / n for n in CORPUS_NAMES if _file_or_broken_link(path / n)), None)
            shards_here = found is None and any(path.rglob(f"*{BULK_SUFFIX}"))
            if shards_here:  # a folder of shards: the corpus file is in a folder above
                found = find_corpus_file(path.parent)
            if found is None and not shards_here:
                raise NewsannoError(
                    f"{path}: not a corpus folder (no corpus.yaml, corpus.yml or corpus.json); "
                    "pass the folder that holds the corpus file, or single annotation files"
                )
            # a sub-folder holding its own corpus file is another corpus: not read with this one
            nested = {c.parent for n in CORPUS_NAMES for c in path.rglob(n) if c.parent != path}
            corpus_file = corpus_file or found
            before = len(shards)
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if not _file_or_broken_link(child):
                    continue
                if nested and any(parent in nested for parent in child.parents):
                    continue
                if child.name in CORPUS_NAMES and child.parent == path:
                    continue
                if child.suffix.lower() in DOCUMENT_SUFFIXES:
                    documents.append(child)
                elif child.suffix.lower() == BULK_SUFFIX:
                    shards.append(child)
            if found is None and nested and len(shards) == before:
                # every shard below belongs to a corpus folder below it: one of them was meant
                below = ", ".join(str(q) for q in sorted(nested)[:3])
                raise NewsannoError(
                    f"{path}: not a corpus folder, but holds corpus folders ({below}"
                    f"{', ...' if len(nested) > 3 else ''}); pass one of them"
                )
        elif path.name in CORPUS_NAMES:
            corpus_file = corpus_file or path
        elif path.suffix.lower() == BULK_SUFFIX:
            shards.append(path)
            corpus_file = corpus_file or find_corpus_file(path.parent)
        elif path.suffix.lower() in DOCUMENT_SUFFIXES:
            documents.append(path)
            corpus_file = corpus_file or find_corpus_file(path.parent)
        else:
            raise NewsannoError(
                f"{path}: not an annotation file (expected .yaml, .yml, .json or .jsonl)"
            )
    return Plan(corpus_file, documents, shards)


# --------------------------------------------------------------------------------------------
# Validation


@dataclass
class Pending:
    """A document waiting for the meaning rules: resolved (the items whose anchors failed left
    out), with the ids of the items left out, and where its findings go."""

    doc: DocumentFile
    dropped: frozenset[str]
    sink: _Sink
    text: str
    line: int
    whole: bool
    """Its structure passed and every anchor resolved: it is valid if nothing else is found."""
    tag: Any = None
    result: LoadedDocument | None = None
    """The document, when it passed (set by :meth:`Validator.settle`)."""


class Validator:
    """Validates one corpus; collects findings in a report and the valid documents."""

    def __init__(self, *, max_bytes: int = MAX_BYTES, lint: bool = True) -> None:
        self.max_bytes = max_bytes
        self.lint = lint
        self.report = Report()
        self.world: World | None = None
        self.corpus: CorpusFile | None = None
        self.root: Path | None = None
        self.doc_ids: dict[str, str] = {}
        self.cross = CrossDocumentLints()
        self.cross_document = True
        """Collect quotes for the cross-document lints (the bulk path's workers do not)."""
        self.pending: list[Pending] = []
        """Documents waiting for the meaning rules (see :meth:`settle`)."""
        self.defer = False
        """Collect documents for :meth:`settle` instead of checking each at once."""
        self.tag: Any = None
        """Given to each document's :class:`Pending` (the caller's note of where it is)."""

    def load_world(self, corpus_file: Path | None) -> None:
        if corpus_file is None:
            return
        self.root = corpus_file.parent
        file = display(corpus_file)
        self.report.files.append(file)
        with reading(WORLD_LIMITS):  # a world grows with the archive
            parsed = parse_file(corpus_file, self.max_bytes, cache=True)
        sink = _Sink(self.report, file, parsed)
        sink.problems(parsed)
        if parsed.data is None or parsed.problems:
            return
        corpus, rest = _structure("corpus", parsed, CorpusFile, sink)
        if corpus is None:
            if rest is not None:
                self.world = check_world(rest.instance, sink)
                self.world.dropped = rest.dropped_ids
            return
        # documents are checked against the world even when it has meaning errors of its own
        self.world = check_world(corpus, sink)
        if sink.errors == 0:
            self.corpus = corpus

    def document_file(self, path: Path) -> LoadedDocument | None:
        file = display(path)
        self.report.files.append(file)
        parsed = parse_file(path, self.max_bytes)
        sink = _Sink(self.report, file, parsed)
        sink.problems(parsed)
        if parsed.data is None or parsed.problems:
            return None
        return self._document(parsed, sink, base=path.parent)

    def shard(self, path: Path) -> Iterator[LoadedDocument]:
        """Documents of a JSONL shard, one per line, streamed."""
        file = display(path)
        self.report.files.append(file)
        try:
            handle = path.open("rb")
        except OSError as exc:
            self.unreadable(file, exc)
            return
        with handle:
            for number, raw in enumerate(handle, start=1):
                doc = self.line(file, number, raw)
                if doc is not None:
                    yield doc

    def unreadable(self, file: str, exc: OSError) -> None:
        """Report a file that cannot be opened (a dangling symlink, a loop, no permission)."""
        self.report.findings.append(
            Finding(
                file,
                1,
                1,
                Code.FILE_UNREADABLE,
                Severity.ERROR,
                f"cannot read file: {exc.strerror or exc}",
                "check that the path exists and is readable",
            )
        )

    def line(self, file: str, number: int, raw: bytes) -> LoadedDocument | None:
        """One line of a JSONL shard: every finding reported, the document when it is valid."""
        if not raw.strip():
            return None
        if len(raw) > self.max_bytes:
            self.report.findings.append(
                Finding(
                    file,
                    number,
                    1,
                    Code.FILE_TOO_LARGE,
                    Severity.ERROR,
                    f"line is {len(raw):,} bytes, over the limit of {self.max_bytes:,}",
                    "split the document, or raise the limit with --max-bytes",
                )
            )
            return None
        text, problems = decode_utf8(raw.rstrip(b"\n"), allow_crlf=True)
        if text is None:
            p = problems[0]
            self.report.findings.append(
                Finding(file, number, p.col, p.code, Severity.ERROR, p.message, p.hint)
            )
            return None
        parsed = parse_json_line(text.rstrip("\r"), line_offset=number - 1)
        sink = _Sink(self.report, file, None, line_base=number - 1, source=text)
        if parsed.problems:
            sink.parsed = parsed if parsed.problems[0].code is Code.JSON_SYNTAX else None
            for p in parsed.problems:
                line = p.line if p.code is Code.JSON_SYNTAX else p.line + number - 1
                self.report.findings.append(
                    Finding(file, line, p.col, p.code, Severity.ERROR, p.message, p.hint)
                )
            return None
        parsed.positions.clear()
        return self._document(parsed, sink, base=None, line=number)

    def _document(
        self, parsed: Parsed, sink: _Sink, *, base: Path | None, line: int = 1
    ) -> LoadedDocument | None:
        self.report.documents += 1
        doc, rest = _structure("document", parsed, DocumentFile, sink)
        if doc is None:
            if rest is not None:
                self._meaning(rest.instance, sink, line, frozenset(rest.dropped_ids))
            return None
        self.register_doc_id(doc.doc_id, sink, f"{sink.file}:{line}" if base is None else sink.file)
        return self._meaning(doc, sink, line, whole=True)

    def _meaning(
        self,
        doc: DocumentFile,
        sink: _Sink,
        line: int,
        dropped: frozenset[str] = frozenset(),
        *,
        whole: bool = False,
    ) -> LoadedDocument | None:
        """Text, anchors, then the meaning rules of one document (``whole``: it passed the
        structure checks). The rules run over a batch of documents (:meth:`settle`): at once,
        unless the caller collects documents first (:attr:`defer`); then this returns None and
        :meth:`settle` gives each document's outcome."""
        text = self._text(doc, sink)
        if text is None:
            return None
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        changed = digest != doc.text_sha256
        if changed:
            sink(
                ("text_sha256",),
                Code.TEXT_CHANGED,
                "the article text does not match text_sha256: it changed after annotation",
                f"check the anchors reported below; if the new text is right, set text_sha256: {digest}",
            )
        resolved = resolve_spans(doc, text, sink, text_changed=changed)
        if resolved.failed_ids:
            # check the rest too, mapping paths in the trimmed document back to the file
            outer = sink.remap
            sink.remap = lambda p: outer(resolved.original(p)) if outer else resolved.original(p)
        pending = Pending(
            resolved.doc,
            dropped | resolved.failed_ids,
            sink,
            text,
            line,
            whole and not resolved.failed_ids,
            self.tag,
        )
        self.pending.append(pending)
        if self.defer:
            return None
        self.settle()
        return pending.result

    def settle(self) -> list[Pending]:
        """Run the meaning rules (:mod:`newsanno.rules.meaning`) over the documents waiting for
        them, all at once; then lint each that passed. Each one's outcome is in its ``result``."""
        pending, self.pending = self.pending, []
        if not pending:
            return pending
        frame = meaning.frame_of([p.doc for p in pending])
        for row, path, code, message, hint in meaning.check(
            frame, self.world, [p.dropped for p in pending]
        ):
            pending[row].sink(path, code, message, hint)
        for p in pending:
            if p.whole:
                p.result = self._passed(p)
        return pending

    def _passed(self, p: Pending) -> LoadedDocument | None:
        """The lints of a document whose structure and anchors passed; the document, when no
        error was found in it."""
        sink = p.sink
        if self.lint:
            lint_document(p.doc, p.text, self.world, sink)
        if sink.errors:
            return None
        if self.lint and self.cross_document:
            # YAML: the quote's own line and column; JSONL: the document's line
            kept = sink.parsed  # positions there, or to be worked out if a finding needs them
            yaml = kept is not None and (kept.locate is not None or bool(kept.positions))
            self.cross.add(
                p.doc,
                p.text,
                sink.file,
                (lambda path: sink._where(path, False)) if yaml else (lambda path: (p.line, 1)),
            )
        return LoadedDocument(p.doc, p.text, sink.file, p.line)

    def register_doc_id(self, doc_id: str, sink: _Sink, where: str) -> None:
        """Report a doc_id used before; remember where each doc_id is first used."""
        if doc_id in self.doc_ids:
            sink(
                ("doc_id",),
                Code.ID_DUPLICATE,
                f"doc_id `{doc_id}` is also used by {self.doc_ids[doc_id]}",
                "every document needs its own doc_id",
            )
        else:
            self.doc_ids[doc_id] = where

    def _text(self, doc: DocumentFile, sink: _Sink) -> str | None:
        if doc.text is not None:
            sink.text = doc.text
            return doc.text
        assert doc.text_path is not None
        root = self.root
        if root is None:
            sink(
                ("text_path",),
                Code.CORPUS_MISSING,
                "no corpus file (corpus.yaml, .yml or .json) found for this document",
                "text_path is relative to the folder holding corpus.yaml; create one, or pass the corpus folder",
            )
            return None
        if "\0" in doc.text_path:
            sink(
                ("text_path",),
                Code.TEXT_MISSING,
                f"text_path {_short(doc.text_path)} holds a NUL character, which no file name can",
                "write the file's path relative to the folder holding corpus.yaml",
            )
            return None
        try:
            target = (root / doc.text_path).resolve()
            inside = target.is_relative_to(root.resolve())
            exists = inside and target.is_file()
        except (OSError, RuntimeError) as exc:  # a symlink loop, a name too long, ...
            reason = getattr(exc, "strerror", None) or "a symlink loop"
            sink(
                ("text_path",),
                Code.FILE_UNREADABLE,
                f"cannot read the article text {_short(doc.text_path)}: {reason}",
                "point text_path at a regular file inside the corpus folder",
            )
            return None
        if not inside:
            sink(
                ("text_path",),
                Code.TEXT_OUTSIDE_CORPUS,
                f"text_path {doc.text_path!r} points outside the corpus folder",
                "keep article texts inside the corpus folder, e.g. texts/<doc_id>.txt",
            )
            return None
        if not exists:
            sink(
                ("text_path",),
                Code.TEXT_MISSING,
                f"the article text {doc.text_path!r} does not exist",
                "text_path is relative to the folder holding corpus.yaml",
            )
            return None
        raw, problems = read_bytes(target, self.max_bytes)
        text_file = display(target)
        if raw is not None:
            text, problems = decode_utf8(raw, allow_crlf=True)
        if raw is None or text is None or problems:
            for p in problems:
                self.report.findings.append(
                    Finding(
                        text_file,
                        p.line,
                        p.col,
                        Code.TEXT_ENCODING if p.code.value.startswith("encoding-") else p.code,
                        Severity.ERROR,
                        p.message,
                        p.hint,
                    )
                )
            sink.errors += len(problems)
            return None
        sink.text, sink.text_file = text, text_file
        return text

    def start(self, p: Plan) -> None:
        """Load the world of the plan; report a missing corpus file."""
        self.load_world(p.corpus_file)
        if p.corpus_file is None and (p.documents or p.shards):
            self.report.findings.append(
                Finding(
                    display(p.documents[0] if p.documents else p.shards[0]),
                    1,
                    1,
                    Code.CORPUS_MISSING,
                    Severity.ERROR,
                    "no corpus file (corpus.yaml, .yml or .json) in this folder or above it",
                    "documents refer to entities in corpus.yaml; create one next to the documents",
                )
            )

    def run(self, p: Plan) -> Iterator[LoadedDocument]:
        """Validate everything in the plan, yielding valid documents as they come."""
        self.start(p)
        for path in p.documents:
            doc = self.document_file(path)
            if doc is not None:
                yield doc
        for shard in p.shards:
            yield from self.shard(shard)
        if self.lint:
            # cross-document lints, once every document is loaded
            self.report.findings.extend(self.cross.findings())


def load_corpus(
    *paths: Path | str, max_bytes: int = MAX_BYTES, lint: bool = True
) -> tuple[Corpus | None, Report]:
    """Validate and load: the corpus (None when there are errors) and the report."""
    validator = Validator(max_bytes=max_bytes, lint=lint)
    docs = list(validator.run(plan(paths or (".",))))
    report = validator.report.sorted()
    if not report.valid or validator.corpus is None:
        return None, report
    docs.sort(key=lambda d: d.model.doc_id)
    return Corpus(validator.corpus, docs, validator.root), report
