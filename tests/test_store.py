"""Index store and reindex: incremental by content hash, atomic swap, stale refusal, bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cqc_kb import store as store_module
from cqc_kb.errors import IndexMissingError, StaleIndexError
from cqc_kb.kb import KnowledgeBase, build_index
from cqc_kb.store import Store, current_build

from conftest import REAL_REPORT, make_settings


@pytest.fixture()
def small(tmp_path: Path, fixture_corpus: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(REAL_REPORT, corpus)
    shutil.copy(fixture_corpus / "kestrel-moor.txt", corpus)
    return make_settings(corpus, tmp_path / "index")


def test_incremental_reindex_touches_only_what_changed(small) -> None:
    first = build_index(small)
    assert sorted(first.added) == ["kestrel-moor.txt", "stockton-on-tees.txt"]
    again = build_index(small)
    assert not again.changed and sorted(again.unchanged) == sorted(first.added)

    kestrel = small.corpus / "kestrel-moor.txt"
    kestrel.write_text(kestrel.read_text(encoding="utf-8") + "\n\nA new closing paragraph.\n", encoding="utf-8")
    changed = build_index(small)
    assert changed.updated == ["kestrel-moor.txt"] and changed.unchanged == ["stockton-on-tees.txt"]
    stockton_chunks = len(KnowledgeBase.open(small).store.sections("stockton-on-tees.txt"))
    assert stockton_chunks > 0

    kestrel.unlink()
    removed = build_index(small)
    assert removed.removed == ["kestrel-moor.txt"]
    kb = KnowledgeBase.open(small)
    assert [d["name"] for d in kb.store.documents()] == ["stockton-on-tees.txt"]
    # Removed chunks are gone from FAISS and from BM25 as well as from the table.
    assert kb.store.vectors.ntotal == kb.store.chunk_count()
    assert all(h.document == "stockton-on-tees.txt" for h in kb.search("Kestrel Moor", mode="bm25"))


def test_bad_files_are_skipped_and_do_not_damage_the_index(small) -> None:
    build_index(small)
    before = {d["name"]: d["sha256"] for d in KnowledgeBase.open(small).store.documents()}
    (small.corpus / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    (small.corpus / "junk.txt").write_bytes(b"\x00\xff" * 500)
    (small.corpus / "notes.docx").write_bytes(b"PK\x03\x04")
    (small.corpus / "kestrel-moor.txt").write_bytes("Caf\u00e9".encode("cp1252") * 50)
    result = build_index(small)
    reasons = dict(result.skipped)
    assert set(reasons) == {"broken.pdf", "junk.txt", "notes.docx", "kestrel-moor.txt"}
    assert "UTF-8" in reasons["kestrel-moor.txt"] and "iconv" in reasons["kestrel-moor.txt"]
    after = {d["name"]: d["sha256"] for d in KnowledgeBase.open(small).store.documents()}
    assert after == before  # the old version of a file that now fails is kept, not lost


def test_crash_mid_build_leaves_the_live_index_usable(small, monkeypatch) -> None:
    build_index(small)
    live = current_build(small.index)
    (small.corpus / "extra.txt").write_text("Extra\n\nSome new words about reablement.\n", encoding="utf-8")

    def boom(self):
        raise RuntimeError("power cut")

    monkeypatch.setattr(store_module.Writer, "commit", boom)
    with pytest.raises(RuntimeError):
        build_index(small)
    assert current_build(small.index) == live
    assert len(list((small.index / "builds").iterdir())) == 1  # the half build was removed
    assert "extra.txt" not in {d["name"] for d in KnowledgeBase.open(small).store.documents()}


def test_missing_and_stale_indexes_are_refused(small) -> None:
    with pytest.raises(IndexMissingError, match="cqc-kb reindex"):
        Store.open(small)
    build_index(small)
    with pytest.raises(StaleIndexError, match="run `cqc-kb reindex`") as info:
        Store.open(small.replace(chunk_tokens=120))
    assert "chunk_tokens" in str(info.value)
    rebuilt = build_index(small.replace(chunk_tokens=120))
    assert rebuilt.rebuilt and Store.open(small.replace(chunk_tokens=120)).chunk_count() > 0


def test_index_is_plain_files(hash_settings) -> None:
    build = current_build(hash_settings.index)
    names = {p.name for p in build.iterdir()}
    assert names == {"manifest.json", "kb.sqlite", "vectors.faiss", "sentences.faiss"}
    for path in build.iterdir():
        assert b"\x80\x04\x95" not in path.read_bytes()[:3]  # no pickle stream
