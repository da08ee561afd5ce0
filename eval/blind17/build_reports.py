"""Render the three blind-17 reports from their plain-text sources (deterministic).

* Thistlecombe Borough Council -> reports/thistlecombe.txt: plain text in the layout of
  corpus/stockton-on-tees.txt (Markdown link line under the title, **bold** figures in the
  financial facts, DHSC notice then a no-break-space line); one paragraph per line (NOT
  hard-wrapped); "- " bullet lists and Markdown "| a | b |" tables kept line by line.
* Marrowby City Council -> reports/marrowby.pdf: A4, reportlab, single column, numbered
  paragraphs with bold run-in headings ("3.2 **Waiting times.** ..."), a two-line running
  header, footer "Page N of M"; the scores as a table with a two-row header and the score label
  in its own column; Markdown tables in the source become tables (a two-row header when the
  second source row is a header row). No hyphenation.
* Oxhollow County Council -> reports/oxhollow.html: semantic page: inline <style>, <nav> table of
  contents, a search <form> and a feedback <form> and map <iframe> outside <main>; inside <main>
  one <article>, a <section> per part (h2) and per quality statement (h3); each statement's key
  findings in a <details>/<summary> block; Markdown tables become <figure><table> with a
  <figcaption> and <thead>; a <dl> of key figures in an <aside>; entities (&amp; &pound; &ndash;).

Paragraph classification is the project's fixture builder's (tests/fixtures/build_fixtures.py).

    python eval/blind17/build_reports.py
"""

from __future__ import annotations

import html
import re
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "reports"
MAIN = HERE.parent.parent  # the repository root
sys.path.insert(0, str(MAIN / "tests" / "fixtures"))

import build_fixtures  # noqa: E402

REPORTS = (
    ("thistlecombe.source.txt", "thistlecombe.txt", "txt", "Thistlecombe Borough Council"),
    ("marrowby.source.txt", "marrowby.pdf", "pdf", "Marrowby City Council"),
    ("oxhollow.source.txt", "oxhollow.html", "html", "Oxhollow County Council"),
)

DHSC = ("This data is reproduced at the request of the Department of Health and Social Care. "
        "It has not been factored into our assessment and is presented for information purposes only.")

_MONEY = re.compile(r"(£\d[\d,]*\d(?:\.\d+)?)")


def _is_table(para: str) -> bool:
    return all(ln.strip().startswith("|") for ln in para.splitlines())


def _table_rows(para: str) -> list[list[str]]:
    rows = []
    for ln in para.splitlines():
        cells = [c.strip() for c in ln.strip().strip("|").split("|")]
        if all(re.fullmatch(r"-{3,}", c) for c in cells if c):
            continue
        rows.append(cells)
    return rows


