"""Hybrid retrieval: dense (Chroma) and lexical (bm25s) scores fused linearly by default (reciprocal rank
fusion is the alternative, `fusion: rrf`), with filters by publisher and date."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Protocol
import numpy as np

from assistant.models import Passage, previous_chunk_id
from assistant.question.kinds import years_in_scope
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.store import StoredChunk
from assistant.settings import Settings


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

    >>> _names("What did Hearth and Home think?", "Hearth and Home"), _names("Is it home?", "Hearth and Home")
    (True, False)
    """
    name = re.sub(r"\s*\(.*?\)", "", publisher).strip()
    return len(name) >= 4 and bool(re.search(rf"\b{re.escape(name)}\b", query, re.I))


class ChunkSource(Protocol):
    """Where the retriever reads passages: by id for the hits of one query, or all of them at once."""

    def fetch(self, ids: list[str]) -> dict[str, StoredChunk]: ...

    def all(self) -> list[StoredChunk]: ...


class InMemoryChunks:
    """Chunks held in a list (small indexes and tests); assistant.retrieval.store.StoredChunks reads them from Chroma."""

    def __init__(self, chunks: list[StoredChunk]):
        self.chunks = chunks
        self.by_id = {chunk.id: chunk for chunk in chunks}

    def fetch(self, ids: list[str]) -> dict[str, StoredChunk]:
        return {chunk_id: self.by_id[chunk_id] for chunk_id in ids if chunk_id in self.by_id}

    def all(self) -> list[StoredChunk]:
        return self.chunks


RECENT_QUERIES = 256  # query vectors remembered (about 400 KB)


