"""The holiday calendar as the counting code sees it, and the State Council data that seeds it.

The database is the source of truth (the administrator can enter a year the library does not know
yet); ``chinese-calendar`` only seeds and refreshes the years it carries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from shoulian.deadlines.choices import CalendarYearStatus
from shoulian.deadlines.counting import CalendarMissing

# chinese-calendar names its holidays in English; the interface shows the notice's Chinese names.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
WORKDAY_SUFFIX = "调休上班"


@dataclass
class StaticCalendar:
    """A rest-day lookup over known years and their exception days (tests and the DB loader)."""

    years: set[int]
    exceptions: dict[dt.date, bool] = field(default_factory=dict)

    def is_rest_day(self, day: dt.date) -> bool:
        if day.year not in self.years:
            raise CalendarMissing(day.year)
        rest = self.exceptions.get(day)
        if rest is not None:
            return rest
        return day.weekday() >= 5


class DatabaseCalendar:
    """Loads each year on first use; one instance per computation batch (recompute loads once)."""

    def __init__(self) -> None:
        self._years: dict[int, dict[dt.date, bool] | None] = {}

    def _load(self, year: int) -> dict[dt.date, bool] | None:
        from shoulian.deadlines.models import CalendarDay, CalendarYear

        if year not in self._years:
            published = CalendarYear.objects.filter(
                year=year, status=CalendarYearStatus.PUBLISHED
            ).exists()
            self._years[year] = (
                dict(CalendarDay.objects.filter(year__year=year).values_list("date", "is_rest_day"))
                if published
                else None
            )
        return self._years[year]

    def is_rest_day(self, day: dt.date) -> bool:
        exceptions = self._load(day.year)
        if exceptions is None:
            raise CalendarMissing(day.year)
        rest = exceptions.get(day)
        if rest is not None:
            return rest
        return day.weekday() >= 5


@dataclass(frozen=True)
class LibraryDay:
    date: dt.date
    is_rest_day: bool
    name: str


def library_years() -> dict[int, list[LibraryDay]]:
    """Every year ``chinese-calendar`` carries, as exception days (holidays and 调休 workdays)."""
    from chinese_calendar import constants

    years: dict[int, list[LibraryDay]] = {}
    for day, english in constants.holidays.items():
        years.setdefault(day.year, []).append(
            LibraryDay(day, True, HOLIDAY_NAMES.get(english, english))
        )
    for day, english in constants.workdays.items():
        name = HOLIDAY_NAMES.get(english, english) + WORKDAY_SUFFIX
        years.setdefault(day.year, []).append(LibraryDay(day, False, name))
    return {year: sorted(days, key=lambda d: d.date) for year, days in sorted(years.items())}


def library_notice(year: int) -> str:
    return f"国务院办公厅关于{year}年部分节假日安排的通知"
