"""Demo bulletins for 沙县公安分局: the weekly summaries of the last four full weeks (written as the
Monday job writes them), the 月通报 of the three months before last issued as 第1–3期 (drafted on
the 2nd, approved by the center and the legal brigade, issued on the 5th of the following month),
and last month's bulletin approved by the center and waiting for the legal brigade.

Laid out relative to the day the demo is seeded; idempotent: each step is taken only where the
bulletin is not there or not that far yet."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shoulian.core.demo import demo_seeder

BUREAU_CODE = "350427"
WEEKS = 4
ISSUED_MONTHS = 3


def _holder(bureau: Any, role: str) -> Any:
    from shoulian.accounts.models import User

    return (
        User.objects.filter(unit__path__startswith=bureau.path, roles__role=role, is_active=True)
        .filter(police_kind="officer")
        .order_by("username")
        .first()
    )


def _at(day: dt.date, hour: int) -> dt.datetime:
    from shoulian.bulletins.stats import moment

    return moment(day) + dt.timedelta(hours=hour)


@demo_seeder(order=85, name="bulletins")
def seed_bulletins(**_: Any) -> str:
    from django.utils import timezone

    from shoulian.accounts.choices import Role
    from shoulian.bulletins import services
    from shoulian.bulletins.choices import BulletinKind, BulletinStatus
    from shoulian.bulletins.models import Bulletin
    from shoulian.bulletins.stats import Period
    from shoulian.core import context
    from shoulian.deadlines.versions import legal_date
    from shoulian.org.models import Unit

    bureau = Unit.objects.filter(code=BUREAU_CODE).first()
    if bureau is None:
        return "未找到演示分局，跳过"
    head, legal = _holder(bureau, Role.CENTER_HEAD), _holder(bureau, Role.LEGAL_BRIGADE)
    if head is None or legal is None:
        return "演示分局缺少中心负责人或法制大队，跳过"
    now = timezone.now()
    today = legal_date(now)

    weeks = 0
    this_week = Period.week_of(today)
    with context.acting(channel="worker"):
        for n in range(WEEKS, 0, -1):
            week = Period.week_of(this_week.start - dt.timedelta(days=7 * n))
            services.weekly_summary_write(bureau=bureau, week=week, now=_at(week.end, 7))
            weeks += 1

    months = []
    first = today.replace(day=1)
    for _month in range(ISSUED_MONTHS + 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        months.append(Period.month_of(first))
    months.reverse()  # oldest first: 第1期 is the oldest month
    issued = 0
    for index, month in enumerate(months):
        last = index == len(months) - 1
        drafted_at = _at(month.end + dt.timedelta(days=1), 9)
        step_at = drafted_at if last else _at(month.end + dt.timedelta(days=4), 10)
        b = Bulletin.objects.filter(
            bureau=bureau, kind=BulletinKind.MONTHLY, period_start=month.start
        ).first()
        if b is None:
            b = services.bulletin_draft(
                actor=head, bureau=bureau, month=month.start, now=min(drafted_at, now)
            )
        steps = [(BulletinStatus.DRAFT, head, "center_approve")]
        if not last:
            steps += [
                (BulletinStatus.CENTER_APPROVED, legal, "approve"),
                (BulletinStatus.APPROVED, head, "issue"),
            ]
        for status, actor, action in steps:
            if b.status != status:
                continue
            b = services.bulletin_transition(
                actor=actor, bulletin=b, action=action, expected_version=b.version,
                now=min(step_at, now), signer="局长 林建国",
            )  # fmt: skip
        issued += b.status == BulletinStatus.ISSUED
    return f"周汇总 {weeks} 期，已下发月通报 {issued} 期，待法制大队审批 1 期"
