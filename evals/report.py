"""report.md and its PNG plots from the metrics of one evaluation run."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from evals.metrics import guard_counts  # noqa: E402

COLUMNS = [("hit_at_5", "hit@5"), ("mrr", "MRR"), ("fact_recall", "fact recall"),
           ("citation_support", "citation support"), ("oos_refusal", "OOS refusal"),
           ("false_refusal", "false refusals"), ("latency_p50_ms", "latency p50 ms")]
LABELS = {"project": "project pipeline", "bm25": "BM25 only", "llamaindex": "llama-index defaults (raw files)",
          "openai": "project pipeline, LLM via openai", "llamacpp": "project pipeline, LLM via llamacpp"}
# Rows of the backends-side-by-side table (one column per backend); the keys are summarise()'s.
BACKEND_ROWS = [("items", "items"), ("fact_recall", "fact recall"), ("citation_support", "citation support"),
                ("oos_refusal", "refusal accuracy (out of scope declined)"), ("false_refusal", "false refusals"),
                ("followup", "follow-up fact recall"), ("llm_answers", "answers written by the LLM and kept"),
                ("fallbacks", "fallbacks to the extractive answer"), ("fallback_rate", "fallback rate"),
                ("guard_kept", "generated sentences kept by the guard"),
                ("guard_dropped", "generated sentences dropped by the guard"),
                ("backend_errors", "backend failures or timeouts"), ("condensed_by_llm", "follow-ups condensed by the LLM"),
                ("condense_fallbacks", "follow-ups condensed by rule (LLM rewrite rejected)"),
                ("sections_by_llm", "briefing sections written by the LLM"),
                ("latency_p50_ms", "latency p50 ms"), ("latency_p95_ms", "latency p95 ms")]


def fmt(value, digits: int = 3) -> str:
    """A metric for a table cell: n/a for None, integers plain, floats rounded."""
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.1f}" if digits == 1 else f"{value:.{digits}f}"
    return str(value)


def backend_table(backends: dict, llm: dict | None = None) -> str:
    """The markdown table of the backends side by side: one row per metric, one column per backend."""
    names = list(backends)
    heads = [f"{name} ({llm['model']})" if llm and name == llm.get("backend") and llm.get("model") else name
             for name in names]
    lines = ["| metric | " + " | ".join(heads) + " |", "|---|" + "---:|" * len(names)]
    for key, label in BACKEND_ROWS:
        cells = [fmt(backends[name].get(key), 1 if key.endswith("_ms") else 3) for name in names]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def item_table(records: dict, backend: str) -> str:
    """Per item, the extractive and the LLM backend's status, fact recall, what answered and latency."""
    llm = {r["id"]: r for r in records.get(backend, [])}
    lines = ["| item | kind | extractive | fact recall | " + f"{backend} | fact recall | answered by | guard kept | latency s |",
             "|---|---|---|---:|---|---:|---|---:|---:|"]
    for row in records["project"]:
        other = llm.get(row["id"], {})
        kept = _guard_cell(other)
        latency = other.get("latency_ms")
        lines.append(f"| `{row['id']}` | {row['kind']} | {row['status']} | {fmt(row['fact_recall'], 2)} | "
                     f"{other.get('status', 'n/a')} | {fmt(other.get('fact_recall'), 2)} | {other.get('backend', 'n/a')} | "
                     f"{kept} | {fmt(latency / 1000 if latency is not None else None, 1)} |")
    return "\n".join(lines)


def _guard_cell(record: dict) -> str:
    counts = guard_counts(record.get("notes", []))
    return f"{counts[0]}/{counts[1]}" if counts else "n/a"


