"""Official documents (公文) in the layout of GB/T 9704-2012《党政机关公文格式》, as PDF and DOCX
from one structured input (DOMAIN §8).

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (type area 156 × 225 mm, 22 lines);
the red 版头 — the issuing organ's mark, or a periodical head (``受立案巡查监督通报`` / ``第12期`` /
issuing unit and date) — and a red rule; the 发文字号; the title in 2号 小标宋; the 主送机关; the
body in 3号 仿宋 with headings 一、(黑体) / （一）(楷体) / 1. / （1）numbered by their depth;
signature and date; the 版记 (抄送, 印发) at the foot of the last page; page numbers "— 1 —" in
4号 宋体 at the outer bottom edge (right on odd pages, left on even ones).

The DOCX names the customary fonts (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312, 宋体) so Word
on a bureau PC uses them. The PDF embeds open stand-ins, since the customary fonts are not
redistributable: Noto Serif SC for 宋/仿宋 and (bold) 小标宋, Noto Sans SC bold for 黑体, AR PL
UKai for 楷体 (``shoulian.documents.fonts``).

The input carries no personal data by design: a 通报 names units and problems; callers mask
reporters and parties before they put them into a document (DOMAIN §7).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus import Image as PdfImage

from shoulian.documents import pdf, word
from shoulian.documents.fonts import (
    KAI,
    SANS_BOLD,
    SERIF,
    SERIF_BOLD,
    register_official_fonts,
    register_serif_fonts,
)

# --- the input ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableBlock:
    """A table of text; ``widths`` are relative column widths (equal when empty)."""

    rows: Sequence[Sequence[str]]
    header: bool = True
    widths: Sequence[float] = ()
    caption: str = ""


@dataclass(frozen=True)
class ImageBlock:
    """A PNG or JPEG picture (a chart), ``width_mm`` wide at most, centred, with a caption."""

    data: bytes
    width_mm: float = 150
    caption: str = ""


@dataclass(frozen=True)
class Section:
    """A heading numbered by its depth (一、 / （一） / 1. / （1）) and what follows it."""

    heading: str
    body: Sequence[Block] = ()


Block = str | TableBlock | ImageBlock | Section


@dataclass(frozen=True)
class Periodical:
    """A periodical head instead of the organ's mark: ``受立案巡查监督通报`` over ``第12期``."""

    name: str
    issue: str


@dataclass(frozen=True)
class OfficialDocument:
    issuer: str
    title: str
    date: dt.date
    number: str = ""
    periodical: Periodical | None = None
    recipients: Sequence[str] = ()
    body: Sequence[Block] = ()
    signature: str | None = None
    cc: Sequence[str] = ()
    printer: str | None = None
    # 签发人 (GB/T 9704 7.2.5): printed on the number's line, the number one character in from
    # the left, "签发人：" and the name one character in from the right.
    signer: str = ""

    @property
    def signed_by(self) -> str:
        return self.issuer if self.signature is None else self.signature

    @property
    def printed_by(self) -> str:
        return self.issuer if self.printer is None else self.printer


# --- layout facts shared by both renderings -----------------------------------------------------

PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TYPE_AREA_MM = (156, 225)
LINES_PER_PAGE = 22
RED_HEX = "FF0000"
# 号 sizes in points: 初号 42, 2号 22, 3号 16, 4号 14, 小四 12.
SIZE_MARK_MAX = 42.0
SIZE_TITLE = 22.0
SIZE_BODY = 16.0
SIZE_FOOT = 14.0
SIZE_TABLE = 12.0
LEADING = TYPE_AREA_MM[1] * mm / LINES_PER_PAGE  # 22 lines on the type area: ≈ 28.9 pt

