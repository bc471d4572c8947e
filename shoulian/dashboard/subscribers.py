"""The rollup upkeep, in the transaction of the change (docs/dashboard.md).

Order 900: after the workflow's clock, feedback's follow-up task (200) and supervision's
incremental patrol (300), so the fact sees the deadline, the 回访 and the findings the same step
wrote."""

from __future__ import annotations

from shoulian.dashboard import services
from shoulian.intake.hooks import IntakeRecord, on_intake_event
from shoulian.workflow.hooks import TransitionRecord, on_transition


@on_transition(order=900)
def rollups_on_transition(t: TransitionRecord) -> None:
    facts = services.fact_refresh([t.alert.pk])
    services.warnings_for_bounces(facts.values(), at=t.at)
    services.warnings_from_findings(alert_ids=[t.alert.pk], at=t.at)


@on_intake_event
def rollups_on_intake(r: IntakeRecord) -> None:
    services.fact_refresh([r.alert.pk])
