"""Document metadata: what each file states, the manifest over it, and "Unknown publisher" only as a last resort."""

import re
from pathlib import Path

import pytest

from ingest.dates import find_date
from ingest.documents import load_corpus

REPO = Path(__file__).resolve().parents[2]
DEV_EXTERNAL = REPO.parent / "shared" / "corpora" / "dev-external"
BODY = "Family help brings together early help and child in need services in one local offer."


def _only_document(folder: Path):
    corpus = load_corpus(folder)
    assert not corpus.skipped, corpus.skipped
    [document] = corpus.documents
    return document


@pytest.mark.unit
def test_the_manifest_overrides_what_the_file_states(tmp_path):
    (tmp_path / "paper.txt").write_text(
        f"Family help explained\nSource: Example Trust, 2 May 2024, https://example.org/a\n\n{BODY}\n",
        encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text("paper.txt:\n  publisher: Example Trust (policy team)\n"
                                            "  published: 2024-05-03\n", encoding="utf-8")
    document = _only_document(tmp_path)
    assert (document.title, document.publisher, document.published, document.url) == (
        "Family help explained", "Example Trust (policy team)", "2024-05-03", "https://example.org/a")


@pytest.mark.unit
def test_the_manifest_can_withdraw_a_date_the_file_states(tmp_path):
    (tmp_path / "paper.txt").write_text(f"Family help explained\nDate: 2 May 2024\n\n{BODY}\n", encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text("paper.txt:\n  published: null\n", encoding="utf-8")
    assert _only_document(tmp_path).published is None


@pytest.mark.unit
@pytest.mark.parametrize("name, content, publisher", [
    ("plain.txt", f"Family help explained\n\n{BODY}\n", "Unknown publisher"),
    ("byline.txt", f"Family help explained\nBy Jo Perrin\n\n{BODY}\n", "Jo Perrin"),
    ("source.md", f"# Family help explained\nSource: Example Trust\n\n{BODY}\n", "Example Trust"),
    ("page.html", f"<html><head><meta property='og:site_name' content='Example Trust'></head><body><p>{BODY}</p>"
                  "</body></html>", "Example Trust"),
])
def test_unknown_publisher_only_when_nothing_names_one(tmp_path, name, content, publisher):
    (tmp_path / name).write_text(content, encoding="utf-8")
    assert _only_document(tmp_path).publisher == publisher


def _readme_table() -> list[dict]:
    """The dev-external README's table of documents: file, title, publisher, date and URL as published."""
    rows = []
    for line in (DEV_EXTERNAL / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].startswith("`") and cells[0].endswith(".txt`"):
            rows.append(dict(zip(("file", "title", "publisher", "date", "url"), [cells[0].strip("`"), *cells[1:5]])))
    return rows


def _organisation(publisher: str) -> str:
    """A publisher without its bracketed qualifier ('Adoption UK (blog)' -> 'Adoption UK')."""
    return re.sub(r"\s*\(.*\)$", "", publisher).strip()


@pytest.mark.unit
@pytest.mark.skipif(not DEV_EXTERNAL.is_dir(), reason="the shared dev-external corpus is not next to the repository")
def test_dev_external_metadata_matches_its_readme():
    table = _readme_table()
    assert len(table) == 15
    documents = {document.file: document for document in load_corpus(DEV_EXTERNAL / "corpus").documents}
    for row in table:
        document = documents[row["file"]]
        shown = find_date(row["date"])
        assert document.title == row["title"], row["file"]
        assert document.url == row["url"], row["file"]
        assert document.published == (shown.iso if shown else None), row["file"]
        assert _organisation(document.publisher) == _organisation(row["publisher"]), row["file"]
        header_line = (DEV_EXTERNAL / "corpus" / row["file"]).read_text(encoding="utf-8").splitlines()[1]
        assert header_line.startswith("Source:") and header_line not in document.text, row["file"]
        assert row["url"] not in document.text, row["file"]
