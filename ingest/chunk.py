"""Chunking: sections and paragraphs packed into passages; a list keeps its lead-in; never across documents."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import re

from assistant.text.sentences import is_bullet, sentence_spans
from assistant.text.tokens import word_count
from ingest.documents import SourceDocument
from ingest.pages import page_spans


@dataclass
class Chunk:
    """One retrievable passage with the metadata it is cited by."""

    id: str
    text: str
    metadata: dict = field(default_factory=dict)

    @property
    def embed_text(self) -> str:
        """What the embedding model sees: the passage in the context of its publisher, article and section
        ("What did Safe and Sound think…" should be near what Safe and Sound wrote)."""
        heading = self.metadata.get("section", "")
        parts = [self.metadata.get("publisher", ""), self.metadata.get("title", ""), heading, self.text]
        return "\n".join(part for part in parts if part)

    @property
    def embed_hash(self) -> str:
        return hashlib.sha256(self.embed_text.encode()).hexdigest()[:32]

    @property
    def record_hash(self) -> str:
        payload = json.dumps({"text": self.text, "meta": self.metadata}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:32]


@dataclass
class _Unit:
    text: str
    section: str


def chunk_document(document: SourceDocument, chunk_words: int = 120, max_chars: int = 2400) -> list[Chunk]:
    """Split one document into passages of about chunk_words words, never over max_chars."""
    units = _units(document.text, chunk_words, max_chars)
    pieces = _pack(units, chunk_words, max_chars)
    pages = page_spans([text for _, text in pieces], document.pages) if document.pages else []
    chunks = []
    for position, (section, text) in enumerate(pieces):
        metadata = {
            "source_id": document.source_id, "title": document.title, "publisher": document.publisher,
            "url": document.url, "published": document.published or "", "file": document.file,
            **_section_fields(section, document.title), "position": position,
            "published_ord": int(document.published.replace("-", "")) if document.published else 0,
            **{f"note_{key}": value for key, value in document.notes.items()},
        }
        if pages and pages[position]:
            metadata["pages"] = pages[position]  # "45" or "45-46", shown in citations as "p. 45"
        chunks.append(Chunk(id=f"{document.source_id}#{position:03d}", text=text, metadata=metadata))
    return chunks


_MARKED_HEADING = re.compile(r"^#{1,6}\s+\S")


def _section_fields(section: str, title: str) -> dict:
    """section (the heading's text) and, for a heading the file marks as one (Markdown '#', which the
    HTML and Word loaders write for h1-h6 and heading styles), section_marked: such a heading is shown
    in citations ("§ Family help"); a heading the chunker only guessed from a short line is not, nor
    one that only repeats the document's title."""
    if not _MARKED_HEADING.match(section):
        return {"section": section}
    text = section.lstrip("#").strip()
    if " ".join(text.split()).casefold() == " ".join(title.split()).casefold():
        return {"section": text}
    return {"section": text, "section_marked": True}


def _blocks(text: str) -> list[list[str]]:
    blocks, current = [], []
    for line in text.split("\n"):
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _looks_like_heading(block: list[str]) -> bool:
    line = block[0]
    return (len(block) == 1 and word_count(line) <= 14 and not is_bullet(line)
            and not line.endswith((".", ":", ";", ",", "”", "\"")))


def _is_heading(block: list[str], following: list[str] | None) -> bool:
    """A short unpunctuated line followed by body text; a run of such lines is a list of links."""
    return (following is not None and _looks_like_heading(block)
            and not _looks_like_heading(following) and not is_bullet(following[0]))


def _is_marked_heading(block: list[str], following: list[str] | None = None) -> bool:
    """A Markdown heading line ('## Family help'): the file itself says it is a heading."""
    return len(block) == 1 and bool(_MARKED_HEADING.match(block[0]))


def _units(text: str, chunk_words: int, max_chars: int) -> list[_Unit]:
    """Paragraphs and lists (with their lead-in) tagged with the section heading above them.

    A document that marks its headings ('#' lines) is sectioned by those alone; in any other document
    headings are guessed from short unpunctuated lines. A marked heading keeps its '#' marks in the
    unit's section until _section_fields reads them."""
    blocks = _blocks(text)
    is_heading = _is_marked_heading if any(_is_marked_heading(block) for block in blocks) else _is_heading
    units: list[_Unit] = []
    section = ""
    i = 0
    while i < len(blocks):
        block = blocks[i]
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if is_heading(block, following):
            section = block[0]
            i += 1
            continue
        lines = list(block)
        # A lead-in ("Three central aims were set out:", or a short title line) stays with its list items.
        while i + 1 < len(blocks):
            following, after = blocks[i + 1], (blocks[i + 2] if i + 2 < len(blocks) else None)
            lead_in = lines[-1].endswith(":") or (len(lines) == 1 and _looks_like_heading(lines)
                                                   and is_bullet(following[0]))
            continues_list = is_bullet(lines[-1]) and is_bullet(following[0])
            if not (lead_in or continues_list) or is_heading(following, after):
                break
            i += 1
            lines.extend(following)
        for group in _paragraphs(lines):
            for piece in _split_long_list(group, chunk_words):
                units.extend(_split_oversized(_Unit("\n".join(piece), section), max_chars))
        i += 1
    return units


