"""适老化 on the public pages: the large-type switch, remembered on a phone and for one visit on
the kiosk, and a query code accepted however an older citizen types it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shoulian.citizen.tests.helpers import (
    enrolled_client,
    last_challenge,
    open_query,
    sms_code,
    start,
)
from shoulian.citizen.views.display import LARGE_COOKIE, PHONE_MAX_AGE
from shoulian.intake.tests.helpers import MOBILE, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(clerk: Any) -> Any:
    return register(clerk).alert


def _large(page: Any) -> bool:
    html = page.content.decode() if hasattr(page, "content") else page
    match = re.search(r'<body class="([^"]*)"', html)
    assert match is not None
    return "large-type" in match.group(1).split()


def _switch(client: Client, on: bool, next_url: str) -> Any:
    return client.post(
        reverse("citizen:large_type"), {"large": "1" if on else "0", "next": next_url}
    )


def test_the_query_page_offers_large_type_and_draws_it_once_chosen() -> None:
    client = Client()
    page = client.get(reverse("citizen:query_start")).content.decode()
    assert 'aria-pressed="false"' in page and not _large(page)
    response = _switch(client, True, "/q/")
    assert response.status_code == 302 and response["Location"] == "/q/"
    cookie = response.cookies[LARGE_COOKIE]
    # On a phone the choice is kept on the device.
    assert cookie.value == "1" and int(cookie["max-age"]) == PHONE_MAX_AGE
    page = client.get(reverse("citizen:query_start")).content.decode()
    assert _large(page) and 'aria-pressed="true"' in page


def test_switching_large_type_off_forgets_it() -> None:
    client = Client()
    _switch(client, True, "/q/")
    response = _switch(client, False, "/q/")
    assert response.cookies[LARGE_COOKIE]["max-age"] == 0
    assert not _large(client.get(reverse("citizen:query_start")))


def test_on_the_kiosk_large_type_lasts_for_the_visit_only(bureau_a: Any, head: Any) -> None:
    client, _ = enrolled_client(head, bureau_a.center)
    response = _switch(client, True, "/kiosk/report/?kind=report")
    assert response["Location"] == "/kiosk/report/?kind=report"
    assert response.cookies[LARGE_COOKIE]["max-age"] == ""  # a browser-session cookie
    assert _large(client.get(reverse("citizen:kiosk_home")))


def test_the_switch_returns_only_to_a_public_page() -> None:
    for target in ("https://evil.example/", "//evil.example/q/", "/admin/", ""):
        response = _switch(Client(), True, target)
        assert response["Location"] == "/q/", target


def test_the_cached_result_page_follows_each_citizens_type_size(alert: Any) -> None:
    client = Client()
    assert not _large(open_query(client, alert.query_code, MOBILE))
    client.cookies[LARGE_COOKIE] = "1"
    assert _large(client.get(reverse("citizen:query_result")))
    del client.cookies[LARGE_COOKIE]
    assert not _large(client.get(reverse("citizen:query_result")))


@pytest.mark.parametrize(
    "shape", ["printed", "no hyphen", "lower case", "lower no hyphen", "spaces"]
)
def test_the_query_code_is_accepted_however_it_is_typed(alert: Any, shape: str) -> None:
    printed = alert.query_code_display
    typed = {
        "printed": printed,
        "no hyphen": printed.replace("-", ""),
        "lower case": printed.lower(),
        "lower no hyphen": printed.replace("-", "").lower(),
        "spaces": " " + printed.replace("-", " ").lower() + " ",
    }[shape]
    response = start(Client(), typed, MOBILE)
    assert response.status_code == 302
    challenge = last_challenge()
    assert challenge.subject_id == alert.pk and sms_code(challenge) is not None
