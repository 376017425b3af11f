"""Which words are everyday English, read off the embedding model's own word-piece vocabulary.

A question word the corpus never uses says little when it is everyday English ("worried", "roughly",
"replaced": the asker's paraphrase) and a lot when it is a specific term ("trailblazers", "entrants":
the asker wants something the documents do not hold). The model's tokenizer already knows which is
which: BERT's 30,522 word pieces keep about 22,000 whole English words, and a rare word is split into
pieces. Nothing here is specific to a corpus or a subject.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

_SUFFIXES = ("ies", "es", "s", "ied", "ed", "d", "ing", "est", "er", "ly", "ers")


class Lexicon:
    """Everyday English words (lower case), as whole words of a word-piece vocabulary."""

    def __init__(self, words: frozenset[str]):
        self.words = words

    @classmethod
    def from_tokenizer(cls, path: Path) -> "Lexicon":
        """The whole-word entries of a tokenizer.json vocabulary (word pieces and special tokens left out)."""
        vocab = json.loads(Path(path).read_text(encoding="utf-8"))["model"]["vocab"]
        return cls(frozenset(word for word in vocab if word.isalpha() and word.islower()))

    def is_common(self, word: str) -> bool:
        """Whether a word, or the word it is inflected from, is everyday English; a hyphenated word
        when each part is.

        >>> lexicon = Lexicon(frozenset({"poor", "care", "experienced", "worried"}))
        >>> [lexicon.is_common(w) for w in ("Worried", "poorest", "care-experienced", "trailblazers", "2023")]
        [True, True, True, False, True]
        """
        word = word.lower().replace("’", "'").removesuffix("'s")
        if "-" in word:
            return all(self.is_common(part) for part in word.split("-") if part)
        if not word.isalpha():
            return True  # numbers, amounts and codes are judged elsewhere
        if word in self.words:
            return True
        return any(word.endswith(suffix) and _base(word, suffix) in self.words for suffix in _SUFFIXES)


def _base(word: str, suffix: str) -> str:
    base = word[: -len(suffix)]
    if suffix in ("ies", "ied"):
        return base + "y"
    return base


@lru_cache(maxsize=4)
def lexicon_at(tokenizer_json: str) -> Lexicon:
    """The lexicon of one tokenizer file, read once per process."""
    return Lexicon.from_tokenizer(Path(tokenizer_json))


def specific_words(text: str, lexicon: Lexicon) -> list[str]:
    """The words of text that are not everyday English (lower case, in order, no repeats).

    >>> specific_words("How many family hubs trailblazers?", Lexicon(frozenset({"how", "many", "family", "hubs"})))
    ['trailblazers']
    """
    found = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z’'\-]*[A-Za-z]", text) if not lexicon.is_common(w)]
    return list(dict.fromkeys(found))
