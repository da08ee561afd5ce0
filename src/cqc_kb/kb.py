"""The library's front door: one object that the CLI and the app both call."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator

from .answer import Answerer, confidence_cue
from .assessments import (CHANGE_QUESTION, LATEST, Assessment, CouncilChanges, all_changes,
                          assessment_history, compared_assessments, council_changes,
                          is_change_question, parse_assessments)
from .embed import Embedder, LazyEmbedder, load_embedder
from .errors import KbError
from .facts import ReportRow, answer_scores, score_table
from .ingest import ProgressFn, ReindexResult, reindex
from .figures import KIND_LABELS, figure_for
from .query import Question, load_tagger
from .records import Answer, AnswerGroup, Figure, Hit, council_label
from .retrieve import Filters, Retriever, named_authorities
from .settings import Settings
from .store import Store
from .text import is_table_row

NO_EVIDENCE = "no evidence found in this report"
NO_ANSWER_OVER_TIME = ("No clear answer in any of these assessments: the closest "
                       "passages are listed below for reading.")


@dataclass(frozen=True)
class CompareRow:
    """One authority's own answer to a compared question."""

    authority: str
    document: str
    answer: Answer
    score: dict[str, Any] | None
    published: str | None = None
    #: The figure the row's quote gives, when the question asks for one.
    figure: Figure | None = None
    #: Set when the question asks for a figure and this row's evidence gives none of that kind.
    figure_note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"authority": self.authority, "document": self.document, "published": self.published,
                "answer": self.answer.answer, "abstained": self.answer.abstained,
                "citations": [c.to_json() for c in self.answer.citations], "score": self.score,
                "figure": self.figure.to_json() if self.figure else None, "figure_note": self.figure_note}

    @property
    def label(self) -> str:
        """The council with the publication date of the report the row answers from."""
        return council_label(self.authority, self.published, self.document)


