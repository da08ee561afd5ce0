"""Extractive, verifiable answers.

The answer is made of whole sentences copied from the top passages, each followed by an
``[n]`` marker; citation ``n`` holds the sentence verbatim with the offsets that find it in the
stored document text, and the answer text names the council each sentence comes from.

Sentences are scored by meaning (cosine to the question), by words the question shares with
them (idf-weighted, with the reports' common paraphrases), and by fitting what the parsed
question asks for (:mod:`cqc_kb.query`): its kind of figure (days, %, £, a count, residents, a
date), its measure (median, maximum...) and its subject (a Care Act assessment is not an
occupational therapy assessment). The answer abstains when the best sentence is weak evidence,
when the question's key subject finds no support in the sentence or its passage (a look-alike:
"electric vehicle charging" is not "charging for care"), when it names in capitals a thing
the report never mentions ("Better Care Fund"), when the sentence is about another year, or
when it asks for a kind of figure the sentence does not carry.

A question over a library of several councils, naming none, is answered council by council:
one search over all reports, its passages grouped by report, each report's best sentences
chosen inside its own passages; reports whose evidence is weak are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Container, Sequence

import numpy as np

from .errors import KbError
from .figures import MONTHS, figure_kind, has_kind, parse_figures, same_limit, time_limits
from .query import (GENERIC, NAME_JOINERS, PARAPHRASES, Question, counted_nouns, measures_in, parse_question,
                    NAMED_STAGES, STAGE_NOUNS, stages_in, subjects_in)
from .records import Answer, AnswerGroup, Citation, Hit, council_label
from .retrieve import Filters, Retriever
from .sentence_facts import ROW_FIGURES, is_data_row, is_fragment, prime
from .text import LABELLED_FIGURE, STOPWORDS, content_terms, is_table_row, normalise, stem, table_cells, words

NO_ANSWER = "No clear answer in these reports: the closest passages are listed below for reading."

_PARAPHRASE_STEMS = {stem(k): tuple(stem(v) for v in vs) for k, vs in PARAPHRASES.items()}

#: The kinds a figure question can ask for, checked against the chosen sentences.
_FIGURE_KINDS = ("days", "percent", "money", "count", "residents", "date")

#: Measures that summarise a duration: what "how long do people wait?" asks for.
_SUMMARY_MEASURES = frozenset({"median", "maximum", "average", "minimum"})

#: Share of the question's key-word weight (idf) the answering passage may lack before the
#: answer is taken to be about something else (tuned on the development gold set).
KEY_LOST = 0.5

#: How close to the top sentence one that carries the asked kind of figure must score to
#: be chosen instead (tuned on the development gold set).
RUNNER_UP = 0.75

#: How many of the top passages the answer's sentences are chosen from: all five shown (four
#: left out the fifth passage's sentences although the reader sees the passage; measured in
#: docs/evaluation.md, round 4).
ANSWER_PASSAGES = 5

#: Evidence strength cue shown with every answer: how far the confidence is above abstention.
_STRONG_MARGIN = 0.25
_MODERATE_MARGIN = 0.10

#: Library-wide answers: passages looked at across all reports, reports answered, passages per
#: report, and how close to the second-best report's evidence another report's must come to be shown.
GROUP_POOL = 60
GROUP_MAX = 12
GROUP_HITS = 3
GROUP_RELATIVE = 0.6
#: A report whose best sentence failed only the key-word check ("not about ...") is still shown
#: when its evidence comes this close to the best report answered (tuned on dev and held-out).
GROUP_PEER = 0.9
#: How many groups the concatenated ``answer`` text carries (all are in ``groups``).
GROUP_SHOWN = 5


def group_bar(confidences: Sequence[float]) -> float:
    """How strong a report's evidence must be to be shown in a library-wide answer: a share of
    the second-strongest report's. One report that happens to use the question's own words
    ("assessed within 28 days of asking for help") scores far above the rest, and a bar set by
    it would leave out reports whose evidence passed every check."""
    ordered = sorted(confidences, reverse=True)
    return GROUP_RELATIVE * (ordered[1] if len(ordered) > 1 else ordered[0])


@dataclass(frozen=True)
class _Candidate:
    hit: Hit
    start: int
    end: int
    score: float
    text: str  # normalised, to spot the same sentence twice
    sentence: str
    #: Services the sentence is about (named in it, or in the sentence before in its passage).
    subjects: tuple[str, ...] = ()
    #: For a table row, the spans of the lines that say what its cells mean: the line that
    #: introduces the table ("The figures at the end of Q3 2024/25 were:"), if any, and its
    #: header row ("Waiting list | Median wait | Longest wait").
    context: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class _Choice:
    """The sentences chosen from one pool of passages, or why none was."""

    chosen: tuple[_Candidate, ...]
    confidence: float
    reason: str | None  # None = answered; else why it abstains


#: How many lines above a table row its header row may be.
_TABLE_LINES = 40


def _table_top(text: str, start: int) -> tuple[int, int] | None:
    """The first row (a line of cells) of the unbroken run of table rows that ends with the row
    at ``start`` (that row itself when none is above it); None when the line at ``start`` is not
    a table row."""
    end = text.find("\n", start)
    if not is_table_row(text[start:end if end >= 0 else len(text)]):
        return None
    first = (start, end if end >= 0 else len(text))
    cursor = start
    for _ in range(_TABLE_LINES):
        last = cursor - 1  # the end of the line above, past blank lines between rows
        while last >= 0 and text[last].isspace():
            last -= 1
        if last < 0:
            break
        line_start = text.rfind("\n", 0, last + 1) + 1
        if not is_table_row(text[line_start:last + 1]):
            break
        first = (line_start, last + 1)
        cursor = line_start
    return first


def _table_header(text: str, start: int) -> tuple[int, int] | None:
    """The header row of the table whose row starts at ``start``: the first row of its run of
    rows, when that is another row and gives no figure of its own ("Waiting list | People
    waiting | Median wait | Longest wait"). None when the line at ``start`` is not a table row
    or its table has no such header."""
    return _header_of(text, _table_top(text, start), start)


def _header_of(text: str, top: tuple[int, int] | None, start: int) -> tuple[int, int] | None:
    """``top`` (the first row of the run above the row at ``start``) when it is a header row."""
    if top is None or top[0] == start:
        return None
    if any(figure_kind(f) in ROW_FIGURES for f in parse_figures(text[top[0]:top[1]])):
        return None
    return top


#: A line that introduces what follows it ("... were as follows.", "The figures were:").
_INTRODUCES = re.compile(r"(:|\bfollows?\b.*|\bbelow\b.*)\s*$", re.I)


def _table_context(text: str, start: int) -> tuple[tuple[int, int], ...]:
    """The lines that say what the cells of the table row at ``start`` mean: the line that
    introduces the table, when it does (ends with a colon or "as follows", or is a caption or a
    heading: short and not a sentence), and the header row, when the table has one. Empty for
    a line that is not a table row."""
    top = _table_top(text, start)
    if top is None:
        return ()
    header = _header_of(text, top, start)
    last = top[0] - 1
    while last >= 0 and text[last].isspace():
        last -= 1
    lead = None
    if last >= 0:
        line_start = text.rfind("\n", 0, last + 1) + 1
        line = text[line_start:last + 1]
        caption = len(line) <= 120 and line[-1:] not in ".!?" and not is_table_row(line)
        if _INTRODUCES.search(line) or caption:
            lead = (line_start, last + 1)
    return tuple(span for span in (lead, header) if span)


def strength(confidence: float, threshold: float, abstained: bool) -> str:
    """The plain confidence cue: "strong", "moderate" or "weak"."""
    if abstained or confidence < threshold + _MODERATE_MARGIN:
        return "weak"
    return "strong" if confidence >= threshold + _STRONG_MARGIN else "moderate"


def _only_by_prefix(term: str, terms: frozenset[str]) -> bool:
    """Is ``term`` in ``terms`` only as another word sharing its first six letters (not
    itself, a plural, or a paraphrase)?"""
    return term not in terms and not (term.endswith("s") and term[:-1] in terms) \
        and not any(p in terms for p in _PARAPHRASE_STEMS.get(term, ()))


def _matches(term: str, terms: set[str]) -> bool:
    """Is ``term`` (a stem) in ``terms``, directly, as a paraphrase, or by a shared 6-letter stem?"""
    if term in terms:
        return True
    if any(p in terms for p in _PARAPHRASE_STEMS.get(term, ())):
        return True
    return len(term) >= 6 and any(len(t) >= 6 and t[:6] == term[:6] for t in terms)


#: Column headers that say only that a cell holds a number.
_BARE_LABEL = re.compile(r"(latest |the )?(figure|figures|value|values|number|numbers|total|count|amount|result|data)",
                         re.I)


#: Column headers that name a period: the row's first cell says what its numbers are.
_PERIOD_LABEL = re.compile(r"(?=\S)((financial )?year\s+)?(Q[1-4]\s*|quarter [1-4]\s*)?((19|20)\d\d([/-]\d\d)?)?|"
                           rf"((end of |at )?({'|'.join(MONTHS)}) (19|20)\d\d)", re.I)


@lru_cache(maxsize=4096)
def _support(text: str, section: str) -> frozenset[str]:
    """The stemmed words of a passage and its heading path."""
    return frozenset(content_terms(text)) | frozenset(content_terms(section))


# Every candidate sentence of a passage asks this of the same passage.
@lru_cache(maxsize=4096)
def _missing_terms(key_terms: tuple[str, ...], text: str, section: str) -> tuple[str, ...]:
    """The key words (stems) that nothing in a passage or its headings shares a stem with:
    abstaining must be sure the subject is absent, not merely worded otherwise. A plural the
    stemmer keeps ("pas" for "PAs") is present where its singular is."""
    support = _support(text, section)
    return tuple(t for t in key_terms if not _matches(t, support)
                 and not any(_same_stem(w, t) for w in support)
                 and not (t.endswith("s") and t[:-1] in support))


_HUMAN = frozenset(stem(w) for w in (
    "people", "person", "residents", "carers", "adults", "users", "clients", "individuals", "patients",
    "children", "families", "households", "staff", "workers", "volunteers", "customers", "members", "tenants",
    "participants", "employees"))
#: People named by their role: a count of people answers "how many helpers" where the sentence
#: names the role, but a count of helpers is no count of "people waiting".
_ROLES = frozenset(stem(w) for w in (
    "helpers", "agents", "assistants", "advisers", "advisors", "navigators", "officers", "champions",
    "coordinators", "practitioners", "therapists", "nurses", "mentors", "connectors", "brokers",
    "responders", "befrienders", "ambassadors"))


def _counts_other(clause: str, figure: str, wanted: set[str], verbs: tuple[str, ...]) -> bool:
    """Does the count ``figure`` in ``clause`` count something other than ``wanted``? Its
    next word names what it counts when that is people or a plural noun ("1,214 people were
    waiting for an assessment" counts people, not assessments; "21,000 visits" counts
    visits, not hubs), unless that word is the question's verb made a noun ("14 referrals"
    for young carers who were referred)."""
    # A figure may carry its noun ("1,214 people"); otherwise the word after it.
    after = words(figure)[1:][-1:] or words(clause[clause.find(figure) + len(figure):])[:1]
    if not after:
        return False
    counted = stem(after[0].strip("'"))
    if _matches(counted, wanted) or any(_same_stem(counted, v) for v in verbs) or (
            counted in _HUMAN and wanted & (_HUMAN | _ROLES)):
        return False
    return counted in _HUMAN or after[0].endswith("s") and after[0] not in STOPWORDS and counted not in _UNIT_WORDS


def _counts(sentence: str, nouns: tuple[str, ...], verbs: tuple[str, ...] = (), homes: bool = True) -> bool:
    """Does ``sentence`` give a number of one of ``nouns``? Either a number is followed,
    within a few words, by the noun (people stand for any kind of person), or a count shares a
    clause with a noun more specific than "people", or a word sharing its stem, and counts
    nothing else (see :func:`_counts_other`; ``verbs`` are the question's verb stems: "14
    referrals were made for young carers" counts young carers who were referred). With ``homes``
    a count of homes is answered by households, installations or users (:data:`_DWELLINGS`);
    the caller turns it off when the homes asked about are care homes."""
    if not nouns:
        return True
    # A hyphenated noun is one word ("call-outs" counts call-outs); a number joined to its noun
    # counts it ("a 60-apartment scheme").
    sentence = re.sub(r"(?<=\d)-(?=[A-Za-z])", " ", re.sub(r"(?<=[A-Za-z])-(?=[A-Za-z])", "", sentence))
    nouns = tuple(n.replace("-", "") for n in nouns)
    tokens = words(sentence)
    stems = [stem(t.strip("'")) for t in tokens]
    wanted = set(nouns)
    # Any count of people answers "how many people"; "how many social workers" or "carers"
    # wants that role counted, not people in general.
    if wanted & _ANYONE:
        wanted |= _HUMAN
    if homes and set(nouns) & _DWELLINGS:
        wanted |= _DWELLINGS | _ANYONE
    for i, tok in enumerate(tokens):
        if not re.fullmatch(r"\d[\d,]*(\.\d+)?", tok) and tok not in _SMALL_NUMBERS:
            continue
        if re.fullmatch(r"(19|20)\d\d", tok):
            continue
        # Under a column named by what people did ("Team | Waiting": "388 Waiting"), a bare
        # number counts the people who did what the question asks ("how many people were
        # waiting"); "12 waiting lists" counts lists.
        if wanted & _ANYONE and i + 1 < len(stems) and any(_same_stem(stems[i + 1], v) for v in verbs) and (
                i + 2 == len(tokens) or not re.fullmatch(r"[a-z]+s", tokens[i + 2])):
            return True
        for s in stems[i + 1:i + 5]:
            if s in _UNIT_WORDS:
                break
            # The stemmer leaves some plurals ("beds"): "a 24-bed unit" counts beds.
            if _matches(s, wanted) or any(_matches(w, {s}) or w == f"{s}s" for w in wanted):
                return True

    specific = set(nouns) - _ANYONE
    for clause in _CLAUSE_BREAK.split(sentence):
        counts = [f for f in parse_figures(clause) if figure_kind(f) in ("count", "residents")
                  and not _counts_other(clause, f.text, wanted, verbs)]
        if specific and counts and any(_same_stem(stem(t.strip("'")), n) for t in words(clause) for n in specific):
            return True
    if _NONE.search(sentence) and any(_matches(s, wanted) for s in stems):
        return True
    # "All" counts what follows it ("all 17 tenants", "all of the carers assessed"), not a
    # noun elsewhere in the sentence ("children's services ... across all teams").
    return any(_matches(stem(w.strip("'")), wanted) for m in _ALL.finditer(sentence) for w in words(m.group(1)))


def _counted_stages(text: str) -> frozenset[str]:
    """The stages of a case (:data:`~cqc_kb.query.STAGES`) that the counts in ``text`` are
    given for: those named in each count's clause ("there were 412 concerns awaiting screening,
    the oldest of which had been received in November" counts concerns waiting), or in the
    whole text when no count's clause names one (a table row under its header)."""
    found = frozenset().union(*(stages_in(clause) for clause in re.split(r"[;:]\s|,\s", text)
                                if any(figure_kind(f) == "count" for f in parse_figures(clause))))
    return (found or stages_in(text)) | {name for name, noun in STAGE_NOUNS.items() if noun.search(text)}


def asked_terms(parsed: Question) -> tuple[str, ...]:
    """The question's content words, verbs included, less its framing words: what a survey's
    share must report people said or could do ("spend time doing things they enjoy")."""
    return tuple(t for t in parsed.terms if t not in GENERIC)


def _share_of(sentence: str, nouns: tuple[str, ...], key_terms: tuple[str, ...]) -> bool:
    """Does ``sentence`` give the share of ``nouns`` who said or could do what was asked ("only
    15.15% of carers ... said they were able to spend time doing things they enjoy")? A survey
    answers "how many carers could ...?" that way; the rest of the share's clause must report
    what people said or could do and name one of the question's other key words."""
    wanted = set(nouns) | (_HUMAN if set(nouns) & _ANYONE else set())
    others = [t for t in key_terms if t not in wanted and not any(_same_stem(t, n) for n in nouns)]
    if not others:
        return False
    for figure in parse_figures(sentence):
        if figure.unit != "%":
            continue
        after = _CLAUSE_BREAK.split(sentence[sentence.find(figure.text) + len(figure.text):])[0]
        following = words(after)
        if following[:1] != ["of"] or not any(_matches(stem(w.strip("'")), wanted)
                                              for w in following[1:4] if w not in STOPWORDS):
            continue
        if _REPORTED.search(after) and any(_matches(t, set(content_terms(after))) for t in others):
            return True
    return False


#: What survey figures report: what people said, felt or were able to do.
_REPORTED = re.compile(r"\b(said|say|says|felt|feel|reported|agreed|told|found|were able|was able|could|"
                       r"would)\b", re.I)


def _describes(sentence: str, figure: str, terms: tuple[str, ...]) -> bool:
    """Is ``figure`` in ``sentence`` a share "of" something the question names ("21.43% of the
    total budget", "91% of people who received short term support"), framing words such as
    "people" or "total" left out?"""
    wanted = {t for t in terms if t not in GENERIC}
    following = words(sentence[sentence.find(figure) + len(figure):])
    if not wanted or following[:1] != ["of"]:
        return False
    return any(_matches(t, wanted) for t in content_terms(" ".join(following[1:6])))


def _spelt_out(question: str, passage: str) -> set[str]:
    """Stems of the question's abbreviations ("DoLS", "BCF": two or more capitals, at most six
    letters) whose letters the passage's words begin with, in a row. A question typed all in
    lower case ("stannerdale dols waiting list") may write one in lower case: any short word of
    it counts when a run of capitalised words in the passage spells it ("Deprivation of Liberty
    Safeguards")."""
    abbreviations = {w for w in re.findall(r"\b[A-Za-z]{2,6}\b", question) if sum(c.isupper() for c in w) >= 2}
    typed_low = {w for w in re.findall(r"\b[a-z]{3,6}\b", question) if w not in STOPWORDS} if question.islower() else set()
    if not abbreviations and not typed_low:
        return set()
    tokens = words(passage)
    every = "".join(t[0] for t in tokens)
    content = "".join(t[0] for t in tokens if t not in NAME_JOINERS)
    out = set()
    for abbreviation in abbreviations:
        letters = abbreviation.lower()
        letters = letters[:-1] if letters.endswith("s") and abbreviation[-1] == "s" else letters
        if len(letters) >= 3 and (letters in every or letters in content):
            out.add(stem(abbreviation.lower()))
    if typed_low:
        names = re.findall(r"[A-Z][\w'-]*(?:\s+(?:(?:" + "|".join(sorted(NAME_JOINERS - {"&"})) + r")\s+)?[A-Z][\w'-]*)+",
                           passage)
        spelt = [("".join(w[0] for w in name.split()).lower(),
                  "".join(w[0] for w in name.split() if w not in NAME_JOINERS).lower()) for name in names]
        out |= {stem(w) for w in typed_low if any(w in a or w in b for a, b in spelt)}
    return out


_FINANCIAL_YEAR = re.compile(r"\b((?:19|20)\d\d)[/-](\d\d)\b")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _other_period(question: str, quotes: str) -> str | None:
    """Why ``quotes`` are about another year than the one asked ("for 2024/25, not 2023/24"),
    or None. Financial years are compared with financial years, years with any year named."""
    asked_fy = {f"{a}/{b}" for a, b in _FINANCIAL_YEAR.findall(question)}
    given_fy = {f"{a}/{b}" for a, b in _FINANCIAL_YEAR.findall(quotes)}
    if asked_fy and not given_fy:
        # A month names its financial year ("December 2024" is in 2024/25, which starts in April).
        given_fy = {_financial_year(m) for m in _MONTH_YEAR.findall(quotes)}
    if asked_fy and given_fy and not asked_fy & given_fy:
        return f"for {', '.join(sorted(given_fy))}, not {', '.join(sorted(asked_fy))}"
    asked = set(_YEAR.findall(_FINANCIAL_YEAR.sub(" ", question)))
    given = set(_YEAR.findall(quotes)) | {f"{a[:2]}{b}" for a, b in _FINANCIAL_YEAR.findall(quotes)}
    if asked and given and not asked & given:
        return f"for {', '.join(sorted(given))}, not {', '.join(sorted(asked))}"
    # Within a year: the quarter ("at the end of Q3", not Q4) and the month ("30 September
    # 2024", not December 2024), each compared only when both name one.
    for pattern in (_QUARTER, _MONTH_YEAR):
        asked = {" ".join(m.split()).title() for m in pattern.findall(question)}
        given = {" ".join(m.split()).title() for m in pattern.findall(quotes)}
        if asked and given and not asked & given:
            return f"for {', '.join(sorted(given))}, not {', '.join(sorted(asked))}"
    # A month falls in one quarter of its financial year: "June 2024" is Q1 2024/25, not a
    # table's "Q2 2024/25" column, and "March 2025" does not answer "Q2 2024/25".
    asked_q, given_q = _quarters(question), _quarters(quotes)
    if asked_q and given_q and not asked_q & given_q:
        return f"for {', '.join(sorted(given_q))}, not {', '.join(sorted(asked_q))}"
    return None


def _financial_year(month_year: str) -> str:
    """The financial year (April to March) of "December 2024": "2024/25"."""
    month, year = month_year.split()
    start = int(year) - (1 if MONTHS.index(month.lower()) < 3 else 0)
    return f"{start}/{(start + 1) % 100:02d}"


def _quarters(text: str) -> set[str]:
    """The quarters of financial years ``text`` names ("Q2 2024/25"), with those of the months
    it names ("June 2024" is "Q1 2024/25"; quarters start in April, July, October, January)."""
    named = {f"Q{q} {a}/{b}" for q, a, b in _QUARTER_YEAR.findall(text)}
    for month_year in _MONTH_YEAR.findall(text):
        month = MONTHS.index(month_year.split()[0].lower())
        named.add(f"Q{(month - 3) % 12 // 3 + 1} {_financial_year(month_year)}")
    return named


_QUARTER = re.compile(r"\b(Q[1-4])\b", re.I)
_QUARTER_YEAR = re.compile(r"\bQ([1-4])\s+((?:19|20)\d\d)[/-](\d\d)\b", re.I)
_MONTH_YEAR = re.compile(r"\b((?:January|February|March|April|May|June|July|August|September|October|November|"
                         r"December)\s+\d{4})\b", re.I)


def _as_written(term: str, question: str) -> str:
    """The question's own word for a stem ("heatwaves" for "heatwav"), to show the reader."""
    return next((w for w in words(question) if stem(w) == term), term)


def _same_stem(word: str, noun: str) -> bool:
    """``word`` names ``noun``: the same stem, a paraphrase, or one stem starting the other
    ("referr" / "refer")."""
    if _matches(word, {noun}):
        return True
    short, long_ = sorted((word, noun), key=len)
    # "sick" / "sickness", "ill" / "illness": a noun made from the word.
    return len(short) >= 5 and long_.startswith(short) or long_ == short + "ness"


#: Where one clause of a sentence ends and the next begins.
_CLAUSE_BREAK = re.compile(r"[;:]\s|,\s(?:and|but|while|whereas|although)\s|,\s(?=(?:of|with) )", re.I)


_UNIT_WORDS = frozenset(stem(w) for w in ("days", "weeks", "months", "years", "hours", "per", "cent", "percent"))
_SMALL_NUMBERS = frozenset("one two three four five six seven eight nine ten eleven twelve".split())
#: Words for anyone at all: a count near them says what it counts, elsewhere in the clause not.
_ANYONE = frozenset(stem(w) for w in ("people", "person", "individuals", "adults", "residents", "users", "patients",
                                       "clients", "customers"))
#: Care homes are services, not the homes a service to the home counts (see :data:`_DWELLINGS`).
_CARE_HOMES = re.compile(r"\b(care|nursing|residential)[ -]homes?\b", re.I)
#: Homes, as a service to the home counts them ("how many homes have a telecare alarm": "9,450
#: households", "5,000 installations", "7,900 connections", or the service's users).
_DWELLINGS = frozenset(stem(w) for w in ("homes", "households", "houses", "properties", "installations",
                                         "connections"))
_NONE = re.compile(r"\b(none|nobody|no one|no [\w-]+ (?:[\w-]+ )?(?:was|were|had|has)|no waiting list)\b", re.I)
#: "All" and the few words after it that say all of what.
_ALL = re.compile(r"\ball\s+((?:of\s+)?(?:the\s+|its\s+|their\s+|these\s+)?(?:[\w'-]+\s+){0,2}[\w'-]+)", re.I)
_NO_WAITING = re.compile(r"\b(no(body| one)? (was|were) waiting|no waiting lists?|(was|were) no (one|people) waiting)\b", re.I)


#: Questions asking for a rating, and the words a sentence that gives one uses.
_RATING_ASKED = re.compile(r"\b(what|which) (\w+ )?ratings?\b|\bhow (was|were|is|are) [\w\s'\u2019-]+ rated\b", re.I)
_RATING_GIVEN = re.compile(r"\b(rat(ed|ing|ings)|outstanding|good|requires improvement|inadequate)\b", re.I)

#: Measures that name a different figure of the same thing: asked for one, a sentence naming
#: only another gives the wrong figure.
_RIVALS: dict[str, frozenset[str]] = {
    **{m: _SUMMARY_MEASURES - {m} for m in _SUMMARY_MEASURES},
    "actual": frozenset({"estimated"}),
    "estimated": frozenset({"actual"}),
}

#: Verbs of opposite events, as word patterns: asked how many were discharged, a sentence
#: saying how many were admitted (and not discharged) counts the opposite event.
_OPPOSITES: tuple[tuple[str, str], ...] = (
    (r"admi(t|ts|tted|tting|ssions?)", r"discharg(e|es|ed|ing)"),
    (r"open(s|ed|ing)?", r"clos(e|es|ed|ing|ures?)"),
    (r"(join|recruit)(s|ed|ing)?|hire[sd]?|hiring", r"(leave|leaves|left|leaving)"),
    (r"(approv|accept)(e|es|ed|al|als|s|ing)?", r"(refus|reject|declin)(e|es|ed|al|als|s|ing)?"),
    (r"(start|began|begin|begun)(s|ed|ing)?", r"(stopp?|end|finish)(s|ed|ing|es)?"),
    (r"(increas(e|es|ed|ing)|rise|rises|rose|risen|rising)", r"(decreas|reduc)(e|es|ed|ing|tion)?|fall|falls|fell|fallen"),
)
_DISCHARGE_TO_ASSESS = re.compile(r"\bdischarge[\s-]+to[\s-]+assess\b", re.I)
_OPPOSITE_PATTERNS = tuple((re.compile(rf"\b(?:{a})\b", re.I), re.compile(rf"\b(?:{b})\b", re.I))
                           for pair in _OPPOSITES for a, b in (pair, pair[::-1]))


#: Groups of people a figure is given for that exclude each other: asked about younger adults,
#: a quote about people aged 65 and over (and not younger adults) answers for someone else.
_EXCLUSIVE_GROUPS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("younger adults", re.compile(r"\b(younger|working[- ]age) (adults|people)\b|\baged 18 ?(to|-|\u2013) ?64\b|"
                                  r"\b18 ?(to|-|\u2013) ?64\b|\bunder[- ]65s?\b|\bof working age\b", re.I)),
    ("older people", re.compile(r"\bolder (adults|people)\b|\b(aged )?65 (and|or) (over|older)\b|\bover[- ]65s?\b|"
                                r"\b65\+|\b65s and over\b", re.I)),
    ("people with a learning disability", re.compile(r"\blearning disabilit(y|ies)\b", re.I)),
    ("carers", re.compile(r"\bcarers?\b(?!\s+(centre|hub|service|team|strategy|network))", re.I)),
)


