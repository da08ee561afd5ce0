"""Chunking: token-bounded, contiguous spans, never across a heading section, with overlap."""

from __future__ import annotations

from pathlib import Path

from cqc_kb.chunk import chunk_document, document_sentences, token_counter
from cqc_kb.parse import parse_bytes, parse_file
from cqc_kb.settings import load_settings
from cqc_kb.structure import analyse

from conftest import REAL_REPORT


def _chunks(doc, **changes):
    settings = load_settings(env={}, **changes)
    return chunk_document(doc, analyse(doc), settings), token_counter(settings)


def test_chunks_are_bounded_verbatim_and_inside_one_section() -> None:
    doc = parse_file(REAL_REPORT)
    report = analyse(doc)
    chunks, count = _chunks(doc)
    assert len(chunks) > 100
    for c in chunks:
        assert doc.text[c.start:c.end] == c.text
        assert count(c.text) <= 200
        inside = [s for s in report.sections if s.start <= c.start and c.end <= s.end]
        assert inside and inside[0].path == c.section
    timeliness = [c for c in chunks if "median waiting time was 28 days" in c.text]
    assert timeliness and timeliness[0].statement == "Assessing needs"
    assert timeliness[0].section[-1] == "Timeliness of assessments, care planning and reviews"


def test_small_limit_splits_paragraphs_with_overlap() -> None:
    doc = parse_file(REAL_REPORT)
    chunks, count = _chunks(doc, chunk_tokens=60, chunk_overlap=20)
    assert all(count(c.text) <= 60 for c in chunks)
    same_section = [(a, b) for a, b in zip(chunks, chunks[1:]) if a.section == b.section]
    assert any(b.start < a.end for a, b in same_section), "consecutive chunks should overlap"


def test_overlong_sentence_is_cut_between_words() -> None:
    text = "Heading\n\n" + " ".join(f"word{i}" for i in range(400)) + "."
    doc = parse_bytes(text.encode(), "long.txt")
    chunks, count = _chunks(doc, chunk_tokens=50, chunk_overlap=0)
    assert len(chunks) > 3 and all(count(c.text) <= 50 for c in chunks)
    assert all(doc.text[c.start:c.end] == c.text and not c.text[0].isspace() for c in chunks)


def test_pdf_chunks_carry_pages(fixture_corpus: Path) -> None:
    doc = parse_file(fixture_corpus / "larchfield.pdf")
    chunks, _ = _chunks(doc)
    assert {c.page for c in chunks} >= {1, 2, 3}


def test_sentences_cover_chunk_text_only() -> None:
    doc = parse_file(REAL_REPORT)
    chunks, _ = _chunks(doc)
    sentences = document_sentences(doc, chunks)
    assert "During the previous 12 months, the maximum waiting time was 288 days, and the median " \
           "waiting time was 28 days." in {doc.text[s:e] for s, e in sentences}
    assert all(any(c.start <= s and e <= c.end for c in chunks) for s, e in sentences)
