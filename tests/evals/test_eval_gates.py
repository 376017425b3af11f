"""The evaluation set on the shipped corpus must pass every gate in evals/gates.yaml."""

import pytest

from evals import runner
from evals.report import comparison_table, kind_table

pytestmark = pytest.mark.eval


def test_no_gate_fails(corpus_settings, embedder, tmp_path):
    result = runner.run(out_dir=tmp_path, baselines=False, settings=corpus_settings, embedder=embedder)
    project = result["systems"]["project"]
    print("\n" + comparison_table(result["systems"]) + "\n\n" + kind_table(project["per_kind"]))
    for item, reasons in result["failing_items"].items():
        print(f"{item}: {'; '.join(reasons)}")
    assert (tmp_path / "report.md").exists() and (tmp_path / "results.jsonl").exists()
    assert result["gate_failures"] == [], "\n".join(result["gate_failures"] + result["notes"])
