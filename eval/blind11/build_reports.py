"""Render the three blind-11 reports from their plain-text sources (deterministic).

* Thornwick Borough Council -> reports/thornwick.txt: plain text in the layout of
  corpus/stockton-on-tees.txt (a Markdown link line under the title, **bold** figures in the
  financial facts, the DHSC notice followed by a line holding only a no-break space). Paragraphs
  are NOT hard-wrapped. The source itself has numbered findings ("1. ...") and a "Key figures"
  bullet list.
* Pendlecross City Council -> reports/pendlecross.pdf: A4, reportlab, single column, Times body;
  a right-aligned two-line running header (council name, then "Care Quality Commission | Local
  authority assessment"), a footer with the publication date on the left and "Page N of M" on the
  right (two-pass canvas); the scores as a three-column table (statement | "Score: N" | score
  label); the "Key figures at a glance" list as a two-column table (label | value). No hyphenation.
* Hazelmoor County Council -> reports/hazelmoor.html: inline <style> and <script>, a cookie
  <form> and a <nav> of contents before <main>, an <iframe> after it; inside <main> one <article>
  with <section>s (h2 parts, h3 quality statements); the "At a glance" figures as a <dl>; the
  standard "What people expect" / "The local authority commitment" texts in closed <details>
  accordions; "Figure N:" charts as <figure>/<figcaption> with the chart described in text; the
  scores and "Table N:" lists as <table>s with a <caption>; entities (&amp; &pound; &ndash;).

The paragraph classifier is the project's fixture builder's (tests/fixtures/build_fixtures.py,
imported from the repository); everything else is this script's own.

    python build_reports.py
"""

from __future__ import annotations

import html
import re
from datetime import datetime
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "reports"
MAIN = HERE.parents[1]
sys.path.insert(0, str(MAIN / "tests" / "fixtures"))

import build_fixtures  # noqa: E402

REPORTS = (
    # (source, output, format, authority)
    ("thornwick.source.txt", "thornwick.txt", "txt", "Thornwick Borough Council"),
    ("pendlecross.source.txt", "pendlecross.pdf", "pdf", "Pendlecross City Council"),
    ("hazelmoor.source.txt", "hazelmoor.html", "html", "Hazelmoor County Council"),
)

#: The score labels, for the scores tables' third column.
LABELS = {"Score: 4": "4 - Evidence shows an exceptional standard", "Score: 3": "3 - Evidence shows a good standard",
          "Score: 2": "2 - Evidence shows some shortfalls", "Score: 1": "1 - Evidence shows significant shortfalls"}

