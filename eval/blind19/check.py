"""Check blind set 19's gold file, blind19.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's (imported from the folder above); this file holds the set's
own data.

    python eval/blind19/check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from blindcheck import BlindSet, main  # noqa: E402

#: authority -> (source, rendered file, format) of this set's new reports.
NEW = {
    "Quenby Borough Council": ("quenby.source.txt", "quenby.txt", "txt"),
    "Marlhithe City Council": ("marlhithe.source.txt", "marlhithe.pdf", "pdf"),
    "Tollerbridge County Council": ("tollerbridge.source.txt", "tollerbridge.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "quenby", "marlhithe", "tollerbridge")

_CLOSED = ("enquiries were closed", "enquiries closed", "closed enquiries", "enquiries were completed",
           "completed enquiries", "enquiries completed", "concluded")
_YOUNGER = ("aged 18 to 64", "18-64", "18 to 64", "younger adults", "working-age", "working age")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised.
ABSENT: dict[str, tuple[str, ...]] = {
    "What was the median wait for an occupational therapy assessment in Quenby?":
        ("median wait for an occupational", "median wait for occupational", "(ot) assessments – median",
         "ot assessments – median"),
    "What was the longest wait for a Care Act assessment in Quenby?":
        ("longest wait for a care act", "care act assessments – longest", "longest anyone", "maximum wait"),
    "How many carers were waiting for a carer's assessment in Quenby in Q3 2023/24?":
        ("q3 2023/24", "31 december 2023"),
    "What share of younger adults in Quenby were still at home 91 days after reablement?": _YOUNGER,
    "How many people were admitted to Willowmead for short breaks in 2024/25?":
        ("admitted to willowmead", "stayed at willowmead", "carers used willowmead", "willowmead supported",
         "people used willowmead"),
    "How many safeguarding enquiries did Quenby close in 2024/25?": _CLOSED,
    "What is the vacancy rate for occupational therapists in Quenby?":
        ("vacancy rate for occupational", "occupational therapist vacancy", "occupational therapy vacancy",
         "occupational therapists was"),
    "How many DoLS applications were awaiting a decision in Quenby at the end of March 2024?": ("march 2024",),
    "How many carers' assessments did Quenby complete in 2024/25?":
        ("carers' assessments were completed", "completed carers' assessments", "carers' assessments in 2024/25",
         "carers' assessments completed"),
    "What is the average wait for community equipment in Quenby?":
        ("equipment within an average", "average wait for equipment", "equipment was delivered within an average",
         "equipment took an average"),
    "What was the longest wait for a Care Act assessment in Marlhithe?": ("longest", "maximum wait", "waited up to"),
    "What was the median wait for a Care Act assessment in Marlhithe?":
        ("median wait for a care act", "median wait for an assessment", "median wait for assessment"),
    "How many people were waiting for an assessment in Marlhithe on 31 March 2023?": ("march 2023",),
    "What share of occupational therapy assessments in Marlhithe were completed within 28 days?":
        ("therapy assessments were completed within", "therapy assessments completed within",
         "occupational therapy within 28"),
    "How many people were admitted to Marlhithe General Hospital in 2024/25?":
        ("admitted to marlhithe", "admissions to marlhithe", "hospital admissions", "were admitted"),
    "How many safeguarding enquiries did Marlhithe close in 2024/25?": _CLOSED,
    "What was the median wait for home care for people already living in the community in Marlhithe?":
        ("in the community waited", "community waited a median", "community had waited"),
    "What percentage of older people in Marlhithe were still at home 91 days after reablement?":
        ("91 days", "ninety-one days", "still at home"),
    "What is the sickness absence rate among Marlhithe's social care staff?": ("sickness", "sick leave", "absence"),
    "How many carers used Harbourside House in Marlhithe for short breaks each year?":
        ("carers used harbourside", "harbourside house supported", "harbourside house provided", "nights"),
    "How much does Marlhithe pay care homes per week?":
        ("per week", "a week for residential", "a week for nursing", "weekly rate", "a week in 2024/25"),
    "What was the median wait for a carer's assessment in Tollerbridge?":
        ("carers waited a median", "median wait for a carer", "median wait for carers"),
    "How many people were waiting for a Care Act assessment in Tollerbridge in Q4 2023/24?":
        ("q4 2023/24", "march 2024"),
    "What percentage of younger adults in Tollerbridge were still at home 91 days after reablement?": _YOUNGER,
    "How many people were waiting for domiciliary care in the east of Tollerbridge?":
        ("east of the county", "in the east", "eastern"),
    "How many DoLS applications did Tollerbridge authorise in 2024/25?":
        ("authorised", "applications were granted", "authorisations"),
    "How many safeguarding concerns did Tollerbridge triage within two working days?":
        ("triaged within", "within 2 working days", "within two working days"),
    "What is the median wait for an occupational therapy assessment in Tollerbridge?":
        ("median wait for an occupational", "wait for occupational", "wait for an occupational"),
    "How many carers in Tollerbridge received a direct payment?":
        ("carers received a direct", "carers' direct payment", "carers used a direct", "direct payments to carers"),
    "How many people left the Tollerbridge Shared Lives scheme in 2024/25?":
        ("left the shared lives", "left the scheme", "ended their placement", "moved on from shared lives"),
    "How many potholes were fixed this year?": ("pothole",),
    "How many library books were borrowed last year?": ("library books", "book loans", "books were borrowed"),
    "How long is the wait for a Motability car?": ("motability",),
    "How many people in Quenby were waiting for home care at the end of March 2024?": ("march 2024",),
    "How long did Marlhithe carers wait on average for an assessment?":
        ("carers waited an average", "carers waited a median", "average wait for a carer", "carers waited"),
    "How many people were waiting for domiciliary care in Tollerbridge in Q1 2025/26?": ("2025/26",),
    "How many people did Quenby's Home First service support in 2023/24?": ("people in 2023/24", "home first in 2023"),
    "How many people in Marlhithe moved from reablement into a care home?":
        ("into a care home", "to a care home", "into residential care", "moved into a home"),
    "How much do residents pay for garden waste collection?": ("garden waste", "bin collection", "green bin"),
    "How many people are on the housing register?": ("housing register",),
    "What did Ofsted rate the council's children's services?": ("ofsted",),
    "How many new school places were created?": ("school places",),
    "How long is the wait for NHS hearing aids?": ("hearing aid", "audiology"),
    "How many people were waiting for a wheelchair from the NHS service?": ("wheelchair",),
}

BLIND = BlindSet(gold=HERE / "blind19.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
                           "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=("blind", "blind5"))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
