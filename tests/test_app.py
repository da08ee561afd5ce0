"""The Streamlit app through AppTest (each page's main path), and the pure helpers behind it:
upload validation (``cqc_kb.library``), evidence HTML (``cqc_kb_app.html``) and downloads
(``cqc_kb.export``)."""

from __future__ import annotations

import csv
import io
import shutil
from contextlib import closing
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cqc_kb import export
from cqc_kb.kb import KnowledgeBase, build_index
from cqc_kb.library import DuplicateUploadError, UploadError, library_rows, safe_filename, save_upload
from cqc_kb.records import Answer, Citation
from cqc_kb_app.common import citation_key
from cqc_kb_app.html import context_span, escape_text, highlight_html, md_escape, section_body

from conftest import FIXTURES, REAL_REPORT, make_settings

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
MEDIAN_Q = "What was the median waiting time for a Care Act assessment?"
AUTHORITIES = sorted([f.authority for f in FIXTURES] + ["Stockton-on-Tees Borough Council"])
SCRIPT = "<script>alert(1)</script>"
INJECTION_REPORT = f"""Kettle pilot notes

Residents typed {SCRIPT} into the kettle feedback form during the tea trolley pilot.

The kettle pilot ran for six weeks in the day centre and residents rated the tea highly.
"""


# --------------------------------------------------------------------------- helpers

def open_kb(settings) -> closing:
    """``with open_kb(settings) as kb:`` opens a KnowledgeBase and closes it after."""
    return closing(KnowledgeBase.open(settings))


def private_corpus(fixture_corpus: Path, dest: Path, extra: dict[str, str] | None = None) -> Path:
    corpus = dest / "corpus"
    shutil.copytree(fixture_corpus, corpus)
    for name, text in (extra or {}).items():
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus


def point_app_at(monkeypatch: pytest.MonkeyPatch, corpus: Path, index: Path) -> None:
    monkeypatch.setenv("CQC_KB_CORPUS", str(corpus))
    monkeypatch.setenv("CQC_KB_INDEX", str(index))
    monkeypatch.setenv("CQC_KB_MODEL", "hash")


def start(monkeypatch, corpus: Path, index: Path) -> AppTest:
    point_app_at(monkeypatch, corpus, index)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def source_cards(at: AppTest) -> list[str]:
    """The header of every source card on the Ask page (the target of its ``[n]`` marker)."""
    return [m.value for m in at.markdown if m.value.startswith('<div class="cqc-card-head cqc-anchor"')]


def submit(at: AppTest, form_index: int = 0) -> None:
    at.get("form_submit_button")[form_index].click()
    at.run()


def go(at: AppTest, page: str) -> None:
    at.sidebar.radio(key="nav").set_value(page)
    at.run()
    assert_clean(at)


@pytest.fixture
def app_index(fixture_corpus: Path, tmp_path: Path, monkeypatch):
    """A private corpus (real report + three fixtures) with a built hash index; the app's env points at it."""
    corpus = private_corpus(fixture_corpus, tmp_path)
    settings = make_settings(corpus, tmp_path / "index")
    build_index(settings)
    point_app_at(monkeypatch, corpus, settings.index)
    return settings


# --------------------------------------------------------------------------- Ask

def test_first_run_explains_the_library_and_offers_examples(app_index, monkeypatch) -> None:
    at = start(monkeypatch, app_index.corpus, app_index.index)
    text = markdown_text(at)
    assert "4 reports" in text
    for authority in AUTHORITIES:
        assert authority in text
    labels = [b.label for b in at.button]
    assert MEDIAN_Q in labels and len([l for l in labels if l.endswith("?")]) >= 3


def test_ask_shows_answer_with_cited_quote_in_context(app_index, monkeypatch) -> None:
    at = start(monkeypatch, app_index.corpus, app_index.index)
    with open_kb(app_index) as kb:
        expected = kb.ask(MEDIAN_Q)
    assert not expected.abstained
    at.text_input(key="question_input").input(MEDIAN_Q)
    submit(at)
    assert_clean(at)
    text = markdown_text(at)
    first = expected.citations[0]
    # The answer with its [n] marker linking to its source card, and the quote marked inside
    # its paragraph.
    assert '<a class="cqc-cite" href="#src-1"' in text and ">[1]</a></sup>" in text
    assert 'id="src-1"' in source_cards(at)[0]
    assert f"<mark>{escape_text(first.quote)}</mark>" in text
    assert "median waiting time was" in text
    label = source_cards(at)[0]
    assert first.authority in label
    assert "Assessing needs" in label and "score 2 of 4" in label  # statement and its score
    assert "Key findings for this quality statement" in text  # section path
    # The question is remembered in the sidebar.
    assert MEDIAN_Q in [b.label for b in at.sidebar.button]
    # Downloads are offered.
    assert {"dl_answer_csv", "dl_answer_md"} <= {b.key for b in at.get("download_button")}


