"""Check blind set 16's gold file, blind16.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's; this file holds the set's own data.

    python eval/blind16/check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from blindcheck import BlindSet, main  # noqa: E402

#: authority -> (source, rendered file, format) of this set's new reports.
NEW = {
    "Tarnbridge Borough Council": ("tarnbridge.source.txt", "tarnbridge.txt", "txt"),
    "Elsingham City Council": ("elsingham.source.txt", "elsingham.pdf", "pdf"),
    "Corvale County Council": ("corvale.source.txt", "corvale.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "tarnbridge", "elsingham", "corvale")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised. The comment says how the question misses an answerable one.
ABSENT: dict[str, tuple[str, ...]] = {
    # subject: the figure is given for other services only
    "What is the median wait for a financial assessment in Tarnbridge?":
        ("wait for a financial", "financial assessment was", "financial assessments took",
         "financial assessment | "),
    "How long did people wait for a financial assessment in Elsingham?":
        ("wait for a financial", "financial assessment was", "financial assessments took",
         "fairer charging team took", "fairer charging team completed them within"),
    "What was the average wait for a financial assessment in Corvale?": ("financial assessment",),
    "What is the vacancy rate for occupational therapists in Tarnbridge?":
        ("occupational therapist vacancy", "vacancy rate for occupational", "occupational therapy vacancy",
         "therapist vacancies", "occupational therapists: "),
    "How many carers in Corvale used the Time Out scheme in 2024/25?":
        ("carers used time out", "time out was used", "time out breaks", "used the time out",
         "time out provided", "time out supported", "carers used the time out"),
    "How many reablement episodes did Elsingham's Same Day Home team start?":
        ("same day home team started", "same day home started", "same day home supported",
         "same day home helped"),
    "What was the longest wait for a carer's assessment in Tarnbridge?":
        ("longest anyone had waited for a carer", "longest wait for a carer", "longest carer",
         "carers waited up to"),
    # measure: a different statistic from the one given
    "What was the median wait for an occupational therapy assessment in Elsingham?":
        ("median wait for an occupational", "occupational therapy assessment was", "median wait for occupational"),
    "How many carers in Elsingham were waiting for an assessment at 31 March 2025?":
        ("carers were waiting", "waiting for a carer", "carers waiting"),
    "How many people were waiting for an OT assessment in Corvale?":
        ("waiting for an occupational", "waiting for occupational", "people waiting"),
    "What was the longest wait for a Care Act assessment in Corvale?":
        ("longest wait", "longest anyone", "maximum wait", "waited up to"),
    "What was the median wait for a Care Act assessment in Corvale in 2024/25?": ("median",),
    "What was the maximum wait for a Care Act assessment in Elsingham in Q3 2024/25?":
        ("longest wait", "maximum wait", "longest anyone", "waited up to"),
    "How many safeguarding enquiries in Tarnbridge were substantiated?":
        ("substantiated", "risk was removed", "risk removed", "risk reduced"),
    "What was the median time Corvale took to finish a safeguarding enquiry?":
        ("median", "enquiries took", "to complete", "to conclude"),
    # period: a year or quarter the report does not cover
    "What was the average wait for a Care Act assessment in Corvale in 2021/22?": ("2021/22",),
    "What was Elsingham's median Care Act assessment wait in Q1 2024/25?": ("q1 2024/25", "q1 ", "first quarter"),
    "How many people were waiting for a Care Act assessment in Tarnbridge at the end of March 2025?":
        ("waiting for a care act assessment at 31 march", "at 31 march 2025, 612", "march 2025 were:"),
    "How many reablement episodes did Tarnbridge start in 2022/23?": ("2022/23",),
    "How many safeguarding concerns did Elsingham receive in 2023/24?":
        ("concerns in 2023/24", "2023/24, elsingham received", "a year earlier, elsingham"),
    "What was Corvale's social worker vacancy rate in 2022/23?":
        ("vacancy rate in 2022/23", "vacancy rate had been", "vacancy rate fell", "down from"),
    # group: another group of people than the one a figure is for
    "What share of older people used direct payments in Elsingham?":
        ("aged 65 and over used", "older people used a direct", "older people the share", "aged 65 or over used",
         "among older"),
    "What share of younger adults were still at home 91 days after reablement in Corvale?":
        ("aged 18 to 64", "younger adults at home", "younger people at home", "18-64", "younger adults"),
    "What share of younger adults in Tarnbridge took a direct payment?":
        ("younger adults took", "aged 18 to 64", "18-64", "younger adults used", "younger people took"),
    "What share of people with learning disabilities in Corvale use direct payments?": ("learning disab",),
    # place: a town or area the figure is not given for
    "How many hours of home care a week are delivered in St Aldric?":
        ("hours of care a week in st aldric", "st aldric received", "in st aldric,"),
    "How many people were receiving home care in Holmcliffe in Tarnbridge?":
        ("home care in holmcliffe", "holmcliffe received", "receiving home care in holm"),
    "What was the median Care Act assessment wait in the north of Elsingham?":
        ("north of the city was", "in the north of the city, the median", "north of the city waited"),
    # action: a verb that differs from the one the figure is for
    "How many reablement referrals did Elsingham turn down in 2024/25?":
        ("declined", "turned down", "refused", "rejected", "not accepted"),
    "How many carers' assessments did Tarnbridge review in 2024/25?":
        ("carers' assessments were reviewed", "reviewed carers", "carers' reviews", "carer reviews",
         "reviews of carers"),
    "How many safeguarding enquiries did Corvale close in 2024/25?":
        ("enquiries were closed", "closed enquiries", "enquiries closed", "completed enquiries",
         "enquiries were completed", "concluded", "finished"),
    "How many carers were turned away by Breathing Space in Tarnbridge?":
        ("turned away", "declined", "could not be offered", "breathing space refused"),
    "How many DoLS applications did Tarnbridge grant in 2024/25?": ("granted", "authorised", "authorisation"),
    "How many young people were referred to Corvale's Next Chapter team?":
        ("referred to the next chapter", "referrals to next chapter", "next chapter received",
         "referrals to the next chapter"),
    # look-alikes: services that are not adult social care
    "How much council tax does a Band D home pay in Elsingham?": ("council tax", "band d"),
    "How many potholes did Corvale fill in last year?": ("pothole",),
    "How much is the garden waste collection charge?": ("garden waste", "green bin"),
    "Are any libraries due to close?": ("library closure", "libraries closing", "libraries will close",
                                        "close libraries", "libraries to close"),
    "What does a residents' parking permit cost?": ("parking permit", "residents' parking"),
    "How many children are in the council's care?": ("children in care", "looked after children",
                                                      "looked-after", "children looked after"),
    "How much does the council spend on gritting roads in winter?": ("gritting", "road salt"),
}

BLIND = BlindSet(gold=HERE / "blind16.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
                           "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=("blind", "blind5"))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
