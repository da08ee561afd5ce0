"""Check the blind-9 gold file blind9.jsonl against the twelve reports of its library.

Adapted from eval/blind5/check.py. For every line:

* schema as eval/gold/check_gold.py requires: exactly {"q", "expect", "authority"}, 0-3 non-empty
  expect strings of at most 45 characters, authority a council of the library or null;
* no question twice for one authority, and no question text (normalised) that is already in
  eval/gold/{dev,heldout,confirm}.jsonl, eval/blind/blind.jsonl or eval/blind5/blind5.jsonl;
* the authority is spelled exactly as the project detects it (cqc_kb.parse.parse_file +
  cqc_kb.structure.analyse on the file the library indexes);
* every expect string occurs (check_gold's normalisation; lower case) in every variant of its
  council's report: the plain source, the rendered file's text (pypdf for PDF, the <main> of the
  HTML without scripts and styles, the file itself for text) and the text the project's parser stores;
* library-wide questions (one text on several lines) name no council and have a different council
  on each line;
* unanswerable lines: the absent fact was checked by reading; as a guard, the words that would
  carry it (ABSENT) must not occur in the council's report, or in any of the twelve reports when
  the question names no council (it is also asked over the whole library) or authority is null.

It also checks that each new report's nine scores give the rating its title block states under
CQC's thresholds, and that the project's parser finds that same rating and those nine scores.

    python eval/blind9/check.py
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAIN = HERE.parents[1]
sys.path.insert(0, str(MAIN / "eval" / "gold"))
sys.path.insert(0, str(MAIN / "src"))

import check_gold  # noqa: E402  (norm, schema check, Stockton + fixture texts)

GOLD = HERE / "blind9.jsonl"
REPORTS = HERE / "reports"
OLD_BLIND = MAIN / "eval" / "blind"
BLIND5 = MAIN / "eval" / "blind5"
NEW = {
    # authority: (source, rendered file, format)
    "Wyvernstoke Borough Council": ("wyvernstoke.source.txt", "wyvernstoke.txt", "txt"),
    "Harrowdene City Council": ("harrowdene.source.txt", "harrowdene.pdf", "pdf"),
    "Fellmarsh County Council": ("fellmarsh.source.txt", "fellmarsh.html", "html"),
}
#: authority: (folder, source, rendered file, format)
PREVIOUS_BLIND = {
    "Brackenford City Council": (OLD_BLIND, "brackenford.source.txt", "brackenford.pdf", "pdf"),
    "Sedgecombe County Council": (OLD_BLIND, "sedgecombe.source.txt", "sedgecombe.html", "html"),
    "Callowmere Borough Council": (BLIND5, "callowmere.source.txt", "callowmere.txt", "txt"),
    "Ravensholt City Council": (BLIND5, "ravensholt.source.txt", "ravensholt.pdf", "pdf"),
    "Amberleigh County Council": (BLIND5, "amberleigh.source.txt", "amberleigh.html", "html"),
}
#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "wyvernstoke", "harrowdene", "fellmarsh")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised.
ABSENT: dict[str, tuple[str, ...]] = {
    "What was the longest wait for an occupational therapy assessment in Wyvernstoke?":
        ("longest wait for an occupational", "maximum wait for an occupational", "longest occupational",
         "longest wait for occupational", "therapy waits of up to"),
    "How many people were waiting for a Care Act assessment in Wyvernstoke at the end of March 2024?":
        ("march 2024",),
    "How many carers in Wyvernstoke were waiting for a carer's assessment?":
        ("carers were waiting", "carers waiting", "waiting for a carer"),
    "What share of younger adults in Wyvernstoke used direct payments?":
        ("aged 18 to 64", "18-64", "18 to 64", "younger adults used", "younger adults took"),
    "How many people did Brookfield Lodge in Wyvernstoke discharge home in 2024/25?":
        ("discharged from brookfield", "brookfield lodge discharged", "went home from brookfield",
         "returned home from brookfield", "left brookfield"),
    "How many safeguarding concerns did Wyvernstoke receive in 2023/24?": ("concerns in 2023/24",),
    "What does Wyvernstoke charge carers for a Take a Breath short break?":
        ("take a breath costs", "charge for a short break", "per night", "a night", "charged for short breaks"),
    "What was the median wait for a Care Act assessment in Harrowdene in Q3 2023/24?": ("q3 2023/24",),
    "What was the longest wait for a Care Act assessment in Harrowdene?":
        ("longest wait", "maximum wait", "longest anyone", "waited up to"),
    "How many people were admitted to Linden Court in Harrowdene in 2024/25?":
        ("admitted to linden", "linden court admitted", "admissions to linden", "stayed at linden"),
    "How many people were waiting for an occupational therapy assessment in Harrowdene?":
        ("waiting for an occupational", "waiting for occupational", "waiting list for an occupational"),
    "What share of younger disabled adults in Harrowdene were still at home 91 days after reablement?":
        ("aged 18 to 64", "18-64", "18 to 64", "younger adults were still", "younger people were still"),
    "How many safeguarding enquiries did Harrowdene close in 2024/25?":
        ("enquiries were completed", "enquiries were closed", "completed enquiries", "closed enquiries",
         "enquiries closed", "enquiries completed"),
    "What was Harrowdene's social work vacancy rate in 2022/23?": ("2022/23",),
    "What is the median wait for an occupational therapy assessment in Fellmarsh?": ("median",),
    "How many people were waiting for domiciliary care in the south of Fellmarsh?":
        ("south of the county", "southern", "in the south"),
    "How many carers used Heron House in Fellmarsh in 2024/25?":
        ("carers used heron", "stays at heron", "heron house supported", "heron house provided",
         "heron house had"),
    "What was the longest wait for a carer's assessment in Fellmarsh?":
        ("longest wait", "maximum wait", "longest a carer", "waited up to"),
    "How many Fellmarsh care homes were rated inadequate?": ("rated inadequate", "inadequate by cqc"),
    "How much does Brackenford Lifeline cost each week?":
        ("lifeline costs", "lifeline cost", "lifeline charge", "charge for lifeline", "charge for telecare",
         "telecare charge"),
    "What is the sickness absence rate for Amberleigh's social workers?": ("sickness", "sick leave", "absence rate"),
    "How many potholes did the council repair last year?": ("pothole",),
    "What is the price of a school meal?": ("school meal", "free school"),
    "What are the opening hours of the household recycling centre?": ("recycling", "tip "),
    "How much is council tax going up by?": ("council tax",),
    "How long do people wait for a blue badge?": ("blue badge",),
    "What does it cost to park at the hospital?": ("parking", "car park"),
    "What is the median wait for a continuing healthcare assessment?": ("continuing healthcare", "continuing care"),
    "How many people are on the waiting list for social housing?":
        ("social housing", "housing register", "waiting list for housing", "council housing"),
    "How many foster carers does the council have?": ("foster",),
}

_RATING_BANDS = ((88, "Outstanding"), (63, "Good"), (39, "Requires improvement"), (0, "Inadequate"))


def norm(text: str) -> str:
    return check_gold.norm(text).lower()


def html_main_text(path: Path) -> str:
    """The visible text of <main>, scripts and styles removed (what a reader sees)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    main = soup.find("main")
    assert main is not None, f"{path.name}: no <main>"
    for tag in main.find_all(["script", "style", "noscript", "template"]):
        tag.decompose()
    return main.get_text("\n")


