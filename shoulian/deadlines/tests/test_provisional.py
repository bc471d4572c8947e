"""A period that reaches a year whose holiday arrangement is not in the system yet gets a
provisional due date (暂定) counted with weekends as the only rest days: shown with its reason,
sorted and coloured in the queues, and replaced by the real date when the year is published."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as
from shoulian.deadlines import selectors
from shoulian.deadlines.choices import Band, DeadlineStatus
from shoulian.deadlines.models import CalendarYear, Deadline
from shoulian.deadlines.services import (
    calendar_days_set,
    calendar_year_create,
    calendar_year_publish,
    deadline_start,
    deadline_stop,
)
from shoulian.deadlines.tests.helpers import at

pytestmark = pytest.mark.django_db

THIRTY_DAYS_TEXT = "暂定 2027年1月19日 24时；尚未录入2027年节假日安排"


@pytest.fixture
def no_2027(time_machine):
    """31 Dec 2026 in Beijing, and no 2027 arrangement (whatever the installed library carries)."""
    time_machine.move_to(at(2026, 12, 31, 10, 0), tick=False)
    CalendarYear.objects.filter(year=2027).delete()


def _start(unit, object_id: str, code: str, started: dt.datetime) -> Deadline:
    return deadline_start(
        actor=None,
        rule_code=code,
        obj=("alert", object_id),
        unit=unit,
        started_at=started,
        title=f"测试警情{object_id}",
    )


def test_a_thirty_day_period_from_20_december_is_provisional_then_real_once_2027_is_published(
    bureau_a, officer, admin_user, no_2027
) -> None:
    station = bureau_a.station
    exact = _start(station, "Q1", "criminal_filing_review", at(2026, 12, 20, 9, 0))
    thirty = _start(station, "Q2", "public_order_case", at(2026, 12, 20, 9, 0))
    three = _start(station, "Q3", "criminal_filing_review", at(2026, 12, 30, 10, 0))
    done = _start(station, "Q4", "public_order_case", at(2026, 12, 20, 9, 0))
    deadline_stop(actor=None, deadline=done, at=at(2026, 12, 31, 9, 0))

    # Wed 23 Dec is a 2026 working day: exact. 30 days end Tue 19 Jan 2027 and 3 days from
    # 30 Dec end Sat 2 Jan, moved by the weekend to Mon 4 Jan: both provisional.
    assert exact.due_at == at(2026, 12, 24) and not exact.is_provisional
    assert thirty.due_at == at(2027, 1, 20) and thirty.missing_year == 2027
    assert thirty.provisional_text == THIRTY_DAYS_TEXT
    assert three.due_at == at(2027, 1, 5) and three.is_provisional

    queue = selectors.work_queue(officer)
    assert [i.deadline.object_id for i in queue] == ["Q1", "Q3", "Q2"]
    bands = {i.deadline.object_id: i.band for i in queue}
    assert bands == {"Q1": Band.RED, "Q3": Band.GREEN, "Q2": Band.GREEN}

    page = login_as(Client(), officer).get(reverse("deadlines:my")).content.decode()
    assert THIRTY_DAYS_TEXT in page and "暂定 2027年1月4日 24时" in page
    assert page.index("测试警情Q1") < page.index("测试警情Q3") < page.index("测试警情Q2")

    # The State Council notice comes out; here a hypothetical one that rests on 19–20 Jan.
    year = calendar_year_create(actor=admin_user, year=2027, notice="国办发明电〔2026〕测试号")
    calendar_days_set(
        actor=admin_user,
        calendar_year=year,
        first=dt.date(2027, 1, 19),
        last=dt.date(2027, 1, 20),
        is_rest_day=True,
        name="测试假日",
    )
    assert calendar_year_publish(actor=admin_user, calendar_year=year) == 3

    thirty.refresh_from_db()
    three.refresh_from_db()
    done.refresh_from_db()
    assert thirty.due_at == at(2027, 1, 22) and not thirty.is_provisional
    assert three.due_at == at(2027, 1, 5) and three.missing_year is None
    # A node that stopped while its due date was provisional is measured against the real one.
    assert done.status == DeadlineStatus.STOPPED and done.due_at == at(2027, 1, 22)
    assert done.missing_year is None and done.stopped_late is False
    recomputed = AuditEvent.objects.filter(event_type=int(EventType.DEADLINE_RECOMPUTED))
    assert {e.content["data"]["provisional"] for e in recomputed} == {False}

    page = login_as(Client(), officer).get(reverse("deadlines:my")).content.decode()
    assert "测试警情Q2" in page and "暂定" not in page
    assert [i.deadline.object_id for i in selectors.work_queue(officer)] == ["Q1", "Q3", "Q2"]


def test_the_administrator_sees_the_missing_year_on_the_home_page(
    admin_user, officer, no_2027
) -> None:
    home = login_as(Client(), admin_user).get(reverse("core:home")).content.decode()
    assert "尚未录入2027年节假日安排" in home and "暂定" in home
    officer_home = login_as(Client(), officer).get(reverse("core:home")).content.decode()
    assert "尚未录入2027年节假日安排" not in officer_home


def test_no_warning_on_the_home_page_before_the_last_quarter(admin_user, time_machine) -> None:
    time_machine.move_to(at(2026, 9, 30, 10, 0), tick=False)
    CalendarYear.objects.filter(year=2027).delete()
    home = login_as(Client(), admin_user).get(reverse("core:home")).content.decode()
    assert "节假日安排缺失" not in home


def test_the_sync_command_dates_rows_left_pending_by_an_older_version(bureau_a, no_2027) -> None:
    from io import StringIO

    from django.core.management import call_command

    deadline = _start(bureau_a.station, "P1", "public_order_case", at(2026, 12, 20, 9, 0))
    # How a row computed before provisional dates existed looks.
    Deadline.objects.filter(pk=deadline.pk).update(due_at=None)
    out = StringIO()
    call_command("deadlines_sync_calendar", stdout=out)
    deadline.refresh_from_db()
    assert deadline.due_at == at(2027, 1, 20) and deadline.is_provisional
    assert "暂定到期时间：1条已重算" in out.getvalue()
