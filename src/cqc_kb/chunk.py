"""Token-bounded, structure-aware chunking.

A chunk never crosses a heading section; it is packed from whole paragraphs where they fit,
else from whole sentences, and only a sentence longer than the limit is cut between words.
Consecutive chunks of a section overlap by up to ``chunk_overlap`` tokens of whole sentences.
Every chunk is a contiguous span of the document text, so its offsets can be checked.
"""

from __future__ import annotations

import re
from typing import Callable

from .records import Chunk, Document, Report, SECTION_SEP
from .settings import Settings
from .text import sentence_spans, trim_span
from .tokens import get_encoding

Counter = Callable[[str], int]


def token_counter(settings: Settings) -> Counter:
    """Count tokens with the configured tiktoken encoding."""
    enc = get_encoding(settings.encoding)
    return lambda text: len(enc.encode(text, disallowed_special=()))


def _split_long(text: str, start: int, end: int, limit: int, count: Counter) -> list[tuple[int, int]]:
    """Cut an over-long sentence between words into pieces of at most ``limit`` tokens."""
    pieces: list[tuple[int, int]] = []
    piece_start = start
    last_ok = None
    for m in re.finditer(r"\S+", text[start:end]):
        word_end = start + m.end()
        if count(text[piece_start:word_end]) > limit and last_ok is not None:
            pieces.append((piece_start, last_ok))
            piece_start = start + m.start()
        last_ok = word_end
    pieces.append((piece_start, end))
    return [p for p in pieces if p[1] > p[0]]


def _units(doc: Document, start: int, end: int, limit: int, count: Counter) -> list[tuple[int, int, int, bool]]:
    """Sentences of the section as (start, end, tokens, starts_paragraph)."""
    units = []
    for block in doc.blocks:
        if block.end <= start or block.start >= end:
            continue
        if block.kind == "heading" and block.start == start:
            continue  # the section's own heading travels in the chunk's heading path
        first = True
        for s, e in sentence_spans(doc.text, max(block.start, start), min(block.end, end)):
            n = count(doc.text[s:e])
            parts = [(s, e)] if n <= limit else _split_long(doc.text, s, e, limit, count)
            for ps, pe in parts:
                units.append((ps, pe, n if len(parts) == 1 else count(doc.text[ps:pe]), first))
                first = False
    return units


def _page_of(doc: Document, offset: int) -> int | None:
    page = None
    for block in doc.blocks:
        if block.start > offset:
            break
        page = block.page
    return page


def chunk_document(doc: Document, report: Report, settings: Settings,
                   count: Counter | None = None) -> list[Chunk]:
    """Split ``doc`` into chunks following the sections that ``report`` found."""
    count = count or token_counter(settings)
    limit = settings.chunk_tokens
    overlap = settings.chunk_overlap
    chunks: list[Chunk] = []
    for section in report.sections:
        units = _units(doc, section.start, section.end, limit, count)
        window: list[tuple[int, int, int, bool]] = []
        fresh = 0  # units in the window not yet emitted in an earlier chunk

        def emit() -> None:
            span = trim_span(doc.text, window[0][0], window[-1][1])
            if span is None:
                return
            s, e = span
            chunks.append(Chunk(
                chunk_id=f"{doc.sha256[:10]}:{s}-{e}", document=doc.name, start=s, end=e,
                text=doc.text[s:e], section=section.path, page=_page_of(doc, s),
                ordinal=len(chunks), theme=section.theme, statement=section.statement))

        for unit in units:
            size = sum(u[2] + 1 for u in window)
            # Break at a paragraph start when the chunk is already half full, so chunks
            # follow the report's own paragraphs where they can.
            para_break = unit[3] and size >= limit // 2
            if window and (size + unit[2] > limit or para_break):
                if fresh:
                    emit()
                carried: list[tuple[int, int, int, bool]] = []
                budget = 0
                for prev in reversed(window):
                    if budget + prev[2] > overlap or para_break:
                        break
                    carried.insert(0, prev)
                    budget += prev[2] + 1
                while carried and budget + unit[2] > limit:
                    budget -= carried.pop(0)[2] + 1
                window, fresh = carried, 0
            window.append(unit)
            fresh += 1
        if window and fresh:
            emit()
    return chunks


def document_sentences(doc: Document, chunks: list[Chunk]) -> list[tuple[int, int]]:
    """Sentence spans inside the chunks, each once: the units an answer may quote."""
    covered = sorted({(c.start, c.end) for c in chunks})
    spans: set[tuple[int, int]] = set()
    for block in doc.blocks:
        if block.kind != "para":
            continue
        for s, e in sentence_spans(doc.text, block.start, block.end):
            if any(cs <= s and e <= ce for cs, ce in covered):
                spans.add((s, e))
    return sorted(spans)


def embed_text(chunk: Chunk, with_heading: bool) -> str:
    """What is embedded for a chunk: its nearest headings give context the span lacks."""
    if not with_heading or not chunk.section:
        return chunk.text
    return f"{SECTION_SEP.join(chunk.section[-2:])}\n{chunk.text}"
