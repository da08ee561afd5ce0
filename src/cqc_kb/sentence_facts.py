"""What the answerer reads from each report sentence whatever the question: whether it is a
fragment (a heading or list label), the services it names, the measures it gives and the kinds
of figure it carries.

A question's answer is chosen among the sentences of its passages, and a comparison over every
council meets thousands of them for the first time; reading them costs more than the rest of
choosing the answer. So the reindex works these facts out once per sentence and stores them
(``sentence_facts``), and the answerer hands them to the memos of the functions that read them
(:func:`prime`) before it scores a passage's sentences. Stored facts are tagged with
:data:`FACTS_VERSION`, taken from the source of the code that reads them: after an upgrade that
changes that code, the stored facts no longer match and every sentence is read again at
question time (right, only slower) until the next ``cqc-kb reindex``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .figures import figure_kind, figure_kinds, parse_figures
from .query import measures_in, subjects_in
from .text import seedable_cache, table_cells, words

#: A sentence that does not end like one and is this short is a heading or list label.
_MIN_FRAGMENT_WORDS = 8

#: Kinds of figure a table row or list item answers with.
ROW_FIGURES = frozenset({"count", "percent", "money", "days", "residents"})


@seedable_cache(maxsize=65536)
def is_fragment(sentence: str) -> bool:
    """Headings, list labels, table headers and "Score: 2" lines answer nothing on their own; a
    table row or list item giving a figure does ("Care Act assessments completed 7,284")."""
    if is_data_row(sentence):
        return False
    if len(sentence) < 25 or len(table_cells(sentence)) > 1:
        return True  # short, or a table row without a figure: its header, or a row of labels
    return not sentence.rstrip().endswith((".", "!", "?", ":", ")")) and \
        len(sentence.split()) < _MIN_FRAGMENT_WORDS


def is_data_row(line: str) -> bool:
    """A label and its figure: three words or more, ending or starting with a count, share,
    sum or span ("Care Act assessments completed 7,284", "402 people waiting at 30 September"),
    or a table row (cells separated by tabs) with such a figure in any cell. A score line,
    "Score: 2", is the score table's to answer."""
    if len(words(line)) < 3 or line.lower().startswith("score"):
        return False
    line = line.strip()
    cells = table_cells(line)
    return any(figure_kind(f) in ROW_FIGURES and (len(cells) > 1 or line.endswith(f.text) or line.startswith(f.text))
               for f in parse_figures(line))


@dataclass(frozen=True)
class SentenceFacts:
    """What :func:`is_fragment`, :func:`~cqc_kb.query.subjects_in`,
    :func:`~cqc_kb.query.measures_in` and :func:`~cqc_kb.figures.figure_kinds` say of one
    sentence."""

    fragment: bool
    subjects: tuple[str, ...]
    measures: tuple[str, ...]
    figure_kinds: tuple[str, ...]


def sentence_facts(sentence: str) -> SentenceFacts:
    """Read one sentence's facts."""
    return SentenceFacts(is_fragment(sentence), subjects_in(sentence), measures_in(sentence),
                         figure_kinds(sentence))


@dataclass(frozen=True)
class ReportFacts:
    """The facts of one report's answer sentences and the services each of its passages
    names (:func:`~cqc_kb.query.subjects_in`), in the order of its sentences and chunks."""

    sentences: tuple[SentenceFacts, ...]
    passages: tuple[tuple[str, ...], ...]


def report_facts(text: str, sentences: Sequence[tuple[int, int]], passages: Sequence[str]) -> ReportFacts | None:
    """Read the facts of a report's sentences (offsets into ``text``) and passages; None when
    no facts are stored (:data:`FACTS_VERSION` is empty)."""
    if not FACTS_VERSION:
        return None
    return ReportFacts(tuple(sentence_facts(text[s:e]) for s, e in sentences),
                       tuple(subjects_in(p) for p in passages))


def prime(sentence: str, facts: SentenceFacts) -> None:
    """Hand a sentence's stored facts to the functions that would read them."""
    is_fragment.seed(sentence, facts.fragment)
    subjects_in.seed(sentence, facts.subjects)
    measures_in.seed(sentence, facts.measures)
    figure_kinds.seed(sentence, facts.figure_kinds)


def _version() -> str:
    # Every module whose code decides a fact: this one, the figures, the question vocabulary
    # (services, measures) and the word helpers they use.
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    try:
        for name in ("sentence_facts.py", "figures.py", "query.py", "structure.py", "text.py", "records.py"):
            digest.update((here / name).read_bytes())
    except OSError:
        # Installed without its sources (bytecode only): no version can be told apart, so no
        # stored fact is trusted and every sentence is read at question time.
        return ""
    return digest.hexdigest()[:16]


#: Tag of the stored facts: they are used only while the code that decides them is unchanged
#: ("" when it cannot be told, and then none is stored or used).
FACTS_VERSION = _version()
