"""Reindex: parse, analyse, chunk and embed the corpus into a new index build.

Incremental by content hash: only new or changed documents are parsed and embedded, deleted
ones removed. A file that fails to parse is skipped with its reason; if an older version of
it is indexed, that version is kept rather than lost. Failures are remembered by content hash
in ``index/failures.json``, so an unchanged bad file costs no model load on the next reindex.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import pickle
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from .chunk import chunk_document, document_sentences, embed_text, token_counter
from .embed import Embedder, encode_passages_and_spans, load_embedder
from .errors import DamagedIndexError, IndexMissingError, KbError, ParseError, StaleIndexError
from .parse import SUPPORTED_SUFFIXES, Limits, parse_file, sha256_bytes, too_big
from .records import Chunk, Document, Report
from .sentence_facts import ReportFacts, report_facts
from .settings import Settings
from .store import current_build, remove_leftovers, Store, Writer, write_lock
from .structure import analyse

log = logging.getLogger("cqc_kb.ingest")

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
    #: Passages of the added and updated reports.
    embedded: int = 0
    #: Texts (passages and answer sentences) the model encoded, and vectors taken instead from
    #: the index or from an identical text earlier in this reindex. With pooled sentence vectors
    #: the texts encoded are the passages and any sentence embedded on its own.
    encoded: int = 0
    reused: int = 0
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
    """Report files in the corpus folder, and (name, reason) for entries that will be skipped.

    Nothing outside the folder is ever read: a link that leads out of it is skipped, as are
    folders, broken links and anything that is not a regular file (each with its reason).
    """
    if not corpus.is_dir():
        raise KbError(f"corpus folder {corpus} does not exist; create it and add reports, "
                      "or point CQC_KB_CORPUS / --corpus at one")
    root = corpus.resolve()
    files, skipped = [], []
    for path in sorted(corpus.iterdir()):
        if path.name.startswith(".") or path.name.lower() in IGNORED_NAMES:
            continue
        if path.is_symlink():
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):  # missing target or a loop of links
                skipped.append((path.name, "is a broken link; copy the report itself into the corpus folder"))
                continue
            if not target.is_relative_to(root):
                skipped.append((path.name, "is a link to a file outside the corpus folder, which is never "
                                           "read; copy the report itself into the corpus folder"))
                continue
        if path.is_dir():
            skipped.append((path.name, "is a folder; reports in sub-folders are not read: "
                                       "move them into the corpus folder itself"))
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            skipped.append((path.name, f"unsupported file type {path.suffix or '(none)'}; "
                                       "add reports as .pdf, .html, .htm, .txt or .md"))
        elif not path.is_file():  # a socket, a pipe, a device...
            skipped.append((path.name, "is not a regular file; copy the report itself into the corpus"))
        else:
            files.append(path)
    return files, skipped


def reindex(settings: Settings, full: bool = False, embedder: Embedder | None = None,
            progress: ProgressFn | None = None) -> ReindexResult:
    """Bring the index in line with the corpus folder and swap the new build in.

    Files are read before the model is loaded, each under the limits in ``settings``; a file
    that fails is skipped with its reason and remembered by content hash, so the next reindex
    reports it again without reading it (``full`` retries it).
    """
    started = time.perf_counter()
    result = ReindexResult()
    files, result.skipped = corpus_files(settings.corpus)
    limits = Limits.from_settings(settings)
    with write_lock(settings.index):
        store, live, full = _check_live(settings, full, result)
        with contextlib.closing(store) if store is not None else contextlib.nullcontext():
            result.leftovers = remove_leftovers(settings.index)
            result.rebuilt = result.rebuilt or full and live is not None
            indexed = {} if store is None else _indexed(store)
            known_failures = {} if full else load_failures(settings)
            failures: dict[str, Failure] = {}
            todo = _plan(files, indexed, known_failures, failures, limits.max_bytes, result, progress)
            parsed = _read_all(settings, todo, limits, failures, result, progress)
            save_failures(settings, failures)
            if store is not None and not parsed and not result.removed:
                result.chunks = store.chunk_count()
                result.seconds = time.perf_counter() - started
                return result  # nothing to write: no model load, no new build
            embedder = embedder or load_embedder(*settings.embedder_args())
            # The checked live store serves the writer: its vectors are not read a second time.
            writer = Writer(settings, embedder.dim, embedder.name, full, live=store)
            try:
                _apply(settings, writer, parsed, indexed, embedder, result, progress)
                writer.commit()
            except BaseException:
                writer.abort()
                raise
    result.seconds = time.perf_counter() - started
    return result


def _check_live(settings: Settings, full: bool,
                result: ReindexResult) -> tuple[Store | None, Path | None, bool]:
    """The live build opened after a full check (checksums included), its folder, and
    whether to rebuild fully: a build made with other settings cannot be reused, a damaged one
    is replaced (neither is returned open, nor is one that ``full`` rebuilds)."""
    try:
        store = Store.open(settings, verify_checksums=True)
    except IndexMissingError:
        return None, None, full
    except StaleIndexError:
        return None, current_build(settings.index), True
    except DamagedIndexError as exc:
        result.repaired = exc.finding
        result.rebuilt = True
        return None, None, True
    if full:  # a full rebuild reuses nothing: hold no vectors through it
        store.close()
        return None, store.build, True
    return store, store.build, False


def _indexed(store: Store) -> dict[str, str]:
    return {row[0]: row[1] for row in store.db.execute("SELECT name, sha256 FROM documents")}


def _plan(files: list[Path], indexed: dict[str, str], known_failures: dict[str, Failure],
          failures: dict[str, Failure], max_bytes: int | None, result: ReindexResult,
          progress: ProgressFn | None) -> list[tuple[Path, str]]:
    """Decide by content hash what to read; record removals, unchanged files, files over the
    size limit, files that already failed with this content and duplicates in ``result``.

    A file with the same content as another (the same report saved twice, perhaps under
    another name) is skipped: one report is one assessment. The copy already in the index
    wins, then the first in name order."""
    on_disk = {p.name for p in files}
    result.removed.extend(sorted(set(indexed) - on_disk))
    digests: dict[Path, str] = {}
    for i, path in enumerate(files):
        if progress:
            progress("scan", i + 1, len(files))
        try:
            size = path.stat().st_size
            if max_bytes is not None and size > max_bytes:
                error = too_big(path.name, size, max_bytes)
                result.skipped.append((path.name, f"{error.reason}. {error.fix}"))
                continue
            digests[path] = sha256_bytes(path.read_bytes())
        except OSError as exc:
            result.skipped.append((path.name, f"cannot be read ({exc.strerror}); check the file's permissions"))
    seen = {d: p.name for p, d in digests.items() if indexed.get(p.name) == d}
    todo = []
    for path, digest in digests.items():
        known = known_failures.get(path.name)
        if indexed.get(path.name) == digest:
            result.unchanged.append(path.name)
        elif digest in seen:
            result.skipped.append((path.name, f"same content as {seen[digest]}, which is indexed "
                                              "once; delete one of the two copies"))
            if path.name in indexed:  # its earlier content is no longer in the corpus
                result.removed.append(path.name)
        elif known is not None and known.sha256 == digest:
            failures[path.name] = known
            result.skipped.append((path.name, known.reason))
        else:
            seen[digest] = path.name
            todo.append((path, digest))
    return todo


@dataclass(frozen=True)
class Parsed:
    """One corpus file read: the document, its structure, its chunks, its answer sentences
    (offsets into the text) and the facts read from them (None when none are stored)."""

    doc: Document
    report: Report
    chunks: list[Chunk]
    sentences: list[tuple[int, int]]
    facts: ReportFacts | None


def _read_all(settings: Settings, todo: list[tuple[Path, str]], limits: Limits,
              failures: dict[str, Failure], result: ReindexResult,
              progress: ProgressFn | None) -> list[Parsed]:
    """Read each file on its own (:func:`read_or_reason`): whatever goes wrong with one file
    (a parse error, recursion, memory, a limit) skips that file and is remembered."""
    parsed = []
    for (path, digest), outcome in zip(todo, _read_outcomes(settings, todo, limits, progress)):
        if isinstance(outcome, Parsed):
            parsed.append(outcome)
        else:
            result.skipped.append((path.name, outcome))
            failures[path.name] = Failure(digest, outcome)
    return parsed


#: Fewer files than this are read in this process: starting the worker processes (each imports
#: the parsers, about 0.7 s) would cost more than it saves at about 0.25 s a report, and adding
#: a few reports stays quick.
PARALLEL_MIN_FILES = 8


def read_workers(settings: Settings) -> int:
    """Processes that read corpus files at once: ``settings.workers``, or one per core."""
    if settings.workers:
        return settings.workers
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _read_outcomes(settings: Settings, todo: list[tuple[Path, str]], limits: Limits,
                   progress: ProgressFn | None) -> list[Parsed | str]:
    """Each file of ``todo`` read, or the reason it cannot be indexed, in order.

    Reading is pure Python (the PDF parser included) and uses one core, so several files are
    read by reader processes, one per core, before the model is loaded. Any file they could not
    read (a reader that stopped, or none that started) is read here.
    """
    outcomes: dict[int, Parsed | str] = {}
    workers = min(read_workers(settings), len(todo))
    # No interpreter to start (Python embedded in another program): read here.
    if workers > 1 and len(todo) >= PARALLEL_MIN_FILES and sys.executable:
        outcomes = _read_in_workers(settings, todo, limits, workers, progress)
    for i, (path, _) in enumerate(todo):
        if i not in outcomes:
            outcomes[i] = read_or_reason(settings, path, limits)
            if progress:
                progress("parse", len(outcomes), len(todo))
    return [outcomes[i] for i in range(len(todo))]


def _read_in_workers(settings: Settings, todo: list[tuple[Path, str]], limits: Limits, workers: int,
                     progress: ProgressFn | None) -> dict[int, Parsed | str]:
    """The files of ``todo`` that ``workers`` reader processes (:mod:`cqc_kb.read_worker`)
    read, by position. A reader that stops (killed, out of memory) gives its file back and
    takes no more; what the readers logged is logged here, as if read here."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    procs: list[subprocess.Popen] = []
    try:
        for _ in range(workers):
            procs.append(subprocess.Popen([sys.executable, "-m", "cqc_kb.read_worker"], env=env,
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE))
    except OSError as exc:
        log.warning("could not start reader processes (%s); reading the files one by one", exc)
    pending: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in range(len(todo)):
        pending.put(i)
    finished: queue.SimpleQueue = queue.SimpleQueue()

    def feed(proc: subprocess.Popen) -> None:
        try:
            while True:
                try:
                    i = pending.get(block=False)
                except queue.Empty:
                    return
                try:
                    pickle.dump((settings, todo[i][0], limits), proc.stdin)
                    proc.stdin.flush()
                    finished.put((i, *pickle.load(proc.stdout)))
                except Exception as exc:  # the reader died, or its reply cannot be read
                    log.warning("a reader process stopped while reading %s (%s); reading it again here",
                                todo[i][0].name, type(exc).__name__)
                    return
        finally:
            finished.put(None)

    outcomes: dict[int, Parsed | str] = {}
    threads = [threading.Thread(target=feed, args=(proc,), daemon=True) for proc in procs]
    try:
        for thread in threads:
            thread.start()
        running = len(threads)
        while running:
            item = finished.get()
            if item is None:
                running -= 1
                continue
            i, outcome, records = item
            for record in records:
                logger = logging.getLogger(record.name)
                if logger.isEnabledFor(record.levelno):
                    logger.handle(record)
            outcomes[i] = outcome
            if progress:
                progress("parse", len(outcomes), len(todo))
    finally:
        for proc in procs:
            with contextlib.suppress(OSError):
                proc.stdin.close()  # the reader's end of input: it exits
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stdout.close()
    return outcomes


