"""Render the three blind-5 reports from their plain-text sources (deterministic).

* Callowmere Borough Council -> reports/callowmere.txt: plain text as a report copied off the
  CQC website looks (the layout of corpus/stockton-on-tees.txt: a Markdown link line under the
  title, **bold** figures in the financial facts, the DHSC notice twice with a no-break-space
  line between), but with its paragraphs hard-wrapped at 76 columns (list items with a two-space
  hanging indent; headings stay on one line). The real file keeps each paragraph on one line.
* Ravensholt City Council -> reports/ravensholt.pdf: A4, reportlab; the quality statement scores
  as a two-column table on a page of their own, each theme from a new page, two heading levels
  below the themes (statement, then key-finding sub-heading), the running header carrying the
  page number ("Ravensholt City Council | Local authority assessment | Page N") and no footer.
  No hyphenation, so every expected string survives text extraction.
* Amberleigh County Council -> reports/amberleigh.html: a div-based page; cookie banner, site
  header and navigation outside <main>; the scores as a <table>; each quality statement in a
  <details>/<summary> accordion; a <script> with text inside <main>.

The paragraph classifier is the project's fixture builder's (tests/fixtures/build_fixtures.py,
imported); everything else is this script's own.

    python eval/blind5/build_reports.py
"""

from __future__ import annotations

import html
import re
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "reports"
MAIN = HERE.parents[1]
sys.path.insert(0, str(MAIN / "tests" / "fixtures"))

import build_fixtures  # noqa: E402

