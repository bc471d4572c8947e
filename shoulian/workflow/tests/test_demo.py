"""The demo seeder lays out lifecycles through the real services, in time order, and runs twice
without changing anything the second time."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from shoulian.accounts.models import User
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.intake.models import Alert
from shoulian.intake.tests.helpers import alert_input
from shoulian.org.demo import seed_organisation
from shoulian.workflow.demo import seed_workflow
from shoulian.workflow.models import FlowStep, RoutingRule
from shoulian.workflow.tests.helpers import deadlines_outliving_their_conclusion

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def demo_alerts(settings: Any) -> list[Alert]:
    from shoulian.intake.services import alert_register

    seed_organisation()
    clerk = User.objects.get(username="center.clerk")
    desk = User.objects.get(username="fenggang.aux")
    now = timezone.now()
    alerts = []
    for days, who, code, place in [
        (40, clerk, "0103", "凤岗街道府西社区"),
        (35, clerk, "0106", "虬江街道金沙社区"),
        (30, clerk, "0201", "青州镇青州村"),
        (25, desk, "0302", "凤岗街道西门社区"),
        (20, clerk, "0104", "夏茂镇俞邦村"),
        (12, clerk, "0306", "高砂镇上坪村"),
        (6, clerk, "0101", "富口镇荷山村"),
        (2, clerk, "0105", "凤岗街道东门社区"),
        (0.2, clerk, "0109", "虬江街道翠绿社区"),
    ]:
        moment = now - timedelta(days=days)
        data = alert_input(
            category_code=code,
            incident_place=place,
            received_at=moment - timedelta(minutes=10),
            incident_at=moment - timedelta(hours=3),
        )
        alerts.append(
            alert_register(actor=who, data=data, idempotency_key=uuid.uuid4().hex, now=moment).alert
        )
    return alerts


def test_demo_seeder_advances_alerts_in_time_order_and_is_idempotent(
    demo_alerts: list[Alert],
) -> None:
    summary = seed_workflow(rng=random.Random(1))
    assert "未能推进" not in summary
    assert RoutingRule.objects.filter(category__code="0106", unit__code="35042704").exists()
    steps = list(FlowStep.objects.order_by("alert_id", "version"))
    assert len(steps) > len(demo_alerts) * 3
    for alert in demo_alerts:
        own = [s for s in steps if s.alert_id == alert.pk]
        times = [s.at for s in own]
        assert times == sorted(times), alert.number
        assert all(alert.registered_at <= t <= timezone.now() for t in times)
    oldest = Alert.objects.get(pk=demo_alerts[0].pk)
    assert oldest.status not in ("registered", "routed", "signed")
    # The economic crime went to the 经侦大队 by the routing rule.
    assert Alert.objects.get(pk=demo_alerts[1].pk).handling_unit.code == "35042704"  # type: ignore[union-attr]
    assert not AuditEvent.objects.filter(event_type=EventType.WORKFLOW_REFUSED).exists()
    # 我的期限 shows no clock that its alert's conclusion should have stopped.
    assert deadlines_outliving_their_conclusion() == []

    again = seed_workflow(rng=random.Random(1))
    # Only alerts without a flow are looked at again (those waiting for the center); none moves.
    assert "分派 0，签收 0，退回 0，移交 0，争议 0，审批 0，回访 0" in again
    assert FlowStep.objects.count() == len(steps)


# Today, and two moments at which the held alerts' own random stops left the legal brigade's
# or the leader's list empty (the rolls follow the alert numbers, so they change with the day).
@pytest.mark.parametrize(
    "moment",
    [
        None,
        dt.datetime(2026, 12, 8, 6, 40, tzinfo=SHANGHAI),
        dt.datetime(2026, 12, 4, 2, 0, tzinfo=SHANGHAI),
    ],
)
def test_the_newest_alerts_wait_at_every_node_on_the_day_the_demo_is_loaded(
    moment: dt.datetime | None, time_machine: Any
) -> None:
    from shoulian.intake.services import alert_register
    from shoulian.workflow.models import Approval

    if moment is not None:
        time_machine.move_to(moment, tick=True)
    seed_organisation()
    clerk = User.objects.get(username="center.clerk")
    now = timezone.now()
    # Two days of desk reports: economic crime (legal review first), theft, fights, a dispute.
    for hours, code in [(50, "0106"), (44, "0103"), (40, "0201"), (30, "0111"), (20, "0101"),
                        (12, "0109"), (8, "0201"), (3, "0103"), (1, "0302")]:  # fmt: skip
        moment = now - timedelta(hours=hours)
        data = alert_input(
            category_code=code,
            incident_place="凤岗街道府西社区",
            received_at=moment - timedelta(minutes=10),
            incident_at=moment - timedelta(hours=3),
        )
        alert_register(actor=clerk, data=data, idempotency_key=uuid.uuid4().hex, now=moment)
    seed_workflow(rng=random.Random(1))

    alerts = Alert.objects.all()
    assert alerts.filter(status="registered", handling_unit__isnull=True).exists()  # to route
    assert alerts.filter(status="routed").exists()  # to sign for
    assert alerts.filter(status="handling", decisions__isnull=True).exists()  # to propose
    waiting = set(Approval.objects.filter(status="pending").values_list("role", flat=True))
    assert {"leader", "legal_brigade", "bureau_head"} <= waiting
    for step in FlowStep.objects.all():
        assert step.at <= timezone.now()
