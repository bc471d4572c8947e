"""The bulletins waiting for the user, on the home page (template slot ``core.home.notices``)."""

from __future__ import annotations

from typing import Any

from django import template

from shoulian.bulletins import selectors

register = template.Library()


@register.inclusion_tag("bulletins/_home.html", takes_context=True)
def bulletins_waiting(context: template.Context) -> dict[str, Any]:
    user: Any = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return {"rows": []}
    return {"rows": selectors.waiting_for(user)}
