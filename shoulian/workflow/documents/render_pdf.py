"""Documents as PDF (ReportLab) with the Noto Sans SC font embedded (``shoulian.documents``)."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from shoulian.documents import pdf
from shoulian.documents.fonts import SANS, SANS_BOLD, register_fonts
from shoulian.workflow.choices import DocumentKind
from shoulian.workflow.documents.text import addressee_name


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=SANS, fontSize=12, leading=22, wordWrap="CJK")
    return {
        "base": base,
        "organ": ParagraphStyle(
            "organ", parent=base, fontName=SANS_BOLD, fontSize=16, leading=24, alignment=TA_CENTER
        ),
        "title": ParagraphStyle(
            "title", parent=base, fontName=SANS_BOLD, fontSize=22, leading=32, alignment=TA_CENTER
        ),
        "number": ParagraphStyle("number", parent=base, alignment=TA_RIGHT, fontSize=11),
        "body": ParagraphStyle("body", parent=base, firstLineIndent=24),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "cell": ParagraphStyle("cell", parent=base, fontSize=10, leading=15),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=8.5, leading=12, textColor=colors.HexColor("#555555")
        ),
    }


def _grid(rows: list[list[Any]], widths: list[float], *, header: bool) -> Table:
    return pdf.grid(
        rows,
        widths,
        shade="header" if header else "first_column",
        font_size=10,
        rule=0.6,
        rule_color=colors.black,
        padding=4,
    )


def _addressee_line(document: Any, name: str) -> str:
    if document.kind == DocumentKind.PUNISHMENT_DECISION:
        return f"违法行为人：{name}"
    return f"{name}："


def render(document: Any) -> bytes:
    register_fonts()
    s = _styles()
    c = document.content
    name = escape(addressee_name(document))
    story: list[Any] = [
        Paragraph(escape(c["organ"]), s["organ"]),
        Paragraph(escape(c["title"]), s["title"]),
        Paragraph(escape(c["number"]), s["number"]),
        Spacer(1, 6 * mm),
    ]
    if document.kind == DocumentKind.ADMIN_ACCEPT_FORM:
        facts = [
            ("警情编号", c["alert_number"]),
            ("案件来源", c["channel"]),
            ("报案人", addressee_name(document)),
            ("接报时间", c["received_at"]),
            ("发案时间", c.get("incident_at", "")),
            ("发案地点", c.get("incident_place", "")),
            ("简要案情", c.get("narrative", "")),
            ("受案意见", "\n".join(c["body"])),
            ("办案单位", c["unit"]),
            ("承办人", c["proposer"]),
        ]
        for step in c["approvals"]:
            facts.append((step["label"], f"{step['name']}　{step['date']}　{step['note']}".strip()))
        rows = [[Paragraph(k, s["cell"]), Paragraph(escape(str(v)), s["cell"])] for k, v in facts]
        story.append(_grid(rows, [30 * mm, 140 * mm], header=False))
    else:
        if document.kind not in (
            DocumentKind.FILING_DECISION,
            DocumentKind.CASE_REVOCATION_DECISION,
        ):
            story.append(Paragraph(_addressee_line(document, name), s["base"]))
        for line in c["body"]:
            story.append(Paragraph(escape(line), s["body"]))
        if document.kind == DocumentKind.TRANSFER_NOTICE:
            story.append(Spacer(1, 3 * mm))
            table: list[list[Any]] = [["序号", "材料名称", "数量", "特征", "页数"]]
            for index, item in enumerate(c.get("materials", []), start=1):
                table.append(
                    [
                        str(index),
                        Paragraph(escape(item["name"]), s["cell"]),
                        str(item["quantity"]),
                        Paragraph(escape(item["features"] or "—"), s["cell"]),
                        str(item["pages"] or "—"),
                    ]
                )
            if len(table) == 1:
                table.append(["—", "无随案移送材料", "", "", ""])
            story.append(_grid(table, [14 * mm, 52 * mm, 16 * mm, 72 * mm, 16 * mm], header=True))
    story.append(Spacer(1, 14 * mm))
    story.append(
        KeepTogether(
            [
                Paragraph(f"{escape(c['organ'])}（印）", s["right"]),
                Paragraph(escape(c["decided_on"]), s["right"]),
            ]
        )
    )
    if document.kind in (
        DocumentKind.NON_FILING_NOTICE,
        DocumentKind.TRANSFER_NOTICE,
        DocumentKind.NON_INVESTIGATION_NOTICE,
        DocumentKind.PUNISHMENT_DECISION,
    ):
        story.append(Spacer(1, 10 * mm))
        # Blank spaces collapse in a paragraph: the fields to fill in are table cells.
        receipt = Table(
            [["本文书已收到。", "签收人：", "", "", "年", "", "月", "", "日"]],
            colWidths=[34 * mm, 20 * mm, 40 * mm, 6 * mm, 8 * mm, 12 * mm, 8 * mm, 12 * mm, 8 * mm],
            hAlign="LEFT",
        )
        receipt.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), SANS),
                    ("FONTSIZE", (0, 0), (-1, -1), 12),
                    ("LINEBELOW", (2, 0), (2, 0), 0.6, colors.black),
                    ("LINEBELOW", (5, 0), (5, 0), 0.6, colors.black),
                    ("LINEBELOW", (7, 0), (7, 0), 0.6, colors.black),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        story.append(receipt)
    story.append(Spacer(1, 8 * mm))
    story.append(
        Paragraph(
            f"警情编号 {escape(c['alert_number'])}　·　办案单位 {escape(c['unit'])}"
            + (f"（电话 {escape(c['unit_phone'])}）" if c.get("unit_phone") else ""),
            s["small"],
        )
    )
    return pdf.build(
        story,
        margins=pdf.Margins.mm(20, 22, 18, 22),
        title=f"{c['title']} {c['number']}",
        author=c["organ"],
        subject=c["title"],
    )
