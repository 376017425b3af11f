"""Cleaning: strip page chrome and injected junk line by line, keep every sentence of the article.

The rules are general (line classes, dominant script, duplicates), not a list of this corpus's
strings; each counts how many lines it removed or changed so `--stats` can report them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from assistant.text.tokens import normalise, word_count

_URL = r"https?://\S+"
_IMAGE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg)\b", re.I)

# Whole-line classes. Each pattern describes a kind of chrome, not a particular site's wording.
LINE_RULES: dict[str, list[re.Pattern]] = {
    "feed_markup": [
        re.compile(r"^\]\]>$|^<!\[CDATA\[$"),
        re.compile(rf"^{_URL}(?:\s|$)"),  # enclosure / comment-feed / bare link lines
        re.compile(rf"{_URL}#comments\b|{_URL}/feed/(?:\s|$)"),
    ],
    "comment_widget": [
        re.compile(r"\bYou are commenting using your\b.*\baccount\b", re.I),
        re.compile(r"^(?:Log Out(?: / Change \))?|Change \))$", re.I),
        re.compile(r"^Fill in your details below", re.I),
        re.compile(r"^Connecting to %s$|%d bloggers like this", re.I),
        re.compile(r"^\d+ comments? on\b[^.!?]*$|^Comments are closed\.?$|^COMMENTS can be added\b", re.I),
        re.compile(r"^\S{2,30} (?:Logo|picture|photo|avatar)$"),
        re.compile(r"^(?:Leave a (?:reply|comment)|Reply|Cancel reply|Post a comment)$", re.I),
    ],
    "share_chrome": [
        re.compile(r"^Print Friendly\b|^This entry was posted in\b.*\b(?:tagged|Bookmark)\b|Bookmark the permalink", re.I),
        re.compile(r"^Share (?:this|on)(?:\s+[^\s.!?]+){0,2}:?$|^(?:Tweet|Email|Print|Share)$", re.I),
        re.compile(r"^Sign up(?: for our newsletter\b.*)?$", re.I),
        re.compile(r"^(?:Support us|Donate(?: now)?|Live tweets|Subscribe)$", re.I),
        re.compile(r"\bone-off donation\b|\bmonthly direct debit\b", re.I),
        re.compile(r"^[^.]{0,80}: here\.?$", re.I),  # link stubs: "Read the full report: here"
    ],
    "job_ad": [
        re.compile(r"^(?:Salary:?\s*)?£\s?\d[\d,]*(?:\.\d+)?k?\s*(?:-|–|to)\s*£\s?\d[\d,]*(?:\.\d+)?k?"
                   r"(?:\s*(?:per (?:annum|year|hour)|a year|p\.?a\.?|pro rata)[^.!?]{0,30})?$", re.I),
    ],
    "promo_list": [
        re.compile(r"^(?:Most (?:popular|read)(?: articles| stories)?(?: today| this week)?|"
                   r"Sponsored(?: content| links)?|Featured (?:events?|jobs?|content)|"
                   r"Related (?:articles|stories|posts)|Trending(?: now)?|Recommended(?: for you)?|"
                   r"Advertisement|Latest jobs)$", re.I),
    ],
    "photo_credit": [
        re.compile(r"^(?:Photos?(?: posed by models?)?|Pictures?|Images?|Credits?)\s*:\s*\S.{0,80}(?<![.!?])$", re.I),
    ],
    "poll_notice": [
        re.compile(r"\bpoll (?:is )?embedded (?:within|in) this post\b", re.I),
    ],
    "breadcrumb": [
        re.compile(r"^(?:[^/.!?]{2,40} / ){2,}[^/.!?]{2,80}$"),
    ],
}

_GLUED_CAPTION = re.compile(r"^[a-z0-9][a-z0-9'’\- ]{1,40}[a-z0-9](?=[A-Z][a-z]+ )")
_LINK_STUB_TAIL = re.compile(r"\s+Read (?:at source|more|the [^.:]{1,40}): here\.?$", re.I)
_ELLIPSIS_END = re.compile(r"(?:…|\.\.\.|\[…\]|\[\.\.\.\])$")
_SENTENCE_END = re.compile(r"[.!?:;…\"”’)]$")

# Letters from these Unicode script names count as one script each for the dominant-script rule.
_SCRIPT_PREFIXES = ("LATIN", "CJK", "HIRAGANA", "KATAKANA", "HANGUL", "CYRILLIC", "ARABIC",
                    "HEBREW", "GREEK", "THAI", "DEVANAGARI", "BENGALI", "TAMIL", "ARMENIAN", "GEORGIAN")


@dataclass
class CleanResult:
    """Cleaned text and how many lines each rule removed or changed."""

    text: str
    removed: Counter = field(default_factory=Counter)


def clean_text(raw: str) -> CleanResult:
    """Apply every rule to one document's text and return what remains with per-rule counts."""
    removed: Counter = Counter()
    text = normalise(raw)
    text = strip_foreign_script(text, removed)
    lines = text.split("\n")
    credits = [i for i, line in enumerate(lines) if classify_line(line) == "photo_credit"]
    lines = _drop_line_classes(lines, removed)
    lines = _drop_caption_above_credit(lines, credits, removed)
    lines = _fix_inline_chrome(lines, removed)
    lines = _drop_captions(lines, removed)
    lines = _drop_duplicates(lines, removed)
    return CleanResult(text=_collapse_blank_lines(lines), removed=removed)


