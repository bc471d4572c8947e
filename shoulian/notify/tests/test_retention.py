"""Retention (issue 14 §3): old sent and expired messages lose mobile and text, journalled; the
outbox page lists the live window."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as
from shoulian.notify import delivery, services
from shoulian.notify.choices import SmsStatus
from shoulian.notify.models import SmsMessage
from shoulian.notify.retention import sms_purge_expired
from shoulian.notify.tests.test_pages import dead_message
from shoulian.workflow.tests.helpers import new_alert

pytestmark = pytest.mark.django_db


def aged(clerk: Any, status: SmsStatus, days: int) -> SmsMessage:
    alert = new_alert(clerk)
    delivery.deliver_due()
    message = SmsMessage.objects.get(alert=alert)
    SmsMessage.objects.filter(pk=message.pk).update(
        status=status, created_at=timezone.now() - dt.timedelta(days=days)
    )
    message.refresh_from_db()
    return message


def test_old_sent_and_expired_messages_lose_mobile_and_text(clerk: Any, settings: Any) -> None:
    settings.SHOULIAN_SMS_RETENTION_DAYS = 30
    sent = aged(clerk, SmsStatus.SENT, 31)
    expired = aged(clerk, SmsStatus.EXPIRED, 40)
    recent = aged(clerk, SmsStatus.SENT, 29)
    assert "查询码" in sent.text and sent.text != sent.shown_text

    result = sms_purge_expired()

    assert result.purged == 2
    for message in (sent, expired):
        message.refresh_from_db()
        assert message.purged_at is not None
        assert message.mobile is None
        assert message.text == message.shown_text
        assert message.masked_mobile == "138****8000"
    recent.refresh_from_db()
    assert recent.purged_at is None and recent.mobile is not None
    event = AuditEvent.objects.get(event_type=EventType.SMS_CONTENT_PURGED)
    assert event.data["count"] == 2 and event.data["retention_days"] == 30
    # A second run finds nothing and writes nothing.
    assert sms_purge_expired().purged == 0
    assert AuditEvent.objects.filter(event_type=EventType.SMS_CONTENT_PURGED).count() == 1


def test_dead_and_unsent_messages_are_kept_whole(clerk: Any, settings: Any) -> None:
    settings.SHOULIAN_SMS_RETENTION_DAYS = 30
    dead = dead_message(clerk)
    SmsMessage.objects.filter(pk=dead.pk).update(created_at=timezone.now() - dt.timedelta(days=90))
    pending = aged(clerk, SmsStatus.PENDING, 90)
    assert sms_purge_expired().purged == 0
    for message in (dead, pending):
        message.refresh_from_db()
        assert message.purged_at is None and message.mobile is not None


def test_the_purge_runs_in_batches_each_with_its_event(
    clerk: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shoulian.notify import retention

    monkeypatch.setattr(retention, "BATCH", 2)
    settings.SHOULIAN_SMS_RETENTION_DAYS = 30
    for days in (31, 32, 33):
        aged(clerk, SmsStatus.SENT, days)
    assert sms_purge_expired(limit=2).purged == 2
    result = sms_purge_expired()
    assert (result.purged, result.batches) == (1, 1)
    assert AuditEvent.objects.filter(event_type=EventType.SMS_CONTENT_PURGED).count() == 2


def test_the_command_reports_what_it_purged(clerk: Any, settings: Any, capsys: Any) -> None:
    settings.SHOULIAN_SMS_RETENTION_DAYS = 30
    aged(clerk, SmsStatus.EXPIRED, 60)
    call_command("sms_purge")
    assert "已清除 1 条" in capsys.readouterr().out


def test_a_purged_message_cannot_be_sent_again(clerk: Any, head: Any, settings: Any) -> None:
    settings.SHOULIAN_SMS_RETENTION_DAYS = 30
    message = aged(clerk, SmsStatus.EXPIRED, 60)
    sms_purge_expired()
    message.refresh_from_db()
    with pytest.raises(ValidationError):
        services.sms_retry(actor=head, message=message)


def test_the_outbox_page_lists_the_live_window(
    client: Client, clerk: Any, head: Any, settings: Any
) -> None:
    settings.SHOULIAN_SMS_RETENTION_DAYS = 30
    old = aged(clerk, SmsStatus.SENT, 60)
    recent = aged(clerk, SmsStatus.SENT, 1)
    assert old.alert is not None and recent.alert is not None
    body = login_as(client, head).get(reverse("notify:outbox")).content.decode()
    assert recent.alert.number in body
    assert old.alert.number not in body
    assert "列出近 30 天生成的短信" in body
