"""Check blind set 21's gold file, blind21.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's (imported from the folder above); this file holds the set's own data.

    python eval/blind21/check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from blindcheck import BlindSet, main  # noqa: E402

NEW = {
    # authority: (source, rendered file, format)
    "Quenmoor Borough Council": ("quenmoor.source.txt", "quenmoor.txt", "txt"),
    "Aldercross City Council": ("aldercross.source.txt", "aldercross.pdf", "pdf"),
    "Stenbury County Council": ("stenbury.source.txt", "stenbury.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "quenmoor", "aldercross", "stenbury")

_LONGEST_CARER = ("longest wait for a carer", "maximum wait for a carer", "carers waited up to",
                  "longest a carer", "one carer had been waiting", "longest was")
_CARE_WORKER_SICKNESS = ("care worker sickness", "care workers' sickness", "sickness among care workers",
                         "sickness rate for care", "care workers was", "care worker absence")
_CLOSED_ENQUIRIES = ("enquiries were completed", "completed enquiries", "enquiries completed", "concluded enquiries",
                     "enquiries concluded", "enquiries were closed", "closed enquiries", "enquiries closed",
                     "enquiries were concluded")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
ABSENT: dict[str, tuple[str, ...]] = {
    # Quenmoor: measure, subject, group, period, action, place
    "What was the longest wait for a carer's assessment in Quenmoor?": _LONGEST_CARER[:5],
    "What is the median wait for an occupational therapy assessment in Quenmoor?":
        ("median wait for an occupational", "median wait for occupational", "occupational therapy assessment: median"),
    "How many people were waiting for an occupational therapy assessment in Quenmoor?":
        ("waiting for an occupational", "waiting for occupational", "occupational therapy waiting list"),
    "What was the average wait for a Care Act assessment in Quenmoor?":
        ("average wait for a care act", "care act assessments took an average", "waited an average",
         "average wait for an assessment"),
    "What share of younger adults in Quenmoor were still at home 91 days after reablement?":
        ("aged 18 to 64", "18-64", "younger adults who used", "younger people who used", "working-age"),
    "How many safeguarding concerns did Quenmoor receive in 2023/24?": ("concerns in 2023/24",),
    "How many safeguarding enquiries did Quenmoor close in 2024/25?": _CLOSED_ENQUIRIES,
    "How many nights of respite did Seaview House provide in Quenmoor?": ("nights", "a night", "per night"),
    "How many people in Quenmoor's western villages were waiting for home care?":
        ("were waiting for home care", "people in the western villages were waiting", "waiting for a home care"),
    "How many Disabled Facilities Grants did Quenmoor approve in 2024/25?":
        ("approved", "grants were awarded", "grants awarded", "facilities grants in"),
    "What is the sickness rate among care workers at Quenmoor's home care agencies?": _CARE_WORKER_SICKNESS,
    "What was Quenmoor's social worker vacancy rate in 2022/23?": ("2022/23",),
    "How many carers were waiting for a carer's assessment in Quenmoor?":
        ("carers were waiting", "carers waiting", "waiting for a carer"),
    # Aldercross
    "What is the median wait for a Care Act assessment in Aldercross?": ("median",),
    "How long do people wait for an occupational therapy assessment in Aldercross?":
        ("wait for an occupational", "waited for an occupational", "occupational therapy wait",
         "weeks for an occupational", "days for an occupational"),
    "What was the longest wait for a carer's assessment in Aldercross?": _LONGEST_CARER[:5],
    "How many people did Marlowe Court in Aldercross discharge home in 2024/25?":
        ("discharged from marlowe", "marlowe court discharged", "went home from marlowe", "left marlowe",
         "returned home from marlowe", "discharged home"),
    "What share of Back on Your Feet users in Aldercross were still at home 91 days later?": ("91 days", "three months"),
    "What share of younger adults in Aldercross received a direct payment?":
        ("aged 18 to 64", "18-64", "younger adults received", "younger adults used", "working-age"),
    "What share of people in Aldercross received a direct payment in 2021/22?": ("2021/22",),
    "How many safeguarding enquiries did Aldercross complete in 2024/25?": _CLOSED_ENQUIRIES,
    "What was the sickness absence rate among Aldercross social workers?": ("sickness", "sick leave", "absence rate"),
    "How many carers in Aldercross received the Carers' Wellbeing Payment?":
        ("carers received", "payments were made", "wellbeing payments to"),
    "How many hours of home care went undelivered in Aldercross in June 2024?": ("june 2024",),
    "How many people were admitted to Marlowe Court in Aldercross in 2023/24?":
        ("people in 2023/24", "admitted 402 people in 2023"),
    # Stenbury
    "What was the median wait for an occupational therapy assessment in Stenbury?":
        ("median wait for an occupational", "median wait for occupational", "occupational therapy was a median"),
    "What was the longest wait for a carer's assessment in Stenbury?": _LONGEST_CARER[:5],
    "What share of people aged 65 or over in Stenbury took a direct payment?":
        ("older people who received", "older people took", "aged 65 or over who received", "aged 65 or over took",
         "65 and over took", "older people used"),
    "How many safeguarding enquiries did Stenbury complete in 2024/25?": _CLOSED_ENQUIRIES,
    "How many section 42 enquiries did Stenbury start in 2023/24?": ("enquiries in 2023/24",),
    "When did Hollybrook Lodge in Stenbury open?": ("opened", "opening", "built in"),
    "How many people were waiting for home care in the north of Stenbury?":
        ("north of the county", "northern", "in the north"),
    "How many people did Stenbury's reablement service support in 2023/24?":
        ("people in 2023/24", "128 people in 2023"),
    "What share of people in Stenbury were still at home 91 days after reablement?": ("91 days", "three months"),
    "How many carers in Stenbury were waiting for a carer's assessment?":
        ("carers were waiting", "carers waiting", "waiting for a carer"),
    "What is the sickness rate among care workers at Stenbury's home care agencies?": _CARE_WORKER_SICKNESS,
    # look-alikes, authority null: absent from all twelve reports
    "What does the hospital charge for car parking?": ("parking", "car park"),
    "How long does it take to get a blue badge?": ("blue badge",),
    "How many potholes were fixed last year?": ("pothole",),
    "What is the average wait for a wheelchair from the wheelchair service?": ("wheelchair",),
    "How many care homes are rated inadequate by CQC?": ("rated inadequate", "homes were inadequate"),
    "How much is the garden waste collection charge?": ("garden waste", "green waste"),
}

BLIND = BlindSet(gold=HERE / "blind21.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
                           "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=("blind", "blind5"))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
