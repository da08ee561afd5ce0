"""Retrieval, answers, score questions and comparisons over the fixture corpus (hash embedder)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from cqc_kb.answer import (Answerer, _Candidate, _counted_stages, _counts, _named_place, _same_subject, _describes, _opposite_event, _other_group,
                           _NEGATED_QUESTION, _names_asked, _only_negated, _other_period, _other_place, _same_stem, _share_of, _spelt_out, _subjects_of, _table_context,
                           _table_header, asked_terms)
from cqc_kb.errors import KbError
from cqc_kb.kb import NO_EVIDENCE, sort_by_figure
from cqc_kb.query import counted_nouns, parse_question, subjects_in
from cqc_kb.records import council_label
from cqc_kb.retrieve import MODES, Filters
from cqc_kb.text import stem

from conftest import FIXTURES

STOCKTON = "Stockton-on-Tees Borough Council"


def _own_candidate(hit, sentence: str) -> _Candidate:
    """``sentence`` as a candidate whose passage is ``hit`` holding that sentence alone."""
    return _Candidate(replace(hit, text=sentence), 0, 0, 1.0, sentence.lower(), sentence)


def _valid(kb, citations) -> bool:
    return all(kb.store.document_text(c.document)[c.start:c.end] == c.quote for c in citations)


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_finds_the_waiting_time_passage(hash_kb, mode: str) -> None:
    hits = hash_kb.search("median waiting time Care Act assessment 288 days", k=5, mode=mode,
                          filters=Filters(authorities=(STOCKTON,)))
    assert hits and any("median waiting time was 28 days" in h.text for h in hits)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))


def test_filters_restrict_every_hit(hash_kb) -> None:
    hits = hash_kb.search("safeguarding enquiries", k=10,
                          filters=Filters(statements=("Safeguarding",), scores=(4,)))
    assert hits
    assert all(h.statement == "Safeguarding" and h.statement_score == 4 for h in hits)
    assert {h.authority for h in hits} == {"Larchfield Unitary Council"}
    assert hash_kb.search("safeguarding", filters=Filters(ratings=("Inadequate",))) == []


@pytest.mark.parametrize("share", ["one report", "every other passage", "all"])
def test_lexical_search_under_filters_is_the_unfiltered_ranking_filtered(hash_kb, share: str) -> None:
    import numpy as np

    retriever = hash_kb.retriever
    owner = retriever._chunk_documents()
    ids = sorted(owner)
    allowed = {"one report": [i for i in ids if owner[i] == owner[ids[0]]],
               "every other passage": ids[::2], "all": ids}[share]
    question = "How many people were waiting for an occupational therapy assessment?"
    ranking = retriever.lexical(question, len(ids), None)
    expected = [i for i in ranking if i in set(allowed)]
    assert len(expected) > 10
    assert retriever.lexical(question, 10, np.asarray(allowed, dtype=np.int64)) == expected[:10]
    assert retriever.lexical(question, len(ids), np.asarray(allowed, dtype=np.int64)) == expected


def test_answer_quotes_are_verbatim_with_offsets(hash_kb) -> None:
    answer = hash_kb.ask("What was the median waiting time for a Care Act assessment?",
                         filters=Filters(authorities=(STOCKTON,)))
    assert not answer.abstained
    assert any("28 days" in c.quote for c in answer.citations)
    assert _valid(hash_kb, answer.citations)
    for c in answer.citations:
        assert f"[{c.n}]" in answer.answer and c.authority == STOCKTON


def test_unrelated_question_abstains(hash_kb) -> None:
    answer = hash_kb.ask("zebra quantum saxophone volcano")
    assert answer.abstained and answer.citations == ()
    assert "No clear answer" in answer.answer


def test_empty_question_is_an_error(hash_kb) -> None:
    with pytest.raises(KbError, match="empty"):
        hash_kb.ask("   ")


def test_score_questions_come_from_the_table(hash_kb) -> None:
    answer = hash_kb.ask("Which councils scored 1 or 2 on safeguarding?")
    expected = {f.authority for f in FIXTURES if dict(f.scores)["Safeguarding"] in (1, 2)}
    assert {c.authority for c in answer.citations} == expected
    for c in answer.citations:
        score = re.match(r"Score: ([1-4])\b", c.quote)
        assert score and int(score.group(1)) in (1, 2)
        # The quote runs on to the score's label, which says what the number means.
        assert re.search(rf"\n{score.group(1)} [-\u2013] Evidence shows [a-z ]+$", c.quote), c.quote
    assert _valid(hash_kb, answer.citations)

    rating = hash_kb.ask("What was Stockton-on-Tees's overall rating?")
    assert [c.authority for c in rating.citations] == [STOCKTON]
    assert rating.citations[0].quote == "Good" and "63.9%" in rating.answer
    assert _valid(hash_kb, rating.citations)


def test_scores_table(hash_kb) -> None:
    rows = {r.authority: r for r in hash_kb.scores()}
    assert set(rows) == {STOCKTON} | {f.authority for f in FIXTURES}
    stockton = rows[STOCKTON]
    assert list(stockton.scores.values()) == [2, 3, 2, 3, 3, 2, 3, 3, 2]
    assert stockton.percentage == 63.9 and stockton.rating == "Good" and stockton.published == "2025-10-24"
    assert any("Safeguarding" in w for w in stockton.warnings)
    for f in FIXTURES:
        assert list(rows[f.authority].scores.items()) == list(f.scores)


def test_compare_keeps_each_authority_to_its_own_report(hash_kb) -> None:
    rows = hash_kb.compare("What is the median wait for a Care Act assessment?")
    assert len(rows) == 1 + len(FIXTURES)
    for row in rows:
        assert all(c.document == row.document and c.authority == row.authority
                   for c in row.answer.citations)
        assert _valid(hash_kb, row.answer.citations)
        if row.answer.abstained:
            assert row.answer.answer == NO_EVIDENCE
    waits = {f.authority: f"{f.median_wait_days} days" for f in FIXTURES}
    found = [r for r in rows if r.authority in waits
             and any(waits[r.authority] in c.quote for c in r.answer.citations)]
    assert found  # the hash test embedder is weak; the real-model test checks every row


def test_compare_unknown_authority_is_an_error(hash_kb) -> None:
    with pytest.raises(KbError, match="no report in the index"):
        hash_kb.compare("anything", authorities=["Atlantis Council"])


def test_compare_says_when_a_report_has_no_evidence(hash_kb) -> None:
    rows = hash_kb.compare("zebra quantum saxophone volcano", authorities=[STOCKTON])
    assert rows[0].answer.abstained and rows[0].to_json()["answer"] == NO_EVIDENCE
    assert rows[0].score is None


def test_a_question_naming_a_council_uses_only_its_report(hash_kb) -> None:
    answer = hash_kb.ask("What is the median wait for a Care Act assessment in Kestrel Moor?")
    assert answer.hits and {h.authority for h in answer.hits} == {"Kestrel Moor Metropolitan Borough Council"}


def test_rating_words_alone_do_not_trigger_the_score_table(hash_kb) -> None:
    answer = hash_kb.ask("Which services were rated highly by unpaid carers?")
    assert answer.extra.get("source") != "score table"
    table = hash_kb.ask("Which councils were rated Outstanding?")
    assert [c.authority for c in table.citations] == ["Larchfield Unitary Council"]


@pytest.mark.parametrize("question", [
    "What rating did Ofsted give Kestrel Moor's children's services?",
    "What proportion of Stockton's residential care homes were rated Good?",
    "How was the local NHS trust rated?",
    "What CQC rating did maternity services at Larchfield Royal Infirmary receive?",
    "What share of home care services in Kestrel Moor were rated good or outstanding?",
    "What share of day services in Stockton-on-Tees were rated good?",
])
def test_ratings_of_other_bodies_are_not_answered_from_the_council_table(hash_kb, question: str) -> None:
    answer = hash_kb.ask(question)
    assert answer.extra.get("source") != "score table"
    assert not any(c.quote in ("Good", "Requires improvement", "Outstanding", "Inadequate")
                   for c in answer.citations)


def test_library_wide_questions_are_answered_council_by_council(hash_kb) -> None:
    answer = hash_kb.ask("How many people were waiting for a Care Act assessment?")
    assert not answer.abstained and len(answer.groups) > 1
    assert answer.reports_searched == 1 + len(FIXTURES)
    assert len({g.document for g in answer.groups}) == len(answer.groups)
    confidences = [g.confidence for g in answer.groups]
    assert confidences == sorted(confidences, reverse=True)
    for group in answer.groups:
        assert group.citations and _valid(hash_kb, group.citations)
        # Each group cites only its own report, and its text names its council.
        assert {c.document for c in group.citations} == {group.document}
        assert {c.authority for c in group.citations} == {group.authority}
        assert group.answer.startswith(council_label(group.authority, group.published, group.document))
    # The flat answer and citations stay for JSON readers, markers unique, councils named.
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert _valid(hash_kb, answer.citations)
    for c in answer.citations:
        assert f"[{c.n}]" in answer.answer
        assert council_label(c.authority, c.published, c.document) in answer.answer
    data = answer.to_json()
    assert data["groups"][0]["citations"] and data["reports_searched"] == answer.reports_searched


def test_filtered_or_named_questions_are_not_grouped(hash_kb) -> None:
    scoped = hash_kb.ask("How many people were waiting for a Care Act assessment?",
                         filters=Filters(authorities=(STOCKTON,)))
    named = hash_kb.ask("How many people were waiting for a Care Act assessment in Kestrel Moor?")
    for answer in (scoped, named):
        assert answer.groups == ()
    # One council's answer still names it, so a copied figure keeps its owner.
    assert not scoped.abstained and scoped.answer.startswith(f"{STOCKTON} (published 24 October 2025):")


@pytest.mark.parametrize("question", [
    "What is the council's policy on electric vehicle charging?",
    "How many people are waiting for a wheelchair in Stockton-on-Tees?",
    "How long do people wait for dental treatment in Kestrel Moor?",
    "How long do patients wait for a hip replacement?",
])
def test_look_alike_subjects_abstain_and_keep_the_nearest_passages(hash_kb, question: str) -> None:
    answer = hash_kb.ask(question)
    assert answer.abstained and answer.citations == () and answer.groups == ()
    assert answer.answer.startswith("No clear answer")
    assert answer.hits
    assert answer.extra["strength"] == "weak"


def test_a_two_word_name_whose_first_word_is_missing_is_not_answered_by_the_second(hash_kb) -> None:
    quote = "The median wait was 44 days, and the council was replacing analogue alarms with digital units."
    cand = _own_candidate(hash_kb.search("median wait days", k=1)[0], quote)
    asked = parse_question("How long do patients wait for a hip replacement?")
    assert asked.compounds == (("hip", "replacement"),)
    assert hash_kb.answerer._misfit(asked, cand, [cand]) == "not about hip, replacement"
    # Without the first word the passage may answer: "replacing" is a replacement.
    assert hash_kb.answerer._misfit(parse_question("How long do patients wait for a replacement?"), cand, [cand]) is None


def test_a_question_for_a_figure_the_sentence_lacks_abstains(hash_kb) -> None:
    # Kestrel Moor gives how long Disabled Facilities Grant adaptations take, not how many wait.
    answer = hash_kb.ask("How many people are waiting for a Disabled Facilities Grant in Kestrel Moor?")
    assert answer.abstained
    assert answer.extra.get("abstained_because")


def test_every_answer_carries_a_strength_cue(hash_kb) -> None:
    for question, filters in (("What was the median waiting time for a Care Act assessment?",
                               Filters(authorities=(STOCKTON,))),
                              ("How many people were waiting for a Care Act assessment?", None),
                              ("zebra quantum saxophone volcano", None),
                              ("Which councils scored 1 or 2 on safeguarding?", None)):
        answer = hash_kb.ask(question, filters=filters)
        assert answer.extra["strength"] in {"strong", "moderate", "weak"}
        if answer.abstained:
            assert answer.extra["strength"] == "weak"


def test_compare_rows_carry_the_figure_of_their_quote(hash_kb) -> None:
    rows = hash_kb.compare("What is the median wait for a Care Act assessment?")
    with_figure = [r for r in rows if r.figure is not None]
    assert with_figure
    for row in rows:
        if row.figure is not None:
            assert row.figure.unit in ("days", "weeks", "months")
            assert any(row.figure.text in c.quote for c in row.answer.citations)
            assert row.figure_note is None
        else:
            assert row.figure_note and "no waiting-time" in row.figure_note
        assert row.to_json()["figure"] == (row.figure.to_json() if row.figure else None)
    ordered = sort_by_figure(rows)
    values = [r.figure.value for r in ordered if r.figure is not None and r.figure.unit == "days"]
    assert values == sorted(values)
    assert all(r.figure is None for r in ordered[len(with_figure):])


def test_compare_without_a_figure_question_has_no_figures(hash_kb) -> None:
    rows = hash_kb.compare("How do councils work with unpaid carers?")
    assert all(r.figure is None and r.figure_note is None for r in rows)


def test_no_waiting_list_answers_how_many_were_waiting(hash_kb) -> None:
    answerer = hash_kb.answerer
    hit = hash_kb.search("home care waiting list", k=1)[0]
    waiting = parse_question("How many people were waiting for a package of home care to start?")
    assert "package" not in waiting.key_terms
    sentence = "There was no waiting list for home care, and most packages started within a week."
    cand = _Candidate(hit, 0, 0, 1.0, sentence.lower(), sentence, ("home care",))
    assert answerer._misfit(waiting, cand, [cand]) is None
    # ... but not how many people received home care.
    received = parse_question("How many people received home care?")
    assert answerer._misfit(received, cand, [cand]) == "counts something else"


@pytest.mark.parametrize(("question", "sentence", "counts"), [
    # The counted noun may sit anywhere in the clause that gives the count ...
    ("How many young carers were referred?", "Only 14 referrals were made for young carers in 2024.", True),
    ("How many complaints were there?", "The council received 212 adult social care complaints.", True),
    ("How many people were waiting for advocacy?", "59 people were waiting for advocacy.", True),
    # ... but a duration or share is not a count of it, and "people" must be what is counted.
    ("How many young carers were referred?", "The median wait was 28 days for young carers.", False),
    ("How many people were waiting?",
     "People contacted the Front Door, a team of social workers and 8 Community Wellbeing Navigators.", False),
    # Residents who "live in placements" are counted as people.
    ("How many residents live in placements outside the city?",
     "The council placed 64 people, most of them younger adults, outside the city.", True),
    # A number of people, or of visits, is not a number of assessments or of hubs.
    ("How many Care Act assessments did the council complete?",
     "On 31 March 2025, 1,214 people were waiting for a Care Act assessment.", False),
    ("How many Live Well hubs closed in 2024/25?", "The hubs had around 21,000 visits in 2024/25.", False),
    ("How many Care Act assessments did the council complete?",
     "The council completed 3,487 Care Act assessments in 2024/25.", True),
    # A role is counted as itself: people placed in services are not social workers.
    ("How many qualified social workers does the council employ?",
     "Reviews for the 141 people placed in services out of area were completed face-to-face.", False),
    # A hyphenated noun is one word; a number joined to its noun counts it, in any of its names.
    ("How many call-outs did the responders attend?", "Its responders attended 3,960 call-outs.", True),
    ("How many extra care flats are there?", "A 60-apartment extra care scheme opened in 2024.", True),
    # Patients and clients are people.
    ("How many patients a day were in hospital without needing to be?",
     "An average of 58 people a day were in hospital although they no longer needed to be there.", True),
    # "X of Y Z": either noun may be the one counted.
    ("How many deprivation of liberty applications were waiting?", "612 DoLS applications were waiting.", True),
    # People named by their role are counted as people who hold it ...
    ("How many Parish Helpers are there?", "38 local people are employed as Parish Helpers.", True),
    # ... but a number of navigators is no number of people waiting.
    ("How many people were waiting?", "The Front Door had 8 Community Wellbeing Navigators.", False),
    # A plural the stemmer keeps ("beds") is counted by its singular joined to a number.
    ("How many beds does Larkhill House have?", "Larkhill House, a 24-bed intermediate care unit, opened in 2023.",
     True),
    # Homes are counted as a service to the home counts them: households, installations, users.
    ("How many homes have a telecare alarm?", "Careline supported 9,450 households in 2024/25.", True),
    ("How many homes have a telecare alarm?", "There were around 7,900 alarm connections.", True),
    ("How many homes have a telecare alarm?", "Lifelink, the county's telecare service, had 8,900 users.", True),
    ("How many homes have a telecare alarm?", "The alarm team made 21,000 visits.", False),
    # "All" counts what follows it, not a noun elsewhere in the sentence.
    ("How many tenants kept their homes?", "When the provider closed, all 17 tenants kept their homes.", True),
    ("How many carers were offered an assessment?", "All of the carers who asked were offered one.", True),
    ("How many children are in the council's care?",
     "A protocol with children's services was signed in November 2024 but was not yet in use across all teams.",
     False),
    # An age is no count of the people of that age.
    ("How many children are in the council's care?",
     "Adult services met with children's services to plan support after the age of 18.", False),
])
def test_count_questions_want_a_number_of_the_counted_noun(question: str, sentence: str, counts: bool) -> None:
    assert _counts(sentence, counted_nouns(question), parse_question(question).verb_terms) is counts


def test_a_bare_number_under_a_column_of_what_people_did_counts_them() -> None:
    # A table row read with its header ("Team | Waiting | Median wait"): the caller passes the
    # stage asked ("were waiting") among the verbs.
    assert _counts("388 Waiting; 94 days Median wait", ("people",), ("wait",))
    assert not _counts("388 Waiting; 94 days Median wait", ("people",), ())
    assert not _counts("The service kept 12 waiting lists.", ("people",), ("wait",))


@pytest.mark.parametrize(("question", "sentence", "share"), [
    # A survey's share of the counted people, saying what was asked, answers "how many ...".
    ("How many carers could spend time doing things they enjoy?",
     "Only 15.15% of carers in the borough said they were able to spend time doing things they enjoy.", True),
    # A share of staff who felt something is not how many are employed ...
    ("How many qualified social workers does the council employ?",
     "81% of social work staff felt the council had a clear social work framework.", False),
    # ... and the share of completers with an outcome is not how many completed.
    ("How many people completed reablement in 2023/24?",
     "In 2023/24, 61% of people who completed reablement needed no further long-term support.", False),
])
def test_a_share_answers_how_many_only_for_what_people_said(question: str, sentence: str, share: bool) -> None:
    parsed = parse_question(question)
    assert _share_of(sentence, counted_nouns(parsed.topic), asked_terms(parsed)) is share


def test_the_words_after_a_figure_say_what_it_measures() -> None:
    terms = parse_question("What share of its total budget did the council spend on adult social care?").terms
    assert _describes("Its actual spend was £69m, which is 21.43% of the total budget.", "21.43%", terms)
    # A source name after a figure is not what the figure measures.
    assert not _describes("74.15% of people had reviews, against 58.77% (Short and Long Term Support).",
                          "58.77%", parse_question("What share of people with short term support "
                                                   "needed no further support?").terms)


def test_a_named_thing_the_report_never_mentions_abstains(hash_kb) -> None:
    # Larchfield's report never mentions a Better Care Fund; Kestrel Moor's gives its size.
    missing = hash_kb.ask("How much was Larchfield's Better Care Fund for 2024/25?")
    assert missing.abstained
    assert missing.extra["abstained_because"] == "report does not mention better care fund"
    found = hash_kb.ask("How much was Kestrel Moor's Better Care Fund for 2024/25?")
    assert not found.abstained and any("£24.6 million" in c.quote for c in found.citations)


def test_what_is_a_named_thing_prefers_the_sentence_defining_it() -> None:
    parsed = parse_question("Under Partnerships and communities, what is the Coalition of the Willing?")
    sentences = ["Leaders said partnerships such as the Coalition of the Willing group allowed challenge.",
                 "Work was facilitated through forums such as the Coalition of the Willing, a multi-agency "
                 "partnership of health and care leaders."]
    spans = [(None, 0, 0, s) for s in sentences]
    mention, definition = (Answerer._fit(parsed, s, [()] * 2, i, spans) for i, s in enumerate(sentences))
    assert definition > mention


def test_a_sentence_giving_only_the_rival_measure_scores_lower() -> None:
    parsed = parse_question("What was the longest wait for a carer's assessment?")
    sentences = ["The median wait for a carer's assessment was 26 days.",
                 "The maximum wait for a carer's assessment was 201 days."]
    spans = [(None, 0, 0, s) for s in sentences]
    subjects = [("carer assessment",)] * 2
    median, longest = (Answerer._fit(parsed, s, subjects, i, spans) for i, s in enumerate(sentences))
    assert longest - median >= 0.2


def test_template_passages_rank_below_the_councils_own(hash_kb) -> None:
    retriever = hash_kb.retriever
    rows = retriever.store.chunk_rows(list(range(1, retriever.store.chunk_count() + 1)))
    shares = {row["chunk_id"]: retriever.template_share(row) for row in rows.values()}
    # Every report quotes CQC's statement wording; the fixtures' own findings are their own.
    assert any(s > 0.9 for s in shares.values()) and any(s == 0.0 for s in shares.values())
    question = "I feel safe and am supported to understand and manage any risks."
    plain = hash_kb.search(question, k=5, mode="hybrid")
    refined = hash_kb.search(question, k=5, mode="hybrid+")
    assert sum(shares[h.chunk_id] for h in refined) < sum(shares[h.chunk_id] for h in plain)


def test_template_shares_of_many_passages_at_once_equal_one_passage_at_a_time(hash_kb) -> None:
    from cqc_kb.text import normalise

    store = hash_kb.store
    rows = store.chunk_rows(list(range(1, store.chunk_count() + 1)))
    shared = store.shared_sentences()
    expected = {}
    for cid, row in rows.items():
        text = store.document_text(row["document"])
        spans = [(s, e) for _, s, e in store.sentences_in(row["document"], row["start"], row["end"])]
        total = sum(e - s for s, e in spans)
        expected[cid] = sum(e - s for s, e in spans if normalise(text[s:e]) in shared) / total if total else 0.0
    retriever = hash_kb.retriever
    retriever._template.clear()
    retriever._template_shares(rows)
    assert retriever._template == pytest.approx(expected)
    assert 0 < sum(v == 0 for v in expected.values()) < len(expected)


def test_a_named_thing_is_found_in_another_number_or_by_its_initials(hash_kb) -> None:
    answerer = hash_kb.answerer
    kestrel = next(d["name"] for d in hash_kb.store.documents() if d["authority"].startswith("Kestrel"))
    assert answerer._mentions(kestrel, "better care funds")
    assert answerer._mentions(kestrel, "integrated care board")
    # Stockton's report writes "voluntary and community sector (VCS)".
    stockton = next(d["name"] for d in hash_kb.store.documents() if d["authority"] == STOCKTON)
    assert answerer._mentions(stockton, "voluntary community sector")
    assert not answerer._mentions(kestrel, "electric vehicle charging")


def test_a_duration_in_weeks_finds_the_passage_giving_it_in_days(hash_kb) -> None:
    hits = hash_kb.search("What share of people were assessed within four weeks?", k=5,
                          filters=Filters(authorities=(STOCKTON,)))
    assert any("waited 28 days or less" in h.text for h in hits)


def test_an_abbreviation_is_present_where_the_passage_spells_it_out() -> None:
    passage = "642 Deprivation of Liberty Safeguards applications were waiting to be assessed."
    assert _spelt_out("How many DoLS applications were waiting?", passage) == {stem("dols")}
    assert _spelt_out("How many BCF schemes were there?", passage) == set()
    assert _spelt_out("How many applications were waiting?", passage) == set()


def test_a_question_using_an_abbreviation_is_answered(hash_kb) -> None:
    answer = hash_kb.ask("How many DoLS applications were waiting in Kestrel Moor?")
    assert not answer.abstained and any("642 Deprivation of Liberty" in c.quote for c in answer.citations)


@pytest.mark.parametrize(("question", "quote", "other"), [
    ("How many enquiries were there in 2023/24?", "In 2024/25, 701 progressed to an enquiry.", True),
    ("How many enquiries were there in 2023/24?", "In 2023/24, 517 led to an enquiry.", False),
    ("How many care homes closed in 2024?", "In 2023/24, 3 care homes closed.", False),
    ("How many care homes closed in 2022?", "In 2023/24, 3 care homes closed.", True),
    ("How many care homes closed?", "In 2023/24, 3 care homes closed.", False),
    # Quarters and months within a year, compared only when both name one.
    ("How many were waiting at the end of Q4 2024/25?", "The figures at the end of Q3 2024/25 were:", True),
    ("How many were waiting at the end of Q3 2024/25?", "The figures at the end of Q3 2024/25 were:", False),
    ("How many were waiting in 2024/25?", "The figures at the end of Q3 2024/25 were:", False),
    ("How many were waiting at the end of December 2024?", "At 30 September 2024, 1,412 were waiting.", True),
    ("How many were waiting at the end of september 2024?", "At 30 September 2024, 1,412 were waiting.", False),
    ("How many were waiting at the end of December 2024?", "In Q3 2024/25, 1,412 were waiting.", False),
    # A month names its financial year, which starts in April.
    ("What was the median wait in Q3 2023/24?", "The median wait was 9 weeks at the end of December 2024.", True),
    ("What was the median wait in 2024/25?", "The median wait was 9 weeks at the end of March 2025.", False),
    ("What was the median wait in 2024/25?", "The median wait was 9 weeks in April 2024.", False),
    # ... and one quarter of it: June is in Q1, March in Q4.
    ("How many were waiting at the end of June 2024?", "Measure Q2 2024/25 Q3 2024/25 Q4 2024/25", True),
    ("How many were waiting at the end of June 2024?", "Measure Q1 2024/25 Q2 2024/25", False),
    ("How many hours were unmet in Q2 2024/25?", "At the end of March 2025, 2,610 hours were unmet.", True),
    ("How many hours were unmet in Q4 2024/25?", "At the end of March 2025, 2,610 hours were unmet.", False),
    ("How many hours were unmet in Q3 2024/25?", "On 31 December 2024, 2,610 hours were unmet.", False),
])
def test_a_quote_about_another_year_does_not_answer(question: str, quote: str, other: bool) -> None:
    assert bool(_other_period(question, quote)) is other


def test_a_threshold_is_not_the_median_asked_for(hash_kb) -> None:
    parsed = parse_question("What was the median wait for a financial assessment?")
    answerer = hash_kb.answerer
    hit = hash_kb.search("financial assessments within 28 days", k=1)[0]
    sentence = "The team completed 89% of financial assessments within 28 days in 2023/24."
    cand = _Candidate(hit, 0, 0, 1.0, sentence.lower(), sentence, ("financial assessment",))
    assert answerer._misfit(parsed, cand, [cand]) == "gives no median"


def test_a_sentence_takes_its_subject_from_the_sentences_before_it_in_its_passage() -> None:
    parsed = parse_question("What is the median wait for an OT assessment?")
    sentences = ["The council completed 3,487 Care Act assessments.",
                 "At the end of January, 538 adults were on the waiting list.",
                 "People waited a median of 47 days to be assessed.",
                 "The median wait for an occupational therapy assessment was 58 days."]
    spans = [("passage", 0, 0, s) for s in sentences]
    subjects = [subjects_in(s) for s in sentences]
    care_act, occupational = (Answerer._fit(parsed, sentences[i], subjects, i, spans) for i in (2, 3))
    # Two sentences back names the Care Act assessment: the 47 days are not the OT wait.
    assert _subjects_of(subjects, 2, spans) == ("care act assessment",)
    assert occupational - care_act >= 0.2
    # A sentence of another passage lends no subject.
    other = [("passage", 0, 0, sentences[0]), ("other", 0, 0, sentences[2])]
    assert _subjects_of([subjects[0], ()], 1, other) == ()


def test_an_evaluative_question_prefers_the_measured_outcome() -> None:
    sentences = ["Reablement was provided by the in-house reablement service.",
                 "In 2023/24, 61% of people who completed reablement needed no further support."]
    spans = [("passage", 0, 0, s) for s in sentences]
    subjects = [("reablement",)] * 2

    def gain(question: str) -> float:
        parsed = parse_question(question)
        described, outcome = (Answerer._fit(parsed, s, subjects, i, spans) for i, s in enumerate(sentences))
        return outcome - described

    assert gain("How effective is the reablement service?") >= 0.1
    assert gain("Are people happy with reablement?") >= 0.1
    # A question that asks what or who gets no such lift.
    assert gain("Who provides reablement?") == 0


def test_coverage_query_wants_every_key_word_or_its_paraphrase() -> None:
    from cqc_kb.retrieve import Retriever

    query = Retriever.coverage_query(parse_question("Do carers find the council's information and advice useful?"))
    assert query == '("carers") AND ("information") AND ("advice") AND ("useful" OR "help" OR "helpful")'
    # Fewer than three key words single out too little.
    assert Retriever.coverage_query(parse_question("How long do people wait for reablement?")) is None


def test_a_passage_holding_every_key_word_gains_only_where_few_do(hash_kb, monkeypatch) -> None:
    import cqc_kb.retrieve as retrieve

    question = "Were advocacy demand and funding at Pennine Voices discussed?"
    assert len(hash_kb.answerer.parse(question).key_terms) >= 3

    def scores() -> dict[str, float]:
        return {h.chunk_id: h.score for h in hash_kb.search(question, k=20)}

    boosted = scores()
    monkeypatch.setattr(retrieve, "COVERAGE_BOOST", 0.0)
    plain = scores()
    unit = 0.25 / (hash_kb.settings.rrf_k + 1)
    gained = {c for c in plain if c in boosted and boosted[c] - plain[c] > unit / 2}
    assert gained and all("Pennine Voices" in h.text for h in hash_kb.search(question, k=20)
                          if h.chunk_id in gained)
    # Where more passages of a report hold every key word than the cap, none gains.
    monkeypatch.setattr(retrieve, "COVERAGE_BOOST", 0.25)
    monkeypatch.setattr(retrieve, "COVERAGE_MAX_PER_REPORT", 0)
    assert scores() == plain


def test_compare_rows_with_a_coverage_boost_equal_asking_each_report_alone(hash_kb) -> None:
    question = "How many people were waiting for a Care Act advocate from Pennine Voices?"
    assert hash_kb.retriever.coverage_query(hash_kb.answerer.parse(question))
    for row in hash_kb.compare(question):
        alone = hash_kb.answerer.ask(question, filters=Filters(documents=(row.document,)))
        assert [h.chunk_id for h in row.answer.hits] == [h.chunk_id for h in alone.hits]
        assert [h.score for h in row.answer.hits] == pytest.approx([h.score for h in alone.hits])


def test_a_sentence_pointing_back_takes_the_words_of_the_sentence_before_in_full(hash_kb) -> None:
    from cqc_kb.answer import _context_weight

    assert _context_weight("Its actual spend was £69,253,000.") == 1.0
    assert _context_weight("- This was done through local data.") == 1.0
    assert _context_weight("The actual spend was £69,253,000.") == 0.5
    # "Its actual spend was £69,253,000" follows the sentence naming Adult Social Care.
    answer = hash_kb.ask("How much did Stockton actually spend on adult social care in 2023/24?")
    assert any("£69,253,000" in c.quote for c in answer.citations)


def test_a_passage_naming_the_service_asked_about_gains(hash_kb, monkeypatch) -> None:
    import cqc_kb.retrieve as retrieve

    # "an advocate" in the question; passages say "advocacy" or "advocate".
    question = "Can people get an advocate without a long wait?"
    assert hash_kb.answerer.parse(question).subjects == ("advocacy",)
    boosted = {h.chunk_id: h for h in hash_kb.search(question, k=30)}
    monkeypatch.setattr(retrieve, "SUBJECT_BOOST", 0.0)
    plain = {h.chunk_id: h.score for h in hash_kb.search(question, k=30)}
    unit = 0.25 / (hash_kb.settings.rrf_k + 1)
    common = [c for c in boosted if c in plain]
    gained = [c for c in common if boosted[c].score - plain[c] > unit / 2]
    assert gained and all(re.search(r"advoca", boosted[c].text + boosted[c].section, re.I) for c in gained)
    assert all(re.search(r"advoca", boosted[c].text + boosted[c].section, re.I) is None
               for c in common if c not in gained)


def test_a_passage_needs_only_one_of_the_alternatives_asked(hash_kb) -> None:
    answerer = hash_kb.answerer
    text = ("During the storms of December 2023 the council contacted 1,150 people who relied on "
            "electrically powered medical equipment.")
    hit = replace(hash_kb.search("safeguarding", k=1)[0], text=text)
    cand = _Candidate(hit, 0, len(text), 1.0, text.lower(), text)
    either = parse_question("How many people were contacted during storms or floods?")
    assert either.alternatives == (frozenset({"storm", "flood"}),)
    assert answerer._misfit(either, cand, [cand]) is None
    # When it names none of them, the alternatives are all missing.
    neither = parse_question("How many people were contacted during floods or heatwaves?")
    assert answerer._misfit(neither, cand, [cand]) == "not about floods, heatwaves"


@pytest.mark.parametrize(("verbs", "quote", "reason"), [
    (("were", "discharged"), "Marsh View admitted 286 people in 2024/25.", "says admitted, not discharged"),
    (("closed",), "Three day centres opened in 2024.", "says opened, not closed"),
    (("joined",), "41 care workers left the in-house service.", "says left, not joined"),
    # Recruited or hired is joining: a count of recruits is no count of leavers.
    (("left",), "The campaign had recruited 140 new care workers since May 2024.", "says recruited, not left"),
    # The event asked about is in the quote: it may answer.
    (("closed",), "Two care homes closed and one opened in 2024.", None),
    (("were", "admitted"), "Marsh View admitted 286 people in 2024/25.", None),
    # Verbs with no opposite in the quote decide nothing.
    (("were", "supported"), "Marsh View admitted 286 people in 2024/25.", None),
])
def test_a_quote_reporting_the_opposite_event_does_not_answer(verbs, quote, reason) -> None:
    assert _opposite_event(verbs, quote) == reason


def test_a_figure_whose_sentence_names_nothing_asked_does_not_answer(hash_kb) -> None:
    answerer = hash_kb.answerer
    passage = ("Occupational therapist vacancies were hard to fill. It resolved 44 per cent of new contacts "
               "with advice or equipment. Nobody waited longer than 35 days for an assessment.")
    hit = replace(hash_kb.search("occupational therapy vacancy", k=1)[0], text=passage)

    def cand(sentence: str) -> _Candidate:
        return _Candidate(hit, 0, 0, 1.0, sentence.lower(), sentence)

    other = cand("It resolved 44 per cent of new contacts with advice or equipment.")
    vacancy = parse_question("What was the occupational therapist vacancy rate?")
    assert answerer._misfit(vacancy, other, [other]) == "its figure is not of anything asked about"
    # A sentence leaving its subject to the one before still names what its figure is of.
    nobody = cand("Nobody waited longer than 35 days for an assessment.")
    longest = parse_question("What was the longest wait for an occupational therapy assessment?")
    assert answerer._misfit(longest, nobody, [nobody]) is None


def test_asked_what_a_report_found_the_answer_gives_the_finding(hash_kb, monkeypatch: pytest.MonkeyPatch) -> None:
    answerer = hash_kb.answerer
    named = "The council published an annual Equity Audit of adult social care."
    found = "The 2024 audit found that people from the Roma community were under-represented."
    hit = replace(hash_kb.search("Equity Audit", k=1)[0], text=f"{named} {found}")
    first = _Candidate(hit, 0, len(named), 1.0, named.lower(), named)
    second = _Candidate(hit, len(named) + 1, len(hit.text), 0.6, found.lower(), found)
    asked = parse_question("What did the 2024 Equity Audit find?")
    assert answerer._misfit(asked, first, [first]) == "does not say what was found"
    assert answerer._misfit(asked, second, [first, second]) is None
    # What the regulator found is the report itself, said in any words.
    assert answerer._misfit(parse_question("What did CQC find about the Equity Audit?"), first, [first]) is None
    # The sentence after the best one, which names the audit, gives the finding.
    monkeypatch.setattr(answerer, "_score_sentences", lambda *args: [first, second])
    choice = answerer._choose(asked, [hit], None)
    assert [c.sentence for c in choice.chosen] == [named, found] and choice.reason is None
    monkeypatch.undo()
    # Asked, the report's naming sentence is quoted with the finding after it.
    answer = hash_kb.ask("What did the 2024 Equity Audit find in Larchfield?")
    assert not answer.abstained
    assert any("Roma community were under-represented" in " ".join(c.quote.split()) for c in answer.citations)


def test_a_list_item_counts_what_its_label_names(hash_kb) -> None:
    answerer = hash_kb.answerer
    item = "- People waiting for a Care Act assessment: 212"
    hit = replace(hash_kb.search("people waiting Care Act assessment", k=1)[0], text=item)
    cand = _Candidate(hit, 0, len(item), 1.0, item.lower(), item)
    assert answerer._as_read(cand) == "212 People waiting for a Care Act assessment"
    asked = parse_question("How many people were waiting for a Care Act assessment?")
    assert answerer._misfit(asked, cand, [cand]) is None


def test_a_list_items_label_must_name_what_is_asked(hash_kb) -> None:
    answerer = hash_kb.answerer
    items = ["- People supported by Stay Well at Home in 2024/25: 3,860",
             "- People waiting for a Care Act assessment: 214", "- People waiting more than a year for a review: 342"]
    hit = replace(hash_kb.search("people waiting Care Act assessment", k=1)[0],
                  text="Hospital discharge was slow.\n" + "\n".join(items))

    def cand(item: str) -> _Candidate:
        return _Candidate(hit, 0, len(item), 1.0, item.lower(), item)

    stay_well, waiting, reviews = (cand(i) for i in items)
    discharged = parse_question("How many people were discharged from hospital in 2024/25?")
    assert answerer._misfit(discharged, stay_well, [stay_well]) == "its figure is not of anything asked about"
    # A count for a time limit must give that limit itself, not beside another sentence's.
    over_a_year = parse_question("How many people waited more than a year for a Care Act assessment?")
    assert answerer._misfit(over_a_year, waiting, [waiting, reviews]) == "gives no count for a limit of 365 days"
    assert answerer._misfit(parse_question("How many people were waiting for a Care Act assessment?"),
                            waiting, [waiting]) is None
    # A question whose only key word is the council's name is answered by any item counting people.
    assert _names_asked(answerer.parse("How many people were waiting in Kestrel Moor?"), waiting.sentence,
                        waiting.sentence)
    # A limit worded otherwise is still a duration.
    within = cand("Over this period, 52% of people waited 28 days or less for a Care Act assessment.")
    assert answerer._misfit(parse_question("What share of people were assessed within four weeks?"),
                            within, [within]) is None


def test_a_discharge_to_assess_unit_is_no_discharge() -> None:
    quote = "Marlowe Court, a 36-bed discharge-to-assess unit, admitted 402 people."
    assert _opposite_event(("discharge",), quote, "How many people did Marlowe Court discharge?") == \
        "says admitted, not discharge"


def test_an_event_the_tagger_takes_for_a_noun_is_still_the_event_asked(hash_kb) -> None:
    answerer = hash_kb.answerer
    quote = "The reablement unit, with 24 beds, admitted 402 people in 2024/25."
    hit = replace(hash_kb.search("people admitted reablement unit", k=1)[0], text=quote)
    cand = _Candidate(hit, 0, 0, 1.0, quote.lower(), quote)
    asked = parse_question("How many people did the reablement unit discharge in 2024/25?")
    assert asked.verbs == ("did",)
    assert answerer._misfit(asked, cand, [cand]) == "says admitted, not discharge"
    # Naming both events, the question may be answered by either.
    both = "How many people admitted to Aldgrove Court were later discharged?"
    assert _opposite_event(("admitted", "later", "discharged"), quote, both) is None


@pytest.mark.parametrize(("question", "quote", "reason"), [
    ("What share of younger adults use a direct payment?", "31% of people aged 65 and over used a direct payment.",
     "about older people, not younger adults"),
    ("How many people aged 18 to 64 moved into care homes?", "412 older people moved into care homes.",
     "about older people, not younger adults"),
    # A quote naming both groups, or none, may answer.
    ("What share of older people use a direct payment?", "22% of younger adults and 31% of people aged 65 and over.",
     None),
    ("What share of younger adults use a direct payment?", "31% of people used a direct payment.", None),
])
def test_a_figure_for_another_group_of_people_does_not_answer(question: str, quote: str, reason: str | None) -> None:
    assert _other_group(question, quote) == reason


def test_a_share_of_everyone_does_not_answer_a_share_of_one_group() -> None:
    question = "What share of people aged 18 to 64 used a direct payment?"
    assert _other_group(question, "31.4 per cent of people receiving long-term support used a direct payment.",
                        share=True) == "a figure for everyone, not for younger adults"
    assert _other_group(question, "Of adults of working age, 34% used a direct payment.", share=True) is None
    # A count may name no group when the service is for that group.
    assert _other_group("How many older people took part in falls classes?",
                        "1,240 people took part in falls prevention classes.") is None
    # Nor does everyone's wait answer one group's, but a carers' wait is for their own assessment.
    assert _other_group("What is the median wait for an OT assessment for younger adults?",
                        "- 34 days – median wait for an occupational therapy assessment", wait=True) == \
        "a figure for everyone, not for younger adults"
    assert _other_group("How long was the median wait for a carers assessment?",
                        "There was a median wait of 23 days over the previous 12 months.", wait=True) is None


def test_a_word_and_its_noun_in_ness_share_a_stem() -> None:
    assert _same_stem("sick", "sickness") and not _same_stem("sick", "sickle")


_WAITS_TABLE = ("<p>The council's own waiting lists at 30 September 2024 were as follows.</p><table>"
                "<thead><tr><th>Waiting list</th><th>People waiting</th><th>Median wait</th><th>Longest wait</th></tr>"
                "</thead><tbody>"
                "<tr><th scope='row'>Sensory needs assessment</th><td>212</td><td>11 weeks</td><td>37 weeks</td></tr>"
                "<tr><th scope='row'>Home adaptation assessment</th><td>95</td><td>6 weeks</td><td>22 weeks</td></tr>"
                "</tbody></table>")


def test_table_header_is_the_first_row_of_the_rows_above_when_it_gives_no_figure() -> None:
    text = ("Waiting times were as follows.\n\nWaiting list\tMedian wait\tLongest wait\n\n"
            "Sensory needs assessment\t11 weeks\t37 weeks\n\nHome adaptation assessment\t6 weeks\t22 weeks\n\n"
            "Care Act assessments completed\t7,284\n\nReviews completed\t5,910")
    header = (text.index("Waiting list"), text.index("Waiting list") + len("Waiting list\tMedian wait\tLongest wait"))
    assert _table_header(text, text.index("Home adaptation")) == header
    assert _table_header(text, text.index("Sensory needs")) == header
    assert _table_header(text, header[0]) is None  # the header row itself
    assert _table_header(text, text.index("Waiting times")) is None  # prose
    # A table whose first row already gives figures has no header row to add.
    assert _table_header(text.replace("Longest wait\n\nSensory", "Longest wait\n\nNote.\n\nSensory"),
                         text.index("Home adaptation") + len("Note.\n\n")) is None


def test_a_markdown_table_rows_context_is_its_introduction_and_header_row() -> None:
    text = ("Waiting times\n\nThe figures at the end of Q3 2024/25 were:\n| Waiting list | Median wait |\n"
            "|---|---|\n| Sensory needs assessment | 11 weeks |\n| Home adaptation assessment | 6 weeks |")
    lead, header = "The figures at the end of Q3 2024/25 were:", "| Waiting list | Median wait |"
    spans = ((text.index(lead), text.index(lead) + len(lead)), (text.index(header), text.index(header) + len(header)))
    assert _table_context(text, text.index("| Home adaptation")) == spans
    # A sentence before the table that does not introduce it is not its context.
    plain = text.replace(lead, "Waits fell in the year.")
    assert [plain[a:b] for a, b in _table_context(plain, plain.index("| Home adaptation"))] == [header]


def test_a_table_without_a_header_row_is_read_under_its_caption() -> None:
    text = ("Key figures, 2024/25\n\nMedian wait for a Care Act assessment\t9 weeks\n\n"
            "Social worker vacancy rate\t21%")
    caption = (0, len("Key figures, 2024/25"))
    assert _table_context(text, text.index("Social worker")) == (caption,)
    assert _table_context(text, text.index("Median wait")) == (caption,)
    # ... so a question about another year sees the caption's year.
    assert _other_period("What was the vacancy rate in 2022/23?", "Key figures, 2024/25 Social worker vacancy rate 21%")


def test_a_table_row_is_quoted_under_its_header_row(fixture_corpus, tmp_path_factory) -> None:
    """The row gives "6 weeks 22 weeks"; only its header says which is the longest wait. The row
    is chosen by the header's words and quoted with the header and the line introducing the
    table, each verbatim at its offsets."""
    import shutil

    from cqc_kb.kb import KnowledgeBase, build_index

    from conftest import make_settings

    corpus = tmp_path_factory.mktemp("tables")
    for path in fixture_corpus.iterdir():
        shutil.copy(path, corpus / path.name)
    page = (corpus / "ashdown-vale.html").read_text(encoding="utf-8")
    marker = "<h4>Timeliness of assessments, care planning and reviews</h4>"
    assert marker in page
    (corpus / "ashdown-vale.html").write_text(page.replace(marker, marker + _WAITS_TABLE, 1), encoding="utf-8")
    settings = make_settings(corpus, tmp_path_factory.mktemp("tables-index"))
    build_index(settings)
    kb = KnowledgeBase.open(settings)
    try:
        answer = kb.ask("What was the longest wait for a home adaptation assessment?",
                        filters=Filters(authorities=("Ashdown Vale County Council",)))
        assert not answer.abstained, answer.extra
        quotes = [c.quote for c in answer.citations]
        # The line introducing the table says when; the header row says which figure is which.
        assert "The council's own waiting lists at 30 September 2024 were as follows." in quotes
        assert "Waiting list\tPeople waiting\tMedian wait\tLongest wait" in quotes
        assert "Home adaptation assessment\t95\t6 weeks\t22 weeks" in quotes
        for c in answer.citations:
            assert kb.store.document_text(c.document)[c.start:c.end] == c.quote
        # A bare number in a row counts what its column's header names ("People waiting").
        waiting = kb.ask("How many people were waiting for a sensory needs assessment?",
                         filters=Filters(authorities=("Ashdown Vale County Council",)))
        assert not waiting.abstained, waiting.extra
        assert "Sensory needs assessment\t212\t11 weeks\t37 weeks" in [c.quote for c in waiting.citations]
        # Compare reads the figure from the column the question's measure names.
        rows = {r.authority: r for r in kb.compare("What was the longest wait for a home adaptation assessment?")}
        figure = rows["Ashdown Vale County Council"].figure
        assert figure is not None and figure.text == "22 weeks"
    finally:
        kb.close()


@pytest.mark.parametrize(("question", "quote", "other"), [
    ("How many people were waiting for home care in the south of the county?",
     "143 people were waiting for home care in the rural north of the county.", True),
    ("How many people were waiting for home care in the north?",
     "143 people were waiting for home care in the rural north of the county.", False),
    ("How many people were waiting for home care in the southern localities?",
     "Waits were longest in the north and east.", True),
    # A place named in capitals is a name, not a part of the area.
    ("How many people were waiting for home care in the south of the county?",
     "143 people were waiting for a discharge from North Tees hospital.", False),
    ("How many people were waiting for home care?", "143 were waiting in the north.", False),
])
def test_a_figure_for_another_part_of_the_area_does_not_answer(question: str, quote: str, other: bool) -> None:
    assert bool(_other_place(question, quote)) is other


def test_an_abbreviation_typed_in_lower_case_is_spelt_out_by_capitalised_words() -> None:
    passage = "At 31 March 2025, 164 applications for Deprivation of Liberty Safeguards were waiting."
    assert _spelt_out("hollinsby dols backlog", passage) == {"dols"}
    assert _spelt_out("How many DoLS applications were waiting?", passage) == {"dols"}
    # Lower-case words count only in a question typed all in lower case, and only against
    # capitalised words ("deprivation of liberty safeguards" in lower case spells nothing).
    assert _spelt_out("How many dols applications were waiting?", passage) == set()
    assert _spelt_out("hollinsby dols backlog", passage.lower()) == set()


def test_a_quote_naming_no_year_takes_its_year_from_its_passage(hash_kb) -> None:
    answerer = hash_kb.answerer
    hit = hash_kb.search("social work vacancy rate", k=1)[0]
    sentence = "The social worker vacancy rate was 17%."
    in_2024 = replace(hit, text=f"In 2024/25 the council recruited 12 social workers. {sentence}")
    cand = _Candidate(in_2024, 0, 0, 1.0, sentence.lower(), sentence)
    asked = parse_question("What was the social worker vacancy rate in 2022/23?")
    assert answerer._misfit(asked, cand, [cand]) == "for 2024/25, not 2022/23"
    assert answerer._misfit(parse_question("What was the social worker vacancy rate in 2024/25?"), cand, [cand]) is None
    # A passage naming no year leaves the question open.
    undated = _Candidate(replace(hit, text=f"Recruitment was hard. {sentence}"), 0, 0, 1.0, sentence.lower(), sentence)
    assert answerer._misfit(asked, undated, [undated]) is None


def test_the_answering_sentence_itself_gives_the_measure_and_the_duration(hash_kb) -> None:
    """Checks run over every quoted sentence together let one sentence's measure or figure
    stand in for another's: the sentence that answers must give them itself."""
    answerer = hash_kb.answerer
    passage = ("Nobody waited longer than 35 days for an assessment. Median wait for an occupational therapy "
               "assessment: 8 days. People waiting for an occupational therapy assessment: 430.")
    hit = replace(hash_kb.search("occupational therapy assessment wait", k=1)[0], text=passage)

    def cand(sentence: str) -> _Candidate:
        return _Candidate(hit, 0, 0, 1.0, sentence.lower(), sentence)

    nobody = cand("Nobody waited longer than 35 days for an assessment.")
    median = cand("Median wait for an occupational therapy assessment: 8 days.")
    waiting = cand("People waiting for an occupational therapy assessment: 430.")
    longest = parse_question("What was the longest wait for an occupational therapy assessment?")
    assert answerer._misfit(longest, median, [nobody, median]) == "gives the median, not the maximum"
    assert answerer._misfit(longest, nobody, [nobody]) is None
    typical = parse_question("What was the median wait for an occupational therapy assessment?")
    assert answerer._misfit(typical, waiting, [waiting, median]) == "no days figure in the answering sentence"
    assert answerer._misfit(typical, median, [median]) is None