@dataclass
class KnowledgeBase:
    """An open index with its embedder; cheap to query, load it once per process."""

    settings: Settings
    embedder: Embedder
    store: Store = field(init=False)

    def __post_init__(self) -> None:
        self._documents: list | None = None
        # Opened lazily for the score table, it reads the vectors on the first search too.
        self.store = Store.open(self.settings, vectors=not isinstance(self.embedder, LazyEmbedder))
        self.retriever = Retriever(self.store, self.embedder, self.settings)
        self.answerer = Answerer(self.retriever)
        if not isinstance(self.embedder, LazyEmbedder):
            # Opened to answer questions: the question tagger loads now, with the model, not
            # on the first question. (Lazily opened for the score table, it loads neither.)
            load_tagger()

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None,
             lazy: bool = False) -> "KnowledgeBase":
        """Open the index in ``settings.index`` (raises if missing or stale).

        With ``lazy`` the embedding model is loaded on the first search instead: the score
        table, the document list and status then open without importing torch.
        """
        if embedder is None:
            embedder = LazyEmbedder(*settings.embedder_args()) if lazy \
                else load_embedder(*settings.embedder_args())
        return cls(settings, embedder)

    def close(self) -> None:
        self.store.close()

    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               mode: str = "hybrid+") -> list[Hit]:
        return self.retriever.search(query, k=k, filters=filters, mode=mode)

    def ask(self, question: str, filters: Filters | None = None, mode: str = "hybrid+",
            k: int | None = None) -> Answer:
        """Score and rating questions come from the table; everything else is extractive.

        A question that names a council is answered from that council's report only; one that
        names none, asked over several reports with no council or document filter, is answered
        council by council (``Answer.groups``)."""
        if not question.strip():
            return self.answerer.ask(question)  # raises the empty-question error
        parsed = self.answerer.parse(question)
        structured = answer_scores(question, self.store, filters, parsed=parsed)
        if structured is not None:
            return _with_strength(structured, self.settings.abstain_threshold)
        filters = filters or Filters()
        over_time = self._answer_over_time(question, filters, mode, k)
        if over_time is not None:
            return _with_strength(over_time, self.settings.abstain_threshold)
        # Reports asked over: each council's report chosen by ``filters.assessments``.
        reports = len(self.authorities()) - len(self.retriever.excluded(filters.assessments))
        if not filters.authorities and not filters.documents:
            if parsed.councils:
                filters = replace(filters, authorities=parsed.councils)
            elif reports > 1:
                return self.answerer.ask_library(question, filters=filters, mode=mode, parsed=parsed,
                                                 reports=reports)
        return self.answerer.ask(question, filters=filters, mode=mode, k=k, parsed=parsed)

    def documents(self) -> list:
        """The store's document rows, read once (an open build never changes; at 150 reports
        reading them costs tens of milliseconds, too much to pay on every question)."""
        if self._documents is None:
            self._documents = self.store.documents()
        return self._documents

    def authorities(self) -> list[tuple[str, str]]:
        """(authority, document) for every CQC report in the index."""
        return [(r["authority"], r["name"]) for r in self.documents() if r["authority"]]

    def published(self) -> dict[str, str | None]:
        """Publication date of every document, by file name."""
        return {r["name"]: r["published"] for r in self.documents()}

    def compare(self, question: str, authorities: list[str] | None = None,
                filters: Filters | None = None, mode: str = "hybrid+",
                over_time: str | None = None,
                progress: Callable[[int, int], None] | None = None) -> list[CompareRow]:
        """Answer ``question`` inside each authority's own report; never across reports.

        Each council's latest report by default (``filters.assessments`` chooses otherwise);
        ``over_time`` names a council to answer in each of its assessments, oldest to newest.
        ``progress(done, total)`` is called after each row (for a progress bar).
        """
        chosen = compared_assessments(self.store, authorities, (filters or Filters()).assessments, over_time)
        rows = []
        for row in self._compare_rows(question, chosen, filters, mode):
            rows.append(row)
            if progress:
                progress(len(rows), len(chosen))
        return rows

    def iter_compare(self, question: str, authorities: list[str] | None = None,
                     filters: Filters | None = None, mode: str = "hybrid+",
                     over_time: str | None = None) -> Iterator[CompareRow]:
        """:meth:`compare`'s rows one at a time, as each is answered (to show them as they come)."""
        chosen = compared_assessments(self.store, authorities, (filters or Filters()).assessments, over_time)
        return self._compare_rows(question, chosen, filters, mode)

    def _compare_rows(self, question: str, chosen: list[Assessment], filters: Filters | None,
                      mode: str) -> Iterator[CompareRow]:
        """One pass: the question is embedded once and searched once over every chosen report;
        each report is then answered from its own share of those hits, so a row can only cite
        its own report."""
        question = question.strip()
        if not question:
            raise KbError("the question is empty; type a question such as "
                          "'How long do people wait for a Care Act assessment?'")
        base = filters or Filters()
        retriever = self.retriever
        qvec = None if mode == "bm25" else retriever.query_vector(question, mode)
        shared = Filters(themes=base.themes, statements=base.statements, scores=base.scores,
                         ratings=base.ratings)
        documents = [a.document for a in chosen]
        parsed = self.answerer.parse(question)
        candidates = retriever.candidates_by_document(
            question, qvec, documents, replace(shared, documents=tuple(documents)), mode)
        for assessment in chosen:
            authority, document = assessment.authority, assessment.document
            scoped = replace(shared, documents=(document,))
            hits = retriever.search(question, filters=scoped, mode=mode, qvec=qvec, parsed=parsed,
                                    candidates=candidates[document])
            answer = self.answerer.answer_from_hits(question, hits, qvec, parsed)
            if answer.abstained:
                answer = Answer(question, NO_EVIDENCE, True, (), answer.hits, answer.confidence)
            score = None
            if answer.citations and answer.citations[0].statement is not None \
                    and answer.citations[0].statement_score is not None:
                score = {"quality_statement": answer.citations[0].statement,
                         "value": answer.citations[0].statement_score}
            figure, note = row_figure(parsed, answer)
            yield CompareRow(authority, document, answer, score, published=assessment.published,
                             figure=figure, figure_note=note)

    def scores(self, assessments: str = LATEST) -> list[ReportRow]:
        """Each council's scores: its latest report, unless ``assessments`` is "all" or a date."""
        return score_table(self.store, parse_assessments(assessments))

    def assessments(self) -> dict[str, tuple[Assessment, ...]]:
        """Every council's assessments, oldest to newest (see :mod:`cqc_kb.assessments`)."""
        return assessment_history(self.store)

    def changes(self, authority: str | None = None) -> list[CouncilChanges]:
        """The nine scores, rating and percentage of a council's assessments side by side with
        their change since the previous one; without ``authority``, every council assessed
        more than once."""
        return [council_changes(self.store, authority)] if authority else all_changes(self.store)

    def _answer_over_time(self, question: str, filters: Filters, mode: str,
                          k: int | None) -> Answer | None:
        """A question about change in a council with several assessments ("How has the median
        wait changed?"), answered in each assessment, oldest to newest: one group per report,
        each with its own cited sentences. None when the question is not about change or no
        council it concerns has been assessed more than once."""
        if not is_change_question(question):
            return None
        history = assessment_history(self.store)
        named = set(filters.authorities) or named_authorities(
            question, [a.authority for h in history.values() for a in h])
        councils = [h for h in history.values() if len(h) > 1
                    and (not named or any(a.authority in named for a in h))
                    and (not filters.documents or any(a.document in filters.documents for a in h))]
        if not councils:
            return None
        # The change wording would pull retrieval towards sentences about change in general.
        topic = " ".join(CHANGE_QUESTION.sub(" ", question).split()) or question
        groups, citations, hits, parts = [], [], [], []
        for assessment in (a for h in councils for a in h):
            scoped = replace(filters, documents=(assessment.document,), authorities=())
            answer = self.answerer.ask(topic, filters=scoped, mode=mode, k=k)
            hits.extend(answer.hits)
            own = []
            if not answer.abstained:
                for c in answer.citations:
                    own.append(replace(c, n=len(citations) + len(own) + 1))
            citations.extend(own)
            text = " ".join(" ".join(c.quote.split()) + f" [{c.n}]" for c in own) or NO_EVIDENCE
            groups.append(AnswerGroup(assessment.authority, assessment.document, assessment.published,
                                      text, tuple(own), answer.confidence))
            parts.append(f"{assessment.label}: {text}")
        return Answer(question, " ".join(parts) if citations else NO_ANSWER_OVER_TIME, not citations,
                      tuple(citations), tuple(hits), max(g.confidence for g in groups),
                      extra={"source": "each assessment"}, groups=tuple(groups),
                      reports_searched=len(groups))


