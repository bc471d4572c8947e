"""Text helpers shared by every app: the type of a user-facing string, and the Chinese wording of
dates and legal periods sent to citizens (SMS, query page) so that notify and feedback never
word the same deadline two ways."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TypeAlias

from django.utils import timezone

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as Promise
else:
    from django.utils.functional import Promise

# A user-facing string: plain, or lazily translated (gettext_lazy).
Text: TypeAlias = "str | Promise"


def date_zh(value: dt.datetime | dt.date | None) -> str:
    """``2026年3月5日``: the local (Asia/Shanghai) date of a moment, or a date; "" for None."""
    if value is None:
        return ""
    day = timezone.localdate(value) if isinstance(value, dt.datetime) else value
    return f"{day.year}年{day.month}月{day.day}日"


def last_day(due: dt.datetime | None) -> dt.date | None:
    """The last day of a day period. A period ends at 24:00 of its last day, which the deadline
    engine stores as 0:00 of the day after (docs/deadlines.md): the citizen's last day is the day
    before that instant."""
    if due is None:
        return None
    return timezone.localdate(due - dt.timedelta(microseconds=1))


def last_day_zh(due: dt.datetime | dt.date | None) -> str:
    """``2026年3月12日24时``: how a citizen reads the end of a day period (a due instant, or the
    last day itself); "" for None."""
    day = last_day(due) if isinstance(due, dt.datetime) else due
    return "" if day is None else f"{date_zh(day)}24时"
