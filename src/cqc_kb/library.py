"""Library work behind the app's Library page: adding, removing and replacing reports.

* :func:`check_upload` checks an uploaded file (type by content, size, a full parse) and says
  in plain words why a file is refused ("Word .docx is not supported: save it as PDF ...").
* :func:`add_reports` (:func:`check_uploads`, then :func:`add_checked`) saves the good files
  of an upload batch, refuses the bad ones each with its reason, then indexes the good ones; a
  file that fails while indexing is taken out again and reported by name, so no good file is
  ever left saved but not searchable.
* :func:`remove_report` and :func:`replace_report` take a report out of the library or swap in
  a new version, and update the index; the previous state is restored if that fails.
* :class:`IndexProgress` turns the indexer's progress into a fraction, a passage count and a
  time estimate; :func:`library_rows` lists the reports with their index status.

Messages returned here are shown to users: they speak of "the library", never of folders.
Nothing here renders HTML or uses Streamlit (the app's evidence rendering lives in
``cqc_kb_app.html``), so all of it is unit-testable.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import sqlite3
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from .chunk import chunk_document, token_counter
from .embed import Embedder
from .errors import KbError, ParseError
from .ingest import IGNORED_NAMES, ProgressFn, ReindexResult, corpus_files, load_failures, reindex
from .parse import SUPPORTED_SUFFIXES, Limits, parse_bytes, sha256_bytes, sniff_format
from .settings import Settings
from .text import human_size
from .store import current_build
from .structure import analyse

#: Extension written for each sniffed format.
_EXTENSION = {"pdf": ".pdf", "html": ".html", "txt": ".txt"}
#: Extensions that are accepted as they are for a sniffed format.
_KEEP_EXTENSION = {"pdf": (".pdf",), "html": (".html", ".htm"), "txt": (".txt", ".md", ".markdown")}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: Prefix of the hidden files used while a report is being replaced or removed (the indexer
#: ignores hidden files, so they are never indexed).
_ASIDE = ".previous-"

READ_ONLY_MESSAGE = ("This library is read-only: reports cannot be added, removed or replaced here. "
                     "Ask whoever runs it to add the report.")
ACCEPTED = "a PDF, a web page (HTML) or a text file"


class UploadError(KbError):
    """An uploaded file was refused; the library is unchanged. ``reason`` is in plain words."""

    def __init__(self, filename: str, reason: str) -> None:
        self.filename = filename
        self.reason = reason
        super().__init__(f"{filename} was not added: {reason}")


class DuplicateUploadError(UploadError):
    """The uploaded file is already in the library (same content)."""

    def __init__(self, filename: str, existing: str) -> None:
        self.existing = existing
        super().__init__(filename, f"it is already in the library as {existing} (same content), "
                                   "so nothing was added")


class ReadOnlyError(KbError):
    """The library is read-only (setting ``read_only``): nothing can be added, removed or replaced."""

    def __init__(self) -> None:
        super().__init__(READ_ONLY_MESSAGE)


class ReportNotFoundError(KbError):
    """The report to remove or replace is not in the library."""


def ensure_writable(settings: Settings) -> None:
    """Raise :class:`ReadOnlyError` when the library is read-only."""
    if getattr(settings, "read_only", False):
        raise ReadOnlyError()


def user_words(message: str) -> str:
    """An indexer message in the words users see: "the library", not "the corpus" folder."""
    message = re.sub(r"\bthe corpus folder\b", "the library", message)
    return re.sub(r"\bcorpus\b", "library", message)


def upload_limit_mb(settings: Settings) -> int:
    """The per-file limit to give the uploader widget (whole megabytes, at least 1): the
    library's own limit, rounded up, so the widget never refuses what the library accepts."""
    return max(1, math.ceil(settings.max_file_mb))


# --------------------------------------------------------------------------- file types

