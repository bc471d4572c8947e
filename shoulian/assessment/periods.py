"""Assessment periods: months, quarters and years of Asia/Shanghai (legal days), never UTC."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from shoulian.assessment.choices import PeriodKind
from shoulian.deadlines.versions import LEGAL_TZ, legal_date


def month_of(moment: dt.datetime) -> dt.date:
    """The first day of the Asia/Shanghai month ``moment`` falls in."""
    return legal_date(moment).replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date  # first day

    @classmethod
    def of(cls, kind: str, day: dt.date) -> Period:
        if kind == PeriodKind.YEAR:
            return cls(kind, dt.date(day.year, 1, 1))
        if kind == PeriodKind.QUARTER:
            return cls(kind, dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1))
        return cls(PeriodKind.MONTH, day.replace(day=1))

    @classmethod
    def parse(cls, kind: str, text: str) -> Period:
        """``2026-11`` (month), ``2026-Q4`` (quarter), ``2026`` (year); ValueError otherwise."""
        if kind == PeriodKind.YEAR:
            return cls(kind, dt.date(int(text), 1, 1))
        if kind == PeriodKind.QUARTER:
            year, q = text.split("-Q")
            quarter = int(q)
            if not 1 <= quarter <= 4:
                raise ValueError(text)
            return cls(kind, dt.date(int(year), quarter * 3 - 2, 1))
        year, month = text.split("-")
        return cls(PeriodKind.MONTH, dt.date(int(year), int(month), 1))

    @property
    def length(self) -> int:
        lengths: dict[str, int] = {PeriodKind.YEAR: 12, PeriodKind.QUARTER: 3}
        return lengths.get(self.kind, 1)

    @property
    def months(self) -> list[dt.date]:
        return [add_months(self.start, n) for n in range(self.length)]

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        return add_months(self.start, self.length)

    @property
    def token(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return f"{self.start.year}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return f"{self.start.year}年"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.year}年{self.start.month}月"

    def previous(self, n: int = 1) -> Period:
        return Period(self.kind, add_months(self.start, -self.length * n))

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as aware instants: 00:00 of its first day to 00:00 after its last, in
        Asia/Shanghai."""
        start = dt.datetime.combine(self.start, dt.time(0), tzinfo=LEGAL_TZ)
        return start, dt.datetime.combine(self.end, dt.time(0), tzinfo=LEGAL_TZ)


def current(kind: str, now: dt.datetime | None = None) -> Period:
    return Period.of(kind, legal_date(now or timezone.now()))
