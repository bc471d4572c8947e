"""The login as a person does it, in Chromium: password, TOTP enrolment, home page, logout."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from shoulian.accounts.approvals import enrolment_code_issue
from shoulian.accounts.tests.helpers import current_token
from shoulian.conftest import PASSWORD, assert_accessible, make_bureau, make_user, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_logs_in_with_password_and_totp_and_sees_home(page: Any, live_server: Any) -> None:
    bureau = make_bureau("3501", "甲")
    user = make_user("wang.officer", bureau.station, "officer", full_name="王小明")
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("用户名").fill("wang.officer")
    page.get_by_label("密码").fill(PASSWORD)
    screenshot(page, "login")
    assert_accessible(page)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/accounts/otp/")
    expect(page.get_by_role("heading", name="绑定动态口令")).to_be_visible()
    # The password alone shows no secret: the enrolment code the approver handed over comes first.
    expect(page.locator("svg")).to_have_count(0)
    page.get_by_label("绑定码").fill(enrolment_code_issue(user=user))
    page.get_by_role("button", name="下一步").click()
    expect(page.locator(".qr svg")).to_be_visible()
    screenshot(page, "otp-enrol")
    assert_accessible(page)
    device = TOTPDevice.objects.get(user=user)
    page.get_by_label("动态口令").fill(current_token(device))
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="您好，王小明")).to_be_visible()
    expect(page.get_by_text("甲城关派出所").first).to_be_visible()
    screenshot(page, "home-officer")
    assert_accessible(page)
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/")
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url


def test_wrong_password_shows_a_chinese_error(page: Any, live_server: Any) -> None:
    bureau = make_bureau("3501", "甲")
    make_user("li.officer", bureau.station, "officer")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("li.officer")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("用户名或密码错误")).to_be_visible()
    assert_accessible(page)
