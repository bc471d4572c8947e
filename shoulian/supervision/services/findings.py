"""The finding lifecycle: rectification up the review chain to 销号, escalation, clearing.

``finding_transition`` is the one service that changes a finding's status: one row of
``supervision.workflow.LIFECYCLE`` (the lifecycle engine), checked, applied with a compare-and-set
update on ``version``, journalled with exactly one event, its side rows (rectification, review
steps, attachments, inbox messages) in the same transaction. A refused attempt changes nothing and
writes one denial event (U1)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.deadlines import counting
from shoulian.deadlines.choices import DurationUnit
from shoulian.deadlines.holidays import DatabaseCalendar
from shoulian.deadlines.versions import legal_date
from shoulian.intake.services import evidence_attach
from shoulian.supervision import hooks, recipients, registry, versions
from shoulian.supervision.choices import (
    ESCALATION_LABELS,
    UNIT_REVIEW_ROLES,
    FindingKind,
    FindingSource,
    FindingStatus,
    Level,
    MessageKind,
    ReviewRole,
    StepStatus,
    raised,
)
from shoulian.supervision.models import Finding, InboxMessage, Rectification, ReviewStep
from shoulian.supervision.services.inbox import push, sms_notice
from shoulian.supervision.workflow import (
    LIFECYCLE,
    Ctx,
    FindingAction,
    FindingConflict,
    FindingDenied,
    FindingError,
    Refusal,
    illegal_message,
)

A = FindingAction
TEXT_MAX = 4000
COMMENT_MAX = 500

__all__ = ["FindingConflict", "FindingDenied", "FindingError"]


def rectification_due(start: dt.datetime, days: int) -> dt.datetime | None:
    """The end of a rectification period of ``days`` calendar days, counted like every legal
    period by the deadline engine (start day not counted, last day moved off a rest day)."""
    if days <= 0:
        return None
    period = counting.Period(days, DurationUnit.DAYS)
    calendar = DatabaseCalendar()
    try:
        return counting.due_at(start, period, calendar)
    except counting.CalendarMissing:
        # Without next year's holiday arrangement: ends at 24:00 like any period, weekends the
        # only rest days (the deadline engine's provisional count).
        return counting.due_at(start, period, counting.ProvisionalCalendar(calendar))


@dataclass
class Plan:
    updates: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    after: Callable[[], None] | None = None


Handler = Callable[[Ctx, dt.datetime, recipients.Directory], Plan]


def _rule_days(finding: Finding) -> int:
    current = versions.in_force(finding.rule_code, finding.bureau_id, legal_date(timezone.now()))
    return (current or finding.rule).rectify_days or finding.rule.rectify_days or 7


def _chain(
    finding: Finding, directory: recipients.Directory, submitter: Any
) -> list[tuple[str, Any]]:
    """(role, unit) of each review level in force, skipping levels nobody but the submitter (or a
    辅警) holds — a 中心 has no 所队法制员, and a leader who rectifies cannot review it — so the
    chain can always be completed; never empty: the legal brigade signs off at least."""
    current = versions.in_force(finding.rule_code, finding.bureau_id, legal_date(timezone.now()))
    roles = list((current or finding.rule).review_chain) or [ReviewRole.LEGAL_BRIGADE]

    def signers(unit_id: int, role: str) -> list[Any]:
        return [u for u in _holders(role, unit_id, directory) if u.pk != submitter.pk]

    steps: list[tuple[str, Any]] = []
    for role in roles:
        if role in UNIT_REVIEW_ROLES:
            if signers(finding.unit_id, role):
                steps.append((role, finding.unit))
        else:
            unit = directory.review_unit(finding.bureau, role)
            if unit is not None and signers(unit.pk, role):
                steps.append((role, unit))
    if not steps:
        unit = directory.review_unit(finding.bureau, Role.LEGAL_BRIGADE)
        if unit is not None:
            steps.append((Role.LEGAL_BRIGADE, unit))
    return steps


def _holders(step_role: str, unit_id: int, directory: recipients.Directory) -> list[Any]:
    return [u for u in directory.holders(unit_id, step_role) if not u.is_auxiliary]


def _submit(ctx: Ctx, now: dt.datetime, directory: recipients.Directory) -> Plan:
    finding, actor = ctx.finding, ctx.actor
    text = str(ctx.payload["text"]).strip()[:TEXT_MAX]
    chain = _chain(finding, directory, actor)
    rounds = Rectification.objects.filter(finding=finding).count()
    alert = finding.alert
    files = list(ctx.payload.get("files") or [])
    state = (
        {
            "status": alert.status,
            "status_label": alert.get_status_display(),
            "handling_unit": alert.handling_unit.name if alert.handling_unit_id else None,
            "version": alert.version,
            # Whether the rule still finds the subject once the unit says it is corrected: what
            # the reviewers check first (some facts stay, a late step stays late).
            "rule_matches": still_matches(finding, now),
        }
        if alert is not None
        else {}
    )

    def after() -> None:
        rect = Rectification.objects.create(
            finding=finding,
            round=rounds + 1,
            text=text,
            alert_state=state,
            submitted_by=actor,
            submitted_at=now,
        )
        if files and alert is not None:
            rect.files.set(evidence_attach(actor=actor, alert=alert, files=files, now=now))
        ReviewStep.objects.bulk_create(
            ReviewStep(
                rectification=rect,
                position=i,
                role=role,
                unit=unit,
                status=StepStatus.PENDING if i == 1 else StepStatus.WAITING,
            )
            for i, (role, unit) in enumerate(chain, start=1)
        )
        if chain:
            role, unit = chain[0]
            _tell(_holders(role, unit.pk, directory), finding, MessageKind.REVIEW, now)

    return Plan(
        data={
            "round": rounds + 1,
            "chain": [role for role, _ in chain],
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "alert_status": state.get("status"),
            "rule_matches": state.get("rule_matches"),
            "files": [f.inspection.sha256 for f in files],
        },
        after=after,
    )


def still_matches(finding: Finding, now: dt.datetime) -> bool | None:
    """The finding's rule evaluated for its alert alone, as of ``now``: does it still find the
    finding's subject? None for rules that are not about an alert's own state."""
    defn = registry.REGISTRY.get(finding.rule_code)
    if (
        defn is None
        or defn.escalates
        or finding.alert_id is None
        or finding.source == FindingSource.MANUAL
    ):
        return None
    rule = versions.in_force(finding.rule_code, finding.bureau_id, legal_date(now)) or finding.rule
    ctx = registry.PatrolContext(
        bureau=finding.bureau,
        now=now,
        params={**{p.name: p.default for p in defn.params}, **(rule.params or {})},
        alert_ids=frozenset({finding.alert_id}),
    )
    key = (finding.subject_type, finding.subject_id)
    return any(hit.key == key for hit in defn.predicate(ctx))


def _decide(ctx: Ctx, now: dt.datetime, status: str) -> None:
    step = ctx.pending_step
    comment = str(ctx.payload.get("comment", "")).strip()[:COMMENT_MAX]
    ReviewStep.objects.filter(pk=step.pk).update(
        status=status, decided_by=ctx.actor, decided_at=now, comment=comment
    )


def _approve(ctx: Ctx, now: dt.datetime, directory: recipients.Directory) -> Plan:
    step = ctx.pending_step
    nxt = next(
        s for s in ctx.steps if s.position > step.position and s.status == StepStatus.WAITING
    )

    def after() -> None:
        _decide(ctx, now, StepStatus.APPROVED)
        ReviewStep.objects.filter(pk=nxt.pk).update(status=StepStatus.PENDING)
        _tell(_holders(nxt.role, nxt.unit_id, directory), ctx.finding, MessageKind.REVIEW, now)

    return Plan(data={"position": step.position, "role": step.role, "next": nxt.role}, after=after)


def _sign_off(ctx: Ctx, now: dt.datetime, directory: recipients.Directory) -> Plan:
    step, finding = ctx.pending_step, ctx.finding

    def after() -> None:
        _decide(ctx, now, StepStatus.APPROVED)
        Rectification.objects.filter(pk=step.rectification_id).update(outcome=StepStatus.APPROVED)
        users = {u.pk: u for u in directory.holders(finding.unit_id, Role.LEADER)}
        submitter = step.rectification.submitted_by
        users[submitter.pk] = submitter
        if finding.officer_id:
            users[finding.officer_id] = finding.officer
        _tell(list(users.values()), finding, MessageKind.CLOSED, now)

    return Plan(
        updates={"closed_at": now, "close_reason": "整改经逐级审核，销号"},
        data={"position": step.position, "role": step.role},
        after=after,
    )


def _return(ctx: Ctx, now: dt.datetime, directory: recipients.Directory) -> Plan:
    step, finding = ctx.pending_step, ctx.finding
    due = rectification_due(now, _rule_days(finding))

    def after() -> None:
        _decide(ctx, now, StepStatus.RETURNED)
        ReviewStep.objects.filter(
            rectification_id=step.rectification_id, status=StepStatus.WAITING
        ).update(status=StepStatus.CANCELLED)
        Rectification.objects.filter(pk=step.rectification_id).update(outcome=StepStatus.RETURNED)
        users = {step.rectification.submitted_by_id: step.rectification.submitted_by}
        if finding.officer_id:
            users[finding.officer_id] = finding.officer
        _tell(list(users.values()), finding, MessageKind.RETURNED, now)

    return Plan(
        updates={"due_at": due},
        data={"position": step.position, "role": step.role, "due_at": _iso(due)},
        after=after,
    )


def _escalate(ctx: Ctx, now: dt.datetime, directory: recipients.Directory) -> Plan:
    finding = ctx.finding
    level = finding.escalation + 1
    colour = raised(finding.level)
    due = rectification_due(now, int(ctx.payload.get("days") or _rule_days(finding)))

    def after() -> None:
        finding.escalation, finding.level = level, colour
        users = recipients.for_escalation(finding, level, directory)
        _tell(users, finding, MessageKind.ESCALATED, now)

    return Plan(
        updates={"escalation": level, "level": colour, "due_at": due},
        data={
            "escalation": level,
            "to": ESCALATION_LABELS.get(level, ""),
            "level": [finding.level, colour],
            "due_at": _iso(due),
        },
        after=after,
    )


def _clear(ctx: Ctx, now: dt.datetime, directory: recipients.Directory) -> Plan:
    finding = ctx.finding
    reason = str(ctx.payload["reason"]).strip()[:300]

    def after() -> None:
        if ctx.pending_step is not None:
            ReviewStep.objects.filter(
                rectification_id=ctx.pending_step.rectification_id,
                status__in=(StepStatus.PENDING, StepStatus.WAITING),
            ).update(status=StepStatus.CANCELLED)
        # The unit is told a finding went away; a warning that ran its course is not news.
        if not finding.is_warning and finding.officer_id:
            _tell([finding.officer], finding, MessageKind.CLEARED, now)

    return Plan(
        # Never before it opened: an evaluation dated in the past (a replay, the demo's back-dated
        # patrols) may meet a finding a later evaluation opened.
        updates={"closed_at": max(now, finding.opened_at), "close_reason": reason},
        data={"reason": reason},
        after=after,
    )


def _reopen(ctx: Ctx, now: dt.datetime, directory: recipients.Directory) -> Plan:
    finding = ctx.finding
    level = ctx.payload.get("level") or finding.base_level
    due = None if finding.is_warning else rectification_due(now, _rule_days(finding))

    def after() -> None:
        finding.level = level
        _tell_new(finding, list(finding.rule.recipients), directory, now)

    return Plan(
        updates={
            "closed_at": None,
            "close_reason": "",
            "last_seen_at": now,
            "level": level,
            "due_at": due,
        },
        data={"level": level, "due_at": _iso(due)},
        after=after,
    )


def _raise(ctx: Ctx, now: dt.datetime, directory: recipients.Directory) -> Plan:
    finding = ctx.finding
    level = ctx.payload["level"]

    def after() -> None:
        finding.level = level
        _tell_new(finding, list(finding.rule.recipients), directory, now)

    return Plan(
        updates={"level": level, "last_seen_at": now},
        data={"level": [finding.level, level], "evidence": ctx.payload.get("evidence", {})},
        after=after,
    )


HANDLERS: dict[str, Handler] = {
    A.SUBMIT: _submit,
    A.APPROVE: _approve,
    A.SIGN_OFF: _sign_off,
    A.RETURN: _return,
    A.ESCALATE: _escalate,
    A.CLEAR: _clear,
    A.REOPEN: _reopen,
    A.RAISE: _raise,
}


def _iso(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else None


def _tell(users: list[Any], finding: Finding, kind: str, now: dt.datetime) -> None:
    push(users=[(u, kind) for u in users], finding=finding, title=finding.summary, now=now)


def _tell_new(
    finding: Finding, names: list[str], directory: recipients.Directory, now: dt.datetime
) -> list[InboxMessage]:
    users = recipients.for_finding(finding, names, directory)
    if finding.kind == FindingKind.FINDING:
        # The SMS notice (to those who turned it on): whoever must act, and for a red finding
        # the unit's leaders too.
        told = [user for user, kind in users if kind == MessageKind.FINDING]
        if finding.level == Level.RED:
            told += directory.holders(finding.unit_id, Role.LEADER)
        sms_notice(finding=finding, users=told, now=now)
    return push(users=users, finding=finding, title=finding.summary, now=now)


# --- the one service -----------------------------------------------------------------------------
def finding_transition(
    *,
    actor: Any,
    finding: Finding,
    action: str,
    expected_version: int,
    now: dt.datetime | None = None,
    directory: recipients.Directory | None = None,
    **payload: Any,
) -> Finding:
    """Apply ``action`` to ``finding`` as ``actor`` (None: the patrol), if the table allows it and
    nobody changed the finding since ``expected_version`` was read. Runs in the caller's
    transaction (the patrol's, or a savepoint of the page's request)."""
    with LIFECYCLE.refusals(actor=actor, obj=("finding", finding.pk), action=str(action)[:40]):
        with transaction.atomic():
            return _apply(
                actor,
                finding.pk,
                action,
                expected_version,
                payload,
                now or timezone.now(),
                directory or recipients.Directory(),
            )
    raise AssertionError("unreachable: refusals() re-raises")  # pragma: no cover


def _load(actor: Any, pk: int) -> Finding:
    qs = Finding.objects.select_related("unit", "bureau", "officer", "rule", "alert")
    if actor is not None:
        qs = qs.visible_to(actor)
    finding = qs.filter(pk=pk).first()
    if finding is None:
        # Z3: a finding outside the actor's scope is refused exactly like a missing one.
        raise Refusal("not_found", "巡查发现不存在。", permission=True)
    return finding


def context_for(actor: Any, finding: Finding, payload: dict[str, Any] | None = None) -> Ctx:
    """The guards' view of ``finding``: with the current round's review steps while it is under
    review (the page builds its forms from the same context)."""
    ctx = Ctx(actor=actor, finding=finding, payload=payload or {})
    if finding.status == FindingStatus.REVIEWING:
        rect = (
            Rectification.objects.filter(finding=finding)
            .select_related("submitted_by")
            .order_by("-round")
            .first()
        )
        if rect is not None:
            ctx.steps = list(rect.steps.order_by("position"))
            for step in ctx.steps:
                step.rectification = rect
            ctx.pending_step = next((s for s in ctx.steps if s.status == StepStatus.PENDING), None)
    return ctx


def _apply(
    actor: Any,
    pk: int,
    action: str,
    expected_version: int,
    payload: dict[str, Any],
    now: dt.datetime,
    directory: recipients.Directory,
) -> Finding:
    if actor is not None and not (getattr(actor, "is_authenticated", False) and actor.is_active):
        raise Refusal("anonymous", "请先登录。", permission=True)
    finding = _load(actor, pk)
    if finding.version != expected_version:
        # The page was read before somebody else acted: say so rather than what is now illegal.
        raise Refusal("conflict", LIFECYCLE.conflict_message)
    ctx = context_for(actor, finding, payload)
    ctx.action, ctx.now = str(action), now
    row = LIFECYCLE.checked_row(
        ctx, finding.status, str(action), illegal_message(finding.get_status_display(), action)
    )
    plan = HANDLERS[action](ctx, now, directory)
    source = finding.status
    LIFECYCLE.apply(
        finding,
        row,
        expected_version=expected_version,
        actor=actor,
        updates=plan.updates,
        then=plan.after,
        data={
            "rule": finding.rule_code,
            "action": str(action),
            "changed": {"status": [source, row.target]} if source != row.target else {},
            "version": expected_version + 1,
            "alert": finding.alert.number if finding.alert is not None else None,
            **plan.data,
        },
    )
    hooks.dispatch([finding.pk])
    return finding


# --- conveniences over finding_transition ----------------------------------------------------------
def rectification_submit(
    *,
    actor: Any,
    finding: Finding,
    text: str,
    expected_version: int,
    files: list[Any] | None = None,
    now: dt.datetime | None = None,
) -> Finding:
    """The unit's answer: what was fixed (text), proof of it (``files``: intake ``FileInput``s,
    already checked by content) and, snapshotted, the alert's state with whether the rule still
    finds it."""
    return finding_transition(
        actor=actor,
        finding=finding,
        action=A.SUBMIT,
        expected_version=expected_version,
        now=now,
        text=text,
        files=files or [],
    )


def rectification_approve(
    *,
    actor: Any,
    finding: Finding,
    expected_version: int,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Finding:
    """Approve the pending review level; the last level signs the finding off (销号)."""
    rect = Rectification.objects.filter(finding=finding).order_by("-round").first()
    undecided = (
        rect.steps.filter(status__in=(StepStatus.PENDING, StepStatus.WAITING)).count()
        if rect is not None
        else 0
    )
    action = A.SIGN_OFF if undecided == 1 else A.APPROVE
    return finding_transition(
        actor=actor,
        finding=finding,
        action=action,
        expected_version=expected_version,
        now=now,
        comment=comment,
    )


def rectification_return(
    *,
    actor: Any,
    finding: Finding,
    expected_version: int,
    comment: str,
    now: dt.datetime | None = None,
) -> Finding:
    return finding_transition(
        actor=actor,
        finding=finding,
        action=A.RETURN,
        expected_version=expected_version,
        now=now,
        comment=comment,
    )