def _other_group(question: str, quotes: str, share: bool = False, wait: bool = False) -> str | None:
    """The group of people the quotes give their figure for, when the question asks about an
    exclusive other one and the quotes never name it. For a ``share`` or a ``wait`` asked of one
    group ("what share of people aged 18 to 64 ...", "the median wait for younger adults"),
    quotes naming no group give everyone's (a count may name no group when the service is for
    that group: "1,240 people took part in falls prevention classes"; so may a carers' wait,
    which is the wait for the carers' own assessment)."""
    asked = [name for name, pattern in _EXCLUSIVE_GROUPS if pattern.search(question)]
    if len(asked) != 1:
        return None
    given = [name for name, pattern in _EXCLUSIVE_GROUPS if pattern.search(quotes)]
    if given and asked[0] not in given:
        return f"about {given[0]}, not {asked[0]}"
    if (share or wait and asked[0] != "carers") and not given:
        return f"a figure for everyone, not for {asked[0]}"
    return None


#: Parts of an area, written in lower case (a capitalised "North Tees" is a name, not a part).
_DIRECTION = re.compile(r"(?<![\w-])(north|south|east|west)(?:ern)?(?![\w-])")


#: A question about spending against the budget, and the words that answer one.
_BUDGET_ASKED = re.compile(r"\b(over|under|within|stay within|keep within|more than|less than)\b[\w\s'\u2019]{0,25}\b"
                           r"(budget|budgeted|planned|estimated|estimate)\b|\b(over|under)spen(d|t|ding)\b", re.I)
