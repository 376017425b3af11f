"""Numbers and money: number words, the amount, percentage and number patterns, and one parser that reads
every quantity as (kind, value), so "£2bn" and "£2 billion" are the same sum everywhere."""

from __future__ import annotations

import re

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20}

MONEY = re.compile(r"£\s?\d[\d,]*(?:\.\d+)?\s?(?:bn|billion|m|million|k)?\b", re.I)
PERCENT = re.compile(r"\b\d+(?:\.\d+)?\s?(?:%|per ?cent)", re.I)
NUMBER = re.compile(r"\b\d[\d,]*(?:\.\d+)?\b|\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.I)


def normalise_money(amount: str) -> str:
    """One spelling of a sum, read by the same parser as every other quantity (see quantities).

    >>> [normalise_money(a) for a in ("£2 billion", "£2bn", "£250 million", "£2,000", "£1.5bn")]
    ['£2bn', '£2bn', '£250m', '£2000', '£1.5bn']
    """
    match = _QUANTITY.search(amount)
    if match is None or not match.group("cur"):
        return amount.lower().replace(" ", "").replace(",", "")
    _, value = _quantity(match)
    size, suffix = next(((size, suffix) for size, suffix in ((1e9, "bn"), (1e6, "m")) if value >= size), (1.0, ""))
    return f"{match.group('cur')}{value / size:g}{suffix}"


def numbers(text: str) -> set[str]:
    """Every number-like token in text, normalised (commas dropped, number words as digits)."""
    found = set()
    for match in NUMBER.finditer(text):
        token = match.group().lower().replace(",", "")
        found.add(str(NUMBER_WORDS.get(token, token)))
    return found

Quantity = tuple[str, float]  # (kind, value): kind is "money", "percent" or "number"

_SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9,
           "billion": 1e9, "tn": 1e12, "trillion": 1e12}
_FINANCIAL_YEAR = re.compile(r"\b((?:19|20)\d{2})\s?[-/\u2013]\s?(\d{2})\b(?!\d)")
_QUANTITY = re.compile(
    r"(?P<cur>[£$€])?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<word>thousand|million|billion|trillion)\b|(?P<abbr>bn|mn|tn|m|k|b)\b)?"
    r"(?P<pct>\s?%|\s?per\s?cent\b|\s?percent\b)?",
    re.I,
)
_NUMBER_WORD = re.compile(r"\b(" + "|".join(w for w in NUMBER_WORDS if w != "one") + r")\b", re.I)


def quantities(text: str, number_words: bool = True) -> set[Quantity]:
    """Every number in text as (kind, value): '£2bn' and '£2 billion' -> ('money', 2e9); 'four' -> 4."""
    text, found = _expand_financial_years(text)
    for match in _QUANTITY.finditer(text):
        found.add(_quantity(match))
    if number_words:
        found |= {("number", float(NUMBER_WORDS[m.group(1).lower()])) for m in _NUMBER_WORD.finditer(text)}
    return found


def supported(quantity: Quantity, evidence: set[Quantity]) -> bool:
    """Whether evidence states the quantity: money needs money, a percentage a percentage, a number any."""
    kind, value = quantity
    if kind == "number":
        return any(abs(v - value) < 1e-6 for _, v in evidence)
    return (kind, value) in evidence


def show(quantity: Quantity) -> str:
    """A short readable form of a quantity for notes."""
    kind, value = quantity
    scaled = next(((value / size, suffix) for size, suffix in ((1e9, "bn"), (1e6, "m")) if value >= size), (value, ""))
    number = f"{scaled[0]:,.2f}".rstrip("0").rstrip(".") + (scaled[1] if kind == "money" else "")
    if kind == "number":
        number = f"{value:g}" if value < 1e4 else f"{value:,.0f}"
    return {"money": f"£{number}", "percent": f"{number}%"}.get(kind, number)


def _quantity(match: re.Match) -> Quantity:
    value = float(match.group("num").replace(",", ""))
    scale = (match.group("word") or match.group("abbr") or "").lower()
    value = round(value * _SCALES.get(scale, 1.0), 4)
    if match.group("pct"):
        return ("percent", value)
    return ("money", value) if match.group("cur") else ("number", value)


def _expand_financial_years(text: str) -> tuple[str, set[Quantity]]:
    found: set[Quantity] = set()

    def expand(match: re.Match) -> str:
        first = match.group(1)
        found.update({("number", float(first)), ("number", float(first[:2] + match.group(2)))})
        return " "

    return _FINANCIAL_YEAR.sub(expand, text), found
