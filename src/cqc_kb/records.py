"""Plain records passed between the pipeline stages."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

SECTION_SEP = " > "


@dataclass(frozen=True)
class Block:
    """A heading or a paragraph: a span of the document text."""

    kind: str  # "heading" or "para"
    start: int
    end: int
    page: int | None
    #: Heading depth (1 = top); 0 for paragraphs.
    level: int = 0


@dataclass(frozen=True)
class Document:
    """A parsed corpus file. ``text`` is what every offset in the index points into."""

    name: str  # file name inside the corpus
    text: str
    sha256: str
    fmt: str  # "txt", "pdf" or "html"
    blocks: tuple[Block, ...]
    pages: int | None = None
    title: str | None = None


@dataclass(frozen=True)
class StatementScore:
    """One quality statement's published score as found in a report."""

    name: str  # canonical name
    theme: str
    score: int | None
    label: str | None
    #: Offsets of the "Score: N" line, so an answer can cite it.
    start: int | None = None
    end: int | None = None
    page: int | None = None


@dataclass(frozen=True)
class Section:
    """A span of the document under one heading path, with the CQC context it sits in."""

    path: tuple[str, ...]
    start: int
    end: int
    theme: str | None = None
    statement: str | None = None


@dataclass(frozen=True)
class Report:
    """What the structure reader understood of a document (generic when not a CQC report)."""

    document: str
    is_cqc: bool
    authority: str | None
    published: str | None  # YYYY-MM-DD
    rating: str | None
    rating_span: tuple[int, int] | None
    statements: tuple[StatementScore, ...]
    sections: tuple[Section, ...]
    warnings: tuple[str, ...] = ()

    @property
    def percentage(self) -> float | None:
        """Sum of scores over 4 x statements scored, as a percentage (None if none scored)."""
        scored = [s.score for s in self.statements if s.score is not None]
        if not scored:
            return None
        return round(100.0 * sum(scored) / (4 * len(scored)), 1)


@dataclass(frozen=True)
class Chunk:
    """A token-bounded span of one document, never crossing a heading section."""

    chunk_id: str
    document: str
    start: int
    end: int
    text: str
    section: tuple[str, ...]
    page: int | None
    ordinal: int
    theme: str | None = None
    statement: str | None = None

    @property
    def section_label(self) -> str:
        return SECTION_SEP.join(self.section)


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its rank and fused score."""

    rank: int
    score: float
    chunk_id: str
    document: str
    authority: str | None
    section: str
    page: int | None
    start: int
    end: int
    text: str
    theme: str | None = None
    statement: str | None = None
    statement_score: int | None = None
    #: Per-retriever evidence, used for abstention and shown in eval.
    dense: float | None = None
    lexical_rank: int | None = None
    #: Publication date (YYYY-MM-DD) of the report the passage comes from.
    published: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``search --json`` hit object (contract: extend, never break)."""
        return {
            "rank": self.rank,
            "score": round(float(self.score), 6),
            "chunk_id": self.chunk_id,
            "document": self.document,
            "authority": self.authority,
            "section": self.section,
            "page": self.page,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "theme": self.theme,
            "quality_statement": self.statement,
            "statement_score": self.statement_score,
            "published": self.published,
        }


@dataclass(frozen=True)
class Citation:
    """An exact quote: ``document_text[start:end] == quote``."""

    n: int
    quote: str
    document: str
    authority: str | None
    section: str
    page: int | None
    start: int
    end: int
    statement: str | None = None
    statement_score: int | None = None
    #: Publication date (YYYY-MM-DD) of the cited report.
    published: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "quote": self.quote,
            "document": self.document,
            "authority": self.authority,
            "section": self.section,
            "page": self.page,
            "start": self.start,
            "end": self.end,
            "quality_statement": self.statement,
            "statement_score": self.statement_score,
            "published": self.published,
        }


def council_label(authority: str | None, published: str | None, document: str = "") -> str:
    """How a council is named beside its evidence: "Name (published 24 October 2025)"."""
    name = authority or document or "unknown report"
    if not published:
        return name
    try:
        date = _dt.date.fromisoformat(published)
    except ValueError:
        return f"{name} (published {published})"
    return f"{name} (published {date.day} {date.strftime('%B %Y')})"


@dataclass(frozen=True)
class Figure:
    """A figure parsed from a quote: ``value`` in ``unit`` ("days", "%", "£", "people"...);
    ``text`` is the span of the quote it was read from."""

    value: float
    unit: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit, "text": self.text}


@dataclass(frozen=True)
class AnswerGroup:
    """One council's part of a library-wide answer: its own sentences and citations."""

    authority: str | None
    document: str
    published: str | None
    answer: str
    citations: tuple["Citation", ...]
    confidence: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "authority": self.authority,
            "document": self.document,
            "published": self.published,
            "answer": self.answer,
            "confidence": round(float(self.confidence), 4),
            "citations": [c.to_json() for c in self.citations],
        }


@dataclass(frozen=True)
class Answer:
    """An extractive answer: sentences from the sources, each marked ``[n]``."""

    question: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...]
    hits: tuple[Hit, ...]
    confidence: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    #: Library-wide answers: one group per council, strongest evidence first (empty when the
    #: answer comes from one report or from the score table).
    groups: tuple[AnswerGroup, ...] = ()
    #: Reports the question was asked over (for "answered in K of N reports"); 0 = not counted.
    reports_searched: int = 0

    def to_json(self) -> dict[str, Any]:
        """The ``ask --json`` object (contract: extend, never break)."""
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "confidence": round(float(self.confidence), 4),
            "strength": self.extra.get("strength"),
            **({"abstained_because": self.extra["abstained_because"]}
               if "abstained_because" in self.extra else {}),
            "citations": [c.to_json() for c in self.citations],
            "groups": [g.to_json() for g in self.groups],
            "reports_searched": self.reports_searched,
            "hits": [h.to_json() for h in self.hits],
        }
