"""Check blind set 17's gold file, blind17.jsonl, against the twelve reports of its library:
the checks are eval/blindcheck.py's; this file holds the set's own data.

    python eval/blind17/check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from blindcheck import BlindSet, main  # noqa: E402

#: authority -> (source, rendered file, format) of this set's new reports.
NEW = {
    "Thistlecombe Borough Council": ("thistlecombe.source.txt", "thistlecombe.txt", "txt"),
    "Marrowby City Council": ("marrowby.source.txt", "marrowby.pdf", "pdf"),
    "Oxhollow County Council": ("oxhollow.source.txt", "oxhollow.html", "html"),
}

#: Words by which a question names a council (lower case).
COUNCIL_WORDS = ("stockton", "kestrel", "larchfield", "ashdown", "brackenford", "sedgecombe",
                 "callowmere", "ravensholt", "amberleigh", "thistlecombe", "marrowby", "oxhollow")

#: Unanswerable question -> phrases whose presence would mean the fact might be there after all.
#: Lower case, normalised.
ABSENT: dict[str, tuple[str, ...]] = {'How long do people wait for reablement in Oxhollow?': ('wait for reablement',
                                                         'waited for reablement',
                                                         'reablement wait',
                                                         'days for reablement'),
 'How long does a blue badge application take?': ('blue badge',),
 'How long is the median wait for a Deprivation of Liberty Safeguards decision in Thistlecombe?': ('waited a '
                                                                                                   'median',
                                                                                                   'median wait '
                                                                                                   'for a '
                                                                                                   'deprivation',
                                                                                                   'median wait '
                                                                                                   'for '
                                                                                                   'deprivation',
                                                                                                   'dols '
                                                                                                   'applications '
                                                                                                   'waited',
                                                                                                   'decisions '
                                                                                                   'took'),
 'How many Care Act assessments did Marrowby complete in 2024/25?': ('care act assessments were completed',
                                                                     'completed care act',
                                                                     'care act assessments in 2024/25',
                                                                     'assessments completed'),
 'How many Care Act assessments did Oxhollow complete in Q3 2024/25?': ('care act assessments completed',
                                                                        'completed care act'),
 'How many Deprivation of Liberty Safeguards applications did Oxhollow authorise?': ('authorised',
                                                                                     'granted',
                                                                                     'authorisations'),
 "How many calls did the Thistlecombe Carers' Centre helpline take?": ('helpline',),
 'How many carers in Thistlecombe received a direct payment?': ('carers used a direct',
                                                                'carers received a direct',
                                                                'carers also received',
                                                                'carers had a direct'),
 "How many carers were waiting for a carer's assessment in Thistlecombe?": ('carers were waiting',
                                                                            'carers waiting',
                                                                            'waiting for a carer',
                                                                            "carers' assessments: 1",
                                                                            'carers on the waiting'),
 'How many empty homes were brought back into use?': ('empty homes', 'brought back into use'),
 'How many free school meals are served each day?': ('school meal',),
 'How many library branches does the council run?': ('library branch',
                                                     'branch libraries',
                                                     'libraries closed',
                                                     'libraries open',
                                                     'number of libraries'),
 'How many new care homes opened in Oxhollow since April 2023?': ('opened',
                                                                  'new care homes',
                                                                  'care homes had opened'),
 'How many older people in Oxhollow were waiting for domiciliary care?': ('older people were waiting',
                                                                          'aged 65 and over were waiting',
                                                                          'aged 65 or over were waiting',
                                                                          'of them aged'),
 "How many people did Thistlecombe's Home from Hospital service send back to hospital?": ('readmi',
                                                                                          'back to hospital',
                                                                                          'returned to hospital'),
 'How many people were waiting for a Care Act assessment in Marrowby at the end of Q3 2023/24?': ('q3 2023/24',),
 'How many people were waiting for a Care Act assessment in Oxhollow in Q1 2025/26?': ('2025/26',),
 'How many people were waiting for domiciliary care in the east of Oxhollow?': ('east of the county',
                                                                                'eastern',
                                                                                'east of oxhollow'),
 "How many people were waiting for home care in Marrowby's Seaton ward?": ('in seaton were',
                                                                           'seaton ward had',
                                                                           'waiting in seaton',
                                                                           'seaton, '),
 'How many potholes were repaired last year?': ('pothole',),
 'How many safeguarding concerns did Thistlecombe receive in 2022/23?': ('2022/23',),
 'How many safeguarding enquiries did Thistlecombe complete in 2024/25?': ('enquiries were completed',
                                                                           'completed enquiries',
                                                                           'enquiries completed',
                                                                           'concluded',
                                                                           'enquiries were closed',
                                                                           'closed enquiries'),
 "How many young people did Marrowby's transitions team turn down?": ('turned down',
                                                                      'declined',
                                                                      'refused',
                                                                      'not accepted'),
 'How much does it cost to park at the hospital?': ('parking', 'car park'),
 'How much has council tax gone up by this year?': ('council tax',),
 'What did Marrowby pay per hour for home care in 2025/26?': ('2025/26',),
 'What does Thistlecombe pay per hour for supported living?': ('supported living',),
 "What is Marrowby's hourly rate for extra care housing?": ('extra care',),
 'What is the median wait for a Care Act assessment in Oxhollow?': ('median',),
 "What is the median wait for a carer's assessment in Thistlecombe?": ('median wait for a carer',
                                                                       "carers' assessments: a median",
                                                                       'carers waited a median'),
 'What is the median wait for a financial assessment in Oxhollow?': ('financial assessment',),
 'What is the median wait for an occupational therapy assessment in Thistlecombe?': ('occupational therapy: a '
                                                                                     'median',
                                                                                     'median wait for an '
                                                                                     'occupational',
                                                                                     'median wait for '
                                                                                     'occupational',
                                                                                     'occupational therapy '
                                                                                     'assessments took',
                                                                                     'wait for an occupational'),
 "What is the sickness absence rate in Thistlecombe's adult social care workforce?": ('sickness',
                                                                                      'sick leave',
                                                                                      'absence'),
 'What share of people with learning disabilities in Thistlecombe used a direct payment?': ('learning disabilit',),
 'What share of younger adults in Marrowby were still at home 91 days after reablement?': ('aged 18 to 64',
                                                                                           '18-64',
                                                                                           'younger adults',
                                                                                           'aged under 65'),
 "What was Marrowby's staff turnover in adult social care?": ('turnover',),
 "What was Oxhollow's average wait for a Care Act assessment in 2023/24?": ('wait for a care act assessment in '
                                                                            '2023/24',
                                                                            'q4 2023/24',
                                                                            'q1 2023/24',
                                                                            'q2 2023/24',
                                                                            'q3 2023/24'),
 'What was the longest wait for a Care Act assessment in Thistlecombe?': ('longest', 'maximum', 'waited up to'),
 "What was the longest wait for a carer's assessment in Marrowby?": ('longest wait for a carer',
                                                                     'carers waited up to',
                                                                     'maximum wait for a carer',
                                                                     'longest wait for one'),
 'What was the longest wait for an occupational therapy assessment in Marrowby?': ('longest wait for an '
                                                                                   'occupational',
                                                                                   'maximum wait for an '
                                                                                   'occupational',
                                                                                   'occupational therapy waits of '
                                                                                   'up to',
                                                                                   'longest wait for '
                                                                                   'occupational')}

BLIND = BlindSet(gold=HERE / "blind17.jsonl", reports=HERE / "reports", new=NEW,
                 previous=("Brackenford City Council", "Sedgecombe County Council", "Callowmere Borough Council",
                           "Ravensholt City Council", "Amberleigh County Council"),
                 council_words=COUNCIL_WORDS, absent=ABSENT, earlier=("blind", "blind5"))

if __name__ == "__main__":
    raise SystemExit(main(BLIND))
