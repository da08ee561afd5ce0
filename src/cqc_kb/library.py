"""Library work behind the app's Library page: uploads and the library table.

* :func:`save_upload` checks an uploaded report (size, type by content, a full parse) and only
  then writes it into the corpus, atomically, under a safe name.
* :func:`library_rows` lists the indexed documents and the corpus files with their index status.

Nothing here renders HTML or uses Streamlit (the app's evidence rendering lives in
``cqc_kb_app.html``), so all of it is unit-testable.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .errors import KbError, ParseError
from .ingest import IGNORED_NAMES, corpus_files
from .parse import SUPPORTED_SUFFIXES, parse_bytes, sha256_bytes, sniff_format
from .settings import Settings

#: Extension written for each sniffed format.
_EXTENSION = {"pdf": ".pdf", "html": ".html", "txt": ".txt"}
#: Extensions that are accepted as they are for a sniffed format.
_KEEP_EXTENSION = {"pdf": (".pdf",), "html": (".html", ".htm"), "txt": (".txt", ".md", ".markdown")}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UploadError(KbError):
    """An uploaded file was refused; the corpus is unchanged."""


class DuplicateUploadError(UploadError):
    """The uploaded file is already in the corpus (same content)."""

    def __init__(self, filename: str, existing: str) -> None:
        self.filename = filename
        self.existing = existing
        super().__init__(f"{filename} is already in the library as {existing} (same content); "
                         "nothing was added")


# --------------------------------------------------------------------------- uploads

def safe_filename(filename: str, fmt: str) -> str:
    """A corpus file name for an upload: no folders, only ``[A-Za-z0-9._-]``, no leading dot,
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


def _corpus_hashes(corpus: Path) -> dict[str, str]:
    """sha256 -> file name for every report file in the corpus."""
    files, _ = corpus_files(corpus)
    out: dict[str, str] = {}
    for path in files:
        try:
            out.setdefault(sha256_bytes(path.read_bytes()), path.name)
        except OSError:
            continue
    return out


def _free_name(corpus: Path, name: str) -> str:
    """``name``, or ``stem-2.ext``, ``stem-3.ext``... when a different file already has it."""
    stem, suffix = os.path.splitext(name)
    candidate, n = name, 1
    existing = {p.name.lower() for p in corpus.iterdir()}
    while candidate.lower() in existing:
        n += 1
        candidate = f"{stem}-{n}{suffix}"
    return candidate


def save_upload(settings: Settings, filename: str, data: bytes) -> Path:
    """Validate an uploaded report and write it into the corpus; return its new path.

    Raises :class:`UploadError` (or :class:`DuplicateUploadError`) with a message that says
    what is wrong and what to do; on any error nothing is written.
    """
    shown = Path(re.split(r"[\\/]", filename or "upload")[-1]).name or "upload"
    limit = int(settings.max_file_mb * 1e6)
    if len(data) > limit:
        raise UploadError(f"{shown} is {len(data) / 1e6:.1f} MB, over the {settings.max_file_mb:g} MB "
                          "limit; split the report or raise CQC_KB_MAX_FILE_MB")
    if not data.strip():
        raise UploadError(f"{shown} is empty; upload the full report as PDF, HTML or text")
    corpus = settings.corpus
    if not corpus.is_dir():
        raise UploadError(f"the corpus folder {corpus} does not exist; create it or set CQC_KB_CORPUS")
    try:
        fmt = sniff_format(data, shown)
        name = safe_filename(shown, fmt)
        # Parse it fully now, so a file the indexer would skip never enters the corpus.
        parse_bytes(data, name, max_bytes=limit)
    except ParseError as exc:
        raise UploadError(f"{shown} was not added: {exc.reason}. {exc.fix}") from None
    digest = sha256_bytes(data)
    existing = _corpus_hashes(corpus).get(digest)
    if existing is not None:
        raise DuplicateUploadError(shown, existing)
    name = _free_name(corpus, name)
    target = corpus / name
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".tmp", dir=corpus)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if target.exists():  # raced with another upload of the same name
            raise UploadError(f"{name} appeared in the corpus while saving; upload it again")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


# --------------------------------------------------------------------------- library table

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
                "Passages": "–" if self.passages is None else str(self.passages), "Index status": self.status,
                "Note": self.note}


def library_rows(settings: Settings, documents: Iterable[Any] = ()) -> list[LibraryRow]:
    """Indexed documents (``Store.documents()`` rows) merged with the corpus files on disk.

    Status by content hash: ``indexed`` (same content), ``changed`` (file differs from what was
    indexed), ``new`` (not indexed yet), ``not in corpus`` (indexed, file since removed),
    ``cannot be indexed`` (unsupported file type).
    """
    indexed = {d["name"]: d for d in documents}
    by_hash = {d["sha256"]: name for name, d in indexed.items()}
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
        if doc is None:
            rows.append(LibraryRow(path.name, None, path.suffix.lstrip(".").lower(), None, None, None,
                                   None, "new", "not searchable until the index is updated"))
            continue
        status = "indexed" if digest == doc["sha256"] else "changed"
        rows.append(_row(doc, status, "" if status == "indexed" else
                         "the file changed since it was indexed; update the index"))
    for name, doc in indexed.items():
        if name not in seen:
            rows.append(_row(doc, "not in corpus", "removed from the corpus; update the index"))
    for name, reason in skipped:
        rows.append(LibraryRow(name, None, Path(name).suffix.lstrip(".").lower(), None, None, None, None,
                               "cannot be indexed", reason))
    rows.sort(key=lambda r: ((r.authority or "~").lower(), r.file.lower()))
    return rows


def _row(doc: Any, status: str, note: str) -> LibraryRow:
    return LibraryRow(doc["name"], doc["authority"], doc["fmt"], doc["published"], doc["rating"],
                      doc["pages"], doc["chunks"], status, note)
