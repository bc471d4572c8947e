"""The worker's entry points: the minute sweep is a registered periodic task, and the on-commit
task and the command both deliver."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from huey.contrib.djhuey import HUEY

from shoulian.notify import tasks
from shoulian.notify.choices import SmsStatus, TemplateKey
from shoulian.notify.models import SmsMessage
from shoulian.notify.services import sms_enqueue

pytestmark = pytest.mark.django_db


def queue(key: str) -> SmsMessage:
    message = sms_enqueue(
        template=TemplateKey.ONE_TIME_CODE,
        to="13800138000",
        context={"code": "111111", "minutes": "10"},
        key=key,
    )
    assert message is not None
    return message


def test_the_outbox_sweep_runs_every_minute_in_the_worker() -> None:
    periodic = HUEY._registry._periodic_tasks
    assert tasks.sweep_outbox.task_class in periodic
    sweep = tasks.sweep_outbox.task_class()
    assert all(sweep.validate_datetime(dt.datetime(2026, 11, 30, 8, m)) for m in (0, 1, 59))


def test_the_on_commit_task_sends_the_message(
    django_capture_on_commit_callbacks: pytest.FixtureRequest,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        message = queue("otp:task")
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT


def test_sweep_task_and_command_send_what_is_due() -> None:
    first = queue("otp:sweep")
    assert tasks.sweep_outbox.call_local() == 1
    second = queue("otp:command")
    call_command("sms_deliver")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (SmsStatus.SENT, SmsStatus.SENT)
