"""Render the three blind-6 reports from their plain-text sources (deterministic).

* Ormsdale Metropolitan Borough Council -> reports/ormsdale.txt: plain text as a report copied
  off the CQC website looks (the layout of corpus/stockton-on-tees.txt: two blank lines before
  the title, a Markdown link line under it, "The Financial facts for **X** are:" with **bold**
  figures, the DHSC notice twice with a no-break-space line between, extra blank lines after the
  rating). Each paragraph stays on one line, as in the real file.
* Halverton City Council -> reports/halverton.pdf: A4, reportlab, justified body text; a
  two-line running header (council name, then "Local authority assessment | Care Quality
  Commission") and a footer "Page N of M" on every page; the quality statement scores as a
  boxed two-column table straight after the rating (no page breaks between sections); the
  quality statement score and its label set side by side in a one-row table. No hyphenation
  (reportlab hyphenates only with pyphen and a hyphenation language; both are off), so every
  expected string survives text extraction.
* Redwater and Fallow Council -> reports/redwater-and-fallow.html: <article> with one
  <section> per top-level heading, h2/h3/h4 headings, a <nav> "On this page" list inside
  <main>, the scores as a table with <th scope="row">, <aside> boxes of key figures after the
  timeliness and safeguarding findings, an inline <style>, a feedback <form> and a map
  <iframe> outside <main>, and entities (&amp;, &pound;, &ndash;) in the markup.

The paragraph classifier is the project's fixture builder's (tests/fixtures/build_fixtures.py,
imported); everything else is this script's own.

    python eval/blind6/build_reports.py
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "reports"
# In the repository this file lives in eval/blind6/; the fallback is the helper's private copy.
MAIN = HERE.parents[1] if (HERE.parents[1] / "src" / "cqc_kb").is_dir() else Path("/work/main")
sys.path.insert(0, str(MAIN / "tests" / "fixtures"))

import build_fixtures  # noqa: E402

REPORTS = (
    # (source, output, format, authority)
    ("ormsdale.source.txt", "ormsdale.txt", "txt", "Ormsdale Metropolitan Borough Council"),
    ("halverton.source.txt", "halverton.pdf", "pdf", "Halverton City Council"),
    ("redwater.source.txt", "redwater-and-fallow.html", "html", "Redwater and Fallow Council"),
)

DHSC = ("This data is reproduced at the request of the Department of Health and Social Care. "
        "It has not been factored into our assessment and is presented for information purposes only.")
_RATINGS = ("Outstanding", "Good", "Requires improvement", "Inadequate")


# --------------------------------------------------------------------------- plain text

_MONEY = re.compile(r"(£\d[\d,]*\d(?:\.\d+)?|\b\d+(?:\.\d+)?%|\b\d{1,3}(?:,\d{3})+(?= people))")


def render_txt(text: str, dest: Path, authority: str) -> Path:
    paras = [p.strip() for p in re.split(r"\n\s*\n", text.strip())]
    out: list[str] = []
    in_finance = False
    for i, para in enumerate(paras):
        lines = para.splitlines()
        if para == "Financial facts":
            in_finance = True
            out += [para, f"The Financial facts for **{authority}** are:"]
            continue
        if all(ln.startswith("- ") for ln in lines):
            if in_finance:
                lines = ["- " + _MONEY.sub(r"**\1**", ln[2:]) for ln in lines]
            out.append("\n".join(lines))
            continue
        if para == DHSC:
            in_finance = False
            out += [para, "\u00a0", para]  # the real file repeats the notice after a no-break space
            continue
        if para in _RATINGS:
            out.append(para + "\n\n")  # the real file has extra blank lines after the rating
            continue
        out.append(" ".join(lines))
        if i == 0:
            out.append("[How we assess local authorities](#)")
    dest.write_text("\n\n" + "\n\n".join(out) + "\n", encoding="utf-8")
    return dest


# --------------------------------------------------------------------------- PDF

def render_pdf(text: str, dest: Path, authority: str) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import (KeepTogether, ListFlowable, ListItem, Paragraph, SimpleDocTemplate,
                                    Spacer, Table, TableStyle)

    base = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=base["BodyText"], fontName="Helvetica", fontSize=10,
                          leading=14, spaceAfter=7, alignment=TA_JUSTIFY, hyphenationLang="",
                          embeddedHyphenation=0, uriWasteReduce=0)
    teal = colors.HexColor("#005a5b")
    styles = {
        "h1": ParagraphStyle("H1", parent=body, fontName="Helvetica-Bold", fontSize=20, leading=24,
                             alignment=TA_LEFT, spaceAfter=12, textColor=teal),
        "h2": ParagraphStyle("H2", parent=body, fontName="Helvetica-Bold", fontSize=14.5, leading=18,
                             alignment=TA_LEFT, spaceBefore=16, spaceAfter=8, textColor=teal),
        "h3": ParagraphStyle("H3", parent=body, fontName="Helvetica-Bold", fontSize=12.5, leading=16,
                             alignment=TA_LEFT, spaceBefore=14, spaceAfter=4),
        "h4": ParagraphStyle("H4", parent=body, fontName="Helvetica-Bold", fontSize=10, leading=13,
                             alignment=TA_LEFT, spaceBefore=8, spaceAfter=3, textColor=teal),
        "rating": ParagraphStyle("Rating", parent=body, fontName="Helvetica-Bold", fontSize=16,
                                 leading=20, alignment=TA_LEFT, textColor=colors.HexColor("#a3000b")),
        "notice": ParagraphStyle("Notice", parent=body, fontName="Helvetica-Oblique", fontSize=8.5,
                                 leading=11),
        "published": ParagraphStyle("Published", parent=body, fontName="Helvetica-Oblique"),
        "cell": ParagraphStyle("Cell", parent=body, alignment=TA_LEFT, spaceAfter=0),
        "cell-b": ParagraphStyle("CellB", parent=body, fontName="Helvetica-Bold", alignment=TA_LEFT,
                                 spaceAfter=0),
    }

    def esc(s: str) -> str:
        return html.escape(s, quote=False)

    blocks = build_fixtures._blocks(text)
    story: list = []
    scores: list[list] = []
    n = 0
    while n < len(blocks):
        kind, payload = blocks[n]
        s = str(payload) if kind != "ul" else ""
        if kind == "qs-name":
            scores.append([Paragraph(esc(s), styles["cell"]), None])
        elif kind == "qs-score" and scores and scores[-1][1] is None:
            scores[-1][1] = Paragraph(esc(s), styles["cell-b"])
            if n + 1 < len(blocks) and blocks[n + 1][0] != "qs-name":
                table = Table(scores, colWidths=[120 * mm, 40 * mm])
                table.setStyle(TableStyle([
                    ("BOX", (0, 0), (-1, -1), 0.8, teal),
                    ("INNERGRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#9fbfbf")),
                    ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]))
                story += [table, Spacer(1, 8)]
        elif kind == "qs-score" and n + 1 < len(blocks) and blocks[n + 1][0] == "label":
            # a statement's score and its label side by side, as one shaded row
            label = str(blocks[n + 1][1])
            row = Table([[Paragraph(esc(s), styles["cell-b"]), Paragraph(esc(label), styles["cell"])]],
                        colWidths=[28 * mm, 132 * mm])
            row.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#e6f0f0")),
                                     ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
            story += [row, Spacer(1, 6)]
            n += 1
        elif kind == "ul":
            items = [ListItem(Paragraph(esc(it), styles["cell"]), leftIndent=16) for it in payload]
            story += [ListFlowable(items, bulletType="bullet", start="\u2013", leftIndent=16), Spacer(1, 6)]
        elif kind in ("h2", "h3", "h4"):
            story.append(KeepTogether([Paragraph(esc(s), styles[kind])]))
        else:
            story.append(Paragraph(esc(s), styles.get(kind, body)))
        n += 1

    class NumberedCanvas(Canvas):
        """Holds every page until the end so that the footer can say "Page N of M"."""

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont("Helvetica", 8)
                self.setFillColor(colors.HexColor("#444444"))
                self.drawCentredString(A4[0] / 2, 11 * mm, f"Page {self._pageNumber} of {total}")
                super().showPage()
            super().save()

    def header(canvas, document) -> None:
        canvas.saveState()
        canvas.setFillColor(teal)
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawString(25 * mm, A4[1] - 12 * mm, authority)
        canvas.setFont("Helvetica", 8)
        canvas.drawString(25 * mm, A4[1] - 16 * mm, "Local authority assessment | Care Quality Commission")
        canvas.setStrokeColor(teal)
        canvas.line(25 * mm, A4[1] - 18 * mm, A4[0] - 25 * mm, A4[1] - 18 * mm)
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(dest), pagesize=A4, title=f"{authority}: local authority assessment",
        author="Care Quality Commission (fictional)", subject="Blind evaluation report, cqc-kb set 6",
        leftMargin=25 * mm, rightMargin=25 * mm, topMargin=26 * mm, bottomMargin=20 * mm, invariant=1,
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
  body {{ font-family: "Segoe UI", Arial, sans-serif; line-height: 1.5; margin: 0 auto; max-width: 72em; }}
  .toc {{ border-left: 4px solid #005a5b; padding-left: 1em; }}
  aside.key-figures {{ float: right; width: 18em; background: #eef5f5; padding: .5em 1em; margin: 0 0 1em 1em; }}
  table.scores th[scope=row] {{ text-align: left; font-weight: normal; }}
  /* Rating: Outstanding - a comment in the style sheet, never part of the report */
</style>
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="masthead">
  <p class="masthead__brand"><a href="/">Care Quality Commission</a></p>
  <form class="masthead__search" action="/search" method="get"><label for="site-search">Search</label> <input id="site-search" name="q" type="search"> <button>Search</button></form>
</header>
<main id="main">
<nav class="toc" aria-label="On this page">
<p class="toc__title">On this page</p>
<ol>
{toc}
</ol>
</nav>
<article class="assessment">
"""

