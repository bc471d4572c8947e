"""Purge event bodies older than the retention period (≥ 365 days, U6).

Refused, and journalled as refused, for any date within the floor; the database triggers refuse
such deletes as well, whatever this command says. Leaves stay: the chain and the signed tree
still cover the purged positions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shoulian.audit import services
from shoulian.core import context


class Command(BaseCommand):
    help = "清理超过保留期（至少 365 天）的审计事件内容。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--before", required=True, type=dt.date.fromisoformat, help="日期 YYYY-MM-DD"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            before = dt.date.fromisoformat(str(options["before"]))
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD。") from exc
        with context.acting(channel="command"):
            try:
                result = services.journal_purge(before=before)
            except services.PurgeRefused as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"已清理 {result.deleted} 条事件内容（序号 0 至 {result.through_position - 1}）。"
            if result.deleted
            else "没有可清理的事件。"
        )
