"""Sentences: spans into the original text (list items and lines count as sentences, abbreviations do
not end one), bullets, and cleaning a sentence of page chrome for display."""

from __future__ import annotations

import re

from assistant.text.tokens import STOPWORDS


_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sir", "st", "no", "nos", "vs", "etc", "e.g", "i.e", "cllr",
    "inc", "ltd", "co", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "para", "fig", "approx", "rt", "hon",
}
# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before whitespace and
# an opening quote, bracket, digit, bullet or capital letter.
_BOUNDARY = re.compile(r"([.!?…][\"'”’)\]]*)(\s+)(?=[\"'“‘(\[£$€0-9•A-Z])")
# An answer's citation markers, with the space before them: "… rose. [1]".
CITATION_MARKER = re.compile(r"\s*\[\d+\]")
_BULLET = re.compile(r"^\s*(?:[•·▪●◦‣∙*-]|\d{1,2}[.)])\s+")
TIME_NOUNS = r"(?:week|month|year|morning|afternoon|evening|spring|summer|autumn|winter)\b"
# Openings that lean on the sentence before: a contrast, or a pronoun whose antecedent is there ("This
# week", "This year" name a time, not something said before).
LEANS_BACK = re.compile(r"^[“\"‘']?(?:However|Instead|But|And|Rather|Also|Meanwhile|Moreover|This|That|These|Those|It|"
                        r"They|He|She|Its|Their|His|Her|Such|Both|The latter|The former)\b(?!\s+" + TIME_NOUNS + r")")


def is_bullet(line: str) -> bool:
    """True for list items: bullets or '1.' style numbering."""
    return bool(_BULLET.match(line))


def strip_bullet(line: str) -> str:
    """The list item's text without its bullet or number."""
    return _BULLET.sub("", line, count=1).strip()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in text; list items and lines ending a block count as sentences.

    >>> [text[a:b] for text in ["Dr. Munro spoke. It cost £2.6bn."] for a, b in sentence_spans(text)]
    ['Dr. Munro spoke.', 'It cost £2.6bn.']
    """
    spans: list[tuple[int, int]] = []
    offset = 0
    for block in text.split("\n"):
        if block.strip():
            spans.extend(_block_spans(block, offset))
        offset += len(block) + 1
    return spans


def _block_spans(block: str, offset: int) -> list[tuple[int, int]]:
    spans = []
    start = 0
    bullet = _BULLET.match(block)
    protected = bullet.end() if bullet else 0
    for match in _BOUNDARY.finditer(block):
        if match.start() < protected:  # the "1." of a numbered item is not a sentence end
            continue
        end = match.end(1)
        if _is_abbreviation(block[start:match.start(1) + 1]) or _inside_a_name(block, match):
            continue
        spans.append((start, end))
        start = match.end()
    spans.append((start, len(block.rstrip())))
    return [(offset + a + _lead(block[a:b]), offset + b) for a, b in spans if block[a:b].strip()]


def _lead(segment: str) -> int:
    return len(segment) - len(segment.lstrip())


def _inside_a_name(block: str, match: re.Match) -> bool:
    """A question or exclamation mark inside a name ("Who Cares? Scotland, has warned …"): a capitalised
    word before it and a capitalised word after it that is no sentence opener ("The", "It", "We" …).

    >>> [block[a:b] for block in ["Scottish charity, Who Cares? Scotland, has warned."] for a, b in _block_spans(block, 0)]
    ['Scottish charity, Who Cares? Scotland, has warned.']
    >>> [block[a:b] for block in ["Who cares? The council does."] for a, b in _block_spans(block, 0)]
    ['Who cares?', 'The council does.']
    """
    if match.group(1)[0] not in "?!":
        return False
    before = re.search(r"(\w[\w’'\-]*)$", block[:match.start(1)])
    after = re.match(r"([A-Z][\w’'\-]*)", block[match.end():])
    return bool(before and before.group(1)[0].isupper() and after and after.group(1).lower() not in STOPWORDS)


def _is_abbreviation(head: str) -> bool:
    words = head.rstrip(".").split()
    if not words or not head.endswith("."):
        return False
    last = words[-1].lower().strip("(“‘\"'")
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def sentences(text: str) -> list[str]:
    """The sentences of text, in order."""
    return [text[a:b] for a, b in sentence_spans(text)]
_URL = re.compile(r":?\s*\(?https?://\S+\)?")
_CHROME = re.compile(r"print friendly|sponsored content|most popular|newsletter|subscribe|donate|"
                     r"photo:|picture:|credit:|\]\]>|approached for comment|read more\b|click here|"
                     r"[\u3040-\u30ff\u3400-\u9fff]", re.I)
_END = re.compile(r"[.!?…][\"'”’)\]]*$|[”’\"]$")


def clean_sentence(sentence: str) -> str:
    """The sentence as it should be shown: no bullet, no URL, single spaces; '' if it is page chrome."""
    text = strip_bullet(sentence) if is_bullet(sentence) else sentence.strip()
    had_url = bool(_URL.search(text))
    text = " ".join(_URL.sub("", text).split()).strip()
    if _CHROME.search(text) or len(text.split()) < 6 or text.endswith(":"):
        return ""
    if had_url and not _END.search(text):
        text += "."
    return text if _END.search(text) else ""


def content_sentences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, cleaned text) for each sentence of a passage worth quoting."""
    out = []
    for start, end in sentence_spans(text):
        cleaned = clean_sentence(text[start:end])
        if cleaned:
            out.append((start, end, cleaned))
    return out
