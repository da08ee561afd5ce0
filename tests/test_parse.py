"""Parsing: every format keeps verbatim text with block offsets; bad input is a ParseError."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cqc_kb.errors import ParseError
from cqc_kb.parse import parse_bytes, parse_file, sniff_format
from cqc_kb.structure import analyse
from cqc_kb.text import sentence_spans

from conftest import REAL_REPORT


def test_text_report_blocks_are_spans_of_the_text() -> None:
    doc = parse_file(REAL_REPORT)
    assert doc.fmt == "txt"
    assert doc.title == "Stockton-on-Tees Borough Council: local authority assessment"
    headings = [doc.text[b.start:b.end] for b in doc.blocks if b.kind == "heading"]
    assert "Timeliness of assessments, care planning and reviews" in headings
    assert "Score: 2" not in headings  # data lines are never headings
    for b in doc.blocks:
        assert doc.text[b.start:b.end].strip() == doc.text[b.start:b.end]


def test_pdf_keeps_page_numbers(fixture_corpus: Path) -> None:
    doc = parse_file(fixture_corpus / "larchfield.pdf")
    assert doc.fmt == "pdf" and doc.pages and doc.pages >= 3
    pages = {b.page for b in doc.blocks}
    assert pages == set(range(1, doc.pages + 1))
    last = doc.text.rindex("Learning from feedback") if "Learning from feedback" in doc.text else len(doc.text) - 1
    assert next(b.page for b in doc.blocks if b.start <= last < b.end or b.start > last) > 1


def test_pdf_running_headers_and_footers_are_removed_from_the_text(fixture_corpus: Path) -> None:
    doc = parse_file(fixture_corpus / "larchfield.pdf")
    # Every page carries the title as a header and "Page N" as a footer: both are dropped from the
    # stored text, so no passage, quote or section can contain them; the real title on page 1 stays.
    assert "Page 2" not in doc.text
    assert doc.text.count("Larchfield Unitary Council: local authority assessment") == 1
    assert not any(doc.text[b.start:b.end].startswith("Page ") for b in doc.blocks)


def test_html_drops_page_furniture_and_keeps_headings(fixture_corpus: Path) -> None:
    doc = parse_file(fixture_corpus / "ashdown-vale.html")
    assert doc.fmt == "html"
    # The fixture hides a fake date and score in <script>/<style>: they must not survive.
    assert "1 January 1999" not in doc.text
    assert "cookie" not in doc.text.lower()
    levels = {doc.text[b.start:b.end]: b.level for b in doc.blocks if b.kind == "heading"}
    assert levels.get("Safeguarding") == 3


def test_an_articles_own_header_and_asides_are_kept_and_the_pages_are_dropped() -> None:
    markup = (b"<html><body><header class='masthead'><p>Site search and menu</p></header>"
              b"<aside><p>Related assessments</p></aside>"
              b"<main><article><header><h1>Redwater Council: local authority assessment</h1></header>"
              b"<p>People waited a median of 41 days.</p>"
              b"<aside class='key-figures'><h4>At a glance</h4><p>402 people waiting at 30 September.</p></aside>"
              b"<footer><p>Assessment published: 27 March 2025</p></footer></article></main>"
              b"<footer><p>Copyright and cookies</p></footer></body></html>")
    doc = parse_bytes(markup, "redwater.html")
    # Inside <main>/<article> they are the report's: its title, a box of key figures, its date.
    assert doc.text.startswith("Redwater Council: local authority assessment")
    assert "402 people waiting at 30 September." in doc.text
    assert "Assessment published: 27 March 2025" in doc.text
    # Outside it they are the site's.
    assert "Site search" not in doc.text and "Related assessments" not in doc.text
    assert "Copyright" not in doc.text


def test_malicious_html_is_text_only() -> None:
    markup = (b"<html><body><main><h1>Report</h1><p>Safe text.</p>"
              b"<script>alert('x')</script><p onclick='evil()'>Click <img src=x onerror=alert(1)>here.</p>"
              b"<iframe src='http://evil'></iframe></main></body></html>")
    doc = parse_bytes(markup, "evil.html")
    assert "alert" not in doc.text and "<" not in doc.text
    assert "Click here." in doc.text
    hidden = parse_bytes(b"<html><body><main><h1>Report</h1><p>Score: 2</p><p style='display: none'>Score: 4</p>"
                         b"<p aria-hidden='true'>Rated outstanding</p><div hidden>Secret</div></main></body></html>",
                         "hidden.html")
    assert hidden.text == "Report\n\nScore: 2"  # text a reader cannot see is never indexed


@pytest.mark.parametrize("data,name,reason", [
    (b"", "empty.txt", "is empty"),
    (b"   \n\n  ", "blank.txt", "is empty"),
    (b"\x00\x01\x02binary\x00junk" * 100, "junk.txt", "binary"),
    (b"%PDF-1.4\n%garbage that is not a pdf", "broken.pdf", "damaged PDF"),
    (b"not a pdf at all", "fake.pdf", "not a PDF"),
    ("Caf\u00e9 report".encode("cp1252"), "latin.txt", "not valid UTF-8"),
])
def test_bad_input_names_the_file_and_the_fix(data: bytes, name: str, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_bytes(data, name)
    assert name in str(info.value) and reason in str(info.value)
    assert info.value.fix


def test_encrypted_pdf_is_refused_with_a_fix() -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password="secret", owner_password="owner")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(ParseError, match="password-protected"):
        parse_bytes(buf.getvalue(), "locked.pdf")


def test_pdf_without_text_is_refused() -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(ParseError, match="no text layer|no readable text"):
        parse_bytes(buf.getvalue(), "scan.pdf")


def test_size_limit() -> None:
    with pytest.raises(ParseError, match="over the"):
        parse_bytes(b"a" * 2000, "big.txt", max_bytes=1000)


def test_type_is_sniffed_from_content() -> None:
    assert sniff_format(b"%PDF-1.7 ...", "report.txt") == "pdf"
    assert sniff_format(b"<!DOCTYPE html><html></html>", "report.txt") == "html"
    assert sniff_format(b"Plain words", "report.md") == "txt"


def test_markdown_headings_have_levels_and_plain_headings_nest_under_them() -> None:
    doc = parse_bytes(b"# Title\n\nIntro text here.\n\n## Part\n\nBody of the part.\n\n"
                      b"Waiting times\n\nPeople waited.\n\n## Overall summary\n\nGood.\n", "notes.md")
    # A heading's block is its title without the marks (section names read it); a title-like
    # line under "## Part" ranks below it.
    assert [(doc.text[b.start:b.end], b.level) for b in doc.blocks if b.kind == "heading"] == [
        ("Title", 1), ("Part", 2), ("Waiting times", 3), ("Overall summary", 2)]
    report = analyse(doc)
    assert ("Title", "Part", "Waiting times") in {s.path for s in report.sections}
    assert ("Title", "Overall summary") in {s.path for s in report.sections}


def test_a_wrapped_line_after_circa_does_not_end_the_sentence() -> None:
    doc = parse_bytes(b"# Report\n\nThe borough had c.\n148,300 residents in mid-2023. A fifth were\nolder.\n",
                      "wrapped.txt")
    assert [doc.text[s:e] for s, e in sentence_spans(doc.text, 0, len(doc.text))][1:] == [
        "The borough had c.\n148,300 residents in mid-2023.", "A fifth were\nolder."]


def test_pdf_words_cut_at_line_ends_are_joined() -> None:
    from cqc_kb.parse import _dehyphenate

    pages = [["People left reable-", "ment well. Long-term care was long-", "term too, and dis-"],
             ["abled self-", "funders and co-", "production groups waited."]]
    # A word the report writes with a hyphen elsewhere, or whose first half is a common prefix,
    # keeps it; others lose the typesetter's.
    assert _dehyphenate(pages) == [["People left reablement", "well. Long-term care was long-term",
                                    "too, and disabled"], ["self-funders", "and co-production", "groups waited."]]
    places = ("Northby", "Southam", "Westmere")
    doc = parse_bytes(_pdf_of_lines([[*_body(n), f"In {places[n]} the council's joint hospital discharge and home reable-",
                                      f"ment service helped {880 + n} people in 2024/25."] for n in range(3)]),
                      "cut.pdf")
    assert doc.text.count("home reablement\nservice helped") == 3 and "reable-" not in doc.text
    assert all(b.kind == "para" for b in doc.blocks)


def _pdf_of_lines(pages: list[list[str]]) -> bytes:
    """A PDF drawn line by line (one list of lines a page), as a report's layout breaks them."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for lines in pages:
        for i, line in enumerate(lines):
            c.drawString(50, 800 - 14 * i, line)
        c.showPage()
    c.save()
    return buf.getvalue()


