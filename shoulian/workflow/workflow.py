"""The alert lifecycle after registration as one declared table (DOMAIN §4).

Each row says: from which status an action is allowed, where it leads, which roles may take it,
where the actor must sit (unit condition) and which guards must hold. The table runs on the
lifecycle engine (``shoulian.core.lifecycle``): ``LIFECYCLE`` below. ``services.alert_transition``
is the only code that applies a row; it checks the row, runs the guards, changes the alert with
the engine's compare-and-set update and writes exactly one journal event.

Unit conditions and guards are code in two registries below; the table names them by key. A guard
registered ``form_only`` reads nothing but the submitted form, so the alert page's buttons
(``available``) run every other guard and cannot drift from ``check``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.utils import timezone

from shoulian.accounts.choices import AUXILIARY_ALLOWED_ROLES, Role
from shoulian.accounts.models import User
from shoulian.audit import journal
from shoulian.audit.catalogue import EventType
from shoulian.core.lifecycle import GuardRegistry, Lifecycle, Refusal, Row
from shoulian.intake.choices import AlertStatus as S
from shoulian.intake.choices import PartyRole
from shoulian.intake.models import Alert, AlertParty
from shoulian.org.choices import UnitKind
from shoulian.org.models import Unit
from shoulian.org.selectors import bureau_of, center_of, unit_of_kind
from shoulian.workflow.choices import (
    APPROVER_ROLES,
    CLOSED_STATUSES,
    CONCLUSION_DECISION_KINDS,
    DECISION_ACTION,
    FINAL_CASE_STAGES,
    HANDLING_DECISION_KINDS,
    HANDLING_UNIT_KINDS,
    Action,
    ApprovalStatus,
    CaseStage,
    DecisionKind,
    DecisionStatus,
    ReconsiderationKind,
    ReconsiderationStatus,
    RequestStatus,
)


class UnitCondition(StrEnum):
    CENTER = "center"  # the actor works in the 受立案管理中心 of the alert's bureau
    HANDLING = "handling"  # the actor's unit is the alert's handling unit
    APPROVER = "approver"  # the actor sits where the pending approval step requires
    BUREAU = "bureau"  # the actor belongs to the alert's bureau


CENTER_ROLES = frozenset({Role.CLERK, Role.CENTER_HEAD})
UNIT_ROLES = frozenset({Role.OFFICER, Role.LEADER})
LEADER = frozenset({Role.LEADER})
BUREAU_HEAD = frozenset({Role.BUREAU_HEAD})
# A case goes on after its 回访: the conclusion steps run from the decision's status and from 已回访.
CRIMINAL_SOURCES = (S.CRIMINAL_CASE, S.FOLLOWED_UP)
ADMIN_SOURCES = (S.ADMIN_CASE, S.FOLLOWED_UP)
# Where a conclusion (处罚决定, 侦查终结) is proposed and approved along its chain.
CASE_SOURCES = (S.CRIMINAL_CASE, S.ADMIN_CASE, S.FOLLOWED_UP)
# The statuses a 回访 may close, in the table's order (workflow.choices.CLOSED_STATUSES).
FINAL_STATUSES = tuple(sorted(CLOSED_STATUSES, key=list(S).index))


@dataclass(frozen=True)
class Transition(Row):
    """A row of the engine's table with the workflow's two extra columns."""

    unit: UnitCondition = UnitCondition.BUREAU
    # A legal decision or a step of one (proposal, approval, designation, 复议): never a 辅警.
    decides: bool = False

    @property
    def label(self) -> str:
        return BUTTON_LABELS.get(self.action) or str(Action(self.action).label)


def _t(
    source: str,
    action: str,
    target: str,
    roles: frozenset[str],
    unit: UnitCondition,
    event: EventType,
    *guards: str,
    decides: bool = False,
) -> Transition:
    return Transition(
        source=source,
        action=action,
        target=target,
        roles=roles,
        event=event,
        guards=guards,
        unit=unit,
        decides=decides,
    )


U = UnitCondition
E = EventType
A = Action

# 复议/复核 outcomes share one page: its button names the decision, not one outcome.
BUTTON_LABELS: dict[str, str] = {
    A.UPHOLD_RECONSIDERATION: "作出复议决定",
    A.UPHOLD_REVIEW: "登记复核决定",
}

_DECIDE_GUARDS = ("pending_decision", "decision_kind_matches", "step_holder", "not_own_proposal")

TRANSITIONS: tuple[Transition, ...] = (
    # routing by the center; a 辅警 clerk may route: routing is not a legal decision
    _t(S.REGISTERED, A.ROUTE, S.ROUTED, CENTER_ROLES, U.CENTER, E.ALERT_ROUTED, "target_unit", "override_reason"),
    _t(S.RETURNED, A.REROUTE, S.ROUTED, CENTER_ROLES, U.CENTER, E.ALERT_REROUTED, "target_unit", "override_reason", "not_returning_unit"),
    # the unit signs for it, returns it with a reason, or disputes jurisdiction
    _t(S.REGISTERED, A.SIGN_FOR, S.SIGNED, UNIT_ROLES, U.HANDLING, E.ALERT_SIGNED_FOR),
    _t(S.ROUTED, A.SIGN_FOR, S.SIGNED, UNIT_ROLES, U.HANDLING, E.ALERT_SIGNED_FOR),
    _t(S.ROUTED, A.RETURN, S.RETURNED, UNIT_ROLES, U.HANDLING, E.ALERT_RETURNED, "reason", "not_designated"),
    _t(S.ROUTED, A.RAISE_DISPUTE, S.DISPUTED, UNIT_ROLES, U.HANDLING, E.DISPUTE_RAISED, "reason", "not_designated", "claimed_unit"),
    _t(S.DISPUTED, A.DESIGNATE, S.ROUTED, frozenset({Role.CENTER_HEAD}), U.CENTER, E.JURISDICTION_DESIGNATED, "pending_dispute", "target_unit", "reason", decides=True),
    _t(S.SIGNED, A.START_HANDLING, S.HANDLING, UNIT_ROLES, U.HANDLING, E.HANDLING_STARTED),
    # transfers between units go through the center
    _t(S.SIGNED, A.REQUEST_TRANSFER, S.SIGNED, UNIT_ROLES, U.HANDLING, E.TRANSFER_REQUESTED, "reason", "no_pending_transfer", "no_pending_decision", "transfer_unit"),
    _t(S.HANDLING, A.REQUEST_TRANSFER, S.HANDLING, UNIT_ROLES, U.HANDLING, E.TRANSFER_REQUESTED, "reason", "no_pending_transfer", "no_pending_decision", "transfer_unit"),
    _t(S.SIGNED, A.APPROVE_TRANSFER, S.ROUTED, CENTER_ROLES, U.CENTER, E.TRANSFER_APPROVED, "pending_transfer"),
    _t(S.HANDLING, A.APPROVE_TRANSFER, S.ROUTED, CENTER_ROLES, U.CENTER, E.TRANSFER_APPROVED, "pending_transfer"),
    _t(S.SIGNED, A.REJECT_TRANSFER, S.SIGNED, CENTER_ROLES, U.CENTER, E.TRANSFER_REJECTED, "pending_transfer", "reason"),
    _t(S.HANDLING, A.REJECT_TRANSFER, S.HANDLING, CENTER_ROLES, U.CENTER, E.TRANSFER_REJECTED, "pending_transfer", "reason"),
    # decisions: proposed by the handling officer, approved along the chain
    _t(S.HANDLING, A.PROPOSE, S.HANDLING, frozenset({Role.OFFICER}), U.HANDLING, E.DECISION_PROPOSED, "no_pending_decision", "no_pending_transfer", "decision_kind", decides=True),
    _t(S.HANDLING, A.WITHDRAW, S.HANDLING, frozenset({Role.OFFICER}), U.HANDLING, E.DECISION_WITHDRAWN, "pending_decision", "own_proposal", decides=True),
    _t(S.HANDLING, A.APPROVE, S.HANDLING, APPROVER_ROLES, U.APPROVER, E.DECISION_STEP_APPROVED, "pending_decision", "step_holder", "not_own_proposal", "more_steps", decides=True),
    _t(S.HANDLING, A.REJECT, S.HANDLING, APPROVER_ROLES, U.APPROVER, E.DECISION_REJECTED, "pending_decision", "step_holder", "not_own_proposal", "reason", decides=True),
    _t(S.HANDLING, A.DECIDE_ADMIN_ACCEPT, S.ADMIN_CASE, APPROVER_ROLES, U.APPROVER, E.ADMIN_CASE_ACCEPTED, *_DECIDE_GUARDS, "last_step", decides=True),
    _t(S.HANDLING, A.DECIDE_CRIMINAL_FILE, S.CRIMINAL_CASE, APPROVER_ROLES, U.APPROVER, E.CRIMINAL_CASE_FILED, *_DECIDE_GUARDS, "last_step", decides=True),
    _t(S.HANDLING, A.DECIDE_NOT_FILE, S.NOT_FILED, APPROVER_ROLES, U.APPROVER, E.NOT_FILED_DECIDED, *_DECIDE_GUARDS, "last_step", decides=True),
    _t(S.HANDLING, A.DECIDE_TRANSFER_OUT, S.TRANSFERRED, APPROVER_ROLES, U.APPROVER, E.TRANSFERRED_OUT, *_DECIDE_GUARDS, "last_step", decides=True),
    _t(S.HANDLING, A.DECIDE_NOT_POLICE, S.NOT_POLICE, APPROVER_ROLES, U.APPROVER, E.NOT_POLICE_DECIDED, *_DECIDE_GUARDS, "last_step", decides=True),
    _t(S.HANDLING, A.DECIDE_CLOSE_NON_CASE, S.CLOSED_NON_CASE, APPROVER_ROLES, U.APPROVER, E.NON_CASE_CLOSED, *_DECIDE_GUARDS, "last_step", decides=True),
    # after 不予立案: serve the notice; 复议 to the bureau, then 复核 at the next level
    _t(S.NOT_FILED, A.SERVE_NOTICE, S.NOT_FILED, UNIT_ROLES, U.HANDLING, E.NON_FILING_NOTICE_SERVED, "notice_not_served"),
    _t(S.NOT_FILED, A.APPLY_RECONSIDERATION, S.NOT_FILED, frozenset({Role.CLERK, Role.OFFICER, Role.LEADER, Role.CENTER_HEAD, Role.LEGAL_BRIGADE}), U.BUREAU, E.RECONSIDERATION_APPLIED, "notice_served", "no_pending_reconsideration", "first_reconsideration", "applicant", "grounds", "reconsideration_window"),
    _t(S.NOT_FILED, A.UPHOLD_RECONSIDERATION, S.NOT_FILED, frozenset({Role.BUREAU_HEAD}), U.BUREAU, E.RECONSIDERATION_DECIDED, "pending_reconsideration", "not_original_decider", "reason", decides=True),
    _t(S.NOT_FILED, A.REVOKE_RECONSIDERATION, S.HANDLING, frozenset({Role.BUREAU_HEAD}), U.BUREAU, E.RECONSIDERATION_DECIDED, "pending_reconsideration", "not_original_decider", "reason", decides=True),
    _t(S.NOT_FILED, A.APPLY_REVIEW, S.NOT_FILED, frozenset({Role.CLERK, Role.CENTER_HEAD, Role.LEGAL_BRIGADE}), U.BUREAU, E.REVIEW_APPLIED, "no_pending_reconsideration", "reconsideration_upheld", "decision_served", "first_review", "applicant", "grounds", "review_window"),
    # The next level decides 复核; the legal brigade records its decision.
    _t(S.NOT_FILED, A.UPHOLD_REVIEW, S.NOT_FILED, frozenset({Role.LEGAL_BRIGADE}), U.BUREAU, E.REVIEW_DECIDED, "pending_review", "reason", decides=True),
    _t(S.NOT_FILED, A.REVOKE_REVIEW, S.HANDLING, frozenset({Role.LEGAL_BRIGADE}), U.BUREAU, E.REVIEW_DECIDED, "pending_review", "reason", decides=True),
    # 复议决定书 served on the applicant: the 复核 window (7 days) counts from its receipt.
    _t(S.NOT_FILED, A.SERVE_RECONSIDERATION_DECISION, S.NOT_FILED, UNIT_ROLES | CENTER_ROLES, U.BUREAU, E.RECONSIDERATION_DECISION_SERVED, "reconsideration_upheld", "decision_not_served"),
    # 回访 by the center closes the loop
    *(
        _t(src, A.FOLLOW_UP, S.FOLLOWED_UP, CENTER_ROLES, U.CENTER, E.ALERT_FOLLOWED_UP, "reason", "no_open_reconsideration")
        for src in FINAL_STATUSES
    ),
    # Conclusions that go through the bureau's approval chain (处罚决定, 侦查终结): the handling
    # officer proposes, the chain approves, the holder of the last step makes the decision.
    *(
        row
        for src in CASE_SOURCES
        for row in (
            _t(src, A.PROPOSE, src, frozenset({Role.OFFICER}), U.HANDLING, E.DECISION_PROPOSED, "no_pending_decision", "conclusion_proposable", "decision_kind", decides=True),
            _t(src, A.WITHDRAW, src, frozenset({Role.OFFICER}), U.HANDLING, E.DECISION_WITHDRAWN, "pending_decision", "own_proposal", decides=True),
            _t(src, A.APPROVE, src, APPROVER_ROLES, U.APPROVER, E.DECISION_STEP_APPROVED, "pending_decision", "step_holder", "not_own_proposal", "more_steps", decides=True),
            _t(src, A.REJECT, src, APPROVER_ROLES, U.APPROVER, E.DECISION_REJECTED, "pending_decision", "step_holder", "not_own_proposal", "reason", decides=True),
        )
    ),
    # Conclusion of a criminal case: 破案 by the handling unit; 侦查终结 (移送审查起诉) along its
    # chain, the bureau head last; 撤销案件 by the head of the county-level bureau
    # (公安机关办理刑事案件程序规定).
    *(
        row
        for src in CRIMINAL_SOURCES
        for row in (
            _t(src, A.SOLVE, src, UNIT_ROLES, U.HANDLING, E.CASE_SOLVED, "criminal_case", "stage_open", "reason", decides=True),
            _t(src, A.CONCLUDE_INVESTIGATION, src, APPROVER_ROLES, U.APPROVER, E.INVESTIGATION_CONCLUDED, *_DECIDE_GUARDS, "last_step", "criminal_case", "stage_solved", decides=True),
            _t(src, A.REVOKE_CASE, src, BUREAU_HEAD, U.BUREAU, E.CASE_REVOKED, "criminal_case", "stage_not_final", "no_pending_decision", "reason", decides=True),
        )
    ),
    # Conclusion of a 治安 (administrative) case: the 处罚决定 along its chain; the unit leader
    # decides 不予处罚 or mediation; the unit closes the case (结案) once the decision is carried out.
    *(
        row
        for src in ADMIN_SOURCES
        for row in (
            _t(src, A.PUNISH, src, APPROVER_ROLES, U.APPROVER, E.PUNISHMENT_DECIDED, *_DECIDE_GUARDS, "last_step", "admin_case", "stage_open", decides=True),
            _t(src, A.NOT_PUNISH, src, LEADER, U.HANDLING, E.NO_PUNISHMENT_DECIDED, "admin_case", "stage_open", "no_pending_decision", "reason", decides=True),
            _t(src, A.MEDIATE, src, LEADER, U.HANDLING, E.CASE_MEDIATED, "admin_case", "public_order", "stage_open", "no_pending_decision", "reason", decides=True),
            _t(src, A.CONCLUDE_CASE, src, UNIT_ROLES, U.HANDLING, E.CASE_CONCLUDED, "admin_case", "stage_decided", decides=True),
        )
    ),
)  # fmt: skip

# Actions that need a form (reason, unit, kind …); the others are one-button confirmations.
PLAIN_ACTIONS = frozenset(
    {A.SIGN_FOR, A.START_HANDLING, A.APPROVE_TRANSFER, A.SERVE_NOTICE, A.CONCLUDE_CASE}
)


# --- the context a row is checked in -----------------------------------------------------------
@dataclass
class Ctx:
    """What a guard may look at: the actor, the alert as read in this transaction, the payload."""

    actor: User
    alert: Alert
    payload: dict[str, Any] = field(default_factory=dict)
    now: dt.datetime = field(default_factory=timezone.now)
    # The action being checked (set by the engine for each row ``available`` tries).
    action: str = ""

    @property
    def handling_unit(self) -> Unit:
        """The alert's handling unit, for rows whose unit condition (``HANDLING``) required one."""
        unit = self.alert.handling_unit
        if unit is None:
            raise Refusal("unit", "警情尚未分派办理单位。", permission=True)
        return unit

    @cached_property
    def bureau(self) -> Unit:
        return bureau_of(self.alert.registering_unit)

    @cached_property
    def center(self) -> Unit | None:
        return center_of(self.bureau)

    @cached_property
    def legal_brigade(self) -> Unit | None:
        return unit_of_kind(self.bureau, UnitKind.LEGAL_BRIGADE)

    @cached_property
    def suggestion(self) -> Any:
        from shoulian.workflow.routing import suggest

        return suggest(self.alert, bureau=self.bureau)

    @cached_property
    def actor_bureau(self) -> Unit | None:
        unit = getattr(self.actor, "unit", None)
        return bureau_of(unit) if unit is not None else None

    @cached_property
    def effective_roles(self) -> frozenset[str]:
        roles = frozenset(self.actor.role_set)
        if getattr(self.actor, "is_auxiliary", False):
            # A 辅警 keeps only what auxiliaries may do, whatever roles the account was given.
            roles &= AUXILIARY_ALLOWED_ROLES
        return roles

    @cached_property
    def flow(self) -> Any:
        from shoulian.workflow.models import AlertFlow

        return AlertFlow.objects.filter(alert=self.alert).first()

    @cached_property
    def decision(self) -> Any:
        from shoulian.workflow.models import Decision

        return (
            Decision.objects.filter(alert=self.alert, status=DecisionStatus.PENDING)
            .select_related("proposed_by")
            .first()
        )

    @cached_property
    def steps(self) -> list[Any]:
        if self.decision is None:
            return []
        return list(self.decision.approvals.order_by("position"))

    @cached_property
    def step(self) -> Any:
        return next((s for s in self.steps if s.status == ApprovalStatus.PENDING), None)

    @cached_property
    def transfer(self) -> Any:
        from shoulian.workflow.models import TransferRequest

        return TransferRequest.objects.filter(
            alert=self.alert, status=RequestStatus.PENDING
        ).first()

    @cached_property
    def dispute(self) -> Any:
        from shoulian.workflow.models import Dispute

        return Dispute.objects.filter(alert=self.alert, status=RequestStatus.PENDING).first()

    @cached_property
    def not_filed(self) -> Any:
        """The approved 不予立案 decision the alert stands on."""
        from shoulian.workflow.not_filed import approved_not_filing

        return approved_not_filing(self.alert)

    @cached_property
    def reconsiderations(self) -> list[Any]:
        if self.not_filed is None:
            return []
        return list(self.not_filed.reconsiderations.order_by("applied_at", "id"))

    @cached_property
    def pending_reconsideration(self) -> Any:
        return next(
            (r for r in self.reconsiderations if r.status == ReconsiderationStatus.PENDING), None
        )

    @cached_property
    def case_decision(self) -> Any:
        """The approved 立案 or 受案 decision the case stands on (None for any other ending)."""
        from shoulian.workflow.models import Decision

        return (
            Decision.objects.filter(
                alert=self.alert,
                status=DecisionStatus.APPROVED,
                kind__in=(DecisionKind.CRIMINAL_FILE, DecisionKind.ADMIN_ACCEPT),
            )
            .order_by("-decided_at", "-id")
            .first()
        )

    @property
    def case_stage(self) -> str:
        return self.flow.case_stage if self.flow is not None else ""

    def reason_text(self) -> str:
        return str(self.payload.get("reason") or "").strip()


