"""The app through gradio_client and the serve command: /ask, refusals, and the bind guard."""

import subprocess
import time

import pytest

from tests.ui.conftest import REPO, serve_command

pytestmark = pytest.mark.integration


def test_ask_returns_answer_with_numbered_references(server):
    text = server.first_answer
    assert "[1]" in text
    assert "\nReferences\n[1] " in text


def test_ask_out_of_scope_says_not_found(server):
    text = server.client.predict("What is the capital of France?", api_name="/ask")
    assert "The documents I have don't" in text
    assert "References" not in text


def test_only_ask_is_exposed_in_the_api(server):
    info = server.client.view_api(print_info=False, return_format="dict")
    assert set(info["named_endpoints"]) == {"/ask"}
    assert not info["unnamed_endpoints"]


@pytest.mark.parametrize("extra", [[], ["--auth", "nopassword"]])
def test_public_bind_without_auth_is_refused_quickly(extra):
    started = time.perf_counter()
    result = subprocess.run(serve_command("--host", "0.0.0.0", "--port", "1", *extra), cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    elapsed = time.perf_counter() - started
    assert result.returncode != 0
    assert "error:" in result.stderr and "--auth" in result.stderr
    assert elapsed < 20, f"refusal took {elapsed:.1f}s: it should not load the index or the model first"
