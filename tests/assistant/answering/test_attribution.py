"""Who says what: speakers recognised by the shape of the text, whole quotations, open-question points."""

from __future__ import annotations

import pytest

from assistant.answering.attribution import (AttributedPoint, attributions, balance_quotes, names_speaker, open_points,
                                              quotation_units, speaker_name, speaks_for_itself)
from assistant.briefing.topic import corpus_idf
from assistant.scoring import AttributionWeights
from assistant.models import Passage


def passage(text: str, publisher: str = "The Daily Reporter", cid: str = "a#0", title: str = "Article") -> Passage:
    return Passage(cid, text, {"source_id": cid.split("#")[0], "publisher": publisher, "title": title,
                               "section": "", "published": "2024-05-01"})


def first(text: str, previous: str = "", publisher: str = "The Daily Reporter"):
    found = attributions(passage(text, publisher), previous)
    return (found[0].speaker, found[0].statement, found[0].kind) if found else None


@pytest.mark.unit
@pytest.mark.parametrize("text, expected", [
    ("“It is vital,” said Jane Smith, chief executive of the Carers Trust.",
     ("Jane Smith, chief executive of the Carers Trust", "“It is vital”", "quote")),
    ("“We will not stand by,” the Fostering Network said.", ("Fostering Network", "“We will not stand by”", "quote")),
    ("The Northern Federation said: “The plan falls short of what families need.”",
     ("Northern Federation", "“The plan falls short of what families need.”", "quote")),
    ("According to the Regional Councils Forum, budgets rose by 12%.",
     ("Regional Councils Forum", "budgets rose by 12%.", "reported")),
    ("The Department for Families (DfF) warned that the scheme risks leaving carers out.",
     ("Department for Families", "the scheme risks leaving carers out.", "reported")),
    ("Councils criticised the plan for a lack of funding.",
     ("Councils", "the plan for a lack of funding.", "reported")),
    ("Meanwhile, Andy Brown, president of the XYZ, said there was “plenty to welcome”.",
     ("Andy Brown, president of the XYZ", "there was “plenty to welcome”.", "reported")),
    # a numbered paragraph of a committee report: the number is no part of the speaker
    ("3.2 The Northern Federation said: “The plan falls short.”",
     ("Northern Federation", "“The plan falls short.”", "quote")),
    ("(b) The Regional Councils Forum warned that budgets would not last.",
     ("Regional Councils Forum", "budgets would not last.", "reported")),
    # a speech verb after another verb of the same subject ('supported the Bill but said')
    ("Tobias Renfrew (Ravensholt) supported the Bill but said data “will not conjure up a judge”.",
     ("Tobias Renfrew", "data “will not conjure up a judge”.", "reported")),
])
def test_speaker_and_statement_are_read_from_the_shape_of_the_sentence(text, expected):
    assert first(text) == expected


@pytest.mark.unit
def test_a_statement_about_a_body_is_not_a_quotation_by_it():
    found = attributions(passage("Fellow charity Brightway also gave the manifesto a mixed response."))
    assert [(a.speaker, a.kind) for a in found] == [("Charity Brightway", "about")]


@pytest.mark.unit
def test_passive_and_plain_sentences_have_no_speaker():
    assert first("The ministry was criticised by carers for the delay in payments.") is None
    assert first("The reforms will cost £2.6bn over four years.") is None


@pytest.mark.unit
def test_a_pronoun_and_a_running_quotation_keep_the_previous_speaker():
    text = ("Jane Smith, chief executive of the Carers Trust, said the plan was welcome. "
            "“It is a start. But more is needed,” she added.")
    found = attributions(passage(text))
    assert [a.speaker for a in found] == ["Jane Smith, chief executive of the Carers Trust"] * 2
    assert found[1].statement == "“It is a start. But more is needed”"  # both sentences, one quotation
    assert first("“On the money, the measures are helpful.", previous="Ann Lee") == \
        ("Ann Lee", "“On the money, the measures are helpful.”", "quote")


@pytest.mark.unit
def test_a_quotation_missing_its_opening_mark_is_made_whole():
    assert first("Sam Turner said: While we are pleased, more is needed.”") == \
        ("Sam Turner", "“While we are pleased, more is needed.”", "quote")
    assert balance_quotes("“Open only.") == "“Open only.”"
    assert balance_quotes("Plain text.") == "Plain text."


