"""Each feature of the extractive answerer's score alone: when it fires, when it does not, and that its sign and
size come from the scoring config (doubling a weight doubles the term); and that a score is its features' sum."""

from __future__ import annotations

import math

import pytest

from assistant.answering import features
from assistant.answering.base import AnswerRequest
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.models import Passage
from assistant.question.kinds import years_in_scope
from assistant.scoring import (AnswerKindWeights, ClaimWeights, DefinitionWeights, MilestoneWeights, OverlapWeights,
                               ProximityWeights, RetrievalWeights, ScoringConfig, ShapeWeights, YearWeights)
from assistant.settings import Settings
from assistant.text.tokens import content_words

pytestmark = pytest.mark.unit


def doubled(section, *names):
    """The config section with the named weights doubled."""
    return section.model_copy(update={name: 2 * getattr(section, name) for name in names})


# -- term_overlap and query_overlap ---------------------------------------------------------------------


def test_query_overlap_is_the_share_of_the_question_weight_held():
    weights = {"kinship": 3.0, "carer": 1.0}
    assert features.query_overlap(weights, {"kinship", "allowance"}, set(), OverlapWeights()) == pytest.approx(0.75)
    assert features.query_overlap(weights, {"allowance"}, set(), OverlapWeights()) == 0.0


def test_query_overlap_counts_an_alias_match_at_the_alias_weight():
    weights = {"ecf": 2.0, "framework": 2.0}
    config = OverlapWeights()
    alias_only = features.query_overlap(weights, set(), {"ecf"}, config)
    assert alias_only == pytest.approx(config.alias * 0.5)
    assert features.query_overlap(weights, set(), {"ecf"}, doubled(config, "alias")) == pytest.approx(2 * alias_only)


def test_term_overlap_scales_with_its_weight_and_inherits_from_a_better_predecessor():
    config = OverlapWeights()
    alone = features.term_overlap(0.4, 0.0, config)
    assert alone == pytest.approx(config.weight * 0.4)
    assert features.term_overlap(0.4, 0.0, doubled(config, "weight")) == pytest.approx(2 * alone)
    continued = features.term_overlap(0.4, 1.0, config)  # the sentence after a better match continues it
    assert continued == pytest.approx(config.weight * (0.4 + config.continuation * 0.6))
    assert features.term_overlap(0.4, 0.2, config) == alone  # a weaker predecessor lends nothing
    assert features.term_overlap(0.0, 0.0, config) == 0.0


# -- fused_rank and dense_similarity ----------------------------------------------------------------------


def test_fused_rank_is_relative_to_the_best_passage():
    config = RetrievalWeights()
    assert features.fused_rank(2.0, 2.0, config) == pytest.approx(config.fused)
    assert features.fused_rank(1.0, 2.0, config) == pytest.approx(config.fused / 2)
    assert features.fused_rank(0.0, 2.0, config) == 0.0
    assert features.fused_rank(1.0, 2.0, doubled(config, "fused")) == pytest.approx(config.fused)


def test_dense_similarity_scales_the_cosine():
    config = RetrievalWeights()
    assert features.dense_similarity(0.6, config) == pytest.approx(0.6 * config.dense)
    assert features.dense_similarity(0.0, config) == 0.0
    assert features.dense_similarity(0.6, doubled(config, "dense")) == pytest.approx(1.2 * config.dense)


# -- answer_kind_match ------------------------------------------------------------------------------------

HOW_MUCH = "How much will family help receive?"


@pytest.mark.parametrize("text, kind, query, dated, weight", [
    ("Family help will receive £45m over two years.", "money", HOW_MUCH, False, "new_fact"),
    ("Family help was first funded in 2019 by the department.", "money", HOW_MUCH, False, "no_fact"),
    ("The strategy was published on 2 February 2023 by the DfE.", "date", "When was the strategy published?",
     False, "full_date"),
    ("The strategy was published in 2023 by the department.", "date", "When was the strategy published?",
     False, "new_fact"),
    ("The department published the strategy this week.", "date", "When was the strategy published?", True,
     "recent_day"),
    ("“We are deeply worried,” said Mike Short of the union.", "name", "Who spoke for UNISON?", False, "spoken_name"),
    ("Councils objected because funding was cut.", "reason", "Why did councils object?", False, "reason"),
    ("Councils met ministers in London last year.", "reason", "Why did councils object?", False, "no_reason"),
    ("The reforms are welcome, the charity said.", "opinion", "What does the charity think?", False, "opinion"),
    ("Family help is a service for families.", "definition", "What is family help?", False, "other_kind"),
])
def test_answer_kind_match_fires_with_its_configured_weight(text, kind, query, dated, weight):
    config = AnswerKindWeights()
    value = features.answer_kind_match(text, kind, query, dated, None, config)
    assert value == getattr(config, weight) != 0.0
    assert features.answer_kind_match(text, kind, query, dated, None, doubled(config, weight)) == 2 * value


