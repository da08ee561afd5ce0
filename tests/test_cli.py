"""The command line: help everywhere, JSON contracts, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cqc_kb.cli import COMMANDS, build_parser, main

from conftest import REAL_REPORT

HIT_KEYS = {"rank", "score", "chunk_id", "document", "authority", "section", "page", "start", "end", "text"}
CITATION_KEYS = {"n", "quote", "document", "authority", "section", "page", "start", "end"}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help_with_examples(command: str, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "usage: cqc-kb " + command in out and "examples:" in out


def test_top_level_help_lists_every_command(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(command in out for command in COMMANDS)
    assert set(build_parser()._subparsers._group_actions[0].choices) == set(COMMANDS)


def _index_args(settings) -> list[str]:
    return ["--corpus", str(settings.corpus), "--index", str(settings.index), "--model", "hash"]


def test_search_json_contract(hash_settings, capsys) -> None:
    code, out, _ = run(capsys, "search", "direct payments", "-k", "3", "--json", *_index_args(hash_settings))
    assert code == 0
    data = json.loads(out)
    assert data["query"] == "direct payments" and len(data["hits"]) == 3
    for hit in data["hits"]:
        assert HIT_KEYS <= set(hit)
        assert isinstance(hit["start"], int) and isinstance(hit["score"], float)


def test_ask_json_contract_and_offsets(hash_settings, hash_kb, capsys) -> None:
    code, out, _ = run(capsys, "ask", "What was the median waiting time for a Care Act assessment?",
                       "--authority", "Stockton-on-Tees Borough Council", "--json", *_index_args(hash_settings))
    assert code == 0
    data = json.loads(out)
    assert {"question", "answer", "abstained", "citations", "hits"} <= set(data)
    assert data["citations"] and not data["abstained"]
    for c in data["citations"]:
        assert CITATION_KEYS <= set(c)
        assert hash_kb.store.document_text(c["document"])[c["start"]:c["end"]] == c["quote"]
    assert all(HIT_KEYS <= set(h) for h in data["hits"])


def test_ask_many_questions_prints_json_lines(hash_settings, tmp_path: Path, capsys) -> None:
    questions = tmp_path / "q.txt"
    questions.write_text("How are unpaid carers supported?\n\nWhat is the rating of Stockton-on-Tees?\n")
    code, out, _ = run(capsys, "ask", "--questions", str(questions), *_index_args(hash_settings))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [d["question"] for d in lines] == [
        "How are unpaid carers supported?", "What is the rating of Stockton-on-Tees?"]


def test_compare_and_scores_json(hash_settings, capsys) -> None:
    code, out, _ = run(capsys, "compare", "How are unpaid carers supported?", "--json",
                       *_index_args(hash_settings))
    data = json.loads(out)
    assert code == 0 and len(data["rows"]) == 4
    for row in data["rows"]:
        assert {"authority", "document", "answer", "abstained", "citations", "score"} <= set(row)
        assert all(c["document"] == row["document"] for c in row["citations"])
    code, out, _ = run(capsys, "scores", "--json", *_index_args(hash_settings))
    rows = {r["authority"]: r for r in json.loads(out)}
    stockton = rows["Stockton-on-Tees Borough Council"]
    assert stockton["published"] == "2025-10-24" and stockton["rating"] == "Good"
    assert stockton["percentage"] == 63.9 and len(stockton["scores"]) == 9
    code, out, _ = run(capsys, "scores", "--csv", *_index_args(hash_settings))
    assert out.splitlines()[0].startswith("authority,document,published,rating,percentage,Assessing needs")
    assert len(out.splitlines()) == 5


def test_exit_codes(tmp_path: Path, capsys) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(REAL_REPORT, corpus)
    args = ["--corpus", str(corpus), "--index", str(tmp_path / "index"), "--model", "hash"]
    code, _, err = run(capsys, "ask", "anything", *args)
    assert code == 1 and "cqc-kb reindex" in err and len(err.strip().splitlines()) == 1
    code, _, _ = run(capsys, "reindex", "--quiet", *args)
    assert code == 0
    (corpus / "bad.pdf").write_bytes(b"%PDF-1.4 broken")
    code, out, err = run(capsys, "reindex", "--quiet", "--json", *args)
    assert code == 3 and "bad.pdf" in err and json.loads(out)["skipped"][0]["file"] == "bad.pdf"
    code, _, err = run(capsys, "ask", "anything", "--corpus", str(corpus), "--index", str(tmp_path / "index"),
                       "--model", "hash-64")
    assert code == 1 and "run `cqc-kb reindex`" in err
    code, _, err = run(capsys, "reindex", "--corpus", str(tmp_path / "nope"), "--index", str(tmp_path / "i2"))
    assert code == 1 and "does not exist" in err


def test_environment_variables_choose_folders(hash_settings, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CQC_KB_CORPUS", str(hash_settings.corpus))
    monkeypatch.setenv("CQC_KB_INDEX", str(hash_settings.index))
    monkeypatch.setenv("CQC_KB_MODEL", "hash")
    code, out, _ = run(capsys, "status", "--json")
    data = json.loads(out)
    assert code == 0 and data["documents"] == 4 and data["up_to_date"]


def test_status_says_when_stored_sentence_facts_are_from_other_code(hash_settings, monkeypatch, capsys) -> None:
    args = ["--corpus", str(hash_settings.corpus), "--index", str(hash_settings.index), "--model", "hash"]
    code, out, _ = run(capsys, "status", "--json", *args)
    assert code == 0 and json.loads(out)["sentences_without_facts"] == 0
    monkeypatch.setattr("cqc_kb.store.FACTS_VERSION", "other code")
    code, out, _ = run(capsys, "status", "--json", *args)
    missing = json.loads(out)["sentences_without_facts"]
    assert code == 0 and missing > 1000
    code, out, _ = run(capsys, "status", *args)
    assert f"{missing} sentences have no stored facts" in out and "cqc-kb reindex --full" in out


def test_status_reports_new_changed_and_deleted_files(tmp_path: Path, fixture_corpus: Path, capsys) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(REAL_REPORT, corpus)
    shutil.copy(fixture_corpus / "kestrel-moor.txt", corpus)
    args = ["--corpus", str(corpus), "--index", str(tmp_path / "index"), "--model", "hash"]
    assert run(capsys, "reindex", "--quiet", *args)[0] == 0
    (corpus / "kestrel-moor.txt").unlink()
    (corpus / "stockton-on-tees.txt").write_text("Changed\n\nNew text.\n", encoding="utf-8")
    shutil.copy(fixture_corpus / "larchfield.pdf", corpus)
    code, out, _ = run(capsys, "status", "--json", *args)
    data = json.loads(out)
    assert code == 0 and not data["up_to_date"]
    assert (data["new"], data["changed"], data["deleted"]) == (
        ["larchfield.pdf"], ["stockton-on-tees.txt"], ["kestrel-moor.txt"])
