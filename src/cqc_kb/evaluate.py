"""``cqc-kb eval``: retrieval and answer quality of each configuration on a gold question file.

A gold line is ``{"q": str, "expect": [str], "authority": str | null}``; an empty ``expect``
marks a question the reports cannot answer. Configurations:

* ``bm25``, ``dense``, ``hybrid``, ``hybrid+``: the retrieval modes of the index the settings
  point to, answered by the normal answerer;
* ``naive``: a baseline shaped like popular RAG frameworks' defaults: ~1000-token chunks with
  no overlap and no heading context, dense retrieval only, top 5, and the answer is the top
  passage's sentence closest in meaning to the question, with no abstention. It is built as a
  separate index in the user cache folder and reused while the corpus is unchanged. The
  chunker stays section-aware (a chunk never crosses a heading), so its chunks are "up to 1000
  tokens within a section" rather than blind fixed windows.

Metrics (see docs/evaluation.md): hit@1/3/5 and MRR@10 of retrieval over the whole corpus,
where a passage counts when it contains an expected string (whitespace, dash and case
normalised) and, if the gold line names an authority, comes from that authority's report;
answer accuracy, citation validity, abstention on unanswerable and false abstention on
answerable questions, and ask latency. Questions are asked with the gold line's authority as a
filter, as a user of the app filtering to one council would ("within a council").

Questions whose text names no council are also asked a second time with no filter at all, over
the whole library, as a user who does not pick a council would ("unscoped"): an answerable one
counts as right when the grouped answer holds the asked council's correct evidence (a quote from
that council's report holding an expected string); an unanswerable one should abstain. The same
question may appear once per council in the gold files, each line grading its own council.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from .errors import KbError
from .records import Answer, Citation, Hit
from .retrieve import MODES, Filters
from .settings import PROJECT_ROOT, Settings
from .text import normalise

if TYPE_CHECKING:
    from .kb import KnowledgeBase

CONFIGS = (*MODES, "naive")
#: Cut-offs reported as hit@k, and the depth that MRR looks at.
HIT_KS = (1, 3, 5)
MRR_DEPTH = 10
NAIVE_TOP_K = 5


@dataclass(frozen=True)
class GoldItem:
    """One gold question; ``expect`` empty means the reports do not answer it."""

    q: str
    expect: tuple[str, ...]
    authority: str | None

    @property
    def answerable(self) -> bool:
        return bool(self.expect)


@dataclass
class QuestionResult:
    """What one configuration did with one gold question."""

    q: str
    authority: str | None
    answerable: bool
    rank: int | None  # 1-based rank of the first relevant passage within MRR_DEPTH
    correct: bool | None  # None for unanswerable questions
    abstained: bool
    confidence: float
    citations: int
    valid_citations: int
    latency_ms: float
    answer: str
    #: Asked again with no filter (only when the question names no council); None otherwise.
    unscoped_correct: bool | None = None
    unscoped_abstained: bool | None = None
    unscoped_latency_ms: float | None = None
    #: Rank of the first relevant passage when the search is filtered to the gold line's council
    #: (the passages its answer is chosen from); None when not measured or not in the top 10.
    council_rank: int | None = None


@dataclass
class ConfigResult:
    """Aggregate metrics of one configuration, with its per-question results."""

    config: str
    metrics: dict[str, float | int | None]
    questions: list[QuestionResult] = field(default_factory=list)

    def to_json(self, with_questions: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"config": self.config, **self.metrics}
        if with_questions:
            out["details"] = [asdict(r) for r in self.questions]
        return out


def load_gold(path: Path) -> list[GoldItem]:
    """Read a gold JSON-lines file, failing with the line number on a malformed line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise KbError(f"cannot read gold file {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise KbError(f"gold file {path} is not valid UTF-8 (at byte {exc.start}); save it as UTF-8") from None
    items = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            items.append(GoldItem(q=str(row["q"]), expect=tuple(row.get("expect") or ()),
                                  authority=row.get("authority")))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise KbError(f"{path}:{n}: not a gold line ({exc}); expected "
                          '{"q": str, "expect": [str], "authority": str|null}') from None
    if not items:
        raise KbError(f"gold file {path} holds no questions")
    return items


# --- metric functions -------------------------------------------------------------------------

def contains_expected(text: str, expect: Iterable[str]) -> bool:
    """Does ``text`` contain any expected string once case, spaces and dashes are normalised?"""
    hay = normalise(text)
    return any(normalise(e) in hay for e in expect)


def relevant(hit: Hit, item: GoldItem) -> bool:
    """A passage is relevant when it holds an expected string in the asked-about report."""
    if item.authority is not None and hit.authority != item.authority:
        return False
    return contains_expected(hit.text, item.expect)


def first_relevant_rank(hits: Sequence[Hit], item: GoldItem) -> int | None:
    """1-based position of the first relevant passage, or None."""
    return next((i for i, h in enumerate(hits, start=1) if relevant(h, item)), None)


def hit_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None, depth: int = MRR_DEPTH) -> float:
    return 1.0 / rank if rank is not None and rank <= depth else 0.0


