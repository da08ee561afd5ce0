"""Render the three blind-8 reports from their plain-text sources (deterministic).

* Hollinsgate Metropolitan Borough Council -> reports/hollinsgate.txt: plain text in the layout
  of corpus/stockton-on-tees.txt (title, Markdown link line, **bold** figures in the financial
  facts, the DHSC notice followed by a no-break-space line). Paragraphs are NOT hard-wrapped:
  each paragraph and list item is one line, as in the real file.
* Wexcombe City Council -> reports/wexcombe.pdf: A4, reportlab, single column; a two-line
  running header (council name, then "Local authority assessment - published ..."), a footer
  "Page N of M", the scores as name/score paragraph pairs (no table), one data table (the
  waiting-list figures) drawn as a reportlab Table. No hyphenation.
* Quarrendon County Council -> reports/quarrendon.html: semantic page: inline <style>, a site
  <header> with a search <form> and a feedback <iframe> outside <main>, a <nav> table of
  contents, <main><article> with one <section> per part (h2) and per quality statement (h3),
  the scores as a <table> with <th scope="row">, the key-figures data table as a <table>, an
  <aside> box of key figures, and entities (&amp; &pound; &ndash;) in the markup.

Paragraph classification is the project's fixture builder's (tests/fixtures/build_fixtures.py,
imported), with one addition: a paragraph whose lines all start with "| " is a data table.

    python eval/blind8/build_reports.py
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
    ("hollinsgate.source.txt", "hollinsgate.txt", "txt", "Hollinsgate Metropolitan Borough Council"),
    ("wexcombe.source.txt", "wexcombe.pdf", "pdf", "Wexcombe City Council"),
    ("quarrendon.source.txt", "quarrendon.html", "html", "Quarrendon County Council"),
)

DHSC = ("This data is reproduced at the request of the Department of Health and Social Care. "
        "It has not been factored into our assessment and is presented for information purposes only.")


def blocks(text: str) -> list[tuple[str, object]]:
    """build_fixtures._blocks plus ("table", rows) for paragraphs of "| a | b" lines."""
    paras = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    tables: dict[str, list[list[str]]] = {}
    kept = []
    for para in paras:
        lines = [ln.strip() for ln in para.splitlines() if ln.strip()]
        if all(ln.startswith("| ") for ln in lines):
            key = f"Data table placeholder {len(tables)}."
            tables[key] = [[c.strip() for c in ln[2:].split(" | ")] for ln in lines]
            kept.append(key)
        else:
            kept.append(para)
    out = []
    for kind, payload in build_fixtures._blocks("\n\n".join(kept)):
        if kind == "p" and payload in tables:
            out.append(("table", tables[payload]))
        else:
            out.append((kind, payload))
    return out


# --------------------------------------------------------------------------- plain text

_MONEY = re.compile(r"(£\d[\d,]*\d(?:\.\d+)?|\b\d+(?:\.\d+)?%)")


def render_txt(text: str, dest: Path, authority: str) -> Path:
    paras = [p.strip() for p in re.split(r"\n\s*\n", text.strip())]
    out: list[str] = []
    in_finance = False
    for i, para in enumerate(paras):
        lines = [ln.strip() for ln in para.splitlines()]
        if para == "Financial facts":
            in_finance = True
            out += [para, f"The Financial facts for **{authority}** are:"]
            continue
        if all(ln.startswith("| ") for ln in lines):
            out.append("\n".join(ln[2:].replace(" | ", "\t") for ln in lines))
            continue
        if all(ln.startswith("- ") for ln in lines):
            items = [_MONEY.sub(r"**\1**", ln[2:]) if in_finance else ln[2:] for ln in lines]
            out.append("\n".join("- " + it for it in items))
            continue
        if para == DHSC:
            in_finance = False
            out += [para, "\u00a0"]
            continue
        out.append(" ".join(lines))
        if i == 0:
            out.append("[How we assess local authorities](#)")
    body = "\n\n".join(out) + "\n"
    body = body.replace("\n\nGood\n\n", "\n\nGood\n\n\n\n", 1)
    dest.write_text(body, encoding="utf-8")
    return dest


# --------------------------------------------------------------------------- PDF

def render_pdf(text: str, dest: Path, authority: str) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas as rl_canvas
    from reportlab.platypus import (KeepTogether, ListFlowable, ListItem, Paragraph, SimpleDocTemplate,
                                    Spacer, Table, TableStyle)

    base = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=base["BodyText"], fontName="Helvetica", fontSize=10,
                          leading=14, spaceAfter=7, alignment=TA_LEFT,
                          hyphenationLang="", embeddedHyphenation=0, uriWasteReduce=0)
    styles = {
        "h1": ParagraphStyle("H1", parent=body, fontName="Times-Bold", fontSize=20, leading=24, spaceAfter=12,
                             textColor=colors.HexColor("#004d40")),
        "h2": ParagraphStyle("H2", parent=body, fontName="Times-Bold", fontSize=15, leading=19,
                             spaceBefore=12, spaceAfter=8, textColor=colors.HexColor("#004d40")),
        "h3": ParagraphStyle("H3", parent=body, fontName="Times-Bold", fontSize=13, leading=16,
                             spaceBefore=12, spaceAfter=4),
        "h4": ParagraphStyle("H4", parent=body, fontName="Helvetica-Bold", fontSize=10, leading=13,
                             spaceBefore=6, spaceAfter=2),
        "rating": ParagraphStyle("Rating", parent=body, fontName="Helvetica-Bold", fontSize=14, leading=18,
                                 textColor=colors.HexColor("#b00020")),
        "notice": ParagraphStyle("Notice", parent=body, fontName="Helvetica-Oblique", fontSize=8.5),
        "published": ParagraphStyle("Published", parent=body, fontName="Helvetica-Oblique"),
        "label": ParagraphStyle("Label", parent=body, fontName="Helvetica-Oblique"),
        "qs-score": ParagraphStyle("QSScore", parent=body, fontName="Helvetica-Bold"),
        "qs-name": ParagraphStyle("QSName", parent=body, spaceAfter=1),
    }
    published = ""

    def esc(s: str) -> str:
        return html.escape(s, quote=False)

    story: list = []
    for kind, payload in blocks(text):
        if kind == "published":
            published = str(payload).split(":", 1)[1].strip()
        if kind == "ul":
            items = [ListItem(Paragraph(esc(it), body), leftIndent=12) for it in payload]
            story.append(ListFlowable(items, bulletType="bullet", start="\u2013", leftIndent=12))
            story.append(Spacer(1, 3))
        elif kind == "table":
            rows = [[Paragraph(esc(c), body) for c in row] for row in payload]
            ncol = len(payload[0])
            first = 160 * mm - (ncol - 1) * 30 * mm
            table = Table(rows, colWidths=[first] + [30 * mm] * (ncol - 1), repeatRows=1)
            table.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#7f7f7f")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#d7ece8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            story += [table, Spacer(1, 8)]
        elif kind in ("h3", "h4"):
            story.append(KeepTogether([Paragraph(esc(str(payload)), styles[kind])]))
        else:
            story.append(Paragraph(esc(str(payload)), styles.get(kind, body)))

    class NumberedCanvas(rl_canvas.Canvas):
        """Defers page output so the footer can say "Page N of M"."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab API)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont("Helvetica-Bold", 8.5)
                self.drawString(20 * mm, A4[1] - 11 * mm, authority)
                self.setFont("Helvetica", 8)
                self.drawString(20 * mm, A4[1] - 15 * mm, f"Local authority assessment - published {published}")
                self.line(20 * mm, A4[1] - 17 * mm, A4[0] - 20 * mm, A4[1] - 17 * mm)
                self.drawCentredString(A4[0] / 2, 10 * mm, f"Page {self._pageNumber} of {total}")
                super().showPage()
            super().save()

    doc = SimpleDocTemplate(
        str(dest), pagesize=A4, title=f"{authority}: local authority assessment",
        author="Care Quality Commission (fictional)", subject="Blind evaluation report, cqc-kb set 8",
        leftMargin=20 * mm, rightMargin=30 * mm, topMargin=24 * mm, bottomMargin=20 * mm, invariant=1,
    )
    doc.build(story, canvasmaker=NumberedCanvas)
    return dest


