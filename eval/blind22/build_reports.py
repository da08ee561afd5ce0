"""Render the three blind-22 reports from their plain-text sources (deterministic). The renderers
are eval/blind9/build_reports.py's (imported from the folder beside this one), with its Markdown
table options on:

* Marlstead Borough Council -> reports/marlstead.txt: plain text, paragraphs not wrapped; "Key
  finding:" labelled paragraphs, "- " lists of figures and a Markdown "| a | b |" table kept one row
  a line; **bold** figures in the financial facts.
* Culverdown City Council -> reports/culverdown.pdf: A4 single column, findings as numbered
  paragraphs "1.3 ...", two-line running header, footer "Page N of M", the scores in a table with
  the score label in its own column, the provision table as a real table (Service | 2023/24 |
  2024/25). No hyphenation.
* Skelbury County Council -> reports/skelbury.html: <main>/<article>/<section>, key figures as a
  <dl> aside, the quarter table as <figure><table><caption> with <thead>, a <form> and <iframe>
  outside <main>, entities in the markup.

    python eval/blind22/build_reports.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "reports"
sys.path.insert(0, str(HERE.parent / "blind9"))

import build_reports as b9  # noqa: E402  (eval/blind9's renderers)

KEY_FIGURES = {
    "Skelbury County Council": (("Residents", "612,000"), ("Aged 65 or over", "nearly 28 per cent"),
                                ("Councillors", "84"), ("Area teams", "3")),
}

#: Score line -> the label shown in the PDF scores table's third column.
LABELS = {"Score: 1": "Evidence shows significant shortfalls", "Score: 2": "Evidence shows some shortfalls",
          "Score: 3": "Evidence shows a good standard", "Score: 4": "Evidence shows an exceptional standard"}


def main() -> int:
    src = lambda name: (OUT / name).read_text(encoding="utf-8")  # noqa: E731
    b9.render_txt(src("marlstead.source.txt"), OUT / "marlstead.txt", "Marlstead Borough Council", tables=True)
    b9.render_pdf(src("culverdown.source.txt"), OUT / "culverdown.pdf", "Culverdown City Council",
                  labels=LABELS, set_name="22", table_widths=(96, 35, 35))
    b9.render_html(src("skelbury.source.txt"), OUT / "skelbury.html", "Skelbury County Council",
                   key_figures=KEY_FIGURES, key_list="dl", set_name="22",
                   table_caption="Care at home and care homes, 2024/25")
    for name in ("marlstead.txt", "culverdown.pdf", "skelbury.html"):
        print(OUT / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
