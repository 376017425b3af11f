"""Gathering a briefing's passages: several retrievals on the topic, their neighbours, kept when relevant."""

from __future__ import annotations

import re
from typing import Protocol

from assistant.briefing.topic import overlap
from assistant.models import Passage
from assistant.scoring import BriefingGathering

QUERIES = ("{}", "{} funding cost £", "{} criticism concern warned", "{} when date timeline", "{} said")


# -- public ------------------------------------------------------------------------------------
class BriefingSource(Protocol):
    """What a briefing is built from: the Assistant, or any object with these (tests use a small fake).
    Optional: `idf` (term weights; else counted from the chunks) and `retrieve_many(queries, k)` (else
    one `retrieve` per query, with no similarity for passages found by words alone)."""

    chunks: list
    index_info: dict

    def retrieve(self, query: str, k: int | None = None, filters=None) -> list[Passage]: ...


def gather(bot: BriefingSource, topic: str, config: BriefingGathering = BriefingGathering()) -> list[Passage]:
    """The union of several retrievals on the topic (config.k passages each), each passage kept with its
    best dense score."""
    found: dict[str, Passage] = {}
    runs, similarity = _retrievals(bot, [template.format(topic) for template in QUERIES], config.k)
    for passages in runs:
        for passage in passages:
            passage.dense = max(passage.dense, similarity.get(passage.chunk_id, 0.0))
            kept = found.get(passage.chunk_id)
            if kept is None or passage.dense > kept.dense:
                found[passage.chunk_id] = passage
    return list(found.values())


def _retrievals(bot: BriefingSource, queries: list[str], k: int) -> tuple[list[list[Passage]], dict[str, float]]:
    """One retrieval per query, and each chunk's similarity to the first where the source offers them
    (Assistant.retrieve_many embeds the queries in one batch)."""
    many = getattr(bot, "retrieve_many", None)
    return many(queries, k) if many else ([bot.retrieve(query, k=k) for query in queries], {})


def neighbours(passages: list[Passage], chunks, terms: dict[str, float],
               config: BriefingGathering = BriefingGathering()) -> tuple[list[Passage], dict]:
    """Add the chunks next to passages that name the topic outright (articles run across chunks),
    with the relevance they inherit from that passage."""
    by_place = {(c.metadata.get("source_id"), c.metadata.get("position")): c for c in chunks}
    have = {p.chunk_id for p in passages}
    added, inherited = [], {}
    for passage in passages:
        if overlap(_context(passage) + " " + passage.text, terms) < config.neighbour_on_topic:
            continue
        for step in (-1, 1):
            chunk = by_place.get((passage.source_id, passage.metadata.get("position", 0) + step))
            if chunk is not None and chunk.id not in have:
                have.add(chunk.id)
                dense = config.neighbour_share * passage.dense
                added.append(Passage(chunk.id, chunk.text, chunk.metadata, dense=dense))
                inherited[chunk.id] = config.neighbour_share * relevance(passage, terms, config)
    return passages + added, inherited


def relevant(passages: list[Passage], terms: dict[str, float], config: BriefingGathering = BriefingGathering(),
             floor: float | None = None) -> list[Passage]:
    """Passages that are about the topic: similar enough and sharing its distinctive words (floor, by
    default config.words_floor)."""
    floor = config.words_floor if floor is None else floor
    kept = []
    for passage in passages:
        words = overlap(_context(passage) + " " + passage.text, terms)
        if passage.dense >= config.dense_floor and (words >= floor or passage.dense >= config.dense_alone):
            kept.append(passage)
    return sorted(kept, key=lambda p: (-relevance(p, terms, config), p.chunk_id))


def sources_in_period(chunks, topic: str) -> set[str] | None:
    """When the topic names years: sources published then, or undated ones that mention them; else None."""
    years = set(re.findall(r"\b(?:19|20)\d\d\b", topic))
    if not years:
        return None
    found = set()
    for chunk in chunks:
        published = (chunk.metadata.get("published") or "")[:4]
        if published in years or (not published and any(year in chunk.text for year in years)):
            found.add(chunk.metadata.get("source_id", ""))
    return found


def relevance(passage: Passage, terms: dict[str, float], config: BriefingGathering = BriefingGathering()) -> float:
    """How much a passage is about the topic: dense similarity and topic words, in its title too."""
    return config.relevance_dense * passage.dense + config.relevance_words * overlap(
        _context(passage) + " " + passage.text, terms)


def _context(passage: Passage) -> str:
    return f"{passage.metadata.get('title', '')} {passage.metadata.get('section', '')}"