# --- unit conditions ---------------------------------------------------------------------------
def _in_center(ctx: Ctx) -> bool:
    unit = ctx.actor.unit
    return (
        unit is not None
        and unit.kind == UnitKind.CENTER
        and ctx.center is not None
        and (unit.pk == ctx.center.pk)
    )


def _in_handling_unit(ctx: Ctx) -> bool:
    return (
        ctx.alert.handling_unit_id is not None and ctx.actor.unit_id == ctx.alert.handling_unit_id
    )


def _holds_step(ctx: Ctx) -> bool:
    step = ctx.step
    return step is not None and ctx.actor.unit_id == step.unit_id


def _in_bureau(ctx: Ctx) -> bool:
    return ctx.actor_bureau is not None and ctx.actor_bureau.pk == ctx.bureau.pk


UNIT_CONDITIONS: dict[UnitCondition, tuple[Callable[[Ctx], bool], str]] = {
    U.CENTER: (_in_center, "只有本局受立案管理中心可以办理此操作。"),
    U.HANDLING: (_in_handling_unit, "只有警情的办理单位可以办理此操作。"),
    U.APPROVER: (_holds_step, "当前审批环节不由您所在单位审批。"),
    U.BUREAU: (_in_bureau, "只有本局人员可以办理此操作。"),
}


