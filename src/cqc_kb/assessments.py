"""Several assessments of one council: which one is current, and what changed between them.

A CQC report is one assessment of one council on its publication date. Reports of the same
council are recognised by :func:`~cqc_kb.structure.authority_key`, so "Stockton-on-Tees Borough
Council" and "Stockton-on-Tees Council" are one council. A council's assessments are ordered
oldest to newest by publication date; a report whose date could not be read counts as the
oldest, and reports published on the same day are ordered by file name, so the order is the
same on every machine.

Which assessments a question is asked over is chosen by an ``assessments`` value:

* ``latest`` (the default): each council's newest assessment;
* ``all``: every assessment;
* a date ``YYYY-MM-DD``: each council's assessment current on that date (the newest one
  published on or before it); councils first assessed after that date are left out.

Documents that are not CQC reports, or name no council, are never left out.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any, Sequence

from .errors import KbError
from .records import council_label
from .store import Store
from .structure import RATINGS, STATEMENTS, authority_key

LATEST = "latest"
ALL = "all"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: Questions about how a council's assessment changed from one report to the next.
CHANGE_QUESTION = re.compile(
    r"\b(changed|improved|declined|deteriorated|worsened|got (better|worse)|(gone|went) (up|down)|"
    r"over time|since (its|their|the) (last|previous|earlier|first) (assessment|inspection|report)|"
    r"between (its|their|the) (assessments|reports)|(previous|last|earlier) assessment)\b|"
    r"\b(did|has|have)\b[^?.]*\bchange\b", re.I)


def parse_assessments(value: str | None) -> str:
    """Check an ``assessments`` value: ``latest``, ``all`` or a date ``YYYY-MM-DD``."""
    text = (value or LATEST).strip().lower()
    if text in (LATEST, ALL):
        return text
    if _DATE.match(text):
        try:
            _dt.date.fromisoformat(text)
            return text
        except ValueError:
            pass
    raise KbError(f"assessments {value!r} not understood; use 'latest' (each council's newest report), "
                  "'all', or a date YYYY-MM-DD (each council's report current on that date)")


def published_text(published: str | None) -> str:
    """"published 24 October 2025", or a plain statement that the date is unknown."""
    if not published:
        return "with no publication date found"
    try:
        date = _dt.date.fromisoformat(published)
    except ValueError:
        return f"published {published}"
    return f"published {date.day} {date.strftime('%B %Y')}"


def is_change_question(question: str) -> bool:
    """Does the question ask how something changed between assessments?"""
    return bool(CHANGE_QUESTION.search(question))


@dataclass(frozen=True)
class Assessment:
    """One CQC report: one assessment of one council on its publication date."""

    document: str
    authority: str
    #: The council it assesses (:func:`authority_key` of ``authority``): reports with the same
    #: council are assessments of one council.
    council: str
    published: str | None
    rating: str | None
    percentage: float | None

    @property
    def label(self) -> str:
        """"Name (published 24 October 2025)"."""
        return council_label(self.authority, self.published, self.document)

    def to_json(self) -> dict[str, Any]:
        return {"authority": self.authority, "document": self.document, "published": self.published,
                "rating": self.rating, "percentage": self.percentage}


def _order(a: Assessment) -> tuple:
    return (a.published is not None, a.published or "", a.document)


def assessment_history(store: Store) -> dict[str, tuple[Assessment, ...]]:
    """Every council's assessments, oldest to newest, keyed by council (``authority_key``);
    councils in order of name."""
    rows = store.db.execute(
        "SELECT name, authority, published, rating, percentage FROM documents"
        " WHERE is_cqc = 1 AND authority IS NOT NULL").fetchall()
    by_council: dict[str, list[Assessment]] = {}
    for r in rows:
        council = authority_key(r["authority"]) or r["authority"].strip().lower()
        by_council.setdefault(council, []).append(Assessment(
            document=r["name"], authority=r["authority"], council=council, published=r["published"],
            rating=r["rating"], percentage=r["percentage"]))
    history = {k: tuple(sorted(v, key=_order)) for k, v in by_council.items()}
    return dict(sorted(history.items(), key=lambda kv: (kv[1][-1].authority.lower(), kv[0])))


def document_councils(store: Store) -> dict[str, str]:
    """The council (``authority_key``) each CQC report assesses, by file name."""
    return {a.document: a.council for history in assessment_history(store).values() for a in history}


def _current(history: tuple[Assessment, ...], assessments: str) -> tuple[Assessment, ...]:
    """The assessments of one council that ``assessments`` chooses."""
    if assessments == ALL:
        return history
    if assessments == LATEST:
        return history[-1:]
    # Undated reports count as the oldest, so as published before any date.
    before = [a for a in history if a.published is None or a.published <= assessments]
    return tuple(before[-1:])


def excluded_documents(store: Store, assessments: str = LATEST) -> frozenset[str]:
    """CQC reports ``assessments`` leaves out (empty when every report is used: with ``all``,
    or with ``latest`` while no council has been assessed twice)."""
    choice = parse_assessments(assessments)
    if choice == ALL:
        return frozenset()
    out = set()
    for history in assessment_history(store).values():
        chosen = {a.document for a in _current(history, choice)}
        out.update(a.document for a in history if a.document not in chosen)
    return frozenset(out)


def council_assessments(store: Store, authority: str) -> tuple[Assessment, ...]:
    """One council's assessments, oldest to newest, found by any form of its name."""
    history = assessment_history(store)
    key = authority_key(authority) or authority.strip().lower()
    if key in history:
        return history[key]
    # A shortened name ("Stockton" for Stockton-on-Tees) is enough when it fits one council.
    fits = [h for k, h in history.items() if key and k.startswith(key + " ")]
    if len(fits) == 1:
        return fits[0]
    known = ", ".join(h[-1].authority for h in history.values()) or "none"
    raise KbError(f"no report in the index for {authority!r}; known authorities: {known}")


