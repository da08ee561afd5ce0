"""Councils assessed more than once: the latest report by default, the change view, questions
about change, the over-time comparison, dated labels, and duplicate reports refused.

The library here is the shared fixture library (Stockton txt, Kestrel Moor txt, Larchfield PDF,
Ashdown Vale HTML published 2025) plus an earlier Ashdown Vale assessment as a PDF (2023) with
other scores, rating and figures (``EARLIER_ASSESSMENTS`` in tests/fixtures/build_fixtures.py).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest

from build_fixtures import EARLIER_ASSESSMENTS, FIXTURES
from conftest import build_reassessed_library, make_settings
from cqc_kb import export
from cqc_kb.assessments import (assessment_history, excluded_documents, is_change_question,
                                parse_assessments)
from cqc_kb.cli import EXIT_SKIPPED, main
from cqc_kb.errors import KbError
from cqc_kb.kb import KnowledgeBase, build_index
from cqc_kb.library import library_rows
from cqc_kb.retrieve import Filters

OLD = EARLIER_ASSESSMENTS[0]
NEW = next(f for f in FIXTURES if f.authority == OLD.authority)
MEDIAN_Q = "What was the median waiting time for a Care Act assessment?"


@pytest.fixture(scope="module")
def two_settings(fixture_corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    return build_reassessed_library(fixture_corpus, tmp_path_factory, "reassessed")


@pytest.fixture(scope="module")
def kb(two_settings):
    kb = KnowledgeBase.open(two_settings)
    yield kb
    kb.close()


def _args(settings) -> list[str]:
    return ["--corpus", str(settings.corpus), "--index", str(settings.index), "--model", "hash"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _verbatim(kb, citations) -> None:
    for c in citations:
        assert kb.store.document_text(c.document)[c.start:c.end] == c.quote


def _fixture_median(document: str) -> str:
    return f"{OLD.median_wait_days if document == OLD.output else NEW.median_wait_days} days"


# ------------------------------------------------------------------------- identity


def _fake_store(rows: list[tuple]) -> SimpleNamespace:
    db = sqlite3.connect(":memory:")
    db.row_factory = sqlite3.Row
    db.execute("CREATE TABLE documents (name TEXT, authority TEXT, published TEXT, rating TEXT,"
               " percentage REAL, is_cqc INTEGER)")
    db.executemany("INSERT INTO documents VALUES (?,?,?,?,?,?)", rows)
    return SimpleNamespace(db=db)


def test_history_orders_by_date_then_name_with_unknown_dates_oldest() -> None:
    store = _fake_store([
        ("b-2024.txt", "Stockton-on-Tees Borough Council", "2024-05-01", "Good", 70.0, 1),
        ("a-undated.txt", "Stockton-on-Tees Council", None, None, None, 1),
        ("c-2024.txt", "Stockton-on-Tees Borough Council", "2024-05-01", "Good", 70.0, 1),
        ("a-2023.txt", "Stockton-on-Tees Borough Council", "2023-01-09", "Good", 65.0, 1),
        ("other.txt", "Larchfield Unitary Council", "2025-06-05", "Outstanding", 94.4, 1),
        ("notes.txt", None, None, None, None, 0),
    ])
    history = assessment_history(store)
    # Name variants of one council are one council.
    assert [a.document for a in history["stockton on tees"]] == \
        ["a-undated.txt", "a-2023.txt", "b-2024.txt", "c-2024.txt"]
    assert excluded_documents(store) == {"a-undated.txt", "a-2023.txt", "b-2024.txt"}
    assert excluded_documents(store, "2023-12-31") == {"a-undated.txt", "b-2024.txt", "c-2024.txt",
                                                       "other.txt"}
    assert excluded_documents(store, "all") == frozenset()


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", "24-01-01", "latest,all"])
def test_bad_assessments_values_are_refused(value: str) -> None:
    with pytest.raises(KbError, match="YYYY-MM-DD"):
        parse_assessments(value)
    assert parse_assessments(" Latest ") == "latest" and parse_assessments("2024-02-29") == "2024-02-29"


def test_fast_path_when_no_council_has_two_reports(hash_kb, kb) -> None:
    assert hash_kb.retriever.allowed_ids(Filters()) is None
    allowed = set(kb.retriever.allowed_ids(Filters()).tolist())
    ids = dict(kb.store.db.execute("SELECT id, document FROM chunks").fetchall())
    assert {d for i, d in ids.items() if i not in allowed} == {OLD.output}
    assert kb.retriever.allowed_ids(Filters(assessments="all")) is None
    named = set(kb.retriever.allowed_ids(Filters(documents=(OLD.output,))).tolist())
    assert named and {ids[i] for i in named} == {OLD.output}


# ------------------------------------------------------------------- latest by default


def test_search_uses_the_latest_report_unless_asked(kb) -> None:
    only = Filters(authorities=(OLD.authority,))
    latest = kb.search(MEDIAN_Q, k=20, filters=only)
    assert latest and {h.document for h in latest} == {NEW.output}
    assert {h.published for h in latest} == {NEW.published}
    every = kb.search(MEDIAN_Q, k=40, filters=Filters(authorities=(OLD.authority,), assessments="all"))
    assert {h.document for h in every} == {NEW.output, OLD.output}
    then = kb.search(MEDIAN_Q, k=20, filters=Filters(assessments="2024-01-01"))
    assert then and {h.document for h in then} == {OLD.output}


def test_ask_quotes_the_latest_report_and_an_earlier_one_on_request(kb) -> None:
    question = "What was Ashdown Vale's median waiting time for a Care Act assessment?"
    answer = kb.ask(question)
    assert not answer.abstained
    assert {c.document for c in answer.citations} == {NEW.output}
    assert _fixture_median(NEW.output) in answer.answer
    _verbatim(kb, answer.citations)
    earlier = kb.ask(question, filters=Filters(assessments=OLD.published))
    assert {c.document for c in earlier.citations} == {OLD.output}
    assert _fixture_median(OLD.output) in earlier.answer and earlier.citations[0].published == OLD.published


def test_an_earlier_assessment_does_not_make_the_councils_sentences_template(kb, hash_kb) -> None:
    # Sentences repeated across councils' reports are CQC's template and count for less; the
    # sentences two assessments of one council share are that council's evidence.
    question = "How many micro-providers had Ashdown Vale's Community Micro-enterprise Programme helped set up?"
    alone, beside = hash_kb.ask(question), kb.ask(question)
    assert [c.quote for c in beside.citations] == [c.quote for c in alone.citations]
    assert beside.confidence == pytest.approx(alone.confidence, abs=0.05)


def test_score_answers_use_the_latest_report(kb) -> None:
    answer = kb.ask("What was Ashdown Vale's overall rating?")
    assert [c.document for c in answer.citations] == [NEW.output]
    assert NEW.rating in answer.answer and OLD.rating not in answer.answer
    every = kb.ask("Which councils scored 2 on safeguarding?", filters=Filters(assessments="all"))
    assert OLD.output in {c.document for c in every.citations}
    assert OLD.output not in {c.document for c in kb.ask("Which councils scored 2 on safeguarding?").citations}


def test_compare_has_one_dated_row_per_council(kb) -> None:
    rows = kb.compare(MEDIAN_Q)
    assert len(rows) == len({r.authority for r in rows}) == len(FIXTURES) + 1
    ashdown = next(r for r in rows if r.authority == OLD.authority)
    assert ashdown.document == NEW.output and ashdown.published == NEW.published
    assert "(published 19 February 2025)" in ashdown.label
    assert all(r.to_json()["published"] for r in rows)
    dated = kb.compare(MEDIAN_Q, filters=Filters(assessments="2024-01-01"))
    assert [r.document for r in dated] == [OLD.output]
    with pytest.raises(KbError, match="on or before 2001-01-01"):
        kb.compare(MEDIAN_Q, filters=Filters(assessments="2001-01-01"))


def test_compare_over_time_answers_in_each_assessment_oldest_first(kb) -> None:
    rows = kb.compare(MEDIAN_Q, over_time="Ashdown Vale")
    assert [(r.document, r.published) for r in rows] == [(OLD.output, OLD.published), (NEW.output, NEW.published)]
    for row in rows:
        assert not row.answer.abstained
        assert {c.document for c in row.answer.citations} == {row.document}
        assert _fixture_median(row.document) in " ".join(c.quote for c in row.answer.citations)
        _verbatim(kb, row.answer.citations)
    with pytest.raises(KbError, match="known authorities"):
        kb.compare(MEDIAN_Q, over_time="Nowhere Shire")


def test_scores_list_the_latest_report_per_council(kb) -> None:
    latest = kb.scores()
    assert [r.document for r in latest if r.authority == OLD.authority] == [NEW.output]
    every = kb.scores("all")
    assert [(r.document, r.published) for r in every if r.authority == OLD.authority] == \
        [(OLD.output, OLD.published), (NEW.output, NEW.published)]
    assert len(every) == len(latest) + 1


# ------------------------------------------------------------------------ change view


def test_change_view_puts_the_assessments_side_by_side(kb, hash_kb) -> None:
    [council] = kb.changes("Ashdown Vale")
    assert [a.document for a in council.assessments] == [OLD.output, NEW.output]
    for (name, old), (_, new) in zip(OLD.scores, NEW.scores):
        row = council.row(name)
        assert row.values == (old, new)
        assert row.change == (None if old is None or new is None else new - old)
    rating = council.row("Overall rating")
    assert rating.values == (OLD.rating, NEW.rating) and rating.direction == "up"
    pct = council.row("Percentage")
    assert pct.values == (round(OLD.percentage, 1), round(NEW.percentage, 1))
    assert pct.change == pytest.approx(NEW.percentage - OLD.percentage, abs=0.11)
    assert [c.authority for c in kb.changes()] == [OLD.authority]
    assert hash_kb.changes() == []
    with pytest.raises(KbError, match="known authorities"):
        kb.changes("Nowhere Shire")


def test_changes_command_text_and_json(two_settings, hash_settings, capsys) -> None:
    code, out, _ = run(capsys, "changes", "Ashdown Vale County Council", "--json", *_args(two_settings))
    assert code == 0
    [data] = json.loads(out)
    assert [a["published"] for a in data["assessments"]] == [OLD.published, NEW.published]
    safeguarding = next(r for r in data["rows"] if r["measure"] == "Safeguarding")
    assert safeguarding["values"] == [dict(OLD.scores)["Safeguarding"], dict(NEW.scores)["Safeguarding"]]
    assert safeguarding["direction"] == "up"
    code, out, _ = run(capsys, "changes", *_args(two_settings))
    assert code == 0 and OLD.published in out and NEW.published in out and "Overall rating" in out
    code, out, _ = run(capsys, "changes", *_args(hash_settings))
    assert code == 0 and "No council has more than one assessment" in out
    code, _, err = run(capsys, "changes", "Nowhere Shire", *_args(two_settings))
    assert code == 1 and "Nowhere Shire" in err


# -------------------------------------------------------------------- change questions


@pytest.mark.parametrize("question", ["Has Ashdown Vale's safeguarding score changed?",
                                      "Has Ashdown Vale's safeguarding score improved since its last assessment?"])
def test_score_change_cites_both_reports_score_lines(kb, question: str) -> None:
    answer = kb.ask(question)
    assert [(c.document, c.published) for c in answer.citations] == \
        [(OLD.output, OLD.published), (NEW.output, NEW.published)]
    for c, fx in zip(answer.citations, (OLD, NEW)):
        assert c.statement == "Safeguarding" and c.statement_score == dict(fx.scores)["Safeguarding"]
        assert c.quote.startswith(f"Score: {c.statement_score}")
    _verbatim(kb, answer.citations)
    assert "improved from 2 to 3" in answer.answer and "14 June 2023" in answer.answer


def test_rating_change_cites_both_rating_lines(kb) -> None:
    answer = kb.ask("How did Ashdown Vale's rating change?")
    assert [c.quote for c in answer.citations] == [OLD.rating, NEW.rating]
    _verbatim(kb, answer.citations)
    assert f"improved from {OLD.rating} to {NEW.rating}" in answer.answer


def test_change_in_scores_lists_each_changed_statement(kb) -> None:
    answer = kb.ask("Which scores changed for Ashdown Vale since its previous assessment?")
    moved = [n for (n, a), (_, b) in zip(OLD.scores, NEW.scores) if a != b]
    assert [c.statement for c in answer.citations] == [n for n in moved for _ in (OLD, NEW)]
    _verbatim(kb, answer.citations)


def test_change_question_about_a_council_with_one_report_says_so(kb, hash_kb) -> None:
    answer = kb.ask("Has Stockton's safeguarding score improved since its last assessment?")
    assert "one assessment" in answer.answer and len(answer.citations) == 1
    _verbatim(kb, answer.citations)
    nobody = hash_kb.ask("Which councils' safeguarding scores changed?")
    assert nobody.abstained and "more than one assessment" in nobody.answer
    # Change wording with "score" in another sense goes to the reports, not the score table.
    other = kb.ask("How has the way the council scored risks in its risk register changed?")
    assert other.extra.get("source") != "score table"


def test_figure_change_is_answered_in_each_assessment(kb) -> None:
    answer = kb.ask("How has the median waiting time for a Care Act assessment changed?")
    assert not answer.abstained
    assert [(g.document, g.published) for g in answer.groups] == \
        [(OLD.output, OLD.published), (NEW.output, NEW.published)]
    for group in answer.groups:
        assert group.citations and {c.document for c in group.citations} == {group.document}
        assert _fixture_median(group.document) in " ".join(c.quote for c in group.citations)
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert [c for g in answer.groups for c in g.citations] == list(answer.citations)
    _verbatim(kb, answer.citations)
    assert answer.to_json()["groups"][0]["published"] == OLD.published


def test_change_wording_is_not_taken_from_ordinary_questions() -> None:
    assert is_change_question("How did Ashdown Vale's rating change?")
    assert is_change_question("Has the median wait gone down since the last assessment?")
    for question in ("Which councils were rated requires improvement?",
                     "What does the council plan to improve?",
                     "How do councils manage changes to care packages?",
                     "What was the score for learning, improvement and innovation?"):
        assert not is_change_question(question)


# ------------------------------------------------------------------- dated labels


def test_json_names_the_publication_date(two_settings, capsys) -> None:
    code, out, _ = run(capsys, "ask", "What was Ashdown Vale's median waiting time?", "--json", *_args(two_settings))
    assert code == 0 and {c["published"] for c in json.loads(out)["citations"]} == {NEW.published}
    code, out, _ = run(capsys, "compare", MEDIAN_Q, "--over-time", "Ashdown Vale", "--json", *_args(two_settings))
    rows = json.loads(out)["rows"]
    assert [r["published"] for r in rows] == [OLD.published, NEW.published]
    assert all(c["published"] == r["published"] for r in rows for c in r["citations"])
    code, out, _ = run(capsys, "scores", "--json", "--assessments", "all", *_args(two_settings))
    assert [r["published"] for r in json.loads(out) if r["authority"] == OLD.authority] == \
        [OLD.published, NEW.published]
    code, out, _ = run(capsys, "search", MEDIAN_Q, "--json", "--assessments", OLD.published, *_args(two_settings))
    assert {h["published"] for h in json.loads(out)["hits"]} == {OLD.published}


def test_text_output_and_exports_date_the_council(kb, two_settings, capsys) -> None:
    code, out, _ = run(capsys, "compare", MEDIAN_Q, *_args(two_settings))
    assert code == 0 and "== Ashdown Vale County Council (published 19 February 2025)" in out
    code, out, _ = run(capsys, "ask", MEDIAN_Q, "--authority", OLD.authority, "--assessments", "all",
                       *_args(two_settings))
    assert code == 0 and "(published" in out
    code, _, err = run(capsys, "ask", MEDIAN_Q, "--assessments", "2024-02-30", *_args(two_settings))
    assert code == 1 and "YYYY-MM-DD" in err
    rows = kb.compare(MEDIAN_Q, over_time="Ashdown Vale")
    parsed = list(csv.DictReader(io.StringIO(export.compare_to_csv(MEDIAN_Q, rows))))
    assert {r["published"] for r in parsed} == {OLD.published, NEW.published}
    assert "Ashdown Vale County Council (published 14 June 2023)" in export.compare_to_markdown(MEDIAN_Q, rows)
    answer = kb.ask("How did Ashdown Vale's rating change?")
    assert [r["published"] for r in csv.DictReader(io.StringIO(export.answer_to_csv(answer)))] == \
        [OLD.published, NEW.published]
    assert "(published 14 June 2023)" in export.answer_to_markdown(answer)


# -------------------------------------------------------------------------- duplicates


def test_the_same_report_twice_is_indexed_once(fixture_corpus: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(fixture_corpus / "kestrel-moor.txt", corpus / "kestrel-moor.txt")
    settings = make_settings(corpus, tmp_path / "index")
    assert build_index(settings).added == ["kestrel-moor.txt"]
    # A copy under a name sorting first still loses to the copy already indexed.
    shutil.copy(corpus / "kestrel-moor.txt", corpus / "a-copy.txt")
    shutil.copy(corpus / "kestrel-moor.txt", corpus / "z-copy.txt")
    result = build_index(settings)
    assert [name for name, _ in result.skipped] == ["a-copy.txt", "z-copy.txt"]
    assert all("same content as kestrel-moor.txt" in reason for _, reason in result.skipped)
    assert not result.added and result.unchanged == ["kestrel-moor.txt"]
    kb = KnowledgeBase.open(settings)
    rows = {r.file: r for r in library_rows(settings, kb.store.documents())}
    kb.close()
    assert rows["kestrel-moor.txt"].status == "indexed"
    assert rows["a-copy.txt"].status == "cannot be indexed" and "same content as" in rows["a-copy.txt"].note
    # Renamed, not copied: the report is indexed under its new name.
    (corpus / "kestrel-moor.txt").unlink()
    (corpus / "z-copy.txt").unlink()
    result = build_index(settings)
    assert result.added == ["a-copy.txt"] and result.removed == ["kestrel-moor.txt"] and not result.skipped


def test_two_new_copies_keep_the_first_by_name(fixture_corpus: Path, tmp_path: Path, capsys) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(fixture_corpus / "kestrel-moor.txt", corpus / "kestrel-moor.txt")
    shutil.copy(fixture_corpus / "kestrel-moor.txt", corpus / "kestrel-moor-again.txt")
    code, _, err = run(capsys, "reindex", "-q", *_args(make_settings(corpus, tmp_path / "index")))
    assert code == EXIT_SKIPPED and "'kestrel-moor.txt': same content as kestrel-moor-again.txt" in err
