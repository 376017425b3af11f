"""Run the evaluation set through a system (the assistant or a baseline), score it and write the results."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Callable

import yaml

from evals import metrics as m

EVALS_DIR = Path(__file__).resolve().parent
QUESTIONS = EVALS_DIR / "questions.jsonl"
GATES = EVALS_DIR / "gates.yaml"
HISTORY = EVALS_DIR / "history.jsonl"
OUT_DIR = EVALS_DIR / "out"
SINGLE_TURN = ("number", "date", "name", "list", "fact", "definition", "synthesis", "disagreement")
OPEN = ("open",)  # open questions: scored by the share of expected points the answer makes
ANSWERABLE = SINGLE_TURN + ("followup",)
HELD_OUT_SHARE = 3  # one item in three of the project's own set is held out from tuning (by its id's hash)
K = 5
DEEP_K = 30  # retrieval depth used only to explain misses


def split_of(item_id: str) -> str:
    """Which part of a question set an item belongs to: "held-out" (about a third) or "tuning".

    Fixed by the id alone (a hash), so adding items never moves old ones between parts.
    >>> split_of("num-care-review-cost"), split_of("num-rcc-count")
    ('tuning', 'held-out')
    """
    digest = hashlib.sha256(item_id.encode("utf-8")).digest()
    return "held-out" if digest[0] % HELD_OUT_SHARE == 0 else "tuning"


def load_questions(path: Path | list[Path] | tuple = QUESTIONS) -> list[dict]:
    """The evaluation items of a JSON Lines file (or of several, in order)."""
    if isinstance(path, (list, tuple)):
        return [item for one in path for item in load_questions(one)]
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def select(items: list[dict], kinds: list[str] | None = None, limit: int | None = None) -> list[dict]:
    """The items of the given kinds; with limit, that many taken in turn from each kind (file order).

    >>> [i["id"] for i in select([{"id": "n1", "kind": "number"}, {"id": "n2", "kind": "number"},
    ...                           {"id": "o1", "kind": "out_of_scope"}], limit=2)]
    ['n1', 'o1']
    """
    chosen = [item for item in items if not kinds or item["kind"] in kinds]
    if limit is None or limit >= len(chosen):
        return chosen
    queues = {kind: [item for item in chosen if item["kind"] == kind] for kind in dict.fromkeys(i["kind"] for i in chosen)}
    picked: list[dict] = []
    while len(picked) < limit:
        for queue in queues.values():
            if queue and len(picked) < limit:
                picked.append(queue.pop(0))
    return [item for item in chosen if item in picked]  # back in file order


def load_gates(path: Path = GATES, suite: str = "own") -> dict:
    """The enforced thresholds of gates.yaml as a dict: its `gates:` section for the project's own set,
    `suites: {name: {gates: …}}` for another suite."""
    data = _read_yaml(path)
    if suite != "own":
        return ((data.get("suites") or {}).get(suite) or {}).get("gates") or {}
    return data["gates"] if "gates" in data else {k: v for k, v in data.items() if k not in ("targets", "suites")}


def load_targets(path: Path = GATES, suite: str = "own") -> dict:
    """The targets the issues set (gates.yaml `targets:`, or the suite's), reported but not yet enforced."""
    data = _read_yaml(path)
    if suite != "own":
        return ((data.get("suites") or {}).get(suite) or {}).get("targets") or {}
    return data.get("targets", {}) or {}


def _read_yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


# -- running ---------------------------------------------------------------------------------------
def run_item(system, item: dict) -> dict:
    """Ask one item (every turn of a followup, with growing history) and return its raw record."""
    if item["kind"] == "briefing":
        return _run_briefing(system, item)
    history: list[dict] = []
    turns = item.get("turns") or [item["question"]]
    condense_notes: list[str] = []
    for turn in turns:
        started = time.perf_counter()
        answer = system.ask(turn, history=list(history))
        latency = (time.perf_counter() - started) * 1000
        history += [{"role": "user", "content": turn}, {"role": "assistant", "content": answer.answer}]
        condense_notes += [note for note in answer.notes if note.startswith(m.CONDENSE_NOTE)]
    query = answer.query or turns[-1]
    passages = list(answer.passages)
    files = {p.chunk_id: p.metadata.get("file", "") for p in passages}
    if not passages and hasattr(system, "retrieve"):  # a refusal may carry no passages: measure retrieval anyway
        passages = system.retrieve(query)
    deep_rank = None
    if item.get("evidence") and hasattr(system, "retrieve"):  # for diagnosis: is the evidence anywhere near?
        deep_rank = m.evidence_rank([p.text for p in system.retrieve(query, k=DEEP_K)], item["evidence"])
    return {
        "id": item["id"], "kind": item["kind"], "status": answer.status, "answer": answer.answer,
        "citations": [{"n": c.n, "source_id": c.source_id, "chunk_id": c.chunk_id, "sentence": c.sentence, "published": c.published,
                       "text": c.text, "file": files.get(c.chunk_id, "")} for c in answer.citations],
        "query": answer.query, "latency_ms": round(latency, 1),
        "passages": [p.chunk_id for p in passages], "passage_texts": [p.text for p in passages],
        "deep_rank": deep_rank, "backend": answer.backend, "notes": list(answer.notes), "condense": condense_notes,
    }


def _run_briefing(system, item: dict) -> dict:
    record = {"id": item["id"], "kind": "briefing", "status": "skipped", "answer": "", "citations": [],
              "query": item["topic"], "latency_ms": None, "passages": [], "passage_texts": []}
    if not hasattr(system, "brief"):
        record["note"] = "no brief() on this system"
        return record
    started = time.perf_counter()
    try:
        briefing = system.brief(item["topic"])
    except (ImportError, NotImplementedError) as error:  # a system whose brief() cannot run here
        record["note"] = f"brief() unavailable: {type(error).__name__}: {error}"
        return record
    record.update(status="answered", answer=briefing.markdown, latency_ms=round((time.perf_counter() - started) * 1000, 1),
                  notes=list(getattr(briefing, "notes", [])))
    return record


def run_system(system, items: list[dict], label: str = "", log: Callable[[str], None] | None = None) -> list[dict]:
    """Run and score every item; one scored record per item, in order."""
    records = []
    for index, item in enumerate(items, 1):
        try:
            record = run_item(system, item)
        except Exception as error:  # one broken item must not hide the others
            record = {"id": item["id"], "kind": item["kind"], "status": "error", "answer": "", "citations": [],
                      "query": "", "latency_ms": None, "passages": [], "passage_texts": [],
                      "error": f"{type(error).__name__}: {error}"}
        records.append(score(item, record))
        if log and (index % 25 == 0 or index == len(items)):
            log(f"[{label}] {index}/{len(items)}")
    return records


# -- scoring (pure) --------------------------------------------------------------------------------
def score(item: dict, record: dict) -> dict:
    """The record with its scores and a diagnosis of what went wrong (empty when it passed)."""
    facts, evidence, kind = item.get("facts", []), item.get("evidence", ""), item["kind"]
    texts, cited = record.pop("passage_texts", []), [m.cited_text(c["text"], c.get("published", "")) for c in record["citations"]]
    scores: dict = {"fact_recall": None, "correct": None, "hit_at_5": None, "rr": None, "evidence_rank": None,
                    "citation_support": None, "citation_precision": None, "uncited": None}
    if kind == "briefing":
        if record["status"] == "answered":
            scores["fact_recall"] = m.briefing_coverage(record["answer"], facts)
            scores["uncited"] = m.uncited_bullets(record["answer"])
            terms = item.get("terms") or m.topic_term_groups(item["topic"])
            scores["precision"] = m.briefing_precision(record["answer"], terms)
    elif kind not in m.UNANSWERABLE:
        scores["fact_recall"] = m.fact_recall(record["answer"], facts)
        scores["correct"] = m.all_facts(record["answer"], facts)
        scores["citation_support"] = m.citation_support(record["answer"], facts, cited)
        scores["citation_precision"] = m.citation_precision(cited, facts, evidence)
        if evidence:
            scores["evidence_rank"] = m.evidence_rank(texts, evidence)
            scores["hit_at_5"] = m.hit_at_k(texts, evidence, K)
            scores["rr"] = m.reciprocal_rank(texts, evidence)
    record.update(scores)
    record["file"] = item.get("file", "")
    record["split"] = split_of(item["id"])
    record["missing"] = [group[0] for group, hit in zip(facts, m.groups_matched(record["answer"], facts)) if not hit]
    record["reasons"] = diagnose(kind, record)
    return record


def diagnose(kind: str, record: dict) -> list[str]:
    """Short reasons an item failed: false refusal, retrieval miss, answer missed a fact, unsupported fact."""
    status, reasons = record["status"], []
    if status == "error":
        return [f"error: {record.get('error', '')}"]
    if kind in m.UNANSWERABLE:
        return [f"answered {kind.replace('_', ' ')}"] if status != m.REFUSED else []
    if kind == "briefing":
        if status == "skipped":
            return ["briefing not measured"]
        if record["missing"]:
            reasons.append(f"briefing missed {record['missing']}")
        if record["uncited"]:
            reasons.append(f"{len(record['uncited'])} uncited bullet(s)")
        return reasons
    if status == m.REFUSED:
        reasons.append("false refusal")
    if record["hit_at_5"] is False:
        rank = record["evidence_rank"] or record.get("deep_rank")
        reasons.append(f"retrieval miss (evidence rank {rank})" if rank else
                       f"retrieval miss (evidence not in top {DEEP_K})")
    if record["missing"] and status != m.REFUSED:
        reasons.append(f"answer missed {record['missing']}")
    if record["citation_support"] is not None and record["citation_support"] < 1:
        reasons.append("a fact in the answer is not in any cited passage")
    return reasons


def summarise(records: list[dict]) -> dict:
    """Overall metrics (the names gates.yaml uses) and a per-kind breakdown."""
    def pick(key, kinds):
        return [r[key] for r in records if r["kind"] in kinds]

    pairs = [(r["kind"], r["status"]) for r in records if r["kind"] != "briefing"]
    files = [(r["file"], [c.get("file", "") for c in r["citations"]]) for r in records
             if r.get("file") and r["kind"] not in m.UNANSWERABLE and r["status"] != m.REFUSED]
    latencies = [r["latency_ms"] for r in records if r["kind"] != "briefing" and r["latency_ms"] is not None]
    briefs = [r for r in records if r["kind"] == "briefing" and r["status"] == "answered"]
    overall = {
        "items": len(records),
        "fact_recall": m.mean(pick("fact_recall", SINGLE_TURN)),
        "accuracy": m.mean(pick("correct", SINGLE_TURN)),
        "hit_at_5": m.mean(pick("hit_at_5", ANSWERABLE)),
        "mrr": m.mean(pick("rr", ANSWERABLE)),
        "citation_support": m.mean(pick("citation_support", ANSWERABLE)),
        "citation_precision": m.mean(pick("citation_precision", ANSWERABLE)),
        "open_points": m.mean(pick("fact_recall", OPEN)),
        "oos_refusal": m.refusal_accuracy(pairs),
        "near_oos_refusal": m.refusal_accuracy(pairs, m.NEAR_OOS),
        "cited_file": m.cited_file_accuracy(files),
        "leaning_openings": sum(m.opens_leaning(r["answer"]) for r in records
                                if r["status"] == "answered" and r["kind"] != "briefing"),
        "false_refusal": m.false_refusal_rate(pairs),
        "followup": m.mean(pick("fact_recall", ("followup",))),
        "briefing_coverage": m.mean(r["fact_recall"] for r in briefs),
        "briefing_precision": m.mean(r.get("precision") for r in briefs),
        "uncited_bullets": sum(len(r["uncited"]) for r in briefs) if briefs else None,
        "latency_p50_ms": m.percentile(latencies, 50),
        "latency_p95_ms": m.percentile(latencies, 95),
        "errors": sum(r["status"] == "error" for r in records),
        **m.backend_usage(records),
    }
    per_kind = {}
    for kind in dict.fromkeys(r["kind"] for r in records):
        rows = [r for r in records if r["kind"] == kind]
        lat = [r["latency_ms"] for r in rows if r["latency_ms"] is not None]
        per_kind[kind] = {
            "n": len(rows), "fact_recall": m.mean(r["fact_recall"] for r in rows),
            "accuracy": m.mean(r["correct"] for r in rows), "hit_at_5": m.mean(r["hit_at_5"] for r in rows),
            "mrr": m.mean(r["rr"] for r in rows), "citation_support": m.mean(r["citation_support"] for r in rows),
            "refused": sum(r["status"] == m.REFUSED for r in rows) / len(rows),
            "latency_p50_ms": m.percentile(lat, 50),
        }
    return {"overall": overall, "per_kind": per_kind}


# -- the whole run ---------------------------------------------------------------------------------
def run(questions: Path = QUESTIONS, out_dir: Path = OUT_DIR, backend: str = "none", history: Path | None = None,
        baselines: bool = True, gates_path: Path = GATES, settings=None, embedder=None,
        log: Callable[[str], None] | None = None, kinds: list[str] | None = None, limit: int | None = None,
        suite: str = "own") -> dict:
    """Evaluate the assistant (extractive, plus `backend` beside it when one is named, and the baselines),
    write results, metrics.json and report.md; return metrics. Gates are enforced on the extractive default
    over the whole set only (a subset chosen with kinds/limit reports them)."""
    from assistant.retrieval.dense import build_embedder
    from assistant.settings import Settings
    from evals.report import write_report

    log = log or (lambda line: print(line, file=sys.stderr, flush=True))
    every = load_questions(questions)
    items = select(every, kinds, limit)
    settings = (settings or Settings()).with_overrides(llm_backend="none")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    embedder = embedder or build_embedder(settings)
    systems, notes = run_systems(items, settings, embedder, backend, baselines, log)
    if len(items) < len(every):
        notes.insert(0, f"subset: {len(items)} of {len(every)} items ({', '.join(dict.fromkeys(i['kind'] for i in items))}); "
                        "gates reported, not enforced")

    for name, records in systems.items():
        suffix = "" if name == "project" else f"-{name}"
        _write_jsonl(out_dir / f"results{suffix}.jsonl", records)
    gates = load_gates(gates_path, suite)
    questions_label = ", ".join(map(str, questions)) if isinstance(questions, (list, tuple)) else str(questions)
    result = {"created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "questions": questions_label,
              "suite": suite, "corpus_dir": str(settings.corpus_dir),
              "backend": backend, "llm": _llm_info(settings, backend), "items": [i["id"] for i in items],
              "subset": len(items) < len(every), "corpus_version": _corpus_version(settings), "notes": notes,
              "gates": gates, "systems": {name: summarise(records) for name, records in systems.items()}}
    result["splits"] = split_summaries(systems["project"])
    result["systems"]["project"]["overall"].update(
        {f"{key}_{part.replace('-', '_')}": values.get(key) for part, values in result["splits"].items()
         for key in SPLIT_KEYS})
    failures = m.check_gates(result["systems"]["project"]["overall"], gates)
    result["gate_failures"] = [] if result["subset"] else failures
    result["subset_gate_gaps"] = failures if result["subset"] else []
    result["target_gaps"] = m.check_gates(result["systems"]["project"]["overall"], load_targets(gates_path, suite))
    result["failing_items"] = {r["id"]: r["reasons"] for r in systems["project"] if r["reasons"]}
    result["backends"] = backends_side_by_side(result["systems"], backend)
    (out_dir / "metrics.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    trend = []
    if history:
        append_history(Path(history), result)
        trend = load_history(Path(history))
    write_report(out_dir, result, systems, trend)
    return result


SPLIT_KEYS = ("fact_recall", "accuracy", "followup", "false_refusal")


def split_summaries(records: list[dict]) -> dict[str, dict]:
    """Overall metrics of the tuning part and of the held-out part of a set (see split_of)."""
    parts = {}
    for part in ("tuning", "held-out"):
        rows = [r for r in records if r.get("split", split_of(r["id"])) == part]
        parts[part] = summarise(rows)["overall"] if rows else {}
    return parts


def run_suites(suites, out_dir: Path = OUT_DIR, gates_path: Path = GATES, settings=None, embedder=None,
               baselines: bool = True, log: Callable[[str], None] | None = None) -> dict:
    """Index and evaluate every suite (one corpus and question set each) and write the corpora side by side:
    out_dir/<suite>/ for each run, out_dir/corpora.md and out_dir/corpora.json for the comparison."""
    from assistant.retrieval.dense import build_embedder
    from assistant.settings import Settings
    from evals.report import write_corpora_report
    from evals.suites import index_for

    log = log or (lambda line: print(line, file=sys.stderr, flush=True))
    settings = settings or Settings()
    embedder = embedder or build_embedder(settings)
    out_dir = Path(out_dir)
    results, notes = {}, []
    for suite in suites:
        missing = suite.missing()
        if missing:
            notes.append(f"suite {suite.name} not run: {', '.join(map(str, missing))} not found")
            log(notes[-1])
            continue
        suite_settings = index_for(suite, out_dir / "indexes", settings, embedder, log)
        results[suite.name] = run(suite.questions, out_dir / suite.name, baselines=baselines and suite.baselines,
                                  gates_path=gates_path, settings=suite_settings, embedder=embedder, log=log,
                                  suite=suite.name)
    write_corpora_report(out_dir, results, notes)
    return {"suites": results, "notes": notes,
            "gate_failures": [f"{name}: {failure}" for name, result in results.items()
                              for failure in result["gate_failures"]]}


def run_systems(items: list[dict], settings, embedder, backend: str = "none", baselines: bool = True,
                log: Callable[[str], None] | None = None) -> tuple[dict[str, list[dict]], list[str]]:
    """Scored records per system: the extractive project, the LLM backend (if any), then the baselines."""
    from assistant.assembly import build_assistant
    from evals import baselines as base

    notes: list[str] = []
    systems = {"project": run_system(build_assistant(settings, embedder=embedder), items, "project", log)}
    skipped = {r.get("note") for r in systems["project"] if r["status"] == "skipped"}
    notes += [f"briefing metrics not measured: {note}" for note in sorted(skipped)]
    if backend != "none":
        llm = build_assistant(settings.with_overrides(llm_backend=backend), embedder=embedder)
        systems[backend] = run_system(llm, items, backend, log)
    if baselines:
        for name, make in base.BASELINES.items():
            system, note = make(settings, embedder)
            if note:
                notes.append(f"baseline {name}: {note}")
            if system is not None:
                systems[name] = run_system(system, items, name, log)
    return systems, notes


def backends_side_by_side(systems: dict, backend: str) -> dict:
    """{backend label: {metric: value}} for the extractive default and the LLM backend (one column each)."""
    from evals.report import BACKEND_ROWS

    names = {"extractive": "project", **({backend: backend} if backend != "none" else {})}
    return {label: {key: systems[name]["overall"].get(key) for key, _ in BACKEND_ROWS}
            for label, name in names.items()}


def _llm_info(settings, backend: str) -> dict:
    if backend == "none":
        return {}
    return {"backend": backend, "model": settings.llm_model or "", "base_url": settings.llm_base_url or "",
            "max_tokens": settings.llm_max_tokens, "condense": settings.llm_condense, "briefing": settings.llm_briefing}


def append_history(path: Path, result: dict) -> None:
    """Append one line of the project's overall metrics to the history file."""
    line = {"created": result["created"], "backend": result["backend"], "corpus_version": result["corpus_version"],
            **{k: v for k, v in result["systems"]["project"]["overall"].items()}}
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")


def load_history(path: Path) -> list[dict]:
    """Every line of the history file (empty when it does not exist)."""
    return load_questions(path) if path.exists() else []


def _corpus_version(settings) -> str:
    try:
        from assistant.retrieval.store import IndexStore

        return IndexStore(settings).info().get("corpus_version", "")
    except Exception:
        return ""


def _write_jsonl(path: Path, records: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
