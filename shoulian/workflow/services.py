"""Writes of the workflow. Every change of an alert's lifecycle goes through ``alert_transition``:
one row of the transition table, checked, applied with a compare-and-set update, journalled with
exactly one event, all in one transaction with its side rows (routing, decision, document …) and
its clock changes. A refused attempt changes nothing and writes one denial event (Z5, U1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.accounts.models import User
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import deny, record
from shoulian.audit.models import AuditEvent
from shoulian.core import lifecycle
from shoulian.core.lifecycle import Refusal
from shoulian.intake.models import Alert
from shoulian.org.models import Unit
from shoulian.org.selectors import bureau_of
from shoulian.workflow import clock, hooks
from shoulian.workflow.choices import DECISION_ACTION, Action, ApprovalStatus
from shoulian.workflow.handlers import CONFLICT_MESSAGE, HANDLERS
from shoulian.workflow.models import AlertFlow, BureauSetting, Decision, Document, FlowStep
from shoulian.workflow.workflow import LIFECYCLE, Ctx

A = Action


class TransitionError(lifecycle.Refused):
    """The transition is not possible now (status, missing reason, nothing pending)."""


class TransitionConflict(TransitionError, lifecycle.Conflict):
    """Somebody else changed the alert since the page was opened (R6)."""


class TransitionDenied(lifecycle.Denied):
    """The actor may not do this (role, unit, own proposal, 辅警)."""


# The alert lifecycle's refusals raise the workflow's own exception types.
LIFECYCLE.errors = lifecycle.Errors(
    denied=TransitionDenied, conflict=TransitionConflict, refused=TransitionError
)


@dataclass(frozen=True)
class Applied:
    alert: Alert
    step: FlowStep
    event: AuditEvent
    result: Any = None


# --- the one service ---------------------------------------------------------------------------
def alert_transition(
    *,
    actor: User | AnonymousUser | None,
    alert: Alert,
    action: str,
    expected_version: int,
    now: datetime | None = None,
    **payload: Any,
) -> Applied:
    """Apply ``action`` to ``alert`` as ``actor``, if the table allows it and nobody changed the
    alert since ``expected_version`` was read.

    ``now`` is the moment of the transition; only the demo seeder passes a past one (to lay out
    months of history in order), every page and job acts at the current time."""
    # Not durable: the follow-up service records its 回访 through this one. A refusal is journalled
    # so that it survives the rollback of such an outer service too (audit.journal.deny).
    try:
        with transaction.atomic():
            return _apply(actor, alert.pk, action, expected_version, payload, now or timezone.now())
    except Refusal as refusal:
        LIFECYCLE.refuse(refusal, actor=actor, obj=("alert", alert.pk), action=action)


def _load(actor: User, pk: int) -> Alert:
    alert = (
        Alert.objects.visible_to(actor)
        .select_related("category", "registering_unit", "handling_unit")
        .filter(pk=pk)
        .first()
    )
    if alert is None:
        # Z3: another unit's alert is refused exactly like a missing one.
        raise Refusal("not_found", "警情不存在。", permission=True)
    return alert


def _apply(
    actor: User | AnonymousUser | None,
    pk: int,
    action: str,
    expected_version: int,
    payload: dict[str, Any],
    now: datetime,
) -> Applied:
    if not isinstance(actor, User) or not actor.is_authenticated or not actor.is_active:
        raise Refusal("anonymous", "请先登录。", permission=True)
    alert = _load(actor, pk)
    if alert.version != expected_version:
        raise Refusal("conflict", CONFLICT_MESSAGE)
    label = Action(action).label if action in Action.values else action
    row = LIFECYCLE.row_or_refuse(
        alert.status, action, f"警情当前状态为“{alert.get_status_display()}”，不能{label}。"
    )
    ctx = Ctx(actor=actor, alert=alert, payload=dict(payload), now=now, action=action)
    LIFECYCLE.check(ctx, row)
    plan = HANDLERS[action](ctx)

    now = ctx.now
    source, version = alert.status, alert.version
    from_unit = alert.handling_unit
    moved = False

    def side_rows() -> Any:
        nonlocal moved
        counted = AlertFlow.objects.filter(alert=alert).update(
            last_step_at=now, **{k: F(k) + v for k, v in plan.counters.items()}, **plan.flow
        )
        if not counted:
            # The first step of the alert's flow (the alert's row lock serialises this insert).
            AlertFlow.objects.create(alert=alert, last_step_at=now, **plan.counters, **plan.flow)
        held = clock.CENTER_HELD
        moved = (
            not counted
            or (from_unit.pk if from_unit else None) != alert.handling_unit_id
            or (source in held) != (row.target in held)
        )
        return plan.after() if plan.after is not None else None

    def event_data(_result: Any) -> dict[str, Any]:
        changed: dict[str, Any] = {}
        if source != row.target:
            changed["status"] = [source, row.target]
        to_unit = alert.handling_unit
        if (from_unit.pk if from_unit else None) != (to_unit.pk if to_unit else None):
            changed["unit"] = [
                from_unit.code if from_unit else None,
                to_unit.code if to_unit else None,
            ]
        if plan.reason:
            changed["reason"] = True
        return {
            "number": alert.number,
            "action": action,
            "version": alert.version,
            "changed": changed,
            **({"reason": plan.reason} if plan.reason else {}),
            **plan.data,
        }

    accepted = LIFECYCLE.apply(
        alert,
        row,
        expected_version=version,
        actor=actor,
        updates={"updated_at": now, **plan.updates},
        then=side_rows,
        data=event_data,
    )
    event, result = accepted.event, accepted.result
    to_unit = alert.handling_unit
    step = FlowStep.objects.create(
        alert=alert,
        action=action,
        from_status=source,
        to_status=row.target,
        from_unit=from_unit,
        to_unit=to_unit,
        actor=actor,
        actor_unit=actor.unit,
        at=now,
        reason=plan.reason[:500],
        version=alert.version,
        event_id=event.pk,
    )
    clock.after_transition(
        ctx, action=action, decision=plan.decision, at=plan.event_at or now, moved=moved
    )
    # What the step means for the other apps (the milestone SMS, the follow-up task …), in the
    # step's transaction: the registered subscribers, in their order (hooks.py).
    hooks.dispatch(
        hooks.TransitionRecord(
            alert=alert,
            action=action,
            source=source,
            target=row.target,
            unit=to_unit,
            from_unit=from_unit,
            decision=plan.decision,
            step=step,
            at=now,
            actor=actor,
            data=MappingProxyType(dict(plan.data)),
        )
    )
    return Applied(alert=alert, step=step, event=event, result=result)


# --- conveniences over alert_transition ----------------------------------------------------------
def decision_approve(
    *,
    actor: User | AnonymousUser,
    decision: Decision,
    expected_version: int,
    note: str = "",
    now: datetime | None = None,
) -> Applied:
    """Approve the decision's pending step: the last step makes the decision."""
    steps = list(decision.approvals.order_by("position").values_list("position", "status"))
    pending = next((p for p, s in steps if s == ApprovalStatus.PENDING), None)
    last = steps[-1][0] if steps else None
    action = (
        DECISION_ACTION[decision.kind] if pending is not None and pending == last else A.APPROVE
    )
    return alert_transition(
        actor=actor,
        alert=decision.alert,
        action=action,
        expected_version=expected_version,
        note=note,
        now=now,
    )


