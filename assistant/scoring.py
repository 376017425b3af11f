"""Every weight and threshold of the extractive answerer's score and selection, typed, with its reason.

Reached as `settings.scoring`; each value can be overridden from the environment with a double
underscore between levels, e.g. `ASSISTANT_SCORING__SELECTION__FLOOR_SHARE=0.7`.

>>> config = ScoringConfig()
>>> config.sentence.overlap.weight, config.selection.floor_share
(0.55, 0.62)
>>> config.model_copy(update={"selection": config.selection.model_copy(update={"floor_share": 0.7})}).selection.floor_share
0.7

The values were chosen on the tuning part of the project's evaluation set (docs/tuning.md); each field's
description says what it is for.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Section(BaseModel):
    """A frozen group of weights: a misspelt name is an error, not a silently ignored value."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# -- the features a sentence is scored by (assistant/answering/features.py) ----------------------------


class OverlapWeights(_Section):
    """How much of the question's (IDF-weighted) words a sentence holds."""

    weight: float = Field(0.55, description="share of the score given to the question's words: the main evidence")
    continuation: float = Field(0.25, description="a sentence right after a matching one often continues it; it "
                                                   "inherits this share of the overlap it falls short of its predecessor by")
    alias: float = Field(0.6, description="a question word matched only through an acronym's long form (or back) "
                                          "counts this much of a word matched as written")
    carried: float = Field(0.5, description="a word a follow-up carries over from earlier turns counts this much of "
                                            "one the user asked now: at 0.7 the carried topic outweighed a short "
                                            "follow-up's own words (docs/tuning.md)")
    alias_idf_divisor: float = Field(3.0, description="the other spelling of an acronym asked for weighs alias / this "
                                                      "of the rarest word's IDF: present but not dominant")


class RetrievalWeights(_Section):
    """How much the passage's own retrieval scores count for each of its sentences."""

    fused: float = Field(0.2, description="the passage's fused retrieval score (relative to the best passage): "
                                          "a tie-breaker between sentences with the same words")
    dense: float = Field(0.25, description="the passage's cosine similarity to the question: meaning beyond the "
                                           "exact words")


class AnswerKindWeights(_Section):
    """Rewards for holding the kind of thing asked for (a date for 'when', an amount for 'how much')."""

    recent_day: float = Field(0.25, description="'this week' in a dated source answers a 'when' question: the answer "
                                                "adds the day it was reported")
    spoken_name: float = Field(0.35, description="'who spoke for X' is answered by a quote with its speaker "
                                                 "('…,” said Jane Quillfeather') more than by any name")
    full_date: float = Field(0.3, description="a day, month and year answers 'when' better than a month or year")
    new_fact: float = Field(0.25, description="a fact of the kind asked that the question does not already state")
    repeated_fact: float = Field(0.05, description="a fact of the kind asked, but only the one the question states")
    no_fact: float = Field(-0.15, description="a factoid question's sentence with no fact of its kind: a near miss")
    reason: float = Field(0.2, description="a 'why' question's sentence that gives a reason ('because', 'so that')")
    no_reason: float = Field(-0.1, description="a 'why' question's sentence that gives none")
    opinion: float = Field(0.1, description="a view or quote for an opinion question: modest, as a view is often a "
                                            "quote's second sentence with no 'said' in it")
    other_kind: float = Field(0.2, description="any other kind asked for that the sentence holds (today: a defining "
                                                "verb for a definition question)")


class ProximityWeights(_Section):
    """A fact close to the words the question is about beats one further away in the same sentence."""

    near_words: int = Field(6, description="a fact within this many words of a question word is 'near' "
                                           "('£44m … for kinship carers')")
    near: float = Field(0.1, description="bonus for a near fact")
    far_words: int = Field(12, description="a fact within this many words is still about that word")
    far: float = Field(0.05, description="bonus for a fact that is close but not near")


