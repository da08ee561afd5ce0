"""Questions about scores and ratings, answered from the structured table, never by retrieval.

Each answer cites the report's own score line (or rating line) at its stored offsets.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .assessments import (ALL, LATEST, Assessment, assessment_history, excluded_documents,
                          is_change_question, parse_assessments, published_text)
from .query import Question, parse_question
from .records import Answer, Citation, council_label
from .retrieve import Filters, named_authorities, named_statement
from .store import Store
from .structure import RATINGS, STATEMENT_NAMES

_SCORE_QUESTION = re.compile(r"\b(scor(e|ed|es|ing)|rat(ed|ing|ings)|rated)\b", re.I)
#: Other bodies CQC and Ofsted rate: questions about their ratings are not about the council's
#: assessment scores, so they go to retrieval (which may find or abstain) instead of the table.
_OTHER_RATED = re.compile(
    r"\b(ofsted|children'?s services|care homes?|homes|providers?|hospitals?|trusts?|nhs|gps?|"
    r"schools?|agenc(y|ies)|practices?|infirmary|maternity|clinics?|surger(y|ies)|dentists?|"
    r"pharmac(y|ies)|police|home care|services\b[^?.]{0,40}?\b(were|are|was|is) rated)\b", re.I)
#: "which scores changed", "quality statement scores": the nine scores as a whole.
_SCORES_QUESTION = re.compile(r"\b(scores|quality statements?)\b", re.I)
#: "overall rating", "rated outstanding", "how was X rated": not "rated highly by carers".
_RATING_QUESTION = re.compile(
    r"\b(overall|ratings?)\b|\brated\s+(as\s+)?(outstanding|good|requires improvement|inadequate)\b|"
    r"\brated\s*\??$", re.I)


@dataclass(frozen=True)
class ReportRow:
    """One report's published scores, for ``cqc-kb scores`` and the app's heat map."""

    authority: str
    document: str
    published: str | None
    rating: str | None
    percentage: float | None
    scores: dict[str, int | None]
    warnings: list[str]

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def score_table(store: Store, assessments: str = ALL) -> list[ReportRow]:
    """One row per CQC report in the index, statements in canonical order; ``assessments``
    ("latest", "all" or a date) chooses which of a council's reports are listed."""
    statements: dict[str, dict[str, int | None]] = {}
    for row in store.statements():
        statements.setdefault(row["document"], {})[row["name"]] = row["score"]
    excluded = excluded_documents(store, assessments)
    out = []
    for doc in store.documents():
        if not doc["is_cqc"] or doc["name"] in excluded:
            continue
        scores = {name: statements.get(doc["name"], {}).get(name) for name in STATEMENT_NAMES}
        out.append(ReportRow(authority=doc["authority"] or doc["name"], document=doc["name"],
                             published=doc["published"], rating=doc["rating"],
                             percentage=doc["percentage"], scores=scores,
                             warnings=json.loads(doc["warnings"])))
    # A council's reports side by side, oldest first (undated ones first, as the oldest).
    out.sort(key=lambda r: (r.authority.lower(), r.published is not None, r.published or "", r.document))
    return out


