"""A cold `python -m assistant ask` imports what answering needs and nothing else (the start-up budget is 10 s)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.integration

# Each of these costs seconds on a 2-core machine and is not needed to answer a question.
NOT_NEEDED = {"transformers", "sentence_transformers", "llama_index", "nltk", "sklearn", "pandas", "gradio"}

SCRIPT = """
import json, sys

from assistant.__main__ import main
code = main(["ask", "What is family help?", "--json", "--store", sys.argv[1]])
print(json.dumps({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def test_ask_imports_none_of_the_heavy_libraries_it_does_not_use(corpus_settings):
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(corpus_settings.store_dir)], capture_output=True,
                          text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    answer_text, _, report = done.stdout.rstrip().rpartition("\n")
    result = json.loads(report)
    assert result["code"] == 0 and json.loads(answer_text)["status"] == "answered"
    assert not NOT_NEEDED & set(result["modules"]), sorted(NOT_NEEDED & set(result["modules"]))
    from assistant.retrieval.build_files import files_root

    assert any(files_root(corpus_settings).iterdir())  # the build's BM25 files, saved at ingest, are what it opened
