"""Citations: a numbered reference to the passage a sentence came from (title, publisher, date, link)."""

from __future__ import annotations

from assistant.models import Citation, Passage, locator


def make_citation(n: int, metadata: dict, chunk_id: str = "", text: str = "", start: int = 0,
                  end: int = 0, where: str = "") -> Citation:
    """Citation [n] of a source document, from a chunk's metadata; `where` is its page or section."""
    return Citation(n=n, source_id=metadata.get("source_id", ""), title=metadata.get("title", ""),
                    publisher=metadata.get("publisher", ""), url=metadata.get("url", ""),
                    published=metadata.get("published", "") or "", text=text, chunk_id=chunk_id,
                    sentence=text[start:end], start=start, end=end, locator=where)


def cite_passage(n: int, passage: Passage, start: int, end: int) -> Citation:
    """Citation [n] of the sentence text[start:end] of a retrieved passage, with its page or section."""
    return make_citation(n, passage.metadata, passage.chunk_id, passage.text, start, end, locator(passage.metadata))
