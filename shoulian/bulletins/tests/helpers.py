"""Test data of bulletins: alerts through intake's services; findings and follow-ups as the
patrol and the follow-up desk leave them (their own services need days of history)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from shoulian.bulletins.stats import Period
from shoulian.deadlines.versions import legal_date
from shoulian.intake.tests.helpers import register

_seq = itertools.count(1)


def period_now(days: int = 3) -> Period:
    """A period ending tomorrow (Beijing) and starting ``days`` ago, holding "now"."""
    today = legal_date(timezone.now())
    return Period(today - dt.timedelta(days=days), today + dt.timedelta(days=1))


def alert(
    clerk: Any, *, code: str, channel: str = "walk_in", ago: dt.timedelta | None = None
) -> Any:
    received = timezone.now() - (ago or dt.timedelta(minutes=30))
    return register(
        clerk,
        category_code=code,
        channel=channel,
        received_at=received,
        incident_at=received - dt.timedelta(hours=2),
    ).alert


def finding(
    bureau: Any,
    unit: Any,
    *,
    rule: str = "bounced_alert",
    level: str = "orange",
    status: str = "open",
    opened: dt.datetime,
    due: dt.datetime | None = None,
    closed: dt.datetime | None = None,
    officer: Any = None,
    alert: Any = None,
    source: str = "patrol",
    summary: str = "警情被退回、移交合计超过规定次数",
) -> Any:
    from shoulian.supervision.models import Finding, PatrolRule

    return Finding.objects.create(
        rule_code=rule, rule=PatrolRule.objects.filter(code=rule, bureau=None).earliest("version"),
        kind="finding", subject_type="test", subject_id=str(next(_seq)), alert=alert,
        bureau=bureau, unit=unit, officer=officer, base_level=level, level=level, status=status,
        source=source, summary=summary, opened_at=opened, last_seen_at=opened,
        due_at=due, closed_at=closed,
    )  # fmt: skip


def follow_up(alert: Any, center: Any, *, satisfaction: str, done: dt.datetime) -> Any:
    from shoulian.feedback.models import FollowUp

    return FollowUp.objects.create(
        alert=alert, center=center, status="done", opened_at=done, satisfaction=satisfaction,
        done_at=done,
    )  # fmt: skip
