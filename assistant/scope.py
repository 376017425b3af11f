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


def support(question: str, passages: list[Passage], idf: dict[str, float], default_idf: float) -> float:
    """How well the passages answer: best cosine plus half the best IDF-weighted share of query terms covered.

    Calibrated on the evaluation set: out-of-scope questions score below 0.56, answerable ones above.
    """
    terms = set(content_words(question))
    weight = sum(idf.get(term, default_idf) for term in terms) or 1.0
    dense = max((passage.dense for passage in passages), default=0.0)
    coverage = max((sum(idf.get(term, default_idf) for term in terms & set(content_words(_described(passage))))
                    / weight for passage in passages), default=0.0)
    return dense + 0.5 * coverage


def _described(passage: Passage) -> str:
    """A passage with what it is cited by: its text, its article's title and its publisher (a question
    naming "Safe and Sound" is answered by what Safe and Sound published, which rarely names itself)."""
    return " ".join([passage.text, passage.metadata.get("title", ""), passage.metadata.get("publisher", "")])


def off_topic(question: str, passages: list[Passage], vocabulary: set[str], min_support: float,
              idf: dict[str, float] | None = None) -> Verdict | None:
    """Refuse when the passages do not support an answer, or the question's key terms are not in the corpus."""
    terms = sorted({term for term in content_words(question) if len(term) > 2})
    idf = idf or {}
    score = support(question, passages, idf, max(idf.values(), default=1.0))
    if not passages or score < min_support:
        return Verdict("low_relevance", "The documents I have don't answer this.")
    unknown = [term for term in terms if term not in vocabulary and not term.isdigit() and term not in _CALENDAR_STEMS]
    if _names_missing(question, vocabulary):
        return Verdict("unknown_terms", "The documents I have don't cover this.")
    if terms and (len(unknown) / len(terms) > 0.5 or (len(unknown) >= 2 and len(unknown) / len(terms) >= 0.2)):
        return Verdict("unknown_terms", "The documents I have don't cover this.")
    return None


_CALENDAR = re.compile(r"^(?:January|February|March|April|May|June|July|August|September|October|November|"
                       r"December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)$")


_CALENDAR_STEMS = {content_words(month)[0] for month in (
    "January February March April May June July August September October November December").split()}


def _names_missing(question: str, vocabulary: set[str]) -> bool:
    """A capitalised name or acronym in the question (not its first word, not a month) the corpus never mentions."""
    words = re.findall(r"(?<![.?!]\s)(?<!^)\b([A-Z][a-z]{2,}|[A-Z]{2,5})\b", question)
    for word in words:
        if word.isupper():  # acronyms are kept verbatim in the vocabulary
            if word not in vocabulary:
                return True
        elif not _CALENDAR.match(word) and content_words(word) and content_words(word)[0] not in vocabulary:
            return True
    return False
