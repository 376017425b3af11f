"""Backends: construction from settings, the real OpenAILike client against loopback servers, failures."""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

import pytest

from assistant.answering.base import AnswerRequest
from assistant.answering.generative import FALLBACK_BACKEND, GenerativeAnswerer
from assistant.assembly import build_llm as build_backend
from assistant.llm.backends import BackendError, LlamaCppBackend, OpenAIBackend, llamacpp_model
from assistant.settings import Settings
from tests.assistant.llm.fake_server import openai_compatible_server
from tests.assistant.llm.fakes import FakeExtractive, passages

pytestmark = pytest.mark.unit

REPLY = "The Independent Review of Children's Social Care was led by Josh MacAlister. [1]"


def openai_settings(url: str, **extra) -> Settings:
    return Settings(llm_backend="openai", llm_base_url=url, llm_model="tiny", llm_retries=0, **extra)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_openai_backend_needs_a_base_url():
    with pytest.raises(ValueError, match="ASSISTANT_LLM_BASE_URL"):
        build_backend(Settings(llm_backend="openai"))


def test_openai_backend_is_built_from_settings():
    backend = build_backend(Settings(llm_backend="openai", llm_base_url="http://127.0.0.1:1/v1",
                                     llm_timeout_s=7, llm_retries=2))
    llm = backend.llm
    assert backend.name == "openai" and llm.api_base == "http://127.0.0.1:1/v1"
    assert llm.api_key == "none" and llm.timeout == 7 and llm.max_retries == 2 and llm.is_chat_model


def test_openai_backend_completes_and_streams_against_a_loopback_server():
    with openai_compatible_server(REPLY) as (url, seen):
        backend = build_backend(openai_settings(url))
        assert backend.complete("sys", "user") == REPLY
        deltas = list(backend.stream("sys", "user"))
    assert len(deltas) > 1 and "".join(deltas) == REPLY
    assert seen[0]["model"] == "tiny" and seen[0]["messages"][0] == {"role": "system", "content": "sys"}
    assert seen[1]["stream"] is True


def test_generative_answerer_end_to_end_through_the_openai_client():
    with openai_compatible_server(REPLY) as (url, _):
        settings = openai_settings(url)
        answerer = GenerativeAnswerer(build_backend(settings), FakeExtractive(), settings)
        question = "Who led the review?"
        answers = list(answerer.stream(AnswerRequest(question, question, passages())))
    assert answers[-1].backend == "openai" and answers[-1].citations[0].chunk_id == "review-1"


def test_unreachable_server_falls_back_within_seconds():
    settings = openai_settings(f"http://127.0.0.1:{free_port()}/v1", llm_timeout_s=2)
    answerer = GenerativeAnswerer(build_backend(settings), FakeExtractive(), settings)
    request = AnswerRequest("Who led it?", "Who led it?", passages())
    answerer.answer(request)  # the first call pays for the client's lazy imports
    started = time.perf_counter()
    answer = answerer.answer(request)
    assert time.perf_counter() - started < 2
    assert answer.backend == FALLBACK_BACKEND
    assert answer.notes[-1].startswith("LLM backend unreachable: APIConnectionError")


def test_slow_server_times_out_and_falls_back():
    with openai_compatible_server(REPLY, delay_s=3) as (url, _):
        settings = openai_settings(url, llm_timeout_s=0.5)
        answerer = GenerativeAnswerer(build_backend(settings), FakeExtractive(), settings)
        started = time.perf_counter()
        answers = list(answerer.stream(AnswerRequest("Who led it?", "Who led it?", passages())))
    assert time.perf_counter() - started < 3
    assert answers[-1].backend == FALLBACK_BACKEND and "Timeout" in answers[-1].notes[-1]


def test_backend_errors_are_wrapped():
    class Broken:
        def chat(self, messages):
            raise ConnectionResetError("peer reset")

    with pytest.raises(BackendError, match="ConnectionResetError: peer reset"):
        OpenAIBackend(Broken()).complete("s", "u")


def test_llamacpp_backend_streams_deltas_from_create_chat_completion():
    class FakeLlama:
        def create_chat_completion(self, messages, stream, max_tokens, temperature):
            assert stream and messages[0]["role"] == "system"
            yield {"choices": [{"delta": {"role": "assistant"}}]}
            yield {"choices": [{"delta": {"content": "Hello "}}]}
            yield {"choices": [{"delta": {"content": "[1]."}}]}

    backend = LlamaCppBackend(FakeLlama())
    assert backend.name == "llamacpp" and backend.complete("s", "u") == "Hello [1]."


def test_llamacpp_without_the_extra_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    with pytest.raises(ImportError, match="llm-setup"):
        llamacpp_model(Settings(llm_backend="llamacpp", llamacpp_model_path=Path("/nope.gguf")))


@pytest.mark.llamacpp
def test_llamacpp_needs_a_model_file():
    pytest.importorskip("llama_cpp", reason="llama-cpp-python not installed (.ci/llm-setup)")
    with pytest.raises(FileNotFoundError, match="ASSISTANT_LLAMACPP_MODEL_PATH"):
        llamacpp_model(Settings(llm_backend="llamacpp", llamacpp_model_path=Path("/nope.gguf")))


def test_system_prompt_can_be_folded_into_the_user_turn():
    with openai_compatible_server(REPLY) as (url, seen):
        from assistant.llm.backends import openai_llm

        OpenAIBackend(openai_llm(openai_settings(url)), system_in_user=True).complete("rules", "question")
    assert seen[0]["messages"] == [{"role": "user", "content": "rules\n\nquestion"}]


def test_token_limit_and_system_role_come_from_settings():
    backend = build_backend(Settings(llm_backend="openai", llm_base_url="http://127.0.0.1:1/v1", llm_max_tokens=64,
                                     llm_system_in_user=True))
    assert backend.llm.max_tokens == 64 and backend.system_in_user
    assert not build_backend(Settings(llm_backend="openai", llm_base_url="http://127.0.0.1:1/v1")).system_in_user
