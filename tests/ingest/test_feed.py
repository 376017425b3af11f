"""The feed dump splits into one document per article, each with its own title, URL and date."""

import pytest

from ingest.feed import split_feed
from tests.conftest import CORPUS

FEED = CORPUS / "003_c985c6be07385037.txt"


@pytest.mark.unit
def test_feed_dump_holds_ten_articles_with_their_own_metadata():
    items = split_feed(FEED.read_text(encoding="utf-8"))
    assert len(items) == 10
    assert [item.published for item in items][:3] == ["2024-10-31", "2024-10-14", "2024-06-12"]
    assert all(item.url.startswith("https://www.communitycare.co.uk/20") for item in items)
    assert len({item.url for item in items}) == 10


@pytest.mark.unit
def test_plain_text_is_not_a_feed():
    assert split_feed("A title\n\nSome text https://example.org about things.\n") == []