# --------------------------------------------------------------------------- plain text

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
        if in_finance and all(ln.startswith("- ") for ln in lines):
            out.append("\n".join("- " + _MONEY.sub(r"**\1**", ln[2:]) for ln in lines))
            continue
        if para == DHSC:
            in_finance = False
            out += [para, "\u00a0"]
            continue
        keep = all(ln.startswith("- ") for ln in lines) or _is_table(para)
        out.append("\n".join(lines) if keep else " ".join(lines))
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
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    base = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=base["BodyText"], fontName="Times-Roman", fontSize=11, leading=14.5,
                          spaceAfter=8, alignment=TA_LEFT, hyphenationLang="", embeddedHyphenation=0,
                          uriWasteReduce=0)
    navy = colors.HexColor("#1f2f5c")
    styles = {
        "h1": ParagraphStyle("H1", parent=body, fontName="Helvetica-Bold", fontSize=21, leading=25,
                             spaceAfter=14, textColor=navy),
        "h2": ParagraphStyle("H2", parent=body, fontName="Helvetica-Bold", fontSize=15, leading=19,
                             spaceBefore=14, spaceAfter=6, textColor=navy),
        "h3": ParagraphStyle("H3", parent=body, fontName="Helvetica-Bold", fontSize=12.5, leading=16,
                             spaceBefore=10, spaceAfter=4),
        "h4": ParagraphStyle("H4", parent=body, fontName="Helvetica-Oblique", fontSize=10.5, leading=14,
                             spaceBefore=4, spaceAfter=2),
        "rating": ParagraphStyle("Rating", parent=body, fontName="Helvetica-Bold", fontSize=15, leading=19,
                                 textColor=colors.HexColor("#8a4b00")),
        "notice": ParagraphStyle("Notice", parent=body, fontName="Times-Italic", fontSize=9),
        "published": ParagraphStyle("Published", parent=body, fontName="Helvetica", fontSize=10),
        "label": ParagraphStyle("Label", parent=body, fontName="Times-Italic"),
        "qs-score": ParagraphStyle("QSScore", parent=body, fontName="Times-Bold"),
    }
    label_of = {f"Score: {n}": lab for n, lab in ((1, "Evidence shows significant shortfalls"),
                                                   (2, "Evidence shows some shortfalls"),
                                                   (3, "Evidence shows a good standard"),
                                                   (4, "Evidence shows an exceptional standard"))}

    def esc(s: str) -> str:
        return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(s, quote=False))

    grid = TableStyle([
        ("FONT", (0, 0), (-1, -1), "Times-Roman", 10),
        ("FONT", (0, 0), (-1, 1), "Helvetica-Bold", 9.5),
        ("BOX", (0, 0), (-1, -1), 0.6, navy),
        ("INNERGRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#aab4cc")),
        ("BACKGROUND", (0, 0), (-1, 1), colors.HexColor("#e6e9f2")),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ])

    blocks = build_fixtures._blocks(text)
    published = next((str(p) for k, p in blocks if k == "published"), "").replace("Assessment published: ", "")
    story: list = []
    scores: list[list[str]] = []
    for n, (kind, payload) in enumerate(blocks):
        if kind == "qs-name":
            scores.append([str(payload), "", ""])
            continue
        if kind == "qs-score" and scores and not scores[-1][1]:
            scores[-1][1] = str(payload)
            scores[-1][2] = label_of.get(str(payload), "")
            if n + 1 < len(blocks) and blocks[n + 1][0] != "qs-name":
                head = [["Quality statement", "Assessment", ""], ["", "Score", "Score label"]]
                table = Table(head + scores, colWidths=[72 * mm, 22 * mm, 70 * mm])
                table.setStyle(grid)
                table.setStyle(TableStyle([("SPAN", (1, 0), (2, 0)), ("SPAN", (0, 0), (0, 1))]))
                story += [table, Spacer(1, 8)]
            continue
        if kind == "ul":
            items = [ListItem(Paragraph(esc(it), body), leftIndent=12) for it in payload]
            story.append(ListFlowable(items, bulletType="bullet", start="-", leftIndent=12))
        elif kind == "p" and str(payload).startswith("| "):
            story.append(_pdf_table(text, str(payload), Table, TableStyle, grid, mm))
            story.append(Spacer(1, 8))
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
        canvas.drawRightString(A4[0] - 20 * mm, A4[1] - 15 * mm, f"CQC local authority assessment, {published}")
        canvas.restoreState()

    doc = SimpleDocTemplate(str(dest), pagesize=A4, title=f"{authority}: local authority assessment",
                            author="Care Quality Commission (fictional)", subject="Blind evaluation report, cqc-kb set 17",
                            leftMargin=20 * mm, rightMargin=20 * mm, topMargin=24 * mm, bottomMargin=20 * mm,
                            invariant=1)
    doc.build(story, onFirstPage=header, onLaterPages=header, canvasmaker=NumberedCanvas)
    return dest


def _pdf_table(text, joined, Table, TableStyle, grid, mm):
    """The source table whose rows the classifier joined into ``joined``."""
    para = next(p for p in re.split(r"\n\s*\n", text) if " ".join(ln.strip() for ln in p.splitlines()) == joined)
    rows = _table_rows(para)
    table = Table(rows)
    table.setStyle(grid)
    if rows[0][-1] == "" and len(rows) > 1 and rows[1][0] == "":
        table.setStyle(TableStyle([("SPAN", (1, 0), (-1, 0)), ("SPAN", (0, 0), (0, 1))]))
    return table


# --------------------------------------------------------------------------- HTML

KEY_FIGURES = {"Oxhollow County Council": (("Population", "421,600"), ("Aged 65 or over", "24.8%"),
                                           ("Councillors", "70"), ("District councils", "5"))}

