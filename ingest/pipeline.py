"""The ingest pipeline: corpus -> cleaned documents -> chunks -> embeddings -> a new Chroma build.

A full build reads every file and writes every chunk (vectors of unchanged passages are reused). When only a
few files changed, an update reads and embeds those alone and writes them into a small delta build layered
over the active one (assistant.retrieval.store.LayeredCollection); once the changes since the last full build pass
`compact_at` of the index, the next run makes a full build again, folding the delta in.
"""

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

from assistant.retrieval.build_files import (catalogue_of, load_build_files, load_catalogue, remove_other_builds,
                                             save_build_files, save_delta_files)
from assistant.retrieval.calibration import calibrate_build, calibration_version
from assistant.retrieval.dense import MODEL_NAME
from assistant.retrieval.store import IndexNotFound, IndexStore, LayeredCollection, StoredChunk, StoredChunks
from assistant.settings import Settings
from ingest.chunk import Chunk, chunk_document
from ingest.documents import Corpus, Skipped, SourceDocument, load_corpus, load_documents
from ingest.ledger import (FileEntry, fingerprints, in_corpus_order, read_ledger, remove_other_ledgers, sole_ledger,
                           write_ledger)
from ingest.loaders import SUPPORTED, UnreadableFile
from ingest.manifest import load_manifest
from ingest.model_process import ModelProcess

# An update writes a delta build while the chunks it adds or hides stay within this share of the index's
# base build; past it, a full build. The delta's BM25 scores use the IDF of both layers, but the base's keep
# the IDF of the base alone, which a delta this small moves by under a tenth (and a full build of a small
# index takes seconds anyway).
COMPACT_AT = 0.1
# The manifest as last read, beside the index (ingest.manifest.load_manifest).
MANIFEST_CACHE = "manifest-cache.json"


@dataclass
class IngestReport:
    """What one ingest run did, for --stats and tests."""

    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    removed_chunks: int = 0
    changed: bool = False
    mode: str = "full"  # "full": a new build of the whole corpus; "delta": the changed files alone; "unchanged"
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
            "mode": self.mode,
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
               progress: Callable | None = None, store: IndexStore | None = None,
               compact_at: float = COMPACT_AT) -> IngestReport:
    """Bring the index in line with the corpus; embed only what changed; switch atomically. Few changed
    files (within compact_at of the index) are written alone into a delta build (see the module's doc)."""
    started = time.perf_counter()
    if embedder is not None:
        return _run_ingest(settings, rebuild, embedder, progress, store or IndexStore(settings), compact_at, started)
    # The model loads in its own process from the start, on the other core, while this one opens the store
    # and reads the manifest, the fingerprints and the changed files; a run with nothing to embed ends it unused.
    with ModelProcess(settings) as model:
        return _run_ingest(settings, rebuild, model, progress, store or IndexStore(settings), compact_at, started)


