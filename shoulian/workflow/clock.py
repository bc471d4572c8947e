"""Which statutory periods run for an alert, and for which unit (DOMAIN §5).

The deadline engine (``shoulian.deadlines``) counts; this module decides, for each accepted
transition, which node's period starts and which stops. It runs inside the transition's
transaction, so a transition and its clock changes commit together.

- The review period (受案审查 24 h, 立案审查 3 days, 线索 7 days, 移送案件 3 days) counts from
  registration (its start event is ``alert_registered``) and always sits with the unit that must
  act now: the handling unit, or the center while the alert is returned or disputed. When the
  alert moves, the running deadline is stopped and restarted for the new unit with the same start,
  so bouncing an alert never resets the legal clock.
- A decision stops the review; 不予立案 starts the 3-day service of the notice; service starts the
  complainant's 7-day window for 复议, an application the 30-day decision, and so on.

The engine's scope guard is for people acting on deadlines directly. Here the clock follows a
transition the workflow has already authorised, so it acts as the system (``actor=None``); the
journal still records who was acting (the request's context).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.utils import timezone

from shoulian.deadlines.choices import PARTY_WINDOW_CODES, DeadlineStatus
from shoulian.deadlines.models import Deadline
from shoulian.deadlines.services import deadline_start, deadline_stop
from shoulian.intake.choices import AlertStatus, CategoryGroup, Channel
from shoulian.org.models import Unit
from shoulian.workflow.choices import OPEN_STATUSES, Action, DecisionKind

OBJECT_TYPE = "alert"

REVIEW_CODES = frozenset(
    {
        "criminal_filing_review",
        "criminal_clue_review",
        "admin_acceptance_review",
        "transferred_case_decision",
    }
)
NOT_POLICE_NOTICE = "not_police_business_notice"
# While returned or disputed the center must act: the review period sits with it.
CENTER_HELD = frozenset({AlertStatus.RETURNED, AlertStatus.DISPUTED})
# Windows the complainant has, not tasks of staff: used to refuse late applications.
WINDOW_CODES = PARTY_WINDOW_CODES


def review_code(alert: Any) -> str | None:
    """The review period that applies to the alert's decision, by channel and category."""
    if alert.channel == Channel.ADMIN_TRANSFER:
        return "transferred_case_decision"
    group = alert.category.group
    if group == CategoryGroup.CRIMINAL:
        return "criminal_filing_review"
    if group == CategoryGroup.PUBLIC_ORDER:
        return "admin_acceptance_review"
    if group == CategoryGroup.TIP_OFF:
        return "criminal_clue_review"
    return None


def _running(alert: Any, code: str | None = None) -> list[Deadline]:
    qs = Deadline.objects.filter(object_type=OBJECT_TYPE, object_id=str(alert.pk)).exclude(
        status=DeadlineStatus.STOPPED
    )
    if code is not None:
        qs = qs.filter(code=code)
    return list(qs.select_related("rule", "unit"))


def window_due(alert: Any, code: str) -> dt.datetime | None:
    """When the complainant's window ``code`` closes; None while unknown (never guessed)."""
    deadline = (
        Deadline.objects.filter(object_type=OBJECT_TYPE, object_id=str(alert.pk), code=code)
        .order_by("-started_at", "-id")
        .first()
    )
    return deadline.due_at if deadline is not None else None


def _title(alert: Any) -> str:
    return f"警情 {alert.number}"


def start(alert: Any, code: str, unit: Unit, at: dt.datetime) -> Deadline | None:
    if _running(alert, code):
        return None
    return deadline_start(
        actor=None,
        rule_code=code,
        obj=(OBJECT_TYPE, alert.pk),
        unit=unit,
        started_at=at,
        title=_title(alert),
    )


def stop(alert: Any, code: str, note: str, at: dt.datetime | None = None) -> None:
    for deadline in _running(alert, code):
        deadline_stop(
            actor=None,
            deadline=deadline,
            at=max(at or timezone.now(), deadline.started_at),
            note=note,
        )


class _Lazy:
    """A unit looked up on first use (most transitions never need the center)."""

    def __init__(self, load: Any) -> None:
        self._load = load

    def get(self) -> Unit | None:
        if not hasattr(self, "_value"):
            self._value = self._load()
        return cast("Unit | None", self._value)


def responsible_unit(alert: Any, center: _Lazy) -> Unit | None:
    if alert.status in CENTER_HELD or alert.handling_unit is None:
        return center.get()
    return cast("Unit | None", alert.handling_unit)


def sync_review(
    alert: Any, *, center: _Lazy, at: dt.datetime, restart_at: dt.datetime | None = None
) -> None:
    """Keep the review deadline with the unit that must act now (see the module docstring)."""
    code = review_code(alert)
    if code is None or alert.status not in OPEN_STATUSES:
        return
    unit = responsible_unit(alert, center)
    if unit is None:
        return
    running = _running(alert, code)
    if running and running[0].unit_id == unit.pk:
        return
    started_at = running[0].started_at if running else (restart_at or alert.registered_at)
    for deadline in running:
        deadline_stop(
            actor=None,
            deadline=deadline,
            at=max(at, deadline.started_at),
            note=f"转由{unit.name}继续计算",
        )
    deadline_start(
        actor=None,
        rule_code=code,
        obj=(OBJECT_TYPE, alert.pk),
        unit=unit,
        started_at=started_at,
        title=_title(alert),
    )


