"""Render the three blind-7 reports from their plain-text sources (deterministic).

* Pellingford Borough Council -> reports/pellingford.txt: plain text as a report copied off the
  CQC website looks (the layout of corpus/stockton-on-tees.txt: two empty lines first, a Markdown
  link line under the title, **bold** figures in the financial facts, the DHSC notice twice with
  a no-break-space line between, extra blank lines after the rating). Paragraphs are NOT wrapped:
  each paragraph is one line, as in the real file.
* Stavenhithe City Council -> reports/stavenhithe.pdf: A4, reportlab, single column; a two-line
  running header (council name, then "Local authority assessment - Care Quality Commission"),
  a footer "Page N of M", the quality statement scores as a list of name/score lines (no table),
  the themes running on without page breaks, a table of waiting times inside the text
  (Paragraph cells). No hyphenation, so every expected string survives text extraction.
* Mardlecombe County Council -> reports/mardlecombe.html: a semantic page: inline <style>,
  an <iframe> and a feedback <form> outside <main>; inside <main> a <nav> table of contents,
  then an <article> with one <section> per part, h2/h3/h4 headings, the scores as a <table>
  with <th scope="row">, a waiting-list <table>, <aside> boxes of key figures, and HTML
  entities (&pound;, &ndash;, &amp;).

Source conventions: blank-line-separated paragraphs classified by the project's fixture
builder (tests/fixtures/build_fixtures.py, imported), plus one addition of this script's own:
a paragraph whose lines all start with "| " is a table (first line the header row).

    python eval/blind7/build_reports.py
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
    ("pellingford.source.txt", "pellingford.txt", "txt", "Pellingford Borough Council"),
    ("stavenhithe.source.txt", "stavenhithe.pdf", "pdf", "Stavenhithe City Council"),
    ("mardlecombe.source.txt", "mardlecombe.html", "html", "Mardlecombe County Council"),
)

DHSC = ("This data is reproduced at the request of the Department of Health and Social Care. "
        "It has not been factored into our assessment and is presented for information purposes only.")

_TABLE_MARK = "TABLE PLACEHOLDER "


def blocks(text: str) -> list[tuple[str, object]]:
    """The fixture builder's blocks, with "| "-line paragraphs turned into ("table", rows)."""
    paras = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    tables: list[list[list[str]]] = []
    kept: list[str] = []
    for para in paras:
        lines = [ln.strip() for ln in para.splitlines() if ln.strip()]
        if all(ln.startswith("| ") for ln in lines):
            tables.append([[c.strip() for c in ln[2:].split(" | ")] for ln in lines])
            kept.append(f"{_TABLE_MARK}{len(tables) - 1}")
        else:
            kept.append(para)
    out: list[tuple[str, object]] = []
    for kind, payload in build_fixtures._blocks("\n\n".join(kept)):
        if isinstance(payload, str) and payload.startswith(_TABLE_MARK):
            out.append(("table", tables[int(payload[len(_TABLE_MARK):])]))
        else:
            out.append((kind, payload))
    return out


# --------------------------------------------------------------------------- plain text

_MONEY = re.compile(r"(£\d[\d,]*\d(?:\.\d+)?|\b\d+(?:\.\d+)?%)")


def render_txt(text: str, dest: Path, authority: str) -> Path:
    out: list[str] = []
    in_finance = False
    for kind, payload in blocks(text):
        if kind == "table":  # not used by the text report; kept simple if it ever is
            out.append("\n".join(" | ".join(row) for row in payload))
            continue
        if kind == "ul":
            items = list(payload)
            if in_finance:
                items = [_MONEY.sub(r"**\1**", it) for it in items]
            out.append("\n".join(f"- {it}" for it in items))
            continue
        s = str(payload)
        if s == "Financial facts":
            in_finance = True
            out.append(s)
            out.append(f"The Financial facts for **{authority}** are:")
            continue
        if s == DHSC:
            in_finance = False
            out.extend([s, "\u00a0", s])  # the real file repeats the notice around a no-break-space line
            continue
        out.append(s)
        if kind == "h1":
            out.append("[How we assess local authorities](#)")
        if kind == "rating":
            out.append("\n")  # the real file has extra blank lines after the rating
    dest.write_text("\n\n" + "\n\n".join(out) + "\n", encoding="utf-8")
    return dest


# --------------------------------------------------------------------------- PDF

