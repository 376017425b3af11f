"""A briefing's candidate sentences: whole quotations as one unit, their headings, dates and speakers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answering.attribution import Attribution, attribute, attributions, balance_quotes, quotation_units
from assistant.briefing.gather import _context, relevance
from assistant.briefing.topic import Topic, on_topic, overlap
from assistant.models import Passage
from assistant.scoring import BriefingText, BriefingWeights
from assistant.text.dates import EventDate, event_date
from assistant.text.sentences import clean_sentence, is_bullet, strip_bullet
from assistant.text.tokens import content_words, stem

# Openings that lean on a sentence not shown: a pronoun or a connective ('This means…', 'However, …').
_DANGLING = re.compile(r"^[“‘\"]?(?:This|It|These|They|He|She|That|Those|Its|Their|His|Her|Such|However|Instead|"
                       r"But|Also|Meanwhile|Similarly|Similar|Additionally|Furthermore|Moreover|Nevertheless|Therefore|"
                       r"Thus|So|And|Yet|Both|The same|In addition|As a result|Despite this|Even so)\b")
_NOT_HEADING = re.compile(r"https?://|www\.|^(?:Source|Published|By)\b", re.I)  # a header line, not a heading
# 'This funding …', 'These teams …': a demonstrative with its noun reads whole under a heading on the
# topic; a bare pronoun ('It was …', 'This is …') does not.
_BARE_PRONOUN = re.compile(r"^(?:It|They|This|These|That|Those|He|She|Its|Their|His|Her)\b")
_PRONOUN_LED = re.compile(r"^(?:This|These) (?!(?:is|was|are|were|has|have|had|will|would|means|meant|could|can|"
                          r"may|might|should|must|comes?|came|follows?|followed|includes?)\b)[a-z]+")
# A reaction that names what it responds to only by a definite noun ('Responding to the reforms, …').
_RESPONDING = re.compile(r"^(?:Responding to|In response to|Reacting to|Commenting on) (?:the|these|this) "
                         r"(?:[\w’'-]+ ){0,2}?(?P<noun>[\w’'-]+)\b")
_STATED_DATES = (
    re.compile(r"\b\d{1,2}(?:st|nd|rd|th)? (?:January|February|March|April|May|June|July|August|September|"
               r"October|November|December),? \d{4}\b"),
    re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)"
               r",? \d{4}\b"),
    re.compile(r"\b(?:[Ss]pring|[Ss]ummer|[Aa]utumn|[Ww]inter) (?:of )?\d{4}\b"),
    re.compile(r"\b(?:19|20)\d\d(?:[-–/]\d{2})?\b"),
)


@dataclass(eq=False)
class Sentence:
    """A quotable sentence (or whole quotation) of a relevant passage and what it offers each section."""

    passage: Passage
    start: int
    end: int
    text: str
    score: float
    date: EventDate | None = None
    terms: frozenset = frozenset()
    attribution: Attribution | None = None  # who states it (assistant.answering.attribution)
    heading: str = ""  # the heading that puts it on topic, when its own words do not
    prior: str = ""  # the sentence just before it in its passage
    context: str = ""  # the sentence before, shown first when this one opens with a pronoun that leans on it
    quote_on_topic: bool = False  # its quotation alone is on topic (so it can be shown without the rest)
    date_heading: str = ""  # the heading its date comes from, when the sentence states none ('From 1 April 2026')
    turn: int = 0  # how many sentences of the same speaker rank above this one (set while picking)
    topical: bool = True  # about the topic by its own words or its heading

    @property
    def source_id(self) -> str:
        return self.passage.source_id

    @property
    def published(self) -> str:
        return self.passage.metadata.get("published", "") or ""

    @property
    def speaker(self) -> str:
        return self.attribution.speaker if self.attribution else ""


def candidates(passages: list[Passage], terms: dict[str, float], inherited: dict | None = None,
               chunks=(), topic: Topic | None = None, config: BriefingWeights = BriefingWeights()) -> list[Sentence]:
    """Every quotable sentence (a quotation of several sentences is one) of the passages, scored for the
    topic (weights: config.sentence), with its date, its heading and who states it."""
    by_place = {(c.metadata.get("source_id"), c.metadata.get("position")): c for c in chunks}
    topic = topic or Topic((terms,), thresholds=config.topic)
    weights = config.sentence
    firsts = first_lines(chunks, config.text)
    out = []
    for passage in passages:
        base = max(relevance(passage, terms, config.gathering), (inherited or {}).get(passage.chunk_id, 0.0))
        title = overlap(_context(passage), terms)
        speaker = speaker_at_start(passage, by_place, config.text.quote_chunks)
        said = {a.start: a for a in attributions(passage, speaker)}
        previous = ""
        before = by_place.get((passage.source_id, passage.metadata.get("position", 0) - 1))
        earlier = [text for _, _, text in quotable_units(before.text, config.text)] if before is not None else []
        for start, end, text in quotable_units(passage.text, config.text):
            headings = headings_of(passage, start, firsts, config.text)
            context = previous if needs_antecedent(text) and _BARE_PRONOUN.match(text) else ""
            context = context or responded_to(text, earlier, topic)
            prior = earlier[-1] if earlier else ""
            earlier.append(text)
            previous = "" if needs_antecedent(text) else text
            own = on_topic(f"{context} {text}", topic)
            score = weights.words * overlap(text, terms) + weights.passage * base + weights.title * title
            heading = "" if own else next((h for h in headings if on_topic(h, topic)), "")
            if needs_antecedent(text) and not context and not (heading and _PRONOUN_LED.match(text)):
                continue  # 'However, …' never reads whole; 'It …' does after the sentence it leans on
            date = event_date(text) or (event_date(headings[0]) if headings else None)
            out.append(Sentence(passage, start, end, text, score, date, frozenset(content_words(text)),
                                said.get(start), heading=heading, topical=own or bool(heading),
                                date_heading="" if event_date(text) or not headings else headings[0],
                                quote_on_topic=_quote_on_topic(said.get(start), topic), context=context,
                                prior=prior))
    return sorted(out, key=lambda s: (-s.score, s.passage.chunk_id, s.start))


def responded_to(text: str, earlier: list[str], topic: "Topic") -> str:
    """For 'Responding to the reforms, X said …': the latest earlier sentence on the topic that names
    what is responded to (so the reaction is shown with what it reacts to); '' otherwise."""
    match = _RESPONDING.match(text)
    if not match or on_topic(text, topic):
        return ""
    noun = stem(match.group("noun"))
    return next((sentence for sentence in reversed(earlier) if noun in content_words(sentence)
                 and on_topic(sentence, topic) and not needs_antecedent(sentence)), "")


def _quote_on_topic(attribution: Attribution | None, topic: "Topic") -> bool:
    return bool(attribution and attribution.kind == "quote" and on_topic(attribution.statement, topic))


def quotable_units(text: str, config: BriefingText = BriefingText()) -> list[tuple[int, int, str]]:
    """(start, end, cleaned text) of each sentence or whole quotation worth quoting: no page chrome, no
    sentence that leans on one not shown, quotation marks balanced; list items keep their bullet's text."""
    out = []
    for start, end in quotation_units(text):
        raw = text[start:end]
        if is_bullet(raw) and not re.search(r"[.!?…:”’]$", raw.rstrip()) \
                and len(strip_bullet(raw).split()) >= config.bullet_statement_words:
            raw = raw.rstrip() + "."  # a list item without a full stop is still a whole statement
        cleaned = clean_sentence(raw)
        if cleaned:
            out.append((start, end, balance_quotes(cleaned)))
    return out


