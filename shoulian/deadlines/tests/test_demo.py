"""The demo's deadlines are those of its alerts: the seeder pauses one running 治安 case for an
appraisal and asks for one extension, once; deadlines of the old made-up ``demo_alert`` objects
stop. Set up at whatever day the suite runs (SHOULIAN_TEST_NOW)."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from shoulian.accounts.models import User
from shoulian.deadlines.choices import DeadlineStatus, ExtensionStatus
from shoulian.deadlines.demo import seed_deadlines
from shoulian.deadlines.models import Deadline, DeadlineExtension
from shoulian.deadlines.services import deadline_start
from shoulian.intake.services import alert_register
from shoulian.intake.tests.helpers import alert_input
from shoulian.org.demo import seed_organisation
from shoulian.org.models import Unit
from shoulian.workflow.choices import Action, DecisionKind
from shoulian.workflow.models import Decision
from shoulian.workflow.services import alert_transition, decision_approve

pytestmark = pytest.mark.django_db


def _step(actor: Any, alert: Any, action: str, at: Any, **payload: Any) -> Any:
    return alert_transition(
        actor=actor, alert=alert, action=action, expected_version=alert.version, now=at, **payload
    ).alert


def _handled(code: str, days_ago: float) -> Any:
    """An alert of the demo bureau registered ``days_ago`` and in handling at 凤岗派出所."""
    users = {u.username: u for u in User.objects.filter(username__startswith=("fenggang"))}
    clerk = User.objects.get(username="center.clerk")
    officer = users["fenggang.officer1"]
    at = timezone.now() - timedelta(days=days_ago)
    data = alert_input(
        category_code=code,
        incident_place="凤岗街道府西社区",
        received_at=at - timedelta(minutes=10),
        incident_at=at - timedelta(hours=2),
    )
    alert = alert_register(actor=clerk, data=data, idempotency_key=uuid.uuid4().hex, now=at).alert
    station = Unit.objects.get(code="35042711")
    alert = _step(clerk, alert, Action.ROUTE, at + timedelta(minutes=10), unit=station, reason="")
    alert = _step(officer, alert, Action.SIGN_FOR, at + timedelta(minutes=30))
    return _step(officer, alert, Action.START_HANDLING, at + timedelta(minutes=40))


def test_demo_deadlines_pause_one_case_ask_one_extension_and_stop_the_stale_ones() -> None:
    seed_organisation(rng=random.Random(1))
    leader = User.objects.get(username="fenggang.leader")
    fight = _handled("0201", days_ago=6)
    at = timezone.now() - timedelta(days=5)
    fight = _step(
        User.objects.get(username="fenggang.officer1"),
        fight,
        Action.PROPOSE,
        at,
        kind=DecisionKind.ADMIN_ACCEPT,
        facts="经审查，双方因琐事发生殴打，属于违反治安管理行为。",
        legal_basis="《公安机关办理行政案件程序规定》第六十条",
    )
    decision = Decision.objects.get(alert=fight, status="pending")
    decision_approve(
        actor=leader,
        decision=decision,
        expected_version=fight.version,
        note="同意。",
        now=at + timedelta(hours=1),
    )
    _handled("0103", days_ago=1)  # a theft under 立案审查 (3 days, extendable)
    stale = deadline_start(
        actor=None,
        rule_code="criminal_filing_review",
        obj=("demo_alert", "DEMO-001"),
        unit=Unit.objects.get(code="35042711"),
        started_at=timezone.now() - timedelta(hours=2),
        title="演示：电动车被盗（刑事立案审查）",
    )

    summary = seed_deadlines(rng=random.Random(1))
    assert "鉴定暂停 +1" in summary and "延长申请 +1" in summary
    stale.refresh_from_db()
    assert stale.status == DeadlineStatus.STOPPED
    paused = Deadline.objects.get(status=DeadlineStatus.PAUSED)
    assert paused.code == "public_order_case" and paused.object_id == str(fight.pk)
    extension = DeadlineExtension.objects.get(status=ExtensionStatus.PENDING)
    assert extension.deadline.code == "criminal_filing_review"
    assert extension.requested_by.unit_id == extension.deadline.unit_id

    again = seed_deadlines(rng=random.Random(1))
    assert "+0" in again and "停止" not in again
    assert Deadline.objects.filter(status=DeadlineStatus.PAUSED).count() == 1
    assert DeadlineExtension.objects.count() == 1
