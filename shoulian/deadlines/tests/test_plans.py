"""Pinned query plans of 我的期限 (issue 14): each running status's deadlines are read in due
order from the ``(status, due_at, id)`` index, not sorted (EXPLAIN on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from shoulian.core.paging import explain, scans_table
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
