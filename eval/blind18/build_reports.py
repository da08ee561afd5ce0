"""Render the three blind-18 reports from their plain-text sources (deterministic).

* Quillingford Borough Council -> reports/quillingford.txt: plain text in the layout of
  corpus/stockton-on-tees.txt (Markdown link line, **bold** financial figures, DHSC notice and a
  no-break-space line), one paragraph per line; "- " lists and Markdown "| a | b |" tables keep
  one item or row per line.
* Brantmoor City Council -> reports/brantmoor.pdf: A4, reportlab, single column, numbered
  paragraphs (from the source); a filled header band with the council name and date on the right,
  a footer with a left caption and "N / M" on the right; the scores in a table with a two-row
  header and the score label in its own column. No hyphenation.
* Ellerswick County Council -> reports/ellerswick.html: semantic page: inline <style>, breadcrumb
  <nav>, a subscribe <form> in an <aside> outside <main>; inside <main> one <article> with a
  <section> per top-level part, each quality statement in an open <details> whose <summary> holds
  the h3, "| a | b |" source tables as <figure>/<table> (<thead>, <th scope>) with <figcaption>,
  the "At a glance" list as a <dl>, entities (&amp; &pound; &ndash;).

The paragraph classifier is the project's fixture builder's (tests/fixtures/build_fixtures.py);
the PDF and text renderers are adapted from eval/blind9/build_reports.py.

    python eval/blind18/build_reports.py
"""

from __future__ import annotations

import html
import re
from datetime import datetime
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "reports"
MAIN = HERE.parent.parent  # the repository root
sys.path.insert(0, str(MAIN / "tests" / "fixtures"))

import build_fixtures  # noqa: E402

REPORTS = (
    # (source, output, format, authority)
    ("quillingford.source.txt", "quillingford.txt", "txt", "Quillingford Borough Council"),
    ("brantmoor.source.txt", "brantmoor.pdf", "pdf", "Brantmoor City Council"),
    ("ellerswick.source.txt", "ellerswick.html", "html", "Ellerswick County Council"),
)

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
        keep = all(ln.startswith(("- ", "|")) for ln in lines)
        out.append("\n".join(lines) if keep else " ".join(lines))
        if i == 0:
            out.append("[How we assess local authorities](#)")
    dest.write_text("\n\n".join(out) + "\n", encoding="utf-8")
    return dest


# --------------------------------------------------------------------------- PDF

