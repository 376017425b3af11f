"""The answerer interface: the extractive default and any generative backend implement it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Protocol

from assistant.models import Answer, Passage


@dataclass
class AnswerRequest:
    """Everything an answerer may use: the user's words, the standalone query and the passages."""

    question: str
    query: str
    passages: list[Passage]
    history: list[dict] = field(default_factory=list)
    prefer_recent: bool = False


class Answerer(Protocol):
    """Compose an answer from passages. Refusal (not_found) is decided before an answerer is called."""

    name: str

    def answer(self, request: AnswerRequest) -> Answer:
        """The finished answer, every sentence cited with [n]."""

    def stream(self, request: AnswerRequest) -> Iterator[Answer]:
        """Partial answers as they grow; the last one yielded is the finished answer."""
