"""The lifecycle of a finding as one declared table (rectification to 销号, escalation, clearing).

Each row: from which status an action is allowed, where it leads, who may take it and which
guards must hold, and the journal event it writes. ``services.findings.finding_transition`` is the
only code that applies a row: it checks it, changes the finding with a compare-and-set update on
``version`` and writes exactly one journal event; a refusal changes nothing and is journalled.

The table is shaped like the lifecycle engine's rows (``core/lifecycle.py`` when it lands) so
the finding can move onto it without changing the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.supervision.choices import FindingKind, StepStatus
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


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    who: Who
    event: EventType
    guards: tuple[str, ...] = ()


class Refusal(Exception):  # noqa: N818 - reads as what happened, like workflow.Refusal
    def __init__(self, code: str, message: str, *, permission: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.permission = permission


@dataclass
class Ctx:
    actor: Any
    finding: Any
    payload: dict[str, Any]
    pending_step: Any = None
    steps: list[Any] = field(default_factory=list)


E = EventType
A = FindingAction
ACTIVE = (S.OPEN, S.REVIEWING, S.RETURNED)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.OPEN, A.SUBMIT, S.REVIEWING, Who.RESPONSIBLE, E.RECTIFICATION_SUBMITTED, ("is_finding", "text")),
    Transition(S.RETURNED, A.SUBMIT, S.REVIEWING, Who.RESPONSIBLE, E.RECTIFICATION_SUBMITTED, ("is_finding", "text")),
    Transition(S.REVIEWING, A.APPROVE, S.REVIEWING, Who.STEP_HOLDER, E.RECTIFICATION_APPROVED, ("not_submitter", "one_level_each", "not_last_step")),
    Transition(S.REVIEWING, A.SIGN_OFF, S.CLOSED, Who.STEP_HOLDER, E.FINDING_CLOSED, ("not_submitter", "one_level_each", "last_step")),
    Transition(S.REVIEWING, A.RETURN, S.RETURNED, Who.STEP_HOLDER, E.RECTIFICATION_RETURNED, ("not_submitter", "one_level_each", "comment")),
    Transition(S.OPEN, A.ESCALATE, S.OPEN, Who.SYSTEM, E.FINDING_ESCALATED, ("is_finding",)),
    Transition(S.RETURNED, A.ESCALATE, S.RETURNED, Who.SYSTEM, E.FINDING_ESCALATED, ("is_finding",)),
    *(Transition(s, A.CLEAR, S.CLEARED, Who.SYSTEM, E.FINDING_CLEARED, ("reason",)) for s in ACTIVE),
    Transition(S.CLEARED, A.REOPEN, S.OPEN, Who.SYSTEM, E.FINDING_REOPENED),
    Transition(S.OPEN, A.RAISE, S.OPEN, Who.SYSTEM, E.FINDING_RAISED),
)  # fmt: skip

_BY_KEY = {(t.source, t.action): t for t in TRANSITIONS}


def transition_for(status: str, action: str) -> Transition | None:
    return _BY_KEY.get((status, action))


# Roles that answer for their unit's finding besides the named officer.
RESPONSIBLE_ROLES = frozenset(
    {Role.OFFICER, Role.LEADER, Role.LEGAL_OFFICER, Role.CLERK, Role.CENTER_HEAD}
)


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


def _not_reviewed_yet(ctx: Ctx) -> bool:
    """逐级审核: one person signs one level of a rectification, even holding two levels' roles."""
    step = ctx.pending_step
    return step is not None and not any(
        s.decided_by_id == ctx.actor.pk for s in ctx.steps if s.pk != step.pk
    )


WHO_CHECKS: dict[Who, Callable[[Ctx], bool]] = {
    Who.RESPONSIBLE: _responsible,
    Who.STEP_HOLDER: _step_holder,
    Who.SYSTEM: lambda ctx: ctx.actor is None,
}

WHO_MESSAGES = {
    Who.RESPONSIBLE: "只有责任民警或责任单位可以提交整改。",
    Who.STEP_HOLDER: "您不是当前审核层级的审核人。",
    Who.SYSTEM: "该操作由巡查系统执行。",
}


def _last(ctx: Ctx) -> bool:
    undecided = [s for s in ctx.steps if s.status in (StepStatus.PENDING, StepStatus.WAITING)]
    return len(undecided) == 1


GUARDS: dict[str, tuple[Callable[[Ctx], bool], str, str]] = {
    "is_finding": (
        lambda ctx: ctx.finding.kind == FindingKind.FINDING,
        "warning",
        "预警无需整改，节点办结后自动消除。",
    ),
    "text": (
        lambda ctx: bool(str(ctx.payload.get("text", "")).strip()),
        "text",
        "请写明整改情况。",
    ),
    "comment": (
        lambda ctx: bool(str(ctx.payload.get("comment", "")).strip()),
        "comment",
        "退回须写明审核意见。",
    ),
    "reason": (
        lambda ctx: bool(str(ctx.payload.get("reason", "")).strip()),
        "reason",
        "消除须写明原因。",
    ),
    "not_submitter": (
        lambda ctx: (
            ctx.pending_step is not None
            and ctx.pending_step.rectification.submitted_by_id != ctx.actor.pk
        ),
        "own_submission",
        "不能审核自己提交的整改。",
    ),
    "one_level_each": (
        _not_reviewed_yet,
        "already_reviewed",
        "您已审核过本次整改的上一层级，须由其他审核人审核本层级。",
    ),
    "last_step": (_last, "not_last", "还有后续审核层级。"),
    "not_last_step": (lambda ctx: not _last(ctx), "last", "这是最后一级审核，请审核销号。"),
}


def check(ctx: Ctx, row: Transition) -> None:
    if not WHO_CHECKS[row.who](ctx):
        raise Refusal(str(row.who), WHO_MESSAGES[row.who], permission=True)
    for name in row.guards:
        predicate, code, message = GUARDS[name]
        if not predicate(ctx):
            raise Refusal(code, message, permission=code in ("own_submission", "already_reviewed"))


def available(ctx: Ctx) -> list[Transition]:
    """The rows the actor could take now (for the page's buttons); same checks as ``check``
    except the ones that read form data."""
    form_guards = {"text", "comment", "reason"}
    rows = []
    for row in TRANSITIONS:
        if row.source != ctx.finding.status or row.who == Who.SYSTEM:
            continue
        if not WHO_CHECKS[row.who](ctx):
            continue
        if all(GUARDS[g][0](ctx) for g in row.guards if g not in form_guards):
            rows.append(row)
    return rows