def answer_correct(answer: Answer, item: GoldItem) -> bool:
    """An answer is right when it, or one of its quotes, holds an expected string."""
    if answer.abstained:
        return False
    return contains_expected(answer.answer, item.expect) or any(
        contains_expected(c.quote, item.expect) for c in answer.citations)


def unscoped_correct(answer: Answer, item: GoldItem) -> bool:
    """A library-wide answer is right for ``item`` when one of its quotes from the asked
    council's report (in a group or in the flat answer) holds an expected string."""
    if answer.abstained:
        return False
    citations = [*answer.citations, *(c for g in answer.groups for c in g.citations)]
    return any(contains_expected(c.quote, item.expect) for c in citations
               if item.authority is None or c.authority == item.authority)


def valid_citations(answer: Answer, document_text: Callable[[str], str]) -> int:
    """How many of the answer's quotes are exactly the stored text at their offsets."""
    valid = 0
    for c in answer.citations:
        try:
            text = document_text(c.document)
        except KeyError:
            continue
        if 0 <= c.start <= c.end <= len(text) and text[c.start:c.end] == c.quote:
            valid += 1
    return valid


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile: the value at or below which ``p`` per cent of values lie."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summarise(config: str, results: list[QuestionResult]) -> ConfigResult:
    """Aggregate per-question results into the reported metrics."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    cited = sum(r.citations for r in results)
    latencies = [r.latency_ms for r in results] + [r.unscoped_latency_ms for r in results
                                                   if r.unscoped_latency_ms is not None]
    unscoped = [r for r in answerable if r.unscoped_correct is not None]
    unscoped_unans = [r for r in unanswerable if r.unscoped_abstained is not None]

    def mean(values: Iterable[float]) -> float | None:
        values = list(values)
        return round(statistics.fmean(values), 4) if values else None

    metrics: dict[str, float | int | None] = {
        "questions": len(results), "answerable": len(answerable), "unanswerable": len(unanswerable),
        **{f"hit@{k}": mean(hit_at(r.rank, k) for r in answerable) for k in HIT_KS},
        # A question asked of every council ranks six councils' passages on the same topic
        # together, so at most five of them can be in an unfiltered top 5: filtered to the
        # asked council, the search is the one its (grouped or scoped) answer is chosen from.
        "hit@5_council": mean(hit_at(r.council_rank if r.authority else r.rank, 5) for r in answerable),
        f"mrr@{MRR_DEPTH}": mean(reciprocal_rank(r.rank) for r in answerable),
        "answer_accuracy": mean(1.0 if r.correct else 0.0 for r in answerable),
        "citation_validity": round(sum(r.valid_citations for r in results) / cited, 4) if cited else None,
        "citations": cited,
        "abstention_unanswerable": mean(1.0 if r.abstained else 0.0 for r in unanswerable),
        "false_abstention": mean(1.0 if r.abstained else 0.0 for r in answerable),
        "unscoped_questions": len(unscoped),
        "unscoped_evidence": mean(1.0 if r.unscoped_correct else 0.0 for r in unscoped),
        "unscoped_abstention": mean(1.0 if r.unscoped_abstained else 0.0 for r in unscoped_unans),
        "latency_mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
        "latency_p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
    }
    return ConfigResult(config, metrics, results)


def threshold_sweep(results: Sequence[QuestionResult]) -> list[dict[str, float]]:
    """What each abstention threshold would do, from results gathered with abstention off.

    A question abstains under threshold ``t`` when its confidence is below ``t``; candidate
    thresholds sit just above each observed confidence, so every distinct outcome is listed.
    """
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    if not answerable or not unanswerable:
        raise KbError("calibrating abstention needs both answerable and unanswerable gold questions")
    cuts = sorted({0.0, *(round(r.confidence + 0.005, 2) for r in results)})
    rows = []
    for t in cuts:
        rows.append({
            "threshold": t,
            "abstention_unanswerable": sum(r.confidence < t for r in unanswerable) / len(unanswerable),
            "false_abstention": sum(r.confidence < t for r in answerable) / len(answerable),
            "answer_accuracy": sum(bool(r.correct) and r.confidence >= t for r in answerable) / len(answerable),
        })
    return rows


def choose_threshold(sweep: Sequence[dict[str, float]], max_false_abstention: float = 0.05) -> dict[str, float]:
    """The threshold that abstains on most unanswerable questions while wrongly abstaining on at
    most ``max_false_abstention`` of answerable ones; ties go to accuracy, then the lower value.

    Why this objective: a missed abstention still shows quoted, checkable evidence, while a
    false abstention hides an answer that the reports hold.
    """
    allowed = [row for row in sweep if row["false_abstention"] <= max_false_abstention]
    return max(allowed, key=lambda r: (r["abstention_unanswerable"], r["answer_accuracy"], -r["threshold"]))


# --- running a configuration ------------------------------------------------------------------

AskFn = Callable[[str, Filters], Answer]
SearchFn = Callable[[str], list[Hit]]


def run_config(config: str, items: Sequence[GoldItem], search: SearchFn, ask: AskFn,
               document_text: Callable[[str], str],
               names_council: Callable[[str], bool] | None = None,
               search_council: Callable[[str, Filters], list[Hit]] | None = None) -> ConfigResult:
    """Ask every gold question through ``search`` and ``ask`` and score what comes back.

    With ``search_council``, an answerable question tied to a council is also searched with
    that council as a filter ("hit@5 (own report)").

    With ``names_council``, a question tied to a council whose text names none is asked a
    second time with no filter (the library-wide, grouped answer) and graded on that council.
    """
    results = []
    for item in items:
        hits = search(item.q)
        filters = Filters(authorities=(item.authority,)) if item.authority else Filters()
        started = time.perf_counter()
        answer = ask(item.q, filters)
        latency = (time.perf_counter() - started) * 1000
        result = QuestionResult(
            q=item.q, authority=item.authority, answerable=item.answerable,
            rank=first_relevant_rank(hits, item) if item.answerable else None,
            correct=answer_correct(answer, item) if item.answerable else None,
            abstained=answer.abstained, confidence=round(float(answer.confidence), 4),
            citations=len(answer.citations), valid_citations=valid_citations(answer, document_text),
            latency_ms=round(latency, 2), answer=answer.answer)
        if search_council is not None and item.authority and item.answerable:
            result.council_rank = first_relevant_rank(
                search_council(item.q, Filters(authorities=(item.authority,))), item)
        if names_council is not None and item.authority and not names_council(item.q):
            started = time.perf_counter()
            wide = ask(item.q, Filters())
            result.unscoped_latency_ms = round((time.perf_counter() - started) * 1000, 2)
            result.unscoped_abstained = wide.abstained
            result.unscoped_correct = unscoped_correct(wide, item) if item.answerable else None
            grouped = [*wide.citations, *(c for g in wide.groups for c in g.citations)]
            result.citations += len(grouped)
            result.valid_citations += valid_citations(replace(wide, citations=tuple(grouped)), document_text)
        results.append(result)
    return summarise(config, results)


def evaluate_mode(kb: KnowledgeBase, items: Sequence[GoldItem], mode: str) -> ConfigResult:
    """One retrieval mode of an open :class:`~cqc_kb.kb.KnowledgeBase`."""
    # Warm-up outside the timing: the first query pays for lazy idf tables and model start.
    kb.ask(items[0].q, mode=mode)
    return run_config(mode, items,
                      search=lambda q: kb.search(q, k=MRR_DEPTH, mode=mode),
                      ask=lambda q, f: kb.ask(q, filters=f, mode=mode),
                      document_text=kb.store.document_text,
                      names_council=lambda q: bool(kb.answerer.parse(q).councils),
                      search_council=lambda q, f: kb.search(q, k=MRR_DEPTH, filters=f, mode=mode))


def naive_settings(settings: Settings) -> Settings:
    """Settings of the naive baseline's own index, cached per main index and model."""
    key = hashlib.sha256(f"{settings.index.resolve()}|{settings.model}".encode()).hexdigest()[:12]
    return settings.replace(chunk_tokens=1000, chunk_overlap=0, embed_headings=False,
                            top_k=NAIVE_TOP_K, index=_cache_dir() / f"naive-{key}")


