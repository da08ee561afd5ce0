"""Hybrid retrieval: FAISS dense search and SQLite FTS5 BM25, fused by reciprocal rank fusion.

Retrieval configurations (``mode``) exist so that the evaluation can compare them in one run:

* ``bm25``: FTS5 BM25 only
* ``dense``: FAISS inner product only
* ``hybrid``: both, fused by RRF
* ``hybrid+``: hybrid plus the refinements below (the default)

Refinements: a boost for chunks of the council a question names (whose name is then left out of
the embedded query), for chunks holding a number the question gives, for chunks under the
quality statement or theme it names, for passages naming the service it names (advocacy,
reablement ...), for the few passages of a report holding every key word of the question, and
for passages carrying figures when it asks for one;
a demotion of passages made of the report template (text found word for word in other
councils' reports); durations also in the other unit ("four weeks" -> "28") and a third, half
weight BM25 list with the reports' paraphrases of the question's words; and removal of hits
whose span mostly repeats a better-ranked hit (chunks overlap). Their measured effect is in
docs/evaluation.md.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Iterator, Sequence

import faiss
import numpy as np

from .assessments import LATEST, excluded_documents
from .embed import Embedder
from .records import Hit
from .query import (SUBJECTS, Question, named_authorities, named_statement, named_theme, paraphrase_words,
                    parse_question, wants_figure, without_authorities)
from .settings import Settings
from .store import Store, split_facts
from .text import STOPWORDS, stem, words

MODES = ("bm25", "dense", "hybrid", "hybrid+")

#: The question parsers live in :mod:`cqc_kb.query`; they are re-exported here for callers
#: that import them from retrieval.
__all__ = ["MODES", "Filters", "Retriever", "named_authorities", "named_statement", "named_theme",
           "wants_figure"]


#: What a passage carrying each kind of figure looks like (a cheap test for retrieval boosts).
_KIND_SIGNATURES = {
    "residents": re.compile(r"\d[\d,]* (residents|people live)|population of (about |around |an estimated )?\d", re.I),
    "percent": re.compile(r"\d\s?%|\d per ?cent", re.I),
    "money": re.compile(r"£\s?\d"),
    "days": re.compile(r"\d (working )?(days?|weeks?|months?|hours?)\b", re.I),
    "date": re.compile(r"\b(january|february|march|april|may|june|july|august|september|october|november|"
                       r"december) (19|20)\d\d\b", re.I),
}


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval; empty tuples mean no restriction."""

    documents: tuple[str, ...] = ()
    authorities: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    statements: tuple[str, ...] = ()
    scores: tuple[int, ...] = ()
    ratings: tuple[str, ...] = ()
    #: Which assessment of each council: "latest", "all" or a date YYYY-MM-DD (the one current
    #: on that date); see :mod:`cqc_kb.assessments`. Documents named in ``documents`` are used
    #: whatever their date.
    assessments: str = LATEST

    def empty(self) -> bool:
        """No restriction beyond the choice of assessments."""
        return not any((self.documents, self.authorities, self.themes, self.statements,
                        self.scores, self.ratings))


#: A document's dense hits (chunk id, cosine), lexical hits, lexical hits of the query with
#: the reports' paraphrases, and passages holding every key word of the question (chunk ids),
#: each best first.
Candidates = tuple[list[tuple[int, float]], list[int], list[int], list[int]]

#: What a passage holding every key word of the question (COVERAGE_MIN_TERMS or more) gains,
#: in RRF units, when at most COVERAGE_MAX_PER_REPORT passages of its report hold them all.
COVERAGE_BOOST = 0.25
COVERAGE_MIN_TERMS = 3
COVERAGE_MAX_PER_REPORT = 3
#: What a passage naming a service the question names gains, in RRF units.
SUBJECT_BOOST = 0.25


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """Search one query on one thread: OpenMP threads only wait on each other for a single
    query, and on a busy machine two threads were tens of times slower than one (see
    docs/scaling.md)."""
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(threads)


