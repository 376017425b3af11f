"""The one assembly point: builds the pipeline from Settings.

This is the only module that reads Settings to choose parts: the store (embedded or a `chroma run`
server), the embedder, the retriever and its build files, the answerer (extractive, or generative over
an LLM backend with the extractive one as its fallback), the follow-up condenser and the briefing
section writer. Everything else is handed its parts.
"""

from __future__ import annotations

import time

from assistant.answering.base import Answerer
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.generative import GenerativeAnswerer
from assistant.briefing.llm_writer import LLMSectionWriter
from assistant.llm.backends import LLMBackend, LlamaCppBackend, OpenAIBackend, llamacpp_model, openai_llm
from assistant.llm.transformers_backend import transformers_backend
from assistant.pipeline import Assistant
from assistant.question.condense import CondenseConfig, LLMCondenser
from assistant.question.followups import Condense, rule_based
from assistant.retrieval.build_files import load_build_files
from assistant.retrieval.dense import build_embedder, model_dir
from assistant.retrieval.fusion import HybridRetriever
from assistant.retrieval.store import IndexStore, StoredChunks, VectorSearch
from assistant.settings import Settings
from assistant.text.lexicon import Lexicon, lexicon_at


def build_assistant(settings: Settings | None = None, embedder=None) -> Assistant:
    """Load the active index (embedded or server) and build the pipeline it needs."""
    started = time.perf_counter()
    settings = settings or Settings()
    store = IndexStore(settings)
    info = store.info()
    collection = store.active(info)
    source = StoredChunks(store, collection)  # passages are read by id; the whole corpus only when asked
    files = load_build_files(settings, collection.name, source)
    retriever = HybridRetriever(settings, source, VectorSearch(collection), embedder or build_embedder(settings),
                                files.lexical)
    retriever_ready = time.perf_counter()
    llm = build_llm(settings)
    embed = retriever.embedder.get_text_embedding_batch
    extractive = build_extractive(settings, retriever)
    bot = Assistant(settings, None, retriever, llm_answerer(settings, extractive, embed=embed, backend=llm), info,
                    condense=build_condenser(settings, llm), section_writer=build_section_writer(settings, llm, embed),
                    sources=files.catalogue, lexicon=load_lexicon(settings), not_stated=extractive.not_stated)
    bot.startup_ms = {"retriever": _ms(started) - _ms(retriever_ready), "answerer": _ms(retriever_ready),
                      "total": _ms(started)}
    return bot


def build_llm(settings: Settings) -> LLMBackend | None:
    """The backend settings.llm_backend names (openai, llamacpp or transformers), or None for "none".
    Each backend's client library (llama-index, llama-cpp-python, transformers) loads only when built."""
    if settings.llm_backend == "none":
        return None
    if settings.llm_backend == "openai":
        return OpenAIBackend(openai_llm(settings, settings.llm_max_tokens), settings.llm_system_in_user)
    if settings.llm_backend == "llamacpp":
        return LlamaCppBackend(llamacpp_model(settings), settings.llm_max_tokens)
    if settings.llm_backend == "transformers":
        return transformers_backend(settings)
    raise ValueError(f"No LLM backend for llm_backend={settings.llm_backend!r}")


def build_extractive(settings: Settings, retriever: HybridRetriever) -> ExtractiveAnswerer:
    """The extractive answerer over the retriever's vocabulary: the default answerer, the generative one's
    fallback, and the one that words every "not stated" answer."""
    return ExtractiveAnswerer(settings, retriever.lexical.idf, aliases=retriever.lexical.aliases,
                              search=retriever.lexical_passages, before=retriever.passage_before)


def llm_answerer(settings: Settings, fallback: Answerer, embed=None, backend=None) -> Answerer:
    """The generative answerer over the configured backend, or `fallback` when llm_backend is "none"."""
    if settings.llm_backend == "none":
        return fallback
    return GenerativeAnswerer(backend or build_llm(settings), fallback, settings, embed=embed)


def build_condenser(settings: Settings, backend=None) -> Condense:
    """The LLM condenser for follow-ups (rule-based fallback), or the rule-based one without a backend."""
    if backend is None or not settings.llm_condense:
        return rule_based
    return LLMCondenser(backend, config=CondenseConfig(timeout_s=settings.llm_timeout_s))


def build_section_writer(settings: Settings, backend=None, embed=None) -> LLMSectionWriter | None:
    """The LLM writer of briefing prose sections, or None (extractive briefings) without a backend."""
    if backend is None or not settings.llm_briefing:
        return None
    return LLMSectionWriter(backend, embed=embed)


def load_lexicon(settings: Settings) -> Lexicon | None:
    """The embedding model's word list (see assistant.text.lexicon); None for a model without tokenizer.json."""
    path = model_dir(settings) / "tokenizer.json"
    return lexicon_at(str(path)) if path.exists() else None


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000.0
