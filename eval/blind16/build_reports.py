"""Render the three blind-16 reports from their plain-text sources (deterministic).

* Tarnbridge Borough Council -> reports/tarnbridge.txt: plain text in the layout of
  corpus/stockton-on-tees.txt (a Markdown link line under the title, **bold** figures in the
  financial facts, the DHSC notice followed by a line holding only a no-break space), one paragraph
  per line (not hard-wrapped), "- " bullet lists and a Markdown "| a | b |" table kept as written.
* Elsingham City Council -> reports/elsingham.pdf: A4, reportlab, single column; findings in
  numbered paragraphs ("3.2 ...") as the source writes them; key-finding sub-headings set as bold
  run-in headings at the start of the paragraph that follows them; the scores as a three-column
  table (statement, "Score: N", score label); a running header on the right ("Care Quality
  Commission | Elsingham City Council") and a footer with the publication date on the left and
  "Page N" on the right. No hyphenation.
* Corvale County Council -> reports/corvale.html: semantic page: inline <style>, a <nav> table of
  contents, a search <form>, and a newsletter <form> and map <iframe> in the footer, all outside
  <main>; inside <main> one <article> with a <section> per part (h2) and per quality statement
  (h3, h4 below); the scores as a <table> with <th scope="row"> and a label column; tables of
  figures (measure in the first column, years as columns) inside <figure>/<figcaption>; the
  demographic key figures as a <dl>; entities (&amp; &pound; &ndash;) in the markup.

The paragraph classifier is the project's fixture builder's (tests/fixtures/build_fixtures.py,
imported from the repository); everything else is this script's own.

    python eval/blind16/build_reports.py
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
    # (source, output, format, authority)
    ("tarnbridge.source.txt", "tarnbridge.txt", "txt", "Tarnbridge Borough Council"),
    ("elsingham.source.txt", "elsingham.pdf", "pdf", "Elsingham City Council"),
    ("corvale.source.txt", "corvale.html", "html", "Corvale County Council"),
)

DHSC = ("This data is reproduced at the request of the Department of Health and Social Care. "
        "It has not been factored into our assessment and is presented for information purposes only.")

_MONEY = re.compile(r"(£\d[\d,]*\d(?:\.\d+)?|\b\d+(?:\.\d+)?%)")
_TABLE_MARK = "TABLEBLOCK "


def _paras(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def _is_table(para: str) -> bool:
    return all(ln.strip().startswith("|") for ln in para.splitlines())


def _table_rows(para: str) -> list[list[str]]:
    rows = []
    for ln in para.splitlines():
        cells = [c.strip() for c in ln.strip().strip("|").split("|")]
        if all(set(c) <= {"-", ":", " "} for c in cells):
            continue  # the Markdown separator row
        rows.append(cells)
    return rows


def _blocks_with_tables(text: str) -> tuple[list[tuple[str, object]], list[list[list[str]]]]:
    """The fixture builder's blocks, with Markdown tables replaced by ("table", rows)."""
    tables: list[list[list[str]]] = []
    paras = []
    for para in _paras(text):
        if _is_table(para):
            paras.append(f"{_TABLE_MARK}{len(tables)}")
            tables.append(_table_rows(para))
        else:
            paras.append(para)
    blocks = []
    for kind, payload in build_fixtures._blocks("\n\n".join(paras)):
        if kind == "h4" and str(payload).startswith(_TABLE_MARK):
            blocks.append(("table", tables[int(str(payload)[len(_TABLE_MARK):])]))
        else:
            blocks.append((kind, payload))
    return blocks, tables


# --------------------------------------------------------------------------- plain text