# The customary faces DOCX names (GB/T 9704-2012 and common practice).
DOCX_TITLE = "方正小标宋简体"
DOCX_BODY = "仿宋_GB2312"
DOCX_HEADING_1 = "黑体"
DOCX_HEADING_2 = "楷体_GB2312"
DOCX_PAGE_NUMBER = "宋体"

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (headings stay below a hundred)."""
    if not 0 < n < 100:
        raise ValueError(f"heading number out of range: {n}")
    tens, units = divmod(n, 10)
    if tens == 0:
        return _DIGITS[units]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[units] if units else "")


def heading_label(depth: int, n: int) -> str:
    """The number of a heading at ``depth`` (1-based): 一、 / （一） / 1. / （1）."""
    if depth == 1:
        return f"{chinese_numeral(n)}、"
    if depth == 2:
        return f"（{chinese_numeral(n)}）"
    if depth == 3:
        return f"{n}."
    return f"（{n}）"


def document_date(value: dt.date) -> str:
    """成文日期 in Arabic numerals, the year in full, no padding: 2026年12月7日 (7.3.5.1)."""
    return f"{value.year}年{value.month}月{value.day}日"


def page_label(n: int) -> str:
    return f"— {n} —"


def mark_size(text: str, *, width: float = TYPE_AREA_MM[0] * mm) -> float:
    """The organ's mark as large as 初号 while it fits the type area's width on one line."""
    return min(SIZE_MARK_MAX, round(width * 0.96 / max(len(text), 1), 1))


def _walk(blocks: Sequence[Block], depth: int = 1) -> list[tuple[int, str, Block]]:
    """(depth, heading label, block) in reading order; a Section yields its own heading."""
    out: list[tuple[int, str, Block]] = []
    n = 0
    for block in blocks:
        if isinstance(block, Section):
            n += 1
            out.append((depth, heading_label(depth, n), block))
            out.extend(_walk(block.body, depth + 1))
        else:
            out.append((depth, "", block))
    return out


# --- PDF ----------------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body",
        fontName=SERIF,
        fontSize=SIZE_BODY,
        leading=LEADING,
        wordWrap="CJK",
        alignment=TA_JUSTIFY,
        firstLineIndent=2 * SIZE_BODY,
    )
    flush = ParagraphStyle("flush", parent=body, firstLineIndent=0, alignment=TA_LEFT)
    return {
        "body": body,
        "flush": flush,
        "center": ParagraphStyle("center", parent=flush, alignment=TA_CENTER),
        "right": ParagraphStyle("right", parent=flush, alignment=TA_RIGHT),
        "title": ParagraphStyle(
            "title",
            parent=flush,
            fontName=SERIF_BOLD,
            fontSize=SIZE_TITLE,
            leading=SIZE_TITLE * 1.45,
            alignment=TA_CENTER,
        ),
        "h1": ParagraphStyle("h1", parent=body, fontName=SANS_BOLD, alignment=TA_LEFT),
        "h2": ParagraphStyle("h2", parent=body, fontName=KAI, alignment=TA_LEFT),
        "h3": ParagraphStyle("h3", parent=body, alignment=TA_LEFT),
        "cell": ParagraphStyle("cell", parent=flush, fontSize=SIZE_TABLE, leading=SIZE_TABLE * 1.4),
        "head_cell": ParagraphStyle(
            "head_cell",
            parent=flush,
            fontName=SANS_BOLD,
            fontSize=SIZE_TABLE,
            leading=SIZE_TABLE * 1.4,
            alignment=TA_CENTER,
        ),
        "caption": ParagraphStyle(
            "caption", parent=flush, fontName=KAI, fontSize=SIZE_FOOT, alignment=TA_CENTER
        ),
        "foot": ParagraphStyle("foot", parent=flush, fontSize=SIZE_FOOT, leading=SIZE_FOOT * 1.6),
    }


class RedRule(Flowable):
    """The red rule under the 版头, as wide as the type area."""

    def __init__(self, thickness: float = 1.0, space_before: float = 2 * mm) -> None:
        super().__init__()
        self.thickness = thickness
        self.space_before = space_before

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.space_before + self.thickness

    def draw(self) -> None:
        self.canv.setStrokeColor(colors.HexColor("#" + RED_HEX))
        self.canv.setLineWidth(self.thickness)
        self.canv.line(0, self.thickness / 2, self.width, self.thickness / 2)


class AtFoot(Flowable):
    """The 版记 at the bottom of the page it lands on: it takes the rest of the frame and draws
    its content against the bottom edge (onto a new page when the rest is too short)."""

    def __init__(self, content: Flowable) -> None:
        super().__init__()
        self.content = content
        self._content_height = 0.0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        _, self._content_height = self.content.wrap(available_width, available_height)
        self.width = available_width
        return available_width, max(self._content_height, available_height - 0.01)

    def draw(self) -> None:
        self.content.drawOn(self.canv, 0, 0)


def _pdf_number(doc: OfficialDocument, s: dict[str, ParagraphStyle]) -> Any:
    """The 发文字号 centred, or with the 签发人 beside it (7.2.5)."""
    if not doc.signer:
        return Paragraph(escape(doc.number), s["center"])
    indent = SIZE_BODY
    line = Table(
        [
            [
                Paragraph(escape(doc.number), s["flush"]),
                Paragraph(f"签发人：{escape(doc.signer)}", s["right"]),
            ]
        ],
        colWidths=[TYPE_AREA_MM[0] * mm * 0.55 - indent, TYPE_AREA_MM[0] * mm * 0.45 - indent],
    )
    line.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return line


def _pdf_head(doc: OfficialDocument, s: dict[str, ParagraphStyle]) -> list[Any]:
    red = colors.HexColor("#" + RED_HEX)
    story: list[Any] = []
    if doc.periodical is not None:
        size = mark_size(doc.periodical.name)
        mark = ParagraphStyle(
            "mark",
            parent=s["center"],
            fontName=SERIF_BOLD,
            fontSize=size,
            leading=size * 1.3,
            textColor=red,
        )
        story += [
            Spacer(1, 6 * mm),
            Paragraph(escape(doc.periodical.name), mark),
            Spacer(1, 3 * mm),
            Paragraph(escape(doc.periodical.issue), s["center"]),
        ]
        line = Table(
            [
                [
                    Paragraph(escape(doc.issuer), s["flush"]),
                    Paragraph(document_date(doc.date), s["right"]),
                ]
            ],
            colWidths=[TYPE_AREA_MM[0] * mm * 0.6, TYPE_AREA_MM[0] * mm * 0.4],
        )
        line.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), SERIF),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        story.append(line)
        if doc.number:
            story.append(_pdf_number(doc, s))
        story.append(RedRule(thickness=1.5))
    else:
        size = mark_size(doc.issuer)
        mark = ParagraphStyle(
            "mark",
            parent=s["center"],
            fontName=SERIF_BOLD,
            fontSize=size,
            leading=size * 1.3,
            textColor=red,
        )
        # 7.2.2: the mark's upper edge 35 mm below the type area's; 7.2.4: the number two lines
        # under it; 7.2.6: the rule 4 mm under the number.
        story += [Spacer(1, 35 * mm - size * 0.3), Paragraph(escape(doc.issuer), mark)]
        story.append(Spacer(1, 2 * LEADING - LEADING))
        if doc.number:
            story.append(_pdf_number(doc, s))
        story.append(RedRule(thickness=1.0, space_before=4 * mm))
    return story


def _pdf_block(depth: int, label: str, block: Block, s: dict[str, ParagraphStyle]) -> list[Any]:
    width = TYPE_AREA_MM[0] * mm
    if isinstance(block, Section):
        style = s["h1"] if depth == 1 else s["h2"] if depth == 2 else s["h3"]
        return [Paragraph(escape(label + block.heading), style)]
    if isinstance(block, str):
        return [Paragraph(escape(block), s["body"])]
    if isinstance(block, TableBlock):
        columns = max(len(row) for row in block.rows)
        weights = list(block.widths) or [1.0] * columns
        widths = [width * w / sum(weights) for w in weights]
        rows = [
            [
                Paragraph(escape(cell), s["head_cell"] if block.header and r == 0 else s["cell"])
                for cell in row
            ]
            for r, row in enumerate(block.rows)
        ]
        table = Table(rows, colWidths=widths, repeatRows=1 if block.header else 0)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), SERIF),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        out: list[Any] = []
        if block.caption:
            out.append(Paragraph(escape(block.caption), s["caption"]))
        out += [table, Spacer(1, 2 * mm)]
        return out
    reader = ImageReader(io.BytesIO(block.data))
    w, h = reader.getSize()
    image_width = min(block.width_mm * mm, width)
    image = PdfImage(io.BytesIO(block.data), width=image_width, height=image_width * h / w)
    parts: list[Any] = [Spacer(1, 2 * mm), image]
    if block.caption:
        parts.append(Paragraph(escape(block.caption), s["caption"]))
    return [KeepTogether(parts)]


def _signature_indents(signature: str, date: str) -> tuple[float, float]:
    """Right indents of the signature and the date (7.3.5.2): the date two characters from the
    right edge, the signature starting two characters before the date (or, when the signature
    is the longer one, the signature two characters from the edge and the date under it)."""
    char = SIZE_BODY
    sig = stringWidth(signature, SERIF, SIZE_BODY)
    day = stringWidth(date, SERIF, SIZE_BODY)
    date_indent = 2 * char
    sig_indent = date_indent + day + 2 * char - sig
    if sig_indent < 2 * char:
        sig_indent = 2 * char
        date_indent = max(2 * char, sig_indent + sig - 2 * char - day)
    return sig_indent, date_indent


def _pdf_foot(doc: OfficialDocument, s: dict[str, ParagraphStyle]) -> Flowable:
    width = TYPE_AREA_MM[0] * mm
    rows: list[list[Any]] = []
    if doc.cc:
        rows.append([Paragraph(escape("抄送：" + "，".join(doc.cc) + "。"), s["foot"]), ""])
    rows.append(
        [
            Paragraph(escape(doc.printed_by), s["foot"]),
            Paragraph(
                escape(document_date(doc.date) + "印发"),
                ParagraphStyle("foot_right", parent=s["foot"], alignment=TA_RIGHT),
            ),
        ]
    )
    table = Table(rows, colWidths=[width * 0.6, width * 0.4])
    commands: list[tuple[Any, ...]] = [
        # 7.4.1: the first and last rules of the 版记 are thick (0.35 mm), those between thin.
        ("LINEABOVE", (0, 0), (-1, 0), 0.35 * mm, colors.black),
        ("LINEBELOW", (0, -1), (-1, -1), 0.35 * mm, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), SERIF),
        ("LEFTPADDING", (0, 0), (-1, -1), SIZE_FOOT),
        ("RIGHTPADDING", (0, 0), (-1, -1), SIZE_FOOT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if doc.cc:
        commands += [
            ("SPAN", (0, 0), (-1, 0)),
            ("LINEBELOW", (0, 0), (-1, 0), 0.25 * mm, colors.black),
        ]
    table.setStyle(TableStyle(commands))
    return AtFoot(table)


def _page_numbers(canvas: Any, template: Any) -> None:
    """ "— N —" in 4号 宋体, its rule 7 mm under the type area, one character in from the outer
    edge: right on odd pages, left on even ones (7.5)."""
    n = canvas.getPageNumber()
    label = page_label(n)
    canvas.saveState()
    canvas.setFont(SERIF, SIZE_FOOT)
    y = template.bottomMargin - 7 * mm - SIZE_FOOT * 0.8
    if n % 2:
        canvas.drawRightString(template.pagesize[0] - template.rightMargin - SIZE_FOOT, y, label)
    else:
        canvas.drawString(template.leftMargin + SIZE_FOOT, y, label)
    canvas.restoreState()


def render_pdf(doc: OfficialDocument) -> bytes:
    register_official_fonts()
    s = _styles()
    story = _pdf_head(doc, s)
    story += [
        Spacer(1, LEADING),
        Paragraph(escape(doc.title), s["title"]),
        Spacer(1, LEADING * 0.5),
    ]
    if doc.recipients:
        story.append(Paragraph(escape("，".join(doc.recipients) + "："), s["flush"]))
    for depth, label, block in _walk(doc.body):
        story += _pdf_block(depth, label, block, s)
    if doc.signed_by:
        date = document_date(doc.date)
        sig_indent, date_indent = _signature_indents(doc.signed_by, date)
        story.append(
            KeepTogether(
                [
                    Spacer(1, LEADING),
                    Paragraph(
                        escape(doc.signed_by),
                        ParagraphStyle("sig", parent=s["right"], rightIndent=sig_indent),
                    ),
                    Paragraph(
                        date, ParagraphStyle("date", parent=s["right"], rightIndent=date_indent)
                    ),
                ]
            )
        )
    story.append(_pdf_foot(doc, s))
    return pdf.build(
        story,
        margins=pdf.Margins.mm(
            MARGINS_MM["top"], MARGINS_MM["right"], MARGINS_MM["bottom"], MARGINS_MM["left"]
        ),
        pagesize=A4,
        title=doc.title,
        author=doc.issuer,
        subject=doc.number or doc.title,
        on_page=_page_numbers,
        frame_padding=0,
        initial_font=SERIF,
    )


# --- DOCX ---------------------------------------------------------------------------------------

RED = RGBColor.from_string(RED_HEX)


# The elements of ``w:pPr`` that come after ``w:pBdr`` in the schema (ECMA-376 CT_PPrBase).
_AFTER_PBDR = tuple(
    f"w:{tag}"
    for tag in (
        "shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE "
        "autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents "
        "suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId "
        "cnfStyle rPr sectPr pPrChange"
    ).split()
)


def _border(paragraph: Any, edge: str, *, size_eighths: int, color: str = "000000") -> None:
    """A rule on one edge of a paragraph (``w:pBdr``); size in eighths of a point."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        # Word rejects a paragraph whose properties are out of the schema's order.
        ppr.insert_element_before(borders, *_AFTER_PBDR)
    line = OxmlElement(f"w:{edge}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size_eighths))
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), color)
    borders.append(line)