_HEAD = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{title} &ndash; Care Quality Commission</title>
<style>
  body {{ font-family: Georgia, serif; margin: 0 auto; max-width: 62rem; }}
  nav.contents {{ border-bottom: 1px solid #999; }}
  details.findings {{ margin: .5rem 0 1rem; }}
  figure table {{ border-collapse: collapse; }}
  figure td, figure th {{ border: 1px solid #bbb; padding: .2rem .4rem; }}
  aside.facts {{ background: #f3f0e6; padding: .5rem 1rem; }}
</style>
</head>
<body>
<header role="banner"><p><a href="/">CQC</a> &ndash; assessments of local authorities</p>
<form role="search" action="/search"><label for="q">Search</label> <input id="q" name="q"> <button>Go</button></form>
</header>
<nav class="contents" aria-label="Contents">
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
<footer>
<form action="/feedback" method="post"><fieldset><legend>Is there anything wrong with this page?</legend><textarea name="what" aria-label="Tell us what you were looking for, for example waiting times or council tax"></textarea><button>Send</button></fieldset></form>
<iframe title="Where the council is" src="https://maps.example.invalid/embed?q={place}" width="300" height="200"></iframe>
<p>&copy; Care Quality Commission 2025 &ndash; fictional page for the cqc-kb blind evaluation (set 17). Privacy &amp; cookies.</p>
</footer>
</body>
</html>
"""


def _ent(s: str) -> str:
    return html.escape(s, quote=False).replace("£", "&pound;").replace("–", "&ndash;")


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def render_html(text: str, dest: Path, authority: str) -> Path:
    blocks = build_fixtures._blocks(text)
    h2s = [str(p) for k, p in blocks if k == "h2"]
    toc = "\n".join(f'<li><a href="#{_slug(h)}">{_ent(h)}</a></li>' for h in h2s)
    parts = [_HEAD.format(title=_ent(f"{authority}: local authority assessment"), toc=toc)]
    depth = 0
    in_details = False
    scores: list[tuple[str, str]] = []

    def close_details() -> None:
        nonlocal in_details
        if in_details:
            parts.append("</details>\n")
            in_details = False

    def close_to(level: int) -> None:
        nonlocal depth
        close_details()
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
            parts.append(f"<header>\n<h1>{_ent(s)}</h1>\n")
        elif kind == "notice":
            parts.append(f"<p><small>{_ent(s)}</small></p>\n")
        elif kind == "published":
            when = datetime.strptime(s.split(":", 1)[1].strip(), "%d %B %Y").date().isoformat()
            parts.append(f'<p><time datetime="{when}">{_ent(s)}</time></p>\n</header>\n')
        elif kind == "h2":
            close_to(0)
            parts.append(f'<section id="{_slug(s)}">\n<h2>{_ent(s)}</h2>\n')
            depth = 1
            if s.startswith("About "):
                items = "".join(f"<dt>{_ent(k)}</dt><dd>{_ent(v)}</dd>\n" for k, v in KEY_FIGURES.get(authority, ()))
                parts.append(f'<aside class="facts" aria-label="Key figures">\n<h3>Key figures</h3>\n<dl>\n{items}</dl>\n</aside>\n')
        elif kind == "h3":
            close_to(1)
            parts.append(f'<section class="quality-statement" id="{_slug(s)}">\n<h3>{_ent(s)}</h3>\n')
            depth = 2
        elif kind == "h4" and s == "Key findings for this quality statement":
            close_details()
            parts.append(f'<details class="findings" open>\n<summary>{_ent(s)}</summary>\n')
            in_details = True
        elif kind == "h4":
            parts.append(f"<h4>{_ent(s)}</h4>\n")
        elif kind == "ul":
            parts.append("<ul>\n" + "".join(f"<li>{_ent(it)}</li>\n" for it in payload) + "</ul>\n")
        elif kind == "rating":
            parts.append(f'<p class="rating"><strong>{_ent(s)}</strong></p>\n')
        elif kind == "qs-score":
            parts.append(f"<p><strong>{_ent(s)}</strong></p>\n")
        elif kind == "label":
            parts.append(f"<p><em>{_ent(s)}</em></p>\n")
        elif kind == "p" and s.startswith("| "):
            para = next(p for p in re.split(r"\n\s*\n", text) if " ".join(ln.strip() for ln in p.splitlines()) == s)
            rows = _table_rows(para)
            head = "".join(f'<th scope="col">{_ent(c)}</th>' for c in rows[0])
            body = "\n".join("<tr>" + f'<th scope="row">{_ent(r[0])}</th>' + "".join(f"<td>{_ent(c)}</td>" for c in r[1:])
                             + "</tr>" for r in rows[1:])
            parts.append(f"<figure>\n<figcaption>Figures supplied by the council</figcaption>\n<table>\n<thead><tr>{head}</tr></thead>\n"
                         f"<tbody>\n{body}\n</tbody>\n</table>\n</figure>\n")
        else:
            parts.append(f"<p>{_ent(s)}</p>\n")
    close_to(0)
    dest.write_text("".join(parts) + _FOOT.format(place=authority.split()[0].lower()), encoding="utf-8")
    return dest


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for source, output, fmt, authority in REPORTS:
        text = (OUT / source).read_text(encoding="utf-8")
        {"txt": render_txt, "pdf": render_pdf, "html": render_html}[fmt](text, OUT / output, authority)
        print(OUT / output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
