"""Figures read from quoted sentences: "28 days", "19.8%", "£61.2 million", "412 people",
"an estimated 202,415 residents", "October 2024".

Each :class:`~cqc_kb.records.Figure` keeps the exact span of the quote it was read from, so a
figure shown in a table or chart can always be traced back to its citation.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .query import MEASURES, Question, answer_kind, measures_in
from .records import Figure
from .text import content_terms, seedable_cache, table_cells, words

#: How each answer kind is named to a reader ("no waiting-time figure...").
KIND_LABELS = {"days": "waiting-time or duration", "percent": "percentage", "money": "money (£)",
               "count": "number", "residents": "population", "date": "date"}

#: Month names in calendar order, lower case.
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
_WORD_NUMBERS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9}
_DURATION_UNITS = {"day": "days", "days": "days", "week": "weeks", "weeks": "weeks", "month": "months",
                   "months": "months", "year": "years", "years": "years", "hour": "hours", "hours": "hours",
                   "minute": "minutes", "minutes": "minutes"}

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_TENS = {w: 10 * n for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
#: A number written in words, up to ninety-nine ("eleven", "thirty-nine", "seventy two").
_WORDNUM = (rf"(?:{'|'.join(_TENS)})(?:[\s-](?:{'|'.join(w for w in _WORD_NUMBERS if 0 < _WORD_NUMBERS[w] < 10)}))?"
            rf"(?![\w-])|{'|'.join(sorted(_WORD_NUMBERS, key=len, reverse=True))}")
_MONEY = re.compile(rf"£\s?(?P<n>{_NUM})(?:\s?(?P<scale>thousand|million|billion|bn|m|k)\b)?", re.I)
_PERCENT = re.compile(rf"(?P<n>{_NUM}|\b(?:{_WORDNUM}))\s?(?:%|per ?cent\b)", re.I)
#: A share given as a ratio: "one in four carers", "7 in 10 people", "one person in four".
_RATIO = re.compile(rf"\b(?P<n>\d{{1,3}}|{_WORDNUM})\s+(?:(?:person|people|adults?|carers?|residents?|households?|"
                    rf"workers?|staff|patients?|users?|respondents?)\s+)?in\s+(?:every\s+)?(?P<m>\d{{1,3}}|{_WORDNUM})\b"
                    r"(?!\s*(?:days?|weeks?|months?|years?)\b)", re.I)
_FRACTIONS = {"half": 50.0, "a half": 50.0, "one half": 50.0, "a third": 33.3, "one third": 33.3,
              "two thirds": 66.7, "a quarter": 25.0, "one quarter": 25.0, "three quarters": 75.0}
#: A share given as a fraction of a group: "half of carers", "two thirds of people".
_FRACTION = re.compile(r"\b(?P<f>" + "|".join(sorted(_FRACTIONS, key=len, reverse=True)) + r")(?P<of>\s+of)\b", re.I)
_DURATION = re.compile(
    rf"(?P<n>{_NUM}|\b(?:{_WORDNUM}))[\s-](?P<unit>working days?|days?|weeks?|months?|years?|hours?|minutes?)\b",
    re.I)
_DATE = re.compile(rf"\b(?:(?P<day>\d{{1,2}})\s+)?(?P<month>{'|'.join(MONTHS)})\s+(?P<year>(?:19|20)\d\d)\b"
                   r"|\b(?P<fy>(?:19|20)\d\d)[/-](?P<fy2>\d\d)\b|\b(?:in|since|by|from|until) (?P<bare>(?:19|20)\d\d)\b",
                   re.I)
_COUNT = re.compile(
    rf"(?P<n>{_NUM}|\b(?:{_WORDNUM}))(?:\s+(?:of\s+(?:the|these|those)\s+\d[\d,]*\s+)?)?"
    r"\s*(?P<unit>(?:[a-z][a-z'\u2019-]+\s+){0,2}?(?:people|persons?|residents|carers|carers'|adults|"
    r"children|young people|referrals|assessments|reviews|enquiries|concerns|complaints|homes|"
    r"providers|organisations|staff|workers|social workers|volunteers|installations|calls|"
    r"applications|packages|places|beds|apartments|villages|wards|councillors|councilors|"
    r"embargoes|contacts|micro-providers|assistants|cases|requests|visits|households|"
    r"[a-z]+s))\b", re.I)
_RESIDENTS = re.compile(rf"(?P<n>{_NUM})\s+(?:residents|people live|inhabitants)|"
                        rf"population (?:of|was|is|stood at)(?: an estimated| about| around)?\s+(?P<n2>{_NUM})",
                        re.I)


def _number(raw: str) -> float:
    raw = raw.strip().lower()
    if raw in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[raw])
    tens, _, unit = raw.replace(" ", "-").partition("-")
    if tens in _TENS:
        return float(_TENS[tens] + _WORD_NUMBERS.get(unit, 0))
    return float(raw.replace(",", ""))


def _is_year(raw: str) -> bool:
    return bool(re.fullmatch(r"(19|20)\d\d", raw))


def parse_figures(quote: str) -> list[Figure]:
    """Every figure in ``quote``, in reading order, at most one per span of text."""
    return list(_figures(quote))


#: What every figure starts with: a digit, a number word or a fraction word. Most report
#: sentences hold none, and one search for it spares them the nine patterns below (a
#: comparison reads thousands of sentences the first time it meets them).
_MAY_HOLD_FIGURE = re.compile(
    r"\d|\b(?:" + "|".join([*_WORD_NUMBERS, *_TENS, "half", "third", "quarter"]) + ")", re.I)


_IN = re.compile(r"\sin\s", re.I)
_PARAGRAPH_NUMBER = re.compile(r"\s*(\d{1,2}(?:\.\d{1,2}){1,2})\s+(?=[A-Z])")
#: An age ("aged 18 to 64", "after the age of 18", "who turned 18", "16-year-olds"): no count of
#: anything, though a bare number.
_AGE = re.compile(r"\b(?:aged|ages?\s+of|ages|turn(?:ed|ing|s)?)\s+(?:between\s+)?\d{1,3}(?![\d,.]\d)"
                  r"(?:\s*(?:to|-|\u2013|and)\s*\d{1,3}(?![\d,.]\d))?|\b\d{1,3}-year-olds?\b", re.I)
_YEAR = re.compile(r"(?:19|20)\d\d")


@lru_cache(maxsize=16384)
def _figures(quote: str) -> tuple[Figure, ...]:
    """:func:`parse_figures`, read once per text: sentence scoring asks it of the same report
    sentences question after question."""
    return _read_figures(quote) if _MAY_HOLD_FIGURE.search(quote) else ()


def _read_figures(quote: str) -> tuple[Figure, ...]:
    found: list[tuple[int, int, Figure | None]] = []
    # Each pattern below is slow on its own (word numbers tried at every position, ignoring
    # case); the words it cannot match without are looked for first, in one lower-cased copy.
    low = quote.lower()
    # A numbered paragraph's number ("2.6 Carers' assessments were ...") counts nothing.
    numbered = _PARAGRAPH_NUMBER.match(quote)
    if numbered:
        found.append((numbered.start(1), numbered.end(1), None))
    for m in _AGE.finditer(quote) if "age" in low or "turn" in low or "year-old" in low else ():
        found.append((m.start(), m.end(), None))

    def holds(*parts: str) -> bool:
        return any(p in low for p in parts)

    def add(start: int, end: int, figure: Figure) -> None:
        if all(end <= s or start >= e for s, e, _ in found):
            found.append((start, end, figure))

    for m in _MONEY.finditer(quote) if "£" in quote else ():
        value = _number(m.group("n")) * _SCALE.get((m.group("scale") or "").lower(), 1.0)
        add(m.start(), m.end(), Figure(value, "£", m.group(0)))
    for m in _PERCENT.finditer(quote) if holds("%", "per") else ():
        add(m.start(), m.end(), Figure(_number(m.group("n")), "%", m.group(0)))
    for m in _RATIO.finditer(quote) if _IN.search(quote) else ():
        whole = _number(m.group("m"))
        # A share is a part of its whole: "two carers in one household" is no ratio.
        if whole and _number(m.group("n")) <= whole:
            add(m.start(), m.end(), Figure(round(100 * _number(m.group("n")) / whole, 1), "%", m.group(0)))
    for m in _FRACTION.finditer(quote) if holds("half", "third", "quarter") else ():
        add(m.start(), m.end() - len(m.group("of")), Figure(_FRACTIONS[m.group("f").lower()], "%",
                                                             m.group(0)[:len(m.group(0)) - len(m.group("of"))]))
    for m in _RESIDENTS.finditer(quote) if holds("resident", "people live", "inhabitant", "population") else ():
        raw = m.group("n") or m.group("n2")
        add(m.start(), m.end(), Figure(_number(raw), "residents", m.group(0)))
    for m in _DURATION.finditer(quote) if holds("day", "week", "month", "year", "hour", "minute") else ():
        unit = m.group("unit").lower().replace("working ", "")
        add(m.start(), m.end(), Figure(_number(m.group("n")), _DURATION_UNITS[unit], m.group(0)))
    for m in _DATE.finditer(quote) if _YEAR.search(quote) else ():
        if m.group("month"):
            value = int(m.group("year")) + (MONTHS.index(m.group("month").lower())) / 12
            span = m.span()
        elif m.group("fy"):
            value, span = float(m.group("fy")), m.span()
        else:
            value, span = float(m.group("bare")), m.span("bare")
        add(span[0], span[1], Figure(round(value, 3), "date", quote[span[0]:span[1]]))
    for m in _COUNT.finditer(quote):
        raw = m.group("n")
        if _is_year(raw) or quote[max(0, m.start() - 1):m.start()] in ("£", ".", "/"):
            continue
        unit = m.group("unit").lower().split()[-1].rstrip("'\u2019")
        # "47 Stockton-on-Tees residents placed out of area" is a count, not the population.
        unit = "people" if unit == "residents" else unit
        add(m.start(), m.end(), Figure(_number(raw), unit, m.group(0)))
    # Any other number is a count of something unnamed ("212 adult social care complaints").
    for m in re.finditer(rf"(?<![\w.£/-])(?P<n>{_NUM})(?![\w%/])", quote):
        if not _is_year(m.group("n")):
            add(m.start(), m.end(), Figure(_number(m.group("n")), "", m.group(0)))
    found.sort(key=lambda f: f[0])
    return tuple(f for _, _, f in found if f is not None)


#: Days in each unit a time limit is given in (a working week is five days of seven).
_DAYS_IN = {"day": 1.0, "working day": 1.4, "week": 7.0, "month": 30.44, "year": 365.25}
#: A time limit: "within 28 days", "more than six months", "over half a year", "longer than a year".
_LIMIT = re.compile(
    rf"\b(?:within|more than|over|longer than|less than|under|at least|beyond|up to|inside|in excess of)\s+"
    rf"(?:(?P<half>half an?|half of an?)\s+|(?P<n>{_NUM}|(?:{_WORDNUM})\b|an?\b)[\s-]*)"
    r"(?P<unit>working days?|days?|weeks?|months?|years?)\b", re.I)


def time_limits(text: str) -> frozenset[int]:
    """The time limits ``text`` sets ("within four weeks", "waited more than half a year"), in
    whole days, so a limit asked in one unit meets the same limit given in another (four weeks
    is 28 days, half a year six months)."""
    out = set()
    for m in _LIMIT.finditer(text):
        unit = m.group("unit").lower().rstrip("s")
        if m.group("half"):
            n = 0.5
        elif (m.group("n") or "").lower() in ("a", "an"):
            n = 1.0
        else:
            n = _number(m.group("n"))
        out.add(round(n * _DAYS_IN[unit]))
    return frozenset(out)


def same_limit(a: int, b: int) -> bool:
    """Are two time limits in days the same (a month is 28 to 31 days, a year 52 weeks)?"""
    return abs(a - b) <= max(3, 0.1 * max(a, b))


#: "No eligibility appeals were made", "none", "all carers": a count without a digit.
_NONE = re.compile(r"\b(none|nobody|no one|no [\w-]+ (?:[\w-]+ )?(?:was|were|had|has)|no waiting list|all)\b", re.I)


def figure_kind(figure: Figure) -> str:
    """The answer kind (see :data:`cqc_kb.query.KINDS`) a figure answers."""
    if figure.unit in ("days", "weeks", "months", "hours", "minutes", "years"):
        return "days"
    if figure.unit == "%":
        return "percent"
    if figure.unit == "£":
        return "money"
    if figure.unit == "date":
        return "date"
    if figure.unit == "residents":
        return "residents"
    return "count"


#: A time of day ("8am", "9.30pm", "17:00") or a day of the week ("weekdays", "Monday").
_TIME_OF_DAY = re.compile(r"\b\d{1,2}(?:[.:]\d\d)?\s?(?:am|pm)\b|\b(?:[01]?\d|2[0-3]):[0-5]\d\b|"
                          r"\b(?:week ?days?|weekends?|(?:mon|tues|wednes|thurs|fri|satur|sun)days?)\b", re.I)


@seedable_cache(maxsize=65536)
def figure_kinds(quote: str) -> tuple[str, ...]:
    """The kinds (:func:`figure_kind`) of the figures in ``quote``, each once, sorted."""
    return tuple(sorted({figure_kind(f) for f in parse_figures(quote)}))


def has_kind(quote: str, kind: str) -> bool:
    """Does ``quote`` carry a figure of ``kind``? (Names and unknown kinds always pass.)"""
    if kind not in ("days", "percent", "money", "count", "residents", "date"):
        return True
    kinds = set(figure_kinds(quote))
    if kind == "residents":
        return "residents" in kinds or "count" in kinds and bool(re.search(r"\b(live|living|population)\b", quote, re.I))
    if kind == "count":
        return bool(kinds & {"count", "residents"}) or bool(_NONE.search(quote))
    if kind == "date":
        # "When is the hub open?" is answered by times of day and days of the week.
        return "date" in kinds or bool(re.search(r"\b(19|20)\d\d\b", quote)) or bool(_TIME_OF_DAY.search(quote))
    return kind in kinds


def figure_for(question: Question | str, quote: str, header: str | None = None) -> Figure | None:
    """The figure in ``quote`` that answers ``question``: of the kind it asks for and, when it
    names a measure ("median", "longest"), the one that measure word introduces, or, in a table
    row quoted under its ``header`` row, the one in the column that measure names. None when the
    question asks for no figure or the quote gives none of that kind."""
    kind = question.kind if isinstance(question, Question) else answer_kind(question)
    measures = question.measures if isinstance(question, Question) else measures_in(question)
    if kind is None or kind == "name":
        return None
    figures = [f for f in parse_figures(quote) if figure_kind(f) == kind
               or kind == "count" and figure_kind(f) == "residents"
               or kind == "residents" and figure_kind(f) == "count" and f.unit]
    # A number that says what it counts ("412 people") before a bare one.
    figures = [f for f in figures if f.unit] or figures
    if not figures:
        return None
    column = _column_figure(figures, measures, quote, header) if header else None
    if column is not None:
        return column
    low = quote.lower()
    # "over the previous 12 months", "within 28 days": the period measured over, not the answer.
    answers = [f for f in figures if not re.search(rf"\b(same|previous|last|past|next|first|within|every)\s+"
                                                   rf"{re.escape(f.text.lower())}", low)]
    figures = answers or figures
    for measure in measures:
        if measure in ("share", "waiting", "total"):
            continue
        for name in MEASURES[measure]:
            at = low.find(name)
            if at >= 0:
                after = [f for f in figures if low.find(f.text.lower(), at) >= 0]
                if after:
                    return min(after, key=lambda f: low.find(f.text.lower(), at))
    if len(figures) > 1 and isinstance(question, Question):
        # Several figures of the asked kind ("1819 people had received an assessment ... 52
        # people were waiting"): the one whose clause shares most of the question's words.
        best = max(figures, key=lambda f: _clause_overlap(quote, f.text, question.terms))
        if _clause_overlap(quote, best.text, question.terms) > _clause_overlap(quote, figures[0].text,
                                                                                question.terms):
            return best
    return figures[0]


def _column_figure(figures: list[Figure], measures: tuple[str, ...], row: str, header: str) -> Figure | None:
    """Of a table row's ``figures``, the one in the column whose header names an asked measure
    ("19 weeks | 81 weeks" under "Median wait | Longest wait": "longest" picks 81 weeks)."""
    cells, labels = table_cells(row), table_cells(header)
    if len(cells) < 2 or len(cells) != len(labels):
        return None
    for measure in measures:
        for cell, label in zip(cells, labels):
            if any(f" {name} " in f" {' '.join(words(label))} " for name in MEASURES.get(measure, ())):
                found = [f for f in figures if f.text in cell]
                if found:
                    return found[0]
    return None


#: Where one clause of a report sentence ends and the next begins.
_CLAUSE_BREAK = re.compile(r"[;:,]\s|\s(?:and|but|while|whereas|although)\s", re.I)


def _clause_overlap(quote: str, figure_text: str, terms: tuple[str, ...]) -> int:
    """How many of the question's ``terms`` occur in the clause that holds ``figure_text``."""
    at = quote.find(figure_text)
    if at < 0:
        return 0
    starts = [0] + [m.end() for m in _CLAUSE_BREAK.finditer(quote) if m.end() <= at]
    ends = [m.start() for m in _CLAUSE_BREAK.finditer(quote) if m.start() >= at + len(figure_text)]
    clause = quote[max(starts):min(ends, default=len(quote))]
    found = set(content_terms(clause))
    return sum(1 for t in set(terms) if t in found)