def answer_scores(question: str, store: Store, filters: Filters | None = None,
                  parsed: Question | None = None) -> Answer | None:
    """An answer from the score table when the question is about scores or ratings, else None.
    ``parsed`` is the question already parsed (see :mod:`cqc_kb.query`)."""
    if not _SCORE_QUESTION.search(question) or _OTHER_RATED.search(question):
        return None
    filters = filters or Filters()
    if is_change_question(question):
        changed = answer_score_change(question, store, filters)
        if changed is not None:
            return changed
    rows = [r for r in store.documents() if r["is_cqc"] and r["authority"]]
    if filters.documents:
        rows = [r for r in rows if r["name"] in filters.documents]
    else:
        excluded = excluded_documents(store, filters.assessments)
        rows = [r for r in rows if r["name"] not in excluded]
    if filters.authorities:
        rows = [r for r in rows if r["authority"] in filters.authorities]
    if filters.ratings:
        rows = [r for r in rows if r["rating"] in filters.ratings]
    parsed = parsed or parse_question(question, [r["authority"] for r in rows])
    named = set(parsed.councils)
    if named:
        rows = [r for r in rows if r["authority"] in named]
    if not rows:
        return None
    statement = parsed.statement
    wanted = {int(n) for n in re.findall(r"\b([1-4])\b", question)} if statement else set()
    citations: list[Citation] = []
    parts: list[str] = []

    def cite(row, start: int, end: int, page: int | None, section: str, st: str | None,
             score: int | None) -> int:
        text = store.document_text(row["name"])
        citations.append(Citation(n=len(citations) + 1, quote=text[start:end], document=row["name"],
                                  authority=row["authority"], section=section, page=page,
                                  start=start, end=end, statement=st, statement_score=score,
                                  published=row["published"]))
        return len(citations)

    if statement:
        for row in rows:
            st = next((s for s in store.statements(row["name"]) if s["name"] == statement), None)
            if st is None:
                continue
            if st["score"] is None:
                if not wanted:
                    parts.append(f"{_label(row)}: {statement} was not assessed.")
                continue
            if wanted and st["score"] not in wanted:
                continue
            n = cite(row, st["start"], _through_label(store.document_text(row["name"]), st), st["page"],
                     _statement_section(store, row["name"], statement), statement, st["score"])
            parts.append(f"{_label(row)} scored {st['score']} out of 4 on {statement} [{n}].")
        if wanted and not parts:
            listed = " or ".join(str(w) for w in sorted(wanted))
            parts.append(f"No council in the index scored {listed} on {statement}.")
    elif _RATING_QUESTION.search(question):
        wanted_ratings = [r for r in RATINGS if re.search(rf"\b{r}\b", question, re.I)]
        for row in rows:
            if row["rating"] is None or row["rating_start"] is None:
                continue
            if wanted_ratings and row["rating"] not in wanted_ratings:
                continue
            n = cite(row, row["rating_start"], row["rating_end"], None,
                     "Overall summary > Local authority rating and score", None, None)
            pct = f" ({row['percentage']}% of the available score)" if row["percentage"] is not None else ""
            parts.append(f"{_label(row)} was rated {row['rating']}{pct} [{n}].")
    else:
        return None
    if not parts:
        return None
    return Answer(question=question, answer=" ".join(parts), abstained=not citations,
                  citations=tuple(citations), hits=(), confidence=1.0 if citations else 0.0,
                  extra={"source": "score table", "strength": "strong" if citations else "weak"})


#: How far after its "Score: N" line a score's label ("3 - Evidence shows a good standard") may start.
_LABEL_REACH = 200


def _through_label(text: str, statement) -> int:
    """Where the cited score ends: after its label when the label follows the "Score: N" line
    closely (the quote then says what the number means), else at the end of that line."""
    label = statement["label"]
    if label:
        at = text.find(label, statement["end"], statement["end"] + _LABEL_REACH)
        if at >= 0 and text.find(label, statement["start"], statement["end"]) < 0:
            return at + len(label)
    return statement["end"]


def _label(row) -> str:
    """The council and the date of the report a score comes from."""
    return council_label(row["authority"], row["published"], row["name"])


def _change_word(before: float | None, after: float | None, higher: str, lower: str) -> str:
    if before is None or after is None:
        return "cannot be compared"
    return "was unchanged" if after == before else higher if after > before else lower


