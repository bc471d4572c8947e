"""The staff inbox: messages are written by the finding services in their transaction; the
recipient marks them read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from shoulian.supervision.choices import MessageKind
from shoulian.supervision.models import InboxMessage


def push(
    *, users: list[tuple[Any, str]], finding: Any, title: str, now: dt.datetime
) -> list[InboxMessage]:
    """One message per (user, kind), in the caller's transaction."""
    rows = [
        InboxMessage(
            recipient=user,
            finding=finding,
            kind=kind,
            title=f"【{MessageKind(kind).label}】{title}"[:200],
            created_at=now,
        )
        for user, kind in users
    ]
    return InboxMessage.objects.bulk_create(rows)


def inbox_mark_read(*, actor: Any, pks: list[int] | None = None, finding: Any = None) -> int:
    """Mark the actor's own messages read (all, some, or those of one finding). Someone else's
    message is simply not matched: the update is narrowed to the recipient."""
    qs = InboxMessage.objects.for_user(actor).unread()
    if pks is not None:
        qs = qs.filter(pk__in=pks)
    if finding is not None:
        qs = qs.filter(finding=finding)
    return qs.update(read_at=timezone.now())
