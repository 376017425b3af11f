"""Words: normalising text, tokens, content words (stopwords out, Porter stems), word counts, slugs."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
WORD = re.compile(r"[A-Za-z0-9£$€%][A-Za-z0-9£$€%.,'’\-]*[A-Za-z0-9%]|[A-Za-z0-9]")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves also said says say did does tell
    please know there's it's what's whats give me us let lets article articles source sources document
    documents agree agreed disagree according mention mentions mentioned many much""".split()
)


def normalise(text: str) -> str:
    """Unicode NFC, no control or zero-width characters, single spaces, Unix newlines."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(lines)


def words(text: str) -> list[str]:
    """Lower-cased word tokens, with trailing punctuation removed."""
    return [token.lower().rstrip(".,") for token in WORD.findall(text)]


def content_words(text: str) -> list[str]:
    """Word tokens that carry meaning (no stopwords), lightly stemmed."""
    return [stem(word) for word in words(text) if word not in STOPWORDS and len(word) > 1]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Porter stem of a word, lower-cased, possessive removed.

    >>> stem("Evaluations"), stem("council’s"), stem("co-operatives"), stem("£44m")
    ('evalu', 'council', 'co-oper', '£44m')
    """
    word = word.lower().replace("’", "'").removesuffix("'s")
    if "-" in word:
        return "-".join(stem(part) for part in word.split("-") if part)
    return _porter().stemWord(word) if word.isalpha() else word


@lru_cache(maxsize=1)
def _porter():
    import snowballstemmer  # Snowball's Porter (Martin Porter's own algorithm), 0.05 s to import; nltk takes seconds

    return snowballstemmer.stemmer("porter")


def word_count(text: str) -> int:
    """Number of whitespace-separated words."""
    return len(text.split())


def slugify(text: str, max_words: int = 8) -> str:
    """Lower-case ASCII slug of at most max_words words."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    parts = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(parts[:max_words]) or "document"
