"""``cqc-kb``: a thin command line over :mod:`cqc_kb.kb`. It parses flags and renders; the
library does the work. Exit codes: 0 success, 1 error (one line on stderr), 2 usage error (a
flag or argument is wrong; one line and the usage), 3 reindex skipped some files (each named
with its reason; the rest was indexed), 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import logging
import sqlite3
import sys
import textwrap
from typing import Any, Callable, Sequence

from . import __version__
from .assessments import parse_assessments
from .errors import KbError
from .records import Answer, Hit, council_label
from .retrieve import MODES, Filters
from .settings import Settings, load_settings
from .structure import RATINGS, STATEMENT_NAMES, THEMES

#: argparse itself exits with 2 on a usage error.
EXIT_OK, EXIT_ERROR, EXIT_SKIPPED = 0, 1, 3

#: Bounds of ``search -k``: enough for any reading list, small enough to stay instant.
TOP_K_RANGE = (1, 100)
#: Longest query or question accepted; a paragraph fits, a pasted report does not.
MAX_QUERY_CHARS = 2000
#: Largest --questions file read (thousands of questions); /dev/zero is refused, not read forever.
MAX_QUESTIONS_BYTES = 10_000_000

_EXAMPLES = {
    "reindex": """examples:
  cqc-kb reindex                 # add new, changed and deleted reports only
  cqc-kb reindex --full          # rebuild everything
  cqc-kb reindex --corpus reports/ --index /tmp/idx --json""",
    "search": """examples:
  cqc-kb search "waiting times for Care Act assessments"
  cqc-kb search "direct payments" --authority "Stockton-on-Tees Borough Council" -k 3 --json
  cqc-kb search "median wait" --assessments all      # superseded reports too""",
    "ask": """examples:
  cqc-kb ask "What was the median waiting time for a Care Act assessment?"
  cqc-kb ask "How do councils support young people moving to adult services?" --json
  cqc-kb ask "Which councils scored 1 or 2 on safeguarding?"
  cqc-kb ask "Has Stockton's safeguarding score improved since its last assessment?"
  cqc-kb ask "What was the median wait?" --assessments 2024-01-31   # reports current then
  cqc-kb ask --questions questions.txt      # one question a line; JSON lines out""",
    "compare": """examples:
  cqc-kb compare "What is the median wait for a Care Act assessment?"
  cqc-kb compare "How are unpaid carers supported?" --authority "Stockton-on-Tees Borough Council" --json
  cqc-kb compare --over-time Stockton-on-Tees "What is the median wait for a Care Act assessment?" --json""",
    "scores": """examples:
  cqc-kb scores
  cqc-kb scores --json
  cqc-kb scores --csv > scores.csv
  cqc-kb scores --assessments all      # every report, superseded ones too""",
    "changes": """examples:
  cqc-kb changes                       # every council assessed more than once
  cqc-kb changes "Stockton-on-Tees"
  cqc-kb changes "Stockton-on-Tees" --json""",
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
    g.add_argument("--theme", action="append", default=[], type=_one_of(THEMES), metavar="THEME",
                   help=f"one of: {', '.join(THEMES)}")
    g.add_argument("--statement", action="append", default=[], type=_one_of(STATEMENT_NAMES), metavar="STATEMENT",
                   help="a quality statement, e.g. 'Assessing needs'")
    g.add_argument("--score", action="append", default=[], type=int, choices=(1, 2, 3, 4),
                   help="score of the quality statement a passage sits under")
    g.add_argument("--rating", action="append", default=[], type=_one_of(RATINGS), metavar="RATING",
                   help=f"overall rating: {', '.join(RATINGS)}")
    _assessments_option(g)


def _assessments_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument("--assessments", default="latest", metavar="latest|all|DATE",
                        help="which report of a council assessed more than once: its latest (default), "
                             "all, or the one current on DATE (YYYY-MM-DD); a --document is always used")


def _one_of(known: Sequence[str]) -> Callable[[str], str]:
    """An argparse type accepting one of ``known`` in any letter case, naming them all if not."""
    by_key = {k.casefold(): k for k in known}

    def convert(raw: str) -> str:
        try:
            return by_key[raw.strip().casefold()]
        except KeyError:
            raise argparse.ArgumentTypeError(
                f"unknown value {raw!r}; choose from: {'; '.join(known)}") from None

    return convert


