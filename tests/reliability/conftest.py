"""Reliability fixtures: the real app on loopback, figures measured by the tests (printed at the end), a hang guard."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import threading

import pytest

from tests.ui.conftest import REPO, free_port, serve_command, stop_server, wait_until_up

FIGURES: dict = {}


class Hang(Exception):
    """A call did not return within its time limit."""


@contextlib.contextmanager
def time_limit(seconds: float, what: str = "call"):
    """Raise Hang if the block runs longer than seconds (main thread only; a no-op elsewhere)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def _alarm(signum, frame):
        raise Hang(f"{what} did not return within {seconds}s")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="session")
def figures() -> dict:
    """Numbers the reliability tests measured; printed in the terminal summary."""
    return FIGURES


@pytest.fixture(scope="session")
def app_server(corpus_settings, tmp_path_factory):
    """The real app over a copy of the session's index (so two processes never share one Chroma folder)."""
    root = tmp_path_factory.mktemp("reliability-app")
    store = root / "store"
    shutil.copytree(corpus_settings.store_dir, store)
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("ASSISTANT_")}
    log = open(root / "serve.log", "w", encoding="utf-8")
    proc = subprocess.Popen(serve_command("--port", str(port), "--store", str(store)), cwd=REPO, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url, proc, timeout=300)
        yield proc, url, store
    finally:
        stop_server(proc, log)


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.write_sep("-", "reliability figures")
        for key, value in FIGURES.items():
            terminalreporter.write_line(f"{key}: {json.dumps(value, ensure_ascii=False, default=str)}")
