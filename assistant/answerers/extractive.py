"""The default answerer: pick the sentences that answer the question from the passages, cite each.

No LLM. Sentences are scored by word overlap (IDF-weighted), the passage's retrieval scores and the
expected answer type; redundant ones are dropped and the rest keep their reading order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Iterator

from assistant.aliases import Aliases
from assistant.answerers.base import AnswerRequest
from assistant.attribution import is_open_question, open_points
from assistant.claims import Claim, ClaimIndex, claims_in
from assistant.constraints import Evidence, constraints_of, unmet
from assistant.conversation import split_carried
from assistant.models import Answer, Citation, Passage, locator
from assistant.patterns import (DATE, DEFINES, FULL_DATE, LIST_CUE, MONEY, NAME_LIST, RECENT_DAYS, RELATIVE_TIME,
                                SYNTHESIS_CUE, YEAR_MENTION, answer_type, has_answer_type, new_facts, years_in_scope)
from assistant.settings import Settings
from assistant.text import content_words, is_bullet, sentence_spans, strip_bullet, word_count

_ANAPHORIC = re.compile(r"^(?:the|this|it|they|these|those|its|their|such)\b")
FACTOID = {"money", "number", "date", "name", "place", "organisation", "title"}
RIVAL_K = 20  # passages searched for rival figures, per query (the sentence, and what each figure counts)
ALIAS_WEIGHT = 0.6  # a query word matched only through an acronym's long form (or back) counts this much
CARRIED_WEIGHT = 0.7  # a word a follow-up carries over from earlier turns counts this much
SPEAKING = re.compile(r"\b(?:spoke|speak|said|say|says|criticis\w*|comment\w*|respond\w*|warn\w*|welcom\w*)\b", re.I)
_URL = re.compile(r"https?://|www\.", re.I)
_CITED_END = re.compile(r"(?<= \[\d\])\s+|(?<= \[\d\d\])\s+")  # between "… [1]" and the next sentence
_CONTRAST = re.compile(r"^(?:Instead|However|But|Rather)\b")



@dataclass
class Candidate:
    """A sentence of a retrieved passage, with its score."""

    passage: Passage
    rank: int
    start: int
    end: int
    text: str
    score: float = 0.0
    terms: set[str] = field(default_factory=set)
    alias_terms: set[str] = field(default_factory=set)  # long forms of its acronyms and back, not its own words
    heading: str = ""  # the short line it sits under ("From 1 April 2027"), shown with it when dated or a list item
    lead_in: str = ""  # a list item's lead-in sentence ("Existing providers will not be able to:")

    @property
    def scored(self) -> str:
        """The text its score is computed on: a list item under a dated heading carries the date."""
        if self.heading and DATE.search(self.heading):
            return f"{self.heading}: {strip_bullet(self.text) if is_bullet(self.text) else self.text.strip()}"
        return self.text

    @property
    def read(self) -> str:
        """The sentence as it is read and shown: under its dated heading, a list item after its lead-in."""
        if not is_bullet(self.text):
            return f"{self.heading}: {self.text.strip()}" if self.heading and DATE.search(self.heading) else self.text
        item = f"{self.lead_in} {strip_bullet(self.text)}" if self.lead_in else strip_bullet(self.text)
        return f"{self.heading}: {item}" if self.heading else item


class ExtractiveAnswerer:
    """Selects and cites sentences; shows both sides where sources state different figures."""

    name = "extractive"

    def __init__(self, settings: Settings, idf: dict[str, float], claims: ClaimIndex | None = None,
                 passages_by_id: dict | None = None, aliases: Aliases | None = None,
                 search: Callable[[str, int], list[Passage]] | None = None):
        self.settings = settings
        self.aliases = aliases or Aliases()
        self.idf = idf
        self.default_idf = max(idf.values(), default=1.0)
        self.claims = claims
        self.passages_by_id = passages_by_id or {}
        self.search = search  # passages for a sentence, to find rival figures beyond the retrieved ones

    # -- the protocol ------------------------------------------------------------------------
    def answer(self, request: AnswerRequest) -> Answer:
        ranked = self.ranked(request.query, request.passages)
        chosen = self.select(request.query, request.passages, ranked)
        constraints = constraints_of(request.question or request.query)
        missed = unmet(constraints, [self._evidence(c) for c in chosen])
        if missed:
            chosen = self._meeting(missed, ranked, chosen) or chosen
            missed = unmet(constraints, [self._evidence(c) for c in chosen])
        if missed or not chosen:
            what = missed[0].what if missed else "an answer to this"
            return self.not_stated(request, f"The documents don't state {what}", ranked)
        kind = answer_type(request.query)
        if is_open_question(request.question or request.query) and kind not in FACTOID:
            points = open_points(request.query, request.passages, self.idf)
            named = bool(points) and points[0].named
            # 'why are some worried' wants reasons, whoever gives them; 'why is X worried' wants X's points.
            # One point answers when it is the named speaker's own words in full.
            if (named or kind != "reason") and (len(points) >= 2 or named and points[0].kind == "quote"):
                return self.compose_points(request, points, chosen)
        return self.compose(request, chosen)

    def compose_points(self, request: AnswerRequest, points: list, chosen: list[Candidate]) -> Answer:
        """An open question's answer: one attributed point per speaker or source, each cited."""
        numbering: dict[str, Citation] = {}
        lines = []
        for point in points:
            citation = self._cite(numbering, point.passage, point.start, point.end)
            lines.append(f"- {point.line()} [{citation.n}]")
        return Answer(status="answered", answer="\n".join(lines), citations=list(numbering.values()),
                      query=request.query, question=request.question, passages=request.passages, backend=self.name)

    def _evidence(self, candidate: Candidate) -> Evidence:
        return Evidence.of(candidate.read, _context(candidate), self.aliases.expand)

    def _meeting(self, missed: list, ranked: list[Candidate], chosen: list[Candidate]) -> list[Candidate]:
        """chosen led by the best sentence that meets what it missed (within half the best score), if any."""
        floor = 0.5 * ranked[0].score if ranked else 0.0
        for candidate in ranked:
            if candidate.score < floor:
                break
            if all(c.met(self._evidence(candidate)) for c in missed):
                return [candidate] + [c for c in chosen if c is not candidate][:1]
        return []

    def not_stated(self, request: AnswerRequest, lead: str, ranked: list[Candidate] | None = None) -> Answer:
        """A "not stated" answer: what the documents don't say, and the closest sentence they have, cited."""
        ranked = self.ranked(request.query, request.passages) if ranked is None else ranked
        closest = next((c for c in ranked if _readable_alone(c.text)), ranked[0] if ranked else None)
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
    def candidates(self, query: str, passages: list[Passage]) -> list[Candidate]:
        """Every sentence of every passage, scored against the query."""
        kind = answer_type(query)
        weights = self.term_weights(query)
        query_terms = set(weights)
        subject = definition_subject(query) if kind == "definition" else ""
        list_question = bool(LIST_CUE.search(query))
        weight = sum(weights.values()) or 1.0
        asked, _ = split_carried(query)  # the follow-up's own words, without those carried over
        years = years_in_scope(asked)
        focus = set(content_words(asked))
        best_fused = max((p.score for p in passages), default=1.0) or 1.0
        broad = kind not in FACTOID and bool(SYNTHESIS_CUE.search(query))
        out = []
        for rank, passage in enumerate(passages):
            previous_overlap = 0.0
            heading = " ".join([passage.metadata.get("title", ""), passage.metadata.get("section", "")])
            recent: list[str] = []
            heading, lead_in = "", ""
            for start, end in sentence_spans(passage.text):
                raw = passage.text[start:end]
                bullet = is_bullet(raw)
                if not bullet:
                    heading = _heading_line(raw) or heading
                    lead_in = raw.strip() if raw.rstrip().endswith(":") else ""
                candidate = Candidate(passage, rank, start, end, raw, heading=heading if heading != raw.strip() else "",
                                      lead_in=lead_in if bullet else "")
                text = candidate.scored
                own = set(content_words(text))
                if bullet:  # a list item is about its section's heading ("Proposed national framework outcomes")
                    own |= set(content_words(passage.metadata.get("section", "")))
                facts = new_facts(text, query, kind) if kind in FACTOID else []  # what it adds to the question
                candidate.terms, candidate.alias_terms = own, self.aliases.expand(own) - own
                overlap = (sum(weights[t] for t in query_terms & own)
                           + ALIAS_WEIGHT * sum(weights[t] for t in query_terms & candidate.alias_terms)) / weight
                # A sentence right after a matching one often continues it ("A 16-strong body chaired by…").
                context = 0.25 * max(0.0, previous_overlap - overlap)
                candidate.score = (0.55 * (overlap + context) + 0.2 * passage.score / best_fused
                                   + 0.25 * passage.dense + self._type_bonus(text, kind, query, _dated(passage), facts)
                                   + _proximity_bonus(text, facts, focus)
                                   + self._shape_penalty(text, list_question)
                                   + self._definition_bonus(text, kind, subject, " ".join([heading, *recent[-2:]]))
                                   + self._claim_bonus(text, kind, query_terms)
                                   + _year_penalty(text, passage, years, kind)
                                   + (_milestone_bonus(text) if broad else 0.0))
                previous_overlap = overlap if not bullet else previous_overlap
                recent.append(text)
                out.append(candidate)
        return out

    def term_weights(self, query: str) -> dict[str, float]:
        """IDF of each query term (acronyms and long forms both count); words carried over from
        earlier turns (the final bracket of a condensed follow-up) count less."""
        own, context = split_carried(query)
        focus = set(content_words(own))
        carried = set(content_words(context)) - focus
        weights = {term: self.idf.get(term, self.default_idf) for term in focus}
        weights.update({term: CARRIED_WEIGHT * self.idf.get(term, self.default_idf) for term in carried})
        # An acronym and its long form are one idea: the other spelling shares the weight of the one asked.
        for term in sorted(self.aliases.expand(weights) - set(weights)):
            weights[term] = ALIAS_WEIGHT * self.default_idf / 3
        return weights

    @staticmethod
    def _type_bonus(text: str, kind: str, query: str = "", dated: bool = False, new: list[str] | None = None) -> float:
        """Reward sentences holding the kind of thing asked for, and not just repeating the question
        (`new`: its facts of that kind the question does not already state).
        'This week' in a dated source is a date: the answer adds the day it was reported."""
        if kind == "general":
            return 0.0
        if kind == "date" and dated and RECENT_DAYS.search(text) and not DATE.search(text):
            return 0.25
        if kind in FACTOID:
            new = new_facts(text, query, kind) if new is None else new
            if new and kind == "name" and SPEAKING.search(query) and has_answer_type(text, "opinion"):
                return 0.35  # "who spoke for UNISON…": '…,” said Mike Short'
            if new:
                return 0.3 if kind == "date" and FULL_DATE.search(text) else 0.25
            return 0.05 if has_answer_type(text, kind) else -0.15
        if kind == "reason":
            return 0.2 if has_answer_type(text, kind) else -0.1
        if kind == "opinion":  # a view is often a quote's second sentence, with no 'said' in it
            return 0.1 if has_answer_type(text, kind) else 0.0
        return 0.2 if has_answer_type(text, kind) else 0.0

    @staticmethod
    def _claim_bonus(text: str, kind: str, query_terms: set[str]) -> float:
        """A 'how many councils' question wants the sentence stating that count (and so its rivals)."""
        if kind not in ("number", "money", "date"):
            return 0.0
        for claim in claims_in(text):
            if set(content_words(claim.key)) & query_terms or set(content_words(claim.phrase)) & query_terms - {"year"}:
                return 0.2
        return 0.0

    @staticmethod
    def _definition_bonus(text: str, kind: str, subject: str = "", context: str = "") -> float:
        """A 'what is X' question wants a sentence whose subject is X (or 'it', 'the approach' after X) saying what it is."""
        if kind != "definition" or not subject:
            return 0.0
        bonus = 0.1 if subject in text.lower() else 0.0
        verb = DEFINES.search(text)
        if verb:
            head = text[:verb.start()].lower().strip(" ‘’“”\"'")
            if subject in head:
                bonus += 0.25
            elif _ANAPHORIC.match(head) and len(head.split()) <= 5 and subject in context.lower():
                bonus += 0.2
        return bonus - (0.1 if text.lstrip().startswith(("“", "\"")) else 0.0)

    @staticmethod
    def _shape_penalty(text: str, list_question: bool = False) -> float:
        """Short fragments, questions and (unless a list is asked for) lead-ins make poor answers."""
        words = word_count(text)
        penalty = 0.0
        if words < 6 and not list_question:
            penalty -= 0.25
        if text.rstrip().endswith(":") and not list_question:
            penalty -= 0.2
        if text.rstrip().endswith("?"):
            penalty -= 0.3
        if _URL.search(text):  # "Read more: https://…" lines are signposts, not answers
            penalty -= 0.3
        return penalty

    def ranked(self, query: str, passages: list[Passage]) -> list[Candidate]:
        """Every sentence of the passages, best first."""
        return sorted(self.candidates(query, passages), key=lambda c: (-c.score, c.rank, c.start))

    def select(self, query: str, passages: list[Passage], ranked: list[Candidate] | None = None) -> list[Candidate]:
        """The best sentences: one to four, about max_answer_words at most, no near-duplicates."""
        ranked = self.ranked(query, passages) if ranked is None else ranked
        if not ranked:
            return []
        best = ranked[0].score
        kind = answer_type(query)
        limit, word_cap = self._size(kind, query)
        chosen = self._greedy(ranked, query, limit, word_cap, floor=max(0.62 * best, 0.15))
        if LIST_CUE.search(query):
            chosen = self._with_list(chosen, ranked)
        elif kind not in FACTOID:
            chosen = _with_contrasts(chosen, ranked, word_cap)
            chosen = _with_elaborations(chosen, ranked, word_cap, set(self.term_weights(query)))
        ordered = _with_antecedents(sorted(chosen, key=lambda c: (c.rank, c.start)), ranked)
        return _with_context(ordered, ranked)

    def _size(self, kind: str, query: str) -> tuple[int, int]:
        """Most sentences and words: factoids short; 'how has … developed since' questions longer."""
        sentences, words = self.settings.max_answer_sentences, self.settings.max_answer_words
        if kind in FACTOID:
            # "How much … since 2023, and by which governments?" gathers figures from several places
            return (sentences, int(words * 1.6)) if SYNTHESIS_CUE.search(query) else (min(3, sentences), words)
        if SYNTHESIS_CUE.search(query):
            return sentences + 2, int(words * 2.2)
        return sentences, int(words * 1.6)

    def _greedy(self, ranked: list[Candidate], query: str, limit: int, word_cap: int, floor: float) -> list[Candidate]:
        """Pick sentences by score plus the query terms they add that earlier picks did not cover."""
        weights = self.term_weights(query)
        query_terms = set(weights)
        weight = sum(weights.values()) or 1.0
        broad = bool(SYNTHESIS_CUE.search(query))  # "how has … developed", "across": prefer several sources
        pool = [c for c in ranked if c.score >= floor]
        chosen: list[Candidate] = []
        covered: set[str] = set()
        words = 0
        while pool and len(chosen) < limit:
            sources = {c.passage.source_id for c in chosen}

            def gain(c: Candidate) -> float:
                new = (query_terms & (c.terms | c.alias_terms)) - covered
                spread = -0.15 if broad and c.passage.source_id in sources else 0.0
                return c.score + spread + (0.3 * sum(weights[t] for t in new) / weight if chosen else 0)
            pool.sort(key=lambda c: (-gain(c), c.rank, c.start))
            candidate = pool.pop(0)
            size = word_count(candidate.text)
            if any(_similar(candidate, other) for other in chosen) or (chosen and words + size > word_cap):
                continue
            chosen.append(candidate)
            covered |= query_terms & (candidate.terms | candidate.alias_terms)
            words += size
        return chosen

    def _with_list(self, chosen: list[Candidate], ranked: list[Candidate]) -> list[Candidate]:
        """For 'what are the…' questions: the best list (lead-in and items) replaces single sentences."""
        best = ranked[0].score
        for candidate in ranked[:15]:
            if candidate.score < 0.6 * best:
                break
            items = _list_around(candidate, ranked)
            if len(items) >= 2:
                kept = [c for c in chosen if c.passage.chunk_id != candidate.passage.chunk_id][:1]
                return items + kept
            if NAME_LIST.search(candidate.text):
                return chosen if candidate in chosen else [candidate] + chosen[:2]
        return chosen

    # -- composition -------------------------------------------------------------------------
    def compose(self, request: AnswerRequest, chosen: list[Candidate]) -> Answer:
        numbering: dict[str, Citation] = {}
        parts = []
        dating = answer_type(request.query) == "date"
        for candidate in chosen:
            citation = self._cite(numbering, candidate.passage, candidate.start, candidate.end)
            parts.append(f"{_display(candidate.text)}{_when_reported(candidate, citation) if dating else ''} "
                         f"[{citation.n}]")
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
            meta = passage.metadata
            citation = Citation(
                n=len(numbering) + 1, source_id=meta.get("source_id", ""), title=meta.get("title", ""),
                publisher=meta.get("publisher", ""), url=meta.get("url", ""), published=meta.get("published", ""),
                text=passage.text, chunk_id=passage.chunk_id, sentence=passage.text[start:end], start=start, end=end,
                locator=locator(meta),
            )
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
            index = self.claims or ClaimIndex(pool.values(), self.aliases.canonical)
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
        found = self.search(candidate.text, RIVAL_K) + [p for noun in dict.fromkeys(nouns) for p in self.search(noun, RIVAL_K)]
        return {p.chunk_id: p for p in [*passages, *found]}

    def _note(self, claim: Claim, conflicts: list[Claim], candidate: Candidate, numbering: dict,
              pool: dict[str, Passage]) -> str:
        here = numbering[candidate.passage.chunk_id]
        sides = [f"{_who(here)} gives “{claim.phrase}” [{here.n}]"]
        for other in conflicts[:2]:
            passage = pool.get(other.chunk_id) or self.passages_by_id.get(other.chunk_id)
            if passage is None:
                continue
            citation = self._cite(numbering, passage, other.start, other.end)
            sides.append(f"{_who(citation)} gives “{other.phrase}” [{citation.n}]")
        return f"Sources differ on {claim.subject}: " + "; ".join(sides) + "."