_BUDGET_GIVEN = re.compile(r"\b(more|less|lower|higher) than\b|\b(over|under)spen(d|t|ding)\b|\b(over|under|within) "
                           r"(its |the )?budget\b|\bdeficit\b|\bsurplus\b", re.I)

#: A money figure asked per unit of time ("per hour", "an hour", "hourly", "a week").
_RATE = re.compile(r"\b(per|an|a|each)\s+(?P<unit>hour|week|night)\b|\b(?P<adj>hourly|weekly|nightly)\b", re.I)
#: A named part of an area ("Seaton ward", "the Brayne Hills locality"), capitalised.
_NAMED_PLACE = re.compile(r"(?P<name>(?:(?-i:[A-Z])[\w'-]+\s+){1,3})(?:ward|locality|district|neighbourhood|patch)\b",
                          re.I)


def _named_place(question: str) -> str | None:
    """The named part of the area a question asks about ("Seaton" in "Marrowby's Seaton ward"), if any."""
    found = _NAMED_PLACE.search(question)
    if not found:
        return None
    names = found.group("name").split()
    # "Marrowby's Seaton ward": the place is what follows the possessive.
    while names and re.search(r"['\u2019]s?$", names[0]):
        names.pop(0)
    return " ".join(names) or None


def _other_place(question: str, quotes: str) -> str | None:
    """The part of the area the quotes give their figure for ("in the rural north"), when the
    question asks about another part ("in the south") and the quotes never name it."""
    asked = set(_DIRECTION.findall(question))
    given = set(_DIRECTION.findall(quotes))
    if asked and given and not asked & given:
        return f"about the {', '.join(sorted(given))}, not the {', '.join(sorted(asked))}"
    return None


