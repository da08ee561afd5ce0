"""Streamlit front end for cqc-kb: ask, compare, scores, the report library and the report view.

The entry point only: page set-up, the password gate, the sidebar and dispatch. Each page is a
module of ``cqc_kb_app`` named for the page; every answer, score and file check comes from the
``cqc_kb`` library. The page, question and filters live in the URL (``?page=ask&q=...``).

Run with ``streamlit run app.py``; the corpus, index and model come from ``CQC_KB_*``.
"""

from __future__ import annotations

import hmac
import logging

import streamlit as st

from cqc_kb.errors import IndexBusyError, KbError, ModelLoadError
from cqc_kb.retrieve import Filters
from cqc_kb.settings import Settings, load_settings
from cqc_kb_app import ask, changes, compare, library, report, scores
from cqc_kb_app.common import CSS, PAGES, current_page, go_to, load_kb
from cqc_kb_app.html import md_escape

log = logging.getLogger("cqc_kb.app")

UNEXPECTED = ("Something went wrong while showing this page. Reload the page; if it happens again, "
              "the server log has the details.")


def password_gate(settings: Settings) -> bool:
    """True when the visitor may see the app: no password is set, or they gave it this session."""
    if not settings.password or st.session_state.get("signed_in"):
        return True
    st.header("CQC assessment reports")
    with st.form("password_form", border=False):
        given = st.text_input("Password", type="password", key="password_input")
        submitted = st.form_submit_button("Open", type="primary")
    if submitted:
        if hmac.compare_digest(given.encode("utf-8"), settings.password.encode("utf-8")):
            st.session_state["signed_in"] = True
            st.session_state.pop("password_input", None)
            st.rerun()
        st.error("That password is not right. Ask whoever runs this app for it.")
    return False


def on_nav() -> None:
    label = st.session_state.get("nav")
    page = next((p for p, l in PAGES.items() if l == label), "ask")
    keep = {k: st.query_params.get_all(k) for k in ("q", "council", "theme", "statement", "score", "rating",
                                                     "assessments")
            if current_page() in ("ask", "compare") and k in st.query_params}
    go_to(page, **keep)


def sidebar_nav(page: str) -> None:
    """The page chooser; the report view is reached by links, so nothing is chosen there."""
    st.session_state["nav"] = PAGES.get(page)
    st.sidebar.radio("Page", list(PAGES.values()), key="nav", index=None, on_change=on_nav)


def render_page(page: str, kb, settings: Settings, filters: Filters) -> None:
    if page == "ask":
        ask.render(kb, filters)
    elif page == "compare":
        compare.render(kb)
    elif page == "scores":
        scores.render(kb)
    elif page == "changes":
        changes.render(kb)
    elif page == "library":
        library.render(kb, settings, read_only=settings.read_only)
    else:
        report.render(kb)


def main() -> None:
    st.set_page_config(page_title="CQC assessment reports", page_icon="📑", layout="wide",
                       initial_sidebar_state="auto")
    st.markdown(CSS, unsafe_allow_html=True)
    try:
        settings = load_settings()
    except KbError as exc:
        st.error(f"The settings could not be read: {md_escape(str(exc))}")
        return
    if not password_gate(settings):
        return
    st.sidebar.title("CQC assessment reports")
    st.sidebar.caption("Cited answers from CQC local authority assessment reports.")
    try:
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
    page = current_page()
    sidebar_nav(page)
    try:
        filters = ask.sidebar(kb) if page == "ask" else Filters()
        render_page(page, kb, settings, filters)
    except IndexBusyError:
        st.error("Another process is rebuilding the index. Wait a minute, then try again.")
    except KbError as exc:
        st.error(md_escape(str(exc)))


try:
    main()
except Exception:  # never show a traceback on screen; the log has it
    log.exception("app error")
    st.error(UNEXPECTED)
