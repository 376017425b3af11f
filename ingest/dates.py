"""Publication dates as files state them, normalised to ISO dates ("2025-01-15").

Only a full date (day, month and year) becomes a date; a month or a year alone is kept as a note by the
caller, never filled in with an invented day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from assistant.text.dates import MONTH_NUMBERS

_MONTH = "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True))
_ORDINAL = r"(?:st|nd|rd|th)?"

# Each pattern names its groups day, month (a name or a number) and year.
_FULL_DATES = [
    # ISO (also a timestamp's start) and year-first with slashes or dots (citation_date "2023/05/16")
    re.compile(r"(?<!\d)(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?!\d)"),
    re.compile(rf"\b(?P<day>\d{{1,2}}){_ORDINAL}\s+(?P<month>{_MONTH})\.?,?\s+(?P<year>\d{{4}})\b", re.I),
    re.compile(rf"\b(?P<month>{_MONTH})\.?\s+(?P<day>\d{{1,2}}){_ORDINAL},?\s+(?P<year>\d{{4}})\b", re.I),
    # Numeric dates are read day first, as written in the UK.
    re.compile(r"\b(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4}|\d{2})\b"),
]
_MONTH_YEAR = re.compile(rf"\b(?:{_MONTH})\.?,?\s+\d{{4}}\b", re.I)


@dataclass(frozen=True)
class FoundDate:
    """A date found in a string: its ISO form ("" when only a month and year are given) and where it is."""

    iso: str
    start: int
    end: int
    text: str


def find_date(text: str) -> FoundDate | None:
    """The first full date in text, else the first month-and-year (with iso "").

    >>> find_date("NSPCC, 13 March 2025 (from the address)").iso
    '2025-03-13'
    >>> find_date("Published: March 2025").iso
    ''
    """
    found = [match for pattern in _FULL_DATES for match in pattern.finditer(text or "")]
    for match in sorted(found, key=lambda m: m.start()):
        iso = _iso(match)
        if iso:
            return FoundDate(iso, match.start(), match.end(), match.group(0))
    partial = _MONTH_YEAR.search(text or "")
    if partial:
        return FoundDate("", partial.start(), partial.end(), partial.group(0))
    return None


def iso_date(text: str) -> str:
    """The first full date in text as YYYY-MM-DD, or "" when there is none.

    >>> iso_date("2024-11-18T10:00:00Z"), iso_date("5th September 2018"), iso_date("2018")
    ('2024-11-18', '2018-09-05', '')
    """
    found = find_date(text)
    return found.iso if found else ""


def _iso(match: re.Match) -> str:
    month = match.group("month")
    month_number = int(month) if month.isdigit() else MONTH_NUMBERS[month.lower()]
    year = int(match.group("year"))
    year = year + 2000 if year < 100 else year
    try:
        return dt.date(year, month_number, int(match.group("day"))).isoformat()
    except ValueError:  # 31 February, month 13: not a date
        return ""