#: How a sentence says that people wait, other than by the words of the "waiting" stage: those
#: who "had waited more than a year", applications "outstanding", enquiries "not yet allocated".
#: A count asked of people waiting is answered only by a sentence that says one of them (or by a
#: table row or list item, whose header says it): "supported 1,044 people" counts others.
_WAIT_SAID = re.compile(r"\b(wait\w*|await\w*|outstanding|backlog|queue\w*|unallocated|overdue|pending|yet to|"
                        r"not (yet )?(been )?\w+ed)\b", re.I)
#: A question that itself asks about what did not happen ("not completed", "never reviewed"),
#: or has not happened yet ("waiting to be triaged" is answered by "awaiting triage", "overdue a
#: review" by "had not had a review").
_NEGATED_QUESTION = re.compile(r"\b(not|never|no|without|a?waiting|yet|pending|overdue|late|delayed|backlog)\b|"
                               r"n't\b|\bun[a-z]+ed\b|\boutstanding\b", re.I)
#: Words that, just before a verb, say it did not happen ("not yet completed", "had not been
#: screened", "awaiting", "yet to be").
_NEGATION_BEFORE = re.compile(r"\b(not|never|yet to|awaiting|without)\s+(\w+\s+){0,2}$", re.I)


def _only_negated(text: str, verbs: Sequence[str]) -> str | None:
    """The first of ``verbs`` (stems) that ``text`` uses, only ever negated ("342 concerns had
    not been screened"), as written; None when each is used as done somewhere, or not at all."""
    for verb in verbs:
        found = list(re.finditer(rf"\b{re.escape(verb)}\w*", text, re.I))
        if found and all(_NEGATION_BEFORE.search(text[max(0, m.start() - 40):m.start()]) for m in found):
            return found[0].group(0).lower()
    return None


def _opposite_event(verbs: Sequence[str], quotes: str, question: str = "") -> str | None:
    """The opposite of a question's verb (or of its word for an event, which the tagger may
    take for a noun: "did Aldgrove Court discharge") that the quotes report instead of it, if
    any. A question naming both events ("admitted after a discharge") may be answered by either."""
    # A "discharge to assess" unit or bed names a service, not a discharge.
    quotes = _DISCHARGE_TO_ASSESS.sub(" ", quotes)
    for asked, opposite in _OPPOSITE_PATTERNS:
        if opposite.search(question):
            continue
        for verb in verbs:
            if asked.fullmatch(verb) and not asked.search(quotes):
                found = opposite.search(quotes)
                if found:
                    return f"says {found.group(0).lower()}, not {verb}"
    return None


#: Questions asking what a named thing is.
_DEFINITION_ASKED = re.compile(r"\b(what|who) (is|are|was|were)\b", re.I)

#: Questions asking whether or how well something works, with no figure asked for.
_EVALUATIVE = re.compile(r"\s*((is|are|was|were|do|does|did|can|could|has|have|had)\b|how (effective|well|good|"
                         r"successful|easy|satisfied|happy)\b)", re.I)
