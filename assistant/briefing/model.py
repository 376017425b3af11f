"""What a briefing is: sections of items, each item cited, and the references."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.briefing.export import to_markdown
from assistant.models import Citation
from assistant.scoring import SectionLimits


SECTIONS = ("Overview", "Key facts and figures", "Timeline", "Who said what",
            "Criticisms and open questions", "Questions for discussion")


def section_limits(limits: SectionLimits = SectionLimits()) -> dict[str, int]:
    """Items per section, by heading (settings.scoring.briefing.limits).

    >>> section_limits()["Timeline"]
    8
    """
    return dict(zip(SECTIONS, (limits.overview, limits.facts, limits.timeline, limits.speakers, limits.criticisms,
                               limits.questions)))


@dataclass
class Item:
    """One bullet or overview sentence: text segments, each cited to a source document."""

    segments: list[str]
    sources: list[str]  # source_id for each segment
    label: str = ""  # bold lead-in: a date or a speaker
    refs: list[int] = field(default_factory=list)  # reference numbers, set once the briefing is numbered

    def parts(self) -> list[tuple[str, int]]:
        """(text, reference number) pairs in reading order."""
        return list(zip(self.segments, self.refs))


@dataclass
class Section:
    """A heading, its items and how they are laid out ('bullets' or 'paragraph')."""

    heading: str
    items: list[Item] = field(default_factory=list)
    style: str = "bullets"
    note: str = ""  # one line instead of items when the documents have nothing on the topic for it


@dataclass
class Briefing:
    """A cited briefing: sections in order and the numbered references they cite."""

    title: str
    topic: str
    generated: str
    corpus_version: str
    sections: list[Section] = field(default_factory=list)
    references: list[Citation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # plain statements about the briefing itself

    @property
    def markdown(self) -> str:
        """The briefing as markdown (see assistant.briefing.export)."""
        return to_markdown(self)
