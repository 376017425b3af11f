"""Pure scoring functions for the evaluation set: facts, retrieval, citations, refusals, briefings."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Iterable, Sequence

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
                         "\u2013": "-", "\u2014": "-", "\u2212": "-"})
_SPACE = re.compile(r"\s+")
_MARKER = re.compile(r"\[\d+(?:\s*[,\u2013-]\s*\d+)*\]")
_BULLET = re.compile(r"^\s*(?:[-*+\u2022]|\d{1,2}[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s")
_SECTION = re.compile(r"^\s*#{2,6}\s")
_REFERENCES = re.compile(r"^\s*(?:#{1,6}\s*)?\**references\**\s*:?\s*$", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?\]])\s+(?=[A-Z\"'(\u201c\u2018])")

OUT_OF_SCOPE = "out_of_scope"
NEAR_OOS = "near_oos"  # in-domain questions the corpus does not answer (dev-external's kind)
UNANSWERABLE = (OUT_OF_SCOPE, NEAR_OOS)
REFUSED = "not_found"
# How the assistant labels what an LLM backend did (assistant.answering.generative, assistant.llm.*);
# tests/evals/test_eval_metrics.py checks these still match the assistant's own strings.
EXTRACTIVE = "extractive"
FALLBACK = "extractive (fallback)"
UNREACHABLE = "LLM backend unreachable"
CONDENSE_NOTE = "condense: "
CONDENSED_BY_LLM = "condense: LLM rewrote"
SECTION_BY_LLM = "written by the LLM"
_GUARD_KEPT = re.compile(r"^guard: kept (\d+) of (\d+) sentences$")


def normalize(text: str) -> str:
    """Lowercase, NFKC, straight quotes and hyphens, whitespace (incl. U+00A0) collapsed.

    >>> normalize("Children\u2019s\u00a0 SOCIAL  care")
    "children's social care"
    """
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES)
    return _SPACE.sub(" ", text).strip().lower()


def contains(haystack: str, needle: str) -> bool:
    """Normalised, case-insensitive substring test; an empty needle never matches.

    >>> contains("The Care Review\u2019s plan", "care review's")
    True
    """
    needle = normalize(needle)
    return bool(needle) and needle in normalize(haystack)


def groups_matched(answer: str, facts: Sequence[Sequence[str]]) -> list[bool]:
    """For each group of acceptable strings: does the answer contain one of them?

    >>> groups_matched("It costs £2.6bn", [["£2.6bn", "£2.6 billion"], ["four years"]])
    [True, False]
    """
    text = normalize(answer)
    return [any(normalize(option) and normalize(option) in text for option in group) for group in facts]


def fact_recall(answer: str, facts: Sequence[Sequence[str]]) -> float:
    """Share of fact groups present in the answer (1.0 when there are no facts).

    >>> fact_recall("It costs £2.6bn", [["£2.6bn"], ["four years"]])
    0.5
    """
    matched = groups_matched(answer, facts)
    return sum(matched) / len(matched) if matched else 1.0


def all_facts(answer: str, facts: Sequence[Sequence[str]]) -> bool:
    """True when every fact group is present: the evaluation set's definition of a correct answer.

    >>> all_facts("£2.6bn over four years", [["£2.6bn"], ["four years"]])
    True
    """
    return all(groups_matched(answer, facts))


def evidence_rank(passages: Sequence[str], evidence: str) -> int | None:
    """1-based rank of the first passage containing the evidence, None when none does.

    >>> evidence_rank(["nothing", "the 20 RCCs"], "20 rccs")
    2
    """
    for rank, text in enumerate(passages, 1):
        if contains(text, evidence):
            return rank
    return None


def hit_at_k(passages: Sequence[str], evidence: str, k: int = 5) -> bool:
    """True when one of the top k passages contains the evidence string.

    >>> hit_at_k(["a", "b", "the evidence"], "evidence", 2)
    False
    """
    rank = evidence_rank(passages[:k], evidence)
    return rank is not None


def reciprocal_rank(passages: Sequence[str], evidence: str) -> float:
    """1/rank of the first passage containing the evidence, 0.0 when none does.

    >>> reciprocal_rank(["a", "the evidence"], "evidence")
    0.5
    """
    rank = evidence_rank(passages, evidence)
    return 1.0 / rank if rank else 0.0


def cited_text(text: str, published: str = "") -> str:
    r"""What a citation shows a reader: the passage and the date its source was published
    (an answer may say "reported on 20 November 2024" from that date).

    >>> cited_text("It was announced this week.", "2024-11-20")
    'It was announced this week.\n(published 20 November 2024)'
    """
    try:
        day = dt.date.fromisoformat(published)
    except (TypeError, ValueError):
        return text
    return f"{text}\n(published {day.day} {day:%B %Y})"


def citation_support(answer: str, facts: Sequence[Sequence[str]], cited_texts: Sequence[str]) -> float | None:
    """Share of the fact groups found in the answer that a cited passage also contains; None if none found.

    >>> citation_support("£2bn over four years [1]", [["£2bn"], ["four years"]], ["£2bn was pledged"])
    0.5
    """
    found = [group for group, hit in zip(facts, groups_matched(answer, facts)) if hit]
    if not found:
        return None
    cited = " \n ".join(cited_texts)
    supported = [group for group in found if any(contains(cited, option) for option in group)]
    return len(supported) / len(found)


def citation_precision(cited_texts: Sequence[str], facts: Sequence[Sequence[str]], evidence: str = "") -> float | None:
    """Share of citations whose passage holds supporting text (a fact string or the evidence); None if none.

    >>> citation_precision(["£2bn for family help", "unrelated"], [["£2bn"]], "")
    0.5
    """
    if not cited_texts:
        return None
    options = [option for group in facts for option in group] + ([evidence] if evidence else [])
    good = [text for text in cited_texts if any(contains(text, option) for option in options)]
    return len(good) / len(cited_texts)


def refusal_accuracy(items: Iterable[tuple[str, str]], kind_refused: str = OUT_OF_SCOPE) -> float | None:
    """Share of items of kind_refused (kind, status) that were declined; None when there are none.

    >>> refusal_accuracy([("out_of_scope", "not_found"), ("out_of_scope", "answered"), ("number", "answered")])
    0.5
    >>> refusal_accuracy([("near_oos", "not_found"), ("out_of_scope", "answered")], kind_refused="near_oos")
    1.0
    """
    statuses = [status for kind, status in items if kind == kind_refused]
    return sum(status == REFUSED for status in statuses) / len(statuses) if statuses else None


def false_refusal_rate(items: Iterable[tuple[str, str]]) -> float | None:
    """Share of answerable items (kind, status) that were wrongly declined; None when there are none.

    >>> false_refusal_rate([("number", "not_found"), ("name", "answered"), ("out_of_scope", "not_found"),
    ...                     ("near_oos", "not_found")])
    0.5
    """
    statuses = [status for kind, status in items if kind not in UNANSWERABLE]
    return sum(status == REFUSED for status in statuses) / len(statuses) if statuses else None


def cited_file_accuracy(items: Iterable[tuple[str, Sequence[str]]]) -> float | None:
    """Share of answered items (expected file, files cited) whose citations include the expected file.

    >>> cited_file_accuracy([("a.txt", ["a.txt", "b.txt"]), ("c.txt", ["b.txt"]), ("d.txt", [])])
    0.5
    """
    scored = [expected in cited for expected, cited in items if cited]
    return sum(scored) / len(scored) if scored else None


_LEANING = re.compile(r"^[\W]*(?:However|Instead|But|And|Rather|Also|Meanwhile|Moreover|This|That|These|Those|It|They|"
                      r"He|She|Its|Their|His|Her|Such|Both)\b(?!\s+(?:week|month|year|morning|afternoon|evening|"
                      r"spring|summer|autumn|winter)\b)")  # "This week, …" names a time, not an earlier sentence


def opens_leaning(answer: str) -> bool:
    """Whether an answer opens with a word that leans on a sentence not shown (a contrast or a pronoun).

    >>> opens_leaning("However, the plan was dropped [1]."), opens_leaning("The plan was dropped [1].")
    (True, False)
    >>> opens_leaning("- This week, the government announced reforms [1]."), opens_leaning("This means cuts [1].")
    (False, True)
    """
    return bool(_LEANING.match(answer or ""))


def followup_accuracy(items: Iterable[tuple[str, str, Sequence[Sequence[str]]]]) -> float | None:
    """Mean fact recall of the last-turn answers of followup items (kind, answer, facts).

    >>> followup_accuracy([("followup", "Janet Daby", [["Daby"]]), ("followup", "no idea", [["x"]])])
    0.5
    """
    scores = [fact_recall(answer, facts) for kind, answer, facts in items if kind == "followup"]
    return mean(scores)


def body_of(markdown: str) -> str:
    """The markdown before its References section (the whole text when there is none).

    >>> body_of("## Money\\n- £2bn [1]\\n## References\\n[1] A report")
    '## Money\\n- £2bn [1]'
    """
    lines = markdown.splitlines()
    for index, line in enumerate(lines):
        if _REFERENCES.match(line):
            return "\n".join(lines[:index]).rstrip()
    return markdown


def briefing_coverage(markdown: str, facts: Sequence[Sequence[str]]) -> float:
    """Fact recall of a briefing's body (its References section does not count).

    >>> briefing_coverage("- £2bn [1]\\n## References\\n[1] four years", [["£2bn"], ["four years"]])
    0.5
    """
    return fact_recall(body_of(markdown), facts)


_NOT_POINTS = re.compile(r"^\s*#{2,6}\s*questions for discussion\s*$", re.IGNORECASE)


def briefing_points(markdown: str) -> list[str]:
    """The points of a briefing's body: each bullet, and each cited sentence of a paragraph section.

    Notes (_italic_ lines), the preamble before the first section and the discussion questions (which
    are built from the points) are not points.

    >>> briefing_points("# T\\n_made today_\\n## A\\nOne [1] Two [2]\\n- three [1]\\n_nothing else_\\n## Questions for discussion\\n- Why? [1]")
    ['One [1]', 'Two [2]', '- three [1]']
    """
    lines = body_of(markdown).splitlines()
    start = next((i for i, line in enumerate(lines) if _SECTION.match(line)), len(lines))
    points, counted = [], True
    for line in lines[start:]:
        stripped = line.strip()
        if _SECTION.match(stripped):
            counted = not _NOT_POINTS.match(stripped)
            continue
        if not counted or not stripped or _is_note(stripped):
            continue
        if _BULLET.match(stripped):
            points.append(stripped)
        else:
            points += [piece.strip() for piece in re.findall(r".+?\[\d+\]", stripped)]
    return points


def _is_note(line: str) -> bool:
    """An italic line (_…_): a statement about the briefing, not about its topic."""
    return len(line) > 2 and line.startswith("_") and line.endswith("_")


def briefing_precision(markdown: str, terms: Sequence[Sequence[str]]) -> float | None:
    """Share of a briefing's points that are on its topic: a point is on topic when it contains any
    alternative of any term group (the topic's words or close terms, case-insensitive); None when the
    briefing has no points.

    >>> briefing_precision("## Facts\\n- Kinship carers get £44m [1]\\n- The budget grew [2]", [["kinship"]])
    0.5
    """
    points = briefing_points(markdown)
    if not points:
        return None
    return sum(any(contains(point, term) for group in terms for term in group) for point in points) / len(points)


def topic_term_groups(topic: str) -> list[list[str]]:
    """Term groups for a topic that lists none: each of its words of four letters or more.

    >>> topic_term_groups("Ofsted's new powers")
    [["ofsted's"], ['powers']]
    """
    return [[word] for word in re.findall(r"[\w'’-]{4,}", topic.lower()) if word not in {"with", "from", "that", "their"}]


def uncited_bullets(markdown: str) -> list[str]:
    """Bullets, and sentences of plain paragraphs, outside References that carry no [n] marker.

    The preamble before the first section (##) heading, i.e. title and generation line, is not content,
    nor is a note in italics (a section that says it has nothing on the topic).

    >>> uncited_bullets("# Title\\n_made today_\\n## A\\n- cited [1]\\n- not cited\\nOne. [2] Two.\\n## References")
    ['- not cited', 'Two.']
    """
    lines = body_of(markdown).splitlines()
    first = next((i for i, line in enumerate(lines) if _SECTION.match(line)), 0)
    missing = []
    for line in lines[first:]:
        stripped = line.strip()
        if not stripped or _HEADING.match(stripped) or set(stripped) <= set("-*_=|: ") or _is_note(stripped):
            continue
        units = [stripped] if _BULLET.match(stripped) else _SENTENCE_BREAK.split(stripped)
        missing += [unit for unit in units if unit.strip() and not _MARKER.search(unit)]
    return missing


def guard_counts(notes: Sequence[str]) -> tuple[int, int] | None:
    """(kept, total) generated sentences from an answer's guard note; None when no guard ran.

    >>> guard_counts(["condense: LLM rewrote the follow-up as: x", "guard: kept 1 of 16 sentences"])
    (1, 16)
    """
    for note in notes:
        match = _GUARD_KEPT.match(note)
        if match:
            return int(match.group(1)), int(match.group(2))
    return None


def backend_usage(records: Sequence[dict]) -> dict:
    """What an LLM backend did over scored records (all None when no answer came from an LLM backend):
    answers it wrote that the guard kept, fallbacks to the extractive answer (and their rate), sentences
    the guard kept and dropped, backend failures, follow-ups it condensed, briefing sections it wrote.

    >>> usage = backend_usage([
    ...     {"kind": "number", "status": "answered", "backend": "openai", "notes": ["guard: kept 2 of 3 sentences"]},
    ...     {"kind": "name", "status": "answered", "backend": "extractive (fallback)",
    ...      "notes": ["guard: kept 0 of 5 sentences"], "condense": ["condense: LLM rewrote the follow-up as: x"]}])
    >>> usage["llm_answers"], usage["fallback_rate"], usage["guard_kept"], usage["guard_dropped"], usage["condensed_by_llm"]
    (1, 0.5, 2, 6, 1)
    """
    answered = [r for r in records if r["kind"] != "briefing" and r["status"] == "answered"]
    generated = [r for r in answered if r.get("backend", EXTRACTIVE) != EXTRACTIVE]
    condense = [note for r in records for note in r.get("condense", [])]
    sections = [note for r in records if r["kind"] == "briefing" for note in r.get("notes", [])]
    if not generated and not condense and not any(SECTION_BY_LLM in note for note in sections):
        return dict.fromkeys(("llm_answers", "fallbacks", "fallback_rate", "guard_kept", "guard_dropped",
                              "backend_errors", "condensed_by_llm", "condense_fallbacks", "sections_by_llm"))
    fallbacks = sum(r["backend"] == FALLBACK for r in generated)
    counts = [c for r in answered if (c := guard_counts(r.get("notes", [])))]
    by_llm = sum(note.startswith(CONDENSED_BY_LLM) for note in condense)
    return {
        "llm_answers": len(generated) - fallbacks, "fallbacks": fallbacks,
        "fallback_rate": fallbacks / len(generated) if generated else None,
        "guard_kept": sum(kept for kept, _ in counts), "guard_dropped": sum(total - kept for kept, total in counts),
        "backend_errors": sum(any(n.startswith(UNREACHABLE) for n in r.get("notes", [])) for r in records),
        "condensed_by_llm": by_llm, "condense_fallbacks": len(condense) - by_llm,
        "sections_by_llm": sum(SECTION_BY_LLM in note for note in sections),
    }


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the values that are not None; None when there are none.

    >>> mean([1.0, None, 0.0])
    0.5
    """
    kept = [value for value in values if value is not None]
    return sum(kept) / len(kept) if kept else None


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0-100) with linear interpolation, as numpy's default; None when empty.

    >>> percentile([1, 2, 3, 4], 50)
    2.5
    """
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def check_gates(metrics: dict, gates: dict) -> list[str]:
    """Failed gates as messages; a key ending in _max is an upper bound on the metric without it.

    >>> check_gates({"fact_recall": 0.8, "false_refusal": 0.0, "followup": None},
    ...             {"fact_recall": 0.9, "false_refusal_max": 0.05, "followup": 0.8})
    ['fact_recall 0.800 < 0.9', 'followup not measured (gate 0.8)']
    """
    failures = []
    for key, threshold in gates.items():
        upper = key.endswith("_max")
        name = key[:-4] if upper else key
        value = metrics.get(name)
        if value is None:
            failures.append(f"{name} not measured (gate {threshold})")
        elif upper and value > threshold:
            failures.append(f"{name} {value:.3f} > {threshold}")
        elif not upper and value < threshold:
            failures.append(f"{name} {value:.3f} < {threshold}")
    return failures
