"""Building a briefing, no LLM needed: passages are gathered (gather), split into sentences about the
topic (sentences, topic) and sorted into sections (compose); an LLM section writer may redraft the prose
sections, guarded. Who says what comes from assistant.answering.attribution."""

from __future__ import annotations

import datetime as dt
import re

from assistant.answering.attribution import quotation_units
from assistant.answering.disagreements import ClaimIndex
from assistant.briefing.compose import _notes, compose, number
from assistant.briefing.gather import BriefingSource, gather, neighbours, relevant, sources_in_period
from assistant.briefing.model import Briefing, Item, Section, section_limits
from assistant.briefing.sentences import Sentence, candidates
from assistant.briefing.topic import Topic, close_terms, corpus_idf, topic_terms
from assistant.models import Passage
from assistant.scoring import BriefingWeights, DisagreementThresholds


_CITE = re.compile(r"\[\d+\]")


def build_briefing(bot: BriefingSource, topic: str, writer=None, config: BriefingWeights = BriefingWeights(),
                   disagreement: DisagreementThresholds = DisagreementThresholds()) -> Briefing:
    """A briefing on topic from bot's documents: sections of cited sentences and numbered references,
    chosen with config's weights (settings.scoring.briefing); figures are rivals by `disagreement`
    (settings.scoring.disagreement).

    With a writer (assistant.briefing.llm_writer.LLMSectionWriter) its sections are redrafted by the LLM from the
    passages behind them; a draft the citation guard rejects leaves the extractive section."""
    topic = " ".join(topic.split())
    idf = getattr(bot, "idf", None) or corpus_idf(bot.chunks)
    terms = topic_terms(topic, idf)
    period = sources_in_period(bot.chunks, topic)
    found = config.gathering
    passages = [p for p in gather(bot, topic, found) if period is None or p.source_id in period]
    passages = relevant(passages, terms, found)
    passages, inherited = neighbours(passages, bot.chunks, terms, found)
    passages = relevant(passages, terms, found, floor=0.0)
    close = close_terms(topic, bot.chunks, terms, config.text)
    sentences = candidates(passages, terms, inherited, bot.chunks, Topic.of(topic, idf, close, config.topic), config)
    sparse = (len(passages) < found.sparse_passages
              or max((p.dense for p in passages), default=0.0) < found.sparse_dense)
    limits = {name: min(limit, config.limits.sparse) if sparse else limit
              for name, limit in section_limits(config.limits).items()}
    aliases = getattr(bot, "aliases", None)  # acronyms and long forms as one counted thing, when the source has them
    claims = ClaimIndex(bot.chunks, aliases.canonical if aliases else None, disagreement)
    sections = compose(sentences, limits, topic, claims, bot.chunks, config)
    drafted = redraft(sections, sentences, topic, limits, writer) if writer is not None else []
    info = getattr(bot, "index_info", {}) or {}
    briefing = Briefing(title=f"Briefing: {topic}", topic=topic, generated=dt.date.today().isoformat(),
                        corpus_version=info.get("corpus_version", ""))
    briefing.notes = _notes(topic, sparse, sections) + drafted
    for section in sections:
        if not section.items:
            section.note = f"Nothing in the documents on {topic} for this section."
    briefing.sections = sections
    briefing.references = number(briefing.sections, {p.source_id: p for p in passages}, bot.chunks)
    return briefing


def redraft(sections: list[Section], sentences: list[Sentence], topic: str, limits: dict[str, int],
            writer) -> list[str]:
    """Replace the items of the writer's sections with its guarded drafts, in place; notes on each section."""
    notes = []
    for section in sections:
        passages = section_passages(section, sentences)
        if section.heading not in writer.sections or not passages:
            continue
        draft = writer.write(topic, section.heading, passages, limits[section.heading])
        if draft.usable:
            section.items = [Item([text], [passage.source_id]) for text, passage in draft.sentences]
        notes.append(draft.note)
    return notes


def section_passages(section: Section, sentences: list[Sentence]) -> list[Passage]:
    """The passages the section's extractive sentences come from, in the section's order, each once."""
    found: dict[str, Passage] = {}
    for item in section.items:
        for segment in item.segments:
            for sentence in sentences:
                if segment.startswith(sentence.text) and sentence.passage.chunk_id not in found:
                    found[sentence.passage.chunk_id] = sentence.passage
    return list(found.values())


def uncited_lines(markdown: str) -> list[str]:
    """Lines outside References with a sentence or bullet that does not end in a [n] citation."""
    bad, in_references = [], False
    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            in_references = stripped.lstrip("#").strip().lower() == "references"
            continue
        if not stripped or in_references or _is_note(stripped):
            continue
        if not _fully_cited(stripped):
            bad.append(line)
    return bad


def _is_note(line: str) -> bool:
    """Italic lines (_..._) are statements about the briefing, not about the topic."""
    return len(line) > 2 and line.startswith("_") and line.endswith("_")


def _fully_cited(line: str) -> bool:
    body = re.sub(r"^(?:[-*+]|\d+[.)])\s+", "", line)
    body = re.sub(r"^\*\*[^*]+\*\*(?:\s*\([^)]*\))?:?\s*", "", body)
    pieces = _CITE.split(body)
    if len(pieces) < 2 or re.search(r"\w", pieces[-1]):
        return False
    for piece in pieces[:-1]:  # a quotation of several sentences is one cited unit
        spans = [piece.strip(" ;,")[a:b] for a, b in quotation_units(piece.strip(" ;,"))]
        if len([s for s in spans if not re.fullmatch(r"\(.*\)", s.strip())]) > 1:
            return False
    return True
