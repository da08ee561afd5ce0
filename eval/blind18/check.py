"""Check blind set 18's gold file, blind18.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's; this file holds the set's own data.

    python eval/blind18/check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from blindcheck import BlindSet, main  # noqa: E402

#: authority -> (source, rendered file, format) of this set's new reports.
NEW = {
    "Quillingford Borough Council": ("quillingford.source.txt", "quillingford.txt", "txt"),
    "Brantmoor City Council": ("brantmoor.source.txt", "brantmoor.pdf", "pdf"),
    "Ellerswick County Council": ("ellerswick.source.txt", "ellerswick.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "quillingford", "brantmoor", "ellerswick")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised.
ABSENT: dict[str, tuple[str, ...]] = {
    'What was the longest wait for a Care Act assessment in Quillingford?':
        ('longest wait', 'maximum wait', 'longest anyone', 'waited up to'),
    'How many people were waiting for a Care Act assessment in Quillingford at the end of March 2024?':
        ('march 2024',),
    'What is the average wait for an occupational therapy assessment in Quillingford?':
        ('wait for an occupational', 'occupational therapy assessments were completed within', 'wait for occupational'),
    'How many occupational therapy assessments did Quillingford complete in 2024/25?':
        ('occupational therapy assessments were completed', 'completed occupational', 'occupational therapy assessments in 2024/25'),
    'What share of younger adults in Quillingford were still at home 91 days after reablement?':
        ('aged 18 to 64', '18-64', '18 to 64', 'younger adults'),
    'How many Section 42 enquiries did Quillingford complete in 2024/25?':
        ('enquiries were completed', 'enquiries were closed', 'enquiries completed', 'enquiries closed', 'completed enquiries', 'concluded'),
    'How long do people wait for a DoLS assessment in Quillingford?':
        ('median wait for a standard', 'wait for a deprivation', 'waited for a deprivation', 'days for a deprivation'),
    'How many people in Quillingford were waiting for a major adaptation?':
        ('major adaptation', 'disabled facilities grant'),
    'What share of carers in Quillingford used a direct payment?':
        ('carers used a direct', 'carers received a direct', 'carers received direct', 'carers using direct', 'carers had a direct'),
    'How many people were admitted to hospital from Quillingford care homes?':
        ('admitted to hospital', 'hospital admissions', 'admissions to hospital'),
    'What percentage of social work posts in Quillingford were filled by agency staff?':
        ('agency social', 'agency staff', 'agency workers'),
    'How much did Quillingford overspend on adult social care in 2024/25?':
        ('overspend in 2024/25', 'overspent in 2024/25', 'overspent by £4.2 million in 2024/25', '2024/25 overspend'),
    'What was the median wait for a Care Act assessment in Brantmoor in Q3 2023/24?':
        ('q3 2023/24',),
    "What was the longest wait for a carer's assessment in Brantmoor?":
        ('longest wait for a carer', 'maximum wait for a carer', 'carers waited up to', 'longest a carer'),
    'How many people in Brantmoor were waiting for an occupational therapy assessment?':
        ('waiting for an occupational', 'waiting for occupational', 'occupational therapy waiting list'),
    'What share of younger adults in Brantmoor used a direct payment?':
        ('aged 18 to 64', '18-64', '18 to 64', 'younger adults'),
    'How much does Brantmoor charge for a night at Linnet House?':
        ('per night', 'a night at linnet', 'linnet house costs', 'charge for short breaks', 'charge for a short break'),
    'How many people stayed at Linnet House in 2024/25?':
        ('people stayed at linnet', 'linnet house supported', 'linnet house admitted', 'stays at linnet', 'people used linnet'),
    'What was the median time to conclude a safeguarding enquiry in Brantmoor?':
        ('enquiries took', 'median time', 'concluded in a median'),
    "What was Brantmoor's social worker vacancy rate in 2022/23?":
        ('2022/23',),
    'How many patients did the Brantmoor discharge hub discharge on an average day?':
        ('discharged each day', 'discharges a day', 'discharges each day', 'discharged a day', 'discharged on an average day'),
    'How long did young carers in Brantmoor wait for an assessment?':
        ('young carer',),
    'brantmoor care homes rated inadequate':
        ('rated inadequate', 'inadequate by cqc'),
    'What was the average wait for an assessment in Ellerswick in 2021/22?':
        ('2021/22',),
    'What is the median wait for an occupational therapy assessment in Ellerswick?':
        ('median',),
    "What was the longest wait for a carer's assessment in Ellerswick?":
        ('longest wait for a carer', 'maximum wait', 'longest a carer', 'carers waited up to'),
    "How many carers in Ellerswick were waiting for a carer's assessment?":
        ('carers were waiting', 'carers waiting', 'waiting for a carer'),
    'How many people in Ellerswick were waiting for a care home place?':
        ('waiting for a residential', 'waiting for a care home', 'waiting for residential', 'care home place'),
    'What share of people who used bridging care in Ellerswick were still at home after 91 days?':
        ('91 days',),
    'How many Deprivation of Liberty Safeguards applications did Ellerswick complete in 2024/25?':
        ('applications were completed', 'authorisations were granted', 'applications completed', 'dols assessments completed', 'granted'),
    'How many safeguarding concerns did Ellerswick receive in 2023/24?':
        ('concerns in 2023/24',),
    'What share of home care agencies in Ellerswick were rated good or outstanding?':
        ('home care agencies', 'home care services', 'agencies were rated', 'home care providers were rated'),
    'How many hours of care at home a week went undelivered in Ellerswick in March 2024?':
        ('march 2024',),
    'ellerswick agency social workers':
        ('agency social', 'agency staff', 'agency workers'),
    'How much is council tax going up by next year?':
        ('council tax',),
    'How long is the wait for a blue badge?':
        ('blue badge',),
    'How many potholes were filled last year?':
        ('pothole',),
    'What does a school meal cost?':
        ('school meal',),
    'How much does it cost to park at the hospital?':
        ('parking', 'car park'),
    'how long is the wait for an nhs wheelchair':
        ('wheelchair',),
    'How often are bins collected?':
        ('bin collection', 'refuse', 'recycling'),
}

BLIND = BlindSet(gold=HERE / "blind18.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
                           "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=("blind", "blind5"))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
