"""R4: the SMS gateway fails, hangs or refuses — intake goes on, delivery backs off, an operator
alert follows repeated failures, and every message reaches the phone once after recovery."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.models import AuditEvent
from shoulian.conftest import make_user
from shoulian.intake.models import Alert
from shoulian.notify import delivery
from shoulian.notify.choices import SmsStatus, TemplateKey
from shoulian.notify.models import SmsMessage
from shoulian.notify.services import sms_enqueue
from shoulian.notify.tests.fake_gateway import KEY, SECRET, FakeProvider, running
from shoulian.workflow.choices import Action
from shoulian.workflow.tests.helpers import act, approve, handling, new_alert, propose

BASE = 30.0


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    with running(FakeProvider()) as fake:
        yield fake


@pytest.fixture
def http_gateway(settings: Any, provider: FakeProvider) -> FakeProvider:
    settings.SHOULIAN_SMS_GATEWAY = "http"
    settings.SHOULIAN_SMS_URL = provider.url
    settings.SHOULIAN_SMS_KEY = KEY
    settings.SHOULIAN_SMS_SECRET = SECRET
    settings.SHOULIAN_SMS_TIMEOUT_SECONDS = 0.5
    settings.SHOULIAN_SMS_BACKOFF_SECONDS = BASE
    settings.SHOULIAN_SMS_BACKOFF_MAX_SECONDS = 3600
    settings.SHOULIAN_SMS_MAX_ATTEMPTS = 5
    return provider


def queue_one(key: str = "otp:r4") -> SmsMessage:
    message = sms_enqueue(
        template=TemplateKey.ONE_TIME_CODE,
        to="13800138000",
        context={"code": "493817", "minutes": "10"},
        key=key,
    )
    assert message is not None
    return message


def run_until_settled(message: SmsMessage, rounds: int = 10) -> list[dt.timedelta]:
    """Sweep at each moment the message is due (no sleeping through the backoff); return the
    delays the worker chose between attempts."""
    at = timezone.now()
    delays: list[dt.timedelta] = []
    for _ in range(rounds):
        delivery.deliver_due(now=at)
        message.refresh_from_db()
        if message.status != SmsStatus.RETRYING:
            break
        delays.append(message.next_attempt_at - at)
        at = message.next_attempt_at
    return delays


@pytest.mark.django_db
def test_gateway_failing_then_recovering_backs_off_and_delivers_once(
    http_gateway: FakeProvider,
) -> None:
    http_gateway.script = ["fail", "fail", "fail"]
    message = queue_one()
    delays = run_until_settled(message)

    assert message.status == SmsStatus.SENT and message.attempts == 4
    assert http_gateway.seen == [str(message.message_id)] * 4
    assert http_gateway.delivered == {str(message.message_id): 1}
    assert http_gateway.bad_signatures == 0
    # Exponential with jitter: attempt n waits between half and all of BASE·2^(n-1).
    for n, delay in enumerate(delays, start=1):
        full = BASE * 2 ** (n - 1)
        assert full / 2 <= delay.total_seconds() <= full
    assert AuditEvent.objects.filter(event_type=EventType.SMS_SEND_FAILED).count() == 3
    assert AuditEvent.objects.filter(event_type=EventType.SMS_SENT).count() == 1


@pytest.mark.django_db
def test_a_hanging_gateway_counts_as_a_failure_and_the_retry_is_deduplicated(
    http_gateway: FakeProvider,
) -> None:
    http_gateway.hang_seconds = 2.0  # past the client's 0.5 s timeout
    http_gateway.script = ["hang"]
    message = queue_one()
    delivery.deliver_due()
    message.refresh_from_db()
    assert message.status == SmsStatus.RETRYING
    assert "timeout" in message.last_error

    run_until_settled(message)
    assert message.status == SmsStatus.SENT and message.attempts == 2
    # The provider took the message during the hang; the resend under the same id is dropped.
    assert http_gateway.seen == [str(message.message_id)] * 2
    assert http_gateway.delivered == {str(message.message_id): 1}


@pytest.mark.django_db
def test_a_long_outage_raises_one_operator_alert_and_the_message_still_goes_out_after(
    http_gateway: FakeProvider, caplog: pytest.LogCaptureFixture
) -> None:
    # Eight failures: past the attempt limit (5), the gateway still down.
    http_gateway.script = ["fail"] * 8
    message = queue_one()
    with caplog.at_level(logging.ERROR, logger="shoulian.notify.delivery"):
        run_until_settled(message, rounds=8)

    assert message.status == SmsStatus.RETRYING and message.attempts == 8
    alert = AuditEvent.objects.get(event_type=EventType.SMS_GATEWAY_ALERT)
    assert alert.outcome == Outcome.FAILURE and alert.data["attempts"] == 5
    assert str(message.message_id) in caplog.text and "still unsent" in caplog.text
    assert "13800138000" not in caplog.text  # U7: no phone numbers in the log
    assert http_gateway.delivered == {}
    # R4: the gateway is back: the message goes out, once.
    run_until_settled(message)
    assert message.status == SmsStatus.SENT
    assert http_gateway.delivered == {str(message.message_id): 1}
    assert not AuditEvent.objects.filter(event_type=EventType.SMS_DEAD).exists()


@pytest.mark.django_db
def test_a_message_the_gateway_never_takes_expires_at_its_maximum_age(
    http_gateway: FakeProvider,
) -> None:
    http_gateway.script = ["fail"] * 100
    message = queue_one()
    run_until_settled(message, rounds=3)
    delivery.deliver_due(now=message.expires_at + dt.timedelta(seconds=1))
    message.refresh_from_db()
    assert message.status == SmsStatus.EXPIRED


@pytest.mark.django_db
def test_a_wrong_secret_is_a_permanent_failure(settings: Any, http_gateway: FakeProvider) -> None:
    settings.SHOULIAN_SMS_SECRET = "not-the-secret"
    message = queue_one()
    delivery.deliver_due()
    message.refresh_from_db()
    assert message.status == SmsStatus.DEAD and message.last_error == "HTTP 401"
    assert http_gateway.bad_signatures == 1


@pytest.mark.django_db
def test_a_sweep_stops_early_while_the_gateway_is_down(http_gateway: FakeProvider) -> None:
    http_gateway.script = ["fail"] * 50
    for n in range(6):
        queue_one(f"otp:down:{n}")
    sweep = delivery.deliver_due()
    assert sweep.retrying == delivery.BREAKER_FAILURES
    assert SmsMessage.objects.filter(status=SmsStatus.PENDING).count() == 6 - sweep.retrying


@pytest.mark.django_db(transaction=True)
def test_intake_succeeds_while_the_gateway_is_down(
    settings: Any, http_gateway: FakeProvider, clerk: Any
) -> None:
    from shoulian.workflow.tests.helpers import reseed_data_migrations

    reseed_data_migrations()
    http_gateway.script = ["fail"] * 50
    # Tests run Huey in immediate mode, so the on-commit delivery runs right here, after the
    # registration committed; in production it runs in the worker.
    settings.SHOULIAN_SMS_DELIVER_ON_COMMIT = True
    alert = new_alert(clerk)
    assert Alert.objects.filter(pk=alert.pk).exists()
    message = SmsMessage.objects.get(alert=alert)
    assert message.status == SmsStatus.RETRYING and message.attempts == 1

    # The gateway down altogether (nothing listening) does not stop intake either.
    settings.SHOULIAN_SMS_URL = "http://127.0.0.1:9/sms/send"
    second = new_alert(clerk)
    assert SmsMessage.objects.get(alert=second).status == SmsStatus.RETRYING

    # Recovery: the next sweeps deliver both, once each.
    settings.SHOULIAN_SMS_URL = http_gateway.url
    http_gateway.script = []
    delivery.deliver_due(now=timezone.now() + dt.timedelta(hours=2))
    assert set(SmsMessage.objects.values_list("status", flat=True)) == {SmsStatus.SENT}
    assert sorted(http_gateway.delivered.values()) == [1, 1]


@pytest.mark.django_db
def test_the_fake_gateway_receives_each_milestone_of_an_alert_once(
    http_gateway: FakeProvider, clerk: Any, officer: Any, bureau_head: Any, bureau_a: Any
) -> None:
    alert = handling(clerk, officer)
    delivery.deliver_due()
    act(officer, alert, Action.REQUEST_TRANSFER, unit=bureau_a.station2, reason="嫌疑人住城南")
    act(clerk, alert, Action.APPROVE_TRANSFER)
    delivery.deliver_due()
    officer2 = make_user("officer.two", bureau_a.station2, Role.OFFICER)
    act(officer2, alert, Action.SIGN_FOR)
    act(officer2, alert, Action.START_HANDLING)
    decision = propose(officer2, alert)
    approve(make_user("leader.two", bureau_a.station2, Role.LEADER), decision)
    approve(bureau_head, decision)
    delivery.deliver_due()
    delivery.deliver_due()  # a second sweep finds nothing left to send

    rows = list(SmsMessage.objects.filter(alert=alert).order_by("id"))
    # The follow-up invitation (feedback app) joins once the case is filed.
    milestones = [m.template for m in rows if m.template != TemplateKey.FOLLOW_UP]
    assert milestones == ["received", "transferred", "filed"]
    assert {m.status for m in rows} == {SmsStatus.SENT}
    assert http_gateway.seen == [str(m.message_id) for m in rows]
    assert http_gateway.delivered == {str(m.message_id): 1 for m in rows}
