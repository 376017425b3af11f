"""Sentence splitting: offsets into the original text, list items, abbreviations."""

from __future__ import annotations

import pytest

from assistant.text.sentences import sentence_spans, sentences

pytestmark = pytest.mark.unit


def spans_text(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


@pytest.mark.parametrize("text, expected", [
    ("Family help starts in 2025. Councils will lead it.", ["Family help starts in 2025.", "Councils will lead it."]),
    ("Mr. Smith met Dr. Jones. They agreed.", ["Mr. Smith met Dr. Jones.", "They agreed."]),
    ("Prof. Munro spoke, e.g. on reviews. Cllr. Ward replied.", ["Prof. Munro spoke, e.g. on reviews.", "Cllr. Ward replied."]),
    ("It was set by J. K. Rowling. She wrote.", ["It was set by J. K. Rowling.", "She wrote."]),
    ("The pot is £2.6bn. It runs to 2026.", ["The pot is £2.6bn.", "It runs to 2026."]),
    ("Will it work? “Yes,” she said. (Unclear.) Next!", ["Will it work?", "“Yes,” she said.", "(Unclear.)", "Next!"]),
    ("A lowercase follow-on. so this stays joined.", ["A lowercase follow-on. so this stays joined."]),
    # a name with a question or exclamation mark in it is not two sentences; a question before one still is
    ("The charity Who Cares? Scotland, has warned. Jane Roe of Who Cares? Scotland said so.",
     ["The charity Who Cares? Scotland, has warned.", "Jane Roe of Who Cares? Scotland said so."]),
    ("They went to Yahoo! Answers for it.", ["They went to Yahoo! Answers for it."]),
    ("Who pays for Family Help? The Treasury does.", ["Who pays for Family Help?", "The Treasury does."]),
])
def test_sentence_spans_split_at_sentence_ends_but_not_abbreviations(text, expected):
    assert spans_text(text) == expected


def test_sentence_spans_treat_each_list_item_and_line_as_a_sentence():
    text = "The aims are:\n• family help for all\n- a national framework\n1. Numbered item. Its detail.\nNo full stop"
    assert spans_text(text) == [
        "The aims are:", "• family help for all", "- a national framework", "1. Numbered item.", "Its detail.",
        "No full stop",
    ]


def test_sentence_spans_are_offsets_into_the_original_text():
    text = "  Leading spaces. Then more.\n\n\n   Indented line here.  \n"
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["Leading spaces.", "Then more.", "Indented line here."]
    assert all(a < b for a, b in spans) and spans == sorted(spans)
    assert sentences(text) == [text[a:b] for a, b in spans]


def test_sentence_spans_of_blank_text_are_empty():
    assert sentence_spans("") == [] and sentence_spans(" \n \n") == []