def needs_antecedent(sentence: str) -> bool:
    """Whether the sentence only makes sense after one that is not shown ('This means…', 'However, …')."""
    return bool(_DANGLING.match(sentence))


def headings_of(passage: Passage, start: int, first_lines: dict[str, str],
                config: BriefingText = BriefingText()) -> list[str]:
    """The headings a sentence sits under, nearest first: the last short unpunctuated line above it in
    the passage, the passage's section heading, the document's title and its first line."""
    found = []
    for line in reversed(passage.text[:start].split("\n")[:-1]):
        line = strip_bullet(line) if is_bullet(line) else line.strip()
        if line and len(line.split()) <= config.heading_line_words and not re.search(r"[.!?;,:]$", line):
            found.append(line)
            break
    found += [passage.metadata.get("section") or "", passage.metadata.get("title") or "",
              first_lines.get(passage.source_id, "")]
    return [heading for heading in found if heading and not _NOT_HEADING.search(heading)
            and len(heading.split()) <= config.heading_words and not heading.endswith(".")]


def first_lines(chunks, config: BriefingText = BriefingText()) -> dict[str, str]:
    """Each document's first line (a page's own heading, when its metadata title is not)."""
    return {c.metadata.get("source_id", ""): c.text.strip().split("\n")[0][:config.first_line_chars] for c in chunks
            if c.metadata.get("position", 0) == 0 and c.text.strip()}


# -- speakers ----------------------------------------------------------------------------------
def speaker_at_start(passage: Passage, by_place: dict, depth: int = BriefingText().quote_chunks) -> str:
    """The speaker in force where a passage starts: a quotation of several paragraphs can run on from
    the chunks before it (up to depth of them)."""
    before = by_place.get((passage.source_id, passage.metadata.get("position", 0) - 1))
    if before is None or depth == 0:
        return ""
    before = Passage(before.id, before.text, before.metadata)
    return last_speaker(before, speaker_at_start(before, by_place, depth - 1))


def last_speaker(passage: Passage, previous: str = "") -> str:
    """The speaker in force at the end of a passage (for a quotation that runs into the next chunk),
    given the one in force at its start."""
    for start, end in quotation_units(passage.text):
        found = attribute(passage.text[start:end], start, end, previous)
        if found and found.kind in ("quote", "reported"):
            previous = found.speaker
        elif not _in_quote(passage.text, end):
            previous = ""
    return previous


def find_speaker(sentence: str, previous: str, passage: Passage, start: int) -> str:
    """Who states this sentence: a named organisation or person (see assistant.answering.attribution), else ''.
    The article itself is never the speaker of a sentence that reports on others."""
    found = attribute(sentence, start, start + len(sentence), previous)
    return found.speaker if found and found.kind in ("quote", "reported") else ""


def _source(s: Sentence) -> str:
    return s.source_id


def _in_quote(text: str, start: int) -> bool:
    """Whether offset start lies inside an open quotation (“…” or ‘…’) in its paragraph."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    closing_single = len(re.findall(r"’(?![A-Za-z])", before))
    return before.count("“") > before.count("”") or before.count("‘") > closing_single


def stated_date(text: str, date: EventDate) -> str:
    """The date as the text states it ('14 January 2016', 'spring 2025'), matching date; '' if absent."""
    for pattern in _STATED_DATES:
        for match in pattern.finditer(text):
            if str(date.year) in match.group() and (date.precision == 1 or not match.group().isdigit()):
                return match.group()
    return ""
