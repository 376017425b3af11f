"""What a plain-text or Markdown file says about itself at its top: YAML front matter or a header block.

A header block is a title line followed by metadata lines, then a blank line and the body:

    Working Together to Safeguard Children 2023
    Source: Services For Education, 14 December 2023, https://www.example.org/blog/working-together
    By Jo Perrin

    <body>

Metadata lines are `Source:` (publisher, date if shown and URL, in any order, separated by commas),
`Publisher:`, `Published:`/`Date:`, `Author:`/`By`, `URL:`/`Link:` and `Title:`. Front matter is a
`---` block of YAML with the same keys. The header is removed from the text: it describes the document
and is never part of the body that answers questions.
"""

from __future__ import annotations

import datetime as dt
import re

import yaml

from assistant.text.tokens import word_count
from ingest.dates import find_date

# Key as written (lower case) -> the metadata field it states.
_KEYS = {"title": "title", "source": "source", "publisher": "publisher", "published": "published",
         "published on": "published", "date": "published", "by": "author", "author": "author",
         "authors": "author", "url": "url", "link": "url", "canonical": "url"}
_FIELD_LINE = re.compile(r"^[*_]{0,2}(?P<key>[A-Za-z][A-Za-z ]{0,14}?)[*_]{0,2}\s*:[*_]{0,2}\s+(?P<value>\S.*)$")
_BYLINE = re.compile(r"^[Bb]y\s+(?P<value>[A-Z][^:;.!?\d]{1,80})$")
_URL = re.compile(r"https?://[^\s,;<>\"')]+[^\s,;<>\"').]")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_TITLE_MAX_WORDS = 25  # a longer first line is a paragraph, not a title


def read_header(text: str) -> tuple[str, dict]:
    """Split text into its body and the metadata its front matter and header block state.

    >>> body, meta = read_header("Family help\\nSource: Example Trust, 2 May 2024, https://example.org/a\\n\\nBody.")
    >>> body, meta["title"], meta["publisher"], meta["published"], meta["url"]
    ('Body.', 'Family help', 'Example Trust', '2024-05-02', 'https://example.org/a')
    """
    body, front = _front_matter(text.replace("\r\n", "\n").replace("\r", "\n"))
    body, block = _header_block(body)
    return body, _resolve({**block, **front})


def _front_matter(text: str) -> tuple[str, dict]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return text, {}
    try:
        data = yaml.safe_load(match.group("yaml"))
    except yaml.YAMLError:
        return text, {}  # not front matter after all: leave the text as it is
    if not isinstance(data, dict):
        return text, {}
    fields = {}
    for key, value in data.items():
        field = _KEYS.get(str(key).strip().lower())
        if field and value not in (None, ""):
            fields[field] = _yaml_value(value)
    return text[match.end():], fields


def _yaml_value(value) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value).strip()


def _header_block(text: str) -> tuple[str, dict]:
    """A title line and the metadata lines right below it; text without them is returned unchanged."""
    lines = text.split("\n")
    i = _skip_blank(lines, 0)
    fields: dict = {}
    if i < len(lines) and _field(lines[i]) is None:
        title = lines[i].strip().lstrip("#").strip()
        if word_count(title) > _TITLE_MAX_WORDS or title.endswith("."):  # a sentence, not a title
            return text, {}
        fields["title"] = title
        i = _skip_blank(lines, i + 1)
    found = False
    while i < len(lines) and (field := _field(lines[i])) is not None:
        key, value = field
        fields.setdefault(key, value)  # the first line stating a field wins
        found = True
        i += 1
    if not found:
        return text, {}
    return "\n".join(lines[i:]).lstrip("\n"), fields


def _skip_blank(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _field(line: str) -> tuple[str, str] | None:
    """(field, value) for a metadata line, None for any other line."""
    line = line.strip()
    match = _FIELD_LINE.match(line)
    if match and match.group("key").strip().lower() in _KEYS:
        return _KEYS[match.group("key").strip().lower()], match.group("value").strip(" *_")
    byline = _BYLINE.match(line)
    if byline:
        return "author", byline.group("value").strip()
    return None


def _resolve(fields: dict) -> dict:
    """Title, publisher, published, url (and a published_note) from the fields a header stated."""
    meta = {"title": fields.get("title", "")}
    if "source" in fields:
        meta.update({key: value for key, value in parse_source(fields["source"]).items() if value})
    if fields.get("publisher"):
        meta["publisher"] = fields["publisher"]
    if fields.get("url"):
        meta["url"] = fields["url"]
    if fields.get("published"):
        meta.update(_date_fields(fields["published"]))
    if not meta.get("publisher") and fields.get("author"):
        meta["publisher"] = fields["author"]  # a named author says more than "Unknown publisher"
    return {key: value for key, value in meta.items() if value}


def parse_source(value: str) -> dict:
    """A `Source:` value as publisher, published, published_note and url.

    >>> meta = parse_source("NSPCC, 13 March 2025 (date from the page address), https://www.nspcc.org.uk/news/")
    >>> meta["publisher"], meta["published"], meta["published_note"], meta["url"]
    ('NSPCC', '2025-03-13', 'date from the page address', 'https://www.nspcc.org.uk/news/')
    """
    url = _URL.search(value)
    rest = (value[:url.start()] + value[url.end():]) if url else value
    meta = {"publisher": "", "url": url.group(0) if url else ""}
    date = find_date(rest)
    if date:
        after = rest[date.end:]
        note = re.match(r"\s*\(([^)]*)\)", after)
        meta.update(_date_fields(date.text))
        if note:
            meta["published_note"] = note.group(1).strip()
            after = after[note.end():]
        rest = rest[:date.start] + after
    meta["publisher"] = re.sub(r"\s*[,;]\s*(?=[,;]|$)", "", rest).strip(" ,;–—-")
    return meta


def _date_fields(value: str) -> dict:
    """published for a full date; a month or year alone is kept as a note, not completed."""
    date = find_date(value)
    if date and date.iso:
        return {"published": date.iso}
    return {"published_note": value.strip()}