def _cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "cqc-kb" / "eval"


def naive_ask(kb: KnowledgeBase, question: str, filters: Filters) -> Answer:
    """Dense top-5, then the top passage's sentence nearest the question; never abstains."""
    qvec = kb.retriever.embed_query(question)
    hits = kb.retriever.search(question, k=NAIVE_TOP_K, filters=filters, mode="dense", qvec=qvec)
    if not hits:
        return Answer(question, "", True, (), ())
    top = hits[0]
    sentences = kb.store.sentences_in(top.document, top.start, top.end)
    if not sentences:
        return Answer(question, top.text, False, (), tuple(hits))
    similarity = kb.store.sentence_vectors_for([sid for sid, _, _ in sentences]) @ qvec
    best = int(similarity.argmax())
    _, start, end = sentences[best]
    quote = kb.store.document_text(top.document)[start:end]
    citation = Citation(n=1, quote=quote, document=top.document, authority=top.authority,
                        section=top.section, page=top.page, start=start, end=end,
                        statement=top.statement, statement_score=top.statement_score)
    return Answer(question, f"{' '.join(quote.split())} [1]", False, (citation,), tuple(hits),
                  float(similarity[best]))


def evaluate_naive(settings: Settings, items: Sequence[GoldItem], note: Callable[[str], None]) -> ConfigResult:
    """Build (or reuse) the naive index and evaluate the naive baseline on it."""
    from .kb import KnowledgeBase, build_index

    naive = naive_settings(settings)
    result = build_index(naive)
    if result.changed:
        note(f"built the naive baseline index in {naive.index} ({result.chunks} passages, "
             f"{result.seconds:.0f} s)")
    for name, reason in result.skipped:
        note(f"naive index skipped {name!r}: {reason}")
    kb = KnowledgeBase.open(naive)
    try:
        naive_ask(kb, items[0].q, Filters())  # warm-up, as for the other configurations
        return run_config("naive", items,
                          search=lambda q: kb.search(q, k=MRR_DEPTH, mode="dense"),
                          ask=lambda q, f: naive_ask(kb, q, f),
                          document_text=kb.store.document_text,
                          names_council=lambda q: bool(kb.answerer.parse(q).councils),
                          search_council=lambda q, f: kb.search(q, k=MRR_DEPTH, filters=f, mode="dense"))
    finally:
        kb.close()


