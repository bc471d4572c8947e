"""The "on-scene handling without an AV record" patrol rule (DOMAIN §6): review's rule in
supervision's registry fires for a 110 alert handled on the scene more than the grace period ago
with no recording, stays quiet with one or within the grace period, deduplicates across patrols,
and closes with a reason when the recording is registered or the grace period is widened."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from shoulian.intake.tests.helpers import import_110
from shoulian.review import patrol as rule
from shoulian.review.services import av_record_link
from shoulian.review.tests.helpers import digest
from shoulian.supervision import registry
from shoulian.supervision.choices import FindingStatus, Level
from shoulian.supervision.models import InboxMessage, PatrolRule
from shoulian.supervision.services import patrol_rule_revise
from shoulian.supervision.tests.helpers import findings_of, only, patrol

pytestmark = pytest.mark.django_db

CODE = rule.CODE


def handled(bureau: Any, hours: float) -> Any:
    from shoulian.accounts.choices import Role
    from shoulian.accounts.models import User
    from shoulian.conftest import make_user

    clerk = User.objects.filter(username="avclerk").first() or make_user(
        "avclerk", bureau.center, Role.CLERK
    )
    now = timezone.now()
    return import_110(
        clerk,
        station_code=bureau.station.code,
        received_at=now - dt.timedelta(hours=hours + 1),
        incident_at=now - dt.timedelta(hours=hours + 1),
        handled_at=now - dt.timedelta(hours=hours),
    ).alert


def link(officer: Any, alert: Any, tag: str = "1") -> Any:
    return av_record_link(
        actor=officer,
        alert=alert,
        store="执法记录仪管理平台",
        external_id=f"ZF-{tag}",
        sha256=digest(tag),
        duration_seconds=300,
    )


def test_registered_by_review_with_its_default_version() -> None:
    defn = registry.get(CODE)
    assert defn.predicate is rule.av_record_missing
    seeded = PatrolRule.objects.get(code=CODE, bureau=None, version=1)
    assert seeded.params == {"grace_hours": 24} == defn.defaults()["params"]
    assert seeded.level == Level.YELLOW == defn.level and seeded.is_active


def test_handled_without_a_recording_fires_once_and_dedups(bureau_a: Any) -> None:
    late = handled(bureau_a, hours=30)
    handled(bureau_a, hours=2)  # within the 24 hours: quiet
    patrol(bureau_a.bureau, codes=[CODE])
    finding = only(CODE)
    assert finding.alert == late and finding.status == FindingStatus.OPEN
    assert finding.unit == bureau_a.station and finding.level == Level.YELLOW
    assert finding.evidence["grace_hours"] == 24 and "handled_at" in finding.evidence
    messages = InboxMessage.objects.filter(finding=finding).count()
    stats = patrol(bureau_a.bureau, now=timezone.now() + dt.timedelta(hours=1), codes=[CODE])
    assert stats.opened == 0 and stats.reopened == 0
    assert len(findings_of(CODE)) == 1
    assert InboxMessage.objects.filter(finding=finding).count() == messages


def test_walk_in_alerts_without_on_scene_handling_stay_quiet(
    bureau_a: Any, clerk: Any, officer: Any
) -> None:
    from shoulian.supervision.tests.helpers import aged_alert

    aged_alert(clerk, officer, days=5)
    patrol(bureau_a.bureau, codes=[CODE])
    assert findings_of(CODE) == []


def test_a_recording_closes_the_finding_at_once_with_the_reason(
    bureau_a: Any, officer: Any
) -> None:
    late = handled(bureau_a, hours=30)
    patrol(bureau_a.bureau, codes=[CODE])
    assert only(CODE).status == FindingStatus.OPEN
    link(officer, late)
    finding = only(CODE)
    assert finding.status == FindingStatus.CLEARED
    assert "不再符合规则" in finding.close_reason
    # And a recorded alert never fires again.
    patrol(bureau_a.bureau, now=timezone.now() + dt.timedelta(days=1), codes=[CODE])
    assert only(CODE).status == FindingStatus.CLEARED


def test_a_wider_grace_period_clears_and_a_recorded_alert_is_quiet(
    bureau_a: Any, officer: Any, legal: Any
) -> None:
    late = handled(bureau_a, hours=30)
    recorded = handled(bureau_a, hours=40)
    link(officer, recorded)
    patrol(bureau_a.bureau, codes=[CODE])
    assert only(CODE).alert == late
    current = PatrolRule.objects.get(code=CODE, bureau=None, version=1)
    patrol_rule_revise(
        actor=legal,
        code=CODE,
        change_reason="放宽登记时限",
        name=current.name,
        level=current.level,
        params={"grace_hours": 48},
        recipients=list(current.recipients),
        review_chain=list(current.review_chain),
        rectify_days=current.rectify_days,
        is_active=True,
        effective_from=dt.date(2020, 1, 1),
    )
    patrol(bureau_a.bureau, codes=[CODE])
    finding = only(CODE)
    assert finding.status == FindingStatus.CLEARED and "第2版" in finding.close_reason
