"""Table tests: every period of DOMAIN §5, with the seeded rule and the seeded State Council
calendar, on concrete dates around National Day 2025/2026, Spring Festival 2026 and 调休 days.

Expected dates are worked out by hand from the readings in counting.py (start hour/day not
counted; last day a rest day → first working day after; hours never move)."""

from __future__ import annotations

import datetime as dt

import pytest

from shoulian.deadlines import counting
from shoulian.deadlines.choices import DurationUnit
from shoulian.deadlines.counting import CalendarMissing, Interval, Period, due_at
from shoulian.deadlines.holidays import DatabaseCalendar, StaticCalendar
from shoulian.deadlines.models import DeadlineRule
from shoulian.deadlines.tests.helpers import at, library_calendar

# (rule code, start, extension granted, expected due) — due is 24:00 of the last day, written as
# 0:00 of the next day.
TABLE = [
    # 当场: due at the moment itself, holiday or not.
    ("walkin_registration", at(2025, 10, 1, 9, 30), 0, at(2025, 10, 1, 9, 30)),
    # 24 h from 10:15: the 10 o'clock hour is not counted, counting starts 11:00.
    ("urgent_registration", at(2025, 10, 1, 10, 15), 0, at(2025, 10, 2, 11, 0)),
    # Hours run through the Spring Festival; 23:59 → from 0:00 on the 15th.
    ("admin_acceptance_review", at(2026, 2, 14, 23, 59), 0, at(2026, 2, 16, 0, 0)),
    # "Difficult": extended by 48 h to 72 h, still not moved by the holiday.
    ("admin_acceptance_review", at(2026, 2, 14, 23, 59), 48, at(2026, 2, 18, 0, 0)),
    # 3 days from 30 Sep 2025: last day 3 Oct is National Day → 9 Oct is the first working day.
    ("criminal_filing_review", at(2025, 9, 30, 16, 0), 0, at(2025, 10, 10)),
    # Last day Sat 11 Oct 2025 is a 调休 working Saturday: no move.
    ("criminal_filing_review", at(2025, 10, 8, 10, 0), 0, at(2025, 10, 12)),
    # Last day Sun 15 Feb 2026 is in the Spring Festival (15–23 Feb) → Tue 24 Feb.
    ("criminal_filing_review", at(2026, 2, 12, 9, 0), 0, at(2026, 2, 25)),
    # Extended to 30 days with the bureau head's approval: last day Thu 30 Oct 2025.
    ("criminal_filing_review", at(2025, 9, 30, 16, 0), 27, at(2025, 10, 31)),
    # 7 days from Sat 7 Feb 2026: last day Sat 14 Feb is a 调休 working Saturday.
    ("criminal_clue_review", at(2026, 2, 7, 11, 0), 0, at(2026, 2, 15)),
    # 3 days from 30 Sep 2026: last day 3 Oct in National Day 2026 (1–7 Oct) → Thu 8 Oct.
    ("non_filing_notice", at(2026, 9, 30, 17, 0), 0, at(2026, 10, 9)),
    # Started on a holiday (中秋 25 Sep 2026); holidays inside the period are not taken out.
    ("reconsideration_application", at(2026, 9, 25, 10, 0), 0, at(2026, 10, 9)),
    # 30 days from Sat 17 Jan 2026: last day Mon 16 Feb (Spring Festival) → Tue 24 Feb.
    ("reconsideration_decision", at(2026, 1, 17, 9, 0), 0, at(2026, 2, 25)),
    # +30 for a complex case: last day Wed 18 Mar 2026.
    ("reconsideration_decision", at(2026, 1, 17, 9, 0), 30, at(2026, 3, 19)),
    # 7 days from Sat 27 Sep 2025: last day 4 Oct (holiday) → 9 Oct.
    ("review_application", at(2025, 9, 27, 8, 0), 0, at(2025, 10, 10)),
    # 30 days from Sat 6 Sep 2025: last day 6 Oct (中秋 inside National Day week) → 9 Oct.
    ("review_decision", at(2025, 9, 6, 14, 0), 0, at(2025, 10, 10)),
    # 24 h from exactly 8:00: the start hour is still not counted.
    ("admin_transfer_out", at(2026, 10, 1, 8, 0), 0, at(2026, 10, 2, 9, 0)),
    ("not_police_business_notice", at(2026, 2, 17, 14, 20), 0, at(2026, 2, 17, 14, 20)),
    # 3 days from Thu 25 Sep 2025: last day Sun 28 Sep is a 调休 working Sunday.
    ("transferred_case_decision", at(2025, 9, 25, 11, 0), 0, at(2025, 9, 29)),
    # 30 days from Fri 5 Sep 2025: last day 5 Oct (holiday) → 9 Oct.
    ("public_order_case", at(2025, 9, 5, 15, 0), 0, at(2025, 10, 10)),
    # 15 days from Tue 3 Feb 2026: last day 18 Feb (Spring Festival) → 24 Feb.
    ("complaint_acceptance", at(2026, 2, 3, 10, 0), 0, at(2026, 2, 25)),
    # 60 days from Thu 7 Aug 2025: last day 6 Oct → 9 Oct.
    ("complaint_answer", at(2025, 8, 7, 10, 0), 0, at(2025, 10, 10)),
    # Across the year: last day 1 Jan 2026 (元旦 1–3 Jan) → Sun 4 Jan is a 调休 working Sunday.
    ("complaint_center_answer", at(2025, 12, 17, 16, 0), 0, at(2026, 1, 5)),
    # Last day Sat 9 May 2026 is a 调休 working Saturday.
    ("score_challenge", at(2026, 5, 6, 9, 0), 0, at(2026, 5, 10)),
    # Last day 3 May 2026 (劳动节 1–5 May) → Wed 6 May.
    ("score_challenge_answer", at(2026, 4, 30, 18, 0), 0, at(2026, 5, 7)),
]


