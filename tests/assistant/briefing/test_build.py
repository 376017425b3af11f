"""Briefings for trainers: sections, citations on every line, coverage of the evaluation facts, exports."""

from __future__ import annotations

import io
import json
import re
import statistics
import time
from types import SimpleNamespace

import pytest

from assistant.briefing.build import build_briefing, uncited_lines
from assistant.briefing.export import render
from assistant.briefing.model import SECTIONS
from assistant.briefing.sentences import find_speaker, speaker_at_start
from assistant.briefing.sentences import headings_of, quotable_units
from assistant.briefing.topic import Topic, close_terms, corpus_idf, topic_terms
from assistant.models import Passage
from assistant.scoring import (BriefingGathering, BriefingSections, BriefingSentenceScore, BriefingText,
                               BriefingTopic, BriefingWeights, SectionLimits)
from assistant.text.tokens import content_words
from tests.conftest import REPO

QUESTIONS = REPO / "evals" / "questions.jsonl"
CITE = re.compile(r"\[(\d+)\]")


def briefing_items() -> list[dict]:
    """The `kind: briefing` lines of the evaluation set."""
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    return [item for item in map(json.loads, filter(str.strip, lines)) if item["kind"] == "briefing"]


def coverage(markdown: str, facts: list[list[str]]) -> float:
    """Share of fact groups with at least one string in the markdown (case-insensitive)."""
    text = markdown.lower()
    return sum(any(s.lower() in text for s in group) for group in facts) / len(facts)


def reference_numbers(markdown: str) -> set[int]:
    """Numbers of the entries in the References section."""
    tail = markdown.split("\n## References\n", 1)[-1]
    return {int(m.group(1)) for m in re.finditer(r"^(\d+)\. ", tail, re.M)}


def cited_numbers(markdown: str) -> set[int]:
    """Every [n] used before the References section."""
    head = markdown.split("\n## References\n", 1)[0]
    return {int(n) for n in CITE.findall(head)}


# -- a small fake assistant, so the logic is tested without a model or an index ---------------
def chunk(cid: str, source: str, position: int, text: str, published: str = "2023-02-07",
          publisher: str = "Community Care") -> SimpleNamespace:
    meta = {"source_id": source, "title": f"Article {source}", "publisher": publisher, "url": f"https://example.org/{source}",
            "published": published, "section": "", "position": position}
    return SimpleNamespace(id=cid, text=text, metadata=meta)


class FakeBot:
    """Retrieval by word overlap over hand-made chunks; dense similarity from the same overlap."""

    def __init__(self, chunks):
        self.chunks = chunks
        self.index_info = {"corpus_version": "test-version"}

    def retrieve(self, query: str, k: int | None = None, filters=None) -> list[Passage]:
        terms = set(content_words(query))
        scored = []
        for c in self.chunks:
            share = len(terms & set(content_words(c.text))) / max(1, len(terms))
            if share:
                scored.append(Passage(c.id, c.text, c.metadata, score=share, dense=0.3 + 0.6 * share))
        return sorted(scored, key=lambda p: (-p.score, p.chunk_id))[: k or 6]


KINSHIP = [
    chunk("a#0", "a", 0, "The DfE has allocated £44m to testing financial allowances for kinship carers in up to 10 areas. "
                         "Kinship carers look after children who cannot live with their parents."),
    chunk("a#1", "a", 1, "Kinship care means family or friends raising a child whose parents cannot care for them. "
                         "On 14 January 2016, the government published a kinship care plan for carers. "
                         "The charity Kinship said: “The kinship allowance trial must not paralyse progress.”"),
    chunk("b#0", "b", 0, "Kinship carers warned that the allowance risks leaving out most kinship families. "
                         "It remains unclear whether the kinship allowance will be rolled out nationally.",
          published="2024-10-31"),
    chunk("c#0", "c", 0, "Weather in the north was wet for most of the year and nobody minded at all."),
] + [chunk(f"d#{i}", "d", i, f"Children's social care services need care leavers' views, point {i} of the care plan.")
     for i in range(4)]


@pytest.fixture
def fake_briefing():
    return build_briefing(FakeBot(KINSHIP), "kinship care")


