"""Registering an alert at the desk (三个当场): the service, the form and who may do it."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as
from shoulian.intake import services
from shoulian.intake.choices import AlertStatus, Channel, FilePurpose, ReportForm
from shoulian.intake.models import Alert, AlertDraft, AlertParty, EvidenceFile
from shoulian.intake.tests.helpers import (
    ID_NUMBER,
    MOBILE,
    alert_input,
    category,
    file_input,
    register,
    sample_pdf,
    sample_png,
    upload,
)

pytestmark = pytest.mark.django_db


def form_data(**overrides: Any) -> dict[str, Any]:
    now = timezone.localtime()
    data = {
        "channel": Channel.WALK_IN,
        "report_form": ReportForm.WRITTEN,
        "urgency": "normal",
        "received_at": (now - timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M"),
        "incident_at": (now - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"),
        "incident_until": "",
        "incident_place": "甲府前路菜市场东门",
        "category": category("0104").pk,
        "narrative": "报案人称被冒充客服的人骗走购物退款保证金人民币4800元。",
        "external_ref": "",
        "source_organ": "",
        "idempotency_key": uuid.uuid4().hex,
        "draft": "",
        "action": "register",
        "party-TOTAL_FORMS": "2",
        "party-INITIAL_FORMS": "0",
        "party-MIN_NUM_FORMS": "0",
        "party-MAX_NUM_FORMS": "30",
        "party-0-role": "reporter",
        "party-0-name": "陈美玲",
        "party-0-gender": "female",
        "party-0-id_type": "resident_id",
        "party-0-id_number": ID_NUMBER,
        "party-0-phone": MOBILE,
        "party-0-address": "福建省三明市沙县区凤岗街道西门社区3号",
        "party-0-note": "",
        "party-1-role": "reporter",
        "party-1-name": "",
        "party-1-gender": "unknown",
        "party-1-id_type": "resident_id",
        "party-1-id_number": "",
        "party-1-phone": "",
        "party-1-address": "",
        "party-1-note": "",
        "item-TOTAL_FORMS": "1",
        "item-INITIAL_FORMS": "0",
        "item-MIN_NUM_FORMS": "0",
        "item-MAX_NUM_FORMS": "100",
        "item-0-name": "转账记录截图",
        "item-0-quantity": "3",
        "item-0-features": "手机截图打印件",
        "item-0-pages": "3",
    }
    data.update(overrides)
    return data


def test_clerk_registers_walk_in_alert_with_readable_number(clerk: Any, bureau_a: Any) -> None:
    registration = register(clerk)
    alert = registration.alert
    today = timezone.localdate()
    assert re.fullmatch(rf"{bureau_a.center.code}-{today:%Y%m%d}-0001", alert.number)
    assert alert.status == AlertStatus.REGISTERED
    assert alert.registering_unit == bureau_a.center
    assert alert.handling_unit is None  # the center's alerts wait for routing
    assert alert.registration_completed_at is not None
    assert services.alert_summary(alert)["registration_due_at"] is None
    assert alert.parties.count() == 1 and alert.evidence_items.count() == 1
    assert len(alert.query_code) == 10
    assert not registration.replayed


def test_place_suggests_the_jurisdiction_station(clerk: Any, bureau_a: Any) -> None:
    alert = register(clerk, incident_place="甲城南街道幸福小区5栋").alert
    assert alert.jurisdiction_station == bureau_a.station2
    unknown = register(clerk, incident_place="外省某地高速服务区").alert
    assert unknown.jurisdiction_station is None


def test_registration_writes_one_intake_event_whose_hash_is_on_the_alert(clerk: Any) -> None:
    import hashlib

    alert = register(clerk).alert
    events = AuditEvent.objects.filter(
        event_type=EventType.ALERT_REGISTERED, object_type="alert", object_id=str(alert.pk)
    )
    assert events.count() == 1
    event = events.get()
    assert alert.intake_event_id == event.pk
    assert alert.intake_event_sha256 == hashlib.sha256(event.body.encode()).hexdigest()
    assert event.data["number"] == alert.number
    # The ID number appears only masked (and keyed-hashed) in the journal.
    assert ID_NUMBER not in event.body and MOBILE not in event.body


def test_auxiliary_clerk_may_register_alert(auxiliary_clerk: Any) -> None:
    assert register(auxiliary_clerk).alert.registered_by == auxiliary_clerk


def test_station_clerk_registration_is_handled_by_its_own_station(bureau_a: Any) -> None:
    from shoulian.accounts.choices import Role
    from shoulian.conftest import make_user

    station_clerk = make_user("stationclerk", bureau_a.station, Role.CLERK)
    alert = register(station_clerk).alert
    assert alert.registering_unit == alert.handling_unit == bureau_a.station
    assert alert.number.startswith(bureau_a.station.code)


def test_officer_cannot_register_alert(officer: Any) -> None:
    with pytest.raises(PermissionDenied):
        register(officer)
    response = login_as(Client(), officer).get(reverse("intake:register"))
    assert response.status_code == 403
    assert not Alert.objects.exists()


def test_admin_cannot_read_alert(clerk: Any, admin_user: Any) -> None:
    alert = register(clerk).alert
    client = login_as(Client(), admin_user)
    assert client.get(reverse("intake:alert_detail", args=[alert.pk])).status_code == 403
    assert client.get(reverse("intake:alert_list")).status_code == 403
    assert not Alert.objects.visible_to(admin_user).exists()


def test_outsider_cannot_open_alert(clerk: Any, outsider: Any) -> None:
    alert = register(clerk).alert
    response = login_as(Client(), outsider).get(reverse("intake:alert_detail", args=[alert.pk]))
    assert response.status_code == 404


def test_station_officer_cannot_open_center_alert_before_routing(clerk: Any, officer: Any) -> None:
    alert = register(clerk).alert
    response = login_as(Client(), officer).get(reverse("intake:alert_detail", args=[alert.pk]))
    assert response.status_code == 404


def test_center_head_sees_every_alert_of_the_bureau(clerk: Any, head: Any) -> None:
    alert = register(clerk).alert
    response = login_as(Client(), head).get(
        reverse("intake:alert_detail", args=[alert.pk]), follow=True
    )
    assert response.status_code == 200 and alert.number in response.content.decode()


def test_oral_walk_in_report_needs_a_transcript(clerk: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        register(clerk, report_form=ReportForm.ORAL)
    assert "询问笔录" in str(caught.value)
    alert = register(
        clerk,
        report_form=ReportForm.ORAL,
        files=(file_input("询问笔录.pdf", sample_pdf(), FilePurpose.TRANSCRIPT),),
    ).alert
    assert alert.evidence_files.get().purpose == FilePurpose.TRANSCRIPT


def test_incident_after_receipt_and_future_times_are_refused(clerk: Any) -> None:
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        register(
            clerk, incident_at=now - timedelta(minutes=1), received_at=now - timedelta(hours=1)
        )
    assert "发案时间不能晚于接报时间" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        register(clerk, received_at=now + timedelta(hours=2))
    assert "晚于当前时间" in str(caught.value)


def test_admin_transfer_needs_organ_and_letter_number(clerk: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        register(clerk, channel=Channel.ADMIN_TRANSFER)
    assert "移送机关" in str(caught.value)
    alert = register(
        clerk,
        channel=Channel.ADMIN_TRANSFER,
        source_organ="沙县市场监督管理局",
        external_ref="沙市监移〔2026〕12号",
    ).alert
    assert alert.channel == Channel.ADMIN_TRANSFER and alert.source_organ


def test_form_post_registers_alert_with_files_and_opens_the_receipt(
    clerk: Any, media_root: Any
) -> None:
    client = login_as(Client(), clerk)
    page = client.get(reverse("intake:register")).content.decode()
    assert 'name="idempotency_key"' in page and "autofocus" in page
    data = form_data(
        evidence_files=[
            upload("现场照片.png", sample_png(), "image/png"),
            upload("转账记录.pdf", sample_pdf(), "application/pdf"),
        ]
    )
    response = client.post(reverse("intake:register"), data)
    alert = Alert.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:receipt", args=[alert.pk])
    names = sorted(alert.evidence_files.values_list("original_name", flat=True))
    assert names == ["现场照片.png", "转账记录.pdf"]
    receipt = client.get(response["Location"]).content.decode()
    assert alert.number in receipt and alert.query_code_display in receipt


def test_form_shows_clear_chinese_errors(clerk: Any) -> None:
    client = login_as(Client(), clerk)
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("intake:register"),
        form_data(
            **{
                "party-0-id_number": ID_NUMBER[:-1] + "1",
                "party-0-phone": "1234567",
                "received_at": future,
            }
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "校验位不正确" in page
    assert "请输入11位手机号码" in page
    assert "晚于当前时间" in page
    assert not Alert.objects.exists()


def test_draft_is_saved_encrypted_and_reopened_by_its_owner_only(
    clerk: Any, auxiliary_clerk: Any
) -> None:
    from django.db import connection

    client = login_as(Client(), clerk)
    response = client.post(reverse("intake:register"), form_data(action="draft"))
    draft = AlertDraft.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?draft={draft.pk}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM intake_alertdraft WHERE id = %s", [draft.pk])
        stored = cursor.fetchone()[0]
    assert ID_NUMBER not in stored and "陈美玲" not in stored
    page = client.get(response["Location"]).content.decode()
    assert "陈美玲" in page and "甲府前路菜市场东门" in page
    other = login_as(Client(), auxiliary_clerk)
    assert other.get(f"{reverse('intake:register')}?draft={draft.pk}").status_code == 404
    # Registering from the draft deletes it in the same transaction.
    client.post(reverse("intake:register"), form_data(draft=str(draft.pk)))
    assert Alert.objects.count() == 1 and not AlertDraft.objects.exists()


def test_draft_discard_is_journalled(clerk: Any) -> None:
    draft = services.draft_save(actor=clerk, payload={"channel": "walk_in"}, summary="草稿")
    response = login_as(Client(), clerk).post(reverse("intake:draft_discard", args=[draft.pk]))
    assert response.status_code == 302 and not AlertDraft.objects.exists()
    assert AuditEvent.objects.filter(event_type=EventType.ALERT_DRAFT_DISCARDED).count() == 1


def test_parties_are_stored_through_the_privacy_fields(clerk: Any) -> None:
    alert = register(clerk).alert
    party = AlertParty.objects.get(alert=alert)
    assert party.id_number.plaintext() == ID_NUMBER
    assert str(party.id_number) == "110105********002X"
    assert str(party.phone) == "138****8000"
    assert party.id_number_index and party.phone_index


def test_evidence_files_of_a_registration_are_all_rows_with_hashes(clerk: Any) -> None:
    alert = register(
        clerk, files=(file_input("a.png", sample_png()), file_input("b.pdf", sample_pdf()))
    ).alert
    assert EvidenceFile.objects.filter(alert=alert).count() == 2
    assert all(len(f.sha256) == 64 for f in alert.evidence_files.all())


def test_alert_input_helper_defaults_are_valid(clerk: Any) -> None:
    assert services.alert_register(actor=clerk, data=alert_input(), idempotency_key="x1").alert.pk


def test_extra_form_fields_cannot_set_status_units_or_number(clerk: Any, bureau_a: Any) -> None:
    """Z4: fields the form does not define are ignored."""
    client = login_as(Client(), clerk)
    client.post(
        reverse("intake:register"),
        form_data(
            status="criminal_case",
            handling_unit=str(bureau_a.station.pk),
            registering_unit=str(bureau_a.station.pk),
            number="FAKE-0001",
            query_code="AAAAAAAAAA",
        ),
    )
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.REGISTERED
    assert alert.registering_unit == bureau_a.center and alert.handling_unit is None
    assert alert.number != "FAKE-0001" and alert.query_code != "AAAAAAAAAA"
