"""UI test helpers and fixtures: the app's launch helpers, headless Chromium. The store with hostile documents
and the one app server of the session are in tests/conftest.py (the reliability tests use them too)."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
PAYLOAD_QUESTION = "What is the Quillfeather kinship pilot?"
PAYLOAD_HTML = """<!doctype html><html><head><title>Quillfeather kinship pilot</title>
<meta property="og:site_name" content="Payload &lt;b onmouseover=&quot;window.__xss=1&quot;&gt;Publisher">
</head><body><article><h1>Quillfeather kinship pilot</h1>
<p>The Quillfeather kinship pilot gives kinship carers a named Quillfeather adviser
&lt;img src=x onerror="window.__xss=1"&gt; within ten working days.</p>
<script>window.__xss=1</script>
<p>Quillfeather advisers also run monthly kinship carer groups in each pilot area.</p>
</article></body></html>
"""
PAYLOAD_TXT = """Quillfeather kinship pilot evaluation

The Quillfeather kinship pilot evaluation found that <script>window.__xss=1</script> carers valued the
Quillfeather adviser role and the monthly groups <img src=x onerror="window.__xss=1">.

The Quillfeather evaluation recommends extending the pilot to more councils.
"""
TIMINGS: dict = {}


def free_port() -> int:
    """A TCP port on loopback nobody is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float) -> None:
    """Poll url until it answers 200; fail early if the server process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.25)
    raise TimeoutError(f"{url} not up after {timeout}s")


def serve_command(*args: str) -> list[str]:
    """python -m assistant serve with the given flags."""
    return [sys.executable, "-m", "assistant", "serve", *args]


def stop_server(proc: subprocess.Popen, log) -> None:
    """Stop a server started by a fixture (terminate, then kill) and close its log."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: apt-get install -y chromium (done by .ci/run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    """A fresh browser session (context) on the app, with the page loaded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.goto(server.url)
    tab.wait_for_selector("#question textarea")
    yield tab
    context.close()


@pytest.fixture(scope="session", autouse=True)
def timings_file():
    """Write whatever timings the session measured to tests/artifacts/ui_timings.json."""
    yield TIMINGS
    if TIMINGS:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "ui_timings.json").write_text(json.dumps(TIMINGS, indent=2) + "\n", encoding="utf-8")