def test_a_count_of_another_stage_of_a_case_does_not_answer(hash_kb) -> None:
    answerer = hash_kb.answerer
    hit = hash_kb.search("safeguarding concerns enquiry", k=1)[0]

    def candidate(sentence: str, subjects: tuple[str, ...]) -> _Candidate:
        return _Candidate(replace(hit, text=sentence), 0, 0, 1.0, sentence.lower(), sentence, subjects)

    concerns = candidate("The council received 2,486 safeguarding concerns in 2024/25, of which 612 led to "
                         "a Section 42 enquiry.", ("section 42",))
    closed = parse_question("How many safeguarding enquiries did the council close in 2024/25?")
    assert answerer._misfit(closed, concerns, [concerns]) == "counts those received, not completed"
    received = parse_question("How many safeguarding concerns did the council receive in 2024/25?")
    assert answerer._misfit(received, concerns, [concerns]) is None

    carers = candidate("The hub completed 1,640 carers' assessments in 2024/25, and carers waited an average "
                       "of 15 days for one.", ("carer assessment",))
    waiting = parse_question("How many carers were waiting for a carer's assessment in 2024/25?")
    # "Waited" is a duration, not a count of those waiting.
    assert answerer._misfit(waiting, carers, [carers]) == "counts those completed, not waiting"
    done = parse_question("How many carers' assessments were carried out in 2024/25?")
    assert answerer._misfit(done, carers, [carers]) is None


