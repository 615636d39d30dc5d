"""Cross-document lints of validation: similar quotes in different documents that are not linked
to one utterance, and quotes linked to one utterance that barely overlap."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

from newsanno.fidelity.align import (
    LOW_OVERLAP,
    LOW_OVERLAP_MIN_WORDS,
    POSSIBLE_SAME_MIN_WORDS,
    POSSIBLE_SAME_OVERLAP,
    _span,
    tokenize,
    word_overlap,
)
from newsanno.model import DocumentFile, Quote
from newsanno.model.findings import Code, Finding, Severity

if TYPE_CHECKING:
    pass


# --------------------------------------------------------------------------------------------
# Cross-document lints (a pass of validation after every document is loaded)

Locate = Callable[[tuple[str | int, ...]], tuple[int, int]]


@dataclass(frozen=True)
class _QuoteRecord:
    doc_id: str
    file: str
    index: int
    quote_id: str
    quote_type: str
    utterance: str | None
    words: tuple[str, ...]
    line: int
    col: int
    context: frozenset[str] = frozenset()
    """The utterances of this quote and of the quotes it is nested in."""


@dataclass
class CrossDocumentLints:
    """Collects a compact record of every quote while documents load, then lints across them.

    Memory is a few words per quote, not the documents; candidate pairs come from shared word
    trigrams, so unrelated quotes are never aligned.
    """

    quotes: list[_QuoteRecord] = field(default_factory=list)
    renderings: dict[tuple[str, str], list[int]] = field(default_factory=dict)

    def add(self, doc: DocumentFile, text: str, file: str, locate: Locate) -> None:
        """Record the quotes of one valid document (spans resolved)."""
        by_id = {q.id: q for q in doc.quotes}
        for i, q in enumerate(doc.quotes):
            line, col = locate(("quotes", i, "utterance") if q.utterance else ("quotes", i))
            words = tuple(t.key for s in q.content for t in tokenize(text, *_span(s)) if t.is_word)
            context: set[str] = set()
            seen: set[str] = set()
            cur: Quote | None = q
            while cur is not None and cur.id not in seen:  # nesting cycles are errors elsewhere
                seen.add(cur.id)
                if cur.utterance:
                    context.add(cur.utterance)
                cur = by_id.get(cur.nested_in or "")
            record = _QuoteRecord(
                doc.doc_id, file, i, q.id, q.type, q.utterance, words, line, col, frozenset(context)
            )
            self.quotes.append(record)

    def findings(self) -> list[Finding]:
        return [*self._possible_same(), *self._low_overlap()]

    def _possible_same(self) -> Iterator[Finding]:
        """Candidate pairs from shared word trigrams (:func:`trigrams`), each pair once and in
        input order, each decided by :func:`possible_same`."""
        index: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for n, q in enumerate(self.quotes):
            for g in trigrams(q):
                index[g].append(n)
        candidates: set[tuple[int, int]] = set()
        for hits in index.values():
            for x, y in combinations(hits, 2):
                candidates.add((x, y))
        for x, y in sorted(candidates):
            found = possible_same(self.quotes[x], self.quotes[y])
            if found is not None:
                yield found

    def _low_overlap(self) -> Iterator[Finding]:
        by_utt: dict[str, dict[str, list[_QuoteRecord]]] = defaultdict(lambda: defaultdict(list))
        for q in self.quotes:
            if q.utterance:
                by_utt[q.utterance][q.doc_id].append(q)
        for utt, docs in sorted(by_utt.items()):
            chosen: dict[str, list[_QuoteRecord]] = {}
            for doc_id, qs in sorted(docs.items()):
                direct = [q for q in qs if q.quote_type == "direct"]
                if direct:
                    chosen[doc_id] = direct
            for (da, qa), (db, qb) in combinations(chosen.items(), 2):
                wa = [w for q in qa for w in q.words]
                wb = [w for q in qb for w in q.words]
                if min(len(wa), len(wb)) < LOW_OVERLAP_MIN_WORDS:
                    continue
                _, contained = word_overlap(wa, wb)
                if contained >= LOW_OVERLAP:
                    continue
                first = qa[0]
                yield _finding(
                    qb[0],
                    Code.LINT_LOW_OVERLAP_UTTERANCE,
                    f"the quotes of utterance `{utt}` in {db} share only {contained:.0%} of their "
                    f"words with those in {da} (`{first.quote_id}` at {first.file}:{first.line})",
                    "check the `utterance:` links: quotes of one utterance repeat the same words; "
                    "link a different utterance, or mark a paraphrase as `type: indirect`",
                )


def trigrams(q: _QuoteRecord) -> set[tuple[str, ...]]:
    """The distinct word trigrams of a quote: two quotes are a candidate pair of
    ``lint-possible-same-utterance`` when they share one. None for a quote too short to be
    reported (:data:`POSSIBLE_SAME_MIN_WORDS`) has none: no pair with it is."""
    if len(q.words) < POSSIBLE_SAME_MIN_WORDS:
        return set()
    return {q.words[k : k + 3] for k in range(len(q.words) - 2)}


def possible_same(qa: _QuoteRecord, qb: _QuoteRecord) -> Finding | None:
    """``lint-possible-same-utterance`` for one candidate pair, ``qa`` before ``qb`` in input
    order: quotes of different documents, not linked to one utterance, that share most words."""
    if qa.doc_id == qb.doc_id or qa.context & qb.context:
        return None  # linked to one utterance, directly or through the quote they are in
    if min(len(qa.words), len(qb.words)) < POSSIBLE_SAME_MIN_WORDS:
        return None
    _, contained = word_overlap(qa.words, qb.words)
    if contained < POSSIBLE_SAME_OVERLAP:
        return None
    at, other = (qb, qa) if qa.utterance and not qb.utterance else (qa, qb)
    if at.utterance is None and other.utterance is None:
        hint = "add an utterance to corpus.yaml and link both quotes to it with `utterance:`"
    elif at.utterance is None:
        hint = f"if it reports the same act of saying, add `utterance: {other.utterance}`"
    else:
        hint = (
            f"if both report one act of saying, link both to one utterance "
            f"(`{at.utterance}` or `{other.utterance}`)"
        )
    return _finding(
        at,
        Code.LINT_POSSIBLE_SAME_UTTERANCE,
        f"quote `{at.quote_id}` shares {contained:.0%} of its words with quote "
        f"`{other.quote_id}` in {other.doc_id} ({other.file}:{other.line}), but they are "
        "not linked to one utterance",
        hint,
    )


def _finding(at: _QuoteRecord, code: Code, message: str, hint: str) -> Finding:
    path = ("quotes", at.index, "utterance") if at.utterance else ("quotes", at.index)
    return Finding(
        at.file,
        at.line,
        at.col,
        code,
        Severity.WARNING,
        message,
        hint,
        "/" + "/".join(map(str, path)),
    )
