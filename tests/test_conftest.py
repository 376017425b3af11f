"""tests/conftest.py: its REFORM_REQUIRE_ALL hook (under `make test` a skipped test fails, with its reason) and the
embedder that remembers vectors between sessions."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.unit

SAMPLE = '''
import pytest

def test_runs():
    assert True

def test_needs_a_tool():
    pytest.skip("the frobnicator is not installed")

@pytest.mark.xfail(reason="known")
def test_known_failure():
    assert False
'''


def run_sample(tmp_path, require_all: str | None) -> subprocess.CompletedProcess:
    """pytest on SAMPLE with only the hook of tests/conftest.py (none of this project's settings)."""
    (tmp_path / "test_sample.py").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "conftest.py").write_text("from tests.conftest import pytest_runtest_makereport  # noqa: F401\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {key: value for key, value in os.environ.items() if key != "REFORM_REQUIRE_ALL"}
    if require_all is not None:
        env["REFORM_REQUIRE_ALL"] = require_all
    env["PYTHONPATH"] = str(REPO)
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # a plain pytest: faster, and no plugin of ours in the way
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_a_skip_stays_a_skip_without_the_variable(tmp_path):
    done = run_sample(tmp_path, None)
    assert done.returncode == 0, done.stdout
    assert "1 passed, 1 skipped, 1 xfailed" in done.stdout


def test_a_skip_fails_the_run_under_require_all_with_its_reason(tmp_path):
    done = run_sample(tmp_path, "1")
    assert done.returncode == 1, done.stdout
    assert "1 failed, 1 passed, 1 xfailed" in done.stdout
    assert "REFORM_REQUIRE_ALL=1" in done.stdout and "the frobnicator is not installed" in done.stdout


@pytest.mark.integration
def test_remembered_vectors_are_read_back_by_the_next_session(tmp_path, embedder):
    """A vector the real model computed is kept on disk: another session's embedder over the same folder
    returns it without embedding again, and a text it has not seen goes to the model."""
    import numpy as np

    from tests.conftest import RememberingEmbedder

    texts = ["Family help brings early help and child in need work together.", "Kinship carers look after children."]
    first = RememberingEmbedder(embedder, tmp_path)
    computed = first.get_text_embedding_batch(texts)
    second = RememberingEmbedder(embedder, tmp_path)
    assert np.array_equal(np.float32(second.get_text_embedding_batch(texts)), np.float32(computed)) and second.computed == 0
    second.get_text_embedding("A text nobody embedded before.")
    assert second.computed == 1 and first.computed == 2
