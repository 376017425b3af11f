"""The extractive answerer on hand-made passages: cited sentences, the right kind of sentence, no repeats."""

from __future__ import annotations

import math
import re

import pytest

from assistant.answering.base import AnswerRequest
from assistant.answering.disagreements import ClaimIndex
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.models import Answer, Passage
from assistant.retrieval.store import StoredChunk
from assistant.settings import Settings
from assistant.text.sentences import strip_bullet
from assistant.text.tokens import content_words

pytestmark = pytest.mark.unit

CITED = re.compile(r"(.+?) \[(\d+)\](?= |$)")


def passage(n: int, text: str, score: float = 1.0, dense: float = 0.5, published: str = "2023-02-02") -> Passage:
    metadata = {"source_id": f"doc-{n}", "title": f"Document {n}", "publisher": f"Publisher {n}",
                "url": f"https://example.org/{n}", "published": published}
    return Passage(f"doc-{n}#0", text, metadata, score=score, dense=dense)


def idf_of(passages: list[Passage]) -> dict[str, float]:
    """IDF over the passages, as LexicalIndex computes it over chunks."""
    frequency: dict[str, int] = {}
    for p in passages:
        for term in set(content_words(p.text)):
            frequency[term] = frequency.get(term, 0) + 1
    return {term: math.log(1 + len(passages) / count) for term, count in frequency.items()}


def ask(question: str, passages: list[Passage], settings: Settings | None = None, **kwargs) -> Answer:
    answerer = ExtractiveAnswerer(settings or Settings(), idf_of(passages), **kwargs)
    return answerer.answer(AnswerRequest(question, question, passages))


def cited_sentences(answer: Answer) -> list[tuple[str, int]]:
    """(sentence, n) for each sentence of the answer body (before any 'Sources differ' note)."""
    body = answer.answer.split("\n\n")[0]
    pairs = [(text.strip(), int(n)) for text, n in CITED.findall(body)]
    assert " ".join(f"{text} [{n}]" for text, n in pairs) == body, "text outside a cited sentence"
    return pairs


