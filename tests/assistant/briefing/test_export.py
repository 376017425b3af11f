"""Briefing exports: markdown, Word (read back with python-docx) and a printable, escaped HTML page."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from docx import Document

from assistant.briefing.build import build_briefing
from assistant.briefing.export import render
from assistant.briefing.export import to_docx, to_html, to_markdown
from assistant.briefing.model import Briefing, Item, Section
from assistant.models import Citation, Passage
from assistant.text.tokens import content_words

pytestmark = pytest.mark.unit

SCRIPT = "<script>alert('x')</script>"


def hand_made() -> Briefing:
    """A briefing with every section, a label, two references and markup-looking text."""
    refs = [Citation(1, "a", "Title <A>", "Community Care", "https://example.org/a?x=1&y=2", "2023-02-07", ""),
            Citation(2, "b", "Title B", "UNISON", "javascript:alert(1)", "", "")]
    sections = [
        Section("Overview", [Item(["Overview one."], ["a"], refs=[1]), Item(["Overview two."], ["b"], refs=[2])],
                style="paragraph"),
        Section("Key facts and figures", [Item([f"£44m for allowances {SCRIPT}."], ["a"], refs=[1])]),
        Section("Timeline", [Item(["The paper was published."], ["a"], "2016-01-14", refs=[1])]),
        Section("Who said what", [Item(["“We welcome it.”"], ["b"], "ADCS", refs=[2])]),
        Section("Criticisms and open questions", [Item(["It is unclear how."], ["b"], refs=[2])]),
        Section("Questions for discussion", [Item(["How might this affect your team?"], ["b"], refs=[2])]),
    ]
    return Briefing("Briefing: kinship & care", "kinship & care", "2024-01-01", "v1", sections, refs,
                    ["The documents say little about kinship & care; this briefing is short."])


def test_markdown_has_headings_labels_and_numbered_references():
    markdown = to_markdown(hand_made())
    assert markdown.startswith("# Briefing: kinship & care\n")
    assert "## Overview\n\nOverview one. [1] Overview two. [2]\n" in markdown
    assert "- **2016-01-14**: The paper was published. [1]" in markdown
    assert "1. Title <A>. Community Care, 2023-02-07. https://example.org/a?x=1&y=2" in markdown
    assert "2. Title B. UNISON, undated." in markdown


def test_docx_is_a_valid_word_document_with_headings_bullets_and_references():
    briefing = hand_made()
    document = Document(io.BytesIO(to_docx(briefing)))
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert styles[0] == ("Heading 1", briefing.title)
    headings = [text for style, text in styles if style == "Heading 2"]
    assert headings == [s.heading for s in briefing.sections] + ["References"]
    bullets = [text for style, text in styles if style == "List Bullet"]
    assert len(bullets) == 5 and "ADCS: “We welcome it.” [2]" in bullets
    references = [text for style, text in styles if style == "List Number"]
    assert references[0].startswith("Title <A>. Community Care, 2023-02-07.") and len(references) == 2
    assert any(text == "Overview one. [1] Overview two. [2]" for _, text in styles)


def test_html_is_standalone_printable_and_escaped():
    page = to_html(hand_made())
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page and "@media print" in page
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "Title &lt;A&gt;" in page and "kinship &amp; care" in page
    assert 'href="https://example.org/a?x=1&amp;y=2" rel="noopener noreferrer"' in page
    assert 'href="javascript' not in page
    assert '<a class="cite" href="#ref-1">[1]</a>' in page and 'id="ref-2"' in page


class ScriptBot:
    """A fake assistant whose only relevant passage carries a <script> tag."""

    def __init__(self):
        meta = {"source_id": "s", "title": "Kinship news", "publisher": "Community Care",
                "url": "https://example.org/s", "published": "2024-10-31", "section": "", "position": 0}
        text = (f"The kinship allowance of £44m {SCRIPT} will be tested in 10 areas for kinship carers. "
                "Kinship carers said the kinship allowance was welcome but warned it risks leaving families out.")
        self.chunks = [SimpleNamespace(id="s#0", text=text, metadata=meta)]
        self.index_info = {"corpus_version": "v"}

    def retrieve(self, query, k=None, filters=None):
        c = self.chunks[0]
        share = len(set(content_words(query)) & set(content_words(c.text))) / max(1, len(content_words(query)))
        return [Passage(c.id, c.text, c.metadata, score=share, dense=0.7)]


def test_html_escapes_a_script_placed_in_a_passage():
    briefing = build_briefing(ScriptBot(), "kinship allowance")
    assert SCRIPT in briefing.markdown  # the passage text is kept verbatim in markdown
    page = render(briefing, "html")
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
