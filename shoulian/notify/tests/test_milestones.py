"""Milestone SMS (issue 6 §3): each milestone queues exactly one message per reporter's mobile,
never to another party (Z8), and never twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from shoulian.intake import messages as reporter_sms
from shoulian.intake.choices import Channel, PartyRole
from shoulian.intake.tests.helpers import ID_NUMBER, MOBILE, import_110, reporter
from shoulian.notify import delivery
from shoulian.notify.choices import SmsStatus, TemplateKey
from shoulian.notify.models import SmsMessage
from shoulian.notify.tests.helpers import messages, recipients
from shoulian.workflow import clock, milestones
from shoulian.workflow.choices import (
    Action,
    DecisionKind,
    NotificationChannel,
    NotificationStatus,
)
from shoulian.workflow.hooks import TransitionRecord
from shoulian.workflow.models import Decision, FlowStep, Notification
from shoulian.workflow.tests.helpers import act, approve, fresh, handling, new_alert, propose

pytestmark = pytest.mark.django_db

VICTIM_MOBILE = "13700137000"


def replay_last_step(alert: Any, decision: Decision) -> None:
    """Run the milestone subscriber again on the alert's last step, as a replay would."""
    step = FlowStep.objects.filter(alert=alert).order_by("-version").first()
    assert step is not None
    record = TransitionRecord.from_step(step, decision=Decision.objects.get(pk=decision.pk))
    milestones.milestone_sms(record)


def assert_no_personal_data(message: SmsMessage) -> None:
    for value in ("王小明", "张", ID_NUMBER, MOBILE, VICTIM_MOBILE, "北大路", "电动车"):
        assert value not in message.text, value


def test_walk_in_registration_queues_the_received_sms_to_the_reporter_only(clerk: Any) -> None:
    victim = reporter(role=PartyRole.VICTIM, name="张三", phone=VICTIM_MOBILE, id_number="")
    alert = new_alert(clerk, parties=(reporter(), victim))
    [message] = messages(alert)
    assert message.template == TemplateKey.RECEIVED
    assert message.mobile.plaintext() == MOBILE
    assert alert.query_code_display in message.text and alert.number in message.text
    assert message.text.startswith("【甲县公安局】")
    assert "/q/" in message.text
    assert_no_personal_data(message)


def test_two_reporters_sharing_one_phone_get_one_message(clerk: Any) -> None:
    second = reporter(name="王小红", id_number="", phone=MOBILE)
    alert = new_alert(clerk, parties=(reporter(), second))
    assert recipients(alert, TemplateKey.RECEIVED) == [MOBILE]


def test_a_reporter_without_a_mobile_gets_no_sms(clerk: Any) -> None:
    alert = new_alert(clerk, parties=(reporter(phone="0598-5821234"),))
    assert messages(alert) == []


def test_an_assignment_from_above_sends_no_received_sms(clerk: Any) -> None:
    alert = new_alert(clerk, channel=Channel.ASSIGNED)
    assert messages(alert) == []


def test_a_110_import_that_carries_the_callers_mobile_gets_the_received_sms(
    clerk: Any, bureau_a: Any
) -> None:
    alert = import_110(clerk, station_code=bureau_a.station.code).alert
    assert recipients(alert, TemplateKey.RECEIVED) == ["13900139000"]


def test_calling_the_milestone_again_writes_nothing(clerk: Any) -> None:
    alert = new_alert(clerk)
    reporter_sms.alert_registered(alert)
    reporter_sms.alert_registered(alert)
    assert len(messages(alert)) == 1


