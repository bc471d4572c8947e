"""Issue 12 "Done when", in Chromium: a walk-in theft report goes from registration at the desk to
破案 — the reporter's SMS is in the outbox and the stage shows on the phone's query page; a 治安
case reaches 结案 and its 30-day clock stops green."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from shoulian.accounts.choices import Role
from shoulian.citizen.tests.test_browser import PHONE, _query_on_phone
from shoulian.conftest import assert_accessible, login_as, make_bureau, make_user, screenshot
from shoulian.deadlines.models import Deadline
from shoulian.intake import services as intake_services
from shoulian.intake.models import Alert
from shoulian.intake.tests.helpers import ID_NUMBER, MOBILE
from shoulian.notify.choices import TemplateKey
from shoulian.notify.models import SmsMessage
from shoulian.workflow.choices import Action, CaseStage, DecisionKind, DocumentKind
from shoulian.workflow.models import AlertFlow, Decision, Document
from shoulian.workflow.tests.helpers import act, approve, handling, propose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


@pytest.fixture
def world(live_server: Any) -> dict[str, Any]:
    intake_services.category_seed_standard()
    from shoulian.workflow.tests.helpers import reseed_data_migrations

    reseed_data_migrations()
    b = make_bureau("3501", "甲")
    return {
        "b": b,
        "clerk": make_user("desk.clerk", b.center, Role.CLERK, full_name="张欣然"),
        "head": make_user("center.head", b.center, Role.CENTER_HEAD, full_name="林建国"),
        "officer": make_user("cg.officer", b.station, Role.OFFICER, full_name="陈志强"),
        "leader": make_user("cg.leader", b.station, Role.LEADER, full_name="黄文斌"),
        "chief": make_user("ju.chief", b.bureau, Role.BUREAU_HEAD, full_name="刘正"),
        "legal": make_user("fz.legal", b.legal_brigade, Role.LEGAL_BRIGADE, full_name="王法"),
    }


def test_browser_walk_in_theft_report_is_solved_and_the_reporter_is_told(
    page: Any, live_server: Any, world: dict[str, Any]
) -> None:
    # 1. The desk registers a walk-in written report of a stolen e-bike.
    as_user(page, live_server, world["clerk"])
    page.goto(f"{live_server.url}/intake/register/")
    page.select_option("#id_report_form", "written")
    incident = timezone.localtime() - timedelta(hours=5)
    page.fill("#id_incident_at", incident.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_category", label="盗窃电动车")
    page.fill("#id_incident_place", "甲城关街道北大路18号楼下")
    page.fill("#id_narrative", "报案人称其停放在楼下的蓝色电动车被盗，价值约三千元。")
    page.fill("#id_party-0-name", "陈美玲")
    page.select_option("#id_party-0-gender", "female")
    page.fill("#id_party-0-id_number", ID_NUMBER)
    page.fill("#id_party-0-phone", MOBILE)
    page.fill("#id_item-0-name", "购车发票（复印件）")
    page.fill("#id_item-0-quantity", "1")
    page.focus("#id_narrative")
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**/receipt/")
    alert = Alert.objects.get()

    # 2. Routed, signed for, handled and filed (the pages of these steps are issue 5's flow).
    act(world["clerk"], alert, Action.ROUTE, unit=world["b"].station)
    act(world["officer"], alert, Action.SIGN_FOR)
    act(world["officer"], alert, Action.START_HANDLING)
    decision = propose(world["officer"], alert)
    approve(world["leader"], decision)
    approve(world["chief"], decision)

    # 3. The officer records 破案 on the alert's workflow page.
    as_user(page, live_server, world["officer"])
    page.goto(f"{live_server.url}/workflow/alerts/{alert.pk}/")
    page.locator('[data-action="solve"]').click()
    page.fill("#id_reason", "经侦查，犯罪嫌疑人刘某于今日被抓获，被盗电动车已追回。")
    screenshot(page, "workflow-solve-form")
    page.get_by_role("button", name="确认破案").click()
    page.wait_for_url(f"**/workflow/file/{alert.pk}/**")
    expect(page.locator(".case-stage")).to_have_text("已破案")
    assert AlertFlow.objects.get(alert=alert).case_stage == CaseStage.SOLVED
    # Nobody else in the unit is offered 破案 again.
    assert page.locator('[data-action="solve"]').count() == 0

    # 4. The 破案 SMS is in the center head's outbox.
    sms = SmsMessage.objects.get(alert=alert, template=TemplateKey.SOLVED)
    as_user(page, live_server, world["head"])
    page.goto(f"{live_server.url}/notify/outbox/")
    row = page.locator("tr", has_text=alert.number).filter(has_text="侦破")
    expect(row.first).to_be_visible()
    assert "案件已侦破" in row.first.inner_text() and sms.text[:10] in row.first.inner_text()
    screenshot(page, "notify-outbox-solved")

    # 5. The reporter reads the stage on her phone.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    _query_on_phone(page, live_server, alert.query_code_display, "")
    expect(page.locator(".case-stage")).to_have_text("案件已侦破，正在继续侦查")
    expect(page.get_by_text("案件已侦破").last).to_be_visible()
    body = page.locator("main").inner_text()
    assert "刘某" not in body and "陈美玲" not in body
    screenshot(page, "citizen-phone-solved")


def test_browser_public_order_case_reaches_its_conclusion_with_its_clock_stopped_green(
    page: Any, live_server: Any, world: dict[str, Any]
) -> None:
    alert = handling(world["clerk"], world["officer"], category_code="0201")  # 殴打他人
    approve(world["leader"], propose(world["officer"], alert, DecisionKind.ADMIN_ACCEPT))
    clock = Deadline.objects.get(object_id=str(alert.pk), code="public_order_case")
    assert clock.status == "open"

    # The officer proposes the punishment on the alert page: only the 处罚决定 is offered now ...
    as_user(page, live_server, world["officer"])
    page.goto(f"{live_server.url}/workflow/alerts/{alert.pk}/")
    page.locator('[data-action="propose"]').click()
    # The link navigates: wait for the form before reading its options (they are read, not awaited).
    page.wait_for_url(f"**/workflow/alerts/{alert.pk}/propose/")
    expect(page.locator("#id_kind")).to_be_attached()
    options = page.locator("#id_kind option").evaluate_all("els => els.map(e => e.value)")
    assert options == [DecisionKind.PUNISH]
    page.fill("#id_facts", "违法行为人殴打他人，致报案人轻微伤，有询问笔录和现场视频证实。")
    page.fill("#id_legal_basis", "《中华人民共和国治安管理处罚法》")
    page.fill("#id_penalty", "罚款五百元")
    page.get_by_role("button", name="确认提出处理意见").click()
    page.wait_for_url(f"**/workflow/file/{alert.pk}/**")
    decision = Decision.objects.get(alert=alert, status="pending")
    # ... the leader and the legal brigade approve, the bureau head decides on the decision page
    approve(world["leader"], decision)
    approve(world["legal"], decision)
    as_user(page, live_server, world["chief"])
    page.goto(f"{live_server.url}/workflow/decisions/{decision.pk}/")
    page.get_by_label("同意", exact=True).check()
    page.fill("#id_note", "同意。")
    page.get_by_role("button", name="提交审批意见").click()
    page.wait_for_url("**/workflow/decisions/*/")
    document = Document.objects.get(alert=alert, kind=DocumentKind.PUNISHMENT_DECISION)
    # ... and the numbered 行政处罚决定书 is on the file's 文书 tab.
    page.goto(f"{live_server.url}/workflow/file/{alert.pk}/documents/")
    row = page.locator("tr", has_text=document.number)
    expect(row).to_contain_text("行政处罚决定书")
    assert_accessible(page)
    pdf = page.request.get(f"{live_server.url}/workflow/documents/{document.pk}.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    # ... and the officer closes the case.
    as_user(page, live_server, world["officer"])
    page.goto(f"{live_server.url}/workflow/alerts/{alert.pk}/")
    page.locator('[data-action="conclude_case"]').click()
    page.get_by_role("button", name="确认结案").click()
    page.wait_for_url(f"**/workflow/file/{alert.pk}/**")
    expect(page.locator(".case-stage")).to_have_text("已结案")
    screenshot(page, "workflow-public-order-concluded")

    clock.refresh_from_db()
    assert clock.status == "stopped" and clock.stopped_late is False
    assert clock.stopped_at is not None and clock.due_at is not None
    assert clock.stopped_at <= clock.due_at
    assert SmsMessage.objects.filter(alert=alert, template=TemplateKey.CONCLUDED).count() == 1
