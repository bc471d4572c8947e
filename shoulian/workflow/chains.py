"""Approval chains as data (``ChainStep`` rows): per decision kind, an ordered list of steps, each
with the approving role and the condition under which it applies. The conditions are code, in one
registry; the national default chain is seeded by migration and a bureau may replace it per kind.

Default (公安部 2015 意见 and 《公安机关办理刑事案件程序规定》):
- every decision: the unit leader (所队领导) approves;
- economic-crime and dispute-prone categories: the legal brigade reviews **before** the decision;
- criminal 立案 and 不予立案: the bureau head (局领导) approves last.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import deny, record
from shoulian.core import versioning
from shoulian.org.choices import UnitKind
from shoulian.org.models import Unit
from shoulian.org.selectors import bureau_of
from shoulian.workflow.choices import APPROVER_ROLES, ChainCondition, DecisionKind
from shoulian.workflow.models import ApprovalChain, ChainStep

CONDITIONS: dict[str, Callable[[Any], bool]] = {
    ChainCondition.ALWAYS: lambda alert: True,
    ChainCondition.LEGAL_REVIEW: lambda alert: bool(alert.category.requires_legal_review),
    ChainCondition.CASE_TYPE: lambda alert: bool(alert.is_case_type),
}

# Where the holder of each role sits, relative to the alert.
ROLE_UNIT_KIND: dict[str, str | None] = {
    Role.LEADER: None,  # the handling unit itself
    Role.LEGAL_OFFICER: None,
    Role.CENTER_HEAD: UnitKind.CENTER,
    Role.LEGAL_BRIGADE: UnitKind.LEGAL_BRIGADE,
    Role.BUREAU_HEAD: UnitKind.BUREAU,
}

# (kind, position, role, condition, label): the national default, also written by migrations
# 0002 (the decisions of handling) and 0006 (the conclusions of a case).
CONCLUSION_CHAIN: dict[str, tuple[tuple[int, str, str, str], ...]] = {
    # 治安管理处罚法: punishment is decided by the county-level bureau (a station may decide only a
    # warning or a small fine); 行政处罚法 art. 58 and the bureau's 法制审核 before the decision.
    DecisionKind.PUNISH: (
        (1, Role.LEADER, ChainCondition.ALWAYS, "所队领导审核"),
        (2, Role.LEGAL_BRIGADE, ChainCondition.ALWAYS, "法制大队法制审核"),
        (3, Role.BUREAU_HEAD, ChainCondition.ALWAYS, "局领导批准"),
    ),
    # 公安机关办理刑事案件程序规定: a case is sent for prosecution with the approval of the head of
    # the county-level bureau, after the legal department's review.
    DecisionKind.INVESTIGATION_END: (
        (1, Role.LEADER, ChainCondition.ALWAYS, "办案单位领导审核"),
        (2, Role.LEGAL_BRIGADE, ChainCondition.ALWAYS, "法制大队法制审核"),
        (3, Role.BUREAU_HEAD, ChainCondition.ALWAYS, "局领导批准"),
    ),
}
DEFAULT_CHAIN: tuple[tuple[str, int, str, str, str], ...] = tuple(
    row
    for kind in DecisionKind.values
    if kind not in CONCLUSION_CHAIN
    for row in (
        (kind, 1, Role.LEADER, ChainCondition.ALWAYS, "所队领导审批"),
        (kind, 2, Role.LEGAL_BRIGADE, ChainCondition.LEGAL_REVIEW, "法制大队事前审核"),
        *(
            ((kind, 3, Role.BUREAU_HEAD, ChainCondition.ALWAYS, "局领导审批"),)
            if kind in (DecisionKind.CRIMINAL_FILE, DecisionKind.NOT_FILE)
            else ()
        ),
    )
) + tuple(
    (kind, position, role, condition, label)
    for kind, steps in CONCLUSION_CHAIN.items()
    for position, role, condition, label in steps
)


@dataclass(frozen=True)
class PlannedStep:
    position: int
    role: str
    label: str
    unit: Unit


def versions_of(bureau: Unit, kind: str) -> list[ApprovalChain]:
    """The bureau's versions of its chain for ``kind``, oldest first."""
    return list(
        versioning.chain(ApprovalChain, bureau.pk, decision_kind=kind)
        .select_related("created_by")
        .prefetch_related("steps")
    )


def in_force(bureau: Unit, kind: str, on: dt.date | None = None) -> ApprovalChain | None:
    """The bureau's version in force on ``on`` (today), or None: the national default applies."""
    return versioning.pick(versions_of(bureau, kind), on or timezone.localdate())


def steps_in_force(bureau: Unit, kind: str, on: dt.date | None = None) -> list[ChainStep]:
    version = in_force(bureau, kind, on)
    if version is not None:
        own = sorted(version.steps.all(), key=lambda r: (r.position, r.id))
    else:
        own = []
    rows = list(
        ChainStep.objects.filter(
            Q(bureau=bureau, chain__isnull=True) | Q(bureau__isnull=True),
            decision_kind=kind,
            is_active=True,
        ).order_by("position", "id")
    )
    if version is None:
        # Rows configured before chains were versioned stand until the first version.
        own = [r for r in rows if r.bureau_id == bureau.pk]
    return own or [r for r in rows if r.bureau_id is None]


