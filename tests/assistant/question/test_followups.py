"""Follow-up questions become standalone queries built from the user's earlier turns."""

from __future__ import annotations

import pytest

from assistant.question.followups import needs_context, rule_based, standalone_query, user_turns

pytestmark = pytest.mark.unit


def user(text: str) -> dict:
    return {"role": "user", "content": text}


def assistant(text: str) -> dict:
    return {"role": "assistant", "content": text}


FAMILY_HELP = [user("What is family help?"), assistant("Family help brings early help and child in need together [1].")]


@pytest.mark.parametrize("question", ["Who criticised it?", "How much will it cost?", "When do they start?"])
def test_a_pronoun_follow_up_carries_the_earlier_subject(question):
    query = standalone_query(question, FAMILY_HELP)
    assert query.startswith(question.rstrip("?"))
    assert "family help" in query.lower()


def test_and_for_keeps_the_earlier_question_s_frame():
    history = [user("How much funding is there for kinship carers?")]
    assert standalone_query("And for care leavers?", history) == "How much funding is there for care leavers?"


def test_what_about_asks_about_the_new_thing_in_the_earlier_topic():
    query = standalone_query("What about agency workers?", FAMILY_HELP)
    assert query.lower().startswith("agency workers") and "family help" in query.lower()


@pytest.mark.parametrize("question", [
    "What are regional care co-operatives?",
    "How much did the DfE allocate to kinship carers?",
])
def test_a_self_contained_question_is_unchanged(question):
    assert standalone_query(question, FAMILY_HELP) == question
    assert not needs_context(question)


def test_without_history_the_question_is_the_query():
    assert standalone_query("Who criticised it?", []) == "Who criticised it?"
    assert standalone_query("  Who criticised it?  ", None) == "Who criticised it?"


def test_assistant_turns_are_ignored():
    words_from_answer = [assistant("Regional care co-operatives were proposed by the review [1].")]
    assert standalone_query("Who criticised it?", words_from_answer) == "Who criticised it?"
    query = standalone_query("Who criticised it?", FAMILY_HELP)
    assert "early" not in query and "co-operatives" not in query  # words only the assistant used


def test_the_subject_threads_through_several_follow_ups():
    history = [user("What is family help?"), assistant("…"), user("When will it start?"), assistant("…")]
    query = standalone_query("Who criticised it?", history)
    assert "family help" in query.lower() and "start" in query.lower()


def test_user_turns_skip_assistant_and_empty_turns():
    history = [user("First?"), assistant("Answer."), {"role": "user", "content": ""}, {"role": "user"}, user("Second?")]
    assert user_turns(history) == ["First?", "Second?"]


@pytest.mark.parametrize("question, expected", [
    ("Who criticised it?", True),
    ("And for care leavers?", True),
    ("Why?", True),  # too few words of its own
    ("What is family help?", False),
])
def test_needs_context(question, expected):
    assert needs_context(question) is expected


def test_rule_based_condenser_has_no_notes():
    condensed = rule_based("Who criticised it?", FAMILY_HELP)
    assert condensed.query == standalone_query("Who criticised it?", FAMILY_HELP) and condensed.notes == []


def test_its_after_a_which_question_is_what_the_answer_named():
    history = [user("Which charity runs the largest social work training programme?"),
               assistant("Frontline, which runs the largest programme, is five years old [1].")]
    query = standalone_query("How many families have its social workers helped?", history)
    assert "Frontline" in query


def test_it_after_a_which_question_is_still_the_earlier_subject_not_the_answer():
    history = [user("Who announced the overhaul of children's social care?"),
               assistant("Bridget Phillipson, Education Secretary, announced it [1].")]
    query = standalone_query("What did the watchdog say about it?", history)
    assert "Phillipson" not in query and "overhaul" in query


@pytest.mark.parametrize("follow_up, year", [("What changes the year after that?", "2027"),
                                             ("What changed the year before that?", "2025"),
                                             ("How many had it trained by then?", "2026")])
def test_then_is_the_year_the_last_answer_gave(follow_up, year):
    history = [user("When does the ban start?"), assistant("From 1 April 2026 no new providers may register [1].")]
    assert year in standalone_query(follow_up, history)
