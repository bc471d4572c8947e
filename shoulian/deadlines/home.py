"""The deadline engine's home-page panel: the administrator's missing-calendar warning."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from shoulian.accounts.choices import Role
from shoulian.core.home import home_panel
from shoulian.deadlines.selectors import calendar_warning


@home_panel("deadlines.calendar_warning", order=10)
def calendar_warning_panel(user: Any) -> SafeString | None:
    if not user.has_role(Role.ADMIN):
        return None
    warning = calendar_warning()
    if warning is None:
        return None
    return SafeString(
        render_to_string("deadlines/includes/calendar_warning.html", {"warning": warning})
    )
