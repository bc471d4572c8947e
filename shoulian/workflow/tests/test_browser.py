"""The two flows of issue 5 in Chromium, each person in their own session:

1. registration at the desk → routing → sign-for → proposal → unit leader → legal brigade (advance
   review of an economic crime) → bureau head → 立案决定书 downloaded as PDF and DOCX;
2. return → re-route → transfer through the center → dispute → designation by the center head.
"""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from shoulian.accounts.choices import Role
from shoulian.conftest import assert_accessible, login_as, make_bureau, make_user, screenshot
from shoulian.intake.choices import AlertStatus
from shoulian.intake.models import Alert
from shoulian.intake.tests.helpers import ID_NUMBER, MOBILE
from shoulian.workflow.models import Dispute, Document, Notification
from shoulian.workflow.tests.helpers import new_alert, reseed_data_migrations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(page: Any, live_server: Any, user: Any) -> None:
    """Hand the browser the session of ``user`` (password and TOTP passed), replacing the last."""
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


def open_task(page: Any, live_server: Any, path: str, number: str) -> None:
    page.goto(f"{live_server.url}{path}")
    page.locator("tr", has_text=number).locator("td").first.locator("a").click()


@pytest.fixture
def world(live_server: Any) -> dict[str, Any]:
    reseed_data_migrations()
    b = make_bureau("3501", "甲")
    return {
        "b": b,
        "clerk": make_user("desk.clerk", b.center, Role.CLERK, full_name="张欣然"),
        "head": make_user("center.head", b.center, Role.CENTER_HEAD, full_name="林建国"),
        "officer": make_user("cg.officer", b.station, Role.OFFICER, full_name="陈志强"),
        "leader": make_user("cg.leader", b.station, Role.LEADER, full_name="黄文斌"),
        "officer2": make_user("cn.officer", b.station2, Role.OFFICER, full_name="吴丽华"),
        "criminal": make_user("xz.officer", b.criminal, Role.OFFICER, full_name="郑海峰"),
        "legal": make_user("fz.legal", b.legal_brigade, Role.LEGAL_BRIGADE, full_name="王法明"),
        "chief": make_user("ju.chief", b.bureau, Role.BUREAU_HEAD, full_name="刘正"),
    }


