"""What calibrating a full build read of it, kept so that calibrating a delta layered over it leaves the
base build closed.

Calibration asks a build some forty off-topic probe questions (assistant.retrieval.calibration). A delta of
one new document over a library-sized base used to embed the probes again and open the base collection in
Chroma, which loads a collection's index on its first use (seconds at 100,000s of chunks), although the
base's answers to the probes cannot change: a build is never modified once written. So the calibration of
a full build keeps them beside the build's start-up files (`lexical/<build>/probes.npz`): each probe's
vector, its nearest records (ids and distances, DEPTH deep) and the records a delta's calibration could
fetch (text and metadata of the nearest and of the best BM25 hits; vectors of the BM25 hits, whose cosine
is looked up when BM25 alone finds them). The base of the layered view being calibrated is then read
through RememberedBuild, which answers from this memory and passes every call it cannot answer exactly (a
search deeper than DEPTH, an id or field it does not hold, a filter) to the real collection: the threshold
is the same either way, only the time to reach it differs.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import assistant
from assistant.retrieval.dense import MODEL_NAME

FILE = "probes.npz"
# Nearest records kept per probe. Chroma's HNSW search keeps ef = max(ef_search, n_results) candidates and
# ef_search is 100 unless configured: every search of up to 100 results sees the same candidates, so the
# first n of the 100 nearest are exactly what a search for n returns (a deeper one goes to Chroma).
DEPTH = 100
# Records kept per probe beyond the dense_k nearest and the bm25_k best BM25 hits: a delta that hides some of
# them (old versions of changed documents) moves the next ones up.
SLACK = 20
# What the vectors depend on besides the model's name: the code that computes them.
ENCODING_MODULES = ("retrieval/encoder.py", "retrieval/dense.py")


def memory_key(calibration_version: str) -> str:
    """A hash of what a memory's probe vectors depend on: the probes and weights (calibration_version), the
    model and the code that runs it."""
    digest = hashlib.sha256(f"{calibration_version}\n{MODEL_NAME}\n".encode())
    package = Path(assistant.__file__).parent
    for module in ENCODING_MODULES:
        digest.update((package / module).read_bytes())
    return digest.hexdigest()


@dataclass
class ProbeMemory:
    """The probes' vectors and a build's answers to them."""

    key: str
    probes: list[str]
    vectors: np.ndarray  # float32, one row per probe
    nearest: list[tuple[list[str], list[float]]]  # per probe: ids and distances, nearest first
    complete: list[bool]  # per probe: its nearest list holds every record of the build (a small build)
    records: dict[str, tuple[str, dict]]  # id -> text and metadata
    record_vectors: dict[str, np.ndarray]  # id -> float32 vector

    def vector(self, probe: str) -> list[float]:
        return self.vectors[self.probes.index(probe)].tolist()

    def nearest_to(self, embedding, n_results: int) -> tuple[list[str], list[float]] | None:
        """The n_results nearest ids and distances of a probe's vector; None for another vector or too many."""
        query = np.asarray(embedding, dtype=np.float32)
        rows = np.flatnonzero((self.vectors == query).all(axis=1)) if query.shape == self.vectors.shape[1:] else []
        if len(rows) == 0:
            return None
        ids, distances = self.nearest[rows[0]]
        if n_results > len(ids) and not self.complete[rows[0]]:
            return None
        return ids[:n_results], distances[:n_results]

    def save(self, folder: Path) -> None:
        """Write probes.npz into the build's folder, whole or not at all."""
        ids = list(self.records)
        vector_ids = list(self.record_vectors)
        tables = {"key": self.key, "probes": self.probes, "nearest": self.nearest, "complete": self.complete,
                  "ids": ids, "texts": [self.records[i][0] for i in ids],
                  "metadatas": [self.records[i][1] for i in ids],
                  "vector_ids": vector_ids}
        dimensions = self.vectors.shape[1]
        record_vectors = np.asarray([self.record_vectors[i] for i in vector_ids],
                                    dtype=np.float32).reshape(-1, dimensions)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".probes.", suffix=".npz")
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(out, tables=np.array(json.dumps(tables, ensure_ascii=False)), vectors=self.vectors,
                         record_vectors=record_vectors)
            os.replace(temporary, folder / FILE)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)

    @classmethod
    def load(cls, folder: Path, key: str) -> "ProbeMemory | None":
        """The memory in folder when it is there and its key is `key`; else None."""
        try:
            with np.load(folder / FILE, allow_pickle=False) as data:
                tables = json.loads(str(data["tables"]))
                if tables["key"] != key:
                    return None
                vectors, record_vectors = data["vectors"], data["record_vectors"]
        except (OSError, ValueError, KeyError):
            return None
        return cls(key, tables["probes"], vectors, [(ids, distances) for ids, distances in tables["nearest"]],
                   tables["complete"], {i: (text, meta) for i, text, meta in zip(tables["ids"], tables["texts"],
                                                                               tables["metadatas"])},
                   dict(zip(tables["vector_ids"], record_vectors)))


class RememberedBuild:
    """A build's Chroma collection read through a ProbeMemory: the `query` and `get(ids=...)` calls the
    memory answers exactly are answered from it; any other goes to the collection (opened then)."""

    def __init__(self, collection, memory: ProbeMemory):
        self.collection, self.memory = collection, memory
        self.name = collection.name
        self.passed_on = 0  # calls the memory could not answer

    @property
    def metadata(self):
        return self.collection.metadata

    def count(self) -> int:
        self.passed_on += 1
        return self.collection.count()

    def query(self, query_embeddings: list, n_results: int, where: dict | None = None,
              include: list[str] = ("distances",)) -> dict:
        found = None
        if where is None and set(include) <= {"distances"} and len(query_embeddings) == 1:
            found = self.memory.nearest_to(query_embeddings[0], n_results)
        if found is None:
            self.passed_on += 1
            return self.collection.query(query_embeddings=query_embeddings, n_results=n_results, where=where,
                                         include=include)
        ids, distances = found
        return {"ids": [list(ids)], "distances": [list(distances)]}

    def get(self, ids: list[str] | None = None, include: list[str] = ("metadatas", "documents"), **kwargs) -> dict:
        ids = list(dict.fromkeys(ids)) if ids is not None else None
        records, vectors = self.memory.records, self.memory.record_vectors
        known = (ids is not None and not kwargs and set(include) <= {"documents", "metadatas", "embeddings"}
                 and all(i in records and ("embeddings" not in include or i in vectors) for i in ids))
        if not known:
            self.passed_on += 1
            return self.collection.get(ids=ids, include=list(include), **kwargs)
        got = {"ids": ids}
        if "documents" in include:
            got["documents"] = [records[i][0] for i in ids]
        if "metadatas" in include:
            got["metadatas"] = [dict(records[i][1]) for i in ids]
        if "embeddings" in include:
            got["embeddings"] = np.asarray([vectors[i] for i in ids], dtype=np.float32).reshape(len(ids), -1)
        return got
