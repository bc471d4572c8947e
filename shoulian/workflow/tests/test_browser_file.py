"""The alert file (警情档案) in Chromium: a station officer opens it from the 警情 list and from 我的期限
and walks its seven tabs; a closed (已立案) alert opens like any other."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from shoulian.accounts.choices import Role
from shoulian.conftest import make_bureau, make_user, screenshot
from shoulian.workflow.tests.helpers import (
    approve,
    handling,
    new_alert,
    propose,
    reseed_data_migrations,
    routed,
)
from shoulian.workflow.tests.test_browser import as_user
from shoulian.workflow.views import FILE_TABS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_browser_the_alert_file_opens_from_the_list_and_my_deadlines_and_walks_its_tabs(
    page: Any, live_server: Any
) -> None:
    reseed_data_migrations()
    b = make_bureau("3501", "甲")
    clerk = make_user("desk.clerk", b.center, Role.CLERK, full_name="张欣然")
    officer = make_user("cg.officer", b.station, Role.OFFICER, full_name="陈志强")
    leader = make_user("cg.leader", b.station, Role.LEADER, full_name="黄文斌")
    chief = make_user("ju.chief", b.bureau, Role.BUREAU_HEAD, full_name="刘正")
    closed = handling(clerk, officer)
    decision = propose(officer, closed)
    approve(leader, decision)
    approve(chief, decision)
    waiting = routed(clerk, b.station)
    new_alert(clerk)  # still at the center: not the station's, never in its list

    as_user(page, live_server, officer)
    # From the 警情 list: the closed alert is there and opens on its registration tab.
    page.goto(f"{live_server.url}/intake/")
    page.locator("tr", has_text=closed.number).locator("a").first.click()
    page.wait_for_url(f"**/workflow/file/{closed.pk}/")
    expect(page.locator("h1")).to_contain_text("警情档案")
    expect(page.locator(".status")).to_have_text("已立案")
    expect(page.locator('.file-tabs a[aria-current="page"]')).to_have_text("登记")
    for slug, label in FILE_TABS:
        page.locator(".file-tabs").get_by_role("link", name=label, exact=True).click()
        page.wait_for_url(f"**/workflow/file/{closed.pk}/{slug}/")
        expect(page.locator(f'.file-panel[data-panel="{slug}"]')).to_be_visible()
        expect(page.locator('.file-tabs a[aria-current="page"]')).to_have_text(label)
        screenshot(page, f"alert-file-{slug}")
    expect(page.locator(".file-panel")).to_contain_text("办理过程")
    page.locator(".file-tabs").get_by_role("link", name="文书", exact=True).click()
    expect(page.locator('[data-document="filing_decision"]')).to_be_visible()

    # From 我的期限: the routed alert's review period links to its file.
    page.goto(f"{live_server.url}/deadlines/")
    page.locator("tr", has_text=waiting.number).get_by_role("link", name="警情档案").click()
    page.wait_for_url(f"**/workflow/file/{waiting.pk}/")
    page.locator(".file-tabs").get_by_role("link", name="流转", exact=True).click()
    expect(page.locator('[data-action="sign_for"]')).to_be_visible()
    page.locator(".file-tabs").get_by_role("link", name="期限", exact=True).click()
    expect(page.locator(".file-panel")).to_contain_text("刑事案件立案审查")
    screenshot(page, "alert-file-from-deadlines")
