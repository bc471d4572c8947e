"""The platform's pages and JSON: who sees what, pinned query counts, figures that match the
lists behind them, the acknowledgement of a warning."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as
from shoulian.dashboard.models import RiskWarning
from shoulian.intake.models import Alert
from shoulian.workflow.choices import Action
from shoulian.workflow.tests.helpers import act, handling, new_alert, routed

pytestmark = pytest.mark.django_db

DATA = reverse("dashboard:data")


def _data(client: Client, **params: Any) -> dict[str, Any]:
    response = client.get(DATA, params)
    assert response.status_code == 200
    return json.loads(response.content)


def test_center_head_sees_the_bureau_and_the_figures_match_the_alerts(
    clerk: Any, officer: Any, head: Any, bureau_a: Any
) -> None:
    new_alert(clerk)
    handling(clerk, officer)
    routed(clerk, bureau_a.station2)
    d = _data(login_as(Client(), head))
    assert d["totals"] == {"today": 3, "week": 3, "month": 3}
    walk_in = next(c for c in d["by_channel"] if c["key"] == "walk_in")
    assert walk_in["today"] == Alert.objects.filter(channel="walk_in").count() == 3
    nodes = {n["key"]: n["n"] for n in d["nodes"]}
    assert nodes == {"entry": 0, "flow": 2, "accept": 1, "feedback": 0}
    assert {u["label"] for u in d["by_unit"]} >= {bureau_a.station.name, bureau_a.station2.name}
    assert d["on_spot"]["today"]["total"] == 3


def test_every_figure_links_to_a_list_showing_that_many_alerts(
    clerk: Any, officer: Any, head: Any, bureau_a: Any
) -> None:
    handling(clerk, officer)
    new_alert(clerk)
    client = login_as(Client(), head)
    d = _data(client)
    for row in d["by_unit"] + d["by_channel"]:
        if row["today"]:
            page = client.get(row["urls"]["today"]).content.decode()
            assert page.count("<code>") == row["today"], row["label"]
    accept = next(n for n in d["nodes"] if n["key"] == "accept")
    page = client.get(accept["url"]).content.decode()
    alert = Alert.objects.get(handling_unit=bureau_a.station)
    assert alert.number in page and reverse("workflow:file", args=[alert.pk]) in page


def test_a_unit_leader_sees_the_own_unit_only(
    clerk: Any, officer: Any, leader: Any, bureau_a: Any
) -> None:
    handling(clerk, officer)
    new_alert(clerk)  # still at the center
    client = login_as(Client(), leader)
    d = _data(client)
    assert d["scope"]["unit"] == leader.unit_id
    assert d["totals"]["today"] == 1
    assert client.get(DATA, {"unit": bureau_a.center.pk}).status_code == 404


def test_head_may_look_at_one_unit_but_not_at_another_bureau(
    clerk: Any, officer: Any, head: Any, bureau_a: Any, bureau_b: Any
) -> None:
    handling(clerk, officer)
    new_alert(clerk)
    client = login_as(Client(), head)
    assert _data(client, unit=bureau_a.station.pk)["totals"]["today"] == 1
    assert client.get(DATA, {"unit": bureau_b.station.pk}).status_code == 404


@pytest.mark.parametrize("who", ["clerk", "officer", "legal_officer", "inspector", "admin_user"])
def test_other_roles_cannot_open_the_platform(who: str, request: pytest.FixtureRequest) -> None:
    client = login_as(Client(), request.getfixturevalue(who))
    for name in ("dashboard:platform", "dashboard:wall", "dashboard:data", "dashboard:waiting"):
        assert client.get(reverse(name)).status_code == 403, name


def test_outsider_sees_nothing_of_another_bureau(
    clerk: Any, officer: Any, outsider: Any, bureau_b: Any
) -> None:
    handling(clerk, officer)
    from shoulian.conftest import make_user

    other_head = make_user("head_b", bureau_b.center, "center_head")
    d = _data(login_as(Client(), other_head))
    assert d["totals"]["today"] == 0 and d["by_unit"] == []


def test_data_endpoint_query_counts_are_pinned(
    clerk: Any, officer: Any, head: Any, leader: Any, django_assert_num_queries: Any
) -> None:
    handling(clerk, officer)
    new_alert(clerk)
    head_client, leader_client = login_as(Client(), head), login_as(Client(), leader)
    head_client.get(DATA)  # warm the per-process memos (bureau of a unit)
    leader_client.get(DATA)
    # Session and user (2) + the figures (9), for the bureau as for a unit, whatever the number
    # of alerts and findings (the findings figure reads its counters, not the findings).
    with django_assert_num_queries(11):
        head_client.get(DATA)
    with django_assert_num_queries(11):
        leader_client.get(DATA)
    for _ in range(3):
        handling(clerk, officer)
    with django_assert_num_queries(11):
        head_client.get(DATA)


def test_a_warning_is_acknowledged_once_and_journalled(
    clerk: Any, officer: Any, officer2: Any, head: Any, outsider: Any, bureau_a: Any
) -> None:
    alert = routed(clerk, bureau_a.station)
    act(officer, alert, Action.RETURN, reason="不属本所辖区")
    act(clerk, alert, Action.REROUTE, unit=bureau_a.station2, reason="改派城南")
    act(officer2, alert, Action.RETURN, reason="也不属本所辖区")
    warning = RiskWarning.objects.get()
    url = reverse("dashboard:acknowledge", args=[warning.pk])
    assert login_as(Client(), outsider).post(url).status_code in (403, 404)
    client = login_as(Client(), head)
    page = client.get(reverse("dashboard:platform")).content.decode()
    assert alert.number in page and reverse("workflow:file", args=[alert.pk]) in page
    assert client.post(url, HTTP_HX_REQUEST="true").status_code == 200
    warning.refresh_from_db()
    assert warning.acknowledged_by == head and warning.acknowledged_at is not None
    event = AuditEvent.objects.get(event_type=EventType.RISK_WARNING_ACKNOWLEDGED)
    assert event.object_id == str(alert.pk)
    client.post(url)
    assert AuditEvent.objects.filter(event_type=EventType.RISK_WARNING_ACKNOWLEDGED).count() == 1
    assert _data(client)["warnings_open"] == 0


def test_desk_and_wall_pages_render_the_figures(clerk: Any, head: Any) -> None:
    new_alert(clerk)
    client = login_as(Client(), head)
    for name in ("dashboard:platform", "dashboard:wall"):
        page = client.get(reverse(name)).content.decode()
        assert 'id="dash-data"' in page and "vendor/echarts/echarts.min.js" in page
        assert "超期" in page and "临期" in page  # a word with every colour
    assert timezone.now()


def test_a_period_counts_only_its_own_days(clerk: Any, head: Any) -> None:
    """An alert of yesterday is not today's: each period reads its own counter rows (a day's, a
    week's, a month's), not every day since the earliest period start."""
    import datetime as dt

    from shoulian.dashboard.selectors import figures, scope_for

    new_alert(clerk)
    tomorrow = timezone.now() + dt.timedelta(days=1)
    f = figures(head, scope_for(head), now=tomorrow)
    assert f["totals"]["today"] == 0
    walk_in = next(c for c in f["by_channel"] if c["key"] == "walk_in")
    assert walk_in["today"] == 0 and f["on_spot"]["today"]["total"] == 0
    assert sum(u["today"] for u in f["by_unit"]) == 0
    now = figures(head, scope_for(head))
    assert now["totals"] == {"today": 1, "week": 1, "month": 1}
