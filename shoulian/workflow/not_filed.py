"""The approved 不予立案 decision an alert stands on, and the complainant's windows against it.

After 不予立案 the complainant may apply for 复议 within 7 days of service of the notice and, once
复议 upheld it, for 复核 within 7 days of receiving that decision (its service) (《公安机关办理刑事案件程序规定》 art. 179).
The workflow's guards, the milestone SMS and the follow-up task all ask these questions; they
ask them here so that none of them reads the decision or a window differently.
"""

from __future__ import annotations

import datetime as dt

from shoulian.intake.models import Alert
from shoulian.workflow import clock
from shoulian.workflow.choices import (
    DecisionKind,
    DecisionStatus,
    ReconsiderationKind,
    ReconsiderationStatus,
)
from shoulian.workflow.models import Decision, Reconsideration

# The complainant's application windows, in the order they open.
WINDOW_CODES = ("reconsideration_application", "review_application")


def approved_not_filing(alert: Alert | int) -> Decision | None:
    """The latest approved 不予立案 decision of the alert (None if it has none)."""
    alert_id = alert if isinstance(alert, int) else alert.pk
    return (
        Decision.objects.filter(
            alert_id=alert_id, kind=DecisionKind.NOT_FILE, status=DecisionStatus.APPROVED
        )
        .order_by("-decided_at", "-id")
        .first()
    )


def unserved_reconsideration(decision: Decision) -> bool:
    """A 复议 upheld the decision and its 决定书 has not been served on the applicant yet."""
    return Reconsideration.objects.filter(
        decision=decision,
        kind=ReconsiderationKind.RECONSIDERATION,
        status=ReconsiderationStatus.UPHELD,
        served_at__isnull=True,
    ).exists()


def open_windows(alert: Alert, *, at: dt.datetime) -> list[str]:
    """The codes of the complainant's windows that have started and not yet run out at ``at``
    (a window still being counted is open until its due time)."""
    found = []
    for code in WINDOW_CODES:
        due = clock.window_due(alert, code)
        if due is not None and at <= due:
            found.append(code)
    return found


def windows_close_at(
    alert: Alert, decision: Decision | None, *, at: dt.datetime
) -> dt.datetime | None:
    """When nothing more can happen to the decision: the latest due time of the windows, or
    ``at`` if they have all run out. None while that cannot be known yet: the notice is not
    served (the 复议 window has not started) or an application is being decided."""
    if decision is None or decision.notice_served_at is None:
        return None
    if Reconsideration.objects.filter(
        decision=decision, status=ReconsiderationStatus.PENDING
    ).exists():
        return None
    if unserved_reconsideration(decision):
        # The 复核 window starts when the applicant receives the 复议决定书: not yet known.
        return None
    ready = at
    for code in WINDOW_CODES:
        due = clock.window_due(alert, code)
        if due is not None and due > ready:
            ready = due
    return ready
