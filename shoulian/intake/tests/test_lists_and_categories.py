"""The alert list (scoping, filters, pinned query counts), the classification standard, the
completion of 110 alerts and the navigation entries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as
from shoulian.intake import services
from shoulian.intake.choices import CategoryGroup, Channel
from shoulian.intake.models import Category
from shoulian.intake.standard import STANDARD
from shoulian.intake.tests.helpers import import_110, register

pytestmark = pytest.mark.django_db


# --- list ---------------------------------------------------------------------------------------
def test_list_query_count_does_not_grow_with_rows(
    clerk: Any, head: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        register(clerk)
    client = login_as(Client(), head)
    with django_assert_max_num_queries(14) as small:
        client.get(reverse("intake:alert_list"))
    for _ in range(25):
        register(clerk)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("intake:alert_list")).content.decode()
    assert page.count("<code>") == 28


def test_list_shows_only_what_the_user_may_see(
    clerk: Any, officer: Any, officer2: Any, outsider: Any, bureau_a: Any
) -> None:
    center_alert = register(clerk).alert
    station_alert = import_110(clerk, station_code=bureau_a.station.code).alert
    for user, visible, hidden in (
        (clerk, {center_alert, station_alert}, set()),
        (officer, {station_alert}, {center_alert}),
        (officer2, set(), {center_alert, station_alert}),
        (outsider, set(), {center_alert, station_alert}),
    ):
        page = login_as(Client(), user).get(reverse("intake:alert_list")).content.decode()
        assert all(a.number in page for a in visible), user
        assert not any(a.number in page for a in hidden), user


def test_list_filters_by_channel_group_number_and_pending_registration(
    clerk: Any, bureau_a: Any
) -> None:
    walk_in = register(clerk).alert
    dispatched = import_110(clerk, station_code=bureau_a.station.code).alert
    client = login_as(Client(), clerk)

    def listed(**params: str) -> str:
        return client.get(reverse("intake:alert_list"), params).content.decode()

    page = listed(channel=Channel.DISPATCH_110)
    assert dispatched.number in page and walk_in.number not in page
    page = listed(group=CategoryGroup.PUBLIC_ORDER)
    assert dispatched.number in page and walk_in.number not in page
    page = listed(q=walk_in.number[-8:])
    assert walk_in.number in page and dispatched.number not in page
    page = listed(pending="1")
    assert dispatched.number in page and walk_in.number not in page
    page = listed(q=walk_in.query_code_display)
    assert walk_in.number in page


def test_search_finds_the_source_number_in_any_case(clerk: Any, bureau_a: Any) -> None:
    sheet = import_110(clerk, station_code=bureau_a.station.code, external_ref="jj-Sm0715x").alert
    other = import_110(clerk, station_code=bureau_a.station.code).alert
    client = login_as(Client(), clerk)
    for typed in ("jj-Sm0715x", "JJ-SM0715X", "jj-sm0715x", " Jj-sM0715X "):
        page = client.get(reverse("intake:alert_list"), {"q": typed}).content.decode()
        assert sheet.number in page and other.number not in page, typed


def test_an_exact_match_the_other_filters_exclude_leaves_the_partial_matches(
    clerk: Any, bureau_a: Any
) -> None:
    walk_in = register(clerk).alert
    # A 110 sheet of three days ago whose own number is a piece of the walk-in alert's number.
    piece = walk_in.number[-6:]
    days_ago = timezone.now() - timedelta(days=3)
    sheet = import_110(
        clerk,
        station_code=bureau_a.station.code,
        external_ref=piece,
        received_at=days_ago,
        incident_at=days_ago,
        handled_at=days_ago + timedelta(hours=1),
    ).alert
    client = login_as(Client(), clerk)

    def listed(**params: str) -> str:
        return client.get(reverse("intake:alert_list"), params).content.decode()

    page = listed(q=piece)
    assert sheet.number in page and walk_in.number not in page  # the exact key wins
    today = timezone.localdate().isoformat()
    for filters in ({"channel": Channel.WALK_IN}, {"from": today}):
        page = listed(q=piece, **filters)
        assert walk_in.number in page and sheet.number not in page, filters


def test_part_of_a_number_finds_new_and_renumbered_alerts_a_user_may_see(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    """Issue 14: part of a number is found through the trigram index on SQLite (kept by
    triggers in the alert's own transaction), on PostgreSQL through pg_trgm; a station never
    finds what it may not see, and the count of a station's list is its own."""
    from shoulian.intake.models import Alert

    at_center = register(clerk).alert
    at_station = import_110(clerk, station_code=bureau_a.station.code).alert
    center, station = login_as(Client(), clerk), login_as(Client(), officer)

    def listed(client: Client, q: str) -> str:
        return client.get(reverse("intake:alert_list"), {"q": q}).content.decode()

    for alert in (at_center, at_station):
        page = listed(center, alert.number[-7:].lower())
        assert alert.number in page, alert.number
    page = listed(station, at_center.number[-7:])
    assert at_center.number not in page and "共 0 起" in page
    assert at_station.number in listed(station, at_station.number[-7:])
    # A changed number is found by its new digits only.
    Alert.objects.filter(pk=at_station.pk).update(number="JJ-TEST-424242")
    assert "JJ-TEST-424242" in listed(station, "24242")
    assert at_station.number not in listed(station, at_station.number[-7:])
    assert "共 1 起" in station.get(reverse("intake:alert_list")).content.decode()


# --- classification standard ----------------------------------------------------------------------
def test_the_shipped_standard_has_the_groups_and_case_flags() -> None:
    services.category_seed_standard()
    groups = set(Category.objects.filter(parent__isnull=True).values_list("group", flat=True))
    assert groups == set(CategoryGroup.values)
    for name in ("盗窃", "诈骗", "抢劫", "抢夺", "故意伤害", "侵占", "合同诈骗", "职务侵占"):
        leaf = Category.objects.get(name=name, group=CategoryGroup.CRIMINAL)
        assert leaf.is_case_type
    for name in ("经济纠纷", "家庭纠纷", "邻里纠纷"):
        assert not Category.objects.get(name=name).is_case_type
    assert Category.objects.get(name="合同诈骗").requires_legal_review
    assert Category.objects.get(name="强奸").is_sensitive
    assert Category.objects.selectable().count() == sum(len(g.leaves) for g in STANDARD)
    assert services.category_seed_standard() == 0  # idempotent


def test_admin_adds_and_retires_a_category_and_both_are_journalled(admin_user: Any) -> None:
    services.category_seed_standard()
    client = login_as(Client(), admin_user)
    criminal = Category.objects.get(code="01")
    response = client.post(
        reverse("intake:category_create"),
        {
            "parent": criminal.pk,
            "code": "0123",
            "name": "帮助信息网络犯罪活动",
            "is_case_type": "on",
        },
    )
    assert response.status_code == 302
    new = Category.objects.get(code="0123")
    # The legal classification is the legal brigade's (三员分立): a posted flag is ignored.
    assert not new.is_case_type and new.group == CategoryGroup.CRIMINAL
    client.post(reverse("intake:category_edit", args=[new.pk]), {"name": new.name})
    new.refresh_from_db()
    assert not new.is_active and not Category.objects.selectable().filter(pk=new.pk).exists()
    assert AuditEvent.objects.filter(event_type=EventType.CATEGORY_CREATED).count() == 1
    assert AuditEvent.objects.filter(event_type=EventType.CATEGORY_UPDATED).count() == 1


def test_category_code_must_extend_its_group(admin_user: Any) -> None:
    services.category_seed_standard()
    response = login_as(Client(), admin_user).post(
        reverse("intake:category_create"),
        {"parent": Category.objects.get(code="03").pk, "code": "0150", "name": "错误"},
    )
    assert "类别代码应为上级代码 03 后加两位数字" in response.content.decode()


def test_clerk_cannot_edit_the_standard_but_can_read_it(clerk: Any) -> None:
    services.category_seed_standard()
    client = login_as(Client(), clerk)
    assert "职务侵占" in client.get(reverse("intake:category_list")).content.decode()
    pk = Category.objects.get(code="0101").pk
    assert client.post(reverse("intake:category_edit", args=[pk]), {"name": "x"}).status_code == 403
    assert Category.objects.get(pk=pk).name == "盗窃"


def test_a_retired_category_cannot_be_used(clerk: Any) -> None:
    from django.core.exceptions import ValidationError

    services.category_seed_standard()
    Category.objects.filter(code="0103").update(is_active=False)
    with pytest.raises(ValidationError) as caught:
        register(clerk)
    assert "启用的具体类别" in str(caught.value)


# --- completing a 110 alert -------------------------------------------------------------------
def test_station_officer_completes_a_110_alert_through_the_form(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    from shoulian.intake.tests.test_registration import form_data

    alert = import_110(clerk, station_code=bureau_a.station.code).alert
    client = login_as(Client(), officer)
    page = client.get(reverse("intake:complete", args=[alert.pk])).content.decode()
    assert alert.external_ref in page and "补录登记" in page
    data = form_data(version=str(alert.version), narrative="经民警现场了解：双方因摊位发生口角。")
    response = client.post(reverse("intake:complete", args=[alert.pk]), data)
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.registration_completed_at is not None and alert.version == 2
    assert alert.parties.count() == 2 and alert.evidence_items.count() == 1
    assert alert.registered_category.code == "0201" and alert.category.code == "0104"
    event = AuditEvent.objects.get(event_type=EventType.ALERT_REGISTRATION_COMPLETED)
    assert event.data["overdue"] is False
    assert client.get(reverse("intake:complete", args=[alert.pk])).status_code == 302


def test_leader_cannot_complete_a_registration(clerk: Any, leader: Any, bureau_a: Any) -> None:
    alert = import_110(clerk, station_code=bureau_a.station.code).alert
    assert (
        login_as(Client(), leader).get(reverse("intake:complete", args=[alert.pk])).status_code
        == 403
    )


def test_late_completion_is_recorded_as_overdue(clerk: Any, bureau_a: Any) -> None:
    from shoulian.intake.tests.helpers import alert_input

    alert = import_110(clerk, station_code=bureau_a.station.code).alert
    from shoulian.deadlines.models import Deadline

    # The deadline engine's due time is the one that counts: it ran out already.
    Deadline.objects.filter(object_id=str(alert.pk), code="urgent_registration").update(
        due_at=alert.received_at
    )
    alert.refresh_from_db()
    services.alert_complete_registration(
        actor=clerk,
        alert=alert,
        version=alert.version,
        data=alert_input(category_code="0201", items=(), parties=()),
    )
    event = AuditEvent.objects.get(event_type=EventType.ALERT_REGISTRATION_COMPLETED)
    assert event.data["overdue"] is True


# --- navigation ---------------------------------------------------------------------------------
def test_navigation_offers_the_desk_to_clerks_and_the_list_to_case_roles(
    clerk: Any, officer: Any, admin_user: Any
) -> None:
    def links(user: Any) -> str:
        return login_as(Client(), user).get(reverse("core:home")).content.decode()

    register_url = f'href="{reverse("intake:register")}"'
    list_url = f'href="{reverse("intake:alert_list")}"'
    clerk_page = links(clerk)
    assert register_url in clerk_page and list_url in clerk_page
    officer_page = links(officer)
    assert list_url in officer_page and register_url not in officer_page
    assert list_url not in links(admin_user)


def test_list_filters_by_unit_handling_or_registered_and_unhandled(
    clerk: Any, head: Any, bureau_a: Any
) -> None:
    # ``in_unit``: the supervision platform's "by unit" figures link here with the same rule.
    at_center = register(clerk).alert
    at_station = import_110(clerk, station_code=bureau_a.station.code).alert
    client = login_as(Client(), head)
    url = reverse("intake:alert_list")
    station_page = client.get(url, {"in_unit": str(at_station.handling_unit_id)}).content.decode()
    assert at_station.number in station_page
    assert at_center.number not in station_page
    center_page = client.get(url, {"in_unit": clerk.unit_id}).content.decode()
    assert at_center.number in center_page
    assert at_station.number not in center_page
    assert 'name="in_unit"' in center_page


def test_list_pages_walk_every_alert_once_in_both_directions(
    clerk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    from shoulian.intake import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    numbers = [register(clerk).alert.number for _ in range(5)][::-1]  # newest first
    client = login_as(Client(), clerk)
    url = reverse("intake:alert_list")

    def page(params: dict[str, str]) -> tuple[list[str], dict[str, str]]:
        html = client.get(url, params).content.decode()
        pager = html[html.index('<nav class="pager"') :]
        pager = pager[: pager.index("</nav>")]
        links = dict(re.findall(r"[?&;](older|newer)=([0-9]+-[0-9]+)", pager))
        return re.findall(r"<code>([^<]+)</code>", html), links

    seen, links = page({})
    assert "共 5 起" in client.get(url).content.decode()
    for _ in range(5):
        if "older" not in links:
            break
        rows, links = page({"older": links["older"]})
        seen += rows
    assert seen == numbers
    last, links = page({"last": "1"})
    # The oldest page is a full page, read from the other end of the index.
    assert last == numbers[-2:]
    back, _ = page({"newer": links["newer"]})
    assert back == numbers[1:3]
    # A cursor someone typed is the first page, not an error.
    assert page({"older": "abc"})[0] == numbers[:2]
