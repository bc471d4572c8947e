"""Demo review work for 沙县公安分局 over the five demo months: on-scene recordings of the 110
dispatches and their reviews, reviews at the three levels (a few raising findings), one closed
专项评查 with its scores and a finding, and guidance on case nature (one still waiting for the
legal brigade, so its queue has work).

It runs before supervision's demo (order 65 < 70): the recordings exist before the patrols look
for them, so "no AV record" fires only for the few dispatches left without one, and the findings
the reviewers raise are answered by the units with the patrol's. Everything goes through the
services with the historical moment as ``now``; reviews of the last days are left undone, so the
work lists have work. Idempotent: a bureau with reviews is left as it is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

from django.utils import timezone

from shoulian.core.demo import demo_seeder, demo_window

BUREAU_CODE = "350427"
COMMENTS_OK = ["受案登记及时，文书齐全。", "处置规范，回执已当场出具。", "网上流转节点完整。"]
FREE_PROBLEMS = [
    ("询问笔录未载明告知权利义务", "yellow"),
    ("涉案财物未逐项登记特征", "yellow"),
    ("受案回执未载明查询方式", "yellow"),
    ("案情描述与定性不一致，疑似降格处理", "orange"),
]
# The newest alert's request waits for the legal brigade (its queue has work).
GUIDANCE = [
    (
        "双方因邻里纠纷互相推搡，一方轻微擦伤，请指导是否按故意伤害受案。",
        None,
    ),
    (
        "报案人称其员工利用收银职务便利，多次将店内营业款转入个人账户，累计约四万元，请指导是职务侵占还是盗窃。",
        {
            "nature": "涉嫌职务侵占罪",
            "legal_basis": "《中华人民共和国刑法》第二百七十一条第一款",
            "evidence_to_collect": "店内账目与收银记录、转账流水、劳动合同及岗位职责、嫌疑人供述",
            "case_title": "收银员侵占营业款的定性",
        },
    ),
    (
        "报案人称网购付款后卖家拒不发货并将其拉黑，金额六百元，请指导按诈骗受案还是作为民事纠纷告知。",
        {
            "nature": "数额未达诈骗罪立案标准，按治安案件受案（诈骗）",
            "legal_basis": "《中华人民共和国治安管理处罚法》第四十九条；两高《关于办理诈骗刑事案件具体应用法律若干问题的解释》第一条",
            "evidence_to_collect": "付款凭证、聊天记录截图、卖家账户信息、同一卖家其他被骗情况",
            "case_title": "小额网购不发货的定性",
        },
    ),
]


def _at(day: dt.date, hour: float) -> dt.datetime:
    base = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
    return base + dt.timedelta(hours=hour)


@demo_seeder(order=65, name="review")
def seed_review(**_: Any) -> str:
    from shoulian.accounts.models import User
    from shoulian.core import context
    from shoulian.org.models import Unit
    from shoulian.review.models import AvRecord, AvReview, Campaign, Guidance, Review

    bureau = Unit.objects.filter(code=BUREAU_CODE).first()
    if bureau is None:
        return "未找到演示分局，跳过"
    if not Review.objects.filter(bureau=bureau).exists():
        users = {u.username: u for u in User.objects.filter(unit__path__startswith=bureau.path)}
        with context.acting(channel="command"):
            rng = random.Random("review-demo")  # noqa: S311 - demo data
            _recordings(bureau, users, rng)
            _reviews(bureau, users, rng)
            _campaign(bureau, users, rng)
            _guidance(bureau, users)
    reviews = Review.objects.filter(bureau=bureau)
    return (
        f"评查 {reviews.count()} 次（所队 {reviews.filter(level='unit').count()}、"
        f"中心 {reviews.filter(level='center').count()}、"
        f"法制大队 {reviews.filter(level='legal_brigade').count()}，"
        f"发现问题 {reviews.exclude(finding=None).count()}）；"
        f"视音频 {AvRecord.objects.filter(bureau=bureau).count()} 件，"
        f"审查 {AvReview.objects.filter(bureau=bureau).count()} 次；"
        f"专项评查 {Campaign.objects.filter(bureau=bureau).count()} 项；"
        f"定性指导 {Guidance.objects.filter(bureau=bureau).count()} 件"
    )


def _officer_of(unit_id: int | None, users: dict[str, Any]) -> Any:
    for user in users.values():
        if user.unit_id == unit_id and user.has_role("officer") and user.is_active:
            return user
    return None


def _recordings(bureau: Any, users: dict[str, Any], rng: random.Random) -> None:
    from shoulian.intake.models import Alert
    from shoulian.review.choices import AvIssue, AvResult, ReviewLevel
    from shoulian.review.services import av_record_link, av_review_record

    now = timezone.now()
    head = users.get("center.head")
    alerts = (
        Alert.objects.filter(
            registering_unit__path__startswith=bureau.path, handled_at__isnull=False
        )
        .select_related("registering_unit", "handling_unit")
        .order_by("pk")
    )
    for alert in alerts:
        handled = alert.handled_at
        if handled is None or rng.random() < 0.06:
            continue  # left without a recording: the patrol rule finds these
        actor = _officer_of(alert.handling_unit_id, users) or users.get("legal.reviewer1")
        for k in range(1 if rng.random() < 0.7 else 2):
            registered = handled + dt.timedelta(hours=rng.uniform(1, 20))
            if registered >= now:
                continue
            tag = f"{alert.number}-{k + 1}"
            record = av_record_link(
                actor=actor,
                alert=alert,
                store="执法记录仪管理平台",
                external_id=f"ZFJLY-{tag}",
                sha256=hashlib.sha256(tag.encode()).hexdigest(),
                duration_seconds=rng.randint(60, 1200),
                recorded_at=handled + dt.timedelta(minutes=rng.randint(1, 30)),
                device_no=f"DSJ-{rng.randint(1, 40):03d}",
                title="现场处警执法记录仪视频",
                now=registered,
            )
            reviewed = registered + dt.timedelta(days=rng.uniform(0.5, 3))
            if head is None or reviewed >= now or rng.random() > 0.7:
                continue
            problem = rng.random() < 0.08
            issues = [rng.choice(AvIssue.values)] if problem else []
            av_review_record(
                actor=head,
                av_record=record,
                level=ReviewLevel.CENTER,
                result=AvResult.PROBLEM if problem else AvResult.COMPLIANT,
                issues=issues,
                comment="录像未覆盖处置全过程。" if problem else "",
                finding_level="yellow" if problem and rng.random() < 0.5 else "",
                now=reviewed,
            )


def _reviews(bureau: Any, users: dict[str, Any], rng: random.Random) -> None:
    from shoulian.intake.models import Alert
    from shoulian.review.choices import ReviewChannel, ReviewLevel, ReviewResult
    from shoulian.review.services import review_record
    from shoulian.supervision.services import manual_rule_choices

    now = timezone.now()
    rules = [code for code, _ in manual_rule_choices() if code != "av_record_missing"]
    legal_officers = {
        u.unit_id: u for u in users.values() if u.has_role("legal_officer") and u.is_active
    }
    head = users.get("center.head")
    brigade = [users[n] for n in ("legal.reviewer1", "legal.reviewer2") if n in users]
    alerts = (
        Alert.objects.filter(registering_unit__path__startswith=bureau.path)
        .select_related("registering_unit", "handling_unit", "category")
        .order_by("registered_at", "pk")
    )

    def one(actor: Any, alert: Any, level: str, days: tuple[float, float]) -> None:
        moment = alert.registered_at + dt.timedelta(days=rng.uniform(*days))
        if moment >= now - dt.timedelta(days=1):
            return  # the last days' look is still to come: the lists keep work
        roll = rng.random()
        kwargs: dict[str, Any] = {"result": ReviewResult.NO_PROBLEM}
        if roll < 0.04 and rules:
            kwargs = {
                "result": ReviewResult.RULE_FINDING,
                "rule_code": rng.choice(rules),
                "finding_summary": "经人工复核确认存在该问题",
            }
        elif roll < 0.09:
            text, colour = rng.choice(FREE_PROBLEMS)
            kwargs = {
                "result": ReviewResult.FREE_FINDING,
                "finding_level": colour,
                "finding_summary": text,
            }
        review_record(
            actor=actor,
            alert=alert,
            level=level,
            channel=ReviewChannel.OFFLINE if rng.random() < 0.2 else ReviewChannel.ONLINE,
            comment=rng.choice(COMMENTS_OK) if kwargs["result"] == "no_problem" else "",
            now=moment,
            **kwargs,
        )

    for alert in alerts:
        unit = alert.handling_unit or alert.registering_unit
        legal_officer = legal_officers.get(unit.pk)
        if legal_officer is not None and rng.random() < 0.6:
            one(legal_officer, alert, ReviewLevel.UNIT, (0.5, 3))
        if head is not None and alert.is_case_type and rng.random() < 0.55:
            one(head, alert, ReviewLevel.CENTER, (0.3, 2))
        wanted = alert.category.requires_legal_review and rng.random() < 0.8
        if brigade and (wanted or (alert.is_case_type and rng.random() < 0.08)):
            one(rng.choice(brigade), alert, ReviewLevel.LEGAL_BRIGADE, (1, 5))


def _campaign(bureau: Any, users: dict[str, Any], rng: random.Random) -> None:
    from shoulian.review import campaigns
    from shoulian.review.choices import CampaignKind, ReviewChannel

    chief = users.get("legal.chief")
    if chief is None:
        return
    today = timezone.localdate()
    start, _end = demo_window(today)
    period_start = start + dt.timedelta(days=30)
    period_end = start + dt.timedelta(days=89)
    campaign = campaigns.campaign_define(
        actor=chief,
        title=f"{period_start:%Y年%m月}至{period_end:%m月}受案立案专项评查",
        kind=CampaignKind.SPECIAL,
        review_channel=ReviewChannel.ONLINE,
        period_start=period_start,
        period_end=period_end,
        sample_size=12,
        now=_at(period_end + dt.timedelta(days=3), 9),
    )
    if not campaigns.population(campaign).exists():
        campaigns.campaign_cancel(actor=chief, campaign=campaign, expected_version=1)
        return
    drawn = campaigns.campaign_draw(
        actor=chief,
        campaign=campaign,
        expected_version=1,
        seed="demo-2026-special-1",
        now=_at(period_end + dt.timedelta(days=3), 10),
    )
    people = [users[n] for n in ("legal.reviewer1", "legal.reviewer2") if n in users] or [chief]
    campaigns.campaign_assign(
        actor=chief, campaign=drawn, expected_version=drawn.version, reviewers=people
    )
    items = list(drawn.checklist.items.values_list("code", flat=True))
    for n, entry in enumerate(drawn.entries.select_related("reviewer").order_by("position")):
        # The first alert always carries a problem, so the campaign shows one finding at least.
        failed = (
            {code: "经调阅卷宗，该项不符合要求" for code in rng.sample(items, rng.randint(1, 2))}
            if n == 0 or rng.random() < 0.25
            else {}
        )
        campaigns.campaign_score(
            actor=entry.reviewer,
            entry=entry,
            failed=failed,
            finding_level=("orange" if n == 0 else "yellow") if failed else "",
            comment="专项评查打分",
            now=_at(period_end + dt.timedelta(days=5 + n // 4), 10 + n % 4),
        )
    drawn.refresh_from_db()
    campaigns.campaign_close(
        actor=chief,
        campaign=drawn,
        expected_version=drawn.version,
        conclusion=(
            "本次专项评查总体规范，受案登记、回执出具和网上流转基本到位；"
            "个别单位存在笔录告知不全、定性偏轻等问题，已形成巡查发现责令整改，"
            "法制大队将在下月组织回头看。"
        ),
        now=_at(period_end + dt.timedelta(days=12), 16),
    )


def _guidance(bureau: Any, users: dict[str, Any]) -> None:
    from shoulian.intake.models import Alert
    from shoulian.review.services import guidance_answer, guidance_request

    asker = users.get("fenggang.officer1")
    answerer = users.get("legal.reviewer1")
    if asker is None or answerer is None:
        return
    now = timezone.now()
    alerts = list(
        Alert.objects.filter(handling_unit=asker.unit, registered_at__lt=now - dt.timedelta(days=1))
        .select_related("registering_unit")
        .order_by("-registered_at")[: len(GUIDANCE)]
    )
    for alert, (question, answer) in zip(alerts, GUIDANCE, strict=False):
        asked_at = alert.registered_at + dt.timedelta(hours=6)
        if asked_at >= now:
            asked_at = now - dt.timedelta(hours=1)
        asked = guidance_request(actor=asker, alert=alert, question=question, now=asked_at)
        if answer is not None:
            guidance_answer(
                actor=answerer,
                guidance=asked,
                now=min(asked_at + dt.timedelta(hours=20), now),
                **answer,
            )
