"""Question parsing (cqc_kb.query) and figures read from quotes (cqc_kb.figures)."""

from __future__ import annotations

import re

import pytest

from cqc_kb.figures import figure_for, has_kind, parse_figures, same_limit, time_limits
from cqc_kb.query import (answer_kind, counted_nouns, measures_in, named_statement, paraphrase_words, parse_question,
                          subjects_in)
from cqc_kb.text import stem, words
from conftest import REAL_REPORT

STOCKTON = "Stockton-on-Tees Borough Council"
KESTREL = "Kestrel Moor Metropolitan Borough Council"
COUNCILS = (STOCKTON, KESTREL)


@pytest.mark.parametrize(("question", "kind"), [
    ("How long do people in Stockton-on-Tees wait for a Care Act assessment?", "days"),
    ("What was the longest anyone waited for a Care Act assessment?", "days"),
    ("How quickly are high-risk cases contacted?", "days"),
    ("What share of people were assessed within four weeks?", "percent"),
    ("What is the social worker vacancy rate in Kestrel Moor?", "percent"),
    ("How much did Stockton actually spend on adult social care in 2023/24?", "money"),
    ("What minimum hourly pay does the Care Workforce Pledge guarantee?", "money"),
    ("How many people were waiting for advocacy?", "count"),
    ("What is the population of Stockton-on-Tees?", "residents"),
    ("How many people live in Kestrel Moor?", "residents"),
    ("When did the council sign up to the Workforce Race Equality Standard?", "date"),
    ("Which council sends a Wellbeing Wagon round its villages?", "name"),
    ("Do carers find the council's information and advice useful?", None),
    ("What was the longest a safeguarding enquiry took?", "days"),
    ("What was the median time to conclude a safeguarding enquiry?", "days"),
    ("How much did the council overspend on adult social care in 2024/25?", "money"),
    # A cut may be given as a share ("by 30%") or a sum: no kind; a cut in spending is money.
    ("How much were prevention grants to the voluntary sector cut?", None),
    ("How much was the home care budget cut?", "money"),
    ("What was the total number of home care hours a week across the districts?", "count"),
])
def test_answer_kind(question: str, kind: str | None) -> None:
    assert parse_question(question, COUNCILS).kind == kind


def test_a_question_is_parsed_once_into_its_parts() -> None:
    q = parse_question("What was the longest wait for an occupational therapy assessment in Stockton "
                       "under Assessing needs?", COUNCILS)
    assert q.councils == (STOCKTON,)
    assert "Stockton" not in q.topic
    assert q.measures == ("maximum",)  # longest = maximum
    assert q.subjects == ("occupational therapy",)
    assert q.statement == "Assessing needs"
    assert q.figure


@pytest.mark.parametrize(("question", "measures"), [
    ("What was the median wait?", ("median",)),
    ("What was the typical wait?", ("median", "average")),
    ("What was the average completion time?", ("average",)),
    ("How much did the council actually spend?", ("actual",)),
    ("What was the estimated budget?", ("estimated",)),
])
def test_measure_words_and_their_paraphrases(question: str, measures: tuple[str, ...]) -> None:
    assert parse_question(question).measures == measures


def test_subjects_tell_assessments_apart() -> None:
    assert parse_question("How long is the wait for a carer's assessment?").subjects == ("carer assessment",)
    assert parse_question("How long is the wait for a Care Act assessment?").subjects == ("care act assessment",)
    assert parse_question("How long do people wait for an assessment?").subjects == ("care act assessment",)
    assert parse_question("How long do people wait before their needs are assessed?").subjects == (
        "care act assessment",)
    assert parse_question("What is the median wait for a continuing healthcare assessment?").subjects == (
        "continuing healthcare",)
    assert parse_question("How many applications to deprive someone of their liberty were waiting?").subjects == (
        "dols",)


def test_assessing_finances_is_a_financial_assessment() -> None:
    assert "financial assessment" in parse_question("How quickly does the council assess people's finances?").subjects
    assert "financial assessment" in parse_question(
        "How long does it take to work out what someone must pay towards their care?").subjects