_FOOT = """</article>
</main>
<div class="feedback">
  <form action="/feedback" method="post">
    <fieldset><legend>Was this page useful?</legend>
    <label><input type="radio" name="useful" value="yes"> Yes</label>
    <label><input type="radio" name="useful" value="no"> No &ndash; tell us why (for example, the waiting times were hard to find)</label>
    <textarea name="comment" rows="3"></textarea>
    <button type="submit">Send feedback</button></fieldset>
  </form>
</div>
<iframe class="area-map" title="Map of the council area" src="/maps/local-authority?code=E99000123" width="600" height="300"></iframe>
<footer class="site-footer">
  <p>&copy; Care Quality Commission 2025 &ndash; fictional page for the cqc-kb blind evaluation (set 6). <a href="/accessibility">Accessibility</a> | <a href="/privacy">Privacy</a></p>
</footer>
</body>
</html>
"""

#: Key figure boxes placed after the section whose heading is the key. They repeat figures of
#: the text around them, as the summary boxes of real web pages do.
_ASIDES = {
    "Timeliness of assessments, care planning and reviews": (
        "Waiting for an assessment", ("402 people waiting at 30 September 2024", "Median wait: 41 days",
                                      "Reviewed in the last 12 months: 58%")),
    "Safeguarding systems, processes and practices": (
        "Safeguarding at a glance", ("2,610 concerns in 2023/24", "598 Section 42 enquiries",
                                     "644 DoLS applications waiting")),
}


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def _entities(s: str) -> str:
    """Escape as html.escape does, then write £ and the en dash as named entities."""
    return html.escape(s, quote=False).replace("£", "&pound;").replace("\u2013", "&ndash;")


