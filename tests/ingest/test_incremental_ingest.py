"""Adding, changing or removing a file writes that file alone into a delta build layered over the index;
what readers see equals a full build of the same corpus, and a killed update leaves the previous index."""

import shutil
import time

import pytest

from assistant.retrieval.store import IndexStore, LayeredCollection
from assistant.settings import Settings
from ingest.ledger import read_ledger
from ingest.pipeline import run_ingest
from tests.ingest.test_atomic_ingest import FILES, _ingest_command, _snapshot, kill_ingests, small_corpus

pytestmark = pytest.mark.integration
# The real model, its vectors of the shipped corpus remembered from the session's index (`remembering_embedder`):
# these tests build the same documents several times over (a delta, then a full build to compare it with).

NEW_FILE = "zz_made_up_note.txt"
NEW_TEXT = ("A made-up note on the Exampleshire pilot\n\n"
            + "The Widget Council said kinship carers taking part in the pilot receive a quarterly zorbling "
              "allowance, paid from the council's own budget rather than a national grant. " * 4
            + "\n\nThe council plans to review the zorbling allowance after the first year.\n")


def readers_see(settings: Settings) -> list[tuple]:
    return [(chunk.id, chunk.text, chunk.metadata["record_hash"]) for chunk in IndexStore(settings).all_chunks()]


def full_build(corpus, tmp_path, remembering_embedder) -> Settings:
    reference = Settings(corpus_dir=corpus, store_dir=tmp_path / f"reference-{time.monotonic_ns()}")
    run_ingest(reference, rebuild=True, embedder=remembering_embedder)
    return reference


@pytest.fixture
def corpus(tmp_path):
    return small_corpus(tmp_path)


