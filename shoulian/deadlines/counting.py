"""Counting statutory periods (DOMAIN §5). Pure functions: the only outside input is a rest-day
lookup, passed in, so tests can give any calendar and the database is read elsewhere.

The readings, with the law's words (docs/deadlines.md has the long form):

- 期间开始的时和日不算在期间以内 (刑事诉讼法 art. 105; 公安机关办理行政案件程序规定: 期间开始之时或者日
  不计算在内). Hours: the hour in which the event happened is not counted, so counting begins at the
  next whole hour: 24 hours from 10:15 end at 11:00 the next day (the textbook example: 8:30 → from
  9:00). Days: counting begins at 0:00 of the next day; a 3-day period started at any time on 1 Oct
  ends at 24:00 on 4 Oct.
- 期间的最后一日为节假日的，以节假日后的第一日为期满日期. 节假日 is read as every rest day of the
  State Council calendar: statutory holidays and ordinary weekends (the courts' reading: 节假日 includes
  公休日), minus the 调休 Saturdays and Sundays, which are working days. Holidays inside the period
  are not taken out. Only periods counted in days move; hours are exact (the rule speaks of the last
  *day*).
- 对于羁押/限制人身自由的期间，应当至期满之日为止，不得因节假日而延长: a rule with
  ``moves_on_holiday=False`` never moves.
- 鉴定期间不计入 (e.g. 治安管理处罚法): time between a pause and its resume is added to the due time.
  A pause that begins after the period has run out does not revive it. For day periods the
  result is rounded up to 24:00 of the day it falls in (a period in days ends at the end of a day),
  then the last-day rule applies.
- Months (期间以时、日、月计算): the last day is the day of the same number in the month the period
  reaches; a month without that day (31 Jan + 1 month) ends on its last day (28/29 Feb). Then the
  last-day rule applies as for days.
- Length 0 means 当场/立即: due at the start moment itself.

Aware datetimes only; legal days are Asia/Shanghai days.
"""

from __future__ import annotations

import datetime as dt
from calendar import monthrange
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from django.utils.translation import gettext

from shoulian.deadlines.choices import ORANGE_SHARE, YELLOW_SHARE, Band, DurationUnit

LEGAL_TZ = ZoneInfo("Asia/Shanghai")
ZERO = dt.timedelta(0)
ONE_HOUR = dt.timedelta(hours=1)
ONE_DAY = dt.timedelta(days=1)

# Walking forward from a last day that is a rest day stops here: no holiday run is this long, so
# reaching it means the calendar data is wrong, not that the period should run on for ever.
MAX_REST_RUN = 31


class CalendarMissing(Exception):  # noqa: N818 - reads as a fact, like Django's ObjectDoesNotExist
    """The computation needs a year whose State Council holiday arrangement is not in the system.

    The exact date is never guessed: the caller computes a provisional one with
    ``ProvisionalCalendar``, shows it as 暂定 with the missing year, and tells the administrator."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(f"missing holiday arrangement for {year}")

    @property
    def pending_text(self) -> str:
        return gettext("待定：缺少%(year)s年节假日安排") % {"year": self.year}


class RestDays(Protocol):
    def is_rest_day(self, day: dt.date) -> bool:
        """True for weekends and holidays, False for working days (incl. 调休 workdays).

        Raises ``CalendarMissing`` for a year without a calendar."""
        ...


class ProvisionalCalendar:
    """A calendar for a provisional due date (暂定): where ``base`` has no arrangement for a year,
    Saturdays and Sundays are taken as the only rest days of that year.

    Used only after an exact computation raised ``CalendarMissing``; ``assumed`` names the years
    that were guessed, so the caller can show why the date is provisional and recompute it once the
    State Council notice is entered. A provisional date is at most a few days off: it misses the
    year's holidays (real date later) and its 调休 working weekends (real date earlier)."""

    def __init__(self, base: RestDays) -> None:
        self.base = base
        self.assumed: set[int] = set()

    def is_rest_day(self, day: dt.date) -> bool:
        try:
            return self.base.is_rest_day(day)
        except CalendarMissing:
            self.assumed.add(day.year)
            return day.weekday() >= 5


