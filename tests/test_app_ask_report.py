"""The Ask page and the report view through AppTest: council blocks, citations you can follow,
the report opened at a highlighted quote, URL state, and the app's guards (errors, password,
read-only). Answers the library does not give yet (groups, strength) are built by hand."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cqc_kb.errors import KbError
from cqc_kb.kb import KnowledgeBase, build_index
from cqc_kb.records import Answer, AnswerGroup, Citation
from cqc_kb.retrieve import Filters
from cqc_kb_app.common import ANSWER_BACKGROUND, LINK_COLOUR, citation_key, page_link, report_link
from cqc_kb_app.html import QUOTE_ID, answer_html, escape_text, report_html

from build_fixtures import build_earlier_assessments
from app_support import APP, assert_clean, open_kb, point_app_at
from conftest import make_settings

MEDIAN_Q = "What was the median waiting time for a Care Act assessment?"
CARERS_Q = "How are unpaid carers supported?"
STOCKTON = "Stockton-on-Tees Borough Council"
UNEXPECTED = "Something went wrong while showing this page"


@pytest.fixture(scope="module")
def library(fixture_corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    """A built hash index over the real report and the three fixtures (txt, PDF, HTML), an
    earlier assessment of Ashdown Vale, and a report that carries a script tag; tests only read it."""
    base = tmp_path_factory.mktemp("app-library")
    corpus = base / "corpus"
    shutil.copytree(fixture_corpus, corpus)
    build_earlier_assessments(corpus)
    (corpus / "kettle-pilot.txt").write_text(
        "Kettle pilot notes\n\nResidents typed <script>alert(1)</script> into the kettle feedback form.\n\n"
        "The kettle pilot ran for six weeks in the day centre.\n", encoding="utf-8")
    settings = make_settings(corpus, base / "index")
    build_index(settings)
    return settings


@pytest.fixture
def app(library, monkeypatch):
    """An AppTest pointed at ``library`` (not yet run)."""
    point_app_at(monkeypatch, library.corpus, library.index)
    return AppTest.from_file(APP, default_timeout=60)


def run(at: AppTest, **params: str | list[str]) -> AppTest:
    at.query_params.clear()
    at.query_params.update(params)
    at.run()
    assert_clean(at)
    return at


def param(at: AppTest, key: str) -> list[str]:
    """Every value of one URL parameter after the run."""
    value = at.query_params.get(key, [])
    return value if isinstance(value, list) else [value]


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def blocks(at: AppTest, cls: str) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith(f'<div class="{cls}')]


def marked(report: str) -> str:
    """The text inside the <mark> elements of a rendered report, joined."""
    return "".join(re.findall(r"<mark[^>]*>(.*?)</mark>", report, flags=re.S))


def citation(document: str, n: int, quote: str, authority: str, start: int = 0) -> Citation:
    return Citation(n, quote, document, authority, "Theme 1 > Assessing needs", None, start, start + len(quote),
                    "Assessing needs", 2, published="2025-03-12")


def grouped_answer(question: str, n_groups: int, searched: int) -> Answer:
    """A library-wide answer with one group per (made-up) council; quotes need not be in the index:
    a card whose offsets do not match shows the quote itself."""
    groups = tuple(AnswerGroup(f"Council {i}", f"council-{i}.txt", "2025-03-12",
                               f"Council {i} waited {10 + i} days. [1]",
                               (citation(f"council-{i}.txt", 1, f"Council {i} waited {10 + i} days.",
                                         f"Council {i}"),), confidence=0.9 - 0.05 * i)
                   for i in range(1, n_groups + 1))
    return Answer(question, groups[0].answer, False, groups[0].citations, (), 0.9, {}, groups, searched)


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    hi, lo = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# --------------------------------------------------------------------------- Ask: council blocks

def test_library_wide_answer_shows_council_blocks(app, monkeypatch) -> None:
    answer = grouped_answer(MEDIAN_Q, n_groups=7, searched=9)
    monkeypatch.setattr(KnowledgeBase, "ask", lambda self, question, filters=None, **kw: answer)
    at = run(app, page="ask", q=MEDIAN_Q)
    text = markdown(at)
    assert "**Answered in 7 of 9 reports**" in text
    heads = [h for h in blocks(at, 'cqc-card-head"') if "cqc-council" in h]
    assert len(heads) == 7
    for i, head in enumerate(heads, start=1):
        assert f'class="cqc-council">Council {i} (published 12 March 2025) <span' in head and "cqc-strength" in head
    # Five blocks first, the other two behind an expander.
    assert [e.label for e in at.expander] == ["2 more councils"]
    assert "Council 7 (published 12 March 2025)" in "".join(m.value for m in at.expander[0].markdown)
    # Each block's marker links to its own source card.
    assert 'href="#src-0-1"' in text and 'id="src-0-1"' in text and 'href="#src-6-1"' in text
    # Every block says how strong its evidence is (confidence 0.85 is strong, 0.55 moderate).
    assert text.count("cqc-strength strong") >= 1 and "cqc-strength moderate" in text
    at.button(key="ask_compare").click()
    at.run()
    assert_clean(at)
    assert param(at, "page") == ["compare"] and param(at, "q") == [MEDIAN_Q]
    assert at.text_input(key="compare_question").value == MEDIAN_Q
    assert any(m.value.startswith("<div class=\"cqc-compare\"") for m in at.markdown)  # the comparison ran


def test_single_answer_shows_the_strength_the_library_gives(app, monkeypatch) -> None:
    c = citation("council-1.txt", 1, "Waits were long.", "Council 1")
    answer = Answer(CARERS_Q, "Waits were long. [1]", False, (c,), (), 0.95, {"strength": "weak"})
    monkeypatch.setattr(KnowledgeBase, "ask", lambda self, question, filters=None, **kw: answer)
    at = run(app, page="ask", q=CARERS_Q)
    assert "Weak evidence" in markdown(at) and "Strong evidence" not in markdown(at)
    assert not [m for m in markdown(at).splitlines() if "Answered in" in m]


# --------------------------------------------------------------------------- citations you can follow

def test_markers_link_to_cards_with_a_preview_and_enough_contrast() -> None:
    quote = 'Kestrel Moor, Assessing needs: "28 days" & <b>falling</b>.'
    out = answer_html("The wait was 28 days. [1] Unlinked. [2]", {1: ("src-1", quote)})
    link = re.search(r'<a class="cqc-cite" href="#src-1" target="_self" title="([^"]*)"', out)
    assert link and html.unescape(link.group(1)) == f"[1] {quote}"
    assert "<b>" not in out and "<sup>[2]</sup>" in out
    assert contrast(LINK_COLOUR, "#ffffff") >= 4.5
    assert contrast(LINK_COLOUR, ANSWER_BACKGROUND) >= 4.5
    assert contrast("#1f77b4", ANSWER_BACKGROUND) < 4.5  # the old marker colour (4.46:1) fails


def test_more_context_is_remembered_per_question_and_citation(app, library) -> None:
    at = run(app, page="ask", q=MEDIAN_Q)
    with open_kb(library) as kb:
        first = kb.ask(MEDIAN_Q).citations[0]
        other = kb.ask(CARERS_Q).citations[0]
    narrow = blocks(at, "cqc-quote")[0]
    at.toggle(key=f"more_{citation_key(MEDIAN_Q, first)}").set_value(True)
    at.run()
    assert len(blocks(at, "cqc-quote")[0]) > len(narrow)
    # [1] of the next question opens narrow, whatever [1] of the last one was set to.
    at.text_input(key="question_input").input(CARERS_Q)
    at.get("form_submit_button")[0].click()
    at.run()
    assert_clean(at)
    assert at.toggle(key=f"more_{citation_key(CARERS_Q, other)}").value is False
    assert f"more_{citation_key(MEDIAN_Q, first)}" != f"more_{citation_key(CARERS_Q, other)}"


def test_open_in_report_button_opens_the_quote_and_comes_back(app, library) -> None:
    at = run(app, page="ask", q=MEDIAN_Q, council=STOCKTON)
    with open_kb(library) as kb:
        first = kb.ask(MEDIAN_Q, filters=Filters(authorities=(STOCKTON,))).citations[0]
        text = kb.store.document_text(first.document)
    at.button(key=f"open_{citation_key(MEDIAN_Q, first)}").click()
    at.run()
    assert_clean(at)
    assert param(at, "page") == ["report"] and param(at, "doc") == [first.document]
    report = blocks(at, "cqc-report")[0]
    assert marked(report) == escape_text(text[first.start:first.end])
    at.button(key="report_back_button").click()
    at.run()
    assert_clean(at)
    assert param(at, "page") == ["ask"] and param(at, "council") == [STOCKTON]
    assert at.text_input(key="question_input").value == MEDIAN_Q


# --------------------------------------------------------------------------- the report view

def test_report_view_opens_at_the_exact_quote_with_its_contents(app, library) -> None:
    with open_kb(library) as kb:
        c = kb.ask(MEDIAN_Q, filters=Filters(authorities=("Larchfield Unitary Council",))).citations[0]
        text = kb.store.document_text(c.document)
    assert c.document == "larchfield.pdf" and c.page is not None
    at = run(app, page="report", doc=c.document, start=str(c.start), end=str(c.end))
    report = blocks(at, "cqc-report")[0]
    assert f'<mark id="{QUOTE_ID}">' in report
    assert marked(report) == escape_text(text[c.start:c.end])
    assert f"Page {c.page} of the PDF" in markdown(at)
    assert "Quality statement: Assessing needs (score 4 of 4)" in markdown(at)
    assert len(report) < len(text)  # the page around the quote, not the whole report
    toc = blocks(at, "cqc-toc")[0]
    assert "Assessing needs" in toc and "Timeliness of assessments" in toc
    assert html.escape(report_link(c.document, text.index("Assessing needs")), quote=True)[:40] in toc
    # The page scrolls to the quote.
    assert any(QUOTE_ID in h.proto.body for h in at.get("html"))
    at.toggle(key=f"whole_{c.document}").set_value(True)
    at.run()
    assert_clean(at)
    whole = blocks(at, "cqc-report")[0]
    assert marked(whole) == escape_text(text[c.start:c.end]) and len(whole) > len(report)
    assert 'href="#h-' in blocks(at, "cqc-toc")[0]  # contents jump within the page now


def test_report_view_opens_a_statements_findings(app, library) -> None:
    at = run(app, page="report", doc="stockton-on-tees.txt", statement="Safeguarding")
    text = markdown(at)
    assert "**Safeguarding**: score 3 of 4" in text
    report = blocks(at, "cqc-report")[0]
    assert marked(report) == "Score: 3"
    assert "Making safeguarding personal" in report


def test_report_view_escapes_report_text(app) -> None:
    at = run(app, page="report", doc="kettle-pilot.txt")
    report = blocks(at, "cqc-report")[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report and "<script>" not in report


def test_report_view_explains_a_missing_report_or_passage(app) -> None:
    at = run(app, page="report", doc="no-such-report.pdf")
    assert any("not in the library" in w.value for w in at.warning)
    at = run(app, page="report", doc="kestrel-moor.txt", start="99999999", end="100000000")
    assert any("not in this version of the report" in i.value for i in at.info)
    assert "<mark" not in blocks(at, "cqc-report")[0]


def test_report_html_marks_exactly_the_span_across_a_heading() -> None:
    text = "Intro line.\nHeading\nBody one. Body two."
    h = text.index("Heading")
    out = report_html(text, 0, len(text), [(h, h + len("Heading"), 2, "h-1")], (text.index("line."), h + 4))
    assert '<div role="heading" aria-level="4" class="cqc-h cqc-h2" id="h-1"><mark>Head</mark>ing</div>' in out
    assert marked(out) == "line.<br>Head"  # text[start:end] exactly, its line break as <br>


def test_heat_map_cells_link_to_the_statements_evidence(app) -> None:
    at = run(app, page="scores")
    heat = blocks(at, "cqc-heat")[0]
    assert html.escape(report_link("stockton-on-tees.txt", statement="Safeguarding"), quote=True) in heat


# --------------------------------------------------------------------------- URL state

def test_page_link_encodes_every_value() -> None:
    assert page_link("ask", q="A & B?", council=["X Council", "Y"], score=None) == \
        "?page=ask&q=A+%26+B%3F&council=X+Council&council=Y"
    assert report_link("a b.pdf", 3, 9) == "?page=report&doc=a+b.pdf&start=3&end=9"


def test_shared_url_restores_question_and_filters(app) -> None:
    at = run(app, page="ask", q=MEDIAN_Q, council=[STOCKTON, "Nowhere Council"], score="2")
    assert at.text_input(key="question_input").value == MEDIAN_Q
    assert at.sidebar.multiselect(key="f_authorities").value == [STOCKTON]  # unknown names dropped
    assert at.sidebar.multiselect(key="f_scores").value == [2]
    assert "the median waiting time was 28 days" in markdown(at)
    assert f"Filtered to Council: {STOCKTON}; Score: 2." in [c.value for c in at.caption]
    assert [b.label for b in at.sidebar.button] == [f"{MEDIAN_Q} (filtered)"]  # a recent question now
    # Changing a filter changes the address.
    at.sidebar.multiselect(key="f_scores").set_value([])
    at.run()
    assert param(at, "score") == [] and param(at, "council") == [STOCKTON]


def test_choice_of_assessments_is_a_filter_in_the_url(app) -> None:
    at = run(app, page="ask", q=MEDIAN_Q)
    choice = at.sidebar.selectbox(key="f_assessments")
    assert choice.value == "latest"
    choice.set_value("all")
    at.run()
    assert_clean(at)
    assert param(at, "assessments") == ["all"] and param(at, "q") == [MEDIAN_Q]
    assert "Filtered to every assessment of each council." in [c.value for c in at.caption]
    # A shared link with a date keeps it, offered as its own choice.
    at = run(app, page="ask", q=MEDIAN_Q, assessments="2024-01-01")
    assert at.sidebar.selectbox(key="f_assessments").value == "2024-01-01"
    assert "The report current on 1 January 2024" in at.sidebar.selectbox(key="f_assessments").options


def test_recent_questions_replay_with_their_filters(app) -> None:
    at = run(app, page="ask")
    at.sidebar.multiselect(key="f_authorities").set_value([STOCKTON])
    at.run()
    at.text_input(key="question_input").input(MEDIAN_Q)
    at.get("form_submit_button")[0].click()
    at.run()
    at.sidebar.multiselect(key="f_authorities").set_value([])
    at.run()
    at.text_input(key="question_input").input(CARERS_Q)
    at.get("form_submit_button")[0].click()
    at.run()
    assert_clean(at)
    labels = [b.label for b in at.sidebar.button]
    assert labels[:2] == [CARERS_Q, f"{MEDIAN_Q} (filtered)"]
    # Recent questions come before the filters in the sidebar.
    order = [type(e).__name__ for e in at.sidebar if type(e).__name__ in ("Button", "Multiselect")]
    assert order.index("Button") < order.index("Multiselect")
    at.sidebar.button(key="recent_1").click()
    at.run()
    assert_clean(at)
    assert at.sidebar.multiselect(key="f_authorities").value == [STOCKTON]
    assert param(at, "q") == [MEDIAN_Q] and param(at, "council") == [STOCKTON]


# --------------------------------------------------------------------------- guards

def test_errors_are_shown_as_sentences_not_tracebacks(app, monkeypatch) -> None:
    def broken(self, question, filters=None, **kw):
        raise RuntimeError("internal detail")
    monkeypatch.setattr(KnowledgeBase, "ask", broken)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(page="ask", q=MEDIAN_Q)
    at.run()
    assert not at.exception
    assert [UNEXPECTED in e.value for e in at.error] == [True]
    assert "internal detail" not in markdown(at) + "".join(e.value for e in at.error)

    def refused(self, question, filters=None, **kw):
        raise KbError("no report in the index for Nowhere; known authorities: A, B")
    monkeypatch.setattr(KnowledgeBase, "ask", refused)
    at.run()
    assert not at.exception
    assert ["no report in the index for Nowhere" in e.value for e in at.error] == [True]


def test_password_gate(app, monkeypatch) -> None:
    monkeypatch.setenv("CQC_KB_PASSWORD", "s3cret")
    app.run()
    assert not app.exception and not app.sidebar.radio and not app.dataframe
    app.text_input[0].input("wrong")
    app.get("form_submit_button")[0].click()
    app.run()
    assert any("not right" in e.value for e in app.error)
    assert not app.sidebar.radio
    app.text_input[0].input("s3cret")
    app.get("form_submit_button")[0].click()
    app.run()
    assert_clean(app)
    assert app.sidebar.radio(key="nav").value == "Ask" and "reports" in markdown(app)
    # The browser is asked to remember the sign-in (links between pages reload the app), with a
    # token derived from the password, not the password.
    cookies = [h.proto.body for h in app.get("html") if "document.cookie" in h.proto.body]
    assert len(cookies) == 1 and "s3cret" not in cookies[0] and "SameSite=Strict" in cookies[0]
    assert re.search(r"cqc_kb_signed_in=[0-9a-f]{64};", cookies[0])


def test_read_only_library_offers_no_uploads(app, monkeypatch) -> None:
    monkeypatch.setenv("CQC_KB_READ_ONLY", "1")
    at = run(app, page="library")
    assert any(m.value.startswith('<div class="cqc-library"') for m in at.markdown)  # the reports are listed
    assert not at.get("file_uploader") and not [b for b in at.button if b.key == "reindex"]
    assert any("read-only" in c.value for c in at.caption)
