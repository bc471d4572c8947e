"""``{% load deadlines_tags %}{% calendar_warning_notice %}``: the missing-calendar warning for the
administrator, on any page that wants it (home, system management)."""

from __future__ import annotations

from typing import Any

from django import template

from shoulian.accounts.choices import Role
from shoulian.deadlines.selectors import calendar_warning

register = template.Library()


@register.inclusion_tag("deadlines/includes/calendar_warning.html", takes_context=True)
def calendar_warning_notice(context: dict[str, Any]) -> dict[str, Any]:
    user = context.get("user")
    show = bool(user is not None and getattr(user, "has_role", None) and user.has_role(Role.ADMIN))
    return {"warning": calendar_warning() if show else None}
