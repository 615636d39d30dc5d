"""The static HTML view (`newsanno render`) and the HTML validation report.

Pure-Python tests check the highlighting (a property test over arbitrary Unicode and spans).
The tests marked ``browser`` open the pages in headless Chromium (Debian's ``/usr/bin/chromium``,
driven by Playwright): layer toggles, click details, exact highlight offsets in the DOM, escaping,
and a screenshot of each seed document under ``test-artifacts/render/``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections import defaultdict
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from newsanno.cli import main
from newsanno.dataset.stats import corpus_stats
from newsanno.engines.api import validate
from newsanno.engines.local import load_corpus
from newsanno.model import Span
from newsanno.model.corpus import Corpus
from newsanno.model.findings import Code, Finding, NewsannoError, Severity
from newsanno.view.htmlreport import anchor_length, report_html
from newsanno.view.render import Part, highlight, json_for_html, render_site, safe_url

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "annotations"
ARTIFACTS = ROOT / "test-artifacts" / "render"
CHROMIUM = os.environ.get("NEWSANNO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# --------------------------------------------------------------------------------------------
# Corpora built for the tests


def sp(text: str, needle: str, occurrence: int = 1) -> dict[str, Any]:
    """A span with text and explicit code-point offsets."""
    start = -1
    for _ in range(occurrence):
        start = text.index(needle, start + 1)
    return {"text": needle, "start": start, "end": start + len(needle)}


def write_corpus(
    root: Path, world: dict[str, Any], docs: dict[str, tuple[str, dict[str, Any]]]
) -> Path:
    """A corpus folder: corpus.json, texts/<id>.txt (bytes as given), documents/<id>.json."""
    (root / "texts").mkdir(parents=True)
    (root / "documents").mkdir()
    corpus = {"schema_version": "1.0", **world}
    (root / "corpus.json").write_text(json.dumps(corpus, ensure_ascii=False), encoding="utf-8")
    for doc_id, (text, ann) in docs.items():
        raw = text.encode("utf-8")
        (root / "texts" / f"{doc_id}.txt").write_bytes(raw)
        body = {
            "schema_version": "1.0",
            "doc_id": doc_id,
            "text_path": f"texts/{doc_id}.txt",
            "text_sha256": hashlib.sha256(raw).hexdigest(),
            "metadata": {"language": "en"},
            **ann,
        }
        (root / "documents" / f"{doc_id}.json").write_text(
            json.dumps(body, ensure_ascii=False), encoding="utf-8"
        )
    return root


# Emoji (a ZWJ family, a flag, astral letters), decomposed accents (e + U+0301, u + U+0308),
# Hebrew and Arabic, CRLF line ends, a nested quote, and a claim crossing a quote's end.
UNICODE_TEXT = (
    "Ana 👩\u200d👩\u200d👧 Mu\u0308ller said: “Cafe\u0301 crème 😀 is 🇺🇸 great,” and left.\r\n"
    "שלום! Dana said: “مرحبا بالعالم — she told me ‘n\u0308o way 𝔘𝔫𝔦’ yesterday.”\r\n"
    "Photo: 📷 AP\r\n"
)
ECHO_TEXT = "Ana said “Café crème is really great” on Monday.\n"


def unicode_corpus(root: Path) -> Path:
    t, e = UNICODE_TEXT, ECHO_TEXT
    world = {
        "corpus": {"id": "unicode", "title": "Unicode corpus", "language": "en"},
        "entities": [
            {"id": "ana", "type": "PER", "name": "Ana Müller", "aliases": []},
            {"id": "dana", "type": "PER", "name": "Dana"},
            {"id": "world", "type": "LOC", "name": "the world"},
        ],
        "events": [
            {
                "id": "e_talk",
                "type": "Contact.Broadcast",
                "participants": [{"role": "Entity", "entity": "ana"}],
            }
        ],
        "utterances": [
            {"id": "u_cafe", "speaker": "ana", "channel": "press_remarks"},
            {"id": "u_hello", "speaker": "dana", "channel": "interview"},
        ],
    }
    u1 = {
        "regions": [{"id": "r1", "span": sp(t, "Photo: 📷 AP"), "kind": "photo_credit"}],
        "mentions": [
            {
                "id": "m1",
                "span": sp(t, "Ana 👩\u200d👩\u200d👧 Mu\u0308ller"),
                "entity": "ana",
                "kind": "name",
            },
            {"id": "m2", "span": sp(t, "Dana"), "entity": "dana", "kind": "name"},
            {"id": "m3", "span": sp(t, "بالعالم"), "entity": "world", "kind": "nominal"},
            {"id": "m4", "span": sp(t, "she"), "entity": "ana", "kind": "pronoun"},
        ],
        "quotes": [
            {
                "id": "q1",
                "type": "direct",
                "content": [sp(t, "Cafe\u0301 crème 😀 is 🇺🇸 great,")],
                "cue": sp(t, "said"),
                "speaker": "ana",
                "speaker_mention": "m1",
                "utterance": "u_cafe",
            },
            {
                "id": "q2",
                "type": "direct",
                "content": [sp(t, "مرحبا بالعالم — she told me ‘n\u0308o way 𝔘𝔫𝔦’ yesterday.")],
                "cue": sp(t, "said", 2),
                "speaker": "dana",
                "speaker_mention": "m2",
                "utterance": "u_hello",
            },
            {
                "id": "q3",
                "type": "direct",
                "content": [sp(t, "n\u0308o way 𝔘𝔫𝔦")],
                "cue": sp(t, "told"),
                "speaker": "ana",
                "speaker_mention": "m4",
                "nested_in": "q2",
            },
        ],
        "claims": [
            {
                "id": "c1",
                "span": sp(t, "🇺🇸 great,” and left.\r\nשלום"),
                "claimant": "article",
                "type": "characterisation",
                "checkworthy": False,
                "statement": "A claim that crosses the end of a quote and a CRLF line end.",
            }
        ],
        "event_mentions": [
            {
                "id": "ev1",
                "trigger": sp(t, "told"),
                "event": "e_talk",
                "realis": "actual",
                "arguments": [{"role": "Entity", "entity": "ana", "mention": "m4"}],
            }
        ],
    }
    u2 = {
        "mentions": [{"id": "m1", "span": sp(e, "Ana"), "entity": "ana", "kind": "name"}],
        "quotes": [
            {
                "id": "q1",
                "type": "direct",
                "content": [sp(e, "Café crème is really great")],
                "cue": sp(e, "said"),
                "speaker": "ana",
                "speaker_mention": "m1",
                "utterance": "u_cafe",
            }
        ],
    }
    return write_corpus(root, world, {"u1": (t, u1), "u2": (e, u2)})


EVIL = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
EVIL_TEXT = f"Eve said: “{EVIL}” & <b>more</b>.\n"


def evil_corpus(root: Path) -> Path:
    t = EVIL_TEXT
    world = {
        "corpus": {"id": "evil", "title": f"Evil {EVIL}", "language": "en"},
        "entities": [{"id": "eve", "type": "PER", "name": f"Eve {EVIL}", "note": EVIL}],
        "utterances": [{"id": "u1", "speaker": "eve", "channel": "statement", "note": EVIL}],
    }
    doc = {
        "metadata": {"language": "en", "title": EVIL, "url": "javascript:window.__pwned=5"},
        "mentions": [
            {"id": "m1", "span": sp(t, "Eve"), "entity": "eve", "kind": "name", "note": EVIL}
        ],
        "quotes": [
            {
                "id": "q1",
                "type": "direct",
                "content": [sp(t, EVIL)],
                "cue": sp(t, "said"),
                "speaker": "eve",
                "utterance": "u1",
                "note": EVIL,
            }
        ],
        "claims": [
            {
                "id": "c1",
                "span": sp(t, "<b>more</b>"),
                "claimant": "eve",
                "type": "other",
                "checkworthy": True,
                "statement": EVIL,
            }
        ],
    }
    return write_corpus(root, world, {"x1": (t, doc)})


def loaded(path: Path) -> Corpus:
    corpus, report = load_corpus(path)
    assert corpus is not None, [f.as_dict() for f in report.errors]
    return corpus


def expected_parts(corpus: Corpus) -> dict[str, dict[str, tuple[int, int, str]]]:
    """For each document, every highlighted span by its data-key: offsets and exact text."""
    out: dict[str, dict[str, tuple[int, int, str]]] = {}
    for d in corpus.documents:
        m, parts = d.model, {}

        def add(key: str, span: object, text: str = d.text, into: dict = parts) -> None:
            assert isinstance(span, Span) and span.start is not None and span.end is not None
            into[key] = (span.start, span.end, text[span.start : span.end])

        for r in m.regions:
            add(r.id, r.span)
        for mn in m.mentions:
            add(mn.id, mn.span)
        for q in m.quotes:
            for j, seg in enumerate(q.content):
                add(f"{q.id}/content/{j}", seg)
            if q.cue is not None:
                add(f"{q.id}/cue", q.cue)
        for c in m.claims:
            add(c.id, c.span)
        for em in m.event_mentions:
            add(em.id, em.trigger)
        out[m.doc_id] = parts
    return out


# --------------------------------------------------------------------------------------------
# Without a browser


class _Fragments(HTMLParser):
    """Collect the text of every data-key fragment, with code-point offsets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str | None] = []
        self.pos = 0
        self.text: list[str] = []
        self.frags: dict[str, list[tuple[int, int, str]]] = defaultdict(list)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        key = dict(attrs).get("data-key")
        self.stack.append(key)
        if key:
            self.frags[key].append((self.pos, self.pos, ""))

    def handle_endtag(self, tag: str) -> None:
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for key in self.stack:
            if key:
                s, e, t = self.frags[key][-1]
                self.frags[key][-1] = (s, e + len(data), t + data)
        self.pos += len(data)


