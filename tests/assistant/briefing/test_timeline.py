"""The reform timeline: explicit dates read from sentences, events in date order, each cited."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from assistant.briefing.timeline import build_timeline
from assistant.scoring import BriefingWeights
from assistant.text.dates import EventDate, dates_in, event_date
from assistant.text.sentences import clean_sentence
from tests.conftest import REPO

CORPUS = REPO / "corpus"


@pytest.mark.unit
@pytest.mark.parametrize("sentence, label", [
    ("On 14 January 2016, the Department for Education published a policy paper.", "2016-01-14"),
    ("The Education Committee report published on 13th July 2016 said so.", "2016-07-13"),
    ("The consultations close on 11 May, 2023.", "2023-05-11"),
    ("It becomes an entitlement from September 2026, after trials in 2023.", "2026-09"),
    ("Early findings were due in spring 2025.", "spring 2025"),
    ("A 2022 study by What Works found several problems.", "2022"),
    ("The DfE has invested £200m from 2023-25 in testing the changes.", "2023"),
])
def test_event_date_is_the_most_specific_date_stated(sentence, label):
    assert event_date(sentence).label == label


@pytest.mark.unit
@pytest.mark.parametrize("sentence", [
    "The grant rises from £2,000 to £3,000 and the bursary to £2000.",
    "Section 17 of the Children Act 1989 sets the duty.",
    "Councils will be given more time to prepare.",
])
def test_sentences_without_an_event_date_have_none(sentence):
    assert event_date(sentence) is None


@pytest.mark.unit
def test_dates_sort_year_then_season_or_month_then_day():
    dates = [EventDate(2023, 2, 7), EventDate(2023), EventDate(2023, season="spring"), EventDate(2022, 12)]
    assert [d.label for d in sorted(dates, key=lambda d: d.key)] == ["2022-12", "2023", "2023-02-07", "spring 2023"]
    assert [d.label for _, d in dates_in("From May 2023 to 4 June 2024")] == ["2023-05", "2024-06-04"]


@pytest.mark.unit
def test_page_chrome_is_not_an_event():
    assert clean_sentence("Read more about the changes: https://example.org/x") == ""
    assert clean_sentence("极速赛车168最新开奖号码 2023") == ""
    assert clean_sentence("Read the full policy paper ‘Keeping children safe, helping families thrive’: https://x.org/p") \
        == "Read the full policy paper ‘Keeping children safe, helping families thrive’"


def fake_bot():
    def chunk(cid, source, published, text):
        meta = {"source_id": source, "title": f"T {source}", "publisher": "P", "url": "https://e.org/" + source,
                "published": published, "position": int(cid[-1])}
        return SimpleNamespace(id=cid, text=text, metadata=meta)

    return SimpleNamespace(index_info={"corpus_version": "v"}, chunks=[
        chunk("b#0", "b", "2024-10-31", "Fundamental reform will start from April 2026 at the earliest. No date here at all, sadly."),
        chunk("a#0", "a", "2016-02-10", "On 14 January 2016, the DfE published a vision for change. By 2020 every social worker will be accredited."),
        chunk("a#1", "a", "2016-02-10", "On 14 January 2016 the DfE published a vision for change!"),
    ])


@pytest.mark.unit
def test_how_similar_a_repeated_event_is_is_configured():
    keep_all = BriefingWeights(timeline_similar=1.0)  # no two sentences share more than all their words
    assert [e.date.label for e in build_timeline(fake_bot(), keep_all).events] == \
        ["2016-01-14", "2016-01-14", "2020", "2026-04"]


@pytest.mark.unit
def test_fake_timeline_is_ordered_cited_and_grouped_by_year():
    timeline = build_timeline(fake_bot())
    assert [e.date.label for e in timeline.events] == ["2016-01-14", "2020", "2026-04"]  # the near-duplicate is dropped
    assert [r.n for r in timeline.references] == [1, 2]
    markdown = timeline.markdown
    assert re.findall(r"^## (\S+)$", markdown, re.M) == ["2016", "2020", "2026", "References"]
    assert "- **2016-01-14** On 14 January 2016, the DfE published a vision for change. [1]" in markdown
    assert "1. T a. P, 2016-02-10. https://e.org/a" in markdown


@pytest.fixture(scope="module")
def corpus_bot():
    """The shipped corpus chunked exactly as ingest chunks it (no embeddings needed for a timeline)."""
    from assistant.settings import Settings
    from ingest.documents import load_corpus
    from ingest.pipeline import build_chunks

    settings = Settings(corpus_dir=CORPUS)
    return SimpleNamespace(chunks=build_chunks(load_corpus(CORPUS), settings), index_info={})


@pytest.mark.unit
def test_corpus_timeline_events_are_in_date_order_and_each_cited(corpus_bot):
    timeline = build_timeline(corpus_bot)
    keys = [event.date.key for event in timeline.events]
    assert len(keys) >= 30 and keys == sorted(keys)
    numbers = {ref.n for ref in timeline.references}
    assert all(event.citation.n in numbers and event.citation.url for event in timeline.events)
    labels = {event.date.label for event in timeline.events}
    assert {"2016-01-14", "2023-05-11", "2026-09"} <= labels
    assert not any(re.search(r"极速|https?://|\]\]>", event.text) for event in timeline.events)


@pytest.mark.integration
def test_real_index_timeline_cites_every_event(bot):
    timeline = build_timeline(bot)
    markdown = timeline.markdown
    body, references = markdown.split("\n## References\n")
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    listed = {int(n) for n in re.findall(r"^(\d+)\. ", references, re.M)}
    assert cited == listed
    assert all(line.rstrip().endswith("]") for line in body.splitlines() if line.startswith("- "))
