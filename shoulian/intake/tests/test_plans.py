"""Pinned query plans of the 警情 list (issue 14): the first page, the oldest page and a status
filter read their order from an index for a bureau-wide and a station user, and the exact search
keys are index look-ups (EXPLAIN on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from shoulian.core.paging import explain, scans_table
from shoulian.intake.choices import AlertStatus
from shoulian.intake.models import Alert
from shoulian.intake.selectors import AlertFilters, alert_list, exact_keys

pytestmark = pytest.mark.django_db

TABLE = "intake_alert"


@pytest.mark.parametrize("who", ["head", "officer"])
def test_the_list_pages_read_their_order_from_an_index(who: str, request: Any) -> None:
    user = request.getfixturevalue(who)
    for filters, index in (
        (AlertFilters(), "alert_list_idx"),
        (AlertFilters(status=AlertStatus.HANDLING), "alert_list_status_idx"),
    ):
        qs = alert_list(user, filters)
        for page in (
            qs.order_by("-received_at", "-pk")[:51],
            qs.order_by("received_at", "pk")[:51],
        ):
            plan = explain(page)
            assert index in plan, plan
            assert not scans_table(plan, TABLE), plan


def test_the_exact_search_keys_are_index_look_ups() -> None:
    plan = explain(Alert.objects.filter(exact_keys("jj-Sm0715x")).order_by()[:1])
    assert "alert_external_ref_idx" in plan, plan
    assert not scans_table(plan, TABLE), plan
