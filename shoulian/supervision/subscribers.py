"""Incremental patrol: after every accepted step of an alert, the rules that take part in
incremental evaluation are evaluated for that alert, inside the step's transaction, so a finding
opens (or clears) with the step that caused it. Registered in ``apps.py``.

Order 300: after feedback (200), so a 回访 step's satisfaction is already on the follow-up when
the dissatisfied-follow-up rule reads it."""

from __future__ import annotations

from shoulian.supervision.services import evaluate_alert
from shoulian.workflow.hooks import TransitionRecord, on_transition


@on_transition(order=300)
def patrol_on_transition(t: TransitionRecord) -> None:
    evaluate_alert(alert=t.alert, now=t.at)