REPORTS = (
    # (source, output, format, authority)
    ("callowmere.source.txt", "callowmere.txt", "txt", "Callowmere Borough Council"),
    ("ravensholt.source.txt", "ravensholt.pdf", "pdf", "Ravensholt City Council"),
    ("amberleigh.source.txt", "amberleigh.html", "html", "Amberleigh County Council"),
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
            items = [_MONEY.sub(r"**\1**", ln[2:]) for ln in lines]
            out.append("\n".join(textwrap.fill(it, 76, initial_indent="- ", subsequent_indent="  ",
                                               break_on_hyphens=False, break_long_words=False)
                                 for it in items))
            continue
        if para == DHSC:
            in_finance = False
            out.append(textwrap.fill(para, 76, break_on_hyphens=False, break_long_words=False))
            out.append("\u00a0")  # the real file has a line holding only a no-break space here
        if all(ln.startswith("- ") for ln in lines):
            out.append("\n".join(textwrap.fill(ln[2:], 76, initial_indent="- ", subsequent_indent="  ",
                                               break_on_hyphens=False, break_long_words=False)
                                 for ln in lines))
        elif len(lines) == 1 and len(para) < 100 and not para.endswith((".", ":", ";", ")")):
            out.append(para)  # headings are not wrapped
        else:
            out.append(textwrap.fill(" ".join(lines), 76, break_on_hyphens=False, break_long_words=False))
        if i == 0:
            out.append("[How we assess local authorities](#)")
    body = "\n\n".join(out) + "\n"
    # In the real file the rating is followed by extra blank lines before the scores list.
    body = body.replace("\n\nInadequate\n\n", "\n\nInadequate\n\n\n\n", 1)
    dest.write_text(body, encoding="utf-8")
    return dest


# --------------------------------------------------------------------------- PDF

def render_pdf(text: str, dest: Path, authority: str) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (KeepTogether, ListFlowable, ListItem, PageBreak, Paragraph,
                                    SimpleDocTemplate, Spacer, Table, TableStyle)

    base = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=base["BodyText"], fontName="Times-Roman",
                          fontSize=11, leading=14.5, spaceAfter=6, alignment=TA_LEFT,
                          hyphenationLang="", embeddedHyphenation=0, uriWasteReduce=0)
    styles = {
        "h1": ParagraphStyle("H1", parent=body, fontName="Helvetica-Bold", fontSize=22, leading=26,
                             spaceAfter=14, textColor=colors.HexColor("#2a1f5c")),
        "h2": ParagraphStyle("H2", parent=body, fontName="Helvetica-Bold", fontSize=16, leading=20,
                             spaceBefore=4, spaceAfter=10, textColor=colors.HexColor("#2a1f5c")),
        "h3": ParagraphStyle("H3", parent=body, fontName="Helvetica-Bold", fontSize=13, leading=16,
                             spaceBefore=14, spaceAfter=4),
        "h4": ParagraphStyle("H4", parent=body, fontName="Helvetica-BoldOblique", fontSize=11,
                             leading=14, spaceBefore=8, spaceAfter=3),
        "rating": ParagraphStyle("Rating", parent=body, fontName="Helvetica-Bold", fontSize=15,
                                 leading=19, textColor=colors.HexColor("#8a4b00")),
        "notice": ParagraphStyle("Notice", parent=body, fontName="Times-Italic", fontSize=9.5),
        "published": ParagraphStyle("Published", parent=body, fontName="Helvetica", fontSize=10),
        "label": ParagraphStyle("Label", parent=body, fontName="Times-Italic"),
        "qs-score": ParagraphStyle("QSScore", parent=body, fontName="Helvetica-Bold", fontSize=10.5),
    }

    def esc(s: str) -> str:
        return html.escape(s, quote=False)

    blocks = build_fixtures._blocks(text)
    story: list = []
    scores: list[list[str]] = []
    for n, (kind, payload) in enumerate(blocks):
        if kind == "qs-name":
            scores.append([str(payload), ""])
            continue
        if kind == "qs-score" and scores and not scores[-1][1]:
            scores[-1][1] = str(payload)
            if n + 1 < len(blocks) and blocks[n + 1][0] != "qs-name":
                table = Table([["Quality statement", "Score"], *scores], colWidths=[115 * mm, 35 * mm])
                table.setStyle(TableStyle([
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 10.5),
                    ("FONT", (0, 1), (-1, -1), "Times-Roman", 11),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e4f5")),
                    ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]))
                story.append(table)
            continue
        if kind == "h2" and payload == "Quality statement scores":
            story.append(PageBreak())
        if kind == "h2" and (str(payload).startswith("Theme ") or payload == "Summary of people's experiences"):
            story.append(PageBreak())
        if kind == "ul":
            items = [ListItem(Paragraph(esc(it), body), leftIndent=14) for it in payload]
            story.append(ListFlowable(items, bulletType="bullet", start="\u25aa", leftIndent=14))
            story.append(Spacer(1, 4))
        elif kind in ("h3", "h4"):
            story.append(KeepTogether([Paragraph(esc(str(payload)), styles[kind])]))
        else:
            story.append(Paragraph(esc(str(payload)), styles.get(kind, body)))

    title = f"{authority}: local authority assessment"
    doc = SimpleDocTemplate(
        str(dest), pagesize=A4, title=title, author="Care Quality Commission (fictional)",
        subject="Blind evaluation report, cqc-kb set 5",
        leftMargin=25 * mm, rightMargin=25 * mm, topMargin=24 * mm, bottomMargin=18 * mm,
        invariant=1,
    )

    def header(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(25 * mm, A4[1] - 13 * mm, f"{authority} | Local authority assessment")
        canvas.drawRightString(A4[0] - 25 * mm, A4[1] - 13 * mm, f"Page {document.page}")
        canvas.setStrokeColor(colors.HexColor("#2a1f5c"))
        canvas.line(25 * mm, A4[1] - 15 * mm, A4[0] - 25 * mm, A4[1] - 15 * mm)
        canvas.restoreState()

    doc.build(story, onFirstPage=header, onLaterPages=header)
    return dest


# --------------------------------------------------------------------------- HTML

_HEAD = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - Care Quality Commission</title>
<meta property="og:title" content="{title}">
<link rel="stylesheet" href="/assets/css/site.min.css">
<script>window.dataLayer = window.dataLayer || []; window.dataLayer.push({{"pageType": "la-assessment"}});</script>
</head>
<body>
<div id="cookie-consent" class="cookie-banner" role="region" aria-label="Cookies on the CQC website">
  <div class="cookie-banner__inner">
    <p class="cookie-banner__heading">Cookies on our website</p>
    <p>We use some essential cookies to make this website work. We would like to set additional cookies to understand how you use the site and to improve our services, including how long people wait for pages to load.</p>
    <div class="cookie-banner__buttons"><button type="button">Accept additional cookies</button> <button type="button">Reject additional cookies</button></div>
  </div>
</div>
<div class="page-wrapper">
<div class="site-header" role="banner">
  <div class="site-header__logo"><a href="/">CQC Care Quality Commission</a></div>
  <div class="site-header__search"><form action="/search"><label for="q">Search this site</label><input id="q" name="q"></form></div>
</div>
<nav class="main-menu" aria-label="Main menu">
  <ul>
    <li><a href="/services">Find and compare services</a></li>
    <li><a href="/assessment/local-authorities">Local authority assessments</a></li>
    <li><a href="/give-feedback-on-care">Give feedback on care</a></li>
    <li><a href="/publications">Publications and reports</a></li>
    <li><a href="/careers">Careers at CQC</a></li>
  </ul>
</nav>
<div class="layout">
<aside class="sidebar"><p class="sidebar__title">Related assessments</p><ul><li><a href="#">Neighbouring councils</a></li><li><a href="#">How we rate local authorities</a></li></ul></aside>
<main class="layout__main" id="content">
<div class="report">
"""

_FOOT = """</div>
<script>
  /* accordion state: remember which quality statements the reader opened */
  document.querySelectorAll("details.qs").forEach(function (d) {{
    d.addEventListener("toggle", function () {{ console.log("Opened quality statement: " + d.id + " - score shown in the summary table"); }});
  }});
</script>
</main>
</div>
<div class="site-footer" role="contentinfo">
  <div class="site-footer__links"><a href="/accessibility">Accessibility statement</a> | <a href="/privacy">Privacy notice</a> | <a href="/cookies">Cookies</a> | <a href="/contact">Contact us</a></div>
  <div class="site-footer__legal">&copy; Care Quality Commission 2025. Fictional page for the cqc-kb blind evaluation (set 5).</div>
</div>
</div>
</body>
</html>
"""


def render_html(text: str, dest: Path, authority: str) -> Path:
    e = html.escape
    blocks = build_fixtures._blocks(text)
    title = f"{authority}: local authority assessment"
    parts = [_HEAD.format(title=e(title))]
    open_section = False
    open_details = False
    in_about = False
    scores: list[tuple[str, str]] = []
    qs_n = 0

    def close_details() -> None:
        nonlocal open_details
        if open_details:
            parts.append("</div>\n</details>\n")
            open_details = False

    def close_section() -> None:
        nonlocal open_section
        close_details()
        if open_section:
            parts.append("</div>\n")
            open_section = False

    for n, (kind, payload) in enumerate(blocks):
        s = str(payload) if kind != "ul" else ""
        if kind == "qs-name":
            scores.append((s, ""))
            continue
        if kind == "qs-score" and scores and not scores[-1][1]:
            scores[-1] = (scores[-1][0], s)
            if n + 1 < len(blocks) and blocks[n + 1][0] != "qs-name":
                rows = "\n".join(f'<tr><td class="qs-name">{e(a)}</td><td class="qs-score">{e(b)}</td></tr>'
                                 for a, b in scores)
                parts.append('<table class="scores-table">\n<caption>Quality statement scores</caption>\n'
                             '<thead><tr><th scope="col">Quality statement</th><th scope="col">Score</th></tr></thead>\n'
                             f"<tbody>\n{rows}\n</tbody>\n</table>\n")
            continue
        if kind == "h1":
            parts.append(f'<div class="report-header"><h1 class="report-title">{e(s)}</h1></div>\n')
        elif kind == "notice":
            parts.append(f'<div class="callout callout--warning"><p>{e(s)}</p></div>\n')
        elif kind == "published":
            parts.append(f'<div class="report-meta"><p>{e(s)}</p></div>\n')
        elif kind == "h2":
            close_section()
            in_about = s.startswith("About ")
            if s == "Quality statement scores":
                # the caption of the table carries this title
                parts.append('<div class="report-section report-section--scores">\n')
            else:
                parts.append(f'<div class="report-section"><h2 class="section-title">{e(s)}</h2>\n')
            open_section = True
        elif kind == "h3":  # a quality statement: an accordion
            close_details()
            qs_n += 1
            parts.append(f'<details class="qs" id="qs-{qs_n}" open>\n<summary class="qs__summary">'
                         f'<span class="qs__title">{e(s)}</span></summary>\n<div class="qs__body">\n')
            open_details = True
        elif kind == "h4":
            level = "h3" if in_about or not open_details else "h4"
            if open_details and s in ("What people expect", "The local authority commitment",
                                      "Key findings for this quality statement"):
                level = "h4"
            elif open_details:
                level = "h5"
            parts.append(f'<{level} class="subheading">{e(s)}</{level}>\n')
        elif kind == "ul":
            parts.append('<ul class="list">' + "".join(f"<li>{e(it)}</li>" for it in payload) + "</ul>\n")
        elif kind == "rating":
            parts.append(f'<div class="rating rating--{e(s.lower().replace(" ", "-"))}">'
                         f'<span class="rating__value">{e(s)}</span></div>\n')
        elif kind == "qs-score":
            parts.append(f'<div class="qs__score"><strong>{e(s)}</strong></div>\n')
        elif kind == "label":
            parts.append(f'<div class="qs__label">{e(s)}</div>\n')
        else:
            parts.append(f"<p>{e(s)}</p>\n")
        if kind == "published":
            parts.append('<script type="application/ld+json">{"@type": "Report", "about": '
                         f'"{e(authority)}", "description": "Assessment of how the council meets its Care Act duties, '
                         'including waiting lists and carers\' support."}</script>\n')
    close_section()
    dest.write_text("".join(parts) + _FOOT.format(), encoding="utf-8")
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
