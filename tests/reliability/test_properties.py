"""Properties of cleaning, chunking and question checks over generated input (hypothesis).

Every call that could loop runs under a time limit, so a hang fails the example instead of the run.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.checks.scope import check_input, clean_question
from ingest.chunk import chunk_document
from ingest.clean import clean_text
from ingest.documents import SourceDocument
from tests.reliability.conftest import time_limit

pytestmark = [pytest.mark.reliability, pytest.mark.unit]

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LIMIT_S = 3.0

# Ordinary English as it appears in reform articles: plenty of function words, some domain nouns,
# some capitalised names, numbers and money. Nothing here is chrome by itself.
WORDS = """the a an of to in on for with and or but by from at as is are was were be been has have had
will would could should may must not this that these those it its they their them we our you your he she
his her who which what when where why how all some many more most other new first last each every any
council councils social work worker workers care children child family families young people review
report government department education committee reform reforms plan plans policy funding money budget
pressure workload practice model models evidence support help services service local authority
authorities court courts kinship foster placement placements adoption share print sign up log out
reply email comments comment post posted entry subscribe donate here read more photo picture image
logo credit feed link page news jobs salary per year month week day said says told announced published
warned called agreed rejected proposed recommended""".split()
NAMES = "Munro MacAlister Ofsted England London Labour Conservatives January March October Community Care".split()
NUMBERS = ["2016", "2023", "2024", "10", "3", "£2.6bn", "£45m", "40%", "£30,000", "£40,000", "1.5"]


def _capitalise(word: str) -> str:
    return word[:1].upper() + word[1:]


sentence_words = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(NAMES), st.sampled_from(NUMBERS)),
                          min_size=2, max_size=18)
# Common ways a sentence in an article opens (some share their first words with page chrome).
OPENERS = ["The council", "Share this", "Share on", "Log out", "This entry was posted in", "3 comments on",
           "£30,000 to £40,000 a year", "Read more", "Sign up", "Support us", "Reply to", "Photo evidence",
           "Most popular", "In October", "According to"]
sentences = st.builds(lambda first, rest, end: " ".join([_capitalise(first), *rest]) + end,
                      st.one_of(st.sampled_from(WORDS + NAMES), st.sampled_from(OPENERS)), sentence_words,
                      st.sampled_from([".", ".", ".", "?", "!"]))
paragraphs = st.lists(sentences, min_size=1, max_size=6).map(" ".join)
articles = st.lists(paragraphs, min_size=1, max_size=6)

# Text that looks like documents and feed dumps: lines of words, URLs, markup, other scripts, blank lines.
ODD = ["]]>", "<![CDATA[", "https://example.org/a/b", "#comments", "/feed/", "Photo:", ":", "here", "£",
       "极速赛车", "Привет", "مرحبا", "\u200b", "\ufeff", "\x00", "\r\n", "\t", "…", "...", "•", "1.", "-", "/",
       "Reply", "Share", "Logo", "Read more: here", "Salary: £30,000 - £40,000"]
tokens = st.one_of(st.sampled_from(WORDS), st.sampled_from(NAMES), st.sampled_from(NUMBERS), st.sampled_from(ODD),
                   st.text(max_size=12))
lines = st.lists(tokens, max_size=25).map(" ".join)
documentish = st.lists(st.one_of(lines, st.just("")), max_size=40).map("\n".join)
any_text = st.one_of(st.text(max_size=3000), documentish)


def _document(text: str) -> SourceDocument:
    return SourceDocument(source_id="doc-p", title="A title", publisher="Pub", published="2024-01-31",
                          url="https://example.org/p", file="p.txt", text=text)


# -- clean_text ---------------------------------------------------------------------------------
@PROPERTY
@given(any_text)
def test_clean_text_never_raises(raw):
    with time_limit(LIMIT_S, "clean_text"):
        result = clean_text(raw)
    assert isinstance(result.text, str)


@PROPERTY
@given(articles)
@example(["The council met on Monday.", "Share this report with colleagues.", "It agreed the plan."])
def test_clean_paragraphs_of_ordinary_sentences_come_through_unchanged(paragraph_list):
    raw = "\n\n".join(paragraph_list)
    with time_limit(LIMIT_S, "clean_text"):
        cleaned = clean_text(raw).text
    for paragraph in paragraph_list:
        assert paragraph in cleaned, f"clean_text removed or changed an ordinary paragraph: {paragraph!r}"


# -- chunk_document ------------------------------------------------------------------------------
def _words_in_order(needles: list[str], haystack: list[str]) -> str | None:
    """None when needles is a subsequence of haystack, else the first word that is missing."""
    position = 0
    for word in needles:
        try:
            position = haystack.index(word, position) + 1
        except ValueError:
            return word
    return None


def _chunk(text: str, chunk_words: int, max_chars: int):
    with time_limit(LIMIT_S, f"chunk_document(max_chars={max_chars})"):
        return chunk_document(_document(text), chunk_words=chunk_words, max_chars=max_chars)


@PROPERTY
@given(any_text, st.integers(5, 200), st.integers(40, 2400))
def test_chunk_document_never_raises_and_respects_max_chars(text, chunk_words, max_chars):
    chunks = _chunk(text, chunk_words, max_chars)
    for chunk in chunks:
        assert len(chunk.text) <= max_chars, (len(chunk.text), max_chars)
        assert chunk.text.strip()


# Blocks as the cleaner leaves them: paragraphs, list lead-ins with bullets, headings (unique, unpunctuated).
bullets = st.lists(st.builds(lambda marker, s: f"{marker} {s}", st.sampled_from(["•", "-", "1.", "2)"]), sentences),
                   min_size=1, max_size=5).map("\n".join)
lead_ins = st.builds(lambda s: s.rstrip(".?!") + ":", sentences)
blocks = st.lists(st.one_of(paragraphs, paragraphs, bullets, lead_ins, st.just("HEADING")), min_size=1, max_size=14)


def _with_unique_headings(block_list: list[str]) -> str:
    out = []
    for number, block in enumerate(block_list):
        out.append(f"Heading number {number} about reform" if block == "HEADING" else block)
    return "\n\n".join(out)


@PROPERTY
@given(blocks, st.integers(5, 200), st.integers(60, 2400))
@example(["Improving the skills:", "• First aim here.", "Family help is new."], 120, 2400)
@example(["The the the. The the the the the the the the the the the were MacAlister."], 5, 60)
def test_chunks_keep_every_word_of_the_document_in_order(block_list, chunk_words, max_chars):
    text = _with_unique_headings(block_list)
    chunks = _chunk(text, chunk_words, max_chars)
    # Headings become chunk metadata ("section"), so read each section heading where it starts.
    stream: list[str] = []
    section = None
    for chunk in chunks:
        assert len(chunk.text) <= max_chars
        if chunk.metadata["section"] != section:
            section = chunk.metadata["section"]
            stream += section.split()
        stream += chunk.text.split()
    missing = _words_in_order(text.split(), stream)
    assert missing is None, f"word {missing!r} of the document is missing (or out of order) in the chunks"


# -- question checks -------------------------------------------------------------------------------
questions = st.one_of(st.none(), st.text(max_size=3000), st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
                      st.builds(lambda a, b: a + "<" + b + ">" + a, st.text(max_size=50), st.text(max_size=300)))


@PROPERTY
@given(questions, st.integers(0, 5000))
def test_clean_question_and_check_input_never_raise(raw, max_chars):
    with time_limit(LIMIT_S, "clean_question/check_input"):
        cleaned = clean_question(raw)
        verdict = check_input(raw, cleaned, max_chars)
    assert isinstance(cleaned, str)
    assert "\u200b" not in cleaned and "\x00" not in cleaned
    assert verdict is None or verdict.reason in {"too_long", "empty", "instructions"}
    if raw is not None and len(raw) > max_chars:
        assert verdict is not None and verdict.reason == "too_long"