DHSC = ("This data is reproduced at the request of the Department of Health and Social Care. "
        "It has not been factored into our assessment and is presented for information purposes only.")


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
    from reportlab.platypus import (ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer,
                                    Table, TableStyle)

    base = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=base["BodyText"], fontName="Times-Roman", fontSize=11,
                          leading=14.5, spaceAfter=6, alignment=TA_LEFT,
                          hyphenationLang="", embeddedHyphenation=0, uriWasteReduce=0)
    plum = colors.HexColor("#5b2a6e")
    styles = {
        "h1": ParagraphStyle("H1", parent=body, fontName="Helvetica-Bold", fontSize=22, leading=26,
                             spaceAfter=14, textColor=plum),
        "h2": ParagraphStyle("H2", parent=body, fontName="Helvetica-Bold", fontSize=16, leading=20,
                             spaceBefore=14, spaceAfter=7, textColor=plum),
        "h3": ParagraphStyle("H3", parent=body, fontName="Helvetica-Bold", fontSize=13, leading=16,
                             spaceBefore=10, spaceAfter=4),
        "h4": ParagraphStyle("H4", parent=body, fontName="Helvetica-BoldOblique", fontSize=11,
                             leading=14, spaceBefore=6, spaceAfter=2),
        "rating": ParagraphStyle("Rating", parent=body, fontName="Helvetica-Bold", fontSize=15,
                                 leading=19, textColor=colors.HexColor("#8a5a00")),
        "notice": ParagraphStyle("Notice", parent=body, fontName="Times-Italic", fontSize=9.5),
        "published": ParagraphStyle("Published", parent=body, fontName="Helvetica", fontSize=10),
        "label": ParagraphStyle("Label", parent=body, fontName="Times-Italic"),
        "qs-score": ParagraphStyle("QSScore", parent=body, fontName="Times-Bold"),
    }
    cell = ParagraphStyle("Cell", parent=body, fontSize=10, leading=12.5, spaceAfter=0)

    def esc(s: str) -> str:
        return html.escape(s, quote=False)

    def grid(rows: list[list[str]], widths: list[float]) -> Table:
        table = Table([[Paragraph(esc(c), cell) for c in row] for row in rows], colWidths=widths)
        table.setStyle(TableStyle([
            ("BOX", (0, 0), (-1, -1), 0.6, plum),
            ("INNERGRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#cdb8d6")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]))
        return table

    blocks = build_fixtures._blocks(text)
    published = next((str(p) for k, p in blocks if k == "published"), "").replace("Assessment published: ", "")
    story: list = []
    scores: list[list[str]] = []
    key_figures = False
    for n, (kind, payload) in enumerate(blocks):
        if kind == "qs-name":
            scores.append([str(payload), "", ""])
            continue
        if kind == "qs-score" and scores and not scores[-1][1]:
            s = str(payload)
            scores[-1][1] = s
            scores[-1][2] = LABELS[s]
            if n + 1 < len(blocks) and blocks[n + 1][0] != "qs-name":
                story.append(grid(scores, [80 * mm, 22 * mm, 64 * mm]))
                story.append(Spacer(1, 8))
            continue
        if kind == "ul" and key_figures:
            # Key figures as a two-column table: label | value.
            story.append(grid([list(it.rsplit(": ", 1)) for it in payload], [120 * mm, 46 * mm]))
            story.append(Spacer(1, 8))
        elif kind == "ul":
            items = [ListItem(Paragraph(esc(it), body), leftIndent=12) for it in payload]
            story.append(ListFlowable(items, bulletType="bullet", start="\u2022", leftIndent=12))
        else:
            story.append(Paragraph(esc(str(payload)), styles.get(kind, body)))
        key_figures = kind == "h4" and str(payload).startswith("Key figures")

    class NumberedCanvas(rl_canvas.Canvas):
        """Defers page output so the footer can say 'Page N of M'."""

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
                self.setFont("Helvetica", 8)
                self.drawString(20 * mm, 10 * mm, f"Published {published}")
                self.drawRightString(A4[0] - 20 * mm, 10 * mm, f"Page {self._pageNumber} of {total}")
                super().showPage()
            super().save()

    def header(canvas, document) -> None:
        canvas.saveState()
        canvas.setFillColor(plum)
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawRightString(A4[0] - 20 * mm, A4[1] - 11 * mm, authority)
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(A4[0] - 20 * mm, A4[1] - 15 * mm, "Care Quality Commission | Local authority assessment")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(dest), pagesize=A4, title=f"{authority}: local authority assessment",
        author="Care Quality Commission (fictional)", subject="Blind evaluation report, cqc-kb set 11",
        leftMargin=20 * mm, rightMargin=20 * mm, topMargin=24 * mm, bottomMargin=20 * mm, invariant=1,
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
  body {{ font-family: Georgia, serif; margin: 0 auto; max-width: 60rem; }}
  nav.contents {{ border-bottom: 1px solid #999; }}
  figure {{ border-left: 4px solid #2b6a3e; margin: 1rem 0; padding-left: 1rem; }}
  details {{ background: #f3f3f3; margin: .5rem 0; padding: .25rem .75rem; }}
  table {{ border-collapse: collapse; }} th, td {{ border: 1px solid #bbb; padding: .2rem .5rem; }}
  dl.at-a-glance dt {{ font-weight: bold; }}
</style>
<script>document.documentElement.className = "js";</script>
</head>
<body>
<div class="cookie-banner"><p>We use cookies to understand how you use this site &amp; to improve it.</p>
<form action="/cookies" method="post"><button name="accept" value="yes">Accept cookies</button> <button name="accept" value="no">Reject cookies</button></form></div>
<nav class="contents" aria-label="On this page">
<h2>Contents</h2>
<ul>
{toc}
</ul>
</nav>
<main>
<article>
"""

_FOOT = """</article>
</main>
<aside class="related"><h2>Related content</h2><iframe title="Video: how we assess councils" src="https://video.example.invalid/embed/la-assessments" width="480" height="270"></iframe></aside>
<footer><p>&copy; Care Quality Commission 2025 &ndash; fictional page written for the cqc-kb blind evaluation (set 11). Accessibility &amp; privacy.</p></footer>
</body>
</html>
"""


def _ent(s: str) -> str:
    """Escape, then spell a few characters as named entities, as CMS output often does."""
    return html.escape(s, quote=False).replace("£", "&pound;").replace("–", "&ndash;")


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def render_html(text: str, dest: Path, authority: str) -> Path:
    blocks = build_fixtures._blocks(text)
    h2s = [str(p) for k, p in blocks if k == "h2"]
    toc = "\n".join(f'<li><a href="#{_slug(h)}">{_ent(h)}</a></li>' for h in h2s)
    parts = [_HEAD.format(title=_ent(f"{authority}: local authority assessment"), toc=toc)]
    depth = 0  # 0: none open, 1: h2 section open, 2: statement section open too
    scores: list[tuple[str, str]] = []
    skip = 0

    def close_to(level: int) -> None:
        nonlocal depth
        while depth > level:
            parts.append("</section>\n")
            depth -= 1

    for n, (kind, payload) in enumerate(blocks):
        if skip:
            skip -= 1
            continue
        s = str(payload) if kind != "ul" else ""
        nxt = blocks[n + 1] if n + 1 < len(blocks) else ("", "")
        if kind == "qs-name":
            scores.append((s, ""))
            continue
        if kind == "qs-score" and scores and not scores[-1][1]:
            scores[-1] = (scores[-1][0], s)
            if nxt[0] != "qs-name":
                rows = "\n".join(f'<tr><th scope="row">{_ent(a)}</th><td>{_ent(b)}</td><td>{_ent(LABELS[b])}</td></tr>'
                                 for a, b in scores)
                parts.append('<table class="scores">\n<caption>Scores for the nine quality statements</caption>\n'
                             '<thead><tr><th scope="col">Quality statement</th><th scope="col">Score</th>'
                             f'<th scope="col">What the score means</th></tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n')
            continue
        if kind == "h1":
            parts.append(f"<header>\n<h1>{_ent(s)}</h1>\n")
        elif kind == "notice":
            parts.append(f'<p class="notice"><em>{_ent(s)}</em></p>\n')
        elif kind == "published":
            when = datetime.strptime(s.split(":", 1)[1].strip(), "%d %B %Y").date().isoformat()
            parts.append(f'<p class="published"><time datetime="{when}">{_ent(s)}</time></p>\n</header>\n')
        elif kind == "h2":
            close_to(0)
            parts.append(f'<section id="{_slug(s)}">\n<h2>{_ent(s)}</h2>\n')
            depth = 1
        elif kind == "h3":
            close_to(1)
            parts.append(f'<section class="quality-statement" id="{_slug(s)}">\n<h3>{_ent(s)}</h3>\n')
            depth = 2
        elif kind == "h4" and s == "At a glance" and nxt[0] == "ul":
            # Key figures as a definition list.
            items = "".join(f"<dt>{_ent(k)}</dt><dd>{_ent(v)}</dd>\n" for k, v in (it.split(": ", 1) for it in nxt[1]))
            parts.append(f'<h3>{_ent(s)}</h3>\n<dl class="at-a-glance">\n{items}</dl>\n')
            skip = 1
        elif kind == "h4" and s in ("What people expect", "The local authority commitment"):
            # The standard texts sit in accordions, closed by default.
            parts.append(f"<details>\n<summary>{_ent(s)}</summary>\n<p>{_ent(str(nxt[1]))}</p>\n</details>\n")
            skip = 1
        elif kind == "p" and s.startswith("Figure ") and nxt[0] == "p":
            parts.append(f'<figure>\n<div class="chart" role="img" aria-label="{_ent(s)}"></div>\n'
                         f"<figcaption>{_ent(s)}</figcaption>\n<p>{_ent(str(nxt[1]))}</p>\n</figure>\n")
            skip = 1
        elif kind in ("p", "h4") and s.startswith("Table ") and nxt[0] == "ul":
            rows = "".join('<tr><th scope="row">{}</th><td>{}</td></tr>\n'.format(*map(_ent, it.split(" | ", 1)))
                           for it in nxt[1])
            parts.append(f"<table>\n<caption>{_ent(s)}</caption>\n<tbody>\n{rows}</tbody>\n</table>\n")
            skip = 1
        elif kind == "h4":
            parts.append(f"<h4>{_ent(s)}</h4>\n")
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
