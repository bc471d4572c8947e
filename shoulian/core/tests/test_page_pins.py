"""Every staff list page pinned (issue 14): walked as each demo login over the (small) demo
data, each menu page it sees answers in at most its pinned number of queries, and none of its
statements reads a large table whole (EXPLAIN on SQLite and PostgreSQL). The apps' own tests pin
that a page's query count does not grow with its rows; this walk makes sure no menu page is
left without a pin or a plan check, and a new menu entry without a pin fails here."""

from __future__ import annotations

import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shoulian.conftest import login_as
from shoulian.core.paging import COUNT_CAP, explain_sql, scans_table

pytestmark = pytest.mark.django_db

# The tables that grow with the alerts (issue 14): no list page may read one whole.
LARGE_TABLES = (
    "intake_alert",
    "intake_alertparty",
    "intake_evidencefile",
    "audit_auditevent",
    "audit_auditleaf",
    "deadlines_deadline",
    "notify_smsmessage",
    "workflow_decision",
    "workflow_approval",
    "workflow_alertflow",
    "feedback_followup",
    "feedback_complaint",
    "supervision_finding",
)

# Queries of each menu page: the most any demo login's steady request needed on SQLite, plus 2
# for what differs between the engines (PostgreSQL's seal badge reads the late commits apart).
PINS: dict[str, int] = {
    "accounts:approvals": 8,
    "accounts:directory": 8,
    "accounts:password_change": 5,
    "assessment:challenges": 7,
    "assessment:interviews": 7,
    "assessment:overview": 15,
    "assessment:rankings": 14,
    "assessment:referrals": 7,
    "assessment:schemes": 9,
    "assistant:checklists": 6,
    "audit:journal": 15,
    "bulletins:list": 7,
    "bulletins:statistics": 21,
    "citizen:kiosk_manage": 8,
    "core:home": 13,
    "dashboard:displays": 7,
    "dashboard:platform": 16,
    "deadlines:calendar": 6,
    "deadlines:my": 11,
    "deadlines:rule_list": 7,
    "feedback:complaints": 11,
    "feedback:follow_ups": 12,
    "intake:alert_list": 9,
    "intake:category_list": 6,
    "intake:draft_list": 6,
    "intake:import": 5,
    "intake:register": 7,
    "notify:outbox": 16,
    "org:area_list": 7,
    "org:index": 11,
    "org:unit_list": 6,
    "review:campaigns": 7,
    "review:patrol": 10,
    "review:queue": 9,
    "review:unit": 7,
    "supervision:findings": 13,
    "supervision:follow_ups": 13,
    "supervision:inbox": 6,
    "supervision:rules": 21,
    "supervision:runs": 7,
    "users:list": 9,
    "workflow:approvals": 7,
    "workflow:chains": 29,
    "workflow:inbox": 7,
    "workflow:queue": 12,
    "workflow:routing": 9,
    "workflow:rules": 11,
    "workflow:settings": 6,
}


def _walk() -> list[tuple[str, str, Client]]:
    from shoulian.accounts.models import User
    from shoulian.core.navigation import _items
    from shoulian.org.demo import DEMO_LOGINS

    out = []
    for _role, username in DEMO_LOGINS:
        user = User.objects.select_related("unit").get(username=username)
        client = login_as(Client(), user)
        kind = user.unit.kind if user.unit else None
        for item in _items:
            if item.shown_to(user.role_set, kind):
                out.append((item.url_name, username, client))
    return out


@override_settings(DEMO_MODE=True)
def test_every_menu_page_is_pinned_and_reads_no_large_table_whole(small_demo: None) -> None:
    call_command("seed_demo", stdout=StringIO())
    counts: dict[str, int] = {}
    problems: list[str] = []
    for url_name, username, client in _walk():
        url = reverse(url_name)
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, username, response.status_code)
        n = len(ctx.captured_queries)
        counts[url_name] = max(counts.get(url_name, 0), n)
        for q in ctx.captured_queries:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            if sql.startswith("SELECT COUNT(*) FROM (SELECT") and f"LIMIT {COUNT_CAP + 1})" in sql:
                continue  # core.paging.capped_count: stops after COUNT_CAP + 1 rows
            plan = explain_sql(sql)
            for table in LARGE_TABLES:
                if scans_table(plan, table, sorts=False):
                    problems.append(f"{url} as {username}: {table} read whole\n{sql[:300]}\n{plan}")
    # PINS_PRINT=1 pytest -s … prints what each page needed and what it read whole.
    if os.environ.get("PINS_PRINT"):
        for name, n in sorted(counts.items()):
            print(f'    "{name}": {n},')
        print("\n\n".join(problems))
    over = {k: (n, PINS.get(k)) for k, n in counts.items() if n > PINS.get(k, -1)}
    assert not over, over
    assert not problems, "\n\n".join(problems)
