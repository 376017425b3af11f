"""The corpus manifest: read from YAML, kept as JSON beside the index, the copy used only while the
manifest is byte for byte the one it was made from."""

from __future__ import annotations

import json

import pytest

from ingest.manifest import load_manifest

pytestmark = pytest.mark.unit

MANIFEST = """\
report.pdf:
  title: A made-up review of family help
  publisher: Quillfeather Trust
  published: 2024-11-20
notes.txt:
  title: Notes
"""


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "manifest.yaml").write_text(MANIFEST, encoding="utf-8")
    return folder


def test_dates_are_iso_strings_and_a_missing_manifest_is_empty(corpus, tmp_path):
    assert load_manifest(corpus)["report.pdf"] == {"title": "A made-up review of family help",
                                                   "publisher": "Quillfeather Trust", "published": "2024-11-20"}
    assert load_manifest(tmp_path) == {}


def test_a_manifest_read_before_comes_from_the_kept_copy(corpus, tmp_path):
    cache = tmp_path / "store" / "manifest-cache.json"
    first = load_manifest(corpus, cache)
    assert json.loads(cache.read_text(encoding="utf-8"))["entries"] == first
    kept = json.loads(cache.read_text(encoding="utf-8"))
    kept["entries"]["notes.txt"]["title"] = "Read from the kept copy"
    cache.write_text(json.dumps(kept), encoding="utf-8")
    assert load_manifest(corpus, cache)["notes.txt"]["title"] == "Read from the kept copy"


def test_a_changed_manifest_is_read_again(corpus, tmp_path):
    cache = tmp_path / "manifest-cache.json"
    load_manifest(corpus, cache)
    (corpus / "manifest.yaml").write_text(MANIFEST.replace("title: Notes", "title: Notes, revised"), encoding="utf-8")
    assert load_manifest(corpus, cache)["notes.txt"]["title"] == "Notes, revised"
    assert load_manifest(corpus, cache)["notes.txt"]["title"] == "Notes, revised"  # and kept again


def test_values_json_cannot_hold_are_not_kept(corpus, tmp_path):
    cache = tmp_path / "manifest-cache.json"
    (corpus / "manifest.yaml").write_text(MANIFEST + "  reviewed: 2025-01-02\n", encoding="utf-8")
    entries = load_manifest(corpus, cache)
    assert str(entries["notes.txt"]["reviewed"]) == "2025-01-02"
    assert not cache.exists()
    assert load_manifest(corpus, cache) == entries


def test_a_place_that_cannot_take_the_copy_loses_nothing(corpus, tmp_path):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("", encoding="utf-8")
    assert load_manifest(corpus, not_a_folder / "manifest-cache.json") == load_manifest(corpus)


def test_an_unreadable_kept_copy_is_ignored(corpus, tmp_path):
    cache = tmp_path / "manifest-cache.json"
    cache.write_text("{not json", encoding="utf-8")
    assert load_manifest(corpus, cache) == load_manifest(corpus)
    assert json.loads(cache.read_text(encoding="utf-8"))["entries"] == load_manifest(corpus)
