"""Render blind set 21's three fictional reports from their plain-text sources.

The renderers are eval/blind9/build_reports.py's (imported from the repository, not copied);
this set varies what they are given:

* Quenmoor Borough Council -> reports/quenmoor.txt: paragraphs not hard-wrapped, "Key finding:"
  labelled paragraphs, a "- Measure: value" list of figures, "per cent", en dashes.
* Aldercross City Council -> reports/aldercross.pdf: single-column A4 (reportlab), numbered
  paragraphs ("3.2 ..."), a list of waiting lists by service, the scores table with the score
  label in its own third column, "Page N of M" footer, no hyphenation.
* Stenbury County Council -> reports/stenbury.html: semantic page (<main>, <article>, <section>),
  key figures as a <dl> of term/definition pairs, scores table with <th scope="row">, entities.

The sources were assembled once by a drafting script kept outside the repository (statement
boilerplate taken from eval/blind5's Ravensholt source); the sources are the record.

    python eval/blind21/build_reports.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "reports"
sys.path.insert(0, str(HERE.parent / "blind9"))

import build_reports as b9  # noqa: E402  (eval/blind9's renderers)

LABELS = {"Score: 1": "1 - Evidence shows significant shortfalls", "Score: 2": "2 - Evidence shows some shortfalls",
          "Score: 3": "3 - Evidence shows a good standard", "Score: 4": "4 - Evidence shows an exceptional standard"}
KEY_FIGURES = {"Stenbury County Council": (("Residents", "575,900"), ("Market towns", "eleven"),
                                           ("Councillors", "82"), ("Aged 65 or over", "26.8 per cent"))}


def main() -> int:
    src = lambda name: (OUT / name).read_text(encoding="utf-8")  # noqa: E731
    b9.render_txt(src("quenmoor.source.txt"), OUT / "quenmoor.txt", "Quenmoor Borough Council")
    b9.render_pdf(src("aldercross.source.txt"), OUT / "aldercross.pdf", "Aldercross City Council",
                  labels=LABELS, set_name="21")
    b9.render_html(src("stenbury.source.txt"), OUT / "stenbury.html", "Stenbury County Council",
                   key_figures=KEY_FIGURES, key_list="dl", set_name="21")
    for name in ("quenmoor.txt", "aldercross.pdf", "stenbury.html"):
        print(OUT / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