def _with_strength(answer: Answer, threshold: float) -> Answer:
    """``answer`` with the plain confidence cue in ``extra["strength"]`` (every answer has one)."""
    if "strength" in answer.extra:
        return answer
    return replace(answer, extra={**answer.extra, "strength": confidence_cue(answer, threshold)})


def row_figure(parsed: Question, answer: Answer) -> tuple[Figure | None, str | None]:
    """The figure a compared row's quotes give for ``parsed`` (from the first citation that
    gives one), or None with a note saying that the evidence gives no such figure."""
    if parsed.kind is None or parsed.kind == "name":
        return None, None
    # A table row is cited after its header row (see answer._with_table_context).
    headers = [prev.quote if prev is not None and prev.document == c.document and is_table_row(prev.quote) else None
               for prev, c in zip((None, *answer.citations), answer.citations)]
    figure = next((f for c, header in zip(answer.citations, headers)
                   if (f := figure_for(parsed, c.quote, header)) is not None), None)
    if figure is None:
        return None, f"no {KIND_LABELS.get(parsed.kind, parsed.kind)} figure in this report's evidence"
    return figure, None


def sort_by_figure(rows: list[CompareRow], descending: bool = False) -> list[CompareRow]:
    """Rows with a figure first, ordered by its value (grouped by unit), then rows without."""
    with_figure = sorted((r for r in rows if r.figure is not None),
                         key=lambda r: (r.figure.unit, -r.figure.value if descending else r.figure.value))
    return with_figure + [r for r in rows if r.figure is None]


def build_index(settings: Settings, full: bool = False, embedder: Embedder | None = None,
                progress: ProgressFn | None = None) -> ReindexResult:
    """Reindex the corpus (incremental unless ``full``)."""
    return reindex(settings, full=full, embedder=embedder, progress=progress)