def test_alert_goes_from_registration_to_an_approved_criminal_filing_with_its_documents(
    page: Any, live_server: Any, world: dict[str, Any]
) -> None:
    b = world["b"]
    # 1. The desk registers a walk-in written report of 合同诈骗.
    as_user(page, live_server, world["clerk"])
    page.goto(f"{live_server.url}/intake/register/")
    page.select_option("#id_report_form", "written")
    incident = timezone.localtime() - timedelta(hours=6)
    page.fill("#id_incident_at", incident.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_category", label="合同诈骗")
    page.fill("#id_incident_place", "甲城关街道北大路18号")
    page.fill("#id_narrative", "报案人称与对方签订钢材购销合同后支付定金八万元，对方收款后失联。")
    page.fill("#id_party-0-name", "陈美玲")
    page.select_option("#id_party-0-gender", "female")
    page.fill("#id_party-0-id_number", ID_NUMBER)
    page.fill("#id_party-0-phone", MOBILE)
    page.fill("#id_item-0-name", "购销合同（复印件）")
    page.fill("#id_item-0-quantity", "1")
    page.focus("#id_narrative")
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**/receipt/")
    alert = Alert.objects.get()
    number = alert.number

    # 2. The center routes it; the jurisdiction's station is suggested and preselected.
    open_task(page, live_server, "/workflow/routing/", number)
    assert page.locator(".suggested").inner_text() == b.station.name
    screenshot(page, "workflow-route-form")
    assert_accessible(page)
    page.get_by_role("button", name="确认分派").click()
    page.wait_for_url(f"**/workflow/file/{alert.pk}/flow/")
    assert "已分派" in page.locator(".status").inner_text()

    # 3. The station's officer signs for it, starts handling and proposes 立案.
    as_user(page, live_server, world["officer"])
    open_task(page, live_server, "/workflow/inbox/", number)
    page.get_by_role("button", name="确认签收").click()
    page.locator('[data-action="start_handling"]').click()
    page.get_by_role("button", name="确认开始办理").click()
    page.locator('[data-action="propose"]').click()
    page.select_option("#id_kind", "criminal_file")
    page.fill(
        "#id_facts",
        "经查，对方以签订合同为名骗取定金八万元后逃匿，涉嫌合同诈骗罪，达到立案追诉标准。",
    )
    page.fill("#id_legal_basis", "《中华人民共和国刑事诉讼法》第一百一十二条")
    page.get_by_role("button", name="确认提出处理意见").click()
    page.wait_for_url(f"**/workflow/file/{alert.pk}/flow/")

    # 4. Leader, legal brigade (advance review: economic crime), bureau head approve in turn.
    for who in ("leader", "legal", "chief"):
        as_user(page, live_server, world[who])
        page.goto(f"{live_server.url}/workflow/approvals/")
        page.locator("tr", has_text=number).get_by_role("link").first.click()
        page.get_by_label("同意", exact=True).check()
        page.fill("#id_note", "同意。")
        if who == "chief":
            screenshot(page, "workflow-bureau-head-approval")
            assert_accessible(page)
        page.get_by_role("button", name="提交审批意见").click()
        page.wait_for_url("**/workflow/decisions/*/")

    alert.refresh_from_db()
    assert alert.status == AlertStatus.CRIMINAL_CASE
    document = Document.objects.get(alert=alert)
    year = timezone.localdate().year
    assert document.number == f"甲公（刑）立字〔{year}〕00001号"
    expect(page.get_by_text(document.number)).to_be_visible()

    # 5. The documents download as attachments and say what was decided.
    pdf = page.request.get(f"{live_server.url}/workflow/documents/{document.pk}.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("attachment;")
    docx = page.request.get(f"{live_server.url}/workflow/documents/{document.pk}.docx")
    with zipfile.ZipFile(io.BytesIO(docx.body())) as archive:
        xml = archive.read("word/document.xml").decode()
    assert "立案决定书" in xml and document.number in xml and "合同诈骗案立案侦查" in xml

    page.goto(f"{live_server.url}/workflow/alerts/{alert.pk}/")
    assert "已立案" in page.locator(".status").inner_text()
    # The alert's history is the 日志 tab of its file.
    page.get_by_role("link", name="日志", exact=True).click()
    timeline = page.locator(".audit-timeline").inner_text()
    for label in ("分派警情", "签收警情", "提出处理意见", "审批同意", "决定立案"):
        assert label in timeline
    screenshot(page, "workflow-alert-filed")
    assert_accessible(page)


def test_alert_is_returned_rerouted_transferred_disputed_and_designated(
    page: Any, live_server: Any, world: dict[str, Any]
) -> None:
    b = world["b"]
    alert = new_alert(world["clerk"])
    number = alert.number

    # Routed to 城关; 城关 returns it with a reason.
    as_user(page, live_server, world["clerk"])
    open_task(page, live_server, "/workflow/routing/", number)
    page.get_by_role("button", name="确认分派").click()
    as_user(page, live_server, world["officer"])
    page.goto(f"{live_server.url}/workflow/alerts/{alert.pk}/")
    page.locator('[data-action="return"]').click()
    page.get_by_role("button", name="确认退回中心").click()
    # The reason is required: the browser does not even submit without it.
    assert page.locator("#id_reason:invalid").count() == 1
    page.fill("#id_reason", "发案地北大路18号实属城南街道，非本所辖区")
    page.get_by_role("button", name="确认退回中心").click()
    page.wait_for_url("**/workflow/")  # the alert left the station's scope: back to the queue

    # The center re-routes it to 城南, away from the suggestion, with a reason.
    as_user(page, live_server, world["clerk"])
    open_task(page, live_server, "/workflow/routing/", number)
    page.select_option("#id_unit", str(b.station2.pk))
    page.get_by_role("button", name="确认重新分派").click()
    expect(page.locator(".errors, .error").first).to_be_visible()
    page.fill("#id_reason", "按退回理由改派城南派出所")
    page.get_by_role("button", name="确认重新分派").click()
    page.wait_for_url(f"**/workflow/file/{alert.pk}/flow/")

    # 城南 signs for it and asks the center to transfer it to the 刑侦大队.
    as_user(page, live_server, world["officer2"])
    open_task(page, live_server, "/workflow/inbox/", number)
    page.get_by_role("button", name="确认签收").click()
    page.locator('[data-action="request_transfer"]').click()
    page.select_option("#id_unit", str(b.criminal.pk))
    page.fill("#id_reason", "系连环盗窃电动车案之一，由刑侦大队并案侦查")
    page.get_by_role("button", name="确认申请移交其他单位").click()

    as_user(page, live_server, world["clerk"])
    open_task(page, live_server, "/workflow/routing/", number)
    page.get_by_role("button", name="确认同意移交").click()
    page.wait_for_url(f"**/workflow/file/{alert.pk}/flow/")
    assert Notification.objects.filter(alert=alert, purpose="transferred_internal").exists()

    # The 刑侦大队 disputes jurisdiction; the center head designates 城南.
    as_user(page, live_server, world["criminal"])
    page.goto(f"{live_server.url}/workflow/alerts/{alert.pk}/")
    page.locator('[data-action="raise_dispute"]').click()
    page.select_option("#id_claimed_unit", str(b.station2.pk))
    page.fill("#id_reason", "经比对不属于系列案，应由发案地派出所管辖")
    page.get_by_role("button", name="确认提出管辖争议").click()

    as_user(page, live_server, world["head"])
    open_task(page, live_server, "/workflow/routing/", number)
    page.select_option("#id_unit", str(b.station2.pk))
    page.fill("#id_reason", "发案地在城南辖区，指定城南派出所管辖")
    screenshot(page, "workflow-designation")
    assert_accessible(page)
    page.get_by_role("button", name="确认指定管辖").click()
    page.wait_for_url(f"**/workflow/file/{alert.pk}/flow/")

    alert.refresh_from_db()
    assert (alert.status, alert.handling_unit) == (AlertStatus.ROUTED, b.station2)
    assert Dispute.objects.get(alert=alert).designated_unit == b.station2
    flow = alert.flow  # type: ignore[attr-defined]
    assert (flow.return_count, flow.transfer_count, flow.dispute_count) == (1, 1, 1)

    # The designated unit can only sign for it now: no return, no second dispute.
    as_user(page, live_server, world["officer2"])
    page.goto(f"{live_server.url}/workflow/alerts/{alert.pk}/")
    expect(page.locator('[data-action="sign_for"]')).to_be_visible()
    assert page.locator('[data-action="return"]').count() == 0
    assert page.locator('[data-action="raise_dispute"]').count() == 0
    steps = page.locator("section", has=page.locator("h2", has_text="流转记录")).inner_text()
    for label in ("分派", "退回中心", "重新分派", "签收", "同意移交", "提出管辖争议", "指定管辖"):
        assert label in steps
    screenshot(page, "workflow-designated-alert")
    assert_accessible(page)
