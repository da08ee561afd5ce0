"""Check blind set 6's gold file, blind6.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's; this file holds the set's own data.

    python eval/blind6/check.py
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
    "Ormsdale Metropolitan Borough Council": ("ormsdale.source.txt", "ormsdale.txt", "txt"),
    "Halverton City Council": ("halverton.source.txt", "halverton.pdf", "pdf"),
    "Redwater and Fallow Council": ("redwater.source.txt", "redwater-and-fallow.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "ormsdale", "halverton", "redwater", "fallow")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised.
ABSENT: dict[str, tuple[str, ...]] = {
    "What was the longest wait for a carer's assessment in Ormsdale?":
        ("longest wait for a carer", "maximum wait for a carer", "carers waited up to", "carers waited as long as",
         "longest a carer", "longest carer"),
    "How many people were discharged from Ormsdale Royal Infirmary in 2024/25?":
        ("discharged from ormsdale royal", "discharges from ormsdale", "people were discharged from",
         "discharges in 2024/25", "hospital discharges"),
    "How many Live Well Ormsdale hubs closed in 2024/25?":
        ("hubs closed", "hub closed", "closure of", "hubs had closed", "hubs were closed"),
    "How long did people in Ormsdale's moorland parishes wait for home care to start?":
        ("waited for home care", "wait for home care", "waiting times for home care", "waited for a home care",
         "wait for a home care"),
    "What was the median wait for an occupational therapy assessment in Halverton?": ("median",),
    "How many personal assistants are on Halverton's register?":
        ("personal assistants on", "personal assistants registered", "pa register", "register of personal",
         "registered personal assistants"),
    "How many Care Act assessments did Halverton complete in 2024/25?":
        ("care act assessments in 2024/25", "completed the care act", "care act assessments were completed",
         "assessments completed in 2024/25", "council completed 1", "council completed 2", "council completed 3",
         "council completed 4", "council completed 5", "council completed 7", "council completed 8",
         "council completed 9"),
    "What share of Halverton's care homes are rated outstanding?":
        ("rated outstanding", "were outstanding", "outstanding care homes", "% outstanding"),
    "How many Deprivation of Liberty Safeguards applications were waiting in Halverton in March 2024?":
        ("march 2024",),
    "How much does Halverton Telecare charge each week?": ("per week", "a week", "weekly"),
    "How many carers were waiting for a carer's assessment in Redwater and Fallow?":
        ("carers were waiting", "carers waiting", "waiting for a carer", "carers on the waiting list"),
    "How many safeguarding concerns did Redwater and Fallow receive in 2024/25?":
        ("safeguarding concerns in 2024/25", "in 2024/25 the council received", "concerns were received in 2024/25",
         "concerns received in 2024/25"),
    "How many young people were on the Moving On panel's caseload in Redwater and Fallow?":
        ("caseload", "young people were supported by the moving on", "young people on its"),
    "What hourly rate does Redwater and Fallow pay personal assistants?":
        ("personal assistants were paid", "pa rate", "rate for personal assistants", "personal assistants earn",
         "personal assistants an hour"),
    "What was the median wait for a financial assessment in Redwater and Fallow?":
        ("financial assessments took a median", "median wait for a financial", "median time for financial",
         "financial assessments were completed in a median"),
    "How many people were readmitted to hospital after reablement in Redwater and Fallow?": ("readmi", "re-admi"),
    "How many complaints did the Ombudsman uphold against Larchfield?": ("ombudsman",),
    "How much unclaimed benefit did Sedgecombe's Village Agents help people to claim?":
        ("unclaimed", "benefits claimed", "in benefits", "claim £"),
    "How many people use a telecare alarm in Kestrel Moor?":
        ("telecare", "careline", "lifeline", "alarm", "technology enabled care"),
    "How many apprentices are training as social workers in Amberleigh?": ("apprentice",),
    "What was the median wait for a Disabled Facilities Grant adaptation in Brackenford?":
        ("adaptations took a median", "median wait for a disabled", "median wait for adaptations",
         "grant took a median", "median time for adaptations"),
    "How many pothole repairs did the council carry out last year?": ("pothole", "road repair"),
    "How many blue badges did the council issue to disabled residents?": ("blue badge",),
    "How much does a school dinner cost for primary pupils?": ("school dinner", "school meal", "free school"),
    "How much does it cost to park at the local hospital?": ("parking", "car park"),
    "How long do people wait for a podiatry or chiropody appointment?": ("podiatr", "chiropod", "foot care"),
    "How many people use the council's laundry service for incontinence?": ("laundry", "incontinence"),
    "How many hoarding cases did the council deal with?": ("hoarding",),
    "How many care workers were given electric cars or e-bikes?":
        ("electric car", "e-bike", "electric vehicle", "electric bike"),
    "How many Changing Places toilets are there in the area?": ("changing places", "accessible toilet"),
    "How many people with sight loss were visited by a rehabilitation officer?":
        ("sight loss", "visual impairment", "visually impaired", "rehabilitation officer", "sensory impairment"),
}

BLIND = BlindSet(gold=HERE / "blind6.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
              "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=('blind', 'blind5'))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
