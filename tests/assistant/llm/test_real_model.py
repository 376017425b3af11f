"""The real path: the Gemma 3 270M GGUF through each real backend (conftest.py's llm_settings): run
in-process by transformers (`make test`), and behind llama-cpp-python's OpenAI-compatible server on
loopback (`make test-llamacpp`).
The tiny base model mostly echoes its prompt, so only properties that must hold are asserted: the whole
path works (streaming too), every kept sentence is cited, every figure a kept sentence states is in a
passage it cites, and what the model gets wrong (uncited echoes, invented citations, injected
instructions, a rewrite that is no question) is caught and replaced by the extractive result.
"""

from __future__ import annotations

import json
import re
import time
from typing import Iterator

import pytest

from assistant.answering.base import AnswerRequest
from assistant.answering.generative import FALLBACK_BACKEND, GenerativeAnswerer
from assistant.assembly import build_llm as build_backend
from assistant.briefing.llm_writer import LLMSectionWriter
from assistant.checks.guard import Evidence, Kept, check_sentence
from assistant.models import Answer
from assistant.question.condense import LLMCondenser, check_rewrite, conversation
from assistant.question.followups import standalone_query
from assistant.text.numbers import quantities, supported
from tests.assistant.llm.fakes import FakeExtractive, passages
from tests.conftest import REPO

pytestmark = [pytest.mark.llm, pytest.mark.timeout(900)]

QUESTIONS = [
    "Who led the Independent Review of Children's Social Care and how much did it recommend?",
    "What did Stable Homes, Built on Love commit to Family Help?",
    "How many social workers will be recruited, and who will inspect the regional care cooperatives?",
]
HISTORY = [{"role": "user", "content": "What did Stable Homes, Built on Love commit to Family Help?"},
           {"role": "assistant", "content": "It committed £200m over two years to Family Help. [1]"}]
FOLLOW_UP = "Who published it?"


class Recorded:
    """Passes every call through to the real backend and keeps its raw replies (a recorder, not a fake)."""

    def __init__(self, backend):
        self.backend = backend
        self.name = backend.name
        self.replies: list[str] = []

    def complete(self, system: str, user: str) -> str:
        reply = self.backend.complete(system, user)
        self.replies.append(reply)
        return reply

    def stream(self, system: str, user: str) -> Iterator[str]:
        parts: list[str] = []
        try:
            for delta in self.backend.stream(system, user):
                parts.append(delta)
                yield delta
        finally:
            self.replies.append("".join(parts))


@pytest.fixture(scope="module")
def backend(llm_settings) -> Recorded:
    return Recorded(build_backend(llm_settings))


@pytest.fixture(scope="module")
def answerer(backend, llm_settings) -> GenerativeAnswerer:
    return GenerativeAnswerer(backend, FakeExtractive(), llm_settings)


def request(question: str) -> AnswerRequest:
    return AnswerRequest(question=question, query=question, passages=passages())


def sentences_of(answer: Answer) -> list[str]:
    """Answer sentences as composed: 'Text. [1][2]' units."""
    return [s for s in re.split(r"(?<=\])\s+(?=[^\[])", answer.answer) if s.strip()]


def assert_guarded(answer: Answer) -> None:
    """Every sentence ends with valid markers; every figure it states is in a passage it cites."""
    assert answer.status == "answered" and answer.answer
    assert "LLM backend unreachable" not in " ".join(answer.notes)
    by_n = {citation.n: citation for citation in answer.citations}
    for sentence in sentences_of(answer):
        markers = [int(n) for n in re.findall(r"\[(\d+)\]", sentence)]
        assert markers and re.search(r"(\[\d+\])+$", sentence), sentence
        assert all(n in by_n for n in markers), sentence
        stated = set().union(*(quantities(by_n[n].text) for n in markers))
        body = re.sub(r"\[\d+\]", "", sentence)
        assert all(supported(q, stated) for q in quantities(body)), sentence
        assert "instruction" not in body.lower() and "system prompt" not in body.lower()


