"""The lifecycle of a finding (rectification to 销号, escalation, clearing) as one declared table
on the lifecycle engine (``shoulian.core.lifecycle``), like alerts, complaints and follow-ups.

Each row: from which status an action is allowed, where it leads, who may take it (``who``: the
responsible unit, the holder of the pending review level, or the patrol), its guards and the
journal event it writes. ``services.findings.finding_transition`` is the only code that applies a
row: ``LIFECYCLE.checked_row`` (who before what: an actor without the right learns nothing of the
state), then ``LIFECYCLE.apply`` (compare-and-set on ``version``, side rows, exactly one journal
event); a refusal changes nothing and is journalled once (``SUPERVISION_REFUSED``).

The review chain itself (所队法制员 → 所队领导 → 受立案管理中心 → 法制大队) is data: the rule
version's ``review_chain``, laid out as review steps when the answer is submitted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit import journal
from shoulian.audit.catalogue import EventType
from shoulian.core.lifecycle import (
    Conflict,
    Denied,
    Errors,
    GuardRegistry,
    Lifecycle,
    Refusal,
    Refused,
    Row,
)
from shoulian.supervision.choices import FindingKind, ReviewRole, StepStatus
from shoulian.supervision.choices import FindingStatus as S


class FindingAction(StrEnum):
    SUBMIT = "submit"  # the responsible unit answers what was fixed
    APPROVE = "approve"  # a review level approves; the next level reviews
    SIGN_OFF = "sign_off"  # the last level approves: 销号
    RETURN = "return"  # a review level returns it with comments
    ESCALATE = "escalate"  # not rectified in time: one level up, colour raised (system)
    CLEAR = "clear"  # the rule no longer matches: closed with the reason (system)
    REOPEN = "reopen"  # a cleared finding matches again (system)
    RAISE = "raise"  # a warning's colour goes up (system)


ACTION_LABELS = {
    FindingAction.SUBMIT: "提交整改",
    FindingAction.APPROVE: "审核通过",
    FindingAction.SIGN_OFF: "审核通过并销号",
    FindingAction.RETURN: "退回整改",
    FindingAction.ESCALATE: "逾期升级",
    FindingAction.CLEAR: "消除",
    FindingAction.REOPEN: "再次命中",
    FindingAction.RAISE: "预警升级",
}


class Who(StrEnum):
    RESPONSIBLE = "responsible"  # the officer, or staff of the responsible unit
    STEP_HOLDER = "step_holder"  # holds the pending review step's role in its unit
    SYSTEM = "system"  # the patrol (no signed-in actor)


# Roles that answer for their unit's finding besides the named officer.
RESPONSIBLE_ROLES = frozenset(
    {Role.OFFICER, Role.LEADER, Role.LEGAL_OFFICER, Role.CLERK, Role.CENTER_HEAD}
)
REVIEW_ROLES = frozenset(ReviewRole.values)


@dataclass(frozen=True)
class FindingRow(Row):
    who: Who = Who.SYSTEM


@dataclass
class Ctx:
    """What a guard sees: the actor (None: the patrol), the finding as read in this transaction,
    the form, and the current rectification's review steps with the pending one."""

    actor: Any
    finding: Any
    payload: dict[str, Any] = field(default_factory=dict)
    pending_step: Any = None
    steps: list[Any] = field(default_factory=list)
    action: str = ""
    now: dt.datetime = field(default_factory=timezone.now)


class FindingError(Refused):
    """Not possible now (status, missing text or comment, nothing pending): a 400."""


class FindingConflict(FindingError, Conflict):
    """Somebody else changed the finding since the page was opened (R6)."""


class FindingDenied(Denied):
    """The actor may not do this (not the unit, not the pending level, own answer): a 403."""


WHO_MESSAGES = {
    Who.RESPONSIBLE: "只有责任民警或责任单位可以提交整改。",
    Who.STEP_HOLDER: "您不是当前审核层级的审核人。",
    Who.SYSTEM: "该操作由巡查系统执行。",
}


