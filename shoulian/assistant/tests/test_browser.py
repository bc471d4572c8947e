"""Issue 18's browser test: a report of an employee taking 50,000 元 of company money shows
职务侵占 first, with its elements and the questions for the missing ones, beside the registration
form as the clerk types, and again beside the officer's decision form."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from shoulian.accounts.choices import Role
from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import assert_accessible, login_as, make_bureau, make_user, screenshot
from shoulian.workflow.choices import Action
from shoulian.workflow.tests.helpers import act, fresh, new_alert, reseed_data_migrations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARRATIVE = (
    "报案人李国庆称，其公司员工王某担任出纳，利用经手公司账户的便利，"
    "将公司50,000元转入自己的银行卡，现已辞职，联系不上。"
)


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


def expect_embezzlement_first(page: Any) -> None:
    panel = page.locator("#nature-panel")
    first = panel.locator(".nature-item").first
    expect(first.locator(".nature-label")).to_have_text("职务侵占")
    expect(first.locator(".nature-elements .found").first).to_be_visible()
    expect(first).to_contain_text("主体")
    expect(first).to_contain_text("立案标准：已达到")
    # The intent element is missing from this narrative: its question is shown.
    expect(first.locator(".nature-elements .missing .nature-question").first).to_be_visible()
    expect(panel.locator(".nature-amount")).to_have_text("50000 元")


def test_embezzlement_is_suggested_at_registration_and_at_the_decision(
    page: Any, live_server: Any
) -> None:
    reseed_data_migrations()
    b = make_bureau("3501", "甲")
    clerk = make_user("desk.clerk", b.center, Role.CLERK, full_name="张欣然")
    officer = make_user("cg.officer", b.station, Role.OFFICER, full_name="陈志强")

    as_user(page, live_server, clerk)
    page.goto(f"{live_server.url}/intake/register/")
    expect(page.locator("#nature-panel")).to_contain_text("填写简要案情后")
    page.locator("#id_narrative").press_sequentially(NARRATIVE, delay=5)
    expect_embezzlement_first(page)
    screenshot(page, "assistant-register-panel")
    assert_accessible(page)
    page.locator(".nature-item").first.locator("button.nature-choose").click()
    expect(page.locator(".nature-recorded")).to_contain_text("与参考第一位一致")
    event = AuditEvent.objects.get(event_type=int(EventType.NATURE_CHOICE_RECORDED))
    assert event.data["chosen"] == "职务侵占" and event.data["followed"] is True

    alert = new_alert(clerk, narrative=NARRATIVE)
    act(clerk, alert, Action.ROUTE, unit=officer.unit, reason="测试分派")
    act(officer, alert, Action.SIGN_FOR)
    act(officer, alert, Action.START_HANDLING)
    alert = fresh(alert)

    as_user(page, live_server, officer)
    page.goto(f"{live_server.url}/workflow/alerts/{alert.pk}/propose/")
    expect_embezzlement_first(page)
    page.fill("#id_facts", "经查，王某系公司出纳，利用职务便利将公司资金据为己有。")
    first = page.locator("#nature-panel .nature-item").first
    expect(first.locator(".nature-label")).to_have_text("职务侵占")
    screenshot(page, "assistant-decision-panel")
    assert_accessible(page)
