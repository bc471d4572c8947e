"""The statistics core and page: each figure against a hand count, its drill-down list showing
the same rows, the exports journalled, and who may read them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.bulletins import services
from shoulian.bulletins.stats import Period, compute
from shoulian.bulletins.tests import helpers as h
from shoulian.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def station_clerk(bureau_a: Any) -> Any:
    return make_user("sclerk", bureau_a.station, Role.CLERK)


@pytest.fixture
def scene(bureau_a: Any, clerk: Any, station_clerk: Any, officer: Any) -> dict[str, Any]:
    """A period with alerts of every kind the figures separate, findings rectified, open, overdue
    and outside the period, and follow-ups; the expected numbers are counted by hand below."""
    now = timezone.now()
    period = h.period_now()
    before = now - dt.timedelta(days=20)  # outside the period
    b = bureau_a
    a = {
        # 违法犯罪类: 0103 盗窃电动车 (刑事), 0201 (治安); not: 0301 纠纷, 0401 求助.
        "theft_center": h.alert(clerk, code="0103"),
        "order_center": h.alert(clerk, code="0201", channel="phone"),
        "dispute_center": h.alert(clerk, code="0301"),
        "theft_station": h.alert(station_clerk, code="0103"),  # 派出所上门报警, offence
        "help_station": h.alert(station_clerk, code="0401"),  # 派出所上门报警, not offence
        "phone_station": h.alert(station_clerk, code="0104", channel="phone"),
        "old_theft": h.alert(station_clerk, code="0103", ago=dt.timedelta(days=20)),
    }
    hour = dt.timedelta(hours=1)
    f = {
        "rectified": h.finding(b.bureau, b.station, status="closed", opened=before,
                               due=before + hour, closed=now - hour, officer=officer,
                               alert=a["old_theft"]),
        "rectified_red": h.finding(b.bureau, b.station2, level="red", status="closed",
                                   opened=now - 3 * hour, due=now + hour, closed=now - hour,
                                   rule="case_type_downgraded"),
        "open_overdue": h.finding(b.bureau, b.station, opened=now - 5 * hour, due=now - hour),
        "open_in_time": h.finding(b.bureau, b.station2, level="yellow", opened=now - 5 * hour,
                                  due=now + 30 * hour),
        "closed_long_ago": h.finding(b.bureau, b.station, status="closed", opened=before,
                                     due=before + hour, closed=before + 2 * hour),
    }  # fmt: skip
    h.follow_up(a["theft_center"], b.center, satisfaction="satisfied", done=now - hour)
    h.follow_up(a["order_center"], b.center, satisfaction="basically", done=now - hour)
    h.follow_up(a["dispute_center"], b.center, satisfaction="dissatisfied", done=now - hour)
    h.follow_up(a["old_theft"], b.center, satisfaction="satisfied", done=before)
    return {"period": period, "alerts": a, "findings": f}


def test_each_figure_equals_the_hand_count(bureau_a: Any, scene: dict[str, Any]) -> None:
    f = compute(bureau_a.bureau, scene["period"])
    # Hand count, from the scene: six alerts in the period (old_theft is outside).
    assert f.alerts == 6
    assert f.offence_alerts == 4  # theft_center, order_center, theft_station, phone_station
    assert f.station_walk_in == 2  # theft_station, help_station
    assert f.bulletins_issued == 0
    assert f.rectified == 2  # rectified, rectified_red (closed_long_ago is outside)
    assert f.findings_opened == 3  # rectified_red, open_overdue, open_in_time
    assert f.overdue == 1  # open_overdue: due in the past, open at the end of the period
    assert (f.follow_ups, f.satisfied, f.basically_satisfied, f.dissatisfied) == (3, 1, 1, 1)
    assert f.satisfaction_rate == "66.6%"
    assert {r.key: r.count for r in f.by_channel} == {"walk_in": 4, "phone": 2}
    assert {(r.code, r.red, r.orange, r.yellow) for r in f.by_rule} == {
        ("bounced_alert", 0, 1, 1),
        ("case_type_downgraded", 1, 0, 0),
    }
    assert [r.count for r in f.by_level] == [1, 1, 1]
    assert "违法犯罪类警情4件" in f.sentence and "监督整改立案相关问题2个" in f.sentence


def test_a_unit_sees_its_own_share(bureau_a: Any, scene: dict[str, Any]) -> None:
    f = compute(bureau_a.bureau, scene["period"], bureau_a.station)
    # The station's desk registered three alerts in the period; its findings: open_overdue
    # opened, "rectified" closed in the period (opened before it).
    assert f.alerts == 3 and f.station_walk_in == 2 and f.offence_alerts == 2
    assert (f.findings_opened, f.overdue, f.rectified) == (1, 1, 1)


def test_the_same_period_gives_the_same_figures(bureau_a: Any, scene: dict[str, Any]) -> None:
    first = compute(bureau_a.bureau, scene["period"])
    assert compute(bureau_a.bureau, scene["period"]) == first
    assert type(first).from_data(first.as_data()) == first


def test_periods_are_beijing_days() -> None:
    month = Period.month_of(dt.date(2026, 2, 14))
    assert (month.start, month.end, month.label) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 1),
        "2026年2月",
    )
    week = Period.week_of(dt.date(2026, 12, 9))
    assert (week.start, week.end) == (dt.date(2026, 12, 7), dt.date(2026, 12, 14))
    assert week.since.isoformat() == "2026-12-07T00:00:00+08:00"
    with pytest.raises(ValueError):
        Period(dt.date(2026, 1, 2), dt.date(2026, 1, 2))


def _count_rows(response: Any) -> int:
    return response.content.decode().count("<tr") - 1  # minus the header row


def test_each_figure_drills_down_to_its_list(
    bureau_a: Any, scene: dict[str, Any], head: Any, client_for: Any
) -> None:
    period = scene["period"]
    client = client_for(head)
    query = {"start": period.start.isoformat(), "end": period.last_day.isoformat()}
    page = client.get(reverse("bulletins:statistics"), query)
    assert page.status_code == 200
    drill = page.context["drill"]
    f = page.context["f"]
    for key, expected in (("offence", f.offence_alerts), ("walk_in", f.station_walk_in)):
        listed = client.get(drill[key])
        assert listed.status_code == 200
        assert listed.context["total"] == str(expected), key
    for key, expected in (("rectified", 2), ("opened", 3), ("overdue", 1)):
        listed = client.get(drill[key])
        assert listed.status_code == 200
        assert len(listed.context["rows"]) == expected, key
    station = str(bureau_a.station.pk)
    listed = client.get(drill["unit"][station])
    handled = next(r.count for r in f.by_unit if r.key == station)
    assert listed.context["total"] == str(handled)


def test_a_drill_down_list_refuses_a_period_longer_than_the_statistics_form_allows(
    bureau_a: Any, head: Any, client_for: Any
) -> None:
    client = client_for(head)
    for name in ("bulletins:reviews", "bulletins:av_reviews"):
        three_years = client.get(reverse(name), {"from": "2024-01-01", "to": "2026-12-31"})
        assert three_years.status_code == 200, name
        decades = client.get(reverse(name), {"from": "1990-01-01", "to": "2026-12-31"})
        assert decades.status_code == 400, name


def test_issued_bulletins_count_and_drill_down_to_the_archive(
    bureau_a: Any, head: Any, legal: Any, client_for: Any
) -> None:
    from shoulian.bulletins.tests.test_bulletins import LAST_MONTH, _approved, _issue

    issued = _issue(head, _approved(head, legal, LAST_MONTH.start))
    services.weekly_summary_write(bureau=bureau_a.bureau, week=h.period_now())  # not counted
    period = h.period_now()
    client = client_for(head)
    query = {"start": period.start.isoformat(), "end": period.last_day.isoformat()}
    page = client.get(reverse("bulletins:statistics"), query)
    assert page.context["f"].bulletins_issued == 1
    listed = client.get(page.context["drill"]["bulletins"])
    assert [b.pk for b in listed.context["rows"]] == [issued.pk]


def test_the_exports_carry_the_figures_and_are_journalled(
    bureau_a: Any, scene: dict[str, Any], head: Any, client_for: Any
) -> None:
    period = scene["period"]
    client = client_for(head)
    query = {"start": period.start.isoformat(), "end": period.last_day.isoformat()}
    response = client.get(reverse("bulletins:statistics_export", args=["csv"]), query)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["主要数据", "违法犯罪类警情（件）", "4"] in rows
    assert ["主要数据", "监督整改立案相关问题（个）", "2"] in rows
    response = client.get(reverse("bulletins:statistics_export", args=["xlsx"]), query)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["主要数据", "派出所上门报警警情（件）", 2] in values
    exports = AuditEvent.objects.filter(event_type=EventType.DATA_EXPORTED)
    assert exports.count() == 2


def test_a_station_officer_cannot_read_the_figures(
    officer: Any, client_for: Any, bureau_a: Any
) -> None:
    client = client_for(officer)
    assert client.get(reverse("bulletins:statistics")).status_code == 403
    assert client.get(reverse("bulletins:statistics_export", args=["csv"])).status_code == 403


def test_the_export_service_refuses_another_bureaus_figures(
    bureau_a: Any, bureau_b: Any, head: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    figures = compute(bureau_b.bureau, h.period_now())
    with pytest.raises(PermissionDenied):
        services.figures_export(actor=head, figures=figures, fmt="csv")


def test_the_period_form_rejects_an_inverted_period(head: Any, client_for: Any) -> None:
    response = client_for(head).get(
        reverse("bulletins:statistics"), {"start": "2026-03-01", "end": "2026-02-01"}
    )
    assert response.status_code == 200
    assert "截止日期不能早于起始日期" in response.content.decode()


def _queries(client: Any, url: str, query: dict[str, str] | None = None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, query or {}).status_code == 200
    return len(captured)


def test_the_statistics_page_does_not_grow_with_the_data(
    bureau_a: Any, clerk: Any, station_clerk: Any, head: Any, client_for: Any
) -> None:
    client = client_for(head)
    period = h.period_now()
    query = {"start": period.start.isoformat(), "end": period.last_day.isoformat()}
    h.alert(clerk, code="0103")
    client.get(reverse("bulletins:statistics"), query)  # warm the per-process memos
    few = _queries(client, reverse("bulletins:statistics"), query)
    for code in ("0201", "0301", "0104"):
        h.alert(station_clerk, code=code)
    assert _queries(client, reverse("bulletins:statistics"), query) == few
