"""Who sees which findings (a station its own, the center and the legal brigade the bureau's, the
inspector reads the bureau's), the inbox with its unread count, the rule-settings page and the
patrol runs page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import make_user
from shoulian.supervision.choices import FindingStatus
from shoulian.supervision.models import Finding, InboxMessage, PatrolRule, PatrolRun
from shoulian.supervision.tests.helpers import due, only, patrol
from shoulian.workflow.tests.helpers import handling

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(bureau_a: Any, clerk: Any, officer: Any, leader: Any, legal_officer: Any) -> Finding:
    from shoulian.deadlines.models import Deadline

    alert = handling(clerk, officer)
    deadline = Deadline.objects.get(object_id=str(alert.pk), code="criminal_filing_review")
    patrol(bureau_a.bureau, now=due(deadline) + dt.timedelta(hours=2))
    return only("deadline_overdue")


def detail(finding: Finding) -> str:
    return reverse("supervision:finding", kwargs={"pk": finding.pk})


def test_station_sees_its_own_findings_and_not_another_stations(
    overdue: Finding, client_for: Any, officer: Any, officer2: Any
) -> None:
    assert Finding.objects.visible_to(officer).filter(pk=overdue.pk).exists()
    assert not Finding.objects.visible_to(officer2).exists()
    assert client_for(officer2).get(detail(overdue)).status_code == 404
    page = client_for(officer2).get(reverse("supervision:findings"))
    assert overdue.summary not in page.content.decode()


@pytest.mark.parametrize("persona", ["head", "legal", "bureau_head", "inspector"])
def test_bureau_wide_roles_see_the_bureaus_findings(
    overdue: Finding, client_for: Any, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("supervision:findings"))
    assert overdue.summary in response.content.decode()
    assert client_for(user).get(detail(overdue)).status_code == 200


def test_another_bureau_cannot_see_or_touch_a_finding(
    overdue: Finding, client_for: Any, outsider: Any, bureau_b: Any
) -> None:
    legal_b = make_user("legalb", bureau_b.legal_brigade, Role.LEGAL_BRIGADE)
    for user in (outsider, legal_b):
        assert not Finding.objects.visible_to(user).exists()
        response = client_for(user).post(
            detail(overdue), {"action": "submit", "text": "x", "version": 1}
        )
        assert response.status_code == 404


def test_inspector_reads_but_cannot_rectify_or_review(
    overdue: Finding, client_for: Any, inspector: Any
) -> None:
    page = client_for(inspector).get(detail(overdue)).content.decode()
    assert 'value="submit"' not in page and 'value="review"' not in page
    response = client_for(inspector).post(
        detail(overdue), {"action": "submit", "text": "越权整改", "version": overdue.version}
    )
    assert response.status_code == 403
    assert Finding.objects.get(pk=overdue.pk).status == FindingStatus.OPEN


def test_clerk_sees_only_findings_addressed_to_the_clerk(
    bureau_a: Any, overdue: Finding, clerk: Any, client_for: Any
) -> None:
    mine = only("on_the_spot_missing")
    assert mine.officer_id == clerk.pk
    assert list(Finding.objects.visible_to(clerk)) == [mine]
    assert client_for(clerk).get(detail(overdue)).status_code == 404
    assert client_for(clerk).get(detail(mine)).status_code == 200


def test_administrator_sees_no_finding(overdue: Finding, admin_user: Any, client_for: Any) -> None:
    assert not Finding.objects.visible_to(admin_user).exists()
    assert client_for(admin_user).get(reverse("supervision:findings")).status_code == 403
    assert client_for(admin_user).get(reverse("supervision:inbox")).status_code == 403


def test_header_shows_unread_count_and_opening_the_finding_reads_it(
    overdue: Finding, client_for: Any, officer: Any, leader: Any
) -> None:
    client = client_for(officer)
    home = client.get(reverse("core:home")).content.decode()
    assert 'class="header-link"' in home and 'aria-label="未读消息 1"' in home
    # The home page lists what waits for the officer.
    assert "待我处理的巡查发现" in home and overdue.summary in home
    inbox = client.get(reverse("supervision:inbox")).content.decode()
    assert overdue.summary in inbox and "未读" in inbox
    client.get(detail(overdue))
    assert not InboxMessage.objects.filter(recipient=officer, read_at__isnull=True).exists()
    # The leader's copy of the same finding stays unread.
    assert InboxMessage.objects.filter(recipient=leader, read_at__isnull=True).count() == 1
    home = client.get(reverse("core:home")).content.decode()
    assert "未读消息 " not in home
    client_for(leader).post(reverse("supervision:inbox"))
    assert not InboxMessage.objects.filter(recipient=leader, read_at__isnull=True).exists()


def test_officer_rectifies_and_the_station_legal_officer_reviews_on_the_page(
    overdue: Finding, client_for: Any, officer: Any, legal_officer: Any
) -> None:
    page = client_for(officer).get(detail(overdue)).content.decode()
    assert 'value="submit"' in page
    response = client_for(officer).post(
        detail(overdue), {"action": "submit", "text": "已补办。", "version": overdue.version}
    )
    assert response.status_code == 302
    f = Finding.objects.get(pk=overdue.pk)
    page = client_for(legal_officer).get(detail(f)).content.decode()
    assert 'value="review"' in page and "已补办。" in page
    response = client_for(legal_officer).post(
        detail(f), {"action": "review", "decision": "return", "comment": "", "version": f.version}
    )
    assert response.status_code == 400 and "退回须写明审核意见" in response.content.decode()
    stale = client_for(legal_officer).post(
        detail(f), {"action": "review", "decision": "approve", "comment": "", "version": 1}
    )
    assert stale.status_code == 409


def test_finding_list_query_count_does_not_grow_with_rows(
    overdue: Finding, client_for: Any, head: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(head)
    with django_assert_max_num_queries(14) as small:
        client.get(reverse("supervision:findings"))
    for n in range(5):
        Finding.objects.create(
            **{
                f.name: getattr(overdue, f.name)
                for f in Finding._meta.concrete_fields
                if f.name not in {"id", "subject_id"}
            },
            subject_id=f"copy{n}",
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("supervision:findings"))


def test_legal_brigade_revises_a_rule_as_a_new_journalled_version(
    bureau_a: Any, client_for: Any, legal: Any, officer: Any
) -> None:
    url = reverse("supervision:rule_edit", kwargs={"code": "bounced_alert"})
    assert client_for(officer).get(url).status_code == 403
    form = client_for(legal).get(url)
    assert form.status_code == 200 and "退回与移交合计上限" in form.content.decode()
    response = client_for(legal).post(
        url,
        {
            "name": "多次退回或移交",
            "level": "red",
            "recipients": ["officer", "leader"],
            "review_chain": ["leader", "legal_brigade"],
            "rectify_days": 5,
            "is_active": "on",
            "effective_from": "2026-01-01",
            "change_reason": "本局推诿问题突出，从严",
            "param_max_bounces": 1,
        },
    )
    assert response.status_code == 302
    rule = PatrolRule.objects.get(code="bounced_alert", bureau=bureau_a.bureau)
    assert (rule.version, rule.level, rule.params, rule.review_chain) == (
        2,
        "red",
        {"max_bounces": 1},
        ["leader", "legal_brigade"],
    )
    assert any(e.event_type == EventType.PATROL_RULE_REVISED for e in AuditEvent.objects.all())
    listing = client_for(officer).get(reverse("supervision:rules")).content.decode()
    assert "（本局）" in listing
    bad = client_for(legal).post(url, {"name": "", "level": "red", "rectify_days": 200})
    assert bad.status_code == 400


def test_center_head_runs_the_patrol_and_the_run_is_recorded(
    bureau_a: Any, client_for: Any, head: Any, inspector: Any, clerk: Any
) -> None:
    from shoulian.workflow.tests.helpers import new_alert

    new_alert(clerk)
    assert client_for(inspector).post(reverse("supervision:runs")).status_code == 403
    response = client_for(head).post(reverse("supervision:runs"))
    assert response.status_code == 302
    run = PatrolRun.objects.get()
    assert run.status == "done" and run.alerts_examined == 1 and run.triggered_by == head
    assert {r["code"] for r in run.rules} >= {"deadline_overdue", "bounced_alert"}
    page = client_for(inspector).get(reverse("supervision:runs")).content.decode()
    assert "手动巡查" in page
    assert any(e.event_type == EventType.PATROL_RUN for e in AuditEvent.objects.all())


def test_officer_attaches_proof_on_the_page_and_the_reviewer_downloads_it(
    overdue: Finding, client_for: Any, officer: Any, legal_officer: Any, outsider: Any
) -> None:
    from shoulian.intake.tests.helpers import sample_png, upload

    response = client_for(officer).post(
        detail(overdue),
        {
            "action": "submit",
            "text": "已补办，附送达回证。",
            "attachments": [upload("回证.png", sample_png())],
            "version": overdue.version,
        },
    )
    assert response.status_code == 302
    rect = Finding.objects.get(pk=overdue.pk).rectifications.get()
    [stored] = list(rect.files.all())
    page = client_for(legal_officer).get(detail(overdue)).content.decode()
    url = reverse("intake:evidence_download", kwargs={"pk": stored.pk})
    assert "回证.png" in page and url in page
    assert client_for(legal_officer).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 404


def test_a_file_that_is_not_what_it_claims_is_refused_with_the_answer_kept_in_the_form(
    overdue: Finding, client_for: Any, officer: Any
) -> None:
    from shoulian.intake.tests.helpers import upload

    response = client_for(officer).post(
        detail(overdue),
        {
            "action": "submit",
            "text": "已补办。",
            "attachments": [upload("回证.png", b"<svg onload=alert(1)>")],
            "version": overdue.version,
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "不支持的文件类型" in body and "已补办。" in body
    assert Finding.objects.get(pk=overdue.pk).status == FindingStatus.OPEN


@pytest.mark.parametrize("persona", ["leader", "legal_officer"])
def test_station_leaders_see_their_stations_findings_only(
    bureau_a: Any, overdue: Finding, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    assert list(Finding.objects.visible_to(user)) == [overdue]
    elsewhere = make_user(f"{persona}2", bureau_a.station2, next(iter(user.role_set)))
    assert not Finding.objects.visible_to(elsewhere).exists()


@pytest.mark.parametrize("persona", ["legal", "bureau_head", "inspector", "head"])
def test_bureau_roles_cannot_answer_for_the_unit(
    overdue: Finding, client_for: Any, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    page = client_for(user).get(detail(overdue)).content.decode()
    assert 'value="submit"' not in page
    response = client_for(user).post(
        detail(overdue), {"action": "submit", "text": "代为整改", "version": overdue.version}
    )
    assert response.status_code == 403
    assert Finding.objects.get(pk=overdue.pk).status == FindingStatus.OPEN


def test_the_officer_cannot_review_the_units_answer(
    overdue: Finding, client_for: Any, officer: Any, leader: Any
) -> None:
    from shoulian.supervision.services import rectification_submit

    f = rectification_submit(actor=leader, finding=overdue, text="已整改。", expected_version=1)
    response = client_for(officer).post(
        detail(f), {"action": "review", "decision": "approve", "comment": "", "version": f.version}
    )
    assert response.status_code == 403
    assert Finding.objects.get(pk=f.pk).status == FindingStatus.REVIEWING


def test_a_station_clerk_sees_only_findings_addressed_to_the_clerk(
    bureau_a: Any, overdue: Finding
) -> None:
    desk = make_user("deskclerk", bureau_a.station, Role.CLERK)
    assert not Finding.objects.visible_to(desk).exists()