class ShapeWeights(_Section):
    """Sentence shapes that make poor answers on their own."""

    min_words: int = Field(6, description="fewer words than this is a fragment, not an answer")
    short: float = Field(-0.25, description="a fragment (unless a list is asked for, whose items are short)")
    lead_in: float = Field(-0.2, description="a lead-in ending with ':' says what follows, not the answer (unless a "
                                             "list is asked for)")
    question: float = Field(-0.3, description="a question in the source asks rather than answers")
    url: float = Field(-0.3, description="'Read more: https://…' lines are signposts, not answers")


class DefinitionWeights(_Section):
    """A 'what is X' question wants a sentence whose subject is X saying what it is."""

    mentions: float = Field(0.1, description="the sentence names X somewhere")
    subject: float = Field(0.25, description="X is the subject of a defining verb ('Family help is …')")
    anaphoric_subject: float = Field(0.2, description="'it' or 'the approach' is the subject, right after X was named")
    anaphoric_words: int = Field(5, description="an anaphoric subject this short or shorter ('The new approach')")
    context_sentences: int = Field(2, description="X must be named in the heading or these many sentences before")
    quoted: float = Field(-0.1, description="a quote opens with someone's view of X, not what X is")


class ClaimWeights(_Section):
    """A 'how many councils' question wants the sentence stating that count (and so its rivals)."""

    match: float = Field(0.2, description="the sentence states a figure about what the question counts")


class YearWeights(_Section):
    """A question naming a year does not want another year's facts."""

    other_year: float = Field(-0.15, description="the sentence names only years the question does not ask about")
    other_published: float = Field(-0.05, description="a factoid from a source published in another year (a weaker "
                                                      "sign: the sentence names no year itself)")


class MilestoneWeights(_Section):
    """'How has … developed since …' is told in milestones."""

    bonus: float = Field(0.05, description="a sentence with an amount or a date, for a broad question (0.05 and 0.1 "
                                           "measured the same; 0.2 began to crowd out other sentences)")


class SentenceFeatures(_Section):
    """The weights of every feature a candidate sentence is scored by, one section per feature."""

    overlap: OverlapWeights = OverlapWeights()
    retrieval: RetrievalWeights = RetrievalWeights()
    answer_kind: AnswerKindWeights = AnswerKindWeights()
    proximity: ProximityWeights = ProximityWeights()
    shape: ShapeWeights = ShapeWeights()
    definition: DefinitionWeights = DefinitionWeights()
    claim: ClaimWeights = ClaimWeights()
    year: YearWeights = YearWeights()
    milestone: MilestoneWeights = MilestoneWeights()


# -- choosing sentences once they are scored (assistant/answering/extractive.py) ------------------------


class SentenceSelection(_Section):
    """Floors, caps and bonuses used when picking, completing and checking the scored sentences."""

    floor_share: float = Field(0.62, description="a sentence below this share of the best score is not picked: "
                                                 "it answers something else")
    floor_min: float = Field(0.15, description="nor is one below this score, however weak the best is")
    factoid_sentences: int = Field(3, description="a factoid answer has at most this many sentences")
    words_factor: float = Field(1.6, description="non-factoid answers (and factoids gathered across sources) may run "
                                                 "to this many times max_answer_words")
    synthesis_extra_sentences: int = Field(2, description="'how has … developed since' answers have this many more "
                                                          "sentences than max_answer_sentences")
    synthesis_words_factor: float = Field(2.2, description="and this many times max_answer_words")
    repeat_source: float = Field(-0.15, description="a broad question prefers a sentence from a source not yet used")
    coverage: float = Field(0.3, description="bonus, per share of the question's weight, for the words a further "
                                             "sentence covers that earlier picks did not")
    similar_jaccard: float = Field(0.6, description="two sentences sharing more than this share of words say the same "
                                                    "thing: only one is kept")
    list_scan: int = Field(15, description="the best sentences searched for a list to answer a 'what are the' question")
    list_share: float = Field(0.6, description="a list is used only if its sentence scores this share of the best")
    list_max_items: int = Field(8, description="a list answer shows at most this many items")
    list_min_items: int = Field(2, description="a list needs at least this many items")
    constraint_share: float = Field(0.5, description="a sentence meeting what the answer missed (a place, a unit) "
                                                     "may replace it if within this share of the best score")
    announce_max_words: int = Field(16, description="a sentence naming concerns without saying what they are is this "
                                                    "short or shorter")
    announce_max_new_terms: int = Field(4, description="and adds at most this many words beyond the question's own")
    antecedent_sentences: int = Field(2, description="sentences shown before one that leans back ('However, …')")
    readable_min_words: int = Field(6, description="a sentence quoted as the closest the documents have reads alone "
                                                   "from this many words")
    heading_max_words: int = Field(8, description="a line without a full stop this short heads what follows it "
                                                  "('From 1 April 2027')")
    open_min_points: int = Field(2, description="an open question is answered as attributed points only if it has this "
                                                "many (one viewpoint is not a range of views)")
    name_list_extra: int = Field(2, description="a sentence listing names, for a list question, comes with up to this "
                                                "many of the sentences already chosen")
    rival_sides: int = Field(2, description="a 'Sources differ' note quotes at most this many rival figures")
    rival_k: int = Field(20, description="passages searched for rival figures, per query (the sentence, and what each "
                                         "figure counts)")


