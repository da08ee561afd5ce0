"""The index on disk: plain files, swapped in atomically.

Layout under the index folder::

    CURRENT                  name of the live build (replaced atomically)
    builds/<name>/manifest.json   model, dimension, settings and their hash, counts
    builds/<name>/kb.sqlite       documents, chunks, FTS5 (BM25) table, report structure
    builds/<name>/vectors.faiss   inner-product FAISS index; ids are chunk row ids
    builds/<name>/sentences.faiss sentence vectors (ids are sentence row ids), for answers

A rebuild writes a new build folder and only then points CURRENT at it, so a crash half-way
leaves the previous build usable. No pickle anywhere.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import faiss
import numpy as np

from .errors import IndexBusyError, IndexMissingError, StaleIndexError
from .records import Chunk, Document, Report, SECTION_SEP
from .settings import PIPELINE_VERSION, Settings
from .text import content_terms, normalise

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, fmt TEXT NOT NULL, pages INTEGER, title TEXT,
    text TEXT NOT NULL, indexed_at TEXT NOT NULL, is_cqc INTEGER NOT NULL, authority TEXT,
    published TEXT, rating TEXT, rating_start INTEGER, rating_end INTEGER, percentage REAL,
    warnings TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL,
    document TEXT NOT NULL REFERENCES documents(name) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, page INTEGER,
    section TEXT NOT NULL, theme TEXT, statement TEXT, text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_document ON chunks(document);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, section, content='chunks', content_rowid='id', tokenize='porter unicode61'
);
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text, section) VALUES (new.id, new.text, new.section);
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text, section) VALUES ('delete', old.id, old.text, old.section);
END;
CREATE TABLE IF NOT EXISTS sentences (
    id INTEGER PRIMARY KEY, document TEXT NOT NULL REFERENCES documents(name) ON DELETE CASCADE,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sentences_span ON sentences(document, start);
CREATE TABLE IF NOT EXISTS statements (
    document TEXT NOT NULL REFERENCES documents(name) ON DELETE CASCADE,
    position INTEGER NOT NULL, name TEXT NOT NULL, theme TEXT NOT NULL, score INTEGER,
    label TEXT, start INTEGER, "end" INTEGER, page INTEGER,
    PRIMARY KEY (document, name)
);
CREATE TABLE IF NOT EXISTS sections (
    document TEXT NOT NULL REFERENCES documents(name) ON DELETE CASCADE,
    path TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, theme TEXT, statement TEXT
);
CREATE INDEX IF NOT EXISTS sections_document ON sections(document);
-- Statistics kept at index time so that no question has to scan the library (see
-- _count_statistics): passages holding each content term, and how many documents hold each
-- normalised sentence (a sentence found in several is the CQC template's own wording).
CREATE TABLE IF NOT EXISTS term_df (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sentence_keys (key INTEGER PRIMARY KEY, documents INTEGER NOT NULL);
"""


