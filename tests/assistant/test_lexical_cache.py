"""The BM25 index cached on disk per index build: reused when current, rebuilt when anything it depends on changes."""

from __future__ import annotations

import numpy as np
import pytest

from assistant import lexical_cache
from assistant.lexical_cache import cache_dir, load_lexical
from assistant.retrieval import HybridRetriever
from assistant.settings import Settings
from assistant.store import StoredChunk

pytestmark = pytest.mark.unit


def chunk(n: int, text: str) -> StoredChunk:
    return StoredChunk(f"doc-{n}#0", text, {"source_id": f"doc-{n}", "title": f"Document {n}", "section": ""})


CHUNKS = [
    chunk(0, "The Department for Education (DfE) published its strategy for children's social care."),
    chunk(1, "Agency social workers cost councils far more than permanent staff, and pay caps were proposed."),
    chunk(2, "Kinship carers will receive an allowance in eight local authority areas."),
    chunk(3, "Family help brings early help and child in need work together."),
]

QUERIES = ["family help", "What did the DfE publish?", "agency pay caps", "kinship allowance", "unknownword"]


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(store_dir=tmp_path / "store")


def assert_same_index(index, fresh) -> None:
    assert index.vocabulary == fresh.vocabulary and index.idf == fresh.idf and index.max_idf == fresh.max_idf
    for query in QUERIES:
        assert np.array_equal(index.scores(query), fresh.scores(query)), query


def files(settings: Settings) -> list[str]:
    return sorted(path.name for path in cache_dir(settings).iterdir())


def test_first_load_builds_and_saves_then_the_file_is_used(settings, monkeypatch):
    first = load_lexical(settings, "reform-build-a", CHUNKS)
    assert files(settings) == ["reform-build-a.pkl"]
    monkeypatch.setattr(HybridRetriever, "build_lexical", staticmethod(lambda *_: pytest.fail("rebuilt")))
    second = load_lexical(settings, "reform-build-a", CHUNKS)
    assert second.chunks is CHUNKS
    assert_same_index(second, first)


def test_a_cached_index_scores_like_a_fresh_one(settings):
    load_lexical(settings, "reform-build-a", CHUNKS)
    assert_same_index(load_lexical(settings, "reform-build-a", CHUNKS), HybridRetriever.build_lexical(settings, CHUNKS))


def test_a_new_build_gets_its_own_index_and_the_old_file_goes(settings):
    load_lexical(settings, "reform-build-a", CHUNKS)
    changed = CHUNKS[:-1] + [chunk(9, "A newly ingested article about family hubs.")]
    index = load_lexical(settings, "reform-build-b", changed)
    assert "hub" in index.vocabulary
    assert_same_index(index, HybridRetriever.build_lexical(settings, changed))
    assert files(settings) == ["reform-build-b.pkl"]


@pytest.mark.parametrize("change", ["chunks", "settings", "code"])
def test_anything_the_index_depends_on_changing_rebuilds_it(settings, monkeypatch, change):
    load_lexical(settings, "reform-build-a", CHUNKS)
    chunks = CHUNKS
    if change == "chunks":  # same build name, other chunk ids: never trust the file
        chunks = CHUNKS[:-1] + [chunk(9, "A newly ingested article about family hubs.")]
    elif change == "settings":
        settings = settings.with_overrides(bm25_k1=1.5)
    else:
        real = lexical_cache.cache_key
        monkeypatch.setattr(lexical_cache, "cache_key", lambda *args: real(*args) + "-edited")
    built = []
    real_build = HybridRetriever.build_lexical
    monkeypatch.setattr(HybridRetriever, "build_lexical",
                        staticmethod(lambda *args: built.append(1) or real_build(*args)))
    index = load_lexical(settings, "reform-build-a", chunks)
    assert built == [1]
    assert_same_index(index, real_build(settings, chunks))


def test_a_damaged_file_is_rebuilt_not_fatal(settings):
    load_lexical(settings, "reform-build-a", CHUNKS)
    (cache_dir(settings) / "reform-build-a.pkl").write_bytes(b"\x80\x05truncated")
    assert_same_index(load_lexical(settings, "reform-build-a", CHUNKS), HybridRetriever.build_lexical(settings, CHUNKS))
    assert files(settings) == ["reform-build-a.pkl"]


def test_an_unwritable_store_still_loads(settings, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr(lexical_cache.tempfile, "NamedTemporaryFile", refuse)
    index = load_lexical(settings, "reform-build-a", CHUNKS)
    assert_same_index(index, HybridRetriever.build_lexical(settings, CHUNKS))


def test_no_cache_for_a_chroma_server(settings):
    server = settings.with_overrides(chroma_host="127.0.0.1")
    assert cache_dir(server) is None
    load_lexical(server, "reform-build-a", CHUNKS)
    assert not (settings.store_dir / lexical_cache.FOLDER).exists()
