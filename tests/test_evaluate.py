"""Evaluation metrics: hit@k, MRR, matching of expected strings, citation checks, abstention
calibration, and `cqc-kb eval` end to end on a tiny corpus with the hash embedder."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import pytest

from cqc_kb.errors import KbError
from cqc_kb.evaluate import (GoldItem, QuestionResult, answer_correct, choose_threshold, contains_expected,
                             first_relevant_rank, hit_at, load_gold, main, percentile, prepare_eval_corpus,
                             reciprocal_rank, summarise, threshold_sweep, valid_citations)
from cqc_kb.records import Answer, Citation, Hit
from cqc_kb.retrieve import Filters

from conftest import make_settings

TINY_REPORT = """Tinyshire Council: local authority assessment

Waiting times

In March 2024 the median waiting time was 31 days for a Care Act assessment. The maximum wait was 190 days.

Carers

The council supported 412 unpaid carers through its carers' centre in 2023/24.
"""


def hit(text: str, authority: str | None = "A Council", rank: int = 1) -> Hit:
    return Hit(rank=rank, score=1.0, chunk_id=f"c{rank}", document="a.txt", authority=authority,
               section="S", page=None, start=0, end=len(text), text=text)


def result(answerable: bool, confidence: float, correct: bool | None = None) -> QuestionResult:
    return QuestionResult(q="q", authority=None, answerable=answerable, rank=None,
                          correct=correct if answerable else None, abstained=False,
                          confidence=confidence, citations=0, valid_citations=0, latency_ms=1.0, answer="")


@pytest.fixture(scope="module")
def tiny_kb(tmp_path_factory: pytest.TempPathFactory):
    from cqc_kb.kb import KnowledgeBase, build_index

    corpus = tmp_path_factory.mktemp("tiny-corpus")
    (corpus / "tinyshire.txt").write_text(TINY_REPORT, encoding="utf-8")
    settings = make_settings(corpus, tmp_path_factory.mktemp("tiny-index"), abstain_threshold=-1.0)
    build_index(settings)
    kb = KnowledgeBase.open(settings)
    yield kb
    kb.close()


def test_expected_strings_match_across_case_spaces_and_dashes() -> None:
    assert contains_expected("The wait was 28\u2013days,\n  and  MORE", ["28-days, and more"])
    assert contains_expected("Stockton\u2011on\u2011Tees", ["stockton-on-tees"])
    assert not contains_expected("the wait was 28 days", ["288 days"])


def test_hit_at_k_and_reciprocal_rank() -> None:
    assert [hit_at(2, k) for k in (1, 3, 5)] == [0.0, 1.0, 1.0]
    assert hit_at(None, 5) == 0.0
    assert reciprocal_rank(4) == 0.25
    assert reciprocal_rank(11) == 0.0  # beyond MRR@10
    assert reciprocal_rank(None) == 0.0


def test_a_passage_counts_only_in_the_asked_about_report() -> None:
    item = GoldItem("q", ("median wait of 28 days",), "B Council")
    hits = [hit("A median wait of 28 days.", "A Council", 1), hit("Nothing here.", "B Council", 2),
            hit("Its median  wait of 28 days.", "B Council", 3)]
    assert first_relevant_rank(hits, item) == 3
    assert first_relevant_rank(hits, dataclasses.replace(item, authority=None)) == 1
    assert first_relevant_rank(hits[:2], item) is None


def test_answer_correct_reads_the_answer_and_its_quotes_but_not_an_abstention() -> None:
    item = GoldItem("q", ("maximum wait was 190 days",), None)
    cite = Citation(n=1, quote="The maximum wait was 190 days.", document="a.txt", authority=None,
                    section="S", page=None, start=0, end=30)
    assert answer_correct(Answer("q", "something else [1]", False, (cite,), ()), item)
    assert answer_correct(Answer("q", "The maximum wait was 190 days. [1]", False, (), ()), item)
    assert not answer_correct(Answer("q", "The maximum wait was 190 days.", True, (), ()), item)


def test_percentile_is_nearest_rank() -> None:
    values = list(range(1, 21))
    assert percentile(values, 95) == 19
    assert percentile(values, 50) == 10
    assert percentile([7.0], 95) == 7.0


def test_summarise_separates_answerable_and_unanswerable() -> None:
    rows = [dataclasses.replace(result(True, 0.9, True), rank=1, citations=1, valid_citations=1),
            dataclasses.replace(result(True, 0.2, False), rank=4, abstained=True),
            dataclasses.replace(result(False, 0.3), abstained=True),
            dataclasses.replace(result(False, 0.8), citations=2, valid_citations=1)]
    m = summarise("x", rows).metrics
    assert (m["hit@1"], m["hit@3"], m["hit@5"]) == (0.5, 0.5, 1.0)
    assert m["mrr@10"] == pytest.approx((1 + 0.25) / 2, abs=1e-4)
    assert m["answer_accuracy"] == 0.5
    assert m["abstention_unanswerable"] == 0.5
    assert m["false_abstention"] == 0.5
    assert m["citation_validity"] == pytest.approx(2 / 3, abs=1e-4)


def test_citation_check_catches_a_wrong_offset(tiny_kb) -> None:
    answer = tiny_kb.ask("What was the maximum wait for a Care Act assessment?")
    assert answer.citations and not answer.abstained
    assert valid_citations(answer, tiny_kb.store.document_text) == len(answer.citations)
    first = answer.citations[0]
    shifted = dataclasses.replace(first, start=first.start + 1, end=first.end + 1)
    wrong = dataclasses.replace(answer, citations=(shifted, *answer.citations[1:]))
    assert valid_citations(wrong, tiny_kb.store.document_text) == len(answer.citations) - 1
    unknown = dataclasses.replace(first, document="missing.txt")
    assert valid_citations(dataclasses.replace(answer, citations=(unknown,)), tiny_kb.store.document_text) == 0


def test_threshold_choice_keeps_false_abstention_within_the_limit() -> None:
    rows = [result(True, c, True) for c in (0.3, 0.6, 0.7, 0.8, 0.9)] * 4 + \
        [result(False, c) for c in (0.2, 0.35, 0.5, 0.95)]
    sweep = threshold_sweep(rows)
    chosen = choose_threshold(sweep, max_false_abstention=0.05)
    assert chosen["false_abstention"] <= 0.05
    assert chosen["threshold"] == pytest.approx(0.21)  # 0.31 would abstain on 20% of answerable
    assert chosen["abstention_unanswerable"] == 0.25
    relaxed = choose_threshold(sweep, max_false_abstention=0.2)
    assert relaxed["abstention_unanswerable"] == 0.75


def test_load_gold_names_the_bad_line(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"q": "a", "expect": [], "authority": null}\n{"expect": []}\n')
    with pytest.raises(KbError, match=r"gold.jsonl:2"):
        load_gold(gold)


def test_eval_command_json(tiny_kb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the naive index goes here
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(line) for line in (
        {"q": "How many unpaid carers did the council support?", "expect": ["412 unpaid carers"],
         "authority": None},
        {"q": "What was the median waiting time?", "expect": ["median waiting time was 31 days"],
         "authority": None},
        {"q": "How many libraries closed?", "expect": [], "authority": None})) + "\n")
    args = argparse.Namespace(gold=str(gold), config="all", json=True, quiet=True)
    assert main(args, tiny_kb.settings) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["configs"]) == {"bm25", "dense", "hybrid", "hybrid+", "naive"}
    for config in out["configs"].values():
        assert config["questions"] == 3 and config["answerable"] == 2
        assert config["citation_validity"] == 1.0
        assert [d["q"] for d in config["details"]][-1] == "How many libraries closed?"
    assert out["configs"]["bm25"]["hit@1"] == 1.0
    assert (tmp_path / "cache" / "cqc-kb" / "eval").is_dir()
    with pytest.raises(KbError, match="unknown configuration"):
        main(argparse.Namespace(gold=str(gold), config="bm26", json=True, quiet=True), tiny_kb.settings)


def test_prepare_eval_corpus_writes_only_changed_files(tmp_path: Path) -> None:
    written = prepare_eval_corpus(tmp_path)
    assert sorted(p.name for p in written) == ["ashdown-vale.html", "kestrel-moor.txt", "larchfield.pdf",
                                               "stockton-on-tees.txt"]
    stamps = {p.name: p.stat().st_mtime_ns for p in written}
    prepare_eval_corpus(tmp_path)
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == stamps


def _citation(quote: str, authority: str, n: int = 1) -> Citation:
    return Citation(n=n, quote=quote, document=f"{authority}.txt", authority=authority, section="S",
                    page=None, start=0, end=len(quote))


def test_unscoped_answers_are_graded_on_the_asked_councils_own_group() -> None:
    from cqc_kb.evaluate import unscoped_correct
    from cqc_kb.records import AnswerGroup

    item = GoldItem(q="What was the median wait?", expect=("median wait was 28 days",), authority="B")
    a_group = AnswerGroup("A", "A.txt", None, "A: the median wait was 28 days [1]",
                          (_citation("the median wait was 28 days", "A"),))
    b_group = AnswerGroup("B", "B.txt", None, "B: the median wait was 28 days [1]",
                          (_citation("the median wait was 28 days", "B"),))
    # The same sentence from another council's report does not count for the asked council.
    only_a = Answer("q", a_group.answer, False, a_group.citations, (), 1.0, groups=(a_group,))
    both = Answer("q", a_group.answer, False, a_group.citations, (), 1.0, groups=(a_group, b_group))
    assert not unscoped_correct(only_a, item)
    assert unscoped_correct(both, item)
    assert not unscoped_correct(dataclasses.replace(both, abstained=True), item)


def test_summarise_reports_unscoped_evidence_and_abstention_separately() -> None:
    rows = [dataclasses.replace(result(True, 0.9, True), unscoped_correct=False, unscoped_abstained=False),
            dataclasses.replace(result(True, 0.9, True), unscoped_correct=True, unscoped_abstained=False),
            result(True, 0.9, True),  # names its council: not asked unscoped
            dataclasses.replace(result(False, 0.1), unscoped_abstained=True)]
    metrics = summarise("hybrid+", rows).metrics
    assert metrics["answer_accuracy"] == 1.0
    assert metrics["unscoped_questions"] == 2 and metrics["unscoped_evidence"] == 0.5
    assert metrics["unscoped_abstention"] == 1.0


def test_run_config_asks_unscoped_only_when_no_council_is_named(tiny_kb) -> None:
    from cqc_kb.evaluate import run_config

    items = [GoldItem("What was the median waiting time?", ("median waiting time was 31 days",), "Tinyshire Council"),
             GoldItem("What was the median waiting time in Tinyshire?", ("median waiting time was 31 days",),
                      "Tinyshire Council")]
    asked: list[tuple[str, bool]] = []

    def ask(q, f):
        asked.append((q, bool(f.authorities)))
        return tiny_kb.ask(q, filters=f)

    out = run_config("hybrid+", items, search=lambda q: tiny_kb.search(q), ask=ask,
                     document_text=tiny_kb.store.document_text,
                     names_council=lambda q: "Tinyshire" in q)
    assert asked == [(items[0].q, True), (items[0].q, False), (items[1].q, True)]
    first, second = out.questions
    assert first.unscoped_correct is not None and second.unscoped_correct is None


def test_hit_at_5_in_the_own_report_uses_the_council_filtered_rank() -> None:
    # Six councils' passages on one topic: the asked council's ranks 7th over the library but
    # 1st in its own report; a line with no council keeps its library-wide rank.
    rows = [dataclasses.replace(result(True, 0.9, True), authority="A", rank=7, council_rank=1),
            dataclasses.replace(result(True, 0.9, True), authority="B", rank=2, council_rank=None),
            dataclasses.replace(result(True, 0.9, True), rank=3)]
    metrics = summarise("hybrid+", rows).metrics
    assert metrics["hit@5"] == pytest.approx(2 / 3, abs=1e-3)
    assert metrics["hit@5_council"] == pytest.approx(2 / 3, abs=1e-3)
    assert metrics["hit@5_council"] != metrics["hit@1"]


def test_run_config_ranks_each_line_in_its_own_report(tiny_kb) -> None:
    from cqc_kb.evaluate import run_config

    item = GoldItem("What was the median waiting time?", ("median waiting time was 31 days",), "Tinyshire Council")
    filters: list[Filters] = []

    def search_council(q, f):
        filters.append(f)
        return tiny_kb.search(q, filters=f)

    out = run_config("hybrid+", [item, GoldItem("Is there a zoo?", (), "Tinyshire Council")],
                     search=lambda q: tiny_kb.search(q), ask=lambda q, f: tiny_kb.ask(q, filters=f),
                     document_text=tiny_kb.store.document_text, search_council=search_council)
    # Only the answerable line is searched again, with its council as the filter.
    assert [f.authorities for f in filters] == [("Tinyshire Council",)]
    assert out.questions[0].council_rank == 1 and out.questions[1].council_rank is None
