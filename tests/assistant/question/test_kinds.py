"""What a question asks for: its answer kind, list cue and the years it is about."""

from __future__ import annotations

import pytest

from assistant.question.kinds import LIST_CUE, answer_type, years_in_scope

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("question, kind", [
    ("How much will family help cost?", "money"),
    ("What funding was allocated to kinship carers?", "money"),
    ("What is the lowest weekly fee carers should be paid?", "money"),  # a fee, a salary or a wage is an amount
    ("what salary do newly qualified social workers start on", "money"),
    ("How many councils are there in England?", "number"),
    ("What proportion of social workers are agency staff?", "number"),
    ("What is the vacancy rate?", "number"),
    ("When was the strategy published?", "date"),
    ("By when must councils comply?", "date"),
    ("How long will the pilots run?", "duration"),
    ("How long ago did the pilots start?", "date"),
    ("over what period is that money", "date"),  # a period, not the amount it names
    ("What time period does the funding cover?", "date"),
    ("Which councils are pathfinders?", "place"),
    ("Where will the regional care co-operatives be tested?", "location"),
    ("where exactly did they hold it", "location"),
    ("Which organisations responded to the consultation?", "organisation"),
    ("Which body regulates social workers?", "organisation"),
    ("What is the 2023 strategy called?", "title"),
    ("What is the name of the review?", "title"),
    ("What is the Hearth and Home funding also called?", "title"),
    ("What are the new fostering hubs known as?", "title"),
    ("What name was given to the 2023 plan?", "title"),  # a name is asked, whatever it names
    ("How does the new inspection approach differ from the one it replaced?", "change"),
    ("What is the difference between kinship care and fostering?", "change"),
    ("What has changed in the 2023 guidance?", "change"),
    ("Who chaired the review?", "name"),
    ("Which minister announced the reforms?", "name"),
    ("Why are social workers worried about lead child protection practitioners?", "reason"),
    ("What concerns did unions raise?", "reason"),
    ("What is family help?", "definition"),
    ("What are regional care co-operatives?", "definition"),
    ("What does RCC mean?", "definition"),
    ("What does Munro think about its funding?", "opinion"),
    ("How did councils react to the strategy?", "opinion"),
    ("Tell me about agency pay.", "general"),
    ("What did the DfE decide about agency pay?", "general"),
])
def test_answer_type(question, kind):
    assert answer_type(question) == kind


def test_answer_type_checks_money_before_dates():
    # "how much" wins even when the question also mentions time
    assert answer_type("How much will be spent over how long?") == "money"


@pytest.mark.parametrize("question, expected", [
    ("Which charities make up the Children's Charities Coalition?", True),
    ("What does the coalition consist of?", True),
    ("What are the three aims?", True),
    ("Who led the care review?", False),
])
def test_list_cue(question, expected):
    assert bool(LIST_CUE.search(question)) is expected


@pytest.mark.parametrize("question, accepted, refused", [
    ("What has been spent since 2023?", ["2023", "2024", "2025"], ["2016", "2022"]),
    ("What changed after 2023?", ["2024"], ["2023", "2016"]),
    ("What was proposed before 2020?", ["2016"], ["2020", "2023"]),
    ("Compare the 2016 and 2024 plans.", ["2016", "2024"], ["2023"]),
    ("Between the 2016 vision and since 2023, what changed?", ["2016", "2023", "2024"], ["2018"]),
])
def test_years_in_scope(question, accepted, refused):
    in_scope = years_in_scope(question)
    assert all(in_scope(year) for year in accepted) and not any(in_scope(year) for year in refused)
    assert years_in_scope("What is family help?") is None
