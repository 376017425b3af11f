"""Acronyms and their long forms, read off the corpus ("the Department for Education (DfE)").

A question that says "DfE" should match a passage that says "Department for Education", and the
other way round. The pairs are found in the documents themselves, so a new corpus brings its own;
a few everyday abbreviations the articles use without spelling out are added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Iterable

import yaml

from assistant.text.tokens import content_words

# An acronym in brackets, and the long form (up to nine words) directly before it: the brackets are found
# first, and the words read back from each, so a text is not tried for a long form at every word.
_BRACKETED = re.compile(r"\s+\((?:the\s+)?([A-Z][A-Za-z]{1,6}?)(?:s|’s)?\)")
_LONG_FORM = re.compile(r"((?:[\w’'\-]+\s+){1,8}?[\w’'\-]+)$")
_LONG_FORM_CHARS = 400  # more than nine words ever take
_SMALL = {"for", "of", "and", "the", "on", "in", "to", "at"}
def everyday_aliases() -> dict[str, str]:
    """Everyday abbreviations and words the documents put differently (package data, not code)."""
    text = resources.files("assistant").joinpath("data/everyday_aliases.yaml").read_text(encoding="utf-8")
    return {str(key): str(value) for key, value in (yaml.safe_load(text) or {}).items()}


EVERYDAY = everyday_aliases()


@dataclass
class Aliases:
    """acronym (lower case) -> the content words of its long form."""

    long_forms: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> "Aliases":
        pairs = {content_words(word)[0]: words for word, words in EVERYDAY.items()}
        for text in texts:
            for long_form, acronym in definitions(text):
                pairs.setdefault(acronym.lower(), long_form)
        return cls({acronym: frozenset(content_words(words)) for acronym, words in pairs.items()
                    if content_words(words)})

    def expand(self, terms: Iterable[str]) -> set[str]:
        """The terms plus the long form of each acronym in them and the acronym of each long form.

        >>> sorted(Aliases({"dfe": frozenset({"depart", "educ"})}).expand({"dfe", "budget"}))
        ['budget', 'depart', 'dfe', 'educ']
        """
        found = set(terms)
        for acronym, words in self.long_forms.items():
            if acronym in found:
                found |= words
            elif words and words <= found:
                found.add(acronym)
        return found

    def canonical(self, noun: list[str]) -> str:
        """One name for a counted noun: the acronym or everyday word whose long form it is, else its
        first word ("local authorities" and "councils" are both "council").

        >>> Aliases({"council": frozenset({"local", "author"})}).canonical(["local", "author"])
        'council'
        """
        for size in (2, 1):
            words = frozenset(noun[:size])
            if len(words) == size:
                named = sorted(acronym for acronym, long_form in self.long_forms.items() if long_form == words)
                if named:
                    return named[0]
        return noun[0]

    def extra(self, terms: Iterable[str]) -> list[str]:
        """Only the terms expand() adds, in a stable order."""
        terms = set(terms)
        return sorted(self.expand(terms) - terms)


def definitions(text: str) -> list[tuple[str, str]]:
    """(long form, acronym) pairs defined in text, the long form trimmed to the words the acronym spells.

    >>> definitions("The Department for Education (DfE) set up regional care co-operatives (RCCs).")
    [('Department for Education', 'DfE'), ('regional care co-operatives', 'RCC')]
    """
    found = []
    for match in _BRACKETED.finditer(text):
        words = _LONG_FORM.search(text[max(0, match.start() - _LONG_FORM_CHARS):match.start()])
        long_form = _spelled_by(words.group(1).split(), match.group(1)) if words else ""
        if long_form:
            found.append((long_form, match.group(1)))
    return found


def _spelled_by(words: list[str], acronym: str) -> str:
    """The shortest tail of words whose initials spell the acronym."""
    letters = acronym.lower()
    for start in range(len(words) - 1, -1, -1):
        tail = words[start:]
        if tail[0].lower() in _SMALL:
            continue
        if letters in _initials(tail):
            return " ".join(tail)
    return ""


def _initials(words: list[str]) -> set[str]:
    """Ways the words can be abbreviated: with or without small words, hyphenated parts or not."""
    lowered = [word.lower() for word in words]
    significant = [word for word in lowered if word not in _SMALL]
    found = set()
    for chosen in (lowered, significant):
        found.add("".join(word[0] for word in chosen))
        found.add("".join(part[0] for word in chosen for part in word.split("-") if part))
    return found
