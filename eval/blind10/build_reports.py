"""Render the three blind-10 reports from their plain-text sources (deterministic).

* Hollinsby Borough Council -> reports/hollinsby.txt: plain text in the layout of
  corpus/stockton-on-tees.txt (a Markdown link line under the title, **bold** figures in the
  financial facts, the DHSC notice followed by a line holding only a no-break space). One
  paragraph per line (not hard-wrapped); some findings are given as "- " bullet lists of figures.
* Marrowfield City Council -> reports/marrowfield.pdf: A4, reportlab, single column, Times body;
  the quality statement scores as a three-column table (statement, score, the score's label in
  its own column); each theme from a new page; a one-line running header (council name, right
  aligned) and a two-line footer ("Care Quality Commission | local authority assessment" over
  "Page N of M"). No hyphenation, so verbatim strings survive extraction.
* Stannerdale County Council -> reports/stannerdale.html: semantic page: inline <style>, a site
  search <form>, a <nav> table of contents and a footer with an <iframe> outside <main>; inside
  <main> an <article> with a <section> per part (h2) and per quality statement (h3, h4 below);
  the scores table with <th scope="row">; the "At a glance" list as a <dl>; the lists of key
  figures ("Label: value" items under a heading) as <table>s with a <thead>; entities in the
  markup (&amp; &pound; &ndash; &rsquo;).

The paragraph classifier is the project's fixture builder's (tests/fixtures/build_fixtures.py,
imported from the repository); everything else is this script's own.

    python build_reports.py
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "reports"
MAIN = HERE.parents[1]
sys.path.insert(0, str(MAIN / "tests" / "fixtures"))

import build_fixtures  # noqa: E402

REPORTS = (
    # (source, output, format, authority)
    ("hollinsby.source.txt", "hollinsby.txt", "txt", "Hollinsby Borough Council"),
    ("marrowfield.source.txt", "marrowfield.pdf", "pdf", "Marrowfield City Council"),
    ("stannerdale.source.txt", "stannerdale.html", "html", "Stannerdale County Council"),
)

DHSC = ("This data is reproduced at the request of the Department of Health and Social Care. "
        "It has not been factored into our assessment and is presented for information purposes only.")

LABELS = {"4": "Evidence shows an exceptional standard", "3": "Evidence shows a good standard",
          "2": "Evidence shows some shortfalls", "1": "Evidence shows significant shortfalls"}


# --------------------------------------------------------------------------- plain text

_MONEY = re.compile(r"(£\d[\d,]*\d(?:\.\d+)?|\b\d+(?:\.\d+)?%)")


def render_txt(text: str, dest: Path, authority: str) -> Path:
    paras = [p.strip() for p in re.split(r"\n\s*\n", text.strip())]
    out: list[str] = []
    in_finance = False
    for i, para in enumerate(paras):
        lines = para.splitlines()
        if para == "Financial facts":
            in_finance = True
            out.append(para)
            out.append(f"The Financial facts for **{authority}** are:")
            continue
        if in_finance and all(ln.startswith("- ") for ln in lines):
            out.append("\n".join("- " + _MONEY.sub(r"**\1**", ln[2:]) for ln in lines))
            continue
        if para == DHSC:
            in_finance = False
            out.append(para)
            out.append("\u00a0")
            continue
        out.append("\n".join(lines) if all(ln.startswith("- ") for ln in lines) else " ".join(lines))
        if i == 0:
            out.append("[How we assess local authorities](#)")
    dest.write_text("\n\n".join(out) + "\n", encoding="utf-8")
    return dest


# --------------------------------------------------------------------------- PDF

def render_pdf(text: str, dest: Path, authority: str) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas as rl_canvas
    from reportlab.platypus import (ListFlowable, ListItem, PageBreak, Paragraph, SimpleDocTemplate,
                                    Spacer, Table, TableStyle)

    base = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=base["BodyText"], fontName="Times-Roman", fontSize=11,
                          leading=14.5, spaceAfter=6, alignment=TA_LEFT,
                          hyphenationLang="", embeddedHyphenation=0, uriWasteReduce=0)
    plum = colors.HexColor("#5b1f4a")
    styles = {
        "h1": ParagraphStyle("H1", parent=body, fontName="Helvetica-Bold", fontSize=20, leading=24,
                             spaceAfter=12, textColor=plum),
        "h2": ParagraphStyle("H2", parent=body, fontName="Helvetica-Bold", fontSize=15, leading=19,
                             spaceBefore=12, spaceAfter=8, textColor=plum),
        "h3": ParagraphStyle("H3", parent=body, fontName="Helvetica-Bold", fontSize=12.5, leading=16,
                             spaceBefore=12, spaceAfter=4),
        "h4": ParagraphStyle("H4", parent=body, fontName="Times-BoldItalic", fontSize=11.5,
                             leading=14.5, spaceBefore=6, spaceAfter=2),
        "rating": ParagraphStyle("Rating", parent=body, fontName="Helvetica-Bold", fontSize=14,
                                 leading=18, textColor=colors.HexColor("#9a5b00")),
        "notice": ParagraphStyle("Notice", parent=body, fontName="Times-Italic", fontSize=9.5),
        "published": ParagraphStyle("Published", parent=body, fontName="Helvetica", fontSize=10),
        "label": ParagraphStyle("Label", parent=body, fontName="Times-Italic"),
        "qs-score": ParagraphStyle("QSScore", parent=body, fontName="Helvetica-Bold", fontSize=10.5),
    }
    cell = ParagraphStyle("Cell", parent=body, fontSize=10, leading=12.5, spaceAfter=0)

    def esc(s: str) -> str:
        return html.escape(s, quote=False)

    blocks = build_fixtures._blocks(text)
    story: list = []
    scores: list[tuple[str, str]] = []
    for n, (kind, payload) in enumerate(blocks):
        if kind == "qs-name":
            scores.append((str(payload), ""))
            continue
        if kind == "qs-score" and scores and not scores[-1][1]:
            scores[-1] = (scores[-1][0], str(payload))
            if n + 1 < len(blocks) and blocks[n + 1][0] != "qs-name":
                rows = [["Quality statement", "Score", "What the score means"]]
                for name, score in scores:
                    value = score.split(":", 1)[1].strip()
                    rows.append([Paragraph(esc(name), cell), score, Paragraph(esc(LABELS[value]), cell)])
                table = Table(rows, colWidths=[72 * mm, 22 * mm, 66 * mm], repeatRows=1)
                table.setStyle(TableStyle([
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 10),
                    ("FONT", (1, 1), (1, -1), "Helvetica-Bold", 10),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#efe3ec")),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#a58a9c")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]))
                story.append(table)
                story.append(Spacer(1, 8))
            continue
        if kind == "h2" and str(payload).startswith("Theme "):
            story.append(PageBreak())
        if kind == "ul":
            items = [ListItem(Paragraph(esc(it), body), leftIndent=14) for it in payload]
            story.append(ListFlowable(items, bulletType="bullet", start="\u2022", leftIndent=14))
        else:
            story.append(Paragraph(esc(str(payload)), styles.get(kind, body)))

    class NumberedCanvas(rl_canvas.Canvas):
        """Holds the pages back so the footer can say 'Page N of M'."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab API)
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self.setFont("Helvetica", 7.5)
                self.drawString(20 * mm, 13 * mm, "Care Quality Commission | local authority assessment")
                self.drawString(20 * mm, 9.5 * mm, f"Page {self._pageNumber} of {total}")
                super().showPage()
            super().save()

    def header(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 8.5)
        canvas.setFillColor(plum)
        canvas.drawRightString(A4[0] - 20 * mm, A4[1] - 12 * mm, authority)
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(dest), pagesize=A4, title=f"{authority}: local authority assessment",
        author="Care Quality Commission (fictional)", subject="Blind evaluation report, cqc-kb set 10",
        leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm, bottomMargin=22 * mm, invariant=1,
    )
    doc.build(story, onFirstPage=header, onLaterPages=header, canvasmaker=NumberedCanvas)
    return dest


