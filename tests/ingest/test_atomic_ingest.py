"""An ingest killed with SIGKILL at any point leaves the previous index intact; the next run completes."""

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.retrieval.store import IndexStore
from assistant.settings import Settings
from ingest.documents import load_corpus
from ingest.pipeline import build_chunks
from tests.conftest import CORPUS, REPO

FILES = ["001_afa225e47d7fdaac.txt", "002_4acc66fe3a8041a3.txt", "004_e9a59da55df5eadc.txt"]


def small_corpus(tmp_path: Path, names: list[str] = FILES) -> Path:
    """tmp_path/corpus holding a copy of these files of the shipped corpus (FILES: small enough to ingest
    again and again)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in names:
        shutil.copy(CORPUS / name, folder / name)
    return folder


def _snapshot(settings: Settings) -> dict:
    """What readers see: the active build and every chunk's id, text and metadata."""
    store = IndexStore(settings)
    collection = store.active()
    chunks = store.all_chunks(collection)
    probe = collection.get(ids=[chunks[0].id], include=["embeddings"])["embeddings"][0]
    nearest = collection.query(query_embeddings=[list(map(float, probe))], n_results=5)["ids"][0]
    return {"active": collection.name, "chunks": [(c.id, c.text, c.metadata["record_hash"]) for c in chunks],
            "nearest": nearest}


def _ingest_command(corpus, store, *extra):
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(corpus), "ASSISTANT_STORE_DIR": str(store)}
    return subprocess.Popen([sys.executable, "-m", "ingest", "--quiet", *extra], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_ingests(settings: Settings, corpus: Path, args: list[str], full: float, before: dict, complete: list,
                 seed: int, span: tuple[float, float], kills: int, attempts: int,
                 fresh=None) -> tuple[int, list[float], Settings]:
    """Start `python -m ingest ARGS` and SIGKILL it at random points of a run that takes `full` seconds, until
    `kills` kills or `attempts` runs. After each, the index is the previous one unchanged, or (the run
    finished first) a complete new one whose chunks are `complete`. A run that finished leaves nothing for
    the next one to do unless ARGS rebuild; with `fresh` (a callable giving settings of a new copy of the
    store as it was before), the attempts after it go on from that copy, so each one has the real work to
    do. Returns the kills, the points and the settings of the store the last attempt ran on (leftovers of
    the kills on it included)."""
    rng = random.Random(seed)
    points, killed = [], 0
    while killed < kills and len(points) < attempts:
        delay = rng.uniform(*span) * full
        points.append(delay)
        process = _ingest_command(corpus, settings.store_dir, *args)
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait(timeout=60)
        now = _snapshot(settings)
        if now["active"] == before["active"]:
            assert now == before, f"killed at {delay:.1f}s: the previous index changed"
        else:  # the run finished before the kill: the new index must be complete
            assert now["chunks"] == complete
            if fresh is None:
                before = now
            else:
                settings = fresh()
                assert _snapshot(settings) == before
    return killed, points, settings


@pytest.mark.reliability
@pytest.mark.integration
def test_sigkill_at_random_points_keeps_previous_index(tmp_path, remembering_embedder):
    from ingest.pipeline import run_ingest

    corpus = small_corpus(tmp_path)
    settings = Settings(corpus_dir=corpus, store_dir=tmp_path / "store")
    run_ingest(settings, embedder=remembering_embedder)
    before = _snapshot(settings)

    # The next ingest has real work to do: a changed file and a new one.
    (corpus / FILES[0]).write_text((CORPUS / FILES[0]).read_text(encoding="utf-8") + "\n\nA late addition.\n",
                                   encoding="utf-8")
    shutil.copy(CORPUS / "000_9f608641378b8553.txt", corpus / "000_9f608641378b8553.txt")
    # A clean build of the changed corpus elsewhere: what every completed run must match, and how long it takes.
    reference = Settings(corpus_dir=corpus, store_dir=tmp_path / "reference")
    started = time.perf_counter()
    assert _ingest_command(corpus, reference.store_dir, "--rebuild").wait(timeout=600) == 0
    full = time.perf_counter() - started
    after_clean = _snapshot(reference)

    # Kill points spread over the first three quarters of a run (later runs can be faster than the
    # reference, so a point near the end may miss); keep going until six kills or nine attempts.
    killed, points, settings = kill_ingests(settings, corpus, ["--rebuild"], full, before, after_clean["chunks"],
                                  seed=8, span=(0.05, 0.75), kills=6, attempts=9)
    print(f"\ningest killed at {killed} of {len(points)} points ({', '.join(f'{p:.1f}s' for p in points)}; "
          f"a full run takes {full:.1f}s)")
    assert killed >= 5
    assert _ingest_command(corpus, settings.store_dir).wait(timeout=600) == 0
    final = _snapshot(settings)
    assert final["chunks"] == after_clean["chunks"]
    assert len(IndexStore(settings).client.list_collections()) == 2  # the active build and the pointer


def test_a_store_that_cannot_be_written_stops_a_build_before_the_rest_is_embedded(tmp_path, remembering_embedder):
    """The build's collection is created by the writer thread while the first batches embed; when the store
    cannot be opened, the error reaches the run at the next hand-over, not after every chunk is embedded."""
    from assistant.retrieval.store import StoreError
    from ingest.pipeline import run_ingest

    blocked = tmp_path / "store"
    blocked.write_text("a file where the store's folder should be")
    settings = Settings(corpus_dir=small_corpus(tmp_path), store_dir=blocked, embed_batch_size=2)

    class CountingEmbedder:
        def __init__(self):
            self.batches = 0

        def __getattr__(self, name):
            return getattr(remembering_embedder, name)

        def get_text_embedding_batch(self, texts, **kwargs):
            self.batches += 1
            time.sleep(0.5)  # the writer thread has failed by the time a batch is handed over
            return remembering_embedder.get_text_embedding_batch(texts, **kwargs)

    counting = CountingEmbedder()
    with pytest.raises(StoreError, match="damaged or unreadable"):
        run_ingest(settings, rebuild=True, embedder=counting)
    chunks = len(build_chunks(load_corpus(settings.corpus_dir, settings.max_file_mb), settings))
    assert chunks > 2 * 4 and counting.batches <= 2
