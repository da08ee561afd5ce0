"""HTML rendering of report evidence for the app: every piece of report text is escaped here.

* :func:`context_span` / :func:`highlight_html` cut the paragraph around a quote out of the
  stored document text and render it as escaped HTML with the quote in ``<mark>``.
* :func:`escape_text` / :func:`md_escape` make report text safe for an HTML block or a
  Markdown label.
* :func:`answer_html` turns an answer's ``[n]`` markers into links to their source cards;
  :func:`report_html` renders a stretch of a report with its headings and the quote marked.

Nothing here uses Streamlit, so all of it is unit-testable.
"""

from __future__ import annotations

import html
import re
from typing import Any, Iterable

_PARA_BREAK = re.compile(r"\n[ \t\f\r]*\n")
_LONG_PARAGRAPH = 1200
_SENTENCE_LINE_END = re.compile(r"[.!?:]\s*\n")


def _paragraph(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the paragraph holding ``text[start:end]``: split at blank lines; a long run
    without blank lines (PDF text) is cut at lines that end a sentence instead."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    prev = [m.end() for m in _PARA_BREAK.finditer(text, 0, start)]
    ps = prev[-1] if prev else 0
    nxt = _PARA_BREAK.search(text, end)
    pe = nxt.start() if nxt else len(text)
    if pe - ps > _LONG_PARAGRAPH:
        before = [m.end() for m in _SENTENCE_LINE_END.finditer(text, ps, start)]
        if before:
            ps = before[-1]
        after = _SENTENCE_LINE_END.search(text, end, pe)
        if after:
            pe = after.start() + 1
    while ps < start and text[ps].isspace():
        ps += 1
    while pe > end and text[pe - 1].isspace():
        pe -= 1
    return ps, pe


def context_span(text: str, start: int, end: int, extra: int = 0) -> tuple[int, int]:
    """The paragraph around ``[start:end]`` plus ``extra`` paragraphs on each side."""
    ps, pe = _paragraph(text, start, end)
    for _ in range(max(0, extra)):
        back = ps - 1
        while back > 0 and text[back - 1].isspace():
            back -= 1
        if back > 0:
            ps = min(ps, _paragraph(text, back - 1, back - 1)[0])
        fwd = pe
        while fwd < len(text) and text[fwd].isspace():
            fwd += 1
        if fwd < len(text):
            pe = max(pe, _paragraph(text, fwd, fwd)[1])
    return ps, pe


def escape_text(text: str) -> str:
    """HTML-escape report text for an ``unsafe_allow_html`` block; line breaks become ``<br>``
    so the block has no blank lines (Markdown is then not applied inside it)."""
    escaped = html.escape(text, quote=True)
    # Markdown and LaTeX markers would not fire inside an HTML block, but escape the dollar
    # anyway so a stray pair can never turn into maths.
    escaped = escaped.replace("$", "&#36;")
    escaped = re.sub(r"\n[ \t\f\r]*\n", "<br><br>", escaped)
    # A single line break is kept where a line ends a sentence or the next one is a list item;
    # elsewhere it is wrapping (PDF text) and reads better as a space.
    escaped = re.sub(r"(?<=[.!?:;])[ \t]*\n|\n(?=\s*(?:[-*\u2022\u25aa\u25cf\x7f]|\d{1,2}[.)])\s)", "<br>", escaped)
    return escaped.replace("\n", " ")


def section_body(sections: Iterable[Any], text: str, start: int, end: int) -> tuple[int, int] | None:
    """Bounds of the innermost section (``Store.sections()`` rows) holding ``[start:end]``,
    without its heading line; None when no section holds it."""
    inside = [r for r in sections if r["start"] <= start and end <= r["end"]]
    if not inside:
        return None
    best = min(inside, key=lambda r: r["end"] - r["start"])
    newline = text.find("\n", best["start"], start)
    return (newline + 1 if newline >= 0 else best["start"]), best["end"]


def highlight_html(text: str, start: int, end: int, extra: int = 0,
                   clip: tuple[int, int] | None = None) -> str:
    """Escaped HTML of the paragraph(s) around ``text[start:end]`` with the quote in ``<mark>``;
    ``clip`` (e.g. from :func:`section_body`) keeps the context inside one section."""
    ps, pe = context_span(text, start, end, extra)
    if clip is not None:
        ps, pe = max(ps, min(clip[0], start)), min(pe, max(clip[1], end))
        while ps < start and text[ps].isspace():
            ps += 1
    before = text[ps:start]
    quote = text[start:end]
    after = text[end:pe]
    prefix = "… " if ps > 0 else ""
    suffix = " …" if pe < len(text) else ""
    return (f"{prefix}{escape_text(before)}<mark>{escape_text(quote)}</mark>"
            f"{escape_text(after)}{suffix}")


def md_escape(text: str) -> str:
    """Escape the Markdown that could change how report text in a label or alert is shown
    (emphasis, links, code, HTML, maths, tables, headings and lists); plain words, hyphens
    and full stops inside sentences are left alone so the text stays readable."""
    text = re.sub(r"([\\`*_{}\[\]<>$~|])", r"\\\1", text or "")
    text = re.sub(r"(?m)^(\s*)([#+\-=])", r"\1\\\2", text)
    text = re.sub(r"(?m)^(\s*\d+)([.)])", r"\1\\\2", text)
    # ":name:" would become an emoji; a zero-width space after the colon stops it.
    return re.sub(r":(?=[a-z_]+:)", ":\u200b", text)


def section_text(full_text: str, start: int, end: int) -> str:
    """A section's text without its own heading line."""
    body = full_text[start:end]
    first, sep, rest = body.partition("\n")
    return rest.strip() if sep else body.strip()


_MARKER = re.compile(r"\[(\d+)\]")


def answer_html(text: str, targets: dict[int, tuple[str, str]] | None = None) -> str:
    """The answer text, escaped, with its ``[n]`` markers as superscripts.

    ``targets`` maps a marker number to (anchor id of its source card, preview text): such a
    marker becomes a same-page link to the card, its hover text (``title``) the preview."""
    targets = targets or {}

    def marker(m: re.Match) -> str:
        n = int(m.group(1))
        if n not in targets:
            return f"<sup>[{n}]</sup>"
        ident, preview = targets[n]
        preview = " ".join(preview.split())
        if len(preview) > 320:
            preview = preview[:319].rstrip() + "…"
        title = html.escape(f"[{n}] {preview}", quote=True).replace("$", "&#36;")
        return (f'<sup><a class="cqc-cite" href="#{html.escape(ident, quote=True)}" target="_self" '
                f'title="{title}" aria-label="Source {n}: {title}">[{n}]</a></sup>')

    return _MARKER.sub(marker, escape_text(text))


QUOTE_ID = "cqc-quote"


def report_html(text: str, start: int, end: int, headings: Iterable[tuple[int, int, int, str]] = (),
                mark: tuple[int, int] | None = None) -> str:
    """Escaped HTML of ``text[start:end]`` as a readable report: ``headings`` (start, end, level,
    element id) become heading elements with their ids, and ``mark`` (start, end) is highlighted
    exactly (``text[mark[0]:mark[1]]``), its first piece carrying the id :data:`QUOTE_ID`."""
    heads = sorted((max(s, start), min(e, end), level, ident) for s, e, level, ident in headings
                   if s < end and e > start and s >= start)
    cuts = {start, end}
    for s, e, _, _ in heads:
        cuts.update((s, e))
    if mark is not None and mark[0] < end and mark[1] > start:
        mark = (max(mark[0], start), min(mark[1], end))
        cuts.update(mark)
    else:
        mark = None
    points = sorted(cuts)
    out: list[str] = []
    marked_once = False
    head_at = {s: (e, level, ident) for s, e, level, ident in heads}
    head_end: int | None = None  # end of the heading being written
    for a, b in zip(points, points[1:]):
        if a in head_at and head_end is None:
            head_end, level, ident = head_at[a]
            # Not <h3>..<h5>: Streamlit gives those its own ids and link icons.
            depth = min(max(level, 1), 3)
            out.append(f'<div role="heading" aria-level="{depth + 2}" class="cqc-h cqc-h{depth}" '
                       f'id="{html.escape(ident, quote=True)}">')
        piece = escape_text(text[a:b]) if head_end is None else html.escape(text[a:b]).replace("$", "&#36;")
        if mark is not None and mark[0] <= a < mark[1]:
            ident = "" if marked_once else f' id="{QUOTE_ID}"'
            marked_once = True
            piece = f"<mark{ident}>{piece}</mark>"
        out.append(piece)
        if head_end is not None and b >= head_end:
            out.append("</div><!--/h-->")
            head_end = None
    if head_end is not None:
        out.append("</div><!--/h-->")
    # Headings are blocks of their own: the blank lines around them would only add space.
    joined = re.sub(r"(<!--/h-->)(?:<br>|\s)+", r"\1", "".join(out))
    return re.sub(r"(?:<br>|\s)+(<div role=\"heading\")", r"\1", joined).replace("<!--/h-->", "")
