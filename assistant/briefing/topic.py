"""Whether a sentence is about the topic, by its own words or its heading, weighted by IDF."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.scoring import BriefingText, BriefingTopic
from assistant.text.tokens import content_words, stem, words as plain_words
from assistant.text.similarity import inverse_document_frequency



# -- gathering ---------------------------------------------------------------------------------
def corpus_idf(chunks) -> dict[str, float]:
    """Inverse document frequency of each content word over the chunks."""
    return inverse_document_frequency(content_words(chunk.metadata.get("title", "") + " " + chunk.text)
                                      for chunk in chunks)


def topic_terms(topic: str, idf: dict[str, float]) -> dict[str, float]:
    """The topic's content words, weighted by IDF (unknown words weigh the most)."""
    top = max(idf.values(), default=1.0)
    return {term: idf.get(term, top) for term in content_words(topic)}


def overlap(text: str, terms: dict[str, float]) -> float:
    """Share of the topic's IDF weight whose words text contains."""
    total = sum(terms.values())
    if not total:
        return 0.0
    present = set(content_words(text))
    return sum(weight for term, weight in terms.items() if term in present) / total


@dataclass(frozen=True)
class Topic:
    """What makes a sentence about a topic. Each part of the topic ('workload' and 'retention' in
    'workload and retention') counts on its own; a part is named by all its words, by words carrying
    half its IDF weight (one word alone only if it is rare in the corpus, so 'help' alone is not
    'family help'), or by an abbreviation the documents define for the topic."""

    parts: tuple  # one {term: idf} dict per part
    close: frozenset = frozenset()
    rare: float = 0.0  # IDF a single word needs to stand for a part on its own
    thresholds: BriefingTopic = BriefingTopic()  # the shares a part needs (settings.scoring.briefing.topic)

    @classmethod
    def of(cls, topic: str, idf: dict[str, float], close: frozenset = frozenset(),
           thresholds: BriefingTopic = BriefingTopic()) -> "Topic":
        topic = re.sub(r"\b(?:19|20)\d\d\b", " ", topic)  # a year is met by the sources of that period
        pieces = [piece for piece in re.split(r"\s+and\s+|,\s*|\s*&\s*", topic) if content_words(piece)]
        parts = tuple(topic_terms(piece, idf) for piece in pieces) or (topic_terms(topic, idf),)
        return cls(parts, close, thresholds.rare_share * max(idf.values(), default=1.0), thresholds)

    def covers(self, text: str) -> bool:
        words = [stem(word) for word in plain_words(text)]  # stopwords kept: a phrase is adjacent words
        present = set(content_words(text))
        present |= {piece for word in present if "-" in word for piece in word.split("-")}  # 'for-profit'

        return bool(self.close & present) or any(self._names(part, present, words) for part in self.parts)

    def _names(self, part: dict[str, float], present: set[str], words: list[str]) -> bool:
        named = [term for term in part if any(_same_word(term, word, self.thresholds) for word in present)]
        if not named:
            return False
        if len(named) == len(part):
            return (len(part) == 1 or any(part[t] >= self.rare for t in named)
                    or _in_a_row(named, words, self.thresholds))
        if max(part, key=part.get) not in named:
            return False  # without the part's rarest word, common words name something else ('children's homes')
        share = sum(part[term] for term in named) / sum(part.values())
        if len(named) == 1:  # one word alone: the part's rarest word, rare in the corpus, and not another phrase's
            return (share >= self.thresholds.single_share and part[named[0]] >= self.rare
                    and part[named[0]] == max(part.values()) and _unmodified(named[0], part, words, present,
                                                                             self.thresholds))
        return share >= self.thresholds.on_topic


def _unmodified(term: str, part: dict[str, float], words: list[str], present: set[str],
                thresholds: BriefingTopic) -> bool:
    """Whether the term stands somewhere in the text without another content word right before it: for the
    topic 'family hubs', 'the hubs' is about it, 'regional recruitment hubs' names other hubs."""
    for i, word in enumerate(words):
        if _same_word(term, word, thresholds):
            before = words[i - 1] if i else ""
            if before not in present or any(_same_word(t, before, thresholds) for t in part):
                return True
    return False


def _in_a_row(terms: list[str], words: list[str], thresholds: BriefingTopic) -> bool:
    """Whether the terms stand next to each other, in order, among the text's content words: common words
    name the topic only as its phrase ('family help', not 'help families')."""
    for i in range(len(words) - len(terms) + 1):
        if all(_same_word(term, word, thresholds) for term, word in zip(terms, words[i:i + len(terms)])):
            return True
    return False


def on_topic(text: str, topic: "Topic") -> bool:
    """Whether text is about the topic (see Topic)."""
    return bool(text) and topic.covers(text)


def _same_word(term: str, word: str, thresholds: BriefingTopic) -> bool:
    """A topic word and a text word are the same word, or one is the other with a short ending; an
    agent ending makes another word ('care' is not 'carer' or 'career')."""
    if term == word:
        return True
    short, long = sorted((term, word), key=len)
    ending = long[len(short):]
    return (len(short) >= thresholds.stem_min_chars and long.startswith(short)
            and len(ending) <= thresholds.ending_max_chars and ending not in ("r", "er"))


def close_terms(topic: str, chunks, terms: dict[str, float], text: BriefingText = BriefingText()) -> frozenset:
    """Abbreviations the documents define for the topic: '… regional care co-operatives (RCCs)' gives
    'rcc'. Found in the corpus, so no list of them is kept anywhere."""
    found = set()
    for chunk in chunks:
        for match in _DEFINED_SHORT.finditer(chunk.text):
            words = chunk.text[max(0, match.start() - text.abbreviation_chars):match.start()]
            if words and overlap(words, terms) >= text.abbreviation_share:
                found.add(stem(match.group(1)).rstrip("s"))
    return frozenset(found)


_DEFINED_SHORT = re.compile(r"\(([A-Z][A-Za-z]{1,6}?)s?\)")
