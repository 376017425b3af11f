"""Hybrid retrieval: dense (Chroma) and lexical (bm25s), fused by score (or by reciprocal rank)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

import bm25s
import numpy as np

from assistant.aliases import Aliases
from assistant.models import Passage
from assistant.patterns import years_in_scope
from assistant.settings import Settings
from assistant.store import StoredChunk
from assistant.text import content_words


@dataclass
class Filters:
    """Metadata filters a user can set: publishers and a publication date range (ISO dates)."""

    publishers: list[str] = field(default_factory=list)
    date_from: str | None = None
    date_to: str | None = None
    prefer_recent: bool = False

    def accepts(self, metadata: dict) -> bool:
        if self.publishers and metadata.get("publisher") not in self.publishers:
            return False
        published = metadata.get("published") or ""
        if (self.date_from or self.date_to) and not published:
            return False
        if self.date_from and published < self.date_from:
            return False
        return not (self.date_to and published > self.date_to)

    def within_year(self, year: str) -> "Filters":
        """These filters narrowed to sources published in one year.

        >>> Filters(date_from="2016-06-01").within_year("2016").date_from, Filters().within_year("2016").date_to
        ('2016-06-01', '2016-12-31')
        """
        start, end = f"{year}-01-01", f"{year}-12-31"
        return replace(self, date_from=max(self.date_from or start, start), date_to=min(self.date_to or end, end))

    def chroma_where(self) -> dict | None:
        clauses = []
        if self.publishers:
            clauses.append({"publisher": {"$in": list(self.publishers)}})
        if self.date_from:
            clauses.append({"published_ord": {"$gte": int(self.date_from.replace("-", ""))}})
        if self.date_to:
            clauses.append({"published_ord": {"$lte": int(self.date_to.replace("-", ""))}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


ALIAS_WEIGHT = 0.5  # query expansion by acronym / long form (assistant.aliases), relative to the words asked


class LexicalIndex:
    """BM25 over the chunks (title, section and text), with the corpus vocabulary and IDF kept."""

    def __init__(self, chunks: list[StoredChunk], k1: float = 0.9, b: float = 0.4):
        self.chunks = chunks
        self.aliases = Aliases.from_texts(chunk.text for chunk in chunks)
        tokens = [content_words(_lexical_text(chunk)) for chunk in chunks]
        self.vocabulary = {token for doc in tokens for token in doc}
        # Acronyms (DfE, ADCS, RCC…) verbatim, so a question naming one the corpus never uses can be refused.
        self.vocabulary |= {word for chunk in chunks for word in re.findall(r"\b[A-Z]{2,5}\b", _lexical_text(chunk))}
        document_frequency: dict[str, int] = {}
        for doc in tokens:
            for token in set(doc):
                document_frequency[token] = document_frequency.get(token, 0) + 1
        total = max(1, len(chunks))
        self.idf = {token: math.log(1 + total / count) for token, count in document_frequency.items()}
        self.max_idf = math.log(1 + total)
        self.bm25 = bm25s.BM25(k1=k1, b=b)
        self.bm25.index(tokens or [[""]], show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk; an acronym in the query also searches, at half weight, for its
        long form and back."""
        words = content_words(query)
        scores = self._bm25(words)
        return scores + ALIAS_WEIGHT * self._bm25(self.aliases.extra(words))

    def _bm25(self, words: list[str]) -> np.ndarray:
        tokens = [token for token in words if token in self.vocabulary]
        if not tokens or not self.chunks:
            return np.zeros(len(self.chunks))
        return self.bm25.get_scores(tokens)


def fuse_scores(dense: dict[str, float], lexical: dict[str, float], dense_weight: float,
                bm25_weight: float) -> dict[str, float]:
    """bm25_weight x BM25 score / best BM25 score + dense_weight x cosine similarity, per chunk.

    A chunk missing from one list gets that list's floor: 0 for BM25, the lowest cosine seen for dense.

    >>> fuse_scores({"a": 0.5, "b": 0.3}, {"b": 8.0, "c": 4.0}, 0.2, 1.0)
    {'a': 0.1, 'b': 1.06, 'c': 0.56}
    """
    best = max(lexical.values(), default=0.0) or 1.0
    floor = min(dense.values(), default=0.0)
    return {chunk_id: round(bm25_weight * lexical.get(chunk_id, 0.0) / best
                            + dense_weight * dense.get(chunk_id, floor), 12)
            for chunk_id in sorted(set(dense) | set(lexical))}


def _names(query: str, publisher: str) -> bool:
    """Whether the query names the publisher (its name without a bracketed part, as whole words).

    >>> _names("What did Safe and Sound think?", "Safe and Sound"), _names("Is it safe?", "Safe and Sound")
    (True, False)
    """
    name = re.sub(r"\s*\(.*?\)", "", publisher).strip()
    return len(name) >= 4 and bool(re.search(rf"\b{re.escape(name)}\b", query, re.I))


def _lexical_text(chunk: StoredChunk) -> str:
    return " ".join([chunk.metadata.get("title", ""), chunk.metadata.get("section", ""), chunk.text])


