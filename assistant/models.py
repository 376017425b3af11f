"""The answer object every interface returns: status, markdown with [n], numbered citations."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Status = Literal["answered", "not_found"]


@dataclass
class Passage:
    """A retrieved chunk with its fused score and the metadata it is cited by."""

    chunk_id: str
    text: str
    metadata: dict
    score: float = 0.0
    dense: float = 0.0  # cosine similarity to the query, 0 when only BM25 found it
    lexical: float = 0.0  # BM25 score, 0 when only dense retrieval found it

    @property
    def source_id(self) -> str:
        return self.metadata.get("source_id", "")


def previous_chunk_id(chunk_id: str) -> str:
    """The id of the chunk before this one in its document (ids are '<source>#<n>', n zero-padded), or ''
    for a first chunk.

    >>> previous_chunk_id("doc#012"), previous_chunk_id("doc#000")
    ('doc#011', '')
    """
    source, _, n = chunk_id.rpartition("#")
    if not source or not n.isdigit() or int(n) == 0:
        return ""
    return f"{source}#{int(n) - 1:0{len(n)}d}"  # ids keep their zero padding ('doc#001' -> 'doc#000')


@dataclass
class Citation:
    """Reference [n]: where a sentence of the answer came from, with offsets to highlight it."""

    n: int
    source_id: str
    title: str
    publisher: str
    url: str
    published: str  # ISO date, or "" when the source is undated
    text: str  # the passage
    chunk_id: str = ""
    sentence: str = ""  # the supporting sentence, verbatim from text
    start: int = 0  # offsets of sentence within text
    end: int = 0
    locator: str = ""  # where the passage sits in its document: "p. 45", "§ Family help" or ""

    def reference(self) -> str:
        """One line for a reference list: title, publisher, date, locator (if any), URL."""
        date = self.published or "undated"
        where = f", {self.locator}" if self.locator else ""
        return f"[{self.n}] {self.title}. {self.publisher}, {date}{where}. {self.url}".rstrip()


def locator(metadata: dict) -> str:
    """Where a passage sits in its document, from its chunk metadata: its PDF page(s) or the heading
    the file marks above it; "" for a passage of a plain-text file, whose headings are only guessed.

    >>> locator({"pages": "45"}), locator({"pages": "45-46"})
    ('p. 45', 'pp. 45-46')
    >>> locator({"section": "Family help", "section_marked": True}), locator({"section": "Family help"})
    ('§ Family help', '')
    """
    pages = str(metadata.get("pages") or "")
    if pages:
        return f"pp. {pages}" if "-" in pages else f"p. {pages}"
    if metadata.get("section_marked") and metadata.get("section"):
        return f"§ {metadata['section']}"
    return ""


@dataclass
class Answer:
    """What ask() returns to the CLI, the UI, the API and the evaluation harness."""

    status: Status
    answer: str  # markdown; every sentence ends with [n] markers
    citations: list[Citation] = field(default_factory=list)
    query: str = ""  # the standalone query actually used for retrieval
    question: str = ""
    suggestions: list[str] = field(default_factory=list)  # topics the corpus covers (not_found)
    disagreements: list[str] = field(default_factory=list)  # notes where sources differ
    passages: list[Passage] = field(default_factory=list)  # what retrieval returned, best first
    timings_ms: dict[str, float] = field(default_factory=dict)
    backend: str = "extractive"
    notes: list[str] = field(default_factory=list)  # e.g. LLM fallback, guard actions
    reason: str = ""  # for not_found: "not_stated" when the documents come close but don't say (cited), else ""

    def references_text(self) -> str:
        """The numbered reference list as plain text."""
        return "\n".join(citation.reference() for citation in self.citations)

    def as_text(self) -> str:
        """The answer with its reference list, for copying or the terminal."""
        if not self.citations:
            return self.answer
        return f"{self.answer}\n\nReferences\n{self.references_text()}"

    def to_dict(self) -> dict:
        """JSON-able form: the same fields as the object plus timings_ms (passages summarised)."""
        data = asdict(self)
        data["passages"] = [{"chunk_id": p.chunk_id, "source_id": p.source_id, "score": round(p.score, 5),
                             "text": p.text} for p in self.passages]
        data["timings_ms"] = {key: round(value, 1) for key, value in self.timings_ms.items()}
        return data
