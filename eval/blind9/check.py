"""Check blind set 9's gold file, blind9.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's; this file holds the set's own data.

    python eval/blind9/check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from blindcheck import BlindSet, main  # noqa: E402

#: authority -> (source, rendered file, format) of this set's new reports.
NEW = {
    # authority: (source, rendered file, format)
    "Wyvernstoke Borough Council": ("wyvernstoke.source.txt", "wyvernstoke.txt", "txt"),
    "Harrowdene City Council": ("harrowdene.source.txt", "harrowdene.pdf", "pdf"),
    "Fellmarsh County Council": ("fellmarsh.source.txt", "fellmarsh.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "wyvernstoke", "harrowdene", "fellmarsh")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised.
ABSENT: dict[str, tuple[str, ...]] = {
    "What was the longest wait for an occupational therapy assessment in Wyvernstoke?":
        ("longest wait for an occupational", "maximum wait for an occupational", "longest occupational",
         "longest wait for occupational", "therapy waits of up to"),
    "How many people were waiting for a Care Act assessment in Wyvernstoke at the end of March 2024?":
        ("march 2024",),
    "How many carers in Wyvernstoke were waiting for a carer's assessment?":
        ("carers were waiting", "carers waiting", "waiting for a carer"),
    "What share of younger adults in Wyvernstoke used direct payments?":
        ("aged 18 to 64", "18-64", "18 to 64", "younger adults used", "younger adults took"),
    "How many people did Brookfield Lodge in Wyvernstoke discharge home in 2024/25?":
        ("discharged from brookfield", "brookfield lodge discharged", "went home from brookfield",
         "returned home from brookfield", "left brookfield"),
    "How many safeguarding concerns did Wyvernstoke receive in 2023/24?": ("concerns in 2023/24",),
    "What does Wyvernstoke charge carers for a Take a Breath short break?":
        ("take a breath costs", "charge for a short break", "per night", "a night", "charged for short breaks"),
    "What was the median wait for a Care Act assessment in Harrowdene in Q3 2023/24?": ("q3 2023/24",),
    "What was the longest wait for a Care Act assessment in Harrowdene?":
        ("longest wait", "maximum wait", "longest anyone", "waited up to"),
    "How many people were admitted to Linden Court in Harrowdene in 2024/25?":
        ("admitted to linden", "linden court admitted", "admissions to linden", "stayed at linden"),
    "How many people were waiting for an occupational therapy assessment in Harrowdene?":
        ("waiting for an occupational", "waiting for occupational", "waiting list for an occupational"),
    "What share of younger disabled adults in Harrowdene were still at home 91 days after reablement?":
        ("aged 18 to 64", "18-64", "18 to 64", "younger adults were still", "younger people were still"),
    "How many safeguarding enquiries did Harrowdene close in 2024/25?":
        ("enquiries were completed", "enquiries were closed", "completed enquiries", "closed enquiries",
         "enquiries closed", "enquiries completed"),
    "What was Harrowdene's social work vacancy rate in 2022/23?": ("2022/23",),
    "What is the median wait for an occupational therapy assessment in Fellmarsh?": ("median",),
    "How many people were waiting for domiciliary care in the south of Fellmarsh?":
        ("south of the county", "southern", "in the south"),
    "How many carers used Heron House in Fellmarsh in 2024/25?":
        ("carers used heron", "stays at heron", "heron house supported", "heron house provided",
         "heron house had"),
    "What was the longest wait for a carer's assessment in Fellmarsh?":
        ("longest wait", "maximum wait", "longest a carer", "waited up to"),
    "How many Fellmarsh care homes were rated inadequate?": ("rated inadequate", "inadequate by cqc"),
    "How much does Brackenford Lifeline cost each week?":
        ("lifeline costs", "lifeline cost", "lifeline charge", "charge for lifeline", "charge for telecare",
         "telecare charge"),
    "What is the sickness absence rate for Amberleigh's social workers?": ("sickness", "sick leave", "absence rate"),
    "How many potholes did the council repair last year?": ("pothole",),
    "What is the price of a school meal?": ("school meal", "free school"),
    "What are the opening hours of the household recycling centre?": ("recycling", "tip "),
    "How much is council tax going up by?": ("council tax",),
    "How long do people wait for a blue badge?": ("blue badge",),
    "What does it cost to park at the hospital?": ("parking", "car park"),
    "What is the median wait for a continuing healthcare assessment?": ("continuing healthcare", "continuing care"),
    "How many people are on the waiting list for social housing?":
        ("social housing", "housing register", "waiting list for housing", "council housing"),
    "How many foster carers does the council have?": ("foster",),
}

BLIND = BlindSet(gold=HERE / "blind9.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
              "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=('blind', 'blind5'))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
