#!/usr/bin/env python3
"""Check an invented evaluation corpus (evals/corpora/NAME) and its questions against each other.

Run from anywhere:  python evals/corpora/validate.py evals/corpora/NAME [--seeds FOLDER] [--dev-external FOLDER]

The corpus folder holds corpus/ (the pages) and checks.json: the question files (paths from the
repository's root), the id pattern of each kind, the number of items of each kind, the body length of a
page, and for each near-out-of-scope question the terms any passage answering it would have to hold.
Those terms must occur neither in this corpus nor in dev-external's nor in the project's seed documents
(--seeds and --dev-external name those folders; by default ../shared/seeds and
../shared/corpora/dev-external/corpus beside the repository; a folder that is missing is a problem).

Exit status 0 means every check passed; 1 means at least one failed.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SEEDS = REPO.parent / "shared" / "seeds"
DEFAULT_DEV_EXTERNAL = REPO.parent / "shared" / "corpora" / "dev-external" / "corpus"
MIN_FILES, MAX_FILES = 10, 15
# Set from the corpus folder's checks.json by configure().
CORPUS: Path = Path()
QUESTIONS: list[Path] = []
MIN_BODY_WORDS, MAX_BODY_WORDS = 0, 0
EXPECTED_COUNTS: dict[str, int] = {}
ID_PATTERNS: dict[str, str] = {}  # every id is its kind's prefix followed by a number: t01, tp1, tn1, tc10 ...
NEAR_OOS_ABSENT_TERMS: dict[str, list[str]] = {}
FACTOID_KINDS = {"number", "name", "list", "fact", "date"}
MAX_SHARED_RUN = 7  # a question may not copy 8+ consecutive words of its evidence


QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11",
    "twelve": "12", "fifteen": "15", "twenty": "20",
}


def normalise(text: str) -> str:
    """Straighten curly quotes and collapse every run of whitespace to one space.

    >>> normalise("a\u2019b \\n  c")
    "a'b c"
    """
    return " ".join(text.translate(QUOTES).split())


def format_skeleton(answer: str) -> str:
    """Reduce an answer to what survives formatting: digits, letters, %, £ and decimal points.

    Two alternatives are pure format variants when their skeletons are equal.
    >>> format_skeleton("£301.75 million") == format_skeleton("£301.75m")
    True
    >>> format_skeleton("12 per cent") == format_skeleton("12%")
    True
    >>> format_skeleton("three million") == format_skeleton("3 million")
    True
    """
    text = normalise(answer).lower()
    text = re.sub(r"\b[a-z]+\b", lambda m: NUMBER_WORDS.get(m.group(0), m.group(0)), text)
    text = re.sub(r"\s*(per cent|percent)\b", "%", text)
    text = re.sub(r"\s*million\b", "m", text)
    return re.sub(r"[^0-9a-z%£.]", "", text)


def longest_shared_run(a: str, b: str) -> int:
    """Length, in words, of the longest run of consecutive words found in both texts."""
    wa = re.findall(r"\w+", normalise(a).lower())
    wb = " ".join(re.findall(r"\w+", normalise(b).lower()))
    best = 0
    for i in range(len(wa)):
        for j in range(i + best + 1, len(wa) + 1):
            if f" {' '.join(wa[i:j])} " in f" {wb} ":
                best = j - i
            else:
                break
    return best


class Report:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")


def load_corpus(report: Report) -> dict[str, str]:
    """Return {file name: body text} after checking each file's two header lines."""
    files = sorted(CORPUS.glob("*.txt"))
    if not MIN_FILES <= len(files) <= MAX_FILES:
        report.fail("corpus", f"has {len(files)} .txt files; expected {MIN_FILES} to {MAX_FILES}")
    bodies = {}
    for path in files:
        lines = path.read_text(encoding="utf-8").split("\n")
        if len(lines) < 3 or not lines[0].strip():
            report.fail(path.name, "first line must be the page title")
        if not (len(lines) > 1 and lines[1].startswith("Source: ") and "http" in lines[1]):
            report.fail(path.name, "second line must read 'Source: <publisher>, <date if shown>, <url>'")
        body = "\n".join(lines[2:])
        words = len(body.split())
        if not MIN_BODY_WORDS <= words <= MAX_BODY_WORDS:
            report.fail(path.name, f"body has {words} words; {MIN_BODY_WORDS} to {MAX_BODY_WORDS} expected")
        bodies[path.name] = body
    return bodies


