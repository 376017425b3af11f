"""Briefings for trainers: what the documents say on a topic, in sections, every sentence cited. No LLM.

Passages are gathered with several retrievals, filtered for relevance, split into sentences (a whole
quotation is one) and sorted into sections (facts, dated events, positions, criticisms); each sentence is
used once, and only when it is about the topic by its own words or its heading (see Topic). Who says what
comes from assistant.attribution.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Protocol

from assistant.attribution import Attribution, attribute, attributions, balance_quotes, quotation_units
from assistant.claims import ClaimIndex, claims_in
from assistant.models import Citation, Passage
from assistant.patterns import DATE, MONEY, NAME, PERCENT, PLACE_HINT, RECENT_DAYS
from assistant.text import content_words, is_bullet, stem, strip_bullet
from assistant.text import words as plain_words
from assistant.timeline import EventDate, clean_sentence, event_date, make_citation, parse_iso, similar

SECTIONS = ("Overview", "Key facts and figures", "Timeline", "Who said what",
            "Criticisms and open questions", "Questions for discussion")
QUERIES = ("{}", "{} funding cost £", "{} criticism concern warned", "{} when date timeline", "{} said")
LIMITS = {"Overview": 4, "Key facts and figures": 10, "Timeline": 8, "Who said what": 10,
          "Criticisms and open questions": 6, "Questions for discussion": 4}
FOLLOWERS = 2  # sentences that run on from a chosen one ('This funding …'), shown after it in the same bullet
MORE_PER_SPEAKER = 2  # statements after a speaker's first, on the same line: their position, not one remark
SPARSE_LIMIT = 2  # items per section when the documents say little on the topic
DENSE_FLOOR = 0.25  # below this cosine similarity a passage is never about the topic
MIN_SCORE = 0.15  # sentence relevance needed to appear at all (being on topic is checked apart from it)

_CITE = re.compile(r"\[\d+\]")
ON_TOPIC = 0.5  # share of a topic part's IDF weight a sentence (or its heading) must name to be about it
RARE_SHARE = 0.45  # a word alone stands for a topic part when its IDF is this share of the corpus's highest
SINGLE_SHARE = 0.3  # ... and it carries this share of the part's weight ('Ofsted' in 'Ofsted's new powers')
_CRITICAL = re.compile(
    r"\b(?:concerns?|concerned|worr(?:y|ied|ies|ying)|warn(?:ed|s|ing)?|risks? (?:of|that)|risk(?:s|ed)? \w+ing|criticis\w*|fall(?:s|ing)? "
    r"(?:far )?short|short-term|shortfall|lacks?|lacking|fail(?:ed|s|ure)?|weakness\w*|cuts|stretched|"
    r"delay\w*|no (?:new |extra )?funding|insufficient|not enough|unclear|not clear|remains? to be seen|"
    r"no (?:details|information|analysis|mention)|yet to|little known|limited progress|burning platform|"
    r"crisis|privati[sz]\w*|destabilis\w*|dilut\w*|resourced|without (?:sufficient|significant)|"
    r"significant pressures?|worrying|doubts?|problems?)\b", re.I)
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
# What something is: the sentences a reader needs first.
_DEFINES = re.compile(r"\b(?:involves?|means|refers? to|designed to|aims? to|(?:is|are) (?:a|an)|known as|"
                      r"defined as|(?:also )?called|comprises?|consists? of|brings? together|merg(?:e|es|ed|ing|er)|combin\w+)\b")
# A reaction that names what it responds to only by a definite noun ('Responding to the reforms, …').
_RESPONDING = re.compile(r"^(?:Responding to|In response to|Reacting to|Commenting on) (?:the|these|this) "
                         r"(?:[\w’'-]+ ){0,2}?(?P<noun>[\w’'-]+)\b")
_NUMBERISH = re.compile(r"\b\d[\d,.]*\b")
_QUOTED_TITLE = re.compile(r"(?:paper|strategy|report|Bill|bill|framework)\s+[‘“'][A-Z][^’”']{8,}[’”']")
# What an amount is for: a sum with a purpose ('£44m to test…', '£9m for training', 'invest £2bn in').
_PURPOSE = re.compile(r"\b(?:for|to|into|on|towards|in|across|over|funding|fund|cost|costed|budget|grant|"
                      r"spent|spend|allocated|invest\w*)\b", re.I)
_BODY_WORD = re.compile(r"\b(?:Association|Council|Department|Group|Network|Trust|Union|Society|Foundation|"
                        r"Partnership|Alliance|Coalition|Committee|Centre|Institute|Agency|Office|Services?)\b")
_STATED_DATES = (
    re.compile(r"\b\d{1,2}(?:st|nd|rd|th)? (?:January|February|March|April|May|June|July|August|September|"
               r"October|November|December),? \d{4}\b"),
    re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)"
               r",? \d{4}\b"),
    re.compile(r"\b(?:[Ss]pring|[Ss]ummer|[Aa]utumn|[Ww]inter) (?:of )?\d{4}\b"),
    re.compile(r"\b(?:19|20)\d\d(?:[-–/]\d{2})?\b"),
)


@dataclass
class Item:
    """One bullet or overview sentence: text segments, each cited to a source document."""

    segments: list[str]
    sources: list[str]  # source_id for each segment
    label: str = ""  # bold lead-in: a date or a speaker
    refs: list[int] = field(default_factory=list)  # reference numbers, set once the briefing is numbered

    def parts(self) -> list[tuple[str, int]]:
        """(text, reference number) pairs in reading order."""
        return list(zip(self.segments, self.refs))


@dataclass
class Section:
    """A heading, its items and how they are laid out ('bullets' or 'paragraph')."""

    heading: str
    items: list[Item] = field(default_factory=list)
    style: str = "bullets"
    note: str = ""  # one line instead of items when the documents have nothing on the topic for it


@dataclass
class Briefing:
    """A cited briefing: sections in order and the numbered references they cite."""

    title: str
    topic: str
    generated: str
    corpus_version: str
    sections: list[Section] = field(default_factory=list)
    references: list[Citation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # plain statements about the briefing itself

    @property
    def markdown(self) -> str:
        """The briefing as markdown (see assistant.export)."""
        from assistant.export import to_markdown

        return to_markdown(self)


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
    attribution: Attribution | None = None  # who states it (assistant.attribution)
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


# -- public ------------------------------------------------------------------------------------
class BriefingSource(Protocol):
    """What a briefing is built from: the Assistant, or any object with these (tests use a small fake).
    Optional: `idf` (term weights; else counted from the chunks) and `retrieve_many(queries, k)` (else
    one `retrieve` per query, with no similarity for passages found by words alone)."""

    chunks: list
    index_info: dict

    def retrieve(self, query: str, k: int | None = None, filters=None) -> list[Passage]: ...


def build_briefing(bot: BriefingSource, topic: str, writer=None) -> Briefing:
    """A briefing on topic from bot's documents: sections of cited sentences and numbered references.

    With a writer (assistant.llm.sections.LLMSectionWriter) its sections are redrafted by the LLM from the
    passages behind them; a draft the citation guard rejects leaves the extractive section."""
    topic = " ".join(topic.split())
    idf = getattr(bot, "idf", None) or corpus_idf(bot.chunks)
    terms = topic_terms(topic, idf)
    period = sources_in_period(bot.chunks, topic)
    passages = [p for p in gather(bot, topic) if period is None or p.source_id in period]
    passages = relevant(passages, terms)
    passages, inherited = neighbours(passages, bot.chunks, terms)
    passages = relevant(passages, terms, floor=0.0)
    sentences = candidates(passages, terms, inherited, bot.chunks,
                           Topic.of(topic, idf, close_terms(topic, bot.chunks, terms)))
    sparse = len(passages) < 3 or max((p.dense for p in passages), default=0.0) < 0.4
    limits = {name: min(limit, SPARSE_LIMIT) if sparse else limit for name, limit in LIMITS.items()}
    aliases = getattr(bot, "aliases", None)  # acronyms and long forms as one counted thing, when the source has them
    sections = compose(sentences, limits, topic, ClaimIndex(bot.chunks, aliases.canonical if aliases else None),
                       bot.chunks)
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


def render(briefing: Briefing, fmt: str = "md") -> str | bytes:
    """The briefing as 'md' or 'html' text, or 'docx' bytes."""
    from assistant import export

    renderers = {"md": export.to_markdown, "markdown": export.to_markdown, "html": export.to_html,
                 "docx": export.to_docx}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}: use md, docx or html")
    return renderers[fmt](briefing)


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


# -- gathering ---------------------------------------------------------------------------------
def corpus_idf(chunks) -> dict[str, float]:
    """Inverse document frequency of each content word over the chunks."""
    frequency: dict[str, int] = {}
    for chunk in chunks:
        for term in set(content_words(chunk.metadata.get("title", "") + " " + chunk.text)):
            frequency[term] = frequency.get(term, 0) + 1
    total = max(1, len(chunks))
    return {term: math.log(1 + total / count) for term, count in frequency.items()}


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


def gather(bot: BriefingSource, topic: str, k: int = 12) -> list[Passage]:
    """The union of several retrievals on the topic, each passage kept with its best dense score."""
    found: dict[str, Passage] = {}
    runs, similarity = _retrievals(bot, [template.format(topic) for template in QUERIES], k)
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


def neighbours(passages: list[Passage], chunks, terms: dict[str, float]) -> tuple[list[Passage], dict]:
    """Add the chunks next to passages that name the topic outright (articles run across chunks),
    with the relevance they inherit from that passage."""
    by_place = {(c.metadata.get("source_id"), c.metadata.get("position")): c for c in chunks}
    have = {p.chunk_id for p in passages}
    added, inherited = [], {}
    for passage in passages:
        if overlap(_context(passage) + " " + passage.text, terms) < 0.5:
            continue
        for step in (-1, 1):
            chunk = by_place.get((passage.source_id, passage.metadata.get("position", 0) + step))
            if chunk is not None and chunk.id not in have:
                have.add(chunk.id)
                added.append(Passage(chunk.id, chunk.text, chunk.metadata, dense=0.85 * passage.dense))
                inherited[chunk.id] = 0.85 * relevance(passage, terms)
    return passages + added, inherited


def relevant(passages: list[Passage], terms: dict[str, float], floor: float = 0.4) -> list[Passage]:
    """Passages that are about the topic: similar enough and (floor) sharing its distinctive words."""
    kept = []
    for passage in passages:
        words = overlap(_context(passage) + " " + passage.text, terms)
        if passage.dense >= DENSE_FLOOR and (words >= floor or passage.dense >= 0.5):
            kept.append(passage)
    return sorted(kept, key=lambda p: (-relevance(p, terms), p.chunk_id))


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


def relevance(passage: Passage, terms: dict[str, float]) -> float:
    """How much a passage is about the topic: dense similarity and topic words, in its title too."""
    return 0.6 * passage.dense + 0.4 * overlap(_context(passage) + " " + passage.text, terms)


def _context(passage: Passage) -> str:
    return f"{passage.metadata.get('title', '')} {passage.metadata.get('section', '')}"


def candidates(passages: list[Passage], terms: dict[str, float], inherited: dict | None = None,
               chunks=(), topic: Topic | None = None) -> list[Sentence]:
    """Every quotable sentence (a quotation of several sentences is one) of the passages, scored for the
    topic, with its date, its heading and who states it."""
    by_place = {(c.metadata.get("source_id"), c.metadata.get("position")): c for c in chunks}
    topic = topic or Topic((terms,))
    firsts = first_lines(chunks)
    out = []
    for passage in passages:
        base = max(relevance(passage, terms), (inherited or {}).get(passage.chunk_id, 0.0))
        title = overlap(_context(passage), terms)
        said = {a.start: a for a in attributions(passage, speaker_at_start(passage, by_place))}
        previous = ""
        before = by_place.get((passage.source_id, passage.metadata.get("position", 0) - 1))
        earlier = [text for _, _, text in quotable_units(before.text)] if before is not None else []
        for start, end, text in quotable_units(passage.text):
            headings = headings_of(passage, start, firsts)
            context = previous if needs_antecedent(text) and _BARE_PRONOUN.match(text) else ""
            context = context or responded_to(text, earlier, topic)
            prior = earlier[-1] if earlier else ""
            earlier.append(text)
            previous = "" if needs_antecedent(text) else text
            own = on_topic(f"{context} {text}", topic)
            score = 0.35 * overlap(text, terms) + 0.5 * base + 0.15 * title
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


def quotable_units(text: str) -> list[tuple[int, int, str]]:
    """(start, end, cleaned text) of each sentence or whole quotation worth quoting: no page chrome, no
    sentence that leans on one not shown, quotation marks balanced; list items keep their bullet's text."""
    out = []
    for start, end in quotation_units(text):
        raw = text[start:end]
        if is_bullet(raw) and not re.search(r"[.!?…:”’]$", raw.rstrip()) and len(strip_bullet(raw).split()) >= 8:
            raw = raw.rstrip() + "."  # a list item without a full stop is still a whole statement
        cleaned = clean_sentence(raw)
        if cleaned:
            out.append((start, end, balance_quotes(cleaned)))
    return out


