"""The Ask page: a question over the library, answered with quoted, numbered sources.

A library-wide answer comes as council blocks (one per council that answers, strongest first);
every ``[n]`` marker links to its source card, and every card opens the report at the quote.
The question and the filters live in the URL, so an answer can be bookmarked or shared.
"""

from __future__ import annotations

import html
from typing import Any

import streamlit as st

from cqc_kb import export
from cqc_kb.kb import KnowledgeBase
from cqc_kb.records import Answer, Citation, Hit, council_label
from cqc_kb.retrieve import Filters

from .common import (FILTER_KEYS, MAX_HISTORY, assessments_select, citation_key, describe_filters,
                     filter_options, filters_from_url, filters_from_widgets, filters_to_params, go_to,
                     html_block, place, render_quote, score_label, score_phrase, set_filter_widgets)
from .html import answer_html, escape_text, md_escape

EXAMPLES = (
    "What was the median waiting time for a Care Act assessment?",
    "How are unpaid carers supported?",
    "How did each council score on safeguarding?",
    "What was the overall rating?",
)
#: Council blocks shown before "more councils".
TOP_GROUPS = 5
STRENGTHS = ("strong", "moderate", "weak")
STRENGTH_WORDS = {"strong": "Strong evidence", "moderate": "Moderate evidence", "weak": "Weak evidence"}


# --------------------------------------------------------------------------- state

def open_question(question: str, filters: Filters) -> None:
    """Show ``question`` under ``filters`` (form, example or history) and remember both."""
    question = question.strip()
    if question:
        remember(question, filters)
        go_to("ask", q=question, **filters_to_params(filters))


def remember(question: str, filters: Filters) -> None:
    """Put the question on show, with its filters, at the top of the recent questions."""
    history = st.session_state.get("history", [])
    entry = {"q": question, "filters": filters}
    st.session_state["question_remembered"] = question
    if history[:1] != [entry]:
        st.session_state["history"] = [entry] + [h for h in history if h != entry][: MAX_HISTORY - 1]


def on_ask_submit() -> None:
    question = (st.session_state.get("question_input") or "").strip()
    if question:
        open_question(question, filters_from_widgets())
    else:
        st.session_state["ask_empty"] = True


def on_filters_change() -> None:
    filters = filters_from_widgets()
    st.session_state["filters_applied"] = filters
    for url_key in [k for k, _, _ in FILTER_KEYS] + ["assessments"]:
        st.query_params.pop(url_key, None)
    for url_key, values in filters_to_params(filters).items():
        if values:
            st.query_params[url_key] = [str(v) for v in values]


def sync_question_input() -> str | None:
    """The question in the URL; the text box shows it when it changed (link, history, example)."""
    question = (st.query_params.get("q") or "").strip() or None
    # A widget's state is dropped while its page is not shown, so coming back sets it again.
    if st.session_state.get("question_applied") != question or "question_input" not in st.session_state:
        st.session_state["question_applied"] = question
        st.session_state["question_input"] = question or ""
    return question


# --------------------------------------------------------------------------- sidebar

def sidebar(kb: KnowledgeBase) -> Filters:
    """Recent questions, then the filters; returns the filters in force (those in the URL).
    A question that arrives by link joins the recent questions with the filters it came with."""
    options = filter_options(kb)
    filters = filters_from_url(options)
    question = (st.query_params.get("q") or "").strip()
    if question and st.session_state.get("question_remembered") != question:
        remember(question, filters)
    sidebar_history()
    if st.session_state.get("filters_applied") != filters or \
            any(widget not in st.session_state for _, widget, _ in FILTER_KEYS):
        set_filter_widgets(filters)
        st.session_state["filters_applied"] = filters
    st.sidebar.subheader("Filter the reports")
    common = {"on_change": on_filters_change}
    st.sidebar.multiselect("Council", options["authorities"], key="f_authorities",
                           placeholder="All councils", **common)
    st.sidebar.multiselect("Theme", options["themes"], key="f_themes", placeholder="All themes", **common)
    st.sidebar.multiselect("Quality statement", options["statements"], key="f_statements",
                           placeholder="All quality statements", **common)
    st.sidebar.multiselect("Quality statement score", options["scores"], key="f_scores",
                           format_func=score_label, placeholder="Any score", **common)
    st.sidebar.multiselect("Overall rating", options["ratings"], key="f_ratings",
                           placeholder="Any rating", **common)
    assessments_select(kb, on_change=on_filters_change)
    return filters


def sidebar_history() -> None:
    history = st.session_state.get("history", [])
    if not history:
        return
    st.sidebar.subheader("Recent questions")
    for i, item in enumerate(history):
        described = describe_filters(item["filters"])
        st.sidebar.button(item["q"] + (" (filtered)" if described else ""), key=f"recent_{i}",
                          on_click=open_question, args=(item["q"], item["filters"]), width="stretch",
                          help=f"Filtered to {described}" if described else "All reports")


