"""Property tests of the counting over the State Council calendars 2024–2026."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from shoulian.deadlines.choices import DurationUnit
from shoulian.deadlines.counting import (
    LEGAL_TZ,
    Interval,
    Period,
    counting_begins,
    due_at,
    end_of_day,
    last_day_of,
)
from shoulian.deadlines.tests.helpers import library_calendar

# Starts late enough in 2026 still leave room for 60 days plus a holiday run inside 2026.
starts = st.datetimes(
    min_value=dt.datetime(2024, 1, 1),
    max_value=dt.datetime(2026, 10, 20),
    timezones=st.just(LEGAL_TZ),
)
day_periods = st.builds(
    Period,
    length=st.integers(min_value=1, max_value=60),
    unit=st.just(DurationUnit.DAYS),
    moves_on_holiday=st.booleans(),
)
hour_periods = st.builds(
    Period,
    length=st.integers(min_value=1, max_value=24 * 30),
    unit=st.just(DurationUnit.HOURS),
    moves_on_holiday=st.just(False),
)
periods = st.one_of(day_periods, hour_periods)
CAL = library_calendar()


@given(start=starts, period=periods)
def test_due_is_never_before_start_plus_length(start: dt.datetime, period: Period) -> None:
    due = due_at(start, period, CAL)
    if period.unit == DurationUnit.HOURS:
        assert due == counting_begins(start, period.unit) + dt.timedelta(hours=period.length)
        assert due > start + dt.timedelta(hours=period.length)
    else:
        assert due >= end_of_day(start.date() + dt.timedelta(days=period.length))


@given(a=starts, b=starts, period=periods)
def test_a_later_start_never_gives_an_earlier_due(
    a: dt.datetime, b: dt.datetime, period: Period
) -> None:
    early, late = sorted((a, b))
    assert due_at(early, period, CAL) <= due_at(late, period, CAL)


@given(start=starts, period=day_periods)
def test_a_working_last_day_never_moves(start: dt.datetime, period: Period) -> None:
    last = start.date() + dt.timedelta(days=period.length)
    due = due_at(start, period, CAL)
    if not CAL.is_rest_day(last) or not period.moves_on_holiday:
        assert due == end_of_day(last)


@given(start=starts, period=day_periods)
def test_a_moving_period_always_ends_on_a_working_day_after_a_run_of_rest_days(
    start: dt.datetime, period: Period
) -> None:
    moving = Period(period.length, period.unit, moves_on_holiday=True)
    last = last_day_of(due_at(start, moving, CAL))
    assert not CAL.is_rest_day(last)
    nominal = start.date() + dt.timedelta(days=period.length)
    skipped = [nominal + dt.timedelta(days=n) for n in range((last - nominal).days)]
    assert all(CAL.is_rest_day(day) for day in skipped)


@given(start=starts, period=day_periods)
def test_custody_never_ends_after_the_moving_variant(start: dt.datetime, period: Period) -> None:
    custody = Period(period.length, period.unit, moves_on_holiday=False)
    moving = Period(period.length, period.unit, moves_on_holiday=True)
    assert due_at(start, custody, CAL) <= due_at(start, moving, CAL)


@given(
    start=starts,
    period=periods,
    offset_hours=st.integers(min_value=0, max_value=24 * 20),
    pause_hours=st.integers(min_value=0, max_value=24 * 10),
    extension=st.integers(min_value=0, max_value=30),
)
@settings(max_examples=200)
def test_pauses_and_extensions_only_ever_push_the_due_time_later(
    start: dt.datetime, period: Period, offset_hours: int, pause_hours: int, extension: int
) -> None:
    plain = due_at(start, period, CAL)
    pause_start = start + dt.timedelta(hours=offset_hours)
    pause = Interval(pause_start, pause_start + dt.timedelta(hours=pause_hours))
    paused = due_at(start, period, CAL, pauses=[pause])
    extended = due_at(start, period, CAL, extension=extension)
    assert paused >= plain and extended >= plain
    if pause_start >= plain:
        assert paused == plain
