"""In Chromium: a complaint filed at the kiosk reaches the center head's 投诉建议 list, who
answers it in the staff UI (the citizen-side check of the answer is the citizen app's browser
test); the center clerk records a dissatisfied follow-up from the 回访任务 queue and the center
head finds it under 监督 → 回访不满意 (a supervision finding)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from shoulian.accounts.choices import Role
from shoulian.conftest import assert_accessible, login_as, make_bureau, make_user, screenshot
from shoulian.feedback.choices import ComplaintStatus
from shoulian.feedback.models import Complaint
from shoulian.feedback.selectors import public_complaint
from shoulian.feedback.tests.helpers import file_complaint, follow_up_of
from shoulian.intake.choices import AlertStatus
from shoulian.notify.models import SmsMessage
from shoulian.workflow.tests.helpers import (
    approve,
    fresh,
    handling,
    propose,
    reseed_data_migrations,
)

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
    reseed_data_migrations()
    b = make_bureau("3501", "甲")
    return {
        "b": b,
        "clerk": make_user("desk.clerk", b.center, Role.CLERK, full_name="张欣然"),
        "head": make_user("center.head", b.center, Role.CENTER_HEAD, full_name="林建国"),
        "officer": make_user("cg.officer", b.station, Role.OFFICER, full_name="陈志强"),
        "leader": make_user("cg.leader", b.station, Role.LEADER, full_name="黄文斌"),
        "chief": make_user("ju.chief", b.bureau, Role.BUREAU_HEAD, full_name="刘正"),
    }


def test_center_head_answers_a_kiosk_complaint_in_the_staff_ui(
    page: Any, live_server: Any, world: dict[str, Any]
) -> None:
    b = world["b"]
    older = file_complaint(unit=b.center, kind="suggestion", content="建议大厅增加老年人帮办服务。")
    complaint = file_complaint(unit=b.center, name="李春梅")
    file_complaint(unit=b.center, answer_by=world["head"], content="已答复的一件。")

    as_user(page, live_server, world["head"])
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="投诉建议").first.click()
    page.wait_for_url("**/feedback/complaints/")
    rows = page.locator("tbody tr")
    # Unanswered first, oldest first; the answered one last.
    expect(rows.nth(0)).to_contain_text(older.number)
    expect(rows.nth(1)).to_contain_text(complaint.number)
    screenshot(page, "feedback-complaint-list")
    assert_accessible(page)

    page.get_by_role("link", name=complaint.number).click()
    page.wait_for_url(f"**/feedback/complaints/{complaint.pk}/")
    body = page.locator("main, body").first.inner_text()
    assert "窗口民警接待时态度生硬" in body and "138****8000" in body and "李春梅" not in body
    page.fill(
        "#id_answer", "经核查，已对当班民警进行批评教育，并在窗口公示查询方式。感谢您的监督。"
    )
    screenshot(page, "feedback-complaint-answer-form")
    assert_accessible(page)
    page.get_by_role("button", name="提交答复").click()
    page.wait_for_selector("text=已短信通知投诉人")
    screenshot(page, "feedback-complaint-answered")
    assert_accessible(page)

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == ComplaintStatus.ANSWERED
    assert public_complaint(complaint).answer_text.startswith("经核查")
    assert SmsMessage.objects.filter(key=f"complaint:{complaint.pk}:answered").count() == 1


def test_clerk_records_a_dissatisfied_follow_up_and_the_head_sees_supervision(
    page: Any, live_server: Any, world: dict[str, Any]
) -> None:
    alert = handling(world["clerk"], world["officer"])
    decision = propose(world["officer"], alert)
    approve(world["leader"], decision)
    approve(world["chief"], decision)
    assert follow_up_of(alert).status == "open"

    as_user(page, live_server, world["clerk"])
    page.goto(f"{live_server.url}/feedback/follow-ups/")
    screenshot(page, "feedback-follow-up-queue")
    assert_accessible(page)
    page.locator("tr", has_text=alert.number).locator("a").first.click()
    page.check("input[name=reached][value=yes]")
    page.select_option("#id_satisfaction", "dissatisfied")
    page.fill("#id_note", "报案人认为民警未及时告知案件进展。")
    screenshot(page, "feedback-follow-up-form")
    assert_accessible(page)
    page.get_by_role("button", name="保存回访记录").click()
    page.wait_for_selector("text=不满意意见由巡查监督转办案单位整改")
    assert fresh(alert).status == AlertStatus.FOLLOWED_UP

    as_user(page, live_server, world["head"])
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="回访不满意").first.click()
    expect(page.locator("tbody")).to_contain_text(alert.number)
    screenshot(page, "feedback-supervision-list")
    assert_accessible(page)
    from shoulian.supervision.models import Finding  # a test may look above its app

    finding = Finding.objects.get(rule_code="follow_up_dissatisfied")
    assert finding.alert_id == alert.pk
    assert finding.messages.filter(recipient=world["head"]).exists()
