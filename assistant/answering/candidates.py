"""A candidate sentence of the extractive answer, and what is asked, worked out once per question."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.answering.features import FACTOID, URL
from assistant.models import Passage
from assistant.text.dates import DATE
from assistant.text.sentences import is_bullet, strip_bullet
from assistant.text.similarity import jaccard
from assistant.text.tokens import word_count


@dataclass
class Candidate:
    """A sentence of a retrieved passage, with its score."""

    passage: Passage
    rank: int
    start: int
    end: int
    text: str
    score: float = 0.0
    features: dict[str, float] = field(default_factory=dict, compare=False)  # the score's terms, by feature name
    terms: set[str] = field(default_factory=set)
    alias_terms: set[str] = field(default_factory=set)  # long forms of its acronyms and back, not its own words
    heading: str = ""  # the short line it sits under ("From 1 April 2027"), shown with it when dated or a list item
    lead_in: str = ""  # a list item's lead-in sentence ("Existing providers will not be able to:")

    @property
    def scored(self) -> str:
        """The text its score is computed on: a list item under a dated heading carries the date."""
        if self.heading and DATE.search(self.heading):
            return f"{self.heading}: {strip_bullet(self.text) if is_bullet(self.text) else self.text.strip()}"
        return self.text

    @property
    def read(self) -> str:
        """The sentence as it is read and shown: under its dated heading, a list item after its lead-in."""
        if not is_bullet(self.text):
            return f"{self.heading}: {self.text.strip()}" if self.heading and DATE.search(self.heading) else self.text
        item = f"{self.lead_in} {strip_bullet(self.text)}" if self.lead_in else strip_bullet(self.text)
        return f"{self.heading}: {item}" if self.heading else item


@dataclass(frozen=True)
class Asked:
    """What the answerer reads from a query, once per request: its kind and its weighted words."""

    query: str
    kind: str  # what it asks for (assistant.question.kinds.answer_type)
    weights: dict[str, float]  # IDF of each query term (ExtractiveAnswerer.term_weights)
    query_terms: set[str]  # the terms of weights
    total: float  # their summed weight (1.0 if none)
    focus: set[str]  # the follow-up's own words, without those carried over
    years: Callable[[str], bool] | None  # the publication years it asks about, if it names any
    subject: str  # what a definition question asks about
    list_question: bool  # "what are the…"
    synthesis: bool  # "how has … developed since", "across": several sources, longer answers

    @property
    def broad(self) -> bool:
        """A non-factoid synthesis question, told in milestones."""
        return self.kind not in FACTOID and self.synthesis


def is_dated(passage: Passage) -> bool:
    return bool(passage.metadata.get("published"))


def definition_subject(question: str) -> str:
    """The thing a 'what is X?' question asks about, lower-cased ('family help').

    >>> definition_subject("What is family help?"), definition_subject("What is the ECF for social workers?")
    ('family help', 'ecf')
    """
    text = re.sub(r"^(?:what|who)\s+(?:is|are|was|were|does|do)\s+(?:an?\s+|the\s+)?", "", question.strip().lower())
    text = re.sub(r"\s+(?:mean|do|involve)\??$|\?$", "", text)
    text = re.sub(r"\s+(?:for|in|under|within|according to)\s.*$", "", text)  # "… for children's social workers"
    return text.strip(" '\"‘’“”")


def heading_line(sentence: str, max_words: int) -> str:
    """A short line (max_words or fewer) with no full stop that heads what follows it ("From 1 April 2027");
    else ""."""
    text = sentence.strip()
    if (not text or text.endswith((".", "?", "!", ":")) or word_count(text) > max_words or URL.search(text)
            or is_bullet(text)):
        return ""
    return text


def says_the_same(a: Candidate, b: Candidate, threshold: float) -> bool:
    """Whether two sentences share more than `threshold` of their words (so say the same thing)."""
    return jaccard(a.terms, b.terms) > threshold
