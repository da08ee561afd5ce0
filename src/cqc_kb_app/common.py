"""What every page of the app shares: CSS, loading the index, links, URL state and filters.

The URL is the app's memory that survives a reload or a shared link: the page, the question
and the filters live in ``st.query_params`` (see :func:`page_link`), and widgets are set from it
when the page opens.
"""

from __future__ import annotations

import hashlib
import html
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from cqc_kb.assessments import ALL, LATEST, parse_assessments, published_text
from cqc_kb.embed import LazyEmbedder
from cqc_kb.errors import IndexMissingError, KbError, StaleIndexError
from cqc_kb.ingest import ReindexResult
from cqc_kb.kb import KnowledgeBase, build_index
from cqc_kb.records import Citation, council_label
from cqc_kb.retrieve import Filters
from cqc_kb.settings import Settings
from cqc_kb.store import current_build
from cqc_kb.structure import RATINGS, SCORE_LABELS, STATEMENT_NAMES, THEMES

from .html import context_span, escape_text, highlight_html, md_escape, section_body

#: URL name -> label of the pages in the sidebar (the report view is reached by links only).
PAGES = {"ask": "Ask", "compare": "Compare", "scores": "Scores", "changes": "Changes", "library": "Library"}
ALL_PAGES = (*PAGES, "report")
#: Heat map colours for scores 1-4 (red, amber, light green, green) and "not assessed".
SCORE_COLOURS = {1: "#f4c7c3", 2: "#fce8b2", 3: "#c8e6c9", 4: "#81c784", None: "#eeeeee"}
#: Link colour: 7.8:1 on white, 7.3:1 on the answer box (WCAG AA asks for 4.5:1; the old #1f77b4 gave 4.48:1).
LINK_COLOUR = "#0b5394"
#: The answer box background, as an opaque colour (so its contrast can be checked).
ANSWER_BACKGROUND = "#f3f7fb"
CONTEXT_PARAGRAPHS = 2
#: Context shorter than this around a quote is widened by a paragraph each side.
SHORT_CONTEXT = 40
MAX_HISTORY = 10

CSS = f"""
<style>
.cqc-answer {{font-size: 1.1rem; line-height: 1.6; padding: 0.75rem 1rem; border-left: 4px solid {LINK_COLOUR};
  background: {ANSWER_BACKGROUND}; color: #1a1a1a; border-radius: 4px; margin-bottom: 0.5rem;}}
.cqc-answer sup {{font-weight: 600;}}
a.cqc-cite, a.cqc-cite:visited {{color: {LINK_COLOUR}; text-decoration: none; border-bottom: 1px dotted {LINK_COLOUR};}}
a.cqc-cite:hover, a.cqc-cite:focus {{text-decoration: underline; outline-offset: 2px;}}
.cqc-quote {{line-height: 1.55; padding: 0.5rem 0.75rem; border-left: 3px solid #bbb; margin: 0.25rem 0 0.5rem;}}
.cqc-quote mark, .cqc-report mark {{background: #fff176; color: #1a1a1a; padding: 0 2px;}}
.cqc-meta {{color: #555; font-size: 0.9rem;}}
.cqc-meta a, .cqc-toc a {{color: {LINK_COLOUR};}}
/* Score cells are coloured: near-black links keep 7:1 or more on every score colour. */
.cqc-heat a {{color: #1a1a1a;}}
.cqc-heat {{overflow-x: auto;}}
.cqc-heat table {{border-collapse: collapse; width: 100%; font-size: 0.85rem;}}
.cqc-heat th, .cqc-heat td {{border: 1px solid #ddd; padding: 3px 4px; text-align: center; vertical-align: middle;}}
.cqc-heat td.pct {{white-space: nowrap;}}
.cqc-heat th {{background: #fafafa; font-weight: 600;}}
.cqc-heat th.statement {{font-size: 0.72rem; font-weight: 600;}}
.cqc-heat td.council {{text-align: left; font-weight: 600;}}
.cqc-card-head h4 {{margin: 0 0 0.3rem 0; padding: 0; font-size: 1.05rem;}}
.cqc-council {{font-size: 1.1rem; font-weight: 700; margin: 0 0 0.4rem 0;}}
.cqc-council .cqc-strength {{vertical-align: middle; margin-left: 0.3rem;}}
.cqc-badge {{display: inline-block; padding: 1px 8px; border-radius: 3px; font-size: 0.85rem;}}
.cqc-strength {{display: inline-block; padding: 0 8px; border-radius: 3px; font-size: 0.8rem; font-weight: 600;
  border: 1px solid currentColor;}}
.cqc-strength.strong {{color: #1b5e20;}} .cqc-strength.moderate {{color: #6d4c00;}} .cqc-strength.weak {{color: #8b1a1a;}}
.cqc-legend span {{display: inline-block; padding: 2px 8px; margin: 2px 6px 2px 0; border-radius: 3px;
  font-size: 0.85rem;}}
.cqc-report {{line-height: 1.6; max-width: 52rem;}}
.cqc-report .cqc-h {{font-weight: 700; line-height: 1.3; margin: 1.1rem 0 0.4rem; scroll-margin-top: 4rem;}}
.cqc-report .cqc-h1 {{font-size: 1.45rem;}} .cqc-report .cqc-h2 {{font-size: 1.25rem;}}
.cqc-report .cqc-h3 {{font-size: 1.08rem;}}
.cqc-report mark {{scroll-margin-top: 6rem;}}
.cqc-toc {{font-size: 0.9rem; line-height: 1.5;}}
.cqc-toc ul {{list-style: none; padding-left: 0.9rem; margin: 0;}}
.cqc-toc > ul {{padding-left: 0;}}
.cqc-toc li.here > a {{font-weight: 700;}}
.cqc-anchor {{scroll-margin-top: 4rem;}}
</style>
"""