@dataclass(frozen=True)
class Period:
    length: int
    unit: str  # DurationUnit
    moves_on_holiday: bool = True

    def __post_init__(self) -> None:
        if self.length < 0:
            raise ValueError("a period cannot be negative")
        if self.unit not in DurationUnit.values:
            raise ValueError(f"unknown period unit: {self.unit}")


@dataclass(frozen=True)
class Interval:
    """A pause (鉴定 etc.): ``end`` is None while it lasts."""

    start: dt.datetime
    end: dt.datetime | None = None


def require_aware(value: dt.datetime, name: str = "time") -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def local_midnight(day: dt.date) -> dt.datetime:
    """0:00 of ``day`` in legal time, i.e. 24:00 of the day before."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=LEGAL_TZ)


def end_of_day(day: dt.date) -> dt.datetime:
    """24:00 of ``day``: the moment a period whose last day is ``day`` runs out."""
    return local_midnight(day + ONE_DAY)


def last_day_of(moment: dt.datetime) -> dt.date:
    """The legal day a period ending at ``moment`` ends on (24:00 belongs to the day before)."""
    local = moment.astimezone(LEGAL_TZ)
    if local.time() == dt.time(0):
        return local.date() - ONE_DAY
    return local.date()


def counting_begins(start: dt.datetime, unit: str) -> dt.datetime:
    """The first moment that counts: the next whole hour, or 0:00 of the next day."""
    require_aware(start, "start")
    local = start.astimezone(LEGAL_TZ)
    if unit == DurationUnit.HOURS:
        return local.replace(minute=0, second=0, microsecond=0) + ONE_HOUR
    return local_midnight(local.date() + ONE_DAY)


def next_working_day(day: dt.date, calendar: RestDays) -> dt.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    for _ in range(MAX_REST_RUN + 1):
        if not calendar.is_rest_day(day):
            return day
        day += ONE_DAY
    raise ValueError(f"calendar data looks wrong: more than {MAX_REST_RUN} rest days before {day}")


def _add_working_days(start_day: dt.date, count: int, calendar: RestDays) -> dt.date:
    """The ``count``-th working day after ``start_day`` (which itself is not counted)."""
    day = start_day
    remaining = count
    while remaining > 0:
        day += ONE_DAY
        if not calendar.is_rest_day(day):
            remaining -= 1
    return day


def add_months(day: dt.date, months: int) -> dt.date:
    """The same-numbered day ``months`` later, or that month's last day when it has none."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, monthrange(year, month)[1]))


def _nominal_end(start: dt.datetime, period: Period, calendar: RestDays) -> dt.datetime:
    """Where the period runs out before pauses and before the last-day rule."""
    if period.unit == DurationUnit.HOURS:
        return counting_begins(start, period.unit) + period.length * ONE_HOUR
    start_day = start.astimezone(LEGAL_TZ).date()
    if period.unit == DurationUnit.WORKING_DAYS:
        return end_of_day(_add_working_days(start_day, period.length, calendar))
    if period.unit == DurationUnit.MONTHS:
        return end_of_day(add_months(start_day, period.length))
    return end_of_day(start_day + dt.timedelta(days=period.length))


def _finish(raw_end: dt.datetime, period: Period, calendar: RestDays) -> dt.datetime:
    """Apply the end-of-day rounding and the last-day rule to a raw end."""
    if period.unit == DurationUnit.HOURS:
        return raw_end
    last = last_day_of(raw_end)
    moves = period.moves_on_holiday or period.unit == DurationUnit.WORKING_DAYS
    if moves:
        last = next_working_day(last, calendar)
    return end_of_day(last)


Span = tuple[dt.datetime, dt.datetime]


