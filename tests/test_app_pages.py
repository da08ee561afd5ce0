"""The Compare, Scores and Library pages through AppTest, over a private library of four
councils (the real report and the three fixtures) indexed with the hash embedder."""

from __future__ import annotations

import html
import io
import re
import shutil
import zipfile
from contextlib import closing
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cqc_kb import export
from cqc_kb.kb import CompareRow, KnowledgeBase, build_index
from cqc_kb.records import Answer, Citation, Figure
from cqc_kb.structure import STATEMENT_NAMES
from cqc_kb_app.compare import (FIGURE_HIGH, FIGURE_LOW, NAME, SCORE_HIGH, SCORE_LOW, compare_table_html,
                                figure_text, sort_options, sort_rows)

from app_support import ROOT, assert_clean, block, links, open_page, point_app_at
from conftest import FIXTURES, make_settings

FIGURE_APP = str(ROOT / "tests" / "fixtures" / "figure_app.py")
MEDIAN_Q = "What was the median waiting time for a Care Act assessment?"
STOCKTON = "Stockton-on-Tees Borough Council"
AUTHORITIES = sorted([f.authority for f in FIXTURES] + [STOCKTON])
MEDIAN_DAYS = {**{f.authority: f.median_wait_days for f in FIXTURES}, STOCKTON: 28}
NEW_REPORT = b"""Otterburn Council local authority assessment

Assessing needs

People in Otterburn waited a median of 19 days for a Care Act assessment in the otter quarter.
"""


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


# --------------------------------------------------------------------------- helpers

@pytest.fixture(scope="session")
def built_four(fixture_corpus: Path, tmp_path_factory):
    """The four-council library indexed once per session; each test gets a copy."""
    base = tmp_path_factory.mktemp("app-pages-library")
    shutil.copytree(fixture_corpus, base / "corpus")
    build_index(make_settings(base / "corpus", base / "index"))
    return base


@pytest.fixture
def app_lib(built_four: Path, tmp_path: Path, monkeypatch):
    """A private copy of the four-council library; the app's environment points at it."""
    corpus = tmp_path / "corpus"
    shutil.copytree(built_four / "corpus", corpus)
    shutil.copytree(built_four / "index", tmp_path / "index", ignore=shutil.ignore_patterns(".lock"))
    settings = make_settings(corpus, tmp_path / "index")
    point_app_at(monkeypatch, corpus, settings.index)
    return settings


def page_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    for kind in ("success", "info", "warning", "error"):
        parts += [e.value for e in getattr(at, kind)]
    return "\n".join(parts)


def compare(at: AppTest, question: str, councils: list[str] | None = None) -> None:
    if councils is not None:
        at.multiselect(key="compare_authorities").set_value(councils)
    at.text_input(key="compare_question").input(question)
    at.get("form_submit_button")[0].click()
    at.run()
    assert_clean(at)


def table_councils(table_html: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r"<td class='council'><a [^>]*>([^<]+)</a>", table_html)]


# --------------------------------------------------------------------------- Compare

def test_compare_table_shows_full_names_and_links_every_quote(app_lib) -> None:
    at = open_page("compare")
    compare(at, MEDIAN_Q)
    table = block(at, "cqc-compare")
    assert sorted(table_councils(table)) == AUTHORITIES
    assert "None" not in table and "overflow-wrap: anywhere" in page_text(at)
    quote_links = [q for q in links(table) if "start" in q]
    assert quote_links
    with closing(KnowledgeBase.open(app_lib)) as kb:
        rows = {r.document: r for r in kb.compare(MEDIAN_Q)}
        for q in quote_links:
            doc, start, end = q["doc"][0], int(q["start"][0]), int(q["end"][0])
            text = kb.store.document_text(doc)
            assert any(text[start:end] == c.quote for c in rows[doc].answer.citations)
    # Default order: score, highest first (Larchfield scores 4 on Assessing needs).
    assert table_councils(table)[0] == "Larchfield Unitary Council"
    at.selectbox(key="compare_sort").set_value(NAME)
    at.run()
    assert table_councils(block(at, "cqc-compare")) == AUTHORITIES
    statements = [q["statement"][0] for q in links(table) if "statement" in q]
    assert statements and set(statements) <= set(STATEMENT_NAMES)


