"""Test data for the workflow, always created through the services (intake's helpers register)."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps

from shoulian.intake.models import Alert
from shoulian.intake.tests.helpers import register
from shoulian.workflow.choices import Action, DecisionKind
from shoulian.workflow.models import Decision
from shoulian.workflow.services import Applied, alert_transition, decision_approve

LEGAL_BASIS = "《中华人民共和国刑事诉讼法》第一百一十二条"


def new_alert(clerk: Any, **overrides: Any) -> Alert:
    """A walk-in alert registered at ``clerk``'s desk (default: 盗窃电动车 in 城关辖区)."""
    return register(clerk, **overrides).alert


def fresh(alert: Alert) -> Alert:
    return Alert.objects.select_related("handling_unit", "category").get(pk=alert.pk)


def act(actor: Any, alert: Alert, action: str, **payload: Any) -> Applied:
    current = fresh(alert)
    return alert_transition(
        actor=actor, alert=current, action=action, expected_version=current.version, **payload
    )


def routed(clerk: Any, unit: Any, **overrides: Any) -> Alert:
    alert = new_alert(clerk, **overrides)
    act(clerk, alert, Action.ROUTE, unit=unit, reason="测试分派")
    return fresh(alert)


def handling(clerk: Any, officer: Any, **overrides: Any) -> Alert:
    """Registered, routed to ``officer``'s unit, signed for and in handling."""
    alert = routed(clerk, officer.unit, **overrides)
    act(officer, alert, Action.SIGN_FOR)
    act(officer, alert, Action.START_HANDLING)
    return fresh(alert)


def propose(
    officer: Any, alert: Alert, kind: str = DecisionKind.CRIMINAL_FILE, **extra: Any
) -> Decision:
    payload = {
        "kind": kind,
        "facts": "经查，报案人所述电动车被盗属实，有监控录像佐证，涉案价值已达立案标准。",
        "legal_basis": LEGAL_BASIS,
        **extra,
    }
    act(officer, alert, Action.PROPOSE, **payload)
    return Decision.objects.get(alert=alert, status="pending")


def approve(actor: Any, decision: Decision, note: str = "同意。") -> Applied:
    decision.refresh_from_db()
    return decision_approve(
        actor=actor, decision=decision, expected_version=fresh(decision.alert).version, note=note
    )


def reseed_data_migrations() -> None:
    """Transactional tests flush what data migrations wrote; put the rules and chains back."""
    for module in (
        "shoulian.intake.migrations.0002_seed_classification_standard",
        "shoulian.deadlines.migrations.0002_seed_calendar",
        "shoulian.deadlines.migrations.0003_seed_rules",
        "shoulian.deadlines.migrations.0005_rule_versions_issue_12",
        "shoulian.workflow.migrations.0002_seed_default_chains",
        "shoulian.workflow.migrations.0006_conclusion_chains_and_penalty",
    ):
        importlib.import_module(module).seed(apps, None)


# Statuses whose decision ends the alert's handling for good (a case goes on after 立案/受案).
ENDED_STATUSES = frozenset({"not_filed", "transferred", "not_police", "closed_non_case"})


def deadlines_outliving_their_conclusion(user: Any = None) -> list[tuple[str, str, Any, Any]]:
    """Running deadlines of alerts (``user``'s 我的期限, or all) that started before the alert's
    conclusion and still run: (code, alert number, started, concluded). A final case stage
    (侦查终结, 撤销, 调解, 结案) ends every clock but the complainant's windows; a 处罚 / 不予处罚
    decision ends the 治安 case period; a decision that ends the handling (不予立案, 移送, 不属于
    公安职责, 非案件类办结) ends the clocks that ran before it."""
    from shoulian.deadlines.choices import PARTY_WINDOW_CODES, DeadlineStatus
    from shoulian.deadlines.models import Deadline
    from shoulian.deadlines.selectors import work_queue
    from shoulian.workflow.choices import FINAL_CASE_STAGES, CaseStage
    from shoulian.workflow.intake_clock import INTAKE_CODES
    from shoulian.workflow.models import AlertFlow, FlowStep

    if user is not None:
        running = [item.deadline for item in work_queue(user, limit=100_000)]
    else:
        running = list(
            Deadline.objects.filter(object_type="alert")
            .exclude(status=DeadlineStatus.STOPPED)
            .exclude(code__in=PARTY_WINDOW_CODES)
        )
    # The desk's own periods (the walk-in receipt, the 110 registration) end only when the desk
    # acts: a concluded alert still owes its receipt, which the patrol reports.
    running = [d for d in running if d.object_type == "alert" and d.code not in INTAKE_CODES]
    ids = {int(d.object_id) for d in running}
    flows = {f.alert_id: f for f in AlertFlow.objects.filter(alert_id__in=ids)}
    alerts = {a.pk: a for a in Alert.objects.filter(pk__in=ids)}
    ended = {
        (s.alert_id, s.to_status): s.at
        for s in FlowStep.objects.filter(alert_id__in=ids, to_status__in=ENDED_STATUSES)
    }
    found = []
    for deadline in running:
        pk = int(deadline.object_id)
        flow, alert = flows.get(pk), alerts[pk]
        stage = flow.case_stage if flow is not None else ""
        concluded = None
        if stage in FINAL_CASE_STAGES or (
            stage in (CaseStage.PUNISHED, CaseStage.NOT_PUNISHED)
            and deadline.code == "public_order_case"
        ):
            concluded = flow.case_stage_at if flow is not None else None
        elif alert.status in ENDED_STATUSES:
            concluded = ended.get((pk, alert.status))
        if concluded is not None and deadline.started_at < concluded:
            found.append((deadline.code, alert.number, deadline.started_at, concluded))
    return found
