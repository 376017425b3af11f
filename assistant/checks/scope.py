"""Whether a question can be answered from the corpus: bad input, embedded instructions, off-topic.

The support threshold is calibrated for each index at ingest (assistant.retrieval.calibration, README
"Refusals and 'not stated'"); the same rule runs before any answerer, extractive or generative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.checks.injection import asks_to_leave_the_documents
from assistant.models import Passage
from assistant.scoring import RefusalWeights
from assistant.text.lexicon import Lexicon
from assistant.text.tokens import content_words, normalise, words
from assistant.text.dates import MONTH_NAMES, WEEKDAYS

_TAGS = re.compile(r"<[^>]{0,200}>")

@dataclass
class Verdict:
    """A refusal: why (for logs and tests) and what to tell the person."""

    reason: str
    message: str
    missing: list[str] = field(default_factory=list)  # what the question names that the documents don't


def clean_question(raw: str | None) -> str:
    """The question as text: markup removed, control and zero-width characters dropped, spaces collapsed."""
    text = normalise(raw or "")
    text = _TAGS.sub(" ", text)
    return " ".join(text.split())


def check_input(raw: str | None, question: str, max_chars: int) -> Verdict | None:
    """Refuse empty, over-long and instruction-carrying questions before any retrieval."""
    if raw is not None and len(raw) > max_chars:
        return Verdict("too_long", f"Your question is {len(raw):,} characters long; the limit is {max_chars:,}. "
                                   "Please ask about one thing in a sentence or two.")
    if not question or not re.search(r"\w", question):
        return Verdict("empty", "Please type a question about children's social care reform.")
    if asks_to_leave_the_documents(question):
        return Verdict("instructions", "I answer questions from the published reform documents only, and I "
                                       "don't follow instructions given inside a question.")
    return None


def support(question: str, passages: list[Passage], idf: dict[str, float], default_idf: float,
            weights: RefusalWeights = RefusalWeights()) -> float:
    """How well the passages answer: best cosine plus half the best IDF-weighted share of query terms covered.

    The threshold it is held to comes from the index (assistant.retrieval.calibration): the best support
    of off-topic probe questions plus a margin.
    """
    terms = set(content_words(question))
    weight = sum(idf.get(term, default_idf) for term in terms) or 1.0
    dense = max((passage.dense for passage in passages), default=0.0)
    coverage = max((sum(idf.get(term, default_idf) for term in terms & set(content_words(_described(passage))))
                    / weight for passage in passages), default=0.0)
    return dense + weights.coverage * coverage


def _described(passage: Passage) -> str:
    """A passage with what it is cited by: its text, its article's title and its publisher (a question
    naming "Safe and Sound" is answered by what Safe and Sound published, which rarely names itself)."""
    return " ".join([passage.text, passage.metadata.get("title", ""), passage.metadata.get("publisher", "")])


def off_topic(question: str, passages: list[Passage], vocabulary: set[str], min_support: float,
              idf: dict[str, float] | None = None, lexicon: Lexicon | None = None,
              asked: str | None = None, weights: RefusalWeights = RefusalWeights()) -> Verdict | None:
    """Refuse when the passages do not support an answer, or the question asks about something the
    corpus never mentions: a name it does not hold, or a specific (not everyday) word it never uses.
    `asked` is the person's own words when the question was completed from the conversation (its
    carried words came from the documents, so only the asked words are checked for names)."""
    idf = idf or {}
    score = support(question, passages, idf, max(idf.values(), default=1.0), weights)
    if not passages or score < min_support:
        return Verdict("low_relevance", "The documents I have don't answer this.")
    question = asked or question
    if _names_missing(question, vocabulary, passages):
        return Verdict("unknown_terms", "The documents I have don't cover this.")
    absent = missing_names(question, passages) + missing_frames(question, passages)
    if absent:
        return Verdict("not_stated", f"The documents don't mention {_quoted(absent)}.", absent)
    everyday, specific = unknown_words(question, vocabulary, lexicon, " ".join(_described(p) for p in passages))
    if specific:
        return Verdict("not_stated", f"The documents don't mention {_quoted(specific)}.", specific)
    terms = {term for term in content_words(question) if len(term) > 2} - _ASKING
    everyday = [word for word in everyday if content_words(word)[0] not in _ASKING]
    if terms and len(everyday) / len(terms) > weights.everyday_share:
        return Verdict("unknown_terms", "The documents I have don't cover this.")
    return None


# Words that frame what someone is asked about ('what does the union want'), not what it is about: a
# corpus that says 'is calling for' never uses them, and that says nothing of the question.
_ASKING = frozenset(content_words("want wants wanted"))


def unknown_words(question: str, vocabulary: set[str], lexicon: Lexicon | None,
                  passages_text: str = "") -> tuple[list[str], list[str]]:
    """The question's words the corpus never uses, as (everyday English words, specific words). A word
    typed as a shortening of a word or phrase of the retrieved passages (`shortening_of`), or misspelt
    (`misspelling_of`), is not unknown.

    Without a lexicon every unknown word counts as everyday. Numbers, dates and months are not words here.
    >>> unknown_words("How many hubs trailblazers were worried?", {"hub"}, Lexicon(frozenset({"hubs", "worried"})))
    (['worried'], ['trailblazers'])
    """
    everyday, specific = [], []
    for word in dict.fromkeys(words(question)):
        term = content_words(word)
        if not term or len(term[0]) <= 2 or _known(term[0], vocabulary) or any(c.isdigit() for c in word):
            continue
        if re.search(rf"\b{re.escape(word.upper())}\b", question):  # an acronym: _names_missing judges it
            continue
        if term[0] in _CALENDAR_STEMS:
            continue
        if passages_text and meant_by(word, passages_text, lexicon):
            continue
        (everyday if lexicon is None or lexicon.is_common(word) else specific).append(word)
    return everyday, specific


def spelled_in_full(question: str, vocabulary: set[str], lexicon: Lexicon | None, passages: list[Passage]) -> str:
    """The question with each word the corpus never uses but the passages spell out in full followed by its
    full form ("who's their chief exec" -> "who's their chief exec executive"), so that retrieval and the
    answer match the documents' words; the question itself when there is none.

    >>> spelled_in_full("who's their chief exec?", {"chief"}, None, [Passage("a#0", "The chief executive spoke.", {})])
    "who's their chief exec executive?"
    """
    described = " ".join(_described(p) for p in passages)
    for word in dict.fromkeys(words(question)):
        term = content_words(word)
        if not term or _known(term[0], vocabulary) or any(c.isdigit() for c in word):
            continue
        full = meant_by(word, described, lexicon)
        if full and full.lower() != word.lower():
            question = re.sub(rf"(?<![\w’'-]){re.escape(word)}(?![\w’'-])", lambda m: f"{m.group(0)} {full}", question,
                              count=1, flags=re.I)
    return question


def meant_by(word: str, text: str, lexicon: Lexicon | None = None) -> str:
    """The word or phrase of text a typed word stands for: a shortening of it or a misspelling; '' when none."""
    return shortening_of(word, text, lexicon) or misspelling_of(word, text, lexicon)


def misspelling_of(word: str, text: str, lexicon: Lexicon | None = None) -> str:
    """The word of text a typed word of six letters or more misspells by one letter (left out, added,
    changed, or two swapped: "accomodation", "assesments"), '' when none; never an everyday word, which is
    meant as typed.

    >>> text = "Living in supported accommodation after the assessments."
    >>> [misspelling_of(w, text) for w in ("accomodation", "assesments", "asessment", "supporter")]
    ['accommodation', 'assessments', '', 'supported']
    >>> misspelling_of("supporter", text, Lexicon(frozenset({"supporter"})))  # an everyday word, meant as typed
    ''
    """
    typed = word.lower().replace("’", "'")
    if len(typed) < 6 or not typed.isalpha() or (lexicon is not None and lexicon.is_common(typed)):
        return ""
    tokens = dict.fromkeys(token for token in re.findall(r"[a-z]+", text.lower()) if abs(len(token) - len(typed)) <= 1)
    return next((token for token in tokens if token != typed and _one_edit(typed, token)), "")


def _one_edit(a: str, b: str) -> bool:
    """Whether b is a with one letter left out, added or changed, or two neighbours swapped."""
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                                   and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    at = next((i for i in range(len(short)) if short[i] != long[i]), len(short))
    return short[at:] == long[at + 1:]


def shortening_of(word: str, text: str, lexicon: Lexicon | None = None) -> str:
    """The word or phrase of text that a typed shortening stands for, '' when none: an acronym in the
    plural ("fgcs": "family group conferences", "las": "local authorities"), the start of a word ("exec":
    "executive"), or an everyday word's letters in order from its first ("govt": "government", "ppl":
    "people"). A word the lexicon holds is a shortening only of the last kind and only when it is nearly
    all consonants ("govt", "dept", not "car" for "career"); nothing under three letters is one.

    >>> text = "The experienced chief executive of Family Group Conferences said the government and people agreed."
    >>> [shortening_of(w, text) for w in ("fgcs", "exec", "govt", "ppl", "xyz", "gov")]
    ['family group conferences', 'executive', 'government', 'people', '', 'government']
    >>> everyday = Lexicon(frozenset({"govt", "car", "government", "career"}))
    >>> shortening_of("govt", text, everyday), shortening_of("car", "a career", everyday)
    ('government', '')
    """
    typed = word.lower().replace("’", "'")
    if len(typed) < 3 or not typed.isalpha():
        return ""
    if typed.endswith("s") and len(typed) >= 3 and (phrase := spelled_out(typed[:-1], text)):
        return phrase
    everyday = lexicon is not None and typed in lexicon.words
    if everyday and sum(letter in "aeiou" for letter in typed) > len(typed) / 4:
        return ""
    tokens = [token for token in dict.fromkeys(re.findall(r"[a-z]+", text.lower()))
              if len(token) > len(typed) and token[0] == typed[0]]
    started = next((token for token in tokens if token.startswith(typed)), "") if not everyday else ""
    return started or next((token for token in tokens
                            if len(typed) <= 5 and len(token) >= 1.5 * len(typed) and _in_order(typed, token)
                            and (lexicon is None or lexicon.is_common(token))), "")


def _in_order(letters: str, word: str) -> bool:
    """Whether letters occur in word in that order (not necessarily together)."""
    rest = iter(word)
    return all(letter in rest for letter in letters)


def _known(term: str, vocabulary: set[str]) -> bool:
    """A term of the corpus, or a hyphenated one whose every part is ("care-experienced")."""
    return term in vocabulary or ("-" in term and all(part in vocabulary for part in term.split("-") if part))


# Two or more capitalised words ("Adoption Support Fund", "Children's Homes Association"), linked by
# at most one small word ("Office for Road Safety"); the question's first word is not part of one.
_NAME = re.compile(r"(?<![\w’'])(?:[A-Z][\w’'\-]*)(?:\s+(?:(?:of|for|and|the|in|on)\s+)?[A-Z][\w’'\-]*)+")


def names_in(question: str) -> list[str]:
    """Multi-word names a question uses, without a leading question word or "The".

    >>> names_in("How much does the Adoption Support Fund pay? What did Who Cares say?")
    ['Adoption Support Fund', 'Who Cares']
    >>> names_in("Which Welsh Government minister leads?"), names_in("What is family help?")
    (['Welsh Government'], [])
    >>> names_in("In the Eastmoor study, what share?"), names_in("In the Care Leavers Trust report?")
    ([], ['Care Leavers Trust'])
    """
    found = []
    for match in _NAME.finditer(question):
        name = match.group(0)
        at_start = match.start() == 0 or question[:match.start()].rstrip().endswith(("?", ".", "!", ":"))
        if at_start:
            name = re.sub(r"^\S+\s+", "", name) if len(name.split()) > 1 else ""
        name = re.sub(r"^(?:(?:the|a|an|of|for|and|in|on)\s+)+", "", name, flags=re.I)  # "In the Eastmoor study"
        if len(name.split()) >= 2 and not all(_CALENDAR.match(w) for w in name.split()):
            found.append(name)
    return found


def missing_names(question: str, passages: list[Passage]) -> list[str]:
    """The question's multi-word names that no retrieved passage (text, title or publisher) holds, as
    words in order or as the acronym of their initials. A possessive splits a name ("Coram Voice's Head
    of Policy" is two); names joined by "and" may stand apart ("the Munro and MacAlister reviews")."""
    described = " ".join(_described(p) for p in passages)
    text, acronyms = f" {_flat(described)} ", set(re.findall(r"\b[A-Z][A-Za-z]{1,6}\b", described))
    spelled = _initialisms(described)
    missing = []
    for name in names_in(question):
        for part in re.split(r"[’']s\b\s*", name):
            if len(part.split()) >= 2 and not _held(part, text, acronyms, spelled) and not _led_by_source(part, passages):
                missing.append(part.strip())
    return missing


def _led_by_source(name: str, passages: list[Passage]) -> bool:
    """A name led by the name of a passage's source (its publisher or title) whose rest, two words or more,
    that passage holds whole: "Brackenford Family Connect Centres" in Brackenford Council's page on its
    "Family Connect Centres".

    >>> page = Passage("a#0", "The Family Connect Centres opened.", {"publisher": "Brackenford Council"})
    >>> _led_by_source("Brackenford Family Connect Centres", [page]), _led_by_source("Harlow Family Connect Centres", [page])
    (True, False)
    """
    words = name.split()
    for passage in passages:
        source = f" {_flat(passage.metadata.get('publisher', '') + ' ' + passage.metadata.get('title', ''))} "
        text = f" {_flat(_described(passage))} "
        for cut in range(1, len(words) - 1):
            if f" {_flat(' '.join(words[:cut]))} " in source and f" {_flat(' '.join(words[cut:]))} " in text:
                return True
    return False


# "under the adult social care charging rules": the regime a question is asked under; a passage must
# hold all of its words, or the question is about another regime than the documents describe. ("According
# to …" names a source, often by a description the source does not use of itself: names_in covers it.)
_FRAME = re.compile(r"\bunder (?:the |its |their |a |an )?(?P<frame>[\w’'\- ]{3,80}?)\s*(?:[,?.;]|$)", re.I)


def missing_frames(question: str, passages: list[Passage]) -> list[str]:
    """The frames of a question ("under the … rules") whose words no single retrieved passage holds
    (text, title or publisher; acronyms spelled out count).

    >>> missing_frames("How much is paid under the adult care charging rules?",
    ...                [Passage("a#0", "Adult care budgets rose.", {})])
    ['adult care charging rules']
    """
    missing = []
    for match in _FRAME.finditer(question):
        frame = match.group("frame").strip()
        terms = set(content_words(frame))
        if terms and not any(terms <= _terms_of(p) for p in passages):
            missing.append(frame)
    return missing


def _terms_of(passage: Passage) -> set[str]:
    described = _described(passage)
    return set(content_words(described)) | {a.lower() for a in _initialisms(described)}


def _held(name: str, text: str, acronyms: set[str], spelled: dict[str, str] | None = None) -> bool:
    """A name is in the text whole, as its acronym, with an acronym in it spelled out ("RST Weekly" as
    "Road Safety Trust (weekly…"), or as parts joined by "and" that are each there."""
    if f" {_flat(name)} " in text or "".join(w[0] for w in name.split() if w[0].isupper()) in acronyms:
        return True
    long_form = " ".join((spelled or {}).get(word, word) for word in name.split())
    if long_form != name and f" {_flat(long_form)} " in text:
        return True
    parts = re.split(r"\s+and\s+", name)
    return len(parts) > 1 and all(f" {_flat(part)} " in text for part in parts)


def _initialisms(text: str) -> dict[str, str]:
    """Acronyms of the capitalised names in text, each with its name ("RST": "Road Safety Trust").

    >>> sorted(_initialisms("the Road Safety Trust and the Office for Road Safety"))
    ['OFRS', 'ORS', 'OfRS', 'RST']
    """
    found = {}
    for match in _NAME.finditer(text):
        words_of = match.group(0).split()
        capitals = "".join(w[0] for w in words_of if w[0].isupper())
        full = "".join(w[0].upper() for w in words_of)
        mixed = "".join(w[0] if w[0].isupper() else w[0].lower() for w in words_of)
        for acronym in (capitals, full, mixed):
            if len(acronym) >= 2:
                found.setdefault(acronym, match.group(0))
    return found


def spelled_out(acronym: str, text: str) -> str:
    """Words of text, in any case, whose initials spell the acronym (small words between them allowed), as
    people shorten a phrase the documents write out: "CP" for "child protection". Two letters fit many
    pairs of words by chance, so a two-letter acronym needs its phrase twice. '' when none does.

    >>> spelled_out("CSA", "Waiting times for child sexual abuse support have doubled.")
    'child sexual abuse'
    >>> spelled_out("CP", "child protection plans rose; child protection work"), spelled_out("CP", "a care plan")
    ('child protection', '')
    """
    small = r"\s+(?:(?:of|for|and|the|in|on|to)\s+)?"
    pattern = re.compile(r"(?<![\w’'])" + small.join(rf"{re.escape(letter)}[\w’'\-]*" for letter in acronym.lower())
                         + r"(?![\w’'])", re.I)
    counts: dict[str, int] = {}
    for match in pattern.finditer(text):
        phrase = match.group(0).lower()
        counts[phrase] = counts.get(phrase, 0) + 1
    needed = 2 if len(acronym) == 2 else 1
    return next((phrase for phrase, count in counts.items() if count >= needed), "")


def _flat(text: str) -> str:
    """Lower case, straight apostrophes, "&" as "and", no possessive 's, other punctuation as spaces."""
    text = re.sub(r"'s\b|(?<=s)'(?!\w)", "", text.lower().replace("’", "'").replace("&", " and "))
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text).split())


