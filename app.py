"""Streamlit front end for cqc-kb: ask, compare, scores, the report library and the report view.

The entry point only: page set-up, the password gate, the sidebar and dispatch. Each page is a
module of ``cqc_kb_app`` named for the page; every answer, score and file check comes from the
``cqc_kb`` library. The page, question and filters live in the URL (``?page=ask&q=...``).

Run with ``streamlit run app.py``; the corpus, index and model come from ``CQC_KB_*``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

import streamlit as st

from cqc_kb.errors import IndexBusyError, KbError, ModelLoadError
from cqc_kb.retrieve import Filters
from cqc_kb.settings import Settings, load_settings
from cqc_kb_app import ask, changes, compare, library, report, scores
from cqc_kb_app.common import CSS, PAGES, current_page, go_to, load_kb
from cqc_kb_app.html import md_escape

log = logging.getLogger("cqc_kb.app")

SIGN_IN_COOKIE = "cqc_kb_signed_in"
SIGN_IN_SECONDS = 12 * 3600
UNEXPECTED = ("Something went wrong while showing this page. Reload the page; if it happens again, "
              "the server log has the details.")


def sign_in_token(password: str) -> str:
    """What the sign-in cookie holds: derived from the password, never the password itself."""
    return hmac.new(password.encode("utf-8"), b"cqc-kb app sign-in", hashlib.sha256).hexdigest()


def password_gate(settings: Settings) -> bool:
    """True when the visitor may see the app: no password is set, or they gave it. A cookie
    remembers it for a while, because links between pages (heat map, contents) reload the app."""
    if not settings.password:
        return True
    token = sign_in_token(settings.password)
    cookie = st.context.cookies.get(SIGN_IN_COOKIE)
    if st.session_state.get("signed_in") or (isinstance(cookie, str) and hmac.compare_digest(cookie, token)):
        st.session_state["signed_in"] = True
        return True
    gate = st.empty()
    with gate.container():
        st.header("CQC assessment reports")
        st.caption("This library is shared with a password.")
        with st.columns([1, 2])[0], st.form("password_form", border=False):
            given = st.text_input("Password", type="password")
            submitted = st.form_submit_button("Open", type="primary")
    if not submitted:
        return False
    if not hmac.compare_digest(given.encode("utf-8"), settings.password.encode("utf-8")):
        st.error("That password is not right. Ask whoever runs this app for it.")
        return False
    st.session_state["signed_in"] = True
    gate.empty()
    cookie = f"{SIGN_IN_COOKIE}={token}; path=/; max-age={SIGN_IN_SECONDS}; SameSite=Strict"
    st.html(f"<script>document.cookie = {json.dumps(cookie)};</script>", unsafe_allow_javascript=True)
    return True


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
