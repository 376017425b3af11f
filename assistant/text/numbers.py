"""TODO docstring (from assistant.patterns)"""

from __future__ import annotations

import re

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20}

MONEY = re.compile(r"£\s?\d[\d,]*(?:\.\d+)?\s?(?:bn|billion|m|million|k)?\b", re.I)
PERCENT = re.compile(r"\b\d+(?:\.\d+)?\s?(?:%|per ?cent)", re.I)
NUMBER = re.compile(r"\b\d[\d,]*(?:\.\d+)?\b|\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.I)


def normalise_money(amount: str) -> str:
    """'£2 billion' -> '£2bn', '£250 million' -> '£250m', '£2,000' -> '£2000'."""
    value = amount.lower().replace(" ", "").replace(",", "")
    return value.replace("billion", "bn").replace("million", "m")


def numbers(text: str) -> set[str]:
    """Every number-like token in text, normalised (commas dropped, number words as digits)."""
    found = set()
    for match in NUMBER.finditer(text):
        token = match.group().lower().replace(",", "")
        found.add(str(NUMBER_WORDS.get(token, token)))
    return found
