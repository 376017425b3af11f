"""A build's start-up files (BM25 index, vocabulary, IDF, acronyms, catalogue): saved at ingest, opened at
start without the chunks, rebuilt when missing, stale or damaged."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.retrieval import build_files as lexical_cache
from assistant.retrieval.build_files import (LayeredLexical, catalogue_of, files_root, load_build_files, load_lexical,
                                             remove_other_builds, save_build_files, save_delta_files)
from assistant.retrieval.fusion import Filters, HybridRetriever, InMemoryChunks
from assistant.retrieval.lexical import LexicalIndex, TABLES
from assistant.retrieval.store import StoredChunk
from assistant.settings import Settings

pytestmark = pytest.mark.unit


def chunk(n: int, text: str, publisher: str = "", published: str = "") -> StoredChunk:
    return StoredChunk(f"doc-{n}#0", text, {"source_id": f"doc-{n}", "title": f"Document {n}", "section": "",
                                            "publisher": publisher, "published": published})


CHUNKS = [
    chunk(0, "The Department for Education (DfE) published its strategy for children's social care.",
          "Government", "2023-02-02"),
    chunk(1, "Agency social workers cost councils far more than permanent staff, and pay caps were proposed.",
          "News", "2023-09-14"),
    chunk(2, "Kinship carers will receive an allowance in eight local authority areas.", "News", ""),
    chunk(3, "Family help brings early help and child in need work together."),
]

QUERIES = ["family help", "What did the DfE publish?", "agency pay caps", "kinship allowance", "unknownword"]


class NoChunks(InMemoryChunks):
    """A chunk source that fails the test if start-up reads the whole corpus."""

    def __init__(self):
        super().__init__([])

    def all(self):
        pytest.fail("read every chunk")


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(store_dir=tmp_path / "store")


def assert_same_index(index: LexicalIndex, fresh: LexicalIndex) -> None:
    assert index.vocabulary == fresh.vocabulary and index.idf == fresh.idf and index.max_idf == fresh.max_idf
    assert index.ids == fresh.ids and index.publishers == fresh.publishers
    assert index.aliases.long_forms == fresh.aliases.long_forms
    assert [index.row_metadata(row) for row in range(index.size)] == [fresh.row_metadata(r) for r in range(fresh.size)]
    for query in QUERIES:
        assert np.array_equal(index.scores(query), fresh.scores(query)), query


def folders(settings: Settings) -> list[str]:
    return sorted(path.name for path in files_root(settings).iterdir())


def test_files_saved_at_ingest_open_without_reading_the_chunks(settings):
    save_build_files(settings, "reform-build-a", CHUNKS)
    assert folders(settings) == ["reform-build-a"]
    files = load_build_files(settings, "reform-build-a", NoChunks())
    assert_same_index(files.lexical, HybridRetriever.build_lexical(settings, CHUNKS))
    assert files.catalogue == catalogue_of(CHUNKS)


def test_the_bm25_arrays_are_memory_mapped_not_read(settings):
    save_build_files(settings, "reform-build-a", CHUNKS)
    index = load_lexical(settings, "reform-build-a", NoChunks())
    assert isinstance(index.bm25.scores["data"], np.memmap)


def test_the_catalogue_counts_chunks_per_source_newest_first():
    chunks = CHUNKS + [StoredChunk("doc-1#1", "More on agency pay.", dict(CHUNKS[1].metadata))]
    catalogue = catalogue_of(chunks)
    assert [source["source_id"] for source in catalogue] == ["doc-1", "doc-0", "doc-3", "doc-2"]
    assert {source["source_id"]: source["chunks"] for source in catalogue} == {"doc-0": 1, "doc-1": 2, "doc-2": 1,
                                                                               "doc-3": 1}


def test_missing_files_are_built_from_the_chunks_once_then_opened(settings, monkeypatch):
    # a store built before ingest saved the files
    first = load_build_files(settings, "reform-build-a", InMemoryChunks(CHUNKS))
    assert folders(settings) == ["reform-build-a"]
    monkeypatch.setattr(HybridRetriever, "build_lexical", staticmethod(lambda *_: pytest.fail("rebuilt")))
    second = load_build_files(settings, "reform-build-a", NoChunks())
    assert_same_index(second.lexical, first.lexical)


@pytest.mark.parametrize("change", ["settings", "code"])
def test_files_from_other_settings_or_tokenising_code_are_rebuilt(settings, monkeypatch, change):
    save_build_files(settings, "reform-build-a", CHUNKS)
    if change == "settings":
        settings = settings.with_overrides(bm25_k1=1.5)
    else:
        real = lexical_cache.build_key
        monkeypatch.setattr(lexical_cache, "build_key", lambda *args: real(*args) + "-edited")
    index = load_lexical(settings, "reform-build-a", InMemoryChunks(CHUNKS))
    assert index.bm25.k1 == settings.bm25_k1
    assert_same_index(index, HybridRetriever.build_lexical(settings, CHUNKS))
    assert (files_root(settings) / "reform-build-a" / "key").read_text() == lexical_cache.build_key(settings)


def test_an_edit_to_a_tokenising_module_changes_the_key(settings, monkeypatch, tmp_path):
    before = lexical_cache.build_key(settings)
    package = tmp_path / "package"
    package.mkdir()
    for module in lexical_cache.TOKENISING_MODULES:
        (package / module).parent.mkdir(parents=True, exist_ok=True)  # data files sit in data/
        (package / module).write_text("# edited\n")
    monkeypatch.setattr(lexical_cache.assistant, "__file__", str(package / "__init__.py"))
    assert lexical_cache.build_key(settings) != before


@pytest.mark.parametrize("damage", ["truncated tables", "no key", "missing bm25 array"])
def test_damaged_files_are_rebuilt_not_fatal(settings, damage):
    save_build_files(settings, "reform-build-a", CHUNKS)
    folder = files_root(settings) / "reform-build-a"
    if damage == "truncated tables":
        (folder / TABLES).write_text('{"ids": [')
    elif damage == "no key":
        (folder / "key").unlink()
    else:
        next((folder / "bm25").glob("data*.npy")).unlink()
    index = load_lexical(settings, "reform-build-a", InMemoryChunks(CHUNKS))
    assert_same_index(index, HybridRetriever.build_lexical(settings, CHUNKS))
    assert_same_index(load_lexical(settings, "reform-build-a", NoChunks()), index)  # and saved whole again


def test_an_unwritable_store_still_loads(settings, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr(lexical_cache.tempfile, "mkdtemp", refuse)
    index = load_lexical(settings, "reform-build-a", InMemoryChunks(CHUNKS))
    assert_same_index(index, HybridRetriever.build_lexical(settings, CHUNKS))


def test_a_new_build_gets_its_own_files_and_the_others_go(settings):
    save_build_files(settings, "reform-build-a", CHUNKS)
    changed = CHUNKS[:-1] + [chunk(9, "A newly ingested article about family hubs.")]
    save_build_files(settings, "reform-build-b", changed)
    (files_root(settings) / ".reform-build-c.x.tmp").mkdir()  # left by a run killed while writing
    assert remove_other_builds(settings, keep="reform-build-b")
    assert folders(settings) == ["reform-build-b"]
    index = load_lexical(settings, "reform-build-b", NoChunks())
    assert "hub" in index.vocabulary and "doc-9#0" in index.ids


def test_an_empty_build_saves_and_scores_nothing(settings):
    save_build_files(settings, "reform-empty", [])
    index = load_lexical(settings, "reform-empty", NoChunks())
    assert index.size == 0 and len(index.scores("family help")) == 0


# -- a delta build layered over a base ------------------------------------------------------------------

def layered(base: list[StoredChunk], delta: list[StoredChunk], hidden=frozenset()) -> LayeredLexical:
    return LayeredLexical(LexicalIndex(base), LexicalIndex(delta), frozenset(hidden))


def test_a_layered_index_has_the_vocabulary_and_idf_of_one_index_over_both_layers():
    index, whole = layered(CHUNKS[:3], CHUNKS[3:]), LexicalIndex(CHUNKS)
    assert index.ids == whole.ids and index.size == whole.size and index.vocabulary == whole.vocabulary
    assert index.idf == pytest.approx(whole.idf) and index.max_idf == pytest.approx(whole.max_idf)
    assert index.aliases.long_forms == whole.aliases.long_forms and index.publishers == whole.publishers
    assert [index.row_metadata(row) for row in range(index.size)] == [whole.row_metadata(r) for r in range(whole.size)]


def test_a_layered_index_ranks_as_one_index_over_both_layers():
    many = CHUNKS + [chunk(n, f"Report {n} on family help and kinship care in region {n}.") for n in range(4, 30)]
    index, whole = layered(many[:-3], many[-3:]), LexicalIndex(many)
    for query in QUERIES + ["region 29 kinship", "family help region 5"]:
        ours, theirs = index.scores(query), whole.scores(query)
        assert list(np.argsort(-ours, kind="stable")[:3]) == list(np.argsort(-theirs, kind="stable")[:3]), query


def test_delta_scores_use_the_idf_of_both_layers_not_the_delta_alone():
    """A word in every chunk of the delta but rare overall still scores as rare."""
    delta = [chunk(7, "Kinship allowance news."), chunk(8, "Kinship allowance figures.")]
    index = layered(CHUNKS, delta)
    alone = LexicalIndex(delta).scores("kinship")
    assert index.scores("kinship")[-2:].min() > 2 * alone.max()


def test_hidden_base_rows_score_nothing_and_their_new_version_scores():
    changed = chunk(1, "Agency social workers: councils agreed a national pay cap.", "News", "2024-01-01")
    index = layered(CHUNKS, [changed], hidden={"doc-1#0"})
    scores = index.scores("agency pay caps")
    assert scores[1] == 0 and scores[-1] > 0 and index.ids[-1] == "doc-1#0"
    assert index.row_metadata(index.size - 1)["published"] == "2024-01-01"


def test_a_layered_view_loads_both_builds_files_without_reading_chunks(settings):
    from assistant.retrieval.store import LAYER_SEPARATOR

    save_build_files(settings, "base", CHUNKS[:3])
    save_delta_files(settings, "delta", CHUNKS[3:], catalogue_of(CHUNKS))

    class View(NoChunks):
        collection = type("Collection", (), {"hidden": frozenset({"doc-2#0"})})()

    files = load_build_files(settings, f"base{LAYER_SEPARATOR}delta", View())
    assert isinstance(files.lexical, LayeredLexical) and files.catalogue == catalogue_of(CHUNKS)
    assert files.lexical.scores("kinship allowance")[2] == 0
    assert remove_other_builds(settings, keep=f"base{LAYER_SEPARATOR}delta") == []


def test_a_layered_index_filters_the_rows_of_both_layers():
    base = [StoredChunk("a#0", "Family help hubs.", {"publisher": "Example Trust", "published": "2023-05-02"}),
            StoredChunk("b#0", "Kinship carers.", {"publisher": "Other Body", "published": ""})]
    delta = [StoredChunk("c#0", "Family help hubs open.", {"publisher": "Example Trust", "published": "2024-01-09"})]
    index = layered(base, delta)
    cases = [(["Example Trust"], None, None), ([], "2024-01-01", None), ([], None, "2023-12-31")]
    for publishers, date_from, date_to in cases:
        mask = index.row_mask(publishers, date_from, date_to)
        accepts = Filters(publishers=publishers, date_from=date_from, date_to=date_to).accepts
        assert list(mask) == [accepts(index.row_metadata(row)) for row in range(index.size)]