def load_questions(report: Report) -> list[dict]:
    items = []
    lines = [line for path in QUESTIONS for line in path.read_text(encoding="utf-8").splitlines()]
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as exc:
            report.fail(f"questions.jsonl line {number}", f"is not valid JSON ({exc})")
    return items


def check_fact_groups(item: dict, report: Report) -> bool:
    facts = item.get("facts")
    ok = isinstance(facts, list) and facts and all(
        isinstance(g, list) and g and all(isinstance(a, str) and a.strip() for a in g) for g in facts
    )
    if not ok:
        report.fail(item["id"], "facts must be a non-empty list of non-empty lists of strings")
        return False
    for group in facts:
        first = format_skeleton(group[0])
        for alt in group[1:]:
            if format_skeleton(alt) != first:
                report.fail(item["id"], f"alternative {alt!r} is not a format variant of {group[0]!r}")
    return True


def check_evidence_item(item: dict, bodies: dict[str, str], report: Report) -> None:
    """Factoid and follow-up items: evidence verbatim in its file, first alternatives verbatim in evidence."""
    name = item.get("file")
    if name not in bodies:
        report.fail(item["id"], f"file {name!r} is not in the corpus")
        return
    evidence = normalise(item.get("evidence", ""))
    if not evidence:
        report.fail(item["id"], "evidence is empty")
        return
    if evidence not in normalise(bodies[name]):
        report.fail(item["id"], f"evidence not found verbatim in {name}")
    if check_fact_groups(item, report):
        for group in item["facts"]:
            if normalise(group[0]) not in evidence:
                report.fail(item["id"], f"fact {group[0]!r} does not appear verbatim in the evidence")


def check_factoid(item: dict, bodies: dict[str, str], report: Report) -> None:
    if item.get("kind") not in FACTOID_KINDS:
        report.fail(item["id"], f"kind {item.get('kind')!r} is not one of {sorted(FACTOID_KINDS)}")
    question = item.get("question", "")
    if not question.strip():
        report.fail(item["id"], "question is empty")
    check_evidence_item(item, bodies, report)
    run = longest_shared_run(question, item.get("evidence", ""))
    if run > MAX_SHARED_RUN:
        report.fail(item["id"], f"question copies {run} consecutive words of its evidence; paraphrase it")


def check_open(item: dict, bodies: dict[str, str], report: Report) -> None:
    name = item.get("file")
    if name not in bodies:
        report.fail(item["id"], f"file {name!r} is not in the corpus")
        return
    if item.get("evidence") != "":
        report.fail(item["id"], "open items carry an empty evidence string")
    if not check_fact_groups(item, report):
        return
    if not 2 <= len(item["facts"]) <= 4:
        report.fail(item["id"], f"open items need 2 to 4 fact groups, found {len(item['facts'])}")
    body = normalise(bodies[name]).lower()
    for group in item["facts"]:
        if normalise(group[0]).lower() not in body:
            report.fail(item["id"], f"point {group[0]!r} does not appear in {name}")


def check_near_oos(item: dict, searched: dict[str, str], report: Report) -> None:
    if item.get("facts") != [] or item.get("evidence") != "":
        report.fail(item["id"], "near_oos items carry facts [] and an empty evidence string")
    terms = NEAR_OOS_ABSENT_TERMS.get(item["id"])
    if not terms:
        report.fail(item["id"], "no key terms listed in NEAR_OOS_ABSENT_TERMS")
        return
    for term in terms:
        for where, text in searched.items():
            if term.lower() in normalise(text).lower():
                report.fail(item["id"], f"key term {term!r} occurs in {where}, so the question may be answerable")


