"""Loaders: turn a file (.txt, .md, .html, .pdf, .docx) into raw text plus whatever metadata it states.

What each loader reads as title, publisher, published (ISO date) and url:
- text and Markdown: the header block or YAML front matter (ingest/header.py);
- HTML: <title> and <meta> tags (Open Graph, citation_*, Dublin Core, author, date), <link rel=canonical>;
- PDF: the document information (Title, Author, CreationDate), and the text of each page with its label;
- Word: the core properties (title, author, created).
Headings the file marks as such (HTML h1-h6, Word heading styles) come out as Markdown '#' lines, so
the chunker can tell them from short lines it has to guess about.

A loader raises UnreadableFile with a reason a person understands; the pipeline skips that file.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.dates import iso_date
from ingest.header import read_header

SUPPORTED = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")


class UnreadableFile(Exception):
    """A file that cannot be turned into text; the message says why."""


@dataclass
class Page:
    """One page of a paginated file: its label as printed ("45", "iv") and its text."""

    label: str
    text: str


@dataclass
class LoadedFile:
    """Text of one file, the metadata the file itself states and, for a PDF, its pages."""

    text: str
    meta: dict = field(default_factory=dict)
    pages: list[Page] = field(default_factory=list)


def load_file(path: Path, data: bytes) -> LoadedFile:
    """Dispatch on the extension; data is the file's bytes, read once by the caller."""
    if not data.strip():
        raise UnreadableFile("the file is empty")
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md"):
        text, meta = read_header(decode_text(data))
        return LoadedFile(text=text, meta=meta)
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
    """Visible article text of an HTML page; scripts, styles, navigation and forms are dropped.
    Headings h1-h6 become Markdown heading lines ('## Family help')."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    meta = _html_meta(soup)
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    for item in root.find_all("li"):
        item.insert(0, "• ")
    for heading in root.find_all(_HEADING_TAGS):
        text = " ".join(heading.get_text(" ").split())
        heading.string = f"{'#' * int(heading.name[1])} {text}" if text else ""
    for tag in root.find_all(_BLOCK_TAGS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    text = root.get_text()
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    if not text.strip():
        raise UnreadableFile("the HTML page has no visible text")
    return LoadedFile(text=text, meta=meta)


_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")

# <meta> names (or properties) in order of preference for each field: Open Graph and article tags,
# Highwire citation_* tags (journals, policy repositories), Dublin Core, then the plain HTML names.
_HTML_FIELDS = {
    "title": ("og:title", "citation_title", "dc.title", "twitter:title"),
    "publisher": ("citation_publisher", "dc.publisher", "og:site_name", "publisher"),
    "author": ("author", "citation_author", "dc.creator", "article:author"),
    "published": ("article:published_time", "citation_publication_date", "citation_date", "dc.date.issued",
                  "dc.date", "datepublished", "date", "pubdate", "publish-date", "publish_date"),
    "url": ("og:url",),
}


def _html_meta(soup) -> dict:
    """Title, publisher, published and url an HTML page states about itself."""
    tags = _meta_tags(soup)

    def first(field: str) -> str:
        return next((tags[name] for name in _HTML_FIELDS[field] if tags.get(name)), "")

    publisher = first("publisher")
    author = first("author")
    if author.startswith(("http://", "https://")):  # article:author is often a profile address
        author = ""
    page_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    stated_dates = (iso_date(tags.get(name, "")) for name in _HTML_FIELDS["published"])
    published = next((date for date in stated_dates if date), "")
    time_tag = soup.find("time", attrs={"datetime": True})
    meta = {
        "title": first("title") or _without_site_name(page_title, publisher),
        "publisher": publisher or author,
        "url": _canonical(soup) or first("url"),
        "published": published or (iso_date(time_tag["datetime"]) if time_tag else ""),
    }
    return {key: value for key, value in meta.items() if value}


def _meta_tags(soup) -> dict[str, str]:
    """name/property/itemprop (lower case) -> content of the first <meta> tag giving it."""
    tags: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = (tag.get("name") or tag.get("property") or tag.get("itemprop") or "").strip().lower()
        content = " ".join((tag.get("content") or "").split())
        if key and content:
            tags.setdefault(key, content)
    return tags


def _canonical(soup) -> str:
    """The page's <link rel="canonical"> address, when it is absolute."""
    for link in soup.find_all("link", href=True):
        rel = link.get("rel") or []
        if "canonical" in [value.lower() for value in (rel if isinstance(rel, list) else rel.split())]:
            href = link["href"].strip()
            return href if href.startswith(("http://", "https://")) else ""
    return ""


