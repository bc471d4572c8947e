"""Delivery of the outbox by the worker (R2, R4).

A worker claims a row with a compare-and-set update (due status, lease) that also counts the
attempt, sends it outside any transaction, then records the outcome with a second compare-and-set
on its claim token. A worker killed mid-send leaves the row SENDING under a lease; once the lease
lapses the row is due again and the next worker resends it under the same ``message_id``, which
the provider deduplicates. Failures back off exponentially with jitter; after
``SHOULIAN_SMS_MAX_ATTEMPTS`` the row is dead, which journals an operator alert and logs an ERROR.
A row not sent before its ``expires_at`` (72 h after the change by default) is expired, not sent.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Min, Q, QuerySet
from django.utils import timezone

from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import record
from shoulian.notify import hooks
from shoulian.notify.choices import SmsStatus, TemplateKey
from shoulian.notify.gateways import Gateway, GatewayError, OutgoingSms, default_gateway
from shoulian.notify.models import OutboxState, SmsMessage

log = logging.getLogger(__name__)

# Consecutive temporary failures after which one sweep stops: the gateway is down, and a sweep
# that walked every due row into a timeout would hold a worker thread for minutes (R4).
BREAKER_FAILURES = 3
# Messages a sweep claims, sends and records together (``_deliver_chunk``).
CLAIM_SIZE = 20
_random = secrets.SystemRandom()


@dataclass
class Sweep:
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    expired: int = 0
    skipped: int = 0
    rounds: int = 0  # batches fetched
    broken: bool = False  # stopped by the breaker (the gateway is failing)
    busy: bool = False  # another sweep held the lease: nothing done
    released: int = 0  # messages backing off from an outage made due when the gateway came back


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def backoff(attempts: int) -> dt.timedelta:
    """Delay before attempt ``attempts + 1``: base·2^(n-1), capped, with equal jitter so that a
    crowd of messages failed by one outage does not return in one burst."""
    base = _setting("SHOULIAN_SMS_BACKOFF_SECONDS", 30)
    cap = _setting("SHOULIAN_SMS_BACKOFF_MAX_SECONDS", 3600)
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=delay / 2 + _random.uniform(0, delay / 2))


def _sign_name(message: SmsMessage) -> str:
    configured = getattr(settings, "SHOULIAN_SMS_SIGN_NAME", "")
    if configured:
        return str(configured)
    return message.unit.name if message.unit_id and message.unit else "公安局"


def _scrub(message: SmsMessage) -> dict[str, Any]:
    """A handled verification code leaves the database: nobody needs it after it was sent (or
    never will be), and staff must not read it (Z7)."""
    if message.template == TemplateKey.ONE_TIME_CODE:
        return {"text": message.shown_text}
    return {}


def expire_stale(now: dt.datetime) -> int:
    """Expire every unsent row past its age limit (one event per row)."""
    stale = SmsMessage.objects.filter(expires_at__lte=now).filter(
        Q(status__in=[SmsStatus.PENDING, SmsStatus.RETRYING])
        | Q(status=SmsStatus.SENDING, claimed_until__lt=now)
    )
    count = 0
    for message in stale.order_by("id")[:500]:
        with transaction.atomic():
            won = SmsMessage.objects.filter(pk=message.pk, status=message.status).update(
                **_scrub(message),
                status=SmsStatus.EXPIRED,
                claim=None,
                claimed_until=None,
                updated_at=now,
            )
            if not won:
                continue
            hooks.outcome(message, SmsStatus.EXPIRED)
            record(
                EventType.SMS_EXPIRED,
                obj=message,
                outcome=Outcome.FAILURE,
                data={
                    "message_id": str(message.message_id),
                    "template": message.template,
                    "attempts": message.attempts,
                    "created_at": message.created_at,
                },
            )
            count += 1
    return count


def deliver_one(pk: int, *, now: dt.datetime | None = None, gateway: Gateway | None = None) -> str:
    """Claim, send and record one message; returns the status it ended in, or "skipped" when
    another worker holds it or it is not due."""
    at = now or timezone.now()
    token = uuid.uuid4()
    lease = dt.timedelta(seconds=_setting("SHOULIAN_SMS_LEASE_SECONDS", 120))
    won = (
        SmsMessage.objects.filter(pk=pk, expires_at__gt=at)
        .due(at)
        .update(
            status=SmsStatus.SENDING,
            claim=token,
            claimed_until=at + lease,
            attempts=F("attempts") + 1,
            updated_at=at,
        )
    )
    if not won:
        return "skipped"
    message = SmsMessage.objects.select_related("unit").get(pk=pk)
    sms = OutgoingSms(
        message_id=str(message.message_id),
        to=message.mobile.plaintext(),
        text=message.text,
        template=message.template,
        sign_name=_sign_name(message),
    )
    try:
        result = (gateway or default_gateway()).send(sms)
    except GatewayError as exc:
        return _failed(message, token, str(exc), permanent=exc.permanent, now=now)
    except Exception as exc:  # an adapter bug must not leave the row in flight until the lease
        log.exception("sms %s: gateway raised", message.message_id)
        return _failed(message, token, type(exc).__name__, permanent=False, now=now)
    return _sent(message, token, result.provider_ref, result.duplicate, now=now)


def _deliver_chunk(
    pks: list[int], *, now: dt.datetime | None, gateway: Gateway, failures: int
) -> tuple[list[str], int]:
    """Claim a chunk of due messages in one transaction, send them one by one outside any
    transaction, then record every outcome in one transaction: a sweep takes the database's write
    lock twice per chunk instead of twice per message, so a backlog still drains while clerks keep
    registering (on SQLite a sweep's per-message writes queued behind theirs: 1–2 messages a
    second). Returns the outcomes, in order, and the consecutive temporary failures so far; at
    ``BREAKER_FAILURES`` the rest of the chunk is handed back unsent, its attempt not counted.
    A worker killed between the claim and the record leaves the chunk in flight under the lease,
    as ``deliver_one`` leaves its single row (R2)."""
    at = now or timezone.now()
    token = uuid.uuid4()
    lease = dt.timedelta(seconds=_setting("SHOULIAN_SMS_LEASE_SECONDS", 120))
    with transaction.atomic():
        SmsMessage.objects.filter(pk__in=pks, expires_at__gt=at).due(at).update(
            status=SmsStatus.SENDING,
            claim=token,
            claimed_until=at + lease,
            attempts=F("attempts") + 1,
            updated_at=at,
        )
    claimed = {m.pk: m for m in SmsMessage.objects.select_related("unit").filter(claim=token)}
    outcomes = ["skipped"] * sum(1 for pk in pks if pk not in claimed)
    # Sent or failed, by message, recorded below; the rest of a chunk cut short goes back.
    results: list[tuple[SmsMessage, Any]] = []
    handed_back: list[SmsMessage] = []
    started = time.monotonic()
    for pk in pks:
        message = claimed.get(pk)
        if message is None:
            continue
        # Stop sending before the chunk's claims could lapse under a slow gateway (another
        # worker would take them over and the provider would see a resend).
        if failures >= BREAKER_FAILURES or time.monotonic() - started > lease.total_seconds() / 2:
            handed_back.append(message)
            continue
        sms = OutgoingSms(
            message_id=str(message.message_id),
            to=message.mobile.plaintext(),
            text=message.text,
            template=message.template,
            sign_name=_sign_name(message),
        )
        try:
            result: Any = gateway.send(sms)
            failures = 0
        except GatewayError as exc:
            result = exc
            # The provider's refusal of one message says nothing about the gateway.
            failures = failures if exc.permanent else failures + 1
        except Exception as exc:  # an adapter bug must not leave the row in flight until the lease
            log.exception("sms %s: gateway raised", message.message_id)
            result = exc
            failures += 1
        results.append((message, result))
    with transaction.atomic():
        for message, result in results:
            if isinstance(result, GatewayError):
                outcome = _failed(message, token, str(result), permanent=result.permanent, now=now)
            elif isinstance(result, Exception):
                outcome = _failed(message, token, type(result).__name__, permanent=False, now=now)
            else:
                outcome = _sent(message, token, result.provider_ref, result.duplicate, now=now)
            outcomes.append(outcome)
        for message in handed_back:
            SmsMessage.objects.filter(pk=message.pk, claim=token, status=SmsStatus.SENDING).update(
                status=SmsStatus.RETRYING if message.attempts > 1 else SmsStatus.PENDING,
                attempts=F("attempts") - 1,
                claim=None,
                claimed_until=None,
                updated_at=at,
            )
    return outcomes, failures


def _sent(
    message: SmsMessage, token: uuid.UUID, ref: str, duplicate: bool, *, now: dt.datetime | None
) -> str:
    at = now or timezone.now()
    with transaction.atomic():
        won = SmsMessage.objects.filter(
            pk=message.pk, claim=token, status=SmsStatus.SENDING
        ).update(
            **_scrub(message),
            status=SmsStatus.SENT,
            sent_at=at,
            provider_ref=ref,
            last_error="",
            claim=None,
            claimed_until=None,
            updated_at=at,
        )
        if not won:
            # Our lease lapsed and another worker claimed the row; it resends under the same
            # message id and the provider keeps one copy. That worker records the outcome.
            log.warning("sms %s sent after its lease lapsed", message.message_id)
            return "skipped"
        hooks.outcome(message, SmsStatus.SENT, at)
        record(
            EventType.SMS_SENT,
            obj=message,
            data={
                "message_id": str(message.message_id),
                "template": message.template,
                "attempts": message.attempts,
                "provider_ref": ref,
                "duplicate": duplicate,
            },
        )
    return SmsStatus.SENT


def _failed(
    message: SmsMessage,
    token: uuid.UUID,
    error: str,
    *,
    permanent: bool,
    now: dt.datetime | None,
) -> str:
    at = now or timezone.now()
    limit = int(_setting("SHOULIAN_SMS_MAX_ATTEMPTS", 8))
    # Only the provider's refusal (bad number, bad signature) ends a message. A gateway that is
    # down or slow is retried at the capped backoff until the message's maximum age, so every
    # message goes out once it is back (R4); reaching the attempt limit raises the alarm once.
    dead = permanent
    alarm = not permanent and message.attempts == limit
    error = error[:300]
    with transaction.atomic():
        updates: dict[str, Any] = {
            "last_error": error,
            "claim": None,
            "claimed_until": None,
            "updated_at": at,
        }
        if dead:
            updates.update(_scrub(message))
            updates["status"] = SmsStatus.DEAD
        else:
            updates["status"] = SmsStatus.RETRYING
            updates["next_attempt_at"] = at + backoff(message.attempts)
        won = SmsMessage.objects.filter(
            pk=message.pk, claim=token, status=SmsStatus.SENDING
        ).update(**updates)
        if not won:
            return "skipped"
        data = {
            "message_id": str(message.message_id),
            "template": message.template,
            "attempts": message.attempts,
            "error": error,
        }
        if dead:
            hooks.outcome(message, SmsStatus.DEAD)
            # The operator alert: a journal event the outbox page counts, and an ERROR log line
            # for whatever watches the logs.
            record(EventType.SMS_DEAD, obj=message, outcome=Outcome.FAILURE, data=data)
            log.error("sms %s dead: the provider refused it (%s)", message.message_id, error)
            return SmsStatus.DEAD
        data["next_attempt_at"] = updates["next_attempt_at"]
        record(EventType.SMS_SEND_FAILED, obj=message, outcome=Outcome.FAILURE, data=data)
        if alarm:
            # The operator alert: the outbox page leads with it and an ERROR line goes to
            # whatever watches the logs; the message keeps being retried.
            record(EventType.SMS_GATEWAY_ALERT, obj=message, outcome=Outcome.FAILURE, data=data)
            log.error(
                "sms %s still unsent after %d attempts, retrying until %s: %s",
                message.message_id,
                message.attempts,
                message.expires_at.isoformat(),
                error,
            )
            return SmsStatus.RETRYING
    log.warning("sms %s attempt %d failed: %s", message.message_id, message.attempts, error)
    return SmsStatus.RETRYING


def deliver_due(
    *,
    now: dt.datetime | None = None,
    gateway: Gateway | None = None,
    limit: int = 200,
    max_seconds: float | None = None,
) -> Sweep:
    """One sweep: expire what is too old, then send what is due, oldest first, batch after batch
    while batches come back full (a backlog drains at the gateway's pace, not 200 a minute).

    One sweep at a time: it holds the ``sweep`` lease (``OutboxState``), so two worker threads
    never fight over the same rows; a sweep that finds the lease held returns at once with
    ``busy`` set. It stops early after ``BREAKER_FAILURES`` consecutive failures (the gateway is
    down) or after ``max_seconds`` (``SHOULIAN_SMS_SWEEP_MAX_SECONDS``), and then looks at the
    whole outbox for the operator alert (``check_alert``)."""
    sweep = Sweep()
    token = uuid.uuid4()
    if not _take_lease(token):
        sweep.busy = True
        return sweep
    try:
        budget = (
            max_seconds
            if max_seconds is not None
            else _setting("SHOULIAN_SMS_SWEEP_MAX_SECONDS", 50)
        )
        started = time.monotonic()
        sweep.expired = expire_stale(now or timezone.now())
        gateway = gateway or default_gateway()
        failures = 0
        # The sweeps before this one sent nothing because the gateway failed: the first message
        # that goes out now releases the backlog (below).
        recovering = _state("sweep").failed_sweeps > 0
        fetch_again = False
        renewed = time.monotonic()
        while True:
            at = now or timezone.now()
            ids = list(
                SmsMessage.objects.filter(expires_at__gt=at)
                .due(at)
                .order_by("next_attempt_at", "id")
                .values_list("pk", flat=True)[:limit]
            )
            sweep.rounds += 1
            for start in range(0, len(ids), CLAIM_SIZE):
                renewed = _renew_lease(token, renewed)
                chunk = ids[start : start + CLAIM_SIZE]
                outcomes, failures = _deliver_chunk(
                    chunk, now=now, gateway=gateway, failures=failures
                )
                for outcome in outcomes:
                    if outcome == SmsStatus.SENT:
                        sweep.sent += 1
                    elif outcome == SmsStatus.RETRYING:
                        sweep.retrying += 1
                    elif outcome == SmsStatus.DEAD:
                        sweep.dead += 1
                    else:
                        sweep.skipped += 1
                if recovering and SmsStatus.SENT in outcomes:
                    recovering = False
                    sweep.released = release_backlog(now=now)
                    fetch_again = sweep.released > 0
                if failures >= BREAKER_FAILURES:
                    log.warning("sms sweep stopped after %d consecutive failures", failures)
                    sweep.broken = True
                    break
            if sweep.broken or time.monotonic() - started > budget:
                break
            if len(ids) < limit and not fetch_again:
                break
            fetch_again = False
        check_alert(sweep, now=now)
    finally:
        _release_lease(token)
    return sweep


def release_backlog(*, now: dt.datetime | None = None) -> int:
    """The gateway is back after sweeps that sent nothing: the messages backing off from the
    outage are due now, not at the end of their (up to an hour's) backoff. The sweep that sent
    the first message goes on with them at the gateway's pace; journalled with the count."""
    at = now or timezone.now()
    with transaction.atomic():
        released = SmsMessage.objects.filter(
            status=SmsStatus.RETRYING, next_attempt_at__gt=at, expires_at__gt=at
        ).update(next_attempt_at=at)
        if released:
            record(EventType.SMS_BACKLOG_RELEASED, data={"released": released})
            log.warning("sms gateway back: %d messages backing off are due now", released)
    return released


# --- Shared delivery state: the sweep lease, the queued-batch flag, the outbox alert ----------------
def _state(name: str) -> OutboxState:
    try:
        with transaction.atomic():
            return OutboxState.objects.get_or_create(name=name)[0]
    except IntegrityError:  # created by a concurrent caller
        return OutboxState.objects.get(name=name)


def _sweep_lease() -> dt.timedelta:
    # The same length as a message's claim: it is renewed before every send, and one send lasts
    # at most the gateway's timeout, which the message lease must exceed anyway.
    return dt.timedelta(seconds=_setting("SHOULIAN_SMS_LEASE_SECONDS", 120))


def _take_lease(token: uuid.UUID) -> bool:
    """Compare-and-set: take the sweep lease if nobody holds it or the holder's lapsed (a worker
    killed mid-sweep holds it at most ``SHOULIAN_SMS_LEASE_SECONDS``)."""
    _state("sweep")
    at = timezone.now()
    lease = _sweep_lease()
    return bool(
        OutboxState.objects.filter(name="sweep")
        .filter(Q(until__isnull=True) | Q(until__lt=at))
        .update(until=at + lease, token=token, updated_at=at)
    )


def _renew_lease(token: uuid.UUID, renewed: float) -> float:
    """Extend the lease before a send when a quarter of it has passed; returns when it was."""
    lease = _sweep_lease()
    if time.monotonic() - renewed < lease.total_seconds() / 4:
        return renewed
    at = timezone.now()
    OutboxState.objects.filter(name="sweep", token=token).update(until=at + lease, updated_at=at)
    return time.monotonic()


def _release_lease(token: uuid.UUID) -> None:
    OutboxState.objects.filter(name="sweep", token=token).update(
        until=None, token=None, updated_at=timezone.now()
    )


def claim_batch_slot() -> bool:
    """Whether the caller may queue a ``deliver_batch`` now: at most one is queued at a time. The
    flag expires (``SHOULIAN_SMS_BATCH_FLAG_SECONDS``) so that a task lost with a killed worker
    does not block the next one for long; the task clears it when it starts."""
    _state("batch")
    at = timezone.now()
    hold = dt.timedelta(seconds=_setting("SHOULIAN_SMS_BATCH_FLAG_SECONDS", 120))
    return bool(
        OutboxState.objects.filter(name="batch")
        .filter(Q(until__isnull=True) | Q(until__lt=at))
        .update(until=at + hold, updated_at=at)
    )


def release_batch_slot() -> None:
    OutboxState.objects.filter(name="batch").update(until=None, updated_at=timezone.now())


def unsent() -> QuerySet[SmsMessage]:
    """Messages still to be sent (waiting, backing off, or in flight) and not past their age."""
    return SmsMessage.objects.filter(
        status__in=[SmsStatus.PENDING, SmsStatus.RETRYING, SmsStatus.SENDING],
        expires_at__gt=timezone.now(),
    )


def oldest_unsent_age(now: dt.datetime | None = None) -> float:
    """Seconds the oldest unsent message has waited since it was queued (0: none waits)."""
    at = now or timezone.now()
    oldest = unsent().aggregate(oldest=Min("created_at"))["oldest"]
    return max(0.0, (at - oldest).total_seconds()) if oldest is not None else 0.0


def check_alert(sweep: Sweep, *, now: dt.datetime | None = None) -> None:
    """The outbox-level operator alert: raised once when the oldest unsent message is older
    than ``SHOULIAN_SMS_ALERT_AGE_SECONDS`` or ``SHOULIAN_SMS_ALERT_FAILED_SWEEPS`` sweeps in a
    row sent nothing because the gateway failed; cleared (and journalled) once neither holds.
    Per-message attempt counts cannot see an outage: its failures are spread over the backlog."""
    at = now or timezone.now()
    state = _state("sweep")
    failed = sweep.sent == 0 and (sweep.retrying > 0 or sweep.broken)
    if sweep.sent:
        state.failed_sweeps = 0
    elif failed:
        state.failed_sweeps += 1
    age = oldest_unsent_age(at)
    age_limit = _setting("SHOULIAN_SMS_ALERT_AGE_SECONDS", 300)
    sweeps_limit = int(_setting("SHOULIAN_SMS_ALERT_FAILED_SWEEPS", 3))
    reasons = []
    if age > age_limit:
        reasons.append(f"最早的待发短信已等待 {age:.0f} 秒（阈值 {age_limit:g} 秒）")
    if state.failed_sweeps >= sweeps_limit:
        reasons.append(f"连续 {state.failed_sweeps} 轮发送全部失败")
    data = {
        "oldest_unsent_seconds": round(age, 1),
        "failed_sweeps": state.failed_sweeps,
        "unsent": unsent().count(),
    }
    with transaction.atomic():
        if reasons and state.alerted_at is None:
            state.alerted_at = at
            state.alert_reason = "；".join(reasons)[:200]
            record(
                EventType.SMS_OUTBOX_ALERT,
                outcome=Outcome.FAILURE,
                data={**data, "reason": state.alert_reason},
            )
            log.error("sms outbox alert: %s", state.alert_reason)
        elif not reasons and state.alerted_at is not None:
            record(
                EventType.SMS_OUTBOX_RECOVERED,
                data={**data, "alerted_at": state.alerted_at, "reason": state.alert_reason},
            )
            log.warning("sms outbox recovered after the alert: %s", state.alert_reason)
            state.alerted_at, state.alert_reason = None, ""
        state.updated_at = at
        state.save(update_fields=["failed_sweeps", "alerted_at", "alert_reason", "updated_at"])
