"""The Chroma store: embedded on disk by default, a `chroma run` server when a host is set.

Every ingest writes a new collection and then flips one pointer (the metadata of a small `<name>-meta`
collection) to it, so a killed ingest leaves the previous index active and intact. A full build writes the
whole corpus; an update of a few documents writes only them, into a small delta build that hides the base
build's old versions of those documents (see LayeredCollection), until the next full build folds it in.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import secrets
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.settings import Settings

# Records per Chroma add: few round trips; capped again by the client's own limit (client.get_max_batch_size()).
ADD_BATCH = 4096
READ_PAGE = 5000  # records per Chroma get when reading a whole build
LAYER_SEPARATOR = "+"  # the name of a layered view: "<base build>+<delta build>"


class StoreError(RuntimeError):
    """The index cannot be used; the message says what to do."""


class IndexNotFound(StoreError):
    """No index has been built yet."""


@dataclass
class StoredChunk:
    """A chunk as it lives in the store."""

    id: str
    text: str
    metadata: dict
    embedding: list[float] | np.ndarray | None = None


def make_client(settings: Settings):
    """A Chroma client with telemetry off: HTTP to settings.chroma_host, else embedded at store_dir."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        except Exception as error:
            raise StoreError(
                f"Cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} "
                f"({type(error).__name__}). Start it (chroma run) or unset ASSISTANT_CHROMA_HOST."
            ) from None
    try:
        settings.store_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.store_dir), settings=chroma_settings)
    except Exception as error:
        raise StoreError(
            f"The index at {settings.store_dir} is damaged or unreadable ({type(error).__name__}: {error}). "
            f"Rebuild it with: python -m ingest --rebuild --store {settings.store_dir}"
        ) from None


