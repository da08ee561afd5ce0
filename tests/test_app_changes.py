"""The app over a library where one council was assessed twice: the Changes page, the heat map's
changes and all assessments, the assessments filter, the council pickers and Compare over time.

The library is the shared fixture library plus an earlier Ashdown Vale assessment as a PDF
(``EARLIER_ASSESSMENTS`` in tests/fixtures/build_fixtures.py), indexed with the hash embedder.
"""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import pytest

from build_fixtures import EARLIER_ASSESSMENTS, FIXTURES
from app_support import assert_clean, block, links, open_page, point_app_at
from conftest import build_reassessed_library
from cqc_kb import export
from cqc_kb.kb import KnowledgeBase
from cqc_kb.records import council_label
from cqc_kb.structure import STATEMENT_NAMES
from cqc_kb_app.changes import change_between, change_html

OLD = EARLIER_ASSESSMENTS[0]
NEW = next(f for f in FIXTURES if f.authority == OLD.authority)
ONCE = next(f for f in FIXTURES if f.authority != OLD.authority)
MEDIAN_Q = "What was the median waiting time for a Care Act assessment?"


@pytest.fixture(scope="module")
def library(fixture_corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    return build_reassessed_library(fixture_corpus, tmp_path_factory, "app-reassessed")


@pytest.fixture
def app_env(library, monkeypatch):
    point_app_at(monkeypatch, library.corpus, library.index)
    return library


@pytest.fixture(scope="module")
def texts(library) -> dict[str, str]:
    kb = KnowledgeBase.open(library)
    try:
        return {d["name"]: kb.store.document_text(d["name"]) for d in kb.store.documents()}
    finally:
        kb.close()


def table_rows(table: str) -> dict[str, list[str]]:
    """Measure -> the text of its cells (tags removed), from an HTML table's body."""
    out = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>")[1], re.S):
        cells = [html.unescape(re.sub(r"<[^>]+>", " ", c)).split() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        words = [" ".join(c) for c in cells]
        out[words[0]] = words[1:]
    return out


def date_words(published: str) -> str:
    return council_label("x", published).removeprefix("x (published ").rstrip(")")


# --------------------------------------------------------------------------- the Changes page

def test_changes_page_puts_the_assessments_side_by_side(app_env, texts) -> None:
    at = open_page("changes", council="Ashdown Vale")
    assert at.selectbox(key="changes_council").value == OLD.authority
    table = block(at, "cqc-changes")
    head = table.split("<tbody>")[0]
    # Dated columns, oldest first.
    assert head.index(date_words(OLD.published)) < head.index(date_words(NEW.published))
    rows = table_rows(table)
    for (name, old), (_, new) in zip(OLD.scores, NEW.scores):
        measure = next(k for k in rows if k.startswith(name))
        shown = ["not assessed" if v is None else str(v) for v in (old, new)]
        assert rows[measure][:2] == shown
        change = rows[measure][2]
        if old is None and new is None:
            assert change == "not assessed in either"
        elif old is None or new is None:
            assert change == "cannot tell: not assessed in one"
        elif new > old:
            assert change == f"▲ up {new - old} (from {old})"
        elif new < old:
            assert change == f"▼ down {old - new} (from {old})"
        else:
            assert change == "= no change"
    assert rows["Overall rating"] == [OLD.rating, NEW.rating, f"▲ up from {OLD.rating}"]
    assert rows["Percentage"][:2] == [f"{OLD.percentage:.1f}%", f"{NEW.percentage:.1f}%"]
    assert rows["Percentage"][2].startswith("▲ up")
    # Every score cell opens its own report at that statement's score line.
    raw = dict(zip(rows, re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>")[1], re.S)))
    for (name, old), (_, new) in zip(OLD.scores, NEW.scores):
        measure = next(k for k in rows if k.startswith(name))
        cells = [q for q in links(raw[measure]) if "start" in q]
        expected = [(f.output, v) for f, v in ((OLD, old), (NEW, new)) if v is not None]
        assert [q["doc"][0] for q in cells] == [doc for doc, _ in expected]
        for q, (doc, value) in zip(cells, expected):
            assert texts[doc][int(q["start"][0]):int(q["end"][0])].startswith(f"Score: {value}")
    rating_cells = [q for q in links(raw["Overall rating"]) if "start" in q]
    assert [texts[q["doc"][0]][int(q["start"][0]):int(q["end"][0])] for q in rating_cells] == [OLD.rating, NEW.rating]
    text = " ".join(m.value for m in at.markdown)
    assert "went up" in text and f"the rating went from {OLD.rating} to {NEW.rating}" in text


def test_changes_csv_has_dated_columns_and_the_changes(app_env, monkeypatch) -> None:
    exported = []  # what the page's CSV download holds
    real = export.changes_to_csv
    monkeypatch.setattr(export, "changes_to_csv", lambda *a, **k: exported.append(real(*a, **k)) or exported[-1])
    at = open_page("changes", council=OLD.authority)
    assert "dl_changes_csv" in {b.key for b in at.get("download_button")}
    rows = list(csv.DictReader(io.StringIO(exported[-1])))
    old_col, new_col = f"{OLD.published} ({OLD.output})", f"{NEW.published} ({NEW.output})"
    assert list(rows[0])[3:5] == [old_col, new_col]
    by_measure = {r["measure"]: r for r in rows}
    assert [r["measure"] for r in rows] == [*STATEMENT_NAMES, "Overall rating", "Percentage"]
    safeguarding_old, safeguarding_new = dict(OLD.scores)["Safeguarding"], dict(NEW.scores)["Safeguarding"]
    assert (by_measure["Safeguarding"][old_col], by_measure["Safeguarding"][new_col]) == \
        (str(safeguarding_old), str(safeguarding_new))
    assert by_measure["Safeguarding"]["change_since_previous"] == str(safeguarding_new - safeguarding_old)
    assert by_measure["Overall rating"]["direction"] == "up" and by_measure["Overall rating"][new_col] == NEW.rating
    assert {r["council"] for r in rows} == {OLD.authority}


def test_a_council_with_one_assessment_says_so(app_env) -> None:
    at = open_page("changes", council=ONCE.authority)
    info = " ".join(i.value for i in at.info)
    assert f"{ONCE.authority} has one assessment" in info and date_words(ONCE.published) in info
    assert not [m for m in at.markdown if m.value.startswith('<div class="cqc-changes"')]
    # Each council is offered once, the reassessed one with its count.
    options = at.selectbox(key="changes_council").options
    assert len(options) == len(FIXTURES) + 1 and f"{OLD.authority} (2 assessments)" in options


def test_change_words_name_the_direction_not_only_a_colour() -> None:
    assert change_between("score", 3, 1) == ("down", "down 2 (from 3)")
    assert change_between("rating", "Good", "Requires improvement") == ("down", "down from Good")
    assert change_between("percentage", 59.4, 68.8) == ("up", "up 9.4 points (from 59.4%)")
    assert change_between("percentage", 70.0, 70.0) == ("same", "no change")
    assert change_between("rating", None, "Good") == (None, "cannot tell: not found in one")
    marked = change_html("down", "down 2 (from 3)")
    assert "▼" in marked and "down 2 (from 3)" in marked and "class='cqc-change down'" in marked


# --------------------------------------------------------------------------- the heat map

def test_heat_map_all_assessments_with_dated_rows_and_changes(app_env) -> None:
    at = open_page("scores")
    latest = block(at, "cqc-heat").replace("&shy;", "")
    assert latest.count("<tr>") == 2 + len(FIXTURES) + 1 and "cqc-change" not in latest
    assert html.escape(council_label(NEW.authority, NEW.published)) in latest
    at.radio(key="scores_assessments").set_value("all")
    at.toggle(key="scores_changes").set_value(True)
    at.run()
    assert_clean(at)
    heat = block(at, "cqc-heat").replace("&shy;", "")
    assert heat.count("<tr>") == 2 + len(FIXTURES) + 2
    old_label, new_label = (html.escape(council_label(f.authority, f.published)) for f in (OLD, NEW))
    assert heat.index(old_label) < heat.index(new_label)
    new_row = next(r for r in heat.split("<tr>") if new_label in r)
    old_row = next(r for r in heat.split("<tr>") if old_label in r)
    # The newer row marks each change in words, the first assessment has nothing to compare with.
    old_sg, new_sg = dict(OLD.scores)["Safeguarding"], dict(NEW.scores)["Safeguarding"]
    since = date_words(OLD.published)
    # Each mark shows an arrow and a few words; its title says the change in full.
    assert f'title="up {new_sg - old_sg} (from {old_sg}) since {since}"><span aria-hidden=\'true\'>▲</span> +{new_sg - old_sg}</span>' in new_row
    assert f'title="up from {html.escape(OLD.rating)} since {since}"><span aria-hidden=\'true\'>▲</span> up</span>' in new_row
    assert "cqc-change" not in old_row
    # Key findings tell the two assessments apart by date.
    options = at.selectbox(key="scores_authority").options
    assert council_label(OLD.authority, OLD.published) in options and \
        council_label(NEW.authority, NEW.published) in options


# --------------------------------------------------------------------------- filters and pickers

def test_assessments_filter_is_read_from_the_url_and_reaches_the_answer(app_env) -> None:
    question = "What was Ashdown Vale's median waiting time for a Care Act assessment?"
    at = open_page("ask", q=question, assessments=OLD.published)
    assert at.selectbox(key="f_assessments").value == OLD.published
    # The council picker lists each council once.
    assert at.multiselect(key="f_authorities").options.count(OLD.authority) == 1
    text = " ".join(m.value for m in at.markdown)
    assert f"{OLD.median_wait_days} days" in text and f"{NEW.median_wait_days} days" not in text
    assert html.escape(council_label(OLD.authority, OLD.published)) in text
    at.selectbox(key="f_assessments").set_value("latest")
    at.run()
    assert_clean(at)
    assert "assessments" not in at.query_params
    text = " ".join(m.value for m in at.markdown)
    assert f"{NEW.median_wait_days} days" in text and html.escape(council_label(NEW.authority, NEW.published)) in text
    at.selectbox(key="f_assessments").set_value("all")
    at.run()
    assert_clean(at)
    assert at.query_params["assessments"] in ("all", ["all"])


def test_compare_over_time_rows_oldest_first_each_dated_and_cited(app_env, texts) -> None:
    at = open_page("compare")
    assert at.multiselect(key="compare_authorities").options.count(OLD.authority) == 1
    at.radio(key="compare_mode").set_value("One council over time")
    at.run()
    assert at.selectbox(key="compare_over_time").value == OLD.authority
    at.text_input(key="compare_question").set_value(MEDIAN_Q)
    at.button[0].click()
    at.run()
    assert_clean(at)
    assert at.query_params["over_time"] in (OLD.authority, [OLD.authority])
    table = block(at, "cqc-compare")
    body = table.split("<tbody>")[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    assert len(rows) == 2
    for row, fixture in zip(rows, (OLD, NEW)):
        assert f"published {date_words(fixture.published)}" in row
        quotes = [q for q in links(row) if "start" in q]
        assert quotes and {q["doc"][0] for q in quotes} == {fixture.output}
        cited = " ".join(texts[fixture.output][int(q["start"][0]):int(q["end"][0])] for q in quotes)
        assert f"{fixture.median_wait_days} days" in " ".join(cited.split())
    cards = " ".join(m.value for m in at.markdown if "cqc-card-head" in m.value)
    assert html.escape(council_label(OLD.authority, OLD.published)) in cards


def test_compare_side_by_side_uses_the_assessments_filter(app_env) -> None:
    at = open_page("compare", assessments="all")
    assert at.selectbox(key="compare_assessments").value == "all"
    at.text_input(key="compare_question").set_value(MEDIAN_Q)
    at.button[0].click()
    at.run()
    assert_clean(at)
    body = block(at, "cqc-compare").split("<tbody>")[1]
    ashdown = [r for r in re.findall(r"<tr>(.*?)</tr>", body, re.S) if html.escape(OLD.authority) in r]
    assert len(ashdown) == 2
    assert {d for r in ashdown for d in (OLD.published, NEW.published) if date_words(d) in r} == \
        {OLD.published, NEW.published}
