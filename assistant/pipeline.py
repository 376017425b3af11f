"""The Assistant: runs a question through the stages, question -> retrieval -> answer -> checks.

It is handed its parts (retriever, answerer, condenser, briefing writer) by assistant.assembly, the one
place that reads Settings to choose them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Iterator

from assistant.answering.base import AnswerRequest, Answerer
from assistant.briefing.build import build_briefing
from assistant.checks.scope import Verdict, check_input, clean_question, off_topic, spelled_in_full
from assistant.models import Answer, Passage
from assistant.question.followups import Condense, Condensed, question_parts, rule_based, split_carried, with_topic
from assistant.question.kinds import SYNTHESIS_CUE, compared_years
from assistant.retrieval.build_files import catalogue_of
from assistant.retrieval.fusion import Filters, HybridRetriever
from assistant.retrieval.store import StoredChunk
from assistant.settings import Settings
from assistant.text.lexicon import Lexicon
from assistant.text.sentences import CITATION_MARKER
from assistant.text.tokens import content_words

_RECENT = re.compile(r"\b(?:latest|now|current|currently|recent|recently|today|so far|newest|this year)\b", re.I)


class Assistant:
    """Answers questions about the corpus with cited sentences, or says plainly that it cannot."""

    def __init__(self, settings: Settings, chunks: list[StoredChunk] | None, retriever: HybridRetriever,
                 answerer: Answerer, index_info: dict, condense: Condense = rule_based, section_writer=None,
                 sources: list[dict] | None = None, lexicon: Lexicon | None = None,
                 not_stated: Callable[[AnswerRequest, str], Answer] | None = None):
        self.settings = settings
        self._chunks = chunks  # None: read from the store when something first needs the whole corpus
        self._sources = sources  # the catalogue computed at ingest; None: computed from the chunks
        self.retriever = retriever
        self.answerer = answerer
        self.index_info = index_info
        self.condense = condense  # follow-up -> standalone query (rule-based unless an LLM is configured)
        self.section_writer = section_writer  # None: extractive briefings
        self.lexicon = lexicon  # everyday English words (the embedding model's vocabulary), for refusals
        self.not_stated = not_stated  # words a "not stated" verdict with the closest sentence (None: a plain refusal)
        self.startup_ms: dict[str, float] = {}  # assembly: loading the retriever, building the answerer

    @property
    def chunks(self) -> list[StoredChunk]:
        """Every chunk of the index (briefings and the timeline scan the whole corpus): read on first use."""
        return self._chunks if self._chunks is not None else self.retriever.chunks

    # -- asking ------------------------------------------------------------------------------
    def ask(self, question: str, history: list[dict] | None = None, filters: Filters | None = None) -> Answer:
        """Answer one question in the context of history; every sentence cited, or not_found."""
        final = None
        for final in self.ask_stream(question, history, filters):
            pass
        return final

    def ask_stream(self, question: str, history: list[dict] | None = None,
                   filters: Filters | None = None) -> Iterator[Answer]:
        """Like ask(), yielding partial answers as they grow; the last one is the finished answer."""
        started = time.perf_counter()
        timings: dict[str, float] = {}
        cleaned = clean_question(question)
        verdict = check_input(question, cleaned, self.settings.max_question_chars)
        if verdict:
            yield self._refuse(verdict, cleaned, cleaned, [], timings, started)
            return
        condensed = self.condense(cleaned, history)
        query = condensed.query
        filters = filters or Filters()
        if _RECENT.search(cleaned):
            filters = Filters(filters.publishers, filters.date_from, filters.date_to, prefer_recent=True)
        try:
            asked = query
            query, passages, verdict = self._find(asked, filters, timings)
            if verdict and verdict.reason == "low_relevance" and split_carried(query)[1] \
                    and continues_the_answer(passages, history) and self._holds_rarest_word(query, passages):
                verdict = self._judge(query, passages, min_support=-1.0)  # on the topic the last answer quoted
            retry = with_topic(cleaned, history) if verdict and asked == cleaned else ""
            if retry:  # a question that reads as standalone but finds nothing alone may lean on the conversation
                retried, found, judged = self._find(retry, filters, timings)
                if judged is None:
                    query, passages, verdict = retried, found, None
                    condensed = Condensed(retry, [*condensed.notes, "nothing found for the question alone: "
                                                                    "asked with the conversation's topic"])
        except Exception as error:  # the store (e.g. a Chroma server) is unreachable or failing
            yield self._unavailable(error, cleaned, query, timings, started)
            return
        request = AnswerRequest(cleaned, query, passages, history or [], filters.prefer_recent)
        if verdict and verdict.reason == "not_stated" and self.not_stated:
            answer = self.not_stated(request, verdict.message.rstrip("."))
            answer.timings_ms, answer.notes = {**timings, "total": _ms(started)}, [f"refused: {verdict.reason}"]
            yield _noted(answer, condensed)
            return
        if verdict:
            yield _noted(self._refuse(verdict, cleaned, query, passages, timings, started), condensed)
            return
        mark = time.perf_counter()
        answer = None
        for answer in self.answerer.stream(request):
            answer.timings_ms = {**timings, "answer": _ms(mark), "total": _ms(started)}
            yield _noted(answer, condensed)

    def _find(self, query: str, filters: Filters, timings: dict[str, float]) -> tuple[str, list[Passage], Verdict | None]:
        """The query to answer (with the full form of a shortening the passages spell out: "exec executive"),
        its passages and the refusal they call for (None: answer from them); adds the time spent embedding and
        retrieving to timings."""
        passages = self._search(query, filters, timings)
        lexical = self.retriever.lexical
        own, carried = split_carried(query)
        full = spelled_in_full(own, lexical.vocabulary, self.lexicon, passages)
        if full != own:  # search again with the documents' words
            query = f"{full.rstrip(' ?')} ({carried})?" if carried else full
            passages = self._search(query, filters, timings)
        return query, passages, self._judge(query, passages, self._min_support())

    def _holds_rarest_word(self, query: str, passages: list[Passage], top: int = 2) -> bool:
        """Whether one of the first `top` passages holds the rarest word the person asked now ("pilots" in
        "did they say anything about more pilots"), not only the words carried over."""
        idf = self.retriever.lexical.idf
        own = content_words(split_carried(query)[0])
        if not own:
            return False
        rarest = max(own, key=lambda term: idf.get(term, 0.0))
        return any(rarest in set(content_words(passage.text)) for passage in passages[:top])

    def _judge(self, query: str, passages: list[Passage], min_support: float) -> Verdict | None:
        """The refusal the passages call for, None to answer from them. What the person asked is judged by
        their own words: names carried over from the conversation came from the documents."""
        lexical = self.retriever.lexical
        return off_topic(query, passages, lexical.vocabulary, min_support, lexical.idf, self.lexicon,
                         asked=split_carried(query)[0], weights=self.settings.scoring.refusal)

    def _search(self, query: str, filters: Filters, timings: dict[str, float]) -> list[Passage]:
        mark = time.perf_counter()
        embedding = self.retriever.embed_query(query) if self.settings.retrieval_mode != "bm25" else None
        timings["embed"] = timings.get("embed", 0.0) + _ms(mark)
        mark = time.perf_counter()
        passages = self._passages(query, filters, embedding)
        timings["retrieve"] = timings.get("retrieve", 0.0) + _ms(mark)
        return passages

    def _passages(self, query: str, filters: Filters, embedding) -> list[Passage]:
        """The passages to answer from. A broad question ("how has … developed since…") gets a few more;
        a two-part one ("…, and what replaced it?") also gets those found for its second part, and one
        comparing years ("the 2016 and 2023 plans") those found among each year's sources."""
        parts = question_parts(query)
        years = compared_years(split_carried(query)[0])  # not the years carried over from earlier turns
        broad = len(parts) > 1 or bool(years) or bool(SYNTHESIS_CUE.search(query))
        k = self.settings.top_k + (2 if broad else 0)
        found = [self.retriever.retrieve(query, filters, k=k, query_embedding=embedding)]
        found += [self.retriever.retrieve(part, filters, k=k) for part in parts[1:]]
        found += [self.retriever.retrieve(query, filters.within_year(year), k=k, query_embedding=embedding)
                  for year in years]
        return _interleave(found, k)

    def _min_support(self) -> float:
        # BM25-only retrieval has no cosine score to threshold on: rely on the term checks alone.
        return self.min_support if self.settings.retrieval_mode != "bm25" else -1.0

    @property
    def min_support(self) -> float:
        """The refusal threshold: as configured, else the one calibrated for this index at ingest."""
        if self.settings.min_support is not None:
            return self.settings.min_support
        return float(self.index_info.get("min_support", self.settings.default_min_support))

    def retrieve(self, query: str, k: int | None = None, filters: Filters | None = None) -> list[Passage]:
        """The hybrid retrieval alone (for evaluation and briefings)."""
        return self.retriever.retrieve(query, filters, k=k)

    def retrieve_many(self, queries: list[str], k: int) -> tuple[list[list[Passage]], dict[str, float]]:
        """One retrieval per query, the queries embedded in one batch, and the cosine similarity of every
        chunk to the first query (so that passages found by BM25 alone get one too; {} without dense)."""
        if self.settings.retrieval_mode == "bm25":
            return [self.retrieve(query, k=k) for query in queries], {}
        vectors = self.retriever.embedder.get_text_embedding_batch(queries)
        runs = [self.retriever.retrieve(query, k=k, query_embedding=vector) for query, vector in zip(queries, vectors)]
        return runs, self.retriever.dense(vectors[0], Filters(), self.retriever.size)

    @property
    def aliases(self):
        """Acronyms and their long forms read off the corpus (assistant.retrieval.aliases.Aliases)."""
        return self.retriever.lexical.aliases

    @property
    def idf(self) -> dict[str, float]:
        """Inverse document frequency of every corpus term, as BM25 weighs it."""
        return self.retriever.lexical.idf

    def _refuse(self, verdict: Verdict, question: str, query: str, passages: list[Passage],
                timings: dict, started: float) -> Answer:
        topics = self.suggest_topics(passages)
        message = verdict.message
        if topics and verdict.reason not in ("too_long",):
            message += " They do cover, for example: " + "; ".join(topics) + "."
        return Answer(status="not_found", answer=message, query=query, question=question, suggestions=topics,
                      passages=passages, timings_ms={**timings, "total": _ms(started)},
                      backend=getattr(self.answerer, "name", "extractive"), notes=[f"refused: {verdict.reason}"])

    def _unavailable(self, error: Exception, question: str, query: str, timings: dict, started: float) -> Answer:
        where = (f"the Chroma server at {self.settings.chroma_host}:{self.settings.chroma_port}"
                 if self.settings.chroma_host else f"the index at {self.settings.store_dir}")
        message = (f"The document index is not reachable right now ({where}: {type(error).__name__}). "
                   "Please try again in a moment; nothing you typed was lost.")
        return Answer(status="not_found", answer=message, query=query, question=question,
                      timings_ms={**timings, "total": _ms(started)}, notes=["error: store unavailable"])

    # -- what the corpus holds ---------------------------------------------------------------
    def suggest_topics(self, passages: list[Passage] | None = None, count: int = 3) -> list[str]:
        """Titles of documents the corpus covers, the most related first."""
        titles: list[str] = []
        for passage in passages or []:
            title = passage.metadata.get("title", "")
            if title and title not in titles:
                titles.append(title)
        for source in self.catalogue():
            if source["title"] not in titles:
                titles.append(source["title"])
        return titles[:count]

    def catalogue(self) -> list[dict]:
        """Every source document: id, title, publisher, date, URL and its number of chunks, newest first
        (computed at ingest and kept with the build)."""
        if self._sources is None:
            self._sources = catalogue_of(self.chunks)
        return self._sources

    def publishers(self) -> list[str]:
        return sorted({source["publisher"] for source in self.catalogue()})

    def brief(self, topic: str):
        """A cited briefing on a topic (see assistant.briefing)."""
        scoring = self.settings.scoring
        return build_briefing(self, topic, writer=self.section_writer, config=scoring.briefing,
                              disagreement=scoring.disagreement)


