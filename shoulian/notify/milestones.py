"""Milestone SMS to the reporters of an alert (issue 6 §3), written to the outbox in the caller's
transaction. The workflow calls ``after_transition`` for every accepted step; intake calls
``alert_registered``.

Recipients are the alert's reporters (报案人) with a mobile, never another party (Z8). Each message
has a dedup key naming the alert, the milestone (and its decision) and the mobile's keyed hash, so
a replayed step, a second call or two reporters sharing one phone send nothing twice.

The notices the law requires (transfer, transfer out, not police business) are recorded by the
workflow as ``Notification`` rows, one per reporter; those with the SMS channel are sent through
the outbox here and take its outcome (sent / failed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from shoulian.intake.choices import Channel, PartyRole
from shoulian.notify import texts
from shoulian.notify.choices import TemplateKey
from shoulian.notify.services import sms_enqueue
from shoulian.org.selectors import bureau_of
from shoulian.privacy.choices import Kind
from shoulian.privacy.crypto import index_for

# Channels whose reporter is a citizen who gave a number to be told on (a desk, kiosk or phone
# report, a 110 dispatch that carries the caller's mobile). An assignment from above or a
# transfer from an administrative organ has no citizen waiting for a receipt SMS.
RECEIVED_CHANNELS = frozenset(
    {
        Channel.WALK_IN,
        Channel.KIOSK,
        Channel.BROUGHT_IN,
        Channel.PHONE,
        Channel.ONLINE,
        Channel.DISPATCH_110,
    }
)

# Sensitive categories (minors, sexual offences) cannot be queried online, and a message on a
# shared phone could expose the report: they get only the notices the law requires, which the
# workflow records as Notifications.
_INFORMATIONAL = frozenset(
    {TemplateKey.RECEIVED, TemplateKey.ACCEPTED, TemplateKey.FILED, TemplateKey.CLOSED}
)


def _date(at: dt.datetime) -> str:
    day = timezone.localdate(at)
    return f"{day.year}年{day.month}月{day.day}日"


def _deadline(due: dt.datetime) -> str:
    """A day period ends at 24:00 of its last day, which the engine stores as 0:00 of the day
    after (docs/deadlines.md); the citizen reads the last day and the hour."""
    day = timezone.localdate(due - dt.timedelta(microseconds=1))
    return f"{day.year}年{day.month}月{day.day}日24时"


def _reporter_mobiles(alert: Any) -> list[str]:
    from shoulian.intake.models import AlertParty

    mobiles: list[str] = []
    for party in AlertParty.objects.filter(alert=alert, role=PartyRole.REPORTER).order_by(
        "position", "id"
    ):
        phone = party.phone.plaintext() if party.phone else ""
        if phone and phone not in mobiles:
            mobiles.append(phone)
    return mobiles


def _context(alert: Any, at: dt.datetime, **extra: str) -> dict[str, str]:
    bureau = bureau_of(alert.registering_unit)
    unit = alert.handling_unit
    return {
        "bureau": bureau.name,
        "number": alert.number,
        "query_url": texts.public_query_url(),
        "unit": unit.name if unit is not None else "",
        "unit_phone": unit.phone if unit is not None else "",
        "date": _date(at),
        **extra,
    }


def _send_to_reporters(
    alert: Any,
    template: str,
    milestone: str,
    at: dt.datetime,
    mobiles: list[str] | None = None,
    **extra: str,
) -> None:
    if template in _INFORMATIONAL and alert.category.is_sensitive:
        return
    context = _context(alert, at, **extra)
    for mobile in _reporter_mobiles(alert) if mobiles is None else list(dict.fromkeys(mobiles)):
        sms_enqueue(
            template=template,
            to=mobile,
            context=context,
            key=f"alert:{alert.pk}:{milestone}:{index_for(mobile, Kind.PHONE)[:24]}",
            alert=alert,
            now=at,
        )


def alert_registered(
    alert: Any, *, now: dt.datetime | None = None, mobiles: list[str] | None = None
) -> None:
    """Queue the "received" SMS with the query code, inside the registering transaction.

    ``mobiles``: the reporters' numbers as just written, which spares reading and decrypting the
    rows again; None reads them from the alert."""
    if alert.channel not in RECEIVED_CHANNELS:
        return
    at = now or alert.registered_at
    _send_to_reporters(
        alert,
        TemplateKey.RECEIVED,
        "received",
        at,
        mobiles=mobiles,
        query_code=alert.query_code_display,
    )


def _send_notifications(
    alert: Any, purpose: str, template: str, at: dt.datetime, **extra: str
) -> None:
    from shoulian.workflow.choices import NotificationChannel, NotificationStatus
    from shoulian.workflow.models import Notification

    pending = Notification.objects.filter(
        alert=alert,
        purpose=purpose,
        channel=NotificationChannel.SMS,
        status=NotificationStatus.PENDING,
        sms_messages__isnull=True,
    ).select_related("party")
    context = _context(alert, at, **extra)
    for notification in pending:
        party = notification.party
        phone = party.phone.plaintext() if party is not None and party.phone else ""
        if party is None or party.role != PartyRole.REPORTER:
            continue
        try:
            message = sms_enqueue(
                template=template,
                to=phone,
                context=context,
                key=f"notification:{notification.pk}",
                alert=alert,
                now=at,
                notification=notification,
            )
        except texts.UnsafeValue:
            # The organ's name as staff typed it carries a number (Z8): this notice cannot go
            # by SMS, and the decision must not fail for it.
            message = None
        if message is None:
            # Not a mobile after all, or not sendable: the notice must go in writing.
            Notification.objects.filter(pk=notification.pk).update(
                channel=NotificationChannel.LETTER
            )


def after_transition(
    *,
    alert: Any,
    action: str,
    source: str,
    target: str,
    from_unit: Any,
    decision: Any,
    at: dt.datetime,
) -> None:
    """Queue the SMS the step's milestone sends."""
    from shoulian.workflow.choices import Action, NotificationPurpose

    if action == Action.DECIDE_ADMIN_ACCEPT:
        _send_to_reporters(alert, TemplateKey.ACCEPTED, f"accepted:{decision.pk}", at)
    elif action == Action.DECIDE_CRIMINAL_FILE:
        _send_to_reporters(alert, TemplateKey.FILED, f"filed:{decision.pk}", at)
    elif action == Action.DECIDE_CLOSE_NON_CASE:
        _send_to_reporters(alert, TemplateKey.CLOSED, f"closed:{decision.pk}", at)
    elif action == Action.SERVE_NOTICE:
        _not_filed(alert, at)
    elif action == Action.APPROVE_TRANSFER:
        _send_notifications(
            alert, NotificationPurpose.TRANSFERRED_INTERNAL, TemplateKey.TRANSFERRED, at
        )
    elif action == Action.DECIDE_TRANSFER_OUT:
        _send_notifications(
            alert,
            NotificationPurpose.TRANSFERRED_OUT,
            TemplateKey.TRANSFERRED_OUT,
            at,
            authority=decision.authority or "",
        )
    elif action == Action.DECIDE_NOT_POLICE:
        _send_notifications(
            alert,
            NotificationPurpose.NOT_POLICE,
            TemplateKey.NOT_POLICE,
            at,
            authority=decision.authority or "",
        )


def _not_filed(alert: Any, at: dt.datetime) -> None:
    """The 不予立案 SMS goes when the notice is served: the 复议 window (7 days, art. 179) runs from
    service, and the message names its last day as the deadline engine computed it."""
    from shoulian.workflow import clock
    from shoulian.workflow.choices import DecisionKind, DecisionStatus
    from shoulian.workflow.models import Decision

    decision = (
        Decision.objects.filter(
            alert=alert, kind=DecisionKind.NOT_FILE, status=DecisionStatus.APPROVED
        )
        .order_by("-decided_at", "-id")
        .first()
    )
    if decision is None:
        return
    served = decision.notice_served_at or at
    due = clock.window_due(alert, "reconsideration_application") or served + dt.timedelta(days=7)
    _send_to_reporters(
        alert,
        TemplateKey.NOT_FILED,
        f"not_filed:{decision.pk}",
        at,
        deadline=_deadline(due),
    )
