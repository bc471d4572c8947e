"""Writes of the feedback app: complaints and suggestions (投诉建议), follow-up visits (回访) and
the supervision items a dissatisfied follow-up opens. Each service is atomic and writes its
journal event in the same transaction (U5); SMS go through notify's outbox in that transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit import journal
from shoulian.audit.catalogue import EventType, Outcome
from shoulian.audit.journal import record
from shoulian.core.lifecycle import Refusal
from shoulian.core.text import date_zh, last_day_zh
from shoulian.deadlines.choices import DeadlineStatus
from shoulian.deadlines.models import Deadline
from shoulian.deadlines.services import deadline_start, deadline_stop
from shoulian.feedback import numbering
from shoulian.feedback.choices import (
    ACTIVE_FOLLOW_UP_STATUSES,
    ComplaintChannel,
    ComplaintKind,
    FollowUpStatus,
    Satisfaction,
    SupervisionSource,
)
from shoulian.feedback.lifecycles import (
    ANSWERED_MESSAGE,
    COMPLAINTS,
    DENIED_MESSAGE,
    FOLLOW_UPS,
    FeedbackCtx,
)
from shoulian.feedback.models import (
    Complaint,
    FollowUp,
    FollowUpAttempt,
    SupervisionItem,
)
from shoulian.intake.choices import AlertStatus, PartyRole
from shoulian.intake.models import Alert, AlertParty
from shoulian.notify.services import sms_enqueue
from shoulian.org.choices import UnitKind
from shoulian.org.models import Unit
from shoulian.privacy.choices import Kind
from shoulian.privacy.crypto import index_for
from shoulian.privacy.validators import normalize_mobile
from shoulian.workflow.choices import Action
from shoulian.workflow.not_filed import approved_not_filing, windows_close_at
from shoulian.workflow.services import alert_transition

COMPLAINT_RULE = "complaint_center_answer"
COMPLAINT_OBJECT_TYPE = "complaint"
CONTENT_MAX = 2000
ANSWER_MAX = 2000
NOTE_MAX = 1000

# Statuses that close an alert's loop and call for a follow-up (the workflow's FINAL_STATUSES).
CLOSED_STATUSES = frozenset(
    {
        AlertStatus.ADMIN_CASE,
        AlertStatus.CRIMINAL_CASE,
        AlertStatus.NOT_FILED,
        AlertStatus.TRANSFERRED,
        AlertStatus.NOT_POLICE,
        AlertStatus.CLOSED_NON_CASE,
    }
)


class IdempotencyMismatch(ValidationError):
    """The idempotency key was already used for a different submission (R5: the caller answers
    422)."""


def follow_up_days() -> int:
    """Days the center has for the call once the follow-up may be made (settings, default 7)."""
    return int(getattr(settings, "SHOULIAN_FOLLOW_UP_DAYS", 7))


def follow_up_max_attempts() -> int:
    """Unanswered calls after which the task closes as 无法联系 (settings, default 3)."""
    return int(getattr(settings, "SHOULIAN_FOLLOW_UP_MAX_ATTEMPTS", 3))


# --- helpers ------------------------------------------------------------------------------------
def _denied(actor: Any, action: str, obj: Any = None) -> PermissionDenied:
    with transaction.atomic():
        record(
            EventType.ACCESS_DENIED,
            obj=obj,
            outcome=Outcome.DENIED,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            data={"action": action},
        )
    return PermissionDenied("无权执行此操作。")


def _active(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def _at_center(actor: Any, center: Unit | None = None) -> bool:
    unit = getattr(actor, "unit", None)
    if unit is None or unit.kind != UnitKind.CENTER:
        return False
    return center is None or unit.pk == center.pk


def bureau_of(unit: Unit) -> Unit:
    return unit.bureau()


def center_of(bureau: Unit) -> Unit:
    """The bureau's 受立案管理中心: the responsible unit for complaints and follow-ups."""
    center = (
        Unit.objects.filter(path__startswith=bureau.path, kind=UnitKind.CENTER, is_active=True)
        .order_by("depth", "sort_order", "pk")
        .first()
    )
    if center is None:
        raise ValidationError(f"{bureau.name}未设受立案管理中心，无法受理。")
    return center


def _sms(
    *,
    template: str,
    to: str,
    context: Mapping[str, str],
    key: str,
    alert: Any,
    unit: Unit,
    now: dt.datetime,
) -> Any:
    # ``unit`` places a complaint's message in the bureau's outbox when no alert is named;
    # ``now`` is the moment of the change: seeded history is never sent (notify expires it).
    return sms_enqueue(
        template=template, to=to, context=context, key=key, alert=alert, unit=unit, now=now
    )


def complaint_deadline(complaint: Complaint) -> Deadline | None:
    return (
        Deadline.objects.filter(
            object_type=COMPLAINT_OBJECT_TYPE, object_id=str(complaint.pk), code=COMPLAINT_RULE
        )
        .order_by("-started_at", "-id")
        .first()
    )


