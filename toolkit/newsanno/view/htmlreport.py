"""The validation report as one self-contained HTML page: findings shown on the files' text.

Each finding is listed as ``FILE:LINE:COL`` with its code, message and fix, linked to the line in
an excerpt of the file, where the text at the finding's position is highlighted (the whole quoted
anchor when the message names it, such as an unannotated quotation or name). Only the lines near
findings are shown, so the page stays small for large files.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

from newsanno.model.findings import Finding, Report, Severity
from newsanno.view.render import asset_text, esc, esc_text

CONTEXT_LINES = 3
MAX_FILE_BYTES = 64 * 1024 * 1024
_QUOTED = re.compile(r"""^(?:quotation )?('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")
_STRING = re.compile(r""""(?:[^"\\]|\\.)*"?|'(?:[^']|'')*'?""")
_SCALAR = re.compile(r"[^:,\[\]{}#]+")


def _read_lines(file: str) -> list[str] | None:
    """The lines of a file (without line ends), or None when it cannot be read."""
    path = Path(file)
    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return None
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None
    return [line.removesuffix("\r") for line in text.split("\n")]


def anchor_length(finding: Finding, line: str) -> int:
    """How many code points to highlight at the finding's column."""
    start = finding.col - 1
    if start >= len(line):
        return 0
    match = _QUOTED.match(finding.message)
    if match:
        try:
            quoted = ast.literal_eval(match.group(1))
        except (ValueError, SyntaxError):
            quoted = None
        if isinstance(quoted, str) and quoted:
            shown = quoted.removesuffix("…")
            if line.startswith(shown, start):
                if shown != quoted:  # a clipped quotation: highlight to its closing mark
                    close = max(
                        line.find("”", start + len(shown)), line.find('"', start + len(shown))
                    )
                    return (close + 1 - start) if close >= 0 else len(line) - start
                return len(shown)
    token = _STRING.match(line, start) or _SCALAR.match(line, start)
    return len(token.group().rstrip()) or 1 if token else 1


def _line_html(line: str, marks: list[tuple[int, int, str]]) -> str:
    """One line with the marked ranges (start, end, severity) as ``<mark>``; errors win."""
    level = [""] * len(line)
    for s, e, sev in marks:
        for i in range(max(s, 0), min(e, len(line))):
            if level[i] != "error":
                level[i] = sev
    out, i = [], 0
    while i < len(line):
        j = i
        while j < len(line) and level[j] == level[i]:
            j += 1
        piece = esc_text(line[i:j])
        out.append(f'<mark class="{level[i]}">{piece}</mark>' if level[i] else piece)
        i = j
    return "".join(out)


def report_html(report: Report, *, title: str = "newsanno validate") -> str:
    """The report as a standalone page (inline stylesheet, no script)."""
    by_file: dict[str, list[tuple[int, Finding]]] = defaultdict(list)
    for n, f in enumerate(report.findings):
        by_file[f.file].append((n, f))
    file_ids = {file: f"F{i}" for i, file in enumerate(by_file)}
    s = report.stats()
    summary = (
        f"{'valid' if report.valid else 'invalid'}: {s['errors']} error(s), {s['warnings']} "
        f"warning(s) in {s['files']} file(s), {s['documents']} document(s)"
    )
    parts = [
        f'<p class="summary {"valid" if report.valid else "invalid"}">{esc(summary)}</p>',
    ]
    excerpts, readable = [], set()
    for file, items in by_file.items():
        lines = _read_lines(file)
        if lines is None:
            continue
        readable.add(file)
        excerpts.append(_excerpt(file, file_ids[file], lines, items))
    rows = []
    for n, f in enumerate(report.findings):
        where = f"{f.file}:{f.line}:{f.col}"
        loc = (
            f'<a href="#{file_ids[f.file]}-L{f.line}">{esc(where)}</a>'
            if f.file in readable
            else esc(where)
        )
        rows.append(
            f'<tr id="f{n}"><td class="mono">{loc}</td>'
            f'<td class="sev-{f.severity.value}">{f.severity.value}</td>'
            f"<td><code>{esc(f.code.value)}</code></td>"
            f"<td>{esc(f.message)}<br><span class='muted'>fix: {esc(f.hint)}</span>"
            + (f"<br><span class='muted mono'>at {esc(f.path)}</span>" if f.path else "")
            + "</td></tr>"
        )
    if rows:
        parts.append(
            '<h2>Findings</h2><table class="grid"><tr><th>where</th><th>severity</th>'
            f"<th>code</th><th>message</th></tr>{''.join(rows)}</table>"
        )
    parts.extend(excerpts)
    files = "".join(f"<li><code>{esc(f)}</code></li>" for f in report.files)
    parts.append(f'<h2>Files checked ({len(report.files)})</h2><ul class="plain">{files}</ul>')
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>\n{asset_text('style.css')}</style>\n</head>\n<body>\n"
        f'<header class="top"><div class="crumbs">newsanno</div><h1>{esc(title)}</h1></header>\n'
        f"<main>\n{''.join(parts)}\n</main>\n</body>\n</html>"
    )


def _excerpt(file: str, fid: str, lines: list[str], items: list[tuple[int, Finding]]) -> str:
    """The lines of one file around its findings, findings marked and explained in place."""
    at_line: dict[int, list[tuple[int, Finding]]] = defaultdict(list)
    for n, f in items:
        at_line[min(max(f.line, 1), len(lines))].append((n, f))
    shown = sorted(
        {
            i
            for line in at_line
            for i in range(line - CONTEXT_LINES, line + CONTEXT_LINES + 1)
            if 1 <= i <= len(lines)
        }
    )
    try:
        uri = Path(file).resolve().as_uri()
    except ValueError:  # pragma: no cover - a relative path that cannot resolve
        uri = ""
    rows, last = [], 0
    for i in shown:
        if i > last + 1:
            rows.append('<tr class="gap"><td class="no">⋮</td><td class="code"></td></tr>')
        last = i
        line = lines[i - 1]
        found = at_line.get(i, [])
        marks = [
            (f.col - 1, f.col - 1 + max(anchor_length(f, line), 0), f.severity.value)
            for _, f in found
        ]
        worst = ""
        if found:
            worst = "error" if any(f.severity is Severity.ERROR for _, f in found) else "warning"
        cls = f' class="has-{worst}"' if worst else ""
        rows.append(
            f'<tr id="{fid}-L{i}"{cls}><td class="no">{i}</td>'
            f'<td class="code">{_line_html(line, marks)}</td></tr>'
        )
        for n, f in found:
            caret = " " * max(f.col - 1, 0) + "^"
            rows.append(
                f'<tr class="note"><td class="no"></td><td class="code">'
                f'<span class="caret">{esc(caret)}</span> '
                f'<a href="#f{n}" class="sev-{f.severity.value}">{esc(f.code.value)}</a> '
                f"{esc(f.message)}</td></tr>"
            )
    link = f' <a href="{esc(uri)}" class="muted">open file</a>' if uri else ""
    return (
        f'<h2 id="{fid}"><code>{esc(file)}</code>{link}</h2>'
        f'<table class="src">{"".join(rows)}</table>'
    )
