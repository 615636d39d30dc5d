"""The pages of the static HTML view of a corpus (:mod:`newsanno.view.render` writes them): a page
per document with its layers highlighted, a page per world item, and the index."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from newsanno.dataset.stats import corpus_stats
from newsanno.model import (
    ARTICLE,
    LAYERS,
    Argument,
    Claim,
    Entity,
    Event,
    EventMention,
    Mention,
    Quote,
    Region,
    Span,
    SpanRef,
    Utterance,
)
from newsanno.model.corpus import Corpus, LoadedDocument
from newsanno.model.ontology import load_ontology
from newsanno.view.fidelity_html import fidelity_section
from newsanno.view.highlight import Part, highlight
from newsanno.view.markup import (
    annotation_link,
    bounds,
    esc,
    href,
    json_for_html,
    page,
    safe_url,
)

LAYER_LABELS = {
    "mentions": "Entities",
    "quotes": "Quotes",
    "claims": "Claims",
    "event_mentions": "Events",
    "regions": "Regions (not body)",
}
CARD_TITLES = {
    "mentions": "Mention",
    "quotes": "Quote",
    "claims": "Claim",
    "event_mentions": "Event mention",
    "regions": "Region",
}
_ENTITY_FIELDS = {"entity", "speaker", "platform", "addressee", "claimant", "place"}
_LOCAL_FIELDS = {"speaker_mention", "nested_in", "quote", "mention"}
_RTL_LANGUAGES = {"ar", "he", "fa", "ur", "yi", "ps", "dv", "sd", "ug", "ckb"}
CONTEXT = 70
"""Code points of context shown either side of a mention on world pages."""


class Site:
    """Everything needed to write the pages of one corpus."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        world = corpus.world
        self.entities: dict[str, Entity] = {e.id: e for e in world.entities}
        self.events: dict[str, Event] = {e.id: e for e in world.events}
        self.utterances: dict[str, Utterance] = {u.id: u for u in world.utterances}
        self.ontology = load_ontology()
        self.title = world.corpus.title

    # ---- small pieces

    def entity_name(self, ident: str | None) -> str:
        if ident is None:
            return "unknown"
        if ident == ARTICLE:
            return "the article"
        ent = self.entities.get(ident)
        return ent.name if ent else ident

    def entity_link(self, ident: str, root: str = "../") -> str:
        if ident == ARTICLE:
            return "the article itself"
        ent = self.entities.get(ident)
        if ent is None:
            return f"<code>{esc(ident)}</code>"
        return (
            f'<a href="{href("entities", ident, root)}">{esc(ent.name)}</a> '
            f'<span class="pill">{esc(ent.type)}</span>'
        )

    def event_link(self, ident: str, root: str = "../") -> str:
        ev = self.events.get(ident)
        label = f"{ident} ({ev.type}{', ' + ev.date if ev and ev.date else ''})" if ev else ident
        return f'<a href="{href("events", ident, root)}">{esc(label)}</a>'

    def utterance_link(self, ident: str, root: str = "../") -> str:
        u = self.utterances.get(ident)
        if u is None:
            return f"<code>{esc(ident)}</code>"
        label = f"{ident}: {self.entity_name(u.speaker)}, {u.channel.replace('_', ' ')}"
        if u.date:
            label += f", {u.date}"
        return f'<a href="{href("utterances", ident, root)}">{esc(label)}</a>'

    def crumbs(self, root: str, *trail: str) -> str:
        items = [f'<a href="{root}index.html">{esc(self.title)}</a>', *trail]
        return f'<div class="crumbs">{" › ".join(items)}</div>'

    # ---- documents

    def parts(self, doc: LoadedDocument) -> list[Part]:
        """The highlight parts of one document."""
        m = doc.model
        parts: list[Part] = []
        for r in m.regions:
            s, e = bounds(r.span)
            label = r.kind.replace("_", " ")
            parts.append(
                Part(
                    r.id,
                    r.id,
                    "regions",
                    "region",
                    s,
                    e,
                    "region",
                    f"region {r.id}: {label}",
                    label,
                )
            )
        for mn in m.mentions:
            s, e = bounds(mn.span)
            ent = self.entities.get(mn.entity)
            etype = ent.type if ent else "unknown"
            title = f"mention {mn.id}: {self.entity_name(mn.entity)} ({etype}, {mn.kind})"
            parts.append(
                Part(mn.id, mn.id, "mentions", "mention", s, e, f"mention t-{etype}", title)
            )
        for q in m.quotes:
            who = self.entity_name(q.speaker) if q.speaker else "unknown speaker"
            title = f"quote {q.id} ({q.type}) by {who}"
            for j, seg in enumerate(q.content):
                s, e = bounds(seg)
                label = who if j == 0 else f"{who} (cont.)"
                parts.append(
                    Part(
                        f"{q.id}/content/{j}", q.id, "quotes", "quote", s, e, "quote", title, label
                    )
                )
            if q.cue is not None:
                s, e = bounds(q.cue)
                parts.append(
                    Part(f"{q.id}/cue", q.id, "quotes", "cue", s, e, "cue", f"cue of {title}")
                )
        for c in m.claims:
            s, e = bounds(c.span)
            title = f"claim {c.id} ({c.type}{', check-worthy' if c.checkworthy else ''}) by {self.entity_name(c.claimant)}"
            parts.append(Part(c.id, c.id, "claims", "claim", s, e, "claim", title))
        for em in m.event_mentions:
            s, e = bounds(em.trigger)
            ev = self.events.get(em.event)
            title = f"event mention {em.id}: {ev.type if ev else em.event} ({em.realis})"
            parts.append(Part(em.id, em.id, "event_mentions", "trigger", s, e, "trigger", title))
        return parts

    def span_html(self, span: SpanRef) -> str:
        s, e = bounds(span)
        return (
            f'<span class="span-text">“{esc(span.text if isinstance(span, Span) else span)}”</span> '
            f'<span class="offsets">[{s}–{e}]</span>'
        )

    def local_link(self, ident: str) -> str:
        return f'<a href="#a-{esc(ident)}">{esc(ident)}</a>'

    def field_html(self, name: str, value: Any) -> str:
        if isinstance(value, Span):
            return self.span_html(value)
        if isinstance(value, list) and value and all(isinstance(v, Span) for v in value):
            return "<br>".join(self.span_html(v) for v in value)
        if name == "arguments":
            return "<br>".join(self.argument_html(a) for a in value)
        if isinstance(value, bool):
            return "yes" if value else "no"
        if name in _ENTITY_FIELDS:
            return self.entity_link(value)
        if name == "event":
            return self.event_link(value)
        if name == "utterance":
            return self.utterance_link(value)
        if name in _LOCAL_FIELDS:
            return self.local_link(value)
        return esc(value)

    def argument_html(self, arg: Argument) -> str:
        out = f"{esc(arg.role)}: {self.entity_link(arg.entity)}"
        if arg.mention:
            out += f" (mention {self.local_link(arg.mention)})"
        return out

    def card(self, layer: str, item: Region | Mention | Quote | Claim | EventMention) -> str:
        """The fields of one annotation, with links, as a ``<template>`` the script shows."""
        rows = []
        for name in type(item).model_fields:
            value = getattr(item, name)
            if value is None or value == [] or name == "id":
                continue
            rows.append(
                f"<dt>{esc(name.replace('_', ' '))}</dt><dd>{self.field_html(name, value)}</dd>"
            )
        kind = getattr(item, "type", None) or getattr(item, "kind", None) or ""
        return (
            f'<template id="card-{esc(item.id)}"><div class="card c-{layer}">'
            f'<h3>{CARD_TITLES[layer]} <a href="#a-{esc(item.id)}">{esc(item.id)}</a>'
            f' <span class="pill">{esc(kind)}</span></h3><dl>{"".join(rows)}</dl></div></template>'
        )

    def document_page(self, doc: LoadedDocument) -> str:
        m = doc.model
        meta = m.metadata
        info = []
        if meta.outlet:
            info.append(f"<span>{self.entity_link(meta.outlet)}</span>")
        if meta.published:
            info.append(f"<span>published {esc(meta.published)}</span>")
        info.append(f"<span>language {esc(meta.language)}</span>")
        url = safe_url(meta.url)
        if url:
            info.append(f'<span><a href="{esc(url)}" rel="noreferrer noopener">source</a></span>')
        elif meta.url:
            info.append(f"<span>{esc(meta.url)}</span>")
        info.append(f"<span>{len(doc.text)} characters</span>")
        header = (
            self.crumbs("../", "documents", esc(m.doc_id))
            + f"<h1>{esc(meta.title or m.doc_id)}</h1>"
            + f'<div class="meta">{"".join(info)}</div>'
        )
        toggles = []
        for layer in ("mentions", "quotes", "claims", "event_mentions", "regions"):
            n = len(getattr(m, layer))
            sample = {
                "mentions": '<span class="sample mention t-PER">A</span>',
                "quotes": '<span class="sample quote">“”</span>',
                "claims": '<span class="sample claim">c</span>',
                "event_mentions": '<span class="sample trigger">e</span>',
                "regions": '<span class="sample region">r</span>',
            }[layer]
            toggles.append(
                f'<label><input type="checkbox" checked data-layer-toggle="{layer}"> '
                f'{sample} {LAYER_LABELS[layer]} <span class="count">{n}</span></label>'
            )
        used = sorted(
            {self.entities[x.entity].type for x in m.mentions if x.entity in self.entities}
        )
        legend = "".join(f'<span class="mention t-{esc(t)}">{esc(t)}</span>' for t in used)
        cue_note = '<span class="muted">quote cue: <span class="cue">said</span></span>'
        cards: list[str] = []
        lists: list[str] = []
        for layer in LAYERS:
            items = getattr(m, layer)
            cards.extend(self.card(layer, item) for item in items)
            if items:
                rows = "".join(
                    f'<li><a href="#a-{esc(item.id)}">{esc(item.id)}</a> {esc(self.summary(layer, item))}</li>'
                    for item in items
                )
                lists.append(
                    f'<details class="layer"><summary>{LAYER_LABELS[layer]} ({len(items)})</summary>'
                    f'<ul class="plain">{rows}</ul></details>'
                )
        direction = "rtl" if meta.language.split("-")[0] in _RTL_LANGUAGES else "auto"
        parts = self.parts(doc)
        data = {
            "doc_id": m.doc_id,
            "parts": {p.key: [p.start, p.end] for p in parts},
            "annotations": json.loads(m.model_dump_json(exclude_none=True)),
        }
        body = (
            f'<div class="toolbar" role="group" aria-label="layers">{"".join(toggles)} {cue_note}</div>'
            f'<div class="legend">{legend}</div>'
            '<div class="doc-layout"><article>'
            f'<div class="text" lang="{esc(meta.language)}" dir="{direction}">'
            f"{highlight(doc.text, parts)}</div>"
            f"<h2>Annotations</h2>{''.join(lists) or '<p class=muted>none</p>'}"
            f'<p class="muted">Source: <code>{esc(doc.file)}</code></p>'
            "</article>"
            '<aside class="panel"><div id="panel-cards">'
            '<p class="hint">Click a highlight to see its annotations (innermost first), '
            "with links to the entity, event or utterance.</p></div></aside></div>"
            + "".join(cards)
            + f'<script type="application/json" id="newsanno-data">{json_for_html(data)}</script>'
        )
        return page(f"{m.doc_id} · {self.title}", header, body, root="../", script=True)

    def summary(self, layer: str, item: Any) -> str:
        """A one-line description of an annotation for lists."""
        if layer == "quotes":
            text = " … ".join(str(s.text) for s in item.content)
            return f"{self.entity_name(item.speaker)}: “{_clip(text, 90)}”"
        if layer == "event_mentions":
            ev = self.events.get(item.event)
            return f"“{item.trigger.text}” → {ev.type if ev else item.event} ({item.realis})"
        if layer == "mentions":
            return f"“{item.span.text}” → {self.entity_name(item.entity)}"
        if layer == "claims":
            return f"{item.type}: {_clip(item.statement, 90)}"
        return f"{item.kind}: “{_clip(str(item.span.text), 60)}”"

    # ---- world pages

    def context_row(self, doc: LoadedDocument, span: SpanRef, hit_class: str, anchor: str) -> str:
        s, e = bounds(span)
        left, right = doc.text[max(0, s - CONTEXT) : s], doc.text[e : e + CONTEXT]
        left = ("…" if s > CONTEXT else "") + _oneline(left)
        right = _oneline(right) + ("…" if e + CONTEXT < len(doc.text) else "")
        return (
            f"<td>{annotation_link(doc.model.doc_id, anchor)}</td>"
            f'<td class="ctx">{esc(left)}<span class="{hit_class}">{esc(_oneline(doc.text[s:e]))}</span>'
            f"{esc(right)}</td>"
        )

    def entity_page(self, ent: Entity) -> str:
        docs = self.corpus.documents
        rows = []
        for d in docs:
            for mn in d.model.mentions:
                if mn.entity == ent.id:
                    rows.append(
                        f"<tr>{self.context_row(d, mn.span, f'hit t-{ent.type}', mn.id)}"
                        f"<td>{esc(mn.kind)}</td></tr>"
                    )
        quotes = []
        for d in docs:
            for q in d.model.quotes:
                if q.speaker == ent.id:
                    quotes.append(self.quote_row(d, q))
        claims = [
            f"<tr><td>{annotation_link(d.model.doc_id, c.id)}</td>"
            f"<td>{esc(c.type)}</td><td>{esc(c.statement)}</td></tr>"
            for d in docs
            for c in d.model.claims
            if c.claimant == ent.id
        ]
        utterances = [u for u in self.utterances.values() if u.speaker == ent.id]
        events = [
            (ev, p.role)
            for ev in self.events.values()
            for p in ev.participants
            if p.entity == ent.id
        ]
        facts = [("type", esc(ent.type)), ("name", esc(ent.name))]
        if ent.aliases:
            facts.append(("aliases", ", ".join(esc(a) for a in ent.aliases)))
        if ent.wikidata:
            facts.append(
                (
                    "wikidata",
                    f'<a href="https://www.wikidata.org/wiki/{esc(ent.wikidata)}">{esc(ent.wikidata)}</a>',
                )
            )
        for name in ("description", "note"):
            if getattr(ent, name):
                facts.append((name, esc(getattr(ent, name))))
        body = [_facts(facts)]
        body.append(f"<h2>Mentions ({len(rows)})</h2>")
        body.append(
            f'<table class="grid kwic"><tr><th>document</th><th>in context</th><th>kind</th></tr>{"".join(rows)}</table>'
            if rows
            else '<p class="muted">No mentions.</p>'
        )
        if quotes:
            body.append(f"<h2>Quoted ({len(quotes)})</h2>{_quote_table(quotes)}")
        if claims:
            body.append(
                f'<h2>Claims ({len(claims)})</h2><table class="grid"><tr><th>document</th><th>type</th>'
                f"<th>statement</th></tr>{''.join(claims)}</table>"
            )
        if utterances:
            items = "".join(f"<li>{self.utterance_link(u.id)}</li>" for u in utterances)
            body.append(f'<h2>Utterances</h2><ul class="plain">{items}</ul>')
        if events:
            items = "".join(
                f"<li>{self.event_link(ev.id)} as {esc(role)}</li>" for ev, role in events
            )
            body.append(f'<h2>Takes part in</h2><ul class="plain">{items}</ul>')
        header = self.crumbs("../", "entities", esc(ent.id)) + f"<h1>{esc(ent.name)}</h1>"
        return page(f"{ent.name} · {self.title}", header, "".join(body), root="../")

    def quote_row(self, doc: LoadedDocument, q: Quote) -> str:
        text = " … ".join(esc(s.text if isinstance(s, Span) else s) for s in q.content)
        cue = esc(q.cue.text) if isinstance(q.cue, Span) else ""
        return (
            f"<tr><td>{annotation_link(doc.model.doc_id, q.id)}</td><td>{esc(q.type)}</td>"
            f'<td class="ctx"><span class="q">“{text}”</span></td><td>{cue}</td>'
            f"<td>{self.utterance_link(q.utterance) if q.utterance else ''}</td></tr>"
        )

    def event_page(self, ev: Event) -> str:
        rows = []
        for d in self.corpus.documents:
            for em in d.model.event_mentions:
                if em.event == ev.id:
                    args = "<br>".join(self.argument_html_world(d, a) for a in em.arguments)
                    rows.append(
                        f"<tr>{self.context_row(d, em.trigger, 'hit', em.id)}<td>{esc(em.realis)}</td>"
                        f"<td>{args}</td></tr>"
                    )
        facts = [("type", esc(ev.type))]
        if ev.date:
            facts.append(("date", esc(ev.date)))
        if ev.place:
            facts.append(("place", self.entity_link(ev.place)))
        for p in ev.participants:
            facts.append((p.role, self.entity_link(p.entity)))
        for name in ("description", "note"):
            if getattr(ev, name):
                facts.append((name, esc(getattr(ev, name))))
        table = (
            '<table class="grid kwic"><tr><th>document</th><th>trigger in context</th>'
            f"<th>realis</th><th>arguments</th></tr>{''.join(rows)}</table>"
            if rows
            else '<p class="muted">No event mentions.</p>'
        )
        header = (
            self.crumbs("../", "events", esc(ev.id))
            + f"<h1>{esc(ev.id)} <span class='pill'>{esc(ev.type)}</span></h1>"
        )
        body = _facts(facts) + f"<h2>Mentions ({len(rows)})</h2>" + table
        return page(f"{ev.id} · {self.title}", header, body, root="../")

    def argument_html_world(self, doc: LoadedDocument, arg: Argument) -> str:
        return f"{esc(arg.role)}: {self.entity_link(arg.entity)}"

    def utterance_page(self, u: Utterance) -> str:
        found = [
            (d, q) for d in self.corpus.documents for q in d.model.quotes if q.utterance == u.id
        ]
        facts = [("speaker", self.entity_link(u.speaker) if u.speaker else "unknown")]
        facts.append(("channel", esc(u.channel.replace("_", " "))))
        for name in ("platform", "addressee", "place"):
            value = getattr(u, name)
            if value:
                facts.append((name, self.entity_link(value)))
        for name in ("date", "description", "note"):
            if getattr(u, name):
                facts.append((name, esc(getattr(u, name))))
        body = _facts(facts) + f"<h2>Reported in ({len(found)})</h2>"
        body += (
            _quote_table([self.quote_row(d, q) for d, q in found])
            if found
            else ('<p class="muted">No quote reports this utterance.</p>')
        )
        body += "<h2>Fidelity</h2>" + fidelity_section(self.corpus, u, found)
        title = f"{self.entity_name(u.speaker)}, {u.channel.replace('_', ' ')}"
        header = self.crumbs("../", "utterances", esc(u.id)) + f"<h1>{esc(title)}</h1>"
        return page(f"{u.id} · {self.title}", header, body, root="../")

    # ---- index

    def index_page(self) -> str:
        stats = corpus_stats(self.corpus)
        world = self.corpus.world
        cols = ["characters", "mentions", "quotes", "claims", "event_mentions", "regions"]
        rows = []
        for row, d in zip(stats["documents"], self.corpus.documents, strict=True):
            meta = d.model.metadata
            cells = "".join(f'<td class="num">{row[c]}</td>' for c in cols)
            rows.append(
                f'<tr><td><a href="{href("documents", d.model.doc_id, "")}">{esc(d.model.doc_id)}</a></td>'
                f"<td>{esc(self.entity_name(meta.outlet) if meta.outlet else '')}</td>"
                f"<td>{esc(meta.title or '')}</td><td>{esc(meta.published or '')}</td>{cells}</tr>"
            )
        heads = "".join(f'<th class="num">{esc(c.replace("_", " "))}</th>' for c in cols)
        body = [
            f"<h2>Documents ({len(rows)})</h2>",
            f'<table class="grid"><tr><th>document</th><th>outlet</th><th>title</th><th>published</th>{heads}</tr>'
            f"{''.join(rows)}</table>",
            "<h2>Shared across documents</h2>",
        ]
        link = {
            "entities": self.entity_link,
            "events": self.event_link,
            "utterances": self.utterance_link,
        }
        shared = []
        for kind, links in stats["cross_document"].items():
            for ident, doc_ids in links.items():
                docs = ", ".join(
                    f'<a href="{href("documents", x, "")}">{esc(x)}</a>' for x in doc_ids
                )
                shared.append(
                    f"<tr><td>{esc(kind)}</td><td>{link[kind](ident, '')}</td><td>{docs}</td></tr>"
                )
        body.append(
            f'<table class="grid"><tr><th>kind</th><th>item</th><th>documents</th></tr>{"".join(shared)}</table>'
            if shared
            else '<p class="muted">No world item is annotated in more than one document.</p>'
        )
        by_type: dict[str, list[Entity]] = defaultdict(list)
        for e in world.entities:
            by_type[e.type].append(e)
        ents = "".join(
            f"<tr><td>{esc(t)}</td><td>"
            + ", ".join(
                f'<a href="{href("entities", e.id, "")}">{esc(e.name)}</a>' for e in by_type[t]
            )
            + "</td></tr>"
            for t in self.ontology.entity_types
            if t in by_type
        )
        body.append(f"<h2>Entities ({len(world.entities)})</h2><table class='grid'>{ents}</table>")
        evs = "".join(f"<li>{self.event_link(e.id, '')}</li>" for e in world.events)
        body.append(f"<h2>Events ({len(world.events)})</h2><ul class='plain'>{evs}</ul>")
        uts = "".join(f"<li>{self.utterance_link(u.id, '')}</li>" for u in world.utterances)
        body.append(f"<h2>Utterances ({len(world.utterances)})</h2><ul class='plain'>{uts}</ul>")
        info = world.corpus
        facts = [f"<span>{esc(info.id)}</span>", f"<span>language {esc(info.language)}</span>"]
        if info.license:
            facts.append(f"<span>{esc(info.license)}</span>")
        header = (
            f'<div class="crumbs">newsanno corpus</div><h1>{esc(info.title)}</h1>'
            f'<div class="meta">{"".join(facts)}</div>'
        )
        if info.description:
            body.insert(0, f"<p>{esc(info.description)}</p>")
        return page(self.title, header, "".join(body), root="")

    def pages(self) -> Iterable[tuple[str, str]]:
        """Every page as (relative path, HTML)."""
        yield "index.html", self.index_page()
        for d in self.corpus.documents:
            yield f"documents/{d.model.doc_id}.html", self.document_page(d)
        for e in self.entities.values():
            yield f"entities/{e.id}.html", self.entity_page(e)
        for ev in self.events.values():
            yield f"events/{ev.id}.html", self.event_page(ev)
        for u in self.utterances.values():
            yield f"utterances/{u.id}.html", self.utterance_page(u)


def _clip(text: str, width: int) -> str:
    text = _oneline(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _oneline(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _facts(facts: list[tuple[str, str]]) -> str:
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in facts)
    return f'<table class="grid facts">{rows}</table>'


def _quote_table(rows: list[str]) -> str:
    return (
        '<table class="grid kwic"><tr><th>document</th><th>type</th><th>words</th><th>cue</th>'
        f"<th>utterance</th></tr>{''.join(rows)}</table>"
    )
