"""Understand a CQC local authority assessment: authority, date, rating, scores, heading tree.

Works on the blocks of any parsed format. A document that is not a CQC report still gets a
plain heading tree (``is_cqc`` false, no authority) and never raises.
"""

from __future__ import annotations

import re
from functools import lru_cache
from datetime import datetime

from .records import Block, Document, Report, Section, StatementScore
from .text import table_cells

THEMES = ("Working with people", "Providing support", "Ensuring safety", "Leadership")

#: Canonical quality statements in report order, with their theme.
STATEMENTS: tuple[tuple[str, str], ...] = (
    ("Assessing needs", "Working with people"),
    ("Supporting people to live healthier lives", "Working with people"),
    ("Equity in experience and outcomes", "Working with people"),
    ("Care provision, integration and continuity", "Providing support"),
    ("Partnerships and communities", "Providing support"),
    ("Safe pathways, systems and transitions", "Ensuring safety"),
    ("Safeguarding", "Ensuring safety"),
    ("Governance, management and sustainability", "Leadership"),
    ("Learning, improvement and innovation", "Leadership"),
)
STATEMENT_NAMES = tuple(name for name, _ in STATEMENTS)
THEME_OF = dict(STATEMENTS)

#: Other spellings seen in published reports, mapped to the canonical name.
_ALIASES = {
    "supporting people to lead healthier lives": "Supporting people to live healthier lives",
    "care provision integration and continuity of care": "Care provision, integration and continuity",
    "safe pathways systems and transitions of care": "Safe pathways, systems and transitions",
    "safe systems pathways and transitions": "Safe pathways, systems and transitions",
}
#: "Quality statement 1: Assessing needs", "Quality statement one - Assessing needs".
_QS_PREFIX = re.compile(r"^\s*quality statement\s+(?:\d+|one|two|three|four|five|six|seven|eight|nine)\s*[:.\-\u2013]\s*", re.I)

RATINGS = ("Inadequate", "Requires improvement", "Good", "Outstanding")
SCORE_LABELS = {
    1: "Evidence shows significant shortfalls",
    2: "Evidence shows some shortfalls",
    3: "Evidence shows a good standard",
    4: "Evidence shows an exceptional standard",
}

_TOP_SECTIONS = ("about ", "overall summary", "summary of people", "summary of strengths",
                 "theme ")
_STATEMENT_PARTS = ("what people expect", "the local authority commitment",
                    "key findings for this quality statement")
_SCORE_LINE = re.compile(r"^\s*score\s*[:\-]?\s*([1-4])\b", re.I)
#: A table cell giving a score: "Score: 2", "2 out of 4" or the bare digit.
_SCORE_CELL = re.compile(r"^\s*(?:score\s*[:\-]?\s*)?([1-4])(?:\s*(?:/|out of)\s*4)?\s*$", re.I)
_INLINE_SCORE = re.compile(r"^(.*?)[\s:|\-\u2013]*score\s*[:\-]?\s*([1-4])\s*$", re.I)
_LABEL_LINE = re.compile(r"^\s*([1-4])\s*[-\u2013\u2014:]\s*(evidence shows .*)$", re.I)
_NOT_ASSESSED = re.compile(r"\bnot (?:been )?(?:assessed|scored|reviewed)\b", re.I)
_TITLE = re.compile(r"^\s*#*\s*(.+?)\s*[:\-\u2013]\s*local authority assessment\b", re.I)
_PUBLISHED = re.compile(r"(?:assessment\s+)?published\s*:?\s*(?:on\s+)?(\d{1,2}\s+[A-Za-z]+\s+\d{4})", re.I)
_THEME = re.compile(r"^\s*theme\s+([1-4])\b", re.I)


def norm_heading(text: str) -> str:
    """Lower case, '&' as 'and', punctuation dropped: for matching headings."""
    text = text.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