def test_answer_kind_match_repeated_fact_is_a_smaller_reward_than_a_new_one():
    config = AnswerKindWeights()
    # the question already states £45m: the sentence only repeats it
    value = features.answer_kind_match("Family help will receive £45m.", "money", "Is it £45m for family help?",
                                       False, None, config)
    assert value == config.repeated_fact < config.new_fact


def test_answer_kind_match_is_silent_for_general_questions_and_views_without_a_view():
    config = AnswerKindWeights()
    assert features.answer_kind_match("Family help will receive £45m.", "general", "Tell me about family help",
                                      False, None, config) == 0.0
    assert features.answer_kind_match("Councils met in London.", "opinion", "What does the charity think?",
                                      False, None, config) == 0.0


def test_answer_kind_match_uses_the_facts_it_is_given():
    config = AnswerKindWeights()
    text = "Family help will receive £45m over two years."
    # no fact new to the question: the amount it holds only counts as one of the kind asked
    assert features.answer_kind_match(text, "money", HOW_MUCH, False, [], config) == config.repeated_fact
    assert features.answer_kind_match(text, "money", HOW_MUCH, False, ["£45m"], config) == config.new_fact


# -- fact_proximity ---------------------------------------------------------------------------------------


def test_fact_proximity_prefers_a_fact_near_the_words_asked_about():
    config = ProximityWeights()
    near = "The department gave £44m for kinship carers this year."
    far = "Kinship carers were mentioned in a long list, where it gave £44m."  # eleven words apart
    assert features.fact_proximity(near, ["£44m"], {"kinship"}, config) == config.near
    assert features.fact_proximity(far, ["£44m"], {"kinship"}, config) == config.far
    assert features.fact_proximity(near, ["£44m"], {"kinship"}, doubled(config, "near")) == 2 * config.near


def test_fact_proximity_is_silent_without_a_fact_or_a_word_asked_about():
    config = ProximityWeights()
    text = "The department gave £44m for kinship carers this year."
    assert features.fact_proximity(text, [], {"kinship"}, config) == 0.0
    assert features.fact_proximity(text, ["£44m"], set(), config) == 0.0
    assert features.fact_proximity(text, ["£44m"], {"adoption"}, config) == 0.0
    far_away = "Kinship " + "word " * 20 + "£44m."
    assert features.fact_proximity(far_away, ["£44m"], {"kinship"}, config) == 0.0


# -- sentence_shape ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, weight", [
    ("Further reading.", "short"),
    ("The government set out three aims for the reform:", "lead_in"),
    ("What should the government do about the care market now?", "question"),
    ("Find out more about the whole reform programme at https://example.org/reform today.", "url"),
])
def test_sentence_shape_penalises_poor_answers_by_their_configured_weight(text, weight):
    config = ShapeWeights()
    value = features.sentence_shape(text, False, config)
    assert value == getattr(config, weight) < 0
    assert features.sentence_shape(text, False, doubled(config, weight)) == 2 * value


def test_sentence_shape_spares_a_plain_sentence_and_a_list_question_s_short_items():
    config = ShapeWeights()
    assert features.sentence_shape("Family help will receive £45m over two years.", False, config) == 0.0
    assert features.sentence_shape("Further reading.", True, config) == 0.0
    assert features.sentence_shape("The government set out three aims for the reform:", True, config) == 0.0


def test_sentence_shape_adds_its_penalties():
    config = ShapeWeights()
    assert features.sentence_shape("See https://example.org?", False, config) == pytest.approx(
        config.short + config.question + config.url)


# -- definition_subject -----------------------------------------------------------------------------------


