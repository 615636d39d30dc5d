"""newsanno: an annotated dataset of news articles and the toolkit that keeps it correct."""

from newsanno.model import CorpusFile, DocumentFile, Span
from newsanno.report import Code, Finding, NewsannoError, Report, Severity
from newsanno.validate import Corpus, LoadedDocument, load_corpus, validate

__all__ = [
    "Code",
    "Corpus",
    "CorpusFile",
    "DocumentFile",
    "Finding",
    "LoadedDocument",
    "NewsannoError",
    "Report",
    "Severity",
    "Span",
    "load_corpus",
    "validate",
]
