"""Retrieval: score fusion, metadata filters, the BM25 index, and the retriever in BM25-only mode."""

from __future__ import annotations

import pytest

from assistant.retrieval.fusion import Filters, HybridRetriever, fuse_scores
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.store import StoredChunk
from assistant.scoring import RetrievalPreferences
from assistant.settings import Settings

pytestmark = pytest.mark.unit


def chunk(n: int, text: str, publisher: str = "Community Care", published: str = "2023-02-02",
          title: str = "") -> StoredChunk:
    metadata = {"source_id": f"doc-{n}", "title": title or f"Document {n}", "section": "", "publisher": publisher,
                "published": published, "published_ord": int(published.replace("-", "")) if published else 0}
    return StoredChunk(f"doc-{n}#0", text, metadata)


CHUNKS = [
    chunk(0, "The Department for Education (DfE) published its strategy for children's social care.",
          publisher="HM Government", published="2023-02-02"),
    chunk(1, "Agency social workers cost councils far more than permanent staff, and pay caps were proposed.",
          published="2023-09-14"),
    chunk(2, "Kinship carers will receive an allowance in eight local authority areas.", published="2024-10-30"),
    chunk(3, "Regional care co-operatives would plan and commission foster and residential places.",
          publisher="Safe and Sound", published=""),
    chunk(4, "The Department for Education will test the new model with a small group of councils.",
          publisher="Social Work Today", published="2024-11-20"),
    chunk(5, "Unions and the ADCS warned that caseloads remain too high for social workers to build relationships.",
          publisher="UNISON", published="2016-02-10"),
]


# -- fuse_scores -----------------------------------------------------------------------------

def test_fuse_scores_normalise_bm25_by_the_best_score_and_weight_both_lists():
    fused = fuse_scores({"a": 0.8, "b": 0.4}, {"a": 10.0, "b": 5.0}, dense_weight=0.5, bm25_weight=2.0)
    assert fused == {"a": pytest.approx(2.0 * 1.0 + 0.5 * 0.8), "b": pytest.approx(2.0 * 0.5 + 0.5 * 0.4)}


def test_fuse_scores_give_a_chunk_missing_from_a_list_that_list_s_floor():
    fused = fuse_scores({"a": 0.7, "b": 0.2}, {"c": 4.0}, dense_weight=1.0, bm25_weight=1.0)
    assert fused["a"] == pytest.approx(0.7)  # no BM25 score: 0
    assert fused["c"] == pytest.approx(1.0 + 0.2)  # no cosine: the lowest seen (0.2), not 0


def test_fuse_scores_with_one_empty_list():
    assert fuse_scores({}, {"a": 3.0, "b": 1.5}, 0.2, 1.0) == {"a": 1.0, "b": 0.5}
    assert fuse_scores({"a": 0.5}, {}, 0.2, 1.0) == {"a": pytest.approx(0.1)}
    assert fuse_scores({}, {}, 0.2, 1.0) == {}


def test_fuse_scores_survive_all_zero_bm25_scores():
    assert fuse_scores({"a": 0.5}, {"a": 0.0}, 1.0, 1.0) == {"a": 0.5}


def test_fuse_scores_weights_change_the_ranking():
    dense, lexical = {"a": 0.9, "b": 0.1}, {"a": 1.0, "b": 10.0}
    by_dense = fuse_scores(dense, lexical, dense_weight=5.0, bm25_weight=0.1)
    by_bm25 = fuse_scores(dense, lexical, dense_weight=0.1, bm25_weight=5.0)
    assert max(by_dense, key=by_dense.get) == "a" and max(by_bm25, key=by_bm25.get) == "b"


def test_fuse_scores_are_deterministic_whatever_the_input_order():
    dense = {"c": 0.3, "a": 0.5, "b": 0.4}
    lexical = {"b": 2.0, "d": 1.0}
    forward = fuse_scores(dense, lexical, 0.2, 1.0)
    backward = fuse_scores(dict(reversed(list(dense.items()))), dict(reversed(list(lexical.items()))), 0.2, 1.0)
    assert forward == backward and list(forward) == list(backward) == ["a", "b", "c", "d"]


# -- Filters ---------------------------------------------------------------------------------

def test_filters_accept_everything_by_default():
    assert Filters().accepts({}) and Filters().chroma_where() is None


def test_filters_by_publisher():
    filters = Filters(publishers=["UNISON"])
    assert filters.accepts({"publisher": "UNISON", "published": "2016-02-10"})
    assert not filters.accepts({"publisher": "Community Care", "published": "2016-02-10"})
    assert filters.chroma_where() == {"publisher": {"$in": ["UNISON"]}}


