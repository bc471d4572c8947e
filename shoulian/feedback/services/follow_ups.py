"""Follow-up visits (回访): the task of each closed alert, kept in step with the workflow by the
transition subscriber, released when the complainant's windows run out, called by the center.
A dissatisfied call is supervision's business: its patrol rule ``follow_up_dissatisfied`` reads
the follow-up (in the same step, as a transition subscriber above this app) and opens a finding
for the unit, with the center head told. Tasks run on their declared lifecycle
(``feedback/lifecycles.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shoulian.audit import journal
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record
from shoulian.core.lifecycle import Refusal
from shoulian.core.text import date_zh, last_day_zh
from shoulian.feedback.choices import (
    ACTIVE_FOLLOW_UP_STATUSES,
    FollowUpStatus,
    Satisfaction,
)
from shoulian.feedback.lifecycles import (
    DENIED_MESSAGE,
    FOLLOW_UPS,
    FeedbackCtx,
)
from shoulian.feedback.models import FollowUp, FollowUpAttempt
from shoulian.feedback.services._common import _query_url, _sms
from shoulian.intake.choices import AlertStatus, PartyRole
from shoulian.intake.models import Alert, AlertParty
from shoulian.org.selectors import bureau_of, center_of
from shoulian.privacy.choices import Kind
from shoulian.privacy.crypto import index_for
from shoulian.privacy.validators import normalize_mobile
from shoulian.workflow.choices import CLOSED_STATUSES, Action
from shoulian.workflow.not_filed import approved_not_filing, windows_close_at
from shoulian.workflow.services import alert_transition

NOTE_MAX = 1000


def follow_up_days() -> int:
    """Days the center has for the call once the follow-up may be made (settings, default 7)."""
    return int(getattr(settings, "SHOULIAN_FOLLOW_UP_DAYS", 7))


def follow_up_max_attempts() -> int:
    """Unanswered calls after which the task closes as 无法联系 (settings, default 3)."""
    return int(getattr(settings, "SHOULIAN_FOLLOW_UP_MAX_ATTEMPTS", 3))


# --- follow-up visits -----------------------------------------------------------------------------
def _ready_at(alert: Alert, target: str, at: dt.datetime) -> dt.datetime | None:
    """From when the follow-up call may be made; None while that is not known yet.

    A 不予立案 may still be reviewed: the call waits for the notice to be served, for the
    complainant's 复议 and 复核 windows to run out and for any pending application to be decided
    (the same conditions as the workflow's ``no_open_reconsideration`` guard)."""
    if target != AlertStatus.NOT_FILED:
        return at
    return windows_close_at(alert, approved_not_filing(alert), at=at)


def _schedule(ready: dt.datetime | None, now: dt.datetime) -> dict[str, Any]:
    waiting = ready is None or ready > now
    return {
        "status": FollowUpStatus.WAITING if waiting else FollowUpStatus.OPEN,
        "ready_at": ready,
        "due_at": None if ready is None else ready + dt.timedelta(days=follow_up_days()),
    }


def _invite(follow_up: FollowUp, at: dt.datetime) -> int:
    """The follow-up invitation SMS to every reporter's mobile, once per task and mobile (the
    key names the mobile's keyed hash, as notify's milestone messages do). A sensitive category
    gets no invitation: a message on a shared phone could expose the report; the center calls."""
    alert = follow_up.alert
    center = follow_up.center
    sent = 0
    mobiles: list[str] = []
    if not alert.category.is_sensitive:
        for party in AlertParty.objects.filter(alert=alert, role=PartyRole.REPORTER).order_by(
            "position", "pk"
        ):
            try:
                mobile = normalize_mobile(party.phone.plaintext()) if party.phone else ""
            except ValidationError:
                continue  # a landline cannot take an SMS; the center calls it
            if mobile and mobile not in mobiles:
                mobiles.append(mobile)
    for mobile in mobiles:
        message = _sms(
            template="follow_up",
            to=mobile,
            context={
                "bureau": bureau_of(center).name,
                "number": alert.number,
                "unit": center.name,
                "unit_phone": center.phone,
                "date": date_zh(at),
                "deadline": last_day_zh(follow_up.due_at),
                "query_url": _query_url(),
            },
            key=f"alert:{alert.pk}:follow_up:{index_for(mobile, Kind.PHONE)[:24]}",
            alert=alert,
            unit=center,
            now=at,
        )
        if message is not None:
            sent += 1
    FollowUp.objects.filter(pk=follow_up.pk).update(invited_at=at)
    follow_up.invited_at = at
    return sent


def _system_move(
    follow_up: FollowUp,
    action: str,
    *,
    at: dt.datetime,
    actor: Any = None,
    updates: dict[str, Any] | None = None,
    then: Any = None,
    data: dict[str, Any],
) -> None:
    """Apply one of the task's system rows (the app's own move, not a staff request)."""
    ctx = FeedbackCtx(actor=actor, obj=follow_up, now=at, action=action, system=True)
    row = FOLLOW_UPS.checked_row(ctx, follow_up.status, action, "回访任务状态已变化。")
    FOLLOW_UPS.apply(
        follow_up,
        row,
        expected_version=follow_up.version,
        actor=actor,
        updates=updates,
        then=then,
        data={"follow_up": follow_up.pk, **data},
        journal_obj=follow_up.alert,
    )


def follow_up_sync(
    *,
    alert: Alert,
    action: str,
    source: str,
    target: str,
    at: dt.datetime,
    step: Any = None,
    satisfied: bool | None = None,
) -> None:
    """Keep the alert's follow-up task in step with a workflow transition (called in the step's
    transaction by the transition subscriber, ``subscribers.py``). Idempotent: one task per
    alert. A task changed meanwhile by someone else is a conflict: the step fails with it and is
    retried (the engine's compare-and-set, R6)."""
    follow_up = FollowUp.objects.select_related("alert", "center").filter(alert=alert).first()
    if target in CLOSED_STATUSES:
        ready = _ready_at(alert, target, at)
        schedule = _schedule(ready, at)
        if follow_up is None:
            center = center_of(alert.registering_unit)
            if center is None:
                # A bureau without a 受立案管理中心 has nobody to call; the decision must not fail
                # for that, and the alert page still offers the 回访 step.
                return
            # Its creation, not a transition: the one row per alert is the unique key.
            follow_up = FollowUp.objects.create(
                alert=alert, center=center, opened_at=at, **schedule
            )
            record(
                EventType.FOLLOW_UP_OPENED,
                obj=alert,
                data={
                    "follow_up": follow_up.pk,
                    "center": center.code,
                    "ready_at": ready,
                    "due_at": follow_up.due_at,
                },
            )
        elif follow_up.status in (*ACTIVE_FOLLOW_UP_STATUSES, FollowUpStatus.CANCELLED):
            reopened = follow_up.status == FollowUpStatus.CANCELLED
            # Only a 不予立案 moves its call (service, 复议, 复核); any other closing is final.
            moved = target == AlertStatus.NOT_FILED and (
                follow_up.ready_at,
                follow_up.status,
            ) != (schedule["ready_at"], schedule["status"])
            if reopened or moved:
                waiting = schedule["status"] == FollowUpStatus.WAITING
                _system_move(
                    follow_up,
                    "wait" if waiting else "release",
                    at=at,
                    updates={"ready_at": schedule["ready_at"], "due_at": schedule["due_at"]},
                    data={"ready_at": ready, "due_at": schedule["due_at"], "reopened": reopened},
                )
        else:
            return
        if follow_up.status == FollowUpStatus.OPEN and follow_up.invited_at is None:
            _invite(follow_up, at)
    elif action == Action.FOLLOW_UP:
        # Recorded on the alert page rather than in the 回访任务 queue (or by the workflow demo):
        # close the task with what the workflow step says.
        if follow_up is not None and follow_up.status in ACTIVE_FOLLOW_UP_STATUSES:
            _close_from_workflow(follow_up, alert, at, step=step, satisfied=satisfied)
    elif source in CLOSED_STATUSES and target not in CLOSED_STATUSES:
        # 复议/复核 set the 不予立案 aside: the alert is back in handling, the call is off.
        if follow_up is not None and follow_up.status in ACTIVE_FOLLOW_UP_STATUSES:
            _system_move(follow_up, "cancel", at=at, data={"action": action})


def _close_from_workflow(
    follow_up: FollowUp, alert: Alert, at: dt.datetime, *, step: Any, satisfied: bool | None
) -> None:
    actor = step.actor if step is not None else None
    reason = step.reason if step is not None else ""
    satisfaction = (
        ""
        if satisfied is None
        else Satisfaction.SATISFIED
        if satisfied
        else Satisfaction.DISSATISFIED
    )

    def attempt_row() -> None:
        if actor is not None:
            FollowUpAttempt.objects.create(
                follow_up=follow_up,
                at=at,
                by=actor,
                reached=True,
                satisfaction=satisfaction,
                note=reason[:NOTE_MAX],
            )

    _system_move(
        follow_up,
        "close_from_workflow",
        at=at,
        actor=actor,
        updates={
            "satisfaction": satisfaction,
            "note": reason[:NOTE_MAX],
            "done_at": at,
            "done_by": actor,
            "attempts": F("attempts") + 1,
            "last_attempt_at": at,
        },
        then=attempt_row,
        data={"via": "workflow", "satisfaction": satisfaction or None},
    )


def follow_ups_release(*, now: dt.datetime | None = None) -> int:
    """Open the waiting tasks whose 复议/复核 windows have run out and send their invitations
    (the periodic job; nothing happens on the alert when a window simply expires)."""
    now = now or timezone.now()
    released = 0
    pks = list(
        FollowUp.objects.filter(
            status=FollowUpStatus.WAITING, ready_at__isnull=False, ready_at__lte=now
        ).values_list("pk", flat=True)[:500]
    )
    for pk in pks:
        try:
            with transaction.atomic():
                follow_up = (
                    FollowUp.objects.select_related("alert", "alert__category", "center")
                    .filter(pk=pk, status=FollowUpStatus.WAITING)
                    .first()
                )
                if follow_up is None:
                    continue
                _system_move(
                    follow_up,
                    "release",
                    at=now,
                    data={"released": True, "due_at": follow_up.due_at},
                )
                if follow_up.invited_at is None:
                    _invite(follow_up, now)
        except Refusal:
            # Changed by a workflow step since it was listed: that step has rescheduled it.
            continue
        released += 1
    return released


def follow_up_record(
    *,
    actor: Any,
    follow_up: FollowUp,
    reached: bool,
    satisfaction: str = "",
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> FollowUp:
    """Record one call. Unreached: the attempt counts, the task stays open up to the configured
    number of attempts and then closes as 无法联系. Reached: the satisfaction is recorded, the
    alert moves to 已回访 through the workflow in the same transaction (不满意 becomes a
    supervision finding in that step, through supervision's transition subscriber).

    An entry point (durable): a refusal here or in the workflow step it takes stays on record
    after the rollback (U1)."""
    now = now or timezone.now()
    version = follow_up.version if expected_version is None else expected_version
    try:
        with journal.durable_atomic():
            current = (
                FollowUp.objects.visible_to(actor)
                .select_related("alert", "center")
                .filter(pk=follow_up.pk)
                .first()
            )
            if current is None:
                raise Refusal("not_found", DENIED_MESSAGE, permission=True)
            # Every call counts; all calls before a reached one went unanswered.
            attempts = current.attempts + 1
            closing = reached or attempts >= follow_up_max_attempts()
            action = "record" if reached else "give_up" if closing else "attempt"
            ctx = FeedbackCtx(actor=actor, obj=current, now=now, action=action)
            row = FOLLOW_UPS.checked_row(ctx, current.status, action, "该回访任务已经办结。")
            note = (note or "").strip()
            if len(note) > NOTE_MAX:
                raise ValidationError({"note": f"情况说明不能超过{NOTE_MAX}字。"})
            if reached and satisfaction not in Satisfaction.values:
                raise ValidationError({"satisfaction": "请选择群众的满意程度。"})
            if not reached:
                satisfaction = ""
            if current.version != version:
                raise Refusal("conflict", FOLLOW_UPS.conflict_message)
            _record_call(current, row, actor=actor, version=version, attempts=attempts,
                         closing=closing, reached=reached, satisfaction=satisfaction, note=note,
                         now=now)  # fmt: skip
    except Refusal as refusal:
        FOLLOW_UPS.refuse(refusal, actor=actor, obj=follow_up.alert, action="follow_up_record")
    return FollowUp.objects.select_related("alert", "center").get(pk=follow_up.pk)


def _record_call(
    current: FollowUp,
    row: Any,
    *,
    actor: Any,
    version: int,
    attempts: int,
    closing: bool,
    reached: bool,
    satisfaction: str,
    note: str,
    now: dt.datetime,
) -> None:
    alert = current.alert
    fields: dict[str, Any] = {"attempts": attempts, "last_attempt_at": now}
    if closing:
        fields.update(satisfaction=satisfaction, note=note, done_at=now, done_by=actor)

    def side_rows() -> None:
        FollowUpAttempt.objects.create(
            follow_up=current,
            at=now,
            by=actor,
            reached=reached,
            satisfaction=satisfaction,
            note=note,
        )
        if not closing:
            return
        # The task is already marked done, so the workflow's subscriber finds nothing to close.
        if reached:
            label = Satisfaction(satisfaction).label
            reason = f"回访：{label}。{note}".strip()
            satisfied: bool | None = satisfaction != Satisfaction.DISSATISFIED
        else:
            reason = f"回访{attempts}次均未联系上报案人，回访办结。{note}".strip()
            satisfied = None
        fresh = Alert.objects.get(pk=alert.pk)
        alert_transition(
            actor=actor,
            alert=fresh,
            action=Action.FOLLOW_UP,
            expected_version=fresh.version,
            now=now,
            satisfied=satisfied,
            reason=reason[:500],
        )

    data: dict[str, Any] = {"follow_up": current.pk, "attempts": attempts}
    if closing:
        data.update(reached=reached, satisfaction=satisfaction or None)
    FOLLOW_UPS.apply(
        current,
        row,
        expected_version=version,
        actor=actor,
        updates=fields,
        then=side_rows,
        data=data,
        journal_obj=alert,
    )
