"""Render the three blind-19 reports from their plain-text sources (deterministic).

* Quenby Borough Council -> reports/quenby.txt: plain text in the Stockton layout, one paragraph
  per line, "per cent", en-dash bullet lists of figures, bracketed footnote markers.
* Marlhithe City Council -> reports/marlhithe.pdf: A4, single column, numbered paragraphs
  ("4.2 ..."), two-line running header, "Page N of M" footer, scores table with the score label
  in its own third column, no hyphenation.
* Tollerbridge County Council -> reports/tollerbridge.html: semantic page (<main>, <article>,
  <section>), key figures as a <dl> aside, and the quarterly figures as a <figure> with
  <figcaption> holding a <table> (measure in the first column, quarters as columns, <thead>).

The renderers are eval/blind9/build_reports.py's (imported from the folder beside this one,
unchanged); this script adds the figure table and its own data.

    python eval/blind19/build_reports.py
"""

from __future__ import annotations

import html
import importlib.util
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "reports"
_spec = importlib.util.spec_from_file_location("b9build", HERE.parent / "blind9" / "build_reports.py")
b9 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(b9)

LABELS = {"Score: 1": "1 - Evidence shows significant shortfalls", "Score: 2": "2 - Evidence shows some shortfalls",
          "Score: 3": "3 - Evidence shows a good standard", "Score: 4": "4 - Evidence shows an exceptional standard"}
KEY_FIGURES = {"Tollerbridge County Council": (("Residents", "684,500"), ("Aged 65 or over", "24.8%"),
                                               ("Councillors", "78"), ("Area", "2,600 square kilometres"))}


def _figure_table(match: re.Match) -> str:
    items = re.findall(r"<li>(.*?)</li>", match.group(0))
    rows = [[c.strip() for c in it.split("|")] for it in items]
    head = "".join(f'<th scope="col">{c}</th>' for c in rows[0])
    body = "\n".join("<tr>" + f'<th scope="row">{r[0]}</th>' + "".join(f"<td>{c}</td>" for c in r[1:]) + "</tr>"
                     for r in rows[1:])
    return ('<figure class="key-table">\n<figcaption>Quarterly figures, 2024/25</figcaption>\n<table>\n'
            f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n</figure>\n")


def main() -> int:
    q = (OUT / "quenby.source.txt").read_text(encoding="utf-8")
    b9.render_txt(q, OUT / "quenby.txt", "Quenby Borough Council")
    m = (OUT / "marlhithe.source.txt").read_text(encoding="utf-8")
    b9.render_pdf(m, OUT / "marlhithe.pdf", "Marlhithe City Council", labels=LABELS, set_name="19")
    t = (OUT / "tollerbridge.source.txt").read_text(encoding="utf-8")
    dest = OUT / "tollerbridge.html"
    b9.render_html(t, dest, "Tollerbridge County Council", key_figures=KEY_FIGURES, key_list="dl", set_name="19")
    page = dest.read_text(encoding="utf-8")
    page = re.sub(r"<ul>\n<li>Measure \|.*?</ul>\n", _figure_table, page, flags=re.S)
    dest.write_text(page, encoding="utf-8")
    for name in ("quenby.txt", "marlhithe.pdf", "tollerbridge.html"):
        print(OUT / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