def test_filters_by_date_range_include_the_ends_and_exclude_undated():
    filters = Filters(date_from="2023-01-01", date_to="2023-12-31")
    assert filters.accepts({"published": "2023-01-01"}) and filters.accepts({"published": "2023-12-31"})
    assert not filters.accepts({"published": "2022-12-31"})
    assert not filters.accepts({"published": "2024-01-01"})
    assert not filters.accepts({"published": ""}) and not filters.accepts({})


def test_filters_chroma_where_combines_clauses_on_the_date_ordinal():
    where = Filters(publishers=["A", "B"], date_from="2023-01-01", date_to="2024-06-30").chroma_where()
    assert where == {"$and": [{"publisher": {"$in": ["A", "B"]}},
                              {"published_ord": {"$gte": 20230101}},
                              {"published_ord": {"$lte": 20240630}}]}
    assert Filters(date_from="2024-03-05").chroma_where() == {"published_ord": {"$gte": 20240305}}


# -- LexicalIndex ----------------------------------------------------------------------------

def ranked_ids(index: LexicalIndex, query: str) -> list[str]:
    scores = index.scores(query)
    return [index.ids[i] for i in sorted(range(len(scores)), key=lambda i: -scores[i]) if scores[i] > 0]


def test_lexical_index_ranks_the_chunk_with_the_exact_terms_first():
    index = LexicalIndex(CHUNKS)
    assert ranked_ids(index, "kinship carers allowance")[0] == "doc-2#0"
    assert ranked_ids(index, "agency social workers pay")[0] == "doc-1#0"


def test_lexical_index_finds_the_long_form_for_an_acronym():
    # "RCCs" is defined nowhere here, so add a chunk that defines it; the query uses only the acronym.
    chunks = CHUNKS + [chunk(6, "Ministers discussed regional care co-operatives (RCCs) briefly.")]
    index = LexicalIndex(chunks)
    found = ranked_ids(index, "What would RCCs do?")
    assert "doc-3#0" in found  # says only "regional care co-operatives"
    found = ranked_ids(index, "DfE test model")
    assert found[0] == "doc-4#0"  # says only "Department for Education"


def test_lexical_index_scores_nothing_for_unknown_words():
    index = LexicalIndex(CHUNKS)
    assert not index.scores("quantum chromodynamics").any()
    assert len(index.scores("")) == len(CHUNKS)


def test_lexical_index_keeps_the_vocabulary_acronyms_and_idf():
    index = LexicalIndex(CHUNKS)
    assert {"kinship", "dfe", "ADCS"} <= index.vocabulary  # acronyms also verbatim, for the scope check
    assert "quantum" not in index.vocabulary
    # a word in one chunk is rarer (higher IDF) than one in several
    assert index.idf["kinship"] > index.idf["council"]


def test_lexical_index_of_no_chunks_scores_nothing():
    assert len(LexicalIndex([]).scores("family help")) == 0


# -- HybridRetriever, BM25 only (no vector store, no embedder) -------------------------------

@pytest.fixture
def bm25_retriever():
    settings = Settings(retrieval_mode="bm25", top_k=3)
    return HybridRetriever(settings, CHUNKS, vector_store=None, embedder=None)


def test_bm25_retriever_returns_passages_with_lexical_scores_only(bm25_retriever):
    passages = bm25_retriever.retrieve("kinship carers allowance")
    assert passages[0].chunk_id == "doc-2#0"
    assert len(passages) <= 3
    assert all(p.dense == 0.0 and p.lexical > 0 for p in passages)
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    assert passages[0].text == CHUNKS[2].text and passages[0].metadata["source_id"] == "doc-2"


def test_bm25_retriever_applies_filters(bm25_retriever):
    passages = bm25_retriever.retrieve("social workers", Filters(publishers=["UNISON"]))
    assert [p.chunk_id for p in passages] == ["doc-5#0"]
    assert bm25_retriever.retrieve("social workers", Filters(date_from="2030-01-01")) == []


def test_bm25_retriever_prefers_a_publisher_the_question_names(bm25_retriever):
    # "UNISON" is not in the chunks' words, so both queries score the same terms; only the boost differs
    plain = {p.chunk_id: p.score for p in bm25_retriever.retrieve("What did they say about social workers?")}
    named = {p.chunk_id: p.score for p in bm25_retriever.retrieve("What did UNISON say about social workers?")}
    assert named["doc-5#0"] == pytest.approx(1.5 * plain["doc-5#0"])
    assert named["doc-1#0"] == pytest.approx(plain["doc-1#0"])