def render_txt(text: str, dest: Path, authority: str) -> Path:
    out: list[str] = []
    in_finance = False
    for i, para in enumerate(_paras(text)):
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
        if _is_table(para) or all(ln.startswith("- ") for ln in lines):
            out.append("\n".join(lines))
        else:
            out.append(" ".join(lines))
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
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    base = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=base["BodyText"], fontName="Times-Roman", fontSize=11,
                          leading=14.5, spaceAfter=8, alignment=TA_LEFT,
                          hyphenationLang="", embeddedHyphenation=0, uriWasteReduce=0)
    plum = colors.HexColor("#5b2a6e")
    styles = {
        "h1": ParagraphStyle("H1", parent=body, fontName="Helvetica-Bold", fontSize=22, leading=26,
                             spaceAfter=14, textColor=plum),
        "h2": ParagraphStyle("H2", parent=body, fontName="Helvetica-Bold", fontSize=16, leading=20,
                             spaceBefore=14, spaceAfter=8, textColor=plum),
        "h3": ParagraphStyle("H3", parent=body, fontName="Helvetica-Bold", fontSize=13, leading=16,
                             spaceBefore=10, spaceAfter=5),
        "h4": ParagraphStyle("H4", parent=body, fontName="Times-Bold", fontSize=11, leading=14.5,
                             spaceBefore=4, spaceAfter=3),
        "rating": ParagraphStyle("Rating", parent=body, fontName="Helvetica-Bold", fontSize=15, leading=19,
                                 textColor=colors.HexColor("#245e2a")),
        "notice": ParagraphStyle("Notice", parent=body, fontName="Times-Italic", fontSize=9.5),
        "published": ParagraphStyle("Published", parent=body, fontName="Helvetica", fontSize=10),
        "label": ParagraphStyle("Label", parent=body, fontName="Times-Italic"),
        "qs-score": ParagraphStyle("QSScore", parent=body, fontName="Times-Bold"),
    }
    labels = {1: "1 - Evidence shows significant shortfalls", 2: "2 - Evidence shows some shortfalls",
              3: "3 - Evidence shows a good standard", 4: "4 - Evidence shows an exceptional standard"}

    def esc(s: str) -> str:
        return html.escape(s, quote=False)

    blocks, _ = _blocks_with_tables(text)
    published = next((str(p) for k, p in blocks if k == "published"), "").replace("Assessment published: ", "")
    story: list = []
    scores: list[list[str]] = []
    run_in: str | None = None
    for n, (kind, payload) in enumerate(blocks):
        nxt = blocks[n + 1][0] if n + 1 < len(blocks) else ""
        if kind == "qs-name":
            scores.append([str(payload), "", ""])
            continue
        if kind == "qs-score" and scores and not scores[-1][1]:
            scores[-1][1] = str(payload)
            scores[-1][2] = labels[int(str(payload)[-1])]
            if nxt != "qs-name":
                table = Table([["Quality statement", "Score", "What the score means"]] + scores,
                              colWidths=[74 * mm, 22 * mm, 70 * mm])
                table.setStyle(TableStyle([
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9.5),
                    ("FONT", (0, 1), (-1, -1), "Times-Roman", 10),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eadff0")),
                    ("GRID", (0, 0), (-1, -1), 0.4, plum),
                    ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]))
                story += [table, Spacer(1, 8)]
            continue
        if kind == "h4" and nxt == "p":
            run_in = str(payload)  # set in bold at the start of the paragraph that follows
            continue
        if kind == "ul":
            items = [ListItem(Paragraph(esc(it), body), leftIndent=12) for it in payload]
            story.append(ListFlowable(items, bulletType="bullet", start="\u2022", leftIndent=12))
        elif kind == "p" and run_in is not None:
            story.append(Paragraph(f"<b>{esc(run_in)}.</b> {esc(str(payload))}", body))
            run_in = None
        else:
            story.append(Paragraph(esc(str(payload)), styles.get(kind, body)))

    def decorate(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(plum)
        canvas.drawRightString(A4[0] - 20 * mm, A4[1] - 12 * mm, f"Care Quality Commission | {authority}")
        canvas.setFillColor(colors.black)
        canvas.drawString(20 * mm, 11 * mm, f"Published {published}")
        canvas.drawRightString(A4[0] - 20 * mm, 11 * mm, f"Page {document.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(dest), pagesize=A4, title=f"{authority}: local authority assessment",
        author="Care Quality Commission (fictional)", subject="Blind evaluation report, cqc-kb set 16",
        leftMargin=20 * mm, rightMargin=20 * mm, topMargin=22 * mm, bottomMargin=20 * mm, invariant=1,
    )
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return dest


# --------------------------------------------------------------------------- HTML

_HEAD = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} &ndash; Care Quality Commission</title>
<style>
  body {{ font-family: Georgia, serif; line-height: 1.5; }}
  nav.contents {{ border-bottom: 1px solid #999; }}
  figure {{ margin: 1rem 0; }}
  figcaption {{ font-weight: bold; }}
  table {{ border-collapse: collapse; }}
  th, td {{ border: 1px solid #bbb; padding: .2rem .5rem; }}
  dl.at-a-glance dt {{ font-weight: bold; }}
</style>
</head>
<body>
<div class="utility-bar"><a href="#content">Skip to content</a>
<form role="search" action="/search"><label>Search reports <input type="search" name="q"></label> <button type="submit">Go</button></form>
</div>
<nav class="contents" aria-label="Contents of this report">
<h2>Contents</h2>
<ul>
{toc}
</ul>
</nav>
<main id="content">
<article>
"""

_FOOT = """</article>
</main>
<footer>
<form action="/newsletter" method="post"><label>Get an email when we publish a new assessment <input type="email" name="email"></label> <button>Sign up</button></form>
<iframe title="Where {name} is" src="https://maps.example.invalid/embed?area={place}" width="320" height="240"></iframe>
<p>Fictional page for the cqc-kb blind evaluation (set 16) &ndash; Care Quality Commission &amp; partners.</p>
</footer>
</body>
</html>
"""


def _ent(s: str) -> str:
    return html.escape(s, quote=False).replace("£", "&pound;").replace("\u2013", "&ndash;")


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def render_html(text: str, dest: Path, authority: str) -> Path:
    blocks, _ = _blocks_with_tables(text)
    toc = "\n".join(f'<li><a href="#{_slug(str(p))}">{_ent(str(p))}</a></li>' for k, p in blocks if k == "h2")
    parts = [_HEAD.format(title=_ent(f"{authority}: local authority assessment"), toc=toc)]
    depth = 0
    scores: list[tuple[str, str]] = []
    caption: str | None = None
    labels = {"1": "Significant shortfalls", "2": "Some shortfalls", "3": "Good standard", "4": "Exceptional standard"}

    def close_to(level: int) -> None:
        nonlocal depth
        while depth > level:
            parts.append("</section>\n")
            depth -= 1

    for n, (kind, payload) in enumerate(blocks):
        nxt = blocks[n + 1][0] if n + 1 < len(blocks) else ""
        s = str(payload) if kind not in ("ul", "table") else ""
        if kind == "qs-name":
            scores.append((s, ""))
            continue
        if kind == "qs-score" and scores and not scores[-1][1]:
            scores[-1] = (scores[-1][0], s)
            if nxt != "qs-name":
                rows = "\n".join(f'<tr><th scope="row">{_ent(a)}</th><td>{_ent(b)}</td><td>{labels[b[-1]]}</td></tr>'
                                 for a, b in scores)
                parts.append('<table class="scores">\n<thead><tr><th scope="col">Quality statement</th>'
                             '<th scope="col">Score</th><th scope="col">Meaning</th></tr></thead>\n'
                             f"<tbody>\n{rows}\n</tbody>\n</table>\n")
            continue
        if kind == "h4" and nxt == "table" and s.startswith("Figure"):
            caption = s
            continue
        if kind == "table":
            head, *body = payload
            thead = "".join(f'<th scope="col">{_ent(c)}</th>' for c in head)
            trs = "\n".join("<tr>" + f'<th scope="row">{_ent(r[0])}</th>' + "".join(f"<td>{_ent(c)}</td>" for c in r[1:])
                            + "</tr>" for r in body)
            cap = f"<figcaption>{_ent(caption)}</figcaption>\n" if caption else ""
            parts.append(f"<figure>\n{cap}<table>\n<thead><tr>{thead}</tr></thead>\n<tbody>\n{trs}\n</tbody>\n</table>\n</figure>\n")
            caption = None
        elif kind == "h1":
            parts.append(f"<header>\n<h1>{_ent(s)}</h1>\n")
        elif kind == "notice":
            parts.append(f'<p class="notice"><em>{_ent(s)}</em></p>\n')
        elif kind == "published":
            when = datetime.strptime(s.split(":", 1)[1].strip(), "%d %B %Y").date().isoformat()
            parts.append(f'<p><time datetime="{when}">{_ent(s)}</time></p>\n</header>\n')
        elif kind == "h2":
            close_to(0)
            parts.append(f'<section id="{_slug(s)}">\n<h2>{_ent(s)}</h2>\n')
            depth = 1
        elif kind == "h3":
            close_to(1)
            parts.append(f'<section class="statement" id="{_slug(s)}">\n<h3>{_ent(s)}</h3>\n')
            depth = 2
        elif kind == "h4":
            parts.append(f"<h4>{_ent(s)}</h4>\n")
        elif kind == "ul" and all(": " in it for it in payload):
            items = "".join(f"<dt>{_ent(it.split(': ', 1)[0])}</dt><dd>{_ent(it.split(': ', 1)[1])}</dd>\n"
                            for it in payload)
            parts.append(f'<dl class="at-a-glance">\n{items}</dl>\n')
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
    dest.write_text("".join(parts) + _FOOT.format(name=authority, place=authority.split()[0].lower()),
                    encoding="utf-8")
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
