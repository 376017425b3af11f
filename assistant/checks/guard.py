"""The citation guard: keep only generated sentences that are cited and supported by what they cite.

Pure functions over the answer text and the numbered passages (an optional embed function may be
passed in). Each sentence must cite a retrieved passage, state only figures and names found in the
passages it cites, and be close in wording (and meaning, when embed is given) to one of them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

from assistant.checks.injection import INSTRUCTION_IN_TEXT
from assistant.models import Passage
from assistant.text.facts import name_in, names, vocabulary
from assistant.text.numbers import quantities, show, supported
from assistant.text.sentences import sentence_spans, strip_bullet
from assistant.text.tokens import content_words

Embed = Callable[[list[str]], list[list[float]]]
MAX_DROPPED_NOTES = 6

_MARKER = re.compile(r"\[(\d+)\]")
_GROUP = re.compile(r"\[\s*(?:passages?|sources?|refs?\.?)?\s*(\d+(?:\s*(?:,|;|and|-|\u2013)\s*\d+)*)\s*\]", re.I)
_TRAILING_MARKERS = re.compile(r"([.!?])((?:\s*\[\d+\])+)")
_MARKUP = re.compile(r"\*\*|__|`|^#{1,6}\s*", re.M)

@dataclass(frozen=True)
class GuardConfig:
    """Thresholds, set conservatively: a dropped good sentence costs little, a kept bad one a lot."""

    min_overlap: float = 0.6  # share of the sentence's content words found in its cited passages
    min_cosine: float = 0.5  # best cosine to a sentence of a cited passage (only when embed is given)
    min_kept_share: float = 0.5  # below this share of sentences kept, use the extractive answer


@dataclass
class Kept:
    """A sentence that passed: its text without markers and the passage numbers (1..k) it cites."""

    text: str
    cited: list[int]


@dataclass
class Dropped:
    """A sentence that failed, and why."""

    sentence: str
    reason: str


@dataclass
class GuardReport:
    """What the guard kept, dropped and removed, and whether the extractive answer must be used."""

    kept: list[Kept] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    removed_citations: list[int] = field(default_factory=list)
    used_fallback: bool = False

    def notes(self) -> list[str]:
        """Short strings for Answer.notes."""
        total = len(self.kept) + len(self.dropped)
        out = [f"guard: kept {len(self.kept)} of {total} sentences"]
        out += [f"guard dropped ({d.reason}): {_clip(d.sentence)}" for d in self.dropped[:MAX_DROPPED_NOTES]]
        if len(self.dropped) > MAX_DROPPED_NOTES:
            out.append(f"guard dropped {len(self.dropped) - MAX_DROPPED_NOTES} more sentences")
        if self.removed_citations:
            out.append("guard removed citations of passages not retrieved: "
                       + ", ".join(f"[{n}]" for n in self.removed_citations))
        if self.used_fallback:
            out.append("guard: too little of the generated answer was supported; showing the extractive answer")
        return out


class Evidence:
    """The numbered passages, with their facts precomputed once per answer."""

    def __init__(self, passages: Sequence[Passage], embed: Embed | None = None):
        self.texts = [p.text for p in passages]
        self.quantities = [quantities(t) for t in self.texts]
        self.vocab = [vocabulary(t) for t in self.texts]
        self.content = [set(_content(t)) for t in self.texts]
        self.embed = embed
        self._sentence_vectors: list[list[list[float]]] | None = None

    def __len__(self) -> int:
        return len(self.texts)

    def sentence_vectors(self, n: int) -> list[list[float]]:
        """Embeddings of the sentences of passage n (1-based), computed for all passages on first use."""
        if self._sentence_vectors is None:
            per_passage = [[t[a:b] for a, b in sentence_spans(t)] or [t] for t in self.texts]
            flat = self.embed([s for sentences in per_passage for s in sentences]) if self.embed else []
            self._sentence_vectors, start = [], 0
            for sentences in per_passage:
                self._sentence_vectors.append(list(flat[start:start + len(sentences)]))
                start += len(sentences)
        return self._sentence_vectors[n - 1]



def guard(answer: str, evidence: Evidence, config: GuardConfig = GuardConfig()) -> GuardReport:
    """Check every sentence of a generated answer; fall back when too little survives."""
    report = GuardReport()
    for sentence in split_sentences(answer):
        verdict, removed = check_sentence(sentence, evidence, config)
        report.removed_citations += [n for n in removed if n not in report.removed_citations]
        (report.kept if isinstance(verdict, Kept) else report.dropped).append(verdict)
    total = len(report.kept) + len(report.dropped)
    report.used_fallback = not report.kept or len(report.kept) < config.min_kept_share * total
    return report


def split_sentences(answer: str) -> list[str]:
    """The sentences of generated text, each with the [n] markers that follow it."""
    text = _MARKUP.sub("", normalise_markers(answer))
    text = _TRAILING_MARKERS.sub(lambda m: f" {m.group(2).strip()}{m.group(1)}", text)
    out = [strip_bullet(text[a:b]) for a, b in sentence_spans(text)]
    return [s for s in out if s.strip()]


def normalise_markers(text: str) -> str:
    """'[1, 2]', '[1-3]', '[Passage 2]' -> '[1][2]', '[1][2][3]', '[2]'."""
    return _GROUP.sub(lambda m: "".join(f"[{n}]" for n in _expand(m.group(1))), text)


def check_sentence(sentence: str, evidence: Evidence, config: GuardConfig = GuardConfig()
                   ) -> tuple[Kept | Dropped, list[int]]:
    """Kept with its valid citations, or Dropped with the reason; plus citation numbers removed."""
    numbers = _unique(int(n) for n in _MARKER.findall(sentence))
    cited = [n for n in numbers if 1 <= n <= len(evidence)]
    removed = [n for n in numbers if n not in cited]
    body = _body(sentence)
    reason = _failure(body, cited, evidence, config)
    return (Dropped(body, reason) if reason else Kept(body, cited)), removed


def _failure(body: str, cited: list[int], evidence: Evidence, config: GuardConfig) -> str:
    if INSTRUCTION_IN_TEXT.search(body):
        return "injected instruction"
    if not cited:
        return "no valid citation"
    checks = (_unsupported_figure, _unsupported_name, _too_far)
    return next((reason for check in checks if (reason := check(body, cited, evidence, config))), "")


def _unsupported_figure(body: str, cited: list[int], evidence: Evidence, config: GuardConfig) -> str:
    stated = set().union(*(evidence.quantities[n - 1] for n in cited))
    missing = [q for q in sorted(quantities(body)) if not supported(q, stated)]
    return f"figure not in cited passage: {show(missing[0])}" if missing else ""


def _unsupported_name(body: str, cited: list[int], evidence: Evidence, config: GuardConfig) -> str:
    vocab = set().union(*(evidence.vocab[n - 1] for n in cited))
    missing = [name for name in names(body) if not name_in(name, vocab)]
    return f"name not in cited passage: {missing[0]}" if missing else ""


def _too_far(body: str, cited: list[int], evidence: Evidence, config: GuardConfig) -> str:
    words = set(_content(body))
    if not words:
        return "no content to check"
    support = set().union(*(evidence.content[n - 1] for n in cited))
    overlap = len(words & support) / len(words)
    if overlap < config.min_overlap:
        return f"wording too far from cited passage (overlap {overlap:.2f})"
    if evidence.embed is None:
        return ""
    cosine = _best_cosine(body, cited, evidence)
    return f"meaning too far from cited passage (cosine {cosine:.2f})" if cosine < config.min_cosine else ""


def _best_cosine(body: str, cited: list[int], evidence: Evidence) -> float:
    vector = evidence.embed([body])[0]
    candidates = [v for n in cited for v in evidence.sentence_vectors(n)]
    return max((cosine(vector, other) for other in candidates), default=0.0)


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two vectors (0.0 when either is zero)."""
    dot = sum(x * y for x, y in zip(a, b))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def _body(sentence: str) -> str:
    """The sentence without its markers, single-spaced, keeping its closing punctuation."""
    text = _MARKER.sub("", sentence)
    text = re.sub(r"\s+([.!?,;:])", r"\1", text)
    return " ".join(text.split())


def _content(text: str) -> list[str]:
    """Content words without figures (figures are checked exactly, not by overlap)."""
    return [w for w in content_words(text) if not any(c.isdigit() for c in w)]


def _expand(group: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*(?:,|;|and)\s*", group):
        ends = [int(x) for x in re.split(r"\s*[-\u2013]\s*", part) if x]
        if len(ends) == 2 and 0 < ends[1] - ends[0] < 10:
            out += list(range(ends[0], ends[1] + 1))
        else:
            out += ends
    return _unique(out)


def _unique(values) -> list[int]:
    seen: list[int] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def _clip(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
