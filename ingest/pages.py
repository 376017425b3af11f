"""Page numbers for passages of a paginated document (a PDF): which page(s) each passage was taken from.

Cleaning and chunking work on the document's whole text, so a passage is placed back on its pages by
finding its opening and closing words in the pages' text (compared as lower-case words, which survives
the whitespace and line changes cleaning makes).
"""

from __future__ import annotations

import bisect
import re

from ingest.loaders import Page

_WORD = re.compile(r"\w+")
_PROBE_WORDS = 6  # enough words to be unique within a document, few enough to fall inside one line
_MAX_PROBES = 20  # a passage none of whose first 20 probes is found is not on these pages


class PageIndex:
    """The words of every page, in order, with the page each character offset belongs to.

    >>> index = PageIndex([Page("1", "Family help starts here."), Page("2", "Kinship care comes next.")])
    >>> index.locate("help starts here. Kinship care")
    '1-2'
    """

    def __init__(self, pages: list[Page]):
        self.labels = [page.label for page in pages]
        self.starts: list[int] = []
        parts: list[str] = []
        offset = 1  # the joined text opens with a space so every word is found as " word "
        for page in pages:
            self.starts.append(offset)
            words = " ".join(_words(page.text))
            parts.append(words)
            offset += len(words) + 1 if words else 0
        self.text = " " + " ".join(part for part in parts if part) + " "
        self.cursor = 0

    def locate(self, passage: str) -> str:
        """'45' or '45-46' for a passage (searched from where the previous passage started), '' if not found."""
        words = _words(passage)
        head = self._find(words, forward=True, start=self.cursor)
        if head is None:
            head = self._find(words, forward=True, start=0)  # a repeated lead-in sits before the cursor
        if head is None:
            return ""
        self.cursor = head - 1  # the next passage starts here or later
        tail = self._find(words, forward=False, start=head - 1)  # the probe opens with the space before it
        first = self._label(head)
        last = self._label(tail) if tail is not None else first
        return first if first == last else f"{first}-{last}"

    def _find(self, words: list[str], forward: bool, start: int) -> int | None:
        """Offset of the first (forward) or last word of the passage found, trying later probes if the
        passage's very first or last words were changed by cleaning."""
        size = min(_PROBE_WORDS, len(words))
        if not size:
            return None
        starts = range(0, len(words) - size + 1) if forward else range(len(words) - size, -1, -1)
        for i in list(starts)[:_MAX_PROBES]:
            probe = " " + " ".join(words[i:i + size]) + " "
            found = self.text.find(probe, start)
            if found >= 0:
                return found + 1 if forward else found + len(probe) - 2
        return None

    def _label(self, offset: int) -> str:
        return self.labels[max(0, bisect.bisect_right(self.starts, offset) - 1)]


def page_spans(passages: list[str], pages: list[Page]) -> list[str]:
    """For each passage, in reading order, its page label or range ("45", "45-46"; "" when not found)."""
    index = PageIndex(pages)
    return [index.locate(passage) for passage in passages]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())
