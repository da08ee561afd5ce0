"""Render the two blind held-out reports from their plain-text sources.

* Brackenford City Council -> reports/brackenford.pdf  (A4, reportlab, a page break before
  each theme and a running footer "<council>: local authority assessment - page N")
* Sedgecombe County Council -> reports/sedgecombe.html (a web page: head, skip link, site
  header, main menu, breadcrumb, in-page contents, main with h1-h4, footer)

The block classifier (which paragraph is a heading, a list, a score line) is the one the project's
fixture builder uses (tests/fixtures/build_fixtures.py, imported, not copied), so the layout rules
are the same as the fixtures'; the page furniture and PDF paging are this script's own.

    python eval/blind/build_reports.py
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "reports"
sys.path.insert(0, str(HERE.parents[1] / "tests" / "fixtures"))

import build_fixtures  # noqa: E402

REPORTS = (
    # (source, output, format, authority)
    ("brackenford.source.txt", "brackenford.pdf", "pdf", "Brackenford City Council"),
    ("sedgecombe.source.txt", "sedgecombe.html", "html", "Sedgecombe County Council"),
)


def render_pdf(text: str, dest: Path, title: str) -> Path:
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (ListFlowable, ListItem, PageBreak, Paragraph, SimpleDocTemplate,
                                    Spacer)

    base = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=base["BodyText"], fontName="Helvetica",
                          fontSize=10.5, leading=14, spaceAfter=7, alignment=TA_LEFT)
    styles = {
        "h1": ParagraphStyle("H1", parent=base["Title"], fontName="Helvetica-Bold",
                             fontSize=20, leading=24, alignment=TA_LEFT, spaceAfter=12),
        "h2": ParagraphStyle("H2", parent=base["Heading2"], fontName="Helvetica-Bold",
                             fontSize=15, leading=18, spaceBefore=12, spaceAfter=6),
        "h3": ParagraphStyle("H3", parent=base["Heading3"], fontName="Helvetica-Bold",
                             fontSize=13, leading=16, spaceBefore=10, spaceAfter=4),
        "h4": ParagraphStyle("H4", parent=base["Heading4"], fontName="Helvetica-Bold",
                             fontSize=11, leading=14, spaceBefore=6, spaceAfter=3),
        "qs-name": ParagraphStyle("QSName", parent=body, fontName="Helvetica-Bold", spaceAfter=1),
        "rating": ParagraphStyle("Rating", parent=body, fontName="Helvetica-Bold",
                                 fontSize=14, leading=17),
        "notice": ParagraphStyle("Notice", parent=body, fontName="Helvetica-Oblique"),
        "label": ParagraphStyle("Label", parent=body, fontName="Helvetica-Oblique"),
    }

    def esc(s: str) -> str:
        return html.escape(s, quote=False)

    story: list = []
    for kind, payload in build_fixtures._blocks(text):
        if kind == "h2" and (str(payload).startswith("Theme ") or payload == "Overall summary"):
            story.append(PageBreak())  # CQC PDFs start each theme on a new page
        if kind == "ul":
            items = [ListItem(Paragraph(esc(it), body), leftIndent=12) for it in payload]
            story.append(ListFlowable(items, bulletType="bullet", start="\u2022", leftIndent=12))
            story.append(Spacer(1, 4))
        else:
            story.append(Paragraph(esc(str(payload)), styles.get(kind, body)))

    doc = SimpleDocTemplate(
        str(dest), pagesize=A4, title=title, author="Care Quality Commission (fictional)",
        leftMargin=22 * mm, rightMargin=22 * mm, topMargin=22 * mm, bottomMargin=22 * mm,
        invariant=1,
    )

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(22 * mm, 11 * mm, f"{title} - page {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return dest


_HEAD = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="CQC assessment of how {council} meets its duties under the Care Act 2014.">
<title>{title} | Care Quality Commission</title>
<link rel="stylesheet" href="/themes/cqc/css/main.css">
<style>
  .skip-link {{ position: absolute; left: -9999px; }}
  .score-line {{ font-weight: 700; }}
  .rating-badge {{ background: #0b0c0c; color: #fff; padding: .2em .6em; }}
</style>
<script async src="/themes/cqc/js/analytics.js"></script>
</head>
<body class="page-local-authority">
<a class="skip-link" href="#main-content">Skip to main content</a>
<header class="site-header" role="banner">
  <a class="site-logo" href="/">Care Quality Commission</a>
  <ul class="utility-links"><li><a href="/contact-us">Contact us</a></li><li><a href="/provider-portal">Provider portal</a></li></ul>
</header>
<nav class="primary-navigation" aria-label="Primary">
  <ul>
    <li><a href="/find-a-service">Find a service</a></li>
    <li><a href="/feedback">Share your experience</a></li>
    <li><a href="/local-systems">Local authority assessments</a></li>
    <li><a href="/guidance">Guidance and regulation</a></li>
    <li><a href="/news">News</a></li>
  </ul>
</nav>
<main id="main-content">
<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="/">Home</a></li><li><a href="/local-systems">Local authority assessments</a></li><li>{council}</li></ol></nav>
<article class="la-report">
"""