def _page_field(paragraph: Any) -> None:
    """ "— PAGE —" with a PAGE field that Word fills in."""
    word.run(paragraph, "— ", font=DOCX_PAGE_NUMBER, size=SIZE_FOOT)
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), "PAGE")
    inner = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    inner.append(text)
    simple.append(inner)
    paragraph._p.append(simple)
    word.run(paragraph, " —", font=DOCX_PAGE_NUMBER, size=SIZE_FOOT)


def _docx_page(doc: Any) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    # The number's top 7 mm under the type area: 35 - 7 mm from the page's foot, less its height.
    section.footer_distance = Mm(MARGINS_MM["bottom"] - 7) - Pt(SIZE_FOOT)
    normal = doc.styles["Normal"].paragraph_format
    normal.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.line_spacing = Pt(round(LEADING, 2))
    normal.space_before = normal.space_after = Pt(0)
    doc.settings.odd_and_even_pages_header_footer = True
    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = Pt(SIZE_FOOT)
    _page_field(odd)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = Pt(SIZE_FOOT)
    _page_field(even)


def _docx_number(out: Any, doc: OfficialDocument) -> Any:
    """The 发文字号 centred, or with the 签发人 on its line (7.2.5)."""
    if not doc.signer:
        return word.paragraph(
            out, doc.number, font=DOCX_BODY, size=SIZE_BODY, align=WD_ALIGN_PARAGRAPH.CENTER
        )
    line = out.add_paragraph()
    indent = Pt(SIZE_BODY)
    line.paragraph_format.left_indent = indent
    line.paragraph_format.right_indent = indent
    line.paragraph_format.tab_stops.add_tab_stop(
        Mm(TYPE_AREA_MM[0]) - 2 * indent, WD_TAB_ALIGNMENT.RIGHT
    )
    word.run(line, f"{doc.number}\t签发人：{doc.signer}", font=DOCX_BODY, size=SIZE_BODY)
    return line


