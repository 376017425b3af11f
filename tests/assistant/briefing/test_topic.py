"""Whether a sentence is about a briefing's topic."""

from __future__ import annotations

import pytest

from assistant.briefing.topic import Topic

pytestmark = pytest.mark.unit

IDF = {"famili": 1.0, "hub": 4.0, "fund": 1.5}


@pytest.mark.parametrize("sentence, covered", [
    ("Funding for family hubs rose.", True),
    ("The hubs are a way of joining up services.", True),  # the rare word alone stands for the topic
    ("Extending regional fostering recruitment hubs to all council areas.", False),  # other hubs
    ("Councils set up regional hubs in 2025.", False),
])
def test_the_rare_word_of_a_topic_alone_names_it_only_when_no_other_word_qualifies_it(sentence, covered):
    assert Topic.of("family hubs funding", IDF).covers(sentence) is covered