def test_filing_sends_one_filed_sms_with_the_unit_and_its_phone(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = handling(clerk, officer)
    decision = propose(officer, alert)
    approve(leader, decision)
    assert messages(alert, TemplateKey.FILED) == []  # not until the decision is taken
    approve(bureau_head, decision)
    [message] = messages(alert, TemplateKey.FILED)
    assert officer.unit.name in message.text and "立案侦查" in message.text
    if officer.unit.phone:
        assert officer.unit.phone in message.text
    assert_no_personal_data(message)
    # Replaying the milestone for the same decision writes nothing.
    replay_last_step(alert, decision)
    assert len(messages(alert, TemplateKey.FILED)) == 1


def test_administrative_acceptance_sends_the_accepted_sms(
    clerk: Any, officer: Any, leader: Any
) -> None:
    alert = handling(clerk, officer, category_code="0201")
    decision = propose(
        officer, alert, DecisionKind.ADMIN_ACCEPT, legal_basis="《治安管理处罚法》第四十三条"
    )
    approve(leader, decision)
    assert fresh(alert).status == "admin_case"
    [message] = messages(alert, TemplateKey.ACCEPTED)
    assert "受案" in message.text


def test_not_filed_sms_waits_for_the_notice_and_names_the_reconsideration_deadline(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = handling(clerk, officer)
    decision = propose(
        officer, alert, DecisionKind.NOT_FILE, facts="经查，车辆系其亲属借用，没有犯罪事实。"
    )
    approve(leader, decision)
    approve(bureau_head, decision)
    assert messages(alert, TemplateKey.NOT_FILED) == []
    act(officer, alert, Action.SERVE_NOTICE, method="in_person")
    [message] = messages(alert, TemplateKey.NOT_FILED)
    served = Decision.objects.get(pk=decision.pk).notice_served_at
    due = clock.window_due(alert, "reconsideration_application")
    assert served is not None and due is not None
    assert due - served >= dt.timedelta(days=7)  # art. 179: seven days from service
    day = timezone.localdate(due) - dt.timedelta(days=1)  # stored as 0:00 after the last day
    assert (
        f"于{day.year}年{day.month}月{day.day}日24时前" in message.text and "复议" in message.text
    )
    assert_no_personal_data(message)


def test_internal_transfer_sends_the_new_unit_through_the_outbox_and_the_notice_follows(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    alert = handling(clerk, officer)
    act(officer, alert, Action.REQUEST_TRANSFER, unit=bureau_a.station2, reason="嫌疑人住城南")
    act(clerk, alert, Action.APPROVE_TRANSFER)
    notice = Notification.objects.get(alert=alert)
    [message] = messages(alert, TemplateKey.TRANSFERRED)
    assert notice.sms_message == message
    assert (message.subject_type, message.subject_id) == ("notification", str(notice.pk))
    assert bureau_a.station2.name in message.text
    assert_no_personal_data(message)
    assert notice.status == NotificationStatus.PENDING

    delivery.deliver_due()
    notice.refresh_from_db()
    assert notice.status == NotificationStatus.SENT and notice.sent_at is not None


def test_transfer_out_and_not_police_notices_go_out_once_with_the_authority(
    clerk: Any, officer: Any, leader: Any
) -> None:
    alert = handling(clerk, officer, category_code="0306")
    decision = propose(
        officer,
        alert,
        DecisionKind.NOT_POLICE,
        authority="县消费者权益保护委员会",
        legal_basis="《公安机关办理行政案件程序规定》第六十一条",
    )
    approve(leader, decision)
    [message] = messages(alert, TemplateKey.NOT_POLICE)
    assert "县消费者权益保护委员会" in message.text
    assert Notification.objects.get(alert=alert).sms_message == message
    # The milestone subscriber called again finds the notice already in the outbox.
    replay_last_step(alert, decision)
    assert len(messages(alert, TemplateKey.NOT_POLICE)) == 1


def test_non_case_closure_sends_the_closed_sms(clerk: Any, officer: Any, leader: Any) -> None:
    alert = handling(clerk, officer, category_code="0302")
    decision = propose(officer, alert, DecisionKind.CLOSE_NON_CASE, legal_basis="调解结案")
    approve(leader, decision)
    [message] = messages(alert, TemplateKey.CLOSED)
    assert "办结" in message.text


def test_a_dead_notice_sms_marks_the_notification_failed(
    clerk: Any, officer: Any, leader: Any
) -> None:
    from shoulian.notify.gateways import GatewayError, OutgoingSms, SendResult

    class Refusing:
        name = "refusing"

        def send(self, sms: OutgoingSms) -> SendResult:
            raise GatewayError("HTTP 400", permanent=True)

    alert = handling(clerk, officer, category_code="0201")
    decision = propose(
        officer,
        alert,
        DecisionKind.TRANSFER_OUT,
        authority="某区市场监督管理局",
        legal_basis="《公安机关办理行政案件程序规定》第六十一条",
    )
    approve(leader, decision)
    delivery.deliver_due(gateway=Refusing())
    message = messages(alert, TemplateKey.TRANSFERRED_OUT)[0]
    message.refresh_from_db()
    assert message.status == SmsStatus.DEAD
    assert Notification.objects.get(alert=alert).status == NotificationStatus.FAILED


def test_an_organ_name_with_a_phone_number_sends_the_notice_in_writing_instead(
    clerk: Any, officer: Any, leader: Any
) -> None:
    alert = handling(clerk, officer, category_code="0201")
    decision = propose(
        officer,
        alert,
        DecisionKind.TRANSFER_OUT,
        authority="某区市场监督管理局（13905001234）",
        legal_basis="《公安机关办理行政案件程序规定》第六十一条",
    )
    approve(leader, decision)  # the decision stands
    assert messages(alert, TemplateKey.TRANSFERRED_OUT) == []
    notice = Notification.objects.get(alert=alert)
    assert notice.channel == NotificationChannel.LETTER
