"""The generative answerer: an LLM writes from numbered passages, the citation guard keeps what is supported.

Any backend failure (timeout, connection refused, bad reply) or an answer the guard cannot keep
returns the extractive answer instead, with a note saying why.
"""

from __future__ import annotations

from importlib.resources.abc import Traversable
from typing import Iterator

from assistant.answering.base import AnswerRequest, Answerer
from assistant.answering.citations import cite_passage
from assistant.checks.guard import Embed, Evidence, GuardConfig, Kept, check_sentence, guard, split_sentences
from assistant.llm.backends import LLMBackend, describe
from assistant.llm.prompts import PROMPTS_DIR, RenderedPrompt, fence, format_passages, render
from assistant.models import Answer, Citation, Passage
from assistant.settings import Settings
from assistant.text.sentences import sentence_spans
from assistant.text.tokens import content_words

FALLBACK_BACKEND = "extractive (fallback)"


class GenerativeAnswerer:
    """Answers with an LLM backend, checked sentence by sentence by the citation guard."""

    def __init__(self, llm: LLMBackend, fallback: Answerer, settings: Settings, embed: Embed | None = None,
                 config: GuardConfig = GuardConfig(), prompts_dir: Traversable = PROMPTS_DIR):
        self.llm = llm
        self.fallback = fallback
        self._last: tuple[AnswerRequest, Answer] | None = None  # the last request's extractive answer
        self.settings = settings
        self.embed = embed
        self.config = config
        self.prompts_dir = prompts_dir
        self.name = llm.name

    # -- the protocol ------------------------------------------------------------------------
    def answer(self, request: AnswerRequest) -> Answer:
        """One completion, guarded; the extractive answer when the backend fails or the guard rejects it.
        A question the documents come close to but don't answer gets the extractive "not stated" reply."""
        unstated = self._not_stated(request)
        if unstated:
            return unstated
        prompt = self.prompt(request)
        try:
            text = self.llm.complete(prompt.system, prompt.user)
        except Exception as exc:  # the backend is optional: any failure means the extractive answer
            return self._unreachable(self._extractive(request), describe(exc))
        return self.finish(request, text, Evidence(request.passages, self.embed))

    def stream(self, request: AnswerRequest) -> Iterator[Answer]:
        """Growing answers made only of finished sentences that passed the guard; the last is final."""
        unstated = self._not_stated(request)
        if unstated:
            yield unstated
            return
        prompt = self.prompt(request)
        evidence = Evidence(request.passages, self.embed)
        checked: dict[str, Kept | None] = {}
        text, shown = "", 0
        for delta in _deltas(self.llm, prompt):
            if isinstance(delta, Exception):  # any backend failure, even mid-answer: the extractive answer
                yield from self._fallback_stream(request, describe(delta))
                return
            text += delta
            kept = self._finished_kept(text, evidence, checked)
            if len(kept) > shown:
                shown = len(kept)
                yield self.compose(request, kept)
        yield self.finish(request, text, evidence)

    # -- steps -------------------------------------------------------------------------------
    def _not_stated(self, request: AnswerRequest) -> Answer | None:
        """The extractive reply when it finds the question pins down something no passage states."""
        answer = self._extractive(request)
        return answer if answer.reason == "not_stated" else None

    def _extractive(self, request: AnswerRequest) -> Answer:
        """The extractive answer to this request, composed once (the "not stated" check and a fallback share it)."""
        if self._last is None or self._last[0] is not request:
            self._last = (request, self.fallback.answer(request))
        return self._last[1]

    def prompt(self, request: AnswerRequest) -> RenderedPrompt:
        """prompts/answer.yaml filled with the numbered, fenced passages and the question."""
        question = fence(request.question or request.query)
        if request.query and request.query != request.question:
            question += f"\n(read in context as: {fence(request.query)})"
        return render("answer", self.prompts_dir, passages=format_passages(request.passages),
                      question=question, max_sentences=self.settings.max_answer_sentences)

    def finish(self, request: AnswerRequest, text: str, evidence: Evidence) -> Answer:
        """The guarded answer, or the extractive one when too little of the text is supported."""
        report = guard(text, evidence, self.config)
        if report.used_fallback:
            answer = self._extractive(request)
            answer.backend = FALLBACK_BACKEND
            answer.notes = [*answer.notes, *report.notes()]
            return answer
        return self.compose(request, report.kept, report.notes())

    def compose(self, request: AnswerRequest, kept: list[Kept], notes: list[str] | None = None) -> Answer:
        """Answer text with citations renumbered 1..m in order of first use."""
        order: list[int] = []
        parts = []
        for sentence in kept:
            order += [n for n in sentence.cited if n not in order]
            markers = "".join(f"[{order.index(n) + 1}]" for n in sentence.cited)
            parts.append(f"{_closed(sentence.text)} {markers}")
        citations = [citation_for(request.passages[n - 1], i, _citing(kept, n)) for i, n in enumerate(order, 1)]
        return Answer(status="answered", answer=" ".join(parts), citations=citations, query=request.query,
                      question=request.question, passages=request.passages, backend=self.name,
                      notes=list(notes or []))

    def _finished_kept(self, text: str, evidence: Evidence, checked: dict[str, Kept | None]) -> list[Kept]:
        """Kept sentences among those already finished (the last one may still be growing)."""
        kept = []
        for sentence in split_sentences(text)[:-1]:
            if sentence not in checked:
                verdict, _ = check_sentence(sentence, evidence, self.config)
                checked[sentence] = verdict if isinstance(verdict, Kept) else None
            if checked[sentence]:
                kept.append(checked[sentence])
        return kept

    def _fallback_stream(self, request: AnswerRequest, reason: str) -> Iterator[Answer]:
        for partial in self.fallback.stream(request):
            yield self._unreachable(partial, reason)

    @staticmethod
    def _unreachable(answer: Answer, reason: str) -> Answer:
        answer.backend = FALLBACK_BACKEND
        answer.notes = [*answer.notes, f"LLM backend unreachable: {reason}; showing the extractive answer"]
        return answer


def citation_for(passage: Passage, n: int, claims: list[str]) -> Citation:
    """Citation [n] for a passage, highlighting its sentence closest to what the answer said from it."""
    start, end = best_sentence(passage.text, " ".join(claims))
    return cite_passage(n, passage, start, end)


def best_sentence(text: str, claim: str) -> tuple[int, int]:
    """Offsets of the sentence of text sharing the most content words with claim (the first on ties)."""
    spans = sentence_spans(text) or [(0, len(text))]
    wanted = set(content_words(claim))
    return max(spans, key=lambda span: (len(wanted & set(content_words(text[span[0]:span[1]]))), -span[0]))


def _deltas(llm: LLMBackend, prompt: RenderedPrompt) -> Iterator[str | Exception]:
    """The backend's text deltas; a failure becomes the last item instead of an exception."""
    try:
        yield from llm.stream(prompt.system, prompt.user)
    except Exception as exc:
        yield exc


def _citing(kept: list[Kept], n: int) -> list[str]:
    return [sentence.text for sentence in kept if n in sentence.cited]


def _closed(text: str) -> str:
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", "…", ":", '"', "”", ")")) else text + "."
