"""The Compare page: one question answered inside each council's own report.

One table row per council, with the council's full name and publication date, the score of
the quality statement its evidence sits under ("no evidence" when its report has none), the
figure its quote gives (when the question asks for one), and its answer and quotes wrapped in
full. Every quote links to the report view at that quote. Rows sort by score, name or figure;
a bar chart shows the figure by council.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from typing import Any, Sequence

import altair as alt
import pandas as pd
import streamlit as st

from cqc_kb import export
from cqc_kb.kb import KnowledgeBase
from cqc_kb.records import council_label
from cqc_kb.retrieve import Filters

from .common import (SCORE_COLOURS, anchor, assessments_select, html_block, render_quote, report_link,
                     state_key)
from .html import escape_text

NO_EVIDENCE = "no evidence"
SCORE_HIGH, SCORE_LOW, NAME = "Score, highest first", "Score, lowest first", "Council, A to Z"
FIGURE_HIGH, FIGURE_LOW = "Figure, highest first", "Figure, lowest first"
SORTS = (SCORE_HIGH, SCORE_LOW, NAME)
FIGURE_SORTS = (FIGURE_HIGH, FIGURE_LOW)
#: Shown when a quote is longer; the whole quote is one click away in the report view.
QUOTE_CHARS = 600

#: Text on the score colours is near-black: the link blue is under 4.5:1 on the green of a 4.
CSS = """
<style>
.cqc-compare {overflow-x: auto;}
.cqc-compare table {border-collapse: collapse; width: 100%; font-size: 0.92rem; table-layout: auto;}
.cqc-compare th, .cqc-compare td {border: 1px solid #ddd; padding: 6px 8px; vertical-align: top;
  text-align: left; white-space: normal; overflow-wrap: anywhere;}
