"""Acronyms read off the corpus: definitions found, false brackets ignored, expansion both ways."""

from __future__ import annotations

import pytest

from assistant.retrieval.aliases import Aliases, definitions
from assistant.text.tokens import content_words

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("text, expected", [
    ("Officials at the Department for Education (DfE) agreed.", [("Department for Education", "DfE")]),
    ("It proposed regional care co-operatives (RCCs) for fostering.", [("regional care co-operatives", "RCC")]),
    ("The Association of Directors of Children’s Services (ADCS) said.",
     [("Association of Directors of Children’s Services", "ADCS")]),
    ("Funding for the Supporting Families (the SF) programme.", [("Supporting Families", "SF")]),
])
def test_definitions_find_the_long_form_the_acronym_spells(text, expected):
    assert definitions(text) == expected


@pytest.mark.parametrize("text", [
    "The inspectorate (Ofsted) visited.",  # a name in brackets, not the initials of the words before it
    "Prices rose sharply (see below).",  # not capitalised
    "The review (2022) was published.",  # a year
    "Josh MacAlister (Frontline) led it.",  # too long to be an acronym
    "Social workers (NB) were told.",  # capitalised, but not the initials of the preceding words
])
def test_definitions_ignore_brackets_that_are_not_acronyms(text):
    assert definitions(text) == []


def test_definitions_trim_the_long_form_to_the_spelled_words():
    found = definitions("Last year the government and the Department for Education (DfE) agreed.")
    assert found == [("Department for Education", "DfE")]


def test_expand_adds_the_long_form_of_an_acronym():
    aliases = Aliases.from_texts(["The Department for Education (DfE) said."])
    assert aliases.expand(content_words("What did the DfE say?")) >= set(content_words("Department for Education"))


def test_expand_adds_the_acronym_of_a_long_form():
    aliases = Aliases.from_texts(["The Department for Education (DfE) said."])
    assert "dfe" in aliases.expand(content_words("What did the Department for Education say?"))


def test_expand_needs_the_whole_long_form_for_the_acronym():
    aliases = Aliases.from_texts(["The Department for Education (DfE) said."])
    assert "dfe" not in aliases.expand(content_words("the department of health"))


def test_extra_lists_only_what_expansion_adds():
    aliases = Aliases.from_texts(["regional care co-operatives (RCCs) were proposed"])
    terms = content_words("Where are RCCs planned?")
    assert aliases.extra(terms) == sorted(set(content_words("regional care co-operatives")) - set(terms))


def test_from_texts_keeps_the_first_definition_and_the_everyday_abbreviations():
    aliases = Aliases.from_texts([
        "The Department for Education (DfE) said.",
        "Later the Department for Exports (DfE) disagreed.",
        "Regional care co-operatives (RCCs) and the new body (NEW) were discussed.",
    ])
    assert aliases.long_forms["dfe"] == frozenset(content_words("Department for Education"))
    assert aliases.long_forms["rcc"] == frozenset(content_words("regional care co-operatives"))
    assert "new" not in aliases.long_forms
    assert aliases.long_forms["ceo"] == frozenset(content_words("chief executive"))


@pytest.mark.parametrize("asked, written", [("What is missing from the plan?", "The plan lacks detail."),
                                            ("Who is worried about RCCs?", "TACT raised concerns about RCCs."),
                                            ("What do councils do?", "Local authorities commission placements.")])
def test_everyday_words_reach_the_way_the_articles_put_them(asked, written):
    aliases = Aliases.from_texts([])
    assert aliases.expand(content_words(asked)) & set(content_words(written)) - set(content_words(asked))


def test_empty_aliases_expand_to_the_terms_themselves():
    assert Aliases().expand({"dfe", "budget"}) == {"dfe", "budget"}


@pytest.mark.unit
@pytest.mark.parametrize("text, expected", [
    ("the Department for Education (DfE) and the regional care co-operatives (RCCs) met",
     [("Department for Education", "DfE"), ("regional care co-operatives", "RCC")]),
    ("one two three four five six seven eight nine ten Alpha Beta (AB).", [("Alpha Beta", "AB")]),
    ("the Children’s\nCommissioner (CC) said", [("Children’s Commissioner", "CC")]),  # over a line break
    ("a group (which met) said (Monday) nothing", []),
    ("(DfE) opens the text", []),
])
def test_definitions_read_the_long_form_back_from_each_bracketed_acronym(text, expected):
    from assistant.retrieval.aliases import definitions

    assert definitions(text) == expected