# --- guards ------------------------------------------------------------------------------------
guards: GuardRegistry[Ctx] = GuardRegistry()
Guard = Callable[[Ctx], None]


def _unit_payload(ctx: Ctx, key: str) -> Unit | None:
    value = ctx.payload.get(key)
    if value is None or isinstance(value, Unit):
        return value
    return Unit.objects.filter(pk=value).first()


def _handling_target(ctx: Ctx, unit: Unit | None, what: str) -> None:
    if unit is None:
        raise Refusal("unit_missing", f"请选择{what}。")
    if (
        not unit.is_active
        or unit.kind not in HANDLING_UNIT_KINDS
        or not unit.path.startswith(ctx.bureau.path)
    ):
        raise Refusal("unit_invalid", f"{what}须为本局在用的派出所或办案队。")


@guards("reason", form_only=True)
def _reason(ctx: Ctx) -> None:
    if not ctx.reason_text():
        raise Refusal("reason_required", "请写明理由。")


@guards("target_unit", form_only=True)
def _target_unit(ctx: Ctx) -> None:
    _handling_target(ctx, _unit_payload(ctx, "unit"), "办理单位")


@guards("override_reason", form_only=True)
def _override_reason(ctx: Ctx) -> None:
    unit = _unit_payload(ctx, "unit")
    suggestion = ctx.suggestion
    if suggestion.unit is not None and unit is not None and unit.pk != suggestion.unit.pk:
        if not ctx.reason_text():
            raise Refusal(
                "override_reason",
                f"未按建议分派至{suggestion.unit.name}，请写明改派理由。",
            )


