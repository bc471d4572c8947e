"""A walk-in registration with the keyboard alone (WCAG 2.1.1): from the home page through the
skip link and the side navigation to the desk form, every field reached with Tab, chosen with the
arrow keys and typed, the form sent with Enter on its button, the receipt reached. Every stop of
the focus must be visible (2.4.7), and axe-core checks each page shape on the way."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shoulian.accounts.choices import Role
from shoulian.conftest import (
    FOCUS,
    assert_accessible,
    choose_with_keys,
    make_bureau,
    make_user,
    screenshot,
    tab_to,
)
from shoulian.intake import services
from shoulian.intake.models import Alert
from shoulian.intake.tests.helpers import ID_NUMBER, MOBILE
from shoulian.intake.tests.test_browser import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_registers_a_walk_in_alert_with_the_keyboard_only(
    page: Any, live_server: Any
) -> None:
    now = timezone.localtime()
    if (now.month, now.day, now.hour) < (1, 1, 2):
        pytest.skip("the keyboard sets the incident to 1 January 01:00, not yet past")
    services.category_seed_standard()
    bureau = make_bureau("3501", "甲")
    clerk = make_user("kb.clerk", bureau.center, Role.CLERK, full_name="林静")
    signed_in(page, live_server, clerk)
    page.goto(f"{live_server.url}/")

    # The first Tab shows the skip link; Enter puts the focus on the main content.
    page.keyboard.press("Tab")
    focus = page.evaluate(FOCUS)
    assert focus["text"] == "跳到主要内容" and focus["onScreen"] and focus["ring"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")

    # From the top of the page, Tab through the header and the navigation to the desk form.
    page.goto(f"{live_server.url}/")
    tab_to(page, text="接报登记")
    page.keyboard.press("Enter")
    page.wait_for_url("**/intake/register/")
    assert page.title().startswith("接报登记")
    assert page.evaluate("document.activeElement.id") == "id_channel"
    choose_with_keys(page, "id_channel", "来所报警")
    tab_to(page, element_id="id_report_form")
    choose_with_keys(page, "id_report_form", "书面报案")

    tab_to(page, element_id="id_incident_at")
    # A datetime-local field is set segment by segment (Tab moves between them); ArrowUp on an
    # empty segment gives its first value, whatever order the browser's locale puts them in:
    # 1 January of this year, 01:00.
    for _ in range(6):
        page.keyboard.press("ArrowUp")
        page.keyboard.press("Tab")
    incident = page.input_value("#id_incident_at")
    assert incident == f"{timezone.localtime().year}-01-01T01:00"
    tab_to(page, element_id="id_category")
    choose_with_keys(page, "id_category", "电信网络诈骗")
    tab_to(page, element_id="id_incident_place")
    page.keyboard.type("甲城关街道北大路18号")
    page.get_by_text("管辖建议").wait_for()
    tab_to(page, element_id="id_narrative")
    page.keyboard.type("报案人称其被拉入兼职刷单群，按对方要求先后转账三次共计人民币12800元。")

    tab_to(page, element_id="id_party-0-name")
    page.keyboard.type("陈美玲")
    tab_to(page, element_id="id_party-0-id_number")
    page.keyboard.type(ID_NUMBER)
    tab_to(page, element_id="id_party-0-phone")
    page.keyboard.type(MOBILE)

    tab_to(page, element_id="id_item-0-name")
    page.keyboard.type("转账记录截图")
    # The row's inputs are named by their column header and the row number.
    name = page.locator("#id_item-0-name")
    expect(name).to_have_accessible_name("名称 第 1 项")
    assert_accessible(page)
    screenshot(page, "intake-register-keyboard")

    tab_to(page, text="登记并出具回执")
    page.keyboard.press("Enter")
    page.wait_for_url("**/receipt/")
    expect(page.locator(".query-code")).to_be_visible()
    assert_accessible(page)
    # The print button has the focus at once: Enter prints.
    focus = page.evaluate(FOCUS)
    assert focus["id"] == "print-receipt" and focus["ring"]

    alert = Alert.objects.get()
    assert alert.channel == "walk_in" and alert.report_form == "written"
    assert alert.category.name == "电信网络诈骗"
    assert timezone.localtime(alert.incident_at).strftime("%Y-%m-%dT%H:%M") == incident
    assert [item.name for item in alert.evidence_items.all()] == ["转账记录截图"]
