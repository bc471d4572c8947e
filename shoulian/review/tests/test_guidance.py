"""Guidance on case nature (精准指导): asked from the alert file, answered by the legal brigade onto
the file, the officer told in the inbox, the answer searchable as a case."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.conftest import login_as
from shoulian.review import selectors
from shoulian.review.choices import GuidanceStatus
from shoulian.review.models import Guidance
from shoulian.review.services import ReviewDenied, guidance_answer, guidance_request
from shoulian.review.tests.helpers import events
from shoulian.supervision.choices import MessageKind
from shoulian.supervision.models import InboxMessage
from shoulian.workflow.tests.helpers import handling

pytestmark = pytest.mark.django_db

QUESTION = "员工利用职务便利将公司货款转入个人账户，是职务侵占还是盗窃？"
ANSWER: dict[str, Any] = {
    "nature": "涉嫌职务侵占罪",
    "legal_basis": "《中华人民共和国刑法》第二百七十一条",
    "evidence_to_collect": "公司账目、转账记录、劳动合同和岗位职责说明",
    "case_title": "员工侵占公司货款的定性",
}


@pytest.fixture
def alert(clerk: Any, officer: Any) -> Any:
    return handling(clerk, officer)


def test_officer_asks_the_brigade_answers_and_the_officer_is_told(
    officer: Any, legal: Any, alert: Any, bureau_a: Any
):
    asked = guidance_request(actor=officer, alert=alert, question=QUESTION)
    assert asked.status == GuidanceStatus.PENDING and asked.unit == bureau_a.station
    told = InboxMessage.objects.get(recipient=legal)
    assert told.kind == MessageKind.NOTICE
    assert told.link == reverse("review:guidance", args=[asked.pk])
    assert [g.pk for g in selectors.legal_queue(legal).guidance] == [asked.pk]
    answered = guidance_answer(actor=legal, guidance=asked, **ANSWER)
    assert answered.status == GuidanceStatus.ANSWERED and answered.nature == "涉嫌职务侵占罪"
    assert InboxMessage.objects.filter(recipient=officer, link=told.link).exists()
    assert selectors.legal_queue(legal).guidance == []
    start = timezone.now() - dt.timedelta(hours=1)
    end = timezone.now() + dt.timedelta(hours=1)
    assert list(selectors.guidance_in_period(bureau_a.bureau, start, end)) == [answered]
    assert events(EventType.GUIDANCE_REQUESTED) == 1 and events(EventType.GUIDANCE_ANSWERED) == 1
    with pytest.raises(ValidationError):
        guidance_answer(actor=legal, guidance=answered, **ANSWER)


def test_answer_needs_nature_basis_and_evidence(officer: Any, legal: Any, alert: Any):
    asked = guidance_request(actor=officer, alert=alert, question=QUESTION)
    with pytest.raises(ValidationError) as err:
        guidance_answer(
            actor=legal, guidance=asked, nature="", legal_basis="", evidence_to_collect=""
        )
    assert set(err.value.message_dict) == {"nature", "legal_basis", "evidence_to_collect"}
    assert Guidance.objects.get().status == GuidanceStatus.PENDING


def test_center_head_cannot_answer_guidance(officer: Any, head: Any, alert: Any):
    asked = guidance_request(actor=officer, alert=alert, question=QUESTION)
    with pytest.raises(ReviewDenied):
        guidance_answer(actor=head, guidance=asked, **ANSWER)
    assert events(EventType.REVIEW_REFUSED) == 1


def test_clerk_cannot_ask_for_guidance(clerk: Any, alert: Any):
    with pytest.raises(ReviewDenied):
        guidance_request(actor=clerk, alert=alert, question=QUESTION)


def test_a_second_pending_request_is_refused(officer: Any, alert: Any):
    guidance_request(actor=officer, alert=alert, question=QUESTION)
    with pytest.raises(ValidationError):
        guidance_request(actor=officer, alert=alert, question=QUESTION)


def test_guidance_through_the_pages_is_on_the_file_and_in_the_cases(
    client: Any, officer: Any, officer2: Any, legal: Any, alert: Any
):
    login_as(client, officer)
    response = client.post(reverse("review:guidance_ask", args=[alert.pk]), {"question": QUESTION})
    assert response.status_code == 302
    asked = Guidance.objects.get()
    login_as(client, legal)
    assert QUESTION[:10] in client.get(reverse("review:queue")).content.decode()
    response = client.post(reverse("review:guidance", args=[asked.pk]), ANSWER)
    assert response.status_code == 302
    login_as(client, officer)
    page = client.get(reverse("review:alert", args=[alert.pk])).content.decode()
    assert "涉嫌职务侵占罪" in page and "第二百七十一条" in page
    inbox = client.get(reverse("supervision:inbox")).content.decode()
    assert reverse("review:guidance", args=[asked.pk]) in inbox
    # Another station's officer finds the case, without the question's words.
    login_as(client, officer2)
    cases = client.get(reverse("review:cases"), {"q": "侵占"}).content.decode()
    assert "员工侵占公司货款的定性" in cases and QUESTION not in cases
    assert "员工侵占" not in client.get(reverse("review:cases"), {"q": "抢劫"}).content.decode()
    # …but not the guidance page of another unit's alert.
    assert client.get(reverse("review:guidance", args=[asked.pk])).status_code == 404


def test_officer_cannot_post_an_answer(client: Any, officer: Any, alert: Any):
    asked = guidance_request(actor=officer, alert=alert, question=QUESTION)
    login_as(client, officer)
    assert client.post(reverse("review:guidance", args=[asked.pk]), ANSWER).status_code == 403
    assert Guidance.objects.get().status == GuidanceStatus.PENDING


def test_after_a_transfer_the_new_unit_reads_the_guidance_and_the_old_one_cannot(
    clerk: Any, officer: Any, officer2: Any, bureau_a: Any
):
    """Z3: review rows follow the alert's scope now, not the unit stored when they were written."""
    from django.http import Http404

    from shoulian.workflow.choices import Action
    from shoulian.workflow.tests.helpers import act, routed

    alert = routed(clerk, officer.unit)
    asked = guidance_request(actor=officer, alert=alert, question=QUESTION)
    assert selectors.guidance_for(officer, asked.pk) == asked
    assert list(selectors.guidance_of_alert(officer2, alert)) == []
    act(officer, alert, Action.RETURN, reason="发案地属城南辖区")
    act(clerk, alert, Action.REROUTE, unit=bureau_a.station2, reason="按退回理由改派城南")
    with pytest.raises(Http404):
        selectors.guidance_for(officer, asked.pk)
    assert list(selectors.guidance_of_alert(officer, alert)) == []
    assert selectors.guidance_for(officer2, asked.pk) == asked
    assert list(selectors.guidance_of_alert(officer2, alert)) == [asked]
