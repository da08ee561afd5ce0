"""Render the three blind-13 reports from their plain-text sources (deterministic), with blind
set 9's renderers (eval/blind9/build_reports.py), which this set's layouts follow:

* Quillsby Borough Council -> reports/quillsby.txt: plain text in the layout of
  corpus/stockton-on-tees.txt, one paragraph a line.
* Dunstreath City Council -> reports/dunstreath.pdf: A4, single column, a two-line running
  header and a "Page N of M" footer; the scores table has the score label in its own column.
* Oakhythe County Council -> reports/oakhythe.html: the semantic page of set 9, its key figures
  as a <dl> in the <aside>.

    python eval/blind13/build_reports.py
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "reports"

_SPEC = importlib.util.spec_from_file_location("blind9_build_reports", HERE.parent / "blind9" / "build_reports.py")
blind9 = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(blind9)

REPORTS = (
    # (source, output, format, authority)
    ("quillsby.source.txt", "quillsby.txt", "txt", "Quillsby Borough Council"),
    ("dunstreath.source.txt", "dunstreath.pdf", "pdf", "Dunstreath City Council"),
    ("oakhythe.source.txt", "oakhythe.html", "html", "Oakhythe County Council"),
)

#: Score label shown in its own column of the PDF scores table.
LABELS = {"Score: 1": "Significant shortfalls", "Score: 2": "Some shortfalls",
          "Score: 3": "Good standard", "Score: 4": "Exceptional standard"}

#: The aside box at the top of the About section (figures as the report states them).
KEY_FIGURES = {
    "Oakhythe County Council": (("Residents", "612,400"), ("Care areas", "3"),
                                ("Councillors", "81"), ("Aged 65 or over", "26.9 per cent")),
}


def main() -> int:
    OUT.mkdir(exist_ok=True)
    render = {
        "txt": blind9.render_txt,
        "pdf": lambda text, dest, authority: blind9.render_pdf(text, dest, authority, labels=LABELS, set_name="13"),
        "html": lambda text, dest, authority: blind9.render_html(text, dest, authority, key_figures=KEY_FIGURES,
                                                                 key_list="dl", set_name="13"),
    }
    for source, output, fmt, authority in REPORTS:
        text = (OUT / source).read_text(encoding="utf-8")
        render[fmt](text, OUT / output, authority)
        print(OUT / output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