def test_compare_says_no_evidence_instead_of_none(app_lib, monkeypatch) -> None:
    exported = []  # what the CSV download holds: it names the council chosen as its filter
    real = export.compare_to_csv
    monkeypatch.setattr(export, "compare_to_csv", lambda *a, **k: exported.append(real(*a, **k)) or exported[-1])
    at = open_page("compare")
    compare(at, "What colour is the council's fleet of electric buses?", ["Larchfield Unitary Council"])
    with closing(KnowledgeBase.open(app_lib)) as kb:
        row = kb.compare("What colour is the council's fleet of electric buses?", ["Larchfield Unitary Council"])[0]
    assert exported and exported[-1].splitlines()[1].count("council: Larchfield Unitary Council") == 1
    table = block(at, "cqc-compare")
    assert "None" not in table
    if row.answer.abstained:
        assert "no evidence</td>" in table and "no evidence found in this report" in table


def test_compare_sorts_by_figure_and_charts_it(app_lib) -> None:
    at = open_page("compare", FIGURE_APP)
    compare(at, MEDIAN_Q)
    assert FIGURE_HIGH in at.selectbox(key="compare_sort").options
    at.selectbox(key="compare_sort").set_value(FIGURE_HIGH)
    at.run()
    assert_clean(at)
    table = block(at, "cqc-compare")
    shown = table_councils(table)
    assert shown == sorted(AUTHORITIES, key=lambda a: -MEDIAN_DAYS[a])
    assert all(f">{MEDIAN_DAYS[a]} days<" in table for a in AUTHORITIES)
    chart = at.get("vega_lite_chart")
    assert len(chart) == 1
    spec = chart[0].proto.spec
    assert '"Council"' in spec and '"title": "days"' in spec.replace('":"', '": "')
    assert "The figure each council's quote gives (days)" in page_text(at)
    at.selectbox(key="compare_sort").set_value(FIGURE_LOW)
    at.run()
    assert table_councils(block(at, "cqc-compare")) == sorted(AUTHORITIES, key=lambda a: MEDIAN_DAYS[a])


def row(authority: str, score: int | None, figure: float | None, evidence: bool = True) -> CompareRow:
    c = Citation(1, "A quote.", f"{authority}.txt", authority, "Theme > Statement", None, 0, 8)
    answer = Answer("Q?", "A quote. [1]", not evidence, (c,) if evidence else (), ())
    return CompareRow(authority, f"{authority}.txt", answer,
                      {"quality_statement": "Assessing needs", "value": score} if score else None,
                      figure=Figure(figure, "days", f"{figure} days") if figure is not None else None)


def test_sort_rows_puts_missing_scores_and_figures_last() -> None:
    rows = [row("b", 2, 30), row("a", None, None), row("c", 4, 10), row("d", 3, None, evidence=False)]
    names = lambda rs: [r.authority for r in rs]  # noqa: E731
    assert names(sort_rows(rows, SCORE_HIGH)) == ["c", "b", "a", "d"]
    assert names(sort_rows(rows, SCORE_LOW)) == ["b", "c", "a", "d"]
    assert names(sort_rows(rows, NAME)) == ["a", "b", "c", "d"]
    assert names(sort_rows(rows, FIGURE_HIGH)) == ["b", "c", "a", "d"]
    assert names(sort_rows(rows, FIGURE_LOW)) == ["c", "b", "a", "d"]
    assert FIGURE_HIGH in sort_options(rows) and FIGURE_HIGH not in sort_options([row("x", 2, None)])
    percent = CompareRow("e", "e.txt", rows[0].answer, None, figure=Figure(99.0, "%", "99%"))
    assert names(sort_rows(rows + [percent], FIGURE_HIGH)) == ["b", "c", "e", "a", "d"]  # other units after
    table = compare_table_html(rows)
    assert "not scored" in table and ">no evidence</td>" in table and "None" not in table