def _body(page: int) -> list[str]:
    topic = ("carers", "hospital discharge", "transitions")[page % 3]
    return [f"On {topic} the council has a clear structure with a multi-agency partnership that meets",
            "every month and reviews the learning from each safeguarding adults review it commissions.",
            f"Most enquiries about {topic} were completed within the target set by the board."]


def test_pdf_heading_cut_by_a_line_break_is_one_heading() -> None:
    pages = [[f"Thornbury Council assessment - page {n}", *_body(n),
              "Theme 3: How Thornbury Council ensures safety within the", "system", "Safeguarding",
              *_body(n + 1)] for n in range(1, 4)]
    doc = parse_bytes(_pdf_of_lines(pages), "cut.pdf")
    headings = [doc.text[b.start:b.end] for b in doc.blocks if b.kind == "heading"]
    assert "Theme 3: How Thornbury Council ensures safety within the system" in headings
    assert "Safeguarding" in headings
    assert "system" not in [doc.text[b.start:b.end] for b in doc.blocks]
    # The running footer is gone from the text, so no paragraph or section can contain it.
    assert "- page" not in doc.text
    assert doc.text.count("every month and reviews") == 6  # body lines are never taken for furniture


def test_a_cqc_heading_as_wide_as_a_body_line_is_still_a_heading() -> None:
    heading = "Understanding and reducing barriers to care and support and reducing inequalities"
    body = ["The council had mapped the groups least likely to ask for support in each part of the",
            "borough and had set up outreach sessions with faith and community groups in 2024."]
    pages = [[*body, "Equity in experience and outcomes", *body, heading, *body, "Inclusion and accessibility",
              *body] for _ in range(2)]
    doc = parse_bytes(_pdf_of_lines(pages), "wide.pdf")
    headings = [doc.text[b.start:b.end] for b in doc.blocks if b.kind == "heading"]
    assert headings.count(heading) == 2
    # A body line as wide is not a heading.
    assert not any(h.startswith("The council had mapped") for h in headings)


