"""The Chroma store: embedded on disk by default, a `chroma run` server when a host is set.

Every ingest writes a complete new collection and then flips one pointer (the metadata of a small
`<name>-meta` collection) to it, so a killed ingest leaves the previous index active and intact.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.settings import Settings

# Records per Chroma add: few round trips; capped again by the client's own limit (client.get_max_batch_size()).
ADD_BATCH = 4096
READ_PAGE = 5000  # records per Chroma get when reading a whole build


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
    settings.store_dir.mkdir(parents=True, exist_ok=True)
    try:
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
        """The active chunk collection (of `info`, when already read); IndexNotFound when nothing is built."""
        name = (info if info is not None else self.info()).get("active")
        if not name:
            raise IndexNotFound(
                f"No index found in {self.location}. Build it first with: python -m ingest"
                + (f" --store {self.settings.store_dir}" if not self.settings.chroma_host else "")
            )
        try:
            return self.client.get_collection(name, embedding_function=None)
        except Exception as error:
            raise StoreError(self._damaged(error)) from None

    def _damaged(self, error: Exception) -> str:
        return (f"The index in {self.location} is damaged or unreadable ({type(error).__name__}: {error}). "
                f"Rebuild it with: python -m ingest --rebuild")

    # -- building ----------------------------------------------------------------------------
    def new_build(self):
        """A fresh, empty collection for the next build (not yet visible to readers)."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
        name = f"{self.name}-{stamp}-{secrets.token_hex(3)}"
        return self.client.create_collection(
            name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None,
            metadata={"building": True},
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
        """Point readers at collection (one metadata write), then drop every other build."""
        metadata = {key: value for key, value in description.items() if key != "stats"}
        metadata["stats"] = json.dumps(description.get("stats", {}))
        metadata["active"] = collection.name
        self._meta_collection().modify(metadata=metadata)
        self.drop_inactive()

    def drop_inactive(self) -> list[str]:
        """Delete builds that are not active (left over from finished or killed runs)."""
        active = self.info().get("active")
        dropped = []
        for collection in self.client.list_collections():
            name = getattr(collection, "name", collection)
            if name.startswith(f"{self.name}-") and name not in (active, f"{self.name}-meta"):
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
        chunks: list[StoredChunk] = []
        offset = 0
        while True:
            got = collection.get(include=include, limit=READ_PAGE, offset=offset)
            chunks += _stored_chunks(got, with_embeddings)
            if len(got["ids"]) < READ_PAGE:
                break
            offset += READ_PAGE
        return sorted(chunks, key=lambda chunk: chunk.id)


def _stored_chunks(got: dict, with_embeddings: bool = False) -> list[StoredChunk]:
    """StoredChunks from the answer of a Chroma get (texts empty when they were not asked for)."""
    texts = got.get("documents") or [""] * len(got["ids"])
    embeddings = got.get("embeddings") if with_embeddings else None
    return [StoredChunk(chunk_id, texts[i], dict(got["metadatas"][i]),
                        np.asarray(embeddings[i], dtype=np.float32) if embeddings is not None else None)
            for i, chunk_id in enumerate(got["ids"])]


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

    def query(self, embedding: list[float], k: int, where: dict | None = None) -> dict[str, float]:
        """chunk id -> cosine similarity for the k nearest chunks that pass `where`, nearest first."""
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