def test_figure_text_reads_like_a_report() -> None:
    assert figure_text(Figure(28.0, "days", "")) == "28 days"
    assert figure_text(Figure(52.5, "%", "")) == "52.5%"
    assert figure_text(Figure(1200.0, "£", "")) == "£1,200"
    assert figure_text(Figure(212.0, "", "212")) == "212"
    assert figure_text(Figure(2025.167, "date", "March\n2025")) == "March 2025"


# --------------------------------------------------------------------------- Scores

def test_heat_map_cells_link_to_the_statement_in_the_report(app_lib) -> None:
    at = open_page("scores")
    heat = block(at, "cqc-heat")
    cells = [q for q in links(heat) if q.get("page") == ["report"]]
    assert len(cells) == len(AUTHORITIES) * len(STATEMENT_NAMES)
    assert {"doc": ["stockton-on-tees.txt"], "statement": ["Safeguarding"], "page": ["report"]} in cells
    assert "class=\"cqc-cell\"" in heat and "not assessed" in heat
    assert {"dl_scores_csv", "dl_scores_md"} <= {b.key for b in at.get("download_button")}


# --------------------------------------------------------------------------- Library

def test_library_lists_reports_with_open_links_and_no_folder_names(app_lib) -> None:
    (app_lib.corpus / "notes.docx").write_bytes(docx_bytes())
    at = open_page("library")
    table = block(at, "cqc-library")
    opened = {q["doc"][0] for q in links(table)}
    assert opened == {f.output for f in FIXTURES} | {"stockton-on-tees.txt"}
    assert "notes.docx" in table and "cannot be read" in table
    text = page_text(at)
    assert "corpus" not in text.lower() and str(app_lib.corpus) not in text
    assert "up to **50 MB** each" in text
    assert at.file_uploader(key="upload_files").proto.max_upload_size_mb == 50


