"""Words, content words, stems, normalisation and slugs."""

from __future__ import annotations

import json
import subprocess
import sys
import pytest

from assistant.text.tokens import content_words, normalise, slugify, stem
from tests.conftest import REPO


pytestmark = pytest.mark.unit


def test_content_words_drop_stopwords_and_single_letters_and_stem():
    assert content_words("What is the plan for a child's evaluations?") == ["plan", "child", "evalu"]


@pytest.mark.parametrize("word, expected", [
    ("evaluations", "evalu"),
    ("evaluate", "evalu"),
    ("children's", "children"),
    ("children’s", "children"),  # curly apostrophe
    ("co-operatives", "co-oper"),  # each hyphenated part stemmed
    ("social-workers", "social-worker"),
    ("-led", "led"),  # an empty part is dropped, not kept as a dangling hyphen
    ("£2bn", "£2bn"),  # not alphabetic: left alone
    ("2023", "2023"),
])
def test_stem(word, expected):
    assert stem(word) == expected


@pytest.mark.parametrize("word, expected", [  # the Porter algorithm's own examples, and upper case
    ("caresses", "caress"), ("ponies", "poni"), ("relational", "relat"), ("conditional", "condit"),
    ("generalization", "gener"), ("hopefulness", "hope"), ("adjustment", "adjust"), ("Allowances", "allow"),
])
def test_stem_is_porter(word, expected):
    assert stem(word) == expected


def test_the_assistant_stems_without_importing_nltk():
    """Importing all of nltk costs seconds of every cold start (it pulls in scikit-learn, SciPy, pandas)."""
    code = ("import json, sys; from assistant.text.tokens import content_words; content_words('Evaluations of families'); "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('nltk', 'sklearn'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_content_words_match_across_inflections_and_possessives():
    assert set(content_words("Councils’ co-operative commissioning")) == set(content_words("council co-operatives commission"))


def test_normalise_collapses_spaces_and_drops_invisible_and_control_characters():
    raw = "Family\u00a0 help\u200b is\r\nhere\x07now \ufeff\r  end  "
    assert normalise(raw) == "Family help is\nhere now\nend"


def test_normalise_composes_unicode():
    assert normalise("cafe\u0301") == "caf\u00e9"


@pytest.mark.parametrize("text, expected", [
    ("Children’s Social Care: Stable Homes, Built on Love (2023)", "childrens-social-care-stable-homes-built-on-love"),
    ("Crème brûlée déjà vu", "creme-brulee-deja-vu"),
    ("one two three four five", "one-two-three-four-five"),
    ("!!! ???", "document"),
    ("", "document"),
])
def test_slugify(text, expected):
    assert slugify(text) == expected


def test_slugify_keeps_at_most_max_words():
    assert slugify("a b c d e", max_words=3) == "a-b-c"
