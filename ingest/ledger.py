"""What each corpus file put in the index, so that an update reads only the files that changed.

Ingest keeps a ledger per index build beside the store (`ingest/<build>.json` in the store folder), written
before the build is activated: per corpus file, a fingerprint (size, modification time and its manifest
entry) and the documents and chunks it gave, or why it gave none. The next run stats every file and parses
only those whose fingerprint differs. A key records what else the ledger depends on (the ingest code, the
chunk settings, the embedding model); when it differs, or the ledger is missing, the next run reads every
file again, as a full build does.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import ingest
from ingest import atomic
from assistant.retrieval.dense import MODEL_NAME
from assistant.settings import Settings
from ingest.chunk import Chunk
from ingest.documents import discover
from ingest.manifest import load_manifest

FOLDER = "ingest"
# The modules that turn a file into chunks (not the pipeline around them): an edit re-reads every file.
CHUNKING_MODULES = ("loaders.py", "pages.py", "feed.py", "clean.py", "header.py", "dates.py", "documents.py",
                    "manifest.py", "chunk.py")


@dataclass
class FileEntry:
    """One corpus file as indexed: its fingerprint, its documents and their chunks, or why it was skipped."""

    fingerprint: str
    sources: list[str] = field(default_factory=list)  # source ids of the documents indexed
    hashes: list[str] = field(default_factory=list)  # their content hashes (a new file repeating one is skipped)
    records: list[list[str]] = field(default_factory=list)  # [chunk id, record hash] in document order
    skipped: str = ""  # why the file (or one of its documents) is not indexed

    @property
    def chunk_ids(self) -> list[str]:
        return [chunk_id for chunk_id, _ in self.records]


def ledger_key(settings: Settings) -> str:
    """A hash of what turns an unchanged file into the same chunks: the ingest code, chunk settings, model,
    and the hashes of a sample chunk (what the model sees of a passage may be decided outside these files)."""
    sample = Chunk("sample#000", "A passage.", {"publisher": "A publisher", "title": "A title", "section": "A part"})
    digest = hashlib.sha256(f"{settings.chunk_words}\n{settings.chunk_max_chars}\n{MODEL_NAME}\n"
                            f"{sample.embed_hash}\n{sample.record_hash}\n".encode())
    for module in CHUNKING_MODULES:
        digest.update((Path(ingest.__file__).parent / module).read_bytes())
    return digest.hexdigest()


def fingerprints(corpus_dir: Path, manifest: dict[str, dict] | None = None) -> dict[str, str]:
    """Corpus file name -> its fingerprint: size and modification time (as make and rsync decide), and its
    manifest entry (metadata a file cannot state itself; `manifest`, when the caller has read it already)."""
    manifest = load_manifest(corpus_dir) if manifest is None else manifest
    prints = {}
    for path in discover(corpus_dir):
        name = path.relative_to(corpus_dir).as_posix()
        stat = path.stat()
        entry = json.dumps(manifest.get(name, {}), sort_keys=True, default=str)
        prints[name] = f"{stat.st_size}:{stat.st_mtime_ns}:{hashlib.sha256(entry.encode()).hexdigest()[:16]}"
    return prints


def in_corpus_order(ledger: dict[str, FileEntry]) -> list[str]:
    """The ledger's file names in the order a full ingest reads the files (ingest.documents.discover)."""
    return sorted(ledger, key=PurePosixPath)


def ledger_path(settings: Settings, build: str) -> Path:
    return settings.store_dir / FOLDER / f"{build}.json"


def read_ledger(settings: Settings, build: str) -> dict[str, FileEntry] | None:
    """The ledger of `build` (a collection or layered view name); None when missing, unreadable or stale."""
    try:
        data = json.loads(ledger_path(settings, build).read_text(encoding="utf-8"))
        if data.get("key") != ledger_key(settings):
            return None
        return {name: FileEntry(**entry) for name, entry in data["files"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def sole_ledger(settings: Settings) -> tuple[str, dict[str, FileEntry]] | None:
    """The build name and ledger of the only ledger beside the store (ingest keeps the active build's alone),
    read without opening the store; None when there is none, or several (a killed run's leftovers)."""
    folder = settings.store_dir / FOLDER
    paths = list(folder.glob("*.json")) if folder.is_dir() else []
    ledger = read_ledger(settings, paths[0].stem) if len(paths) == 1 else None
    return (paths[0].stem, ledger) if ledger is not None else None


def write_ledger(settings: Settings, build: str, ledger: dict[str, FileEntry]) -> None:
    """Write the ledger of `build` whole or not at all (a temporary file renamed into place)."""
    # vars(), not asdict(): asdict deep-copies every list of every entry, seconds at a library's 100,000s of
    # records. json.dumps, not json.dump: only dumps runs the C encoder (dump streams through the Python one).
    data = {"key": ledger_key(settings), "files": {name: vars(entry) for name, entry in ledger.items()}}
    atomic.write_text(ledger_path(settings, build), json.dumps(data, ensure_ascii=False))


def remove_other_ledgers(settings: Settings, keep: str) -> None:
    """Delete the ledgers (and temporary files) of builds other than `keep`."""
    folder = settings.store_dir / FOLDER
    if folder.is_dir():
        for path in folder.iterdir():
            if path.name != f"{keep}.json":
                path.unlink(missing_ok=True)