def _context(candidate: Candidate) -> str:
    """What a sentence is read with: its passage, the passage's title and section."""
    meta = candidate.passage.metadata
    return " ".join([meta.get("title", ""), meta.get("section", ""), candidate.passage.text])


# Openings that lean on the sentence before: a contrast, or a pronoun whose antecedent is there.
_LEANS_BACK = re.compile(r"^[“\"‘']?(?:However|Instead|But|And|Rather|Also|Meanwhile|Moreover|This|That|These|Those|It|"
                         r"They|He|She|Its|Their|His|Her|Such|Both|The latter|The former)\b")


def _readable_alone(text: str) -> bool:
    """A sentence that makes sense without the one before it (no opening 'However,', 'It', 'They'…)."""
    stripped = strip_bullet(text) if is_bullet(text) else text.strip()
    return word_count(stripped) >= 6 and not _LEANS_BACK.match(stripped) and not stripped.endswith(("?", ":"))


def _with_contrasts(chosen: list[Candidate], ranked: list[Candidate], word_cap: int) -> list[Candidate]:
    """A chosen sentence followed by 'Instead, …' or 'However, …' keeps that next sentence: it is the
    other half of the story ("The DfE rejected the proposal. Instead, it will strengthen the role.")."""
    return _with_next(chosen, word_cap, lambda c: _contrast_after(c, ranked))