class HybridRetriever:
    """Dense + BM25, fused by score (or by reciprocal rank); mode 'dense' or 'bm25' uses one."""

    def __init__(self, settings: Settings, chunks: list[StoredChunk], vector_store, embedder,
                 lexical: LexicalIndex | None = None):
        self.settings = settings
        self.chunks = chunks
        self.by_id = {chunk.id: chunk for chunk in chunks}
        self.publishers = sorted({chunk.metadata.get("publisher", "") for chunk in chunks} - {""})
        self.lexical = lexical if lexical is not None else self.build_lexical(settings, chunks)
        self.vector_store = vector_store  # assistant.store.VectorSearch over the active build
        self.embedder = embedder

    @staticmethod
    def build_lexical(settings: Settings, chunks: list[StoredChunk]) -> LexicalIndex:
        """The BM25 index for these settings (assistant.lexical_cache stores what this returns)."""
        return LexicalIndex(chunks, settings.bm25_k1, settings.bm25_b)

    def embed_query(self, query: str) -> list[float]:
        return self.embedder.get_query_embedding(query)

    def dense(self, query_embedding, filters: Filters, k: int) -> dict[str, float]:
        """chunk id -> cosine similarity for the k nearest chunks (asked of Chroma)."""
        return self.vector_store.query(query_embedding, min(k, len(self.chunks)), filters.chroma_where())

    def bm25(self, query: str, filters: Filters, k: int) -> dict[str, float]:
        scores = self.lexical.scores(query)
        order = np.argsort(-scores)
        found: dict[str, float] = {}
        for index in order:
            if scores[index] <= 0 or len(found) >= k:
                break
            chunk = self.chunks[index]
            if filters.accepts(chunk.metadata):
                found[chunk.id] = float(scores[index])
        return found

    def retrieve(self, query: str, filters: Filters | None = None, k: int | None = None,
                 query_embedding=None) -> list[Passage]:
        """The best k passages for query, fused; ties broken by id for determinism."""
        filters = filters or Filters()
        k = k or self.settings.top_k
        mode = self.settings.retrieval_mode
        dense = {}
        if mode in ("hybrid", "dense"):
            embedding = query_embedding if query_embedding is not None else self.embed_query(query)
            dense = self.dense(embedding, filters, self.settings.dense_k)
        lexical = self.bm25(query, filters, self.settings.bm25_k) if mode in ("hybrid", "bm25") else {}
        fused = self._fuse(dense, lexical)
        if filters.prefer_recent:
            fused = self._boost_recent(fused)
        fused = self._boost_years(fused, query)
        fused = self._boost_named_publishers(fused, query)
        ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
        if dense:  # passages found by BM25 alone still get their true cosine (for refusals and answer scoring)
            missing = [chunk_id for chunk_id, _ in ranked if chunk_id not in dense]
            dense = {**dense, **self.vector_store.similarities(embedding, missing)} if missing else dense
        return [self._passage(chunk_id, score, dense, lexical) for chunk_id, score in ranked
                if chunk_id in self.by_id]

    def _fuse(self, dense: dict[str, float], lexical: dict[str, float]) -> dict[str, float]:
        if self.settings.fusion == "rrf":
            return self._fuse_rrf(dense, lexical)
        return fuse_scores(dense, lexical, self.settings.dense_weight, self.settings.bm25_weight)

    def _fuse_rrf(self, dense: dict[str, float], lexical: dict[str, float]) -> dict[str, float]:
        fused: dict[str, float] = {}
        for weight, ranking in ((self.settings.dense_weight, dense), (self.settings.bm25_weight, lexical)):
            ordered = sorted(ranking.items(), key=lambda item: (-item[1], item[0]))
            for rank, (chunk_id, _) in enumerate(ordered, start=1):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (self.settings.rrf_k + rank)
        return fused

    def _boost_recent(self, fused: dict[str, float]) -> dict[str, float]:
        dates = [self.by_id[c].metadata.get("published_ord", 0) for c in fused if c in self.by_id]
        dated = [d for d in dates if d]
        if not dated:
            return fused
        low, high = min(dated), max(dated)
        span = max(1, high - low)
        return {c: s * (1.0 + 0.5 * ((self.by_id[c].metadata.get("published_ord", 0) or low) - low) / span)
                for c, s in fused.items() if c in self.by_id}

    def _boost_years(self, fused: dict[str, float], query: str) -> dict[str, float]:
        """A question that names a year ("the November 2024 reforms", "since 2023") prefers sources
        published then."""
        in_scope = years_in_scope(query)
        if in_scope is None:
            return fused
        return self._boost(fused, 1.3, lambda meta: in_scope(meta.get("published", "")[:4]))

    def _boost_named_publishers(self, fused: dict[str, float], query: str) -> dict[str, float]:
        """'What did Safe and Sound think…' prefers what Safe and Sound published."""
        named = {p for p in self.publishers if _names(query, p)}
        return self._boost(fused, 1.5, lambda meta: meta.get("publisher") in named) if named else fused

    def _boost(self, fused: dict[str, float], factor: float, prefers) -> dict[str, float]:
        """fused, with the score of each chunk whose metadata `prefers` accepts multiplied by factor."""
        return {c: s * (factor if prefers(self.by_id[c].metadata) else 1.0)
                for c, s in fused.items() if c in self.by_id}

    def _passage(self, chunk_id: str, score: float, dense: dict, lexical: dict) -> Passage:
        chunk = self.by_id[chunk_id]
        return Passage(chunk_id=chunk_id, text=chunk.text, metadata=chunk.metadata, score=score,
                       dense=dense.get(chunk_id, 0.0), lexical=lexical.get(chunk_id, 0.0))