def sentence_key(text: str) -> int:
    """A 64-bit key for a sentence's normalised text (stored instead of the text itself)."""
    digest = hashlib.blake2b(normalise(text).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


class SharedSentences:
    """``normalised_sentence in shared``: is this sentence in more than one indexed document?

    Answers from the ``sentence_keys`` table, one lookup per new sentence, remembered.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._seen: dict[str, bool] = {}

    def __contains__(self, sentence: object) -> bool:
        if not isinstance(sentence, str):
            return False
        if sentence not in self._seen:
            row = self._db.execute("SELECT documents FROM sentence_keys WHERE key = ?",
                                   (sentence_key(sentence),)).fetchone()
            self._seen[sentence] = row is not None and row[0] > 1
        return self._seen[sentence]


@dataclass(frozen=True)
class Manifest:
    """What an index was built with; compared against the settings on every open."""

    settings_hash: str
    settings: dict[str, Any]
    model: str
    dim: int
    pipeline: str
    built_at: str
    documents: int
    chunks: int

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def current_build(index_dir: Path) -> Path | None:
    """The live build folder, or None when no index has been built."""
    pointer = index_dir / "CURRENT"
    try:
        name = pointer.read_text().strip()
    except OSError:
        return None
    build = index_dir / "builds" / name
    return build if (build / "manifest.json").exists() else None


def read_manifest(build: Path) -> Manifest:
    data = json.loads((build / "manifest.json").read_text())
    return Manifest(**{k: data[k] for k in Manifest.__dataclass_fields__})


class Store:
    """Read access to one build: documents, chunks, BM25 and vectors."""

    def __init__(self, build: Path, manifest: Manifest, readonly: bool = True) -> None:
        self.build = build
        self.manifest = manifest
        self.db = _connect(build / "kb.sqlite", readonly=readonly)
        self.vectors = faiss.read_index(str(build / "vectors.faiss"))
        self.sentence_vectors = faiss.read_index(str(build / "sentences.faiss"))
        self._texts: dict[str, str] = {}

    @classmethod
    def open(cls, settings: Settings) -> "Store":
        """Open the live index, refusing one built with different settings."""
        build = current_build(settings.index)
        if build is None:
            raise IndexMissingError(
                f"no index in {settings.index}; run `cqc-kb reindex` to build it from {settings.corpus}")
        manifest = read_manifest(build)
        if manifest.settings_hash != settings.index_hash():
            changed = [f"{k}: index has {manifest.settings.get(k)!r}, settings say {v!r}"
                       for k, v in settings.index_settings().items() if manifest.settings.get(k) != v]
            if manifest.pipeline != PIPELINE_VERSION:
                changed.append(f"pipeline version {manifest.pipeline} -> {PIPELINE_VERSION}")
            raise StaleIndexError(
                f"the index in {settings.index} was built with other settings "
                f"({'; '.join(changed) or 'settings hash differs'}); run `cqc-kb reindex` to rebuild it")
        return cls(build, manifest)

    def close(self) -> None:
        self.db.close()

    def document_text(self, name: str) -> str:
        """Full stored text of a document: what every offset points into."""
        if name not in self._texts:
            row = self.db.execute("SELECT text FROM documents WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise KeyError(name)
            self._texts[name] = row["text"]
        return self._texts[name]

    def documents(self) -> list[sqlite3.Row]:
        """One row per document, with its chunk count."""
        return self.db.execute(
            "SELECT d.name, d.sha256, d.fmt, d.pages, d.title, d.indexed_at, d.is_cqc, d.authority,"
            " d.published, d.rating, d.rating_start, d.rating_end, d.percentage, d.warnings,"
            " length(d.text) AS chars, (SELECT count(*) FROM chunks c WHERE c.document = d.name) AS chunks"
            " FROM documents d ORDER BY coalesce(d.authority, d.name)").fetchall()

    def statements(self, document: str | None = None) -> list[sqlite3.Row]:
        sql = ("SELECT s.*, d.authority FROM statements s JOIN documents d ON d.name = s.document"
               + (" WHERE s.document = ?" if document else "") + " ORDER BY d.authority, s.document, s.position")
        return self.db.execute(sql, (document,) if document else ()).fetchall()

    def sections(self, document: str, statement: str | None = None) -> list[sqlite3.Row]:
        sql = "SELECT * FROM sections WHERE document = ?" + (" AND statement = ?" if statement else "") \
            + " ORDER BY start"
        return self.db.execute(sql, (document, statement) if statement else (document,)).fetchall()

    def chunk_rows(self, ids: Sequence[int]) -> dict[int, sqlite3.Row]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            "SELECT c.*, d.authority, d.published, s.score AS statement_score FROM chunks c"
            " JOIN documents d ON d.name = c.document"
            " LEFT JOIN statements s ON s.document = c.document AND s.name = c.statement"
            f" WHERE c.id IN ({marks})", list(ids)).fetchall()
        return {row["id"]: row for row in rows}

    def sentences_in(self, document: str, start: int, end: int) -> list[tuple[int, int, int]]:
        """(id, start, end) of the indexed sentences inside a span of a document."""
        return [tuple(r) for r in self.db.execute(
            'SELECT id, start, "end" FROM sentences WHERE document = ? AND start >= ? AND "end" <= ?'
            " ORDER BY start", (document, start, end))]

    def sentence_vectors_for(self, ids: Sequence[int]) -> np.ndarray:
        return np.vstack([self.sentence_vectors.reconstruct(int(i)) for i in ids]) if ids else \
            np.zeros((0, self.manifest.dim), dtype=np.float32)

    def chunk_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def term_df(self, term: str) -> int:
        """Number of passages holding a content term (stemmed, as :func:`content_terms` gives)."""
        row = self.db.execute("SELECT df FROM term_df WHERE term = ?", (term,)).fetchone()
        return int(row[0]) if row else 0

    def shared_sentences(self) -> SharedSentences:
        """The normalised sentences found in more than one document, as a lookup."""
        return SharedSentences(self.db)


def _count_statistics(db: sqlite3.Connection, text: str, chunk_texts: Sequence[str],
                      sentences: Sequence[tuple[int, int]], sign: int) -> None:
    """Add (``sign`` 1) or take away (-1) one document's share of the stored statistics."""
    df: Counter = Counter()
    for chunk_text in chunk_texts:
        df.update(set(content_terms(chunk_text)))
    db.executemany("INSERT INTO term_df (term, df) VALUES (?, ?)"
                   " ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
                   [(term, sign * n) for term, n in df.items()])
    keys = {sentence_key(text[s:e]) for s, e in sentences}
    db.executemany("INSERT INTO sentence_keys (key, documents) VALUES (?, ?)"
                   " ON CONFLICT(key) DO UPDATE SET documents = documents + excluded.documents",
                   [(key, sign) for key in keys])
    if sign < 0:
        db.execute("DELETE FROM term_df WHERE df <= 0")
        db.execute("DELETE FROM sentence_keys WHERE documents <= 0")


def _write_document(db: sqlite3.Connection, doc: Document, report: Report) -> None:
    db.execute(
        "INSERT INTO documents (name, sha256, fmt, pages, title, text, indexed_at, is_cqc, authority,"
        " published, rating, rating_start, rating_end, percentage, warnings)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (doc.name, doc.sha256, doc.fmt, doc.pages, doc.title, doc.text,
         time.strftime("%Y-%m-%dT%H:%M:%S"), int(report.is_cqc), report.authority, report.published,
         report.rating, report.rating_span[0] if report.rating_span else None,
         report.rating_span[1] if report.rating_span else None, report.percentage,
         json.dumps(list(report.warnings))))
    db.executemany(
        'INSERT INTO statements (document, position, name, theme, score, label, start, "end", page)'
        " VALUES (?,?,?,?,?,?,?,?,?)",
        [(doc.name, i, s.name, s.theme, s.score, s.label, s.start, s.end, s.page)
         for i, s in enumerate(report.statements)])
    db.executemany(
        'INSERT INTO sections (document, path, start, "end", theme, statement) VALUES (?,?,?,?,?,?)',
        [(doc.name, SECTION_SEP.join(s.path), s.start, s.end, s.theme, s.statement)
         for s in report.sections])


