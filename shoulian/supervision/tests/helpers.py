"""Test data for supervision, made through the services (intake and workflow helpers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from shoulian.supervision.models import Finding
from shoulian.supervision.services import evaluate, patrol_run


def patrol(bureau: Any, now: dt.datetime | None = None, **kwargs: Any) -> Any:
    """One evaluation of every rule (or ``codes``) for the bureau at ``now``."""
    with transaction.atomic():
        return evaluate(bureau=bureau, now=now or timezone.now(), **kwargs)


def run(bureau: Any, now: dt.datetime | None = None) -> Any:
    return patrol_run(bureau=bureau, now=now or timezone.now())


def findings_of(code: str, **filters: Any) -> list[Finding]:
    return list(Finding.objects.filter(rule_code=code, **filters).order_by("pk"))


def only(code: str, **filters: Any) -> Finding:
    rows = findings_of(code, **filters)
    assert len(rows) == 1, [str(r) for r in rows]
    return rows[0]


def later(hours: float = 0, days: float = 0) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours, days=days)


def due(row: Any) -> dt.datetime:
    """A row's due time, known to be set (a finding's rectification, a running deadline)."""
    assert row.due_at is not None
    return row.due_at  # type: ignore[no-any-return]


def aged_alert(clerk: Any, officer: Any, *, days: float, receipt: bool = True) -> Any:
    """A walk-in alert registered ``days`` ago and in handling at ``officer``'s unit since then,
    every step through the services with its historical moment."""
    import uuid

    from shoulian.intake import services as intake
    from shoulian.intake.tests.helpers import alert_input
    from shoulian.workflow.choices import Action
    from shoulian.workflow.services import alert_transition
    from shoulian.workflow.tests.helpers import fresh

    then = timezone.now() - dt.timedelta(days=days)
    data = alert_input(
        received_at=then - dt.timedelta(minutes=5), incident_at=then - dt.timedelta(hours=8)
    )
    alert = intake.alert_register(
        actor=clerk, data=data, idempotency_key=uuid.uuid4().hex, now=then
    ).alert
    if receipt:
        intake.receipt_print(actor=clerk, alert=alert, now=then + dt.timedelta(minutes=2))
    steps = [
        (clerk, Action.ROUTE, {"unit": officer.unit, "reason": "辖区派出所"}),
        (officer, Action.SIGN_FOR, {}),
        (officer, Action.START_HANDLING, {}),
    ]
    for n, (actor, action, payload) in enumerate(steps, start=1):
        current = fresh(alert)
        alert_transition(
            actor=actor,
            alert=current,
            action=action,
            expected_version=current.version,
            now=then + dt.timedelta(minutes=10 * n),
            **payload,
        )
    return fresh(alert)
