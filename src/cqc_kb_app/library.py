"""The Library page: the reports in the library, adding, replacing and removing them.

Every check and change is library work (``cqc_kb.library``); this page shows the reasons in
plain words, a progress bar with the passages of the upload and the time left, and asks for
confirmation before a report is removed or replaced. In read-only mode it only lists.
"""

from __future__ import annotations

import html
import logging
from typing import Any

import streamlit as st

from cqc_kb.errors import IndexBusyError, KbError
from cqc_kb.kb import KnowledgeBase, build_index
from cqc_kb.library import (IndexProgress, LibraryChange, UploadPlan, add_checked, check_uploads, library_rows,
                            remove_report, replace_report, upload_limit_mb, user_words)
from cqc_kb.settings import Settings

from .common import anchor, get_embedder, html_block, open_kb, report_link
from .html import md_escape

CSS = """
<style>
.cqc-library {overflow-x: auto;}
.cqc-library table {border-collapse: collapse; width: 100%; font-size: 0.9rem;}
.cqc-library th, .cqc-library td {border: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top;}
.cqc-library th {background: #fafafa; font-weight: 600;}
.cqc-library td.num {text-align: right; white-space: nowrap;}
.cqc-library td.status-ok {color: #1b5e20;}
.cqc-library td.status-todo {color: #6d4c00;}
.cqc-library td.status-bad {color: #8b1a1a;}
.cqc-library a {color: #0b5394;}
</style>
"""
STATUS_CLASS = {"indexed": "status-ok", "new": "status-todo", "changed": "status-todo",
                "not in corpus": "status-todo", "cannot be indexed": "status-bad"}
log = logging.getLogger("cqc_kb.app")
BUSY = "Another change to the library is being indexed. Wait a minute, then try again."


def effective_settings(settings: Settings) -> Settings:
    """The settings with the one size limit both the uploader and the checks enforce: the
    library's own limit, or the server's upload limit if that is lower."""
    server_mb = st.get_option("server.maxUploadSize")
    if server_mb and server_mb < settings.max_file_mb:
        return settings.replace(max_file_mb=float(server_mb))
    return settings


def library_table_html(rows: list) -> str:
    """The reports as a table; each indexed report has a link that opens it in the report view."""
    head = ("<tr><th>Council</th><th>File</th><th>Format</th><th>Published</th><th>Rating</th>"
            "<th>Pages</th><th>Passages</th><th>Status</th><th>Note</th><th></th></tr>")
    body = []
    for r in rows:
        d = r.to_dict()
        opened = (anchor(report_link(r.file), "Open", title=f"Read {r.file} in the report view")
                  if r.status in ("indexed", "changed") else "")
        body.append(
            "<tr>" + f"<td>{html.escape(d['Authority'])}</td><td>{html.escape(r.file)}</td>"
            f"<td>{html.escape(d['Format'])}</td><td>{html.escape(d['Published'])}</td>"
            f"<td>{html.escape(d['Rating'])}</td><td class='num'>{html.escape(d['Pages'])}</td>"
            f"<td class='num'>{html.escape(d['Passages'])}</td>"
            f"<td class='{STATUS_CLASS.get(r.status, '')}'>{html.escape(d['Status'])}</td>"
            f"<td>{html.escape(d['Note'])}</td><td>{opened}</td></tr>")
    return f"<table lang='en'><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