def approver_unit(alert: Any, role: str, bureau: Unit) -> Unit | None:
    kind = ROLE_UNIT_KIND.get(role)
    if kind is None:
        return cast("Unit | None", alert.handling_unit)
    if kind == UnitKind.BUREAU:
        return bureau
    return (
        Unit.objects.filter(path__startswith=bureau.path, kind=kind, is_active=True)
        .order_by("path")
        .first()
    )


def chain_for(alert: Any, kind: str, *, bureau: Unit) -> list[PlannedStep]:
    """The steps a proposal of ``kind`` on ``alert`` must pass, in order."""
    steps: list[PlannedStep] = []
    for row in steps_in_force(bureau, kind):
        if not CONDITIONS[row.condition](alert):
            continue
        unit = approver_unit(alert, row.role, bureau)
        if unit is None:
            continue
        steps.append(PlannedStep(len(steps) + 1, row.role, row.label, unit))
    return steps


@dataclass(frozen=True)
class StepInput:
    role: str
    condition: str
    label: str


def approval_chain_configure(
    *,
    actor: Any,
    bureau: Unit,
    kind: str,
    steps: Sequence[StepInput],
    effective_from: dt.date | None = None,
    change_reason: str = "",
) -> list[ChainStep]:
    """A new version of a bureau's chain for one decision kind, in force from ``effective_from``
    (today unless later: a proposal keeps the chain it was made under). The legal brigade tunes
    it (rules that supervisors tune are data). An empty list returns the bureau to the national
    default."""
    if (
        actor is None
        or not actor.has_role(Role.LEGAL_BRIGADE)
        or actor.is_auxiliary
        or actor.unit is None
        or bureau_of(actor.unit).pk != bureau.pk
    ):
        deny(
            actor,
            action="configure_chain",
            code="role",
            event_type=EventType.WORKFLOW_REFUSED,
            message="只有本局法制大队可以配置审批流程。",
        )
    if kind not in DecisionKind.values:
        raise ValidationError({"kind": "未知的决定类型。"})
    for step in steps:
        if step.role not in APPROVER_ROLES:
            raise ValidationError({"steps": f"{step.role} 不能担任审批角色。"})
        if step.condition not in CONDITIONS:
            raise ValidationError({"steps": f"未知的适用条件：{step.condition}"})
    if steps and not any(s.condition == ChainCondition.ALWAYS for s in steps):
        # Z5: a proposal must always meet at least one approver other than its author.
        raise ValidationError({"steps": "至少一个审批环节须适用于所有警情。"})
    today = timezone.localdate()
    effective_from = effective_from or today
    if effective_from < today:
        raise ValidationError(
            {"effective_from": "生效日期不能早于今天：已提出的处理意见按提出时的流程审批。"}
        )
    with transaction.atomic():
        number = (
            ApprovalChain.objects.filter(bureau=bureau, decision_kind=kind).aggregate(
                n=Max("version")
            )["n"]
            or 0
        ) + 1
        try:
            with transaction.atomic():
                version = ApprovalChain.objects.create(
                    bureau=bureau,
                    decision_kind=kind,
                    version=number,
                    effective_from=effective_from,
                    change_reason=change_reason.strip()[:300],
                    created_by=actor,
                )
        except IntegrityError:
            raise ValidationError("审批流程刚刚被其他人修订，请刷新页面后重新修订。") from None
        created = [
            ChainStep.objects.create(
                chain=version,
                bureau=bureau,
                decision_kind=kind,
                position=index,
                role=step.role,
                condition=step.condition,
                label=step.label.strip() or str(Role(step.role).label),
            )
            for index, step in enumerate(steps, start=1)
        ]
        record(
            EventType.APPROVAL_CHAIN_CONFIGURED,
            obj=bureau,
            actor=actor,
            data={
                "kind": kind,
                "version": number,
                "effective_from": effective_from,
                "reason": change_reason.strip()[:300],
                "steps": [[s.role, s.condition] for s in steps],
            },
        )
    return created


@dataclass(frozen=True)
class ChainOverview:
    """One decision kind's chain for the legal brigade's page: what applies today, from where,
    and every version of the bureau's own (newest first)."""

    kind: str
    label: str
    steps: list[ChainStep]
    current: ApprovalChain | None
    versions: list[ApprovalChain]


def chain_overview(bureau: Unit) -> list[ChainOverview]:
    today = timezone.localdate()
    rows = []
    for kind, label in DecisionKind.choices:
        versions = versions_of(bureau, kind)
        rows.append(
            ChainOverview(
                kind=kind,
                label=str(label),
                steps=steps_in_force(bureau, kind, today),
                current=versioning.pick(versions, today),
                versions=versions[::-1],
            )
        )
    return rows