def render_pdf(text: str, dest: Path, authority: str, labels: dict[str, str] | None = None,
               set_name: str = "9") -> Path:
    """The PDF; ``labels`` (score line -> label) adds a third column to the scores table."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas as rl_canvas
    from reportlab.platypus import (ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer,
                                    Table, TableStyle)

    base = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=base["BodyText"], fontName="Helvetica", fontSize=10.5,
                          leading=14, spaceAfter=7, alignment=TA_LEFT,
                          hyphenationLang="", embeddedHyphenation=0, uriWasteReduce=0)
    teal = colors.HexColor("#00565b")
    styles = {
        "h1": ParagraphStyle("H1", parent=body, fontName="Times-Bold", fontSize=24, leading=28,
                             spaceAfter=16, textColor=teal),
        "h2": ParagraphStyle("H2", parent=body, fontName="Times-Bold", fontSize=17, leading=21,
                             spaceBefore=16, spaceAfter=8, textColor=teal),
        "h3": ParagraphStyle("H3", parent=body, fontName="Times-Bold", fontSize=14, leading=17,
                             spaceBefore=12, spaceAfter=5),
        "h4": ParagraphStyle("H4", parent=body, fontName="Helvetica-Bold", fontSize=10.5,
                             leading=14, spaceBefore=6, spaceAfter=2),
        "rating": ParagraphStyle("Rating", parent=body, fontName="Times-Bold", fontSize=16,
                                 leading=20, textColor=colors.HexColor("#1d6b2f")),
        "notice": ParagraphStyle("Notice", parent=body, fontName="Helvetica-Oblique", fontSize=9),
        "published": ParagraphStyle("Published", parent=body, fontName="Helvetica-Bold", fontSize=10),
        "label": ParagraphStyle("Label", parent=body, fontName="Helvetica-Oblique"),
        "qs-score": ParagraphStyle("QSScore", parent=body, fontName="Helvetica-Bold"),
    }

    def esc(s: str) -> str:
        return html.escape(s, quote=False)

    blocks = build_fixtures._blocks(text)
    published = next((str(p) for k, p in blocks if k == "published"), "").replace("Assessment published: ", "")
    story: list = []
    scores: list[list[str]] = []
    for n, (kind, payload) in enumerate(blocks):
        if kind == "qs-name":
            scores.append([str(payload), ""] + ([""] if labels else []))
            continue
        if kind == "qs-score" and scores and not scores[-1][1]:
            scores[-1][1] = str(payload)
            if labels:
                scores[-1][2] = labels.get(str(payload), "")
            if n + 1 < len(blocks) and blocks[n + 1][0] != "qs-name":
                widths = [80 * mm, 20 * mm, 66 * mm] if labels else [120 * mm, 30 * mm]
                head = [["Scores by quality statement", "", ""], ["Quality statement", "Score", "What the score means"]] if labels else []
                table = Table(head + scores, colWidths=widths, repeatRows=len(head))
                table.setStyle(TableStyle([
                    ("FONT", (0, 0), (0, -1), "Helvetica-Bold", 10),
                    ("FONT", (1, 0), (1, -1), "Helvetica", 10),
                    ("BOX", (0, 0), (-1, -1), 0.6, teal),
                    ("INNERGRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#b7cfd0")),
                    ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ] + ([("SPAN", (0, 0), (-1, 0)), ("FONT", (0, 0), (-1, 1), "Helvetica-Bold", 10),
                      ("BACKGROUND", (0, 0), (-1, 1), colors.HexColor("#e3eeee"))] if labels else [])))
                story.append(table)
                story.append(Spacer(1, 8))
            continue
        if kind == "ul":
            items = [ListItem(Paragraph(esc(it), body), leftIndent=12) for it in payload]
            story.append(ListFlowable(items, bulletType="bullet", start="-", leftIndent=12))
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
                self.drawString(22 * mm, 10 * mm, "Care Quality Commission - local authority assessment")
                self.drawRightString(A4[0] - 22 * mm, 10 * mm, f"{self._pageNumber} / {total}")
                super().showPage()
            super().save()

    def header(canvas, document) -> None:
        canvas.saveState()
        canvas.setFillColor(teal)
        canvas.rect(0, A4[1] - 14 * mm, A4[0], 14 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawRightString(A4[0] - 22 * mm, A4[1] - 9 * mm, f"{authority} | published {published}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(dest), pagesize=A4, title=f"{authority}: local authority assessment",
        author="Care Quality Commission (fictional)", subject=f"Blind evaluation report, cqc-kb set {set_name}",
        leftMargin=22 * mm, rightMargin=22 * mm, topMargin=25 * mm, bottomMargin=20 * mm, invariant=1,
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
  body {{ font-family: Georgia, serif; margin: 0 auto; max-width: 52rem; }}
  details {{ border-left: 4px solid #7a3e00; margin: 1rem 0; padding-left: 1rem; }}
  summary {{ cursor: pointer; }}
  figure table {{ border-collapse: collapse; }}
  figure th, figure td {{ border: 1px solid #999; padding: .2rem .5rem; }}
  dl.glance dt {{ font-weight: bold; }}
</style>
</head>
<body>
<div class="skip"><a href="#main-content">Skip to main content</a></div>
<header class="site"><p>Care Quality Commission &ndash; Assessments of local authorities &amp; integrated care systems</p></header>
<nav aria-label="Breadcrumb"><ol><li><a href="/">Home</a></li><li><a href="/la">Local authorities</a></li><li>{short}</li></ol></nav>
<main id="main-content">
<article class="assessment">
"""

_FOOT = """</article>
</main>
<aside class="related"><h2>Related</h2><p>Find care services near you, or read how we rate councils &amp; what the scores mean.</p>
<form action="/subscribe" method="post"><label for="e">Get an e-mail when this report changes</label> <input id="e" type="email" name="email"> <button>Subscribe</button></form></aside>
<footer><p>&copy; Care Quality Commission 2025 &ndash; fictional page for the cqc-kb blind evaluation (set 18).</p></footer>
</body>
</html>
"""


def _ent(s: str) -> str:
    """Escape, then spell a few characters as named entities, as CMS output often does."""
    return html.escape(s, quote=False).replace("£", "&pound;").replace("–", "&ndash;")


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def _pipe_rows(para: str) -> list[list[str]]:
    """The rows of a '| a | b |' paragraph (the classifier joins its lines with spaces)."""
    rows = re.split(r"\|\s+\|", para.strip().strip("|"))
    return [[c.strip() for c in row.split("|")] for row in rows]