def test_more_context_widens_the_paragraph(app_index, monkeypatch) -> None:
    at = start(monkeypatch, app_index.corpus, app_index.index)
    at.text_input(key="question_input").input(MEDIAN_Q)
    submit(at)
    quote_blocks = lambda: [m.value for m in at.markdown if m.value.startswith('<div class="cqc-quote">')]
    before = quote_blocks()[0]
    with open_kb(app_index) as kb:
        first = kb.ask(MEDIAN_Q).citations[0]
    at.toggle(key=f"more_{citation_key(MEDIAN_Q, first)}").set_value(True)
    at.run()
    assert_clean(at)
    after = quote_blocks()[0]
    assert len(after) > len(before) and "<mark>" in after


def test_example_button_and_history_reopen_a_question(app_index, monkeypatch) -> None:
    at = start(monkeypatch, app_index.corpus, app_index.index)
    next(b for b in at.button if b.label == MEDIAN_Q).click()
    at.run()
    assert_clean(at)
    assert "<mark>" in markdown_text(at)
    at.text_input(key="question_input").input("How are unpaid carers supported?")
    submit(at)
    assert [b.label for b in at.sidebar.button][:2] == ["How are unpaid carers supported?", MEDIAN_Q]
    next(b for b in at.sidebar.button if b.label == MEDIAN_Q).click()
    at.run()
    assert at.text_input(key="question_input").value == MEDIAN_Q
    assert "median waiting time was" in markdown_text(at)


def test_sidebar_filter_restricts_the_answer_to_one_council(app_index, monkeypatch) -> None:
    at = start(monkeypatch, app_index.corpus, app_index.index)
    at.sidebar.multiselect(key="f_authorities").set_value(["Stockton-on-Tees Borough Council"])
    at.text_input(key="question_input").input(MEDIAN_Q)
    submit(at)
    assert_clean(at)
    text = markdown_text(at)
    assert "the median waiting time was 28 days" in text
    assert source_cards(at) and all("Stockton-on-Tees" in card for card in source_cards(at))
    assert "Filtered to Council: Stockton-on-Tees Borough Council." in [c.value for c in at.caption]


def test_score_question_is_answered_from_the_score_table(app_index, monkeypatch) -> None:
    at = start(monkeypatch, app_index.corpus, app_index.index)
    at.text_input(key="question_input").input("How did Stockton-on-Tees score on safeguarding?")
    submit(at)
    assert_clean(at)
    text = markdown_text(at)
    assert "scored 3 out of 4 on Safeguarding" in text
    assert "<mark>Score: 3</mark>" in text


def test_unanswerable_question_abstains_and_lists_nearest_passages(app_index, monkeypatch) -> None:
    at = start(monkeypatch, app_index.corpus, app_index.index)
    at.text_input(key="question_input").input("What colour is the council's fleet of electric buses?")
    submit(at)
    assert_clean(at)
    with open_kb(app_index) as kb:
        expected = kb.ask("What colour is the council's fleet of electric buses?")
    if not expected.abstained:
        pytest.skip("the hash embedder found an answer; abstention is covered by the answer tests")
    assert any("No clear answer in these reports" in w.value for w in at.warning)
    assert len(at.expander) == len(expected.hits) > 0


def test_report_text_with_script_tag_is_shown_escaped(fixture_corpus, tmp_path, monkeypatch) -> None:
    corpus = private_corpus(fixture_corpus, tmp_path, {"kettle-pilot.txt": INJECTION_REPORT})
    settings = make_settings(corpus, tmp_path / "index")
    build_index(settings)
    at = start(monkeypatch, corpus, settings.index)
    at.text_input(key="question_input").input("What did residents type into the kettle feedback form?")
    submit(at)
    assert_clean(at)
    text = markdown_text(at)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert SCRIPT not in text
    for label in [e.label for e in at.expander] + [w.value for w in at.warning] + source_cards(at):
        assert "<script>" not in label


