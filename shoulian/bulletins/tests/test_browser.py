"""In Chromium: the center head drafts last month's 月通报 from the archive, approves it; the legal
brigade approves it; the center head issues it as 第1期; a station officer opens it from the
inbox. The statistics page is checked on the way."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.bulletins.models import Bulletin
from shoulian.conftest import assert_accessible, make_bureau, make_user, screenshot
from shoulian.deadlines.versions import legal_date
from shoulian.supervision.tests.test_browser import as_user
from shoulian.workflow.tests.helpers import reseed_data_migrations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(live_server: Any) -> dict[str, Any]:
    reseed_data_migrations()
    importlib.import_module("shoulian.supervision.migrations.0002_seed_rules").seed(apps, None)
    b = make_bureau("3501", "甲")
    return {
        "b": b,
        "head": make_user("zx.head", b.center, Role.CENTER_HEAD, full_name="刘建华"),
        "legal": make_user("fz.legal", b.legal_brigade, Role.LEGAL_BRIGADE, full_name="郑雨涵"),
        "officer": make_user("cg.officer", b.station, Role.OFFICER, full_name="陈志强"),
    }


def test_browser_the_center_issues_a_bulletin_and_a_unit_opens_it_from_the_inbox(
    page: Any, live_server: Any, world: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    w = world
    last_month = legal_date(timezone.now()).replace(day=1) - dt.timedelta(days=1)

    as_user(page, live_server, w["head"])
    page.goto(f"{live_server.url}/bulletins/statistics/")
    expect(page.get_by_test_id("sentence")).to_contain_text("违法犯罪类警情0件")
    assert_accessible(page)

    page.goto(f"{live_server.url}/bulletins/")
    assert_accessible(page)
    page.get_by_label("通报月份").fill(f"{last_month:%Y-%m}")
    page.get_by_role("button", name="起草月通报").click()
    expect(page.locator(".messages")).to_contain_text("已生成月通报草稿")
    expect(page.get_by_test_id("status")).to_have_text("草稿")
    assert_accessible(page)
    page.get_by_role("link", name="修改草稿").click()
    page.get_by_label("导语").fill("现将上月受立案巡查监督情况通报如下，请各单位对照整改。")
    assert_accessible(page)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("bulletin")).to_contain_text("请各单位对照整改")
    page.get_by_role("button", name="中心审核通过").click()
    expect(page.get_by_test_id("status")).to_have_text("中心已审核")

    as_user(page, live_server, w["legal"])
    bulletin = Bulletin.objects.get(kind="monthly")
    page.goto(f"{live_server.url}/bulletins/{bulletin.pk}/")
    page.get_by_role("button", name="审批通过").click()
    expect(page.get_by_test_id("status")).to_have_text("法制大队已审批")

    as_user(page, live_server, w["head"])
    page.goto(f"{live_server.url}/bulletins/{bulletin.pk}/")
    page.get_by_label("签发人").fill("林建国")
    page.get_by_role("button", name="签发并下发").click()
    expect(page.get_by_test_id("status")).to_have_text("已下发")
    expect(page.locator("main")).to_contain_text("第1期")
    screenshot(page, "bulletin-issued")

    as_user(page, live_server, w["officer"])
    page.goto(f"{live_server.url}/supervision/inbox/")
    assert_accessible(page)
    page.get_by_role("link", name="受立案巡查监督通报第1期").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("受立案巡查监督情况的通报")
    expect(page.locator("main")).to_contain_text("签发人 林建国")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
