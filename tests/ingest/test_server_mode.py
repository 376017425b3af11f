"""Server mode: the same pipeline against a real `chroma run` on loopback, surviving a restart."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.settings import Settings
from tests.conftest import CORPUS

CHROMA = Path(sys.executable).with_name("chroma")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(path: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    process = subprocess.Popen([str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("chroma run did not start")


@pytest.fixture
def chroma_server(tmp_path):
    port = _free_port()
    path = tmp_path / "chroma-data"
    process = _start(path, port)
    handle = {"port": port, "path": path, "process": process}
    yield handle
    handle["process"].kill()
    handle["process"].wait()


@pytest.mark.server
@pytest.mark.integration
@pytest.mark.reliability
@pytest.mark.skipif(not CHROMA.exists(), reason="the chroma CLI is not installed in this environment")
def test_ingest_and_answer_through_a_chroma_server_that_restarts(tmp_path, chroma_server, embedder):
    from assistant.assembly import build_assistant
    from ingest.pipeline import run_ingest

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("003_c985c6be07385037.txt", "manifest.yaml"):
        shutil.copy(CORPUS / name, corpus / name)
    settings = Settings(corpus_dir=corpus, store_dir=tmp_path / "unused", chroma_host="127.0.0.1",
                        chroma_port=chroma_server["port"])
    report = run_ingest(settings, embedder=embedder)
    assert report.documents == 10 and report.chunks > 50
    assert not (tmp_path / "unused" / "chroma.sqlite3").exists()  # nothing went to the embedded store
    assert run_ingest(settings, embedder=embedder).embedded == 0  # incremental against the server too

    bot = build_assistant(settings, embedder=embedder)
    first = bot.ask("Which councils are testing the specialist child protection role?")
    assert first.status == "answered" and "[1]" in first.answer

    chroma_server["process"].kill()
    chroma_server["process"].wait()
    down = bot.ask("What are regional care co-operatives?")
    assert down.status == "not_found" and "not reachable" in down.answer

    chroma_server["process"] = _start(chroma_server["path"], chroma_server["port"])
    again = bot.ask("What are regional care co-operatives?")
    assert again.status == "answered" and again.citations
