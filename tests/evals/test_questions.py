"""The evaluation set itself: schema, and every evidence string verbatim in the file it names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
ITEMS = [json.loads(line) for line in (ROOT / "evals" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
         if line.strip()]
FEED_ITEM_MARK = "极速赛车168最新开奖号码"  # the spam line that opens every item of the news-feed dump
KINDS = {"number", "date", "name", "list", "definition", "synthesis", "disagreement", "out_of_scope", "followup",
         "briefing"}


def test_ids_are_unique_and_kinds_known():
    ids = [item["id"] for item in ITEMS]
    assert len(ids) == len(set(ids)) and {item["kind"] for item in ITEMS} <= KINDS


@pytest.mark.parametrize("item", [i for i in ITEMS if i.get("evidence")], ids=lambda item: item["id"])
def test_evidence_is_verbatim_in_its_source_file(item):
    source = (ROOT / "corpus" / item["source"].split("#")[0]).read_text(encoding="utf-8")
    assert item["evidence"] in source
    if "#" in item["source"]:  # a feed article: from its address (which holds its date) to the next item's spam line
        address = "/" + item["source"].split("#")[1].replace("-", "/") + "/"
        assert address in source
        start = source.index(address)
        end = source.find(FEED_ITEM_MARK, start)
        assert item["evidence"] in source[start:end if end > 0 else None]


@pytest.mark.parametrize("corpus", sorted(p.parent.name for p in (ROOT / "evals" / "corpora").glob("*/checks.json")))
def test_an_invented_corpus_passes_its_own_checks(corpus):
    """Each corpus under evals/corpora checks its pages against its questions (evidence verbatim, facts in the
    evidence, counts per kind, near-domain terms absent from every corpus): run as its README says."""
    import subprocess
    import sys

    script = ROOT / "evals" / "corpora" / "validate.py"
    done = subprocess.run([sys.executable, str(script), str(ROOT / "evals" / "corpora" / corpus)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
