"""110 and other machine channels: the token-authenticated JSON endpoint (R5) and CSV import."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as
from shoulian.deadlines.models import Deadline
from shoulian.intake import services
from shoulian.intake.choices import Channel
from shoulian.intake.models import Alert, ApiClient
from shoulian.intake.tests.helpers import category

pytestmark = pytest.mark.django_db

URL = "/api/intake/alerts"


@pytest.fixture
def api_client(bureau_a: Any) -> tuple[ApiClient, str]:
    category()
    return services.api_client_create(
        name="甲市110指挥中心", unit=bureau_a.center, channel=Channel.DISPATCH_110
    )


def body(bureau: Any, **overrides: Any) -> dict[str, Any]:
    received = timezone.now() - timedelta(hours=5)
    data = {
        "external_ref": "J3504002026113000123",
        "received_at": received.isoformat(),
        "handled_at": (received + timedelta(minutes=40)).isoformat(),
        "incident_place": "甲城关街道府前路口",
        "narrative": "报警人称其电动车在府前路口被盗，民警已到场处置。",
        "category_code": "0103",
        "urgency": "normal",
        "handling_unit_code": bureau.station.code,
        "parties": [{"role": "reporter", "name": "周建国", "phone": "13912345678"}],
    }
    data.update(overrides)
    return data


def post(token: str | None, data: Any, key: str | None = "key-1") -> Any:
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if key is not None:
        headers["Idempotency-Key"] = key
    return Client().post(URL, json.dumps(data), content_type="application/json", headers=headers)


def test_api_without_a_valid_token_is_401_and_journalled(bureau_a: Any, api_client: Any) -> None:
    assert post(None, body(bureau_a)).status_code == 401
    response = post("slk_wrong", body(bureau_a))
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert AuditEvent.objects.filter(event_type=EventType.API_AUTH_FAILED).count() == 2
    assert not Alert.objects.exists()


def test_api_requires_an_idempotency_key(bureau_a: Any, api_client: Any) -> None:
    response = post(api_client[1], body(bureau_a), key=None)
    assert response.status_code == 400 and response.json()["error"] == "idempotency_key_required"


def test_api_registers_a_110_alert_with_its_24_hour_deadline(
    bureau_a: Any, api_client: Any
) -> None:
    data = body(bureau_a)
    response = post(api_client[1], data)
    assert response.status_code == 201, response.content
    alert = Alert.objects.get()
    assert response.json()["number"] == alert.number
    assert alert.channel == Channel.DISPATCH_110 and alert.api_client == api_client[0]
    assert alert.registering_unit == bureau_a.center and alert.handling_unit == bureau_a.station
    handled = alert.handled_at
    assert handled is not None
    # The deadline engine's 24 hours (urgent_registration): the hour of handling is not counted.
    deadline = Deadline.objects.get(object_id=str(alert.pk), code="urgent_registration")
    # The answer names the engine's due time; the alert keeps no copy of it.
    assert deadline.due_at is not None
    assert response.json()["registration_due_at"] == deadline.due_at.isoformat()
    assert not hasattr(alert, "registration_due_at")
    begins = handled.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    assert deadline.due_at == begins + timedelta(hours=24)
    assert deadline.unit == alert.registering_unit and deadline.started_at == handled
    assert alert.registration_completed_at is None
    event = AuditEvent.objects.get(event_type=EventType.ALERT_IMPORTED)
    assert event.channel == "api" and event.data["api_client"] == "甲市110指挥中心"


def test_api_replay_returns_the_same_answer(bureau_a: Any, api_client: Any) -> None:
    data = body(bureau_a)
    first = post(api_client[1], data)
    second = post(api_client[1], data)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and second["Idempotent-Replayed"] == "true"
    assert Alert.objects.count() == 1


def test_api_same_key_other_body_is_422(bureau_a: Any, api_client: Any) -> None:
    post(api_client[1], body(bureau_a))
    response = post(api_client[1], body(bureau_a, narrative="另一起警情的内容。"))
    assert response.status_code == 422 and response.json()["error"] == "idempotency_key_reused"
    assert Alert.objects.count() == 1


def test_api_refuses_a_second_alert_for_the_same_dispatch_sheet(
    bureau_a: Any, api_client: Any
) -> None:
    post(api_client[1], body(bureau_a), key="a")
    response = post(api_client[1], body(bureau_a), key="b")
    assert response.status_code == 400 and "已登记" in json.dumps(
        response.json(), ensure_ascii=False
    )


def test_api_validates_fields_with_chinese_messages(bureau_a: Any, api_client: Any) -> None:
    response = post(
        api_client[1],
        body(
            bureau_a,
            category_code="9999",
            parties=[{"name": "周建国", "phone": "12345"}],
            received_at=(timezone.now() + timedelta(days=1)).isoformat(),
        ),
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert "category_code" in fields and "parties[0].phone" in fields
    assert not Alert.objects.exists()


def test_api_cannot_route_to_a_unit_of_another_bureau(
    bureau_a: Any, bureau_b: Any, api_client: Any
) -> None:
    response = post(api_client[1], body(bureau_a, handling_unit_code=bureau_b.station.code))
    assert response.status_code == 400 and not Alert.objects.exists()


def test_revoked_client_is_refused(bureau_a: Any, api_client: Any) -> None:
    services.api_client_revoke(client=api_client[0])
    assert post(api_client[1], body(bureau_a)).status_code == 401


def test_extra_fields_cannot_set_status_or_unit(bureau_a: Any, api_client: Any) -> None:
    """Z4: fields the interface does not define are ignored."""
    post(
        api_client[1],
        body(bureau_a, status="criminal_case", registering_unit=bureau_a.station.pk, id=999),
    )
    alert = Alert.objects.get()
    assert alert.status == "registered" and alert.registering_unit == bureau_a.center
    assert alert.pk != 999


def test_get_with_a_token_is_405(bureau_a: Any, api_client: Any) -> None:
    response = Client().get(URL, headers={"Authorization": f"Bearer {api_client[1]}"})
    assert response.status_code == 405


def test_management_command_prints_the_token_once_and_stores_its_hash(bureau_a: Any) -> None:
    out = io.StringIO()
    call_command(
        "intake_api_client",
        "create",
        "--name",
        "甲县市场监管局移送平台",
        "--unit",
        bureau_a.center.code,
        "--channel",
        "admin_transfer",
        stdout=out,
    )
    token = out.getvalue().strip().splitlines()[-1]
    client = ApiClient.objects.get()
    assert token.startswith("slk_") and client.token_hash == services.token_digest(token)
    assert token not in json.dumps(list(ApiClient.objects.values()), default=str)
    assert services.api_client_authenticate(token) == client


def test_admin_transfer_client_needs_the_organ(bureau_a: Any) -> None:
    category()
    _, token = services.api_client_create(
        name="移送平台", unit=bureau_a.center, channel=Channel.ADMIN_TRANSFER
    )
    response = post(token, body(bureau_a, category_code="0106"))
    assert response.status_code == 400 and "source_organ" in response.json()["fields"]
    ok = post(
        token, body(bureau_a, category_code="0106", source_organ="甲县市场监督管理局"), key="2"
    )
    assert ok.status_code == 201
    assert Alert.objects.get().channel == Channel.ADMIN_TRANSFER


# --- CSV ----------------------------------------------------------------------------------------
CSV_HEADER = "接警单号,接警时间,处警时间,发案地点,报警人,报警电话,简要警情,警情类别代码,处警单位代码,紧急程度\n"


def csv_rows(bureau: Any, *rows: tuple[str, str]) -> str:
    stamp = (timezone.localtime() - timedelta(hours=6)).strftime("%Y-%m-%d %H:%M")
    handled = (timezone.localtime() - timedelta(hours=5)).strftime("%Y/%m/%d %H:%M")
    lines = [
        f"{ref},{stamp},{handled},甲城关街道北大路,刘女士,{phone},邻居装修噪音纠纷，调解后离开。,0303,{bureau.station.code},一般\n"
        for ref, phone in rows
    ]
    return CSV_HEADER + "".join(lines)


def upload_csv(client: Client, text: str, encoding: str = "utf-8-sig") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("intake:import"),
        {
            "channel": "dispatch_110",
            "file": SimpleUploadedFile("110.csv", text.encode(encoding), "text/csv"),
        },
    )


def test_csv_import_creates_alerts_and_skips_rows_already_imported(
    clerk: Any, bureau_a: Any
) -> None:
    category()
    client = login_as(Client(), clerk)
    text = csv_rows(bureau_a, ("J001", "13800000001"), ("J002", "13800000002"))
    response = upload_csv(client, text)
    assert "新导入 2 起" in response.content.decode()
    again = upload_csv(client, text)
    assert "新导入 0 起，跳过已导入 2 起" in again.content.decode()
    assert Alert.objects.count() == 2
    alert = Alert.objects.get(external_ref="J001")
    assert alert.handling_unit == bureau_a.station
    assert Deadline.objects.get(object_id=str(alert.pk), code="urgent_registration").due_at
    assert alert.parties.get().phone.plaintext() == "13800000001"


def test_csv_with_one_bad_row_imports_nothing(clerk: Any, bureau_a: Any) -> None:
    category()
    text = csv_rows(bureau_a, ("J101", "13800000001"), ("J102", "999"))
    response = upload_csv(login_as(Client(), clerk), text)
    page = response.content.decode()
    assert "未导入" in page and "请输入11位手机号码" in page
    assert not Alert.objects.exists()
    assert AuditEvent.objects.filter(event_type=EventType.ALERT_IMPORT_REJECTED).count() == 1


def test_csv_in_gb18030_is_read(clerk: Any, bureau_a: Any) -> None:
    category()
    response = upload_csv(
        login_as(Client(), clerk), csv_rows(bureau_a, ("J201", "13800000003")), "gb18030"
    )
    assert "新导入 1 起" in response.content.decode()


def test_officer_cannot_import(officer: Any) -> None:
    assert login_as(Client(), officer).get(reverse("intake:import")).status_code == 403