_TOC = """<nav class="on-this-page" aria-label="On this page"><h2>On this page</h2><ul>
{items}
</ul></nav>
"""

_FOOT = """</article>
</main>
<footer class="site-footer" role="contentinfo">
  <ul>
    <li><a href="/accessibility">Accessibility</a></li>
    <li><a href="/privacy">Privacy</a></li>
    <li><a href="/cookies">Cookies</a></li>
    <li><a href="/foi">Freedom of information</a></li>
  </ul>
  <p>&copy; Care Quality Commission. A fictional page written for the cqc-kb blind evaluation.</p>
</footer>
</body>
</html>
"""


def render_html(text: str, dest: Path, title: str, council: str) -> Path:
    e = html.escape
    blocks = build_fixtures._blocks(text)
    parts = [_HEAD.format(title=e(title), council=e(council))]
    toc = [b for k, b in blocks if k == "h2"]
    toc_written = False
    n = 0
    for kind, payload in blocks:
        if kind == "h2" and not toc_written:
            items = "\n".join(f'<li><a href="#s{i}">{e(str(t))}</a></li>' for i, t in enumerate(toc))
            parts.append(_TOC.format(items=items))
            toc_written = True
        if kind == "ul":
            parts.append("<ul>" + "".join(f"<li>{e(it)}</li>" for it in payload) + "</ul>\n")
        elif kind == "h2":
            parts.append(f'<section><h2 id="s{n}">{e(str(payload))}</h2>\n')
            n += 1
        elif kind in ("h1", "h3", "h4"):
            parts.append(f"<{kind}>{e(str(payload))}</{kind}>\n")
        elif kind == "p":
            parts.append(f"<p>{e(str(payload))}</p>\n")
        elif kind == "rating":
            parts.append(f'<p><span class="rating-badge">{e(str(payload))}</span></p>\n')
        elif kind == "qs-score":
            parts.append(f'<p class="score-line">{e(str(payload))}</p>\n')
        else:
            parts.append(f'<p class="{kind}">{e(str(payload))}</p>\n')
    # close the <section>s opened at each h2 (sections are flat siblings)
    html_text = "".join(parts)
    html_text = html_text.replace('<section><h2 id="s', '</section>\n<section><h2 id="s')
    html_text = html_text.replace("</section>\n", "", 1)
    dest.write_text(html_text + "</section>\n" + _FOOT, encoding="utf-8")
    return dest


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for source, output, fmt, authority in REPORTS:
        text = (OUT / source).read_text(encoding="utf-8")
        title = f"{authority}: local authority assessment"
        if fmt == "pdf":
            render_pdf(text, OUT / output, title)
        else:
            render_html(text, OUT / output, title, authority)
        print(OUT / output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
