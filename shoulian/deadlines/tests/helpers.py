from __future__ import annotations

import datetime as dt
from functools import lru_cache

from shoulian.deadlines.counting import LEGAL_TZ
from shoulian.deadlines.holidays import StaticCalendar, library_years


def at(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    """An aware moment in legal (Asia/Shanghai) time."""
    return dt.datetime(y, m, d, h, mi, tzinfo=LEGAL_TZ)


@lru_cache(maxsize=1)
def library_calendar() -> StaticCalendar:
    """The chinese-calendar data as a pure lookup (no database)."""
    years = library_years()
    return StaticCalendar(
        years=set(years),
        exceptions={day.date: day.is_rest_day for days in years.values() for day in days},
    )
