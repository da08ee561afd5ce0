"""Downloads for the app: answers, comparisons and the score table as CSV or Markdown.

Pure functions returning ``str``. CSV cells that a spreadsheet would run as a formula are
prefixed with an apostrophe; Markdown table cells have pipes and line breaks escaped.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable, Sequence

from .records import Answer, Citation, council_label
from .structure import STATEMENT_NAMES

_FORMULA_START = re.compile(r"^(?:[=+@\t\r]|-(?=[^\s\d]))")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if _FORMULA_START.match(text) else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue()


def _md(text: Any) -> str:
    """One Markdown table cell."""
    if text is None:
        return ""
    return re.sub(r"\s*\n\s*", " ", str(text)).replace("\\", "\\\\").replace("|", "\\|").strip()


def _quote_block(text: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in text.strip().splitlines())


def _page(page: int | None) -> str:
    return "" if page is None else str(page)


def _place(c: Citation) -> str:
    parts = [council_label(c.authority, c.published, c.document), c.section]
    if c.page is not None:
        parts.append(f"page {c.page}")
    return ", ".join(p for p in parts if p)


CITATION_COLUMNS = ("n", "quote", "authority", "document", "section", "page",
                    "quality_statement", "statement_score", "published")


def _citation_cells(c: Citation) -> list[Any]:
    return [c.n, c.quote, c.authority or "", c.document, c.section, _page(c.page),
            c.statement or "", "" if c.statement_score is None else c.statement_score, c.published or ""]


def answer_to_csv(answer: Answer) -> str:
    """One row per citation (one row with empty citation columns if there is none)."""
    header = ("question", "answer", "abstained") + CITATION_COLUMNS
    base = [answer.question, answer.answer, "yes" if answer.abstained else "no"]
    rows = [base + _citation_cells(c) for c in answer.citations] or [base + [""] * len(CITATION_COLUMNS)]
    return _csv(header, rows)


def answer_to_markdown(answer: Answer) -> str:
    lines = [f"# {_md(answer.question)}", ""]
    if answer.abstained:
        lines += ["*No clear answer in these reports.*", ""]
    lines += [answer.answer.strip(), ""]
    if answer.citations:
        lines += ["## Sources", ""]
        for c in answer.citations:
            score = "" if c.statement_score is None else f" (score {c.statement_score} of 4)"
            statement = f"; quality statement: {c.statement}{score}" if c.statement else ""
            lines += [f"[{c.n}] {_place(c)}{statement}", "", _quote_block(c.quote), ""]
    return "\n".join(lines).rstrip() + "\n"


def _row_score(row: Any) -> tuple[str, str]:
    score = getattr(row, "score", None) or {}
    return score.get("quality_statement") or "", "" if score.get("value") is None else str(score["value"])


def compare_to_csv(question: str, rows: Sequence[Any]) -> str:
    """One row per authority and citation; ``rows`` are :class:`cqc_kb.kb.CompareRow`."""
    header = ("question", "authority", "document", "answer", "evidence_found", "quality_statement",
              "score", "citation", "quote", "section", "page", "published")
    out = []
    for row in rows:
        statement, score = _row_score(row)
        base = [question, row.authority, row.document, row.answer.answer,
                "no" if row.answer.abstained else "yes", statement, score]
        if row.answer.citations:
            out += [base + [c.n, c.quote, c.section, _page(c.page), row.published or ""]
                    for c in row.answer.citations]
        else:
            out.append(base + ["", "", "", "", row.published or ""])
    return _csv(header, out)


def compare_to_markdown(question: str, rows: Sequence[Any]) -> str:
    lines = [f"# {_md(question)}", "", "| Authority | Score | Answer | Evidence |", "|---|---|---|---|"]
    for row in rows:
        statement, score = _row_score(row)
        score_cell = f"{score} ({statement})" if score else ""
        if row.answer.citations:
            evidence = " ".join(f"[{c.n}] \u201c{c.quote}\u201d ({c.section}"
                                f"{', page ' + str(c.page) if c.page is not None else ''})"
                                for c in row.answer.citations)
        else:
            evidence = "no evidence found in this report"
        label = council_label(row.authority, row.published, row.document)
        lines.append(f"| {_md(label)} | {_md(score_cell)} | {_md(row.answer.answer)} | {_md(evidence)} |")
    return "\n".join(lines) + "\n"


def scores_to_csv(rows: Sequence[Any]) -> str:
    """The score table (``ReportRow``s): one row per authority, one column per quality statement."""
    header = ("authority", "document", "published", "rating", "percentage") + STATEMENT_NAMES + ("warnings",)
    out = []
    for r in rows:
        out.append([r.authority, r.document, r.published or "", r.rating or "",
                    "" if r.percentage is None else r.percentage]
                   + ["" if r.scores.get(n) is None else r.scores[n] for n in STATEMENT_NAMES]
                   + ["; ".join(r.warnings)])
    return _csv(header, out)
