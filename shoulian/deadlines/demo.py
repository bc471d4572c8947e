"""Demo deadlines for 沙县公安分局. The workflow seeder (order 30) started the statutory periods of
the demo alerts through their transitions; this one adds what only people do to a running period:
a 治安 case paused for an injury appraisal (鉴定) and an extension request waiting for approval, so
我的期限 and the approval list show both on the day the demo is loaded.

Demo databases of earlier versions held seven deadlines of a made-up ``demo_alert`` object with no
alert behind them; they are stopped here, through the service, so they leave every queue.
Idempotent: nothing is paused or requested twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from shoulian.core.demo import demo_seeder

BUREAU_CODE = "350427"
STALE_OBJECT_TYPE = "demo_alert"
APPRAISAL = "委托司法鉴定机构进行伤情鉴定"
EXTENSION_REASON = "涉案账户多，需跨省调取银行流水，申请延长立案审查期限"


def _stop_stale(now: dt.datetime) -> int:
    from shoulian.deadlines.choices import DeadlineStatus
    from shoulian.deadlines.models import Deadline
    from shoulian.deadlines.services import deadline_stop

    stale = Deadline.objects.filter(object_type=STALE_OBJECT_TYPE).exclude(
        status=DeadlineStatus.STOPPED
    )
    for deadline in stale:
        deadline_stop(actor=None, deadline=deadline, at=now, note="演示数据：没有对应的警情")
    return len(stale)


def _running(code: str, now: dt.datetime) -> Any:
    from shoulian.deadlines.choices import DeadlineStatus
    from shoulian.deadlines.models import Deadline

    return (
        Deadline.objects.filter(
            object_type="alert",
            code=code,
            status=DeadlineStatus.OPEN,
            unit__code__startswith=BUREAU_CODE,
            due_at__gt=now + dt.timedelta(hours=12),
        )
        .select_related("rule", "unit")
        .order_by("started_at", "id")
    )


def _pause(now: dt.datetime) -> int:
    from shoulian.deadlines.models import DeadlinePause
    from shoulian.deadlines.services import deadline_pause

    if DeadlinePause.objects.filter(deadline__unit__code__startswith=BUREAU_CODE).exists():
        return 0
    at = now - dt.timedelta(days=2)
    deadline = _running("public_order_case", now).filter(started_at__lt=at).first()
    if deadline is None:
        return 0
    deadline_pause(actor=None, deadline=deadline, at=at, reason=APPRAISAL)
    return 1


def _extension() -> int:
    from shoulian.accounts.choices import Role
    from shoulian.accounts.models import User
    from shoulian.deadlines.models import DeadlineExtension
    from shoulian.workflow.models import AlertFlow

    if DeadlineExtension.objects.filter(deadline__unit__code__startswith=BUREAU_CODE).exists():
        return 0
    now = timezone.now()
    for deadline in _running("criminal_filing_review", now)[:20]:
        if not deadline.rule.allows_extension:
            return 0
        flow = AlertFlow.objects.filter(alert_id=int(deadline.object_id)).first()
        officer = flow.handling_officer if flow is not None else None
        if officer is None:
            officer = (
                User.objects.filter(unit=deadline.unit, roles__role=Role.OFFICER, is_active=True)
                .order_by("username")
                .first()
            )
        if officer is None or officer.unit_id != deadline.unit_id:
            continue
        from shoulian.deadlines.services import deadline_extension_request

        deadline_extension_request(
            actor=officer,
            deadline=deadline,
            length=min(23, deadline.rule.extension_cap - deadline.extended_by),
            reason=EXTENSION_REASON,
        )
        return 1
    return 0


@demo_seeder(order=50, name="deadlines")
def seed_deadlines(**_: Any) -> str:
    now = timezone.now()
    with transaction.atomic():
        stopped = _stop_stale(now)
        paused = _pause(now)
        requested = _extension()
    return f"鉴定暂停 +{paused}，延长申请 +{requested}" + (
        f"，停止无对应警情的旧演示期限 {stopped} 条" if stopped else ""
    )