def _contrast_after(candidate: Candidate, ranked: list[Candidate]) -> Candidate | None:
    following = _next_in_line(candidate, ranked)
    return following if following and _CONTRAST.match(following.text.strip()) else None


def _with_elaborations(chosen: list[Candidate], ranked: list[Candidate], word_cap: int,
                       query_terms: set[str]) -> list[Candidate]:
    """A chosen sentence that only announces ("UNISON has major concerns over the approach taken by the
    Government.") keeps the next sentence of its passage, even past a paragraph break: that one says
    what the concerns are."""
    return _with_next(chosen, word_cap,
                      lambda c: _next_in_passage(c, ranked) if _announces(c, query_terms) else None)


_VAGUE = re.compile(r"\b(?:concerns?|reservations|misgivings|criticisms?|worries|doubts|issues|aspects|problems)\b", re.I)


def _announces(candidate: Candidate, query_terms: set[str]) -> bool:
    """A short sentence that names concerns or criticisms without saying what they are, with little in
    it beyond the question's own words ("The DfE rejected the proposal." says what happened: not this).

    >>> passage = Passage("u#2", "UNISON has major concerns over the approach taken by the Government.", {})
    >>> _announces(Candidate(passage, 0, 0, 69, passage.text, terms=set(content_words(passage.text))), {"unison", "concern"})
    True
    """
    text = candidate.text.strip()
    if word_count(text) > 16 or text.endswith(":") or not _VAGUE.search(text):
        return False
    said = set(content_words(" ".join(_VAGUE.findall(text) + _CONTRAST.findall(text))))
    return len(candidate.terms - query_terms - candidate.alias_terms - said) <= 4


