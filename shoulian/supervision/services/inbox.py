"""The staff inbox: messages are written by the finding services in their transaction; the
recipient marks them read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from shoulian.notify.choices import TemplateKey
from shoulian.notify.services import sms_enqueue
from shoulian.notify.staff import opted_in_mobiles
from shoulian.supervision.choices import NOTICE_KINDS, Level, MessageKind
from shoulian.supervision.models import Finding, InboxMessage


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


def sms_notice(*, finding: Finding, users: list[Any], now: dt.datetime) -> int:
    """The finding notice by SMS, through the outbox in the caller's transaction, to those of
    ``users`` who registered a work mobile and turned the notices on; nobody else. The text says
    which rule found what on which alert number and by when: never a citizen's data, not even the
    finding's summary (Z8)."""
    mobiles = opted_in_mobiles(user.pk for user in users)
    if not mobiles:
        return 0
    alert_number = finding.evidence.get("number") if isinstance(finding.evidence, dict) else None
    if alert_number is None and finding.alert is not None:
        alert_number = finding.alert.number
    deadline = timezone.localtime(finding.due_at).strftime("%Y年%m月%d日") if finding.due_at else ""
    context = {
        "number": str(alert_number or "—"),
        "level": Level(finding.level).label,
        "rule": finding.rule.name,
        "deadline": deadline or "尽快",
    }
    sent = 0
    for user_id, mobile in sorted(mobiles.items()):
        message = sms_enqueue(
            template=TemplateKey.FINDING_NOTICE,
            to=mobile.plaintext(),
            context=context,
            key=f"finding:{finding.pk}:user:{user_id}",
            alert=finding.alert,
            unit=finding.bureau,
            subject=("finding", finding.pk),
            now=now,
        )
        sent += message is not None
    return sent


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
    # A path of this site only: no scheme, no host, and none of the forms browsers read as one
    # (``//host``, ``/\\host``, control characters) — the inbox renders it as a link.
    if not link.startswith("/") or not url_has_allowed_host_and_scheme(link, allowed_hosts=None):
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
