"""The facts a sentence states: whether it holds the kind of thing a question asks for (money, a date, a
name, a definition, a reason, a view), the new facts of that kind it adds, counts, and the names and
vocabulary the LLM guard checks a drafted sentence against."""

from __future__ import annotations

import functools
import re

from assistant.text.dates import DATE, YEAR
from assistant.text.names import (LOCATED, NAME, NAME_LIST, PERSON, PLACE_HINT, TITLE, TITLED_THINGS, _looks_like_person,
                                  title_beside)
from assistant.text.numbers import MONEY, NUMBER, PERCENT
from assistant.text.tokens import STOPWORDS, stem, words

# A length of time: "nine months", "18-month", "two and a half years", "a year".
DURATION = re.compile(r"\b(?:\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                      r"fifteen|eighteen|twenty|thirty|several|a few)(?: and a half)?[- ]"
                      r"(?:days?|weeks?|months?|years?|hours?|minutes?|terms?)\b", re.I)
DEFINES = re.compile(r"\b(?:involves?|involving|designed to|refers? to|means|(?:is|are) (?:a|an|the)\b|provides?|"
                     r"would (?:take over|be|provide)|consists? of|comprises?|known as|merger of|a form of)\b", re.I)
DEFINING = re.compile(r"\b(?:is|are|was|were|means|involves?|refers? to|designed to|aims? to|"
                      r"would|consists? of|comprises?|provides?|known as|defined)\b", re.I)
SAYS = re.compile(r"\b(?:says?|said|argues?|argued|told|warns?|warned|believes?|thinks?|added|welcomed|"
                  r"criticised|according to)\b|[“”]")
# A sentence saying how something differs from another or from before ("the move from … to …", "no longer").
CHANGE = re.compile(r"\b(?:chang(?:e|es|ed|ing)|differ\w*|move[sd]? (?:from|away)|moving (?:from|away)|"
                    r"shift\w* (?:from|away)|instead of|rather than|unlike|in contrast|compared (?:with|to)|replac\w+|"
                    r"no longer|used to|(?:more|less) (?:regular|frequent|often)|formerly)\b", re.I)
REASON = re.compile(r"\b(?:because|concerns?|concerned|worr(?:y|ied|ies)|warn(?:ed|s|ing)?|risks?|"
                    r"criticis(?:ed|m|es)|misgivings|reservations|fear|due to|as a result|dangerous)\b", re.I)


def has_answer_type(text: str, answer_type: str) -> bool:
    """Whether text contains the kind of thing the question asks for.

    >>> [m.group() for m in DURATION.finditer("It runs for nine months, an 18-month pilot, 2 years on.")]
    ['nine months', '18-month', '2 years']
    >>> has_answer_type("It runs for nine months.", "duration"), has_answer_type("It ran in 2024.", "duration")
    (True, False)
    """
    checks = {
        "money": lambda: bool(MONEY.search(text)),
        "number": lambda: bool(MONEY.search(text) or PERCENT.search(text) or NUMBER.search(text)),
        "date": lambda: bool(DATE.search(text) or YEAR.search(text)),
        "duration": lambda: bool(DURATION.search(text)),
        "name": lambda: bool(NAME.search(text)),
        "organisation": lambda: bool(NAME.search(text)),
        "title": lambda: bool(titles(text)),
        "place": lambda: bool((PLACE_HINT.search(text) and NAME.search(text)) or NAME_LIST.search(text)),
        "location": lambda: bool(LOCATED.search(text) or NAME_LIST.search(text)),
        "definition": lambda: bool(DEFINING.search(text)),
        "reason": lambda: bool(REASON.search(text)),
        "change": lambda: bool(CHANGE.search(text)),
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
def titles(text: str, question: str = "") -> list[str]:
    """Titles in text: quoted, after 'called', or a capitalised run beside the kind of thing it names (the
    kind the question asks about, when it names one: 'what is the strategy called' wants a strategy's).

    >>> titles("The council's 2030 Hearth and Home, Built to Last strategy and its ‘Kin First’ pledge")
    ['Kin First', 'Hearth and Home, Built to Last']
    >>> titles("The Kin Together scheme and the Hearth and Home strategy", "What is the plan's strategy called?")
    ['Hearth and Home']
    """
    quoted = [m.group("title") or m.group("named") for m in TITLE.finditer(text)]
    beside = [re.sub(r"^(?:The|A|An) ", "", m.group("before") or m.group("beside"))
              for m in title_beside(_things_asked(question)).finditer(text)]
    return quoted + [title for title in beside if " " in title]


@functools.lru_cache(maxsize=64)
def _things_asked(question: str) -> tuple[str, ...]:
    """The kinds of titled thing a question names ('strategy'), or all of them; read once per question."""
    return tuple(thing for thing in TITLED_THINGS if re.search(rf"\b{thing}\b", question.lower())) or TITLED_THINGS


# Each finder reads the sentence and the question (a title question names the kind of thing it wants).
_FACT_FINDERS = {
    "money": lambda text, _: [m.group() for m in MONEY.finditer(text)],
    "number": lambda text, _: counts(text),
    "date": lambda text, _: [m.group() for m in (*DATE.finditer(text), *YEAR.finditer(text))],
    "duration": lambda text, _: [m.group() for m in DURATION.finditer(text)],
    "name": lambda text, _: [m.group() for m in PERSON.finditer(text) if _looks_like_person(m.group())],
    "organisation": lambda text, _: [m.group() for m in NAME.finditer(text) if not _looks_like_person(m.group())
                                     or " " not in m.group()],
    "title": titles,
    "place": lambda text, _: [m.group() for m in NAME_LIST.finditer(text)] + [m.group() for m in PERSON.finditer(text)],
    "location": lambda text, _: [m.group("place") for m in LOCATED.finditer(text)] + [m.group() for m in NAME_LIST.finditer(text)],
}


def new_facts(text: str, question: str, kind: str) -> list[str]:
    """Facts of the asked-for kind in text that the question itself does not already contain."""
    finder = _FACT_FINDERS.get(kind)
    if not finder:
        return []
    asked = question.lower()
    found = [fact for fact in finder(text, question)
             if fact.lower() not in asked and not _is_sentence_start(fact, text)]
    return list(dict.fromkeys(found))


def _is_sentence_start(fact: str, text: str) -> bool:
    """A single capitalised word at the start of a sentence is not a name."""
    return " " not in fact and text.lstrip().startswith(fact)
_CAPITALISED = re.compile(r"(?<![\w’'])[A-Z][A-Za-z’'\-]*[A-Za-z]|(?<![\w’'])[A-Z](?![\w’'])")
# Words a sentence may open with that are not names: they need not appear in the passages.
OPENERS = frozenset("""however overall according additionally furthermore moreover yes no finally first
    firstly second secondly third thirdly also both instead meanwhile similarly specifically together
    while although since in under as at for from by on to with each all some many most one two three
    passage passages source sources""".split())


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


def _first_word_start(sentence: str) -> int:
    match = re.search(r"[A-Za-z]", sentence)
    return match.start() if match else 0