def needs_antecedent(sentence: str) -> bool:
    """Whether the sentence only makes sense after one that is not shown ('This means…', 'However, …')."""
    return bool(_DANGLING.match(sentence))


def headings_of(passage: Passage, start: int, first_lines: dict[str, str]) -> list[str]:
    """The headings a sentence sits under, nearest first: the last short unpunctuated line above it in
    the passage, the passage's section heading, the document's title and its first line."""
    found = []
    for line in reversed(passage.text[:start].split("\n")[:-1]):
        line = strip_bullet(line) if is_bullet(line) else line.strip()
        if line and len(line.split()) <= 12 and not re.search(r"[.!?;,:]$", line):
            found.append(line)
            break
    found += [passage.metadata.get("section") or "", passage.metadata.get("title") or "",
              first_lines.get(passage.source_id, "")]
    return [heading for heading in found if heading and not _NOT_HEADING.search(heading)
            and len(heading.split()) <= 16 and not heading.endswith(".")]


def first_lines(chunks) -> dict[str, str]:
    """Each document's first line (a page's own heading, when its metadata title is not)."""
    return {c.metadata.get("source_id", ""): c.text.strip().split("\n")[0][:160] for c in chunks
            if c.metadata.get("position", 0) == 0 and c.text.strip()}


@dataclass(frozen=True)
class Topic:
    """What makes a sentence about a topic. Each part of the topic ('workload' and 'retention' in
    'workload and retention') counts on its own; a part is named by all its words, by words carrying
    half its IDF weight (one word alone only if it is rare in the corpus, so 'help' alone is not
    'family help'), or by an abbreviation the documents define for the topic."""

    parts: tuple  # one {term: idf} dict per part
    close: frozenset = frozenset()
    rare: float = 0.0  # IDF a single word needs to stand for a part on its own

    @classmethod
    def of(cls, topic: str, idf: dict[str, float], close: frozenset = frozenset()) -> "Topic":
        topic = re.sub(r"\b(?:19|20)\d\d\b", " ", topic)  # a year is met by the sources of that period
        pieces = [piece for piece in re.split(r"\s+and\s+|,\s*|\s*&\s*", topic) if content_words(piece)]
        parts = tuple(topic_terms(piece, idf) for piece in pieces) or (topic_terms(topic, idf),)
        return cls(parts, close, RARE_SHARE * max(idf.values(), default=1.0))

    def covers(self, text: str) -> bool:
        words = [stem(word) for word in plain_words(text)]  # stopwords kept: a phrase is adjacent words
        present = set(content_words(text))
        present |= {piece for word in present if "-" in word for piece in word.split("-")}  # 'for-profit'

        return bool(self.close & present) or any(self._names(part, present, words) for part in self.parts)

    def _names(self, part: dict[str, float], present: set[str], words: list[str]) -> bool:
        named = [term for term in part if any(_same_word(term, word) for word in present)]
        if not named:
            return False
        if len(named) == len(part):
            return len(part) == 1 or any(part[t] >= self.rare for t in named) or _in_a_row(named, words)
        if max(part, key=part.get) not in named:
            return False  # without the part's rarest word, common words name something else ('children's homes')
        share = sum(part[term] for term in named) / sum(part.values())
        if len(named) == 1:  # one word alone: the part's rarest word, and rare in the corpus
            return share >= SINGLE_SHARE and part[named[0]] >= self.rare and part[named[0]] == max(part.values())
        return share >= ON_TOPIC