class IndexStore:
    """Builds and reads versions of the chunk collection behind an atomic 'active' pointer."""

    def __init__(self, settings: Settings, client=None):
        self.settings = settings
        self.name = settings.collection
        self._client = client

    @property
    def client(self):
        if self._client is None:
            self._client = make_client(self.settings)
        return self._client

    @property
    def location(self) -> str:
        if self.settings.chroma_host:
            return f"chroma server {self.settings.chroma_host}:{self.settings.chroma_port}"
        return str(self.settings.store_dir)

    # -- the pointer -------------------------------------------------------------------------
    def _meta_collection(self):
        return self.client.get_or_create_collection(f"{self.name}-meta", embedding_function=None)

    def info(self) -> dict:
        """The active build's description: collection, built_at, corpus_version, stats."""
        try:
            metadata = dict(self._meta_collection().metadata or {})
        except Exception as error:
            raise StoreError(self._damaged(error)) from None
        if "stats" in metadata:
            metadata["stats"] = json.loads(metadata["stats"])
        return metadata

    def active(self, info: dict | None = None):
        """The active chunk collection (of `info`, when already read): a build, or a LayeredCollection when
        the pointer also names a delta build; IndexNotFound when nothing is built."""
        info = info if info is not None else self.info()  # one read: base and delta of the same flip
        name = info.get("active")
        if not name:
            raise IndexNotFound(
                f"No index found in {self.location}. Build it first with: python -m ingest"
                + (f" --store {self.settings.store_dir}" if not self.settings.chroma_host else "")
            )
        try:
            base = self.client.get_collection(name, embedding_function=None)
            delta = info.get("delta")
            return LayeredCollection(base, self.client.get_collection(delta, embedding_function=None)) if delta else base
        except Exception as error:
            raise StoreError(self._damaged(error)) from None

    def _damaged(self, error: Exception) -> str:
        return (f"The index in {self.location} is damaged or unreadable ({type(error).__name__}: {error}). "
                f"Rebuild it with: python -m ingest --rebuild")

    # -- building ----------------------------------------------------------------------------
    def new_build(self, hides: list[str] | None = None):
        """A fresh, empty collection for the next build (not yet visible to readers); a delta build records
        the ids of the base build it hides (`hides`, the old versions of the documents it replaces or removes)."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
        name = f"{self.name}-{stamp}-{secrets.token_hex(3)}"
        metadata = {"building": True} if hides is None else {"building": True, "hides": json.dumps(sorted(hides))}
        return self.client.create_collection(
            name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None, metadata=metadata,
        )

    def add(self, collection, chunks: list[StoredChunk]) -> None:
        """Write chunks to a build in as few requests as Chroma accepts (vectors as one float32 array each)."""
        size = min(ADD_BATCH, self.client.get_max_batch_size())
        for start in range(0, len(chunks), size):
            batch = chunks[start:start + size]
            collection.add(
                ids=[chunk.id for chunk in batch],
                documents=[chunk.text for chunk in batch],
                metadatas=[chunk.metadata for chunk in batch],
                embeddings=np.asarray([chunk.embedding for chunk in batch], dtype=np.float32),
            )

    def activate(self, collection, description: dict[str, Any]) -> None:
        """Point readers at collection, a build or a LayeredCollection (one metadata write), then drop every
        other build."""
        metadata = {key: value for key, value in description.items() if key != "stats"}
        metadata["stats"] = json.dumps(description.get("stats", {}))
        layered = isinstance(collection, LayeredCollection)
        metadata["active"] = collection.base.name if layered else collection.name
        metadata["delta"] = collection.delta.name if layered else ""  # "" (not absent): modify() merges keys
        self._meta_collection().modify(metadata=metadata)
        self.drop_inactive()

    def drop_inactive(self) -> list[str]:
        """Delete builds that are not active (left over from finished or killed runs)."""
        info = self.info()
        keep = (info.get("active"), info.get("delta") or None, f"{self.name}-meta")
        dropped = []
        for collection in self.client.list_collections():
            name = getattr(collection, "name", collection)
            if name.startswith(f"{self.name}-") and name not in keep:
                self.client.delete_collection(name)
                dropped.append(name)
        return dropped

    # -- reading -----------------------------------------------------------------------------
    def all_chunks(self, collection=None, with_embeddings: bool = False, with_texts: bool = True
                   ) -> list[StoredChunk]:
        """Every chunk of the active build (or the given collection), in id order; vectors as float32 arrays
        when asked for, and texts left empty when not (ingest compares hashes and reuses vectors only)."""
        collection = collection or self.active()
        include = ["metadatas"] + (["documents"] if with_texts else []) + (["embeddings"] if with_embeddings else [])
        if isinstance(collection, LayeredCollection):
            chunks = [chunk for chunk in _read_all(collection.base, include, with_embeddings)
                      if chunk.id not in collection.hidden] + _read_all(collection.delta, include, with_embeddings)
        else:
            chunks = _read_all(collection, include, with_embeddings)
        return sorted(chunks, key=lambda chunk: chunk.id)


def _read_all(collection, include: list[str], with_embeddings: bool) -> list[StoredChunk]:
    """Every record of one Chroma collection, a page at a time."""
    chunks: list[StoredChunk] = []
    offset = 0
    while True:
        got = collection.get(include=include, limit=READ_PAGE, offset=offset)
        chunks += _stored_chunks(got, with_embeddings)
        if len(got["ids"]) < READ_PAGE:
            return chunks
        offset += READ_PAGE


def _stored_chunks(got: dict, with_embeddings: bool = False) -> list[StoredChunk]:
    """StoredChunks from the answer of a Chroma get (texts empty when they were not asked for)."""
    texts = got.get("documents") or [""] * len(got["ids"])
    embeddings = got.get("embeddings") if with_embeddings else None
    return [StoredChunk(chunk_id, texts[i], dict(got["metadatas"][i]),
                        np.asarray(embeddings[i], dtype=np.float32) if embeddings is not None else None)
            for i, chunk_id in enumerate(got["ids"])]


class LayeredCollection:
    """A base build seen through a small delta build: the delta's chunks are added and the base's chunks
    the delta hides (old versions of documents since changed or removed) are left out. It answers the
    `get(ids=...)` and `query` calls the readers make, as one Chroma collection would.

    Adding a document to a large index then writes that document alone (a new delta: the previous delta's
    chunks plus the new ones), and a killed update leaves the previous pointer, base and delta intact."""

    def __init__(self, base, delta):
        self.base, self.delta = base, delta
        self.name = f"{base.name}{LAYER_SEPARATOR}{delta.name}"
        self.hidden = frozenset(json.loads((delta.metadata or {}).get("hides") or "[]"))

    def count(self) -> int:
        """Chunks seen through the view (hidden ids are counted as stored in the base)."""
        return self.base.count() - len(self.hidden) + self.delta.count()

    def get(self, ids: list[str], include: list[str]) -> dict:
        """The records of these ids: from the delta, else from the base unless hidden."""
        from_delta = self.delta.get(ids=list(ids), include=include)
        rest = [chunk_id for chunk_id in dict.fromkeys(ids)
                if chunk_id not in set(from_delta["ids"]) and chunk_id not in self.hidden]
        from_base = self.base.get(ids=rest, include=include) if rest else {"ids": []}
        merged = {"ids": list(from_delta["ids"]) + list(from_base["ids"])}
        for key in include:  # (embeddings come as numpy arrays: no truth value)
            merged[key] = [*_listed(from_delta.get(key)), *_listed(from_base.get(key))]
        return merged

    def query(self, query_embeddings: list, n_results: int, where: dict | None = None,
              include: list[str] = ("distances",)) -> dict:
        """The n_results nearest records over both layers. The base may answer with hidden records, so it is
        asked for more until n_results unhidden ones are in hand or it has none left to give (at most
        n_results plus the number hidden: exact, yet one request when few of the nearest are hidden)."""
        include = list(dict.fromkeys([*include, "distances"]))
        hits = self._hits(self.delta, query_embeddings, n_results, where, include)
        asked = n_results
        while True:
            found = self._hits(self.base, query_embeddings, asked, where, include)
            kept = [hit for hit in found if hit[1] not in self.hidden]
            if len(kept) >= n_results or len(found) < asked or asked >= n_results + len(self.hidden):
                break
            asked = min(n_results + len(self.hidden), 2 * asked + len(found) - len(kept))
        hits = sorted(hits + kept, key=lambda hit: (hit[0], hit[1]))[:n_results]
        return {"ids": [[hit[1] for hit in hits]], **{key: [[hit[2][key] for hit in hits]] for key in include}}

    @staticmethod
    def _hits(layer, query_embeddings: list, n_results: int, where: dict | None, include: list[str]) -> list[tuple]:
        """(distance, id, {field: value}) of one layer's nearest records."""
        found = layer.query(query_embeddings=query_embeddings, n_results=n_results, where=where, include=include)
        return [(found["distances"][0][i], chunk_id, {key: found[key][0][i] for key in include})
                for i, chunk_id in enumerate(found["ids"][0])]


