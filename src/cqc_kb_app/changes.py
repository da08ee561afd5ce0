"""The Changes page: a council's assessments side by side, and what changed between them.

For a council assessed more than once, the nine quality statement scores, the overall rating
and the percentage of each assessment, oldest to newest, each headed by its publication date,
with the change since the previous assessment (an arrow and words, never colour alone). Every
score cell opens the report at its own score line. The council is in the URL
(``?page=changes&council=...``). The heat map on the Scores page uses :func:`heat_map_marks`
to mark each cell's change the same way.
"""

from __future__ import annotations

import html
from typing import Any, Sequence

import streamlit as st

from cqc_kb import export
from cqc_kb.assessments import Assessment, ChangeRow, CouncilChanges, published_text
from cqc_kb.errors import KbError
from cqc_kb.kb import KnowledgeBase
from cqc_kb.structure import RATINGS, SCORE_LABELS, STATEMENT_NAMES

from .common import SCORE_COLOURS, anchor, html_block, report_link
from .html import md_escape

RATING, PERCENTAGE = "Overall rating", "Percentage"
ARROWS = {"up": "▲", "down": "▼", "same": "="}

CSS = """
<style>
.cqc-changes {overflow-x: auto;}
.cqc-changes table {border-collapse: collapse; font-size: 0.92rem;}
.cqc-changes th, .cqc-changes td {border: 1px solid #ddd; padding: 5px 10px; vertical-align: middle;}
.cqc-changes th {background: #fafafa; font-weight: 600; text-align: center;}
.cqc-changes th .file {display: block; font-weight: 400; color: #555; font-size: 0.8rem;}
.cqc-changes td.measure {text-align: left;}
.cqc-changes td.measure .theme {display: block; color: #555; font-size: 0.78rem;}
.cqc-changes tr.theme-start td {border-top: 2px solid #bbb;}
.cqc-changes td.value {text-align: center; white-space: nowrap;}
.cqc-changes td.value a {color: #1a1a1a; font-weight: 600;}
.cqc-changes td.na {color: #444; font-style: italic;}
.cqc-change {white-space: nowrap; font-weight: 600;}
.cqc-change.up {color: #1b5e20;} .cqc-change.down {color: #8b1a1a;} .cqc-change.same {color: #444;}
.cqc-change.unknown {color: #555; font-weight: 400;}
.cqc-heat .cqc-change {display: block; font-size: 0.72rem; font-weight: 600;}
</style>
"""


# --------------------------------------------------------------------------- pure helpers

def shown_value(kind: str, value: Any) -> str:
    if value is None:
        return "not assessed" if kind == "score" else "not found"
    return f"{value:.1f}%" if kind == "percentage" else str(value)


def _step(kind: str, value: Any) -> float | None:
    if value is None:
        return None
    if kind == "rating":
        return float(RATINGS.index(value) + 1) if value in RATINGS else None
    return float(value)


def change_between(kind: str, before: Any, after: Any) -> tuple[str | None, str]:
    """The direction ("up", "down", "same" or None) and words for a change from ``before`` to
    ``after``: "up 1 (2 to 3)", "down 9.4 points", "up from Requires improvement", "no change"."""
    old, new = _step(kind, before), _step(kind, after)
    if old is None and new is None:
        return None, "not assessed in either" if kind == "score" else "not found in either"
    if old is None or new is None:
        return None, "cannot tell: not assessed in one" if kind == "score" else "cannot tell: not found in one"
    delta = round(new - old, 1)
    if delta == 0:
        return "same", "no change"
    direction = "up" if delta > 0 else "down"
    if kind == "rating":
        return direction, f"{direction} from {before}"
    if kind == "percentage":
        return direction, f"{direction} {abs(delta):.1f} points (from {before:.1f}%)"
    return direction, f"{direction} {abs(delta):g} (from {before:g})"


def change_html(direction: str | None, words: str, short: str | None = None) -> str:
    """The change as an arrow and words (``short`` shown, the words as its title, where room is
    tight); the colour only repeats what they say."""
    shown = html.escape(short or words)
    title = f" title=\"{html.escape(words, quote=True)}\"" if short else ""
    if direction is None:
        return f"<span class='cqc-change unknown'{title}>{shown}</span>"
    return (f"<span class='cqc-change {direction}'{title}><span aria-hidden='true'>{ARROWS[direction]}</span> "
            f"{shown}</span>")