# --- complaints -----------------------------------------------------------------------------------
def _fingerprint(**fields: Any) -> str:
    encoded = json.dumps(fields, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def _replay(scope: str, key: str, digest: str) -> Complaint | None:
    existing = Complaint.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
    if existing is None:
        return None
    if existing.fingerprint != digest:
        with transaction.atomic():
            record(
                EventType.IDEMPOTENCY_CONFLICT,
                obj=existing,
                outcome=Outcome.DENIED,
                data={"scope": scope, "key": key[:80]},
            )
        raise IdempotencyMismatch(
            "该提交编号已用于另一份内容不同的投诉建议，未重复提交。请刷新页面后重新填写。",
            code="idempotency_mismatch",
        )
    return existing


def _new_query_code() -> str:
    # Complaint and alert codes share one query page: a code must name exactly one of them.
    while True:
        code = numbering.new_query_code()
        if (
            not Complaint.objects.filter(query_code=code).exists()
            and not Alert.objects.filter(query_code=code).exists()
        ):
            return code


def complaint_submit(
    *,
    channel: str,
    kind: str,
    content: str,
    mobile: str,
    name: str = "",
    alert: Any = None,
    actor: Any = None,
    kiosk: Any = None,
    idempotency_key: str,
    now: dt.datetime | None = None,
) -> Complaint:
    """File a complaint or suggestion from the kiosk, the query page or the desk.

    It is routed to the center of the bureau that owns the alert, else the kiosk's or the desk
    clerk's bureau; the center head has 15 days to answer (deadline engine). The same key with
    the same content returns the first complaint; with other content it raises
    ``IdempotencyMismatch`` (R5). ``now`` is for the demo seeder only."""
    errors: dict[str, str] = {}
    if channel not in ComplaintChannel.values:
        errors["channel"] = "提交方式无效。"
    if kind not in ComplaintKind.values:
        errors["kind"] = "请选择投诉或建议。"
    content = (content or "").strip()
    if not content:
        errors["content"] = "请填写投诉或建议的内容。"
    elif len(content) > CONTENT_MAX:
        errors["content"] = f"内容不能超过{CONTENT_MAX}字。"
    name = (name or "").strip()
    if len(name) > 50:
        errors["name"] = "姓名过长。"
    try:
        mobile = normalize_mobile((mobile or "").strip())
    except ValidationError:
        errors["mobile"] = "请填写11位手机号码，答复将以短信通知。"
    key = (idempotency_key or "").strip()[:80]
    if not key:
        errors["idempotency_key"] = "缺少提交编号，请刷新页面后重试。"
    if errors:
        raise ValidationError(errors)

    source_unit: Unit | None
    if channel == ComplaintChannel.DESK:
        if not (
            _active(actor) and actor.has_role(Role.CLERK, Role.CENTER_HEAD) and _at_center(actor)
        ):
            raise _denied(actor, "complaint_desk")
        if alert is not None and not Alert.objects.visible_to(actor).filter(pk=alert.pk).exists():
            raise _denied(actor, "complaint_desk", alert)
        source_unit = actor.unit
        scope = f"user:{actor.pk}"
    elif channel == ComplaintChannel.KIOSK:
        if kiosk is None or getattr(kiosk, "unit", None) is None:
            raise ValidationError({"channel": "自助终端未登记，不能提交。"})
        source_unit = kiosk.unit
        scope = f"kiosk:{kiosk.pk}"
    else:
        if alert is None:
            raise ValidationError({"alert": "请先查询警情后再提交投诉建议。"})
        source_unit = None
        scope = f"query:{alert.pk}"

    # The alert's bureau answers for the alert; otherwise the bureau where it was handed in.
    base_unit = alert.registering_unit if alert is not None else source_unit
    assert base_unit is not None  # noqa: S101 - every branch above sets one
    bureau = bureau_of(base_unit)
    center = center_of(bureau)
    digest = _fingerprint(
        channel=channel,
        kind=kind,
        content=content,
        mobile=mobile,
        name=name,
        alert=alert.pk if alert is not None else None,
    )
    replay = _replay(scope, key, digest)
    if replay is not None:
        return replay
    now = now or timezone.now()
    try:
        with transaction.atomic():
            year = timezone.localtime(now).year
            sequence = numbering.next_sequence(bureau, year)
            complaint = Complaint(
                number=numbering.format_number(bureau, year, sequence),
                query_code=_new_query_code(),
                kind=kind,
                channel=channel,
                alert=alert,
                bureau=bureau,
                center=center,
                source_unit=source_unit,
                complainant_name=name,
                mobile=mobile,
                content=content,
                submitted_at=now,
                submitted_by=actor if channel == ComplaintChannel.DESK else None,
                idempotency_scope=scope,
                idempotency_key=key,
                fingerprint=digest,
            )
            complaint.save()
            deadline = deadline_start(
                actor=None,
                rule_code=COMPLAINT_RULE,
                obj=complaint,
                unit=center,
                started_at=now,
                title=f"{complaint.get_kind_display()} {complaint.number}",
            )
            record(
                EventType.COMPLAINT_SUBMITTED,
                obj=complaint,
                actor=actor if channel == ComplaintChannel.DESK else None,
                data={
                    "number": complaint.number,
                    "kind": kind,
                    "channel": channel,
                    "alert": alert.number if alert is not None else None,
                    "center": center.code,
                    "kiosk": getattr(kiosk, "pk", None),
                    "due_at": deadline.due_at,
                },
            )
            _sms(
                template="complaint_received",
                to=mobile,
                context={
                    "bureau": bureau.name,
                    "complaint_number": complaint.number,
                    "number": complaint.number,
                    "query_code": complaint.query_code_display,
                    "unit": center.name,
                    "unit_phone": center.phone,
                    "date": date_zh(now),
                    "deadline": last_day_zh(deadline.due_at),
                    "query_url": _query_url(),
                },
                key=f"complaint:{complaint.pk}:received",
                alert=alert,
                unit=center,
                now=now,
            )
    except IntegrityError:
        # A concurrent duplicate (double tap, retry) lost the race on the key's unique index.
        replay = _replay(scope, key, digest)
        if replay is not None:
            return replay
        raise
    return complaint


def _query_url() -> str:
    base = str(getattr(settings, "SHOULIAN_PUBLIC_BASE_URL", "")).rstrip("/")
    return f"{base}/q/"


def complaint_answer(
    *,
    actor: Any,
    complaint: Complaint,
    answer: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """The center head answers: the deadline stops, the complainant gets an SMS and reads the
    answer on the query page. An entry point (durable): a refusal stays on record."""
    now = now or timezone.now()
    version = complaint.version if expected_version is None else expected_version
    try:
        with journal.durable_atomic():
            current = (
                Complaint.objects.visible_to(actor)
                .select_related("bureau", "center", "alert")
                .filter(pk=complaint.pk)
                .first()
            )
            if current is None:
                raise Refusal("not_found", DENIED_MESSAGE, permission=True)
            ctx = FeedbackCtx(actor=actor, obj=current, now=now, action="answer")
            row = COMPLAINTS.checked_row(ctx, current.status, "answer", ANSWERED_MESSAGE)
            answer = (answer or "").strip()
            if not answer:
                raise ValidationError({"answer": "请填写答复内容。"})
            if len(answer) > ANSWER_MAX:
                raise ValidationError({"answer": f"答复不能超过{ANSWER_MAX}字。"})

            def stop_deadline() -> bool | None:
                deadline = complaint_deadline(current)
                if deadline is None or deadline.status == DeadlineStatus.STOPPED:
                    return None
                deadline = deadline_stop(
                    actor=None, deadline=deadline, at=max(now, deadline.started_at), note="已答复"
                )
                return deadline.stopped_late

            COMPLAINTS.apply(
                current,
                row,
                expected_version=version,
                actor=actor,
                updates={"answer": answer, "answered_at": now, "answered_by": actor},
                then=stop_deadline,
                data=lambda late: {"number": current.number, "late": late},
            )
            _sms(
                template="complaint_answered",
                to=current.mobile.plaintext() if current.mobile else "",
                context={
                    "bureau": current.bureau.name,
                    "complaint_number": current.number,
                    "number": current.number,
                    "query_code": current.query_code_display,
                    "unit": current.center.name,
                    "unit_phone": current.center.phone,
                    "date": date_zh(now),
                    "query_url": _query_url(),
                },
                key=f"complaint:{current.pk}:answered",
                alert=current.alert,
                unit=current.center,
                now=now,
            )
    except Refusal as refusal:
        COMPLAINTS.refuse(refusal, actor=actor, obj=complaint, action="complaint_answer")
    complaint.refresh_from_db()
    return complaint


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
            try:
                center = center_of(bureau_of(alert.registering_unit))
            except ValidationError:
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
    if satisfaction == Satisfaction.DISSATISFIED:
        _supervision_open(follow_up=follow_up, alert=alert, note=reason, now=at, actor=actor)


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


def _center_head_of(center: Unit) -> Any:
    from shoulian.accounts.models import User

    return (
        User.objects.filter(unit=center, is_active=True, roles__role=Role.CENTER_HEAD)
        .order_by("pk")
        .first()
    )


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
    alert moves to 已回访 through the workflow in the same transaction, and 不满意 opens a
    supervision item for the center head.

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
    if satisfaction == Satisfaction.DISSATISFIED:
        _supervision_open(follow_up=current, alert=alert, note=note, now=now, actor=actor)


def _supervision_open(
    *, follow_up: FollowUp, alert: Alert, note: str, now: dt.datetime, actor: Any
) -> SupervisionItem:
    center = follow_up.center
    item = SupervisionItem.objects.create(
        source=SupervisionSource.FOLLOW_UP,
        alert=alert,
        follow_up=follow_up,
        center=center,
        assigned_to=_center_head_of(center),
        opened_at=now,
        summary=note or "回访中群众表示不满意。",
    )
    record(
        EventType.SUPERVISION_ITEM_OPENED,
        obj=item,
        actor=actor,
        data={
            "source": item.source,
            "alert": alert.number,
            "follow_up": follow_up.pk,
            "assigned_to": item.assigned_to_id,
        },
    )
    return item
