"""Shared fixtures: every test works on temporary stores; the real index is built once per session.

With REFORM_REQUIRE_ALL=1 (set by `make test`) a skipped test is reported as a failure with its reason:
a test skips only when an outside tool is missing, and CI must not pass without it.

`make test` runs the suite on two pytest-xdist workers. Each worker is a session of its own (the session
fixtures below are built once per worker), so a test module runs on one worker, and so do the tests that
share the app server or the real model (`worker_scope`); those go out first, then the other modules that
use the real model or store, then the unit tests, which fill the end. The figures the workers measure are
handed to the controller, which prints them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from assistant.runtime import go_offline
from tests.reliability.conftest import FIGURES
from tests.ui.conftest import PAYLOAD_HTML, PAYLOAD_TXT, TIMINGS, free_port, serve_command, stop_server, wait_until_up

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
    from assistant.retrieval.dense import build_embedder
    from assistant.settings import Settings

    return build_embedder(Settings())


class RememberingEmbedder:
    """The real embedder, remembering every passage vector it computed: a text embedded once (the shipped
    corpus by `corpus_settings`, the dev-external corpus by its first index) is not embedded again by a later
    test that indexes the same documents. The vectors are also kept on disk between sessions (`folder`, one
    file per text under a key of the model and the code that runs it, see `vector_folder`), so the second
    worker and the next `make test` read them instead of embedding again. A vector comes back as the real
    model computed it; only a text first seen in a batch with others may differ in its last float bits from
    one embedded in another batch (the padding), exactly as ingest's own reuse of unchanged chunks. Tests of
    the embedder itself use `embedder`."""

    def __init__(self, inner, folder: Path | None = None):
        self.inner = inner
        self.folder = folder
        self.vectors: dict[str, list[float]] = {}
        self.computed = 0  # texts sent to the real model

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def get_text_embedding_batch(self, texts, **kwargs):
        for text in texts:
            if text not in self.vectors and (kept := self._read(text)) is not None:
                self.vectors[text] = kept
        missing = list(dict.fromkeys(text for text in texts if text not in self.vectors))  # a batch of new texts goes as it came
        if missing:
            computed = self.inner.get_text_embedding_batch(missing, **kwargs)
            self.vectors.update(zip(missing, computed))
            self.computed += len(missing)
            for text, vector in zip(missing, computed):
                self._write(text, vector)
        return [list(self.vectors[text]) for text in texts]

    def get_text_embedding(self, text):
        return self.get_text_embedding_batch([text])[0]

    def get_query_embedding(self, query):
        return self.inner.get_query_embedding(query)

    def _path(self, text: str) -> Path:
        return self.folder / f"{hashlib.sha256(text.encode()).hexdigest()}.npy"

    def _read(self, text: str) -> list[float] | None:
        if self.folder is None:
            return None
        try:
            return np.load(self._path(text), allow_pickle=False).tolist()
        except (OSError, ValueError):
            return None

    def _write(self, text: str, vector) -> None:
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                np.save(out, np.asarray(vector, dtype=np.float32))
            os.replace(temporary, self._path(text))
        except OSError:
            pass  # the cache only saves time


def vector_folder() -> Path:
    """Where RememberingEmbedder keeps vectors between sessions: REFORM_TEST_VECTORS, else the user's cache,
    under a hash of the model's name and the code that computes a vector (a change to either starts afresh)."""
    from assistant.retrieval.dense import MODEL_NAME
    from assistant.retrieval.probe_memory import ENCODING_MODULES

    digest = hashlib.sha256(MODEL_NAME.encode())
    for module in ENCODING_MODULES:
        digest.update((REPO / "assistant" / module).read_bytes())
    root = Path(os.environ.get("REFORM_TEST_VECTORS") or Path.home() / ".cache" / "reform-assistant" / "test-vectors")
    return root / digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def remembering_embedder(embedder) -> RememberingEmbedder:
    """The session's embedder for tests that index documents an earlier test indexed (see RememberingEmbedder)."""
    return RememberingEmbedder(embedder, vector_folder())


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory, remembering_embedder):
    """Settings pointing at a fresh index of the shipped corpus, built once per test session (its vectors
    are remembered for the tests that index the corpus again)."""
    from assistant.settings import Settings
    from ingest.pipeline import run_ingest

    settings = Settings(corpus_dir=CORPUS, store_dir=tmp_path_factory.mktemp("corpus-store"))
    run_ingest(settings, embedder=remembering_embedder)
    return settings


@pytest.fixture(scope="session")
def bot(corpus_settings, embedder):
    """The real Assistant over the shipped corpus."""
    from assistant.assembly import build_assistant

    return build_assistant(corpus_settings, embedder=embedder)


