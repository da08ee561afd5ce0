"""Fault injection for the index and the query side: damaged index files, reindexes killed
mid-commit, readers during build swaps, two reindexes at once, and hostile query input.

Every case checks the user-visible contract: one line on stderr and no traceback, the exit code
the README documents, and afterwards an index that answers with exact citations
(``document_text[start:end] == quote``). Inputs are generated here; the ``hash`` embedder keeps
it fast. docs/reliability.md ("Index and queries") lists the same cases as a matrix.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cqc_kb import store as store_module
from cqc_kb.cli import main
from cqc_kb.embed import load_embedder
from cqc_kb.errors import DamagedIndexError
from cqc_kb.kb import KnowledgeBase, build_index
from cqc_kb.settings import Settings
from cqc_kb.store import Store, current_build

from conftest import ROOT, make_settings

QUESTION = "How long do people wait for a Care Act assessment?"
COMMANDS = (("status",), ("scores",), ("search", "assessment waiting"), ("ask", QUESTION),
            ("compare", QUESTION))


def mini_report(council: str, weeks: int) -> str:
    """A small report in the CQC layout: enough for the pipeline, quick to embed."""
    return (f"{council}: local authority assessment\n\nAssessment published: 4 June 2025\n\n"
            f"Overall summary\n\n{council}\n\nGood\n\n"
            "Theme 1: How the council works with people\n\nAssessing needs\n\nScore: 3\n\n"
            f"People waited a median of {weeks} weeks for a Care Act assessment in {council}. "
            f"The council cleared its backlog of {weeks * 10} reviews by March 2025.\n\n"
            "Carers said the carers' centre gave them good advice and regular breaks. "
            f"Around {weeks * 100} carers were registered with the centre.\n\n"
            "Theme 4: Leadership\n\nLearning, improvement and innovation\n\nScore: 2\n\n"
            "Staff said training on strengths-based practice had improved their assessments.\n")


def write_corpus(folder: Path, councils: dict[str, int]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for council, weeks in councils.items():
        (folder / f"{council.split()[0].lower()}.txt").write_text(mini_report(council, weeks), encoding="utf-8")
    return folder


COUNCILS = {"Wrenfield Borough Council": 7, "Ottermouth City Council": 11}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A built two-council index that tests copy, never change."""
    base = tmp_path_factory.mktemp("pristine")
    settings = make_settings(write_corpus(base / "corpus", COUNCILS), base / "index")
    build_index(settings)
    return settings


@pytest.fixture()
def index(pristine: Settings, tmp_path: Path) -> Settings:
    """A private copy of the pristine corpus and index."""
    shutil.copytree(pristine.corpus, tmp_path / "corpus")
    shutil.copytree(pristine.index, tmp_path / "index")
    return make_settings(tmp_path / "corpus", tmp_path / "index")


