"""DOCX building blocks (python-docx). Word has no embedded font here: every run names its East
Asian font explicitly, since python-docx sets only the Latin one and Chinese text reads the
``w:eastAsia`` slot; a reader's machine without the named font falls back to a CJK font it has."""

from __future__ import annotations

import io
from typing import Any

from docx import Document as new_docx
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor


def set_font(target: Any, font: str) -> None:
    """Name ``font`` for Latin and East Asian text of a run or a style."""
    target.font.name = font
    target.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


def run(
    paragraph: Any,
    text: str,
    *,
    font: str,
    size: float,
    bold: bool = False,
    color: RGBColor | None = None,
) -> Any:
    r = paragraph.add_run(text)
    r.font.name = font
    r.font.size = Pt(size)
    r.font.bold = bold
    if color is not None:
        r.font.color.rgb = color
    r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return r


def paragraph(
    container: Any,
    text: str,
    *,
    font: str,
    size: float,
    align: Any = None,
    first_line_indent: float | None = None,
    bold: bool = False,
    color: RGBColor | None = None,
) -> Any:
    """A paragraph of one run, added to a document, a cell or a header/footer."""
    p = container.add_paragraph()
    if align is not None:
        p.alignment = align
    if first_line_indent:
        p.paragraph_format.first_line_indent = Pt(first_line_indent)
    run(p, text, font=font, size=size, bold=bold, color=color)
    return p


def table(doc: Any, rows: list[list[str]], *, font: str, size: float) -> Any:
    """A ruled table (Word's "Table Grid") of plain text cells."""
    t = doc.add_table(rows=len(rows), cols=len(rows[0]))
    t.style = "Table Grid"
    for r, row in enumerate(rows):
        for col, value in enumerate(row):
            cell = t.cell(r, col)
            cell.text = ""
            run(cell.paragraphs[0], str(value), font=font, size=size)
    return t


def document(*, body_font: str, title: str, author: str) -> Any:
    """A new document whose Normal style names ``body_font``."""
    doc = new_docx()
    set_font(doc.styles["Normal"], body_font)
    doc.core_properties.title = title
    doc.core_properties.author = author
    return doc


def to_bytes(doc: Any) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
