"""Briefings for trainers: what the documents say on a topic, in sections, every sentence cited. No LLM.

Passages are gathered with several retrievals, filtered for relevance, split into sentences and
sorted into sections (facts, dated events, positions, criticisms); each sentence is used once.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Protocol

from assistant.claims import ClaimIndex, claims_in
from assistant.models import Citation, Passage
from assistant.patterns import DATE, DEFINING, MONEY, NAME, PERCENT, PLACE_HINT, RECENT_DAYS
from assistant.text import content_words, sentence_spans
from assistant.timeline import EventDate, content_sentences, event_date, make_citation, parse_iso, similar

SECTIONS = ("Overview", "Key facts and figures", "Timeline", "Who said what",
            "Criticisms and open questions", "Questions for discussion")
QUERIES = ("{}", "{} funding cost £", "{} criticism concern warned", "{} when date timeline", "{} said")
NEWS_PUBLISHERS = frozenset({"Community Care", "Social Work Today"})
LIMITS = {"Overview": 3, "Key facts and figures": 8, "Timeline": 8, "Who said what": 8,
          "Criticisms and open questions": 5, "Questions for discussion": 4}
SPARSE_LIMIT = 2  # items per section when the documents say little on the topic
DENSE_FLOOR = 0.25  # below this cosine similarity a passage is never about the topic
MIN_SCORE = 0.25  # sentence relevance needed to appear at all

_CITE = re.compile(r"\[\d+\]")
_VERBS = (r"said|says|warned|warns|urged|urges|argued|argues|added|adds|told|stated|states|called for|"
          r"called on|welcomed|welcomes|believes|insisted|claimed|admitted|admits|has (?:major )?concerns|"
          r"backed|rejected|accepted|proposed|pledged|announced|promised|recommended|criticised|"
          r"acknowledged|recognised|agreed|disagrees|supports|opposes|wants|wanted")
_VERB = re.compile(rf"\s+(?:has |have |had |also |previously |now )*(?:{_VERBS})\b")
_AFTER = re.compile(r"(?:[,”’]\s*|\b)(?:said|says|added|warned|[Aa]ccording to)\s+(?P<who>(?:the )?[A-Z][^,.;:“”\"]{1,80})")
_PRONOUN = re.compile(r"^(?:it|he|she|they|the (?:association|organisation|charity|minister|body|group|coalition))$", re.I)
_ALIASES = ((re.compile(r"^the department$|^(?:the )?department for education$|^the dfe$", re.I), "DfE"),
            (re.compile(r"^the (?:care )?review$", re.I), "The care review"),
            (re.compile(r"^the government$", re.I), "The government"))
_ORGS = re.compile(r"\b(?:DfE|Ofsted|ADCS|BASW|LGA|UNISON|CMA|NSPCC|NAFP|CVAA|WWCSC|Foundations|Kinship|"
                   r"Department for Education|Local Government Association|Education Committee|government|"
                   r"care review|review|ministers?|MPs|charit(?:y|ies)|Coalition|Association|Council|Group)\b")
_PERSON = re.compile(r"(?:Cllr |Dr |Sir |Dame |Professor )?[A-Z][a-z’'\-]+(?: [A-Z][a-z’'\-]+)+")
_NOT_NAMES = frozenset({"It", "This", "That", "These", "Those", "They", "He", "She", "However", "Meanwhile",
                        "Instead", "Also", "Similarly", "Ultimately", "Today", "Now", "Then", "The", "A", "An",
                        "As", "In", "If", "When", "While", "Once", "Since", "After", "Before", "During", "Where",
                        "But", "And", "So", "Yet", "Both", "All", "Some", "Many", "Most", "Each"})
# A lower-case clause between a speaker and the verb ('…, a representative body, said'), but not a role
_APPOSITIVE = re.compile(r"(?!(?:the|it|he|she|they|now|president|chief|chair|head|minister|director|ceo)\b)[a-z]")
_CLAUSE_VERB = re.compile(r"\b(?:will|would|has|have|had|is|are|was|were|can|could|should|may|might|must)\b")
_ROLE = re.compile(r"\b(?:Secretary|President|president|Chair|chair|CEO|chief|minister|Minister|director|head)\b")
_CRITICAL = re.compile(
    r"\b(?:concerns?|concerned|worr(?:y|ied|ies|ying)|warn(?:ed|s|ing)?|risks? (?:of|that)|risk(?:s|ed)? \w+ing|criticis\w*|fall(?:s|ing)? "
    r"(?:far )?short|short-term|shortfall|lacks?|lacking|fail(?:ed|s|ure)?|weakness\w*|cuts|stretched|"
    r"delay\w*|no (?:new |extra )?funding|insufficient|not enough|unclear|not clear|remains? to be seen|"
    r"no (?:details|information|analysis|mention)|yet to|little known|limited progress|burning platform|"
    r"crisis|privati[sz]\w*|destabilis\w*|dilut\w*|resourced|without (?:sufficient|significant)|"
    r"significant pressures?|worrying|doubts?|problems?)\b", re.I)
_OPEN = re.compile(r"\b(?:unclear|not clear|remains? to be seen|no details|no information|yet to|little known|"
                   r"not yet|whether|unknown|how (?:this|these|it) will)\b", re.I)
_DANGLING = re.compile(r"^(?:This|It|These|They|He|She|That|Those|Its|Their)\b")
_NUMBERISH = re.compile(r"\b\d[\d,.]*\b")
_QUOTED_TITLE = re.compile(r"(?:paper|strategy|report|Bill|bill|framework)\s+[‘“'][A-Z][^’”']{8,}[’”']")
_CLAUSE = re.compile(
    r"\b(?P<kind>concerns? (?:about|over|that)|worr(?:y|ies|ied) (?:about|that)|warned (?:that|about|of)|"
    r"risks? (?:of|that)|fears? (?:of|that)|unclear (?:whether|how|what|if)|not clear (?:whether|how|what|if)|"
    r"remains? to be seen (?:whether|how)|urged [^,.;]{0,40}?\bto|called for|calls? for)\s+"
    r"(?P<clause>[^.;:“”()]{12,240})")


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
    """A quotable sentence of a relevant passage and what it offers each section."""

    passage: Passage
    start: int
    end: int
    text: str
    score: float
    date: EventDate | None = None
    speaker: str = ""
    terms: frozenset = frozenset()
    quoted: bool = False  # inside a quotation that runs on from an earlier sentence
    turn: int = 0  # how many sentences of the same speaker rank above this one (set while picking)
    topical: bool = True  # names the topic, or sits in a passage that is squarely about it

    @property
    def source_id(self) -> str:
        return self.passage.source_id

    @property
    def published(self) -> str:
        return self.passage.metadata.get("published", "") or ""


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
    sentences = candidates(passages, terms, inherited, bot.chunks)
    sparse = len(passages) < 3 or max((p.dense for p in passages), default=0.0) < 0.4
    limits = {name: min(limit, SPARSE_LIMIT) if sparse else limit for name, limit in LIMITS.items()}
    sections = compose(sentences, limits, topic, ClaimIndex(bot.chunks), bot.chunks)
    drafted = redraft(sections, sentences, topic, limits, writer) if writer is not None else []
    info = getattr(bot, "index_info", {}) or {}
    briefing = Briefing(title=f"Briefing: {topic}", topic=topic, generated=dt.date.today().isoformat(),
                        corpus_version=info.get("corpus_version", ""))
    briefing.notes = _notes(topic, sparse, sections) + drafted
    briefing.sections = [section for section in sections if section.items]
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
    for piece in pieces[:-1]:
        spans = [piece[a:b] for a, b in sentence_spans(piece.strip(" ;,"))]
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
               chunks=()) -> list[Sentence]:
    """Every quotable sentence of the passages, scored for the topic, with its date and speaker."""
    by_place = {(c.metadata.get("source_id"), c.metadata.get("position")): c for c in chunks}
    out = []
    top = max(terms.values(), default=0.0)
    distinctive = {term for term, weight in terms.items() if weight >= 0.6 * top}
    for passage in passages:
        base = max(relevance(passage, terms), (inherited or {}).get(passage.chunk_id, 0.0))
        title = overlap(_context(passage), terms)
        previous = speaker_at_start(passage, by_place)
        for start, end, text in content_sentences(passage.text):
            speaker = find_speaker(text, previous, passage, start)
            previous = speaker or (previous if _in_quote(passage.text, start) else "")
            words = set(content_words(text))
            score = 0.35 * overlap(text, terms) + 0.5 * base + 0.15 * title - 0.05 * bool(_DANGLING.match(text))
            out.append(Sentence(passage, start, end, text, score, event_date(text), speaker,
                                frozenset(words), _in_quote(passage.text, start),
                                topical=bool(words & distinctive) or base >= 0.55))
    return sorted(out, key=lambda s: (-s.score, s.passage.chunk_id, s.start))


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
    for start, _, text in content_sentences(passage.text):
        speaker = find_speaker(text, previous, passage, start)
        previous = speaker or (previous if _in_quote(passage.text, start) else "")
    return previous


def find_speaker(sentence: str, previous: str, passage: Passage, start: int) -> str:
    """Who states this sentence: a named organisation or person, else '' (never the article itself)."""
    match = _AFTER.search(sentence)
    who = _speaker_name(match.group("who"), previous) if match else ""
    for verb in _VERB.finditer(sentence):
        if who:
            break
        who = _speaker_name(re.split(r"[.;:“”\"]", sentence[:verb.start()])[-1], previous)
    if who:
        return who
    if previous and (_in_quote(passage.text, start) or sentence.lstrip().startswith(("“", "‘"))):
        return previous
    publisher = passage.metadata.get("publisher", "")
    if publisher and publisher not in NEWS_PUBLISHERS and _CRITICAL.search(sentence) \
            and not _in_quote(passage.text, start):
        return publisher
    return ""


def _speaker_name(who: str, previous: str) -> str:
    """The speaker named just before the verb, resolved through aliases and pronouns; '' if none."""
    pieces = [piece.strip() for piece in who.split(",") if piece.strip()]
    relative = [i for i, piece in enumerate(pieces) if re.match(r"(?:which|who|whose)\b", piece)]
    if relative and relative[-1] > 0:
        pieces = pieces[:relative[-1]]  # '…, which includes A, B and C, said': the speaker comes before 'which'
    if pieces and re.fullmatch(r"[a-z]+", pieces[-1]):
        return ""  # 'as proposed by', 'when asked': the verb is not a speaker's
    while pieces and _APPOSITIVE.match(pieces[-1]):
        pieces.pop()  # an appositive or relative clause between the speaker and the verb
    if not pieces:
        return ""
    piece = re.sub(r"^(?:and|but|while|meanwhile|however|which|who|that)\s+", "", pieces[-1], flags=re.I)
    piece = re.sub(r"\s+(?:appears|seems|is expected|is likely)\s+to$", "", piece)
    if re.search(r"\b(?:was|were|is|are|been|be|being)$", piece):
        return ""  # passive: 'the DfE was criticised' names who is spoken about, not who speaks
    if _PRONOUN.match(piece):
        return previous
    for pattern, alias in _ALIASES:
        if pattern.match(piece):
            return alias
    surname = bool(re.fullmatch(r"[A-Z][a-z’'\-]+", piece)) and piece not in _NOT_NAMES
    if len(piece.split()) > (12 if _ROLE.search(piece) else 7) or _CLAUSE_VERB.search(piece) \
            or not (_ORGS.search(piece) or _PERSON.search(piece) or surname):
        return ""
    if _ROLE.search(piece) and len(pieces) > 1 and _PERSON.fullmatch(pieces[-2]):
        piece = f"{pieces[-2]}, {piece}"
    return _tidy(piece)


def _tidy(name: str) -> str:
    name = re.sub(r"^(?:the|for the|in|from)\s+(?=[A-Z])", "", name.strip())
    return name[:1].upper() + name[1:]


def _source(s: Sentence) -> str:
    return s.source_id


def _organisation(s: Sentence) -> str:
    """The speaker without the role after the first comma, so one person counts once."""
    return s.speaker.split(",")[0]


def _in_quote(text: str, start: int) -> bool:
    """Whether offset start lies inside an open quotation (“…” or ‘…’) in its paragraph."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    closing_single = len(re.findall(r"’(?![A-Za-z])", before))
    return before.count("“") > before.count("”") or before.count("‘") > closing_single