@dataclass
class Retriever:
    """Searches one open :class:`Store` with one embedder."""

    store: Store
    embedder: Embedder
    settings: Settings
    _df: Counter | None = field(default=None, init=False, repr=False)
    _n: int = field(default=1, init=False, repr=False)
    _authorities: list[str] | None = field(default=None, init=False, repr=False)
    _owner: dict[int, str] | None = field(default=None, init=False, repr=False)
    _excluded: dict[str, frozenset[str]] = field(default_factory=dict, init=False, repr=False)
    #: Share of each chunk's text that is report template, counted when first seen.
    _template: dict[int, float] = field(default_factory=dict, init=False, repr=False)
    #: Allowed ids when only the choice of assessments filters: the default path of every query.
    _by_assessments: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False)

    def authorities(self) -> list[str]:
        """Authorities with a report in the index (read once: a store never changes)."""
        if self._authorities is None:
            self._authorities = [r["authority"] for r in self.store.documents() if r["authority"]]
        return self._authorities

    def excluded(self, assessments: str) -> frozenset[str]:
        """Reports the ``assessments`` choice leaves out (read once per choice)."""
        if assessments not in self._excluded:
            self._excluded[assessments] = excluded_documents(self.store, assessments)
        return self._excluded[assessments]

    def allowed_ids(self, filters: Filters) -> np.ndarray | None:
        """Chunk ids that pass the filters, or None when nothing is filtered (as when no
        council has a superseded report and no other filter is set)."""
        excluded = () if filters.documents else sorted(self.excluded(filters.assessments))
        if filters.empty():
            if not excluded:
                return None
            if filters.assessments in self._by_assessments:
                return self._by_assessments[filters.assessments]
        clauses, params = ["1"], []
        if excluded:
            clauses.append(f"c.document NOT IN ({','.join('?' * len(excluded))})")
            params.extend(excluded)
        for column, values in (("c.document", filters.documents), ("d.authority", filters.authorities),
                               ("c.theme", filters.themes), ("c.statement", filters.statements),
                               ("s.score", filters.scores), ("d.rating", filters.ratings)):
            if values:
                clauses.append(f"{column} IN ({','.join('?' * len(values))})")
                params.extend(values)
        rows = self.store.db.execute(
            "SELECT c.id FROM chunks c JOIN documents d ON d.name = c.document"
            " LEFT JOIN statements s ON s.document = c.document AND s.name = c.statement"
            f" WHERE {' AND '.join(clauses)}", params).fetchall()
        allowed = np.asarray([r[0] for r in rows], dtype=np.int64)
        if filters.empty():
            self._by_assessments[filters.assessments] = allowed
        return allowed

    def embed_query(self, query: str) -> np.ndarray:
        return self.embedder.encode_query(query)

    def query_vector(self, query: str, mode: str) -> np.ndarray:
        """The query's embedding; hybrid+ embeds it without the council's name, because the
        name pulls the vector towards that report's introduction rather than the topic (the
        name is used as a boost instead, see :meth:`_refine`)."""
        return self.embed_query(self.topic(query) if mode == "hybrid+" else query)

    def topic(self, query: str) -> str:
        """The query with the names of the authorities it names taken out."""
        return without_authorities(query, self.authorities())

    def parse(self, query: str) -> Question:
        """The query parsed once (see :mod:`cqc_kb.query`), councils of this index recognised."""
        return parse_question(query, self.authorities())

    def dense(self, qvec: np.ndarray, n: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        if self.store.vectors.ntotal == 0 or (allowed is not None and len(allowed) == 0):
            return []
        params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed)) if allowed is not None else None
        with _one_thread():
            scores, ids = self.store.vectors.search(qvec.reshape(1, -1).astype(np.float32), n, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def lexical(self, query: str, n: int, allowed: np.ndarray | None) -> list[int]:
        terms = [w for w in dict.fromkeys(words(query)) if w not in STOPWORDS and len(w) > 1]
        if not terms or (allowed is not None and len(allowed) == 0):
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        sql = "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ?"
        params: list = [match]
        if allowed is not None:
            # One JSON parameter, not one per id: SQLite caps the number of parameters, and
            # leaving out superseded reports can allow most of a large library's passages.
            # "+rowid" keeps the id list a filter on the full-text matches: as a plain rowid
            # constraint SQLite runs the MATCH once per allowed id, which took seconds once a
            # library's superseded reports or a theme filter allowed thousands of ids.
            sql += " AND +rowid IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(allowed.tolist()))
        # Section headings count for less than the passage itself.
        sql += " ORDER BY bm25(chunks_fts, 1.0, 0.4) LIMIT ?"
        params.append(n)
        return [r[0] for r in self.store.db.execute(sql, params).fetchall()]

    @staticmethod
    def coverage_query(parsed: Question | None) -> str | None:
        """An FTS5 query matching passages that hold every key word of the question (each as
        written or as one of the reports' paraphrases of it), or None when it has fewer than
        :data:`COVERAGE_MIN_TERMS`: two words single out too little."""
        if parsed is None or len(parsed.key_terms) < COVERAGE_MIN_TERMS:
            return None
        groups = []
        for term in parsed.key_terms:
            written = [w for w in dict.fromkeys(words(parsed.topic)) if stem(w) == term]
            options = dict.fromkeys([*written, *(p for w in written for p in paraphrase_words(w) if p.isalpha())])
            if not options:
                return None
            groups.append("(" + " OR ".join('"' + o.replace('"', '""') + '"' for o in options) + ")")
        return " AND ".join(groups)

    def lexical_all(self, match: str, n: int, allowed: np.ndarray | None) -> list[int]:
        """Passages matching the FTS5 expression ``match`` (see :meth:`coverage_query`), best first."""
        if allowed is not None and len(allowed) == 0:
            return []
        sql = "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ?"
        params: list = [match]
        if allowed is not None:
            sql += " AND +rowid IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(allowed.tolist()))
        sql += " ORDER BY bm25(chunks_fts, 1.0, 0.4) LIMIT ?"
        params.append(n)
        return [r[0] for r in self.store.db.execute(sql, params).fetchall()]

    def cosine(self, qvec: np.ndarray, ids: Sequence[int]) -> dict[int, float]:
        """Query-passage cosine for given chunk ids (reconstructed from the FAISS store)."""
        out = {}
        for i in ids:
            try:
                out[i] = float(np.dot(self.store.vectors.reconstruct(int(i)), qvec))
            except RuntimeError:
                out[i] = 0.0
        return out

    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               mode: str = "hybrid+", qvec: np.ndarray | None = None,
               parsed: Question | None = None, candidates: Candidates | None = None) -> list[Hit]:
        """Top ``k`` chunks for ``query`` under ``filters`` using retrieval ``mode``; ``parsed``
        is the query already parsed (parsed here when not given). ``candidates`` are the dense
        and lexical lists already found for these filters (see :meth:`candidates_by_document`);
        without them both searches run here.
        """
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; choose from {', '.join(MODES)}")
        k = k or self.settings.top_k
        filters = filters or Filters()
        allowed = self.allowed_ids(filters) if candidates is None else None
        n = max(self.settings.candidates, k * 4)
        fused: dict[int, float] = {}
        dense_scores: dict[int, float] = {}
        lexical_ranks: dict[int, int] = {}
        if mode != "bm25":
            qvec = self.query_vector(query, mode) if qvec is None else qvec
            found = self.dense(qvec, n, allowed) if candidates is None else candidates[0]
            for rank, (cid, score) in enumerate(found, start=1):
                dense_scores[cid] = score
                fused[cid] = fused.get(cid, 0.0) + 1.0 / (self.settings.rrf_k + rank)
        if mode == "hybrid+":
            parsed = parsed or self.parse(query)
        if mode != "dense":
            lexical_query, paraphrased = self.lexical_queries(query, mode, parsed)
            found_ids = self.lexical(lexical_query, n, allowed) if candidates is None else candidates[1]
            for rank, cid in enumerate(found_ids, start=1):
                lexical_ranks[cid] = rank
                fused[cid] = fused.get(cid, 0.0) + 1.0 / (self.settings.rrf_k + rank)
            if paraphrased:
                # The reports' words for the question's ("abuse" -> "safeguarding", "happy" ->
                # "satisfied") rank a third list, at half weight: a paraphrase is a weaker sign.
                found_ids = self.lexical(paraphrased, n, allowed) if candidates is None else candidates[2]
                for rank, cid in enumerate(found_ids, start=1):
                    fused[cid] = fused.get(cid, 0.0) + 0.5 / (self.settings.rrf_k + rank)
        query_all = self.coverage_query(parsed) if mode == "hybrid+" else None
        if query_all:
            # A passage holding every key word of the question ("performance clinics" besides
            # "waiting lists") is about what was asked, even where common words rank others first
            # ... but only where few passages of a report do: where many do, the key words are
            # that report's common vocabulary ("short", "term") and single nothing out. All
            # matches are counted, so that the count is the same whatever the filter.
            owner = self._chunk_documents()
            covering = self.lexical_all(query_all, max(1, len(owner)), allowed) if candidates is None \
                else candidates[3]
            per_report = Counter(owner.get(cid) for cid in covering)
            for cid in covering:
                if per_report[owner.get(cid)] <= COVERAGE_MAX_PER_REPORT:
                    fused[cid] = fused.get(cid, 0.0) + COVERAGE_BOOST / (self.settings.rrf_k + 1)
        if not fused:
            return []
        rows = self.store.chunk_rows(list(fused))
        if mode == "hybrid+":
            self._refine(parsed, fused, rows)
        order = sorted(fused, key=lambda c: (-fused[c], c))
        if mode == "hybrid+":
            order = self._dedupe(order, rows, limit=k)
        order = order[:k]
        if qvec is not None:
            missing = [c for c in order if c not in dense_scores]
            dense_scores.update(self.cosine(qvec, missing))
        return [self._hit(rank, rows[c], fused[c], dense_scores.get(c), lexical_ranks.get(c))
                for rank, c in enumerate(order, start=1)]

    def lexical_queries(self, query: str, mode: str, parsed: Question | None) -> tuple[str, str | None]:
        """The BM25 query and, in hybrid+, the same with the reports' paraphrases of its words
        (None when there are none). In hybrid+ durations in the other unit ("four weeks" ->
        "28") are words of the query too."""
        if mode != "hybrid+":
            return query, None
        parsed = parsed or self.parse(query)
        lexical_query = query + "".join(f" {n}" for n in parsed.numbers if n not in words(query))
        extra = paraphrase_words(query)
        return lexical_query, f"{lexical_query} {' '.join(extra)}" if extra else None

    def candidates_by_document(self, query: str, qvec: np.ndarray | None, documents: Sequence[str],
                               filters: Filters | None = None, mode: str = "hybrid+",
                               k: int | None = None) -> dict[str, Candidates]:
        """Each document's own dense and lexical candidate lists, from one search of each kind
        over the whole index, grouped by document.

        Both rankings are global (inner product; BM25 with corpus-wide statistics), so a
        document's share of them, in order, is what a search filtered to that document alone
        finds: one pass instead of one search per document.
        """
        k = k or self.settings.top_k
        n = max(self.settings.candidates, k * 4)
        allowed = self.allowed_ids(filters or Filters())
        owner = self._chunk_documents()
        dense: dict[str, list[tuple[int, float]]] = {d: [] for d in documents}
        lexical: dict[str, list[int]] = {d: [] for d in documents}
        paraphrased: dict[str, list[int]] = {d: [] for d in documents}
        covering: dict[str, list[int]] = {d: [] for d in documents}
        if mode != "bm25" and qvec is not None:
            for cid, score in self.dense(qvec, self.store.vectors.ntotal, allowed):
                bucket = dense.get(owner.get(cid, ""))
                if bucket is not None and len(bucket) < n:
                    bucket.append((cid, score))
        if mode != "dense":
            for text, lists in zip(self.lexical_queries(query, mode, None), (lexical, paraphrased)):
                for cid in self.lexical(text, max(1, len(owner)), allowed) if text else ():
                    ids = lists.get(owner.get(cid, ""))
                    if ids is not None and len(ids) < n:
                        ids.append(cid)
        query_all = self.coverage_query(self.parse(query)) if mode == "hybrid+" else None
        for cid in self.lexical_all(query_all, max(1, len(owner)), allowed) if query_all else ():
            ids = covering.get(owner.get(cid, ""))
            if ids is not None:
                ids.append(cid)
        return {d: (dense[d], lexical[d], paraphrased[d], covering[d]) for d in documents}

    def _chunk_documents(self) -> dict[int, str]:
        """Chunk id -> document name (read once: a store never changes)."""
        if self._owner is None:
            self._owner = dict(self.store.db.execute("SELECT id, document FROM chunks").fetchall())
        return self._owner

    def _refine(self, parsed: Question, fused: dict[int, float], rows: dict) -> None:
        """Boost chunks of the authority, statement or theme the question names, and figures
        when asked."""
        unit = 1.0 / (self.settings.rrf_k + 1)
        statement, theme, figure = parsed.statement, parsed.theme, parsed.figure
        authorities = set(parsed.councils)
        # A figure given in the question ("where was the wait 37 days?") identifies the passage.
        numbers = set(parsed.numbers)
        signature = _KIND_SIGNATURES.get(parsed.kind or "")
        self._template_shares(rows)
        # The services the question names ("advocacy", "reablement"), as the reports word them:
        # a passage about one of them is about what was asked ("an advocate" finds "advocacy").
        asked = set(parsed.subjects)
        for cid, row in rows.items():
            if asked and self._names_subject(asked, row):
                fused[cid] += SUBJECT_BOOST * unit
            if numbers and numbers & set(words(row["text"])):
                fused[cid] += 0.5 * unit
            # Reports share one template, so a passage on the same topic from another council
            # often outranks the named council's own; naming a council is close to filtering.
            if authorities and row["authority"] in authorities:
                fused[cid] += 1.0 * unit
            if statement and row["statement"] == statement:
                fused[cid] += 0.5 * unit
            elif theme and row["theme"] == theme:
                fused[cid] += 0.25 * unit
            # Passages of the report template (CQC's "We statements", "I statements", statement
            # lists) recur in every council's report and say nothing about the council. Only a
            # passage mostly made of it is demoted: one whose own sentences hold the answer
            # beside shared wording is not.
            fused[cid] -= min(1.0, max(0.0, 2 * self.template_share(row) - 1)) * unit
            if figure and re.search(r"\d", row["text"]):
                fused[cid] += 0.25 * unit
                # ... and more when it carries the kind of figure asked for ("202,415 residents").
                if signature is not None and signature.search(row["text"]):
                    fused[cid] += 0.25 * unit

    @staticmethod
    def _names_subject(asked: set[str], row) -> bool:
        """Does the passage's text or section name one of the ``asked`` services? The text's are
        stored at index time; a build without them (or of other code) looks for the asked ones."""
        if row["text_subjects"] is not None:
            named = asked & set(split_facts(row["text_subjects"]))
        else:
            named = {s for s in asked if SUBJECTS[s].search(row["text"])}
        return bool(named) or any(SUBJECTS[s].search(row["section"] or "") for s in asked)

    def template_share(self, row) -> float:
        """Share of a chunk's sentences (by length) found word for word in other councils'
        reports: the report template. 0 on a library of one council."""
        if row["id"] not in self._template:
            self._template_shares({row["id"]: row})
        return self._template[row["id"]]

    def _template_shares(self, rows: dict) -> None:
        """Work out the template share of every chunk in ``rows`` not yet known, with one query
        per report for their sentences and one for which sentences are shared: a comparison
        meets thousands of passages for the first time."""
        todo: dict[str, list] = {}
        for cid, row in rows.items():
            if cid not in self._template:
                todo.setdefault(row["document"], []).append(row)
        spans: dict[int, list[tuple[int, int, int]]] = {}
        for document, doc_rows in todo.items():
            sentences = self.store.sentence_keys_in(document, min(r["start"] for r in doc_rows),
                                                    max(r["end"] for r in doc_rows))
            starts = [s for s, _, _ in sentences]
            for row in doc_rows:
                spans[row["id"]] = [(s, e, key) for s, e, key in
                                    sentences[bisect_left(starts, row["start"]):bisect_right(starts, row["end"])]
                                    if e <= row["end"]]
        if not spans:
            return
        shared = self.store.shared_keys(key for inside in spans.values() for _, _, key in inside)
        for cid, inside in spans.items():
            total = sum(e - s for s, e, _ in inside)
            self._template[cid] = sum(e - s for s, e, key in inside if key in shared) / total if total else 0.0

    def search_grouped(self, query: str, filters: Filters | None = None, mode: str = "hybrid+",
                       qvec: np.ndarray | None = None, parsed: Question | None = None, pool: int = 60,
                       documents: int = 12, per_document: int = 3) -> list[list[Hit]]:
        """One search over every report, its passages grouped by report: the best ``documents``
        reports (by their best passage) with up to ``per_document`` passages each, ranked
        1, 2, ... inside their report. A larger pool than an answer uses, so that each report's
        own evidence is found, not just the few passages that rank first overall."""
        hits = self.search(query, k=pool, filters=filters, mode=mode, qvec=qvec, parsed=parsed)
        grouped: dict[str, list[Hit]] = {}
        for hit in hits:
            group = grouped.setdefault(hit.document, [])
            if len(group) < per_document:
                group.append(replace(hit, rank=len(group) + 1))
        return list(grouped.values())[:documents]

    @staticmethod
    def _dedupe(order: list[int], rows: dict, limit: int | None = None) -> list[int]:
        """``order`` without chunks whose span mostly repeats a kept one; stops at ``limit``."""
        kept: list[int] = []
        spans: dict[str, list[tuple[int, int]]] = {}
        for cid in order:
            if limit is not None and len(kept) >= limit:
                break
            r = rows[cid]
            start, end = r["start"], r["end"]
            length = max(1, end - start)
            same = spans.setdefault(r["document"], [])
            if any(min(e, end) - max(s, start) > 0.5 * length for s, e in same):
                continue
            same.append((start, end))
            kept.append(cid)
            if limit is not None and len(kept) >= limit:
                break
        return kept

    def _hit(self, rank: int, row, score: float, dense: float | None, lexical_rank: int | None) -> Hit:
        return Hit(rank=rank, score=score, chunk_id=row["chunk_id"], document=row["document"],
                   authority=row["authority"], section=row["section"], page=row["page"],
                   start=row["start"], end=row["end"], text=row["text"], theme=row["theme"],
                   statement=row["statement"], statement_score=row["statement_score"],
                   dense=dense, lexical_rank=lexical_rank, published=row["published"])

    def idf(self, term: str) -> float:
        """Inverse chunk frequency of a stemmed term, for sentence scoring (frequencies are
        counted at index time; each term is looked up once)."""
        if self._df is None:
            self._df = Counter()
            self._n = max(1, self.store.chunk_count())
        if term not in self._df:
            self._df[term] = self.store.term_df(term)
        return math.log(1 + (self._n - self._df.get(term, 0) + 0.5) / (self._df.get(term, 0) + 0.5))
