"""In Chromium: the station's leader opens the unit's score card, follows a deduction to its
finding and on to its alert, challenges it; the legal brigade upholds the challenge; the card
shows the points restored."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps

from shoulian.accounts.choices import Role
from shoulian.assessment.choices import Subject
from shoulian.assessment.models import ScoreEntry
from shoulian.assessment.services import score_bureau
from shoulian.conftest import assert_accessible, make_bureau, make_user, screenshot
from shoulian.supervision.tests.helpers import patrol
from shoulian.supervision.tests.test_browser import as_user, stalled_alert
from shoulian.workflow.tests.helpers import reseed_data_migrations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(live_server: Any) -> dict[str, Any]:
    reseed_data_migrations()
    importlib.import_module("shoulian.supervision.migrations.0002_seed_rules").seed(apps, None)
    importlib.import_module("shoulian.assessment.migrations.0002_seed_scheme").seed(apps, None)
    b = make_bureau("3501", "甲")
    return {
        "b": b,
        "clerk": make_user("desk.clerk", b.center, Role.CLERK, full_name="张欣然"),
        "officer": make_user("cg.officer", b.station, Role.OFFICER, full_name="陈志强"),
        "leader": make_user("cg.leader", b.station, Role.LEADER, full_name="黄文斌"),
        "legal": make_user("fz.reviewer", b.legal_brigade, Role.LEGAL_BRIGADE, full_name="郑雨涵"),
    }


def test_browser_a_unit_challenges_a_deduction_and_the_card_shows_the_points_restored(
    page: Any, live_server: Any, world: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    w = world
    alert = stalled_alert(w)
    patrol(w["b"].bureau)
    assert score_bureau(bureau=w["b"].bureau).posted >= 2
    entry = ScoreEntry.objects.get(subject=Subject.UNIT, unit=w["b"].station)
    card_url = f"{live_server.url}/assessment/units/{w['b'].station.pk}/"

    as_user(page, live_server, w["leader"])
    page.goto(f"{live_server.url}/assessment/")
    expect(page.get_by_test_id("unit-rank")).to_contain_text("本单位排第")
    assert_accessible(page)
    page.get_by_role("link", name="单位扣分明细").click()
    expect(page.get_by_test_id("score")).to_have_text("98.0")
    page.get_by_role("link", name="刑事立案审查超期").click()
    page.get_by_test_id("finding-link").click()
    expect(page.locator("main")).to_contain_text("节点超期")
    page.get_by_role("link", name=alert.number).click()
    expect(page.locator("main")).to_contain_text(alert.number)

    page.goto(f"{live_server.url}/assessment/entries/{entry.pk}/")
    page.get_by_label("申诉理由").fill("本所已于期限内报请局领导延长立案审查期限，请予核查。")
    page.get_by_role("button", name="提交申诉").click()
    expect(page.locator(".messages")).to_contain_text("申诉已提交")
    expect(page.get_by_test_id("challenge-status")).to_have_text("待答复")
    screenshot(page, "assessment-challenge-filed")
    assert_accessible(page)

    as_user(page, live_server, w["legal"])
    page.goto(f"{live_server.url}/assessment/challenges/")
    assert_accessible(page)
    page.get_by_role("link", name="刑事立案审查超期").click()
    page.wait_for_url("**/assessment/entries/*/")
    assert_accessible(page)
    page.get_by_label("异议成立，撤销扣分").check()
    page.get_by_label("答复意见").fill("经核查，延长审批手续齐全，异议成立。")
    page.get_by_role("button", name="提交答复").click()
    expect(page.get_by_test_id("challenge-status")).to_have_text("异议成立")

    as_user(page, live_server, w["leader"])
    page.goto(card_url)
    expect(page.get_by_test_id("score")).to_have_text("100.0")
    expect(page.get_by_test_id("entries")).to_contain_text("申诉成立冲正")
    screenshot(page, "assessment-card-restored")
    assert_accessible(page)
