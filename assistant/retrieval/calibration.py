"""The refusal threshold of one index, derived from the index itself when it is built.

A fixed number cannot serve every corpus: a small collection of short pages supports every question
less than a large one, and a new subject shifts every cosine. So at ingest the new index is asked a set
of questions no policy collection answers (``assistant/data/off_topic_probes.txt``: cooking, sport,
travel, science…), and the threshold is set just above the best support any of them gets: a question
must be better supported than anything unrelated is. The threshold and the figures behind it are stored
with the build (``python -m ingest --stats`` prints them).
"""

from __future__ import annotations

import hashlib
import statistics
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Callable

import numpy as np

from assistant.checks.scope import support
from assistant.models import Passage
from assistant.retrieval.build_files import files_root, load_build_files
from assistant.retrieval.dense import build_embedder
from assistant.retrieval.fusion import Filters, HybridRetriever
from assistant.retrieval.probe_memory import DEPTH, SLACK, ProbeMemory, RememberedBuild, memory_key
from assistant.retrieval.store import LayeredCollection, StoredChunks, StoreError, VectorSearch
from assistant.scoring import RefusalWeights

@dataclass(frozen=True)
class Calibration:
    """The refusal threshold of one build and the probe scores it came from."""

    min_support: float
    probes: int
    probe_max: float
    probe_median: float
    margin: float

    def as_dict(self) -> dict:
        return asdict(self)


def calibration_version(weights: RefusalWeights = RefusalWeights()) -> str:
    """A fingerprint of what the threshold is derived from (the probes, the support weights and the
    margin, an unrelated question can score a little above the best of a few dozen probes): a change
    recalibrates."""
    return hashlib.sha256(f"{weights.model_dump_json()}\n{chr(10).join(off_topic_probes())}".encode()).hexdigest()[:12]


def off_topic_probes() -> list[str]:
    """The packaged probe questions (comment and blank lines left out)."""
    text = resources.files("assistant").joinpath("data/off_topic_probes.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def calibrate(retrieve: Callable[[str], list[Passage]], idf: dict[str, float],
              probes: list[str] | None = None, weights: RefusalWeights = RefusalWeights()) -> Calibration:
    """The threshold for an index: the best support an off-topic probe gets from it, plus the margin.

    >>> passages = [Passage("a#0", "Family help funding rose.", {}, dense=0.3)]
    >>> calibrate(lambda q: passages, {"famili": 2.0, "help": 2.0}, ["What is a cake?", "Who won?"]).min_support
    0.4
    """
    probes = off_topic_probes() if probes is None else probes
    default_idf = max(idf.values(), default=1.0)
    scores = [support(probe, retrieve(probe), idf, default_idf, weights) for probe in probes]
    margin = weights.calibration_margin
    best = max(scores, default=0.0)
    return Calibration(round(best + margin, 3), len(scores), round(best, 3),
                       round(statistics.median(scores), 3) if scores else 0.0, margin)


