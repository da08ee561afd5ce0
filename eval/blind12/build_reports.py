"""Render the three blind-12 reports from their plain-text sources (deterministic).

* Ottersby Borough Council -> reports/ottersby.txt: plain text in the layout of
  corpus/stockton-on-tees.txt: one paragraph per line (not hard-wrapped), short paragraphs under
  sentence-case sub-headings, bullet lists ("- ") of figures, a Markdown link line under the title,
  the DHSC notice followed by a line holding only a no-break space. No bold markup.
* Quenhallow City Council -> reports/quenhallow.pdf: A4, reportlab, single column; a two-line
  running header (council name, then the publication date), a footer "Page N of M"; a wide
  key-facts table (source paragraphs of "| " rows) followed by small-print footnotes ("[n] ");
  the scores as a three-column table (statement, score, score label in its own column). No
  hyphenation.
* Merrowfold County Council -> reports/merrowfold.html: semantic page: inline <style>, a <nav>
  table of contents, a search <form> and a map <iframe> outside <main>; inside <main> one
  <article> with a <section> per top-level part (h2), per quality statement (h3) and per
  sub-heading (h4: many small sections), <ul> lists of findings, a scores table with
  <th scope="row">, an <aside> with a key-figures <table> (<thead>) and a <dl>; entities
  (&amp; &pound; &ndash;) in the markup.

The paragraph classifier is the project's fixture builder's (tests/fixtures/build_fixtures.py,
imported from the repository); everything else is this script's own.

    python eval/blind12/build_reports.py
"""

from __future__ import annotations

import html
import re
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "reports"
MAIN = HERE.parents[1]
sys.path.insert(0, str(MAIN / "tests" / "fixtures"))

import build_fixtures  # noqa: E402

REPORTS = (
    # (source, output, format, authority)
    ("ottersby.source.txt", "ottersby.txt", "txt", "Ottersby Borough Council"),
    ("quenhallow.source.txt", "quenhallow.pdf", "pdf", "Quenhallow City Council"),
    ("merrowfold.source.txt", "merrowfold.html", "html", "Merrowfold County Council"),
)

DHSC = ("This data is reproduced at the request of the Department of Health and Social Care. "
        "It has not been factored into our assessment and is presented for information purposes only.")

LABELS = {"1": "Evidence shows significant shortfalls", "2": "Evidence shows some shortfalls",
          "3": "Evidence shows a good standard", "4": "Evidence shows an exceptional standard"}


# --------------------------------------------------------------------------- plain text

def render_txt(text: str, dest: Path, authority: str) -> Path:
    paras = [p.strip() for p in re.split(r"\n\s*\n", text.strip())]
    out: list[str] = []
    for i, para in enumerate(paras):
        lines = para.splitlines()
        if para == "Financial facts":
            out.append(para)
            out.append(f"The Financial facts for {authority} are:")
            continue
        out.append("\n".join(lines) if all(ln.startswith("- ") for ln in lines) else " ".join(lines))
        if para == DHSC:
            out.append("\u00a0")
        if i == 0:
            out.append("[How we assess local authorities](#)")
    dest.write_text("\n\n".join(out) + "\n", encoding="utf-8")
    return dest


# --------------------------------------------------------------------------- PDF