# --------------------------------------------------------------------------- Compare, Scores, Library

def test_compare_shows_one_row_per_council(app_index, monkeypatch) -> None:
    at = start(monkeypatch, app_index.corpus, app_index.index)
    go(at, "Compare")
    assert at.multiselect(key="compare_authorities").value == AUTHORITIES
    at.text_input(key="compare_question").input(MEDIAN_Q)
    submit(at)
    assert_clean(at)
    grid = at.dataframe[0].value
    assert sorted(grid["Council"]) == AUTHORITIES
    stockton = grid[grid["Council"] == "Stockton-on-Tees Borough Council"].iloc[0]
    assert "median waiting time was 28 days" in stockton["Evidence"]
    assert stockton["Score"] == 2
    # Sorted by score, highest first, by default: Larchfield (4) leads.
    assert list(grid["Score"])[0] == 4
    at.selectbox(key="compare_sort").set_value("Score, lowest first")
    at.run()
    assert list(at.dataframe[0].value["Score"])[0] == 2
    assert {"dl_compare_csv", "dl_compare_md"} <= {b.key for b in at.get("download_button")}


def test_compare_marks_a_council_without_evidence(app_index, monkeypatch) -> None:
    at = start(monkeypatch, app_index.corpus, app_index.index)
    go(at, "Compare")
    at.multiselect(key="compare_authorities").set_value(["Larchfield Unitary Council"])
    at.text_input(key="compare_question").input("What colour is the council's fleet of electric buses?")
    submit(at)
    assert_clean(at)
    grid = at.dataframe[0].value
    assert list(grid["Council"]) == ["Larchfield Unitary Council"]
    with open_kb(app_index) as kb:
        row = kb.compare("What colour is the council's fleet of electric buses?", ["Larchfield Unitary Council"])[0]
    if row.answer.abstained:
        assert grid.iloc[0]["Evidence"] == "no evidence found in this report"


def test_scores_heat_map_warnings_and_key_findings(app_index, monkeypatch) -> None:
    at = start(monkeypatch, app_index.corpus, app_index.index)
    go(at, "Scores")
    heat = next(m.value for m in at.markdown if m.value.startswith('<div class="cqc-heat">')).replace("&shy;", "")
    for authority in AUTHORITIES:
        assert authority in heat
    assert heat.count("<tr>") == 2 + 4  # two header rows, four councils
    assert "63.9%" in heat and "Outstanding" in heat and "not assessed" in heat
    warnings = [w.value for w in at.warning]
    assert any("Stockton-on-Tees" in w and "Safeguarding" in w and "label" in w for w in warnings)
    at.selectbox(key="scores_authority").set_value("Stockton-on-Tees Borough Council")
    at.selectbox(key="scores_statement").set_value("Safeguarding")
    at.run()
    assert_clean(at)
    text = markdown_text(at)
    assert "score 3 of 4" in text
    assert "Making safeguarding personal" in text
    assert "dl_scores_csv" in {b.key for b in at.get("download_button")}


def test_library_lists_documents_with_index_status(app_index, monkeypatch) -> None:
    (app_index.corpus / "notes.docx").write_bytes(b"PK\x03\x04 not supported")
    at = start(monkeypatch, app_index.corpus, app_index.index)
    go(at, "Library")
    table = at.dataframe[0].value
    indexed = table[table["Index status"] == "indexed"]
    assert sorted(indexed["File"]) == sorted([f.output for f in FIXTURES] + [REAL_REPORT.name])
    assert set(indexed["Format"]) == {"txt", "pdf", "html"}
    assert table[table["File"] == "larchfield.pdf"].iloc[0]["Pages"] == "8"
    assert table[table["File"] == "notes.docx"].iloc[0]["Index status"] == "cannot be indexed"


def test_upload_adds_a_searchable_report(app_index, monkeypatch) -> None:
    at = start(monkeypatch, app_index.corpus, app_index.index)
    go(at, "Library")
    source = (app_index.corpus / "kestrel-moor.txt").read_text(encoding="utf-8")
    new = source.replace("Kestrel Moor", "Otterburn Fells").encode()
    at.file_uploader(key="upload_files").set_value(("../Otterburn Fells report.txt", new, "text/plain"))
    submit(at)
    assert_clean(at)
    assert any("Added Otterburn-Fells-report.txt" in s.value for s in at.success)
    table = at.dataframe[0].value
    row = table[table["File"] == "Otterburn-Fells-report.txt"].iloc[0]
    assert row["Index status"] == "indexed" and row["Authority"].startswith("Otterburn Fells")
    # Searchable without a restart.
    go(at, "Ask")
    at.sidebar.multiselect(key="f_authorities").set_value(["Otterburn Fells Metropolitan Borough Council"])
    at.text_input(key="question_input").input(MEDIAN_Q)
    submit(at)
    assert_clean(at)
    assert "median waiting time was 63 days" in markdown_text(at)
    assert source_cards(at) and all("Otterburn Fells" in card for card in source_cards(at))