@pytest.mark.parametrize(("text", "subject"), [
    ("71% of people receiving long-term support had been reviewed within the last 12 months.", "review"),
    ("Long-term clients reviewed in the year\t54%\t61%", "review"),
    ("31.2% of adults receiving long-term support used a direct payment.", "direct payments"),
    ("What share of people take their personal budget as cash?", "direct payments"),
])
def test_reviews_and_direct_payments_are_subjects_in_their_plain_wordings(text: str, subject: str) -> None:
    assert subject in subjects_in(text)


def test_an_ot_is_occupational_therapy_only_in_capitals() -> None:
    assert parse_question("How many weeks does someone wait to see an OT for an assessment?").subjects == (
        "occupational therapy",)
    assert "occupational therapy" not in subjects_in("He got a lot of help, but not from the ot team.")


def test_agreed_is_a_stage_of_a_case_not_of_a_plan() -> None:
    assert parse_question("How many young people had an adult care plan agreed by 18?").stage is None
    assert parse_question("How many DoLS applications were agreed?").stage == "approved"


def test_the_worst_point_is_the_peak() -> None:
    assert "peak" in paraphrase_words("How many hours were undelivered at the worst point?")
    assert "point" not in parse_question("How many hours were undelivered at the worst point?").key_terms


def test_subjects_tell_care_workers_from_social_workers() -> None:
    assert subjects_in("The care worker vacancy rate was 12%.") == ("care workers",)
    assert subjects_in("The social work vacancy rate was 7.5%.") == ("social workers",)
    # Social care workers are the whole workforce, not care workers.
    assert subjects_in("Sickness absence among social care workers averaged 9 days.") == ()


@pytest.mark.parametrize(("question", "measures"), [
    ("How many people does a social worker typically have on their caseload?", ("median", "average")),
    ("How long do people typically wait for an assessment?", ("median", "average")),
    ("What was the median wait for an assessment?", ("median",)),
])
def test_typically_asks_for_the_median_or_the_average(question: str, measures: tuple[str, ...]) -> None:
    assert parse_question(question).measures == measures


def test_key_terms_leave_out_framing_words_and_councils() -> None:
    q = parse_question("What is Stockton's policy on electric vehicle charging?", COUNCILS)
    assert set(q.key_terms) == {"electric", "vehicle", "charg"}
    assert parse_question("How many people were waiting in Kestrel Moor?", COUNCILS).key_terms == ()


@pytest.mark.parametrize(("quote", "expected"), [
    ("the median waiting time was 28 days.", [(28.0, "days", "28 days")]),
    ("an average wait of 6 weeks", [(6.0, "weeks", "6 weeks")]),
    ("within 5 working days", [(5.0, "days", "5 working days")]),
    ("contacted within 48 hours", [(48.0, "hours", "48 hours")]),
    ("a 9-month occupational therapy rotation", [(9.0, "months", "9-month")]),
    ("19.8% of people receiving long-term support", [(19.8, "%", "19.8%")]),
    ("around 52 per cent of carers", [(52.0, "%", "52 per cent")]),
    ("a pooled budget of £61.2 million", [(61_200_000.0, "£", "£61.2 million")]),
    ("Its actual spend was £69,253,000.", [(69_253_000.0, "£", "£69,253,000")]),
    ("at least £12.60 an hour", [(12.6, "£", "£12.60")]),
    ("In June 2024 412 people were waiting", [(2024.417, "date", "June 2024"), (412.0, "people", "412 people")]),
    ("home to an estimated 202,415 residents", [(202_415.0, "residents", "202,415 residents")]),
    ("Seven of ten embargoes had been lifted", [(7.0, "embargoes", "Seven of ten embargoes")]),
    ("signed up in October 2024", [(2024.75, "date", "October 2024")]),
    # A numbered paragraph's number is no figure.
    ("2.6 Carers' assessments were carried out by the centre.", []),
    ("4.1 The council had 412 people waiting.", [(412.0, "people", "412 people")]),
    ("2.6 per cent of carers", [(2.6, "%", "2.6 per cent")]),
    # A share as a ratio, with or without the people it counts between its numbers.
    ("one in four carers", [(25.0, "%", "one in four")]),
    ("Roughly one person in four had no review", [(25.0, "%", "one person in four")]),
    ("nine people in ten said so", [(90.0, "%", "nine people in ten")]),
    ("two carers in one household", [(2.0, "carers", "two carers")]),
    # An age counts nothing.
    ("support after the age of 18 was planned", []),
    ("31.2% of people aged 18 to 64", [(31.2, "%", "31.2%")]),
    ("Of the 41 young people who turned 18, 12 had a plan", [(41.0, "people", "41 young people"),
                                                              (12.0, "", "12")]),
    ("The team saw 310 16-year-olds", [(310.0, "", "310")]),
])
def test_parse_figures(quote: str, expected: list[tuple[float, str, str]]) -> None:
    got = [(f.value, f.unit, f.text) for f in parse_figures(quote)]
    assert got == expected
    for f in parse_figures(quote):
        assert f.text in quote


