"""Check blind set 12's gold file, blind12.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's; this file holds the set's own data.

    python eval/blind12/check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from blindcheck import BlindSet, main  # noqa: E402

#: authority -> (source, rendered file, format) of this set's new reports.
NEW = {
    "Ottersby Borough Council": ("ottersby.source.txt", "ottersby.txt", "txt"),
    "Quenhallow City Council": ("quenhallow.source.txt", "quenhallow.pdf", "pdf"),
    "Merrowfold County Council": ("merrowfold.source.txt", "merrowfold.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "ottersby", "quenhallow", "merrowfold")

_YOUNGER = ("aged 18 to 64", "18-64", "18 to 64", "younger adults", "working-age", "working age")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised.
ABSENT: dict[str, tuple[str, ...]] = {
    "What was the median wait for an assessment in Ottersby?": ("median",),
    "What was the average wait for an assessment in Ottersby in Q3 2023/24?": ("q3 2023/24",),
    "How many carers were waiting for a carer's assessment in Ottersby?":
        ("carers were waiting", "carers waiting", "waiting for a carer"),
    "What share of younger adults in Ottersby were still at home 91 days after reablement?": _YOUNGER,
    "How many safeguarding enquiries did Ottersby close in 2024/25?":
        ("enquiries were closed", "enquiries were completed", "completed enquiries", "closed enquiries",
         "enquiries closed", "enquiries completed", "concluded"),
    "How many DoLS applications did Ottersby grant in 2024/25?":
        ("granted", "authorised", "applications were decided", "decided"),
    "How many social workers did Ottersby recruit in 2024/25?": ("recruited", "hired", "new social workers"),
    "What was the social work vacancy rate in Ottersby in March 2024?": ("march 2024",),
    "How much does Ottersby charge for Careline?":
        ("careline costs", "careline cost", "careline charge", "charge for careline", "per week", "a week for"),
    "How many people in Ottersby waited more than a year for an assessment?":
        ("more than a year for an assessment", "over a year for an assessment",
         "more than a year for a care act", "year for an assessment"),
    "What was the longest wait for a Care Act assessment in Quenhallow?":
        ("longest", "maximum wait", "waited up to"),
    "What was the median wait for a Care Act assessment in Quenhallow in Q3 2023/24?": ("q3 2023/24",),
    "How many people in Quenhallow were waiting for home care at the end of March 2025?":
        ("people were waiting for home care", "people waiting for home care", "waiting for domiciliary",
         "waiting for a home care"),
    "How many safeguarding concerns did Quenhallow receive in 2024/25?":
        ("concerns were received", "concerns received", "received 1", "received 2", "concerns in 2024/25",
         "safeguarding concerns in"),
    "How many DoLS applications did Quenhallow complete in 2024/25?":
        ("applications were completed", "applications completed", "granted", "authorised", "decided"),
    "What share of older people in Quenhallow were still at home 91 days after reablement?":
        ("91 days", "still at home"),
    "What is the median wait for an occupational therapy assessment in Quenhallow?":
        ("median wait for an occupational", "median wait for occupational", "median occupational",
         "occupational therapy assessment was"),
    "How many social workers has Quenhallow recruited from abroad?": ("international", "overseas", "abroad"),
    "quenhallow adult social care overspend 2025/26": ("2025/26",),
    "What was the longest wait for an OT assessment in Merrowfold?":
        ("longest wait for an occupational", "maximum wait for an occupational", "longest occupational",
         "longest wait for occupational", "occupational therapy assessment: up to"),
    "What share of younger adults in Merrowfold were still at home 91 days after reablement?": _YOUNGER,
    "How many Carers' Break Fund grants did Merrowfold give in 2023/24?": ("grants in 2023/24",),
    "How many personal assistants are registered in Merrowfold?":
        ("personal assistants registered", "personal assistants on", "pa register", "pa hub", "pa finder",
         "register of personal assistants"),
    "How many safeguarding concerns did Merrowfold receive in 2024/25?":
        ("concerns were received", "concerns received", "received 1", "received 2", "concerns in 2024/25"),
    "How many young people did Moving On Merrowfold support in 2024/25?":
        ("moving on merrowfold supported", "moving on merrowfold worked with", "young people moved",
         "young people were supported", "young people in 2024/25"),
    "How many people were discharged from Merrowfold County Hospital in 2024/25?":
        ("discharged from merrowfold", "were discharged", "discharges"),
    "merrowfold care worker vacancy rate": ("care worker vacancy", "vacancy rate for care workers",
                                           "care workers vacancy"),
    "How many potholes did Quenhallow fill in 2024/25?": ("pothole",),
    "What is the band D council tax in Merrowfold?": ("council tax", "band d"),
    "How long does Ottersby take to process a housing benefit claim?": ("housing benefit", "benefit claim"),
    "How much is the garden waste collection charge?": ("garden waste", "green waste"),
    "How many swimming pools does the council run?": ("swimming",),
    "What is the fine for fly-tipping?": ("fly-tipping", "fly tipping"),
    "How long does a school place appeal take?": ("school place", "admissions appeal"),
    "How many electric vehicle charging points are there?": ("charging point", "electric vehicle"),
    "What does a residents' parking permit cost?": ("parking permit", "residents' parking"),
    "How many people hold a blue badge?": ("blue badge",),
    "How many people did Home First Ottersby support in 2023/24?": ("people in 2023/24", "ottersby in 2023/24"),
    "What hourly rate does Quenhallow pay home care providers?": ("an hour", "per hour", "hourly rate"),
    "How many carers in Merrowfold were waiting for an assessment?":
        ("carers were waiting", "carers waiting", "waiting for a carer"),
    "What share of people on long-term support in Ottersby had a review in the last year?":
        ("had a review in", "had had a review", "reviewed in the previous", "reviews completed on time",
         "reviewed within"),
    "How many safeguarding enquiries were started in Merrowfold in 2024/25?":
        ("section 42 enquir", "enquiries were started", "enquiries in 2024/25", "led to an enquiry"),
    "How many young people in Quenhallow moved to adult services in 2024/25?":
        ("moved to adult services", "young people moved", "moved into adult"),
    "What was Merrowfold's social work vacancy rate in March 2024?": ("march 2024",),
    "ottersby occupational therapy longest wait":
        ("longest wait for an occupational", "longest occupational", "maximum wait for an occupational",
         "therapy waits of up to", "longest wait for occupational"),
}

BLIND = BlindSet(gold=HERE / "blind12.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
                           "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=("blind", "blind5"))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
