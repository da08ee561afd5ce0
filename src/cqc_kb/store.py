"""The index on disk: plain files, swapped in atomically.

Layout under the index folder::

    CURRENT                  name of the live build (replaced atomically)
    builds/<name>/manifest.json   model, dimension, settings and their hash, counts
    builds/<name>/kb.sqlite       documents, chunks, FTS5 (BM25) table, report structure
    builds/<name>/vectors.faiss   inner-product FAISS index; ids are chunk row ids
    builds/<name>/sentences.faiss sentence vectors (ids are sentence row ids), for answers
    builds/<name>/vectors.<n>.faiss, sentences.<n>.faiss   vectors that later reindexes added

A rebuild writes a new build folder and only then points CURRENT at it, so a crash half-way
leaves the previous build usable. No pickle anywhere.

Vectors are kept in segments, so that adding a report does not rewrite every vector of the
library: a reindex that adds or replaces a few reports hard-links the live build's segment
files into the new build unchanged (they are never written after their build is swapped in)
and writes only the new vectors as one more segment. Vectors of a removed or replaced report
stay in their segment, listed by id in the ``removed_vectors`` table, until a reindex compacts
the segments into one (a full rebuild, or once there would be more than :data:`MAX_SEGMENTS`
segments or :data:`MAX_REMOVED_SHARE` of the stored vectors would be removed ones). A removed
id is never given to a new row.

Opening a build checks it (see :meth:`Store.open`): the manifest has every field, each data
file has the size the manifest records, kb.sqlite matches its CRC-32 and holds every table
with the counted rows, and the FAISS segments load with the right dimension and, less the
removed ids, hold the counted vectors (opened for the score table or status, when first
searched). A reindex and status also check the FAISS files' CRC-32; a reindex rebuilds a build
that fails any check.
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
import threading
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
from .sentence_facts import FACTS_VERSION, ReportFacts, SentenceFacts, report_facts
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
-- Ids of vectors still in the build's FAISS segments whose row was removed ("kind" is the
-- table: chunks or sentences); readers leave them out. Builds made before segments lack it.
CREATE TABLE IF NOT EXISTS removed_vectors (
    kind TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (kind, id)
) WITHOUT ROWID;
-- What the answerer reads from each sentence whatever the question (sentence_facts.py), tagged
-- with the version of the code that read it; lists joined by "|". Builds made before these two
-- tables lack them, and the sentences and passages are then read at question time.
CREATE TABLE IF NOT EXISTS sentence_facts (
    id INTEGER PRIMARY KEY, version TEXT NOT NULL, fragment INTEGER NOT NULL,
    subjects TEXT NOT NULL, measures TEXT NOT NULL, figure_kinds TEXT NOT NULL
);
-- ... and the services each passage's text names (subjects_in), which retrieval boosts.
CREATE TABLE IF NOT EXISTS chunk_facts (
    id INTEGER PRIMARY KEY, version TEXT NOT NULL, subjects TEXT NOT NULL
);
"""

#: Tables a build must hold: every table the schema creates but ``removed_vectors`` and the
#: facts tables, which builds made before vector segments and stored facts do not have (for
#: them they are empty).
REQUIRED_TABLES = tuple(t for t in re.findall(r"CREATE (?:VIRTUAL )?TABLE IF NOT EXISTS (\w+)", SCHEMA)
                        if t not in ("removed_vectors", "sentence_facts", "chunk_facts"))

#: The files every build has, whose size and CRC-32 the manifest records (with those of any
#: further vector segments).
DATA_FILES = ("kb.sqlite", "vectors.faiss", "sentences.faiss")

#: A vector segment's file name: the base segment of each kind, or a numbered later one.
_SEGMENT = re.compile(r"(vectors|sentences)(?:\.([1-9][0-9]{0,5}))?\.faiss")

#: FAISS segments of each kind a build may have before a reindex compacts them into one.
MAX_SEGMENTS = 8

#: Share of the stored vectors that may be removed ones before a reindex compacts them away.
MAX_REMOVED_SHARE = 0.25

