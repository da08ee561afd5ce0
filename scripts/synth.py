"""Synthetic CQC local authority assessment reports, for the scale benchmark and tests.

Each report is in the layout of a real CQC local authority assessment (title line, publication
date, rating, the 9 quality statement scores, four themes with each statement's score, label,
"What people expect", "The local authority commitment" and key findings under the usual
sub-headings), about the size of a real one. Councils, places, scores, figures and wording
vary with the seed; scores agree with the rating by CQC's thresholds, one statement in a few
reports is not assessed, and formats rotate through text, PDF (reportlab) and HTML.

    python scripts/synth.py OUTDIR --reports 20 [--seed 1] [--formats txt,pdf,html]
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "fixtures"))
from build_fixtures import render_html, render_pdf  # noqa: E402

STATEMENTS = (
    ("Assessing needs", 1, ("Assessment, care planning and review arrangements",
                            "Timeliness of assessments, care planning and reviews",
                            "Assessment and care planning for unpaid carers",
                            "Financial assessment and charging", "Eligibility decisions and appeals",
                            "Provision of independent advocacy")),
    ("Supporting people to live healthier lives", 1, (
        "Arrangements to prevent, delay or reduce needs for care and support",
        "Provision and impact of intermediate care and reablement services",
        "Access to equipment and home adaptations", "Provision of accessible information and advice",
        "Direct payments")),
    ("Equity in experience and outcomes", 1, ("Understanding and reducing barriers to care and support",
                                              "Inclusion and accessibility arrangements")),
    ("Care provision, integration and continuity", 2, (
        "Understanding local needs for care and support",
        "Market shaping and commissioning to meet local needs",
        "Ensuring quality and sustainability of local services")),
    ("Partnerships and communities", 2, (
        "Partnership working to deliver shared local and national objectives",
        "Arrangements to support effective partnership working",
        "Working with voluntary and charity sector groups")),
    ("Safe pathways, systems and transitions", 3, ("Safety during transitions for young people",
                                                    "Hospital discharge", "Contingency planning")),
    ("Safeguarding", 3, ("Safeguarding systems, processes and practices",
                         "Responding to concerns and undertaking Section 42 enquiries",
                         "Making safeguarding personal")),
    ("Governance, management and sustainability", 4, ("Governance, accountability and risk management",
                                                      "Strategic planning", "Information security")),
    ("Learning, improvement and innovation", 4, (
        "Continuous learning, improvement and professional development", "Learning from feedback")),
)
THEME_TITLES = ("How {c} works with people", "Providing support", "How {c} ensures safety within the system",
                "Leadership")
LABELS = {1: "Evidence shows significant shortfalls", 2: "Evidence shows some shortfalls",
          3: "Evidence shows a good standard", 4: "Evidence shows an exceptional standard"}
EXPECT = {
    "Assessing needs": "I have care and support that is coordinated, and everyone works well together and with me.",
    "Supporting people to live healthier lives": "I can get information and advice about my health, care and support and how I can be as well as possible.",
    "Equity in experience and outcomes": "I have care and support that enables me to live as I want to, seeing me as a unique person.",
    "Care provision, integration and continuity": "I have care and support that is coordinated, and everyone works well together and with me.",
    "Partnerships and communities": "I have support that is coordinated across different services.",
    "Safe pathways, systems and transitions": "When I move between services, settings or areas, there is a plan for what happens next.",
    "Safeguarding": "I feel safe and am supported to understand and manage any risks.",
    "Governance, management and sustainability": "I know how the local authority makes decisions about care and support.",
    "Learning, improvement and innovation": "I can see how the local authority learns from what people tell it.",
}
COMMITMENT = {
    name: f"We work with people and partners on {name.lower()}, so that people get the right support at the right time."
    for name, _, _ in STATEMENTS
}
PREFIXES = ("Ash", "Bram", "Cal", "Dun", "Els", "Fen", "Gar", "Hol", "Ivy", "Kel", "Lang", "Mar", "Nor",
            "Oak", "Pen", "Quen", "Ros", "Sel", "Thorn", "Ul", "Ver", "Wey", "Yar", "Brid", "Cor", "Dray")
SUFFIXES = ("ford", "ley", "wick", "ton", "bury", "mouth", "field", "dale", "moor", "stead", "holm", "by")
KINDS = ("Borough Council", "County Council", "City Council", "Metropolitan Borough Council", "Council")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
TEAMS = ("the front door team", "the locality teams", "the hospital social work team", "the reablement service",
         "the occupational therapy team", "the safeguarding hub", "the transitions team", "the carers' hub",
         "the brokerage team", "the quality assurance team", "the mental health social work team")

GOOD = (
    "{T} had clear processes for {topic}, and staff said they were well supported by managers.",
    "People told us {team} listened to them and that {topic} worked well for them.",
    "In {year}, {pct}% of people said they were satisfied with {topic}, above the England average of {pct2}%.",
    "Leaders had a good understanding of {topic} and used data from {n} case audits to check practice.",
    "Partners described {council} as open and reliable, and joint work on {topic} had improved outcomes.",
    "Staff in {team} had manageable caseloads of around {small} people each and regular supervision.",
    "A review in {month} {year} found that {pct}% of records about {topic} met the council's quality standard.",
    "People from {town} said information about {topic} was easy to find and available in other languages.",
    "The council invested £{money} in {topic} during {year}/{yy}, and people were seeing the benefit.",
    "Waiting times for {topic} had fallen from {days2} days to {days} days over the previous year.",
)
POOR = (
    "People told us {topic} was slow and that they often had to chase {team} for updates.",
    "Only {pct}% of people were seen within the council's target for {topic}, below its own aim of {pct2}%.",
    "Staff in {team} said high caseloads of up to {big} people made it hard to keep on top of {topic}.",
    "Leaders recognised that {topic} needed to improve and an action plan was agreed in {month} {year}.",
    "There was limited evidence that {council} understood how {topic} differed for people in {town}.",
    "Partners said communication about {topic} was inconsistent and that escalation routes were unclear.",
    "An audit of {n} cases in {year} found that {pct}% did not record the person's views on {topic}.",
    "The council spent £{money} less than planned on {topic} in {year}/{yy} because of recruitment gaps.",
    "In {month} {year}, {n} people were waiting for {topic}, and some had waited more than {days} days.",
    "Vacancy rates in {team} stood at {pct}%, and agency staff covered {small} posts.",
)
NEUTRAL = (
    "{T} was delivered by {team} working with partners across {town} and {town2}.",
    "The council published a plan for {topic} in {month} {year}, which set out priorities to {year3}.",
    "Around {n} people were supported through {topic} in {year}/{yy}.",
    "Feedback from {small} community groups in {town} informed the council's approach to {topic}.",
    "The council worked with {partner} on {topic}, with a joint board meeting every {small} weeks.",
)


@dataclass(frozen=True)
class SyntheticReport:
    """What the benchmark can check about one synthetic report."""

    path: Path
    authority: str
    fmt: str
    rating: str
    scores: tuple[int | None, ...]
    median_wait_days: int


def rating_for(pct: float) -> str:
    return "Outstanding" if pct >= 88 else "Good" if pct >= 63 else \
        "Requires improvement" if pct >= 39 else "Inadequate"


def council_names(n: int, rng: random.Random) -> list[str]:
    """``n`` distinct council names whose first word is distinct too (people shorten names)."""
    places = [p + s for p in PREFIXES for s in SUFFIXES]
    rng.shuffle(places)
    if n > len(places):
        raise ValueError(f"at most {len(places)} distinct councils")
    return [f"{place} {rng.choice(KINDS)}" for place in places[:n]]


def _fill(template: str, rng: random.Random, council: str, topic: str, towns: list[str]) -> str:
    year = rng.choice((2022, 2023, 2024))
    text = template.format(
        council=council, topic=topic, T=topic[0].upper() + topic[1:], team=rng.choice(TEAMS),
        pct=rng.randint(12, 96), pct2=rng.randint(40, 90), n=rng.randint(40, 2400), small=rng.randint(3, 19),
        big=rng.randint(30, 60), money=f"{rng.randint(120, 9800) * 1000:,}", month=rng.choice(MONTHS),
        year=year, yy=(year + 1) % 100, year3=year + rng.randint(2, 5), days=rng.randint(5, 200),
        days2=rng.randint(60, 300), town=rng.choice(towns), town2=rng.choice(towns),
        partner=rng.choice(("the integrated care board", "the local NHS trust", "the police",
                            "Healthwatch", "the voluntary sector alliance", "housing providers")))
    return text


def report_text(authority: str, scores: tuple[int | None, ...], rng: random.Random) -> tuple[str, int]:
    """The report as text in the fixture layout (blank-line-separated blocks), and its median wait."""
    place = authority.split()[0]
    towns = [place] + [rng.choice(PREFIXES) + rng.choice(SUFFIXES) for _ in range(4)]
    scored = [s for s in scores if s is not None]
    pct = 100.0 * sum(scored) / (4 * len(scored))
    rating = rating_for(pct)
    published = f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.choice((2024, 2025))}"
    median = rng.randint(9, 160)
    out = [f"{authority}: local authority assessment",
           "SYNTHETIC BENCHMARK REPORT: this council does not exist; generated by scripts/synth.py.",
           f"Assessment published: {published}", f"About {authority}", "Demographics",
           f"{authority} serves an estimated {rng.randint(90, 1400) * 1000 + rng.randint(0, 999):,} residents "
           f"living in {', '.join(towns[:-1])} and {towns[-1]}. Around {rng.randint(14, 29)}.{rng.randint(0, 9)}% "
           f"of residents are aged 65 or over, and {rng.randint(2, 45)}.{rng.randint(0, 9)}% are from ethnic "
           "minority backgrounds.",
           f"The area is ranked {rng.randint(1, 153)} of 153 local authorities for deprivation, and healthy "
           f"life expectancy differs by {rng.randint(4, 18)} years between its most and least deprived wards.",
           "Financial facts",
           f"- The local authority estimated it would spend £{rng.randint(40, 900) * 100000:,} on adult social "
           f"care in 2023/24. Its actual spend was £{rng.randint(40, 900) * 100000:,}.\n"
           f"- Approximately {rng.randint(900, 16000):,} people were accessing long-term adult social care "
           "support in 2023/24.",
           "Overall summary", "Local authority rating and score", authority, rating, "Quality statement scores"]
    for (name, _, _), score in zip(STATEMENTS, scores):
        out += [name, "Not assessed" if score is None else f"Score: {score}"]
    out += ["Summary of people's experiences"]
    out += [" ".join(_fill(rng.choice(GOOD if pct >= 63 else POOR), rng, authority, topic, towns)
                     for topic in rng.sample(["support at home", "carers' assessments", "hospital discharge",
                                              "information and advice", "direct payments"], 3))
            for _ in range(3)]
    out += ["Summary of strengths, areas for development and next steps"]
    out += [" ".join(_fill(rng.choice(GOOD + POOR), rng, authority, "the council's improvement plan", towns)
                     for _ in range(4)) for _ in range(3)]
    for theme in range(1, 5):
        out += [f"Theme {theme}: {THEME_TITLES[theme - 1].format(c=authority)}",
                "This theme includes these quality statements:",
                "\n".join(f"- {name}" for name, t, _ in STATEMENTS if t == theme),
                "We may not always review all quality statements during every assessment."]
        for (name, t, subheadings), score in zip(STATEMENTS, scores):
            if t != theme:
                continue
            out.append(name)
            if score is not None:
                out += [f"Score: {score}", f"{score} - {LABELS[score]}"]
            out += ["What people expect", EXPECT[name], "The local authority commitment", COMMITMENT[name]]
            if score is None:
                out.append("This quality statement was not assessed during this assessment.")
                continue
            out.append("Key findings for this quality statement")
            pool = GOOD if score >= 3 else POOR
            for sub in subheadings:
                out.append(sub)
                topic = sub.split(",")[0].lower().removeprefix("provision of ").removeprefix("provision and impact of ")
                for p in range(rng.randint(3, 4)):
                    sentences = [_fill(rng.choice(pool if rng.random() < 0.7 else NEUTRAL + GOOD + POOR),
                                       rng, authority, topic, towns) for _ in range(rng.randint(4, 6))]
                    if sub.startswith("Timeliness") and p == 0:
                        sentences.insert(1, f"In {rng.choice(MONTHS)} 2024, {rng.randint(40, 900)} people were "
                                            "waiting for a Care Act assessment, and the median waiting time "
                                            f"was {median} days.")
                    out.append(" ".join(sentences))
    return "\n\n".join(out) + "\n", median


def make_scores(rng: random.Random) -> tuple[int | None, ...]:
    """Nine scores around a council-wide level; now and then one statement not assessed."""
    level = rng.choice((1.6, 2.2, 2.6, 3.0, 3.5))
    scores: list[int | None] = [max(1, min(4, round(level + rng.uniform(-0.8, 0.8)))) for _ in STATEMENTS]
    if rng.random() < 0.1:
        scores[rng.randrange(len(scores))] = None
    return tuple(scores)


def make_reports(folder: Path, n: int, seed: int = 0, formats: tuple[str, ...] = ("txt", "pdf", "html"),
                 first: int = 0) -> list[SyntheticReport]:
    """Write ``n`` synthetic reports into ``folder`` (formats in turn); report ``first + i`` of
    the seed's sequence, so that later calls can add reports that are new to a library."""
    rng = random.Random(seed)
    names = council_names(first + n, rng)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(first, first + n):
        r = random.Random(f"{seed}-{i}")
        authority = names[i]
        scores = make_scores(r)
        text, median = report_text(authority, scores, r)
        fmt = formats[i % len(formats)]
        stem = authority.lower().replace(" ", "-")
        path = folder / f"{stem}.{fmt}"
        if fmt == "txt":
            path.write_text(text, encoding="utf-8")
        elif fmt == "pdf":
            render_pdf(text, path, f"{authority}: local authority assessment")
        elif fmt == "html":
            render_html(text, path, f"{authority}: local authority assessment")
        else:
            raise ValueError(f"unknown format {fmt!r}; use txt, pdf or html")
        scored = [s for s in scores if s is not None]
        out.append(SyntheticReport(path, authority, fmt, rating_for(100.0 * sum(scored) / (4 * len(scored))),
                                   scores, median))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--reports", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--formats", default="txt,pdf,html")
    args = parser.parse_args(argv)
    for r in make_reports(args.outdir, args.reports, args.seed, tuple(args.formats.split(","))):
        print(f"{r.path.name}\t{r.authority}\t{r.rating}\t{r.scores}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
