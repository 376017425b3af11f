"""Recognisers for the kinds of facts answers are made of: money, numbers, dates, names, places."""

from __future__ import annotations

import re
from collections.abc import Callable

MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
          "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20}

MONEY = re.compile(r"£\s?\d[\d,]*(?:\.\d+)?\s?(?:bn|billion|m|million|k)?\b", re.I)
PERCENT = re.compile(r"\b\d+(?:\.\d+)?\s?(?:%|per ?cent)", re.I)
NUMBER = re.compile(r"\b\d[\d,]*(?:\.\d+)?\b|\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.I)
YEAR = re.compile(r"\b(?:19[5-9]\d|20[0-4]\d)(?:-\d{2}(?!\d))?\b")
DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)? (?:{MONTHS}),? \d{{4}}|(?:{MONTHS}) \d{{4}}|"
    rf"(?:spring|summer|autumn|winter) \d{{4}}|(?:19|20)\d{{2}}(?:-\d{{2}})?)\b", re.I)
YEAR_MENTION = re.compile(r"\b(?:19|20)\d{2}\b")  # any year a question or sentence names ("in 2016")
# Time relative to a source's publication date: "this week" in an article of 20 November 2024 is that
# week. RECENT_DAYS is precise enough to date an event by; RELATIVE_TIME adds the vaguer years and "next".
RECENT_DAYS = re.compile(r"\b(?:(?:earlier )?this (?:week|month)|last (?:week|month)|yesterday|today)\b", re.I)
RELATIVE_TIME = re.compile(rf"{RECENT_DAYS.pattern}|\b(?:(?:this|last|next) year|next (?:week|month))\b", re.I)
FULL_DATE = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)? (?:{MONTHS}),? \d{{4}}\b", re.I)
# Two or more capitalised words (a name or organisation) or an acronym such as DfE, ADCS, BASW.
NAME = re.compile(r"\b(?:[A-Z][a-z’'\-]+ (?:(?:of|for|and|the|de|on) )?)+[A-Z][a-z’'\-]+\b|\b[A-Z][A-Za-z]*[A-Z][A-Za-z]*\b")
PLACE_HINT = re.compile(r"\b(?:council|councils|borough|county|city|region|area|areas|authorit(?:y|ies))\b", re.I)
# "Dorset, Lincolnshire and Wolverhampton", "Action for Children, Barnardo’s, the NSPCC and…": three or more names.
_LISTED_NAME = r"(?:the )?[A-Z][\w’'\-]+(?: (?:(?:of|for|and the) )?[A-Z][\w’'\-]+)*(?: \([A-Z]+\))?"
NAME_LIST = re.compile(rf"\b{_LISTED_NAME}(?:, {_LISTED_NAME})+,? and (?:the )?[A-Z]")
DEFINES = re.compile(r"\b(?:involves?|involving|designed to|refers? to|means|(?:is|are) (?:a|an|the)\b|provides?|"
                     r"would (?:take over|be|provide)|consists? of|comprises?|known as|merger of|a form of)\b", re.I)
LIST_CUE = re.compile(r"\b(?:what (?:are|were) the|which (?:\w+ ){0,2}(?:are|were|will|would|did|is|does|do|has|have)|list|"
                      r"three|four|five|six|aims|areas|outcomes|priorities|models|pledges|measures|proposals|"
                      r"organisations|members|envisage|make up|made up of|consists? of|comprises?)\b", re.I)
DEFINING = re.compile(r"\b(?:is|are|was|were|means|involves?|refers? to|designed to|aims? to|"
                      r"would|consists? of|comprises?|provides?|known as|defined)\b", re.I)
# "How has … developed", "across", "since": questions whose answer spans several sources and dates.
SYNTHESIS_CUE = re.compile(r"\b(?:how (?:has|have|did) .{0,60}(?:developed|changed|evolved)|across|since|"
                           r"compare|comparison|over time|both|each|recurring|what happened)\b", re.I)
SAYS = re.compile(r"\b(?:says?|said|argues?|argued|told|warns?|warned|believes?|thinks?|added|welcomed|"
                  r"criticised|according to)\b|[“”]")
REASON = re.compile(r"\b(?:because|concerns?|concerned|worr(?:y|ied|ies)|warn(?:ed|s|ing)?|risks?|"
                    r"criticis(?:ed|m|es)|misgivings|reservations|fear|due to|as a result|dangerous)\b", re.I)