#: The table whose row ids each kind of segment holds.
_KINDS = {"vectors": "chunks", "sentences": "sentences"}

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
    #: ``{file: {"bytes": size, "crc32": checksum}}`` for :data:`DATA_FILES` and any later
    #: vector segments; empty in manifests written before they were recorded (those builds get
    #: the other checks only).
    files: dict[str, dict[str, int]] = field(default_factory=dict)

    def segments(self, kind: str) -> list[str]:
        """The vector files of ``kind`` ("vectors" or "sentences"), base segment first."""
        later = sorted((int(m.group(2)), name) for name in self.files
                       if (m := _SEGMENT.fullmatch(name)) and m.group(1) == kind and m.group(2))
        return [f"{kind}.faiss", *(name for _, name in later)]

    def data_files(self) -> list[str]:
        """Every data file of the build: kb.sqlite and each kind's vector segments."""
        return ["kb.sqlite", *self.segments("vectors"), *self.segments("sentences")]

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
            (name == "kb.sqlite" or _SEGMENT.fullmatch(name)) and isinstance(v, dict)
            and all(isinstance(v.get(k), int) for k in ("bytes", "crc32"))
            for name, v in files.items())):
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
    for name in manifest.data_files():
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


def _check_database(db: sqlite3.Connection, build: Path, manifest: Manifest) -> tuple[int, dict[str, np.ndarray]]:
    """Tables present and row counts as recorded; returns the number of sentences and the
    removed vector ids of each table (see ``removed_vectors``)."""
    index_dir = build.parent.parent
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in REQUIRED_TABLES if t not in tables]
        if missing:
            raise DamagedIndexError(index_dir, f"kb.sqlite lacks the table {', '.join(missing)}")
        docs, chunks, sentences = db.execute(
            "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM chunks),"
            " (SELECT count(*) FROM sentences)").fetchone()
        removed = {table: np.asarray([r[0] for r in db.execute(
            "SELECT id FROM removed_vectors WHERE kind = ?", (table,))] if "removed_vectors" in tables else [],
                                     dtype=np.int64) for table in _KINDS.values()}
    except sqlite3.DatabaseError as exc:
        raise DamagedIndexError(index_dir, f"kb.sqlite cannot be read: {exc}") from None
    if (docs, chunks) != (manifest.documents, manifest.chunks) or \
            manifest.sentences is not None and sentences != manifest.sentences:
        raise DamagedIndexError(
            index_dir, f"kb.sqlite holds {docs} documents, {chunks} passages and {sentences} sentences; "
                       f"the manifest says {manifest.documents}, {manifest.chunks} and {manifest.sentences}")
    return int(sentences), removed


def _read_segment(path: Path, manifest: Manifest) -> faiss.IndexIDMap2:
    """One FAISS segment file of the build, checked for type and dimension."""
    index_dir = path.parent.parent.parent
    try:
        index = faiss.read_index(str(path))
    except RuntimeError:  # faiss reports missing, truncated and garbled files alike
        raise DamagedIndexError(index_dir, f"{path.name} is not a readable FAISS index") from None
    if not isinstance(index, faiss.IndexIDMap2) or index.d != manifest.dim:
        raise DamagedIndexError(index_dir, f"{path.name} holds vectors of dimension {index.d}; "
                                           f"expected {manifest.dim}")
    return index


def segment_arrays(index: faiss.IndexIDMap2) -> tuple[np.ndarray, np.ndarray]:
    """(vectors, ids) of a flat ID-mapped FAISS index, as copies."""
    return index.index.reconstruct_n(0, index.ntotal), faiss.vector_to_array(index.id_map).astype(np.int64)


