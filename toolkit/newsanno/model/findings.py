"""Findings and the validation report: problems in the data are values, not exceptions."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Code(StrEnum):
    """Stable finding codes. Never rename one; add new ones instead."""

    # parse: files, encodings and syntax
    FILE_UNREADABLE = "file-unreadable"
    FILE_TOO_LARGE = "file-too-large"
    ENCODING_BOM = "encoding-bom"
    ENCODING_UTF8 = "encoding-utf8"
    ENCODING_CRLF = "encoding-crlf"
    YAML_SYNTAX = "yaml-syntax"
    YAML_DUPLICATE_KEY = "yaml-duplicate-key"
    YAML_ANCHOR = "yaml-anchor"
    YAML_ALIAS = "yaml-alias"
    YAML_TAG = "yaml-tag"
    YAML_MULTIPLE_DOCUMENTS = "yaml-multiple-documents"
    YAML_AMBIGUOUS_SCALAR = "yaml-ambiguous-scalar"
    YAML_NON_STRING_KEY = "yaml-non-string-key"
    YAML_TOO_DEEP = "yaml-too-deep"
    YAML_TOO_MANY_NODES = "yaml-too-many-nodes"
    JSON_SYNTAX = "json-syntax"
    JSON_DUPLICATE_KEY = "json-duplicate-key"
    # structure: JSON Schema and the model
    SCHEMA_TYPE = "schema-type"
    SCHEMA_REQUIRED = "schema-required"
    SCHEMA_UNKNOWN_FIELD = "schema-unknown-field"
    SCHEMA_ENUM = "schema-enum"
    SCHEMA_PATTERN = "schema-pattern"
    SCHEMA_FORMAT = "schema-format"
    SCHEMA_VALUE = "schema-value"
    MODEL = "model"
    # meaning
    CORPUS_MISSING = "corpus-missing"
    TEXT_MISSING = "text-missing"
    TEXT_OUTSIDE_CORPUS = "text-outside-corpus"
    TEXT_ENCODING = "text-encoding"
    TEXT_CHANGED = "text-changed"
    ANCHOR_NOT_FOUND = "anchor-not-found"
    ANCHOR_AMBIGUOUS = "anchor-ambiguous"
    ANCHOR_MISMATCH = "anchor-mismatch"
    ANCHOR_OUT_OF_RANGE = "anchor-out-of-range"
    ANCHOR_OCCURRENCE = "anchor-occurrence"
    ANCHOR_MOVED = "anchor-moved"
    REF_DANGLING = "ref-dangling"
    REF_WRONG_KIND = "ref-wrong-kind"
    REF_WRONG_TYPE = "ref-wrong-type"
    REF_INCONSISTENT = "ref-inconsistent"
    ROLE_NOT_ALLOWED = "role-not-allowed"
    DATE_INVALID = "date-invalid"
    ID_DUPLICATE = "id-duplicate"
    ANNOTATION_DUPLICATE = "annotation-duplicate"
    RESERVED_ID = "reserved-id"
    NESTING_CYCLE = "nesting-cycle"
    # import and export (newsanno.interop): converting other tools' files
    IMPORT_MALFORMED = "import-malformed"
    IMPORT_OUT_OF_RANGE = "import-out-of-range"
    IMPORT_OFFSET_MISMATCH = "import-offset-mismatch"
    IMPORT_UNSAFE_PATH = "import-unsafe-path"
    IMPORT_UNMAPPED = "import-unmapped"
    IMPORT_NOT_CARRIED = "import-not-carried"
    IMPORT_UNVERIFIED = "import-unverified"
    EXPORT_NOT_CARRIED = "export-not-carried"
    # lints (warnings)
    LINT_UNQUOTED = "lint-unannotated-quotation"
    LINT_ALIAS = "lint-unannotated-alias"
    LINT_ARGUMENT_SENTENCE = "lint-argument-outside-sentence"
    LINT_POSSIBLE_SAME_UTTERANCE = "lint-possible-same-utterance"
    LINT_LOW_OVERLAP_UTTERANCE = "lint-low-overlap-utterance"


LINT_CODES = frozenset(c for c in Code if c.value.startswith("lint-"))


@dataclass(frozen=True, order=True)
class Finding:
    """One problem, at a place in a file, with a fix."""

    file: str
    line: int
    col: int
    code: Code
    severity: Severity
    message: str
    hint: str
    path: str = ""

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["code"] = self.code.value
        out["severity"] = self.severity.value
        return out

    def key(self) -> tuple[str, int, int, str]:
        """The ``(file, line, col, code)`` tuple the golden tests compare."""
        return (self.file, self.line, self.col, self.code.value)


@dataclass
class Report:
    """Everything one validation run found, in file order."""

    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    documents: int = 0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def valid(self) -> bool:
        return not self.errors

    def sorted(self) -> Report:
        """The same report, findings in (file, line, col, code) order, duplicates dropped."""
        unique = sorted(set(self.findings), key=lambda f: (f.file, f.line, f.col, f.code.value))
        return Report(findings=unique, files=list(self.files), documents=self.documents)

    def stats(self) -> dict[str, Any]:
        by_code = Counter(f.code.value for f in self.findings)
        return {
            "files": len(self.files),
            "documents": self.documents,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "by_code": dict(sorted(by_code.items())),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "stats": self.stats(),
            "files": list(self.files),
            "findings": [f.as_dict() for f in self.findings],
        }


class NewsannoError(Exception):
    """Unusable input or misuse (not a problem in the data): the CLI maps it to exit code 2."""
