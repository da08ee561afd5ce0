"""Render the three blind-23 reports from their plain-text sources (deterministic).

* Scarrowby Borough Council -> reports/scarrowby.txt: plain text in the layout of
  corpus/stockton-on-tees.txt (leading blank lines, a Markdown link line under the title,
  "The Financial facts for **X** are:", the DHSC notice twice with a no-break-space line
  between). Paragraphs are NOT hard-wrapped; multi-line paragraphs (the "Figures at a glance"
  block of "label — value" lines) keep their line breaks. The source uses "per cent", en
  dashes, bracketed footnote markers and "Q: / A:" interview excerpts.
* Pellingham City Council -> reports/pellingham.pdf: A4, reportlab, one column. Two-line running
  header (council name, then "Local authority assessment – adult social care"), running footer
  "Page N of M", numbered paragraphs ("1.3 ...") whose number and short run-in heading are bold,
  the quality statement scores as a three-column table (statement, score, what the score means),
  and two data tables drawn from "|" rows in the source: waiting lists by service with a two-row
  header (the "People waiting at 31 March" cell spans the 2023/24 and 2024/25 columns) and
  measures by age group (18-64, 65+). No hyphenation, so expected strings survive extraction.
* Wrenfold County Council -> reports/wrenfold.html: semantic page: site <header>, <nav> table of
  contents and a feedback <form> outside <main>; inside <main> an <article> of <section>s with
  h2/h3 headings, the scores in a <table> with <th scope="row">, data tables with <caption>,
  <thead>, <tbody> and a <tfoot> total row, "Term: value" blocks as <dl>, quotes from people as
  <figure><blockquote> with a <figcaption>, dates in <time datetime>, an inline <style>.

The paragraph classifier is the project's fixture builder's (tests/fixtures/build_fixtures.py,
imported); tables, definition lists and quotes are taken out of the text before it runs and put
back by placeholder.

    python eval/blind23/build_reports.py
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "reports"
MAIN = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(MAIN / "tests" / "fixtures"))

import build_fixtures  # noqa: E402

REPORTS = (
    # (source, output, format, authority)
    ("scarrowby.source.txt", "scarrowby.txt", "txt", "Scarrowby Borough Council"),
    ("pellingham.source.txt", "pellingham.pdf", "pdf", "Pellingham City Council"),
    ("wrenfold.source.txt", "wrenfold.html", "html", "Wrenfold County Council"),
)

DHSC = ("This data is reproduced at the request of the Department of Health and Social Care. "
        "It has not been factored into our assessment and is presented for information purposes only.")

_LABELS = {
    "1": "1 - Evidence shows significant shortfalls",
    "2": "2 - Evidence shows some shortfalls",
    "3": "3 - Evidence shows a good standard",
    "4": "4 - Evidence shows an exceptional standard",
}


# --------------------------------------------------------------------------- shared

def _paras(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def _is_table(para: str) -> bool:
    lines = para.splitlines()
    return len(lines) >= 3 and all(ln.startswith("|") for ln in lines[1:])


def _is_dl(para: str) -> bool:
    lines = para.splitlines()
    return len(lines) >= 2 and all(": " in ln and not ln.startswith(("- ", "|")) for ln in lines)


def _is_quote(para: str) -> bool:
    return para.startswith('"') and "\u201d" not in para and '" \u2013 ' in para


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _extract(text: str) -> tuple[str, dict[str, tuple[str, str]]]:
    """Replace tables, definition lists and quotes by placeholder paragraphs."""
    special: dict[str, tuple[str, str]] = {}
    out: list[str] = []
    for para in _paras(text):
        kind = "table" if _is_table(para) else "dl" if _is_dl(para) else "quote" if _is_quote(para) else ""
        if kind:
            key = f"@@SPECIAL {len(special)}@@"
            special[key] = (kind, para)
            out.append(key)
        else:
            out.append(para)
    return "\n\n".join(out), special


def _date_iso(s: str) -> str:
    months = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]
    d, m, y = s.split()
    return f"{y}-{months.index(m) + 1:02d}-{int(d):02d}"


# --------------------------------------------------------------------------- plain text

def render_txt(text: str, dest: Path, authority: str) -> Path:
    out: list[str] = ["", ""]
    in_finance = False
    for i, para in enumerate(_paras(text)):
        if para == "Financial facts":
            in_finance = True
            out.append(para)
            out.append(f"The Financial facts for **{authority}** are:")
            continue
        if para == DHSC and in_finance:
            in_finance = False
            out.extend([para, "\u00a0", para])
            continue
        out.append(para)
        if i == 0:
            out.append("[How we assess local authorities](#)")
    dest.write_text("\n\n".join(out) + "\n", encoding="utf-8")
    return dest


# --------------------------------------------------------------------------- PDF

_RUN_IN = re.compile(r"^(\d+\.\d+) (?:((?:[A-Z][\w'-]*)(?: [\w'-]+){0,3}\.) )?")


def render_pdf(text: str, dest: Path, authority: str) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas as rl_canvas
    from reportlab.platypus import (ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table,
                                    TableStyle)

    base = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=base["BodyText"], fontName="Helvetica", fontSize=10,
                          leading=14, spaceAfter=7, alignment=TA_LEFT, hyphenationLang="",
                          embeddedHyphenation=0, uriWasteReduce=0)
    navy = colors.HexColor("#0b3d5c")
    styles = {
        "h1": ParagraphStyle("H1", parent=body, fontName="Times-Bold", fontSize=24, leading=28,
                             spaceAfter=16, textColor=navy),
        "h2": ParagraphStyle("H2", parent=body, fontName="Times-Bold", fontSize=17, leading=21,
                             spaceBefore=16, spaceAfter=8, textColor=navy),
        "h3": ParagraphStyle("H3", parent=body, fontName="Times-Bold", fontSize=14, leading=17,
                             spaceBefore=12, spaceAfter=5),
        "h4": ParagraphStyle("H4", parent=body, fontName="Helvetica-Oblique", fontSize=10.5,
                             leading=14, spaceBefore=6, spaceAfter=3, textColor=navy),
        "rating": ParagraphStyle("Rating", parent=body, fontName="Times-Bold", fontSize=16, leading=20,
                                 textColor=colors.HexColor("#9b1c1c")),
        "notice": ParagraphStyle("Notice", parent=body, fontName="Helvetica-Oblique", fontSize=8.5),
        "label": ParagraphStyle("Label", parent=body, fontName="Helvetica-Oblique"),
        "qs-score": ParagraphStyle("QSScore", parent=body, fontName="Helvetica-Bold"),
        "caption": ParagraphStyle("Caption", parent=body, fontName="Helvetica-Bold", fontSize=9.5,
                                  spaceBefore=4, spaceAfter=3),
        "cell": ParagraphStyle("Cell", parent=body, fontSize=9.5, leading=12, spaceAfter=0),
    }

    def esc(s: str) -> str:
        return html.escape(s, quote=False)

    def data_table(para: str) -> list:
        lines = para.splitlines()
        caption, rows = lines[0], [_cells(ln) for ln in lines[1:]]
        n_head = next(i for i, r in enumerate(rows) if any(ch.isdigit() for ch in "".join(r[1:])) and r[0])
        width = 160 * mm
        first = 80 * mm if len(rows[0]) == 3 else 70 * mm
        cols = [first] + [(width - first) / (len(rows[0]) - 1)] * (len(rows[0]) - 1)
        data = [[Paragraph(esc(c), styles["cell"]) for c in r] for r in rows]
        style = [
            ("FONT", (0, 0), (-1, n_head - 1), "Helvetica-Bold", 9.5),
            ("BACKGROUND", (0, 0), (-1, n_head - 1), colors.HexColor("#dbe8f0")),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#7f9fb3")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
        for r, row in enumerate(rows[:n_head]):
            data[r] = [Paragraph(f"<b>{esc(c)}</b>", styles["cell"]) for c in row]
            if r == 0 and n_head == 2:
                style.append(("SPAN", (1, 0), (-1, 0)))
                style.append(("SPAN", (0, 0), (0, 1)))
        table = Table(data, colWidths=cols, hAlign="LEFT")
        table.setStyle(TableStyle(style))
        return [Paragraph(esc(caption), styles["caption"]), table, Spacer(1, 8)]

    plain, special = _extract(text)
    blocks = build_fixtures._blocks(plain)
    story: list = []
    scores: list[list[str]] = []
    for n, (kind, payload) in enumerate(blocks):
        s = str(payload) if kind != "ul" else ""
        if kind == "qs-name":
            scores.append([s, ""])
            continue
        if kind == "qs-score" and scores and not scores[-1][1]:
            scores[-1][1] = s
            if n + 1 < len(blocks) and blocks[n + 1][0] != "qs-name":
                rows = [["Quality statement", "Score", "What the score means"]]
                rows += [[a, b, _LABELS[b.split()[-1]]] for a, b in scores]
                table = Table([[Paragraph(esc(c), styles["cell"]) for c in r] for r in rows],
                              colWidths=[70 * mm, 22 * mm, 68 * mm], hAlign="LEFT")
                table.setStyle(TableStyle([
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dbe8f0")),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#7f9fb3")),
                    ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]))
                story.append(table)
            continue
        if s in special:
            story.extend(data_table(special[s][1]))
        elif kind == "ul":
            items = [ListItem(Paragraph(esc(it), body), leftIndent=12) for it in payload]
            story.append(ListFlowable(items, bulletType="bullet", start="\u2013", leftIndent=12))
        elif kind == "p" and _RUN_IN.match(s):
            m = _RUN_IN.match(s)
            head = m.group(1) + (" " + m.group(2) if m.group(2) else "")
            story.append(Paragraph(f"<b>{esc(head)}</b> {esc(s[m.end():])}", body))
        else:
            story.append(Paragraph(esc(s), styles.get(kind, body)))

    class NumberedCanvas(rl_canvas.Canvas):
        """Draws 'Page N of M' once the page count is known."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved: list[dict] = []

        def showPage(self):
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self.setFont("Helvetica", 8)
                self.setFillColor(navy)
                self.drawString(22 * mm, A4[1] - 12 * mm, authority)
                self.drawString(22 * mm, A4[1] - 16 * mm, "Local authority assessment \u2013 adult social care")
                self.line(22 * mm, A4[1] - 18 * mm, A4[0] - 22 * mm, A4[1] - 18 * mm)
                self.line(22 * mm, 15 * mm, A4[0] - 22 * mm, 15 * mm)
                self.drawString(22 * mm, 10 * mm, "Care Quality Commission (fictional test report)")
                self.drawRightString(A4[0] - 22 * mm, 10 * mm, f"Page {self._pageNumber} of {total}")
                super().showPage()
            super().save()

    doc = SimpleDocTemplate(
        str(dest), pagesize=A4, title=f"{authority}: local authority assessment",
        author="Care Quality Commission (fictional)", subject="Blind evaluation report, cqc-kb set 23",
        leftMargin=22 * mm, rightMargin=22 * mm, topMargin=26 * mm, bottomMargin=22 * mm, invariant=1,
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
  body {{ font-family: Arial, sans-serif; max-width: 60rem; margin: auto; }}
  table {{ border-collapse: collapse; }} th, td {{ border: 1px solid #999; padding: .3em .6em; }}
  figure.quote blockquote {{ font-style: italic; }} .score {{ font-weight: bold; }}
</style>
</head>
<body>
<header class="site"><p><a href="/">Care Quality Commission</a> &ndash; local authority assessments</p>
<form class="site-search" action="/search"><label>Search <input name="q"></label> <button>Go</button></form></header>
<nav aria-label="Contents"><h2>On this page</h2><ol>{toc}</ol></nav>
<main>
<article>
"""

_FOOT = """</article>
</main>
<footer class="site">
<form class="feedback" action="/feedback"><p>Was this page useful? How long did it take you to find what you needed?</p>
<label><input type="radio" name="useful" value="yes"> Yes</label> <label><input type="radio" name="useful" value="no"> No</label>
<button>Send feedback</button></form>
<iframe title="Sign up to email updates" src="/newsletter" width="300" height="80"></iframe>
<p>&copy; Care Quality Commission 2025 &ndash; fictional page for the cqc-kb blind evaluation (set 23).</p>
</footer>
</body>
</html>
"""

_DATE = re.compile(r"\b(\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|"
                   r"November|December) 20\d\d)\b")


def _inline(s: str) -> str:
    """Escape, use &pound; and &ndash; entities, and mark dates up as <time>."""
    e = html.escape(s, quote=False).replace("\u00a3", "&pound;").replace("\u2013", "&ndash;")
    return _DATE.sub(lambda m: f'<time datetime="{_date_iso(m.group(1))}">{m.group(1)}</time>', e)


def _html_table(para: str) -> str:
    lines = para.splitlines()
    caption, rows = lines[0], [_cells(ln) for ln in lines[1:]]
    head, body = rows[0], rows[1:]
    foot = body.pop() if body and body[-1][0].startswith(("All ", "Total")) else None
    out = [f'<table class="data">\n<caption>{_inline(caption)}</caption>\n<thead><tr>'
           + "".join(f'<th scope="col">{_inline(c)}</th>' for c in head) + "</tr></thead>\n<tbody>\n"]
    for r in body:
        out.append(f'<tr><th scope="row">{_inline(r[0])}</th>' + "".join(f"<td>{_inline(c)}</td>" for c in r[1:])
                   + "</tr>\n")
    out.append("</tbody>\n")
    if foot:
        out.append(f'<tfoot><tr><th scope="row">{_inline(foot[0])}</th>'
                   + "".join(f"<td>{_inline(c)}</td>" for c in foot[1:]) + "</tr></tfoot>\n")
    out.append("</table>\n")
    return "".join(out)


def _html_dl(para: str) -> str:
    items = [ln.split(": ", 1) for ln in para.splitlines()]
    return '<dl class="key-facts">\n' + "".join(f"<dt>{_inline(t)}</dt><dd>{_inline(d)}</dd>\n" for t, d in items) \
        + "</dl>\n"


def _html_quote(para: str) -> str:
    quote, who = para.rsplit(" \u2013 ", 1)
    return (f'<figure class="quote"><blockquote><p>{_inline(quote)}</p></blockquote>'
            f"<figcaption>&ndash; {_inline(who)}</figcaption></figure>\n")


def render_html(text: str, dest: Path, authority: str) -> Path:
    plain, special = _extract(text)
    blocks = build_fixtures._blocks(plain)
    parts: list[str] = []
    toc: list[str] = []
    scores: list[tuple[str, str]] = []
    depth = 0  # 0: none open, 1: a section (h2) open, 2: a statement section (h3) inside it open
    sec_n = 0

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
                rows = "".join(f'<tr><th scope="row">{_inline(a)}</th><td>{_inline(b)}</td></tr>\n' for a, b in scores)
                parts.append('<table class="scores">\n<thead><tr><th scope="col">Quality statement</th>'
                             f'<th scope="col">Score</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n')
            continue
        if s in special:
            k, para = special[s]
            parts.append({"table": _html_table, "dl": _html_dl, "quote": _html_quote}[k](para))
        elif kind == "h1":
            parts.append(f"<h1>{_inline(s)}</h1>\n")
        elif kind == "notice":
            parts.append(f'<p class="notice"><strong>{_inline(s)}</strong></p>\n')
        elif kind == "published":
            label, date = s.split(": ", 1)
            parts.append(f'<p class="published">{_inline(label)}: <time datetime="{_date_iso(date)}">{date}</time></p>\n')
        elif kind == "h2":
            close(0)
            sec_n += 1
            parts.append(f'<section id="s{sec_n}">\n<h2>{_inline(s)}</h2>\n')
            toc.append(f'<li><a href="#s{sec_n}">{_inline(s)}</a></li>')
            depth = 1
        elif kind == "h3":
            close(1)
            parts.append(f'<section class="statement">\n<h3>{_inline(s)}</h3>\n')
            depth = 2
        elif kind == "h4":
            parts.append(f"<h4>{_inline(s)}</h4>\n" if depth == 2 else f"<h3>{_inline(s)}</h3>\n")
        elif kind == "ul":
            parts.append("<ul>" + "".join(f"<li>{_inline(it)}</li>" for it in payload) + "</ul>\n")
        elif kind == "rating":
            parts.append(f'<p class="rating"><strong>{_inline(s)}</strong></p>\n')
        elif kind == "qs-score":
            parts.append(f'<p class="score">{_inline(s)}</p>\n')
        elif kind == "label":
            parts.append(f'<p class="score-label">{_inline(s)}</p>\n')
        else:
            parts.append(f"<p>{_inline(s)}</p>\n")
    close(0)
    title = f"{authority}: local authority assessment"
    head = _HEAD.format(title=html.escape(title), toc="".join(toc))
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