_OPEN_YEAR = re.compile(r"\b(since|after|before)\s+((?:19|20)\d{2})\b", re.I)


def years_in_scope(question: str) -> Callable[[str], bool] | None:
    """Which publication years a question asks about: the years it names ("in 2016"), every year from
    one on ("since 2023", "after 2023") or before one ("before 2020"); None when it names no year.

    >>> scope = years_in_scope("What has been spent since 2023?")
    >>> scope("2023"), scope("2024"), scope("2016")
    (True, True, False)
    >>> years_in_scope("What did the 2016 vision say?")("2023"), years_in_scope("What is family help?")
    (False, None)
    """
    named = set(YEAR_MENTION.findall(question))
    if not named:
        return None
    bounds = [(word.lower(), int(year)) for word, year in _OPEN_YEAR.findall(question)]
    exact = named - {str(year) for _, year in bounds}

    def accepts(year: str) -> bool:
        if year in exact:
            return True
        number = int(year) if year.isdigit() else 0
        return any(number >= bound if word == "since" else number > bound if word == "after" else number < bound
                   for word, bound in bounds)
    return accepts


def compared_years(question: str) -> list[str]:
    """The years a question compares ("the 2016 and 2023 plans"): two or more years it names, not
    counting a bound ("since 2023") or a financial year's second half ("2025-26"); else [].

    >>> compared_years("How do the 2016 and 2023 plans differ?"), compared_years("What changed since 2023?")
    (['2016', '2023'], [])
    """
    bounds = {year for _, year in _OPEN_YEAR.findall(question)}
    years = sorted(set(YEAR_MENTION.findall(re.sub(r"(?<=\d{4})[-–/]\d{2,4}\b", "", question))) - bounds)
    return years if len(years) > 1 else []


def normalise_money(amount: str) -> str:
    """'£2 billion' -> '£2bn', '£250 million' -> '£250m', '£2,000' -> '£2000'."""
    value = amount.lower().replace(" ", "").replace(",", "")
    return value.replace("billion", "bn").replace("million", "m")


def numbers(text: str) -> set[str]:
    """Every number-like token in text, normalised (commas dropped, number words as digits)."""
    found = set()
    for match in NUMBER.finditer(text):
        token = match.group().lower().replace(",", "")
        found.add(str(NUMBER_WORDS.get(token, token)))
    return found


def has_answer_type(text: str, answer_type: str) -> bool:
    """Whether text contains the kind of thing the question asks for."""
    checks = {
        "money": lambda: bool(MONEY.search(text)),
        "number": lambda: bool(MONEY.search(text) or PERCENT.search(text) or NUMBER.search(text)),
        "date": lambda: bool(DATE.search(text) or YEAR.search(text)),
        "name": lambda: bool(NAME.search(text)),
        "organisation": lambda: bool(NAME.search(text)),
        "title": lambda: bool(TITLE.search(text)),
        "place": lambda: bool((PLACE_HINT.search(text) and NAME.search(text)) or NAME_LIST.search(text)),
        "definition": lambda: bool(DEFINING.search(text)),
        "reason": lambda: bool(REASON.search(text)),
        "opinion": lambda: bool(SAYS.search(text)),
    }
    check = checks.get(answer_type)
    return bool(check and check())


# What a question asks for, by its wording; the first match wins, so the order matters
# ("According to the Budget, when…" is a date question, "What does spending power mean?" a definition).
_ANSWER_TYPES = [(kind, re.compile(pattern)) for kind, pattern in (
    ("money", r"\bhow much\b"),
    ("number", r"\bhow many\b|\bwhat (?:proportion|percentage|share|number)\b|\brate\b|\bper cent\b"),
    ("date", r"^when\b|\bwhat year\b|\bwhat date\b|\bby when\b|\bwhen (?:did|does|will|was|is|were|would)\b|"
             r"\bhow long\b"),
    ("definition", r"\bwhat does .* mean\b|\bwhat is meant by\b|\bdefine\b"),
    ("opinion", r"\bwhat (?:do|does|did) .{0,60}\b(?:think|say|make of|feel)\b|\bview of\b|\bopinion\b|"
                r"\bhow did .{0,60}\b(?:react|respond)\b|\breaction\b"),
    ("money", r"\bcost\b|\bfunding\b|\bspend|\bbudget\b|\bmoney\b|\ballocated\b|\binvest"),
    ("place", r"\bwhich (?:councils?|areas?|local authorities|regions?|places?)\b|\bwhere\b"),
    ("organisation", r"\bwhich (?:organisations?|bodies|charities|charity|body|regulator|union|agency|department)\b|"
                     r"\bwhat (?:organisation|body|charity|regulator)\b"),
    ("title", r"\b(?:what is|what was|what's) the (?:name|title) of\b|\bwhat is .{0,60}\bcalled\b|"
              r"\bwhat was .{0,60}\bcalled\b"),
    ("name", r"^(?:who|whom)\b|\bwho (?:said|is|was|are|were|led|leads|chairs)\b|\bwhich minister\b"),
    ("reason", r"^why\b|\bwhy (?:are|is|do|did|were)\b|\bworried\b|\bconcerns?\b|\bcriticis"),
    ("definition", r"^(?:what|who) (?:is|are|was|were)\b|\bwhat does .* mean\b|\bdefine\b|\bwhat do .* do\b"),
)]


