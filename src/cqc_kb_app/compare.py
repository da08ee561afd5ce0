"""The Compare page: one question answered inside each council's own report."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
import streamlit as st

from cqc_kb import export
from cqc_kb.kb import KnowledgeBase

from .common import SCORE_COLOURS, anchor, html_block, render_quote, report_link, state_key

SORTS = ("Score, highest first", "Score, lowest first", "Council, A to Z")


def _open_from_url(authorities: list[str]) -> None:
    """A shared link (``?page=compare&q=...``) fills in the question and runs the comparison once."""
    question = (st.query_params.get("q") or "").strip()
    if not question or st.session_state.get("compare_url_q") == question:
        return
    st.session_state["compare_url_q"] = question
    st.session_state["compare_question"] = question
    st.session_state["compare_authorities"] = authorities
    st.session_state["compare_run"] = True


def on_compare_submit() -> None:
    question = (st.session_state.get("compare_question") or "").strip()
    if question:
        st.query_params["q"] = question
        st.session_state["compare_url_q"] = question
    st.session_state["compare_run"] = True


def render(kb: KnowledgeBase) -> None:
    st.header("Compare councils")
    authorities = [a for a, _ in kb.authorities()]
    if not authorities:
        st.info("No council reports are indexed yet. Add reports on the Library page.")
        return
    _open_from_url(authorities)
    st.markdown("Each council's answer comes from its own report only.")
    with st.form("compare_form", border=False, enter_to_submit=True):
        chosen = st.multiselect("Councils", authorities, default=authorities, key="compare_authorities")
        question = st.text_input("Question", key="compare_question",
                                 placeholder="For example: how are unpaid carers supported?")
        st.form_submit_button("Compare", type="primary", on_click=on_compare_submit)
    if st.session_state.pop("compare_run", False):
        if not question.strip():
            st.warning("Type a question first.")
        elif not chosen:
            st.warning("Choose at least one council.")
        else:
            with st.spinner("Searching each report…"):
                rows = kb.compare(question.strip(), chosen)
            st.session_state["compare"] = {"question": question.strip(), "rows": rows}
    result = st.session_state.get("compare")
    if not result:
        return
    rows = list(result["rows"])
    order = st.selectbox("Sort by", SORTS, key="compare_sort")
    if order == SORTS[2]:
        rows.sort(key=lambda r: r.authority.lower())
    else:
        high = order == SORTS[0]
        rows.sort(key=lambda r: (r.score is None, -(r.score or {}).get("value", 0) if high
                                 else (r.score or {}).get("value", 0), r.authority.lower()))
    st.subheader(result["question"], anchor=False)
    table = pd.DataFrame([compare_cells(r) for r in rows])
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "Council": st.column_config.TextColumn(width="medium"),
        "Score": st.column_config.NumberColumn("Score (1-4)", format="%d", width="small",
                                               help="Score of the quality statement the evidence sits under"),
        "Quality statement": st.column_config.TextColumn(width="medium"),
        "Answer": st.column_config.TextColumn(width="large"),
        "Evidence": st.column_config.TextColumn(width="large"),
        "Report": st.column_config.LinkColumn("Report", display_text="Open in report", width="small",
                                              help="The first quote, highlighted in the whole report"),
    })
    st.markdown("**Evidence, council by council**")
    grid = st.columns(2)
    for i, row in enumerate(rows):
        with grid[i % 2]:
            render_compare_card(kb, row, result["question"])
    cols = st.columns(2)
    cols[0].download_button("Download comparison (CSV)", export.compare_to_csv(result["question"], rows),
                            "comparison.csv", mime="text/csv", key="dl_compare_csv")
    cols[1].download_button("Download comparison (Markdown)",
                            export.compare_to_markdown(result["question"], rows), "comparison.md",
                            mime="text/markdown", key="dl_compare_md")


def render_compare_card(kb: KnowledgeBase, row: Any, question: str) -> None:
    value = row.score["value"] if row.score else None
    badge = (f"<span class='cqc-badge' style='background:{SCORE_COLOURS.get(value, '#eee')}'>"
             + (html.escape(f"{row.score['quality_statement']}: score {value} of 4") if row.score else "no score")
             + "</span>")
    with st.container(border=True):
        html_block(f"<h4>{html.escape(row.authority)}</h4>{badge}", "cqc-card-head")
        if row.answer.abstained or not row.answer.citations:
            st.markdown("*No evidence found in this report.*")
            return
        for c in row.answer.citations:
            render_quote(kb, c.document, c.start, c.end, c.quote,
                         key=state_key("compare", question, c.document, c.start, c.end))
            where = html.escape(f"[{c.n}] {c.section}" + (f", page {c.page}" if c.page is not None else ""))
            html_block(f"{where} · {anchor(report_link(c.document, c.start, c.end), 'Open in report')}",
                       "cqc-meta")


def compare_cells(row: Any) -> dict[str, Any]:
    if row.answer.abstained or not row.answer.citations:
        return {"Council": row.authority, "Score": None, "Quality statement": "",
                "Answer": "no evidence found in this report", "Evidence": "no evidence found in this report",
                "Report": report_link(row.document)}
    evidence = "  ".join(f"[{c.n}] \u201c{' '.join(c.quote.split())}\u201d ({c.section.split(' > ')[-1]}"
                         f"{', page ' + str(c.page) if c.page is not None else ''})"
                         for c in row.answer.citations)
    first = row.answer.citations[0]
    return {"Council": row.authority, "Score": row.score["value"] if row.score else None,
            "Quality statement": row.score["quality_statement"] if row.score else "",
            "Answer": " ".join(row.answer.answer.split()), "Evidence": evidence,
            "Report": report_link(first.document, first.start, first.end)}