@pytest.mark.unit
def test_quotation_units_never_cut_a_quotation_between_its_marks():
    text = "He said: “First part. Second part.” Then another sentence."
    units = [text[a:b] for a, b in quotation_units(text)]
    assert units == ["He said: “First part. Second part.”", "Then another sentence."]


@pytest.mark.unit
def test_the_publisher_speaks_when_the_source_itself_is_the_voice():
    found = attributions(passage("We believe every child in care deserves a stable home.", publisher="Homes First"))
    assert [(a.speaker, a.kind) for a in found] == [("Homes First", "publisher")]
    # a report that quotes someone else: its own sentences are not the publisher's position
    report = passage("The plan was criticised last week. Ann Lee, director of the Carers Trust, said it fails carers.")
    assert [a.speaker for a in attributions(report)] == ["Ann Lee, director of the Carers Trust"]


@pytest.mark.unit
@pytest.mark.parametrize("phrase, expected", [
    ("It", "Prev"), ("the charity", "Prev"), ("as proposed by", ""), ("Sarah Cardell, now CEO of the XYZ",
     "Sarah Cardell, now CEO of the XYZ"), ("the figures show", ""), ("in 2023", ""), ("Most", ""),
])
def test_speaker_name_by_shape(phrase, expected):
    assert speaker_name(phrase, "Prev") == expected


# -- open questions ---------------------------------------------------------------------------------
OPEN = [
    passage("Ann Lee, director of the Carers Trust, said the kinship allowance was “a welcome first step”. "
            "She also said the allowance must reach every kinship family.", cid="a#0"),
    passage("Councils warned that the kinship allowance would stretch budgets further. "
            "Councils also said recruitment of social workers remained hard.", cid="b#0"),
    passage("The Northern Federation said: “The kinship allowance leaves out too many carers.” "
            "The weather was mild.", cid="c#0"),
    passage("Ann Lee, director of the Carers Trust, said the allowance was overdue.", cid="d#0"),
    passage("The football season starts in August, the league said.", cid="e#0"),
]
IDF = corpus_idf([type("Chunk", (), {"text": p.text, "metadata": p.metadata})() for p in OPEN])


@pytest.mark.unit
def test_open_points_give_one_point_per_speaker_on_topic():
    points = open_points("How did sector bodies respond to the kinship allowance?", OPEN, IDF)
    speakers = [p.speaker.split(",")[0] for p in points]
    assert sorted(speakers) == ["Ann Lee", "Councils", "Northern Federation"]
    assert all("allowance" in p.sentence for p in points)  # each on the topic by its own words
    assert "league" not in " ".join(p.speaker for p in points)
    for point in points:  # the offsets cite the sentence in its passage
        assert point.passage.text[point.start:point.end] == point.sentence


@pytest.mark.unit
def test_open_points_narrow_to_the_speaker_the_question_names():
    points = open_points("What did councils say about the kinship allowance?", OPEN, IDF)
    assert points and {p.speaker for p in points} == {"Councils"}
    assert "stretch budgets" in points[0].statement


@pytest.mark.unit
def test_a_page_naming_its_own_publisher_as_a_speaker_speaks_for_itself():
    """'Hearth and Home has major concerns …' on Hearth and Home's own page: the organisation writing of itself
    in the third person; its other sentences are its points. A news report naming someone else does not."""
    own_page = passage("Hearth and Home has major concerns over the kinship allowance. The plan to means-test "
                       "the allowance is also worrying.", publisher="Hearth and Home", cid="h#0")
    assert speaks_for_itself([own_page, OPEN[1]]) == {"h"}
    question = "What worried Hearth and Home about the Northern Federation's kinship allowance plans?"
    points = open_points(question, [own_page, *OPEN], IDF)
    # the speaker asked about, not every body the question names
    assert points and {p.speaker for p in points} == {"Hearth and Home"}
    assert any("means-test" in p.sentence for p in points)


@pytest.mark.unit
def test_open_points_line_quotes_the_speaker():
    points = open_points("Why did the Northern Federation object to the kinship allowance?", OPEN, IDF)
    assert points[0].line() == "Northern Federation said: “The kinship allowance leaves out too many carers.”"


