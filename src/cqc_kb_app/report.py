"""The report view: a report as the library stores it, opened at a highlighted quote.

``?page=report&doc=<file>&start=<int>&end=<int>`` opens the part of the report around
``text[start:end]`` (the section, or for a PDF the page) with that exact span highlighted and
scrolled into view; ``&statement=<name>`` opens a quality statement's findings and evidence.
The heading tree is the table of contents in the sidebar; the whole report is one toggle away.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, replace
from typing import Any, Sequence

import streamlit as st

from cqc_kb.kb import KnowledgeBase
from cqc_kb.records import SECTION_SEP, council_label
from cqc_kb.structure import SCORE_LABELS

from .common import anchor, go_to, html_block, report_link
from .html import QUOTE_ID, md_escape, report_html

#: Below this many characters a section is widened to its parent, so the quote has context.
MIN_VIEW_CHARS = 1500
#: Without a section to show, this much text either side of the quote.
WINDOW_CHARS = 3000


@dataclass(frozen=True)
class Heading:
    """One entry of the table of contents: a heading line and the section it opens."""

    title: str
    level: int
    start: int  # the heading line
    line_end: int
    end: int  # the end of its part of the report, sub-headings included
    statement: str | None
    ident: str


def headings(sections: Sequence[Any], text: str) -> list[Heading]:
    """The heading tree from ``Store.sections()`` rows: one entry per heading path, in text order."""
    out: list[Heading] = []
    seen: set[tuple[str, int]] = set()
    for i, row in enumerate(sections):
        path = row["path"].split(SECTION_SEP)
        start = row["start"]
        if (row["path"], start) in seen or not path or not path[-1].strip():
            continue
        seen.add((row["path"], start))
        line_end = text.find("\n", start, row["end"])
        line_end = row["end"] if line_end < 0 else line_end
        out.append(Heading(path[-1].strip(), len(path), start, line_end, row["end"],
                           row["statement"], f"h-{i}"))
    # A section row spans its own text only; a heading's part of the report runs on through
    # its sub-headings, to the next heading at its level or above.
    for i, h in enumerate(out):
        nxt = next((later.start for later in out[i + 1:] if later.level <= h.level), len(text))
        out[i] = replace(h, end=max(h.end, nxt))
    return out


def parse_offsets(text: str) -> tuple[int, int] | None:
    """``start``/``end`` from the URL when they name a span of ``text``; None otherwise."""
    try:
        start, end = int(st.query_params.get("start", "")), int(st.query_params.get("end", ""))
    except ValueError:
        return None
    if 0 <= start <= end <= len(text):
        return start, end
    return None


def view_span(text: str, heads: list[Heading], start: int, end: int,
              page: tuple[int, int] | None) -> tuple[int, int]:
    """The part of the report shown around ``[start:end]``: the PDF page, else the smallest
    section holding it that is long enough to read in context, else a window of text."""
    if page is not None and page[0] <= start and end <= page[1] + 1:
        return page[0], max(page[1], end)
    holding = sorted((h for h in heads if h.start <= start and end <= h.end), key=lambda h: h.end - h.start)
    for h in holding:
        if h.end - h.start >= MIN_VIEW_CHARS:
            return h.start, h.end
    if holding:
        return holding[-1].start, holding[-1].end
    lo = text.rfind("\n", 0, max(0, start - WINDOW_CHARS)) + 1
    return lo, line_end(text, end + WINDOW_CHARS)


def line_end(text: str, at: int) -> int:
    """The end of the line holding ``text[at]`` (or of the text)."""
    found = text.find("\n", min(len(text), at))
    return len(text) if found < 0 else found


def page_of(spans: dict[int, tuple[int, int]], start: int) -> int | None:
    for page, (s, e) in spans.items():
        if s <= start < e:
            return page
    return None


def toc_html(document: str, heads: list[Heading], current: Heading | None, in_page: bool) -> str:
    """Nested list of links: in-page anchors when the whole report is shown, else report links."""
    out, depth = [], 0
    for h in heads:
        while depth < h.level:
            out.append("<ul>")
            depth += 1
        while depth > h.level:
            out.append("</ul>")
            depth -= 1
        href = f"#{h.ident}" if in_page else report_link(document, h.start, h.line_end)
        cls = " class='here'" if current is not None and h.ident == current.ident else ""
        out.append(f"<li{cls}>{anchor(href, html.escape(h.title))}</li>")
    out.append("</ul>" * depth)
    return "".join(out)


def scroll_to(element_id: str, token: str) -> None:
    """Scroll the page so ``element_id`` is in view, once per target (``token``)."""
    script = f"""<script>
