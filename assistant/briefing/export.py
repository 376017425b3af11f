"""Briefing exports: markdown, a Word document (python-docx) and a standalone printable HTML page.

Works on any object shaped like assistant.briefing.model.Briefing: title, generated, corpus_version, notes,
sections (heading, style, items with label and parts()) and references (Citation list).
"""

from __future__ import annotations

import html
import io

CSS = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
       color: #111; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.15rem; margin-top: 1.4rem; border-bottom: 1px solid #999; padding-bottom: .1rem; }
.meta, .note { color: #444; font-style: italic; font-size: .9rem; }
li { margin: .25rem 0; }
.cite { font-size: .8em; color: #333; text-decoration: none; }
.refs li { font-size: .9rem; word-break: break-word; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  a { color: #000; text-decoration: none; }
  h2 { page-break-after: avoid; }
  li { page-break-inside: avoid; }
}
"""


def meta_line(briefing) -> str:
    """'Generated <date> · corpus version <v> · <n> sources'."""
    return (f"Generated {briefing.generated} · corpus version {briefing.corpus_version or 'unknown'} · "
            f"{len(briefing.references)} source{'' if len(briefing.references) == 1 else 's'}")


def reference_text(citation) -> str:
    """Title. Publisher, date[, locator]. URL — one reference without its number."""
    return citation.reference().split("] ", 1)[-1]


def item_text(item, separator: str = "; ") -> str:
    """An item as plain text with [n] after each cited segment (segments joined by separator)."""
    return separator.join(f"{text} [{n}]" for text, n in item.parts())


# -- markdown ----------------------------------------------------------------------------------
def to_markdown(briefing) -> str:
    """Markdown: '# Briefing: topic', a meta line, one '##' per section, then numbered references."""
    lines = [f"# {briefing.title}", "", f"_{meta_line(briefing)}_", ""]
    lines += [f"_{note}_\n" for note in briefing.notes]
    for section in briefing.sections:
        lines += [f"## {section.heading}", ""]
        if getattr(section, "note", ""):
            lines.append(f"_{section.note}_")
        elif section.style == "paragraph":
            lines.append(" ".join(item_text(item, " ") for item in section.items))
        else:
            lines += [f"- {_md_label(item.label)}{item_text(item)}" for item in section.items]
        lines.append("")
    lines += ["## References", ""]
    lines += [f"{ref.n}. {reference_text(ref)}" for ref in briefing.references]
    return "\n".join(lines).rstrip() + "\n"


def _md_label(label: str) -> str:
    return f"**{label}**: " if label else ""


# -- docx --------------------------------------------------------------------------------------
def to_docx(briefing) -> bytes:
    """A Word document: Heading 1 title, Heading 2 sections, List Bullet items, List Number references."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    document.core_properties.title = briefing.title
    document.add_heading(briefing.title, level=1)
    _italic(document.add_paragraph(), meta_line(briefing))
    for note in briefing.notes:
        _italic(document.add_paragraph(), note)
    for section in briefing.sections:
        document.add_heading(section.heading, level=2)
        if getattr(section, "note", ""):
            _italic(document.add_paragraph(), section.note)
        elif section.style == "paragraph":
            document.add_paragraph(" ".join(item_text(item, " ") for item in section.items))
            continue
        for item in section.items:
            paragraph = document.add_paragraph(style="List Bullet")
            if item.label:
                paragraph.add_run(f"{item.label}: ").bold = True
            paragraph.add_run(item_text(item))
    document.add_heading("References", level=2)
    for ref in briefing.references:
        paragraph = document.add_paragraph(style="List Number")
        paragraph.add_run(reference_text(ref)).font.size = Pt(10)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _italic(paragraph, text: str) -> None:
    paragraph.add_run(text).italic = True


# -- html --------------------------------------------------------------------------------------
def to_html(briefing) -> str:
    """A standalone page with inline CSS that prints cleanly to PDF; every text is escaped."""
    esc = html.escape
    body = [f"<h1>{esc(briefing.title)}</h1>", f'<p class="meta">{esc(meta_line(briefing))}</p>']
    body += [f'<p class="note">{esc(note)}</p>' for note in briefing.notes]
    for section in briefing.sections:
        body.append(f"<h2>{esc(section.heading)}</h2>")
        if getattr(section, "note", ""):
            body.append(f'<p class="note">{esc(section.note)}</p>')
        elif section.style == "paragraph":
            body.append("<p>" + " ".join(_html_item(item, " ") for item in section.items) + "</p>")
        else:
            body.append("<ul>" + "".join(f"<li>{_html_item(item)}</li>" for item in section.items) + "</ul>")
    body.append("<h2>References</h2>")
    body.append('<ol class="refs">' + "".join(_html_reference(ref) for ref in briefing.references) + "</ol>")
    return ("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{esc(briefing.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def _html_item(item, separator: str = "; ") -> str:
    label = f"<strong>{html.escape(item.label)}</strong>: " if item.label else ""
    parts = [f'{html.escape(text)} <a class="cite" href="#ref-{n}">[{n}]</a>' for text, n in item.parts()]
    return label + separator.join(parts)


def _html_reference(ref) -> str:
    esc = html.escape
    date = ref.published or "undated"
    where = f", {ref.locator}" if ref.locator else ""
    text = f"{esc(ref.title)}. {esc(ref.publisher)}, {esc(date)}{esc(where)}."
    if ref.url.startswith(("http://", "https://")):
        text += f' <a href="{esc(ref.url, quote=True)}" rel="noopener noreferrer">{esc(ref.url)}</a>'
    elif ref.url:
        text += f" {esc(ref.url)}"
    return f'<li id="ref-{ref.n}" value="{ref.n}">{text}</li>'

def render(briefing, fmt: str = "md") -> str | bytes:
    """The briefing as 'md' or 'html' text, or 'docx' bytes."""
    renderers = {"md": to_markdown, "markdown": to_markdown, "html": to_html,
                 "docx": to_docx}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}: use md, docx or html")
    return renderers[fmt](briefing)
