"""newsanno: an annotated dataset of news articles and the toolkit that keeps it correct."""

from newsanno.dataset import Dataset, dataset_to_corpus, load_dataset
from newsanno.export import export  # the function shadows the submodule of the same name
from newsanno.model import CorpusFile, DocumentFile, Span
from newsanno.report import Code, Finding, NewsannoError, Report, Severity
from newsanno.validate import Corpus, LoadedDocument, load_corpus, validate

__all__ = [
    "Code",
    "Corpus",
    "CorpusFile",
    "Dataset",
    "DocumentFile",
    "Finding",
    "LoadedDocument",
    "NewsannoError",
    "Report",
    "Severity",
    "Span",
    "dataset_to_corpus",
    "export",
    "load_corpus",
    "load_dataset",
    "validate",
]
