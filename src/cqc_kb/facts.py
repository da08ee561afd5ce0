"""Questions about scores and ratings, answered from the structured table, never by retrieval.

Each answer cites the report's own score line (or rating line) at its stored offsets.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .records import Answer, Citation
from .retrieve import Filters, named_authorities, named_statement
from .store import Store
from .structure import RATINGS, STATEMENT_NAMES

_SCORE_QUESTION = re.compile(r"\b(scor(e|ed|es|ing)|rat(ed|ing|ings)|rated)\b", re.I)
#: Other bodies CQC and Ofsted rate: questions about their ratings are not about the council's
#: assessment scores, so they go to retrieval (which may find or abstain) instead of the table.
_OTHER_RATED = re.compile(
    r"\b(ofsted|children'?s services|care homes?|homes|providers?|hospitals?|trusts?|nhs|gps?|"
    r"schools?|agenc(y|ies)|practices?|services (were|are) rated)\b", re.I)
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


def score_table(store: Store) -> list[ReportRow]:
    """One row per CQC report in the index, statements in canonical order."""
    statements: dict[str, dict[str, int | None]] = {}
    for row in store.statements():
        statements.setdefault(row["document"], {})[row["name"]] = row["score"]
    out = []
    for doc in store.documents():
        if not doc["is_cqc"]:
            continue
        scores = {name: statements.get(doc["name"], {}).get(name) for name in STATEMENT_NAMES}
        out.append(ReportRow(authority=doc["authority"] or doc["name"], document=doc["name"],
                             published=doc["published"], rating=doc["rating"],
                             percentage=doc["percentage"], scores=scores,
                             warnings=json.loads(doc["warnings"])))
    return out


def answer_scores(question: str, store: Store, filters: Filters | None = None) -> Answer | None:
    """An answer from the score table when the question is about scores or ratings, else None."""
    if not _SCORE_QUESTION.search(question) or _OTHER_RATED.search(question):
        return None
    filters = filters or Filters()
    rows = [r for r in store.documents() if r["is_cqc"] and r["authority"]]
    if filters.documents:
        rows = [r for r in rows if r["name"] in filters.documents]
    if filters.authorities:
        rows = [r for r in rows if r["authority"] in filters.authorities]
    if filters.ratings:
        rows = [r for r in rows if r["rating"] in filters.ratings]
    named = named_authorities(question, [r["authority"] for r in rows])
    if named:
        rows = [r for r in rows if r["authority"] in named]
    if not rows:
        return None
    statement = named_statement(question)
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
                    parts.append(f"{row['authority']}: {statement} was not assessed.")
                continue
            if wanted and st["score"] not in wanted:
                continue
            n = cite(row, st["start"], st["end"], st["page"], _statement_section(store, row["name"], statement),
                     statement, st["score"])
            parts.append(f"{row['authority']} scored {st['score']} out of 4 on {statement} [{n}].")
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
            parts.append(f"{row['authority']} was rated {row['rating']}{pct} [{n}].")
    else:
        return None
    if not parts:
        return None
    return Answer(question=question, answer=" ".join(parts), abstained=not citations,
                  citations=tuple(citations), hits=(), confidence=1.0 if citations else 0.0,
                  extra={"source": "score table"})


def _statement_section(store: Store, document: str, statement: str) -> str:
    rows = store.sections(document, statement)
    return rows[0]["path"] if rows else statement