def _read_vectors(build: Path, manifest: Manifest, kind: str, count: int,
                  removed: np.ndarray) -> faiss.IndexIDMap2:
    """One kind of vectors of the build: its segments joined into one index (the base
    segment's, grown in place), less the removed ids, checked for the number of vectors."""
    names = manifest.segments(kind)
    index = _read_segment(build / names[0], manifest)
    for name in names[1:]:
        segment = _read_segment(build / name, manifest)
        if segment.ntotal:
            index.add_with_ids(*segment_arrays(segment))
    stored = index.ntotal
    if len(removed):
        index.remove_ids(removed)
    if stored - index.ntotal != len(removed) or index.ntotal != count:
        shown = names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} later segments"
        raise DamagedIndexError(
            build.parent.parent, f"{shown} hold {stored} vectors, {stored - index.ntotal} of them removed; "
                                 f"expected {count + len(removed)} of which {len(removed)} removed")
    return index


class Store:
    """Read access to one build: documents, chunks, BM25 and vectors."""

    def __init__(self, build: Path, manifest: Manifest, readonly: bool = True, vectors: bool = True) -> None:
        """Load one build, checking its tables, counts and vectors against ``manifest``.

        Without ``vectors`` the FAISS segments are read, and checked, on first use of
        :attr:`vectors` or :attr:`sentence_vectors`: the score table and status never search,
        and at 150 reports reading the vectors is most of the time they take to open."""
        self.build = build
        self.manifest = manifest
        self._vectors: tuple[faiss.IndexIDMap2, faiss.IndexIDMap2] | None = None
        self._vectors_lock = threading.Lock()
        try:
            self.db = _connect(build / "kb.sqlite", readonly=readonly)
        except sqlite3.DatabaseError as exc:
            raise DamagedIndexError(build.parent.parent, f"kb.sqlite cannot be opened: {exc}") from None
        try:
            self._sentences, self._removed = _check_database(self.db, build, manifest)
            if vectors:
                self._load_vectors()
        except BaseException:
            self.db.close()
            raise
        self._texts: dict[str, str] = {}
        self._has_facts = bool(FACTS_VERSION) and self.db.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            " AND name IN ('sentence_facts', 'chunk_facts')").fetchone()[0] == 2

    def _load_vectors(self) -> tuple[faiss.IndexIDMap2, faiss.IndexIDMap2]:
        with self._vectors_lock:  # the app's sessions share one store
            if self._vectors is None:
                self._vectors = (
                    _read_vectors(self.build, self.manifest, "vectors", self.manifest.chunks,
                                  self._removed["chunks"]),
                    _read_vectors(self.build, self.manifest, "sentences", self._sentences,
                                  self._removed["sentences"]))
            return self._vectors

    @property
    def vectors(self) -> faiss.IndexIDMap2:
        """The passages' vectors, by chunk id."""
        return self._load_vectors()[0]

    @property
    def sentence_vectors(self) -> faiss.IndexIDMap2:
        """The sentences' vectors, by sentence id."""
        return self._load_vectors()[1]

    @classmethod
    def open(cls, settings: Settings, verify_checksums: bool = False, vectors: bool = True) -> "Store":
        """Open and check the live index, refusing one built with different settings.

        Raises IndexMissingError, StaleIndexError, or DamagedIndexError naming what was found.
        ``verify_checksums`` also reads the FAISS files once more to compare their CRC-32
        (kb.sqlite's is always compared); reindex uses it, queries skip that cost. (Reading a
        file twice from the page cache costs less than checksumming and deserialising one
        in-memory copy, which FAISS copies again.) Without ``vectors`` the FAISS files are
        read on first use (see :class:`Store`); their sizes, and with ``verify_checksums``
        their CRC-32, are still checked now.
        """
        attempt = 1
        while True:
            before = _pointer_name(settings.index)
            try:
                return cls._open_build(settings, _live_build(settings), verify_checksums, vectors)
            except DamagedIndexError:
                # A reindex may have swapped in a new build, and removed this one, between
                # reading CURRENT and opening the files: then open the new one.
                if attempt == _OPEN_ATTEMPTS or _pointer_name(settings.index) == before:
                    raise
                attempt += 1

    @classmethod
    def _open_build(cls, settings: Settings, build: Path, verify_checksums: bool, vectors: bool) -> "Store":
        manifest = read_manifest(build)
        if manifest.settings_hash != settings.index_hash():
            changed = [f"{k}: index has {manifest.settings.get(k)!r}, settings say {v!r}"
                       for k, v in settings.index_settings().items() if manifest.settings.get(k) != v]
            if manifest.pipeline != PIPELINE_VERSION:
                changed.append(f"pipeline version {manifest.pipeline} -> {PIPELINE_VERSION}")
            raise StaleIndexError(
                f"the index in {settings.index} was built with other settings "
                f"({'; '.join(changed) or 'settings hash differs'}); run `cqc-kb reindex` to rebuild it")
        _check_files(build, manifest, manifest.data_files() if verify_checksums else ("kb.sqlite",))
        # A build older than the recorded file sizes and checksums has no check but loading.
        vectors = vectors or any(name not in manifest.files for name in manifest.data_files())
        store = cls(build, manifest, vectors=vectors)
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
        # text_subjects: the services the passage's text names, stored at index time ("|"-joined),
        # or NULL when read by other code (see sentence_facts.py).
        facts = (" LEFT JOIN chunk_facts f ON f.id = c.id AND f.version = ?", [FACTS_VERSION]) \
            if self._has_facts else ("", [])
        rows = self.db.execute(
            "SELECT c.*, d.authority, d.published, s.score AS statement_score,"
            f" {'f.subjects' if facts[0] else 'NULL'} AS text_subjects FROM chunks c"
            " JOIN documents d ON d.name = c.document"
            " LEFT JOIN statements s ON s.document = c.document AND s.name = c.statement"
            f"{facts[0]} WHERE c.id IN ({marks})", facts[1] + list(ids)).fetchall()
        return {row["id"]: row for row in rows}

    def sentences_in(self, document: str, start: int, end: int) -> list[tuple[int, int, int]]:
        """(id, start, end) of the indexed sentences inside a span of a document."""
        return [tuple(r) for r in self.db.execute(
            'SELECT id, start, "end" FROM sentences WHERE document = ? AND start >= ? AND "end" <= ?'
            " ORDER BY start", (document, start, end))]

    def sentences_with_facts(self, document: str, start: int,
                             end: int) -> list[tuple[int, int, int, SentenceFacts | None]]:
        """(id, start, end, facts) of the indexed sentences inside a span of a document, with the
        facts stored at index time when the code that read them is this version's (else None)."""
        if not self._has_facts:
            return [(*row, None) for row in self.sentences_in(document, start, end)]
        rows = self.db.execute(
            'SELECT s.id, s.start, s."end", f.fragment, f.subjects, f.measures, f.figure_kinds FROM sentences s'
            " LEFT JOIN sentence_facts f ON f.id = s.id AND f.version = ?"
            ' WHERE s.document = ? AND s.start >= ? AND s."end" <= ? ORDER BY s.start',
            (FACTS_VERSION, document, start, end)).fetchall()
        return [(r[0], r[1], r[2], None if r[3] is None else
                 SentenceFacts(bool(r[3]), *map(split_facts, r[4:7]))) for r in rows]

    def sentences_without_facts(self) -> int:
        """How many sentences have no facts stored by this version's code (all of them in a
        build without facts): those are read at question time, which slows comparisons."""
        if not self._has_facts:
            return int(self.db.execute("SELECT count(*) FROM sentences").fetchone()[0])
        # Facts rows are written and removed with their sentences, so counting is enough (a
        # join over every sentence costs `status` several times as much at 153 reports).
        return max(0, int(self.db.execute(
            "SELECT (SELECT count(*) FROM sentences) - (SELECT count(*) FROM sentence_facts WHERE version = ?)",
            (FACTS_VERSION,)).fetchone()[0]))

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


