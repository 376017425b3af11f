"""The extractive answerer's score: a sum of named features, each a small pure function of a sentence.

Every weight comes from `ScoringConfig.sentence` (assistant/scoring.py); none is written here. A
candidate keeps its features by name, so a debugger can see why one sentence beat another.

>>> from assistant.scoring import ScoringConfig
>>> config = ScoringConfig().sentence
>>> sentence_shape("Read more: https://example.org/news", False, config.shape)  # a fragment, and a link
-0.55
>>> score({"term_overlap": 0.3, "sentence_shape": -0.3})
0.0
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from assistant.answering.disagreements import claims_in
from assistant.scoring import (AnswerKindWeights, ClaimWeights, DefinitionWeights, MilestoneWeights, OverlapWeights,
                               ProximityWeights, RetrievalWeights, ShapeWeights, YearWeights)
from assistant.text.dates import DATE, FULL_DATE, RECENT_DAYS, YEAR_MENTION
from assistant.text.facts import DEFINES, has_answer_type, new_facts
from assistant.text.numbers import MONEY
from assistant.text.tokens import content_words, word_count

FACTOID = {"money", "number", "date", "duration", "name", "place", "location", "organisation", "title"}
SPEAKING = re.compile(r"\b(?:spoke|speak|said|say|says|criticis\w*|comment\w*|respond\w*|warn\w*|welcom\w*)\b", re.I)
URL = re.compile(r"https?://|www\.", re.I)
_ANAPHORIC = re.compile(r"^(?:the|this|it|they|these|those|its|their|such)\b")


def query_overlap(weights: dict[str, float], own: set[str], aliases: set[str], config: OverlapWeights,
                  query_terms: set[str] | None = None, total: float | None = None) -> float:
    """The share of the question's weight a sentence's words hold (through an acronym's other spelling, less).
    `query_terms` (set(weights)) and `total` (their weight) may be passed in, computed once per question.

    >>> query_overlap({"kinship": 2.0, "care": 1.0, "ecf": 1.0}, {"kinship"}, {"ecf"}, OverlapWeights())
    0.65
    """
    query_terms = set(weights) if query_terms is None else query_terms
    total = (sum(weights.values()) or 1.0) if total is None else total
    return (sum(weights[t] for t in query_terms & own)
            + config.alias * sum(weights[t] for t in query_terms & aliases)) / total


def term_overlap(overlap: float, previous_overlap: float, config: OverlapWeights) -> float:
    """The question's words in the sentence; a sentence right after a better-matching one inherits part of
    its overlap, as it often continues it ("A 16-strong body chaired by…").

    >>> term_overlap(0.0, 1.0, OverlapWeights(weight=1.0, continuation=0.5))
    0.5
    """
    context = config.continuation * max(0.0, previous_overlap - overlap)
    return config.weight * (overlap + context)


def fused_rank(passage_score: float, best_passage_score: float, config: RetrievalWeights) -> float:
    """The passage's fused retrieval score, relative to the best retrieved passage."""
    return config.fused * passage_score / best_passage_score


def dense_similarity(cosine: float, config: RetrievalWeights) -> float:
    """The passage's cosine similarity to the question."""
    return config.dense * cosine


def answer_kind_match(text: str, kind: str, query: str, dated: bool, new: list[str] | None,
                      config: AnswerKindWeights) -> float:
    """Reward sentences holding the kind of thing asked for, and not just repeating the question
    (`new`: its facts of that kind the question does not already state).
    'This week' in a dated source is a date: the answer adds the day it was reported.

    >>> answer_kind_match("It rose to £2bn.", "money", "How much was spent?", False, None, AnswerKindWeights())
    0.25
    """
    if kind == "general":
        return 0.0
    if kind == "date" and dated and RECENT_DAYS.search(text) and not DATE.search(text):
        return config.recent_day
    if kind in FACTOID:
        new = new_facts(text, query, kind) if new is None else new
        if new and kind == "name" and SPEAKING.search(query) and has_answer_type(text, "opinion"):
            return config.spoken_name  # "who spoke for the union…": '…,” said Jane Quillfeather'
        if new:
            return config.full_date if kind == "date" and FULL_DATE.search(text) else config.new_fact
        return config.repeated_fact if has_answer_type(text, kind) else config.no_fact
    if kind == "reason":
        return config.reason if has_answer_type(text, kind) else config.no_reason
    if kind == "opinion":  # a view is often a quote's second sentence, with no 'said' in it
        return config.opinion if has_answer_type(text, kind) else 0.0
    return config.other_kind if has_answer_type(text, kind) else 0.0


def fact_proximity(text: str, facts: list[str], focus: set[str], config: ProximityWeights) -> float:
    """A factoid (one of facts, new to the question) close to the words the question is about ('£44m …
    for kinship carers') beats one further away in the same sentence ('£250m … including allowances').

    >>> fact_proximity("£44m for kinship carers", ["£44m"], {"kinship"}, ProximityWeights())
    0.1
    """
    if not facts or not focus:
        return 0.0
    tokens = text.split()
    fact_at = [i for i, token in enumerate(tokens) if any(token.startswith(f.split()[0]) for f in facts)]
    term_at = [i for i, token in enumerate(tokens) if set(content_words(token)) & focus]
    if not fact_at or not term_at:
        return 0.0
    distance = min(abs(a - b) for a in fact_at for b in term_at)
    return config.near if distance <= config.near_words else config.far if distance <= config.far_words else 0.0


def sentence_shape(text: str, list_question: bool, config: ShapeWeights) -> float:
    """Short fragments, questions and (unless a list is asked for) lead-ins make poor answers."""
    words = word_count(text)
    penalty = 0.0
    if words < config.min_words and not list_question:
        penalty += config.short
    if text.rstrip().endswith(":") and not list_question:
        penalty += config.lead_in
    if text.rstrip().endswith("?"):
        penalty += config.question
    if URL.search(text):  # "Read more: https://…" lines are signposts, not answers
        penalty += config.url
    return penalty


def definition_subject(text: str, kind: str, subject: str, context: str, config: DefinitionWeights) -> float:
    """A 'what is X' question wants a sentence whose subject is X (or 'it', 'the approach' right after X)
    saying what it is; `context` is the heading and the sentences just before.

    >>> definition_subject("Family help is a service for families.", "definition", "family help", "", DefinitionWeights())
    0.35
    """
    if kind != "definition" or not subject:
        return 0.0
    bonus = config.mentions if subject in text.lower() else 0.0
    verb = DEFINES.search(text)
    if verb:
        head = text[:verb.start()].lower().strip(" ‘’“”\"'")
        if subject in head:
            bonus += config.subject
        elif _ANAPHORIC.match(head) and len(head.split()) <= config.anaphoric_words and subject in context.lower():
            bonus += config.anaphoric_subject
    return bonus + (config.quoted if text.lstrip().startswith(("“", "\"")) else 0.0)


def claim_match(text: str, kind: str, query_terms: set[str], config: ClaimWeights) -> float:
    """A 'how many councils' question wants the sentence stating that count (and so its rivals)."""
    if kind not in ("number", "money", "date"):
        return 0.0
    for claim in claims_in(text):
        if set(content_words(claim.key)) & query_terms or set(content_words(claim.phrase)) & query_terms - {"year"}:
            return config.match
    return 0.0


def year_mismatch(text: str, published: str, years: Callable[[str], bool] | None, kind: str,
                  config: YearWeights) -> float:
    """A question naming a year ('the 2024 Conservative manifesto') does not want a sentence about
    another year, or a factoid from a source published (ISO date `published`) in another year."""
    if years is None or kind == "date":  # 'after the October 2024 Budget, when…' may well be answered by 2026
        return 0.0
    mentioned = set(YEAR_MENTION.findall(text))
    if mentioned and not any(years(year) for year in mentioned):
        return config.other_year
    published = (published or "")[:4]
    if kind in FACTOID and not mentioned and published and not years(published):
        return config.other_published
    return 0.0


def milestone(text: str, broad: bool, config: MilestoneWeights) -> float:
    """'How has … developed since…' (`broad`) is told in milestones: a sentence with an amount or a date."""
    return (config.bonus if MONEY.search(text) or DATE.search(text) else 0.0) if broad else 0.0


def score(features: dict[str, float] | Iterable[float]) -> float:
    """The sum of the features, in the order given (float addition is not associative: the order is kept)."""
    values = features.values() if isinstance(features, dict) else features
    return sum(values)