# --------------------------------------------------------------------------- links and URL state

def page_link(page: str, **params: Any) -> str:
    """A relative link ``?page=...&...`` to a page of the app; list values repeat the key and
    ``None`` or empty values are left out."""
    pairs: list[tuple[str, str]] = [("page", page)]
    for key, value in params.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        pairs += [(key, str(v)) for v in values if v is not None and v != ""]
    return "?" + urlencode(pairs)


def report_link(document: str, start: int | None = None, end: int | None = None,
                statement: str | None = None) -> str:
    """A link to the report view: opened at ``text[start:end]`` highlighted, or at a quality
    statement's findings and evidence."""
    return page_link("report", doc=document, start=start, end=end, statement=statement)


def anchor(href: str, label_html: str, title: str | None = None, cls: str | None = None) -> str:
    """An ``<a>`` that opens in the same tab; ``label_html`` must already be escaped."""
    attrs = [f'href="{html.escape(href, quote=True)}"', 'target="_self"']
    if cls:
        attrs.append(f'class="{cls}"')
    if title:
        attrs.append(f'title="{html.escape(title, quote=True)}"')
    return f"<a {' '.join(attrs)}>{label_html}</a>"


def current_page() -> str:
    page = st.query_params.get("page", "ask")
    return page if page in ALL_PAGES else "ask"


def go_to(page: str, **params: Any) -> None:
    """Switch page inside this session (no reload), setting the URL to match."""
    st.query_params.clear()
    st.query_params["page"] = page
    for key, value in params.items():
        values = [v for v in (value if isinstance(value, (list, tuple)) else [value]) if v not in (None, "")]
        if values:
            st.query_params[key] = [str(v) for v in values]


def state_key(*parts: Any) -> str:
    """A short, stable widget key for a combination of values (question, citation...)."""
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:12]


# --------------------------------------------------------------------------- filters

ASSESSMENTS_WIDGET = "f_assessments"
#: Filter: (URL key, widget key, Filters field).
FILTER_KEYS = (("council", "f_authorities", "authorities"), ("theme", "f_themes", "themes"),
               ("statement", "f_statements", "statements"), ("score", "f_scores", "scores"),
               ("rating", "f_ratings", "ratings"), ("assessments", ASSESSMENTS_WIDGET, "assessments"))
#: The one filter with a single value ("latest", "all" or a date) rather than a list.
SINGLE_FILTER = "assessments"


def filter_options(kb: KnowledgeBase) -> dict[str, list[Any]]:
    # One entry per council name: a council assessed twice has two reports.
    return {"authorities": list(dict.fromkeys(a for a, _ in kb.authorities())), "themes": list(THEMES),
            "statements": list(STATEMENT_NAMES), "scores": [1, 2, 3, 4], "ratings": list(RATINGS),
            "assessments": assessment_options(kb)}


def assessment_options(kb: KnowledgeBase) -> list[str]:
    """"latest", "all", then every publication date in the library, newest first."""
    dates = {a.published for history in kb.assessments().values() for a in history if a.published}
    return [LATEST, ALL, *sorted(dates, reverse=True)]


