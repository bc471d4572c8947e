"""Clear mobile and text of sent and expired SMS older than ``SHOULIAN_SMS_RETENTION_DAYS``.

The Huey worker runs it every night (``notify.tasks.purge_old_messages``); the command is for
operators (a first run over a large backlog, in batches with ``--limit``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shoulian.core import context
from shoulian.notify.retention import sms_purge_expired


class Command(BaseCommand):
    help = "清除超过保留期的已发送、已过期短信的手机号和内容"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=None, help="本次最多清除的条数")

    def handle(self, *args: Any, **options: Any) -> None:
        with context.acting(channel="worker"):
            result = sms_purge_expired(limit=options["limit"])
        self.stdout.write(
            f"已清除 {result.purged} 条短信的手机号和内容（{result.before:%Y-%m-%d %H:%M} 之前生成，"
            f"分 {result.batches} 批）"
        )