@pytest.mark.parametrize("quote", ["Half of carers said so.", "thirty-nine per cent of people",
                                   "One in four carers", "a third of referrals", "Twelve homes closed"])
def test_figures_in_words_pass_the_quick_check(quote: str) -> None:
    assert parse_figures(quote)


def test_the_quick_check_hides_no_figure_of_the_reports() -> None:
    # Sentences the quick check turns away must be those the full reading finds nothing in.
    from cqc_kb.figures import _MAY_HOLD_FIGURE, _read_figures

    turned_away = 0
    for report in [REAL_REPORT, *sorted((REAL_REPORT.parents[1] / "tests" / "fixtures" / "reports").glob("*.txt"))]:
        for line in report.read_text(encoding="utf-8").splitlines():
            for sentence in re.split(r"(?<=[.!?])\s+", line):
                if not _MAY_HOLD_FIGURE.search(sentence):
                    turned_away += 1
                    assert _read_figures(sentence) == (), sentence
    assert turned_away > 500


def test_figure_for_follows_the_measure_asked() -> None:
    quote = "During the previous 12 months, the maximum waiting time was 288 days, and the median waiting time was 28 days."
    assert figure_for("What was the median wait?", quote).value == 28.0
    assert figure_for("What was the longest wait?", quote).value == 288.0
    assert figure_for("What share of people waited?", quote) is None
    assert figure_for("Who runs the service?", quote) is None


def test_figure_for_reads_population_and_money() -> None:
    population = "It is home to an estimated 202,415 residents (June 2023) who live across the borough."
    assert figure_for(parse_question("What is the population?"), population).value == 202_415.0
    spend = ("The local authority estimated it would spend £63,334,000 of its total budget on Adult Social "
             "Care in 2023/24. Its actual spend was £69,253,000, which is 21.43% of the total budget.")
    assert figure_for("How much did the council actually spend?", spend).value == 69_253_000.0
    assert figure_for("What was the estimated spend?", spend).value == 63_334_000.0


def test_has_kind() -> None:
    assert has_kind("the median wait was 17 days", "days")
    assert not has_kind("92.04% of the population are White", "residents")
    assert has_kind("home to an estimated 202,415 residents", "residents")
    assert not has_kind("Staff said the service was well run.", "percent")


def test_figure_for_skips_the_period_measured_over() -> None:
    quote = "The longest wait over the same 12 months was 311 days, and only 31% of people were assessed within 28 days."
    assert figure_for("What was the longest wait?", quote).text == "311 days"
    assert figure_for("How long do people wait?", "In the last 12 months, the maximum wait was 241 days.").value == 241.0


def test_figure_for_picks_the_clause_the_question_asks_about() -> None:
    quote = ("In the year up to June 2024, 1819 people had received a Care Act assessment from the local "
             "authority and in June 2024 52 people were waiting for a Care Act assessment.")
    waiting = parse_question("How many people were waiting for a Care Act assessment?")
    received = parse_question("How many people received a Care Act assessment?")
    assert figure_for(waiting, quote).value == 52.0
    assert figure_for(received, quote).value == 1819.0


@pytest.mark.parametrize(("question", "kind"), [
    # "spend time" is not spending money; a survey's "how many carers could ..." is a count.
    ("According to the carers survey, how many carers could spend time doing things they enjoy?", "count"),
    ("How much did the council spend on home care?", "money"),
])
def test_spending_time_is_not_money(question: str, kind: str) -> None:
    assert parse_question(question, COUNCILS).kind == kind