# -- composing ---------------------------------------------------------------------------------
def compose(sentences: list[Sentence], limits: dict[str, int], topic: str, claims: ClaimIndex,
            chunks) -> list[Section]:
    """The six sections, each sentence used once and near-duplicates dropped across sections."""
    pool = [s for s in sentences if s.score >= MIN_SCORE and s.topical]
    used: list[Sentence] = []
    overview = _pick(pool, used, limits["Overview"], _overview_score, distinct_passages=True)
    facts = _pick(pool, used, limits["Key facts and figures"], _fact_score, spread=_source, per=3)
    timeline = _pick(pool, used, limits["Timeline"], _timeline_score)
    critical = _pick(pool, used, limits["Criticisms and open questions"], _critical_score, spread=_source, per=2)
    speakers = _pick(pool, used, limits["Who said what"], _speaker_score, spread=_organisation)
    conflicts = disagreements(facts + overview + timeline + critical + speakers, pool, claims, chunks)
    return [
        Section("Overview", [Item([s.text], [s.source_id]) for s in overview], style="paragraph"),
        Section("Key facts and figures", conflicts + [_fact_item(s) for s in facts]),
        Section("Timeline", [_timeline_item(s) for s in sorted(timeline, key=_date_key)]),
        Section("Who said what", [Item([s.text], [s.source_id], s.speaker) for s in speakers]),
        Section("Criticisms and open questions", [Item([s.text], [s.source_id], s.speaker) for s in critical]),
        Section("Questions for discussion", discussion(critical + speakers, topic,
                                                         limits["Questions for discussion"])),
    ]


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
        if any(_jaccard(sentence.terms, other.terms) > 0.6 for other in used):
            continue
        if distinct_passages and any(other.passage.chunk_id == sentence.passage.chunk_id for other in chosen):
            continue
        chosen.append(sentence)
        used.append(sentence)
    return chosen


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _overview_score(s: Sentence) -> float | None:
    if s.quoted or s.text.startswith(("“", "‘", "\"")) or len(s.text.split()) < 10:
        return None
    figures = bool(s.date or MONEY.search(s.text) or PERCENT.search(s.text))
    return (s.score + (0.08 if DEFINING.search(s.text) else 0.0) - (0.05 if _CRITICAL.search(s.text) else 0.0)
            - (0.1 if figures else 0.0))


