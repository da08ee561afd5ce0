"""``cqc-kb``: a thin command line over :mod:`cqc_kb.kb`. It parses flags and renders; the
library does the work. Exit codes: 0 success, 1 error (one line on stderr), 2 reindex skipped
some files (each named with its reason), 130 interrupted.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import textwrap
from typing import Any, Callable, Iterable, Sequence

from . import __version__
from .errors import KbError
from .records import Answer, Hit
from .retrieve import MODES, Filters
from .settings import Settings, load_settings
from .structure import RATINGS, STATEMENT_NAMES, THEMES

EXIT_OK, EXIT_ERROR, EXIT_SKIPPED = 0, 1, 2

_EXAMPLES = {
    "reindex": """examples:
  cqc-kb reindex                 # add new, changed and deleted reports only
  cqc-kb reindex --full          # rebuild everything
  cqc-kb reindex --corpus reports/ --index /tmp/idx --json""",
    "search": """examples:
  cqc-kb search "waiting times for Care Act assessments"
  cqc-kb search "direct payments" --authority "Stockton-on-Tees Borough Council" -k 3 --json""",
    "ask": """examples:
  cqc-kb ask "What was the median waiting time for a Care Act assessment?"
  cqc-kb ask "How do councils support young people moving to adult services?" --json
  cqc-kb ask "Which councils scored 1 or 2 on safeguarding?"
  cqc-kb ask --questions questions.txt      # one question a line; JSON lines out""",
    "compare": """examples:
  cqc-kb compare "What is the median wait for a Care Act assessment?"
  cqc-kb compare "How are unpaid carers supported?" --authority "Stockton-on-Tees Borough Council" --json""",
    "scores": """examples:
  cqc-kb scores
  cqc-kb scores --json
  cqc-kb scores --csv > scores.csv""",
    "status": """examples:
  cqc-kb status
  cqc-kb status --json""",
    "eval": """examples:
  cqc-kb eval eval/gold/dev.jsonl
  cqc-kb eval eval/gold/heldout.jsonl --config all --json""",
}


