"""Documents as DOCX (python-docx), for staff who must edit the layout before printing on the
bureau's letterhead. Word has no embedded font here: every run names its East Asian font
explicitly (仿宋 for the body, 宋体 for titles, as the 公文 format asks), falling back to whatever
CJK font the reader's machine has."""

from __future__ import annotations

from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH

from shoulian.documents import word
from shoulian.workflow.choices import DocumentKind
from shoulian.workflow.documents.text import addressee_name

BODY_FONT = "仿宋"
TITLE_FONT = "宋体"


def _para(
    doc: Any,
    text: str,
    *,
    align: Any = None,
    indent: bool = False,
    font: str = BODY_FONT,
    size: float = 14,
    bold: bool = False,
) -> Any:
    return word.paragraph(
        doc,
        text,
        font=font,
        size=size,
        bold=bold,
        align=align,
        first_line_indent=28 if indent else None,
    )


def _table(doc: Any, rows: list[list[str]]) -> None:
    word.table(doc, rows, font=BODY_FONT, size=11)


def _addressee_line(document: Any, name: str) -> str:
    if document.kind == DocumentKind.PUNISHMENT_DECISION:
        return f"违法行为人：{name}"
    return f"{name}："


def render(document: Any) -> bytes:
    c = document.content
    doc = word.document(body_font=BODY_FONT, title=f"{c['title']} {c['number']}", author=c["organ"])

    _para(doc, c["organ"], align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT, size=18, bold=True)
    _para(doc, c["title"], align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT, size=22, bold=True)
    _para(doc, c["number"], align=WD_ALIGN_PARAGRAPH.RIGHT, size=12)
    name = addressee_name(document)
    if document.kind == DocumentKind.ADMIN_ACCEPT_FORM:
        rows = [
            ["警情编号", c["alert_number"]],
            ["案件来源", c["channel"]],
            ["报案人", name],
            ["接报时间", c["received_at"]],
            ["发案时间", c.get("incident_at", "")],
            ["发案地点", c.get("incident_place", "")],
            ["简要案情", c.get("narrative", "")],
            ["受案意见", "\n".join(c["body"])],
            ["办案单位", c["unit"]],
            ["承办人", c["proposer"]],
        ]
        rows += [
            [s["label"], f"{s['name']}　{s['date']}　{s['note']}".strip()] for s in c["approvals"]
        ]
        _table(doc, rows)
    else:
        if document.kind not in (
            DocumentKind.FILING_DECISION,
            DocumentKind.CASE_REVOCATION_DECISION,
        ):
            _para(doc, _addressee_line(document, name))
        for line in c["body"]:
            _para(doc, line, indent=True)
        if document.kind == DocumentKind.TRANSFER_NOTICE:
            rows = [["序号", "材料名称", "数量", "特征", "页数"]]
            rows += [
                [
                    str(i),
                    m["name"],
                    str(m["quantity"]),
                    m["features"] or "—",
                    str(m["pages"] or "—"),
                ]
                for i, m in enumerate(c.get("materials", []), start=1)
            ] or [["—", "无随案移送材料", "", "", ""]]
            _table(doc, rows)
    doc.add_paragraph()
    _para(doc, f"{c['organ']}（印）", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, c["decided_on"], align=WD_ALIGN_PARAGRAPH.RIGHT)
    if document.kind in (
        DocumentKind.NON_FILING_NOTICE,
        DocumentKind.TRANSFER_NOTICE,
        DocumentKind.NON_INVESTIGATION_NOTICE,
        DocumentKind.PUNISHMENT_DECISION,
    ):
        doc.add_paragraph()
        _para(doc, "本文书已收到。　　　　签收人：　　　　　　　年　　月　　日")
    _para(doc, f"警情编号 {c['alert_number']} · 办案单位 {c['unit']}", size=9)
    return word.to_bytes(doc)