@pytest.mark.parametrize(("question", "names"), [
    ("How much was Larchfield's Better Care Fund for 2024/25?", ("better care fund",)),
    ("Under Partnerships and communities, what is the Coalition of the Willing?", ("coalition of the willing",)),
    ("How long do people wait for a Care Act assessment?", ("care act",)),
    # The first word of a question, the statement it names and a title-cased question name nothing.
    ("Under Safe pathways, systems and transitions, how safe do people feel?", ()),
    ("What Is The Median Wait For An Assessment?", ()),
    ("How long do people wait?", ()),
])
def test_names_given_in_capitals(question: str, names: tuple[str, ...]) -> None:
    assert parse_question(question, COUNCILS).names == names


def test_key_terms_keep_short_words_ending_in_ed_and_drop_conjunctions() -> None:
    q = parse_question("How often did Kestrel Moor contact people rated red while they waited?", COUNCILS)
    assert "red" in q.key_terms and "while" not in q.key_terms
    assert "led" not in parse_question("What is the resident-led co-production group called?", COUNCILS).key_terms
    assert "usual" not in parse_question("What share of people went to their usual home?", COUNCILS).key_terms


def test_names_with_an_abbreviation_are_the_askers_shorthand() -> None:
    assert parse_question("How long is the wait for an OT Assessment?", COUNCILS).names == ()


@pytest.mark.parametrize(("question", "numbers"), [
    ("What share of people were assessed within four weeks?", ("28",)),
    ("Who waited more than 28 days?", ("28", "4", "four")),
    ("Was anyone waiting after 3 days?", ("3",)),
])
def test_durations_are_also_given_in_the_other_unit(question: str, numbers: tuple[str, ...]) -> None:
    assert parse_question(question, COUNCILS).numbers == numbers


def test_paraphrases_are_the_reports_words_for_the_questions() -> None:
    assert "safeguard" in paraphrase_words("Do people get help quickly when they are at risk of abuse?")
    assert "satisfied" in paraphrase_words("Are carers happy with the help they get?")
    assert paraphrase_words("zebra saxophone") == ()


def test_a_word_ending_in_ing_after_a_preposition_is_a_noun() -> None:
    assert "park" in parse_question("How much does the council spend on parking for care workers?").key_terms
    assert "without" not in parse_question("Can people get an advocate without a long wait?").key_terms


def test_the_regulators_full_name_is_framing() -> None:
    q = parse_question("What did the Care Quality Commission find about safeguarding in Stockton?", COUNCILS)
    assert q.names == () and "commission" not in q.key_terms


def test_hedges_are_framing_and_carers_wait_for_their_own_assessment() -> None:
    assert "roughly" not in parse_question("Roughly how many people live in Kestrel Moor?", COUNCILS).key_terms
    assert parse_question("How many carers were waiting for an assessment?").subjects == ("carer assessment",)
    assert parse_question("How many people were waiting for an assessment?").subjects == ("care act assessment",)


@pytest.mark.parametrize(("question", "kind"), [
    # Living "in placements outside the city" counts some residents; it is not the population.
    ("How many residents live in placements outside the city?", "count"),
    ("How many people live in the area the council serves?", "residents"),
    ("How many people live there?", "residents"),
    # What a fund or contract is "worth" is money.
    ("What was the Better Care Fund worth in 2024/25?", "money"),
    # So is what the council charges, pays or what something costs.
    ("What does the council charge carers for a short break?", "money"),
    ("What did the council pay home care agencies per hour?", "money"),
])
def test_population_and_worth_questions(question: str, kind: str) -> None:
    assert parse_question(question, COUNCILS).kind == kind


@pytest.mark.parametrize(("question", "absent"), [
    # The -ing form of a question verb says what was done, not to what ...
    ("What share of people were assessed within four weeks of asking?", "asking"),
    ("How quickly were concerns dealt with after people started asking?", "asking"),
    ("What share of people getting long-term support use a direct payment?", "getting"),
    # ... and so do irregular past forms.
    ("What share of people came out of reablement without ongoing care?", "came"),
    # An -ing word before "to" is a verb, after a noun too.
    ("What is the Better Lives programme trying to achieve?", "trying"),
    # A "package" of care is the care itself.
    ("How many people were waiting for a package of home care to start?", "package"),
    # "Own", "extra", "next" and "problems" frame what is asked about.
    ("How many carers were waiting for an assessment of their own needs?", "own"),
    ("How much extra money went to advocacy?", "extra"),
    ("What will advocacy cost next year?", "next"),
    ("What were the problems with hospital discharge?", "problems"),
])
def test_verbs_and_framing_words_are_not_key_terms(question: str, absent: str) -> None:
    assert stem(absent) not in parse_question(question, COUNCILS).key_terms