def test_a_number_under_a_bare_figure_column_counts_what_the_cell_before_names(hash_kb, monkeypatch) -> None:
    """A long-format table ("Service | Measure | Figure") says what its numbers count in the
    cell before them, not in the header over them."""
    answerer = hash_kb.answerer
    text = ("On 31 March 2025 the waiting lists stood as follows:\n\nService\tMeasure\tFigure\n\n"
            "Occupational therapy assessments\tPeople waiting\t1,130")
    monkeypatch.setattr(answerer.retriever.store, "document_text", lambda document: text)
    row = "Occupational therapy assessments\tPeople waiting\t1,130"
    start = text.index(row)
    header = (text.index("Service"), text.index("Service") + len("Service\tMeasure\tFigure"))
    hit = replace(hash_kb.search("occupational therapy waiting", k=1)[0], text=text)
    cand = _Candidate(hit, start, start + len(row), 1.0, row.lower(), row, ("occupational therapy",), (header,))
    assert answerer._as_read(cand) == ("Occupational therapy assessments Service; People waiting Measure; "
                                       "1,130 People waiting")
    asked = parse_question("How many people were waiting for an occupational therapy assessment?")
    assert answerer._misfit(asked, cand, [cand]) is None


def test_a_count_question_needs_a_count_in_the_answering_sentence(hash_kb) -> None:
    answerer = hash_kb.answerer
    share = "38.6% of people receiving long-term support used a direct payment."
    register = "The PA Finder service had 640 personal assistants registered."
    hit = replace(hash_kb.search("long-term support direct payment", k=1)[0], text=f"{share} {register}")
    first = _Candidate(hit, 0, 0, 1.0, share.lower(), share)
    second = _Candidate(hit, 0, 0, 0.9, register.lower(), register)
    asked = parse_question("How many people were receiving long-term support?")
    # The count quoted beside the share counts personal assistants, not what was asked.
    assert answerer._misfit(asked, first, [first, second]) == "no count figure in the answering sentence"
    counted = "Around 4,020 people were receiving long-term support."
    own = _Candidate(replace(hit, text=counted), 0, 0, 1.0, counted.lower(), counted)
    assert answerer._misfit(asked, own, [own]) is None


