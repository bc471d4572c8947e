"""Test helpers of the citizen channels: every record is made through the services."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from shoulian.citizen import services
from shoulian.citizen.models import Kiosk, QueryChallenge
from shoulian.citizen.views.common import DEVICE_COOKIE

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def sms_code(challenge: QueryChallenge) -> str | None:
    """The 6-digit code the citizen's phone received for ``challenge``, read from the console
    gateway's file (the outbox row keeps the text with the code scrubbed). None: nothing sent."""
    return delivered_code(f"otp:{challenge.token}")


def delivered_code(key: str) -> str | None:
    import json
    from pathlib import Path

    from django.conf import settings

    from shoulian.notify.models import SmsMessage

    message = SmsMessage.objects.filter(key=key).first()
    if message is None:
        return None
    outbox = Path(settings.SHOULIAN_SMS_OUTBOX_FILE)
    lines = outbox.read_text(encoding="utf-8").splitlines() if outbox.exists() else []
    for line in lines:
        sms = json.loads(line)
        if sms["message_id"] == str(message.message_id):
            match = re.search(r"(?<!\d)(\d{6})(?!\d)", sms["text"])
            assert match, sms["text"]
            return match[1]
    raise AssertionError(f"SMS {message.message_id} was queued but not delivered")


def last_challenge() -> QueryChallenge:
    return QueryChallenge.objects.order_by("-id").first()  # type: ignore[return-value]


@contextmanager
def committed() -> Iterator[list[Callable[[], Any]]]:
    """Runs the on_commit callbacks (the SMS code's job) queued inside the block, as the request's
    commit would; the test's transaction never commits. Callbacks of an inner block that rolled
    back are dropped, as on a real rollback. It is pytest-django's
    ``django_capture_on_commit_callbacks(execute=True)``, for helpers that have no fixtures."""
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        yield callbacks


def start(client: Client, code: str, mobile: str, *, kiosk: bool = False, **extra: Any) -> Any:
    name = "citizen:kiosk_query_start" if kiosk else "citizen:query_start"
    with committed():
        return client.post(reverse(name), {"query_code": code, "mobile": mobile}, **extra)


def verify(client: Client, code: str, *, kiosk: bool = False, **extra: Any) -> Any:
    name = "citizen:kiosk_query_code" if kiosk else "citizen:query_code"
    return client.post(reverse(name), {"code": code}, **extra)


def open_query(client: Client, query_code: str, mobile: str, *, kiosk: bool = False) -> Any:
    """Both steps, as a citizen does them; returns the result page."""
    start(client, query_code, mobile, kiosk=kiosk)
    code = sms_code(last_challenge())
    assert code is not None, "no SMS code was sent"
    response = verify(client, code, kiosk=kiosk)
    assert response.status_code == 302, response.status_code
    return client.get(response["Location"])


def strip_csrf(html: str) -> str:
    return CSRF.sub('name="csrfmiddlewaretoken" value="-"', html)


def new_kiosk(actor: Any, unit: Any, name: str = "大厅1号机") -> tuple[Kiosk, str]:
    return services.kiosk_create(actor=actor, unit=unit, name=name)


def enrolled_client(actor: Any, unit: Any, name: str = "大厅1号机") -> tuple[Client, Kiosk]:
    """A browser enrolled as a new kiosk through its one-time link."""
    kiosk, token = new_kiosk(actor, unit, name)
    client = Client()
    response = client.post(reverse("citizen:kiosk_enrol", args=[token]))
    assert response.status_code == 302
    assert DEVICE_COOKIE in response.cookies
    kiosk.refresh_from_db()
    return client, kiosk


def report_form(**overrides: Any) -> dict[str, str]:
    values = {
        "category": "0103",
        "incident_at": (timezone.localtime() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "incident_place": "甲城关街道北大路18号楼下",
        "narrative": "我停在楼下的蓝色电动车被人偷了，价值约三千元。",
        "name": "王小明",
        "id_number": "11010519491231002X",
        "mobile": "13800138000",
        "idempotency_key": uuid.uuid4().hex,
    }
    values.update(overrides)
    return values
