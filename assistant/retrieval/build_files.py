"""What start-up needs from a whole build, computed once at ingest and kept on disk beside the store.

Each index build (a Chroma collection with a unique name) gets a folder `lexical/<build>/` in the store
folder: the BM25 index in bm25s' own format (memory-mapped when opened), the vocabulary, IDF and acronyms,
the metadata BM25 filters read per row, and the catalogue of source documents. Ingest writes the folder
before it flips the active pointer, so a reader never sees a build without its files, and a run killed
before the flip leaves only a folder the next run removes. A `key` file, written last, records what the
files depend on (bm25s' version, the BM25 settings, the tokenising code); when it is missing or differs
(a store built by an older version, a server ingested from another machine, a changed tokeniser) the
files are rebuilt from the chunks at start and saved for the next one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import assistant
from assistant.retrieval.fusion import ChunkSource, HybridRetriever
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.store import StoredChunk
from assistant.settings import Settings

FOLDER = "lexical"
KEY = "key"
CATALOGUE = "catalogue.json"
# The modules (and the data they read) that decide the tokens, IDF and acronyms: an edit rebuilds the files.
TOKENISING_MODULES = ("retrieval/lexical.py", "text/tokens.py", "retrieval/aliases.py", "retrieval/build_files.py",
                      "data/everyday_aliases.yaml")


@dataclass
class BuildFiles:
    """A build's lexical index and the catalogue of its source documents."""

    lexical: LexicalIndex
    catalogue: list[dict]


def files_root(settings: Settings) -> Path:
    """The folder holding one subfolder per build: inside the store folder (a local one in server mode)."""
    return settings.store_dir / FOLDER


def build_key(settings: Settings) -> str:
    """A hash of what the files depend on besides the build's chunks: bm25s' version, the BM25 settings
    and the tokenising code."""
    import bm25s

    digest = hashlib.sha256(f"{bm25s.__version__}\n{settings.bm25_k1}\n{settings.bm25_b}\n".encode())
    package = Path(assistant.__file__).parent
    for module in TOKENISING_MODULES:
        digest.update((package / module).read_bytes())
    return digest.hexdigest()


def catalogue_of(chunks: list[StoredChunk]) -> list[dict]:
    """Every source document: id, title, publisher, date, URL, file and its number of chunks, newest first."""
    counts = Counter(chunk.metadata.get("source_id") for chunk in chunks)
    sources: dict[str, dict] = {}
    for chunk in chunks:
        meta = chunk.metadata
        sources.setdefault(meta.get("source_id"), {
            "source_id": meta.get("source_id"), "title": meta.get("title"), "publisher": meta.get("publisher"),
            "published": meta.get("published") or "", "url": meta.get("url"), "file": meta.get("file"),
            "chunks": counts[meta.get("source_id")],
        })
    return sorted(sources.values(), key=lambda s: (s["published"] or "0000", s["title"]), reverse=True)


def build_files(settings: Settings, chunks: list[StoredChunk]) -> BuildFiles:
    """The files' contents, computed from every chunk of a build taken in id order (as the store reads
    them back), so that ties between equal BM25 scores and the first definition of an acronym do not
    depend on the order ingest wrote the chunks in."""
    chunks = sorted(chunks, key=lambda chunk: chunk.id)
    return BuildFiles(HybridRetriever.build_lexical(settings, chunks), catalogue_of(chunks))


def save_build_files(settings: Settings, build: str, chunks: list[StoredChunk]) -> BuildFiles:
    """Compute and write the files of `build` (ingest calls this before activating the build)."""
    files = build_files(settings, chunks)
    _write(files_root(settings) / build, files, build_key(settings))
    return files


def load_build_files(settings: Settings, build: str, source: ChunkSource) -> BuildFiles:
    """The files of `build` (the active collection's name) when they are current, else rebuilt from every
    chunk of source and saved for the next start (skipped quietly when the folder is not writable)."""
    folder = files_root(settings) / build
    key = build_key(settings)
    files = _read(folder, key)
    if files is None:
        files = build_files(settings, source.all())
        try:
            _write(folder, files, key)
        except OSError:  # a read-only store still answers; it rebuilds the files at every start
            pass
    return files


def load_lexical(settings: Settings, build: str, source: ChunkSource) -> LexicalIndex:
    """The lexical index of `build` alone (see load_build_files)."""
    return load_build_files(settings, build, source).lexical


def remove_other_builds(settings: Settings, keep: str) -> list[str]:
    """Delete the folders of builds other than `keep` (finished, replaced or killed runs); their names."""
    root = files_root(settings)
    if not root.is_dir():
        return []
    removed = []
    for folder in root.iterdir():
        if folder.name != keep:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed


def _read(folder: Path, key: str) -> BuildFiles | None:
    try:
        if (folder / KEY).read_text(encoding="ascii") != key:
            return None
        lexical = LexicalIndex.load(folder)
        catalogue = json.loads((folder / CATALOGUE).read_text(encoding="utf-8"))
    except Exception:  # missing, truncated or written by other library versions: rebuild rather than fail the start
        return None
    return BuildFiles(lexical, catalogue)


def _write(folder: Path, files: BuildFiles, key: str) -> None:
    """Write into a temporary folder beside the target, then rename it into place (the key file last, so
    a folder with a key is complete)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".tmp"))
    try:
        files.lexical.save(temporary)
        (temporary / CATALOGUE).write_text(json.dumps(files.catalogue, ensure_ascii=False), encoding="utf-8")
        (temporary / KEY).write_text(key, encoding="ascii")
        if folder.exists():  # stale files of the same build (an older key): replace them
            shutil.rmtree(folder)
        os.replace(temporary, folder)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
