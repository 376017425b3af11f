"""Follow-up questions: turn "Who criticised it?" into a standalone query using the conversation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from assistant.text.tokens import STOPWORDS, content_words

_PRONOUN = re.compile(r"\b(?:it|its|that|this|they|them|their|those|these|he|she|his|her|him|there|ones|one|both|the scheme|"
                      r"the plan|the model|the role|the proposal|the policy|the same)\b", re.I)
_ELLIPSIS = re.compile(r"^(?:and|but|what about|how about|and what about|what of|also)\b[\s,]*(?P<rest>.*)$", re.I)
_TAIL = re.compile(r"\b(?:for|about|on|of|to|with|in)\b(?!.*\b(?:for|about|on|of|to|with|in)\b).*$", re.I)


@dataclass
class Condensed:
    """The query to retrieve with, and notes on how it was made (empty for the rule-based default)."""

    query: str
    notes: list[str] = field(default_factory=list)


Condense = Callable[[str, "list[dict] | None"], Condensed]


def rule_based(question: str, history: list[dict] | None) -> Condensed:
    """The default condenser: standalone_query, no LLM."""
    return Condensed(standalone_query(question, history))


def user_turns(history: list[dict] | None) -> list[str]:
    """The user's earlier questions, oldest first."""
    return [turn.get("content", "") for turn in history or [] if turn.get("role") == "user" and turn.get("content")]


def standalone_query(question: str, history: list[dict] | None) -> str:
    """The query to retrieve with: the question itself, or the question completed from earlier turns:
    their topic, what the last answer was about ("its" after "Which charity…?" is the charity it named),
    and the time it gave ("by then", "the year after that")."""
    previous, answer = _last_exchange(history)
    question = _resolve_time(question, answer if _YEAR.search(answer) else previous)
    resolved = _resolve(question, previous)
    entities = [e for e in answer_entities(answer) if e.lower() not in resolved.lower()]
    if resolved != question.strip() and entities and _ASKED_WHO.match(previous) and _OWNER.search(question):
        return _add_carried(resolved, " ".join(entities[:2]))
    return resolved


def with_topic(question: str, history: list[dict] | None) -> str:
    """The question with the topic of the conversation's last question carried over, as a follow-up gets
    it, for a question that reads as standalone but finds nothing alone ("how many young people fed
    back" after "when did Care Watch hold its workshop"); '' without an earlier question.

    >>> with_topic("how many fed back", [{"role": "user", "content": "When was the Care Watch workshop?"}])
    'how many fed back (Care Watch workshop)?'
    """
    previous, _ = _last_exchange(history)
    return f"{question.strip().rstrip('?')} ({_topic(previous)})?" if previous else ""


def _last_exchange(history: list[dict] | None) -> tuple[str, str]:
    """The last question, completed from the ones before it, and the answer that followed it ('' if none)."""
    previous, answer = "", ""
    for turn in history or []:
        if turn.get("role") == "user" and turn.get("content"):
            previous, answer = _resolve(turn["content"], previous), ""
        elif turn.get("role") == "assistant":
            answer = turn.get("content") or ""
    return previous, answer


# "Which charity runs…?" then "How many had its social workers helped?": "its" is the charity the answer
# named. After other questions, or with "it"/"that" ("What did the watchdog say about it?"), the
# pronoun points at the earlier question's subject, which the topic words already carry.
_ASKED_WHO = re.compile(r"^\s*(?:who|which|what (?:organisation|body|charity|group|council))\b", re.I)
_OWNER = re.compile(r"\b(?:its|their|his|her|they|he|she)\b", re.I)


_NAMED = re.compile(r"\b(?:[A-Z][\w’'\-]+(?:\s+(?:of|for|and|the)\s+|\s+))*[A-Z][\w’'\-]+\b")
_FIRST_WORDS = re.compile(r"^\W*\w+")


def answer_entities(answer: str) -> list[str]:
    """The names an answer's first sentence gives (not its opening word unless that is a name of two or
    more words, nor the [n] markers), in order.

    >>> answer_entities("Frontline, which runs the largest programme, is five years old [1]. Later text.")
    ['Frontline']
    >>> answer_entities("The documents don't state that.")
    []
    """
    if not answer or answer.startswith(("The documents", "I answer", "Please")):
        return []
    first = re.split(r"(?<=\])\s|(?<=[.!?])\s+(?=[A-Z])", answer.strip(), maxsplit=1)[0]
    first = re.sub(r"\[\d+\]", "", first)
    names = []
    for match in _NAMED.finditer(first):
        name = match.group(0)
        if match.start() == _FIRST_WORDS.match(first).start() + (len(first) - len(first.lstrip())) and " " not in name:
            if name.lower() in STOPWORDS or name in ("The", "A", "An", "This", "It"):
                continue
        if name.lower() not in STOPWORDS:
            names.append(name)
    return list(dict.fromkeys(names))


