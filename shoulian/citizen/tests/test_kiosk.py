"""The kiosk: an enrolled device, self-reports with R5 idempotency keys, the printed receipt,
complaints, the query in kiosk styling; who may enrol and disable kiosks."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.citizen import services
from shoulian.citizen.tests.helpers import enrolled_client, new_kiosk, open_query, report_form
from shoulian.conftest import login_as
from shoulian.feedback.models import Complaint
from shoulian.intake.choices import AlertStatus, Channel
from shoulian.intake.models import Alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def kiosk_client(head: Any, bureau_a: Any) -> tuple[Client, Any]:
    return enrolled_client(head, bureau_a.center)


def _report(client: Client, **overrides: Any) -> Any:
    return client.post(reverse("citizen:kiosk_report") + "?kind=report", report_form(**overrides))


# --- the device ---------------------------------------------------------------------------------
def test_a_browser_without_an_enrolled_kiosk_cookie_cannot_submit(bureau_a: Any) -> None:
    client = Client()
    home = client.get(reverse("citizen:kiosk_home"))
    assert home.status_code == 403 and "本终端未登记或已停用" in home.content.decode()
    response = _report(client)
    assert response.status_code == 403 and not Alert.objects.exists()
    complaint = client.post(
        reverse("citizen:kiosk_complaint"),
        {"kind": "complaint", "content": "x", "mobile": "13800138000", "idempotency_key": "k"},
    )
    assert complaint.status_code == 403 and not Complaint.objects.exists()
    denied = AuditEvent.objects.filter(event_type=EventType.ACCESS_DENIED).last()
    assert denied is not None and denied.data["reason"] == "kiosk_not_enrolled"


def test_a_forged_device_cookie_is_not_a_kiosk(head: Any, bureau_a: Any) -> None:
    kiosk, _token = new_kiosk(head, bureau_a.center)
    client = Client()
    client.cookies["shoulian_kiosk"] = f'{{"k":{kiosk.pk},"e":{kiosk.epoch}}}'
    assert client.get(reverse("citizen:kiosk_home")).status_code == 403


def test_the_enrolment_link_works_once(head: Any, bureau_a: Any) -> None:
    kiosk, token = new_kiosk(head, bureau_a.center)
    url = reverse("citizen:kiosk_enrol", args=[token])
    client = Client()
    # Opening the link (a preview, a prefetch) does not use it up.
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert client.get(reverse("citizen:kiosk_home")).status_code == 200
    assert Client().post(url).status_code == 404
    assert Client().get(url).status_code == 404


def test_disabling_a_kiosk_stops_it_at_once(kiosk_client: Any, head: Any) -> None:
    client, kiosk = kiosk_client
    assert client.get(reverse("citizen:kiosk_home")).status_code == 200
    manager = login_as(Client(), head)
    manager.post(reverse("citizen:kiosk_toggle", args=[kiosk.pk]), {"enabled": "0"})
    assert client.get(reverse("citizen:kiosk_home")).status_code == 403
    assert _report(client).status_code == 403 and not Alert.objects.exists()
    manager.post(reverse("citizen:kiosk_toggle", args=[kiosk.pk]), {"enabled": "1"})
    assert client.get(reverse("citizen:kiosk_home")).status_code == 200


def test_a_new_enrolment_link_retires_the_old_device(kiosk_client: Any, head: Any) -> None:
    client, kiosk = kiosk_client
    token = services.kiosk_new_enrolment(actor=head, kiosk=kiosk)
    assert client.get(reverse("citizen:kiosk_home")).status_code == 403
    replacement = Client()
    replacement.post(reverse("citizen:kiosk_enrol", args=[token]))
    assert replacement.get(reverse("citizen:kiosk_home")).status_code == 200


@pytest.mark.parametrize("persona", ["clerk", "officer", "leader", "bureau_head", "inspector"])
def test_only_the_center_head_and_the_administrator_enrol_kiosks(
    persona: str, request: pytest.FixtureRequest, bureau_a: Any
) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.kiosk_create(actor=user, unit=bureau_a.center, name="大厅2号机")
    assert login_as(Client(), user).get(reverse("citizen:kiosk_manage")).status_code == 403


def test_the_administrator_enrols_a_kiosk_through_the_page(admin_user: Any, bureau_a: Any) -> None:
    client = login_as(Client(), admin_user)
    response = client.post(
        reverse("citizen:kiosk_manage"), {"unit": bureau_a.center.pk, "name": "大厅2号机"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "/kiosk/enrol/" in page
    assert AuditEvent.objects.filter(event_type=EventType.KIOSK_CREATED).count() == 1


def test_nobody_manages_another_bureaus_kiosks(
    head: Any, bureau_a: Any, bureau_b: Any, outsider_admin: Any
) -> None:
    kiosk, _token = new_kiosk(head, bureau_a.center)
    with pytest.raises(PermissionDenied):
        services.kiosk_create(actor=head, unit=bureau_b.center, name="越界")
    with pytest.raises(PermissionDenied):
        services.kiosk_set_enabled(actor=outsider_admin, kiosk=kiosk, enabled=False)
    response = login_as(Client(), outsider_admin).post(
        reverse("citizen:kiosk_toggle", args=[kiosk.pk]), {"enabled": "0"}
    )
    assert response.status_code == 404
    kiosk.refresh_from_db()
    assert kiosk.enabled


def test_a_kiosk_stands_only_in_a_center(head: Any, admin_user: Any, bureau_a: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.kiosk_create(actor=admin_user, unit=bureau_a.station, name="派出所机")


# --- self-report and receipt --------------------------------------------------------------------
def test_a_self_report_registers_a_kiosk_alert_waiting_for_routing_at_the_center(
    kiosk_client: Any, bureau_a: Any
) -> None:
    client, kiosk = kiosk_client
    response = _report(client)
    assert response.status_code == 302
    alert = Alert.objects.get()
    assert alert.channel == Channel.KIOSK and alert.status == AlertStatus.REGISTERED
    assert alert.registering_unit == bureau_a.center and alert.handling_unit is None
    assert alert.registered_by is None
    reporter = alert.parties.get()
    assert reporter.phone.plaintext() == "13800138000"
    event = AuditEvent.objects.get(event_type=EventType.ALERT_REGISTERED)
    # The kiosk is the actor context of the submission.
    assert event.channel == f"kiosk:{kiosk.pk}" and event.actor_id is None
    page = client.get(response["Location"]).content.decode()
    assert alert.query_code_display in page and alert.number in page


def test_a_wrong_id_number_gets_a_clear_chinese_error(kiosk_client: Any) -> None:
    client, _kiosk = kiosk_client
    response = _report(client, id_number="110105194912310021")
    assert response.status_code == 200
    assert "校验位不正确" in response.content.decode()
    assert not Alert.objects.exists()


def test_help_requests_offer_only_the_short_help_list(kiosk_client: Any) -> None:
    client, _kiosk = kiosk_client
    page = client.get(reverse("citizen:kiosk_report") + "?kind=help").content.decode()
    assert "走失人员查找" in page and "强奸" not in page and "盗窃电动车" not in page
    response = client.post(
        reverse("citizen:kiosk_report") + "?kind=help", report_form(category="0119")
    )
    assert response.status_code == 200 and not Alert.objects.exists()


def test_replaying_a_kiosk_report_returns_the_same_alert(kiosk_client: Any) -> None:
    client, _kiosk = kiosk_client
    form = report_form()
    first = client.post(reverse("citizen:kiosk_report"), form)
    second = client.post(reverse("citizen:kiosk_report"), form)
    assert first.status_code == second.status_code == 302
    assert Alert.objects.count() == 1
    # The replay answers with the same alert's receipt (the page of this visit's latest link).
    two = client.get(second["Location"]).content.decode()
    assert Alert.objects.get().number in two


def test_same_key_with_another_body_is_refused_with_422(kiosk_client: Any) -> None:
    client, _kiosk = kiosk_client
    form = report_form()
    client.post(reverse("citizen:kiosk_report"), form)
    response = client.post(reverse("citizen:kiosk_report"), {**form, "narrative": "另一件事。"})
    assert response.status_code == 422 and Alert.objects.count() == 1


def test_a_kiosk_submission_without_a_key_is_refused_with_400(kiosk_client: Any) -> None:
    client, _kiosk = kiosk_client
    response = client.post(reverse("citizen:kiosk_report"), report_form(idempotency_key=""))
    assert response.status_code == 400 and not Alert.objects.exists()
    complaint = client.post(
        reverse("citizen:kiosk_complaint"),
        {"kind": "complaint", "content": "x", "mobile": "13800138000"},
    )
    assert complaint.status_code == 400 and not Complaint.objects.exists()


def test_the_receipt_prints_once_as_original_then_as_journalled_reprints(
    kiosk_client: Any,
) -> None:
    client, kiosk = kiosk_client
    receipt_page = _report(client)["Location"]
    pdf_url = receipt_page + "pdf/"
    first = client.get(pdf_url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    client.get(pdf_url)
    alert = Alert.objects.get()
    assert alert.receipt_print_count == 2
    issued = AuditEvent.objects.get(event_type=EventType.RECEIPT_ISSUED)
    assert issued.data["kiosk"] == kiosk.pk and issued.channel == f"kiosk:{kiosk.pk}"
    assert AuditEvent.objects.filter(event_type=EventType.DOCUMENT_PRINTED).count() == 1


def test_another_kiosk_cannot_print_the_receipt(
    kiosk_client: Any, head: Any, bureau_a: Any
) -> None:
    client, _kiosk = kiosk_client
    receipt_page = _report(client)["Location"]
    other, _ = enrolled_client(head, bureau_a.center, "大厅2号机")
    assert other.get(receipt_page + "pdf/").status_code == 404
    assert other.get(receipt_page).status_code == 404


# --- complaint and query at the kiosk -----------------------------------------------------------
def test_a_kiosk_complaint_is_filed_once_per_key(kiosk_client: Any, bureau_a: Any) -> None:
    client, kiosk = kiosk_client
    form = {
        "kind": "suggestion",
        "content": "建议延长周末办理时间。",
        "mobile": "13800138000",
        "name": "",
        "idempotency_key": "kc-1",
    }
    first = client.post(reverse("citizen:kiosk_complaint"), form)
    second = client.post(reverse("citizen:kiosk_complaint"), form)
    assert first.status_code == second.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.channel == "kiosk" and complaint.source_unit == bureau_a.center
    page = client.get(second["Location"]).content.decode()
    assert complaint.number in page
    assert complaint.query_code[:5] in page
    other = client.post(reverse("citizen:kiosk_complaint"), {**form, "content": "别的内容。"})
    assert other.status_code == 422 and Complaint.objects.count() == 1


def test_the_query_works_at_the_kiosk_and_the_start_screen_forgets_it(
    kiosk_client: Any, clerk: Any
) -> None:
    from shoulian.intake.tests.helpers import MOBILE, register

    alert = register(clerk).alert
    client, _kiosk = kiosk_client
    page = open_query(client, alert.query_code, MOBILE, kiosk=True).content.decode()
    assert "已受理" in page and 'class="kiosk"' in page
    client.get(reverse("citizen:kiosk_home"))
    assert client.get(reverse("citizen:kiosk_query_result")).status_code == 302


def test_only_the_kiosks_own_bureau_inspector_reads_its_anonymous_events(
    kiosk_client: Any, bureau_a: Any, inspector: Any, bureau_b: Any
) -> None:
    """Z2: nobody is signed in at a kiosk or on the query page, yet the journal knows whose
    bureau each event concerns."""
    from shoulian.accounts.choices import Role
    from shoulian.audit.selectors import JournalFilter, journal_events
    from shoulian.conftest import make_user

    client, _kiosk = kiosk_client
    assert _report(client).status_code == 302
    alert = Alert.objects.get()
    open_query(Client(), alert.query_code, "13800138000")
    other_inspector = make_user("inspector.b", bureau_b.discipline, Role.INSPECTOR)
    types = {EventType.ALERT_REGISTERED, EventType.QUERY_VERIFIED, EventType.QUERY_VIEWED}
    for event_type in types:
        mine = journal_events(user=inspector, filters=JournalFilter(event_type=event_type))
        theirs = journal_events(user=other_inspector, filters=JournalFilter(event_type=event_type))
        assert mine.exists(), event_type
        assert not theirs.exists(), event_type


def test_typing_the_sms_code_at_the_kiosk_does_not_use_up_the_kiosks_allowance(
    kiosk_client: Any, clerk: Any
) -> None:
    from shoulian.citizen.choices import Step
    from shoulian.citizen.models import QueryAttempt
    from shoulian.intake.tests.helpers import MOBILE, register

    client, kiosk = kiosk_client
    alert = register(clerk).alert
    # The kiosk's hour so far: a whole allowance of code-entry steps by earlier citizens.
    key = services.client_key(address="10.9.9.9", kiosk=kiosk)
    QueryAttempt.objects.bulk_create(
        QueryAttempt(step=Step.VERIFY, code_hash=f"c{n}", address_hash=key)
        for n in range(services.PER_KIOSK_LIMIT)
    )
    page = open_query(client, alert.query_code, MOBILE, kiosk=True).content.decode()
    assert alert.number in page


def test_the_next_citizen_cannot_go_back_to_the_previous_receipt(kiosk_client: Any) -> None:
    client, _kiosk = kiosk_client
    receipt_url = _report(client)["Location"]
    assert client.get(receipt_url).status_code == 200
    # The idle timer (or the citizen) returns to the start screen: the visit is over.
    client.get(reverse("citizen:kiosk_home"))
    assert client.get(receipt_url).status_code == 404
    assert client.get(receipt_url + "pdf/").status_code == 404
