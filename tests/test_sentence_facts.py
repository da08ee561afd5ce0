"""Per-sentence (and per-passage) facts stored at index time (:mod:`cqc_kb.sentence_facts`): they equal reading
the sentence at question time, they follow reports added and removed, and facts read by other
code (another version) or missing altogether are not used, with the same answers."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zlib

import pytest

from conftest import make_settings

from cqc_kb import store as store_module
from cqc_kb.figures import figure_kinds
from cqc_kb.kb import KnowledgeBase, build_index
from cqc_kb.query import measures_in, subjects_in
from cqc_kb.sentence_facts import FACTS_VERSION, SentenceFacts, is_fragment, sentence_facts
from cqc_kb.store import current_build, split_facts
from cqc_kb.text import SeedableCache

QUESTIONS = ("What was the median waiting time for a Care Act assessment?",
             "How are unpaid carers supported?",
             "How many safeguarding concerns were received?",
             "What is the council's policy on electric vehicle charging?")


@pytest.mark.parametrize(("line", "fragment"), [
    # A table row or list item that gives a figure answers; a heading or score line does not.
    ("Care Act assessments completed 7,284", False),
    ("402 people waiting at 30 September 2024", False),
    ("Median wait: 41 days", False),
    ("Score: 2", True),
    ("Assessing needs", True),
    ("Measure 2024/25", True),
    # A table's header row names columns; it gives no figure.
    ("District\tHome care hours per week\tPeople waiting for home care", True),
    ("Tarnside\t7,880\t3", False),
])
def test_a_row_giving_a_figure_is_not_a_fragment(line: str, fragment: bool) -> None:
    assert is_fragment(line) is fragment


def _clear_memos() -> None:
    for memo in (is_fragment, subjects_in, measures_in, figure_kinds):
        memo.cache_clear()


def _stored(kb: KnowledgeBase) -> dict[int, tuple[str, SentenceFacts | None]]:
    out = {}
    for doc in kb.store.documents():
        text = kb.store.document_text(doc["name"])
        for sid, s, e, facts in kb.store.sentences_with_facts(doc["name"], 0, len(text)):
            out[sid] = (text[s:e], facts)
    return out


def test_stored_facts_equal_reading_each_sentence(hash_kb) -> None:
    stored = _stored(hash_kb)
    assert len(stored) > 1000
    _clear_memos()
    assert all(facts == sentence_facts(sentence) for sentence, facts in stored.values())
    chunks = hash_kb.store.chunk_rows([r[0] for r in hash_kb.store.db.execute("SELECT id FROM chunks")])
    assert all(split_facts(row["text_subjects"]) == subjects_in(row["text"]) for row in chunks.values())
    assert sum(bool(row["text_subjects"]) for row in chunks.values()) > 50
    # The facts are not all alike: the check above would pass on a constant otherwise.
    assert {f.fragment for _, f in stored.values()} == {True, False}
    assert sum(bool(f.subjects) for _, f in stored.values()) > 100
    assert sum(bool(f.measures) for _, f in stored.values()) > 20
    assert sum(bool(f.figure_kinds) for _, f in stored.values()) > 100


def _answers(kb: KnowledgeBase) -> list:
    _clear_memos()
    return [(a.answer, [(c.document, c.start, c.end) for c in a.citations], a.abstained, a.confidence,
             [h.chunk_id for h in a.hits])
            for a in (kb.ask(q) for q in QUESTIONS)]


def test_facts_of_another_version_or_none_give_the_same_answers(hash_settings, tmp_path, monkeypatch) -> None:
    kb = KnowledgeBase.open(hash_settings)
    try:
        primed = []
        monkeypatch.setattr("cqc_kb.answer.prime", lambda sentence, facts: primed.append(sentence))
        with_facts = _answers(kb)
        assert primed  # the stored facts were used
        primed.clear()
        monkeypatch.setattr(store_module, "FACTS_VERSION", "another version")
        assert all(facts is None for _, facts in _stored(kb).values())
        rows = kb.store.chunk_rows([1, 2, 3])
        assert len(rows) == 3 and all(row["text_subjects"] is None for row in rows.values())
        assert _answers(kb) == with_facts and not primed
    finally:
        kb.close()
    # A build made before facts were stored has no table for them.
    index = tmp_path / "index"
    shutil.copytree(hash_settings.index, index)
    build = current_build(index)
    with sqlite3.connect(build / "kb.sqlite") as db:
        db.execute("DROP TABLE sentence_facts")
        db.execute("DROP TABLE chunk_facts")
    db.close()
    manifest = json.loads((build / "manifest.json").read_text())
    data = (build / "kb.sqlite").read_bytes()
    manifest["files"]["kb.sqlite"] = {"bytes": len(data), "crc32": zlib.crc32(data)}
    (build / "manifest.json").write_text(json.dumps(manifest))
    settings = make_settings(hash_settings.corpus, index)
    old = KnowledgeBase.open(settings)
    try:
        assert all(facts is None for _, facts in _stored(old).values())
        rows = old.store.chunk_rows([1, 2, 3])
        assert len(rows) == 3 and all(row["text_subjects"] is None for row in rows.values())
        assert _answers(old) == with_facts
    finally:
        old.close()


def test_facts_follow_reports_added_and_removed(fixture_corpus, tmp_path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(fixture_corpus, corpus)
    settings = make_settings(corpus, tmp_path / "index")
    build_index(settings)
    (corpus / "kestrel-moor.txt").unlink()
    build_index(settings)
    kb = KnowledgeBase.open(settings)
    try:
        sentences = kb.store.db.execute("SELECT count(*) FROM sentences").fetchone()[0]
        rows = kb.store.db.execute("SELECT id, version FROM sentence_facts").fetchall()
        assert len(rows) == sentences
        assert {r[1] for r in rows} == {FACTS_VERSION}
        assert not kb.store.db.execute(
            "SELECT count(*) FROM sentence_facts WHERE id NOT IN (SELECT id FROM sentences)").fetchone()[0]
        assert kb.store.db.execute("SELECT count(*) FROM chunk_facts").fetchone()[0] == \
            kb.store.db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        assert not kb.store.db.execute(
            "SELECT count(*) FROM chunk_facts WHERE id NOT IN (SELECT id FROM chunks)").fetchone()[0]
    finally:
        kb.close()


def test_seedable_cache_keeps_seeded_values_and_drops_the_oldest() -> None:
    calls = []
    memo = SeedableCache(lambda text: calls.append(text) or text.upper(), maxsize=2)
    memo.seed("a", "seeded")
    assert memo("a") == "seeded" and calls == []
    assert memo("b") == "B" and memo("c") == "C"  # "a" is dropped to make room
    assert memo("a") == "A" and calls == ["b", "c", "a"]


def test_when_the_code_version_cannot_be_told_no_facts_are_stored_or_used(fixture_corpus, tmp_path,
                                                                           monkeypatch) -> None:
    monkeypatch.setattr(store_module, "FACTS_VERSION", "")  # as _version() gives without sources
    settings = make_settings(fixture_corpus, tmp_path / "index")
    build_index(settings)
    kb = KnowledgeBase.open(settings)
    try:
        assert kb.store.db.execute("SELECT count(*) FROM sentence_facts").fetchone()[0] == 0
        assert kb.store.db.execute("SELECT count(*) FROM chunk_facts").fetchone()[0] == 0
        assert all(facts is None for _, facts in _stored(kb).values())
        assert not kb.ask(QUESTIONS[0]).abstained
    finally:
        kb.close()