# -- refusing: is the question supported at all (assistant/checks/scope.py, retrieval/calibration.py) ---


class RefusalWeights(_Section):
    """How support is measured and where the refusal threshold sits above what off-topic questions get."""

    coverage: float = Field(0.5, description="support is the best cosine plus this share of the best IDF-weighted "
                                             "share of the question's words a passage holds: meaning first, words next")
    everyday_share: float = Field(0.5, description="a question most of whose words (over this share) the corpus never "
                                                   "uses is about something else, even if each is everyday English")
    calibration_margin: float = Field(0.1, description="the threshold sits this far above the best support of the "
                                                       "off-topic probes: unrelated probes reach 0.39-0.43 on both "
                                                       "corpora and the lowest answerable question 0.60-0.62")


# -- retrieval preferences the question states (assistant/retrieval/fusion.py) --------------------------


class RetrievalPreferences(_Section):
    """Boosts for passages that match what the question prefers: a year, a publisher, the latest news."""

    recency: float = Field(0.5, description="'latest'/'now' raises the newest source's score by up to this share, "
                                            "in proportion to its date")
    year: float = Field(1.3, description="'since 2023', 'in 2016': a source published in the years asked is "
                                         "multiplied by this")
    publisher: float = Field(1.5, description="'What did <publisher> think': a passage by the publisher named is "
                                              "multiplied by this (more than a year: a named voice is the point)")


# -- open questions answered as attributed points (assistant/answering/attribution.py) -----------------


