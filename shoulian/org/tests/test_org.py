from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from shoulian.accounts.choices import Role
from shoulian.accounts.models import User
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as
from shoulian.org.choices import UnitKind
from shoulian.org.models import Area, Unit
from shoulian.org.selectors import area_for_place
from shoulian.org.services import area_create, unit_create

pytestmark = pytest.mark.django_db


def test_unit_tree_paths_give_subtrees(bureau_a) -> None:
    subtree = set(Unit.objects.subtree(bureau_a.bureau).values_list("code", flat=True))
    assert bureau_a.station.code in subtree and bureau_a.city.code not in subtree
    assert bureau_a.station.bureau() == bureau_a.bureau


def test_a_station_cannot_sit_under_a_station(bureau_a) -> None:
    with pytest.raises(ValidationError) as exc:
        unit_create(
            actor=None, parent=bureau_a.station, code="X1", name="子所", kind=UnitKind.STATION
        )
    assert "下不能设立" in str(exc.value)


def test_unit_codes_are_unique(bureau_a) -> None:
    with pytest.raises(ValidationError):
        unit_create(
            actor=None,
            parent=bureau_a.bureau,
            code=bureau_a.station.code,
            name="重复",
            kind=UnitKind.STATION,
        )


def test_admin_creates_a_station_through_the_page(admin_user: User, bureau_a) -> None:
    response = login_as(Client(), admin_user).post(
        reverse("org:unit_create"),
        {
            "parent": bureau_a.bureau.pk,
            "code": "35012713",
            "name": "甲城北派出所",
            "kind": UnitKind.STATION,
            "phone": "0598-1110000",
            "address": "",
            "short_name": "城北所",
        },
    )
    assert response.status_code == 302
    unit = Unit.objects.get(code="35012713")
    assert unit.path == f"{bureau_a.bureau.path}{unit.pk}/"
    assert AuditEvent.objects.filter(
        event_type=EventType.UNIT_CREATED, object_id=str(unit.pk), actor_id=admin_user.pk
    ).exists()


def test_admin_cannot_create_a_unit_under_another_bureau(admin_user: User, bureau_b) -> None:
    with pytest.raises(PermissionDenied):
        unit_create(
            actor=admin_user,
            parent=bureau_b.bureau,
            code="Z9",
            name="越权所",
            kind=UnitKind.STATION,
        )
    assert AuditEvent.objects.filter(event_type=EventType.ACCESS_DENIED, outcome="denied").exists()


def test_unit_with_active_staff_cannot_be_deactivated(
    admin_user: User, officer: User, bureau_a
) -> None:
    response = login_as(Client(), admin_user).post(
        reverse("org:unit_edit", kwargs={"pk": bureau_a.station.pk}),
        {
            "name": bureau_a.station.name,
            "short_name": "",
            "phone": "",
            "address": "",
        },
    )
    assert "仍有在岗用户" in response.content.decode()
    assert Unit.objects.get(pk=bureau_a.station.pk).is_active


def test_area_places_suggest_the_station(bureau_a) -> None:
    area = area_for_place(bureau=bureau_a.bureau, place_name="甲府前路18号门口")
    assert area is not None and area.station == bureau_a.station
    assert area_for_place(bureau=bureau_a.bureau, place_name="外地某处") is None


def test_a_place_name_belongs_to_one_area_per_bureau(bureau_a) -> None:
    with pytest.raises(ValidationError) as exc:
        area_create(actor=None, station=bureau_a.station2, name="冲突辖区", places=["甲府前路"])
    assert "已属于辖区" in str(exc.value)


def test_admin_edits_area_places(admin_user: User, bureau_a) -> None:
    area = bureau_a.station.areas.get()
    response = login_as(Client(), admin_user).post(
        reverse("org:area_edit", kwargs={"pk": area.pk}),
        {
            "name": area.name,
            "description": "",
            "places": "甲城关街道\n甲新华路\n\n甲新华路",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert sorted(Area.objects.get(pk=area.pk).places.values_list("name", flat=True)) == [
        "甲城关街道",
        "甲新华路",
    ]
    event = AuditEvent.objects.get(event_type=EventType.AREA_UPDATED)
    assert event.data["places_added"] == ["甲新华路"] and event.data["places_removed"] == [
        "甲府前路"
    ]


def test_officer_cannot_open_the_area_pages(officer: User, bureau_a) -> None:
    client = login_as(Client(), officer)
    assert client.get(reverse("org:area_list")).status_code == 403


# --- demo bureau ------------------------------------------------------------------------------------
@pytest.mark.long
@override_settings(DEMO_MODE=True)
def test_seed_demo_is_idempotent_and_covers_every_role(request: pytest.FixtureRequest) -> None:
    # The full-size demo (731 alerts, minutes) on SQLite, the database `make run` seeds. Its
    # volume exercises the demo's content, the same on both databases: small on PostgreSQL.
    if connection.vendor == "postgresql":
        request.getfixturevalue("small_demo")
    call_command("seed_demo", stdout=StringIO())
    counts = (Unit.objects.count(), Area.objects.count(), User.objects.count())
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert (Unit.objects.count(), Area.objects.count(), User.objects.count()) == counts
    assert "用户 +0" in out.getvalue()
    assert counts[2] >= 40
    assert Unit.objects.filter(kind=UnitKind.STATION).count() >= 5
    held = set(User.objects.values_list("roles__role", flat=True))
    assert held == set(Role.values)
    assert User.objects.filter(police_kind="auxiliary").count() >= 4
    assert all(s.areas.exists() for s in Unit.objects.filter(kind=UnitKind.STATION))


@override_settings(DEMO_MODE=True)
def test_every_demo_login_lands_on_its_home_page(small_demo: None) -> None:
    from shoulian.org.demo import DEMO_LOGINS, DEMO_PASSWORD

    call_command("seed_demo", stdout=StringIO())
    for role, username in DEMO_LOGINS:
        client = Client()
        response = client.post(
            reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD}
        )
        assert response["Location"] == reverse("core:home"), username
        page = client.get(reverse("core:home")).content.decode()
        assert str(Role(role).label) in page, username