def render(kb: KnowledgeBase, settings: Settings, read_only: bool = False) -> None:
    """``read_only`` (Settings.read_only) shows the library without any way to change it."""
    st.header("Report library")
    st.markdown(CSS, unsafe_allow_html=True)
    for level, message in st.session_state.pop("flash", []):
        getattr(st, level)(message)
    rows = library_rows(settings, kb.store.documents())
    manifest = kb.store.manifest
    st.caption(f"The library holds {manifest.documents} indexed report{'s' if manifest.documents != 1 else ''} "
               f"with {manifest.chunks} passages in all, last indexed {manifest.built_at.replace('T', ' at ')}.")
    if rows:
        html_block(library_table_html(rows), "cqc-library")
    else:
        st.info("The library is empty." + ("" if read_only else " Add a report below."))
    if read_only:
        st.caption("This library is read-only: reports cannot be added, replaced or removed here.")
        return
    pending = [r for r in rows if r.status in ("new", "changed", "not in corpus")]
    if pending:
        one = len(pending) == 1
        st.info(f"{len(pending)} report{'' if one else 's'} changed since the library was last indexed; "
                f"{'it is' if one else 'they are'} not searchable as {'it is' if one else 'they are'} now.")
        if st.button("Update the index", key="reindex"):
            result = index_change(settings, 0, lambda progress: build_index(
                settings, embedder=get_embedder(*settings.embedder_args()), progress=progress))
            if result is not None:
                flash = [("success", f"Index updated: {len(result.added)} added, {len(result.updated)} "
                                     f"updated, {len(result.removed)} removed.")]
                flash += [("warning", f"**{md_escape(name)}** could not be indexed: "
                                      f"{md_escape(user_words(reason))}") for name, reason in result.skipped]
                finish(flash)
    settings = effective_settings(settings)
    render_upload(settings)
    if rows:
        render_manage(settings, rows)


# --------------------------------------------------------------------------- adding

def render_upload(settings: Settings) -> None:
    st.subheader("Add reports", anchor=False)
    st.markdown(f"CQC reports as PDF, web page (HTML) or text, up to **{settings.max_file_mb:g} MB** each. "
                "Each file is checked and read before it is added: a file that cannot be read is not "
                "added, and the page says why.")
    with st.form("upload_form", clear_on_submit=True, border=False):
        # No type filter here: the browser would refuse other files with a bare "!" and no
        # reason; the library's checks refuse them with a reason in plain words instead.
        files = st.file_uploader("Report files", accept_multiple_files=True, key="upload_files",
                                 max_upload_size=upload_limit_mb(settings),
                                 help=f"PDF, HTML or text, up to {settings.max_file_mb:g} MB each")
        submitted = st.form_submit_button("Add to library", type="primary")
    if submitted:
        if not files:
            st.warning("Choose one or more files first.")
            return
        plan = check_uploads(settings, [(f.name, f.getvalue()) for f in files])
        change = index_change(settings, plan.passages, lambda progress: add_checked(
            settings, plan, embedder=get_embedder(*settings.embedder_args()), progress=progress),
            plan=plan)
        if change is not None:
            finish(outcome_messages(change))


def index_change(settings: Settings, passages: int, run: Any, plan: UploadPlan | None = None) -> Any:
    """Run a change that reindexes (``run(progress)``) under a progress bar showing the passages
    of this change and the time left; its result, or None when it failed (the error is shown)."""
    if plan is not None and not plan.good:
        return LibraryChange(plan.refused)
    tracker = IndexProgress(passages=passages)
    bar = st.progress(0.0, text="Loading the language model…" if passages else "Preparing the index…")

    def progress(stage: str, done: int, total: int) -> None:
        fraction, text = tracker.update(stage, done, total)
        bar.progress(fraction, text=text)

    try:
        change = run(progress)
    except IndexBusyError:
        bar.empty()
        st.error(BUSY + " Nothing was changed.")
        return None
    except KbError as exc:
        bar.empty()
        st.error(f"The library could not be updated, so nothing was changed: {md_escape(str(exc))}")
        return None
    except Exception:  # the change was rolled back; the log has the details, the page a plain message
        log.exception("library change failed")
        bar.empty()
        st.error("The library could not be updated, so nothing was changed. Try again; if it happens "
                 "again, the server log has the details.")
        return None
    bar.progress(1.0, text="Done")
    return change


