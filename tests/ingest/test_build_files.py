"""Ingest writes each build's start-up files (lexical index, catalogue) before the pointer flips, and the
retriever answers from them and from passages fetched by id, as it does from chunks held in memory."""

import shutil

import pytest

from assistant.retrieval.build_files import catalogue_of, files_root, load_build_files
from assistant.retrieval.fusion import Filters, HybridRetriever
from assistant.retrieval.store import IndexStore, StoredChunks, VectorSearch
from assistant.settings import Settings
from ingest import pipeline
from ingest.pipeline import run_ingest
from tests.ingest.test_atomic_ingest import small_corpus

pytestmark = pytest.mark.integration

FILES = ["001_afa225e47d7fdaac.txt", "002_4acc66fe3a8041a3.txt", "manifest.yaml"]
QUERIES = ["What did unions say about caseloads?", "regional care co-operatives", "What did the DfE decide?"]


class EveryChunkForbidden(StoredChunks):
    def all(self):
        pytest.fail("read every chunk")


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(corpus_dir=small_corpus(tmp_path, FILES), store_dir=tmp_path / "store")


def folders(settings: Settings) -> list[str]:
    return sorted(path.name for path in files_root(settings).iterdir())


def test_ingest_saves_the_active_build_s_files_and_retrieval_from_them_matches_memory(settings, embedder):
    run_ingest(settings, embedder=embedder)
    store = IndexStore(settings)
    collection = store.active()
    assert folders(settings) == [collection.name]
    files = load_build_files(settings, collection.name, EveryChunkForbidden(store, collection))
    chunks = store.all_chunks(collection)
    assert files.lexical.ids == [chunk.id for chunk in chunks] and files.catalogue == catalogue_of(chunks)

    from_files = HybridRetriever(settings, EveryChunkForbidden(store, collection), VectorSearch(collection), embedder,
                                 files.lexical)
    in_memory = HybridRetriever(settings, chunks, VectorSearch(collection), embedder)
    found = 0
    for query in QUERIES:
        for filters in (Filters(), Filters(date_from="2016-02-01"), Filters(prefer_recent=True)):
            expected = [(p.chunk_id, p.text, p.metadata, p.score, p.dense, p.lexical)
                        for p in in_memory.retrieve(query, filters)]
            assert [(p.chunk_id, p.text, p.metadata, p.score, p.dense, p.lexical)
                    for p in from_files.retrieve(query, filters)] == expected
            found += len(expected)
    assert found


def test_a_new_build_replaces_the_files_and_an_unchanged_run_restores_missing_ones(settings, embedder):
    run_ingest(settings, embedder=embedder)
    first = IndexStore(settings).active().name
    (settings.corpus_dir / FILES[0]).unlink()
    run_ingest(settings, embedder=embedder)
    second = IndexStore(settings).active().name
    assert second != first and folders(settings) == [second]
    shutil.rmtree(files_root(settings))  # a store built before ingest saved the files
    assert not run_ingest(settings, embedder=embedder).changed
    assert folders(settings) == [second]


def test_a_failure_writing_the_files_leaves_the_previous_build_active(settings, embedder, monkeypatch):
    run_ingest(settings, embedder=embedder)
    before = IndexStore(settings).active().name

    def fail(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(pipeline, "save_build_files", fail)
    (settings.corpus_dir / FILES[0]).write_text("A new text about family hubs.\n", encoding="utf-8")
    with pytest.raises(OSError, match="disk full"):
        run_ingest(settings, embedder=embedder)
    assert IndexStore(settings).active().name == before and folders(settings) == [before]


def test_chunks_are_written_in_document_order_across_hand_overs(settings, embedder, monkeypatch):
    monkeypatch.setattr(pipeline, "FLUSH_AT", 7)  # many hand-overs to the writer thread
    report = run_ingest(settings, embedder=embedder)
    collection = IndexStore(settings).active()
    got = collection.get(include=[])["ids"]
    expected = [chunk.id for chunk in pipeline.build_chunks(pipeline.load_corpus(settings.corpus_dir), settings)]
    assert got == expected and report.chunks == len(expected)
