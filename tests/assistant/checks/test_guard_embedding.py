"""The guard's meaning check with the real MiniLM embedder: the default cosine threshold separates
supported paraphrases from sentences that merely reuse a passage's words."""

from __future__ import annotations

import pytest

from assistant.checks.guard import Evidence, GuardConfig, _best_cosine
from tests.assistant.llm.fakes import passages

pytestmark = pytest.mark.integration

SUPPORTED = [
    ("Josh MacAlister led the review", [1]),
    ("The review wanted a complete reset of children's social care", [1]),
    ("The government will put £200m into Family Help over two years", [2]),
    ("Ofsted will check the regional care cooperatives from 2025", [3]),
]
UNSUPPORTED = [
    ("Josh MacAlister enjoys football", [1]),
    ("The weather in Family Help is sunny", [2]),
    ("The review said the system works well and needs no change", [1]),
]


@pytest.fixture(scope="module")
def evidence(embedder):
    return Evidence(passages(), embedder.get_text_embedding_batch)


@pytest.mark.parametrize("sentence, cited", SUPPORTED)
def test_paraphrases_clear_the_threshold(evidence, sentence, cited):
    assert _best_cosine(sentence, cited, evidence) >= GuardConfig().min_cosine


@pytest.mark.parametrize("sentence, cited", UNSUPPORTED)
def test_unrelated_sentences_fall_below_it(evidence, sentence, cited):
    assert _best_cosine(sentence, cited, evidence) < GuardConfig().min_cosine
