"""Check blind set 24's gold file, blind24.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's (imported from the folder above); this file holds the set's own data.

    python eval/blind24/check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from blindcheck import BlindSet, main  # noqa: E402

#: authority -> (source, rendered file, format) of this set's new reports.
NEW = {
    "Quenbury Borough Council": ("quenbury.source.txt", "quenbury.txt", "txt"),
    "Marlowcombe City Council": ("marlowcombe.source.txt", "marlowcombe.pdf", "pdf"),
    "Oxhallow County Council": ("oxhallow.source.txt", "oxhallow.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "quenbury", "marlowcombe", "oxhallow")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised.
ABSENT: dict[str, tuple[str, ...]] = {
    'What was the median wait for a Care Act assessment in Quenbury at the end of March 2024?':
        ('march 2024',),
    "How many carers in Quenbury were waiting for a carer's assessment?":
        ('carers were waiting', 'waiting for a carer', 'carers waiting'),
    "What was the longest wait for a carer's assessment in Quenbury?":
        ('longest wait for a carer', 'maximum wait for a carer', 'longest a carer', 'carers waited up to'),
    'What share of younger adults in Quenbury were still at home 91 days after reablement?':
        ('younger adults were', 'aged 18 to 64', '18 to 64', '18-64'),
    "How many people did Quenbury's Back on Track service turn away in 2024/25?":
        ('turned away', 'turn away', 'declined', 'refused'),
    'How many safeguarding enquiries did Quenbury close in 2024/25?':
        ('enquiries were closed', 'enquiries closed', 'closed enquiries', 'completed enquiries', 'enquiries were completed', 'enquiries completed'),
    'What is the vacancy rate for occupational therapists in Quenbury?':
        ('occupational therapist vacanc', 'vacancy rate for occupational', 'occupational therapists was'),
    'How many people in Quenbury were waiting for a Care Act assessment at the end of March 2024?':
        ('march 2024',),
    'How many people were waiting for a Care Act assessment in Marlowcombe at the end of March 2025?':
        ('end of march 2025', 'waiting for a care act assessment at 31 march'),
    'What was the average wait for a Care Act assessment in Marlowcombe?':
        ('average wait for a care act', 'average wait for an assessment', 'care act assessments took an average'),
    'What share of younger adults in Marlowcombe use a direct payment?':
        ('aged 18 to 64', '18 to 64', '18-64', 'younger adults use', 'younger adults used'),
    'How many people were discharged from Linhay House in Marlowcombe in 2024/25?':
        ('discharged from linhay', 'linhay house discharged', 'stays at linhay', 'linhay house supported', 'linhay house provided'),
    'How many safeguarding enquiries did Marlowcombe complete within 90 days?':
        ('completed within 90', 'closed within 90', 'within 90 days'),
    "What was Marlowcombe's social worker vacancy rate in June 2024?":
        ('june 2024',),
    "How many carers in Marlowcombe were waiting for a carer's assessment?":
        ('carers were waiting', 'waiting for a carer', 'carers waiting'),
    "What was the longest wait for a carer's assessment in Marlowcombe?":
        ('longest wait for a carer', 'maximum wait for a carer', 'carers waited up to'),
    "How many people did Marlowcombe's Home First service support in 2023/24?":
        ('people in 2023/24', 'supported 864 people in 2023'),
    'What was the median wait for a Care Act assessment in Oxhallow?':
        ('median',),
    'How many people in Oxhallow were waiting for an OT assessment in 2022/23?':
        ('2022/23',),
    'How many safeguarding concerns did Oxhallow screen within 3 working days?':
        ('were screened within', 'screened within 3 working days were', 'concerns were screened'),
    'What share of younger adults in Oxhallow were still at home 91 days after reablement?':
        ('younger adults were', 'aged 18 to 64', '18 to 64', '18-64'),
    'How many safeguarding concerns did Oxhallow receive in 2023/24?':
        ('concerns in 2023/24',),
    'What was the longest wait for home care in Oxhallow?':
        ('longest wait for home', 'longest wait for a package', 'waiting for up to'),
    'How many people in Brantwick were waiting for home care?':
        ('in brantwick', 'brantwick were', 'brantwick had'),
    "How many carers' assessments did Oxhallow complete in 2023/24?":
        ('assessments in 2023/24', 'assessments were completed in 2023'),
    "What was the maximum wait for a carer's assessment in Amberleigh?":
        ('maximum wait for a carer', 'longest wait for a carer', 'carer waited up to', 'longest a carer'),
    'How many potholes were filled last year?':
        ('pothole',),
    'How much does a school meal cost?':
        ('school meal',),
    'What are the library opening hours?':
        ('library opening', 'libraries open', 'opening hours'),
    'By how much is council tax rising next year?':
        ('council tax',),
    'How long is the wait for a blue badge?':
        ('blue badge',),
    'How much does hospital parking cost for visitors?':
        ('parking', 'car park'),
    'How many people are waiting for a wheelchair assessment?':
        ('wheelchair',),
    'How many people are waiting for a disabled facilities grant?':
        ('waiting for a disabled facilities', 'disabled facilities grants were waiting', 'waiting for a dfg', 'waiting for major adaptations'),
    "How many people did Quenbury's Back on Track service work with in 2023/24?":
        ('worked with 1,188 people in 2023', 'in 2023/24 it worked', 'reablement in 2023/24'),
    'How many people in Upper Tilsdon were waiting for a Care Act assessment?':
        ('upper tilsdon were waiting for an assessment', 'assessment in upper tilsdon', 'upper tilsdon waiting for a care act'),
    'What is the median wait for an occupational therapy assessment for younger adults in Quenbury?':
        ('younger adults waited', 'aged 18 to 64', '18 to 64'),
    "What was the longest wait in Marlowcombe's Eastcliff team in March 2025?":
        ('march 2025, the eastcliff', 'eastcliff locality in march', 'eastcliff team in march'),
    'What share of home care agencies in Marlowcombe are rated good or outstanding?':
        ('home care agencies', 'home care services were rated', 'home care providers were rated'),
    'How much did Marlowcombe overspend on adult social care in 2025/26?':
        ('overspent in 2025/26', 'overspend for 2025/26', '2025/26 was overspent', 'overspend in 2025/26'),
    'How many care homes in Oxhallow are rated outstanding?':
        ('rated outstanding', 'outstanding by cqc', 'good or outstanding'),
    'How many DoLS applications did Oxhallow complete in 2024/25?':
        ('applications were completed', 'dols applications completed', 'applications completed'),
    "What was Oxhallow's adult social care overspend in 2022/23?":
        ('2022/23',),
    'How many people were waiting for a Care Act assessment in Stockton-on-Tees in June 2025?':
        ('june 2025',),
    'How long did the longest-waiting carer in Sedgecombe wait for an assessment?':
        ('longest wait for a carer', 'maximum wait for a carer', 'carers waited up to', 'longest a carer', 'longest wait was'),
    'How many people are waiting for a Mental Health Act assessment?':
        ('mental health act',),
    'How many Approved Mental Health Professionals does the council employ?':
        ('approved mental health', 'amhp'),
    'What is the average wait for a continuing healthcare assessment?':
        ('continuing healthcare', 'continuing care'),
}

BLIND = BlindSet(gold=HERE / "blind24.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
                           "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=("blind", "blind5"))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