class AttributionWeights(_Section):
    """How an attributed statement is scored for an open question, and how many points an answer has."""

    point_limit: int = Field(5, description="attributed points in one answer: enough viewpoints, short enough to read")
    point_floor: float = Field(0.35, description="without a speaker named in the question, a point below this share "
                                                 "of the best point is padding from another topic, not a viewpoint")
    paragraph_share: float = Field(0.7, description="a sentence on the topic by a word of its own counts this share of "
                                                    "its paragraph's match: the findings listed after 'The survey had "
                                                    "surprising findings' belong to them")
    heading_on_topic: float = Field(0.5, description="a statement with no topic word of its own is kept only under a "
                                                     "heading holding this share of the topic's weight")
    heading: float = Field(0.3, description="a heading's share of the topic's weight adds this much: a section about "
                                            "the topic frames every statement in it")
    quote: float = Field(0.15, description="a quotation with its speaker is the clearest viewpoint")
    reported: float = Field(0.15, description="reported speech ('X warned that …') is as clear as a quotation")
    publisher: float = Field(0.05, description="a page speaking in its own voice ('we', 'our') is a viewpoint, named "
                                               "less plainly")
    source: float = Field(-0.05, description="a sentence credited to its source only by the page it is on says less "
                                             "about who holds the view")
    about: float = Field(-0.2, description="a sentence about someone's response ('X gave a cautious welcome') reports "
                                           "a view without stating it")
    asked_group: float = Field(0.3, description="a sentence whose subject is a group the question asks about "
                                                "('Local authorities were more divided') is that group's view")
    stance: float = Field(0.1, description="a sentence with a stance word (welcome, warn, oppose) states a view")
    reason_stance: float = Field(0.25, description="for 'why is X worried', a stance word (warn, unsafe, illegal) marks "
                                                   "a reason: worth more than a plain statement of fact")
    rank_step: float = Field(0.03, description="each place lower the passage was retrieved costs this much: a tie "
                                               "goes to the better passage")
    one_voice_reasons: int = Field(3, description="'what's wrong with X' with no speaker named, when only one voice "
                                                  "speaks on the topic: its distinct reasons, up to this many")
    distinct_overlap: float = Field(0.5, description="a point sharing more than this share of its words with one "
                                                     "already chosen repeats it")
    repeated_phrase: int = Field(5, description="a point sharing a run of this many content words with one already "
                                                "chosen repeats it ('the lack of progress, data gaps and dilution')")

    def kind_bonus(self, kind: str) -> float:
        """The bonus for how a statement is attributed (quote, reported, publisher, source or about)."""
        return {"quote": self.quote, "reported": self.reported, "publisher": self.publisher, "source": self.source,
                "about": self.about}[kind]


# -- figures sources state differently (assistant/answering/disagreements.py) ------------------------


class DisagreementThresholds(_Section):
    """When two figures for one counted thing, from two sources, are rivals rather than two quantities."""

    very_near: float = Field(0.02, description="figures within this share of each other (152 / 153 councils) are one "
                                               "quantity stated differently, whatever the sentence")
    near: float = Field(0.1, description="figures within this share of each other may be one quantity, if the "
                                         "sentences share some words")
    same_subject: float = Field(0.5, description="share of sentence words in common that makes any two figures of "
                                                 "one thing rivals")
    some_subject: float = Field(0.15, description="share of sentence words in common that near figures need")


# -- what a question pins down (assistant/checks/constraints.py) ----------------------------------------


class ConstraintWindows(_Section):
    """How close a number must stand to the thing a 'how many' question counts to count it."""

    count_before: int = Field(4, description="a number counts a word up to this many words after it "
                                             "('15 Local Authorities')")
    count_after: int = Field(6, description="or a word up to this many words before it ('RCCs – of which there "
                                            "would be 20'), unless it counts time")
    neighbours: int = Field(1, description="a word is read with this many words either side, so a long form counts "
                                           "('Local Authorities' is a council)")


# -- briefings (assistant/briefing/) -----------------------------------------------------------------


class BriefingGathering(_Section):
    """Which passages a briefing reads: retrieved on the topic, their neighbours, kept when relevant
    (assistant/briefing/gather.py, build.py)."""

    k: int = Field(12, description="passages retrieved per query (the topic, its funding, criticism, dates, "
                                   "sayings)")
    dense_floor: float = Field(0.25, description="below this cosine similarity a passage is never about the topic")
    words_floor: float = Field(0.4, description="a passage must hold this share of the topic's IDF weight, unless "
                                                "similar enough by meaning alone")
    dense_alone: float = Field(0.5, description="a passage this similar is about the topic whatever its words")
    neighbour_on_topic: float = Field(0.5, description="a passage naming this share of the topic's weight brings in "
                                                       "the chunks either side of it (articles run across chunks)")
    neighbour_share: float = Field(0.85, description="a neighbour inherits this share of that passage's similarity "
                                                     "and relevance")
    relevance_dense: float = Field(0.6, description="a passage's relevance: this much of its cosine similarity …")
    relevance_words: float = Field(0.4, description="… plus this much of the share of the topic's words it holds "
                                                    "(its title and section too)")
    sparse_passages: int = Field(3, description="fewer relevant passages than this and the briefing is short")
    sparse_dense: float = Field(0.4, description="so it is when no passage is this similar to the topic")


