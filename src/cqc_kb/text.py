"""Small text helpers shared by chunking, answering and evaluation."""

from __future__ import annotations

import re
from functools import lru_cache, wraps
from typing import Callable, Generic, TypeVar

T = TypeVar("T")

_ABBREV = ("e.g.", "i.e.", "etc.", "Dr.", "Mr.", "Mrs.", "Ms.", "St.", "No.", "approx.", "vs.", "Cllr.")
#: Abbreviations that stand before a figure ("c. 148,300"): a figure after one never starts a
#: sentence, even on the next line of hard-wrapped text.
_BEFORE_FIGURE = re.compile(r"(?:^|[\s(])(?:c|ca|approx|No)\.$")
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]?\s+(?=[\"'\u201c\u2018(]?[A-Z0-9\u00a3])|\n\s*\n|"
                       r"\n(?=\s*[-*\u2022\u25a0\u25aa\u25cf]\s)|\n(?=\s*\u2013\s+[A-Z0-9\u00a3])")


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans (absolute offsets, whitespace trimmed) inside ``text[start:end]``."""
    spans: list[tuple[int, int]] = []
    cursor = start
    segment = text[start:end]
    for m in _BOUNDARY.finditer(segment):
        cut = start + m.start()
        before = text[cursor:cut]
        if before.rstrip().endswith(_ABBREV) and "\n" not in m.group(0):
            continue
        if _BEFORE_FIGURE.search(before.rstrip()) and segment[m.end():m.end() + 1].isdigit():
            continue
        spans.append((cursor, cut))
        cursor = start + m.end()
    spans.append((cursor, end))
    return [trimmed for s, e in spans if (trimmed := trim_span(text, s, e))]


#: A list item: a label, then a colon or a dash, and the figure it labels ("- Median wait for an
#: OT assessment: 9 weeks", "Average wait for a Care Act assessment — 41 days"). The label may
#: hold a colon of its own ("Reablement: no further support needed — 71 per cent").
LABELLED_FIGURE = re.compile(r"(?:[-*\u2013\u2022\u25a0\u25cf\u25aa]\s*)?(?P<label>[A-Za-z][^\n]{2,100}?)(?::|\s[-\u2013\u2014])\s*"
                             r"(?P<value>(?:\u00a3\s?)?\d[\d,.]*(?:\s?(?:%|per cent|[A-Za-z']+))?)\.?")


#: A table row as text holds it: cells apart by tabs (a PDF's or web page's table as the parser
#: stores it, or a table copied from a browser), or a Markdown row between pipes.
_PIPE_ROW = re.compile(r"^\s*\|.*\|")
#: The rule under a Markdown table's header row ("|---|:--:|").
_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def table_cells(line: str) -> list[str]:
    """The cells of a table row (stripped), or ``[line]`` for a line that is not one."""
    if "\t" in line.strip():
        return [cell.strip() for cell in line.strip().split("\t")]
    if _PIPE_ROW.match(line):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) > 1:
            return cells
    return [line]


def is_table_rule(line: str) -> bool:
    """Is ``line`` the rule under a Markdown table's header row?"""
    return bool(_PIPE_RULE.match(line) and "|" in line)


def is_table_row(line: str) -> bool:
    """Is ``line`` a table row of two cells or more (a Markdown rule is one too)?"""
    return len(table_cells(line)) > 1 or is_table_rule(line)


def trim_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Shrink a span past surrounding whitespace; None when nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


_EMPHASIS = (
    # **bold** / __bold__ and *italic*: markers hug their words, so "5 * 3" and bullets stay.
    re.compile(r"(?<![*\w])\*\*(?=[^\s*])(.+?)(?<=[^\s*])\*\*(?![*\w])"),
    re.compile(r"(?<![_\w])__(?=[^\s_])(.+?)(?<=[^\s_])__(?![_\w])"),
    re.compile(r"(?<![*\w])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![*\w])"),
)


def strip_emphasis(text: str) -> str:
    """Drop Markdown emphasis markers (``**bold**``, ``__bold__``, ``*italic*``), keeping the words.

    Reports converted from the web carry these; stored text must read as the report does.
    Applied before any offset is taken, so offsets stay exact on the cleaned text.
    """
    if "*" not in text and "__" not in text:
        return text
    for pattern in _EMPHASIS:
        text = pattern.sub(r"\1", text)
    return text


def human_size(n_bytes: float) -> str:
    """A byte count for people: ``812 bytes``, ``9.77 KB``, ``52.4 MB`` (three significant figures)."""
    if n_bytes < 1000:
        return f"{int(n_bytes)} bytes"
    value, unit = n_bytes / 1e3, "KB"
    for bigger in ("MB", "GB"):
        if value < 999.5:  # would print as 1e+03 at three figures
            break
        value, unit = value / 1e3, bigger
    return f"{value:.3g} {unit}" if value < 999.5 else f"{value:,.0f} {unit}"


def normalise(text: str) -> str:
    """Lower case, one kind of dash, single spaces: for comparing expected strings."""
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2011", "-").replace("\u2019", "'")
    text = text.replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip().lower()


_WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*%?|£[0-9][0-9,]*")

STOPWORDS = frozenset(
    "a an and are as at be been being but by can could did do does for from had has have how i in "
    "into is it its of on or our out over so than that the their them then there these they this to "
    "was we were what when where which who whom why will with would you your about any many much "
    "there's what's does did tell me us please report council councils local authority authorities".split()
)


def words(text: str) -> list[str]:
    """Lower-case word tokens, numbers kept whole (``28``, ``21.43%``, ``£290,024,000``)."""
    return _WORD.findall(text.lower().replace("\u2019", "'"))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper: enough to match 'waiting'/'waits', 'carers'/'carer'."""
    for suffix in ("ings", "ing", "edly", "ed", "ies", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def content_terms(text: str) -> list[str]:
    """Stemmed words without stop words, in order, duplicates kept."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


class SeedableCache(Generic[T]):
    """A bounded memo of a function of one text, as ``functools.lru_cache``, that can also be
    handed values worked out before: the per-sentence facts stored at index time
    (:mod:`cqc_kb.sentence_facts`), so that the first question to meet a sentence does not
    read it again. When full, the oldest entries go first."""

    def __init__(self, function: Callable[[str], T], maxsize: int) -> None:
        self._function = function
        self._maxsize = maxsize
        self._values: dict[str, T] = {}
        wraps(function)(self)

    def __call__(self, text: str) -> T:
        try:
            return self._values[text]
        except KeyError:
            value = self._function(text)
            self.seed(text, value)
            return value

    def seed(self, text: str, value: T) -> None:
        """Remember ``value`` as the function's value for ``text``."""
        if len(self._values) >= self._maxsize and text not in self._values:
            del self._values[next(iter(self._values))]
        self._values[text] = value

    def cache_clear(self) -> None:
        self._values.clear()


def seedable_cache(maxsize: int) -> Callable[[Callable[[str], T]], SeedableCache[T]]:
    """Decorator form of :class:`SeedableCache`."""
    return lambda function: SeedableCache(function, maxsize)
