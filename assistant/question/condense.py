"""Follow-up questions rewritten by the LLM (prompts/condense.yaml) into a standalone query, checked first.

The rewrite is used only when it looks like one: a single line, not too long, keeping the follow-up's
own words and bringing in no word that is in neither the conversation nor the follow-up. Otherwise (or
when the backend fails or is slow) the rule-based query of assistant.question.followups is used, with a note.
"""

from __future__ import annotations

from importlib.resources.abc import Traversable
import re
import time
from contextlib import closing
from dataclasses import dataclass
from typing import Iterator

from assistant.checks.injection import injected
from assistant.llm.backends import LLMBackend, describe
from assistant.llm.prompts import PROMPTS_DIR, RenderedPrompt, fence, render
from assistant.question.followups import Condense, Condensed, needs_context, rule_based
from assistant.text.sentences import CITATION_MARKER
from assistant.text.tokens import content_words

_LABEL = re.compile(r"^(?:standalone question|question|rewritten question|answer)\s*:\s*", re.I)
_TAGS = re.compile(r"</?\s*question\s*>", re.I)


@dataclass(frozen=True)
class CondenseConfig:
    """Limits on the rewrite and on what of the conversation the prompt shows."""

    max_words: int = 40  # a standalone question is one sentence, not a paragraph
    max_chars: int = 400  # stop reading the reply here even without a line break
    min_kept: float = 0.5  # share of the follow-up's own content words the rewrite must keep
    turns: int = 6  # the last turns of the conversation shown to the model
    answer_chars: int = 300  # each earlier answer is clipped to this in the prompt
    timeout_s: float = 30.0  # the whole rewrite, on top of the client's own timeouts


class LLMCondenser:
    """Condense follow-ups with an LLM backend; the rule-based query whenever the rewrite is not usable."""

    def __init__(self, llm: LLMBackend, fallback: Condense = rule_based, config: CondenseConfig = CondenseConfig(),
                 prompts_dir: Traversable = PROMPTS_DIR):
        self.llm = llm
        self.fallback = fallback
        self.config = config
        self.prompts_dir = prompts_dir

    def __call__(self, question: str, history: list[dict] | None) -> Condensed:
        """The LLM's standalone query for a follow-up, or the fallback's (standalone questions skip the LLM)."""
        rule = self.fallback(question, history)
        if not history or not needs_context(question):
            return rule
        shown = conversation(history, self.config)
        prompt = self.prompt(question, shown)
        try:
            query = clean(first_line(self.llm.stream(prompt.system, prompt.user), self.config))
        except Exception as exc:  # the backend is optional: any failure means the rule-based query
            return Condensed(rule.query, [*rule.notes, f"condense: LLM backend unreachable ({describe(exc)}); "
                                                        "rule-based query used"])
        problem = check_rewrite(query, question, shown, self.config)
        if problem:
            return Condensed(rule.query, [*rule.notes, f"condense: LLM rewrite rejected ({problem}); "
                                                        "rule-based query used"])
        return Condensed(query, [f"condense: LLM rewrote the follow-up as: {query}"])

    def prompt(self, question: str, shown: str) -> RenderedPrompt:
        """prompts/condense.yaml with the fenced conversation and follow-up."""
        return render("condense", self.prompts_dir, history=shown, question=fence(question))


def conversation(history: list[dict], config: CondenseConfig = CondenseConfig()) -> str:
    """The last turns as 'user: …' / 'assistant: …' lines, answers without markers and clipped, all fenced."""
    lines = []
    for turn in history[-config.turns:]:
        text = " ".join(CITATION_MARKER.sub("", turn.get("content", "")).split())
        if turn.get("role") == "assistant" and len(text) > config.answer_chars:
            text = text[: config.answer_chars].rsplit(" ", 1)[0] + " …"
        if text:
            lines.append(f"{turn.get('role', 'user')}: {fence(text)}")
    return "\n".join(lines)


def first_line(deltas: Iterator[str], config: CondenseConfig = CondenseConfig()) -> str:
    """The reply's first non-empty line; stops reading (closing the stream) there, at max_chars or the deadline."""
    deadline = time.monotonic() + config.timeout_s
    text = ""
    with closing(deltas) as stream:
        for delta in stream:
            text += delta
            stripped = text.lstrip()
            if "\n" in stripped or len(stripped) >= config.max_chars:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"no rewrite within {config.timeout_s:g}s")
    return text.lstrip().split("\n", 1)[0][: config.max_chars]


def clean(line: str) -> str:
    """The rewrite without a 'Standalone question:' label, tags, quotes or surrounding spaces."""
    line = _TAGS.sub("", line).strip()
    line = _LABEL.sub("", line).strip()
    return line.strip("\"'“”‘’* ").strip()


def check_rewrite(query: str, question: str, shown: str, config: CondenseConfig = CondenseConfig()) -> str:
    """Why the rewrite cannot be used ('' when it can): empty, too long, instruction-like, new words, or
    not keeping the follow-up's own words."""
    if not query:
        return "empty"
    if len(query.split()) > config.max_words or len(query) >= config.max_chars:
        return f"too long ({len(query.split())} words)"
    if injected(query):
        return "reads like an instruction"
    known = _stems(f"{shown} {question}")
    new = [word for word in content_words(query) if word not in known]
    if new:
        return "introduces words not in the conversation: " + ", ".join(sorted(set(new))[:5])
    own = _stems(question)
    if own and len(own & _stems(query)) < config.min_kept * len(own):
        return "drops the follow-up's own words"
    return ""


def _stems(text: str) -> set[str]:
    return set(content_words(text))  # content_words are already stemmed
