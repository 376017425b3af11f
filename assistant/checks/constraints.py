"""What a question pins down, so an answer that misses it says "not stated" instead of answering wrongly.

"How much are councils paying per week…" wants an amount per week; "Which minister…" wants a person;
"How many secure children's homes…" wants a count of secure children's homes. A sentence that holds
an amount, but per year, or a count, but of something else, is not an answer: it is the closest the
documents come, and the answer says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from assistant.checks.scope import spelled_out
from assistant.scoring import ConstraintWindows
from assistant.text.facts import counts
from assistant.text.names import PERSON, _looks_like_person
from assistant.text.tokens import STOPWORDS, content_words

# A rate: per hour / a week / weekly / each year… Forms of one unit are one constraint.
_UNITS = {
    "hour": r"(?:per|an|a|each|every) hour|hourly",
    "day": r"(?:per|a|each|every) day|daily",
    "week": r"(?:per|a|each|every) week|weekly",
    "month": r"(?:per|a|each|every) month|monthly",
    "year": r"(?:per|a|each|every) year|yearly|annual(?:ly)?|per annum|a year",
}
# "a year" is a rate, but not as a span of time ("within a year", "for a year", "over a year", "more than a year").
_SPAN_BEFORE = "".join(rf"(?<!\b{word} )" for word in ("within", "for", "in", "over", "after", "than",
                                                        "half", "about", "nearly", "almost", "least"))
_RATE = re.compile(rf"\b(?:per|each|every|{_SPAN_BEFORE}an?) (hour|day|week|month|year)\b|\b(hourly|daily|weekly|monthly|"
                   r"yearly|annually|per annum)\b", re.I)
_UNIT_OF = {"hourly": "hour", "daily": "day", "weekly": "week", "monthly": "month", "yearly": "year",
            "annually": "year", "per annum": "year"}
_ROLE = (r"(?:minister|secretary(?: of state)?|chief executive|director|chair(?:man|woman|person)?|president|"
         r"commissioner|spokes(?:person|man|woman))")
_PERSON_ASKED = re.compile(rf"\bwhich (?:[\w’'\-]+ ){{0,3}}{_ROLE}\b|\bwho (?:is|was|were|are) (?:the )?(?:[\w’'\-]+ ){{0,3}}"
                           rf"{_ROLE}\b", re.I)
_HOW_MANY = re.compile(r"\bhow many\s+(?P<thing>(?:[\w’'\-]+\s+){0,3}?[\w’'\-]+?)\s+(?:are|were|is|was|will|would|did|do|"
                       r"does|have|has|had|could|can|in|on|at|to|of|for|with|by|from|got|gave|took|made|went|came|"
                       r"paid|won|lost|met|held|kept|left|became|\w+ed)\b", re.I)


def _as_is(terms: set[str]) -> set[str]:
    return terms


@dataclass(frozen=True)
class Evidence:
    """A sentence as a constraint reads it: its text, its words, and the words around it (its passage,
    title and section), both with acronyms and long forms added."""

    text: str
    terms: frozenset[str]
    around: frozenset[str]
    expand: Callable[[set[str]], set[str]] = _as_is

    @classmethod
    def of(cls, text: str, context: str = "", expand: Callable[[set[str]], set[str]] = _as_is):
        """The evidence of one sentence read in its context.

        >>> sorted(Evidence.of("There are 20 RCCs.", "", lambda t: t | {"region"}).terms)
        ['20', 'rcc', 'region']
        """
        own = expand(set(content_words(text)))
        return cls(text, frozenset(own), frozenset(own | expand(set(content_words(context)))), expand)


# A question asking for a sum of money wants an amount in the answer ("£44m", "2%", "£1.3 billion").
_AMOUNT_ASKED = re.compile(r"\bhow much (?:money|funding|will|would|did|does|do|is|are|was|were|has|have|had)\b|"
                           r"\bwhat (?:\w+ ){0,2}(?:salary|salaries|wages?|pay rates?|prices?|fees?|costs?)\b|"
                           r"\bhow much .{0,40}\b(?:cost|pay|paid|spend|spent|invest|allocat|fund)", re.I)
_NOT_MONEY = re.compile(r"\bhow much (?:time|of|longer|more likely|progress|influence|evidence|say)\b", re.I)
_AMOUNT = re.compile(r"[£$€]\s?\d|\d\s?(?:%|per ?cent)|\b\d[\d,.]*\s?(?:million|billion|bn|m|k)\b|\bbillions?\b|"
                     r"\bmillions?\b|\b(?:pounds?|pence|euros?|dollars?)\b", re.I)


@dataclass(frozen=True)
class Constraint:
    """One thing the answer must contain: what it is (for the reply) and how to recognise it."""

    kind: str  # unit, person, count
    what: str  # in words, for "The documents don't state …"
    met: Callable[[Evidence], bool]


def constraints_of(question: str, windows: ConstraintWindows = ConstraintWindows(),
                   known: Callable[[str], bool] | None = None) -> list[Constraint]:
    """What the question pins down: a rate (per week), a person (which minister), an amount (how much), a count
    of a thing (a number counts it within `windows`, settings.scoring.constraints). `known` says whether the
    corpus uses a word (a stem): when it never uses the word naming the thing counted, that word is the
    asker's own ("kids" where the documents say "children"; a specific word the corpus lacks is refused
    before answering), and no count of it can be looked for. A qualifier it never uses ("secure" homes)
    still has to be met.

    >>> [(c.kind, c.what) for c in constraints_of("How much are councils paying per week for a place?")]
    [('unit', 'an amount per week'), ('amount', 'the amount')]
    >>> [c.kind for c in constraints_of("What share returned within a year?")], constraints_of("Paid once a week?")[0].kind
    ([], 'unit')
    >>> [(c.kind, c.what) for c in constraints_of("How many secure children's homes are there?")]
    [('count', "the number of secure children's homes")]
    >>> [c.kind for c in constraints_of("Which Welsh Government minister is in charge?")]
    ['person']
    """
    found = []
    rate = _RATE.search(question)
    if rate:
        unit = rate.group(1).lower() if rate.group(1) else _UNIT_OF[rate.group(2).lower()]
        pattern = re.compile(rf"\b(?:{_UNITS[unit]})\b", re.I)
        found.append(Constraint("unit", f"an amount per {unit}", lambda evidence, p=pattern: bool(p.search(evidence.text))))
    if _PERSON_ASKED.search(question.strip()):
        found.append(Constraint("person", "who that is", _names_a_person))
    if _AMOUNT_ASKED.search(question) and not _NOT_MONEY.search(question):
        found.append(Constraint("amount", "the amount", lambda evidence: bool(_AMOUNT.search(evidence.text))))
    subject = _subject_asked(question)
    if subject:
        what, terms = subject
        found.append(Constraint("subject", what, lambda evidence, ts=terms: set(ts) <= evidence.around))
    many = _HOW_MANY.search(question)
    if many:
        thing = many.group("thing").strip()
        terms = [t for t in content_words(thing) if t not in _GENERIC_COUNTED]
        judged = terms and (known is None or known(terms[-1]))
        if judged and not thing.lower().startswith("times"):  # "how many times larger" asks a ratio
            found.append(Constraint("count", f"the number of {thing}",
                                    lambda evidence, ts=tuple(terms): _counts_thing(evidence, ts, windows)))
    return found


# "What is X?" asks about X: an answer whose passages never mention X describes something else.
_SUBJECT_ASKED = re.compile(r"^what (?P<verb>is|are|was|were) (?P<article>an? |the )?(?P<subject>[^?]{2,80}?)\s*\??$",
                            re.I)
# Not a thing described but a name, a comparison or a quantity (their own checks apply), an event, a view
# ('What was X worried about', 'What was X's view of that'), or something named by a pronoun (a follow-up).
_NOT_A_SUBJECT = re.compile(r"\b(?:called|known as|named|name|difference|number|rates?|costs?|amount|proportion|"
                            r"percentage|share|total|size|happening|happened|planned|next|latest|about|views?|"
                            r"opinion|position|stance|response|reaction|worried|concerned|said|say|think|thought|"
                            r"it|that|this|these|those|they|them|its|their|his|her)\b", re.I)


# Where the words naming X end: 'for …', 'in …', or a clause placing it ('reported in …', 'set by …').
_SUBJECT_END = re.compile(r"\s+(?:\w+ed\s+(?:in|by|at|for|from|on)|for|in|under|within|according to|from|of the)\s")


def _subject_asked(question: str) -> tuple[str, tuple[str, ...]] | None:
    """What a plain 'What is X?' question asks about, in words for the reply, and the words naming X (without
    'for …' or 'in …'); None for any other question.

    >>> _subject_asked("What is the minimum wage for social workers?")
    ('what the minimum wage for social workers is', ('minimum', 'wage'))
    >>> _subject_asked("What is the 2023 strategy called?") is None
    True
    >>> _subject_asked("What was the average caseload reported in the union's survey?")[1]
    ('averag', 'caseload')
    """
    match = _SUBJECT_ASKED.match(question.strip())
    if not match or _NOT_A_SUBJECT.search(match.group("subject")):
        return None
    terms = tuple(content_words(_SUBJECT_END.split(match.group("subject"))[0]))
    subject = " ".join(match.group("subject").split())
    what = f"what {(match.group('article') or '').lower()}{subject} {match.group('verb')}"
    return (what, terms) if terms else None


# Counting these is counting anything: "how many more", "how many times" say nothing of what is counted.
# "How many members does X have" asks X's size, which a text gives as "a 16-strong body".
_GENERIC_COUNTED = {"more", "time", "other", "extra", "addit", "new", "peopl", "year", "member"}


def _names_a_person(evidence: Evidence) -> bool:
    """A person's name in the sentence, not a capitalised phrase opening it ("As Wales moves…").

    >>> _names_a_person(Evidence.of("As Wales moves on, Welsh Ministers agree.")), _names_a_person(Evidence.of("Jo Perrin wrote."))
    (False, True)
    """
    for match in PERSON.finditer(evidence.text):
        words_of = match.group().split()
        while len(words_of) >= 2:  # "Minister Janet Daby": a title before the name
            if words_of[0].lower() not in STOPWORDS and _looks_like_person(" ".join(words_of)):
                return True
            words_of = words_of[1:]
    return False


def _counts_thing(evidence: Evidence, terms: tuple[str, ...], windows: ConstraintWindows = ConstraintWindows()) -> bool:
    """A count within a few words of the thing counted (one of its words, or an acronym or long form of
    one: "40,000 of these children and their families"), the thing's last word in the sentence, and the
    rest of what the question says of the thing in the sentence or its passage.

    >>> _counts_thing(Evidence.of("There are 14 secure homes.", ""), ("secur", "home"))
    True
    >>> _counts_thing(Evidence.of("It will develop secure homes over the next four years.", ""), ("secur", "home"))
    False
    >>> _counts_thing(Evidence.of("There were 14 inspections of homes.", "unregistered"), ("secur", "home"))
    False
    """
    if not all(term in evidence.around for term in terms) or terms[-1] not in evidence.terms:
        return False
    tokens = evidence.text.split()
    numbers = [i for i, token in enumerate(tokens) if counts(token)]
    heads = [i for i in range(len(tokens)) if set(terms) & _window_terms(tokens, i, evidence, windows.neighbours)]
    return any(_counted(tokens, n, h, windows) for n in numbers for h in heads)


def _counted(tokens: list[str], number: int, head: int, windows: ConstraintWindows) -> bool:
    """A number counts a word just before it ("15 Local Authorities") or a few words after it ("RCCs –
    of which there would be 20", "contacts stood at just over 3 million"), unless it counts time ("homes
    over the next four years")."""
    if 0 < head - number <= windows.count_before:
        return True
    following = tokens[number + 1].lower().strip(".,;") if number + 1 < len(tokens) else ""
    return 0 < number - head <= windows.count_after and not _TIME_UNIT.match(following)


_TIME_UNIT = re.compile(r"^(?:years?|months?|weeks?|days?|hours?|times?|per|%)$")


def _window_terms(tokens: list[str], index: int, evidence: Evidence, neighbours: int) -> set[str]:
    """The terms of a word, read with its neighbours either side so a long form counts ("Local Authorities"
    is a council) and an acronym stands for its long form ("RCCs")."""
    return evidence.expand(set(content_words(" ".join(tokens[max(0, index - neighbours):index + neighbours + 1]))))


def spelled_acronyms(question: str, passages_text: str, known: Callable[[str], bool]) -> list[Constraint]:
    """An acronym of the question that the corpus never uses but a retrieved passage spells out ("CP" for
    "child protection", assistant.checks.scope.spelled_out) names what the question is about: an answer's
    sentences must come from a passage (its text, title or section) that says those words.

    >>> [c.what for c in spelled_acronyms("How many CP plans?", "child protection plans; child protection", lambda t: False)]
    ['this for child protection (“CP”)']
    >>> spelled_acronyms("How many CP plans?", "child protection plans; child protection", lambda t: t == "cp")
    []
    """
    found = []
    for word in dict.fromkeys(re.findall(r"\b[A-Z]{2,5}\b", question)):
        if known(content_words(word)[0]):
            continue
        long_form = spelled_out(word, passages_text)
        terms = frozenset(content_words(long_form))
        if terms:
            found.append(Constraint("named", f"this for {long_form} (“{word}”)",
                                    lambda evidence, ts=terms: ts <= evidence.around))
    return found


def unmet(constraints: list[Constraint], evidence: list[Evidence]) -> list[Constraint]:
    """The constraints that no sentence meets."""
    return [c for c in constraints if not any(c.met(item) for item in evidence)]
