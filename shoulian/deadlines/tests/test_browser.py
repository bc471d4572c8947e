"""The work queue and the calendar as a person sees them, in Chromium (screenshots for review)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from shoulian.accounts.choices import Role
from shoulian.conftest import assert_accessible, login_as, make_bureau, make_user, screenshot
from shoulian.deadlines.services import deadline_extension_request, deadline_pause, deadline_start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_as(page: Any, live_server: Any, user: Any) -> None:
    """Reuse a session that passed both factors (the login itself is tested in accounts)."""
    client = login_as(Client(), user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_the_head_sees_the_queue_in_colour_and_the_admin_the_calendar(
    page: Any, live_server: Any
) -> None:
    bureau = make_bureau("3501", "甲")
    head = make_user("center.head", bureau.center, Role.CENTER_HEAD, full_name="罗永强")
    officer = make_user("wang.officer", bureau.station, Role.OFFICER, full_name="王小明")
    admin = make_user("sysadmin", bureau.bureau, Role.ADMIN, full_name="吴思远")
    now = timezone.now()
    rows = [
        ("criminal_filing_review", "电动车被盗", dt.timedelta(hours=2)),
        ("non_filing_notice", "不予立案通知书待送达", dt.timedelta(days=20)),
        ("public_order_case", "邻里纠纷殴打", dt.timedelta(days=16)),
        ("admin_acceptance_review", "商铺被砸", dt.timedelta(hours=21)),
    ]
    for n, (code, title, age) in enumerate(rows):
        deadline_start(
            actor=None,
            rule_code=code,
            obj=("alert", f"B{n}"),
            unit=bureau.station,
            started_at=now - age,
            title=title,
        )
    paused = deadline_start(
        actor=None,
        rule_code="public_order_case",
        obj=("alert", "B9"),
        unit=bureau.station,
        started_at=now - dt.timedelta(days=5),
        title="轻伤鉴定中",
    )
    deadline_pause(actor=None, deadline=paused, at=now - dt.timedelta(days=1), reason="伤情鉴定")
    clue = deadline_start(
        actor=None,
        rule_code="criminal_clue_review",
        obj=("alert", "B10"),
        unit=bureau.station,
        started_at=now - dt.timedelta(days=3),
        title="网络诈骗线索",
    )
    deadline_extension_request(actor=officer, deadline=clue, length=23, reason="需跨省调取流水")

    _open_as(page, live_server, head)
    page.goto(f"{live_server.url}/deadlines/")
    expect(page.get_by_role("heading", name="我的期限")).to_be_visible()
    assert page.locator("tr.row-red").count() == 1
    expect(page.get_by_text("不予立案通知书待送达")).to_be_visible()
    screenshot(page, "deadlines-queue")
    assert_accessible(page)
    page.get_by_role("link", name="网络诈骗线索").first.click()
    expect(page.get_by_text("需跨省调取流水")).to_be_visible()
    screenshot(page, "deadlines-detail")
    assert_accessible(page)

    page.context.clear_cookies()
    _open_as(page, live_server, admin)
    page.goto(f"{live_server.url}/deadlines/calendar/2026/")
    assert page.locator("td.day-holiday").count() >= 20
    screenshot(page, "deadlines-calendar-2026")
    assert_accessible(page)
