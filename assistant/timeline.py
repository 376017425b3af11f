"""A whole-corpus reform timeline: every sentence that states a date, placed on it, with its source.

Also home to the date recognisers and the sentence cleaner that briefings share.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from assistant.models import Citation
from assistant.patterns import MONEY, YEAR
from assistant.text import content_words, is_bullet, sentence_spans, strip_bullet

_MONTHS = {"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
           "august": 8, "september": 9, "october": 10, "november": 11, "december": 12, "jan": 1, "feb": 2,
           "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "winter": 12}
_MONTH_NAMES = "|".join(sorted((name.capitalize() for name in _MONTHS), key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? ({_MONTH_NAMES})\.?,? ((?:19|20)\d\d)\b")
_MONTH_YEAR = re.compile(rf"\b({_MONTH_NAMES})\.?,? ((?:19|20)\d\d)\b")
_SEASON_YEAR = re.compile(r"\b(spring|summer|autumn|winter) (?:of )?((?:19|20)\d\d)\b", re.I)
_ACT = re.compile(r"\bAct,?\s*$")  # 'Children Act 1989' names a law, it dates no event
_URL = re.compile(r":?\s*\(?https?://\S+\)?")
_CHROME = re.compile(r"print friendly|sponsored content|most popular|newsletter|subscribe|donate|"
                     r"photo:|picture:|credit:|\]\]>|approached for comment|read more\b|click here|"
                     r"[\u3040-\u30ff\u3400-\u9fff]", re.I)
_END = re.compile(r"[.!?…][\"'”’)\]]*$|[”’\"]$")


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
        day, month, year = int(match.group(1)), _MONTHS[match.group(2).lower()], int(match.group(3))
        if 1 <= day <= 31:
            found.append((match.start(), EventDate(year, month, day)))
            taken.append(match.span())
    for match in _MONTH_YEAR.finditer(text):
        if not _inside(match.span(), taken):
            found.append((match.start(), EventDate(int(match.group(2)), _MONTHS[match.group(1).lower()])))
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


def clean_sentence(sentence: str) -> str:
    """The sentence as it should be shown: no bullet, no URL, single spaces; '' if it is page chrome."""
    text = strip_bullet(sentence) if is_bullet(sentence) else sentence.strip()
    had_url = bool(_URL.search(text))
    text = " ".join(_URL.sub("", text).split()).strip()
    if _CHROME.search(text) or len(text.split()) < 6 or text.endswith(":"):
        return ""
    if had_url and not _END.search(text):
        text += "."
    return text if _END.search(text) else ""


def content_sentences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, cleaned text) for each sentence of a passage worth quoting."""
    out = []
    for start, end in sentence_spans(text):
        cleaned = clean_sentence(text[start:end])
        if cleaned:
            out.append((start, end, cleaned))
    return out


def similar(a: str, b: str, threshold: float = 0.6) -> bool:
    """Near-duplicates: Jaccard overlap of content words above threshold."""
    left, right = set(content_words(a)), set(content_words(b))
    if not left or not right:
        return False
    return len(left & right) / len(left | right) > threshold


def make_citation(n: int, metadata: dict, chunk_id: str = "", text: str = "", start: int = 0,
                  end: int = 0) -> Citation:
    """Citation [n] of a source document, from a chunk's metadata."""
    return Citation(n=n, source_id=metadata.get("source_id", ""), title=metadata.get("title", ""),
                    publisher=metadata.get("publisher", ""), url=metadata.get("url", ""),
                    published=metadata.get("published", "") or "", text=text, chunk_id=chunk_id,
                    sentence=text[start:end], start=start, end=end)


@dataclass
class TimelineEvent:
    """One dated sentence and the source that states it."""

    date: EventDate
    text: str
    citation: Citation


@dataclass
class Timeline:
    """Dated events across the corpus, in date order, with a numbered reference list."""

    events: list[TimelineEvent] = field(default_factory=list)
    references: list[Citation] = field(default_factory=list)
    generated: str = ""
    corpus_version: str = ""

    @property
    def markdown(self) -> str:
        """The timeline grouped by year, each event cited, then the references."""
        lines = ["# Reform timeline", "",
                 f"_Generated {self.generated}; corpus version {self.corpus_version or 'unknown'}._"]
        year = None
        for event in self.events:
            if event.date.year != year:
                year = event.date.year
                lines += ["", f"## {year}", ""]
            lines.append(f"- **{event.date.label}** {event.text} [{event.citation.n}]")
        lines += ["", "## References", ""]
        lines += [f"{ref.n}. {ref.reference().split('] ', 1)[1]}" for ref in self.references]
        return "\n".join(lines) + "\n"


def build_timeline(bot) -> Timeline:
    """Every sentence across all chunks with an explicit date, sorted by that date, each cited."""
    references: dict[str, Citation] = {}
    events: list[TimelineEvent] = []
    for chunk in sorted(bot.chunks, key=lambda c: (c.metadata.get("source_id", ""), c.metadata.get("position", 0))):
        for start, end, text in content_sentences(chunk.text):
            date = event_date(text)
            if date is None or any(similar(text, other.text, 0.8) for other in events):
                continue
            citation = _source_citation(references, chunk, start, end)
            events.append(TimelineEvent(date, text, citation))
    events.sort(key=lambda e: (e.date.key, e.citation.published, e.citation.source_id))
    refs = _renumber(events)
    info = getattr(bot, "index_info", {}) or {}
    return Timeline(events, refs, dt.date.today().isoformat(), info.get("corpus_version", ""))


def _source_citation(references: dict[str, Citation], chunk, start: int, end: int) -> Citation:
    source_id = chunk.metadata.get("source_id", "")
    if source_id not in references:
        references[source_id] = make_citation(0, chunk.metadata, chunk.id, chunk.text, start, end)
    return references[source_id]


def _renumber(events: list[TimelineEvent]) -> list[Citation]:
    """Number sources in order of first appearance in the (sorted) timeline."""
    ordered: dict[str, Citation] = {}
    for event in events:
        ordered.setdefault(event.citation.source_id, event.citation)
    for n, citation in enumerate(ordered.values(), start=1):
        citation.n = n
    return list(ordered.values())
