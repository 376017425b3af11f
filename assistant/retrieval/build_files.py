"""What start-up needs from a whole build, computed once at ingest and kept on disk beside the store.

Each index build (a Chroma collection with a unique name) gets a folder `lexical/<build>/` in the store
folder: the BM25 index in bm25s' own format (memory-mapped when opened), the vocabulary, IDF and acronyms,
the metadata BM25 filters read per row, and the catalogue of source documents. Ingest writes the folder
before it flips the active pointer, so a reader never sees a build without its files, and a run killed
before the flip leaves only a folder the next run removes. A `key` file, written last, records what the
files depend on (bm25s' version, the BM25 settings, the tokenising code); when it is missing or differs
(a store built by an older version, a server ingested from another machine, a changed tokeniser) the
files are rebuilt from the chunks at start and saved for the next one.

A delta build (an update of a few documents, see assistant.retrieval.store.LayeredCollection) gets its own folder
with the lexical index of its chunks alone and the catalogue of the whole layered view; at start the base's
and the delta's indexes are combined (LayeredLexical) without reading the base's chunks.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import assistant
from assistant.retrieval.aliases import Aliases
from assistant.retrieval.fusion import ChunkSource, HybridRetriever
from assistant.retrieval.lexical import ALIAS_WEIGHT, LexicalIndex
from assistant.retrieval.store import LAYER_SEPARATOR, StoredChunk
from assistant.settings import Settings
from assistant.text.tokens import content_words

FOLDER = "lexical"
KEY = "key"
CATALOGUE = "catalogue.json"
# The modules (and the data they read) that decide the tokens, IDF and acronyms: an edit rebuilds the files.
TOKENISING_MODULES = ("retrieval/lexical.py", "text/tokens.py", "retrieval/aliases.py", "retrieval/build_files.py",
                      "data/everyday_aliases.yaml")


@dataclass
class BuildFiles:
    """A build's lexical index and the catalogue of its source documents."""

    lexical: "LexicalIndex | LayeredLexical"
    catalogue: list[dict]