def short_change(kind: str, direction: str | None, before: Any, after: Any) -> str:
    """The change in a few characters, for a heat-map cell: "+1", "-9.4 points", "up", "same"."""
    if direction is None:
        return "no comparison"
    if direction == "same":
        return "same"
    if kind == "rating":
        return direction
    delta = _step(kind, after) - _step(kind, before)
    return f"{delta:+.1f} points" if kind == "percentage" else f"{delta:+g}"


def council_names(kb: KnowledgeBase) -> list[str]:
    """Each council once, by the name in its latest report, in the library's order."""
    return [history[-1].authority for history in kb.assessments().values()]


def previous_assessments(kb: KnowledgeBase) -> dict[str, Assessment]:
    """The assessment before each report of the same council, by file name (first
    assessments have none)."""
    out = {}
    for history in kb.assessments().values():
        for before, after in zip(history, history[1:]):
            out[after.document] = before
    return out


def in_assessment_order(kb: KnowledgeBase, rows: Sequence[Any]) -> list[Any]:
    """Score rows grouped by council, each council's oldest to newest."""
    order = {a.document: i for i, a in enumerate(a for h in kb.assessments().values() for a in h)}
    return sorted(rows, key=lambda r: order.get(r.document, len(order)))


def heat_map_marks(kb: KnowledgeBase, rows: Sequence[Any]) -> dict[str, dict[str, str]]:
    """For each heat-map row (``ReportRow``) that has an earlier assessment: measure (quality
    statement, ``Overall rating`` or ``Percentage``) -> the change since that assessment, as HTML."""
    previous = previous_assessments(kb)
    marks: dict[str, dict[str, str]] = {}
    for row in rows:
        before = previous.get(row.document)
        if before is None:
            continue
        old = {s["name"]: s["score"] for s in kb.store.statements(before.document)}
        since = f" since {published_text(before.published).removeprefix('published ')}"
        pairs = {name: ("score", old.get(name), row.scores.get(name)) for name in STATEMENT_NAMES}
        pairs[RATING] = ("rating", before.rating, row.rating)
        pairs[PERCENTAGE] = ("percentage", before.percentage, row.percentage)
        marks[row.document] = {}
        for name, (kind, was, now) in pairs.items():
            direction, words = change_between(kind, was, now)
            marks[row.document][name] = change_html(direction, words + (since if direction else ""),
                                                    short_change(kind, direction, was, now))
    return marks


def score_lines(kb: KnowledgeBase, document: str) -> dict[str, tuple[int, int]]:
    """Where each quality statement's score line, and the rating line (as ``Overall rating``
    and ``Percentage``), sit in the report's stored text."""
    lines = {s["name"]: (s["start"], s["end"]) for s in kb.store.statements(document)
             if s["start"] is not None and s["end"] is not None}
    row = next((r for r in kb.store.documents() if r["name"] == document), None)
    if row is not None and row["rating_start"] is not None and row["rating_end"] is not None:
        lines[RATING] = lines[PERCENTAGE] = (row["rating_start"], row["rating_end"])
    return lines


# --------------------------------------------------------------------------- the table

def _value_cell(row: ChangeRow, value: Any, a: Assessment, line: tuple[int, int] | None) -> str:
    shown = shown_value(row.kind, value)
    when = published_text(a.published)
    if row.kind == "score" and value is not None:
        title = f"{row.measure}: {value} of 4 ({SCORE_LABELS.get(value, '')}) in the assessment {when}"
    else:
        title = f"{row.measure}: {shown} in the assessment {when}"
    inner = html.escape(shown)
    if line is not None and value is not None:
        inner = anchor(report_link(a.document, *line), inner, title=title + " (open the report at this line)")
    style = f" style='background:{SCORE_COLOURS.get(value, '#eee')}'" if row.kind == "score" else ""
    cls = "value" + (" na" if value is None else "")
    return f"<td class='{cls}'{style} title=\"{html.escape(title, quote=True)}\">{inner}</td>"