def render_html(text: str, dest: Path, authority: str) -> Path:
    e = _entities
    blocks = build_fixtures._blocks(text)
    h2s = [str(p) for k, p in blocks if k == "h2" and p != "Quality statement scores"]
    toc = "\n".join(f'<li><a href="#{_slug(h)}">{e(h)}</a></li>' for h in h2s)
    parts = [_HEAD.format(title=e(f"{authority}: local authority assessment"), toc=toc)]
    section_open = False
    scores: list[tuple[str, str]] = []
    pending_aside: str | None = None

    def flush_aside() -> None:
        nonlocal pending_aside
        if pending_aside:
            title, items = _ASIDES[pending_aside]
            parts.append(f'<aside class="key-figures" aria-label="{e(title)}"><h4>{e(title)}</h4><ul>'
                         + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul></aside>\n")
            pending_aside = None

    for n, (kind, payload) in enumerate(blocks):
        s = str(payload) if kind != "ul" else ""
        if kind == "qs-name":
            scores.append((s, ""))
            continue
        if kind == "qs-score" and scores and not scores[-1][1]:
            scores[-1] = (scores[-1][0], s)
            if n + 1 < len(blocks) and blocks[n + 1][0] != "qs-name":
                rows = "\n".join(f'<tr><th scope="row">{e(a)}</th><td>{e(b)}</td></tr>' for a, b in scores)
                parts.append('<table class="scores">\n<caption>Quality statement scores</caption>\n'
                             '<thead><tr><th scope="col">Quality statement</th><th scope="col">Score</th>'
                             f'</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n')
            continue
        if kind in ("h2", "h3", "h4"):
            flush_aside()
        if kind == "h1":
            parts.append(f"<header class=\"assessment__header\"><h1>{e(s)}</h1></header>\n")
        elif kind == "h2":
            if section_open:
                parts.append("</section>\n")
            if s == "Quality statement scores":
                parts.append('<section id="scores">\n')  # the table's caption carries the title
            else:
                parts.append(f'<section id="{_slug(s)}">\n<h2>{e(s)}</h2>\n')
            section_open = True
        elif kind == "h3":
            parts.append(f'<h3 id="{_slug(s)}">{e(s)}</h3>\n')
        elif kind == "h4":
            parts.append(f"<h4>{e(s)}</h4>\n")
            if s in _ASIDES:
                pending_aside = s
        elif kind == "ul":
            parts.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in payload) + "</ul>\n")
        elif kind == "rating":
            parts.append(f'<p class="rating"><strong>{e(s)}</strong></p>\n')
        elif kind == "qs-score":
            parts.append(f'<p class="score"><strong>{e(s)}</strong></p>\n')
        elif kind in ("label", "notice", "published"):
            parts.append(f'<p class="{kind}">{e(s)}</p>\n')
        else:
            parts.append(f"<p>{e(s)}</p>\n")
    flush_aside()
    if section_open:
        parts.append("</section>\n")
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