class LayeredLexical:
    """A base build's lexical index seen through a delta build's: the same interface as LexicalIndex
    (ids, scores, row metadata, vocabulary, IDF, acronyms) over the base's rows, hidden ones scoring 0,
    then the delta's rows.

    The delta's BM25 scores are put on the base's scale: bm25s bakes each term's IDF into its scores, and
    a delta of one document would weigh its own words by how common they are in that document alone. So
    each query term's delta scores are multiplied by (IDF over both layers) / (IDF within the delta). The
    base's scores keep the IDF of the base, which the delta changes by little while it is small (ingest
    folds the delta into a new full build once it is not)."""

    def __init__(self, base: LexicalIndex, delta: LexicalIndex, hidden: frozenset[str]):
        self.base, self.delta = base, delta
        self.ids = base.ids + delta.ids
        self.hidden_rows = np.fromiter((row for row, chunk_id in enumerate(base.ids) if chunk_id in hidden), dtype=np.int64)
        self.publishers = sorted(set(base.publishers) | set(delta.publishers))
        self.vocabulary = base.vocabulary | delta.vocabulary
        self.aliases = Aliases({**delta.aliases.long_forms, **base.aliases.long_forms})  # the base's first
        total = max(1, self.size)
        counts = {token: _count(idf, base.size) for token, idf in base.idf.items()}
        for token, idf in delta.idf.items():
            counts[token] = counts.get(token, 0) + _count(idf, delta.size)
        self.idf = {token: math.log(1 + total / count) for token, count in counts.items() if count}
        self.max_idf = math.log(1 + total)

    @property
    def size(self) -> int:
        """Rows: the base's (hidden included, scoring 0) and the delta's."""
        return len(self.ids)

    def row_metadata(self, row: int) -> dict:
        offset = self.base.size
        return self.base.row_metadata(row) if row < offset else self.delta.row_metadata(row - offset)

    def row_mask(self, publishers: list[str], date_from: str | None, date_to: str | None) -> np.ndarray:
        """LexicalIndex.row_mask over the rows of both layers."""
        return np.concatenate([self.base.row_mask(publishers, date_from, date_to),
                               self.delta.row_mask(publishers, date_from, date_to)])

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row, as LexicalIndex.scores."""
        words = content_words(query)
        return self._bm25(words) + ALIAS_WEIGHT * self._bm25(self.aliases.extra(words))

    def _bm25(self, words: list[str]) -> np.ndarray:
        base = np.array(self.base._bm25(words), dtype=np.float64)
        base[self.hidden_rows] = 0.0
        return np.concatenate([base, self._delta_bm25(words)])

    def _delta_bm25(self, words: list[str]) -> np.ndarray:
        scores = np.zeros(self.delta.size)
        vocab = self.delta.bm25.vocab_dict
        for token in words:  # a repeated word counts again, as in bm25s
            if token in vocab:
                scores += self._rescale(token) * self.delta.bm25.get_scores([token])
        return scores

    def _rescale(self, token: str) -> float:
        """IDF over both layers / IDF within the delta, in bm25s' own formula (Lucene's)."""
        delta_df = _bm25_df(self.delta.bm25, token)
        both_df = delta_df + _bm25_df(self.base.bm25, token)
        within = _lucene_idf(self.delta.size, delta_df)
        return _lucene_idf(self.size, both_df) / within if within else 1.0


def _count(idf: float, total: int) -> int:
    """The document frequency behind an IDF of LexicalIndex (idf = log(1 + total / count))."""
    return round(total / math.expm1(idf)) if idf > 0 else 0


def _bm25_df(bm25, token: str) -> int:
    """How many rows of a bm25s index hold the token (the length of its column of scores)."""
    column = bm25.vocab_dict.get(token)
    if column is None:
        return 0
    indptr = bm25.scores["indptr"]
    return int(indptr[column + 1] - indptr[column])


def _lucene_idf(total: int, df: int) -> float:
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


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


def save_delta_files(settings: Settings, build: str, chunks: list[StoredChunk], catalogue: list[dict]) -> None:
    """Write the files of a delta build (ingest calls this before activating it): the lexical index of its
    own chunks and the catalogue of the whole layered view."""
    files = BuildFiles(HybridRetriever.build_lexical(settings, sorted(chunks, key=lambda chunk: chunk.id)), catalogue)
    _write(files_root(settings) / build, files, build_key(settings))


def load_build_files(settings: Settings, build: str, source: ChunkSource) -> BuildFiles:
    """The files of `build` (the active collection's name) when they are current, else rebuilt from every
    chunk of source and saved for the next start (skipped quietly when the folder is not writable). A
    layered view ("<base>+<delta>") combines the files of its two builds when both are current."""
    folder = files_root(settings) / build
    key = build_key(settings)
    files = _read_layered(settings, build, source, key) if LAYER_SEPARATOR in build else _read(folder, key)
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


def load_catalogue(settings: Settings, build: str, source: ChunkSource) -> list[dict]:
    """The catalogue of `build` (a layered view's is in its delta's folder) without opening the lexical
    index; load_build_files' when the file is missing or stale."""
    folder = files_root(settings) / build.split(LAYER_SEPARATOR)[-1]
    try:
        if (folder / KEY).read_text(encoding="ascii") == build_key(settings):
            return json.loads((folder / CATALOGUE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    return load_build_files(settings, build, source).catalogue


def _read_layered(settings: Settings, build: str, source: ChunkSource, key: str) -> BuildFiles | None:
    base_name, delta_name = build.split(LAYER_SEPARATOR)
    base, delta = _read(files_root(settings) / base_name, key), _read(files_root(settings) / delta_name, key)
    hidden = getattr(getattr(source, "collection", None), "hidden", None)
    if base is None or delta is None or hidden is None:
        return None
    return BuildFiles(LayeredLexical(base.lexical, delta.lexical, hidden), delta.catalogue)


def remove_other_builds(settings: Settings, keep: str) -> list[str]:
    """Delete the folders of builds other than `keep` (finished, replaced or killed runs; both builds of a
    layered view are kept); their names."""
    root = files_root(settings)
    if not root.is_dir():
        return []
    kept = {keep, *keep.split(LAYER_SEPARATOR)}
    removed = []
    for folder in root.iterdir():
        if folder.name not in kept:
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
