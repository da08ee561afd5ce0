"""Render the three blind-25 reports from their plain-text sources (deterministic).

* Quillhaven Borough Council -> reports/quillhaven.txt: plain text in the layout of
  corpus/stockton-on-tees.txt (a Markdown link line under the title, **bold** figures in the
  financial facts, the DHSC notice followed by a line holding only a no-break space), one paragraph
  per line (NOT hard-wrapped); numbered paragraphs ("2.3 People waited ...") and "- " bullet lists
  of figures stay as the source has them.
* Brindlecombe City Council -> reports/brindlecombe.pdf: A4, reportlab, single column; a
  "Key facts" box drawn as a two-column label/value table; a running header (council name left,
  "CQC local authority assessment" right, rule below); quality statement headings in bold capitals
  style; the scores as a three-column table (statement, score, score label in its own column); a
  footnote line above the footer on every second page; footer "Page N of M". No hyphenation.
* Dunsmoor County Council -> reports/dunsmoor.html: semantic page: inline <style>, <nav> table of
  contents, search <form> and feedback <form> and <iframe> outside <main>; inside <main> one
  <article> with a <section> per top-level part (h2); each quality statement in a
  <details open><summary> block; the home care figures in a <table> with <caption>, <thead>,
  <tbody> and a <tfoot> total row; strengths and areas to improve as <ul> lists; an <aside> with
  a <dl> of key figures; entities (&amp; &pound; &ndash;) in the markup.

The paragraph classifier is the project's fixture builder's (tests/fixtures/build_fixtures.py,
imported from the repository); the plain-text renderer and the HTML escaping are
eval/blind9/build_reports.py's, imported; the PDF and HTML renderers started from its.

    python build_reports.py
"""

from __future__ import annotations

import html
from datetime import datetime
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "reports"
MAIN = HERE.parents[1]
sys.path.insert(0, str(MAIN / "tests" / "fixtures"))
sys.path.insert(0, str(HERE.parent / "blind9"))

import build_fixtures  # noqa: E402
from build_reports import _ent, _slug, render_txt  # noqa: E402  (blind set 9's)

REPORTS = (
    # (source, output, format, authority)
    ("quillhaven.source.txt", "quillhaven.txt", "txt", "Quillhaven Borough Council"),
    ("brindlecombe.source.txt", "brindlecombe.pdf", "pdf", "Brindlecombe City Council"),
    ("dunsmoor.source.txt", "dunsmoor.html", "html", "Dunsmoor County Council"),
)

# --------------------------------------------------------------------------- PDF

def render_pdf(text: str, dest: Path, authority: str, labels: dict[str, str] | None = None,
               set_name: str = "25", table_widths: tuple[float, ...] | None = None,
               footnote: str | None = None) -> Path:
    """The PDF; ``labels`` (score line -> label) adds a third column to the scores table. With
    ``table_widths`` (column widths in mm), a paragraph of Markdown table rows becomes a table;
    ``footnote`` is drawn above the footer of every even page."""
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
        "h3": ParagraphStyle("H3", parent=body, fontName="Helvetica-Bold", fontSize=12, leading=15,
                             spaceBefore=12, spaceAfter=5, textColor=teal),
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
                table = Table(scores, colWidths=widths)
                table.setStyle(TableStyle([
                    ("FONT", (0, 0), (0, -1), "Helvetica-Bold", 10),
                    ("FONT", (1, 0), (1, -1), "Helvetica", 10),
                    ("BOX", (0, 0), (-1, -1), 0.6, teal),
                    ("INNERGRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#b7cfd0")),
                    ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]))
                story.append(table)
                story.append(Spacer(1, 8))
            continue
        if table_widths and kind == "p" and str(payload).startswith("| "):
            rows = [[c.strip() for c in r.strip().strip("|").split(" | ")] for r in str(payload).split(" | | ")]
            table = Table([[Paragraph(esc(c), body) for c in r] for r in rows],
                          colWidths=[w * mm for w in table_widths])
            table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.2, teal),
                                       ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#e3eff0")),
                                       ("LINEBELOW", (0, 0), (-1, -2), 0.3, colors.HexColor("#b7cfd0"))]))
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
                if footnote and self._pageNumber % 2 == 0:
                    self.setFont("Helvetica-Oblique", 7.5)
                    self.drawString(22 * mm, 15 * mm, footnote)
                self.setFont("Helvetica", 8)
                self.drawRightString(A4[0] - 22 * mm, 9 * mm, f"Page {self._pageNumber} of {total}")
                super().showPage()
            super().save()

    def header(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawString(22 * mm, A4[1] - 13 * mm, authority)
        canvas.setFont("Helvetica", 8.5)
        canvas.drawRightString(A4[0] - 22 * mm, A4[1] - 13 * mm, f"CQC local authority assessment, {published}")
        canvas.setStrokeColor(teal)
        canvas.line(22 * mm, A4[1] - 16 * mm, A4[0] - 22 * mm, A4[1] - 16 * mm)
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(dest), pagesize=A4, title=f"{authority}: local authority assessment",
        author="Care Quality Commission (fictional)", subject=f"Blind evaluation report, cqc-kb set {set_name}",
        leftMargin=22 * mm, rightMargin=22 * mm, topMargin=25 * mm, bottomMargin=24 * mm, invariant=1,
    )
    doc.build(story, onFirstPage=header, onLaterPages=header, canvasmaker=NumberedCanvas)
    return dest


