"""Split a news-feed dump (RSS items flattened to text) into one document per article."""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass

# An item header: <title> <link> [<comments link>] <RFC 822 date> <guid link>
_ITEM_HEADER = re.compile(
    r"^(?P<title>[^\n]*?)[ \t]+(?P<url>https?://\S+)(?:[ \t]+https?://\S+#comments)?[ \t]+"
    r"(?P<date>(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} \w{3} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4})"
    r"[ \t]+(?P<guid>https?://\S+\?p=\d+)[ \t]*$",
    re.M,
)


@dataclass
class FeedItem:
    """One article found in a feed dump."""

    title: str
    url: str
    published: str  # ISO date
    body: str


def split_feed(text: str, strip_title=lambda title: title) -> list[FeedItem]:
    """Find feed items in text; returns [] when the text is not a feed dump (fewer than two items).

    strip_title cleans a header's title (the dump may glue spam or the channel header before it).
    """
    headers = list(_ITEM_HEADER.finditer(text))
    if len(headers) < 2:
        return []
    items = []
    for index, header in enumerate(headers):
        end = headers[index + 1].start() if index + 1 < len(headers) else len(text)
        body = text[header.end():end]
        items.append(FeedItem(
            title=strip_title(header.group("title")),
            url=header.group("url"),
            published=_iso_date(header.group("date")),
            body=body.strip("\n"),
        ))
    return items


def _iso_date(rfc822: str) -> str:
    return email.utils.parsedate_to_datetime(rfc822).date().isoformat()
