"""Briefing sections written by an LLM (a FakeLLM here) through the citation guard, with the extractive
section kept whenever the draft fails; without a writer a briefing is exactly the extractive one."""

from __future__ import annotations

import pytest

from assistant.assembly import build_section_writer
from assistant.briefing.build import build_briefing, uncited_lines
from assistant.briefing.llm_writer import LLMSectionWriter, single_source
from assistant.checks.guard import Evidence, Kept
from assistant.settings import Settings
from tests.assistant.briefing.test_build import FakeBot, KINSHIP
from tests.assistant.llm.fakes import FakeLLM, passages

pytestmark = pytest.mark.unit

TOPIC = "kinship care"
# The Overview's passages, numbered as the section prompt numbers them: [1] a#1, [2] a#0, [3] b#0
MEANS = "Kinship care means family or friends raising a child whose parents cannot care for them [1]."
FUNDS = "The DfE has allocated £44m to testing financial allowances for kinship carers in up to 10 areas [2]."
WARNED = "Kinship carers warned that the allowance risks leaving out most kinship families [3]."


def briefing(llm=None):
    writer = LLMSectionWriter(llm, sections=("Overview",)) if llm else None
    return build_briefing(FakeBot(KINSHIP), TOPIC, writer=writer)


def section(b, heading):
    return next(s for s in b.sections if s.heading == heading)


def content(s):
    """A section's text and sources (reference numbers change when another section cites differently)."""
    return [(item.segments, item.sources, item.label) for item in s.items]


def test_overview_written_by_the_llm_is_cited_per_source():
    llm = FakeLLM(f"{FUNDS} {MEANS}")
    b = briefing(llm)
    overview = section(b, "Overview")
    assert [item.segments[0] for item in overview.items] == [FUNDS[:-5] + ".", MEANS[:-5] + "."]
    assert [item.sources for item in overview.items] == [["a"], ["a"]]
    assert uncited_lines(b.markdown) == []
    assert "Overview: written by the LLM (openai); the citation guard kept 2 of 2 sentences" in b.notes
    _, user = llm.prompts[0]
    assert "<topic>kinship care</topic>" in user and "<section>Overview</section>" in user
    # the passages behind the extractive Overview, each fenced once: those the drafted sentences come from
    # among them, and no more passages than the Overview has points
    plain_points = len(section(briefing(), "Overview").items)
    assert 2 <= user.count("<passage ") <= plain_points
    assert FUNDS[:-5] in user and MEANS[:-5] in user


def test_other_sections_stay_extractive():
    plain, drafted = briefing(), briefing(FakeLLM(MEANS))
    for heading in ("Key facts and figures", "Timeline", "Who said what", "Criticisms and open questions"):
        assert content(section(plain, heading)) == content(section(drafted, heading))


def test_a_draft_the_guard_rejects_keeps_the_extractive_section():
    b = briefing(FakeLLM("Kinship care was abolished in 2019 [1]. The minister Rishi Sunak promised £9bn [2]. "
                         "Everyone agreed."))
    assert section(b, "Overview") == section(briefing(), "Overview")
    assert "Overview: extractive (the citation guard kept 0 of 3 LLM sentences)" in b.notes


def test_backend_failure_keeps_the_extractive_section():
    b = briefing(FakeLLM(TimeoutError("read timed out")))
    assert section(b, "Overview") == section(briefing(), "Overview")
    assert any(note.startswith("Overview: extractive (LLM backend unreachable: TimeoutError") for note in b.notes)


def test_without_a_writer_the_briefing_is_unchanged():
    plain = briefing()
    assert not any("LLM" in note for note in plain.notes)
    assert build_briefing(FakeBot(KINSHIP), TOPIC).markdown == plain.markdown


def test_a_sentence_citing_two_passages_keeps_the_one_that_supports_it():
    evidence = Evidence(passages())
    sentence = Kept("It recommended £2.6 billion of new investment over four years.", [2, 1])
    assert single_source(sentence, evidence) == 1
    assert single_source(Kept("Ofsted will inspect councils.", [1, 2]), evidence) == 0


def test_build_section_writer_only_with_a_backend():
    assert build_section_writer(Settings()) is None
    assert build_section_writer(Settings(llm_backend="openai", llm_briefing=False), FakeLLM()) is None
    assert isinstance(build_section_writer(Settings(llm_backend="openai"), FakeLLM()), LLMSectionWriter)
