"""python -m evals run|bench: the evaluation set with baselines and gates, or the performance benchmark."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def parse_args(argv=None) -> argparse.Namespace:
    """The command line: a `run` and a `bench` subcommand."""
    from evals import bench, runner

    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the evaluation set, write results, metrics.json and report.md")
    run.add_argument("--corpus", type=Path, action="append", default=None, metavar="DIR",
                     help="index this corpus folder (repeat to index several together) and ask --questions of it; "
                          "without it, every suite of evals/suites.yaml runs and the report puts them side by side")
    run.add_argument("--questions", type=Path, default=None, help="question set (JSON Lines) for --corpus")
    run.add_argument("--suite", action="append", default=None, metavar="NAME",
                     help="run only this suite of evals/suites.yaml (repeatable)")
    run.add_argument("--index", action="store_true",
                     help="use the configured index (ASSISTANT_STORE_DIR, `make index`) instead of building one")
    run.add_argument("--out", type=Path, default=runner.OUT_DIR)
    run.add_argument("--backend", choices=["none", "openai", "llamacpp", "transformers"], default="none",
                     help="also run the set through this LLM backend (ASSISTANT_LLM_* settings) beside the "
                          "extractive default; the report compares them side by side")
    run.add_argument("--kinds", type=lambda text: [k.strip() for k in text.split(",") if k.strip()], default=None,
                     help="only these kinds, comma-separated (e.g. number,out_of_scope,followup)")
    run.add_argument("--limit", type=int, default=None,
                     help="only N items, taken in turn from each kind (a tiny CPU model is slow); gates not enforced")
    run.add_argument("--history", type=Path, nargs="?", const=runner.HISTORY, default=None,
                     help=f"append a metrics line to this file (default {runner.HISTORY}) and plot the trend")
    run.add_argument("--no-baselines", action="store_true")
    run.add_argument("--gates", type=Path, default=runner.GATES)
    ben = sub.add_parser("bench", help="throughput, cold start, latency, memory and scaling")
    ben.add_argument("--out", type=Path, default=bench.OUT_DIR)
    ben.add_argument("--repeat", type=int, default=3, help="cold starts to time (median reported)")
    ben.add_argument("--scales", default="10,100", help="comma-separated multiples of the corpus chunks")
    ben.add_argument("--queries", type=int, default=0, help="questions for warm latency (0 = all single-turn)")
    ben.add_argument("--scale-queries", type=int, default=30, help="questions timed at each scale")
    ben.add_argument("--server", action="store_true",
                     help="at each scale also start against the same store served by `chroma run` on loopback")
    ben.add_argument("--keep", type=Path, metavar="DIR",
                     help="build the benchmark's stores in DIR (a new folder) and leave them there")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Run the chosen subcommand; exit 1 when a gate fails."""
    args = parse_args(argv)
    if args.command == "bench":
        from evals import bench

        bench.main(args.out, repeat=args.repeat, scales=[int(s) for s in args.scales.split(",") if s.strip()],
                   queries=args.queries, scale_queries=args.scale_queries, server=args.server, keep=args.keep)
        return 0
    from evals import runner

    if args.index or args.backend != "none" or args.kinds or args.limit:
        return _run_one(args, runner)
    return _run_suites(args, runner)


def _selected_suites(args) -> list:
    """The suites to run: an ad-hoc one from --corpus/--questions, or those of suites.yaml (--suite filters)."""
    from evals.suites import Suite, load_suites

    if args.corpus:
        questions = (args.questions or Path(args.corpus[0]).parent / "questions.jsonl").resolve()
        name = "+".join(Path(c).resolve().name for c in args.corpus)
        return [Suite(name, tuple(Path(c).resolve() for c in args.corpus), (questions,))]
    suites = load_suites()
    return [s for s in suites if not args.suite or s.name in args.suite]


def _run_suites(args, runner) -> int:
    from evals.report import corpora_table

    outcome = runner.run_suites(_selected_suites(args), args.out, args.gates, baselines=not args.no_baselines)
    print(corpora_table(outcome["suites"]))
    return _verdict(outcome["notes"], outcome["gate_failures"], f"report: {Path(args.out) / 'corpora.md'}")


def _run_one(args, runner) -> int:
    """The configured index (ASSISTANT_STORE_DIR) with one question set, and optionally an LLM backend."""
    from evals.report import backend_table, comparison_table

    result = runner.run(args.questions or runner.QUESTIONS, args.out, args.backend, args.history,
                        not args.no_baselines, args.gates, kinds=args.kinds, limit=args.limit)
    print(comparison_table(result["systems"]))
    if len(result["backends"]) > 1:
        print("\n" + backend_table(result["backends"], result["llm"]) + "\n")
    return _verdict(result["notes"], result["gate_failures"],
                    f"{len(result['failing_items'])} failing items; report: {Path(args.out) / 'report.md'}")


def _verdict(notes: list[str], failures: list[str], last: str) -> int:
    """Print the notes, the failed gates and a last line; the exit status (1 when a gate failed)."""
    for note in notes:
        print(f"note: {note}")
    for failure in failures:
        print(f"GATE FAILED: {failure}")
    print(last)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
