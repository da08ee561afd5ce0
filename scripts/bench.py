"""Scale benchmark: a library of N synthetic CQC reports, measured as a user meets it.

    python scripts/bench.py --reports 20                 # one library of 20 reports
    python scripts/bench.py --reports 1 20 153 --markdown  # the README table
    python scripts/bench.py --reports 20 --json
    python scripts/bench.py --add-one-on KEPT/library-153 --json  # adding one report, by stage
    python scripts/bench.py --stages-on KEPT/library-153          # the reindex's own stages

For each N it writes N distinct synthetic reports (scripts/synth.py; text, PDF and HTML in
turn) into a temporary folder and measures:

- full ``reindex`` in a child process: wall time, passages/s, how many texts the model
  encoded and how many took a vector already made for the same text, peak RSS (that child's
  ``ru_maxrss``), and in the same child the embedder's own time on the same texts, each
  distinct text once (passages, and answer sentences unless they are pooled: the floor any
  indexing pipeline pays) and the ratio of the two;
- adding one report with the CLI (a new process, so including the model load) and in a warm
  process (embedder loaded, as in the app);
- in a warm process: the first question after opening the index, ask p50/p95, compare over
  every council p50/p95 (and whether each council's row quotes its own median wait);
- ``scores --json`` and ``status`` through the CLI (new processes), and the index size.

``--add-one-on`` measures only adding one report, on copies of libraries kept with
``--keep`` (the kept ones are not changed): from the CLI, then in a warm process with the time
of each stage (model load, checking and opening the live build, reading the new report, the
encoder, writing the new build and swapping it in). ``--stages-on`` times the reindex's own work
on a kept library's reports, stage by stage: parsing by format, structure and chunking, and the
per-sentence facts stored for questions (the embedder aside), each in this process; and before
them the same work as the reindex does it, in its reader processes (wall time, peak RSS).

Timings depend on the machine and on what else runs on it: on a shared machine say so.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# This checkout's own code, in this process as in the child processes (see _env), whatever
# copy of the package the interpreter has installed.
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1] / "src")]
from synth import make_reports  # noqa: E402

from cqc_kb.evaluate import percentile  # noqa: E402
from cqc_kb.settings import load_settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = (
    "How long do people wait for a Care Act assessment?",
    "How are unpaid carers supported?",
    "What is the median waiting time for a Care Act assessment in {a}?",
    "How does {a} support young people moving to adult services?",
    "What did people say about hospital discharge in {a}?",
    "How are direct payments used?",
    "What happens when safeguarding concerns are raised in {a}?",
    "How does the council work with voluntary and charity sector groups?",
    "What percentage of people were satisfied with reablement in {a}?",
    "How does {a} learn from feedback?",
)
COMPARE = ("What is the median waiting time for a Care Act assessment?",
           "How are unpaid carers supported?", "How is hospital discharge managed?")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _cli(settings, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    cmd = [sys.executable, "-m", "cqc_kb", *args, "--corpus", str(settings.corpus),
           "--index", str(settings.index), "--quiet"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_env())
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 2):
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.strip()[-500:]}")
    return elapsed, proc


def child_reindex(corpus: Path, index: Path) -> None:
    """In a fresh process: full reindex with the model loaded first, then the embedder alone
    on the same texts, each distinct text once; prints JSON."""
    from cqc_kb.chunk import chunk_document, document_sentences, embed_text, token_counter
    from cqc_kb.embed import load_embedder
    from cqc_kb.kb import build_index
    from cqc_kb.parse import parse_file
    from cqc_kb.structure import analyse

    settings = load_settings(corpus=corpus, index=index)
    t0 = time.perf_counter()
    embedder = load_embedder(*settings.embedder_args())
    load_s = time.perf_counter() - t0
    result = build_index(settings, full=True, embedder=embedder)
    count = token_counter(settings)
    texts = []
    for path in sorted(corpus.iterdir()):
        doc = parse_file(path)
        chunks = chunk_document(doc, analyse(doc), settings, count)
        texts += [embed_text(c, settings.embed_headings) for c in chunks]
        if settings.sentence_vectors == "encoded":  # the index embeds these too
            texts += [doc.text[s:e] for s, e in document_sentences(doc, chunks)]
    distinct = list(dict.fromkeys(texts))
    t0 = time.perf_counter()
    embedder.encode(distinct, batch_size=settings.batch_size)
    embed_s = time.perf_counter() - t0
    print(json.dumps({"model_load_s": load_s, "reindex_s": result.seconds, "passages": result.chunks,
                      "embedder_s": embed_s, "texts": len(texts), "distinct_texts": len(distinct),
                      "encoded": result.encoded, "reused": result.reused, "skipped": result.skipped}))


def pipeline_stages(corpus: Path) -> dict:
    """Seconds of the reindex's own work, stage by stage, on a library's reports (the embedder
    aside): parsing by format, structure and chunking, and reading each sentence's and
    passage's facts (:mod:`cqc_kb.sentence_facts`), each distinct text once as the reindex does;
    and first, all of that as the reindex does it, in its reader processes: their wall time, how
    many, and the largest one's peak RSS."""
    from cqc_kb import ingest
    from cqc_kb.chunk import chunk_document, document_sentences, token_counter
    from cqc_kb.parse import parse_file
    from cqc_kb.query import subjects_in
    from cqc_kb.sentence_facts import sentence_facts
    from cqc_kb.structure import analyse

    settings = load_settings()
    files = sorted(corpus.iterdir())
    t0 = time.perf_counter()
    read = ingest._read_outcomes(settings, [(path, "") for path in files], ingest.Limits.from_settings(settings), None)
    readers = {"read_s": round(time.perf_counter() - t0, 1), "read_ok": sum(isinstance(r, ingest.Parsed) for r in read),
               "reader_processes": min(ingest.read_workers(settings), len(files))
               if len(files) >= ingest.PARALLEL_MIN_FILES else 0,
               "reader_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}
    del read
    count = token_counter(settings)
    out: dict = {"parse_s": {}, "chunk_s": 0.0, "facts_s": 0.0, "sentences": 0}
    for path in sorted(corpus.iterdir()):
        t0 = time.perf_counter()
        doc = parse_file(path)
        kind = path.suffix.lstrip(".").lower()
        out["parse_s"][kind] = out["parse_s"].get(kind, 0.0) + time.perf_counter() - t0
        t0 = time.perf_counter()
        chunks = chunk_document(doc, analyse(doc), settings, count)
        spans = document_sentences(doc, chunks)
        out["chunk_s"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        for start, end in spans:
            sentence_facts(doc.text[start:end])
        for chunk in chunks:
            subjects_in(chunk.text)
        out["facts_s"] += time.perf_counter() - t0
        out["sentences"] += len(spans)
    return {"reports": len(list(corpus.iterdir())), "sentences": out["sentences"],
            "parse_s": {k: round(v, 1) for k, v in out["parse_s"].items()},
            "chunk_s": round(out["chunk_s"], 1), "facts_s": round(out["facts_s"], 1), **readers}


def _ms(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {"p50": round(statistics.median(ms), 1), "p95": round(percentile(ms, 95), 1)}


_MEDIAN_WAIT = re.compile(r"median\s+waiting\s+time\s+was\s+(\d+)\s+days")


def measure_queries(settings, embedder, questions: int) -> dict:
    """The question side of a library: ``scores``/``status`` through the CLI, the index size,
    and in this (warm) process the first question, ask p50/p95 and compare p50/p95, with how
    many compare rows quote their report's own median wait (read from each report's text, where
    the synthetic reports state it)."""
    from cqc_kb.kb import KnowledgeBase

    out: dict = {}
    out["scores_s"] = round(_cli(settings, "scores", "--json")[0], 2)
    out["status_s"] = round(_cli(settings, "status")[0], 2)
    out["index_mb"] = round(sum(f.stat().st_size for f in settings.index.rglob("*") if f.is_file()) / 1e6, 1)
    kb = KnowledgeBase.open(settings, embedder=embedder)
    try:
        documents = kb.store.documents()
        names = sorted({d["authority"] for d in documents if d["authority"]})
        wait = {}
        for d in documents:
            found = _MEDIAN_WAIT.search(kb.store.document_text(d["name"]))
            if found:
                wait[d["name"]] = found.group(1)
        asked = [q.format(a=names[i % len(names)]) for i, q in
                 zip(range(questions), [QUESTIONS[i % len(QUESTIONS)] for i in range(questions)])]
        t0 = time.perf_counter()
        kb.ask(asked[0])
        first = time.perf_counter() - t0
        times = []
        for q in asked[1:]:
            t0 = time.perf_counter()
            kb.ask(q)
            times.append(time.perf_counter() - t0)
        out["ask_ms"] = _ms(times)
        out["first_question_ms"] = round(first * 1000)
        out["first_minus_p50_ms"] = round(first * 1000 - out["ask_ms"]["p50"])
        compare_s, right, rows_seen = [], 0, 0
        for q in COMPARE:
            t0 = time.perf_counter()
            rows = kb.compare(q)
            compare_s.append(time.perf_counter() - t0)
            assert all(c.document == row.document for row in rows for c in row.answer.citations)
            if "median" in q:
                for row in rows:
                    if row.document in wait:  # a report that states no median wait is not counted
                        rows_seen += 1
                        right += any(f"{wait[row.document]} days" in c.quote for c in row.answer.citations)
        out["compare_ms"] = _ms(compare_s)
        out["compare_rows"] = len(rows)
        out["compare_median_wait_right"] = round(right / max(1, rows_seen), 3)
    finally:
        kb.close()
    return out


def run(n: int, questions: int, seed: int, keep: Path | None) -> dict:
    """Build a library of ``n`` synthetic reports and measure it."""
    from cqc_kb.embed import load_embedder
    from cqc_kb.kb import build_index

    work = Path(tempfile.mkdtemp(prefix=f"cqc-kb-bench-{n}-"))
    try:
        corpus = work / "corpus"
        make_reports(corpus, n, seed=seed)
        extra = make_reports(work / "extra", 2, seed=seed, first=n)
        settings = load_settings(corpus=corpus, index=work / "index")
        out: dict = {"reports": n}

        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, __file__, "--child-reindex", str(corpus), str(settings.index)],
                              capture_output=True, text=True, env=_env())
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(f"reindex failed: {proc.stderr.strip()[-800:]}")
        child = json.loads(proc.stdout.strip().splitlines()[-1])
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        out.update({
            "passages": child["passages"], "reindex_s": round(child["reindex_s"], 1),
            "passages_per_s": round(child["passages"] / child["reindex_s"], 1),
            "embedder_s": round(child["embedder_s"], 1),
            "texts": f'{child["texts"]:,} / {child["distinct_texts"]:,} / {child["encoded"]:,}',
            "reindex_vs_embedder": round(child["reindex_s"] / child["embedder_s"], 2),
            "model_load_s": round(child["model_load_s"], 1), "reindex_process_s": round(wall, 1),
            # ru_maxrss of children is the largest child so far; the reindex child is the first.
            "peak_rss_mb": round(max(peak, before) / 1024), "skipped": child["skipped"]})

        shutil.copy(extra[0].path, corpus / extra[0].path.name)
        out["add_one_cli_s"] = round(_cli(settings, "reindex")[0], 2)

        embedder = load_embedder(*settings.embedder_args())
        shutil.copy(extra[1].path, corpus / extra[1].path.name)
        t0 = time.perf_counter()
        build_index(settings, embedder=embedder)
        out["add_one_warm_s"] = round(time.perf_counter() - t0, 2)

        out.update(measure_queries(settings, embedder, questions))
        if keep:
            shutil.copytree(work, keep / f"library-{n}", dirs_exist_ok=True)
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


#: Stages of a reindex timed by ``--add-one-on`` (none runs inside another): (module, class
#: or None, function, label). The encoder is timed on the embedder itself.
STAGES = (
    ("cqc_kb.ingest", None, "_check_live", "check_and_open_live_s"),
    ("cqc_kb.ingest", None, "_read_all", "parse_and_chunk_s"),
    ("cqc_kb.store", "Writer", "__init__", "new_build_s"),
    ("cqc_kb.store", "Writer", "known_vectors", "known_vectors_s"),
    ("cqc_kb.store", "Writer", "remove", "remove_s"),
    ("cqc_kb.store", "Writer", "add", "write_rows_s"),
    ("cqc_kb.store", "Writer", "commit", "commit_and_swap_s"),
)


def _timed(stages: dict[str, float]):
    """Wrap each of :data:`STAGES` to add its time to ``stages``; returns an undo function."""
    import importlib

    undo = []
    for module, cls, attr, label in STAGES:
        owner = importlib.import_module(module)
        owner = getattr(owner, cls) if cls else owner
        real = getattr(owner, attr)

        def wrapped(*a, _real=real, _label=label, **k):
            t0 = time.perf_counter()
            try:
                return _real(*a, **k)
            finally:
                stages[_label] = stages.get(_label, 0.0) + time.perf_counter() - t0
        setattr(owner, attr, wrapped)
        undo.append((owner, attr, real))
    return lambda: [setattr(o, a, r) for o, a, r in undo]


def add_one(library: Path, seed: int) -> dict:
    """Add one new report to a copy of a kept library from the CLI, and another in a warm
    process, timing the warm one's stages."""
    from cqc_kb.embed import load_embedder
    from cqc_kb.kb import build_index

    work = Path(tempfile.mkdtemp(prefix="cqc-kb-add-one-"))
    try:
        shutil.copytree(library / "corpus", work / "corpus")
        shutil.copytree(library / "index", work / "index")
        settings = load_settings(corpus=work / "corpus", index=work / "index")
        n = len(list(settings.corpus.iterdir()))
        # Reports the seed's sequence has not given this library (its own are the first n).
        new = make_reports(work / "new", 2, seed=seed, first=n + 100)
        out: dict = {"reports": n, "load_average_before": os.getloadavg()[0]}
        shutil.copy(new[0].path, settings.corpus / new[0].path.name)
        out["add_one_cli_s"] = round(_cli(settings, "reindex")[0], 2)

        t0 = time.perf_counter()
        embedder = load_embedder(*settings.embedder_args())
        out["model_load_s"] = round(time.perf_counter() - t0, 2)
        stages: dict[str, float] = {}
        real_encode = embedder.encode

        def encode(texts, *a, **k):
            t0 = time.perf_counter()
            try:
                return real_encode(texts, *a, **k)
            finally:
                stages["encode_s"] = stages.get("encode_s", 0.0) + time.perf_counter() - t0
        embedder.encode = encode
        undo = _timed(stages)
        shutil.copy(new[1].path, settings.corpus / new[1].path.name)
        try:
            t0 = time.perf_counter()
            result = build_index(settings, embedder=embedder)
            out["add_one_warm_s"] = round(time.perf_counter() - t0, 2)
        finally:
            undo()
            del embedder.encode
        out["stages"] = {k: round(v, 3) for k, v in stages.items()}
        out["other_s"] = round(out["add_one_warm_s"] - sum(stages.values()), 3)
        out.update({"encoded": result.encoded, "reused": result.reused, "passages": result.chunks})
        build = json.loads((settings.index / "builds" / (settings.index / "CURRENT").read_text().strip()
                            / "manifest.json").read_text())
        out["segments"] = sorted(build["files"])
        out["load_average_after"] = os.getloadavg()[0]
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


ROWS = (
    ("passages", "passages", "{}"),
    ("full `reindex` (model loaded)", "reindex_s", "{} s"),
    ("passages per second", "passages_per_s", "{}"),
    ("texts: all / distinct / encoded by the reindex", "texts", "{}"),
    ("embedder alone on the same texts (each distinct text once)", "embedder_s", "{} s"),
    ("reindex / embedder", "reindex_vs_embedder", "{}x"),
    ("peak RSS of the reindex process", "peak_rss_mb", "{} MB"),
    ("index size", "index_mb", "{} MB"),
    ("add one report, CLI (with model load)", "add_one_cli_s", "{} s"),
    ("add one report, warm process", "add_one_warm_s", "{} s"),
    ("`scores --json` (CLI)", "scores_s", "{} s"),
    ("`status` (CLI)", "status_s", "{} s"),
    ("ask p50 / p95 (warm)", "ask_ms", "{p50:.0f} / {p95:.0f} ms"),
    ("first question after opening", "first_question_ms", "{} ms"),
    ("compare, all councils, p50 / p95 (warm)", "compare_ms", "{p50:.0f} / {p95:.0f} ms"),
    ("compare rows quoting their own median wait", "compare_median_wait_right", "{}"),
)


def markdown(results: list[dict]) -> str:
    head = "| measure | " + " | ".join(f"{r['reports']} report{'s' * (r['reports'] != 1)}"
                                      for r in results) + " |"
    lines = [head, "|---" * (len(results) + 1) + "|"]
    for label, key, fmt in ROWS:
        if not any(key in r for r in results):  # --queries-on measures only the question side
            continue
        cells = [fmt.format(**r[key]) if isinstance(r.get(key), dict) else fmt.format(r[key]) if key in r
                 else "" for r in results]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child-reindex"]:
        child_reindex(Path(argv[1]), Path(argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, nargs="+", default=[20], help="library sizes (default 20)")
    parser.add_argument("--questions", type=int, default=30, help="questions to time per library")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic reports")
    parser.add_argument("--keep", type=Path, help="copy each library (corpus and index) here")
    parser.add_argument("--add-one-on", type=Path, nargs="+", metavar="LIBRARY",
                        help="instead of building libraries: time adding one report (CLI, and warm by "
                             "stage) to a copy of each library kept with --keep")
    parser.add_argument("--stages-on", type=Path, nargs="+", metavar="LIBRARY",
                        help="instead of building libraries: time the reindex's own stages (parsing, "
                             "chunking, sentence facts; not the embedder) on the reports of libraries kept "
                             "with --keep")
    parser.add_argument("--queries-on", type=Path, nargs="+", metavar="LIBRARY",
                        help="instead of building libraries: measure only the question side (scores, "
                             "status, ask, compare) on libraries kept with --keep (folders with corpus/ "
                             "and index/)")
    fmt = parser.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print one JSON object")
    fmt.add_argument("--markdown", action="store_true", help="print the README table")
    args = parser.parse_args(argv)
    results = []
    if args.add_one_on:
        results = [add_one(library, args.seed) for library in args.add_one_on]
        print(json.dumps({"model": load_settings().model, "cpus": os.cpu_count(), "results": results},
                         indent=None if args.json else 1))
        return 0
    if args.stages_on:
        results = [pipeline_stages(library / "corpus") for library in args.stages_on]
        print(json.dumps({"cpus": os.cpu_count(), "results": results}, indent=None if args.json else 1))
        return 0
    if args.queries_on:
        from cqc_kb.embed import load_embedder

        for library in args.queries_on:
            settings = load_settings(corpus=library / "corpus", index=library / "index")
            embedder = load_embedder(*settings.embedder_args())
            measured = measure_queries(settings, embedder, args.questions)
            results.append({"reports": len(list(settings.corpus.iterdir())), **measured})
            print(json.dumps(results[-1]), file=sys.stderr)
    for n in [] if args.queries_on else args.reports:
        results.append(run(n, args.questions, args.seed, args.keep))
        print(json.dumps(results[-1]), file=sys.stderr)
    load = os.getloadavg()
    model = load_settings().model
    if args.json:
        print(json.dumps({"model": model, "cpus": os.cpu_count(), "load_average": load, "results": results}))
    else:
        print(f"model {model}, {os.cpu_count()} CPUs, load average at the end {load[0]:.1f} / {load[1]:.1f} / "
              f"{load[2]:.1f}\n")
        print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