def _with_next(chosen: list[Candidate], word_cap: int, next_of) -> list[Candidate]:
    """chosen, each candidate followed by next_of(candidate) when that is a sentence (and it fits)."""
    kept = list(chosen)
    for candidate in chosen:
        following = next_of(candidate)
        if not following or following in kept:
            continue
        # make room by dropping the weakest other sentences, never the one being completed
        spare = sorted((c for c in kept if c is not candidate), key=lambda c: c.score)
        while spare and sum(word_count(c.text) for c in kept) + word_count(following.text) > word_cap:
            kept.remove(spare.pop(0))
        if sum(word_count(c.text) for c in kept) + word_count(following.text) <= word_cap:
            kept.append(following)
    return kept


def _next_in_passage(candidate: Candidate, ranked: list[Candidate]) -> Candidate | None:
    """The sentence after candidate in its passage, across a line break, if any."""
    later = [c for c in ranked if c.passage.chunk_id == candidate.passage.chunk_id and c.start >= candidate.end]
    return min(later, key=lambda c: c.start, default=None)


def _next_in_line(candidate: Candidate, ranked: list[Candidate]) -> Candidate | None:
    """The sentence right after candidate in the same line of the same passage, if any."""
    text = candidate.passage.text
    gap = text[candidate.end:candidate.end + 3]
    if "\n" in gap:
        return None
    return next((c for c in ranked if c.passage.chunk_id == candidate.passage.chunk_id
                 and candidate.end < c.start <= candidate.end + 3), None)


