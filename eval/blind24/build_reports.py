"""Render the three blind-24 reports from their plain-text sources (deterministic).

* Quenbury Borough Council -> reports/quenbury.txt: plain text in the layout of
  corpus/stockton-on-tees.txt, one paragraph per line (not hard-wrapped), a "Key numbers" block of
  "value – label" bullet lines.
* Marlowcombe City Council -> reports/marlowcombe.pdf: A4, single column, two-line running header,
  footer "Page N of M", scores as a table with the score label in its own column, and a table of
  waiting times by team ("Team | Waiting | Median wait | Longest wait"). No hyphenation.
* Oxhallow County Council -> reports/oxhallow.html: semantic page (<main>, <article>, <section>s with
  h2/h3/h4, <p>); key figures in a <table> with a two-row <thead> (a "Year" group over
  "2023/24 | 2024/25"), an "At a glance" <dl>, <abbr title> for ASC, OT and DoLS, a search and a
  feedback <form> and a map <iframe> outside <main>, entities in the markup.

The renderers are eval/blind9/build_reports.py's (imported from the folder beside); this script adds the
score labels, the waiting-times table widths, the two-row table header and the abbreviations.

    python build_reports.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "reports"
sys.path.insert(0, str(HERE.parent / "blind9"))

import build_reports as b9  # noqa: E402  (blind set 9's renderers)

LABELS = {"Score: 1": "1 - Evidence shows significant shortfalls", "Score: 2": "2 - Evidence shows some shortfalls",
          "Score: 3": "3 - Evidence shows a good standard", "Score: 4": "4 - Evidence shows an exceptional standard"}

KEY_FIGURES = {"Oxhallow County Council": (("Residents", "611,300"), ("Aged 65 or over", "24.8%"),
                                           ("Councillors", "73"), ("District and borough councils", "8"))}

ABBR = {"ASC": "adult social care", "OT": "occupational therapy", "DoLS": "Deprivation of Liberty Safeguards"}

_ONE_ROW_HEAD = ('<thead><tr><th scope="col">Measure</th><th scope="col">2023/24</th>'
                 '<th scope="col">2024/25</th></tr></thead>')
_TWO_ROW_HEAD = ('<thead>\n<tr><th scope="col" rowspan="2">Measure</th><th scope="colgroup" colspan="2">Year</th></tr>\n'
                 '<tr><th scope="col">2023/24</th><th scope="col">2024/25</th></tr>\n</thead>')


def render_oxhallow(text: str, dest: Path, authority: str) -> Path:
    b9.render_html(text, dest, authority, key_figures=KEY_FIGURES, key_list="dl", set_name="24",
                   table_caption="Key figures for adult social care, at 31 March")
    page = dest.read_text(encoding="utf-8")
    assert _ONE_ROW_HEAD in page, "key figures table header not found"
    page = page.replace(_ONE_ROW_HEAD, _TWO_ROW_HEAD)
    head, rest = page.split('<main id="main-content">', 1)
    main, tail = rest.split("</main>", 1)
    main = re.sub(r"\b(ASC|OT|DoLS)\b", lambda m: f'<abbr title="{ABBR[m.group(1)]}">{m.group(1)}</abbr>', main)
    dest.write_text(head + '<main id="main-content">' + main + "</main>" + tail, encoding="utf-8")
    return dest


def main() -> int:
    OUT.mkdir(exist_ok=True)
    q = OUT / "quenbury.source.txt"
    b9.render_txt(q.read_text(encoding="utf-8"), OUT / "quenbury.txt", "Quenbury Borough Council")
    m = OUT / "marlowcombe.source.txt"
    b9.render_pdf(m.read_text(encoding="utf-8"), OUT / "marlowcombe.pdf", "Marlowcombe City Council",
                  labels=LABELS, set_name="24", table_widths=(62, 28, 38, 38))
    o = OUT / "oxhallow.source.txt"
    render_oxhallow(o.read_text(encoding="utf-8"), OUT / "oxhallow.html", "Oxhallow County Council")
    for name in ("quenbury.txt", "marlowcombe.pdf", "oxhallow.html"):
        print(OUT / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