_PERCENT = re.compile(r"\d\s?%|\d per ?cent\b", re.I)
#: What a measured outcome adds to a sentence answering such a question (tuned on dev).
EVALUATIVE_OUTCOME = 0.15

#: Questions asking what a survey, review or report found (not what the regulator found: its
#: findings are the report itself) ...
_FINDING_ASKED = re.compile(r"\bwhat did (?!(the )?(cqc|care quality commission|inspectors?|assessors?|regulator|"
                            r"assessment|we|you)\b).{0,80}\b(find|show|reveal|conclude|identify|highlight)\b", re.I)
#: ... which a sentence gives by saying what was found, not by naming the report.
_FINDING_GIVEN = re.compile(r"\b(found|find|finds|finding|findings|show(ed|s|n)?|reveal(ed|s)?|conclu(ded|des|sion)|"
                            r"identif(ied|ies)|highlight(ed|s)?|that)\b", re.I)

#: Questions asking for a reason.
_WHY = re.compile(r"\s*(why|for what reason|what (was|were|is|are) the reasons?)\b", re.I)


class Answerer:
    """Answers questions from a :class:`Retriever`'s passages."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever
        self.settings = retriever.settings
        self._template: Container[str] | None = None
        #: Each report's text in lower case, and as word stems, made once (see :meth:`_mentions`).
        self._lowered: dict[str, str] = {}
        self._stemmed: dict[str, str] = {}
        self._mentioned: dict[tuple[str, str], bool] = {}

    def _template_sentences(self) -> Container[str]:
        """Normalised sentences found in more than one council's reports: the report template's
        text. (Two assessments of one council share most sentences; that is not template.)
        Counted at index time; each sentence is looked up once."""
        if self._template is None:
            self._template = self.retriever.store.shared_sentences()
        return self._template

    def _mentions(self, document: str, name: str) -> bool:
        """Does ``document`` mention ``name`` (lower case), in full (word stems) or by its
        initials ("BCF")? Remembered: a comparison asks it of every council's report."""
        if (document, name) in self._mentioned:
            return self._mentioned[document, name]
        self._mentioned[document, name] = found = self._find_mention(document, name)
        return found

    def _find_mention(self, document: str, name: str) -> bool:
        # Most names asked about are in the report as written ("Care Act"): a search of the
        # lower-cased text finds them without stemming the whole report.
        lowered = self._lowered.get(document)
        if lowered is None:
            lowered = self._lowered[document] = self.retriever.store.document_text(document).lower()
        if re.search(r"(?<!\w)" + r"\s+".join(map(re.escape, name.split())) + r"(?!\w)", lowered):
            return True
        text = self._stemmed.get(document)
        if text is None:
            # Stems, so that "Wellbeing Wagons" finds "Wellbeing Wagon".
            text = self._stemmed[document] = " ".join(stem(w) for w in words(lowered))
        phrase = " ".join(stem(w) for w in words(name))
        initials = "".join(w[0] for w in name.split() if w not in NAME_JOINERS)
        return f" {phrase} " in f" {text} " or len(initials) >= 2 and f" {initials} " in f" {text} "

    def parse(self, question: str) -> Question:
        """The parsed question, with the councils of this index recognised."""
        return parse_question(question, self.retriever.authorities())

    def ask(self, question: str, filters: Filters | None = None, mode: str = "hybrid+",
            k: int | None = None, parsed: Question | None = None) -> Answer:
        """Retrieve, select answer sentences, cite them, or abstain."""
        question = question.strip()
        if not question:
            raise KbError("the question is empty; type a question such as "
                          "'How long do people wait for a Care Act assessment?'")
        parsed = parsed or self.parse(question)
        qvec = None if mode == "bm25" else self.retriever.query_vector(question, mode)
        hits = self.retriever.search(question, k=k, filters=filters, mode=mode, qvec=qvec, parsed=parsed)
        return self.answer_from_hits(question, hits, qvec, parsed)

    def ask_library(self, question: str, filters: Filters | None = None, mode: str = "hybrid+",
                    parsed: Question | None = None, reports: int = 0) -> Answer:
        """Answer across all reports, council by council: one search over every report, its
        passages grouped by report, each group answered from its own passages."""
        question = question.strip()
        if not question:
            raise KbError("the question is empty; type a question such as "
                          "'How long do people wait for a Care Act assessment?'")
        parsed = parsed or self.parse(question)
        qvec = None if mode == "bm25" else self.retriever.query_vector(question, mode)
        grouped = self.retriever.search_grouped(question, filters=filters, mode=mode, qvec=qvec,
                                                parsed=parsed, pool=GROUP_POOL, documents=GROUP_MAX,
                                                per_document=GROUP_HITS)
        hits = tuple(sorted((h for g in grouped for h in g), key=lambda h: h.score, reverse=True))
        hits = tuple(replace(h, rank=i) for i, h in enumerate(hits[:self.settings.top_k], start=1))
        choices = [(group, self._choose(parsed, group, qvec)) for group in grouped]
        answered = [(g, c) for g, c in choices if c.reason is None]
        if not answered:
            best = max((c.confidence for _, c in choices), default=0.0)
            return self._abstain(question, hits, best, next((c.reason for _, c in choices), "weak"),
                                 reports)
        answered.sort(key=lambda gc: -gc[1].confidence)
        top = answered[0][1].confidence
        bar = group_bar([c.confidence for _, c in answered])
        answered = [(g, c) for g, c in answered if c.confidence >= bar]
        # Across reports the evidence is compared report with report: one whose passage words
        # the subject differently but scores as well as the best report answered is kept
        # (a mismatch of service, measure or kind of figure still leaves it out).
        answered += [(g, c) for g, c in choices if c.reason is not None and c.reason.startswith("not about")
                     and c.confidence >= GROUP_PEER * top]
        answered.sort(key=lambda gc: -gc[1].confidence)
        if len(answered) == 1:
            group, choice = answered[0]
            return self._answer(question, choice, tuple(group) or hits, reports)
        groups: list[AnswerGroup] = []
        for group, choice in answered:
            citations, text = self._cite(choice.chosen, first=1)
            head = group[0]
            groups.append(AnswerGroup(authority=head.authority, document=head.document,
                                      published=head.published, answer=text, citations=citations,
                                      confidence=choice.confidence))
        # The flat answer carries the strongest few groups, renumbered so markers stay unique.
        parts, citations = [], []
        for group, choice in answered[:GROUP_SHOWN]:
            cited, text = self._cite(choice.chosen, first=len(citations) + 1)
            citations.extend(cited)
            parts.append(text)
        return Answer(question, " ".join(parts), False, tuple(citations), hits, top,
                      extra={"strength": strength(top, self.settings.abstain_threshold, False),
                             "answered_in": len(groups)},
                      groups=tuple(groups), reports_searched=reports)

    def answer_from_hits(self, question: str, hits: list[Hit], qvec: np.ndarray | None,
                         parsed: Question | None = None) -> Answer:
        """Pick the sentences that answer ``question`` from ``hits`` and cite them."""
        parsed = parsed or self.parse(question)
        choice = self._choose(parsed, hits[:ANSWER_PASSAGES], qvec)
        if choice.reason is not None:
            return self._abstain(question, tuple(hits), choice.confidence, choice.reason)
        return self._answer(question, choice, tuple(hits))

    def _abstain(self, question: str, hits: tuple[Hit, ...], confidence: float, reason: str,
                 reports: int = 0) -> Answer:
        return Answer(question, NO_ANSWER, True, (), hits, confidence,
                      extra={"strength": "weak", "abstained_because": reason},
                      reports_searched=reports)

    def _answer(self, question: str, choice: _Choice, hits: tuple[Hit, ...], reports: int = 0) -> Answer:
        citations, text = self._cite(choice.chosen, first=1)
        return Answer(question, text, False, citations, hits, choice.confidence,
                      extra={"strength": strength(choice.confidence, self.settings.abstain_threshold, False)},
                      reports_searched=reports)

    def _cite(self, chosen: tuple[_Candidate, ...], first: int) -> tuple[tuple[Citation, ...], str]:
        """Citations numbered from ``first`` and the answer text, each council named once before
        its own sentences."""
        citations: list[Citation] = []
        parts: list[str] = []
        current: str | None = None
        for n, cand in enumerate(chosen, start=first):
            hit = cand.hit
            quote = self.retriever.store.document_text(hit.document)[cand.start:cand.end]
            citations.append(Citation(n=n, quote=quote, document=hit.document, authority=hit.authority,
                                      section=hit.section, page=hit.page, start=cand.start, end=cand.end,
                                      statement=hit.statement, statement_score=hit.statement_score,
                                      published=hit.published))
            if hit.document != current:
                parts.append(council_label(hit.authority, hit.published, hit.document) + ":")
                current = hit.document
            parts.append(" ".join(quote.split()) + f" [{n}]")
        return tuple(citations), " ".join(parts)

    def _choose(self, parsed: Question, hits: list[Hit], qvec: np.ndarray | None) -> _Choice:
        """The best sentence with its context, or the reason to abstain."""
        if not hits:
            return _Choice((), 0.0, "no passages")
        candidates = self._score_sentences(parsed, hits, qvec)
        if not candidates:
            return _Choice((), 0.0, "no sentences")
        best = candidates[0]
        text_of = self.retriever.store.document_text
        # A close runner-up that answers what was asked (its passage supports the question's key
        # words, it carries the kind of figure asked for and, for "how many X", a number of X)
        # beats a top sentence that does not.
        if self._misfit(parsed, best, _with_table_context([best], text_of)) is not None:
            fitting = next((c for c in candidates[1:] if c.score >= RUNNER_UP * best.score
                            and self._misfit(parsed, c, _with_table_context([c], text_of)) is None), None)
            if fitting is not None:
                best = fitting
        chosen = [best]
        answering = best
        if _FINDING_ASKED.search(parsed.topic) and not _FINDING_GIVEN.search(best.sentence):
            # Asked what a survey or report found, the best sentence often names the report and
            # the next one gives the finding ("The council published an annual Fair Access
            # report. The 2024 report found that ...").
            after = [c for c in candidates if c.hit is best.hit and c.start >= best.end]
            finding = min(after, key=lambda c: c.start) if after else None
            if finding is not None and _FINDING_GIVEN.search(finding.sentence):
                chosen.append(finding)
                answering = finding
        if _WHY.match(parsed.topic):
            # A "why" question is answered by the finding and the reason, which reports give in
            # the sentence after it ("Relationships were strained. In April 2024 the council ...").
            after = [c for c in candidates if c.hit is best.hit and c.start >= best.end]
            if after and len(chosen) < self.settings.answer_sentences:
                chosen.append(min(after, key=lambda c: c.start))
        labelled = LABELLED_FIGURE.fullmatch(best.sentence.strip())
        if labelled and len(chosen) < self.settings.answer_sentences:
            # A list of figures gives the figure under a bare label ("Average wait for a Care
            # Act assessment — 41 days"); the report's sentence that states the same figure in
            # words says what it is of and when, so it is quoted beside it.
            same = re.compile(rf"(?<![\d,.]){re.escape(labelled['value'])}(?![\d,.]?\d)")
            prose = next((c for c in candidates if c.hit.document == best.hit.document and c.text != best.text
                          and same.search(c.sentence) and not LABELLED_FIGURE.fullmatch(c.sentence.strip())
                          and not is_table_row(c.sentence)), None)
            if prose is not None:
                chosen.append(prose)
        # Context from the best passage is considered before near-ties from other passages.
        rest = sorted((c for c in candidates if c is not best), key=lambda c: c.hit is not best.hit)
        for cand in rest:
            if len(chosen) >= self.settings.answer_sentences:
                break
            # A further sentence from the best passage is context and may score a little lower;
            # one from another passage must nearly tie. It must not overlap a chosen one nor
            # repeat its words (reports share template text).
            floor = 0.9 if cand.hit is best.hit else 0.95
            # A near-tie from another passage must answer the question on its own.
            if cand.hit is not best.hit and self._misfit(parsed, cand, _with_table_context([cand], text_of)) is not None:
                continue
            if cand.score >= floor * best.score and all(
                    (cand.hit.document != c.hit.document or cand.end <= c.start or cand.start >= c.end)
                    and cand.text != c.text for c in chosen):
                chosen.append(cand)
        chosen = _with_table_context(chosen, text_of)
        confidence = best.score
        chosen.sort(key=lambda c: (c.hit.rank, c.start))
        if confidence < self.settings.abstain_threshold:
            return _Choice(tuple(chosen), confidence, "weak evidence")
        reason = self._misfit(parsed, answering, chosen)
        return _Choice(tuple(chosen), confidence, reason)

    def _misfit(self, parsed: Question, best: _Candidate, chosen: list[_Candidate]) -> str | None:
        """Why the chosen sentences do not answer what was asked (None when they may)."""
        # The answering sentence with the lines that say what its cells mean (a table row's).
        own_text = self._own_text(best)
        # A thing named in capitals ("Better Care Fund") that the report never mentions, in full
        # or by its initials, is not what the report's look-alike passage is about.
        # Names joined by "and" ("Portuguese and Eastern European") may be two names.
        document = best.hit.document
        unknown = [n for n in parsed.names if not self._mentions(document, n)
                   and not (" and " in n and all(self._mentions(document, part) for part in n.split(" and ")))]
        if unknown:
            return f"report does not mention {', '.join(unknown)}"
        missing = list(_missing_terms(parsed.key_terms, best.hit.text, best.hit.section))
        if missing:
            # An abbreviation the question uses ("DoLS") is present when the passage spells
            # it out ("Deprivation of Liberty Safeguards").
            spelt = _spelt_out(parsed.text, best.hit.text)
            missing = [t for t in missing if t not in spelt]
        if missing:
            # Of alternatives ("during storms or floods") the passage needs only one.
            named = set(parsed.key_terms) - set(missing)
            excused = {t for group in parsed.alternatives if group & named for t in group} & set(missing)
            missing = [t for t in missing if t not in excused]
        if missing:
            # A name of two words ("hip replacement") whose first word, the kind, is missing
            # and whose second is there only as another word of the same first letters
            # ("replacing analogue alarms") is missing as a whole. ("Review" after a missing
            # "annual", or "rehabilitation" for "reablement", is there.)
            support = _support(best.hit.text, best.hit.section)
            missing += list(dict.fromkeys(b for a, b in parsed.compounds if a in missing and b not in missing
                                          and b not in excused and _only_by_prefix(b, support)))
            # The passage lacks words that name the question's subject: "electric vehicle"
            # charging is not charging for care, a "dental" wait is not a Care Act wait.
            weight = sum(self.retriever.idf(t) for t in parsed.key_terms if t not in excused) or 1.0
            lost = sum(self.retriever.idf(t) for t in missing)
            if lost / weight >= KEY_LOST:
                return f"not about {', '.join(_as_written(t, parsed.text) for t in missing)}"
        if parsed.subjects and best.subjects and not _same_subject(parsed.subjects, best.subjects):
            return f"about {', '.join(best.subjects)}, not {', '.join(parsed.subjects)}"
        asked = set(parsed.measures) & _SUMMARY_MEASURES
        if asked:
            given = set().union(*(measures_in(c.sentence) for c in chosen)) & _SUMMARY_MEASURES
            if given and not given & asked:
                return f"gives the {', '.join(sorted(given))}, not the {', '.join(sorted(asked))}"
            # The sentence that answers must itself give the measure asked: a median beside
            # another sentence's "nobody waited longer than 35 days" (for another service) is
            # still a median.
            own = set(measures_in(own_text)) & _SUMMARY_MEASURES
            if own and not own & asked:
                return f"gives the {', '.join(sorted(own))}, not the {', '.join(sorted(asked))}"
            # A duration with no median, maximum or average named is a target or a threshold
            # ("89% within 28 days"), not the summary asked for.
            if not given and parsed.kind == "days":
                return f"gives no {', '.join(sorted(asked))}"
        quotes = " ".join(c.sentence for c in chosen)
        # The answering sentence, when it names a year, must be for the one asked: a 2024/25
        # overspend does not answer for 2025/26 because the next quoted sentence plans 2025/26.
        period = _other_period(parsed.text, own_text) if _YEAR.search(own_text) else None
        period = period or _other_period(parsed.text, quotes)
        if period is None and not _YEAR.search(quotes):
            # A quote that names no year takes its year from its passage ("In 2024/25 ... The
            # vacancy rate was 17%"): a passage about other years only does not answer the one asked.
            period = _other_period(parsed.text, best.hit.text)
        if period:
            return period
        asked_limits, given_limits = time_limits(parsed.text), time_limits(quotes)
        if asked_limits and given_limits and not any(same_limit(a, g) for a in asked_limits for g in given_limits):
            # "Within 28 days" does not answer "within three months".
            return f"for a limit of {', '.join(f'{g} days' for g in sorted(given_limits))}, not " \
                   f"{', '.join(f'{a} days' for a in sorted(asked_limits))}"
        if asked_limits and parsed.kind in ("count", "percent") and not time_limits(own_text) \
                and not has_kind(own_text, "days"):
            # "How many waited more than a year?" is not answered by everyone waiting, though
            # another quoted sentence has people waiting more than a year for something else.
            # (A limit worded otherwise, "28 days or less", "within the target of 60 days", is
            # still a duration.)
            return f"gives no count for a limit of {', '.join(f'{a} days' for a in sorted(asked_limits))}"
        # "End" is mostly a time ("at the end of March"), not an event.
        events = (*parsed.verbs, *(w for w in words(parsed.topic) if w.lower() not in ("end", "ends")))
        opposite = (_opposite_event(events, quotes, parsed.topic)
                    or _other_group(parsed.text, quotes, share=parsed.kind == "percent",
                                    wait=parsed.kind == "days")
                    or _other_place(parsed.text, quotes))
        if opposite:
            return opposite
        # The question's verbs with the stage of a case it asks about ("were waiting").
        verbs = (*parsed.verb_terms, *((stem(parsed.stage),) if parsed.stage else ()))
        if parsed.kind == "count" and not _NEGATED_QUESTION.search(parsed.topic):
            # "How many concerns were screened?" is not answered by the 342 "not screened"
            # within the target, nor completed applications by those "not yet completed". A
            # share is: "not recorded for 38%" gives the share recorded too.
            # The tagger may take the question's verb for a noun ("did Oxhallow screen"): its key
            # words are looked at too.
            negated = _only_negated(own_text, (*verbs, *parsed.key_terms))
            if negated:
                return f"counts those not {negated}"
        if parsed.stage:
            # The answering sentence must count the stage asked: concerns received and the
            # enquiries they led to do not say how many enquiries were closed, nor completed
            # assessments how many people were waiting for one.
            given = _counted_stages(own_text)
            if parsed.stage not in given and (given or parsed.stage in NAMED_STAGES or parsed.stage == "waiting"
                                              and not _WAIT_SAID.search(own_text) and not is_data_row(best.sentence)):
                return (f"counts those {' or '.join(sorted(given))}, not {parsed.stage}" if given
                        else f"does not count those {parsed.stage}")
        if _BUDGET_ASKED.search(parsed.topic) and not _BUDGET_GIVEN.search(own_text):
            # "Did it stay within its budget?" is not answered by the budget alone.
            return "gives no spend against the budget"
        rate = _RATE.search(parsed.topic) if parsed.kind == "money" else None
        if rate:
            unit = (rate.group("unit") or rate.group("adj")[:-2]).lower()
            # A table row's unit may sit in a header its context does not hold (a header over
            # two lines): its passage holds the table.
            read = best.hit.text if is_table_row(best.sentence) else own_text
            if not re.search(rf"\b{unit}", read, re.I):
                # "What does it pay per hour?" is not answered by a budget or an overspend.
                return f"gives no rate per {unit}"
        place = _named_place(parsed.topic)
        if place and not re.search(rf"\b{re.escape(place)}\b", own_text, re.I):
            # A figure for the whole area ("96 people were waiting") is not one for "the Seaton
            # ward", though the next sentence says most of them were there.
            return f"not about {place}"
        if _FINDING_ASKED.search(parsed.topic) and not _FINDING_GIVEN.search(own_text):
            # "The council published an annual Fair Access report" names the report the
            # question asks about, but not what it found.
            return "does not say what was found"
        if _RATING_ASKED.search(parsed.topic) and not any(_RATING_GIVEN.search(c.sentence) for c in chosen):
            return "no rating"
        if parsed.kind in _FIGURE_KINDS:
            nouns = counted_nouns(parsed.topic) if parsed.kind == "count" else ()
            # "How many carers said ...?" is answered by a survey's share of carers as well.
            if nouns and any(_share_of(c.sentence, nouns, asked_terms(parsed)) for c in chosen):
                return None
            if not has_kind(quotes, parsed.kind):
                return f"no {parsed.kind} figure"
            if parsed.kind in ("days", "count") and not has_kind(own_text, parsed.kind) and not (
                    "waiting" in parsed.measures and _NO_WAITING.search(own_text)):
                # The answering sentence gives no duration or count: one quoted beside it is
                # another sentence's, about what that sentence names ("38.6% of people receiving
                # long-term support used a direct payment" beside "640 personal assistants").
                return f"no {parsed.kind} figure in the answering sentence"
            if parsed.kind in ("count", "percent", "days") and not _names_asked(parsed, own_text, best.sentence):
                # A count, share or wait whose sentence names nothing the question asks about is
                # another thing's figure ("44 per cent of new contacts" for an OT vacancy rate),
                # however well its passage matches. (Money is worded too many ways: spend,
                # budget, cost, overspend.)
                return "its figure is not of anything asked about"
            # "How many people were waiting for X?" is answered by "there was no waiting list".
            homes = not _CARE_HOMES.search(parsed.topic)
            if parsed.kind == "count" and not any(_counts(text, nouns, verbs, homes) for c in chosen
                                                  for text in {c.sentence, self._as_read(c)}) and not (
                    "waiting" in parsed.measures and any(_NO_WAITING.search(c.sentence) for c in chosen)):
                return "counts something else"
        return None

    def _own_text(self, cand: _Candidate) -> str:
        """A sentence with the lines that say what its cells mean, for a table row."""
        text = self.retriever.store.document_text(cand.hit.document)
        return "\n".join([*(text[a:b] for a, b in cand.context), cand.sentence])

    def _as_read(self, cand: _Candidate) -> str:
        """A sentence as a reader takes it: a table row's cells each followed by its column's
        header ("1,412 People waiting; 19 weeks Median wait"), so a bare number says what it
        counts. A list item giving a figure after its label reads the same way ("People waiting
        for a Care Act assessment: 212" is "212 People waiting for a Care Act assessment")."""
        labelled = LABELLED_FIGURE.fullmatch(cand.sentence.strip())
        if labelled:
            return f"{labelled['value']} {labelled['label']}"
        if not cand.context:
            return cand.sentence
        start, end = cand.context[-1]
        header = self.retriever.store.document_text(cand.hit.document)[start:end]
        labels, cells = table_cells(header), table_cells(cand.sentence)
        if not is_table_row(header) or len(labels) != len(cells):
            return cand.sentence
        # Under a bare "Figure" or "Value" column the cell before says what a number is
        # ("Occupational therapy assessments | People waiting | 1,130"); under a period's column
        # ("Q2 2024/25") the row's first cell does ("People waiting ... | 1,204 | 1,311").
        def label_of(i: int, label: str) -> str:
            if i and _BARE_LABEL.fullmatch(label.strip()):
                return cells[i - 1]
            if i and _PERIOD_LABEL.fullmatch(label.strip()):
                return f"{cells[0]} ({label.strip()})"
            return label
        return "; ".join(f"{cell} {label_of(i, label)}" for i, (cell, label) in enumerate(zip(cells, labels)))

    def _score_sentences(self, parsed: Question, hits: list[Hit], qvec: np.ndarray | None) -> list[_Candidate]:
        store = self.retriever.store
        spans, ids = [], []
        contexts: list[tuple[tuple[tuple[int, int], ...], str]] = []
        for hit in hits:
            text = store.document_text(hit.document)
            for sid, s, e, facts in store.sentences_with_facts(hit.document, hit.start, hit.end):
                if facts is not None:
                    prime(text[s:e], facts)
                if not is_fragment(text[s:e]):
                    spans.append((hit, s, e, text[s:e]))
                    ids.append(sid)
                    context = _table_context(text, s) if is_table_row(text[s:e]) else ()
                    contexts.append((context, "\n".join(text[a:b] for a, b in context)))
        if not spans:
            return []
        idf = self.retriever.idf
        # When a question names a subject besides the statement or theme it names, the latter
        # says where to look (retrieval boosts it), not what to quote: its words would dilute
        # the sentences' lexical match.
        q_terms = set(parsed.terms)
        if parsed.key_terms:
            q_terms -= set(content_terms(" ".join(x for x in (parsed.statement, parsed.theme) if x)))
        q_weight = sum(idf(t) for t in q_terms) or 1.0
        template = self._template_sentences()
        if qvec is not None:
            semantic = store.sentence_vectors_for(ids) @ qvec
        else:
            semantic = np.zeros(len(spans), dtype=np.float32)
        term_sets = [set(content_terms(span[3])) for span in spans]
        subjects = [subjects_in(span[3]) for span in spans]
        out = []
        for i, ((hit, s, e, sentence), sem) in enumerate(zip(spans, semantic)):
            terms = term_sets[i]
            read_as = sentence
            if contexts[i][0]:
                # A table row means what its header row and the line introducing the table say
                # ("Median wait", "Longest wait", "at the end of Q3 2024/25"): their words and
                # measures count as its own.
                terms = terms | set(content_terms(contexts[i][1]))
                read_as = f"{contexts[i][1]}\n{sentence}"
            # Words the question shares only with the sentence before count half: the subject
            # is often named once and the figure given in the next sentence ("... on Adult
            # Social Care. Its actual spend was ..."). The sentence after is not its context.
            near = term_sets[i - 1] if i > 0 and spans[i - 1][0] is hit else set()
            own = [t for t in q_terms if _matches(t, terms)]
            lexical = (sum(idf(t) for t in own)
                       + _context_weight(sentence) * sum(idf(t) for t in q_terms
                                                         if t not in own and _matches(t, near))) / q_weight
            score = 0.5 * float(sem) + 0.5 * lexical if qvec is not None else lexical
            score += self._fit(parsed, read_as, subjects, i, spans)
            # CQC's own statement wording ("We have clear responsibilities...") recurs in every
            # report and says nothing about the council.
            key = normalise(sentence)
            if key in template:
                score -= 0.25
            score -= 0.01 * (hit.rank - 1)
            out.append(_Candidate(hit, s, e, score, key, sentence, _subjects_of(subjects, i, spans),
                                  contexts[i][0]))
        out.sort(key=lambda c: -c.score)
        return out

    @staticmethod
    def _fit(parsed: Question, sentence: str, subjects: list[tuple[str, ...]], i: int, spans: list) -> float:
        """How well a sentence fits what the question asks for: its kind of figure, measure and
        subject (the subject may be named in the sentence before, within the same passage)."""
        bonus = 0.0
        if parsed.figure and re.search(r"\d", sentence):
            bonus += 0.05
            if parsed.kind in _FIGURE_KINDS and has_kind(sentence, parsed.kind):
                # A sentence whose figures are all of the asked kind is more likely the answer
                # than one where it sits beside others ("52% of people waited 28 days").
                # Dates set the scene ("In 2023/24, ...") and say nothing about the fit.
                figures = [f for f in parse_figures(sentence) if parsed.kind == "date" or f.unit != "date"]
                fitting = sum((1.0 if f.unit else 0.5) if figure_kind(f) == parsed.kind else 0.0
                              for f in figures)
                bonus += 0.05 + 0.15 * (fitting / len(figures) if figures else 0.0)
                if figures and figure_kind(figures[0]) != parsed.kind:
                    bonus -= 0.05
                # The words right after a figure say what it measures ("21.43% of the total
                # budget", "91% of people were discharged"): the question's own words there
                # single out the figure asked for among the passage's others.
                if any(figure_kind(f) == parsed.kind and _describes(sentence, f.text, parsed.terms)
                       for f in figures):
                    bonus += 0.1
        if parsed.kind is None and _EVALUATIVE.match(parsed.topic) and _PERCENT.search(sentence):
            # "Are carers happy ...?", "How effective is ...?": reports answer with the measured
            # outcome ("61% of people who completed reablement needed no further support").
            bonus += EVALUATIVE_OUTCOME
        found = set(measures_in(sentence))
        if parsed.measures:
            # "median", "maximum", "actual"... name which of several figures is wanted.
            if found & set(parsed.measures):
                bonus += 0.15 if re.search(r"\d", sentence) or not parsed.figure else 0.05
        elif parsed.kind == "days" and found & _SUMMARY_MEASURES and re.search(r"\d", sentence):
            # "How long do people wait?" is answered by the median or longest wait.
            bonus += 0.2
        if parsed.names and _DEFINITION_ASKED.search(parsed.topic) and any(
                re.search(rf"\b{re.escape(name)}\b(\s*\([^)]*\))?(,\s*(a|an|the|which|who|where)\b|\s+(is|was|are|were)"
                          rf"\s+(a|an|the)\b)", sentence, re.I) for name in parsed.names):
            # "What is the Coalition of the Willing?" is answered where the name is defined
            # ("... the Coalition of the Willing, a multi-agency partnership ...").
            bonus += 0.1
        for asked in parsed.measures:
            # A sentence naming only the rival of the asked measure gives the wrong figure
            # (the estimated budget when the actual spend was asked, the median for the maximum).
            rivals = _RIVALS.get(asked, frozenset()) - set(parsed.measures)
            if found & rivals and asked not in found:
                bonus -= 0.1
        if parsed.subjects:
            own = _subjects_of(subjects, i, spans)
            if own:
                bonus += 0.05 if _same_subject(own, parsed.subjects) else -0.15
        asked_limits = time_limits(parsed.text)
        given_limits = time_limits(sentence) if asked_limits else frozenset()
        if given_limits:
            # "Waited more than half a year" is answered where the limit is "six months".
            bonus += 0.1 if any(same_limit(a, g) for a in asked_limits for g in given_limits) else -0.1
        return bonus


