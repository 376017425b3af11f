"""A delta build layered over a base build reads, for every call readers make, as one collection holding
the base's unhidden records and the delta's (real Chroma, small random vectors)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.retrieval.store import (IndexStore, LayeredCollection, StoredChunk, StoredChunks, VectorSearch,
                                       matches)
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


# -- filtered nearest-neighbour search: unfiltered nearest filtered here, else Chroma's filtered query --------

PUBLISHERS = ("Alpha", "Beta", "Gamma")
WHERES = [
    {"publisher": "Beta"},
    {"publisher": {"$in": ["Alpha", "Gamma"]}},
    {"published_ord": {"$gte": 20230101}},
    {"published_ord": {"$lte": 20211231}},
    {"$and": [{"publisher": {"$in": ["Beta"]}}, {"published_ord": {"$gte": 20220101}},
              {"published_ord": {"$lte": 20241231}}]},
    {"$or": [{"publisher": "Gamma"}, {"published_ord": {"$gt": 20240601}}]},
    {"published_ord": {"$lt": 20200101}},  # accepts a few records only
    {"publisher": "Nobody"},
]


@pytest.fixture
def dated(tmp_path):
    """300 records with a publisher each and a date (published_ord), 0 or none for some, as ingest stores them."""
    rng = np.random.default_rng(11)
    store = IndexStore(Settings(store_dir=tmp_path / "store"))
    collection = store.new_build()
    chunks = records([f"d#{n:03d}" for n in range(300)], rng)
    for n, chunk in enumerate(chunks):
        chunk.metadata = {"publisher": PUBLISHERS[n % 3]}
        if n % 17:  # every 17th has no date field at all
            chunk.metadata["published_ord"] = 0 if n % 13 == 0 else int(f"{2019 + n % 7}{1 + n % 12:02d}15")
    store.add(collection, chunks)
    return store, collection, chunks


@pytest.mark.parametrize("where", WHERES)
def test_matches_decides_as_chroma_does(dated, where):
    store, collection, chunks = dated
    chroma = set(collection.get(where=where, include=[])["ids"])
    assert {chunk.id for chunk in chunks if matches(where, chunk.metadata)} == chroma


def test_operators_left_to_chroma_are_not_decided_here():
    assert matches({"publisher": {"$ne": "Alpha"}}, {"publisher": "Beta"}) is None
    assert matches({"$not": {"publisher": "Alpha"}}, {"publisher": "Beta"}) is None
    assert matches({"published_ord": {"$gte": "2024"}}, {"published_ord": 20240101}) is None


@pytest.mark.parametrize("layered", [False, True])
def test_a_filtered_search_equals_chroma_s_filtered_query(dated, layered):
    store, collection, chunks = dated
    if layered:  # the same records, two of them moved to a delta build that hides their base versions
        moved = [StoredChunk(c.id, c.text, dict(c.metadata), c.embedding) for c in chunks[:2]]
        delta = store.new_build(hides=[c.id for c in moved])
        store.add(delta, moved)
        collection = LayeredCollection(collection, delta)
    search = VectorSearch(collection)
    for chunk in chunks[::23]:
        for where in WHERES:
            share = sum(bool(matches(where, c.metadata)) for c in chunks) / len(chunks)
            for k in (1, 10, 30):
                expected = collection.query(query_embeddings=[chunk.embedding.tolist()], n_results=k, where=where,
                                            include=["distances"])
                got = search.query(chunk.embedding.tolist(), k, where, share=share)
                assert list(got) == expected["ids"][0]
                assert list(got.values()) == pytest.approx([1 - d for d in expected["distances"][0]], abs=1e-6)
    # A share too small to over-fetch for, or one that promises more than the filter accepts: still exact.
    sparse = {"published_ord": {"$lt": 20200101}}
    query = chunks[5].embedding.tolist()
    expected = collection.query(query_embeddings=[query], n_results=10, where=sparse, include=["distances"])["ids"][0]
    assert list(search.query(query, 10, sparse, share=0.001)) == expected
    assert list(search.query(query, 10, sparse, share=1.0)) == expected


def test_a_filtered_search_mostly_skips_chroma_s_filtered_query(dated, monkeypatch):
    store, collection, chunks = dated
    asked = []
    real = type(collection).query

    def recording(self, *args, **kwargs):
        asked.append(kwargs.get("where"))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(collection), "query", recording)
    VectorSearch(collection).query(chunks[0].embedding.tolist(), 10, {"publisher": "Beta"}, share=1 / 3)
    assert asked == [None]  # one unfiltered request, filtered here
