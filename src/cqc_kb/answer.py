"""Extractive, verifiable answers.

The answer is made of whole sentences copied from the top passages, each followed by an
``[n]`` marker; citation ``n`` holds the sentence verbatim with the offsets that find it in the
stored document text. Sentences are scored by meaning (cosine to the question), by words the
question shares with them (idf-weighted), and by carrying the kind of figure the question asks
for. When the best sentence is weak evidence, the answer abstains and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Container

import numpy as np

from .errors import KbError
from .records import Answer, Citation, Hit
from .retrieve import Filters, Retriever, wants_figure
from .text import content_terms, normalise

NO_ANSWER = "No clear answer in these reports: the closest passages are listed below for reading."

_UNITS = {
    "long": r"\b(days?|weeks?|months?|years?|hours?)\b",
    "quickly": r"\b(days?|weeks?|months?|hours?)\b",
    "soon": r"\b(days?|weeks?|months?|hours?)\b",
    "percentage": r"%|per ?cent",
    "proportion": r"%|per ?cent|\bin \d+\b",
    "share": r"%|per ?cent",
    "much": r"£|%",
    "cost": r"£",
    "spend": r"£",
    "budget": r"£",
    "when": r"\b(19|20)\d\d\b|january|february|march|april|may|june|july|august|september|october|november|december",
    "year": r"\b(19|20)\d\d\b",
    "median": r"\b(days?|weeks?|months?)\b|%",
}


_QUALIFIERS = frozenset({"median", "average", "mean", "maximum", "minimum", "longest", "shortest",
                         "total", "target", "highest", "lowest", "overall"})

#: A sentence that does not end like one and is this short is a heading or list label.
_MIN_FRAGMENT_WORDS = 8


@dataclass(frozen=True)
class _Candidate:
    hit: Hit
    start: int
    end: int
    score: float
    text: str  # normalised, to spot the same sentence twice


def _fragment(sentence: str) -> bool:
    """Headings, list labels and "Score: 2" lines answer nothing on their own."""
    if len(sentence) < 25:
        return True
    return not sentence.rstrip().endswith((".", "!", "?", ":", ")")) and \
        len(sentence.split()) < _MIN_FRAGMENT_WORDS


class Answerer:
    """Answers questions from a :class:`Retriever`'s passages."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever
        self.settings = retriever.settings
        self._template: Container[str] | None = None

    def _template_sentences(self) -> Container[str]:
        """Normalised sentences found in more than one council's reports: the report template's
        text. (Two assessments of one council share most sentences; that is not template.)
        Counted at index time; each sentence is looked up once."""
        if self._template is None:
            self._template = self.retriever.store.shared_sentences()
        return self._template

    def ask(self, question: str, filters: Filters | None = None, mode: str = "hybrid+",
            k: int | None = None) -> Answer:
        """Retrieve, select answer sentences, cite them, or abstain."""
        question = question.strip()
        if not question:
            raise KbError("the question is empty; type a question such as "
                          "'How long do people wait for a Care Act assessment?'")
        qvec = None if mode == "bm25" else self.retriever.query_vector(question, mode)
        hits = self.retriever.search(question, k=k, filters=filters, mode=mode, qvec=qvec)
        return self.answer_from_hits(question, hits, qvec)

    def answer_from_hits(self, question: str, hits: list[Hit], qvec: np.ndarray | None) -> Answer:
        """Pick the sentences that answer ``question`` from ``hits`` and cite them."""
        if not hits:
            return Answer(question, NO_ANSWER, True, (), tuple(hits), 0.0)
        candidates = self._score_sentences(question, hits[:4], qvec)
        if not candidates:
            return Answer(question, NO_ANSWER, True, (), tuple(hits), 0.0)
        best = candidates[0]
        chosen = [best]
        # Context from the best passage is considered before near-ties from other passages.
        rest = sorted(candidates[1:], key=lambda c: c.hit is not best.hit)
        for cand in rest:
            if len(chosen) >= self.settings.answer_sentences:
                break
            # A further sentence from the best passage is context and may score a little lower;
            # one from another passage must nearly tie. It must not overlap a chosen one nor
            # repeat its words (reports share template text).
            floor = 0.9 if cand.hit is best.hit else 0.95
            if cand.score >= floor * best.score and all(
                    (cand.hit.document != c.hit.document or cand.end <= c.start or cand.start >= c.end)
                    and cand.text != c.text for c in chosen):
                chosen.append(cand)
        confidence = best.score
        if confidence < self.settings.abstain_threshold:
            return Answer(question, NO_ANSWER, True, (), tuple(hits), confidence)
        chosen.sort(key=lambda c: (c.hit.rank, c.start))
        citations = []
        parts = []
        # When the passages come from several councils' reports, say whose each sentence is:
        # the same sentence shape recurs across reports with different figures.
        mixed = len({h.authority for h in hits[:4]}) > 1
        for n, cand in enumerate(chosen, start=1):
            text = self.retriever.store.document_text(cand.hit.document)
            quote = text[cand.start:cand.end]
            citations.append(Citation(n=n, quote=quote, document=cand.hit.document,
                                      authority=cand.hit.authority, section=cand.hit.section,
                                      page=cand.hit.page, start=cand.start, end=cand.end,
                                      statement=cand.hit.statement,
                                      statement_score=cand.hit.statement_score,
                                      published=cand.hit.published))
            prefix = f"{cand.hit.authority}: " if mixed and cand.hit.authority else ""
            parts.append(prefix + " ".join(quote.split()) + f" [{n}]")
        return Answer(question, " ".join(parts), False, tuple(citations), tuple(hits), confidence)

    def _score_sentences(self, question: str, hits: list[Hit], qvec: np.ndarray | None) -> list[_Candidate]:
        store = self.retriever.store
        spans, ids = [], []
        for hit in hits:
            text = store.document_text(hit.document)
            for sid, s, e in store.sentences_in(hit.document, hit.start, hit.end):
                if not _fragment(text[s:e]):
                    spans.append((hit, s, e, text[s:e]))
                    ids.append(sid)
        if not spans:
            return []
        q_terms = set(content_terms(question))
        q_weight = sum(self.retriever.idf(t) for t in q_terms) or 1.0
        figure = wants_figure(question)
        unit_patterns = [p for word, p in _UNITS.items() if re.search(rf"\b{word}\b", question, re.I)]
        qualifiers = q_terms & _QUALIFIERS
        template = self._template_sentences()
        if qvec is not None:
            semantic = store.sentence_vectors_for(ids) @ qvec
        else:
            semantic = np.zeros(len(spans), dtype=np.float32)
        term_sets = [set(content_terms(span[3])) for span in spans]
        out = []
        for i, ((hit, s, e, sentence), sem) in enumerate(zip(spans, semantic)):
            terms = term_sets[i]
            # Words the question shares only with a neighbouring sentence count half: the
            # subject is often named once and the figure given in the next sentence.
            near = set()
            for j in (i - 1, i + 1):
                if 0 <= j < len(spans) and spans[j][0] is hit:
                    near |= term_sets[j]
            lexical = (sum(self.retriever.idf(t) for t in q_terms & terms)
                       + 0.5 * sum(self.retriever.idf(t) for t in (q_terms & near) - terms)) / q_weight
            score = 0.5 * float(sem) + 0.5 * lexical if qvec is not None else lexical
            if figure and re.search(r"\d", sentence):
                score += 0.05
                if any(re.search(p, sentence, re.I) for p in unit_patterns):
                    score += 0.07
                # "median", "maximum", "average"... name which of several figures is wanted.
                if qualifiers & terms:
                    score += 0.15
            # CQC's own statement wording ("We have clear responsibilities...") recurs in every
            # report and says nothing about the council.
            key = normalise(sentence)
            if key in template:
                score -= 0.25
            score -= 0.01 * (hit.rank - 1)
            out.append(_Candidate(hit, s, e, score, key))
        out.sort(key=lambda c: -c.score)
        return out