STRATEGY = [
    passage(1, "The government published its strategy in February 2023. Family help will receive £45m over "
               "two years to test new approaches. Councils welcomed the plan."),
    passage(2, "Family help is a service that brings together early help and child in need support for families. "
               "It would be delivered by multidisciplinary teams in local areas.", score=0.8),
    passage(3, "The review set out its priorities:\n• family help for all families\n• a national children’s "
               "framework\n• more support for kinship carers\nThe government responded later.", score=0.7),
    passage(4, "The DfE rejected the proposal for regional care co-operatives. Instead, it will strengthen the "
               "existing role of local authorities. Ministers met council leaders in London.", score=0.6),
]
QUESTIONS = [
    "How much money will family help receive?",
    "What is family help?",
    "What were the priorities of the review?",
    "What did the DfE decide about the proposal for regional care co-operatives?",
    "When was the strategy published?",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_sentence_is_cited_and_each_citation_points_into_its_passage(question):
    answer = ask(question, STRATEGY)
    pairs = cited_sentences(answer)
    assert answer.status == "answered" and pairs
    by_n = {citation.n: citation for citation in answer.citations}
    assert sorted(by_n) == list(range(1, len(answer.citations) + 1))
    assert {n for _, n in pairs} == set(by_n)  # no citation without a sentence
    passages = {p.chunk_id: p for p in STRATEGY}
    for sentence, n in pairs:
        citation = by_n[n]
        assert citation.text == passages[citation.chunk_id].text
        assert sentence in citation.text
    for citation in answer.citations:
        assert citation.text[citation.start:citation.end] == citation.sentence
        assert strip_bullet(citation.sentence) in [sentence for sentence, n in pairs if n == citation.n]
        assert (citation.source_id, citation.url, citation.published) == (
            passages[citation.chunk_id].metadata["source_id"], passages[citation.chunk_id].metadata["url"],
            "2023-02-02")


def test_how_much_picks_the_sentence_with_the_amount():
    sentences = [sentence for sentence, _ in cited_sentences(ask("How much money will family help receive?", STRATEGY))]
    assert sentences == ["Family help will receive £45m over two years to test new approaches."]


def test_what_is_prefers_the_defining_sentence():
    question = "What is family help?"
    answerer = ExtractiveAnswerer(Settings(), idf_of(STRATEGY))
    best = max(answerer.candidates(question, STRATEGY), key=lambda c: c.score)
    assert best.text.startswith("Family help is a service")  # over the higher-ranked passage's £45m sentence
    assert best.text in ask(question, STRATEGY).answer


def test_a_definition_opening_a_passage_with_the_latter_is_read_after_the_passage_before():
    """'The latter provide …' defines what the passage before named last: retrieved or looked up by id."""
    meta = {"source_id": "hubs", "title": "Hubs", "publisher": "P", "url": "https://example.org/h"}
    named = Passage("hubs#000", "Ministers will extend regional fostering hubs to all council areas.", meta, score=1.0)
    defining = Passage("hubs#001", "The latter provide a single point of contact for people interested in fostering.",
                       meta, score=0.5)
    other = Passage("news#000", "Regional fostering hubs received £5m of the budget.", {**meta, "source_id": "news"},
                    score=0.9)
    question = "What do regional fostering hubs do?"
    idf = idf_of([named, defining, other])

    def definition_score(answerer, passages):
        return next(c for c in answerer.candidates(question, passages) if c.text.startswith("The latter")) \
            .features["definition_subject"]

    alone = ExtractiveAnswerer(Settings(), idf)
    assert definition_score(alone, [defining, other]) == 0.0  # nothing says what 'the latter' is
    looked_up = ExtractiveAnswerer(Settings(), idf, before=lambda chunk_id: named if chunk_id == "hubs#001" else None)
    expected = Settings().scoring.sentence.definition.anaphoric_subject
    assert definition_score(looked_up, [defining, other]) == expected
    assert definition_score(alone, [named, other, defining]) == expected  # the passage before, retrieved
    assert "single point of contact" in ask(question, [named, other, defining]).answer


def test_list_questions_return_the_list_items():
    answer = ask("What were the priorities of the review?", STRATEGY)
    sentences = [sentence for sentence, _ in cited_sentences(answer)]
    items = ["family help for all families", "a national children’s framework", "more support for kinship carers"]
    assert all(item in sentences for item in items)
    assert not any(sentence.startswith("•") for sentence in sentences)  # bullets are not shown


def test_a_contrasting_sentence_in_the_same_line_is_kept_for_a_general_question():
    question = "What did the DfE decide about the proposal for regional care co-operatives?"
    decision = "The DfE rejected the proposal for regional care co-operatives."
    contrast = "Instead, it will strengthen the existing role of local authorities."
    same_line = [passage(1, f"{decision} {contrast} Ministers met council leaders in London.")]
    next_line = [passage(1, f"{decision}\n{contrast}\nMinisters met council leaders in London.")]
    assert [s for s, _ in cited_sentences(ask(question, same_line))] == [decision, contrast]
    assert [s for s, _ in cited_sentences(ask(question, next_line))] == [decision]


def test_however_counts_as_a_contrast_too():
    question = "What did the DfE decide about the proposal for regional care co-operatives?"
    text = ("The DfE rejected the proposal for regional care co-operatives. However, councils may still volunteer "
            "to pool their commissioning. Ministers met council leaders in London.")
    sentences = [s for s, _ in cited_sentences(ask(question, [passage(1, text)]))]
    assert sentences[-1] == "However, councils may still volunteer to pool their commissioning."


def test_near_duplicate_sentences_are_not_both_chosen():
    question = "What did the DfE decide about the proposal for regional care co-operatives?"
    passages = [
        passage(1, "The DfE rejected the proposal for regional care co-operatives. Ministers met council leaders."),
        passage(2, "The DfE rejected the proposal for regional care co-operatives, it said. Observers were surprised.",
                score=0.9),
    ]
    sentences = [s for s, _ in cited_sentences(ask(question, passages))]
    assert sum(s.startswith("The DfE rejected the proposal") for s in sentences) == 1


def test_factoid_answers_stay_within_max_answer_words():
    passages = [
        passage(1, "Kinship carers will get £9m for training. Foster carers will get £27m for recruitment. "
                   "Family help will get £45m for pathfinders."),
        passage(2, "Councils will share £200m for children's homes. Agency pay will be capped at £40 an hour.",
                score=0.9),
    ]
    question = "How much funding will carers and councils get?"
    tight = ask(question, passages, Settings(max_answer_words=16))
    loose = ask(question, passages, Settings(max_answer_words=80))
    words = [len(" ".join(s for s, _ in cited_sentences(a)).split()) for a in (tight, loose)]
    assert words[0] <= 16 < words[1]


def test_sources_differ_note_cites_both_sides_with_their_dates():
    chunks = [StoredChunk("doc-1#0", "There are 152 councils in England.", {"source_id": "doc-1"}),
              StoredChunk("doc-2#0", "All 153 councils must comply.", {"source_id": "doc-2"})]
    passages = [passage(1, chunks[0].text, published="2023-02-10"), passage(2, chunks[1].text, published="2023-06-07")]
    answer = ask("How many councils are there in England?", passages[:1], claims=ClaimIndex(chunks),
                 passages_by_id={p.chunk_id: p for p in passages})
    assert answer.disagreements == [
        "Sources differ on the number of councils: Publisher 1 (2023-02-10) gives “152 councils” [1]; "
        "Publisher 2 (2023-06-07) gives “153 councils” [2]."]
    assert [c.chunk_id for c in answer.citations] == ["doc-1#0", "doc-2#0"]
    assert answer.answer.endswith(answer.disagreements[0])


def test_a_relative_date_answers_when_with_the_day_it_was_reported():
    text = "Ministers announced the pay cap this week. It applies to agency staff."
    answer = ask("When was the pay cap announced?", [passage(1, text, published="2023-09-14")])
    assert "(reported on 14 September 2023) [1]" in answer.answer


def test_stream_ends_with_the_finished_answer():
    answerer = ExtractiveAnswerer(Settings(), idf_of(STRATEGY))
    request = AnswerRequest(QUESTIONS[3], QUESTIONS[3], STRATEGY)
    parts = list(answerer.stream(request))
    assert parts[-1].answer == answerer.answer(request).answer
    assert all(parts[-1].answer.startswith(part.answer) for part in parts)


def test_a_sentence_that_only_announces_concerns_keeps_the_next_one_that_says_what_they_are():
    question = "What worried UNISON about the reforms?"
    lead = "However, UNISON has major concerns over the approach taken by the Government."
    detail = "There is no mention of how sustained cuts to council budgets have added to the pressures."
    text = f"The reforms aim to improve the lives of vulnerable children. {lead}\n\n{detail}\n\nMembers will be surveyed."
    sentences = [s for s, _ in cited_sentences(ask(question, [passage(1, text)]))]
    assert sentences[sentences.index(lead) + 1] == detail


def test_a_how_much_since_question_may_gather_more_figures_than_a_plain_one():
    text = ("Family help received £45m in 2023 to test the model in pathfinder areas. "
            "Family help received a further £200m from 2023-25 for testing in ten areas. "
            "Family help will receive £250m in 2025-26 to continue testing. "
            "Family help funding of £2bn was called for by the review.")
    plain = cited_sentences(ask("How much money has family help received for testing?", [passage(1, text)]))
    since = cited_sentences(ask("How much money has family help received for testing since 2023?", [passage(1, text)]))
    assert len(plain) <= 3 < len(since)


def test_stream_shows_whole_cited_sentences_even_when_a_quote_has_brackets():
    quote = passage(1, "“[Councils] have their eye on the child and on Ofsted,” Munro says. Councils fear a bad "
                       "Ofsted judgment. Directors are likely to get sacked after one.")
    answerer = ExtractiveAnswerer(Settings(), idf_of([quote]))
    request = AnswerRequest("What do councils fear about Ofsted?", "What do councils fear about Ofsted?", [quote])
    parts = [part.answer for part in answerer.stream(request)]
    assert parts[-1] == answerer.answer(request).answer
    assert all(re.search(r" \[\d+\]$", part) for part in parts)  # every step ends on a citation marker


def test_a_how_has_it_developed_question_prefers_milestones_with_amounts_or_dates():
    figure, plain = "Support for kinship carers developed with £44m.", "Support for kinship carers developed with funding."
    passages = [passage(1, f"{figure} {plain}")]
    answerer = ExtractiveAnswerer(Settings(), idf_of(passages))

    def scores(question: str) -> list[float]:
        return [c.score for c in sorted(answerer.candidates(question, passages), key=lambda c: c.start)]
    developed = scores("How has support for kinship carers developed since 2023?")
    assert developed[0] > developed[1]
    asked = scores("What support is there for kinship carers?")
    assert asked[0] == pytest.approx(asked[1])


def watch(n: int, text: str, publisher: str = "Care Watch (GOV.UK)", score: float = 1.0) -> Passage:
    p = passage(n, text, score=score)
    return Passage(p.chunk_id, p.text, {**p.metadata, "publisher": publisher}, score=score, dense=p.dense)


WORRIES = [
    watch(1, "Unlicensed children’s homes are illegal. We have seen a sharp rise in councils using unlicensed "
             "children’s homes."),
    watch(2, "Children placed in unlicensed homes have no independent oversight. Most unlicensed homes we find "
             "look after one child.", score=0.9),
    watch(3, "Unlicensed children’s homes were discussed at the conference. Some worry about unlicensed homes "
             "because placements break down.", publisher="The Daily Reporter", score=0.8),
]


def test_why_is_a_named_body_worried_is_answered_with_its_own_points():
    answer = ask("Why is Care Watch worried about councils placing children in unlicensed children's homes?", WORRIES)
    lines = answer.answer.split("\n")
    assert len(lines) >= 2 and all(line.startswith("- Care Watch: ") for line in lines)
    assert "illegal" in answer.answer and "no independent oversight" in answer.answer


def test_why_are_some_worried_is_answered_with_reasons_not_speakers():
    answer = ask("Why are some worried about unlicensed children's homes?", WORRIES)
    assert not answer.answer.startswith("- ")  # no speaker named: the reasons, whoever gives them


def test_what_did_a_named_body_say_without_a_statement_of_its_own_gets_the_sentences_naming_it():
    passages = [passage(1, "Ann Lee, director of the Carers Trust, said the kinship allowance was “a welcome first "
                           "step”."),
                passage(2, "The Northern Federation and Care Watch have raised misgivings about the kinship "
                           "allowance in the pilot areas.", score=0.9),
                passage(3, "Councils warned that the kinship allowance would stretch budgets.", score=0.8)]
    answer = ask("What did Care Watch say about the kinship allowance?", passages)
    # not other speakers' points under a question about Care Watch: the sentence that names it
    assert "Care Watch" in answer.answer.split("[")[0] and "Ann Lee" not in answer.answer.split("[")[0]


def test_a_named_speaker_and_a_group_asked_together_are_answered_as_points_whichever_ranks_first():
    """An asked group's point ('young people wanted …') may outrank the named speakers' points; the named
    speakers still have statements, so the answer is the points, not the sentences naming them."""
    minutes = [passage(1, "Amina, a member of the Children in Care Council, addressed the Committee. She said young "
                          "people wanted faster access to English classes after the asylum report."),
               passage(2, "Councillor Pell said the county was “doing more than its fair share” on the asylum "
                          "report. Councillor Whitcombe disagreed, saying the committee should focus on wellbeing.",
                       score=0.9)]
    answer = ask("How did Brackenshire councillors and young people respond to the asylum report?", minutes)
    lines = answer.answer.split("\n")
    assert len(lines) >= 2 and all(line.startswith("- ") for line in lines)
    assert "English classes" in answer.answer and "fair share" in answer.answer