def rendered_text(path: Path, fmt: str) -> str:
    if fmt == "pdf":
        return check_gold.pdf_text(path)
    if fmt == "html":
        return html_main_text(path)
    return path.read_text(encoding="utf-8")


def detected(path: Path):
    """(authority, rating, scores) as the project's parser and structure reader see them."""
    from cqc_kb.parse import parse_file
    from cqc_kb.structure import analyse

    doc = parse_file(path)
    report = analyse(doc)
    return doc, report


def load_all(tmp: Path) -> tuple[dict[str, list[tuple[str, str]]], dict[str, str], list[str]]:
    """authority -> [(variant label, normalised lower-case text)], file -> detected authority,
    and problems found while reading."""
    problems: list[str] = []
    texts = {a: [(label, t.lower()) for label, t in variants]
             for a, variants in check_gold.load_texts(tmp).items()}
    files: dict[str, Path] = {check_gold.STOCKTON: check_gold.stockton_path()}
    import build_fixtures  # importable: check_gold put tests/fixtures on sys.path

    for fx in build_fixtures.FIXTURES:
        files[fx.authority] = tmp / fx.output
    for authority, (folder, source, rendered, fmt) in PREVIOUS_BLIND.items():
        path = folder / "reports" / rendered
        texts[authority] = [
            (f"source {source}", norm((folder / "reports" / source).read_text(encoding="utf-8"))),
            (f"{fmt} {rendered}", norm(rendered_text(path, fmt))),
        ]
        files[authority] = path
    for authority, (source, rendered, fmt) in NEW.items():
        path = REPORTS / rendered
        texts[authority] = [
            (f"source {source}", norm((REPORTS / source).read_text(encoding="utf-8"))),
            (f"{fmt} {rendered}", norm(rendered_text(path, fmt))),
        ]
        files[authority] = path
    names: dict[str, str] = {}
    for authority, path in files.items():
        doc, report = detected(path)
        texts[authority].append((f"cqc_kb parser {path.name}", norm(doc.text)))
        names[path.name] = report.authority or ""
        if report.authority != authority:
            problems.append(f"{path.name}: the project detects authority {report.authority!r}, "
                            f"the check expects {authority!r}")
    return texts, names, problems