def test_add_change_and_remove_a_file_write_a_delta_that_reads_as_a_full_build(corpus, tmp_path, remembering_embedder):
    from assistant.assembly import build_assistant

    settings = Settings(corpus_dir=corpus, store_dir=tmp_path / "store")
    first = run_ingest(settings, embedder=remembering_embedder)
    base = IndexStore(settings).active().name

    (corpus / NEW_FILE).write_text(NEW_TEXT, encoding="utf-8")
    added = run_ingest(settings, embedder=remembering_embedder, compact_at=1.0)
    active = IndexStore(settings).active()
    new_chunks = len(read_ledger(settings, active.name)[NEW_FILE].records)
    assert added.mode == "delta" and added.embedded == new_chunks and added.reused == first.chunks
    assert isinstance(active, LayeredCollection) and active.base.name == base and active.delta.count() == new_chunks
    reference = full_build(corpus, tmp_path, remembering_embedder)
    assert readers_see(settings) == readers_see(reference)
    assert IndexStore(settings).info()["corpus_version"] == IndexStore(reference).info()["corpus_version"]
    bot = build_assistant(settings, embedder=remembering_embedder)
    assert bot.retriever.retrieve("zorbling allowance for kinship carers")[0].metadata["file"] == NEW_FILE
    assert any(source["file"] == NEW_FILE for source in bot._sources)

    changed = corpus / FILES[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nA late addition.\n", encoding="utf-8")
    (corpus / NEW_FILE).unlink()
    update = run_ingest(settings, embedder=remembering_embedder, compact_at=1.0)
    assert update.mode == "delta" and update.removed_chunks >= new_chunks
    assert update.embedded < len(read_ledger(settings, IndexStore(settings).active().name)[FILES[0]].records)
    assert readers_see(settings) == readers_see(full_build(corpus, tmp_path, remembering_embedder))
    assert len(IndexStore(settings).client.list_collections()) == 3  # base, delta and the pointer

    assert run_ingest(settings, embedder=remembering_embedder, compact_at=1.0).mode == "unchanged"


def test_changes_past_compact_at_fold_the_delta_into_a_full_build(corpus, tmp_path, remembering_embedder):
    settings = Settings(corpus_dir=corpus, store_dir=tmp_path / "store")
    run_ingest(settings, embedder=remembering_embedder)
    (corpus / NEW_FILE).write_text(NEW_TEXT, encoding="utf-8")
    assert run_ingest(settings, embedder=remembering_embedder, compact_at=1.0).mode == "delta"
    (corpus / "zz_second.txt").write_text(NEW_TEXT.replace("Widget", "Gadget"), encoding="utf-8")
    report = run_ingest(settings, embedder=remembering_embedder, compact_at=0.0)
    assert report.mode == "full" and report.embedded < report.chunks  # vectors reused, delta's included
    store = IndexStore(settings)
    assert not isinstance(store.active(), LayeredCollection) and store.info()["delta"] == ""
    assert len(store.client.list_collections()) == 2
    assert readers_see(settings) == readers_see(full_build(corpus, tmp_path, remembering_embedder))


def test_a_missing_ledger_means_a_full_build(corpus, tmp_path, remembering_embedder):
    settings = Settings(corpus_dir=corpus, store_dir=tmp_path / "store")
    run_ingest(settings, embedder=remembering_embedder)
    shutil.rmtree(settings.store_dir / "ingest")
    (corpus / NEW_FILE).write_text(NEW_TEXT, encoding="utf-8")
    assert run_ingest(settings, embedder=remembering_embedder, compact_at=1.0).mode == "full"
    assert read_ledger(settings, IndexStore(settings).active().name) is not None


@pytest.mark.reliability
def test_sigkill_during_an_update_keeps_the_previous_index(corpus, tmp_path, remembering_embedder):
    settings = Settings(corpus_dir=corpus, store_dir=tmp_path / "store")
    run_ingest(settings, embedder=remembering_embedder)
    (corpus / NEW_FILE).write_text(NEW_TEXT, encoding="utf-8")
    # kill an update of a delta
    assert run_ingest(settings, embedder=remembering_embedder, compact_at=1.0).mode == "delta"
    before = _snapshot(settings)
    changed = corpus / FILES[1]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nAnother late addition.\n", encoding="utf-8")
    reference = full_build(corpus, tmp_path, remembering_embedder)
    pristine = tmp_path / "pristine"  # the store before the update: each copy of it has the update to do
    shutil.copytree(settings.store_dir, pristine)
    copies = iter(range(1, 100))

    def fresh() -> Settings:
        copy = tmp_path / f"copy-{next(copies)}"
        shutil.copytree(pristine, copy)
        return settings.with_overrides(store_dir=copy)

    timing = fresh()  # the same update on a copy: how long it takes
    started = time.perf_counter()
    assert _ingest_command(corpus, timing.store_dir, "--compact-at", "1").wait(timeout=600) == 0
    full = time.perf_counter() - started

    killed, points, settings = kill_ingests(settings, corpus, ["--compact-at", "1"], full, before,
                                            readers_see(reference), seed=17, span=(0.1, 0.8), kills=4, attempts=7,
                                            fresh=fresh)
    print(f"\nupdate killed at {killed} of {len(points)} points ({', '.join(f'{p:.1f}s' for p in points)}; "
          f"an update takes {full:.1f}s)")
    assert killed >= 3
    assert _ingest_command(corpus, settings.store_dir, "--compact-at", "1").wait(timeout=600) == 0
    assert readers_see(settings) == readers_see(reference)
    assert "+" in IndexStore(settings).active().name
    assert len(IndexStore(settings).client.list_collections()) == 3



def test_a_full_build_keeps_the_manifest_and_an_update_reads_it_from_there(corpus, tmp_path, remembering_embedder,
                                                                           monkeypatch):
    import yaml

    from ingest.manifest import load_manifest
    from ingest.pipeline import MANIFEST_CACHE

    (corpus / "manifest.yaml").write_text(f"{FILES[0]}:\n  publisher: Quillfeather Trust\n", encoding="utf-8")
    settings = Settings(corpus_dir=corpus, store_dir=tmp_path / "store")
    run_ingest(settings, embedder=remembering_embedder)
    assert (settings.store_dir / MANIFEST_CACHE).exists()
    expected = load_manifest(corpus)
    monkeypatch.setattr(yaml, "load", lambda *args, **kwargs: pytest.fail("the manifest was parsed again"))
    (corpus / NEW_FILE).write_text(NEW_TEXT, encoding="utf-8")
    report = run_ingest(settings, embedder=remembering_embedder)
    assert report.mode == "delta" and load_manifest(corpus, settings.store_dir / MANIFEST_CACHE) == expected