def _rule(code: str) -> DeadlineRule:
    return DeadlineRule.objects.get(code=code, bureau__isnull=True, version=1)


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "start", "extension", "expected"), TABLE)
def test_each_statutory_period_ends_where_the_law_says(code, start, extension, expected) -> None:
    rule = _rule(code)
    due = due_at(start, rule.period, DatabaseCalendar(), extension=extension)
    assert due == expected, (code, due.astimezone(counting.LEGAL_TZ))


@pytest.mark.django_db
def test_the_table_covers_every_seeded_rule() -> None:
    seeded = set(DeadlineRule.objects.filter(bureau__isnull=True).values_list("code", flat=True))
    assert seeded == {row[0] for row in TABLE}
    assert len(seeded) == 19


@pytest.mark.django_db
def test_every_seeded_rule_names_its_source_and_days_move_but_hours_do_not() -> None:
    for rule in DeadlineRule.objects.filter(bureau__isnull=True):
        assert rule.source_law, rule.code
        assert rule.moves_on_holiday == (rule.length_unit != DurationUnit.HOURS), rule.code


@pytest.mark.django_db
def test_the_public_order_period_excludes_appraisal_time_and_lands_on_a_makeup_saturday() -> None:
    rule = _rule("public_order_case")
    start = at(2026, 1, 5, 10, 0)
    appraisal = Interval(at(2026, 1, 10, 9, 0), at(2026, 1, 20, 9, 0))
    # Without the pause: last day Wed 4 Feb. Ten days paused: Sat 14 Feb, a 调休 working day.
    assert due_at(start, rule.period, DatabaseCalendar()) == at(2026, 2, 5)
    assert due_at(start, rule.period, DatabaseCalendar(), pauses=[appraisal]) == at(2026, 2, 15)