def _proximity_bonus(text: str, facts: list[str], focus: set[str]) -> float:
    """A factoid (one of facts, new to the question) close to the words the question is about ('£44m …
    for kinship carers') beats one further away in the same sentence ('£250m … including allowances')."""
    if not facts or not focus:
        return 0.0
    tokens = text.split()
    fact_at = [i for i, token in enumerate(tokens) if any(token.startswith(f.split()[0]) for f in facts)]
    term_at = [i for i, token in enumerate(tokens) if set(content_words(token)) & focus]
    if not fact_at or not term_at:
        return 0.0
    distance = min(abs(a - b) for a in fact_at for b in term_at)
    return 0.1 if distance <= 6 else 0.05 if distance <= 12 else 0.0


def _milestone_bonus(text: str) -> float:
    """'How has … developed since…' is told in milestones: a sentence with an amount or a date (0.05:
    0.05 and 0.1 measured the same on the evaluation set, 0.2 began to crowd out other sentences)."""
    return 0.05 if MONEY.search(text) or DATE.search(text) else 0.0


def _dated(passage: Passage) -> bool:
    return bool(passage.metadata.get("published"))


def _year_penalty(text: str, passage: Passage, years: Callable[[str], bool] | None, kind: str) -> float:
    """A question naming a year ('the 2024 Conservative manifesto') does not want a sentence about
    another year, or a factoid from a source published in another year."""
    if years is None or kind == "date":  # 'after the October 2024 Budget, when…' may well be answered by 2026
        return 0.0
    mentioned = set(YEAR_MENTION.findall(text))
    if mentioned and not any(years(year) for year in mentioned):
        return -0.15
    published = (passage.metadata.get("published") or "")[:4]
    if kind in FACTOID and not mentioned and published and not years(published):
        return -0.05
    return 0.0


