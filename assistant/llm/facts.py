"""The checkable facts of a sentence: quantities (money, percentages, numbers, years) and names."""

from __future__ import annotations

import re

from assistant.patterns import NUMBER_WORDS
from assistant.text import STOPWORDS, stem, words

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
_CAPITALISED = re.compile(r"(?<![\w’'])[A-Z][A-Za-z’'\-]*[A-Za-z]|(?<![\w’'])[A-Z](?![\w’'])")
_NUMBER_WORD = re.compile(r"\b(" + "|".join(w for w in NUMBER_WORDS if w != "one") + r")\b", re.I)
# Words a sentence may open with that are not names: they need not appear in the passages.
OPENERS = frozenset("""however overall according additionally furthermore moreover yes no finally first
    firstly second secondly third thirdly also both instead meanwhile similarly specifically together
    while although since in under as at for from by on to with each all some many most one two three
    passage passages source sources""".split())


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


def names(sentence: str) -> list[str]:
    """Capitalised words that may be names, places, organisations or months (not opening discourse words)."""
    found = []
    for index, match in enumerate(_CAPITALISED.finditer(sentence)):
        word = match.group()
        lower = word.lower()
        if lower in STOPWORDS or lower == "i":
            continue
        if index == 0 and match.start() == _first_word_start(sentence) and lower in OPENERS:
            continue
        found.append(word)
    return found


def vocabulary(text: str) -> set[str]:
    """Lower-cased, lightly stemmed words of text, for name look-ups."""
    return {stem(word) for word in words(text)} | set(words(text))


def name_in(name: str, vocab: set[str]) -> bool:
    """Whether every part of a (possibly hyphenated) capitalised word occurs in the vocabulary."""
    parts = [part for part in re.split(r"[-\u2013]", name.lower()) if part]
    return all(part in vocab or stem(part) in vocab for part in parts)


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


def _first_word_start(sentence: str) -> int:
    match = re.search(r"[A-Za-z]", sentence)
    return match.start() if match else 0