def comparison_table(systems: dict) -> str:
    """The markdown table of the systems side by side."""
    lines = ["| system | " + " | ".join(label for _, label in COLUMNS) + " |",
             "|---|" + "---:|" * len(COLUMNS)]
    for name, summary in systems.items():
        overall = summary["overall"]
        cells = [fmt(overall.get(key), 1 if key.endswith("_ms") else 3) for key, _ in COLUMNS]
        lines.append(f"| {LABELS.get(name, name)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def kind_table(per_kind: dict) -> str:
    """The markdown table of the project's metrics per kind."""
    keys = ["n", "fact_recall", "accuracy", "hit_at_5", "mrr", "citation_support", "refused", "latency_p50_ms"]
    lines = ["| kind | " + " | ".join(keys) + " |", "|---|" + "---:|" * len(keys)]
    for kind, row in per_kind.items():
        lines.append(f"| {kind} | " + " | ".join(fmt(row[key], 1 if key.endswith("_ms") else 3) for key in keys) + " |")
    return "\n".join(lines)


def plot_per_kind(systems: dict, path: Path) -> None:
    """Grouped bars: fact recall per kind for every system."""
    kinds = [k for k in systems["project"]["per_kind"] if k != "out_of_scope"]
    fig, ax = plt.subplots(figsize=(10, 4))
    width = 0.8 / len(systems)
    for i, (name, summary) in enumerate(systems.items()):
        values = [summary["per_kind"].get(k, {}).get("fact_recall") or 0 for k in kinds]
        ax.bar([x + i * width for x in range(len(kinds))], values, width, label=LABELS.get(name, name))
    ax.set_xticks([x + width * (len(systems) - 1) / 2 for x in range(len(kinds))], kinds, rotation=30)
    ax.set_ylabel("fact recall")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    _save(fig, path)


def plot_latency(records: list[dict], path: Path) -> None:
    """Histogram of the project's per-question latency."""
    values = [r["latency_ms"] for r in records if r["latency_ms"] is not None and r["kind"] != "briefing"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(values, bins=30)
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    _save(fig, path)


def plot_baselines(systems: dict, path: Path) -> None:
    """Grouped bars of the 0-1 metrics for the project and each baseline."""
    keys = [(k, label) for k, label in COLUMNS if not k.endswith("_ms")]
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / len(systems)
    for i, (name, summary) in enumerate(systems.items()):
        values = [summary["overall"].get(k) or 0 for k, _ in keys]
        ax.bar([x + i * width for x in range(len(keys))], values, width, label=LABELS.get(name, name))
    ax.set_xticks([x + width * (len(systems) - 1) / 2 for x in range(len(keys))], [l for _, l in keys], rotation=20)
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    _save(fig, path)


def plot_trend(history: list[dict], path: Path) -> None:
    """The project's headline metrics over the runs recorded in the history file."""
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for key in ("fact_recall", "hit_at_5", "citation_support", "followup", "briefing_coverage"):
        points = [(i, row.get(key)) for i, row in enumerate(history, 1) if row.get(key) is not None]
        if points:
            ax.plot(*zip(*points), marker="o", label=key)
    ax.set_xlabel("run")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    _save(fig, path)


def write_report(out_dir: Path, result: dict, records: dict, history: list[dict]) -> Path:
    """Write report.md (tables, gates, failing items) and its plots into out_dir."""
    out_dir = Path(out_dir)
    systems = result["systems"]
    plot_per_kind(systems, out_dir / "per_kind.png")
    plot_latency(records["project"], out_dir / "latency.png")
    plot_baselines(systems, out_dir / "baselines.png")
    lines = [f"# Evaluation report\n\n{result['created']} · backend `{result['backend']}` · "
             f"corpus `{result['corpus_version']}` · {systems['project']['overall']['items']} items\n"]
    if len(result.get("backends", {})) > 1:
        llm = result.get("llm", {})
        lines += ["## Backends side by side\n",
                  f"The same {systems['project']['overall']['items']} items through the extractive default and the "
                  f"`{result['backend']}` backend ({llm.get('model') or 'default model'} at {llm.get('base_url') or 'n/a'}, "
                  f"max {llm.get('max_tokens')} tokens). Refusals are decided before any LLM call; an answer the "
                  "citation guard rejects, or a backend failure, is replaced by the extractive answer (a fallback), "
                  "and its metrics count that answer.\n",
                  backend_table(result["backends"], llm),
                  f"\n### Per item\n\n{item_table(records, result['backend'])}\n"]
    lines += ["## Project vs baselines\n", comparison_table(systems), "\n![baselines](baselines.png)\n",
             "## Project overall\n", "| metric | value |\n|---|---:|"]
    lines += [f"| {k} | {fmt(v, 1 if k.endswith('_ms') else 3)} |" for k, v in systems["project"]["overall"].items()]
    lines += ["\n## Per kind (project)\n", kind_table(systems["project"]["per_kind"]),
              "\n![fact recall per kind](per_kind.png)\n\n![latency](latency.png)\n", "## Gates\n"]
    failures = result["gate_failures"]
    if result.get("subset"):
        lines += ["Gates are enforced over the whole set only; on this subset (extractive default):"]
        lines += [f"- below gate: {f}" for f in result.get("subset_gate_gaps", [])] or ["every gate is met."]
    else:
        lines += [f"- FAIL {f}" for f in failures] or ["All gates pass."]
    gaps = result.get("target_gaps", [])
    lines += ["\n## Targets not yet reached (from the issues; not enforced)\n"]
    lines += [f"- {gap}" for gap in gaps] or ["Every target is reached."]
    if history:
        plot_trend(history, out_dir / "trend.png")
        lines.append(f"\n## Trend ({len(history)} runs)\n\n![trend](trend.png)\n")
    lines.append(f"\n## Failing items ({len(result['failing_items'])})\n")
    lines += [f"- `{item}`: {'; '.join(reasons)}" for item, reasons in result["failing_items"].items()]
    if result["notes"]:
        lines += ["\n## Notes\n"] + [f"- {note}" for note in result["notes"]]
    path = out_dir / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _save(fig, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# Rows of the corpora-side-by-side table; the keys are summarise()'s.
CORPORA_ROWS = [("items", "items"), ("fact_recall", "fact recall (factoid)"), ("accuracy", "factoid fully right"),
                ("open_points", "open-question points"), ("followup", "follow-ups"),
                ("near_oos_refusal", "near-domain \"not stated\""), ("oos_refusal", "out of scope refused"),
                ("false_refusal", "false refusals"), ("citation_support", "citation support"),
                ("cited_file", "cites the expected file"), ("hit_at_5", "hit@5"),
                ("briefing_coverage", "briefing coverage"), ("briefing_precision", "briefing precision"),
                ("latency_p50_ms", "latency p50 ms")]


def corpora_columns(results: dict) -> dict[str, dict]:
    """{column label: overall metrics}: each suite, and the tuning and held-out parts of the own set."""
    columns = {}
    for name, result in results.items():
        columns[name] = result["systems"]["project"]["overall"]
        if name == "own":
            for part, metrics in result.get("splits", {}).items():
                columns[f"own: {part}"] = metrics
    return columns


def corpora_table(results: dict) -> str:
    """The markdown table of every suite side by side: one row per metric, one column per corpus."""
    columns = corpora_columns(results)
    names = list(columns)
    lines = ["| metric | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for key, label in CORPORA_ROWS:
        cells = [fmt(columns[name].get(key), 1 if key.endswith("_ms") else 3) for name in names]
        if any(cell != "n/a" for cell in cells):
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_corpora_report(out_dir: Path, results: dict, notes: list[str]) -> Path:
    """out_dir/corpora.md (the table, each suite's gates and failing items) and corpora.json."""
    import json

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = ["# Evaluation across corpora\n",
             "Each column is one corpus and question set, indexed on its own and run through the same "
             "pipeline; `own: tuning` and `own: held-out` are the two parts of the project's set (the held-out "
             "part is not used for tuning). Per-suite reports are in the folders of the same names.\n",
             corpora_table(results), ""]
    for name, result in results.items():
        failures = result["gate_failures"]
        lines.append(f"## {name}\n\n`{result['questions']}` over `{result['corpus_dir']}`\n")
        lines += [f"- GATE FAILED {f}" for f in failures] or ["All gates pass."]
        lines += [f"- target not reached: {gap}" for gap in result.get("target_gaps", [])]
        lines.append(f"\nFailing items ({len(result['failing_items'])}):\n")
        lines += [f"- `{item}`: {'; '.join(reasons)}" for item, reasons in result["failing_items"].items()]
        lines.append("")
    if notes:
        lines += ["## Notes\n"] + [f"- {note}" for note in notes]
    path = out_dir / "corpora.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    columns = corpora_columns(results)
    (out_dir / "corpora.json").write_text(json.dumps(columns, indent=2, ensure_ascii=False), encoding="utf-8")
    return path
