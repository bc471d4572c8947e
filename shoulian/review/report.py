"""The campaign report (专项评查情况报告) in the official-document layout (``shoulian.documents``):
scope and draw, results per unit, the items deducted most, the problems raised as findings, the
conclusion. It names units and alert numbers, never citizens (DOMAIN §8)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record_read
from shoulian.documents import official
from shoulian.review.models import Campaign, CampaignScore


def document(campaign: Campaign) -> official.OfficialDocument:
    entries = list(
        campaign.entries.select_related("unit", "alert", "review__finding").order_by("position")
    )
    by_unit: dict[str, list[Any]] = defaultdict(list)
    for e in entries:
        by_unit[e.unit.name].append(e)
    unit_rows = [["单位", "评查警情", "平均得分", "扣分警情"]]
    for name, rows in sorted(by_unit.items()):
        scores = [e.score for e in rows if e.score is not None]
        average = f"{sum(scores) / len(scores):.1f}" if scores else "—"
        unit_rows.append([name, str(len(rows)), average, str(sum(1 for e in rows if e.deducted))])
    failed = Counter(
        CampaignScore.objects.filter(entry__campaign=campaign, passed=False).values_list(
            "item__text", flat=True
        )
    )
    item_rows = [["评查项目", "扣分警情"]] + [[text, str(n)] for text, n in failed.most_common()]
    problems = [
        f"警情 {e.alert.number}（{e.unit.name}）扣 {e.deducted} 分，已形成"
        f"{e.review.finding.get_level_display()}巡查发现，责令整改。"
        for e in entries
        if e.deducted and e.review is not None and e.review.finding is not None
    ]
    units = "、".join(sorted(u.name for u in campaign.units.all())) or "全局各单位"
    categories = "、".join(sorted(c.name for c in campaign.categories.all())) or "全部类别"
    scope = (
        f"评查范围：{campaign.period_start:%Y年%m月%d日}至{campaign.period_end:%Y年%m月%d日}登记的"
        f"{units}警情，类别为{categories}，总体 {campaign.population} 起；"
        + (
            f"以种子 {campaign.seed} 随机抽取 {len(entries)} 起"
            if campaign.sample_size
            else f"全部 {len(entries)} 起"
        )
        + f"，按《{campaign.checklist.name}》（第{campaign.checklist.version}版）逐项评分。"
    )
    scored = [e.score for e in entries if e.score is not None]
    summary = (
        f"共评查警情 {len(entries)} 起，平均得分 {sum(scored) / len(scored):.1f} 分，"
        f"存在扣分的 {sum(1 for e in entries if e.deducted)} 起。"
        if scored
        else "尚无评分。"
    )
    bureau = campaign.bureau
    legal = bureau.children.filter(kind="legal_brigade").first()
    issuer = legal.name if legal is not None else bureau.name
    closed = timezone.localdate(campaign.closed_at) if campaign.closed_at else timezone.localdate()
    return official.OfficialDocument(
        issuer=issuer,
        title=f"关于{campaign.title}情况的报告",
        date=closed,
        recipients=["局领导"],
        body=[
            f"按照{campaign.get_kind_display()}工作安排，{issuer}组织开展了{campaign.title}，现将有关情况报告如下。",
            official.Section("评查范围与方法", [scope]),
            official.Section(
                "评查结果",
                [summary, official.TableBlock(rows=unit_rows, widths=(3, 1.2, 1.2, 1.2))],
            ),
            official.Section(
                "存在的问题",
                [
                    official.TableBlock(rows=item_rows, widths=(4, 1.2))
                    if len(item_rows) > 1
                    else "本次评查未发现扣分项。",
                    *problems,
                ],
            ),
            official.Section("评查结论", [campaign.conclusion or "（未填写）"]),
        ],
        cc=["受立案管理中心"],
    )


def report_render(*, actor: Any, campaign: Campaign, fmt: str) -> bytes:
    """The closed campaign's report as PDF or DOCX, its printing journalled (U1)."""
    if campaign.closed_at is None:
        raise ValidationError("评查结束后才能生成报告。")
    doc = document(campaign)
    data = official.render_pdf(doc) if fmt == "pdf" else official.render_docx(doc)
    record_read(EventType.CAMPAIGN_REPORT_PRINTED, obj=campaign, actor=actor, fmt=fmt)
    return data