def check_rating(authority: str, source: Path, rendered: Path) -> list[str]:
    text = source.read_text(encoding="utf-8")
    block = text.split("Quality statement scores", 1)[1].split("Summary of people", 1)[0]
    scores = [int(s) for s in re.findall(r"Score: ([1-4])", block)]
    rating_block = text.split("Local authority rating and score", 1)[1].split("Quality statement scores", 1)[0]
    stated = next((r for _, r in _RATING_BANDS if re.search(rf"^{r}$", rating_block, re.M)), None)
    if len(scores) != 9:
        return [f"{authority}: {len(scores)} scores in the scores list, expected 9"]
    details = [int(s) for s in re.findall(r"^Score: ([1-4])$", text.split("Theme 1:", 1)[1], re.M)]
    pct = 100 * sum(scores) / 36
    expected = next(r for floor, r in _RATING_BANDS if pct >= floor)
    _, report = detected(rendered)
    parsed = [s.score for s in report.statements]
    print(f"  {authority}: scores {scores} = {sum(scores)}/36 = {pct:.1f}% -> {expected}; stated {stated}; "
          f"parser ({rendered.name}): {report.rating}, {parsed}, warnings {list(report.warnings)}")
    errors = []
    if stated != expected:
        errors.append(f"{authority}: stated rating {stated} but {pct:.1f}% is {expected}")
    if details != scores:
        errors.append(f"{authority}: the statement sections' scores {details} differ from the list {scores}")
    if report.rating != stated or parsed != scores:
        errors.append(f"{authority}: the project's parser reads rating {report.rating} and scores {parsed} "
                      f"from {rendered.name}, the report states {stated} and {scores}")
    return errors


def names_council(question: str) -> bool:
    q = question.lower()
    return any(w in q for w in COUNCIL_WORDS)