def check_fragments(
    frags: dict[str, list[tuple[int, int, str]]], expected: dict[str, tuple[int, int, str]]
) -> None:
    """Each key's fragments are contiguous and cover exactly its span's text."""
    assert set(frags) == set(expected)
    for key, (start, end, text) in expected.items():
        pieces = sorted(frags[key])
        assert pieces[0][0] == start, key
        assert pieces[-1][1] == end, key
        for (_, e1, _), (s2, _, _) in itertools.pairwise(pieces):
            assert e1 == s2, f"{key}: gap between fragments"
        assert "".join(p[2] for p in pieces) == text, key


_ROLES = ("region", "mention", "quote", "cue", "claim", "trigger")
_ALPHABET = st.sampled_from([*list("ab \n\r“”<>&'\""), "😀", "́", "ש", "ع", "🇺", "\u200d", "𝔘"])


@st.composite
def text_and_parts(draw: st.DrawFn) -> tuple[str, list[Part]]:
    text = "".join(draw(st.lists(_ALPHABET, min_size=1, max_size=40)))
    n = draw(st.integers(0, 8))
    parts = []
    for i in range(n):
        s = draw(st.integers(0, len(text) - 1))
        e = draw(st.integers(s + 1, len(text)))
        role = draw(st.sampled_from(_ROLES))
        parts.append(Part(f"k{i}", f"a{i}", "mentions", role, s, e, role, "t"))
    return text, parts


