"""Vector segments: a reindex that adds, replaces or removes reports links the live build's
vector files and writes only the new vectors, and the index it makes is the index a full
reindex of the same corpus makes, row for row and vector for vector."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import zlib
from pathlib import Path

import numpy as np
import pytest

from conftest import make_settings

from cqc_kb import store as store_module
from cqc_kb.embed import HashEmbedder
from cqc_kb.errors import DamagedIndexError
from cqc_kb.kb import build_index
from cqc_kb.settings import Settings
from cqc_kb.store import Store, current_build, read_manifest

TERMS = ("carers", "safeguarding", "waiting", "reablement", "direct payments")


def _rows(db: sqlite3.Connection, sql: str) -> list[tuple]:
    return [tuple(r) for r in db.execute(sql)]


def snapshot(settings: Settings) -> dict:
    """Everything a reader sees in the live index, without row ids (a full reindex numbers
    rows afresh), with each vector under its row's content; opened with every check."""
    store = Store.open(settings, verify_checksums=True)
    try:
        db = store.db
        chunks = _rows(db, 'SELECT id, chunk_id, document, ordinal, start, "end", page, section, theme,'
                           " statement, text, embed_key FROM chunks ORDER BY chunk_id")
        sentences = _rows(db, 'SELECT id, document, start, "end", key, embed_key FROM sentences'
                              ' ORDER BY document, start, "end"')
        assert store.vectors.ntotal == len(chunks) and store.sentence_vectors.ntotal == len(sentences)
        return {
            "documents": _rows(db, "SELECT name, sha256, fmt, pages, title, text, is_cqc, authority, published,"
                                   " rating, rating_start, rating_end, percentage, warnings FROM documents ORDER BY name"),
            "chunks": [r[1:] for r in chunks],
            "chunk_vectors": np.vstack([store.vectors.reconstruct(int(r[0])) for r in chunks]),
            "sentences": [r[1:] for r in sentences],
            "sentence_vectors": np.vstack([store.sentence_vectors.reconstruct(int(r[0])) for r in sentences]),
            "statements": _rows(db, "SELECT * FROM statements ORDER BY document, position"),
            "sections": _rows(db, 'SELECT * FROM sections ORDER BY document, start, "end", path'),
            "term_df": _rows(db, "SELECT * FROM term_df ORDER BY term"),
            "sentence_councils": _rows(db, "SELECT * FROM sentence_councils ORDER BY key, council"),
            "bm25": [_rows(db, "SELECT c.chunk_id, round(bm25(chunks_fts), 6) FROM chunks_fts"
                               " JOIN chunks c ON c.id = chunks_fts.rowid WHERE chunks_fts MATCH"
                               f" '\"{term}\"' ORDER BY 2, 1") for term in TERMS],
        }
    finally:
        store.close()


def assert_same(a: dict, b: dict) -> None:
    for key in a:
        if key.endswith("vectors"):
            assert a[key].shape == b[key].shape and np.array_equal(a[key], b[key]), key
        else:
            assert a[key] == b[key], key
    assert len(a["chunks"]) > 50 and len(a["sentences"]) > 200 and any(a["bm25"])


def full_snapshot(corpus: Path, index: Path) -> dict:
    settings = make_settings(corpus, index)
    build_index(settings, full=True, embedder=HashEmbedder())
    return snapshot(settings)


def removed_ids(settings: Settings) -> list[tuple[str, int]]:
    with sqlite3.connect(current_build(settings.index) / "kb.sqlite") as db:
        return _rows(db, "SELECT kind, id FROM removed_vectors")


@pytest.fixture()
def library(fixture_corpus: Path, tmp_path: Path) -> Settings:
    """The fixture corpus but its HTML report, indexed; the report waits in ``tmp_path/held``."""
    corpus = tmp_path / "corpus"
    shutil.copytree(fixture_corpus, corpus)
    held = tmp_path / "held"
    held.mkdir()
    for path in corpus.glob("*.html"):
        path.rename(held / path.name)
    assert list(held.iterdir())
    settings = make_settings(corpus, tmp_path / "index")
    build_index(settings, embedder=HashEmbedder())
    return settings


