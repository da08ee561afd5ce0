"""Check blind set 11's gold file, blind11.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's; this file holds the set's own data.

    python eval/blind11/check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from blindcheck import BlindSet, main  # noqa: E402

#: authority -> (source, rendered file, format) of this set's new reports.
NEW = {
    "Thornwick Borough Council": ("thornwick.source.txt", "thornwick.txt", "txt"),
    "Pendlecross City Council": ("pendlecross.source.txt", "pendlecross.pdf", "pdf"),
    "Hazelmoor County Council": ("hazelmoor.source.txt", "hazelmoor.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "thornwick", "pendlecross", "hazelmoor")

_CLOSED = ("enquiries were completed", "enquiries were closed", "completed enquiries", "closed enquiries",
           "enquiries closed", "enquiries completed", "enquiries concluded", "concluded enquiries")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised.
ABSENT: dict[str, tuple[str, ...]] = {
    "What was the longest wait for an occupational therapy assessment in Thornwick?":
        ("longest wait for an occupational", "maximum wait for an occupational", "longest occupational",
         "longest wait for occupational", "therapy waits of up to", "occupational therapy assessment was up to"),
    "How many people in Thornwick were waiting for a Care Act assessment on 31 March 2023?":
        ("march 2023",),
    "What share of people aged 18 to 64 in Thornwick used a direct payment?":
        ("aged 18 to 64", "18-64", "18 to 64", "younger adults", "working-age adults used", "working age adults used"),
    "How many people did Meadowbank Court admit in 2024/25?":
        ("admitted to meadowbank", "meadowbank court admitted", "admissions to meadowbank",
         "meadowbank court supported", "stayed at meadowbank", "meadowbank court took"),
    "How many carers were waiting for a carer's assessment in Thornwick?":
        ("carers were waiting", "carers waiting", "waiting for a carer"),
    "How many Section 42 enquiries did Thornwick close in 2024/25?": _CLOSED,
    "How many safeguarding concerns did Thornwick receive in 2023/24?": ("concerns in 2023/24",),
    "How much does a night at Ashby House cost carers in Thornwick?":
        ("per night", "a night", "ashby house costs", "charge for a short break", "charged for short breaks"),
    "How many people were waiting for an occupational therapy assessment in Thornwick?":
        ("waiting for an occupational", "waiting for occupational", "occupational therapy waiting"),
    "What was the median wait for a Care Act assessment in Pendlecross in Q3 2023/24?": ("q3 2023/24",),
    "How many people were discharged from Harbour View in Pendlecross?":
        ("discharged from harbour", "harbour view discharged", "left harbour", "harbour view supported",
         "harbour view helped", "went home from harbour"),
    "What share of younger adults in Pendlecross were still at home 91 days after reablement?":
        ("aged 18 to 64", "18-64", "18 to 64", "younger adults", "younger people were still"),
    "What was the longest wait for a carer's assessment in Pendlecross?":
        ("longest wait for a carer", "longest a carer", "maximum wait for a carer", "carers waited up to"),
    "How many Section 42 enquiries did Pendlecross complete in 2024/25?": _CLOSED,
    "What was Pendlecross's social worker vacancy rate in 2022/23?": ("2022/23",),
    "How many people in Pendlecross were waiting for a Disabled Facilities Grant?":
        ("waiting for a disabled", "waiting for disabled", "waiting for an adaptation", "waiting for adaptations",
         "grant waiting"),
    "What was staff turnover in Pendlecross home care agencies?": ("turnover", "leavers", "left their jobs"),
    "What was the median wait for a Care Act assessment in Hazelmoor in 2021/22?": ("2021/22",),
    "What is the longest wait for a carer's assessment in Hazelmoor?":
        ("longest wait", "maximum wait", "waited up to", "longest a carer"),
    "What share of people aged 65 and over in Hazelmoor were assessed within 28 days?":
        ("aged 65 and over were assessed", "over-65s were assessed", "older people were assessed",
         "older people assessed"),
    "How many safeguarding concerns did Hazelmoor receive in 2023/24?": ("concerns in 2023/24",),
    "How many people were waiting for occupational therapy in Hazelmoor?":
        ("waiting for an occupational", "waiting for occupational", "occupational therapy waiting"),
    "What is the median time to complete a grant-funded adaptation in Hazelmoor?":
        ("adaptations were completed in a median", "median wait for an adaptation", "median time for an adaptation",
         "median of 16 weeks"),
    "How many Hazelmoor care homes closed in 2024/25?": ("closed", "closure"),
    "How many potholes were filled last year?": ("pothole",),
    "When are the bin collection days?": ("bin collection", "refuse collection", "waste collection"),
    "How many fixed penalty notices for fly-tipping were issued?": ("fly-tipping", "fly tipping", "penalty notice"),
    "What does a blue badge cost?": ("blue badge",),
    "How much do school meals cost?": ("school meal",),
    "How much is a resident's parking permit?": ("parking permit", "parking"),
    "How long is the wait for a wheelchair from the NHS wheelchair service?": ("wheelchair",),
    "How many people were waiting for NHS continuing healthcare funding?": ("continuing healthcare", "continuing care"),
    "What is the band D council tax charge?": ("council tax", "band d"),
    "How many children are looked after by the council?":
        ("looked after children", "children looked after", "children in care", "looked-after"),
}

BLIND = BlindSet(gold=HERE / "blind11.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
                           "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=("blind", "blind5"))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
