"""Render the three blind-26 reports from their plain-text sources (deterministic).

* Marlowby Borough Council -> reports/marlowby.txt: Markdown-ish plain text: ``#`` title,
  ``##`` parts and themes, ``###`` quality statements (sub-headings stay plain lines), every
  paragraph hard-wrapped at 79 columns with a blank line between paragraphs (bullets get a
  two-space hanging indent), and the "at a glance" key figures as a Markdown pipe table
  (``| Measure | Value |`` with a ``|---|---|`` rule).
* Ellerscar City Council -> reports/ellerscar.pdf: A4, reportlab, single column; a cover page
  holding only the title and the publication date; the page number at the TOP of every later
  page, centred, as "- N -" (no running header or footer otherwise); headings in larger
  non-bold Helvetica; body paragraphs line-broken by this script, which splits a few long words
  across line ends with a hyphen ("assess-" / "ment"); Table 1 (waits by locality) is a
  reportlab table that runs across a page break with its header row repeated; paragraphs and
  sentences run across page breaks.
* Wendlestow County Council -> reports/wendlestow.html: old-style "div soup": HTML 4.01
  doctype, no <main>, <article>, <section>, <header>, <nav> or <footer>; a cookie banner <div>
  and <script>s holding text-like strings (a decoy count and maximum wait); layout <table>s for
  the banner (with a search <form>) and breadcrumb above the content, for the footer below it,
  and for the "in figures" box (one cell, its lines <br>-separated in one <div>); the report in
  one <div id="content"> (not inside a layout table cell: see README, "Parser observations");
  an element hidden with style="display:none" holding a decoy median wait; the title in
  <font size="5"><b>; headings as real <h2>/<h3> for some parts and <p class="h2"><b>...</b></p>
  / <p class="h3"><b>...</b></p> for the others; the key findings of Theme 1's statements as
  one <div> each with <br>-separated lines (sub-headings in <b>); figures wrapped in
  <font>/<span> (a no-break space before "days"); the waiting times as a data table with
  rowspan="2" service cells; entities (&nbsp; &rsquo; &pound; &#8211;).

The paragraph classifier is the project's fixture builder's (tests/fixtures/build_fixtures.py,
imported from the repository). Uses only the standard library and reportlab.

    python build_reports.py
"""

from __future__ import annotations

import html
import re
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "reports"
#: The repository: two folders up once the set is in eval/, else the lead's checkout.
MAIN = HERE.parents[1] if (HERE.parents[1] / "tests" / "fixtures" / "build_fixtures.py").exists() else Path("/work/main")
sys.path.insert(0, str(MAIN / "tests" / "fixtures"))

import build_fixtures  # noqa: E402

REPORTS = (
    # (source, output, format, authority)
    ("marlowby.source.txt", "marlowby.txt", "txt", "Marlowby Borough Council"),
    ("ellerscar.source.txt", "ellerscar.pdf", "pdf", "Ellerscar City Council"),
    ("wendlestow.source.txt", "wendlestow.html", "html", "Wendlestow County Council"),
)


def blocks(text: str) -> list[tuple[str, object]]:
    """The fixture builder's classification, plus "table" for a paragraph of pipe-table rows
    (payload: list of rows, each a list of cells; a |---| rule row is dropped)."""
    paras = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    tables = [[[c.strip() for c in ln.strip().strip("|").split("|")] for ln in p.splitlines()
               if not re.fullmatch(r"\|[-|\s]+\|", ln.strip())]
              for p in paras if p.startswith("| ")]
    out: list[tuple[str, object]] = []
    for kind, payload in build_fixtures._blocks(text):
        if kind == "p" and str(payload).startswith("| "):
            out.append(("table", tables.pop(0)))
        else:
            out.append((kind, payload))
    assert not tables
    return out


# --------------------------------------------------------------------------- plain text

