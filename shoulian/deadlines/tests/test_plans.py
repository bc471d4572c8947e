"""Pinned query plans of 我的期限 (issue 14): each running status's deadlines are read in due
order from the ``(status, due_at, id)`` index, not sorted (EXPLAIN on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shoulian.conftest import login_as, page_plans
from shoulian.core.paging import drives_from_scope, explain, scans_table
from shoulian.deadlines.choices import DeadlineStatus
from shoulian.deadlines.models import Deadline

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["head", "officer"])
def test_the_running_deadlines_are_read_in_due_order_from_an_index(who: str, request: Any) -> None:
    user = request.getfixturevalue(who)
    visible = Deadline.objects.visible_by_order(user)
    for status in (DeadlineStatus.OPEN, DeadlineStatus.PAUSED):
        qs = visible.filter(status=status, due_at__isnull=False).order_by("due_at", "id")[:200]
        plan = explain(qs)
        assert "deadline_queue_idx" in plan, plan
        assert not scans_table(plan, "deadlines_deadline"), plan


QUEUE_TABLES = (
    "intake_alert",
    "deadlines_deadline",
    "deadlines_deadlineextension",
    "workflow_reconsideration",
    "workflow_transferrequest",
    "workflow_dispute",
)


@pytest.mark.parametrize("who", ["bureau_head", "head", "legal"])
@pytest.mark.parametrize("url", ["/deadlines/", "/workflow/"])
def test_the_queues_of_a_bureau_wide_role_start_from_their_pending_rows(
    who: str, url: str, request: Any
) -> None:
    """Every statement of 我的期限 and of the work queue: no table of the queues read whole, and
    none walked through a unit index (every row of every unit of the bureau) to find its few
    pending rows — the extension requests, 复议/复核, transfers and disputes start from their
    partial indexes of the pending ones and check the unit on the way."""
    client = login_as(Client(), request.getfixturevalue(who))
    for sql, plan in page_plans(client, url):
        for table in QUEUE_TABLES:
            assert not scans_table(plan, table, sorts=False), (sql, plan)
            assert not drives_from_scope(plan, table), (sql, plan)