# --------------------------------------------------------------------------- HTML

_HEAD = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} &ndash; Care Quality Commission</title>
<style>
  body {{ font-family: Georgia, serif; margin: 0 auto; max-width: 70rem; }}
  nav.contents {{ border-bottom: 1px solid #999; padding: .5rem 1rem; }}
  main section.quality-statement {{ border-left: 4px solid #006b6b; padding-left: 1rem; }}
  table {{ border-collapse: collapse; }} th, td {{ border: 1px solid #bbb; padding: .3rem .6rem; text-align: left; }}
  dl.glance dt {{ font-weight: bold; }} dl.glance dd {{ margin: 0 0 .4rem 0; }}
</style>
</head>
<body>
<header class="site-header">
<p class="brand"><a href="/">Care Quality Commission</a></p>
<form class="site-search" role="search" action="/search" method="get"><label for="site-q">Search</label> <input id="site-q" name="q" type="search" placeholder="Search for a service or council"> <button type="submit">Go</button></form>
</header>
<nav class="contents" aria-label="On this page">
<h2>Contents</h2>
<ul>
{toc}
</ul>
</nav>
<main id="content">
<article class="assessment" aria-labelledby="report-title">
"""

_FOOT = """</article>
</main>
<footer class="site-footer">
<p>Find this council on a map:</p>
<iframe title="Location of the council" src="https://maps.example.invalid/embed?q=stannerdale" width="360" height="240"></iframe>
<form action="/newsletter" method="post"><label for="em">Get updates when we publish new assessments</label> <input id="em" name="email" type="email"> <button>Sign up</button></form>
<p>&copy; Care Quality Commission 2025 &ndash; fictional page for the cqc-kb blind evaluation (set 10). Privacy &amp; cookies.</p>
</footer>
</body>
</html>
"""


def _ent(s: str) -> str:
    """Escape, then spell some characters as named entities, as CMS output often does."""
    return (html.escape(s, quote=False).replace("£", "&pound;").replace("–", "&ndash;")
            .replace("’", "&rsquo;"))


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def render_html(text: str, dest: Path, authority: str) -> Path:
    blocks = build_fixtures._blocks(text)
    h2s = [str(p) for k, p in blocks if k == "h2"]
    toc = "\n".join(f'<li><a href="#{_slug(h)}">{_ent(h)}</a></li>' for h in h2s)
    parts = [_HEAD.format(title=_ent(f"{authority}: local authority assessment"), toc=toc)]
    depth = 0  # 0: no section open, 1: a part (h2) open, 2: a quality statement open as well
    scores: list[tuple[str, str]] = []
    previous_heading = ""

    def close_to(level: int) -> None:
        nonlocal depth
        while depth > level:
            parts.append("</section>\n")
            depth -= 1

    for n, (kind, payload) in enumerate(blocks):
        s = str(payload) if kind != "ul" else ""
        if kind == "qs-name":
            scores.append((s, ""))
            continue
        if kind == "qs-score" and scores and not scores[-1][1]:
            scores[-1] = (scores[-1][0], s)
            if n + 1 < len(blocks) and blocks[n + 1][0] != "qs-name":
                rows = "\n".join(f'<tr><th scope="row">{_ent(a)}</th><td>{_ent(b)}</td></tr>' for a, b in scores)
                parts.append('<table class="scores">\n<thead><tr><th scope="col">Quality statement</th>'
                             f'<th scope="col">Score</th></tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n')
            continue
        if kind == "h1":
            parts.append(f'<header class="report-header">\n<h1 id="report-title">{_ent(s)}</h1>\n')
        elif kind == "notice":
            parts.append(f'<p class="notice"><em>{_ent(s)}</em></p>\n')
        elif kind == "published":
            parts.append(f'<p class="published">{_ent(s)}</p>\n</header>\n')
        elif kind == "h2":
            close_to(0)
            parts.append(f'<section id="{_slug(s)}">\n<h2>{_ent(s)}</h2>\n')
            depth = 1
        elif kind == "h3":
            close_to(1)
            parts.append(f'<section class="quality-statement" id="{_slug(s)}">\n<h3>{_ent(s)}</h3>\n')
            depth = 2
        elif kind == "h4":
            parts.append(f"<h4>{_ent(s)}</h4>\n")
        elif kind == "ul" and previous_heading == "At a glance":
            pairs = [it.split(": ", 1) for it in payload]
            parts.append('<dl class="glance">\n' + "".join(f"<dt>{_ent(k)}</dt><dd>{_ent(v)}</dd>\n"
                                                          for k, v in pairs) + "</dl>\n")
        elif kind == "ul" and all(": " in it for it in payload) and previous_heading:
            rows = "".join(f'<tr><th scope="row">{_ent(k)}</th><td>{_ent(v)}</td></tr>\n'
                           for k, v in (it.split(": ", 1) for it in payload))
            parts.append(f'<table class="key-figures">\n<caption>{_ent(previous_heading)}</caption>\n'
                         '<thead><tr><th scope="col">Measure</th><th scope="col">Figure</th></tr></thead>\n'
                         f"<tbody>\n{rows}</tbody>\n</table>\n")
            parts.pop(-2)  # the heading became the table's caption
        elif kind == "ul":
            parts.append("<ul>\n" + "".join(f"<li>{_ent(it)}</li>\n" for it in payload) + "</ul>\n")
        elif kind == "rating":
            parts.append(f'<p class="rating"><strong>{_ent(s)}</strong></p>\n')
        elif kind == "qs-score":
            parts.append(f'<p class="score">{_ent(s)}</p>\n')
        elif kind == "label":
            parts.append(f'<p class="score-label">{_ent(s)}</p>\n')
        else:
            parts.append(f"<p>{_ent(s)}</p>\n")
        previous_heading = s if kind == "h4" else ""
    close_to(0)
    dest.write_text("".join(parts) + _FOOT, encoding="utf-8")
    return dest


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for source, output, fmt, authority in REPORTS:
        text = (OUT / source).read_text(encoding="utf-8")
        render = {"txt": render_txt, "pdf": render_pdf, "html": render_html}[fmt]
        render(text, OUT / output, authority)
        print(OUT / output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
