"""The corpus as source documents: files loaded, feed dumps split, cleaned, described, de-duplicated."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from assistant.text.tokens import slugify, word_count
from ingest.clean import clean_text, strip_foreign_script
from ingest.feed import split_feed
from ingest.loaders import Page, SUPPORTED, UnreadableFile, load_file
from ingest.manifest import MANIFEST_NAMES, load_manifest


@dataclass
class SourceDocument:
    """One article or paper, cleaned, with the metadata every chunk of it carries."""

    source_id: str
    title: str
    publisher: str
    published: str | None
    url: str
    file: str
    text: str
    notes: dict = field(default_factory=dict)
    pages: list[Page] = field(default_factory=list)  # a PDF's pages, to give each passage its page numbers

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


@dataclass
class Skipped:
    """A file that was not ingested, and why."""

    file: str
    reason: str


@dataclass
class Corpus:
    """What loading a corpus folder produced."""

    documents: list[SourceDocument] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    removed_lines: Counter = field(default_factory=Counter)


def discover(corpus_dir: Path) -> list[Path]:
    """Every file under corpus_dir that could be a document (hidden files and the manifest excluded)."""
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"Corpus folder {corpus_dir} does not exist; pass --corpus DIR")
    return sorted(
        path for path in corpus_dir.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(corpus_dir).parts)
        and path.name not in MANIFEST_NAMES and path.name.lower() != "readme.md"
    )


def load_corpus(corpus_dir: Path, max_file_mb: float = 50.0, manifest_cache: Path | None = None) -> Corpus:
    """Load, split, clean and describe every document; bad files are skipped with a reason. The manifest is
    kept in manifest_cache, when given (see ingest.manifest.load_manifest)."""
    manifest = load_manifest(corpus_dir, manifest_cache)
    corpus = Corpus()
    seen: dict[str, str] = {}
    for path in discover(corpus_dir):
        name = path.relative_to(corpus_dir).as_posix()
        if path.suffix.lower() not in SUPPORTED:
            corpus.skipped.append(Skipped(name, f"unsupported file type {path.suffix or '(none)'}"))
            continue
        try:
            documents = load_documents(path, name, manifest.get(name, {}), corpus.removed_lines, max_file_mb)
        except UnreadableFile as error:
            corpus.skipped.append(Skipped(name, str(error)))
            continue
        for document in documents:
            duplicate_of = seen.get(document.content_hash)
            if duplicate_of:
                corpus.skipped.append(Skipped(name, f"duplicate of {duplicate_of} (indexed once)"))
                continue
            seen[document.content_hash] = document.file if document.file != name else document.source_id
            corpus.documents.append(document)
    _make_ids_unique(corpus.documents)
    return corpus


def read_stable(path: Path, max_file_mb: float) -> bytes:
    """Read a file's bytes once; a file that changes while it is read is read again, then refused."""
    for _ in range(3):
        before = path.stat()
        if before.st_size > max_file_mb * 1024 * 1024:
            raise UnreadableFile(f"larger than the {max_file_mb:g} MB limit ({before.st_size / 1e6:.1f} MB)")
        data = path.read_bytes()
        after = path.stat()
        if (before.st_mtime_ns, before.st_size) == (after.st_mtime_ns, after.st_size) == (after.st_mtime_ns, len(data)):
            return data
    raise UnreadableFile("the file kept changing while it was read; try again when it is saved")


def load_documents(path: Path, name: str, entry: dict, removed: Counter, max_file_mb: float) -> list[SourceDocument]:
    """One file as one or more documents (a feed dump gives one per article)."""
    loaded = load_file(path, read_stable(path, max_file_mb))
    if entry.get("feed") or (path.suffix.lower() in (".txt", ".xml") and not loaded.meta):
        items = split_feed(loaded.text, strip_title=lambda title: _title_after_spam(title, removed))
        if items:
            return [_feed_document(item, name, entry, removed) for item in items]
    cleaned = clean_text(loaded.text)
    removed.update(cleaned.removed)
    text, stated = _take_title_and_dateline(cleaned.text, loaded.meta, removed)
    meta = {**stated, **{k: v for k, v in entry.items() if v is not None}}
    if "published" in entry and entry["published"] is None:
        meta["published"] = None
    if not text.strip():
        raise UnreadableFile("no article text left after removing page chrome")
    document = _document(meta, name, text)
    document.pages = loaded.pages
    return [document]


def _feed_document(item, name: str, entry: dict, removed: Counter) -> SourceDocument:
    cleaned = clean_text(item.body)
    removed.update(cleaned.removed)
    meta = {"title": item.title, "url": item.url, "published": item.published,
            "publisher": entry.get("publisher", "")}
    return _document(meta, name, cleaned.text, id_hint=f"{item.published}-{slugify(item.title, 6)}")


def _document(meta: dict, name: str, text: str, id_hint: str | None = None) -> SourceDocument:
    title = (meta.get("title") or Path(name).stem).strip()
    publisher = (meta.get("publisher") or "Unknown publisher").strip()
    published = meta.get("published") or None
    year = published[:4] if published else "undated"
    source_id = meta.get("source_id") or f"{slugify(publisher, 2)}-{id_hint or year + '-' + slugify(title, 6)}"
    notes = {key: meta[key] for key in ("url_note", "published_note") if meta.get(key)}
    return SourceDocument(source_id=source_id, title=title, publisher=publisher, published=published,
                          url=meta.get("url") or "", file=name, text=text, notes=notes)


def _title_after_spam(title: str, removed: Counter) -> str:
    """A feed header's title is the text after any channel header or spam glued in front of it."""
    segments = re.split(r"[^\x00-\u024f‘’“”–—…£€]+", title)
    if len(segments) > 1:
        removed["foreign_script"] += 1
    return strip_foreign_script(segments[-1], Counter()).strip()


_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")
_DATELINE = re.compile(r"^(?:(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})|(\d{4})-(\d{2})-(\d{2}))$")


def _take_title_and_dateline(text: str, stated: dict, removed: Counter) -> tuple[str, dict]:
    """A plain-text article states its title on the first line and may carry a dateline near the top.

    The first line is the title unless the file stated one. A first line repeating the stated title stays
    in the body: a headline often states the news itself ('Charity hires 1,000 recruits')."""
    meta = dict(stated)
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and "title" not in meta:
        line = _MARKDOWN_HEADING.sub("", lines[first].strip())  # a heading line's own text
        if word_count(line) <= 25 and not line.endswith("."):
            meta["title"] = line
            lines[first] = ""
    for i, line in enumerate(lines[:8]):
        date = _parse_dateline(line.strip())
        if date:
            meta.setdefault("published", date)
            lines[i] = ""
            removed["dateline"] += 1
            break
    return "\n".join(lines).strip() + "\n", meta


def _parse_dateline(line: str) -> str | None:
    match = _DATELINE.match(line)
    if not match:
        return None
    day, month, year, iso_year, iso_month, iso_day = match.groups()
    try:
        if iso_year:
            return dt.date(int(iso_year), int(iso_month), int(iso_day)).isoformat()
        full_year = int(year) + 2000 if len(year) == 2 else int(year)
        return dt.date(full_year, int(month), int(day)).isoformat()
    except ValueError:
        return None


def _make_ids_unique(documents: list[SourceDocument]) -> None:
    counts: Counter = Counter()
    for document in documents:
        counts[document.source_id] += 1
        if counts[document.source_id] > 1:
            document.source_id = f"{document.source_id}-{counts[document.source_id]}"