def render_txt(text: str, dest: Path) -> Path:
    paras = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    kinds = build_fixtures._blocks(text)
    assert len(kinds) == len(paras)
    out: list[str] = []
    for (kind, _), para in zip(kinds, paras):
        lines = para.splitlines()
        if kind == "h1":
            out.append("# " + para)
        elif kind == "h2":
            out.append("## " + para)
        elif kind == "h3":
            out.append("### " + para)
        elif para.startswith("| "):
            out.append(para)  # the pipe table, a row a line
        elif kind == "ul":
            out.append("\n".join(textwrap.fill(ln, width=79, subsequent_indent="  ", break_long_words=False,
                                               break_on_hyphens=False) for ln in lines))
        else:
            out.append(textwrap.fill(" ".join(lines), width=79, break_long_words=False, break_on_hyphens=False))
    dest.write_text("\n\n".join(out) + "\n", encoding="utf-8")
    return dest


# --------------------------------------------------------------------------- PDF

#: Words this script may split at a line end, and where.
HYPHENATE = {
    "residents": "resi|dents", "arranging": "arrang|ing", "longest": "long|est",
    "reablement": "reable|ment", "assessment": "assess|ment", "Disabled": "Dis|abled",
    "assistants": "assis|tants", "waiting": "wait|ing", "birthday": "birth|day",
    "performance": "perfor|mance", "inequality": "inequal|ity", "Government": "Govern|ment",
    "occupational": "occu|pational", "safeguarding": "safe|guarding",
}
#: How many splits the whole report may have ("a few").
HYPHEN_BUDGET = 7


