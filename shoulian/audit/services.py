"""Writes to the journal other than events: the retention purge (U6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from shoulian.audit import canonical, guard
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import record
from shoulian.audit.models import AuditEvent, AuditLeaf
from shoulian.audit.sealer import tree_size
from shoulian.audit.verify import purge_horizon

RETENTION_FLOOR_DAYS = 365


class PurgeRefused(PermissionError):
    pass


@dataclass(frozen=True)
class PurgeResult:
    deleted: int
    through_position: int


def retention_days() -> int:
    """Configurable upwards only: the 365-day floor is also written into the database triggers."""
    return max(
        RETENTION_FLOOR_DAYS, int(getattr(settings, "AUDIT_RETENTION_DAYS", RETENTION_FLOOR_DAYS))
    )


def journal_purge(*, before: dt.date, today: dt.date | None = None) -> PurgeResult:
    """Delete the bodies of sealed events that occurred before ``before`` (local date).

    Only a prefix of the log is purged, so "everything below position P is gone" is one number
    the verifier can check against the sealed JOURNAL_PURGED event."""
    days = retention_days()
    floor = (today or timezone.localdate()) - dt.timedelta(days=days)
    if before > floor:
        # Recorded before refusing, outside any transaction that could roll it back.
        record(
            EventType.JOURNAL_PURGE_REFUSED,
            outcome=Outcome.DENIED,
            data={"before": before, "earliest_allowed": floor, "retention_days": days},
        )
        raise PurgeRefused(
            f"拒绝清理：审计日志至少保留 {days} 天，只能清理 {floor.isoformat()} 及以前的记录。"
        )
    cutoff = canonical.utc_microseconds(
        timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    )
    with transaction.atomic():
        start = purge_horizon()
        young = AuditLeaf.objects.filter(
            position__gte=start,
            event_id__in=AuditEvent.objects.filter(occurred_us__gte=cutoff).values("id"),
        ).aggregate(first=Min("position"))["first"]
        through = tree_size() if young is None else young
        if through <= start:
            return PurgeResult(0, start)
        with guard.maintenance(guard.MODE_PURGE), connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM audit_auditevent WHERE id IN (SELECT event_id FROM audit_auditleaf "
                "WHERE position >= %s AND position < %s)",
                [start, through],
            )
            deleted = cursor.rowcount
        record(
            EventType.JOURNAL_PURGED,
            data={
                "before": before,
                "from_position": start,
                "through_position": through,
                "deleted": deleted,
            },
        )
    return PurgeResult(deleted, through)