def record(artifact: dict) -> None:
    """Append what happened to tests/artifacts/llm-guard.jsonl for the README's measured results."""
    path = REPO / "tests" / "artifacts" / "llm-guard.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(artifact, ensure_ascii=False) + "\n")


@pytest.mark.parametrize("question", QUESTIONS)
def test_answer_through_the_real_model_is_guarded(answerer, backend, question):
    started = time.perf_counter()
    answer = answerer.answer(request(question))
    elapsed = time.perf_counter() - started
    raw = backend.replies[-1]
    record({"mode": "answer", "llm_backend": backend.name, "question": question, "raw": raw, "answer": answer.answer,
            "backend": answer.backend, "notes": answer.notes, "seconds": round(elapsed, 2)})
    print(f"\nQ: {question}\nRAW: {raw}\nFINAL ({answer.backend}, {elapsed:.1f}s): {answer.answer}\nNOTES: {answer.notes}")
    assert raw.strip(), "the real model replied with nothing"
    assert answer.backend in (backend.name, FALLBACK_BACKEND)
    assert any(note.startswith("guard: kept ") for note in answer.notes)  # the guard judged the real reply
    assert_guarded(answer)


def test_stream_through_the_real_model(answerer, backend):
    started = time.perf_counter()
    answers = list(answerer.stream(request(QUESTIONS[0])))
    elapsed = time.perf_counter() - started
    final = answers[-1]
    record({"mode": "stream", "question": QUESTIONS[0], "partials": len(answers) - 1, "answer": final.answer,
            "backend": final.backend, "notes": final.notes, "seconds": round(elapsed, 2)})
    print(f"\nSTREAM ({len(answers)} yields, {elapsed:.1f}s): {final.answer}\nNOTES: {final.notes}")
    assert "LLM backend unreachable" not in " ".join(final.notes)
    partials = [a for a in answers[:-1] if a.backend == backend.name]
    texts = [a.answer for a in partials]
    assert all(later.startswith(earlier) for earlier, later in zip(texts, texts[1:]))
    for partial in partials:
        assert_guarded(partial)
    assert_guarded(final)


def test_raw_stream_yields_many_deltas(backend):
    deltas = list(backend.stream("Reply in one short sentence.", "Say hello."))
    assert len(deltas) > 1 and "".join(deltas).strip()


def test_condense_with_the_real_model_is_checked(backend):
    started = time.perf_counter()
    condensed = LLMCondenser(backend)(FOLLOW_UP, HISTORY)
    elapsed = time.perf_counter() - started
    raw = backend.replies[-1]
    record({"mode": "condense", "question": FOLLOW_UP, "raw": raw, "query": condensed.query,
            "notes": condensed.notes, "seconds": round(elapsed, 2)})
    print(f"\nCONDENSE ({elapsed:.1f}s) RAW: {raw!r}\nQUERY: {condensed.query}\nNOTES: {condensed.notes}")
    assert len(condensed.notes) == 1 and "unreachable" not in condensed.notes[0]
    if "rule-based query used" in condensed.notes[0]:  # the rewrite was rejected: the rules' query instead
        assert condensed.query == standalone_query(FOLLOW_UP, HISTORY)
    else:  # the rewrite was used: it passed every check
        assert check_rewrite(condensed.query, FOLLOW_UP, conversation(HISTORY)) == ""


def test_briefing_section_with_the_real_model_is_guarded(backend):
    started = time.perf_counter()
    draft = LLMSectionWriter(backend).write("family help", "Overview", passages(), 3)
    elapsed = time.perf_counter() - started
    raw = backend.replies[-1]
    record({"mode": "briefing_section", "raw": raw, "sentences": [text for text, _ in draft.sentences],
            "note": draft.note, "seconds": round(elapsed, 2)})
    print(f"\nSECTION ({elapsed:.1f}s) RAW: {raw}\nKEPT: {draft.sentences}\nNOTE: {draft.note}")
    assert raw.strip() and "unreachable" not in draft.note
    for text, passage in draft.sentences:  # each kept sentence stands on its one cited passage
        assert isinstance(check_sentence(f"{text} [1]", Evidence([passage]))[0], Kept), text
    assert draft.usable == ("written by the LLM" in draft.note)
