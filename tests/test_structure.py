"""The CQC structure reader on the real report and on every fictional fixture format."""

from __future__ import annotations

from pathlib import Path

import pytest

from cqc_kb.parse import parse_bytes, parse_file
from cqc_kb.structure import STATEMENT_NAMES, analyse, canonical_statement, rating_for_percentage

from conftest import FIXTURES, REAL_REPORT


def test_real_report_scores_rating_and_checks() -> None:
    doc = parse_file(REAL_REPORT)
    report = analyse(doc)
    assert report.is_cqc
    assert report.authority == "Stockton-on-Tees Borough Council"
    assert report.published == "2025-10-24"
    assert report.rating == "Good"
    assert [s.score for s in report.statements] == [2, 3, 2, 3, 3, 2, 3, 3, 2]
    assert report.percentage == 63.9
    assert any(w.startswith("Safeguarding: label") for w in report.warnings)
    assert len(report.warnings) == 1
    # Every score line cited is literally "Score: N" at its offsets.
    for s in report.statements:
        assert doc.text[s.start:s.end] == f"Score: {s.score}"
    assert doc.text[report.rating_span[0]:report.rating_span[1]] == "Good"


def test_real_report_heading_tree() -> None:
    report = analyse(parse_file(REAL_REPORT))
    paths = {s.path for s in report.sections}
    assert ("Theme 1: How Stockton-on-Tees Borough Council works with people", "Assessing needs",
            "Key findings for this quality statement",
            "Timeliness of assessments, care planning and reviews") in paths
    safeguarding = [s for s in report.sections if s.statement == "Safeguarding"]
    assert safeguarding and all(s.theme == "Ensuring safety" for s in safeguarding)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.fmt)
def test_fixture_reports_in_every_format(fixture, fixture_corpus: Path) -> None:
    doc = parse_file(fixture_corpus / fixture.output)
    assert doc.fmt == fixture.fmt
    report = analyse(doc)
    assert report.authority == fixture.authority
    assert report.published == fixture.published
    assert report.rating == fixture.rating
    assert [(s.name, s.score) for s in report.statements] == list(fixture.scores)
    assert report.percentage == round(fixture.percentage, 1)
    assert rating_for_percentage(report.percentage) == fixture.rating
    missing = [name for name, score in fixture.scores if score is None]
    for name in missing:
        assert any(name in w and "not assessed" in w for w in report.warnings)
    statements = {s.statement for s in report.sections if s.statement}
    # An unassessed statement keeps its section (it says why), so all nine have sections.
    assert statements == set(STATEMENT_NAMES)


def test_statement_spellings_map_to_one_name() -> None:
    assert canonical_statement("Supporting people to lead healthier lives") == \
        canonical_statement("Supporting people to live healthier lives") == \
        "Supporting people to live healthier lives"
    assert canonical_statement("Quality statement six: Safe systems, pathways and transitions") == \
        "Safe pathways, systems and transitions"
    assert canonical_statement("Safeguarding adults") is None


def test_rating_thresholds() -> None:
    assert rating_for_percentage(25) == "Inadequate"
    assert rating_for_percentage(38.9) == "Inadequate"
    assert rating_for_percentage(39) == "Requires improvement"
    assert rating_for_percentage(62.9) == "Requires improvement"
    assert rating_for_percentage(63) == "Good"
    assert rating_for_percentage(87.9) == "Good"
    assert rating_for_percentage(88) == "Outstanding"


def test_sub_heading_repeating_a_statement_name_keeps_its_score() -> None:
    """A sub-heading inside a statement's section that repeats the statement's name (another
    spelling of it, with no score after it) must not erase the score its section gave."""
    original = REAL_REPORT.read_text(encoding="utf-8")
    assert "\nSafety management\n" in original
    text = original.replace("\nSafety management\n", "\nSafe systems, pathways and transitions\n", 1)
    before = analyse(parse_bytes(original.encode(), "original.txt")).statements
    after = analyse(parse_bytes(text.encode(), "repeated.txt")).statements
    # The score, its label and the cited "Score: N" line stay the section's own (the summary
    # list near the top holds the same score without a label).
    assert [(s.score, s.label) for s in after] == [(s.score, s.label) for s in before]
    safe = [next(s for s in report if s.name == "Safe pathways, systems and transitions") for report in (before, after)]
    assert safe[0].label and safe[0].start == safe[1].start