def repeated_assessments(kb: KnowledgeBase) -> bool:
    """Does any council have more than one report in the library?"""
    return any(len(reports) > 1 for reports in kb.assessments().values())


def assessment_choice_label(value: str) -> str:
    if value == LATEST:
        return "Each council's latest report"
    if value == ALL:
        return "Every report (all assessments)"
    return f"The report current on {published_text(value).removeprefix('published ')}"


def assessments_from_url() -> str:
    """The ``assessments`` value in the URL; "latest" when absent or not understood."""
    try:
        return parse_assessments(st.query_params.get(SINGLE_FILTER))
    except KbError:
        return LATEST


def assessments_select(kb: KnowledgeBase, key: str = ASSESSMENTS_WIDGET, on_change: Any = None) -> str:
    """The sidebar choice of assessments, set from the URL when that changes (a shared link, or
    another page's choice); a date from a link is offered even when no report was published on it.
    Shown only when a council has several reports (otherwise the choice changes nothing shown)."""
    options = assessment_options(kb)
    wanted = assessments_from_url()
    if st.session_state.get(f"{key}_url") != wanted or key not in st.session_state:
        st.session_state[f"{key}_url"] = wanted
        st.session_state[key] = wanted
    if st.session_state[key] not in options:
        options.append(st.session_state[key])
    if not repeated_assessments(kb):
        return st.session_state[key]
    return st.sidebar.selectbox("Councils assessed more than once", options, key=key,
                                format_func=assessment_choice_label, on_change=on_change,
                                help="Each council's latest report by default; every report, or the one "
                                     "current on a date.")


def filters_from_url(options: dict[str, list[Any]]) -> Filters:
    """The filters named in the URL, keeping only values the library knows."""
    values: dict[str, Any] = {SINGLE_FILTER: assessments_from_url()}
    for url_key, _, name in FILTER_KEYS:
        if name == SINGLE_FILTER:
            continue
        raw = st.query_params.get_all(url_key)
        if name == "scores":
            raw = [int(v) for v in raw if v.strip().isdigit()]
        values[name] = tuple(v for v in dict.fromkeys(raw) if v in options[name])
    return Filters(**values)


def filters_to_params(filters: Filters) -> dict[str, list[Any]]:
    params = {url_key: list(getattr(filters, name)) for url_key, _, name in FILTER_KEYS if name != SINGLE_FILTER}
    params[SINGLE_FILTER] = [] if filters.assessments == LATEST else [filters.assessments]
    return params


def filters_from_widgets() -> Filters:
    values: dict[str, Any] = {name: tuple(st.session_state.get(widget) or ()) for _, widget, name in FILTER_KEYS
                              if name != SINGLE_FILTER}
    # The choice of assessments from its widget, or from the URL while the widget is not shown.
    return Filters(**values, assessments=st.session_state.get(ASSESSMENTS_WIDGET) or assessments_from_url())


def set_filter_widgets(filters: Filters) -> None:
    for _, widget, name in FILTER_KEYS:
        value = getattr(filters, name)
        st.session_state[widget] = value if name == SINGLE_FILTER else list(value)


def describe_filters(filters: Filters) -> str:
    """The active filters in words, e.g. "Council: Stockton-on-Tees Borough Council; Score: 1, 2"."""
    names = (("authorities", "Council"), ("themes", "Theme"), ("statements", "Quality statement"),
             ("scores", "Score"), ("ratings", "Overall rating"), ("documents", "Report"))
    parts = [f"{label}: {', '.join(map(str, getattr(filters, field)))}"
             for field, label in names if getattr(filters, field, ())]
    assessments = getattr(filters, "assessments", None)
    if assessments == "all":
        parts.append("every assessment of each council")
    elif assessments and assessments != "latest":
        parts.append(f"the assessments current on {assessments}")
    return "; ".join(parts)


def score_label(score: int) -> str:
    return f"{score} – {SCORE_LABELS[score]}"


# --------------------------------------------------------------------------- loading

@st.cache_resource(show_spinner=False)
def get_embedder(model: str, offline: bool, quantize: bool, runtime: str) -> LazyEmbedder:
    """One embedder per process, shared by every session and reused after reindexing. It loads
    the model on the first question, so pages that only read the score table or the library
    open without importing torch."""
    return LazyEmbedder(model, offline, quantize, runtime)


