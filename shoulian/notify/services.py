"""Writes of the SMS outbox: queue a message, edit a template, retry a dead message.

``sms_enqueue`` is the one way anything sends an SMS. It runs inside the caller's transaction and
only writes a row; the Huey worker sends it after commit (``shoulian.notify.delivery``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record
from shoulian.core.memo import TTLMemo
from shoulian.notify import delivery, hooks, texts
from shoulian.notify.choices import SmsStatus, TemplateKey
from shoulian.notify.models import SmsMessage, SmsTemplate, SmsTemplateVersion
from shoulian.org.selectors import bureau_of
from shoulian.privacy.fields import Protected
from shoulian.privacy.validators import normalize_mobile

log = logging.getLogger(__name__)

__all__ = [
    "is_mobile",
    "sms_enqueue",
    "sms_retry",
    "sms_template_update",
    "template_for",
]


def _default_max_age() -> dt.timedelta:
    """How long a message may wait for its first successful send; older ones are not sent."""
    return dt.timedelta(hours=getattr(settings, "SHOULIAN_SMS_MAX_AGE_HOURS", 72))


# Every registration queues a message: the wording is read once per process every half minute,
# and an edit shows in every worker within that time (at once in the process that made it).
_templates: TTLMemo[tuple[str, int]] = TTLMemo(30)


def template_for(key: str, bureau: Any = None) -> tuple[str, int]:
    """The wording of ``key`` for ``bureau`` (its own, else the national one; the seeded
    default if no row exists) and its version."""
    bureau_id = bureau.pk if bureau is not None else None
    return _templates.get((key, bureau_id), lambda: _load_template(key, bureau_id))


def _load_template(key: str, bureau_id: int | None) -> tuple[str, int]:
    rows = {
        owner: (text, version)
        for owner, text, version in SmsTemplate.objects.filter(key=key)
        .filter(Q(bureau__isnull=True) | Q(bureau_id=bureau_id))
        .values_list("bureau_id", "text", "version")
    }
    for owner in (bureau_id, None):
        if owner in rows:
            return rows[owner]
    return texts.DEFAULT_TEXTS[key], 0


def is_mobile(value: Any) -> bool:
    """Whether ``value`` is a mainland mobile number that can take an SMS."""
    return bool(_mobile(value))


def _mobile(to: Any) -> str:
    if isinstance(to, Protected):
        to = to.plaintext()
    value = str(to or "").strip()
    if not value:
        return ""
    try:
        return normalize_mobile(value)
    except ValidationError:
        # A fixed line or a foreign number cannot take an SMS here; the caller's record (the
        # workflow's notification, the receipt) says how the citizen is told instead.
        return ""


def _bureau_of(alert: Any, unit: Any) -> Any:
    if unit is None and alert is not None:
        unit = alert.registering_unit
    return bureau_of(unit) if unit is not None else None


def sms_enqueue(
    *,
    template: str,
    to: str,
    context: Mapping[str, str],
    key: str,
    alert: Any = None,
    now: dt.datetime | None = None,
    unit: Any = None,
    subject: tuple[str, Any] | None = None,
    max_age: dt.timedelta | None = None,
) -> SmsMessage | None:
    """Queue one SMS in the caller's transaction; None when ``to`` is empty or not a mobile.

    ``key`` deduplicates: a second call with the same key returns the existing row and writes
    nothing. ``now`` is the time of the change the message reports: a change older than the
    maximum age (seeded history, a backdated entry) gets an expired row and is never sent.
    ``max_age`` replaces the default maximum age (a verification code's few minutes).
    ``unit`` places a message without an alert in a bureau's outbox (defaults to the alert's
    registering unit's bureau). ``subject`` is ``(type, id)`` of the record the message stands
    for, whose app follows its outcome (``shoulian.notify.hooks``).
    """
    if template not in TemplateKey.values:
        raise ValueError(f"unknown SMS template {template!r}")
    subject_type, subject_id = (str(subject[0]), str(subject[1])) if subject else ("", "")
    mobile = _mobile(to)
    if not mobile:
        return None
    bureau = _bureau_of(alert, unit)
    words, version = template_for(template, bureau)
    if bureau is not None:
        context = {"bureau": bureau.name, **context}
    text = texts.render(template, words, context)
    shown = texts.render(template, words, context, redact=True)
    real_now = timezone.now()
    at = now or real_now
    # A verification code lives minutes, not the outbox's default days.
    expires_at = at + (max_age if max_age is not None else _default_max_age())
    stale = expires_at <= real_now
    with transaction.atomic():
        try:
            # A savepoint: a concurrent enqueue of the same key must not abort the caller.
            with transaction.atomic():
                message = SmsMessage.objects.create(
                    key=key,
                    template=template,
                    template_version=version,
                    text=text,
                    shown_text=shown,
                    mobile=mobile,
                    alert=alert,
                    subject_type=subject_type,
                    subject_id=subject_id,
                    unit=bureau,
                    status=SmsStatus.EXPIRED if stale else SmsStatus.PENDING,
                    next_attempt_at=at,
                    expires_at=expires_at,
                    created_at=at,
                    updated_at=real_now,
                )
        except IntegrityError:
            # Queued before (a replayed step, a second call) or by a concurrent request: the key
            # is unique, so the insert is the check and the common case costs no extra query.
            return SmsMessage.objects.get(key=key)
        record(
            EventType.SMS_QUEUED,
            obj=message,
            data={
                "template": template,
                "template_version": version,
                "message_id": str(message.message_id),
                "alert": alert.number if alert is not None else None,
                "status": message.status,
            },
        )
    if not stale:
        _kick_on_commit(message)
    return message


# Milestone messages are sent in batches: the first message of a batch asks the worker to sweep
# the outbox this many seconds later, and the messages that commit meanwhile go with it. One queue
# write per batch instead of one per registration; a citizen's SMS is at most this much later.
BATCH_SECONDS = 2.0
_batch = {"asked_at": -BATCH_SECONDS}
_batch_lock = threading.Lock()


def _kick_on_commit(message: SmsMessage) -> None:
    """Ask the worker to send after commit. ``robust``: a broken queue must never turn a committed
    change into an error page; the minute sweep sends the message anyway."""
    if not getattr(settings, "SHOULIAN_SMS_DELIVER_ON_COMMIT", True):
        return
    pk = message.pk
    # A citizen is waiting for a verification code: it goes at once. So does everything when the
    # queue runs tasks in the caller (tests): there is no scheduler to run a delayed sweep.
    if message.template == TemplateKey.ONE_TIME_CODE or HUEY.immediate:
        transaction.on_commit(lambda: _kick(pk), robust=True)
    else:
        transaction.on_commit(_kick_batch, robust=True)


def _kick(pk: int) -> None:
    from shoulian.notify.tasks import deliver_message

    deliver_message(pk)


def _kick_batch() -> None:
    # Runs after this message committed, so the sweep scheduled now, or one scheduled less than
    # BATCH_SECONDS ago and not yet run, finds it. The in-process check spares the database a
    # write per registration; the database flag keeps one task queued across processes.
    now = time.monotonic()
    with _batch_lock:
        if now - _batch["asked_at"] < BATCH_SECONDS:
            return
        _batch["asked_at"] = now
    schedule_batch()


def schedule_batch() -> bool:
    """Queue one ``deliver_batch`` unless one is queued already (``delivery.claim_batch_slot``)."""
    if not delivery.claim_batch_slot():
        return False
    from shoulian.notify.tasks import deliver_batch

    deliver_batch.schedule(delay=BATCH_SECONDS)
    return True


def sms_template_update(
    *, actor: Any, key: str, text: str, expected_version: int | None = None
) -> SmsTemplate:
    """Change the wording of ``key`` for the actor's bureau (``actor=None``: the national wording,
    for commands and data migrations); the previous wording stays as a version (and in the
    journal). Refuses unknown placeholders and literal personal data (Z8)."""
    text = text.strip()
    texts.validate_text(key, text)
    now = timezone.now()
    unit = getattr(actor, "unit", None)
    bureau = bureau_of(unit) if unit is not None else None
    with transaction.atomic():
        default = SmsTemplate.objects.select_for_update().filter(key=key, bureau=None).first()
        if default is None:
            default = SmsTemplate.objects.create(
                key=key, text=texts.DEFAULT_TEXTS[key], version=1, updated_at=now
            )
            SmsTemplateVersion.objects.create(
                template=default, version=1, text=default.text, created_at=now
            )
        own = (
            default
            if bureau is None
            else SmsTemplate.objects.select_for_update().filter(key=key, bureau=bureau).first()
        )
        current = own or default
        if expected_version is not None and current.version != expected_version:
            raise ValidationError(CONFLICT)
        if current.text == text:
            return current
        old = current.text
        if own is None:
            # The bureau's first own wording; its versions continue the national numbering.
            try:
                with transaction.atomic():
                    template = SmsTemplate.objects.create(
                        key=key,
                        bureau=bureau,
                        text=text,
                        version=current.version + 1,
                        updated_at=now,
                        updated_by=actor,
                    )
            except IntegrityError:
                raise ValidationError(CONFLICT) from None
        else:
            template = own
            template.text = text
            template.version += 1
            template.updated_at = now
            template.updated_by = actor
            template.save(update_fields=["text", "version", "updated_at", "updated_by"])
        SmsTemplateVersion.objects.create(
            template=template, version=template.version, text=text, created_at=now, created_by=actor
        )
        record(
            EventType.SMS_TEMPLATE_CHANGED,
            obj=template,
            actor=actor,
            data={
                "key": key,
                "bureau": bureau.code if bureau is not None else None,
                "version": template.version,
                "old": old,
                "new": text,
            },
        )
        # This process uses the new words at once; the others within the memo's half minute.
        transaction.on_commit(_templates.clear)
    return template


CONFLICT = "模板已被他人修改，请刷新后重试。"


def sms_retry(*, actor: Any, message: SmsMessage) -> SmsMessage:
    """Send a dead or expired message again: attempts restart and it gets a fresh maximum age."""
    if message.template == TemplateKey.ONE_TIME_CODE:
        # The code lived ten minutes and has been scrubbed from the text once handled.
        raise ValidationError("验证码短信不重发：请群众在查询页面重新获取验证码。")
    now = timezone.now()
    with transaction.atomic():
        # A purged message (retention) has no mobile and no full text left to send.
        won = SmsMessage.objects.filter(
            pk=message.pk, status__in=[SmsStatus.DEAD, SmsStatus.EXPIRED], purged_at__isnull=True
        ).update(
            status=SmsStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            expires_at=now + _default_max_age(),
            claimed_until=None,
            claim=None,
            updated_at=now,
        )
        if not won:
            raise ValidationError("只有发送失败或已过期的短信可以重发。")
        hooks.outcome(message, SmsStatus.PENDING)
        record(
            EventType.SMS_RETRY_REQUESTED,
            obj=message,
            actor=actor,
            data={"message_id": str(message.message_id), "previous_status": message.status},
        )
        _kick_on_commit(message)
    message.refresh_from_db()
    return message
