"""适老化 in Chromium: the large-type switch on the kiosk (1080×1920 portrait) and on a phone
(390×844). Text grows to at least 1.5× at once, without losing what was typed; the kiosk's touch
targets stay at least 48 px; the kiosk's idle reset warns, can be extended from the keyboard, and
forgets large type for the next citizen; the phone keeps it from page to page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from shoulian.accounts.choices import Role
from shoulian.citizen import services
from shoulian.citizen.tests.helpers import last_challenge, sms_code
from shoulian.conftest import assert_accessible, make_bureau, make_user, screenshot
from shoulian.intake import services as intake_services
from shoulian.intake.tests.helpers import MOBILE, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
KIOSK = {"width": 1080, "height": 1920}

FONT_SIZE = "parseFloat(getComputedStyle(document.body).fontSize)"
# Every visible control of the page, with its size: the kiosk's touch targets.
TARGETS = """() => [...document.querySelectorAll("main a, main button, main input, main select, main textarea, footer a, header button")]
    .filter((el) => el.offsetParent !== null && el.type !== "hidden")
    .map((el) => { const r = (el.closest("label.choice") || el).getBoundingClientRect();
                   return {what: el.outerHTML.slice(0, 80), w: r.width, h: r.height}; })"""


def _switch_on(page: Any) -> None:
    before = page.evaluate(FONT_SIZE)
    switch = page.get_by_role("button", name="大字模式")
    expect(switch).to_have_attribute("aria-pressed", "false")
    switch.click()
    expect(switch).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(FONT_SIZE) >= 1.5 * before


def _small_targets(page: Any) -> list[Any]:
    return [t for t in page.evaluate(TARGETS) if t["w"] < 48 or t["h"] < 48]


def test_large_type_on_the_kiosk_grows_the_page_and_ends_with_the_visit(
    page: Any, live_server: Any
) -> None:
    intake_services.category_seed_standard()
    bureau = make_bureau("3501", "甲")
    head = make_user("hall.head", bureau.center, Role.CENTER_HEAD)
    _kiosk, token = services.kiosk_create(actor=head, unit=bureau.center, name="中心大厅1号机")
    page.set_viewport_size(KIOSK)
    page.goto(f"{live_server.url}/kiosk/enrol/{token}/")
    page.get_by_role("button", name="确认登记本设备").click()
    page.wait_for_url("**/kiosk/")

    _switch_on(page)
    assert page.evaluate(FONT_SIZE) >= 33
    assert _small_targets(page) == []
    screenshot(page, "citizen-kiosk-large-home")
    assert_accessible(page)

    # The choice follows the citizen to the next page; an empty submit puts the focus on the
    # first field in error and says how many there are.
    page.get_by_text("我要报案").click()
    page.wait_for_url("**/kiosk/report/**")
    assert "large-type" in page.get_attribute("body", "class")
    page.fill("#id_narrative", "我的电动车被偷了。")
    page.get_by_role("button", name="提交并打印回执").click()
    page.wait_for_load_state()
    expect(page.locator("[role=alert]").last).to_contain_text("处需要修改")
    assert page.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"
    assert _small_targets(page) == []
    screenshot(page, "citizen-kiosk-large-report-error")
    assert_accessible(page)

    # Idle: in large type the kiosk waits twice as long (120 s, then a 60 s warning).
    page.clock.install()
    page.goto(f"{live_server.url}/kiosk/query/")
    page.fill("#id_query_code", "abcde23456")
    page.clock.run_for(119_000)
    expect(page.locator("#idle-overlay")).to_be_hidden()
    page.clock.run_for(2_000)
    dialog = page.get_by_role("alertdialog", name="您还在使用吗？")
    expect(dialog).to_be_visible()
    expect(page.get_by_role("button", name="继续使用")).to_be_focused()
    screenshot(page, "citizen-kiosk-large-idle-warning")
    assert_accessible(page)
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    assert page.input_value("#id_query_code") == "abcde23456"
    # Nobody answers the next warning: back to the start screen, in the usual type size.
    page.clock.run_for(181_000)
    page.wait_for_url(f"{live_server.url}/kiosk/")
    assert "large-type" not in (page.get_attribute("body", "class") or "")
    expect(page.get_by_role("button", name="大字模式")).to_have_attribute("aria-pressed", "false")


def test_large_type_on_the_phone_lasts_through_the_query(page: Any, live_server: Any) -> None:
    intake_services.category_seed_standard()
    bureau = make_bureau("3501", "甲")
    clerk = make_user("desk.clerk", bureau.center, Role.CLERK)
    alert = register(clerk).alert
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/q/")
    # Typed before the switch, still there after it: the switch does not reload the page.
    typed = alert.query_code_display.replace("-", "").lower()
    page.fill("#id_query_code", typed)
    _switch_on(page)
    assert page.input_value("#id_query_code") == typed
    assert page.evaluate(FONT_SIZE) >= 25.5
    page.fill("#id_mobile", MOBILE)
    screenshot(page, "citizen-phone-large-start")
    assert_accessible(page)
    page.get_by_role("button", name="获取短信验证码").click()
    page.wait_for_url("**/q/code/")
    assert "large-type" in page.get_attribute("body", "class")
    code = sms_code(last_challenge())
    assert code is not None, "the code typed in lower case without its hyphen was not accepted"
    page.fill("#id_code", code)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**/q/result/")
    expect(page.locator(".status-value")).to_be_visible()
    assert page.evaluate(FONT_SIZE) >= 25.5
    screenshot(page, "citizen-phone-large-result")
    assert_accessible(page)
    # The phone remembers: a new visit starts in large type.
    page.goto(f"{live_server.url}/q/")
    assert "large-type" in page.get_attribute("body", "class")