@functools.lru_cache(maxsize=4096)
def script_of(char: str) -> str | None:
    """The script of a letter (LATIN, CJK, CYRILLIC...), or None for digits, punctuation, spaces.
    Remembered per character: a document asks about each of its few hundred distinct characters
    thousands of times."""
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    for prefix in _SCRIPT_PREFIXES:
        if name.startswith(prefix):
            return prefix
    return "OTHER"


def dominant_script(text: str) -> str | None:
    """The script most of the letters in text are written in."""
    counts = Counter(script for script in map(script_of, text) if script)
    return counts.most_common(1)[0][0] if counts else None


def strip_foreign_script(text: str, removed: Counter) -> str:
    """Remove runs of letters (with digits inside them) not in the document's dominant script."""
    main = dominant_script(text)
    if main is None:
        return text
    out_lines = []
    for line in text.split("\n"):
        kept, changed = _strip_line(line, main)
        if changed:
            removed["foreign_script"] += 1
        out_lines.append(kept)
    return "\n".join(out_lines)


def _strip_line(line: str, main: str) -> tuple[str, bool]:
    if main == "LATIN" and line.isascii():  # every ASCII letter is Latin
        return line, False
    chars = list(line)
    foreign = [script_of(c) not in (None, main) for c in chars]
    if not any(foreign):
        return line, False
    keep = [True] * len(chars)
    i = 0
    while i < len(chars):
        if not foreign[i]:
            i += 1
            continue
        j = i
        last_foreign = i
        while j < len(chars) and (foreign[j] or chars[j].isdigit() or chars[j] in " ·-_"):
            if foreign[j]:
                last_foreign = j
            j += 1
        for k in range(i, last_foreign + 1):
            keep[k] = False
        i = last_foreign + 1
    kept = "".join(c for c, k in zip(chars, keep) if k)
    return re.sub(r" {2,}", " ", kept).strip(), True


def _drop_line_classes(lines: list[str], removed: Counter) -> list[str]:
    kept = []
    for line in lines:
        rule = classify_line(line)
        if rule:
            removed[rule] += 1
            kept.append("")
        else:
            kept.append(line)
    return kept


def classify_line(line: str) -> str | None:
    """The name of the chrome rule a whole line falls under, or None for content."""
    stripped = line.strip()
    if not stripped:
        return None
    for rule, patterns in LINE_RULES.items():
        if any(pattern.search(stripped) for pattern in patterns):
            if rule == "feed_markup" and stripped.startswith("http") and not _is_link_chrome(stripped):
                continue
            return rule
    return None


def _is_link_chrome(line: str) -> bool:
    """A line starting with a URL is chrome when it is only links, an image or a feed link."""
    rest = re.sub(_URL, "", line).strip()
    return not rest or bool(_IMAGE.search(line)) or "/feed/" in line or word_count(rest) <= 3


def _fix_inline_chrome(lines: list[str], removed: Counter) -> list[str]:
    fixed = []
    for line in lines:
        new = _GLUED_CAPTION.sub("", line)
        if new != line:
            removed["glued_caption"] += 1
        newer = _LINK_STUB_TAIL.sub("", new)
        if newer != new:
            removed["share_chrome"] += 1
        fixed.append(newer)
    return fixed


def _drop_caption_above_credit(lines: list[str], credits: list[int], removed: Counter) -> list[str]:
    """An image caption is a short sentence standing alone just above a photo credit."""
    out = list(lines)
    for index in credits:
        above = index - 1
        while above >= 0 and not out[above]:
            above -= 1
        before = above - 1
        if above < 0 or (before >= 0 and out[before]):
            continue
        line = out[above]
        if line.endswith(".") and word_count(line) <= 12:
            removed["caption_above_credit"] += 1
            out[above] = ""
    return out


def _is_caption_like(line: str) -> bool:
    return 0 < word_count(line) <= 12 and not line.endswith(":")


def _drop_captions(lines: list[str], removed: Counter) -> list[str]:
    """Short lines repeated in a document (image captions) and a short line just above a credit."""
    counts = Counter(line for line in lines if line and not _SENTENCE_END.search(line))
    out = list(lines)
    for i, line in enumerate(lines):
        if line and counts[line] > 1 and _is_caption_like(line):
            removed["repeated_caption"] += 1
            out[i] = ""
    return out


def _drop_duplicates(lines: list[str], removed: Counter) -> list[str]:
    """Later copies of a long line, and feed teasers that repeat the article's opening."""
    seen: set[str] = set()
    body = "\n".join(lines)
    out = []
    for line in lines:
        if line and word_count(line) >= 8 and line in seen:
            removed["duplicate_line"] += 1
            out.append("")
            continue
        if line and _ELLIPSIS_END.search(line) and _is_teaser(line, body):
            removed["duplicate_teaser"] += 1
            out.append("")
            continue
        seen.add(line)
        out.append(line)
    return out


def _is_teaser(line: str, body: str) -> bool:
    head = _ELLIPSIS_END.sub("", line).strip()
    probe = head[:80]
    return len(probe) >= 40 and body.count(probe) >= 2


def _collapse_blank_lines(lines: list[str]) -> str:
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"