def test_bad_upload_is_refused_and_changes_nothing(app_index, monkeypatch) -> None:
    at = start(monkeypatch, app_index.corpus, app_index.index)
    go(at, "Library")
    before = sorted(p.name for p in app_index.corpus.iterdir())
    build_before = (app_index.index / "CURRENT").read_text()
    at.file_uploader(key="upload_files").set_value(("broken.pdf", b"%PDF-1.4\n garbage", "application/pdf"))
    submit(at)
    assert not at.exception
    assert any("broken.pdf was not added" in e.value.replace("\\", "") for e in at.error)
    assert sorted(p.name for p in app_index.corpus.iterdir()) == before
    assert (app_index.index / "CURRENT").read_text() == build_before


def test_mixed_upload_adds_the_good_file_and_explains_the_bad_one(app_index, monkeypatch) -> None:
    at = start(monkeypatch, app_index.corpus, app_index.index)
    go(at, "Library")
    at.file_uploader(key="upload_files").set_value([
        ("good.md", b"# Notes on day services\n\nThe day centre opened on Mondays.\n", "text/markdown"),
        ("junk.txt", bytes(range(256)) * 40, "text/plain"),
    ])
    submit(at)
    assert not at.exception
    assert any("Added good.md" in s.value for s in at.success)
    assert any("junk.txt was not added" in e.value.replace("\\", "") for e in at.error)
    assert (app_index.corpus / "good.md").exists() and not (app_index.corpus / "junk.txt").exists()


def test_library_updates_a_changed_file(app_index, monkeypatch) -> None:
    path = app_index.corpus / "kestrel-moor.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("63 days", "64 days"), encoding="utf-8")
    at = start(monkeypatch, app_index.corpus, app_index.index)
    go(at, "Library")
    table = at.dataframe[0].value
    assert table[table["File"] == "kestrel-moor.txt"].iloc[0]["Index status"] == "changed"
    at.button(key="reindex").click()
    at.run()
    assert_clean(at)
    assert any("1 updated" in s.value for s in at.success)
    table = at.dataframe[0].value
    assert set(table["Index status"]) == {"indexed"}


def test_empty_corpus_explains_how_to_add_reports(tmp_path, monkeypatch) -> None:
    (tmp_path / "corpus").mkdir()
    at = start(monkeypatch, tmp_path / "corpus", tmp_path / "index")
    assert any("No reports are indexed yet" in i.value for i in at.info)
    for page in ("Compare", "Scores", "Library"):
        go(at, page)


def test_missing_index_is_built_on_first_start(fixture_corpus, tmp_path, monkeypatch) -> None:
    corpus = private_corpus(fixture_corpus, tmp_path)
    at = start(monkeypatch, corpus, tmp_path / "fresh-index")
    assert (tmp_path / "fresh-index" / "CURRENT").exists()
    assert "4 reports" in markdown_text(at)


def test_missing_corpus_shows_an_error_not_a_traceback(tmp_path, monkeypatch) -> None:
    point_app_at(monkeypatch, tmp_path / "nowhere", tmp_path / "index")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    shown = [e.value.replace("\\", "") for e in at.error]  # Markdown escapes removed
    assert any("corpus folder" in m and "CQC_KB_CORPUS" in m for m in shown), shown


# --------------------------------------------------------------------------- library.save_upload

@pytest.fixture
def upload_settings(fixture_corpus, tmp_path):
    corpus = private_corpus(fixture_corpus, tmp_path)
    return make_settings(corpus, tmp_path / "index")


def listing(corpus: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in corpus.iterdir()}


