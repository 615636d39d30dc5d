"""The fast check of one JSONL document: clean documents only, in one pass, straight to rows.

The bulk path parses each line with orjson and runs :class:`FastChecker` on it. The fast check
accepts a document only when the full validator (JSON Schema, model, anchors, meaning checks,
lints) would report nothing for it, and then appends its export rows as tuples. Anything
unusual (a missing field, a text anchor that is not unique, a nested quote, a lint hit, ...) makes
it decline, and the caller runs the full validator on that line, so every finding keeps its exact
message and position. The fast check may decline a clean document (that only costs time); it
must never accept one the full validator would report on. ``tests/test_bulk.py`` checks this on
the golden cases and on mutated synthetic documents.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, ClassVar

from jsonschema import Draft202012Validator

from newsanno.model import ARTICLE, DATE_PATTERN, DOC_ID_PATTERN, ID_PATTERN, LANGUAGE_PATTERN
from newsanno.model import check_date as _check_date
from newsanno.model.ontology import load_ontology
from newsanno.rules.checks import World
from newsanno.rules.lints import unannotated_names, unquoted_pairs
from newsanno.rules.nesting import nesting_problem

_ID = re.compile(ID_PATTERN.strip("^$"))
_DOC_ID = re.compile(DOC_ID_PATTERN.strip("^$"))
_DATE = re.compile(DATE_PATTERN.strip("^$"))
_LANGUAGE = re.compile(LANGUAGE_PATTERN.strip("^$"))
_IS_URI = Draft202012Validator.FORMAT_CHECKER


def _split(names: str) -> list[str]:
    return names.split()


def _words(names: str) -> frozenset[str]:
    return frozenset(names.split())


DOC_KEYS = _words(
    "schema_version doc_id text_path text text_sha256 metadata regions mentions quotes claims "
    "event_mentions"
)
DOC_REQUIRED = _words("schema_version doc_id text text_sha256 metadata")
META_KEYS = _words("outlet title published language url source note")
SPAN_KEYS = frozenset(("start", "end", "text"))
REGION_KEYS = _words("id span kind note")
REGION_REQUIRED = _words("id span kind")
MENTION_KEYS = _words("id span entity kind note")
MENTION_REQUIRED = _words("id span entity kind")
QUOTE_KEYS = _words(
    "id type content cue speaker speaker_mention addressee channel platform date utterance "
    "nested_in note"
)
QUOTE_REQUIRED = _words("id type content")
CLAIM_KEYS = _words("id span claimant quote type checkworthy statement fact_check note")
CLAIM_REQUIRED = _words("id span claimant type checkworthy statement")
EVENT_MENTION_KEYS = _words("id trigger event realis arguments note")
EVENT_MENTION_REQUIRED = _words("id trigger event realis")
ARGUMENT_KEYS = _words("role entity mention")
ARGUMENT_REQUIRED = _words("role entity")
LAYER_KEYS = ("regions", "mentions", "quotes", "claims", "event_mentions")
# regions and mentions have one optional key, `note`: their length tells whether others are there
assert REGION_KEYS - REGION_REQUIRED == MENTION_KEYS - MENTION_REQUIRED == {"note"}
_REGION_N, _MENTION_N = len(REGION_REQUIRED), len(MENTION_REQUIRED)


class Decline(Exception):
    """The fast check cannot vouch for this document: run the full validator on it."""


class Columns:
    """Rows of the document tables, filled document by document; columns once per row group."""

    TABLES: ClassVar[dict[str, tuple[str, ...]]] = {
        "documents": tuple(
            _split(
                "doc_id outlet title published language url source note text text_sha256 text_path "
                "annotation_file annotation_line"
            )
        ),
        "regions": tuple(_split("doc_id region_id ordinal region_type start end text note")),
        "mentions": tuple(
            _split("doc_id mention_id ordinal entity_id start end text mention_type note")
        ),
        "quotes": tuple(
            _split(
                "doc_id quote_id ordinal speaker_entity_id speaker_mention_id quote_type start end "
                "text segments cue_start cue_end cue_text addressee_entity_id channel "
                "platform_entity_id date utterance_id nested_in_quote_id note"
            )
        ),
        "claims": tuple(
            _split(
                "doc_id claim_id ordinal claimant_kind claimant_entity_id quote_id start end text "
                "claim_type checkworthy statement fact_check_url fact_checker fact_check_rating note"
            )
        ),
        "event_mentions": tuple(
            _split("doc_id event_mention_id ordinal event_id start end text realis note")
        ),
        "event_arguments": tuple(
            _split("doc_id event_mention_id ordinal event_id role entity_id mention_id")
        ),
    }

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in self.TABLES}
        """Row tuples per table (transposed into columns once per row group, in C)."""

    def mark(self) -> list[int]:
        return [len(rows) for rows in self.rows.values()]

    def rollback(self, mark: list[int]) -> None:
        for rows, n in zip(self.rows.values(), mark, strict=True):
            del rows[n:]

    def columns(self, table: str) -> list[tuple[Any, ...]]:
        """The table's buffered rows as one sequence per column."""
        rows = self.rows[table]
        if not rows:
            return [() for _ in self.TABLES[table]]
        return list(zip(*rows, strict=True))

    def clear(self) -> None:
        for rows in self.rows.values():
            rows.clear()


