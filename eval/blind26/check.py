"""Check blind set 26's gold file, blind26.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's (imported from the folder above); this file holds the set's
own data.

    python eval/blind26/check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from blindcheck import BlindSet, main  # noqa: E402

#: authority -> (source, rendered file, format) of this set's new reports.
NEW = {
    "Marlowby Borough Council": ("marlowby.source.txt", "marlowby.txt", "txt"),
    "Ellerscar City Council": ("ellerscar.source.txt", "ellerscar.pdf", "pdf"),
    "Wendlestow County Council": ("wendlestow.source.txt", "wendlestow.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "marlowby", "ellerscar", "wendlestow")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised.
ABSENT: dict[str, tuple[str, ...]] = {
    # ------------------------------------------------ Marlowby
    "What was the median wait for an occupational therapy assessment in Marlowby?":
        ("median wait for an occupational", "median wait for occupational", "median occupational",
         "occupational therapy assessment was a median", "waited a median", "median wait was 131"),
    "What was the longest wait for a carer's assessment in Marlowby?":
        ("longest wait for a carer", "maximum wait for a carer", "longest a carer", "carers waited a maximum",
         "longest carer", "max wait for a carer", "carers waited up to", "the longest was 74"),
    "How many people were waiting for a Care Act assessment in Marlowby on 1st April 2024?":
        ("1st april 2024", "1 april 2024", "april 2024", "a year earlier", "up from", "down from"),
    "What share of younger adults in Marlowby used direct payments?":
        ("younger adults used", "aged 18 to 64", "18-64", "18 to 64", "younger adults, the figure",
         "younger people used"),
    "How many safeguarding concerns did Marlowby receive in 2023/24?":
        ("concerns in 2023/24", "safeguarding concerns in 2023", "in 2023/24 the council received",
         "in 2023/24, the council received", "a year earlier", "up from", "down from"),
    "What is the occupational therapist vacancy rate in Marlowby?":
        ("occupational therapist vacancy", "vacancy rate for occupational", "occupational therapists vacan",
         "occupational therapy vacanc", "vacant occupational"),
    "How many care homes opened in Marlowby in 2024?":
        ("care homes opened", "care home opened", "new care home", "opened a care home", "care homes were opened",
         "opening of"),
    "How many people were waiting for home care in Caddonfold?":
        ("waiting in caddonfold", "caddonfold were waiting", "in caddonfold,", "caddonfold had",
         "caddonfold, c.", "people in caddonfold"),
    "How many Section 42 enquiries did Marlowby complete in 2024/25?":
        ("enquiries were completed", "enquiries completed", "completed enquiries", "enquiries were closed",
         "closed enquiries", "enquiries closed", "enquiries were concluded", "concluded enquiries",
         "completed 4", "enquiries were finished"),
    "What weekly fee does Marlowby pay care homes?":
        ("a week for a care home", "care home fee", "per week", "weekly", "a week for residential",
         "a week in a care home", "residential care rate", "a week for care home", "nursing care rate"),
    "When did Threlby House open?":
        ("threlby house opened", "threlby house was opened", "threlby house, which opened", "opened threlby",
         "threlby house was built", "threlby house has been", "threlby house since"),
    "How many carers used the Carer Respite Pot in 2023/24?":
        ("respite pot in 2023/24", "payments were made in 2023/24", "in 2023/24, the carer respite",
         "in 2023/24 the carer respite", "respite pot paid"),
    "How many people left Marlowby's reablement service for a care home?":
        ("to a care home", "into a care home", "went into a care home", "moved into a care home",
         "into residential care", "care home after reablement", "went on to a care home"),
    # ------------------------------------------------ Ellerscar
    "What was the median wait for a Care Act assessment in Ellerscar?":
        ("median",),
    "How many people were waiting for a Care Act assessment in Ellerscar at the end of June 2024?":
        ("june 2024", "30 june", "q1 2024/25", "end of q1"),
    "What was the average wait for a Care Act assessment in Ellerscar in Q3 2024/25?":
        ("q3 2024/25", "q3", "december 2024", "third quarter"),
    "How many people were waiting for an assessment in Ellerscar's Northfield locality?":
        ("northfield",),
    "What share of people in Ellerscar were assessed within 28 days?":
        ("within 28 days", "within four weeks", "within 4 weeks", "within 20 working days", "within a month",
         "within 6 weeks"),
    "How many safeguarding concerns did Ellerscar receive in 2023/24?":
        ("concerns in 2023/24", "in 2023/24 the council received", "in 2023/24, the council received",
         "a year earlier", "up from", "down from"),
    "What share of younger adults in Ellerscar were still at home 91 days after reablement?":
        ("aged 18 to 64", "18-64", "18 to 64", "younger adults were still", "younger adults, the figure"),
    "How many people were waiting for home care in Ellerscar at the end of March 2025?":
        ("waiting for home care at the end", "waiting for home care in march", "waiting for home care in q4",
         "home care as at 31 march", "waiting for home care as at 31", "home care at the end of q4"),
    "How many Section 42 enquiries did Ellerscar close in 2024/25?":
        ("enquiries were completed", "enquiries completed", "completed enquiries", "enquiries were closed",
         "closed enquiries", "enquiries closed", "enquiries were concluded", "concluded enquiries"),
    "What is the average social worker caseload in Ellerscar?":
        ("caseload", "cases each", "per social worker", "cases per"),
    "How many people were waiting to start Home Together?":
        ("waiting for home together", "waiting to start home together", "home together waiting",
         "waiting list for home together", "waiting to start reablement"),
    "What was the median wait for a transition assessment for young people moving to adult services in Ellerscar?":
        ("median wait for a transition", "transition assessments took a median", "average wait for a transition",
         "median transition", "transition assessment was a median"),
    # ------------------------------------------------ Wendlestow
    "What was the average wait for a Care Act assessment in Wendlestow?":
        ("average wait", "waited an average", "mean wait", "on average", "averaged"),
    "How many people were waiting for a Care Act assessment in Wendlestow in June 2024?":
        ("june 2024", "a year earlier", "a year before", "up from", "down from"),
    "What was the median wait for a Care Act assessment in Wendlestow in 2023/24?":
        ("in 2023/24 the median", "2023/24, the median", "median wait in 2023/24", "median wait for a care act assessment in 2023",
         "a year earlier", "up from", "down from"),
    "What was the longest wait for a Care Act assessment in Trewent Magna?":
        ("in trewent magna,", "trewent magna waited", "waited longest in trewent", "trewent magna had",
         "people in trewent", "trewent magna team"),
    "How many carers were waiting for a carer's assessment in Wendlestow?":
        ("carers were waiting", "waiting for a carer", "carers waiting", "waiting for carer",
         "carers on the waiting list", "carers were on the waiting"),
    "What was the median wait for a Deprivation of Liberty Safeguards assessment in Wendlestow?":
        ("median wait for a deprivation", "median wait for a dols", "median wait for a standard authorisation",
         "dols assessments took", "applications waited a median"),
    "What share of Wendlestow's home care agencies are rated good or outstanding?":
        ("home care agencies", "home care services were rated", "home care providers were rated",
         "agencies were rated", "home care services in"),
    "What is the occupational therapist vacancy rate in Wendlestow?":
        ("occupational therapist vacancy", "vacancy rate for occupational", "occupational therapists vacan",
         "occupational therapy vacanc", "vacant occupational"),
    "How many Section 42 enquiries did Wendlestow start in 2023/24?":
        ("enquiries in 2023/24", "section 42 enquiry in 2023", "concerns in 2023/24", "a year earlier",
         "up from", "down from"),
    "How many young carers did Wendlestow identify?":
        ("young carers",),
    "How many young people did the Horizons service support?":
        ("horizons service supported", "horizons supported", "young people were known to horizons",
         "horizons service was working with", "horizons service had", "horizons team"),
    "How much was Wendlestow's Better Care Fund in 2023/24?":
        ("better care fund for 2023/24", "better care fund in 2023/24", "2023/24 better care fund",
         "better care fund was £58", "a year earlier"),
    # ------------------------------------------------ earlier reports
    "What was the longest wait for an occupational therapy assessment in Kestrel Moor?":
        ("longest wait for an occupational", "longest wait for occupational", "maximum wait for an occupational",
         "longest occupational", "longest ot", "maximum ot"),
    "What was the average wait for a carer's assessment in Sedgecombe?":
        ("average wait for a carer", "carers waited an average", "carers waited on average",
         "average of 14 days"),
    "What was the median wait for a Care Act assessment in Larchfield in March 2024?":
        ("march 2024", "a year earlier", "up from", "down from"),
    # ------------------------------------------------ authority null
    "How long is the waiting list for council housing?":
        ("housing register", "council housing", "social housing waiting", "housing waiting list"),
    "How many children are in the council's care?":
        ("children in care", "looked after children", "children looked after", "in the council's care"),
    "How long do patients wait for a hip replacement?":
        ("hip replacement", "hip operation", "orthopaedic"),
    "How many fostering households does the council have?":
        ("foster",),
    "What is the household recycling rate?":
        ("recycling", "recycled"),
    "How much does a resident parking permit cost?":
        ("parking permit", "resident parking", "car park"),
    "How many families are living in temporary accommodation?":
        ("temporary accommodation", "bed and breakfast"),
    "How long does an education, health and care plan take to issue?":
        ("education, health and care plan", "ehcp", "ehc plan"),
    "How many street lights were repaired last year?":
        ("street light", "streetlight"),
    "How many children were offered their first choice of secondary school?":
        ("first choice", "school place", "secondary school places", "offered their first", "school admissions"),
}

BLIND = BlindSet(gold=HERE / "blind26.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
                           "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=("blind", "blind5", "blind25"))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
