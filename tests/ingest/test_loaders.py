"""Loaders read every supported format; bad files are skipped with a reason, good ones still load."""

from pathlib import Path

import pytest

from ingest.documents import load_corpus
from ingest.loaders import UnreadableFile, load_file
from tests.ingest.samples import encrypted_pdf, multi_page_pdf, sectioned_word_document, text_pdf, word_document

PARAGRAPH = "The Department for Education published a policy paper on family help and kinship care."


@pytest.mark.unit
def test_pdf_text_is_extracted():
    loaded = load_file(Path("paper.pdf"), text_pdf("Family help is at the heart of the reforms."))
    assert "Family help is at the heart of the reforms." in loaded.text


@pytest.mark.unit
def test_docx_keeps_headings_and_bullets_and_states_its_title():
    data = word_document("Keeping children safe", "Family help", [PARAGRAPH], ["First point", "Second point"])
    loaded = load_file(Path("paper.docx"), data)
    assert "Family help" in loaded.text and PARAGRAPH in loaded.text
    assert "• First point" in loaded.text
    assert loaded.meta["title"] == "Keeping children safe"
    assert loaded.meta["publisher"] == "Department for Education"


@pytest.mark.unit
def test_html_is_reduced_to_text_without_scripts_or_handlers():
    html = ("<html><head><title>T</title><meta property='og:site_name' content='Gov'>"
            "<meta property='article:published_time' content='2024-11-18T10:00:00Z'>"
            "<script>alert(1)</script><style>p{}</style></head><body><nav>Menu</nav><article>"
            f"<h1>Heading</h1><p onclick='steal()'>{PARAGRAPH}</p><ul><li>One</li></ul>"
            "<img src=x onerror='alert(2)'></article></body></html>")
    loaded = load_file(Path("page.html"), html.encode())
    assert PARAGRAPH in loaded.text and "• One" in loaded.text
    for bad in ("alert", "<script", "onerror", "onclick", "Menu", "p{}"):
        assert bad not in loaded.text
    assert loaded.meta["published"] == "2024-11-18" and loaded.meta["publisher"] == "Gov"


@pytest.mark.unit
@pytest.mark.parametrize("name, data, reason", [
    ("empty.txt", b"", "empty"),
    ("blank.md", b"   \n\n", "empty"),
    ("binary.txt", b"\x00\x01\x02PNG\x00" * 50, "binary"),
    ("latin1.txt", "Caf\xe9 society".encode("latin-1"), "UTF-8"),
    ("corrupt.pdf", b"%PDF-1.4\nthis is not really a pdf", "corrupt"),
    ("locked.pdf", None, "encrypted"),
    ("corrupt.docx", b"PK\x03\x04 broken zip", "corrupt"),
])
def test_bad_files_are_refused_with_a_reason(name, data, reason):
    data = encrypted_pdf("secret text") if data is None else data
    with pytest.raises(UnreadableFile, match=reason):
        load_file(Path(name), data)


@pytest.mark.unit
def test_corpus_skips_bad_files_names_them_and_indexes_duplicates_once(tmp_path):
    (tmp_path / "good.txt").write_text(f"Good article\n\n{PARAGRAPH}\n", encoding="utf-8")
    (tmp_path / "copy-of-good.txt").write_text(f"Good article\n\n{PARAGRAPH}\n", encoding="utf-8")
    (tmp_path / "paper.pdf").write_bytes(text_pdf("A second paper about regional care co-operatives."))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / "locked.pdf").write_bytes(encrypted_pdf("hidden"))
    corpus = load_corpus(tmp_path)
    assert sorted(d.file for d in corpus.documents) == ["copy-of-good.txt", "paper.pdf"] or \
        sorted(d.file for d in corpus.documents) == ["good.txt", "paper.pdf"]
    reasons = {s.file: s.reason for s in corpus.skipped}
    assert "empty" in reasons["empty.txt"]
    assert "unsupported" in reasons["image.png"]
    assert "encrypted" in reasons["locked.pdf"]
    assert any("duplicate of" in reason for reason in reasons.values())


@pytest.mark.unit
def test_html_states_title_publisher_date_and_url_in_its_meta_tags():
    html = ("<html><head><title>Family help explained | Example Trust</title>"
            "<meta name='citation_publisher' content='Example Trust'>"
            "<meta name='DC.date' content='2024-05-02'>"
            "<meta name='description' content='What family help is.'>"
            "<link rel='canonical' href='https://example.org/family-help'>"
            f"</head><body><main><h1>Family help explained</h1><p>{PARAGRAPH}</p></main></body></html>")
    meta = load_file(Path("page.html"), html.encode()).meta
    assert meta == {"title": "Family help explained", "publisher": "Example Trust", "published": "2024-05-02",
                    "url": "https://example.org/family-help"}


@pytest.mark.unit
def test_html_open_graph_tags_and_an_author_when_no_publisher_is_named():
    html = ("<html><head><title>Page</title><meta property='og:title' content='Kinship care'>"
            "<meta property='og:url' content='https://example.org/kinship'>"
            "<meta name='author' content='Jo Perrin'></head>"
            f"<body><p>{PARAGRAPH}</p><time datetime='2023-02-07T09:00'>7 Feb</time></body></html>")
    meta = load_file(Path("page.html"), html.encode()).meta
    assert meta == {"title": "Kinship care", "publisher": "Jo Perrin", "url": "https://example.org/kinship",
                    "published": "2023-02-07"}


@pytest.mark.unit
def test_html_headings_are_marked_so_the_chunker_can_trust_them():
    html = f"<html><body><article><h2>Family   help</h2><p>{PARAGRAPH}</p></article></body></html>"
    assert "## Family help" in load_file(Path("page.html"), html.encode()).text


@pytest.mark.unit
def test_word_headings_are_marked_and_a_python_docx_template_date_is_not_a_publication_date():
    loaded = load_file(Path("paper.docx"), sectioned_word_document(
        "Stable homes", "Department for Education", {"Family help": [PARAGRAPH]}))
    assert "# Stable homes" in loaded.text and "## Family help" in loaded.text
    assert loaded.meta == {"title": "Stable homes", "publisher": "Department for Education"}


@pytest.mark.unit
def test_pdf_states_title_author_and_creation_date_and_keeps_its_pages():
    loaded = load_file(Path("paper.pdf"), multi_page_pdf(
        [["Cover page"], ["First page of the report."], ["Second page of the report."]],
        title="Stable homes, built on love", author="Department for Education", labels_from=1))
    assert loaded.meta["title"] == "Stable homes, built on love"
    assert loaded.meta["publisher"] == "Department for Education"
    assert len(loaded.meta["published"]) == 10  # the file's creation date, as an ISO date
    assert [page.label for page in loaded.pages] == ["i", "1", "2"]
    assert "Second page of the report." in loaded.pages[2].text
