"""Completing a chosen set of sentences so it reads alone: the contrast after a sentence ("Instead, …"),
the elaboration a sentence announces, a list with its lead-in, the antecedent a sentence leans on,
and the dated heading or lead-in it sits under."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.answering.candidates import Candidate
from assistant.models import Passage, previous_chunk_id
from assistant.scoring import SentenceSelection
from assistant.text.dates import DATE
from assistant.text.sentences import LEANS_BACK, is_bullet, sentence_spans
from assistant.text.tokens import content_words, word_count

_CONTRAST = re.compile(r"^(?:Instead|However|But|Rather)\b")


# A linking word that only ties a sentence to the one before: an answer opening on it can drop it and say
# the same ('However, with the pilots due in 2024, …'). 'Instead' or 'But' carry the contrast: kept.
_CONNECTIVE = re.compile(r"^(?:(?:However|Meanwhile|Moreover|Furthermore|Additionally|Also|In addition),\s+(?=\S)|"
                         r"(?:But|And|Yet)\s+(?=[A-Z]))")


def without_connective(sentence: str) -> str:
    """The answer's opening sentence without a linking word that points back to a sentence not shown.

    >>> without_connective("However, with the pilots due in 2024, full rollout is years away.")
    'With the pilots due in 2024, full rollout is years away.'
    >>> without_connective("Instead, a national scheme will follow.")
    'Instead, a national scheme will follow.'
    >>> without_connective("But Tom Ashdown, its chief executive, said the rules were unfair.")
    'Tom Ashdown, its chief executive, said the rules were unfair.'
    >>> without_connective("But the rules were unfair.")
    'But the rules were unfair.'
    """
    rest = _CONNECTIVE.sub("", sentence, count=1)
    return rest[:1].upper() + rest[1:] if rest != sentence else sentence


def best_passage_first(chosen: list[Candidate]) -> list[Candidate]:
    """The chosen sentences grouped by passage, the passage of the best sentence first (then by the best each
    holds), each passage's sentences in reading order: the answer opens with its best. A passage whose chosen
    sentence opens it by running on from the passage before ('“…,” it added.') follows that passage."""
    groups: dict[str, list[Candidate]] = {}
    for candidate in sorted(chosen, key=lambda c: (c.rank, c.start)):
        groups.setdefault(candidate.passage.chunk_id, []).append(candidate)
    order = sorted(groups, key=lambda chunk: (-max(c.score for c in groups[chunk]), groups[chunk][0].rank))
    for chunk in list(order):
        previous = previous_chunk_id(chunk)
        if previous in groups and _runs_on(groups[chunk][0]):
            order.remove(chunk)
            order.insert(order.index(previous) + 1, chunk)
    return [c for chunk in order for c in groups[chunk]]


def _runs_on(candidate: Candidate) -> bool:
    """Whether the sentence opens its passage by leaning on the passage before it."""
    opens = not candidate.passage.text[:candidate.start].strip()
    return opens and bool(LEANS_BACK.match(candidate.text.strip()) or candidate.text.lstrip().startswith(("“", '"')))


def with_contrasts(chosen: list[Candidate], ranked: list[Candidate], word_cap: int) -> list[Candidate]:
    """A chosen sentence followed by 'Instead, …' or 'However, …' keeps that next sentence: it is the
    other half of the story ("The DfE rejected the proposal. Instead, it will strengthen the role.")."""
    return _with_next(chosen, word_cap, lambda c: _contrast_after(c, ranked))


def _contrast_after(candidate: Candidate, ranked: list[Candidate]) -> Candidate | None:
    following = _next_in_line(candidate, ranked)
    return following if following and _CONTRAST.match(following.text.strip()) else None


def with_elaborations(chosen: list[Candidate], ranked: list[Candidate], word_cap: int,
                       query_terms: set[str], selection: SentenceSelection) -> list[Candidate]:
    """A chosen sentence that only announces ("UNISON has major concerns over the approach taken by the
    Government.") keeps the next sentence of its passage, even past a paragraph break: that one says
    what the concerns are."""
    return _with_next(chosen, word_cap,
                      lambda c: _next_in_passage(c, ranked) if _announces(c, query_terms, selection) else None)


_VAGUE = re.compile(r"\b(?:concerns?|reservations|misgivings|criticisms?|worries|doubts|issues|aspects|problems)\b", re.I)


def _announces(candidate: Candidate, query_terms: set[str], selection: SentenceSelection) -> bool:
    """A short sentence that names concerns or criticisms without saying what they are, with little in
    it beyond the question's own words ("The DfE rejected the proposal." says what happened: not this).

    >>> passage = Passage("u#2", "UNISON has major concerns over the approach taken by the Government.", {})
    >>> candidate = Candidate(passage, 0, 0, 69, passage.text, terms=set(content_words(passage.text)))
    >>> _announces(candidate, {"unison", "concern"}, SentenceSelection())
    True
    """
    text = candidate.text.strip()
    if word_count(text) > selection.announce_max_words or text.endswith(":") or not _VAGUE.search(text):
        return False
    said = set(content_words(" ".join(_VAGUE.findall(text) + _CONTRAST.findall(text))))
    return len(candidate.terms - query_terms - candidate.alias_terms - said) <= selection.announce_max_new_terms


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


def list_around(candidate: Candidate, ranked: list[Candidate], selection: SentenceSelection) -> list[Candidate]:
    """The list a candidate belongs to or introduces: its lead-in (if any) and up to list_max_items items
    (none unless it has list_min_items)."""
    same = sorted((c for c in ranked if c.passage.chunk_id == candidate.passage.chunk_id), key=lambda c: c.start)
    index = next(i for i, c in enumerate(same) if c is candidate)
    start = index
    while start > 0 and is_bullet(same[start].text):
        start -= 1
    lead = [same[start]] if same[start].text.rstrip().endswith(":") else []
    first = start + 1 if lead or not is_bullet(same[start].text) else start
    items = []
    for other in same[first:]:
        if not is_bullet(other.text) or len(items) >= selection.list_max_items:
            break
        items.append(other)
    return lead + items if len(items) >= selection.list_min_items else []


def with_antecedents(chosen: list[Candidate], ranked: list[Candidate], most: int,
                     before: Callable[[str], Passage | None] | None = None) -> list[Candidate]:
    """An answer does not open with a sentence that leans on one not shown ("However, …", "It …"). In turn:
    the sentences before it in its passage (up to `most`) that make it readable come first; else another
    chosen sentence that stands alone opens the answer; else the walk back reaches into the passage before
    in the same document (`before`, by chunk id), when the sentence starts its passage."""
    if not chosen or not _leans_back(chosen[0]):
        return chosen
    in_passage = _antecedents(chosen[0], lambda c: _previous_in_passage(c, ranked), most)
    if in_passage:
        return in_passage + [c for c in chosen if c not in in_passage]
    steady = next((c for c in chosen if not _leans_back(c)), None)
    if steady:
        return [steady] + [c for c in chosen if c is not steady]
    across = _antecedents(chosen[0], lambda c: _previous_in_passage(c, ranked) or _last_of_passage_before(c, before),
                          most) if before is not None else None
    return across + [c for c in chosen if c not in across] if across else chosen


def _antecedents(first: Candidate, previous_of: Callable[[Candidate], Candidate | None],
                 most: int) -> list[Candidate] | None:
    """The sentences before `first` (at most `most`) back to one that stands alone, or None."""
    found, current = [], first
    while len(found) < most:
        current = previous_of(current)
        if current is None:
            return None
        found.insert(0, current)
        if not _leans_back(current):
            return found
    return None


def _last_of_passage_before(candidate: Candidate, before: Callable[[str], Passage | None] | None) -> Candidate | None:
    """The last sentence of the passage before candidate's in its document, when candidate opens its passage."""
    if before is None or candidate.passage.text[:candidate.start].strip():
        return None
    previous = before(candidate.passage.chunk_id)
    spans = sentence_spans(previous.text) if previous is not None else []
    if not spans:
        return None
    start, end = spans[-1]
    return Candidate(previous, candidate.rank, start, end, previous.text[start:end])


def _leans_back(candidate: Candidate) -> bool:
    """Whether the sentence as shown opens by leaning on one before it. A dated heading or a list's lead-in
    shown before it is its context; a section heading that is not shown is not."""
    return bool(LEANS_BACK.match(candidate.read.strip()))


def _previous_in_passage(candidate: Candidate, ranked: list[Candidate]) -> Candidate | None:
    """The sentence just before candidate in its passage, if any."""
    earlier = [c for c in ranked if c.passage is candidate.passage and c.end <= candidate.start]
    return max(earlier, key=lambda c: c.start, default=None)


def with_context(chosen: list[Candidate], ranked: list[Candidate]) -> list[Candidate]:
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