def test_a_part_day_pause_rounds_a_day_period_up_to_the_end_of_that_day() -> None:
    period = Period(30, DurationUnit.DAYS)
    pause = Interval(at(2026, 1, 10, 9, 0), at(2026, 1, 11, 15, 0))  # 1 day 6 hours
    # 5 Feb 0:00 + 30 h = 6 Feb 6:00 → the period ends at 24:00 on Fri 6 Feb.
    assert due_at(at(2026, 1, 5, 10, 0), period, library_calendar(), pauses=[pause]) == at(
        2026, 2, 7
    )


def test_an_hour_pause_adds_exactly_its_length() -> None:
    period = Period(24, DurationUnit.HOURS, moves_on_holiday=False)
    pause = Interval(at(2026, 3, 2, 12, 0), at(2026, 3, 2, 13, 30))
    assert due_at(at(2026, 3, 2, 10, 15), period, library_calendar(), pauses=[pause]) == at(
        2026, 3, 3, 12, 30
    )


def test_a_pause_inside_the_uncounted_start_hour_adds_nothing() -> None:
    period = Period(24, DurationUnit.HOURS, moves_on_holiday=False)
    pause = Interval(at(2026, 3, 2, 10, 20), at(2026, 3, 2, 10, 50))
    assert due_at(at(2026, 3, 2, 10, 15), period, library_calendar(), pauses=[pause]) == at(
        2026, 3, 3, 11, 0
    )


def test_overlapping_pauses_count_once() -> None:
    period = Period(10, DurationUnit.DAYS)
    pauses = [
        Interval(at(2026, 3, 3), at(2026, 3, 6)),
        Interval(at(2026, 3, 5), at(2026, 3, 8)),
    ]
    # 3–8 Mar = 5 days: last day 12 Mar + 5 = Tue 17 Mar.
    assert due_at(at(2026, 3, 2, 9, 0), period, library_calendar(), pauses=pauses) == at(
        2026, 3, 18
    )


def test_a_pause_after_the_period_ran_out_does_not_revive_it() -> None:
    period = Period(3, DurationUnit.DAYS)
    late = Interval(at(2026, 3, 20), at(2026, 3, 25))
    assert due_at(at(2026, 3, 2, 9, 0), period, library_calendar(), pauses=[late]) == at(2026, 3, 6)


def test_an_open_pause_has_no_due_time_yet() -> None:
    with pytest.raises(ValueError, match="paused"):
        due_at(
            at(2026, 3, 2),
            Period(3, DurationUnit.DAYS),
            library_calendar(),
            pauses=[Interval(at(2026, 3, 3))],
        )


def test_custody_periods_never_move_even_over_national_day() -> None:
    custody = Period(3, DurationUnit.DAYS, moves_on_holiday=False)
    ordinary = Period(3, DurationUnit.DAYS, moves_on_holiday=True)
    start = at(2025, 9, 30, 16, 0)
    assert due_at(start, custody, library_calendar()) == at(2025, 10, 4)
    assert due_at(start, ordinary, library_calendar()) == at(2025, 10, 10)


def test_an_ordinary_weekend_moves_the_last_day_to_monday() -> None:
    # Last day Sat 14 Mar 2026, no holiday that week → Mon 16 Mar.
    assert due_at(at(2026, 3, 11, 9, 0), Period(3, DurationUnit.DAYS), library_calendar()) == at(
        2026, 3, 17
    )


def test_any_time_on_the_start_day_gives_the_same_day_period_end() -> None:
    period = Period(3, DurationUnit.DAYS)
    ends = {
        due_at(at(2026, 3, 2, h, m), period, library_calendar())
        for h, m in [(0, 0), (0, 1), (9, 30), (23, 59)]
    }
    assert ends == {at(2026, 3, 6)}


