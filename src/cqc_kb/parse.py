"""Turn a corpus file (text, Markdown, PDF or HTML) into a :class:`Document`.

Every document keeps its full extracted text; blocks (headings and paragraphs) are spans of
that text, so any offset stored later can be checked with ``text[start:end]``.
The file type is decided by content, not only by name, and every failure is a
:class:`ParseError` naming the file and the fix.
"""

from __future__ import annotations

import codecs
import contextlib
import contextvars
import dataclasses
import hashlib
import io
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import ParseError
from .records import Block, Document
from .settings import Settings
from .structure import is_standard_heading
from .text import LABELLED_FIGURE, human_size, is_table_row, is_table_rule, strip_emphasis, trim_span

log = logging.getLogger("cqc_kb.parse")

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".pdf", ".html", ".htm")

_SENTENCE_END = ".!?;,:"
#: Marks that start a list item: hyphen, star, bullets, middle dots, squares; an en dash
#: starts one only before a capital or a figure (a wrapped line may start "– physically").
_BULLETS = "-*\u2022\u2023\u2219\u25a0\u25aa\u25cf\u25e6\u00b7"
_BULLET = re.compile(rf"^\s*(?:[{_BULLETS}]|\d{{1,2}}[.)]|\u2013(?=\s+[A-Z0-9\u00a3]))\s+")
_BARE_BULLET = re.compile(rf"\s*[{_BULLETS}\u2013]\s*")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*#*\s*$")
#: Lines that are data inside a CQC report, never headings.
_NOT_HEADING = re.compile(
    r"^(score\s*[:\-]|(assessment )?published\b|\d\s*[-\u2013\u2014]\s*evidence|page \d+|\[.*\]\(.*\)$|https?://)", re.I
)


#: A label followed by its figure: "Occupational therapy assessments: 642 people", "Budget: £4.2m".
_FIGURE_AFTER_COLON = re.compile(r":\s*(?:£\s?)?\d")


@dataclass(frozen=True)
class Limits:
    """How much work reading one file may take; see the matching ``Settings`` fields."""

    max_bytes: int | None = None
    max_pages: int | None = None
    max_decompressed_bytes: int | None = None
    seconds: float | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "Limits":
        return cls(max_bytes=int(settings.max_file_mb * 1e6), max_pages=settings.max_pages,
                   max_decompressed_bytes=int(settings.max_decompressed_mb * 1e6),
                   seconds=settings.parse_seconds)


class _Deadline:
    """Cooperative time limit: long loops call :meth:`check` between steps."""

    def __init__(self, name: str, seconds: float | None) -> None:
        self.name = name
        self.seconds = seconds
        self.until = None if seconds is None else time.monotonic() + seconds

    def check(self, where: str) -> None:
        if self.until is not None and time.monotonic() > self.until:
            raise ParseError(self.name, f"took longer than {self.seconds:g} s to read (stopped at {where})",
                             "Split the file, or raise CQC_KB_PARSE_SECONDS if it is a genuine report")


def sha256_bytes(data: bytes) -> str:
    """Content hash used to decide whether a document changed."""
    return hashlib.sha256(data).hexdigest()