def _top_k(raw: str) -> int:
    low, high = TOP_K_RANGE
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}, not {raw!r}")
    return value


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
    p.add_argument("-k", "--top", type=_top_k, default=None,
                   help=f"number of passages, {TOP_K_RANGE[0]} to {TOP_K_RANGE[1]} (default 5)")
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
            _assessments_option(p)
            p.add_argument("--over-time", metavar="AUTHORITY",
                           help="answer in each assessment of this council, oldest to newest "
                                "(instead of one row per council)")

    p = add("scores", "Show each report's quality statement scores, rating and checks.")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON")
    fmt.add_argument("--csv", action="store_true", help="print CSV")
    _assessments_option(p)

    p = add("changes", "Show how a council's scores, rating and percentage changed between its assessments.")
    p.add_argument("authority", nargs="?", help="the council (default: every council assessed more than once)")
    p.add_argument("--json", action="store_true", help="print JSON")

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
        # update() redraws at most every tqdm.mininterval; setting n and refreshing drew every
        # batch, thousands of lines in a log that is not a terminal.
        bar.update(max(0, done - bar.n))
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
    if result.repaired:
        print(f"the index was damaged ({result.repaired}); rebuilt it from the corpus", file=sys.stderr)
    if result.leftovers and not args.quiet:
        print(f"removed what an interrupted reindex left: {', '.join(result.leftovers)}", file=sys.stderr)
    for name, reason in result.skipped:
        print(f"skipped {name!r}: {reason}", file=sys.stderr)
    return EXIT_SKIPPED if result.skipped else EXIT_OK


def _known(values: Sequence[str], known: Sequence[str], what: str, plural: str) -> tuple[str, ...]:
    """``values`` matched to names in the index (any letter case); an unknown one is an error
    naming every known value, rather than a filter that silently matches nothing."""
    by_key = {k.casefold(): k for k in known}
    matched = []
    for value in values:
        name = by_key.get(value.strip().casefold())
        if name is None:
            raise KbError(f"no {what} {value!r} in the index; known {plural}: {'; '.join(known) or 'none'}")
        matched.append(name)
    return tuple(matched)


def _authorities(args: argparse.Namespace, kb: Any) -> tuple[str, ...]:
    return _known(args.authority, sorted({a for a, _ in kb.authorities()}), "authority", "authorities")


def _filters_of(args: argparse.Namespace, kb: Any) -> Filters:
    documents = [r["name"] for r in kb.store.documents()]
    return Filters(documents=_known(args.document, documents, "document", "documents"),
                   authorities=_authorities(args, kb), themes=tuple(args.theme),
                   statements=tuple(args.statement), scores=tuple(args.score), ratings=tuple(args.rating),
                   assessments=parse_assessments(args.assessments))


def _query_text(text: str, what: str) -> str:
    """A query or question checked before any work: UTF-8, not blank, not a whole document."""
    bad = next((i for i, ch in enumerate(text) if "\ud800" <= ch <= "\udfff"), None)
    if bad is not None:
        # Bytes that are not UTF-8 reach argv as lone surrogates (PEP 383).
        code = ord(text[bad])
        byte = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "a lone surrogate"
        raise KbError(f"the {what} is not valid UTF-8 text ({byte} at character {bad + 1}); "
                      "retype it, or set the terminal to UTF-8")
    text = text.strip()
    if not text:
        raise KbError(f"the {what} is empty; type some words, e.g. 'waiting times for Care Act assessments'")
    if len(text) > MAX_QUERY_CHARS:
        raise KbError(f"the {what} is {len(text)} characters long; keep it under {MAX_QUERY_CHARS}")
    return text


def _place(authority: str | None, document: str, section: str, page: int | None,
           published: str | None = None) -> str:
    where = council_label(authority, published, document)
    return f"{where} | {section or '(no heading)'}" + (f" | page {page}" if page else "")


def _print_hits(hits: Sequence[Hit]) -> None:
    for h in hits:
        print(f"{h.rank}. {_place(h.authority, h.document, h.section, h.page, h.published)}  [{h.start}:{h.end}]")
        print(textwrap.indent(textwrap.fill(" ".join(h.text.split()), 100), "   "))
        print()