def evaluate(settings: Settings, items: Sequence[GoldItem], configs: Sequence[str],
             note: Callable[[str], None] = lambda _: None) -> list[ConfigResult]:
    """Run each configuration in ``configs`` on ``items``."""
    from .kb import KnowledgeBase

    results = []
    modes = [c for c in configs if c in MODES]
    if modes:
        kb = KnowledgeBase.open(settings)
        try:
            known = {a for a, _ in kb.authorities()}
            missing = sorted({i.authority for i in items if i.authority and i.authority not in known})
            if missing:
                note(f"the index has no report for {', '.join(missing)}: their questions will score 0. "
                     "Evaluate on the eval corpus (scripts/run_eval.py builds it)")
            results.extend(evaluate_mode(kb, items, mode) for mode in modes)
        finally:
            kb.close()
    if "naive" in configs:
        results.append(evaluate_naive(settings, items, note))
    return results


# --- preparing the evaluation corpus ----------------------------------------------------------

def prepare_eval_corpus(dest: Path) -> list[Path]:
    """Put the real report and the three fictional fixtures (txt, PDF, HTML) into ``dest``.

    Files are written only when their bytes change (the fixture builder is deterministic), so
    an index over ``dest`` stays up to date between runs.
    """
    real = PROJECT_ROOT / "corpus" / "stockton-on-tees.txt"
    builder = PROJECT_ROOT / "tests" / "fixtures"
    if not real.is_file() or not (builder / "build_fixtures.py").is_file():
        raise KbError(f"the evaluation corpus needs a source checkout ({real} and "
                      f"{builder / 'build_fixtures.py'})")
    sys.path.insert(0, str(builder))
    try:
        from build_fixtures import build_fixture_corpus
    finally:
        sys.path.remove(str(builder))
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp)
        shutil.copy(real, staging / real.name)
        build_fixture_corpus(staging)
        written = []
        for path in sorted(staging.iterdir()):
            target = dest / path.name
            if not target.exists() or target.read_bytes() != path.read_bytes():
                shutil.copyfile(path, target)
            written.append(target)
    return written


