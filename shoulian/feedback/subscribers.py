"""What an accepted workflow step means for feedback: the alert's follow-up task is opened when
the alert reaches a closed status, rescheduled while 复议/复核 may still come, closed by a 回访
step and cancelled when a decision is set aside (issue 6 §5). Registered in ``apps.py``."""

from __future__ import annotations

from shoulian.feedback.services import follow_up_sync
from shoulian.workflow.hooks import TransitionRecord, on_transition


@on_transition(order=200)
def follow_up_on_transition(t: TransitionRecord) -> None:
    satisfied = t.data.get("satisfied")
    follow_up_sync(
        alert=t.alert,
        action=t.action,
        source=t.source,
        target=t.target,
        at=t.at,
        step=t.step,
        satisfied=satisfied if isinstance(satisfied, bool) else None,
    )