class FastChecker:
    """Checks clean documents against one world, fast; declines everything else."""

    def __init__(self, world: World, *, lint: bool = True) -> None:
        ontology = load_ontology()
        self.lint = lint
        self.entities = {i: e.type for i, e in world.entities.items()}
        self.events = {i: e.type for i, e in world.events.items()}
        self.utterances = {
            i: (u.speaker, u.channel, u.platform, u.addressee, u.date)
            for i, u in world.utterances.items()
        }
        # ids held by more than one kind of world item are reported by kind_of's order; decline
        clash = (self.entities.keys() & self.events.keys()) | (
            self.utterances.keys() & (self.entities.keys() | self.events.keys())
        )
        for ident in clash:
            self.entities.pop(ident, None)
            self.events.pop(ident, None)
            self.utterances.pop(ident, None)
        types = ontology.reference_types
        self.of_type = {
            ref: frozenset(i for i, t in self.entities.items() if t in allowed)
            for ref, allowed in types.items()
        }
        self.roles = {etype: frozenset(ontology.roles_for(etype)) for etype in ontology.event_types}
        self.region_kinds = frozenset(ontology.region_kinds)
        self.mention_kinds = frozenset(ontology.mention_kinds)
        self.quote_types = frozenset(ontology.quote_types)
        self.channels = frozenset(ontology.channels)
        self.claim_types = frozenset(ontology.claim_types)
        self.realis = frozenset(ontology.realis)
        self.names = world.names
        self.good_ids: set[str] = set()
        self.good_dates: set[str] = set()

    # -- small checks --------------------------------------------------------------------

    def _id(self, value: Any) -> str:
        if value in self.good_ids:
            return value
        if type(value) is not str or _ID.fullmatch(value) is None:
            raise Decline
        if len(self.good_ids) < 100_000:
            self.good_ids.add(value)
        return value

    def _date(self, value: Any) -> Any:
        if value is None or value in self.good_dates:
            return value
        if type(value) is not str or _DATE.fullmatch(value) is None:
            raise Decline
        try:
            _check_date(value)
        except ValueError:
            raise Decline from None
        if len(self.good_dates) < 100_000:
            self.good_dates.add(value)
        return value

    @staticmethod
    def _opt_str(value: Any) -> Any:
        if value is not None and type(value) is not str:
            raise Decline
        return value

    def _entity(self, value: Any, ref: str | None = None) -> Any:
        if value is None:
            return None
        if ref is None:
            if value not in self.entities:
                raise Decline
        elif value not in self.of_type[ref]:
            raise Decline
        return value

    # -- spans -----------------------------------------------------------------------------

    @staticmethod
    def _span(span: Any, text: str, size: int) -> tuple[int, int, str]:
        """(start, end, text) of an anchor that resolves cleanly; Decline otherwise."""
        if type(span) is dict:
            if len(span) != 2 and (len(span) != 3 or "text" not in span):
                raise Decline  # a key other than start, end and text (or one missing: below)
            start, end = span.get("start"), span.get("end")
            if type(start) is not int or type(end) is not int or not 0 <= start < end <= size:
                raise Decline
            actual = text[start:end]
            given = span.get("text", actual)
            if given != actual:  # also declines a non-string `text`
                raise Decline
            return start, end, actual
        if type(span) is str and span:
            start = text.find(span)
            if start == -1 or text.find(span, start + 1) != -1:
                raise Decline
            return start, start + len(span), span
        raise Decline

    # -- one document ------------------------------------------------------------------------

    def check(
        self, data: Any, cols: Columns, file: str, line: int, *, trusted: bool = False
    ) -> str:
        """Check one parsed document and append its rows; return its doc_id. Raises Decline.

        ``trusted`` is for a document the full validator passed: it only builds the rows.
        """
        if type(data) is not dict:
            raise Decline
        keys = data.keys()
        if not (DOC_REQUIRED <= keys <= DOC_KEYS) or "text_path" in keys:
            raise Decline
        if data["schema_version"] != "1.0":
            raise Decline
        doc_id = data["doc_id"]
        text = data["text"]
        if type(doc_id) is not str or _DOC_ID.fullmatch(doc_id) is None or type(text) is not str:
            raise Decline
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != data["text_sha256"]:
            raise Decline
        meta = data["metadata"]
        if type(meta) is not dict or not meta.keys() <= META_KEYS:
            raise Decline
        language = meta.get("language")
        if type(language) is not str or _LANGUAGE.fullmatch(language) is None:
            raise Decline
        get = meta.get
        outlet = get("outlet")
        if outlet is not None:
            self._entity(outlet, "outlet")
        url = self._opt_str(get("url"))
        if url is not None and not _IS_URI.conforms(url, "uri"):
            raise Decline
        published = self._date(get("published"))
        title, source, note = (self._opt_str(get(k)) for k in ("title", "source", "note"))
        size = len(text)
        span = self._span
        check_id = self._id
        good_ids = self.good_ids
        ids: list[str] = []
        spans: set[tuple[Any, ...]] = set()  # (layer, key) pairs for the duplicate check
        n_spans = 0

        # regions
        regions = data.get("regions", ())
        if type(regions) is not list and regions != ():
            raise Decline
        region_spans: list[tuple[int, int]] = []
        c = cols.rows["regions"]
        for i, r in enumerate(regions):
            # required keys are indexed below (a KeyError declines too); no other keys
            if type(r) is not dict or (
                len(r) != _REGION_N and (len(r) != _REGION_N + 1 or "note" not in r)
            ):
                raise Decline
            s, e, t = span(r["span"], text, size)
            kind = r["kind"]
            if kind not in self.region_kinds:
                raise Decline
            ident = r["id"]
            if ident not in good_ids:
                check_id(ident)
            ids.append(ident)
            spans.add(("r", s, e))
            n_spans += 1
            region_spans.append((s, e))
            note = r.get("note")
            if note is not None and type(note) is not str:
                raise Decline
            c.append((doc_id, ident, i, kind, s, e, t, note))

        # mentions
        mentions = data.get("mentions", ())
        if type(mentions) is not list and mentions != ():
            raise Decline
        mention_entity: dict[str, str] = {}
        covered: list[tuple[int, int]] = []
        c = cols.rows["mentions"]
        entities = self.entities
        kinds = self.mention_kinds
        for i, m in enumerate(mentions):
            if type(m) is not dict or (
                len(m) != _MENTION_N and (len(m) != _MENTION_N + 1 or "note" not in m)
            ):
                raise Decline
            s, e, t = span(m["span"], text, size)
            entity = m["entity"]
            kind = m["kind"]
            if entity not in entities or kind not in kinds:
                raise Decline
            ident = m["id"]
            if ident not in good_ids:
                check_id(ident)
            ids.append(ident)
            mention_entity[ident] = entity
            spans.add(("m", s, e, entity))
            n_spans += 1
            covered.append((s, e))
            note = m.get("note")
            if note is not None and type(note) is not str:
                raise Decline
            c.append((doc_id, ident, i, entity, s, e, t, kind, note))

        # quotes
        quotes = data.get("quotes", ())
        if type(quotes) is not list and quotes != ():
            raise Decline
        quote_speaker: dict[str, Any] = {}
        segments_all: list[tuple[int, int]] = []
        nesting: dict[str, tuple[Any, list[tuple[int, int, str]]]] = {}  # nested_in, segments
        nested = False
        c = cols.rows["quotes"]
        for i, q in enumerate(quotes):
            if type(q) is not dict or not (QUOTE_REQUIRED <= q.keys() <= QUOTE_KEYS):
                raise Decline
            nested_in = q.get("nested_in")
            qtype = q["type"]
            if qtype not in self.quote_types:
                raise Decline
            content = q["content"]
            if type(content) is not list or not content:
                raise Decline
            segs = [span(x, text, size) for x in content]
            cue_ref = q.get("cue")
            cue = span(cue_ref, text, size) if cue_ref is not None else None
            get = q.get
            speaker = self._entity(get("speaker"), "speaker")
            addressee = self._entity(get("addressee"), "addressee")
            platform = self._entity(get("platform"), "platform")
            channel = get("channel")
            if channel is not None and channel not in self.channels:
                raise Decline
            date = self._date(get("date"))
            sm = get("speaker_mention")
            if sm is not None and (speaker is None or mention_entity.get(sm) != speaker):
                raise Decline
            utterance = get("utterance")
            if utterance is not None:
                u = self.utterances.get(utterance)
                if u is None:
                    raise Decline
                for mine, theirs in zip(
                    (speaker, channel, platform, addressee), u[:4], strict=True
                ):
                    if mine is not None and theirs is not None and mine != theirs:
                        raise Decline
                u_date = u[4]
                if date and u_date and not (date.startswith(u_date) or u_date.startswith(date)):
                    raise Decline
            ident = check_id(q["id"])
            ids.append(ident)
            quote_speaker[ident] = speaker
            nesting[ident] = (nested_in, segs)
            nested = nested or nested_in is not None
            spans.add(("q", *(x[:2] for x in segs)))
            n_spans += 1
            segments_all.extend(x[:2] for x in segs)
            values: tuple[Any, ...] = (
                doc_id,
                ident,
                i,
                speaker,
                sm,
                qtype,
                min(x[0] for x in segs),
                max(x[1] for x in segs),
                " ".join(x[2] for x in segs),
                [{"start": x[0], "end": x[1], "text": x[2]} for x in segs],
                cue[0] if cue else None,
                cue[1] if cue else None,
                cue[2] if cue else None,
                addressee,
                channel,
                platform,
                date,
                utterance,
                nested_in,
                self._opt_str(get("note")),
            )
            c.append(values)

        if nested and not trusted:
            self._nesting(quotes, nesting)

        # claims
        claims = data.get("claims", ())
        if type(claims) is not list and claims != ():
            raise Decline
        c = cols.rows["claims"]
        for i, cl in enumerate(claims):
            if type(cl) is not dict or not (CLAIM_REQUIRED <= cl.keys() <= CLAIM_KEYS):
                raise Decline
            s, e, t = span(cl["span"], text, size)
            claimant = cl["claimant"]
            by_article = claimant == ARTICLE
            if not by_article:
                self._entity(claimant, "claimant")
            quote = cl.get("quote")
            if quote is not None:
                if quote not in quote_speaker:
                    raise Decline
                speaker = quote_speaker[quote]
                if speaker is not None and claimant != speaker:
                    raise Decline
            ctype = cl["type"]
            checkworthy = cl["checkworthy"]
            statement = cl["statement"]
            if ctype not in self.claim_types or type(checkworthy) is not bool:
                raise Decline
            if type(statement) is not str or not statement:
                raise Decline
            fact = cl.get("fact_check")
            if fact is not None:  # rare: the full validator checks it (its URL), then rows here
                if not trusted or type(fact) is not dict:
                    raise Decline
                fact = (fact["url"], fact["fact_checker"], fact["rating"])
            ident = check_id(cl["id"])
            ids.append(ident)
            spans.add(("c", s, e, claimant, statement))
            n_spans += 1
            row: tuple[Any, ...] = (
                doc_id,
                ident,
                i,
                "article" if by_article else "entity",
                None if by_article else claimant,
                quote,
                s,
                e,
                t,
                ctype,
                checkworthy,
                statement,
                *(fact or (None, None, None)),  # fact_check_url, fact_checker, fact_check_rating
                self._opt_str(cl.get("note")),
            )
            c.append(row)

        # event mentions and their arguments
        event_mentions = data.get("event_mentions", ())
        if type(event_mentions) is not list and event_mentions != ():
            raise Decline
        c = cols.rows["event_mentions"]
        ca = cols.rows["event_arguments"]
        for i, em in enumerate(event_mentions):
            if type(em) is not dict or not (
                EVENT_MENTION_REQUIRED <= em.keys() <= EVENT_MENTION_KEYS
            ):
                raise Decline
            s, e, t = span(em["trigger"], text, size)
            event = em["event"]
            realis = em["realis"]
            etype = self.events.get(event)
            if etype is None or realis not in self.realis:
                raise Decline
            ident = check_id(em["id"])
            ids.append(ident)
            spans.add(("e", s, e, event))
            n_spans += 1
            arguments = em.get("arguments", ())
            if type(arguments) is not list and arguments != ():
                raise Decline
            allowed = self.roles[etype]
            for j, arg in enumerate(arguments):
                if type(arg) is not dict or not (ARGUMENT_REQUIRED <= arg.keys() <= ARGUMENT_KEYS):
                    raise Decline
                role, entity = arg["role"], arg["entity"]
                mention = arg.get("mention")
                if role not in allowed or entity not in entities:
                    raise Decline
                if mention is not None and mention_entity.get(mention) != entity:
                    raise Decline
                ca.append((doc_id, ident, j, event, role, entity, mention))
            c.append((doc_id, ident, i, event, s, e, t, realis, self._opt_str(em.get("note"))))

        if len(set(ids)) != len(ids) or len(spans) != n_spans:
            raise Decline  # an id used twice, or an annotation repeated
        if self.lint and not trusted:
            self._lint(text, segments_all, region_spans, covered)
        cols.rows["documents"].append(
            (
                doc_id,
                outlet,
                title,
                published,
                language,
                url,
                source,
                note,
                text,
                data["text_sha256"],
                None,
                file,
                line,
            )
        )
        return doc_id

    @staticmethod
    def _nesting(
        quotes: list[Any], nesting: dict[str, tuple[Any, list[tuple[int, int, str]]]]
    ) -> None:
        """Decline unless every nested quote keeps the nesting rule (:mod:`newsanno.rules.nesting`)."""
        if len(nesting) != len(quotes):
            raise Decline  # a repeated quote id
        nested_in = {i: v[0] for i, v in nesting.items()}
        content = {i: [x[:2] for x in v[1]] for i, v in nesting.items()}
        for quote, outer in nested_in.items():
            if outer is None:
                continue
            if type(outer) is not str or outer not in nested_in:
                raise Decline  # a dangling or wrong-kind reference, for the full validator
            if nesting_problem(quote, outer, content[quote], nested_in, content) is not None:
                raise Decline

    def _lint(
        self,
        text: str,
        segments: list[tuple[int, int]],
        regions: list[tuple[int, int]],
        mentions: list[tuple[int, int]],
    ) -> None:
        """Decline a document that any lint (:mod:`newsanno.rules.lints`) has a hit in."""
        for _ in unquoted_pairs(text, segments, regions):
            raise Decline
        for _ in unannotated_names(text, mentions + regions, self.names):
            raise Decline
