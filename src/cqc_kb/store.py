"""The index on disk: plain files, swapped in atomically.

Layout under the index folder::

    CURRENT                  name of the live build (replaced atomically)
    builds/<name>/manifest.json   model, dimension, settings and their hash, counts
    builds/<name>/kb.sqlite       documents, chunks, FTS5 (BM25) table, report structure
    builds/<name>/vectors.faiss   inner-product FAISS index; ids are chunk row ids
    builds/<name>/sentences.faiss sentence vectors (ids are sentence row ids), for answers

A rebuild writes a new build folder and only then points CURRENT at it, so a crash half-way
leaves the previous build usable. No pickle anywhere.

Opening a build checks it (see :meth:`Store.open`): the manifest has every field, each data
file has the size the manifest records, kb.sqlite matches its CRC-32 and holds every table
with the counted rows, and both FAISS files load with the right dimension and counts. A
reindex also checks the FAISS files' CRC-32 (it is the only full read of the vectors) and
rebuilds a build that fails any check.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import sqlite3
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import faiss
import numpy as np

from .chunk import embed_text
from .errors import DamagedIndexError, IndexBusyError, IndexMissingError, StaleIndexError
from .records import Chunk, Document, Report, SECTION_SEP
from .settings import PIPELINE_VERSION, Settings
from .structure import authority_key
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
    section TEXT NOT NULL, theme TEXT, statement TEXT, text TEXT NOT NULL,
    embed_key INTEGER NOT NULL  -- text_key of the text embedded for it: its vector is reused for that text
);
CREATE INDEX IF NOT EXISTS chunks_document ON chunks(document);
CREATE INDEX IF NOT EXISTS chunks_embed_key ON chunks(embed_key);
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
    start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    key INTEGER NOT NULL,  -- sentence_key of its text: is it the report template? (sentence_councils)
    embed_key INTEGER NOT NULL  -- text_key of its exact text: its vector is reused for that text
);
CREATE INDEX IF NOT EXISTS sentences_span ON sentences(document, start);
CREATE INDEX IF NOT EXISTS sentences_embed_key ON sentences(embed_key);
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
-- _count_statistics): passages holding each content term, and which councils' reports hold
-- each normalised sentence (one found in several councils' is the CQC template's own wording).
CREATE TABLE IF NOT EXISTS term_df (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sentence_councils (
    key INTEGER NOT NULL, council TEXT NOT NULL, documents INTEGER NOT NULL, PRIMARY KEY (key, council)
) WITHOUT ROWID;
"""

#: Tables a build must hold: every table the schema creates.
REQUIRED_TABLES = tuple(re.findall(r"CREATE (?:VIRTUAL )?TABLE IF NOT EXISTS (\w+)", SCHEMA))

#: The files of a build whose size and CRC-32 the manifest records.
DATA_FILES = ("kb.sqlite", "vectors.faiss", "sentences.faiss")

#: What a Writer names its builds: CURRENT holding anything else is damaged, never a path.
_BUILD_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")

#: How often Store.open follows CURRENT when a reindex swaps builds while it opens one.
_OPEN_ATTEMPTS = 3