@pytest.mark.unit
@pytest.mark.parametrize("question, expected", [
    ("How did sector bodies respond to the November 2024 announcement?", True),
    ("What did councils say about the allowance?", True),
    ("Why did the union object to the 2016 reforms?", True),
    ("What concerns were raised about regional commissioning?", True),
    ("How have charities reacted to the plan?", True),
    ("What is the federation worried about?", True),
    ("What worries councils about the allowance?", True),
    ("what's wrong with progress on the plan according to the charity?", True),
    ("whats the problem with unregistered homes", True),
    ("What are the issues with the new framework?", True),
    ("What is wrong?", False),
    ("How much is the kinship allowance?", False),
    ("What is family help?", False),
    ("When will the allowance start?", False),
])
def test_is_open_question_recognises_questions_about_views(question, expected):
    from assistant.answering.attribution import is_open_question

    assert is_open_question(question) is expected


# -- speakers in lists, appositions, shortened names; sources that speak for themselves ----------------
@pytest.mark.unit
def test_list_items_under_an_attributed_lead_in_are_the_speakers():
    text = ("The Harbour Council notes that:\n"
            "- foster carers face rising costs for every placement.\n"
            "- short breaks are hard to find. This falls hardest on rural areas.\n"
            "- respite must be funded nationally.\n"
            "The weather report followed.")
    found = attributions(passage(text, publisher="Harbour Council (agenda item)"))
    items = [a for a in found if a.lead_in]
    assert [a.statement for a in items] == ["foster carers face rising costs for every placement.",
                                           "short breaks are hard to find.", "respite must be funded nationally."]
    assert {a.speaker for a in items} == {"Harbour Council"}  # 'This Council' is the publisher, named in full
    assert not any("weather" in a.sentence for a in found)  # a line that is no item ends the list


@pytest.mark.unit
def test_a_description_after_the_name_is_not_the_speaker():
    found = first("However, the Lakeside Board, the body tasked with oversight, admitted that targets were missed.")
    assert found == ("Lakeside Board", "targets were missed.", "reported")


@pytest.mark.unit
def test_a_speaker_cut_to_part_of_the_publishers_name_is_the_publisher():
    found = attributions(passage("Harbour, has warned about a lack of progress on the plan.", publisher="Friends of Harbour"))
    assert [(a.speaker, a.kind) for a in found] == [("Friends of Harbour", "reported")]


@pytest.mark.unit
def test_a_source_speaking_for_itself_owns_its_other_sentences_only_when_asked():
    text = ("Unlicensed homes are illegal. We have seen a sharp rise in their use. "
            "Children in them have no independent oversight.\nA heading without a stop")
    plain = attributions(passage(text, publisher="Care Watch (GOV.UK)"))
    assert [(a.speaker, a.kind) for a in plain] == [("Care Watch", "publisher")]  # the first person only
    owned = attributions(passage(text, publisher="Care Watch (GOV.UK)"), own_voice=True)
    assert [a.kind for a in owned] == ["source", "publisher", "source"]  # no heading
    # a news report never speaks for itself: its sentences stay the reporter's account
    report = passage("Unlicensed homes are illegal. Ann Lee said the rise was alarming.")
    assert speaks_for_itself([report]) == set()


REGULATOR = [
    passage("Unlicensed children’s homes are illegal. We have seen a sharp rise in councils using unlicensed "
            "children’s homes.", publisher="Care Watch (GOV.UK)", cid="w#0"),
    passage("Children placed in unlicensed homes have no independent oversight. Most unlicensed homes we "
            "find look after one child.", publisher="Care Watch (GOV.UK)", cid="w#1"),
    passage("Ann Lee, director of the Carers Trust, said unlicensed children’s homes were a worry for families.",
            cid="x#0"),
    passage("The football league said unlicensed matches were rare.", cid="y#0"),
]
REGULATOR_IDF = corpus_idf([type("Chunk", (), {"text": p.text, "metadata": p.metadata})() for p in REGULATOR])


@pytest.mark.unit
def test_open_points_for_a_named_source_come_from_its_own_pages():
    points = open_points("Why is Care Watch worried about councils placing children in unlicensed children's homes?",
                         REGULATOR, REGULATOR_IDF)
    assert points and all(p.named and p.speaker == "Care Watch" for p in points)
    said = " ".join(p.statement for p in points)
    assert "illegal" in said and "no independent oversight" in said  # not only its first-person sentences
    assert points[0].line().startswith("Care Watch: ")


@pytest.mark.unit
def test_open_points_name_a_speaker_by_its_role():
    text = "Jane Roe, XYZ President, said: “Budgets are stretched. Families need decent homes.”"
    points = open_points("What did the XYZ president say about budgets?",
                         [passage(text, cid="r#0"), *OPEN], IDF | {"budget": 3.0, "stretch": 3.0})
    assert points[0].named and points[0].kind == "quote" and "decent homes" in points[0].statement


