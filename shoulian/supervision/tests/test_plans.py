"""Pinned query plans of the 巡查发现 list (issue 14): a page of findings reads the
``(kind, opened_at, id)`` index newest first (or oldest first for the last page) instead of
sorting the bureau's findings (EXPLAIN on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

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
