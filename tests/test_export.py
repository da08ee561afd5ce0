"""Downloads (``cqc_kb.export``): every export names its question, filters, reports and time,
quotes are normalised while their offsets still point at the stored text, and CSV cells are
never run as formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io

from cqc_kb import export
from cqc_kb.kb import CompareRow
from cqc_kb.records import Answer, AnswerGroup, Citation, Figure, Hit
from cqc_kb.retrieve import Filters

WHEN = dt.datetime(2026, 11, 26, 18, 5, 7, 123456, tzinfo=dt.timezone.utc)
STAMP = "2026-11-26T18:05:07Z"
QUESTION = "What was the median waiting time for a Care Act assessment?"
STOCKTON = "Stockton-on-Tees Borough Council"
LARCH = "Larchfield Unitary Council"
#: A stored PDF text with a hard line break inside the quoted sentence.
PDF_TEXT = "Heading\nPeople waited a median of 41\ndays for an assessment in Stockton-on-\nTees last year.\n"


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def pdf_citation(n: int = 1) -> Citation:
    start = PDF_TEXT.index("People")
    end = PDF_TEXT.index("year.") + len("year.")
    return Citation(n, PDF_TEXT[start:end], "larchfield.pdf", LARCH, "Theme 1 > Assessing needs", 4,
                    start, end, "Assessing needs", 2, published="2025-03-14")


def formula_citation(n: int = 2) -> Citation:
    return Citation(n, "=HYPERLINK(\"http://x\") | pipe", "stockton-on-tees.txt", STOCKTON,
                    "Theme 1 > Assessing needs", None, 5, 30, "Assessing needs", 2, published="2024-10-24")


def hit(rank: int, text: str, document: str = "kestrel-moor.txt") -> Hit:
    return Hit(rank, 0.1, f"{document}:{rank}", document, "Kestrel Moor District Council", "Theme 2 > Partners",
               None, 100 * rank, 100 * rank + len(text), text, published="2025-06-02")


def test_normalise_text_joins_wrapped_lines_and_hyphenated_words() -> None:
    assert export.normalise_text(PDF_TEXT) == ("Heading People waited a median of 41 days for an assessment "
                                               "in Stockton-on-Tees last year.")
    assert export.normalise_text("  a\n\n  b\tc ") == "a b c"
    assert export.normalise_text(None) == ""


def test_generated_at_is_utc_iso_to_the_second() -> None:
    assert export.generated_at(WHEN) == STAMP
    bst = dt.timezone(dt.timedelta(hours=1))
    assert export.generated_at(dt.datetime(2026, 6, 1, 13, 0, tzinfo=bst)) == "2026-06-01T12:00:00Z"
    now = export.generated_at()
    assert now.endswith("Z") and dt.datetime.fromisoformat(now[:-1]).year >= 2026


def test_describe_filters_names_each_filter_and_skips_empty_ones() -> None:
    assert export.describe_filters(None) == export.NO_FILTERS
    assert export.describe_filters(Filters()) == export.NO_FILTERS
    text = export.describe_filters(Filters(authorities=(LARCH, STOCKTON), scores=(1, 2)))
    assert text == f"council: {LARCH}, {STOCKTON}; score: 1, 2"
    assert export.describe_filters({"themes": ["How the local authority works with people"]}) == \
        "theme: How the local authority works with people"


def test_answer_csv_stands_on_its_own() -> None:
    answer = Answer(QUESTION, "People waited a median of 41\ndays. [1] Other. [2]", False,
                    (pdf_citation(), formula_citation()), ())
    filters = Filters(themes=("How the local authority works with people",))
    rows = rows_of(export.answer_to_csv(answer, filters, WHEN))
    assert [r["n"] for r in rows] == ["1", "2"]
    first = rows[0]
    assert first["question"] == QUESTION and first["generated_utc"] == STAMP
    assert first["filters"] == "theme: How the local authority works with people"
    assert first["answer"] == "People waited a median of 41 days. [1] Other. [2]"
    assert first["document"] == "larchfield.pdf" and first["published"] == "2025-03-14"
    assert first["quote"] == "People waited a median of 41 days for an assessment in Stockton-on-Tees last year."
    # The offsets still point at the stored text, line breaks and all.
    assert PDF_TEXT[int(first["start"]):int(first["end"])] == pdf_citation().quote
    assert first["page"] == "4" and first["kind"] == "citation"
    assert rows[1]["quote"].startswith("'=")  # a formula is defused
    assert rows[1]["published"] == "2024-10-24"


def test_no_clear_answer_exports_hold_the_nearest_passages() -> None:
    hits = (hit(1, "Partners meet\nmonthly."), hit(2, "@SUM(A1) carers forum"))
    answer = Answer("How many kettles were bought?", "No clear answer.", True, (), hits)
    rows = rows_of(export.answer_to_csv(answer, None, WHEN))
    assert [(r["kind"], r["n"]) for r in rows] == [("nearest passage", "1"), ("nearest passage", "2")]
    assert rows[0]["quote"] == "Partners meet monthly." and rows[0]["abstained"] == "yes"
    assert rows[0]["published"] == "2025-06-02" and rows[0]["filters"] == export.NO_FILTERS
    assert rows[1]["quote"].startswith("'@")
    md = export.answer_to_markdown(answer, None, WHEN)
    assert "No clear answer" in md and "## Nearest passages" in md
    assert "> Partners meet monthly." in md
    assert "Kestrel Moor District Council (published 2 June 2025), file kestrel-moor.txt" in md
    bare = Answer("Q?", "No answer.", True, (), ())
    assert len(rows_of(export.answer_to_csv(bare, None, WHEN))) == 1


def test_answer_markdown_names_filters_reports_time_and_quotes() -> None:
    answer = Answer(QUESTION, "People waited. [1]", False, (pdf_citation(),), ())
    md = export.answer_to_markdown(answer, Filters(authorities=(LARCH,)), WHEN)
    assert md.startswith(f"# {QUESTION}\n")
    assert f"- Filters: council: {LARCH}" in md
    assert f"- Generated: {STAMP} (UTC)" in md
    assert f"{LARCH} (published 14 March 2025), file larchfield.pdf" in md
    assert "> People waited a median of 41 days for an assessment in Stockton-on-Tees last year." in md
    start, end = pdf_citation().start, pdf_citation().end
    assert f"characters {start}-{end}" in md and "page 4" in md


def test_answer_groups_are_exported_council_by_council() -> None:
    c1, c2 = pdf_citation(1), formula_citation(2)
    groups = (AnswerGroup(LARCH, "larchfield.pdf", "2025-03-14", "People waited a median of 41 days. [1]", (c1,)),
              AnswerGroup(STOCKTON, "stockton-on-tees.txt", "2024-10-24", "Other. [2]", (c2,)))
    answer = Answer(QUESTION, "People waited a median of 41 days. [1] Other. [2]", False, (c1, c2), (),
                    groups=groups, reports_searched=4)
    rows = rows_of(export.answer_to_csv(answer, None, WHEN))
    assert [(r["council"], r["n"]) for r in rows] == [
        (f"{LARCH} (published 14 March 2025)", "1"), (f"{STOCKTON} (published 24 October 2024)", "2")]
    assert rows[0]["council_answer"] == "People waited a median of 41 days. [1]"
    md = export.answer_to_markdown(answer, None, WHEN)
    assert "Answered in 2 of 4 reports." in md
    assert md.index(f"## {LARCH} (published 14 March 2025)") < md.index(f"## {STOCKTON}") < md.index("## Sources")


def compare_rows() -> list[CompareRow]:
    found = Answer(QUESTION, "People waited a median of 41 days. [1]", False, (pdf_citation(),), ())
    none = Answer(QUESTION, "no evidence found in this report", True, (), ())
    piped = Answer(QUESTION, "A | B. [2]", False, (formula_citation(),), ())
    return [CompareRow(LARCH, "larchfield.pdf", found, {"quality_statement": "Assessing needs", "value": 2},
                       published="2025-03-14", figure=Figure(41.0, "days", "41\ndays")),
            CompareRow(STOCKTON, "stockton-on-tees.txt", none, None, published="2024-10-24"),
            CompareRow("Pipe | Council", "pipe.txt", piped, None)]


def test_compare_csv_has_published_figure_filters_and_time() -> None:
    rows = rows_of(export.compare_to_csv(QUESTION, compare_rows(), Filters(scores=(2,)), WHEN))
    assert [r["authority"] for r in rows] == [LARCH, STOCKTON, "Pipe | Council"]
    larch, stockton, piped = rows
    assert piped["quote"].startswith("'=")
    assert larch["published"] == "2025-03-14" and larch["figure"] == "41" and larch["figure_unit"] == "days"
    assert larch["figure_text"] == "41 days" and larch["score"] == "2" and larch["evidence_found"] == "yes"
    assert larch["quote"].endswith("Stockton-on-Tees last year.")
    assert PDF_TEXT[int(larch["start"]):int(larch["end"])] == pdf_citation().quote
    assert larch["filters"] == "score: 2" and larch["generated_utc"] == STAMP
    assert stockton["evidence_found"] == "no" and stockton["figure"] == "" and stockton["quote"] == ""


def test_compare_markdown_is_one_table_row_per_council() -> None:
    md = export.compare_to_markdown(QUESTION, compare_rows(), None, WHEN)
    table = [line for line in md.splitlines() if line.startswith("| ") and not line.startswith("| Council |")]
    assert len(table) == 3
    assert all(line.count(" | ") == 5 for line in table)  # the pipe in no cell breaks the table
    assert "| 41 days |" in table[0] and "2025-03-14" in table[0]
    assert "no evidence found in this report" in table[1] and "no score" in table[1]
    assert "Pipe \\| Council" in table[2]
    assert f"- Generated: {STAMP} (UTC)" in md


def test_compare_and_scores_exports_on_a_real_index(hash_kb) -> None:
    rows = hash_kb.compare(QUESTION)
    parsed = rows_of(export.compare_to_csv(QUESTION, rows))
    stockton = [r for r in parsed if r["authority"].startswith("Stockton")]
    assert any("median waiting time was 28 days" in r["quote"] for r in stockton)
    text = hash_kb.store.document_text("stockton-on-tees.txt")
    for r in stockton:
        if r["quote"]:
            assert export.normalise_text(text[int(r["start"]):int(r["end"])]) == r["quote"]
    assert {r["published"] for r in stockton} == {hash_kb.published()["stockton-on-tees.txt"]}

    scores = rows_of(export.scores_to_csv(hash_kb.scores(), WHEN))
    stockton_scores = next(r for r in scores if r["authority"].startswith("Stockton"))
    assert stockton_scores["Safeguarding"] == "3" and stockton_scores["percentage"] == "63.9"
    assert stockton_scores["generated_utc"] == STAMP and stockton_scores["published"]
    md = export.scores_to_markdown(hash_kb.scores(), WHEN)
    assert md.count("\n| ") == 1 + len(scores)  # header row plus one row per council
    assert "not assessed" in md  # Ashdown Vale has a statement without a score