def cli(capsys, settings: Settings, *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--corpus", str(settings.corpus), "--index", str(settings.index), "--model", "hash"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def assert_answers(capsys, settings: Settings) -> None:
    """``ask`` answers with citations that are verbatim at their offsets."""
    code, out, err = cli(capsys, settings, "ask", QUESTION, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["citations"] and not data["abstained"]
    store = Store.open(settings)
    try:
        for c in data["citations"]:
            assert store.document_text(c["document"])[c["start"]:c["end"]] == c["quote"]
    finally:
        store.close()


def assert_healthy(settings: Settings) -> None:
    """Every check passes, checksums included, and nothing but the live build is left."""
    Store.open(settings, verify_checksums=True).close()
    assert [p.name for p in (settings.index / "builds").iterdir()] == [current_build(settings.index).name]
    assert not list(settings.index.glob("CURRENT.tmp*"))


# --------------------------------------------------------------------------- damaged files

def _live_file(settings: Settings, name: str) -> Path:
    return settings.index / name if name == "CURRENT" else current_build(settings.index) / name


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "deleted":
        path.unlink()
    elif how == "truncated":
        path.write_bytes(data[:len(data) // 2])
    else:  # garbled: the start overwritten, where every format keeps its header
        junk = b"\x00\xffgarbled\xfe" * 8
        path.write_bytes(junk[:len(data)] + data[len(junk):])


@pytest.mark.parametrize("how", ["deleted", "truncated", "garbled"])
@pytest.mark.parametrize("name", ["manifest.json", "kb.sqlite", "vectors.faiss", "sentences.faiss", "CURRENT"])
def test_damaged_file_is_named_and_plain_reindex_repairs_it(index: Settings, name: str, how: str, capsys) -> None:
    _, healthy_scores, _ = cli(capsys, index, "scores", "--json")
    damage(_live_file(index, name), how)
    for command in COMMANDS:
        if command == ("scores",) and name.endswith(".faiss") and how == "garbled":
            # The score table never reads the vectors; their size is checked, their contents
            # are by status and the commands that search. Its table is kb.sqlite's, unharmed.
            code, out, err = cli(capsys, index, "scores", "--json")
            assert code == 0 and out == healthy_scores, err
            continue
        code, out, err = cli(capsys, index, *command)
        assert code == 1 and len(err.strip().splitlines()) == 1, (command, err)
        assert "is damaged (" in err and name in err and "run `cqc-kb reindex` to rebuild it" in err, err
    code, out, err = cli(capsys, index, "reindex", "--quiet", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["repaired"] and result["rebuilt"] and "the index was damaged" in err
    assert sorted(result["added"]) == ["ottermouth.txt", "wrenfield.txt"]
    assert_healthy(index)
    assert_answers(capsys, index)


def test_garbled_vector_data_is_found_by_status_and_reindex(index: Settings, capsys) -> None:
    """Queries check FAISS files by size, type, dimension and count, not by checksum (that
    would read every vector on every open); quotes come from kb.sqlite, which is
    checksummed on every open, so citations stay exact meanwhile."""
    for name in ("vectors.faiss", "sentences.faiss"):
        path = _live_file(index, name)
        data = bytearray(path.read_bytes())
        data[len(data) // 2:len(data) // 2 + 64] = b"\x7f" * 64
        path.write_bytes(bytes(data))
    assert_answers(capsys, index)
    code, _, err = cli(capsys, index, "status")
    assert code == 1 and "does not match its checksum" in err
    code, _, err = cli(capsys, index, "reindex", "--quiet")
    assert code == 0 and "the index was damaged" in err
    assert_healthy(index)


def test_manifest_without_a_field_or_with_wrong_counts_is_damaged(index: Settings, capsys) -> None:
    path = _live_file(index, "manifest.json")
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({k: v for k, v in manifest.items() if k != "dim"}))
    with pytest.raises(DamagedIndexError, match=r"manifest.json lacks a valid dim"):
        Store.open(index)
    path.write_text(json.dumps({**manifest, "chunks": manifest["chunks"] + 1}))
    with pytest.raises(DamagedIndexError, match=r"the manifest says"):
        Store.open(index)
    path.write_text("[" * 100_000)  # nesting deep enough to exhaust the JSON parser's recursion
    with pytest.raises(DamagedIndexError, match=r"not valid JSON"):
        Store.open(index)
    (index.index / "CURRENT").write_text("../../etc\n")
    with pytest.raises(DamagedIndexError, match=r"does not name a build"):
        Store.open(index)


def test_an_index_from_before_checksums_opens_and_a_damaged_one_gives_one_line(index: Settings, capsys) -> None:
    path = _live_file(index, "manifest.json")
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({k: v for k, v in manifest.items() if k not in ("files", "sentences")}))
    assert_answers(capsys, index)
    db = _live_file(index, "kb.sqlite")
    data = bytearray(db.read_bytes())
    data[4096:len(data) - 4096] = b"\xa5" * (len(data) - 8192)  # keep the header page, wreck the rest
    db.write_bytes(bytes(data))
    for command in COMMANDS:
        code, _, err = cli(capsys, index, *command)
        assert code == 1 and len(err.strip().splitlines()) == 1 and "cqc-kb reindex" in err, (command, err)
    code, _, err = cli(capsys, index, "reindex", "--quiet")
    assert code == 0 and "the index was damaged" in err
    assert_healthy(index)
    assert_answers(capsys, index)


def test_a_plain_reindex_with_nothing_to_do_leaves_a_healthy_index_alone(index: Settings, capsys) -> None:
    live = current_build(index.index)
    code, out, err = cli(capsys, index, "reindex", "--json")
    result = json.loads(out)
    assert code == 0 and result["repaired"] is None and result["rebuilt"] is False
    assert result["added"] == result["updated"] == result["leftovers"] == [] and current_build(index.index) == live


# --------------------------------------------------------------------------- kill -9 mid-reindex

#: Runs `cqc-kb reindex` in a child that stops at one named point of the commit, reports it by
#: creating a marker file, and waits there to be killed.
PAUSING_REINDEX = r"""
import os, pathlib, sys, time
import faiss
from cqc_kb import cli, ingest, store  # ingest first: it binds remove_leftovers by name

point, marker = sys.argv[1], sys.argv[2]

def pause_at(owner, name, after=False, when=lambda *a: True):
    real = getattr(owner, name)
    def wrapped(*a, **k):
        hit = when(*a)
        if hit and not after:
            open(marker, "w").close(); time.sleep(120)
        out = real(*a, **k)
        if hit and after:
            open(marker, "w").close(); time.sleep(120)
        return out
    setattr(owner, name, wrapped)

if point == "adding":
    pause_at(store.Writer, "add")
elif point == "vectors-written":
    pause_at(faiss, "write_index", after=True)
elif point == "manifest-written":
    pause_at(pathlib.Path, "write_text", after=True, when=lambda path, *a: path.name == "manifest.json")
elif point == "pointer-written":
    pause_at(os, "replace", when=lambda src, dst: str(dst).endswith("CURRENT"))
elif point == "swapped":
    pause_at(store, "remove_leftovers")
sys.exit(cli.main(["reindex", "--quiet", *sys.argv[3:]]))
"""

KILL_POINTS = ("adding", "vectors-written", "manifest-written", "pointer-written", "swapped")


def _start_paused(settings: Settings, point: str, marker: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen(
        [sys.executable, "-c", PAUSING_REINDEX, point, str(marker), "--corpus", str(settings.corpus),
         "--index", str(settings.index), "--model", "hash"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for(marker: Path, child: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120  # a hang guard, not a timing assertion
    while not marker.exists():
        assert child.poll() is None, child.stderr.read().decode()
        assert time.monotonic() < deadline, "the child never reached its pause point"
        time.sleep(0.05)


def test_kill_9_at_each_point_of_the_commit(pristine: Settings, tmp_path: Path, capsys) -> None:
    cases = {}
    for point in KILL_POINTS:  # started together so that their start-up overlaps
        base = tmp_path / point
        shutil.copytree(pristine.corpus, base / "corpus")
        shutil.copytree(pristine.index, base / "index")
        write_corpus(base / "corpus", {"Brackenhurst District Council": 9})
        settings = make_settings(base / "corpus", base / "index")
        cases[point] = (settings, _start_paused(settings, point, base / "paused"), base / "paused")
    old_docs = {"ottermouth.txt", "wrenfield.txt"}
    for point, (settings, child, marker) in cases.items():
        _wait_for(marker, child)
        if point == "adding":
            # While one reindex holds the index, a second fails at once and readers carry on.
            code, _, err = cli(capsys, settings, "reindex")
            assert code == 1 and "another reindex is writing" in err and len(err.strip().splitlines()) == 1
            assert_answers(capsys, settings)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stderr.close()
        # The live index is a complete build: the old one, or the new one once it was swapped in.
        docs = {r["name"] for r in Store.open(settings).documents()}
        assert docs == (old_docs | {"brackenhurst.txt"} if point == "swapped" else old_docs), point
        assert_answers(capsys, settings)
        leftovers = len(list((settings.index / "builds").iterdir())) - 1 \
            + len(list(settings.index.glob("CURRENT.tmp*")))
        assert leftovers >= 1, point
        code, out, err = cli(capsys, settings, "reindex", "--json")
        result = json.loads(out)
        assert code == 0 and len(result["leftovers"]) == leftovers, (point, result)
        assert result["added"] == ([] if point == "swapped" else ["brackenhurst.txt"])
        assert "removed what an interrupted reindex left" in err
        assert_healthy(settings)
        assert_answers(capsys, settings)


# --------------------------------------------------------------------------- readers during swaps

def test_readers_see_no_error_across_build_swaps(tmp_path: Path) -> None:
    embedder = load_embedder("hash", True, False, "torch")
    index = tmp_path / "index"
    corpora = [make_settings(write_corpus(tmp_path / "a", {"Wrenfield Borough Council": 7}), index),
               make_settings(write_corpus(tmp_path / "b", {"Ottermouth City Council": 11}), index)]
    build_index(corpora[0], embedder=embedder)
    long_lived = KnowledgeBase.open(corpora[0], embedder=embedder)  # as the app keeps one open
    swaps, errors, reads = 24, [], [0]
    done = threading.Event()

    def check(kb: KnowledgeBase) -> None:
        answer = kb.ask(QUESTION)
        assert answer.citations, "no citation"
        for c in answer.citations:
            assert kb.store.document_text(c.document)[c.start:c.end] == c.quote

    def reader(keeps_old_open: bool) -> None:
        while not done.is_set():
            try:
                kb = KnowledgeBase.open(corpora[0], embedder=embedder)
                try:
                    check(kb)
                finally:
                    kb.close()
                if keeps_old_open:
                    check(long_lived)
                reads[0] += 1
            except Exception as exc:  # every failure is counted, none may happen
                errors.append(repr(exc))

    threads = [threading.Thread(target=reader, args=(keeps,)) for keeps in (True, False)]
    for t in threads:
        t.start()
    try:
        builds = set()
        for i in range(1, swaps + 1):
            build_index(corpora[i % 2], embedder=embedder)
            builds.add(current_build(index).name)
    finally:
        done.set()
        for t in threads:
            t.join()
    long_lived.close()
    assert len(builds) == swaps and errors == [] and reads[0] > 0
    assert_healthy(corpora[0])


def test_open_follows_a_swap_between_reading_current_and_the_files(index: Settings, tmp_path: Path,
                                                                     monkeypatch) -> None:
    other = make_settings(write_corpus(tmp_path / "other", {"Brackenhurst District Council": 9}), index.index)
    first = current_build(index.index)
    real = store_module.read_manifest
    swapped = []

    def swap_first(build: Path):
        if not swapped:
            swapped.append(build)
            build_index(other)  # swaps in a new build and removes the one being opened
        return real(build)

    monkeypatch.setattr(store_module, "read_manifest", swap_first)
    store = Store.open(index)
    assert swapped == [first] and not first.exists() and store.build != first
    assert [r["name"] for r in store.documents()] == ["brackenhurst.txt"]
    store.close()


# --------------------------------------------------------------------------- query input

def run(capsys, settings: Settings, *argv: str) -> tuple[int, str, str]:
    """The CLI on the session index; usage errors (SystemExit) become their exit code."""
    try:
        code = cli(capsys, settings, *argv)
    except SystemExit as exc:
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return int(exc.code), out, err
    return code


def one_line_error(code: int, err: str, expected_code: int = 1) -> str:
    assert code == expected_code, err
    lines = [line for line in err.strip().splitlines() if not line.startswith(("usage:", " "))]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("command", ["search", "ask", "compare"])
def test_invalid_utf8_empty_and_huge_queries_are_refused(hash_settings, command: str, capsys) -> None:
    line = one_line_error(*run(capsys, hash_settings, command, "caf\udcff au lait")[::2])
    assert "not valid UTF-8" in line and "0xff" in line
    for blank in ("", "   \t"):
        assert "is empty" in one_line_error(*run(capsys, hash_settings, command, blank)[::2])
    assert "characters long" in one_line_error(*run(capsys, hash_settings, command, "care " * 1000)[::2])


@pytest.mark.parametrize("k", ["0", "-1", "101", "1000000000", "five"])
def test_k_out_of_range_is_a_usage_error(hash_settings, k: str, capsys) -> None:
    line = one_line_error(*run(capsys, hash_settings, "search", "carers", "-k", k)[::2], expected_code=2)
    assert "-k/--top: must be a whole number from 1 to 100" in line


def test_k_within_range_returns_that_many_hits(hash_settings, capsys) -> None:
    for k in (1, 100):
        code, out, _ = run(capsys, hash_settings, "search", "carers", "-k", str(k), "--json")
        hits = json.loads(out)["hits"]
        assert code == 0 and 1 <= len(hits) <= k and (k > 1 or len(hits) == 1)


@pytest.mark.parametrize("command", ["search", "ask", "compare"])
def test_unknown_authority_is_an_error_naming_the_known_ones(hash_settings, command: str, capsys) -> None:
    line = one_line_error(*run(capsys, hash_settings, command, "carers", "--authority", "Nowhere Council")[::2])
    assert "'Nowhere Council'" in line and "Stockton-on-Tees Borough Council" in line
    assert "Kestrel Moor Metropolitan Borough Council" in line


@pytest.mark.parametrize("command", ["search", "ask"])
def test_unknown_filter_values_are_errors_naming_the_known_ones(hash_settings, command: str, capsys) -> None:
    line = one_line_error(*run(capsys, hash_settings, command, "carers", "--document", "nope.pdf")[::2])
    assert "'nope.pdf'" in line and "stockton-on-tees.txt" in line and "larchfield.pdf" in line
    for flag, value, known in (("--theme", "Wellbeing", "Providing support"),
                               ("--statement", "Safe care", "Assessing needs"),
                               ("--rating", "Excellent", "Requires improvement"),
                               ("--score", "5", "1, 2, 3, 4")):
        line = one_line_error(*run(capsys, hash_settings, command, "carers", flag, value)[::2], expected_code=2)
        assert value in line and known in line, line


def test_filter_values_match_in_any_letter_case(hash_settings, capsys) -> None:
    code, out, _ = run(capsys, hash_settings, "search", "carers", "--json", "--rating", "requires IMPROVEMENT",
                       "--authority", "kestrel moor metropolitan borough council")
    hits = json.loads(out)["hits"]
    assert code == 0 and hits and {h["authority"] for h in hits} == {"Kestrel Moor Metropolitan Borough Council"}


def test_questions_file_checks(hash_settings, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"How are carers supported?\nWhat about caf\xe9?\n")
    line = one_line_error(*run(capsys, hash_settings, "ask", "--questions", str(bad))[::2])
    assert "bad.txt line 2 is not valid UTF-8 (byte 0xe9" in line
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes("How are carers supported?\n".encode("utf-16"))
    line = one_line_error(*run(capsys, hash_settings, "compare", "--questions", str(utf16))[::2])
    assert "is UTF-16 text" in line
    blank = tmp_path / "blank.txt"
    blank.write_text("\n  \n\n")
    line = one_line_error(*run(capsys, hash_settings, "ask", "--questions", str(blank))[::2])
    assert "holds no questions" in line
    endless = run(capsys, hash_settings, "ask", "--questions", "/dev/zero")
    assert "/dev/zero is over 10 MB" in one_line_error(*endless[::2])
    both = run(capsys, hash_settings, "ask", "a question", "--questions", str(blank))
    assert "not both" in one_line_error(*both[::2])
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeffHow are carers supported?\r\n".encode("utf-8"))
    code, out, _ = run(capsys, hash_settings, "ask", "--questions", str(bom))
    assert code == 0 and json.loads(out)["question"] == "How are carers supported?"


def test_questions_on_stdin_that_are_not_utf8(hash_settings, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\x80\x81 carers\n")))
    line = one_line_error(*run(capsys, hash_settings, "ask", "--questions", "-")[::2])
    assert "stdin line 1 is not valid UTF-8 (byte 0x80" in line


def test_invalid_utf8_from_a_real_terminal(hash_settings) -> None:
    """argv and stdin bytes as a shell passes them, through the installed entry point."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "LC_ALL": "C.UTF-8"}
    index = ["--corpus", str(hash_settings.corpus), "--index", str(hash_settings.index), "--model", "hash"]
    for argv, stdin in (([b"ask", b"Caf\xe9 carers?"], b""), ([b"ask", b"--questions", b"-"], b"ok\n\xff\xfe\n")):
        proc = subprocess.run([sys.executable, "-m", "cqc_kb", *argv, *index], input=stdin, env=env,
                              capture_output=True, timeout=120)
        err = proc.stderr.decode("utf-8", "replace")
        assert proc.returncode == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
        assert "not valid UTF-8" in err


@pytest.mark.parametrize("variable,value", [("CQC_KB_TOP_K", "1000000000"), ("CQC_KB_TOP_K", "0"),
                                            ("CQC_KB_CANDIDATES", "2000000000"), ("CQC_KB_RRF_K", "-60"),
                                            ("CQC_KB_ANSWER_SENTENCES", "-1"),
                                            ("CQC_KB_ABSTAIN_THRESHOLD", "nan")])
def test_query_settings_out_of_range_are_refused(hash_settings, monkeypatch, variable: str, value: str,
                                                 capsys) -> None:
    monkeypatch.setenv(variable, value)
    for command in ("search", "ask"):
        line = one_line_error(*run(capsys, hash_settings, command, "carers")[::2])
        assert f"is {value}; it must be" in line and variable in line