class BriefingTopic(_Section):
    """Whether a sentence is about the topic, by its own words or its heading (assistant/briefing/topic.py)."""

    on_topic: float = Field(0.5, description="share of a topic part's IDF weight a sentence (or its heading) must "
                                             "name to be about it")
    rare_share: float = Field(0.45, description="a word alone stands for a topic part when its IDF is this share of "
                                                "the corpus's highest")
    single_share: float = Field(0.3, description="… and it carries this share of the part's weight ('Ofsted' in "
                                                 "'Ofsted's new powers')")
    stem_min_chars: int = Field(4, description="a topic word matches a longer text word (or back) with a short ending "
                                               "only when the shorter has this many letters")
    ending_max_chars: int = Field(2, description="the longest such ending ('funds', 'funded'); an agent ending makes "
                                                 "another word ('care' is not 'carer')")


class BriefingText(_Section):
    """How a briefing reads its passages' text: statements, headings, quotations, abbreviations
    (assistant/briefing/sentences.py, topic.py)."""

    bullet_statement_words: int = Field(8, description="a list item without a full stop and this many words or more "
                                                       "is a whole statement")
    heading_line_words: int = Field(12, description="a short unpunctuated line of at most this many words above a "
                                                    "sentence is its heading")
    heading_words: int = Field(16, description="a heading (that line, the section, the title or the first line) has "
                                               "at most this many words; more is a sentence")
    first_line_chars: int = Field(160, description="a document's first line is read up to this many characters as its "
                                                   "own heading")
    quote_chunks: int = Field(3, description="a quotation of several paragraphs is followed back this many chunks "
                                             "for its speaker")
    abbreviation_chars: int = Field(80, description="an abbreviation in brackets is the topic's when the topic's words "
                                                    "stand within this many characters before it")
    abbreviation_share: float = Field(0.99, description="… all of them: this share of the topic's IDF weight (below "
                                                        "1.0 only for rounding)")


class BriefingSentenceScore(_Section):
    """A candidate sentence's relevance to the topic (assistant/briefing/sentences.py)."""

    words: float = Field(0.35, description="share of the topic's IDF weight the sentence itself names")
    passage: float = Field(0.5, description="its passage's relevance (or what a neighbour inherits): the main evidence")
    title: float = Field(0.15, description="the share of the topic's weight in its passage's title and section")
    min_score: float = Field(0.15, description="sentence relevance needed to appear at all (being on topic is checked "
                                               "apart from it)")


class SectionLimits(_Section):
    """Items per briefing section: enough to brief a team, short enough to read before a session."""

    overview: int = Field(4, description="overview sentences: a paragraph")
    facts: int = Field(10, description="key facts and figures ('Sources differ' items come on top)")
    timeline: int = Field(8, description="dated events, in date order: the reform's milestones")
    speakers: int = Field(10, description="who said what: one line per speaker")
    criticisms: int = Field(6, description="criticisms and open questions")
    questions: int = Field(4, description="questions for discussion: one per training group, say")
    sparse: int = Field(2, description="items per section when the documents say little on the topic")