def _common(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("index and model (override CQC_KB_* environment variables)")
    g.add_argument("--corpus", help="folder of reports (default: corpus/, env CQC_KB_CORPUS)")
    g.add_argument("--index", help="index folder (default: index/, env CQC_KB_INDEX)")
    g.add_argument("--model", help="embedding model name or folder (env CQC_KB_MODEL)")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress bars or notes on stderr")


def _filters(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("filters (repeat a flag to allow several values)")
    g.add_argument("--document", action="append", default=[], help="corpus file name")
    g.add_argument("--authority", action="append", default=[], help="authority name as in `cqc-kb scores`")
    g.add_argument("--theme", action="append", default=[], choices=THEMES, metavar="THEME",
                   help=f"one of: {', '.join(THEMES)}")
    g.add_argument("--statement", action="append", default=[], choices=STATEMENT_NAMES, metavar="STATEMENT",
                   help="a quality statement, e.g. 'Assessing needs'")
    g.add_argument("--score", action="append", default=[], type=int, choices=(1, 2, 3, 4),
                   help="score of the quality statement a passage sits under")
    g.add_argument("--rating", action="append", default=[], choices=RATINGS, metavar="RATING",
                   help=f"overall rating: {', '.join(RATINGS)}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cqc-kb",
        description="Search and question CQC local authority assessment reports, with every "
                    "answer quoted from its source.",
        epilog="Run `cqc-kb COMMAND --help` for a command's options and examples.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"cqc-kb {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=_EXAMPLES[name],
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        _common(p)
        return p

    p = add("reindex", "Build or update the index from the corpus folder.")
    p.add_argument("--full", action="store_true", help="rebuild from scratch instead of incrementally")
    p.add_argument("--json", action="store_true", help="print a JSON summary")

    p = add("search", "Find the passages that best match a query.")
    p.add_argument("query", help="words or a question")
    p.add_argument("-k", "--top", type=int, default=None, help="number of passages (default 5)")
    p.add_argument("--mode", choices=MODES, default="hybrid+", help="retrieval configuration")
    p.add_argument("--json", action="store_true", help="print JSON (see README for the schema)")
    _filters(p)

    for name, text in (("ask", "Answer a question with sentences quoted from the reports."),
                       ("compare", "Answer one question separately inside each authority's report.")):
        p = add(name, text)
        p.add_argument("question", nargs="?", help="the question (or use --questions)")
        p.add_argument("--questions", metavar="FILE",
                       help="file with one question a line ('-' for stdin); prints one JSON object a line")
        p.add_argument("--mode", choices=MODES, default="hybrid+", help="retrieval configuration")
        p.add_argument("--json", action="store_true", help="print JSON (see README for the schema)")
        if name == "ask":
            _filters(p)
        else:
            p.add_argument("--authority", action="append", default=[],
                           help="authority to include (repeatable; default all)")

    p = add("scores", "Show each report's quality statement scores, rating and checks.")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON")
    fmt.add_argument("--csv", action="store_true", help="print CSV")

    p = add("status", "Show what the index holds and whether it is up to date.")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("eval", "Measure retrieval and answer quality against a gold question file.")
    p.add_argument("gold", help="JSON lines: {\"q\": str, \"expect\": [str], \"authority\": str|null}")
    p.add_argument("--config", default="hybrid+",
                   help="retrieval configuration: bm25, dense, hybrid, hybrid+, naive, or all")
    p.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(corpus=args.corpus, index=args.index, model=args.model)


def _emit(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def _progress(quiet: bool) -> Callable[[str, int, int], None] | None:
    if quiet:
        return None
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            label = {"scan": "Checking files", "parse": "Parsing", "embed": "Embedding"}[stage]
            bar = bars[stage] = tqdm(total=total, desc=label, unit="item", file=sys.stderr, leave=True)
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update


def _open(args: argparse.Namespace):
    from .kb import KnowledgeBase

    return KnowledgeBase.open(_settings(args))


def cmd_reindex(args: argparse.Namespace) -> int:
    from .kb import build_index

    settings = _settings(args)
    result = build_index(settings, full=args.full, progress=_progress(args.quiet))
    if args.json:
        _emit(result.to_json())
    else:
        print(f"Indexed {settings.corpus} into {settings.index}: {len(result.added)} added, "
              f"{len(result.updated)} updated, {len(result.removed)} removed, "
              f"{len(result.unchanged)} unchanged; {result.chunks} passages; {result.seconds:.1f} s")
    for name, reason in result.skipped:
        print(f"skipped {name!r}: {reason}", file=sys.stderr)
    return EXIT_SKIPPED if result.skipped else EXIT_OK


def _filters_of(args: argparse.Namespace) -> Filters:
    return Filters(documents=tuple(args.document), authorities=tuple(args.authority),
                   themes=tuple(args.theme), statements=tuple(args.statement),
                   scores=tuple(args.score), ratings=tuple(args.rating))


def _place(authority: str | None, document: str, section: str, page: int | None) -> str:
    where = authority or document
    return f"{where} | {section or '(no heading)'}" + (f" | page {page}" if page else "")


def _print_hits(hits: Sequence[Hit]) -> None:
    for h in hits:
        print(f"{h.rank}. {_place(h.authority, h.document, h.section, h.page)}  [{h.start}:{h.end}]")
        print(textwrap.indent(textwrap.fill(" ".join(h.text.split()), 100), "   "))
        print()


def _print_answer(answer: Answer) -> None:
    print(textwrap.fill(answer.answer, 100))
    for c in answer.citations:
        print(f"\n[{c.n}] {_place(c.authority, c.document, c.section, c.page)}  [{c.start}:{c.end}]")
        print(textwrap.indent(textwrap.fill("\u201c" + " ".join(c.quote.split()) + "\u201d", 96), "    "))
    if answer.abstained and answer.hits:
        print("\nClosest passages:")
        _print_hits(answer.hits[:3])


def cmd_search(args: argparse.Namespace) -> int:
    kb = _open(args)
    hits = kb.search(args.query, k=args.top, filters=_filters_of(args), mode=args.mode)
    if args.json:
        _emit({"query": args.query, "hits": [h.to_json() for h in hits]})
    elif not hits:
        print("No passages matched.")
    else:
        _print_hits(hits)
    return EXIT_OK


def _questions(args: argparse.Namespace) -> Iterable[str]:
    if args.questions is None:
        if not args.question:
            raise KbError("give a question, or --questions FILE (one question a line, '-' for stdin)")
        return [args.question]
    try:
        stream = sys.stdin if args.questions == "-" else open(args.questions, encoding="utf-8")
    except OSError as exc:
        raise KbError(f"cannot read questions file {args.questions}: {exc.strerror}") from None
    with stream:
        return [line.strip() for line in stream if line.strip()]


def cmd_ask(args: argparse.Namespace) -> int:
    kb = _open(args)
    batch = args.questions is not None
    for question in _questions(args):
        answer = kb.ask(question, filters=_filters_of(args), mode=args.mode)
        if args.json or batch:
            _emit(answer.to_json())
        else:
            _print_answer(answer)
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    kb = _open(args)
    batch = args.questions is not None
    for question in _questions(args):
        rows = kb.compare(question, authorities=args.authority or None, mode=args.mode)
        if args.json or batch:
            _emit({"question": question, "rows": [r.to_json() for r in rows]})
            continue
        print(f"Q: {question}\n")
        for row in rows:
            score = f" (evidence under {row.score['quality_statement']}, scored {row.score['value']})" \
                if row.score else ""
            print(f"== {row.authority}{score}")
            _print_answer(row.answer)
            print()
    return EXIT_OK


def cmd_scores(args: argparse.Namespace) -> int:
    from .kb import KnowledgeBase

    kb = KnowledgeBase.open(_settings(args), lazy=True)  # the table needs no model
    rows = kb.scores()
    if args.json:
        _emit([r.to_json() for r in rows])
    elif args.csv:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(["authority", "document", "published", "rating", "percentage",
                         *STATEMENT_NAMES, "warnings"])
        for r in rows:
            writer.writerow([r.authority, r.document, r.published or "", r.rating or "",
                             "" if r.percentage is None else r.percentage,
                             *["" if r.scores[n] is None else r.scores[n] for n in STATEMENT_NAMES],
                             " | ".join(r.warnings)])
        sys.stdout.write(buf.getvalue())
    elif not rows:
        print("No CQC reports in the index.")
    else:
        for r in rows:
            print(f"{r.authority} ({r.document}), published {r.published or 'unknown'}: "
                  f"{r.rating or 'rating not found'}, {r.percentage}%")
            for name in STATEMENT_NAMES:
                value = r.scores[name]
                print(f"  {name:<45} {'not assessed' if value is None else value}")
            for w in r.warnings:
                print(f"  warning: {w}")
            print()
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from .library import library_rows
    from .store import Store

    settings = _settings(args)
    store = Store.open(settings)
    rows = library_rows(settings, store.documents())

    def named(status: str) -> list[str]:
        return sorted(r.file for r in rows if r.status == status)

    status = {
        "index": str(store.build), "model": store.manifest.model, "built_at": store.manifest.built_at,
        "documents": store.manifest.documents, "chunks": store.chunk_count(),
        "new": named("new"), "changed": named("changed"), "deleted": named("not in corpus"),
        "unsupported": [{"file": r.file, "reason": r.note} for r in rows if r.status == "cannot be indexed"],
    }
    status["up_to_date"] = not (status["new"] or status["changed"] or status["deleted"])
    if args.json:
        _emit(status)
    else:
        print(f"{status['documents']} documents, {status['chunks']} passages, model {status['model']}, "
              f"built {status['built_at']}")
        for key in ("new", "changed", "deleted"):
            if status[key]:
                print(f"{key}: {', '.join(status[key])}")
        print("up to date" if status["up_to_date"] else "run `cqc-kb reindex` to bring it up to date")
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import main as eval_main

    return eval_main(args, _settings(args))


COMMANDS = {"reindex": cmd_reindex, "search": cmd_search, "ask": cmd_ask, "compare": cmd_compare,
            "scores": cmd_scores, "status": cmd_status, "eval": cmd_eval}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except KbError as exc:
        print(f"cqc-kb {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
