"""Check blind set 15's gold file, blind15.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's; this file holds the set's own data.

    python eval/blind15/check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from blindcheck import BlindSet, main  # noqa: E402

#: authority -> (source, rendered file, format) of this set's new reports.
NEW = {
    "Cresswold Borough Council": ("cresswold.source.txt", "cresswold.txt", "txt"),
    "Hollinsmere City Council": ("hollinsmere.source.txt", "hollinsmere.pdf", "pdf"),
    "Dunmarsh County Council": ("dunmarsh.source.txt", "dunmarsh.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "cresswold", "hollinsmere", "dunmarsh")

_YOUNGER = ("aged 18 to 64", "18-64", "18 to 64", "younger adults", "working-age", "working age")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised (dashes as "-").
ABSENT: dict[str, tuple[str, ...]] = {
    # subject differs from an answerable figure
    "What was the median wait for an occupational therapy assessment in Cresswold?":
        ("median wait for an occupational", "median wait for occupational", "214 people waiting; median",
         "therapy assessments took", "occupational therapy assessments - a median"),
    "What was the longest wait for a carer's assessment in Cresswold?":
        ("longest wait for a carer", "longest anyone had waited for a carer", "maximum wait for a carer",
         "carers waited up to", "longest a carer"),
    "What was the longest wait for an occupational therapy assessment in Hollinsmere?":
        ("longest wait for an occupational", "longest occupational", "maximum wait for an occupational",
         "median wait of 96 days and the longest", "median wait of 96 days, and the longest"),
    "What is the median wait for a Deprivation of Liberty Safeguards assessment in Hollinsmere?":
        ("median wait for a deprivation", "median wait for dols", "applications waited a median",
         "awaiting assessment, with a median", "awaiting assessment. the median"),
    "How many people in Hollinsmere were waiting for a care home place?":
        ("waiting for a care home", "waiting for residential", "waiting for a placement", "waiting for a place"),
    "How many carers were waiting for an assessment in Dunmarsh?":
        ("carers were waiting", "carers waiting", "waiting for a carer"),
    "How many people were waiting for an occupational therapy assessment in Dunmarsh at year end?":
        ("waiting for an occupational", "waiting for occupational", "waiting for an ot"),
    "How much does Cresswold charge per night for a short break at Seaview Lodge?":
        ("per night", "a night", "seaview lodge costs", "charge for a short break", "charged for short breaks"),
    # action differs
    "How many Disabled Facilities Grant applications did Cresswold approve in 2024/25?":
        ("approved", "approval", "grants were awarded", "grant applications", "applications were approved"),
    "How many safeguarding enquiries did Cresswold close in 2024/25?":
        ("enquiries were closed", "enquiries closed in", "closed 5", "closed 6", "closed 7",
         "enquiries were completed in", "enquiries completed in"),
    "How many people did Larkhill House discharge home in 2024/25?":
        ("discharged from larkhill", "larkhill house discharged", "went home from larkhill",
         "returned home from larkhill", "left larkhill"),
    "How many carers' assessments did Hollinsmere refuse in 2024/25?":
        ("refused", "declined", "turned down", "rejected"),
    "How many carers did Fenbreak in Dunmarsh turn away in 2024/25?":
        ("turned away", "could not be offered", "refused", "declined", "waiting for a break"),
    "How many Disabled Facilities Grants did Dunmarsh approve in 2024/25?":
        ("approved", "approval", "grants were awarded", "grant applications", "applications were approved"),
    # group of people differs
    "What share of adults aged 18 to 64 in Cresswold were still at home 91 days after reablement?": _YOUNGER,
    "What proportion of working-age adults in Dunmarsh were still at home three months after reablement?":
        _YOUNGER,
    # period differs
    "How many people were waiting for a Care Act assessment in Dunmarsh at the end of 2021/22?": ("2021/22",),
    "What was Cresswold's social worker vacancy rate in March 2024?": ("march 2024",),
    "How many safeguarding concerns did Hollinsmere receive in 2023/24?": ("concerns in 2023/24",),
    "What was the median wait for a Care Act assessment in Hollinsmere in Q2 2024/25?": ("q2",),
    # measure differs
    "What was the median wait for a Care Act assessment in Dunmarsh in 2024/25?": ("median",),
    "What was the longest wait for a Deprivation of Liberty Safeguards assessment in Dunmarsh?":
        ("longest", "maximum", "oldest", "waited up to"),
    "What was the average wait for a Care Act assessment in Hollinsmere?":
        ("average wait for a care act", "average wait was", "waited an average", "averaged"),
    "What was the longest a safeguarding enquiry took in Cresswold?":
        ("longest enquiry", "longest safeguarding", "took up to", "maximum", "longest took"),
    "How many people in Cresswold were waiting for a financial assessment?":
        ("waiting for a financial", "financial assessments waiting", "financial assessments - 1",
         "financial assessments - 2", "financial assessments - 3"),
    # look-alikes with a council named
    "How much council tax does Hollinsmere charge for a Band D home?": ("band d", "council tax"),
    "How many household recycling centres does Dunmarsh run?": ("recycling",),
    "How many people use Cresswold's park and ride?": ("park and ride",),
    # the existing reports
    "What was the longest wait for an advocate in Ashdown Vale?":
        ("longest wait for an advocate", "maximum wait for an advocate", "waited up to", "longest wait for advocacy"),
    "What was the median wait for an Independent Mental Capacity Advocate in Sedgecombe?":
        ("median wait for an independent", "average wait for an independent", "capacity advocate was",
         "capacity advocates waited", "median wait for an imca"),
    "How many Best Interest Assessors does Stockton-on-Tees employ?":
        ("best interest assessors were", "best interest assessors in post", "number of best interest",
         "employed best interest", "best interest assessors employed", "trained best interest"),
    # authority null: absent from all twelve
    "How much does the council charge for garden waste collection?": ("garden waste", "bin collection", "green bin"),
    "How long is the wait for a council house?": ("council house", "social housing", "housing register"),
    "How many electric vehicle charging points are there?": ("charging point", "electric vehicle"),
    "What are the library opening hours?": ("opening hours", "library opening", "libraries open"),
    "How many children are in the council's care?":
        ("children in care", "looked after children", "children looked after", "children's homes"),
    "What share of care workers are paid the Real Living Wage?": ("living wage",),
    "How long do people wait for a hip replacement?": ("hip replacement", "orthopaedic", "elective"),
    "How many school crossing patrols does the council fund?": ("crossing patrol", "lollipop", "school crossing"),
    "How long do people wait for a Blue Badge parking permit?": ("blue badge", "parking permit"),
}

BLIND = BlindSet(gold=HERE / "blind15.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
                           "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=("blind", "blind5"))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