def _run_ingest(settings: Settings, rebuild: bool, embedder, progress: Callable | None, store: IndexStore,
                compact_at: float, started: float) -> IngestReport:
    if not rebuild:
        report = update(settings, store, embedder, progress, compact_at, started)
        if report is not None:
            report.seconds = time.perf_counter() - started
            return report
    prints = fingerprints(settings.corpus_dir)  # before reading: a file saved meanwhile is read again next time
    corpus = load_corpus(settings.corpus_dir, settings.max_file_mb, settings.store_dir / MANIFEST_CACHE)
    chunks = build_chunks(corpus, settings)
    ledger = ledger_of(corpus, chunks, prints)
    report = IngestReport(documents=len(corpus.documents), chunks=len(chunks),
                          removed_lines=corpus.removed_lines, skipped=corpus.skipped,
                          corpus_version=corpus_version(chunks))
    previous = {} if rebuild else _previous_records(store)
    if not rebuild and previous and _same(previous, chunks) and _calibrated(store, settings):
        store.drop_inactive()
        _keep_files_current(settings, store, ledger)
        report.reused, report.mode = len(chunks), "unchanged"
        report.seconds = time.perf_counter() - started
        return report

    vectors = {record["embed_hash"]: record["embedding"] for record in previous.values()}
    missing = [chunk for chunk in chunks if chunk.embed_hash not in vectors]
    report.embedded = len(missing)
    report.reused = len(chunks) - len(missing)
    report.removed_chunks = len(set(previous) - {chunk.id for chunk in chunks})
    report.changed = True

    with BuildWriter(settings, store, chunks, vectors) as writer:
        if missing:
            embed_started = time.perf_counter()
            _embed(missing, embedder, settings.embed_batch_size, vectors, writer, progress)
            report.embed_seconds = time.perf_counter() - embed_started
    collection = writer.collection
    # Before the flip, like the start-up files: readers never see a build without its refusal threshold.
    report.calibration = calibrate_build(settings, store, collection, embedder).as_dict()
    write_ledger(settings, collection.name, ledger)
    report.seconds = time.perf_counter() - started
    store.activate(collection, _description(report, settings, report.chunks))
    remove_other_builds(settings, keep=collection.name)
    remove_other_ledgers(settings, keep=collection.name)
    return report


def ledger_of(corpus: Corpus, chunks: list[Chunk], prints: dict[str, str]) -> dict[str, FileEntry]:
    """The ledger of a full build: every file's fingerprint, documents, chunks and skip reason."""
    ledger = {name: FileEntry(fingerprint) for name, fingerprint in prints.items()}
    for skipped in corpus.skipped:  # a file that appeared after the fingerprints gets none: read again next time
        ledger.setdefault(skipped.file, FileEntry("")).skipped = skipped.reason
    for document in corpus.documents:
        entry = ledger.setdefault(document.file, FileEntry(""))
        entry.sources.append(document.source_id)
        entry.hashes.append(document.content_hash)
    for chunk in chunks:
        ledger[chunk.metadata["file"]].records.append([chunk.id, chunk.record_hash])
    return ledger


# -- updates: the changed files alone, in a delta build --------------------------------------------------

@dataclass
class Changes:
    """What an update found: the ledger entries kept as they are, the files read again and their chunks."""

    kept: dict[str, FileEntry]
    read: dict[str, FileEntry]
    documents: list[SourceDocument]
    chunks: list[Chunk]
    dropped: set[str]  # ids of the chunks of changed and removed files, as they are indexed now
    dropped_sources: set[str]  # and the source ids of their documents
    skipped: list[Skipped]
    removed_lines: Counter


def update(settings: Settings, store: IndexStore, embedder, progress: Callable | None,
           compact_at: float = COMPACT_AT, started: float | None = None) -> IngestReport | None:
    """Index the files changed since the active build's ledger, alone, in a new delta build; None when a
    full build is due instead (no index or ledger, a recalibration, a clash only a full build resolves,
    or changes past compact_at of the index)."""
    # once (a library's runs to thousands of entries), kept as JSON beside the index between runs
    manifest = load_manifest(settings.corpus_dir, settings.store_dir / MANIFEST_CACHE)
    prints = fingerprints(settings.corpus_dir, manifest)
    last = sole_ledger(settings)
    try:
        info = store.info()
        active = store.active(info)
    except IndexNotFound:
        return None
    ledger = last[1] if last is not None and last[0] == active.name else read_ledger(settings, active.name)
    if ledger is None or info.get("calibration_version") != calibration_version(settings.scoring.refusal):
        return None
    changes = _changes(settings, ledger, prints, manifest)
    if changes is None:
        return None
    if not changes.read and not changes.dropped and len(ledger) == len(prints):
        return _unchanged(settings, store, active, ledger, info)
    base = active.base if isinstance(active, LayeredCollection) else active
    hidden = set(active.hidden) if isinstance(active, LayeredCollection) else set()
    kept_delta = _kept_delta(store, active, changes.dropped)
    hidden |= changes.dropped - _delta_ids(active)
    base_size = _base_size(info, base)
    if len(kept_delta) + len(changes.chunks) + len(hidden) > compact_at * base_size:
        return None
    return _write_delta(settings, store, active, base, base_size, hidden, kept_delta, changes, embedder, progress,
                        time.perf_counter() if started is None else started)