# --------------------------------------------------------------------------- HTML

#: The aside box at the top of the About section (figures as the report states them).
KEY_FIGURES = {
    "Dunsmoor County Council": (("Residents", "634,900"), ("Aged 65 or over", "28.6 per cent"),
                                ("Councillors", "78"), ("District councils", "seven")),
}

_HEAD = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{title} &ndash; CQC</title>
<style>
  body {{ font-family: Arial, sans-serif; margin: 0; }}
  nav.toc {{ float: left; width: 16rem; }}
  main {{ margin-left: 17rem; max-width: 46rem; }}
  aside.key-figures {{ border-left: 6px solid #7a1f5c; padding: .5rem 1rem; background: #f7eef4; }}
  aside.key-figures dt {{ font-weight: bold; }}
  details.quality-statement {{ border-top: 1px solid #bbb; margin: 1rem 0; }}
  details.quality-statement > summary h3 {{ display: inline; }}
  table th, table td {{ border-bottom: 1px solid #ccc; padding: .25rem .5rem; }}
  tfoot th, tfoot td {{ font-weight: bold; border-top: 2px solid #333; }}
  .rating {{ font-size: 1.6rem; font-weight: bold; }}
</style>
</head>
<body>
<header class="masthead"><p><a href="/">Care Quality Commission</a> &ndash; local authority assessments</p>
<form class="site-search" action="/search" method="get"><label for="s">Search CQC</label> <input id="s" name="q" type="search"> <button>Search</button></form>
</header>
<nav class="toc" aria-label="Contents">
<p>On this page</p>
<ol>
{toc}
</ol>
</nav>
<main id="main-content">
<article class="la-assessment">
"""

_FOOT = """</article>
</main>
<footer class="site-footer">
<section class="feedback"><h2>Was this page useful?</h2>
<form action="/feedback" method="post"><label><input type="radio" name="useful" value="yes"> Yes</label> <label><input type="radio" name="useful" value="no"> No</label> <textarea name="comment" aria-label="Tell us how long you waited for this page and how we can improve it"></textarea> <button>Send feedback</button></form>
</section>
<iframe title="Map of the council area" src="https://maps.example.invalid/embed?q={place}" width="400" height="300"></iframe>
<p>&copy; Care Quality Commission 2025 &ndash; fictional page for the cqc-kb blind evaluation (set {set_name}). Terms &amp; conditions.</p>
</footer>
</body>
</html>
"""


def render_html(text: str, dest: Path, authority: str, key_figures: dict | None = None, key_list: str = "ul",
                set_name: str = "25", table_caption: str | None = None) -> Path:
    """The web page; the key figures box lists ``key_figures`` as a ``<ul>`` or, with
    ``key_list="dl"``, as a description list. With ``table_caption``, a paragraph of Markdown
    table rows becomes a ``<figure>`` table with that caption."""
    key_figures = KEY_FIGURES if key_figures is None else key_figures
    blocks = build_fixtures._blocks(text)
    h2s = [str(p) for k, p in blocks if k == "h2"]
    toc = "\n".join(f'<li><a href="#{_slug(h)}">{_ent(h)}</a></li>' for h in h2s)
    parts = [_HEAD.format(title=_ent(f"{authority}: local authority assessment"), toc=toc)]
    depth = 0  # 0: none open, 1: h2 section open, 2: statement <details> open too
    scores: list[tuple[str, str]] = []

    def close_to(level: int) -> None:
        nonlocal depth
        while depth > level:
            parts.append("</details>\n" if depth == 2 else "</section>\n")
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
            parts.append(f"<header>\n<h1>{_ent(s)}</h1>\n")
        elif kind == "notice":
            parts.append(f'<p class="notice"><strong>{_ent(s)}</strong></p>\n')
        elif kind == "published":
            when = datetime.strptime(s.split(":", 1)[1].strip(), "%d %B %Y").date().isoformat()
            parts.append(f'<p class="published"><time datetime="{when}">{_ent(s)}</time></p>\n</header>\n')
        elif kind == "h2":
            close_to(0)
            parts.append(f'<section id="{_slug(s)}">\n<h2>{_ent(s)}</h2>\n')
            depth = 1
        elif kind == "h3":
            close_to(1)
            parts.append(f'<details class="quality-statement" id="{_slug(s)}" open>\n<summary><h3>{_ent(s)}</h3></summary>\n')
            depth = 2
        elif kind == "h4":
            parts.append(f"<h4>{_ent(s)}</h4>\n")
        elif table_caption and kind == "p" and s.startswith("| "):
            rows = [[c.strip() for c in r.strip().strip("|").split(" | ")] for r in s.split(" | | ")]
            head = "".join(f'<th scope="col">{_ent(c)}</th>' for c in rows[0])
            def row(r: list[str]) -> str:
                return ("<tr>" + f'<th scope="row">{_ent(r[0])}</th>' + "".join(f"<td>{_ent(c)}</td>" for c in r[1:])
                        + "</tr>\n")
            total = rows[-1] if rows[-1][0] == "Total" else None
            body_rows = "".join(row(r) for r in (rows[1:-1] if total else rows[1:]))
            foot_row = f"<tfoot>\n{row(total)}</tfoot>\n" if total else ""
            parts.append(f"<table class=\"figures\">\n<caption>{_ent(table_caption)}</caption>\n<thead><tr>{head}</tr></thead>\n"
                         f"<tbody>\n{body_rows}</tbody>\n{foot_row}</table>\n")
        elif kind == "ul":
            parts.append("<ul>\n" + "".join(f"<li>{_ent(it)}</li>\n" for it in payload) + "</ul>\n")
        elif kind == "rating":
            parts.append(f'<p class="rating">{_ent(s)}</p>\n')
        elif kind == "qs-score":
            parts.append(f'<p class="score"><strong>{_ent(s)}</strong></p>\n')
        elif kind == "label":
            parts.append(f'<p class="score-label">{_ent(s)}</p>\n')
        else:
            parts.append(f"<p>{_ent(s)}</p>\n")
        if kind == "h2" and s.startswith("About "):
            pairs = key_figures.get(authority, ())
            items = "".join(f"<dt>{_ent(k)}</dt><dd>{_ent(v)}</dd>\n" if key_list == "dl"
                            else f"<li>{_ent(k)}: {_ent(v)}</li>\n" for k, v in pairs)
            parts.append('<aside class="key-figures" aria-label="Key figures">\n<p><strong>At a glance</strong></p>\n'
                         f"<{key_list}>\n{items}</{key_list}>\n</aside>\n")
    close_to(0)
    foot = _FOOT.format(place=authority.split()[0].lower(), set_name=set_name)
    dest.write_text("".join(parts) + foot, encoding="utf-8")
    return dest


#: The score label column of the PDF's scores table.
LABELS = {"Score: 1": "Evidence shows significant shortfalls", "Score: 2": "Evidence shows some shortfalls",
          "Score: 3": "Evidence shows a good standard", "Score: 4": "Evidence shows an exceptional standard"}
FOOTNOTE = "Figures are those supplied by the council for the assessment unless stated otherwise."


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for source, output, fmt, authority in REPORTS:
        text = (OUT / source).read_text(encoding="utf-8")
        if fmt == "txt":
            render_txt(text, OUT / output, authority)
        elif fmt == "pdf":
            render_pdf(text, OUT / output, authority, labels=LABELS, table_widths=(55, 45),
                       footnote=FOOTNOTE)
        else:
            render_html(text, OUT / output, authority, key_list="dl",
                        table_caption="Home care by district, last week of March 2025")
        print(OUT / output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
