"""A delta build layered over a base build reads, for every call readers make, as one collection holding
the base's unhidden records and the delta's (real Chroma, small random vectors)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.retrieval.store import IndexStore, LayeredCollection, StoredChunk, StoredChunks, VectorSearch
from assistant.settings import Settings

pytestmark = pytest.mark.integration

DIMENSIONS = 8


def records(ids: list[str], rng, publisher: str = "Base") -> list[StoredChunk]:
    vectors = rng.normal(size=(len(ids), DIMENSIONS)).astype(np.float32)
    return [StoredChunk(chunk_id, f"text of {chunk_id}", {"publisher": publisher}, vector / np.linalg.norm(vector))
            for chunk_id, vector in zip(ids, vectors)]


@pytest.fixture
def layers(tmp_path):
    """A base of 60 records, a delta replacing two of them and adding three, hiding five in all."""
    rng = np.random.default_rng(3)
    store = IndexStore(Settings(store_dir=tmp_path / "store"))
    base_records = records([f"a#{n:03d}" for n in range(60)], rng)
    base = store.new_build()
    store.add(base, base_records)
    hidden = ["a#001", "a#002", "a#010", "a#011", "a#012"]  # 1 and 2 changed, 10 to 12 removed
    delta_records = records(["a#001", "a#002", "b#000", "b#001", "b#002"], rng, publisher="Delta")
    delta = store.new_build(hides=hidden)
    store.add(delta, delta_records)
    visible = [r for r in base_records if r.id not in hidden] + delta_records
    return store, base, delta, visible


def nearest(visible: list[StoredChunk], query: np.ndarray, k: int, publisher: str | None = None) -> list[str]:
    """The k nearest visible records by cosine, worked out by hand."""
    pool = [r for r in visible if publisher is None or r.metadata["publisher"] == publisher]
    return [r.id for r in sorted(pool, key=lambda r: -float(r.embedding @ query))[:k]]


def test_nearest_records_are_those_of_one_collection_of_the_visible_records(layers):
    store, base, delta, visible = layers
    view = LayeredCollection(base, delta)
    search = VectorSearch(view)
    for record in visible[::7] + [r for r in visible if r.id.startswith("a#01")]:
        for k in (1, 5, 20):
            assert list(search.query(record.embedding.tolist(), k)) == nearest(visible, record.embedding, k)
    # The nearest to a hidden record's old vector: the base must be asked past the hidden ones.
    old = base.get(ids=["a#010"], include=["embeddings"])["embeddings"][0]
    assert list(search.query(list(map(float, old)), 3)) == nearest(visible, np.asarray(old, dtype=np.float32), 3)
    assert list(search.query(visible[0].embedding.tolist(), 4, where={"publisher": "Delta"})) == \
        nearest(visible, visible[0].embedding, 4, publisher="Delta")


def test_records_by_id_come_from_the_delta_then_the_unhidden_base(layers):
    store, base, delta, visible = layers
    view = LayeredCollection(base, delta)
    fetched = StoredChunks(store, view).fetch(["a#001", "a#010", "a#020", "b#002", "missing"])
    assert sorted(fetched) == ["a#001", "a#020", "b#002"]
    assert fetched["a#001"].metadata["publisher"] == "Delta" and fetched["a#020"].metadata["publisher"] == "Base"
    similarities = VectorSearch(view).similarities(visible[-1].embedding.tolist(), ["a#001", "a#011", "b#002"])
    assert sorted(similarities) == ["a#001", "b#002"] and similarities["b#002"] == pytest.approx(1.0, abs=1e-5)


def test_every_chunk_of_the_view_and_the_pointer_to_it(layers):
    store, base, delta, visible = layers
    view = LayeredCollection(base, delta)
    assert [c.id for c in store.all_chunks(view)] == sorted(r.id for r in visible)
    assert view.count() == len(visible)
    store.activate(view, {"corpus_version": "v"})
    active = store.active()
    assert isinstance(active, LayeredCollection) and active.name == view.name and active.hidden == view.hidden
    store.activate(base, {"corpus_version": "w"})  # a full build again: the delta goes
    assert not isinstance(store.active(), LayeredCollection)
    assert {c.name for c in store.client.list_collections()} == {base.name, "reform-meta"}


class Recording:
    """A collection that records the `where` of every query it passes on."""

    def __init__(self, collection):
        self.collection, self.wheres = collection, []

    def query(self, **kwargs):
        self.wheres.append(kwargs.get("where"))
        return self.collection.query(**kwargs)


@pytest.mark.parametrize("publisher", ["Base", "Delta"])
@pytest.mark.parametrize("share", [0.0, 0.1, 0.5, 0.92, 1.0])
def test_a_filtered_search_finds_the_nearest_records_the_filter_passes_however_it_is_asked(layers, publisher, share):
    """Whatever share of the index the caller reckons the filter passes (0: not reckoned), the k nearest
    records it passes come back: from an unfiltered query's nearest when enough of them pass, else from
    Chroma's own filtered query."""
    store, base, delta, visible = layers
    view = Recording(LayeredCollection(base, delta))
    search = VectorSearch(view)
    for record in visible[::11]:
        for k in (1, 4, 20):
            expected = nearest(visible, record.embedding, k, publisher=publisher)
            view.wheres.clear()
            got = search.query(record.embedding.tolist(), k, where={"publisher": publisher}, share=share)
            assert list(got) == expected[:len(got)] and len(got) == min(k, len(expected))
            if share < 0.1:
                assert view.wheres == [{"publisher": publisher}]  # Chroma filters
            elif publisher == "Base":  # 55 of 60 records pass: the unfiltered nearest hold k of them
                assert view.wheres == [None]