def outcome_messages(change: LibraryChange, refused_verb: str = "added") -> list[tuple[str, str]]:
    """One message per file, in plain words, plus the passage counts (each named for what it counts)."""
    flash: list[tuple[str, str]] = []
    for f in change.files:
        name = f"**{md_escape(f.filename)}**"
        if f.status == "added":
            saved = f" as {md_escape(f.saved_as)}" if f.saved_as and f.saved_as != f.filename else ""
            flash.append(("success", f"{name} was added{saved}: {f.passages} passages, now searchable."))
        elif f.status == "replaced":
            flash.append(("success", f"{name} replaced the report ({md_escape(f.saved_as or '')}): "
                                     f"{f.passages} passages, now searchable."))
        elif f.status == "removed":
            flash.append(("success", f"{name} was removed from the library."))
        elif f.status == "not indexed":
            flash.append(("error", f"{name} could not be indexed, so it was not added: {md_escape(f.reason)}"))
        else:
            flash.append(("error", f"{name} was not {refused_verb}: {md_escape(f.reason)}"))
    if any(f.status in ("added", "replaced") for f in change.files):
        flash.append(("info", f"Passages added by this change: {change.passages}. The library now holds "
                              f"{change.library_passages} passages in {change.library_reports} reports."))
    for name, reason in change.other_skipped:
        flash.append(("warning", f"{md_escape(name)}, already in the library, could not be indexed: "
                                 f"{md_escape(reason)}"))
    return flash


def finish(flash: list[tuple[str, str]]) -> None:
    """Remember what happened, drop answers made on the old index, then rerun on the new one."""
    open_kb.clear()
    for key in ("answers", "compare", "compare_authorities"):
        st.session_state.pop(key, None)
    st.session_state["flash"] = flash
    st.rerun()


# --------------------------------------------------------------------------- one report

def render_manage(settings: Settings, rows: list) -> None:
    st.subheader("Open, replace or remove a report", anchor=False)
    status = {r.file: r.status for r in rows}
    name = st.selectbox("Report", list(status), key="manage_file")
    if name is None:
        return
    if status[name] in ("indexed", "changed"):
        html_block(anchor(report_link(name), f"Open {html.escape(name)} in the report view"), "cqc-meta")
    left, right = st.columns(2)
    with left:
        new = st.file_uploader("Replace it with a new version", key=f"replace_file_{name}",
                               max_upload_size=upload_limit_mb(settings),
                               help="The new version is checked like any upload; the old one stays if it fails")
        if new is not None and st.button("Replace…", key="replace_ask"):
            st.session_state["confirm"] = ("replace", name)
    with right:
        st.markdown("Remove it from the library")
        if st.button("Remove…", key="remove_ask"):
            st.session_state["confirm"] = ("remove", name)
    pending = st.session_state.get("confirm")
    if not pending or pending[1] != name:
        return
    action = pending[0]
    if action == "replace" and new is None:
        st.session_state.pop("confirm", None)
        return
    with st.container(border=True):
        if action == "remove":
            st.warning(f"Remove **{md_escape(name)}** from the library? Its passages will no longer be "
                       "searchable, and the file is deleted.")
        else:
            st.warning(f"Replace **{md_escape(name)}** with **{md_escape(new.name)}**? The old version is "
                       "deleted once the new one is indexed.")
        yes, no = st.columns(2)
        confirmed = yes.button("Yes, remove it" if action == "remove" else "Yes, replace it", type="primary",
                               key="confirm_yes")
        if no.button("Cancel", key="confirm_no"):
            st.session_state.pop("confirm", None)
            st.rerun()
    if not confirmed:
        return
    st.session_state.pop("confirm", None)
    embedder = get_embedder(*settings.embedder_args())
    if action == "remove":
        change = index_change(settings, 0, lambda progress: remove_report(settings, name, embedder, progress))
    else:
        data = new.getvalue()
        change = index_change(settings, 0, lambda progress: replace_report(
            settings, name, new.name, data, embedder, progress))
    if change is not None:
        finish(outcome_messages(change, "added" if action == "remove" else "used"))