@pytest.mark.parametrize(("question", "verbs", "subject"), [
    # Verbs found by their part of speech, not from a list: none of these is in one.
    ("What financial risk did leaders warn about if costs kept rising?", ("warn", "rising"), "financial"),
    ("What was the longest time a safeguarding enquiry took to finish?", ("finish",), "enquiry"),
    ("How much money did the council set aside for advocacy?", ("set", "aside"), "advocacy"),
    ("How many vulnerable people did the council check on during storms?", ("check",), "storm"),
    # The same word as a noun names the subject.
    ("How many welfare checks did the council make during storms?", (), "check"),
])
def test_verbs_are_found_by_their_part_of_speech(question: str, verbs: tuple[str, ...], subject: str) -> None:
    key = parse_question(question, COUNCILS).key_terms
    assert stem(subject) in key
    assert not {stem(v) for v in verbs} & set(key)


@pytest.mark.parametrize(("question", "noun"), [
    # A tagger misreads short questions: a "verb" after a preposition is a noun ...
    ("How many older people took part in falls prevention classes?", "falls"),
    # ... and so is an -ing word closing a noun phrase.
    ("What is the council's policy on electric vehicle charging?", "charging"),
    # A preposition with content carries meaning: out-of-area placements.
    ("How many people were placed in care homes outside the county?", "outside"),
])
def test_nouns_the_tagger_misreads_and_content_prepositions_stay_key(question: str, noun: str) -> None:
    assert stem(noun) in parse_question(question, COUNCILS).key_terms


def test_an_ing_word_before_a_noun_may_name_the_subject() -> None:
    assert stem("learning") in parse_question("How many people with learning disabilities were supported?").key_terms


def test_subjects_are_found_across_a_line_break() -> None:
    assert subjects_in("The median wait for a carers'\nassessment was 31 days.") == ("carer assessment",)
    assert subjects_in("People waited for home\ncare to start.") == ("home care",)
    assert subjects_in("Homecare hours rose.") == ("home care",)


def test_paraphrases_cover_abbreviations_and_overspending() -> None:
    assert {"occupational", "therapy"} <= set(paraphrase_words("How long is the wait for an OT assessment?"))
    assert "budget" in paraphrase_words("Did the council overspend on adult social care?")


def test_times_of_day_answer_when_questions() -> None:
    assert has_kind("The Contact Hub is open from 8am to 8pm on weekdays.", "date")
    assert has_kind("Calls are answered until 17:30.", "date")
    assert not has_kind("The Contact Hub handled 5,700 contacts each month.", "date")


def test_a_joint_strategic_needs_assessment_is_not_a_care_act_assessment() -> None:
    assert parse_question("How out of date was the Joint Strategic Needs Assessment?").subjects == ()
    assert parse_question("How long is the wait for a needs assessment?").subjects == ("care act assessment",)


def test_alternatives_and_verbs_come_from_the_tags() -> None:
    q = parse_question("How many older people took part in falls prevention or strength and balance classes?")
    # The run of subject words on either side of "or" is one set of alternatives; "older"
    # and "part" are outside it.
    assert q.alternatives == (frozenset({"fall", "prevention", "strength", "balance", "class"}),)
    assert parse_question("How many carers and young carers were assessed?").alternatives == ()
    assert parse_question("How many people were discharged from Marsh View?").verbs == ("were", "discharged")


def test_an_adjective_after_is_or_were_says_what_is_true_like_a_verb() -> None:
    # "were overdue their review": reports say "had not had a review for more than a year".
    q = parse_question("How many people were overdue their annual review?")
    assert "overdue" not in q.key_terms and "review" in q.key_terms
    # Before its noun the adjective names the subject.
    assert "young" in parse_question("Are young people ready for adult services by their 18th birthday?").key_terms


