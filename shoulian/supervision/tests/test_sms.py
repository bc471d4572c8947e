"""The finding notice by SMS (issue 11 §3): through the outbox, in the patrol's transaction, only
to staff who registered a work mobile and turned the notices on; never a citizen's data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from shoulian.deadlines.services import deadline_start
from shoulian.intake.tests.helpers import MOBILE
from shoulian.notify.choices import TemplateKey
from shoulian.notify.models import SmsMessage
from shoulian.notify.staff import staff_mobile_set, staff_sms_opt_in
from shoulian.supervision.tests.helpers import only, patrol
from shoulian.workflow.tests.helpers import handling

pytestmark = pytest.mark.django_db


def late_node(bureau: Any, clerk: Any, officer: Any) -> Any:
    """A red 节点超期 finding on an alert in handling at ``officer``'s unit."""
    alert = handling(clerk, officer)
    deadline_start(
        actor=None,
        rule_code="admin_acceptance_review",
        obj=("alert", alert.pk),
        unit=officer.unit,
        started_at=timezone.now() - dt.timedelta(days=3),
    )
    patrol(bureau)
    return alert


def notices() -> list[SmsMessage]:
    return list(SmsMessage.objects.filter(template=TemplateKey.FINDING_NOTICE).order_by("pk"))


def test_a_red_finding_texts_the_officer_and_the_leader_who_turned_it_on(
    bureau_a: Any, admin_user: Any, clerk: Any, officer: Any, leader: Any, legal_officer: Any
) -> None:
    for user, mobile in ((officer, "13900001111"), (leader, "13900002222")):
        staff_mobile_set(actor=admin_user, user=user, mobile=mobile)
        staff_sms_opt_in(actor=user, on=True)
    # The unit's 法制员 has a mobile and is cc'd in the inbox, but turned nothing on.
    staff_mobile_set(actor=admin_user, user=legal_officer, mobile="13900003333")
    alert = late_node(bureau_a.bureau, clerk, officer)
    finding = only("deadline_overdue")
    sent = notices()
    assert sorted(m.mobile.plaintext() for m in sent) == ["13900001111", "13900002222"]
    for message in sent:
        assert message.subject_type == "finding" and message.subject_id == str(finding.pk)
        assert (
            alert.number in message.text and "节点超期" in message.text and "红色" in message.text
        )
        # The reporter's name and phone, the narrative and the finding's summary stay out (Z8).
        assert MOBILE not in message.text and "王小明" not in message.text
        assert "电动车" not in message.text
    # A second patrol finds the same finding: nothing is sent again.
    patrol(bureau_a.bureau)
    assert len(notices()) == 2


def test_nothing_is_sent_without_the_staff_members_consent(
    bureau_a: Any, admin_user: Any, clerk: Any, officer: Any, leader: Any
) -> None:
    for user in (officer, leader):
        staff_mobile_set(actor=admin_user, user=user, mobile="13900001111")
    late_node(bureau_a.bureau, clerk, officer)
    assert only("deadline_overdue").level == "red"
    assert notices() == []


def test_a_consent_withdrawn_or_a_mobile_removed_stops_the_notices(
    bureau_a: Any, admin_user: Any, clerk: Any, officer: Any, leader: Any
) -> None:
    staff_mobile_set(actor=admin_user, user=officer, mobile="13900001111")
    staff_sms_opt_in(actor=officer, on=True)
    staff_sms_opt_in(actor=officer, on=False)
    staff_mobile_set(actor=admin_user, user=leader, mobile="13900002222")
    staff_sms_opt_in(actor=leader, on=True)
    staff_mobile_set(actor=admin_user, user=leader, mobile="")
    late_node(bureau_a.bureau, clerk, officer)
    assert notices() == []
