"""TODO docstring (from assistant.llm.facts, assistant.patterns)"""

from __future__ import annotations

import re

from assistant.text.dates import DATE, YEAR
from assistant.text.names import NAME, NAME_LIST, PERSON, PLACE_HINT, TITLE, _looks_like_person
from assistant.text.numbers import MONEY, NUMBER, NUMBER_WORDS, PERCENT
from assistant.text.tokens import STOPWORDS, stem, words

DEFINES = re.compile(r"\b(?:involves?|involving|designed to|refers? to|means|(?:is|are) (?:a|an|the)\b|provides?|"
                     r"would (?:take over|be|provide)|consists? of|comprises?|known as|merger of|a form of)\b", re.I)
DEFINING = re.compile(r"\b(?:is|are|was|were|means|involves?|refers? to|designed to|aims? to|"
                      r"would|consists? of|comprises?|provides?|known as|defined)\b", re.I)
SAYS = re.compile(r"\b(?:says?|said|argues?|argued|told|warns?|warned|believes?|thinks?|added|welcomed|"
                  r"criticised|according to)\b|[“”]")
REASON = re.compile(r"\b(?:because|concerns?|concerned|worr(?:y|ied|ies)|warn(?:ed|s|ing)?|risks?|"
                    r"criticis(?:ed|m|es)|misgivings|reservations|fear|due to|as a result|dangerous)\b", re.I)


def has_answer_type(text: str, answer_type: str) -> bool:
    """Whether text contains the kind of thing the question asks for."""
    checks = {
        "money": lambda: bool(MONEY.search(text)),
        "number": lambda: bool(MONEY.search(text) or PERCENT.search(text) or NUMBER.search(text)),
        "date": lambda: bool(DATE.search(text) or YEAR.search(text)),
        "name": lambda: bool(NAME.search(text)),
        "organisation": lambda: bool(NAME.search(text)),
        "title": lambda: bool(TITLE.search(text)),
        "place": lambda: bool((PLACE_HINT.search(text) and NAME.search(text)) or NAME_LIST.search(text)),
        "definition": lambda: bool(DEFINING.search(text)),
        "reason": lambda: bool(REASON.search(text)),
        "opinion": lambda: bool(SAYS.search(text)),
    }
    check = checks.get(answer_type)
    return bool(check and check())


def counts(text: str) -> list[str]:
    """Amounts, percentages and numbers in text that are not years or the day of a date.

    >>> counts("In October 2022 a 16-strong body met on 2 May 2023; 40% came.")
    ['40%', '16', '40']
    """
    dates = [m.span() for m in (*DATE.finditer(text), *YEAR.finditer(text))]
    found = [m for m in (*MONEY.finditer(text), *PERCENT.finditer(text), *NUMBER.finditer(text))
             if not any(a <= m.start() < b for a, b in dates)]
    return [m.group() for m in found]
_FACT_FINDERS = {
    "money": lambda text: [m.group() for m in MONEY.finditer(text)],
    "number": lambda text: counts(text),
    "date": lambda text: [m.group() for m in (*DATE.finditer(text), *YEAR.finditer(text))],
    "name": lambda text: [m.group() for m in PERSON.finditer(text) if _looks_like_person(m.group())],
    "organisation": lambda text: [m.group() for m in NAME.finditer(text) if not _looks_like_person(m.group())
                                  or " " not in m.group()],
    "title": lambda text: [m.group("title") or m.group("named") for m in TITLE.finditer(text)],
    "place": lambda text: [m.group() for m in NAME_LIST.finditer(text)] + [m.group() for m in PERSON.finditer(text)],
}


def new_facts(text: str, question: str, kind: str) -> list[str]:
    """Facts of the asked-for kind in text that the question itself does not already contain."""
    finder = _FACT_FINDERS.get(kind)
    if not finder:
        return []
    asked = question.lower()
    found = [fact for fact in finder(text) if fact.lower() not in asked and not _is_sentence_start(fact, text)]
    return list(dict.fromkeys(found))


def _is_sentence_start(fact: str, text: str) -> bool:
    """A single capitalised word at the start of a sentence is not a name."""
    return " " not in fact and text.lstrip().startswith(fact)

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
