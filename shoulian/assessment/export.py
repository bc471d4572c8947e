"""XLSX of a period's results for 评先评优 and 绩效: the same cards the rankings page shows."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from shoulian.assessment.selectors import Rankings

UNIT_SHEET = "单位排名"
OFFICER_SHEET = "民警排名"
HEADER = ["名次", "名称", "所属单位", "得分", "扣分", "加分"]


def rankings_xlsx(rankings: Rankings, *, bureau_name: str) -> bytes:
    book = Workbook()
    units = book.worksheets[0]
    units.title = UNIT_SHEET
    officers = book.create_sheet(OFFICER_SHEET)
    for sheet, rows in ((units, rankings.units), (officers, rankings.officers)):
        sheet.append([f"{bureau_name}{rankings.period.label}执法质量考评结果"])
        sheet["A1"].font = Font(bold=True)
        sheet.append(HEADER)
        for card in rows:
            sheet.append(
                [
                    card.rank,
                    card.name,
                    card.unit_name,
                    float(card.score),
                    float(card.deduction),
                    float(card.bonus),
                ]  # fmt: skip
            )
        sheet.column_dimensions["B"].width = 24
        sheet.column_dimensions["C"].width = 24
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
