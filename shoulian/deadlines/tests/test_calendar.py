"""The holiday calendar as data: seeded from chinese-calendar, entered by the administrator for
a year the library does not carry, and never a silently wrong due date."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.deadlines import selectors
from shoulian.deadlines.choices import CalendarSource, CalendarYearStatus
from shoulian.deadlines.holidays import DatabaseCalendar, library_years
from shoulian.deadlines.models import CalendarDay, CalendarYear
from shoulian.deadlines.services import (
    calendar_day_remove,
    calendar_days_set,
    calendar_sync_from_library,
    calendar_year_create,
    calendar_year_publish,
    deadline_start,
)
from shoulian.deadlines.tests.helpers import at

pytestmark = pytest.mark.django_db


def test_a_fresh_install_has_every_year_the_library_carries() -> None:
    years = set(
        CalendarYear.objects.filter(status=CalendarYearStatus.PUBLISHED).values_list(
            "year", flat=True
        )
    )
    assert years == set(library_years()) and {2025, 2026} <= years
    assert CalendarDay.objects.get(date=dt.date(2026, 2, 15)).name == "春节"
    assert CalendarDay.objects.get(date=dt.date(2025, 10, 11)).name == "国庆节调休上班"


def test_the_seeded_calendar_knows_the_2025_and_2026_arrangements() -> None:
    cal = DatabaseCalendar()
    assert all(cal.is_rest_day(dt.date(2025, 10, d)) for d in range(1, 9))
    assert not cal.is_rest_day(dt.date(2025, 9, 28)) and not cal.is_rest_day(dt.date(2025, 10, 11))
    assert all(cal.is_rest_day(dt.date(2026, 2, d)) for d in range(15, 24))
    assert not cal.is_rest_day(dt.date(2026, 2, 14)) and not cal.is_rest_day(dt.date(2026, 2, 28))
    assert cal.is_rest_day(dt.date(2026, 3, 14))  # an ordinary Saturday
    assert not cal.is_rest_day(dt.date(2026, 3, 16))


def _cross_year_deadline(unit):
    # 3 days from 30 Dec 2026: last day Sat 2 Jan 2027 needs the 2027 calendar.
    return deadline_start(
        actor=None,
        rule_code="criminal_filing_review",
        obj=("alert", "Y1"),
        unit=unit,
        started_at=at(2026, 12, 30, 10, 0),
    )


@pytest.fixture
def frozen_after_new_year(monkeypatch):
    """Deadline starts may not lie in the future: move "now" to 2027 for the cross-year cases."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: at(2027, 1, 5, 12, 0))


def test_a_missing_year_gives_a_provisional_due_date_counted_with_weekends_only(
    bureau_a, frozen_after_new_year
) -> None:
    CalendarYear.objects.filter(year=2027).delete()
    deadline = _cross_year_deadline(bureau_a.station)
    # Last day Sat 2 Jan 2027; with no 2027 arrangement only the weekend moves it: Mon 4 Jan.
    assert deadline.due_at == at(2027, 1, 5)
    assert deadline.missing_year == 2027 and deadline.is_provisional
    assert deadline.provisional_text == "暂定 2027年1月4日 24时；尚未录入2027年节假日安排"
    assert deadline.due_note == deadline.provisional_text
    [event] = AuditEvent.objects.filter(event_type=int(EventType.DEADLINE_STARTED))
    assert event.content["data"]["calendar_missing"] == 2027
    assert event.content["data"]["provisional"] is True


def test_the_administrator_enters_and_publishes_a_year_and_waiting_deadlines_get_their_due(
    bureau_a, admin_user, frozen_after_new_year
) -> None:
    deadline = _cross_year_deadline(bureau_a.station)
    year = calendar_year_create(actor=admin_user, year=2027, notice="国办发明电〔2026〕测试号")
    # Hypothetical arrangement for the test: 1–3 Jan 2027 off, Mon 4 Jan a working day.
    calendar_days_set(
        actor=admin_user,
        calendar_year=year,
        first=dt.date(2027, 1, 1),
        last=dt.date(2027, 1, 3),
        is_rest_day=True,
        name="元旦",
    )
    deadline.refresh_from_db()
    assert deadline.is_provisional and deadline.missing_year == 2027, "a draft year is not used"
    assert calendar_year_publish(actor=admin_user, calendar_year=year) == 1
    deadline.refresh_from_db()
    assert deadline.due_at == at(2027, 1, 5) and deadline.missing_year is None
    types = set(AuditEvent.objects.values_list("event_type", flat=True))
    assert {
        int(EventType.CALENDAR_YEAR_CREATED),
        int(EventType.CALENDAR_DAYS_SET),
        int(EventType.CALENDAR_YEAR_PUBLISHED),
        int(EventType.DEADLINE_RECOMPUTED),
    } <= types