def read_or_reason(settings: Settings, path: Path, limits: Limits) -> Parsed | str:
    """One file read (:func:`read_report`), or the reason it cannot be indexed as shown to the
    user and remembered."""
    try:
        return read_report(settings, path, limits)
    except ParseError as exc:
        return f"{exc.reason}. {exc.fix}"
    except Exception as exc:  # isolation: never let one file stop the corpus
        log.debug("%s: unexpected error while reading", path.name, exc_info=True)
        return (f"could not be read ({type(exc).__name__}: {str(exc)[:80]}). Re-save the report from "
                "its source; if it opens fine elsewhere, report this")


def read_report(settings: Settings, path: Path, limits: Limits) -> Parsed:
    """Parse, analyse and chunk one file, and read the facts of its sentences and passages."""
    doc = parse_file(path, limits=limits)
    report = analyse(doc)
    chunks = chunk_document(doc, report, settings, token_counter(settings))
    if len(chunks) > settings.max_passages:
        raise ParseError(path.name, f"makes {len(chunks):,} passages, over the {settings.max_passages:,}-passage "
                                    "limit for one file",
                         "Split the file, or raise CQC_KB_MAX_PASSAGES if it is a genuine report")
    sentences = document_sentences(doc, chunks)
    return Parsed(doc, report, chunks, sentences, report_facts(doc.text, sentences, [c.text for c in chunks]))