@pytest.mark.unit
def test_open_points_drop_other_topics_when_no_speaker_is_named():
    points = open_points("How did sector bodies respond to the kinship allowance?", OPEN, IDF)
    assert points and not any(p.named for p in points)
    assert all("allowance" in p.sentence for p in points)


@pytest.mark.unit
def test_a_question_naming_a_month_takes_points_from_the_sources_of_that_month():
    def dated(text: str, cid: str, published: str) -> Passage:
        return Passage(cid, text, {"source_id": cid.split("#")[0], "publisher": "The Daily Reporter",
                                   "title": "Reactions", "section": "", "published": published})
    passages = [dated("The ministry announced the fostering reforms in November 2024.", "m#0", "2024-11-20"),
                dated("The Northern Federation said the plan was “a good start”.", "m#1", "2024-11-20"),
                dated("Ann Lee, director of the Carers Trust, warned that funding was short.", "m#2", "2024-11-20"),
                dated("Sam Turner said the old scheme had failed.", "o#0", "2019-03-02")]
    idf = corpus_idf([type("Chunk", (), {"text": p.text, "metadata": p.metadata})() for p in passages])
    points = open_points("How did sector bodies respond to the November 2024 announcement?", passages, idf)
    speakers = {p.speaker.split(",")[0] for p in points}
    assert {"Northern Federation", "Ann Lee"} <= speakers and "Sam Turner" not in speakers


def test_the_point_limit_and_weights_come_from_the_scoring_config():
    question = "How did sector bodies respond to the kinship allowance?"
    assert len(open_points(question, OPEN, IDF)) > 1
    assert len(open_points(question, OPEN, IDF, AttributionWeights(point_limit=1))) == 1
    plain = open_points(question, OPEN, IDF)
    louder = open_points(question, OPEN, IDF, AttributionWeights(stance=0.6))
    assert {p.sentence for p in plain} == {p.sentence for p in louder}
    assert max(p.score for p in louder) > max(p.score for p in plain)  # a stance word now counts for more


@pytest.mark.unit
def test_a_sentence_leaning_on_the_one_before_is_shown_with_it():
    text = ("Of the children placed in unlicensed homes, 12% were under a court order. These are the most "
            "vulnerable children. They should not be placed without oversight.\nWe opened 1,000 cases on unlicensed homes last year.")
    owned = attributions(passage(text, publisher="Care Watch (GOV.UK)"), own_voice=True)
    statements = [a.statement for a in owned]
    assert statements[2] == text.split("\n")[0]  # 'They should …' with both sentences it leans on
    assert statements[3] == "We opened 1,000 cases on unlicensed homes last year."  # a new paragraph stands alone
    points = open_points("Why is Care Watch worried about unlicensed homes?", [passage(text, "Care Watch (GOV.UK)")],
                         {"unlicens": 3.0, "home": 2.0, "worri": 1.0})
    shown = [p.line() for p in points]
    assert not any(line.startswith(("Care Watch: They", "Care Watch: These")) for line in shown)
    assert sum("12% were under a court order" in line for line in shown) == 1  # one point, not one per sentence


@pytest.mark.unit
def test_a_why_worried_question_prefers_statements_that_take_a_stance():
    pages = [passage("Unlicensed homes are illegal. Unlicensed homes are mostly small houses in towns. "
                     "Unlicensed homes opened in 40 towns last year. We inspect the unlicensed homes we find.",
                     publisher="Care Watch (GOV.UK)", cid="w#0")]
    idf = {"unlicens": 3.0, "home": 2.0}
    limit = AttributionWeights(point_limit=1)
    assert "illegal" in open_points("Why is Care Watch worried about unlicensed homes?", pages, idf, limit)[0].sentence
    neutral = AttributionWeights(point_limit=1, reason_stance=0.0, stance=0.0)
    assert "illegal" not in open_points("Why is Care Watch worried about unlicensed homes?", pages, idf,
                                        neutral)[0].sentence


