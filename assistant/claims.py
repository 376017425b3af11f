"""Figures the sources state, indexed so an answer can show where sources disagree.

Two kinds of claim are recognised: a count of councils ("152 councils", "153 local authorities")
and the period a sum is spread over ("£2bn ... over four years"). Same key, different value,
different source: a disagreement the answer must show with both dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.patterns import NUMBER_WORDS, normalise_money
from assistant.store import StoredChunk
from assistant.text import sentence_spans

_COUNCILS = re.compile(r"\b(1\d\d)\s+(?:English\s+)?(councils|local authorities)\b", re.I)
_PERIOD = re.compile(r"(£\s?\d[\d.,]*\s?(?:bn|billion|m|million))\b[^.;]{0,60}?\bover (?:the next )?"
                     r"(two|three|four|five|six|seven|eight|nine|ten|\d{1,2}) years\b", re.I)


@dataclass(frozen=True)
class Claim:
    """One stated figure: what it is about (key), its value, and where it was said."""

    key: str
    value: str
    phrase: str
    chunk_id: str
    source_id: str
    start: int
    end: int


def claims_in(text: str, chunk_id: str = "", source_id: str = "") -> list[Claim]:
    """Every count of all councils (100+) and money period stated in text, with its sentence offsets.

    >>> [c.value for c in claims_in("compared with 152 councils, improving")]
    ['152']
    """
    found = []
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        for match in _COUNCILS.finditer(sentence):
            found.append(Claim("councils in England", match.group(1), match.group(0), chunk_id, source_id, start, end))
        for match in _PERIOD.finditer(sentence):
            years = match.group(2).lower()
            value = f"{NUMBER_WORDS.get(years, years)} years"
            key = f"period of {normalise_money(match.group(1))}"
            found.append(Claim(key, value, match.group(0), chunk_id, source_id, start, end))
    return found


class ClaimIndex:
    """All claims in the corpus by key."""

    def __init__(self, chunks: list[StoredChunk]):
        self.by_key: dict[str, list[Claim]] = {}
        for chunk in chunks:
            for claim in claims_in(chunk.text, chunk.id, chunk.metadata.get("source_id", "")):
                self.by_key.setdefault(claim.key, []).append(claim)

    def conflicts(self, claim: Claim) -> list[Claim]:
        """Claims on the same key with another value, from other sources (one per value and source)."""
        seen, out = set(), []
        for other in self.by_key.get(claim.key, []):
            marker = (other.value, other.source_id)
            if other.value != claim.value and other.source_id != claim.source_id and marker not in seen:
                seen.add(marker)
                out.append(other)
        return out