@pytest.mark.parametrize("name,data,reason", [
    ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "damaged PDF"),
    ("fake.pdf", b"just some text pretending", "not a PDF"),
    ("junk.txt", bytes(range(256)) * 40, "binary"),
    ("empty.txt", b"   \n\n ", "empty"),
    ("latin1.txt", "Caf\u00e9 report\n\nSome text.".encode("latin-1"), "UTF-8"),
])
def test_save_upload_rejects_unreadable_files(upload_settings, name, data, reason) -> None:
    before = listing(upload_settings.corpus)
    with pytest.raises(UploadError, match=reason):
        save_upload(upload_settings, name, data)
    assert listing(upload_settings.corpus) == before  # nothing written, no temp file left


def test_save_upload_enforces_the_size_limit(upload_settings) -> None:
    small = upload_settings.replace(max_file_mb=0.001)
    with pytest.raises(UploadError, match="over the 0.001 MB limit"):
        save_upload(small, "big.txt", b"Title\n\n" + b"word " * 1000)


def test_save_upload_detects_duplicates_by_content(upload_settings) -> None:
    data = (upload_settings.corpus / "kestrel-moor.txt").read_bytes()
    with pytest.raises(DuplicateUploadError, match="already in the library as kestrel-moor.txt"):
        save_upload(upload_settings, "another name.txt", data)


def test_save_upload_sanitises_the_name_and_never_clobbers(upload_settings) -> None:
    corpus = upload_settings.corpus
    path = save_upload(upload_settings, "../../etc/Weird name <x>.TXT", b"A report\n\nSome findings.\n")
    assert path.parent == corpus and path.name == "Weird-name-x.txt"
    assert path.read_bytes() == b"A report\n\nSome findings.\n"
    other = save_upload(upload_settings, "kestrel-moor.txt", b"Other report\n\nDifferent text.\n")
    assert other.name == "kestrel-moor-2.txt"
    assert (corpus / "kestrel-moor.txt").read_bytes().startswith(b"Kestrel Moor")
    hidden = save_upload(upload_settings, ".hidden", b"Hidden report\n\nText.\n")
    assert hidden.name == "hidden.txt"
    assert not [p for p in corpus.iterdir() if p.name.startswith(".")]


def test_save_upload_names_by_content_type(upload_settings) -> None:
    page = b"<!doctype html><html><head><title>T</title></head><body><h1>Report</h1><p>Text here.</p></body></html>"
    assert save_upload(upload_settings, "page.txt", page).name == "page.html"
    assert save_upload(upload_settings, "notes.exe", b"Notes\n\nPlain text notes.\n").name == "notes-exe.txt"
    pdf = (upload_settings.corpus / "larchfield.pdf").read_bytes()
    (upload_settings.corpus / "larchfield.pdf").unlink()
    assert save_upload(upload_settings, "report", pdf).name == "report.pdf"


@pytest.mark.parametrize("name,fmt,expected", [
    ("report.pdf", "pdf", "report.pdf"),
    ("C:\\Users\\me\\Report (final).PDF", "pdf", "Report-final.pdf"),
    ("readme.md", "txt", "readme-report.md"),
    ("...", "txt", "report.txt"),
    ("page.htm", "html", "page.htm"),
])
def test_safe_filename(name, fmt, expected) -> None:
    assert safe_filename(name, fmt) == expected


def test_library_rows_report_changed_and_new_files(upload_settings) -> None:
    build_index(upload_settings)
    with open_kb(upload_settings) as kb:
        docs = kb.store.documents()
    (upload_settings.corpus / "kestrel-moor.txt").write_text("Changed\n\ntext\n")
    (upload_settings.corpus / "new.txt").write_text("New\n\ntext\n")
    (upload_settings.corpus / "larchfield.pdf").unlink()
    status = {r.file: r.status for r in library_rows(upload_settings, docs)}
    assert status["kestrel-moor.txt"] == "changed"
    assert status["new.txt"] == "new"
    assert status["larchfield.pdf"] == "not in corpus"
    assert status["stockton-on-tees.txt"] == "indexed"


# --------------------------------------------------------------------------- quoting helpers

def test_highlight_escapes_and_marks_the_quote() -> None:
    text = "Heading\n\nFirst para.\n\nBefore <b>bold</b> & the quote here. After.\n\nNext para.\n\nLast."
    start = text.index("the quote here.")
    end = start + len("the quote here.")
    out = highlight_html(text, start, end)
    assert out == "… Before &lt;b&gt;bold&lt;/b&gt; &amp; <mark>the quote here.</mark> After. …"
    wider = highlight_html(text, start, end, extra=1)
    assert "First para." in wider and "Next para." in wider and "Last." not in wider
    assert context_span(text, start, end, extra=5) == (0, len(text))


