"""The refusal threshold derived from each index at ingest, stored with it and used by the assistant."""

import pytest

from assistant.models import Passage
from assistant.retrieval.calibration import calibrate, calibration_version, off_topic_probes
from assistant.scoring import RefusalWeights

pytestmark = pytest.mark.unit


def test_probes_are_packaged_questions():
    probes = off_topic_probes()
    assert len(probes) >= 30 and all(probe.endswith("?") for probe in probes)


def test_threshold_is_the_best_probe_support_plus_the_margin():
    strong = [Passage("a#0", "cake recipe baking", {}, dense=0.4)]
    weak = [Passage("b#0", "family help", {}, dense=0.1)]
    idf = {"cake": 3.0, "recip": 3.0, "bake": 3.0, "famili": 1.0, "help": 1.0}
    result = calibrate(lambda q: strong if "cake" in q else weak, idf, ["Give me a cake recipe?", "Who won?"])
    assert result.probe_max == pytest.approx(0.4 + 0.5 * 1.0, abs=1e-3)  # cosine + half the coverage
    assert result.min_support == pytest.approx(result.probe_max + RefusalWeights().calibration_margin, abs=1e-3)
    assert result.probes == 2


def test_the_margin_and_the_support_weights_come_from_the_scoring_config():
    passages = [Passage("a#0", "cake recipe", {}, dense=0.4)]
    idf = {"cake": 1.0, "recip": 1.0}
    wider = RefusalWeights(calibration_margin=0.3, coverage=1.0)
    result = calibrate(lambda q: passages, idf, ["A cake recipe?"], weights=wider)
    assert result.probe_max == pytest.approx(0.4 + 1.0 * 1.0, abs=1e-3)
    assert result.min_support == pytest.approx(result.probe_max + 0.3, abs=1e-3) and result.margin == 0.3
    assert calibration_version(wider) != calibration_version()  # a changed weight recalibrates the index


@pytest.mark.integration
def test_ingest_stores_the_threshold_and_the_assistant_uses_it(bot):
    info = bot.index_info
    assert 0.2 < float(info["min_support"]) < 0.9
    assert bot.min_support == pytest.approx(float(info["min_support"]))
    calibration = info["stats"]["calibration"]
    assert calibration["probes"] == len(off_topic_probes())
    assert calibration["min_support"] == pytest.approx(calibration["probe_max"] + calibration["margin"], abs=1e-3)


# -- a delta calibrated from its base's kept answers (assistant.retrieval.probe_memory) --------------------------

def _answers(settings, store, view, vectors: dict) -> dict:
    """Every probe's passages as the calibration retrieves them from view: ids, fused scores, cosines, BM25."""
    from assistant.retrieval.build_files import load_build_files
    from assistant.retrieval.fusion import HybridRetriever
    from assistant.retrieval.store import StoredChunks, VectorSearch

    source = StoredChunks(store, view)
    retriever = HybridRetriever(settings, source, VectorSearch(view), None,
                                load_build_files(settings, view.name, source).lexical)
    return {probe: [(p.chunk_id, p.score, p.dense, p.lexical, p.text, p.metadata)
                    for p in retriever.retrieve(probe, k=settings.top_k, query_embedding=vector)]
            for probe, vector in vectors.items()}


@pytest.mark.integration
def test_a_delta_calibrated_from_its_base_s_kept_answers_equals_one_that_searches_the_base(
        tmp_path, remembering_embedder, monkeypatch):

    from assistant.retrieval import calibration
    from assistant.retrieval.build_files import files_root
    from assistant.retrieval.probe_memory import FILE, RememberedBuild
    from assistant.retrieval.store import IndexStore, LayeredCollection
    from assistant.settings import Settings
    from ingest.pipeline import run_ingest
    from tests.ingest.test_atomic_ingest import FILES, small_corpus
    from tests.ingest.test_incremental_ingest import NEW_FILE, NEW_TEXT

    corpus = small_corpus(tmp_path)
    settings = Settings(corpus_dir=corpus, store_dir=tmp_path / "store")
    run_ingest(settings, embedder=remembering_embedder)
    store = IndexStore(settings)
    memory = files_root(settings) / store.active().name / FILE
    assert memory.exists()  # kept by the full build's calibration
    (corpus / NEW_FILE).write_text(NEW_TEXT, encoding="utf-8")
    changed = corpus / FILES[0]  # its old chunks are hidden in the base: the kept lists must skip them
    changed.write_text(changed.read_text(encoding="utf-8").replace("\n\n", "\n\nA changed paragraph.\n\n", 1),
                       encoding="utf-8")
    monkeypatch.setattr(calibration, "build_embedder", lambda settings: pytest.fail("the model was loaded"))
    readers = []
    monkeypatch.setattr(RememberedBuild, "count", lambda self: readers.append("count"))
    report = run_ingest(settings, compact_at=1.0)  # no embedder given: loaded only to embed the new chunks
    view = store.active()
    assert report.mode == "delta" and isinstance(view, LayeredCollection) and view.hidden and not readers

    built = []
    original = RememberedBuild.__init__
    monkeypatch.setattr(RememberedBuild, "__init__", lambda self, *a: (original(self, *a), built.append(self))[0])
    kept = calibration.calibrate_build(settings, store, view)
    assert kept.as_dict() == report.calibration and built and built[0].passed_on == 0  # the base never asked
    probe_memory = calibration.ProbeMemory.load(memory.parent, calibration.memory_key(
        calibration.calibration_version(settings.scoring.refusal)))
    vectors = {probe: probe_memory.vector(probe) for probe in probe_memory.probes}
    remembered = LayeredCollection(RememberedBuild(view.base, probe_memory), view.delta)

    for vector in list(vectors.values())[::5]:  # the kept lists are what a search of each depth returns
        for n in (1, 6, 30, 100):
            ids, distances = probe_memory.nearest_to(vector, n)
            found = view.base.query(query_embeddings=[vector], n_results=n, include=["distances"])
            assert ids == found["ids"][0] and distances == pytest.approx(found["distances"][0], abs=0)
    assert _answers(settings, store, remembered, vectors) == _answers(settings, store, view, vectors)
    memory.unlink()
    monkeypatch.undo()
    searched = calibration.calibrate_build(settings, store, store.active(), remembering_embedder)
    assert searched == kept
    assert memory.exists()  # a base without kept answers gets them at its next delta's calibration


