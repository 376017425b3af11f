"""The embedding model in ingest's child process: the same vectors as in-process, its errors raised in the
parent, and no child left behind, whether ingest closes it or is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from assistant.settings import Settings
from ingest.model_process import ModelProcess
from tests.conftest import REPO

pytestmark = pytest.mark.integration

PASSAGES = ["Family help brings together targeted early help and child in need work.",
            "A short one.", "Kinship carers " * 200]  # lengths that pad, and one cut at the model's window
QUESTIONS = ["What is family help?", "Who", "How much will councils receive over the next four years for it?"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:  # a zombie has ended, only not been reaped
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


def test_the_child_gives_the_vectors_of_the_model_in_process(embedder):
    model = ModelProcess(Settings())
    try:
        assert model.get_text_embedding_batch(PASSAGES) == embedder.get_text_embedding_batch(PASSAGES)
        assert model.get_query_embeddings(QUESTIONS) == embedder.get_query_embeddings(QUESTIONS)
        assert [model.get_query_embedding(q) for q in QUESTIONS] == [embedder.get_query_embedding(q) for q in QUESTIONS]
    finally:
        model.close()


def test_a_missing_model_is_raised_where_the_model_is_needed(tmp_path):
    model = ModelProcess(Settings(embed_model_dir=tmp_path))
    model.start()
    try:
        with pytest.raises(FileNotFoundError, match="No embedding model"):
            model.get_text_embedding_batch(["family help"])
    finally:
        model.close()


def test_close_ends_the_child_even_while_it_loads():
    model = ModelProcess(Settings())
    model.start()
    pid = model._process.pid
    model.close()  # at once: the model has not had time to load
    assert not _alive(pid)


CHILD_OF_A_KILLED_PARENT = """
import sys, time
from assistant.settings import Settings
from ingest.model_process import ModelProcess
model = ModelProcess(Settings())
model.start()
if sys.argv[1] == "loaded":
    model.get_query_embedding("family help")
print(model._process.pid, flush=True)
time.sleep(600)
"""


@pytest.mark.reliability
@pytest.mark.parametrize("when", ["loading", "loaded"])
def test_the_child_ends_when_ingest_is_killed(when):
    parent = subprocess.Popen([sys.executable, "-c", CHILD_OF_A_KILLED_PARENT, when], cwd=REPO,
                              stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        assert _alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        # At once, not when it would next read from the parent (after loading the model: seconds).
        assert _wait_gone(child, seconds=1.5), f"the model's process {child} outlived its killed parent"
    finally:
        parent.kill()
        parent.stdout.close()
