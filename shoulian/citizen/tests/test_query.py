"""The progress query (Z7): code + registered mobile + SMS code, one generic answer for every
mismatch, throttles, allow-listed fields only."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.citizen import services
from shoulian.citizen.models import QueryChallenge
from shoulian.citizen.tests.helpers import (
    last_challenge,
    open_query,
    sms_code,
    start,
    strip_csrf,
    verify,
)
from shoulian.intake.tests.helpers import ID_NUMBER, MOBILE, register

pytestmark = pytest.mark.django_db

OTHER_MOBILE = "13911112222"


@pytest.fixture
def alert(clerk: Any) -> Any:
    return register(clerk).alert


@pytest.fixture
def sensitive_alert(clerk: Any) -> Any:
    return register(clerk, category_code="0119").alert


def _events(event_type: EventType) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("id"))


def _first_step(client: Client, code: str, mobile: str) -> tuple[Any, str]:
    response = start(client, code, mobile)
    page = client.get(reverse("citizen:query_code"))
    return response, strip_csrf(page.content.decode())


def test_every_mismatch_and_the_match_itself_give_the_same_answer(
    alert: Any, sensitive_alert: Any
) -> None:
    cases = {
        "match": (alert.query_code, MOBILE),
        "unknown code": ("ABCDE23456", MOBILE),
        "wrong mobile": (alert.query_code, OTHER_MOBILE),
        "sensitive category": (sensitive_alert.query_code, MOBILE),
    }
    answers = {}
    for name, (code, mobile) in cases.items():
        response, page = _first_step(Client(), code, mobile)
        answers[name] = (response.status_code, response["Location"], page)
    # Throttled: the sixth attempt on one code in an hour, with the right mobile.
    for _ in range(services.PER_CODE_LIMIT):
        start(Client(REMOTE_ADDR="10.0.0.9"), alert.query_code, OTHER_MOBILE)
    response, page = _first_step(Client(), alert.query_code, MOBILE)
    answers["throttled"] = (response.status_code, response["Location"], page)

    reference = answers["match"]
    assert reference[0] == 302 and reference[1] == reverse("citizen:query_code")
    assert "如果查询码和手机号码与登记信息一致" in reference[2]
    for name, answer in answers.items():
        assert answer == reference, name
    sent = [c for c in QueryChallenge.objects.order_by("id") if sms_code(c) is not None]
    assert len(sent) == 1 and sent[0].subject_id == alert.pk


def test_sensitive_category_sends_no_code(sensitive_alert: Any) -> None:
    start(Client(), sensitive_alert.query_code, MOBILE)
    challenge = last_challenge()
    assert challenge.subject_id is None and sms_code(challenge) is None


def test_five_lookups_per_code_per_hour_then_none(alert: Any) -> None:
    for n in range(services.PER_CODE_LIMIT):
        start(Client(REMOTE_ADDR=f"10.0.1.{n}"), alert.query_code, MOBILE)
        assert sms_code(last_challenge()) is not None
    start(Client(REMOTE_ADDR="10.0.1.99"), alert.query_code, MOBILE)
    assert sms_code(last_challenge()) is None
    (event,) = _events(EventType.QUERY_THROTTLED)
    assert event.outcome == "denied"
    # The journal holds keyed hashes, never the code, the mobile or the address itself.
    assert alert.query_code not in event.body and MOBILE not in event.body
    assert event.data["limit"] == "code" and "10.0.1.99" not in str(event.data)


def test_an_hour_later_the_code_can_be_queried_again(alert: Any) -> None:
    earlier = timezone.now() - timedelta(minutes=61)
    for _ in range(services.PER_CODE_LIMIT):
        services.query_start(
            query_code=alert.query_code, mobile=MOBILE, address="10.0.2.1", now=earlier
        )
    start(Client(), alert.query_code, MOBILE)
    assert sms_code(last_challenge()) is not None


def test_twenty_lookups_per_address_per_hour(alert: Any, clerk: Any) -> None:
    client = Client(REMOTE_ADDR="10.0.3.1")
    for n in range(services.PER_ADDRESS_LIMIT):
        start(client, f"ABCDE{n:05d}".replace("0", "2").replace("1", "3"), MOBILE)
    # Rotating X-Forwarded-For does not make a new address: no proxy is trusted (netaddr).
    start(client, alert.query_code, MOBILE, HTTP_X_FORWARDED_FOR="192.0.2.77")
    assert sms_code(last_challenge()) is None
    assert _events(EventType.QUERY_THROTTLED)[-1].data["limit"] == "address"
    start(Client(REMOTE_ADDR="10.0.3.2"), alert.query_code, MOBILE)
    assert sms_code(last_challenge()) is not None


def test_code_verification_counts_against_the_same_throttles(alert: Any) -> None:
    client = Client(REMOTE_ADDR="10.0.4.1")
    start(client, alert.query_code, MOBILE)
    code = sms_code(last_challenge())
    assert code is not None
    for _ in range(services.PER_CODE_LIMIT - 1):
        verify(client, "000000" if code != "000000" else "111111")
    # Five attempts on this code in the hour (one start, four verifications): the right code
    # is refused now, with the same page as a wrong one.
    response = verify(client, code)
    assert response.status_code == 200
    assert "验证码不正确或已失效" in response.content.decode()
    assert _events(EventType.QUERY_THROTTLED)[-1].data["step"] == "verify"


def test_five_wrong_sms_codes_kill_the_challenge(
    alert: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The per-code throttle would stop the fifth try first; this is about the challenge's own
    # limit (A4), so the throttle is out of the way here.
    monkeypatch.setattr(services, "PER_CODE_LIMIT", 100)
    client = Client()
    start(client, alert.query_code, MOBILE)
    challenge = last_challenge()
    code = sms_code(challenge)
    assert code is not None
    wrong = "000000" if code != "000000" else "111111"
    for n in range(services.MAX_CODE_ATTEMPTS):
        verified = services.query_verify(
            token=challenge.token.hex, code=wrong, address=f"10.0.5.{n}"
        )
        assert verified is None
    assert services.query_verify(token=challenge.token.hex, code=code, address="10.0.5.9") is None
    assert len(_events(EventType.QUERY_VERIFY_FAILED)) == services.MAX_CODE_ATTEMPTS + 1


def test_a_code_works_once_and_expires_after_five_minutes(
    alert: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        challenge = services.query_start(
            query_code=alert.query_code, mobile=MOBILE, address="10.0.6.1"
        )
    code = sms_code(challenge)
    assert code is not None
    later = timezone.now() + timedelta(minutes=6)
    assert (
        services.query_verify(token=challenge.token.hex, code=code, address="x", now=later) is None
    )
    with django_capture_on_commit_callbacks(execute=True):
        fresh = services.query_start(query_code=alert.query_code, mobile=MOBILE, address="10.0.6.2")
    code = sms_code(fresh)
    assert code is not None
    assert services.query_verify(token=fresh.token.hex, code=code, address="y") is not None
    assert services.query_verify(token=fresh.token.hex, code=code, address="y") is None


def test_code_and_phone_travel_only_in_post_bodies(alert: Any) -> None:
    client = Client()
    form = client.get(reverse("citizen:query_start")).content.decode()
    assert re.search(r'<form method="post" action="/q/"', form)
    first = start(client, alert.query_code, MOBILE)
    code_page = client.get(first["Location"]).content.decode()
    assert re.search(r'<form method="post" action="/q/code/"', code_page)
    code = sms_code(last_challenge())
    assert code is not None
    second = verify(client, code)
    locations = [first["Location"], second["Location"]]
    for location in locations:
        assert alert.query_code not in location and MOBILE not in location and code not in location
    result = client.get(second["Location"]).content.decode()
    assert 'method="get"' not in result.lower()
    # Nor in the journal: challenges and views are recorded by keyed hash and id only.
    bodies = "".join(
        AuditEvent.objects.filter(event_type__gte=6100, event_type__lt=6200).values_list(
            "body", flat=True
        )
    )
    assert alert.query_code not in bodies and MOBILE not in bodies


def test_the_public_view_shows_allow_listed_fields_only(alert: Any) -> None:
    page = open_query(Client(), alert.query_code, MOBILE).content.decode()
    assert "已受理" in page and alert.number in page
    assert alert.registering_unit.name in page and alert.registering_unit.phone in page
    for secret in (
        alert.narrative,
        "电动车",  # any part of the narrative
        "王小明",  # the reporter's name
        ID_NUMBER,
        MOBILE,
        alert.incident_place,
        "购车发票",  # the evidence list
        "凤岗街道",  # the reporter's address
        alert.category.name,
    ):
        assert secret not in page, secret


def test_every_view_is_journalled_without_personal_data(alert: Any) -> None:
    client = Client()
    open_query(client, alert.query_code, MOBILE)
    client.get(reverse("citizen:query_result"))
    views = _events(EventType.QUERY_VIEWED)
    assert len(views) == 2
    assert views[0].object_type == "alert" and views[0].object_id == str(alert.pk)
    assert MOBILE not in views[0].body and alert.query_code not in views[0].body


def test_the_verified_view_expires_after_fifteen_minutes(
    alert: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from django.core import signing

    client = Client()
    assert open_query(client, alert.query_code, MOBILE).status_code == 200
    later = time.time() + 16 * 60
    monkeypatch.setattr(signing.time, "time", lambda: later)  # type: ignore[attr-defined]
    response = client.get(reverse("citizen:query_result"))
    assert response.status_code == 302 and response["Location"] == reverse("citizen:query_start")


def test_without_verification_the_result_page_sends_back_to_the_start() -> None:
    response = Client().get(reverse("citizen:query_result"))
    assert response.status_code == 302 and response["Location"] == reverse("citizen:query_start")


def test_a_forged_view_cookie_opens_nothing(alert: Any) -> None:
    client = Client()
    client.cookies["shoulian_qv"] = f'{{"c":"x","t":"alert","i":{alert.pk}}}'
    response = client.get(reverse("citizen:query_result"))
    assert response.status_code == 302


def test_a_malformed_code_or_mobile_is_a_form_error_about_the_shape_only() -> None:
    response = start(Client(), "abc", "123")
    page = response.content.decode()
    assert response.status_code == 200
    assert "10 位字母和数字" in page and "11 位手机号码" in page
    assert not QueryChallenge.objects.exists()


def test_a_code_whose_job_was_lost_is_sent_by_the_minute_sweep(
    alert: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from unittest import mock

    from shoulian.citizen import tasks
    from shoulian.notify.models import SmsMessage

    # The queue refuses the job (down, locked) at commit: the citizen still gets the generic
    # next page.
    with mock.patch.object(tasks, "send_query_code", side_effect=RuntimeError("queue down")):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            challenge = services.query_start(
                query_code=alert.query_code, mobile=MOBILE, address="10.0.7.1"
            )
    assert len(callbacks) == 1
    challenge.refresh_from_db()
    assert challenge.sent_at is None and sms_code(challenge) is None
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_pending_codes() == 1
    assert sms_code(challenge) is not None
    # The SMS of a five-minute code is not kept for the outbox's default three days.
    message = SmsMessage.objects.get(key=f"otp:{challenge.token}")
    assert message.expires_at <= challenge.expires_at
    assert services.send_pending_codes() == 0
