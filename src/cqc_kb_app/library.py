"""The Library page: the reports in the library, their index status, and adding reports."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cqc_kb.errors import KbError
from cqc_kb.ingest import ReindexResult
from cqc_kb.kb import KnowledgeBase
from cqc_kb.library import UploadError, library_rows, save_upload
from cqc_kb.settings import Settings

from .common import run_reindex
from .html import md_escape

UPLOAD_TYPES = ["pdf", "html", "htm", "txt", "md"]


def render(kb: KnowledgeBase, settings: Settings, read_only: bool = False) -> None:
    """``read_only`` (Settings.read_only) shows the library without any way to change it."""
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
        st.info("The library is empty." + ("" if read_only else " Add a report below."))
    if read_only:
        st.caption("This library is read-only: reports cannot be added or removed here.")
        return
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