_WORD = "save it as PDF (in Word: File > Save As > PDF) and upload the PDF"
_OFFICE_DOC = "save it as PDF and upload the PDF"
_SHEET = "the library holds reports, not data tables: upload the report itself as PDF"
_SLIDES = "save it as PDF and upload the PDF, or upload the report itself"
_IMAGE = "a picture of a page has no text to search: upload the report itself as PDF"
_ARCHIVE = "unpack it and upload the reports inside"
_EMAIL = "save the attached report and upload that"
_PROGRAM = "upload the report itself as PDF"

#: Extension -> (what the file is, what to do), for files the library cannot read.
_KINDS = {
    ".docx": ("Word .docx", _WORD), ".doc": ("Word .doc", _WORD), ".docm": ("Word .docm", _WORD),
    ".dotx": ("Word template .dotx", _WORD), ".odt": ("OpenDocument .odt", _OFFICE_DOC),
    ".rtf": ("Rich text .rtf", _OFFICE_DOC), ".pages": ("Apple Pages", _OFFICE_DOC),
    ".xlsx": ("Excel .xlsx", _SHEET), ".xls": ("Excel .xls", _SHEET), ".xlsm": ("Excel .xlsm", _SHEET),
    ".ods": ("OpenDocument spreadsheet .ods", _SHEET), ".csv": ("A CSV spreadsheet", _SHEET),
    ".tsv": ("A TSV spreadsheet", _SHEET), ".numbers": ("Apple Numbers", _SHEET),
    ".pptx": ("PowerPoint .pptx", _SLIDES), ".ppt": ("PowerPoint .ppt", _SLIDES),
    ".odp": ("OpenDocument presentation .odp", _SLIDES), ".key": ("Apple Keynote", _SLIDES),
    ".png": ("An image (.png)", _IMAGE), ".jpg": ("An image (.jpg)", _IMAGE),
    ".jpeg": ("An image (.jpeg)", _IMAGE), ".gif": ("An image (.gif)", _IMAGE),
    ".bmp": ("An image (.bmp)", _IMAGE), ".tif": ("An image (.tif)", _IMAGE),
    ".tiff": ("An image (.tiff)", _IMAGE), ".webp": ("An image (.webp)", _IMAGE),
    ".heic": ("An image (.heic)", _IMAGE), ".svg": ("An image (.svg)", _IMAGE),
    ".zip": ("A zip archive", _ARCHIVE), ".7z": ("A 7-Zip archive", _ARCHIVE),
    ".rar": ("A RAR archive", _ARCHIVE), ".tar": ("A tar archive", _ARCHIVE),
    ".gz": ("A compressed .gz file", _ARCHIVE), ".tgz": ("A compressed archive", _ARCHIVE),
    ".bz2": ("A compressed .bz2 file", _ARCHIVE), ".xz": ("A compressed .xz file", _ARCHIVE),
    ".msg": ("An Outlook email (.msg)", _EMAIL), ".eml": ("An email (.eml)", _EMAIL),
    ".epub": ("An e-book (.epub)", _OFFICE_DOC),
    ".exe": ("A program (.exe)", _PROGRAM), ".dmg": ("A disk image (.dmg)", _PROGRAM),
}
#: Magic bytes -> the extension whose entry above describes the file.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"GIF87a", ".gif"), (b"GIF89a", ".gif"),
    (b"II*\x00", ".tif"), (b"MM\x00*", ".tif"), (b"{\\rtf", ".rtf"), (b"\x1f\x8b", ".gz"),
    (b"7z\xbc\xaf\x27\x1c", ".7z"), (b"Rar!\x1a\x07", ".rar"), (b"\xfd7zXZ\x00", ".xz"),
    (b"\x7fELF", ".exe"),
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Office files (.doc, .xls, .ppt, .msg)
_ZIP_MEMBERS = (("word/", ".docx"), ("xl/", ".xlsx"), ("ppt/", ".pptx"))
_OPENDOCUMENT = {b"application/vnd.oasis.opendocument.text": ".odt",
                 b"application/vnd.oasis.opendocument.spreadsheet": ".ods",
                 b"application/vnd.oasis.opendocument.presentation": ".odp",
                 b"application/epub+zip": ".epub"}


