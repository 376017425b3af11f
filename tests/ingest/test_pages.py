"""A PDF's chunks carry the page(s) they come from, read from a real multi-page PDF made for the test."""

import pytest

from ingest.chunk import chunk_document
from ingest.documents import load_corpus
from ingest.loaders import Page
from ingest.pages import page_spans
from tests.ingest.samples import multi_page_pdf

# Each page holds its own topic, in lines of text as a PDF lays them out.
PAGES = [
    ["Kinship care", "Kinship carers will receive a new allowance in every local authority area.",
     "The allowance is paid from the first week a child moves in with a relative.",
     "Councils must publish their kinship offer and review it every year with carers."],
    ["Regional care co-operatives", "Regional care co-operatives will plan and commission placements.",
     "Each co-operative covers several councils and reports to their directors.",
     "Two pathfinder areas test the model before any national roll-out is decided."],
    ["Workforce", "An early career framework gives newly qualified social workers two years of support.",
     "Agency social workers may not be used in the first period of a new placement.",
     "National rules on agency pay limit what councils pay for temporary staff."],
]


def _pdf_corpus(tmp_path, **pdf_options):
    (tmp_path / "reforms.pdf").write_bytes(multi_page_pdf(PAGES, title="Stable homes", author="Example Trust",
                                                          **pdf_options))
    return load_corpus(tmp_path).documents[0]


@pytest.mark.unit
def test_each_chunk_of_a_pdf_carries_the_page_it_comes_from(tmp_path):
    document = _pdf_corpus(tmp_path)
    chunks = chunk_document(document, chunk_words=40)
    assert len(chunks) >= 3
    for chunk in chunks:
        assert chunk.metadata["pages"] == _pages_holding(chunk.text), chunk.text
    covered = {page for chunk in chunks for page in chunk.metadata["pages"].split("-")}
    assert covered == {"1", "2", "3"}
    assert any("-" not in chunk.metadata["pages"] for chunk in chunks)


def _pages_holding(text: str) -> str:
    """'2', or '1-2' when the text holds lines of both pages (what the chunk's metadata should say)."""
    found = [n for n, lines in enumerate(PAGES, start=1) if any(line in text for line in lines)]
    return str(found[0]) if found[0] == found[-1] else f"{found[0]}-{found[-1]}"


@pytest.mark.unit
def test_a_chunk_running_over_a_page_break_names_both_pages(tmp_path):
    chunks = chunk_document(_pdf_corpus(tmp_path), chunk_words=1000)
    assert [chunk.metadata["pages"] for chunk in chunks] == ["1-3"]


@pytest.mark.unit
def test_pages_are_numbered_as_the_document_prints_them(tmp_path):
    # A cover labelled 'i' before page 1: "Kinship care" is printed on page 1, the third topic on page 3.
    cover = [["Stable homes, built on love"]]
    (tmp_path / "reforms.pdf").write_bytes(multi_page_pdf(cover + PAGES, labels_from=1))
    chunks = chunk_document(load_corpus(tmp_path).documents[0], chunk_words=40)
    on_page = {chunk.metadata["pages"] for chunk in chunks if "agency pay" in chunk.text}
    assert on_page == {"3"}


@pytest.mark.unit
def test_chunks_of_text_files_carry_no_pages(tmp_path):
    (tmp_path / "note.txt").write_text("A note\n\n" + " ".join(PAGES[0][1:]) + "\n", encoding="utf-8")
    chunks = chunk_document(load_corpus(tmp_path).documents[0])
    assert chunks and all("pages" not in chunk.metadata for chunk in chunks)


@pytest.mark.unit
def test_page_spans_follow_reading_order_and_survive_changed_whitespace():
    pages = [Page("7", "Alpha beta gamma delta epsilon zeta.\nEta theta."), Page("8", "Iota kappa lambda mu nu xi.")]
    passages = ["Alpha beta  gamma delta\nepsilon zeta.", "Eta theta. Iota kappa lambda", "Mu nu xi.", "Omicron pi."]
    assert page_spans(passages, pages) == ["7", "7-8", "8", ""]