@pytest.mark.parametrize(("sentence", "stages"), [
    # The stage of each count's own clause, not of a clause about something else.
    ("On 31 March 2025 there were 412 safeguarding concerns awaiting screening, the oldest of which had been "
     "received in November 2024.", {"waiting"}),
    ("The council received 2,486 safeguarding concerns in 2024/25, of which 612 led to a Section 42 enquiry.",
     {"received"}),
    # No count's clause names a stage: the sentence's stages stand.
    ("Carers who were assessed could join the Carers' Passport scheme, which had 5,300 members.", {"completed"}),
])
def test_the_stage_a_count_is_given_for_is_its_clauses(sentence: str, stages: set[str]) -> None:
    assert _counted_stages(sentence) == stages


def test_refusals_and_approvals_must_be_named_by_the_answering_sentence(hash_kb) -> None:
    answerer = hash_kb.answerer
    hit = hash_kb.search("carers assessments completed", k=1)[0]

    completed = _own_candidate(hit, "The Carers Team completed 1,120 carers' assessments in 2024/25.")
    refused = parse_question("How many carers' assessments did the council refuse in 2024/25?")
    assert answerer._misfit(refused, completed, [completed]) == "counts those completed, not refused"
    breaks = _own_candidate(hit, "Fenbreak arranged breaks for 740 carers in 2024/25.")
    turned_away = parse_question("How many carers did Fenbreak turn away in 2024/25?")
    # A count naming no stage at all does not say how many were turned away either.
    assert answerer._misfit(turned_away, breaks, [breaks]) == "does not count those refused"
    grants = _own_candidate(hit, "The council completed 588 adaptation grants in 2024/25.")
    approved = parse_question("How many adaptation grants did the council approve in 2024/25?")
    assert answerer._misfit(approved, grants, [grants]) == "counts those completed, not approved"
    said = _own_candidate(hit, "The council refused 48 carers' assessments in 2024/25.")
    assert answerer._misfit(refused, said, [said]) is None
    carers = _own_candidate(hit, "The council completed 1,115 carers' assessments in 2024/25.")
    reviewed = parse_question("How many carers' assessments did the council review in 2024/25?")
    assert answerer._misfit(reviewed, carers, [carers]) == "counts those completed, not reviewed"
    reviews = _own_candidate(hit, "The council completed 3,100 reviews of carers' assessments in 2024/25.")
    assert answerer._misfit(reviewed, reviews, [reviews]) is None