def _fact_score(s: Sentence) -> float | None:
    text = DATE.sub(" ", MONEY.sub(" £ ", s.text))
    bonus = 0.0
    if MONEY.search(s.text):
        bonus += 0.25
    if PERCENT.search(s.text):
        bonus += 0.2
    if _NUMBERISH.search(text):
        bonus += 0.1
    if PLACE_HINT.search(s.text) and NAME.search(s.text):
        bonus += 0.05
    if _QUOTED_TITLE.search(s.text):
        bonus += 0.15
    return s.score + 0.5 * min(bonus, 0.3) if bonus >= 0.1 else None


def _timeline_score(s: Sentence) -> float | None:
    if s.date:
        return s.score + 0.03 * s.date.precision
    return s.score if RECENT_DAYS.search(s.text) and s.published else None


def _critical_score(s: Sentence) -> float | None:
    hits = len(_CRITICAL.findall(s.text))
    return s.score + 0.05 * min(hits, 3) if hits else None


def _speaker_score(s: Sentence) -> float | None:
    return s.score if s.speaker else None


def _date_key(s: Sentence) -> tuple:
    date = s.date or parse_iso(s.published)
    return (date.key if date else (9999, 0, 0), s.published)


def _fact_item(s: Sentence) -> Item:
    publisher = s.passage.metadata.get("publisher", "") or "unknown source"
    return Item([f"{s.text} ({publisher}, {s.published or 'undated'})"], [s.source_id])