def check_followup(item: dict, bodies: dict[str, str], report: Report) -> None:
    turns = item.get("turns")
    if not (isinstance(turns, list) and len(turns) >= 2 and all(isinstance(t, str) and t.strip() for t in turns)):
        report.fail(item["id"], "turns must list at least two non-empty questions")
    check_evidence_item(item, bodies, report)


def find_folder(explicit: str | None, default: Path, option: str) -> Path | None:
    if explicit:
        folder = Path(explicit)
        if not folder.is_dir():
            sys.exit(f"{option} {explicit}: no such folder; name the folder that holds the .txt files")
        return folder
    return default if default.is_dir() else None


def configure(folder: Path) -> None:
    """Read the corpus folder's checks.json into the settings above."""
    global CORPUS, QUESTIONS, MIN_BODY_WORDS, MAX_BODY_WORDS, EXPECTED_COUNTS, ID_PATTERNS, NEAR_OOS_ABSENT_TERMS
    checks = json.loads((folder / "checks.json").read_text(encoding="utf-8"))
    CORPUS = folder / "corpus"
    QUESTIONS = [REPO / path for path in checks["questions"]]
    MIN_BODY_WORDS, MAX_BODY_WORDS = checks["body_words"]
    EXPECTED_COUNTS, ID_PATTERNS = checks["counts"], checks["id_patterns"]
    NEAR_OOS_ABSENT_TERMS = checks["near_oos_terms"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="the corpus folder (evals/corpora/NAME), holding corpus/ and checks.json")
    parser.add_argument("--seeds", help="folder holding the project's seed documents (.txt)")
    parser.add_argument("--dev-external", help="the corpus/ folder of the dev-external set (.txt)")
    args = parser.parse_args()
    configure(Path(args.folder).resolve())

    report = Report()
    bodies = load_corpus(report)
    items = load_questions(report)

    searched = {f"corpus/{name}": body for name, body in bodies.items()}
    for label, folder in (
        ("seeds", find_folder(args.seeds, DEFAULT_SEEDS, "--seeds")),
        ("dev-external", find_folder(args.dev_external, DEFAULT_DEV_EXTERNAL, "--dev-external")),
    ):
        if folder:
            for path in sorted(folder.glob("*.txt")):
                searched[f"{label}/{path.name}"] = path.read_text(encoding="utf-8")
        else:
            report.fail(label, "folder not found; near-out-of-scope terms could not be checked against it")

    ids = Counter(item.get("id") for item in items)
    for duplicate in [i for i, n in ids.items() if n > 1]:
        report.fail(str(duplicate), "id is used more than once")

    counts: Counter = Counter()
    per_file: Counter = Counter()
    for item in items:
        kind = item.get("kind")
        item.setdefault("id", "<missing id>")
        if kind == "open":
            counts["open"] += 1
            check_open(item, bodies, report)
        elif kind == "near_oos":
            counts["near_oos"] += 1
            check_near_oos(item, searched, report)
        elif kind == "followup":
            counts["followup"] += 1
            check_followup(item, bodies, report)
        else:
            counts["factoid"] += 1
            check_factoid(item, bodies, report)
        group = kind if kind in ("open", "near_oos", "followup") else "factoid"
        if not re.fullmatch(ID_PATTERNS[group], str(item["id"])):
            report.fail(str(item["id"]), f"id does not follow the {group} pattern {ID_PATTERNS[group]}")
        if item.get("file"):
            per_file[item["file"]] += 1

    for kind, expected in EXPECTED_COUNTS.items():
        if counts[kind] != expected:
            report.fail("questions.jsonl", f"{counts[kind]} {kind} items; expected {expected}")

    print(f"corpus: {len(bodies)} files, {sum(len(b.split()) for b in bodies.values())} body words")
    print("items: " + ", ".join(f"{k} {counts[k]}" for k in EXPECTED_COUNTS) + f" (total {len(items)})")
    for name in sorted(bodies):
        print(f"  {per_file[name]:2d} items  {name}")
    if report.errors:
        print(f"\n{len(report.errors)} problem(s):")
        for error in report.errors:
            print(f"  - {error}")
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