def test_a_count_of_people_waiting_must_say_waiting(hash_kb) -> None:
    answerer = hash_kb.answerer
    hit = hash_kb.search("reablement people supported", k=1)[0]

    asked = parse_question("How many people were waiting for reablement in 2024/25?")
    supported = _own_candidate(hit, "Home First, the council's reablement service, supported 1,044 people in 2024/25.")
    assert answerer._misfit(asked, supported, [supported]) == "does not count those waiting"
    # Waiting said in other words, or under a table's or list's header, counts too.
    for said in ("In 2024/25, 212 people were waiting for reablement.",
                 "The reablement backlog stood at 212 people in 2024/25.",
                 "In 2024/25, 212 people needing reablement had not been allocated to a worker.",
                 "In 2024/25, 212 people had waited more than a year for reablement.",
                 "In 2024/25, 212 people had outstanding reablement referrals.",
                 "Reablement 2024/25: 212 people"):
        waiting = _own_candidate(hit, said)
        assert answerer._misfit(asked, waiting, [waiting]) is None


def test_a_share_not_done_gives_the_share_done_but_a_count_does_not(hash_kb) -> None:
    answerer = hash_kb.answerer
    hit = hash_kb.search("ethnicity recorded", k=1)[0]

    share = _own_candidate(hit, "Ethnicity was not recorded for 38% of people receiving long-term support.")
    asked = parse_question("For what share of people receiving long-term support was ethnicity recorded?")
    assert answerer._misfit(asked, share, [share]) is None
    screened = _own_candidate(hit, "At 30 September 2025, 342 concerns had not been screened within 3 working days.")
    counted = parse_question("How many concerns were screened within 3 working days?")
    assert answerer._misfit(counted, screened, [screened]) == "counts those not screened"