def answer_type(question: str) -> str:
    """What a question asks for: money, number, date, definition, opinion, place, organisation, title,
    name (a person), reason or general.

    >>> [answer_type(q) for q in ("Which body regulated social workers?", "What is the 2023 strategy called?",
    ...                           "According to the Budget, when would reform start?", "What does spending power mean?",
    ...                           "What does Munro think about its funding?")]
    ['organisation', 'title', 'date', 'definition', 'opinion']
    """
    q = question.lower().strip()
    return next((kind for kind, pattern in _ANSWER_TYPES if pattern.search(q)), "general")


TITLE = re.compile(r"[‘“\"'](?P<title>[A-Z][^‘’“”\"]{6,90})[’”\"']|\b(?:entitled|called|named) (?P<named>[A-Z][\w’',:\- ]{6,90})")


def counts(text: str) -> list[str]:
    """Amounts, percentages and numbers in text that are not years or the day of a date.

    >>> counts("In October 2022 a 16-strong body met on 2 May 2023; 40% came.")
    ['40%', '16', '40']
    """
    dates = [m.span() for m in (*DATE.finditer(text), *YEAR.finditer(text))]
    found = [m for m in (*MONEY.finditer(text), *PERCENT.finditer(text), *NUMBER.finditer(text))
             if not any(a <= m.start() < b for a, b in dates)]
    return [m.group() for m in found]


PERSON = re.compile(r"\b[A-Z][a-z’'\-]+(?: [A-Z][a-z’'\-]+){1,2}\b")
_FACT_FINDERS = {
    "money": lambda text: [m.group() for m in MONEY.finditer(text)],
    "number": lambda text: counts(text),
    "date": lambda text: [m.group() for m in (*DATE.finditer(text), *YEAR.finditer(text))],
    "name": lambda text: [m.group() for m in PERSON.finditer(text) if _looks_like_person(m.group())],
    "organisation": lambda text: [m.group() for m in NAME.finditer(text) if not _looks_like_person(m.group())
                                  or " " not in m.group()],
    "title": lambda text: [m.group("title") or m.group("named") for m in TITLE.finditer(text)],
    "place": lambda text: [m.group() for m in NAME_LIST.finditer(text)] + [m.group() for m in PERSON.finditer(text)],
}


_NOT_PERSON = re.compile(r"\b(?:Department|Children’s|Children's|Social|National|Local|Education|Independent|"
                         r"Review|Care|Council|Association|Government|Families|Family|Bill|Act|Work|Workers|"
                         r"Committee|Strategy|Framework|Programme|Agency|Authority|Services|Trust|England|"
                         r"Built|Homes|Stable|Wellbeing|Coalition|Group|Board|Union|Society|Foundation|The|"
                         r"Ministers?|Secretary|Government|Parliament|Office|House|Welsh|Scottish|English|British)\b")


def _looks_like_person(name: str) -> bool:
    """Two or three capitalised words that are not an organisation, policy or place (Sarah Cardell)."""
    return not _NOT_PERSON.search(name)


def new_facts(text: str, question: str, kind: str) -> list[str]:
    """Facts of the asked-for kind in text that the question itself does not already contain."""
    finder = _FACT_FINDERS.get(kind)
    if not finder:
        return []
    asked = question.lower()
    found = [fact for fact in finder(text) if fact.lower() not in asked and not _is_sentence_start(fact, text)]
    return list(dict.fromkeys(found))


def _is_sentence_start(fact: str, text: str) -> bool:
    """A single capitalised word at the start of a sentence is not a name."""
    return " " not in fact and text.lstrip().startswith(fact)
