"""Guards and small helpers shared by the deadline services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from shoulian.core.scoping import ScopeDomain, covers

# Event times may lag the clock (a form filled in, a batch from another system) but not lead it.
CLOCK_SKEW = dt.timedelta(minutes=1)


def sees_unit(actor: Any, unit: Any) -> bool:
    """Whether ``actor``'s case-data scope covers ``unit`` (None is the system itself)."""
    return actor is None or covers(actor, unit, ScopeDomain.CONTENT)


def signed_in(actor: Any) -> Any:
    """The actor to journal: a signed-in user, or None for the system."""
    return actor if getattr(actor, "is_authenticated", False) else None


def event_time(value: dt.datetime, *, field: str, not_before: dt.datetime | None = None) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError({field: _("时间必须带时区。")})
    if value > timezone.now() + CLOCK_SKEW:
        raise ValidationError({field: _("时间不能晚于当前时间。")})
    if not_before is not None and value < not_before:
        raise ValidationError(
            {
                field: _("时间不能早于%(time)s。")
                % {"time": f"{timezone.localtime(not_before):%Y-%m-%d %H:%M}"}
            }
        )


def is_auxiliary(actor: Any) -> bool:
    return bool(getattr(actor, "is_auxiliary", False))
