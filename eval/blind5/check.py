"""Check blind set 5's gold file, blind5.jsonl, against the nine reports of its library:
the checks are eval/blindcheck.py's; this file holds the set's own data.

    python eval/blind5/check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from blindcheck import BlindSet, main  # noqa: E402

#: authority -> (source, rendered file, format) of this set's new reports.
NEW = {
    # authority: (source, rendered file, format)
    "Callowmere Borough Council": ("callowmere.source.txt", "callowmere.txt", "txt"),
    "Ravensholt City Council": ("ravensholt.source.txt", "ravensholt.pdf", "pdf"),
    "Amberleigh County Council": ("amberleigh.source.txt", "amberleigh.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised.
ABSENT: dict[str, tuple[str, ...]] = {
    "What was the longest wait for a carer's assessment in Callowmere?":
        ("longest wait for a carer", "maximum wait for a carer", "carers waited up to",
         "carers waited as long as", "longest a carer"),
    "How many people were discharged from Marsh View in 2024/25?":
        ("discharged from marsh view", "left marsh view", "marsh view discharged", "went home from marsh view"),
    "What are the parking charges at Callowmere General Hospital?": ("parking",),
    "What was the maximum wait for a financial assessment in Callowmere?":
        ("longest wait for a financial", "maximum wait for a financial", "financial assessments took up to",
         "longest financial assessment"),
    "How many safeguarding concerns did Callowmere receive in 2022/23?": ("2022/23",),
    "How many people were waiting for a Disabled Facilities Grant adaptation in Callowmere?":
        ("waiting for a disabled facilities", "waiting for major adaptations", "waiting for an adaptation",
         "waiting for adaptations"),
    "What is the median wait for Disabled Facilities Grant adaptations in Ravensholt?":
        ("median wait for a disabled facilities", "median wait for disabled", "adaptations took a median",
         "median wait for adaptations", "median time for adaptations"),
    "What is the longest wait for a home care package in Ravensholt?":
        ("longest wait for home care", "longest wait for a home care", "maximum wait for home care",
         "maximum wait for a home care"),
    "How much does the Safe at Home telecare service cost each week?":
        ("a week for safe at home", "safe at home costs", "safe at home cost", "charge for telecare",
         "telecare charge", "per week"),
    "How many safeguarding concerns did Ravensholt receive in 2021/22?": ("2021/22",),
    "How many school transport routes does Ravensholt run for young adults?": ("school transport",),
    "What was the longest wait for an occupational therapy assessment in Amberleigh?":
        ("longest wait", "maximum wait"),
    "How many Neighbourhood Circles closed in 2024/25?":
        ("circles closed", "circles had closed", "circles stopped", "closure of"),
    "How many people in Amberleigh were readmitted to hospital after using the Home Today pathway?": ("readmi", "re-admi"),
    "How many carers were waiting for a carer's assessment in Amberleigh?":
        ("waiting for a carer", "carers were waiting", "carers waiting"),
    "What was the maximum wait for an occupational therapy assessment in Kestrel Moor?":
        ("longest wait for an occupational", "maximum wait for an occupational", "longest occupational",
         "maximum occupational"),
    "How many Larchfield residents were on the waiting list for occupational therapy?":
        ("waiting for an occupational", "waiting for occupational"),
    "What is the median time to complete a Section 42 enquiry in Ashdown Vale?":
        ("median time to complete", "enquiries took a median", "median of"),
    "How many Community Living Room visits did Brackenford record in 2023?": ("visits in 2023",),
    "How many people used Sedgecombe's short-term care home beds in 2023/24?":
        ("people used the short-term beds", "short-term beds were used", "used the 48", "stayed in the short-term"),
    "What hourly rate does Stockton-on-Tees pay home care providers?": ("an hour", "per hour", "hourly rate"),
    "Which council gives home care workers free parking permits?": ("parking",),
    "What is the median wait for a wheelchair assessment?": ("wheelchair",),
    "How many meals on wheels does the council deliver each week?":
        ("meals on wheels", "meal delivery", "meals delivered", "hot meals"),
    "Which council pays care staff a mileage allowance?": ("mileage",),
    "How many dementia cafés does the council run?": ("dementia caf",),
    "How long do people wait for a hearing aid fitting?": ("hearing aid",),
    "How much did the council spend on bus passes for older people?": ("bus pass", "concessionary"),
}

BLIND = BlindSet(gold=HERE / "blind5.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=('blind',))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
