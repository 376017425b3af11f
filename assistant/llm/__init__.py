"""Optional LLM answering: backends, prompt templates and the citation guard.

build_answerer is what the core calls; with llm_backend "none" it returns the extractive answerer unchanged.
"""

from __future__ import annotations

from assistant.answerers.base import Answerer
from assistant.settings import Settings


def build_answerer(settings: Settings, fallback: Answerer, embed=None, backend=None) -> Answerer:
    """The generative answerer over the configured backend, or `fallback` when llm_backend is "none"."""
    if settings.llm_backend == "none":
        return fallback
    from assistant.answerers.generative import GenerativeAnswerer
    from assistant.llm.backends import build_backend

    return GenerativeAnswerer(backend or build_backend(settings), fallback, settings, embed=embed)