def test_names_joined_by_and_may_be_two_names(hash_kb, monkeypatch) -> None:
    answerer = hash_kb.answerer
    mentioned = {"portuguese", "eastern european"}
    monkeypatch.setattr(answerer, "_mentions", lambda document, name: name in mentioned)
    sentence = "The council had no plan to recruit more Portuguese and Eastern European care workers."
    hit = replace(hash_kb.search("recruitment plan", k=1)[0], text=sentence)
    cand = _Candidate(hit, 0, 0, 1.0, sentence.lower(), sentence)
    asked = parse_question("Is there a plan to recruit more Portuguese and Eastern European care workers?")
    assert "portuguese and eastern european" in asked.names
    assert answerer._misfit(asked, cand, [cand]) is None
    mentioned.discard("eastern european")
    assert answerer._misfit(asked, cand, [cand]) == "report does not mention portuguese and eastern european"


@pytest.mark.parametrize(("columns", "period", "read"), [
    (("Q1 2024/25", "Q2 2024/25"), "at the end of Q2 2024/25", "(Q2 2024/25)"),
    # A grouped header merged by the parser ("Year" over "2023/24 | 2024/25").
    (("Year 2023/24", "Year 2024/25"), "in 2024/25", "(Year 2024/25)"),
])
def test_a_number_under_a_periods_column_counts_what_its_row_names(hash_kb, monkeypatch, columns, period,
                                                                   read) -> None:
    answerer = hash_kb.answerer
    header_line = "\t".join(("Measure", *columns))
    text = (f"Waiting lists rose in every quarter:\n\n{header_line}\n\n"
            "People waiting for a Care Act assessment\t1,204\t1,311")
    monkeypatch.setattr(answerer.retriever.store, "document_text", lambda document: text)
    row = "People waiting for a Care Act assessment\t1,204\t1,311"
    start = text.index(row)
    header = (text.index("Measure"), text.index("Measure") + len(header_line))
    hit = replace(hash_kb.search("people waiting care act assessment", k=1)[0], text=text)
    cand = _Candidate(hit, start, start + len(row), 1.0, row.lower(), row, ("care act assessment",), (header,))
    assert f"1,311 People waiting for a Care Act assessment {read}" in answerer._as_read(cand)
    asked = parse_question(f"How many people were waiting for a Care Act assessment {period}?")
    assert answerer._misfit(asked, cand, [cand]) is None


