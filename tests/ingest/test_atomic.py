"""A file ingest writes is the old one or the new one, never half of either."""

from __future__ import annotations

import os

import pytest

from ingest import atomic

pytestmark = pytest.mark.unit


def test_writes_the_whole_text_creating_the_folder(tmp_path):
    path = tmp_path / "store" / "ingest" / "build.json"
    atomic.write_text(path, "{\"files\": {}}")
    assert path.read_text(encoding="utf-8") == "{\"files\": {}}"
    assert [p.name for p in path.parent.iterdir()] == ["build.json"]


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "build.json"
    path.write_text("old", encoding="utf-8")

    def fail(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        atomic.write_text(path, "new")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["build.json"]
