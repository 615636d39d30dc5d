"""``newsanno stats``, ``render`` and ``compare``: look at a corpus."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from newsanno.cli.base import EXIT_INVALID, _console, _corpus, guarded, main, print_report
from newsanno.model.findings import NewsannoError


@main.command()
@click.argument("corpus", type=click.Path(path_type=Path), default=Path("annotations"))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@guarded
def stats(corpus: Path, fmt: str) -> None:
    """Count annotations per layer for each document, and the cross-document links.

    CORPUS defaults to the current folder if it holds corpus.yaml, else annotations/.
    """
    from newsanno.dataset.stats import corpus_stats
    from newsanno.engines.local import load_corpus

    loaded, report = load_corpus(_corpus(corpus))
    if loaded is None:
        print_report(report, "text", _console(err=True))
        sys.exit(EXIT_INVALID)
    data = corpus_stats(loaded)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    console = _console()
    world = data["world"]
    console.print(
        f"corpus [bold]{escape(data['corpus'])}[/]: {world['entities']} entities, "
        f"{world['events']} events, {world['utterances']} utterances"
    )
    docs = data["documents"]
    table = Table("layer", *(d["doc_id"] for d in docs), "total")
    for key in (k for k in (docs[0] if docs else {}) if k != "doc_id"):
        values = [d[key] for d in docs]
        table.add_row(key, *map(str, values), str(sum(values)))
    console.print(table)
    for kind, links in data["cross_document"].items():
        console.print(f"[bold]{kind} in more than one document[/]: {len(links)}")
        for ident, docs in links.items():
            console.print(f"  {escape(ident)}: {', '.join(docs)}")


@main.command()
@click.argument("corpus", type=click.Path(), default="annotations")  # a URI keeps its //
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("dist/site"),
    show_default=True,
    help="Folder to write the site into (replaced only if an earlier render wrote it).",
)
@guarded
def render(corpus: Path, out: Path) -> None:
    """Write a static HTML view of a corpus: every layer highlighted, a page per world item.

    CORPUS defaults to the current folder if it holds corpus.yaml, else annotations/.

    Open OUT/index.html in a browser; it needs no server and no network.
    """
    from newsanno.engines.local import load_corpus
    from newsanno.view.render import render_site

    loaded, report = load_corpus(_corpus(corpus))
    if loaded is None:
        print_report(report, "text", _console(err=True))
        sys.exit(EXIT_INVALID)
    files = render_site(loaded, out)
    _console().print(
        f"wrote {len(files)} files to {escape(str(out))}; open {escape(str(out / 'index.html'))}"
    )


@main.command()
@click.argument("utterance", required=False)
@click.option(
    "--corpus",
    "corpus",
    type=click.Path(path_type=Path),
    default=Path("annotations"),
    show_default=True,
    help="The corpus folder (when the default is missing: the current folder, if a corpus).",
)
@guarded
def compare(utterance: str | None, corpus: Path) -> None:
    """Show how documents word the same utterance: a word-level diff of their quotes.

    Without UTTERANCE, list every utterance quoted in more than one document, with the similarity
    of each pair of documents. With UTTERANCE (an utterance id), show an inline diff for each pair
    and the list of differences, with their offsets in both article texts.
    """
    from newsanno.engines.local import load_corpus
    from newsanno.fidelity.align import compare_corpus, compare_utterance
    from newsanno.view.fidelity import LEGEND, render_pair

    loaded, report = load_corpus(_corpus(corpus), lint=False)
    if loaded is None:
        print_report(report, "text", _console(err=True))
        sys.exit(EXIT_INVALID)
    console = _console()
    utterances = {u.id: u for u in loaded.world.utterances}
    names = {e.id: e.name for e in loaded.world.entities}
    outlets = {
        d.model.doc_id: names.get(d.model.metadata.outlet or "", d.model.metadata.outlet or "")
        for d in loaded.documents
    }

    def title(ident: str) -> str:
        u = utterances.get(ident)
        if u is None:
            return ident
        bits = [names.get(u.speaker or "", u.speaker or ""), u.channel, u.date or ""]
        return f"{ident} ({', '.join(b for b in bits if b)})"

    if utterance is None:
        pairs = compare_corpus(loaded)
        shown = sorted({p.utterance_id for p in pairs})
        console.print(f"utterances quoted in more than one document: {len(shown)}")
        for ident in shown:
            console.print(f"[bold]{escape(title(ident))}[/]")
            for p in (p for p in pairs if p.utterance_id == ident):
                console.print(
                    f"  {escape(p.a.doc_id)} / {escape(p.b.doc_id)}: {p.relation}, "
                    f"similarity {p.similarity:.2f}"
                )
        if shown:
            console.print("show one with: newsanno compare UTTERANCE")
        return
    if utterance not in utterances:
        raise NewsannoError(
            f"no utterance has the id {utterance!r}; run `newsanno compare` to list them"
        )
    pairs = compare_utterance(loaded, utterance)
    if not pairs:
        raise NewsannoError(
            f"utterance {utterance!r} is quoted in fewer than two documents; nothing to compare"
        )
    console.print(f"[bold]{escape(title(utterance))}[/]")
    console.print(LEGEND, style="dim", highlight=False, markup=False)
    for p in pairs:
        console.print()
        for part in render_pair(p, outlets):
            console.print(part)