@pytest.mark.unit
def test_whats_wrong_with_asked_of_one_voice_gives_its_reasons_not_one_point():
    """'What's the problem with X' names no speaker; when one page alone speaks on X, its reasons (a stance
    counting as for 'why is X worried') are the points, up to one_voice_reasons; another open question keeps
    one point per voice."""
    pages = [passage("We have seen a rise in unlicensed homes. Unlicensed homes are illegal. "
                     "We suspect there are more unlicensed homes we have not found. "
                     "Children in unlicensed homes have no independent oversight and should not be placed there.",
                     publisher="Care Watch (GOV.UK)", cid="w#0")]
    idf = {"unlicens": 3.0, "home": 2.0}
    problems = open_points("whats the problem with unlicensed homes", pages, idf)
    assert len(problems) == AttributionWeights().one_voice_reasons == 3
    assert any("illegal" in p.sentence for p in problems) and any("oversight" in p.sentence for p in problems)
    assert len(open_points("whats the problem with unlicensed homes", pages, idf,
                           AttributionWeights(one_voice_reasons=1))) == 1
    assert len(open_points("What did people say about unlicensed homes?", pages, idf)) == 1  # no reasons asked


@pytest.mark.unit
@pytest.mark.parametrize("speaker, question, named", [
    ("Ann Lee and Care Watch", "What did Care Watch say?", True),  # joint speakers, each named alone
    # 'children and families' in a role joins two words of the role, not two speakers: 'family' names nobody
    ("Councillor Denise Okafor, cabinet member for children and families", "What does the family solicitor think?",
     False),
    ("Councillor Denise Okafor, cabinet member for children and families", "What did Councillor Denise Okafor say?", True),
])
def test_a_question_names_joint_speakers_but_not_a_word_of_a_role(speaker, question, named):
    point = AttributedPoint(speaker, "it", "it", passage("It."), 0, 3, "reported", 1.0)
    assert names_speaker(question, point) is named


@pytest.mark.unit
def test_two_points_making_the_same_point_in_the_same_words_are_one():
    pages = [passage("Quillfeather Trust warned about the lack of progress, data gaps and dilution in aims.",
                     cid="q#0"),
             passage("Highlighting the lack of progress, data gaps and dilution in aims, Quillfeather Trust hopes its "
                     "annual report will set a benchmark for ministers, councils and every care provider in the "
                     "country.", cid="q#1"),
             passage("Quillfeather Trust said young people deserve stable homes and progress.", cid="q#2")]
    points = open_points("Why has Quillfeather Trust criticised progress?", pages,
                         {"quillfeath": 3.0, "trust": 1.0, "progress": 2.0})
    assert sum("data gaps" in p.sentence for p in points) == 1


@pytest.mark.unit
def test_a_speaker_titled_by_its_body_and_role_belongs_to_that_body():
    pages = [passage("The Northern Federation called for more action on recruitment and the kinship allowance.",
                     cid="n#0"),
             passage("“The kinship allowance is a positive step,” said Northern Federation president Sam Turner.",
                     cid="n#1"),
             passage("The ministry said the kinship allowance would rise next year.", cid="m#0")]
    idf = {"kinship": 3.0, "allow": 3.0, "northern": 2.0, "feder": 2.0, "ministri": 2.0}
    points = open_points("What did the Northern Federation say about it (ministry kinship allowance)?", pages, idf)
    speakers = {p.speaker for p in points}
    # the president speaks for the federation; the ministry, named only in the words carried over from the
    # last turn, is what 'it' was about, not a speaker asked for
    assert speakers == {"Northern Federation", "Northern Federation president Sam Turner"}
    assert all(p.named for p in points)
    # 'what does she think' names nobody in its own words: the speaker carried over is the one asked about
    carried = open_points("What does it think about it (Northern Federation kinship allowance)?", pages, idf)
    assert carried and all(p.named and p.speaker.startswith("Northern Federation") for p in carried)


@pytest.mark.unit
def test_a_question_naming_only_the_body_of_a_titled_speaker_names_that_speaker():
    text = "Jane Roe, XYZ President, said: “Budgets are stretched. Families need decent homes.”"
    points = open_points("What is the XYZ worried about?", [passage(text, cid="r#0"), *OPEN],
                         IDF | {"budget": 3.0, "xyz": 3.0})
    assert points and points[0].named and points[0].speaker == "Jane Roe, XYZ President"


