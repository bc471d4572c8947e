"""The staff inbox: messages are written by the finding services in their transaction; the
recipient marks them read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from shoulian.supervision.choices import NOTICE_KINDS, MessageKind
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


def inbox_notify(
    *,
    users: list[Any],
    title: str,
    link: str,
    now: dt.datetime,
    kind: str = MessageKind.NOTICE,
) -> list[InboxMessage]:
    """A notice with a link to the sender's page, one per user, in the caller's transaction.
    Apps above supervision use it to reach staff (an issued bulletin; a new deduction, kind
    ``DEDUCTION``); supervision never learns what the link stands for."""
    if not link.startswith("/") or link.startswith("//"):
        raise ValueError("a notice links to a page of this site")
    if kind not in NOTICE_KINDS:
        raise ValueError(f"not a kind of notice: {kind}")
    label = MessageKind(kind).label
    rows = [
        InboxMessage(
            recipient=user,
            kind=kind,
            title=f"【{label}】{title}"[:200],
            link=link[:200],
            created_at=now,
        )
        for user in users
    ]
    return InboxMessage.objects.bulk_create(rows)


def inbox_mark_read(
    *, actor: Any, pks: list[int] | None = None, finding: Any = None, link: str = ""
) -> int:
    """Mark the actor's own messages read (all, some, those of one finding, or the notices of one
    page). Someone else's message is simply not matched: the update is narrowed to the
    recipient."""
    qs = InboxMessage.objects.for_user(actor).unread()
    if pks is not None:
        qs = qs.filter(pk__in=pks)
    if finding is not None:
        qs = qs.filter(finding=finding)
    if link:
        qs = qs.filter(link=link)
    return qs.update(read_at=timezone.now())