# --------------------------------------------------------------------------- answering

def ask(kb: KnowledgeBase, question: str, filters: Filters) -> Answer:
    """Answers are kept for the session so widening a quote does not ask again."""
    cache = st.session_state.setdefault("answers", {})
    key = (kb.store.build.name, question, filters)
    if key not in cache:
        if len(cache) > 50:
            cache.clear()
        with st.spinner("Searching the reports…"):
            cache[key] = kb.ask(question, filters=filters)
    return cache[key]


def strength(extra: dict[str, Any] | None, confidence: float, threshold: float) -> str:
    """How strong the evidence is: the library's own word when it gives one, else read from
    the confidence against the abstention threshold (answers below it are not given at all)."""
    given = (extra or {}).get("strength")
    if given in STRENGTHS:
        return given
    if (extra or {}).get("source") == "score table":
        return "strong"
    if confidence >= threshold + 0.25:
        return "strong"
    if confidence >= threshold + 0.10:
        return "moderate"
    return "weak"


def strength_badge(level: str) -> str:
    word = STRENGTH_WORDS[level]
    return f"<span class='cqc-strength {level}' title='{word}: how closely the quotes match the question'>{word}</span>"


def render(kb: KnowledgeBase, filters: Filters) -> None:
    st.header("Ask a question")
    question = sync_question_input()
    with st.form("ask_form", border=False, enter_to_submit=True):
        st.text_input("Your question", key="question_input",
                      placeholder="For example: how long did people wait for a Care Act assessment?")
        st.form_submit_button("Ask", type="primary", on_click=on_ask_submit)
    if st.session_state.pop("ask_empty", False):
        st.warning("Type a question first.")
    if not question:
        first_run(kb, filters)
        return
    if not kb.store.documents():
        st.info("No reports are indexed yet. Add reports on the Library page.")
        return
    answer = ask(kb, question, filters)
    threshold = kb.settings.abstain_threshold
    if answer.abstained:
        st.warning("No clear answer in these reports.")
        active_filters_caption(filters)
        if answer.hits:
            st.markdown("The nearest passages are below for reading; none of them answers the question "
                        "clearly enough to quote.")
            for hit in answer.hits:
                render_hit(hit)
        else:
            st.markdown("Nothing in the reports matched. Try other words or remove the filters.")
    elif getattr(answer, "groups", ()):
        render_groups(kb, answer, question, filters, threshold)
    else:
        level = strength(answer.extra, answer.confidence, threshold)
        html_block(answer_html(answer.answer, targets(answer.citations, "src")), "cqc-answer")
        html_block(strength_badge(level), "cqc-meta")
        active_filters_caption(filters)
        if answer.extra.get("source") == "score table":
            st.caption("Answered from the published scores; each source is the report's own score line.")
        st.subheader("Sources", anchor=False)
        for c in answer.citations:
            render_citation(kb, c, question, f"src-{c.n}")
    cols = st.columns(2)
    cols[0].download_button("Download answer (CSV)", export.answer_to_csv(answer, filters), "answer.csv",
                            mime="text/csv", key="dl_answer_csv")
    cols[1].download_button("Download answer (Markdown)", export.answer_to_markdown(answer, filters), "answer.md",
                            mime="text/markdown", key="dl_answer_md")


def active_filters_caption(filters: Filters) -> None:
    described = describe_filters(filters)
    st.caption(f"Filtered to {md_escape(described)}." if described else "Searched all reports in the library.")


def targets(citations: tuple[Citation, ...], prefix: str) -> dict[int, tuple[str, str]]:
    """Marker number -> (its card's anchor id, hover preview: where the quote is from, and the quote)."""
    def preview(c: Citation) -> str:
        where = [c.authority or c.document, c.statement or (c.section.split(" > ")[-1] if c.section else "")]
        if c.page is not None:
            where.append(f"page {c.page}")
        return f"{', '.join(w for w in where if w)}: \u201c{' '.join(c.quote.split())}\u201d"
    return {c.n: (f"{prefix}-{c.n}", preview(c)) for c in citations}


def render_groups(kb: KnowledgeBase, answer: Answer, question: str, filters: Filters, threshold: float) -> None:
    """One block per council that answers, strongest first; the rest behind an expander."""
    groups = list(answer.groups)
    searched = getattr(answer, "reports_searched", 0) or len(kb.store.documents())
    head, cta = st.columns([3, 2], vertical_alignment="center")
    head.markdown(f"**Answered in {len(groups)} of {searched} report{'s' if searched != 1 else ''}**"
                  + (f" (the {TOP_GROUPS} strongest are shown first)" if len(groups) > TOP_GROUPS else ""))
    cta.button("Compare every council on this question", key="ask_compare", icon=":material/table_view:",
               on_click=go_to, args=("compare",), kwargs={"q": question}, width="stretch")
    active_filters_caption(filters)
    for i, group in enumerate(groups[:TOP_GROUPS]):
        render_group(kb, group, i, question, threshold)
    if len(groups) > TOP_GROUPS:
        with st.expander(f"{len(groups) - TOP_GROUPS} more council{'s' if len(groups) - TOP_GROUPS != 1 else ''}"):
            for i, group in enumerate(groups[TOP_GROUPS:], start=TOP_GROUPS):
                render_group(kb, group, i, question, threshold)