def answer_score_change(question: str, store: Store, filters: Filters | None = None) -> Answer | None:
    """How a council's score, rating or scores changed between its assessments, citing the
    score (or rating) line of every assessment; None when the question names no quality
    statement, rating or scores.

    Councils the question names are answered; otherwise every council with more than one
    assessment. A date in ``filters.assessments`` leaves out reports published after it."""
    filters = filters or Filters()
    statement = named_statement(question)
    rating = statement is None and bool(_RATING_QUESTION.search(question))
    if statement is None and not rating and not _SCORES_QUESTION.search(question):
        return None
    history = assessment_history(store)
    choice = parse_assessments(filters.assessments)
    councils: dict[str, list[Assessment]] = {}
    for key, assessments in history.items():
        kept = [a for a in assessments
                if (not filters.documents or a.document in filters.documents)
                and (not filters.authorities or a.authority in filters.authorities)
                and (choice in (LATEST, ALL) or a.published is None or a.published <= choice)]
        if kept:
            councils[key] = kept
    names = sorted({a.authority for kept in councils.values() for a in kept})
    named = named_authorities(question, names)
    if named:
        councils = {k: v for k, v in councils.items() if any(a.authority in named for a in v)}
    else:
        councils = {k: v for k, v in councils.items() if len(v) > 1}
        if not councils:
            return Answer(question, "No council in the index has more than one assessment, so no change "
                          "can be read from the score table.", True, (), (), 0.0,
                          extra={"source": "score table"})
    documents = {r["name"]: r for r in store.documents()}
    citations: list[Citation] = []
    parts: list[str] = []

    def cite(a: Assessment, start: int, end: int, page: int | None, section: str,
             st: str | None, score: int | None) -> int:
        text = store.document_text(a.document)
        citations.append(Citation(n=len(citations) + 1, quote=text[start:end], document=a.document,
                                  authority=a.authority, section=section, page=page, start=start,
                                  end=end, statement=st, statement_score=score, published=a.published))
        return len(citations)

    def statement_line(a: Assessment, name: str) -> tuple[int | None, str]:
        """The score, and "N out of 4 in the assessment published ... [n]"."""
        st = next((s for s in store.statements(a.document) if s["name"] == name), None)
        if st is None or st["score"] is None or st["start"] is None:
            return None, f"not assessed in the assessment {published_text(a.published)}"
        n = cite(a, st["start"], st["end"], st["page"], _statement_section(store, a.document, name),
                 name, st["score"])
        return st["score"], f"{st['score']} out of 4 in the assessment {published_text(a.published)} [{n}]"

    for assessments in councils.values():
        authority = assessments[-1].authority
        if len(assessments) == 1:
            a = assessments[0]
            if statement:
                _, line = statement_line(a, statement)
                parts.append(f"{authority} has one assessment in the index, so no change to report: "
                             f"{statement} {line}.")
            elif rating and documents[a.document]["rating_start"] is not None:
                row = documents[a.document]
                n = cite(a, row["rating_start"], row["rating_end"], None,
                         "Overall summary > Local authority rating and score", None, None)
                parts.append(f"{authority} has one assessment in the index, so no change to report: "
                             f"rated {a.rating} in the assessment {published_text(a.published)} [{n}].")
            else:
                parts.append(f"{authority} has one assessment in the index "
                             f"({published_text(a.published)}), so no change to report.")
            continue
        if statement:
            values, lines = zip(*(statement_line(a, statement) for a in assessments))
            word = _change_word(values[-2], values[-1], f"improved from {values[-2]} to {values[-1]}",
                                f"fell from {values[-2]} to {values[-1]}")
            parts.append(f"{authority}'s {statement} score {word} since its previous assessment: "
                         + "; ".join(lines) + ".")
        elif rating:
            lines = []
            for a in assessments:
                row = documents[a.document]
                if a.rating is None or row["rating_start"] is None:
                    lines.append(f"no rating found in the assessment {published_text(a.published)}")
                    continue
                n = cite(a, row["rating_start"], row["rating_end"], None,
                         "Overall summary > Local authority rating and score", None, None)
                pct = f" ({a.percentage}%)" if a.percentage is not None else ""
                lines.append(f"{a.rating}{pct} in the assessment {published_text(a.published)} [{n}]")
            before, after = assessments[-2].rating, assessments[-1].rating
            steps = [RATINGS.index(r) if r in RATINGS else None for r in (before, after)]
            word = _change_word(*steps, f"improved from {before} to {after}", f"fell from {before} to {after}")
            parts.append(f"{authority}'s overall rating {word} since its previous assessment: "
                         + "; ".join(lines) + ".")
        else:
            previous, latest = assessments[-2], assessments[-1]
            old_scores = {s["name"]: s["score"] for s in store.statements(previous.document)}
            new_scores = {s["name"]: s["score"] for s in store.statements(latest.document)}
            moved = [name for name in STATEMENT_NAMES if old_scores.get(name) != new_scores.get(name)]
            if not moved:
                parts.append(f"{authority}'s quality statement scores were the same in the assessments "
                             f"{published_text(previous.published)} and {published_text(latest.published)}.")
                continue
            lines = []
            for name in moved:
                (_, old_line), (_, new_line) = statement_line(previous, name), statement_line(latest, name)
                lines.append(f"{name}: {old_line}, then {new_line}")
            parts.append(f"{authority}'s score changed on {len(moved)} of {len(STATEMENT_NAMES)} quality "
                         "statements since its previous assessment: " + "; ".join(lines) + ".")
    return Answer(question=question, answer=" ".join(parts), abstained=not citations,
                  citations=tuple(citations), hits=(), confidence=1.0 if citations else 0.0,
                  extra={"source": "score table"}, reports_searched=sum(len(v) for v in councils.values()))


def _statement_section(store: Store, document: str, statement: str) -> str:
    rows = store.sections(document, statement)
    return rows[0]["path"] if rows else statement
