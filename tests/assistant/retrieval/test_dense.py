"""The embedder: the plain-torch encoder gives the passage vectors sentence-transformers (and formerly
llama-index) gave, bit for bit, so indexes built before stay valid; the numpy query encoder gives the
question vectors within float32 rounding and ranks the corpus as they do, without importing torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from assistant.retrieval import encoder
from assistant.retrieval.dense import build_embedder, model_dir
from assistant.retrieval.store import IndexStore
from assistant.settings import Settings
from tests.conftest import REPO

EDGE_CASES = ["", "   ", "family help", "Ünïcödé café — “quotes” £2.6bn, 19% and 2024-11-20",
              "a question far longer than the model's window " * 60]


@pytest.fixture(scope="module")
def chunks(corpus_settings):
    """The chunks ingest builds from the shipped corpus, in ingest order."""
    from ingest.documents import load_corpus
    from ingest.pipeline import build_chunks

    return build_chunks(load_corpus(corpus_settings.corpus_dir, corpus_settings.max_file_mb), corpus_settings)


@pytest.fixture(scope="module")
def texts(chunks) -> list[str]:
    """What ingest embeds."""
    return [chunk.embed_text for chunk in chunks]


@pytest.fixture(scope="module")
def questions() -> list[str]:
    rows = [json.loads(line) for line in (REPO / "evals" / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    return [turn for row in rows for turn in row.get("turns", [row.get("question") or row.get("topic")])] + EDGE_CASES


@pytest.mark.integration
def test_the_packaged_model_runs_on_the_plain_encoders(embedder):
    assert encoder.supports(model_dir(Settings()))
    assert embedder.backend == "plain"


# make test compares every SAMPLE_EVERY-th chunk (in ingest order, so batches still mix lengths and pad), the
# longest chunk (cut at the model's window) and every fourth question plus every edge case; make test-slow
# compares the whole corpus and every question (three models over all of it: minutes on two busy cores).
SAMPLE_EVERY = 8


@pytest.fixture(scope="module", params=["sample", pytest.param("corpus", marks=pytest.mark.slow)])
def compared(request, texts, questions) -> tuple[list[str], list[str]]:
    """(passages, questions) the bit-for-bit comparisons run on."""
    if request.param == "corpus":
        return texts, questions
    sample = texts[::SAMPLE_EVERY]
    longest = max(texts, key=len)
    asked = questions[:-len(EDGE_CASES)][::4] + EDGE_CASES
    return sample + [longest] * (longest not in sample), asked


@pytest.fixture(scope="module")
def our_vectors(embedder, texts) -> list[list[float]]:
    """The plain-torch vectors of the whole corpus, computed once for the tests that need all of them."""
    return embedder.get_text_embedding_batch(texts)


def _ours(embedder, passages, texts, request) -> list[list[float]]:
    """Our vectors of the compared passages (the whole corpus's are computed once per module)."""
    return request.getfixturevalue("our_vectors") if passages == texts else embedder.get_text_embedding_batch(passages)


@pytest.fixture(scope="module")
def reference():
    """The same model through sentence-transformers."""
    built = build_embedder(Settings(), backend="sentence-transformers")
    assert built.backend == "sentence-transformers"
    return built


@pytest.mark.integration
def test_plain_torch_equals_sentence_transformers_bit_for_bit(embedder, reference, compared, texts, request):
    passages, asked = compared
    ours = _ours(embedder, passages, texts, request)
    assert ours == reference.get_text_embedding_batch(passages)
    assert embedder.get_text_embedding_batch(asked) == reference.get_text_embedding_batch(asked)


# float32 rounding: numpy and torch sum in different orders (measured: at most 1.6e-7 on the evaluation set).
QUERY_TOLERANCE = 1e-6


def assert_same_question_vectors(ours: list[list[float]], expected: list[list[float]]) -> None:
    import numpy as np

    assert np.abs(np.array(ours) - np.array(expected)).max() < QUERY_TOLERANCE


@pytest.fixture(scope="module")
def question_vectors(embedder, reference, questions) -> tuple[dict, dict]:
    """Every evaluation question's (and edge case's) vector, asked alone: (numpy encoder, sentence-transformers)."""
    return ({q: embedder.get_query_embedding(q) for q in questions}, {q: reference.get_query_embedding(q) for q in questions})


@pytest.mark.integration
def test_a_question_in_numpy_is_the_sentence_transformers_vector(question_vectors, compared):
    _passages, asked = compared
    ours, expected = question_vectors
    assert_same_question_vectors([ours[q] for q in asked], [expected[q] for q in asked])


@pytest.mark.integration
def test_questions_asked_together_get_their_own_vectors(embedder, reference, question_vectors, compared):
    """Questions of different lengths in one padded batch (a calibration's probes): each within rounding of
    the vector it gets alone, so the padding is masked out of attention and pooling. The edge cases go in a
    batch of their own: the longest pads every other text to the model's window."""
    _passages, asked = compared
    ours, expected = question_vectors
    for batch in ([q for q in asked if q not in EDGE_CASES], EDGE_CASES):
        assert_same_question_vectors(embedder.get_query_embeddings(batch), [ours[q] for q in batch])
        assert_same_question_vectors(reference.get_query_embeddings(batch), [expected[q] for q in batch])


def record_builds(monkeypatch, name: str) -> list:
    """The model folders each new encoder.<name> is built from, from now on (the class replaced by a recording one)."""
    built = []
    original = getattr(encoder, name)

    class Recording(original):
        def __init__(self, path):
            built.append(path)
            super().__init__(path)

    monkeypatch.setattr(encoder, name, Recording)
    return built


@pytest.mark.integration
def test_the_passage_model_loads_once_when_prepared_and_not_to_answer(monkeypatch):
    built = record_builds(monkeypatch, "BertEncoder")
    embedder = build_embedder(Settings())
    embedder.get_query_embedding("What is family help?")
    assert built == []
    embedder.prepare_batches()
    embedder.get_text_embedding_batch(["family help"])
    embedder.get_text_embedding_batch(["kinship care"])
    assert len(built) == 1


@pytest.mark.parametrize("questions_now", [True, False])
def test_the_question_model_loads_once_now_or_on_the_first_question(monkeypatch, embedder, questions_now):
    built = record_builds(monkeypatch, "QueryEncoder")
    late = build_embedder(Settings(), questions_now=questions_now)
    assert len(built) == (1 if questions_now else 0)
    assert late.get_query_embedding("What is family help?") == embedder.get_query_embedding("What is family help?")
    assert late.get_query_embeddings(["kinship care", "pay"]) == embedder.get_query_embeddings(["kinship care", "pay"])
    assert len(built) == 1


@pytest.mark.integration
def test_a_question_in_numpy_ranks_the_index_as_sentence_transformers_does(question_vectors, corpus_settings):
    """What the vectors are for: every evaluation question orders the indexed chunks as the reference vector
    does. Two chunks whose reference scores lie within the rounding may come in either order."""
    import numpy as np

    stored = IndexStore(corpus_settings).all_chunks(with_embeddings=True)
    matrix = np.array([chunk.embedding for chunk in stored])
    for question, vector in question_vectors[0].items():
        ours = matrix @ np.array(vector)
        expected = matrix @ np.array(question_vectors[1][question])
        in_our_order = expected[np.argsort(-ours, kind="stable")]
        assert (np.diff(in_our_order) <= QUERY_TOLERANCE).all(), question


@pytest.mark.integration
def test_vectors_equal_those_of_the_former_llama_index_embedding(embedder, compared, texts, request):
    huggingface = pytest.importorskip("llama_index.embeddings.huggingface")
    passages, asked = compared
    settings = Settings()
    former = huggingface.HuggingFaceEmbedding(model_name=str(model_dir(settings)), device="cpu", normalize=True,
                                              embed_batch_size=settings.embed_batch_size, show_progress_bar=False)
    ours = _ours(embedder, passages, texts, request)
    assert ours == former.get_text_embedding_batch(passages)
    assert_same_question_vectors([embedder.get_query_embedding(q) for q in asked],
                                 [former.get_query_embedding(q) for q in asked])


@pytest.mark.integration
def test_a_question_runs_on_one_blas_thread_and_batches_on_all_torch_threads(embedder, monkeypatch):
    import torch
    from threadpoolctl import threadpool_info

    def blas_threads() -> list[int]:
        return [library["num_threads"] for library in threadpool_info() if library["user_api"] == "blas"]

    seen = []
    forward, encode = encoder.QueryEncoder._forward, encoder.BertEncoder.encode
    monkeypatch.setattr(encoder.QueryEncoder, "_forward",
                        lambda self, ids, mask: seen.append(blas_threads()) or forward(self, ids, mask))
    monkeypatch.setattr(encoder.BertEncoder, "encode", lambda self, texts: seen.append(torch.get_num_threads()) or encode(self, texts))
    before = blas_threads()
    embedder.get_query_embedding("What is family help?")
    embedder.get_text_embedding_batch(["family help", "kinship care"])
    assert seen == [[1] * len(before), torch.get_num_threads()] and blas_threads() == before


@pytest.mark.integration
def test_through_sentence_transformers_a_question_runs_on_one_torch_thread(reference, monkeypatch):
    import torch
    from sentence_transformers import SentenceTransformer

    seen, encode = [], SentenceTransformer.encode
    monkeypatch.setattr(SentenceTransformer, "encode",
                        lambda self, *args, **kwargs: seen.append(torch.get_num_threads()) or encode(self, *args, **kwargs))
    threads = torch.get_num_threads()
    reference.get_query_embedding("What is family help?")
    reference.get_text_embedding_batch(["family help", "kinship care"])
    assert seen == [1, threads] and torch.get_num_threads() == threads


@pytest.mark.integration
def test_answering_a_question_never_imports_torch(corpus_settings):
    """A cold start pays for torch only when it embeds passages (ingest), not to answer."""
    script = ("import sys\n"
              "from assistant.assembly import build_assistant\n"
              "from assistant.settings import Settings\n"
              "answer = build_assistant(Settings()).ask('What is family help?')\n"
              "print(answer.status, 'torch' in sys.modules, 'transformers' in sys.modules)\n")
    env = {**os.environ, "ASSISTANT_STORE_DIR": str(corpus_settings.store_dir),
           "ASSISTANT_CORPUS_DIR": str(corpus_settings.corpus_dir)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["answered", "False", "False"]


def assert_index_holds(settings: Settings, chunks, vectors) -> None:
    """Every chunk is in the index with its vector, up to the last float32 bit: Chroma re-normalises the
    vectors it stores in its cosine space."""
    import numpy as np

    stored = {c.id: c.embedding for c in IndexStore(settings).all_chunks(with_embeddings=True)}
    assert set(stored) == {chunk.id for chunk in chunks}
    difference = np.array([stored[chunk.id] for chunk in chunks]) - np.array(vectors)
    assert np.abs(difference).max() < 5e-8


@pytest.mark.integration
def test_the_index_holds_what_the_embedder_computed_for_it(corpus_settings, chunks, texts, remembering_embedder):
    """The session's index against the vectors the real model computed for its chunks as ingest ran (remembered
    by `remembering_embedder`, so nothing is embedded again); make test-slow compares it with a second, fresh
    embedding of the whole corpus (below)."""
    computed = remembering_embedder.computed
    assert_index_holds(corpus_settings, chunks, remembering_embedder.get_text_embedding_batch(texts))
    assert remembering_embedder.computed == computed  # every vector was one ingest had computed


@pytest.mark.integration
@pytest.mark.slow
def test_the_index_holds_what_the_embedder_computes(corpus_settings, chunks, our_vectors):
    """The session's index against a fresh embedding of the whole corpus in one call."""
    assert_index_holds(corpus_settings, chunks, our_vectors)


@pytest.mark.integration
def test_the_llama_index_adapter_gives_the_same_vectors(embedder):
    pytest.importorskip("llama_index.core")
    from assistant.retrieval.dense import as_llama_index

    adapted = as_llama_index(embedder)
    texts = ["family help", "agency pay", "kinship care allowance"]
    assert adapted.get_text_embedding_batch(texts) == embedder.get_text_embedding_batch(texts)
    assert adapted.get_query_embedding("What is family help?") == embedder.get_query_embedding("What is family help?")


def _model_copy(tmp_path, **changes):
    """The packaged model folder, linked file by file, with some JSON files edited: {file: {key: value}}."""
    source = model_dir(Settings())
    folder = tmp_path / "model"
    folder.mkdir(parents=True)
    for item in source.iterdir():
        if item.is_dir():
            (folder / item.name).mkdir()
            for inner in item.iterdir():
                (folder / item.name / inner.name).symlink_to(inner)
        else:
            (folder / item.name).symlink_to(item)
    for name, update in changes.items():
        target = folder / name.replace("__", "/")
        data = json.loads(target.read_text(encoding="utf-8"))
        target.unlink()
        target.write_text(json.dumps(data | update if isinstance(data, dict) else update(data)), encoding="utf-8")
    return folder


@pytest.mark.unit
@pytest.mark.parametrize("changes", [
    {"config.json": {"hidden_act": "relu"}},
    {"config.json": {"model_type": "roberta"}},
    {"1_Pooling__config.json": {"pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}},
    {"sentence_bert_config.json": {"do_lower_case": True}},
    {"modules.json": lambda modules: modules[:2]},
], ids=["activation", "architecture", "pooling", "lower-case", "no-normalize"])
def test_other_models_are_not_taken_for_the_packaged_kind(tmp_path, changes):
    assert encoder.supports(_model_copy(tmp_path))
    assert not encoder.supports(_model_copy(tmp_path / "changed", **changes))


@pytest.mark.integration
def test_other_models_go_through_sentence_transformers(tmp_path):
    folder = _model_copy(tmp_path, **{"1_Pooling__config.json": {"pooling_mode_mean_tokens": False,
                                                                 "pooling_mode_cls_token": True}})
    embedder = build_embedder(Settings(embed_model_dir=folder))
    assert embedder.backend == "sentence-transformers"
    assert len(embedder.get_query_embedding("What is family help?")) == 384
