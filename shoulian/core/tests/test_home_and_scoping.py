from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shoulian.accounts.models import User
from shoulian.conftest import Bureau, login_as
from shoulian.core.scoping import ScopeDomain, scope_root

pytestmark = pytest.mark.django_db


def test_home_shows_name_unit_and_role(officer: User, bureau_a: Bureau) -> None:
    page = login_as(Client(), officer).get(reverse("core:home")).content.decode()
    assert officer.full_name in page and bureau_a.station.name in page and "办案民警" in page
    assert "本单位及下级单位" in page


def test_navigation_follows_the_role(inspector: User, officer: User, admin_user: User) -> None:
    assert "审计日志" in login_as(Client(), inspector).get(reverse("core:home")).content.decode()
    officer_page = login_as(Client(), officer).get(reverse("core:home")).content.decode()
    assert "审计日志" not in officer_page and "系统管理" not in officer_page
    assert "系统管理" in login_as(Client(), admin_user).get(reverse("core:home")).content.decode()


def test_officer_sees_only_own_unit_in_the_directory(
    officer: User, officer2: User, leader: User
) -> None:
    page = login_as(Client(), officer).get(reverse("accounts:directory")).content.decode()
    assert leader.full_name in page and officer2.full_name not in page


def test_officer_cannot_open_another_units_colleague(officer: User, officer2: User) -> None:
    response = login_as(Client(), officer).get(
        reverse("accounts:directory_detail", kwargs={"pk": officer2.pk})
    )
    assert response.status_code == 404


def test_bureau_wide_roles_see_the_bureau_but_not_the_other_bureau(
    head: User, officer2: User, outsider: User
) -> None:
    visible = User.objects.visible_to(head)
    assert visible.filter(pk=officer2.pk).exists()
    assert not visible.filter(pk=outsider.pk).exists()


def test_admin_sees_no_case_content(admin_user: User, bureau_a: Bureau) -> None:
    """三员分立: content scope of an administrator is empty, org scope is the bureau."""
    assert scope_root(admin_user, ScopeDomain.CONTENT) is None
    assert scope_root(admin_user, ScopeDomain.ORG) == bureau_a.bureau


def test_inactive_user_sees_nothing(officer: User) -> None:
    User.objects.filter(pk=officer.pk).update(is_active=False)
    officer.refresh_from_db()
    assert not User.objects.visible_to(officer).exists()


def test_error_pages_show_a_correlation_id_not_a_traceback(officer: User) -> None:
    response = login_as(Client(), officer).get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404 and "错误编号" in body and "Traceback" not in body
    assert response["X-Request-ID"] in body


def test_responses_carry_csp_and_no_store(officer: User) -> None:
    response = login_as(Client(), officer).get(reverse("core:home"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "no-store"


def test_healthz_reports_database_ok(db: None) -> None:
    body = Client().get(reverse("core:healthz")).json()
    assert body["status"] == "ok" and body["checks"]["database"]["ok"] is True


def test_center_clerks_see_the_whole_bureaus_content_but_station_clerks_only_their_station(
    clerk: User, bureau_a: Bureau, bureau_b: Bureau
) -> None:
    from shoulian.accounts.choices import Role
    from shoulian.conftest import make_user

    assert scope_root(clerk, ScopeDomain.CONTENT) == bureau_a.bureau
    station_clerk = make_user("stationclerk", bureau_a.station, Role.CLERK, auxiliary=True)
    assert scope_root(station_clerk, ScopeDomain.CONTENT) == bureau_a.station


def test_each_navigation_section_appears_once(inspector: User) -> None:
    from shoulian.core.navigation import nav_for

    sections = [
        item["section"]
        for item in nav_for(login_as(Client(), inspector).get("/").wsgi_request.user)
    ]
    assert sections, "the inspector has no navigation"
    seen: list[str] = []
    for section in sections:
        if not seen or seen[-1] != section:
            assert section not in seen, f"section {section} split in the navigation: {sections}"
            seen.append(section)


def test_complaints_and_follow_ups_are_in_the_menu_of_center_clerks_only(
    clerk: User, bureau_a: Bureau
) -> None:
    from shoulian.accounts.choices import Role
    from shoulian.conftest import make_user

    station_clerk = make_user("stationclerk2", bureau_a.station, Role.CLERK)
    center_home = login_as(Client(), clerk).get(reverse("core:home")).content.decode()
    station_home = login_as(Client(), station_clerk).get(reverse("core:home")).content.decode()
    for name in ("feedback:complaints", "feedback:follow_ups"):
        assert reverse(name) in center_home
        assert reverse(name) not in station_home