# -- unit --------------------------------------------------------------------------------------
@pytest.mark.unit
def test_uncited_lines_flags_a_hand_made_bad_example():
    bad = "\n".join([
        "# Briefing: x", "", "_Generated 2024-01-01 · corpus version v · 1 sources_", "",
        "## Overview", "", "First sentence is cited. [1] Second sentence is not.", "",
        "## Key facts and figures", "", "- A fact with no citation", "- A cited fact (Community Care, 2023-02-07) [1]",
        "- **2023-02-02**: A dated event [1]", "- Two sentences here. Only one is cited [1]", "",
        "## References", "", "1. Title. Publisher, 2023-02-07. https://example.org",
    ])
    assert uncited_lines(bad) == ["First sentence is cited. [1] Second sentence is not.",
                                  "- A fact with no citation", "- Two sentences here. Only one is cited [1]"]


@pytest.mark.unit
def test_uncited_lines_accepts_cited_lines_notes_and_references():
    good = "\n".join([
        "# Briefing: x", "", "_Generated 2024-01-01 · corpus version v · 1 sources_", "",
        "_The documents say little about x; this briefing is short._", "", "## Overview", "",
        "One. [1] Two. [2]", "", "## Key facts and figures", "",
        "- Sources differ on the councils: A (2023-02-20) gives “152 councils” [1]; B (2023-06-07) gives “153 local authorities” [2]",
        "- **DfE**: The DfE said it would act. [2]", "", "## References", "", "1. No citation needed here", "2. Nor here",
    ])
    assert uncited_lines(good) == []


@pytest.mark.unit
@pytest.mark.parametrize("sentence, previous, expected", [
    ("The DfE said it would set up a national workload action group.", "", "DfE"),
    ("“It is vital,” said ADCS president Steve Crocker.", "", "ADCS president Steve Crocker"),
    ("Responding to the reforms, Sarah Cardell, now CEO of the CMA, said: “We are pleased.”", "", "Sarah Cardell, now CEO of the CMA"),
    ("According to the Local Government Association, councils face £3.4bn in pressures.", "", "Local Government Association"),
    ("It said these measures would address the shortage.", "DfE", "DfE"),
    ("However, the DfE was criticised, including by Kinship, for not providing support.", "", ""),
    ("The reforms will cost £2.6bn over four years.", "", ""),
])
def test_find_speaker_names_the_organisation_or_person_not_the_article(sentence, previous, expected):
    passage = Passage("x#0", sentence, {"publisher": "Community Care"})
    assert find_speaker(sentence, previous, passage, 0) == expected


@pytest.mark.unit
def test_a_quotation_of_several_paragraphs_keeps_its_speaker_across_chunks():
    paragraphs = ["Meanwhile, Andy Smith, president of the ADCS, said there was “plenty to welcome”.",
                  "“On the social care front, the measures are helpful.",
                  "“Similarly, new powers for Ofsted to fine providers must link up with other reforms.",
                  "The DfE did not comment."]
    chunks = [SimpleNamespace(id=f"doc#{i}", text=text, metadata={"source_id": "doc", "position": i})
              for i, text in enumerate(paragraphs)]
    by_place = {("doc", i): chunk for i, chunk in enumerate(chunks)}
    third = Passage("doc#2", paragraphs[2], {"source_id": "doc", "position": 2})
    assert speaker_at_start(third, by_place) == "Andy Smith, president of the ADCS"
    fourth = Passage("doc#3", paragraphs[3], {"source_id": "doc", "position": 3})
    assert speaker_at_start(fourth, by_place) == "Andy Smith, president of the ADCS"  # in force; the sentence decides
    assert speaker_at_start(third, by_place, depth=1) == ""  # the speaker is two chunks back


@pytest.mark.unit
def test_fake_briefing_has_sections_in_order_and_every_line_cited(fake_briefing):
    markdown = fake_briefing.markdown
    headings = re.findall(r"^## (.+)$", markdown, re.M)
    assert headings[-1] == "References"
    assert [h for h in headings if h in SECTIONS] == [s for s in SECTIONS if s in headings]
    assert markdown.startswith("# Briefing: kinship care\n")
    assert "corpus version test-version" in markdown
    assert uncited_lines(markdown) == []
    assert cited_numbers(markdown) <= reference_numbers(markdown)
    assert "Weather" not in markdown  # the unrelated chunk is not used