def _docx_head(out: Any, doc: OfficialDocument) -> None:
    type_width = Mm(TYPE_AREA_MM[0])
    if doc.periodical is not None:
        mark = word.paragraph(
            out,
            doc.periodical.name,
            font=DOCX_TITLE,
            size=mark_size(doc.periodical.name),
            align=WD_ALIGN_PARAGRAPH.CENTER,
            color=RED,
        )
        mark.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        word.paragraph(
            out,
            doc.periodical.issue,
            font=DOCX_BODY,
            size=SIZE_BODY,
            align=WD_ALIGN_PARAGRAPH.CENTER,
        )
        line = out.add_paragraph()
        line.paragraph_format.tab_stops.add_tab_stop(type_width, WD_TAB_ALIGNMENT.RIGHT)
        word.run(line, f"{doc.issuer}\t{document_date(doc.date)}", font=DOCX_BODY, size=SIZE_BODY)
        last = line
        if doc.number:
            last = _docx_number(out, doc)
        _border(last, "bottom", size_eighths=12, color=RED_HEX)
        return
    for _ in range(2):
        out.add_paragraph()
    mark = word.paragraph(
        out,
        doc.issuer,
        font=DOCX_TITLE,
        size=mark_size(doc.issuer),
        align=WD_ALIGN_PARAGRAPH.CENTER,
        color=RED,
    )
    mark.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    out.add_paragraph()
    last = mark
    if doc.number:
        last = _docx_number(out, doc)
    _border(last, "bottom", size_eighths=8, color=RED_HEX)