class Writer:
    """Builds a new index folder (a copy of the live one, then changes) and swaps it in."""

    def __init__(self, settings: Settings, dim: int, model: str, full: bool) -> None:
        self.settings = settings
        self.index_dir = settings.index
        self.dim = dim
        self.model = model
        builds = self.index_dir / "builds"
        builds.mkdir(parents=True, exist_ok=True)
        self.name = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 100000}"
        self.build = builds / self.name
        self.build.mkdir()
        live = current_build(self.index_dir)
        if live is not None and not full:
            shutil.copy2(live / "kb.sqlite", self.build / "kb.sqlite")
            self.vectors = faiss.read_index(str(live / "vectors.faiss"))
            self.sentence_vectors = faiss.read_index(str(live / "sentences.faiss"))
        else:
            self.vectors = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
            self.sentence_vectors = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.db = _connect(self.build / "kb.sqlite")
        self.db.executescript(SCHEMA)

    def remove(self, name: str) -> None:
        row = self.db.execute("SELECT text FROM documents WHERE name = ?", (name,)).fetchone()
        if row is not None:
            _count_statistics(self.db, row["text"],
                              [r[0] for r in self.db.execute("SELECT text FROM chunks WHERE document = ?", (name,))],
                              self.db.execute('SELECT start, "end" FROM sentences WHERE document = ?',
                                              (name,)).fetchall(), -1)
        ids = [r[0] for r in self.db.execute("SELECT id FROM chunks WHERE document = ?", (name,))]
        if ids:
            self.vectors.remove_ids(np.asarray(ids, dtype=np.int64))
        sids = [r[0] for r in self.db.execute("SELECT id FROM sentences WHERE document = ?", (name,))]
        if sids:
            self.sentence_vectors.remove_ids(np.asarray(sids, dtype=np.int64))
        self.db.execute("DELETE FROM sentences WHERE document = ?", (name,))
        self.db.execute("DELETE FROM chunks WHERE document = ?", (name,))
        self.db.execute("DELETE FROM documents WHERE name = ?", (name,))

    def add(self, doc: Document, report: Report, chunks: Sequence[Chunk], vectors: np.ndarray,
            sentences: Sequence[tuple[int, int]], sentence_vectors: np.ndarray) -> None:
        _write_document(self.db, doc, report)
        ids = []
        for chunk in chunks:
            cur = self.db.execute(
                'INSERT INTO chunks (chunk_id, document, ordinal, start, "end", page, section, theme,'
                " statement, text) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (chunk.chunk_id, chunk.document, chunk.ordinal, chunk.start, chunk.end, chunk.page,
                 chunk.section_label, chunk.theme, chunk.statement, chunk.text))
            ids.append(cur.lastrowid)
        if ids:
            self.vectors.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                                      np.asarray(ids, dtype=np.int64))
        sids = [self.db.execute('INSERT INTO sentences (document, start, "end") VALUES (?,?,?)',
                                (doc.name, s, e)).lastrowid for s, e in sentences]
        if sids:
            self.sentence_vectors.add_with_ids(np.ascontiguousarray(sentence_vectors, dtype=np.float32),
                                               np.asarray(sids, dtype=np.int64))
        _count_statistics(self.db, doc.text, [c.text for c in chunks], sentences, 1)

    def commit(self) -> Manifest:
        """Write everything, then atomically make this build the live one."""
        self.db.commit()
        docs = int(self.db.execute("SELECT count(*) FROM documents").fetchone()[0])
        chunks = int(self.db.execute("SELECT count(*) FROM chunks").fetchone()[0])
        self.db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('optimize')")
        self.db.commit()
        self.db.close()
        faiss.write_index(self.vectors, str(self.build / "vectors.faiss"))
        faiss.write_index(self.sentence_vectors, str(self.build / "sentences.faiss"))
        manifest = Manifest(settings_hash=self.settings.index_hash(),
                            settings=self.settings.index_settings(), model=self.model, dim=self.dim,
                            pipeline=PIPELINE_VERSION, built_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
                            documents=docs, chunks=chunks)
        (self.build / "manifest.json").write_text(json.dumps(manifest.to_json(), indent=2, default=str))
        for path in self.build.iterdir():
            with path.open("rb") as fh:
                os.fsync(fh.fileno())
        pointer = self.index_dir / "CURRENT"
        tmp = self.index_dir / f"CURRENT.tmp{os.getpid()}"
        tmp.write_text(self.name + "\n")
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, pointer)
        self._prune()
        return manifest

    def abort(self) -> None:
        """Throw the half-written build away; the live index is untouched."""
        with contextlib.suppress(Exception):
            self.db.close()
        shutil.rmtree(self.build, ignore_errors=True)

    def _prune(self) -> None:
        # Older builds are kept only until the next successful build: a reader that opened one
        # moments ago keeps its open file handles on Linux even after removal.
        for old in (self.index_dir / "builds").iterdir():
            if old.name != self.name:
                shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def write_lock(index_dir: Path) -> Iterator[None]:
    """One writer at a time; a second reindex fails at once instead of corrupting the first."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".lock").open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusyError(f"another reindex is writing {index_dir}; wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