def compared_assessments(store: Store, authorities: Sequence[str] | None = None,
                         assessments: str = LATEST, over_time: str | None = None) -> list[Assessment]:
    """The reports ``compare`` answers a question in, in row order.

    ``over_time`` names a council: every one of its assessments, oldest to newest. Otherwise
    the assessments ``assessments`` chooses of the councils in ``authorities`` (all when empty).
    """
    if over_time:
        return list(council_assessments(store, over_time))
    choice = parse_assessments(assessments)
    history = assessment_history(store)
    if authorities:
        keys = {council_assessments(store, name)[0].council for name in authorities}
        history = {k: v for k, v in history.items() if k in keys}
    chosen = [a for h in history.values() for a in _current(h, choice)]
    if not chosen and history and choice not in (LATEST, ALL):
        earliest = min((a.published for h in history.values() for a in h if a.published), default=None)
        raise KbError(f"no assessment published on or before {choice}; the earliest in the index "
                      f"was published {earliest}; use a later date, 'latest' or 'all'")
    return chosen


@dataclass(frozen=True)
class ChangeRow:
    """One measure (a quality statement's score, the rating or the percentage) across a
    council's assessments, oldest to newest, with its change since the previous assessment."""

    measure: str  # quality statement name, "Overall rating" or "Percentage"
    kind: str  # "score", "rating" or "percentage"
    theme: str | None
    #: One value per assessment, in the order of :attr:`CouncilChanges.assessments`
    #: (None: not assessed, or not found in the report).
    values: tuple[Any, ...]
    #: Newest minus the assessment before it: score points, percentage points, or rating steps
    #: (Inadequate 1 ... Outstanding 4); None when either value is missing.
    change: float | None

    @property
    def direction(self) -> str | None:
        """"up", "down", "same", or None when the change cannot be told."""
        if self.change is None:
            return None
        return "up" if self.change > 0 else "down" if self.change < 0 else "same"

    def to_json(self) -> dict[str, Any]:
        return {"measure": self.measure, "kind": self.kind, "theme": self.theme,
                "values": list(self.values), "change": self.change, "direction": self.direction}


@dataclass(frozen=True)
class CouncilChanges:
    """A council's assessments side by side: the nine scores, the rating and the percentage."""

    authority: str
    assessments: tuple[Assessment, ...]
    rows: tuple[ChangeRow, ...]

    def row(self, measure: str) -> ChangeRow:
        return next(r for r in self.rows if r.measure == measure)

    def to_json(self) -> dict[str, Any]:
        return {"authority": self.authority, "assessments": [a.to_json() for a in self.assessments],
                "rows": [r.to_json() for r in self.rows]}


def _delta(before: Any, after: Any) -> float | None:
    if before is None or after is None:
        return None
    return round(after - before, 1)


def council_changes(store: Store, authority: str) -> CouncilChanges:
    """The scores, rating and percentage of each of a council's assessments, with changes."""
    history = council_assessments(store, authority)
    scores = {a.document: {r["name"]: r["score"] for r in store.statements(a.document)} for a in history}
    rows = []
    for name, theme in STATEMENTS:
        values = tuple(scores[a.document].get(name) for a in history)
        rows.append(ChangeRow(name, "score", theme, values,
                              _delta(*values[-2:]) if len(values) > 1 else None))
    ratings = tuple(a.rating for a in history)
    steps = [RATINGS.index(r) + 1 if r in RATINGS else None for r in ratings]
    rows.append(ChangeRow("Overall rating", "rating", None, ratings,
                          _delta(*steps[-2:]) if len(steps) > 1 else None))
    pcts = tuple(a.percentage for a in history)
    rows.append(ChangeRow("Percentage", "percentage", None, pcts,
                          _delta(*pcts[-2:]) if len(pcts) > 1 else None))
    return CouncilChanges(history[-1].authority, history, tuple(rows))


def all_changes(store: Store) -> list[CouncilChanges]:
    """:func:`council_changes` for every council with more than one assessment."""
    return [council_changes(store, h[-1].authority) for h in assessment_history(store).values()
            if len(h) > 1]
