"""Check the blind held-out gold file blind.jsonl against its six reports.

For every line:

* schema as eval/gold/check_gold.py requires: exactly {"q", "expect", "authority"}, 0-3 non-empty
  expect strings of at most 45 characters, authority a known council or null;
* no question twice for one authority, and no question text that is already in the project's
  dev, heldout or confirm gold files (this file must be new material);
* every expect string occurs, after check_gold's normalisation (dashes and quotes unified,
  whitespace collapsed), in its council's report: for the two new reports in the plain source
  text, in the text pypdf extracts from the PDF / BeautifulSoup gets from the HTML's <main>, and
  in the text the project's own parser stores (cqc_kb.parse.parse_file); for the four existing
  reports in every variant check_gold.load_texts builds (source, PDF, HTML);
* unanswerable lines (expect []): the absent fact was checked by reading; as a guard against a
  later edit of a report, the words that would carry it are checked to be absent from the report
  (ABSENT below; for authority null, from all six reports).

It also checks that each new report's nine scores give the rating its title block states under
CQC's thresholds. Prints a summary and exits non-zero on any problem.

    python eval/blind/check.py
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

import check_gold  # noqa: E402  (its norm, schema check, and the four existing reports' texts)

GOLD = HERE / "blind.jsonl"
NEW = {
    # authority: (source, rendered file, format)
    "Brackenford City Council": ("brackenford.source.txt", "brackenford.pdf", "pdf"),
    "Sedgecombe County Council": ("sedgecombe.source.txt", "sedgecombe.html", "html"),
}

#: Unanswerable question -> phrases whose presence in the council's report (every report for
#: authority null) would mean the fact might be there after all. Lower case, normalised.
ABSENT: dict[str, tuple[str, ...]] = {
    "What was the maximum wait for an occupational therapy assessment in Brackenford?":
        ("maximum", "longest wait for an occupational", "longest occupational"),
    "What is the median wait for an independent advocate in Brackenford?":
        ("median wait for an advocate", "median wait for advocacy", "median wait for a care act advocate"),
    "How many electric vehicle charging points has Brackenford installed for care staff?":
        ("electric", "vehicle", "charging point"),
    "How many safeguarding concerns did Brackenford receive in 2022/23?": ("2022/23",),
    "How many GP surgeries host a Community Living Room?": ("gp surger", "surgeries"),
    "How many of Brackenford's personal assistants speak a community language?":
        ("personal assistants who spoke community languages",),  # present, but with no number
    "What was the longest wait for a carer's assessment in Sedgecombe?":
        ("longest wait for a carer", "maximum wait for a carer", "carers waited a maximum"),
    "How long do people wait for an Independent Mental Capacity Advocate in Sedgecombe?":
        ("wait for an independent mental capacity advocate", "imca"),
    "How much does Sedgecombe charge people for its Careline alarm service?":
        ("careline charge", "a week for careline", "careline costs"),
    "How many Dial-a-Ride minibuses does Sedgecombe fund?": ("vehicles", "fleet", "minibuses in"),
    "How much did Sedgecombe spend on adult social care in 2024/25?":
        ("social care in 2024/25", "spend in 2024/25", "2024/25 was £"),
    "How many people in Sedgecombe were waiting for a review of their care plan?":
        ("waiting for a review", "overdue"),
    "How long do people in Stockton-on-Tees wait for a Disabled Facilities Grant?":
        ("disabled facilities", "dfg"),
    "How many young carers in Kestrel Moor had a carer's assessment?":
        ("young carers' assessments", "young carers were assessed", "young carer's assessment"),
    "What was the longest wait for a carer's assessment in Larchfield?":
        ("longest wait for a carer", "maximum wait for a carer"),
    "How many people in Ashdown Vale were waiting for a financial assessment?":
        ("waiting for a financial assessment",),
    "Which council runs a Shared Lives scheme for adults with learning disabilities?": ("shared lives",),
    "Which council gives unpaid carers a free bus pass?": ("bus pass", "free travel"),
    "How many electric minibuses run the Dial-a-Ride service?": ("electric minibus", "electric vehicle"),
    "What is the median wait for a blue badge application?": ("blue badge",),
}
#: ABSENT phrases that do occur but only without the asked figure (checked by reading).
PRESENT_WITHOUT_FIGURE = {"personal assistants who spoke community languages"}

_RATING_BANDS = ((88, "Outstanding"), (63, "Good"), (39, "Requires improvement"), (0, "Inadequate"))


def norm(text: str) -> str:
    return check_gold.norm(text).lower()


def new_report_texts() -> dict[str, list[tuple[str, str]]]:
    from cqc_kb.parse import parse_file

    out: dict[str, list[tuple[str, str]]] = {}
    for authority, (source, rendered, fmt) in NEW.items():
        src = HERE / "reports" / source
        path = HERE / "reports" / rendered
        extracted = check_gold.pdf_text(path) if fmt == "pdf" else check_gold.html_text(path)
        out[authority] = [
            (f"source {source}", norm(src.read_text(encoding="utf-8"))),
            (f"{fmt} {rendered}", norm(extracted)),
            (f"cqc_kb parser {rendered}", norm(parse_file(path).text)),
        ]
    return out


def check_rating(authority: str, source: Path) -> list[str]:
    text = source.read_text(encoding="utf-8")
    block = text.split("Quality statement scores", 1)[1].split("Summary of people", 1)[0]
    scores = [int(s) for s in re.findall(r"Score: ([1-4])", block)]
    rating_block = text.split("Local authority rating and score", 1)[1].split("Quality statement scores", 1)[0]
    stated = next((r for _, r in _RATING_BANDS if re.search(rf"^{r}$", rating_block, re.M)), None)
    if len(scores) != 9:
        return [f"{authority}: {len(scores)} scores in the scores list, expected 9"]
    pct = 100 * sum(scores) / 36
    expected = next(r for floor, r in _RATING_BANDS if pct >= floor)
    print(f"  {authority}: scores {scores} = {sum(scores)}/36 = {pct:.1f}% -> {expected}; "
          f"stated {stated}")
    return [] if stated == expected else [f"{authority}: stated rating {stated} but {pct:.1f}% is {expected}"]


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
    existing = set()
    for name in check_gold.GOLD_FILES:
        for line in (MAIN / "eval" / "gold" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                existing.add(norm(json.loads(line)["q"]))
    errors.extend(f"line {n}: question already in the project's gold files: {r['q']!r}"
                  for n, r in records if norm(r["q"]) in existing)

    print("ratings of the new reports:")
    for authority, (source, _, _) in NEW.items():
        errors.extend(check_rating(authority, HERE / "reports" / source))

    with tempfile.TemporaryDirectory(prefix="blind-") as tmp:
        texts = check_gold.load_texts(Path(tmp))
    texts = {a: [(label, t.lower()) for label, t in variants] for a, variants in texts.items()}
    texts.update(new_report_texts())

    for n, rec in records:
        auth, expect = rec["authority"], rec["expect"]
        if auth is not None and auth not in texts:
            errors.append(f"line {n}: unknown authority {auth!r}")
            continue
        for exp in expect:
            if len(exp) > 45:
                errors.append(f"line {n}: expect string longer than 45 chars: {exp!r}")
        if expect and auth is None:
            errors.append(f"line {n}: answerable line without authority (every answerable line names its council)")
        for exp in expect if auth else ():
            e = norm(exp)
            for label, text in texts[auth]:
                if e not in text:
                    errors.append(f"line {n}: {exp!r} not found in {label}")
        if not expect:
            if rec["q"] not in ABSENT:
                errors.append(f"line {n}: unanswerable question without an ABSENT entry: {rec['q']!r}")
                continue
            scope = [auth] if auth else list(texts)
            for phrase in ABSENT[rec["q"]]:
                if phrase in PRESENT_WITHOUT_FIGURE:
                    continue
                for a in scope:
                    for label, text in texts[a]:
                        if phrase in text:
                            errors.append(f"line {n}: {phrase!r} occurs in {label}; is the fact there?")
    unused = set(ABSENT) - {r["q"] for _, r in records if not r["expect"]}
    errors.extend(f"ABSENT entry for no unanswerable line: {q!r}" for q in sorted(unused))

    # Summary by kind
    new_auth = set(NEW)
    q_count = Counter(norm(r["q"]) for _, r in records)
    grouped = [r for _, r in records if q_count[norm(r["q"])] > 1]
    single = [r for _, r in records if q_count[norm(r["q"])] == 1]
    kinds = {
        "answerable, new reports": [r for r in single if r["expect"] and r["authority"] in new_auth],
        "answerable, existing four reports": [r for r in single if r["expect"] and r["authority"] not in new_auth],
        "library-wide lines (one per council)": grouped,
        "unanswerable, council named": [r for r in single if not r["expect"] and r["authority"]],
        "unanswerable, authority null": [r for r in single if not r["expect"] and not r["authority"]],
    }
    print(f"\n{GOLD.name}: {len(records)} lines, {sum(1 for _, r in records if r['expect'])} answerable, "
          f"{sum(1 for _, r in records if not r['expect'])} unanswerable")
    for kind, rows in kinds.items():
        extra = f" ({len({norm(r['q']) for r in rows})} questions)" if kind.startswith("library") else ""
        print(f"  {kind}: {len(rows)}{extra}")
    for auth, c in sorted(Counter(r["authority"] or "(null)" for _, r in records).items()):
        print(f"    {auth}: {c}")
    names_council = sum(1 for r in kinds["answerable, new reports"]
                        if any(w in r["q"] for w in ("Brackenford", "Sedgecombe")))
    print(f"  new-report answerable questions naming their council: {names_council} of "
          f"{len(kinds['answerable, new reports'])}")

    if errors:
        print(f"\nFAILED: {len(errors)} problem(s)")
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK: every expect string found in its report (source, rendered file, project parser text); "
          "no absent-fact phrase found; ratings consistent; no overlap with dev/heldout/confirm")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