def _apply(settings: Settings, writer: Writer, parsed: list[Parsed], indexed: dict[str, str],
           embedder: Embedder, result: ReindexResult, progress: ProgressFn | None) -> None:
    """Remove deleted documents, then embed and add the new and changed ones."""
    for name in result.removed:
        writer.remove(name)
    total = sum(len(item.chunks) + len(item.sentences) for item in parsed)
    done = 0
    groups = list(_groups(parsed))
    carry = _Carry(_passages_in_several(settings, groups))
    for group in groups:
        weight = sum(len(item.chunks) + len(item.sentences) for item in group)
        step = (lambda stage, d, t, before=done, w=weight:
                progress(stage, before + round(w * d / max(t, 1)), total)) if progress else None
        chunk_vectors, sentence_vectors = _embed(settings, embedder, group, step, writer, result, carry)
        done += weight
        if progress:  # a group whose every vector was reused encoded nothing, so said nothing
            progress("embed", done, total)
        offset = s_offset = 0
        for item in group:
            name = item.doc.name
            if name in indexed:
                writer.remove(name)
                result.updated.append(name)
            else:
                result.added.append(name)
            writer.add(item.doc, item.report, item.chunks, chunk_vectors[offset:offset + len(item.chunks)],
                       item.sentences, sentence_vectors[s_offset:s_offset + len(item.sentences)], item.facts)
            offset += len(item.chunks)
            s_offset += len(item.sentences)
        result.embedded += offset
    result.chunks = int(writer.db.execute("SELECT count(*) FROM chunks").fetchone()[0])


