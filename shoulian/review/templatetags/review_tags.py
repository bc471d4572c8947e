from __future__ import annotations

from typing import Any

from django import template

from shoulian.review.policy import READER_ROLES

register = template.Library()


@register.filter
def reads_reviews(user: Any) -> bool:
    """Whether the 巡查/视音频 tab of the alert file is for ``user``."""
    has_role = getattr(user, "has_role", None)
    return bool(has_role and has_role(*READER_ROLES))
