"""The 110 API under abuse (issue 13 item 6): deep nesting, oversized bodies, the wrong media type
and a client failing authentication in a loop all get the documented JSON errors, and the journal
gets a bounded number of events, not one per failure."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.intake.choices import Channel
from shoulian.intake.models import Alert, ApiClient
from shoulian.intake.services import api_client_create, api_clients
from shoulian.intake.tests.helpers import category
from shoulian.intake.tests.test_api_and_import import URL, body, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_client(bureau_a: Any) -> tuple[ApiClient, str]:
    category()
    return api_client_create(
        name="甲市110指挥中心", unit=bureau_a.center, channel=Channel.DISPATCH_110
    )


def _raw(token: str, content: bytes, content_type: str = "application/json", **extra: Any) -> Any:
    return Client().generic(
        "POST",
        URL,
        content,
        content_type=content_type,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k-1"},
        **extra,
    )


def test_deeply_nested_json_is_the_documented_400_not_a_500(bureau_a: Any, api_client: Any) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    response = _raw(api_client[1], deep)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json" and "嵌套过深" in response.json()["message"]
    nested = json.dumps(body(bureau_a, narrative={"a": [[[[]]]]})).encode()
    assert _raw(api_client[1], nested).status_code == 400


def test_a_body_over_djangos_limit_is_the_documented_json_413(
    bureau_a: Any, api_client: Any
) -> None:
    huge = b'{"x": "' + b"a" * (3 * 1024 * 1024) + b'"}'
    response = _raw(api_client[1], huge)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "too_large"
    over_ours = b'{"x": "' + b"a" * (300 * 1024) + b'"}'
    assert _raw(api_client[1], over_ours).json()["error"] == "too_large"


def test_text_plain_is_refused(bureau_a: Any, api_client: Any) -> None:
    response = _raw(api_client[1], json.dumps(body(bureau_a)).encode(), content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
    assert not Alert.objects.exists()
    ok = _raw(
        api_client[1],
        json.dumps(body(bureau_a)).encode(),
        content_type="application/json; charset=utf-8",
    )
    assert ok.status_code == 201


def test_authentication_failures_are_throttled_and_journalled_boundedly(
    bureau_a: Any, api_client: Any
) -> None:
    with time_machine.travel(timezone.now(), tick=False):
        codes = [post("slk_wrong", body(bureau_a)).status_code for _ in range(60)]
        assert codes[: api_clients.API_AUTH_LIMIT] == [401] * api_clients.API_AUTH_LIMIT
        assert set(codes[api_clients.API_AUTH_LIMIT :]) == {429}
        throttled = post(api_client[1], body(bureau_a))  # even a good token waits: same address
        assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
        assert throttled.json()["error"] == "too_many_failures"
    failed = AuditEvent.objects.filter(event_type=EventType.API_AUTH_FAILED).count()
    assert failed == api_clients.API_AUTH_JOURNALLED
    assert AuditEvent.objects.filter(event_type=EventType.API_AUTH_THROTTLED).count() == 1


def test_the_throttle_is_per_address_and_ends_with_its_window(
    bureau_a: Any, api_client: Any
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(api_clients.API_AUTH_LIMIT):
            post("slk_wrong", body(bureau_a))
        assert post(api_client[1], body(bureau_a)).status_code == 429
        other = Client(REMOTE_ADDR="10.7.7.7").post(
            URL,
            json.dumps(body(bureau_a)),
            content_type="application/json",
            headers={"Authorization": f"Bearer {api_client[1]}", "Idempotency-Key": "k-2"},
        )
        assert other.status_code == 201
        clock.shift(api_clients.API_AUTH_WINDOW)
        assert post(api_client[1], body(bureau_a, external_ref="J2")).status_code == 201