def _timeline_item(s: Sentence) -> Item:
    if s.date:
        return Item([s.text], [s.source_id], s.date.label)
    return Item([s.text], [s.source_id], f"{s.published} (date of report)")


def disagreements(chosen: list[Sentence], pool: list[Sentence], claims: ClaimIndex, chunks) -> list[Item]:
    """'Sources differ' items for figures in the relevant sentences that other sources state differently."""
    by_id = {chunk.id: chunk for chunk in chunks}
    items, done = [], set()
    for sentence in chosen + pool:
        passage = sentence.passage
        for claim in claims_in(sentence.text, passage.chunk_id, passage.source_id):
            conflicts = [c for c in claims.conflicts(claim) if c.chunk_id in by_id]
            if not conflicts or claim.key in done:
                continue
            done.add(claim.key)
            segments = [f"Sources differ on the {claim.key}: {_who(passage.metadata)} gives “{claim.phrase}”"]
            sources = [passage.source_id]
            for other in conflicts[:2]:
                segments.append(f"{_who(by_id[other.chunk_id].metadata)} gives “{other.phrase}”")
                sources.append(other.source_id)
            items.append(Item(segments, sources))
    return items


def _who(metadata: dict) -> str:
    return f"{metadata.get('publisher', '')} ({metadata.get('published') or 'undated'})"


