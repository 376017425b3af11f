"""The ingest pipeline: corpus -> cleaned documents -> chunks -> embeddings -> a new Chroma build."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from assistant.retrieval.calibration import calibrate_build, calibration_version
from assistant.retrieval.build_files import load_build_files, remove_other_builds, save_build_files
from assistant.retrieval.dense import MODEL_NAME
from assistant.retrieval.store import IndexNotFound, IndexStore, StoredChunk, StoredChunks
from assistant.settings import Settings
from ingest.chunk import Chunk, chunk_document
from ingest.documents import Corpus, Skipped, load_corpus


@dataclass
class IngestReport:
    """What one ingest run did, for --stats and tests."""

    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    removed_chunks: int = 0
    changed: bool = False
    seconds: float = 0.0
    embed_seconds: float = 0.0
    removed_lines: Counter = field(default_factory=Counter)
    skipped: list[Skipped] = field(default_factory=list)
    corpus_version: str = ""
    calibration: dict = field(default_factory=dict)  # the refusal threshold derived for this build

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {
            "documents": self.documents, "chunks": self.chunks, "embedded": self.embedded,
            "reused": self.reused, "removed_chunks": self.removed_chunks, "changed": self.changed,
            "seconds": round(self.seconds, 3), "embed_seconds": round(self.embed_seconds, 3),
            "chunks_per_second": round(self.chunks_per_second, 2),
            "removed_lines": dict(sorted(self.removed_lines.items())),
            "skipped": [{"file": s.file, "reason": s.reason} for s in self.skipped],
            "corpus_version": self.corpus_version,
            "calibration": self.calibration,
        }


def build_chunks(corpus: Corpus, settings: Settings) -> list[Chunk]:
    """Every chunk of every document, in document order."""
    return [chunk for document in corpus.documents
            for chunk in chunk_document(document, settings.chunk_words, settings.chunk_max_chars)]


def corpus_version(chunks: list[Chunk]) -> str:
    """A short fingerprint of everything indexed: ids, texts and metadata."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(f"{chunk.id}:{chunk.record_hash};".encode())
    return digest.hexdigest()[:12]


def run_ingest(settings: Settings, *, rebuild: bool = False, embedder=None,
               progress: Callable | None = None, store: IndexStore | None = None) -> IngestReport:
    """Bring the index in line with the corpus; embed only what changed; switch atomically."""
    started = time.perf_counter()
    corpus = load_corpus(settings.corpus_dir, settings.max_file_mb)
    chunks = build_chunks(corpus, settings)
    report = IngestReport(documents=len(corpus.documents), chunks=len(chunks),
                          removed_lines=corpus.removed_lines, skipped=corpus.skipped,
                          corpus_version=corpus_version(chunks))
    store = store or IndexStore(settings)
    previous = {} if rebuild else _previous_records(store)
    if not rebuild and previous and _same(previous, chunks) and _calibrated(store, settings):
        store.drop_inactive()
        _keep_files_current(settings, store)
        report.reused = len(chunks)
        report.seconds = time.perf_counter() - started
        return report

    vectors = {record["embed_hash"]: record["embedding"] for record in previous.values()}
    missing = [chunk for chunk in chunks if chunk.embed_hash not in vectors]
    report.embedded = len(missing)
    report.reused = len(chunks) - len(missing)
    report.removed_chunks = len(set(previous) - {chunk.id for chunk in chunks})
    report.changed = True

    collection = store.new_build()
    embedder = embedder or (_load_embedder(settings) if missing else None)
    with BuildWriter(settings, store, collection, chunks, vectors) as writer:
        if missing:
            embed_started = time.perf_counter()
            _embed(missing, embedder, settings.embed_batch_size, vectors, writer, progress)
            report.embed_seconds = time.perf_counter() - embed_started
    # Before the flip, like the start-up files: readers never see a build without its refusal threshold.
    report.calibration = calibrate_build(settings, store, collection, embedder or _load_embedder(settings)).as_dict()
    report.seconds = time.perf_counter() - started
    store.activate(collection, _description(report, settings))
    remove_other_builds(settings, keep=collection.name)
    return report


FLUSH_AT = 512  # chunks per hand-over to the writer: few Chroma requests, yet writing starts early


