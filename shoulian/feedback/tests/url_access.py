"""Access rules of the feedback pages for the URL matrix (Z1, Z3). Objects are made through the
services, once per bureau."""

from __future__ import annotations

from typing import Any

from shoulian.accounts.choices import Role
from shoulian.core.tests.matrix import Rule

COMPLAINT_READERS = frozenset({Role.CLERK, Role.CENTER_HEAD, Role.BUREAU_HEAD, Role.INSPECTOR})
CENTER = frozenset({Role.CLERK, Role.CENTER_HEAD})


def _complaint(bureau: Any) -> Any:
    from shoulian.feedback.models import Complaint
    from shoulian.feedback.tests.helpers import file_complaint

    found = Complaint.objects.filter(bureau=bureau.bureau).first()
    return found or file_complaint(unit=bureau.center, key=f"matrix-{bureau.bureau.code}")


def _follow_up(bureau: Any) -> Any:
    """The follow-up of an alert closed by an approved 立案 (the workflow matrix's document)."""
    from shoulian.feedback.models import FollowUp
    from shoulian.workflow.tests.url_access import _document

    found = FollowUp.objects.filter(center=bureau.center).first()
    return found or FollowUp.objects.get(alert=_document(bureau).alert)


ACCESS = {
    "feedback:complaints": Rule(COMPLAINT_READERS),
    "feedback:complaint_new": Rule(CENTER),
    "feedback:complaint": Rule(
        COMPLAINT_READERS,
        kwargs=lambda u, own, other: {"pk": _complaint(own).pk},
        foreign=lambda u, own, other: {"pk": _complaint(other).pk},
    ),
    "feedback:follow_ups": Rule(CENTER),
    "feedback:follow_up": Rule(
        CENTER,
        kwargs=lambda u, own, other: {"pk": _follow_up(own).pk},
        foreign=lambda u, own, other: {"pk": _follow_up(other).pk},
    ),
}