_THEN = re.compile(r"\b(?:the (?P<unit>year|month) (?P<way>after|before) (?:that|then)|(?P<by>by|at|until) (?:then|that time))\b",
                   re.I)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def _resolve_time(question: str, answer: str) -> str:
    """ "The year after that" and "by then" as the year the last answer gave (its first year).

    >>> _resolve_time("What changes the year after that?", "From 1 April 2026 no new providers [1].")
    'What changes in 2027?'
    >>> _resolve_time("How many had it helped by then?", "It was launched in 2013 and by 2018 [1]")
    'How many had it helped by 2013?'
    """
    year = _YEAR.search(answer or "")
    match = _THEN.search(question)
    if not year or not match:
        return question
    value = int(year.group(0))
    if match.group("unit") and match.group("unit").lower() == "year":
        value += 1 if match.group("way").lower() == "after" else -1
        said = f"in {value}"
    elif match.group("by"):
        said = f"{match.group('by').lower()} {value}"
    else:
        return question
    return question[:match.start()] + said + question[match.end():]


def _add_carried(query: str, words: str) -> str:
    """The query with more words carried over, inside its final bracket."""
    carried = _CARRIED.search(query)
    if carried:
        return f"{query[:carried.start()]} ({carried.group(1)} {words})?"
    return f"{query.rstrip('?')} ({words})?"


_CARRIED = re.compile(r"\s*\(([^()]*)\)\s*\??\s*$")  # standalone_query puts earlier turns' words in a final bracket


def split_carried(query: str) -> tuple[str, str]:
    """A standalone query as the follow-up's own words and the words it carries over from earlier turns.

    >>> split_carried("And for kinship carers (support care leavers)?")
    ('And for kinship carers', 'support care leavers')
    >>> split_carried("What is family help?")
    ('What is family help?', '')
    """
    carried = _CARRIED.search(query)
    return (query[:carried.start()], carried.group(1)) if carried else (query, "")


def needs_context(question: str) -> bool:
    """A follow-up leans on the conversation: pronouns, 'and for…', or too few words of its own."""
    return bool(_PRONOUN.search(question) or _ELLIPSIS.match(question.strip()) or len(content_words(question)) < 2)


def _resolve(question: str, previous: str) -> str:
    question = question.strip()
    if not previous or not needs_context(question):
        return question
    ellipsis = _ELLIPSIS.match(question)
    if ellipsis and ellipsis.group("rest"):
        rest = ellipsis.group("rest").rstrip("?").strip()
        frame = _TAIL.sub("", previous.rstrip("?")).strip()
        if frame and frame != previous.rstrip("?") and re.match(r"^(?:for|about|on|of|to|with|in)\b", rest, re.I):
            return f"{frame} {rest}?"
        return f"{rest} ({_topic(previous)})"
    return f"{question.rstrip('?')} ({_topic(previous)})?"


def _topic(previous: str) -> str:
    """The content words of the previous standalone query, which carry its topic."""
    return " ".join(word for word in re.findall(r"[\w£%’'-]+", previous)
                    if content_words(word)) or previous


_SECOND_QUESTION = re.compile(r",?\s+and\s+(?=(?:what|which|who|how|did|does|do|when|why|is|are|was|were)\b)", re.I)


def question_parts(query: str) -> list[str]:
    """A two-part question ("What happened to X, and what replaced it?") as two standalone queries,
    the second completed from the first; any other question as itself.

    >>> question_parts("What happened to the 2016 plan to accredit social workers, and what replaced it?")
    ['What happened to the 2016 plan to accredit social workers?', 'what replaced it (happened 2016 plan accredit social workers)?']
    """
    pieces = _SECOND_QUESTION.split(query.strip(), maxsplit=1)
    if len(pieces) != 2 or len(content_words(pieces[0])) < 2:
        return [query]
    first = pieces[0].rstrip(" ,?") + "?"
    return [first, standalone_query(pieces[1], [{"role": "user", "content": first}])]