# --------------------------------------------------------------------------- HTML

_HEAD = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{title} &ndash; CQC</title>
<style>
  body {{ font-family: Georgia, serif; margin: 0; }}
  .keyfigs {{ border: 2px solid #005eb8; padding: 0.5em 1em; }}
  th[scope=row] {{ text-align: left; font-weight: normal; }}
  /* the score column is right-aligned so waits and counts line up */
  td.num {{ text-align: right; }}
</style>
</head>
<body>
<header class="masthead">
  <a href="/" class="brand">Care Quality Commission</a>
  <form class="sitesearch" action="/search" method="get"><label for="s">Search reports &amp; services</label> <input id="s" name="s" type="search"> <button>Search</button></form>
</header>
<nav class="toc" aria-label="On this page">
<h2>Contents</h2>
<ol>
{toc}
</ol>
</nav>
<main id="main-content">
<article class="la-assessment">
"""

_FOOT = """</article>
</main>
<footer class="sitefoot">
  <iframe title="Was this page useful?" src="/feedback/widget" width="300" height="80"></iframe>
  <p>&copy; Care Quality Commission 2025 &ndash; fictional page for the cqc-kb blind evaluation (set 8).</p>
</footer>
</body>
</html>
"""


def _e(s: str) -> str:
    return html.escape(s, quote=True).replace("£", "&pound;").replace("\u2013", "&ndash;")


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def render_html(text: str, dest: Path, authority: str) -> Path:
    bl = blocks(text)
    parts: list[str] = []
    toc: list[str] = []
    depth = 0  # open <section> elements: 1 = part (h2), 2 = quality statement (h3)
    scores: list[tuple[str, str]] = []

    def close(to: int) -> None:
        nonlocal depth
        while depth > to:
            parts.append("</section>\n")
            depth -= 1

    for n, (kind, payload) in enumerate(bl):
        s = str(payload) if kind not in ("ul", "table") else ""
        if kind == "qs-name":
            scores.append((s, ""))
            continue
        if kind == "qs-score" and scores and not scores[-1][1]:
            scores[-1] = (scores[-1][0], s)
            if n + 1 < len(bl) and bl[n + 1][0] != "qs-name":
                rows = "\n".join(f'<tr><th scope="row">{_e(a)}</th><td class="num">{_e(b)}</td></tr>'
                                 for a, b in scores)
                parts.append(f'<table class="scores">\n<thead><tr><th scope="col">Quality statement</th>'
                             f'<th scope="col">Score</th></tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n')
            continue
        if kind == "h1":
            parts.append(f"<h1>{_e(s)}</h1>\n")
        elif kind == "notice":
            parts.append(f'<p class="disclaimer"><strong>{_e(s)}</strong></p>\n')
        elif kind == "published":
            parts.append(f'<p class="meta"><time datetime="2025-11-14">{_e(s)}</time></p>\n')
        elif kind == "h2":
            close(0)
            sid = _slug(s)
            toc.append(f'<li><a href="#{sid}">{_e(s)}</a></li>')
            parts.append(f'<section id="{sid}">\n<h2>{_e(s)}</h2>\n')
            depth = 1
            if s == "Overall summary":
                parts.append('<aside class="keyfigs" aria-label="Key figures">\n<h3>Key figures at a glance</h3>\n'
                             '<ul><li>Population: 602,115 (2023)</li><li>Adult social care spend 2023/24: '
                             '&pound;327,460,000</li><li>Overall rating: Requires improvement</li></ul>\n</aside>\n')
        elif kind == "h3":
            close(1)
            parts.append(f'<section class="statement" id="{_slug(s)}">\n<h3>{_e(s)}</h3>\n')
            depth = 2
        elif kind == "h4":
            level = "h4" if depth == 2 else "h3"
            parts.append(f"<{level}>{_e(s)}</{level}>\n")
        elif kind == "ul":
            parts.append("<ul>\n" + "".join(f"<li>{_e(it)}</li>\n" for it in payload) + "</ul>\n")
        elif kind == "table":
            head, *rows = payload
            th = "".join(f'<th scope="col">{_e(c)}</th>' for c in head)
            body = "\n".join("<tr>" + f'<th scope="row">{_e(r[0])}</th>'
                             + "".join(f'<td class="num">{_e(c)}</td>' for c in r[1:]) + "</tr>" for r in rows)
            parts.append(f'<table class="data">\n<thead><tr>{th}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n')
        elif kind == "rating":
            parts.append(f'<p class="rating"><strong>{_e(s)}</strong></p>\n')
        elif kind == "qs-score":
            parts.append(f'<p class="score">{_e(s)}</p>\n')
        elif kind == "label":
            parts.append(f'<p class="score-label">{_e(s)}</p>\n')
        else:
            parts.append(f"<p>{_e(s)}</p>\n")
    close(0)
    title = f"{authority}: local authority assessment"
    head = _HEAD.format(title=_e(title), toc="\n".join(toc))
    dest.write_text(head + "".join(parts) + _FOOT, encoding="utf-8")
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
