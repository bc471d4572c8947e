"""Pinned query plans of the center's 分派 queue and a unit's inbox (issue 14): both start from
an index (the open statuses', sorting only those few rows, or the unit's), never from a scan of
the alerts or of the decisions (EXPLAIN on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from shoulian.core.paging import explain, scans_table
from shoulian.workflow.selectors import (
    QUEUE_LIMIT,
    TASK_PAGE,
    inbox_alerts,
    pending_approvals,
    to_route,
)

pytestmark = pytest.mark.django_db


def test_the_routing_queue_starts_from_the_status_index(clerk: Any) -> None:
    plan = explain(to_route(clerk)[:TASK_PAGE], sorts=True)
    assert "alert_list_status_idx" in plan or "alert_status_idx" in plan, plan
    assert not scans_table(plan, "intake_alert", sorts=False), plan


def test_the_inbox_starts_from_the_units_status_index(officer: Any) -> None:
    plan = explain(inbox_alerts(officer)[:QUEUE_LIMIT], sorts=True)
    # Which of the unit's indexes serves it depends on the statistics earlier tests left
    # (SQLite on an empty database may take (handling_unit, received_at); PostgreSQL over
    # workers has taken a third): the pin is that the unit's rows come through an index.
    assert "intake_alert" in plan, plan
    for table in ("intake_alert", "workflow_decision"):
        assert not scans_table(plan, table, sorts=False), plan


def test_a_units_pending_approvals_are_read_through_the_unit_status_index(
    bureau_head: Any,
) -> None:
    plan = explain(pending_approvals(bureau_head)[:QUEUE_LIMIT], sorts=True)
    # Which of the unit's indexes serves it depends on the statistics earlier tests left (over
    # a whole app's run PostgreSQL has taken the unit foreign key's): the pin is no scan.
    assert "workflow_approval" in plan, plan
    assert not scans_table(plan, "workflow_approval", sorts=False), plan
