"""Instructions hidden in text are data, never instructions: the one place that recognises them.

Two readers with different aims share this module:
- a question that asks the assistant to act outside the documents ("from your own knowledge", "act as")
  is refused before retrieval (assistant.checks.scope);
- text on its way to or from an LLM (a passage, a condensed question, a drafted sentence) is checked for
  override phrases and chat-template markers (assistant.checks.guard, assistant.question.condense).
"""

from __future__ import annotations

import re

INSTRUCTION_IN_QUESTION = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b.{0,40}\b(?:instructions?|rules|prompt|guidelines|above|previous)\b"
    r"|\bsystem prompt\b|\byour (?:instructions|prompt|rules)\b|\bprint (?:your|the) (?:prompt|instructions)\b"
    r"|\bfrom your own knowledge\b|\bwithout (?:using )?the documents\b|\byou are now\b|\bact as\b"
    r"|\bpretend (?:to be|you)\b|\bjailbreak\b|\bdeveloper mode\b|\bDAN\b|\brole-?play\b"
    r"|\breveal (?:your|the) (?:prompt|instructions|configuration)\b",
    re.I,
)

INSTRUCTION_IN_TEXT = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.?!]{0,40}\b(?:instructions?|rules|prompts?|guidelines)\b"
    r"|\bsystem\s+(?:prompt|message|instructions?)\b|\b(?:previous|prior|above)\s+instructions?\b"
    r"|\bnew\s+instructions?\b|\byou\s+are\s+now\b|\b(?:developer|debug|god|DAN)\s+mode\b|\bjailbreak"
    r"|\bas\s+an\s+ai\b|\blanguage\s+model\b|<\|?\s*(?:im_start|im_end|system|start_of_turn|end_of_turn)",
    re.I,
)


def asks_to_leave_the_documents(question: str) -> bool:
    """Whether a question tries to instruct the assistant rather than ask it something."""
    return bool(INSTRUCTION_IN_QUESTION.search(question))


def injected(text: str) -> bool:
    """Whether text reads like an injected instruction ('ignore previous instructions', 'system prompt'...)."""
    return bool(INSTRUCTION_IN_TEXT.search(text))
