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