def _in_a_row(terms: list[str], words: list[str]) -> bool:
    """Whether the terms stand next to each other, in order, among the text's content words: common words
    name the topic only as its phrase ('family help', not 'help families')."""
    for i in range(len(words) - len(terms) + 1):
        if all(_same_word(term, word) for term, word in zip(terms, words[i:i + len(terms)])):
            return True
    return False


def on_topic(text: str, topic: "Topic") -> bool:
    """Whether text is about the topic (see Topic)."""
    return bool(text) and topic.covers(text)


def _same_word(term: str, word: str) -> bool:
    """A topic word and a text word are the same word, or one is the other with a short ending; an
    agent ending makes another word ('care' is not 'carer' or 'career')."""
    if term == word:
        return True
    short, long = sorted((term, word), key=len)
    ending = long[len(short):]
    return len(short) >= 4 and long.startswith(short) and len(ending) <= 2 and ending not in ("r", "er")


def close_terms(topic: str, chunks, terms: dict[str, float]) -> frozenset:
    """Abbreviations the documents define for the topic: '… regional care co-operatives (RCCs)' gives
    'rcc'. Found in the corpus, so no list of them is kept anywhere."""
    found = set()
    for chunk in chunks:
        for match in _DEFINED_SHORT.finditer(chunk.text):
            words = chunk.text[max(0, match.start() - 80):match.start()]
            if words and overlap(words, terms) >= 0.99:
                found.add(stem(match.group(1)).rstrip("s"))
    return frozenset(found)


