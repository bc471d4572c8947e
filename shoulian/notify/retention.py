"""Retention of the outbox (issue 14 §3): the content of old messages leaves the database.

A message sent or expired more than ``SHOULIAN_SMS_RETENTION_DAYS`` ago (counted from its
creation) is *purged*: the row stays, because the alert file's SMS tab and the workflow's notices
point to it, but the mobile and the text (which may carry a query code) are cleared; what stays is
what staff may see anyway — the masked mobile (``138****8000``, DOMAIN §7), the shown text (codes
starred), the template, the status and the times. Dead messages are kept whole: a person still
has to act on them. The outbox page lists the live window only (``live_since``).

Batches of ``BATCH`` rows, each in its own transaction with its journal event, so a purge of a
large backlog neither holds a long write lock nor loses its record when it stops half-way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record
from shoulian.notify.choices import SmsStatus
from shoulian.notify.models import SmsMessage
from shoulian.privacy.choices import Kind
from shoulian.privacy.masking import mask

BATCH = 500
PURGEABLE = (SmsStatus.SENT, SmsStatus.EXPIRED)


def retention_days() -> int:
    return int(settings.SHOULIAN_SMS_RETENTION_DAYS)


def live_since(now: dt.datetime | None = None) -> dt.datetime:
    """The start of the window the outbox page lists."""
    return (now or timezone.now()) - dt.timedelta(days=retention_days())


@dataclass(frozen=True)
class PurgeResult:
    purged: int
    batches: int
    before: dt.datetime


def sms_purge_expired(*, now: dt.datetime | None = None, limit: int | None = None) -> PurgeResult:
    """Clear mobile and text of every sent or expired message created before the retention
    window (at most ``limit`` rows in one call); one journal event per batch."""
    before = live_since(now)
    purged = batches = 0
    while limit is None or purged < limit:
        size = BATCH if limit is None else min(BATCH, limit - purged)
        with transaction.atomic():
            rows = list(
                SmsMessage.objects.select_for_update()
                .filter(status__in=PURGEABLE, created_at__lt=before, purged_at__isnull=True)
                .order_by("created_at", "id")[:size]
            )
            if not rows:
                break
            at = timezone.now()
            for message in rows:
                message.mobile_masked = (
                    mask(message.mobile.plaintext(), Kind.PHONE) if message.mobile else ""
                )
                message.mobile = None
                message.text = message.shown_text
                message.purged_at = at
            SmsMessage.objects.bulk_update(rows, ["mobile_masked", "mobile", "text", "purged_at"])
            record(
                EventType.SMS_CONTENT_PURGED,
                data={
                    "count": len(rows),
                    "created_before": before.isoformat(),
                    "first_id": rows[0].pk,
                    "last_id": rows[-1].pk,
                    "retention_days": retention_days(),
                },
            )
        purged += len(rows)
        batches += 1
        if len(rows) < size:
            break
    return PurgeResult(purged=purged, batches=batches, before=before)