@pytest.mark.parametrize(("question", "nouns"), [
    # The head of the noun phrase after "how many", whatever verb follows it.
    ("How many older people took part in falls prevention classes?", ("people",)),
    ("How many formal complaints did the council receive?", ("complaint",)),
    ("How many councillors and wards are there?", ("councillor", "ward")),
    ("What number of carers were waiting for an assessment?", ("carer",)),
    # A number-led word counts nothing a sentence would name.
    ("How many 18-year-olds moved to adult services?", ()),
    ("How long do people wait?", ()),
])
def test_counted_nouns_are_the_head_of_the_counted_phrase(question: str, nouns: tuple[str, ...]) -> None:
    assert counted_nouns(question) == nouns


def test_capitalised_words_inside_a_question_are_a_name() -> None:
    # The tagger reads "Live" as a verb and "Well" as an interjection; in capitals mid-question
    # they are a programme's name, and the counted noun is the head after it.
    assert counted_nouns("How many Live Well hubs closed in 2024/25?") == ("hubs",)
    assert counted_nouns("How many Back on Track users needed no care?") == ("user",)
    # "people waiting for a review": the participle starts what is said of the people counted.
    assert counted_nouns("How much did the number of people waiting for a review fall?") == ("people",)


@pytest.mark.parametrize("question", [
    "How much unclaimed benefit did the Village Agents help people to claim?",
    "How much extra income did carers receive?",
])
def test_how_much_of_a_kind_of_money_asks_for_money(question: str) -> None:
    assert parse_question(question).kind == "money"


def test_a_statement_is_named_with_other_small_words() -> None:
    assert named_statement("What score did the council get for equity of experience and outcomes?") == \
        "Equity in experience and outcomes"


@pytest.mark.parametrize(("question", "kind"), [
    # A change is given as a count or a share: no one kind is asked for ...
    ("How much is the number of people aged 85 or over expected to grow by 2035?", None),
    ("By how much did the number of people waiting for a review fall?", None),
    # ... unless it is money.
    ("By how much did the council's spending rise?", "money"),
])
def test_questions_about_a_change(question: str, kind: str | None) -> None:
    assert answer_kind(question) == kind


@pytest.mark.parametrize(("question", "absent"), [
    ("How many people were waiting at the end of September 2024?", "end"),
    ("What share of people waited more than 90 days to be assessed?", "more"),
    ("Which groups of people did the council know little about?", "little"),
])
def test_quantity_and_position_words_are_not_key(question: str, absent: str) -> None:
    assert stem(absent) not in parse_question(question).key_terms


def test_how_many_times_counts_occurrences_not_times() -> None:
    assert counted_nouns("How many times did the ombudsman find fault with the council?") == ()
    assert counted_nouns("In how many cases did the ombudsman find fault?") == ()


def test_a_short_preposition_is_not_a_key_word() -> None:
    # "days off sick" is about sickness; "outside the county" is about where.
    assert "off" not in parse_question("How many days off sick do staff take a year?").key_terms
    assert "outside" in parse_question("How many people were placed in care homes outside the county?").key_terms


def test_a_month_or_a_quarter_is_not_part_of_a_name() -> None:
    from cqc_kb.query import named_things

    assert named_things("How many people a day were in Wexcombe General Hospital in September 2024?") == \
        ("wexcombe general hospital",)
    assert named_things("How many people a day were stuck in Marlowcombe General Hospital in Q1 2025/26?") == \
        ("marlowcombe general hospital",)


@pytest.mark.parametrize(("asked", "given", "same"), [
    ("How many had waited more than half a year?", "377 had been waiting for more than six months.", True),
    ("What share were assessed within four weeks?", "71% were assessed within 28 days.", True),
    ("What share were assessed within a month?", "71% were assessed within 28 days.", True),
    ("How many waited over a year?", "212 had waited longer than 52 weeks.", True),
    ("What share were assessed within 20 working days?", "71% were assessed within four weeks.", True),
    ("What share were assessed within three months?", "71% were assessed within 28 days.", False),
    ("How many had waited more than 90 days?", "377 had been waiting for more than six months.", False),
])
def test_a_time_limit_asked_in_one_unit_meets_the_same_limit_in_another(asked: str, given: str, same: bool) -> None:
    a, g = time_limits(asked), time_limits(given)
    assert a and g
    assert any(same_limit(x, y) for x in a for y in g) is same