_DEFINED_SHORT = re.compile(r"\(([A-Z][A-Za-z]{1,6}?)s?\)")


# -- speakers ----------------------------------------------------------------------------------
def speaker_at_start(passage: Passage, by_place: dict, depth: int = 3) -> str:
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
    """Who states this sentence: a named organisation or person (see assistant.attribution), else ''.
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


# -- composing ---------------------------------------------------------------------------------
def compose(sentences: list[Sentence], limits: dict[str, int], topic: str, claims: ClaimIndex,
            chunks) -> list[Section]:
    """The six sections, each sentence used once, near-duplicates merged (the later source kept)."""
    pool = merge_near_duplicates([s for s in sentences if s.score >= MIN_SCORE and s.topical])
    used: list[Sentence] = []
    speakers = _pick(pool, used, limits["Who said what"], _speaker_score, spread=speaker_key)
    seconds = _second_statements(speakers, pool, used)
    overview = _pick(pool, used, limits["Overview"], _overview_score, distinct_passages=True)
    facts = _pick(pool, used, limits["Key facts and figures"], _fact_score, spread=_source, per=3)
    follow = _followers(facts, pool, used)  # before the timeline takes a fact's follow-on for its date
    timeline = _pick(pool, used, limits["Timeline"], _timeline_score)
    critical = _pick(pool, used, limits["Criticisms and open questions"], _critical_score, spread=_source, per=2)
    conflicts = disagreements(facts + overview + timeline + critical + speakers, claims, chunks)
    follow.update(_followers(timeline + critical, pool, used))
    return _once([
        Section("Overview", [_item(s) for s in overview], style="paragraph"),
        Section("Key facts and figures", conflicts + [_with(_fact_item(s), follow[id(s)]) for s in facts]),
        Section("Timeline", [_with(_timeline_item(s), follow[id(s)]) for s in sorted(timeline, key=_date_key)]),
        Section("Who said what", [_speaker_item(s, seconds.get(id(s), []), _fullest_name(s, pool)) for s in speakers]),
        Section("Criticisms and open questions", [_with(_critical_item(s), follow[id(s)]) for s in critical]),
        Section("Questions for discussion", discussion(conflicts, critical + speakers,
                                                         limits["Questions for discussion"])),
    ])


def _once(sections: list[Section]) -> list[Section]:
    """Each sentence shown once: a sentence already shown (as another's lead-in) is left out of later
    items, in place."""
    seen: list[str] = []
    for section in sections:
        for item in section.items:
            keep = []
            for text, source in zip(item.segments, item.sources):
                if not any(text.startswith(other) or other.startswith(text) for other in seen):
                    keep.append((text, source))
                    seen.append(text)
            item.segments, item.sources = [t for t, _ in keep], [s for _, s in keep]
        section.items = [item for item in section.items if item.segments]
    return sections


def _followers(chosen: list[Sentence], pool: list[Sentence], used: list[Sentence],
               most: int = FOLLOWERS) -> dict:
    """For each chosen sentence, the unused sentences on the topic that run on from it ('This funding is
    also called …'): shown right after it, where their opening pronoun reads whole."""
    follow: dict = {}
    for first in chosen:
        run, last = [], first
        while len(run) < most:
            nxt = next((s for s in pool if s not in used and s.prior == last.text and
                        s.passage.chunk_id == first.passage.chunk_id and needs_antecedent(s.text)), None)
            if nxt is None:
                break
            run.append(nxt)
            used.append(nxt)
            last = nxt
        follow[id(first)] = run
    return follow


def _with(item: Item, followers: list[Sentence]) -> Item:
    item.segments += [s.text for s in followers]
    item.sources += [s.source_id for s in followers]
    return item


def merge_near_duplicates(pool: list[Sentence], threshold: float = 0.6) -> list[Sentence]:
    """The pool without near-duplicates: of two sentences that say the same thing, the one from the
    later-published source is kept (a report that repeats an earlier one adds nothing)."""
    kept: list[Sentence] = []
    for sentence in pool:
        twin = next((other for other in kept if _jaccard(sentence.terms, other.terms) > threshold), None)
        if twin is None:
            kept.append(sentence)
        elif sentence.published > twin.published:
            kept[kept.index(twin)] = sentence
    return kept


def _pick(pool: list[Sentence], used: list[Sentence], limit: int, scorer, distinct_passages: bool = False,
          spread=None, per: int = 1):
    """The best unused sentences by scorer (None means not eligible), skipping near-duplicates;
    with spread, `per` sentences per spread key come before any more of that key."""
    scored = [(scorer(s), s) for s in pool if s not in used]
    ranked = sorted(((value, s) for value, s in scored if value is not None),
                    key=lambda item: (-item[0], item[1].passage.chunk_id, item[1].start))
    if spread:
        counts: dict = {}
        for _, sentence in ranked:
            counts[spread(sentence)] = counts.get(spread(sentence), 0) + 1
            sentence.turn = counts[spread(sentence)]
        ranked = sorted(ranked, key=lambda item: item[1].turn > per)
    chosen: list[Sentence] = []
    for _, sentence in ranked:
        if len(chosen) >= limit:
            break
        if any(_jaccard(sentence.terms, other.terms) > 0.6 for other in used) or _shown_already(sentence, used):
            continue
        if distinct_passages and any(other.passage.chunk_id == sentence.passage.chunk_id for other in chosen):
            continue
        if spread is speaker_key and any(speaker_key(other) == speaker_key(sentence) for other in chosen):
            continue  # who said what: one line per speaker
        chosen.append(sentence)
        used.append(sentence)
    return chosen


def _shown_already(sentence: Sentence, used: list[Sentence]) -> bool:
    """Whether the sentence, or the one shown before it, already appears in the briefing."""
    shown = {text for other in used for text in (other.text, other.context) if text}
    leans = sentence.context and not _RESPONDING.match(sentence.text)  # it reads whole only right after it
    return sentence.text in shown or bool(leans and sentence.context in shown)


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _overview_score(s: Sentence) -> float | None:
    spoken = s.attribution and s.attribution.kind in ("quote", "reported")
    if spoken or s.heading or s.text.startswith(("“", "‘", "\"")) or len(s.text.split()) < 10 \
            or MONEY.search(s.text) or PERCENT.search(s.text) or _PRONOUN_LED.match(s.text):
        return None  # the overview speaks in the documents' own voice, on topic by its own words; figures are facts
    return (s.score + (0.1 if _DEFINES.search(s.text) else 0.0) - (0.05 if _CRITICAL.search(s.text) else 0.0)
            - (0.1 if s.date else 0.0))


def _fact_score(s: Sentence) -> float | None:
    text = DATE.sub(" ", MONEY.sub(" £ ", s.text))
    bonus = 0.0
    if MONEY.search(s.text):
        if not _PURPOSE.search(s.text):
            return None  # an amount without what it is for is no fact a trainer can use
        bonus += 0.25
    if PERCENT.search(s.text):
        bonus += 0.2
    if _NUMBERISH.search(text):
        bonus += 0.1
    if PLACE_HINT.search(s.text) and NAME.search(s.text):
        bonus += 0.05
    if _QUOTED_TITLE.search(s.text):
        bonus += 0.15
    if NAME.search(s.text, len(s.text.split()[0]) + 1) and not s.heading:
        bonus += 0.1  # a body, place or programme named beside the topic: a concrete fact
    if _DEFINES.search(s.text) and not s.heading:
        bonus += 0.1  # what the topic is or does, in its own words: a fact a trainer needs first
    return s.score + 0.5 * min(bonus, 0.3) if bonus >= 0.1 else None


def _timeline_score(s: Sentence) -> float | None:
    if s.date:
        return s.score + 0.03 * s.date.precision
    quoted = s.attribution is not None and s.attribution.kind == "quote"  # 'today' in a quotation dates nothing
    return s.score if RECENT_DAYS.search(s.text) and s.published and not quoted else None


def _critical_score(s: Sentence) -> float | None:
    hits = len(_CRITICAL.findall(s.text))
    return s.score + 0.05 * min(hits, 3) if hits else None


def _speaker_score(s: Sentence) -> float | None:
    """Statements with a speaker; a sentence about a speaker's response only when nothing better."""
    if s.attribution is None:
        return None
    return s.score - {"quote": 0.0, "reported": 0.02, "publisher": 0.05, "about": 0.3}[s.attribution.kind]


def speaker_key(s: Sentence) -> str:
    """One key per speaker: a person by surname ('Jane Roe, director of X', 'minister Jane Roe' and
    'Roe'), a body by its initials ('Road Safety Trust' and 'RST')."""
    speaker = s.attribution.speaker if s.attribution else ""
    pieces = [piece.strip() for piece in speaker.split(",") if piece.strip()] or [""]
    for piece in pieces:
        person = re.search(r"(?:^|\s)([A-Z][a-z’'\-]+ )?([A-Z][a-z’'\-]+)$", piece)
        if person and not _BODY_WORD.search(piece) and (person.group(1) or len(piece.split()) == 1):
            return person.group(2).lower()
    name = re.sub(r"^(?:[Tt]he|[Cc]harity|[Ff]ellow|[Ff]or the) ", "", pieces[0])
    capitals = [word[0] for word in name.split() if word[:1].isupper()]
    return "".join(capitals).lower() if len(capitals) > 1 else name.lower()


def _date_key(s: Sentence) -> tuple:
    date = s.date or parse_iso(s.published)
    return (date.key if date else (9999, 0, 0), s.published)


def _shown(s: Sentence) -> str:
    """The sentence as shown, with the heading that makes it on topic when its own words do not."""
    return f"{s.text} (under “{s.heading}”)" if s.heading else s.text


def _item(s: Sentence, label: str = "", suffix: str = "") -> Item:
    """The sentence as an item, after the sentence its opening pronoun leans on (each cited)."""
    if s.context:
        return Item([s.context, _shown(s) + suffix], [s.source_id, s.source_id], label)
    return Item([_shown(s) + suffix], [s.source_id], label)


def _fact_item(s: Sentence) -> Item:
    publisher = s.passage.metadata.get("publisher", "") or "unknown source"
    return _item(s, suffix=f" ({publisher}, {s.published or 'undated'})")


def _timeline_item(s: Sentence) -> Item:
    if s.date:
        return _item(s, stated_date(s.text, s.date) or stated_date(s.date_heading, s.date) or s.date.label)
    return _item(s, f"{s.published} (date of report)")


def _second_statements(speakers: list[Sentence], pool: list[Sentence], used: list[Sentence],
                       more_per_speaker: int = MORE_PER_SPEAKER) -> dict:
    """For each speaker, their next best statements on the topic, if they made others (same line)."""
    seconds: dict = {}
    for first in speakers:
        said = [first]
        for _ in range(more_per_speaker):
            more = [s for s in pool if s not in used and _speaker_score(s) is not None and not _shown_already(s, used)
                    and s.attribution.kind in ("quote", "reported") and speaker_key(s) == speaker_key(first)
                    and all(_jaccard(s.terms, o.terms) <= 0.6 and not _repeats(s, o) for o in said)]
            if not more:
                break
            said.append(max(more, key=lambda s: (s.score, -s.start)))
            used.append(said[-1])
        seconds[id(first)] = said[1:]
    return seconds


def _repeats(s: Sentence, other: Sentence) -> bool:
    """Whether s quotes what other already quotes (a quotation reported twice in one article)."""
    mine, theirs = s.attribution.statement.strip("“”‘’\" ."), other.attribution.statement.strip("“”‘’\" .")
    return bool(mine and theirs) and (mine in other.text or theirs in s.text)


def _fullest_name(s: Sentence, pool: list[Sentence]) -> str:
    """The speaker as the documents name them most fully ('Jane Roe, head of policy' over 'Roe')."""
    names = [other.attribution.speaker for other in pool if other.attribution and
             other.attribution.kind in ("quote", "reported") and speaker_key(other) == speaker_key(s)]
    return max(names + [s.attribution.speaker], key=len)


def _speaker_item(s: Sentence, more: list[Sentence] = (), name: str = "") -> Item:
    """One line per speaker: their whole quotation, or the sentence that reports what they said; their
    other statements on the topic follow on the same line."""
    item = Item([], [], name or s.attribution.speaker)
    said = [s, *more]
    for statement in said:
        segments = [text for text in _statement(statement)
                    if text == statement.text or text not in {other.text for other in said}]
        item.segments += segments
        item.sources += [statement.source_id] * len(segments)
    return item


def _statement(s: Sentence) -> list[str]:
    """What the speaker said, as cited segments: the quotation alone when it is on topic by itself."""
    a = s.attribution
    return [a.statement] if a.kind == "quote" and s.quote_on_topic else _item(s).segments


def _critical_item(s: Sentence) -> Item:
    a = s.attribution
    return _item(s, a.speaker if a and a.kind in ("quote", "reported") else "")


def stated_date(text: str, date: EventDate) -> str:
    """The date as the text states it ('14 January 2016', 'spring 2025'), matching date; '' if absent."""
    for pattern in _STATED_DATES:
        for match in pattern.finditer(text):
            if str(date.year) in match.group() and (date.precision == 1 or not match.group().isdigit()):
                return match.group()
    return ""


def disagreements(chosen: list[Sentence], claims: ClaimIndex, chunks) -> list[Item]:
    """'Sources differ' items for figures in the chosen sentences that other sources state differently."""
    by_id = {chunk.id: chunk for chunk in chunks}
    items, done = [], set()
    for sentence in chosen:
        passage = sentence.passage
        for claim in claims_in(sentence.text, passage.chunk_id, passage.source_id, claims.canonical):
            conflicts = [c for c in claims.conflicts(claim) if c.chunk_id in by_id]
            if not conflicts or claim.key in done:
                continue
            done.add(claim.key)
            segments = [f"Sources differ on {claim.subject}: {_who(passage.metadata)} gives “{claim.phrase}”"]
            sources = [passage.source_id]
            for other in conflicts[:2]:
                segments.append(f"{_who(by_id[other.chunk_id].metadata)} gives “{other.phrase}”")
                sources.append(other.source_id)
            items.append(Item(segments, sources))
    return items


def _who(metadata: dict) -> str:
    return f"{metadata.get('publisher', '')} ({metadata.get('published') or 'undated'})"


# -- questions ---------------------------------------------------------------------------------
# Ways to open a claim up for discussion; each question uses one, in turn, so they do not read as one template.
_ASKS = ("what in your own cases supports or challenges this?",
         "what would it mean for the families your team works with?",
         "what would your team need in place to respond?",
         "how would you explain it to a family or carer?")


def discussion(conflicts: list[Item], sentences: list[Sentence], limit: int) -> list[Item]:
    """Training questions, each built on one specific claim or disagreement of the briefing, citing it."""
    items: list[Item] = []
    for conflict in conflicts:
        if len(items) < limit:
            key = re.match(r"Sources differ on the (.+?):", conflict.segments[0])
            items.append(Item([f"The sources give different figures for the {key.group(1)}: which would you "
                               f"rely on in practice, and why?"], [conflict.sources[0]]))
    for sentence in sentences:
        if len(items) >= limit:
            break
        question = question_for(sentence, _ASKS[len(items) % len(_ASKS)])
        if question and not any(similar(question, item.segments[0], 0.5) for item in items):
            items.append(Item([question], [sentence.source_id]))
    return items


def question_for(sentence: Sentence, ask: str) -> str:
    """A question on the claim the sentence makes, naming who makes it: '<who> says “…”: <ask>'; ''
    when the claim is too long to quote whole or leans on something not shown."""
    a = sentence.attribution
    if a is None or a.kind == "about":
        return ""
    who = a.speaker.split(",")[0] if a.kind != "publisher" else a.speaker
    claim = a.statement if a.kind == "quote" else sentence.text
    claim = re.sub(r"[.,;:]+(?=[”’\"]$)", "", claim.rstrip(" .,;:"))  # '…them.”' asks as '…them”:
    if not 6 <= len(claim.split()) <= 32 or needs_antecedent(claim.lstrip("“‘\"")):
        return ""
    if a.kind == "quote":
        return f"{who} says {balance_quotes(claim + ('”' if claim.count('“') > claim.count('”') else ''))}: {ask}"
    return f"{claim[:1].upper()}{claim[1:]}: {ask}" if claim.lower().startswith(who.lower()[:12]) or \
        a.kind == "reported" else f"{who} states that {claim[:1].lower()}{claim[1:]}: {ask}"


# -- numbering ---------------------------------------------------------------------------------
def number(sections: list[Section], passages: dict[str, Passage], chunks) -> list[Citation]:
    """Number the cited sources in reading order, set each item's refs, return the reference list."""
    metadata = {chunk.metadata.get("source_id", ""): chunk.metadata for chunk in chunks}
    metadata.update({source_id: p.metadata for source_id, p in passages.items()})
    order: dict[str, Citation] = {}
    for section in sections:
        for item in section.items:
            for source_id in item.sources:
                if source_id not in order:
                    order[source_id] = make_citation(len(order) + 1, metadata.get(source_id, {}))
            item.refs = [order[source_id].n for source_id in item.sources]
    return list(order.values())


def _notes(topic: str, sparse: bool, sections: list[Section]) -> list[str]:
    return [f"The documents say little about {topic}; this briefing is short."] if sparse else []
