"""TODO docstring (from assistant.llm)"""

from __future__ import annotations

from assistant.answering.base import Answerer
from assistant.question.followups import Condense, rule_based
from assistant.settings import Settings



def build_llm(settings: Settings):
    """The backend settings.llm_backend names, or None for "none"."""
    if settings.llm_backend == "none":
        return None
    from assistant.llm.backends import build_backend

    return build_backend(settings)


def build_answerer(settings: Settings, fallback: Answerer, embed=None, backend=None) -> Answerer:
    """The generative answerer over the configured backend, or `fallback` when llm_backend is "none"."""
    if settings.llm_backend == "none":
        return fallback
    from assistant.answering.generative import GenerativeAnswerer

    return GenerativeAnswerer(backend or build_llm(settings), fallback, settings, embed=embed)


def build_condenser(settings: Settings, backend=None) -> Condense:
    """The LLM condenser for follow-ups (rule-based fallback), or the rule-based one without a backend."""
    if backend is None or not settings.llm_condense:
        return rule_based
    from assistant.question.condense import CondenseConfig, LLMCondenser

    return LLMCondenser(backend, config=CondenseConfig(timeout_s=settings.llm_timeout_s))


def build_section_writer(settings: Settings, backend=None, embed=None):
    """The LLM writer of briefing prose sections, or None (extractive briefings) without a backend."""
    if backend is None or not settings.llm_briefing:
        return None
    from assistant.briefing.llm_writer import LLMSectionWriter

    return LLMSectionWriter(backend, embed=embed)
