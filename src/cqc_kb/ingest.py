"""Reindex: parse, analyse, chunk and embed the corpus into a new index build.

Incremental by content hash: only new or changed documents are parsed and embedded, deleted
ones removed. A file that fails to parse is skipped with its reason; if an older version of
it is indexed, that version is kept rather than lost.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .chunk import chunk_document, document_sentences, embed_text, token_counter
from .embed import Embedder, encode_passages_and_spans, load_embedder
from .errors import DamagedIndexError, IndexMissingError, KbError, ParseError, StaleIndexError
from .parse import SUPPORTED_SUFFIXES, parse_file, sha256_bytes
from .settings import Settings
from .store import current_build, remove_leftovers, Store, Writer, write_lock
from .structure import analyse

#: (stage, done, total): stages are "scan", "parse" and "embed".
ProgressFn = Callable[[str, int, int], None]

#: Files in the corpus folder that describe it rather than being reports.
IGNORED_NAMES = {"readme.md", "readme.txt", "licence.txt", "license.txt"}


@dataclass
class ReindexResult:
    """What a reindex did; ``skipped`` holds (file, reason) pairs."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    chunks: int = 0
    embedded: int = 0
    seconds: float = 0.0
    rebuilt: bool = False
    #: What was wrong with the live index when this reindex found it damaged and rebuilt it.
    repaired: str | None = None
    #: Build folders and pointer files that interrupted reindexes had left, now removed.
    leftovers: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.rebuilt)

    def to_json(self) -> dict:
        return {**self.__dict__, "skipped": [{"file": f, "reason": r} for f, r in self.skipped]}