class BuildWriter:
    """Writes a new build while the main thread embeds: one worker thread saves the start-up files (they
    need only texts and metadata) and adds chunks to the collection in document order as soon as their
    vectors are known. Embedding runs in torch, which releases the GIL, so the writing mostly overlaps it.
    Leaving the `with` block waits for every write and raises the first error; nothing is activated here."""

    def __init__(self, settings: Settings, store: IndexStore, collection, chunks: list[Chunk], vectors: dict):
        self.store, self.collection, self.chunks, self.vectors = store, collection, chunks, vectors
        self.written = 0  # chunks[:written] are handed to the worker
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer")
        records = [_stored(chunk, None) for chunk in chunks]
        # Before the flip: readers never see a build without its files.
        self.pending = [self.pool.submit(save_build_files, settings, collection.name, records)]
        self.flush()

    def flush(self, final: bool = False) -> None:
        """Hand over the chunks, from the first not yet written, whose vectors are known (at least
        FLUSH_AT of them, or all that are ready when final)."""
        ready = self.written
        while ready < len(self.chunks) and self.chunks[ready].embed_hash in self.vectors:
            ready += 1
        if ready - self.written >= FLUSH_AT or (final and ready > self.written):
            batch = [_stored(chunk, self.vectors[chunk.embed_hash]) for chunk in self.chunks[self.written:ready]]
            self.pending.append(self.pool.submit(self.store.add, self.collection, batch))
            self.written = ready

    def __enter__(self) -> "BuildWriter":
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        if error_type is None:
            self.flush(final=True)
        self.pool.shutdown(wait=True, cancel_futures=error_type is not None)
        if error_type is None:
            for future in self.pending:
                future.result()


def _embed(missing: list[Chunk], embedder, batch_size: int, vectors: dict, writer: BuildWriter,
           progress: Callable | None) -> None:
    """Embed the chunks in groups of batch_size (the grouping decides the padding, so it stays as it
    was), recording each vector by embed hash and handing ready chunks to the writer."""
    texts = [chunk.embed_text for chunk in missing]
    for start in range(0, len(texts), batch_size):
        batch = texts[start:start + batch_size]
        for chunk, vector in zip(missing[start:], embedder.get_text_embedding_batch(batch)):
            vectors[chunk.embed_hash] = vector
        writer.flush()
        if progress:
            progress(len(batch))


def _keep_files_current(settings: Settings, store: IndexStore) -> None:
    """An unchanged corpus still gets the active build's start-up files when they are missing or stale (a
    store built by an older version), so the next start does not compute them; other builds' files go."""
    collection = store.active()
    load_build_files(settings, collection.name, StoredChunks(store, collection))
    remove_other_builds(settings, keep=collection.name)


def _load_embedder(settings: Settings):
    from assistant.retrieval.dense import build_embedder

    return build_embedder(settings)


def _stored(chunk: Chunk, vector) -> StoredChunk:
    metadata = {**chunk.metadata, "embed_hash": chunk.embed_hash, "record_hash": chunk.record_hash,
                "embed_model": MODEL_NAME}
    return StoredChunk(chunk.id, chunk.text, metadata, None if vector is None else np.asarray(vector, dtype=np.float32))


def _previous_records(store: IndexStore) -> dict[str, dict]:
    """id -> {record_hash, embed_hash, embedding} of the active build; {} when there is none. Texts are not
    read: the hashes say what changed."""
    try:
        stored = store.all_chunks(with_embeddings=True, with_texts=False)
    except IndexNotFound:
        return {}
    return {chunk.id: {"record_hash": chunk.metadata.get("record_hash"),
                       "embed_hash": chunk.metadata.get("embed_hash"),
                       "embedding": chunk.embedding} for chunk in stored
            if chunk.metadata.get("embed_model") == MODEL_NAME}


def _same(previous: dict[str, dict], chunks: list[Chunk]) -> bool:
    """Every chunk stored as it is now: same text and metadata, and embedded from the same text (the
    recipe for what the model sees can change while the passages do not)."""
    return len(previous) == len(chunks) and all(
        previous.get(chunk.id, {}).get("record_hash") == chunk.record_hash
        and previous.get(chunk.id, {}).get("embed_hash") == chunk.embed_hash for chunk in chunks)


def _calibrated(store: IndexStore, settings: Settings) -> bool:
    """The active build's refusal threshold was derived from today's probes (else: rebuild, reusing vectors)."""
    return store.info().get("calibration_version") == calibration_version(settings.scoring.refusal)


def _description(report: IngestReport, settings: Settings) -> dict:
    return {
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "corpus_version": report.corpus_version,
        "embed_model": MODEL_NAME,
        "chunk_words": settings.chunk_words,
        "min_support": report.calibration.get("min_support", settings.default_min_support),
        "calibration_version": calibration_version(settings.scoring.refusal),
        "stats": report.as_dict(),
    }


def dump_chunks(store: IndexStore, path) -> int:
    """Write every indexed chunk (id, text, metadata) as JSON Lines; returns the count."""
    chunks = store.all_chunks()
    with open(path, "w", encoding="utf-8") as handle:
        for chunk in chunks:
            handle.write(json.dumps({"id": chunk.id, "text": chunk.text, "metadata": chunk.metadata},
                                    ensure_ascii=False) + "\n")
    return len(chunks)