def test_a_list_of_labelled_figures_is_body_text_not_headings() -> None:
    items = ["Care Act assessments: 1,138 people", "Occupational therapy assessments: 642 people",
             "Carers' assessments: 310 people"]
    body = ["The council had mapped the groups least likely to ask for support in each part of the",
            "borough and had set up outreach sessions with faith and community groups in 2024."]
    pages = [[*body, "Waiting lists", "At 31 March 2025 people were waiting for:", *items, *body] for _ in range(2)]
    doc = parse_bytes(_pdf_of_lines(pages), "lists.pdf")
    headings = [doc.text[b.start:b.end] for b in doc.blocks if b.kind == "heading"]
    assert "Waiting lists" in headings
    assert not any(item in h for h in headings for item in items)
    assert all(item in doc.text for item in items)


def test_each_labelled_figure_line_is_a_paragraph_of_its_own() -> None:
    """A list of figures set one a line ("label — value", "label: value", bullets drawn on
    their own line) is one paragraph per item, so that a quote is one item and not the whole
    list; a wrapped prose line that ends in a figure stays in its sentence."""
    items = ["People waiting for a Care Act assessment (31 March 2025) — 612",
             "Average wait for a Care Act assessment — 41 days",
             "Reablement: no further support needed — 71 per cent",
             "Carers' assessments completed in 2024/25: 1,204"]
    prose = ["The number of people waiting for a review rose from 300 – 412",
             "people were waiting by the end of March."]
    doc = parse_bytes("\n".join(["# Report", "", "Figures at a glance", "", *items, "", *prose, ""]).encode(),
                      "figures.txt")
    paragraphs = [doc.text[b.start:b.end] for b in doc.blocks if b.kind == "para"]
    assert paragraphs == [*items, "\n".join(prose)]
    assert "Figures at a glance" in [doc.text[b.start:b.end] for b in doc.blocks if b.kind == "heading"]

    pages = [["Waiting lists at 31 March 2025:", "-", "Care Act assessments: 1,138 people", "-",
              "Occupational therapy assessments: 642 people"]]
    pdf = parse_bytes(_pdf_of_lines(pages), "bullets.pdf")
    paragraphs = [pdf.text[b.start:b.end] for b in pdf.blocks if b.kind == "para"]
    assert paragraphs[-2:] == ["- Care Act assessments: 1,138 people", "- Occupational therapy assessments: 642 people"]


