"""Dates as text states them: month names (one list for every reader), the date patterns answers use,
relative time ("this week"), and EventDate, a year, season, month or day read from a sentence."""

from __future__ import annotations

import re
import datetime as dt
from dataclasses import dataclass

from assistant.text.numbers import MONEY


# Month names and their usual short forms, with their numbers: the one list every date reader uses.
MONTH_NUMBERS = {"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
                 "august": 8, "september": 9, "october": 10, "november": 11, "december": 12, "jan": 1, "feb": 2,
                 "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11,
                 "dec": 12}
MONTH_NAMES = tuple(name.capitalize() for name in list(MONTH_NUMBERS)[:12])
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = "|".join(name.capitalize() for name in MONTH_NUMBERS)  # a regular-expression alternation
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

_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "winter": 12}
_MONTH_NAMES = "|".join(sorted((name.capitalize() for name in MONTH_NUMBERS), key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? ({_MONTH_NAMES})\.?,? ((?:19|20)\d\d)\b")
_MONTH_YEAR = re.compile(rf"\b({_MONTH_NAMES})\.?,? ((?:19|20)\d\d)\b")
_SEASON_YEAR = re.compile(r"\b(spring|summer|autumn|winter) (?:of )?((?:19|20)\d\d)\b", re.I)
_ACT = re.compile(r"\bAct,?\s*$")  # 'Families Act 1989' names a law, it dates no event


@dataclass(frozen=True)
class EventDate:
    """A date as a sentence states it: a year, a season or month of a year, or a day."""

    year: int
    month: int = 0
    day: int = 0
    season: str = ""

    @property
    def key(self) -> tuple[int, int, int]:
        """Sort key: year, month (a season sorts as its first month), day."""
        return (self.year, self.month or _SEASONS.get(self.season, 0), self.day)

    @property
    def precision(self) -> int:
        """3 for a day, 2 for a month or season, 1 for a year."""
        return 3 if self.day else 2 if (self.month or self.season) else 1

    @property
    def label(self) -> str:
        """'2016-01-14', '2016-01', 'spring 2025' or '2016'."""
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        if self.season:
            return f"{self.season} {self.year}"
        return str(self.year)


def parse_iso(published: str) -> EventDate | None:
    """EventDate from an ISO date such as '2023-02-07'; None when empty or malformed."""
    try:
        day = dt.date.fromisoformat(published)
    except (TypeError, ValueError):
        return None
    return EventDate(day.year, day.month, day.day)


def dates_in(sentence: str) -> list[tuple[int, EventDate]]:
    """Every explicit date in sentence, with its offset; money amounts are never read as years."""
    text = MONEY.sub(lambda m: " " * len(m.group()), sentence)
    found: list[tuple[int, EventDate]] = []
    taken: list[tuple[int, int]] = []
    for match in _DAY_MONTH_YEAR.finditer(text):
        day, month, year = int(match.group(1)), MONTH_NUMBERS[match.group(2).lower()], int(match.group(3))
        if 1 <= day <= 31:
            found.append((match.start(), EventDate(year, month, day)))
            taken.append(match.span())
    for match in _MONTH_YEAR.finditer(text):
        if not _inside(match.span(), taken):
            found.append((match.start(), EventDate(int(match.group(2)), MONTH_NUMBERS[match.group(1).lower()])))
            taken.append(match.span())
    for match in _SEASON_YEAR.finditer(text):
        if not _inside(match.span(), taken):
            found.append((match.start(), EventDate(int(match.group(2)), season=match.group(1).lower())))
            taken.append(match.span())
    for match in YEAR.finditer(text):
        if not _inside(match.span(), taken) and not _ACT.search(text[:match.start()]):
            found.append((match.start(), EventDate(int(match.group()[:4]))))
    return sorted(found, key=lambda item: item[0])


def _inside(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(start <= span[0] < end or start < span[1] <= end for start, end in taken)


def event_date(sentence: str) -> EventDate | None:
    """The most specific date the sentence states (the first of equals); None when it states none."""
    found = dates_in(sentence)
    if not found:
        return None
    best = max(date.precision for _, date in found)
    return next(date for _, date in found if date.precision == best)