def _not_supported(kind: str, fix: str) -> str:
    return f"{kind} is not supported: {fix}"


def unsupported_reason(filename: str, data: bytes) -> str | None:
    """Why a file is not a report the library can read, in plain words, or None if it may be one.

    The content decides (a Word file renamed ``.pdf`` is still named as Word); the extension
    only names the kind of a binary file and refuses spreadsheets saved as text (``.csv``).
    """
    suffix = Path(filename).suffix.lower()
    head = data[:4096]
    if head.lstrip().startswith(b"%PDF-"):
        return None
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _not_supported(*_KINDS[_zip_kind(data, suffix)])
    if head.startswith(_OLE):
        if suffix in (".doc", ".xls", ".ppt", ".msg"):
            return _not_supported(*_KINDS[suffix])
        return _not_supported("An older Microsoft Office file (.doc, .xls or .ppt)", _OFFICE_DOC)
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return _not_supported(*_KINDS[kind])
    if (head.startswith(b"MZ") and b"\x00" in head) or (head.startswith(b"BZh") and head[4:10] == b"1AY&SY"):
        return _not_supported(*_KINDS[".exe" if head.startswith(b"MZ") else ".bz2"])
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
        return _not_supported(*_KINDS[".heic"])
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _not_supported(*_KINDS[".webp"])
    if len(data) > 262 and data[257:262] == b"ustar":
        return _not_supported(*_KINDS[".tar"])
    if re.match(rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<svg[\s>]", head, re.S | re.I):
        return _not_supported(*_KINDS[".svg"])
    if suffix in (".csv", ".tsv"):
        return _not_supported(*_KINDS[suffix])
    if b"\x00" in head and suffix in _KINDS:
        return _not_supported(*_KINDS[suffix])
    return None


def _zip_kind(data: bytes, suffix: str) -> str:
    """Which zip-based format ``data`` is: Word, Excel, PowerPoint, OpenDocument, e-book or a plain zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                kind = _OPENDOCUMENT.get(archive.read("mimetype")[:80].strip())
                if kind:
                    return kind
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError):
        return suffix if suffix in _KINDS and _KINDS[suffix][1] != _IMAGE else ".zip"
    for prefix, kind in _ZIP_MEMBERS:
        if any(n.startswith(prefix) for n in names):
            return kind
    return ".zip"


# --------------------------------------------------------------------------- checking one upload

def safe_filename(filename: str, fmt: str) -> str:
    """A library file name for an upload: no folders, only ``[A-Za-z0-9._-]``, no leading dot,
    and an extension that matches the sniffed format ``fmt``."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = _UNSAFE.sub("-", base).strip("-._")
    base = re.sub(r"-{2,}", "-", base)
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem.strip("-._") or "report"
    suffix = f".{suffix.lower()}" if suffix else ""
    if suffix not in _KEEP_EXTENSION.get(fmt, ()):
        # A wrong or missing extension: keep what was there as part of the name.
        stem = f"{stem}-{suffix.lstrip('.')}" if suffix and suffix not in SUPPORTED_SUFFIXES else stem
        suffix = _EXTENSION[fmt]
    stem = stem[:100].strip("-._") or "report"
    if f"{stem}{suffix}".lower() in IGNORED_NAMES:
        stem = f"{stem}-report"
    return f"{stem}{suffix}"


def shown_name(filename: str) -> str:
    """The uploaded file's own name, without any folder a browser may send."""
    return re.split(r"[\\/]", filename or "")[-1].strip() or "upload"


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check: what will be saved, and how many passages it makes."""

    filename: str  # as uploaded
    name: str  # the safe library file name it would get
    fmt: str
    sha256: str
    data: bytes = field(repr=False)
    passages: int = 0


def _library_hashes(corpus: Path) -> dict[str, str]:
    """sha256 -> file name for every report file in the library."""
    files, _ = corpus_files(corpus)
    out: dict[str, str] = {}
    for path in files:
        try:
            out.setdefault(sha256_bytes(path.read_bytes()), path.name)
        except OSError:
            continue
    return out


def check_upload(settings: Settings, filename: str, data: bytes,
                 known: dict[str, str] | None = None) -> CheckedUpload:
    """Check one uploaded file without writing anything; raise :class:`UploadError` with a
    reason in plain words when it cannot be added.

    Checks, in order: the size limit (``settings.max_file_mb``), empty files, file types the
    library cannot read, a full parse (so a file the indexer would skip is refused now), and
    duplicates by content (``known``: sha256 -> file name already in the library; read from
    the library when None).
    """
    shown = shown_name(filename)
    limit = int(settings.max_file_mb * 1e6)
    if len(data) > limit:
        raise UploadError(shown, f"it is {human_size(len(data))}, over the {human_size(limit)} limit "
                                 "for one file: upload a smaller copy of the report (for example a PDF "
                                 "saved without images), or ask whoever runs this library to raise the limit")
    if not data.strip():
        raise UploadError(shown, f"the file is empty: upload the full report as {ACCEPTED}")
    reason = unsupported_reason(shown, data)
    if reason:
        raise UploadError(shown, reason)
    try:
        fmt = sniff_format(data, shown)
        name = safe_filename(shown, fmt)
        # The same reading limits as the indexer, so a file it would skip is refused now.
        doc = parse_bytes(data, name, limits=Limits.from_settings(settings))
        passages = len(chunk_document(doc, analyse(doc), settings, token_counter(settings)))
        if passages > settings.max_passages:
            raise ParseError(name, f"makes {passages:,} passages, over the {settings.max_passages:,}-passage "
                                   "limit for one file", "Split the report into parts and upload those")
    except ParseError as exc:
        raise UploadError(shown, f"it {exc.reason}. {user_words(exc.fix)}") from None
    except (RecursionError, MemoryError) as exc:
        raise UploadError(shown, f"it could not be read ({type(exc).__name__}: it is built in a way too "
                                 "deep or too large to read safely): save the report again as PDF and "
                                 "upload that") from None
    except Exception as exc:  # any failure inside a parser library means this file cannot be read
        raise UploadError(shown, f"it could not be read ({type(exc).__name__}): the file may be damaged; "
                                 f"download the report again, or save it again as PDF, and upload that") from None
    digest = sha256_bytes(data)
    existing = (_library_hashes(settings.corpus) if known is None else known).get(digest)
    if existing is not None:
        raise DuplicateUploadError(shown, existing)
    return CheckedUpload(shown, name, fmt, digest, data, passages)


def _free_name(corpus: Path, name: str) -> str:
    """``name``, or ``stem-2.ext``, ``stem-3.ext``... when a different file already has it."""
    stem, suffix = os.path.splitext(name)
    candidate, n = name, 1
    existing = {p.name.lower() for p in corpus.iterdir()}
    while candidate.lower() in existing:
        n += 1
        candidate = f"{stem}-{n}{suffix}"
    return candidate


def _write_new(corpus: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as ``corpus/name`` through a temporary file, never over an existing file."""
    target = corpus / name
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".tmp", dir=corpus)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # link() fails if the name exists, so a racing upload of the same name is never clobbered.
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise UploadError(name, "a file of that name appeared in the library while saving; "
                                    "upload it again") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def _check_folder(settings: Settings) -> None:
    if not settings.corpus.is_dir():
        raise KbError(f"the corpus folder {settings.corpus} does not exist; create it or set CQC_KB_CORPUS")
    _clear_leftovers(settings.corpus)