#: A sentence opening with a word that points back ("Its actual spend was ...", "This was ...")
#: is about what the sentence before names: the question's words there count in full.
_POINTS_BACK = re.compile(r"[\s\-\u2022*]*(its|it|this|these|they|their|that|those|he|she)\b", re.I)


def _with_table_context(chosen: list[_Candidate], document_text) -> list[_Candidate]:
    """The chosen sentences with each chosen table row's context lines (the line introducing
    its table, its header row) quoted too: a row's figures ("388 | 14 weeks | 60 weeks") say
    what they measure, and when, only under those lines."""
    out = list(chosen)
    for cand in chosen:
        for start, end in cand.context:
            if not any(c.hit.document == cand.hit.document and c.start == start for c in out):
                line = document_text(cand.hit.document)[start:end]
                out.append(_Candidate(cand.hit, start, end, cand.score, normalise(line), line, cand.subjects))
    return out


def _context_weight(sentence: str) -> float:
    """How much the question's words found only in the sentence before count (see _POINTS_BACK)."""
    return 1.0 if _POINTS_BACK.match(sentence) else 0.5


#: How many sentences back, inside its passage, a sentence naming no service takes its subject
#: from ("... completed 3,487 Care Act assessments. At the end of January, 538 adults were on
#: the waiting list. People waited a median of 47 days ...").
SUBJECT_LOOKBACK = 2


