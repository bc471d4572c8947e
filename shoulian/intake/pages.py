"""What the alert's registration and evidence show, for whichever page holds them: the alert file
(警情档案, a page of workflow, which includes ``intake/_registration.html`` and
``intake/_evidence.html`` as its first two tabs) or intake's own fallback page."""

from __future__ import annotations

from typing import Any

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record_read
from shoulian.intake import hooks, selectors
from shoulian.intake.choices import PartyRole
from shoulian.intake.models import Alert

COMPLETING_ROLES = (Role.CLERK, Role.OFFICER)
RECEIPT_ROLES = (Role.CLERK, Role.OFFICER, Role.LEADER, Role.CENTER_HEAD)


def registration_context(user: Any, alert: Alert) -> dict[str, Any]:
    """The registration tab of a visible alert (fetched with ``selectors.alert_detail``). Opening
    it shows the narrative and the parties (masked): a read of personal data, journalled (U1)."""
    parties = list(alert.parties.all())
    record_read(EventType.PERSONAL_DATA_VIEWED, obj=alert, fields=["alert", "parties_masked"])
    hits = selectors.recent_duplicates(
        user,
        id_numbers=[(p.id_type, p.id_number.plaintext()) for p in parties if p.id_number],
        phones=[p.phone.plaintext() for p in parties if p.phone],
        exclude_pk=alert.pk,
    )
    return {
        "alert": alert,
        "parties": parties,
        "duplicates": hits,
        "can_print": user.has_role(*RECEIPT_ROLES),
        # The deadline engine's due time of a 110 alert's registration (none once completed).
        "registration_due": None
        if alert.registration_completed_at
        else hooks.registration_due_of(alert),
        "can_complete": alert.registration_completed_at is None
        and user.has_role(*COMPLETING_ROLES),
        "reporter_role": PartyRole.REPORTER,
    }
