"""Time a full reindex of the shipped corpus and the latency of questions against it.

    python scripts/bench.py                        # default model (all-MiniLM-L6-v2)
    CQC_KB_MODEL=all-mpnet-base-v2 python scripts/bench.py
    python scripts/bench.py --questions 50 --runs 2

The index is built in a temporary folder (the project's own index is not touched). Questions
are the gold questions about the shipped report; latency is measured after a warm-up, one
question at a time, as the app asks them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cqc_kb.embed import load_embedder
from cqc_kb.evaluate import load_gold, percentile
from cqc_kb.kb import KnowledgeBase, build_index
from cqc_kb.settings import PROJECT_ROOT, load_settings

GOLD = (PROJECT_ROOT / "eval" / "gold" / "dev.jsonl", PROJECT_ROOT / "eval" / "gold" / "heldout.jsonl")
WARM_UP = 3


def questions(n: int, authorities: set[str]) -> list[str]:
    """Up to ``n`` gold questions about reports in the index, dev first."""
    found = [i.q for gold in GOLD for i in load_gold(gold) if i.authority in authorities]
    return found[:n]


def stats_ms(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {"mean": statistics.fmean(ms), "p50": statistics.median(ms), "p95": percentile(ms, 95)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=30, help="questions to time (default 30)")
    parser.add_argument("--runs", type=int, default=1, help="full reindexes to time (default 1)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)

    base = load_settings()
    started = time.perf_counter()
    embedder = load_embedder(base.model, base.offline)
    load_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="cqc-kb-bench-") as tmp:
        settings = base.replace(index=Path(tmp) / "index")
        reindex_s, chunks = [], 0
        for _ in range(args.runs):
            result = build_index(settings, full=True, embedder=embedder)
            reindex_s.append(result.seconds)
            chunks = result.chunks
        kb = KnowledgeBase.open(settings, embedder=embedder)
        try:
            asked = questions(args.questions, {a for a, _ in kb.authorities()})
            if not asked:
                raise SystemExit(f"no gold question is about a report in {settings.corpus}")
            for q in asked[:WARM_UP]:
                kb.ask(q)
            ask_s, search_s = [], []
            for q in asked:
                t0 = time.perf_counter()
                kb.search(q)
                t1 = time.perf_counter()
                kb.ask(q)
                t2 = time.perf_counter()
                search_s.append(t1 - t0)
                ask_s.append(t2 - t1)
        finally:
            kb.close()
    report = {"model": settings.model, "corpus": str(settings.corpus), "chunks": chunks,
              "model_load_s": round(load_s, 2),
              "reindex_s": {"runs": [round(s, 2) for s in reindex_s], "mean": round(statistics.fmean(reindex_s), 2)},
              "questions": len(asked),
              "search_ms": {k: round(v, 1) for k, v in stats_ms(search_s).items()},
              "ask_ms": {k: round(v, 1) for k, v in stats_ms(ask_s).items()}}
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"model {report['model']}, corpus {report['corpus']} ({chunks} passages)\n")
    print("| measure | value |\n|---|---|")
    print(f"| model load | {load_s:.1f} s |")
    print(f"| full reindex (mean of {len(reindex_s)}) | {report['reindex_s']['mean']:.1f} s |")
    for name in ("search", "ask"):
        s = report[f"{name}_ms"]
        print(f"| {name} latency over {len(asked)} questions (mean / p50 / p95) | "
              f"{s['mean']:.0f} / {s['p50']:.0f} / {s['p95']:.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
