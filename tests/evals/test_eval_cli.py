"""`python -m evals run` as a process of its own, configured through ASSISTANT_* variables as a user would.

The real-model form of the same command (tests/assistant/llm/test_eval_backends.py) runs through the command
line's entry point in the test process, to use the model loaded there; this shows the process itself works.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.integration


def test_the_cli_runs_as_its_own_process(corpus_settings, tmp_path):
    """`python -m evals run` in a process of its own: its exit status, report and metrics (one item, extractive)."""
    env = {**os.environ, "ASSISTANT_STORE_DIR": str(corpus_settings.store_dir),
           "ASSISTANT_CORPUS_DIR": str(corpus_settings.corpus_dir), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "evals", "run", "--no-baselines", "--out", str(tmp_path), "--kinds", "number",
               "--limit", "1"]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["subset"] and len(metrics["items"]) == 1 and list(metrics["backends"]) == ["extractive"]
    assert metrics["corpus_dir"] == str(corpus_settings.corpus_dir)  # the variables reached the process
    assert " · 1 items" in (tmp_path / "report.md").read_text()
    records = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines() if line]
    assert [record["id"] for record in records] == metrics["items"]
    assert "failing items; report:" in done.stdout
