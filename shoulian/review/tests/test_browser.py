"""In Chromium: the legal brigade defines a 专项评查, draws its sample, scores two alerts against the
checklist (one with a failed item, which becomes a finding) and closes it; the station's officer
finds the finding in the inbox."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.conftest import assert_accessible, login_as, make_bureau, make_user, screenshot
from shoulian.review.choices import CampaignStatus, EntryStatus
from shoulian.review.models import Campaign
from shoulian.supervision.choices import FindingSource
from shoulian.supervision.models import Finding, InboxMessage
from shoulian.workflow.tests.helpers import handling, reseed_data_migrations

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
    for module in (
        "shoulian.supervision.migrations.0002_seed_rules",
        "shoulian.supervision.migrations.0005_manual_findings",
        "shoulian.review.migrations.0003_seed_checklist",
    ):
        importlib.import_module(module).seed(apps, None)
    b = make_bureau("3501", "甲")
    clerk = make_user("desk.clerk", b.center, Role.CLERK, full_name="张欣然")
    officer = make_user("cg.officer", b.station, Role.OFFICER, full_name="陈志强")
    make_user("cg.leader", b.station, Role.LEADER, full_name="黄文斌")
    alerts = [handling(clerk, officer), handling(clerk, officer)]
    return {
        "b": b,
        "officer": officer,
        "alerts": alerts,
        "legal": make_user("fz.reviewer", b.legal_brigade, Role.LEGAL_BRIGADE, full_name="郑雨涵"),
    }


def test_legal_brigade_runs_a_campaign_scores_two_alerts_and_raises_a_finding(
    page: Any, live_server: Any, world: dict[str, Any]
) -> None:
    w = world
    as_user(page, live_server, w["legal"])
    page.goto(f"{live_server.url}/review/campaigns/")
    assert_accessible(page)
    page.get_by_role("link", name="制定专项评查").click()
    page.get_by_label("名称").fill("受案立案专项评查（浏览器测试）")
    page.get_by_label("类型").select_option("special")
    today = timezone.localdate().isoformat()
    page.get_by_label("警情登记起").fill(today)
    page.get_by_label("警情登记止").fill(today)
    page.get_by_label("城关派出所").check()
    page.get_by_label("抽样数量").fill("2")
    assert_accessible(page)
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="抽取样本").click()
    page.get_by_text("抽样种子已记入审计日志").wait_for()
    assert_accessible(page)
    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.SCORING and campaign.entries.count() == 2

    # First alert: the receipt was not handed over — a failed item and an orange finding.
    page.get_by_role("link", name="评分").first.click()
    page.get_by_label("1. 当场出具接报案回执").check()
    page.get_by_label("扣分说明").first.fill("回执未交报案人")
    page.get_by_label("问题等级").select_option("orange")
    assert_accessible(page)
    page.get_by_role("button", name="保存评分").click()
    page.get_by_text("评分已保存").wait_for()
    # Second alert: everything in order.
    page.get_by_role("link", name="评分").first.click()
    page.get_by_role("button", name="保存评分").click()
    page.get_by_text("评分已保存").wait_for()
    assert page.get_by_text("橙色巡查发现").count() == 1
    screenshot(page, "review-campaign-scored")

    page.get_by_label("评查结论").fill("总体规范，一起未当场出具回执，已责令整改。")
    page.get_by_role("button", name="结束评查").click()
    page.get_by_role("link", name="评查报告（PDF）").wait_for()
    assert_accessible(page)

    scores = sorted(e.score for e in Campaign.objects.get().entries.all() if e.score is not None)
    assert scores == [90, 100]
    assert all(e.status == EntryStatus.SCORED for e in campaign.entries.all())
    finding = Finding.objects.get(source=FindingSource.MANUAL)
    assert finding.level == "orange" and "当场出具接报案回执" in finding.summary
    assert InboxMessage.objects.filter(finding=finding, recipient=w["officer"]).exists()

    # The officer finds it in the inbox.
    as_user(page, live_server, w["officer"])
    page.goto(f"{live_server.url}/supervision/inbox/")
    page.get_by_role("link", name=finding.summary[:20], exact=False).first.click()
    page.get_by_text("人工巡查", exact=True).wait_for()
    assert_accessible(page)