# --- output -----------------------------------------------------------------------------------

_COLUMNS = (("config", "config"), ("hit@1", "hit@1"), ("hit@3", "hit@3"), ("hit@5", "hit@5"),
            ("hit@5_council", "hit@5 (own report)"), (f"mrr@{MRR_DEPTH}", f"MRR@{MRR_DEPTH}"),
            ("answer_accuracy", "answer acc (council)"),
            ("unscoped_evidence", "unscoped evidence"),
            ("citation_validity", "citations valid"), ("abstention_unanswerable", "abstain (unans.)"),
            ("false_abstention", "false abstain"), ("unscoped_abstention", "unscoped abstain"),
            ("latency_mean_ms", "mean ms"),
            ("latency_p95_ms", "p95 ms"))


def table(results: Sequence[ConfigResult]) -> str:
    """A Markdown table of the configurations' metrics, one row each."""
    def cell(key: str, value: Any) -> str:
        if value is None:
            return "n/a"
        if key.startswith("latency"):
            return f"{value:.0f}"
        return value if key == "config" else f"{value:.3f}"

    lines = ["| " + " | ".join(label for _, label in _COLUMNS) + " |",
             "|" + "|".join("---" for _ in _COLUMNS) + "|"]
    for r in results:
        row = {"config": r.config, **r.metrics}
        lines.append("| " + " | ".join(cell(key, row[key]) for key, _ in _COLUMNS) + " |")
    return "\n".join(lines)


def main(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of ``cqc-kb eval``."""
    config = args.config
    if config != "all" and config not in CONFIGS:
        raise KbError(f"unknown configuration {config!r}; choose from {', '.join(CONFIGS)} or all")
    configs = CONFIGS if config == "all" else (config,)
    items = load_gold(Path(args.gold))
    quiet = getattr(args, "quiet", False)
    results = evaluate(settings, items, configs,
                       note=(lambda _: None) if quiet else (lambda m: print(f"note: {m}", file=sys.stderr)))
    if args.json:
        print(json.dumps({"gold": str(args.gold), "index": str(settings.index), "model": settings.model,
                          "abstain_threshold": settings.abstain_threshold,
                          "configs": {r.config: r.to_json() for r in results}}, ensure_ascii=False))
    else:
        n = len(items)
        unanswerable = sum(not i.answerable for i in items)
        print(f"{args.gold}: {n} questions ({n - unanswerable} answerable, {unanswerable} unanswerable); "
              f"index {settings.index}, model {settings.model}\n")
        print(table(results))
    return 0
