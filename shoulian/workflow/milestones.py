"""Milestone SMS of the alert lifecycle (issue 6 §3): which step sends which message.

A transition subscriber (``hooks.on_transition``): it runs in the step's transaction and writes
the messages to notify's outbox, so a committed step always has its messages and a rolled-back
one never does (R2). Recipients and keys are intake's (``shoulian.intake.messages``).

The notices the law requires (transfer, transfer out, not police business) are recorded by the
step as ``Notification`` rows, one per reporter; those with the SMS channel go through the outbox
here, the message names its notification as its subject, and the notification takes the
message's outcome (sent / failed) through ``notification_outcome``.
"""

from __future__ import annotations

import datetime as dt

from shoulian.core.text import last_day_zh
from shoulian.intake.choices import PartyRole
from shoulian.intake.messages import message_context, send_to_reporters
from shoulian.intake.models import Alert
from shoulian.notify import texts
from shoulian.notify.choices import SmsStatus, TemplateKey
from shoulian.notify.hooks import on_outcome
from shoulian.notify.services import sms_enqueue
from shoulian.workflow import clock
from shoulian.workflow.choices import (
    Action,
    NotificationChannel,
    NotificationPurpose,
    NotificationStatus,
)
from shoulian.workflow.hooks import TransitionRecord, on_transition
from shoulian.workflow.models import Notification
from shoulian.workflow.not_filed import approved_not_filing

NOTIFICATION_SUBJECT = "notification"


@on_transition(order=100)
def milestone_sms(t: TransitionRecord) -> None:
    """Queue the SMS the step's milestone sends."""
    alert, action, decision, at = t.alert, t.action, t.decision, t.at
    if action == Action.DECIDE_ADMIN_ACCEPT and decision is not None:
        send_to_reporters(alert, TemplateKey.ACCEPTED, f"accepted:{decision.pk}", at)
    elif action == Action.DECIDE_CRIMINAL_FILE and decision is not None:
        send_to_reporters(alert, TemplateKey.FILED, f"filed:{decision.pk}", at)
    elif action == Action.DECIDE_CLOSE_NON_CASE and decision is not None:
        send_to_reporters(alert, TemplateKey.CLOSED, f"closed:{decision.pk}", at)
    elif action == Action.SOLVE:
        # The article's promise: "我的案件破了以后，还马上给我的手机发来了短信".
        send_to_reporters(alert, TemplateKey.SOLVED, "solved", at)
    elif action in (Action.CONCLUDE_CASE, Action.MEDIATE):
        send_to_reporters(alert, TemplateKey.CONCLUDED, "concluded", at)
    elif action == Action.SERVE_NOTICE:
        _not_filed(alert, at)
    elif action == Action.APPROVE_TRANSFER:
        _send_notifications(
            alert, NotificationPurpose.TRANSFERRED_INTERNAL, TemplateKey.TRANSFERRED, at
        )
    elif action == Action.DECIDE_TRANSFER_OUT and decision is not None:
        _send_notifications(
            alert,
            NotificationPurpose.TRANSFERRED_OUT,
            TemplateKey.TRANSFERRED_OUT,
            at,
            authority=decision.authority or "",
        )
    elif action == Action.DECIDE_NOT_POLICE and decision is not None:
        _send_notifications(
            alert,
            NotificationPurpose.NOT_POLICE,
            TemplateKey.NOT_POLICE,
            at,
            authority=decision.authority or "",
        )
        if not Notification.objects.filter(
            alert=alert, purpose=NotificationPurpose.NOT_POLICE, sms_message__isnull=False
        ).exists():
            # Nobody to text: the 不予调查处理告知书 issued with the decision is the written notice.
            clock.stop(alert, clock.NOT_POLICE_NOTICE, "已书面告知（不予调查处理告知书）", at)


def _send_notifications(
    alert: Alert, purpose: str, template: str, at: dt.datetime, **extra: str
) -> None:
    pending = Notification.objects.filter(
        alert=alert,
        purpose=purpose,
        channel=NotificationChannel.SMS,
        status=NotificationStatus.PENDING,
        sms_message__isnull=True,
    ).select_related("party")
    context = message_context(alert, at, **extra)
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
                subject=(NOTIFICATION_SUBJECT, notification.pk),
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
        else:
            Notification.objects.filter(pk=notification.pk).update(sms_message=message)


def _not_filed(alert: Alert, at: dt.datetime) -> None:
    """The 不予立案 SMS goes when the notice is served: the 复议 window (7 days, art. 179) runs from
    service, and the message names its last day as the deadline engine computed it."""
    decision = approved_not_filing(alert)
    if decision is None:
        return
    served = decision.notice_served_at or at
    due = clock.window_due(alert, "reconsideration_application") or served + dt.timedelta(days=7)
    send_to_reporters(
        alert,
        TemplateKey.NOT_FILED,
        f"not_filed:{decision.pk}",
        at,
        deadline=last_day_zh(due),
    )


# What became of a notice's SMS is what became of the notice.
_NOTICE_STATUS: dict[str, str] = {
    SmsStatus.SENT: NotificationStatus.SENT,
    SmsStatus.DEAD: NotificationStatus.FAILED,
    SmsStatus.EXPIRED: NotificationStatus.FAILED,
    SmsStatus.PENDING: NotificationStatus.PENDING,
}


@on_outcome(NOTIFICATION_SUBJECT)
def notification_outcome(subject_id: str, status: str, at: dt.datetime | None) -> None:
    notice_status = _NOTICE_STATUS.get(status)
    if notice_status is None:
        return
    Notification.objects.filter(pk=int(subject_id)).update(status=notice_status, sent_at=at)
    if notice_status == NotificationStatus.SENT:
        notice = (
            Notification.objects.filter(pk=int(subject_id), purpose=NotificationPurpose.NOT_POLICE)
            .select_related("alert")
            .first()
        )
        if notice is not None:
            # The reporter has been told: the "at once" period of art. 61 ends with the delivery.
            clock.stop(notice.alert, clock.NOT_POLICE_NOTICE, "已短信告知报案人", at)
