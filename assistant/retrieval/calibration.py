"""The refusal threshold of one index, derived from the index itself when it is built.

A fixed number cannot serve every corpus: a small collection of short pages supports every question
less than a large one, and a new subject shifts every cosine. So at ingest the new index is asked a set
of questions no policy collection answers (``assistant/data/off_topic_probes.txt``: cooking, sport,
travel, science…), and the threshold is set just above the best support any of them gets: a question
must be better supported than anything unrelated is. The threshold and the figures behind it are stored
with the build (``python -m ingest --stats`` prints them).
"""

from __future__ import annotations

import hashlib
import statistics
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Callable

from assistant.checks.scope import support
from assistant.models import Passage
from assistant.retrieval.build_files import load_build_files
from assistant.retrieval.fusion import HybridRetriever
from assistant.retrieval.store import StoredChunks, VectorSearch
from assistant.scoring import RefusalWeights

@dataclass(frozen=True)
class Calibration:
    """The refusal threshold of one build and the probe scores it came from."""

    min_support: float
    probes: int
    probe_max: float
    probe_median: float
    margin: float

    def as_dict(self) -> dict:
        return asdict(self)


def calibration_version(weights: RefusalWeights = RefusalWeights()) -> str:
    """A fingerprint of what the threshold is derived from (the probes, the support weights and the
    margin, an unrelated question can score a little above the best of a few dozen probes): a change
    recalibrates."""
    return hashlib.sha256(f"{weights.model_dump_json()}\n{chr(10).join(off_topic_probes())}".encode()).hexdigest()[:12]


def off_topic_probes() -> list[str]:
    """The packaged probe questions (comment and blank lines left out)."""
    text = resources.files("assistant").joinpath("data/off_topic_probes.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def calibrate(retrieve: Callable[[str], list[Passage]], idf: dict[str, float],
              probes: list[str] | None = None, weights: RefusalWeights = RefusalWeights()) -> Calibration:
    """The threshold for an index: the best support an off-topic probe gets from it, plus the margin.

    >>> passages = [Passage("a#0", "Family help funding rose.", {}, dense=0.3)]
    >>> calibrate(lambda q: passages, {"famili": 2.0, "help": 2.0}, ["What is a cake?", "Who won?"]).min_support
    0.4
    """
    probes = off_topic_probes() if probes is None else probes
    default_idf = max(idf.values(), default=1.0)
    scores = [support(probe, retrieve(probe), idf, default_idf, weights) for probe in probes]
    margin = weights.calibration_margin
    best = max(scores, default=0.0)
    return Calibration(round(best + margin, 3), len(scores), round(best, 3),
                       round(statistics.median(scores), 3) if scores else 0.0, margin)


def calibrate_build(settings, store, collection, embedder) -> Calibration:
    """The calibration of a build that is written but not yet active: its own BM25 files and vectors."""
    source = StoredChunks(store, collection)
    files = load_build_files(settings, collection.name, source)
    retriever = HybridRetriever(settings, source, VectorSearch(collection), embedder, files.lexical)
    return calibrate(lambda probe: retriever.retrieve(probe, k=settings.top_k), retriever.lexical.idf,
                     weights=settings.scoring.refusal)
