"""Follow-up questions: turn "Who criticised it?" into a standalone query using the conversation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from assistant.text import content_words

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
    """The query to retrieve with: the question itself, or the question completed from earlier turns."""
    previous = ""
    for turn in user_turns(history):
        previous = _resolve(turn, previous)
    return _resolve(question, previous)


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