@pytest.mark.unit
def test_fake_briefing_attributes_quotes_and_dates_the_timeline(fake_briefing):
    markdown = fake_briefing.markdown
    assert "**The charity Kinship**" in markdown
    assert "**14 January 2016**" in markdown  # the date as the source states it (issue 14)
    assert "£44m" in markdown and "(Community Care, 2023-02-07)" in markdown


@pytest.mark.unit
def test_a_topic_the_documents_do_not_cover_says_so_instead_of_padding():
    briefing = build_briefing(FakeBot(KINSHIP), "nuclear submarine maintenance")
    assert "The documents say little about nuclear submarine maintenance" in briefing.markdown
    assert sum(len(s.items) for s in briefing.sections) <= 6
    assert uncited_lines(briefing.markdown) == []


def items_by_section(briefing) -> dict[str, int]:
    return {section.heading: len(section.items) for section in briefing.sections}


@pytest.mark.unit
def test_section_limits_are_configured(fake_briefing):
    assert max(items_by_section(fake_briefing).values()) > 1
    one = SectionLimits(overview=1, facts=1, timeline=1, speakers=1, criticisms=1, questions=1)
    briefing = build_briefing(FakeBot(KINSHIP), "kinship care", config=BriefingWeights(limits=one))
    assert set(items_by_section(briefing).values()) == {1}  # every section still has its one item


@pytest.mark.unit
def test_gathering_floors_are_configured(fake_briefing):
    assert "say little" not in fake_briefing.markdown
    sparse = BriefingWeights(gathering=BriefingGathering(sparse_passages=100))
    briefing = build_briefing(FakeBot(KINSHIP), "kinship care", config=sparse)
    assert "The documents say little about kinship care" in briefing.markdown
    assert max(items_by_section(briefing).values()) <= SectionLimits().sparse
    nothing = BriefingWeights(gathering=BriefingGathering(dense_floor=1.0))  # the fake's cosine stays below 0.9
    assert sum(items_by_section(build_briefing(FakeBot(KINSHIP), "kinship care", config=nothing)).values()) == 0


@pytest.mark.unit
def test_sentence_score_floor_is_configured():
    strict = BriefingWeights(sentence=BriefingSentenceScore(min_score=1.01))  # above any sentence's relevance
    briefing = build_briefing(FakeBot(KINSHIP), "kinship care", config=strict)
    assert sum(items_by_section(briefing).values()) == 0


@pytest.mark.unit
def test_topic_shares_are_configured():
    idf = corpus_idf(KINSHIP)
    warned = "Kinship carers warned that the allowance risks leaving out most kinship families."
    assert Topic.of("kinship care", idf).covers(warned)  # 'kinship' alone: the rarest word of the topic
    single = Topic.of("kinship care", idf, thresholds=BriefingTopic(single_share=1.01))
    assert not single.covers(warned)
    assert single.covers("Kinship care means family or friends raising a child.")  # both words, in a row


@pytest.mark.unit
def test_how_near_a_topic_word_is_to_a_text_word_is_configured():
    idf = {"inspect": 2.0, "child": 2.0}
    visited = "The inspectorate visited."
    assert Topic.of("inspect", idf).covers(visited)  # 'inspector': a short ending
    assert not Topic.of("inspect", idf, thresholds=BriefingTopic(ending_max_chars=1)).covers(visited)
    assert not Topic.of("inspect", idf, thresholds=BriefingTopic(stem_min_chars=8)).covers(visited)
    assert not Topic.of("child", idf).covers("Children were seen.")  # 'ren' is another word's ending
    assert Topic.of("child", idf, thresholds=BriefingTopic(ending_max_chars=3)).covers("Children were seen.")


