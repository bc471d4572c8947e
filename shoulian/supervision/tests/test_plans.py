"""Pinned query plans of the 巡查发现 list (issue 14): a page of findings reads the
``(kind, opened_at, id)`` index newest first (or oldest first for the last page) instead of
sorting the bureau's findings (EXPLAIN on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from shoulian.core.paging import explain, scans_table
from shoulian.supervision.selectors import findings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["head", "inspector", "officer"])
def test_the_finding_list_reads_its_order_from_an_index(who: str, request: Any) -> None:
    user = request.getfixturevalue(who)
    for status in ("active", "", "closed"):
        qs = findings(user, status=status)
        for page in (qs[:51], qs.order_by("opened_at", "pk")[:51]):
            plan = explain(page)
            assert "finding_list_idx" in plan, plan
            assert not scans_table(plan, "supervision_finding"), plan


@pytest.mark.parametrize("who", ["head", "officer"])
def test_the_list_of_one_rule_reads_its_order_from_an_index(who: str, request: Any) -> None:
    """回访不满意 and ``?rule=…`` (issue 14): a rare rule's page must not walk every finding
    of the bureau, nor sort the rule's findings."""
    user = request.getfixturevalue(who)
    for status in ("active", "closed"):
        qs = findings(user, status=status, rule="deadline_overdue")
        for page in (qs[:51], qs.order_by("opened_at", "pk")[:51]):
            plan = explain(page)
            assert "supervision_finding" in plan, plan
            assert not scans_table(plan, "supervision_finding"), plan
            if connection.vendor == "sqlite":
                assert "finding_rule_list_idx" in plan, plan
