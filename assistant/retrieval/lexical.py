"""The lexical index: bm25s over each chunk's title, section and text, with the vocabulary, IDF and
aliases derived from the corpus; saved with each build and memory-mapped at start."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
import bm25s
import numpy as np

from assistant.retrieval.aliases import Aliases
from assistant.retrieval.store import StoredChunk
from assistant.text.tokens import content_words
from assistant.text.similarity import inverse_document_frequency


ALIAS_WEIGHT = 0.5  # query expansion by acronym / long form (assistant.retrieval.aliases), relative to the words asked
BM25_FOLDER = "bm25"  # bm25s' own files inside a saved lexical index
TABLES = "lexical.json"  # everything else a saved lexical index holds


class LexicalIndex:
    """BM25 over the chunks (title, section and text), with the corpus vocabulary, IDF and acronyms kept,
    and per row the chunk id and the metadata that filters need (so BM25 hits are filtered without the
    chunks). Built at ingest, saved with `save` and opened with `load` (bm25s' arrays memory-mapped)."""

    def __init__(self, chunks: list[StoredChunk], k1: float = 0.9, b: float = 0.4):
        self.ids = [chunk.id for chunk in chunks]
        self.publishers = sorted({chunk.metadata.get("publisher", "") for chunk in chunks} - {""})
        code = {publisher: n for n, publisher in enumerate(self.publishers)}
        self.row_publisher = [code.get(chunk.metadata.get("publisher", ""), -1) for chunk in chunks]
        self.row_published = [chunk.metadata.get("published") or "" for chunk in chunks]
        self.aliases = Aliases.from_texts(dict.fromkeys(chunk.text for chunk in chunks))
        texts = [_lexical_text(chunk) for chunk in chunks]
        # A passage repeated across documents (boilerplate, a copied paragraph) is tokenised once.
        distinct = {text: content_words(text) for text in dict.fromkeys(texts)}
        tokens = [distinct[text] for text in texts]
        self.vocabulary = {token for doc in distinct.values() for token in doc}
        # Acronyms (DfE, ADCS, RCC…) verbatim, so a question naming one the corpus never uses can be refused.
        self.vocabulary |= {word for text in distinct for word in re.findall(r"\b[A-Z]{2,5}\b", text)}
        self.idf = inverse_document_frequency(tokens)
        self.max_idf = math.log(1 + max(1, len(chunks)))
        self.bm25 = bm25s.BM25(k1=k1, b=b)
        self.bm25.index(tokens or [[""]], show_progress=False)

    @property
    def size(self) -> int:
        """The number of chunks indexed."""
        return len(self.ids)

    def row_metadata(self, row: int) -> dict:
        """What Filters.accepts reads of the chunk in this row: its publisher and publication date."""
        code = self.row_publisher[row]
        return {"publisher": self.publishers[code] if code >= 0 else "", "published": self.row_published[row]}

    def row_mask(self, publishers: list[str], date_from: str | None, date_to: str | None) -> np.ndarray:
        """Which rows a filter accepts (publishers, and an ISO date range that excludes undated chunks), for
        every row at once: the same rule as Filters.accepts without a Python loop over 100,000s of rows."""
        mask = np.ones(self.size, dtype=bool)
        if publishers:
            codes = [code for code, publisher in enumerate(self.publishers) if publisher in publishers]
            mask &= np.isin(self._row_arrays()[0], codes)
        if date_from or date_to:
            published = self._row_arrays()[1]
            mask &= published != ""
            if date_from:
                mask &= published >= date_from
            if date_to:
                mask &= published <= date_to
        return mask

    def _row_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if "_arrays" not in self.__dict__:  # built on the first filtered search, then kept
            self._arrays = (np.asarray(self.row_publisher, dtype=np.int64), np.asarray(self.row_published, dtype=str))
        return self._arrays

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk; an acronym in the query also searches, at half weight, for its
        long form and back."""
        words = content_words(query)
        scores = self._bm25(words)
        return scores + ALIAS_WEIGHT * self._bm25(self.aliases.extra(words))

    def _bm25(self, words: list[str]) -> np.ndarray:
        tokens = [token for token in words if token in self.vocabulary]
        if not tokens or not self.size:
            return np.zeros(self.size)
        return self.bm25.get_scores(tokens)

    # -- on disk -----------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """bm25s' arrays with its own save; vocabulary, IDF, acronyms and the row tables as JSON."""
        folder.mkdir(parents=True, exist_ok=True)
        self.bm25.save(str(folder / BM25_FOLDER), show_progress=False)
        tables = {"ids": self.ids, "publishers": self.publishers, "row_publisher": self.row_publisher,
                  "row_published": self.row_published, "vocabulary": sorted(self.vocabulary), "idf": self.idf,
                  "max_idf": self.max_idf,
                  "aliases": {acronym: sorted(words) for acronym, words in self.aliases.long_forms.items()}}
        (folder / TABLES).write_text(json.dumps(tables, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        """The index saved in folder, its BM25 arrays memory-mapped (read from disk as queries touch them)."""
        tables = json.loads((folder / TABLES).read_text(encoding="utf-8"))
        index = cls.__new__(cls)
        index.ids, index.publishers = tables["ids"], tables["publishers"]
        index.row_publisher, index.row_published = tables["row_publisher"], tables["row_published"]
        index.vocabulary, index.idf, index.max_idf = set(tables["vocabulary"]), tables["idf"], tables["max_idf"]
        index.aliases = Aliases({acronym: frozenset(words) for acronym, words in tables["aliases"].items()})
        index.bm25 = bm25s.BM25.load(str(folder / BM25_FOLDER), mmap=True, show_progress=False)
        return index


def _lexical_text(chunk: StoredChunk) -> str:
    return " ".join([chunk.metadata.get("title", ""), chunk.metadata.get("section", ""), chunk.text])