def test_markdown_emphasis_is_dropped_before_offsets_are_taken() -> None:
    raw = (b"# Report\n\nThe estimated budget was **\xc2\xa3290,024,000** and __21.43%__ went on *adult* care.\n\n"
           b"- * a bullet that keeps its star\n\n5 * 3 stays as it is.\n")
    doc = parse_bytes(raw, "emphasis.md")
    assert "The estimated budget was \u00a3290,024,000 and 21.43% went on adult care." in doc.text
    assert "**" not in doc.text and "__" not in doc.text
    assert "- * a bullet" in doc.text and "5 * 3 stays" in doc.text
    html = parse_bytes(b"<html><body><main><h2>**Key** findings</h2><p>It was **good**.</p></main></body></html>",
                       "emphasis.html")
    assert [html.text[b.start:b.end] for b in html.blocks] == ["Key findings", "It was good."]


def test_sizes_print_with_sensible_precision() -> None:
    with pytest.raises(ParseError) as info:
        parse_bytes(b"a" * 20_000, "big.txt", max_bytes=10_000)
    assert "is 20 KB, over the 10 KB limit" in str(info.value)


def test_pdf_sentence_cut_by_a_page_break_is_one_block() -> None:
    pages = [[f"Thornbury Council assessment - page {n}", *_body(n),
              "Waiting lists were reviewed weekly by a senior practitioner, and people waiting"] for n in (1, 2)]
    pages.append(["Thornbury Council assessment - page 3", "were contacted every month to check their needs.",
                  *_body(3)])
    doc = parse_bytes(_pdf_of_lines(pages), "runs-on.pdf")
    sentence = ("Waiting lists were reviewed weekly by a senior practitioner, and people waiting\n"
                "were contacted every month to check their needs.")
    block = next(b for b in doc.blocks if sentence in doc.text[b.start:b.end])
    assert block.page == 2 and doc.text[block.start:block.end].endswith(sentence)


def test_a_two_line_header_extracted_below_the_body_is_dropped_with_the_footer() -> None:
    from cqc_kb.parse import _drop_running_lines

    # pypdf may give a page's two-line running header after its body, above the footer.
    body = [[f"Line {i} of page {n}, which says something different about care." for i in range(6)]
            for n in range(1, 6)]
    pages = [lines + ["Wexcombe City Council", "Local authority assessment - published 3 December 2025",
                      f"Page {n} of 5"] for n, lines in enumerate(body, 1)]
    assert _drop_running_lines(pages) == body


