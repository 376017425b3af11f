"""The BM25 index kept on disk, one file per index build, so a start does not re-tokenise every chunk.

An active build never changes (every ingest writes a new collection under a new name and flips the
pointer), so its lexical index can be stored under the build's name inside the store folder, with a
hash of everything else it depends on (chunk ids, settings, code); any difference and it is rebuilt.
Only readers write it, so ingest stays atomic: the first start on a new build writes that build's
file and removes the others. It is a pickle, like most local caches: only this program writes it,
inside its own store folder.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

import assistant
from assistant.retrieval import HybridRetriever, LexicalIndex
from assistant.settings import Settings
from assistant.store import StoredChunk

FOLDER = "lexical-cache"
SUFFIX = ".pkl"


def cache_dir(settings: Settings) -> Path | None:
    """Inside the embedded store's folder; None (no cache) when the index lives on a Chroma server."""
    return None if settings.chroma_host else settings.store_dir / FOLDER


def cache_key(settings: Settings, build: str, chunks: list[StoredChunk]) -> str:
    """A hash of what the index depends on: the build, its chunk ids, the settings (no secrets) and the
    code (every module of the assistant package, so a change to tokenising or scoring rebuilds it)."""
    import bm25s

    digest = hashlib.sha256(f"{build}\n{bm25s.__version__}\n".encode())
    digest.update(settings.model_dump_json(exclude={"llm_api_key"}).encode())
    digest.update("\n".join(chunk.id for chunk in chunks).encode())
    package = Path(assistant.__file__).parent
    for module in sorted([*package.rglob("*.py"), *package.glob("data/*")]):  # code and the data it reads
        digest.update(module.read_bytes())
    return digest.hexdigest()


def load_lexical(settings: Settings, build: str, chunks: list[StoredChunk]) -> LexicalIndex:
    """The lexical index of `build` (the active collection's name): from its file when that is current,
    else built from chunks and saved for the next start."""
    folder = cache_dir(settings)
    if folder is None:
        return HybridRetriever.build_lexical(settings, chunks)
    path = folder / f"{build}{SUFFIX}"
    key = cache_key(settings, build, chunks)
    index = _read(path, key, chunks)
    if index is None:
        index = HybridRetriever.build_lexical(settings, chunks)
        if _write(path, key, index):
            _remove_others(folder, keep=path)
    return index


def _read(path: Path, key: str, chunks: list[StoredChunk]) -> LexicalIndex | None:
    try:
        with open(path, "rb") as handle:
            saved = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception:  # truncated, or written by other library versions: rebuild rather than fail the start
        return None
    if not isinstance(saved, dict) or saved.get("key") != key:
        return None
    index = LexicalIndex.__new__(LexicalIndex)
    index.__dict__.update(saved["state"])
    index.chunks = chunks
    return index


def _write(path: Path, key: str, index: LexicalIndex) -> bool:
    """Write atomically (temporary file, then rename); False when the folder is not writable."""
    state = {name: value for name, value in vars(index).items() if name != "chunks"}
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".", suffix=".tmp", delete=False) as handle:
            temporary = Path(handle.name)
            pickle.dump({"key": key, "state": state}, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:  # a read-only store still answers; it just rebuilds the index at every start
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        return False
    return True


def _remove_others(folder: Path, keep: Path) -> None:
    """Drop the files of builds that are no longer active (and temporary files left by killed starts)."""
    for path in folder.iterdir():
        if path != keep:
            path.unlink(missing_ok=True)