#: Subjects that name the same work from two sides: care workers work in home care and care homes.
_OVERLAPPING_SUBJECTS = frozenset({frozenset({"care workers", "home care"}), frozenset({"care workers", "care home"})})


def _same_subject(asked: Sequence[str], given: Sequence[str]) -> bool:
    """Do two sets of subjects (keys of :data:`~cqc_kb.query.SUBJECTS`) share one, or does each
    subject given overlap one asked? ("care workers" for "home care", but not "care homes and
    care workers" for "home care".)"""
    return bool(set(asked) & set(given)) or all(any(frozenset({a, g}) in _OVERLAPPING_SUBJECTS for a in asked)
                                                for g in given)


def _names_asked(parsed: Question, text: str, sentence: str = "") -> bool:
    """Does ``text`` name one of the question's content words (or a paraphrase) or subjects?
    A sentence may leave its subject to the one before ("Nobody waited longer than 35 days for
    an assessment"), but says what its figure is of in some word. A list item's label says all
    of it ("People supported by Stay Well at Home: 3,860"): it must name a key word or a subject.
    The councils named are not counted: every report names its own."""
    own = {stem(w) for c in parsed.councils for w in words(c)}
    if set(parsed.subjects) & set(subjects_in(text)):
        return True
    keys = [t for t in parsed.key_terms if t not in own]
    if not (LABELLED_FIGURE.fullmatch(sentence.strip()) and (keys or parsed.subjects)):
        keys = [t for t in dict.fromkeys([*parsed.key_terms, *content_terms(parsed.topic)]) if t not in own]
        if not keys:
            return True
    terms = _support(text, "")
    return any(_matches(t, terms) or any(_same_stem(w, t) for w in terms) for t in keys)


def _subjects_of(subjects: list[tuple[str, ...]], i: int, spans: list) -> tuple[str, ...]:
    """The services sentence ``i`` is about: those it names, else those of the nearest of the
    :data:`SUBJECT_LOOKBACK` sentences before it in the same passage that names one."""
    for j in range(i, max(-1, i - SUBJECT_LOOKBACK - 1), -1):
        if spans[j][0] is not spans[i][0]:
            break
        if subjects[j]:
            return subjects[j]
    return ()


def confidence_cue(answer: Answer, threshold: float) -> str:
    """The strength cue of an answer made elsewhere (score table answers are "strong")."""
    if "strength" in answer.extra:
        return str(answer.extra["strength"])
    if answer.extra.get("source") == "score table" and not answer.abstained:
        return "strong"
    return strength(answer.confidence, threshold, answer.abstained)

