"""Completing the chosen sentences so the answer reads alone: antecedents first, contrasts kept."""

from __future__ import annotations

import pytest

from assistant.answering.candidates import Candidate
from assistant.answering.selection import best_passage_first, with_antecedents, with_contrasts, without_connective
from assistant.models import Passage
from assistant.text.sentences import sentence_spans

pytestmark = pytest.mark.unit

TEXT = ("The Quillfeather Trust ran a pilot in three boroughs. It found that families stayed together longer. "
        "However, the pilot ended in 2024. Instead, a national scheme will follow.")


def candidates(text: str = TEXT) -> list[Candidate]:
    passage = Passage("doc#0", text, {"title": "Pilot"})
    return [Candidate(passage, 0, start, end, text[start:end]) for start, end in sentence_spans(text)]


def test_an_answer_leaning_on_an_unshown_sentence_gets_that_sentence_first():
    ranked = candidates()
    it_found = ranked[1]  # "It found …": whose finding is in the sentence before
    assert [c.text for c in with_antecedents([it_found], ranked, most=2)] == [ranked[0].text, it_found.text]


def test_an_answer_opening_on_its_own_feet_is_left_as_it_is():
    ranked = candidates()
    assert with_antecedents([ranked[0], ranked[2]], ranked, most=2) == [ranked[0], ranked[2]]


def test_a_standalone_chosen_sentence_opens_when_no_antecedent_is_found_within_reach():
    ranked = candidates()
    chosen = [ranked[3], ranked[0]]  # "Instead, …" with no room to reach back (most=0)
    assert with_antecedents(chosen, ranked, most=0)[0] is ranked[0]


def test_a_chosen_sentence_keeps_the_contrast_that_follows_it():
    ranked = candidates()
    kept = with_contrasts([ranked[2]], ranked, word_cap=80)
    assert [c.text for c in kept] == [ranked[2].text, ranked[3].text]
    assert with_contrasts([ranked[2]], ranked, word_cap=5) == [ranked[2]]  # no room: the contrast waits


def test_a_passage_opening_on_a_leaning_sentence_reaches_back_into_the_passage_before():
    first = Passage("doc#0", "The plan was costed at £40m. The Quillfeather Trust backed it.", {"title": "Plan"})
    second = Passage("doc#1", "It was then expanded. However, the pilot ended in 2024. A scheme follows.", {"title": "Plan"})
    ranked = [Candidate(second, 0, c.start, c.end, c.text) for c in candidates(second.text)]
    before = {"doc#1": first}.get
    answer = with_antecedents([ranked[1]], ranked, most=2, before=before)
    # "However" leans on "It was then expanded", which leans on the last sentence of the passage before
    assert [c.text for c in answer] == ["The Quillfeather Trust backed it.", ranked[0].text, ranked[1].text]
    assert answer[0].passage is first  # cited to the passage it comes from
    assert with_antecedents([ranked[1]], ranked, most=1, before=before)[0] is ranked[1]  # out of reach
    assert with_antecedents([ranked[1]], ranked, most=2, before=lambda chunk_id: None) == [ranked[1]]  # first chunk


def test_a_time_named_by_this_is_not_an_antecedent():
    ranked = candidates("Councils met. This week, the minister spoke.")
    assert with_antecedents([ranked[1]], ranked, most=2) == [ranked[1]]


def test_a_sentence_under_a_section_heading_still_leans_on_the_one_before():
    text = "Key proposal from the review\nThe Quillfeather review proposed family help. It was then taken up in 2023."
    ranked = candidates(text)
    for candidate in ranked[1:]:
        candidate.heading = "Key proposal from the review"  # a heading the answer does not show
    it_was = ranked[2]
    assert [c.text for c in with_antecedents([it_was], ranked, most=2)] == [ranked[1].text, it_was.text]


def test_a_chosen_sentence_that_stands_alone_opens_before_any_reach_into_another_passage():
    first = Passage("doc#0", "The plan was costed at £40m. The Quillfeather Trust backed it.", {"title": "Plan"})
    second = Passage("doc#1", "However, the pilot ended in 2024. A national scheme follows.", {"title": "Plan"})
    ranked = [Candidate(second, 0, c.start, c.end, c.text) for c in candidates(second.text)]
    asked_for: list[str] = []
    answer = with_antecedents([ranked[0], ranked[1]], ranked, most=2,
                              before=lambda chunk_id: asked_for.append(chunk_id) or first)
    assert answer == [ranked[1], ranked[0]] and asked_for == []  # no text borrowed when the answer can open alone


def test_the_passage_holding_the_best_sentence_opens_the_answer():
    first = Passage("a#000", "Councils ran pilots. There are 26 pilot councils.", {"source_id": "a"})
    second = Passage("a#001", "England has 153 councils. Each runs children's services.", {"source_id": "a"})
    chosen = [Candidate(first, 0, 21, 50, "There are 26 pilot councils.", score=0.6),
              Candidate(second, 1, 0, 25, "England has 153 councils.", score=0.9),
              Candidate(first, 0, 0, 20, "Councils ran pilots.", score=0.3),
              Candidate(second, 1, 26, 56, "Each runs children's services.", score=0.2)]
    # the best sentence's passage first, each passage in reading order
    assert [c.text for c in best_passage_first(chosen)] == [
        "England has 153 councils.", "Each runs children's services.", "Councils ran pilots.",
        "There are 26 pilot councils."]


def test_a_passage_running_on_from_the_one_before_follows_it():
    earlier = Passage("a#009", "Rates rose. The Quillfeather Trust raised concerns.", {"source_id": "a"})
    later = Passage("a#010", "“It will not work,” it added.", {"source_id": "a"})
    other = Passage("b#000", "The Hearth Fund was sceptical.", {"source_id": "b"})
    chosen = [Candidate(later, 0, 0, 29, later.text, score=0.9), Candidate(other, 1, 0, 30, other.text, score=0.7),
              Candidate(earlier, 2, 12, 51, "The Quillfeather Trust raised concerns.", score=0.5)]
    assert [c.passage.chunk_id for c in best_passage_first(chosen)] == ["b#000", "a#009", "a#010"]


@pytest.mark.parametrize("sentence, shown", [
    ("However, with the pilots due in 2024, full rollout is years away.",
     "With the pilots due in 2024, full rollout is years away."),
    ("Meanwhile, councils wait.", "Councils wait."),
    ("Instead, a national scheme will follow.", "Instead, a national scheme will follow."),  # the contrast is the point
    ("However the money is spent, it helps.", "However the money is spent, it helps."),  # no linking word here
    ("It found that families stayed together.", "It found that families stayed together."),
])
def test_an_opening_linking_word_is_dropped_and_nothing_else(sentence, shown):
    assert without_connective(sentence) == shown