def _base_size(info: dict, base) -> int:
    """The chunks in the active base build, as ingest recorded them with the pointer (counting them opens the
    collection: seconds at a library's size); counted when the pointer does not say (an older store)."""
    size = info.get("base_chunks")
    return int(size) if size is not None else base.count()


def _changes(settings: Settings, ledger: dict[str, FileEntry], prints: dict[str, str],
             manifest: dict[str, dict]) -> Changes | None:
    """Read the files whose fingerprint differs from the ledger's (with their entries of `manifest`, read with
    the fingerprints); None when a full build must decide (a removed or changed file that another file's
    skipped duplicate named)."""
    changed = {name for name, fingerprint in prints.items()
               if name not in ledger or ledger[name].fingerprint != fingerprint}
    gone = set(ledger) - set(prints)
    kept = {name: entry for name, entry in ledger.items() if name not in changed | gone}
    left = changed | gone
    # A skipped duplicate names its original by file (or source id): if that goes, the duplicate is due.
    named = left | {source for name in left if name in ledger for source in ledger[name].sources}
    if any(entry.skipped.startswith("duplicate of ") and entry.skipped[len("duplicate of "):].split(" (")[0] in named
           for entry in kept.values()):
        return None
    seen = {content_hash: name for name, entry in kept.items() for content_hash in entry.hashes}
    taken = {source for entry in kept.values() for source in entry.sources}
    before = [ledger[name] for name in left if name in ledger]
    changes = Changes(kept, {}, [], [], {chunk_id for entry in before for chunk_id in entry.chunk_ids},
                      {source for entry in before for source in entry.sources}, [], Counter())
    for name in sorted(changed):
        entry = changes.read[name] = FileEntry(prints[name])
        path = settings.corpus_dir / name
        try:
            if path.suffix.lower() not in SUPPORTED:
                raise UnreadableFile(f"unsupported file type {path.suffix or '(none)'}")
            documents = load_documents(path, name, manifest.get(name, {}), changes.removed_lines, settings.max_file_mb)
        except UnreadableFile as error:
            entry.skipped = str(error)
            changes.skipped.append(Skipped(name, entry.skipped))
            continue
        for document in documents:
            if document.content_hash in seen:
                entry.skipped = f"duplicate of {seen[document.content_hash]} (indexed once)"
                changes.skipped.append(Skipped(name, entry.skipped))
                continue
            if document.source_id in taken:  # numbered as a full build numbers a clash (which goes by corpus order)
                document.source_id = _free_id(document.source_id, taken)
            seen[document.content_hash], entry.sources, entry.hashes = name, [*entry.sources, document.source_id], \
                [*entry.hashes, document.content_hash]
            taken.add(document.source_id)
            changes.documents.append(document)
            chunks = chunk_document(document, settings.chunk_words, settings.chunk_max_chars)
            entry.records += [[chunk.id, chunk.record_hash] for chunk in chunks]
            changes.chunks += chunks
    return changes


def _free_id(source_id: str, taken: set[str]) -> str:
    """source_id with the first free suffix -2, -3…, as ingest.documents numbers a clash."""
    number = 2
    while f"{source_id}-{number}" in taken:
        number += 1
    return f"{source_id}-{number}"