@guards("not_returning_unit", form_only=True)
def _not_returning_unit(ctx: Ctx) -> None:
    from shoulian.workflow.models import FlowStep

    unit = _unit_payload(ctx, "unit")
    last = (
        FlowStep.objects.filter(alert=ctx.alert, action=A.RETURN)
        .order_by("-version")
        .values_list("from_unit_id", flat=True)
        .first()
    )
    if unit is not None and last == unit.pk and not ctx.reason_text():
        raise Refusal("reroute_same_unit", "该单位刚退回此警情，重新分派给它须写明理由。")


@guards("not_designated")
def _not_designated(ctx: Ctx) -> None:
    flow = ctx.flow
    if flow is not None and flow.designated_unit_id == ctx.alert.handling_unit_id:
        raise Refusal("designated", "本单位是中心指定的管辖单位，不能退回或再提争议。")


@guards("claimed_unit", form_only=True)
def _claimed_unit(ctx: Ctx) -> None:
    unit = _unit_payload(ctx, "claimed_unit")
    if unit is None:
        return
    _handling_target(ctx, unit, "有管辖权的单位")
    if unit.pk == ctx.alert.handling_unit_id:
        raise Refusal("claimed_self", "认为有管辖权的单位不能是本单位。")


@guards("pending_dispute")
def _pending_dispute(ctx: Ctx) -> None:
    if ctx.dispute is None:
        raise Refusal("no_dispute", "没有待裁决的管辖争议。")