@pytest.mark.unit
def test_how_the_text_is_read_is_configured():
    passage = Passage("p#0", "Funding for councils\nThe council got more money this year.", {"source_id": "p"})
    start = passage.text.index("The council")
    assert headings_of(passage, start, {}) == ["Funding for councils"]
    assert headings_of(passage, start, {}, BriefingText(heading_line_words=2)) == []
    item = "- Councils will test the new kinship allowance in ten areas"
    assert quotable_units(item)[0][2].endswith("areas.")  # a long list item is a whole statement
    assert quotable_units(item, BriefingText(bullet_statement_words=20)) == []  # a fragment: not quoted
    chunks = [chunk("r#0", "r", 0, "The plan sets up regional care co-operatives (RCCs) across England.")]
    terms = topic_terms("regional care co-operatives", corpus_idf(chunks))
    assert close_terms("regional care co-operatives", chunks, terms) == {"rcc"}
    assert close_terms("regional care co-operatives", chunks, terms, BriefingText(abbreviation_chars=10)) == set()


@pytest.mark.unit
def test_section_scores_are_configured(fake_briefing):
    assert items_by_section(fake_briefing)["Key facts and figures"] > 0
    assert items_by_section(fake_briefing)["Questions for discussion"] > 0
    sections = BriefingSections(fact_min=1.0, question_max_words=5)  # no bonus reaches 1; no claim is that short
    briefing = build_briefing(FakeBot(KINSHIP), "kinship care", config=BriefingWeights(sections=sections))
    assert items_by_section(briefing)["Key facts and figures"] == 0
    assert items_by_section(briefing)["Questions for discussion"] == 0


@pytest.mark.unit
def test_render_rejects_an_unknown_format(fake_briefing):
    with pytest.raises(ValueError):
        render(fake_briefing, "pdf")


# -- integration: the real index ---------------------------------------------------------------
@pytest.fixture(scope="module")
def real_briefings(bot):
    return {item["topic"]: build_briefing(bot, item["topic"]) for item in briefing_items()}


@pytest.mark.integration
def test_the_evaluation_set_has_at_least_five_briefing_topics():
    assert len(briefing_items()) >= 5


@pytest.mark.integration
@pytest.mark.parametrize("item", briefing_items(), ids=lambda item: item["id"])
def test_briefing_covers_the_required_facts(item, real_briefings):
    markdown = real_briefings[item["topic"]].markdown
    assert coverage(markdown, item["facts"]) >= 0.80, markdown


@pytest.mark.integration
def test_no_real_briefing_has_an_uncited_line_or_a_dangling_reference(real_briefings):
    for topic, briefing in real_briefings.items():
        markdown = briefing.markdown
        assert uncited_lines(markdown) == [], topic
        assert cited_numbers(markdown) <= reference_numbers(markdown), topic
        assert reference_numbers(markdown) == set(range(1, len(briefing.references) + 1)), topic


@pytest.mark.integration
def test_real_briefings_have_all_sections_no_repeats_and_no_chrome(real_briefings):
    for topic, briefing in real_briefings.items():
        assert [s.heading for s in briefing.sections] == list(SECTIONS), topic
        texts = [text for s in briefing.sections if s.heading != "Questions for discussion"
                 for item in s.items for text, _ in item.parts()]
        assert len(texts) == len(set(texts)), topic
        assert not re.search(r"极速|\]\]>|https?://", "\n".join(texts)), topic


@pytest.mark.integration
def test_disagreeing_sources_both_appear_with_dates(real_briefings):
    facts = real_briefings["regional care co-operatives"].sections[1]
    differ = [item for item in facts.items if item.segments[0].startswith("Sources differ")]
    assert differ and "152" in str(differ[0].segments) and "153" in str(differ[0].segments)
    assert re.search(r"\(\d{4}-\d{2}-\d{2}\)", differ[0].segments[1])


@pytest.mark.integration
def test_real_briefing_exports_as_docx_and_html(real_briefings):
    from docx import Document

    briefing = real_briefings["family help"]
    document = Document(io.BytesIO(render(briefing, "docx")))
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 1", briefing.title) in styles
    assert {text for style, text in styles if style == "Heading 2"} >= set(SECTIONS) | {"References"}
    assert any(style == "List Bullet" for style, _ in styles)
    assert sum(style == "List Number" for style, _ in styles) == len(briefing.references)
    page = render(briefing, "html")
    assert page.startswith("<!DOCTYPE html>") and "@media print" in page