def too_big(name: str, size: int, max_bytes: int) -> ParseError:
    """The error for a file over the size limit (also used before a file is read)."""
    return ParseError(name, f"is {human_size(size)}, over the {human_size(max_bytes)} limit",
                      "Split the file or raise CQC_KB_MAX_FILE_MB")


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _unicode_encoding(data: bytes) -> str | None:
    """``utf-16``/``utf-32`` (with their byte-order mark), ``utf-16-le``/``-be`` when the text
    has no mark but every other byte is zero (Notepad's "Unicode"), else None."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    sample = data[:4096]
    if len(sample) >= 8:
        even, odd = sample[0::2], sample[1::2]
        for encoding, zeros, chars in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
            if zeros.count(0) > 0.9 * len(zeros) and _mostly_ascii_text(chars):
                return encoding
    return None


def _mostly_ascii_text(chars: bytes) -> bool:
    """Printable ASCII and line breaks, as the low bytes of English UTF-16 text are."""
    printable = sum(1 for b in chars if 32 <= b < 127 or b in (9, 10, 13))
    return printable > 0.9 * len(chars)


def _as_utf8(data: bytes, name: str) -> bytes:
    """UTF-16/UTF-32 text re-encoded as UTF-8, so sniffing and decoding see ordinary text."""
    encoding = _unicode_encoding(data)
    if encoding is None:
        return data
    try:
        return data.decode(encoding).encode("utf-8")
    except UnicodeDecodeError:
        raise ParseError(name, f"looks like {encoding.upper()} text but does not decode as it",
                         "Re-save it as UTF-8, e.g. `iconv -f UTF-16 -t UTF-8 IN > OUT`") from None


def sniff_format(data: bytes, name: str) -> str:
    """Return ``pdf``, ``html`` or ``txt`` by looking at the bytes; raise on binary junk."""
    data = _as_utf8(data, name)
    head = data[:2048].removeprefix(codecs.BOM_UTF8).lstrip()
    if head.startswith(b"%PDF-"):
        return "pdf"
    lowered = head.lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in lowered[:512]:
        return "html"
    suffix = Path(name).suffix.lower()
    if suffix in (".html", ".htm") and b"<" in head[:64]:
        return "html"
    if suffix == ".pdf":
        raise ParseError(name, "is named .pdf but is not a PDF (no %PDF header)",
                         "Re-download the report from the CQC website or remove the file")
    if b"\x00" in data[:8192]:
        raise ParseError(name, "looks like binary data, not a text, PDF or HTML report",
                         "Remove it from the corpus or replace it with the report as PDF, HTML or text")
    return "txt"


def parse_bytes(data: bytes, name: str, max_bytes: int | None = None, limits: Limits | None = None) -> Document:
    """Parse raw bytes of a corpus file called ``name`` into a Document.

    Any failure, including recursion, memory and the ``limits`` (default: the default
    settings' limits), is a :class:`ParseError` naming the file, the reason and the fix.
    """
    limits = limits or Limits.from_settings(Settings())
    if max_bytes is not None:
        limits = dataclasses.replace(limits, max_bytes=max_bytes)
    if limits.max_bytes is not None and len(data) > limits.max_bytes:
        raise too_big(name, len(data), limits.max_bytes)
    if not data.strip():
        raise ParseError(name, "is empty", "Replace it with the full report or remove it")
    try:
        return _parse(data, name, limits)
    except ParseError:
        raise
    except RecursionError:
        raise ParseError(name, "is nested too deeply to read",
                         "Save the report again from its source (it may be damaged or hostile)") from None
    except MemoryError:
        raise ParseError(name, "needs more memory to read than is available",
                         "Split the file, or check that it is really a report") from None
    except Exception as exc:  # one unreadable file must never stop the rest of the corpus
        raise ParseError(name, f"could not be read ({type(exc).__name__}: {str(exc)[:80]})",
                         "Re-download or re-save the report; if it opens fine elsewhere, report this") from None


def _parse(data: bytes, name: str, limits: Limits) -> Document:
    deadline = _Deadline(name, limits.seconds)
    fmt = sniff_format(data, name)
    if fmt == "pdf":
        text, blocks, pages, title = _parse_pdf(data, name, limits, deadline)
    elif fmt == "html":
        text, blocks, title = _parse_html(_decode(_as_utf8(data, name), name), name, deadline)
        pages = None
    else:
        text, blocks = _parse_text(_decode(_as_utf8(data, name), name))
        pages = None
        title = text[blocks[0].start:blocks[0].end].lstrip("# ").strip() if blocks else None
    if not text.strip() or not blocks:
        raise ParseError(name, "has no readable text",
                         "If it is a scanned PDF, run OCR on it first; otherwise check the file")
    return Document(name=name, text=text, sha256=sha256_bytes(data), fmt=fmt,
                    blocks=tuple(blocks), pages=pages, title=title)


def parse_file(path: Path, max_bytes: int | None = None, name: str | None = None,
               limits: Limits | None = None) -> Document:
    """Read and parse one file; ``name`` defaults to the file name."""
    name = name or path.name
    limits = limits or Limits.from_settings(Settings())
    if max_bytes is not None:
        limits = dataclasses.replace(limits, max_bytes=max_bytes)
    try:
        size = path.stat().st_size
        if limits.max_bytes is not None and size > limits.max_bytes:
            raise too_big(name, size, limits.max_bytes)
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(name, f"cannot be read ({exc.strerror})", "Check the file's permissions") from None
    return parse_bytes(data, name, limits=limits)


def _decode(data: bytes, name: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(
            name,
            f"is not valid UTF-8 (byte 0x{data[exc.start]:02x} at position {exc.start})",
            "Re-save it as UTF-8, e.g. `iconv -f windows-1252 -t utf-8 IN > OUT`",
        ) from None
    control = sum(1 for ch in text[:5000] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if control > 50:
        raise ParseError(name, "looks like binary data, not a text report",
                         "Remove it from the corpus or replace it with the report as PDF, HTML or text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def looks_like_heading(line: str) -> bool:
    """A short, unpunctuated line that starts like a title."""
    s = line.strip()
    if not s or len(s) > 110 or _NOT_HEADING.match(s) or _BULLET.match(s) or is_table_row(s):
        return False
    if s[-1] in _SENTENCE_END or s.startswith(("(", '"', "\u201c")):
        return False
    if not (s[0].isupper() or s[0].isdigit()):
        return False
    # "Care Act assessments: 1,138 people" and "Average wait — 41 days" are list items giving a
    # figure, not headings ("Theme 1: Working with people" is one).
    if _FIGURE_AFTER_COLON.search(s) or LABELLED_FIGURE.fullmatch(s):
        return False
    words = s.split()
    return len(words) <= 16 and not re.fullmatch(r"[\d\s,.%£]+", s)


#: Words a heading cannot end on: a heading ending in one was cut by a line break.
_DANGLING = frozenset("a an and as at by for from in into its of on or the their to with within".split())


def _continues_heading(head: str, line: str) -> bool:
    """Whether ``line`` is the rest of heading ``head`` that a PDF line break cut in two."""
    s = line.strip()
    if not s or len(s.split()) > 6 or s[-1] in _SENTENCE_END or _BULLET.match(s) or _NOT_HEADING.match(s):
        return False
    last = head.split()[-1].lower()
    if not (s[0].islower() or last in _DANGLING or head.endswith((",", "&", "-", "\u2013"))):
        return False
    joined = f"{head} {s}"
    return len(joined) <= 110 and len(joined.split()) <= 16


def _parse_text(text: str) -> tuple[str, list[Block]]:
    """Paragraphs are separated by blank lines; Markdown ``#`` lines and title-like lines are headings.

    A Markdown heading's block is its title, without the ``#`` marks (section names and the
    CQC section tree read the block). A title-like line under a Markdown heading ranks one
    level below it, so that "## Theme 1: ..." holds the statements set as plain lines."""
    text = strip_emphasis(text)
    blocks: list[Block] = []
    marked: set[int] = set()  # indexes of the blocks that are Markdown headings
    # A paragraph is a run of lines that each have some non-space character.
    for m in re.finditer(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*", text):
        start, end = trim_span(text, m.start(), m.end())
        chunk = text[start:end]
        md = _MD_HEADING.match(chunk) if "\n" not in chunk else None
        lines = chunk.split("\n")
        if len(lines) > 1 and not md and any(looks_like_heading(line) or is_table_row(line) or _figure_item(lines, i)
                                             for i, line in enumerate(lines)):
            # Text without blank lines between paragraphs (one paragraph a line, or a PDF's
            # text saved as .txt), a table or a list of figures: segment it line by line instead.
            blocks.extend(_line_blocks(text, start, end))
            continue
        if md:
            marked.add(len(blocks))
            blocks.append(Block("heading", start + md.start(2), start + md.end(2), None, len(md.group(1))))
        elif "\n" not in chunk and looks_like_heading(chunk):
            blocks.append(Block("heading", start, end, None, 1))
        else:
            blocks.append(Block("para", start, end, None))
    if marked:
        level = 0
        for i, b in enumerate(blocks):
            if i in marked:
                level = b.level
            elif b.kind == "heading" and level:
                blocks[i] = Block("heading", b.start, b.end, b.page, min(level + 1, 6))
    return text, blocks


def _line_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Each non-blank line in ``text[start:end]`` as an absolute, whitespace-trimmed span."""
    spans = (trim_span(text, start + m.start(), start + m.end())
             for m in re.finditer(r"[^\n]+", text[start:end]))
    return [span for span in spans if span]


