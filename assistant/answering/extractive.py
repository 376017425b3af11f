"""The default answerer: pick the sentences that answer the question from the passages, cite each.

No LLM. Sentences are scored by named features (assistant/answering/features.py: word overlap,
IDF-weighted, the passage's retrieval scores, the expected answer type…) whose weights, like every floor
and cap of the selection here, are in `settings.scoring` (assistant/scoring.py); redundant sentences
are dropped and the rest keep their reading order."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Iterator

from assistant.answering import features
from assistant.answering.attribution import asks_named_speaker, is_open_question, open_points
from assistant.answering.base import AnswerRequest
from assistant.answering.candidates import Asked, Candidate, definition_subject, heading_line, is_dated, says_the_same
from assistant.answering.citations import cite_passage
from assistant.answering.disagreements import Claim, ClaimIndex, claims_in, source_label, sources_differ
from assistant.answering.features import FACTOID
from assistant.answering.selection import (best_passage_first, list_around, with_antecedents, with_context, with_contrasts,
                                           with_elaborations, without_connective)
from assistant.checks.constraints import Evidence, constraints_of, spelled_acronyms, unmet
from assistant.models import Answer, Citation, Passage, previous_chunk_id
from assistant.question.followups import split_carried
from assistant.question.kinds import LIST_CUE, SYNTHESIS_CUE, answer_type, years_in_scope
from assistant.retrieval.aliases import Aliases
from assistant.settings import Settings
from assistant.text.dates import DATE, RELATIVE_TIME
from assistant.text.facts import new_facts
from assistant.text.names import NAME_LIST
from assistant.text.sentences import LEANS_BACK, is_bullet, sentence_spans, strip_bullet
from assistant.text.tokens import content_words, word_count


_CITED_END = re.compile(r"(?<= \[\d\])\s+|(?<= \[\d\d\])\s+")  # between "… [1]" and the next sentence


class ExtractiveAnswerer:
    """Selects and cites sentences; shows both sides where sources state different figures."""

    name = "extractive"

    def __init__(self, settings: Settings, idf: dict[str, float], claims: ClaimIndex | None = None,
                 passages_by_id: dict | None = None, aliases: Aliases | None = None,
                 search: Callable[[str, int], list[Passage]] | None = None,
                 before: Callable[[str], Passage | None] | None = None):
        self.settings = settings
        self.aliases = aliases or Aliases()
        self.idf = idf
        self.default_idf = max(idf.values(), default=1.0)
        self.claims = claims
        self.passages_by_id = passages_by_id or {}
        self.search = search  # passages for a sentence, to find rival figures beyond the retrieved ones
        self.before = before  # the passage before a passage in its document, for a sentence leaning back

    # -- the protocol ------------------------------------------------------------------------
    def answer(self, request: AnswerRequest) -> Answer:
        asked = self.asked(request.query)
        ranked = self._ranked(asked, request.passages)
        chosen = self._select(asked, request.passages, ranked)
        question = request.question or request.query
        constraints = constraints_of(question, self.settings.scoring.constraints, known=self.idf.__contains__) + \
            spelled_acronyms(question, " ".join(_context_of(p) for p in request.passages), self.idf.__contains__)
        missed = unmet(constraints, [self._evidence(c) for c in chosen])
        if missed:
            chosen = self._meeting(missed, ranked, chosen) or chosen
            missed = unmet(constraints, [self._evidence(c) for c in chosen])
        if missed or not chosen:
            what = missed[0].what if missed else "an answer to this"
            return self.not_stated(request, f"The documents don't state {what}", ranked)
        kind = asked.kind
        if is_open_question(request.question or request.query) and kind not in FACTOID:
            points = open_points(request.query, request.passages, self.idf, self.settings.scoring.attribution,
                                 self.before)
            named = any(p.named for p in points)  # an asked group's point may outrank the named speakers'
            # 'why are some worried' wants reasons, whoever gives them; 'why is X worried' wants X's points.
            # One point answers when it is the named speaker's own words in full.
            min_points = self.settings.scoring.selection.open_min_points
            # 'what did Ofsted say' with no statement of Ofsted's: the sentences naming it, not others' points
            asked_speaker = asks_named_speaker(split_carried(request.query)[0]) and not named
            if (named or kind != "reason") and not asked_speaker and (
                    len(points) >= min_points or named and points[0].kind == "quote"):
                return self.compose_points(request, points, chosen)
        return self.compose(request, chosen, asked)

    def compose_points(self, request: AnswerRequest, points: list, chosen: list[Candidate]) -> Answer:
        """An open question's answer: one attributed point per speaker or source, each cited."""
        numbering: dict[str, Citation] = {}
        lines = []
        for point in points:
            citation = self._cite(numbering, point.passage, point.start, point.end)
            lines.append(f"- {without_connective(point.line())} [{citation.n}]")  # each point stands alone
        return Answer(status="answered", answer="\n".join(lines), citations=list(numbering.values()),
                      query=request.query, question=request.question, passages=request.passages, backend=self.name)

    def _evidence(self, candidate: Candidate) -> Evidence:
        return Evidence.of(candidate.read, _context_of(candidate.passage), self.aliases.expand)

    def _meeting(self, missed: list, ranked: list[Candidate], chosen: list[Candidate]) -> list[Candidate]:
        """chosen led by the best sentence that meets what it missed (within constraint_share of the best
        score), if any."""
        floor = self.settings.scoring.selection.constraint_share * ranked[0].score if ranked else 0.0
        for candidate in ranked:
            if candidate.score < floor:
                break
            if all(c.met(self._evidence(candidate)) for c in missed):
                return [candidate] + [c for c in chosen if c is not candidate][:1]
        return []

    def not_stated(self, request: AnswerRequest, lead: str, ranked: list[Candidate] | None = None) -> Answer:
        """A "not stated" answer: what the documents don't say, and the closest sentence they have, cited."""
        ranked = self.ranked(request.query, request.passages) if ranked is None else ranked
        min_words = self.settings.scoring.selection.readable_min_words
        closest = next((c for c in ranked if _readable_alone(c.text, min_words)), ranked[0] if ranked else None)
        if closest is None:
            return Answer(status="not_found", answer=f"{lead}.", query=request.query, question=request.question,
                          passages=request.passages, backend=self.name, reason="not_stated")
        numbering: dict[str, Citation] = {}
        citation = self._cite(numbering, closest.passage, closest.start, closest.end)
        text = f"{lead}; the closest they have is: {_display(closest.text)} [{citation.n}]"
        return Answer(status="not_found", answer=text, citations=[citation], query=request.query,
                      question=request.question, passages=request.passages, backend=self.name, reason="not_stated")

    def stream(self, request: AnswerRequest) -> Iterator[Answer]:
        """The finished answer, shown one cited sentence at a time (a quote's "[Councils]" is not a marker)."""
        final = self.answer(request)
        sentences = _CITED_END.split(final.answer.split("\n\n")[0])
        for count in range(1, len(sentences)):
            yield Answer(status=final.status, answer=" ".join(sentences[:count]), citations=final.citations, reason=final.reason,
                         query=final.query, question=final.question, backend=self.name)
        yield final

    # -- selection ---------------------------------------------------------------------------
    def asked(self, query: str) -> Asked:
        """What the query asks for and its weighted words: read once, used by scoring and selection."""
        kind = answer_type(query)
        weights = self.term_weights(query)
        own, _ = split_carried(query)  # the follow-up's own words, without those carried over
        return Asked(query=query, kind=kind, weights=weights, query_terms=set(weights),
                     total=sum(weights.values()) or 1.0, focus=set(content_words(own)), years=years_in_scope(own),
                     subject=definition_subject(query) if kind == "definition" else "",
                     list_question=bool(LIST_CUE.search(query)), synthesis=bool(SYNTHESIS_CUE.search(query)))

    def candidates(self, query: str, passages: list[Passage]) -> list[Candidate]:
        """Every sentence of every passage, scored against the query."""
        return self._candidates(self.asked(query), passages)

    def _candidates(self, asked: Asked, passages: list[Passage]) -> list[Candidate]:
        config = self.settings.scoring.sentence
        heading_words = self.settings.scoring.selection.heading_max_words
        context_sentences = config.definition.context_sentences
        best_fused = max((p.score for p in passages), default=1.0) or 1.0
        out = []
        by_id = {p.chunk_id: p for p in passages}
        for rank, passage in enumerate(passages):
            previous_overlap = 0.0
            spans = sentence_spans(passage.text)
            # the sentences just before, for a definition's 'The latter provide …' (across a passage's start)
            recent = self._run_on_from(passage, spans, by_id, context_sentences) if asked.kind == "definition" else []
            heading, lead_in = "", ""
            for start, end in spans:
                raw = passage.text[start:end]
                bullet = is_bullet(raw)
                if not bullet:
                    heading = heading_line(raw, heading_words) or heading
                    lead_in = raw.strip() if raw.rstrip().endswith(":") else ""
                candidate = Candidate(passage, rank, start, end, raw, heading=heading if heading != raw.strip() else "",
                                      lead_in=lead_in if bullet else "")
                text = candidate.scored
                own = set(content_words(text))
                if bullet:  # a list item is about its section's heading ("Proposed national framework outcomes")
                    own |= set(content_words(passage.metadata.get("section", "")))
                # what it adds to the question
                facts = new_facts(text, asked.query, asked.kind) if asked.kind in FACTOID else []
                candidate.terms, candidate.alias_terms = own, self.aliases.expand(own) - own
                overlap = features.query_overlap(asked.weights, own, candidate.alias_terms, config.overlap,
                                                 asked.query_terms, asked.total)
                context = " ".join([heading, *recent[max(0, len(recent) - context_sentences):]])
                candidate.features = {
                    "term_overlap": features.term_overlap(overlap, previous_overlap, config.overlap),
                    "fused_rank": features.fused_rank(passage.score, best_fused, config.retrieval),
                    "dense_similarity": features.dense_similarity(passage.dense, config.retrieval),
                    "answer_kind_match": features.answer_kind_match(text, asked.kind, asked.query, is_dated(passage),
                                                                    facts, config.answer_kind),
                    "fact_proximity": features.fact_proximity(text, facts, asked.focus, config.proximity),
                    "sentence_shape": features.sentence_shape(text, asked.list_question, config.shape),
                    "definition_subject": features.definition_subject(text, asked.kind, asked.subject, context,
                                                                      config.definition),
                    "claim_match": features.claim_match(text, asked.kind, asked.query_terms, config.claim),
                    "year_mismatch": features.year_mismatch(text, passage.metadata.get("published"), asked.years,
                                                            asked.kind, config.year),
                    "milestone": features.milestone(text, asked.broad, config.milestone),
                }
                candidate.score = features.score(candidate.features)  # summed in the order above
                previous_overlap = overlap if not bullet else previous_overlap
                recent.append(text)
                out.append(candidate)
        return out

    def _run_on_from(self, passage: Passage, spans: list[tuple[int, int]], by_id: dict[str, Passage],
                     most: int) -> list[str]:
        """The last sentences (at most `most`) of the passage before this one in its document, when this one
        (its sentence `spans`) opens by leaning on it ("The latter provide …"): what its first sentence is read
        after. The passage before is taken from the retrieved ones, else looked up (`before`); [] when there is
        none."""
        if not spans or most <= 0 or not LEANS_BACK.match(passage.text[spans[0][0]:spans[0][1]].strip()):
            return []
        previous_id = previous_chunk_id(passage.chunk_id)
        previous = by_id.get(previous_id) or (self.before(passage.chunk_id) if previous_id and self.before else None)
        if previous is None:
            return []
        return [previous.text[start:end] for start, end in sentence_spans(previous.text)[-most:]]

    def term_weights(self, query: str) -> dict[str, float]:
        """IDF of each query term (acronyms and long forms both count); words carried over from
        earlier turns (the final bracket of a condensed follow-up) count less."""
        config = self.settings.scoring.sentence.overlap
        own, context = split_carried(query)
        focus = set(content_words(own))
        carried = set(content_words(context)) - focus
        weights = {term: self.idf.get(term, self.default_idf) for term in focus}
        weights.update({term: config.carried * self.idf.get(term, self.default_idf) for term in carried})
        # An acronym and its long form are one idea: the other spelling shares the weight of the one asked.
        for term in sorted(self.aliases.expand(weights) - set(weights)):
            weights[term] = config.alias * self.default_idf / config.alias_idf_divisor
        return weights

    def ranked(self, query: str, passages: list[Passage]) -> list[Candidate]:
        """Every sentence of the passages, best first."""
        return self._ranked(self.asked(query), passages)

    def _ranked(self, asked: Asked, passages: list[Passage]) -> list[Candidate]:
        return sorted(self._candidates(asked, passages), key=lambda c: (-c.score, c.rank, c.start))

    def select(self, query: str, passages: list[Passage], ranked: list[Candidate] | None = None) -> list[Candidate]:
        """The best sentences, no near-duplicates: at most max_answer_sentences (three for a factoid, two more for
        'how has … developed since') within a word cap (see _size), then completed with what they need to be read."""
        return self._select(self.asked(query), passages, ranked)

    def _select(self, asked: Asked, passages: list[Passage], ranked: list[Candidate] | None = None) -> list[Candidate]:
        ranked = self._ranked(asked, passages) if ranked is None else ranked
        if not ranked:
            return []
        config = self.settings.scoring.selection
        best = ranked[0].score
        limit, word_cap = self._size(asked)
        chosen = self._greedy(ranked, asked, limit, word_cap, floor=max(config.floor_share * best, config.floor_min))
        if asked.list_question:
            chosen = self._with_list(chosen, ranked)
        else:
            chosen = self._with_items(chosen, ranked)
            if asked.kind not in FACTOID:
                chosen = with_contrasts(chosen, ranked, word_cap)
                chosen = with_elaborations(chosen, ranked, word_cap, asked.query_terms, config)
        ordered = with_antecedents(best_passage_first(chosen), ranked, config.antecedent_sentences, self.before)
        return with_context(ordered, ranked)

    def _size(self, asked: Asked) -> tuple[int, int]:
        """Most sentences and words: factoids short; 'how has … developed since' questions longer."""
        config = self.settings.scoring.selection
        sentences, words = self.settings.max_answer_sentences, self.settings.max_answer_words
        if asked.kind in FACTOID:
            # "How much … since 2023, and by which governments?" gathers figures from several places
            return ((sentences, int(words * config.words_factor)) if asked.synthesis
                    else (min(config.factoid_sentences, sentences), words))
        if asked.synthesis:
            return sentences + config.synthesis_extra_sentences, int(words * config.synthesis_words_factor)
        return sentences, int(words * config.words_factor)

    def _greedy(self, ranked: list[Candidate], asked: Asked, limit: int, word_cap: int, floor: float) -> list[Candidate]:
        """Pick sentences by score plus the query terms they add that earlier picks did not cover."""
        config = self.settings.scoring.selection
        weights, query_terms, weight = asked.weights, asked.query_terms, asked.total
        broad = asked.synthesis  # "how has … developed", "across": prefer several sources
        pool = [c for c in ranked if c.score >= floor]
        chosen: list[Candidate] = []
        covered: set[str] = set()
        words = 0
        while pool and len(chosen) < limit:
            sources = {c.passage.source_id for c in chosen}

            def gain(c: Candidate) -> float:
                new = (query_terms & (c.terms | c.alias_terms)) - covered
                spread = config.repeat_source if broad and c.passage.source_id in sources else 0.0
                return c.score + spread + (config.coverage * sum(weights[t] for t in new) / weight if chosen else 0)
            pool.sort(key=lambda c: (-gain(c), c.rank, c.start))
            candidate = pool.pop(0)
            size = word_count(candidate.text)
            if (any(says_the_same(candidate, other, config.similar_jaccard) for other in chosen)
                    or (chosen and words + size > word_cap)):
                continue
            chosen.append(candidate)
            covered |= query_terms & (candidate.terms | candidate.alias_terms)
            words += size
        return chosen

    def _with_list(self, chosen: list[Candidate], ranked: list[Candidate]) -> list[Candidate]:
        """For 'what are the…' questions: the best list (lead-in and items) replaces single sentences."""
        config = self.settings.scoring.selection
        best = ranked[0].score
        for candidate in ranked[:config.list_scan]:
            if candidate.score < config.list_share * best:
                break
            items = list_around(candidate, ranked, config)
            if len(items) >= config.list_min_items:
                kept = [c for c in chosen if c.passage.chunk_id != candidate.passage.chunk_id][:1]
                return items + kept
            if NAME_LIST.search(candidate.text):
                return chosen if candidate in chosen else [candidate] + chosen[:config.name_list_extra]
        return chosen

    def _with_items(self, chosen: list[Candidate], ranked: list[Candidate]) -> list[Candidate]:
        """A chosen lead-in ('The rules require councils to:') says nothing alone: the items it introduces
        follow it (a question not asking for a list)."""
        config = self.settings.scoring.selection
        shown: list[Candidate] = []
        for candidate in chosen:
            listed = list_around(candidate, ranked, config) if candidate.text.rstrip().endswith(":") else []
            shown += [c for c in listed or [candidate] if c not in shown]
        return shown

    # -- composition -------------------------------------------------------------------------
    def compose(self, request: AnswerRequest, chosen: list[Candidate], asked: Asked | None = None) -> Answer:
        numbering: dict[str, Citation] = {}
        parts = []
        dating = (asked.kind if asked else answer_type(request.query)) == "date"
        for candidate in chosen:
            citation = self._cite(numbering, candidate.passage, candidate.start, candidate.end)
            text = _display(candidate.text) if parts else without_connective(_display(candidate.text))
            parts.append(f"{text}{_when_reported(candidate, citation) if dating else ''} [{citation.n}]")
        disagreements = self._disagreements(chosen, numbering, request.passages)
        answer = " ".join(parts)
        if disagreements:
            answer += "\n\n" + "\n\n".join(disagreements)
        return Answer(status="answered", answer=answer, citations=list(numbering.values()),
                      query=request.query, question=request.question, disagreements=disagreements,
                      passages=request.passages, backend=self.name)

    @staticmethod
    def _cite(numbering: dict[str, Citation], passage: Passage, start: int, end: int) -> Citation:
        citation = numbering.get(passage.chunk_id)
        if citation is None:
            citation = cite_passage(len(numbering) + 1, passage, start, end)
            numbering[passage.chunk_id] = citation
        return citation

    def _disagreements(self, chosen: list[Candidate], numbering: dict[str, Citation],
                       passages: list[Passage]) -> list[str]:
        """'Sources differ' notes for figures in the answer that other sources state differently."""
        notes, done = [], set()
        for candidate in chosen:
            claims = claims_in(candidate.text, candidate.passage.chunk_id, candidate.passage.source_id,
                               self.aliases.canonical)
            if not claims:
                continue
            pool = self._rival_pool(candidate, passages, claims)
            index = self.claims or ClaimIndex(pool.values(), self.aliases.canonical, self.settings.scoring.disagreement)
            for claim in claims:
                conflicts = [c for c in index.conflicts(claim) if c.chunk_id in pool or c.chunk_id in self.passages_by_id]
                if not conflicts or claim.key in done:
                    continue
                done.add(claim.key)
                notes.append(self._note(claim, conflicts, candidate, numbering, pool))
        return notes

    def _rival_pool(self, candidate: Candidate, passages: list[Passage], claims: list[Claim]) -> dict[str, Passage]:
        """Where rival figures may be: the retrieved passages, those found for the sentence itself and
        those found for what each figure counts ("local authorities", "£2bn over")."""
        if not self.search:
            return {p.chunk_id: p for p in passages}
        nouns = [re.sub(r"^\S+\s+", "", c.phrase) if not c.key.startswith("period of ") else c.phrase.split()[0] + " over years"
                 for c in claims]
        k = self.settings.scoring.selection.rival_k
        found = self.search(candidate.text, k) + [p for noun in dict.fromkeys(nouns) for p in self.search(noun, k)]
        return {p.chunk_id: p for p in [*passages, *found]}

    def _note(self, claim: Claim, conflicts: list[Claim], candidate: Candidate, numbering: dict,
              pool: dict[str, Passage]) -> str:
        here = numbering[candidate.passage.chunk_id]
        sides = [(source_label(here.publisher, here.published), claim.phrase, f" [{here.n}]")]
        for other in conflicts[:self.settings.scoring.selection.rival_sides]:
            passage = pool.get(other.chunk_id) or self.passages_by_id.get(other.chunk_id)
            if passage is None:
                continue
            citation = self._cite(numbering, passage, other.start, other.end)
            sides.append((source_label(citation.publisher, citation.published), other.phrase, f" [{citation.n}]"))
        return "; ".join(sources_differ(claim.subject, sides)) + "."


def _context_of(passage: Passage) -> str:
    """What a sentence is read with: its passage, the passage's title and section."""
    meta = passage.metadata
    return " ".join([meta.get("title", ""), meta.get("section", ""), passage.text])


def _readable_alone(text: str, min_words: int) -> bool:
    """A sentence that makes sense without the one before it (no opening 'However,', 'It', 'They'…)."""
    stripped = strip_bullet(text) if is_bullet(text) else text.strip()
    return word_count(stripped) >= min_words and not LEANS_BACK.match(stripped) and not stripped.endswith(("?", ":"))


def _when_reported(candidate: Candidate, citation: Citation) -> str:
    """'This week, …' answers a 'when' question only with the date the source was published."""
    if not citation.published or not RELATIVE_TIME.search(candidate.text) or DATE.search(candidate.text):
        return ""
    day = dt.date.fromisoformat(citation.published)
    return f" (reported on {day.day} {day:%B %Y})"


def _display(sentence: str) -> str:
    text = strip_bullet(sentence) if is_bullet(sentence) else sentence.strip()
    return text
