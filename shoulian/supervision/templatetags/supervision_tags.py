"""The pieces supervision puts into other apps' pages through template slots (``core.slots``):
the inbox link with its unread count in every staff page's header, and the findings waiting for
the user on the home page."""

from __future__ import annotations

from typing import Any

from django import template

from shoulian.accounts.choices import Role
from shoulian.supervision import selectors
from shoulian.supervision.models import FINDING_ROLES

register = template.Library()


def _staff(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    # Between password and second factor the session may open nothing.
    if not (getattr(user, "is_verified", lambda: False)() or user.totp_waived()):
        return False
    return bool(user.role_set - {Role.ADMIN})


@register.inclusion_tag("supervision/_inbox_link.html", takes_context=True)
def inbox_link(context: template.Context) -> dict[str, Any]:
    user: Any = context.get("user")
    if not _staff(user):
        return {"show": False}
    return {"show": True, "count": selectors.unread_count(user)}


@register.inclusion_tag("supervision/_home_findings.html", takes_context=True)
def my_findings(context: template.Context) -> dict[str, Any]:
    user: Any = context.get("user")
    if not _staff(user) or not user.role_set & FINDING_ROLES:
        return {"rows": []}
    rows = selectors.my_findings(user)
    for row in rows:
        row.band = selectors.due_band(row)  # type: ignore[attr-defined]
    return {"rows": rows}
