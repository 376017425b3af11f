"""Names by their shape: capitalised runs, lists of names, titles in quotation marks, and people as
opposed to organisations or policies (by the words an organisation's name is made of, not a list of names)."""

from __future__ import annotations

import functools
import re

from assistant.text.dates import MONTH_NAMES, WEEKDAYS

# Two or more capitalised words (a name or organisation) or an acronym such as DfE, ADCS, BASW.
NAME = re.compile(r"\b(?:[A-Z][a-z’'\-]+ (?:(?:of|for|and|the|de|on) )?)+[A-Z][a-z’'\-]+\b|\b[A-Z][A-Za-z]*[A-Z][A-Za-z]*\b")
PLACE_HINT = re.compile(r"\b(?:council|councils|borough|county|city|region|area|areas|authorit(?:y|ies))\b", re.I)
# Where something happened or sits: "in the House of Commons", "at Northbury Town Hall" (not a month or day).
LOCATED = re.compile(r"\b(?:in|at) (?:the )?(?!(?:" + "|".join((*MONTH_NAMES, *WEEKDAYS)) + r")\b)"
                     r"(?P<place>[A-Z][a-z’'\-]+(?: (?:(?:of|for|and|the|on) )?[A-Z][a-z’'\-]+)*)")
# "Northbury, Eastmere and Westford", "Hearth Trust, Kin Together, the NFCA and…": three or more names.
_LISTED_NAME = r"(?:the )?[A-Z][\w’'\-]+(?: (?:(?:of|for|and the) )?[A-Z][\w’'\-]+)*(?: \([A-Z]+\))?"
NAME_LIST = re.compile(rf"\b{_LISTED_NAME}(?:, {_LISTED_NAME})+,? and (?:the )?[A-Z]")


TITLE = re.compile(r"[‘“\"'](?P<title>[A-Z][^‘’“”\"]{6,90})[’”\"']|\b(?:entitled|called|named|known as) (?P<named>[A-Z][\w’',:\- ]{6,90})")
# An unquoted title is a capitalised run (small words and commas inside) right before the kind of thing it
# names ("the 2030 Hearth and Home, Built to Last strategy") or set beside it ("its plan, Kin Together First,").
_TITLE_RUN = r"[A-Z][\w’'\-]*(?:,? (?:[A-Z][\w’'\-]*|on|of|and|for|the|in|to|at|a|by|with))*"
TITLED_THINGS = ("strategy", "report", "plan", "white paper", "green paper", "paper", "review", "framework", "programme",
                 "scheme", "act", "bill", "guidance", "initiative", "policy", "fund", "campaign", "model", "project",
                 "pathway", "standards", "standard")


@functools.lru_cache(maxsize=64)
def title_beside(things: tuple[str, ...] = TITLED_THINGS) -> re.Pattern:
    """An unquoted title right before or beside one of `things` (the kinds of thing a title names)."""
    kinds = "|".join(re.escape(thing) for thing in things)
    return re.compile(rf"(?P<before>{_TITLE_RUN}) (?=(?:{kinds})\b)|\b(?:{kinds}), (?P<beside>{_TITLE_RUN})(?=,)")


PERSON = re.compile(r"\b[A-Z][a-z’'\-]+(?: [A-Z][a-z’'\-]+){1,2}\b")


_NOT_PERSON = re.compile(r"\b(?:Department|Children’s|Children's|Social|National|Local|Education|Independent|"
                         r"Review|Care|Council|Association|Government|Families|Family|Bill|Act|Work|Workers|"
                         r"Committee|Strategy|Framework|Programme|Agency|Authority|Services|Trust|England|"
                         r"Built|Homes|Stable|Wellbeing|Coalition|Group|Board|Union|Society|Foundation|The|"
                         r"Ministers?|Secretary|Government|Parliament|Office|House|Welsh|Scottish|English|British)\b")


def _looks_like_person(name: str) -> bool:
    """Two or three capitalised words that are not an organisation, policy or place (Jane Quillfeather)."""
    return not _NOT_PERSON.search(name)