#: Headings the CQC layout repeats in every local authority assessment: the report's parts,
#: and the sub-headings of each quality statement's key findings.
STANDARD_HEADINGS = frozenset(norm_heading(h) for h in (
    *STATEMENT_NAMES, *_ALIASES, "Overall summary", "Local authority rating and score", "Quality statement scores",
    "Summary of people's experiences", "Summary of strengths, areas for development and next steps",
    "Demographics", "Financial facts", "What people expect", "The local authority commitment",
    "Key findings for this quality statement", "Assessment, care planning and review arrangements",
    "Timeliness of assessments, care planning and reviews",
    "Assessment and care planning for unpaid carers, child's carers and child carers",
    "Help for people to meet their non-eligible care and support needs", "Eligibility decisions for care and support",
    "Financial assessment and charging policy for care and support", "Provision of independent advocacy",
    "Arrangements to prevent, delay or reduce needs for care and support",
    "Provision and impact of intermediate care and reablement services", "Access to equipment and home adaptations",
    "Provision of accessible information and advice", "Direct payments",
    "Understanding and reducing barriers to care and support and reducing inequalities",
    "Inclusion and accessibility arrangements", "Understanding local needs for care and support",
    "Market shaping and commissioning to meet local needs", "Ensuring sufficient capacity in local services to meet demand",
    "Ensuring quality of local services", "Ensuring local services are sustainable",
    "Partnership working to deliver shared local and national objectives",
    "Arrangements to support effective partnership working", "Impact of partnership working",
    "Working with voluntary and charity sector groups", "Safety management", "Safety during transitions",
    "Contingency planning", "Safeguarding systems, processes and practices",
    "Responding to local safeguarding risks and issues", "Responding to concerns and undertaking Section 42 enquiries",
    "Making safeguarding personal", "Governance, accountability and risk management", "Strategic planning",
    "Information security", "Continuous learning, improvement and professional development", "Learning from feedback",
))


def is_standard_heading(line: str) -> bool:
    """Is ``line`` one of the CQC layout's own headings (:data:`STANDARD_HEADINGS`)?"""
    return norm_heading(line) in STANDARD_HEADINGS


_CANON = {norm_heading(name): name for name in STATEMENT_NAMES}
_CANON.update({norm_heading(k): v for k, v in _ALIASES.items()})


def canonical_statement(text: str) -> str | None:
    """The canonical quality statement a heading names, or None."""
    return _CANON.get(norm_heading(_QS_PREFIX.sub("", text)))


_GENERIC_NAME_WORDS = frozenset({"borough", "council", "county", "city", "district", "metropolitan",
                                 "unitary", "of", "the", "royal", "london", "mbc", "cc", "bc"})


@lru_cache(maxsize=4096)  # asked for every authority on every question
def authority_key(name: str) -> str:
    """The distinctive part of an authority's name ("stockton on tees")."""
    return " ".join(w for w in norm_heading(name).split() if w not in _GENERIC_NAME_WORDS)


def canonical_rating(text: str) -> str | None:
    """``Good``, ``Requires improvement``... from a block's text, or None."""
    t = norm_heading(text)
    t = re.sub(r"^(overall |local authority )?rating ", "", t)
    for rating in RATINGS:
        if t == norm_heading(rating):
            return rating
    return None


def rating_for_percentage(pct: float) -> str:
    """CQC's thresholds on the overall score percentage."""
    if pct >= 88:
        return "Outstanding"
    if pct >= 63:
        return "Good"
    if pct >= 39:
        return "Requires improvement"
    return "Inadequate"