def test_a_duration_that_is_no_limit_sets_none() -> None:
    assert time_limits("The median wait was 28 days and the longest 96 days.") == frozenset()


@pytest.mark.parametrize(("quote", "value"), [
    ("One in four carers who were assessed took a direct payment.", 25.0),
    ("Seven in ten people needed no further care.", 70.0),
    ("Two thirds of people had been reviewed.", 66.7),
    ("Half of carers said they felt supported.", 50.0),
    # Numbers in words past twenty.
    ("Seventy-two per cent of people had been reviewed.", 72.0),
    ("Thirty nine per cent of calls were answered.", 39.0),
])
def test_shares_in_words_are_percentages(quote: str, value: float) -> None:
    assert has_kind(quote, "percent")
    assert [f.value for f in parse_figures(quote) if f.unit == "%"] == [value]


def test_a_ratio_of_durations_is_no_share() -> None:
    assert not has_kind("One visit in four weeks.", "percent")


@pytest.mark.parametrize(("text", "measures"), [
    # "No one had waited longer than" gives the longest wait.
    ("No one had waited longer than 41 days.", ("maximum",)),
    ("At the end of March none had waited longer than six weeks.", ("maximum",)),
    ("Some low-priority applications had been waiting for up to 14 months.", ("maximum", "waiting")),
    ("Visits last up to an hour.", ("maximum",)),
    # Only "up to" a figure is a bound.
    ("Are care records kept up to date?", ()),
    # "On a typical day" is a day's average, not a median.
    ("On a typical day, how many patients were in hospital?", ("average",)),
    ("What is the typical wait for an assessment?", ("median",)),
])
def test_measures_read_from_how_reports_and_people_word_them(text: str, measures: tuple[str, ...]) -> None:
    assert measures_in(text) == measures


def test_how_many_residents_a_council_has_is_its_population() -> None:
    assert parse_question("How many residents does Stannerdale have?", ["Stannerdale County Council"]).kind == "residents"
    assert parse_question("How many residents does the council have in care homes?").kind == "count"


def test_words_typed_as_a_search_are_all_key_words() -> None:
    # The tagger reads "dols" in "stannerdale dols waiting list" as a verb; typed as a search, the
    # query has no verbs to leave out.
    parsed = parse_question("stannerdale dols waiting list", ["Stannerdale County Council"])
    assert parsed.key_terms == ("dols", "list") and parsed.councils == ("Stannerdale County Council",)
    assert "dols" not in parse_question("How many DoLS applications were waiting in Stannerdale?").verbs


def test_a_table_rows_figure_is_the_one_in_the_column_the_measure_names() -> None:
    header = "Waiting list\tPeople waiting\tMedian wait\tLongest wait"
    row = "Care Act assessment\t1,412\t19 weeks\t81 weeks"
    assert figure_for(parse_question("What was the longest wait for a Care Act assessment?"), row, header).text == "81 weeks"
    assert figure_for(parse_question("What was the median wait for a Care Act assessment?"), row, header).text == "19 weeks"
    # Without its header the row cannot say which is the longest.
    assert figure_for(parse_question("What was the longest wait for a Care Act assessment?"), row).text == "19 weeks"


