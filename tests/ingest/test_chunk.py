"""Chunking keeps a list with its lead-in, tags sections, and never exceeds the size limit."""

import pytest

from ingest.chunk import chunk_document
from ingest.documents import SourceDocument


def _document(text: str) -> SourceDocument:
    return SourceDocument(source_id="doc-a", title="A title", publisher="Pub", published="2023-02-10",
                          url="https://example.org/a", file="a.txt", text=text)


LIST_TEXT = """Opening paragraph that sets the scene for the reforms being discussed here.

Three central aims were set out:

1. Improving the skills and capacity of the social work workforce at all levels;
2. Creating working environments in which quality and innovation are key; and
3. Streamlining governance and accountability.

Family help

The approach involves providing families in need with multidisciplinary support designed to resolve issues.
"""


@pytest.mark.unit
def test_list_keeps_its_lead_in():
    chunks = chunk_document(_document(LIST_TEXT), chunk_words=30)
    holding = [c for c in chunks if "Three central aims were set out:" in c.text]
    assert len(holding) == 1
    assert "3. Streamlining governance" in holding[0].text


@pytest.mark.unit
def test_section_heading_is_metadata_and_ids_are_deterministic():
    first = chunk_document(_document(LIST_TEXT), chunk_words=30)
    second = chunk_document(_document(LIST_TEXT), chunk_words=30)
    assert [c.id for c in first] == [c.id for c in second] == [f"doc-a#{i:03d}" for i in range(len(first))]
    family = [c for c in first if "multidisciplinary" in c.text][0]
    assert family.metadata["section"] == "Family help"
    assert family.metadata["published"] == "2023-02-10" and family.metadata["title"] == "A title"


@pytest.mark.unit
def test_no_chunk_exceeds_the_limit_and_no_text_is_lost():
    long_paragraph = " ".join(f"Sentence number {i} says something about reform." for i in range(400))
    chunks = chunk_document(_document(long_paragraph), chunk_words=120, max_chars=800)
    assert all(len(c.text) <= 800 for c in chunks)
    assert " ".join(c.text for c in chunks).split() == long_paragraph.split()


@pytest.mark.unit
def test_lines_without_blank_lines_between_them_are_separate_paragraphs():
    lines = [f"Paragraph {i} says something about the reforms and what the sector thinks of them today." for i in range(12)]
    chunks = chunk_document(_document("\n".join(lines)), chunk_words=40)
    assert len(chunks) > 1 and all(len(c.text.split()) <= 40 for c in chunks)
    assert "\n\n".join(c.text for c in chunks).split() == "\n".join(lines).split()


@pytest.mark.unit
def test_a_long_list_is_cut_between_items_and_each_part_keeps_the_lead_in():
    items = [f"• Point {i}: the strategy sets out a measure on topic {i} with funding and a timetable." for i in range(12)]
    chunks = chunk_document(_document("DfE social care strategy: key points\n" + "\n".join(items)), chunk_words=40)
    assert len(chunks) > 2
    assert all(c.text.startswith("DfE social care strategy: key points\n•") for c in chunks)
    assert [line for c in chunks for line in c.text.split("\n")[1:]] == items


@pytest.mark.unit
def test_a_list_up_to_twice_the_chunk_size_stays_whole():
    chunks = chunk_document(_document(LIST_TEXT), chunk_words=20)  # the list with its lead-in is 33 words
    holding = [c for c in chunks if "Three central aims were set out:" in c.text]
    assert len(holding) == 1 and "1. Improving" in holding[0].text and "3. Streamlining" in holding[0].text


@pytest.mark.unit
def test_a_short_lead_paragraph_stays_with_the_paragraph_after_it():
    lead = "However, UNISON has major concerns over the approach taken by the Government."
    detail = " ".join(["There is no mention of how sustained cuts to council budgets added to the pressures."] * 4)
    text = f"{' '.join(['An opening paragraph about the reforms.'] * 8)}\n\n{lead}\n\n{detail}"
    chunks = chunk_document(_document(text), chunk_words=40)
    holding = [c for c in chunks if lead in c.text]
    assert len(holding) == 1 and detail in holding[0].text