def _paragraphs(lines: list[str]) -> list[list[str]]:
    """A block's lines as paragraphs: each prose line on its own (web text often has no blank lines
    between paragraphs), a list together with its lead-in.

    >>> _paragraphs(["One.", "Two:", "• a", "• b", "Three."])
    [['One.'], ['Two:', '• a', '• b'], ['Three.']]
    """
    groups: list[list[str]] = []
    for line in lines:
        if groups and is_bullet(line) and (is_bullet(groups[-1][-1]) or _leads_list(groups[-1][-1])):
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def _leads_list(line: str) -> bool:
    """A prose line that can introduce a list: it ends in ':' or is a short title line."""
    return not is_bullet(line) and (line.endswith(":") or _looks_like_heading([line]))


def _split_long_list(group: list[str], chunk_words: int) -> list[list[str]]:
    """A list over twice chunk_words words is cut between items into runs of about chunk_words words,
    each repeating the lead-in, so one passage does not hold a page of unrelated points (a shorter
    list stays whole, so "what are the three aims?" finds all three in one passage).

    >>> _split_long_list(["Aims:", "• one two", "• three four"], 2)
    [['Aims:', '• one two'], ['Aims:', '• three four']]
    """
    if len(group) < 3 or word_count(" ".join(group)) <= 2 * chunk_words:
        return [group]
    lead = [] if is_bullet(group[0]) else group[:1]
    runs: list[list[str]] = []
    current: list[str] = []
    for item in group[len(lead):]:
        if current and word_count(" ".join(lead + current + [item])) > chunk_words:
            runs.append(lead + current)
            current = []
        current.append(item)
    runs.append(lead + current)
    return runs


def _split_oversized(unit: _Unit, max_chars: int) -> list[_Unit]:
    """A unit longer than max_chars is split at list items or sentences, repeating a list's lead-in."""
    if len(unit.text) <= max_chars:
        return [unit]
    lines = unit.text.split("\n")
    # Repeat a list's lead-in only when it leaves room for the items (a longer one is split like text).
    lead = lines[0] if lines[0].endswith(":") and len(lines[0]) < max_chars // 2 else ""
    items = lines[1:] if lead else lines
    pieces = []
    for item in items:
        pieces.extend(_sentences_within(item, max_chars - len(lead) - 1))
    out, current = [], lead
    for piece in pieces:
        candidate = f"{current}\n{piece}" if current else piece
        if len(candidate) > max_chars and current and current != lead:
            out.append(_Unit(current, unit.section))
            candidate = f"{lead}\n{piece}" if lead else piece
        current = candidate
    if current and current != lead:
        out.append(_Unit(current, unit.section))
    return out


def _sentences_within(text: str, limit: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    pieces, current = [], ""
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        if len(sentence) > limit and current:  # keep reading order: flush what came before a run-on
            pieces.append(current)
            current = ""
        while len(sentence) > limit:  # a single run-on "sentence": cut at a space
            cut = sentence.rfind(" ", 0, limit) if " " in sentence[:limit] else limit
            cut = cut if cut > 0 else limit
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        candidate = f"{current} {sentence}".strip()
        if len(candidate) > limit and current:
            pieces.append(current)
            candidate = sentence
        current = candidate
    if current:
        pieces.append(current)
    return pieces


def _pack(units: list[_Unit], chunk_words: int, max_chars: int) -> list[tuple[str, str]]:
    """Greedy packing of consecutive units of one section into passages of about chunk_words words.
    A passage under a third of that takes the next paragraph whatever its size (within max_chars), so
    a lead such as "UNISON has major concerns over the approach." stays with the paragraph that says
    what they are."""
    pieces: list[tuple[str, str]] = []
    current: list[str] = []
    section = None
    for unit in units:
        joined = "\n\n".join(current + [unit.text])
        short = word_count("\n\n".join(current)) < chunk_words // 3
        fits = (word_count(joined) <= chunk_words or short) and len(joined) <= max_chars
        if current and (unit.section != section or not fits):
            pieces.append((section or "", "\n\n".join(current)))
            current = []
        current.append(unit.text)
        section = unit.section
    if current:
        pieces.append((section or "", "\n\n".join(current)))
    return pieces