def definition_subject(question: str) -> str:
    """The thing a 'what is X?' question asks about, lower-cased ('family help').

    >>> definition_subject("What is family help?"), definition_subject("What is the ECF for social workers?")
    ('family help', 'ecf')
    """
    text = re.sub(r"^(?:what|who)\s+(?:is|are|was|were|does|do)\s+(?:an?\s+|the\s+)?", "", question.strip().lower())
    text = re.sub(r"\s+(?:mean|do|involve)\??$|\?$", "", text)
    text = re.sub(r"\s+(?:for|in|under|within|according to)\s.*$", "", text)  # "… for children's social workers"
    return text.strip(" '\"‘’“”")


def _list_around(candidate: Candidate, ranked: list[Candidate]) -> list[Candidate]:
    """The list a candidate belongs to or introduces: its lead-in (if any) and up to eight items."""
    same = sorted((c for c in ranked if c.passage.chunk_id == candidate.passage.chunk_id), key=lambda c: c.start)
    index = next(i for i, c in enumerate(same) if c is candidate)
    start = index
    while start > 0 and is_bullet(same[start].text):
        start -= 1
    lead = [same[start]] if same[start].text.rstrip().endswith(":") else []
    first = start + 1 if lead or not is_bullet(same[start].text) else start
    items = []
    for other in same[first:]:
        if not is_bullet(other.text) or len(items) >= 8:
            break
        items.append(other)
    return lead + items if len(items) >= 2 else []