def _unchanged(settings: Settings, store: IndexStore, active, ledger: dict[str, FileEntry],
               info: dict) -> IngestReport:
    """The report of a run that found every file as the ledger has it (leftovers of killed runs removed)."""
    store.drop_inactive()
    _keep_files_current(settings, store)
    chunks = sum(len(entry.records) for entry in ledger.values())
    return IngestReport(documents=sum(len(entry.sources) for entry in ledger.values()), chunks=chunks,
                        reused=chunks, mode="unchanged",
                        skipped=[Skipped(name, entry.skipped) for name, entry in ledger.items() if entry.skipped],
                        corpus_version=info.get("corpus_version", ""),
                        calibration=info.get("stats", {}).get("calibration", {}))


def _delta_ids(active) -> set[str]:
    """Ids of the chunks in the active view's delta build (none without one)."""
    if not isinstance(active, LayeredCollection):
        return set()
    return set(active.delta.get(include=[])["ids"])


def _kept_delta(store: IndexStore, active, dropped: set[str]) -> list[StoredChunk]:
    """The active delta build's chunks, with their vectors, but for those of changed and removed files."""
    if not isinstance(active, LayeredCollection):
        return []
    return [chunk for chunk in store.all_chunks(active.delta, with_embeddings=True) if chunk.id not in dropped]


def _write_delta(settings: Settings, store: IndexStore, active, base, base_size: int, hidden: set[str],
                 kept_delta: list[StoredChunk], changes: Changes, embedder, progress, started: float) -> IngestReport:
    """Embed the new chunks (reusing the vectors of passages that did not change), write the new delta build,
    its start-up files, calibration and ledger, then flip to it."""
    ledger = {**changes.kept, **changes.read}
    report = IngestReport(documents=sum(len(entry.sources) for entry in ledger.values()),
                          chunks=sum(len(entry.records) for entry in ledger.values()), changed=True, mode="delta",
                          removed_chunks=len(changes.dropped - {chunk.id for chunk in changes.chunks}),
                          removed_lines=changes.removed_lines, skipped=changes.skipped,
                          corpus_version=_version_of(ledger))
    vectors = _old_vectors(active, changes.dropped)
    missing = list({chunk.embed_hash: chunk for chunk in changes.chunks if chunk.embed_hash not in vectors}.values())
    report.embedded, report.reused = len(missing), report.chunks - len(missing)
    if missing:
        embed_started = time.perf_counter()
        for start in range(0, len(missing), settings.embed_batch_size):
            batch = missing[start:start + settings.embed_batch_size]
            vectors.update(zip([c.embed_hash for c in batch],
                               embedder.get_text_embedding_batch([c.embed_text for c in batch])))
            if progress:
                progress(len(batch))
        report.embed_seconds = time.perf_counter() - embed_started
    records = kept_delta + [_stored(chunk, vectors[chunk.embed_hash]) for chunk in changes.chunks]
    delta = store.new_build(hides=sorted(hidden))
    store.add(delta, records)
    view = LayeredCollection(base, delta)
    catalogue = _catalogue(settings, store, active, records, changes)
    save_delta_files(settings, delta.name, records, catalogue)  # before the flip, like a full build's files
    report.calibration = calibrate_build(settings, store, view, embedder).as_dict()  # loads no model if kept
    write_ledger(settings, view.name, ledger)
    report.seconds = time.perf_counter() - started
    store.activate(view, _description(report, settings, base_size))
    remove_other_builds(settings, keep=view.name)
    remove_other_ledgers(settings, keep=view.name)
    return report


def _old_vectors(active, dropped: set[str]) -> dict:
    """embed hash -> vector of the chunks of changed files as indexed now (a passage that did not change
    keeps its vector)."""
    if not dropped:
        return {}
    got = active.get(ids=sorted(dropped), include=["metadatas", "embeddings"])
    return {meta.get("embed_hash"): np.asarray(vector, dtype=np.float32)
            for meta, vector in zip(got["metadatas"], got["embeddings"]) if meta.get("embed_model") == MODEL_NAME}


