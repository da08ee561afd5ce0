"""Check blind set 23's gold file, blind23.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's (imported from the folder above); this file holds the set's own data.

    python eval/blind23/check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from blindcheck import BlindSet, main  # noqa: E402

#: authority -> (source, rendered file, format) of this set's new reports.
NEW = {
    "Scarrowby Borough Council": ("scarrowby.source.txt", "scarrowby.txt", "txt"),
    "Pellingham City Council": ("pellingham.source.txt", "pellingham.pdf", "pdf"),
    "Wrenfold County Council": ("wrenfold.source.txt", "wrenfold.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "scarrowby", "pellingham", "wrenfold")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised. Each absence was first checked by reading the report.
ABSENT: dict[str, tuple[str, ...]] = {
    # Scarrowby: only an average wait for a Care Act assessment
    "What was the median wait for a Care Act assessment in Scarrowby?":
        ("median wait for a care act", "median wait for an assessment", "assessments in a median",
         "assessment was a median", "typically waited", "median of 41"),
    # carers: a median only
    "What was the longest a carer in Scarrowby waited for a carer's assessment?":
        ("longest", "maximum", "carers waited up to", "waited as long as"),
    # OT: a count waiting only, no wait figure
    "What was the average wait for an occupational therapy assessment in Scarrowby?":
        ("occupational therapy assessment averaged", "wait for occupational therapy", "waited for an occupational",
         "occupational therapy waits", "average wait for an occupational"),
    "How many people were waiting for an assessment in Scarrowby at the end of March 2024?":
        ("march 2024", "end of 2023/24"),
    # 91-day figure for people aged 65 and over only
    "What share of younger adults in Scarrowby were still at home 91 days after reablement?":
        ("aged 18 to 64", "18-64", "18 to 64", "younger adults who went home", "under 65"),
    # started, not finished
    "How many people finished reablement with Bounce Back Scarrowby in 2024/25?":
        ("finished reablement", "completed reablement", "people completed", "left reablement", "ended reablement"),
    # led to an enquiry and a median time to complete, no count closed
    "How many safeguarding enquiries did Scarrowby close in 2024/25?":
        ("enquiries were closed", "enquiries closed", "closed enquiries", "enquiries were completed",
         "completed enquiries", "enquiries completed"),
    # the domiciliary care wait is borough-wide
    "How many people in Holmwick were waiting for domiciliary care?":
        ("holmwick were waiting", "waiting in holmwick", "in holmwick, ", "holmwick waiting"),
    "What does Scarrowby charge carers for a night at Seaview House?":
        ("per night", "a night", "charge for short breaks", "charged for a short", "charge for a short"),
    # social worker vacancy rate only
    "What was the care worker vacancy rate in Scarrowby?":
        ("care worker vacancy", "vacancy rate among care workers", "care workers vacancy", "care staff vacancy"),
    "How many complaints about adult social care did Scarrowby receive in 2023/24?":
        ("complaints about adult social care in 2023/24", "complaints in 2023/24"),
    # a joiners count (Coast to Care), no leavers or turnover
    "How many care workers left Scarrowby's care providers in 2024/25?":
        ("care workers left", "leavers", "turnover", "left the sector", "left their jobs"),
    # direct payments for all people on long-term support, not by age
    "How many people aged 18 to 64 in Scarrowby take a direct payment?":
        ("18 to 64", "18-64", "younger adults took", "aged under 65", "younger adults used"),
    # an average wait for discharge only
    "What was the median delay for patients ready to leave Scarrowby General Hospital?":
        ("median delay", "delays had a median", "discharge in a median", "median wait for discharge",
         "median wait for their discharge"),
    # a count of users only
    "How many people stopped using Wrenfold Lifelink in 2024/25?":
        ("stopped using", "cancelled", "left lifelink", "lifelink lost", "users left"),
    # Pellingham OT: the count waiting and the longest wait only
    "What was the median wait for an occupational therapy assessment in Pellingham?":
        ("median wait for an occupational", "median wait for occupational", "occupational therapy assessment was a median",
         "occupational therapy in a median"),
    "How many people were waiting for an occupational therapy assessment in Pellingham at 31 March 2023?":
        ("2022/23", "31 march 2023 ", "31 march 2023,", "31 march 2023."),
    "What share of people aged 18 to 64 in Pellingham were still at home 91 days after reablement?":
        ("18 to 64 were still", "18-64 were still", "younger adults were still", "under 65 were still",
         "still at home 91 days after leaving hospital into reablement, compared"),
    "What was the longest wait for a carer's assessment in Pellingham?":
        ("longest wait for a carer", "maximum wait for a carer", "carers waited up to", "longest a carer",
         "longest wait for carers"),
    # started, and open over 6 months; no count completed
    "How many Section 42 enquiries did Pellingham complete in 2024/25?":
        ("enquiries were completed", "completed enquiries", "enquiries completed", "enquiries were closed",
         "enquiries closed"),
    # delays and Home First numbers, no discharge count for the hospital
    "How many patients did Pellingham Royal Infirmary discharge in 2024/25?":
        ("were discharged from pellingham", "discharges from pellingham", "infirmary discharged", "patients were discharged"),
    # an hourly home care rate only
    "What weekly fee does Pellingham pay for a residential care home place?":
        ("a week", "per week", "weekly fee", "residential care rate", "care home fee"),
    # agency share and care worker vacancy rate only
    "What was the social worker vacancy rate in Pellingham?":
        ("social worker vacancy", "vacancy rate for social workers", "social work vacancy", "social work vacancies"),
    "How many Pellingham residents were waiting for care at home in 2022/23?":
        ("2022/23", "31 march 2023 ", "31 march 2023,", "31 march 2023."),
    # Wrenfold: typical wait and 28-day share only
    "What was the longest wait for a Care Act assessment in Wrenfold?":
        ("longest wait for a care act", "longest wait for an assessment", "maximum wait for a care act",
         "maximum wait for an assessment", "longest anyone waited for an assessment"),
    # the locality table has counts, no waits
    "What was the median wait for a Care Act assessment in the Eastern Fens of Wrenfold?":
        ("eastern fens waited", "eastern fens typically", "median wait in the eastern fens", "eastern fens median",
         "in the eastern fens, people waited"),
    "How many carers' assessments did Wrenfold complete in 2021/22?": ("2021/22",),
    # started, and a median time to complete; no count closed
    "How many Section 42 enquiries did Wrenfold close in 2024/25?":
        ("enquiries closed", "enquiries were closed", "closed enquiries", "number of enquiries completed",
         "enquiries completed in 2024/25", "completed 1,"),
    # carers typically waited 15 days: no maximum
    "What was the longest wait for a carer's assessment in Wrenfold?":
        ("longest wait for a carer", "maximum wait for a carer", "carers waited up to", "longest a carer",
         "longest wait for carers"),
    "What share of people aged 18 to 64 in Wrenfold were still at home 91 days after reablement?":
        ("18 to 64", "18-64", "younger adults who left", "under 65"),
    "How many people in Wrenfold were waiting for a Disabled Facilities Grant?": ("disabled facilities",),
    "What was the care worker vacancy rate in Wrenfold?":
        ("care worker vacancy", "vacancy rate among care workers", "care workers vacancy", "care staff vacancy"),
    # existing reports
    "How many enquiries did Sedgecombe's Village Agents deal with in 2024/25?":
        ("enquiries in 2024/25", "village agents dealt with", "village agents handled"),
    "What was the median time to complete a Disabled Facilities Grant adaptation in Brackenford?":
        ("adaptations took a median", "median time for adaptations", "median wait for an adaptation",
         "median wait for adaptations", "adaptations in a median"),
    # an average time only
    "What was the maximum wait for a Disabled Facilities Grant adaptation in Callowmere?":
        ("adaptations took up to", "longest adaptation", "maximum wait for an adaptation", "longest wait for an adaptation",
         "longest wait for a disabled", "maximum wait for a disabled"),
    # the 91-day figure is for people aged 65 and over
    "What share of people aged 18 to 64 in Ravensholt were still at home 91 days after reablement?":
        ("18 to 64", "18-64", "younger adults were still", "under 65 were still"),
    "How many complaints about adult social care did Larchfield receive in 2023/24?":
        ("complaints in 2023/24", "complaints about adult social care in 2023/24"),
    # look-alikes, authority null: absent from all twelve reports
    "What are the hospital car parking charges for visitors?": ("parking", "car park"),
    "How much does a blue badge cost?": ("blue badge",),
    "How long do people wait for a stairlift to be installed?": ("stairlift", "stair lift"),
    "How much did the council put council tax up by this year?": ("council tax",),
    "How long is the wait for an NHS dentist?": ("dentist", "dental"),
    "How many people are on the council housing register?": ("housing register", "council housing", "social housing"),
    "What are the library opening hours?": ("opening hours", "library opening", "libraries open"),
}

BLIND = BlindSet(gold=HERE / "blind23.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
                           "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=("blind", "blind5"))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