def _print_answer(answer: Answer) -> None:
    if answer.groups:
        print(f"Answered in {len(answer.groups)} of {answer.reports_searched or len(answer.groups)} reports, "
              "strongest evidence first (use `cqc-kb compare` for every report).")
        for group in answer.groups:
            print(f"\n== {council_label(group.authority, group.published, group.document)}")
            _print_citations(group.citations)
    else:
        print(textwrap.fill(answer.answer, 100))
        _print_citations(answer.citations)
    cue = answer.extra.get("strength")
    if cue:
        print(f"\nEvidence: {cue} (confidence {answer.confidence:.2f})")
    if answer.abstained and answer.hits:
        print("\nClosest passages:")
        _print_hits(answer.hits[:3])


def _print_citations(citations) -> None:
    for c in citations:
        print(f"\n[{c.n}] {_place(c.authority, c.document, c.section, c.page, c.published)}  [{c.start}:{c.end}]")
        print(textwrap.indent(textwrap.fill("\u201c" + " ".join(c.quote.split()) + "\u201d", 96), "    "))


def cmd_search(args: argparse.Namespace) -> int:
    query = _query_text(args.query, "query")
    kb = _open(args)
    hits = kb.search(query, k=args.top, filters=_filters_of(args, kb), mode=args.mode)
    if args.json:
        _emit({"query": query, "hits": [h.to_json() for h in hits]})
    elif not hits:
        print("No passages matched.")
    else:
        _print_hits(hits)
    return EXIT_OK


def _questions(args: argparse.Namespace) -> list[str]:
    """The question argument, or the lines of --questions, each checked by :func:`_query_text`."""
    if args.questions is None:
        if args.question is None:
            raise KbError("give a question, or --questions FILE (one question a line, '-' for stdin)")
        return [_query_text(args.question, "question")]
    if args.question is not None:
        raise KbError("give either a question or --questions FILE, not both")
    source = "stdin" if args.questions == "-" else args.questions
    try:
        with (contextlib.nullcontext(sys.stdin.buffer) if args.questions == "-"
              else open(args.questions, "rb")) as stream:
            raw = stream.read(MAX_QUESTIONS_BYTES + 1)
    except OSError as exc:
        raise KbError(f"cannot read questions file {args.questions}: {exc.strerror}") from None
    if len(raw) > MAX_QUESTIONS_BYTES:
        raise KbError(f"{source} is over {MAX_QUESTIONS_BYTES // 1_000_000} MB; split it into smaller files")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise KbError(f"{source} is UTF-16 text; save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)")
    questions = []
    for n, line in enumerate(raw.splitlines(), start=1):
        try:
            text = line.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            raise KbError(f"{source} line {n} is not valid UTF-8 (byte 0x{line[exc.start]:02x} at column "
                          f"{exc.start + 1}); save the questions as UTF-8 text") from None
        if text.strip():
            questions.append(_query_text(text, f"question on {source} line {n}"))
    if not questions:
        raise KbError(f"{source} holds no questions; write one question a line")
    return questions


def cmd_ask(args: argparse.Namespace) -> int:
    questions = _questions(args)
    kb = _open(args)
    filters = _filters_of(args, kb)
    batch = args.questions is not None
    for question in questions:
        answer = kb.ask(question, filters=filters, mode=args.mode)
        if args.json or batch:
            _emit(answer.to_json())
        else:
            _print_answer(answer)
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    questions = _questions(args)
    kb = _open(args)
    authorities = _authorities(args, kb)
    batch = args.questions is not None
    for question in questions:
        rows = kb.compare(question, authorities=list(authorities) or None, mode=args.mode,
                          filters=Filters(assessments=parse_assessments(args.assessments)),
                          over_time=args.over_time)
        if args.json or batch:
            _emit({"question": question, "rows": [r.to_json() for r in rows]})
            continue
        print(f"Q: {question}\n")
        for row in rows:
            score = f" (evidence under {row.score['quality_statement']}, scored {row.score['value']})" \
                if row.score else ""
            print(f"== {row.label}{score}")
            _print_answer(row.answer)
            print()
    return EXIT_OK


