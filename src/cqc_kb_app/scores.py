"""The Scores page: the published scores as a heat map, and each statement's key findings."""

from __future__ import annotations

import html
import re

import streamlit as st

from cqc_kb import export
from cqc_kb.assessments import ALL, LATEST
from cqc_kb.kb import KnowledgeBase
from cqc_kb.records import council_label
from cqc_kb.structure import SCORE_LABELS, STATEMENTS, STATEMENT_NAMES

from .changes import CSS as CHANGES_CSS, PERCENTAGE, RATING, heat_map_marks, in_assessment_order
from .common import SCORE_COLOURS, anchor, document_text, html_block, report_link
from .html import escape_text, md_escape, section_text

#: Where long header words may break (a soft hyphen), so nine statements fit a laptop screen.
_SOFT_HYPHENS = {w.replace("|", ""): w.replace("|", "&shy;") for w in (
    "Assess|ing", "Support|ing", "experi|ence", "out|comes", "pro|vision", "integ|ration", "contin|uity",
    "Partner|ships", "commun|ities", "path|ways", "trans|itions", "Safe|guarding", "Govern|ance",
    "manage|ment", "sustain|ability", "Learn|ing", "improve|ment", "innov|ation", "health|ier",
    "Out|standing", "improve|ment")}


#: Score cells are links to the evidence: the whole cell is the target, in the text colour so
#: the numbers stay as legible as plain text on every background, underlined on hover and focus.
CSS = """
<style>
.cqc-heat td a.cqc-cell {display: block; color: #1a1a1a; text-decoration: none; font-weight: 600;}
.cqc-heat td a.cqc-cell:hover, .cqc-heat td a.cqc-cell:focus {text-decoration: underline; outline-offset: 1px;}
.cqc-heat td.na a.cqc-cell {font-weight: 400; color: #444;}
</style>
"""


def soft_hyphens(escaped: str) -> str:
    return re.sub(r"[A-Za-z]+", lambda m: _SOFT_HYPHENS.get(m.group(0), m.group(0)), escaped)


def heat_map_html(rows: list, marks: dict[str, dict[str, str]] | None = None) -> str:
    """The heat map; each score cell links to that statement's findings and evidence in the report.
    ``marks`` (see :func:`cqc_kb_app.changes.heat_map_marks`) adds each cell's change."""
    themes = []
    for name, theme in STATEMENTS:
        if themes and themes[-1][0] == theme:
            themes[-1][1] += 1
        else:
            themes.append([theme, 1])
    head1 = "<tr><th rowspan='2'>Council</th><th rowspan='2'>Rating</th><th rowspan='2'>Score %</th>" + \
        "".join(f"<th colspan='{n}'>{html.escape(t)}</th>" for t, n in themes) + "</tr>"
    head2 = "<tr>" + "".join(f"<th class='statement'>{soft_hyphens(html.escape(n))}</th>"
                             for n in STATEMENT_NAMES) + "</tr>"
    body = []
    for r in rows:
        mark = (marks or {}).get(r.document, {})
        cells = [f"<td class='council'>{html.escape(council_label(r.authority, r.published, r.document))}</td>",
                 f"<td>{soft_hyphens(html.escape(r.rating or '—'))}{mark.get(RATING, '')}</td>",
                 f"<td class='pct'>{'—' if r.percentage is None else f'{r.percentage:.1f}%'}"
                 f"{mark.get(PERCENTAGE, '')}</td>"]
        for name in STATEMENT_NAMES:
            score = r.scores.get(name)
            title = f"{r.authority}: {name}: " + (SCORE_LABELS[score] if score else "not assessed")
            shown = "not assessed" if score is None else str(score)
            link = anchor(report_link(r.document, statement=name), shown, title=title + " (open the evidence)",
                          cls="cqc-cell")
            cls = "" if score else " class='na'"
            cells.append(f"<td{cls} style='background:{SCORE_COLOURS.get(score, '#eee')}' "
                         f"title=\"{html.escape(title, quote=True)}\">{link}{mark.get(name, '')}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table lang='en'><thead>{head1}{head2}</thead><tbody>{''.join(body)}</tbody></table>"


def render(kb: KnowledgeBase) -> None:
    st.header("Published scores")
    cols = st.columns(2)
    which = cols[0].radio("Assessments", (LATEST, ALL), key="scores_assessments", horizontal=True,
                          format_func={LATEST: "Latest of each council", ALL: "All assessments"}.get)
    show_change = cols[1].toggle("Show change since previous assessment", key="scores_changes")
    rows = kb.scores(which) if which == LATEST else in_assessment_order(kb, kb.scores(which))
    if not rows:
        st.info("No CQC reports are indexed yet. Add reports on the Library page.")
        return
    st.markdown("Each quality statement is scored 1 to 4 by CQC. The percentage is the total score out of "
                "the maximum for the statements assessed. Select a score to read that statement's "
                "findings and evidence in the report.")
    st.markdown(CSS + CHANGES_CSS, unsafe_allow_html=True)
    html_block(heat_map_html(rows, heat_map_marks(kb, rows) if show_change else None), "cqc-heat")
    if show_change:
        st.caption("▲ up, ▼ down, = no change since the council's previous assessment; no mark: no earlier "
                   "assessment in the library.")
    legend = "".join(f"<span style='background:{SCORE_COLOURS[s]}'>{s} – {html.escape(SCORE_LABELS[s])}</span>"
                     for s in (1, 2, 3, 4)) + f"<span style='background:{SCORE_COLOURS[None]}'>not assessed</span>"
    html_block(legend, "cqc-legend")
    cols = st.columns(2)
    cols[0].download_button("Download scores (CSV)", export.scores_to_csv(rows), "scores.csv", mime="text/csv",
                            key="dl_scores_csv")
    cols[1].download_button("Download scores (Markdown)", export.scores_to_markdown(rows), "scores.md",
                            mime="text/markdown", key="dl_scores_md")
    warned = [(r.authority, w) for r in rows for w in r.warnings]
    if warned:
        st.subheader("Checks on the reports", anchor=False)
        st.caption("Things in a report that did not add up, or were missing, when it was read.")
        for authority, warning in warned:
            st.warning(f"**{md_escape(authority)}**: {md_escape(warning)}")

    st.subheader("Key findings", anchor=False)
    cols = st.columns(2)
    # A council listed twice (all assessments) is told apart by its publication date.
    by_name = {(r.authority if which == LATEST else council_label(r.authority, r.published, r.document)): r
               for r in rows}
    authority = cols[0].selectbox("Council", list(by_name), key="scores_authority")
    statement = cols[1].selectbox("Quality statement", STATEMENT_NAMES, key="scores_statement")
    row = by_name[authority]
    score = row.scores.get(statement)
    st.markdown(f"**{md_escape(authority)}** — {md_escape(statement)}: "
                + ("not assessed in this report" if score is None
                   else f"score {score} of 4 ({md_escape(SCORE_LABELS[score])})"))
    sections = kb.store.sections(row.document, statement)
    findings = [s for s in sections if "Key findings" in s["path"] and s["end"] > s["start"]]
    text = document_text(kb, row.document) or ""
    shown = 0
    for s in findings or sections:
        body = section_text(text, s["start"], s["end"])
        if not body:
            continue
        shown += 1
        st.markdown(f"##### {md_escape(s['path'].split(' > ')[-1])}")
        html_block(escape_text(body), "cqc-quote")
    if not shown:
        st.info("This report has no key findings under that quality statement.")
