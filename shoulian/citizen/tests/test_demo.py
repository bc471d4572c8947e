"""The demo seeder adds one kiosk to the demo center and runs twice without a second one."""

from __future__ import annotations

import pytest
from django.test import Client

from shoulian.citizen.demo import seed_citizen
from shoulian.citizen.models import Kiosk
from shoulian.org.demo import seed_organisation

pytestmark = pytest.mark.django_db


def test_the_demo_kiosk_is_seeded_once_and_its_link_enrols_a_browser() -> None:
    seed_organisation()
    summary = seed_citizen()
    assert seed_citizen().startswith("自助终端")
    assert Kiosk.objects.count() == 1
    link = summary.split(" ")[1]
    client = Client()
    assert client.post(link).status_code == 302
    assert client.get("/kiosk/").status_code == 200