@pytest.mark.unit
def test_the_embedded_text_names_the_publisher_title_and_section():
    chunk = chunk_document(_document(LIST_TEXT), chunk_words=30)[-1]
    assert chunk.embed_text.split("\n")[:3] == ["Pub", "A title", "Family help"]
    assert chunk.embed_text.endswith(chunk.text)


SECTIONS = {
    "Family help": ["Family help brings early help and child in need support into one local service for families.",
                    "Each council sets up multidisciplinary teams that stay with a family from first contact."],
    "Kinship care": ["Kinship carers get a new allowance and training in every local authority area.",
                     "Short line without a full stop",
                     "A kinship champion in each council makes sure carers know what support they can ask for."],
}


@pytest.mark.unit
def test_word_chunks_carry_the_heading_they_sit_under(tmp_path):
    from ingest.documents import load_corpus
    from tests.ingest.samples import sectioned_word_document

    (tmp_path / "paper.docx").write_bytes(sectioned_word_document("Stable homes", "Example Trust", SECTIONS))
    chunks = chunk_document(load_corpus(tmp_path).documents[0], chunk_words=30)
    for chunk in chunks:
        heading = next(name for name, paragraphs in SECTIONS.items() if paragraphs[0][:30] in chunk.text
                       or paragraphs[-1][:30] in chunk.text)
        # a short line inside a section is not taken for a heading when the file marks its headings
        assert chunk.metadata["section"] == heading and chunk.metadata["section_marked"] is True
    assert "Stable homes" not in " ".join(chunk.text for chunk in chunks)  # the title heading is the title


@pytest.mark.unit
def test_html_chunks_carry_the_heading_they_sit_under(tmp_path):
    from ingest.documents import load_corpus

    body = "".join(f"<h2>{name}</h2>" + "".join(f"<p>{p}</p>" for p in paragraphs)
                   for name, paragraphs in SECTIONS.items())
    (tmp_path / "page.html").write_text(f"<html><head><title>Stable homes</title></head><body><article>"
                                        f"<h1>Stable homes</h1>{body}</article></body></html>", encoding="utf-8")
    chunks = chunk_document(load_corpus(tmp_path).documents[0], chunk_words=30)
    sections = [(chunk.metadata["section"], chunk.metadata.get("section_marked")) for chunk in chunks]
    assert sections[0] == ("Family help", True) and sections[-1] == ("Kinship care", True)
    assert all(chunk.metadata["section"] in SECTIONS for chunk in chunks)


@pytest.mark.unit
def test_guessed_headings_of_a_text_file_are_not_marked():
    chunks = chunk_document(_document(LIST_TEXT), chunk_words=30)
    family = [chunk for chunk in chunks if chunk.metadata["section"] == "Family help"]
    assert family and all("section_marked" not in chunk.metadata for chunk in chunks)


@pytest.mark.unit
def test_a_marked_heading_repeating_the_title_is_not_shown_as_a_section(tmp_path):
    from ingest.documents import load_corpus

    paragraphs = "".join(f"<p>{p}</p>" for p in SECTIONS["Family help"])
    (tmp_path / "page.html").write_text("<html><head><title>Stable homes</title></head><body><main>"
                                        "<p>A briefing for carers, published by the council.</p>"
                                        f"<h1>Stable homes</h1>{paragraphs}</main></body></html>", encoding="utf-8")
    chunks = chunk_document(load_corpus(tmp_path).documents[0], chunk_words=30)
    assert any(chunk.metadata["section"] == "Stable homes" for chunk in chunks)
    assert not any(chunk.metadata.get("section_marked") for chunk in chunks)
