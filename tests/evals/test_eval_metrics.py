"""Unit tests of the pure scoring functions in evals.metrics (and their docstring examples)."""

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evals import metrics as m

pytestmark = pytest.mark.unit


def test_docstring_examples():
    assert doctest.testmod(m).failed == 0


@pytest.mark.parametrize("text, expected", [
    ("Children\u2019s", "children's"),
    ("\u201cCentral\u201d", '"central"'),
    ("a\u00a0\u00a0b\n\tc", "a b c"),
    ("  £2.6bn  ", "£2.6bn"),
    ("\uff21BC", "abc"),  # NFKC folds full-width letters
])
def test_normalize(text, expected):
    assert m.normalize(text) == expected


@pytest.mark.parametrize("answer, facts, recall, correct", [
    ("It costs £2.6bn over four years", [["£2.6bn", "£2.6 billion"], ["four years"]], 1.0, True),
    ("It costs £2.6 BILLION", [["£2.6bn", "£2.6 billion"], ["four years"]], 0.5, False),
    ("nothing", [["x"], ["y"]], 0.0, False),
    ("anything", [], 1.0, True),
    ("the children\u2019s minister", [["children's minister"]], 1.0, True),
    ("", [[""]], 0.0, False),  # an empty option never matches
])
def test_fact_recall(answer, facts, recall, correct):
    assert m.fact_recall(answer, facts) == recall
    assert m.all_facts(answer, facts) is correct


@pytest.mark.parametrize("passages, evidence, k, hit, rr", [
    (["x", "y", "has the EVIDENCE here"], "the evidence", 5, True, 1 / 3),
    (["x", "y", "has the evidence"], "the evidence", 2, False, 1 / 3),
    (["the\u00a0evidence\n here"], "the evidence here", 1, True, 1.0),
    (["\u201cquoted\u201d text"], '"quoted" text', 1, True, 1.0),
    ([], "e", 5, False, 0.0),
])
def test_retrieval_metrics(passages, evidence, k, hit, rr):
    assert m.hit_at_k(passages, evidence, k) is hit
    assert m.reciprocal_rank(passages, evidence) == pytest.approx(rr)


@pytest.mark.parametrize("answer, facts, cited, expected", [
    ("£2bn over four years", [["£2bn"], ["four years"]], ["£2bn over four years"], 1.0),
    ("£2bn over four years", [["£2bn"], ["four years"]], ["£2bn", "no"], 0.5),
    ("£2bn over four years", [["£2bn"], ["four years"]], [], 0.0),
    ("nothing relevant", [["£2bn"]], ["£2bn"], None),
    ("twenty of them", [["20 RCC", "twenty"]], ["there would be 20 RCCs, twenty in all"], 1.0),
])
def test_citation_support(answer, facts, cited, expected):
    assert m.citation_support(answer, facts, cited) == expected


@pytest.mark.parametrize("cited, facts, evidence, expected", [
    (["£2bn here", "unrelated"], [["£2bn"]], "", 0.5),
    (["the supporting span is here"], [["zzz"]], "supporting span", 1.0),
    ([], [["a"]], "e", None),
])
def test_citation_precision(cited, facts, evidence, expected):
    assert m.citation_precision(cited, facts, evidence) == expected


def test_refusals():
    pairs = [("out_of_scope", "not_found"), ("out_of_scope", "answered"), ("number", "answered"),
             ("followup", "not_found"), ("name", "answered"), ("date", "answered")]
    assert m.refusal_accuracy(pairs) == 0.5
    assert m.false_refusal_rate(pairs) == 0.25
    assert m.refusal_accuracy([("number", "answered")]) is None


def test_followup_accuracy():
    items = [("followup", "Janet Daby said", [["Daby"]]), ("followup", "a £2bn plan", [["£2bn"], ["four"]]),
             ("number", "irrelevant", [["x"]])]
    assert m.followup_accuracy(items) == 0.75


BRIEF = """# Briefing: family help

_Generated today · 5 sources_

## Overview

Family help joins up early help and child in need services [1]. It is being tested in 10 areas [2].
This sentence has no marker.

## Money
- £2bn over four years [1]
- £40m for testing
* 1. nested [3]

## References
[1] Community Care. four years. https://example
- a bullet in the references is fine
"""


def test_briefing_coverage_ignores_references():
    assert m.briefing_coverage(BRIEF, [["£2bn"], ["10 areas"], ["https://example"]]) == pytest.approx(2 / 3)


def test_uncited_bullets():
    assert m.uncited_bullets(BRIEF) == ["This sentence has no marker.", "- £40m for testing"]
    assert m.uncited_bullets("## References\n- anything") == []
    assert m.uncited_bullets("# T\nno sections: every line counts") == ["no sections: every line counts"]
    assert m.uncited_bullets("- a [1, 2]\n- b [3–4]\n---\n| a | b |") == ["| a | b |"]


@pytest.mark.parametrize("values, p, expected", [
    ([1, 2, 3, 4], 50, 2.5), ([5], 95, 5), ([], 50, None), ([10, 0], 100, 10), (list(range(101)), 95, 95),
])
def test_percentile(values, p, expected):
    assert m.percentile(values, p) == expected


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=50), st.floats(0, 100))
def test_percentile_within_range(values, p):
    assert min(values) - 1e-6 <= m.percentile(values, p) <= max(values) + 1e-6


