"""Loaders: turn a file (.txt, .md, .html, .pdf, .docx) into raw text plus whatever metadata it states.

A loader raises UnreadableFile with a reason a person understands; the pipeline skips that file.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")


class UnreadableFile(Exception):
    """A file that cannot be turned into text; the message says why."""


@dataclass
class LoadedFile:
    """Text of one file and the metadata the file itself states."""

    text: str
    meta: dict = field(default_factory=dict)


def load_file(path: Path, data: bytes) -> LoadedFile:
    """Dispatch on the extension; data is the file's bytes, read once by the caller."""
    if not data.strip():
        raise UnreadableFile("the file is empty")
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md"):
        return LoadedFile(text=decode_text(data))
    if suffix in (".html", ".htm"):
        return load_html(decode_text(data))
    if suffix == ".pdf":
        return load_pdf(data)
    if suffix == ".docx":
        return load_docx(data)
    raise UnreadableFile(f"unsupported file type {suffix!r} (supported: {', '.join(SUPPORTED)})")


def decode_text(data: bytes) -> str:
    """UTF-8 text (with or without BOM); binary or undecodable bytes are refused, not guessed."""
    if b"\x00" in data[:8192]:
        raise UnreadableFile("binary content (NUL bytes) in a text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"not valid UTF-8 text (byte {error.start}); save it as UTF-8") from None
    controls = sum(1 for c in text[:8192] if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(8, len(text[:8192]) // 100):
        raise UnreadableFile("binary content (control characters) in a text file")
    return text


_BLOCK_TAGS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "pre", "dt", "dd",
               "figcaption", "div", "section", "article", "br")
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "form",
              "nav", "header", "footer", "aside", "button", "input", "select", "textarea", "canvas")


def load_html(markup: str) -> LoadedFile:
    """Visible article text of an HTML page; scripts, styles, navigation and forms are dropped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    meta = _html_meta(soup)
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    for item in root.find_all("li"):
        item.insert(0, "• ")
    for tag in root.find_all(_BLOCK_TAGS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    text = root.get_text()
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    if not text.strip():
        raise UnreadableFile("the HTML page has no visible text")
    return LoadedFile(text=text, meta=meta)


def _html_meta(soup) -> dict:
    def content(**attrs):
        tag = soup.find("meta", attrs=attrs)
        return tag.get("content", "").strip() if tag else ""

    meta = {
        "title": content(property="og:title") or (soup.title.get_text(strip=True) if soup.title else ""),
        "publisher": content(property="og:site_name"),
        "url": content(property="og:url"),
        "published": _iso(content(property="article:published_time") or content(name="date")),
    }
    canonical = soup.find("link", rel="canonical")
    if canonical and canonical.get("href") and not meta["url"]:
        meta["url"] = canonical["href"]
    time_tag = soup.find("time", attrs={"datetime": True})
    if time_tag and not meta["published"]:
        meta["published"] = _iso(time_tag["datetime"])
    return {key: value for key, value in meta.items() if value}


def load_pdf(data: bytes) -> LoadedFile:
    """Text of every page; encrypted or corrupt PDFs are refused with the reason."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile("the PDF is encrypted (password protected)")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
    except UnreadableFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, IndexError) as error:
        raise UnreadableFile(f"the PDF is corrupt or unreadable ({type(error).__name__})") from None
    except Exception as error:  # pypdf raises many kinds on damaged files
        if "encrypt" in str(error).lower() or "crypt" in type(error).__name__.lower():
            raise UnreadableFile("the PDF is encrypted (password protected)") from None
        raise UnreadableFile(f"the PDF is corrupt or unreadable ({type(error).__name__})") from None
    text = "\n\n".join(pages)
    if not text.strip():
        raise UnreadableFile("the PDF has no extractable text (scanned images need OCR first)")
    meta = {"title": str(info.get("/Title") or "").strip(), "publisher": str(info.get("/Author") or "").strip()}
    created = getattr(info, "creation_date", None) if info else None
    if created:
        meta["published"] = created.date().isoformat()
    return LoadedFile(text=text, meta={k: v for k, v in meta.items() if v})


def load_docx(data: bytes) -> LoadedFile:
    """Paragraphs of a Word document, headings and list items kept as such."""
    import zipfile

    from docx import Document

    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UnreadableFile(f"the Word document is corrupt or unreadable ({type(error).__name__})") from None
    except Exception as error:
        raise UnreadableFile(f"the Word document is corrupt or unreadable ({type(error).__name__})") from None
    blocks = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "").lower()
        blocks.append(f"• {text}" if "list" in style else text)
    if not blocks:
        raise UnreadableFile("the Word document has no text")
    props = document.core_properties
    meta = {"title": (props.title or "").strip(), "publisher": (props.author or "").strip()}
    if props.created:
        meta["published"] = props.created.date().isoformat()
    return LoadedFile(text="\n\n".join(blocks), meta={k: v for k, v in meta.items() if v})


def _iso(value: str) -> str:
    value = (value or "").strip()
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    if not match:
        return ""
    try:
        return dt.date(*map(int, match.groups())).isoformat()
    except ValueError:
        return ""