#: Reports are embedded and written this many passages at a time, so that a full reindex of a
#: large library holds one group's texts and vectors in memory, not the whole library's copies.
EMBED_GROUP_PASSAGES = 2000


def _groups(parsed: list[Parsed]) -> Iterator[list[Parsed]]:
    """``parsed`` in runs of whole reports of about :data:`EMBED_GROUP_PASSAGES` passages."""
    group: list[Parsed] = []
    size = 0
    for item in parsed:
        group.append(item)
        size += len(item.chunks)
        if size >= EMBED_GROUP_PASSAGES:
            yield group
            group, size = [], 0
    if group:
        yield group


@dataclass
class _Carry:
    """Vectors of passages that later groups hold too, kept from one group to the next: the
    passage's vector and each sentence span's pooled vector (a pooled vector is its span's in
    that exact passage, so an identical passage gives the same one)."""

    wanted: set[str]
    vectors: dict[str, tuple[np.ndarray, dict[tuple[int, int], np.ndarray]]] = field(default_factory=dict)

    def holds(self, text: str, spans: Iterable[tuple[int, int]]) -> bool:
        return text in self.vectors and all(span in self.vectors[text][1] for span in spans)


def _passages_in_several(settings: Settings, groups: list[list[Parsed]]) -> set[str]:
    """Embedded passage texts found in more than one group (reports repeat CQC's own wording)."""
    seen: Counter[str] = Counter()
    for group in groups:
        seen.update({embed_text(chunk, settings.embed_headings) for item in group for chunk in item.chunks})
    return {text for text, n in seen.items() if n > 1}


