"""In Chromium: a stalled alert becomes a red finding at the center head's patrol; the officer and
the leader find it in their inbox (unread count in the header); the officer's rectification
climbs 所队法制员 → 所队领导 → 受立案管理中心 → 法制大队 to 销号; a neglected finding escalates
to the center head and turns red."""

from __future__ import annotations

import datetime as dt
import importlib
import uuid
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.conftest import assert_accessible, login_as, make_bureau, make_user, screenshot
from shoulian.intake import services as intake
from shoulian.intake.tests.helpers import alert_input
from shoulian.supervision.choices import FindingStatus, Level
from shoulian.supervision.models import Finding
from shoulian.supervision.tests.helpers import due, patrol
from shoulian.workflow.choices import Action
from shoulian.workflow.services import alert_transition
from shoulian.workflow.tests.helpers import fresh, reseed_data_migrations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(page: Any, live_server: Any, user: Any) -> None:
    client = login_as(Client(), user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.fixture
def world(live_server: Any) -> dict[str, Any]:
    reseed_data_migrations()
    importlib.import_module("shoulian.supervision.migrations.0002_seed_rules").seed(apps, None)
    b = make_bureau("3501", "甲")
    return {
        "b": b,
        "clerk": make_user("desk.clerk", b.center, Role.CLERK, full_name="张欣然"),
        "head": make_user("center.head", b.center, Role.CENTER_HEAD, full_name="罗永强"),
        "officer": make_user("cg.officer", b.station, Role.OFFICER, full_name="陈志强"),
        "leader": make_user("cg.leader", b.station, Role.LEADER, full_name="黄文斌"),
        "legal_officer": make_user("cg.legal", b.station, Role.LEGAL_OFFICER, full_name="叶清华"),
        "legal": make_user("fz.reviewer", b.legal_brigade, Role.LEGAL_BRIGADE, full_name="郑雨涵"),
    }


def stalled_alert(w: dict[str, Any]) -> Any:
    """Registered eight days ago, routed, signed for and in handling since: the 3-day 立案审查
    (moved off the weekend at most) ran out without a decision."""
    then = timezone.now() - dt.timedelta(days=8)
    data = alert_input(
        received_at=then - dt.timedelta(minutes=5), incident_at=then - dt.timedelta(hours=8)
    )
    alert = intake.alert_register(
        actor=w["clerk"], data=data, idempotency_key=uuid.uuid4().hex, now=then
    ).alert
    intake.receipt_print(actor=w["clerk"], alert=alert, now=then + dt.timedelta(minutes=2))
    steps = [
        (w["clerk"], Action.ROUTE, {"unit": w["b"].station, "reason": "辖区派出所"}),
        (w["officer"], Action.SIGN_FOR, {}),
        (w["officer"], Action.START_HANDLING, {}),
    ]
    for n, (actor, action, payload) in enumerate(steps, start=1):
        current = fresh(alert)
        alert_transition(
            actor=actor,
            alert=current,
            action=action,
            expected_version=current.version,
            now=then + dt.timedelta(minutes=10 * n),
            **payload,
        )
    return fresh(alert)


def review(
    page: Any, live_server: Any, user: Any, finding: Finding, shot: str | None = None
) -> None:
    as_user(page, live_server, user)
    page.goto(f"{live_server.url}/supervision/findings/{finding.pk}/")
    page.get_by_label("通过").check()
    if shot:
        screenshot(page, shot)
        assert_accessible(page)
    page.get_by_role("button", name="提交审核意见").click()
    page.wait_for_url(f"**/supervision/findings/{finding.pk}/")


def test_stalled_alert_to_sign_off_and_a_neglected_one_escalates(
    page: Any, live_server: Any, world: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    w = world
    alert = stalled_alert(w)

    # The center head runs the patrol from 巡查记录.
    as_user(page, live_server, w["head"])
    page.goto(f"{live_server.url}/supervision/runs/")
    page.get_by_role("button", name="立即巡查").click()
    expect(page.locator(".messages")).to_contain_text("新发现")
    screenshot(page, "supervision-runs")
    assert_accessible(page)
    finding = Finding.objects.get(rule_code="deadline_overdue", alert=alert)
    assert finding.level == Level.RED

    # The officer: an unread message in the header, the finding in the inbox, red on the list.
    as_user(page, live_server, w["officer"])
    page.goto(f"{live_server.url}/")
    expect(page.locator(".header-link .count")).to_have_text("1")
    page.locator(".header-link").click()
    expect(page.locator("tbody")).to_contain_text("刑事案件立案审查")
    screenshot(page, "supervision-inbox-officer")
    assert_accessible(page)
    page.get_by_role("link", name="巡查发现", exact=True).click()
    expect(page.locator("tbody tr").first.locator(".lv-red")).to_be_visible()
    screenshot(page, "supervision-findings-officer")
    assert_accessible(page)

    # The leader got the cc.
    as_user(page, live_server, w["leader"])
    page.goto(f"{live_server.url}/supervision/inbox/")
    expect(page.locator("tbody")).to_contain_text("【抄送】")

    # The officer rectifies.
    as_user(page, live_server, w["officer"])
    page.goto(f"{live_server.url}/supervision/findings/{finding.pk}/")
    page.get_by_label("整改情况").fill(
        "已补办立案审查，作出立案决定；值班交接遗漏，已明确交接责任。"
    )
    page.get_by_role("button", name="提交整改").click()
    expect(page.locator(".messages")).to_contain_text("进入逐级审核")

    # 所队法制员 → 所队领导 → 受立案管理中心 → 法制大队 (销号).
    review(page, live_server, w["legal_officer"], finding, "supervision-review-legal-officer")
    review(page, live_server, w["leader"], finding)
    review(page, live_server, w["head"], finding)
    review(page, live_server, w["legal"], finding)
    expect(page.locator(".messages")).to_contain_text("已审核销号")
    expect(page.locator("main")).to_contain_text("已销号")
    screenshot(page, "supervision-signed-off")
    assert_accessible(page)
    assert Finding.objects.get(pk=finding.pk).status == FindingStatus.CLOSED

    # A neglected finding: a walk-in alert left without its receipt; nobody answers in time.
    then = timezone.now() - dt.timedelta(hours=2)
    data = alert_input(received_at=then, incident_at=then - dt.timedelta(hours=3))
    intake.alert_register(actor=w["clerk"], data=data, idempotency_key=uuid.uuid4().hex, now=then)
    patrol(w["b"].bureau, codes=["on_the_spot_missing"])
    neglected = Finding.objects.get(rule_code="on_the_spot_missing")
    assert neglected.level == Level.ORANGE
    patrol(w["b"].bureau, now=due(neglected) + dt.timedelta(hours=1), codes=["finding_unrectified"])
    neglected.refresh_from_db()
    assert (neglected.escalation, neglected.level) == (1, Level.RED)

    as_user(page, live_server, w["head"])
    page.goto(f"{live_server.url}/supervision/inbox/")
    expect(page.locator("tbody")).to_contain_text("【逾期升级】")
    page.get_by_role("link", name=neglected.summary).first.click()
    expect(page.locator("main")).to_contain_text("已逾期升级1次")
    screenshot(page, "supervision-escalated")
    assert_accessible(page)