def render_pdf(text: str, dest: Path, authority: str, leading: float = 13.6, bottom: float = 20) -> Path:
    """The PDF; ``leading`` is the body text's line spacing and ``bottom`` the bottom margin in mm
    (both chosen by :func:`build_pdf` so that Table 1 and some sentences run across page breaks)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import (ListFlowable, ListItem, PageBreak, Paragraph, SimpleDocTemplate, Spacer,
                                    Table, TableStyle)

    body = ParagraphStyle("Body", fontName="Helvetica", fontSize=10, leading=leading, spaceAfter=7)
    navy = colors.HexColor("#1f3864")
    styles = {
        "cover": ParagraphStyle("Cover", parent=body, fontName="Helvetica", fontSize=26, leading=32,
                                textColor=navy, spaceBefore=180, spaceAfter=30),
        "cover-date": ParagraphStyle("CoverDate", parent=body, fontName="Helvetica", fontSize=13, leading=17),
        "h2": ParagraphStyle("H2", parent=body, fontName="Helvetica", fontSize=16.5, leading=21,
                             spaceBefore=14, spaceAfter=7, textColor=navy),
        "h3": ParagraphStyle("H3", parent=body, fontName="Helvetica", fontSize=13.5, leading=17,
                             spaceBefore=11, spaceAfter=5, textColor=navy),
        "h4": ParagraphStyle("H4", parent=body, fontName="Helvetica", fontSize=11.5, leading=15,
                             spaceBefore=5, spaceAfter=3),
        "rating": ParagraphStyle("Rating", parent=body, fontName="Helvetica", fontSize=15, leading=19),
        "notice": ParagraphStyle("Notice", parent=body, fontName="Helvetica-Oblique", fontSize=9),
        "cell": ParagraphStyle("Cell", parent=body, spaceAfter=0, leading=12.5),
    }
    left = right = 24 * mm
    width = A4[0] - left - right - 12  # the frame's padding
    budget = [HYPHEN_BUDGET]

    def esc(s: str) -> str:
        return html.escape(s, quote=False)

    def wrap(s: str, style: ParagraphStyle, avail: float) -> str:
        """Greedy line breaks (joined with <br/>), splitting a word of HYPHENATE when it would
        start the next line and its first part fits."""
        def w(x: str) -> float:
            return stringWidth(x, style.fontName, style.fontSize)

        lines: list[str] = []
        cur = ""
        for word in s.split():
            trial = f"{cur} {word}" if cur else word
            if w(trial) <= avail:
                cur = trial
                continue
            core = word.rstrip(".,;:)")
            if budget[0] > 0 and core in HYPHENATE and cur:
                head, tail = HYPHENATE[core].split("|")
                if w(f"{cur} {head}-") <= avail:
                    budget[0] -= 1
                    lines.append(f"{cur} {head}-")
                    cur = tail + word[len(core):]
                    continue
            lines.append(cur)
            cur = word
        lines.append(cur)
        return "<br/>".join(esc(ln) for ln in lines)

    story: list = []
    kinds = blocks(text)
    notice = None
    for n, (kind, payload) in enumerate(kinds):
        s = str(payload) if kind not in ("ul", "table") else ""
        if kind == "notice":  # not on the cover: first thing after it
            notice = Paragraph(esc(s), styles["notice"])
        elif kind == "h1":
            story.append(Paragraph(esc(s), styles["cover"]))
        elif kind == "published":
            story.append(Paragraph(esc(s), styles["cover-date"]))
            story.append(PageBreak())
            story.append(notice)
        elif kind == "table":
            rows = [[Paragraph(esc(c), styles["cell"]) for c in r] for r in payload]
            table = Table(rows, colWidths=[32 * mm, 52 * mm, 34 * mm, 32 * mm], repeatRows=1)
            table.setStyle(TableStyle([
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dbe3f0")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#8a9bb8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]))
            story.append(table)
            story.append(Spacer(1, 9))
        elif kind == "ul":
            items = [ListItem(Paragraph(wrap(it, body, width - 30), body), leftIndent=14) for it in payload]
            story.append(ListFlowable(items, bulletType="bullet", start="\u2022", leftIndent=14))
        elif kind in styles:
            story.append(Paragraph(esc(s), styles[kind]))
        elif kind == "h1":
            pass
        else:  # p, qs-name, qs-score, label: body text, broken into lines here
            story.append(Paragraph(wrap(s, body, width - 1), body))
    assert HYPHEN_BUDGET - budget[0] >= 4, f"only {HYPHEN_BUDGET - budget[0]} hyphenations placed"

    def page_number(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 9)
        canvas.drawCentredString(A4[0] / 2, A4[1] - 14 * mm, f"- {document.page} -")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(dest), pagesize=A4, title=f"{authority}: local authority assessment",
        author="Care Quality Commission (fictional)", subject="Blind evaluation report, cqc-kb set 26",
        leftMargin=left, rightMargin=right, topMargin=24 * mm, bottomMargin=bottom * mm, invariant=1,
    )
    doc.build(story, onFirstPage=lambda c, d: None, onLaterPages=page_number)
    return dest


# --------------------------------------------------------------------------- HTML

def ent(s: str) -> str:
    """Escape, then spell characters as entities as old CMS output does."""
    return (html.escape(s, quote=False).replace("£", "&pound;").replace("\u2013", "&#8211;")
            .replace("'", "&rsquo;"))


#: Figures wrapped in <font>/<span>: a whole token (with its £ or % or unit word) between spaces.
_FIG = re.compile(r"(?<![\w,.;&#/])((?:&pound;)?\d(?:[\d,]*\d)?(?:\.\d+)?(?:%| per cent| days)?)(?![\w/])")


def figs(s: str, n: int) -> str:
    """``s`` escaped, every figure wrapped in a <span> (or, in every third paragraph, a
    <font>); the space between a figure and "days" is a no-break space."""
    def wrap(m: re.Match) -> str:
        fig = m.group(1).replace(" days", "&nbsp;days")
        if n % 3 == 0:
            return f'<font color="#7a1f5c">{fig}</font>'
        return f'<span class="fig">{fig}</span>'
    return _FIG.sub(wrap, ent(s))


_HTML_HEAD = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{title} | CQC</title>
<link rel="stylesheet" type="text/css" href="/css/site.css">
<style type="text/css">
  body {{ font-family: Verdana, Arial, sans-serif; font-size: 12px; margin: 0; }}
  .h2 {{ font-size: 17px; color: #7a1f5c; margin-top: 18px; }}
  .h3 {{ font-size: 14px; color: #7a1f5c; }}
  .fig {{ font-weight: bold; }}
  #cookiebar {{ background: #333; color: #fff; padding: 8px; }}
</style>
<script type="text/javascript">
  var pageMeta = {{ section: "adult social care", updated: "12 August 2025" }};
  var shareText = "Around 5,000 people are waiting for a Care Act assessment in Wendlestow. The maximum wait was 400 days.";
  function acceptCookies() {{ document.getElementById('cookiebar').style.display = 'none'; }}
</script>
</head>
<body bgcolor="#ffffff" leftmargin="0" topmargin="0">
<div id="cookiebar">This website uses cookies to remember your settings and to count how many people visit each page.
We would like your permission to set optional analytics cookies. <a href="#" onclick="acceptCookies()">Accept all cookies</a> | <a href="/cookies">Cookie settings</a></div>
<table width="100%" border="0" cellpadding="0" cellspacing="0">
<tr><td class="banner" bgcolor="#7a1f5c"><font color="#ffffff" size="4"><b>Care Quality Commission</b></font>&nbsp;&nbsp;<font color="#ffffff" size="2">Local authority assessments &#8211; adult social care</font></td>
<td align="right" bgcolor="#7a1f5c"><form action="/search" method="get"><input type="text" name="q" size="18"> <input type="submit" value="Search"></form></td></tr>
<tr><td colspan="2" class="menu" bgcolor="#f3e9ef"><font size="2"><a href="/">Home</a> &gt; <a href="/la">Local authority assessments</a> &gt; <a href="/la/south-west">South West</a> &gt; Wendlestow</font></td></tr>
</table>
<div id="content">
"""

