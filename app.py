"""Streamlit front end for cqc-kb: ask, compare, scores and the report library.

A thin layer: every answer, score and file check comes from the ``cqc_kb`` library; this file
only calls it and renders the result. All report text is HTML-escaped before it is shown.

Run with ``streamlit run app.py``; the corpus, index and model come from ``CQC_KB_*``.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

import pandas as pd
import streamlit as st

from cqc_kb import export
from cqc_kb.embed import load_embedder
from cqc_kb.errors import IndexBusyError, IndexMissingError, KbError, ModelLoadError, StaleIndexError
from cqc_kb.ingest import ReindexResult
from cqc_kb.kb import KnowledgeBase, build_index
from cqc_kb.library import (UploadError, escape_text, highlight_html, library_rows, md_escape,
                            save_upload, section_body, section_text)
from cqc_kb.records import Answer, Citation, Hit
from cqc_kb.retrieve import Filters
from cqc_kb.settings import Settings, load_settings
from cqc_kb.store import current_build
from cqc_kb.structure import RATINGS, SCORE_LABELS, STATEMENTS, STATEMENT_NAMES, THEMES

log = logging.getLogger("cqc_kb.app")

PAGES = ("Ask", "Compare", "Scores", "Library")
EXAMPLES = (
    "What was the median waiting time for a Care Act assessment?",
    "How are unpaid carers supported?",
    "How did each council score on safeguarding?",
    "What was the overall rating?",
)
UPLOAD_TYPES = ["pdf", "html", "htm", "txt", "md"]
#: Heat map colours for scores 1-4 (red, amber, light green, green) and "not assessed".
SCORE_COLOURS = {1: "#f4c7c3", 2: "#fce8b2", 3: "#c8e6c9", 4: "#81c784", None: "#eeeeee"}
CONTEXT_PARAGRAPHS = 2
MAX_HISTORY = 10

CSS = """
<style>
.cqc-answer {font-size: 1.1rem; line-height: 1.6; padding: 0.75rem 1rem; border-left: 4px solid #1f77b4;
  background: rgba(31, 119, 180, 0.06); border-radius: 4px; margin-bottom: 0.5rem;}