class BriefingSections(_Section):
    """How sentences are sorted into sections and ranked in each (assistant/briefing/compose.py)."""

    followers: int = Field(2, description="sentences that run on from a chosen one ('This funding …'), shown after "
                                          "it in the same bullet")
    more_per_speaker: int = Field(2, description="statements after a speaker's first, on the same line: their "
                                                 "position, not one remark")
    duplicate_share: float = Field(0.6, description="two sentences sharing more than this share of words say the same "
                                                    "thing: one is shown")
    facts_per_source: int = Field(3, description="facts from one source before any more from it: several sources")
    criticisms_per_source: int = Field(2, description="criticisms from one source before any more from it")
    rival_sides: int = Field(2, description="a 'Sources differ' item quotes at most this many rival figures")
    overview_min_words: int = Field(10, description="an overview sentence has at least this many words: a statement, "
                                                    "not a heading or a fragment")
    overview_defines: float = Field(0.1, description="an overview sentence saying what the topic is ('… means', "
                                                     "'… is a') comes first")
    overview_critical: float = Field(-0.05, description="a critical sentence belongs to the criticisms more than the "
                                                        "overview")
    overview_dated: float = Field(-0.1, description="a dated sentence belongs to the timeline more than the overview")
    fact_money: float = Field(0.25, description="an amount with what it is for ('£44m to test …'): the fact a trainer "
                                                "most needs")
    fact_percent: float = Field(0.2, description="a percentage: a rate or a change a trainer can quote")
    fact_number: float = Field(0.1, description="any other figure (not a date)")
    fact_place: float = Field(0.05, description="a named place: where the fact applies")
    fact_title: float = Field(0.15, description="a quoted title of a paper, strategy or bill")
    fact_named: float = Field(0.1, description="a body, place or programme named beside the topic: a concrete fact")
    fact_defines: float = Field(0.1, description="what the topic is or does, in its own words: a fact a trainer needs "
                                                 "first")
    fact_min: float = Field(0.1, description="a sentence with less bonus than this holds no fact")
    fact_cap: float = Field(0.3, description="the bonus counts up to this: a fact, not a list of figures")
    fact_share: float = Field(0.5, description="the capped bonus adds this share of itself to the relevance: relevance "
                                               "first")
    timeline_precision: float = Field(0.03, description="per step of date precision (year, month, day): a dated day "
                                                        "before a year")
    critical_hit: float = Field(0.05, description="per critical word ('concern', 'warned', 'shortfall')")
    critical_max_hits: int = Field(3, description="critical words counted at most")
    speaker_quote: float = Field(0.0, description="a quotation with its speaker: the clearest statement")
    speaker_reported: float = Field(0.02, description="reported speech ('X warned that …') costs this little")
    speaker_publisher: float = Field(0.05, description="a page speaking in its own voice ('we') costs this")
    speaker_about: float = Field(0.3, description="a sentence about someone's response only when nothing better")
    question_similar: float = Field(0.5, description="a discussion question this similar to an earlier one repeats it")
    question_min_words: int = Field(6, description="a claim asked about has at least this many words …")
    question_max_words: int = Field(32, description="… and at most this many, to be quoted whole")
    question_speaker_chars: int = Field(12, description="a claim opening with the speaker's first this many "
                                                        "characters already names them")

    def speaker_cost(self, kind: str) -> float:
        """What a statement loses for how it is attributed (quote, reported, publisher or about)."""
        return {"quote": self.speaker_quote, "reported": self.speaker_reported, "publisher": self.speaker_publisher,
                "about": self.speaker_about}[kind]


class BriefingWeights(_Section):
    """Every weight and threshold of a briefing, by step: gathering, topic, sentence score, sections."""

    gathering: BriefingGathering = BriefingGathering()
    topic: BriefingTopic = BriefingTopic()
    text: BriefingText = BriefingText()
    sentence: BriefingSentenceScore = BriefingSentenceScore()
    limits: SectionLimits = SectionLimits()
    sections: BriefingSections = BriefingSections()
    timeline_similar: float = Field(0.8, description="a dated sentence this similar to one already in the corpus "
                                                     "timeline repeats it")


class ScoringConfig(_Section):
    """Every weight and threshold of the answer path's scoring, by stage."""

    sentence: SentenceFeatures = SentenceFeatures()
    selection: SentenceSelection = SentenceSelection()
    refusal: RefusalWeights = RefusalWeights()
    retrieval: RetrievalPreferences = RetrievalPreferences()
    attribution: AttributionWeights = AttributionWeights()
    disagreement: DisagreementThresholds = DisagreementThresholds()
    constraints: ConstraintWindows = ConstraintWindows()
    briefing: BriefingWeights = BriefingWeights()