def _line_blocks(text: str, start: int, end: int) -> list[Block]:
    spans = _line_spans(text, start, end)
    lines = [text[s:e] for s, e in spans]
    widths = sorted(len(line) for line in lines)
    if widths[len(widths) // 2] > 150:  # long lines: each line is a whole paragraph
        return [Block("heading", s, e, None, 1) if looks_like_heading(text[s:e]) else Block("para", s, e, None)
                for s, e in spans if not is_table_rule(text[s:e])]
    return [Block(kind, spans[first][0], spans[last][1], None, 1 if kind == "heading" else 0)
            for kind, first, last in _group_lines(lines)]


def _figure_item(lines: list[str], i: int) -> bool:
    """Whether line ``i`` is a whole list item giving a figure after its label (a wrapped prose
    line that happens to end "from 300 – 412" goes on in lower case on the next line)."""
    return bool(LABELLED_FIGURE.fullmatch(lines[i])) and not (i + 1 < len(lines) and lines[i + 1][:1].islower())


def _group_lines(lines: list[str]) -> list[tuple[str, int, int]]:
    """Group a page's lines (trimmed, non-blank) into headings and paragraphs.

    Returns (kind, first line, last line). PDF text has no blank lines between paragraphs,
    so a paragraph is taken to end at a line that finishes a sentence well short of the
    page's usual line width. A heading cut by a line break keeps its second line.
    """
    if not lines:
        return []
    widths = sorted(len(line) for line in lines)
    full = widths[int(len(widths) * 0.8)] if len(widths) > 4 else max(widths)
    groups: list[tuple[str, int, int]] = []
    para_start: int | None = None
    para_end = 0
    prev_short = True
    i = 0
    while i < len(lines):
        line = lines[i]
        if is_table_row(line):
            # A table row: a paragraph of its own, never a heading, never part of prose. The
            # rule under a Markdown table's header row is no block at all.
            if para_start is not None:
                groups.append(("para", para_start, para_end))
                para_start = None
            if not is_table_rule(line):
                groups.append(("para", i, i))
            prev_short = True
            i += 1
            continue
        # A CQC heading may be as wide as a body line ("Understanding and reducing barriers to
        # care and support and reducing inequalities"); as the whole line it is still a heading.
        short = len(line) < 0.75 * full or is_standard_heading(line)
        # Wrapped body lines run to the margin; a heading is a short line that follows the
        # end of a paragraph (a short or punctuated line), not the middle of one.
        # A line whose sentence goes on in lower case on the next line is no heading.
        runs_on = i + 1 < len(lines) and lines[i + 1][:1].islower() and not _continues_heading(line, lines[i + 1])
        if short and looks_like_heading(line) and not runs_on and (
                para_start is None or prev_short or lines[para_end][-1] in ".!?:"):
            if para_start is not None:
                groups.append(("para", para_start, para_end))
                para_start = None
            last = i
            if i + 1 < len(lines) and _continues_heading(line, lines[i + 1]):
                last = i + 1
            groups.append(("heading", i, last))
            prev_short = True
            i = last + 1
            continue
        if para_start is not None and _BULLET.match(line):
            groups.append(("para", para_start, para_end))
            para_start = None
        # A PDF may draw an item's bullet on a line of its own, before the item.
        bullet = i + 1 < len(lines) and _BARE_BULLET.fullmatch(line) is not None and _figure_item(lines, i + 1)
        if bullet or _figure_item(lines, i):
            # A list of figures under their labels, one a line and each line as wide as the
            # next: each item is a paragraph of its own, so each is quoted on its own.
            if para_start is not None:
                groups.append(("para", para_start, para_end))
                para_start = None
            last = i + 1 if bullet else i
            groups.append(("para", i, last))
            prev_short = True
            i = last + 1
            continue
        if para_start is not None and prev_short and _BULLET.match(lines[para_start]):
            # A list item ends at its first short line: the next line is not its wrapped text.
            groups.append(("para", para_start, para_end))
            para_start = None
        if para_start is None:
            para_start = i
        para_end = i
        prev_short = short
        if line[-1] in ".!?" and short:
            groups.append(("para", para_start, para_end))
            para_start = None
        i += 1
    if para_start is not None:
        groups.append(("para", para_start, para_end))
    return groups


#: pypdf limits that bound how far one compressed stream may inflate.
_PDF_OUTPUT_LIMITS = ("zlib_maximum_output_length", "lzw_maximum_output_length",
                      "run_length_maximum_output_length", "jbig2_maximum_output_length",
                      "brotli_maximum_output_length", "array_based_stream_maximum_output_length",
                      "maximum_declared_stream_length", "image_maximum_buffer_size")


def _parse_pdf(data: bytes, name: str, limits: Limits, deadline: _Deadline) -> tuple[str, list[Block], int, str | None]:
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError

    inflate = limits.max_decompressed_bytes
    overrides = {key: inflate for key in _PDF_OUTPUT_LIMITS} if inflate else {}
    try:
        with apply_configuration(**overrides), _pdf_warnings_to(name):
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                # Many "encrypted" PDFs only restrict printing and open with an empty password.
                try:
                    ok = reader.decrypt("")
                except Exception:  # pypdf raises several types for unsupported ciphers
                    ok = 0
                if not ok:
                    raise ParseError(name, "is password-protected",
                                     "Save an unprotected copy (e.g. `qpdf --decrypt IN OUT`) and add that")
            count = len(reader.pages)
            if limits.max_pages is not None and count > limits.max_pages:
                raise ParseError(name, f"has {count:,} pages, over the {limits.max_pages:,}-page limit",
                                 "Split the PDF, or raise CQC_KB_MAX_PAGES if it is a genuine report")
            pages: list[str] = []
            extracted = 0
            rows: list[list[list[str]]] = []
            for number, page in enumerate(reader.pages, start=1):
                deadline.check(f"page {number} of {count}")
                runs: list[tuple[float, float, str]] = []
                page_text = page.extract_text(visitor_text=_run_collector(runs)) or ""
                rows.append(_visual_rows(runs))
                extracted += len(page_text)
                if inflate and extracted > inflate:
                    raise ParseError(name, f"holds more than {human_size(inflate)} of text (stopped at page "
                                           f"{number} of {count})",
                                     "Split the PDF, or raise CQC_KB_MAX_DECOMPRESSED_MB if it is a genuine report")
                pages.append(page_text)
            title = (reader.metadata.title if reader.metadata else None) or None
    except ParseError:
        raise
    except LimitReachedError as exc:
        if "decompress" in str(exc).lower():
            raise ParseError(name, f"expands past the {human_size(inflate or 0)} decompression limit "
                                   "(a decompression bomb or a damaged PDF)",
                             "Re-download the report; if it is genuine, raise CQC_KB_MAX_DECOMPRESSED_MB") from None
        raise ParseError(name, f"goes over a safety limit of the PDF reader ({str(exc)[:80]})",
                         "Re-download the report or export it again as PDF") from None
    except (RecursionError, MemoryError):
        raise
    except Exception as exc:  # pypdf raises many types on damaged files
        raise ParseError(name, f"is a damaged PDF ({type(exc).__name__}: {str(exc)[:80]})",
                         "Re-download the report or export it again as PDF") from None
    if not pages:
        raise ParseError(name, "is a PDF with no pages", "Re-download the report")

    # Some fonts map a bullet glyph to a control character (pypdf gives "\x7f" for "•"): it is
    # no text, and a line holding only it is no line.
    pages = [_CONTROL.sub(" ", raw) for raw in pages]
    page_lines = [_join_table_rows([line.strip() for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
                                    if line.strip()], page_rows) for raw, page_rows in zip(pages, rows)]
    page_lines = _dehyphenate(_drop_running_lines([_join_bullets([strip_emphasis(line) for line in lines])
                                                   for lines in page_lines]))
    parts: list[str] = []
    blocks: list[Block] = []
    offset = 0
    for number, lines in enumerate(page_lines, start=1):
        # A paragraph cut by the page break (no sentence end, next page starts in lower case)
        # stays one block joined by a line break, so its sentences can be quoted whole.
        runs_on = bool(blocks and blocks[-1].kind == "para" and lines and lines[0][:1].islower()
                       and parts[-1][-1:] not in (".", "!", "?", ":"))
        if parts:
            separator = "\n" if runs_on else "\n\n"
            parts.append(separator)
            offset += len(separator)
        page_text, page_blocks = _pdf_page(lines, offset, number)
        if runs_on and page_blocks and page_blocks[0].kind == "para":
            previous = blocks.pop()
            page_blocks[0] = Block("para", previous.start, page_blocks[0].end, previous.page)
        blocks.extend(page_blocks)
        parts.append(page_text)
        offset += len(page_text)
    text = "".join(parts)
    if not text.strip():
        raise ParseError(name, "has no text layer (scanned images only)",
                         "Run OCR on it first (e.g. `ocrmypdf IN OUT`) and add the result")
    return text, blocks, len(pages), title if isinstance(title, str) else None


_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_CUT_WORD = re.compile(r"(?<![A-Za-z-])([A-Za-z]+(?:-[A-Za-z]+)*)-$")
_WORD_REST = re.compile(r"([a-z]+)(\S*)\s*")
#: First halves that keep their hyphen when a line break follows it ("self-" / "funders",
#: "co-" / "production"), though the report writes the word nowhere else.
_HYPHEN_PREFIXES = frozenset(
    "self co cross multi non long short full part well face older under over post pre anti sub "
    "semi mid ex first second third high low one two three step joint".split())


def _dehyphenate(pages: list[list[str]]) -> list[list[str]]:
    """Join the halves of a word that a PDF's typesetting cut at a line end ("reable-" and
    "ment" become "reablement"), also across a page break, so that the word can be searched
    and quoted whole. A word the report also writes with a hyphen elsewhere ("long-term")
    keeps it, as does one whose first half is a common prefix ("self-", "co-"); any other
    loses it, as a typesetter's hyphen is dropped when read. The rest of the word moves up to
    the line it began on."""
    vocabulary = {w.lower() for lines in pages for line in lines for w in _WORD.findall(line)}
    places = [(p, i) for p, lines in enumerate(pages) for i in range(len(lines))]
    out = [list(lines) for lines in pages]
    for (p, i), (q, j) in zip(places, places[1:]):
        line, following = out[p][i], out[q][j]
        cut = _CUT_WORD.search(line)
        rest = _WORD_REST.match(following)
        if not cut or not rest or "\t" in line or "\t" in following:
            continue
        head, tail = cut.group(1), rest.group(1)
        hyphen = "-" if f"{head}-{tail}".lower() in vocabulary or head.lower() in _HYPHEN_PREFIXES else ""
        out[p][i] = f"{line[:cut.start(1)]}{head}{hyphen}{tail}{rest.group(2)}"
        out[q][j] = following[rest.end():]
    return [[line for line in lines if line] for lines in out]


def _join_bullets(lines: list[str]) -> list[str]:
    """Each bullet left alone on its line joined to the item it marks ("- Assessing needs"):
    PDF writers often draw the bullet as a text object of its own, which pypdf puts on a line
    of its own before the item's text."""
    out: list[str] = []
    for line in lines:
        if out and _BARE_BULLET.fullmatch(out[-1]):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


#: Control characters other than tab and line breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _run_collector(runs: list[tuple[float, float, str]]):
    """A pypdf text visitor that records each run of text with its position on the page."""
    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((y, x, text.strip()))
    return visit


#: Runs whose baselines differ by at most this many points sit on one visual line.
_SAME_LINE = 1.0


#: Cells of one column start within this many points of each other.
_SAME_COLUMN = 2.0


def _visual_rows(runs: list[tuple[float, float, str]]) -> list[list[str]]:
    """The page's table rows, top to bottom, cells left to right: visual lines of two runs or
    more whose runs start in columns another such line shares. Columns are what tell a table
    from a line of prose drawn in pieces (a bold phrase, a link), whose pieces start wherever
    the words before them end."""
    lines: list[list[tuple[float, float, str]]] = []
    for run in sorted(runs, key=lambda r: -r[0]):
        if lines and abs(lines[-1][0][0] - run[0]) <= _SAME_LINE:
            lines[-1].append(run)
        else:
            lines.append([run])
    # A bullet glyph drawn beside its item's first line is not a cell.
    lines = [sorted(line, key=lambda r: r[1]) for line in lines
             if len(line) > 1 and all(re.search(r"\w", text) for _, _, text in line)]
    starts = [[x for _, x, _ in line] for line in lines]

    def aligned(a: list[float], b: list[float]) -> bool:
        return all(any(abs(x - y) <= _SAME_COLUMN for y in b) for x in a)

    return [[text for _, _, text in line] for i, line in enumerate(lines)
            if any(j != i and (aligned(starts[i], starts[j]) or aligned(starts[j], starts[i]))
                   for j in range(len(lines)))]


def _join_table_rows(lines: list[str], rows: list[list[str]]) -> list[str]:
    """Put each table row back on one line, its cells separated by tabs.

    pypdf gives each cell of a table its own line, so a row ("Carer's assessment", "388",
    "14 weeks", "60 weeks") would read as four headings and paragraphs, its figures cut off
    from their label. A visual line's runs that pypdf printed as consecutive lines, each
    line exactly one or more whole runs, are one row; the lines' own text is kept, so
    nothing but the line breaks between cells changes. Lines of running text, which pypdf
    prints one visual line at a time, are never joined.
    """
    if not rows:
        return lines
    squeezed = [re.sub(r"\s+", "", line) for line in lines]
    out = list(lines)
    joined: dict[int, int] = {}  # first line -> number of lines joined
    for cells in rows:
        cells = [re.sub(r"\s+", "", c) for c in cells]
        for first in range(len(lines)):
            if first in joined or not cells[0] or not squeezed[first].startswith(cells[0]):
                continue
            taken = _match_cells(squeezed, first, cells)
            if taken > 1 and not any(first < j < first + taken or j < first < j + n for j, n in joined.items()):
                joined[first] = taken
                break
    for first in sorted(joined, reverse=True):
        out[first:first + joined[first]] = ["\t".join(lines[first:first + joined[first]])]
    return out


def _match_cells(squeezed: list[str], first: int, cells: list[str]) -> int:
    """How many lines from ``first`` are exactly ``cells`` (whitespace ignored), each line one
    or more whole cells; 0 when they are not."""
    line, built, taken = first, "", 0
    for cell in cells:
        if line >= len(squeezed):
            return 0
        built += cell
        if built == squeezed[line]:
            line, built, taken = line + 1, "", taken + 1
        elif not squeezed[line].startswith(built):
            return 0
    return taken if not built else 0


def _pdf_page(lines: list[str], base: int, number: int) -> tuple[str, list[Block]]:
    """A page's stored text and its blocks. Lines are kept one a line, except that the two
    halves of a heading cut by a line break are joined with a space; a table row (cells
    joined by tabs) is a paragraph of its own."""
    parts: list[str] = []
    blocks: list[Block] = []
    offset = 0
    for kind, first, last in _group_lines(lines):
        if parts:
            parts.append("\n")
            offset += 1
        piece = (" " if kind == "heading" else "\n").join(lines[first:last + 1])
        blocks.append(Block(kind, base + offset, base + offset + len(piece), number, 1 if kind == "heading" else 0))
        parts.append(piece)
        offset += len(piece)
    return "".join(parts), blocks


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


#: Longest line taken for a running header or footer; body text lines are longer.
_FURNITURE_MAX = 100
#: Lines at each end of a page where headers and footers sit (pypdf may put a two-line header
#: after the body, above a one-line footer: three lines).
_FURNITURE_LINES = 3


def _drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Remove running headers and footers: short lines that repeat at the same place, among the
    first or last three lines, on at least half of the pages. Numbers are ignored, except in a
    line ending a sentence: that is taken only when it is a whole sentence that repeats word
    for word (a footnote the layout prints on every second page), as body text almost never does.

    At most three lines at each end of a page go, and never a page's last remaining line, so
    body text that happens to repeat can never empty a page.
    """
    if len(pages) < 3:
        return pages
    seen: dict[tuple[int, str], int] = {}
    for lines in pages:
        for _, key in _end_keys(lines):
            seen[key] = seen.get(key, 0) + 1
    need = max(3, len(pages) // 2)
    furniture = {key for key, n in seen.items() if n >= need}
    if not furniture:
        return pages
    out = []
    for lines in pages:
        drop = {i for i, key in _end_keys(lines) if key in furniture}
        if len(drop) >= len(lines):
            drop = set()
        out.append([line for i, line in enumerate(lines) if i not in drop])
    return out


def _end_keys(lines: list[str]) -> list[tuple[int, tuple[int, str]]]:
    """(line index, (position, key)) for the short lines at each end of a page; position
    counts from the top (0, 1) or the bottom (-1, -2). A page's middle line is never one of
    them, so the body of a short page cannot be taken for furniture."""
    n = len(lines)
    ends = min(_FURNITURE_LINES, n // 2)
    keys = []
    for i in (*range(ends), *range(n - ends, n)):
        if len(lines[i]) <= _FURNITURE_MAX:
            where = i if i < ends else i - n
            if lines[i][-1] not in ".!?":
                keys.append((i, (where, _furniture_key(lines[i]))))
            elif lines[i][0].isupper():  # a whole sentence, not the end of a wrapped one
                keys.append((i, (where, lines[i].strip().lower())))
    return keys


_PDF_FILE: contextvars.ContextVar[str] = contextvars.ContextVar("cqc_kb_pdf_file", default="")


class _ToLibraryLog(logging.Handler):
    """Re-log pypdf's warnings ("EOF marker not found"...) under ``cqc_kb.parse`` with the file
    name, so front ends control them (``--quiet``) instead of them reaching stderr raw."""

    def emit(self, record: logging.LogRecord) -> None:
        name = _PDF_FILE.get()
        log.log(record.levelno, "%s: %s (pypdf)", name or "PDF", record.getMessage())


_pdf_log_installed = False


@contextlib.contextmanager
def _pdf_warnings_to(name: str):
    global _pdf_log_installed
    if not _pdf_log_installed:
        pypdf_log = logging.getLogger("pypdf")
        pypdf_log.addHandler(_ToLibraryLog())
        pypdf_log.propagate = False
        _pdf_log_installed = True
    token = _PDF_FILE.set(name)
    try:
        yield
    finally:
        _PDF_FILE.reset(token)


_DROP_TAGS = ("script", "style", "noscript", "nav", "form", "iframe",
              "svg", "button", "template", "select", "input", "object", "embed", "canvas", "head")
#: Page furniture when they belong to the page, but the report's own when they sit inside its
#: <main> or <article>: an article's <header> holds its title, an <aside> its key figures.
_PAGE_TAGS = ("header", "footer", "aside")
_DROP_ROLES = ("navigation", "banner", "contentinfo", "search", "dialog", "alert")
_BLOCK_TAGS = {"p", "li", "dt", "dd", "blockquote", "pre", "tr", "caption", "figcaption",
               "address", "div", "section", "article", "main", "ul", "ol", "dl", "table",
               "tbody", "thead", "tfoot", "body", "html", "td", "th", "details", "summary", "br", "hr"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


def _dropped(tag, in_content: bool) -> bool:
    """Page furniture and anything hidden or executable: never part of the report's text.
    ``in_content``: the walk is inside the page's <main> or <article>, not its whole body."""
    name = tag.name.lower()
    if name in _DROP_TAGS or name in _PAGE_TAGS and not in_content:
        return True
    attrs = tag.attrs or {}
    role = str(attrs.get("role") or "").lower()
    classes = attrs.get("class") or []
    marker = f"{attrs.get('id') or ''} {' '.join(classes) if isinstance(classes, list) else classes}".lower()
    style = str(attrs.get("style") or "").replace(" ", "").lower()
    return (role in _DROP_ROLES or "cookie" in marker or "skip-link" in marker or "hidden" in attrs
            or str(attrs.get("aria-hidden") or "").lower() == "true"
            or "display:none" in style or "visibility:hidden" in style)


#: Most columns or rows one header cell is taken to span (the HTML standard allows 1,000 and
#: 65,534; a page asking for more is not laying out a table).
_MAX_SPAN = 50


def _span(cell, attribute: str) -> int:
    """A cell's ``colspan`` or ``rowspan``: 1 unless a number, at most :data:`_MAX_SPAN`."""
    value = str(cell.get(attribute, 1))
    return min(_MAX_SPAN, max(1, int(value))) if value.isdigit() else 1


def _merge_header_rows(table, flat: Callable[[object], str], soup) -> None:
    """A grouped header over two or more rows ("Measure" over both rows, "Year" over
    "2023/24 | 2024/25") becomes one row with a cell per column ("Measure | Year 2023/24 | Year
    2024/25"), so that each column's label sits over its figures: the rows would otherwise
    read "Measure | Year" and "2023/24 | 2024/25", each label a column away from its figures.
    Header rows are those of the table's <thead>, or its leading rows of <th> cells only."""
    # The table's own rows only, not those of tables nested in its cells (each is met on its
    # own), and without searching the whole subtree: nesting can be thousands deep.
    groups = table.find_all(["thead", "tbody", "tfoot"], recursive=False)
    rows = [*table.find_all("tr", recursive=False),
            *(row for group in groups for row in group.find_all("tr", recursive=False))]
    head = [row for group in groups if group.name == "thead" for row in group.find_all("tr", recursive=False)]
    if not head:
        for row in rows:
            cells = row.find_all(["td", "th"], recursive=False)
            if not cells or any(cell.name != "th" for cell in cells):
                break
            head.append(row)
    if len(head) < 2:
        return
    grid: list[list[str | None]] = [[] for _ in head]
    spanned = False
    for r, row in enumerate(head):
        col = 0
        for cell in row.find_all(["td", "th"], recursive=False):
            while col < len(grid[r]) and grid[r][col] is not None:
                col += 1
            across, down = _span(cell, "colspan"), _span(cell, "rowspan")
            spanned = spanned or across > 1 or down > 1
            text = flat(cell)
            for line in grid[r:r + down]:
                line.extend([None] * (col + across - len(line)))
                line[col:col + across] = [text] * across
            col += across
    if not spanned:
        return
    # No more columns than the table's other rows have: a span past them is not a column.
    body = [sum(_span(cell, "colspan") for cell in row.find_all(["td", "th"], recursive=False)) for row in rows
            if all(row is not header for header in head)]
    width = max(len(line) for line in grid)
    if body and max(body) > 0:
        width = min(width, max(body))
    merged = []
    for j in range(width):
        parts: list[str] = []
        for line in grid:
            text = line[j] if j < len(line) else None
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        merged.append(" ".join(parts))
    first = head[0]
    first.clear()
    for text in merged:
        cell = soup.new_tag("th")
        cell.string = text
        first.append(cell)
    for row in head[1:]:
        row.decompose()


#: Most cells copied down into the rows a ``rowspan`` covers, in one table.
_MAX_SPAN_COPIES = 10_000


def _fill_row_spans(table, flat: Callable[[object], str], soup) -> None:
    """A cell spanning rows ("Care Act assessment" beside both "Median wait" and "Maximum
    wait") is copied into each row it covers, so that every row says what its figure is of."""
    groups = table.find_all(["thead", "tbody", "tfoot"], recursive=False)
    rows = [*table.find_all("tr", recursive=False),
            *(row for group in groups for row in group.find_all("tr", recursive=False))]
    pending: dict[int, tuple[int, str]] = {}  # column -> (rows still covered, text)
    copies = 0
    for row in rows:
        cells = row.find_all(["td", "th"], recursive=False)
        if not pending and not any(_span(cell, "rowspan") > 1 for cell in cells):
            continue
        covered, pending = pending, {}
        col = 0

        def copy_covered(before) -> None:
            nonlocal col, copies
            while col in covered and copies < _MAX_SPAN_COPIES:
                left, text = covered.pop(col)
                cell = soup.new_tag("td")
                cell.string = text
                if before is None:
                    row.append(cell)
                else:
                    before.insert_before(cell)
                copies += 1
                if left > 1:
                    pending[col] = (left - 1, text)
                col += 1

        for cell in cells:
            copy_covered(cell)
            across, down = _span(cell, "colspan"), _span(cell, "rowspan")
            if down > 1:
                text = flat(cell)
                for c in range(col, col + across):
                    pending[c] = (down - 1, text)
            col += across
        copy_covered(None)
        if copies >= _MAX_SPAN_COPIES:
            return


#: Tags that make a table cell a layout cell when they are its direct children: a page laid
#: out with a table holds its headings and paragraphs in cells.
_LAYOUT_CHILDREN = {"p", "div", "ul", "ol", "dl", "table", "blockquote", "section", "article", *_HEADINGS}
#: A class naming a heading level ("h2"), as pages that draw headings with styled paragraphs use.
_HEADING_CLASS = re.compile(r"h([1-6])")
#: Level of a heading set as a bold line when nothing says which.
_BOLD_HEADING_LEVEL = 3


#: How many single wrappers (a <div> holding the content <div>) are looked through.
_LAYOUT_DEPTH = 4


def _layout_cell(cell) -> bool:
    """Whether a table cell lays out part of the page rather than holding a value: among its
    direct children, or those of a wrapper that is its only block child, a heading, a nested
    table, or two or more paragraphs or lists. Only direct children are looked at, so that
    tables nested thousands deep cost no more than one walk."""
    node = cell
    for _ in range(_LAYOUT_DEPTH):
        blocks = [c for c in node.find_all(True, recursive=False) if c.name.lower() in _LAYOUT_CHILDREN]
        if any(c.name.lower() in _HEADINGS or c.name.lower() == "table" for c in blocks) or len(blocks) >= 2:
            return True
        if len(blocks) != 1:
            return False
        node = blocks[0]
    return False


def _parse_html(markup: str, name: str, deadline: _Deadline) -> tuple[str, list[Block], str | None]:
    """Walk the page body and rebuild its text block by block.

    Navigation, scripts, cookie banners and forms are dropped; nothing from the page is
    ever rendered as HTML later, so only the text survives. Every walk uses an explicit
    stack and visits each node once, so markup nested thousands deep can neither exhaust
    Python's recursion limit nor take quadratic time.
    """
    from bs4 import BeautifulSoup, Comment, NavigableString, Tag

    try:
        soup = BeautifulSoup(markup, "lxml")
    except Exception as exc:  # lxml raises parser-specific errors on hostile input
        raise ParseError(name, f"is not readable HTML ({exc})", "Save the page again as HTML") from None
    title_tag = soup.find("title")
    title = " ".join(title_tag.get_text(" ").split()) if title_tag else None
    content = soup.find("main") or soup.find(attrs={"role": "main"}) or soup.find("article")
    root = content or soup.body or soup

    steps = 0

    def children(node: Tag) -> list:
        nonlocal steps
        steps += 1
        if steps % 1000 == 0:
            deadline.check("reading the page")
        return list(reversed(node.contents))

    def flat(tag: Tag) -> str:
        """The visible text under ``tag`` on one line."""
        pieces: list[str] = []
        stack = children(tag)
        while stack:
            node = stack.pop()
            if isinstance(node, Comment):
                continue
            if isinstance(node, NavigableString):
                pieces.append(str(node))
            elif isinstance(node, Tag) and not _dropped(node, content is not None):
                pieces.append(" ")
                stack.extend(children(node))
        return re.sub(r"\s+", " ", strip_emphasis("".join(pieces))).strip()

    out: list[tuple[str, int, str]] = []  # (kind, level, text)
    buffer: list[str] = []
    # What the line in the buffer is: does it hold text, is all of it bold, and the heading
    # level its paragraph's class names (<p class="h2">).
    has_text = all_bold = False
    hinted: int | None = None

    def flush() -> None:
        nonlocal has_text, all_bold, hinted
        # Table cells are separated by tabs (as PDF table rows are); other runs of white space
        # become one space.
        text = re.sub(r"\s+", lambda m: "\t" if "\t" in m.group(0) else " ",
                      strip_emphasis("".join(buffer))).strip()
        buffer.clear()
        if (all_bold or hinted) and looks_like_heading(text):
            # A line that is all bold, or a paragraph styled as a heading, that reads as a
            # title is a heading drawn without a heading tag (<p class="h2"><b>...</b></p>,
            # <b>...</b><br>).
            out.append(("heading", hinted or _BOLD_HEADING_LEVEL, text))
        elif text:
            out.append(("para", 0, text))
        has_text = all_bold = False
        hinted = None

    end_of_block = object()  # a marker on the stack: the block tag above it is finished
    # A marker on the stack: a bold element that began its line is finished.
    end_of_bold = object()
    term_open = False  # the last block out is a <dt> that its <dd> joins
    stack: list[object] = children(root)
    while stack:
        child = stack.pop()
        if child is end_of_block:
            flush()
            continue
        if child is end_of_bold:
            all_bold = has_text  # all the line's text so far is this element's
            continue
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            buffer.append(str(child).replace("\t", " "))
            if not str(child).isspace():
                has_text, all_bold = True, False
            continue
        if not isinstance(child, Tag) or _dropped(child, content is not None):
            continue
        tag = child.name.lower()
        if tag not in ("dt", "dd"):
            term_open = False
        if tag in _HEADINGS:
            flush()
            text = flat(child)
            if text:
                out.append(("heading", _HEADINGS[tag], text))
        elif tag in ("td", "th") and not _layout_cell(child):
            buffer.append("\t" + flat(child) + "\t")
            has_text, all_bold = True, False
        elif tag in ("dt", "dd") and not child.find(_BLOCK_TAGS - {"br"}):
            # A description list is label and value ("People waiting | 612"): a term and the
            # descriptions after it are one line, cells apart by tabs, as a table row is.
            flush()
            text = flat(child)
            if text and tag == "dd" and term_open:
                out[-1] = (out[-1][0], out[-1][1], out[-1][2] + "\t" + text)
            elif text:
                out.append(("para", 0, text))
                term_open = tag == "dt"
            continue
        elif tag in _BLOCK_TAGS:
            flush()
            if tag == "table":
                _merge_header_rows(child, flat, soup)
                _fill_row_spans(child, flat, soup)
            level = _HEADING_CLASS.fullmatch(" ".join(child.get("class") or []).lower()) if tag == "p" else None
            hinted = int(level.group(1)) if level else None
            if tag == "li":
                buffer.append("- ")
                has_text = True
            stack.append(end_of_block)
            stack.extend(children(child))
        else:
            if tag in ("b", "strong") and not has_text:
                stack.append(end_of_bold)
            stack.extend(children(child))
    flush()
    parts: list[str] = []
    blocks: list[Block] = []
    offset = 0
    for kind, level, text in out:
        if parts:
            parts.append("\n\n")
            offset += 2
        blocks.append(Block(kind, offset, offset + len(text), None, level))
        parts.append(text)
        offset += len(text)
    return "".join(parts), blocks, title