@st.cache_resource(max_entries=2, show_spinner="Opening the index…")
def open_kb(index_dir: str, index_hash: str, build: str, _settings: Settings) -> KnowledgeBase:
    """The KnowledgeBase for one index build; a new build (after reindexing) is a new key."""
    return KnowledgeBase.open(_settings, embedder=get_embedder(*_settings.embedder_args()))


def build_key(settings: Settings) -> str:
    build = current_build(settings.index)
    return build.name if build is not None else ""


def load_kb(settings: Settings) -> KnowledgeBase:
    try:
        return open_kb(str(settings.index), settings.index_hash(), build_key(settings), settings)
    except (IndexMissingError, StaleIndexError) as exc:
        first = isinstance(exc, IndexMissingError)
        st.info("Building the search index from the reports in the library. "
                "This happens once" + ("" if first else " after the settings change")
                + " and can take a minute.")
        result = run_reindex(settings)
        show_skipped(result)
        return open_kb(str(settings.index), settings.index_hash(), build_key(settings), settings)


_STAGES = {"scan": (0.0, 0.05, "Checking files"), "parse": (0.05, 0.25, "Reading reports"),
           "embed": (0.25, 1.0, "Indexing passages")}


def run_reindex(settings: Settings) -> ReindexResult:
    """Incremental reindex with a progress bar; afterwards the cached index is reloaded."""
    bar = st.progress(0.0, text="Preparing the index…")

    def progress(stage: str, done: int, total: int) -> None:
        lo, hi, label = _STAGES.get(stage, (0.0, 1.0, stage))
        frac = lo + (hi - lo) * (done / total if total else 1.0)
        bar.progress(min(max(frac, 0.0), 1.0), text=f"{label}: {done} of {total}")

    result = build_index(settings, embedder=get_embedder(*settings.embedder_args()),
                         progress=progress)
    bar.progress(1.0, text=f"Index ready ({result.chunks} passages, {result.seconds:.1f} s)")
    open_kb.clear()
    # Answers and comparisons were made on the old index; a new council should be compared by default.
    for key in ("answers", "compare", "compare_authorities"):
        st.session_state.pop(key, None)
    return result


def show_skipped(result: ReindexResult) -> None:
    for name, reason in result.skipped:
        st.warning(f"{md_escape(name)} was not indexed: {md_escape(reason)}")


# --------------------------------------------------------------------------- small renderers

def html_block(inner: str, cls: str, element_id: str | None = None) -> None:
    """Render already-escaped HTML in one block (no blank lines, so no Markdown inside)."""
    ident = f' id="{html.escape(element_id, quote=True)}"' if element_id else ""
    st.markdown(f'<div class="{cls}"{ident}>{inner}</div>', unsafe_allow_html=True)


def score_phrase(score: int | None) -> str:
    return "not assessed" if score is None else f"score {score} of 4"


def place(authority: str | None, document: str, section: str, page: int | None,
          published: str | None = None) -> str:
    parts = [council_label(authority, published, document), section.split(" > ")[-1] if section else ""]
    if page is not None:
        parts.append(f"page {page}")
    return " · ".join(p for p in parts if p)


def document_text(kb: KnowledgeBase, document: str) -> str | None:
    try:
        return kb.store.document_text(document)
    except KeyError:
        return None


def render_quote(kb: KnowledgeBase, document: str, start: int, end: int, fallback: str, key: str) -> None:
    """The quote highlighted in its paragraph, with a control that widens the context.

    ``key`` must name the quote in its setting (question and citation, not a number alone), so
    a widened quote stays widened for that quote only."""
    text = document_text(kb, document)
    if text is None or text[start:end].strip() == "":
        html_block(f"<mark>{escape_text(fallback)}</mark>", "cqc-quote")
        return
    more = st.session_state.get(f"more_{key}", False)
    # The first view stays inside the quote's own section (PDF text has no blank lines to split
    # at); more context reaches across headings.
    clip = None if more else section_body(kb.store.sections(document), text, start, end)
    extra = CONTEXT_PARAGRAPHS if more else 0
    if not more:
        ps, pe = context_span(text, start, end)
        if (pe - ps) - (end - start) < SHORT_CONTEXT:
            # A quote that is its own paragraph (a score line, a heading-like sentence) reads
            # better with its heading and the next paragraph.
            clip, extra = None, 1
    html_block(highlight_html(text, start, end, extra, clip), "cqc-quote")
    st.toggle("Show more context", key=f"more_{key}")


def citation_key(question: str, c: Citation) -> str:
    """The state key of one citation of one question."""
    return state_key(question, c.document, c.start, c.end)
