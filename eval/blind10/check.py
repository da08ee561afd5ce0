"""Check blind set 10's gold file, blind10.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's; this file holds the set's own data.

    python eval/blind10/check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from blindcheck import BlindSet, main  # noqa: E402

#: authority -> (source, rendered file, format) of this set's new reports.
NEW = {
    "Hollinsby Borough Council": ("hollinsby.source.txt", "hollinsby.txt", "txt"),
    "Marrowfield City Council": ("marrowfield.source.txt", "marrowfield.pdf", "pdf"),
    "Stannerdale County Council": ("stannerdale.source.txt", "stannerdale.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "hollinsby", "marrowfield", "stannerdale")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised. Scope: the council's report when the question names it, else all twelve.
ABSENT: dict[str, tuple[str, ...]] = {
    "What was the longest wait for an occupational therapy assessment in Hollinsby?":
        ("longest wait for an occupational", "maximum wait for an occupational", "longest occupational",
         "longest wait for occupational", "occupational therapy assessment was up to"),
    "How many people were waiting for a Care Act assessment in Hollinsby at the end of March 2024?":
        ("march 2024",),
    "What share of younger adults in Hollinsby were still at home 91 days after reablement?":
        ("aged 18 to 64", "18-64", "18 to 64", "younger adults", "younger people"),
    "hollinsby disabled facilities grant adaptation wait":
        ("disabled facilities", "major adaptations", "adaptations took", "adaptations were completed"),
    "How many carers were waiting for a carer's assessment in Hollinsby?":
        ("carers were waiting", "carers waiting", "waiting for a carer"),
    "What is the median wait for a carer's assessment in Hollinsby?":
        ("median wait for a carer", "carers waited a median", "carers' assessments took a median"),
    "How many safeguarding enquiries did Hollinsby close in 2024/25?":
        ("enquiries were closed", "enquiries were completed", "closed enquiries", "completed enquiries",
         "enquiries closed", "enquiries completed"),
    "What is the median wait for a Care Act assessment in Marrowfield?":
        ("median wait for a care act", "median wait for an assessment", "assessment was a median",
         "assessments took a median", "median wait for assessment"),
    "How many people were admitted to Marrowfield's Kemble Court in 2024/25?":
        ("admitted to kemble", "kemble court admitted", "admissions to kemble", "admitted"),
    "What was the longest wait for a carer's assessment in Marrowfield?":
        ("longest wait for a carer", "maximum wait for a carer", "carers waited up to", "longest a carer"),
    "What share of younger adults in Marrowfield used direct payments?":
        ("aged 18 to 64", "18-64", "18 to 64", "younger adults", "younger people"),
    "How many Section 42 enquiries did Marrowfield complete in 2024/25?":
        ("enquiries were completed", "completed enquiries", "enquiries completed", "enquiries were closed",
         "enquiries closed", "closed enquiries"),
    "What was the social worker vacancy rate in Marrowfield in 2022/23?": ("2022/23",),
    "How many people were waiting for an occupational therapy assessment in Marrowfield at the end of March 2025?":
        ("march 2025",),
    "What is the median wait for a Care Act assessment in Stannerdale?": ("median",),
    "How many carers were waiting for a carer's assessment in Stannerdale?":
        ("carers were waiting", "carers waiting", "waiting for a carer"),
    "How many people were waiting for domiciliary care in Bramscott?":
        ("in bramscott", "bramscott area", "around bramscott"),
    "What is the longest wait for a Care Act assessment in Stannerdale?":
        ("longest wait for a care act", "maximum wait for a care act", "longest wait for an assessment",
         "longest wait for assessment"),
    "How many safeguarding concerns did Stannerdale receive in 2023/24?":
        ("concerns received in 2023/24", "safeguarding in 2023/24", "concerns in 2023/24"),
    "How many people did Settled at Home support in Stannerdale in 2024/25?":
        ("settled at home supported", "settled at home helped", "settled at home had",
         "settled at home worked with"),
    "What is the sickness absence rate for Stannerdale's social workers?": ("sickness", "sick leave", "absence"),
    "Does Stannerdale pay social workers a retention bonus?": ("retention", "bonus", "golden hello"),
    "What was the longest wait for a carer's assessment in Ashdown Vale?":
        ("longest wait for a carer", "maximum wait for a carer", "carers waited up to", "maximum wait"),
    "How much does a library card cost?": ("library card", "library membership"),
    "What does the council charge for garden waste collection?": ("garden waste", "green bin", "brown bin"),
    "How many foster carers does the council have?": ("foster",),
    "How long do people wait to see a dentist?": ("dentist", "dental"),
    "How much does it cost to hire a sports pitch?": ("sports pitch", "pitch hire"),
    "How many trees did the council plant last year?": ("trees", "tree planting"),
    "What is the weekly fee for a care home bed?":
        ("a week for a care home", "per week for", "weekly fee", "weekly rate", "a week for residential",
         "a week for nursing", "per bed"),
}

BLIND = BlindSet(gold=HERE / "blind10.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
                           "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=("blind", "blind5"))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