def _signed_in(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and bool(actor.is_active)


def _responsible(ctx: Ctx) -> bool:
    actor, finding = ctx.actor, ctx.finding
    if finding.officer_id == actor.pk:
        return True
    return actor.unit_id == finding.unit_id and bool(actor.role_set & RESPONSIBLE_ROLES)


def _step_holder(ctx: Ctx) -> bool:
    step = ctx.pending_step
    return (
        step is not None
        and ctx.actor.unit_id == step.unit_id
        and ctx.actor.has_role(step.role)
        # A 辅警 never signs off a legal matter (警务辅助人员管理条例).
        and not ctx.actor.is_auxiliary
    )


def authorize(ctx: Ctx, row: FindingRow) -> None:
    """The patrol's rows only for the patrol (no actor); the others for a signed-in member of
    staff who is the responsible unit, or who holds the pending review level."""
    if row.who == Who.SYSTEM or ctx.actor is None:
        if not (row.who == Who.SYSTEM and ctx.actor is None):
            raise Refusal(str(Who.SYSTEM), WHO_MESSAGES[Who.SYSTEM], permission=True)
        return
    if not _signed_in(ctx.actor):
        raise Refusal("anonymous", "请先登录。", permission=True)
    check = _responsible if row.who == Who.RESPONSIBLE else _step_holder
    if not check(ctx):
        raise Refusal(str(row.who), WHO_MESSAGES[row.who], permission=True)


guards: GuardRegistry[Ctx] = GuardRegistry()


@guards("is_finding")
def _is_finding(ctx: Ctx) -> None:
    if ctx.finding.kind != FindingKind.FINDING:
        raise Refusal("warning", "预警无需整改，节点办结后自动消除。")


@guards("text", form_only=True)
def _text(ctx: Ctx) -> None:
    if not str(ctx.payload.get("text", "")).strip():
        raise Refusal("text", "请写明整改情况。")


@guards("files", form_only=True)
def _files(ctx: Ctx) -> None:
    if ctx.payload.get("files") and ctx.finding.alert_id is None:
        raise Refusal("files", "该巡查发现没有关联警情，整改材料无处归档，请在整改情况中说明。")


@guards("comment", form_only=True)
def _comment(ctx: Ctx) -> None:
    if not str(ctx.payload.get("comment", "")).strip():
        raise Refusal("comment", "退回须写明审核意见。")


@guards("reason", form_only=True)
def _reason(ctx: Ctx) -> None:
    if not str(ctx.payload.get("reason", "")).strip():
        raise Refusal("reason", "消除须写明原因。")


@guards("not_submitter")
def _not_submitter(ctx: Ctx) -> None:
    step = ctx.pending_step
    if step is None or step.rectification.submitted_by_id == ctx.actor.pk:
        raise Refusal("own_submission", "不能审核自己提交的整改。", permission=True)


@guards("one_level_each")
def _one_level_each(ctx: Ctx) -> None:
    """逐级审核: one person signs one level of a rectification, even holding two levels' roles."""
    step = ctx.pending_step
    if step is None or any(s.decided_by_id == ctx.actor.pk for s in ctx.steps if s.pk != step.pk):
        raise Refusal(
            "already_reviewed",
            "您已审核过本次整改的上一层级，须由其他审核人审核本层级。",
            permission=True,
        )


def is_last(ctx: Ctx) -> bool:
    undecided = [s for s in ctx.steps if s.status in (StepStatus.PENDING, StepStatus.WAITING)]
    return len(undecided) == 1


@guards("last_step")
def _last_step(ctx: Ctx) -> None:
    if not is_last(ctx):
        raise Refusal("not_last", "还有后续审核层级。")


@guards("not_last_step")
def _not_last_step(ctx: Ctx) -> None:
    if is_last(ctx):
        raise Refusal("last", "这是最后一级审核，请审核销号。")


E = EventType
A = FindingAction
ACTIVE = (S.OPEN, S.REVIEWING, S.RETURNED)
NOBODY: frozenset[str] = frozenset()
REVIEW = ("not_submitter", "one_level_each")


def _row(source: str, action: str, target: str, who: Who, event: EventType, *g: str) -> FindingRow:
    roles = {Who.RESPONSIBLE: RESPONSIBLE_ROLES, Who.STEP_HOLDER: REVIEW_ROLES}.get(who, NOBODY)
    return FindingRow(source, action, target, roles, event, g, who=who)


ROWS: tuple[FindingRow, ...] = (
    _row(S.OPEN, A.SUBMIT, S.REVIEWING, Who.RESPONSIBLE, E.RECTIFICATION_SUBMITTED, "is_finding", "text", "files"),
    _row(S.RETURNED, A.SUBMIT, S.REVIEWING, Who.RESPONSIBLE, E.RECTIFICATION_SUBMITTED, "is_finding", "text", "files"),
    _row(S.REVIEWING, A.APPROVE, S.REVIEWING, Who.STEP_HOLDER, E.RECTIFICATION_APPROVED, *REVIEW, "not_last_step"),
    _row(S.REVIEWING, A.SIGN_OFF, S.CLOSED, Who.STEP_HOLDER, E.FINDING_CLOSED, *REVIEW, "last_step"),
    _row(S.REVIEWING, A.RETURN, S.RETURNED, Who.STEP_HOLDER, E.RECTIFICATION_RETURNED, *REVIEW, "comment"),
    _row(S.OPEN, A.ESCALATE, S.OPEN, Who.SYSTEM, E.FINDING_ESCALATED, "is_finding"),
    _row(S.RETURNED, A.ESCALATE, S.RETURNED, Who.SYSTEM, E.FINDING_ESCALATED, "is_finding"),
    *(_row(s, A.CLEAR, S.CLEARED, Who.SYSTEM, E.FINDING_CLEARED, "reason") for s in ACTIVE),
    _row(S.CLEARED, A.REOPEN, S.OPEN, Who.SYSTEM, E.FINDING_REOPENED),
    _row(S.OPEN, A.RAISE, S.OPEN, Who.SYSTEM, E.FINDING_RAISED),
)  # fmt: skip

CONFLICT_MESSAGE = "该巡查发现已被他人处理，请刷新页面后重试。"

LIFECYCLE: Lifecycle[Ctx, FindingRow] = Lifecycle(
    name="finding",
    rows=ROWS,
    guards=guards,
    journal=journal,
    refused_event=EventType.SUPERVISION_REFUSED,
    authorize=authorize,
    errors=Errors(denied=FindingDenied, conflict=FindingConflict, refused=FindingError),
    conflict_message=CONFLICT_MESSAGE,
)


def illegal_message(status_label: str, action: str) -> str:
    label = ACTION_LABELS.get(FindingAction(action), action) if action in set(A) else action
    return f"巡查发现当前为“{status_label}”，不能{label}。"


def available(ctx: Ctx) -> list[FindingRow]:
    """The rows the actor could take now (the page's forms): every check but the form's."""
    return LIFECYCLE.available(ctx, ctx.finding.status)