@pytest.mark.unit
def test_a_named_speakers_points_are_on_the_topic_asked_not_only_by_the_speakers_name():
    pages = [passage("The Northern Federation warned that the kinship allowance was too small for most carers.",
                     cid="n#0"),
             passage("The Northern Federation said the football season started well.", cid="n#1"),
             passage("Both Ofsted and the Northern Federation have voiced misgivings about the kinship allowance.",
                     cid="n#2")]
    idf = {"northern": 2.0, "feder": 2.0, "kinship": 3.0, "allow": 3.0, "footbal": 3.0}
    points = open_points("What did the Northern Federation say about the kinship allowance?", pages, idf)
    said = [p.sentence for p in points]
    assert not any("football" in s for s in said)  # its name alone does not put a statement on the topic
    assert any("voiced misgivings" in s for s in said)  # 'X and Y have voiced …': X speaks, with Y


@pytest.mark.unit
def test_asks_named_speaker_tells_a_named_body_from_a_group():
    from assistant.answering.attribution import asks_named_speaker

    assert asks_named_speaker("What did the Northern Federation say about the allowance?")
    assert asks_named_speaker("Why is Care Watch worried about unlicensed homes?")
    assert not asks_named_speaker("What did councils say about the allowance?")
    assert not asks_named_speaker("How much is the kinship allowance?")


@pytest.mark.unit
def test_a_statement_naming_its_speaker_by_a_pronoun_is_shown_from_the_sentence_naming_the_speaker():
    text = ("Jo Marsh (Eastholm) opposed the Bill. He argued that it would “add paperwork to an overloaded "
            "system”.\nAnn Lee backed the Bill. She said:")
    points = open_points("What did MPs say about the Bill?", [passage(text)], {"bill": 2.0})
    lines = [p.line() for p in points]
    assert "Jo Marsh (Eastholm) opposed the Bill. He argued that it would “add paperwork to an overloaded system”." \
        in lines  # one viewpoint: the stance with its reason, never 'He argued …' alone
    assert not any(line.startswith(("He ", "She ")) for line in lines)
    assert not any(line.endswith("She said:") for line in lines)  # a lead-in joins nothing


@pytest.mark.unit
def test_groups_asked_about_get_the_sentences_they_are_the_subject_of():
    intro = passage("We received 1,236 responses, 211 from local authorities and the rest from legal professionals "
                    "and charities. Most respondents supported the allowance.", cid="c#0", title="Consultation")
    views = passage("Local authorities were more divided. Many warned that the allowance would cost more than "
                    "estimated.\nLegal professionals broadly supported the advice duty, if funded.\n"
                    "Local authorities debated the allowance at length over two days of meetings in June.",
                    cid="c#1", title="Consultation")
    idf = {"allow": 3.0, "advic": 3.0, "local": 1.0, "author": 1.0, "legal": 1.0, "profession": 1.0,
           "consult": 1.0}
    points = open_points("How did local authorities and legal professionals respond to the consultation?",
                         [intro, views], idf)
    lines = [p.line() for p in points]
    # a short sentence opening its paragraph is shown with what follows it
    assert "Local authorities were more divided. Many warned that the allowance would cost more than estimated." \
        in lines
    assert "Legal professionals broadly supported the advice duty, if funded." in lines
    assert not any("debated" in line for line in lines)  # the group as subject, but no view stated


@pytest.mark.unit
def test_an_asked_group_joins_the_named_members_points():
    text = ("Councillor Pell said the rota was “an unfair burden” on the county.\n"
            "Amina addressed the Committee. She said young people wanted faster access to English classes.")
    points = open_points("How did Brackenshire councillors and young people respond to the rota?",
                         [passage(text, title="Scrutiny committee: the rota")], {"rota": 3.0, "english": 2.0})
    lines = [p.line() for p in points]
    assert any(line.startswith("Councillor Pell said") for line in lines)
    assert "Amina addressed the Committee. She said young people wanted faster access to English classes." in lines


@pytest.mark.unit
def test_a_point_equal_in_score_to_its_first_sentence_alone_is_shown_whole():
    text = ("We have never seen councils pay more for homes, and we are worried.\n\nTogether the providers "
            "reported revenue of £2bn. Their margin was 19.6%, the highest of any year. By comparison, councils "
            "spend less.")
    page = passage(text, publisher="Care Economics (blog)", title="Who profits from homes?")
    points = open_points("What concerns did Care Economics raise about private home providers?", [page],
                         {"provid": 3.0, "home": 2.0, "privat": 2.0})
    assert any(p.statement.endswith("Their margin was 19.6%, the highest of any year.") and
               "Together the providers" in p.statement for p in points), [p.statement for p in points]