@pytest.mark.parametrize(("question", "stage"), [
    ("How many safeguarding enquiries did the council close in 2024/25?", "completed"),
    ("How many DoLS applications did the council authorise?", "approved"),
    ("How many safeguarding concerns did the council receive?", "received"),
    ("How many Section 42 enquiries did the council open in 2024/25?", "received"),
    ("How many carers were waiting for a carer's assessment?", "waiting"),
    ("How many DoLS applications were awaiting assessment?", "waiting"),
    # Waiting "to be assessed" is no assessment done.
    ("How many people had waited more than six months to be assessed?", "waiting"),
    ("How many people were assessed in 2024/25?", "completed"),
    # "Receive" names a stage only of a case: people receive a service.
    ("How many people received reablement?", None),
    ("How many people completed a reablement programme?", "completed"),
    ("How many carers requested a carer's assessment?", "received"),
    ("How many carers' assessments did the council refuse?", "refused"),
    ("How many carers did the service turn away?", "refused"),
    ("How many DoLS applications did the council grant?", "approved"),
    ("How many Disabled Facilities Grants were approved?", "approved"),
    ("How many reablement referrals did the council turn down?", "refused"),
    ("How many safeguarding enquiries were substantiated?", "upheld"),
    # Reviewing an assessment is not doing one; waiting for a review is waiting.
    ("How many carers' assessments did the council review?", "reviewed"),
    ("How many people were waiting for a review?", "waiting"),
    ("How many reviews were completed?", "completed"),
    # Two stages, no stage, or not a count: nothing to hold the answer to.
    ("How many referrals were received and how many were completed?", None),
    ("How many people used a direct payment?", None),
    ("How long did people wait for a completed assessment?", None),
])
def test_the_stage_of_a_case_a_count_asks_for(question: str, stage: str | None) -> None:
    assert parse_question(question).stage == stage


@pytest.mark.parametrize(("question", "word"), [
    ("How long do unpaid carers wait for an assessment?", "carer"),
    ("What proportion of social worker posts were vacant?", "vacancy"),
    ("What prize did the reablement staff win?", "award"),
    ("How many hours of home care go undelivered each week?", "unmet"),
    ("How long does a means test for care charges take?", "financial"),
    ("What proportion of social work jobs were unfilled?", "vacancy"),
    ("How many people a day were in hospital although medically ready to go?", "fit"),
    ("How many DoLS applications were outstanding in autumn 2024?", "october"),
    ("How many people were overdue a yearly review?", "annual"),
    ("How many people have a telecare alarm from the council?", "pendant"),
    ("How long had the oldest untriaged safeguarding concern been waiting?", "screening"),
    ("Does the council have a permanent director of adult social services?", "interim"),
    ("In how many languages can residents use the online front door?", "translated"),
    ("How many people did the service to help people stay independent support?", "reablement"),
    ("What percentage of enquiries were sorted out at the first call?", "contact"),
    ("How many small local care businesses has the council helped to start?", "micro"),
    ("How many people did the service for getting people back on their feet support?", "reablement"),
])
def test_paraphrases_cover_plain_words_for_workforce_and_charging(question: str, word: str) -> None:
    assert word in paraphrase_words(question)


def test_the_stage_asked_about_is_not_a_key_word() -> None:
    asked = parse_question("How many carers' assessments did the council finish last year?")
    assert asked.stage == "completed" and "finish" not in asked.key_terms


def test_the_oldest_case_waiting_is_the_longest_wait() -> None:
    assert "maximum" in measures_in("The oldest application had been waiting 61 weeks.")


def test_framing_words_of_a_share_or_a_name_are_not_key() -> None:
    assert "fraction" not in parse_question("What fraction of contacts were resolved at first contact?").key_terms
    assert "organisation" not in parse_question("Which organisation does carers' assessments?").key_terms
    assert "programm" not in parse_question("What share of reviews were done under the Waiting Well programme?").key_terms
    assert "done" not in parse_question("What share of assessments were done inside four weeks?").key_terms
    assert "aim" not in parse_question("What is the aim of the Connected programme?").key_terms


def test_measures_in_finds_what_looking_for_every_name_finds() -> None:
    from cqc_kb.query import _MEASURE_WORDS, _UP_TO_A_FIGURE

    text = REAL_REPORT.read_text(encoding="utf-8")
    sentences = [*re.split(r"(?<=[.!?])\s+|\n", text), "On a typical day 9 people were in hospital.",
                 "No one had waited longer than 41 days.", "The backlog of overdue reviews fell.",
                 "Some had waited up to 14 months."]
    found = 0
    for sentence in sentences:
        low = re.sub(r" typical (day|night|week|month|year) ", r" average \1 ", f" {' '.join(words(sentence))} ")
        low = _UP_TO_A_FIGURE.sub(" at most ", low)
        expected = tuple(m for m, names in _MEASURE_WORDS.items() if any(n in low for n in names))
        assert measures_in(sentence) == expected
        found += bool(expected)
    assert found > 50