@guards("transfer_unit", form_only=True)
def _transfer_unit(ctx: Ctx) -> None:
    unit = _unit_payload(ctx, "unit")
    _handling_target(ctx, unit, "拟移交单位")
    assert unit is not None  # noqa: S101 - _handling_target refused None
    if unit.pk == ctx.alert.handling_unit_id:
        raise Refusal("transfer_self", "不能移交给本单位。")


@guards("no_pending_transfer")
def _no_pending_transfer(ctx: Ctx) -> None:
    if ctx.transfer is not None:
        raise Refusal("transfer_pending", "已有一份移交申请待中心处理。")


@guards("pending_transfer")
def _pending_transfer(ctx: Ctx) -> None:
    if ctx.transfer is None:
        raise Refusal("no_transfer", "没有待处理的移交申请。")


@guards("no_pending_decision")
def _no_pending_decision(ctx: Ctx) -> None:
    if ctx.decision is not None:
        raise Refusal("decision_pending", "已有处理意见在审批中。")


@guards("pending_decision")
def _pending_decision(ctx: Ctx) -> None:
    if ctx.decision is None:
        raise Refusal("no_decision", "没有审批中的处理意见。")


def proposable_kinds(ctx: Ctx) -> list[str]:
    """The kinds of decision the alert's stage admits: the six that end its handling while it is
    办理中; after 受案 / 立案 only the conclusion that stands on that case decision."""
    if ctx.alert.status == S.HANDLING:
        return [k for k in DecisionKind.values if k in HANDLING_DECISION_KINDS]
    case = ctx.case_decision
    return [
        kind
        for kind, base in CONCLUSION_DECISION_KINDS.items()
        if case is not None and case.kind == base
    ]


