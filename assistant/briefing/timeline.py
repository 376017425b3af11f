"""A whole-corpus reform timeline: every sentence that states a date, placed on it, with its source."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from assistant.answering.citations import make_citation
from assistant.models import Citation
from assistant.scoring import BriefingWeights
from assistant.text.dates import EventDate, event_date
from assistant.text.sentences import content_sentences
from assistant.text.similarity import similar


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


def build_timeline(bot, config: BriefingWeights = BriefingWeights()) -> Timeline:
    """Every sentence across all chunks with an explicit date, sorted by that date, each cited; one of
    sentences as similar as config.timeline_similar is kept."""
    references: dict[str, Citation] = {}
    events: list[TimelineEvent] = []
    for chunk in sorted(bot.chunks, key=lambda c: (c.metadata.get("source_id", ""), c.metadata.get("position", 0))):
        for start, end, text in content_sentences(chunk.text):
            date = event_date(text)
            if date is None or any(similar(text, other.text, config.timeline_similar) for other in events):
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