_LEFTOVER = re.compile(rf"^(?:{re.escape(_ASIDE)}(?P<pid>\d+)-.+|\.upload-.+\.tmp)$")
#: A temporary upload file older than this was left by a crash (an upload takes seconds).
_STALE_SECONDS = 3600


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clear_leftovers(corpus: Path) -> None:
    """Delete hidden files a crashed change left behind: an old version set aside by a process
    that is gone (its change finished or died), or a temporary upload older than an hour. The
    indexer never reads them; this only stops them piling up."""
    now = time.time()
    for path in corpus.iterdir():
        m = _LEFTOVER.match(path.name)
        if not m:
            continue
        try:
            stale = (not _alive(int(m.group("pid")))) if m.group("pid") else \
                now - path.lstat().st_mtime > _STALE_SECONDS
            if stale:
                path.unlink()
        except OSError:
            continue


def save_upload(settings: Settings, filename: str, data: bytes) -> Path:
    """Validate an uploaded report and write it into the library; return its new path.

    Raises :class:`UploadError` (or :class:`DuplicateUploadError`) with a reason in plain
    words; on any error nothing is written. Does not index: see :func:`add_reports`.
    """
    ensure_writable(settings)
    _check_folder(settings)
    checked = check_upload(settings, filename, data)
    return _write_new(settings.corpus, _free_name(settings.corpus, checked.name), data)