@guards("conclusion_proposable")
def _conclusion_proposable(ctx: Ctx) -> None:
    case = ctx.case_decision
    if case is None:
        raise Refusal("no_case", "该警情没有受案或立案的案件，不能提出结论意见。")
    if case.kind == DecisionKind.CRIMINAL_FILE and ctx.case_stage != CaseStage.SOLVED:
        raise _stage_refusal(ctx, "侦查终结意见须在破案之后提出。")
    if case.kind == DecisionKind.ADMIN_ACCEPT and ctx.case_stage:
        raise _stage_refusal(ctx, "不能再提出处罚意见。")


@guards("decision_kind", form_only=True)
def _decision_kind(ctx: Ctx) -> None:
    kind = ctx.payload.get("kind")
    if kind not in DecisionKind.values:
        raise Refusal("kind_invalid", "请选择处理意见的类型。")
    if kind not in proposable_kinds(ctx):
        raise Refusal(
            "kind_stage",
            f"警情当前阶段不能提出“{DecisionKind(kind).label}”意见。",
        )
    if kind == DecisionKind.PUNISH and not str(ctx.payload.get("penalty") or "").strip():
        raise Refusal("penalty_required", "请写明处罚内容（如：罚款五百元）。")
    if (
        kind == DecisionKind.INVESTIGATION_END
        and not str(ctx.payload.get("authority") or "").strip()
    ):
        raise Refusal("authority_required", "请写明移送审查起诉的人民检察院。")
    if kind == DecisionKind.CLOSE_NON_CASE and ctx.alert.is_case_type:
        # 有案不受: a case-type alert ends as 受案、立案、不予立案 or 移送, never as a non-case closure.
        raise Refusal(
            "case_type_closure",
            "涉案类警情不能按非案件类办结，请提出受案、立案、不予立案或移送意见。",
        )
    if kind == DecisionKind.NOT_POLICE and ctx.alert.is_case_type:
        # The same loophole by another door: a case is police business by its category.
        raise Refusal(
            "case_type_not_police",
            "涉案类警情属于公安机关职责，不能以不属于公安职责告知了结，"
            "请提出受案、立案、不予立案或移送意见。",
        )
    if not str(ctx.payload.get("facts") or "").strip():
        raise Refusal("facts_required", "请写明事实与理由。")
    if not str(ctx.payload.get("legal_basis") or "").strip():
        raise Refusal("basis_required", "请写明法律依据。")
    if (
        kind in (DecisionKind.TRANSFER_OUT, DecisionKind.NOT_POLICE)
        and not str(ctx.payload.get("authority") or "").strip()
    ):
        raise Refusal("authority_required", "请写明接收案件或应当受理的主管机关。")
    from shoulian.workflow.chains import chain_for

    if not chain_for(ctx.alert, kind, bureau=ctx.bureau):
        raise Refusal("chain_empty", "该类决定未配置审批环节，请联系法制大队。")


@guards("own_proposal")
def _own_proposal(ctx: Ctx) -> None:
    if ctx.decision.proposed_by_id != ctx.actor.pk:
        raise Refusal("not_proposer", "只有提出人可以撤回处理意见。", permission=True)


@guards("step_holder")
def _step_holder(ctx: Ctx) -> None:
    step = ctx.step
    if step is None:
        raise Refusal("no_step", "没有待审批的环节。")
    if step.role not in ctx.effective_roles:
        raise Refusal(
            "step_role",
            f"当前环节“{step.label}”须由{step.get_role_display()}审批。",
            permission=True,
        )


@guards("not_own_proposal")
def _not_own_proposal(ctx: Ctx) -> None:
    # Z5: nobody approves their own proposal, and one person approves at most one step of it.
    if ctx.decision.proposed_by_id == ctx.actor.pk:
        raise Refusal("own_proposal", "不能审批本人提出的处理意见。", permission=True)
    if any(s.decided_by_id == ctx.actor.pk for s in ctx.steps):
        raise Refusal("second_step", "同一人不能审批同一意见的两个环节。", permission=True)


@guards("more_steps")
def _more_steps(ctx: Ctx) -> None:
    if ctx.step is not None and ctx.step.position == ctx.steps[-1].position:
        raise Refusal("last_step", "这是最后一个审批环节，同意即作出决定。")


@guards("last_step")
def _last_step(ctx: Ctx) -> None:
    if ctx.step is None or ctx.step.position != ctx.steps[-1].position:
        raise Refusal("not_last_step", "还有后续审批环节，不能直接作出决定。")


