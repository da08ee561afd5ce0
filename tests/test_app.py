"""The Streamlit app through AppTest (each page's main path), and the evidence HTML helpers
behind it (``cqc_kb_app.html``)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cqc_kb.kb import build_index
from cqc_kb_app.common import citation_key
from cqc_kb_app.html import context_span, escape_text, highlight_html, md_escape, section_body

from app_support import APP, assert_clean, open_kb, point_app_at
from conftest import FIXTURES, make_settings

MEDIAN_Q = "What was the median waiting time for a Care Act assessment?"
AUTHORITIES = sorted([f.authority for f in FIXTURES] + ["Stockton-on-Tees Borough Council"])
SCRIPT = "<script>alert(1)</script>"
INJECTION_REPORT = f"""Kettle pilot notes

Residents typed {SCRIPT} into the kettle feedback form during the tea trolley pilot.

The kettle pilot ran for six weeks in the day centre and residents rated the tea highly.
"""


# --------------------------------------------------------------------------- helpers

def private_corpus(fixture_corpus: Path, dest: Path, extra: dict[str, str] | None = None) -> Path:
    corpus = dest / "corpus"
    shutil.copytree(fixture_corpus, corpus)
    for name, text in (extra or {}).items():
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus



def start(monkeypatch, corpus: Path, index: Path) -> AppTest:
    point_app_at(monkeypatch, corpus, index)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert_clean(at)
    return at


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
    # A question naming its council gets one council's answer (a library-wide one is grouped,
    # see test_app_ask_report.py and test_answer.py).
    question = MEDIAN_Q.replace("?", " in Stockton-on-Tees?")
    at = start(monkeypatch, app_index.corpus, app_index.index)
    with open_kb(app_index) as kb:
        expected = kb.ask(question)
    assert not expected.abstained
    at.text_input(key="question_input").input(question)
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
    assert question in [b.label for b in at.sidebar.button]
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
    # The cited span runs from the score line on to its label (which the real report misnumbers
    # "2 – Evidence shows a good standard": quoted as written).
    assert re.search(r"<mark>Score: 3<br><br>2 – Evidence shows a good standard</mark>", text), text


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


# --------------------------------------------------------------------------- Scores and empty libraries
# (Compare and Library: tests/test_app_pages.py; library and export functions: test_library.py, test_export.py)

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
