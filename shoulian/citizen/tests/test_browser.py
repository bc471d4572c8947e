"""The citizen channels in Chromium: a self-report at an enrolled kiosk with its printed receipt;
a query on a phone with the SMS code, before and after the alert is filed; a complaint filed on
the query page and its answer read by the citizen."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shoulian.accounts.choices import Role
from shoulian.citizen import services
from shoulian.citizen.tests.helpers import last_challenge, sms_code
from shoulian.conftest import assert_accessible, make_bureau, make_user, screenshot
from shoulian.feedback.models import Complaint
from shoulian.feedback.services import complaint_answer
from shoulian.intake import services as intake_services
from shoulian.intake.models import Alert
from shoulian.intake.tests.helpers import MOBILE, register
from shoulian.workflow.tests.helpers import approve, handling, propose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
KIOSK = {"width": 1080, "height": 1920}


def _pdf_text(path: Path) -> str:
    return subprocess.run(  # noqa: S603 - fixed poppler command, our own file
        ["pdftotext", str(path), "-"],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_citizen_reports_at_the_kiosk_and_prints_the_receipt(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) not installed")
    intake_services.category_seed_standard()
    bureau = make_bureau("3501", "甲")
    head = make_user("hall.head", bureau.center, Role.CENTER_HEAD)
    _kiosk, token = services.kiosk_create(actor=head, unit=bureau.center, name="中心大厅1号机")
    page.set_viewport_size(KIOSK)

    page.goto(f"{live_server.url}/kiosk/")
    expect(page.get_by_text("本终端未登记或已停用")).to_be_visible()
    page.goto(f"{live_server.url}/kiosk/enrol/{token}/")
    page.get_by_role("button", name="确认登记本设备").click()
    page.wait_for_url("**/kiosk/")
    screenshot(page, "citizen-kiosk-home")
    assert_accessible(page)

    page.get_by_text("我要报案").click()
    page.get_by_label("盗窃电动车").check()
    incident = timezone.localtime() - timedelta(hours=2)
    page.fill("#id_incident_at", incident.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_incident_place", "甲城关街道府前路12号")
    page.fill("#id_narrative", "今天上午我停在楼下的蓝色电动车被人偷走了，车价约三千元。")
    page.fill("#id_name", "陈美玲")
    page.fill("#id_id_number", "110105194912310021")  # a wrong check digit first
    page.fill("#id_mobile", MOBILE)
    page.get_by_role("button", name="提交并打印回执").click()
    expect(page.get_by_text("校验位不正确")).to_be_visible()
    screenshot(page, "citizen-kiosk-report-error")
    assert_accessible(page)
    page.fill("#id_id_number", "11010519491231002X")
    page.get_by_role("button", name="提交并打印回执").click()
    page.wait_for_url("**/kiosk/receipt/**")
    code = page.locator(".query-code").inner_text().strip()
    assert len(code) == 11 and code[5] == "-"
    screenshot(page, "citizen-kiosk-receipt")
    assert_accessible(page)

    href = page.get_attribute("#print-receipt", "href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    path = tmp_path / "receipt.pdf"
    path.write_bytes(response.body())
    text = "".join(_pdf_text(path).split())
    assert code in text and "接报案回执" in text and "自助终端" in text
    alert = Alert.objects.get()
    assert alert.query_code_display == code and alert.receipt_print_count == 1
    assert alert.channel == "kiosk" and alert.handling_unit is None

    page.goto(f"{live_server.url}/kiosk/query/")
    page.fill("#id_query_code", code)
    page.fill("#id_mobile", MOBILE)
    screenshot(page, "citizen-kiosk-query")
    assert_accessible(page)


def _query_on_phone(page: Any, live_server: Any, query_code: str, name: str) -> None:
    page.goto(f"{live_server.url}/q/")
    page.fill("#id_query_code", query_code)
    page.fill("#id_mobile", MOBILE)
    if name:
        screenshot(page, f"citizen-phone-{name}-start")
        assert_accessible(page)
    page.get_by_role("button", name="获取短信验证码").click()
    page.wait_for_url("**/q/code/")
    expect(page.get_by_text("如果查询码和手机号码与登记信息一致")).to_be_visible()
    if name:
        screenshot(page, f"citizen-phone-{name}-code")
        assert_accessible(page)
    code = sms_code(last_challenge())
    assert code is not None, "no SMS code in the outbox"
    page.fill("#id_code", code)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**/q/result/")


def test_citizen_follows_her_alert_on_the_phone_before_and_after_it_is_filed(
    page: Any, live_server: Any
) -> None:
    intake_services.category_seed_standard()
    bureau = make_bureau("3501", "甲")
    clerk = make_user("desk.clerk", bureau.center, Role.CLERK)
    officer = make_user("case.officer", bureau.station, Role.OFFICER)
    leader = make_user("station.leader", bureau.station, Role.LEADER)
    chief = make_user("bureau.chief", bureau.bureau, Role.BUREAU_HEAD)
    page.set_viewport_size(PHONE)

    alert = register(clerk).alert
    _query_on_phone(page, live_server, alert.query_code_display, "query")
    assert page.locator(".status-value").inner_text() == "已受理"
    body = page.locator("main").inner_text()
    assert "王小明" not in body and "电动车" not in body
    screenshot(page, "citizen-phone-received")
    assert_accessible(page)

    filed = handling(clerk, officer)
    decision = propose(officer, filed)
    approve(leader, decision)
    approve(chief, decision)
    _query_on_phone(page, live_server, filed.query_code, "")
    assert page.locator(".status-value").inner_text() == "已立案"
    expect(page.get_by_text("决定立案（刑事案件）")).to_be_visible()
    expect(page.get_by_text(bureau.station.name).first).to_be_visible()
    screenshot(page, "citizen-phone-filed")
    assert_accessible(page)


def test_citizen_complains_on_the_query_page_and_reads_the_answer(
    page: Any, live_server: Any
) -> None:
    intake_services.category_seed_standard()
    bureau = make_bureau("3501", "甲")
    clerk = make_user("desk.clerk", bureau.center, Role.CLERK)
    head = make_user("center.head", bureau.center, Role.CENTER_HEAD)
    page.set_viewport_size(PHONE)
    alert = register(clerk).alert

    _query_on_phone(page, live_server, alert.query_code, "")
    page.get_by_text("对本警情的办理提出投诉或建议").click()
    page.get_by_label("内容").fill("报案三天了还没有人联系我，希望尽快处理。")
    page.get_by_role("button", name="提交投诉建议").click()
    page.wait_for_url("**/q/result/")
    expect(page.get_by_text("您的投诉建议已提交")).to_be_visible()
    complaint = Complaint.objects.get()
    assert complaint.channel == "query" and complaint.alert_id == alert.pk
    expect(page.get_by_text(complaint.number)).to_be_visible()
    screenshot(page, "citizen-phone-complaint-filed")
    assert_accessible(page)

    complaint_answer(
        actor=head, complaint=complaint, answer="已督促办理单位当日联系您，并说明办理进度。"
    )
    page.reload()
    expect(page.get_by_text("已督促办理单位当日联系您")).to_be_visible()
    screenshot(page, "citizen-phone-complaint-answered")
    assert_accessible(page)

    # With the complaint's own code the citizen reads the answer too.
    _query_on_phone(page, live_server, complaint.query_code, "")
    expect(page.get_by_text("已督促办理单位当日联系您")).to_be_visible()