def _docx_block(out: Any, depth: int, label: str, block: Block) -> None:
    indent = 2 * SIZE_BODY
    if isinstance(block, Section):
        font = DOCX_HEADING_1 if depth == 1 else DOCX_HEADING_2 if depth == 2 else DOCX_BODY
        word.paragraph(
            out, label + block.heading, font=font, size=SIZE_BODY, first_line_indent=indent
        )
        return
    if isinstance(block, str):
        word.paragraph(
            out,
            block,
            font=DOCX_BODY,
            size=SIZE_BODY,
            first_line_indent=indent,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        )
        return
    if isinstance(block, TableBlock):
        if block.caption:
            word.paragraph(
                out,
                block.caption,
                font=DOCX_HEADING_2,
                size=SIZE_FOOT,
                align=WD_ALIGN_PARAGRAPH.CENTER,
            )
        columns = max(len(row) for row in block.rows)
        rows = [list(row) + [""] * (columns - len(row)) for row in block.rows]
        table = word.table(out, rows, font=DOCX_BODY, size=SIZE_TABLE)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for row in table.rows:
            for cell in row.cells:
                # Cells keep their own line height, not the body's 22-line pitch.
                cell.paragraphs[0].paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        if block.header:
            for cell in table.rows[0].cells:
                for r in cell.paragraphs[0].runs:
                    word.set_font(r, DOCX_HEADING_1)
        return
    picture = out.add_paragraph()
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    picture.add_run().add_picture(
        io.BytesIO(block.data), width=Mm(min(block.width_mm, TYPE_AREA_MM[0]))
    )
    if block.caption:
        word.paragraph(
            out, block.caption, font=DOCX_HEADING_2, size=SIZE_FOOT, align=WD_ALIGN_PARAGRAPH.CENTER
        )