def test_a_rate_per_hour_and_a_named_ward_must_be_in_the_answer(hash_kb) -> None:
    answerer = hash_kb.answerer
    hit = hash_kb.search("home care waiting", k=1)[0]

    def candidate(sentence: str, passage: str = "") -> _Candidate:
        return _Candidate(replace(hit, text=passage or sentence), 0, 0, 1.0, sentence.lower(), sentence)

    overspend = candidate("The home care overspend (£2.65 million in 2023/24) was met from reserves.")
    hourly = parse_question("What does the council pay per hour for home care?")
    assert answerer._misfit(hourly, overspend, [overspend]) == "gives no rate per hour"
    rate = candidate("The council paid £23.15 an hour for home care in 2024/25.")
    assert answerer._misfit(hourly, rate, [rate]) is None
    waiting = candidate("At the end of March 2025, 96 people were waiting for home care.",
                        "At the end of March 2025, 96 people were waiting for home care. Most were in the "
                        "Seaton and Harbourside wards.")
    ward = parse_question("How many people were waiting for home care in the Seaton ward?")
    assert answerer._misfit(ward, waiting, [waiting]) == "not about Seaton"
    assert _named_place("How many people were waiting in Marrowby's Seaton ward?") == "Seaton"
    assert _named_place("How many people were waiting in each ward?") is None


