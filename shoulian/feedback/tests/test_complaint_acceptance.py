"""告知受理 of a complaint or petition (信访工作条例, issue 12 item 2): within 15 days of receipt the
center head tells the complainant it is accepted; the 60-day answer period runs from then; an
answer stops every period still running."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as
from shoulian.deadlines.models import Deadline
from shoulian.feedback import services
from shoulian.feedback.tests.helpers import file_complaint

pytestmark = pytest.mark.django_db


def periods(complaint: Any) -> dict[str, str]:
    return dict(
        Deadline.objects.filter(object_type="complaint", object_id=str(complaint.pk)).values_list(
            "code", "status"
        )
    )


def test_a_complaint_starts_the_acceptance_and_the_center_answer_periods(bureau_a: Any) -> None:
    complaint = file_complaint(unit=bureau_a.center)
    assert periods(complaint) == {"complaint_acceptance": "open", "complaint_center_answer": "open"}


def test_telling_acceptance_starts_the_60_day_answer_and_the_answer_stops_everything(
    bureau_a: Any, head: Any
) -> None:
    complaint = file_complaint(unit=bureau_a.center)
    complaint = services.complaint_accept(actor=head, complaint=complaint)
    assert complaint.accepted_at is not None and complaint.accepted_by == head
    assert periods(complaint) == {
        "complaint_acceptance": "stopped",
        "complaint_answer": "open",
        "complaint_center_answer": "open",
    }
    answer = Deadline.objects.get(object_id=str(complaint.pk), code="complaint_answer")
    assert answer.started_at == complaint.accepted_at
    assert answer.due_at is not None and (answer.due_at - answer.started_at).days >= 60
    event = AuditEvent.objects.get(event_type=EventType.COMPLAINT_ACCEPTANCE_TOLD)
    assert event.data["late"] is False

    with pytest.raises(ValidationError, match="已告知受理"):
        services.complaint_accept(actor=head, complaint=complaint)

    services.complaint_answer(actor=head, complaint=complaint, answer="经核查，已整改。")
    assert set(periods(complaint).values()) == {"stopped"}


def test_answering_at_once_also_tells_acceptance(bureau_a: Any, head: Any) -> None:
    complaint = file_complaint(unit=bureau_a.center, answer_by=head)
    assert periods(complaint) == {
        "complaint_acceptance": "stopped",
        "complaint_center_answer": "stopped",
    }


def test_clerk_and_outsider_cannot_tell_acceptance(
    bureau_a: Any, clerk: Any, outsider: Any
) -> None:
    complaint = file_complaint(unit=bureau_a.center)
    for actor in (clerk, outsider):
        with pytest.raises(PermissionDenied):
            services.complaint_accept(actor=actor, complaint=complaint)
    complaint.refresh_from_db()
    assert complaint.accepted_at is None
    assert periods(complaint)["complaint_acceptance"] == "open"


def test_center_head_tells_acceptance_on_the_complaint_page(bureau_a: Any, head: Any) -> None:
    complaint = file_complaint(unit=bureau_a.center)
    client = login_as(Client(), head)
    url = reverse("feedback:complaint", args=[complaint.pk])
    assert "告知受理" in client.get(url).content.decode()
    response = client.post(url, {"accept": "1", "version": str(complaint.version)})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.accepted_at is not None


def test_clerk_cannot_tell_acceptance_on_the_page(bureau_a: Any, clerk: Any) -> None:
    complaint = file_complaint(unit=bureau_a.center)
    client = login_as(Client(), clerk)
    url = reverse("feedback:complaint", args=[complaint.pk])
    response = client.post(url, {"accept": "1", "version": str(complaint.version)})
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.accepted_at is None