@pytest.mark.parametrize("metrics, expected", [
    ({"fact_recall": 0.95, "false_refusal": 0.0}, []),
    ({"fact_recall": 0.85, "false_refusal": 0.0}, ["fact_recall 0.850 < 0.9"]),
    ({"fact_recall": 0.9, "false_refusal": 0.1}, ["false_refusal 0.100 > 0.05"]),
    ({"false_refusal": 0.0}, ["fact_recall not measured (gate 0.9)"]),
])
def test_check_gates(metrics, expected):
    assert m.check_gates(metrics, {"fact_recall": 0.9, "false_refusal_max": 0.05}) == expected


def test_shipped_targets_are_the_agreed_floor_and_gates_do_not_exceed_them():
    from evals.runner import load_gates, load_targets

    floor = {"fact_recall": 0.90, "citation_support": 0.98, "oos_refusal": 1.0, "false_refusal_max": 0.05,
             "hit_at_5": 0.95, "followup": 0.80, "briefing_coverage": 0.80, "briefing_precision": 0.90,
             "uncited_bullets_max": 0}
    targets, gates = load_targets(), load_gates()
    for key, value in floor.items():  # targets only go up: a lower bound may rise, an upper bound may fall
        assert targets[key] <= value if key.endswith("_max") else targets[key] >= value, key
        assert key in gates, f"{key} is not enforced"


def test_backend_labels_match_what_the_assistant_writes():
    """The strings backend_usage() counts are the ones the LLM layer really writes."""
    from assistant.answering.generative import FALLBACK_BACKEND, GenerativeAnswerer
    from assistant.question.condense import LLMCondenser
    from assistant.checks.guard import GuardReport, Kept
    from assistant.briefing.llm_writer import LLMSectionWriter
    from assistant.settings import Settings
    from tests.assistant.llm.fakes import FakeExtractive, FakeLLM, passages

    assert m.FALLBACK == FALLBACK_BACKEND and FakeExtractive.name == m.EXTRACTIVE
    assert m.guard_counts(GuardReport(kept=[Kept("x", [1])]).notes()) == (1, 1)
    history = [{"role": "user", "content": "What did the review recommend?"}]
    note = LLMCondenser(FakeLLM("What did the review recommend?"))("And what did it recommend?", history).notes[0]
    assert note.startswith(m.CONDENSED_BY_LLM) and note.startswith(m.CONDENSE_NOTE)
    draft = LLMSectionWriter(FakeLLM("It recommended £2.6 billion of new investment over four years [1]."))
    assert m.SECTION_BY_LLM in draft.write("the review", "Overview", passages(), 3).note
    from assistant.answering.base import AnswerRequest

    failed = GenerativeAnswerer(FakeLLM(TimeoutError("slow")), FakeExtractive(), Settings()).answer(
        AnswerRequest("q", "q", passages()))
    assert failed.notes[-1].startswith(m.UNREACHABLE)


def test_backend_usage_is_empty_for_the_extractive_default():
    records = [{"kind": "number", "status": "answered", "backend": "extractive", "notes": []},
               {"kind": "out_of_scope", "status": "not_found", "backend": "extractive", "notes": ["refused: x"]}]
    assert set(m.backend_usage(records).values()) == {None}


@pytest.mark.parametrize("markdown, terms, expected", [
    ("## Facts\n- Kinship carers get £44m [1]\n- The budget grew [2]", [["kinship"]], 0.5),
    ("## Overview\nKinship care is family care. [1] Councils pay. [2]\n## Facts\n- KINSHIP allowance [1]",
     [["kinship"]], 2 / 3),
    ("## Facts\n- RCCs will commission care [1]\n- Co-operatives are regional [2]", [["co-operative"], ["RCC"]], 1.0),
    ("## Timeline\n_Nothing in the documents on x for this section._\n## Questions for discussion\n- Why? [1]",
     [["x"]], None),
    ("## Facts\n- kinship [1]\n## References\n1. Kinship report [1]\n2. Other", [["kinship"]], 1.0),
])
def test_briefing_precision_counts_points_on_topic(markdown, terms, expected):
    result = m.briefing_precision(markdown, terms)
    assert result == pytest.approx(expected) if expected is not None else result is None


def test_briefing_points_leave_out_notes_questions_and_references():
    markdown = ("# Briefing: x\n_Generated today_\n## Overview\nOne [1] Two [2]\n## Timeline\n_Nothing here._\n"
                "## Questions for discussion\n- Why? [1]\n## References\n1. A source")
    assert m.briefing_points(markdown) == ["One [1]", "Two [2]"]


def test_topic_term_groups_fall_back_to_the_topic_words():
    assert m.topic_term_groups("support for care leavers") == [["support"], ["care"], ["leavers"]]


def test_a_section_note_in_italics_is_not_an_uncited_bullet():
    markdown = "# T\n## Timeline\n_Nothing in the documents on x for this section._\n## A\n- cited [1]\n- bare"
    assert m.uncited_bullets(markdown) == ["- bare"]