def _quoted(words_of: list[str]) -> str:
    quoted = [f"“{word}”" for word in words_of]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


_CALENDAR = re.compile(r"^(?:" + "|".join((*MONTH_NAMES, *WEEKDAYS)) + r")$")


_CALENDAR_STEMS = {content_words(month)[0] for month in MONTH_NAMES}


def _names_missing(question: str, vocabulary: set[str], passages: list[Passage] = ()) -> bool:
    """A capitalised name or acronym in the question (not its first word, not a month) the corpus never
    mentions; an acronym also counts as mentioned when a retrieved passage spells it out ("Road
    Safety Trust" for RST, in its text, title or publisher). A hyphenated name is one word.

    >>> _names_missing("How long is the Multi-Agency Leads Programme?", {"multi-agenc", "lead", "programm"})
    False
    >>> _names_missing("How long is the Cross-Border Leads Programme?", {"multi-agenc", "lead", "programm"})
    True
    >>> _names_missing("What did the MP say?", {"say"}, [Passage("a#0", "MPs debated the bill.", {})])
    False
    """
    words = re.findall(r"(?<![.?!]\s)(?<!^)\b([A-Z][a-z]{2,}(?:-[A-Za-z]+)*|[A-Z]{2,5})\b(?!-)", question)
    described = " ".join(_described(p) for p in passages)
    spelled = _initialisms(described) if passages else set()
    for word in words:
        if word.isupper():  # acronyms are kept verbatim in the vocabulary
            if word not in vocabulary and word not in spelled and not spelled_out(word, described) \
                    and not re.search(rf"\b{word}[’']?s\b", described):  # "MP" where the passages say "MPs"
                return True
        elif not _CALENDAR.match(word) and content_words(word) and not _known(content_words(word)[0], vocabulary):
            return True
    return False