def _listed(values) -> list:
    return [] if values is None else list(values)


# A filter passing at least this share of the index is applied to an unfiltered query's nearest records,
# OVERFETCH times as many as it should take to find k (see VectorSearch.query).
WIDE_FILTER = 0.1
OVERFETCH = 2.0
_COMPARE = {"$gte": lambda a, b: a >= b, "$lte": lambda a, b: a <= b, "$gt": lambda a, b: a > b,
            "$lt": lambda a, b: a < b, "$eq": lambda a, b: a == b, "$ne": lambda a, b: a != b,
            "$in": lambda a, b: a in b, "$nin": lambda a, b: a not in b}


def passes(where: dict, metadata: dict) -> bool:
    """Whether a record's metadata passes a Chroma `where` filter ($and, $or, and field comparisons), as
    Chroma would judge it (a record without the field fails a comparison on it).

    >>> where = {"$and": [{"published_ord": {"$gte": 20240101}}, {"publisher": {"$in": ["Care Watch"]}}]}
    >>> passes(where, {"published_ord": 20241031, "publisher": "Care Watch"}), passes(where, {"publisher": "Care Watch"})
    (True, False)
    """
    if "$and" in where:
        return all(passes(part, metadata) for part in where["$and"])
    if "$or" in where:
        return any(passes(part, metadata) for part in where["$or"])
    for field_name, condition in where.items():
        if field_name not in metadata:
            return False
        tests = condition.items() if isinstance(condition, dict) else [("$eq", condition)]
        if not all(_COMPARE[operator](metadata[field_name], value) for operator, value in tests):
            return False
    return True


