"""What the verified citizen reads: the public status of DOMAIN §4 for every internal status, the
milestones, the 复议 right with its deadline, transfers, complaints and their answers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shoulian.citizen.choices import PublicStatus
from shoulian.citizen.selectors import PUBLIC_STATUS, public_alert, public_status
from shoulian.citizen.tests.helpers import open_query
from shoulian.feedback.models import Complaint
from shoulian.feedback.services import complaint_answer, complaint_submit
from shoulian.intake.choices import AlertStatus
from shoulian.intake.tests.helpers import MOBILE
from shoulian.workflow.choices import Action, DecisionKind
from shoulian.workflow.tests.helpers import act, approve, handling, new_alert, propose, routed

pytestmark = pytest.mark.django_db

EXPECTED = {
    "registered": "已受理",
    "routed": "办理中",
    "signed": "办理中",
    "handling": "办理中",
    "returned": "办理中",
    "disputed": "办理中",
    "admin_case": "已受案",
    "criminal_case": "已立案",
    "not_filed": "不予立案（可申请复议）",
    "transferred": "已移送",
    "not_police": "已办结",
    "closed_non_case": "已办结",
    "followed_up": "已办结",
}


@pytest.mark.parametrize("internal", AlertStatus.values)
def test_each_internal_status_has_its_public_status(internal: str) -> None:
    assert internal in PUBLIC_STATUS, "an internal status without a public one"
    assert str(public_status(internal).label) == EXPECTED[internal]


def test_the_public_set_is_the_one_of_the_domain() -> None:
    assert {str(s.label) for s in PUBLIC_STATUS.values()} == {str(s.label) for s in PublicStatus}


def _page(alert: Any) -> str:
    return open_query(Client(), alert.query_code, MOBILE).content.decode()


def test_routed_alert_reads_in_handling_with_the_unit_and_its_phone(
    clerk: Any, bureau_a: Any
) -> None:
    alert = routed(clerk, bureau_a.station)
    page = _page(alert)
    assert "办理中" in page and "分派至办理单位：甲城关派出所" in page
    assert bureau_a.station.phone in page
    assert "测试分派" not in page  # the routing reason is internal


def test_filed_case_shows_the_decision_date_but_not_its_reasons(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = handling(clerk, officer)
    decision = propose(officer, alert)
    approve(leader, decision)
    approve(bureau_head, decision)
    page = _page(alert)
    assert "已立案" in page and "决定立案（刑事案件）" in page
    assert "监控录像" not in page  # the decision's facts
    assert "签收" not in page and "审批" not in page  # internal steps


def test_refused_filing_shows_the_right_to_reconsideration_with_its_deadline(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any
) -> None:
    alert = handling(clerk, officer)
    decision = propose(officer, alert, DecisionKind.NOT_FILE, facts="没有犯罪事实。")
    approve(leader, decision)
    approve(bureau_head, decision)
    before = _page(alert)
    assert "不予立案（可申请复议）" in before and "您有权申请复议" in before
    assert "将向您送达" in before and "没有犯罪事实" not in before

    act(officer, alert, Action.SERVE_NOTICE, method="in_person")
    view = public_alert(alert.pk)
    assert view is not None and not hasattr(view, "narrative")
    assert view.reconsideration is not None and view.reconsideration.due_at is not None  # type: ignore[union-attr]
    due = timezone.localtime(view.reconsideration.due_at)  # type: ignore[union-attr]
    after = _page(alert)
    assert f"{due.year}年{due.month}月{due.day}日" in after
    assert "送达不予立案通知书" in after


def test_transfer_out_names_the_new_authority(clerk: Any, officer: Any, leader: Any) -> None:
    alert = handling(clerk, officer, category_code="0201")
    decision = propose(
        officer,
        alert,
        DecisionKind.TRANSFER_OUT,
        authority="某区市场监督管理局",
        legal_basis="《公安机关办理行政案件程序规定》第六十一条",
    )
    approve(leader, decision)
    page = _page(alert)
    assert "已移送" in page and "某区市场监督管理局" in page


def test_a_complaint_filed_on_the_query_page_goes_to_the_center_with_the_verified_mobile(
    clerk: Any,
) -> None:
    alert = new_alert(clerk)
    client = Client()
    page = open_query(client, alert.query_code, MOBILE).content.decode()
    assert 'action="/q/result/complaint/"' in page
    response = client.post(
        reverse("citizen:query_complaint"),
        {"kind": "complaint", "content": "民警态度不好。", "idempotency_key": "k-1"},
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.channel == "query" and complaint.alert_id == alert.pk
    assert complaint.mobile.plaintext() == MOBILE
    page = client.get(response["Location"]).content.decode()
    assert complaint.number in page and "已提交" in page


def test_the_query_page_complaint_needs_its_key(clerk: Any) -> None:
    alert = new_alert(clerk)
    client = Client()
    open_query(client, alert.query_code, MOBILE)
    response = client.post(
        reverse("citizen:query_complaint"), {"kind": "complaint", "content": "x"}
    )
    assert response.status_code == 400 and not Complaint.objects.exists()


def test_a_complaint_code_opens_the_complaint_and_its_answer(
    clerk: Any, head: Any, bureau_a: Any
) -> None:
    alert = new_alert(clerk)
    complaint = complaint_submit(
        channel="query",
        kind="suggestion",
        content="建议大厅增加座椅。",
        mobile=MOBILE,
        alert=alert,
        idempotency_key="c-1",
    )
    page = open_query(Client(), complaint.query_code, MOBILE).content.decode()
    assert complaint.number in page and "正在办理" in page
    complaint_answer(actor=head, complaint=complaint, answer="已增加十把座椅，感谢您的建议。")
    page = open_query(Client(), complaint.query_code, MOBILE).content.decode()
    assert "已增加十把座椅" in page


def test_a_repeated_look_up_gets_its_own_form_key_and_token(clerk: Any) -> None:
    alert = new_alert(clerk)
    client = Client()
    first = open_query(client, alert.query_code, MOBILE).content.decode()
    second = client.get(reverse("citizen:query_result")).content.decode()
    keys = [
        re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page)
        for page in (first, second)
    ]
    assert keys[0] and keys[1] and keys[0][1] != keys[1][1]
    for page in (first, second):
        assert "__CSRF_TOKEN__" not in page and "__IDEMPOTENCY_KEY__" not in page


def test_a_new_look_up_after_a_workflow_step_shows_the_new_status(
    clerk: Any, bureau_a: Any
) -> None:
    alert = new_alert(clerk)
    assert "已受理" in _page(alert)
    act(clerk, alert, Action.ROUTE, unit=bureau_a.station, reason="按辖区分派")
    page = _page(alert)
    assert "办理中" in page and "已受理</span>" not in page