# -- questions ---------------------------------------------------------------------------------
def discussion(sentences: list[Sentence], topic: str, limit: int) -> list[Item]:
    """Training questions drawn from the criticisms and positions, each citing its sentence's source."""
    items: list[Item] = []
    for sentence in sentences:
        if len(items) >= limit:
            break
        question = question_for(sentence, topic)
        if question and not any(similar(question, item.segments[0], 0.5) for item in items):
            items.append(Item([question], [sentence.source_id]))
    return items


def question_for(sentence: Sentence, topic: str) -> str:
    """A discussion question built on the concern, open question or call the sentence states."""
    match = _CLAUSE.search(sentence.text)
    clause = _trim_clause(match.group("clause")) if match else ""
    if not clause:
        if sentence.speaker:
            return f"What does the position of {sentence.speaker.split(',')[0]} mean for {topic} in your team?"
        return f"How far do you agree with this criticism of {topic}, and what would address it?"
    kind = match.group("kind").lower()
    if kind.startswith(("unclear", "not clear", "remains")):
        return f"How could your team find out {kind.split()[-1]} {clause}?"
    if kind.endswith("that"):
        return f"What would it take to address the concern that {clause}?"
    if kind.startswith(("urged", "call")):
        return f"What would change in practice if the call {kind.split()[-1]} {clause} were taken up?"
    return f"How might {clause} affect {topic} in your area?"


def _trim_clause(clause: str) -> str:
    """The clause up to its first break, without first-person words; '' when too long or personal."""
    clause = re.split(r",| – | — |\bbut\b|\bwhile\b", clause)[0].strip(" ’'\"")
    words = clause.split()
    if not 3 <= len(words) <= 24 or re.search(r"\b(?:we|our|us|I)\b", clause):
        return ""
    return clause


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
    notes = []
    if sparse:
        notes.append(f"The documents say little about {topic}; this briefing is short.")
    empty = [section.heading for section in sections if not section.items]
    if empty:
        notes.append("Nothing in the documents for: " + ", ".join(empty) + ".")
    return notes
