"""The periods of intake's nodes and of the not-police notice (issue 12 item 2): 三个当场 from the
report to the receipt, measured as a number; 110 补录 24 hours after on-scene handling as a real
deadline; "tell the reporter at once" from the decision to the delivery."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.deadlines.models import Deadline
from shoulian.intake.hooks import registration_due, registration_due_of
from shoulian.intake.services import alert_complete_registration, receipt_print
from shoulian.intake.tests.helpers import alert_input, import_110, reporter
from shoulian.notify import delivery
from shoulian.workflow.choices import DecisionKind
from shoulian.workflow.selectors import on_the_spot_compliance
from shoulian.workflow.tests.helpers import approve, handling, new_alert, propose

pytestmark = pytest.mark.django_db


def deadline(alert: Any, code: str) -> Deadline:
    return Deadline.objects.get(object_type="alert", object_id=str(alert.pk), code=code)


def test_a_walk_in_report_runs_the_on_the_spot_period_until_its_receipt(clerk: Any) -> None:
    alert = new_alert(clerk)
    period = deadline(alert, "walkin_registration")
    assert period.status == "open" and period.unit == clerk.unit
    assert period.started_at == alert.received_at
    assert period.rule.version == 2 and period.due_at is not None
    assert period.due_at > alert.received_at

    receipt_print(actor=clerk, alert=alert)
    period.refresh_from_db()
    assert period.status == "stopped" and period.stopped_late is False
    # A reprint is not a second receipt: nothing more is stopped or started.
    receipt_print(actor=clerk, alert=alert)
    assert Deadline.objects.filter(object_id=str(alert.pk), code="walkin_registration").count() == 1


def test_on_the_spot_compliance_is_a_number(clerk: Any, head: Any) -> None:
    since = timezone.now() - dt.timedelta(days=1)
    until = timezone.now() + dt.timedelta(days=1)
    complete = new_alert(clerk)
    receipt_print(actor=clerk, alert=complete)
    new_alert(clerk)  # no receipt
    late = new_alert(clerk)
    Deadline.objects.filter(object_id=str(late.pk), code="walkin_registration").update(
        due_at=late.received_at
    )
    receipt_print(actor=clerk, alert=late)  # printed after the (shortened) due time
    no_list = new_alert(clerk, items=())  # no evidence items but no files either: listed
    receipt_print(actor=clerk, alert=no_list)

    result = on_the_spot_compliance(head, since=since, until=until)
    assert (result.total, result.receipt_on_time, result.evidence_listed) == (4, 2, 4)
    assert result.compliant == 2 and result.percent == 50
    empty = on_the_spot_compliance(head, since=until, until=until + dt.timedelta(days=1))
    assert empty.total == 0 and empty.share is None


def test_outsider_sees_no_on_the_spot_numbers_of_another_bureau(clerk: Any, outsider: Any) -> None:
    new_alert(clerk)
    now = timezone.now()
    result = on_the_spot_compliance(
        outsider, since=now - dt.timedelta(days=1), until=now + dt.timedelta(days=1)
    )
    assert result.total == 0


def test_a_110_alert_must_be_registered_within_24_hours_of_handling(
    clerk: Any, bureau_a: Any
) -> None:
    alert = import_110(clerk, station_code=bureau_a.station.code).alert
    period = deadline(alert, "urgent_registration")
    assert period.started_at == alert.handled_at and period.unit == alert.registering_unit
    # Intake shows the engine's due time (the list badge, the registration tab, the API).
    assert registration_due_of(alert) == period.due_at
    assert registration_due([alert.pk, 0]) == {alert.pk: period.due_at}
    assert not Deadline.objects.filter(object_id=str(alert.pk), code="walkin_registration")

    alert.refresh_from_db()
    alert_complete_registration(
        actor=clerk,
        alert=alert,
        version=alert.version,
        data=alert_input(category_code="0201", items=(), parties=(reporter(),)),
    )
    period.refresh_from_db()
    assert period.status == "stopped" and period.stopped_late is False


def test_not_police_business_is_told_at_once_and_the_period_ends_on_delivery(
    clerk: Any, officer: Any, leader: Any
) -> None:
    alert = handling(clerk, officer, category_code="0306")
    approve(leader, propose(officer, alert, DecisionKind.NOT_POLICE, authority="县消委会"))
    period = deadline(alert, "not_police_business_notice")
    assert period.status == "open" and period.unit == alert.handling_unit

    delivery.deliver_due()
    period.refresh_from_db()
    assert period.status == "stopped" and period.stopped_late is False


def test_not_police_notice_in_writing_ends_the_period_with_the_decision(
    clerk: Any, officer: Any, leader: Any
) -> None:
    landline = reporter(phone="0598-5812345")
    alert = handling(clerk, officer, category_code="0306", parties=(landline,))
    approve(leader, propose(officer, alert, DecisionKind.NOT_POLICE, authority="县消委会"))
    period = deadline(alert, "not_police_business_notice")
    assert period.status == "stopped" and period.stopped_late is False
    stopped = AuditEvent.objects.filter(event_type=EventType.DEADLINE_STOPPED).latest("id")
    assert stopped.data["deadline"] == period.pk and "书面告知" in stopped.data["note"]