def decision_reject(
    *,
    actor: User | AnonymousUser,
    decision: Decision,
    expected_version: int,
    reason: str,
    now: datetime | None = None,
) -> Applied:
    return alert_transition(
        actor=actor,
        alert=decision.alert,
        action=A.REJECT,
        expected_version=expected_version,
        reason=reason,
        now=now,
    )


def document_prefix_set(
    *, actor: User | AnonymousUser | None, bureau: Unit, prefix: str
) -> BureauSetting:
    """The 文号 prefix of a bureau (沙公). Configuration: the administrator sets it."""
    prefix = prefix.strip()
    if (
        not isinstance(actor, User)
        or not actor.has_role(Role.ADMIN)
        or actor.unit is None
        or bureau_of(actor.unit).pk != bureau.pk
    ):
        deny(
            actor,
            action="document_prefix",
            code="role",
            event_type=EventType.WORKFLOW_REFUSED,
            message="只有本局系统管理员可以设置文书字号。",
        )
    if not 1 <= len(prefix) <= 12 or any(ch in prefix for ch in "（）()〔〕[]"):
        raise ValidationError({"prefix": "前缀为 1–12 个字，不含括号（如“沙公”）。"})
    try:
        with transaction.atomic():
            setting, _created = BureauSetting.objects.update_or_create(
                bureau=bureau, defaults={"document_prefix": prefix}
            )
            record(EventType.DOCUMENT_PREFIX_SET, obj=bureau, actor=actor, data={"prefix": prefix})
    except IntegrityError as exc:  # pragma: no cover - one row per bureau, written above
        raise ValidationError("保存失败，请重试。") from exc
    return setting


__all__ = [
    "Applied",
    "TransitionConflict",
    "TransitionDenied",
    "TransitionError",
    "alert_transition",
    "decision_approve",
    "decision_reject",
    "document_prefix_set",
]


def document_render(*, actor: User | AnonymousUser, document: Document, fmt: str) -> bytes:
    """A document as PDF or DOCX for an authorised reader; every download is journalled (F4)."""
    import hashlib

    from shoulian.audit.journal import record_read
    from shoulian.workflow.documents import render_docx, render_pdf

    if not type(document).objects.visible_to(actor).filter(pk=document.pk).exists():
        deny(
            actor,
            action="document_download",
            code="not_found",
            obj=("alert", document.alert_id),
            event_type=EventType.WORKFLOW_REFUSED,
            message="无权查看该文书。",
        )
    data = render_pdf.render(document) if fmt == "pdf" else render_docx.render(document)
    with transaction.atomic():
        record_read(
            EventType.DOCUMENT_PRINTED,
            obj=("alert", document.alert_id),
            actor=actor,
            document=document.number,
            format=fmt,
            sha256=hashlib.sha256(data).hexdigest(),
        )
    return data