(function() {{
  const id = {json.dumps(element_id)}, token = {json.dumps(token)};
  if (window.cqcScrolled === token) return;
  let tries = 0;
  const timer = setInterval(function() {{
    const el = document.getElementById(id);
    if (el || ++tries > 50) {{
      clearInterval(timer);
      if (el) {{ el.scrollIntoView({{block: "center"}}); window.cqcScrolled = token; }}
    }}
  }}, 100);
}})();
</script>"""
    st.html(script, unsafe_allow_javascript=True)


def render(kb: KnowledgeBase) -> None:
    document = st.query_params.get("doc") or ""
    back = st.session_state.get("report_back")
    if back:
        st.button("Back", key="report_back_button", icon=":material/arrow_back:", on_click=_go_back)
    try:
        text = kb.store.document_text(document)
    except KeyError:
        st.header("Report", anchor=False)
        st.warning("That report is not in the library" + (f" ({md_escape(document)})" if document else "")
                   + ". It may have been removed; open the Library page to see the reports there are.")
        return
    info = next((d for d in kb.store.documents() if d["name"] == document), None)
    authority = info["authority"] if info is not None else None
    published = info["published"] if info is not None else None
    st.header(council_label(authority, published, document), anchor=False)
    meta = [f"File: {document}"]
    if info is not None and info["pages"]:
        meta.append(f"{info['pages']} pages")
    if info is not None and info["title"]:
        meta.append(info["title"])
    st.caption(md_escape(" · ".join(meta)))

    heads = headings(kb.store.sections(document), text)
    statement = st.query_params.get("statement")
    span = parse_offsets(text)
    if span is None and ("start" in st.query_params or "end" in st.query_params):
        st.info("The passage asked for is not in this version of the report; it opens at the start.")
    lead = ""
    if statement:
        span, lead = _statement_view(kb, document, statement, heads, span)
    spans = kb.store.page_spans(document) if info is not None and info["fmt"] == "pdf" else {}
    whole = st.toggle("Show the whole report", key=f"whole_{document}",
                      help="The full text of the report; it may take a moment for a long report.")
    page = page_of(spans, span[0]) if span is not None and spans else None
    if whole:
        lo, hi = 0, len(text)
    elif span is not None:
        lo, hi = view_span(text, heads, span[0], span[1], spans.get(page) if page else None)
    else:  # the opening of the report, to the end of its first full section
        first = next((h for h in heads if h.end - h.start >= MIN_VIEW_CHARS), None)
        lo, hi = 0, first.end if first is not None else line_end(text, 2 * WINDOW_CHARS)
    current = None
    if span is not None:
        holding = [h for h in heads if h.start <= span[0] < h.end]
        current = max(holding, key=lambda h: h.start) if holding else None

    with st.sidebar:
        st.subheader("Contents", anchor=False)
        if heads:
            html_block(toc_html(document, heads, current, in_page=whole), "cqc-toc")
        else:
            st.caption("This report has no headings.")

    if lead:
        st.markdown(lead)
    where = []
    if page is not None:
        where.append(f"Page {page}" + ("" if whole else " of the PDF, as its text was read"))
    if current is not None:
        where.append(f"Section: {current.title}")
        if current.statement and not statement:
            scored = {r["name"]: r["score"] for r in kb.store.statements(document)}
            where.append(f"Quality statement: {current.statement}"
                         + (f" (score {scored[current.statement]} of 4)" if scored.get(current.statement) else ""))
    if where:
        st.markdown("**" + md_escape(" · ".join(where)) + "**")
    if not whole and (lo > 0 or hi < len(text)):
        st.caption(f"Showing {'page ' + str(page) if page is not None and spans.get(page) == (lo, hi) else 'the part of the report'} "
                   "around the passage; turn on “Show the whole report” to read all of it.")
    visible = [(h.start, h.line_end, h.level, h.ident) for h in heads]
    html_block(report_html(text, lo, hi, visible, span), "cqc-report")
    if span is not None and span[1] > span[0]:
        scroll_to(QUOTE_ID, f"{document}:{span[0]}:{span[1]}:{whole}")


def _statement_view(kb: KnowledgeBase, document: str, statement: str, heads: list[Heading],
                    span: tuple[int, int] | None) -> tuple[tuple[int, int] | None, str]:
    """For a heat-map cell: the statement's score line highlighted (when the report gives one)
    and a sentence that names the statement and its score."""
    row = next((r for r in kb.store.statements(document) if r["name"] == statement), None)
    if row is None:
        return span, f"*{md_escape(statement)} is not assessed in this report.*"
    score = row["score"]
    lead = (f"**{md_escape(statement)}**: " + (f"score {score} of 4 ({md_escape(SCORE_LABELS[score])})"
            if score in SCORE_LABELS else "no score given") + ". Its findings and evidence follow.")
    if span is None:
        own = [h for h in heads if h.statement == statement]
        if row["start"] is not None and row["end"] is not None and row["end"] > row["start"]:
            span = (row["start"], row["end"])
        elif own:
            span = (own[0].start, own[0].line_end)
    return span, lead


def _go_back() -> None:
    params = st.session_state.pop("report_back", None) or {}
    page = (params.pop("page", None) or ["ask"])[0]
    go_to(page, **params)

