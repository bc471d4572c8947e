"""What an accepted workflow step means for complaints and follow-ups: a follow-up task is opened
when the alert reaches a closed status (issue 6 §5). Called by the workflow in the step's
transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any


def after_transition(
    *,
    alert: Any,
    action: str,
    source: str,
    target: str,
    at: dt.datetime,
    step: Any = None,
    satisfied: bool | None = None,
) -> None:
    """Open, reschedule, close or cancel the alert's follow-up task (``services.follow_up_sync``).

    ``step`` is the workflow's step just written and ``satisfied`` what a 回访 step recorded."""
    from shoulian.feedback.services import follow_up_sync

    follow_up_sync(
        alert=alert,
        action=action,
        source=source,
        target=target,
        at=at,
        step=step,
        satisfied=satisfied,
    )