def test_working_day_periods_skip_rest_days_and_count_makeup_saturdays() -> None:
    period = Period(3, DurationUnit.WORKING_DAYS)
    # From Fri 13 Feb 2026: Sat 14 Feb (调休) is day 1, then 15–23 Feb rest, Tue 24 day 2, Wed 25 day 3.
    assert due_at(at(2026, 2, 13, 10, 0), period, library_calendar()) == at(2026, 2, 26)


def test_a_missing_year_raises_instead_of_guessing() -> None:
    calendar = StaticCalendar(years={2026})
    period = Period(3, DurationUnit.DAYS)
    with pytest.raises(CalendarMissing) as exc:
        due_at(at(2026, 12, 30, 10, 0), period, calendar)
    assert exc.value.year == 2027
    assert exc.value.pending_text == "待定：缺少2027年节假日安排"


def test_a_period_that_never_reaches_the_missing_year_needs_no_calendar_for_it() -> None:
    calendar = StaticCalendar(years={2026})
    # Last day Wed 23 Dec 2026: a working day, 2027 is never looked at.
    assert due_at(at(2026, 12, 20, 10, 0), Period(3, DurationUnit.DAYS), calendar) == at(
        2026, 12, 24
    )
    # Hours never consult the calendar at all.
    assert due_at(
        at(2026, 12, 31, 10, 0), Period(24, DurationUnit.HOURS, False), StaticCalendar(years=set())
    ) == at(2027, 1, 1, 11, 0)


def test_a_rest_day_at_year_end_walks_into_the_next_year_and_needs_it() -> None:
    # Suppose 31 Dec 2026 were a holiday: the first working day after it lies in 2027.
    calendar = StaticCalendar(years={2026}, exceptions={dt.date(2026, 12, 31): True})
    with pytest.raises(CalendarMissing) as exc:
        due_at(at(2026, 12, 28, 10, 0), Period(3, DurationUnit.DAYS), calendar)
    assert exc.value.year == 2027
    # The same period as custody never moves and so never needs 2027.
    custody = Period(3, DurationUnit.DAYS, moves_on_holiday=False)
    assert due_at(at(2026, 12, 28, 10, 0), custody, calendar) == at(2027, 1, 1)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        due_at(dt.datetime(2026, 3, 2, 9, 0), Period(3, DurationUnit.DAYS), library_calendar())


def test_utc_input_is_counted_in_legal_days() -> None:
    # 2026-03-01 17:30 UTC is 2 Mar 01:30 in Shanghai: the start day is 2 Mar.
    start = dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC)
    assert due_at(start, Period(3, DurationUnit.DAYS), library_calendar()) == at(2026, 3, 6)


def test_share_used_and_bands_follow_fifty_and_eighty_percent() -> None:
    start, due = at(2026, 3, 2, 0, 0), at(2026, 3, 12, 0, 0)  # ten days
    cases = [
        (at(2026, 3, 6, 23, 0), "green"),
        (at(2026, 3, 7, 0, 0), "yellow"),
        (at(2026, 3, 10, 0, 0), "orange"),
        (at(2026, 3, 12, 0, 0), "orange"),
        (at(2026, 3, 12, 0, 1), "red"),
    ]
    for now, band in cases:
        share = counting.share_used(start, due, now)
        assert counting.band_for(due=due, now=now, share=share) == band, now
    assert counting.share_used(start, due, at(2026, 3, 7)) == pytest.approx(0.5)


def test_paused_time_counts_neither_as_used_nor_as_available() -> None:
    start, due = at(2026, 3, 2), at(2026, 3, 14)  # 12 days with 2 paused
    pause = Interval(at(2026, 3, 4), at(2026, 3, 6))
    assert counting.share_used(start, due, at(2026, 3, 7), [pause]) == pytest.approx(0.3)


def test_bands_for_paused_and_pending_deadlines() -> None:
    now = at(2026, 3, 2)
    assert counting.band_for(due=None, now=now, share=None, paused=True) == "paused"
    assert counting.band_for(due=None, now=now, share=None) == "unknown"
