"""Pinned query plans of the platform's data endpoint (issue 17): every statement reads its
rows through an index, never a whole table (EXPLAIN on SQLite and PostgreSQL). With the pinned
query count, this is what keeps the endpoint flat as the alerts grow: the rows an index read
returns are counter rows of the asked periods (a period's own rows, not its days), a node's row
per unit, the open warnings counted per unit, and of the facts only those the clock moved on since
the minute job's last pass. Which index serves a statement is the planner's choice (its statistics
differ over test workers): the pin is that none reads a table whole."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shoulian.conftest import login_as
from shoulian.core.paging import explain_sql, scans_table
from shoulian.workflow.tests.helpers import handling, new_alert

pytestmark = pytest.mark.django_db

DASHBOARD_TABLES = (
    "dashboard_alertfact",
    "dashboard_dailycount",
    "dashboard_nodecount",
    "dashboard_satisfactioncount",
    "dashboard_findingcount",
    "dashboard_riskwarning",
    "dashboard_warningcount",
    "intake_alert",
    "supervision_finding",
)


def _statements(client: Client, **params: Any) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("dashboard:data"), params).status_code == 200
    return [q["sql"] for q in ctx.captured_queries if "dashboard_" in q["sql"]]


@pytest.mark.parametrize("who", ["head", "leader"])
def test_no_statement_of_the_data_endpoint_reads_a_table_whole(
    who: str, clerk: Any, officer: Any, request: pytest.FixtureRequest
) -> None:
    handling(clerk, officer)
    new_alert(clerk)
    client = login_as(Client(), request.getfixturevalue(who))
    statements = _statements(client)
    # The nine statements of ``selectors.figures`` (the session's and the user's aside).
    assert len(statements) == 9, statements
    for sql in statements:
        plan = explain_sql(sql)
        for table in DASHBOARD_TABLES:
            assert not scans_table(plan, table, sorts=False), f"{table}:\n{sql}\n{plan}"


def test_the_facts_are_read_only_through_the_indexes_of_the_stale_bands(
    clerk: Any, officer: Any, head: Any
) -> None:
    """The one statement that reads facts reads those counted 期限内 with the warning time past
    and those counted 临期 with the due time past (partial indexes holding only them), never the
    bureau's facts through its foreign key (which SQLite preferred to a partial index's range)."""
    handling(clerk, officer)
    client = login_as(Client(), head)
    facts = [sql for sql in _statements(client) if "dashboard_alertfact" in sql]
    assert len(facts) == 1
    plan = explain_sql(facts[0])
    assert "dash_fact_ok_warn" in plan and "dash_fact_near_due" in plan, plan