@guards("decision_kind_matches")
def _decision_kind_matches(ctx: Ctx) -> None:
    if DECISION_ACTION[ctx.decision.kind] != ctx.action:
        raise Refusal("kind_mismatch", "审批操作与处理意见的类型不符。")


@guards("notice_not_served")
def _notice_not_served(ctx: Ctx) -> None:
    if ctx.not_filed is None or ctx.not_filed.notice_served_at is not None:
        raise Refusal("already_served", "不予立案通知书已送达。")


@guards("notice_served")
def _notice_served(ctx: Ctx) -> None:
    if ctx.not_filed is None or ctx.not_filed.notice_served_at is None:
        raise Refusal("not_served", "不予立案通知书尚未送达，复议申请期限尚未起算。")


@guards("no_pending_reconsideration")
def _no_pending_reconsideration(ctx: Ctx) -> None:
    if ctx.pending_reconsideration is not None:
        raise Refusal("reconsideration_pending", "已有复议或复核申请在审查中。")


@guards("first_reconsideration")
def _first_reconsideration(ctx: Ctx) -> None:
    if any(r.kind == ReconsiderationKind.RECONSIDERATION for r in ctx.reconsiderations):
        raise Refusal("reconsidered", "该不予立案决定已经复议。")


@guards("first_review")
def _first_review(ctx: Ctx) -> None:
    if any(r.kind == ReconsiderationKind.REVIEW for r in ctx.reconsiderations):
        raise Refusal("reviewed", "该不予立案决定已经复核。")


@guards("reconsideration_upheld")
def _reconsideration_upheld(ctx: Ctx) -> None:
    if not any(
        r.kind == ReconsiderationKind.RECONSIDERATION and r.status == ReconsiderationStatus.UPHELD
        for r in ctx.reconsiderations
    ):
        raise Refusal("no_reconsideration", "复核须在复议维持原决定之后申请。")


@guards("applicant", form_only=True)
def _applicant(ctx: Ctx) -> None:
    party = ctx.payload.get("applicant")
    party_id = getattr(party, "pk", party)
    if (
        not isinstance(party_id, int)
        or not AlertParty.objects.filter(
            pk=party_id, alert=ctx.alert, role__in=(PartyRole.REPORTER, PartyRole.VICTIM)
        ).exists()
    ):
        raise Refusal("applicant", "申请人须为本警情的报案人或被害人。")


@guards("grounds", form_only=True)
def _grounds(ctx: Ctx) -> None:
    if not str(ctx.payload.get("grounds") or "").strip():
        raise Refusal("grounds", "请写明申请理由。")


def _window_closed(ctx: Ctx, code: str) -> bool:
    from shoulian.workflow import clock

    due = clock.window_due(ctx.alert, code)
    applied = ctx.payload.get("applied_at") or ctx.now
    return due is not None and applied > due


@guards("reconsideration_window")
def _reconsideration_window(ctx: Ctx) -> None:
    if _window_closed(ctx, "reconsideration_application"):
        raise Refusal("window_closed", "已超过申请复议的期限（收到通知书后7日）。")


@guards("review_window")
def _review_window(ctx: Ctx) -> None:
    if _window_closed(ctx, "review_application"):
        raise Refusal("window_closed", "已超过申请复核的期限（收到复议决定书后7日）。")


def _pending_of(ctx: Ctx, kind: str) -> None:
    pending = ctx.pending_reconsideration
    if pending is None or pending.kind != kind:
        label = ReconsiderationKind(kind).label
        raise Refusal("nothing_pending", f"没有待决定的{label}申请。")


@guards("pending_reconsideration")
def _pending_reconsideration(ctx: Ctx) -> None:
    _pending_of(ctx, ReconsiderationKind.RECONSIDERATION)


@guards("pending_review")
def _pending_review(ctx: Ctx) -> None:
    _pending_of(ctx, ReconsiderationKind.REVIEW)


@guards("not_original_decider")
def _not_original_decider(ctx: Ctx) -> None:
    decision = ctx.not_filed
    if decision is None:
        return
    deciders = {decision.proposed_by_id}
    deciders |= set(decision.approvals.values_list("decided_by_id", flat=True))
    if ctx.actor.pk in deciders:
        raise Refusal("own_decision", "参与作出原决定的人不能决定对它的复议。", permission=True)


@guards("no_open_reconsideration")
def _no_open_reconsideration(ctx: Ctx) -> None:
    if ctx.alert.status != S.NOT_FILED:
        return
    if ctx.pending_reconsideration is not None:
        raise Refusal("reconsideration_pending", "复议或复核尚在审查中，不能回访办结。")
    if ctx.not_filed is None or ctx.not_filed.notice_served_at is None:
        raise Refusal("not_served", "不予立案通知书尚未送达，不能回访办结。")
    from shoulian.workflow.not_filed import open_windows, unserved_reconsideration

    if unserved_reconsideration(ctx.not_filed):
        raise Refusal("decision_not_served", "复议决定书尚未送达，不能回访办结。")

    if open_windows(ctx.alert, at=ctx.now):
        raise Refusal("window_open", "报案人申请复议、复核的期限尚未届满，不能回访办结。")


