"""Smoke test of the benchmark pieces at tiny sizes (timings are measured, never asserted)."""

import subprocess
import sys

import pytest

from assistant.retrieval.build_files import files_root
from assistant.retrieval.store import IndexStore
from evals import bench

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def scaling(corpus_settings, tmp_path_factory):
    """One run of the scaling benchmark at x2 (build, two starts, a one-page document added, and, where the
    chroma CLI is installed, a start against the same store served by `chroma run`), shared by the tests
    below: each start is a fresh process, so running it once per test only repeated the same work."""
    tmp = tmp_path_factory.mktemp("bench")
    rows = bench.bench_scaling(corpus_settings, [2], 2, tmp, baseline=False, add_pages=1,
                               server=bench.CHROMA.exists())
    return rows, tmp


def test_bench_pieces_run_at_tiny_sizes(corpus_settings, embedder, scaling, tmp_path):
    warm = bench.bench_warm(corpus_settings, embedder, bench.eval_questions(3))
    assert warm["questions"] == 3 and warm["p50_ms"] > 0
    rows, store_root = scaling
    assert [r["factor"] for r in rows] == [2] and "p50_ms" in rows[0], rows
    assert rows[0]["chunks"] == 2 * len(IndexStore(corpus_settings).all_chunks())
    # One new document, read alone (a delta build) from the synthetic corpus the ledger describes.
    assert rows[0]["add_mode"] == "delta" and 0 < rows[0]["add_embedded"] < 10 and rows[0]["add_doc_s"] > 0, rows
    assert 0 < rows[0]["retriever_load_s"] <= rows[0]["load_s"] and rows[0]["load_first_s"] > 0
    synthetic = corpus_settings.with_overrides(store_dir=store_root / "x2")
    layered = IndexStore(synthetic).active()  # the synthetic build, and the delta the added document went to
    assert all((files_root(synthetic) / build.name / "key").exists() for build in (layered.base, layered.delta))
    bench.plot_scaling(rows, tmp_path)
    assert all((tmp_path / f"scaling_{name}.png").exists() for name in ("latency", "memory", "load"))
    result = {"ingest": {"ingest_chunks_per_s": 1, "raw_embed_chunks_per_s": 2, "ingest_vs_raw_ratio": 0.5},
              "cold_start": {"error": "n/a"}, "warm": warm, "peak_rss_mb": 1.0, "scaling": rows}
    assert "x2" in bench.table(result) and "| x2 | " in bench.scaling_table(rows)


def test_a_timed_start_loads_nothing_the_app_does_not():
    """The probe process that times a start imports this module first: its plotting library must not be
    counted as the app's load time."""
    code = "import sys, evals.bench; print(sorted(m for m in ('matplotlib',) if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


def test_a_new_document_has_about_the_pages_asked_for(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Title\n\n" + "\n\n".join(f"Paragraph {n} " + "word " * 40 for n in range(30)))
    name = bench.new_document(corpus, pages=3)
    words = len((corpus / name).read_text().split())
    assert 3 * bench.PAGE_WORDS <= words < 3 * bench.PAGE_WORDS + 60 and name != "a.txt"


@pytest.mark.server
@pytest.mark.skipif(not bench.CHROMA.exists(), reason="the chroma CLI is not installed in this environment")
def test_bench_scaling_also_starts_against_a_chroma_server(scaling):
    rows, _ = scaling
    row = rows[0]
    assert "server_error" not in row, row
    assert row["server_p50_ms"] > 0 and 0 < row["server_retriever_load_s"] <= row["server_load_s"]
    assert "served by `chroma run`" in bench.scaling_table(rows)


def test_the_ingest_ratio_is_the_median_round_against_the_bare_embedding_on_either_side(tmp_path,
                                                                                     remembering_embedder):
    """The ingest benchmark interleaves bare embeddings and rebuilds; the ratio reported is the median
    round's, each rebuild against the bare timings just before and after it."""
    from assistant.settings import Settings
    from tests.ingest.test_atomic_ingest import small_corpus

    settings = Settings(corpus_dir=small_corpus(tmp_path), store_dir=tmp_path / "store")
    result = bench.bench_ingest(settings, remembering_embedder, rounds=3)
    rounds, bare = result["ingest_vs_raw_rounds"], result["raw_embed_seconds_all"]
    assert len(rounds) == 3 and len(bare) == 5  # before and after the first ingest, then after each round
    assert result["ingest_vs_raw_ratio"] == sorted(rounds)[1]
    # the remembered vectors make the bare embedding take next to no time, so the ratios themselves can round
    # to 0 here: the timings are what must be there
    assert result["chunks"] > 0 and result["ingest_seconds"] > 0 and result["first_ingest_seconds"] > 0
    assert result["first_ingest_vs_raw_ratio"] >= 0
