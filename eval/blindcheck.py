"""What every blind set's check.py checks, given the set's own data (its reports, its
unanswerable questions' absent words, the earlier sets it must not repeat). For every line of
the set's gold file:

* schema as eval/gold/check_gold.py requires: exactly {"q", "expect", "authority"}, 0-3 non-empty
  expect strings of at most 45 characters, authority a council of the library or null;
* no question twice for one authority, and no question text (normalised) that is already in
  eval/gold/*.jsonl or an earlier blind set;
* the authority is spelled exactly as the project detects it (cqc_kb.parse.parse_file +
  cqc_kb.structure.analyse on the file the library indexes);
* every expect string occurs (check_gold's normalisation; lower case) in every variant of its
  council's report: the plain source, the rendered file's text (pypdf for PDF, the <main> of the
  HTML, or its <div id="content">, without scripts, styles and hidden elements, the file itself
  for text) and the text the project's parser stores;
* library-wide questions (one text on several lines) name no council and have a different council
  on each line;
* unanswerable lines: the absent fact was checked by reading; as a guard, the words that would
  carry it (``absent``) must not occur in the council's report, or in any report of the library
  when the question names no council (it is also asked over the whole library) or authority is null.

It also checks that each new report's nine scores give the rating its title block states under
CQC's thresholds, and that the project's parser finds that same rating and those nine scores.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

MAIN = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(MAIN / "eval" / "gold"))
sys.path.insert(0, str(MAIN / "src"))

import check_gold  # noqa: E402  (norm, schema check, Stockton + fixture texts)

#: The earlier blind sets' reports: authority -> (set folder, source, rendered file, format).
EARLIER_REPORTS = {
    "Brackenford City Council": (MAIN / "eval" / "blind", "brackenford.source.txt", "brackenford.pdf", "pdf"),
    "Sedgecombe County Council": (MAIN / "eval" / "blind", "sedgecombe.source.txt", "sedgecombe.html", "html"),
    "Callowmere Borough Council": (MAIN / "eval" / "blind5", "callowmere.source.txt", "callowmere.txt", "txt"),
    "Ravensholt City Council": (MAIN / "eval" / "blind5", "ravensholt.source.txt", "ravensholt.pdf", "pdf"),
    "Amberleigh County Council": (MAIN / "eval" / "blind5", "amberleigh.source.txt", "amberleigh.html", "html"),
}


@dataclass(frozen=True)
class BlindSet:
    """One blind set's data."""

    gold: Path
    reports: Path
    #: authority -> (source, rendered file, format) of the set's own new reports.
    new: dict[str, tuple[str, str, str]]
    #: Authorities of :data:`EARLIER_REPORTS` in its library.
    previous: tuple[str, ...]
    #: Words by which a question names a council (lower case).
    council_words: tuple[str, ...]
    #: Unanswerable question -> phrases whose presence would mean the fact might be there after
    #: all (lower case, normalised).
    absent: dict[str, tuple[str, ...]]
    #: Earlier blind sets (folder names under eval/) whose questions it must not repeat.
    earlier: tuple[str, ...]

    def previous_reports(self) -> dict[str, tuple[Path, str, str, str]]:
        return {a: EARLIER_REPORTS[a] for a in self.previous}


_RATING_BANDS = ((88, "Outstanding"), (63, "Good"), (39, "Requires improvement"), (0, "Inadequate"))


def norm(text: str) -> str:
    return check_gold.norm(text).lower()


