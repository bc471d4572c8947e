"""The 接报案回执 as a PDF (ReportLab), handed to the reporter on the spot (DOMAIN §3).

Fonts, line breaking, page set-up and tables come from ``shoulian.documents``: ReportLab embeds only
the glyphs used, so a receipt stays around 100 KB and shows Chinese on a machine without any CJK
font.
"""

from __future__ import annotations

import io
from datetime import datetime
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

import qrcode
import qrcode.constants
from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from shoulian.documents import pdf
from shoulian.documents.fonts import SANS, SANS_BOLD, register_fonts
from shoulian.intake.choices import PartyRole
from shoulian.intake.models import Alert
from shoulian.org.choices import UnitKind
from shoulian.org.models import Unit
from shoulian.org.selectors import bureau_of
from shoulian.privacy.masking import mask_phone

# 公安机关举报投诉电话 (national public-security complaint line).
COMPLAINT_HOTLINE = "12389"


def public_query_url() -> str:
    """The citizen progress-query page the QR code opens. The query code is never part of the
    URL: codes and phones travel only in POST bodies (Z7)."""
    base = getattr(settings, "SHOULIAN_PUBLIC_BASE_URL", "") or "http://127.0.0.1:8000"
    return base.rstrip("/") + "/q/"


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=SANS, fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "base": base,
        "body": ParagraphStyle("body", parent=base, firstLineIndent=21),
        "org": ParagraphStyle("org", parent=base, fontSize=12, alignment=TA_CENTER),
        "title": ParagraphStyle(
            "title", parent=base, fontName=SANS_BOLD, fontSize=20, leading=28, alignment=TA_CENTER
        ),
        "number": ParagraphStyle("number", parent=base, alignment=TA_CENTER, fontSize=10),
        "h": ParagraphStyle(
            "h", parent=base, fontName=SANS_BOLD, fontSize=11.5, spaceBefore=8, spaceAfter=3
        ),
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=12),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
        "code": ParagraphStyle(
            "code", parent=base, fontName=SANS_BOLD, fontSize=22, leading=30, textColor=colors.black
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(text, style)


def _local(value: Any, pattern: str = "%Y年%m月%d日 %H:%M") -> str:
    return timezone.localtime(value).strftime(pattern) if value else "—"


def _legal_brigade(bureau: Unit) -> Unit | None:
    return (
        Unit.objects.filter(
            path__startswith=bureau.path, kind=UnitKind.LEGAL_BRIGADE, is_active=True
        )
        .order_by("path")
        .first()
    )


@lru_cache(maxsize=8)
def _qr_png(url: str) -> bytes:
    # Every receipt of an installation carries the same query-page URL: draw the code once per
    # process as a bitmap instead of a few hundred vector squares per page.
    image = qrcode.make(url, error_correction=qrcode.constants.ERROR_CORRECT_M, border=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _qr(url: str, size: float) -> Image:
    return Image(io.BytesIO(_qr_png(url)), width=size, height=size)


def _grid(data: list[list[Any]], widths: list[float]) -> Table:
    return pdf.grid(data, widths, repeat_header=True)


def render(
    *, alert: Alert, copy: int, printed_by: Any, printed_at: datetime | None = None
) -> bytes:
    """The receipt of ``alert`` as PDF bytes; ``copy`` is the print number (1 = the original)."""
    register_fonts()
    s = _styles()
    unit = alert.registering_unit
    bureau = bureau_of(unit)
    legal = _legal_brigade(bureau)
    parties = list(alert.parties.all())
    reporter = next((p for p in parties if p.role == PartyRole.REPORTER), None)
    items = list(alert.evidence_items.all())
    files = list(alert.evidence_files.all())
    clerk = alert.registered_by
    url = public_query_url()

    story: list[Any] = [
        _p(escape(bureau.name), s["org"]),
        _p("接报案回执", s["title"]),
        _p(f"编号：{escape(alert.number)}", s["number"]),
        Spacer(1, 4 * mm),
    ]
    addressee = escape(reporter.name) if reporter else "报案人"
    story.append(_p(f"{addressee}：", s["base"]))
    story.append(
        _p(
            f"你于 {_local(alert.received_at)} 以“{escape(alert.get_channel_display())}”方式"
            f"报称的 <b>{escape(alert.category.name)}</b> 警情（发案地点：{escape(alert.incident_place)}），"
            "本单位已当场登记受理，所提交的证据材料已当场接收，清单如下。",
            s["body"],
        )
    )
    story.append(Spacer(1, 2 * mm))
    facts = [
        ["接报单位", f"{unit.name}" + (f"（电话 {unit.phone}）" if unit.phone else "")],
        [
            "接报人",
            (
                f"{clerk.full_name}"
                + (f"（编号 {clerk.badge_number}）" if clerk.badge_number else "")
            )
            if clerk
            else "系统接收",
        ],
        ["接报时间", _local(alert.received_at)],
        ["登记时间", _local(alert.registered_at)],
    ]
    if alert.external_ref:
        facts.append(["来源编号", alert.external_ref])
    fact_table = pdf.grid(
        [[_p(k, s["cell"]), _p(escape(v), s["cell"])] for k, v in facts],
        [28 * mm, 142 * mm],
        shade="first_column",
    )
    story.append(fact_table)

    story.append(_p("一、当场接收的证据材料", s["h"]))
    if items:
        rows: list[list[Any]] = [["序号", "名称", "数量", "特征", "页数"]]
        for item in items:
            rows.append(
                [
                    str(item.position),
                    _p(escape(item.name), s["cell"]),
                    str(item.quantity),
                    _p(escape(item.features) or "—", s["cell"]),
                    str(item.pages) if item.pages else "—",
                ]
            )
        story.append(_grid(rows, [12 * mm, 48 * mm, 14 * mm, 82 * mm, 14 * mm]))
    else:
        story.append(_p("未提交实物或书面证据材料。", s["base"]))
    if files:
        story.append(Spacer(1, 2 * mm))
        rows = [["序号", "电子文件", "类型", "大小", "SHA-256（前 16 位）"]]
        for number, f in enumerate(files, start=1):
            rows.append(
                [
                    str(number),
                    _p(escape(f.original_name), s["cell"]),
                    f.get_purpose_display() if f.purpose != "evidence" else f.get_kind_display(),
                    _size(f.size),
                    f.sha256[:16],
                ]
            )
        story.append(_grid(rows, [12 * mm, 62 * mm, 22 * mm, 20 * mm, 54 * mm]))

    story.append(_p("二、查询办理进度", s["h"]))
    phone_hint = ""
    if reporter is not None and reporter.phone:
        phone_hint = f"（{mask_phone(reporter.phone.plaintext())}）"
    query_text = [
        _p("查询码", s["small"]),
        _p(escape(alert.query_code_display), s["code"]),
        _p(
            f"1. 用手机扫描右侧二维码，或访问 {escape(url)}，输入查询码和登记的手机号码"
            f"{phone_hint}，即可查询受理、办理进度；",
            s["base"],
        ),
        _p(
            "2. 也可拨打接报单位电话"
            + (f" {escape(unit.phone)} " if unit.phone else "")
            + "查询；案件办结或有重要进展时，将以短信告知。",
            s["base"],
        ),
        _p("请妥善保管本回执，查询码不要告诉他人。", s["small"]),
    ]
    query_table = Table([[query_text, _qr(url, 34 * mm)]], colWidths=[132 * mm, 38 * mm])
    query_table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    story.append(query_table)

    story.append(_p("三、监督与投诉", s["h"]))
    legal_text = (
        f"{escape(legal.name)}" + (f"（电话 {escape(legal.phone)}）" if legal.phone else "")
        if legal
        else f"{escape(bureau.name)}法制部门"
    )
    story.append(
        _p(
            f"对接报、受案、立案有异议，或发现有推诿、不作为等情形的，可向 {legal_text} 反映，"
            f"或拨打公安机关举报投诉电话 {COMPLAINT_HOTLINE}。对不予立案决定不服的，"
            "可以在收到不予立案通知书之日起七日内向作出决定的公安机关申请复议。",
            s["base"],
        )
    )

    story.append(_p("四、留痕校验", s["h"]))
    event_line = (
        f"本次登记已记入审计日志（事件 #{alert.intake_event_id}），"
        f"事件内容 SHA-256：{alert.intake_event_sha256}"
        if alert.intake_event_id
        else "本次登记的审计事件尚未生成。"
    )
    story.append(_p(event_line, s["small"]))
    printer = getattr(printed_by, "full_name", "") or "系统"
    story.append(
        _p(
            f"{'原件' if copy == 1 else f'第 {copy} 次打印（补打）'}　打印时间 "
            f"{_local(printed_at or timezone.now(), '%Y-%m-%d %H:%M:%S')}　打印人 {escape(printer)}",
            s["small"],
        )
    )
    story.append(Spacer(1, 8 * mm))
    signatures = Table(
        [
            [
                _p("报案人签名：", s["base"]),
                _p("接报人签名：", s["base"]),
                _p(f"{escape(unit.name)}（印）", s["base"]),
            ],
            ["", "", _p(_local(alert.registered_at, "%Y年%m月%d日"), s["base"])],
        ],
        colWidths=[55 * mm, 55 * mm, 60 * mm],
        rowHeights=[12 * mm, 8 * mm],
    )
    story.append(KeepTogether([signatures]))

    return pdf.build(
        story,
        margins=pdf.Margins.mm(16, 20, 16, 20),
        title=f"接报案回执 {alert.number}",
        author=unit.name,
        subject="接报案回执",
    )


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