def cmd_scores(args: argparse.Namespace) -> int:
    from .kb import KnowledgeBase

    kb = KnowledgeBase.open(_settings(args), lazy=True)  # the table needs no model
    rows = kb.scores(parse_assessments(args.assessments))
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
    elif not rows and args.assessments not in ("latest", "all"):
        print(f"No CQC report in the index was published on or before {args.assessments}.")
    elif not rows:
        print("No CQC reports in the index.")
    else:
        for r in rows:
            print(f"{council_label(r.authority, r.published)} ({r.document}): "
                  f"{r.rating or 'rating not found'}, {r.percentage}%")
            for name in STATEMENT_NAMES:
                value = r.scores[name]
                print(f"  {name:<45} {'not assessed' if value is None else value}")
            for w in r.warnings:
                print(f"  warning: {w}")
            print()
    return EXIT_OK


def _value(value: Any) -> str:
    return "-" if value is None else f"{value}%" if isinstance(value, float) else str(value)


def cmd_changes(args: argparse.Namespace) -> int:
    kb = _open(args)
    councils = kb.changes(args.authority)
    if args.json:
        _emit([c.to_json() for c in councils])
        return EXIT_OK
    if not councils:
        print("No council has more than one assessment in the index.")
    for council in councils:
        count = len(council.assessments)
        print(f"{council.authority}: {count} assessment{'' if count == 1 else 's'}")
        heads = [a.published or "date unknown" for a in council.assessments]
        print(f"  {'':<45} " + "".join(f"{h:>22}" for h in heads) + f"{'change':>10}")
        for row in council.rows:
            change = "" if row.change is None else f"{row.change:+g}" if row.change else "0"
            print(f"  {row.measure:<45} " + "".join(f"{_value(v):>22}" for v in row.values)
                  + f"{change:>10}")
        for a in council.assessments:
            print(f"  {a.published or 'date unknown'}: {a.document}")
        print()
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from .library import library_rows
    from .store import Store

    settings = _settings(args)
    # Status is where a user checks the index: every file's checksum, but no vectors loaded.
    store = Store.open(settings, verify_checksums=True, vectors=False)
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
    # Sentences whose stored facts are missing or from other code answer the same, more slowly.
    status["sentences_without_facts"] = store.sentences_without_facts()
    if args.json:
        _emit(status)
    else:
        print(f"{status['documents']} documents, {status['chunks']} passages, model {status['model']}, "
              f"built {status['built_at']}")
        for key in ("new", "changed", "deleted"):
            if status[key]:
                print(f"{key}: {', '.join(status[key])}")
        print("up to date" if status["up_to_date"] else "run `cqc-kb reindex` to bring it up to date")
        if status["sentences_without_facts"]:
            print(f"{status['sentences_without_facts']} sentences have no stored facts from this version "
                  "(answers are the same, comparisons slower); run `cqc-kb reindex --full` to store them")
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import main as eval_main

    return eval_main(args, _settings(args))


COMMANDS = {"reindex": cmd_reindex, "search": cmd_search, "ask": cmd_ask, "compare": cmd_compare,
            "scores": cmd_scores, "changes": cmd_changes, "status": cmd_status, "eval": cmd_eval}


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (tests and pipes replace it)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"cqc-kb: {self.format(record)}", file=sys.stderr)


_LOG_HANDLER = _StderrHandler()


def _configure_logging(quiet: bool) -> None:
    """The library's notes (and the PDF reader's warnings it relays) go to stderr; --quiet
    keeps only errors."""
    logger = logging.getLogger("cqc_kb")
    if _LOG_HANDLER not in logger.handlers:
        logger.addHandler(_LOG_HANDLER)
    logger.propagate = False
    logger.setLevel(logging.ERROR if quiet else logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    # File names that are not UTF-8 (kept by Python as lone surrogates) print escaped, not crash.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(getattr(args, "quiet", False))
    try:
        return COMMANDS[args.command](args)
    except KbError as exc:
        print(f"cqc-kb {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except sqlite3.DatabaseError as exc:  # damaged after the checks on open, or a full disk
        print(f"cqc-kb {args.command}: error: the index database failed ({exc}); check the free disk "
              "space, then run `cqc-kb reindex` to rebuild it", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # a folder that cannot be created or read, a full disk
        where = f" {exc.filename}" if exc.filename else ""
        print(f"cqc-kb {args.command}: error: cannot use{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