def html_main_text(path: Path) -> str:
    """The visible text of the report's part of the page, <main> or, on an old-style page
    without one, <div id="content">: scripts, styles and elements hidden with display:none
    removed (what a reader sees)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    main = soup.find("main") or soup.find("div", id="content")
    assert main is not None, f"{path.name}: neither <main> nor <div id=content>"
    for tag in main.find_all(["script", "style", "noscript", "template"]):
        tag.decompose()
    for tag in main.find_all(style=re.compile(r"display\s*:\s*none")):
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


def load_all(blind: BlindSet, tmp: Path) -> tuple[dict[str, list[tuple[str, str]]], dict[str, str], list[str]]:
    """authority -> [(variant label, normalised lower-case text)], file -> detected authority,
    and problems found while reading."""
    problems: list[str] = []
    texts = {a: [(label, t.lower()) for label, t in variants]
             for a, variants in check_gold.load_texts(tmp).items()}
    files: dict[str, Path] = {check_gold.STOCKTON: check_gold.stockton_path()}
    import build_fixtures  # importable: check_gold put tests/fixtures on sys.path

    for fx in build_fixtures.FIXTURES:
        files[fx.authority] = tmp / fx.output
    for authority, (folder, source, rendered, fmt) in blind.previous_reports().items():
        path = folder / "reports" / rendered
        texts[authority] = [
            (f"source {source}", norm((folder / "reports" / source).read_text(encoding="utf-8"))),
            (f"{fmt} {rendered}", norm(rendered_text(path, fmt))),
        ]
        files[authority] = path
    for authority, (source, rendered, fmt) in blind.new.items():
        path = blind.reports / rendered
        texts[authority] = [
            (f"source {source}", norm((blind.reports / source).read_text(encoding="utf-8"))),
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


def names_council(blind: BlindSet, question: str) -> bool:
    q = question.lower()
    return any(w in q for w in blind.council_words)


def main(blind: BlindSet) -> int:
    """Check ``blind``'s gold file; print what was checked; 0 when all is well, 1 otherwise."""
    errors: list[str] = []
    records: list[tuple[int, dict]] = []
    for n, line in enumerate(blind.gold.read_text(encoding="utf-8").splitlines(), 1):
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
    sources = [MAIN / "eval" / "gold" / name for name in check_gold.GOLD_FILES] + \
        [MAIN / "eval" / name / f"{name}.jsonl" for name in blind.earlier]
    earlier = ", ".join(["eval/gold/*.jsonl", *(f"eval/{name}/{name}.jsonl" for name in blind.earlier)])
    for path in sources:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                existing.add(norm(json.loads(line)["q"]))
    errors.extend(f"line {n}: question already in {', '.join(p.name for p in sources)}: {r['q']!r}"
                  for n, r in records if norm(r["q"]) in existing)
    print(f"compared with {len(existing)} question texts of {earlier}")

    print("ratings of the new reports:")
    for authority, (source, rendered, _) in blind.new.items():
        errors.extend(check_rating(authority, blind.reports / source, blind.reports / rendered))

    with tempfile.TemporaryDirectory(prefix=f"{blind.gold.stem}-") as tmp:
        texts, detected_names, problems = load_all(blind, Path(tmp))
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
        if q_count[norm(q)] > 1 and names_council(blind, q):
            errors.append(f"line {n}: a library-wide question must name no council: {q!r}")
        if not expect:
            if q not in blind.absent:
                errors.append(f"line {n}: unanswerable question without an ABSENT entry: {q!r}")
                continue
            scope = [auth] if auth and names_council(blind, q) else list(texts)
            for phrase in blind.absent[q]:
                for a in scope:
                    for label, text in texts[a]:
                        if phrase in text:
                            errors.append(f"line {n}: {phrase!r} occurs in {label}; is the fact there?")
    for q in {norm(r["q"]) for _, r in records if q_count[norm(r["q"])] > 1}:
        auths = [r["authority"] for _, r in records if norm(r["q"]) == q]
        if len(set(auths)) != len(auths) or None in auths:
            errors.append(f"library-wide question with a repeated or null authority: {q!r}")
    unused = set(blind.absent) - {r["q"] for _, r in records if not r["expect"]}
    errors.extend(f"ABSENT entry for no unanswerable line: {q!r}" for q in sorted(unused))

    new_auth = set(blind.new)
    grouped = [r for _, r in records if q_count[norm(r["q"])] > 1]
    single = [r for _, r in records if q_count[norm(r["q"])] == 1]
    kinds = {
        "answerable, new reports": [r for r in single if r["expect"] and r["authority"] in new_auth],
        f"answerable, existing {4 + len(blind.previous)} reports": [r for r in single if r["expect"] and r["authority"] not in new_auth],
        "library-wide lines (one per council)": grouped,
        "unanswerable, council set": [r for r in single if not r["expect"] and r["authority"]],
        "unanswerable, authority null": [r for r in single if not r["expect"] and not r["authority"]],
    }
    print(f"\n{blind.gold.name}: {len(records)} lines, {sum(1 for _, r in records if r['expect'])} answerable, "
          f"{sum(1 for _, r in records if not r['expect'])} unanswerable")
    for kind, rows in kinds.items():
        extra = f" ({len({norm(r['q']) for r in rows})} questions)" if kind.startswith("library") else ""
        print(f"  {kind}: {len(rows)}{extra}")
    for auth, c in sorted(Counter(r["authority"] or "(null)" for _, r in records).items()):
        print(f"    {auth}: {c}")
    unnamed = [r for _, r in records if r["authority"] and not names_council(blind, r["q"])]
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
          f"detected; no question shared with {earlier}")
    return 0