# --------------------------------------------------------------------------- progress

def _duration(seconds: float) -> str:
    if seconds < 5:
        return "a few seconds"
    if seconds < 90:
        return f"{int(5 * round(seconds / 5))} s"
    return f"{round(seconds / 60)} min"


@dataclass
class IndexProgress:
    """Reindex progress as one fraction and one line of plain words.

    ``passages`` is how many passages the files of this change make (from
    :func:`check_upload`); it is the only passage count shown while indexing, so it matches
    the count reported at the end. The time left is estimated from the embedding rate
    measured so far (texts per second), once the first batch is done; the embedder takes short
    texts first, so the estimate tends to grow a little as longer passages come.
    """

    passages: int = 0
    clock: Callable[[], float] = time.monotonic
    _embed_start: tuple[float, int] | None = field(default=None, init=False, repr=False)

    #: Share of the bar each stage covers; embedding dominates the time.
    STAGES = {"scan": (0.0, 0.03), "parse": (0.03, 0.10), "embed": (0.10, 1.0)}

    def update(self, stage: str, done: int, total: int) -> tuple[float, str]:
        """(fraction 0-1, text) for one ``ProgressFn`` call from the indexer."""
        lo, hi = self.STAGES.get(stage, (0.0, 1.0))
        share = done / total if total else 1.0
        fraction = min(max(lo + (hi - lo) * share, 0.0), 1.0)
        if stage == "scan":
            return fraction, "Checking the library's files…"
        if stage == "parse":
            return fraction, f"Reading reports: {done} of {total}"
        if stage != "embed":
            return fraction, "Indexing…"
        now = self.clock()
        if self._embed_start is None:
            self._embed_start = (now, done)
        left = ""
        t0, d0 = self._embed_start
        if done > d0 and now > t0:
            rate = (done - d0) / (now - t0)
            left = f", about {_duration((total - done) / rate)} left" if done < total else ""
        elif done < total:
            left = ", estimating the time left…"
        if self.passages:
            passages_done = min(self.passages, round(self.passages * share))
            return fraction, (f"Indexing passages of this upload: {passages_done} of {self.passages}"
                              f"{left}")
        return fraction, f"Indexing: {round(100 * share)}% done{left}"


# --------------------------------------------------------------------------- batch changes