@pytest.mark.integration
def test_a_rebuild_reads_the_probe_vectors_the_active_build_kept(tmp_path, remembering_embedder):
    """The probes' vectors depend only on the probes, the model and its code: a full rebuild of a store takes
    them from the active build's kept answers instead of embedding them again, and gets the same threshold."""
    from assistant.retrieval.store import IndexStore
    from assistant.settings import Settings
    from ingest.pipeline import run_ingest
    from tests.ingest.test_atomic_ingest import small_corpus

    settings = Settings(corpus_dir=small_corpus(tmp_path), store_dir=tmp_path / "store")
    first = run_ingest(settings, rebuild=True, embedder=remembering_embedder)

    class NoQuestions:
        def __getattr__(self, name):
            return getattr(remembering_embedder, name)

        def get_query_embeddings(self, queries):
            raise AssertionError("the probes were embedded again")

    second = run_ingest(settings, rebuild=True, embedder=NoQuestions())
    assert second.calibration == first.calibration and IndexStore(settings).info()["min_support"] == first.calibration["min_support"]


@pytest.mark.integration
def test_a_full_build_asks_every_probe_at_once_and_gets_the_answers_of_a_search_per_probe(tmp_path,
                                                                                       remembering_embedder):
    """A full build's calibration searches its collection once for all the probes, reads the records once, and
    asks the probes through that memory: the threshold is the one a search per probe gives."""
    from assistant.retrieval import calibration
    from assistant.retrieval.build_files import load_build_files
    from assistant.retrieval.fusion import HybridRetriever
    from assistant.retrieval.store import IndexStore, StoredChunks, VectorSearch
    from assistant.settings import Settings
    from ingest.pipeline import run_ingest
    from tests.ingest.test_atomic_ingest import small_corpus

    settings = Settings(corpus_dir=small_corpus(tmp_path), store_dir=tmp_path / "store")
    report = run_ingest(settings, embedder=remembering_embedder)
    store = IndexStore(settings)
    build = store.active()

    class Counted:  # the build's collection, its searches and reads counted
        def __init__(self, collection):
            self.collection, self.calls = collection, []

        def __getattr__(self, name):
            return getattr(self.collection, name)

        def query(self, **kwargs):
            self.calls.append(("query", len(kwargs["query_embeddings"])))
            return self.collection.query(**kwargs)

        def get(self, **kwargs):
            self.calls.append(("get", len(kwargs.get("ids") or [])))
            return self.collection.get(**kwargs)

    counted = Counted(build)
    assert calibration.calibrate_build(settings, store, counted).as_dict() == report.calibration
    probes = calibration.off_topic_probes()
    assert counted.calls[0] == ("query", len(probes)) and [call[0] for call in counted.calls] == ["query", "get"]

    vectors = dict(zip(probes, remembering_embedder.get_query_embeddings(probes)))
    source = StoredChunks(store, build)
    retriever = HybridRetriever(settings, source, VectorSearch(build), remembering_embedder,
                                load_build_files(settings, build.name, source).lexical)
    searched = calibration.calibrate(
        lambda probe: retriever.retrieve(probe, k=settings.top_k, query_embedding=vectors[probe]),
        retriever.lexical.idf, probes, weights=settings.scoring.refusal)
    assert searched.as_dict() == report.calibration