class HybridRetriever:
    """Dense + BM25, fused by score (or by reciprocal rank); mode 'dense' or 'bm25' uses one.

    Only the lexical index is held in memory; the passages of a query's candidates are fetched by id."""

    def __init__(self, settings: Settings, chunks: list[StoredChunk] | ChunkSource, vector_store, embedder,
                 lexical: LexicalIndex | None = None):
        self.settings = settings
        self.source = InMemoryChunks(chunks) if isinstance(chunks, list) else chunks
        self.lexical = lexical if lexical is not None else self.build_lexical(settings, self.source.all())
        self.publishers = self.lexical.publishers
        self.vector_store = vector_store  # assistant.retrieval.store.VectorSearch over the active build
        self.embedder = embedder
        self._recent: OrderedDict[str, tuple[float, ...]] = OrderedDict()  # the last questions' vectors
        self._recent_lock = threading.Lock()

    @property
    def chunks(self) -> list[StoredChunk]:
        """Every chunk of the index, read on first use (briefings and the timeline scan the whole corpus)."""
        return self.source.all()

    @property
    def size(self) -> int:
        """The number of chunks in the index."""
        return self.lexical.size

    @staticmethod
    def build_lexical(settings: Settings, chunks: list[StoredChunk]) -> LexicalIndex:
        """The BM25 index for these settings (assistant.retrieval.build_files saves and opens what this returns)."""
        return LexicalIndex(chunks, settings.bm25_k1, settings.bm25_b)

    def embed_query(self, query: str) -> list[float]:
        """The query's vector; the last RECENT_QUERIES are remembered (a question asked again, or retrieved
        again for another k, is embedded once)."""
        with self._recent_lock:
            vector = self._recent.get(query)
            if vector is not None:
                self._recent.move_to_end(query)
                return list(vector)
        vector = tuple(self.embedder.get_query_embedding(query))
        with self._recent_lock:
            self._recent[query] = vector
            while len(self._recent) > RECENT_QUERIES:
                self._recent.popitem(last=False)
        return list(vector)

    def dense(self, query_embedding, filters: Filters, k: int) -> dict[str, float]:
        """chunk id -> cosine similarity for the k nearest chunks (asked of Chroma), with the share of the
        index a filter passes (from the lexical index's rows) for the vector store's plan."""
        where = filters.chroma_where()
        share = float(self.lexical.row_mask(filters.publishers, filters.date_from, filters.date_to).mean()) \
            if where is not None and self.size else 0.0
        return self.vector_store.query(query_embedding, min(k, self.size), where, share)

    def passage_before(self, chunk_id: str) -> Passage | None:
        """The chunk before chunk_id in its document (ids are '<source>#<n>', n zero-padded), or None for a
        first chunk."""
        previous = previous_chunk_id(chunk_id)
        if not previous:
            return None
        found = self.source.fetch([previous]).get(previous)
        return Passage(previous, found.text, found.metadata) if found else None

    def lexical_passages(self, text: str, k: int) -> list[Passage]:
        """The k passages BM25 ranks first for text, fetched by id: no query embedding, no vector search
        (rival figures are looked up by their words, on the answer's hot path)."""
        scores = self.bm25(text, Filters(), k)
        found = self.source.fetch(list(scores))
        return [Passage(chunk_id, found[chunk_id].text, found[chunk_id].metadata, score=score, lexical=score)
                for chunk_id, score in scores.items() if chunk_id in found]

    def bm25(self, query: str, filters: Filters, k: int) -> dict[str, float]:
        scores = self.lexical.scores(query)
        # Equal scores (a passage repeated in several documents) in row order, which is id order: the same
        # rows whatever else the index holds, so a delta layered over a build ranks the build's rows as it did.
        order = np.argsort(-scores, kind="stable")
        if filters.publishers or filters.date_from or filters.date_to:  # the rows it accepts, all at once
            order = order[self.lexical.row_mask(filters.publishers, filters.date_from, filters.date_to)[order]]
        order = order[:k]
        return {self.lexical.ids[index]: float(scores[index]) for index in order[scores[order] > 0]}

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
        found = self.source.fetch(list(fused))  # the candidates' texts and metadata, in one request
        fused = {chunk_id: score for chunk_id, score in fused.items() if chunk_id in found}
        if filters.prefer_recent:
            fused = self._boost_recent(fused, found)
        fused = self._boost_years(fused, found, query)
        fused = self._boost_named_publishers(fused, found, query)
        ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
        if dense:  # passages found by BM25 alone still get their true cosine (for refusals and answer scoring)
            missing = [chunk_id for chunk_id, _ in ranked if chunk_id not in dense]
            dense = {**dense, **self.vector_store.similarities(embedding, missing)} if missing else dense
        return [self._passage(found[chunk_id], score, dense, lexical) for chunk_id, score in ranked]

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

    def _boost_recent(self, fused: dict[str, float], found: dict[str, StoredChunk]) -> dict[str, float]:
        dates = [found[c].metadata.get("published_ord", 0) for c in fused]
        dated = [d for d in dates if d]
        if not dated:
            return fused
        low, high = min(dated), max(dated)
        span = max(1, high - low)
        recency = self.settings.scoring.retrieval.recency
        return {c: s * (1.0 + recency * ((found[c].metadata.get("published_ord", 0) or low) - low) / span)
                for c, s in fused.items()}

    def _boost_years(self, fused: dict[str, float], found: dict[str, StoredChunk], query: str) -> dict[str, float]:
        """A question that names a year ("the November 2024 reforms", "since 2023") prefers sources
        published then."""
        in_scope = years_in_scope(query)
        if in_scope is None:
            return fused
        factor = self.settings.scoring.retrieval.year
        return _boost(fused, found, factor, lambda meta: in_scope(meta.get("published", "")[:4]))

    def _boost_named_publishers(self, fused: dict[str, float], found: dict[str, StoredChunk],
                                query: str) -> dict[str, float]:
        """'What did Hearth and Home think…' prefers what Hearth and Home published."""
        named = {p for p in self.publishers if _names(query, p)}
        factor = self.settings.scoring.retrieval.publisher
        return _boost(fused, found, factor, lambda meta: meta.get("publisher") in named) if named else fused

    @staticmethod
    def _passage(chunk: StoredChunk, score: float, dense: dict, lexical: dict) -> Passage:
        return Passage(chunk_id=chunk.id, text=chunk.text, metadata=chunk.metadata, score=score,
                       dense=dense.get(chunk.id, 0.0), lexical=lexical.get(chunk.id, 0.0))


def _boost(fused: dict[str, float], found: dict[str, StoredChunk], factor: float, prefers) -> dict[str, float]:
    """fused, with the score of each chunk whose metadata `prefers` accepts multiplied by factor."""
    return {c: s * (factor if prefers(found[c].metadata) else 1.0) for c, s in fused.items()}