def test_an_added_report_links_the_live_segments_and_equals_a_full_reindex(library: Settings, tmp_path) -> None:
    before = current_build(library.index)
    inodes = {name: (before / name).stat().st_ino for name in ("vectors.faiss", "sentences.faiss")}
    for path in (tmp_path / "held").iterdir():
        shutil.copy(path, library.corpus / path.name)
    result = build_index(library, embedder=HashEmbedder())
    assert result.added and not result.updated and not result.removed
    build = current_build(library.index)
    manifest = read_manifest(build)
    assert manifest.segments("vectors") == ["vectors.faiss", "vectors.1.faiss"]
    assert manifest.segments("sentences") == ["sentences.faiss", "sentences.1.faiss"]
    # The unchanged vectors were not written again: the same files, now only in the new build.
    assert {name: (build / name).stat().st_ino for name in inodes} == inodes
    assert not before.exists()
    assert_same(snapshot(library), full_snapshot(library.corpus, tmp_path / "full"))


def test_replaced_and_removed_reports_leave_no_vector_behind(library: Settings, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(store_module, "MAX_REMOVED_SHARE", 1.0)  # a small library: do not compact
    kestrel = library.corpus / "kestrel-moor.txt"
    kestrel.write_text(kestrel.read_text(encoding="utf-8").replace(
        "\n\n", "\n\nPeople told us the council answered their calls within a day.\n\n", 1), encoding="utf-8")
    gone = next(library.corpus.glob("*.pdf"))
    gone.unlink()
    before = max(r[0] for r in sqlite3.connect(current_build(library.index) / "kb.sqlite").execute(
        "SELECT max(id) FROM chunks"))
    result = build_index(library, embedder=HashEmbedder())
    assert result.updated == ["kestrel-moor.txt"] and result.removed == [gone.name]
    removed = removed_ids(library)
    assert {kind for kind, _ in removed} == {"chunks", "sentences"}
    # Removed vectors stay in the linked segments, listed; their ids are never given again.
    with sqlite3.connect(current_build(library.index) / "kb.sqlite") as db:
        new_ids = [r[0] for r in db.execute("SELECT id FROM chunks WHERE document = 'kestrel-moor.txt'")]
    assert min(new_ids) > before and not {i for k, i in removed if k == "chunks"} & set(new_ids)
    assert_same(snapshot(library), full_snapshot(library.corpus, tmp_path / "full"))


def test_segments_are_compacted_into_one(library: Settings, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(store_module, "MAX_SEGMENTS", 2)
    held = sorted((tmp_path / "held").iterdir())
    shutil.copy(held[0], library.corpus / "first.html")
    build_index(library, embedder=HashEmbedder())
    assert read_manifest(current_build(library.index)).segments("vectors") == ["vectors.faiss", "vectors.1.faiss"]
    shutil.copy(held[0], library.corpus / "second.html")
    (library.corpus / "first.html").unlink()
    result = build_index(library, embedder=HashEmbedder())
    assert result.added == ["second.html"] and result.removed == ["first.html"]
    manifest = read_manifest(current_build(library.index))
    assert manifest.segments("vectors") == ["vectors.faiss"] and manifest.segments("sentences") == ["sentences.faiss"]
    assert set(manifest.files) == {"kb.sqlite", "vectors.faiss", "sentences.faiss"}
    assert removed_ids(library) == []
    assert_same(snapshot(library), full_snapshot(library.corpus, tmp_path / "full"))


def test_removing_most_of_the_library_compacts(library: Settings, tmp_path) -> None:
    keep = sorted(library.corpus.iterdir())[0]
    for path in library.corpus.iterdir():
        if path != keep:
            path.unlink()
    build_index(library, embedder=HashEmbedder())
    assert removed_ids(library) == []
    assert read_manifest(current_build(library.index)).segments("vectors") == ["vectors.faiss"]
    store = Store.open(library, verify_checksums=True)
    try:
        assert [d["name"] for d in store.documents()] == [keep.name]
        assert store.vectors.ntotal == store.chunk_count() > 0
    finally:
        store.close()


def test_a_crash_before_the_swap_leaves_the_live_index_whole(library: Settings, tmp_path, monkeypatch) -> None:
    live = current_build(library.index)
    was = snapshot(library)
    for path in (tmp_path / "held").iterdir():
        shutil.copy(path, library.corpus / path.name)
    real_replace = os.replace

    def power_cut(src, dst):
        if str(dst).endswith("CURRENT"):
            raise OSError("power cut")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError, match="power cut"):
        build_index(library, embedder=HashEmbedder())
    monkeypatch.setattr(os, "replace", real_replace)
    assert current_build(library.index) == live
    assert [p.name for p in (library.index / "builds").iterdir()] == [live.name]
    assert_same(snapshot(library), was)
    assert build_index(library, embedder=HashEmbedder()).added
    assert_same(snapshot(library), full_snapshot(library.corpus, tmp_path / "full"))


def test_leftover_builds_go_and_the_files_the_live_build_links_stay(library: Settings, tmp_path) -> None:
    for path in (tmp_path / "held").iterdir():
        shutil.copy(path, library.corpus / path.name)
    build_index(library, embedder=HashEmbedder())
    live = current_build(library.index)
    # What an interrupted reindex leaves: a build folder linking the live build's files.
    leftover = library.index / "builds" / "20000101T000000-1-1"
    leftover.mkdir()
    for name in read_manifest(live).data_files():
        if name != "kb.sqlite":
            os.link(live / name, leftover / name)
    result = build_index(library, embedder=HashEmbedder())
    assert result.leftovers == [f"builds/{leftover.name}"] and not leftover.exists()
    assert current_build(library.index) == live
    assert all((live / name).exists() for name in read_manifest(live).data_files())
    assert_same(snapshot(library), full_snapshot(library.corpus, tmp_path / "full"))


@pytest.mark.parametrize("how", ["garbled", "truncated", "deleted"])
def test_a_damaged_later_segment_is_named_and_reindex_repairs_it(library: Settings, tmp_path, how) -> None:
    for path in (tmp_path / "held").iterdir():
        shutil.copy(path, library.corpus / path.name)
    build_index(library, embedder=HashEmbedder())
    segment = current_build(library.index) / "sentences.1.faiss"
    data = bytearray(segment.read_bytes())
    if how == "garbled":
        data[len(data) // 2:len(data) // 2 + 16] = b"\x7f" * 16
        segment.write_bytes(bytes(data))
        expected = "sentences.1.faiss does not match its checksum"
    elif how == "truncated":
        segment.write_bytes(bytes(data[:100]))
        expected = f"sentences.1.faiss is 100 bytes, the manifest says {len(data)}"
    else:
        segment.unlink()
        expected = "sentences.1.faiss is missing"
    with pytest.raises(DamagedIndexError, match=expected):
        Store.open(library, verify_checksums=True)
    result = build_index(library, embedder=HashEmbedder())
    assert result.repaired and expected in result.repaired and result.rebuilt
    assert_same(snapshot(library), full_snapshot(library.corpus, tmp_path / "full"))


def test_a_manifest_naming_a_file_outside_its_build_is_damaged(library: Settings) -> None:
    path = current_build(library.index) / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["files"]["../../vectors.1.faiss"] = {"bytes": 1, "crc32": 1}
    path.write_text(json.dumps(manifest))
    with pytest.raises(DamagedIndexError, match="lacks a valid files"):
        Store.open(library)


def test_a_build_from_before_segments_opens_and_takes_an_added_report(library: Settings, tmp_path) -> None:
    build = current_build(library.index)
    with sqlite3.connect(build / "kb.sqlite") as db:
        db.execute("DROP TABLE removed_vectors")
    db.close()
    manifest = json.loads((build / "manifest.json").read_text())
    data = (build / "kb.sqlite").read_bytes()
    manifest["files"]["kb.sqlite"] = {"bytes": len(data), "crc32": zlib.crc32(data)}
    (build / "manifest.json").write_text(json.dumps(manifest))
    assert snapshot(library)["documents"]
    for path in (tmp_path / "held").iterdir():
        shutil.copy(path, library.corpus / path.name)
    assert build_index(library, embedder=HashEmbedder()).added
    assert_same(snapshot(library), full_snapshot(library.corpus, tmp_path / "full"))