@settings(max_examples=300, deadline=None)
@given(text_and_parts())
def test_highlight_keeps_text_and_exact_spans(case: tuple[str, list[Part]]) -> None:
    text, parts = case
    parser = _Fragments()
    parser.feed(highlight(text, parts))
    parser.close()
    assert "".join(parser.text) == text
    check_fragments(parser.frags, {p.key: (p.start, p.end, text[p.start : p.end]) for p in parts})


def test_crossing_spans_split_the_inner_one() -> None:
    text = "abcdefgh"
    out = highlight(
        text,
        [
            Part("A", "A", "quotes", "quote", 0, 5, "quote", ""),
            Part("B", "B", "claims", "claim", 3, 8, "claim", ""),
        ],
    )
    assert out.count('data-key="B"') == 2 and out.count('data-key="A"') == 1


def test_json_for_html_cannot_close_the_script() -> None:
    raw = json_for_html({"x": "</script><!-- & -->"})
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert json.loads(raw) == {"x": "</script><!-- & -->"}


def test_safe_url_only_links_http() -> None:
    assert safe_url("https://example.org/a") == "https://example.org/a"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url(" JavaScript:alert(1)") is None


def test_render_refuses_a_foreign_folder(tmp_path: Path) -> None:
    corpus = loaded(ROOT / "tests" / "cases" / "valid" / "minimal")
    out = tmp_path / "site"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    with pytest.raises(NewsannoError, match="not written by"):
        render_site(corpus, out)
    assert (out / "precious.txt").read_text() == "keep me"
    other = tmp_path / "ok"
    render_site(corpus, other)
    (other / "documents" / "stale.html").write_text("old")
    render_site(corpus, other)  # a second render replaces the first
    assert not (other / "documents" / "stale.html").exists()
    assert (other / "index.html").is_file()


