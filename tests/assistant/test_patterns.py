"""Fact recognisers: what a question asks for, counts, new facts, whether a text holds the asked-for kind."""

from __future__ import annotations

import pytest

from assistant.question.kinds import LIST_CUE, answer_type, years_in_scope
from assistant.text.facts import counts, has_answer_type, new_facts
from assistant.text.names import NAME_LIST
from assistant.text.numbers import normalise_money, numbers

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("question, kind", [
    ("How much will family help cost?", "money"),
    ("What funding was allocated to kinship carers?", "money"),
    ("How many councils are there in England?", "number"),
    ("What proportion of social workers are agency staff?", "number"),
    ("What is the vacancy rate?", "number"),
    ("When was the strategy published?", "date"),
    ("By when must councils comply?", "date"),
    ("How long will the pilots run?", "date"),
    ("Which councils are pathfinders?", "place"),
    ("Where will the regional care co-operatives be tested?", "place"),
    ("Which organisations responded to the consultation?", "organisation"),
    ("Which body regulates social workers?", "organisation"),
    ("What is the 2023 strategy called?", "title"),
    ("What is the name of the review?", "title"),
    ("Who chaired the review?", "name"),
    ("Which minister announced the reforms?", "name"),
    ("Why are social workers worried about lead child protection practitioners?", "reason"),
    ("What concerns did unions raise?", "reason"),
    ("What is family help?", "definition"),
    ("What are regional care co-operatives?", "definition"),
    ("What does RCC mean?", "definition"),
    ("What does Munro think about its funding?", "opinion"),
    ("How did councils react to the strategy?", "opinion"),
    ("Tell me about agency pay.", "general"),
    ("What did the DfE decide about agency pay?", "general"),
])
def test_answer_type(question, kind):
    assert answer_type(question) == kind


def test_answer_type_checks_money_before_dates():
    # "how much" wins even when the question also mentions time
    assert answer_type("How much will be spent over how long?") == "money"


def test_counts_exclude_years_and_the_day_of_a_date():
    text = "On 14 January 2016 the 152 councils got £2bn over four years; in 2023 40 per cent left."
    found = counts(text)
    assert "£2bn" in found and "152" in found and "four" in found and "40 per cent" in found
    assert not {"14", "2016", "2023"} & set(found)


def test_counts_keep_a_number_that_is_not_a_date():
    assert counts("a 16-strong body") == ["16"]
    assert counts("In March 2023 and 2024.") == []


def test_new_facts_exclude_what_the_question_already_says():
    text = "The review asked for £2bn; the Treasury gave £3bn."
    assert new_facts(text, "Did the review ask for £2bn?", "money") == ["£3bn"]
    assert new_facts(text, "How much did the review ask for?", "money") == ["£2bn", "£3bn"]


def test_new_facts_for_names_skip_organisations_and_asked_names():
    text = "Josh MacAlister led the Independent Review and Sarah Cardell spoke for the Department for Education."
    assert new_facts(text, "Did Josh MacAlister lead it?", "name") == ["Sarah Cardell"]


def test_new_facts_for_dates_skip_the_asked_date():
    facts = new_facts("Published in March 2023, revised in May 2024.", "What happened in March 2023?", "date")
    assert "May 2024" in facts and "March 2023" not in facts


def test_new_facts_of_an_unknown_kind_are_empty():
    assert new_facts("£2bn in 2023", "anything", "general") == []


@pytest.mark.parametrize("text, kind, expected", [
    ("It cost £2bn.", "money", True),
    ("It cost two billion pounds.", "money", False),
    ("About 40% left.", "number", True),
    ("Nobody left.", "number", False),
    ("It began in spring 2024.", "date", True),
    ("It began recently.", "date", False),
    ("Leeds, Bradford and Wakefield were chosen.", "place", True),
    ("Councils in Greater Manchester took part.", "place", True),
    ("Some areas took part.", "place", False),
    ("Sarah Cardell said so.", "name", True),
    ("she said so.", "name", False),
    ("The DfE agreed.", "organisation", True),
    ("The plan is entitled Stable Homes, Built on Love.", "title", True),
    ("The plan has no title.", "title", False),
    ("Unions warned it was dangerous.", "reason", True),
    ("Unions met on Tuesday.", "reason", False),
    ("Family help is a service for families.", "definition", True),
    ("Munro said the reforms were rushed.", "opinion", True),
    ("The reforms were published in 2023.", "opinion", False),
    ("Anything at all £2bn.", "general", False),  # no check for a general question
])
def test_has_answer_type(text, kind, expected):
    assert has_answer_type(text, kind) is expected


@pytest.mark.parametrize("amount, expected", [("£2 billion", "£2bn"), ("£250 million", "£250m"), ("£2,000", "£2000")])
def test_normalise_money(amount, expected):
    assert normalise_money(amount) == expected


def test_numbers_normalise_words_and_commas():
    assert numbers("Five areas and 1,200 staff") == {"5", "1200"}


@pytest.mark.parametrize("text, expected", [
    ("The group will include Ofsted, the British Association of Social Workers (BASW), UNISON, the ADCS and "
     "the Principal Children and Families Social Worker Network.", True),
    ("The coalition includes Action for Children, Barnardo’s, the Children’s Society and NSPCC.", True),
    ("Dorset, Lincolnshire and Wolverhampton were chosen.", True),
    ("The DfE and Ofsted agreed.", False),  # two names are a pair, not a list
    ("The council, the DfE and the government disagreed.", False),  # lower-case nouns are not names
])
def test_name_list_finds_three_or_more_names(text, expected):
    assert bool(NAME_LIST.search(text)) is expected


@pytest.mark.parametrize("question, expected", [
    ("Which charities make up the Children's Charities Coalition?", True),
    ("What does the coalition consist of?", True),
    ("What are the three aims?", True),
    ("Who led the care review?", False),
])
def test_list_cue(question, expected):
    assert bool(LIST_CUE.search(question)) is expected


@pytest.mark.parametrize("question, accepted, refused", [
    ("What has been spent since 2023?", ["2023", "2024", "2025"], ["2016", "2022"]),
    ("What changed after 2023?", ["2024"], ["2023", "2016"]),
    ("What was proposed before 2020?", ["2016"], ["2020", "2023"]),
    ("Compare the 2016 and 2024 plans.", ["2016", "2024"], ["2023"]),
    ("Between the 2016 vision and since 2023, what changed?", ["2016", "2023", "2024"], ["2018"]),
])
def test_years_in_scope(question, accepted, refused):
    in_scope = years_in_scope(question)
    assert all(in_scope(year) for year in accepted) and not any(in_scope(year) for year in refused)
    assert years_in_scope("What is family help?") is None
