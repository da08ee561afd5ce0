"""Validate the gold retrieval questions in eval/gold/{dev,heldout}.jsonl.

Checks, for every line:

* schema: {"q": non-empty str, "expect": list of 0-3 non-empty str, "authority": str | null}
  and no other keys; no question twice for the same authority, and no question in both files
  (a question asked over the whole library appears once per council it grades, in one file);
* ``authority`` is one of the known reports (or null);
* every expect string occurs in that report's text after whitespace, dash and
  quote normalisation. The real report is read from corpus/ (or /work/shared/corpus/);
  each fictional fixture is checked against its plain-text source AND the text of
  the format it is rendered in (pypdf text of the PDF, BeautifulSoup text of the
  HTML <main>), built into a temporary directory;
* for authority null, all expect strings are found in exactly one report.

Prints a summary and exits non-zero on any failure.

    python eval/gold/check_gold.py
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "fixtures"))

import build_fixtures  # noqa: E402

STOCKTON = "Stockton-on-Tees Borough Council"
GOLD_FILES = ("dev.jsonl", "heldout.jsonl")
MAX_EXPECT = 3

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_QUOTES = {ord("\u2018"): "'", ord("\u2019"): "'", ord("\u201c"): '"', ord("\u201d"): '"'}


def norm(text: str) -> str:
    text = text.translate(_DASHES).translate(_QUOTES).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


def stockton_path() -> Path:
    for p in (REPO / "corpus" / "stockton-on-tees.txt",
              Path("/work/shared/corpus/stockton-on-tees.txt")):
        if p.is_file():
            return p
    raise SystemExit("stockton-on-tees.txt not found in corpus/ or /work/shared/corpus/")


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def html_text(path: Path) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    main = soup.find("main")
    assert main is not None, f"{path.name}: no <main>"
    return main.get_text("\n")


def load_texts(tmp: Path) -> dict[str, list[tuple[str, str]]]:
    """authority -> [(variant label, normalised text), ...]; every variant must match."""
    texts: dict[str, list[tuple[str, str]]] = {}
    sp = stockton_path()
    texts[STOCKTON] = [(str(sp), norm(sp.read_text(encoding="utf-8")))]
    built = build_fixtures.build_fixture_corpus(tmp)
    for fx, out in zip(build_fixtures.FIXTURES, built, strict=True):
        src = build_fixtures.REPORTS_DIR / fx.source
        variants = [(f"source {fx.source}", norm(src.read_text(encoding="utf-8")))]
        if fx.fmt == "pdf":
            variants.append((f"pdf {out.name}", norm(pdf_text(out))))
        elif fx.fmt == "html":
            variants.append((f"html {out.name}", norm(html_text(out))))
        texts[fx.authority] = variants
    return texts


def validate_schema(rec: object, where: str) -> list[str]:
    errs = []
    if not isinstance(rec, dict):
        return [f"{where}: not a JSON object"]
    if set(rec) != {"q", "expect", "authority"}:
        errs.append(f"{where}: keys must be exactly q, expect, authority (got {sorted(rec)})")
    q, exp, auth = rec.get("q"), rec.get("expect"), rec.get("authority", "missing")
    if not isinstance(q, str) or not q.strip():
        errs.append(f"{where}: q must be a non-empty string")
    if not isinstance(exp, list) or not all(isinstance(e, str) and e.strip() for e in exp):
        errs.append(f"{where}: expect must be a list of non-empty strings")
    elif len(exp) > MAX_EXPECT:
        errs.append(f"{where}: expect has more than {MAX_EXPECT} strings")
    if auth is not None and not isinstance(auth, str):
        errs.append(f"{where}: authority must be a string or null")
    return errs


def main() -> int:
    records: list[tuple[str, int, dict]] = []
    errors: list[str] = []
    for name in GOLD_FILES:
        path = HERE / name
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{name}:{n}"
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: invalid JSON ({exc})")
                continue
            errs = validate_schema(rec, where)
            errors.extend(errs)
            if not errs:
                records.append((name, n, rec))

    dupes = [q for q, c in Counter((norm(r["q"]).lower(), r["authority"]) for _, _, r in records).items()
             if c > 1]
    errors.extend(f"duplicate question for one authority: {q!r}" for q in dupes)
    files_of: dict[str, set[str]] = {}
    for name, _, r in records:
        files_of.setdefault(norm(r["q"]).lower(), set()).add(name)
    errors.extend(f"question in both gold files: {q!r}" for q, names in files_of.items() if len(names) > 1)

    with tempfile.TemporaryDirectory(prefix="cqc-kb-gold-") as tmp:
        texts = load_texts(Path(tmp))

    repeated = 0
    for name, n, rec in records:
        where = f"{name}:{n}"
        auth = rec["authority"]
        if auth is not None and auth not in texts:
            errors.append(f"{where}: unknown authority {auth!r}")
            continue
        for exp in rec["expect"]:
            if len(exp) > 45:
                errors.append(f"{where}: expect string longer than 45 chars: {exp!r}")
        if auth is not None:
            for exp in rec["expect"]:
                e = norm(exp)
                for label, text in texts[auth]:
                    if e not in text:
                        errors.append(f"{where}: {exp!r} not found in {label}")
                if texts[auth][0][1].count(e) > 1:
                    repeated += 1
        elif rec["expect"]:
            hits = [a for a, variants in texts.items()
                    if all(norm(e) in text for e in rec["expect"] for _, text in variants)]
            anywhere = [a for a, variants in texts.items()
                        if any(norm(e) in variants[0][1] for e in rec["expect"])]
            if len(hits) != 1 or len(anywhere) != 1:
                errors.append(f"{where}: authority-null expect strings must occur in exactly one "
                              f"report (all found in {hits}, some found in {anywhere})")

    # Summary
    print(f"{'file':<15}{'total':>7}{'answerable':>12}{'unanswerable':>14}")
    for name in GOLD_FILES:
        recs = [r for f, _, r in records if f == name]
        ans = sum(1 for r in recs if r["expect"])
        print(f"{name:<15}{len(recs):>7}{ans:>12}{len(recs) - ans:>14}")
    total = len(records)
    ans = sum(1 for _, _, r in records if r["expect"])
    print(f"{'all':<15}{total:>7}{ans:>12}{total - ans:>14}")
    by_auth = Counter(r["authority"] or "(null)" for _, _, r in records)
    for auth, c in sorted(by_auth.items()):
        print(f"  {auth}: {c}")
    print(f"expect strings occurring more than once in their report: {repeated}")

    if errors:
        print(f"\nFAILED: {len(errors)} problem(s)")
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK: all expect strings found in their report (source, PDF and HTML renderings)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