def test_cli_render(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["render", str(ROOT / "tests/cases/valid/minimal"), "--out", str(tmp_path / "s")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "s" / "documents" / "a1.html").is_file()
    bad = CliRunner().invoke(
        main, ["render", str(tmp_path / "missing"), "--out", str(tmp_path / "t")]
    )
    assert bad.exit_code in (1, 2)


def test_anchor_length() -> None:
    f = Finding(
        "t.txt",
        1,
        5,
        Code.LINT_ALIAS,
        Severity.WARNING,
        "'Acme Corp' (a name of `acme`) at offset 4 has no mention",
        "",
    )
    assert anchor_length(f, "The Acme Corp way") == len("Acme Corp")
    g = Finding(
        "t.txt",
        1,
        1,
        Code.LINT_UNQUOTED,
        Severity.WARNING,
        "quotation '“abc…' at offset 0 is not covered by any quote",
        "",
    )
    assert anchor_length(g, "“abcdef” tail") == len("“abcdef”")
    h = Finding("a.yaml", 1, 3, Code.SCHEMA_TYPE, Severity.ERROR, "wrong", "")
    assert anchor_length(h, "  doc_id: 5") == len("doc_id")


# --------------------------------------------------------------------------------------------
# In a real browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).is_file():
        pytest.skip(
            f"no Chromium at {CHROMIUM}: run scripts/ensure-chromium as root "
            "(installs Debian's chromium with apt-get), or set NEWSANNO_CHROMIUM"
        )
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    pg.on("dialog", lambda d: (pg.errors.append(f"dialog: {d.message}"), d.dismiss()))
    yield pg
    context.close()


def url(path: Path, anchor: str = "") -> str:
    return path.resolve().as_uri() + anchor


FRAGMENTS_JS = """() => {
  const root = document.querySelector(".text");
  const out = {};
  for (const el of root.querySelectorAll(".hl")) {
    const range = document.createRange();
    range.setStart(root, 0);
    range.setEndBefore(el);
    const start = [...range.toString()].length;
    const text = el.textContent;
    (out[el.dataset.key] ||= []).push([start, start + [...text].length, text]);
  }
  return {frags: out, text: root.textContent};
}"""


def check_document_in_browser(page: Any, site: Path, corpus: Corpus) -> None:
    expected = expected_parts(corpus)
    for d in corpus.documents:
        page.goto(url(site / "documents" / f"{d.model.doc_id}.html"))
        got = page.evaluate(FRAGMENTS_JS)
        assert got["text"] == d.text  # every character, CR included
        frags = {k: [tuple(x) for x in v] for k, v in got["frags"].items()}
        check_fragments(frags, expected[d.model.doc_id])
    assert page.errors == []


@pytest.mark.browser
def test_unicode_highlights_are_exact(page: Any, tmp_path: Path) -> None:
    corpus = loaded(unicode_corpus(tmp_path / "c"))
    site = tmp_path / "site"
    render_site(corpus, site)
    check_document_in_browser(page, site, corpus)


@pytest.mark.browser
def test_layer_toggles_hide_and_show(page: Any, tmp_path: Path) -> None:
    site = tmp_path / "site"
    render_site(loaded(unicode_corpus(tmp_path / "c")), site)
    page.goto(url(site / "documents" / "u1.html"))
    style = "([sel, prop]) => getComputedStyle(document.querySelector(sel))[prop]"
    label = "sel => getComputedStyle(document.querySelector(sel), '::before').content"
    checks = {
        "mentions": (".text .mention", "backgroundColor", "rgba(0, 0, 0, 0)"),
        "quotes": (".text .quote", "borderBottomStyle", "none"),
        "claims": (".text .claim", "textDecorationLine", "none"),
        "event_mentions": (".text .trigger", "outlineStyle", "none"),
        "regions": (".text .region", "opacity", "1"),
    }
    for layer, (sel, prop, off) in checks.items():
        box = page.locator(f'input[data-layer-toggle="{layer}"]')
        on = page.evaluate(style, [sel, prop])
        assert on != off, layer
        box.uncheck()
        assert page.evaluate(style, [sel, prop]) == off, layer
        if layer == "quotes":
            assert page.evaluate(label, ".text .quote.first") == "none"
        box.check()
        assert page.evaluate(style, [sel, prop]) == on, layer
    assert page.evaluate(label, "#a-q1 ~ .quote.first, .text .quote.first") == '"Ana Müller"'
    assert page.errors == []


@pytest.mark.browser
def test_click_shows_fields_and_links(page: Any, tmp_path: Path) -> None:
    site = tmp_path / "site"
    render_site(loaded(unicode_corpus(tmp_path / "c")), site)
    page.goto(url(site / "documents" / "u1.html"))
    page.click('[data-key="q3/content/0"]')  # a quote nested in a quote
    titles = page.locator("#panel-cards .card h3").all_inner_texts()
    assert [t.split()[:2] for t in titles] == [["Quote", "q3"], ["Quote", "q2"]]
    page.click("#a-m4")  # "she": a mention in the outer quote
    titles = page.locator("#panel-cards .card h3").all_inner_texts()
    assert [t.split()[:2] for t in titles] == [["Mention", "m4"], ["Quote", "q2"]]
    card = page.locator("#panel-cards .card").first
    assert "she" in card.inner_text()
    # Hiding a layer hides its cards too.
    page.locator('input[data-layer-toggle="mentions"]').uncheck()
    page.click("#a-m4")
    assert page.locator("#panel-cards .card h3").first.inner_text().startswith("Quote q2")
    page.locator('input[data-layer-toggle="mentions"]').check()
    page.click("#a-m4")
    page.locator("#panel-cards .card").first.get_by_role("link", name="Ana Müller").click()
    page.wait_for_url("**/entities/ana.html")
    assert page.locator("h1").inner_text() == "Ana Müller"
    rows = page.locator("table.kwic tr").count() - 1
    assert rows >= 3  # m1 and m4 in u1, m1 in u2; quote rows come after
    # The mention link leads back to the highlight, selected.
    page.locator("table.kwic a", has_text="u2").first.click()
    page.wait_for_url("**/documents/u2.html#a-m1")
    assert page.locator("#a-m1.sel").count() == 1
    assert page.locator("#panel-cards .card h3").first.inner_text().startswith("Mention m1")
    assert page.errors == []


@pytest.mark.browser
def test_utterance_page_shows_both_reports(page: Any, tmp_path: Path) -> None:
    site = tmp_path / "site"
    render_site(loaded(unicode_corpus(tmp_path / "c")), site)
    page.goto(url(site / "utterances" / "u_cafe.html"))
    words = page.locator("table.kwic .q").all_inner_texts()
    assert words == ["“Cafe\u0301 crème 😀 is 🇺🇸 great,”", "“Café crème is really great”"]
    assert "really" in page.locator(".diff ins").all_inner_texts()
    page.goto(url(site / "utterances" / "u_hello.html"))
    assert "nothing to compare" in page.locator("main").inner_text()
    page.goto(url(site / "index.html"))
    assert page.locator("text=u_cafe").count() >= 1
    assert page.errors == []


@pytest.mark.browser
def test_markup_in_the_data_stays_text(page: Any, tmp_path: Path) -> None:
    corpus = loaded(evil_corpus(tmp_path / "c"))
    site = tmp_path / "site"
    render_site(corpus, site)
    pages = [p for p in site.rglob("*.html")]
    assert len(pages) >= 4
    for p in pages:
        page.goto(url(p))
        assert page.evaluate("() => window.__pwned") is None, p
        assert page.locator("script:not([src]):not([type='application/json'])").count() == 0, p
        assert page.locator("main img, main b").count() == 0, p
    page.goto(url(site / "documents" / "x1.html"))
    assert page.locator(".text").inner_text().strip() == EVIL_TEXT.strip()
    assert page.locator("a[href^='javascript:']").count() == 0
    data = json.loads(page.locator("#newsanno-data").text_content())
    assert data["annotations"]["claims"][0]["statement"] == EVIL
    check_document_in_browser(page, site, corpus)
    assert page.errors == []


@pytest.mark.browser
def test_validate_html_report(page: Any, tmp_path: Path) -> None:
    text = "Acme Corp said “we won” and Acme Corp left.\n"
    world = {
        "corpus": {"id": "bad", "title": "Bad", "language": "en"},
        "entities": [{"id": "acme", "type": "ORG", "name": "Acme Corp"}],
    }
    linted = {
        "mentions": [{"id": "m1", "span": sp(text, "Acme Corp"), "entity": "acme", "kind": "name"}]
    }
    broken = {"mentions": [{"id": "m1", "span": "Acme Inc", "entity": "acme", "kind": "name"}]}
    root = write_corpus(tmp_path / "c", world, {"d1": (text, linted), "d2": (text, broken)})
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        main, ["validate", str(root), "--format", "html", "--out", str(out)]
    )
    assert result.exit_code == 1, result.output
    report = validate(root)
    html = out.read_text(encoding="utf-8")
    assert html == report_html(report) + "\n"
    page.goto(url(out))
    marks = page.locator("mark.warning").all_inner_texts()
    assert "“we won”" in marks and "Acme Corp" in marks
    for f in report.findings:
        link = page.get_by_role("link", name=f"{f.file}:{f.line}:{f.col}", exact=True).first
        target = link.get_attribute("href")
        assert target and page.locator(target).count() == 1
    assert page.locator(".summary.invalid").count() == 1
    assert page.locator("mark.error").all_inner_texts() == ['"Acme Inc"']
    assert page.errors == []


