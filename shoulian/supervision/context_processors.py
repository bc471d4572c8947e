"""The inbox link with its unread count in the header of every staff page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from shoulian.accounts.choices import Role
from shoulian.supervision.selectors import unread_count


def inbox(request: HttpRequest) -> dict[str, Any]:
    user: Any = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    # Between password and second factor the session may open nothing.
    if not (getattr(user, "is_verified", lambda: False)() or user.totp_waived()):
        return {}
    if not user.role_set - {Role.ADMIN}:
        return {}
    return {
        "header_links": [
            {
                "label": "消息",
                "url": reverse("supervision:inbox"),
                "count": unread_count(user),
                "title": "未读消息",
            }
        ]
    }
