"""Sorting sentences into the six sections (overview, key facts and figures with 'Sources differ' items first,
timeline, who said what, criticisms, questions for discussion): each used once, near-duplicates merged, then
numbered."""

from __future__ import annotations

import re
from functools import partial

from assistant.answering.attribution import balance_quotes
from assistant.answering.citations import make_citation
from assistant.answering.disagreements import ClaimIndex, claims_in, source_label, sources_differ
from assistant.briefing.model import Item, Section
from assistant.briefing.sentences import Sentence, _PRONOUN_LED, _RESPONDING, _source, needs_antecedent, stated_date
from assistant.models import Citation, Passage
from assistant.scoring import BriefingSections, BriefingWeights
from assistant.text.dates import DATE, RECENT_DAYS, parse_iso
from assistant.text.names import NAME, PLACE_HINT
from assistant.text.numbers import MONEY, PERCENT
from assistant.text.similarity import similar
from assistant.text.similarity import jaccard

_CRITICAL = re.compile(
    r"\b(?:concerns?|concerned|worr(?:y|ied|ies|ying)|warn(?:ed|s|ing)?|risks? (?:of|that)|risk(?:s|ed)? \w+ing|criticis\w*|fall(?:s|ing)? "
    r"(?:far )?short|short-term|shortfall|lacks?|lacking|fail(?:ed|s|ure)?|weakness\w*|cuts|stretched|"
    r"delay\w*|no (?:new |extra )?funding|insufficient|not enough|unclear|not clear|remains? to be seen|"
    r"no (?:details|information|analysis|mention)|yet to|little known|limited progress|burning platform|"
    r"crisis|privati[sz]\w*|destabilis\w*|dilut\w*|resourced|without (?:sufficient|significant)|"
    r"significant pressures?|worrying|doubts?|problems?)\b", re.I)
# What something is: the sentences a reader needs first.
_DEFINES = re.compile(r"\b(?:involves?|means|refers? to|designed to|aims? to|(?:is|are) (?:a|an)|known as|"
                      r"defined as|(?:also )?called|comprises?|consists? of|brings? together|merg(?:e|es|ed|ing|er)|combin\w+)\b")
_NUMBERISH = re.compile(r"\b\d[\d,.]*\b")
_QUOTED_TITLE = re.compile(r"(?:paper|strategy|report|Bill|bill|framework)\s+[‘“'][A-Z][^’”']{8,}[’”']")
# What an amount is for: a sum with a purpose ('£44m to test…', '£9m for training', 'invest £2bn in').
_PURPOSE = re.compile(r"\b(?:for|to|into|on|towards|in|across|over|funding|fund|cost|costed|budget|grant|"
                      r"spent|spend|allocated|invest\w*)\b", re.I)
_BODY_WORD = re.compile(r"\b(?:Association|Council|Department|Group|Network|Trust|Union|Society|Foundation|"
                        r"Partnership|Alliance|Coalition|Committee|Centre|Institute|Agency|Office|Services?)\b")


