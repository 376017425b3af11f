"""Citations: a numbered reference to the passage a sentence came from (title, publisher, date, link)."""

from __future__ import annotations

from assistant.models import Citation


def make_citation(n: int, metadata: dict, chunk_id: str = "", text: str = "", start: int = 0,
                  end: int = 0) -> Citation:
    """Citation [n] of a source document, from a chunk's metadata."""
    return Citation(n=n, source_id=metadata.get("source_id", ""), title=metadata.get("title", ""),
                    publisher=metadata.get("publisher", ""), url=metadata.get("url", ""),
                    published=metadata.get("published", "") or "", text=text, chunk_id=chunk_id,
                    sentence=text[start:end], start=start, end=end)
