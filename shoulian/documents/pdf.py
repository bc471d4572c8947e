"""PDF page set-up and the ruled tables every generated PDF uses (ReportLab platypus)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Table, TableStyle

from shoulian.documents.fonts import SANS, register_fonts

CREATOR = "受立案管理系统"


@dataclass(frozen=True)
class Margins:
    """Page margins in points."""

    top: float
    right: float
    bottom: float
    left: float

    @classmethod
    def mm(cls, top: float, right: float, bottom: float, left: float) -> Margins:
        return cls(top * mm, right * mm, bottom * mm, left * mm)


PageHook = Callable[[Canvas, Any], None]


def build(
    story: list[Any],
    *,
    margins: Margins,
    title: str,
    author: str,
    subject: str,
    pagesize: tuple[float, float] = A4,
    on_page: PageHook | None = None,
    frame_padding: float = 6,
    initial_font: str | None = None,
) -> bytes:
    """Lay ``story`` out on pages of ``pagesize`` and return the PDF bytes. ``on_page`` draws
    the furniture (page numbers, running lines) on every page; ``frame_padding`` is the inset of
    the text inside the margins (ReportLab's default 6 pt; 0 where the margins are the type
    area, as in an official document)."""
    register_fonts()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=margins.left,
        rightMargin=margins.right,
        topMargin=margins.top,
        bottomMargin=margins.bottom,
        title=title,
        author=author,
        subject=subject,
        creator=CREATOR,
        # The canvas otherwise starts every page in Helvetica, a font the PDF then names
        # without embedding it.
        initialFontName=initial_font,
    )
    frame = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        doc.width,
        doc.height,
        leftPadding=frame_padding,
        rightPadding=frame_padding,
        topPadding=frame_padding,
        bottomPadding=frame_padding,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page or _nothing)])
    doc.build(story)
    return buffer.getvalue()


def _nothing(canvas: Canvas, doc: Any) -> None:
    return None


def grid(
    rows: list[list[Any]],
    widths: Sequence[float],
    *,
    shade: Literal["header", "first_column"] = "header",
    font: str = SANS,
    font_size: float = 9,
    rule: float = 0.5,
    rule_color: Any = None,
    padding: float = 3,
    shade_color: Any = None,
    repeat_header: bool = False,
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    """A ruled table: a header row (or a first column of labels) on a grey ground."""
    table = Table(rows, colWidths=list(widths), repeatRows=1 if repeat_header else 0)
    if shade == "header":
        ground = ("BACKGROUND", (0, 0), (-1, 0), shade_color or colors.HexColor("#eeeeee"))
    else:
        ground = ("BACKGROUND", (0, 0), (0, -1), shade_color or colors.HexColor("#f3f3f3"))
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), font_size),
                ("GRID", (0, 0), (-1, -1), rule, rule_color or colors.HexColor("#888888")),
                ground,
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), padding),
                ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
                *extra,
            ]
        )
    )
    return table
