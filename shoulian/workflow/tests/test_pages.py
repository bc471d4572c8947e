"""The workflow pages: work queues per role with colour bands, the alert page with its actions and
timeline, forms that post to the one service; fixed query counts on lists; extra fields ignored."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shoulian.conftest import login_as
from shoulian.intake.choices import AlertStatus
from shoulian.workflow.choices import Action, DecisionKind
from shoulian.workflow.models import Decision, RoutingRule
from shoulian.workflow.tests.helpers import act, fresh, handling, new_alert, propose, routed

pytestmark = pytest.mark.django_db


def page(user: Any, name: str, **kwargs: Any) -> Any:
    return login_as(Client(), user).get(reverse(name, kwargs=kwargs or None))


def test_routing_queue_shows_new_and_returned_alerts_with_the_review_clock(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    fresh_one = new_alert(clerk)
    bounced = routed(clerk, bureau_a.station)
    act(officer, bounced, Action.RETURN, reason="非本所辖区")
    response = page(clerk, "workflow:routing")
    html = response.content.decode()
    assert response.status_code == 200
    assert fresh_one.number in html and bounced.number in html
    assert "被退回，待重新分派" in html
    # The returned alert's review period is running at the center, with its legal source.
    assert "刑事案件立案审查" in html and "关于改革完善受案立案制度的意见" in html
    assert 'class="band band-green"' in html


def test_unit_inbox_lists_what_the_unit_must_sign_for(
    clerk: Any, officer: Any, officer2: Any, bureau_a: Any
) -> None:
    alert = routed(clerk, bureau_a.station)
    assert alert.number in page(officer, "workflow:inbox").content.decode()
    assert alert.number not in page(officer2, "workflow:inbox").content.decode()


def test_work_queue_is_sorted_by_due_time_and_coloured(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    slow = routed(clerk, bureau_a.station)  # 刑事: 3 days
    urgent = routed(clerk, bureau_a.station, category_code="0201")  # 治安: 24 hours
    html = page(officer, "workflow:queue").content.decode()
    assert html.index(urgent.number) < html.index(slow.number)
    assert "行政案件受案审查" in html


def test_list_pages_run_a_fixed_number_of_queries(
    clerk: Any, officer: Any, leader: Any, head: Any, bureau_a: Any
) -> None:
    def count(user: Any, name: str) -> int:
        client = login_as(Client(), user)
        client.get(reverse(name))  # warm the session and the caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name)).status_code == 200
        return len(queries)

    for _ in range(2):
        propose(officer, handling(clerk, officer))
        routed(clerk, bureau_a.station)
        new_alert(clerk)
    baseline = {
        (u.username, n): count(u, n)
        for u, n in [
            (clerk, "workflow:routing"),
            (officer, "workflow:inbox"),
            (leader, "workflow:approvals"),
            (leader, "workflow:queue"),
            (head, "workflow:queue"),
        ]
    }
    for _ in range(3):
        propose(officer, handling(clerk, officer))
        routed(clerk, bureau_a.station)
        new_alert(clerk)
    again = {
        (u.username, n): count(u, n)
        for u, n in [
            (clerk, "workflow:routing"),
            (officer, "workflow:inbox"),
            (leader, "workflow:approvals"),
            (leader, "workflow:queue"),
            (head, "workflow:queue"),
        ]
    }
    assert again == baseline
    assert baseline[("leader", "workflow:queue")] <= 20


def test_the_routing_queue_shows_a_page_oldest_first_and_walks_the_rest(
    clerk: Any, monkeypatch: Any
) -> None:
    """Issue 14: a backlog of alerts to route is shown a page at a time (the oldest, whose
    review period ends first), with a capped count and a link to the next page; the page reads
    as many queries whatever the backlog."""
    from shoulian.workflow import selectors

    monkeypatch.setattr(selectors, "TASK_PAGE", 3)
    alerts = [new_alert(clerk) for _ in range(5)]
    client = login_as(Client(), clerk)
    client.get(reverse("workflow:routing"))
    with CaptureQueriesContext(connection) as few:
        html = client.get(reverse("workflow:routing")).content.decode()
    assert [a.number in html for a in alerts] == [True, True, True, False, False]
    assert "待分派警情共 5 件" in html
    after = re.search(r'href="\?after=([0-9-]+)"', html)
    assert after is not None
    second = client.get(reverse("workflow:routing") + f"?after={after[1]}").content.decode()
    assert [a.number in second for a in alerts] == [False, False, False, True, True]
    assert 'href="?after=' not in second and "第一页" in second
    for _ in range(4):
        new_alert(clerk)
    with CaptureQueriesContext(connection) as more:
        assert client.get(reverse("workflow:routing")).status_code == 200
    assert len(more) == len(few)


def test_the_work_queue_shows_the_most_urgent_page_and_counts_the_rest(
    clerk: Any, monkeypatch: Any
) -> None:
    from shoulian.workflow import selectors

    monkeypatch.setattr(selectors, "TASK_PAGE", 3)
    alerts = [new_alert(clerk) for _ in range(5)]
    html = page(clerk, "workflow:queue").content.decode()
    assert sum(a.number in html for a in alerts) == 3
    assert "共 5 项待办" in html and "此处显示最紧急的 3 项" in html
    assert reverse("workflow:routing") in html


def test_alert_page_offers_each_role_its_actions_and_shows_the_timeline(
    clerk: Any, officer: Any, leader: Any, bureau_a: Any
) -> None:
    alert = routed(clerk, bureau_a.station)
    html = page(officer, "workflow:alert", pk=alert.pk).content.decode()
    assert 'data-action="sign_for"' in html and 'data-action="return"' in html
    journal = page(officer, "workflow:file_tab", pk=alert.pk, tab="journal").content.decode()
    assert "办理过程（全程留痕）" in journal and "分派警情" in journal
    clerk_html = page(clerk, "workflow:alert", pk=alert.pk).content.decode()
    assert 'data-action="sign_for"' not in clerk_html


def test_signing_for_through_the_page(clerk: Any, officer: Any, bureau_a: Any) -> None:
    alert = routed(clerk, bureau_a.station)
    client = login_as(Client(), officer)
    url = reverse("workflow:action", kwargs={"pk": alert.pk, "action": "sign_for"})
    response = client.post(url, {"version": alert.version})
    assert response.status_code == 302
    assert fresh(alert).status == AlertStatus.SIGNED


def test_a_second_submission_of_the_same_form_gets_the_conflict_page(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    alert = routed(clerk, bureau_a.station)
    client = login_as(Client(), officer)
    url = reverse("workflow:action", kwargs={"pk": alert.pk, "action": "sign_for"})
    form = {"version": alert.version}
    assert client.post(url, form).status_code == 302
    again = client.post(url, form)
    assert again.status_code == 409
    assert "被他人处理" in again.content.decode()


def test_extra_fields_in_a_form_change_nothing_else(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    alert = routed(clerk, bureau_a.station)
    client = login_as(Client(), officer)
    url = reverse("workflow:action", kwargs={"pk": alert.pk, "action": "sign_for"})
    client.post(
        url,
        {
            "version": alert.version,
            "status": "criminal_case",
            "handling_unit": bureau_a.station2.pk,
            "unit": bureau_a.station2.pk,
        },
    )
    alert = fresh(alert)
    assert (alert.status, alert.handling_unit) == (AlertStatus.SIGNED, bureau_a.station)


def test_routing_form_preselects_the_suggested_unit(clerk: Any, bureau_a: Any) -> None:
    alert = new_alert(clerk)
    html = page(clerk, "workflow:action", pk=alert.pk, action="route").content.decode()
    assert f'<option value="{bureau_a.station.pk}" selected>' in html
    assert "发案地点所在辖区" in html


def test_unavailable_action_page_says_why(clerk: Any, bureau_a: Any) -> None:
    alert = routed(clerk, bureau_a.station)
    html = page(clerk, "workflow:action", pk=alert.pk, action="sign_for").content.decode()
    assert (
        "您当前不能办理此操作" in html
        and '<form method="post" class="stack action-form"' not in html
    )


def test_clerk_cannot_post_an_approval(clerk: Any, officer: Any) -> None:
    alert = handling(clerk, officer)
    decision = propose(officer, alert)
    response = login_as(Client(), clerk).post(
        reverse("workflow:decision", kwargs={"pk": decision.pk}),
        {"version": fresh(alert).version, "decision": "approve", "note": "同意"},
    )
    assert response.status_code == 403
    assert Decision.objects.get(pk=decision.pk).status == "pending"


def test_leader_approves_through_the_decision_page(clerk: Any, officer: Any, leader: Any) -> None:
    alert = handling(clerk, officer, category_code="0302")
    decision = propose(officer, alert, DecisionKind.CLOSE_NON_CASE, legal_basis="调解结案")
    client = login_as(Client(), leader)
    url = reverse("workflow:decision", kwargs={"pk": decision.pk})
    assert "提交审批意见" in client.get(url).content.decode()
    rejected = client.post(url, {"version": fresh(alert).version, "decision": "reject", "note": ""})
    assert rejected.status_code == 400
    response = client.post(url, {"version": fresh(alert).version, "decision": "approve"})
    assert response.status_code == 302
    assert fresh(alert).status == AlertStatus.CLOSED_NON_CASE


def test_center_head_keeps_routing_rules_through_the_page(head: Any, bureau_a: Any) -> None:
    from shoulian.intake.models import Category

    client = login_as(Client(), head)
    response = client.post(
        reverse("workflow:rules"),
        {
            "category": Category.objects.get(code="0106").pk,
            "unit": bureau_a.criminal.pk,
            "priority": 0,
        },
    )
    assert response.status_code == 302
    rule = RoutingRule.objects.get(bureau=bureau_a.bureau)
    client.post(reverse("workflow:rule_toggle", kwargs={"pk": rule.pk}))
    rule.refresh_from_db()
    assert not rule.is_active


def test_administrator_sets_the_document_prefix(admin_user: Any) -> None:
    client = login_as(Client(), admin_user)
    response = client.post(reverse("workflow:settings"), {"document_prefix": "甲公"})
    assert response.status_code == 302
    assert (
        "甲公（刑）立字〔2026〕00012号" in client.get(reverse("workflow:settings")).content.decode()
    )


def test_reconsideration_is_registered_for_the_complainant_and_decided_through_the_pages(
    clerk: Any, officer: Any, leader: Any, bureau_head: Any, bureau_a: Any
) -> None:
    from shoulian.accounts.choices import Role
    from shoulian.conftest import make_user
    from shoulian.workflow.models import Reconsideration
    from shoulian.workflow.tests.helpers import approve

    alert = handling(clerk, officer)
    decision = propose(officer, alert, DecisionKind.NOT_FILE, facts="没有犯罪事实。")
    approve(leader, decision)
    approve(bureau_head, decision)
    act(officer, alert, Action.SERVE_NOTICE)

    desk = login_as(Client(), clerk)
    url = reverse("workflow:action", kwargs={"pk": alert.pk, "action": "apply_reconsideration"})
    form_html = desk.get(url).content.decode()
    assert "王**（报案人）" in form_html and "王小明" not in form_html  # masked applicant (P1)
    party = Decision.objects.get(pk=decision.pk).alert.parties.get(role="reporter")
    response = desk.post(
        url, {"version": fresh(alert).version, "applicant": party.pk, "grounds": "不服不予立案决定"}
    )
    assert response.status_code == 302

    chief2 = make_user("chief2", bureau_a.bureau, Role.BUREAU_HEAD)
    head_page = login_as(Client(), chief2)
    alert_html = head_page.get(reverse("workflow:alert", kwargs={"pk": alert.pk})).content.decode()
    assert alert_html.count('data-action="uphold_reconsideration"') == 1
    url = reverse("workflow:action", kwargs={"pk": alert.pk, "action": "uphold_reconsideration"})
    response = head_page.post(
        url, {"version": fresh(alert).version, "outcome": "revoke", "reason": "事实不清"}
    )
    assert response.status_code == 302
    assert fresh(alert).status == AlertStatus.HANDLING
    assert Reconsideration.objects.get(alert=alert).status == "revoked"


def test_the_approver_sees_one_approval_button(clerk: Any, officer: Any, leader: Any) -> None:
    alert = handling(clerk, officer)
    propose(officer, alert)
    html = page(leader, "workflow:alert", pk=alert.pk).content.decode()
    assert html.count('data-action="approve"') == 1
    assert 'data-action="reject"' not in html
