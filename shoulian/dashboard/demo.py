"""Demo data of the platform: nothing of its own, only its rollups brought up to date.

The earlier seeders write through the services, so the subscribers keep the rollups as they go;
the patrol's red and escalated findings enter the feed here (the minute job does it in a running
system), and a database seeded before this app existed gets its rollups derived."""

from __future__ import annotations

from typing import Any

from shoulian.core.demo import demo_seeder


@demo_seeder(order=90, name="dashboard")
def seed_dashboard(**_: Any) -> str:
    from django.db import transaction
    from django.utils import timezone

    from shoulian.core import context
    from shoulian.dashboard.services import rollups_rederive, warnings_from_findings

    with context.acting(channel="command"):
        report = rollups_rederive(repair=True)
        with transaction.atomic():
            added = warnings_from_findings(at=timezone.now())
    return f"汇总核对警情 {report.alerts} 起（修复偏差 {report.total} 处），新增风险预警 {added} 条"
