"""Check blind set 8's gold file, blind8.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's; this file holds the set's own data.

    python eval/blind8/check.py
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
    "Hollinsgate Metropolitan Borough Council": ("hollinsgate.source.txt", "hollinsgate.txt", "txt"),
    "Wexcombe City Council": ("wexcombe.source.txt", "wexcombe.pdf", "pdf"),
    "Quarrendon County Council": ("quarrendon.source.txt", "quarrendon.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "hollinsgate", "wexcombe", "quarrendon")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised.
ABSENT: dict[str, tuple[str, ...]] = {
    "What was the longest wait for a carer's assessment in Hollinsgate?":
        ("longest wait for a carer", "maximum wait for a carer", "carers waited up to", "longest a carer",
         "carers waited as long as"),
    "How many carers were waiting for an assessment in Hollinsgate at the end of Q3 2024/25?":
        ("carers were waiting", "carers waiting", "waiting for a carer", "carers were awaiting", "carers awaiting"),
    "How many carers did Linden Lodge turn away in 2024/25?": ("turned away", "turn away", "refused", "could not be offered"),
    "How many people were waiting for an OT assessment in Hollinsgate at 31 March 2025?":
        ("waiting for an ot", "waiting for an occupational", "waiting for occupational", "awaiting an ot",
         "awaiting an occupational", "awaiting occupational"),
    "How many DoLS applications were awaiting a decision in Hollinsgate at 31 March 2023?": ("31 march 2023", "march 2023"),
    "What share of younger adults discharged from hospital into reablement were still at home 91 days later in Hollinsgate?":
        ("younger adults discharged", "aged 18 to 64", "younger people discharged", "adults under 65"),
    "How many safeguarding concerns did Hollinsgate close in 2024/25?": ("closed", "concluded concerns", "concerns were closed"),
    "What are the opening hours of Hollinsgate's libraries?": ("librar", "opening hours"),
    "How much does Hollinsgate charge for garden waste collection?": ("garden waste", "bin collection", "waste"),
    "What is the longest wait for care at home in Wexcombe?":
        ("longest wait for home care", "longest wait for a home care", "maximum wait for home care",
         "waited up to", "longest wait for care at home"),
    "How many carers' assessments did Wexcombe complete in 2023/24?":
        ("assessments in 2023/24", "assessments were completed in 2023/24", "completed in 2023/24"),
    "How many people did Home First Wexcombe readmit to hospital?": ("readmi", "re-admi", "returned to hospital", "back into hospital"),
    "How many Shared Lives carers did Wexcombe recruit in 2024/25?": ("recruit", "new shared lives carers", "joined the scheme"),
    "How many safeguarding concerns did Wexcombe receive in 2022/23?": ("2022/23",),
    "How many potholes did Wexcombe fill in 2024/25?": ("pothole", "road repair"),
    "What was the longest wait for an occupational therapy assessment in Quarrendon?":
        ("longest wait", "maximum wait", "waited up to", "longest ot", "longest occupational"),
    "How long did people in Quarrendon's southern localities wait for an assessment in Q4 2023/24?":
        ("q4 2023/24", "2023/24 the wait", "in q4 of 2023/24"),
    "How many of Quarrendon's Village Agents left the scheme in 2024/25?": ("agents left", "agents stopped", "left the scheme", "agents leaving"),
    "How many young people with a learning disability turned 18 in Quarrendon in 2024/25?": ("learning disab",),
    "How many DoLS applications did Quarrendon authorise in 2024/25?": ("authorised", "applications were granted", "granted"),
    "How long did people wait for care at home in Quarrendon's Brayne Hills locality?":
        ("wait for home care", "wait for a domiciliary", "waited for home care", "wait for domiciliary",
         "waited a median", "waited an average of"),
    "How many blue badges did Quarrendon issue in 2024/25?": ("blue badge", "parking"),
    "How long does it take for Stronger Valleys grants to be paid out?":
        ("stronger valleys grants were paid", "grant payments", "paid within", "paid out"),
    "How much is band D council tax?": ("council tax", "band d"),
    "How many children receive free school meals?": ("school meals", "free school"),
    "What does it cost to park at the hospital for a day?": ("parking", "car park"),
    "How long is the wait for a stairlift to be fitted?": ("stairlift", "stair lift", "stair-lift"),
    "How many care homes offer pet-friendly rooms?": ("pets", "pet-friendly", "pet friendly"),
    "How many people are waiting for a council bungalow?": ("bungalow",),
    "How many foster carers does the council have?": ("foster",),
}

BLIND = BlindSet(gold=HERE / "blind8.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
              "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=('blind', 'blind5'))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
