"""Complaints and suggestions: submission from each channel, R5, numbering under concurrency,
the 15-day deadline, the answer as the citizen sees it, and who may see and answer them."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import make_user
from shoulian.deadlines.choices import DeadlineStatus
from shoulian.feedback import selectors, services
from shoulian.feedback.choices import ComplaintStatus
from shoulian.feedback.models import Complaint
from shoulian.feedback.tests.helpers import COMPLAINT_TEXT, file_complaint, kiosk_at
from shoulian.intake.numbering import QUERY_CODE_ALPHABET
from shoulian.intake.tests.helpers import MOBILE
from shoulian.notify.models import SmsMessage
from shoulian.workflow.tests.helpers import new_alert

pytestmark = pytest.mark.django_db


def events(event_type: int) -> int:
    return AuditEvent.objects.filter(event_type=event_type).count()


# --- submission ------------------------------------------------------------------------------------
def test_kiosk_complaint_goes_to_the_center_of_the_kiosks_bureau(bureau_a: Any) -> None:
    complaint = file_complaint(unit=bureau_a.center)
    assert complaint.center == bureau_a.center
    assert complaint.bureau == bureau_a.bureau
    assert complaint.channel == "kiosk"
    assert complaint.status == ComplaintStatus.RECEIVED
    assert complaint.number.startswith(f"{bureau_a.bureau.code}-TS")
    assert len(complaint.query_code) == 10
    assert set(complaint.query_code) <= set(QUERY_CODE_ALPHABET)
    assert events(EventType.COMPLAINT_SUBMITTED) == 1


def test_kiosk_in_a_station_hall_still_routes_to_the_bureaus_center(bureau_a: Any) -> None:
    complaint = file_complaint(unit=bureau_a.station)
    assert complaint.center == bureau_a.center
    assert complaint.source_unit == bureau_a.station


def test_query_page_complaint_about_an_alert_goes_to_the_alerts_bureau(
    clerk: Any, bureau_b: Any
) -> None:
    alert = new_alert(clerk)
    complaint = file_complaint(channel="query", alert=alert)
    assert complaint.alert == alert
    assert complaint.center == clerk.unit
    # Even when filed at another bureau's kiosk, the alert's bureau answers for its alert.
    other = file_complaint(channel="kiosk", unit=bureau_b.center, alert=alert)
    assert other.center == clerk.unit


def test_query_page_complaint_needs_an_alert() -> None:
    with pytest.raises(ValidationError):
        file_complaint(channel="query", alert=None)


def test_desk_clerk_registers_a_suggestion_on_a_citizens_behalf(clerk: Any) -> None:
    complaint = file_complaint(channel="desk", actor=clerk, kind="suggestion")
    assert complaint.kind == "suggestion"
    assert complaint.submitted_by == clerk
    assert complaint.source_unit == clerk.unit


def test_auxiliary_clerk_may_register_at_the_desk(auxiliary_clerk: Any) -> None:
    # Registering a complaint is no legal decision.
    assert file_complaint(channel="desk", actor=auxiliary_clerk).pk


@pytest.mark.parametrize("persona", ["officer", "leader", "legal", "bureau_head", "admin_user"])
def test_only_center_staff_register_complaints_at_the_desk(
    persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        file_complaint(channel="desk", actor=user)
    assert not Complaint.objects.exists()
    assert events(EventType.ACCESS_DENIED) == 1


def test_station_desk_clerk_cannot_register_complaints(bureau_a: Any) -> None:
    station_clerk = make_user("stationclerk", bureau_a.station, "clerk")
    with pytest.raises(PermissionDenied):
        file_complaint(channel="desk", actor=station_clerk)


def test_desk_cannot_name_another_bureaus_alert(clerk: Any, bureau_b: Any) -> None:
    foreign_clerk = make_user("bclerk", bureau_b.center, "clerk")
    foreign_alert = new_alert(foreign_clerk)
    with pytest.raises(PermissionDenied):
        file_complaint(channel="desk", actor=clerk, alert=foreign_alert)


def test_name_and_mobile_are_encrypted_at_rest_and_searchable_by_index(bureau_a: Any) -> None:
    complaint = file_complaint(unit=bureau_a.center, name="李春梅")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT complainant_name, mobile FROM feedback_complaint WHERE id = %s", [complaint.pk]
        )
        name, mobile = cursor.fetchone()
    assert "李春梅" not in name and MOBILE not in mobile
    assert str(Complaint.objects.get(pk=complaint.pk).mobile) == "138****8000"
    assert selectors.complaint_mobile_matches(complaint, "138 0013 8000")
    assert not selectors.complaint_mobile_matches(complaint, "13900139000")
    assert not selectors.complaint_mobile_matches(complaint, "not a number")


@pytest.mark.parametrize(
    ("field", "value"),
    [("content", "  "), ("mobile", "12345"), ("kind", "praise"), ("channel", "fax")],
)
def test_incomplete_submissions_are_refused_with_the_field_named(
    bureau_a: Any, field: str, value: str
) -> None:
    values: dict[str, Any] = {
        "channel": "kiosk",
        "kind": "complaint",
        "content": COMPLAINT_TEXT,
        "mobile": MOBILE,
        field: value,
    }
    with pytest.raises(ValidationError) as caught:
        services.complaint_submit(
            **values, kiosk=kiosk_at(bureau_a.center), idempotency_key=uuid.uuid4().hex
        )
    assert field in caught.value.message_dict
    assert not Complaint.objects.exists()


def test_missing_idempotency_key_is_refused(bureau_a: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        file_complaint(unit=bureau_a.center, key=" ")
    assert "idempotency_key" in caught.value.message_dict


# --- R5 ----------------------------------------------------------------------------------------------
def test_replay_with_the_same_key_returns_the_same_complaint(bureau_a: Any) -> None:
    first = file_complaint(unit=bureau_a.center, key="kiosk-tap-1")
    again = file_complaint(unit=bureau_a.center, key="kiosk-tap-1")
    assert again.pk == first.pk
    assert Complaint.objects.count() == 1
    assert events(EventType.COMPLAINT_SUBMITTED) == 1
    assert SmsMessage.objects.filter(template="complaint_received").count() == 1


def test_same_key_with_other_content_is_a_mismatch(bureau_a: Any) -> None:
    file_complaint(unit=bureau_a.center, key="kiosk-tap-2")
    with pytest.raises(services.IdempotencyMismatch):
        file_complaint(unit=bureau_a.center, key="kiosk-tap-2", content="另一条内容")
    assert Complaint.objects.count() == 1
    assert events(EventType.IDEMPOTENCY_CONFLICT) == 1


def test_the_same_key_from_two_kiosks_makes_two_complaints(bureau_a: Any) -> None:
    one = services.complaint_submit(
        channel="kiosk",
        kind="complaint",
        content=COMPLAINT_TEXT,
        mobile=MOBILE,
        kiosk=kiosk_at(bureau_a.center, pk=1),
        idempotency_key="k",
    )
    two = services.complaint_submit(
        channel="kiosk",
        kind="complaint",
        content=COMPLAINT_TEXT,
        mobile=MOBILE,
        kiosk=kiosk_at(bureau_a.center, pk=2),
        idempotency_key="k",
    )
    assert one.pk != two.pk


# --- numbers -----------------------------------------------------------------------------------------
def test_numbers_count_up_per_bureau_and_year(bureau_a: Any, bureau_b: Any) -> None:
    a1 = file_complaint(unit=bureau_a.center)
    a2 = file_complaint(unit=bureau_a.center)
    b1 = file_complaint(unit=bureau_b.center)
    assert a1.number.endswith("-00001") and a2.number.endswith("-00002")
    assert b1.number.endswith("-00001") and b1.number != a1.number


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_numbers(bureau_a: Any) -> None:
    from shoulian.workflow.tests.helpers import reseed_data_migrations

    reseed_data_migrations()
    center = bureau_a.center
    results: list[str] = []
    errors: list[BaseException] = []

    def submit(n: int) -> None:
        try:
            complaint = services.complaint_submit(
                channel="kiosk",
                kind="complaint",
                content=f"{COMPLAINT_TEXT}（{n}）",
                mobile=MOBILE,
                kiosk=kiosk_at(center, pk=n),
                idempotency_key=f"race-{n}",
            )
            results.append(complaint.number)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(results) == 8 and len(set(results)) == 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_replays_of_one_key_make_one_complaint(bureau_a: Any) -> None:
    from shoulian.workflow.tests.helpers import reseed_data_migrations

    reseed_data_migrations()
    center = bureau_a.center
    results: list[int] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            complaint = services.complaint_submit(
                channel="kiosk",
                kind="complaint",
                content=COMPLAINT_TEXT,
                mobile=MOBILE,
                kiosk=kiosk_at(center),
                idempotency_key="double-tap",
            )
            results.append(complaint.pk)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(set(results)) == 1
    assert Complaint.objects.count() == 1


# --- the deadline ------------------------------------------------------------------------------------
def test_submission_starts_the_15_day_deadline_for_the_center(bureau_a: Any, head: Any) -> None:
    complaint = file_complaint(unit=bureau_a.center)
    deadline = services.complaint_deadline(complaint)
    assert deadline is not None
    assert deadline.code == "complaint_center_answer"
    assert deadline.unit == bureau_a.center
    assert deadline.status == DeadlineStatus.OPEN
    assert (deadline.rule.length_value, deadline.rule.length_unit) == (15, "days")
    # It shows in the center head's 我的期限.
    from shoulian.deadlines.selectors import work_queue

    assert deadline.pk in {item.deadline.pk for item in work_queue(head)}


def test_answer_stops_the_deadline_and_is_journalled(bureau_a: Any, head: Any) -> None:
    complaint = file_complaint(unit=bureau_a.center, answer_by=head)
    assert complaint.status == ComplaintStatus.ANSWERED
    assert complaint.answered_by == head
    deadline = services.complaint_deadline(complaint)
    assert deadline is not None and deadline.status == DeadlineStatus.STOPPED
    assert deadline.stopped_late is False
    assert events(EventType.COMPLAINT_ANSWERED) == 1


def test_a_complaint_is_answered_once(bureau_a: Any, head: Any) -> None:
    complaint = file_complaint(unit=bureau_a.center, answer_by=head)
    with pytest.raises(ValidationError, match="已经答复"):
        services.complaint_answer(actor=head, complaint=complaint, answer="再答一次")


def test_a_stale_answer_form_is_refused(bureau_a: Any, head: Any) -> None:
    complaint = file_complaint(unit=bureau_a.center)
    with pytest.raises(ValidationError):
        services.complaint_answer(
            actor=head, complaint=complaint, answer="答复", expected_version=complaint.version + 1
        )
    assert Complaint.objects.get(pk=complaint.pk).status == ComplaintStatus.RECEIVED


def test_empty_answer_is_refused(bureau_a: Any, head: Any) -> None:
    complaint = file_complaint(unit=bureau_a.center)
    with pytest.raises(ValidationError):
        services.complaint_answer(actor=head, complaint=complaint, answer="  ")


@pytest.mark.parametrize(
    "persona", ["clerk", "officer", "leader", "legal", "bureau_head", "inspector", "admin_user"]
)
def test_only_the_center_head_answers(
    persona: str, request: pytest.FixtureRequest, bureau_a: Any
) -> None:
    complaint = file_complaint(unit=bureau_a.center)
    with pytest.raises(PermissionDenied):
        services.complaint_answer(
            actor=request.getfixturevalue(persona), complaint=complaint, answer="答复"
        )
    assert Complaint.objects.get(pk=complaint.pk).status == ComplaintStatus.RECEIVED


def test_another_bureaus_center_head_cannot_answer(bureau_a: Any, bureau_b: Any) -> None:
    complaint = file_complaint(unit=bureau_a.center)
    other_head = make_user("bhead", bureau_b.center, "center_head")
    with pytest.raises(PermissionDenied):
        services.complaint_answer(actor=other_head, complaint=complaint, answer="答复")


# --- the citizen's view --------------------------------------------------------------------------------
def test_public_complaint_has_allow_listed_fields_only(bureau_a: Any, head: Any) -> None:
    complaint = file_complaint(unit=bureau_a.center, name="李春梅")
    public = selectors.public_complaint(complaint)
    assert [f.name for f in dataclasses.fields(public)] == [
        "number",
        "kind_label",
        "submitted_at",
        "status_label",
        "due_date",
        "answer_text",
        "answered_at",
    ]
    assert public.status_label == "待答复" and public.answer_text == ""
    assert public.due_date is not None
    text = repr(public)
    for secret in ("李春梅", MOBILE, COMPLAINT_TEXT, head.full_name, complaint.query_code):
        assert secret not in text


def test_the_answer_is_visible_to_the_complainant(bureau_a: Any, head: Any) -> None:
    complaint = file_complaint(unit=bureau_a.center, answer_by=head, answer="已整改，谢谢监督。")
    found = selectors.complaint_by_query_code(complaint.query_code_display.lower())
    assert found == complaint
    public = selectors.public_complaint(found)
    assert public.status_label == "已答复"
    assert public.answer_text == "已整改，谢谢监督。"
    assert public.answered_at is not None


def test_unknown_query_code_finds_nothing() -> None:
    assert selectors.complaint_by_query_code("ABCDE-FGHJK") is None
    assert selectors.complaint_by_query_code("") is None


def test_public_complaints_for_alert_lists_them_oldest_first(clerk: Any, head: Any) -> None:
    alert = new_alert(clerk)
    first = file_complaint(channel="query", alert=alert, answer_by=head)
    file_complaint(channel="query", alert=alert, kind="suggestion")
    listed = selectors.public_complaints_for_alert(alert)
    assert [p.number for p in listed][0] == first.number
    assert [p.kind_label for p in listed] == ["投诉", "建议"]
    assert listed[0].answer_text and not listed[1].answer_text


def test_public_complaint_include_renders_large_and_only_public_fields(
    bureau_a: Any, head: Any
) -> None:
    from django.template.loader import render_to_string

    complaint = file_complaint(unit=bureau_a.center, answer_by=head, answer="已整改。")
    html = render_to_string(
        "feedback/_public_complaint.html", {"c": selectors.public_complaint(complaint)}
    )
    assert complaint.number in html and "已整改。" in html and "已答复" in html
    assert COMPLAINT_TEXT not in html and "138" not in html
    assert "feedback/public.css" in html


# --- SMS ----------------------------------------------------------------------------------------------
def test_receipt_and_answer_each_queue_one_sms_without_personal_data(
    bureau_a: Any, head: Any
) -> None:
    complaint = file_complaint(unit=bureau_a.center, name="李春梅")
    received = SmsMessage.objects.get(key=f"complaint:{complaint.pk}:received")
    assert complaint.number in received.text
    assert complaint.query_code_display in received.text
    services.complaint_answer(actor=head, complaint=complaint, answer="已核查。")
    answered = SmsMessage.objects.get(key=f"complaint:{complaint.pk}:answered")
    assert complaint.number in answered.text
    for message in (received, answered):
        assert "李春梅" not in message.text and MOBILE not in message.text
        assert message.mobile.plaintext() == MOBILE


# --- who sees complaints -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "persona", ["clerk", "auxiliary_clerk", "head", "bureau_head", "inspector"]
)
def test_center_staff_and_bureau_oversight_see_the_bureaus_complaints(
    persona: str, request: pytest.FixtureRequest, bureau_a: Any
) -> None:
    complaint = file_complaint(unit=bureau_a.center)
    user = request.getfixturevalue(persona)
    assert list(Complaint.objects.visible_to(user)) == [complaint]


@pytest.mark.parametrize(
    "persona", ["officer", "leader", "legal_officer", "legal", "admin_user", "outsider"]
)
def test_units_legal_brigade_admin_and_other_bureaus_cannot_see_complaints(
    persona: str, request: pytest.FixtureRequest, bureau_a: Any
) -> None:
    file_complaint(unit=bureau_a.center)
    assert not Complaint.objects.visible_to(request.getfixturevalue(persona)).exists()


def test_another_bureaus_head_cannot_see_complaints(bureau_a: Any, bureau_b: Any) -> None:
    file_complaint(unit=bureau_a.center)
    assert not Complaint.objects.visible_to(
        make_user("bchief", bureau_b.bureau, "bureau_head")
    ).exists()
    assert not Complaint.objects.visible_to(
        make_user("bhead", bureau_b.center, "center_head")
    ).exists()


def test_station_clerk_cannot_see_complaints(bureau_a: Any) -> None:
    file_complaint(unit=bureau_a.center)
    assert not Complaint.objects.visible_to(make_user("sclerk", bureau_a.station, "clerk")).exists()
