from __future__ import annotations

from typing import Any

from django import template

from shoulian.notify.staff import work_mobile_of

register = template.Library()


@register.simple_tag
def work_mobile(user: Any) -> Any:
    """The user's work mobile row (None if none): the page shows it masked."""
    return work_mobile_of(user)
