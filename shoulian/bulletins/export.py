"""The statistics page's figures as CSV and XLSX: the same rows the page prints."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from shoulian.bulletins.stats import Figures


def rows(f: Figures) -> list[list[str | int]]:
    """Section, item, count: the headline figures, then each breakdown."""
    out: list[list[str | int]] = [
        ["主要数据", "违法犯罪类警情（件）", f.offence_alerts],
        ["主要数据", "现场处警视音频资料（件）", f.av_reviewed],
        ["主要数据", "派出所上门报警警情（件）", f.station_walk_in],
        ["主要数据", "下发巡查监督通报（期）", f.bulletins_issued],
        ["主要数据", "监督整改立案相关问题（个）", f.rectified],
        ["主要数据", "接报警情（件）", f.alerts],
        ["主要数据", "新发现问题（个）", f.findings_opened],
        ["主要数据", "逾期未整改（个，截至期末）", f.overdue],
        ["主要数据", "回访（件）", f.follow_ups],
        ["主要数据", "满意（件）", f.satisfied],
        ["主要数据", "基本满意（件）", f.basically_satisfied],
        ["主要数据", "不满意（件）", f.dissatisfied],
    ]
    out += [
        ["三级巡查评查", "巡查评查警情（件）", f.reviews],
        ["三级巡查评查", "其中发现问题（件）", f.reviews_with_problem],
    ]
    out += [["三级巡查评查", r.label, r.count] for r in f.reviews_by_level]
    out += [
        ["现场处警视音频", "审查视音频资料（件）", f.av_reviewed],
        ["现场处警视音频", "发现问题（次）", f.av_problems],
        ["精准指导", "法制大队答复（件）", f.guidance],
    ]
    out += [["报警方式", r.label, r.count] for r in f.by_channel]
    out += [["办理单位", r.label, r.count] for r in f.by_unit]
    out += [["巡查发现（按规则）", r.name, r.total] for r in f.by_rule]
    out += [["巡查发现（按等级）", r.label, r.count] for r in f.by_level]
    return out


def _title(f: Figures) -> str:
    return f"{f.unit_name}{f.period.label}受立案巡查监督统计"


def figures_csv(f: Figures) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_title(f)])
    writer.writerow(["类别", "项目", "数量"])
    writer.writerows(rows(f))
    # A BOM so that Excel on a bureau PC opens the UTF-8 file with its Chinese intact.
    return ("\ufeff" + out.getvalue()).encode()


def figures_xlsx(f: Figures) -> bytes:
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = "巡查监督统计"
    sheet.append([_title(f)])
    sheet["A1"].font = Font(bold=True)
    sheet.append(["类别", "项目", "数量"])
    for row in rows(f):
        sheet.append(row)
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 36
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
