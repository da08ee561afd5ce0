"""Render the three blind-15 reports from their plain-text sources (deterministic).

* Cresswold Borough Council -> reports/cresswold.txt: plain text in the layout of
  corpus/stockton-on-tees.txt (a Markdown link line under the title, **bold** money figures in the
  financial facts, the DHSC notice followed by a line holding only a no-break space, extra blank
  lines after the rating). One paragraph per line (not hard-wrapped); "- " bullet lists of figures
  inside the findings; "per cent", en dashes and numbers in words come from the source.
* Hollinsmere City Council -> reports/hollinsmere.pdf: A4, reportlab, single column. Every body
  paragraph is numbered "S.N" (S counts the top-level parts, N the paragraphs in the part), as in
  a committee report. The quality statement scores are a three-column table (statement, "Score: N",
  the score label in its own column). No running header; a footer carries the council name on the
  left and the bare page number on the right. No hyphenation.
* Dunmarsh County Council -> reports/dunmarsh.html: semantic page: inline <style>, a <nav> table
  of contents, a search <form> and a map <iframe> outside <main>; inside <main> one <article> with a
  <section> per top-level part (h2) and per quality statement (h3, h4 below); the scores as a table
  with <th scope="row">; a <dl> of key figures; a key-figures <table> with a <thead> whose first
  column is the measure and whose other columns are years; entities (&amp; &pound; &ndash;).

Source conventions beyond the fixture classifier's: a paragraph whose lines all start with "| " is a
table (first line the header), a paragraph whose lines all contain " :: " is a definition list.
The paragraph classifier is the project's fixture builder's (tests/fixtures/build_fixtures.py,
imported from the repository); everything else is this script's own.

    python eval/blind15/build_reports.py
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "reports"
MAIN = HERE.parent.parent  # the repository root
sys.path.insert(0, str(MAIN / "tests" / "fixtures"))

import build_fixtures  # noqa: E402

REPORTS = (
    # (source, output, format, authority)
    ("cresswold.source.txt", "cresswold.txt", "txt", "Cresswold Borough Council"),
    ("hollinsmere.source.txt", "hollinsmere.pdf", "pdf", "Hollinsmere City Council"),
    ("dunmarsh.source.txt", "dunmarsh.html", "html", "Dunmarsh County Council"),
)

DHSC = ("This data is reproduced at the request of the Department of Health and Social Care. "
        "It has not been factored into our assessment and is presented for information purposes only.")

LABELS = {
    "1": "1 - Evidence shows significant shortfalls",
    "2": "2 - Evidence shows some shortfalls",
    "3": "3 - Evidence shows a good standard",
    "4": "4 - Evidence shows an exceptional standard",
}

_MONEY = re.compile(r"(£\d[\d,]*\d(?:\.\d+)?|\b\d+(?:\.\d+)?%)")
_TABLE = "TABLE-PLACEHOLDER-"
_DL = "DL-PLACEHOLDER-"


def split_special(text: str) -> tuple[str, dict[str, list[list[str]]]]:
    """Replace table and definition-list paragraphs with one-line placeholders (which the
    classifier reads as sub-headings) and return them by placeholder."""
    specials: dict[str, list[list[str]]] = {}
    out = []
    for para in re.split(r"\n\s*\n", text.strip()):
        lines = [ln.strip() for ln in para.strip().splitlines() if ln.strip()]
        if lines and all(ln.startswith("| ") for ln in lines):
            key = f"{_TABLE}{len(specials)}"
            specials[key] = [[c.strip() for c in ln.strip("|").split(" | ")] for ln in lines]
            out.append(key)
        elif lines and all(" :: " in ln for ln in lines):
            key = f"{_DL}{len(specials)}"
            specials[key] = [ln.split(" :: ", 1) for ln in lines]
            out.append(key)
        else:
            out.append(para.strip())
    return "\n\n".join(out), specials


# --------------------------------------------------------------------------- plain text

def render_txt(text: str, dest: Path, authority: str) -> Path:
    paras = [p.strip() for p in re.split(r"\n\s*\n", text.strip())]
    out: list[str] = []
    in_finance = False
    rating = ""
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
            out.append("\u00a0")  # the real file has a line holding only a no-break space here
            continue
        if para in ("Outstanding", "Good", "Requires improvement", "Inadequate") and not rating:
            rating = para
        out.append(" ".join(lines) if not lines[0].startswith("- ") else para)
        if i == 0:
            out.append("[How we assess local authorities](#)")
    body = "\n\n".join(out) + "\n"
    # In the real file the rating is followed by extra blank lines before the scores list.
    body = body.replace(f"\n\n{rating}\n\n", f"\n\n{rating}\n\n\n\n", 1)
    dest.write_text("\n\n" + body, encoding="utf-8")
    return dest


# --------------------------------------------------------------------------- PDF

def render_pdf(text: str, dest: Path, authority: str) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table,
                                    TableStyle)

    base = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=base["BodyText"], fontName="Helvetica", fontSize=10,
                          leading=14, spaceAfter=7, alignment=TA_LEFT, leftIndent=11 * mm,
                          firstLineIndent=-11 * mm, hyphenationLang="", embeddedHyphenation=0,
                          uriWasteReduce=0)
    plain = ParagraphStyle("Plain", parent=body, leftIndent=0, firstLineIndent=0)
    teal = colors.HexColor("#00575f")
    styles = {
        "h1": ParagraphStyle("H1", parent=plain, fontName="Helvetica-Bold", fontSize=20, leading=24,
                             spaceAfter=12, textColor=teal),
        "h2": ParagraphStyle("H2", parent=plain, fontName="Helvetica-Bold", fontSize=14.5, leading=18,
                             spaceBefore=14, spaceAfter=8, textColor=teal),
        "h3": ParagraphStyle("H3", parent=plain, fontName="Helvetica-Bold", fontSize=12, leading=15,
                             spaceBefore=12, spaceAfter=4),
        "h4": ParagraphStyle("H4", parent=plain, fontName="Helvetica-Oblique", fontSize=10.5,
                             leading=14, spaceBefore=6, spaceAfter=3),
        "rating": ParagraphStyle("Rating", parent=plain, fontName="Helvetica-Bold", fontSize=14,
                                 leading=18),
        "notice": ParagraphStyle("Notice", parent=plain, fontName="Helvetica-Oblique", fontSize=9),
        "published": ParagraphStyle("Published", parent=plain, fontSize=9.5),
        "label": ParagraphStyle("Label", parent=plain, fontName="Helvetica-Oblique"),
        "qs-score": ParagraphStyle("QSScore", parent=plain, fontName="Helvetica-Bold"),
        "cell": ParagraphStyle("Cell", parent=plain, fontSize=9.5, leading=12, spaceAfter=0),
    }

    def esc(s: str) -> str:
        return html.escape(s, quote=False)

    blocks = build_fixtures._blocks(text)
    story: list = []
    scores: list[list[str]] = []
    part = 0
    para_no = 0
    for n, (kind, payload) in enumerate(blocks):
        if kind == "qs-name":
            scores.append([str(payload), ""])
            continue
        if kind == "qs-score" and scores and not scores[-1][1]:
            scores[-1][1] = str(payload)
            if n + 1 < len(blocks) and blocks[n + 1][0] != "qs-name":
                cell = styles["cell"]
                rows = [[Paragraph(esc(a), cell), Paragraph(esc(b), cell),
                         Paragraph(esc(LABELS[b.split()[-1]]), cell)] for a, b in scores]
                table = Table([["Quality statement", "Score", "What the score means"], *rows],
                              colWidths=[72 * mm, 22 * mm, 66 * mm])
                table.setStyle(TableStyle([
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9.5),
                    ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                    ("BACKGROUND", (0, 0), (-1, 0), teal),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9fb8ba")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]))
                story.append(table)
                story.append(Spacer(1, 8))
            continue
        if kind == "h2":
            part += 1
            para_no = 0
        if kind == "ul":
            items = [ListItem(Paragraph(esc(it), plain), leftIndent=22 * mm) for it in payload]
            story.append(ListFlowable(items, bulletType="bullet", start="\u2013", leftIndent=22 * mm))
            story.append(Spacer(1, 3))
        elif kind == "p" and part and payload != authority:
            para_no += 1
            story.append(Paragraph(f"{part}.{para_no}\u00a0\u00a0{esc(str(payload))}", body))
        else:
            story.append(Paragraph(esc(str(payload)), styles.get(kind, plain)))

    doc = SimpleDocTemplate(
        str(dest), pagesize=A4, title=f"{authority}: local authority assessment",
        author="Care Quality Commission (fictional)", subject="Blind evaluation report, cqc-kb set 15",
        leftMargin=24 * mm, rightMargin=24 * mm, topMargin=20 * mm, bottomMargin=22 * mm, invariant=1,
    )

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setStrokeColor(teal)
        canvas.line(24 * mm, 15 * mm, A4[0] - 24 * mm, 15 * mm)
        canvas.setFont("Helvetica", 8)
        canvas.drawString(24 * mm, 10 * mm, f"{authority} \u2013 local authority assessment")
        canvas.drawRightString(A4[0] - 24 * mm, 10 * mm, str(document.page))
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return dest


# --------------------------------------------------------------------------- HTML

_HEAD = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{title} &ndash; CQC</title>
<style>
  body {{ font-family: Arial, sans-serif; margin: 0; color: #1d1d1b; }}
  nav.toc {{ background: #f3f2f1; padding: 1em; }}
  table {{ border-collapse: collapse; }} th, td {{ border: 1px solid #b1b4b6; padding: .3em .6em; }}
  dl.glance dt {{ font-weight: bold; }} .score {{ font-weight: bold; }}
</style>
</head>
<body>
<header class="masthead"><a href="/">Care Quality Commission</a>
<form class="site-search" action="/search" role="search"><label for="s">Search CQC</label> <input id="s" name="q" type="search"> <button>Search</button></form>
</header>
<nav class="toc" aria-label="Contents of this report">
<h2>On this page</h2>
<ol>
{toc}
</ol>
</nav>
<main id="main-content">
<article class="la-assessment">
"""