def test_the_publisher_and_year_preferences_come_from_the_scoring_config():
    settings = Settings(retrieval_mode="bm25", top_k=3)
    doubled = settings.model_copy(update={"scoring": settings.scoring.model_copy(update={
        "retrieval": RetrievalPreferences(publisher=2.0, year=1.0)})})
    retriever = HybridRetriever(doubled, CHUNKS, vector_store=None, embedder=None)
    plain = {p.chunk_id: p.score for p in retriever.retrieve("What did they say about social workers?")}
    named = {p.chunk_id: p.score for p in retriever.retrieve("What did UNISON say about social workers?")}
    assert named["doc-5#0"] == pytest.approx(2.0 * plain["doc-5#0"])
    dated = {p.chunk_id: p.score for p in retriever.retrieve("What did they say about social workers in 2016?")}
    assert dated["doc-5#0"] == pytest.approx(plain["doc-5#0"])  # a year factor of 1 prefers no year


def test_bm25_retriever_prefers_sources_from_a_year_the_question_names(bm25_retriever):
    # doc-0 (2023) and doc-4 (2024) both mention the Department for Education; no chunk says "2024"
    plain = {p.chunk_id: p.score for p in bm25_retriever.retrieve("Department for Education")}
    dated = {p.chunk_id: p.score for p in bm25_retriever.retrieve("Department for Education in 2024")}
    assert dated["doc-4#0"] == pytest.approx(1.3 * plain["doc-4#0"])
    assert dated["doc-0#0"] == pytest.approx(plain["doc-0#0"])


def test_bm25_retriever_is_deterministic(bm25_retriever):
    first = [(p.chunk_id, p.score) for p in bm25_retriever.retrieve("social workers councils")]
    assert first and all(first == [(p.chunk_id, p.score) for p in bm25_retriever.retrieve("social workers councils")]
                         for _ in range(3))


def test_bm25_retriever_finds_nothing_for_unknown_words(bm25_retriever):
    assert bm25_retriever.retrieve("quantum chromodynamics") == []


def test_the_passage_before_is_the_previous_chunk_of_the_same_document_with_its_padding():
    chunks = [chunk(0, "First part of the paper."), chunk(0, "Second part of the paper.")]
    chunks = [StoredChunk("paper#000", chunks[0].text, chunks[0].metadata),
              StoredChunk("paper#001", chunks[1].text, chunks[1].metadata)]
    retriever = HybridRetriever(Settings(retrieval_mode="bm25"), chunks, vector_store=None, embedder=None)
    assert retriever.passage_before("paper#001").text == "First part of the paper."
    assert retriever.passage_before("paper#000") is None and retriever.passage_before("paper#009") is None


@pytest.mark.parametrize("filters", [
    Filters(publishers=["UNISON"]), Filters(publishers=["UNISON", "Safe and Sound"]),
    Filters(date_from="2023-01-01"), Filters(date_to="2023-12-31"),
    Filters(date_from="2016-01-01", date_to="2016-12-31"),
    Filters(publishers=["Community Care"], date_from="2024-01-01"), Filters(publishers=["Nobody"]),
])
def test_the_row_mask_accepts_exactly_the_rows_filters_accept(filters):
    index = LexicalIndex(CHUNKS)
    mask = index.row_mask(filters.publishers, filters.date_from, filters.date_to)
    assert list(mask) == [filters.accepts(index.row_metadata(row)) for row in range(index.size)]


# -- query vectors remembered ---------------------------------------------------------------------
class RecordingEmbedder:
    """A stand-in embedder that records the queries it embeds (each gets a vector of its length)."""

    def __init__(self):
        self.embedded: list[str] = []

    def get_query_embedding(self, query: str) -> list[float]:
        self.embedded.append(query)
        return [float(len(query)), 1.0]


def test_a_query_asked_again_is_embedded_once_and_only_the_last_ones_are_kept(monkeypatch):
    import assistant.retrieval.fusion as fusion

    monkeypatch.setattr(fusion, "RECENT_QUERIES", 2)
    embedder = RecordingEmbedder()
    retriever = HybridRetriever(Settings(), CHUNKS, vector_store=None, embedder=embedder)
    first = retriever.embed_query("What is family help?")
    first.append(99.0)  # a caller changing its list changes nothing remembered
    assert retriever.embed_query("What is family help?") == [20.0, 1.0]
    assert embedder.embedded == ["What is family help?"]
    retriever.embed_query("Who chairs it?")
    retriever.embed_query("What is kinship care?")  # the oldest, "What is family help?", is forgotten
    retriever.embed_query("What is family help?")
    assert embedder.embedded == ["What is family help?", "Who chairs it?", "What is kinship care?",
                                 "What is family help?"]