def test_editing_a_published_year_recomputes_what_it_touches(bureau_a, admin_user) -> None:
    deadline = deadline_start(
        actor=None,
        rule_code="criminal_filing_review",
        obj=("alert", "E1"),
        unit=bureau_a.station,
        started_at=at(2026, 3, 11, 9, 0),
    )
    assert deadline.due_at == at(2026, 3, 17)  # Sat 14 → Mon 16 Mar
    year = CalendarYear.objects.get(year=2026)
    calendar_days_set(
        actor=admin_user,
        calendar_year=year,
        first=dt.date(2026, 3, 14),
        last=dt.date(2026, 3, 14),
        is_rest_day=False,
        name="测试调休上班",
    )
    deadline.refresh_from_db()
    assert deadline.due_at == at(2026, 3, 15)
    year.refresh_from_db()
    assert year.source == CalendarSource.MANUAL
    calendar_day_remove(actor=admin_user, calendar_year=year, day=dt.date(2026, 3, 14))
    deadline.refresh_from_db()
    assert deadline.due_at == at(2026, 3, 17)


def test_only_the_administrator_edits_the_calendar(legal, officer, head) -> None:
    year = CalendarYear.objects.get(year=2026)
    for actor in (legal, officer, head):
        with pytest.raises(PermissionDenied):
            calendar_days_set(
                actor=actor,
                calendar_year=year,
                first=dt.date(2026, 3, 2),
                last=dt.date(2026, 3, 2),
                is_rest_day=True,
                name="擅自放假",
            )
        with pytest.raises(PermissionDenied):
            calendar_year_create(actor=actor, year=2030)
    assert not CalendarDay.objects.filter(date=dt.date(2026, 3, 2)).exists()


def test_day_ranges_stay_inside_their_year(admin_user) -> None:
    year = calendar_year_create(actor=admin_user, year=2031)
    with pytest.raises(ValidationError):
        calendar_days_set(
            actor=admin_user,
            calendar_year=year,
            first=dt.date(2030, 12, 31),
            last=dt.date(2031, 1, 2),
            is_rest_day=True,
            name="元旦",
        )


def test_an_empty_year_cannot_be_published(admin_user) -> None:
    year = calendar_year_create(actor=admin_user, year=2031)
    with pytest.raises(ValidationError, match="尚未录入"):
        calendar_year_publish(actor=admin_user, calendar_year=year)


def test_library_sync_is_idempotent_and_never_overwrites_the_administrator(admin_user) -> None:
    report = calendar_sync_from_library()
    assert not report.created and not report.updated
    year = CalendarYear.objects.get(year=2025)
    calendar_days_set(
        actor=admin_user,
        calendar_year=year,
        first=dt.date(2025, 12, 31),
        last=dt.date(2025, 12, 31),
        is_rest_day=True,
        name="测试",
    )
    CalendarYear.objects.filter(year=2024).delete()
    report = calendar_sync_from_library()
    assert report.created == [2024] and report.differs_from_manual == [2025]
    assert CalendarDay.objects.get(date=dt.date(2025, 12, 31)).name == "测试"
    out = StringIO()
    call_command("deadlines_sync_calendar", stdout=out)
    assert "2025" in out.getvalue()


def test_the_warning_shows_in_the_last_quarter_when_next_year_is_missing() -> None:
    CalendarYear.objects.filter(year=2027).delete()
    assert selectors.calendar_warning(dt.date(2026, 9, 30)) is None
    warning = selectors.calendar_warning(dt.date(2026, 10, 1))
    assert warning is not None and "2027" in warning
    # The current year itself missing is always a warning, whatever the month.
    assert "缺少2027年" in (selectors.calendar_warning(dt.date(2027, 3, 1)) or "")


def test_a_year_created_by_someone_else_at_the_same_moment_is_a_clear_error(admin_user) -> None:
    from unittest import mock

    from django.db.models import QuerySet

    from shoulian.core.tests.races import false_once as _false_once

    calendar_year_create(actor=admin_user, year=2031)
    # The other request passed the existence check before this one's insert committed.
    with (
        mock.patch.object(QuerySet, "exists", _false_once(QuerySet.exists)),
        pytest.raises(ValidationError, match="已存在"),
    ):
        calendar_year_create(actor=admin_user, year=2031)
    assert CalendarYear.objects.filter(year=2031).count() == 1
