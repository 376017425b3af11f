"""python -m ingest: build or update the index from the corpus folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    parser.add_argument("--corpus", type=Path, help="corpus folder (default: ./corpus or ASSISTANT_CORPUS_DIR)")
    parser.add_argument("--store", type=Path, help="index folder (default: ./.store or ASSISTANT_STORE_DIR)")
    parser.add_argument("--rebuild", action="store_true", help="start over: re-embed everything")
    parser.add_argument("--compact-at", type=float, default=None, metavar="SHARE",
                        help="write changed files alone into a delta build while the changes since the last full "
                             "build stay within this share of the index (default 0.1); past it, a full build")
    parser.add_argument("--dump", type=Path, metavar="FILE.jsonl", help="write every indexed chunk to FILE")
    parser.add_argument("--stats", action="store_true", help="print documents, chunks, removed lines, speed")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from assistant.settings import Settings
    from ingest.model_process import ModelProcess

    settings = Settings().with_overrides(corpus_dir=args.corpus, store_dir=args.store)
    # The embedding model starts loading in its own process now, before this one imports the store and the
    # pipeline (see ingest.model_process); a run with nothing to embed ends it unused.
    with ModelProcess(settings) as model:
        from assistant.retrieval.store import IndexStore, StoreError
        from ingest.pipeline import COMPACT_AT, dump_chunks, run_ingest

        store = IndexStore(settings)
        try:
            report = run_ingest(settings, rebuild=args.rebuild, store=store, progress=_progress_bar(args.quiet),
                                compact_at=COMPACT_AT if args.compact_at is None else args.compact_at,
                                embedder=model)
        except (FileNotFoundError, StoreError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    for skipped in report.skipped:
        print(f"skipped {skipped.file}: {skipped.reason}", file=sys.stderr)
    state = f"updated ({report.mode} build)" if report.changed else "unchanged"
    print(f"index {state}: {report.documents} documents, {report.chunks} chunks "
          f"({report.embedded} embedded, {report.reused} reused) in {report.seconds:.1f}s -> {store.location}")
    if args.stats:
        _print_stats(report, store.info())
    if args.dump:
        count = dump_chunks(store, args.dump)
        print(f"wrote {count} chunks to {args.dump}")
    return 0


def _progress_bar(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar = tqdm(desc="embedding", unit="chunk", leave=False)
    return bar.update


def _print_stats(report, info: dict | None = None) -> None:
    print(f"documents: {report.documents}")
    print(f"chunks: {report.chunks} (embedded {report.embedded}, reused {report.reused}, "
          f"removed {report.removed_chunks})")
    print(f"time: {report.seconds:.2f}s total, {report.embed_seconds:.2f}s embedding, "
          f"{report.chunks_per_second:.1f} chunks/s")
    print("removed lines by rule:")
    for rule, count in sorted(report.removed_lines.items(), key=lambda item: -item[1]):
        print(f"  {rule}: {count}")
    print(f"skipped files: {len(report.skipped)}")
    calibration = report.calibration or (info or {}).get("stats", {}).get("calibration") or {}
    if calibration:
        print(f"refusal threshold: {calibration['min_support']} (the best support of {calibration['probes']} "
              f"off-topic probe questions, {calibration['probe_max']}, plus {calibration['margin']}; "
              f"their median {calibration['probe_median']})")


if __name__ == "__main__":
    sys.exit(main())