def merge_intervals(intervals: Iterable[Interval], start: dt.datetime) -> list[Span]:
    """Closed pauses as (begin, end), clipped to ``start``, sorted, overlaps merged."""
    spans: list[Span] = []
    for interval in intervals:
        if interval.end is None:
            raise ValueError("the period is paused: no due time until it resumes")
        require_aware(interval.start, "pause start")
        require_aware(interval.end, "pause end")
        begin = max(interval.start, start)
        if interval.end > begin:
            spans.append((begin, interval.end))
    spans.sort()
    merged: list[Span] = []
    for begin, end in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def due_at(
    start: dt.datetime,
    period: Period,
    calendar: RestDays,
    *,
    pauses: Sequence[Interval] = (),
    extension: int = 0,
) -> dt.datetime:
    """The moment the period runs out, in legal time.

    ``extension`` is in the period's unit (an approved extension adds to the length). Raises
    ``CalendarMissing`` when a day it must classify lies in a year without a calendar."""
    require_aware(start, "start")
    if extension < 0:
        raise ValueError("an extension cannot be negative")
    total = Period(period.length + extension, period.unit, period.moves_on_holiday)
    start = start.astimezone(LEGAL_TZ)
    if total.length == 0:
        return start
    raw_end = _nominal_end(start, total, calendar)
    paused = ZERO
    # Time before counting begins (the rest of the start hour or day) is not counted anyway, so a
    # pause only adds what falls after it.
    for begin, end in merge_intervals(pauses, counting_begins(start, total.unit)):
        if begin >= _finish(raw_end + paused, total, calendar):
            break
        paused += end - begin
    return _finish(raw_end + paused, total, calendar)


def paused_before(pauses: Sequence[Interval], start: dt.datetime, now: dt.datetime) -> dt.timedelta:
    """Paused time between ``start`` and ``now`` (an open pause counts up to ``now``)."""
    total = ZERO
    closed = [Interval(p.start, min(p.end, now) if p.end else now) for p in pauses]
    for begin, end in merge_intervals(closed, start):
        if begin < now:
            total += min(end, now) - begin
    return total


def share_used(
    start: dt.datetime,
    due: dt.datetime,
    now: dt.datetime,
    pauses: Sequence[Interval] = (),
) -> float:
    """Share of the running time used, 0.0 at the start, 1.0 at the due time, above when overdue.

    Paused time counts neither as used nor as available."""
    for value, name in ((start, "start"), (due, "due"), (now, "now")):
        require_aware(value, name)
    available = due - start - paused_before(pauses, start, due)
    if available <= ZERO:
        return 1.0 if now >= due else 0.0
    used = now - start - paused_before(pauses, start, now)
    return max(used / available, 0.0)


def band_for(
    *,
    due: dt.datetime | None,
    now: dt.datetime,
    share: float | None,
    paused: bool = False,
) -> Band:
    if paused:
        return Band.PAUSED
    if due is None or share is None:
        return Band.UNKNOWN
    if now > due:
        return Band.RED
    if share >= ORANGE_SHARE:
        return Band.ORANGE
    if share >= YELLOW_SHARE:
        return Band.YELLOW
    return Band.GREEN


def moment_text(moment: dt.datetime) -> str:
    """``2027年1月8日 24时`` for a period that ends at midnight, ``2027年1月8日 11时`` otherwise
    (with minutes where the moment has them, e.g. a 当场 node)."""
    local = moment.astimezone(LEGAL_TZ)
    midnight = local.time() == dt.time(0)
    day = last_day_of(local) if midnight else local.date()
    values = {
        "year": day.year,
        "month": day.month,
        "day": day.day,
        "hour": 24 if midnight else local.hour,
        "minute": f"{local.minute:02d}",
    }
    if local.minute:
        return gettext("%(year)s年%(month)s月%(day)s日 %(hour)s时%(minute)s分") % values
    return gettext("%(year)s年%(month)s月%(day)s日 %(hour)s时") % values


def describe(period: Period) -> str:
    """``24小时`` / ``3日`` / ``3个工作日`` / ``当场``."""
    if period.length == 0:
        return gettext("当场")
    return gettext("%(length)s%(unit)s") % {
        "length": period.length,
        "unit": DurationUnit(period.unit).label,
    }