_FOOT = """</article>
</main>
<aside class="map-panel"><h2>Where is this council?</h2>
<iframe title="Map of the council area" src="https://maps.example.invalid/embed?council=dunmarsh" width="300" height="200"></iframe>
<form class="feedback" action="/feedback"><label for="f">Was this page useful? Tell us how long you spent looking for it.</label> <textarea id="f" name="f"></textarea> <button>Send</button></form>
</aside>
<footer><p>&copy; Care Quality Commission 2025 &ndash; fictional page for the cqc-kb blind evaluation (set 15).</p></footer>
</body>
</html>
"""


def esc_html(s: str) -> str:
    return html.escape(s, quote=False).replace("£", "&pound;").replace("\u2013", "&ndash;")


def slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def render_html(text: str, dest: Path, authority: str) -> Path:
    e = esc_html
    text, specials = split_special(text)
    blocks = build_fixtures._blocks(text)
    title = f"{authority}: local authority assessment"
    toc = "\n".join(f'<li><a href="#{slug(str(p))}">{e(str(p))}</a></li>' for k, p in blocks if k == "h2")
    parts = [_HEAD.format(title=e(title), toc=toc)]
    depth = 0  # 0 none, 1 in an h2 section, 2 in an h3 section
    scores: list[tuple[str, str]] = []

    def close(to: int) -> None:
        nonlocal depth
        while depth > to:
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
                rows = "\n".join(f'<tr><th scope="row">{e(a)}</th><td>{e(b)}</td></tr>' for a, b in scores)
                parts.append('<table class="scores">\n<thead><tr><th scope="col">Quality statement</th>'
                             f'<th scope="col">Score</th></tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n')
            continue
        if kind == "h4" and s in specials:
            rows = specials[s]
            if s.startswith(_TABLE):
                head = "".join(f'<th scope="col">{e(c)}</th>' for c in rows[0])
                body = "\n".join("<tr>" + f'<th scope="row">{e(r[0])}</th>' + "".join(f"<td>{e(c)}</td>" for c in r[1:])
                                 + "</tr>" for r in rows[1:])
                parts.append(f'<table class="key-figures">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n')
            else:
                items = "\n".join(f"<dt>{e(t)}</dt><dd>{e(d)}</dd>" for t, d in rows)
                parts.append(f'<dl class="glance">\n{items}\n</dl>\n')
            continue
        if kind == "h1":
            parts.append(f"<header><h1>{e(s)}</h1></header>\n")
        elif kind == "notice":
            parts.append(f'<p class="notice"><strong>{e(s)}</strong></p>\n')
        elif kind == "published":
            parts.append(f'<p class="published"><time datetime="2025-09-04">{e(s)}</time></p>\n')
        elif kind == "h2":
            close(0)
            parts.append(f'<section id="{slug(s)}">\n<h2>{e(s)}</h2>\n')
            depth = 1
        elif kind == "h3":
            close(1)
            parts.append(f'<section class="quality-statement" id="qs-{slug(s)}">\n<h3>{e(s)}</h3>\n')
            depth = 2
        elif kind == "h4":
            parts.append(f"<h4>{e(s)}</h4>\n")
        elif kind == "ul":
            parts.append("<ul>\n" + "".join(f"<li>{e(it)}</li>\n" for it in payload) + "</ul>\n")
        elif kind == "rating":
            parts.append(f'<p class="rating"><strong>{e(s)}</strong></p>\n')
        elif kind == "qs-score":
            parts.append(f'<p class="score">{e(s)}</p>\n')
        elif kind == "label":
            parts.append(f'<p class="score-label"><em>{e(s)}</em></p>\n')
        else:
            parts.append(f"<p>{e(s)}</p>\n")
    close(0)
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