def render_pdf(text: str, dest: Path, authority: str) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas as pdfcanvas
    from reportlab.platypus import (KeepTogether, ListFlowable, ListItem, Paragraph,
                                    SimpleDocTemplate, Spacer, Table, TableStyle)

    base = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=base["BodyText"], fontName="Helvetica",
                          fontSize=10, leading=14, spaceAfter=7, alignment=TA_LEFT,
                          hyphenationLang="", embeddedHyphenation=0, uriWasteReduce=0)
    teal = colors.HexColor("#00505c")
    styles = {
        "h1": ParagraphStyle("H1", parent=body, fontName="Times-Bold", fontSize=24, leading=28,
                             spaceAfter=16, textColor=teal),
        "h2": ParagraphStyle("H2", parent=body, fontName="Times-Bold", fontSize=17, leading=21,
                             spaceBefore=16, spaceAfter=8, textColor=teal),
        "h3": ParagraphStyle("H3", parent=body, fontName="Times-Bold", fontSize=14, leading=17,
                             spaceBefore=14, spaceAfter=5, textColor=teal),
        "h4": ParagraphStyle("H4", parent=body, fontName="Helvetica-Bold", fontSize=10.5,
                             leading=14, spaceBefore=8, spaceAfter=3),
        "rating": ParagraphStyle("Rating", parent=body, fontName="Helvetica-Bold", fontSize=14,
                                 leading=18, textColor=colors.HexColor("#1d6b2f")),
        "notice": ParagraphStyle("Notice", parent=body, fontName="Helvetica-Oblique", fontSize=8.5),
        "published": ParagraphStyle("Published", parent=body, fontName="Helvetica-Bold", fontSize=9.5),
        "label": ParagraphStyle("Label", parent=body, fontName="Helvetica-Oblique"),
        "qs-score": ParagraphStyle("QSScore", parent=body, fontName="Helvetica-Bold"),
        "qs-name": ParagraphStyle("QSName", parent=body, spaceAfter=1),
        "cell": ParagraphStyle("Cell", parent=body, fontSize=9.5, leading=12, spaceAfter=0),
        "cell-head": ParagraphStyle("CellHead", parent=body, fontName="Helvetica-Bold", fontSize=9.5,
                                    leading=12, spaceAfter=0),
    }

    def esc(s: str) -> str:
        return html.escape(s, quote=False)

    story: list = []
    for kind, payload in blocks(text):
        if kind == "ul":
            items = [ListItem(Paragraph(esc(it), body), leftIndent=12) for it in payload]
            story.append(ListFlowable(items, bulletType="bullet", start="\u2013", leftIndent=12))
            story.append(Spacer(1, 3))
        elif kind == "table":
            rows = [[Paragraph(esc(c), styles["cell-head" if r == 0 else "cell"]) for c in row]
                    for r, row in enumerate(payload)]
            table = Table(rows, colWidths=[58 * mm, 32 * mm, 32 * mm, 36 * mm], repeatRows=1)
            table.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9ab")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dcecee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]))
            story.extend([table, Spacer(1, 8)])
        elif kind in ("h3", "h4"):
            story.append(KeepTogether([Paragraph(esc(str(payload)), styles[kind])]))
        else:
            story.append(Paragraph(esc(str(payload)), styles.get(kind, body)))

    class NumberedCanvas(pdfcanvas.Canvas):
        """Draws "Page N of M": pages are kept until the total is known."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self.setFont("Helvetica", 8)
                self.setFillColor(colors.HexColor("#444444"))
                self.drawCentredString(A4[0] / 2, 10 * mm, f"Page {self._pageNumber} of {total}")
                super().showPage()
            super().save()

    def header(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 9)
        canvas.setFillColor(teal)
        canvas.drawString(22 * mm, A4[1] - 12 * mm, authority)
        canvas.setFont("Helvetica", 8)
        canvas.drawString(22 * mm, A4[1] - 16 * mm, "Local authority assessment - Care Quality Commission")
        canvas.setStrokeColor(teal)
        canvas.line(22 * mm, A4[1] - 18 * mm, A4[0] - 22 * mm, A4[1] - 18 * mm)
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(dest), pagesize=A4, title=f"{authority}: local authority assessment",
        author="Care Quality Commission (fictional)", subject="Blind evaluation report, cqc-kb set 7",
        leftMargin=22 * mm, rightMargin=22 * mm, topMargin=26 * mm, bottomMargin=20 * mm,
        invariant=1,
    )
    doc.build(story, onFirstPage=header, onLaterPages=header, canvasmaker=NumberedCanvas)
    return dest


# --------------------------------------------------------------------------- HTML

_HEAD = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{title} &ndash; CQC</title>
<style>
  body {{ font-family: Arial, sans-serif; margin: 0; color: #1a1a1a; }}
  .masthead {{ background: #003a5d; color: #fff; padding: 1em 2em; }}
  main {{ max-width: 46em; margin: 0 auto; padding: 1em 2em; }}
  aside.key-figures {{ border-left: 4px solid #c55a11; background: #fdf3ea; padding: .5em 1em; margin: 1em 0; }}
  table {{ border-collapse: collapse; margin: 1em 0; }}
  th, td {{ border: 1px solid #bbb; padding: .3em .6em; text-align: left; }}
  nav.toc ol {{ columns: 2; }}
</style>
</head>
<body>
<header class="masthead">
  <p class="masthead__brand">Care Quality Commission &ndash; local authority assessments</p>
  <p class="masthead__strap">Our ratings of how councils meet their duties under the Care Act 2014 &amp; how long people wait.</p>
</header>
<div class="location-map">
  <iframe title="Map showing the council area" src="/maps/embed?area=mardlecombe" width="300" height="200" loading="lazy"></iframe>
</div>
<main id="main-content">
"""

