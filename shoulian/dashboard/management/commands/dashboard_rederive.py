"""Re-derive the platform's rollups from the source rows now (the nightly job, on demand)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shoulian.core import context
from shoulian.dashboard.services import rollups_rederive, warnings_from_findings


class Command(BaseCommand):
    help = "按源数据重新核对并修复监督平台的汇总数据（每晚自动运行）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="只报告偏差，不修复")

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        from django.db import transaction
        from django.utils import timezone

        with context.acting(channel="command"):
            report = rollups_rederive(repair=not check)
            with transaction.atomic():
                added = warnings_from_findings(at=timezone.now())
        self.stdout.write(
            f"警情 {report.alerts} 起；偏差：事实 {report.facts}，日计数 {report.daily}，"
            f"环节 {report.node}，满意度 {report.satisfaction}；新增预警 {added} 条"
        )