def test_a_footnote_printed_on_every_second_page_is_dropped_and_body_sentences_are_kept() -> None:
    from cqc_kb.parse import _drop_running_lines

    note = "Figures are those supplied by the council for the assessment unless stated otherwise."
    body = [[f"Line {i} of page {n}, which says something different about care." for i in range(6)]
            for n in range(1, 7)]
    pages = [lines + ([note] if n % 2 == 0 else []) + [f"Page {n} of 6"] for n, lines in enumerate(body, 1)]
    assert _drop_running_lines(pages) == body
    # A sentence at the foot of half the pages that differs in its figures is body text.
    varied = [lines + [f"The council had {n} teams."] for n, lines in enumerate(body, 1)]
    assert _drop_running_lines(varied) == varied


def test_pdf_list_bullets_drawn_apart_from_their_items_stay_on_the_item_line() -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate

    # reportlab's lists (like many PDF writers') draw the bullet as its own text object, which
    # pypdf gives as a line holding only "-" before the item's text.
    normal = getSampleStyleSheet()["Normal"]
    buf = io.BytesIO()
    items = [ListItem(Paragraph(t, normal)) for t in ("Assessing needs", "Equity in experience and outcomes")]
    SimpleDocTemplate(buf, pagesize=A4, invariant=1).build([
        Paragraph("This theme includes these quality statements:", normal),
        ListFlowable(items, bulletType="bullet", start="-", leftIndent=12),
        Paragraph("After the list.", normal)])
    doc = parse_bytes(buf.getvalue(), "list.pdf")
    assert doc.text == ("This theme includes these quality statements:\n- Assessing needs\n"
                        "- Equity in experience and outcomes\nAfter the list.")
    assert [doc.text[b.start:b.end] for b in doc.blocks][1:3] == [
        "- Assessing needs", "- Equity in experience and outcomes"]


