"""Helpers behind the app's Library page and its evidence views.

* :func:`save_upload` checks an uploaded report (size, type by content, a full parse) and only
  then writes it into the corpus, atomically, under a safe name.
* :func:`library_rows` lists the indexed documents and the corpus files with their index status.
* :func:`context_span` / :func:`highlight_html` cut the paragraph around a quote out of the
  stored document text and render it as escaped HTML with the quote in ``<mark>``.

Nothing here renders with Streamlit, so all of it is unit-testable.
"""

from __future__ import annotations

import html
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


# --------------------------------------------------------------------------- quoting in context

_PARA_BREAK = re.compile(r"\n[ \t\f\r]*\n")
_LONG_PARAGRAPH = 1200
_SENTENCE_LINE_END = re.compile(r"[.!?:]\s*\n")


def _paragraph(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the paragraph holding ``text[start:end]``: split at blank lines; a long run
    without blank lines (PDF text) is cut at lines that end a sentence instead."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    prev = [m.end() for m in _PARA_BREAK.finditer(text, 0, start)]
    ps = prev[-1] if prev else 0
    nxt = _PARA_BREAK.search(text, end)
    pe = nxt.start() if nxt else len(text)
    if pe - ps > _LONG_PARAGRAPH:
        before = [m.end() for m in _SENTENCE_LINE_END.finditer(text, ps, start)]
        if before:
            ps = before[-1]
        after = _SENTENCE_LINE_END.search(text, end, pe)
        if after:
            pe = after.start() + 1
    while ps < start and text[ps].isspace():
        ps += 1
    while pe > end and text[pe - 1].isspace():
        pe -= 1
    return ps, pe


def context_span(text: str, start: int, end: int, extra: int = 0) -> tuple[int, int]:
    """The paragraph around ``[start:end]`` plus ``extra`` paragraphs on each side."""
    ps, pe = _paragraph(text, start, end)
    for _ in range(max(0, extra)):
        back = ps - 1
        while back > 0 and text[back - 1].isspace():
            back -= 1
        if back > 0:
            ps = min(ps, _paragraph(text, back - 1, back - 1)[0])
        fwd = pe
        while fwd < len(text) and text[fwd].isspace():
            fwd += 1
        if fwd < len(text):
            pe = max(pe, _paragraph(text, fwd, fwd)[1])
    return ps, pe


def escape_text(text: str) -> str:
    """HTML-escape report text for an ``unsafe_allow_html`` block; line breaks become ``<br>``
    so the block has no blank lines (Markdown is then not applied inside it)."""
    escaped = html.escape(text, quote=True)
    # Markdown and LaTeX markers would not fire inside an HTML block, but escape the dollar
    # anyway so a stray pair can never turn into maths.
    escaped = escaped.replace("$", "&#36;")
    escaped = re.sub(r"\n[ \t\f\r]*\n", "<br><br>", escaped)
    # A single line break is kept where a line ends a sentence or the next one is a list item;
    # elsewhere it is wrapping (PDF text) and reads better as a space.
    escaped = re.sub(r"(?<=[.!?:;])[ \t]*\n|\n(?=\s*(?:[-*\u2022\u25aa\u25cf\x7f]|\d{1,2}[.)])\s)", "<br>", escaped)
    return escaped.replace("\n", " ")


def section_body(sections: Iterable[Any], text: str, start: int, end: int) -> tuple[int, int] | None:
    """Bounds of the innermost section (``Store.sections()`` rows) holding ``[start:end]``,
    without its heading line; None when no section holds it."""
    inside = [r for r in sections if r["start"] <= start and end <= r["end"]]
    if not inside:
        return None
    best = min(inside, key=lambda r: r["end"] - r["start"])
    newline = text.find("\n", best["start"], start)
    return (newline + 1 if newline >= 0 else best["start"]), best["end"]


def highlight_html(text: str, start: int, end: int, extra: int = 0,
                   clip: tuple[int, int] | None = None) -> str:
    """Escaped HTML of the paragraph(s) around ``text[start:end]`` with the quote in ``<mark>``;
    ``clip`` (e.g. from :func:`section_body`) keeps the context inside one section."""
    ps, pe = context_span(text, start, end, extra)
    if clip is not None:
        ps, pe = max(ps, min(clip[0], start)), min(pe, max(clip[1], end))
        while ps < start and text[ps].isspace():
            ps += 1
    before = text[ps:start]
    quote = text[start:end]
    after = text[end:pe]
    prefix = "… " if ps > 0 else ""
    suffix = " …" if pe < len(text) else ""
    return (f"{prefix}{escape_text(before)}<mark>{escape_text(quote)}</mark>"
            f"{escape_text(after)}{suffix}")


def md_escape(text: str) -> str:
    """Escape the Markdown that could change how report text in a label or alert is shown
    (emphasis, links, code, HTML, maths, tables, headings and lists); plain words, hyphens
    and full stops inside sentences are left alone so the text stays readable."""
    text = re.sub(r"([\\`*_{}\[\]<>$~|])", r"\\\1", text or "")
    text = re.sub(r"(?m)^(\s*)([#+\-=])", r"\1\\\2", text)
    text = re.sub(r"(?m)^(\s*\d+)([.)])", r"\1\\\2", text)
    # ":name:" would become an emoji; a zero-width space after the colon stops it.
    return re.sub(r":(?=[a-z_]+:)", ":\u200b", text)


def section_text(full_text: str, start: int, end: int) -> str:
    """A section's text without its own heading line."""
    body = full_text[start:end]
    first, sep, rest = body.partition("\n")
    return rest.strip() if sep else body.strip()
