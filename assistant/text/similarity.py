"""How alike two texts are, and how rare a word is: one implementation each, used everywhere.

Near-duplicate sentences (answers, briefings, the timeline) are judged by the Jaccard overlap of their
content words; words are weighted by inverse document frequency (the lexical index, briefing topics).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Set

from assistant.text.tokens import content_words


def jaccard(a: Set[str], b: Set[str]) -> float:
    """Shared terms over all terms; 0.0 when either side is empty.

    >>> jaccard({"family", "help"}, {"family", "hub"})
    0.3333333333333333
    """
    return len(a & b) / len(a | b) if a and b else 0.0


def word_overlap(a: str, b: str) -> float:
    """Jaccard overlap of two texts' content words."""
    return jaccard(set(content_words(a)), set(content_words(b)))


def shares_phrase(a: str, b: str, length: int = 5) -> bool:
    """Whether two texts share a run of `length` consecutive content words: the same point made twice,
    however different the rest of the two sentences.

    >>> shares_phrase("We raised concerns about the lack of progress, data gaps and dilution in aims.",
    ...               "Highlighting concerns about the lack of progress, data gaps, and dilution in aims, it hopes…")
    True
    >>> shares_phrase("Unregistered children’s homes are illegal.", "We saw a rise in unregistered children’s homes.")
    False
    """
    def runs(text: str) -> set[tuple[str, ...]]:
        terms = content_words(text)
        return {tuple(terms[i:i + length]) for i in range(len(terms) - length + 1)}
    return bool(runs(a) & runs(b))


def similar(a: str, b: str, threshold: float = 0.6) -> bool:
    """Near-duplicates: Jaccard overlap of content words above threshold."""
    return word_overlap(a, b) > threshold


def inverse_document_frequency(documents: Iterable[Iterable[str]]) -> dict[str, float]:
    """log(1 + N / df) of each term over N documents (each an iterable of its terms).

    >>> inverse_document_frequency([["care"], ["care", "reform"]]) == {"care": math.log(2), "reform": math.log(3)}
    True
    """
    documents = list(documents)
    frequency = Counter(term for document in documents for term in set(document))
    total = max(1, len(documents))
    return {term: math.log(1 + total / count) for term, count in frequency.items()}
