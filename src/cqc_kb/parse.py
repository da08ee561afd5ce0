"""Turn a corpus file (text, Markdown, PDF or HTML) into a :class:`Document`.

Every document keeps its full extracted text; blocks (headings and paragraphs) are spans of
that text, so any offset stored later can be checked with ``text[start:end]``.
The file type is decided by content, not only by name, and every failure is a
:class:`ParseError` naming the file and the fix.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

from .errors import ParseError
from .records import Block, Document
from .text import trim_span

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".pdf", ".html", ".htm")

_SENTENCE_END = ".!?;,:"
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u25cf\u25aa]|\d{1,2}[.)])\s+")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*#*\s*$")
#: Lines that are data inside a CQC report, never headings.
_NOT_HEADING = re.compile(
    r"^(score\s*[:\-]|(assessment )?published\b|\d\s*[-\u2013\u2014]\s*evidence|page \d+|\[.*\]\(.*\)$|https?://)", re.I
)


def sha256_bytes(data: bytes) -> str:
    """Content hash used to decide whether a document changed."""
    return hashlib.sha256(data).hexdigest()


def sniff_format(data: bytes, name: str) -> str:
    """Return ``pdf``, ``html`` or ``txt`` by looking at the bytes; raise on binary junk."""
    head = data[:2048].lstrip()
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


def parse_bytes(data: bytes, name: str, max_bytes: int | None = None) -> Document:
    """Parse raw bytes of a corpus file called ``name`` into a Document."""
    if max_bytes is not None and len(data) > max_bytes:
        raise ParseError(name, f"is {len(data) / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit",
                         "Split the file or raise CQC_KB_MAX_FILE_MB")
    if not data.strip():
        raise ParseError(name, "is empty", "Replace it with the full report or remove it")
    fmt = sniff_format(data, name)
    if fmt == "pdf":
        text, blocks, pages, title = _parse_pdf(data, name)
    elif fmt == "html":
        text, blocks, title = _parse_html(_decode(data, name), name)
        pages = None
    else:
        text, blocks = _parse_text(_decode(data, name))
        pages = None
        title = text[blocks[0].start:blocks[0].end].lstrip("# ").strip() if blocks else None
    if not text.strip() or not blocks:
        raise ParseError(name, "has no readable text",
                         "If it is a scanned PDF, run OCR on it first; otherwise check the file")
    return Document(name=name, text=text, sha256=sha256_bytes(data), fmt=fmt,
                    blocks=tuple(blocks), pages=pages, title=title)


def parse_file(path: Path, max_bytes: int | None = None, name: str | None = None) -> Document:
    """Read and parse one file; ``name`` defaults to the file name."""
    name = name or path.name
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise ParseError(name, f"is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit",
                             "Split the file or raise CQC_KB_MAX_FILE_MB")
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(name, f"cannot be read ({exc.strerror})", "Check the file's permissions") from None
    return parse_bytes(data, name, max_bytes)


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
    if not s or len(s) > 110 or _NOT_HEADING.match(s) or _BULLET.match(s):
        return False
    if s[-1] in _SENTENCE_END or s.startswith(("(", '"', "\u201c")):
        return False
    if not (s[0].isupper() or s[0].isdigit()):
        return False
    words = s.split()
    return len(words) <= 16 and not re.fullmatch(r"[\d\s,.%£]+", s)


def _parse_text(text: str) -> tuple[str, list[Block]]:
    """Paragraphs are separated by blank lines; Markdown ``#`` lines and title-like lines are headings."""
    blocks: list[Block] = []
    # A paragraph is a run of lines that each have some non-space character.
    for m in re.finditer(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*", text):
        start, end = trim_span(text, m.start(), m.end())
        chunk = text[start:end]
        md = _MD_HEADING.match(chunk) if "\n" not in chunk else None
        lines = chunk.split("\n")
        if len(lines) > 1 and not md and any(looks_like_heading(line) for line in lines[1:]):
            # Text without blank lines between paragraphs (one paragraph a line, or a PDF's
            # text saved as .txt): segment it line by line instead.
            blocks.extend(_line_blocks(text, start, end))
            continue
        if md:
            blocks.append(Block("heading", start, end, None, len(md.group(1))))
        elif "\n" not in chunk and looks_like_heading(chunk):
            blocks.append(Block("heading", start, end, None, 1))
        else:
            blocks.append(Block("para", start, end, None))
    return text, blocks


def _line_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Each non-blank line in ``text[start:end]`` as an absolute, whitespace-trimmed span."""
    spans = (trim_span(text, start + m.start(), start + m.end())
             for m in re.finditer(r"[^\n]+", text[start:end]))
    return [span for span in spans if span]


def _line_blocks(text: str, start: int, end: int) -> list[Block]:
    lines = _line_spans(text, start, end)
    widths = sorted(e - s for s, e in lines)
    if widths[len(widths) // 2] > 150:  # long lines: each line is a whole paragraph
        return [Block("heading", s, e, None, 1) if looks_like_heading(text[s:e]) else Block("para", s, e, None)
                for s, e in lines]
    return [Block(b.kind, b.start, b.end, None, b.level)
            for b in _pdf_page_blocks(text[start:end], start, 0)]


def _parse_pdf(data: bytes, name: str) -> tuple[str, list[Block], int, str | None]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
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
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or None
    except ParseError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise ParseError(name, f"is a damaged PDF ({type(exc).__name__}: {str(exc)[:80]})",
                         "Re-download the report or export it again as PDF") from None
    if not pages:
        raise ParseError(name, "is a PDF with no pages", "Re-download the report")

    parts: list[str] = []
    blocks: list[Block] = []
    offset = 0
    texts = [raw.replace("\r\n", "\n").replace("\r", "\n").strip("\n") for raw in pages]
    furniture = _running_lines(texts)
    for number, page_text in enumerate(texts, start=1):
        if parts:
            parts.append("\n\n")
            offset += 2
        blocks.extend(_pdf_page_blocks(page_text, offset, number, furniture))
        parts.append(page_text)
        offset += len(page_text)
    text = "".join(parts)
    if not text.strip():
        raise ParseError(name, "has no text layer (scanned images only)",
                         "Run OCR on it first (e.g. `ocrmypdf IN OUT`) and add the result")
    return text, blocks, len(pages), title if isinstance(title, str) else None


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def _running_lines(pages: list[str]) -> frozenset[str]:
    """Headers and footers: lines (numbers ignored) at the top or bottom of most pages."""
    if len(pages) < 3:
        return frozenset()
    seen: dict[str, int] = {}
    for page in pages:
        lines = [line for line in page.split("\n") if line.strip()]
        for key in {_furniture_key(line) for line in lines[:2] + lines[-2:]}:
            seen[key] = seen.get(key, 0) + 1
    return frozenset(k for k, n in seen.items() if n >= max(3, len(pages) // 2))


def _pdf_page_blocks(page: str, base: int, number: int,
                     furniture: frozenset[str] = frozenset()) -> list[Block]:
    """Group a page's lines into headings and paragraphs, leaving out running headers/footers.

    PDF text has no blank lines between paragraphs, so a paragraph is taken to end at a line
    that finishes a sentence well short of the page's usual line width.
    """
    lines = [(s, e) for s, e in _line_spans(page, 0, len(page))
             if _furniture_key(page[s:e]) not in furniture]
    if not lines:
        return []
    widths = sorted(e - s for s, e in lines)
    full = widths[int(len(widths) * 0.8)] if len(widths) > 4 else max(widths)
    blocks: list[Block] = []
    para_start: int | None = None
    para_end = 0

    def flush() -> None:
        nonlocal para_start
        if para_start is not None:
            blocks.append(Block("para", base + para_start, base + para_end, number))
            para_start = None

    prev_short = True
    for s, e in lines:
        line = page[s:e]
        short = (e - s) < 0.75 * full
        # Wrapped body lines run to the margin; a heading is a short line that follows the
        # end of a paragraph (a short or punctuated line), not the middle of one.
        if short and looks_like_heading(line) and (
                para_start is None or prev_short or page[para_end - 1] in ".!?:"):
            flush()
            prev_short = True
            blocks.append(Block("heading", base + s, base + e, number, 1))
            continue
        if para_start is not None and _BULLET.match(line):
            flush()
        if para_start is None:
            para_start = s
        para_end = e
        prev_short = short
        if line[-1] in ".!?" and short:
            flush()
    flush()
    return blocks


_DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe",
              "svg", "button", "template", "select", "input", "object", "embed", "canvas", "head")
_DROP_ROLES = ("navigation", "banner", "contentinfo", "search", "dialog", "alert")
_BLOCK_TAGS = {"p", "li", "dt", "dd", "blockquote", "pre", "tr", "caption", "figcaption",
               "address", "div", "section", "article", "main", "ul", "ol", "dl", "table",
               "tbody", "thead", "tfoot", "body", "html", "td", "th", "details", "summary", "br", "hr"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


def _parse_html(markup: str, name: str) -> tuple[str, list[Block], str | None]:
    """Walk the page body and rebuild its text block by block.

    Navigation, scripts, cookie banners and forms are dropped; nothing from the page is
    ever rendered as HTML later, so only the text survives.
    """
    from bs4 import BeautifulSoup, Comment, NavigableString, Tag

    try:
        soup = BeautifulSoup(markup, "lxml")
    except Exception as exc:  # lxml raises parser-specific errors on hostile input
        raise ParseError(name, f"is not readable HTML ({exc})", "Save the page again as HTML") from None
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else None
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue
        role = (tag.get("role") or "").lower() if tag.attrs is not None else ""
        marker = " ".join([tag.get("id") or "", " ".join(tag.get("class") or [])]).lower() \
            if tag.attrs is not None else ""
        if role in _DROP_ROLES or "cookie" in marker or "skip-link" in marker \
                or (tag.attrs is not None and tag.has_attr("hidden")):
            tag.decompose()
    root = soup.find("main") or soup.find(attrs={"role": "main"}) or soup.find("article") or soup.body or soup

    out: list[tuple[str, int, str]] = []  # (kind, level, text)
    buffer: list[str] = []

    def flush() -> None:
        text = re.sub(r"\s+", " ", "".join(buffer)).strip()
        buffer.clear()
        if text:
            out.append(("para", 0, text))

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                buffer.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            tag = child.name.lower()
            if tag in _HEADINGS:
                flush()
                text = re.sub(r"\s+", " ", child.get_text(" ")).strip()
                if text:
                    out.append(("heading", _HEADINGS[tag], text))
            elif tag in ("td", "th"):
                buffer.append(" " + re.sub(r"\s+", " ", child.get_text(" ")).strip() + " ")
            elif tag in _BLOCK_TAGS:
                flush()
                if tag == "li":
                    buffer.append("- ")
                walk(child)
                flush()
            else:
                walk(child)

    walk(root)
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