def after_transition(
    ctx: Any, *, action: str, decision: Any = None, at: dt.datetime, moved: bool = True
) -> None:
    """Start and stop the periods this transition touches. ``ctx.alert`` is already updated; the
    center and the legal brigade are looked up only when a period moves to them. ``moved`` says
    whether the unit that must act may have changed (first step, new handling unit, into or out of
    the center's hands); otherwise the review period already sits where it belongs."""
    alert = ctx.alert
    center = _Lazy(lambda: ctx.center)
    if action in (Action.REVOKE_RECONSIDERATION, Action.REVOKE_REVIEW):
        # 撤销不予立案决定: the unit must decide again; a fresh review period starts now.
        revoke_cleanup(alert, at)
        sync_review(alert, center=center, at=at, restart_at=at)
        return
    if action in CONCLUSION_ACTIONS:
        _after_conclusion(alert, action, at)
        return
    if action == Action.PROPOSE and decision is not None:
        if (
            decision.kind == DecisionKind.TRANSFER_OUT
            and alert.category.group != CategoryGroup.CRIMINAL
        ):
            # 行政案件程序规定 art. 61: transfer within 24 h of receiving it.
            start(alert, "admin_transfer_out", alert.handling_unit, alert.registered_at)
        return
    if action in (Action.WITHDRAW, Action.REJECT):
        stop(alert, "admin_transfer_out", "移送意见未获批准或已撤回", at)
        return
    if decision is not None and alert.status not in OPEN_STATUSES:
        _after_decision(alert, decision, at)
        return
    if action == Action.SERVE_NOTICE:
        stop(alert, "non_filing_notice", "已送达", at)
        start(alert, "reconsideration_application", alert.handling_unit, at)
    elif action == Action.APPLY_RECONSIDERATION:
        stop(alert, "reconsideration_application", "已申请复议", at)
        start(alert, "reconsideration_decision", ctx.bureau, at)
    elif action == Action.UPHOLD_RECONSIDERATION:
        # The 复核 window runs from the applicant's receipt of the 复议决定书, not from the
        # decision (art. 179: 收到复议决定书后七日以内): it starts at SERVE_RECONSIDERATION_DECISION.
        stop(alert, "reconsideration_decision", "复议维持", at)
    elif action == Action.SERVE_RECONSIDERATION_DECISION:
        start(alert, "review_application", alert.handling_unit, at)
    elif action == Action.APPLY_REVIEW:
        stop(alert, "review_application", "已申请复核", at)
        start(alert, "review_decision", ctx.legal_brigade or ctx.bureau, at)
    elif action == Action.UPHOLD_REVIEW:
        stop(alert, "review_decision", "复核维持", at)
    elif action == Action.FOLLOW_UP:
        for code in WINDOW_CODES:
            stop(alert, code, "期限届满后回访办结", at)
    elif moved:
        sync_review(alert, center=center, at=at)


def _after_decision(alert: Any, decision: Any, at: dt.datetime) -> None:
    for deadline in _running(alert):
        if deadline.code in REVIEW_CODES or deadline.code == "admin_transfer_out":
            deadline_stop(
                actor=None,
                deadline=deadline,
                at=max(at, deadline.started_at),
                note=f"已作出决定：{decision.get_kind_display()}",
            )
    if decision.kind == DecisionKind.NOT_POLICE:
        # 行政案件程序规定 art. 61: tell the reporter at once; stopped when the SMS is delivered or
        # the written notice is the way (milestones.py).
        start(alert, NOT_POLICE_NOTICE, alert.handling_unit, at)
    if decision.kind == DecisionKind.NOT_FILE:
        # 刑事案件程序规定 art. 178: serve the notice within 3 days of the decision.
        start(alert, "non_filing_notice", alert.handling_unit, at)
    elif (
        decision.kind == DecisionKind.ADMIN_ACCEPT
        and alert.category.group == CategoryGroup.PUBLIC_ORDER
    ):
        # 治安管理处罚法: the case is handled within 30 days of 受理.
        start(alert, "public_order_case", alert.handling_unit, at)


# The conclusion steps of a case and what each stops: the 治安 case period ends with the decision
# on punishment (or mediation, or 结案 where nothing stopped it before); a criminal case that is
# revoked or sent for prosecution has nothing left to count.
CONCLUSION_ACTIONS: dict[str, str] = {
    Action.SOLVE: "破案",
    Action.CONCLUDE_INVESTIGATION: "侦查终结，移送审查起诉",
    Action.REVOKE_CASE: "撤销案件",
    Action.PUNISH: "已作出处罚决定",
    Action.NOT_PUNISH: "已作出不予处罚决定",
    Action.MEDIATE: "调解结案",
    Action.CONCLUDE_CASE: "结案",
}
# Steps after which nothing is left to count on the alert.
FINAL_CONCLUSIONS = frozenset(
    {Action.CONCLUDE_INVESTIGATION, Action.REVOKE_CASE, Action.MEDIATE, Action.CONCLUDE_CASE}
)


def _after_conclusion(alert: Any, action: str, at: dt.datetime) -> None:
    note = CONCLUSION_ACTIONS[action]
    if action in FINAL_CONCLUSIONS:
        running = [d for d in _running(alert) if d.code not in WINDOW_CODES]
    elif action in (Action.PUNISH, Action.NOT_PUNISH):
        running = _running(alert, "public_order_case")
    else:
        running = []
    for deadline in running:
        deadline_stop(actor=None, deadline=deadline, at=max(at, deadline.started_at), note=note)


def revoke_cleanup(alert: Any, at: dt.datetime) -> None:
    stop(alert, "reconsideration_decision", "复议撤销原决定", at)
    stop(alert, "review_decision", "复核撤销原决定", at)
    stop(alert, "review_application", "原决定已撤销", at)