def _parse_date(raw: str) -> str | None:
    for fmt in ("%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(raw.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return None


def analyse(doc: Document) -> Report:
    """Read the structure of ``doc``; generic heading tree when it is not a CQC report."""
    texts = [doc.text[b.start:b.end].strip() for b in doc.blocks]
    head = doc.text[:3000]
    title_match = next((m for m in (_TITLE.match(t) for t in [doc.title or ""] + texts[:8]) if m), None)
    hits = _statement_occurrences(doc.blocks, texts)
    is_cqc = bool(title_match) or len({name for name, *_ in hits}) >= 3
    if not is_cqc:
        return Report(document=doc.name, is_cqc=False, authority=None, published=None, rating=None,
                      rating_span=None, statements=(), sections=tuple(_generic_sections(doc, texts)))

    authority = title_match.group(1).strip() if title_match else _authority_from_about(texts)
    pub = _PUBLISHED.search(head)
    published = _parse_date(pub.group(1)) if pub else None
    rating, rating_span = _find_rating(doc, texts)
    statements, warnings = _scores(doc, texts, hits)
    report = Report(document=doc.name, is_cqc=True, authority=authority, published=published,
                    rating=rating, rating_span=rating_span, statements=statements,
                    sections=tuple(_cqc_sections(doc, texts, hits, authority)), warnings=())
    warnings.extend(_rating_checks(report))
    if authority is None:
        warnings.append("authority name not found: the first line should read "
                        "'<Council>: local authority assessment'")
    return Report(**{**report.__dict__, "warnings": tuple(warnings)})


def _authority_from_about(texts: list[str]) -> str | None:
    for t in texts[:40]:
        m = re.match(r"^about (.+)$", t, re.I)
        if m and len(t) < 100:
            return m.group(1).strip()
    return None


def _statement_occurrences(blocks: tuple[Block, ...], texts: list[str]) -> list[tuple[str, int, int | None, int | None]]:
    """Every place a statement is named with its score: (name, block index, score, score block).

    The score sits in the next few blocks, or on the same line (tables in HTML pages).
    ``score`` is None when the statement is named but says it was not assessed.
    """
    found = []
    for i, t in enumerate(texts):
        cells = table_cells(t)
        if len(cells) > 1:
            # A table row: the statement in its first cell, the score in a later one
            # ("Safeguarding | Score: 2 | 2 - Evidence shows some shortfalls").
            name = canonical_statement(cells[0])
            score = next((int(m.group(1)) for c in cells[1:] if (m := _SCORE_CELL.match(c))), None)
            if name is not None and score is not None:
                found.append((name, i, score, i))
                continue
        if len(t) > 90 or t.startswith(("- ", "* ", "\u2022")):
            continue
        name = canonical_statement(t)
        inline = None
        if name is None:
            m = _INLINE_SCORE.match(t)
            if m and canonical_statement(m.group(1)):
                name = canonical_statement(m.group(1))
                found.append((name, i, int(m.group(2)), i))
            continue
        for j in range(i + 1, min(i + 4, len(texts))):
            m = _SCORE_LINE.match(texts[j])
            if m:
                inline = (int(m.group(1)), j)
                break
            if canonical_statement(texts[j]) or _NOT_ASSESSED.search(texts[j]) and len(texts[j]) < 200:
                if _NOT_ASSESSED.search(texts[j]):
                    inline = (None, j)
                break
        neighbours = [_nearest_text(texts, i, step) for step in (-1, 1)]
        if inline is not None:
            found.append((name, i, inline[0], inline[1]))
        elif blocks[i].kind == "heading" and not any(canonical_statement(t) for t in neighbours):
            # A statement named without a score is an unassessed section, unless it is one
            # line of a list of statements (theme introductions in PDFs lose their bullets).
            found.append((name, i, None, None))
    return found


def _nearest_text(texts: list[str], i: int, step: int) -> str:
    """The closest block in one direction that has letters (PDF bullets extract as junk)."""
    j = i + step
    while 0 <= j < len(texts):
        if re.search(r"[A-Za-z]", texts[j]):
            return texts[j]
        j += step
    return ""


def _find_rating(doc: Document, texts: list[str]) -> tuple[str | None, tuple[int, int] | None]:
    """The published overall rating: the first rating word after 'rating and score'."""
    anchor = next((i for i, t in enumerate(texts) if "rating and score" in t.lower()
                   or norm_heading(t) in ("overall rating", "local authority rating")), None)
    start = anchor + 1 if anchor is not None else 0
    stop = min(len(texts), start + 8) if anchor is not None else min(len(texts), 60)
    for i in range(start, stop):
        rating = canonical_rating(texts[i])
        if rating:
            b = doc.blocks[i]
            offset = doc.text.find(texts[i], b.start)
            return rating, (offset, offset + len(texts[i]))
    return None, None


def _scores(doc: Document, texts: list[str], hits: list) -> tuple[tuple[StatementScore, ...], list[str]]:
    """One score per canonical statement; the detailed section wins over the summary list."""
    first_theme = next((i for i, t in enumerate(texts) if _THEME.match(t)), None)
    summary: dict[str, tuple[int | None, int | None]] = {}
    detail: dict[str, tuple[int | None, int | None, int]] = {}
    for name, i, score, score_block in hits:
        if first_theme is not None and i < first_theme:
            summary[name] = (score, score_block)
        elif score is not None or detail.get(name, (None,))[0] is None:
            # A later mention without a score (a sub-heading repeating the statement's name)
            # must not erase the score its own section gave.
            detail[name] = (score, score_block, i)
    warnings: list[str] = []
    result = []
    for name, theme in STATEMENTS:
        score, score_block, label = None, None, None
        if name in detail:
            score, score_block, i = detail[name]
            label = _label_after(texts, score_block if score_block is not None else i)
        if name in summary:
            s_score, s_block = summary[name]
            if score is None and s_score is not None:
                score, score_block = s_score, s_block
            elif s_score is not None and score is not None and s_score != score:
                warnings.append(f"{name}: the summary lists score {s_score} but its section says "
                                f"score {score}; the section's score is used")
        if score is None:
            warnings.append(f"{name}: not assessed in this report (recorded as missing, not zero)")
        if label and score is not None:
            m = _LABEL_LINE.match(label)
            number = int(m.group(1)) if m else None
            words = norm_heading(m.group(2)) if m else ""
            word_score = next((k for k, v in SCORE_LABELS.items() if norm_heading(v) == words), None)
            if number is not None and number != score or word_score is not None and word_score != score:
                warnings.append(f"{name}: label '{label}' disagrees with 'Score: {score}'")
        span = page = None
        if score_block is not None:
            b = doc.blocks[score_block]
            span = (b.start, b.end)
            page = b.page
        result.append(StatementScore(name=name, theme=theme, score=score, label=label,
                                     start=span[0] if span else None, end=span[1] if span else None,
                                     page=page))
    return tuple(result), warnings


def _label_after(texts: list[str], i: int) -> str | None:
    """The score's label ("2 - Evidence shows some shortfalls"): in the block of the score line
    itself when extraction ran the two lines together (PDFs do), else in the next two."""
    label = next((c for c in table_cells(texts[i])[1:] if _LABEL_LINE.match(c)), None)
    if label:
        return label
    own = _SCORE_LINE.match(texts[i])
    if own:
        rest = _LABEL_LINE.match(texts[i][own.end():].strip())
        if rest:
            return rest.group(0).strip()
    for j in range(i + 1, min(i + 3, len(texts))):
        if _LABEL_LINE.match(texts[j]):
            return texts[j]
    return None


def _rating_checks(report: Report) -> list[str]:
    pct = report.percentage
    if pct is None:
        return ["no quality statement scores found"]
    expected = rating_for_percentage(pct)
    if report.rating is None:
        return [f"published overall rating not found; {pct}% would be {expected}"]
    if expected != report.rating:
        return [f"published rating {report.rating} disagrees with the score percentage "
                f"{pct}%, which CQC's thresholds rate {expected}"]
    return []


def _generic_sections(doc: Document, texts: list[str]) -> list[Section]:
    """Heading stack by level; text before the first heading gets an empty path."""
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    start = 0
    for b, t in zip(doc.blocks, texts):
        if b.kind != "heading":
            continue
        if b.start > start:
            sections.append(Section(tuple(h for _, h in stack), start, b.start))
        while stack and stack[-1][0] >= b.level:
            stack.pop()
        stack.append((b.level, t.lstrip("# ").strip()))
        start = b.start
    sections.append(Section(tuple(h for _, h in stack), start, len(doc.text)))
    return [s for s in sections if s.end > s.start]


def _cqc_sections(doc: Document, texts: list[str], hits: list, authority: str | None) -> list[Section]:
    """The CQC heading tree: top section > quality statement > part > key-finding subheading."""
    statement_blocks = {i: name for name, i, *_ in hits}
    data_blocks = {sb for *_, sb in hits if sb is not None}
    top = statement = part = sub = theme = None
    sections: list[Section] = []
    start = 0
    for i, (b, t) in enumerate(zip(doc.blocks, texts)):
        low = t.lower()
        in_overall = bool(top) and top.lower().startswith("overall summary")
        if b.kind == "heading" and low.startswith(_TOP_SECTIONS) and (
                not low.startswith("theme ") or _THEME.match(t)):
            change = "top"
        elif i in statement_blocks:
            if in_overall:
                continue  # the summary list of scores is data, not a heading
            change = "statement"
        elif statement and norm_heading(t) in _STATEMENT_PARTS:
            change = "part"
        elif (b.kind == "heading" and i > 0 and i not in data_blocks and canonical_rating(t) is None
              and t != authority and canonical_statement(t) is None):
            change = "sub"
        else:
            continue
        if b.start > start:
            sections.append(Section(tuple(p for p in (top, statement, part, sub) if p),
                                    start, b.start, theme, statement))
        start = b.start
        if change == "top":
            top, statement, part, sub = t, None, None, None
            m = _THEME.match(t)
            theme = THEMES[int(m.group(1)) - 1] if m else None
        elif change == "statement":
            statement = statement_blocks[i]
            theme = THEME_OF[statement]
            part = sub = None
        elif change == "part":
            part, sub = t, None
        elif statement and part and not part.lower().startswith("key findings"):
            part, sub = t, None  # a heading after 'What people expect' starts a new part
        elif statement:
            sub = t
        else:
            part, sub = t, None
    sections.append(Section(tuple(p for p in (top, statement, part, sub) if p),
                            start, len(doc.text), theme, statement))
    return [s for s in sections if s.end > s.start]
