"""Facts a sentence states: counts, amounts, names, and whether it holds the kind asked for."""

from __future__ import annotations

import pytest

from assistant.text.facts import counts, has_answer_type, new_facts
from assistant.text.names import NAME_LIST
from assistant.text.numbers import normalise_money, numbers


pytestmark = pytest.mark.unit


def test_counts_exclude_years_and_the_day_of_a_date():
    text = "On 14 January 2016 the 152 councils got £2bn over four years; in 2023 40 per cent left."
    found = counts(text)
    assert "£2bn" in found and "152" in found and "four" in found and "40 per cent" in found
    assert not {"14", "2016", "2023"} & set(found)


def test_counts_keep_a_number_that_is_not_a_date():
    assert counts("a 16-strong body") == ["16"]
    assert counts("In March 2023 and 2024.") == []


def test_a_location_is_the_place_a_sentence_puts_something_in_or_at():
    assert new_facts("We hosted an event in the House of Commons.", "where was it held?", "location") == \
        ["House of Commons"]
    assert new_facts("The event in March was held at Northbury Town Hall.", "where was it held?", "location") == \
        ["Northbury Town Hall"]


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
    ("We hosted an event in the House of Commons.", "location", True),
    ("Leeds, Bradford and Wakefield were chosen.", "location", True),
    ("MPs and Peers from across Parliament came together.", "location", False),  # names, but no "in/at" a place
    ("The pilot began in March 2024.", "location", False),  # a month is no place
    ("Sarah Cardell said so.", "name", True),
    ("she said so.", "name", False),
    ("The DfE agreed.", "organisation", True),
    ("The plan is entitled Stable Homes, Built on Love.", "title", True),
    ("The plan has no title.", "title", False),
    ("It was set out in the 2030 Hearth and Home, Built to Last strategy.", "title", True),
    ("The Quillfeather Trust said so.", "title", False),  # a name beside no kind of titled thing
    ("The hubs are known as Kin Together Centres.", "title", True),
    ("The biggest change is the move from a four-week inspection to more regular contact.", "change", True),
    ("Councils will no longer have to publish it.", "change", True),
    ("The inspections are tailored to each council.", "change", False),
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


def test_a_title_question_takes_the_title_of_the_kind_of_thing_it_asks_about():
    text = "The Step Up scheme grew, and the Hearth and Home, Built to Last strategy was published."
    assert new_facts(text, "What is the 2030 strategy called?", "title") == ["Hearth and Home, Built to Last"]
    assert new_facts(text, "What is the scheme called?", "title") == ["Step Up"]
    # a title the question already states is no answer
    assert new_facts(text, "What is in the Hearth and Home, Built to Last strategy?", "title") == []