def test_definition_subject_rewards_a_sentence_defining_what_was_asked():
    config = DefinitionWeights()
    text = "Family help is a service that brings together early help and child in need support."
    value = features.definition_subject(text, "definition", "family help", "", config)
    assert value == pytest.approx(config.mentions + config.subject)
    assert features.definition_subject(text, "definition", "family help", "", doubled(config, "mentions", "subject")
                                       ) == pytest.approx(2 * value)


def test_definition_subject_follows_an_anaphoric_subject_only_after_the_thing_was_named():
    config = DefinitionWeights()
    text = "It is a service delivered by multidisciplinary teams."
    assert features.definition_subject(text, "definition", "family help", "Family help in local areas",
                                       config) == config.anaphoric_subject
    assert features.definition_subject(text, "definition", "family help", "Kinship care", config) == 0.0


def test_definition_subject_is_silent_for_other_questions_and_docks_a_quote():
    config = DefinitionWeights()
    text = "Family help is a service for families."
    assert features.definition_subject(text, "money", "family help", "", config) == 0.0
    assert features.definition_subject(text, "definition", "", "", config) == 0.0
    quoted = "“Family help is a lifeline,” said the charity."
    assert features.definition_subject(quoted, "definition", "family help", "", config) == pytest.approx(
        config.mentions + config.subject + config.quoted)
    assert features.definition_subject(quoted, "definition", "family help", "", doubled(config, "quoted")
                                       ) == pytest.approx(config.mentions + config.subject + 2 * config.quoted)


# -- claim_match ------------------------------------------------------------------------------------------


def test_claim_match_rewards_the_sentence_stating_the_count_asked_for():
    config = ClaimWeights()
    text = "England has 153 councils responsible for children's services."
    terms = set(content_words("How many councils are there in England?"))
    assert features.claim_match(text, "number", terms, config) == config.match > 0
    assert features.claim_match(text, "number", terms, doubled(config, "match")) == 2 * config.match


def test_claim_match_is_silent_for_another_count_or_another_kind_of_question():
    config = ClaimWeights()
    text = "England has 153 councils responsible for children's services."
    assert features.claim_match(text, "number", set(content_words("How many social workers left?")), config) == 0.0
    assert features.claim_match(text, "definition", set(content_words("What are councils?")), config) == 0.0
    assert features.claim_match("Councils welcomed the plan.", "number", {"council"}, config) == 0.0


# -- year_mismatch ----------------------------------------------------------------------------------------


def test_year_mismatch_penalises_another_year_named_or_published():
    config = YearWeights()
    years = years_in_scope("What did the 2016 vision promise?")
    assert features.year_mismatch("In 2023 the department set out a new plan.", "2023-02-02", years, "general",
                                  config) == config.other_year < 0
    assert features.year_mismatch("The department set out £45m.", "2023-02-02", years, "money",
                                  config) == config.other_published < 0
    assert features.year_mismatch("In 2023 the department set out a new plan.", "2023-02-02", years, "general",
                                  doubled(config, "other_year")) == 2 * config.other_year


def test_year_mismatch_is_silent_for_the_year_asked_for_date_questions_and_no_year():
    config = YearWeights()
    years = years_in_scope("What did the 2016 vision promise?")
    assert features.year_mismatch("In 2016 the department set out a vision.", "2023-02-02", years, "general",
                                  config) == 0.0
    assert features.year_mismatch("In 2023 the department set out a new plan.", "2023-02-02", years, "date",
                                  config) == 0.0
    assert features.year_mismatch("In 2023 the department set out a new plan.", "2023-02-02", None, "general",
                                  config) == 0.0
    assert features.year_mismatch("The department set out £45m.", None, years, "money", config) == 0.0
    assert features.year_mismatch("The department set out a plan.", "2023-02-02", years, "general", config) == 0.0


# -- milestone --------------------------------------------------------------------------------------------


def test_milestone_rewards_an_amount_or_a_date_in_a_broad_answer_only():
    config = MilestoneWeights()
    assert features.milestone("In March 2023 it added £45m.", True, config) == config.bonus > 0
    assert features.milestone("In March 2023 it added £45m.", True, doubled(config, "bonus")) == 2 * config.bonus
    assert features.milestone("In March 2023 it added £45m.", False, config) == 0.0
    assert features.milestone("Councils welcomed the plan.", True, config) == 0.0


# -- the sum ----------------------------------------------------------------------------------------------

NAMES = ["term_overlap", "fused_rank", "dense_similarity", "answer_kind_match", "fact_proximity", "sentence_shape",
         "definition_subject", "claim_match", "year_mismatch", "milestone"]