def _upheld_reconsideration(ctx: Ctx) -> Any:
    return next(
        (
            r
            for r in ctx.reconsiderations
            if r.kind == ReconsiderationKind.RECONSIDERATION
            and r.status == ReconsiderationStatus.UPHELD
        ),
        None,
    )


@guards("decision_served")
def _decision_served(ctx: Ctx) -> None:
    upheld = _upheld_reconsideration(ctx)
    if upheld is None or upheld.served_at is None:
        raise Refusal("not_served", "复议决定书尚未送达申请人，复核申请期限尚未起算。")


@guards("decision_not_served")
def _decision_not_served(ctx: Ctx) -> None:
    upheld = _upheld_reconsideration(ctx)
    if upheld is not None and upheld.served_at is not None:
        raise Refusal("already_served", "复议决定书已送达。")


# --- conclusion of a case ----------------------------------------------------------------------
@guards("criminal_case")
def _criminal_case(ctx: Ctx) -> None:
    decision = ctx.case_decision
    if decision is None or decision.kind != DecisionKind.CRIMINAL_FILE:
        raise Refusal("not_criminal_case", "该警情没有立案侦查的刑事案件。")


@guards("admin_case")
def _admin_case(ctx: Ctx) -> None:
    decision = ctx.case_decision
    if decision is None or decision.kind != DecisionKind.ADMIN_ACCEPT:
        raise Refusal("not_admin_case", "该警情没有受案调查的行政案件。")


@guards("public_order")
def _public_order(ctx: Ctx) -> None:
    from shoulian.intake.choices import CategoryGroup

    if ctx.alert.category.group != CategoryGroup.PUBLIC_ORDER:
        raise Refusal("not_public_order", "只有治安案件可以调解结案。")


def _stage_refusal(ctx: Ctx, expected: str) -> Refusal:
    stage = ctx.case_stage
    now = CaseStage(stage).label if stage else "侦查、调查中"
    return Refusal("stage", f"案件当前进展为“{now}”，{expected}")


@guards("stage_open")
def _stage_open(ctx: Ctx) -> None:
    if ctx.case_stage:
        raise _stage_refusal(ctx, "不能再办理此操作。")


@guards("stage_solved")
def _stage_solved(ctx: Ctx) -> None:
    if ctx.case_stage != CaseStage.SOLVED:
        raise _stage_refusal(ctx, "侦查终结须在破案之后。")


@guards("stage_not_final")
def _stage_not_final(ctx: Ctx) -> None:
    if ctx.case_stage in FINAL_CASE_STAGES:
        raise _stage_refusal(ctx, "案件已终结。")


@guards("stage_decided")
def _stage_decided(ctx: Ctx) -> None:
    if ctx.case_stage not in (CaseStage.PUNISHED, CaseStage.NOT_PUNISHED):
        raise _stage_refusal(ctx, "结案须在作出处罚或不予处罚决定之后。")


# --- checking a row ------------------------------------------------------------------------------
def _authorize(ctx: Ctx, row: Transition) -> None:
    """Who may act: never a 辅警 on a legal decision, one of the row's roles (as the account's
    effective roles), and the unit condition."""
    if getattr(ctx.actor, "is_auxiliary", False) and row.decides:
        raise Refusal("auxiliary", "辅警不能提出、审批或作出法律决定。", permission=True)
    if not (ctx.effective_roles & row.roles):
        raise Refusal("role", "您的角色不能办理此操作。", permission=True)
    condition, message = UNIT_CONDITIONS[row.unit]
    if row.unit == U.APPROVER:
        # The step must exist before its holder can be checked.
        _pending_decision(ctx)
    if not condition(ctx):
        raise Refusal("unit", message, permission=True)


LIFECYCLE: Lifecycle[Ctx, Transition] = Lifecycle(
    name="alert",
    rows=TRANSITIONS,
    guards=guards,
    journal=journal,
    refused_event=EventType.WORKFLOW_REFUSED,
    authorize=_authorize,
    conflict_message=(
        "该警情已被他人处理（内容已变化），您的操作未保存。请刷新页面查看最新状态后再操作。"
    ),
)

# Views of the table for pages and tests.
BY_KEY: dict[tuple[str, str], Transition] = {(t.source, t.action): t for t in TRANSITIONS}
ACTIONS_BY_SOURCE: dict[str, list[Transition]] = {}
for _row in TRANSITIONS:
    ACTIONS_BY_SOURCE.setdefault(_row.source, []).append(_row)


def transition_for(source: str, action: str) -> Transition | None:
    return LIFECYCLE.row(source, action)


def check(ctx: Ctx, row: Transition) -> None:
    """Raise ``Refusal`` unless ``ctx.actor`` may apply ``row`` to ``ctx.alert`` now."""
    ctx.action = row.action
    LIFECYCLE.check(ctx, row)


def available(ctx: Ctx) -> list[Transition]:
    """Rows the actor could apply now, before any form is sent (the buttons on the alert page):
    every check but the form-only guards."""
    return LIFECYCLE.available(ctx, ctx.alert.status)