.cqc-answer sup {font-weight: 600; color: #1f77b4;}
.cqc-quote {line-height: 1.55; padding: 0.5rem 0.75rem; border-left: 3px solid #bbb; margin: 0.25rem 0 0.5rem;}
.cqc-quote mark {background: #fff176; padding: 0 2px;}
.cqc-meta {color: #555; font-size: 0.9rem;}
.cqc-heat {overflow-x: auto;}
.cqc-heat table {border-collapse: collapse; width: 100%; font-size: 0.85rem;}
.cqc-heat th, .cqc-heat td {border: 1px solid #ddd; padding: 3px 4px; text-align: center; vertical-align: middle;}
.cqc-heat td.pct {white-space: nowrap;}
.cqc-heat th {background: #fafafa; font-weight: 600;}
.cqc-heat th.statement {font-size: 0.72rem; font-weight: 600;}
.cqc-heat td.council {text-align: left; font-weight: 600;}
.cqc-card-head h4 {margin: 0 0 0.3rem 0; padding: 0; font-size: 1.05rem;}
.cqc-badge {display: inline-block; padding: 1px 8px; border-radius: 3px; font-size: 0.85rem;}
.cqc-legend span {display: inline-block; padding: 2px 8px; margin: 2px 6px 2px 0; border-radius: 3px;
  font-size: 0.85rem;}
</style>
"""


# --------------------------------------------------------------------------- loading

@st.cache_resource(show_spinner="Loading the language model…")
def get_embedder(model: str, offline: bool):
    """One embedder per process, shared by every session and reused after reindexing."""
    return load_embedder(model, offline)


@st.cache_resource(max_entries=2, show_spinner="Opening the index…")
def open_kb(index_dir: str, index_hash: str, build: str, _settings: Settings) -> KnowledgeBase:
    """The KnowledgeBase for one index build; a new build (after reindexing) is a new key."""
    return KnowledgeBase.open(_settings, embedder=get_embedder(_settings.model, _settings.offline))


def build_key(settings: Settings) -> str:
    build = current_build(settings.index)
    return build.name if build is not None else ""


def load_kb(settings: Settings) -> KnowledgeBase:
    try:
        return open_kb(str(settings.index), settings.index_hash(), build_key(settings), settings)
    except (IndexMissingError, StaleIndexError) as exc:
        first = isinstance(exc, IndexMissingError)
        st.info("Building the search index from the reports in the corpus folder. "
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

    result = build_index(settings, embedder=get_embedder(settings.model, settings.offline),
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

def html_block(inner: str, cls: str) -> None:
    """Render already-escaped HTML in one block (no blank lines, so no Markdown inside)."""
    st.markdown(f'<div class="{cls}">{inner}</div>', unsafe_allow_html=True)


def answer_html(text: str) -> str:
    """The answer text, escaped, with its [n] markers as superscripts."""
    return re.sub(r"\[(\d+)\]", r"<sup>[\1]</sup>", escape_text(text))


def score_phrase(score: int | None) -> str:
    return "not assessed" if score is None else f"score {score} of 4"


def place(authority: str | None, document: str, section: str, page: int | None) -> str:
    parts = [authority or document, section.split(" > ")[-1] if section else ""]
    if page is not None:
        parts.append(f"page {page}")
    return " · ".join(p for p in parts if p)


def document_text(kb: KnowledgeBase, document: str) -> str | None:
    try:
        return kb.store.document_text(document)
    except KeyError:
        return None


def render_quote(kb: KnowledgeBase, document: str, start: int, end: int, fallback: str, key: str) -> None:
    """The quote highlighted in its paragraph, with a control that widens the context."""
    text = document_text(kb, document)
    if text is None or text[start:end].strip() == "":
        html_block(f"<mark>{escape_text(fallback)}</mark>", "cqc-quote")
        return
    more = st.session_state.get(f"more_{key}", False)
    # The first view stays inside the quote's own section (PDF text has no blank lines to split
    # at); more context reaches across headings.
    clip = None if more else section_body(kb.store.sections(document), text, start, end)
    html_block(highlight_html(text, start, end, CONTEXT_PARAGRAPHS if more else 0, clip), "cqc-quote")
    st.toggle("Show more context", key=f"more_{key}")


def render_citation(kb: KnowledgeBase, c: Citation, key: str) -> None:
    label = f"[{c.n}] {c.authority or c.document}"
    if c.statement:
        label += f" — {c.statement} ({score_phrase(c.statement_score)})"
    if c.page is not None:
        label += f" — page {c.page}"
    with st.expander(md_escape(label), expanded=True):
        render_quote(kb, c.document, c.start, c.end, c.quote, key)
        where = [f"<b>Section:</b> {html.escape(c.section or '—')}"]
        if c.page is not None:
            where.append(f"<b>Page:</b> {c.page}")
        where.append(f"<b>File:</b> {html.escape(c.document)}")
        html_block(" · ".join(where), "cqc-meta")


def render_hit(kb: KnowledgeBase, hit: Hit, key: str) -> None:
    label = f"{hit.rank}. {place(hit.authority, hit.document, hit.section, hit.page)}"
    with st.expander(md_escape(label), expanded=hit.rank <= 2):
        html_block(f"<b>Section:</b> {html.escape(hit.section)}"
                   + (f"<br><b>Quality statement:</b> {html.escape(hit.statement)} "
                      f"({html.escape(score_phrase(hit.statement_score))})" if hit.statement else ""),
                   "cqc-meta")
        html_block(escape_text(hit.text), "cqc-quote")


# --------------------------------------------------------------------------- Ask

def set_question(question: str) -> None:
    """Open a question (from the form, an example or the history) and remember it."""
    question = question.strip()
    if not question:
        return
    st.session_state["question"] = question
    st.session_state["question_input"] = question
    history = [q for q in st.session_state.get("history", []) if q != question]
    st.session_state["history"] = [question] + history[: MAX_HISTORY - 1]
    st.session_state["page"] = "Ask"


def on_ask_submit() -> None:
    question = st.session_state.get("question_input", "").strip()
    if question:
        set_question(question)
    else:
        st.session_state["ask_empty"] = True


def sidebar_filters(kb: KnowledgeBase) -> Filters:
    st.sidebar.subheader("Filter the reports")
    authorities = [a for a, _ in kb.authorities()]
    chosen = st.sidebar.multiselect("Council", authorities, key="f_authorities",
                                    placeholder="All councils")
    themes = st.sidebar.multiselect("Theme", THEMES, key="f_themes", placeholder="All themes")
    statements = st.sidebar.multiselect("Quality statement", STATEMENT_NAMES, key="f_statements",
                                        placeholder="All quality statements")
    scores = st.sidebar.multiselect("Quality statement score", [1, 2, 3, 4], key="f_scores",
                                    format_func=lambda s: f"{s} – {SCORE_LABELS[s]}", placeholder="Any score")
    ratings = st.sidebar.multiselect("Overall rating", RATINGS, key="f_ratings", placeholder="Any rating")
    return Filters(authorities=tuple(chosen), themes=tuple(themes), statements=tuple(statements),
                   scores=tuple(scores), ratings=tuple(ratings))


def sidebar_history() -> None:
    history = st.session_state.get("history", [])
    if not history:
        return
    st.sidebar.subheader("Recent questions")
    for i, question in enumerate(history):
        st.sidebar.button(question, key=f"recent_{i}", on_click=set_question, args=(question,),
                          width="stretch")


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


def page_ask(kb: KnowledgeBase, filters: Filters) -> None:
    st.header("Ask a question")
    with st.form("ask_form", border=False, enter_to_submit=True):
        st.text_input("Your question", key="question_input",
                      placeholder="For example: how long did people wait for a Care Act assessment?")
        st.form_submit_button("Ask", type="primary", on_click=on_ask_submit)
    if st.session_state.pop("ask_empty", False):
        st.warning("Type a question first.")
    question = st.session_state.get("question")
    if not question:
        first_run(kb)
        return
    if not kb.store.documents():
        st.info("No reports are indexed yet. Add reports on the Library page.")
        return
    answer = ask(kb, question, filters)
    if not filters.empty():
        st.caption("Filtered by the choices in the sidebar.")
    if answer.abstained:
        st.warning("No clear answer in these reports.")
        if answer.hits:
            st.markdown("The nearest passages are below for reading; none of them answers the question "
                        "clearly enough to quote.")
            for hit in answer.hits:
                render_hit(kb, hit, key=f"hit_{hit.rank}")
        else:
            st.markdown("Nothing in the reports matched. Try other words or remove the filters.")
    else:
        html_block(answer_html(answer.answer), "cqc-answer")
        if answer.extra.get("source") == "score table":
            st.caption("Answered from the published scores; each source is the report's own score line.")
        st.subheader("Sources")
        for c in answer.citations:
            render_citation(kb, c, key=f"cite_{c.n}")
    cols = st.columns(2)
    cols[0].download_button("Download answer (CSV)", export.answer_to_csv(answer), "answer.csv",
                            mime="text/csv", key="dl_answer_csv")
    cols[1].download_button("Download answer (Markdown)", export.answer_to_markdown(answer), "answer.md",
                            mime="text/markdown", key="dl_answer_md")


def first_run(kb: KnowledgeBase) -> None:
    authorities = sorted(a for a, _ in kb.authorities())
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
        cols[i % 2].button(example, key=f"example_{i}", on_click=set_question, args=(example,),
                           width="stretch")


# --------------------------------------------------------------------------- Compare

SORTS = ("Score, highest first", "Score, lowest first", "Council, A to Z")


def page_compare(kb: KnowledgeBase) -> None:
    st.header("Compare councils")
    authorities = [a for a, _ in kb.authorities()]
    if not authorities:
        st.info("No council reports are indexed yet. Add reports on the Library page.")
        return
    st.markdown("Each council's answer comes from its own report only.")
    with st.form("compare_form", border=False, enter_to_submit=True):
        chosen = st.multiselect("Councils", authorities, default=authorities, key="compare_authorities")
        question = st.text_input("Question", key="compare_question",
                                 placeholder="For example: how are unpaid carers supported?")
        submitted = st.form_submit_button("Compare", type="primary")
    if submitted:
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
    })
    st.markdown("**Evidence, council by council**")
    grid = st.columns(2)
    for i, row in enumerate(rows):
        with grid[i % 2]:
            render_compare_card(kb, row, key=f"cmp_{i}")
    cols = st.columns(2)
    cols[0].download_button("Download comparison (CSV)", export.compare_to_csv(result["question"], rows),
                            "comparison.csv", mime="text/csv", key="dl_compare_csv")
    cols[1].download_button("Download comparison (Markdown)",
                            export.compare_to_markdown(result["question"], rows), "comparison.md",
                            mime="text/markdown", key="dl_compare_md")


def render_compare_card(kb: KnowledgeBase, row: Any, key: str) -> None:
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
            render_quote(kb, c.document, c.start, c.end, c.quote, key=f"{key}_{c.n}")
            html_block(html.escape(f"[{c.n}] {c.section}" + (f", page {c.page}" if c.page is not None else "")),
                       "cqc-meta")


def compare_cells(row: Any) -> dict[str, Any]:
    if row.answer.abstained or not row.answer.citations:
        return {"Council": row.authority, "Score": None, "Quality statement": "",
                "Answer": "no evidence found in this report", "Evidence": "no evidence found in this report"}
    evidence = "  ".join(f"[{c.n}] \u201c{' '.join(c.quote.split())}\u201d ({c.section.split(' > ')[-1]}"
                         f"{', page ' + str(c.page) if c.page is not None else ''})"
                         for c in row.answer.citations)
    return {"Council": row.authority, "Score": row.score["value"] if row.score else None,
            "Quality statement": row.score["quality_statement"] if row.score else "",
            "Answer": " ".join(row.answer.answer.split()), "Evidence": evidence}


# --------------------------------------------------------------------------- Scores

#: Where long header words may break (a soft hyphen), so nine statements fit a laptop screen.
_SOFT_HYPHENS = {w.replace("|", ""): w.replace("|", "&shy;") for w in (
    "Assess|ing", "Support|ing", "experi|ence", "out|comes", "pro|vision", "integ|ration", "contin|uity",
    "Partner|ships", "commun|ities", "path|ways", "trans|itions", "Safe|guarding", "Govern|ance",
    "manage|ment", "sustain|ability", "Learn|ing", "improve|ment", "innov|ation", "health|ier",
    "Out|standing", "improve|ment")}


def soft_hyphens(escaped: str) -> str:
    return re.sub(r"[A-Za-z]+", lambda m: _SOFT_HYPHENS.get(m.group(0), m.group(0)), escaped)


def heat_map_html(rows: list) -> str:
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
        cells = [f"<td class='council'>{html.escape(r.authority)}</td>",
                 f"<td>{soft_hyphens(html.escape(r.rating or '—'))}</td>",
                 f"<td class='pct'>{'—' if r.percentage is None else f'{r.percentage:.1f}%'}</td>"]
        for name in STATEMENT_NAMES:
            score = r.scores.get(name)
            title = html.escape(f"{r.authority}: {name}: " + (SCORE_LABELS[score] if score else "not assessed"),
                                quote=True)
            cells.append(f"<td style='background:{SCORE_COLOURS.get(score, '#eee')}' title=\"{title}\">"
                         f"{'not assessed' if score is None else score}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table lang='en'><thead>{head1}{head2}</thead><tbody>{''.join(body)}</tbody></table>"


def page_scores(kb: KnowledgeBase) -> None:
    st.header("Published scores")
    rows = kb.scores()
    if not rows:
        st.info("No CQC reports are indexed yet. Add reports on the Library page.")
        return
    st.markdown("Each quality statement is scored 1 to 4 by CQC. The percentage is the total score out of "
                "the maximum for the statements assessed.")
    html_block(heat_map_html(rows), "cqc-heat")
    legend = "".join(f"<span style='background:{SCORE_COLOURS[s]}'>{s} – {html.escape(SCORE_LABELS[s])}</span>"
                     for s in (1, 2, 3, 4)) + f"<span style='background:{SCORE_COLOURS[None]}'>not assessed</span>"
    html_block(legend, "cqc-legend")
    st.download_button("Download scores (CSV)", export.scores_to_csv(rows), "scores.csv", mime="text/csv",
                        key="dl_scores_csv")
    warned = [(r.authority, w) for r in rows for w in r.warnings]
    if warned:
        st.subheader("Checks on the reports", anchor=False)
        st.caption("Things in a report that did not add up, or were missing, when it was read.")
        for authority, warning in warned:
            st.warning(f"**{md_escape(authority)}**: {md_escape(warning)}")

    st.subheader("Key findings", anchor=False)
    cols = st.columns(2)
    by_name = {r.authority: r for r in rows}
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


# --------------------------------------------------------------------------- Library

def page_library(kb: KnowledgeBase, settings: Settings) -> None:
    st.header("Report library")
    for level, message in st.session_state.pop("flash", []):
        getattr(st, level)(message)
    rows = library_rows(settings, kb.store.documents())
    manifest = kb.store.manifest
    st.caption(f"{manifest.documents} documents and {manifest.chunks} passages indexed with "
               f"{manifest.model}, built {manifest.built_at}. Reports folder: {settings.corpus}")
    if rows:
        st.dataframe(pd.DataFrame([r.to_dict() for r in rows]), hide_index=True, width="stretch")
    else:
        st.info("The library is empty. Add a report below.")
    pending = [r for r in rows if r.status in ("new", "changed", "not in corpus")]
    if pending:
        st.info(f"{len(pending)} file(s) in the reports folder differ from the index.")
        if st.button("Update the index", key="reindex"):
            result = run_reindex(settings)
            finish_reindex(result, [])

    st.subheader("Add reports", anchor=False)
    st.markdown(f"PDF, HTML or text, up to {settings.max_file_mb:g} MB each. Each file is checked and read "
                "before it is added; a file that cannot be read is not added.")
    with st.form("upload_form", clear_on_submit=True, border=False):
        files = st.file_uploader("Report files", type=UPLOAD_TYPES, accept_multiple_files=True,
                                 key="upload_files")
        submitted = st.form_submit_button("Add to library", type="primary")
    if submitted:
        add_uploads(settings, files or [])


def add_uploads(settings: Settings, files: list) -> None:
    if not files:
        st.warning("Choose one or more files first.")
        return
    saved, refused = [], []
    for f in files:
        try:
            saved.append(save_upload(settings, f.name, f.getvalue()))
        except UploadError as exc:
            refused.append(md_escape(str(exc)))
    if not saved:
        for message in refused:
            st.error(message)
        return
    try:
        result = run_reindex(settings)
    except KbError as exc:
        for path in saved:  # leave the corpus as it was
            path.unlink(missing_ok=True)
        for message in refused:
            st.error(message)
        st.error(f"The index could not be updated, so nothing was added: {md_escape(str(exc))}")
        return
    finish_reindex(result, saved, refused)


def finish_reindex(result: ReindexResult, saved: list, refused: list[str] = ()) -> None:
    """Remember what happened, then rerun so every page sees the new index."""
    flash = []
    if saved:
        names = ", ".join(p.name for p in saved)
        flash.append(("success", f"Added {md_escape(names)}. "
                      f"{'It is' if len(saved) == 1 else 'They are'} now searchable."))
    else:
        flash.append(("success", f"Index updated: {len(result.added)} added, {len(result.updated)} updated, "
                      f"{len(result.removed)} removed."))
    flash += [("error", message) for message in refused]
    for name, reason in result.skipped:
        flash.append(("warning", f"{md_escape(name)} was not indexed: {md_escape(reason)}"))
    st.session_state["flash"] = flash
    st.rerun()


# --------------------------------------------------------------------------- main

def main() -> None:
    st.set_page_config(page_title="CQC assessment reports", page_icon="📑", layout="wide")
    st.markdown(CSS, unsafe_allow_html=True)
    st.sidebar.title("CQC assessment reports")
    st.sidebar.caption("Cited answers from CQC local authority assessment reports.")
    try:
        settings = load_settings()
        kb = load_kb(settings)
    except IndexBusyError:
        st.error("Another process is rebuilding the index. Wait a minute, then reload this page.")
        return
    except ModelLoadError as exc:
        st.error(f"The language model could not be loaded: {md_escape(str(exc))}")
        return
    except KbError as exc:
        st.error(f"The reports could not be opened: {md_escape(str(exc))}")
        return
    page = st.sidebar.radio("Page", PAGES, key="page")
    filters = Filters()
    if page == "Ask":
        filters = sidebar_filters(kb)
        sidebar_history()
    try:
        if page == "Ask":
            page_ask(kb, filters)
        elif page == "Compare":
            page_compare(kb)
        elif page == "Scores":
            page_scores(kb)
        else:
            page_library(kb, settings)
    except IndexBusyError:
        st.error("Another process is rebuilding the index. Wait a minute, then try again.")
    except KbError as exc:
        st.error(md_escape(str(exc)))


try:
    main()
except Exception:  # never show a traceback on screen; the log has it
    log.exception("app error")
    st.error("Something went wrong while showing this page. Reload the page; if it happens again, "
             "the server log has the details.")