PASSAGES = [
    Passage("a#0", "The government published its strategy in February 2023. Family help will receive £45m over two "
                   "years to test new approaches. Councils welcomed the plan.",
            {"source_id": "a", "published": "2023-02-02"}, score=1.0, dense=0.6),
    Passage("b#0", "Family help is a service that brings together early help and support for families. It would be "
                   "delivered by multidisciplinary teams. See https://example.org?",
            {"source_id": "b", "published": "2016-07-01"}, score=0.5, dense=0.4),
]


def answerer(settings: Settings | None = None) -> ExtractiveAnswerer:
    frequency: dict[str, int] = {}
    for p in PASSAGES:
        for term in set(content_words(p.text)):
            frequency[term] = frequency.get(term, 0) + 1
    idf = {term: math.log(1 + len(PASSAGES) / count) for term, count in frequency.items()}
    return ExtractiveAnswerer(settings or Settings(), idf)


def test_score_is_the_sum_of_its_parts_in_order():
    assert features.score({"a": 0.1, "b": 0.2, "c": -0.3}) == 0.1 + 0.2 + -0.3
    assert features.score([0.5, 0.25]) == 0.75
    assert features.score({}) == 0


@pytest.mark.parametrize("question", ["How much will family help receive?", "What is family help?",
                                      "What did the 2016 plan say about family help?"])
def test_every_candidate_keeps_its_named_features_and_scores_their_sum(question):
    candidates = answerer().candidates(question, PASSAGES)
    assert candidates
    for candidate in candidates:
        assert list(candidate.features) == NAMES
        assert candidate.score == sum(candidate.features.values())
    fired = {name for c in candidates for name, value in c.features.items() if value}
    assert {"term_overlap", "fused_rank", "dense_similarity"} <= fired


def test_the_scoring_config_reaches_the_answerer_from_settings():
    question = "How much will family help receive?"
    base = answerer().candidates(question, PASSAGES)
    config = ScoringConfig()
    heavier = config.model_copy(update={"sentence": config.sentence.model_copy(
        update={"answer_kind": doubled(config.sentence.answer_kind, "new_fact", "no_fact")})})
    changed = answerer(Settings(scoring=heavier)).candidates(question, PASSAGES)
    for before, after in zip(base, changed):
        assert after.features["answer_kind_match"] == 2 * before.features["answer_kind_match"]
        assert after.features["term_overlap"] == before.features["term_overlap"]
    assert any(b.score != a.score for b, a in zip(base, changed))


def test_a_selection_cap_from_the_config_limits_the_answer():
    question = "How much will family help receive, and what is it?"
    config = ScoringConfig()
    one = config.model_copy(update={"selection": config.selection.model_copy(
        update={"factoid_sentences": 1, "floor_share": 0.0, "floor_min": -10.0})})
    wide = config.model_copy(update={"selection": config.selection.model_copy(
        update={"floor_share": 0.0, "floor_min": -10.0})})
    assert len(answerer(Settings(scoring=one)).select(question, PASSAGES)) == 1
    assert len(answerer(Settings(scoring=wide)).select(question, PASSAGES)) > 1


def test_every_weight_has_a_reason_and_a_misspelt_one_is_refused(monkeypatch):
    def fields(model):
        for name, info in type(model).model_fields.items():
            value = getattr(model, name)
            if hasattr(type(value), "model_fields"):
                yield from fields(value)
            else:
                yield name, info
    for name, info in fields(ScoringConfig()):
        assert info.description and len(info.description) > 20, name
    monkeypatch.setenv("ASSISTANT_SCORING__SELECTION__FLOOR_SHARE", "0.7")
    assert Settings().scoring.selection.floor_share == 0.7
    monkeypatch.setenv("ASSISTANT_SCORING__SELECTION__FLOOR_SHAER", "0.7")
    with pytest.raises(ValueError):
        Settings()


def test_an_answer_is_unchanged_by_reading_the_query_once():
    """answer() reads the query once (Asked); its sentences are the ones select() picks from the query alone."""
    bot = answerer()
    question = "How much will family help receive?"
    answer = bot.answer(AnswerRequest(question, question, PASSAGES))
    chosen = bot.select(question, PASSAGES)
    assert answer.status == "answered"
    assert [c.text.strip() in answer.answer for c in chosen] == [True] * len(chosen)