def test_label_run_together_with_its_score_line_is_read() -> None:
    """PDF extraction can put "Score: 2" and "2 - Evidence shows some shortfalls" in one block."""
    import re

    original = REAL_REPORT.read_text(encoding="utf-8")
    before = analyse(parse_bytes(original.encode(), "original.txt")).statements
    for joiner in ("\n", " "):
        text, n = re.subn(r"(Score: [1-4])\n\n([1-4] [-\u2013] Evidence)", rf"\1{joiner}\2", original)
        assert n >= 2
        after = analyse(parse_bytes(text.encode(), "joined.txt")).statements
        assert [(s.score, s.label) for s in after] == [(s.score, s.label) for s in before]
        assert sum(1 for s in after if s.label) == sum(1 for s in before if s.label) >= 7


def test_published_rating_that_disagrees_with_scores_is_flagged() -> None:
    text = REAL_REPORT.read_text(encoding="utf-8").replace("\nGood\n", "\nOutstanding\n", 1)
    report = analyse(parse_bytes(text.encode(), "edited.txt"))
    assert report.rating == "Outstanding"
    assert any("disagrees with the score percentage" in w for w in report.warnings)


def test_generic_document_is_not_a_report() -> None:
    doc = parse_bytes(b"# Meeting notes\n\nWe met.\n\n## Actions\n\nWrite the plan.\n", "notes.md")
    report = analyse(doc)
    assert not report.is_cqc and report.authority is None and report.statements == ()
    assert ("# Meeting notes".lstrip("# "), "Actions") in {s.path for s in report.sections}


def test_report_without_blank_lines_reads_the_same() -> None:
    """Text saved one paragraph a line, without blank lines, keeps its structure."""
    text = "\n".join(line for line in REAL_REPORT.read_text(encoding="utf-8").splitlines() if line.strip())
    doc = parse_bytes(text.encode(), "compact.txt")
    report = analyse(doc)
    assert report.authority == "Stockton-on-Tees Borough Council" and report.rating == "Good"
    assert [s.score for s in report.statements] == [2, 3, 2, 3, 3, 2, 3, 3, 2]
    assert any(s.path[-1:] == ("Timeliness of assessments, care planning and reviews",)
               for s in report.sections)


def test_hard_wrapped_report_reads_the_same() -> None:
    """Text wrapped at 78 columns (as e-mail or some converters save it) keeps its structure."""
    import textwrap

    paragraphs = REAL_REPORT.read_text(encoding="utf-8").split("\n\n")
    text = "\n\n".join(textwrap.fill(p, 78) if len(p) > 78 else p for p in paragraphs)
    report = analyse(parse_bytes(text.encode(), "wrapped.txt"))
    assert [s.score for s in report.statements] == [2, 3, 2, 3, 3, 2, 3, 3, 2]
    subheadings = {s.path[-1] for s in report.sections if s.path}
    assert "Timeliness of assessments, care planning and reviews" in subheadings
    # Wrapped body lines never become headings.
    assert all(len(s.path[-1]) < 100 for s in report.sections if s.path)
    assert len(report.sections) < 100


def test_scores_table_with_the_label_in_its_own_column_is_read() -> None:
    """A scores table of three columns (statement, "Score: N", label), in a web page or a PDF
    whose rows the parser rebuilt, gives each statement its score and label."""
    labels = {1: "1 - Evidence shows significant shortfalls", 2: "2 - Evidence shows some shortfalls",
              3: "3 - Evidence shows a good standard", 4: "4 - Evidence shows an exceptional standard"}
    scores = [3, 2, 2, 3, 3, 2, 2, 3, 2]
    rows = "".join(f"<tr><th scope='row'>{name}</th><td>Score: {score}</td><td>{labels[score]}</td></tr>"
                   for name, score in zip(STATEMENT_NAMES, scores))
    page = ("<html><body><main><h1>Thornbury Council: local authority assessment</h1>"
            f"<h2>Quality statement scores</h2><table>{rows}</table></main></body></html>")
    statements = analyse(parse_bytes(page.encode(), "thornbury.html")).statements
    assert [(s.name, s.score, s.label) for s in statements] == [
        (name, score, labels[score]) for name, score in zip(STATEMENT_NAMES, scores)]
    # The same table as Markdown in a text report.
    rows = "\n".join(f"| {name} | Score: {score} | {labels[score]} |" for name, score in zip(STATEMENT_NAMES, scores))
    text = f"Thornbury Council: local authority assessment\n\nQuality statement scores\n\n| Statement | Score | Label |\n|---|---|---|\n{rows}\n"
    statements = analyse(parse_bytes(text.encode(), "thornbury.txt")).statements
    assert [(s.name, s.score, s.label) for s in statements] == [
        (name, score, labels[score]) for name, score in zip(STATEMENT_NAMES, scores)]
