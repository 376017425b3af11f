"""LLM backends behind one tiny interface: complete(system, user) -> str, stream(system, user) -> deltas."""

from __future__ import annotations

import threading
from typing import Any, Iterator, Protocol

from assistant.settings import Settings

DEFAULT_MAX_TOKENS = 256
LOCAL_MODEL_NAME = "local"


class BackendError(RuntimeError):
    """The backend failed: unreachable, timed out, or returned something unusable."""


class LLMBackend(Protocol):
    """What the generative answerer needs from a model."""

    name: str

    def complete(self, system: str, user: str) -> str:
        """The whole reply to one system + user message."""

    def stream(self, system: str, user: str) -> Iterator[str]:
        """The reply as text deltas, in order."""


class OpenAIBackend:
    """Any OpenAI-compatible server (llama.cpp server, vLLM, Ollama...) through llama-index's OpenAILike."""

    name = "openai"

    def __init__(self, llm: Any, system_in_user: bool = False):
        self.llm = llm
        self.system_in_user = system_in_user  # for chat templates without a system role (Gemma)

    def complete(self, system: str, user: str) -> str:
        """One chat completion."""
        try:
            return self.llm.chat(_messages(system, user, self.system_in_user)).message.content or ""
        except Exception as exc:  # any client, HTTP or server failure means: fall back
            raise BackendError(describe(exc)) from exc

    def stream(self, system: str, user: str) -> Iterator[str]:
        """Chat completion deltas as the server sends them."""
        try:
            for chunk in self.llm.stream_chat(_messages(system, user, self.system_in_user)):
                if chunk.delta:
                    yield chunk.delta
        except Exception as exc:
            raise BackendError(describe(exc)) from exc


class LlamaCppBackend:
    """A GGUF model run in-process by llama-cpp-python (one generation at a time)."""

    name = "llamacpp"

    def __init__(self, model: Any, max_tokens: int = DEFAULT_MAX_TOKENS, temperature: float = 0.0):
        self.model = model
        self.max_tokens = max_tokens
        self.temperature = temperature
        self._lock = threading.Lock()

    def complete(self, system: str, user: str) -> str:
        """One chat completion."""
        return "".join(self.stream(system, user))

    def stream(self, system: str, user: str) -> Iterator[str]:
        """Chat completion deltas from llama.cpp."""
        try:
            with self._lock:
                chunks = self.model.create_chat_completion(
                    messages=_dict_messages(system, user, self._system_in_user()), stream=True,
                    max_tokens=self.max_tokens, temperature=self.temperature)
                for chunk in chunks:
                    text = chunk["choices"][0].get("delta", {}).get("content")
                    if text:
                        yield text
        except Exception as exc:
            raise BackendError(describe(exc)) from exc


    def _system_in_user(self) -> bool:
        # llama-cpp-python's "gemma" format silently drops system messages: fold them into the user turn
        return getattr(self.model, "chat_format", None) == "gemma"



def openai_llm(settings: Settings, max_tokens: int = DEFAULT_MAX_TOKENS):
    """llama-index OpenAILike pointed at settings.llm_base_url (required: never a default cloud URL)."""
    if not settings.llm_base_url:
        raise ValueError("llm_backend=openai needs ASSISTANT_LLM_BASE_URL, e.g. http://127.0.0.1:8080/v1")
    try:
        from llama_index.llms.openai_like import OpenAILike
    except ImportError as exc:
        raise ImportError("llm_backend=openai needs the 'llm' extra: pip install -e '.[llm]'") from exc
    return OpenAILike(
        api_base=settings.llm_base_url, model=settings.llm_model or LOCAL_MODEL_NAME,
        api_key=settings.llm_api_key or "none", timeout=settings.llm_timeout_s,
        max_retries=settings.llm_retries, is_chat_model=True, temperature=0.0, max_tokens=max_tokens,
    )


def llamacpp_model(settings: Settings, n_ctx: int = 4096):
    """llama_cpp.Llama loaded from settings.llamacpp_model_path (a local GGUF file)."""
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise ImportError("llm_backend=llamacpp needs llama-cpp-python: run .ci/llm-setup .venv "
                          "or pip install -e '.[llamacpp]'") from exc
    path = settings.llamacpp_model_path
    if not path or not path.is_file():
        raise FileNotFoundError(f"llm_backend=llamacpp needs ASSISTANT_LLAMACPP_MODEL_PATH (a .gguf file); got {path}")
    return Llama(model_path=str(path), n_ctx=n_ctx, verbose=False)


def describe(exc: BaseException, limit: int = 160) -> str:
    """A short one-line description of a failure for Answer.notes (a BackendError already is one)."""
    text = " ".join(str(exc).split()) or "no detail"
    return (text if isinstance(exc, BackendError) else f"{type(exc).__name__}: {text}")[:limit]


def _messages(system: str, user: str, system_in_user: bool = False):
    from llama_index.core.base.llms.types import ChatMessage, MessageRole

    return [ChatMessage(role=MessageRole(m["role"]), content=m["content"])
            for m in _dict_messages(system, user, system_in_user)]


def _dict_messages(system: str, user: str, system_in_user: bool = False) -> list[dict]:
    if system_in_user:
        return [{"role": "user", "content": f"{system}\n\n{user}"}]
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]
