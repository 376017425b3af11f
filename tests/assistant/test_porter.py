"""The copied Porter stemmer stems exactly as nltk's own, so BM25 terms and answers do not move."""

from __future__ import annotations

import json
import re

import pytest

from assistant.porter import PorterStemmer
from tests.conftest import CORPUS, REPO

pytestmark = pytest.mark.unit

EXTRA = ["dying", "lying", "skies", "news", "innings", "proceed", "exceed", "generously", "agreed", "feed",
         "conditional", "rational", "valenci", "hesitanci", "digitizer", "conformabli", "radicalli",
         "differentli", "vileli", "analogousli", "vietnamization", "predication", "operator", "feudalism",
         "decisiveness", "hopefulness", "callousness", "formaliti", "sensitiviti", "sensibiliti", "triplicate",
         "formative", "formalize", "electriciti", "electrical", "hopeful", "goodness", "revival", "allowance",
         "inference", "airliner", "gyroscopic", "adjustable", "defensible", "irritant", "replacement",
         "adjustment", "dependent", "adoption", "homologou", "communism", "activate", "angulariti",
         "homologous", "effective", "bowdlerize", "probate", "rate", "cease", "controll", "roll", "a", "is",
         "Caps", "ÉCOLE", "naïve", "x", "ss", "sss", "yyy", "eed", "ied", "ies", "ing", "ed", "s"]


def words() -> set[str]:
    """Every alphabetic word of the corpus, the evaluation set and the README, plus awkward cases."""
    texts = [path.read_text(encoding="utf-8", errors="ignore") for path in CORPUS.iterdir() if path.is_file()]
    texts += [(REPO / name).read_text(encoding="utf-8") for name in ("evals/questions.jsonl", "README.md")]
    found = {word for text in texts for word in re.findall(r"[^\W\d_]+", text)}
    return found | {word.lower() for word in found} | set(EXTRA)


def test_every_word_stems_as_with_nltk():
    nltk_porter = pytest.importorskip("nltk.stem.porter").PorterStemmer()
    ours = PorterStemmer()
    vocabulary = words()
    assert len(vocabulary) > 3000
    different = {word: (ours.stem(word), nltk_porter.stem(word)) for word in vocabulary
                 if ours.stem(word) != nltk_porter.stem(word)}
    assert not different


@pytest.mark.parametrize("mode", ["NLTK_EXTENSIONS", "MARTIN_EXTENSIONS", "ORIGINAL_ALGORITHM"])
def test_every_mode_matches_nltk(mode):
    nltk_porter = pytest.importorskip("nltk.stem.porter").PorterStemmer(mode)
    ours = PorterStemmer(mode)
    assert all(ours.stem(word) == nltk_porter.stem(word) for word in EXTRA + sorted(words())[:2000])


def test_the_assistant_stems_without_importing_nltk(tmp_path):
    """Importing all of nltk costs seconds of every cold start (it pulls in scikit-learn, SciPy, pandas)."""
    import subprocess
    import sys

    code = ("import sys; from assistant.text import content_words; content_words('Evaluations of families'); "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('nltk', 'sklearn'))))")
    done = subprocess.run([sys.executable, "-c", "import json; " + code], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