def _catalogue(settings: Settings, store: IndexStore, active, records: list[StoredChunk], changes: Changes) -> list[dict]:
    """The source documents of the layered view: the active one's, less those of changed and removed files
    and those now in the delta, plus the delta's."""
    old = load_catalogue(settings, active.name, StoredChunks(store, active))
    gone = changes.dropped_sources | {chunk.metadata.get("source_id") for chunk in records}
    merged = [entry for entry in old if entry["source_id"] not in gone] + catalogue_of(records)
    return sorted(merged, key=lambda s: (s["published"] or "0000", s["title"]), reverse=True)


def _version_of(ledger: dict[str, FileEntry]) -> str:
    """corpus_version() of the chunks the ledger lists, in the order a full build makes them."""
    digest = hashlib.sha256()
    for name in in_corpus_order(ledger):
        for chunk_id, record_hash in ledger[name].records:
            digest.update(f"{chunk_id}:{record_hash};".encode())
    return digest.hexdigest()[:12]


# Chunks per hand-over to the writer: two embedding batches, so that a small corpus's writes also overlap
# its embedding instead of all waiting for the end; few Chroma requests all the same.
FLUSH_AT = 128


class BuildWriter:
    """Writes a new build while the main thread embeds: one worker thread creates the build's collection
    (opening the store, which imports Chroma, overlaps the first batches), saves the start-up files (they
    need only texts and metadata) and adds chunks to the collection in document order as soon as their
    vectors are known. Embedding runs in torch, which releases the GIL, so the writing mostly overlaps it.
    A failed write is raised at the next hand-over, so that a store that cannot be written stops the run
    before the rest is embedded. Leaving the `with` block waits for every write and raises the first error;
    nothing is activated here."""

    def __init__(self, settings: Settings, store: IndexStore, chunks: list[Chunk], vectors: dict):
        self.store, self.chunks, self.vectors = store, chunks, vectors
        self.written = 0  # chunks[:written] are handed to the worker
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer")
        self._collection = self.pool.submit(store.new_build)
        records = [_stored(chunk, None) for chunk in chunks]
        # Before the flip: readers never see a build without its files.
        self.pending = [self._collection,
                        self.pool.submit(lambda: save_build_files(settings, self.collection.name, records))]
        self.flush()

    @property
    def collection(self):
        """The new build's collection (waits for the worker to have created it)."""
        return self._collection.result()

    def flush(self, final: bool = False) -> None:
        """Hand over the chunks, from the first not yet written, whose vectors are known (at least
        FLUSH_AT of them, or all that are ready when final); first raise a write that failed."""
        for future in self.pending:
            if future.done() and future.exception() is not None:
                raise future.exception()
        ready = self.written
        while ready < len(self.chunks) and self.chunks[ready].embed_hash in self.vectors:
            ready += 1
        if ready - self.written >= FLUSH_AT or (final and ready > self.written):
            batch = [_stored(chunk, self.vectors[chunk.embed_hash]) for chunk in self.chunks[self.written:ready]]
            self.pending.append(self.pool.submit(lambda: self.store.add(self.collection, batch)))
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


def _keep_files_current(settings: Settings, store: IndexStore, ledger: dict[str, FileEntry] | None = None) -> None:
    """An unchanged corpus still gets the active build's start-up files (and, given one, its ledger) when
    they are missing or stale (a store built by an older version), so the next start does not compute them
    and the next update reads only what changed; other builds' files go."""
    collection = store.active()
    load_build_files(settings, collection.name, StoredChunks(store, collection))
    remove_other_builds(settings, keep=collection.name)
    if ledger is not None and read_ledger(settings, collection.name) is None:
        write_ledger(settings, collection.name, ledger)
    remove_other_ledgers(settings, keep=collection.name)


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


def _description(report: IngestReport, settings: Settings, base_chunks: int) -> dict:
    return {
        "base_chunks": base_chunks,  # in the base build (of a layered view: not counting its delta)
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "corpus_version": report.corpus_version,
        "embed_model": MODEL_NAME,
        "mode": report.mode,
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
