"""Check blind set 20's gold file, blind20.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's (imported from the folder above); this file holds the set's own data.

    python eval/blind20/check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from blindcheck import BlindSet, main  # noqa: E402

#: authority -> (source, rendered file, format) of this set's new reports.
NEW = {
    "Hollingbrook Borough Council": ("hollingbrook.source.txt", "hollingbrook.txt", "txt"),
    "Quarrington City Council": ("quarrington.source.txt", "quarrington.pdf", "pdf"),
    "Draymoor County Council": ("draymoor.source.txt", "draymoor.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "hollingbrook", "quarrington", "draymoor")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised.
ABSENT: dict[str, tuple[str, ...]] = {
    'What was the median wait for an OT assessment in Hollingbrook?':
        ('median wait for an occupational', 'median wait for occupational', 'median wait for an ot', 'median occupational'),
    "How many carers were waiting for a carer's assessment in Hollingbrook?":
        ('carers waiting', 'carers were waiting', 'awaiting a carer', 'waiting for a carer'),
    "What was the longest wait for a carer's assessment in Hollingbrook?":
        ('longest wait for a carer', 'carers waited up to', 'maximum wait for a carer', 'longest a carer'),
    'What was the median wait for a financial assessment in Hollingbrook?':
        ('median wait for a financial', 'within a median', 'in a median'),
    'What share of younger adults in Hollingbrook were still at home 91 days after reablement?':
        ('aged 18 to 64', '18-64', '18 to 64', 'younger adults'),
    'What was the median wait for a Care Act assessment in Hollingbrook at the end of Q4 2024/25?':
        ('q4 2024/25', 'end of march 2025, the median'),
    'How many Section 42 enquiries did Hollingbrook close in 2024/25?':
        ('enquiries were closed', 'enquiries closed', 'enquiries were completed', 'enquiries completed', 'completed enquiries', 'concluded'),
    'How many referrals did Home First Hollingbrook turn down in 2024/25?':
        ('people were turned down', 'referrals were declined', 'referrals declined', 'referrals turned down', 'referrals were turned down'),
    'How many hours of home care were waiting to be arranged in the north of Hollingbrook?':
        ('home care in the north', 'hours in the north', 'north of the borough were'),
    'How many carers used Linnet House in 2024/25?':
        ('carers used linnet', 'linnet house supported', 'carers stayed', 'carers used'),
    'How much does Hollingbrook Careline cost each week?':
        ('careline costs', 'careline cost', 'careline charge', 'charge for careline', 'telecare charge', 'per week'),
    "What was Hollingbrook's occupational therapist vacancy rate?":
        ('occupational therapist vacancy', 'occupational therapy vacancy', 'ot vacancy'),
    'What was the median wait for an occupational therapy assessment in Quarrington?':
        ('median wait for an occupational', 'median wait for occupational', 'median occupational'),
    'What was the longest wait for a Care Act assessment in Quarrington?':
        ('longest wait for a care act', 'longest wait was', 'maximum wait', 'waited up to'),
    'How many people did Aldgrove Court in Quarrington discharge home in 2024/25?':
        ('discharged home from aldgrove', 'aldgrove court discharged', 'went home from aldgrove', 'returned home'),
    'What share of younger adults in Quarrington took a direct payment?':
        ('aged 18 to 64', '18-64', '18 to 64', 'younger adults'),
    'How many Section 42 enquiries did Quarrington complete in 2024/25?':
        ('enquiries completed', 'enquiries were completed', 'completed enquiries', 'enquiries concluded', 'enquiries closed', 'concluded 5'),
    "How many carers' assessments did Quarrington complete in 2022/23?":
        ('2022/23',),
    'How many carers were waiting for an assessment in Quarrington?':
        ('carers waiting', 'carers were waiting', 'waiting for a carer'),
    "What was the social work vacancy rate in Quarrington's children's services?":
        ("children's social work vacancy", 'vacancy rate in children'),
    'How many contacts did Quarrington Gateway handle in 2023/24?':
        ('contacts in 2023/24',),
    'What was the average wait for a Care Act assessment in Quarrington?':
        ('average wait for a care act', 'assessments averaged', 'average of 22', 'average of 31', 'average wait was'),
    'What was the median wait for a Care Act assessment in Draymoor?':
        ('median wait for a care act', 'median wait for an assessment', 'median wait was', 'a median of 19', 'assessment was a median'),
    "What was the longest wait for a carer's assessment in Draymoor?":
        ('longest wait for a carer', 'carers waited up to', 'longest carer'),
    'What is the average wait for an occupational therapy assessment in Draymoor?':
        ('occupational therapy assessment averaged', 'average wait for an occupational', 'waited an average'),
    'How many people were waiting for a Care Act assessment in Draymoor at the end of June 2024?':
        ('q1 2024/25', 'june 2024'),
    'How many DoLS applications did Draymoor complete in 2024/25?':
        ('applications were completed', 'completed applications', 'applications completed', 'authorisations', 'granted'),
    'How many home care packages were handed back in the east of Draymoor?':
        ('east of the county', 'eastern'),
    'What share of younger adults in Draymoor were at home 91 days after reablement?':
        ('aged 18 to 64', '18-64', '18 to 64', 'younger adults'),
    "What was Draymoor's occupational therapist vacancy rate?":
        ('occupational therapist vacancy', 'occupational therapy vacancy', 'ot vacancy'),
    'How many safeguarding concerns did Draymoor receive in 2024/25?':
        ('safeguarding concerns in 2024/25', 'concerns were received', 'concerns received'),
    'How many care homes in Draymoor were rated inadequate?':
        ('rated inadequate', 'inadequate by cqc', 'were inadequate'),
    'How much are hospital car parking charges?':
        ('parking', 'car park'),
    'What weekly fee do self-funders pay for a care home place?':
        ('weekly fee', 'a week for a care home', 'per week for a care home', 'fees for self-funders'),
    'How long is the wait for a council house?':
        ('council house', 'housing register', 'social housing'),
    'How many school crossing patrols does the council fund?':
        ('crossing patrol',),
    'How many people borrowed books from the mobile library?':
        ('mobile library', 'borrowed books', 'book loans'),
    'What does garden waste collection cost?':
        ('garden waste',),
    'How many children are on child protection plans?':
        ('child protection plan',),
    'What is the average ambulance response time?':
        ('ambulance response',),
    'How long do people wait for an NHS wheelchair?':
        ('wheelchair service', 'nhs wheelchair', 'wait for a wheelchair'),
    'How many people were waiting for a Care Act assessment at the end of March 2023?':
        ('march 2023',),
}

BLIND = BlindSet(gold=HERE / "blind20.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
                           "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=("blind", "blind5"))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
