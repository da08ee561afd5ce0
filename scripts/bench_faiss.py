"""Recall@10 and latency of FAISS index types on synthetic vectors, for docs/scaling.md.

    python scripts/bench_faiss.py                    # 1,000,000 vectors of dim 384
    python scripts/bench_faiss.py --n 200000 --queries 100

The vectors are not uniform noise (on which every approximate index looks worse than on real
embeddings): they are drawn around a few thousand random centres, like passages around topics,
and L2-normalised, as the project's sentence-transformers vectors are. Queries are perturbed
copies of held-out points. The exact answer comes from a flat (brute-force) inner-product
index; recall@10 is the share of the exact top 10 that an index returns in its own top 10.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time

import faiss
import numpy as np


def synthetic(n: int, dim: int, centres: int, seed: int) -> np.ndarray:
    """``n`` normalised vectors around ``centres`` random topics."""
    rng = np.random.default_rng(seed)
    topics = rng.standard_normal((centres, dim)).astype(np.float32)
    out = np.empty((n, dim), dtype=np.float32)
    step = 100_000
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        pick = rng.integers(0, centres, hi - lo)
        out[lo:hi] = topics[pick] + 0.9 * rng.standard_normal((hi - lo, dim)).astype(np.float32)
    faiss.normalize_L2(out)
    return out


def timed_search(index: faiss.Index, queries: np.ndarray, k: int) -> tuple[np.ndarray, float, float]:
    """Ids, p50 and p95 milliseconds of one-query-at-a-time searches (as a user asks).

    Searches run on one thread: for a single query, OpenMP's threads mostly wait on each
    other, and on a busy machine two threads were several times slower than one.
    """
    ids = np.empty((len(queries), k), dtype=np.int64)
    times = []
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        for i, q in enumerate(queries):
            t0 = time.perf_counter()
            _, found = index.search(q.reshape(1, -1), k)
            times.append((time.perf_counter() - t0) * 1000)
            ids[i] = found[0]
    finally:
        faiss.omp_set_num_threads(threads)
    return ids, float(np.percentile(times, 50)), float(np.percentile(times, 95))


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth)]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    data = synthetic(args.n + args.queries, args.dim, centres=max(10, args.n // 250), seed=7)
    base, queries = data[:args.n], data[args.n:].copy()
    rng = np.random.default_rng(11)
    queries += 0.05 * rng.standard_normal(queries.shape).astype(np.float32)
    faiss.normalize_L2(queries)
    print(f"generated {args.n} x {args.dim} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)

    rows = []

    def run(name: str, index: faiss.Index, train: bool, memory_mb: float, tune=()) -> None:
        t = time.perf_counter()
        if train:
            index.train(base[np.random.default_rng(3).choice(args.n, min(args.n, 100_000), replace=False)])
        index.add(base)
        build_s = time.perf_counter() - t
        for label, apply in tune or (("", lambda: None),):
            apply()
            found, p50, p95 = timed_search(index, queries, args.k)
            rows.append({"index": name + (f" ({label})" if label else ""), "build_s": round(build_s, 1),
                         "memory_mb": round(memory_mb), "recall_at_10": round(recall(found, truth), 3),
                         "p50_ms": round(p50, 2), "p95_ms": round(p95, 2)})
            print(json.dumps(rows[-1]), file=sys.stderr)

    flat = faiss.IndexFlatIP(args.dim)
    t = time.perf_counter()
    flat.add(base)
    _, truth = flat.search(queries, args.k)
    _, p50, p95 = timed_search(flat, queries[:50], args.k)
    rows.append({"index": "Flat (exact)", "build_s": round(time.perf_counter() - t, 1),
                 "memory_mb": round(args.n * args.dim * 4 / 1e6), "recall_at_10": 1.0,
                 "p50_ms": round(p50, 2), "p95_ms": round(p95, 2)})
    print(json.dumps(rows[-1]), file=sys.stderr)
    del flat

    hnsw = faiss.IndexHNSWFlat(args.dim, 32, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = 40
    run("HNSW32", hnsw, False, args.n * (args.dim * 4 + 32 * 2 * 4) / 1e6,
        tune=[(f"efSearch={ef}", (lambda ef=ef: setattr(hnsw.hnsw, "efSearch", ef))) for ef in (32, 64, 128)])
    del hnsw

    nlist = min(4096, max(16, args.n // 250))
    coarse = faiss.IndexFlatIP(args.dim)  # kept referenced: the IVF index does not own it
    ivf = faiss.IndexIVFFlat(coarse, args.dim, nlist, faiss.METRIC_INNER_PRODUCT)
    run(f"IVF{nlist},Flat", ivf, True, args.n * args.dim * 4 / 1e6,
        tune=[(f"nprobe={p}", (lambda p=p: setattr(ivf, "nprobe", p))) for p in (16, 64)])
    del ivf

    m = 48
    coarse_pq = faiss.IndexFlatIP(args.dim)
    ivfpq = faiss.IndexIVFPQ(coarse_pq, args.dim, nlist, m, 8, faiss.METRIC_INNER_PRODUCT)
    run(f"IVF{nlist},PQ{m}", ivfpq, True, args.n * (m + 8) / 1e6,
        tune=[(f"nprobe={p}", (lambda p=p: setattr(ivfpq, "nprobe", p))) for p in (16, 64)])
    # PQ codes lose precision: re-rank a short list with the exact vectors (kept on disk or in
    # the store) is how the recall is recovered.
    refine = faiss.IndexRefineFlat(ivfpq, faiss.swig_ptr(base))
    refine.k_factor = 10
    ivfpq.nprobe = 64
    found, p50, p95 = timed_search(refine, queries, args.k)
    rows.append({"index": f"IVF{nlist},PQ{m} + exact re-rank of top 100 (nprobe=64)",
                 "build_s": rows[-1]["build_s"], "memory_mb": round(args.n * (m + 8 + args.dim * 4) / 1e6),
                 "recall_at_10": round(recall(found, truth), 3), "p50_ms": round(p50, 2), "p95_ms": round(p95, 2)})
    print(json.dumps(rows[-1]), file=sys.stderr)

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        print(json.dumps({"n": args.n, "dim": args.dim, "threads": faiss.omp_get_max_threads(),
                          "peak_rss_mb": round(peak), "rows": rows}))
    else:
        print(f"{args.n:,} vectors, dim {args.dim}, {faiss.omp_get_max_threads()} threads, "
              f"{args.queries} queries one at a time, peak RSS {peak:.0f} MB\n")
        print("| index | build s | memory MB | recall@10 | p50 ms | p95 ms |\n|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['index']} | {r['build_s']} | {r['memory_mb']} | {r['recall_at_10']} | "
                  f"{r['p50_ms']} | {r['p95_ms']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
