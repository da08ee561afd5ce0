"""Check blind set 14's gold file, blind14.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's; this file holds the set's own data.

    python eval/blind14/check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from blindcheck import BlindSet, main  # noqa: E402

#: authority -> (source, rendered file, format) of this set's new reports.
NEW = {
    "Quillbrook Borough Council": ("quillbrook.source.txt", "quillbrook.txt", "txt"),
    "Mossingham City Council": ("mossingham.source.txt", "mossingham.pdf", "pdf"),
    "Ferrowby County Council": ("ferrowby.source.txt", "ferrowby.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "quillbrook", "mossingham", "ferrowby")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised. Checked in the named council's report, or in all twelve.
ABSENT: dict[str, tuple[str, ...]] = {
    "How many people were waiting for a Care Act assessment in Quillbrook?":
        ("waiting for a care act", "waiting for an assessment", "waiting for assessment",
         "care act assessments: 2", "people were waiting for a care"),
    "What share of carers in Quillbrook had been reviewed in the previous twelve months?":
        ("carers had been reviewed", "carers reviewed", "review of carers", "carers' reviews", "carers had a review"),
    "What was the average wait for an occupational therapy assessment in Mossingham?":
        ("occupational therapy assessments: average", "wait for an occupational", "wait for occupational",
         "occupational therapy: average", "occupational therapy assessment was"),
    "How many carers were waiting for a carers' assessment in Ferrowby?":
        ("carers were waiting", "carers waiting", "waiting for a carer", "carers' assessments | people"),
    "What was the average wait for an occupational therapy assessment in Ferrowby?":
        ("occupational therapy assessments | average", "occupational therapy assessments average",
         "wait for an occupational", "wait for occupational"),
    "How many nights of respite did Hollins Court provide in Ferrowby in 2024/25?":
        ("nights at hollins", "hollins court provided", "hollins court offered", "nights of respite", "nights of short"),
    "What hourly rate does Ferrowby pay home care providers?": ("an hour", "per hour", "hourly rate"),
    "What share of home care services in Quillbrook were rated good or outstanding?":
        ("home care services were rated", "home care services rated", "domiciliary care services were rated",
         "home care agencies", "providers of domiciliary care were rated", "home care providers were rated"),
    "What was the longest wait for a financial assessment in Mossingham?":
        ("longest wait for a financial", "longest financial", "financial assessments: longest", "financial assessment took up to"),
    "What was the average wait for a Care Act assessment in Mossingham in Q4 2024/25?":
        ("q4", "march 2025", "end of march"),
    "How many safeguarding concerns did Quillbrook receive in 2023/24?": ("concerns in 2023/24",),
    "How many safeguarding concerns did Ferrowby receive in 2024/25?":
        ("concerns in 2024/25", "concerns were received", "received a total", "concerns during 2024/25"),
    "How many people were waiting for domiciliary care in Ferrowby on 31 March 2024?":
        ("31 march 2024", "march 2024"),
    "What share of younger adults in Quillbrook were still at home 91 days after reablement?":
        ("aged 18 to 64", "18-64", "younger adults", "working-age", "working age"),
    "What share of people aged 18 to 64 in Mossingham were still at home 91 days after reablement?":
        ("aged 18 to 64", "18-64", "younger adults were", "working-age adults were still", "working-age adults who"),
    "What share of older people in Ferrowby use direct payments?":
        ("older people used", "older people took a direct", "direct payment among older", "older people use a direct"),
    "What share of working-age adults in Quillbrook take a direct payment?":
        ("working-age", "working age", "aged 18 to 64", "younger adults"),
    "What was the median wait for a Care Act assessment in Mossingham?":
        ("median wait for a care act", "median wait for an assessment", "median care act", "median wait was"),
    "What was the longest wait for an occupational therapy assessment in Quillbrook?":
        ("longest wait for an occupational", "longest occupational", "longest wait for occupational",
         "occupational therapy assessment was eleven", "therapy waits of up to"),
    "What was the longest wait for a carers' assessment in Mossingham?":
        ("longest wait for a carer", "longest a carer", "carers waited up to", "longest carers"),
    "What was the median wait for a Care Act assessment in Ferrowby?": ("median",),
    "What was the longest time a safeguarding enquiry took in Quillbrook?":
        ("longest enquiry", "longest safeguarding", "enquiries took up to", "longest time", "longest wait for an enquiry"),
    "How long had the oldest DoLS application been waiting in Ferrowby?":
        ("longest had waited", "oldest application", "oldest dols", "oldest deprivation", "applications had waited"),
    "What was the sickness absence rate in Ferrowby's adult social care?": ("sickness", "absence rate"),
    "What share of Ferrowby's qualified social workers were agency staff?":
        ("agency social workers made", "agency staff made up", "agency workers made up", "agency staff filled",
         "of the qualified workforce"),
    "How many people completed reablement in Quillbrook in 2024/25?":
        ("completed reablement", "finished reablement", "completed a period", "finished a period",
         "completed their reablement", "left the service"),
    "How many people finished reablement with Step Up Mossingham in 2024/25?":
        ("completed reablement", "finished reablement", "completed a period", "finished a period", "left the service",
         "completed their reablement"),
    "How many safeguarding enquiries did Mossingham close in 2024/25?":
        ("enquiries were completed", "enquiries were closed", "completed enquiries", "closed enquiries",
         "enquiries closed", "enquiries completed", "completed 1", "completed 2", "completed 3"),
    "How many safeguarding concerns did Ferrowby screen in 2024/25?":
        ("concerns were screened", "concerns screened", "screened 1", "screened 2", "screened 3", "screened 4"),
    "How many carers stayed at Birch House in Quillbrook in 2024/25?":
        ("stays at birch", "stayed at birch", "carers used birch", "people used birch", "admitted to birch",
         "carers stayed"),
    "How many people were discharged from Quillbrook Royal Infirmary in 2024/25?":
        ("discharged from quillbrook", "infirmary discharged", "discharges from", "people were discharged"),
    "How many carers requested a carers' assessment in Mossingham in 2024/25?":
        ("assessments were requested", "requests for a carer", "carers requested", "requested a carer", "requests for carers"),
    "How long is the wait for a blue badge application?": ("blue badge",),
    "What does a resident parking permit cost?": ("parking permit", "resident parking"),
    "What does the council charge for garden waste collection?": ("garden waste",),
    "How many missed bin collections were reported?": ("bin collection", "missed bin", "refuse collection"),
    "What is the speed limit outside schools?": ("speed limit",),
    "What are the opening hours of the swimming pool?": ("swimming",),
}

BLIND = BlindSet(gold=HERE / "blind14.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
                           "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=("blind", "blind5"))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