def sentence_key(text: str) -> int:
    """A 64-bit key for a sentence's normalised text (stored instead of the text itself)."""
    digest = hashlib.blake2b(normalise(text).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def text_key(text: str) -> int:
    """A 64-bit key for a text exactly as the model embeds it (not normalised)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little", signed=True)


class SharedSentences:
    """``normalised_sentence in shared``: is this sentence in more than one council's reports?
    (Two assessments of one council share most sentences; that is not template.)

    Answers from the ``sentence_councils`` table, one lookup per new sentence, remembered.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._seen: dict[str, bool] = {}

    def __contains__(self, sentence: object) -> bool:
        if not isinstance(sentence, str):
            return False
        if sentence not in self._seen:
            row = self._db.execute("SELECT count(*) FROM sentence_councils WHERE key = ?",
                                   (sentence_key(sentence),)).fetchone()
            self._seen[sentence] = row[0] > 1
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
    #: Indexed answer sentences; None in manifests written before it was recorded.
    sentences: int | None = None
    #: ``{file: {"bytes": size, "crc32": checksum}}`` for :data:`DATA_FILES`; empty in
    #: manifests written before they were recorded (those builds get the other checks only).
    files: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


_MANIFEST_TYPES: dict[str, type] = {
    "settings_hash": str, "settings": dict, "model": str, "dim": int, "pipeline": str,
    "built_at": str, "documents": int, "chunks": int}


def _connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _pointer_name(index_dir: Path) -> str | None:
    """The build name in CURRENT, or None when it is missing, unreadable or not a build name."""
    try:
        with (index_dir / "CURRENT").open("rb") as fh:
            raw = fh.read(256)
        name = raw.decode("utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name if _BUILD_NAME.fullmatch(name) else None


def current_build(index_dir: Path) -> Path | None:
    """The live build folder, or None when no index has been built (or CURRENT is unusable)."""
    name = _pointer_name(index_dir)
    if name is None:
        return None
    build = index_dir / "builds" / name
    return build if (build / "manifest.json").exists() else None


def _live_build(settings: Settings) -> Path:
    """The build CURRENT names; IndexMissingError before the first build, DamagedIndexError
    when CURRENT is missing beside finished builds, unreadable, or names no build."""
    index_dir = settings.index
    pointer = index_dir / "CURRENT"
    if not pointer.exists() and not pointer.is_symlink():
        if not any((index_dir / "builds").glob("*/manifest.json")):
            raise IndexMissingError(
                f"no index in {index_dir}; run `cqc-kb reindex` to build it from {settings.corpus}")
        raise DamagedIndexError(index_dir, "the pointer file CURRENT is missing")
    name = _pointer_name(index_dir)
    if name is None:
        raise DamagedIndexError(index_dir, "CURRENT is unreadable or does not name a build")
    build = index_dir / "builds" / name
    if not build.is_dir():
        raise DamagedIndexError(index_dir, f"CURRENT names build {name}, which is missing")
    return build


def read_manifest(build: Path) -> Manifest:
    """The build's manifest; DamagedIndexError when it is missing, not JSON or lacks a field."""
    index_dir = build.parent.parent
    path = build / "manifest.json"
    try:
        if path.stat().st_size > 1_000_000:
            raise DamagedIndexError(index_dir, "manifest.json is far too large to be a manifest")
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise DamagedIndexError(index_dir, f"manifest.json of build {build.name} is missing") from None
    except OSError as exc:
        raise DamagedIndexError(index_dir, f"manifest.json cannot be read ({exc.strerror})") from None
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise DamagedIndexError(index_dir, "manifest.json is not valid JSON") from None
    if not isinstance(data, dict):
        raise DamagedIndexError(index_dir, "manifest.json is not a JSON object")

    def wrong(key: str, kind: type) -> bool:
        value = data.get(key)
        return not isinstance(value, kind) or kind is int and (isinstance(value, bool) or value < 0)

    bad = [k for k, kind in _MANIFEST_TYPES.items() if wrong(k, kind)]
    if data.get("sentences") is not None and wrong("sentences", int):
        bad.append("sentences")
    files = data.get("files", {})
    if not (isinstance(files, dict) and all(
            isinstance(v, dict) and all(isinstance(v.get(k), int) for k in ("bytes", "crc32"))
            for v in files.values())):
        bad.append("files")
    if bad or data["dim"] == 0:
        raise DamagedIndexError(index_dir, f"manifest.json lacks a valid {', '.join(bad) or 'dim'}")
    return Manifest(**{k: data[k] for k in Manifest.__dataclass_fields__ if k in data})


def _crc32(path: Path) -> int:
    crc = 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            crc = zlib.crc32(block, crc)
    return crc


def _file_record(path: Path) -> dict[str, int]:
    return {"bytes": path.stat().st_size, "crc32": _crc32(path)}


def _check_files(build: Path, manifest: Manifest, checksummed: Sequence[str]) -> None:
    """Every data file exists with its recorded size; those in ``checksummed`` match their CRC."""
    index_dir = build.parent.parent
    for name in DATA_FILES:
        record = manifest.files.get(name)
        try:
            size = (build / name).stat().st_size
            crc = _crc32(build / name) if record and name in checksummed else None
        except FileNotFoundError:
            raise DamagedIndexError(index_dir, f"{name} is missing") from None
        except OSError as exc:
            raise DamagedIndexError(index_dir, f"{name} cannot be read ({exc.strerror})") from None
        if record is None:
            continue
        if size != record["bytes"]:
            raise DamagedIndexError(index_dir, f"{name} is {size} bytes, the manifest says {record['bytes']}")
        if crc is not None and crc != record["crc32"]:
            raise DamagedIndexError(index_dir, f"{name} does not match its checksum")


def _check_database(db: sqlite3.Connection, build: Path, manifest: Manifest) -> int:
    """Tables present and row counts as recorded; returns the number of sentences."""
    index_dir = build.parent.parent
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in REQUIRED_TABLES if t not in tables]
        if missing:
            raise DamagedIndexError(index_dir, f"kb.sqlite lacks the table {', '.join(missing)}")
        docs, chunks, sentences = db.execute(
            "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM chunks),"
            " (SELECT count(*) FROM sentences)").fetchone()
    except sqlite3.DatabaseError as exc:
        raise DamagedIndexError(index_dir, f"kb.sqlite cannot be read: {exc}") from None
    if (docs, chunks) != (manifest.documents, manifest.chunks) or \
            manifest.sentences is not None and sentences != manifest.sentences:
        raise DamagedIndexError(
            index_dir, f"kb.sqlite holds {docs} documents, {chunks} passages and {sentences} sentences; "
                       f"the manifest says {manifest.documents}, {manifest.chunks} and {manifest.sentences}")
    return int(sentences)


def _read_vectors(path: Path, manifest: Manifest, count: int) -> faiss.IndexIDMap2:
    """A FAISS file of the build, checked for type, dimension and number of vectors."""
    index_dir = path.parent.parent.parent
    try:
        index = faiss.read_index(str(path))
    except RuntimeError:  # faiss reports missing, truncated and garbled files alike
        raise DamagedIndexError(index_dir, f"{path.name} is not a readable FAISS index") from None
    if not isinstance(index, faiss.IndexIDMap2) or index.d != manifest.dim or index.ntotal != count:
        raise DamagedIndexError(
            index_dir, f"{path.name} holds {index.ntotal} vectors of dimension {index.d}; "
                       f"expected {count} of dimension {manifest.dim}")
    return index


class Store:
    """Read access to one build: documents, chunks, BM25 and vectors."""

    def __init__(self, build: Path, manifest: Manifest, readonly: bool = True) -> None:
        """Load one build, checking its tables, counts and vectors against ``manifest``."""
        self.build = build
        self.manifest = manifest
        try:
            self.db = _connect(build / "kb.sqlite", readonly=readonly)
        except sqlite3.DatabaseError as exc:
            raise DamagedIndexError(build.parent.parent, f"kb.sqlite cannot be opened: {exc}") from None
        try:
            sentences = _check_database(self.db, build, manifest)
            self.vectors = _read_vectors(build / "vectors.faiss", manifest, manifest.chunks)
            self.sentence_vectors = _read_vectors(build / "sentences.faiss", manifest, sentences)
        except BaseException:
            self.db.close()
            raise
        self._texts: dict[str, str] = {}

    @classmethod
    def open(cls, settings: Settings, verify_checksums: bool = False) -> "Store":
        """Open and check the live index, refusing one built with different settings.

        Raises IndexMissingError, StaleIndexError, or DamagedIndexError naming what was found.
        ``verify_checksums`` also reads the FAISS files once more to compare their CRC-32
        (kb.sqlite's is always compared); reindex uses it, queries skip that cost.
        """
        attempt = 1
        while True:
            before = _pointer_name(settings.index)
            try:
                return cls._open_build(settings, _live_build(settings), verify_checksums)
            except DamagedIndexError:
                # A reindex may have swapped in a new build, and removed this one, between
                # reading CURRENT and opening the files: then open the new one.
                if attempt == _OPEN_ATTEMPTS or _pointer_name(settings.index) == before:
                    raise
                attempt += 1

    @classmethod
    def _open_build(cls, settings: Settings, build: Path, verify_checksums: bool) -> "Store":
        manifest = read_manifest(build)
        if manifest.settings_hash != settings.index_hash():
            changed = [f"{k}: index has {manifest.settings.get(k)!r}, settings say {v!r}"
                       for k, v in settings.index_settings().items() if manifest.settings.get(k) != v]
            if manifest.pipeline != PIPELINE_VERSION:
                changed.append(f"pipeline version {manifest.pipeline} -> {PIPELINE_VERSION}")
            raise StaleIndexError(
                f"the index in {settings.index} was built with other settings "
                f"({'; '.join(changed) or 'settings hash differs'}); run `cqc-kb reindex` to rebuild it")
        _check_files(build, manifest, DATA_FILES if verify_checksums else ("kb.sqlite",))
        store = cls(build, manifest)
        if verify_checksums and "kb.sqlite" not in manifest.files:
            # Built before checksums were recorded: SQLite's own structural check stands in.
            try:
                ok = [r[0] for r in store.db.execute("PRAGMA quick_check")] == ["ok"]
            except sqlite3.DatabaseError:
                ok = False
            if not ok:
                store.close()
                raise DamagedIndexError(settings.index, "kb.sqlite fails SQLite's quick_check")
        return store

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

    def page_spans(self, document: str) -> dict[int, tuple[int, int]]:
        """Where each page of a PDF sits in its stored text, as far as the passages tell: from
        the first passage that starts on the page to the first that starts on a later page."""
        rows = self.db.execute(
            'SELECT page, min(start) AS s, max("end") AS e FROM chunks WHERE document = ? AND page IS NOT NULL'
            " GROUP BY page ORDER BY page", (document,)).fetchall()
        spans = {}
        for row, nxt in zip(rows, [*rows[1:], None]):
            spans[row["page"]] = (row["s"], max(row["s"], nxt["s"]) if nxt is not None else row["e"])
        return spans

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

    def sentence_keys_in(self, document: str, start: int, end: int) -> list[tuple[int, int, int]]:
        """(start, end, :func:`sentence_key`) of the indexed sentences inside a span of a document."""
        return [tuple(r) for r in self.db.execute(
            'SELECT start, "end", key FROM sentences WHERE document = ? AND start >= ? AND "end" <= ?'
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

    def shared_keys(self, keys: Iterable[int]) -> set[int]:
        """Those of ``keys`` (:func:`sentence_key`) whose sentence is in more than one council's
        reports, in one query."""
        rows = self.db.execute(
            "SELECT key FROM sentence_councils WHERE key IN (SELECT value FROM json_each(?))"
            " GROUP BY key HAVING count(*) > 1", (json.dumps(sorted(set(keys))),)).fetchall()
        return {r[0] for r in rows}

    def shared_sentences(self) -> SharedSentences:
        """The normalised sentences found in more than one document, as a lookup."""
        return SharedSentences(self.db)


def council_of(name: str, is_cqc: bool, authority: str | None) -> str:
    """Whose report a document is, as :mod:`cqc_kb.assessments` groups them: a CQC report by
    its council, any other document by itself."""
    if is_cqc and authority:
        return authority_key(authority) or authority.strip().lower()
    return name


def _count_statistics(db: sqlite3.Connection, council: str, text: str, chunk_texts: Sequence[str],
                      sentences: Sequence[tuple[int, int]], sign: int) -> None:
    """Add (``sign`` 1) or take away (-1) one document's share of the stored statistics."""
    df: Counter = Counter()
    for chunk_text in chunk_texts:
        df.update(set(content_terms(chunk_text)))
    db.executemany("INSERT INTO term_df (term, df) VALUES (?, ?)"
                   " ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
                   [(term, sign * n) for term, n in df.items()])
    keys = {sentence_key(text[s:e]) for s, e in sentences}
    db.executemany("INSERT INTO sentence_councils (key, council, documents) VALUES (?, ?, ?)"
                   " ON CONFLICT(key, council) DO UPDATE SET documents = documents + excluded.documents",
                   [(key, council, sign) for key in keys])
    if sign < 0:
        db.execute("DELETE FROM term_df WHERE df <= 0")
        db.execute("DELETE FROM sentence_councils WHERE documents <= 0")


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
        row = self.db.execute("SELECT text, is_cqc, authority FROM documents WHERE name = ?",
                              (name,)).fetchone()
        if row is not None:
            _count_statistics(self.db, council_of(name, bool(row["is_cqc"]), row["authority"]), row["text"],
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
                " statement, text, embed_key) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (chunk.chunk_id, chunk.document, chunk.ordinal, chunk.start, chunk.end, chunk.page,
                 chunk.section_label, chunk.theme, chunk.statement, chunk.text,
                 text_key(embed_text(chunk, self.settings.embed_headings))))
            ids.append(cur.lastrowid)
        if ids:
            self.vectors.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                                      np.asarray(ids, dtype=np.int64))
        sids = [self.db.execute('INSERT INTO sentences (document, start, "end", key, embed_key) VALUES (?,?,?,?,?)',
                                (doc.name, s, e, sentence_key(doc.text[s:e]), text_key(doc.text[s:e]))).lastrowid
                for s, e in sentences]
        if sids:
            self.sentence_vectors.add_with_ids(np.ascontiguousarray(sentence_vectors, dtype=np.float32),
                                               np.asarray(sids, dtype=np.int64))
        _count_statistics(self.db, council_of(doc.name, report.is_cqc, report.authority), doc.text,
                          [c.text for c in chunks], sentences, 1)

    def known_vectors(self, passages: Sequence[str], sentences: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors this build already holds for any of these texts, exactly as they would be
        embedded, found by :func:`text_key`: a passage's embedded text, and an answer
        sentence's text when sentence vectors are encoded on their own (a pooled one carries its
        passage's context, so it is not the vector of its text alone).

        Every report repeats CQC's own wording (each statement's "We statement" and "What
        people expect"), so a report added to a library, or every report after the first few of
        a full reindex, finds many of its texts here instead of in the model.
        """
        found: dict[str, np.ndarray] = {}
        tables = [("chunks", self.vectors, passages)]
        if self.settings.sentence_vectors == "encoded":
            tables.append(("sentences", self.sentence_vectors, sentences))
        for table, vectors, texts in tables:
            wanted = {text_key(t): t for t in texts}
            for key, row in self.db.execute(
                    f"SELECT embed_key, MIN(id) FROM {table} WHERE embed_key IN (SELECT value FROM json_each(?))"
                    " GROUP BY embed_key", (json.dumps(list(wanted)),)):
                found.setdefault(wanted[key], vectors.reconstruct(int(row)))
        return found

    def commit(self) -> Manifest:
        """Write everything, then atomically make this build the live one."""
        self.db.commit()
        docs, chunks, sentences = (int(v) for v in self.db.execute(
            "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM chunks),"
            " (SELECT count(*) FROM sentences)").fetchone())
        self.db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('optimize')")
        self.db.commit()
        self.db.close()
        faiss.write_index(self.vectors, str(self.build / "vectors.faiss"))
        faiss.write_index(self.sentence_vectors, str(self.build / "sentences.faiss"))
        manifest = Manifest(settings_hash=self.settings.index_hash(),
                            settings=self.settings.index_settings(), model=self.model, dim=self.dim,
                            pipeline=PIPELINE_VERSION, built_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
                            documents=docs, chunks=chunks, sentences=sentences,
                            files={name: _file_record(self.build / name) for name in DATA_FILES})
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
        _fsync_dir(self.index_dir)  # the rename itself survives a power cut
        remove_leftovers(self.index_dir)
        return manifest

    def abort(self) -> None:
        """Throw the half-written build away; the live index is untouched."""
        with contextlib.suppress(Exception):
            self.db.close()
        shutil.rmtree(self.build, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_leftovers(index_dir: Path) -> list[str]:
    """Remove every build folder but the live one, and temporary pointer files: what a
    finished swap replaced and what interrupted reindexes left. Call it holding the write lock.

    Readers are not disturbed: the live build is never touched; a reader that still has an
    older build open keeps reading it (removed files stay readable through open handles), and
    one that read CURRENT just before a swap follows the new pointer (see :meth:`Store.open`).
    """
    live = _pointer_name(index_dir)
    removed = []
    for tmp in index_dir.glob("CURRENT.tmp*"):
        tmp.unlink(missing_ok=True)
        removed.append(tmp.name)
    builds = index_dir / "builds"
    for old in sorted(builds.iterdir()) if builds.is_dir() else ():
        if old.name == live:
            continue
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
        removed.append(f"builds/{old.name}")
    return removed


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
