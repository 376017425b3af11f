"""Everyday English words, read off the embedding model's own vocabulary."""

import pytest

from assistant.assembly import load_lexicon
from assistant.settings import Settings
from assistant.text.lexicon import Lexicon, specific_words

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    found = load_lexicon(Settings())
    assert found is not None, "the packaged MiniLM model ships tokenizer.json"
    return found


@pytest.mark.parametrize("word", ["worried", "replaced", "roughly", "poorest", "criticised", "care-experienced",
                                  "Arguments"])
def test_everyday_words_and_their_inflections_are_common(lexicon, word):
    assert lexicon.is_common(word)


@pytest.mark.parametrize("word", ["trailblazers", "entrants", "kinshp"])
def test_rare_words_and_misspellings_are_specific(lexicon, word):
    assert not lexicon.is_common(word)


def test_specific_words_of_a_question(lexicon):
    assert specific_words("How many councils were picked as family hubs trailblazers?", lexicon) == ["trailblazers"]
