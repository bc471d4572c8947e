"""Issue 13 §5: the outbox drains at the gateway's pace, one sweep and one queued batch at a time,
raises one operator alert for an outage, the console gateway keeps one copy of a message id, and
the journal's seal goes ahead of SMS work in the queue."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.notify import delivery, services, tasks
from shoulian.notify.choices import SmsStatus, TemplateKey
from shoulian.notify.gateways import ConsoleGateway, GatewayError, OutgoingSms, SendResult
from shoulian.notify.models import OutboxState, SmsMessage

pytestmark = pytest.mark.django_db


class Recorder:
    """A gateway at the interface: records what it is given, fails while ``down``."""

    name = "recorder"

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.down = False

    def send(self, sms: OutgoingSms) -> SendResult:
        if self.down:
            raise GatewayError("connection failed: refused")
        self.sent.append(sms.message_id)
        return SendResult(provider_ref=f"r-{len(self.sent)}")


def queue(n: int, *, now: dt.datetime | None = None, prefix: str = "drain") -> list[SmsMessage]:
    out = []
    for i in range(n):
        message = services.sms_enqueue(
            template=TemplateKey.RECEIVED,
            to="13800138000",
            context={"number": f"JQ{i:04d}", "query_code": "ABCD2345"},
            key=f"{prefix}:{i}",
            now=now,
        )
        assert message is not None
        out.append(message)
    return out


def events(kind: EventType) -> int:
    return AuditEvent.objects.filter(event_type=kind).count()


# --- Keep sweeping while a sweep fills its batch ------------------------------------------------
def test_a_sweep_keeps_going_while_its_batches_come_back_full() -> None:
    queue(25)
    gateway = Recorder()
    sweep = delivery.deliver_due(gateway=gateway, limit=10)
    assert (sweep.sent, sweep.rounds) == (25, 3)
    assert len(set(gateway.sent)) == 25
    assert not SmsMessage.objects.exclude(status=SmsStatus.SENT).exists()


def test_a_sweep_stops_at_its_time_budget_and_the_next_one_continues() -> None:
    queue(12)
    sweep = delivery.deliver_due(gateway=Recorder(), limit=4, max_seconds=0)
    assert (sweep.sent, sweep.rounds) == (4, 1)
    assert delivery.deliver_due(gateway=Recorder(), limit=4).sent == 8


@pytest.mark.django_db(transaction=True)
def test_a_sweep_commits_a_chunk_of_messages_together_not_one_by_one(
    monkeypatch: Any, settings: Any
) -> None:
    # Each commit takes the database's write lock; on SQLite a sweep committing twice per message
    # queued behind the clerks' registrations and sent 1–2 messages a second after an outage
    # (bench/faults.py). Twenty messages: a claim and a record per chunk, plus the sweep's state rows.
    from django.db import connections

    settings.SHOULIAN_SMS_DELIVER_ON_COMMIT = False  # the sweep sends them, not a task each
    queue(delivery.CLAIM_SIZE)
    commits = 0
    wrapper = type(connections["default"])
    commit = wrapper.commit

    def counting(self: Any) -> None:
        nonlocal commits
        commits += 1
        commit(self)

    monkeypatch.setattr(wrapper, "commit", counting)
    sweep = delivery.deliver_due(gateway=Recorder())
    assert sweep.sent == delivery.CLAIM_SIZE
    assert commits <= 8, commits  # one per message before: 20 and more
    assert events(EventType.SMS_SENT) == delivery.CLAIM_SIZE


def test_a_chunk_cut_short_by_the_breaker_hands_the_rest_back_without_an_attempt() -> None:
    messages = queue(8)
    gateway = Recorder()
    gateway.down = True
    sweep = delivery.deliver_due(gateway=gateway)
    assert sweep.broken and sweep.retrying == delivery.BREAKER_FAILURES
    rows = {m.pk: m for m in SmsMessage.objects.all()}
    tried = [rows[m.pk] for m in messages[: delivery.BREAKER_FAILURES]]
    untouched = [rows[m.pk] for m in messages[delivery.BREAKER_FAILURES :]]
    assert {(m.status, m.attempts) for m in tried} == {(SmsStatus.RETRYING, 1)}
    # Not sent, so not an attempt: waiting as before, due, claimed by nobody.
    assert {(m.status, m.attempts, m.claim) for m in untouched} == {(SmsStatus.PENDING, 0, None)}
    assert events(EventType.SMS_SEND_FAILED) == delivery.BREAKER_FAILURES
    gateway.down = False
    # Back up: the untouched go out, and the first one out releases the three from their backoff.
    assert delivery.deliver_due(gateway=gateway).sent == len(messages)


# --- One sweep at a time ------------------------------------------------------------------------
def test_a_second_sweep_finds_the_lease_held_and_does_nothing_until_it_lapses() -> None:
    queue(3)
    holder = OutboxState.objects.get_or_create(name="sweep")[0]
    holder.until = timezone.now() + dt.timedelta(seconds=120)
    holder.save()
    gateway = Recorder()
    sweep = delivery.deliver_due(gateway=gateway)
    assert sweep.busy and gateway.sent == []
    # The holder was killed: its lease lapses and the next sweep takes over.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=121)):
        assert delivery.deliver_due(gateway=gateway).sent == 3
    holder.refresh_from_db()
    assert holder.until is None and holder.token is None  # released at the end


# --- At most one deliver_batch queued -----------------------------------------------------------
def test_at_most_one_batch_task_is_queued_and_a_lost_one_does_not_block(monkeypatch: Any) -> None:
    scheduled: list[float] = []
    monkeypatch.setattr(
        tasks.deliver_batch, "schedule", lambda delay: scheduled.append(delay), raising=False
    )
    assert services.schedule_batch() is True
    assert services.schedule_batch() is False
    assert services.schedule_batch() is False
    assert len(scheduled) == 1
    # The task starts: messages committing from now on ask for the next batch.
    delivery.release_batch_slot()
    assert services.schedule_batch() is True and len(scheduled) == 2
    # A worker killed with the task dequeued: the flag expires and a new batch can be queued.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=121)):
        assert services.schedule_batch() is True
    assert len(scheduled) == 3


def test_a_batch_that_finds_a_sweep_running_queues_itself_again(monkeypatch: Any) -> None:
    scheduled: list[float] = []
    monkeypatch.setattr(
        tasks.deliver_batch, "schedule", lambda delay: scheduled.append(delay), raising=False
    )
    holder = OutboxState.objects.get_or_create(name="sweep")[0]
    holder.until = timezone.now() + dt.timedelta(seconds=60)
    holder.save()
    queue(1)
    assert tasks.deliver_batch.call_local() == 0
    assert scheduled == [services.BATCH_SECONDS]


# --- The operator alert ---------------------------------------------------------------------------
def test_failed_sweeps_in_a_row_raise_one_alert_and_recovery_clears_it(settings: Any) -> None:
    settings.SHOULIAN_SMS_ALERT_FAILED_SWEEPS = 3
    settings.SHOULIAN_SMS_ALERT_AGE_SECONDS = 10**6
    queue(6)
    gateway = Recorder()
    gateway.down = True
    at = timezone.now()
    for sweep_number in range(1, 6):
        # Every message is due again at each sweep (an hour apart), as in a long outage.
        at += dt.timedelta(hours=2)
        delivery.deliver_due(gateway=gateway, now=at)
        expected = 1 if sweep_number >= 3 else 0
        assert events(EventType.SMS_OUTBOX_ALERT) == expected, sweep_number
    assert OutboxState.objects.get(name="sweep").failed_sweeps == 5
    gateway.down = False
    at += dt.timedelta(hours=2)
    delivery.deliver_due(gateway=gateway, now=at)
    assert events(EventType.SMS_OUTBOX_RECOVERED) == 1
    assert events(EventType.SMS_OUTBOX_ALERT) == 1
    assert sorted(gateway.sent) == sorted(str(m.message_id) for m in SmsMessage.objects.all())


def test_the_first_message_out_after_an_outage_releases_the_backlog_from_its_backoff(
    settings: Any,
) -> None:
    settings.SHOULIAN_SMS_ALERT_AGE_SECONDS = 10**6
    start = timezone.now()
    backlog = queue(6, now=start)
    gateway = Recorder()
    gateway.down = True
    at = start
    for _ in range(4):  # an outage long enough for minutes of backoff
        at += dt.timedelta(hours=2)
        delivery.deliver_due(gateway=gateway, now=at)  # the breaker stops each sweep after 3
        delivery.deliver_due(gateway=gateway, now=at)
    waiting = SmsMessage.objects.filter(pk__in=[m.pk for m in backlog])
    assert {m.status for m in waiting} == {SmsStatus.RETRYING}
    assert all(m.next_attempt_at > at for m in waiting)
    # The gateway is back; a new receipt SMS is queued and goes out at once ...
    gateway.down = False
    at += dt.timedelta(seconds=5)
    (fresh,) = queue(1, now=at, prefix="after")
    sweep = delivery.deliver_due(gateway=gateway, now=at)
    # ... and the messages of the outage follow in the same sweep instead of waiting out their
    # backoff (up to an hour), oldest first after it.
    assert sweep.released == 6 and sweep.sent == 7
    assert gateway.sent[0] == str(fresh.message_id)
    assert {m.status for m in waiting.all()} == {SmsStatus.SENT}
    released = AuditEvent.objects.get(event_type=EventType.SMS_BACKLOG_RELEASED)
    assert json.loads(released.body)["data"]["released"] == 6


def test_a_message_backing_off_on_its_own_is_not_released_by_another_ones_success(
    settings: Any,
) -> None:
    settings.SHOULIAN_SMS_ALERT_AGE_SECONDS = 10**6
    at = timezone.now()
    (unlucky,) = queue(1, now=at - dt.timedelta(seconds=1), prefix="unlucky")
    queue(2, now=at, prefix="ok")

    class Picky(Recorder):  # the gateway works; only this one message fails (a 5xx for it)
        def send(self, sms: OutgoingSms) -> SendResult:
            if sms.message_id == str(unlucky.message_id):
                raise GatewayError("HTTP 503")
            return super().send(sms)

    gateway = Picky()
    first = delivery.deliver_due(gateway=gateway, now=at)
    assert (first.sent, first.retrying) == (2, 1)
    assert OutboxState.objects.get(name="sweep").failed_sweeps == 0
    # Its backoff stands: the next message out releases nothing.
    queue(1, now=at, prefix="ok2")
    sweep = delivery.deliver_due(gateway=gateway, now=at)
    assert sweep.released == 0 and sweep.sent == 1
    unlucky.refresh_from_db()
    assert unlucky.status == SmsStatus.RETRYING and unlucky.next_attempt_at > at
    assert events(EventType.SMS_BACKLOG_RELEASED) == 0


def test_an_old_backlog_raises_the_alert_even_before_any_sweep_fails_in_a_row(
    settings: Any,
) -> None:
    settings.SHOULIAN_SMS_ALERT_AGE_SECONDS = 300
    settings.SHOULIAN_SMS_ALERT_FAILED_SWEEPS = 100
    queue(2, now=timezone.now() - dt.timedelta(seconds=400))
    gateway = Recorder()
    gateway.down = True
    delivery.deliver_due(gateway=gateway)
    alert = AuditEvent.objects.get(event_type=EventType.SMS_OUTBOX_ALERT)
    assert "400" in alert.body or "已等待" in alert.body
    delivery.deliver_due(gateway=gateway)  # still old: no second alert
    assert events(EventType.SMS_OUTBOX_ALERT) == 1


# --- The console gateway keeps one copy ---------------------------------------------------------
def test_the_console_gateway_skips_a_message_id_it_already_wrote(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    sms = OutgoingSms(
        message_id="6f1c5a5e-0000-4000-8000-000000000001",
        to="13800138000",
        text="x",
        template="received",
        sign_name="沙县公安分局",
    )
    first = ConsoleGateway(path).send(sms)
    second = ConsoleGateway(path).send(sms)
    assert (first.duplicate, second.duplicate) == (False, True)
    # Another process (no memory of the file) reads it and skips too.
    ConsoleGateway._seen.clear()
    assert ConsoleGateway(path).send(sms).duplicate is True
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["message_id"] for line in lines] == [sms.message_id]


def test_a_worker_killed_between_write_and_record_leaves_one_line(settings: Any) -> None:
    """The row stays SENDING under its lease, as after kill -9; the next worker resends under the
    same message id, and the console file still holds it once."""
    (message,) = queue(1)
    at = timezone.now()
    SmsMessage.objects.filter(pk=message.pk).update(
        status=SmsStatus.SENDING, claimed_until=at - dt.timedelta(seconds=1), attempts=1
    )
    console = ConsoleGateway(settings.SHOULIAN_SMS_OUTBOX_FILE)
    message.refresh_from_db()
    console.send(OutgoingSms(str(message.message_id), "13800138000", message.text, "received", "x"))
    call_command("sms_deliver")
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    lines = Path(settings.SHOULIAN_SMS_OUTBOX_FILE).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["message_id"] for line in lines] == [str(message.message_id)]


# --- The seal goes first --------------------------------------------------------------------------
def test_seal_journal_is_dequeued_before_queued_sms_work(tmp_path: Path) -> None:
    from huey import SqliteHuey

    from shoulian.audit.tasks import seal_journal

    assert seal_journal.task_class.default_priority > 0
    for task in (tasks.deliver_batch, tasks.sweep_outbox, tasks.deliver_message):
        assert not task.task_class.default_priority
    queue_ = SqliteHuey("order", filename=str(tmp_path / "q.sqlite3"))
    for name, priority in [("batch", None), ("sweep", None), ("batch", None)]:
        queue_.storage.enqueue(name.encode(), priority)
    queue_.storage.enqueue(b"seal", seal_journal.task_class.default_priority)
    assert queue_.storage.dequeue() == b"seal"