_HTML_FOOT = """</div>
<table width="100%" border="0" cellpadding="4" cellspacing="0" class="footer">
<tr><td><font size="1">&copy; Care Quality Commission 2025 &#8211; fictional page for the cqc-kb blind evaluation (set 26).</font></td>
<td align="right"><font size="1"><a href="/privacy">Privacy</a> | <a href="/accessibility">Accessibility</a> | Tel. 03000 616161</font></td></tr>
</table>
<script type="text/javascript">
  document.write('<div class="printnote">Printed from the CQC website</div>');
</script>
</body>
</html>
"""

#: The hidden element placed after the first paragraph on Care Act waits (a stale draft figure).
_HIDDEN = ('<div class="draft-note" style="display:none">Draft figure, not for publication: the median '
           'wait for a Care Act assessment was <span class="fig">61</span> days.</div>\n')

#: h2 parts written as real <h2> (the others as <p class="h2"><b>).
_REAL_H2 = ("About ", "Overall summary", "Theme 1:", "Theme 3:", "Summary of people")
#: Statements written as real <h3> (the others as <p class="h3"><b>).
_REAL_H3 = ("Care provision, integration and continuity", "Safeguarding", "Learning, improvement and innovation")


def render_html(text: str, dest: Path, authority: str) -> Path:
    parts = [_HTML_HEAD.format(title=ent(f"{authority}: local authority assessment"))]
    kinds = blocks(text)
    theme = 0
    in_div = False  # inside a <br>-joined findings <div>
    first_in_div = True
    hidden_done = False

    def close_div() -> None:
        nonlocal in_div
        if in_div:
            parts.append("\n</div>\n")
            in_div = False

    for n, (kind, payload) in enumerate(kinds):
        s = str(payload) if kind not in ("ul", "table") else ""
        if kind in ("h1", "h2", "h3") or (kind == "h4" and s in ("What people expect",)):
            close_div()
        if kind == "h1":
            parts.append(f'<p class="title"><font size="5"><b>{ent(s)}</b></font></p>\n')
        elif kind == "notice":
            parts.append(f'<div class="notice"><i>{ent(s)}</i></div>\n')
        elif kind == "published":
            parts.append(f'<div class="pubdate">{ent(s)}</div>\n')
        elif kind == "h2":
            theme = int(s.split()[1].rstrip(":")) if s.startswith("Theme ") else theme
            if s.startswith(_REAL_H2):
                parts.append(f"<h2>{ent(s)}</h2>\n")
            else:
                parts.append(f'<p class="h2"><b>{ent(s)}</b></p>\n')
        elif kind == "h3":
            if s in _REAL_H3:
                parts.append(f"<h3>{ent(s)}</h3>\n")
            else:
                parts.append(f'<p class="h3"><b>{ent(s)}</b></p>\n')
        elif kind in ("qs-name", "qs-score"):
            parts.append(f'<div class="qs">{ent(s)}</div>\n')
        elif kind == "rating":
            parts.append(f'<p><font size="4"><b>{ent(s)}</b></font></p>\n')
        elif kind == "label":
            parts.append(f'<p><i>{ent(s)}</i></p>\n')
        elif kind == "table":
            rows = payload
            out = ['<table border="1" cellpadding="4" cellspacing="0" class="data">\n',
                   "<tr>" + "".join(f'<td bgcolor="#eeeeee"><b>{ent(c)}</b></td>' for c in rows[0]) + "</tr>\n"]
            body = rows[1:]
            for i, r in enumerate(body):
                first = ""
                if i == 0 or body[i - 1][0] != r[0]:
                    run = 0
                    for x in body[i:]:
                        if x[0] != r[0]:
                            break
                        run += 1
                    first = f'<td rowspan="{run}" valign="top">{ent(r[0])}</td>' if run > 1 else f"<td>{ent(r[0])}</td>"
                out.append("<tr>" + first + "".join(f"<td>{figs(c, 1)}</td>" for c in r[1:]) + "</tr>\n")
            out.append("</table>\n")
            parts.append("".join(out))
        elif kind == "ul":
            if s == "" and all(":" in it for it in payload) and len(payload) == 4 and "Residents" in payload[0]:
                parts.append('<table align="right" width="230" border="0" cellpadding="6" cellspacing="0">'
                             '<tr><td bgcolor="#f3e9ef"><div class="keyfacts">'
                             + "<br>\n".join(figs(it, 1) for it in payload) + "</div></td></tr></table>\n")
            else:
                parts.append("<ul>\n" + "".join(f"<li>{figs(it, n)}</li>\n" for it in payload) + "</ul>\n")
        elif kind == "h4":
            if theme == 1 and s not in ("What people expect", "The local authority commitment"):
                if not in_div:
                    parts.append('<div class="findings">\n')
                    in_div = True
                else:
                    parts.append("<br><br>\n")
                parts.append(f"<b>{ent(s)}</b>")
                first_in_div = True
            else:
                close_div()
                parts.append(f'<p><b>{ent(s)}</b></p>\n')
        else:  # paragraph
            if in_div:
                parts.append(("<br>\n" if first_in_div else "<br><br>\n") + figs(s, n))
                first_in_div = False
            else:
                parts.append(f"<p>{figs(s, n)}</p>\n")
            if not hidden_done and "median wait for a Care Act assessment" in s:
                parts.append(("\n" + _HIDDEN.rstrip("\n")) if in_div else _HIDDEN)
                hidden_done = True
    close_div()
    assert hidden_done
    dest.write_text("".join(parts) + _HTML_FOOT, encoding="utf-8")
    return dest


