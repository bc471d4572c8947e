"""The patrol rule "on-scene handling without an AV record" (现场处警无视音频记录, DOMAIN §6; issue 11
named it, issue 15 makes it live now that AV records exist).

Registered in supervision's code registry from here (the contributing app sits above the
registry's owner, as the assistant's rule does); imported by ``ReviewConfig.ready()``. Its default
settings are seeded by ``review/migrations/0004_seed_patrol_rule.py``; the legal brigade tunes them
on the rules page. Registering an AV record re-evaluates the alert at once, so the finding clears
with the reason as soon as the recording is there."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from shoulian.intake.models import Alert
from shoulian.review.models import AvRecord
from shoulian.supervision.choices import Level
from shoulian.supervision.registry import (
    Hit,
    Param,
    PatrolContext,
    candidates,
    patrol_rule,
    rerun,
)

CODE = "av_record_missing"


def _missing(ctx: PatrolContext) -> QuerySet[Alert]:
    cutoff = ctx.now - dt.timedelta(hours=ctx.param("grace_hours"))
    recorded = AvRecord.objects.filter(alert=OuterRef("pk"), registered_at__lte=ctx.now)
    return ctx.alerts().filter(handled_at__lte=cutoff).filter(~Exists(recorded))


def _detailed(ctx: PatrolContext) -> list[Hit]:
    rows = list(
        _missing(ctx).values(
            "pk", "number", "handled_at", "handling_unit_id", "registering_unit_id"
        )
    )
    officers = ctx.officers(r["pk"] for r in rows)
    return [
        Hit(
            subject_type="alert",
            subject_id=r["pk"],
            alert_id=r["pk"],
            unit_id=r["handling_unit_id"] or r["registering_unit_id"],
            officer_id=officers.get(r["pk"]),
            summary=f"警情 {r['number']}：现场处警后未登记视音频记录",
            evidence={
                "number": r["number"],
                "handled_at": timezone.localtime(r["handled_at"]).isoformat(timespec="minutes"),
                "grace_hours": ctx.param("grace_hours"),
            },
        )
        for r in rows
    ]


_describe = rerun(_detailed)


@patrol_rule(
    CODE,
    name="现场处警无视音频记录",
    description=(
        "已现场处警（有处警时间）的警情，处警后超过规定时限仍未登记现场处警视音频"
        "（上传文件或关联执法记录仪存储编号）。登记视音频后自动消除。"
    ),
    basis="《公安机关现场执法视音频记录工作规定》（2016）：现场执法全程记录，执勤结束后 24 小时内上传存储",
    level=Level.YELLOW,
    params=(
        Param(
            "grace_hours",
            "处警后登记时限（小时）",
            24,
            1,
            720,
            help="处警后超过该时限仍无视音频记录的，形成巡查发现。",
        ),
    ),
)
@candidates("alert", describe=_describe)
def av_record_missing(ctx: PatrolContext) -> Any:
    # The candidate statement only: the summary, evidence and officer are read for the hits that
    # open a finding (a full patrol meets every known one again, without a Python loop over them).
    return _missing(ctx).values_list("pk", "pk", "handling_unit_id", "registering_unit_id")