@pytest.fixture(scope="session")
def ui_store(tmp_path_factory, corpus_settings) -> Path:
    """The real corpus plus two documents with script payloads, indexed by `python -m ingest` over a copy of
    the session's index (so only the two payload documents are embedded)."""
    root = tmp_path_factory.mktemp("ui")
    corpus, store = root / "corpus", root / "store"
    shutil.copytree(corpus_settings.corpus_dir, corpus)
    (corpus / "zz_payload.html").write_text(PAYLOAD_HTML, encoding="utf-8")
    (corpus / "zz_payload.txt").write_text(PAYLOAD_TXT, encoding="utf-8")
    shutil.copytree(corpus_settings.store_dir, store)
    env = {key: value for key, value in os.environ.items() if not key.startswith("ASSISTANT_")}
    result = subprocess.run([sys.executable, "-m", "ingest", "--corpus", str(corpus), "--store", str(store),
                             "--quiet"], cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    return store


@pytest.fixture(scope="session")
def server(ui_store, tmp_path_factory):
    """The real app (`python -m assistant serve`) on a free port, with feedback on and no chat log: the one
    app server of a test session (the UI, API and reliability tests share it)."""
    from gradio_client import Client

    root = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("ASSISTANT_")}
    env["ASSISTANT_FEEDBACK_PATH"] = str(root / "feedback.jsonl")  # feedback on; no chat log
    log = open(root / "serve.log", "w", encoding="utf-8")
    started = time.perf_counter()
    proc = subprocess.Popen(serve_command("--port", str(port), "--store", str(ui_store)), cwd=REPO, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url, proc, timeout=300)
        TIMINGS["serve_to_listening_s"] = round(time.perf_counter() - started, 2)
        client = Client(url, verbose=False)
        first = client.predict("What is family help?", api_name="/ask")
        TIMINGS["serve_to_first_answer_s"] = round(time.perf_counter() - started, 2)
        yield SimpleNamespace(url=url, port=port, client=client, first_answer=first, root=root, proc=proc,
                              store=ui_store, feedback=root / "feedback.jsonl", log=root / "serve.log")
    finally:
        stop_server(proc, log)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def pytest_configure(config):
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    config.addinivalue_line("markers", "slow: the full-corpus form of a check make test runs on a sample: only in "
                                       "make test-slow")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under REFORM_REQUIRE_ALL=1 a skip is a failure (an expected failure, xfail, stays what it is)."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("REFORM_REQUIRE_ALL") == "1" and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, but REFORM_REQUIRE_ALL=1 (make test) runs everything: {reason}"


def pytest_sessionfinish(session):
    """On a pytest-xdist worker: hand the figures this session measured to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["timings"], workeroutput["figures"] = dict(TIMINGS), dict(FIGURES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """On the pytest-xdist controller: gather a finished worker's figures for the terminal summaries."""
    output = getattr(node, "workeroutput", {})
    TIMINGS.update(output.get("timings", {}))
    FIGURES.update(output.get("figures", {}))


def pytest_terminal_summary(terminalreporter):
    """Print the figures the session measured (reported, not asserted)."""
    if TIMINGS:
        terminalreporter.write_sep("-", "UI timings (tests/artifacts/ui_timings.json)")
        for key, value in TIMINGS.items():
            terminalreporter.write_line(f"{key}: {value}")
    if FIGURES:
        terminalreporter.write_sep("-", "reliability figures")
        for key, value in FIGURES.items():
            terminalreporter.write_line(f"{key}: {json.dumps(value, ensure_ascii=False, default=str)}")


# Test directories whose tests share a costly session fixture: each group runs on one pytest-xdist worker.
SHARED_FIXTURE_GROUPS = {"tests/ui/": "app-server", "tests/reliability/": "app-server",
                         "tests/assistant/llm/": "real-model"}
# Markers of tests that use the real model, store, app or browser (the long ones).
COSTLY_MARKERS = ("llm", "integration", "browser", "eval", "reliability", "server")


def worker_scope(nodeid: str) -> str:
    """The unit of work of a pytest-xdist worker: a shared-fixture group, otherwise the test's module.

    >>> worker_scope("tests/ui/test_api.py::test_ask"), worker_scope("tests/evals/test_eval_cli.py::test_x")
    ('app-server', 'tests/evals/test_eval_cli.py')
    """
    for directory, group in SHARED_FIXTURE_GROUPS.items():
        if nodeid.startswith(directory):
            return group
    return nodeid.split("::", 1)[0]


def cost_class(scope: str, items: list) -> int:
    """0 for a shared-fixture group, 1 for a module with any costly test, 2 for unit tests and doctests."""
    if scope in SHARED_FIXTURE_GROUPS.values():
        return 0
    return 1 if any(item.get_closest_marker(name) for item in items for name in COSTLY_MARKERS) else 2


def pytest_collection_modifyitems(config, items):
    """Order the tests by `cost_class` of their `worker_scope` (stable: a scope keeps its order), so the
    workers start on the long ones and the quick ones fill the end."""
    scopes: dict[str, list] = {}
    for item in items:
        scopes.setdefault(worker_scope(item.nodeid), []).append(item)
    ordered = sorted(scopes.items(), key=lambda scope: cost_class(*scope))
    items[:] = [item for _, scoped in ordered for item in scoped]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's scheduling by file, with `worker_scope` as the unit of work, in collection order."""
    from xdist.scheduler import LoadFileScheduling

    class WorkerScopeScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return worker_scope(nodeid)

    config.option.loadscopereorder = False  # keep the order pytest_collection_modifyitems gave
    return WorkerScopeScheduling(config, log)