def render_docx(doc: OfficialDocument) -> bytes:
    register_serif_fonts()  # the signature block is measured in the serif face
    out = word.document(body_font=DOCX_BODY, title=doc.title, author=doc.issuer)
    _docx_page(out)
    _docx_head(out, doc)
    out.add_paragraph()
    title = word.paragraph(
        out, doc.title, font=DOCX_TITLE, size=SIZE_TITLE, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    title.paragraph_format.line_spacing_rule = WD_LINE_SPACING.ONE_POINT_FIVE
    out.add_paragraph()
    if doc.recipients:
        word.paragraph(out, "，".join(doc.recipients) + "：", font=DOCX_BODY, size=SIZE_BODY)
    for depth, label, block in _walk(doc.body):
        _docx_block(out, depth, label, block)
    if doc.signed_by:
        date = document_date(doc.date)
        sig_indent, date_indent = _signature_indents(doc.signed_by, date)
        out.add_paragraph()
        signature = word.paragraph(
            out, doc.signed_by, font=DOCX_BODY, size=SIZE_BODY, align=WD_ALIGN_PARAGRAPH.RIGHT
        )
        signature.paragraph_format.right_indent = Pt(sig_indent)
        day = word.paragraph(
            out, date, font=DOCX_BODY, size=SIZE_BODY, align=WD_ALIGN_PARAGRAPH.RIGHT
        )
        day.paragraph_format.right_indent = Pt(date_indent)
    out.add_paragraph()
    first = None
    if doc.cc:
        first = word.paragraph(
            out, "抄送：" + "，".join(doc.cc) + "。", font=DOCX_BODY, size=SIZE_FOOT
        )
        first.paragraph_format.left_indent = first.paragraph_format.right_indent = Pt(SIZE_FOOT)
        _border(first, "top", size_eighths=8)
        _border(first, "bottom", size_eighths=6)
    printed = out.add_paragraph()
    printed.paragraph_format.left_indent = printed.paragraph_format.right_indent = Pt(SIZE_FOOT)
    printed.paragraph_format.tab_stops.add_tab_stop(
        Mm(TYPE_AREA_MM[0]) - Pt(2 * SIZE_FOOT), WD_TAB_ALIGNMENT.RIGHT
    )
    word.run(
        printed, f"{doc.printed_by}\t{document_date(doc.date)}印发", font=DOCX_BODY, size=SIZE_FOOT
    )
    if first is None:
        _border(printed, "top", size_eighths=8)
    _border(printed, "bottom", size_eighths=8)
    return word.to_bytes(out)
