"""The handlers of the transition table: one per action. A handler reads the payload and the
context, decides what the transition writes beside the alert (a ``Plan``), and hands the writes to
``services.alert_transition``, which runs them only after its compare-and-set has won."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from shoulian.accounts.choices import Role
from shoulian.core.lifecycle import Refusal
from shoulian.intake.choices import PartyRole
from shoulian.intake.models import Alert, AlertParty
from shoulian.notify.services import is_mobile
from shoulian.org.models import Unit
from shoulian.workflow.chains import chain_for
from shoulian.workflow.choices import (
    CONCLUSION_DECISION_KINDS,
    DECISION_ACTION,
    DECISION_DOCUMENT,
    Action,
    ApprovalStatus,
    CaseStage,
    DecisionKind,
    DecisionStatus,
    DocumentKind,
    NotificationChannel,
    NotificationPurpose,
    NotificationStatus,
    ReconsiderationKind,
    ReconsiderationStatus,
    RequestStatus,
)
from shoulian.workflow.documents import content as documents
from shoulian.workflow.models import (
    Approval,
    Decision,
    Dispute,
    Notification,
    Reconsideration,
    Routing,
    TransferRequest,
)
from shoulian.workflow.workflow import Ctx

A = Action
CONFLICT_MESSAGE = (
    "该警情已被他人处理（内容已变化），您的操作未保存。请刷新页面查看最新状态后再操作。"
)


@dataclass
class Plan:
    """What a handler decided before the compare-and-set: alert fields, the journal's data, the
    counters to bump and the side rows to write once the update has won."""

    updates: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    flow: dict[str, Any] = field(default_factory=dict)
    after: Callable[[], Any] | None = None
    decision: Any = None
    # When the legal event happened, if not now (a notice served or an application handed in
    # earlier and registered later): the periods it starts count from then.
    event_at: Any = None


# --- handlers: one per action ------------------------------------------------------------------
Handler = Callable[[Ctx], Plan]
HANDLERS: dict[str, Handler] = {}


def handles(*actions: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        for action in actions:
            HANDLERS[action] = func
        return func

    return register


def _unit(ctx: Ctx, key: str) -> Unit | None:
    value = ctx.payload.get(key)
    if value is None or isinstance(value, Unit):
        return value
    return Unit.objects.filter(pk=value).first()


def _reason(ctx: Ctx) -> str:
    return ctx.reason_text()[:500]


def _routing_row(ctx: Ctx, action: str, unit: Unit, reason: str) -> Callable[[], Routing]:
    suggestion = ctx.suggestion
    overridden = suggestion.unit is None or suggestion.unit.pk != unit.pk

    def write() -> Routing:
        return Routing.objects.create(
            alert=ctx.alert,
            action=action,
            unit=unit,
            suggested_unit=suggestion.unit,
            rule=suggestion.rule,
            basis=suggestion.basis[:200],
            overridden=overridden,
            reason=reason,
            routed_by=ctx.actor,
            routed_at=ctx.now,
        )

    return write


@handles(A.ROUTE, A.REROUTE)
def _route(ctx: Ctx) -> Plan:
    unit = _unit(ctx, "unit")
    assert unit is not None  # noqa: S101 - the target_unit guard refused None
    reason = _reason(ctx)
    suggestion = ctx.suggestion
    return Plan(
        updates={"handling_unit": unit},
        reason=reason,
        data={
            "unit": unit.code,
            "suggested": suggestion.unit.code if suggestion.unit else None,
            "overridden": suggestion.unit is None or suggestion.unit.pk != unit.pk,
        },
        counters={"route_count": 1},
        flow={"handling_officer": None, "signed_at": None},
        after=_routing_row(ctx, ctx.action, unit, reason),
    )


@handles(A.SIGN_FOR)
def _sign_for(ctx: Ctx) -> Plan:
    flow: dict[str, Any] = {"signed_at": ctx.now}
    if Role.OFFICER in ctx.effective_roles:
        flow["handling_officer"] = ctx.actor
    return Plan(flow=flow, data={"unit": ctx.handling_unit.code})


@handles(A.START_HANDLING)
def _start_handling(ctx: Ctx) -> Plan:
    flow: dict[str, Any] = {}
    if Role.OFFICER in ctx.effective_roles and (
        ctx.flow is None or ctx.flow.handling_officer_id is None
    ):
        flow["handling_officer"] = ctx.actor
    return Plan(flow=flow)


@handles(A.RETURN)
def _return(ctx: Ctx) -> Plan:
    return Plan(
        updates={"handling_unit": None},
        reason=_reason(ctx),
        data={"unit": ctx.handling_unit.code},
        counters={"return_count": 1},
        flow={"handling_officer": None, "signed_at": None},
    )


@handles(A.RAISE_DISPUTE)
def _raise_dispute(ctx: Ctx) -> Plan:
    claimed = _unit(ctx, "claimed_unit")
    reason = _reason(ctx)

    def write() -> Dispute:
        return Dispute.objects.create(
            alert=ctx.alert,
            unit=ctx.handling_unit,
            claimed_unit=claimed,
            reason=reason,
            raised_by=ctx.actor,
            raised_at=ctx.now,
        )

    return Plan(
        reason=reason,
        data={"unit": ctx.handling_unit.code, "claimed": claimed.code if claimed else None},
        counters={"dispute_count": 1},
        after=write,
    )


@handles(A.DESIGNATE)
def _designate(ctx: Ctx) -> Plan:
    unit = _unit(ctx, "unit")
    assert unit is not None  # noqa: S101 - the target_unit guard refused None
    reason = _reason(ctx)
    dispute = ctx.dispute
    routing = _routing_row(ctx, A.DESIGNATE, unit, reason)

    def write() -> Dispute:
        routing()
        Dispute.objects.filter(pk=dispute.pk).update(
            status=RequestStatus.DECIDED,
            designated_unit=unit,
            decided_by=ctx.actor,
            decided_at=ctx.now,
            decision_note=reason,
        )
        return cast(Dispute, dispute)

    return Plan(
        updates={"handling_unit": unit},
        reason=reason,
        data={"dispute": dispute.pk, "unit": unit.code},
        counters={"route_count": 1},
        flow={"designated_unit": unit, "handling_officer": None, "signed_at": None},
        after=write,
    )


def _materials(alert: Alert) -> list[dict[str, Any]]:
    items = [
        {"item": i.position, "name": i.name, "quantity": i.quantity}
        for i in alert.evidence_items.all()
    ]
    files = [{"file": f.pk, "kind": f.kind, "sha256": f.sha256} for f in alert.evidence_files.all()]
    return items + files


@handles(A.REQUEST_TRANSFER)
def _request_transfer(ctx: Ctx) -> Plan:
    unit = _unit(ctx, "unit")
    assert unit is not None  # noqa: S101 - the transfer_unit guard refused None
    reason = _reason(ctx)
    materials = _materials(ctx.alert)

    def write() -> TransferRequest:
        return TransferRequest.objects.create(
            alert=ctx.alert,
            from_unit=ctx.handling_unit,
            to_unit=unit,
            reason=reason,
            materials=materials,
            requested_by=ctx.actor,
            requested_at=ctx.now,
        )

    return Plan(
        reason=reason, data={"to_unit": unit.code, "materials": len(materials)}, after=write
    )


def _notify_reporters(
    alert: Alert, purpose: str, text: str, actor: Any, at: datetime
) -> list[Notification]:
    reporters = AlertParty.objects.filter(alert=alert, role=PartyRole.REPORTER).order_by("position")
    return Notification.objects.bulk_create(
        [
            Notification(
                alert=alert,
                party=party,
                purpose=purpose,
                # Without a mobile number the notice goes in writing; both wait to be sent. SMS
                # rows go out through the outbox (shoulian.notify.milestones), which sets their
                # status from the delivery.
                channel=NotificationChannel.SMS
                if party.phone and is_mobile(party.phone.plaintext())
                else NotificationChannel.LETTER,
                text=text[:300],
                status=NotificationStatus.PENDING,
                created_by=actor,
                created_at=at,
            )
            for party in reporters
        ]
    )


@handles(A.APPROVE_TRANSFER)
def _approve_transfer(ctx: Ctx) -> Plan:
    transfer = ctx.transfer
    unit = transfer.to_unit
    reason = _reason(ctx)
    routing = _routing_row(ctx, A.APPROVE_TRANSFER, unit, reason or transfer.reason)

    def write() -> TransferRequest:
        routing()
        TransferRequest.objects.filter(pk=transfer.pk).update(
            status=RequestStatus.APPROVED,
            decided_by=ctx.actor,
            decided_at=ctx.now,
            decision_note=reason,
        )
        phone = f"，联系电话{unit.phone}" if unit.phone else ""
        _notify_reporters(
            ctx.alert,
            NotificationPurpose.TRANSFERRED_INTERNAL,
            f"【{ctx.bureau.name}】您报警的警情（编号{ctx.alert.number}）已移交{unit.name}办理{phone}。",
            ctx.actor,
            ctx.now,
        )
        return cast(TransferRequest, transfer)

    return Plan(
        updates={"handling_unit": unit},
        reason=reason,
        data={"transfer": transfer.pk, "from_unit": transfer.from_unit.code, "to_unit": unit.code},
        counters={"transfer_count": 1, "route_count": 1},
        flow={"handling_officer": None, "signed_at": None},
        after=write,
    )


@handles(A.REJECT_TRANSFER)
def _reject_transfer(ctx: Ctx) -> Plan:
    transfer = ctx.transfer
    reason = _reason(ctx)

    def write() -> TransferRequest:
        TransferRequest.objects.filter(pk=transfer.pk).update(
            status=RequestStatus.REJECTED,
            decided_by=ctx.actor,
            decided_at=ctx.now,
            decision_note=reason,
        )
        return cast(TransferRequest, transfer)

    return Plan(reason=reason, data={"transfer": transfer.pk}, after=write)


@handles(A.PROPOSE)
def _propose(ctx: Ctx) -> Plan:
    kind = ctx.payload["kind"]
    steps = chain_for(ctx.alert, kind, bureau=ctx.bureau)
    decision = Decision(
        alert=ctx.alert,
        kind=kind,
        facts=str(ctx.payload["facts"]).strip(),
        legal_basis=str(ctx.payload["legal_basis"]).strip()[:300],
        authority=str(ctx.payload.get("authority") or "").strip()[:100],
        penalty=str(ctx.payload.get("penalty") or "").strip()[:200],
        proposed_by=ctx.actor,
        proposer_unit=ctx.actor.unit,
        proposed_at=ctx.now,
    )

    def write() -> Decision:
        decision.save()
        Approval.objects.bulk_create(
            [
                Approval(
                    decision=decision,
                    position=step.position,
                    role=step.role,
                    label=step.label,
                    unit=step.unit,
                    status=ApprovalStatus.PENDING if index == 0 else ApprovalStatus.WAITING,
                )
                for index, step in enumerate(steps)
            ]
        )
        return decision

    return Plan(
        data={"kind": kind, "steps": [[s.role, s.unit.code] for s in steps]},
        after=write,
        decision=decision,
    )


@handles(A.WITHDRAW)
def _withdraw(ctx: Ctx) -> Plan:
    decision = ctx.decision

    def write() -> Decision:
        Decision.objects.filter(pk=decision.pk).update(status=DecisionStatus.WITHDRAWN)
        decision.approvals.filter(
            status__in=(ApprovalStatus.PENDING, ApprovalStatus.WAITING)
        ).update(status=ApprovalStatus.CANCELLED)
        return cast(Decision, decision)

    return Plan(
        data={"decision": decision.pk, "kind": decision.kind}, after=write, decision=decision
    )


def _decide_step(ctx: Ctx, status: str, note: str) -> None:
    step = ctx.step
    updated = Approval.objects.filter(pk=step.pk, status=ApprovalStatus.PENDING).update(
        status=status, decided_by=ctx.actor, decided_at=ctx.now, note=note
    )
    if updated != 1:  # pragma: no cover - the alert's compare-and-set serialises approvals
        raise Refusal("conflict", CONFLICT_MESSAGE)


@handles(A.APPROVE)
def _approve(ctx: Ctx) -> Plan:
    note = str(ctx.payload.get("note") or "").strip()[:500]
    decision, step = ctx.decision, ctx.step

    def write() -> Decision:
        _decide_step(ctx, ApprovalStatus.APPROVED, note)
        following = next(s for s in ctx.steps if s.position > step.position)
        Approval.objects.filter(pk=following.pk).update(status=ApprovalStatus.PENDING)
        return cast(Decision, decision)

    return Plan(
        data={
            "decision": decision.pk,
            "kind": decision.kind,
            "step": step.position,
            "role": step.role,
        },
        after=write,
    )


@handles(A.REJECT)
def _reject(ctx: Ctx) -> Plan:
    reason = _reason(ctx)
    decision, step = ctx.decision, ctx.step

    def write() -> Decision:
        _decide_step(ctx, ApprovalStatus.REJECTED, reason)
        decision.approvals.filter(status=ApprovalStatus.WAITING).update(
            status=ApprovalStatus.CANCELLED
        )
        Decision.objects.filter(pk=decision.pk).update(status=DecisionStatus.REJECTED)
        return cast(Decision, decision)

    return Plan(
        reason=reason,
        data={"decision": decision.pk, "kind": decision.kind, "step": step.position},
        after=write,
        decision=decision,
    )


_NOTICE_TEXT = {
    DecisionKind.TRANSFER_OUT: (
        NotificationPurpose.TRANSFERRED_OUT,
        "【{bureau}】您报称的事项（警情编号{number}）经审查已移送{authority}处理，详见移送案件通知书。",
    ),
    DecisionKind.NOT_POLICE: (
        NotificationPurpose.NOT_POLICE,
        "【{bureau}】您报称的事项（警情编号{number}）经审查不属于公安机关职责范围，请向{authority}反映，详见不予调查处理告知书。",
    ),
}


@handles(*(a for k, a in DECISION_ACTION.items() if k not in CONCLUSION_DECISION_KINDS))
def _decide(ctx: Ctx) -> Plan:
    note = str(ctx.payload.get("note") or "").strip()[:500]
    decision, step = ctx.decision, ctx.step
    document_kind = DECISION_DOCUMENT[decision.kind]
    plan = Plan(
        data={
            "decision": decision.pk,
            "kind": decision.kind,
            "step": step.position,
            "proposed_by": decision.proposed_by_id,
            **({"authority": decision.authority} if decision.authority else {}),
        },
        decision=decision,
    )

    def write() -> Any:
        _decide_step(ctx, ApprovalStatus.APPROVED, note)
        now = ctx.now
        Decision.objects.filter(pk=decision.pk).update(
            status=DecisionStatus.APPROVED, decided_at=now
        )
        decision.status, decision.decided_at = DecisionStatus.APPROVED, now
        document = None
        if document_kind is not None:
            document = documents.issue(
                kind=document_kind,
                alert=ctx.alert,
                decision=decision,
                bureau=ctx.bureau,
                actor=ctx.actor,
                at=now,
            )
            # The journal event of the decision names the document and fixes its content.
            plan.data["document"] = document.number
            plan.data["document_sha256"] = documents.digest(document.content)
        if decision.kind in _NOTICE_TEXT:
            purpose, template = _NOTICE_TEXT[decision.kind]
            _notify_reporters(
                ctx.alert,
                purpose,
                template.format(
                    bureau=ctx.bureau.name, number=ctx.alert.number, authority=decision.authority
                ),
                ctx.actor,
                ctx.now,
            )
        return document

    plan.after = write
    return plan


@handles(A.SERVE_NOTICE)
def _serve_notice(ctx: Ctx) -> Plan:
    decision = ctx.not_filed
    method = ctx.payload.get("method") or NotificationChannel.IN_PERSON
    if method not in NotificationChannel.values:
        raise Refusal("method", "请选择送达方式。")
    served_at = ctx.payload.get("served_at") or ctx.now
    if served_at > ctx.now or served_at < decision.decided_at:
        raise Refusal("served_at", "送达时间须在决定之后、不晚于现在。")

    def write() -> Decision:
        Decision.objects.filter(pk=decision.pk).update(
            notice_served_at=served_at, notice_served_by=ctx.actor, notice_method=method
        )
        return cast(Decision, decision)

    return Plan(
        data={"decision": decision.pk, "method": method, "served_at": served_at},
        after=write,
        event_at=served_at,
    )


def _apply_for(kind: str) -> Handler:
    def handler(ctx: Ctx) -> Plan:
        party = ctx.payload["applicant"]
        party_id = getattr(party, "pk", party)
        applied_at = ctx.payload.get("applied_at") or ctx.now
        if applied_at > ctx.now:
            raise Refusal("applied_at", "申请时间不能晚于现在。")
        grounds = str(ctx.payload["grounds"]).strip()
        decision = ctx.not_filed

        def write() -> Reconsideration:
            return Reconsideration.objects.create(
                alert=ctx.alert,
                decision=decision,
                kind=kind,
                applicant_id=party_id,
                applied_at=applied_at,
                grounds=grounds,
                received_by=ctx.actor,
            )

        return Plan(
            data={"decision": decision.pk, "kind": kind, "applied_at": applied_at},
            after=write,
            event_at=applied_at,
        )

    return handler


HANDLERS[A.APPLY_RECONSIDERATION] = _apply_for(ReconsiderationKind.RECONSIDERATION)
HANDLERS[A.APPLY_REVIEW] = _apply_for(ReconsiderationKind.REVIEW)


def _decide_reconsideration(revoke: bool) -> Handler:
    def handler(ctx: Ctx) -> Plan:
        pending = ctx.pending_reconsideration
        decision = ctx.not_filed
        reason = _reason(ctx)
        status = ReconsiderationStatus.REVOKED if revoke else ReconsiderationStatus.UPHELD

        def write() -> Reconsideration:
            Reconsideration.objects.filter(pk=pending.pk).update(
                status=status, decided_by=ctx.actor, decided_at=ctx.now, outcome_note=reason
            )
            if revoke:
                Decision.objects.filter(pk=decision.pk).update(status=DecisionStatus.REVOKED)
            return cast(Reconsideration, pending)

        return Plan(
            reason=reason,
            data={"reconsideration": pending.pk, "kind": pending.kind, "outcome": status},
            after=write,
        )

    return handler


HANDLERS[A.UPHOLD_RECONSIDERATION] = _decide_reconsideration(False)
HANDLERS[A.REVOKE_RECONSIDERATION] = _decide_reconsideration(True)
HANDLERS[A.UPHOLD_REVIEW] = _decide_reconsideration(False)
HANDLERS[A.REVOKE_REVIEW] = _decide_reconsideration(True)


@handles(A.SERVE_RECONSIDERATION_DECISION)
def _serve_reconsideration_decision(ctx: Ctx) -> Plan:
    upheld = next(
        r
        for r in ctx.reconsiderations
        if r.kind == ReconsiderationKind.RECONSIDERATION
        and r.status == ReconsiderationStatus.UPHELD
    )
    served_at = ctx.payload.get("served_at") or ctx.now
    if served_at > ctx.now or (upheld.decided_at is not None and served_at < upheld.decided_at):
        raise Refusal("served_at", "送达时间须在复议决定之后、不晚于现在。")

    def write() -> Reconsideration:
        Reconsideration.objects.filter(pk=upheld.pk).update(
            served_at=served_at, served_by=ctx.actor
        )
        return cast(Reconsideration, upheld)

    return Plan(
        data={"reconsideration": upheld.pk, "served_at": served_at},
        after=write,
        event_at=served_at,
    )


# The stage each conclusion step reaches (AlertFlow.case_stage).
CASE_STAGE_OF: dict[str, str] = {
    A.SOLVE: CaseStage.SOLVED,
    A.CONCLUDE_INVESTIGATION: CaseStage.INVESTIGATION_CONCLUDED,
    A.REVOKE_CASE: CaseStage.REVOKED,
    A.PUNISH: CaseStage.PUNISHED,
    A.NOT_PUNISH: CaseStage.NOT_PUNISHED,
    A.MEDIATE: CaseStage.MEDIATED,
    A.CONCLUDE_CASE: CaseStage.CONCLUDED,
}


# The conclusions made by the last step of an approval chain (处罚决定, 侦查终结).
CHAIN_CONCLUSIONS = frozenset(DECISION_ACTION[k] for k in CONCLUSION_DECISION_KINDS)


@handles(*(a for a in CASE_STAGE_OF if a not in CHAIN_CONCLUSIONS))
def _case_stage(ctx: Ctx) -> Plan:
    stage = CASE_STAGE_OF[ctx.action]
    reason = _reason(ctx)
    decision = ctx.case_decision
    authority = str(ctx.payload.get("authority") or "").strip()[:100]
    plan = Plan(
        reason=reason,
        flow={"case_stage": stage, "case_stage_at": ctx.now},
        data={
            "stage": stage,
            "decision": decision.pk,
            **({"authority": authority} if authority else {}),
        },
    )
    if ctx.action == A.REVOKE_CASE:

        def write() -> Any:
            document = documents.issue(
                kind=DocumentKind.CASE_REVOCATION_DECISION,
                alert=ctx.alert,
                decision=decision,
                bureau=ctx.bureau,
                actor=ctx.actor,
                at=ctx.now,
                reason=reason,
            )
            plan.data["document"] = document.number
            plan.data["document_sha256"] = documents.digest(document.content)
            return document

        plan.after = write
    return plan


@handles(*CHAIN_CONCLUSIONS)
def _decided_conclusion(ctx: Ctx) -> Plan:
    """The last approval of a 处罚决定 or 侦查终结 proposal: the step is approved, the decision
    made, the case stage moves, and a punishment is issued as a numbered 行政处罚决定书."""
    note = str(ctx.payload.get("note") or "").strip()[:500]
    decision, step = ctx.decision, ctx.step
    stage = CASE_STAGE_OF[ctx.action]
    document_kind = DECISION_DOCUMENT[decision.kind]
    plan = Plan(
        reason=note,
        flow={"case_stage": stage, "case_stage_at": ctx.now},
        data={
            "stage": stage,
            "decision": decision.pk,
            "kind": decision.kind,
            "step": step.position,
            "proposed_by": decision.proposed_by_id,
            **({"authority": decision.authority} if decision.authority else {}),
            **({"penalty": decision.penalty} if decision.penalty else {}),
        },
        decision=decision,
    )

    def write() -> Any:
        _decide_step(ctx, ApprovalStatus.APPROVED, note)
        Decision.objects.filter(pk=decision.pk).update(
            status=DecisionStatus.APPROVED, decided_at=ctx.now
        )
        decision.status, decision.decided_at = DecisionStatus.APPROVED, ctx.now
        if document_kind is None:
            return decision
        document = documents.issue(
            kind=document_kind,
            alert=ctx.alert,
            decision=decision,
            bureau=ctx.bureau,
            actor=ctx.actor,
            at=ctx.now,
        )
        plan.data["document"] = document.number
        plan.data["document_sha256"] = documents.digest(document.content)
        return document

    plan.after = write
    return plan


@handles(A.FOLLOW_UP)
def _follow_up(ctx: Ctx) -> Plan:
    satisfied = ctx.payload.get("satisfied")
    return Plan(
        reason=_reason(ctx),
        data={"satisfied": None if satisfied is None else bool(satisfied)},
    )


missing = set(Action.values) - set(HANDLERS)
if missing:  # pragma: no cover - a table action without a handler is a programming error
    raise ImportError(f"workflow actions without a handler: {sorted(missing)}")