def _pdf_of_rows(rows: list[tuple[float, list[tuple[float, str]]]]) -> bytes:
    """A one-page PDF drawing each string at (x, y): a cell, a bullet or a piece of prose."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for y, pieces in rows:
        for x, text in pieces:
            c.drawString(x, y, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_pdf_table_rows_are_one_line_each_with_tab_separated_cells() -> None:
    prose = "The council's own figures at 30 September 2024 were as follows, for each kind of wait."
    after = "Staff told us that people on the waiting list were contacted only if they phoned in."
    columns = (60, 250, 340, 430)
    table = [("Waiting list", "People waiting", "Median wait", "Longest wait"),
             ("Care Act assessment", "1,412", "19 weeks", "81 weeks"),
             ("Carer's assessment", "388", "14 weeks", "60 weeks")]
    rows = [(780, [(60, prose)])]
    rows += [(750 - 20 * i, list(zip(columns, cells))) for i, cells in enumerate(table)]
    rows += [(680, [(60, after)])]
    doc = parse_bytes(_pdf_of_rows(rows), "table.pdf")
    texts = [(b.kind, doc.text[b.start:b.end]) for b in doc.blocks]
    # Without the join each cell was a line of its own, and "19 weeks" or "Carer's assessment"
    # became headings that took over the section of the text after the table.
    assert ("para", "Waiting list\tPeople waiting\tMedian wait\tLongest wait") in texts
    assert ("para", "Care Act assessment\t1,412\t19 weeks\t81 weeks") in texts
    assert ("para", "Carer's assessment\t388\t14 weeks\t60 weeks") in texts
    assert not [t for kind, t in texts if kind == "heading"]
    assert ("para", after) in texts


def test_pdf_prose_and_bullets_drawn_in_pieces_are_not_taken_for_table_rows() -> None:
    # A bullet glyph beside its item, and a line of prose drawn in two pieces whose second
    # piece starts at a different place on each line: no columns, so no table.
    rows = [(780, [(60, "\u2022"), (72, "Approximately 7,350 people were accessing long-term support.")]),
            (760, [(60, "The council answered "), (168, "58% of calls within five minutes.")]),
            (740, [(60, "Most carers said they had "), (190, "been offered an assessment.")])]
    doc = parse_bytes(_pdf_of_rows(rows), "prose.pdf")
    assert "\t" not in doc.text


def test_html_table_cells_are_separated_by_tabs_and_prose_tabs_are_spaces() -> None:
    page = ("<html><body><main><h2>Waiting times</h2><p>Figures\tat 31 March 2025.</p><table>"
            "<thead><tr><th>Waiting for</th><th>Average wait</th></tr></thead>"
            "<tbody><tr><th scope='row'>Occupational therapy assessment</th><td>26 weeks</td></tr>"
            "</tbody></table></main></body></html>")
    doc = parse_bytes(page.encode(), "tables.html")
    texts = [doc.text[b.start:b.end] for b in doc.blocks]
    assert "Waiting for\tAverage wait" in texts
    assert "Occupational therapy assessment\t26 weeks" in texts
    assert "Figures at 31 March 2025." in texts


def test_html_grouped_header_rows_become_one_row_with_a_label_per_column() -> None:
    page = ("<html><body><main><table><thead>"
            "<tr><th rowspan='2'>Measure</th><th colspan='2'>Year</th><th rowspan='2'>Source</th></tr>"
            "<tr><th>2023/24</th><th>2024/25</th></tr></thead>"
            "<tbody><tr><td>DoLS applications not completed</td><td>2,650</td><td>3,318</td><td>council</td></tr>"
            "</tbody></table>"
            # No <thead>: leading rows of <th> cells are the header; a span past the table's
            # columns (here 99,999) stops at them.
            "<table><tr><th>Team</th><th colspan='99999'>Waiting</th></tr><tr><th>Team</th><th>Now</th></tr>"
            "<tr><td>OT</td><td>98</td></tr></table>"
            # Header rows without spans are left as they are.
            "<table><thead><tr><th>A</th><th>B</th></tr><tr><th>C</th><th>D</th></tr></thead>"
            "<tbody><tr><td>1</td><td>2</td></tr></tbody></table></main></body></html>")
    doc = parse_bytes(page.encode(), "grouped.html")
    texts = [doc.text[b.start:b.end] for b in doc.blocks]
    assert texts == ["Measure\tYear 2023/24\tYear 2024/25\tSource",
                     "DoLS applications not completed\t2,650\t3,318\tcouncil",
                     "Team\tWaiting Now", "OT\t98", "A\tB", "C\tD", "1\t2"]


def test_html_row_spans_are_copied_into_each_row_they_cover() -> None:
    page = ("<html><body><main><table><tr><th>Service</th><th>Measure</th><th>2024/25</th></tr>"
            "<tr><td rowspan='2'>Care Act assessment</td><td>Median wait</td><td>38 days</td></tr>"
            "<tr><td>Maximum wait</td><td>214 days</td></tr>"
            "<tr><td>Carer's assessment</td><td rowspan='3'>Median wait</td><td>12 days</td></tr>"
            "<tr><td>Section 42 enquiry</td><td>52 days</td></tr></table></main></body></html>")
    doc = parse_bytes(page.encode(), "spans.html")
    assert [doc.text[b.start:b.end] for b in doc.blocks] == [
        "Service\tMeasure\t2024/25", "Care Act assessment\tMedian wait\t38 days",
        "Care Act assessment\tMaximum wait\t214 days", "Carer's assessment\tMedian wait\t12 days",
        # A span past the table's last row stops there.
        "Section 42 enquiry\tMedian wait\t52 days"]


def test_html_report_laid_out_in_a_table_cell_keeps_its_blocks() -> None:
    # Old council pages lay out the page with a table: a menu cell, and a cell holding the report.
    report = ("<div id='content'><h2>Overall summary</h2><p class='h2'><b>Local authority rating and score</b></p>"
              "<p><b>Requires improvement</b></p><p>People waited a median of 38 days.</p>"
              "<b>Waiting times in 2024/25</b><br>Carers waited a median of 12 days.</div>")
    page = (f"<html><body><table><tr><td><a href='/'>Home</a></td><td>{report}</td></tr>"
            "<tr><td>Median wait</td><td>38 days</td></tr></table></body></html>")
    doc = parse_bytes(page.encode(), "layout.html")
    blocks = [(b.kind, b.level, doc.text[b.start:b.end]) for b in doc.blocks]
    assert blocks == [("para", 0, "Home"), ("heading", 2, "Overall summary"),
                      # Bold lines drawn as headings: the class names the level, or level 3.
                      ("heading", 2, "Local authority rating and score"), ("heading", 3, "Requires improvement"),
                      ("para", 0, "People waited a median of 38 days."), ("heading", 3, "Waiting times in 2024/25"),
                      ("para", 0, "Carers waited a median of 12 days."),
                      # A row of values stays a row.
                      ("para", 0, "Median wait\t38 days")]


def test_html_description_list_terms_and_values_are_one_line_each() -> None:
    page = ("<html><body><main><h2>At a glance</h2><dl><dt>People waiting for an assessment</dt><dd>612</dd>"
            "<dt>Median wait</dt><dd>24 working days</dd><dd>(31 a year before)</dd>"
            "<dt>Notes</dt><dd><p>Figures are the council's own.</p><p>Unaudited.</p></dd></dl>"
            "<p>After the list.</p></main></body></html>")
    doc = parse_bytes(page.encode(), "glance.html")
    texts = [doc.text[b.start:b.end] for b in doc.blocks]
    assert texts == ["At a glance", "People waiting for an assessment\t612",
                     "Median wait\t24 working days\t(31 a year before)",
                     # A description holding paragraphs keeps them as paragraphs.
                     "Notes", "Figures are the council's own.", "Unaudited.", "After the list."]


@pytest.mark.parametrize("rows", [
    # A Markdown table, and a table copied from a browser (cells apart by tabs).
    ["| Waiting list | Median wait | Longest wait |", "|---|:---:|---|",
     "| Care Act assessment | 19 weeks | 81 weeks |", "| Carer's assessment | 14 weeks | 60 weeks |"],
    ["Waiting list\tMedian wait\tLongest wait", "Care Act assessment\t19 weeks\t81 weeks",
     "Carer's assessment\t14 weeks\t60 weeks"],
])
def test_text_table_rows_are_paragraphs_of_their_own(rows: list[str]) -> None:
    text = "Waiting times\n\nThe figures at 30 September 2024 were:\n" + "\n".join(rows) + "\n\nAfter the table."
    doc = parse_bytes(text.encode(), "table.txt")
    blocks = [(b.kind, doc.text[b.start:b.end]) for b in doc.blocks]
    assert blocks == [("heading", "Waiting times"), ("para", "The figures at 30 September 2024 were:"),
                      *[("para", row) for row in rows if "---" not in row], ("para", "After the table.")]


def _raw_pdf(content: bytes) -> bytes:
    """A one-page PDF with ``content`` as its content stream (Helvetica as /F1), written by hand
    so the stream holds exactly the bytes a test needs."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
               b"/Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def test_pdf_bullet_glyph_read_as_a_control_character_is_dropped() -> None:
    # Some fonts map "•" to a code pypdf returns as "\x7f": no text, and never its own line.
    content = (b"BT /F1 12 Tf 50 800 Td (Financial facts) Tj ET BT /F1 12 Tf 50 780 Td (\x7f) Tj ET "
               b"BT /F1 12 Tf 62 780 Td (The council spent 61 million pounds in 2023/24.) Tj ET")
    doc = parse_bytes(_raw_pdf(content), "bullets.pdf")
    assert doc.text == "Financial facts\nThe council spent 61 million pounds in 2023/24."
