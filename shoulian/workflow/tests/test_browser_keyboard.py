"""An approval with the keyboard alone (WCAG 2.1.1): the leader Tabs from the approval queue to the
proposal, picks "同意" with the arrow keys, types the note and submits with Enter; every focus stop
is visible and both page shapes pass axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from shoulian.accounts.choices import Role
from shoulian.conftest import FOCUS, assert_accessible, make_bureau, make_user, tab_to
from shoulian.workflow.models import Decision
from shoulian.workflow.tests.helpers import handling, propose, reseed_data_migrations
from shoulian.workflow.tests.test_browser import as_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leader_approves_a_proposal_with_the_keyboard_only(page: Any, live_server: Any) -> None:
    reseed_data_migrations()
    b = make_bureau("3501", "甲")
    clerk = make_user("desk.clerk", b.center, Role.CLERK)
    officer = make_user("cg.officer", b.station, Role.OFFICER)
    leader = make_user("cg.leader", b.station, Role.LEADER, full_name="黄文斌")
    alert = handling(clerk, officer)
    decision = propose(officer, alert)

    as_user(page, live_server, leader)
    page.goto(f"{live_server.url}/workflow/approvals/")
    assert page.title().startswith("待审批")
    assert_accessible(page)
    tab_to(page, text=decision.get_kind_display())
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/workflow/decisions/{decision.pk}/")
    assert_accessible(page)

    # The radio group: Tab enters it, Space picks the first choice ("同意").
    tab_to(page, element_id="id_decision_0")
    page.keyboard.press("Space")
    expect(
        page.get_by_role("group", name="审批意见").get_by_label("同意", exact=True)
    ).to_be_checked()
    tab_to(page, element_id="id_note")
    page.keyboard.type("同意立案。")
    tab_to(page, text="提交审批意见")
    assert page.evaluate(FOCUS)["ring"]
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/workflow/decisions/{decision.pk}/")
    expect(page.locator("main")).to_contain_text("同意立案。")

    step = Decision.objects.get(pk=decision.pk).approvals.order_by("position").first()
    assert step is not None and step.status == "approved" and step.decided_by == leader
