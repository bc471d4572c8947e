"""The rollup upkeep, in the transaction of the change (docs/dashboard.md).

Order 900: after the workflow's clock, feedback's follow-up task (200) and supervision's
incremental patrol (300), so the fact sees the deadline, the 回访 and the findings the same step
wrote. The findings counters move with every finding opened or changed (``supervision.hooks``),
whether by a transition's incremental patrol, the daily patrol, a rectification step or the
escalation job."""

from __future__ import annotations

from shoulian.dashboard import services
from shoulian.intake.hooks import IntakeEvent, IntakeRecord, on_intake_event
from shoulian.supervision.hooks import on_finding_change
from shoulian.workflow.hooks import TransitionRecord, on_transition


@on_transition(order=900)
def rollups_on_transition(t: TransitionRecord) -> None:
    facts = services.fact_refresh([t.alert.pk])
    # Red and escalated findings of this step (the incremental patrol's, order 300) entered the
    # feed through the findings hook below.
    services.warnings_for_bounces(facts.values(), at=t.at)


@on_intake_event
def rollups_on_intake(r: IntakeRecord) -> None:
    services.fact_refresh([r.alert.pk], registered=r.event == IntakeEvent.REGISTERED)


@on_finding_change
def rollups_on_finding(finding_ids: list[int]) -> None:
    services.finding_refresh(finding_ids)
