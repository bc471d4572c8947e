"""SMS to the reporters of an alert, written to notify's outbox in the caller's transaction
(issue 6 §3): the "received" message at registration here, and the helpers the workflow's
milestone messages use (``shoulian.workflow.milestones``).

Recipients are the alert's reporters (报案人) with a mobile, never another party (Z8). Each message
has a dedup key naming the alert, the milestone (and its decision) and the mobile's keyed hash, so
a replayed step, a second call or two reporters sharing one phone send nothing twice.
"""

from __future__ import annotations

import datetime as dt

from shoulian.core.text import date_zh
from shoulian.intake.choices import Channel, PartyRole
from shoulian.intake.models import Alert, AlertParty
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
INFORMATIONAL = frozenset(
    {
        TemplateKey.RECEIVED,
        TemplateKey.ACCEPTED,
        TemplateKey.FILED,
        TemplateKey.CLOSED,
        TemplateKey.SOLVED,
        TemplateKey.CONCLUDED,
    }
)


def reporter_mobiles(alert: Alert) -> list[str]:
    mobiles: list[str] = []
    for party in AlertParty.objects.filter(alert=alert, role=PartyRole.REPORTER).order_by(
        "position", "id"
    ):
        phone = party.phone.plaintext() if party.phone else ""
        if phone and phone not in mobiles:
            mobiles.append(phone)
    return mobiles


def message_context(alert: Alert, at: dt.datetime, **extra: str) -> dict[str, str]:
    """The placeholders every alert message may use: bureau, number, query page, handling unit
    and its phone, the date of the change."""
    bureau = bureau_of(alert.registering_unit)
    unit = alert.handling_unit
    return {
        "bureau": bureau.name,
        "number": alert.number,
        "query_url": texts.public_query_url(),
        "unit": unit.name if unit is not None else "",
        "unit_phone": unit.phone if unit is not None else "",
        "date": date_zh(at),
        **extra,
    }


def send_to_reporters(
    alert: Alert,
    template: str,
    milestone: str,
    at: dt.datetime,
    mobiles: list[str] | None = None,
    **extra: str,
) -> None:
    """Queue ``template`` once per reporter's mobile; ``milestone`` names the change in the key."""
    if template in INFORMATIONAL and alert.category.is_sensitive:
        return
    context = message_context(alert, at, **extra)
    for mobile in reporter_mobiles(alert) if mobiles is None else list(dict.fromkeys(mobiles)):
        sms_enqueue(
            template=template,
            to=mobile,
            context=context,
            key=f"alert:{alert.pk}:{milestone}:{index_for(mobile, Kind.PHONE)[:24]}",
            alert=alert,
            now=at,
        )


def alert_registered(
    alert: Alert, *, now: dt.datetime | None = None, mobiles: list[str] | None = None
) -> None:
    """Queue the "received" SMS with the query code, inside the registering transaction.

    ``mobiles``: the reporters' numbers as just written, which spares reading and decrypting the
    rows again; None reads them from the alert."""
    if alert.channel not in RECEIVED_CHANNELS:
        return
    at = now or alert.registered_at
    send_to_reporters(
        alert,
        TemplateKey.RECEIVED,
        "received",
        at,
        mobiles=mobiles,
        query_code=alert.query_code_display,
    )
