"""Writes to running deadlines: start, pause/resume (鉴定), extension, stop, recompute.

The workflow calls these inside its own transactions when a node's start, pause or stop event
happens; each writes its journal event in the same transaction. The row keeps what a recompute
needs (start, pauses, approved extensions, rule version), so a rule or calendar change recomputes
every running deadline it touches, with one journal event per changed due time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import deny, record
from shoulian.deadlines import counting, versions
from shoulian.deadlines.choices import (
    REQUESTER_ROLES,
    DeadlineStatus,
    ExtensionStatus,
)
from shoulian.deadlines.holidays import DatabaseCalendar
from shoulian.deadlines.models import (
    Deadline,
    DeadlineExtension,
    DeadlinePause,
    DeadlineRule,
    object_id_validator,
    object_type_validator,
)
from shoulian.deadlines.services._common import (
    event_time,
    is_auxiliary,
    sees_unit,
    signed_in,
)
from shoulian.org.models import Unit

CONFLICT = _("该期限已被他人更新，请刷新后重试。")


@dataclass(frozen=True)
class Computed:
    due_at: dt.datetime
    # Set when ``due_at`` is provisional (暂定): the first year whose holiday arrangement is not in
    # the system yet, counted with weekends as its only rest days until it is published.
    missing_year: int | None = None


def compute(
    *,
    rule: DeadlineRule,
    started_at: dt.datetime,
    pauses: Iterable[counting.Interval],
    extended_by: int,
    calendar: counting.RestDays,
) -> Computed:
    """The due time from the stored facts. Where a year's calendar is missing the date is
    provisional, marked by ``missing_year``, and recomputed when the year is published."""
    intervals = list(pauses)
    period, extension = rule.counted(extended_by)
    try:
        due = counting.due_at(started_at, period, calendar, pauses=intervals, extension=extension)
    except counting.CalendarMissing:
        provisional = counting.ProvisionalCalendar(calendar)
        due = counting.due_at(
            started_at, period, provisional, pauses=intervals, extension=extension
        )
        return Computed(due, min(provisional.assumed))
    return Computed(due)


def _object_ref(obj: models.Model | tuple[str, Any]) -> tuple[str, str]:
    if isinstance(obj, tuple):
        object_type, object_id = str(obj[0]), str(obj[1])
    else:
        object_type, object_id = obj._meta.model_name or "", str(obj.pk)
    object_type_validator(object_type)
    object_id_validator(object_id)
    return object_type, object_id


def _guard_scope(actor: Any, unit: Unit, *, action: str, obj: Any) -> None:
    if not sees_unit(actor, unit):
        deny(actor, action=action, obj=obj, message=_("无权办理该单位的事项。"))


def _cas_update(deadline: Deadline, **fields: Any) -> None:
    """Compare-and-set on ``row_version``: the loser of a race gets a conflict, not a lost update."""
    updated = Deadline.objects.filter(pk=deadline.pk, row_version=deadline.row_version).update(
        row_version=F("row_version") + 1, **fields
    )
    if updated != 1:
        raise ValidationError(CONFLICT)
    for name, value in fields.items():
        setattr(deadline, name, value)
    deadline.row_version += 1


def _intervals(deadline: Deadline) -> list[counting.Interval]:
    return [
        counting.Interval(p.paused_at, p.resumed_at)
        for p in DeadlinePause.objects.filter(deadline=deadline).order_by("paused_at")
    ]


def _due_data(due: dt.datetime | None, missing_year: int | None) -> dict[str, Any]:
    return {
        "due_at": due,
        "calendar_missing": missing_year,
        "provisional": due is not None and missing_year is not None,
    }


def deadline_start(
    *,
    actor: Any,
    rule_code: str,
    obj: models.Model | tuple[str, Any],
    unit: Unit,
    started_at: dt.datetime,
    title: str = "",
) -> Deadline:
    """Start the node's period for ``obj`` at the moment its start event happened."""
    object_type, object_id = _object_ref(obj)
    ref = (object_type, object_id)
    _guard_scope(actor, unit, action="deadline_start", obj=ref)
    event_time(started_at, field="started_at")
    rule = versions.in_force(
        rule_code, versions.bureau_id_of(unit), versions.legal_date(started_at)
    )
    computed = compute(
        rule=rule, started_at=started_at, pauses=(), extended_by=0, calendar=DatabaseCalendar()
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                deadline = Deadline.objects.create(
                    rule=rule,
                    code=rule.code,
                    object_type=object_type,
                    object_id=object_id,
                    title=title.strip()[:120],
                    unit=unit,
                    started_at=started_at,
                    due_at=computed.due_at,
                    missing_year=computed.missing_year,
                )
        except IntegrityError as exc:
            raise ValidationError(
                _("“%(rule)s”的期限已在计时，不能重复开始。") % {"rule": rule.name}
            ) from exc
        record(
            EventType.DEADLINE_STARTED,
            obj=ref,
            actor=actor,
            data={
                "deadline": deadline.pk,
                "rule": rule.code,
                "rule_version": rule.version,
                "rule_id": rule.pk,
                "unit": unit.code,
                "started_at": started_at,
                **_due_data(computed.due_at, computed.missing_year),
            },
        )
    return deadline


def deadline_pause(*, actor: Any, deadline: Deadline, at: dt.datetime, reason: str) -> Deadline:
    """Stop the clock where the rule allows it (鉴定): the time until the resume is not counted."""
    _guard_scope(actor, deadline.unit, action="deadline_pause", obj=deadline.object_ref)
    if not deadline.rule.allows_pause:
        raise ValidationError(_("“%(rule)s”不允许中止计算期限。") % {"rule": deadline.rule.name})
    if deadline.status != DeadlineStatus.OPEN:
        raise ValidationError(_("只有计时中的期限可以暂停。"))
    last_resume = (
        DeadlinePause.objects.filter(deadline=deadline)
        .order_by("-resumed_at")
        .values_list("resumed_at", flat=True)
        .first()
    )
    event_time(at, field="at", not_before=last_resume or deadline.started_at)
    if deadline.due_at is not None and at >= deadline.due_at:
        # A pause cannot revive a period that has already run out (counting.due_at agrees).
        raise ValidationError({"at": _("期限已届满，不能再中止计算。")})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请填写暂停事由。")})
    with transaction.atomic():
        _cas_update(deadline, status=DeadlineStatus.PAUSED, due_at=None, missing_year=None)
        pause = DeadlinePause.objects.create(
            deadline=deadline, paused_at=at, reason=reason[:200], paused_by=signed_in(actor)
        )
        record(
            EventType.DEADLINE_PAUSED,
            obj=deadline.object_ref,
            actor=actor,
            data={"deadline": deadline.pk, "pause": pause.pk, "at": at, "reason": reason[:200]},
        )
    return deadline


def deadline_resume(*, actor: Any, deadline: Deadline, at: dt.datetime) -> Deadline:
    _guard_scope(actor, deadline.unit, action="deadline_resume", obj=deadline.object_ref)
    pause = DeadlinePause.objects.filter(deadline=deadline, resumed_at__isnull=True).first()
    if deadline.status != DeadlineStatus.PAUSED or pause is None:
        raise ValidationError(_("该期限没有处于暂停状态。"))
    event_time(at, field="at", not_before=pause.paused_at)
    with transaction.atomic():
        DeadlinePause.objects.filter(pk=pause.pk).update(resumed_at=at, resumed_by=signed_in(actor))
        computed = compute(
            rule=deadline.rule,
            started_at=deadline.started_at,
            pauses=_intervals(deadline),
            extended_by=deadline.extended_by,
            calendar=DatabaseCalendar(),
        )
        _cas_update(
            deadline,
            status=DeadlineStatus.OPEN,
            due_at=computed.due_at,
            missing_year=computed.missing_year,
        )
        record(
            EventType.DEADLINE_RESUMED,
            obj=deadline.object_ref,
            actor=actor,
            data={
                "deadline": deadline.pk,
                "pause": pause.pk,
                "at": at,
                "paused_seconds": int((at - pause.paused_at).total_seconds()),
                **_due_data(computed.due_at, computed.missing_year),
            },
        )
    return deadline


def deadline_stop(*, actor: Any, deadline: Deadline, at: dt.datetime, note: str = "") -> Deadline:
    """The node's stop event happened: the period ends, met or late."""
    _guard_scope(actor, deadline.unit, action="deadline_stop", obj=deadline.object_ref)
    if deadline.status == DeadlineStatus.STOPPED:
        raise ValidationError(_("该期限已经完结。"))
    event_time(at, field="at", not_before=deadline.started_at)
    with transaction.atomic():
        fields: dict[str, Any] = {"status": DeadlineStatus.STOPPED, "stopped_at": at}
        if deadline.status == DeadlineStatus.PAUSED:
            # Closing the pause at the stop gives the due time the node was measured against.
            DeadlinePause.objects.filter(deadline=deadline, resumed_at__isnull=True).update(
                resumed_at=at, resumed_by=signed_in(actor)
            )
            computed = compute(
                rule=deadline.rule,
                started_at=deadline.started_at,
                pauses=_intervals(deadline),
                extended_by=deadline.extended_by,
                calendar=DatabaseCalendar(),
            )
            fields.update(due_at=computed.due_at, missing_year=computed.missing_year)
        _cas_update(deadline, **fields)
        DeadlineExtension.objects.filter(deadline=deadline, status=ExtensionStatus.PENDING).update(
            status=ExtensionStatus.REJECTED,
            decided_at=timezone.now(),
        )
        record(
            EventType.DEADLINE_STOPPED,
            obj=deadline.object_ref,
            actor=actor,
            data={
                "deadline": deadline.pk,
                "at": at,
                "due_at": deadline.due_at,
                "late": deadline.stopped_late,
                "note": note.strip()[:200],
            },
        )
    return deadline


def deadline_extension_request(
    *, actor: Any, deadline: Deadline, length: int, reason: str
) -> DeadlineExtension:
    """Ask for more time; an approver of the rule's role decides (never the requester)."""
    ref = deadline.object_ref
    if actor is None or not actor.has_role(*REQUESTER_ROLES) or is_auxiliary(actor):
        deny(actor, action="deadline_extension_request", obj=ref, message=_("无权申请延长期限。"))
    _guard_scope(actor, deadline.unit, action="deadline_extension_request", obj=ref)
    rule = deadline.rule
    if not rule.allows_extension:
        raise ValidationError(_("“%(rule)s”依法不得延长。") % {"rule": rule.name})
    if deadline.status == DeadlineStatus.STOPPED:
        raise ValidationError(_("该期限已经完结。"))
    room = rule.extension_cap - deadline.extended_by
    if room <= 0:
        raise ValidationError(
            _("已达到延长上限（累计%(cap)s%(unit)s）。")
            % {"cap": rule.extension_cap, "unit": rule.extension_unit_label}
        )
    if not 1 <= length <= room:
        raise ValidationError(
            {
                "length": _("延长幅度应为 1–%(room)s%(unit)s。")
                % {"room": room, "unit": rule.extension_unit_label}
            }
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请填写延长理由。")})
    with transaction.atomic():
        try:
            with transaction.atomic():
                extension = DeadlineExtension.objects.create(
                    deadline=deadline,
                    length=length,
                    reason=reason[:300],
                    requested_by=actor,
                    requested_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise ValidationError(_("已有一份延长申请待审批。")) from exc
        record(
            EventType.DEADLINE_EXTENSION_REQUESTED,
            obj=ref,
            actor=actor,
            data={
                "deadline": deadline.pk,
                "extension": extension.pk,
                "length": length,
                "unit": rule.length_unit,
                "reason": reason[:300],
            },
        )
    return extension


def _guard_approver(actor: Any, extension: DeadlineExtension, action: str) -> None:
    deadline = extension.deadline
    rule = deadline.rule
    ref = deadline.object_ref
    if actor is None or is_auxiliary(actor) or not rule.allows_extension:
        deny(actor, action=action, obj=ref, message=_("无权审批延长期限。"))
    if not actor.has_role(rule.extension_approver_role):
        deny(
            actor,
            action=action,
            obj=ref,
            message=_("延长“%(rule)s”须由%(role)s审批。")
            % {"rule": rule.name, "role": rule.get_extension_approver_role_display()},
        )
    _guard_scope(actor, deadline.unit, action=action, obj=ref)
    # Z5: nobody approves (or turns down) their own request.
    if extension.requested_by_id == actor.pk:
        deny(actor, action=action, obj=ref, message=_("不能审批本人提出的延长申请。"))
    if extension.status != ExtensionStatus.PENDING:
        raise ValidationError(_("该申请已处理。"))


def _decide(extension: DeadlineExtension, status: str, actor: Any, note: str) -> None:
    updated = DeadlineExtension.objects.filter(
        pk=extension.pk, status=ExtensionStatus.PENDING
    ).update(status=status, decided_by=actor, decided_at=timezone.now(), decision_note=note[:300])
    if updated != 1:
        raise ValidationError(_("该申请已处理。"))
    extension.refresh_from_db()


def deadline_extend(*, actor: Any, extension: DeadlineExtension, note: str = "") -> Deadline:
    """Approve an extension: the approved length is added (within the rule's cap) and the due time
    recomputed."""
    _guard_approver(actor, extension, "deadline_extend")
    deadline = extension.deadline
    rule = deadline.rule
    if deadline.status == DeadlineStatus.STOPPED:
        raise ValidationError(_("该期限已经完结。"))
    if deadline.extended_by + extension.length > rule.extension_cap:
        raise ValidationError(
            _("超过延长上限（累计%(cap)s%(unit)s）。")
            % {"cap": rule.extension_cap, "unit": rule.extension_unit_label}
        )
    before = deadline.due_at
    with transaction.atomic():
        _decide(extension, ExtensionStatus.APPROVED, actor, note.strip())
        extended_by = deadline.extended_by + extension.length
        fields: dict[str, Any] = {"extended_by": extended_by}
        if deadline.status == DeadlineStatus.OPEN:
            computed = compute(
                rule=rule,
                started_at=deadline.started_at,
                pauses=_intervals(deadline),
                extended_by=extended_by,
                calendar=DatabaseCalendar(),
            )
            fields.update(due_at=computed.due_at, missing_year=computed.missing_year)
        _cas_update(deadline, **fields)
        record(
            EventType.DEADLINE_EXTENDED,
            obj=deadline.object_ref,
            actor=actor,
            data={
                "deadline": deadline.pk,
                "extension": extension.pk,
                "length": extension.length,
                "extended_by": extended_by,
                "requested_by": extension.requested_by_id,
                "due_before": before,
                **_due_data(deadline.due_at, deadline.missing_year),
            },
        )
    return deadline


def deadline_extension_reject(
    *, actor: Any, extension: DeadlineExtension, note: str
) -> DeadlineExtension:
    _guard_approver(actor, extension, "deadline_extension_reject")
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("驳回时请写明理由。")})
    with transaction.atomic():
        _decide(extension, ExtensionStatus.REJECTED, actor, note)
        record(
            EventType.DEADLINE_EXTENSION_REJECTED,
            obj=extension.deadline.object_ref,
            actor=actor,
            data={"deadline": extension.deadline_id, "extension": extension.pk, "note": note[:300]},
        )
    return extension


def deadlines_recompute(
    *,
    actor: Any = None,
    reason: str,
    code: str | None = None,
    bureau: Unit | None = None,
    year: int | None = None,
    provisional_only: bool = False,
) -> int:
    """Recompute the running deadlines a rule or calendar change touches; returns how many changed.

    Each deadline takes the version in force on its start date (versions.py) and its stored pauses
    and approved extensions; a changed due time, note or version is written with one journal
    event. Running it twice changes nothing the second time."""
    if not transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            return deadlines_recompute(
                actor=actor,
                reason=reason,
                code=code,
                bureau=bureau,
                year=year,
                provisional_only=provisional_only,
            )
    # Stopped deadlines keep the due time they were measured against, except a provisional one:
    # whether the node was late is only known once the year's arrangement is in.
    qs = Deadline.objects.filter(
        Q(status=DeadlineStatus.OPEN) | Q(status=DeadlineStatus.STOPPED, missing_year__isnull=False)
    )
    if provisional_only:
        qs = qs.filter(missing_year__isnull=False)
    if code is not None:
        qs = qs.filter(code=code)
    if bureau is not None:
        qs = qs.filter(unit__path__startswith=bureau.path)
    if year is not None:
        # Only days from the last unmoved day onwards are ever looked up, and none after the due
        # date; a deadline due before the year began or started after it ended never sees it.
        first = counting.local_midnight(dt.date(year, 1, 1))
        after = counting.local_midnight(dt.date(year + 1, 1, 1))
        qs = qs.filter(
            Q(due_at__isnull=True) | Q(due_at__gt=first) | Q(missing_year=year),
            started_at__lt=after,
        )
    deadlines = list(qs.select_related("rule").prefetch_related("pauses").order_by("id"))
    if not deadlines:
        return 0
    bureau_ids = versions.bureau_ids_for_units({d.unit_id for d in deadlines})
    chains: dict[tuple[str, int | None], list[DeadlineRule]] = {}
    calendar = DatabaseCalendar()
    changed = 0
    for deadline in deadlines:
        key = (deadline.code, bureau_ids.get(deadline.unit_id))
        if key not in chains:
            chains[key] = list(versions.chain(*key))
        chosen = versions.pick(chains[key], versions.legal_date(deadline.started_at))
        rule = chosen if chosen is not None and chosen.is_active else deadline.rule
        computed = compute(
            rule=rule,
            started_at=deadline.started_at,
            pauses=deadline.intervals(),
            extended_by=deadline.extended_by,
            calendar=calendar,
        )
        if (rule.pk, computed.due_at, computed.missing_year) == (
            deadline.rule_id,
            deadline.due_at,
            deadline.missing_year,
        ):
            continue
        before = {
            "rule_id": deadline.rule_id,
            "due_at": deadline.due_at,
            "missing_year": deadline.missing_year,
        }
        try:
            _cas_update(
                deadline, rule=rule, due_at=computed.due_at, missing_year=computed.missing_year
            )
        except ValidationError:
            # A concurrent start/stop/extension won; it computed the due time itself.
            continue
        record(
            EventType.DEADLINE_RECOMPUTED,
            obj=deadline.object_ref,
            actor=actor,
            data={
                "deadline": deadline.pk,
                "reason": reason[:200],
                "rule_before": before["rule_id"],
                "rule_id": rule.pk,
                "rule_version": rule.version,
                "due_before": before["due_at"],
                "calendar_missing_before": before["missing_year"],
                **_due_data(computed.due_at, computed.missing_year),
            },
        )
        changed += 1
    return changed