def changes_table_html(changes: CouncilChanges, lines: dict[str, dict[str, tuple[int, int]]]) -> str:
    """The assessments side by side; ``lines`` gives, by file name, where each measure's line
    sits in the report (see :func:`score_lines`)."""
    assessments = changes.assessments
    heads = "".join(
        f"<th scope='col'>{html.escape(published_text(a.published).removeprefix('published '))}"
        f"<span class='file'>{anchor(report_link(a.document), html.escape(a.document), title=f'Open {a.document}')}"
        f"</span></th>" for a in assessments)
    head = (f"<tr><th scope='col'>Measure</th>{heads}<th scope='col'>Change since the previous "
            "assessment</th></tr>")
    body = []
    theme = None
    for row in changes.rows:
        starts_theme = row.theme != theme
        theme = row.theme
        label = html.escape(row.measure) + (f"<span class='theme'>{html.escape(row.theme)}</span>"
                                            if row.theme and starts_theme else "")
        cells = [f"<td class='measure'>{label}</td>"]
        cells += [_value_cell(row, value, a, lines.get(a.document, {}).get(row.measure))
                  for value, a in zip(row.values, assessments)]
        direction, words = change_between(row.kind, *row.values[-2:])
        cells.append(f"<td>{change_html(direction, words)}</td>")
        cls = " class='theme-start'" if starts_theme else ""
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return f"<table lang='en'><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


def summary(changes: CouncilChanges) -> str:
    """One sentence: how many scores went up, down or stayed, and the rating's change."""
    before, after = changes.assessments[-2], changes.assessments[-1]
    scores = [r for r in changes.rows if r.kind == "score"]
    counts = {d: sum(r.direction == d for r in scores) for d in ("up", "down", "same")}
    unknown = len(scores) - sum(counts.values())
    rating = changes.row(RATING)
    old, new = rating.values[-2:]
    rating_words = (f"the rating stayed {new}" if rating.direction == "same" else
                    f"the rating went from {old} to {new}" if rating.direction else
                    "the rating cannot be compared")
    return (f"Between the assessments {published_text(before.published)} and {published_text(after.published)}: "
            f"{counts['up']} of {len(scores)} scores went up, {counts['down']} went down, "
            f"{counts['same']} stayed the same" + (f", {unknown} cannot be compared" if unknown else "")
            + f"; {rating_words}.")


# --------------------------------------------------------------------------- page

def _on_council() -> None:
    st.query_params["council"] = st.session_state["changes_council"]


def render(kb: KnowledgeBase) -> None:
    st.header("Changes between assessments")
    st.markdown(CSS, unsafe_allow_html=True)
    names = council_names(kb)
    if not names:
        st.info("No council reports are indexed yet. Add reports on the Library page.")
        return
    history = kb.assessments()
    counts = {h[-1].authority: len(h) for h in history.values()}
    wanted = st.query_params.get("council")
    if wanted and st.session_state.get("changes_url_council") != wanted:
        st.session_state["changes_url_council"] = wanted
        try:
            st.session_state["changes_council"] = kb.changes(wanted)[0].authority
        except KbError:
            st.warning(f"No report in the library is about {md_escape(wanted)}; choose a council below.")
    if st.session_state.get("changes_council") not in names:
        several = [n for n in names if counts[n] > 1]
        st.session_state["changes_council"] = (several or names)[0]
    reassessed = sum(c > 1 for c in counts.values())
    st.markdown(f"{reassessed} of {len(names)} council{'s' if len(names) != 1 else ''} in the library "
                f"{'has' if reassessed == 1 else 'have'} more than one assessment. Each score links to "
                "its line in the report.")
    authority = st.selectbox(
        "Council", names, key="changes_council", on_change=_on_council,
        format_func=lambda n: f"{n} ({counts[n]} assessment{'s' if counts[n] != 1 else ''})")
    [changes] = kb.changes(authority)
    if len(changes.assessments) == 1:
        only = changes.assessments[0]
        st.info(f"{md_escape(changes.authority)} has one assessment in the library "
                f"({published_text(only.published)}), so there is no change to show. Its scores are on the "
                "Scores page.")
        return
    st.subheader(f"{changes.authority}: {len(changes.assessments)} assessments", anchor=False)
    st.markdown(md_escape(summary(changes)))
    lines = {a.document: score_lines(kb, a.document) for a in changes.assessments}
    html_block(changes_table_html(changes, lines), "cqc-changes")
    st.caption("▲ up, ▼ down, = no change, each since the assessment before the newest. Scores are 1 to 4; "
               "the percentage is the total score out of the maximum for the statements assessed.")
    st.download_button("Download changes (CSV)", export.changes_to_csv(changes),
                       f"changes-{changes.assessments[-1].council.replace(' ', '-')}.csv", mime="text/csv",
                       key="dl_changes_csv")