def test_a_share_asked_of_people_with_a_learning_disability_is_not_everyones() -> None:
    question = "What share of people with learning disabilities used a direct payment?"
    assert _other_group(question, "31.5 per cent of people receiving long-term support used a direct payment.",
                        share=True) == "a figure for everyone, not for people with a learning disability"
    assert _other_group(question, "24% of people with a learning disability used a direct payment.", share=True) is None


def test_a_plural_abbreviation_is_present_where_the_passage_uses_it() -> None:
    from cqc_kb.answer import _missing_terms, _support

    passage = "The PA Pool had 412 registered personal assistants."
    support = _support(passage, "")
    asked = parse_question("How many PAs are in the PA Pool?")
    assert "pas" in asked.key_terms and "pa" in support
    # The stemmer keeps "pas": its singular in the passage is enough.
    assert "pas" not in _missing_terms(asked.key_terms, passage, "")
    assert "pas" in _missing_terms(asked.key_terms, "The pool had 412 registered members.", "")


def test_spending_against_the_budget_needs_the_comparison(hash_kb) -> None:
    answerer = hash_kb.answerer
    estimate = "The local authority estimated it would spend £141,500,000 of its total budget on adult social care."
    actual = "Its actual spend was £139,900,000, which was £1,600,000 less than estimated."
    hit = replace(hash_kb.search("adult social care spend budget", k=1)[0], text=f"{estimate} {actual}")
    first = _Candidate(hit, 0, 0, 1.0, estimate.lower(), estimate)
    second = _Candidate(hit, 0, 0, 1.0, actual.lower(), actual)
    within = parse_question("Did the council stay within its adult social care budget in 2023/24?")
    assert answerer._misfit(within, first, [first]) == "gives no spend against the budget"
    assert answerer._misfit(within, second, [second]) is None


def test_care_workers_overlap_home_care_but_not_care_homes() -> None:
    assert _same_subject(("home care",), ("care workers",))
    assert not _same_subject(("home care",), ("care home", "care workers"))
    assert _same_subject(("home care",), ("home care", "care workers"))
    assert not _same_subject(("social workers",), ("care workers",))


def test_a_share_asked_of_carers_is_not_everyones() -> None:
    question = "What share of carers used a direct payment?"
    assert _other_group(question, "27.3 per cent of people receiving long-term support used a direct payment.",
                        share=True) == "a figure for everyone, not for carers"
    assert _other_group(question, "12% of carers who had an assessment took a direct payment.", share=True) is None


def test_library_answers_set_their_bar_by_the_second_strongest_report() -> None:
    """One report that words the question exactly scores far above the rest; the reports whose
    evidence passed every check are still shown beside it."""
    from cqc_kb.answer import GROUP_RELATIVE, group_bar

    confidences = [0.974, 0.695, 0.655, 0.583, 0.549, 0.526]
    assert group_bar(confidences) == pytest.approx(GROUP_RELATIVE * 0.695)
    assert all(c >= group_bar(confidences) for c in confidences)
    assert group_bar([0.9, 0.8, 0.3]) == pytest.approx(GROUP_RELATIVE * 0.8)
    assert group_bar([0.9, 0.8, 0.3]) > 0.3  # a report far below the others is still left out
    assert group_bar([0.7]) == pytest.approx(GROUP_RELATIVE * 0.7)


def test_a_figure_quoted_from_a_list_is_quoted_with_the_sentence_that_states_it(tmp_path) -> None:
    """A list item gives a figure under a bare label; the report's sentence giving the same
    figure in words is quoted beside it, and no sentence with another figure is."""
    from conftest import make_settings

    from cqc_kb.kb import KnowledgeBase, build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "thornbury.txt").write_text(
        "Thornbury Borough Council: local authority assessment\n\n"
        "Figures at a glance\n\n"
        "People waiting for a Care Act assessment \u2014 612\n"
        "Average wait for a Care Act assessment \u2014 41 days\n"
        "Social worker vacancy rate \u2014 14 per cent\n\n"
        "Assessing needs\n\n"
        "The wait for an assessment averaged 41 days in 2024/25, up from 29 days the year before. "
        "Staff said the backlog had grown since the spring.\n", encoding="utf-8")
    settings = make_settings(corpus, tmp_path / "index")
    build_index(settings)
    kb = KnowledgeBase.open(settings)
    try:
        answer = kb.ask("What was the average wait for a Care Act assessment?")
    finally:
        kb.close()
    quotes = [c.quote for c in answer.citations]
    assert "Average wait for a Care Act assessment \u2014 41 days" in quotes
    assert "The wait for an assessment averaged 41 days in 2024/25, up from 29 days the year before." in quotes
    assert len(quotes) == 2


@pytest.mark.parametrize(("text", "verbs", "negated"), [
    ("At 30 September 2025, 342 concerns had not been screened within the target of 3 working days.",
     ("screen",), "screened"),
    ("Measure\tYear 2023/24\nDoLS applications not yet completed\t2,650\t3,318", ("complet",), "completed"),
    # Done as well as not done, or done only: the sentence may count those done.
    ("1,200 reviews were completed and 300 were not yet completed.", ("complet",), None),
    ("The team screened 5,100 concerns within a day.", ("screen",), None),
    ("The team had 12 social workers.", ("screen",), None),
])
def test_a_verb_only_ever_negated_counts_what_did_not_happen(text: str, verbs: tuple[str, ...],
                                                              negated: str | None) -> None:
    assert _only_negated(text, verbs) == negated


@pytest.mark.parametrize(("question", "negated"), [
    ("How many DoLS applications were not completed in 2023/24?", True),
    # Waiting to be done is not done yet: "awaiting triage" answers it.
    ("How many safeguarding concerns were waiting to be triaged?", True),
    ("How many people on long-term care were overdue a yearly review?", True),
    ("How many concerns did the council screen within 3 working days?", False),
    ("How many DoLS applications did the council complete in 2024/25?", False),
])
def test_questions_about_what_did_not_happen_are_not_checked_for_negated_answers(question: str,
                                                                                 negated: bool) -> None:
    assert bool(_NEGATED_QUESTION.search(question)) is negated


def test_the_answering_sentence_must_be_for_the_year_asked_when_it_names_one(hash_kb) -> None:
    answerer = hash_kb.answerer
    hit = hash_kb.search("adult social care budget overspent", k=1)[0]

    overspend = _own_candidate(hit, "The adult social care budget for 2024/25 was overspent by £6.4 million.")
    plan = _own_candidate(hit, "The council planned to save £4.1 million in 2025/26.")
    asked = parse_question("How much did the council overspend on adult social care in 2025/26?")
    # The year named by the next quoted sentence does not make the overspend 2025/26's.
    assert answerer._misfit(asked, overspend, [overspend, plan]) == "for 2024/25, not 2025/26"
    assert answerer._misfit(parse_question("How much did the council overspend on adult social care in 2024/25?"),
                            overspend, [overspend, plan]) is None