class StoredChunks:
    """The passages of one build, read from Chroma by id as queries need them (a fusion.ChunkSource)."""

    def __init__(self, store: IndexStore, collection):
        self.store = store
        self.collection = collection
        self._all: list[StoredChunk] | None = None

    def fetch(self, ids: list[str]) -> dict[str, StoredChunk]:
        """id -> chunk (text and metadata) for the ids the build holds, in one request."""
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["documents", "metadatas"])
        return {chunk.id: chunk for chunk in _stored_chunks(got)}

    def all(self) -> list[StoredChunk]:
        """Every chunk of the build, read once on first use and kept."""
        if self._all is None:
            self._all = self.store.all_chunks(self.collection)
        return self._all


class VectorSearch:
    """Nearest chunks of one build to a query vector, asked of Chroma directly (no llama-index in between)."""

    def __init__(self, collection):
        self.collection = collection

    def query(self, embedding: list[float], k: int, where: dict | None = None, share: float = 0.0) -> dict[str, float]:
        """chunk id -> cosine similarity for the k nearest chunks that pass `where`, nearest first.

        Chroma answers a filtered query by listing every record the filter passes first: over a library,
        a filter that passes a large share of it (one year of 181,000 chunks) takes a second. So when
        `share` (the part of the index the filter passes, as the caller estimates it) is at least
        WIDE_FILTER, the nearest k / share x OVERFETCH records are asked for unfiltered and the filter is
        applied to their metadata here; only when fewer than k pass is Chroma asked with the filter. Both
        give the k nearest records the filter passes."""
        if where is not None and share >= WIDE_FILTER:
            wanted = math.ceil(k / share * OVERFETCH)
            result = self.collection.query(query_embeddings=[embedding], n_results=wanted,
                                           include=["distances", "metadatas"])
            passed = [(chunk_id, distance) for chunk_id, distance, metadata
                      in zip(result["ids"][0], result["distances"][0], result["metadatas"][0])
                      if passes(where, metadata or {})]
            if len(passed) >= k or len(result["ids"][0]) < wanted:  # k found, or every record looked at
                return {chunk_id: 1.0 - distance for chunk_id, distance in passed[:k]}
        result = self.collection.query(query_embeddings=[embedding], n_results=k, where=where,
                                       include=["distances"])
        # The builds use Chroma's cosine space, where distance = 1 - cosine similarity.
        return {chunk_id: 1.0 - distance for chunk_id, distance in zip(result["ids"][0], result["distances"][0])}

    def similarities(self, embedding: list[float], ids: list[str]) -> dict[str, float]:
        """chunk id -> cosine similarity to the query vector, for chunks given by id."""
        if not ids:
            return {}
        found = self.collection.get(ids=list(ids), include=["embeddings"])
        query = np.asarray(embedding, dtype=float)
        vectors = np.asarray(found["embeddings"], dtype=float).reshape(len(found["ids"]), -1)
        norms = np.linalg.norm(vectors, axis=1) * (np.linalg.norm(query) or 1.0)
        cosines = vectors @ query / np.where(norms == 0, 1.0, norms)
        return {chunk_id: float(cosine) for chunk_id, cosine in zip(found["ids"], cosines)}
