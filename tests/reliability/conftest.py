"""Reliability fixtures: the real app on loopback, figures measured by the tests (printed at the end by
tests/conftest.py), a hang guard."""

from __future__ import annotations

import contextlib
import signal
import threading

import pytest

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
def app_server(server):
    """(process, url, store) of the session's one app server (`server` in tests/conftest.py)."""
    return server.proc, server.url, server.store