def test_upload_batch_adds_good_files_and_gives_each_refusal_its_reason(app_lib) -> None:
    at = open_page("library")
    at.file_uploader(key="upload_files").set_value([
        ("otterburn.txt", NEW_REPORT, "text/plain"),
        ("minutes.docx", docx_bytes(), "application/octet-stream"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png"),
    ])
    at.get("form_submit_button")[0].click()
    at.run()
    assert not at.exception
    errors = [e.value.replace("\\", "") for e in at.error]
    assert any("minutes.docx" in e and "Word .docx is not supported: save it as PDF" in e for e in errors)
    assert any("scan.png" in e and "image (.png) is not supported" in e for e in errors)
    with closing(KnowledgeBase.open(app_lib)) as kb:
        passages = {d["name"]: d["chunks"] for d in kb.store.documents()}
        total = kb.store.manifest.chunks
    success = " ".join(s.value for s in at.success)
    assert f"was added: {passages['otterburn.txt']} passages, now searchable" in success
    info = " ".join(i.value for i in at.info)
    assert f"Passages added by this change: {passages['otterburn.txt']}." in info
    assert f"The library now holds {total} passages in 5 reports." in info
    assert "otterburn.txt" in block(at, "cqc-library")
    assert not (app_lib.corpus / "minutes.docx").exists() and not (app_lib.corpus / "scan.png").exists()
    assert "corpus" not in page_text(at).lower()


def test_remove_asks_for_confirmation_then_removes(app_lib) -> None:
    at = open_page("library")
    at.selectbox(key="manage_file").set_value("kestrel-moor.txt")
    at.run()
    at.button(key="remove_ask").click()
    at.run()
    assert any("Remove **kestrel-moor.txt** from the library?" in w.value for w in at.warning)
    at.button(key="confirm_no").click()
    at.run()
    assert (app_lib.corpus / "kestrel-moor.txt").exists()
    assert not any("Remove **" in w.value for w in at.warning)
    at.button(key="remove_ask").click()
    at.run()
    at.button(key="confirm_yes").click()
    at.run()
    assert_clean(at)
    assert any("kestrel-moor.txt** was removed from the library" in s.value for s in at.success)
    assert not (app_lib.corpus / "kestrel-moor.txt").exists()
    assert "kestrel-moor.txt" not in block(at, "cqc-library")


def test_replace_asks_for_confirmation_then_swaps_the_report(app_lib) -> None:
    at = open_page("library")
    at.selectbox(key="manage_file").set_value("kestrel-moor.txt")
    at.run()
    at.file_uploader(key="replace_file_kestrel-moor.txt").set_value(("new.txt", NEW_REPORT, "text/plain"))
    at.run()
    at.button(key="replace_ask").click()
    at.run()
    assert any("Replace **kestrel-moor.txt** with **new.txt**?" in w.value for w in at.warning)
    at.button(key="confirm_yes").click()
    at.run()
    assert_clean(at)
    assert any("replaced the report (kestrel-moor.txt)" in s.value for s in at.success)
    assert (app_lib.corpus / "kestrel-moor.txt").read_bytes() == NEW_REPORT


def test_read_only_library_has_no_upload_or_remove(app_lib, monkeypatch) -> None:
    monkeypatch.setenv("CQC_KB_READ_ONLY", "1")
    at = open_page("library")
    assert not at.get("file_uploader") and not at.button
    assert "read-only" in page_text(at)
    assert "stockton-on-tees.txt" in block(at, "cqc-library")


def test_an_uploaded_report_is_searchable_without_a_restart(app_lib) -> None:
    at = open_page("library")
    source = (app_lib.corpus / "kestrel-moor.txt").read_text(encoding="utf-8")
    new = source.replace("Kestrel Moor", "Otterburn Fells").encode()
    at.file_uploader(key="upload_files").set_value(("../Otterburn Fells report.txt", new, "text/plain"))
    at.get("form_submit_button")[0].click()
    at.run()
    assert_clean(at)
    assert any("Otterburn Fells report.txt** was added as Otterburn-Fells-report.txt" in s.value.replace("\\", "")
               for s in at.success)
    table = block(at, "cqc-library")
    assert "<td>Otterburn Fells Metropolitan Borough Council</td><td>Otterburn-Fells-report.txt</td>" in table
    at.sidebar.radio(key="nav").set_value("Ask")
    at.run()
    at.sidebar.multiselect(key="f_authorities").set_value(["Otterburn Fells Metropolitan Borough Council"])
    at.text_input(key="question_input").input(MEDIAN_Q)
    at.get("form_submit_button")[0].click()
    at.run()
    assert_clean(at)
    assert "median waiting time was 63 days" in page_text(at)


def test_a_damaged_upload_changes_nothing(app_lib) -> None:
    at = open_page("library")
    before = sorted(p.name for p in app_lib.corpus.iterdir())
    build_before = (app_lib.index / "CURRENT").read_text()
    at.file_uploader(key="upload_files").set_value(("broken.pdf", b"%PDF-1.4\n garbage", "application/pdf"))
    at.get("form_submit_button")[0].click()
    at.run()
    assert not at.exception
    assert any("broken.pdf** was not added" in e.value.replace("\\", "") and "damaged PDF" in e.value
               for e in at.error)
    assert sorted(p.name for p in app_lib.corpus.iterdir()) == before
    assert (app_lib.index / "CURRENT").read_text() == build_before


def test_library_updates_a_changed_file(app_lib) -> None:
    path = app_lib.corpus / "kestrel-moor.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("63 days", "64 days"), encoding="utf-8")
    at = open_page("library")
    assert "changed since indexed" in block(at, "cqc-library")
    at.button(key="reindex").click()
    at.run()
    assert_clean(at)
    assert any("1 updated" in s.value for s in at.success)
    assert "changed since indexed" not in block(at, "cqc-library")


def test_an_unexpected_indexing_failure_rolls_back_and_says_so(app_lib, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("cqc_kb.library.reindex", broken)
    before = sorted(p.name for p in app_lib.corpus.iterdir())
    at = open_page("library")
    at.file_uploader(key="upload_files").set_value(("otterburn.txt", NEW_REPORT, "text/plain"))
    at.get("form_submit_button")[0].click()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "The library could not be updated, so nothing was changed. Try again; if it happens again, "
        "the server log has the details."]
    assert sorted(p.name for p in app_lib.corpus.iterdir()) == before