def _without_site_name(title: str, publisher: str) -> str:
    """'Family help explained | Example Trust' -> 'Family help explained' when the site is the publisher."""
    if publisher:
        name = re.escape(publisher)
        for pattern in (rf"^(?P<rest>.+?)\s+[|–—:-]\s+{name}$", rf"^{name}\s+[|–—:-]\s+(?P<rest>.+)$"):
            match = re.match(pattern, title, re.I)
            if match:
                return match.group("rest").strip()
    return title


def load_pdf(data: bytes) -> LoadedFile:
    """Text of every page (kept page by page with its label); encrypted or corrupt PDFs are refused."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile("the PDF is encrypted (password protected)")
        texts = [page.extract_text() or "" for page in reader.pages]
        labels = _page_labels(reader, len(texts))
        info = reader.metadata or {}
    except UnreadableFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, IndexError) as error:
        raise UnreadableFile(f"the PDF is corrupt or unreadable ({type(error).__name__})") from None
    except Exception as error:  # pypdf raises many kinds on damaged files
        if "encrypt" in str(error).lower() or "crypt" in type(error).__name__.lower():
            raise UnreadableFile("the PDF is encrypted (password protected)") from None
        raise UnreadableFile(f"the PDF is corrupt or unreadable ({type(error).__name__})") from None
    text = "\n\n".join(texts)
    if not text.strip():
        raise UnreadableFile("the PDF has no extractable text (scanned images need OCR first)")
    meta = {"title": _real_title(str(info.get("/Title") or "")), "publisher": str(info.get("/Author") or "").strip()}
    created = getattr(info, "creation_date", None) if info else None
    if created:
        meta["published"] = created.date().isoformat()
    pages = [Page(label, page_text) for label, page_text in zip(labels, texts)]
    return LoadedFile(text=text, meta={k: v for k, v in meta.items() if v}, pages=pages)


def _page_labels(reader, count: int) -> list[str]:
    """Page numbers as the document prints them (its /PageLabels: 'iv', '45'); 1, 2, 3... without them."""
    try:
        labels = list(reader.page_labels)
    except Exception:  # a malformed label tree should not lose the text
        labels = []
    return labels if len(labels) == count else [str(n) for n in range(1, count + 1)]


def _real_title(title: str) -> str:
    """A title property that is only a file name ('Microsoft Word - paper.docx') states no title."""
    title = title.strip()
    return "" if re.search(r"\.(?:docx?|pdf|odt|rtf|txt|pptx?|indd)$", title, re.I) else title


# python-docx's blank template carries these core properties; they describe the template, not the document.
_TEMPLATE_AUTHOR = "python-docx"
_TEMPLATE_CREATED = dt.datetime(2013, 12, 23, 23, 15, tzinfo=dt.timezone.utc)


def load_docx(data: bytes) -> LoadedFile:
    """Paragraphs of a Word document; headings ('Heading 1'...) as Markdown '#' lines, list items as bullets."""
    import zipfile

    from docx import Document

    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UnreadableFile(f"the Word document is corrupt or unreadable ({type(error).__name__})") from None
    except Exception as error:
        raise UnreadableFile(f"the Word document is corrupt or unreadable ({type(error).__name__})") from None
    blocks = [block for paragraph in document.paragraphs if (block := _docx_block(paragraph))]
    if not blocks:
        raise UnreadableFile("the Word document has no text")
    return LoadedFile(text="\n\n".join(blocks), meta=_docx_meta(document.core_properties))


def _docx_block(paragraph) -> str:
    """One paragraph as a text block: a heading as '## Heading', a list item as '• item', '' when empty."""
    text = " ".join(paragraph.text.split())
    if not text:
        return ""
    style = (paragraph.style.name if paragraph.style is not None else "").lower()
    level = re.match(r"heading (\d)", style)
    if level:
        return f"{'#' * min(int(level.group(1)), 6)} {text}"
    if style == "title":
        return f"# {text}"
    return f"• {text}" if "list" in style else text


def _docx_meta(props) -> dict:
    """Title, publisher (the author) and published (the creation date) from Word's core properties."""
    author = (props.author or "").strip()
    meta = {"title": _real_title(props.title or ""), "publisher": "" if author == _TEMPLATE_AUTHOR else author}
    created = props.created
    if created and created.replace(tzinfo=created.tzinfo or dt.timezone.utc) != _TEMPLATE_CREATED:
        meta["published"] = created.date().isoformat()
    return {key: value for key, value in meta.items() if value}