def main() -> int:
    errors: list[str] = []
    records: list[tuple[int, dict]] = []
    for n, line in enumerate(GOLD.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"line {n}: invalid JSON ({exc})")
            continue
        errs = check_gold.validate_schema(rec, f"line {n}")
        errors.extend(errs)
        if not errs:
            records.append((n, rec))

    counts = Counter((norm(r["q"]), r["authority"]) for _, r in records)
    errors.extend(f"duplicate question for one authority: {q!r} ({a})" for (q, a), c in counts.items() if c > 1)
    existing: set[str] = set()
    sources = [MAIN / "eval" / "gold" / name for name in check_gold.GOLD_FILES] + [OLD_BLIND / "blind.jsonl", BLIND5 / "blind5.jsonl"]
    for path in sources:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                existing.add(norm(json.loads(line)["q"]))
    errors.extend(f"line {n}: question already in {', '.join(p.name for p in sources)}: {r['q']!r}"
                  for n, r in records if norm(r["q"]) in existing)
    print(f"compared with {len(existing)} question texts of eval/gold/*.jsonl, eval/blind/blind.jsonl and eval/blind5/blind5.jsonl")

    print("ratings of the new reports:")
    for authority, (source, rendered, _) in NEW.items():
        errors.extend(check_rating(authority, REPORTS / source, REPORTS / rendered))

    with tempfile.TemporaryDirectory(prefix="blind9-") as tmp:
        texts, detected_names, problems = load_all(Path(tmp))
    errors.extend(problems)
    print("authorities as the project detects them:")
    for name, authority in sorted(detected_names.items()):
        print(f"  {name}: {authority}")

    q_count = Counter(norm(r["q"]) for _, r in records)
    repeated = 0
    for n, rec in records:
        auth, expect, q = rec["authority"], rec["expect"], rec["q"]
        if auth is not None and auth not in texts:
            errors.append(f"line {n}: unknown authority {auth!r} (the project detects {sorted(texts)})")
            continue
        for exp in expect:
            if len(exp) > 45:
                errors.append(f"line {n}: expect string longer than 45 chars: {exp!r}")
        if expect and auth is None:
            errors.append(f"line {n}: answerable line without authority")
        for exp in expect if auth else ():
            e = norm(exp)
            for label, text in texts[auth]:
                if e not in text:
                    errors.append(f"line {n}: {exp!r} not found in {label}")
            if texts[auth][0][1].count(e) > 1:
                repeated += 1
        if q_count[norm(q)] > 1 and names_council(q):
            errors.append(f"line {n}: a library-wide question must name no council: {q!r}")
        if not expect:
            if q not in ABSENT:
                errors.append(f"line {n}: unanswerable question without an ABSENT entry: {q!r}")
                continue
            scope = [auth] if auth and names_council(q) else list(texts)
            for phrase in ABSENT[q]:
                for a in scope:
                    for label, text in texts[a]:
                        if phrase in text:
                            errors.append(f"line {n}: {phrase!r} occurs in {label}; is the fact there?")
    for q in {norm(r["q"]) for _, r in records if q_count[norm(r["q"])] > 1}:
        auths = [r["authority"] for _, r in records if norm(r["q"]) == q]
        if len(set(auths)) != len(auths) or None in auths:
            errors.append(f"library-wide question with a repeated or null authority: {q!r}")
    unused = set(ABSENT) - {r["q"] for _, r in records if not r["expect"]}
    errors.extend(f"ABSENT entry for no unanswerable line: {q!r}" for q in sorted(unused))

    new_auth = set(NEW)
    grouped = [r for _, r in records if q_count[norm(r["q"])] > 1]
    single = [r for _, r in records if q_count[norm(r["q"])] == 1]
    kinds = {
        "answerable, new reports": [r for r in single if r["expect"] and r["authority"] in new_auth],
        "answerable, existing nine reports": [r for r in single if r["expect"] and r["authority"] not in new_auth],
        "library-wide lines (one per council)": grouped,
        "unanswerable, council set": [r for r in single if not r["expect"] and r["authority"]],
        "unanswerable, authority null": [r for r in single if not r["expect"] and not r["authority"]],
    }
    print(f"\n{GOLD.name}: {len(records)} lines, {sum(1 for _, r in records if r['expect'])} answerable, "
          f"{sum(1 for _, r in records if not r['expect'])} unanswerable")
    for kind, rows in kinds.items():
        extra = f" ({len({norm(r['q']) for r in rows})} questions)" if kind.startswith("library") else ""
        print(f"  {kind}: {len(rows)}{extra}")
    for auth, c in sorted(Counter(r["authority"] or "(null)" for _, r in records).items()):
        print(f"    {auth}: {c}")
    unnamed = [r for _, r in records if r["authority"] and not names_council(r["q"])]
    print(f"  lines with authority set whose question names no council (also asked unscoped): "
          f"{len(unnamed)} of {sum(1 for _, r in records if r['authority'])}")
    print(f"  expect strings occurring more than once in their report's source: {repeated}")

    if errors:
        print(f"\nFAILED: {len(errors)} problem(s)")
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK: every expect string found in its report (source, rendered file, project parser text); "
          "no absent-fact phrase found; ratings consistent and read back by the parser; authorities as "
          "detected; no question shared with eval/gold/*.jsonl, eval/blind/blind.jsonl or eval/blind5/blind5.jsonl")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