def split_facts(joined: str) -> tuple[str, ...]:
    """A list stored "|"-joined in a facts table."""
    return tuple(joined.split("|")) if joined else ()


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
    """Builds a new index folder (a copy of the live one, then changes) and swaps it in.

    ``live`` is the live build, opened (a reindex has just checked it): its vectors serve
    :meth:`known_vectors`, its segment files are hard-linked into the new build, and when
    the segments are compacted its vectors are written out again. With ``full`` or no live
    build the new build starts empty and all its vectors go into one segment.
    """

    def __init__(self, settings: Settings, dim: int, model: str, full: bool, live: Store | None = None) -> None:
        self.settings = settings
        self.index_dir = settings.index
        self.dim = dim
        self.model = model
        builds = self.index_dir / "builds"
        builds.mkdir(parents=True, exist_ok=True)
        # Opened here only when the caller has not: then it is closed with the Writer.
        self._opened = live is None and not full and current_build(self.index_dir) is not None
        self.live = None if full else Store.open(settings) if self._opened else live
        self.name = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 100000}"
        self.build = builds / self.name
        self.build.mkdir()
        if self.live is not None:
            shutil.copy2(self.live.build / "kb.sqlite", self.build / "kb.sqlite")
        # This reindex's own vectors: the new segment (row ids in ``_added``).
        self.vectors = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.sentence_vectors = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._added: dict[str, set[int]] = {"chunks": set(), "sentences": set()}
        self.db = _connect(self.build / "kb.sqlite")
        self.db.executescript(SCHEMA)
        # New rows take ids above every id in any segment, removed ones included, so that a
        # removed vector's id never comes back on another row.
        self._next_id = {table: 1 + int(self.db.execute(
            f"SELECT max(coalesce((SELECT max(id) FROM {table}), 0),"
            " coalesce((SELECT max(id) FROM removed_vectors WHERE kind = ?), 0))", (table,)).fetchone()[0])
            for table in _KINDS.values()}

    def _new_vectors(self, table: str) -> faiss.IndexIDMap2:
        return self.vectors if table == "chunks" else self.sentence_vectors

    def _take_out(self, table: str, ids: list[int]) -> None:
        """Drop the vectors of removed rows: from this reindex's segment, or (live ones) by
        listing their ids in ``removed_vectors``."""
        mine = [i for i in ids if i in self._added[table]]
        if mine:
            self._new_vectors(table).remove_ids(np.asarray(mine, dtype=np.int64))
            self._added[table].difference_update(mine)
        self.db.executemany("INSERT INTO removed_vectors (kind, id) VALUES (?, ?)",
                            [(table, i) for i in set(ids).difference(mine)])

    def remove(self, name: str) -> None:
        row = self.db.execute("SELECT text, is_cqc, authority FROM documents WHERE name = ?",
                              (name,)).fetchone()
        if row is not None:
            _count_statistics(self.db, council_of(name, bool(row["is_cqc"]), row["authority"]), row["text"],
                              [r[0] for r in self.db.execute("SELECT text FROM chunks WHERE document = ?", (name,))],
                              self.db.execute('SELECT start, "end" FROM sentences WHERE document = ?',
                                              (name,)).fetchall(), -1)
        for table in _KINDS.values():
            self._take_out(table, [r[0] for r in self.db.execute(f"SELECT id FROM {table} WHERE document = ?",
                                                                 (name,))])
        self.db.execute("DELETE FROM sentence_facts WHERE id IN (SELECT id FROM sentences WHERE document = ?)",
                        (name,))
        self.db.execute("DELETE FROM chunk_facts WHERE id IN (SELECT id FROM chunks WHERE document = ?)", (name,))
        self.db.execute("DELETE FROM sentences WHERE document = ?", (name,))
        self.db.execute("DELETE FROM chunks WHERE document = ?", (name,))
        self.db.execute("DELETE FROM documents WHERE name = ?", (name,))

    def _ids(self, table: str, n: int) -> list[int]:
        first = self._next_id[table]
        self._next_id[table] = first + n
        return list(range(first, first + n))

    def add(self, doc: Document, report: Report, chunks: Sequence[Chunk], vectors: np.ndarray,
            sentences: Sequence[tuple[int, int]], sentence_vectors: np.ndarray,
            facts: ReportFacts | None = None) -> None:
        """Write one report: its rows, vectors, statistics and the facts of its sentences and
        passages (``facts`` as read by :func:`report_facts`, which is called here if not given)."""
        if not FACTS_VERSION:
            facts = None  # nothing to tag them with, so none are stored
        elif facts is None:
            facts = report_facts(doc.text, sentences, [chunk.text for chunk in chunks])
        _write_document(self.db, doc, report)
        ids = self._ids("chunks", len(chunks))
        self.db.executemany(
            'INSERT INTO chunks (id, chunk_id, document, ordinal, start, "end", page, section, theme,'
            " statement, text, embed_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [(i, chunk.chunk_id, chunk.document, chunk.ordinal, chunk.start, chunk.end, chunk.page,
              chunk.section_label, chunk.theme, chunk.statement, chunk.text,
              text_key(embed_text(chunk, self.settings.embed_headings))) for i, chunk in zip(ids, chunks)])
        if facts is not None:
            self.db.executemany("INSERT INTO chunk_facts (id, version, subjects) VALUES (?,?,?)",
                                [(i, FACTS_VERSION, "|".join(subjects)) for i, subjects in zip(ids, facts.passages)])
        sids = self._ids("sentences", len(sentences))
        self.db.executemany('INSERT INTO sentences (id, document, start, "end", key, embed_key) VALUES (?,?,?,?,?,?)',
                            [(i, doc.name, s, e, sentence_key(doc.text[s:e]), text_key(doc.text[s:e]))
                             for i, (s, e) in zip(sids, sentences)])
        if facts is not None:
            self.db.executemany("INSERT INTO sentence_facts (id, version, fragment, subjects, measures, figure_kinds)"
                                " VALUES (?,?,?,?,?,?)",
                                [(i, FACTS_VERSION, int(f.fragment), "|".join(f.subjects), "|".join(f.measures),
                                  "|".join(f.figure_kinds))
                                 for i, f in zip(sids, facts.sentences)])
        for table, new_ids, new_vectors in (("chunks", ids, vectors), ("sentences", sids, sentence_vectors)):
            if new_ids:
                self._new_vectors(table).add_with_ids(np.ascontiguousarray(new_vectors, dtype=np.float32),
                                                      np.asarray(new_ids, dtype=np.int64))
                self._added[table].update(new_ids)
        _count_statistics(self.db, council_of(doc.name, report.is_cqc, report.authority), doc.text,
                          [c.text for c in chunks], sentences, 1)

    def _vector(self, table: str, row_id: int) -> np.ndarray:
        if row_id in self._added[table] or self.live is None:
            return self._new_vectors(table).reconstruct(row_id)
        return (self.live.vectors if table == "chunks" else self.live.sentence_vectors).reconstruct(row_id)

    def known_vectors(self, passages: Sequence[str], sentences: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors this build already holds for any of these texts, exactly as they would be
        embedded, found by :func:`text_key`: a passage's embedded text, and an answer
        sentence's text. Only for a build whose sentence vectors are encoded on their own: a
        pooled one carries its passage's context, so it is not the vector of its text alone.

        Every report repeats CQC's own wording (each statement's "We statement" and "What
        people expect"), so a report added to a library, or every report after the first few of
        a full reindex, finds many of its texts here instead of in the model.
        """
        found: dict[str, np.ndarray] = {}
        for table, texts in (("chunks", passages), ("sentences", sentences)):
            wanted = {text_key(t): t for t in texts}
            for key, row in self.db.execute(
                    f"SELECT embed_key, MIN(id) FROM {table} WHERE embed_key IN (SELECT value FROM json_each(?))"
                    " GROUP BY embed_key", (json.dumps(list(wanted)),)):
                found.setdefault(wanted[key], self._vector(table, int(row)))
        return found

    def _compact(self) -> bool:
        """Whether this build writes every vector into one segment per kind: always without a
        live build; else once the segments would exceed :data:`MAX_SEGMENTS` or more than
        :data:`MAX_REMOVED_SHARE` of the stored vectors would be removed ones."""
        if self.live is None:
            return True
        removed = int(self.db.execute("SELECT count(*) FROM removed_vectors").fetchone()[0])
        stored = self.live.vectors.ntotal + self.live.sentence_vectors.ntotal + removed
        segments = max(len(self.live.manifest.segments(kind)) for kind in _KINDS) + 1
        return segments > MAX_SEGMENTS or removed > MAX_REMOVED_SHARE * stored

    def _write_segments(self, kind: str, compact: bool, removed: list[int]) -> dict[str, dict[str, int] | None]:
        """Put one kind's vector files into the build: ``{file: manifest record}``, None for a
        file written now (its record is computed from the file). ``removed`` are the ids listed
        in ``removed_vectors`` before a compaction emptied it."""
        table = _KINDS[kind]
        new = self._new_vectors(table)
        if self.live is None:
            faiss.write_index(new, str(self.build / f"{kind}.faiss"))
            return {f"{kind}.faiss": None}
        if compact:
            # The live index already left out the ids its build listed: of ``removed`` it
            # holds those this reindex took out.
            index = self.live.vectors if kind == "vectors" else self.live.sentence_vectors
            if removed:
                index.remove_ids(np.asarray(removed, dtype=np.int64))
            if new.ntotal:
                index.add_with_ids(*segment_arrays(new))
            faiss.write_index(index, str(self.build / f"{kind}.faiss"))
            return {f"{kind}.faiss": None}
        files: dict[str, dict[str, int] | None] = {}
        names = self.live.manifest.segments(kind)
        for name in names:
            _link_or_copy(self.live.build / name, self.build / name)
            files[name] = self.live.manifest.files.get(name)
        if new.ntotal:
            later = [int(m.group(2)) for m in map(_SEGMENT.fullmatch, names[1:]) if m]
            name = f"{kind}.{max(later, default=0) + 1}.faiss"
            faiss.write_index(new, str(self.build / name))
            files[name] = None
        return files

    def commit(self) -> Manifest:
        """Write everything, then atomically make this build the live one."""
        compact = self._compact()
        removed = {table: [r[0] for r in self.db.execute("SELECT id FROM removed_vectors WHERE kind = ?", (table,))]
                   for table in _KINDS.values()} if compact else {}
        if compact:
            self.db.execute("DELETE FROM removed_vectors")
        self.db.commit()
        docs, chunks, sentences = (int(v) for v in self.db.execute(
            "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM chunks),"
            " (SELECT count(*) FROM sentences)").fetchone())
        if compact:
            # Merging the full-text index into one b-tree rewrites all of it; an added report's
            # few new FTS segments are left to FTS5's own incremental merging.
            self.db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('optimize')")
            self.db.commit()
        self.db.close()
        records = {"kb.sqlite": None}
        for kind, table in _KINDS.items():
            records.update(self._write_segments(kind, compact, removed.get(table, [])))
        written = [name for name, record in records.items() if record is None]
        manifest = Manifest(settings_hash=self.settings.index_hash(),
                            settings=self.settings.index_settings(), model=self.model, dim=self.dim,
                            pipeline=PIPELINE_VERSION, built_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
                            documents=docs, chunks=chunks, sentences=sentences,
                            files={name: record or _file_record(self.build / name)
                                   for name, record in records.items()})
        (self.build / "manifest.json").write_text(json.dumps(manifest.to_json(), indent=2, default=str))
        # Linked files are the live build's, already on disk; the links themselves are entries
        # of the build folder, which is synced too.
        for name in [*written, "manifest.json"]:
            with (self.build / name).open("rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(self.build)
        pointer = self.index_dir / "CURRENT"
        tmp = self.index_dir / f"CURRENT.tmp{os.getpid()}"
        tmp.write_text(self.name + "\n")
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, pointer)
        _fsync_dir(self.index_dir)  # the rename itself survives a power cut
        remove_leftovers(self.index_dir)
        self._close_live()
        return manifest

    def abort(self) -> None:
        """Throw the half-written build away; the live index is untouched."""
        with contextlib.suppress(Exception):
            self.db.close()
        self._close_live()
        shutil.rmtree(self.build, ignore_errors=True)

    def _close_live(self) -> None:
        if self._opened and self.live is not None:
            self.live.close()


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link to an unchanged segment file (the same inode, so the same bytes and CRC),
    or a copy where the file system has no hard links."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


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