@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file of a change.

    ``status``: ``added``, ``replaced``, ``removed``, ``refused`` (failed a check, nothing
    saved) or ``not indexed`` (passed the checks but failed while indexing; taken out again).
    """

    filename: str
    status: str
    reason: str = ""
    saved_as: str | None = None
    passages: int = 0


@dataclass(frozen=True)
class LibraryChange:
    """The result of :func:`add_reports`, :func:`remove_report` or :func:`replace_report`.

    ``passages`` counts the passages of this change's files that are now searchable (the
    same count :class:`IndexProgress` shows); ``library_passages`` and ``library_reports``
    describe the whole library afterwards.
    """

    files: tuple[FileOutcome, ...]
    passages: int = 0
    library_passages: int = 0
    library_reports: int = 0
    seconds: float = 0.0
    #: Files already in the library that the indexer skipped (name, reason in plain words).
    other_skipped: tuple[tuple[str, str], ...] = ()


def _index_counts(settings: Settings) -> tuple[dict[str, int], int]:
    """Passages per indexed file, and the number of indexed reports (documents)."""
    build = current_build(settings.index)
    if build is None:
        return {}, 0
    with contextlib.closing(sqlite3.connect(f"file:{build / 'kb.sqlite'}?mode=ro", uri=True)) as db:
        counts = dict(db.execute("SELECT document, count(*) FROM chunks GROUP BY document").fetchall())
        reports = int(db.execute("SELECT count(*) FROM documents").fetchone()[0])
    return counts, reports


def _summary(settings: Settings, outcomes: list[FileOutcome], result: ReindexResult | None,
             ours: set[str], started: float) -> LibraryChange:
    counts, reports = _index_counts(settings)
    final = [FileOutcome(o.filename, o.status, o.reason, o.saved_as, counts.get(o.saved_as or "", 0))
             if o.status in ("added", "replaced") else o for o in outcomes]
    others = tuple((n, user_words(r)) for n, r in (result.skipped if result else []) if n not in ours)
    return LibraryChange(tuple(final), sum(o.passages for o in final), sum(counts.values()), reports,
                         time.perf_counter() - started, others)


@dataclass(frozen=True)
class UploadPlan:
    """An upload batch after its checks: the files that will be added, and the refused ones."""

    good: tuple[CheckedUpload, ...]
    refused: tuple[FileOutcome, ...]

    @property
    def passages(self) -> int:
        """Passages the good files make: the count shown while they are indexed."""
        return sum(c.passages for c in self.good)


def check_uploads(settings: Settings, uploads: Sequence[tuple[str, bytes]]) -> UploadPlan:
    """Check every file of a batch ``(filename, data)``; write nothing.

    A file is refused with its reason (:func:`check_upload`), and so is a second copy of a file
    already in the same batch.
    """
    _check_folder(settings)
    known = _library_hashes(settings.corpus)
    refused: list[FileOutcome] = []
    good: dict[str, CheckedUpload] = {}  # by content hash
    for filename, data in uploads:
        try:
            checked = check_upload(settings, filename, data, known)
        except UploadError as exc:
            refused.append(FileOutcome(exc.filename, "refused", exc.reason))
            continue
        twin = good.get(checked.sha256)
        if twin is not None:
            refused.append(FileOutcome(checked.filename, "refused",
                                       f"it is the same file as {twin.filename} in this upload"))
            continue
        good[checked.sha256] = checked
    return UploadPlan(tuple(good.values()), tuple(refused))


def add_checked(settings: Settings, plan: UploadPlan, embedder: Embedder | None = None,
                progress: ProgressFn | None = None) -> LibraryChange:
    """Save the good files of a checked batch, then index them in one reindex.

    A saved file that the indexer skips is removed again and reported as ``not indexed`` with
    its reason; if the reindex itself fails, every file of this batch is removed again and the
    error is raised, so good files are never left saved but unindexed.
    """
    ensure_writable(settings)
    _check_folder(settings)
    started = time.perf_counter()
    outcomes = list(plan.refused)
    if not plan.good:
        return _summary(settings, outcomes, None, set(), started)
    saved: list[tuple[CheckedUpload, Path]] = []
    try:
        for checked in plan.good:
            saved.append((checked, _write_new(settings.corpus, _free_name(settings.corpus, checked.name),
                                              checked.data)))
        result = reindex(settings, embedder=embedder, progress=progress)
    except BaseException:
        for _, path in saved:
            path.unlink(missing_ok=True)
        raise
    skipped = dict(result.skipped)
    for checked, path in saved:
        if path.name in skipped:
            path.unlink(missing_ok=True)
            outcomes.append(FileOutcome(checked.filename, "not indexed", user_words(skipped[path.name])))
        else:
            outcomes.append(FileOutcome(checked.filename, "added", saved_as=path.name))
    return _summary(settings, outcomes, result, {p.name for _, p in saved}, started)


def add_reports(settings: Settings, uploads: Sequence[tuple[str, bytes]], embedder: Embedder | None = None,
                progress: ProgressFn | None = None) -> LibraryChange:
    """Add a batch of uploaded files ``(filename, data)`` to the library and index them:
    :func:`check_uploads`, then :func:`add_checked`. Refused files are reported with their
    reason and never saved."""
    ensure_writable(settings)
    return add_checked(settings, check_uploads(settings, uploads), embedder, progress)


def _library_file(settings: Settings, name: str) -> Path:
    """The library file called ``name`` (a bare file name, never a path out of the library)."""
    if not name or name != Path(name).name or name.startswith(".") or name in (".", ".."):
        raise ReportNotFoundError(f"{name!r} is not a report in the library")
    return settings.corpus / name


def remove_report(settings: Settings, name: str, embedder: Embedder | None = None,
                  progress: ProgressFn | None = None) -> LibraryChange:
    """Delete the report file ``name`` from the library and update the index.

    The file is first moved aside (a hidden name the indexer ignores); if the reindex fails it
    is put back and the error raised, otherwise it is deleted. A report whose file is already
    gone is just dropped from the index.
    """
    ensure_writable(settings)
    _check_folder(settings)
    started = time.perf_counter()
    path = _library_file(settings, name)
    indexed, _ = _index_counts(settings)
    exists = path.is_file() or path.is_symlink()
    if not exists and name not in indexed:
        raise ReportNotFoundError(f"{name} is not in the library; reload the page to see the current list")
    aside = settings.corpus / f"{_ASIDE}{os.getpid()}-{name}"
    if exists:
        os.replace(path, aside)
    try:
        result = reindex(settings, embedder=embedder, progress=progress)
    except BaseException:
        if exists:
            os.replace(aside, path)
        raise
    if exists:
        aside.unlink(missing_ok=True)
    return _summary(settings, [FileOutcome(name, "removed")], result, {name}, started)


def replace_report(settings: Settings, name: str, filename: str, data: bytes,
                   embedder: Embedder | None = None, progress: ProgressFn | None = None) -> LibraryChange:
    """Replace the report file ``name`` with an uploaded new version and update the index.

    The new file passes the same checks as an upload (a refusal changes nothing and comes back
    as a ``refused`` outcome). It keeps the old name when its type allows, and is swapped in
    with one atomic rename; if the reindex fails or skips it, the old file is put back.
    """
    ensure_writable(settings)
    _check_folder(settings)
    started = time.perf_counter()
    path = _library_file(settings, name)
    if not path.is_file():
        raise ReportNotFoundError(f"{name} is not in the library; reload the page to see the current list")
    old = path.read_bytes()
    known = {h: n for h, n in _library_hashes(settings.corpus).items() if n != name}
    try:
        if sha256_bytes(data) == sha256_bytes(old):
            raise UploadError(shown_name(filename), f"it is the same as the {name} already in the library, "
                                                    "so nothing was replaced")
        checked = check_upload(settings, filename, data, known)
    except UploadError as exc:
        return _summary(settings, [FileOutcome(exc.filename, "refused", exc.reason)], None, set(), started)
    same_type = path.suffix.lower() in _KEEP_EXTENSION[checked.fmt]
    target = path if same_type else settings.corpus / _free_name(
        settings.corpus, Path(name).stem + _EXTENSION[checked.fmt])
    aside = settings.corpus / f"{_ASIDE}{os.getpid()}-{name}"
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".tmp", dir=settings.corpus)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    aside.unlink(missing_ok=True)
    os.link(path, aside)  # the old version, kept until the new one is indexed

    def restore() -> None:
        if target != path:
            target.unlink(missing_ok=True)
        os.replace(aside, path)

    try:
        os.replace(tmp, target)  # the swap: readers see the old file or the new one, never neither
        if target != path:
            path.unlink()
        result = reindex(settings, embedder=embedder, progress=progress)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        restore()
        raise
    skipped = dict(result.skipped)
    if target.name in skipped:
        restore()
        if result.changed:
            result = reindex(settings, embedder=embedder, progress=progress)
        outcome = FileOutcome(checked.filename, "not indexed",
                              user_words(skipped[target.name]) + f"; {name} was kept as it was")
    else:
        aside.unlink(missing_ok=True)
        outcome = FileOutcome(checked.filename, "replaced", saved_as=target.name)
    return _summary(settings, [outcome], result, {name, target.name}, started)


# --------------------------------------------------------------------------- library table

#: What each index status means, in the words the Library page shows.
STATUS_WORDS = {"indexed": "searchable", "changed": "changed since indexed", "new": "not indexed yet",
                "not in corpus": "file removed", "cannot be indexed": "cannot be read"}


@dataclass(frozen=True)
class LibraryRow:
    """One document on the Library page."""

    file: str
    authority: str | None
    fmt: str | None
    published: str | None
    rating: str | None
    pages: int | None
    passages: int | None
    status: str  # "indexed", "changed", "new", "not in corpus" or "cannot be indexed"
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"Authority": self.authority or "", "File": self.file, "Format": self.fmt or "",
                "Published": self.published or "", "Rating": self.rating or "",
                "Pages": "–" if self.pages is None else str(self.pages),
                "Passages": "–" if self.passages is None else str(self.passages),
                "Status": STATUS_WORDS.get(self.status, self.status), "Note": self.note}


def library_rows(settings: Settings, documents: Iterable[Any] = ()) -> list[LibraryRow]:
    """Indexed documents (``Store.documents()`` rows) merged with the library's files.

    Status by content hash: ``indexed`` (same content), ``changed`` (file differs from what was
    indexed), ``new`` (not indexed yet), ``not in corpus`` (indexed, file since removed),
    ``cannot be indexed`` (unsupported type, a second copy, or the last reindex could not read
    this very content: its recorded reason is the note).
    """
    indexed = {d["name"]: d for d in documents}
    by_hash = {d["sha256"]: name for name, d in indexed.items()}
    failures = load_failures(settings)
    try:
        files, skipped = corpus_files(settings.corpus)
    except KbError:
        files, skipped = [], []
    rows: list[LibraryRow] = []
    seen = set()
    for path in files:
        seen.add(path.name)
        doc = indexed.get(path.name)
        try:
            digest = sha256_bytes(path.read_bytes())
        except OSError:
            digest = None
        if doc is None and by_hash.get(digest, path.name) != path.name:
            # reindex skips a second copy of a report (see ingest._plan)
            rows.append(LibraryRow(path.name, None, path.suffix.lstrip(".").lower(), None, None, None,
                                   None, "cannot be indexed", f"same content as {by_hash[digest]}, which "
                                   "is indexed once; delete one of the two copies"))
            continue
        failed = failures.get(path.name)
        failed = failed if failed is not None and failed.sha256 == digest else None
        if doc is None:
            # A file the last reindex could not read is not "new": updating the index would
            # only skip it again, for the reason recorded then.
            rows.append(LibraryRow(path.name, None, path.suffix.lstrip(".").lower(), None, None, None,
                                   None, "cannot be indexed" if failed else "new",
                                   user_words(failed.reason) if failed else
                                   "not searchable until the index is updated"))
            continue
        status = "indexed" if digest == doc["sha256"] else "changed"
        note = "" if status == "indexed" else "the file changed since it was indexed; update the index"
        if status == "changed" and failed:
            note = ("the new version could not be read, so the earlier version stays searchable: "
                    + user_words(failed.reason))
        rows.append(_row(doc, status, note))
    for name, doc in indexed.items():
        if name not in seen:
            rows.append(_row(doc, "not in corpus", "the file was removed; update the index to drop it"))
    for name, reason in skipped:
        rows.append(LibraryRow(name, None, Path(name).suffix.lstrip(".").lower(), None, None, None, None,
                               "cannot be indexed", user_words(reason)))
    rows.sort(key=lambda r: ((r.authority or "~").lower(), r.file.lower()))
    return rows


def _row(doc: Any, status: str, note: str) -> LibraryRow:
    return LibraryRow(doc["name"], doc["authority"], doc["fmt"], doc["published"], doc["rating"],
                      doc["pages"], doc["chunks"], status, note)