@pytest.mark.integration
def test_measure_briefing_build_time(bot, capsys):
    """Not a gate: prints the median of three builds per topic on this machine."""
    rows = []
    for item in briefing_items():
        times = []
        for _ in range(3):
            started = time.perf_counter()
            build_briefing(bot, item["topic"])
            times.append(time.perf_counter() - started)
        rows.append(f"{item['topic']}: median {statistics.median(times) * 1000:.0f} ms")
    with capsys.disabled():
        print("\nbriefing build time (median of 3):\n  " + "\n  ".join(rows))


# -- readable: whole quotations and whole numbers in every generated briefing ---------------------
DEV_EXTERNAL = REPO.parent / "shared" / "corpora" / "dev-external" / "corpus"
DEV_TOPICS = REPO / "evals" / "briefings-dev-external.jsonl"
_NUMBER = re.compile(r"(?<![\d,.])\d[\d,.]*\d(?![\d])|(?<![\d,.])\d(?![\d,.]?\d)")


def unbalanced_quotes(markdown: str) -> list[str]:
    """Lines of the briefing's body whose curly or straight double quotation marks do not pair up."""
    body = markdown.split("\n## References\n", 1)[0]
    return [line for line in body.splitlines()
            if line.count("“") != line.count("”") or line.count('"') % 2]


def cut_numbers(markdown: str, source_texts: list[str]) -> list[str]:
    """Numbers in the briefing's body that the sources only ever state as part of a longer number
    ('9' where the sources say '9,000'): a number cut at its separator."""
    body = CITE.sub(" ", markdown.split("\n## References\n", 1)[0])
    body = re.sub(r"\b\d{4}-\d{2}(?:-\d{2})?\b", " ", body)  # ISO dates in labels and reference lines
    text = "\n".join(source_texts)
    cut = []
    for number in set(_NUMBER.findall(body)):
        number = number.rstrip(".,")
        whole = re.search(rf"(?<![\d,.]){re.escape(number)}(?![\d]|[,.]\d)", text)
        if not whole and re.search(rf"(?<![\d]){re.escape(number)}[,.]\d", text):
            cut.append(number)
    return sorted(cut)


@pytest.mark.unit
def test_the_readability_checks_catch_a_broken_quotation_and_a_cut_number():
    bad = "## Who said what\n\n- **A**: Sam said: While we are pleased.” [1]\n- The call for 9 carers. [1]\n"
    good = "## Who said what\n\n- **A**: “While we are pleased.” [1]\n- The call for 9,000 carers. [1]\n"
    sources = ["Sam said: While we are pleased.” The call for 9,000 carers."]
    assert unbalanced_quotes(bad) == ["- **A**: Sam said: While we are pleased.” [1]"]
    assert cut_numbers(bad, sources) == ["9"]
    assert unbalanced_quotes(good) == [] and cut_numbers(good, sources) == []


@pytest.fixture(scope="module")
def dev_external_bot(tmp_path_factory, remembering_embedder):
    """The real Assistant over the dev-external evaluation corpus (kept outside corpus/)."""
    if not DEV_EXTERNAL.is_dir():
        pytest.skip(f"the dev-external corpus is not at {DEV_EXTERNAL}")
    from assistant.assembly import build_assistant
    from assistant.settings import Settings
    from ingest.pipeline import run_ingest

    settings = Settings(corpus_dir=DEV_EXTERNAL, store_dir=tmp_path_factory.mktemp("dev-external-store"))
    run_ingest(settings, embedder=remembering_embedder)
    return build_assistant(settings, embedder=remembering_embedder.inner)


def dev_topics() -> list[str]:
    lines = DEV_TOPICS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["topic"] for line in lines if line.strip()]


@pytest.mark.integration
def test_no_briefing_has_a_broken_quotation_or_a_cut_number(real_briefings, bot, dev_external_bot):
    generated = [(bot, briefing) for briefing in real_briefings.values()]
    generated += [(dev_external_bot, build_briefing(dev_external_bot, topic)) for topic in dev_topics()]
    for source, briefing in generated:
        markdown = briefing.markdown
        assert unbalanced_quotes(markdown) == [], briefing.topic
        assert cut_numbers(markdown, [c.text for c in source.chunks]) == [], briefing.topic
        assert uncited_lines(markdown) == [], briefing.topic