def build_pdf(text: str, dest: Path, authority: str) -> Path:
    """Render with the first bottom margin (20 to 28 mm) and body leading (13.0 to 15.0 points,
    in steps of 0.1) that make Table 1 run across a page break, with at least three body rows
    before it and six after it, and leave at least two pages starting in the middle of a
    sentence."""
    import pypdf

    for bottom in range(20, 29, 2):
        for step in range(21):
            leading = round(13.0 + 0.1 * step, 2)
            render_pdf(text, dest, authority, leading, bottom)
            pages = [p.extract_text() for p in pypdf.PdfReader(str(dest)).pages]
            with_table = [p for p in pages if "Longest wait" in p]
            rows = [sum(1 for ln in p.splitlines() if re.fullmatch(r"\d+ weeks", ln.strip())) for p in with_table]
            mid_sentence = sum(1 for p in pages[2:] if p.splitlines()[1][:1].islower())
            if len(rows) == 2 and rows[0] >= 3 and rows[1] >= 6 and mid_sentence >= 2:
                print(f"  bottom margin {bottom} mm, leading {leading}: Table 1 rows {rows}, "
                      f"{mid_sentence} pages start mid-sentence")
                return dest
    raise RuntimeError("no layout puts Table 1 and two sentences across page breaks")


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for source, output, fmt, authority in REPORTS:
        text = (OUT / source).read_text(encoding="utf-8")
        if fmt == "txt":
            render_txt(text, OUT / output)
        elif fmt == "pdf":
            build_pdf(text, OUT / output, authority)
        else:
            render_html(text, OUT / output, authority)
        print(OUT / output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
