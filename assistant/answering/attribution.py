"""Who says what: speakers and their statements in a passage, and attributed points for open questions.

Speakers are recognised by the shape of the text, never by a list of names: a capitalised name or an
acronym next to a speech verb ("X said", "said X, chief executive of Y", "According to X, …"), whole
quotations with their opening and closing marks, and the passage's publisher when the source itself
is the voice (it speaks in the first person outside any quotation).

>>> from assistant.models import Passage
>>> text = "“We are pleased,” said Jane Smith, chief executive of the Carers Trust. It cost £2m."
>>> [(a.speaker, a.statement, a.kind) for a in attributions(Passage("x#0", text, {}))]
[('Jane Smith, chief executive of the Carers Trust', '“We are pleased”', 'quote')]
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from assistant.models import Passage
from assistant.question.followups import split_carried
from assistant.question.kinds import answer_type
from assistant.scoring import AttributionWeights
from assistant.text.sentences import LEANS_BACK, is_bullet, sentence_spans, strip_bullet
from assistant.text.similarity import shares_phrase, word_overlap
from assistant.text.tokens import content_words

# Speech verbs: a name right before or after one of these is a speaker.
_SPEECH = (r"said|says|say|told|added|adds|warned|warns|urged|urges|argued|argues|stated|states|welcomed|welcomes|"
           r"criticised|criticises|criticized|called for|calls for|called on|calls on|believes|believe|insisted|"
           r"insists|claimed|claims|admitted|admits|acknowledged|acknowledges|responded|commented|explained|"
           r"explains|noted|notes|highlighted|highlights|cautioned|pointed out|questioned|questions|objected|"
           r"objects|opposed|opposes|rejected|rejects|praised|condemned|suggested|suggests|recommended|"
           r"recommends|described|describes|stressed|stresses|emphasised|emphasises|wants|wanted|agreed|"
           r"agrees|disagreed|disagrees|raised concerns|has concerns|have concerns|has major concerns|"
           r"expressed concern|is concerned|are concerned|fears|feared|hopes|hoped|announced|announces|"
           r"pledged|promised|proposed|proposes|supports|backed|backs|wrote|writes|concluded|concludes|voiced|voices|"
           r"raised|raises")
_VERB = re.compile(rf"(?<![\w’'])(?:(?:has|have|had|having|also|previously|now|further|recently|today|repeatedly) )*"
                   rf"(?P<verb>{_SPEECH})\b")
_ACCORDING = re.compile(r"\b[Aa]ccording to (?P<who>[^,.;:“”\"]{2,90}),\s*(?P<clause>.+)$")
_OPEN_MARKS, _CLOSE_MARKS = "“‘", "”’"
# Words that may stand in a speaker's name without capitals: roles and kinds of body.
_ROLE = re.compile(r"\b(?:chief|executive|president|chair|chairman|chairwoman|chairperson|director|head|secretary|"
                   r"minister|spokesperson|spokesman|spokeswoman|leader|founder|manager|lead|officer|ceo|member|"
                   r"deputy|vice|assistant|co-chair|commissioner|trustee|partner|professor|adviser|advisor|"
                   r"councillor|mp|chief social worker)\b", re.I)
_BODY = re.compile(r"\b(?:charity|charities|union|unions|council|councils|department|government|ministers?|"
                   r"association|committee|campaigners?|directors|providers?|inspectorate|regulator|body|bodies|"
                   r"organisations?|group|coalition|partnership|network|trust|sector|leaders|experts|critics|"
                   r"authorities|local authorities|mps|peers|carers|families|parents|young people|"
                   r"care leavers|social workers|practitioners|researchers|report|review|survey|"
                   r"think tank|watchdog|inspectors|officials|spokesperson)\b", re.I)
_CONNECTOR = frozenset({"of", "for", "and", "the", "on", "in", "at", "de", "to", "&", "a", "now", "its", "our",
                        "their", "national", "local", "social", "children’s", "children's", "care", "work",
                        "young", "fellow", "former", "interim", "acting", "joint", "senior", "general",
                        "policy", "public", "affairs", "strategic", "development", "practice", "services", "children"})
# Words that point back to a speaker named earlier ('the charity said'); 'the government' names its speaker.
_PRONOUNS = (r"(?:it|he|she|they|we|the (?:association|organisation|charity|minister|body|group|coalition|union|"
             r"council|department))")
_PRONOUN = re.compile(rf"^{_PRONOUNS}$", re.I)
_CLAUSE_WORD = re.compile(r"\b(?:will|would|has|have|had|is|are|was|were|can|could|should|may|might|must|"
                          r"which|who|that|this|these|there|if|when|because)\b")
_PASSIVE = re.compile(r"\b(?:was|were|is|are|been|be|being)$")
_LEAD = re.compile(r"^(?:and|but|while|meanwhile|however|instead|also|which|who|that|as|both|in response|"
                   r"responding to [^,]*|speaking [^,]*|writing [^,]*)\b\s*,?\s*", re.I)
_FIRST_PERSON = re.compile(r"\b(?:we|our|us)\b", re.I)
_SENTENCE_END = re.compile(r"[.!][”’\"]?\s*$")  # a question, or a name cut at 'Who Cares?', is no statement
# A statement about a body rather than one by it: its response or reaction is reported, no words of its own.
_ABOUT = re.compile(r"\b(?:gave|offered|issued|gives|had|has) (?:[\w’\-]+ ){0,5}(?:response|reaction|welcome|verdict)\b|"
                    r"\b(?:reacted|responded)\b(?! (?:that|by saying))", re.I)
STANCE = re.compile(
    r"\b(?:concerns?|concerned|worr(?:y|ied|ies|ying)|warn(?:ed|s|ing)?|risks?|criticis\w*|welcom\w*|"
    r"fail(?:ed|s|ure)?|must|should|urge[sd]?|calls? (?:for|on)|called (?:for|on)|oppos\w*|object\w*|"
    r"support\w*|disappoint\w*|pleased|unacceptable|insufficient|not enough|unclear|fear\w*|shortfall|"
    r"lacks?|cuts?|crisis|need(?:s|ed)? to|believe\w*|argu\w*|concerning|alarming|illegal|unlawful|offence|"
    r"unsafe|harmful|dangerous)\b", re.I)
# Words of an open question's frame, not of its topic ("How did X respond to …").
_FRAME = frozenset(content_words(
    "how why what which who did do does respond responded response responses react reacted reaction say said "
    "says think thought view views object objected objection objections concern concerns concerned raise raised "
    "criticise criticised criticism criticisms welcome welcomed worry worries worried position positions "
    "stance feel felt reason reasons argue argued make made sector bodies body people"))


@dataclass(frozen=True)
class Attribution:
    """A statement and who makes it, with the offsets of the sentence(s) that carry it in the passage.

    kind: 'quote' (a whole quotation), 'reported' (a reported clause), 'publisher' (the source's own
    voice in the first person), 'source' (another sentence of a source that speaks for itself) or 'about'
    (a sentence about a speaker's response, with no words of its own)."""

    speaker: str
    statement: str
    sentence: str  # the whole sentence or quotation unit, verbatim
    start: int
    end: int
    kind: str
    lead_in: str = ""  # a list item's lead-in ('The council notes that:'), which says what the item is

    @property
    def organisation(self) -> str:
        """The body behind the speaker: the name after 'of' in a role, else the speaker's first part."""
        role = re.search(r"\b(?:of|at|for) (?:the )?(?P<org>[A-Z][\w’'\-]*(?: (?:of |for |and )?[A-Z][\w’'\-]*)*)",
                         self.speaker)
        if role:
            return role.group("org")
        first = self.speaker.split(",")[0].strip()
        titled = _ROLE.search(first)  # 'XYZ president Jane Roe': the body named before the role
        return first[:titled.start()].strip() if titled and first[:titled.start()].strip() else first


@dataclass(frozen=True)
class AttributedPoint:
    """One viewpoint for an open question: who, what, and where to cite it."""

    speaker: str
    statement: str
    sentence: str
    passage: Passage
    start: int
    end: int
    kind: str
    score: float
    named: bool = False  # the question names this speaker (or the source speaking for itself)
    topical: bool = True  # on the topic by its own words (or its paragraph's), not only by its page's heading
    group: bool = False  # a group the question asks about is its subject ('Local authorities were …')

    def line(self) -> str:
        """The point as one sentence of an answer: the quotation with its speaker, or the sentence itself."""
        if self.kind == "quote":
            return f"{self.speaker} said: {self.statement}"
        if self.kind in ("publisher", "source") or self.lead_in:
            return f"{self.speaker}: {self.statement}"  # the source's own sentence, or a list item
        return strip_bullet(self.sentence) if is_bullet(self.sentence) else self.sentence

    @property
    def lead_in(self) -> bool:
        return is_bullet(self.sentence) and self.statement == strip_bullet(self.sentence)


# -- attribution in one passage ----------------------------------------------------------------------
def attributions(passage: Passage, previous: str = "", own_voice: bool = False) -> list[Attribution]:
    """Every attributed statement of the passage, in reading order; previous is the speaker in force
    where the passage starts (a quotation can run on from the chunk before).

    The items of a list whose lead-in names a speaker ('The council notes that:') are that speaker's.
    With own_voice (the source speaks for itself: see speaks_for_itself), the publisher owns every
    sentence that nobody else states (a charity's blog, a regulator's report), not only those in the
    first person."""
    publisher = publisher_name(passage)
    found = []
    lead: Attribution | None = None  # the attributed lead-in of the list being read
    for start, end in quotation_units(passage.text):
        unit = passage.text[start:end]
        attribution = attribute(unit, start, end, previous)
        bullet = is_bullet(unit)
        if attribution is None and bullet and lead is not None:
            attribution = Attribution(lead.speaker, strip_bullet(unit), unit, start, end, "reported",
                                      lead_in=lead.sentence.strip())
        lead_in = unit.rstrip().endswith(":")
        if not bullet and (lead_in or _starts_line(passage.text, start)):
            # a line that is no list item ends the list (a second sentence of an item does not)
            lead = attribution if lead_in and attribution and attribution.kind in ("quote", "reported") else None
        if attribution is None:
            previous = ""
            continue
        attribution = _as_publisher(attribution, publisher)
        found.append(attribution)
        previous = attribution.speaker if attribution.kind in ("quote", "reported") else ""
    return sorted(found + _publisher_voice(passage, found, own_voice), key=lambda a: a.start)


def _starts_line(text: str, start: int) -> bool:
    return not text[:start].rstrip(" \t") or text[:start].rstrip(" \t").endswith("\n")


def publisher_name(passage: Passage) -> str:
    """The passage's publisher as a speaker: 'Harbour Trust (blog)' is Harbour Trust."""
    return re.sub(r"\s*\([^)]*\)", "", passage.metadata.get("publisher") or "").strip()


def _as_publisher(attribution: Attribution, publisher: str) -> Attribution:
    """A speaker named by part of the publisher's name ('Harbour' in a page of 'Friends of Harbour') is the
    publisher: the sentence splitter or a shortened name cut it."""
    speaker = set(content_words(attribution.speaker))
    if publisher and "," not in attribution.speaker and speaker and speaker < set(content_words(publisher)):
        return Attribution(publisher, attribution.statement, attribution.sentence, attribution.start,
                           attribution.end, attribution.kind, attribution.lead_in)
    return attribution


# A numbered paragraph's number ('3.2 ', '(a) ', 'iv) '), as in a committee report: not part of the speaker.
_PARAGRAPH_NUMBER = re.compile(r"^\s*(?:\d+(?:\.\d+)+\.?|\d+\.|\(?[a-z]\)|\(?[ivx]+\))\s+(?=\S)")


def attribute(unit: str, start: int, end: int, previous: str = "") -> Attribution | None:
    """Who states this sentence or quotation and what they state; None when it is nobody's statement.

    >>> attribute('3.2 The Parent Forum said: "It is the only break we get."', 0, 57).speaker
    'Parent Forum'
    """
    text = _PARAGRAPH_NUMBER.sub("", unit, count=1)
    quote = quotation(text)
    for finder in (_speaker_after_quote, _speaker_before_verb, _according_to):
        found = finder(text, quote, previous)
        if found:
            speaker, statement, kind = found
            return Attribution(speaker, statement, unit, start, end, kind)
    if quote and previous and text.lstrip().startswith(tuple(_OPEN_MARKS + '"')):
        return Attribution(previous, _trim_quote(quote), unit, start, end, "quote")  # a quotation runs on
    about = _about(text)
    return Attribution(about, text, unit, start, end, "about") if about else None


def _speaker_after_quote(unit: str, quote: str, previous: str):
    """'“…,” said Jane Smith, chief executive of X.' or '“…,” X said.'"""
    if not quote or not unit.lstrip().startswith(tuple(_OPEN_MARKS + '"')):
        return None
    tail = unit[unit.find(quote[-1], 1) + 1:] if quote else ""
    match = re.match(rf"\s*,?\s*(?:{_SPEECH})\s+(?P<who>[^.;:“”\"]+)", tail)
    who = speaker_name(match.group("who"), previous) if match else ""
    if not who:
        match = re.match(rf"\s*,?\s*(?P<who>[^.;:“”\"]+?)\s+(?:{_SPEECH})\b", tail)
        who = speaker_name(match.group("who"), previous) if match else ""
    return (who, _trim_quote(quote), "quote") if who else None


def _speaker_before_verb(unit: str, quote: str, previous: str):
    """'X said: “…”', 'X warned that …', 'Jane Smith, chief executive of X, said …'."""
    for verb in _VERB.finditer(unit):
        before = unit[:verb.start()]
        if _inside_quotation(before):
            continue
        piece = re.split(r"[.;:“”\"]", before)[-1]
        who = speaker_name(piece, previous) or _coordinated_speaker(piece, previous)
        if not who:
            continue
        rest = unit[verb.end():]
        if quote and rest.lstrip(" ,:").startswith(tuple(_OPEN_MARKS + '"')):
            return who, _trim_quote(quote), "quote"
        clause = re.sub(r"^\s*[,:]?\s*(?:that\s+)?", "", rest).strip()
        if clause.count("”") > clause.count("“"):  # 'X said: words”': the source dropped the opening mark
            return who, balance_quotes("“" + clause), "quote"
        return who, clause or unit.strip(), "reported"
    return None


# 'X supported the Bill but said …': a speech verb after 'but' or 'and' is said by the first verb's subject.
_COORDINATED = re.compile(r"^(?P<who>.+?)\s+[a-z]+(?:ed|s)\b[^,“”\"]{0,60}?\s+(?:but|and|yet)\s*$")


def _coordinated_speaker(piece: str, previous: str) -> str:
    """The speaker of a speech verb that follows another verb of the same subject, or ''.

    >>> _coordinated_speaker("Tobias Renfrew (Ravensholt) supported the Bill but ", "")
    'Tobias Renfrew'
    """
    match = _COORDINATED.match(re.sub(r"\s*\([^)]*\)", "", piece).strip() + " ")
    return speaker_name(match.group("who"), previous) if match else ""


def _according_to(unit: str, quote: str, previous: str):
    match = _ACCORDING.search(unit)
    who = speaker_name(match.group("who"), previous) if match else ""
    return (who, match.group("clause").strip(), "reported") if who else None


def _about(unit: str) -> str:
    """The body a sentence reports on ('Fellow charity X also gave the plan a mixed response'), or ''."""
    match = _ABOUT.search(unit)
    if not match or _inside_quotation(unit[:match.start()]):
        return ""
    subject = re.split(r"[.;:“”\"]", unit[:match.start()])[-1]
    subject = re.sub(r"(?:\s+(?:also|too|has|have|had|now|later|then|previously))+\s*$", "", subject)
    return speaker_name(subject, "")


def _publisher_voice(passage: Passage, found: list[Attribution], own_voice: bool = False) -> list[Attribution]:
    """Sentences in which the source itself speaks: the first person ('we', 'our') outside quotations.
    A report's other sentences are the reporter's account of others, never the publisher's position;
    with own_voice (a source that speaks for itself), its other sentences are the publisher's too."""
    publisher = publisher_name(passage)
    if not publisher:
        return []
    taken = [(a.start, a.end) for a in found]
    voiced, plain = [], []
    lead_in = ""
    units = quotation_units(passage.text)
    starts = _with_antecedents(passage.text, units, taken)
    for (start, end), start_at in zip(units, starts):
        unit = passage.text[start:end]
        bullet = is_bullet(unit)
        if not bullet:
            lead_in = unit.strip() if unit.rstrip().endswith(":") else ""
        if any(a <= start < b for a, b in taken) or quotation(unit) or len(unit.split()) < 4:
            continue
        unit = passage.text[start_at:end]  # with the sentences it leans on ('They should not be placed …')
        statement = strip_bullet(unit) if bullet else unit.strip()
        shown = Attribution(publisher, statement, unit, start_at, end, "publisher", lead_in if bullet else "")
        if _FIRST_PERSON.search(unit) and len(unit.split()) >= 6:
            voiced.append(shown)
        elif bullet or _SENTENCE_END.search(unit):  # a heading is no statement
            plain.append(replace(shown, kind="source"))
    return voiced + plain if own_voice else voiced


def _with_antecedents(text: str, units: list[tuple[int, int]], taken: list[tuple[int, int]],
                      most: int = 2) -> list[int]:
    """Where each unit's statement starts: a sentence leaning on the one before it in its paragraph ('These
    are …', 'They should …') starts at that one (back to at most `most` sentences), unless another speaker
    states it or it is a quotation or a list item.

    >>> text = "Most homes take one child. These are the most vulnerable. They need care.\\nIt rained."
    >>> _with_antecedents(text, sentence_spans(text), [])
    [0, 0, 0, 74]
    """
    starts: list[int] = []
    back = [0] * len(units)
    for i, (start, end) in enumerate(units):
        unit = text[start:end].strip()
        if i and "\n" not in text[units[i - 1][1]:start] and LEANS_BACK.match(unit) and not is_bullet(unit) \
                and back[i - 1] < most and not quotation(text[units[i - 1][0]:units[i - 1][1]]) \
                and not any(a <= units[i - 1][0] < b for a, b in taken):
            starts.append(starts[i - 1])
            back[i] = back[i - 1] + 1
        else:
            starts.append(start)
    return starts


def speaks_for_itself(passages: list[Passage]) -> set[str]:
    """The sources (ids) among passages that speak in their own voice somewhere: the first person outside
    quotations, or their publisher named as the one stating a sentence ('XYZ has major concerns …' on XYZ's
    own page). Their other sentences are the publisher's too; a news report's are the reporter's account."""
    return {p.source_id for p in passages
            if any(a.kind == "publisher" or _is_publisher(a.speaker, p) for a in attributions(p))}


def _is_publisher(speaker: str, passage: Passage) -> bool:
    words = set(content_words(publisher_name(passage)))
    return bool(words) and set(content_words(speaker)) == words


# -- names ---------------------------------------------------------------------------------------------
def speaker_name(phrase: str, previous: str = "") -> str:
    """The speaker a phrase names ('Jane Smith, chief executive of X', 'the charity X', 'councils'),
    a pronoun resolved to previous, or '' when the phrase is no speaker (a clause, a passive, a date)."""
    phrase = re.sub(r"\s*\([^)]*\)", "", phrase)  # 'Office for Standards (OFS)': the name without its short form
    pieces = [piece.strip() for piece in phrase.split(",") if piece.strip()]
    if pieces and _PRONOUN.match(_LEAD.sub("", pieces[-1])):
        return previous
    relative = [i for i, piece in enumerate(pieces) if re.match(r"(?:which|who|whose)\b", piece)]
    if relative and relative[-1] > 0:
        pieces = pieces[:relative[-1]]  # '…, which represents A and B, said': the speaker precedes 'which'
    while len(pieces) > 1 and re.match(r"(?:the|a|an) [a-z]", pieces[-1]) and not _is_role(pieces[-1]) \
            and _is_name(_LEAD.sub("", pieces[-2])):
        pieces = pieces[:-1]  # 'X, the body tasked with oversight, admitted': X, not its description
    if not pieces or re.fullmatch(r"[a-z]+", pieces[-1]) and not _BODY.fullmatch(pieces[-1]):
        return ""  # 'as proposed by', 'when asked': the verb is not a speaker's
    pieces = [_LEAD.sub("", piece) for piece in pieces]
    last = pieces[-1]
    if not last or _PASSIVE.search(last):
        return ""  # 'the department was criticised' names who is spoken about, not who speaks
    if _PRONOUN.match(last):
        return previous
    role_first = len(pieces) > 1 and _is_role(last) and _is_name(pieces[-2])
    name = f"{pieces[-2]}, {last}" if role_first else last
    if not role_first and not _is_name(last):
        return ""
    return _tidy(name)


def _is_name(piece: str) -> bool:
    """A name by its shape: capitalised words or acronyms, with connectors, roles and kinds of body between."""
    words = piece.replace("’s ", " ").split()
    if not words or len(words) > 10 or _CLAUSE_WORD.search(piece) or re.search(r"\d", piece):
        return False
    capitalised = [w for w in words if w[:1].isupper() or w[:1] in "‘“"]
    if not capitalised:
        return bool(_BODY.search(piece)) and len(words) <= 3 and not re.match(r"(?:many|some|all|most)\b", piece)
    if len(words) == 1 and words[0] in _SENTENCE_WORDS:
        return False
    return all(w[:1].isupper() or w.lower() in _CONNECTOR or _ROLE.search(w) or _BODY.search(w) for w in words)


def _is_role(piece: str) -> bool:
    return bool(_ROLE.search(piece)) and len(piece.split()) <= 12 and not _CLAUSE_WORD.search(piece.replace(
        "that", ""))


# Capitalised words that open sentences and are never a speaker on their own.
_SENTENCE_WORDS = frozenset({"It", "This", "That", "These", "Those", "They", "He", "She", "However", "Meanwhile",
                             "Instead", "Also", "Similarly", "Ultimately", "Today", "Now", "Then", "The", "A", "An",
                             "As", "In", "If", "When", "While", "Once", "Since", "After", "Before", "During",
                             "Where", "But", "And", "So", "Yet", "Both", "All", "Some", "Many", "Most", "Each",
                             "There", "Here", "We", "I", "You", "Our", "Its", "Their"})


def _tidy(name: str) -> str:
    name = re.sub(r"^[Ff]ellow\s+", "", name.strip(" ,"))  # 'Fellow charity X': the charity, not its fellowship
    name = re.sub(r"^(?:[Tt]he|[Ff]or the|[Ii]n|[Ff]rom)\s+(?=[A-Z])", "", name)
    return name[:1].upper() + name[1:]


# -- quotations ----------------------------------------------------------------------------------------
def quotation_units(text: str) -> list[tuple[int, int]]:
    """Sentence spans of text, with the sentences of one quotation joined into one span, so a quotation
    is never cut between its opening and its closing mark (within a paragraph)."""
    units: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        if units and _inside_quotation(text[units[-1][0]:units[-1][1]]) and \
                "\n" not in text[units[-1][1]:start]:
            units[-1] = (units[-1][0], end)
        else:
            units.append((start, end))
    return units


def quotation(unit: str) -> str:
    """The first quotation of unit with its marks (a quotation left open runs to the unit's end); ''."""
    match = re.search(r"(?<![\w’'])[“‘\"]", unit)
    if not match:
        return ""
    opening = match.group()
    closing = {"“": "”", "‘": "’", '"': '"'}[opening]
    pattern = r"’(?![A-Za-z])" if closing == "’" else re.escape(closing)
    end = re.compile(pattern).search(unit, match.end())
    text = unit[match.start():end.end()] if end else unit[match.start():].rstrip()
    return text if len(text.split()) >= 3 else ""


def _inside_quotation(text: str) -> bool:
    """Whether text ends inside an open quotation."""
    closing_single = len(re.findall(r"’(?![A-Za-z])", text))
    return text.count("“") > text.count("”") or text.count("‘") > closing_single or text.count('"') % 2 == 1


def _trim_quote(quote: str) -> str:
    """A quotation as shown after its speaker: no comma left before the closing mark; always closed."""
    quote = re.sub(r"[,;:]\s*([”’\"])$", r"\1", quote.strip())
    return balance_quotes(quote)


def balance_quotes(text: str) -> str:
    """text with every quotation closed and opened: a missing opening mark goes after the speech verb's
    colon (or at the start), a missing closing mark at the end.

    >>> balance_quotes("Jane Roe said: While we are pleased, more is needed.”")
    'Jane Roe said: “While we are pleased, more is needed.”'
    >>> balance_quotes("“It is vital.")
    '“It is vital.”'
    """
    opens, closes = text.count("“"), text.count("”")
    if closes > opens:
        colon = re.search(r":\s+(?=[^“])", text)
        at = colon.end() if colon and colon.end() < text.rfind("”") else len(text) - len(text.lstrip())
        text = text[:at] + "“" * (closes - opens) + text[at:]
    elif opens > closes:
        text = text.rstrip() + "”" * (opens - closes)
    if text.count('"') % 2:
        text = text.replace('"', "")
    return text


# -- open questions ------------------------------------------------------------------------------------
# 'What's wrong with X', 'what are the problems with X', 'what objections …': asks for what is wrong, as 'why is X
# worried' does, by whomever it is said.
_PROBLEMS = (r"what(?:’s|'s|s| is| are) (?:wrong|the (?:problems?|issues?|concerns?|trouble)) (?:with|about)\b|"
             r"what (?:objections|worries)\b")
_ASKS_PROBLEMS = re.compile(_PROBLEMS, re.I)
_OPEN_QUESTION = re.compile(
    r"^(?:how (?:did|do|does|have|has|were|was) .{0,80}?\b(?:respond\w*|react\w*|receiv\w*|view\w*|see)\b|"
    r"(?:what|which) .{0,80}?\b(?:did|do|does|have|has) .{0,80}?\b(?:say|said|tell|told|think|thought|argue\w*|"
    r"make of|warn\w*|put forward|raise\w*)\b|"
    r"why (?:is|are|was|were) .{0,60}?\b(?:worried|concerned|critical|opposed|unhappy)\b|"
    r"what (?:is|are|was|were) .{0,60}?\b(?:worried|concerned|unhappy) (?:about|by)\b|what worries\b|"
    r"what (?:worried|concerned|troubled|alarmed|angered|upset) .{0,80}?\b(?:about|in|with)\b|"
    r"what arguments\b|"
    r"why (?:did|do|does|have|has|were|was) .{0,80}?\b(?:object\w*|oppos\w*|criticis\w*|welcom\w*|"
    r"support\w*|reject\w*|concern\w*|warn\w*)|"
    r"what (?:concerns|criticisms|views|reactions|responses)\b|" + _PROBLEMS + "|"
    r"who (?:criticised|welcomed|opposed|supported|objected|warned)\b)", re.I)


def is_open_question(question: str) -> bool:
    """Whether the question asks who thinks what ('How did X respond to …', 'What did councils say about
    …', 'Why did X object to …', 'What concerns were raised about …'): one for open_points.

    >>> is_open_question("How did sector bodies respond to the November 2024 announcement?")
    True
    >>> is_open_question("How much is the kinship allowance?")
    False
    """
    return bool(_OPEN_QUESTION.search(question.strip()))


_ASKS_SPEAKER = re.compile(r"^(?:what|how|why) (?:did|does|do|has|have|is|are|was|were) (?P<who>.+?) "
                           r"(?:say|said|think|thought|tell|told|make of|respond|react|object|oppose|welcome|"
                           r"worried|concerned|warn|argue|criticis)", re.I)
_WORRIED_SPEAKER = re.compile(r"^what (?:worried|concerned|troubled|alarmed|angered|upset) (?P<who>.+?) "
                              r"(?:about|in|with)\b", re.I)


def named_speaker_asked(question: str) -> str:
    """The named body or person an open question asks about, as worded ('What did Ofsted say …', 'Why is
    the XYZ worried …', 'What worried XYZ about …'); empty when it asks what some group said ('What did
    councils say …') or is no such question.

    >>> named_speaker_asked("What did Ofsted say about the role?"), named_speaker_asked("What did councils say?")
    ('Ofsted', '')
    >>> named_speaker_asked("What worried the Care Watch about the plans?")
    'the Care Watch'
    >>> named_speaker_asked("What did MPs and the minister say about the bill?")
    ''
    """
    who = _speaker_phrase(question)
    return who if any(_names_someone(word) for word in who.split()) else ""


def _speaker_phrase(question: str) -> str:
    """The words of an open question naming or describing who is asked about ('the Care Watch', 'the
    staffing agencies' body'); empty for another question."""
    match = _ASKS_SPEAKER.search(question.strip()) or _WORRIED_SPEAKER.search(question.strip())
    return match.group("who") if match else ""


def _names_someone(word: str) -> bool:
    """A capitalised word naming a body or person, not a group's plural initials ('MPs', 'LAs')."""
    return word[:1].isupper() and not re.fullmatch(r"[A-Z]{2,}s", word)


# Words that say a speaker is a body or a group, not which one ('the staffing agencies' body').
_GROUP_WORDS = frozenset(content_words("body bodies group groups organisation organisations association "
                                       "representatives side those people"))


def described_speaker(question: str) -> frozenset[str]:
    """The words describing the speaker an open question asks about without naming it ('Why did the
    staffing agencies' body object …': staffing, agencies), when there are two or more of them; a plain
    group ('What did councils say') or a named speaker gives none.

    >>> sorted(described_speaker("Why did the staffing agencies' body object to the rules?"))
    ['agenc', 'staf']
    >>> described_speaker("What did councils say?"), described_speaker("What did Ofsted say?")
    (frozenset(), frozenset())
    """
    who = _speaker_phrase(question)
    if not who or any(word[:1].isupper() for word in who.split()):
        return frozenset()
    words = frozenset(content_words(who)) - _GROUP_WORDS
    return words if len(words) >= 2 else frozenset()


def members_asked(asked: str) -> frozenset[str]:
    """The group a named speaker phrase asks about by a plural word in lower case ('Brackenshire councillors
    and young people': councillor), whose members' names carry it ('Councillor Pell').

    >>> sorted(members_asked("Brackenshire councillors")), members_asked("Ofsted")
    (['councillor'], frozenset())
    """
    return frozenset(content_words(" ".join(word for word in asked.split()
                                            if word.islower() and word.endswith("s") and len(word) > 3)))


# A phrase describing one body ('the staffing agencies' body'), not a group of speakers.
_ONE_BODY = re.compile(r"\b(?:body|group|organisation|association|representative)$", re.I)


def groups_asked(question: str) -> list[frozenset[str]]:
    """The groups an open question asks about in plain words, each as its content words ('How did local
    authorities and legal professionals respond …': {local, author}, {legal, profession}); a named part
    ('Brackenshire councillors') or a described body is none. The clause asking who spoke is the one read
    ('Why do children wait longer, and what have councils said about it?': councils).

    >>> [sorted(g) for g in groups_asked("How did local authorities and legal professionals respond to it?")]
    [['author', 'local'], ['legal', 'profession']]
    >>> [sorted(g) for g in groups_asked("Why do children wait, and what have councils and young people said?")]
    [['council'], ['peopl', 'young']]
    >>> groups_asked("What did Ofsted say?"), groups_asked("Why did the staffing agencies' body object?")
    ([], [])
    """
    phrases = [phrase for clause in re.split(r",\s*(?:and|but)\s+", question.strip())
               if (phrase := _speaker_phrase(clause))]
    if not phrases:
        return []
    parts = re.split(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", phrases[-1])
    groups = [frozenset(content_words(part)) for part in parts
              if not any(_names_someone(word) for word in part.split()) and not _ONE_BODY.search(part)]
    return [group for group in groups if 0 < len(group) <= 3]


def asks_named_speaker(question: str) -> bool:
    """Whether an open question asks what a named body or person said (see named_speaker_asked)."""
    return bool(named_speaker_asked(question))


def open_points(question: str, passages: list[Passage], idf: dict[str, float],
                weights: AttributionWeights = AttributionWeights(),
                before: Callable[[str], Passage | None] | None = None) -> list[AttributedPoint]:
    """Short attributed points for an open question ('How did X respond to …', 'What concerns were
    raised about …'): one per speaker, each on the question's topic, best first, distinct viewpoints.

    The speaker the question names (if any passage's speaker matches it) narrows the points to that
    speaker's statements; otherwise every speaker and source gets at most one point. Points far below
    the best (weights.point_floor) are dropped: another topic's speakers are no viewpoint on this one.
    `before` gives the passage before one in its document: a quotation opening a passage is the speaker's
    whose lead-in ('Jo Roe, its chief executive, said:') ends the passage before."""
    topic = topic_weights(question, idf)
    own, _ = split_carried(question)  # a follow-up's own words, without those carried over from the last turn
    asked = named_speaker_asked(own)  # not 'councils': their word finds their statements
    speaker_words = set(content_words(asked))
    topic = {term: w for term, w in topic.items() if term not in speaker_words} or topic  # what, not who
    reasons = answer_type(question) == "reason" or bool(_ASKS_PROBLEMS.search(own))
    # the sentences that groups the question asks about are the subject of ('local authorities were …'); when
    # there are some, the groups' words say who, not what (otherwise they find the passages about them)
    groups = groups_asked(own)
    group_words = set().union(*groups)
    group_topic = {term: w for term, w in topic.items() if term not in group_words} or topic
    group_points = [point for rank, passage in enumerate(passages)
                    for point in _group_points(passage, rank, groups, group_topic, weights, reasons)]
    topic = group_topic if group_points else topic
    voiced = speaks_for_itself(passages)
    candidates = [point for rank, passage in enumerate(passages)
                  for point in _scored_points(passage, rank, topic, passage.source_id in voiced, weights, reasons,
                                              speaker_in_force(passage, before))] + group_points
    # a source speaking for itself answers for its publisher, also where it cites others in support
    # a follow-up naming a speaker in its own words ('what did X say about it') asks for that speaker, not for
    # those carried over from the last turn; 'what does she think' asks for the one carried over
    # the speaker the question asks about, not every body it names ('What worried X about Y's plans')
    described = described_speaker(own)
    if described and not asked:  # the speakers whose introduction holds the description, with all their points
        matching = {p.speaker for p in candidates if p.kind in ("quote", "reported")
                    and described <= set(content_words(f"{p.speaker} {p.sentence}"))}
        candidates = [replace(p, named=True) if p.speaker in matching else p for p in candidates]
    members = members_asked(asked)  # 'Brackenshire councillors': each Councillor X who spoke
    if members:
        # a member speaks on the topic when the passage the minutes or report record it in does
        candidates = [replace(p, named=True, topical=p.topical or _weight_share(p.passage.text, topic) > 0)
                      if p.kind in ("quote", "reported") and members & set(content_words(p.speaker.split(",")[0]))
                      else p for p in candidates]
    named = [] if own == question else _named(asked or own, candidates, voiced)
    named = named or _named((asked if own == question else named_speaker_asked(question)) or question,
                            candidates, voiced) or [p for p in candidates if p.named]
    if any(p.topical for p in named):  # the named speaker on this topic, not on another its page also covers
        named = [p for p in named if p.topical]
    # an asked group's points join the named speakers' (they are asked about too), or compete with the rest
    pool = named + [p for p in group_points if p.topical or not any(q.topical for q in group_points)] \
        if named else candidates
    floor = weights.point_floor * max((p.score for p in pool), default=0.0) if not named else float("-inf")
    # of two points from the same sentence scoring the same, the one shown with the sentences leaning on it
    ranked = sorted(pool, key=lambda p: (-p.score, p.passage.chunk_id, p.start, -p.end))
    chosen = _distinct(ranked, [], floor, weights.point_limit, weights, one_per_voice=not named)
    if reasons and not named and len(chosen) == 1:
        # what is wrong with X, said by one voice only: its other reasons ('… are illegal', '12% were subject to …')
        chosen = _distinct(ranked, chosen, floor, weights.one_voice_reasons, weights, one_per_voice=False)
    return chosen


def _distinct(ranked: list[AttributedPoint], chosen: list[AttributedPoint], floor: float, limit: int,
              weights: AttributionWeights, one_per_voice: bool) -> list[AttributedPoint]:
    """chosen, then the best of ranked (best first, none below floor) that repeat none of them (nor, when
    one_per_voice, their speaker's voice), up to limit points."""
    chosen = list(chosen)
    for point in ranked:
        if len(chosen) >= limit or point.score < floor:
            break
        if point in chosen or any(_same_voice(point, other) and one_per_voice for other in chosen) or \
                any(word_overlap(point.sentence, other.sentence) > weights.distinct_overlap or _overlaps(point, other)
                    or shares_phrase(point.sentence, other.sentence, weights.repeated_phrase) for other in chosen):
            continue
        chosen.append(point)
    return chosen


def _named(question: str, candidates: list[AttributedPoint], voiced: set[str]) -> list[AttributedPoint]:
    """The points whose speaker the question names (or whose source, speaking for itself, it names); a
    group's point is no named speaker's ('MPs debated …')."""
    return [replace(p, named=True) for p in candidates if not p.group and (names_speaker(question, p) or
            p.passage.source_id in voiced and _names(question, publisher_name(p.passage)))]


def topic_weights(question: str, idf: dict[str, float]) -> dict[str, float]:
    """The question's topic words (its frame words removed), weighted by IDF."""
    top = max(idf.values(), default=1.0)
    return {term: idf.get(term, top) for term in content_words(question) if term not in _FRAME}


def speaker_in_force(passage: Passage, before: Callable[[str], Passage | None] | None) -> str:
    """The speaker whose lead-in ends the passage before this one in its document ('… said:'), if any.

    >>> lead = Passage("a#0", "Jo Roe, its chief executive, said:", {})
    >>> speaker_in_force(Passage("a#1", '"It is a start."', {}), {"a#1": lead}.get)
    'Jo Roe, its chief executive'
    """
    previous = before(passage.chunk_id) if before is not None and passage.text.lstrip()[:1] in "\"“'‘" else None
    if previous is None or not previous.text.rstrip().endswith(":"):
        return ""
    last = next((a for a in reversed(attributions(previous)) if a.kind in ("quote", "reported")), None)
    return last.speaker if last and previous.text.rstrip().endswith(last.sentence.strip()) else ""


def _scored_points(passage: Passage, rank: int, topic: dict[str, float], own_voice: bool = False,
                   weights: AttributionWeights = AttributionWeights(), reasons: bool = False,
                   previous: str = "") -> list[AttributedPoint]:
    """The passage's attributed statements that are on topic, each scored for the question (which asks for
    `reasons`: 'why is X worried', where a statement taking a stance is a reason more than a plain one is)."""
    heading = _heading(passage)
    points = []
    for a in with_speaker_shown(passage.text, attributions(passage, previous, own_voice=own_voice)):
        if a.sentence.rstrip().endswith(":") and not quotation(a.sentence):
            continue  # a lead-in ('The council notes that:') says nothing; its list items do
        paragraph = _paragraph(passage.text, a.start, a.end)
        own = max(_weight_share(f"{a.lead_in} {a.sentence}", topic),
                  weights.paragraph_share * _weight_share(paragraph, topic) if _weight_share(a.sentence, topic) else 0.0)
        if own == 0 and _weight_share(heading, topic) < weights.heading_on_topic:
            continue  # on topic by its own words, or by a heading squarely about the topic
        kind_bonus = weights.kind_bonus(a.kind)
        stance = (weights.reason_stance if reasons else weights.stance) if STANCE.search(a.sentence) else 0.0
        score = (own + weights.heading * _weight_share(heading, topic) + kind_bonus + stance
                 - weights.rank_step * rank)
        points.append(AttributedPoint(a.speaker, a.statement, a.sentence, passage, a.start, a.end, a.kind, score,
                                      topical=own > 0))
    return points


# Words before a group at the head of a sentence ('Most local authorities', 'Just over half of councils').
_QUANTIFIERS = re.compile(r"^(?:(?:many|most|some|other|several|all|both|few|a few|the|these|those|their|"
                          r"individual|(?:just )?(?:over |under )?(?:half|a third|a quarter|a majority|the majority|"
                          r"a minority) of|a number of)\s+)*", re.I)
_AFTER_SPEECH = re.compile(rf"(?<![\w’'])(?:{_SPEECH})\s+(?:that\s+)?")


def group_subject(sentence: str, groups: list[frozenset[str]]) -> str | None:
    """The asked group that is the subject of the sentence ('Local authorities were more divided') or of the
    clause a speech verb reports ('She said young people wanted …'); None when no group is.

    >>> group_subject("Most local authorities were more divided.", [frozenset({"local", "author"})])
    'local authorities'
    >>> group_subject("Many unaccompanied local authorities.", [frozenset({"local", "author"})]) is None
    True
    >>> group_subject("We had 211 responses from local authorities.", [frozenset({"local", "author"})]) is None
    True
    """
    text = strip_bullet(sentence.strip()).lstrip("“‘\"'")
    for head in [text, *(text[match.end():] for match in _AFTER_SPEECH.finditer(text))]:
        words = _QUANTIFIERS.sub("", head.lstrip("“‘\"'")).split()
        for group in groups:
            if group <= set(content_words(" ".join(words[:len(group)]))):
                return " ".join(words[:len(group)]).strip(",;:“”\"")
    return None


def _group_points(passage: Passage, rank: int, groups: list[frozenset[str]], topic: dict[str, float],
                  weights: AttributionWeights, reasons: bool) -> list[AttributedPoint]:
    """The passage's sentences whose subject is a group the question asks about and that state a view, each as
    that group's point, shown as _group_span says ('Local authorities were more divided. Just over half …').
    A group's point is on the topic by its own words or by its page's heading: what the young people who
    advised a study asked for is on the study's topic."""
    if not groups:
        return []
    text = passage.text
    units = quotation_units(text)
    heading = _heading(passage)
    points = []
    for i, (start, end) in enumerate(units):
        speaker = group_subject(text[start:end], groups)
        if speaker is None or text[start:end].rstrip().endswith(":") or not _holds_view(text[start:end]):
            continue
        first, last = _group_span(text, units, i)
        shown = text[units[first][0]:units[last][1]]
        own = _weight_share(shown, topic)
        on_topic_page = _weight_share(heading, topic) >= weights.heading_on_topic
        if own == 0 and not on_topic_page:
            continue
        stance = (weights.reason_stance if reasons else weights.stance) if STANCE.search(shown) else 0.0
        score = (own + weights.heading * _weight_share(heading, topic) + weights.reported + weights.asked_group
                 + stance - weights.rank_step * rank)
        points.append(AttributedPoint(speaker, shown.strip(), shown, passage, units[first][0], units[last][1],
                                      "reported", score, topical=own > 0 or on_topic_page, group=True))
    return points


_ANNOUNCES = 8  # words: a sentence this short opening its paragraph announces what the rest of it says


def _group_span(text: str, units: list[tuple[int, int]], i: int, most: int = 3) -> tuple[int, int]:
    """The first and last unit a group's point at unit i shows: from the sentence it leans on ('She said
    young people …'), or, short and opening its paragraph, to the paragraph's next sentences (at most `most`
    in all, never a lead-in ending ':')."""
    sentence = text[units[i][0]:units[i][1]]
    if i and LEANS_BACK.match(sentence.strip()) and _same_paragraph(text, units, i - 1):
        return i - 1, i
    last = i
    if _starts_line(text, units[i][0]) and len(sentence.split()) <= _ANNOUNCES:
        while last + 1 < len(units) and last + 1 - i < most and _same_paragraph(text, units, last) \
                and not text[slice(*units[last + 1])].rstrip().endswith(":"):
            last += 1
    return i, last


_ASKED_FOR = re.compile(r"\b(?:ask|asks|asked|asking) for\b", re.I)


def _holds_view(sentence: str) -> bool:
    """Whether a group's sentence states a view: a speech or stance word ('supported', 'asked for'), or a
    short sentence announcing one ('Local authorities were more divided.'); 'MPs debated the Bill' does not."""
    return bool(_VERB.search(sentence) or STANCE.search(sentence) or _ASKED_FOR.search(sentence)
                or len(sentence.split()) <= _ANNOUNCES)


def _same_paragraph(text: str, units: list[tuple[int, int]], i: int) -> bool:
    """Whether unit i and the next one are in one paragraph."""
    return "\n" not in text[units[i][1]:units[i + 1][0]]


# A reported statement leaning on the sentence before for its speaker ('He argued that …').
_BY_PRONOUN = re.compile(rf"^\s*{_PRONOUNS}\b", re.I)


def with_speaker_shown(text: str, found: list[Attribution], most: int = 3) -> list[Attribution]:
    """The attributions as points show them: a reported statement that names its speaker only by a pronoun
    ('He argued that …'), right after a statement by the same speaker in the same paragraph, is shown from
    the sentence naming the speaker (at most `most` sentences in all), and that sentence is no point alone:
    'X opposed the Bill. He argued that it would …' is one viewpoint, and no point opens with a pronoun
    whose antecedent is not shown.

    >>> text = "Jo Roe opposed the Bill. He argued that it would add paperwork. It rained."
    >>> spans = quotation_units(text)
    >>> found = [attribute(text[a:b], a, b, "Jo Roe") for a, b in spans[:2]]
    >>> [a.sentence for a in with_speaker_shown(text, found)]
    ['Jo Roe opposed the Bill. He argued that it would add paperwork.']
    """
    shown: list[Attribution] = []
    for a in found:
        last = shown[-1] if shown else None
        if last is not None and a.kind == "reported" and last.kind in ("quote", "reported") \
                and last.speaker == a.speaker and _BY_PRONOUN.match(a.sentence) and not a.sentence.rstrip().endswith(":") \
                and "\n" not in text[last.end:a.start] \
                and len(quotation_units(text[last.start:a.end])) <= most:
            joined = text[last.start:a.end]
            shown[-1] = Attribution(a.speaker, joined.strip(), joined, last.start, a.end, "reported")
            continue
        shown.append(a)
    return shown


def _heading(passage: Passage) -> str:
    """What frames every statement of a passage: its page's title, its section and the month it came out."""
    return f"{passage.metadata.get('title', '')} {passage.metadata.get('section', '')} {_month_of(passage)}"


def _month_of(passage: Passage) -> str:
    """'November 2024' for a passage published on 2024-11-29: a question naming when ('the November 2024
    announcement') is about the sources of that month, whose sentences need not repeat the date."""
    try:
        return dt.date.fromisoformat(str(passage.metadata.get("published") or "")[:10]).strftime("%B %Y")
    except ValueError:
        return ""


def _paragraph(text: str, start: int, end: int) -> str:
    """The line (paragraph) holding text[start:end]."""
    return text[text.rfind("\n", 0, start) + 1:(text.find("\n", end) + 1 or len(text) + 1) - 1]


def _weight_share(text: str, topic: dict[str, float]) -> float:
    total = sum(topic.values())
    present = set(content_words(text))
    return sum(w for term, w in topic.items() if term in present) / total if total else 0.0


def names_speaker(question: str, point: AttributedPoint) -> bool:
    """Whether the question names this point's speaker: all the name words of the speaker, of one of joint
    speakers ('X and Y said'), of its role ('the XYZ president' for 'Jane Roe, XYZ President'), of the body
    before a role ('XYZ' there) or of its organisation, or its acronym."""
    # 'X and Y said' (a capital after 'and'): not a role's 'children and families'
    pieces = [part for piece in point.speaker.split(",") for part in re.split(r"\s+and\s+(?=(?:the\s+)?[A-Z])", piece)]
    bodies = [piece[:role.start()] for piece in pieces for role in [_ROLE.search(piece)] if role]  # 'XYZ President'
    names = [*pieces, *bodies, Attribution(point.speaker, "", "", 0, 0, "").organisation]
    return any(_names(question, name) for name in names)


def _names(question: str, name: str) -> bool:
    words = set(content_words(name))
    return bool(words) and words <= set(content_words(question))


def _overlaps(a: AttributedPoint, b: AttributedPoint) -> bool:
    """Whether two points share a sentence (one shown with the sentence it leans on, the other alone)."""
    return a.passage.chunk_id == b.passage.chunk_id and a.start < b.end and b.start < a.end


def _same_voice(a: AttributedPoint, b: AttributedPoint) -> bool:
    """Same speaker (by name words), or the same source speaking for itself."""
    if {a.kind, b.kind} <= {"publisher", "source"}:
        return a.passage.source_id == b.passage.source_id
    return set(content_words(a.speaker.split(",")[0])) == set(content_words(b.speaker.split(",")[0]))


