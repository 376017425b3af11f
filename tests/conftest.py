"""Shared fixtures: every test works on temporary stores; the real index is built once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.runtime import go_offline

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
ARTIFACTS = REPO / "tests" / "artifacts"

go_offline()


@pytest.fixture(autouse=True)
def _isolated_user_state(tmp_path_factory, monkeypatch):
    """No test reads or writes the developer's own index, feedback or chat log."""
    home = tmp_path_factory.getbasetemp() / "user-state"
    monkeypatch.setenv("ASSISTANT_STORE_DIR", str(home / "store"))
    monkeypatch.delenv("ASSISTANT_CHROMA_HOST", raising=False)
    monkeypatch.delenv("ASSISTANT_FEEDBACK_PATH", raising=False)
    monkeypatch.delenv("ASSISTANT_CHAT_LOG_PATH", raising=False)
    monkeypatch.delenv("ASSISTANT_LLM_BACKEND", raising=False)


@pytest.fixture(scope="session")
def embedder():
    """The real packaged MiniLM model, loaded once."""
    from assistant.embedding import build_embedder
    from assistant.settings import Settings

    return build_embedder(Settings())


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory, embedder):
    """Settings pointing at a fresh index of the shipped corpus, built once per test session."""
    from assistant.settings import Settings
    from ingest.pipeline import run_ingest

    settings = Settings(corpus_dir=CORPUS, store_dir=tmp_path_factory.mktemp("corpus-store"))
    run_ingest(settings, embedder=embedder)
    return settings


@pytest.fixture(scope="session")
def bot(corpus_settings, embedder):
    """The real Assistant over the shipped corpus."""
    from assistant.core import Assistant

    return Assistant.from_settings(corpus_settings, embedder=embedder)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def pytest_configure(config):
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
