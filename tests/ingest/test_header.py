"""A text file's header block and front matter become metadata, never a title line or body text."""

from pathlib import Path

import pytest

from ingest.dates import find_date, iso_date
from ingest.documents import load_corpus
from ingest.header import parse_source, read_header

BODY = "Family help brings together early help and child in need services in one local offer."


@pytest.mark.unit
@pytest.mark.parametrize("header, expected", [
    ("Family help explained\nSource: Example Trust, 2 May 2024, https://example.org/family-help",
     {"title": "Family help explained", "publisher": "Example Trust", "published": "2024-05-02",
      "url": "https://example.org/family-help"}),
    ("Family help explained\nSource: Example Trust (blog), https://example.org/family-help",
     {"title": "Family help explained", "publisher": "Example Trust (blog)", "url": "https://example.org/family-help"}),
    ("Family help explained\nPublisher: Example Trust\nPublished: 2024-05-02\nURL: https://example.org/a",
     {"title": "Family help explained", "publisher": "Example Trust", "published": "2024-05-02",
      "url": "https://example.org/a"}),
    ("Family help explained\nDate: May 2, 2024\nBy Jo Perrin",
     {"title": "Family help explained", "publisher": "Jo Perrin", "published": "2024-05-02"}),
    ("# Family help explained\n\n**Author:** Jo Perrin\n**Link:** https://example.org/a\n**Date:** 02/05/2024",
     {"title": "Family help explained", "publisher": "Jo Perrin", "url": "https://example.org/a",
      "published": "2024-05-02"}),
    ("---\ntitle: Family help explained\npublisher: Example Trust\ndate: 2024-05-02\nurl: https://example.org/a\n---",
     {"title": "Family help explained", "publisher": "Example Trust", "published": "2024-05-02",
      "url": "https://example.org/a"}),
    ("---\ntitle: 'Family help: explained'\nauthors: [Jo Perrin, Sam Lee]\n---\n",
     {"title": "Family help: explained", "publisher": "Jo Perrin, Sam Lee"}),
])
def test_each_header_convention_gives_title_publisher_date_url_and_leaves_the_body(header, expected):
    body, meta = read_header(f"{header}\n\n{BODY}\n")
    assert meta == expected
    assert body.strip() == BODY


@pytest.mark.unit
def test_a_header_line_is_never_the_title():
    body, meta = read_header(f"Source: Example Trust, 2 May 2024, https://example.org/a\n\n{BODY}\n")
    assert "title" not in meta and meta["publisher"] == "Example Trust"
    assert body.strip() == BODY


@pytest.mark.unit
def test_a_month_without_a_day_is_a_note_not_an_invented_date():
    _, meta = read_header(f"Family help explained\nPublished: March 2025\n\n{BODY}")
    assert "published" not in meta and meta["published_note"] == "March 2025"


@pytest.mark.unit
def test_a_note_after_the_date_is_kept_as_a_note():
    meta = parse_source("NSPCC, 13 March 2025 (date from the page address), https://example.org/2025/03/13/plan/")
    assert meta == {"publisher": "NSPCC", "url": "https://example.org/2025/03/13/plan/",
                    "published": "2025-03-13", "published_note": "date from the page address"}


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    f"Family help explained\n\n{BODY}\n",  # a title line alone: no header block
    f"By 2020 they envisage:\n• every social worker accredited\n\n{BODY}\n",  # 'By' opening a sentence
    f"{BODY}\nSource: Example Trust, https://example.org/a\n",  # a paragraph, not a title, above it
])
def test_text_without_a_header_block_is_left_as_it_is(text):
    body, meta = read_header(text)
    assert body == text and meta == {}


@pytest.mark.unit
@pytest.mark.parametrize("text, iso", [
    ("2024-11-18T10:00:00Z", "2024-11-18"), ("5th September 2018", "2018-09-05"),
    ("September 5, 2018", "2018-09-05"), ("05/09/2018", "2018-09-05"), ("2023/05/16", "2023-05-16"),
    ("31 February 2024", ""), ("2018", ""), ("", ""),
])
def test_dates_are_normalised_to_iso_and_only_full_dates_count(text, iso):
    assert iso_date(text) == iso


@pytest.mark.unit
def test_find_date_reports_where_the_date_is():
    found = find_date("Coram Voice, 13 March 2025, https://example.org")
    assert (found.iso, found.text) == ("2025-03-13", "13 March 2025")


@pytest.mark.unit
def test_header_lines_never_reach_a_chunk_and_the_page_keeps_its_own_headline(tmp_path):
    (tmp_path / "paper.txt").write_text(
        "Charity hires 1,000 recruits\nSource: Example Trust, 2 May 2024, https://example.org/a\n\n"
        f"Charity hires 1,000 recruits\n\n{BODY}\n", encoding="utf-8")
    document = load_corpus(tmp_path).documents[0]
    assert (document.title, document.publisher, document.published, document.url) == (
        "Charity hires 1,000 recruits", "Example Trust", "2024-05-02", "https://example.org/a")
    assert "Source:" not in document.text and "https://" not in document.text
    # the header's title line is metadata; the page's own headline opening the body is its text, once
    # (it may state the news itself, which no later sentence repeats)
    assert document.text.startswith("Charity hires 1,000 recruits\n") and BODY in document.text
    assert document.text.count("Charity hires 1,000 recruits") == 1


@pytest.mark.unit
def test_markdown_front_matter_and_heading_title(tmp_path):
    (tmp_path / "note.md").write_text(
        f"---\npublisher: Example Trust\ndate: 2024-05-02\n---\n# Family help explained\n\n{BODY}\n",
        encoding="utf-8")
    document = load_corpus(tmp_path).documents[0]
    assert (document.title, document.publisher, document.published) == (
        "Family help explained", "Example Trust", "2024-05-02")
    assert "#" not in document.text and "publisher:" not in document.text


@pytest.mark.unit
def test_windows_line_endings_are_read_too(tmp_path):
    path = tmp_path / "paper.txt"
    header = "Family help explained\r\nSource: Example Trust, https://example.org/a\r\n\r\n"
    path.write_bytes(f"{header}{BODY}\r\n".encode())
    document = load_corpus(tmp_path).documents[0]
    assert (document.title, document.publisher, document.url) == (
        "Family help explained", "Example Trust", "https://example.org/a")
    assert Path(document.file).name == "paper.txt"