def seed_corpus() -> Corpus:
    if not (SEEDS / "corpus.yaml").is_file() and not (SEEDS / "corpus.json").is_file():
        pytest.skip("annotations/ has no corpus file yet (the seed annotation is in progress)")
    corpus, report = load_corpus(SEEDS)
    if corpus is None:
        first = report.errors[0]
        pytest.skip(
            f"annotations/ does not validate yet: {first.file}:{first.line} {first.message}"
        )
    return corpus


@pytest.mark.browser
def test_seed_documents_render_exactly(page: Any, tmp_path: Path) -> None:
    corpus = seed_corpus()
    site = tmp_path / "site"
    render_site(corpus, site)
    check_document_in_browser(page, site, corpus)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for d in corpus.documents:
        page.goto(url(site / "documents" / f"{d.model.doc_id}.html"))
        if d.model.quotes:  # show a quote's fields in the side panel
            page.click(f'[data-key="{d.model.quotes[0].id}/content/0"]')
        page.screenshot(path=str(ARTIFACTS / f"{d.model.doc_id}.png"), full_page=True)
    shared = [u for u, docs in corpus_stats(corpus)["cross_document"]["utterances"].items()]
    for u in shared:  # the fidelity diff of every utterance the two outlets share
        page.goto(url(site / "utterances" / f"{u}.html"))
        assert page.locator(".diff").count() >= 1
    if shared:
        page.screenshot(path=str(ARTIFACTS / f"utterance-{shared[-1]}.png"), full_page=True)
    page.goto(url(site / "index.html"))
    page.screenshot(path=str(ARTIFACTS / "index.png"), full_page=True)
    assert page.errors == []
