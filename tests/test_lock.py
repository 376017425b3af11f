"""The lock file `make setup` installs from works on any machine: every line a pinned package from the
registry, none a path on the machine it was compiled on."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.unit


def requirements() -> list[str]:
    lines = (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_every_requirement_is_a_pinned_registry_package():
    unpinned = [line for line in requirements() if not re.fullmatch(r"[A-Za-z0-9_.\-]+==[\w.+!\-]+", line)]
    assert unpinned == []  # e.g. "reform-assistant @ file:///..." would break setup on every other machine


def test_the_project_itself_and_torch_are_not_in_the_lock():
    names = {line.split("==")[0].lower() for line in requirements()}
    assert "reform-assistant" not in names  # installed from the checkout, without dependencies
    assert "torch" not in names  # pinned on its own in make setup, as the CPU build