def test_highlight_stays_inside_the_quotes_section() -> None:
    text = "Heading one\nLast line of the previous section.\nSub heading\nThe quote sits here. And more."
    sub = text.index("Sub heading")
    sections = [{"start": 0, "end": len(text)}, {"start": sub, "end": len(text)}]
    start = text.index("The quote")
    clip = section_body(sections, text, start, start + 20)
    assert clip == (text.index("The quote"), len(text))
    assert highlight_html(text, start, start + 20, clip=clip) == "… <mark>The quote sits here.</mark> And more."


def test_highlight_cuts_long_pdf_text_at_sentence_lines() -> None:
    lines = [f"Line {i} of wrapped text that runs on and on to the margin" + ("." if i % 5 == 4 else "")
             for i in range(60)]
    text = "\n".join(lines)
    start = text.index("Line 22 ")
    s, e = context_span(text, start, start + 10)
    assert text[s:].startswith("Line 20 ")
    assert text[:e].endswith("Line 24 of wrapped text that runs on and on to the margin.")


def test_md_escape_neutralises_markdown() -> None:
    assert md_escape("**bold** [link](x) <b> $x$") == "\\*\\*bold\\*\\* \\[link\\](x) \\<b\\> \\$x\\$"
    assert md_escape("Stockton-on-Tees: fine.") == "Stockton-on-Tees: fine."


# --------------------------------------------------------------------------- export

def sample_answer() -> Answer:
    c1 = Citation(1, "The median waiting time was 28 days.", "stockton-on-tees.txt", "Stockton-on-Tees Borough Council",
                  "Theme 1 > Assessing needs", None, 10, 46, "Assessing needs", 2)
    c2 = Citation(2, "=HYPERLINK(\"http://x\") | pipe", "larchfield.pdf", "Larchfield Unitary Council",
                  "Theme 1 > Assessing needs", 3, 5, 30, "Assessing needs", 4)
    return Answer(MEDIAN_Q, "The median waiting time was 28 days. [1] Other. [2]", False, (c1, c2), ())


def test_answer_exports() -> None:
    answer = sample_answer()
    rows = list(csv.DictReader(io.StringIO(export.answer_to_csv(answer))))
    assert len(rows) == 2
    assert rows[0]["question"] == MEDIAN_Q and rows[0]["quote"] == "The median waiting time was 28 days."
    assert rows[0]["authority"] == "Stockton-on-Tees Borough Council" and rows[0]["page"] == ""
    assert rows[1]["page"] == "3" and rows[1]["quote"].startswith("'=")  # formula defused
    md = export.answer_to_markdown(answer)
    assert md.startswith(f"# {MEDIAN_Q}\n")
    assert "> The median waiting time was 28 days." in md
    assert "[2] Larchfield Unitary Council, Theme 1 > Assessing needs, page 3" in md
    abstained = Answer("Q?", "No answer.", True, (), ())
    assert len(list(csv.DictReader(io.StringIO(export.answer_to_csv(abstained))))) == 1
    assert "No clear answer" in export.answer_to_markdown(abstained)


def test_compare_and_scores_exports(hash_kb) -> None:
    rows = hash_kb.compare(MEDIAN_Q)
    parsed = list(csv.DictReader(io.StringIO(export.compare_to_csv(MEDIAN_Q, rows))))
    assert sorted({r["authority"] for r in parsed}) == AUTHORITIES
    stockton = [r for r in parsed if r["authority"].startswith("Stockton")]
    assert any("median waiting time was 28 days" in r["quote"] for r in stockton)
    md = export.compare_to_markdown(MEDIAN_Q, rows)
    table_rows = [line for line in md.splitlines() if line.startswith("| ") and "Authority" not in line]
    assert len(table_rows) == 4
    assert all(line.count(" | ") == 5 for line in table_rows)  # pipes in text are escaped

    scores = list(csv.DictReader(io.StringIO(export.scores_to_csv(hash_kb.scores()))))
    assert sorted(r["authority"] for r in scores) == AUTHORITIES
    stockton = next(r for r in scores if r["authority"].startswith("Stockton"))
    assert stockton["Safeguarding"] == "3" and stockton["percentage"] == "63.9" and "label" in stockton["warnings"]
    ashdown = next(r for r in scores if r["authority"].startswith("Ashdown"))
    assert ashdown["Equity in experience and outcomes"] == ""