def _table_rows(payload: str) -> list[list[str]] | None:
    """The rows of a "| a | b |" paragraph (its lines were joined by the classifier)."""
    if not payload.startswith("| "):
        return None
    rows = [r.strip().strip("|").strip() for r in payload.split(" | | ")]
    return [[c.strip() for c in r.split(" | ")] for r in rows]


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
    plum = colors.HexColor("#5b1f4a")
    styles = {
        "h1": ParagraphStyle("H1", parent=body, fontName="Helvetica-Bold", fontSize=21, leading=25,
                             spaceAfter=14, textColor=plum),
        "h2": ParagraphStyle("H2", parent=body, fontName="Helvetica-Bold", fontSize=15, leading=19,
                             spaceBefore=14, spaceAfter=7, textColor=plum),
        "h3": ParagraphStyle("H3", parent=body, fontName="Helvetica-Bold", fontSize=12.5, leading=16,
                             spaceBefore=10, spaceAfter=4),
        "h4": ParagraphStyle("H4", parent=body, fontName="Helvetica-Oblique", fontSize=11,
                             leading=14, spaceBefore=5, spaceAfter=2),
        "rating": ParagraphStyle("Rating", parent=body, fontName="Helvetica-Bold", fontSize=15,
                                 leading=19, textColor=colors.HexColor("#8a5a00")),
        "notice": ParagraphStyle("Notice", parent=body, fontName="Times-Italic", fontSize=9),
        "published": ParagraphStyle("Published", parent=body, fontName="Helvetica", fontSize=10),
        "label": ParagraphStyle("Label", parent=body, fontName="Times-Italic"),
        "qs-score": ParagraphStyle("QSScore", parent=body, fontName="Times-Bold"),
        "footnote": ParagraphStyle("Footnote", parent=body, fontSize=8, leading=10, spaceAfter=3),
        "cell": ParagraphStyle("Cell", parent=body, fontName="Helvetica", fontSize=9, leading=11,
                               spaceAfter=0),
    }

    def esc(s: str) -> str:
        return html.escape(s, quote=False)

    blocks = build_fixtures._blocks(text)
    published = next((str(p) for k, p in blocks if k == "published"), "").replace("Assessment published: ", "")
    story: list = []
    scores: list[list[str]] = []
    for n, (kind, payload) in enumerate(blocks):
        if kind == "qs-name":
            scores.append([str(payload), ""])
            continue
        if kind == "qs-score" and scores and not scores[-1][1]:
            scores[-1][1] = str(payload)
            if n + 1 < len(blocks) and blocks[n + 1][0] != "qs-name":
                rows = [["Quality statement", "Score", "What the score means"]] + \
                    [[a, b, LABELS[b.split(":")[1].strip()]] for a, b in scores]
                table = Table(rows, colWidths=[78 * mm, 20 * mm, 68 * mm])
                table.setStyle(TableStyle([
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9.5),
                    ("FONT", (0, 1), (-1, -1), "Helvetica", 9.5),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#efe3ec")),
                    ("GRID", (0, 0), (-1, -1), 0.4, plum),
                    ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]))
                story.append(table)
                story.append(Spacer(1, 8))
            continue
        rows = _table_rows(str(payload)) if kind == "p" else None
        if rows:
            cells = [[Paragraph(esc(c), styles["cell"]) for c in r] for r in rows]
            table = Table(cells, colWidths=[92 * mm, 30 * mm, 44 * mm], repeatRows=1)
            table.setStyle(TableStyle([
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#efe3ec")),
                ("GRID", (0, 0), (-1, -1), 0.4, plum),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            story.append(table)
            story.append(Spacer(1, 6))
        elif kind == "p" and re.match(r"^\[\d+\] ", str(payload)):
            story.append(Paragraph(esc(str(payload)), styles["footnote"]))
        elif kind == "ul":
            items = [ListItem(Paragraph(esc(it), body), leftIndent=12) for it in payload]
            story.append(ListFlowable(items, bulletType="bullet", start="\u2022", leftIndent=12))
        else:
            story.append(Paragraph(esc(str(payload)), styles.get(kind, body)))

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
                self.drawRightString(A4[0] - 20 * mm, 10 * mm, f"Page {self._pageNumber} of {total}")
                super().showPage()
            super().save()

    def header(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 8.5)
        canvas.drawRightString(A4[0] - 20 * mm, A4[1] - 11 * mm, authority)
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(A4[0] - 20 * mm, A4[1] - 15 * mm, f"CQC assessment of adult social care, {published}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(dest), pagesize=A4, title=f"{authority}: local authority assessment",
        author="Care Quality Commission (fictional)", subject="Blind evaluation report, cqc-kb set 12",
        leftMargin=20 * mm, rightMargin=20 * mm, topMargin=24 * mm, bottomMargin=20 * mm, invariant=1,
    )
    doc.build(story, onFirstPage=header, onLaterPages=header, canvasmaker=NumberedCanvas)
    return dest


# --------------------------------------------------------------------------- HTML

#: The aside at the top of the About section (figures as the report states them).
KEY_FIGURES = {
    "Merrowfold County Council": (("Residents", "612,400"), ("Aged 65 or over", "27.3 per cent"),
                                  ("Councillors", "70"), ("Extra care housing schemes", "14")),
}

_HEAD = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{title} &ndash; CQC</title>
<style>
  body {{ font-family: Georgia, serif; margin: 0 auto; max-width: 70rem; }}
  nav.contents {{ border-bottom: 1px solid #999; }}
  section section {{ margin-left: .75rem; }}
  aside.at-a-glance {{ background: #f3f0e6; padding: .5rem 1rem; }}
  table th, table td {{ text-align: left; padding: .2rem .6rem; }}
  .rating {{ font-size: 1.5rem; color: #1b5e20; }}
</style>
</head>
<body>
<header class="site"><a href="/">Care Quality Commission</a>
<form role="search" action="/search" method="get"><input name="q" type="search" aria-label="Search"> <button>Go</button></form>
</header>
<nav class="contents" aria-label="On this page">
<ul>
{toc}
</ul>
</nav>
<main>
<article>
"""

_FOOT = """</article>
</main>
<footer>
<iframe title="Where the council is" src="https://maps.example.invalid/embed?q=merrowfold" width="300" height="200"></iframe>
<p>&copy; Care Quality Commission 2025 &ndash; fictional page for the cqc-kb blind evaluation (set 12). Privacy &amp; cookies.</p>
</footer>
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
    open_levels: list[int] = []  # heading levels (2, 3, 4) whose <section> is open
    scores: list[tuple[str, str]] = []

    def open_section(level: int, attrs: str) -> None:
        while open_levels and open_levels[-1] >= level:
            parts.append("</section>\n")
            open_levels.pop()
        parts.append(f"<section{attrs}>\n")
        open_levels.append(level)

    for n, (kind, payload) in enumerate(blocks):
        s = str(payload) if kind != "ul" else ""
        if kind == "qs-name":
            scores.append((s, ""))
            continue
        if kind == "qs-score" and scores and not scores[-1][1]:
            scores[-1] = (scores[-1][0], s)
            if n + 1 < len(blocks) and blocks[n + 1][0] != "qs-name":
                rows = "\n".join(f'<tr><th scope="row">{_ent(a)}</th><td>{_ent(b)}</td></tr>' for a, b in scores)
                parts.append('<table class="scores">\n<tbody>\n' + rows + "\n</tbody>\n</table>\n")
            continue
        if kind == "h1":
            parts.append(f"<h1>{_ent(s)}</h1>\n")
        elif kind == "notice":
            parts.append(f'<p class="notice"><em>{_ent(s)}</em></p>\n')
        elif kind == "published":
            when = datetime.strptime(s.split(":", 1)[1].strip(), "%d %B %Y").date().isoformat()
            parts.append(f'<p><time datetime="{when}">{_ent(s)}</time></p>\n')
        elif kind == "h2":
            open_section(2, f' id="{_slug(s)}"')
            parts.append(f"<h2>{_ent(s)}</h2>\n")
        elif kind == "h3":
            open_section(3, f' class="quality-statement" id="{_slug(s)}"')
            parts.append(f"<h3>{_ent(s)}</h3>\n")
        elif kind == "h4":
            open_section(4, ' class="finding"')
            parts.append(f"<h4>{_ent(s)}</h4>\n")
        elif kind == "ul":
            parts.append('<ul class="findings">\n' + "".join(f"<li>{_ent(it)}</li>\n" for it in payload) + "</ul>\n")
        elif kind == "rating":
            parts.append(f'<p class="rating">{_ent(s)}</p>\n')
        elif kind == "qs-score":
            parts.append(f'<p class="score">{_ent(s)}</p>\n')
        elif kind == "label":
            parts.append(f'<p class="score-label"><strong>{_ent(s)}</strong></p>\n')
        else:
            parts.append(f"<p>{_ent(s)}</p>\n")
        if kind == "h2" and s.startswith("About ") and authority in KEY_FIGURES:
            figures = KEY_FIGURES[authority]
            rows = "".join(f"<tr><td>{_ent(k)}</td><td>{_ent(v)}</td></tr>\n" for k, v in figures)
            terms = "".join(f"<dt>{_ent(k)}</dt><dd>{_ent(v)}</dd>\n" for k, v in figures[:2])
            parts.append('<aside class="at-a-glance" aria-label="At a glance">\n'
                         "<table>\n<thead><tr><th>Figure</th><th>Value</th></tr></thead>\n<tbody>\n"
                         f"{rows}</tbody>\n</table>\n<dl>\n{terms}</dl>\n</aside>\n")
    while open_levels:
        parts.append("</section>\n")
        open_levels.pop()
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
