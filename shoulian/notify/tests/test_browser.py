"""The center head's outbox in Chromium: the operator alert, masked numbers, a retry, a template
edit refused for an unknown placeholder and then saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from shoulian.accounts.choices import Role
from shoulian.conftest import assert_accessible, login_as, make_bureau, make_user, screenshot
from shoulian.notify import delivery
from shoulian.notify.choices import SmsStatus, TemplateKey
from shoulian.notify.gateways import GatewayError, OutgoingSms, SendResult
from shoulian.notify.models import SmsMessage, SmsTemplate
from shoulian.workflow.tests.helpers import new_alert, reseed_data_migrations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Refusing:
    name = "refusing"

    def send(self, sms: OutgoingSms) -> SendResult:
        raise GatewayError("HTTP 400", permanent=True)


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


def test_center_head_retries_a_dead_sms_and_edits_a_template(
    page: Any, live_server: Any, settings: Any
) -> None:
    settings.SHOULIAN_SMS_DELIVER_ON_COMMIT = False
    reseed_data_migrations()
    b = make_bureau("3501", "甲")
    clerk = make_user("desk.clerk", b.center, Role.CLERK, full_name="张欣然")
    head = make_user("center.head", b.center, Role.CENTER_HEAD, full_name="林建国")
    sent = new_alert(clerk)
    delivery.deliver_due()
    dead = new_alert(clerk)
    delivery.deliver_due(gateway=Refusing())
    new_alert(clerk)  # still pending

    as_user(page, live_server, head)
    page.goto(f"{live_server.url}/notify/outbox/")
    page.get_by_role("link", name="短信发件箱").first.wait_for()
    expect(page.get_by_role("alert").filter(has_text="拒收")).to_be_visible()
    expect(page.get_by_text("138****8000").first).to_be_visible()
    assert "13800138000" not in page.content()
    screenshot(page, "notify-outbox")
    assert_accessible(page)

    row = page.locator("tr", has_text=dead.number)
    row.get_by_role("button", name="重发").click()
    page.get_by_text("已重新放入发件箱").wait_for()
    message = SmsMessage.objects.get(alert=dead)
    assert message.status == SmsStatus.PENDING
    assert SmsMessage.objects.get(alert=sent).status == SmsStatus.SENT

    page.get_by_role("link", name="短信模板").first.click()
    page.locator("tr", has_text="非案件类办结").get_by_role("link", name="修改").click()
    page.get_by_label("短信内容").fill("【{bureau}】{name}您好，您的警情已办结。")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("不能用于本模板").wait_for()
    screenshot(page, "notify-template-refused")
    assert_accessible(page)
    page.get_by_label("短信内容").fill(
        "【{bureau}】您报警的警情（编号{number}）已于{date}办结，感谢您的支持。"
    )
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已保存短信模板").wait_for()
    screenshot(page, "notify-templates")
    assert_accessible(page)
    assert SmsTemplate.objects.get(key=TemplateKey.CLOSED, bureau__isnull=False).version == 2
