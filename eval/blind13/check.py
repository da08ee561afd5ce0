"""Check blind set 13's gold file, blind13.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's; this file holds the set's own data.

    python eval/blind13/check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from blindcheck import BlindSet, main  # noqa: E402

NEW = {
    # authority: (source, rendered file, format)
    "Quillsby Borough Council": ("quillsby.source.txt", "quillsby.txt", "txt"),
    "Dunstreath City Council": ("dunstreath.source.txt", "dunstreath.pdf", "pdf"),
    "Oakhythe County Council": ("oakhythe.source.txt", "oakhythe.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "quillsby", "dunstreath", "oakhythe")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised.
ABSENT: dict[str, tuple[str, ...]] = {
    "What was the longest wait for a Care Act assessment in Quillsby?":
        ("longest", "maximum wait", "waited up to", "waited more than"),
    "What is the median wait for a carer's assessment in Quillsby?":
        ("carers waited a median", "median wait for a carer", "carers' assessments: 58 carers waiting; median"),
    "How many people were waiting for a Care Act assessment in Quillsby at 31 March 2024?": ("march 2024",),
    "What share of younger adults in Quillsby were still at home 91 days after reablement?":
        ("aged 18 to 64", "18-64", "18 to 64", "younger adults", "working-age adults were still"),
    "How many people were waiting for a DoLS assessment in Quillsby at the end of 2023/24?":
        ("march 2024", "end of 2023/24"),
    "What does a night at Harbour House cost carers in Quillsby?":
        ("per night", "a night", "charge for a short break", "harbour house costs", "charged"),
    "How many Deprivation of Liberty Safeguards applications did Quillsby receive in 2024/25?":
        ("applications were received", "received applications", "applications received", "received 1", "dols applications in 2024/25"),
    "What was the vacancy rate for care workers in Quillsby?":
        ("care worker vacancy", "vacancy rate for care workers", "care workers was"),
    "How many safeguarding concerns did Quillsby receive in 2023/24?":
        ("concerns in 2023/24", "2023/24 the council received"),
    "What was the median wait for a Care Act assessment in Dunstreath?": ("median",),
    "How many carers' assessments did Dunstreath complete in 2024/25?":
        ("assessments in 2024/25", "carers' assessments in 2024"),
    "How many people were waiting for a major adaptation in Dunstreath?":
        ("waiting for a major", "waiting for major", "waiting for an adaptation", "waiting for adaptations"),
    "What share of younger adults in Dunstreath were still at home 91 days after reablement?":
        ("aged 18 to 64", "18-64", "18 to 64", "younger adults", "working-age adults were still"),
    "What was the longest wait for an occupational therapy assessment in Dunstreath?":
        ("longest wait for an occupational", "longest occupational", "waited up to", "therapy waits of up to"),
    "How many safeguarding concerns did Dunstreath receive in 2024/25?":
        ("concerns in 2024/25", "2024/25 the council received"),
    "How many Deprivation of Liberty Safeguards applications did Dunstreath complete in 2024?":
        ("applications were completed", "completed applications", "applications completed", "assessments were completed"),
    "How many people completed reablement in Dunstreath in 2024/25?":
        ("completed reablement", "finished reablement", "people completed", "completed a period"),
    "What was the care worker vacancy rate in Dunstreath?":
        ("care worker vacancy", "vacancy rate for care workers", "care workers was"),
    "How many people were waiting for an occupational therapy assessment in Oakhythe?":
        ("waiting for an occupational", "waiting for occupational", "occupational therapy waiting list"),
    "What was the longest wait for a Care Act assessment in Oakhythe?":
        ("longest", "maximum wait", "waited up to"),
    "What share of all people on long-term support in Oakhythe use direct payments?":
        ("of people receiving long-term support used", "of all people", "overall, ", "in total, "),
    "When did Oakhythe's Willowbank centre open?": ("willowbank opened", "opened willowbank", "willowbank was opened", "opened in"),
    "How many people were waiting for domiciliary care in North Oakhythe?":
        ("in north oakhythe", "of them in north", "north oakhythe area"),
    "How many safeguarding concerns did Oakhythe receive in 2023/24?":
        ("concerns in 2023/24", "2023/24 the council received"),
    "What was the average wait for a Care Act assessment in Oakhythe?": ("average wait", "wait averaged", "averaged"),
    "How many Section 42 enquiries did Oakhythe start in 2024/25?":
        ("led to a section 42", "progressed to a section 42", "enquiries were started", "enquiries started",
         "section 42 enquiries were"),
    "What share of Oakhythe care homes are rated good or outstanding?": ("good or outstanding", "rated good"),
    "How many young people did Oakhythe's transitions team move into adult services in 2024/25?":
        ("moved from children's services", "moved into adult", "young people moved", "transferred"),
    "oakhythe sickness absence social workers": ("sickness", "absence", "sick leave"),
    "How much will council tax rise next year?": ("council tax",),
    "How many potholes were filled last year?": ("pothole",),
    "How long is the wait for a blue badge?": ("blue badge",),
    "What do school dinners cost?": ("school dinner", "school meal"),
    "How many fly-tipping incidents were reported?": ("fly-tipping", "fly tipping"),
    "How much is hospital car parking?": ("car park", "parking"),
    "How many bin collections were missed?": ("bin collection", "missed bin", "refuse"),
}

BLIND = BlindSet(gold=HERE / "blind13.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
                           "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=("blind", "blind5"))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
