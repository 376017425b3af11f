"""Citations show where in a long document a passage sits: "p. 45" for a PDF, "§ Family help" for a heading."""

import pytest

from assistant import ui
from assistant.briefing.export import to_html, to_markdown
from assistant.models import Answer, Citation, locator
from tests.ingest.samples import multi_page_pdf, sectioned_word_document


def _citation(locator_text: str) -> Citation:
    return Citation(n=1, source_id="s", title="Stable homes", publisher="Example Trust", url="https://example.org/a",
                    published="2024-05-02", text="Kinship carers get an allowance.", locator=locator_text)


@pytest.mark.unit
@pytest.mark.parametrize("metadata, expected", [
    ({"pages": "45"}, "p. 45"),
    ({"pages": "45-46"}, "pp. 45-46"),
    ({"pages": "iv", "section": "Foreword", "section_marked": True}, "p. iv"),  # the page says more
    ({"section": "Family help", "section_marked": True}, "§ Family help"),
    ({"section": "Family help"}, ""),  # a heading the chunker only guessed is not shown
    ({}, ""),
])
def test_locator_from_chunk_metadata(metadata, expected):
    assert locator(metadata) == expected


@pytest.mark.unit
def test_the_reference_line_shows_the_locator_after_the_date():
    assert _citation("p. 45").reference() == "[1] Stable homes. Example Trust, 2024-05-02, p. 45. https://example.org/a"
    assert _citation("").reference() == "[1] Stable homes. Example Trust, 2024-05-02. https://example.org/a"
    answer = Answer(status="answered", answer="Kinship carers get an allowance. [1]",
                    citations=[_citation("§ Kinship care")])
    assert "Example Trust, 2024-05-02, § Kinship care." in answer.as_text()


@pytest.mark.unit
def test_the_sources_panel_shows_the_locator_escaped():
    shown = ui.citation_html(_citation("§ Care <b>& support</b>"), turn=0)
    assert "Example Trust · 2024-05-02 · § Care &lt;b&gt;&amp; support&lt;/b&gt;" in shown


@pytest.mark.unit
def test_briefing_exports_show_a_reference_locator():
    class Briefing:
        title, generated, corpus_version, notes, sections = "Briefing: care", "2024-05-02", "v", [], []
        references = [_citation("p. 45")]

    assert "1. Stable homes. Example Trust, 2024-05-02, p. 45. https://example.org/a" in to_markdown(Briefing())
    assert "Example Trust, 2024-05-02, p. 45." in to_html(Briefing())


PAGES = [
    ["Introduction", "This paper sets out how children's social care will change over the next four years.",
     "It was written with councils, carers and young people across the country."],
    ["Kinship care", "Every kinship carer will be paid a weekly allowance of ninety pounds from April.",
     "The allowance is paid from the first week a child moves in with a relative."],
    ["Workforce", "Newly qualified social workers will follow a two year early career framework.",
     "Agency staff will not be used in the first weeks of a placement."],
]
SECTIONS = {
    "Fostering": ["A fostering recruitment campaign will run in every region for three years.",
                  "Foster carers will get a higher minimum allowance each year."],
    "Residential care": ["Ofsted will inspect children's homes owned by large providers as groups.",
                         "Profit caps for private providers were considered and rejected."],
}


@pytest.fixture(scope="module")
def paper_bot(tmp_path_factory, embedder):
    """The real assistant over a corpus of one multi-page PDF and one Word document with headings."""
    from assistant.assembly import build_assistant
    from assistant.settings import Settings
    from ingest.pipeline import run_ingest

    corpus = tmp_path_factory.mktemp("papers")
    (corpus / "paper.pdf").write_bytes(multi_page_pdf(PAGES, title="Care reform paper", author="Example Trust"))
    (corpus / "plan.docx").write_bytes(sectioned_word_document("Care plan", "Example Council", SECTIONS))
    settings = Settings(corpus_dir=corpus, store_dir=tmp_path_factory.mktemp("papers-store"), chunk_words=30)
    run_ingest(settings, embedder=embedder)
    return build_assistant(settings, embedder=embedder)


@pytest.mark.integration
def test_an_answer_from_a_pdf_cites_its_page(paper_bot):
    answer = paper_bot.ask("How much is the weekly allowance for kinship carers?")
    assert answer.status == "answered" and "ninety pounds" in answer.answer
    cited = next(c for c in answer.citations if "ninety pounds" in c.text)
    assert cited.locator == _printed_pages(cited.text) and "2" in cited.locator
    assert f"[{cited.n}] Care reform paper. Example Trust, " in answer.as_text()
    assert f", {cited.locator}." in answer.as_text()


def _printed_pages(passage: str) -> str:
    """'p. 2', or 'pp. 2-3' for a passage holding lines of both pages."""
    found = [n for n, lines in enumerate(PAGES, start=1) if any(line in passage for line in lines)]
    return f"p. {found[0]}" if found[0] == found[-1] else f"pp. {found[0]}-{found[-1]}"


@pytest.mark.integration
def test_an_answer_from_a_word_document_cites_its_section(paper_bot):
    answer = paper_bot.ask("How will Ofsted inspect children's homes owned by large providers?")
    assert answer.status == "answered"
    cited = next(c for c in answer.citations if "Ofsted will inspect" in c.text)
    assert cited.locator == "§ Residential care"
    assert "§ Residential care" in ui.citation_html(cited, turn=0)


@pytest.mark.unit
def test_a_passage_is_cited_with_its_sentence_offsets_and_its_page():
    from assistant.answering.citations import cite_passage, make_citation
    from assistant.models import Passage

    text = "Kinship carers get an allowance. It starts in 2026."
    passage = Passage("doc#3", text, {"source_id": "doc", "title": "Stable homes", "publisher": "Example Trust",
                                      "url": "https://example.org/a", "published": "2024-05-02", "pages": "45"})
    citation = cite_passage(2, passage, 33, len(text))
    assert (citation.n, citation.chunk_id, citation.sentence, citation.locator) == (2, "doc#3", "It starts in 2026.",
                                                                                     "p. 45")
    assert citation.title == "Stable homes" and citation.publisher == "Example Trust" and citation.text == text
    assert make_citation(1, passage.metadata).locator == ""  # a whole source, as briefings list it: no page
