"""Check blind set 7's gold file, blind7.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's; this file holds the set's own data.

    python eval/blind7/check.py
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
    "Pellingford Borough Council": ("pellingford.source.txt", "pellingford.txt", "txt"),
    "Stavenhithe City Council": ("stavenhithe.source.txt", "stavenhithe.pdf", "pdf"),
    "Mardlecombe County Council": ("mardlecombe.source.txt", "mardlecombe.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "pellingford", "stavenhithe", "mardlecombe")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised.
ABSENT: dict[str, tuple[str, ...]] = {
    "What was the longest wait for a Care Act assessment in Pellingford?":
        ("longest wait", "maximum wait", "waited up to", "longest anyone"),
    "How many people in Pellingford aged 18 to 64 moved permanently into care homes in 2024/25?":
        ("aged 18 to 64", "younger adults", "working-age", "working age"),
    "How many safeguarding concerns did Pellingford receive in 2023/24?":
        ("concerns in 2023/24", "in 2023/24, the council received", "in 2023/24 the council received"),
    "How many people were readmitted to hospital after Pellingford's Stay Well at Home service?":
        ("readmi", "re-admi", "back into hospital", "returned to hospital"),
    "How much does Pellingford charge each week for its Careline alarm?":
        ("careline costs", "careline cost", "charge for careline", "careline charge", "per week", "a week for"),
    "How many Disabled Facilities Grants did Pellingford approve last year?":
        ("disabled facilities", "adaptation grant", "adaptations grant"),
    "What is the maximum wait for an occupational therapy assessment in Pellingford?":
        ("longest wait", "maximum wait", "waited up to", "longest occupational"),
    "How many Deprivation of Liberty Safeguards applications did Pellingford complete in 2024/25?":
        ("applications were completed", "applications completed", "completed deprivation",
         "authorisations were completed", "assessments were completed in 2024/25"),
    "What was the median wait for a DoLS assessment in Stavenhithe?":
        ("median wait for a deprivation", "median wait for dols", "dols assessments took",
         "deprivation of liberty safeguards assessments took"),
    "How many people were waiting for a Care Act assessment in Stavenhithe at the end of Q4 2024/25?":
        ("q4 2024/25", "end of march 2025", "31 march 2025"),
    "What proportion of younger adults were still at home 91 days after reablement in Stavenhithe?":
        ("aged 18 to 64", "younger adults were", "aged under 65", "working-age"),
    "What weekly fee does Stavenhithe pay for a residential care home place?":
        ("a week", "per week", "weekly"),
    "How many carers' assessments did Stavenhithe complete in 2024/25?":
        ("assessments were completed", "carers' assessments in 2024/25", "completed 1", "completed 2",
         "completed 3", "assessed 1", "assessed 2"),
    "How many Section 42 enquiries did Stavenhithe open in 2024/25?":
        ("enquiries were opened", "opened 1", "opened 2", "led to a section 42", "went on to a section 42",
         "section 42 enquiries were started"),
    "What was the median wait for a Care Act assessment in Mardlecombe?": ("median",),
    "How many people were waiting for a Care Act assessment in Mardlecombe on 31 January 2024?": ("january 2024",),
    "When did Mardlecombe open a new respite unit to replace Orchard View?":
        ("opened", "new respite", "replacement unit", "replace orchard view"),
    "What share of younger adults in Mardlecombe use a direct payment?":
        ("aged 18 to 64", "younger adults", "working-age", "working age"),
    "How many safeguarding concerns did Mardlecombe receive in 2024/25?":
        ("concerns were received", "concerns were raised", "safeguarding concerns in 2024/25",
         "received a total of", "concerns received"),
    "How many Village Agents did Mardlecombe employ in 2022/23?": ("2022/23",),
    "What is the longest wait for an occupational therapy assessment in Mardlecombe?":
        ("longest wait for an occupational", "longest wait for occupational", "maximum wait",
         "occupational therapy assessment took up to"),
    "How many people in Ravensholt were waiting for a DoLS assessment in January 2024?": ("january 2024",),
    "How many people in Sedgecombe were waiting for an occupational therapy assessment in October 2023?":
        ("october 2023",),
    "What was the longest wait for a carer's assessment in Ashdown Vale?":
        ("longest wait for a carer", "maximum wait for a carer", "carers waited up to", "longest a carer"),
    "How much council tax did the council collect?": ("council tax",),
    "How many libraries did the council close last year?":
        ("libraries closed", "library closures", "closed libraries", "library closed", "closure of the library",
         "libraries had closed"),
    "How many potholes were repaired?": ("pothole",),
    "How many children get free school meals?": ("school meal",),
    "How much do visitors pay for hospital car parking?": ("parking",),
    "How many blue badges were issued to disabled residents?": ("blue badge",),
    "How long do people wait for a wheelchair repair?": ("wheelchair",),
}

BLIND = BlindSet(gold=HERE / "blind7.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
              "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=('blind', 'blind5'))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