def render_html(text: str, dest: Path, authority: str) -> Path:
    """A semantic page: quality statements in <details>/<summary>, '|' tables as <figure>/<table>
    with <thead> and <figcaption>, the 'At a glance' list as a <dl>, scores as a table."""
    blocks = build_fixtures._blocks(text)
    parts = [_HEAD.format(title=_ent(f"{authority}: local authority assessment"), short=_ent(authority))]
    open_sections = 0
    in_details = False
    scores: list[tuple[str, str]] = []
    tables = 0
    glance = False

    def close_details() -> None:
        nonlocal in_details
        if in_details:
            parts.append("</details>\n")
            in_details = False

    for n, (kind, payload) in enumerate(blocks):
        s = str(payload) if kind != "ul" else ""
        if kind == "qs-name":
            scores.append((s, ""))
            continue
        if kind == "qs-score" and scores and not scores[-1][1]:
            scores[-1] = (scores[-1][0], s)
            if n + 1 < len(blocks) and blocks[n + 1][0] != "qs-name":
                rows = "\n".join(f"<tr><td>{_ent(a)}</td><td>{_ent(b)}</td></tr>" for a, b in scores)
                parts.append('<table class="scores">\n<thead><tr><th>Quality statement</th><th>Score</th></tr></thead>\n'
                             f"<tbody>\n{rows}\n</tbody>\n</table>\n")
            continue
        if kind == "h1":
            parts.append(f"<hgroup>\n<h1>{_ent(s)}</h1>\n")
        elif kind == "notice":
            parts.append(f'<p class="notice"><small>{_ent(s)}</small></p>\n')
        elif kind == "published":
            when = datetime.strptime(s.split(":", 1)[1].strip(), "%d %B %Y").date().isoformat()
            parts.append(f'<p><time datetime="{when}">{_ent(s)}</time></p>\n</hgroup>\n')
        elif kind == "h2":
            close_details()
            while open_sections:
                parts.append("</section>\n")
                open_sections -= 1
            parts.append(f'<section id="{_slug(s)}">\n<h2>{_ent(s)}</h2>\n')
            open_sections = 1
        elif kind == "h3":
            close_details()
            parts.append(f'<details open id="{_slug(s)}">\n<summary><h3>{_ent(s)}</h3></summary>\n')
            in_details = True
        elif kind == "h4" and s == "At a glance":
            parts.append('<aside class="glance">\n<h3>At a glance</h3>\n')
            glance = True
        elif kind == "h4":
            parts.append(f"<h4>{_ent(s)}</h4>\n")
        elif kind == "ul" and glance:
            items = "".join(f"<dt>{_ent(k)}</dt><dd>{_ent(v)}</dd>\n" for k, v in (it.split(": ", 1) for it in payload))
            parts.append(f'<dl class="glance">\n{items}</dl>\n</aside>\n')
            glance = False
        elif kind == "ul":
            parts.append("<ul>\n" + "".join(f"<li>{_ent(it)}</li>\n" for it in payload) + "</ul>\n")
        elif kind == "p" and s.startswith("|"):
            tables += 1
            head, *body = _pipe_rows(s)
            th = "".join(f'<th scope="col">{_ent(c)}</th>' for c in head)
            tb = "\n".join("<tr>" + f'<th scope="row">{_ent(r[0])}</th>' + "".join(f"<td>{_ent(c)}</td>" for c in r[1:]) + "</tr>"
                           for r in body)
            parts.append(f'<figure>\n<table>\n<thead><tr>{th}</tr></thead>\n<tbody>\n{tb}\n</tbody>\n</table>\n'
                         f"<figcaption>Table {tables}. Source: {_ent(authority)}</figcaption>\n</figure>\n")
        elif kind == "rating":
            parts.append(f'<p class="rating"><strong>{_ent(s)}</strong></p>\n')
        elif kind == "qs-score":
            parts.append(f'<p class="score">{_ent(s)}</p>\n')
        elif kind == "label":
            parts.append(f'<p class="score-label"><em>{_ent(s)}</em></p>\n')
        else:
            parts.append(f"<p>{_ent(s)}</p>\n")
    close_details()
    while open_sections:
        parts.append("</section>\n")
        open_sections -= 1
    dest.write_text("".join(parts) + _FOOT, encoding="utf-8")
    return dest


_LABELS = {f"Score: {n}": label for n, label in ((1, "1 - Evidence shows significant shortfalls"),
                                                  (2, "2 - Evidence shows some shortfalls"),
                                                  (3, "3 - Evidence shows a good standard"),
                                                  (4, "4 - Evidence shows an exceptional standard"))}


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for source, output, fmt, authority in REPORTS:
        text = (OUT / source).read_text(encoding="utf-8")
        if fmt == "pdf":
            render_pdf(text, OUT / output, authority, labels=_LABELS, set_name="18")
        else:
            {"txt": render_txt, "html": render_html}[fmt](text, OUT / output, authority)
        print(OUT / output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
