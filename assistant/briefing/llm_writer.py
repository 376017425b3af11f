"""Briefing sections written by the LLM (prompts/briefing_section.yaml), kept only as the citation guard allows.

Each kept sentence is tied to the one passage that supports it on its own (a briefing cites one source
per sentence). A failure, a timeout or a draft the guard rejects leaves the extractive section as it was.
"""

from __future__ import annotations

from importlib.resources.abc import Traversable
from dataclasses import dataclass, field
from typing import Sequence

from assistant.checks.guard import Embed, Evidence, GuardConfig, Kept, check_sentence, guard
from assistant.llm.backends import LLMBackend, describe
from assistant.llm.prompts import PROMPTS_DIR, RenderedPrompt, fence, format_passages, render
from assistant.models import Passage

# Prose sections. The others stay extractive: the timeline is ordered by parsed dates, key facts carry
# "Sources differ" notes from the claim index, and "who said what" attributions are not something the
# guard can check; discussion questions are not claims.
LLM_SECTIONS = ("Overview", "Criticisms and open questions")
MAX_PASSAGES = 5  # per section prompt: enough for the section, short enough for a CPU model


@dataclass
class Draft:
    """What the LLM wrote for one section: kept sentences, each with its one supporting passage."""

    heading: str
    sentences: list[tuple[str, Passage]] = field(default_factory=list)
    note: str = ""

    @property
    def usable(self) -> bool:
        return bool(self.sentences)


class LLMSectionWriter:
    """Writes the prose sections of a briefing with an LLM backend, through the citation guard."""

    def __init__(self, llm: LLMBackend, embed: Embed | None = None, config: GuardConfig = GuardConfig(),
                 prompts_dir: Traversable = PROMPTS_DIR, sections: Sequence[str] = LLM_SECTIONS):
        self.llm = llm
        self.embed = embed
        self.config = config
        self.prompts_dir = prompts_dir
        self.sections = tuple(sections)
        self.name = llm.name

    def write(self, topic: str, heading: str, passages: list[Passage], max_sentences: int) -> Draft:
        """The guarded draft of one section; not usable (with the reason in its note) when it must stay extractive."""
        passages = passages[:MAX_PASSAGES]
        prompt = self.prompt(topic, heading, passages, max_sentences)
        try:
            text = self.llm.complete(prompt.system, prompt.user)
        except Exception as exc:  # the backend is optional: any failure keeps the extractive section
            return Draft(heading, note=f"{heading}: extractive (LLM backend unreachable: {describe(exc)})")
        evidence = Evidence(passages, self.embed)
        report = guard(text, evidence, self.config)
        total = len(report.kept) + len(report.dropped)
        if report.used_fallback:
            return Draft(heading, note=f"{heading}: extractive (the citation guard kept {len(report.kept)} "
                                       f"of {total} LLM sentences)")
        kept = [(s.text, passages[n - 1]) for s in report.kept if (n := single_source(s, evidence, self.config))]
        if not kept:
            return Draft(heading, note=f"{heading}: extractive (no LLM sentence is supported by one passage)")
        return Draft(heading, kept[:max_sentences],
                     f"{heading}: written by the LLM ({self.name}); the citation guard kept {len(kept)} of {total} "
                     "sentences")

    def prompt(self, topic: str, heading: str, passages: list[Passage], max_sentences: int) -> RenderedPrompt:
        """prompts/briefing_section.yaml with the numbered, fenced passages."""
        return render("briefing_section", self.prompts_dir, passages=format_passages(passages),
                      topic=fence(topic), section=fence(heading), max_sentences=max_sentences)


def single_source(sentence: Kept, evidence: Evidence, config: GuardConfig = GuardConfig()) -> int:
    """The first passage the sentence cites that supports it on its own (0 when none does)."""
    for n in sentence.cited:
        verdict, _ = check_sentence(f"{sentence.text} [{n}]", evidence, config)
        if isinstance(verdict, Kept):
            return n
    return 0
