"""The library's front door: one object that the CLI and the app both call."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .answer import Answerer
from .embed import Embedder, load_embedder
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
        self.store = Store.open(self.settings)
        self.retriever = Retriever(self.store, self.embedder, self.settings)
        self.answerer = Answerer(self.retriever)

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> "KnowledgeBase":
        """Open the index in ``settings.index`` (raises if missing or stale)."""
        return cls(settings, embedder or load_embedder(settings.model, settings.offline))

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

    def authorities(self) -> list[tuple[str, str]]:
        """(authority, document) for every CQC report in the index."""
        return [(r["authority"], r["name"]) for r in self.store.documents() if r["authority"]]

    def published(self) -> dict[str, str | None]:
        """Publication date of every document, by file name."""
        return {r["name"]: r["published"] for r in self.store.documents()}

    def compare(self, question: str, authorities: list[str] | None = None,
                filters: Filters | None = None, mode: str = "hybrid+") -> list[CompareRow]:
        """Answer ``question`` inside each authority's own report; never across reports."""
        base = filters or Filters()
        rows = []
        wanted = {a.lower() for a in authorities or []}
        known = self.authorities()
        if wanted:
            missing = wanted - {a.lower() for a, _ in known}
            if missing:
                raise KbError(f"no report in the index for {', '.join(sorted(missing))}; "
                              f"known authorities: {', '.join(a for a, _ in known)}")
        dates = self.published()
        for authority, document in known:
            if wanted and authority.lower() not in wanted:
                continue
            scoped = Filters(documents=(document,), themes=base.themes, statements=base.statements,
                             scores=base.scores, ratings=base.ratings)
            answer = self.answerer.ask(question, filters=scoped, mode=mode)
            if answer.abstained:
                answer = Answer(question, NO_EVIDENCE, True, (), answer.hits, answer.confidence)
            score = None
            if answer.citations and answer.citations[0].statement is not None \
                    and answer.citations[0].statement_score is not None:
                score = {"quality_statement": answer.citations[0].statement,
                         "value": answer.citations[0].statement_score}
            rows.append(CompareRow(authority, document, answer, score, published=dates.get(document)))
        return rows

    def scores(self) -> list[ReportRow]:
        return score_table(self.store)


def build_index(settings: Settings, full: bool = False, embedder: Embedder | None = None,
                progress: ProgressFn | None = None) -> ReindexResult:
    """Reindex the corpus (incremental unless ``full``)."""
    return reindex(settings, full=full, embedder=embedder, progress=progress)
