"""Check blind set 22's gold file, blind22.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's (imported from the folder above); this file holds the set's own data.

    python eval/blind22/check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from blindcheck import BlindSet, main  # noqa: E402

NEW = {
    # authority: (source, rendered file, format)
    "Marlstead Borough Council": ("marlstead.source.txt", "marlstead.txt", "txt"),
    "Culverdown City Council": ("culverdown.source.txt", "culverdown.pdf", "pdf"),
    "Skelbury County Council": ("skelbury.source.txt", "skelbury.html", "html"),
}

COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "marlstead", "culverdown", "skelbury")

YOUNGER = ("aged 18 to 64", "18-64", "18 to 64", "younger adults")
CLOSED = ("enquiries were completed", "enquiries completed", "completed enquiries", "enquiries were closed",
          "enquiries closed", "closed enquiries")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
ABSENT: dict[str, tuple[str, ...]] = {
    "What was the longest wait for an OT assessment in Marlstead?":
        ("longest wait for an occupational", "longest wait for occupational", "longest ot", "longest wait for an ot"),
    "What was the median wait for a Care Act assessment in Marlstead at 31 March 2024?": ("march 2024",),
    "What share of younger adults in Marlstead were still at home 91 days after reablement?": YOUNGER,
    "What was the vacancy rate for care workers in Marlstead?":
        ("care worker vacancy", "vacancy rate for care workers", "care workers vacancy"),
    "How many safeguarding enquiries did Marlstead close in 2024/25?": CLOSED + ("enquiries were concluded",),
    "How many DoLS applications did Marlstead authorise in 2024/25?": ("authorised", "granted"),
    "What is the median wait for a DoLS authorisation in Marlstead?":
        ("median wait for a dols", "median wait for dols", "dols authorisation was"),
    "How many hours of home care did Marlstead deliver each week in 2022/23?": ("2022/23",),
    "How many people in Brindley Cross used the Community Connectors in Marlstead?":
        ("in brindley cross used", "connectors in brindley", "brindley cross residents"),
    "What hourly rate does Marlstead pay for nursing care?":
        ("rate for nursing", "rate paid for nursing", "nursing care rate", "nursing fee"),
    "What was the median wait for an occupational therapy assessment in Culverdown?":
        ("median wait for an occupational", "median wait for occupational", "median occupational"),
    "What was the longest wait for an occupational therapy assessment in Culverdown?":
        ("longest wait for an occupational", "longest wait for occupational", "longest occupational"),
    "How long did carers wait for a carer's assessment in Culverdown?":
        ("wait for a carer", "wait for carers", "carers waited", "wait for a carers"),
    "How many people were waiting for domiciliary care in the north of Culverdown?":
        ("north of the city", "(north)", "northern"),
    "How many respite nights did Culverdown provide in 2022/23?": ("2022/23",),
    "How many Section 42 enquiries did Culverdown complete in 2024/25?": CLOSED + ("concluded",),
    "What was the occupational therapist vacancy rate in Culverdown?":
        ("occupational therapist vacancy", "occupational therapy vacancy", "therapist vacancies"),
    "What share of Culverdown Stepping Stones users needed no ongoing care after reablement?":
        ("no ongoing care", "no further care", "without needing", "no care package", "no ongoing package"),
    "What share of Culverdown's care homes were rated outstanding?": ("rated outstanding", "were outstanding"),
    "What was the longest wait for a Care Act assessment in Skelbury?":
        ("maximum wait", "longest anyone", "waited up to", "longest wait of", "longest wait, at"),
    "What was the median wait for a carer's assessment in Skelbury?":
        ("wait for a carer", "wait for carers", "carers waited", "wait for a carers"),
    "How many people were waiting for home care in Skelbury in Q4 2023/24?": ("2023/24",),
    "What share of younger adults in Skelbury take a direct payment?": YOUNGER,
    "What was the social work vacancy rate in Skelbury in 2023/24?": ("2023/24",),
    "How many Section 42 enquiries did Skelbury close in 2024/25?": CLOSED,
    "How many people did the Skelbury Reablement Service support in 2024/25?":
        ("reablement service supported", "started reablement", "reablement service helped",
         "people used the skelbury reablement"),
    "How many DoLS applications did Skelbury authorise in 2024/25?": ("authorised", "granted"),
    "How many carers' assessments did Skelbury complete in 2023/24?": ("2023/24",),
    "How long do people in Ravensholt wait for a blue badge?": ("blue badge",),
    "How much does the council charge for hospital car parking?": ("car park", "parking"),
    "How much is council tax rising next year?": ("council tax",),
    "How many potholes were filled in 2024/25?": ("pothole",),
    "What do school meals cost per day?": ("school meal",),
    "How many trees did the council plant last year?": ("trees", "tree planting"),
    "How many people are waiting for a council house?":
        ("council house", "social housing", "housing register", "housing waiting list"),
    "How many foster carers are there?": ("foster",),
    "What are the opening hours of the recycling centre?": ("recycling", "household waste"),
    "How long is the wait for a wheelchair assessment?": ("wheelchair",),
    "How many Shared Lives carers does the council have?": ("shared lives",),
}

BLIND = BlindSet(gold=HERE / "blind22.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
                           "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=("blind", "blind5"))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
