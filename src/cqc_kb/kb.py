"""The library's front door: one object that the CLI and the app both call."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator

from .answer import Answerer
from .embed import Embedder, LazyEmbedder, load_embedder
from .errors import KbError
from .facts import ReportRow, answer_scores, score_table
from .ingest import ProgressFn, ReindexResult, reindex
from .records import Answer, Figure, Hit
from .retrieve import Filters, Retriever, named_authorities
from .settings import Settings
from .store import Store

NO_EVIDENCE = "no evidence found in this report"


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

    def to_json(self) -> dict[str, Any]:
        return {"authority": self.authority, "document": self.document, "published": self.published,
                "answer": self.answer.answer, "abstained": self.answer.abstained,
                "citations": [c.to_json() for c in self.answer.citations], "score": self.score,
                "figure": self.figure.to_json() if self.figure else None}


@dataclass
class KnowledgeBase:
    """An open index with its embedder; cheap to query, load it once per process."""

    settings: Settings
    embedder: Embedder
    store: Store = field(init=False)

    def __post_init__(self) -> None:
        self._documents: list | None = None
        self.store = Store.open(self.settings)
        self.retriever = Retriever(self.store, self.embedder, self.settings)
        self.answerer = Answerer(self.retriever)

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None,
             lazy: bool = False) -> "KnowledgeBase":
        """Open the index in ``settings.index`` (raises if missing or stale).

        With ``lazy`` the embedding model is loaded on the first search instead: the score
        table, the document list and status then open without importing torch.
        """
        if embedder is None:
            embedder = LazyEmbedder(settings.model, settings.offline) if lazy \
                else load_embedder(settings.model, settings.offline)
        return cls(settings, embedder)

    def close(self) -> None:
        self.store.close()

    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               mode: str = "hybrid+") -> list[Hit]:
        return self.retriever.search(query, k=k, filters=filters, mode=mode)

    def ask(self, question: str, filters: Filters | None = None, mode: str = "hybrid+",
            k: int | None = None) -> Answer:
        """Score and rating questions come from the table; everything else is extractive."""
        structured = answer_scores(question, self.store, filters)
        if structured is not None:
            return structured
        filters = filters or Filters()
        if not filters.authorities and not filters.documents:
            # A question that names a council is answered from that council's report only.
            named = named_authorities(question, [a for a, _ in self.authorities()])
            if named:
                filters = replace(filters, authorities=tuple(sorted(named)))
        return self.answerer.ask(question, filters=filters, mode=mode, k=k)

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
                progress: Callable[[int, int], None] | None = None) -> list[CompareRow]:
        """Answer ``question`` inside each authority's own report; never across reports.

        ``progress(done, total)`` is called after each row (for a progress bar).
        """
        targets = self._compare_targets(authorities)
        rows = []
        for row in self._compare_rows(question, targets, filters, mode):
            rows.append(row)
            if progress:
                progress(len(rows), len(targets))
        return rows

    def iter_compare(self, question: str, authorities: list[str] | None = None,
                     filters: Filters | None = None, mode: str = "hybrid+") -> Iterator[CompareRow]:
        """:meth:`compare`'s rows one at a time, as each is answered (to show them as they come)."""
        return self._compare_rows(question, self._compare_targets(authorities), filters, mode)

    def _compare_targets(self, authorities: list[str] | None) -> list[tuple[str, str]]:
        """(authority, document) to compare; unknown authority names are an error."""
        wanted = {a.lower() for a in authorities or []}
        known = self.authorities()
        if wanted:
            missing = wanted - {a.lower() for a, _ in known}
            if missing:
                raise KbError(f"no report in the index for {', '.join(sorted(missing))}; "
                              f"known authorities: {', '.join(a for a, _ in known)}")
        return [(a, d) for a, d in known if not wanted or a.lower() in wanted]

    def _compare_rows(self, question: str, targets: list[tuple[str, str]], filters: Filters | None,
                      mode: str) -> Iterator[CompareRow]:
        """One pass: the question is embedded once and searched once over every report; each
        report is then answered from its own share of those hits, so a row can only cite its
        own report."""
        question = question.strip()
        if not question:
            raise KbError("the question is empty; type a question such as "
                          "'How long do people wait for a Care Act assessment?'")
        base = filters or Filters()
        dates = self.published()
        retriever = self.retriever
        qvec = None if mode == "bm25" else retriever.query_vector(question, mode)
        shared = Filters(themes=base.themes, statements=base.statements, scores=base.scores,
                         ratings=base.ratings)
        candidates = retriever.candidates_by_document(question, qvec, [d for _, d in targets],
                                                      shared, mode)
        for authority, document in targets:
            scoped = replace(shared, documents=(document,))
            hits = retriever.search(question, filters=scoped, mode=mode, qvec=qvec,
                                    candidates=candidates[document])
            answer = self.answerer.answer_from_hits(question, hits, qvec)
            if answer.abstained:
                answer = Answer(question, NO_EVIDENCE, True, (), answer.hits, answer.confidence)
            score = None
            if answer.citations and answer.citations[0].statement is not None \
                    and answer.citations[0].statement_score is not None:
                score = {"quality_statement": answer.citations[0].statement,
                         "value": answer.citations[0].statement_score}
            yield CompareRow(authority, document, answer, score, published=dates.get(document),
                             figure=None)

    def scores(self) -> list[ReportRow]:
        return score_table(self.store)


def build_index(settings: Settings, full: bool = False, embedder: Embedder | None = None,
                progress: ProgressFn | None = None) -> ReindexResult:
    """Reindex the corpus (incremental unless ``full``)."""
    return reindex(settings, full=full, embedder=embedder, progress=progress)