def _embed(settings: Settings, embedder: Embedder, parsed: list[Parsed], progress: ProgressFn | None,
           writer: Writer, result: ReindexResult, carry: _Carry) -> tuple[np.ndarray, np.ndarray]:
    """Vectors for every chunk and every answer sentence of ``parsed``, in their order.

    The model encodes each distinct text once: a text the build already holds a vector for (a
    sentence of CQC's own wording that every report repeats, or a passage made only of it) and
    a text met twice in this group take the vector they already have.
    """
    passages = [embed_text(chunk, settings.embed_headings) for item in parsed for chunk in item.chunks]
    report = (lambda d, t: progress("embed", d, t)) if progress else None
    if settings.sentence_vectors == "pooled" and getattr(embedder, "pools_spans", False):
        return _embed_pooled(settings, embedder, parsed, passages, report, result, carry)
    # Sentences encoded on their own (as asked, or because the model cannot pool spans): each
    # sentence's vector is its text's, so a vector the build holds for that text serves.
    sentences = [item.doc.text[s:e] for item in parsed for s, e in item.sentences]
    vectors = writer.known_vectors(passages, sentences)
    todo = list(dict.fromkeys(t for t in passages + sentences if t not in vectors))
    vectors.update(zip(todo, embedder.encode(todo, batch_size=settings.batch_size, progress=report)))
    result.encoded += len(todo)
    result.reused += len(passages) + len(sentences) - len(todo)

    def stack(texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.vstack([vectors[t] for t in texts]).astype(np.float32, copy=False)

    return stack(passages), stack(sentences)


def _embed_pooled(settings: Settings, embedder: Embedder, parsed: list[Parsed], passages: list[str],
                  progress: Callable[[int, int], None] | None, result: ReindexResult,
                  carry: _Carry) -> tuple[np.ndarray, np.ndarray]:
    """Passage vectors, and each answer sentence's vector pooled from the forward pass of the
    chunk that holds it nearest that chunk's middle (no second pass over every sentence).
    A pooled vector carries its passage's context, so a sentence shares its vector only with the
    same span of an identical passage: reports repeat CQC's own wording, so a group holds
    identical passages, and each distinct text is encoded once with every span asked of it; one
    that an earlier group encoded with these spans takes its vectors from ``carry``."""
    texts = list(passages)
    spans: list[list[tuple[int, int]]] = [[] for _ in texts]
    where: list[tuple[int, int]] = []  # per sentence: (text index, position in its spans)
    alone: list[str] = []  # sentences embedded by themselves; -1 - k in ``where`` is alone[k]
    first = 0
    for item in parsed:
        doc, chunks, sentences = item.doc, item.chunks, item.sentences
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
        first += len(chunks)
    n_chunks = len(texts)
    texts += alone
    spans += [[(0, len(text))] for text in alone]
    where = [(n_chunks - 1 - i, 0) if i < 0 else (i, j) for i, j in where]
    distinct: dict[str, int] = {}
    owner = [distinct.setdefault(text, len(distinct)) for text in texts]
    asked: list[dict[tuple[int, int], int]] = [{} for _ in distinct]  # per distinct text: span -> position
    for i, row in enumerate(spans):
        for span in row:
            asked[owner[i]].setdefault(span, len(asked[owner[i]]))
    unique = list(distinct)
    fresh = [k for k, text in enumerate(unique) if not carry.holds(text, asked[k])]
    new_vectors, new_spans = encode_passages_and_spans(
        embedder, [unique[k] for k in fresh], [list(asked[k]) for k in fresh], pool=True,
        batch_size=settings.batch_size, progress=progress)
    result.encoded += len(fresh)  # passages, and sentences embedded on their own
    result.reused += len(texts) - len(fresh)
    offset = np.cumsum([0] + [len(row) for row in asked])
    vectors = np.zeros((len(unique), embedder.dim), dtype=np.float32)
    span_vectors = np.zeros((int(offset[-1]), embedder.dim), dtype=np.float32)
    new_offset = 0
    for n, k in enumerate(fresh):
        vectors[k] = new_vectors[n]
        span_vectors[offset[k]:offset[k + 1]] = new_spans[new_offset:new_offset + len(asked[k])]
        new_offset += len(asked[k])
    for k in sorted(set(range(len(unique))) - set(fresh)):
        vectors[k], kept = carry.vectors[unique[k]]
        for span, position in asked[k].items():
            span_vectors[offset[k] + position] = kept[span]
    for k, text in enumerate(unique):
        if text in carry.wanted:
            kept = carry.vectors.get(text, (None, {}))[1]
            carry.vectors[text] = (vectors[k], {**kept, **{span: span_vectors[offset[k] + position]
                                                            for span, position in asked[k].items()}})
    sentence_vectors = span_vectors[[offset[owner[i]] + asked[owner[i]][spans[i][j]] for i, j in where]] \
        if where else np.zeros((0, vectors.shape[1]), dtype=np.float32)
    return vectors[owner[:n_chunks]], sentence_vectors


# --------------------------------------------------------------------------- remembered failures

#: Beside the builds in the index folder; plain JSON, replaced atomically, never part of a build.
FAILURES_FILE = "failures.json"


@dataclass(frozen=True)
class Failure:
    """A corpus file that could not be indexed: its content hash and the reason shown."""

    sha256: str
    reason: str


def _failure_context(settings: Settings) -> str:
    """What a recorded failure depends on besides the file: pipeline and reading limits.
    Changing any of them (e.g. raising CQC_KB_MAX_PAGES) makes every failure be retried."""
    limits = {name: getattr(settings, name) for name in
              ("max_file_mb", "max_pages", "max_passages", "parse_seconds", "max_decompressed_mb")}
    return f"{settings.index_hash()}:{json.dumps(limits, sort_keys=True)}"


def load_failures(settings: Settings) -> dict[str, Failure]:
    """Failures recorded by the last reindex under the same settings (empty if none or unreadable)."""
    try:
        raw = json.loads((settings.index / FAILURES_FILE).read_text(encoding="utf-8"))
        if raw.get("context") != _failure_context(settings):
            return {}
        return {name: Failure(str(v["sha256"]), str(v["reason"])) for name, v in raw["files"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # a missing or damaged record only costs re-reading those files


def save_failures(settings: Settings, failures: dict[str, Failure]) -> None:
    """Write the failure record atomically (or remove it when nothing failed). Call it holding
    the write lock: temporary files an interrupted reindex left are removed here."""
    for stale in settings.index.glob(".failures-*.tmp"):
        stale.unlink(missing_ok=True)
    path = settings.index / FAILURES_FILE
    if not failures:
        path.unlink(missing_ok=True)
        return
    payload = {"context": _failure_context(settings),
               "files": {name: {"sha256": f.sha256, "reason": f.reason} for name, f in sorted(failures.items())}}
    fd, tmp = tempfile.mkstemp(prefix=".failures-", suffix=".tmp", dir=settings.index)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