def calibrate_build(settings, store, collection, embedder=None) -> Calibration:
    """The calibration of a build that is written but not yet active: its own BM25 files and vectors.

    A full build's answers to the probes are kept with it (assistant.retrieval.probe_memory); a delta
    layered over that build reads its base through them, with the probes' kept vectors, so it opens neither
    the base collection nor (without one given) the embedding model. The threshold is the one a search of
    the whole view gives: whatever the memory cannot answer exactly is asked of the base."""
    key = memory_key(calibration_version(settings.scoring.refusal))
    probes = off_topic_probes()
    memory = _memory_of(settings, collection.base.name, key, probes) \
        if isinstance(collection, LayeredCollection) else None
    if memory is not None:
        collection = LayeredCollection(RememberedBuild(collection.base, memory), collection.delta)
        vectors = {probe: memory.vector(probe) for probe in probes}
    else:
        vectors = _kept_probe_vectors(settings, store, key, probes)
        if vectors is None:
            embedder = embedder or build_embedder(settings)
            vectors = dict(zip(probes, embedder.get_query_embeddings(probes)))
    source = StoredChunks(store, collection)
    files = load_build_files(settings, collection.name, source)
    retriever = HybridRetriever(settings, source, VectorSearch(collection), embedder, files.lexical)
    kept = None
    if not isinstance(collection, LayeredCollection):
        # a full build: its answers to every probe in one search and one read, then the probes asked through
        # them, as a delta asks its base (the same answers: see probe_memory.DEPTH), not forty searches
        kept = remember(settings, collection, retriever, vectors, key)
        view = RememberedBuild(collection, kept)
        retriever = HybridRetriever(settings, StoredChunks(store, view), VectorSearch(view), embedder, files.lexical)
    result = calibrate(lambda probe: retriever.retrieve(probe, k=settings.top_k, query_embedding=vectors[probe]),
                       retriever.lexical.idf, probes, weights=settings.scoring.refusal)
    try:  # the memory only saves time: a folder that cannot take it costs the next update a search
        if kept is not None:
            kept.save(files_root(settings) / collection.name)
        elif memory is None:  # a base calibrated by an older ingest: kept now, for the next update
            base = collection.base
            lexical = getattr(files.lexical, "base", None) or \
                load_build_files(settings, base.name, StoredChunks(store, base)).lexical
            alone = HybridRetriever(settings, StoredChunks(store, base), VectorSearch(base), embedder, lexical)
            remember(settings, base, alone, vectors, key).save(files_root(settings) / base.name)
    except OSError:
        pass
    return result


def _kept_probe_vectors(settings, store, key: str, probes: list[str]) -> dict[str, list[float]] | None:
    """The probes' vectors the active build of this store kept, if any: they depend only on the probes, the
    model and the code running it, all in the memory's key, so a full rebuild need not embed them again."""
    try:
        name = store.info().get("active")
    except StoreError:
        return None
    memory = _memory_of(settings, name, key, probes) if name else None
    return {probe: memory.vector(probe) for probe in probes} if memory is not None else None


def _memory_of(settings, build: str, key: str, probes: list[str]) -> ProbeMemory | None:
    """The probe memory a build kept, when it was made with this key and these probes."""
    memory = ProbeMemory.load(files_root(settings) / build, key)
    return memory if memory is not None and memory.probes == probes else None


def remember(settings, collection, retriever: HybridRetriever, vectors: dict[str, list[float]],
             key: str) -> ProbeMemory:
    """A full build's answers to the probes, for the calibration of the deltas layered over it: each probe's
    DEPTH nearest records, and the records (text, metadata; vectors of BM25 hits) a calibration reads, with
    SLACK more of each list for the ones a delta hides."""
    size = collection.count()
    nearest, wanted, lexical_hits = [], {}, {}
    found = collection.query(query_embeddings=list(vectors.values()), n_results=min(DEPTH, size),
                             include=["distances"]) if vectors else {"ids": [], "distances": []}
    for probe, found_ids, found_distances in zip(vectors, found["ids"], found["distances"]):  # one search for all
        ids, distances = list(found_ids), [float(d) for d in found_distances]
        nearest.append((ids, distances))
        hits = retriever.bm25(probe, Filters(), settings.bm25_k + SLACK)
        wanted.update(dict.fromkeys(ids[:settings.dense_k + SLACK]))
        wanted.update(dict.fromkeys(hits))
        lexical_hits.update(dict.fromkeys(hits))
    got = collection.get(ids=list(wanted), include=["documents", "metadatas", "embeddings"]) if wanted else \
        {"ids": [], "documents": [], "metadatas": [], "embeddings": []}
    records = {i: (text, dict(meta)) for i, text, meta in zip(got["ids"], got["documents"], got["metadatas"])}
    record_vectors = {i: np.asarray(vector, dtype=np.float32) for i, vector in zip(got["ids"], got["embeddings"])
                      if i in lexical_hits}
    return ProbeMemory(key, list(vectors), np.asarray(list(vectors.values()), dtype=np.float32), nearest,
                       [size <= DEPTH] * len(nearest), records, record_vectors)
