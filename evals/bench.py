"""python -m evals bench: ingest vs raw embedding throughput, cold start, warm latency, memory, scaling."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evals.metrics import percentile
from evals.runner import EVALS_DIR, QUESTIONS, SINGLE_TURN, load_questions

OUT_DIR = EVALS_DIR / "out" / "bench"
COLD_QUESTION = "What is family help?"


def peak_rss_mb() -> float:
    """This process's peak RSS in MB: VmHWM (reset by exec, unlike ru_maxrss), else ru_maxrss (KB on Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def eval_questions(limit: int = 0) -> list[str]:
    """The single-turn questions of the evaluation set (the first `limit` when limit > 0)."""
    questions = [q["question"] for q in load_questions(QUESTIONS) if q["kind"] in SINGLE_TURN + ("out_of_scope",)]
    return questions[:limit] if limit else questions


def warm_up(questions: list[str]) -> str:
    """A question to warm the answer path with that is none of the timed ones (the retriever remembers the
    vectors of the last questions, so asking a timed one first would time it without its embedding)."""
    return f"{questions[0]} (warm-up)"


# Rebuilds timed against bare embedding (their median ratio is reported).
INGEST_ROUNDS = 3


def bench_ingest(settings, embedder, rounds: int = INGEST_ROUNDS) -> dict:
    """Chunks/s of a full --rebuild ingest vs embedding the same chunk texts alone, same model and run.

    On a machine shared with other work the embedding's speed drifts by tens of per cent within a minute,
    so the two are interleaved: the bare embedding is timed before the first rebuild and after each one,
    each rebuild is compared with the mean of the bare timings on either side of it, and the ratio is the
    median over `rounds` rebuilds (`ingest_vs_raw_ratio`, each round's in `ingest_vs_raw_rounds`).

    The bare embedding runs with its libraries loaded and its model warm, and so do the rebuilds timed.
    The process's first ingest, which also imports the store's library (Chroma, about 2 s of CPU beside the
    embedding), is timed before them: `first_ingest_vs_raw_ratio`. `python -m ingest` hides that import
    behind the model process's start."""
    from ingest.documents import load_corpus
    from ingest.pipeline import build_chunks, run_ingest

    texts = [c.embed_text for c in build_chunks(load_corpus(settings.corpus_dir, settings.max_file_mb), settings)]
    embedder.get_text_embedding_batch(texts[:8])  # warm-up: first call pays for lazy initialisation
    bare = [_embed_seconds(embedder, texts, settings.embed_batch_size)]
    first = run_ingest(settings, rebuild=True, embedder=embedder)
    bare.append(_embed_seconds(embedder, texts, settings.embed_batch_size))
    reports, ratios = [], []
    for _ in range(rounds):
        reports.append(run_ingest(settings, rebuild=True, embedder=embedder))
        bare.append(_embed_seconds(embedder, texts, settings.embed_batch_size))
        ratios.append(bare_ratio(reports[-1].chunks, reports[-1].seconds, len(texts), (bare[-2] + bare[-1]) / 2))
    middle = sorted(range(rounds), key=lambda i: ratios[i])[rounds // 2]  # the median round
    report, raw_seconds = reports[middle], (bare[middle + 1] + bare[middle + 2]) / 2
    return {"chunks": report.chunks, "ingest_seconds": round(report.seconds, 2),
            "ingest_chunks_per_s": round(report.chunks / report.seconds, 2),
            "ingest_embed_seconds": round(report.embed_seconds, 2),
            "raw_embed_seconds": round(raw_seconds, 2), "raw_embed_seconds_all": [round(b, 2) for b in bare],
            "raw_embed_chunks_per_s": round(len(texts) / raw_seconds, 2),
            "ingest_vs_raw_ratio": round(ratios[middle], 3), "ingest_vs_raw_rounds": [round(r, 3) for r in ratios],
            "first_ingest_seconds": round(first.seconds, 2),
            "first_ingest_vs_raw_ratio": round(bare_ratio(first.chunks, first.seconds, len(texts),
                                                          (bare[0] + bare[1]) / 2), 3)}


def bare_ratio(chunks: int, seconds: float, texts: int, bare_seconds: float) -> float:
    """Ingest throughput over bare embedding throughput.

    >>> bare_ratio(100, 10.0, 100, 9.0)
    0.9
    """
    return (chunks / seconds) / (texts / bare_seconds)


def _embed_seconds(embedder, texts: list[str], batch_size: int) -> float:
    """Seconds to embed texts in groups of batch_size, as ingest groups them."""
    started = time.perf_counter()
    for start in range(0, len(texts), batch_size):
        embedder.get_text_embedding_batch(texts[start:start + batch_size])
    return time.perf_counter() - started


def bench_cold_start(settings, repeat: int) -> dict:
    """Wall time of `python -m assistant ask ... --json` in a fresh process, median of `repeat` runs."""
    env = {**os.environ, "ASSISTANT_STORE_DIR": str(settings.store_dir), "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir)}
    command = [sys.executable, "-m", "assistant", "ask", COLD_QUESTION, "--json"]
    times, error = [], ""
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=EVALS_DIR.parent, timeout=300)
        if done.returncode != 0:
            error = (done.stderr or done.stdout).strip().splitlines()[-1:] or [f"exit {done.returncode}"]
            return {"command": " ".join(command[1:]), "error": error[0]}
        times.append(time.perf_counter() - started)
    return {"command": " ".join(command[1:]), "runs": repeat, "median_s": round(statistics.median(times), 3),
            "all_s": [round(t, 3) for t in times], "error": error}


def bench_warm(settings, embedder, questions: list[str]) -> dict:
    """Warm ask() latency p50/p95 over the questions and its ratio to embedding the query alone."""
    from assistant.assembly import build_assistant

    bot = build_assistant(settings, embedder=embedder)
    bot.ask(warm_up(questions))
    latencies, embeds = [], []
    for question in questions:
        started = time.perf_counter()
        bot.ask(question)
        latencies.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        embedder.get_query_embedding(question)
        embeds.append((time.perf_counter() - started) * 1000)
    p50, embed = percentile(latencies, 50), statistics.median(embeds)
    return {"questions": len(questions), "p50_ms": round(p50, 1), "p95_ms": round(percentile(latencies, 95), 1),
            "embed_query_median_ms": round(embed, 1), "p50_vs_embed_ratio": round(p50 / embed, 2)}


def build_synthetic(settings, factor: int, store_dir: Path, seed: int = 0) -> int:
    """A store with every chunk of settings' index `factor` times (new ids, the stored vectors plus small
    noise, so nothing is embedded), written as ingest writes a build (start-up files included); its size.
    Beside it, `store_dir/corpus`: the corpus files as many times (hard links in copy-NNNN/ folders, with
    manifest entries) and the ingest ledger that ties them to the copies, so that an update of the
    synthetic index reads only the files added to that folder, as it would for a real library."""
    import numpy as np

    from assistant.retrieval.build_files import save_build_files
    from assistant.retrieval.store import IndexStore, StoredChunk

    base = IndexStore(settings).all_chunks(with_embeddings=True)
    vectors = np.stack([chunk.embedding for chunk in base]).astype(np.float32)
    rng = np.random.default_rng(seed)
    target = IndexStore(settings.with_overrides(store_dir=store_dir))
    collection = target.new_build()
    chunks = []
    for copy in range(factor):
        noisy = vectors + rng.normal(0, 0.01, vectors.shape).astype(np.float32) if copy else vectors
        noisy = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
        chunks += [StoredChunk(f"{chunk.id}~{copy}" if copy else chunk.id, chunk.text, chunk.metadata, vector)
                   for chunk, vector in zip(base, noisy)]
    target.add(collection, chunks)
    files = save_build_files(target.settings, collection.name, chunks)
    remember_probes(target.settings, target, collection, files.lexical)
    synthetic_corpus(settings, factor, store_dir / "corpus", collection.name, target.settings)
    target.activate(collection, {"corpus_version": f"synthetic-x{factor}", "stats": {"chunks": len(chunks)},
                                 "base_chunks": len(chunks),
                                 **{key: value for key, value in IndexStore(settings).info().items()
                                    if key in ("calibration_version", "min_support", "embed_model")}})
    return len(chunks)


def remember_probes(settings, store, collection, lexical) -> None:
    """What a full build's calibration keeps of it (assistant.retrieval.probe_memory): the probes' vectors and
    the build's answers to them. The synthetic build copies the threshold instead of calibrating, but an update
    reads its base through these, as it would a real build's."""
    from assistant.retrieval.build_files import files_root
    from assistant.retrieval.calibration import calibration_version, off_topic_probes, remember
    from assistant.retrieval.dense import build_embedder
    from assistant.retrieval.fusion import HybridRetriever
    from assistant.retrieval.probe_memory import memory_key
    from assistant.retrieval.store import StoredChunks, VectorSearch

    embedder = build_embedder(settings)
    probes = off_topic_probes()
    vectors = dict(zip(probes, embedder.get_query_embeddings(probes)))
    retriever = HybridRetriever(settings, StoredChunks(store, collection), VectorSearch(collection), embedder, lexical)
    key = memory_key(calibration_version(settings.scoring.refusal))
    remember(settings, collection, retriever, vectors, key).save(files_root(settings) / collection.name)


def synthetic_corpus(settings, factor: int, corpus: Path, build: str, target) -> None:
    """settings' corpus `factor` times in `corpus` (copy c > 0 of a file in copy-NNNN/, a hard link, its
    manifest entry's source id suffixed ~c as build_synthetic suffixes chunk ids) and the ledger of `build`."""
    import shutil

    import yaml

    from assistant.retrieval.store import IndexStore
    from ingest.ledger import FileEntry, fingerprints, read_ledger, write_ledger
    from ingest.manifest import load_manifest
    from ingest.pipeline import MANIFEST_CACHE

    ledger = read_ledger(settings, IndexStore(settings).active().name)
    if ledger is None:
        raise RuntimeError(f"no ingest ledger for the index in {settings.store_dir}; run python -m ingest first")
    manifest = load_manifest(settings.corpus_dir)
    corpus.mkdir(parents=True)
    copies, entries = {}, {}
    for copy in range(factor):
        for name, entry in ledger.items():
            copied = f"copy-{copy:04d}/{name}" if copy else name
            (corpus / copied).parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(settings.corpus_dir / name, corpus / copied)
            except OSError:  # another file system
                shutil.copy2(settings.corpus_dir / name, corpus / copied)
            suffix = f"~{copy}" if copy else ""
            if name in manifest:
                entries[copied] = {**manifest[name], **({"source_id": manifest[name]["source_id"] + suffix}
                                                         if "source_id" in manifest[name] else {})}
            copies[copied] = FileEntry("", [source + suffix for source in entry.sources], entry.hashes,
                                       [[chunk_id + suffix, record] for chunk_id, record in entry.records],
                                       entry.skipped)
    (corpus / "manifest.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    load_manifest(corpus, target.store_dir / MANIFEST_CACHE)  # kept beside the index, as a full build keeps it
    for name, fingerprint in fingerprints(corpus).items():
        copies[name].fingerprint = fingerprint
    write_ledger(target, build, copies)


PAGE_WORDS = 500  # a printed page of a report
DOCUMENT_PAGES = 20


def new_document(corpus: Path, pages: int = DOCUMENT_PAGES, seed: int = 0) -> str:
    """Write a new plain-text document of about `pages` pages into corpus (prose paragraphs of the corpus's
    own files in a shuffled order, under a new title, so every chunk is new to the index); its file name."""
    import random

    paragraphs = [p.strip() for path in sorted(corpus.glob("*.txt"))  # prose only: no links, which feed headers carry
                  for p in path.read_text(encoding="utf-8").split("\n\n")[1:] if len(p.split()) >= 20 and "://" not in p]
    random.Random(seed).shuffle(paragraphs)
    body, words = [], 0
    for paragraph in paragraphs * (1 + pages * PAGE_WORDS // max(1, sum(len(p.split()) for p in paragraphs))):
        if words >= pages * PAGE_WORDS:
            break
        body.append(paragraph)
        words += len(paragraph.split())
    name = f"zz-new-document-{seed}.txt"
    (corpus / name).write_text(f"A new {pages}-page document {seed}\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
    return name


def bench_add_document(store_dir: Path, pages: int = DOCUMENT_PAGES) -> dict:
    """Wall time of `python -m ingest` after one new document of `pages` pages lands in the synthetic corpus
    beside store_dir: a fresh process, end to end (imports, model, reading, embedding, writing, calibrating)."""
    corpus = store_dir / "corpus"
    new_document(corpus, pages)
    env = {**os.environ, "ASSISTANT_STORE_DIR": str(store_dir), "ASSISTANT_CORPUS_DIR": str(corpus)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "ingest", "--quiet", "--stats"], capture_output=True, text=True,
                          env=env, cwd=EVALS_DIR.parent, timeout=1800)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        return {"add_error": (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]}
    from assistant.settings import Settings
    from assistant.retrieval.store import IndexStore

    stats = IndexStore(Settings(store_dir=store_dir)).info().get("stats", {})
    return {"add_doc_s": round(seconds, 2), "add_mode": stats.get("mode"), "add_embedded": stats.get("embedded"),
            "add_embed_s": stats.get("embed_seconds"), "add_ingest_s": stats.get("seconds")}


def probe(store_dir: Path, queries: int, spawned_at: float, chroma_port: int = 0) -> dict:
    """In this (fresh) process: load the assistant on store_dir (through a `chroma run` on loopback serving
    it when chroma_port is set), time `queries` asks, report RSS. load_s runs from the parent spawning this
    process to the assistant being ready (interpreter and imports included)."""
    from assistant.assembly import build_assistant
    from assistant.settings import Settings

    server = {"chroma_host": "127.0.0.1", "chroma_port": chroma_port} if chroma_port else {}
    bot = build_assistant(Settings(store_dir=store_dir, **server))
    load_s = time.time() - spawned_at
    questions = eval_questions(queries)
    bot.ask(warm_up(questions))
    latencies = []
    for question in questions:
        started = time.perf_counter()
        bot.ask(question)
        latencies.append((time.perf_counter() - started) * 1000)
    return {"load_s": round(load_s, 2), "retriever_load_s": round(bot.startup_ms["retriever"] / 1000, 2),
            "answerer_load_s": round(bot.startup_ms["answerer"] / 1000, 2),
            "p50_ms": round(percentile(latencies, 50), 1), "p95_ms": round(percentile(latencies, 95), 1),
            "peak_rss_mb": round(peak_rss_mb(), 1)}


def run_probe(store_dir: Path, queries: int, chroma_port: int = 0) -> dict:
    """probe() in a fresh process; {"error": last line of its stderr} when it fails."""
    command = [sys.executable, "-m", "evals.bench", "probe", str(store_dir), str(queries), repr(time.time()),
               str(chroma_port)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=EVALS_DIR.parent, timeout=1800)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


CHROMA = Path(sys.executable).with_name("chroma")


def serving(store_dir: Path, timeout_s: float = 120.0) -> tuple[subprocess.Popen, int]:
    """A `chroma run` on loopback serving store_dir, ready to answer; the process and its port."""
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [str(CHROMA), "run", "--path", str(store_dir), "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            return process, port
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"chroma run on {store_dir} did not answer within {timeout_s:.0f} s")


def probe_server(store_dir: Path, queries: int) -> dict:
    """run_probe() with the store served by `chroma run` on loopback (started here, stopped after)."""
    try:
        process, port = serving(store_dir)
    except (OSError, RuntimeError) as error:
        return {"error": str(error)}
    try:
        return run_probe(store_dir, queries, chroma_port=port)
    finally:
        process.kill()
        process.wait()


def bench_scaling(settings, scales: list[int], queries: int, tmp: Path, baseline: bool = True,
                  server: bool = False, add_pages: int = DOCUMENT_PAGES) -> list[dict]:
    """Per size (1x when baseline, then each synthetic multiple): the build time, then two fresh processes,
    the first start after the build and a second one (load time, query latency, peak RSS), then (synthetic
    sizes) adding one document with `python -m ingest`; with server, one more start with the same store
    served by `chroma run` on loopback (its figures prefixed server_)."""
    from assistant.retrieval.store import IndexStore

    rows = []
    for factor in [1] * baseline + [s for s in scales if s > 1]:
        store_dir = settings.store_dir if factor == 1 else tmp / f"x{factor}"
        _log(f"scaling x{factor}: build")
        started = time.perf_counter()
        chunks = IndexStore(settings).info()["stats"]["chunks"] if factor == 1 else build_synthetic(settings, factor,
                                                                                                    store_dir)
        row = {"factor": factor, "chunks": chunks, "build_s": round(time.perf_counter() - started, 1),
               "load_avg": round(os.getloadavg()[0], 1)}  # the 1-minute load average as this size's starts begin
        _log(f"scaling x{factor}: first start")
        first = run_probe(store_dir, queries)
        _log(f"scaling x{factor}: second start")
        second = run_probe(store_dir, queries)
        if "error" in first or "error" in second:
            rows.append({**row, "error": first.get("error") or second.get("error")})
            continue
        row = {**row, "load_first_s": first["load_s"], **second}
        if factor > 1:
            _log(f"scaling x{factor}: add a {add_pages}-page document")
            row.update(bench_add_document(store_dir, add_pages))
        if server:
            _log(f"scaling x{factor}: start against chroma run")
            row.update({f"server_{key}": value for key, value in probe_server(store_dir, queries).items()})
        rows.append(row)
    return rows


def plot_scaling(rows: list[dict], out_dir: Path) -> None:
    """Latency, memory and load time vs size, log-scaled chunk axis. matplotlib is imported here, not with
    the module: the probe processes that time a start import this module, and the app never loads it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in rows if "p50_ms" in r]
    if not rows:
        return
    sizes = [r["chunks"] for r in rows]
    for name, keys, label in (("scaling_latency.png", ("p50_ms", "p95_ms"), "query latency (ms)"),
                              ("scaling_memory.png", ("peak_rss_mb",), "peak RSS (MB)"),
                              ("scaling_load.png", ("load_first_s", "load_s", "retriever_load_s"), "load time (s)")):
        fig, ax = plt.subplots(figsize=(6, 3.5))
        for key in keys:
            ax.plot(sizes, [r[key] for r in rows], marker="o", label=key)
        ax.set_xscale("log")
        ax.set_xlabel("chunks in the index")
        ax.set_ylabel(label)
        ax.legend()
        fig.tight_layout()
        fig.savefig(out_dir / name, dpi=100)
        plt.close(fig)


def _log(stage: str) -> None:
    print(f"[bench] {stage}", file=sys.stderr, flush=True)


def table(result: dict) -> str:
    """The headline medians and ratios as a markdown table."""
    ing, cold, warm = result["ingest"], result["cold_start"], result["warm"]
    rows = [("ingest chunks/s (rebuild)", ing["ingest_chunks_per_s"]), ("raw embedding chunks/s", ing["raw_embed_chunks_per_s"]),
            ("ingest / raw embedding (libraries loaded on both sides; median round)", ing["ingest_vs_raw_ratio"]),
            ("the rounds' ratios", ", ".join(map(str, ing.get("ingest_vs_raw_rounds", []))) or "–"),
            ("first ingest of the process / raw embedding (imports Chroma)", ing.get("first_ingest_vs_raw_ratio", "–")),
            ("cold start median s", cold.get("median_s", cold.get("error"))),
            ("warm ask p50 ms", warm["p50_ms"]), ("warm ask p95 ms", warm["p95_ms"]),
            ("embed query median ms", warm["embed_query_median_ms"]), ("ask p50 / embed query", warm["p50_vs_embed_ratio"]),
            ("peak RSS MB (bench process)", result["peak_rss_mb"])]
    return ("| measure | value |\n|---|---:|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)
            + "\n\n" + scaling_table(result["scaling"]))


def scaling_table(rows: list[dict]) -> str:
    """One line per index size: build, load (first start, second start, retriever alone), latency, memory;
    then the same store served by `chroma run`, when measured."""
    text = _size_table(rows, "", ("build_s", "load_first_s", "load_s", "retriever_load_s", "p50_ms", "p95_ms",
                                  "peak_rss_mb", "add_doc_s", "load_avg"),
                       "| size | chunks | build s | load s (first start) | load s | of which retriever s | p50 ms "
                       "| p95 ms | peak RSS MB | add one document s | load average |")
    if any("server_load_s" in r or "server_error" in r for r in rows):
        text += "\n\nWith the store served by `chroma run` on loopback:\n\n" + _size_table(
            rows, "server_", ("load_s", "retriever_load_s", "p50_ms", "p95_ms", "peak_rss_mb"),
            "| size | chunks | load s | of which retriever s | p50 ms | p95 ms | peak RSS MB (app process) |")
    return text


def _size_table(rows: list[dict], prefix: str, keys: tuple[str, ...], head: str) -> str:
    lines = [head, "|---|" + "---:|" * (len(keys) + 1)]
    for r in rows:
        if f"{prefix}p50_ms" in r:
            cells = [str(r.get(prefix + key, "")) for key in keys]
        else:
            cells = [f"error: {r.get(prefix + 'error') or r.get('error')}"] + [""] * (len(keys) - 1)
        lines.append(f"| x{r['factor']} | {r['chunks']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(out_dir: Path = OUT_DIR, repeat: int = 3, scales: list[int] | None = None, queries: int = 0,
         scale_queries: int = 30, server: bool = False, keep: Path | None = None) -> dict:
    """Run every benchmark in temporary stores (in `keep`, left in place, when given: to profile or serve
    the synthetic indexes afterwards); write bench.json, bench.md and plots; print the table."""
    from assistant.retrieval.dense import build_embedder
    from assistant.settings import Settings

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    scales = [10, 100] if scales is None else scales
    started = time.perf_counter()
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=False)
    with (contextlib.nullcontext(str(keep)) if keep else tempfile.TemporaryDirectory(prefix="evals-bench-")) as tmp:
        settings = Settings().with_overrides(store_dir=Path(tmp) / "store")
        embedder = build_embedder(settings)
        _log("ingest vs raw embedding")
        result = {"cpus": os.cpu_count(), "load_avg": os.getloadavg()[0], "ingest": bench_ingest(settings, embedder)}
        _log(f"cold start x{repeat}")
        result["cold_start"] = bench_cold_start(settings, repeat)
        _log("warm latency")
        result["warm"] = bench_warm(settings, embedder, eval_questions(queries))
        result["peak_rss_mb"] = round(peak_rss_mb(), 1)
        _log(f"scaling {scales}")
        result["scaling"] = bench_scaling(settings, scales, scale_queries, Path(tmp), server=server)
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["load_avg_end"] = os.getloadavg()[0]
    plot_scaling(result["scaling"], out_dir)
    (out_dir / "bench.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    text = table(result)
    (out_dir / "bench.md").write_text(f"# Benchmark\n\n{result['cpus']} CPUs, load average {result['load_avg']:.1f} "
                                      f"at start and {result['load_avg_end']:.1f} at the end, {result['seconds']} s"
                                      f"\n\n{text}\n\n"
                                      "![latency vs size](scaling_latency.png)\n\n![memory vs size](scaling_memory.png)"
                                      "\n\n![load time vs size](scaling_load.png)\n",
                                      encoding="utf-8")
    print(text)
    return result


if __name__ == "__main__":  # python -m evals.bench probe STORE_DIR QUERIES (used by bench_scaling)
    if len(sys.argv) == 6 and sys.argv[1] == "probe":
        print(json.dumps(probe(Path(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]))))
    else:
        sys.exit("usage: python -m evals.bench probe STORE_DIR QUERIES SPAWNED_AT CHROMA_PORT "
                 "(SPAWNED_AT: time.time() of the parent; CHROMA_PORT 0 for the embedded store)")
