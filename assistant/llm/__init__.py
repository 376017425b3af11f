"""Optional LLM answering: backends, prompt templates and the citation guard.

The core calls the build_* functions below with one backend; with llm_backend "none" (no backend) each
returns the default unchanged: the extractive answerer, the rule-based condenser, no section writer.
"""

from __future__ import annotations

from assistant.answerers.base import Answerer
from assistant.conversation import Condense, rule_based
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
    from assistant.answerers.generative import GenerativeAnswerer

    return GenerativeAnswerer(backend or build_llm(settings), fallback, settings, embed=embed)


def build_condenser(settings: Settings, backend=None) -> Condense:
    """The LLM condenser for follow-ups (rule-based fallback), or the rule-based one without a backend."""
    if backend is None or not settings.llm_condense:
        return rule_based
    from assistant.llm.condense import CondenseConfig, LLMCondenser

    return LLMCondenser(backend, config=CondenseConfig(timeout_s=settings.llm_timeout_s))


def build_section_writer(settings: Settings, backend=None, embed=None):
    """The LLM writer of briefing prose sections, or None (extractive briefings) without a backend."""
    if backend is None or not settings.llm_briefing:
        return None
    from assistant.llm.sections import LLMSectionWriter

    return LLMSectionWriter(backend, embed=embed)
