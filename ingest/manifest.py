"""The corpus manifest: per-file metadata that cannot be read from the file itself."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

MANIFEST_NAMES = ("manifest.yaml", "manifest.yml")
# libyaml's safe loader when PyYAML was built with it: the same result, six times faster on a library's
# manifest of thousands of entries (read at every ingest, an update included).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_manifest(corpus_dir: Path) -> dict[str, dict]:
    """Read corpus_dir/manifest.yaml into {file name: metadata}; missing file gives {}."""
    for name in MANIFEST_NAMES:
        path = corpus_dir / name
        if path.exists():
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
            if not isinstance(data, dict):
                raise ValueError(f"{path}: expected a mapping of file names to metadata")
            return {str(key): _normalise(value or {}) for key, value in data.items()}
    return {}


def _normalise(entry: dict) -> dict:
    published = entry.get("published")
    if isinstance(published, (dt.date, dt.datetime)):
        entry["published"] = published.isoformat()[:10]
    return entry