# -- composing ---------------------------------------------------------------------------------
def compose(sentences: list[Sentence], limits: dict[str, int], topic: str, claims: ClaimIndex,
            chunks, config: BriefingWeights = BriefingWeights()) -> list[Section]:
    """The six sections, each sentence used once, near-duplicates merged (the later source kept); each
    section's scorer and caps are config.sections (settings.scoring.briefing)."""
    c = config.sections
    pool = merge_near_duplicates([s for s in sentences if s.score >= config.sentence.min_score and s.topical],
                                 c.duplicate_share)
    used: list[Sentence] = []
    pick = partial(_pick, pool, used, duplicate=c.duplicate_share)
    speakers = pick(limits["Who said what"], partial(_speaker_score, config=c), spread=speaker_key)
    seconds = _second_statements(speakers, pool, used, c)
    overview = pick(limits["Overview"], partial(_overview_score, config=c), distinct_passages=True)
    facts = pick(limits["Key facts and figures"], partial(_fact_score, config=c), spread=_source,
                 per=c.facts_per_source)
    follow = _followers(facts, pool, used, c.followers)  # before the timeline takes a fact's follow-on for its date
    timeline = pick(limits["Timeline"], partial(_timeline_score, config=c))
    critical = pick(limits["Criticisms and open questions"], partial(_critical_score, config=c), spread=_source,
                    per=c.criticisms_per_source)
    conflicts = disagreements(facts + overview + timeline + critical + speakers, claims, chunks, c.rival_sides)
    follow.update(_followers(timeline + critical, pool, used, c.followers))
    return _once([
        Section("Overview", [_item(s) for s in overview], style="paragraph"),
        Section("Key facts and figures", conflicts + [_with(_fact_item(s), follow[id(s)]) for s in facts]),
        Section("Timeline", [_with(_timeline_item(s), follow[id(s)]) for s in sorted(timeline, key=_date_key)]),
        Section("Who said what", [_speaker_item(s, seconds.get(id(s), []), _fullest_name(s, pool)) for s in speakers]),
        Section("Criticisms and open questions", [_with(_critical_item(s), follow[id(s)]) for s in critical]),
        Section("Questions for discussion", discussion(conflicts, critical + speakers,
                                                         limits["Questions for discussion"], c)),
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


def _followers(chosen: list[Sentence], pool: list[Sentence], used: list[Sentence], most: int) -> dict:
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


def merge_near_duplicates(pool: list[Sentence], threshold: float) -> list[Sentence]:
    """The pool without near-duplicates: of two sentences that say the same thing, the one from the
    later-published source is kept (a report that repeats an earlier one adds nothing)."""
    kept: list[Sentence] = []
    for sentence in pool:
        twin = next((other for other in kept if jaccard(sentence.terms, other.terms) > threshold), None)
        if twin is None:
            kept.append(sentence)
        elif sentence.published > twin.published:
            kept[kept.index(twin)] = sentence
    return kept


def _pick(pool: list[Sentence], used: list[Sentence], limit: int, scorer, distinct_passages: bool = False,
          spread=None, per: int = 1, *, duplicate: float):
    """The best unused sentences by scorer (None means not eligible), skipping near-duplicates (sharing
    more than `duplicate` of their words with one used); with spread, `per` sentences per spread key
    come before any more of that key."""
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
        if any(jaccard(sentence.terms, other.terms) > duplicate for other in used) or _shown_already(sentence, used):
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


def _overview_score(s: Sentence, config: BriefingSections) -> float | None:
    spoken = s.attribution and s.attribution.kind in ("quote", "reported")
    short = len(s.text.split()) < config.overview_min_words
    if spoken or s.heading or s.text.startswith(("“", "‘", "\"")) or short \
            or MONEY.search(s.text) or PERCENT.search(s.text) or _PRONOUN_LED.match(s.text):
        return None  # the overview speaks in the documents' own voice, on topic by its own words; figures are facts
    return (s.score + (config.overview_defines if _DEFINES.search(s.text) else 0.0)
            + (config.overview_critical if _CRITICAL.search(s.text) else 0.0)
            + (config.overview_dated if s.date else 0.0))


def _fact_score(s: Sentence, config: BriefingSections) -> float | None:
    text = DATE.sub(" ", MONEY.sub(" £ ", s.text))
    bonus = 0.0
    if MONEY.search(s.text):
        if not _PURPOSE.search(s.text):
            return None  # an amount without what it is for is no fact a trainer can use
        bonus += config.fact_money
    if PERCENT.search(s.text):
        bonus += config.fact_percent
    if _NUMBERISH.search(text):
        bonus += config.fact_number
    if PLACE_HINT.search(s.text) and NAME.search(s.text):
        bonus += config.fact_place
    if _QUOTED_TITLE.search(s.text):
        bonus += config.fact_title
    if NAME.search(s.text, len(s.text.split()[0]) + 1) and not s.heading:
        bonus += config.fact_named  # a body, place or programme named beside the topic
    if _DEFINES.search(s.text) and not s.heading:
        bonus += config.fact_defines  # what the topic is or does, in its own words
    return s.score + config.fact_share * min(bonus, config.fact_cap) if bonus >= config.fact_min else None


def _timeline_score(s: Sentence, config: BriefingSections) -> float | None:
    if s.date:
        return s.score + config.timeline_precision * s.date.precision
    quoted = s.attribution is not None and s.attribution.kind == "quote"  # 'today' in a quotation dates nothing
    return s.score if RECENT_DAYS.search(s.text) and s.published and not quoted else None


def _critical_score(s: Sentence, config: BriefingSections) -> float | None:
    hits = len(_CRITICAL.findall(s.text))
    return s.score + config.critical_hit * min(hits, config.critical_max_hits) if hits else None


def _speaker_score(s: Sentence, config: BriefingSections) -> float | None:
    """Statements with a speaker; a sentence about a speaker's response only when nothing better."""
    if s.attribution is None:
        return None
    return s.score - config.speaker_cost(s.attribution.kind)


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
                       config: BriefingSections) -> dict:
    """For each speaker, their next best statements on the topic (up to config.more_per_speaker), if they
    made others (same line)."""
    seconds: dict = {}
    for first in speakers:
        said = [first]
        for _ in range(config.more_per_speaker):
            more = [s for s in pool if s not in used and s.attribution is not None and not _shown_already(s, used)
                    and s.attribution.kind in ("quote", "reported") and speaker_key(s) == speaker_key(first)
                    and all(jaccard(s.terms, o.terms) <= config.duplicate_share and not _repeats(s, o) for o in said)]
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


def disagreements(chosen: list[Sentence], claims: ClaimIndex, chunks, sides_shown: int) -> list[Item]:
    """'Sources differ' items for figures in the chosen sentences that other sources state differently,
    with up to `sides_shown` rival figures each."""
    by_id = {chunk.id: chunk for chunk in chunks}
    items, done = [], set()
    for sentence in chosen:
        passage = sentence.passage
        for claim in claims_in(sentence.text, passage.chunk_id, passage.source_id, claims.canonical):
            conflicts = [c for c in claims.conflicts(claim) if c.chunk_id in by_id]
            if not conflicts or claim.key in done:
                continue
            done.add(claim.key)
            sides = [(_who(passage.metadata), claim.phrase, "")]
            sources = [passage.source_id]
            for other in conflicts[:sides_shown]:
                sides.append((_who(by_id[other.chunk_id].metadata), other.phrase, ""))
                sources.append(other.source_id)
            items.append(Item(sources_differ(claim.subject, sides), sources))
    return items


def _who(metadata: dict) -> str:
    return source_label(metadata.get("publisher", ""), metadata.get("published"))


# -- questions ---------------------------------------------------------------------------------
# Ways to open a claim up for discussion; each question uses one, in turn, so they do not read as one template.
_ASKS = ("what in your own cases supports or challenges this?",
         "what would it mean for the families your team works with?",
         "what would your team need in place to respond?",
         "how would you explain it to a family or carer?")


def discussion(conflicts: list[Item], sentences: list[Sentence], limit: int,
               config: BriefingSections = BriefingSections()) -> list[Item]:
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
        question = question_for(sentence, _ASKS[len(items) % len(_ASKS)], config)
        if question and not any(similar(question, item.segments[0], config.question_similar) for item in items):
            items.append(Item([question], [sentence.source_id]))
    return items


def question_for(sentence: Sentence, ask: str, config: BriefingSections = BriefingSections()) -> str:
    """A question on the claim the sentence makes, naming who makes it: '<who> says “…”: <ask>'; ''
    when the claim is too long to quote whole or leans on something not shown."""
    a = sentence.attribution
    if a is None or a.kind == "about":
        return ""
    who = a.speaker.split(",")[0] if a.kind != "publisher" else a.speaker
    claim = a.statement if a.kind == "quote" else sentence.text
    claim = re.sub(r"[.,;:]+(?=[”’\"]$)", "", claim.rstrip(" .,;:"))  # '…them.”' asks as '…them”:
    if not config.question_min_words <= len(claim.split()) <= config.question_max_words \
            or needs_antecedent(claim.lstrip("“‘\"")):
        return ""
    if a.kind == "quote":
        return f"{who} says {balance_quotes(claim + ('”' if claim.count('“') > claim.count('”') else ''))}: {ask}"
    names_speaker = claim.lower().startswith(who.lower()[:config.question_speaker_chars])
    return f"{claim[:1].upper()}{claim[1:]}: {ask}" if names_speaker or \
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
