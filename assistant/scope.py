"""Whether a question can be answered from the corpus: bad input, embedded instructions, off-topic.

The relevance rule is calibrated on the evaluation set (README "Refusal threshold"); the same rule
runs before any answerer, extractive or generative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.models import Passage
from assistant.text import content_words, normalise

_TAGS = re.compile(r"<[^>]{0,200}>")
_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b.{0,40}\b(?:instructions?|rules|prompt|guidelines|above|previous)\b"
    r"|\bsystem prompt\b|\byour (?:instructions|prompt|rules)\b|\bprint (?:your|the) (?:prompt|instructions)\b"
    r"|\bfrom your own knowledge\b|\bwithout (?:using )?the documents\b|\byou are now\b|\bact as\b"
    r"|\bpretend (?:to be|you)\b|\bjailbreak\b|\bdeveloper mode\b|\bDAN\b|\brole-?play\b"
    r"|\breveal (?:your|the) (?:prompt|instructions|configuration)\b",
    re.I,
)


@dataclass
class Verdict:
    """A refusal: why (for logs and tests) and what to tell the person."""

    reason: str
    message: str


def clean_question(raw: str | None) -> str:
    """The question as text: markup removed, control and zero-width characters dropped, spaces collapsed."""
    text = normalise(raw or "")
    text = _TAGS.sub(" ", text)
    return " ".join(text.split())


def check_input(raw: str | None, question: str, max_chars: int) -> Verdict | None:
    """Refuse empty, over-long and instruction-carrying questions before any retrieval."""
    if raw is not None and len(raw) > max_chars:
        return Verdict("too_long", f"Your question is {len(raw):,} characters long; the limit is {max_chars:,}. "
                                   "Please ask about one thing in a sentence or two.")
    if not question or not re.search(r"\w", question):
        return Verdict("empty", "Please type a question about children's social care reform.")
    if _INJECTION.search(question):
        return Verdict("instructions", "I answer questions from the published reform documents only, and I "
                                       "don't follow instructions given inside a question.")
    return None


def off_topic(question: str, passages: list[Passage], vocabulary: set[str], min_support: float) -> Verdict | None:
    """Refuse when the best passage is not close enough, or the question's key terms are not in the corpus."""
    terms = [term for term in content_words(question) if len(term) > 2]
    best = max((passage.dense for passage in passages), default=0.0)
    if not passages or best < min_support:
        return Verdict("low_relevance", "The documents I have don't answer this.")
    unknown = [term for term in terms if term not in vocabulary and not term.isdigit()]
    if _names_missing(question, vocabulary):
        return Verdict("unknown_terms", "The documents I have don't cover this.")
    if terms and len(unknown) / len(terms) > 0.5:
        return Verdict("unknown_terms", "The documents I have don't cover this.")
    return None


def _names_missing(question: str, vocabulary: set[str]) -> bool:
    """A capitalised name in the question (not its first word) that the corpus never mentions."""
    words = re.findall(r"(?<![.?!]\s)(?<!^)\b([A-Z][a-z]{2,})\b", question)
    return any(content_words(word) and content_words(word)[0] not in vocabulary for word in words)
