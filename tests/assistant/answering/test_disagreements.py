"""Stated figures and where sources disagree: same thing counted, different figure, different source."""

from __future__ import annotations

import pytest

from assistant.answering.disagreements import ClaimIndex, claims_in, rivals
from assistant.retrieval.aliases import Aliases
from assistant.retrieval.store import StoredChunk
from assistant.scoring import DisagreementThresholds

COUNCIL = Aliases({"council": frozenset({"local", "author"})}).canonical


@pytest.mark.unit
def test_claims_in_finds_counted_things_and_money_periods_with_sentence_offsets():
    text = ("The review called for £2bn over four years. England has 152 councils. "
            "Later 153 local authorities agreed. A £2 billion pot over the next five years. Just 12 councils.")
    claims = claims_in(text, "doc#0", "doc", COUNCIL)
    assert [(c.key, c.value, c.phrase) for c in claims] == [
        ("period of £2bn", "4 years", "£2bn over four years"),
        ("council", "152", "152 councils"),
        ("council", "153", "153 local authorities"),  # one thing under two names
        ("period of £2bn", "5 years", "£2 billion pot over the next five years"),  # £2 billion is £2bn
        ("council", "12", "12 councils"),
    ]
    assert all(text[c.start:c.end].endswith(".") and c.phrase in text[c.start:c.end] for c in claims)
    assert {(c.chunk_id, c.source_id) for c in claims} == {("doc#0", "doc")}


@pytest.mark.unit
def test_years_and_amounts_are_not_counts():
    assert claims_in("In 2024 the council got £2bn and 2% more.") == []


def chunk(source: str, text: str) -> StoredChunk:
    return StoredChunk(f"{source}#0", text, {"source_id": source})


@pytest.mark.unit
def test_conflicts_are_other_values_from_other_sources_once_each():
    index = ClaimIndex([
        chunk("a", "There are 152 councils."),
        chunk("b", "All 153 councils replied. Again, 153 councils."),
        chunk("c", "There are 152 local authorities."),
        chunk("d", "Of 153 local authorities, few agreed."),
        chunk("a2", "Elsewhere 153 councils."),
    ], COUNCIL)
    claim = index.by_key["council"][0]
    assert (claim.source_id, claim.value) == ("a", "152")
    assert [(c.source_id, c.value) for c in index.conflicts(claim)] == [("b", "153"), ("d", "153"), ("a2", "153")]


@pytest.mark.unit
def test_a_source_does_not_conflict_with_itself():
    index = ClaimIndex([chunk("a", "There are 152 councils. Or 153 councils.")])
    assert index.conflicts(index.by_key["council"][0]) == []


@pytest.mark.unit
def test_different_figures_about_different_things_are_not_rivals():
    pilots = claims_in("Two councils will test the pathfinder model from spring.", "a#0", "a")[0]
    national = claims_in("The plan would replace 20 councils as commissioners of care placements.", "b#0", "b")[0]
    assert pilots.key == national.key == "council"
    assert not rivals(pilots, national)  # far apart, and the sentences share almost nothing
    same = claims_in("The plan would replace 25 councils as commissioners of care placements.", "c#0", "c")[0]
    assert rivals(national, same)  # the same sentence with another figure


@pytest.mark.unit
def test_the_thresholds_decide_which_figures_are_rivals():
    national = claims_in("The plan would replace 20 councils as commissioners of care placements.", "b#0", "b")[0]
    same = claims_in("The plan would replace 25 councils as commissioners of care placements.", "c#0", "c")[0]
    near = claims_in("Pilots ran in 21 councils.", "d#0", "d")[0]
    assert rivals(national, same) and not rivals(national, near)  # the defaults
    # no share of words in common is enough: the same sentence with another figure is no longer a rival
    assert not rivals(national, same, DisagreementThresholds(same_subject=1.01))
    # figures within a tenth are one quantity whatever the sentences say
    assert rivals(national, near, DisagreementThresholds(very_near=0.1))


@pytest.mark.unit
def test_the_claim_index_uses_its_thresholds():
    chunks = [chunk("a", "There are 152 councils."), chunk("b", "Some 153 councils replied.")]
    claim = ClaimIndex(chunks).by_key["council"][0]
    assert [c.value for c in ClaimIndex(chunks).conflicts(claim)] == ["153"]  # within 2%: one quantity
    strict = DisagreementThresholds(very_near=0.0, near=0.0, same_subject=1.01)
    assert ClaimIndex(chunks, thresholds=strict).conflicts(claim) == []


@pytest.fixture(scope="module")
def corpus_claims(bot) -> ClaimIndex:
    return ClaimIndex(bot.chunks, bot.retriever.lexical.aliases.canonical)


def values_by_source(claims) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for claim in claims:
        found.setdefault(claim.source_id, set()).add(claim.value)
    return found


@pytest.mark.integration
@pytest.mark.parametrize("key, said, rival", [("council", "152", "153"), ("period of £2bn", "5 years", "4 years")])
def test_corpus_sources_differ_where_the_brief_says_they_do(corpus_claims, key, said, rival):
    claims = corpus_claims.by_key[key]
    assert {said, rival} <= {c.value for c in claims}
    claim = next(c for c in claims if c.value == said)
    found = corpus_claims.conflicts(claim)
    assert rival in {c.value for c in found}
    assert claim.source_id not in {c.source_id for c in found}


@pytest.mark.integration
def test_corpus_agreeing_figures_are_not_conflicts(corpus_claims):
    # both sources that give the £2.6bn period say four years
    claims = corpus_claims.by_key["period of £2.6bn"]
    assert len(values_by_source(claims)) >= 2 and {c.value for c in claims} == {"4 years"}
    assert all(corpus_claims.conflicts(c) == [] for c in claims)
