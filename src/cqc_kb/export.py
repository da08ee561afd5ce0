"""Downloads for the app: answers, comparisons and the score table as CSV or Markdown.

Every export stands on its own: it names the question, the filters used, each cited report's
file and publication date, and when it was made (UTC, ISO 8601). A "no clear answer" export
holds the nearest passages that were shown instead of an answer.

Quotes and passages are written with PDF line breaks normalised (a hard line break inside a
sentence becomes a space); their ``start``/``end`` columns still point at the stored text of
the report, so ``document_text[start:end]`` gives the quote exactly as stored.

Pure functions returning ``str``. CSV cells that a spreadsheet would run as a formula are
prefixed with an apostrophe; Markdown table cells have pipes and line breaks escaped.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import io
import re
from typing import Any, Iterable, Sequence

from .records import Answer, Citation, Hit, council_label
from .structure import STATEMENT_NAMES

_FORMULA_START = re.compile(r"^(?:[=+@\t\r]|-(?=[^\s\d]))")
#: How each filter field is named in an export; a field not listed is named by its own name.
_FILTER_LABELS = {"authorities": "council", "documents": "report file", "themes": "theme",
                  "statements": "quality statement", "scores": "score", "ratings": "rating",
                  "assessments": "assessments"}
NO_FILTERS = "none (all reports)"


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


def normalise_text(text: str | None) -> str:
    """Report text on one line: a hard line break (PDF wrapping) becomes a space, except after
    a hyphen, where the word continues ("Stockton-on-\\nTees"); runs of spaces become one."""
    if not text:
        return ""
    text = re.sub(r"(?<=\w-)[ \t]*\n\s*(?=\w)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def generated_at(when: _dt.datetime | None = None) -> str:
    """``when`` (default: now) as a UTC ISO 8601 timestamp to the second, e.g. ``2026-11-26T18:00:00Z``."""
    when = when or _dt.datetime.now(_dt.timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return when.astimezone(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def describe_filters(filters: Any = None) -> str:
    """The filters in words, e.g. ``council: Larchfield Unitary Council; score: 1, 2``.

    ``filters`` is a :class:`cqc_kb.retrieve.Filters` (any dataclass of tuples works, so fields
    added later are named too), a mapping of name to values, or None. A field holding a single
    string (such as ``assessments="latest"``, the default) is named only when it is not the default.
    """
    if filters is None:
        return NO_FILTERS
    if dataclasses.is_dataclass(filters):
        items = []
        for f in dataclasses.fields(filters):
            value = getattr(filters, f.name)
            if isinstance(value, str) and value == f.default:
                continue
            items.append((f.name, value))
    else:
        items = list(dict(filters).items())
    parts = []
    for name, value in items:
        values = [value] if isinstance(value, (str, int)) else list(value or ())
        values = [str(v) for v in values if v not in (None, "")]
        if values:
            parts.append(f"{_FILTER_LABELS.get(name, name)}: {', '.join(values)}")
    return "; ".join(parts) or NO_FILTERS


def _page(page: int | None) -> str:
    return "" if page is None else str(page)


def _place(c: Citation | Hit) -> str:
    parts = [c.authority or c.document, c.section]
    if c.page is not None:
        parts.append(f"page {c.page}")
    return ", ".join(p for p in parts if p)


def _quote_block(text: str) -> str:
    return "> " + normalise_text(text)


def _reports(items: Iterable[Citation | Hit]) -> list[str]:
    """One line per distinct report: authority, file and publication date."""
    seen: dict[str, str] = {}
    for c in items:
        if c.document not in seen:
            seen[c.document] = (f"{council_label(c.authority, c.published, c.document)}, "
                                f"file {c.document}")
    return list(seen.values())


def _header_md(title: str, filters: Any, generated: str, reports: list[str]) -> list[str]:
    lines = [f"# {_md(title)}", "", f"- Filters: {_md(describe_filters(filters))}",
             f"- Generated: {generated} (UTC)"]
    if reports:
        lines.append("- Reports:")
        lines += [f"  - {_md(r)}" for r in reports]
    return lines + [""]


def _all_citations(answer: Answer) -> list[tuple[Any, Citation]]:
    """(group or None, citation) for every citation, council groups first; a citation that is
    in no group is listed once after them."""
    out: list[tuple[Any, Citation]] = []
    seen = set()
    for group in answer.groups:
        for c in group.citations:
            out.append((group, c))
            seen.add((c.n, c.document, c.start, c.end))
    out += [(None, c) for c in answer.citations if (c.n, c.document, c.start, c.end) not in seen]
    return out


# --------------------------------------------------------------------------- answers

ANSWER_COLUMNS = ("question", "filters", "generated_utc", "answer", "abstained", "kind", "n",
                  "council", "council_answer", "quote", "authority", "document", "published",
                  "section", "page", "start", "end", "quality_statement", "statement_score")


def answer_to_csv(answer: Answer, filters: Any = None, generated: _dt.datetime | None = None) -> str:
    """One row per citation (``kind`` = ``citation``), or, for "no clear answer", one row per
    nearest passage shown (``kind`` = ``nearest passage``); one bare row if there is neither.
    ``quote`` is normalised text; ``start``/``end`` are offsets in the stored report text."""
    stamp = generated_at(generated)
    base = [answer.question, describe_filters(filters), stamp, normalise_text(answer.answer),
            "yes" if answer.abstained else "no"]
    rows = []
    for group, c in _all_citations(answer):
        rows.append(base + ["citation", c.n,
                            council_label(group.authority, group.published, group.document) if group else "",
                            normalise_text(group.answer) if group else "", normalise_text(c.quote),
                            c.authority or "", c.document, c.published or "", c.section, _page(c.page),
                            c.start, c.end, c.statement or "",
                            "" if c.statement_score is None else c.statement_score])
    if answer.abstained or not rows:
        for h in answer.hits:
            rows.append(base + ["nearest passage", h.rank, "", "", normalise_text(h.text), h.authority or "",
                                h.document, h.published or "", h.section, _page(h.page), h.start, h.end,
                                h.statement or "", "" if h.statement_score is None else h.statement_score])
    if not rows:
        rows.append(base + [""] * (len(ANSWER_COLUMNS) - len(base)))
    return _csv(ANSWER_COLUMNS, rows)


def _source_lines(c: Citation) -> list[str]:
    score = "" if c.statement_score is None else f" (score {c.statement_score} of 4)"
    statement = f"; quality statement: {c.statement}{score}" if c.statement else ""
    published = f", published {c.published}" if c.published else ""
    return [f"[{c.n}] {_place(c)}{statement}; file {c.document}{published}; "
            f"characters {c.start}-{c.end}", "", _quote_block(c.quote), ""]


def answer_to_markdown(answer: Answer, filters: Any = None, generated: _dt.datetime | None = None) -> str:
    """The answer with its question, filters, reports, time made and every source quoted."""
    cited = [c for _, c in _all_citations(answer)]
    shown_hits = list(answer.hits) if answer.abstained or not cited else []
    lines = _header_md(answer.question, filters, generated_at(generated), _reports(cited + shown_hits))
    if answer.abstained:
        lines += ["*No clear answer in these reports.*", ""]
    elif answer.groups:
        if answer.reports_searched:
            lines += [f"Answered in {len(answer.groups)} of {answer.reports_searched} reports.", ""]
        for group in answer.groups:
            lines += [f"## {_md(council_label(group.authority, group.published, group.document))}", "",
                      normalise_text(group.answer), ""]
    else:
        lines += [normalise_text(answer.answer), ""]
    if cited:
        lines += ["## Sources", ""]
        for c in cited:
            lines += _source_lines(c)
    if shown_hits:
        lines += ["## Nearest passages", "",
                  "None of these answers the question clearly enough to quote; they are shown for reading.", ""]
        for h in shown_hits:
            published = f", published {h.published}" if h.published else ""
            lines += [f"{h.rank}. {_place(h)}; file {h.document}{published}; characters {h.start}-{h.end}", "",
                      _quote_block(h.text), ""]
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------------- comparisons

def _row_score(row: Any) -> tuple[str, str]:
    score = getattr(row, "score", None) or {}
    return score.get("quality_statement") or "", "" if score.get("value") is None else str(score["value"])


def _figure(row: Any) -> tuple[str, str, str]:
    figure = getattr(row, "figure", None)
    if figure is None:
        return "", "", ""
    value = figure.value
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    return shown, figure.unit, normalise_text(figure.text)


COMPARE_COLUMNS = ("question", "filters", "generated_utc", "authority", "document", "published", "answer",
                   "evidence_found", "quality_statement", "score", "figure", "figure_unit", "figure_text",
                   "citation", "quote", "section", "page", "start", "end")


def compare_to_csv(question: str, rows: Sequence[Any], filters: Any = None,
                   generated: _dt.datetime | None = None) -> str:
    """One row per authority and citation; ``rows`` are :class:`cqc_kb.kb.CompareRow`."""
    stamp = generated_at(generated)
    out = []
    for row in rows:
        statement, score = _row_score(row)
        found = not row.answer.abstained and bool(row.answer.citations)
        base = [question, describe_filters(filters), stamp, row.authority, row.document,
                getattr(row, "published", None) or "", normalise_text(row.answer.answer),
                "yes" if found else "no", statement, score, *_figure(row)]
        if row.answer.citations:
            out += [base + [c.n, normalise_text(c.quote), c.section, _page(c.page), c.start, c.end]
                    for c in row.answer.citations]
        else:
            out.append(base + ["", "", "", "", "", ""])
    return _csv(COMPARE_COLUMNS, out)


def compare_to_markdown(question: str, rows: Sequence[Any], filters: Any = None,
                        generated: _dt.datetime | None = None) -> str:
    """A table with one row per council, then the reports it drew on."""
    reports = [f"{council_label(r.authority, getattr(r, 'published', None), r.document)}, file {r.document}"
               for r in rows]
    lines = _header_md(question, filters, generated_at(generated), reports)
    lines += ["| Council | Published | Score | Figure | Answer | Evidence |", "|---|---|---|---|---|---|"]
    for row in rows:
        statement, score = _row_score(row)
        score_cell = f"{score} ({statement})" if score else "no score"
        value, unit, _ = _figure(row)
        figure_cell = f"{value} {unit}".strip() if value else ""
        if row.answer.citations:
            evidence = " ".join(f"[{c.n}] \u201c{normalise_text(c.quote)}\u201d ({c.section}"
                                f"{', page ' + str(c.page) if c.page is not None else ''})"
                                for c in row.answer.citations)
        else:
            evidence = "no evidence found in this report"
        lines.append(f"| {_md(row.authority)} | {_md(getattr(row, 'published', None) or '')} | "
                     f"{_md(score_cell)} | {_md(figure_cell)} | {_md(normalise_text(row.answer.answer))} | "
                     f"{_md(evidence)} |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- scores

SCORE_COLUMNS = ("authority", "document", "published", "rating", "percentage") + STATEMENT_NAMES + (
    "warnings", "generated_utc")


def scores_to_csv(rows: Sequence[Any], generated: _dt.datetime | None = None) -> str:
    """The score table (``ReportRow``s): one row per authority, one column per quality statement."""
    stamp = generated_at(generated)
    out = []
    for r in rows:
        out.append([r.authority, r.document, r.published or "", r.rating or "",
                    "" if r.percentage is None else r.percentage]
                   + ["" if r.scores.get(n) is None else r.scores[n] for n in STATEMENT_NAMES]
                   + ["; ".join(r.warnings), stamp])
    return _csv(SCORE_COLUMNS, out)


def scores_to_markdown(rows: Sequence[Any], generated: _dt.datetime | None = None) -> str:
    """The score table as Markdown: each council with its report file and publication date."""
    lines = ["# Published scores", "", f"- Generated: {generated_at(generated)} (UTC)", "",
             "| Council | Published | File | Rating | Score % | " + " | ".join(STATEMENT_NAMES) + " |",
             "|" + "---|" * (5 + len(STATEMENT_NAMES))]
    for r in rows:
        cells = [r.authority, r.published or "", r.document, r.rating or "",
                 "" if r.percentage is None else f"{r.percentage:.1f}"]
        cells += ["not assessed" if r.scores.get(n) is None else str(r.scores[n]) for n in STATEMENT_NAMES]
        lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
    warned = [(r.authority, w) for r in rows for w in r.warnings]
    if warned:
        lines += ["", "## Checks on the reports", ""] + [f"- {_md(a)}: {_md(w)}" for a, w in warned]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- changes

def changes_to_csv(changes: Any, generated: _dt.datetime | None = None) -> str:
    """A council's assessments side by side (:class:`cqc_kb.assessments.CouncilChanges`): one row
    per measure, one column per assessment headed by its publication date and file, oldest
    first, then the change since the previous assessment."""
    stamp = generated_at(generated)
    heads = tuple(f"{a.published or 'date unknown'} ({a.document})" for a in changes.assessments)
    header = ("council", "measure", "theme") + heads + ("change_since_previous", "direction", "generated_utc")
    out = []
    for row in changes.rows:
        values = ["" if v is None else v for v in row.values]
        out.append([changes.authority, row.measure, row.theme or "", *values,
                    "" if row.change is None else f"{row.change:g}", row.direction or "", stamp])
    return _csv(header, out)
