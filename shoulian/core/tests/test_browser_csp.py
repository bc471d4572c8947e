"""Issue 13 item 6: no page trips the Content Security Policy (htmx used to add its indicator
rules as an inline <style>, refused on every page with a console error in Chromium)."""

from __future__ import annotations

from typing import Any

import pytest

from shoulian.accounts.tests.helpers import current_token
from shoulian.conftest import PASSWORD, make_bureau, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_raise_no_csp_violation_and_the_indicator_still_hides(
    page: Any, live_server: Any
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    bureau = make_bureau("3501", "甲")
    user = make_user("csp.clerk", bureau.center, "clerk")
    TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("csp.clerk")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/accounts/otp/")
    page.get_by_label("动态口令").fill(current_token(TOTPDevice.objects.get(user=user)))
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(f"{live_server.url}/")
    for path in ("/", "/intake/register/", "/accounts/password/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        assert page.evaluate("document.querySelectorAll('head style').length") == 0, path
        hidden = page.evaluate(
            "(() => { const s = document.createElement('span'); s.className = 'htmx-indicator';"
            " document.body.appendChild(s); return getComputedStyle(s).visibility; })()"
        )
        assert hidden == "hidden", path
    assert violations == []