def render_group(kb: KnowledgeBase, group: Any, i: int, question: str, threshold: float) -> None:
    citations = tuple(getattr(group, "citations", ()))
    level = strength({"strength": getattr(group, "strength", None)}, getattr(group, "confidence", 0.0), threshold)
    label = council_label(group.authority, getattr(group, "published", None), group.document)
    with st.container(border=True):
        html_block(f'<div role="heading" aria-level="3" class="cqc-council">{html.escape(label)} '
                   f"{strength_badge(level)}</div>", "cqc-card-head")
        html_block(answer_html(group.answer, targets(citations, f"src-{i}")), "cqc-answer")
        for c in citations:
            render_citation(kb, c, question, f"src-{i}-{c.n}", council=False)


def render_citation(kb: KnowledgeBase, c: Citation, question: str, anchor_id: str, council: bool = True) -> None:
    """A source card: its anchor (the target of the ``[n]`` marker), the quote in context, and
    a button that opens the report at the quote. Inside a council block the council is not
    named again (``council=False``)."""
    parts = [council_label(c.authority, getattr(c, "published", None), c.document)] if council else []
    if c.statement:
        parts.append(f"{c.statement} ({score_phrase(c.statement_score)})")
    elif not council and c.section:
        parts.append(c.section.split(" > ")[-1])
    if c.page is not None:
        parts.append(f"page {c.page}")
    label = f"[{c.n}] " + " — ".join(parts)
    key = citation_key(question, c)
    with st.container(border=True):
        html_block(f"<b>{html.escape(label)}</b>", "cqc-card-head cqc-anchor", element_id=anchor_id)
        render_quote(kb, c.document, c.start, c.end, c.quote, key)
        where = [f"<b>Section:</b> {html.escape(c.section or '—')}"]
        if c.page is not None:
            where.append(f"<b>Page:</b> {c.page}")
        where.append(f"<b>File:</b> {html.escape(c.document)}")
        html_block(" · ".join(where), "cqc-meta")
        st.button("Open in report", key=f"open_{key}", icon=":material/description:",
                  on_click=open_report, args=(c.document, c.start, c.end))


def open_report(document: str, start: int | None, end: int | None) -> None:
    """Go to the report view, remembering where to come back to."""
    st.session_state["report_back"] = {k: st.query_params.get_all(k) for k in st.query_params}
    go_to("report", doc=document, start=start, end=end)


def render_hit(hit: Hit) -> None:
    label = f"{hit.rank}. {place(hit.authority, hit.document, hit.section, hit.page, hit.published)}"
    with st.expander(md_escape(label), expanded=hit.rank <= 2):
        html_block(f"<b>Section:</b> {html.escape(hit.section)}"
                   + (f"<br><b>Quality statement:</b> {html.escape(hit.statement)} "
                      f"({html.escape(score_phrase(hit.statement_score))})" if hit.statement else ""),
                   "cqc-meta")
        html_block(escape_text(hit.text), "cqc-quote")
        st.button("Open in report", key=f"open_hit_{hit.rank}_{hit.chunk_id}", icon=":material/description:",
                  on_click=open_report, args=(hit.document, hit.start, hit.end))


def first_run(kb: KnowledgeBase, filters: Filters) -> None:
    authorities = sorted(set(a for a, _ in kb.authorities()))
    docs = kb.store.documents()
    if not docs:
        st.info("No reports are indexed yet. Add CQC local authority assessment reports on the "
                "Library page (PDF, HTML or text) and they become searchable straight away.")
        return
    st.markdown(f"This library holds **{len(docs)} report{'s' if len(docs) != 1 else ''}**"
                + (f", CQC local authority assessments of {len(authorities)} "
                   f"council{'s' if len(authorities) != 1 else ''}:" if authorities else "."))
    if authorities:
        st.markdown("\n".join(f"- {md_escape(a)}" for a in authorities))
    st.markdown("Ask in plain English. Every answer is made of sentences quoted word for word from the "
                "reports, each with a numbered source you can open to read it in context. "
                "When the reports do not answer clearly, the app says so and shows the nearest passages.")
    st.markdown("**Try one of these:**")
    cols = st.columns(2)
    for i, example in enumerate(EXAMPLES):
        cols[i % 2].button(example, key=f"example_{i}", on_click=open_question, args=(example, filters),
                           width="stretch")