.cqc-compare th {background: #fafafa; font-weight: 600;}
.cqc-compare td.council {min-width: 11rem; font-weight: 600;}
.cqc-compare td.council .published {display: block; font-weight: 400; color: #555; font-size: 0.85rem;}
.cqc-compare td.score, .cqc-compare td.figure {white-space: nowrap;}
.cqc-compare td.none {color: #555; font-style: italic;}
.cqc-compare ol {margin: 0; padding-left: 1.4rem;}
.cqc-compare li {margin-bottom: 0.3rem;}
.cqc-compare a {color: #0b5394;}
.cqc-compare td.score a, .cqc-compare td.score .cqc-meta {color: #1a1a1a;}
</style>
"""


# --------------------------------------------------------------------------- pure helpers

def has_evidence(row: Any) -> bool:
    return not row.answer.abstained and bool(row.answer.citations)


def score_value(row: Any) -> int | None:
    score = getattr(row, "score", None) or {}
    return score.get("value") if has_evidence(row) else None


def figure_of(row: Any) -> Any:
    figure = getattr(row, "figure", None)
    return figure if figure is not None and has_evidence(row) else None


def figure_text(figure: Any) -> str:
    """A figure as people write it: ``28 days``, ``45%``, ``£1,200``; a date as the quote gives it."""
    value = figure.value
    unit = (figure.unit or "").strip()
    if unit == "date":
        return " ".join((figure.text or "").split()) or f"{value:g}"
    number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if unit in ("%", "per cent", "percent"):
        return f"{number}%"
    if unit in ("£", "GBP"):
        return f"£{number}"
    return f"{number} {unit}".strip()


def sort_options(rows: Sequence[Any]) -> tuple[str, ...]:
    """Score and name always; the figure too when at least one council's quote gives one."""
    return SORTS + (FIGURE_SORTS if any(figure_of(r) for r in rows) else ())


def sort_rows(rows: Sequence[Any], order: str) -> list[Any]:
    """Rows in the chosen order; councils with no score (or no figure, or a figure in another
    unit than most) come last, and ties are broken by name so the order is stable."""
    def name(r: Any) -> str:
        return r.authority.lower()

    if order == NAME:
        return sorted(rows, key=name)
    if order in FIGURE_SORTS:
        # Figures in the most common unit first (they are the ones charted), then other units.
        sign, unit = -1 if order == FIGURE_HIGH else 1, chart_unit(rows)
        def by_figure(r: Any) -> tuple:
            figure = figure_of(r)
            if figure is None:
                return (True, True, 0.0, name(r))
            return (False, figure.unit != unit, sign * figure.value, name(r))

        return sorted(rows, key=by_figure)
    sign = -1 if order == SCORE_HIGH else 1
    return sorted(rows, key=lambda r: (score_value(r) is None, not has_evidence(r),
                                       sign * (score_value(r) or 0), name(r)))


def chart_unit(rows: Sequence[Any]) -> str | None:
    """The unit most councils' figures share (figures in other units cannot share one axis)."""
    units = Counter(figure_of(r).unit for r in rows if figure_of(r))
    return units.most_common(1)[0][0] if units else None


def chart_data(rows: Sequence[Any]) -> pd.DataFrame:
    """Council, figure and its text, for the councils whose figure is in :func:`chart_unit`, in row order."""
    unit = chart_unit(rows)
    # One council's several assessments (over time, or all assessments) are told apart by date.
    repeated = len({r.authority for r in rows}) < len(rows)
    data = [{"Council": council_label(r.authority, r.published, r.document) if repeated else r.authority, "Figure": float(figure_of(r).value), "Shown": figure_text(figure_of(r))}
            for r in rows if figure_of(r) and figure_of(r).unit == unit]
    return pd.DataFrame(data, columns=["Council", "Figure", "Shown"])


def _quote_link(c: Any) -> str:
    quote = " ".join(c.quote.split())
    if len(quote) > QUOTE_CHARS:
        quote = quote[:QUOTE_CHARS - 1].rstrip() + "…"
    where = c.section.split(" > ")[-1] if c.section else ""
    if c.page is not None:
        where = f"{where}, page {c.page}" if where else f"page {c.page}"
    label = f"\u201c{escape_text(quote)}\u201d"
    title = f"Open {c.document} at this quote"
    return (f"<li>{anchor(report_link(c.document, c.start, c.end), label, title=title)}"
            + (f" <span class='cqc-meta'>({html.escape(where)})</span>" if where else "") + "</li>")


def _answer_html(row: Any) -> str:
    """The answer with each ``[n]`` marker linking to the report view at quote n."""
    by_n = {c.n: c for c in row.answer.citations}

    def marker(m: re.Match) -> str:
        c = by_n.get(int(m.group(1)))
        if c is None:
            return m.group(0)
        link = anchor(report_link(c.document, c.start, c.end), f"[{c.n}]", title=" ".join(c.quote.split()))
        return f"<sup>{link}</sup>"

    return re.sub(r"\[(\d+)\]", marker, escape_text(" ".join(row.answer.answer.split())))


def compare_table_html(rows: Sequence[Any]) -> str:
    """The comparison as an HTML table whose cells wrap, so no name or answer is cut."""
    show_figure = any(figure_of(r) for r in rows)
    head = ("<tr><th>Council</th><th>Score (1-4)</th>" + ("<th>Figure</th>" if show_figure else "")
            + "<th>Answer</th><th>Evidence (opens the report at the quote)</th></tr>")
    body = []
    for r in rows:
        published = getattr(r, "published", None)
        label = council_label(r.authority, published, r.document)
        dated = label[len(r.authority):].strip() if label.startswith(r.authority) else ""
        council = (anchor(report_link(r.document), html.escape(r.authority), title=f"Open {r.document}")
                   + (f"<span class='published'>{html.escape(dated.strip('()'))}</span>" if dated else ""))
        cells = [f"<td class='council'>{council}</td>"]
        if not has_evidence(r):
            cells.append(f"<td class='score none'>{NO_EVIDENCE}</td>")
            if show_figure:
                cells.append("<td class='figure none'>—</td>")
            cells.append("<td class='none' colspan='2'>no evidence found in this report</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
            continue
        value = score_value(r)
        if value is None:
            cells.append("<td class='score none'>not scored</td>")
        else:
            statement = r.score["quality_statement"]
            link = anchor(report_link(r.document, statement=statement), f"{value} of 4",
                          title=f"{statement}: open the findings and evidence")
            cells.append(f"<td class='score' style='background:{SCORE_COLOURS.get(value, '#eee')}'>{link}"
                         f"<br><span class='cqc-meta'>{html.escape(statement)}</span></td>")
        if show_figure:
            figure = figure_of(r)
            cells.append(f"<td class='figure'>{html.escape(figure_text(figure))}</td>" if figure
                         else "<td class='figure none'>—</td>")
        cells.append(f"<td class='answer'>{_answer_html(r)}</td>")
        cells.append("<td class='evidence'><ol>" + "".join(_quote_link(c) for c in r.answer.citations)
                     + "</ol></td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table lang='en'><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


# --------------------------------------------------------------------------- page

def _open_from_url() -> None:
    """A shared link (``?page=compare&q=...``) fills in the question and runs the comparison once."""
    question = (st.query_params.get("q") or "").strip()
    if not question or st.session_state.get("compare_url_q") == question:
        return
    st.session_state["compare_url_q"] = question
    st.session_state["compare_question"] = question
    st.session_state["compare_run"] = True


OVER_TIME = "One council over time"
MODES = ("Councils side by side", OVER_TIME)


def on_assessments_change() -> None:
    value = st.session_state.get("compare_assessments")
    if value and value != "latest":
        st.query_params["assessments"] = value
    else:
        st.query_params.pop("assessments", None)


def on_compare_submit() -> None:
    question = (st.session_state.get("compare_question") or "").strip()
    if question:
        st.query_params["q"] = question
        st.session_state["compare_url_q"] = question
    st.session_state["compare_run"] = True


def render(kb: KnowledgeBase) -> None:
    st.header("Compare councils")
    st.markdown(CSS, unsafe_allow_html=True)
    authorities = list(dict.fromkeys(a for a, _ in kb.authorities()))
    if not authorities:
        st.info("No council reports are indexed yet. Add reports on the Library page.")
        return
    _open_from_url()
    st.markdown("Each council's answer comes from its own report only.")
    assessments = assessments_select(kb, "compare_assessments", on_change=on_assessments_change)
    if st.query_params.get("over_time") in authorities and "compare_over_time" not in st.session_state:
        st.session_state["compare_mode"] = OVER_TIME
        st.session_state["compare_over_time"] = st.query_params["over_time"]
    mode = st.radio("Compare", MODES, key="compare_mode", horizontal=True,
                    help="One council over time answers the question in each of its assessments, "
                         "oldest to newest.")
    with st.form("compare_form", border=False, enter_to_submit=True):
        if mode == OVER_TIME:
            if st.session_state.get("compare_over_time") not in authorities:
                several = [h[-1].authority for h in kb.assessments().values() if len(h) > 1]
                st.session_state["compare_over_time"] = next((a for a in several if a in authorities),
                                                             authorities[0])
            council = st.selectbox("Council", authorities, key="compare_over_time")
            chosen = [council]
        else:
            chosen = st.multiselect("Councils", authorities, default=authorities, key="compare_authorities")
        question = st.text_input("Question", key="compare_question",
                                 placeholder="For example: how long did people wait for a Care Act assessment?")
        st.form_submit_button("Compare", type="primary", on_click=on_compare_submit)
    if st.session_state.pop("compare_run", False):
        if not question.strip():
            st.warning("Type a question first.")
        elif not chosen:
            st.warning("Choose at least one council.")
        else:
            over_time = chosen[0] if mode == OVER_TIME else None
            with st.spinner("Searching each report…"):
                rows = kb.compare(question.strip(), chosen, filters=Filters(assessments=assessments),
                                  over_time=over_time)
            # The councils chosen are the comparison's filter; all of them means none.
            scope = Filters(authorities=tuple(chosen) if set(chosen) != set(authorities) else (),
                            assessments="all" if over_time else assessments)
            if over_time:
                st.query_params["over_time"] = over_time
            else:
                st.query_params.pop("over_time", None)
            st.session_state["compare"] = {"question": question.strip(), "rows": rows, "filters": scope,
                                           "over_time": over_time}
    result = st.session_state.get("compare")
    if not result:
        return
    options = sort_options(result["rows"])
    if st.session_state.get("compare_sort") not in options:
        st.session_state.pop("compare_sort", None)
    st.subheader(result["question"], anchor=False)
    found = sum(has_evidence(r) for r in result["rows"])
    over_time = result.get("over_time")
    st.caption((f"{over_time}: each assessment, oldest to newest. " if over_time else "")
               + f"Evidence found in {found} of {len(result['rows'])} reports. "
               "Select a quote or a [n] marker to read it in the whole report.")
    if over_time:
        rows = list(result["rows"])
    else:
        order = st.selectbox("Sort by", options, key="compare_sort")
        rows = sort_rows(result["rows"], order)
    html_block(compare_table_html(rows), "cqc-compare")
    render_chart(rows)
    cols = st.columns(2)
    scope = result.get("filters")
    cols[0].download_button("Download comparison (CSV)", export.compare_to_csv(result["question"], rows, scope),
                            "comparison.csv", mime="text/csv", key="dl_compare_csv")
    cols[1].download_button("Download comparison (Markdown)",
                            export.compare_to_markdown(result["question"], rows, scope), "comparison.md",
                            mime="text/markdown", key="dl_compare_md")
    with st.expander("Evidence in context, council by council"):
        grid = st.columns(2)
        for i, row in enumerate(rows):
            with grid[i % 2]:
                render_compare_card(kb, row, result["question"])


def render_chart(rows: Sequence[Any]) -> None:
    """A bar chart of the figure by council, in the table's order, when quotes give figures."""
    data = chart_data(rows)
    if data.empty:
        return
    unit = chart_unit(rows)
    left_out = [r.authority for r in rows if figure_of(r) and figure_of(r).unit != unit]
    missing = [r.authority for r in rows if not figure_of(r)]
    axis = {"": "number", "date": "year", "£": "£"}.get(unit, unit)
    st.markdown(f"**The figure each council's quote gives ({axis})**")
    chart = alt.Chart(data).mark_bar(color="#0b5394").encode(
        x=alt.X("Figure:Q", title=axis, scale=alt.Scale(zero=unit != "date")),
        y=alt.Y("Council:N", sort=list(data["Council"]), title=None,
                axis=alt.Axis(labelLimit=400, labelOverlap=False, labelFontSize=13)),
        tooltip=[alt.Tooltip("Council:N"), alt.Tooltip("Shown:N", title="Figure")],
    ).properties(height=alt.Step(34))
    labels = chart.mark_text(align="left", dx=4, color="#1a1a1a").encode(text="Shown:N")
    st.altair_chart(chart + labels, width="stretch")
    notes = []
    if missing:
        notes.append(f"No figure in the evidence of: {', '.join(missing)}.")
    if left_out:
        notes.append(f"Figures in other units are left out of the chart: {', '.join(left_out)}.")
    if notes:
        st.caption(" ".join(notes))


def render_compare_card(kb: KnowledgeBase, row: Any, question: str) -> None:
    value = score_value(row)
    badge = (f"<span class='cqc-badge' style='background:{SCORE_COLOURS.get(value, '#eee')}'>"
             + (html.escape(f"{row.score['quality_statement']}: score {value} of 4") if value is not None
                else ("not scored" if has_evidence(row) else NO_EVIDENCE))
             + "</span>")
    label = council_label(row.authority, getattr(row, "published", None), row.document)
    with st.container(border=True):
        html_block(f"<h4>{html.escape(label)}</h4>{badge}", "cqc-card-head")
        if not has_evidence(row):
            st.markdown("*No evidence found in this report.*")
            return
        for c in row.answer.citations:
            render_quote(kb, c.document, c.start, c.end, c.quote,
                         key=state_key("compare", question, c.document, c.start, c.end))
            where = html.escape(f"[{c.n}] {c.section}" + (f", page {c.page}" if c.page is not None else ""))
            html_block(f"{where} · {anchor(report_link(c.document, c.start, c.end), 'Open in report')}",
                       "cqc-meta")
