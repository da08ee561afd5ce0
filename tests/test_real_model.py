"""End to end with the real default model (all-MiniLM-L6-v2 from its PyPI package) on the real
report and the fictional fixtures: reindex and ask through the CLI, compare through the library."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cqc_kb.cli import main
from cqc_kb.kb import KnowledgeBase
from cqc_kb.parse import parse_file
from cqc_kb.settings import load_settings

from conftest import FIXTURES, REAL_REPORT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_settings(fixture_corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    settings = load_settings(env={}, corpus=fixture_corpus, index=tmp_path_factory.mktemp("real-index"))
    assert settings.model == "all-MiniLM-L6-v2"
    code = main(["reindex", "--quiet", "--corpus", str(settings.corpus), "--index", str(settings.index)])
    assert code == 0
    return settings


@pytest.fixture(scope="module")
def shipped_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The shipped corpus as a newcomer has it: the real report alone."""
    corpus = tmp_path_factory.mktemp("shipped")
    shutil.copy(REAL_REPORT, corpus)
    return corpus, tmp_path_factory.mktemp("shipped-index")


def test_median_wait_is_cited_from_the_real_report(shipped_corpus, capsys) -> None:
    corpus, index = shipped_corpus
    assert main(["reindex", "--quiet", "--corpus", str(corpus), "--index", str(index)]) == 0
    capsys.readouterr()
    code = main(["ask", "What was the median waiting time for a Care Act assessment?", "--json",
                 "--corpus", str(corpus), "--index", str(index)])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and not data["abstained"]
    quotes = [c for c in data["citations"] if "28 days" in c["quote"]]
    assert quotes and quotes[0]["document"] == "stockton-on-tees.txt"
    assert any("median waiting time was 28 days" in c["quote"] for c in quotes)
    text = parse_file(REAL_REPORT).text  # offsets point into the stored text (Markdown emphasis dropped)
    for c in data["citations"]:
        if c["document"] == "stockton-on-tees.txt":
            assert text[c["start"]:c["end"]] == c["quote"]


def test_compare_finds_each_authoritys_own_median_wait(real_settings) -> None:
    kb = KnowledgeBase.open(real_settings)
    rows = kb.compare("What is the median wait for a Care Act assessment?")
    assert len(rows) == 1 + len(FIXTURES)
    expected = {f.authority: f"{f.median_wait_days} days" for f in FIXTURES}
    expected["Stockton-on-Tees Borough Council"] = "28 days"
    for row in rows:
        assert not row.answer.abstained, row.authority
        assert all(c.document == row.document for c in row.answer.citations)
        assert any(expected[row.authority] in c.quote for c in row.answer.citations), (row.authority, row.answer.answer)
        for c in row.answer.citations:
            assert kb.store.document_text(c.document)[c.start:c.end] == c.quote


def test_question_the_reports_cannot_answer_abstains(real_settings) -> None:
    kb = KnowledgeBase.open(real_settings)
    answer = kb.ask("How often are household bins collected?")
    assert answer.abstained and not answer.citations


def test_the_sentence_that_answers_what_was_asked(real_settings) -> None:
    kb = KnowledgeBase.open(real_settings)
    population = kb.ask("What is the population of Stockton-on-Tees?")
    assert not population.abstained
    assert "estimated 202,415 residents" in population.citations[0].quote
    wait = kb.ask("How long do people in Stockton-on-Tees wait for a Care Act assessment?")
    assert any("maximum waiting time was 288 days, and the median waiting time was 28 days" in c.quote
               for c in wait.citations), wait.answer
    assert wait.answer.startswith("Stockton-on-Tees Borough Council (published 24 October 2025):")


def test_a_library_wide_question_is_answered_by_every_council(real_settings) -> None:
    kb = KnowledgeBase.open(real_settings)
    answer = kb.ask("What was the median waiting time for a Care Act assessment?")
    expected = {f.authority: f"median waiting time was {f.median_wait_days} days" for f in FIXTURES}
    expected["Stockton-on-Tees Borough Council"] = "median waiting time was 28 days"
    assert answer.reports_searched == len(expected)
    by_council = {g.authority: g for g in answer.groups}
    assert set(by_council) == set(expected)
    for authority, group in by_council.items():
        assert any(expected[authority] in c.quote for c in group.citations), group.answer
        for c in group.citations:
            assert c.authority == authority
            assert kb.store.document_text(c.document)[c.start:c.end] == c.quote


@pytest.mark.parametrize("question", [
    "What is the council's policy on electric vehicle charging?",
    "How long do people wait for dental treatment in Stockton-on-Tees?",
    "What was the maximum wait for a carer's assessment in Ashdown Vale?",
])
def test_look_alikes_abstain_with_the_real_model(real_settings, question: str) -> None:
    kb = KnowledgeBase.open(real_settings)
    answer = kb.ask(question)
    assert answer.abstained and answer.hits and answer.extra["strength"] == "weak"
