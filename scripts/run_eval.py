"""Build the evaluation corpus and index, then evaluate every configuration on the gold sets.

The gold questions cover the real Stockton-on-Tees report and the three fictional fixture
reports, so the evaluation needs an index over all four; this script keeps one in the user
cache folder (reindexed incrementally, so a rerun with nothing changed only evaluates).

    python scripts/run_eval.py                      # dev and held-out, all configurations
    python scripts/run_eval.py --write-docs         # ... and refresh the tables in docs/evaluation.md
    CQC_KB_MODEL=all-mpnet-base-v2 python scripts/run_eval.py --config hybrid+

Results are also written as JSON next to the index (``results-<gold>.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from cqc_kb.evaluate import (CONFIGS, choose_threshold, evaluate, load_gold, prepare_eval_corpus, table,
                              threshold_sweep)
from cqc_kb.kb import build_index
from cqc_kb.settings import PROJECT_ROOT, Settings, load_settings

GOLD = (PROJECT_ROOT / "eval" / "gold" / "dev.jsonl", PROJECT_ROOT / "eval" / "gold" / "heldout.jsonl")
DOC = PROJECT_ROOT / "docs" / "evaluation.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def default_work() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "cqc-kb" / "eval"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=default_work(),
                        help="folder for the evaluation corpus, index and results (default: %(default)s)")
    parser.add_argument("--config", default="all", choices=(*CONFIGS, "all"), help="configuration (default all)")
    parser.add_argument("--gold", type=Path, action="append", help="gold file (repeatable; default dev and held-out)")
    parser.add_argument("--write-docs", action="store_true", help=f"replace the results block in {DOC}")
    parser.add_argument("--calibrate", action="store_true",
                        help="instead of evaluating, sweep abstain_threshold for hybrid+ on the first gold "
                             "file (dev) and print the threshold to use")
    args = parser.parse_args(argv)

    corpus = args.work / "corpus"
    prepare_eval_corpus(corpus)
    model = load_settings().model
    # One index per model, so switching CQC_KB_MODEL back and forth does not rebuild each time.
    settings = load_settings(corpus=corpus, index=args.work / f"index-{model.replace('/', '_')}")
    built = build_index(settings)
    if built.changed:
        print(f"indexed {corpus} into {settings.index}: {built.chunks} passages, {built.seconds:.0f} s",
              file=sys.stderr)
    if args.calibrate:
        return calibrate(settings, (args.gold or GOLD)[0])
    configs = CONFIGS if args.config == "all" else (args.config,)
    sections = []
    for gold in args.gold or GOLD:
        items = load_gold(gold)
        results = evaluate(settings, items, configs, note=lambda m: print(f"note: {m}", file=sys.stderr))
        unanswerable = sum(not i.answerable for i in items)
        title = (f"{gold.relative_to(PROJECT_ROOT) if gold.is_relative_to(PROJECT_ROOT) else gold}: "
                 f"{len(items)} questions ({len(items) - unanswerable} answerable, {unanswerable} unanswerable)")
        sections.append(f"**{title}**\n\n{table(results)}")
        print(f"{title}\n\n{table(results)}\n")
        (args.work / f"results-{gold.stem}.json").write_text(json.dumps(
            {"gold": str(gold), "model": settings.model, "abstain_threshold": settings.abstain_threshold,
             "configs": {r.config: r.to_json() for r in results}}, indent=1, ensure_ascii=False))
    if args.write_docs:
        stamp = (f"_Model `{settings.model}`, abstain_threshold {settings.abstain_threshold}, "
                 f"generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by "
                 f"`python scripts/run_eval.py --write-docs`._")
        block = "\n\n".join([START, stamp, *sections, END])
        text = DOC.read_text(encoding="utf-8")
        if START not in text or END not in text:
            raise SystemExit(f"{DOC} has no {START} ... {END} block to replace")
        head, rest = text.split(START, 1)
        DOC.write_text(head + block + rest.split(END, 1)[1], encoding="utf-8")
        print(f"updated {DOC}", file=sys.stderr)
    return 0


def calibrate(settings: Settings, gold: Path) -> int:
    """Print the abstention sweep of hybrid+ on ``gold`` and the threshold it picks."""
    # Abstention off, so that every question's confidence and correctness is observed.
    [result] = evaluate(settings.replace(abstain_threshold=float("-inf")), load_gold(gold), ("hybrid+",))
    sweep = threshold_sweep(result.questions)
    print("| threshold | abstain (unans.) | false abstain | answer acc |\n|---|---|---|---|")
    for row in sweep:
        if row["false_abstention"] > 0.25:
            break  # past any threshold worth choosing
        print(f"| {row['threshold']:.2f} | {row['abstention_unanswerable']:.3f} | "
              f"{row['false_abstention']:.3f} | {row['answer_accuracy']:.3f} |")
    chosen = choose_threshold(sweep)
    print(f"\nchosen abstain_threshold = {chosen['threshold']:.2f} (abstains on "
          f"{chosen['abstention_unanswerable']:.0%} of unanswerable, {chosen['false_abstention']:.1%} of "
          f"answerable questions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
