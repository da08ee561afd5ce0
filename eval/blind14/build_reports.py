"""Render the three blind-14 reports from their plain-text sources (deterministic).

* Quillbrook Borough Council -> reports/quillbrook.txt: plain text in the layout of
  corpus/stockton-on-tees.txt (Markdown link line under the title, **bold** figures in the
  financial facts, DHSC notice then a no-break-space line), paragraphs NOT hard-wrapped, "- "
  bullet lists of figures kept as lists.
* Mossingham City Council -> reports/mossingham.pdf: A4, single column, two-line running header,
  footer "Page N of M", the scores as a three-column table (statement, "Score: N", the score label
  in its own column), no hyphenation.
* Ferrowby County Council -> reports/ferrowby.html: semantic page (<main>, <article>, <section>,
  h2/h3/h4, <nav> contents, forms and an <iframe> outside <main>, inline <style>, entities), the
  "At a glance" key figures as a <dl>, and every source list whose items hold " | " rendered as a
  <table> with a <thead> (first item = header row).

The renderers are eval/blind9/build_reports.py's (imported, read-only); this script adds the
parameters and the pipe-list tables.

    python eval/blind14/build_reports.py
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "reports"
MAIN = HERE.parent.parent  # the repository root

_spec = importlib.util.spec_from_file_location("blind9_build", MAIN / "eval" / "blind9" / "build_reports.py")
b9 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(b9)

REPORTS = (
    ("quillbrook.source.txt", "quillbrook.txt", "txt", "Quillbrook Borough Council"),
    ("mossingham.source.txt", "mossingham.pdf", "pdf", "Mossingham City Council"),
    ("ferrowby.source.txt", "ferrowby.html", "html", "Ferrowby County Council"),
)

LABELS = {"Score: 1": "Evidence shows significant shortfalls", "Score: 2": "Evidence shows some shortfalls",
          "Score: 3": "Evidence shows a good standard", "Score: 4": "Evidence shows an exceptional standard"}

KEY_FIGURES = {
    "Ferrowby County Council": (("Residents", "467,200"), ("Market towns", "11"),
                                ("Councillors", "78"), ("Aged 65 or over", "29.1%")),
}

_PIPE_UL = re.compile(r"<ul>\n((?:<li>[^<]* \| [^<]*</li>\n)+)</ul>\n")


def _pipe_table(m: re.Match) -> str:
    rows = [[c.strip() for c in li.split(" | ")] for li in re.findall(r"<li>([^<]*)</li>", m.group(1))]
    head = "".join(f'<th scope="col">{c}</th>' for c in rows[0])
    body = "\n".join("<tr>" + f'<th scope="row">{r[0]}</th>' + "".join(f"<td>{c}</td>" for c in r[1:]) + "</tr>"
                     for r in rows[1:])
    return f'<table class="key-figures">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n'


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for source, output, fmt, authority in REPORTS:
        text = (OUT / source).read_text(encoding="utf-8")
        dest = OUT / output
        if fmt == "txt":
            b9.render_txt(text, dest, authority)
        elif fmt == "pdf":
            b9.render_pdf(text, dest, authority, labels=LABELS, set_name="14")
        else:
            b9.render_html(text, dest, authority, key_figures=KEY_FIGURES, key_list="dl", set_name="14")
            dest.write_text(_PIPE_UL.sub(_pipe_table, dest.read_text(encoding="utf-8")), encoding="utf-8")
        print(dest)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
