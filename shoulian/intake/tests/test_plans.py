"""Pinned query plans of the 警情 list (issue 14): the first page, the oldest page and a status
filter read their order from an index for a bureau-wide and a station user, and the exact search
keys are index look-ups (EXPLAIN on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from shoulian.core.paging import explain, scans_table
from shoulian.intake.choices import AlertStatus
from shoulian.intake.models import Alert
from shoulian.intake.selectors import AlertFilters, alert_list, exact_keys, partial_number
from shoulian.intake.tests.helpers import register

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


def test_a_station_counts_its_alerts_through_its_unit_indexes(officer: Any) -> None:
    # selectors.alert_total for a scope below the bureau: along the list's order a station's
    # count read COUNT_CAP ÷ its share of the bureau rows.
    plan = explain(alert_list(officer, by_order=False).order_by()[:1001])
    assert "intake_alert" in plan, plan
    assert not scans_table(plan, TABLE), plan


def test_part_of_a_number_is_found_through_a_trigram_index(clerk: Any, officer: Any) -> None:
    alert = register(clerk).alert
    for user in (clerk, officer):
        qs = alert_list(user).filter(partial_number(alert.number[-8:]))
        plan = explain(qs[:51], sorts=True)
        # SQLite: the FTS5 trigram table names the rows (migration 0010); PostgreSQL: pg_trgm.
        assert not scans_table(plan, TABLE, sorts=False), plan
        if connection.vendor == "sqlite":
            assert "VIRTUAL TABLE" in plan, plan
