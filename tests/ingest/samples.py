"""Small real files for loader tests: a text PDF written by hand, an encrypted copy, a Word file."""

from __future__ import annotations

import io


def text_pdf(text: str) -> bytes:
    """A minimal one-page PDF whose page shows text (enough for pypdf to extract it)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def encrypted_pdf(text: str, password: str = "secret") -> bytes:
    """The same PDF, encrypted with a user password."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(text))))
    writer.encrypt(user_password=password, owner_password=password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def word_document(title: str, heading: str, paragraphs: list[str], bullets: list[str]) -> bytes:
    """A .docx with a title property, a heading, paragraphs and a bulleted list."""
    from docx import Document

    document = Document()
    document.core_properties.title = title
    document.core_properties.author = "Department for Education"
    document.add_heading(heading, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    for bullet in bullets:
        document.add_paragraph(bullet, style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def multi_page_pdf(pages: list[list[str]], title: str = "", author: str = "",
                   labels_from: int | None = None) -> bytes:
    """A real PDF written by matplotlib, one page per list of lines (drawn as text pypdf extracts).

    labels_from: when set, the document's own page labels start at that number on the second page
    (the first page is a cover labelled 'i'), as policy papers number their pages.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    out = io.BytesIO()
    metadata = {key: value for key, value in (("Title", title), ("Author", author)) if value}
    with PdfPages(out, metadata=metadata) as pdf:
        for lines in pages:
            figure = plt.figure(figsize=(8.27, 11.69))
            for row, line in enumerate(lines):
                figure.text(0.08, 0.92 - row * 0.035, line, fontsize=10)
            pdf.savefig(figure)
            plt.close(figure)
    if labels_from is None:
        return out.getvalue()
    return _with_page_labels(out.getvalue(), labels_from)


def _with_page_labels(data: bytes, start: int) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.set_page_label(0, 0, style="/r")
    writer.set_page_label(1, len(writer.pages) - 1, style="/D", start=start)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sectioned_word_document(title: str, author: str, sections: dict[str, list[str]]) -> bytes:
    """A .docx whose sections each have a 'Heading 2' heading and paragraphs of body text."""
    from docx import Document

    document = Document()
    document.core_properties.title = title
    document.core_properties.author = author
    document.add_heading(title, level=0)
    for heading, paragraphs in sections.items():
        document.add_heading(heading, level=2)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