def corpus_files(corpus: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """Report files in the corpus folder, and (name, reason) for files that will be skipped."""
    if not corpus.is_dir():
        raise KbError(f"corpus folder {corpus} does not exist; create it and add reports, "
                      "or point CQC_KB_CORPUS / --corpus at one")
    files, skipped = [], []
    for path in sorted(corpus.iterdir()):
        if path.name.startswith(".") or path.name.lower() in IGNORED_NAMES or path.is_dir():
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            skipped.append((path.name, f"unsupported file type {path.suffix or '(none)'}; "
                                       "add reports as .pdf, .html, .htm, .txt or .md"))
        elif not path.is_file():  # a broken link, a socket, a device...
            skipped.append((path.name, "is not a regular file; copy the report itself into the corpus"))
        else:
            files.append(path)
    return files, skipped


def reindex(settings: Settings, full: bool = False, embedder: Embedder | None = None,
            progress: ProgressFn | None = None) -> ReindexResult:
    """Bring the index in line with the corpus folder and swap the new build in."""
    started = time.perf_counter()
    result = ReindexResult()
    files, result.skipped = corpus_files(settings.corpus)
    with write_lock(settings.index):
        live, full = _check_live(settings, full, result)
        result.leftovers = remove_leftovers(settings.index)
        result.rebuilt = result.rebuilt or full and live is not None
        indexed = {} if live is None or full else _indexed(live)
        max_bytes = int(settings.max_file_mb * 1e6)
        todo = _plan(files, indexed, max_bytes, result, progress)
        if live is not None and not full and not todo and not result.removed:
            result.chunks = _count_chunks(live)
            result.seconds = time.perf_counter() - started
            return result  # up to date: no model load, no new build
        embedder = embedder or load_embedder(settings.model, settings.offline)
        writer = Writer(settings, embedder.dim, embedder.name, full)
        try:
            _apply(settings, writer, todo, indexed, max_bytes, embedder, result, progress)
            if result.changed or live is None:
                writer.commit()
            else:
                writer.abort()  # every changed file failed to parse: keep the live build
        except BaseException:
            writer.abort()
            raise
    result.seconds = time.perf_counter() - started
    return result


def _check_live(settings: Settings, full: bool, result: ReindexResult) -> tuple[Path | None, bool]:
    """The live build after a full check (checksums included), and whether to rebuild fully:
    a build made with other settings cannot be reused, a damaged one is replaced."""
    try:
        Store.open(settings, verify_checksums=True).close()
    except IndexMissingError:
        return None, full
    except StaleIndexError:
        return current_build(settings.index), True
    except DamagedIndexError as exc:
        result.repaired = exc.finding
        result.rebuilt = True
        return None, True
    return current_build(settings.index), full


def _indexed(build: Path) -> dict[str, str]:
    with contextlib.closing(sqlite3.connect(f"file:{build / 'kb.sqlite'}?mode=ro", uri=True)) as db:
        return dict(db.execute("SELECT name, sha256 FROM documents").fetchall())


def _count_chunks(build: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{build / 'kb.sqlite'}?mode=ro", uri=True)) as db:
        return int(db.execute("SELECT count(*) FROM chunks").fetchone()[0])


def _plan(files: list[Path], indexed: dict[str, str], max_bytes: int, result: ReindexResult,
          progress: ProgressFn | None) -> list[Path]:
    """Decide by content hash what to parse; record removals and unchanged files in ``result``.

    A file with the same content as another (the same report saved twice, perhaps under
    another name) is skipped: one report is one assessment. The copy already in the index
    wins, then the first in name order."""
    on_disk = {p.name for p in files}
    result.removed.extend(sorted(set(indexed) - on_disk))
    digests: dict[Path, str | None] = {}
    for i, path in enumerate(files):
        if progress:
            progress("scan", i + 1, len(files))
        try:
            digests[path] = sha256_bytes(path.read_bytes()) if path.stat().st_size <= max_bytes else None
        except OSError as exc:
            result.skipped.append((path.name, f"cannot be read ({exc.strerror})"))
    seen = {d: p.name for p, d in digests.items() if d is not None and indexed.get(p.name) == d}
    todo = []
    for path, digest in digests.items():
        if digest is not None and indexed.get(path.name) == digest:
            result.unchanged.append(path.name)
        elif digest is not None and digest in seen:
            result.skipped.append((path.name, f"same content as {seen[digest]}, which is indexed "
                                              "once; delete one of the two copies"))
            if path.name in indexed:  # its earlier content is no longer in the corpus
                result.removed.append(path.name)
        else:
            if digest is not None:
                seen[digest] = path.name
            todo.append(path)
    return todo


def _apply(settings: Settings, writer: Writer, todo: list[Path], indexed: dict[str, str],
           max_bytes: int, embedder: Embedder, result: ReindexResult,
           progress: ProgressFn | None) -> None:
    """Remove deleted documents, then parse, chunk, embed and add the new and changed ones."""
    for name in result.removed:
        writer.remove(name)
    count = token_counter(settings)
    parsed = []
    for i, path in enumerate(todo):
        if progress:
            progress("parse", i + 1, len(todo))
        try:
            doc = parse_file(path, max_bytes=max_bytes)
        except ParseError as exc:
            result.skipped.append((path.name, f"{exc.reason}. {exc.fix}"))
            continue
        report = analyse(doc)
        chunks = chunk_document(doc, report, settings, count)
        parsed.append((doc, report, chunks, document_sentences(doc, chunks)))
    chunk_vectors, sentence_vectors = _embed(settings, embedder, parsed, progress)
    offset = s_offset = 0
    for doc, report, chunks, sentences in parsed:
        if doc.name in indexed:
            writer.remove(doc.name)
            result.updated.append(doc.name)
        else:
            result.added.append(doc.name)
        writer.add(doc, report, chunks, chunk_vectors[offset:offset + len(chunks)],
                   sentences, sentence_vectors[s_offset:s_offset + len(sentences)])
        offset += len(chunks)
        s_offset += len(sentences)
    result.embedded = offset
    result.chunks = int(writer.db.execute("SELECT count(*) FROM chunks").fetchone()[0])


def _embed(settings: Settings, embedder: Embedder, parsed: list, progress: ProgressFn | None,
           ) -> tuple[np.ndarray, np.ndarray]:
    """Vectors for every chunk and every answer sentence of ``parsed``, in their order.

    Each sentence is located in the chunk that holds it nearest that chunk's middle, so that
    its vector can be pooled from the chunk's own forward pass (``sentence_vectors`` "pooled")
    instead of a second pass over every sentence.
    """
    texts: list[str] = []
    spans: list[list[tuple[int, int]]] = []
    where: list[tuple[int, int]] = []  # per sentence: (text index, position in its spans)
    alone: list[str] = []  # sentences embedded by themselves; -1 - k in ``where`` is alone[k]
    for doc, _, chunks, sentences in parsed:
        first = len(texts)
        for chunk in chunks:
            text = embed_text(chunk, settings.embed_headings)
            texts.append(text)
            spans.append([])
        bounds = [(c.start, c.end, len(texts[first + n]) - len(c.text)) for n, c in enumerate(chunks)]
        for s, e in sentences:
            host = min((n for n, (cs, ce, _) in enumerate(bounds) if cs <= s and e <= ce),
                       key=lambda n: abs((bounds[n][0] + bounds[n][1]) - (s + e)), default=None)
            if host is None or chunks[host].text != doc.text[chunks[host].start:chunks[host].end]:
                # Not inside one chunk's text as stored: embed the sentence on its own.
                alone.append(doc.text[s:e])
                where.append((-len(alone), 0))
                continue
            cs, _, prefix = bounds[host]
            spans[first + host].append((prefix + s - cs, prefix + e - cs))
            where.append((first + host, len(spans[first + host]) - 1))
    n_chunks = len(texts)
    texts += alone
    spans += [[(0, len(text))] for text in alone]
    where = [(n_chunks - 1 - i, 0) if i < 0 else (i, j) for i, j in where]
    vectors, span_vectors = encode_passages_and_spans(
        embedder, texts, spans, pool=settings.sentence_vectors == "pooled", batch_size=settings.batch_size,
        progress=(lambda d, t: progress("embed", d, t)) if progress else None)
    offset = np.cumsum([0] + [len(row) for row in spans])
    sentence_vectors = span_vectors[[offset[i] + j for i, j in where]] if where else \
        np.zeros((0, vectors.shape[1]), dtype=np.float32)
    return vectors[:n_chunks], sentence_vectors