def continues_the_answer(passages: list[Passage], history: list[dict] | None, top: int = 2) -> bool:
    """Whether one of the first `top` passages holds a sentence the last answer quoted: a follow-up found
    the passage the conversation is about.

    >>> history = [{"role": "assistant", "content": "Care Watch welcomed the plan. [1] It said more. [2]"}]
    >>> continues_the_answer([Passage("a#0", "In May, Care Watch welcomed the plan.", {})], history)
    True
    >>> continues_the_answer([Passage("b#0", "Councils objected.", {})], history)
    False
    >>> continues_the_answer([Passage("a#0", "Care Watch welcomed the plan.", {})],
    ...                      [{"role": "assistant", "content": "- **Care Watch**: Care Watch welcomed the plan. [1]"}])
    True
    """
    answers = [turn.get("content") or "" for turn in history or [] if turn.get("role") == "assistant"]
    if not answers or not passages:
        return False
    quoted = []
    for part in CITATION_MARKER.split(answers[-1].replace("*", "")):
        part = " ".join(part.split()).lstrip("- ")
        quoted += [piece for piece in (part, part.split(": ", 1)[-1]) if len(piece.split()) >= 4]  # "Who: quote"
    texts = [" ".join(passage.text.split()) for passage in passages[:top]]
    return any(sentence in text for sentence in quoted for text in texts)


def _noted(answer: Answer, condensed: Condensed) -> Answer:
    """The answer with the condenser's notes first (on the rule-based path, only a retry with the topic has one)."""
    if condensed.notes and not all(note in answer.notes for note in condensed.notes):
        answer.notes = [*condensed.notes, *answer.notes]
    return answer


def _interleave(rankings: list[list[Passage]], k: int) -> list[Passage]:
    """Take from each ranking in turn, skipping repeats, until k passages."""
    merged: dict[str, Passage] = {}
    for rank in range(max((len(r) for r in rankings), default=0)):
        for ranking in rankings:
            if rank < len(ranking):
                merged.setdefault(ranking[rank].chunk_id, ranking[rank])
    return list(merged.values())[:k]


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000.0
