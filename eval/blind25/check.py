"""Check blind set 25's gold file, blind25.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's (imported from the folder above); this file holds the set's own data.

    python eval/blind25/check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from blindcheck import BlindSet, main  # noqa: E402

#: authority -> (source, rendered file, format) of this set's new reports.
NEW = {
    "Quillhaven Borough Council": ("quillhaven.source.txt", "quillhaven.txt", "txt"),
    "Brindlecombe City Council": ("brindlecombe.source.txt", "brindlecombe.pdf", "pdf"),
    "Dunsmoor County Council": ("dunsmoor.source.txt", "dunsmoor.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "quillhaven", "brindlecombe", "dunsmoor")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised.
ABSENT: dict[str, tuple[str, ...]] = {
    'What was the median wait for a Care Act assessment in Quillhaven at the end of March 2023?':
        ('march 2023',),
    'What was the median wait for a Care Act assessment in Brindlecombe in Q2 2024/25?':
        ('q2 2024/25', 'q2 '),
    'How many safeguarding concerns did Dunsmoor receive in 2023/24?':
        ('safeguarding concerns in 2023/24', 'concerns in 2023/24'),
    "What was Brindlecombe's social worker vacancy rate in 2023?":
        ('vacancy rate in 2023', 'up from', 'down from', 'a year earlier'),
    'What share of older people in Dunsmoor used a direct payment?':
        ('65 or over, the figure', 'older people, the figure', 'older people used a direct', 'aged 65 or over used'),
    'What share of younger adults in Quillhaven used direct payments?':
        ('aged 18 to 64', '18-64', 'younger adults'),
    'What share of younger adults were still at home 91 days after reablement in Brindlecombe?':
        ('aged 18 to 64', '18-64', 'younger adults'),
    "How many carers from minority ethnic groups had a carer's assessment in Quillhaven?":
        ('carers from minority ethnic groups had', 'minority ethnic carers were assessed', 'carers from minority ethnic groups were assessed'),
    'What was the longest wait for an occupational therapy assessment in Quillhaven?':
        ('longest wait for an occupational', 'longest occupational', 'maximum wait for an occupational', 'longest wait for occupational'),
    "What was the median wait for a carer's assessment in Brindlecombe?":
        ('median wait for a carer', 'carers waited a median'),
    "What was the longest wait for a carer's assessment in Dunsmoor?":
        ('longest wait for a carer', 'longest a carer', 'maximum wait for a carer'),
    'What was the median length of a safeguarding enquiry in Dunsmoor?':
        ('median time to complete', 'median enquiry', 'median length'),
    'How many people were waiting for an occupational therapy assessment in Dunsmoor?':
        ('waiting for an occupational', 'waiting for occupational', 'occupational therapy waiting list'),
    'How many people were waiting for reablement in Quillhaven?':
        ('waiting for reablement', 'reablement waiting list', 'waiting to start reablement'),
    'How many safeguarding enquiries did Brindlecombe close in 2024/25?':
        ('enquiries were completed', 'enquiries were closed', 'completed enquiries', 'closed enquiries', 'enquiries closed', 'enquiries completed'),
    'When did Sea View House in Quillhaven close?':
        ('sea view house closed', 'sea view house will close', 'closure of sea view', 'sea view house shut'),
    'When did Maple Lodge in Brindlecombe first open?':
        ('maple lodge opened', 'opened in', 'maple lodge was built'),
    "How many people left Dunsmoor's reablement service for a care home?":
        ('to a care home', 'went into a care home', 'moved into a care home', 'into residential care'),
    'How many care homes in Quillhaven closed in 2024/25?':
        ('care homes closed', 'care home closed', 'closure of'),
    'How many Care Act assessments did Brindlecombe complete in 2024/25?':
        ('care act assessments completed', 'completed care act', 'care act assessments were completed', 'care act assessments in'),
    'How many home care agencies does Dunsmoor commission?':
        ('home care agencies', 'home care providers', 'agencies', 'providers of home care'),
    "What share of Brindlecombe's care homes were rated good or outstanding?":
        ('good or outstanding', 'rated good'),
    'What is the care worker vacancy rate in Quillhaven?':
        ('care worker vacancy', 'vacancy rate for care workers'),
    'How many people were waiting for home care in Copley Vale?':
        ('waiting in copley vale', 'copley vale had', 'in copley vale,', 'copley vale were waiting'),
    'What is the gap in life expectancy across Dunsmoor?':
        ('life expectancy',),
    'How many care homes are there in the west of Quillhaven?':
        ('care homes in the west', 'west of the borough had'),
    'How many people were waiting for home care in Dunsmoor in March 2024?':
        ('march 2024',),
    "What was the longest wait for a carer's assessment in Ravensholt?":
        ('longest wait for a carer', 'maximum wait for a carer', 'longest a carer'),
    'How many times did the Ombudsman find fault with Amberleigh?':
        ('ombudsman',),
    "What share of Larchfield's complaints were upheld by the Ombudsman?":
        ('ombudsman',),
    'How many extra care flats opened in Quillhaven?':
        ('extra care',),
    'What was the median wait for a Care Act assessment in March 2022?':
        ('march 2022',),
    'How much does the council charge to collect garden waste?':
        ('garden waste', 'bin collection'),
    'How many potholes were reported on council roads?':
        ('pothole',),
    'How many pupils get free school meals?':
        ('school meal',),
    'What is the band D council tax charge?':
        ('council tax', 'band d'),
    'How long is the wait for a disabled parking badge?':
        ('blue badge', 'parking badge', 'disabled parking'),
    'How many planning applications did the council approve?':
        ('planning application',),
    'What are the opening times of the household waste site?':
        ('waste site', 'recycling'),
    'How many carers used Sea View House in Quillhaven in 2023/24?':
        ('sea view house in 2023/24', 'used sea view house in 2023'),
    'What share of older people in Brindlecombe used direct payments?':
        ('older people used', 'aged 65 or over used', '65 or over, the figure', 'older people, the figure'),
    'How many safeguarding concerns did Quillhaven receive in 2022/23?':
        ('concerns in 2022/23',),
    'What was the median wait for a DoLS assessment in Dunsmoor?':
        ('median wait for a deprivation', 'median wait for a dols'),
    'How many hours of home care a week were delivered in Meresby?':
        ('hours in meresby', 'meresby had', 'meresby received'),
    'How many people did Brindlecombe Step Up discharge to a care home?':
        ('discharged from step up', 'left step up', 'step up discharged'),
    'How many Village Agents work in Quillhaven?':
        ('village agent',),
    'How much did Quillhaven put into the Better Care Fund in 2023/24?':
        ('better care fund in 2023/24', 'in 2023/24 the better care'),
    'How many library visits were there last year?':
        ('library visits', 'visits to libraries'),
}

BLIND = BlindSet(gold=HERE / "blind25.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
                           "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=("blind", "blind5"))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