def _when_reported(candidate: Candidate, citation: Citation) -> str:
    """'This week, …' answers a 'when' question only with the date the source was published."""
    if not citation.published or not RELATIVE_TIME.search(candidate.text) or DATE.search(candidate.text):
        return ""
    day = dt.date.fromisoformat(citation.published)
    return f" (reported on {day.day} {day:%B %Y})"


def _who(citation: Citation) -> str:
    return f"{citation.publisher} ({citation.published or 'undated'})"


def _heading_line(sentence: str) -> str:
    """A short line with no full stop that heads what follows it ("From 1 April 2027"); else ""."""
    text = sentence.strip()
    if not text or text.endswith((".", "?", "!", ":")) or word_count(text) > 8 or _URL.search(text) or is_bullet(text):
        return ""
    return text


def _with_antecedents(chosen: list[Candidate], ranked: list[Candidate]) -> list[Candidate]:
    """An answer does not open with a sentence that leans on one not shown ("However, …", "It …"): the
    sentences before it in its passage (up to two) that make it readable come first; failing that,
    another chosen sentence that stands alone opens the answer."""
    if not chosen or not _leans_back(chosen[0]):
        return chosen
    before, current = [], chosen[0]
    while len(before) < 2:
        current = _previous_in_passage(current, ranked)
        if current is None:
            break
        before.insert(0, current)
        if not _leans_back(current):
            return before + [c for c in chosen if c not in before]
    steady = next((c for c in chosen if not _leans_back(c)), None)
    return [steady] + [c for c in chosen if c is not steady] if steady else chosen


def _leans_back(candidate: Candidate) -> bool:
    text = strip_bullet(candidate.text) if is_bullet(candidate.text) else candidate.text.strip()
    return bool(_LEANS_BACK.match(text)) and not candidate.heading and not candidate.lead_in


def _previous_in_passage(candidate: Candidate, ranked: list[Candidate]) -> Candidate | None:
    """The sentence just before candidate in its passage, if any."""
    earlier = [c for c in ranked if c.passage is candidate.passage and c.end <= candidate.start]
    return max(earlier, key=lambda c: c.start, default=None)


def _with_context(chosen: list[Candidate], ranked: list[Candidate]) -> list[Candidate]:
    """chosen with what a sentence needs in order to be read alone: the dated heading it sits under
    ("From 1 April 2027") and a list item's lead-in ("Existing providers will not be able to:"), each
    shown once, as the passage's own words."""
    out: list[Candidate] = []
    for candidate in chosen:
        for needed in (candidate.heading if DATE.search(candidate.heading or "") else "", candidate.lead_in):
            line = _line_in(needed, candidate, ranked) if needed else None
            if line is not None and line not in out and line not in chosen:
                out.append(line)
        out.append(candidate)
    return out


def _line_in(text: str, candidate: Candidate, ranked: list[Candidate]) -> Candidate | None:
    """The sentence of candidate's passage with this text, before it."""
    return next((c for c in ranked if c.passage is candidate.passage and c.start < candidate.start
                 and c.text.strip() == text), None)


def _display(sentence: str) -> str:
    text = strip_bullet(sentence) if is_bullet(sentence) else sentence.strip()
    return text


def _similar(a: Candidate, b: Candidate) -> bool:
    if not a.terms or not b.terms:
        return False
    return len(a.terms & b.terms) / len(a.terms | b.terms) > 0.6
