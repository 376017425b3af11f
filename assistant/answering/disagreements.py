"""Figures the sources state, so an answer can show where sources disagree.

A claim is a number with what it counts ("153 local authorities", "20 RCCs") or a sum with the period
it is spread over ("£2bn … over four years"). Two claims disagree when they are about the same thing
(the same counted noun, or the same sum), come from different sources and give different figures, and
their sentences are about the same subject: the figures are within 2% of each other (152 and 153
councils: one quantity stated twice), or within a tenth and the sentences share some words, or the
sentences share most of their words (these shares are `settings.scoring.disagreement`). Nothing here knows
a subject: the counted nouns, acronyms and long forms are read from the text (``assistant.retrieval.aliases``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

from assistant.scoring import DisagreementThresholds
from assistant.text.facts import counts
from assistant.text.numbers import NUMBER_WORDS, normalise_money
from assistant.text.sentences import sentence_spans
from assistant.text.tokens import content_words

_PERIOD = re.compile(r"(£\s?\d[\d.,]*\s?(?:bn|billion|m|million))\b[^.;]{0,60}?\bover (?:the next )?"
                     r"(two|three|four|five|six|seven|eight|nine|ten|\d{1,2}) years\b", re.I)
_QUALIFIERS = ("english", "new", "more", "separate", "individual", "other", "existing")
_COUNT = re.compile(r"(?<![£\d.,])\b(\d[\d,]*|" + "|".join(NUMBER_WORDS) + r")\s+(?:(?:" + "|".join(_QUALIFIERS) +
                    r")\s+)?([A-Za-z][\w’'\-]+(?:\s+[A-Za-z][\w’'\-]+)?)", re.I)


@dataclass(frozen=True)
class Claim:
    """One stated figure: what it is about (key), its value, where it was said and the sentence's words."""

    key: str
    value: str
    phrase: str
    chunk_id: str
    source_id: str
    start: int
    end: int
    context: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def subject(self) -> str:
        """What the figure is of, for a note: "the period of £2bn", "the number of local authorities".

        >>> claims_in("England has 153 councils.")[0].subject
        'the number of councils'
        """
        if self.key.startswith("period of "):
            return f"the {self.key}"
        return "the number of " + re.sub(r"^\S+\s+", "", self.phrase)


def claims_in(text: str, chunk_id: str = "", source_id: str = "",
              canonical: Callable[[list[str]], str] | None = None) -> list[Claim]:
    """Every counted figure and money period stated in text, with its sentence offsets. `canonical`
    maps a counted noun to one name for the thing (so "local authorities" and "councils" can be one key).

    >>> [(c.key, c.value) for c in claims_in("It compared 20 RCCs with 152 councils. £2bn over four years.")]
    [('rcc', '20'), ('council', '152'), ('period of £2bn', '4 years')]
    """
    canonical = canonical or (lambda noun: noun[0])
    found = []
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        context = frozenset(t for t in content_words(sentence) if not any(ch.isdigit() for ch in t))
        periods = list(_PERIOD.finditer(sentence))
        for match in periods:
            years = match.group(2).lower()
            value = f"{NUMBER_WORDS.get(years, years)} years"
            found.append(Claim(f"period of {normalise_money(match.group(1))}", value, match.group(0), chunk_id,
                               source_id, start, end, context))
        for match in _COUNT.finditer(sentence):
            value = _number(match.group(1))
            noun = content_words(match.group(2))
            if value is None or value < 2 or not noun or any(p.start() <= match.start() < p.end() for p in periods):
                continue
            if not counts(match.group(0)) or _is_year(match.group(1)):
                continue
            two = len(noun) > 1 and canonical(noun[:2]) != canonical(noun[:1])  # "local authorities"
            phrase = " ".join(match.group(0).split()[:3 if two else 2])
            if phrase.split()[1].lower() in _QUALIFIERS:
                phrase = " ".join(match.group(0).split()[:4 if two else 3])
            found.append(Claim(canonical(noun[:2] if two else noun[:1]), str(value), phrase, chunk_id, source_id,
                               start, end, context))
    return found


def source_label(publisher: str, published: str | None) -> str:
    """Who states a figure, and when: 'Example News (2024-10-31)'."""
    return f"{publisher} ({published or 'undated'})"


def sources_differ(subject: str, sides: list[tuple[str, str, str]]) -> list[str]:
    """The 'Sources differ' note as segments, one per side (source label, the figure as stated, its
    reference or ''); answers join them with '; ', briefings show them as one item.

    >>> sources_differ("councils in England", [("A (2024)", "152 councils", " [1]"), ("B (2023)", "153 councils", "")])
    ['Sources differ on councils in England: A (2024) gives “152 councils” [1]', 'B (2023) gives “153 councils”']
    """
    segments = [f"{label} gives “{phrase}”{reference}" for label, phrase, reference in sides]
    return [f"Sources differ on {subject}: {segments[0]}", *segments[1:]] if segments else []


def _number(token: str) -> int | None:
    token = token.lower().replace(",", "")
    if token in NUMBER_WORDS:
        return NUMBER_WORDS[token]
    return int(token) if token.isdigit() else None


def _is_year(token: str) -> bool:
    return token.isdigit() and len(token) == 4 and token[:2] in ("19", "20")


class ClaimIndex:
    """Claims by key, over a set of passages (the retrieved ones, or any others); which figures are rivals
    is decided by `thresholds` (settings.scoring.disagreement)."""

    def __init__(self, chunks: Iterable = (), canonical: Callable[[list[str]], str] | None = None,
                 thresholds: DisagreementThresholds = DisagreementThresholds()):
        self.canonical = canonical
        self.thresholds = thresholds
        self.by_key: dict[str, list[Claim]] = {}
        for chunk in chunks:
            chunk_id = getattr(chunk, "chunk_id", None) or getattr(chunk, "id", "")
            source = chunk.metadata.get("source_id", "")
            for claim in claims_in(chunk.text, chunk_id, source, canonical):
                self.by_key.setdefault(claim.key, []).append(claim)

    def conflicts(self, claim: Claim) -> list[Claim]:
        """Claims on the same thing with another figure, from other sources, about the same subject
        (one per value and source)."""
        seen, out = set(), []
        for other in self.by_key.get(claim.key, []):
            marker = (other.value, other.source_id)
            if (other.value != claim.value and other.source_id != claim.source_id and marker not in seen
                    and rivals(claim, other, self.thresholds)):
                seen.add(marker)
                out.append(other)
        return out


def rivals(a: Claim, b: Claim, thresholds: DisagreementThresholds = DisagreementThresholds()) -> bool:
    """Two figures for one thing: a sum's period (the sum is the subject), figures within a tenth of each
    other in sentences with some words in common, or any figures in sentences with most words in common
    (the shares are `thresholds`)."""
    overlap = len(a.context & b.context) / (len(a.context | b.context) or 1)
    if a.key.startswith("period of "):
        return True
    t = thresholds
    return (_near(a.value, b.value, t.very_near) or (_near(a.value, b.value, t.near) and overlap >= t.some_subject)
            or overlap >= t.same_subject)


def _near(a: str, b: str, share: float) -> bool:
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return abs(x - y) <= share * max(abs(x), abs(y))
