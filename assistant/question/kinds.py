"""What a question asks for, by its wording: the answer kind (money, number, date, duration, definition, opinion,
place, location, organisation, title, name, reason, general), list and synthesis cues, and the years it is about."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.text.dates import YEAR_MENTION

LIST_CUE = re.compile(r"\b(?:what (?:are|were) the|which (?:\w+ ){0,2}(?:are|were|will|would|did|is|does|do|has|have)|list|"
                      r"three|four|five|six|aims|areas|outcomes|priorities|models|pledges|measures|proposals|"
                      r"organisations|members|envisage|make up|made up of|consists? of|comprises?)\b", re.I)
# "How has … developed", "across", "since": questions whose answer spans several sources and dates.
SYNTHESIS_CUE = re.compile(r"\b(?:how (?:has|have|did) .{0,60}(?:developed|changed|evolved)|across|since|"
                           r"compare|comparison|over time|both|each|recurring|what happened)\b", re.I)


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


# What a question asks for, by its wording; the first match wins, so the order matters
# ("According to the Budget, when…" is a date question, "What does spending power mean?" a definition).
_ANSWER_TYPES = [(kind, re.compile(pattern)) for kind, pattern in (
    ("money", r"\bhow much\b"),
    ("number", r"\bhow many\b|\bwhat (?:proportion|percentage|share|number)\b|\brate\b|\bper cent\b"),
    ("duration", r"(?<!over )\bhow long\b(?! ago\b| a period\b)|\bfor how many (?:days|weeks|months|years)\b"),
    ("date", r"^when\b|\bwhat year\b|\bwhat date\b|\bby when\b|\bwhen (?:did|does|will|was|is|were|would)\b|"
             r"\bhow long\b|\bover (?:what|which|how long a) (?:time )?period\b|\bwhat (?:time )?period\b"),
    ("definition", r"\bwhat does .* mean\b|\bwhat is meant by\b|\bdefine\b"),
    ("opinion", r"\bwhat (?:do|does|did) .{0,60}\b(?:think|say|make of|feel)\b|\bview of\b|\bopinion\b|"
                r"\bhow did .{0,60}\b(?:react|respond)\b|\breaction\b"),
    ("title", r"\b(?:what is|what was|what's) the (?:name|title) of\b|\bwhat name\b|"
              r"\bwhat (?:is|was|are|were) .{0,60}\b(?:called|known as|named|referred to as)\b"),
    ("money", r"\bcost\b|\bfunding\b|\bspend|\bbudget\b|\bmoney\b|\ballocated\b|\binvest|\bfees?\b|\bsalar(?:y|ies)\b|\bwages?\b"),
    ("location", r"^where\b|\bwhere (?:is|are|was|were|did|does|do|will|would|can|could)\b"),
    ("place", r"\bwhich (?:councils?|areas?|local authorities|regions?|places?)\b|\bwhere\b"),
    ("organisation", r"\bwhich (?:organisations?|bodies|charities|charity|body|regulator|union|agency|department)\b|"
                     r"\bwhat (?:organisation|body|charity|regulator)\b"),
    ("name", r"^(?:who|whom)\b|\bwho (?:said|is|was|are|were|led|leads|chairs)\b|\bwhich minister\b"),
    ("reason", r"^why\b|\bwhy (?:are|is|do|did|were)\b|\bworried\b|\bconcerns?\b|\bcriticis"),
    ("change", r"\bdiffer(?:s|ed|ent|ence|ences)?\b|\bcompared? (?:with|to)\b|\bwhat (?:has |have )?changed\b|"
               r"\bwhat (?:is|was|are|were) the (?:main |biggest |key )?(?:changes?|differences?)\b"),
    ("definition", r"^(?:what|who) (?:is|are|was|were)\b|\bwhat does .* mean\b|\bdefine\b|\bwhat do .* do\b"),
)]


def answer_type(question: str) -> str:
    """What a question asks for: money, number, date, duration (how long), definition, opinion, place (which councils or areas),
    location (where something is or happened), organisation, title,
    name (a person), reason, change (how one thing differs from another, or from before) or general.

    >>> [answer_type(q) for q in ("Which body regulated social workers?", "What is the 2023 strategy called?",
    ...                           "According to the Budget, when would reform start?", "What does spending power mean?",
    ...                           "What does Munro think about its funding?")]
    ['organisation', 'title', 'date', 'definition', 'opinion']
    >>> [answer_type(q) for q in ("How long is the programme?", "How long ago was it?", "Over how long a period?")]
    ['duration', 'date', 'date']
    """
    q = question.lower().strip()
    return next((kind for kind, pattern in _ANSWER_TYPES if pattern.search(q)), "general")