_FOOT = """</main>
<footer class="site-footer">
  <form class="feedback" action="/feedback" method="post">
    <fieldset>
      <legend>Was this page useful?</legend>
      <label><input type="radio" name="useful" value="yes"> Yes</label>
      <label><input type="radio" name="useful" value="no"> No</label>
      <label for="comment">Tell us how long you looked for what you needed (optional)</label>
      <textarea id="comment" name="comment"></textarea>
      <button type="submit">Send feedback</button>
    </fieldset>
  </form>
  <p>&copy; Care Quality Commission 2025. Fictional page for the cqc-kb blind evaluation (set 7).</p>
</footer>
</body>
</html>
"""

#: Key-figure boxes placed after the named sub-heading (they repeat figures from the text).
_ASIDES = {
    "Timeliness of assessments, care planning and reviews":
        ("Waiting lists &amp; delays", ("4,120 people waiting for an assessment", "19 weeks average wait")),
    "Market shaping and commissioning to meet local needs":
        ("Care at home", ("312 people waiting for care to start", "1,870 hours a week not provided")),
    "Strategic planning":
        ("Money", ("&pound;22.6 million overspend in 2024/25",)),
}


def _ent(s: str) -> str:
    """Escape, then write pound signs and en dashes as named entities, as many CMSs do."""
    return html.escape(s, quote=False).replace("£", "&pound;").replace("\u2013", "&ndash;")


def render_html(text: str, dest: Path, authority: str) -> Path:
    bl = blocks(text)
    title = f"{authority}: local authority assessment"
    parts = [_HEAD.format(title=_ent(title))]
    toc = [str(p) for k, p in bl if k == "h2"]
    parts.append('<nav class="toc" aria-label="Contents">\n<h2>Contents</h2>\n<ol>\n'
                 + "".join(f'<li><a href="#s{i}">{_ent(t)}</a></li>\n' for i, t in enumerate(toc, 1))
                 + "</ol>\n</nav>\n<article class=\"assessment\">\n")
    scores: list[tuple[str, str]] = []
    section_open = False
    statement_open = False
    h2_n = 0
    for n, (kind, payload) in enumerate(bl):
        s = str(payload) if kind not in ("ul", "table") else ""
        if kind == "qs-name":
            scores.append((s, ""))
            continue
        if kind == "qs-score" and scores and not scores[-1][1]:
            scores[-1] = (scores[-1][0], s)
            if n + 1 < len(bl) and bl[n + 1][0] != "qs-name":
                rows = "\n".join(f'<tr><th scope="row">{_ent(a)}</th><td>{_ent(b)}</td></tr>'
                                 for a, b in scores)
                parts.append('<table class="scores">\n<thead><tr><th scope="col">Quality statement</th>'
                             f'<th scope="col">Score</th></tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n')
            continue
        if kind == "h1":
            parts.append(f"<header class=\"assessment__header\">\n<h1>{_ent(s)}</h1>\n")
            continue
        if kind == "notice":
            parts.append(f'<p class="notice"><strong>{_ent(s)}</strong></p>\n')
            continue
        if kind == "published":
            parts.append(f'<p class="published">{_ent(s)}</p>\n</header>\n')
            continue
        if kind == "h2":
            if statement_open:
                parts.append("</section>\n")
                statement_open = False
            if section_open:
                parts.append("</section>\n")
            h2_n += 1
            parts.append(f'<section id="s{h2_n}">\n<h2>{_ent(s)}</h2>\n')
            section_open = True
        elif kind == "h3":
            if statement_open:
                parts.append("</section>\n")
            parts.append(f'<section class="quality-statement">\n<h3>{_ent(s)}</h3>\n')
            statement_open = True
        elif kind == "h4":
            parts.append(f"<h4>{_ent(s)}</h4>\n")
            if s in _ASIDES:
                head, figs = _ASIDES[s]
                parts.append(f'<aside class="key-figures"><h5>{head}</h5><ul>'
                             + "".join(f"<li>{f}</li>" for f in figs) + "</ul></aside>\n")
        elif kind == "ul":
            parts.append("<ul>\n" + "".join(f"<li>{_ent(it)}</li>\n" for it in payload) + "</ul>\n")
        elif kind == "table":
            head, *rows = payload
            parts.append("<table class=\"waiting\">\n<thead><tr>"
                         + "".join(f'<th scope="col">{_ent(c)}</th>' for c in head) + "</tr></thead>\n<tbody>\n"
                         + "".join("<tr>" + f'<th scope="row">{_ent(r[0])}</th>'
                                   + "".join(f"<td>{_ent(c)}</td>" for c in r[1:]) + "</tr>\n" for r in rows)
                         + "</tbody>\n</table>\n")
        elif kind == "rating":
            parts.append(f'<p class="rating"><strong>{_ent(s)}</strong></p>\n')
        elif kind == "qs-score":
            parts.append(f'<p class="score">{_ent(s)}</p>\n')
        elif kind == "label":
            parts.append(f'<p class="score-label">{_ent(s)}</p>\n')
        else:
            parts.append(f"<p>{_ent(s)}</p>\n")
    if statement_open:
        parts.append("</section>\n")
    if section_open:
        parts.append("</section>\n")
    parts.append("</article>\n")
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
